/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the DHCPv4 and DHCPv6 message parsers: options, relays, every rejection rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "observe/dhcp.h"
#include "observe/dhcp6.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mud/mud_parse.h"

#define URL  "https://mud.example.test/cam.json"
#define URL6 "https://mud.example.test/cam6.json"

static const uint8_t dev_mac[6] = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01};
static const uint8_t relay_mac[6] = {0x52, 0x54, 0x00, 0x99, 0x00, 0x07};
static char err[256];

struct msg {
	uint8_t b[DHCP4_MAX + 64]; /* room for an over-long message */
	size_t len;
};

static void put(struct msg *m, const void *v, size_t len)
{
	assert_true(m->len + len <= sizeof(m->b));
	memcpy(m->b + m->len, v, len);
	m->len += len;
}

static void put8(struct msg *m, uint8_t v)
{
	put(m, &v, 1);
}

static void put16(struct msg *m, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	put(m, b, 2);
}

/* ---- DHCPv4 ---- */

/* The BOOTP header and magic cookie of a client's request. */
static void v4_head(struct msg *m)
{
	memset(m, 0, sizeof(*m));
	m->b[0] = DHCP4_BOOTREQUEST;
	m->b[1] = 1;
	m->b[2] = 6;
	m->b[4] = 0xde;
	m->b[5] = 0xad;
	m->b[6] = 0xbe;
	m->b[7] = 0xef;
	m->b[10] = 0x80; /* broadcast */
	memcpy(m->b + 28, dev_mac, 6);
	memcpy(m->b + 236, "\x63\x82\x53\x63", 4);
	m->len = 240;
}

static void opt(struct msg *m, uint8_t code, const void *v, size_t len)
{
	assert_true(len <= 255);
	put8(m, code);
	put8(m, (uint8_t)len);
	put(m, v, len);
}

static void opt_str(struct msg *m, uint8_t code, const char *s)
{
	opt(m, code, s, strlen(s));
}

static const uint8_t prl[] = {1, 3, 6, 12, 15, 28, 42, 161};

/* A DISCOVER as udhcpc sends it with a MUD URL; ends exactly at End. */
static void v4_full(struct msg *m)
{
	uint8_t cid[7] = {1};

	memcpy(cid + 1, dev_mac, 6);
	v4_head(m);
	opt(m, 53, "\x01", 1);
	opt(m, 61, cid, 7);
	opt(m, 57, "\x05\xdc", 2);
	opt(m, 50, "\xc0\xa8\x32\x0a", 4);
	put8(m, 0); /* a Pad in between */
	opt_str(m, 12, "cam-1");
	opt_str(m, 60, "udhcp 1.36.1");
	opt(m, 55, prl, sizeof(prl));
	opt_str(m, 161, URL);
	put8(m, 255);
}

static int v4_parse_n(const uint8_t *b, size_t len, struct dhcp4_info *d)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, b, len);
	ret = dhcp4_parse(copy, len, d, err, sizeof(err));
	free(copy);
	return ret;
}

static int v4_parse(const struct msg *m, struct dhcp4_info *d)
{
	return v4_parse_n(m->b, m->len, d);
}

static void test_v4_full(void **state)
{
	struct dhcp4_info d;
	struct in_addr want;
	char out[HG_URL_MAX], list[64];
	struct msg m;

	(void)state;

	v4_full(&m);
	assert_int_equal(v4_parse(&m, &d), 0);
	assert_int_equal(d.flags,
		DHCP4_HAS_CHADDR | DHCP4_HAS_MSG_TYPE | DHCP4_HAS_HOSTNAME |
			DHCP4_HAS_VENDOR_CLASS | DHCP4_HAS_PRL | DHCP4_HAS_CLIENT_ID |
			DHCP4_HAS_MAX_MSG_SIZE | DHCP4_HAS_MUD_URL | DHCP4_HAS_REQUESTED_IP);
	assert_int_equal(d.op, DHCP4_BOOTREQUEST);
	assert_int_equal(d.xid, 0xdeadbeef);
	assert_int_equal(d.bootp_flags, 0x8000);
	assert_memory_equal(d.chaddr.b, dev_mac, 6);
	assert_int_equal(d.msg_type, DHCP4_DISCOVER);
	assert_int_equal(d.max_msg_size, 1500);
	inet_pton(AF_INET, "192.168.50.10", &want);
	assert_memory_equal(&d.requested_ip, &want, 4);
	assert_string_equal(d.hostname, "cam-1");
	assert_string_equal(d.vendor_class, "udhcp 1.36.1");
	assert_int_equal(d.prl_len, sizeof(prl));
	assert_memory_equal(d.prl, prl, sizeof(prl));
	assert_int_equal(d.client_id_len, 7);
	assert_int_equal(d.client_id[0], 1);
	assert_memory_equal(d.client_id + 1, dev_mac, 6);
	assert_string_equal(d.mud_url, URL);
	assert_int_equal(mud_url_intake(d.mud_url, out, sizeof(out)), 0);
	assert_int_equal(dhcp4_prl_format(&d, list, sizeof(list)), 21);
	assert_string_equal(list, "1,3,6,12,15,28,42,161");
	assert_int_equal(dhcp4_prl_format(&d, list, 6), 21);
	assert_string_equal(list, "1,3,6");
	/* the client's option order, Pad and End left out */
	assert_int_equal(dhcp4_order_format(&d, list, sizeof(list)), 24);
	assert_string_equal(list, "53,61,57,50,12,60,55,161");

	/* Padding after End (BOOTP's 300-octet minimum) is fine. */
	memset(m.b + m.len, 0, 60);
	m.len += 60;
	assert_int_equal(v4_parse(&m, &d), 0);
	assert_string_equal(d.mud_url, URL);
}

