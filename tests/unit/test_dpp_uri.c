/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the DPP bootstrapping URI: wpa_supplicant known answers, every token, every
 * rejection, make -> parse round trips on every supported curve. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "onboard/dpp_uri.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>

static char err[256];

/* Known answers from wpa_supplicant 2.10 (Debian 2:2.10-12+deb12u3), an independent
 * implementation: "DPP_BOOTSTRAP_GEN type=qrcode [key=..] [curve=..] [chan=..] [mac=..]
 * [info=..]" then DPP_BOOTSTRAP_GET_URI, or DPP_QR_CODE <uri>; then DPP_BOOTSTRAP_INFO, whose
 * "pkhash=" is the bootstrapping key hash. Run in a private network namespace, -D none -i lo. */

/* The Easy Connect specification's B.1 responder bootstrapping key (DER ECPrivateKey). */
#define B1_PRIV                                                                                    \
	"3077020101042054ce181a98525f217216f59b245f60e9df30ac7f6b26c939418cfc3c42d1afa0a00a06082a" \
	"8"                                                                                        \
	"648ce3d030107a1440342000409c585a91b4df9fd25a045201885c39cc5cfae397ddaeda957dec57fa0e3503" \
	"f"                                                                                        \
	"52bf05968198a2f92883e96a386d767579883302dbf292105c90a43694c2fd5c"
#define B1_K	"MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgACCcWFqRtN+f0loEUgGIXDnMXPrjl92u2pV97Ff6DjUD8="
#define B1_URI	"DPP:V:2;K:" B1_K ";;" /* wpa_supplicant's URI for key=B1_PRIV */
#define B1_HASH "922ddd7a3ed69f46125d772bbe6017cd4e03870dc014509e38b54628e157a87d"
/* The spec's B.1 "R ASN.1" (DER SPKI, compressed point) as iwd's unit/test-dpp.c gives it. */
#define B1_ASN1                                                                                    \
	"3039301306072a8648ce3d020106082a8648ce3d0301070322000209c585a91b4df9fd25a045201885c39cc5" \
	"cf"                                                                                       \
	"ae397ddaeda957dec57fa0e3503f"
/* The same key uncompressed: wpa_supplicant hashes the K: bytes as given. */
#define B1_K_UNC                                         \
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAECcWFqRtN+"  \
	"f0loEUgGIXDnMXPrjl92u2pV97Ff6DjUD9SvwWWgZii+Si" \
	"D6Wo4bXZ1eYgzAtvykhBckKQ2lML9XA=="
#define B1_HASH_UNC "724ade549425eaaa4a0910b02031a33b9ff0921e8d588bbebfcd598c69ae49fc"

/* A fixed P-384 key; wpa_supplicant with chan=81/1,6,11,115/36 mac=52:54:00:58:28:e5
 * info=HomeGate-Test gave P384_URI. */
#define P384_PRIV                                                                                  \
	"3081a4020101043088cf4a6456f3e34f13733ab668254e5e416495510eb76eea41fb0666f76f71d5c9e94bee" \
	"0d"                                                                                       \
	"befc434c7b67ec8198fcdaa00706052b81040022a164036200043d864341ea71781c04e172363ad2da81cbf8" \
	"27"                                                                                       \
	"29a6cb94471751691d0dab55cdc5d43cc53a127e6c4402bce6b5b1d42c763ee02494ca8cf77f4a24ce908d7d" \
	"9f"                                                                                       \
	"a0abfb165fc84a6acbf9b161652c03ff1d7cfad698f86d3cbb8d67908bf0c798"
#define P384_URI                                                                             \
	"DPP:C:81/1,6,11,115/36;M:5254005828e5;I:HomeGate-Test;V:2;K:MEYwEAYHKoZIzj0CAQYFK4" \
	"EEACIDMgACPYZDQepxeBwE4XI2OtLagcv4Jymmy5RHF1FpHQ2rVc3F1DzFOhJ+bEQCvOa1sdQs;;"
#define P384_HASH "43248447b4caf6f41b342e2fcec266d3c9776b41e77c425c9faa5295786855b3"

/* The Easy Connect §5.2.1 example URI (also iwd's "all_values" test). */
#define SPEC_K	 "MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgADURzxmttZoIRIPWGoQMV00XHWCAQIhXruVWOz0NjlkIA="
#define SPEC_URI "DPP:C:81/1,115/36;I:SN=4774LH2b4044;M:5254005828e5;V:2;K:" SPEC_K ";;"

