/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the RFC 9238 QR payload parser: every field, every tolerance, every rejection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mud/mud_qr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mud/mud_parse.h"

#define RS  "\x1e"
#define GS  "\x1d"
#define US  "\x1f"
#define FS  "\x1c"
#define EOT "\x04"
#define HDR "[)>" RS "06" GS "12N"

#define URL "https://mud.example.test/plug.json"
#define FULL                                                                     \
	HDR "B000Acme Corp" US "B001Smart Plug" US "B002SP-100" US "M180" URL US \
	    "M06C52:54:00:AA:bb:01" US RS EOT

static char err[256];

/* Parses a copy of exactly len bytes, so that ASan sees any read past the end. */
static int parse_n(const char *s, size_t len, struct mud_qr *qr)
{
	char *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, s, len);
	ret = mud_qr_parse(copy, len, qr, err, sizeof(err));
	free(copy);
	return ret;
}

static int parse(const char *s, struct mud_qr *qr)
{
	return parse_n(s, strlen(s), qr);
}

static void test_full(void **state)
{
	const uint8_t mac[6] = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01};
	struct mud_qr qr;

	(void)state;
	assert_int_equal(parse(FULL, &qr), 0);
	assert_string_equal(qr.url, URL);
	assert_string_equal(qr.company, "Acme Corp");
	assert_string_equal(qr.product, "Smart Plug");
	assert_string_equal(qr.model, "SP-100");
	assert_memory_equal(qr.mac.b, mac, 6);
	assert_int_equal(qr.flags,
		MUD_QR_HAS_COMPANY | MUD_QR_HAS_PRODUCT | MUD_QR_HAS_MODEL | MUD_QR_HAS_MAC);
	assert_true(mud_url_valid(qr.url));
}

static void test_minimal_and_order(void **state)
{
	struct mud_qr qr;

	(void)state;
	/* Only M180; records in any order; unknown identifiers (B005 serial, an environment
	 * record) are ignored. */
	assert_int_equal(parse(HDR "M180" URL US RS EOT, &qr), 0);
	assert_string_equal(qr.url, URL);
	assert_int_equal(qr.flags, 0);
	assert_int_equal(parse(HDR "B005SN-1234" US "M06C525400aabb02" US "M180" URL US "25S0001" US
				   "B000Acme" US RS EOT,
				 &qr),
		0);
	assert_int_equal(qr.flags, MUD_QR_HAS_COMPANY | MUD_QR_HAS_MAC);
	assert_int_equal(qr.mac.b[5], 0x02);
	/* An empty B001 is treated as absent. */
	assert_int_equal(parse(HDR "B001" US "M180" URL US RS EOT, &qr), 0);
	assert_int_equal(qr.flags, 0);
}

static void test_query_stripped(void **state)
{
	struct mud_qr qr;

	(void)state;
	assert_int_equal(parse(HDR "M180" URL "?serial=1234&x=y" US RS EOT, &qr), 0);
	assert_string_equal(qr.url, URL);
	assert_int_equal(qr.flags, MUD_QR_QUERY_STRIPPED);
	assert_int_equal(parse(HDR "M180https://m.example/a?" US RS EOT, &qr), 0);
	assert_string_equal(qr.url, "https://m.example/a");
	/* A fragment after the query stays and makes the URL unacceptable. */
	assert_int_equal(parse(HDR "M180" URL "?q=1#frag" US RS EOT, &qr), -EINVAL);
	assert_non_null(strstr(err, "not an acceptable https MUD URL"));
	/* A long query does not count toward the 255 octets. */
	{
		char buf[800];
		int n = snprintf(buf, sizeof(buf), HDR "M180" URL "?");

		memset(buf + n, 'q', 400);
		memcpy(buf + n + 400, US RS EOT, 4);
		assert_int_equal(parse(buf, &qr), 0);
		assert_string_equal(qr.url, URL);
	}
}

