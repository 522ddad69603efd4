/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the TLS ClientHello parser and its fingerprints: SNI, ALPN, JA3 and JA4. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "observe/tls.h"

#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Chrome's ClientHello as captured in the FoxIO JA4 test capture tls-sni.pcapng, frame 5
 * (randomised extension order as it was there): the JA4 published for it, and the JA3 that
 * both tshark and this parser compute for that frame. JA4.md uses the same lists as its
 * worked example. */
#define CHROME_JA4 "t13d1516h2_8daaf6152771_e5627efa2ab1"
#define CHROME_JA3                                                                               \
	"771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,27-0-" \
	"51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0"
#define CHROME_JA3_MD5 "c000e2caf3a25423f9de6c8a4b12a975"

static char err[256];

struct msg {
	uint8_t b[1 << 17];
	size_t len;
};

static void put(struct msg *m, const void *v, size_t len)
{
	assert_true(m->len + len <= sizeof(m->b));
	memcpy(m->b + m->len, v, len);
	m->len += len;
}

static void put8(struct msg *m, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(m, &b, 1);
}

static void put16(struct msg *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v);
}

/* A length field of width octets, filled in by close_len() with what was put after it. */
static size_t open_len(struct msg *m, size_t width)
{
	size_t at = m->len;

	for (size_t i = 0; i < width; i++)
		put8(m, 0);
	return at;
}

static void close_len(struct msg *m, size_t at, size_t width)
{
	size_t n = m->len - at - width;

	for (size_t i = 0; i < width; i++)
		m->b[at + i] = (uint8_t)(n >> (8 * (width - 1 - i)));
}

/* The parts of a ClientHello, opened in order and closed in reverse. */
struct hello {
	struct msg m;
	size_t rec, hs, exts, ext;
};

static void h_begin(struct hello *h, unsigned version, const uint16_t *cs, size_t ncs)
{
	memset(h, 0, sizeof(*h));
	put8(&h->m, 22);
	put16(&h->m, 0x0301);
	h->rec = open_len(&h->m, 2);
	put8(&h->m, 1);
	h->hs = open_len(&h->m, 3);
	put16(&h->m, version);
	for (int i = 0; i < 32; i++)
		put8(&h->m, 0x40 + i); /* random */
	put8(&h->m, 32);	       /* a legacy session id, as TLS 1.3 clients send */
	for (int i = 0; i < 32; i++)
		put8(&h->m, 0x90 + i);
	put16(&h->m, (unsigned)ncs * 2);
	for (size_t i = 0; i < ncs; i++)
		put16(&h->m, cs[i]);
	put8(&h->m, 1); /* compression: null */
	put8(&h->m, 0);
	h->exts = open_len(&h->m, 2);
}

static void ext_begin(struct hello *h, unsigned type)
{
	put16(&h->m, type);
	h->ext = open_len(&h->m, 2);
}

static void ext_end(struct hello *h)
{
	close_len(&h->m, h->ext, 2);
}

static void ext_raw(struct hello *h, unsigned type, const char *data, size_t len)
{
	ext_begin(h, type);
	put(&h->m, data, len);
	ext_end(h);
}

/* A list extension: a pfx-octet length, then 16-bit values. */
static void ext_list(struct hello *h, unsigned type, size_t pfx, const uint16_t *v, size_t n)
{
	size_t at;

	ext_begin(h, type);
	at = open_len(&h->m, pfx);
	for (size_t i = 0; i < n; i++)
		put16(&h->m, v[i]);
	close_len(&h->m, at, pfx);
	ext_end(h);
}

static void ext_sni(struct hello *h, const char *name)
{
	size_t list;

	ext_begin(h, 0x0000);
	list = open_len(&h->m, 2);
	put8(&h->m, 0);
	put16(&h->m, (unsigned)strlen(name));
	put(&h->m, name, strlen(name));
	close_len(&h->m, list, 2);
	ext_end(h);
}

/* ALPN with NUL-separated names in one string: "h2\0http/1.1" (n octets). */
static void ext_alpn(struct hello *h, const char *names, size_t n)
{
	size_t list;

	ext_begin(h, 0x0010);
	list = open_len(&h->m, 2);
	for (size_t i = 0; i < n;) {
		size_t k = strnlen(names + i, n - i);

		put8(&h->m, (unsigned)k);
		put(&h->m, names + i, k);
		i += k + 1;
	}
	close_len(&h->m, list, 2);
	ext_end(h);
}

static void h_end(struct hello *h)
{
	close_len(&h->m, h->exts, 2);
	close_len(&h->m, h->hs, 3);
	close_len(&h->m, h->rec, 2);
}