static const struct {
	const char *uri, *hash;
	int nid;
} wpas_kat[] = {
	{"DPP:V:2;K:MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgAC/"
	 "9lBw8KryRK8DXeCV4KP4UJgUmWiQzDHOT5stD2B5Fo="
	 ";;",
		"2ec654a4f217346a6bbcc7bba66c96e3a15bf3dd430e712063944287106d4429",
		NID_X9_62_prime256v1},
	{B1_URI, B1_HASH, NID_X9_62_prime256v1},
	{"DPP:C:81/1,115/36;M:5254005828e5;I:HomeGate-Test;V:2;K:MEYwEAYHKoZIzj0CAQYFK4EEACIDMgACG1"
	 "fqJ0M27hewFnl1EspkVr4SVlmWwwF/Orz9s9Ish/+t/K0iL5DCT0vXiRgxvuSa;;",
		"f9541bdc3aa5f34d5e01ed818901eee7a11abf4dabae5ee138cc390a546407c6", NID_secp384r1},
	{"DPP:V:2;K:MFgwEAYHKoZIzj0CAQYFK4EEACMDRAACAXbf3SY/Jat5T6f1kjWM7/"
	 "2bwj0z34nmyqVmEIhxUVABYVa6"
	 "gO1UE6ysCew4GYvFDuKlaySfgewmyki4Y2cmvIm3;;",
		"73c62424a543d038bd123e7089cd4dfcaa75163d6aeb491d7796cfb34ad001e2", NID_secp521r1},
	{"DPP:V:2;K:MDowFAYHKoZIzj0CAQYJKyQDAwIIAQEHAyIAA2O6n8oLNB4e23Wc96L1fcfRN4RGGxpCg4uEGQqLYV+"
	 "6;"
	 ";",
		"5863086787ba56b5fbcb0021ed4c099c65c29777b3abbc0c3c83e7d3f1a0afb8",
		NID_brainpoolP256r1},
	{"DPP:K:" B1_K_UNC ";;", B1_HASH_UNC, NID_X9_62_prime256v1},
	{SPEC_URI, "a85f7e51e2ca05f25e22705eb6cd0150fb6d4ffd14ca00dbe9679fe7a629f485",
		NID_X9_62_prime256v1},
	{"DPP:C:81/1,6,11;Z:whatever;K:MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgADM2206avxHJaHXgLMkq/"
	 "24e0rs"
	 "rfMP9K1Tm8gx+ovP0I=;;",
		"bc4cbe2a7f4735f6db5ea817ee468d46110e47fa58833f4ecaacce775b657302",
		NID_X9_62_prime256v1},
	{P384_URI, P384_HASH, NID_secp384r1},
	/* Made by dpp_uri_make, read by wpa_supplicant with DPP_QR_CODE (num_freq=3, mac, info as
	 * given; B: and H: it does not know, and skips): its pkhash. */
	{"DPP:C:81/1,6,115/"
	 "36;M:021122334455;I:hg;V:2;B:f3;H:192.0.2.7:7000;K:MEowFAYHKoZIzj0CAQYJKyQ"
	 "DAwIIAQELAzIAAlph9+JS6x3pGGdjcx02o67rKZo/1ai8h5GAi11TZOrOZuZzn2/RV+ZqFhAC5QjoGA==;;",
		"ad4e318239d065dc7e15191e1c69ad2552ac0112313293b57650bd6e24ed6abc",
		NID_brainpoolP384r1},
	{"DPP:C:81/1,6,115/"
	 "36;M:021122334455;I:hg;V:2;B:f3;H:192.0.2.7:7000;K:MFowFAYHKoZIzj0CAQYJKyQ"
	 "DAwIIAQENA0IAAyyVGzghMsVQIyiImjkqh9WcNANtbPa7OsmefiJjrPuOsJXr2hhsbem8kDaH0pZePU+"
	 "85t4l8ALhC"
	 "Lr+Ds5N/2Y=;;",
		"e8e706ad2dda7f1b7852bc9a0f678646e6fe2a517be3662c404c974aa0c1b5e0",
		NID_brainpoolP512r1},
};

static void unhex(const char *s, uint8_t *out, size_t n)
{
	assert_int_equal(strlen(s), 2 * n);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static EVP_PKEY *load_priv(const char *hex)
{
	uint8_t der[256];
	const unsigned char *p = der;
	size_t n = strlen(hex) / 2;
	EVP_PKEY *k;

	assert_true(n <= sizeof(der));
	unhex(hex, der, n);
	k = d2i_AutoPrivateKey(NULL, &p, (long)n);
	assert_non_null(k);
	return k;
}

static EVP_PKEY *spki_key(const struct dpp_uri *u)
{
	const unsigned char *p = u->spki;
	EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)u->spki_len);

	assert_non_null(k);
	return k;
}

/* Parses a copy of exactly len bytes, so that ASan sees any read past the end. */
static int parse_n(const char *s, size_t len, struct dpp_uri *u)
{
	char *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, s, len);
	ret = dpp_uri_parse(copy, len, u, err, sizeof(err));
	free(copy);
	return ret;
}

static int parse(const char *s, struct dpp_uri *u)
{
	return parse_n(s, strlen(s), u);
}

static void test_wpas_known_answers(void **state)
{
	struct dpp_uri u;
	uint8_t want[32], h[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(wpas_kat); i++) {
		EVP_PKEY *k;

		if (parse(wpas_kat[i].uri, &u) != 0)
			fail_msg("case %zu: %s", i, err);
		unhex(wpas_kat[i].hash, want, 32);
		assert_memory_equal(u.key_hash, want, 32);
		assert_int_equal(u.curve_nid, wpas_kat[i].nid);
		/* For the compressed form (all but the one uncompressed case), the hash of the key
		 * itself is the same. */
		k = spki_key(&u);
		assert_int_equal(dpp_bootstrap_key_hash(k, h), 0);
		assert_int_equal(memcmp(h, want, 32) == 0, !(u.flags & DPP_URI_KEY_UNCOMPRESSED));
		EVP_PKEY_free(k);
	}
}

