/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the LLDP parser: TLV walking, mandatory TLVs, the RFC 8520 MUD URL TLV. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "observe/lldp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define URL "https://mud.example.test/cam.json"

static const uint8_t dev_mac[6] = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01};
static char err[256];

struct pdu {
	uint8_t b[9200];
	size_t len;
};

static void tlv(struct pdu *p, unsigned type, const void *v, size_t len)
{
	assert_true(type < 128 && len < 512 && p->len + 2 + len <= sizeof(p->b));
	p->b[p->len++] = (uint8_t)(type << 1 | len >> 8);
	p->b[p->len++] = (uint8_t)(len & 0xff);
	if (len)
		memcpy(p->b + p->len, v, len);
	p->len += len;
}

static void chassis_mac(struct pdu *p)
{
	uint8_t v[7] = {4};

	memcpy(v + 1, dev_mac, 6);
	tlv(p, 1, v, sizeof(v));
}

static void port_name(struct pdu *p)
{
	tlv(p, 2,
		"\x05"
		"eth0",
		5);
}

static void ttl(struct pdu *p, uint16_t secs)
{
	uint8_t v[2] = {(uint8_t)(secs >> 8), (uint8_t)secs};

	tlv(p, 3, v, 2);
}

/* An organizationally specific TLV: OUI, subtype, then len octets of data. */
static void org(struct pdu *p, const uint8_t oui[3], uint8_t subtype, const void *v, size_t len)
{
	uint8_t b[512];

	assert_true(len + 4 <= 511);
	memcpy(b, oui, 3);
	b[3] = subtype;
	memcpy(b + 4, v, len);
	tlv(p, 127, b, len + 4);
}

static const uint8_t iana[3] = {0x00, 0x00, 0x5e};

static void mud(struct pdu *p, const char *url)
{
	org(p, iana, 1, url, strlen(url));
}

static void head(struct pdu *p)
{
	p->len = 0;
	chassis_mac(p);
	port_name(p);
	ttl(p, 120);
}

static void end(struct pdu *p)
{
	tlv(p, 0, NULL, 0);
}

/* The PDU a camera running lldpd with a MUD URL sends. */
static void full(struct pdu *p)
{
	static const uint8_t dot3[3] = {0x00, 0x12, 0x0f};
	static const uint8_t mgmt[12] = {5, 1, 192, 168, 50, 10, 2, 0, 0, 0, 2, 0};

	head(p);
	tlv(p, 5, "cam-1", 5);
	tlv(p, 6, "Linux cam-1 6.1.0 armv7l", 24);
	tlv(p, 7, "\x00\x80\x00\x80", 4);
	tlv(p, 8, mgmt, 12);
	org(p, dot3, 1, "\x03\x6c\x00\x10", 4);
	mud(p, URL);
	end(p);
}

static int parse_n(const uint8_t *b, size_t len, struct lldp_info *li)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, b, len);
	ret = lldp_parse(copy, len, li, err, sizeof(err));
	free(copy);
	return ret;
}

static int parse(const struct pdu *p, struct lldp_info *li)
{
	return parse_n(p->b, p->len, li);
}

static void test_full(void **state)
{
	struct lldp_info li;
	struct pdu p;

	(void)state;
	full(&p);
	assert_int_equal(parse(&p, &li), 0);
	assert_int_equal(li.flags, LLDP_HAS_CHASSIS_MAC | LLDP_HAS_SYSNAME | LLDP_HAS_MUD_URL);
	assert_int_equal(li.chassis_subtype, 4);
	assert_int_equal(li.chassis_id_len, 6);
	assert_memory_equal(li.chassis_mac.b, dev_mac, 6);
	assert_int_equal(li.port_subtype, 5);
	assert_int_equal(li.port_id_len, 4);
	assert_memory_equal(li.port_id, "eth0", 4);
	assert_int_equal(li.ttl, 120);
	assert_string_equal(li.sysname, "cam-1");
	assert_string_equal(li.mud_url, URL);
	assert_null(li.mud_url_error);
}