static void test_v4_ack(void **state)
{
	struct dhcp4_info d;
	struct msg m;

	(void)state;
	v4_head(&m);
	m.b[0] = DHCP4_BOOTREPLY;
	memcpy(m.b + 16, "\xc0\xa8\x32\x0a", 4);
	opt(&m, 53, "\x05", 1);
	opt(&m, 54, "\xc0\xa8\x32\x01", 4);
	opt(&m, 51, "\x00\x00\x0e\x10", 4);
	put8(&m, 255);
	assert_int_equal(v4_parse(&m, &d), 0);
	assert_int_equal(d.msg_type, DHCP4_ACK);
	assert_int_equal(d.lease_time, 3600);
	assert_int_equal(ntohl(d.yiaddr.s_addr), 0xc0a8320a);
	assert_int_equal(ntohl(d.server_id.s_addr), 0xc0a83201);
	assert_int_equal(d.flags,
		DHCP4_HAS_CHADDR | DHCP4_HAS_MSG_TYPE | DHCP4_HAS_SERVER_ID | DHCP4_HAS_LEASE_TIME);
	/* chaddr only for Ethernet, unicast */
	m.b[1] = 6;
	assert_int_equal(v4_parse(&m, &d), 0);
	assert_int_equal(d.flags & DHCP4_HAS_CHADDR, 0);
	m.b[1] = 1;
	m.b[28] = 0x01;
	assert_int_equal(v4_parse(&m, &d), 0);
	assert_int_equal(d.flags & DHCP4_HAS_CHADDR, 0);
}

static void test_v4_concat_overload(void **state)
{
	struct dhcp4_info d;
	struct msg m;

	(void)state;
	/* RFC 3396: the pieces of a split option are joined in order. */
	v4_head(&m);
	opt_str(&m, 161, "https://mud.exa");
	opt(&m, 53, "\x03", 1);
	opt_str(&m, 161, "mple.test/");
	opt_str(&m, 161, "cam.json");
	put8(&m, 255);
	assert_int_equal(v4_parse(&m, &d), 0);
	assert_string_equal(d.mud_url, URL);

	/* Option overload 3: options, then file, then sname, each its own area. */
	v4_head(&m);
	opt(&m, 52, "\x03", 1);
	opt_str(&m, 161, "https://mud.");
	put8(&m, 255);
	memcpy(m.b + 108,
		"\x0c\x05"
		"cam-1"
		"\xa1\x08"
		"example."
		"\xff",
		18); /* file */
	memcpy(m.b + 44,
		"\xa1\x0d"
		"test/cam.json"
		"\xff",
		16); /* sname */
	assert_int_equal(v4_parse(&m, &d), 0);
	assert_string_equal(d.mud_url, URL);
	assert_string_equal(d.hostname, "cam-1");
	/* Overload 1: the sname field is a server name, not options. */
	m.b[242] = 1;
	assert_int_equal(v4_parse(&m, &d), 0);
	assert_string_equal(d.mud_url, "https://mud.example.");
	/* Overload 2: only sname. */
	m.b[242] = 2;
	assert_int_equal(v4_parse(&m, &d), 0);
	assert_string_equal(d.mud_url, "https://mud.test/cam.json");
	assert_int_equal(d.flags & DHCP4_HAS_HOSTNAME, 0);
	/* A full file field without End is fine: it has a fixed size. */
	v4_head(&m);
	opt(&m, 52, "\x01", 1);
	put8(&m, 255);
	memset(m.b + 108, 0, 128);
	m.b[108] = 12;
	m.b[109] = 126;
	memset(m.b + 110, 'h', 126);
	assert_int_equal(v4_parse(&m, &d), 0);
	assert_int_equal(strlen(d.hostname), 126);
}