static void test_spec_example(void **state)
{
	const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x58, 0x28, 0xe5};
	struct dpp_uri u;

	(void)state;
	assert_int_equal(parse(SPEC_URI, &u), 0);
	assert_int_equal(u.flags,
		DPP_URI_HAS_CHANNELS | DPP_URI_HAS_MAC | DPP_URI_HAS_INFO | DPP_URI_HAS_VERSION);
	assert_int_equal(u.nchans, 2);
	assert_int_equal(u.chans[0].op_class, 81);
	assert_int_equal(u.chans[0].channel, 1);
	assert_int_equal(u.chans[1].op_class, 115);
	assert_int_equal(u.chans[1].channel, 36);
	assert_memory_equal(u.mac.b, mac, 6);
	assert_string_equal(u.info, "SN=4774LH2b4044");
	assert_int_equal(u.version, 2);
	assert_int_equal(u.spki_len, 59);
	assert_int_equal(u.curve_nid, NID_X9_62_prime256v1);
}

static void test_spec_b1_key(void **state)
{
	EVP_PKEY *k = load_priv(B1_PRIV);
	struct dpp_uri u, opts = {.flags = DPP_URI_HAS_VERSION, .version = 2};
	uint8_t asn1[59], want[32], h[32];
	char buf[DPP_URI_MAX + 1];

	(void)state;
	/* Our K: for the spec's key is the spec's R ASN.1 byte for byte... */
	assert_int_equal(parse(B1_URI, &u), 0);
	unhex(B1_ASN1, asn1, sizeof(asn1));
	assert_int_equal(u.spki_len, sizeof(asn1));
	assert_memory_equal(u.spki, asn1, sizeof(asn1));
	/* ...its hash is wpa_supplicant's pkhash, and the URI we make is wpa_supplicant's. */
	unhex(B1_HASH, want, 32);
	assert_int_equal(dpp_bootstrap_key_hash(k, h), 0);
	assert_memory_equal(h, want, 32);
	assert_int_equal(dpp_uri_make(k, &opts, buf, sizeof(buf)), strlen(B1_URI));
	assert_string_equal(buf, B1_URI);
	/* Uncompressed in the URI: accepted and flagged; the hash is over the bytes as given
	 * (wpa_supplicant's answer), while the key's own hash stays the compressed one. */
	assert_int_equal(parse("DPP:K:" B1_K_UNC ";;", &u), 0);
	assert_int_equal(u.flags, DPP_URI_KEY_UNCOMPRESSED);
	assert_int_equal(u.spki_len, 91);
	unhex(B1_HASH_UNC, want, 32);
	assert_memory_equal(u.key_hash, want, 32);
	EVP_PKEY_free(k);
}

static void test_make_matches_wpas_p384(void **state)
{
	EVP_PKEY *k = load_priv(P384_PRIV);
	struct dpp_uri opts = {
		.flags = DPP_URI_HAS_CHANNELS | DPP_URI_HAS_MAC | DPP_URI_HAS_INFO |
			DPP_URI_HAS_VERSION,
		.chans = {{81, 1}, {81, 6}, {81, 11}, {115, 36}},
		.nchans = 4,
		.mac = {{0x52, 0x54, 0x00, 0x58, 0x28, 0xe5}},
		.info = "HomeGate-Test",
		.version = 2,
	};
	uint8_t want[32], h[32];
	char buf[DPP_URI_MAX + 1];

	(void)state;
	assert_int_equal(dpp_uri_make(k, &opts, buf, sizeof(buf)), strlen(P384_URI));
	assert_string_equal(buf, P384_URI);
	unhex(P384_HASH, want, 32);
	assert_int_equal(dpp_bootstrap_key_hash(k, h), 0);
	assert_memory_equal(h, want, 32);
	EVP_PKEY_free(k);
}

static void test_order_and_unknown(void **state)
{
	static const char *const uris[] = {
		"DPP:K:" SPEC_K ";V:2;M:5254005828e5;I:SN=4774LH2b4044;C:81/1,115/36;;",
		"DPP:M:5254005828e5;K:" SPEC_K ";C:81/1,115/36;V:2;I:SN=4774LH2b4044;;",
		/* Unknown letters, lower case ones (not the known tokens) and empty values are
		 * skipped. */
		"DPP:Z:whatever;C:81/1,115/36;X:;I:SN=4774LH2b4044;k:junk;M:5254005828e5;"
		"Q:a b:c/d=e;V:2;K:" SPEC_K ";m:00;;",
	};
	struct dpp_uri ref, u;

	(void)state;
	assert_int_equal(parse(SPEC_URI, &ref), 0);
	for (size_t i = 0; i < ARRAY_SIZE(uris); i++) {
		if (parse(uris[i], &u) != 0)
			fail_msg("case %zu: %s", i, err);
		assert_memory_equal(&u, &ref, sizeof(u));
	}
	/* Only K; the empty I: is an I: that says nothing. */
	assert_int_equal(parse("DPP:K:" SPEC_K ";;", &u), 0);
	assert_int_equal(u.flags, 0);
	assert_memory_equal(u.key_hash, ref.key_hash, 32);
	assert_int_equal(parse("DPP:I:;K:" SPEC_K ";;", &u), 0);
	assert_int_equal(u.flags, DPP_URI_HAS_INFO);
	assert_string_equal(u.info, "");
}

