/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the DPP authentication cryptography: the Easy Connect P-256 test vectors,
 * RFC 5297 AES-SIV and RFC 5869 HKDF known answers, hostile keys refused, P-384/P-521 agreement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "onboard/dpp_crypto.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/obj_mac.h>

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s) / 2;

	assert_int_equal(strlen(s) % 2, 0);
	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		assert_int_equal(sscanf(s + 2 * i, "%2x", &b), 1);
		out[i] = (uint8_t)b;
	}
	return n;
}

static void assert_hex(const uint8_t *got, size_t len, const char *want)
{
	uint8_t w[512];

	assert_int_equal(unhex(want, w, sizeof(w)), len);
	assert_memory_equal(got, w, len);
}

static EVP_PKEY *priv_key(const struct dpp_curve *c, const char *hex)
{
	uint8_t d[DPP_MAX_PRIME];
	EVP_PKEY *k = NULL;
	size_t n = unhex(hex, d, sizeof(d));

	assert_int_equal(dpp_key_from_priv(c, d, n, &k), 0);
	assert_non_null(k);
	return k;
}

static EVP_PKEY *pub_key(const struct dpp_curve *c, const char *hex)
{
	uint8_t xy[2 * DPP_MAX_PRIME];
	EVP_PKEY *k = NULL;
	size_t n = unhex(hex, xy, sizeof(xy));

	assert_int_equal(dpp_key_from_xy(c, xy, n, &k), 0);
	assert_non_null(k);
	return k;
}

/* Wi-Fi Easy Connect Specification v2.0, Appendix B.1 (P-256, mutual authentication) and B.2
 * (responder-only), as typed in by iwd's unit/test-dpp.c (mutual_p256, responder_only_p256).
 * The spec prints bI's Y with 31 octets; iwd restores the leading zero byte. */
static const struct {
	const char *bi, *pi, *br, *pr, *inonce, *rnonce;
	const char *bi_xy, *pi_xy, *br_xy, *pr_xy;
	const char *mx, *nx, *lx, *k1, *k2, *ke_mutual, *ke_ronly;
	const char *r_auth_mutual, *i_auth_mutual, *r_auth_ronly, *i_auth_ronly;
} b1 = {
	.bi = "15b2a83c5a0a38b61f2aa8200ee4994b8afdc01c58507d10d0a38f7eedf051bb",
	.pi = "a87de9afbb406c96e5f79a3df895ecac3ad406f95da66314c8cb3165e0c61783",
	.br = "54ce181a98525f217216f59b245f60e9df30ac7f6b26c939418cfc3c42d1afa0",
	.pr = "f798ed2e19286f6a6efe210b1863badb99af2a14b497634dbfd2a97394fb5aa5",
	.inonce = "13f4602a16daeb69712263b9c46cba31",
	.rnonce = "3d0cfb011ca916d796f7029ff0b43393",
	.bi_xy = "88b37ed91938b5197097808a6244847617892046d93b9501afd48fa0f148dfde"
		 "00f73b6991287884a9c9a33f8e0691f14d44b59811e9d8242d010270b0d33ec0",
	.pi_xy = "50a532ae2a07207276418d2fa630295d45569be425aa634f02014d00a7d1f61a"
		 "e14f35a5a858bccad90d126c46594c49ef82655e78888e15a32d916ac2172491",
	.br_xy = "09c585a91b4df9fd25a045201885c39cc5cfae397ddaeda957dec57fa0e3503f"
		 "52bf05968198a2f92883e96a386d767579883302dbf292105c90a43694c2fd5c",
	.pr_xy = "5e3fb3576884887f17c3203d8a3a6c2fac722ef0e2201b61ac73bc655c709a90"
		 "2d4b030669fb9eff8b0a79fa7c1a172ac2a92c626256963f9274dc90682c81e5",
	.mx = "dde2878117d69745be4f916a2dd14269d783d1d788c603bb8746beabbd1dbbbc",
	.nx = "92118478b75c21c2c59340c842b5bce560a535f60bc37a75fe390d738c58d8e8",
	.lx = "fb737234c973cc3a36e64e5170a32f12089d198c73c2fd85a53d0b282530fd02",
	.k1 = "3d832a02ed6d7fc1dc96d2eceab738cf01c0028eb256be33d5a21a720bfcf949",
	.k2 = "ca08bdeeef838ddf897a5f01f20bb93dc5a895cb86788ca8c00a7664899bc310",
	.ke_mutual = "b6db65526c9a0174c3bed56f7e614f3a656233c078693249ac3516425127e5d5",
	.ke_ronly = "c8882a8ab30c878467822534138c704ede0ab1e873fe03b601a7908463fec87a",
	.r_auth_mutual = "a725abe6dc66ccf3aa3d6d61a19932fcbb0799ed09ff78e5bc6d4ea5ef8e8670",
	.i_auth_mutual = "d34944bb4b1f05caebda762c6e4ae034c819ec2f62a57dcfade2473876e007b2",
	.r_auth_ronly = "43509ef7137d8c2fbe66d802ae09dedd94d41b8cbfafb4954782014ff4a3f91c",
	.i_auth_ronly = "787d1189b526448d2901e7f6c22775ce514fce52fc886c1e924f2fbb8d97b210",
};