static void test_scheme(void **state)
{
	struct mud_qr qr;

	(void)state;
	/* RFC 9238 puts the whole URL in M180; a scheme-less one is taken as https. */
	assert_int_equal(parse(HDR "M180mud.example.test/plug.json" US RS EOT, &qr), 0);
	assert_string_equal(qr.url, URL);
	assert_int_equal(qr.flags, MUD_QR_SCHEME_ADDED);
	assert_int_equal(
		parse(HDR "M180mud.example.test:8443/p.json?a=https://x" US RS EOT, &qr), 0);
	assert_string_equal(qr.url, "https://mud.example.test:8443/p.json");
	assert_int_equal(parse(HDR "M180HTTPS://mud.example.test/plug.json" US RS EOT, &qr), 0);
	assert_string_equal(qr.url, URL);
	assert_int_equal(qr.flags, 0);
}

static void test_mac_forms(void **state)
{
	static const char *const forms[] = {
		"525400AABB01",
		"52-54-00-aa-bb-01",
		"5254.00aa.bb01",
		"52 54 00\tAa\r\nbB 01",
		"52:54:00:aA:Bb:01",
	};
	const uint8_t mac[6] = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01};
	const uint8_t eui[8] = {0x02, 0x12, 0x4b, 0x00, 0x01, 0x02, 0x03, 0x04};
	struct mud_qr qr;
	char buf[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		snprintf(buf, sizeof(buf), HDR "M180" URL US "M06C%s" US RS EOT, forms[i]);
		assert_int_equal(parse(buf, &qr), 0);
		assert_int_equal(qr.flags, MUD_QR_HAS_MAC);
		assert_memory_equal(qr.mac.b, mac, 6);
	}
	assert_int_equal(parse(HDR "M180" URL US "M06C02:12:4B:00:01:02:03:04" US RS EOT, &qr), 0);
	assert_int_equal(qr.flags, MUD_QR_HAS_EUI64);
	assert_memory_equal(qr.eui64, eui, 8);
}

static void test_tolerances(void **state)
{
	struct mud_qr qr;

	(void)state;
	/* No trailer, or RS without EoT: accepted when the last record was ended. */
	assert_int_equal(parse(HDR "M180" URL US, &qr), 0);
	assert_int_equal(qr.flags, MUD_QR_NO_TRAILER);
	assert_int_equal(parse(HDR "M180" URL US RS, &qr), 0);
	assert_int_equal(qr.flags, MUD_QR_NO_TRAILER);
	/* The last record ended by RS instead of US. */
	assert_int_equal(parse(HDR "B000Acme" US "M180" URL RS EOT, &qr), 0);
	assert_string_equal(qr.url, URL);
	assert_int_equal(qr.flags, MUD_QR_HAS_COMPANY);
	/* What follows the trailer (another ISO/IEC 15434 format, a scanner's newline) is not
	 * ours. */
	assert_int_equal(parse(HDR "M180" URL US RS EOT "\r\n", &qr), 0);
	assert_int_equal(parse(HDR "M180" URL US RS "DD" GS "junk" RS EOT, &qr), 0);
	assert_int_equal(qr.flags, MUD_QR_NO_TRAILER);
}

static void test_field_separator(void **state)
{
	struct mud_qr qr;

	(void)state;
	/* RFC 9238 §3.1: FS before the MUD information discards what was collected. */
	assert_int_equal(parse(HDR "B000Old Name" US "M06C525400000001" US FS "12N"
				   "B000New Name" US "M180" URL US RS EOT,
				 &qr),
		0);
	assert_string_equal(qr.company, "New Name");
	assert_int_equal(qr.flags, MUD_QR_HAS_COMPANY);
	/* ...so a B000 after FS is no repetition; and "12N" after FS is optional. */
	assert_int_equal(parse(HDR "B000Old" US FS "B000New" US "M180" URL US RS EOT, &qr), 0);
	assert_string_equal(qr.company, "New");
	/* After M180 an FS ends the unit: a second URL in the next unit is not looked at. */
	assert_int_equal(
		parse(HDR "M180" URL US FS "M180https://other.example/x.json" US RS EOT, &qr), 0);
	assert_string_equal(qr.url, URL);
	assert_int_equal(qr.flags, 0); /* the trailer is there, after the unit not looked at */
	assert_int_equal(parse(HDR "M180" URL US FS "B000x" US, &qr), 0);
	assert_int_equal(qr.flags, MUD_QR_NO_TRAILER);
	/* A data element of another DI (GS 1P...) is skipped; a further 12N one continues. */
	assert_int_equal(parse(HDR "B000Acme" US GS "1PABC" US "123" GS "12N"
				   "M180" URL US RS EOT,
				 &qr),
		0);
	assert_string_equal(qr.company, "Acme");
	assert_string_equal(qr.url, URL);
}