static const uint16_t chrome_ciphers[] = {0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c,
	0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
static const uint16_t chrome_sigs[] = {
	0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
static const uint16_t chrome_groups[] = {0x4a4a, 0x001d, 0x0017, 0x0018};
static const uint16_t chrome_versions[] = {0x3a3a, 0x0304, 0x0303};
static const uint16_t chrome_exts[] = {0x1a1a, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017,
	0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015, 0x5a5a};

/* Options for the variants of the Chrome hello. */
struct variant {
	const char *sni;       /* NULL: no server_name */
	const char *alpn;      /* NULL: no ALPN */
	size_t alpn_len;       /* octets of alpn */
	bool no_versions;      /* leave supported_versions out */
	size_t pad;	       /* octets of the padding extension */
	unsigned groups_twice; /* send supported_groups a second time */
};

static void chrome(struct hello *h, const struct variant *v)
{
	uint8_t share[32];
	size_t at;

	h_begin(h, 0x0303, chrome_ciphers, ARRAY_SIZE(chrome_ciphers));
	ext_raw(h, 0x1a1a, "", 0);
	ext_raw(h, 0x001b, "\x02\x00\x02", 3); /* compress_certificate: brotli */
	if (v->sni)
		ext_sni(h, v->sni);
	ext_begin(h, 0x0033); /* key_share: a GREASE share and x25519 */
	at = open_len(&h->m, 2);
	put16(&h->m, 0x4a4a);
	put16(&h->m, 1);
	put8(&h->m, 0);
	put16(&h->m, 0x001d);
	put16(&h->m, 32);
	memset(share, 0x5c, sizeof(share));
	put(&h->m, share, sizeof(share));
	close_len(&h->m, at, 2);
	ext_end(h);
	if (v->alpn)
		ext_alpn(h, v->alpn, v->alpn_len);
	ext_raw(h, 0x4469, "\x00\x03\x02h2", 5); /* application_settings */
	ext_raw(h, 0x0017, "", 0);		 /* extended_master_secret */
	ext_raw(h, 0x002d, "\x01\x01", 2);	 /* psk_key_exchange_modes */
	ext_list(h, 0x000d, 2, chrome_sigs, ARRAY_SIZE(chrome_sigs));
	ext_raw(h, 0x0005, "\x01\x00\x00\x00\x00", 5); /* status_request */
	ext_raw(h, 0x0023, "", 0);		       /* session_ticket */
	ext_raw(h, 0x0012, "", 0);		       /* signed_certificate_timestamp */
	if (!v->no_versions)
		ext_list(h, 0x002b, 1, chrome_versions, ARRAY_SIZE(chrome_versions));
	ext_raw(h, 0xff01, "\x00", 1); /* renegotiation_info */
	ext_raw(h, 0x000b, "\x01\x00", 2);
	ext_list(h, 0x000a, 2, chrome_groups, ARRAY_SIZE(chrome_groups));
	if (v->groups_twice)
		ext_list(h, 0x000a, 2, chrome_groups, ARRAY_SIZE(chrome_groups));
	ext_begin(h, 0x0015);
	for (size_t i = 0; i < v->pad; i++)
		put8(&h->m, 0);
	ext_end(h);
	ext_raw(h, 0x5a5a, "\x00", 1);
	h_end(h);
}

static const struct variant chrome_default = {
	.sni = "accounts.google.com", .alpn = "h2\0http/1.1", .alpn_len = 11, .pad = 200};

static int parse_n(const uint8_t *b, size_t len, struct tls_hello *out)
{
	uint8_t *copy = malloc(len ? len : 1); /* exactly len octets: ASan sees any overread */
	int ret;

	assert_non_null(copy);
	memcpy(copy, b, len);
	ret = tls_client_hello_parse(copy, len, out, err, sizeof(err));
	free(copy);
	return ret;
}

static int parse(const struct hello *h, struct tls_hello *out)
{
	return parse_n(h->m.b, h->m.len, out);
}

static void test_chrome(void **state)
{
	static struct hello h;
	struct tls_hello t;
	char ja3[TLS_JA3_MAX + 1], md5[33], ja4[TLS_JA4_LEN];

	(void)state;
	chrome(&h, &chrome_default);
	assert_int_equal(parse(&h, &t), 1);
	assert_int_equal(t.flags, TLS_HELLO_HAS_SNI | TLS_HELLO_HAS_ALPN | TLS_HELLO_HAS_VERSIONS);
	assert_false(t.dropped);
	assert_int_equal(t.version, 0x0303);
	assert_int_equal(t.nciphers, ARRAY_SIZE(chrome_ciphers));
	assert_memory_equal(t.ciphers, chrome_ciphers, sizeof(chrome_ciphers));
	assert_int_equal(t.nexts, ARRAY_SIZE(chrome_exts));
	assert_memory_equal(t.exts, chrome_exts, sizeof(chrome_exts));
	assert_int_equal(t.ngroups, 4);
	assert_memory_equal(t.groups, chrome_groups, sizeof(chrome_groups));
	assert_int_equal(t.nsig_algs, ARRAY_SIZE(chrome_sigs));
	assert_memory_equal(t.sig_algs, chrome_sigs, sizeof(chrome_sigs));
	assert_int_equal(t.nversions, 3);
	assert_memory_equal(t.versions, chrome_versions, sizeof(chrome_versions));
	assert_int_equal(t.nec_formats, 1);
	assert_int_equal(t.ec_formats[0], 0);
	assert_string_equal(t.sni, "accounts.google.com");
	assert_string_equal(t.alpn, "h2");
	assert_int_equal(t.alpn_len, 2);
	assert_int_equal(t.alpn_ends[0], 'h');
	assert_int_equal(t.alpn_ends[1], '2');

	assert_int_equal(tls_ja3(&t, ja3, sizeof(ja3), md5), strlen(CHROME_JA3));
	assert_string_equal(ja3, CHROME_JA3);
	assert_string_equal(md5, CHROME_JA3_MD5);
	assert_int_equal(tls_ja4(&t, 't', ja4), 0);
	assert_string_equal(ja4, CHROME_JA4);
	assert_int_equal(tls_ja4(&t, 'q', ja4), 0);
	assert_string_equal(ja4, "q13d1516h2_8daaf6152771_e5627efa2ab1");
	assert_int_equal(tls_ja4(&t, 'd', ja4), -EINVAL);
	assert_string_equal(ja4, "");
}

/* JA4's a part follows SNI, ALPN and supported_versions; b and c do not move with SNI or
 * ALPN (JA4.md "Extension hash": they are left out so the same client keeps its c). */
static void test_ja4_a_part(void **state)
{
	static struct hello h;
	struct variant v = chrome_default;
	struct tls_hello t;
	char ja4[TLS_JA4_LEN], ja3[TLS_JA3_MAX + 1];

	(void)state;
	v.sni = NULL;
	chrome(&h, &v);
	assert_int_equal(parse(&h, &t), 1);
	assert_false(t.flags & TLS_HELLO_HAS_SNI);
	assert_string_equal(t.sni, "");
	assert_int_equal(tls_ja4(&t, 't', ja4), 0);
	assert_string_equal(ja4, "t13i1515h2_8daaf6152771_e5627efa2ab1");
	/* JA3 loses the 0 from its extension list. */
	tls_ja3(&t, ja3, sizeof(ja3), NULL);
	assert_non_null(strstr(ja3, ",27-51-16-17513-"));

	v = chrome_default;
	v.alpn = "http/1.1\0h2";
	chrome(&h, &v);
	assert_int_equal(parse(&h, &t), 1);
	assert_string_equal(t.alpn, "http/1.1");
	assert_int_equal(tls_ja4(&t, 't', ja4), 0);
	assert_string_equal(ja4, "t13d1516h1_8daaf6152771_e5627efa2ab1");

	v = chrome_default;
	v.alpn = NULL;
	chrome(&h, &v);
	assert_int_equal(parse(&h, &t), 1);
	assert_false(t.flags & TLS_HELLO_HAS_ALPN);
	assert_int_equal(tls_ja4(&t, 't', ja4), 0);
	assert_string_equal(ja4, "t13d151500_8daaf6152771_e5627efa2ab1");

	/* Without supported_versions the legacy version counts, and c loses 002b. */
	v = chrome_default;
	v.no_versions = true;
	chrome(&h, &v);
	assert_int_equal(parse(&h, &t), 1);
	assert_false(t.flags & TLS_HELLO_HAS_VERSIONS);
	assert_int_equal(tls_ja4(&t, 't', ja4), 0);
	assert_memory_equal(ja4, "t12d1515h2_8daaf6152771_", 24);
	assert_string_not_equal(ja4 + 24, "e5627efa2ab1");
}

/* A TLS 1.0 hello without extensions, as an old embedded client sends it. JA3's empty fields
 * keep their commas (the Salesforce reference joins three empty lists). */
static void test_no_extensions(void **state)
{
	static const uint16_t cs[] = {0x0004, 0x0005, 0x000a};
	static struct hello h;
	struct tls_hello t;
	char ja3[64], md5[33], ja4[TLS_JA4_LEN];

	(void)state;
	h_begin(&h, 0x0301, cs, ARRAY_SIZE(cs));
	h.m.len -= 2; /* no extensions block at all */
	close_len(&h.m, h.hs, 3);
	close_len(&h.m, h.rec, 2);
	assert_int_equal(parse(&h, &t), 1);
	assert_int_equal(t.flags, 0);
	assert_int_equal(t.nexts, 0);
	assert_int_equal(tls_ja3(&t, ja3, sizeof(ja3), md5), 13);
	assert_string_equal(ja3, "769,4-5-10,,,");
	assert_string_equal(md5, "73c580309d73416556b36e213d598ac1");
	assert_int_equal(tls_ja4(&t, 't', ja4), 0);
	assert_string_equal(ja4, "t10i030000_53b29befa235_000000000000");
}

/* The rules of JA4.md checked on hand-made values, including those no parsed hello reaches. */
static void test_ja4_rules(void **state)
{
	static const struct {
		const char *name;
		size_t len;
		const char *want;
	} alpn[] = {
		/* JA4.md "ALPN Extension Value", every example */
		{"h2", 2, "h2"},
		{"http/1.1", 8, "h1"},
		{"\xab", 1, "ab"},
		{"\x20", 1, "20"},
		{"\xab\xcd", 2, "ad"},
		{"\x20\x61", 2, "21"},
		{"\x30\xab", 2, "3b"},
		{"\x61\x20", 2, "60"},
		{"\x30\x31\xab\xcd", 4, "3d"},
		{"\x30\xab\xcd\x31", 4, "01"},
		{"a", 1, "aa"}, /* a single character is the first and the last */
		{"", 0, "00"},
	};
	static const struct {
		uint16_t version, supported;
		const char *want;
	} versions[] = {
		{0x0303, 0, "12"}, {0x0302, 0, "11"}, {0x0301, 0, "10"}, {0x0300, 0, "s3"},
		{0x0002, 0, "s2"}, {0xfefd, 0, "d2"}, {0x0305, 0, "00"}, {0x0301, 0x0304, "13"},
		{0x0303, 0x0a0a, "00"}, /* only GREASE in supported_versions */
	};
	struct tls_hello t;
	char ja4[TLS_JA4_LEN];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(alpn); i++) {
		memset(&t, 0, sizeof(t));
		t.version = 0x0303;
		t.flags = TLS_HELLO_HAS_ALPN;
		t.alpn_len = alpn[i].len;
		if (alpn[i].len) {
			t.alpn_ends[0] = (uint8_t)alpn[i].name[0];
			t.alpn_ends[1] = (uint8_t)alpn[i].name[alpn[i].len - 1];
		}
		assert_int_equal(tls_ja4(&t, 't', ja4), 0);
		if (memcmp(ja4 + 8, alpn[i].want, 2))
			fail_msg("ALPN %zu: %s, want %s", i, ja4, alpn[i].want);
	}
	for (size_t i = 0; i < ARRAY_SIZE(versions); i++) {
		memset(&t, 0, sizeof(t));
		t.version = versions[i].version;
		if (versions[i].supported) {
			t.flags = TLS_HELLO_HAS_VERSIONS;
			t.versions[t.nversions++] = 0x1a1a;
			t.versions[t.nversions++] = versions[i].supported;
		}
		assert_int_equal(tls_ja4(&t, 't', ja4), 0);
		if (memcmp(ja4 + 1, versions[i].want, 2))
			fail_msg("version %zu: %s, want %s", i, ja4, versions[i].want);
	}

	/* Nothing at all: zeros for both hashes. */
	memset(&t, 0, sizeof(t));
	t.version = 0x0303;
	assert_int_equal(tls_ja4(&t, 't', ja4), 0);
	assert_string_equal(ja4, "t12i000000_000000000000_000000000000");

	/* JA4.md: without signature algorithms the list ends without an underscore. */
	{
		static const uint16_t e[] = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d,
			0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015};

		memcpy(t.exts, e, sizeof(e));
		t.nexts = ARRAY_SIZE(e);
		assert_int_equal(tls_ja4(&t, 't', ja4), 0);
		assert_string_equal(ja4, "t12d001600_000000000000_6d807ffa2a79");
	}

	/* Counts stop at 99; GREASE counts nowhere. */
	memset(&t, 0, sizeof(t));
	t.version = 0x0303;
	for (unsigned i = 0; i < 120; i++)
		t.ciphers[t.nciphers++] = (uint16_t)(0x0100 + i);
	t.ciphers[t.nciphers++] = 0xfafa;
	t.exts[t.nexts++] = 0x2a2a;
	t.exts[t.nexts++] = 0x0017;
	assert_int_equal(tls_ja4(&t, 't', ja4), 0);
	assert_memory_equal(ja4, "t12i9901", 8);

	/* Refused: truncated, dropped. */
	t.flags = TLS_HELLO_TRUNCATED;
	assert_int_equal(tls_ja4(&t, 't', ja4), -EINVAL);
	assert_int_equal(tls_ja3(&t, NULL, 0, NULL), -EINVAL);
	t.flags = 0;
	t.dropped = true;
	assert_int_equal(tls_ja4(&t, 't', ja4), -EINVAL);
	assert_int_equal(tls_ja3(&t, NULL, 0, NULL), -EINVAL);
}