static void test_curves(void **state)
{
	const struct dpp_curve *c;
	EVP_PKEY *k = NULL;

	(void)state;
	c = dpp_curve_by_group(19);
	assert_non_null(c);
	assert_int_equal(c->nid, NID_X9_62_prime256v1);
	assert_int_equal(c->prime_len, 32);
	assert_int_equal(c->hash_len, 32);
	assert_int_equal(c->nonce_len, 16);
	assert_ptr_equal(dpp_curve_by_jwk("P-256"), c);
	c = dpp_curve_by_group(20);
	assert_non_null(c);
	assert_string_equal(c->jwk_crv, "P-384");
	assert_int_equal(c->hash_len, 48);
	assert_int_equal(c->nonce_len, 24);
	c = dpp_curve_by_nid(NID_secp521r1);
	assert_non_null(c);
	assert_int_equal(c->ike_group, 21);
	assert_int_equal(c->prime_len, 66);
	assert_int_equal(c->hash_len, 64);
	assert_int_equal(c->nonce_len, 32);
	assert_string_equal(c->jws_alg, "ES512");
	assert_null(dpp_curve_by_group(28));
	assert_null(dpp_curve_by_jwk("P-224"));
	assert_null(dpp_curve_by_jwk(NULL));
	assert_null(dpp_curve_by_nid(NID_secp224r1));

	/* Public and private keys alike; a key on another curve or of another type is not ours. */
	assert_int_equal(dpp_key_gen(dpp_curve_by_group(20), &k), 0);
	assert_ptr_equal(dpp_curve_of(k), dpp_curve_by_group(20));
	EVP_PKEY_free(k);
	k = pub_key(dpp_curve_by_group(19), b1.br_xy);
	assert_ptr_equal(dpp_curve_of(k), dpp_curve_by_group(19));
	EVP_PKEY_free(k);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp224r1");
	assert_non_null(k);
	assert_null(dpp_curve_of(k));
	EVP_PKEY_free(k);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	assert_non_null(k);
	assert_null(dpp_curve_of(k));
	EVP_PKEY_free(k);
	assert_null(dpp_curve_of(NULL));
}

static void check_xy(EVP_PKEY *k, const char *want)
{
	uint8_t xy[2 * DPP_MAX_PRIME];
	size_t len = 0;

	assert_int_equal(dpp_key_to_xy(k, xy, sizeof(xy), &len), 0);
	assert_hex(xy, len, want);
}

static void test_b1_b2(void **state)
{
	const struct dpp_curve *c = dpp_curve_by_group(19);
	EVP_PKEY *bi, *pi, *br, *pr, *bi_pub, *pi_pub, *br_pub, *pr_pub;
	uint8_t in[16], rn[16], mx[32], mx2[32], nx[32], nx2[32], lx[32], lx2[32], out[32];
	size_t len = 0;

	(void)state;
	bi = priv_key(c, b1.bi);
	pi = priv_key(c, b1.pi);
	br = priv_key(c, b1.br);
	pr = priv_key(c, b1.pr);
	/* The public points computed from the private keys are the spec's. */
	check_xy(bi, b1.bi_xy);
	check_xy(pi, b1.pi_xy);
	check_xy(br, b1.br_xy);
	check_xy(pr, b1.pr_xy);
	bi_pub = pub_key(c, b1.bi_xy);
	pi_pub = pub_key(c, b1.pi_xy);
	br_pub = pub_key(c, b1.br_xy);
	pr_pub = pub_key(c, b1.pr_xy);
	unhex(b1.inonce, in, sizeof(in));
	unhex(b1.rnonce, rn, sizeof(rn));

	/* M = bR * PI = pI * BR, N = pR * PI = pI * PR */
	assert_int_equal(dpp_ecdh(br, pi_pub, mx, sizeof(mx), &len), 0);
	assert_int_equal(len, 32);
	assert_hex(mx, len, b1.mx);
	assert_int_equal(dpp_ecdh(pi, br_pub, mx2, sizeof(mx2), &len), 0);
	assert_memory_equal(mx, mx2, 32);
	assert_int_equal(dpp_ecdh(pr, pi_pub, nx, sizeof(nx), &len), 0);
	assert_hex(nx, len, b1.nx);
	assert_int_equal(dpp_ecdh(pi, pr_pub, nx2, sizeof(nx2), &len), 0);
	assert_memory_equal(nx, nx2, 32);
	assert_int_equal(dpp_ecdh(pi, pr_pub, nx2, 31, &len), -ENOBUFS);

	assert_int_equal(dpp_derive_k1(c, mx, out), 0);
	assert_hex(out, 32, b1.k1);
	assert_int_equal(dpp_derive_k2(c, nx, out), 0);
	assert_hex(out, 32, b1.k2);

	/* L on both sides */
	assert_int_equal(dpp_l_responder(br, pr, bi_pub, lx), 0);
	assert_hex(lx, 32, b1.lx);
	assert_int_equal(dpp_l_initiator(bi, br_pub, pr_pub, lx2), 0);
	assert_hex(lx2, 32, b1.lx);
	/* The responder needs its private keys. */
	assert_int_equal(dpp_l_responder(br_pub, pr, bi_pub, lx2), -EINVAL);
	assert_int_equal(dpp_l_initiator(bi_pub, br_pub, pr_pub, lx2), -EINVAL);

	assert_int_equal(dpp_derive_ke(c, in, rn, mx, nx, lx, out), 0);
	assert_hex(out, 32, b1.ke_mutual);
	assert_int_equal(dpp_derive_ke(c, in, rn, mx, nx, NULL, out), 0);
	assert_hex(out, 32, b1.ke_ronly);

	/* Tags from public keys, and the same from private ones. */
	assert_int_equal(dpp_r_auth(c, in, rn, pi_pub, pr_pub, bi_pub, br_pub, out), 0);
	assert_hex(out, 32, b1.r_auth_mutual);
	assert_int_equal(dpp_r_auth(c, in, rn, pi, pr, bi, br, out), 0);
	assert_hex(out, 32, b1.r_auth_mutual);
	assert_int_equal(dpp_i_auth(c, in, rn, pi_pub, pr_pub, bi_pub, br_pub, out), 0);
	assert_hex(out, 32, b1.i_auth_mutual);
	assert_int_equal(dpp_r_auth(c, in, rn, pi_pub, pr_pub, NULL, br_pub, out), 0);
	assert_hex(out, 32, b1.r_auth_ronly);
	assert_int_equal(dpp_i_auth(c, in, rn, pi, pr, NULL, br, out), 0);
	assert_hex(out, 32, b1.i_auth_ronly);
	assert_int_equal(dpp_i_auth(c, in, rn, pi, pr, NULL, NULL, out), -EINVAL);

	EVP_PKEY_free(pr_pub);
	EVP_PKEY_free(br_pub);
	EVP_PKEY_free(pi_pub);
	EVP_PKEY_free(bi_pub);
	EVP_PKEY_free(pr);
	EVP_PKEY_free(br);
	EVP_PKEY_free(pi);
	EVP_PKEY_free(bi);
}