static void test_v4_text_options(void **state)
{
	char piece[200], out[HG_URL_MAX];
	struct dhcp4_info d;
	struct msg m;

	(void)state;
	/* 161 of exactly 255 octets is kept; concatenated beyond 255 it is refused, and the
	 * message is not. */
	memset(piece, 'a', sizeof(piece));
	memcpy(piece, "https://m.example/", 18);
	v4_head(&m);
	opt(&m, 161, piece, 200);
	opt(&m, 161, piece + 18, 55);
	put8(&m, 255);
	assert_int_equal(v4_parse(&m, &d), 0);
	assert_int_equal(strlen(d.mud_url), 255);
	assert_int_equal(mud_url_intake(d.mud_url, out, sizeof(out)), 0);
	v4_head(&m);
	opt(&m, 53, "\x01", 1);
	opt(&m, 161, piece, 200);
	opt(&m, 161, piece + 18, 56);
	put8(&m, 255);
	assert_int_equal(v4_parse(&m, &d), 0);
	assert_int_equal(d.flags, DHCP4_HAS_CHADDR | DHCP4_HAS_MSG_TYPE | DHCP4_BAD_MUD_URL);
	assert_string_equal(d.mud_url, "");

	/* Non-printable or empty text options are flagged, not kept. */
	v4_head(&m);
	opt_str(&m, 12, "cam\n1");
	opt(&m, 60, "MSFT\0 5.0", 9);
	opt(&m, 161, URL "\x7f", strlen(URL) + 1);
	put8(&m, 255);
	assert_int_equal(v4_parse(&m, &d), 0);
	assert_int_equal(d.flags,
		DHCP4_HAS_CHADDR | DHCP4_BAD_HOSTNAME | DHCP4_BAD_VENDOR_CLASS | DHCP4_BAD_MUD_URL);
	v4_head(&m);
	opt(&m, 161, "", 0);
	put8(&m, 255);
	assert_int_equal(v4_parse(&m, &d), 0);
	assert_int_equal(d.flags & (DHCP4_HAS_MUD_URL | DHCP4_BAD_MUD_URL), DHCP4_BAD_MUD_URL);

	/* Raw: an http URL or reserved text after a space is the caller's to judge (AC-09). */
	v4_head(&m);
	opt_str(&m, 161, "http://mud.example.test/cam.json");
	put8(&m, 255);
	assert_int_equal(v4_parse(&m, &d), 0);
	assert_string_equal(d.mud_url, "http://mud.example.test/cam.json");
	assert_int_equal(mud_url_intake(d.mud_url, out, sizeof(out)), -EINVAL);
	v4_head(&m);
	opt_str(&m, 161, URL " reserved");
	put8(&m, 255);
	assert_int_equal(v4_parse(&m, &d), 0);
	assert_string_equal(d.mud_url, URL " reserved");
	assert_int_equal(mud_url_intake(d.mud_url, out, sizeof(out)), 0);
	assert_string_equal(out, URL);
}

static void test_v4_rejections(void **state)
{
	uint8_t big[200] = {0};
	struct dhcp4_info d;
	struct msg m;
	size_t i = 0;

	(void)state;
#define BAD(why)                                                                \
	do {                                                                    \
		memset(&d, 0xa5, sizeof(d));                                    \
		assert_int_equal(v4_parse(&m, &d), -EINVAL);                    \
		if (!strstr(err, why))                                          \
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, why); \
		assert_int_equal(d.flags, 0);                                   \
		i++;                                                            \
	} while (0)