static void test_grease(void **state)
{
	unsigned n = 0;

	(void)state;
	for (unsigned v = 0; v <= 0xffff; v++)
		n += tls_is_grease((uint16_t)v);
	assert_int_equal(n, 16);
	assert_true(tls_is_grease(0x0a0a));
	assert_true(tls_is_grease(0xfafa));
	assert_false(tls_is_grease(0x0a1a));
	assert_false(tls_is_grease(0x0b0b));
}

/* An ALPN name outside printable ASCII, as in the FoxIO capture tls-non-ascii-alpn.pcapng:
 * JA4.md prints the hex digits (the reference tool's snapshot still shows its older "99"). */
static void test_alpn_octets(void **state)
{
	static struct hello h;
	struct variant v = chrome_default;
	char name[300];
	struct tls_hello t;
	char ja4[TLS_JA4_LEN];

	(void)state;
	v.alpn = "\xba\xad\0http/1.1";
	v.alpn_len = 11;
	chrome(&h, &v);
	assert_int_equal(parse(&h, &t), 1);
	assert_string_equal(t.alpn, "??");
	assert_int_equal(t.alpn_len, 2);
	assert_int_equal(tls_ja4(&t, 't', ja4), 0);
	assert_string_equal(ja4, "t13d1516bd_8daaf6152771_e5627efa2ab1");

	/* An empty name in the middle; a NUL inside the first name. */
	v.alpn = "h\0\0http/1.1";
	v.alpn_len = 11;
	chrome(&h, &v);
	assert_int_equal(parse(&h, &t), 1);
	assert_string_equal(t.alpn, "h");
	assert_int_equal(tls_ja4(&t, 't', ja4), 0);
	assert_memory_equal(ja4 + 8, "hh", 2);
	h_begin(&h, 0x0303, chrome_ciphers, 2);
	ext_raw(&h, 0x0010,
		"\x00\x04\x03h\0"
		"2",
		6);
	h_end(&h);
	assert_int_equal(parse(&h, &t), 1);
	assert_string_equal(t.alpn, "h?2");
	assert_int_equal(t.alpn_len, 3);
	assert_int_equal(tls_ja4(&t, 't', ja4), 0);
	assert_memory_equal(ja4 + 8, "h2", 2);
	v.alpn = "\0h2";
	v.alpn_len = 3;
	chrome(&h, &v);
	assert_int_equal(parse(&h, &t), 1);
	assert_true(t.flags & TLS_HELLO_HAS_ALPN);
	assert_int_equal(t.alpn_len, 0);
	assert_int_equal(tls_ja4(&t, 't', ja4), 0);
	assert_memory_equal(ja4 + 8, "00", 2);

	/* A 255-octet name: the text is cut, the ends are the real ones. */
	memset(name, 'x', 255);
	name[0] = 'a';
	name[254] = 'z';
	v.alpn = name;
	v.alpn_len = 255;
	chrome(&h, &v);
	assert_int_equal(parse(&h, &t), 1);
	assert_int_equal(strlen(t.alpn), 63);
	assert_int_equal(t.alpn_len, 255);
	assert_int_equal(tls_ja4(&t, 't', ja4), 0);
	assert_memory_equal(ja4 + 8, "az", 2);
}