static void test_hostile_keys(void **state)
{
	const struct dpp_curve *p256 = dpp_curve_by_group(19), *p384 = dpp_curve_by_group(20);
	uint8_t xy[2 * DPP_MAX_PRIME], d[DPP_MAX_PRIME], x[DPP_MAX_PRIME];
	EVP_PKEY *k = NULL, *a = NULL, *b = NULL;
	size_t n, len;

	(void)state;
	n = unhex(b1.br_xy, xy, sizeof(xy));
	/* One bit of Y changed: off the curve (an invalid-curve attack). */
	xy[63] ^= 1;
	assert_int_equal(dpp_key_from_xy(p256, xy, n, &k), -EINVAL);
	assert_null(k);
	xy[63] ^= 1;
	/* Wrong lengths */
	assert_int_equal(dpp_key_from_xy(p256, xy, n - 1, &k), -EINVAL);
	assert_int_equal(dpp_key_from_xy(p256, xy, n + 1, &k), -EINVAL);
	assert_int_equal(dpp_key_from_xy(p384, xy, n, &k), -EINVAL);
	/* All zeros: (0, 0) is not on P-256 and stands for infinity in some encodings. */
	memset(xy, 0, sizeof(xy));
	assert_int_equal(dpp_key_from_xy(p256, xy, 64, &k), -EINVAL);
	/* Coordinates not below p */
	memset(xy, 0xff, sizeof(xy));
	assert_int_equal(dpp_key_from_xy(p256, xy, 64, &k), -EINVAL);
	assert_null(k);

	/* Private keys: zero, the order, too long */
	memset(d, 0, sizeof(d));
	assert_int_equal(dpp_key_from_priv(p256, d, 32, &k), -EINVAL);
	unhex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", d, sizeof(d));
	assert_int_equal(dpp_key_from_priv(p256, d, 32, &k), -EINVAL);
	assert_int_equal(dpp_key_from_priv(p256, d, 33, &k), -EINVAL);
	d[31] = 0x50; /* order - 1 is the largest valid key */
	assert_int_equal(dpp_key_from_priv(p256, d, 32, &k), 0);
	EVP_PKEY_free(k);
	k = NULL;

	/* ECDH across curves */
	assert_int_equal(dpp_key_gen(p256, &a), 0);
	assert_int_equal(dpp_key_gen(p384, &b), 0);
	assert_int_equal(dpp_ecdh(a, b, x, sizeof(x), &len), -EINVAL);
	assert_int_equal(dpp_ecdh(b, a, x, sizeof(x), &len), -EINVAL);
	assert_int_equal(dpp_l_initiator(a, b, b, x), -EINVAL);
	assert_int_equal(dpp_l_responder(a, a, b, x), -EINVAL);
	assert_int_equal(dpp_key_to_xy(b, xy, 95, &len), -ENOBUFS);
	EVP_PKEY_free(b);
	EVP_PKEY_free(a);
}