#define WITH(...)              \
	do {                   \
		v4_head(&m);   \
		__VA_ARGS__;   \
		put8(&m, 255); \
	} while (0)

	v4_head(&m);
	m.len = 239;
	BAD("shorter than the DHCP header");
	WITH(m.b[0] = 3);
	BAD("op 3 is neither");
	WITH(m.b[2] = 17);
	BAD("hlen 17 is over 16");
	WITH(m.b[239] = 0x64);
	BAD("no DHCP magic cookie");
	v4_head(&m);
	opt(&m, 53, "\x01", 1);
	BAD("options not ended by End");
	v4_head(&m);
	BAD("options not ended by End");
	v4_head(&m);
	put8(&m, 12);
	BAD("option 12 in options: length octet missing");
	v4_head(&m);
	put8(&m, 12);
	put8(&m, 10);
	put(&m, "abc", 3);
	BAD("option 12 of 10 octets runs past the end of options");
	WITH(opt(&m, 53, "\x01\x01", 2));
	BAD("option 53 of 2 octets, not 1");
	WITH(opt(&m, 53, "\x01", 1); opt(&m, 53, "\x03", 1));
	BAD("option 53 of 2 octets, not 1");
	WITH(opt(&m, 53, "\x00", 1));
	BAD("message type 0");
	WITH(opt(&m, 50, "\x0a\x00\x00", 3));
	BAD("option 50 of 3 octets, not 4");
	WITH(opt(&m, 54, "\x0a\x00\x00\x01\x02", 5));
	BAD("option 54 of 5 octets, not 4");
	WITH(opt(&m, 51, "", 0));
	BAD("option 51 of 0 octets, not 4");
	WITH(opt(&m, 57, "\x02", 1));
	BAD("option 57 of 1 octets, not 2");
	WITH(opt(&m, 57, "\x02\x3f", 2));
	BAD("maximum message size 575 is under 576");
	WITH(opt(&m, 61, "\x01", 1));
	BAD("client identifier not of 2..255");
	WITH(opt(&m, 61, big, 200); opt(&m, 61, big, 56));
	BAD("client identifier not of 2..255");
	WITH(opt(&m, 55, big, 200); opt(&m, 55, big, 56));
	BAD("parameter request list over 255");
	WITH(opt(&m, 52, "\x04", 1));
	BAD("option overload is not 1, 2 or 3");
	WITH(opt(&m, 52, "\x01\x01", 2));
	BAD("option overload is not 1, 2 or 3");
	WITH(opt(&m, 52, "\x01", 1); opt(&m, 52, "\x01", 1));
	BAD("repeated option overload");
	WITH(opt(&m, 52, "\x01", 1); memcpy(m.b + 108, "\x34\x01\x02\xff", 4));
	BAD("option overload inside the file field");
	WITH(opt(&m, 52, "\x02", 1); memcpy(m.b + 44 + 60, "\x0c\x05xy", 4));
	BAD("option 12 of 5 octets runs past the end of sname");
	WITH(opt(&m, 52, "\x01", 1); m.b[108 + 127] = 60);
	BAD("option 60 in file: length octet missing");
	v4_head(&m);
	m.len = DHCP4_MAX + 1;
	BAD("message of 65508 octets");
#undef WITH
#undef BAD
	assert_int_equal(dhcp4_parse(NULL, 0, &d, NULL, 0), -EINVAL);
}

/* No prefix of a valid message is accepted: the options must end with End. */
static void test_v4_truncation(void **state)
{
	struct dhcp4_info d;
	struct msg m;

	(void)state;
	v4_full(&m);
	for (size_t n = 0; n < m.len; n++)
		if (v4_parse_n(m.b, n, &d) != -EINVAL || d.flags != 0)
			fail_msg("prefix of %zu octets accepted", n);
	assert_int_equal(v4_parse_n(m.b, m.len, &d), 0);
}

/* ---- DHCPv6 ---- */

static void opt6(struct msg *m, uint16_t code, const void *v, size_t len)
{
	put16(m, code);
	put16(m, (uint16_t)len);
	put(m, v, len);
}

static void duid_llt(struct msg *m, const uint8_t mac[6])
{
	uint8_t d[14] = {0, 1, 0, 1, 0x2a, 0x2b, 0x2c, 0x2d};

	memcpy(d + 8, mac, 6);
	opt6(m, 1, d, sizeof(d));
}

static const uint16_t oro[] = {23, 24, 39, 112};
static const uint8_t fqdn_wire[] = "\x01\x05"
				   "cam-1\x07"
				   "example\x04"
				   "test"; /* N=0 S=1, root label from the literal's NUL */

/* A SOLICIT as dhcpcd sends it with a MUD URL. */
static void v6_solicit(struct msg *m)
{
	uint8_t vc[4 + 2 + 9 + 2 + 5] = {0, 0, 0x01, 0x37, 0, 9};
	uint8_t o[sizeof(oro)];

	memset(m, 0, sizeof(*m));
	put8(m, DHCP6_SOLICIT);
	put(m, "\x12\x34\x56", 3);
	duid_llt(m, dev_mac);
	opt6(m, 8, "\x00\x00", 2); /* elapsed time: not kept */
	for (size_t i = 0; i < ARRAY_SIZE(oro); i++) {
		o[2 * i] = (uint8_t)(oro[i] >> 8);
		o[2 * i + 1] = (uint8_t)oro[i];
	}
	opt6(m, 6, o, sizeof(o));
	memcpy(vc + 6, "dhcpcd-10", 9);
	vc[15] = 0;
	vc[16] = 5;
	memcpy(vc + 17, "Linux", 5);
	opt6(m, 16, vc, sizeof(vc));
	opt6(m, 39, fqdn_wire, sizeof(fqdn_wire));
	opt6(m, 112, URL6, strlen(URL6));
}

