/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the SSDP parser: announcements, searches, responses, type extraction and every
 * rejection rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "observe/ssdp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char err[256];

/* A copy of exactly n octets, so ASan sees any read past it. */
static int parse_n(const void *b, size_t n, struct ssdp_msg *s)
{
	uint8_t *copy = malloc(n ? n : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, b, n);
	ret = ssdp_parse(copy, n, s, err, sizeof(err));
	free(copy);
	return ret;
}

static int parse(const char *text, struct ssdp_msg *s)
{
	return parse_n(text, strlen(text), s);
}

/* A WeMo switch's announcement, as captured. */
static const char wemo_notify[] =
	"NOTIFY * HTTP/1.1\r\n"
	"HOST: 239.255.255.250:1900\r\n"
	"CACHE-CONTROL: max-age=86400\r\n"
	"LOCATION: http://10.10.10.252:49153/setup.xml\r\n"
	"OPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n"
	"01-NLS: d1be6478-1dd1-11b2-a399-f0f97a047d16\r\n"
	"NT: urn:Belkin:device:controllee:1\r\n"
	"NTS: ssdp:alive\r\n"
	"SERVER: Unspecified, UPnP/1.0, Unspecified\r\n"
	"X-User-Agent: redsonic\r\n"
	"USN: uuid:Socket-1_0-221519K1100F55::urn:Belkin:device:controllee:1\r\n"
	"\r\n";

static void test_notify(void **state)
{
	struct ssdp_msg s;
	char type[64];

	(void)state;
	assert_int_equal(parse(wemo_notify, &s), 0);
	assert_int_equal(s.kind, SSDP_NOTIFY);
	assert_int_equal(s.flags,
		SSDP_HAS_SERVER | SSDP_HAS_USN | SSDP_HAS_NT | SSDP_HAS_NTS | SSDP_HAS_LOCATION);
	assert_string_equal(s.location, "http://10.10.10.252:49153/setup.xml");
	assert_string_equal(s.nt, "urn:Belkin:device:controllee:1");
	assert_string_equal(s.nts, "ssdp:alive");
	assert_string_equal(s.server, "Unspecified, UPnP/1.0, Unspecified");
	assert_string_equal(
		s.usn, "uuid:Socket-1_0-221519K1100F55::urn:Belkin:device:controllee:1");
	assert_string_equal(s.st, "");
	assert_string_equal(s.user_agent, ""); /* X-User-Agent is another header */
	assert_int_equal(ssdp_type(s.usn, type, sizeof(type)), 30);
	assert_string_equal(type, "urn:Belkin:device:controllee:1");
	assert_int_equal(ssdp_type(s.nt, type, sizeof(type)), 30);
	assert_string_equal(type, "urn:Belkin:device:controllee:1");
}

static void test_msearch(void **state)
{
	struct ssdp_msg s;

	(void)state;
	/* A phone app's search: bare LF line ends, lower-case names, tabs around the value. */
	assert_int_equal(parse("M-SEARCH * HTTP/1.1\n"
			       "host: 239.255.255.250:1900\n"
			       "man: \"ssdp:discover\"\n"
			       "mx: 2\n"
			       "st:\turn:schemas-upnp-org:device:MediaRenderer:1 \t\n"
			       "user-agent: Android/7.0 UPnP/1.1 BubbleUPnP/3.0\n"
			       "\n",
				 &s),
		0);
	assert_int_equal(s.kind, SSDP_MSEARCH);
	assert_int_equal(s.flags, SSDP_HAS_ST | SSDP_HAS_USER_AGENT);
	assert_string_equal(s.st, "urn:schemas-upnp-org:device:MediaRenderer:1");
	assert_string_equal(s.user_agent, "Android/7.0 UPnP/1.1 BubbleUPnP/3.0");

	/* ssdp:all, no blank line at the end, an empty header, a tab inside a value. */
	assert_int_equal(parse("M-SEARCH * HTTP/1.1\r\n"
			       "ST: ssdp:all\r\n"
			       "USER-AGENT:\r\n"
			       "SERVER: a\tb\r\n",
				 &s),
		0);
	assert_int_equal(s.kind, SSDP_MSEARCH);
	assert_int_equal(s.flags, SSDP_HAS_ST | SSDP_HAS_USER_AGENT | SSDP_HAS_SERVER);
	assert_string_equal(s.st, "ssdp:all");
	assert_string_equal(s.user_agent, "");
	assert_string_equal(s.server, "a b");
}