static void test_rejections(void **state)
{
	static const char *const bad[][2] = {
		{"B000Acme" US "M180" URL US RS EOT, "no ISO/IEC 15434 header"},
		{"[)>" GS "06" GS "12NM180" URL US RS EOT, "no ISO/IEC 15434 header"},
		{"[)>" RS "05" GS "12NM180" URL US RS EOT, "not ISO/IEC 15434 format 06"},
		{"[)>" RS "06" RS "12NM180" URL US RS EOT, "not ISO/IEC 15434 format 06"},
		{"[)>" RS "06" GS "1PM180" URL US RS EOT, "not a 12N (SQRL) element"},
		{HDR "B000Acme" US "B002SP-1" US RS EOT, "no M180"},
		{HDR RS EOT, "no M180"},
		{HDR "M180" URL, "not ended by US"},
		{HDR "B000Acme" US "M180" URL, "not ended by US"},
		{HDR "M18" US "M180" URL US RS EOT, "shorter than a field identifier"},
		{HDR "M180" URL US US RS EOT, "shorter than a field identifier"},
		{HDR "m180" URL US RS EOT, "bad field identifier"},
		{HDR "M1 0" URL US RS EOT, "bad field identifier"},
		{HDR "M180" URL US "M180https://b.example/x" US RS EOT, "repeated M180"},
		{HDR "B000A" US "B000B" US "M180" URL US RS EOT, "repeated B000"},
		{HDR "M180" URL US "M06C525400aabb01" US "M06C525400aabb02" US RS EOT,
			"repeated M06C"},
		{HDR "M180" US RS EOT, "M180 is empty"},
		{HDR "M180http://mud.example.test/plug.json" US RS EOT, "scheme is not https"},
		{HDR "M180ftp://mud.example.test/plug.json" US RS EOT, "scheme is not https"},
		{HDR "M180https://mud.example.test/\x01"
		     "a" US RS EOT,
			"not printable"},
		{HDR "M180https://mud.example.test/\xc3\xa9" US RS EOT, "not printable"},
		{HDR "M180https://mud.example.test/a b" US RS EOT, "not an acceptable"},
		{HDR "M180https:///plug.json" US RS EOT, "not an acceptable"},
		{HDR "M180" URL "#x" US RS EOT, "not an acceptable"},
		{HDR "M180" URL US "M06C525400aabb0" US RS EOT, "11 hex digits"},
		{HDR "M180" URL US "M06C525400aabb010" US RS EOT, "13 hex digits"},
		{HDR "M180" URL US "M06C525400aabb0102030" US RS EOT, "more than 16"},
		{HDR "M180" URL US "M06C52:54:00:aa:bb:0g" US RS EOT, "not a hex digit"},
		{HDR "M180" URL US "M06C" US RS EOT, "0 hex digits"},
		{HDR "M180" URL US "M06C01:00:5e:00:00:01" US RS EOT, "group address"},
		{HDR "M180" URL US "M06C000000000000" US RS EOT, "all zeros"},
		{HDR "M180" URL US "B001Plug\x7f" US RS EOT, "B001 is not printable"},
		{HDR "M180" URL US "B002Plug\t2" US RS EOT, "B002 is not printable"},
	};
	struct mud_qr qr;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&qr, 0xa5, sizeof(qr));
		assert_int_equal(parse(bad[i][0], &qr), -EINVAL);
		if (!strstr(err, bad[i][1]))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, bad[i][1]);
		/* Nothing of a rejected payload is left for the caller to use by mistake. */
		assert_int_equal(qr.flags, 0);
		assert_string_equal(qr.url, "");
	}
	assert_int_equal(mud_qr_parse(NULL, 0, &qr, err, sizeof(err)), -EINVAL);
	assert_int_equal(mud_qr_parse("", 0, &qr, err, sizeof(err)), -EINVAL);
	/* err may be omitted */
	assert_int_equal(mud_qr_parse("x", 1, &qr, NULL, 0), -EINVAL);
}