/* Wraps the message in a Relay-Forward, with a Client Link-Layer Address option when lladdr. */
static void relay(struct msg *m, const uint8_t *lladdr)
{
	struct msg inner = *m;
	uint8_t addrs[32] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1, [16] = 0xfe, 0x80, [31] = 0x42};

	memset(m, 0, sizeof(*m));
	put8(m, DHCP6_RELAY_FORW);
	put8(m, 0);
	put(m, addrs, 32);
	if (lladdr) {
		uint8_t ll[8] = {0, 1};

		memcpy(ll + 2, lladdr, 6);
		opt6(m, 79, ll, 8);
	}
	opt6(m, 18, "eth1", 4); /* Interface-ID */
	opt6(m, 9, inner.b, inner.len);
}

static int v6_parse_n(const uint8_t *b, size_t len, struct dhcp6_info *d)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, b, len);
	ret = dhcp6_parse(copy, len, d, err, sizeof(err));
	free(copy);
	return ret;
}

static int v6_parse(const struct msg *m, struct dhcp6_info *d)
{
	return v6_parse_n(m->b, m->len, d);
}

static void test_v6_solicit(void **state)
{
	struct dhcp6_info d;
	struct msg m;
	char out[HG_URL_MAX];

	(void)state;
	v6_solicit(&m);
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.flags,
		DHCP6_HAS_CLIENT_ID | DHCP6_HAS_MAC | DHCP6_HAS_ORO | DHCP6_HAS_VENDOR_CLASS |
			DHCP6_HAS_FQDN | DHCP6_HAS_MUD_URL);
	assert_int_equal(d.msg_type, DHCP6_SOLICIT);
	assert_int_equal(d.xid, 0x123456);
	assert_int_equal(d.relay_depth, 0);
	assert_int_equal(d.duid_len, 14);
	assert_int_equal(d.mac_source, DHCP6_MAC_DUID_LLT);
	assert_memory_equal(d.mac.b, dev_mac, 6);
	assert_int_equal(d.oro_len, ARRAY_SIZE(oro));
	for (size_t i = 0; i < ARRAY_SIZE(oro); i++)
		assert_int_equal(d.oro[i], oro[i]);
	assert_int_equal(d.vendor_enterprise, 311);
	assert_string_equal(d.vendor_class, "dhcpcd-10 Linux");
	assert_int_equal(d.fqdn_flags, 1);
	assert_string_equal(d.fqdn, "cam-1.example.test");
	assert_string_equal(d.mud_url, URL6);
	assert_int_equal(mud_url_intake(d.mud_url, out, sizeof(out)), 0);
}

static void test_v6_duids(void **state)
{
	uint8_t ll[10] = {0, 3, 0, 1};
	uint8_t en[12] = {0, 2, 0, 0, 0x01, 0x37, 1, 2, 3, 4, 5, 6};
	uint8_t uuid[18] = {0, 4};
	uint8_t llt_ieee802[14] = {0, 1, 0, 6, 1, 2, 3, 4};
	struct dhcp6_info d;
	struct msg m;

	(void)state;
	memcpy(ll + 4, dev_mac, 6);
	memcpy(llt_ieee802 + 8, dev_mac, 6);
	memset(&m, 0, sizeof(m));
	put(&m, "\x0b\x00\x00\x01", 4); /* Information-request */
	opt6(&m, 1, ll, sizeof(ll));
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.mac_source, DHCP6_MAC_DUID_LL);
	assert_memory_equal(d.mac.b, dev_mac, 6);
	assert_int_equal(d.flags, DHCP6_HAS_CLIENT_ID | DHCP6_HAS_MAC);
	/* DUID-EN, DUID-UUID and a DUID-LLT of another hardware type give no MAC. */
	m.len = 4;
	opt6(&m, 1, en, sizeof(en));
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.flags, DHCP6_HAS_CLIENT_ID);
	assert_int_equal(d.duid_len, sizeof(en));
	m.len = 4;
	opt6(&m, 1, uuid, sizeof(uuid));
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.flags, DHCP6_HAS_CLIENT_ID);
	m.len = 4;
	opt6(&m, 1, llt_ieee802, sizeof(llt_ieee802));
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.mac_source, DHCP6_MAC_NONE);
	/* An empty message (header only) is valid. */
	m.len = 4;
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.flags, 0);
	assert_int_equal(d.msg_type, DHCP6_INFORMATION_REQUEST);
}