static void test_frame(void **state)
{
	static const uint8_t nearest[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e};
	uint8_t f[9300] = {0};
	struct lldp_info li;
	struct pdu p;
	size_t n;

	(void)state;
	full(&p);
	memcpy(f, nearest, 6);
	memcpy(f + 6, dev_mac, 6);
	f[12] = 0x88;
	f[13] = 0xcc;
	memcpy(f + 14, p.b, p.len);
	n = 14 + p.len + 20; /* padded, as short frames are */
	assert_int_equal(lldp_parse_frame(f, n, &li, err, sizeof(err)), 0);
	assert_int_equal(li.flags & (LLDP_HAS_SRC | LLDP_HAS_VLAN | LLDP_HAS_MUD_URL),
		LLDP_HAS_SRC | LLDP_HAS_MUD_URL);
	assert_memory_equal(li.src.b, dev_mac, 6);
	/* the other two LLDP group addresses */
	f[5] = 0x03;
	assert_int_equal(lldp_parse_frame(f, n, &li, err, sizeof(err)), 0);
	f[5] = 0x00;
	assert_int_equal(lldp_parse_frame(f, n, &li, err, sizeof(err)), 0);
	f[5] = 0x01;
	assert_int_equal(lldp_parse_frame(f, n, &li, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not an LLDP group address"));
	f[5] = 0x0e;
	f[6] = 0x53; /* group source */
	assert_int_equal(lldp_parse_frame(f, n, &li, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "group source"));
	f[6] = 0x52;
	f[13] = 0xcd;
	assert_int_equal(lldp_parse_frame(f, n, &li, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "0x88cd is not LLDP"));
	assert_int_equal(li.flags, 0);
	assert_int_equal(lldp_parse_frame(f, 13, &li, err, sizeof(err)), -EINVAL);
	assert_int_equal(lldp_parse_frame(NULL, 0, &li, err, sizeof(err)), -EINVAL);

	/* One 802.1Q tag, VLAN 50. */
	memmove(f + 18, f + 14, p.len);
	f[12] = 0x81;
	f[13] = 0x00;
	f[14] = 0x20;
	f[15] = 50;
	f[16] = 0x88;
	f[17] = 0xcc;
	assert_int_equal(lldp_parse_frame(f, 18 + p.len, &li, err, sizeof(err)), 0);
	assert_int_equal(li.flags & LLDP_HAS_VLAN, LLDP_HAS_VLAN);
	assert_int_equal(li.vlan, 50);
	assert_int_equal(lldp_parse_frame(f, 17, &li, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "truncated 802.1Q tag"));
}

static void test_mud_url(void **state)
{
	static const uint8_t other[3] = {0x00, 0x80, 0xc2};
	char url[600];
	struct lldp_info li;
	struct pdu p;

	(void)state;
	/* RFC 8520 §10: text after a space is reserved and ignored. */
	head(&p);
	mud(&p, URL " future-use");
	end(&p);
	assert_int_equal(parse(&p, &li), 0);
	assert_string_equal(li.mud_url, URL);
	assert_true(li.flags & LLDP_HAS_MUD_URL);

	/* Exactly 255 octets is a URL; 256 is not, whatever follows the space. */
	snprintf(url, sizeof(url), "https://m.example/");
	memset(url + 18, 'a', 255 - 18);
	url[255] = '\0';
	head(&p);
	mud(&p, url);
	end(&p);
	assert_int_equal(parse(&p, &li), 0);
	assert_int_equal(strlen(li.mud_url), 255);
	memcpy(url + 240, " reserved text up to here", 26);
	head(&p);
	mud(&p, url);
	end(&p);
	assert_int_equal(parse(&p, &li), 0);
	assert_int_equal(
		li.flags & (LLDP_HAS_MUD_URL | LLDP_MUD_URL_REJECTED), LLDP_MUD_URL_REJECTED);
	assert_string_equal(li.mud_url_error, "MUD URL longer than 255 octets");
	assert_string_equal(li.mud_url, "");

	/* The TLV of another OUI or subtype is not a MUD URL. */
	head(&p);
	org(&p, other, 1, URL, strlen(URL));
	org(&p, iana, 2, URL, strlen(URL));
	end(&p);
	assert_int_equal(parse(&p, &li), 0);
	assert_int_equal(li.flags & (LLDP_HAS_MUD_URL | LLDP_MUD_URL_REJECTED), 0);

	/* A TLV of 9-bit length (over 255) in front of it must be skipped exactly. */
	memset(url, 'z', 400);
	head(&p);
	org(&p, other, 9, url, 400);
	mud(&p, URL);
	end(&p);
	assert_int_equal(parse(&p, &li), 0);
	assert_string_equal(li.mud_url, URL);
}

static void test_mud_url_refused(void **state)
{
	static const struct {
		const char *url;
		size_t len;
		const char *why;
	} bad[] = {
		{"http://mud.example.test/cam.json", 32, "not an https URL"},
		{"", 0, "empty MUD URL"},
		{" " URL, 34, "not an https URL"},
		{"https://mud.example.test/\x01.json", 31, "not an https URL"},
		{"https://mud.example.test/\0.json", 31, "NUL byte"},
		{"https://mud.example.test/#top", 29, "not an https URL"},
		{"https://", 8, "not an https URL"},
	};
	struct lldp_info li;
	struct pdu p;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		head(&p);
		org(&p, iana, 1, bad[i].url, bad[i].len);
		end(&p);
		assert_int_equal(parse(&p, &li), 0);
		assert_int_equal(li.flags, LLDP_HAS_CHASSIS_MAC | LLDP_MUD_URL_REJECTED);
		assert_string_equal(li.mud_url, "");
		if (!li.mud_url_error || !strstr(li.mud_url_error, bad[i].why))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i,
				li.mud_url_error ? li.mud_url_error : "(null)", bad[i].why);
	}
	/* Two MUD URL TLVs: neither is used, even when both are good. */
	head(&p);
	mud(&p, URL);
	mud(&p, URL);
	end(&p);
	assert_int_equal(parse(&p, &li), 0);
	assert_int_equal(
		li.flags & (LLDP_HAS_MUD_URL | LLDP_MUD_URL_REJECTED), LLDP_MUD_URL_REJECTED);
	assert_string_equal(li.mud_url_error, "more than one MUD URL TLV");
	/* ...also when the first was bad and the second good. */
	head(&p);
	mud(&p, "http://x.example/");
	mud(&p, URL);
	end(&p);
	assert_int_equal(parse(&p, &li), 0);
	assert_int_equal(li.flags & LLDP_HAS_MUD_URL, 0);
}