static void test_lengths(void **state)
{
	char buf[MUD_QR_MAX + 16];
	struct mud_qr qr;
	int n;

	(void)state;
	/* A URL of exactly 255 octets is accepted, 256 is not. */
	n = snprintf(buf, sizeof(buf), HDR "M180https://m.example/");
	memset(buf + n, 'a', 255 - 18);
	memcpy(buf + n + 255 - 18, US RS EOT, 4);
	assert_int_equal(parse(buf, &qr), 0);
	assert_int_equal(strlen(qr.url), 255);
	memset(buf + n, 'a', 256 - 18);
	memcpy(buf + n + 256 - 18, US RS EOT, 4);
	assert_int_equal(parse(buf, &qr), -EINVAL);
	assert_non_null(strstr(err, "longer than 255 octets"));
	/* The same for a scheme-less M180: the "https://" put in front counts. */
	n = snprintf(buf, sizeof(buf), HDR "M180m.example/");
	memset(buf + n, 'a', 255 - 18);
	memcpy(buf + n + 255 - 18, US RS EOT, 4);
	assert_int_equal(parse(buf, &qr), 0);
	assert_int_equal(strlen(qr.url), 255);
	memset(buf + n, 'a', 256 - 18);
	memcpy(buf + n + 256 - 18, US RS EOT, 4);
	assert_int_equal(parse(buf, &qr), -EINVAL);
	/* B000 of 127 characters fits, 128 does not. */
	n = snprintf(buf, sizeof(buf), HDR "M180" URL US "B000");
	memset(buf + n, 'C', MUD_QR_TEXT_MAX - 1);
	memcpy(buf + n + MUD_QR_TEXT_MAX - 1, US RS EOT, 4);
	assert_int_equal(parse(buf, &qr), 0);
	assert_int_equal(strlen(qr.company), MUD_QR_TEXT_MAX - 1);
	memset(buf + n, 'C', MUD_QR_TEXT_MAX);
	memcpy(buf + n + MUD_QR_TEXT_MAX, US RS EOT, 4);
	assert_int_equal(parse(buf, &qr), -EINVAL);
	assert_non_null(strstr(err, "B000 longer than 127"));
	/* Larger than any QR code. */
	n = snprintf(buf, sizeof(buf), HDR "M180" URL US "B005");
	memset(buf + n, 'x', sizeof(buf) - (size_t)n);
	assert_int_equal(parse_n(buf, MUD_QR_MAX + 1, &qr), -EINVAL);
	assert_non_null(strstr(err, "larger than a QR code holds"));
}

/* Every prefix of a valid payload: accepted exactly when the M180 record is complete and the cut
 * falls after a US (or inside the trailer), and then with what the prefix holds. */
static void test_truncation(void **state)
{
	const char *full = FULL;
	size_t len = strlen(full);
	size_t m180_end = (size_t)(strstr(full, "M180") - full) + 4 + strlen(URL) + 1;
	size_t mac_end = (size_t)(strstr(full, "M06C") - full) + 4 + 17 + 1;
	size_t rs = (size_t)(strrchr(full, '\x1e') - full); /* the trailer's, not the header's */
	struct mud_qr qr;

	(void)state;
	for (size_t n = 0; n <= len; n++) {
		bool want = n >= m180_end && (full[n - 1] == '\x1f' || n > rs);
		int ret = parse_n(full, n, &qr);

		if (want != (ret == 0))
			fail_msg("prefix of %zu: %d (%s)", n, ret, err);
		if (ret == 0) {
			assert_string_equal(qr.url, URL);
			assert_int_equal(!!(qr.flags & MUD_QR_HAS_MAC), n >= mac_end);
			assert_int_equal(!!(qr.flags & MUD_QR_NO_TRAILER), n < len);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_minimal_and_order),
		cmocka_unit_test(test_query_stripped),
		cmocka_unit_test(test_scheme),
		cmocka_unit_test(test_mac_forms),
		cmocka_unit_test(test_tolerances),
		cmocka_unit_test(test_field_separator),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