static void test_v6_relay(void **state)
{
	static const uint8_t other[6] = {0x52, 0x54, 0x00, 0x11, 0x22, 0x33};
	struct dhcp6_info d;
	struct in6_addr peer;
	struct msg m;

	(void)state;
	/* The first-hop relay's option 79 beats the DUID. */
	v6_solicit(&m);
	relay(&m, other);
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.msg_type, DHCP6_SOLICIT);
	assert_int_equal(d.relay_depth, 1);
	assert_int_equal(d.mac_source, DHCP6_MAC_RELAY_LLADDR);
	assert_memory_equal(d.mac.b, other, 6);
	inet_pton(AF_INET6, "fe80::42", &peer);
	assert_memory_equal(&d.peer_addr, &peer, 16);
	assert_string_equal(d.mud_url, URL6);
	assert_true(d.flags & DHCP6_HAS_RELAY);
	/* Option 79 of an outer relay names the inner relay, not the client. */
	v6_solicit(&m);
	relay(&m, NULL);
	relay(&m, relay_mac);
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.relay_depth, 2);
	assert_int_equal(d.mac_source, DHCP6_MAC_DUID_LLT);
	assert_memory_equal(d.mac.b, dev_mac, 6);
	v6_solicit(&m);
	relay(&m, other);
	relay(&m, relay_mac);
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_memory_equal(d.mac.b, other, 6);
	/* Eight relays deep is the limit. */
	v6_solicit(&m);
	for (int i = 0; i < DHCP6_RELAY_MAX; i++)
		relay(&m, NULL);
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.relay_depth, DHCP6_RELAY_MAX);
	relay(&m, NULL);
	assert_int_equal(v6_parse(&m, &d), -EINVAL);
	assert_non_null(strstr(err, "nested deeper than 8"));
	/* A Relay-Reply is unwrapped the same way. */
	v6_solicit(&m);
	relay(&m, NULL);
	m.b[0] = DHCP6_RELAY_REPL;
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.relay_depth, 1);
}

static void test_v6_bad_values(void **state)
{
	uint8_t big[300];
	struct dhcp6_info d;
	struct msg m;

	(void)state;
	memset(big, 'a', sizeof(big));
	memcpy(big, "https://m.example/", 18);
#define MSG(...)                                \
	do {                                    \
		memset(&m, 0, sizeof(m));       \
		put(&m, "\x01\x00\x00\x01", 4); \
		__VA_ARGS__;                    \
	} while (0)
	MSG(opt6(&m, 112, big, 255));
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.flags, DHCP6_HAS_MUD_URL);
	assert_int_equal(strlen(d.mud_url), 255);
	MSG(opt6(&m, 112, big, 256));
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.flags, DHCP6_BAD_MUD_URL);
	assert_string_equal(d.mud_url, "");
	MSG(opt6(&m, 112, "https://a.example/\x00", 19));
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.flags, DHCP6_BAD_MUD_URL);
	MSG(opt6(&m, 112, "", 0));
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.flags, DHCP6_BAD_MUD_URL);
	/* Two 112 options: no URL, also when the second is the bad one. */
	MSG(opt6(&m, 112, URL6, strlen(URL6)); opt6(&m, 112, URL6, strlen(URL6)));
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.flags, DHCP6_BAD_MUD_URL);
	assert_string_equal(d.mud_url, "");
	MSG(opt6(&m, 112, "", 0); opt6(&m, 112, URL6, strlen(URL6)));
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.flags, DHCP6_BAD_MUD_URL);
	/* Raw: http is the caller's to refuse. */
	MSG(opt6(&m, 112, "http://a.example/x", 18));
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_string_equal(d.mud_url, "http://a.example/x");
	/* Vendor class: binary data flagged; the second option (another enterprise) ignored. */
	MSG(opt6(&m, 16, "\x00\x00\x00\x09\x00\x02\x01\x02", 8));
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.flags, DHCP6_BAD_VENDOR_CLASS);
	assert_int_equal(d.vendor_enterprise, 9);
	MSG(opt6(&m, 16, "\x00\x00\x00\x09\x00\x01x", 7);
		opt6(&m, 16, "\x00\x00\x00\x0a\x00\x01y", 7));
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.vendor_enterprise, 9);
	assert_string_equal(d.vendor_class, "x");
	MSG(opt6(&m, 16, "\x00\x00\x00\x09", 4));
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.flags, DHCP6_HAS_VENDOR_CLASS);
	assert_string_equal(d.vendor_class, "");
	/* FQDN: a label with a dot or a control character, or text over 255, is flagged. */
	MSG(opt6(&m, 39,
		"\x00\x03"
		"a.b",
		5));
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.flags, DHCP6_BAD_FQDN);
	MSG(opt6(&m, 39,
		"\x00\x03"
		"a\nb",
		5));
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.flags, DHCP6_BAD_FQDN);
	{
		uint8_t f[1 + 5 * 64] = {0};

		for (int i = 0; i < 5; i++) {
			f[1 + 64 * i] = 63;
			memset(f + 2 + 64 * i, 'x', 63);
		}
		MSG(opt6(&m, 39, f, sizeof(f)));
		assert_int_equal(v6_parse(&m, &d), 0);
		assert_int_equal(d.flags, DHCP6_BAD_FQDN);
		MSG(opt6(&m, 39, f, 1 + 4 * 64)); /* 4 labels: 255 characters */
		assert_int_equal(v6_parse(&m, &d), 0);
		assert_int_equal(d.flags, DHCP6_HAS_FQDN);
		assert_int_equal(strlen(d.fqdn), 255);
	}
	/* A flags octet alone: no name. */
	MSG(opt6(&m, 39, "\x04", 1));
	assert_int_equal(v6_parse(&m, &d), 0);
	assert_int_equal(d.flags, DHCP6_HAS_FQDN);
	assert_int_equal(d.fqdn_flags, 4);
	assert_string_equal(d.fqdn, "");