/* Fresh keys on P-384 and P-521: both sides of a mutual authentication agree on every value. */
static void agree(const struct dpp_curve *c)
{
	EVP_PKEY *bi, *pi, *br, *pr;
	uint8_t in[DPP_MAX_NONCE], rn[DPP_MAX_NONCE];
	uint8_t mr[DPP_MAX_PRIME], mi[DPP_MAX_PRIME], nr[DPP_MAX_PRIME], ni[DPP_MAX_PRIME];
	uint8_t lr[DPP_MAX_PRIME], li[DPP_MAX_PRIME], ker[DPP_MAX_HASH], kei[DPP_MAX_HASH];
	uint8_t t1[DPP_MAX_HASH], t2[DPP_MAX_HASH];
	size_t len;

	assert_int_equal(dpp_key_gen(c, &bi), 0);
	assert_int_equal(dpp_key_gen(c, &pi), 0);
	assert_int_equal(dpp_key_gen(c, &br), 0);
	assert_int_equal(dpp_key_gen(c, &pr), 0);
	assert_int_equal(dpp_random(in, c->nonce_len), 0);
	assert_int_equal(dpp_random(rn, c->nonce_len), 0);
	assert_int_equal(dpp_ecdh(br, pi, mr, sizeof(mr), &len), 0);
	assert_int_equal(len, c->prime_len);
	assert_int_equal(dpp_ecdh(pi, br, mi, sizeof(mi), &len), 0);
	assert_memory_equal(mr, mi, c->prime_len);
	assert_int_equal(dpp_ecdh(pr, pi, nr, sizeof(nr), &len), 0);
	assert_int_equal(dpp_ecdh(pi, pr, ni, sizeof(ni), &len), 0);
	assert_memory_equal(nr, ni, c->prime_len);
	assert_memory_not_equal(mr, nr, c->prime_len);
	assert_int_equal(dpp_l_responder(br, pr, bi, lr), 0);
	assert_int_equal(dpp_l_initiator(bi, br, pr, li), 0);
	assert_memory_equal(lr, li, c->prime_len);
	assert_int_equal(dpp_derive_ke(c, in, rn, mr, nr, lr, ker), 0);
	assert_int_equal(dpp_derive_ke(c, in, rn, mi, ni, li, kei), 0);
	assert_memory_equal(ker, kei, c->hash_len);
	assert_int_equal(dpp_derive_ke(c, in, rn, mi, ni, NULL, kei), 0);
	assert_memory_not_equal(ker, kei, c->hash_len);
	assert_int_equal(dpp_r_auth(c, in, rn, pi, pr, bi, br, t1), 0);
	assert_int_equal(dpp_i_auth(c, in, rn, pi, pr, bi, br, t2), 0);
	assert_memory_not_equal(t1, t2, c->hash_len);
	/* ke keys AES-SIV with a key of hash_len bytes. */
	{
		const struct dpp_buf ad[2] = {{in, c->nonce_len}, {rn, c->nonce_len}};
		uint8_t ct[DPP_MAX_HASH + DPP_SIV_TAG], pt[DPP_MAX_HASH];

		assert_int_equal(dpp_siv_seal(ker, c->hash_len, ad, 2, t1, c->hash_len, ct), 0);
		assert_int_equal(
			dpp_siv_open(kei, c->hash_len, ad, 2, ct, c->hash_len + DPP_SIV_TAG, pt),
			-EBADMSG);
		assert_int_equal(
			dpp_siv_open(ker, c->hash_len, ad, 2, ct, c->hash_len + DPP_SIV_TAG, pt),
			0);
		assert_memory_equal(pt, t1, c->hash_len);
	}
	EVP_PKEY_free(pr);
	EVP_PKEY_free(br);
	EVP_PKEY_free(pi);
	EVP_PKEY_free(bi);
}

static void test_p384_p521_agree(void **state)
{
	(void)state;
	agree(dpp_curve_by_group(20));
	agree(dpp_curve_by_group(21));
}

/* P-521 mutual authentication with the inputs of hostapd's test_dpp_test_vector_p_521
 * (tests/hwsim/test_dpp.py: bootstrapping and protocol keys, dpp_nonce_override). That test
 * logs but does not list its outputs; the values below were computed from the same inputs with
 * an independent Python implementation (python3-cryptography ECDH, pure-Python point addition for
 * L, hmac-based HKDF). Several values have a leading zero byte, which must survive. */