static void test_channels(void **state)
{
	struct dpp_uri u;
	char buf[DPP_URI_MAX + 1];
	int n;

	(void)state;
	/* A channel without '/' belongs to the last operating class. */
	assert_int_equal(parse("DPP:C:81/1,6,11,115/36,40,124/149;K:" SPEC_K ";;", &u), 0);
	assert_int_equal(u.nchans, 6);
	assert_int_equal(u.chans[2].op_class, 81);
	assert_int_equal(u.chans[2].channel, 11);
	assert_int_equal(u.chans[4].op_class, 115);
	assert_int_equal(u.chans[4].channel, 40);
	assert_int_equal(u.chans[5].op_class, 124);
	assert_int_equal(u.chans[5].channel, 149);
	assert_int_equal(parse("DPP:C:255/255,001/007;K:" SPEC_K ";;", &u), 0);
	assert_int_equal(u.chans[1].op_class, 1);
	assert_int_equal(u.chans[1].channel, 7);
	/* 32 channels fit, 33 do not. */
	n = snprintf(buf, sizeof(buf), "DPP:C:81/1");
	for (int i = 2; i <= 32; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ",%d", i);
	snprintf(buf + n, sizeof(buf) - (size_t)n, ";K:%s;;", SPEC_K);
	assert_int_equal(parse(buf, &u), 0);
	assert_int_equal(u.nchans, 32);
	assert_int_equal(u.chans[31].channel, 32);
	snprintf(buf + n, sizeof(buf) - (size_t)n, ",33;K:%s;;", SPEC_K);
	assert_int_equal(parse(buf, &u), -EINVAL);
	assert_non_null(strstr(err, "C: more than 32 channels"));
}

static void test_host(void **state)
{
	static const struct {
		const char *h, *host;
		uint16_t port;
	} ok[] = {
		{"192.0.2.10", "192.0.2.10", DPP_TCP_PORT},
		{"192.0.2.10:7871", "192.0.2.10", 7871},
		{"2001:db8::1", "2001:db8::1", DPP_TCP_PORT},
		{"[2001:db8::1]", "2001:db8::1", DPP_TCP_PORT},
		{"[fe80::1:2]:65535", "fe80::1:2", 65535},
		{"controller.example", "controller.example", DPP_TCP_PORT},
		{"Ctrl-1.home.arpa:1", "Ctrl-1.home.arpa", 1},
		{"localhost", "localhost", DPP_TCP_PORT},
	};
	struct dpp_uri u;
	char buf[512];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		snprintf(buf, sizeof(buf), "DPP:H:%s;K:%s;;", ok[i].h, SPEC_K);
		if (parse(buf, &u) != 0)
			fail_msg("case %zu: %s", i, err);
		assert_int_equal(u.flags, DPP_URI_HAS_HOST);
		assert_string_equal(u.host, ok[i].host);
		assert_int_equal(u.port, ok[i].port);
	}
}

static void test_curves(void **state)
{
	static const struct {
		const char *b;
		uint8_t v;
	} ok[] = {{"1", 0x01}, {"3", 0x03}, {"f", 0x0f}, {"F", 0x0f}, {"13", 0x31}, {"03", 0x30},
		{"0", 0x00}};
	struct dpp_uri u;
	char buf[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		snprintf(buf, sizeof(buf), "DPP:B:%s;K:%s;;", ok[i].b, SPEC_K);
		assert_int_equal(parse(buf, &u), 0);
		assert_int_equal(u.flags, DPP_URI_HAS_CURVES);
		assert_int_equal(u.curves, ok[i].v);
	}
}