#undef MSG
}

static void test_v6_rejections(void **state)
{
	uint8_t big[300] = {0};
	struct dhcp6_info d;
	struct msg m;
	size_t i = 0;

	(void)state;
#define BAD(why)                                                                \
	do {                                                                    \
		memset(&d, 0xa5, sizeof(d));                                    \
		assert_int_equal(v6_parse(&m, &d), -EINVAL);                    \
		if (!strstr(err, why))                                          \
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, why); \
		assert_int_equal(d.flags, 0);                                   \
		i++;                                                            \
	} while (0)
#define MSG(...)                                \
	do {                                    \
		memset(&m, 0, sizeof(m));       \
		put(&m, "\x01\x00\x00\x01", 4); \
		__VA_ARGS__;                    \
	} while (0)

	memset(&m, 0, sizeof(m));
	BAD("empty message");
	put(&m, "\x00\x00\x00\x01", 4);
	BAD("msg-type 0");
	m.b[0] = 14;
	BAD("msg-type 14");
	m.len = 3;
	m.b[0] = 1;
	BAD("shorter than its header");
	MSG(put(&m, "\x00\x01\x00", 3));
	BAD("option header truncated at offset 4");
	MSG(put(&m, "\x00\x01\x00\x10\x00\x01", 6));
	BAD("option 1 of 16 octets runs past the end");
	MSG(duid_llt(&m, dev_mac); duid_llt(&m, dev_mac));
	BAD("repeated Client Identifier");
	MSG(opt6(&m, 1, "\x00\x03", 2));
	BAD("DUID of 2 octets");
	MSG(opt6(&m, 1, big, 131));
	BAD("DUID of 131 octets");
	MSG(opt6(&m, 1, "\x00\x04\x01", 3));
	BAD("DUID type 4 of 3 octets");
	MSG(opt6(&m, 1, "\x00\x01\x00\x01\x00\x00\x00\x00", 8));
	BAD("DUID type 1 of 8 octets");
	MSG(opt6(&m, 1, "\x00\x03\x00\x01", 4));
	BAD("DUID type 3 of 4 octets");
	MSG(opt6(&m, 6, "\x00\x17\x00", 3));
	BAD("Option Request option of odd length 3");
	MSG(opt6(&m, 6, big, 258));
	BAD("more than 128 codes");
	MSG(opt6(&m, 6, "\x00\x17", 2); opt6(&m, 6, "\x00\x18", 2));
	BAD("repeated Option Request");
	MSG(opt6(&m, 16, "\x00\x00\x01", 3));
	BAD("Vendor Class option of 3 octets");
	MSG(opt6(&m, 16, "\x00\x00\x00\x09\x00", 5));
	BAD("vendor-class-data length truncated");
	MSG(opt6(&m, 16,
		"\x00\x00\x00\x09\x00\x05"
		"ab",
		8));
	BAD("vendor-class-data item runs past the option");
	MSG(opt6(&m, 39, "", 0));
	BAD("empty Client FQDN");
	MSG(opt6(&m, 39,
		"\x08\x01"
		"a",
		3));
	BAD("reserved bits set");
	MSG(opt6(&m, 39, "\x00\xc0\x0c", 3));
	BAD("label of 192 octets (or compressed)");
	MSG(opt6(&m, 39,
		"\x00\x05"
		"abc",
		5));
	BAD("label runs past the option");
	MSG(opt6(&m, 39,
		"\x00\x01"
		"a\x00\x01"
		"b",
		6));
	BAD("data after the root");
	MSG(opt6(&m, 39, "\x00", 1); opt6(&m, 39, "\x00", 1));
	BAD("repeated Client FQDN");
	MSG(opt6(&m, 39, "\x00\x01.", 3); opt6(&m, 39, "\x00", 1));
	BAD("repeated Client FQDN");

	/* relays */
	memset(&m, 0, sizeof(m));
	put8(&m, DHCP6_RELAY_FORW);
	put(&m, big, 32);
	BAD("relay message of 33 octets, shorter than its header");
	put8(&m, 0);
	BAD("relay message without a Relay Message option");
	opt6(&m, 9, "\x01\x00\x00\x01", 4);
	opt6(&m, 9, "\x01\x00\x00\x02", 4);
	BAD("two Relay Message options");
	m.len = 34;
	opt6(&m, 79, "\x00\x01", 2);
	opt6(&m, 9, "\x01\x00\x00\x01", 4);
	BAD("Client Link-Layer Address option of 2 octets");
	m.len = 34;
	opt6(&m, 79, "\x00\x01\x52\x54\x00\x00\x00\x01", 8);
	opt6(&m, 79, "\x00\x01\x52\x54\x00\x00\x00\x01", 8);
	opt6(&m, 9, "\x01\x00\x00\x01", 4);
	BAD("repeated Client Link-Layer Address");
	m.len = 34;
	opt6(&m, 9, "\x01\x00\x00", 3);
	BAD("message of 3 octets, shorter than its header");
	m.len = 34;
	opt6(&m, 9, "", 0);
	BAD("empty message");
	m.len = 34;
	opt6(&m, 9, "\x01\x00\x00\x01\x00\x01", 6);
	BAD("option header truncated");
	m.len = DHCP6_MAX + 1;
	BAD("message of 65508 octets");