static const struct {
	const char *bi, *pi, *br, *pr, *inonce, *rnonce;
	const char *bi_xy, *pi_xy, *br_xy, *pr_xy, *mx, *nx, *lx, *k1, *k2, *ke, *r_auth, *i_auth;
} p521 = {
	.bi = "0060c10df14af5ef27f6e362d31bdd9eeb44be77a323ba64b08f3f03d58b92cb"
	      "fe05c182a91660caa081ca344243c47b5aa088bcdf738840eb35f0218b9f2688"
	      "1e02",
	.pi = "019c1c08caaeec38fb931894699b095bc3ab8c1ec7ef0622d2e3eba821477c8c"
	      "6fca41774f21166ad98aebda37c067d9aa08a8a2e1b5c44c61f2bae02a61f85d"
	      "9661",
	.br = "0061e54f518cdf859735da3dd64c6f72c2f086f41a6fd52915152ea2fe0f24dd"
	      "aecd8883730c9c9fd82cf7c043a41021696388cf5190b731dd83638bcd56d8b6"
	      "c743",
	.pr = "01d8b7b17cd1b0a33f7c66fb4220999329cdaf4f8b44b2ffadde8ab8ed8abffa"
	      "9f5358c5b1caae26709ca4fb78e52a4d08f2e4f24111a36a6f440d20a0000ff5"
	      "1597",
	.inonce = "de972af3847bec3ba2aedd9f5c21cfdec7bf0bc5fe8b276cbcd0267807fb15b0",
	.rnonce = "d749a782012eb0a8595af30b2dfc8d0880d004ebddb55ecc5afbdef18c400e01",
	.bi_xy = "0114896c5614fc01e881ab4bcecd6a4657ca47cb655527fe60ed4e12a534e442"
		 "fda79438de7bc3a3450f13fc53186358ca2e217ffa4c56242e340365a0cb3481"
		 "32810094d9773bb46f66a69cc7577ebb83f1c57a8d6ac30528ad39869ab74cd2"
		 "3a8e537dad1eab1f39be6e5d03c6a694640a53dff6f0a413ca312f7d54fd568f"
		 "08ffa680",
	.pi_xy = "007cee6a53e28ba817e348447a72c4ba5f671dfacfe53c270d31f9c9f28c982d"
		 "027f2606c2f26c868e9b1364478a939fd6e116b068aeaa98a9eee2d153b7f46b"
		 "d68701aa364e7d6b8d32cfd43124dad0eb34c5b69e3b9298ad5fcd1fd04f6c7f"
		 "e4078ae927030dde71767c3964c2587e045d2cd81197c90ad988318b97410ac0"
		 "21cad83b",
	.br_xy = "01d38cca93cef4cf30c824a7e4854d0385ed9b1da87d5f281c891e901a65f242"
		 "328787d3dfcb257af6e19577170fbc582fdcda42c6a43ff516e9036d8c328ece"
		 "73de00bb5b69e9c51dfb233757e927b68046d77d2a1196bc4851421d656970bd"
		 "221bbe52e15d3d1cbac600629229a0180a87bd9d8a834c750a9e8e1be9f4cc9c"
		 "b0c07df0",
	.pr_xy = "00e2cacd1610b7c147899fbfba55fdf336664b80a5a4e790adeab1ca7b5ca626"
		 "41f25bee4a1974d43ab2eb4626f897283280ac7cd2e2790709ba7d6ad90ce64f"
		 "ad0401d5924292225c0c220ac340d1d19219adc58fdfb9d0d911dec8201b5134"
		 "45afb1a2100195ae1bece9c21f4f28a2fe3c0d828e9344f6bd43c8123fc9d23e"
		 "2c71d223",
	.mx = "008f8147d6c67169a595e083b1b8fc156beaa6d5989144f08e31ef6e39ba87ae"
	      "654203aa7aac0905e1a7f097f0cdf038de106a803249c835913fbadce95cfa30"
	      "f56c",
	.nx = "01073b08e838b5a0c91de7c1ef720ded72ad1e6f6f809d67494be16282672618"
	      "b4af8360b9edec805928bb02efc190efb1969668dfdf698513575333a44265f4"
	      "4a22",
	.lx = "00e002528b7b9cc8aefcefbe0dc3c74fe47a74d32a9df82e7bbc22b1470894cb"
	      "19f4d57eba935c25c5af6d0ac7d0058b2eb83623ca9076fcb76331eaebde5eb5"
	      "5733",
	.k1 = "72a054c6029bee304f280cb0ab320d662fb29e64b5ba3ee6c3aecec472ef528e"
	      "b062c59696efc361a00be8fd52cf24f31d9615be4efea91a33df890c74217217",
	.k2 = "0e3c6f246cb2f5d65d1cac58f853a32d300b09b6fe49040df020188c79cc9676"
	      "c3c2719e2e75f865733d0a0144f093677f1bd0e724ed0c3de2b89819a555c3f3",
	.ke = "9fd75668dabae58bcf93eb6fb38908d5b26ad5e3780a76a4cc720c7ba443f20f"
	      "89add5058c2b7120c34adcb42e732a03a7539c4b04ebf36523f0ca15c10c2a95",
	.r_auth = "d92bf767551de8a49c7aa7faca702725f379371fb37a115f95df74fe327cef97"
		  "1a3f09391f9ecc9650b3858b24e7f91296f714b437c02abd753f2d35812680d4",
	.i_auth = "3b9c1c05aa79d571a8712d2917a72d1fc0bd4cacdd83178cbbe2dae7f45396e9"
		  "7a249c9091352b8a305f5cadafa038a8455ab96810a92a7f815636464b75de05",
};