static void test_rejections(void **state)
{
#define K ";K:" SPEC_K ";;"
	static const char *const bad[][2] = {
		{"dpp:K:" SPEC_K ";;", "no \"DPP:\" prefix"},
		{"DPP", "no \"DPP:\" prefix"},
		{" DPP:K:" SPEC_K ";;", "no \"DPP:\" prefix"},
		{"DPP:", "no \";;\" at the end"},
		{"DPP:K:" SPEC_K ";", "no \";;\" at the end"},
		{"DPP:K:" SPEC_K, "not ended by ';'"},
		{"DPP:K:" SPEC_K ";;\n", "1 bytes after \";;\""},
		{"DPP:K:" SPEC_K ";;C:81/1;;", "bytes after \";;\""},
		{"DPP:;K:" SPEC_K ";;", "bytes after \";;\""},
		{"DPP:;;", "missing K"},
		{"DPP:V:2;;", "missing K"},
		{"DPP:C:81/1;M:5254005828e5;;", "missing K"},
		{"DPP:KK;K:" SPEC_K ";;", "not \"X:value\""},
		{"DPP::x;K:" SPEC_K ";;", "not \"X:value\""},
		{"DPP:1:x;K:" SPEC_K ";;", "not \"X:value\""},
		{"DPP:K;;", "not \"X:value\""},
		{"DPP:I:caf\xc3\xa9" K, "I: byte 0xc3"},
		{"DPP:I:a\tb" K, "I: byte 0x09"},
		{"DPP:Z:a\x7f" K, "Z: byte 0x7f"},
		{"DPP:K:" SPEC_K ";K:" SPEC_K ";;", "K: given twice"},
		{"DPP:C:81/1;C:81/1" K, "C: given twice"},
		{"DPP:M:5254005828e5;M:5254005828e5" K, "M: given twice"},
		{"DPP:I:a;I:a" K, "I: given twice"},
		{"DPP:V:2;V:2" K, "V: given twice"},
		{"DPP:H:a.example;H:b.example" K, "H: given twice"},
		{"DPP:B:1;B:1" K, "B: given twice"},
		{"DPP:C:" K, "C: empty"},
		{"DPP:C:81" K, "C: channel 81 without an operating class"},
		{"DPP:C:81/" K, "C: no channel"},
		{"DPP:C:81/1," K, "C: ends in ','"},
		{"DPP:C:81/1,81/" K, "C: no channel"},
		{"DPP:C:81/1,/" K, "C: expected a number"},
		{"DPP:C:/1" K, "C: expected a number"},
		{"DPP:C:81/1;6" K, "not \"X:value\""},
		{"DPP:C:81/1 6" K, "C: unexpected ' '"},
		{"DPP:C:81/1,,6" K, "C: expected a number"},
		{"DPP:C:0/1" K, "C: operating class 0 not in 1..255"},
		{"DPP:C:256/1" K, "C: operating class 256"},
		{"DPP:C:81/0" K, "C: channel 0 not in 1..255"},
		{"DPP:C:81/300" K, "C: channel 300"},
		{"DPP:C:0081/1" K, "C: expected a number of 1-3 digits"},
		{"DPP:C:81/1-6" K, "C: unexpected '-'"},
		{"DPP:M:5254005828e" K, "M: not 12 hex digits"},
		{"DPP:M:5254005828e5f" K, "M: not 12 hex digits"},
		{"DPP:M:52:54:00:58:28:e5" K, "M: not 12 hex digits"},
		{"DPP:M:5254005828eg" K, "M: not 12 hex digits"},
		{"DPP:M:" K, "M: not 12 hex digits"},
		{"DPP:M:0154005828e5" K, "M: a group address"},
		{"DPP:M:ffffffffffff" K, "M: a group address"},
		{"DPP:M:000000000000" K, "M: all zeros"},
		{"DPP:I:"
		 "012345678901234567890123456789012345678901234567890123456789012345678901234567"
		 "890" K,
			"I: longer than 80"},
		{"DPP:V:" K, "V: not a decimal 1..255"},
		{"DPP:V:0" K, "V: not a decimal 1..255"},
		{"DPP:V:02" K, "V: not a decimal 1..255"},
		{"DPP:V:256" K, "V: not a decimal 1..255"},
		{"DPP:V:2a" K, "V: not a decimal 1..255"},
		{"DPP:V:+2" K, "V: not a decimal 1..255"},
		{"DPP:V:1000" K, "V: not a decimal 1..255"},
		{"DPP:B:" K, "B: not 1 or 2 hex digits"},
		{"DPP:B:123" K, "B: not 1 or 2 hex digits"},
		{"DPP:B:g" K, "B: not 1 or 2 hex digits"},
		{"DPP:B:1g" K, "B: not 1 or 2 hex digits"},
		{"DPP:H:" K, "H: empty"},
		{"DPP:H:192.0.2.1:0" K, "H: port not in 1..65535"},
		{"DPP:H:192.0.2.1:65536" K, "H: port not in 1..65535"},
		{"DPP:H:192.0.2.1:" K, "H: port not in 1..65535"},
		{"DPP:H:192.0.2.1:80a" K, "H: port not in 1..65535"},
		{"DPP:H:192.0.2.256" K, "H: not an IP address or a DNS name"},
		{"DPP:H:192.0.2" K, "H: not an IP address or a DNS name"},
		{"DPP:H:a..example" K, "H: not an IP address or a DNS name"},
		{"DPP:H:-a.example" K, "H: not an IP address or a DNS name"},
		{"DPP:H:a-.example" K, "H: not an IP address or a DNS name"},
		{"DPP:H:a.example." K, "H: not an IP address or a DNS name"},
		{"DPP:H:a_b.example" K, "H: not an IP address or a DNS name"},
		{"DPP:H:a b" K, "H: not an IP address or a DNS name"},
		{"DPP:H:2001:db8::g" K, "H: not an IP address or a DNS name"},
		{"DPP:H:fe80::1%eth0" K, "H: not an IP address or a DNS name"},
		{"DPP:H:[2001:db8::1" K, "H: '[' without ']'"},
		{"DPP:H:[192.0.2.1]" K, "H: not an IPv6 address inside [ ]"},
		{"DPP:H:[2001:db8::1]8908" K, "H: bad port after [IPv6]"},
		{"DPP:H:[2001:db8::1]:" K, "H: bad port after [IPv6]"},
		{"DPP:H:[2001:db8::1]:99999" K, "H: bad port after [IPv6]"},
		{"DPP:K:;;", "K: empty"},
		{"DPP:K:"
		 "MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgADURzxmttZoIRIPWGoQMV00XHWCAQIhXruVWOz0NjlkIA;"
		 ";",
			"K: not canonical padded base64"},
		{"DPP:K:"
		 "MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgADURzxmttZoIRIPWGoQMV00XHWCAQIhXruVWOz0NjlkIB=;"
		 ";",
			"K: not canonical padded base64"},
		{"DPP:K:MDkw*"
		 "wYHKoZIzj0CAQYIKoZIzj0DAQcDIgADURzxmttZoIRIPWGoQMV00XHWCAQIhXruVWOz0NjlkIA=;"
		 ";",
			"K: not canonical padded base64"},
		{"DPP:K:MDkw="
		 "wYHKoZIzj0CAQYIKoZIzj0DAQcDIgADURzxmttZoIRIPWGoQMV00XHWCAQIhXruVWOz0NjlkIA=;"
		 ";",
			"K: not canonical padded base64"},
		{"DPP:K:"
		 "MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgADURzxmttZoIRIPWGoQMV00XHWCAQIhXruVWOz0Njlk===;"
		 ";",
			"K: not canonical padded base64"},
		{"DPP:K:"
		 "MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgADURzxmttZoIRIPWGoQMV00XHWCAQIhXruVWOz0Njlk"
		 "IA= ;;",
			"K: not canonical padded base64"},
		{"DPP:K:c2hvdWxkbm90bWF0dGVy;;", "K: not a DER SubjectPublicKeyInfo"},
		/* iwd's bad_key: cut short, so no longer whole base64 */
		{"DPP:K:MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgADURzxmttZoIRIPWGoQMV00XHWCAQIhXruVWOz0;"
		 ";",
			"K: not canonical padded base64"},
		/* the B.1 key's SPKI less its last 2 bytes */
		{"DPP:K:MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgACCcWFqRtN+"
		 "f0loEUgGIXDnMXPrjl92u2pV97Ff6Dj;;",
			"K: not a DER SubjectPublicKeyInfo"},
		{"DPP:K:MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgACCcWFqRtN+"
		 "f0loEUgGIXDnMXPrjl92u2pV97Ff6DjUD8"
		 "A;;",
			"K: bytes after the SubjectPublicKeyInfo"},
		{"DPP:K:MIE5MBMGByqGSM49AgEGCCqGSM49AwEHAyIAAgnFhakbTfn9JaBFIBiFw5zFz645fdrtqVfexX+"
		 "g41A"
		 "/;;",
			"K: not DER"},
		/* the spec key with 5 unused bits in the BIT STRING (its last byte is 0x80): OpenSSL takes
		 * it as the same key, but the hash over these bytes would not be the key's */
		{"DPP:K:"
		 "MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgUDURzxmttZoIRIPWGoQMV00XHWCAQIhXruVWOz0NjlkIA="
		 ";;",
			"K: not DER"},
		{"DPP:K:MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAKtnSmi5MDaBiCvIT3pqOxkV+"
		 "2xpbHraxm6WqwOv8yKy5xx"
		 "NyKoMd5mawEkbtq/8wjJ6tote+lAb8WOkPOAQwZUCAwEAAQ==;;",
			"K: not an EC public key"},
		{"DPP:K:MCowBQYDK2VwAyEAyJAz4RoVo6ulg/Fa3qAkAbNrOdRx7PlPpyJw1AF8KkQ=;;",
			"K: not an EC public key"},
		{"DPP:K:MDIwEAYHKoZIzj0CAQYFK4EEACEDHgAC5EvqEE2PCqwf8pGAEI6iu4BiAwEc87snifWcQg==;;",
			"K: unsupported curve secp224r1"},
		{"DPP:K:MDYwEAYHKoZIzj0CAQYFK4EEAAoDIgAC/"
		 "z1QRnBDYnBkecSLGeeSxAezyMTbTKx4HVSeuNVTuWs=;;",
			"K: unsupported curve secp256k1"},
		{"DPP:K:MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAGrIR1aqb+/"
		 "ftDWRSXQ4cdY5+HFaf71gSNhN3iclpAvT6gD"
		 "PAyEVNBh+sqCWWbLyWM1PvKUgNUIvoJL7/1Bsk1vA==;;",
			"K: point neither compressed nor uncompressed"},
		{"DPP:K:MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAECcWFqRtN+"
		 "f0loEUgGIXDnMXPrjl92u2pV97Ff6DjUD9Sv"
		 "wWWgZii+SiD6Wo4bXZ1eYgzAtvykhBckKQ2lML9XQ==;;",
			"K: point is not on the curve"},
		{"DPP:K:MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgACCcWFqRtN+"
		 "f0loEUgGIXDnMXPrjl92u2pV97Ff6DjUAA"
		 "=;;",
			"K: point is not on the curve"},
	};
#undef K
	struct dpp_uri u, zero;

	(void)state;
	memset(&zero, 0, sizeof(zero));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&u, 0xa5, sizeof(u));
		if (parse(bad[i][0], &u) != -EINVAL)
			fail_msg("case %zu accepted", i);
		if (!strstr(err, bad[i][1]))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, bad[i][1]);
		/* Nothing of a rejected URI is left for the caller to use by mistake. */
		assert_memory_equal(&u, &zero, sizeof(u));
	}
	assert_int_equal(dpp_uri_parse(NULL, 0, &u, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "empty URI"));
	assert_int_equal(dpp_uri_parse("", 0, &u, err, sizeof(err)), -EINVAL);
	/* err may be omitted */
	assert_int_equal(dpp_uri_parse("x", 1, &u, NULL, 0), -EINVAL);
	/* A NUL inside is a byte like any other, not the end. */
	assert_int_equal(
		parse_n("DPP:I:a\0b;K:" SPEC_K ";;", 12 + strlen(SPEC_K) + 2, &u), -EINVAL);
	assert_non_null(strstr(err, "I: byte 0x00"));
}