#undef MSG
#undef BAD
	assert_int_equal(dhcp6_parse(NULL, 0, &d, NULL, 0), -EINVAL);
}

/* Prefixes of a plain message are valid exactly at option boundaries (DHCPv6 has no End); no
 * prefix of a relayed one is. */
static void test_v6_truncation(void **state)
{
	bool boundary[sizeof(((struct msg *)0)->b)] = {false};
	struct dhcp6_info d;
	struct msg m;

	(void)state;
	v6_solicit(&m);
	boundary[4] = true;
	for (size_t off = 4; off < m.len; off += 4 + (size_t)(m.b[off + 2] << 8 | m.b[off + 3]))
		boundary[off + 4 + (size_t)(m.b[off + 2] << 8 | m.b[off + 3])] = true;
	for (size_t n = 0; n <= m.len; n++) {
		int ret = v6_parse_n(m.b, n, &d);

		if ((ret == 0) != boundary[n])
			fail_msg("prefix of %zu octets: %d (%s)", n, ret, err);
		if (ret == 0)
			assert_int_equal(!!(d.flags & DHCP6_HAS_MUD_URL), n == m.len);
	}
	relay(&m, dev_mac);
	for (size_t n = 0; n < m.len; n++)
		if (v6_parse_n(m.b, n, &d) != -EINVAL || d.flags != 0)
			fail_msg("relayed prefix of %zu octets accepted", n);
	assert_int_equal(v6_parse_n(m.b, m.len, &d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_full),
		cmocka_unit_test(test_v4_ack),
		cmocka_unit_test(test_v4_concat_overload),
		cmocka_unit_test(test_v4_text_options),
		cmocka_unit_test(test_v4_rejections),
		cmocka_unit_test(test_v4_truncation),
		cmocka_unit_test(test_v6_solicit),
		cmocka_unit_test(test_v6_duids),
		cmocka_unit_test(test_v6_relay),
		cmocka_unit_test(test_v6_bad_values),
		cmocka_unit_test(test_v6_rejections),
		cmocka_unit_test(test_v6_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