static void test_p521_hostapd_inputs(void **state)
{
	const struct dpp_curve *c = dpp_curve_by_group(21);
	EVP_PKEY *bi, *pi, *br, *pr, *bi_pub, *br_pub, *pr_pub;
	uint8_t in[32], rn[32], mx[66], nx[66], lx[66], out[64];
	size_t len = 0;

	(void)state;
	bi = priv_key(c, p521.bi);
	pi = priv_key(c, p521.pi);
	br = priv_key(c, p521.br);
	pr = priv_key(c, p521.pr);
	check_xy(bi, p521.bi_xy);
	check_xy(pi, p521.pi_xy);
	check_xy(br, p521.br_xy);
	check_xy(pr, p521.pr_xy);
	bi_pub = pub_key(c, p521.bi_xy);
	br_pub = pub_key(c, p521.br_xy);
	pr_pub = pub_key(c, p521.pr_xy);
	assert_int_equal(unhex(p521.inonce, in, sizeof(in)), c->nonce_len);
	assert_int_equal(unhex(p521.rnonce, rn, sizeof(rn)), c->nonce_len);

	assert_int_equal(dpp_ecdh(pi, br_pub, mx, sizeof(mx), &len), 0);
	assert_hex(mx, len, p521.mx);
	assert_int_equal(dpp_ecdh(pr, pi, nx, sizeof(nx), &len), 0);
	assert_hex(nx, len, p521.nx);
	assert_int_equal(dpp_l_initiator(bi, br_pub, pr_pub, lx), 0);
	assert_hex(lx, 66, p521.lx);
	assert_int_equal(dpp_l_responder(br, pr, bi_pub, lx), 0);
	assert_hex(lx, 66, p521.lx);
	assert_int_equal(dpp_derive_k1(c, mx, out), 0);
	assert_hex(out, 64, p521.k1);
	assert_int_equal(dpp_derive_k2(c, nx, out), 0);
	assert_hex(out, 64, p521.k2);
	assert_int_equal(dpp_derive_ke(c, in, rn, mx, nx, lx, out), 0);
	assert_hex(out, 64, p521.ke);
	assert_int_equal(dpp_r_auth(c, in, rn, pi, pr_pub, bi_pub, br_pub, out), 0);
	assert_hex(out, 64, p521.r_auth);
	assert_int_equal(dpp_i_auth(c, in, rn, pi, pr_pub, bi_pub, br_pub, out), 0);
	assert_hex(out, 64, p521.i_auth);

	EVP_PKEY_free(pr_pub);
	EVP_PKEY_free(br_pub);
	EVP_PKEY_free(bi_pub);
	EVP_PKEY_free(pr);
	EVP_PKEY_free(br);
	EVP_PKEY_free(pi);
	EVP_PKEY_free(bi);
}

/* RFC 5297 Appendix A.1, deterministic authenticated encryption (one AD component). */
static void test_siv_rfc5297_a1(void **state)
{
	uint8_t key[32], ad[24], pt[14], ct[30], back[14];
	struct dpp_buf h;

	(void)state;
	unhex("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", key, sizeof(key));
	unhex("101112131415161718191a1b1c1d1e1f2021222324252627", ad, sizeof(ad));
	unhex("112233445566778899aabbccddee", pt, sizeof(pt));
	h = (struct dpp_buf){ad, sizeof(ad)};
	assert_int_equal(dpp_siv_seal(key, sizeof(key), &h, 1, pt, sizeof(pt), ct), 0);
	assert_hex(ct, sizeof(ct), "85632d07c6e8f37f950acd320a2ecc9340c02b9690c4dc04daef7f6afe5c");
	assert_int_equal(dpp_siv_open(key, sizeof(key), &h, 1, ct, sizeof(ct), back), 0);
	assert_memory_equal(back, pt, sizeof(pt));
}

/* RFC 5297 Appendix A.2, nonce-based (AD1, AD2 and the nonce as a third component). */
static const char a2_key[] = "7f7e7d7c7b7a79787776757473727170404142434445464748494a4b4c4d4e4f";
static const char a2_ad1[] =
	"00112233445566778899aabbccddeeffdeaddadadeaddadaffeeddccbbaa99887766554433221100";
static const char a2_ad2[] = "102030405060708090a0";
static const char a2_nonce[] = "09f911029d74e35bd84156c5635688c0";
static const char a2_pt[] = "7468697320697320736f6d6520706c61696e7465787420746f20656e6372797074"
			    "207573696e67205349562d414553";
static const char a2_ct[] = "7bdb6e3b432667eb06f4d14bff2fbd0fcb900f2fddbe404326601965c889bf17"
			    "dba77ceb094fa663b7a3f748ba8af829ea64ad544a272e9c485b62a3fd5c0d";

struct a2 {
	uint8_t key[32], ad1[40], ad2[10], nonce[16], pt[47], ct[63];
	struct dpp_buf ad[3];
};

static void a2_load(struct a2 *v)
{
	unhex(a2_key, v->key, sizeof(v->key));
	unhex(a2_ad1, v->ad1, sizeof(v->ad1));
	unhex(a2_ad2, v->ad2, sizeof(v->ad2));
	unhex(a2_nonce, v->nonce, sizeof(v->nonce));
	unhex(a2_pt, v->pt, sizeof(v->pt));
	unhex(a2_ct, v->ct, sizeof(v->ct));
	v->ad[0] = (struct dpp_buf){v->ad1, sizeof(v->ad1)};
	v->ad[1] = (struct dpp_buf){v->ad2, sizeof(v->ad2)};
	v->ad[2] = (struct dpp_buf){v->nonce, sizeof(v->nonce)};
}