/* The handshake message over three records, the first cut inside the handshake header; a
 * change_cipher_spec in front; the same fields and fingerprints as in one record. */
static void test_records(void **state)
{
	static struct hello h;
	static struct msg m;
	struct tls_hello one, split;
	const uint8_t *body;
	size_t blen, cuts[] = {2, 300};
	char ja4[TLS_JA4_LEN];

	(void)state;
	chrome(&h, &chrome_default);
	assert_int_equal(parse(&h, &one), 1);
	body = h.m.b + 5;
	blen = h.m.len - 5;
	memset(&m, 0, sizeof(m));
	for (size_t i = 0, from = 0; i <= ARRAY_SIZE(cuts); i++) {
		size_t to = i < ARRAY_SIZE(cuts) ? cuts[i] : blen;

		put8(&m, 22);
		put16(&m, 0x0303);
		put16(&m, (unsigned)(to - from));
		put(&m, body + from, to - from);
		from = to;
	}
	assert_int_equal(parse_n(m.b, m.len, &split), 1);
	assert_memory_equal(&one, &split, sizeof(one));

	/* Only a prefix of the records: truncated, not an error. */
	assert_int_equal(parse_n(m.b, 5 + 2 + 5 + 100, &split), 1);
	assert_int_equal(split.flags, TLS_HELLO_TRUNCATED);
	assert_int_equal(split.version, 0x0303);

	/* A record of another type inside the message. */
	m.b[5 + 2] = 23;
	assert_int_equal(parse_n(m.b, m.len, &split), -EINVAL);
	assert_non_null(strstr(err, "type 23"));

	memset(&m, 0, sizeof(m));
	put(&m, "\x14\x03\x03\x00\x01\x01", 6);
	put(&m, h.m.b, h.m.len);
	assert_int_equal(parse_n(m.b, m.len, &split), 1);
	assert_memory_equal(&one, &split, sizeof(one));
	assert_int_equal(tls_ja4(&split, 't', ja4), 0);
	assert_string_equal(ja4, CHROME_JA4);
}