static void test_response(void **state)
{
	struct ssdp_msg s;

	(void)state;
	assert_int_equal(parse("HTTP/1.1 200 OK\r\n"
			       "CACHE-CONTROL: max-age=1800\r\n"
			       "DATE: Tue, 01 Dec 2026 10:00:00 GMT\r\n"
			       "EXT:\r\n"
			       "LOCATION: http://192.168.1.20:1400/xml/device_description.xml\r\n"
			       "SERVER: Linux UPnP/1.0 Sonos/70.3-35220 (ZPS9)\r\n"
			       "ST: urn:schemas-upnp-org:device:ZonePlayer:1\r\n"
			       "USN: uuid:RINCON_000E58A0B1C201400::urn:schemas-upnp-org:device:"
			       "ZonePlayer:1\r\n"
			       "\r\n",
				 &s),
		0);
	assert_int_equal(s.kind, SSDP_RESPONSE);
	assert_int_equal(s.flags, SSDP_HAS_SERVER | SSDP_HAS_USN | SSDP_HAS_ST | SSDP_HAS_LOCATION);
	assert_string_equal(s.server, "Linux UPnP/1.0 Sonos/70.3-35220 (ZPS9)");
	assert_string_equal(s.st, "urn:schemas-upnp-org:device:ZonePlayer:1");
	assert_string_equal(s.location, "http://192.168.1.20:1400/xml/device_description.xml");
	/* Without a reason phrase, and with another one. */
	assert_int_equal(parse("HTTP/1.1 200\r\nST: upnp:rootdevice\r\n\r\n", &s), 0);
	assert_int_equal(s.kind, SSDP_RESPONSE);
	assert_string_equal(s.st, "upnp:rootdevice");
	assert_int_equal(parse("HTTP/1.1 200 ok\r\n\r\n", &s), 0);
	assert_int_equal(s.flags, 0);
}

static void test_headers(void **state)
{
	char big[600], text[1300];
	struct ssdp_msg s;

	(void)state;
	/* A repeated header keeps the first; what follows the blank line is not read. */
	assert_int_equal(parse("NOTIFY * HTTP/1.1\r\n"
			       "NT: upnp:rootdevice\r\n"
			       "nt: urn:other\r\n"
			       "NTS : ssdp:byebye\r\n"
			       "\r\n"
			       "USN: uuid:x\r\n\x01\x02",
				 &s),
		0);
	assert_int_equal(s.flags, SSDP_HAS_NT | SSDP_HAS_NTS);
	assert_string_equal(s.nt, "upnp:rootdevice");
	assert_string_equal(s.nts, "ssdp:byebye");

	/* Over-long values are cut to the field. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(text, sizeof(text), "NOTIFY * HTTP/1.1\r\nNTS: %s\r\nSERVER: %s\r\n", big, big);
	assert_int_equal(parse(text, &s), 0);
	assert_int_equal(strlen(s.nts), sizeof(s.nts) - 1);
	assert_int_equal(strlen(s.server), sizeof(s.server) - 1);
	/* a cut that ends on white space leaves none at the end */
	big[sizeof(s.nts) - 3] = ' ';
	big[sizeof(s.nts) - 2] = '\t';
	snprintf(text, sizeof(text), "NOTIFY * HTTP/1.1\r\nNTS: %s\r\n", big);
	assert_int_equal(parse(text, &s), 0);
	assert_int_equal(strlen(s.nts), sizeof(s.nts) - 3);

	/* A last line without LF was cut by the capture: ignored, its octets still checked. A
	 * start line cut between CR and LF is whole. */
	assert_int_equal(parse("NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\nUSN: uuid:a::upnp:"
			       "rootdevice",
				 &s),
		0);
	assert_int_equal(s.flags, SSDP_HAS_NT);
	assert_string_equal(s.usn, "");
	assert_int_equal(parse("NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\nUS", &s), 0);
	assert_int_equal(s.flags, SSDP_HAS_NT);
	assert_int_equal(parse("NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r", &s), 0);
	assert_int_equal(s.flags, 0);
	assert_int_equal(
		parse("NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\nUSN: \x7f", &s), -EINVAL);
	assert_int_equal(parse("NOTIFY * HTTP/1.1\r", &s), 0);
	assert_int_equal(s.kind, SSDP_NOTIFY);
	assert_int_equal(parse("NOTIFY * HTTP/1.1", &s), 0);
	assert_int_equal(s.flags, 0);
}