static void test_siv_rfc5297_a2(void **state)
{
	uint8_t ct[63], back[47];
	struct a2 v;

	(void)state;
	a2_load(&v);
	assert_int_equal(dpp_siv_seal(v.key, 32, v.ad, 3, v.pt, sizeof(v.pt), ct), 0);
	assert_memory_equal(ct, v.ct, sizeof(ct));
	assert_int_equal(dpp_siv_open(v.key, 32, v.ad, 3, v.ct, sizeof(v.ct), back), 0);
	assert_memory_equal(back, v.pt, sizeof(back));
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void test_siv_tamper(void **state)
{
	uint8_t ct[63], back[47], key2[32];
	struct a2 v;

	(void)state;
	a2_load(&v);
	/* A changed byte of AD, of the ciphertext, of the tag; another key; one AD component
	 * fewer: each is -EBADMSG and leaves no plaintext behind. */
	v.ad1[5] ^= 0x01;
	memset(back, 0xaa, sizeof(back));
	assert_int_equal(dpp_siv_open(v.key, 32, v.ad, 3, v.ct, sizeof(v.ct), back), -EBADMSG);
	assert_true(all_zero(back, sizeof(back)));
	v.ad1[5] ^= 0x01;

	memcpy(ct, v.ct, sizeof(ct));
	ct[40] ^= 0x80;
	memset(back, 0xaa, sizeof(back));
	assert_int_equal(dpp_siv_open(v.key, 32, v.ad, 3, ct, sizeof(ct), back), -EBADMSG);
	assert_true(all_zero(back, sizeof(back)));

	memcpy(ct, v.ct, sizeof(ct));
	ct[3] ^= 0x10;
	memset(back, 0xaa, sizeof(back));
	assert_int_equal(dpp_siv_open(v.key, 32, v.ad, 3, ct, sizeof(ct), back), -EBADMSG);
	assert_true(all_zero(back, sizeof(back)));

	memcpy(key2, v.key, sizeof(key2));
	key2[31] ^= 1;
	memset(back, 0xaa, sizeof(back));
	assert_int_equal(dpp_siv_open(key2, 32, v.ad, 3, v.ct, sizeof(v.ct), back), -EBADMSG);
	assert_true(all_zero(back, sizeof(back)));

	memset(back, 0xaa, sizeof(back));
	assert_int_equal(dpp_siv_open(v.key, 32, v.ad, 2, v.ct, sizeof(v.ct), back), -EBADMSG);
	assert_true(all_zero(back, sizeof(back)));

	/* Malformed calls change nothing. */
	memset(back, 0xaa, sizeof(back));
	assert_int_equal(dpp_siv_open(v.key, 31, v.ad, 3, v.ct, sizeof(v.ct), back), -EINVAL);
	assert_int_equal(dpp_siv_open(v.key, 32, v.ad, 3, v.ct, 15, back), -EINVAL);
	assert_int_equal(dpp_siv_open(v.key, 32, v.ad, 9, v.ct, sizeof(v.ct), back), -EINVAL);
	assert_int_equal(back[0], 0xaa);
	assert_int_equal(dpp_siv_seal(v.key, 40, v.ad, 3, v.pt, sizeof(v.pt), ct), -EINVAL);
}

/* DPP puts empty components in the AD: an empty one is processed by S2V and so is not the same as
 * none. Also an empty plaintext (a tag only) and a plaintext shorter than a block. */
static void test_siv_empty(void **state)
{
	uint8_t key[64], ct1[DPP_SIV_TAG + 5], ct2[DPP_SIV_TAG + 5], ct3[DPP_SIV_TAG + 5];
	uint8_t pt[5] = {1, 2, 3, 4, 5}, back[5];
	const uint8_t hdr[6] = {0x04, 0x09, 0x50, 0x6f, 0x9a, 0x1a};
	struct dpp_buf ad[2] = {{hdr, sizeof(hdr)}, {NULL, 0}};

	(void)state;
	for (size_t keylen = 32; keylen <= 64; keylen += 16) {
		assert_int_equal(dpp_random(key, keylen), 0);
		assert_int_equal(dpp_siv_seal(key, keylen, ad, 1, pt, sizeof(pt), ct1), 0);
		assert_int_equal(dpp_siv_seal(key, keylen, ad, 2, pt, sizeof(pt), ct2), 0);
		assert_memory_not_equal(ct1, ct2, DPP_SIV_TAG);
		assert_int_equal(dpp_siv_seal(key, keylen, ad, 2, pt, sizeof(pt), ct3), 0);
		assert_memory_equal(ct2, ct3, sizeof(ct2));
		assert_int_equal(
			dpp_siv_open(key, keylen, ad, 1, ct2, sizeof(ct2), back), -EBADMSG);
		assert_int_equal(dpp_siv_open(key, keylen, ad, 2, ct2, sizeof(ct2), back), 0);
		assert_memory_equal(back, pt, sizeof(pt));
		/* No AD at all, and an empty plaintext */
		assert_int_equal(dpp_siv_seal(key, keylen, NULL, 0, pt, sizeof(pt), ct3), 0);
		assert_memory_not_equal(ct3, ct1, DPP_SIV_TAG);
		assert_int_equal(dpp_siv_open(key, keylen, NULL, 0, ct3, sizeof(ct3), back), 0);
		assert_memory_equal(back, pt, sizeof(pt));
		assert_int_equal(dpp_siv_seal(key, keylen, ad, 2, NULL, 0, ct3), 0);
		assert_int_equal(dpp_siv_open(key, keylen, ad, 2, ct3, DPP_SIV_TAG, NULL), 0);
		ct3[0] ^= 1;
		assert_int_equal(
			dpp_siv_open(key, keylen, ad, 2, ct3, DPP_SIV_TAG, NULL), -EBADMSG);
	}
}

/* Known answers for an empty AD component, from chrony's test/unit/siv.c (AEAD_AES_SIV_CMAC_256
 * on Nettle, whose S2V takes the associated data, then the nonce, then the plaintext, and
 * processes the associated data even when it is empty, as DPP's AES-SIV does). */
static void test_siv_empty_component_known(void **state)
{
	static const struct {
		const char *ad, *pt, *ct;
	} kat[] = {
		{"", "", "223eb594e0e0254b00258e219a1ca421"},
		{"4c9d4fcaed8ae2baad3f3ea6e93c8c8b", "", "d7201989c6dbc6d661fc62bc865eeeef"},
		{"", "4c9d4fcaed8ae2baad3f3ea6e93c8c8b",
			"b6c160e9c2fd2ae8dec5368b2a33ede114ffb397345ccbe44aa4deacd9369046"},
	};
	uint8_t key[32], nonce[16], ad[16], pt[16], ct[32], back[16];

	(void)state;
	unhex("0123456789abcdeff0123456789abcdeef0123456789abcddef0123456789abc", key, sizeof(key));
	unhex("101112131415161718191a1b1c1d1e1f", nonce, sizeof(nonce));
	for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		size_t adlen = unhex(kat[i].ad, ad, sizeof(ad));
		size_t ptlen = unhex(kat[i].pt, pt, sizeof(pt));
		const struct dpp_buf parts[2] = {{ad, adlen}, {nonce, sizeof(nonce)}};

		assert_int_equal(dpp_siv_seal(key, sizeof(key), parts, 2, pt, ptlen, ct), 0);
		assert_hex(ct, ptlen + DPP_SIV_TAG, kat[i].ct);
		assert_int_equal(
			dpp_siv_open(key, sizeof(key), parts, 2, ct, ptlen + DPP_SIV_TAG, back), 0);
		assert_memory_equal(back, pt, ptlen);
		/* Leaving the empty component out is another message. */
		if (adlen == 0)
			assert_int_equal(dpp_siv_open(key, sizeof(key), parts + 1, 1, ct,
						 ptlen + DPP_SIV_TAG, back),
				-EBADMSG);
	}
}