/* Every prefix is a truncated ClientHello (or too short to tell); what it has is what the
 * whole message has, and the fingerprints wait for the whole message. */
static void test_truncated(void **state)
{
	static struct hello h;
	struct tls_hello whole, t;
	char ja4[TLS_JA4_LEN], md5[33];

	(void)state;
	chrome(&h, &chrome_default);
	assert_int_equal(parse(&h, &whole), 1);
	for (size_t n = 0; n < h.m.len; n++) {
		int ret = parse_n(h.m.b, n, &t);

		if (n < 6) {
			if (ret != 0)
				fail_msg("prefix of %zu: %d", n, ret);
			continue;
		}
		if (ret != 1 ||
			t.flags &
				~(unsigned)(TLS_HELLO_TRUNCATED | TLS_HELLO_HAS_SNI |
					TLS_HELLO_HAS_ALPN | TLS_HELLO_HAS_VERSIONS) ||
			!(t.flags & TLS_HELLO_TRUNCATED))
			fail_msg("prefix of %zu: %d flags %#x (%s)", n, ret, t.flags, err);
		if (t.nciphers > whole.nciphers || t.nexts > whole.nexts ||
			memcmp(t.ciphers, whole.ciphers, t.nciphers * 2) ||
			memcmp(t.exts, whole.exts, t.nexts * 2))
			fail_msg("prefix of %zu: lists differ", n);
		if ((t.flags & TLS_HELLO_HAS_SNI) && strcmp(t.sni, whole.sni))
			fail_msg("prefix of %zu: sni %s", n, t.sni);
		if (tls_ja4(&t, 't', ja4) != -EINVAL || tls_ja3(&t, NULL, 0, md5) != -EINVAL)
			fail_msg("prefix of %zu: fingerprinted", n);
	}
	/* The record header and the cipher suites are there, the extensions are not. */
	assert_int_equal(parse_n(h.m.b, 5 + 4 + 2 + 32 + 33 + 2 + 32 + 1, &t), 1);
	assert_int_equal(t.nciphers, 16);
	assert_int_equal(t.nexts, 0);
	/* Whole: not truncated, although the buffer goes on (the next record). */
	memcpy(h.m.b + h.m.len, "\x16\x03\x03\x00\x04\x10\x00\x00\x00", 9);
	assert_int_equal(parse_n(h.m.b, h.m.len + 9, &t), 1);
	assert_memory_equal(&t, &whole, sizeof(t));
}