static void test_lengths(void **state)
{
	char buf[DPP_URI_MAX + 64], name[300];
	struct dpp_uri u;
	int n;

	(void)state;
	/* I: of 80 characters fits. */
	n = snprintf(buf, sizeof(buf), "DPP:I:");
	memset(buf + n, 'i', DPP_URI_INFO_MAX);
	snprintf(buf + n + DPP_URI_INFO_MAX, sizeof(buf) - (size_t)n - DPP_URI_INFO_MAX, ";K:%s;;",
		SPEC_K);
	assert_int_equal(parse(buf, &u), 0);
	assert_int_equal(strlen(u.info), DPP_URI_INFO_MAX);
	/* A host name of 253 characters fits, 254 does not; so does the H: limit of 255. */
	memset(name, 'a', sizeof(name));
	for (int i = 63; i < 253; i += 64)
		name[i] = '.';
	name[253] = '\0';
	snprintf(buf, sizeof(buf), "DPP:H:%s;K:%s;;", name, SPEC_K);
	assert_int_equal(parse(buf, &u), 0);
	assert_int_equal(strlen(u.host), 253);
	snprintf(buf, sizeof(buf), "DPP:H:%s:1;K:%s;;", name, SPEC_K);
	assert_int_equal(parse(buf, &u), 0);
	snprintf(buf, sizeof(buf), "DPP:H:%s:12;K:%s;;", name, SPEC_K);
	assert_int_equal(parse(buf, &u), -EINVAL);
	assert_non_null(strstr(err, "H: longer than 255"));
	name[253] = 'a';
	name[254] = '\0';
	snprintf(buf, sizeof(buf), "DPP:H:%s;K:%s;;", name, SPEC_K);
	assert_int_equal(parse(buf, &u), -EINVAL);
	assert_non_null(strstr(err, "H: not an IP address or a DNS name"));
	/* A label of 64 characters is too long. */
	memset(name, 'b', 64);
	memcpy(name + 64, ".example", 9);
	snprintf(buf, sizeof(buf), "DPP:H:%s;K:%s;;", name, SPEC_K);
	assert_int_equal(parse(buf, &u), -EINVAL);
	/* The whole URI: exactly DPP_URI_MAX is accepted, one more is not. */
	n = snprintf(buf, sizeof(buf), "DPP:Z:");
	memset(buf + n, 'z', sizeof(buf) - (size_t)n);
	snprintf(buf + DPP_URI_MAX - strlen(SPEC_K) - 5, strlen(SPEC_K) + 6, ";K:%s;;", SPEC_K);
	assert_int_equal(strlen(buf), DPP_URI_MAX);
	assert_int_equal(parse(buf, &u), 0);
	memmove(buf + 7, buf + 6, DPP_URI_MAX - 6 + 1);
	assert_int_equal(parse(buf, &u), -EINVAL);
	assert_non_null(strstr(err, "longer than 1024"));
	/* A K: that decodes to more than 160 bytes. */
	n = snprintf(buf, sizeof(buf), "DPP:K:");
	memset(buf + n, 'A', 220);
	memcpy(buf + n + 220, ";;", 3);
	assert_int_equal(parse(buf, &u), -EINVAL);
	assert_non_null(strstr(err, "K: longer than 160 bytes"));
}