static void test_type(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(ssdp_type("upnp:rootdevice", buf, sizeof(buf)), 15);
	assert_string_equal(buf, "upnp:rootdevice");
	assert_int_equal(ssdp_type("uuid:Socket-1_0-221519K1100F55::upnp:rootdevice", buf, 8), 15);
	assert_string_equal(buf, "upnp:ro");
	assert_int_equal(ssdp_type("uuid:Socket-1_0-221519K1100F55", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(
		ssdp_type("UUID:2f402f80-da50-11e1-9b23-00178829d301", buf, sizeof(buf)), 0);
	assert_int_equal(ssdp_type("uuid:a::uuid:a", buf, sizeof(buf)), 0);
	assert_int_equal(ssdp_type("urn:schemas-upnp-org:service:ContentDirectory:1", buf, 0), 47);
	assert_int_equal(ssdp_type("", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void test_rejections(void **state)
{
	struct ssdp_msg s;
	size_t i = 0;

	(void)state;
#define BAD_N(text, n, why)                                                     \
	do {                                                                    \
		memset(&s, 0xa5, sizeof(s));                                    \
		assert_int_equal(parse_n(text, n, &s), -EINVAL);                \
		if (!strstr(err, why))                                          \
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, why); \
		assert_int_equal(s.flags, 0);                                   \
		assert_int_equal(s.kind, 0);                                    \
		assert_string_equal(s.usn, "");                                 \
		i++;                                                            \
	} while (0)
#define BAD(text, why) BAD_N(text, strlen(text), why)

	BAD("", "not SSDP: empty message");
	BAD("GET / HTTP/1.1\r\nHost: x\r\n\r\n", "not SSDP: the start line");
	BAD("NOTIFY * HTTP/1.0\r\n\r\n", "not SSDP");
	BAD("notify * HTTP/1.1\r\n\r\n", "not SSDP");
	BAD("NOTIFY * HTTP/1.1 \r\n\r\n", "not SSDP");
	BAD("M-SEARCH / HTTP/1.1\r\n\r\n", "not SSDP");
	BAD("HTTP/1.1 404 Not Found\r\n\r\n", "not SSDP");
	BAD("HTTP/1.1 2000 OK\r\n\r\n", "not SSDP");
	BAD("\x16\x03\x01\x00\xa5\x01\x00", "line 1: octet 0x16 at column 1");
	BAD("NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\nSERVER: Linux\x01\r\n\r\n",
		"line 3: octet 0x01 at column 14");
	BAD("NOTIFY * HTTP/1.1\r\nSERVER: Caf\xc3\xa9\r\n\r\n", "line 2: octet 0xc3 at column 12");
	BAD("NOTIFY * HTTP/1.1\r\nX-Other: a\rb\r\nNT: upnp:rootdevice\r\n\r\n",
		"line 2: octet 0x0d at column 11");
	BAD_N("NOTIFY * HTTP/1.1\r\nNT: upnp:root\0device\r\n\r\n", 43, "line 2: octet 0x00");
	BAD("NOTIFY * HTTP/1.1\r\nNTS ssdp-alive\r\n\r\n", "line 2: header line without a colon");
	BAD("NOTIFY * HTTP/1.1\r\nNT upnp:rootdevice\r\n\r\n",
		"line 2: header name is not a token");
	BAD("NOTIFY * HTTP/1.1\r\n: upnp:rootdevice\r\n\r\n", "line 2: empty header name");
	BAD("NOTIFY * HTTP/1.1\r\nN T: upnp:rootdevice\r\n\r\n",
		"line 2: header name is not a token");
	BAD("NOTIFY * HTTP/1.1\r\nSERVER: a\r\n b\r\n\r\n", "line 3: folded header line");
	BAD("NOTIFY * HTTP/1.1\r\n\tNT: x\r\n\r\n", "line 2: folded header line");
#undef BAD
#undef BAD_N
	assert_int_equal(ssdp_parse(NULL, 0, &s, NULL, 0), -EINVAL);
}

/* A cut capture of an announcement is an announcement with fewer headers, never one with a
 * value that was cut: each header appears whole exactly once its LF is in. */
static void test_prefixes(void **state)
{
	size_t len = strlen(wemo_notify), nt_end, usn_end;
	struct ssdp_msg s;

	(void)state;
	nt_end = (size_t)(strstr(wemo_notify, "NT: ") - wemo_notify) + 36;
	usn_end = len - 2;
	assert_int_equal(wemo_notify[nt_end - 1], '\n');
	for (size_t n = 0; n <= len; n++) {
		int ret = parse_n(wemo_notify, n, &s);

		if (n < strlen("NOTIFY * HTTP/1.1")) {
			if (ret != -EINVAL)
				fail_msg("prefix of %zu octets accepted", n);
			continue;
		}
		assert_int_equal(ret, 0);
		assert_int_equal(s.kind, SSDP_NOTIFY);
		if (!!(s.flags & SSDP_HAS_NT) != (n >= nt_end))
			fail_msg("prefix of %zu octets: NT %s", n, s.nt);
		assert_string_equal(s.nt, n >= nt_end ? "urn:Belkin:device:controllee:1" : "");
		assert_int_equal(!!(s.flags & SSDP_HAS_USN), n >= usn_end);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_msearch),
		cmocka_unit_test(test_response),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_type),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