static void test_not_hello(void **state)
{
	static struct hello h;
	struct tls_hello t;
	static const struct {
		const char *b;
		size_t len;
	} cases[] = {
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27},
		{"\x16\x03\x03\x00\x30\x02\x00\x00\x2c", 9},	      /* ServerHello */
		{"\x17\x03\x03\x00\x10\x01\x02\x03\x04", 9},	      /* application data */
		{"\x15\x03\x03\x00\x02\x02\x28", 7},		      /* alert */
		{"\x80\x2e\x01\x00\x02\x00\x15\x00\x00", 9},	      /* SSLv2 ClientHello */
		{"\x16\x02\x00\x00\x30\x01\x00\x00\x2c", 9},	      /* record version 2.0 */
		{"\x16\x03\x05\x00\x30\x01\x00\x00\x2c", 9},	      /* record version 3.5 */
		{"\x16\x03\x01\x00\x00\x01\x00\x00\x2c", 9},	      /* empty record */
		{"\x14\x03\x03\x00\x01\x01\x17\x03\x03\x00\x01", 11}, /* CCS, then no hello */
		{"\x16\x03\x01\x02", 4},			      /* too short to tell */
		{"", 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&t, 0xa5, sizeof(t));
		if (parse_n((const uint8_t *)cases[i].b, cases[i].len, &t) != 0)
			fail_msg("case %zu taken for a ClientHello (%s)", i, err);
		assert_int_equal(t.flags, 0);
		assert_int_equal(t.nciphers, 0);
	}
	assert_int_equal(tls_client_hello_parse(NULL, 0, &t, err, sizeof(err)), 0);
	/* A ClientHello inside a SOCKS or CONNECT exchange starts later: the caller's business. */
	chrome(&h, &chrome_default);
	assert_int_equal(parse_n(h.m.b + 1, h.m.len - 1, &t), 0);
}

/* Builds a hello, lets the mutation loose on it, expects a precise refusal. */
struct rejection {
	const char *reason; /* a part of the message in err */
	void (*mutate)(struct hello *h);
};

static size_t find_ext(const struct hello *h, unsigned type)
{
	size_t off = h->exts + 2;

	while (off + 4 <= h->m.len) {
		unsigned t = (unsigned)(h->m.b[off] << 8 | h->m.b[off + 1]);
		size_t len = (size_t)(h->m.b[off + 2] << 8 | h->m.b[off + 3]);

		if (t == type)
			return off;
		off += 4 + len;
	}
	fail_msg("extension %#x not in the hello", type);
	return 0;
}

static void m_odd_ciphers(struct hello *h)
{
	h->m.b[5 + 4 + 2 + 32 + 33 + 1] |= 1;
}

static void m_no_ciphers(struct hello *h)
{
	static const uint16_t none[1];

	h_begin(h, 0x0303, none, 0);
	h_end(h);
}

static void m_session_id(struct hello *h)
{
	h->m.b[5 + 4 + 2 + 32] = 33;
}

static void m_no_compression(struct hello *h)
{
	static const uint16_t cs[] = {0x1301};

	h_begin(h, 0x0303, cs, 1);
	h->m.b[h->m.len - 4] = 0; /* compression methods length */
	h->m.len -= 3;		  /* drop the method and the extensions length */
	close_len(&h->m, h->hs, 3);
	close_len(&h->m, h->rec, 2);
}