/* Every proper prefix of a valid URI is refused (it lacks the final ";;"), with *out zeroed. */
static void test_truncation(void **state)
{
	const char *full = SPEC_URI;
	size_t len = strlen(full);
	struct dpp_uri u;

	(void)state;
	for (size_t n = 0; n < len; n++) {
		if (parse_n(full, n, &u) != -EINVAL)
			fail_msg("prefix of %zu accepted", n);
		assert_int_equal(u.flags, 0);
		assert_int_equal(u.spki_len, 0);
	}
	assert_int_equal(parse_n(full, len, &u), 0);
}

static void check_round_trip(EVP_PKEY *k, const struct dpp_uri *opts, int nid)
{
	char buf[DPP_URI_MAX + 1], small[16];
	struct dpp_uri u;
	uint8_t h[32];
	int n;

	n = dpp_uri_make(k, opts, buf, sizeof(buf));
	assert_true(n > 0 && n <= DPP_URI_MAX);
	assert_int_equal(strlen(buf), n);
	if (parse(buf, &u) != 0)
		fail_msg("%s: %s", buf, err);
	assert_int_equal(u.curve_nid, nid);
	assert_false(u.flags & DPP_URI_KEY_UNCOMPRESSED);
	assert_int_equal(dpp_bootstrap_key_hash(k, h), 0);
	assert_memory_equal(u.key_hash, h, 32);
	assert_int_equal(u.flags, opts ? opts->flags : 0);
	if (opts) {
		assert_int_equal(u.nchans, opts->nchans);
		assert_memory_equal(u.chans, opts->chans, sizeof(u.chans));
		assert_memory_equal(u.mac.b, opts->mac.b, 6);
		assert_string_equal(u.info, opts->info);
		assert_int_equal(u.version, opts->version);
		assert_int_equal(u.curves, opts->curves);
		assert_string_equal(u.host, opts->host);
		if (opts->flags & DPP_URI_HAS_HOST)
			assert_int_equal(u.port, opts->port ? opts->port : DPP_TCP_PORT);
	}
	/* snprintf semantics: the length needed, a terminated prefix written. */
	assert_int_equal(dpp_uri_make(k, opts, small, sizeof(small)), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, buf, sizeof(small) - 1);
	assert_int_equal(dpp_uri_make(k, opts, NULL, 0), n);
}