static void test_ids(void **state)
{
	uint8_t id[9] = {7, 's', 'w', 'i', 't', 'c', 'h', '-', '1'};
	uint8_t eui[9] = {4, 1, 2, 3, 4, 5, 6, 7, 8};
	struct lldp_info li;
	struct pdu p;

	(void)state;
	/* A locally assigned chassis ID is kept as bytes, no MAC. */
	p.len = 0;
	tlv(&p, 1, id, sizeof(id));
	port_name(&p);
	ttl(&p, 0); /* shutdown LLDPDU */
	end(&p);
	assert_int_equal(parse(&p, &li), 0);
	assert_int_equal(li.flags, 0);
	assert_int_equal(li.chassis_subtype, 7);
	assert_int_equal(li.chassis_id_len, 8);
	assert_memory_equal(li.chassis_id, "switch-1", 8);
	assert_int_equal(li.ttl, 0);
	/* Subtype 4 with 8 octets is no MAC-48. */
	p.len = 0;
	tlv(&p, 1, eui, sizeof(eui));
	port_name(&p);
	ttl(&p, 120);
	end(&p);
	assert_int_equal(parse(&p, &li), 0);
	assert_int_equal(li.flags & LLDP_HAS_CHASSIS_MAC, 0);
	/* A non-printable System Name is not kept; the PDU still is. */
	head(&p);
	tlv(&p, 5, "cam\x1b[2J", 7);
	end(&p);
	assert_int_equal(parse(&p, &li), 0);
	assert_int_equal(li.flags & LLDP_HAS_SYSNAME, 0);
	/* Bytes after End are padding. */
	head(&p);
	end(&p);
	memset(p.b + p.len, 0xff, 10);
	p.len += 10;
	assert_int_equal(parse(&p, &li), 0);
}