static void m_exts_short(struct hello *h)
{
	h->m.b[h->exts + 1]--;
}

static void m_exts_long(struct hello *h)
{
	h->m.b[h->exts + 1]++;
}

static void m_one_octet_after(struct hello *h)
{
	static const uint16_t cs[] = {0x1301};

	h_begin(h, 0x0303, cs, 1);
	h->m.len--; /* one octet where the extensions length would be */
	close_len(&h->m, h->hs, 3);
	close_len(&h->m, h->rec, 2);
}

static void m_ext_past(struct hello *h)
{
	size_t at = find_ext(h, 0x5a5a);

	h->m.b[at + 3] = 2; /* the last extension claims one octet more than there is */
}

static void m_hs_short(struct hello *h)
{
	/* The handshake length says the message ends inside the random. */
	h->m.b[5 + 3] = 20;
	h->m.b[5 + 2] = 0;
	h->m.b[5 + 1] = 0;
}

static void m_record_big(struct hello *h)
{
	h->m.b[3] = 0x40;
	h->m.b[4] = 0x01;
}

static void m_sni_text(struct hello *h)
{
	size_t at = find_ext(h, 0x0000);

	h->m.b[at + 4 + 2 + 3 + 3] = '\n';
}

static void m_sni_list(struct hello *h)
{
	size_t at = find_ext(h, 0x0000);

	h->m.b[at + 5]--;
}

static void m_sni_name_past(struct hello *h)
{
	size_t at = find_ext(h, 0x0000);

	h->m.b[at + 4 + 2 + 2]++;
}

static void sni_variant(struct hello *h, const char *name)
{
	struct variant v = chrome_default;

	v.sni = name;
	chrome(h, &v);
}

static void m_sni_empty(struct hello *h)
{
	sni_variant(h, "");
}

static void m_sni_long(struct hello *h)
{
	static char name[257];

	memset(name, 'a', 256);
	sni_variant(h, name);
}

static void m_sni_two(struct hello *h)
{
	size_t list;

	h_begin(h, 0x0303, chrome_ciphers, 2);
	ext_begin(h, 0x0000);
	list = open_len(&h->m, 2);
	put(&h->m, "\x00\x00\x01x\x00\x00\x01y", 8);
	close_len(&h->m, list, 2);
	ext_end(h);
	h_end(h);
}

static void m_alpn_list(struct hello *h)
{
	size_t at = find_ext(h, 0x0010);

	h->m.b[at + 5]--;
}

static void m_alpn_name_past(struct hello *h)
{
	size_t at = find_ext(h, 0x0010);

	h->m.b[at + 6 + 3] = 20; /* "http/1.1" claims 20 octets */
}

static void m_groups_odd(struct hello *h)
{
	h_begin(h, 0x0303, chrome_ciphers, 2);
	ext_raw(h, 0x000a, "\x00\x03\x00\x1d\x00", 5);
	h_end(h);
}

static void m_groups_twice(struct hello *h)
{
	struct variant v = chrome_default;

	v.groups_twice = 1;
	chrome(h, &v);
}

static void m_sigs_list(struct hello *h)
{
	size_t at = find_ext(h, 0x000d);

	h->m.b[at + 5] -= 2;
}

static void m_versions_odd(struct hello *h)
{
	h_begin(h, 0x0303, chrome_ciphers, 2);
	ext_raw(h, 0x002b, "\x03\x03\x04\x03", 4);
	h_end(h);
}

static void m_versions_empty(struct hello *h)
{
	h_begin(h, 0x0303, chrome_ciphers, 2);
	ext_raw(h, 0x002b, "\x00", 1);
	h_end(h);
}

static void m_formats(struct hello *h)
{
	size_t at = find_ext(h, 0x000b);

	h->m.b[at + 4] = 2;
}

static void m_ext_header_cut(struct hello *h)
{
	static const uint16_t cs[] = {0x1301};

	h_begin(h, 0x0303, cs, 1);
	put(&h->m, "\x00\x17\x00", 3); /* an extension header of 3 octets */
	h_end(h);
}