static void test_round_trip(void **state)
{
	static const struct {
		const char *name;
		int nid;
	} curves[] = {
		{"P-256", NID_X9_62_prime256v1},
		{"P-384", NID_secp384r1},
		{"P-521", NID_secp521r1},
		{"brainpoolP256r1", NID_brainpoolP256r1},
		{"brainpoolP384r1", NID_brainpoolP384r1},
		{"brainpoolP512r1", NID_brainpoolP512r1},
	};
	struct dpp_uri full = {
		.flags = DPP_URI_HAS_CHANNELS | DPP_URI_HAS_MAC | DPP_URI_HAS_INFO |
			DPP_URI_HAS_VERSION | DPP_URI_HAS_HOST | DPP_URI_HAS_CURVES,
		.chans = {{81, 1}, {81, 6}, {115, 36}, {81, 11}, {255, 255}},
		.nchans = 5,
		.mac = {{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01}},
		.info = "Plug SN:1234 (kitchen) =~!@#$%^&*",
		.version = 3,
		.host = "2001:db8::8",
		.port = 7000,
		.curves = 0x3f,
	};
	struct dpp_uri opts;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(curves); i++) {
		EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curves[i].name);

		assert_non_null(k);
		check_round_trip(k, NULL, curves[i].nid);
		check_round_trip(k, &full, curves[i].nid);
		opts = full;
		util_strlcpy(opts.host, "ctrl.home.arpa", sizeof(opts.host));
		opts.port = DPP_TCP_PORT;
		opts.curves = 0x05;
		check_round_trip(k, &opts, curves[i].nid);
		opts.port = 0; /* means DPP_TCP_PORT */
		util_strlcpy(opts.host, "192.0.2.1", sizeof(opts.host));
		check_round_trip(k, &opts, curves[i].nid);
		opts.nchans = DPP_URI_CHANS_MAX;
		for (size_t c = 0; c < DPP_URI_CHANS_MAX; c++)
			opts.chans[c] = (struct dpp_chan){(uint8_t)(81 + c % 3), (uint8_t)(c + 1)};
		memset(opts.info, '~', DPP_URI_INFO_MAX);
		opts.info[DPP_URI_INFO_MAX] = '\0';
		check_round_trip(k, &opts, curves[i].nid);
		EVP_PKEY_free(k);
	}
}

static void test_make_rejections(void **state)
{
	EVP_PKEY *k = load_priv(B1_PRIV);
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY *p224 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-224");
	struct dpp_uri o;
	uint8_t h[32];
	char buf[DPP_URI_MAX + 1];

	(void)state;
	assert_non_null(ed);
	assert_non_null(p224);
	assert_int_equal(dpp_uri_make(NULL, NULL, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(dpp_uri_make(ed, NULL, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(dpp_uri_make(p224, NULL, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(dpp_bootstrap_key_hash(NULL, h), -EINVAL);
	assert_int_equal(dpp_bootstrap_key_hash(ed, h), -EINVAL);
	assert_int_equal(dpp_bootstrap_key_hash(p224, h), -EINVAL);
	assert_int_equal(dpp_uri_make(k, NULL, NULL, 10), -EINVAL);

	memset(&o, 0, sizeof(o));
	o.flags = DPP_URI_HAS_CHANNELS; /* no channels */
	assert_int_equal(dpp_uri_make(k, &o, buf, sizeof(buf)), -EINVAL);
	o.nchans = 1;
	o.chans[0] = (struct dpp_chan){81, 0};
	assert_int_equal(dpp_uri_make(k, &o, buf, sizeof(buf)), -EINVAL);
	o.chans[0] = (struct dpp_chan){0, 1};
	assert_int_equal(dpp_uri_make(k, &o, buf, sizeof(buf)), -EINVAL);
	o.chans[0] = (struct dpp_chan){81, 1};
	assert_true(dpp_uri_make(k, &o, buf, sizeof(buf)) > 0);
	o.nchans = DPP_URI_CHANS_MAX + 1;
	assert_int_equal(dpp_uri_make(k, &o, buf, sizeof(buf)), -EINVAL);

	memset(&o, 0, sizeof(o));
	o.flags = DPP_URI_HAS_MAC; /* all zeros */
	assert_int_equal(dpp_uri_make(k, &o, buf, sizeof(buf)), -EINVAL);
	o.mac.b[0] = 0x01; /* group */
	assert_int_equal(dpp_uri_make(k, &o, buf, sizeof(buf)), -EINVAL);

	memset(&o, 0, sizeof(o));
	o.flags = DPP_URI_HAS_INFO;
	util_strlcpy(o.info, "a;b", sizeof(o.info));
	assert_int_equal(dpp_uri_make(k, &o, buf, sizeof(buf)), -EINVAL);
	util_strlcpy(o.info, "tab\there", sizeof(o.info));
	assert_int_equal(dpp_uri_make(k, &o, buf, sizeof(buf)), -EINVAL);
	memset(o.info, 'x', sizeof(o.info)); /* not terminated */
	assert_int_equal(dpp_uri_make(k, &o, buf, sizeof(buf)), -EINVAL);

	memset(&o, 0, sizeof(o));
	o.flags = DPP_URI_HAS_VERSION; /* 0 */
	assert_int_equal(dpp_uri_make(k, &o, buf, sizeof(buf)), -EINVAL);

	memset(&o, 0, sizeof(o));
	o.flags = DPP_URI_HAS_HOST;
	assert_int_equal(dpp_uri_make(k, &o, buf, sizeof(buf)), -EINVAL); /* empty */
	util_strlcpy(o.host, "bad host", sizeof(o.host));
	assert_int_equal(dpp_uri_make(k, &o, buf, sizeof(buf)), -EINVAL);
	util_strlcpy(o.host, "[2001:db8::1]", sizeof(o.host));
	assert_int_equal(dpp_uri_make(k, &o, buf, sizeof(buf)), -EINVAL);
	util_strlcpy(o.host, "192.0.2.1:80", sizeof(o.host));
	assert_int_equal(dpp_uri_make(k, &o, buf, sizeof(buf)), -EINVAL);

	EVP_PKEY_free(p224);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wpas_known_answers),
		cmocka_unit_test(test_spec_example),
		cmocka_unit_test(test_spec_b1_key),
		cmocka_unit_test(test_make_matches_wpas_p384),
		cmocka_unit_test(test_order_and_unknown),
		cmocka_unit_test(test_channels),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_curves),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_make_rejections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