static void test_rejections(void **state)
{
	uint8_t big[300] = {0};
	struct lldp_info li;
	struct pdu p;
	size_t i = 0;

	(void)state;
#define BAD(why)                                                                \
	do {                                                                    \
		memset(&li, 0xa5, sizeof(li));                                  \
		assert_int_equal(parse(&p, &li), -EINVAL);                      \
		if (!strstr(err, why))                                          \
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, why); \
		assert_int_equal(li.flags, 0);                                  \
		i++;                                                            \
	} while (0)

	p.len = 0;
	BAD("empty LLDPDU");
	p.len = 0; /* Port ID first */
	port_name(&p);
	chassis_mac(&p);
	ttl(&p, 120);
	end(&p);
	BAD("TLV 1 is type 2, Chassis ID TLV expected");
	p.len = 0; /* TTL missing */
	chassis_mac(&p);
	port_name(&p);
	end(&p);
	BAD("TLV 3 is type 0, TTL TLV expected");
	p.len = 0;
	chassis_mac(&p);
	port_name(&p);
	BAD("without Chassis ID, Port ID and TTL");
	p.len = 0;
	chassis_mac(&p);
	port_name(&p);
	tlv(&p, 3, "\x00\x78\x00", 3);
	end(&p);
	BAD("TTL TLV of 3 octets");
	head(&p);
	chassis_mac(&p);
	end(&p);
	BAD("repeated Chassis ID");
	head(&p);
	port_name(&p);
	end(&p);
	BAD("repeated Port ID");
	head(&p);
	ttl(&p, 5);
	end(&p);
	BAD("repeated TTL");
	p.len = 0;
	tlv(&p, 1, "\x00\x01", 2);
	port_name(&p);
	ttl(&p, 120);
	end(&p);
	BAD("reserved subtype 0");
	p.len = 0;
	tlv(&p, 1, "\x08\x01", 2);
	port_name(&p);
	ttl(&p, 120);
	end(&p);
	BAD("reserved subtype 8");
	p.len = 0;
	tlv(&p, 1, "\x04", 1);
	port_name(&p);
	ttl(&p, 120);
	end(&p);
	BAD("Chassis ID TLV of 1 octets");
	p.len = 0;
	big[0] = 7;
	tlv(&p, 1, big, 257);
	port_name(&p);
	ttl(&p, 120);
	end(&p);
	BAD("Chassis ID TLV of 257 octets");
	p.len = 0;
	chassis_mac(&p);
	tlv(&p, 2, "\x09x", 2);
	ttl(&p, 120);
	end(&p);
	BAD("Port ID TLV has reserved subtype 9");
	head(&p);
	tlv(&p, 0, "x", 1);
	BAD("End TLV with length 1");
	head(&p);
	tlv(&p, 127, "\x00\x00\x5e", 3);
	end(&p);
	BAD("organizationally specific TLV of 3 octets");
	head(&p);
	tlv(&p, 5, big, 256);
	end(&p);
	BAD("System Name TLV of 256 octets");
	head(&p);
	tlv(&p, 4, big, 300);
	end(&p);
	BAD("TLV type 4 of 300 octets");
	head(&p);
	tlv(&p, 7, "\x00\x80\x00", 3);
	end(&p);
	BAD("System Capabilities TLV of 3 octets");
	head(&p);
	tlv(&p, 8, big, 8);
	end(&p);
	BAD("Management Address TLV of 8 octets");
	head(&p);
	BAD("no End TLV");
	head(&p);
	p.b[p.len++] = 0x00; /* half a TLV header */
	BAD("truncated TLV header");
	head(&p);
	p.b[p.len++] = 0x0a; /* type 5 */
	p.b[p.len++] = 0x10; /* 16 octets, 2 present */
	p.b[p.len++] = 'a';
	p.b[p.len++] = 'b';
	BAD("runs past the end");
	p.len = 9001;
	BAD("LLDPDU of 9001 octets");
#undef BAD
	assert_int_equal(lldp_parse(NULL, 0, &li, NULL, 0), -EINVAL);
}

/* No prefix of a valid PDU is accepted: the End TLV is required. */
static void test_truncation(void **state)
{
	struct lldp_info li;
	struct pdu p;

	(void)state;
	full(&p);
	for (size_t n = 0; n < p.len; n++)
		if (parse_n(p.b, n, &li) != -EINVAL || li.flags != 0)
			fail_msg("prefix of %zu octets accepted", n);
	assert_int_equal(parse_n(p.b, p.len, &li), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_frame),
		cmocka_unit_test(test_mud_url),
		cmocka_unit_test(test_mud_url_refused),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