static void test_rejections(void **state)
{
	static const struct rejection cases[] = {
		{"cipher_suites of", m_odd_ciphers},
		{"cipher_suites of 0", m_no_ciphers},
		{"session id of 33", m_session_id},
		{"no compression method", m_no_compression},
		{"extensions of", m_exts_short},
		{"extensions of", m_exts_long},
		{"extensions length runs past", m_one_octet_after},
		{"extension of 2 octets runs past", m_ext_past},
		{"random runs past", m_hs_short},
		{"over 2^14", m_record_big},
		{"host_name with octet 0x0a", m_sni_text},
		{"server_name list of", m_sni_list},
		{"server_name name of", m_sni_name_past},
		{"host_name of 0 octets", m_sni_empty},
		{"host_name of 256 octets", m_sni_long},
		{"two host_names", m_sni_two},
		{"ALPN list of", m_alpn_list},
		{"ALPN name of 20 octets", m_alpn_name_past},
		{"supported_groups list of 3", m_groups_odd},
		{"extension 0x000a repeated", m_groups_twice},
		{"signature_algorithms list of", m_sigs_list},
		{"supported_versions list of 3", m_versions_odd},
		{"supported_versions list of 0", m_versions_empty},
		{"ec_point_formats list of 2", m_formats},
		{"extension length runs past", m_ext_header_cut},
	};
	static struct hello h;
	struct tls_hello t;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		chrome(&h, &chrome_default);
		cases[i].mutate(&h);
		err[0] = '\0';
		if (parse(&h, &t) != -EINVAL)
			fail_msg("case %zu (%s) accepted", i, cases[i].reason);
		if (!strstr(err, cases[i].reason))
			fail_msg("case %zu: \"%s\", want \"%s\"", i, err, cases[i].reason);
		if (t.flags || t.nciphers || t.nexts || t.sni[0] || t.version)
			fail_msg("case %zu: output left set", i);
	}
}

static const uint16_t legacy_groups[] = {0x0017, 0x0019, 0x001c, 0x001b, 0x0018, 0x001a, 0x0016,
	0x000e, 0x000d, 0x000b, 0x000c, 0x0009, 0x000a};
static const uint16_t legacy_sigs[] = {0x0601, 0x0602, 0x0603, 0x0501, 0x0502, 0x0503, 0x0401,
	0x0402, 0x0403, 0x0301, 0x0302, 0x0303, 0x0201, 0x0202, 0x0203};

/* Lists beyond what is kept: an embedded client's 80 ciphers fit, 300 do not. */
static void test_dropped(void **state)
{
	static uint16_t cs[300];
	static struct hello h;
	struct tls_hello t;
	char ja4[TLS_JA4_LEN];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cs); i++)
		cs[i] = (uint16_t)(0xc000 + i);
	/* The extensions and signature algorithms of OpenSSL 1.0.1: the c part is the one
	 * published for the client in the FoxIO capture https-connect.pcap. */
	h_begin(&h, 0x0303, cs, 80);
	ext_sni(&h, "cam.example");
	ext_raw(&h, 0x000b, "\x03\x00\x01\x02", 4);
	ext_list(&h, 0x000a, 2, legacy_groups, ARRAY_SIZE(legacy_groups));
	ext_raw(&h, 0x0023, "", 0);
	ext_list(&h, 0x000d, 2, legacy_sigs, ARRAY_SIZE(legacy_sigs));
	ext_raw(&h, 0x000f, "\x01", 1); /* heartbeat */
	h_end(&h);
	assert_int_equal(parse(&h, &t), 1);
	assert_false(t.dropped);
	assert_int_equal(t.nciphers, 80);
	assert_int_equal(t.nec_formats, 3);
	assert_int_equal(tls_ja4(&t, 't', ja4), 0);
	assert_memory_equal(ja4, "t12d800600_", 11);
	assert_string_equal(ja4 + 24, "a1e935682795");

	h_begin(&h, 0x0303, cs, ARRAY_SIZE(cs));
	ext_sni(&h, "cam.example");
	h_end(&h);
	assert_int_equal(parse(&h, &t), 1);
	assert_true(t.dropped);
	assert_int_equal(t.nciphers, TLS_MAX_CIPHERS);
	assert_string_equal(t.sni, "cam.example"); /* the rest is still read */
	assert_int_equal(tls_ja4(&t, 't', ja4), -EINVAL);
	assert_int_equal(tls_ja3(&t, NULL, 0, NULL), -EINVAL);

	h_begin(&h, 0x0303, cs, 2);
	for (unsigned i = 0; i < TLS_MAX_LIST + 1; i++)
		ext_raw(&h, 0xfe00 + i, "", 0);
	h_end(&h);
	assert_int_equal(parse(&h, &t), 1);
	assert_true(t.dropped);
	assert_int_equal(t.nexts, TLS_MAX_LIST);
}

/* JA3 writes like snprintf. */
static void test_ja3_buffer(void **state)
{
	static struct hello h;
	struct tls_hello t;
	char small[10], md5[33];

	(void)state;
	chrome(&h, &chrome_default);
	assert_int_equal(parse(&h, &t), 1);
	assert_int_equal(tls_ja3(&t, small, sizeof(small), md5), strlen(CHROME_JA3));
	assert_string_equal(small, "771,4865-");
	assert_string_equal(md5, CHROME_JA3_MD5); /* of the whole string */
	assert_int_equal(tls_ja3(&t, NULL, 0, NULL), strlen(CHROME_JA3));
	assert_int_equal(tls_ja3(&t, small, 1, NULL), strlen(CHROME_JA3));
	assert_string_equal(small, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chrome),
		cmocka_unit_test(test_ja4_a_part),
		cmocka_unit_test(test_no_extensions),
		cmocka_unit_test(test_ja4_rules),
		cmocka_unit_test(test_grease),
		cmocka_unit_test(test_alpn_octets),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_not_hello),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_dropped),
		cmocka_unit_test(test_ja3_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