/* RFC 5869 Appendix A.1-A.3 (SHA-256). */
static void test_hkdf_rfc5869(void **state)
{
	const struct dpp_curve *c = dpp_curve_by_group(19);
	uint8_t ikm[80], salt[80], okm[82];
	char info[81];

	(void)state;
	/* A.1 */
	memset(ikm, 0x0b, 22);
	unhex("000102030405060708090a0b0c", salt, sizeof(salt));
	memcpy(info, "\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9", 11);
	assert_int_equal(dpp_hkdf(c, salt, 13, ikm, 22, info, okm, 42), 0);
	assert_hex(okm, 42,
		"3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b8871858"
		"65");
	/* A.2: long inputs; info is 0xb0..0xff, none of it zero, so a C string carries it. */
	for (size_t i = 0; i < 80; i++) {
		ikm[i] = (uint8_t)i;
		salt[i] = (uint8_t)(0x60 + i);
		info[i] = (char)(0xb0 + i);
	}
	info[80] = '\0';
	assert_int_equal(dpp_hkdf(c, salt, 80, ikm, 80, info, okm, 82), 0);
	assert_hex(okm, 82,
		"b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
		"59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
		"cc30c58179ec3e87c14c01d5c1f3434f1d87");
	/* A.3: empty salt and info */
	memset(ikm, 0x0b, 22);
	assert_int_equal(dpp_hkdf(c, NULL, 0, ikm, 22, "", okm, 42), 0);
	assert_hex(okm, 42,
		"8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96"
		"c8");
	/* No output, or more than 255 blocks (RFC 5869 2.3), is refused. */
	assert_int_equal(dpp_hkdf(c, NULL, 0, ikm, 22, "", okm, 0), -EINVAL);
	assert_int_equal(dpp_hkdf(c, NULL, 0, ikm, 22, "", okm, 255 * 32 + 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_curves),
		cmocka_unit_test(test_b1_b2),
		cmocka_unit_test(test_hostile_keys),
		cmocka_unit_test(test_p384_p521_agree),
		cmocka_unit_test(test_p521_hostapd_inputs),
		cmocka_unit_test(test_siv_rfc5297_a1),
		cmocka_unit_test(test_siv_rfc5297_a2),
		cmocka_unit_test(test_siv_tamper),
		cmocka_unit_test(test_siv_empty),
		cmocka_unit_test(test_siv_empty_component_known),
		cmocka_unit_test(test_hkdf_rfc5869),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
