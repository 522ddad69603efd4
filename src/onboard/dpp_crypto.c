/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cryptography of DPP authentication on OpenSSL 3: curves, keys, ECDH, the key schedule,
 * the authentication tags and AES-SIV built from AES-CMAC and AES-CTR as RFC 5297 defines it. */
#include "onboard/dpp_crypto.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#define SIV_BLOCK  16
#define SIV_MAX_AD 8

static const struct dpp_curve curves[] = {
	{NID_X9_62_prime256v1, "P-256", "ES256", 19, 32, 32, 16, EVP_sha256},
	{NID_secp384r1, "P-384", "ES384", 20, 48, 48, 24, EVP_sha384},
	{NID_secp521r1, "P-521", "ES512", 21, 66, 64, 32, EVP_sha512},
};

#define NCURVES (sizeof(curves) / sizeof(curves[0]))

const struct dpp_curve *dpp_curve_by_nid(int nid)
{
	for (size_t i = 0; i < NCURVES; i++)
		if (curves[i].nid == nid)
			return &curves[i];
	return NULL;
}

const struct dpp_curve *dpp_curve_by_jwk(const char *crv)
{
	if (!crv)
		return NULL;
	for (size_t i = 0; i < NCURVES; i++)
		if (strcmp(curves[i].jwk_crv, crv) == 0)
			return &curves[i];
	return NULL;
}

const struct dpp_curve *dpp_curve_by_group(uint16_t ike_group)
{
	for (size_t i = 0; i < NCURVES; i++)
		if (curves[i].ike_group == ike_group)
			return &curves[i];
	return NULL;
}

const struct dpp_curve *dpp_curve_of(const EVP_PKEY *key)
{
	char name[64];
	size_t len = 0;
	int nid;

	if (!key || !EVP_PKEY_is_a(key, "EC"))
		return NULL;
	if (!EVP_PKEY_get_utf8_string_param(
		    key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &len))
		return NULL;
	nid = OBJ_sn2nid(name);
	if (nid == NID_undef)
		nid = EC_curve_nist2nid(name);
	return dpp_curve_by_nid(nid);
}

int dpp_key_gen(const struct dpp_curve *c, EVP_PKEY **out)
{
	EVP_PKEY *pk;

	if (!c || !out || dpp_curve_by_nid(c->nid) != c)
		return -EINVAL;
	pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", OBJ_nid2sn(c->nid));
	if (!pk)
		return -ENOMEM;
	*out = pk;
	return 0;
}

/* An EVP_PKEY from an encoded point (0x04 || X || Y) and, for a key pair, the private scalar. */
static int key_build(const struct dpp_curve *c, const uint8_t *pub, size_t publen,
	const BIGNUM *priv, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL, *chk = NULL;
	EVP_PKEY *pk = NULL;
	int ret = -ENOMEM;

	bld = OSSL_PARAM_BLD_new();
	if (!bld)
		goto out;
	if (!OSSL_PARAM_BLD_push_utf8_string(
		    bld, OSSL_PKEY_PARAM_GROUP_NAME, OBJ_nid2sn(c->nid), 0) ||
		!OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, publen))
		goto out;
	if (priv && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !ctx)
		goto out;
	ret = -EINVAL;
	if (EVP_PKEY_fromdata_init(ctx) <= 0 ||
		EVP_PKEY_fromdata(
			ctx, &pk, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0)
		goto out;
	chk = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
	if (!chk) {
		ret = -ENOMEM;
		goto out;
	}
	if (EVP_PKEY_public_check(chk) != 1)
		goto out;
	if (priv && EVP_PKEY_pairwise_check(chk) != 1)
		goto out;
	*out = pk;
	pk = NULL;
	ret = 0;
out:
	if (ret)
		ERR_clear_error();
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return ret;
}

int dpp_key_from_priv(const struct dpp_curve *c, const uint8_t *d, size_t len, EVP_PKEY **out)
{
	uint8_t pub[1 + 2 * DPP_MAX_PRIME];
	EC_GROUP *group = NULL;
	EC_POINT *pt = NULL;
	BIGNUM *bn = NULL;
	size_t publen;
	int ret = -EINVAL;

	if (!c || !d || !out || dpp_curve_by_nid(c->nid) != c || len == 0 || len > c->prime_len)
		return -EINVAL;
	group = EC_GROUP_new_by_curve_name(c->nid);
	bn = BN_secure_new();
	if (!group || !bn) {
		ret = -ENOMEM;
		goto out;
	}
	BN_set_flags(bn, BN_FLG_CONSTTIME);
	if (!BN_bin2bn(d, (int)len, bn))
		goto out;
	if (BN_is_zero(bn) || BN_cmp(bn, EC_GROUP_get0_order(group)) >= 0)
		goto out;
	pt = EC_POINT_new(group);
	if (!pt) {
		ret = -ENOMEM;
		goto out;
	}
	if (!EC_POINT_mul(group, pt, bn, NULL, NULL, NULL))
		goto out;
	publen = EC_POINT_point2oct(
		group, pt, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub), NULL);
	if (publen != 1 + 2 * c->prime_len)
		goto out;
	ret = key_build(c, pub, publen, bn, out);
out:
	if (ret)
		ERR_clear_error();
	EC_POINT_free(pt);
	BN_clear_free(bn);
	EC_GROUP_free(group);
	return ret;
}

int dpp_key_from_xy(const struct dpp_curve *c, const uint8_t *xy, size_t len, EVP_PKEY **out)
{
	uint8_t pub[1 + 2 * DPP_MAX_PRIME];
	EC_GROUP *group = NULL;
	EC_POINT *pt = NULL;
	BIGNUM *x = NULL, *y = NULL;
	int ret = -EINVAL;

	if (!c || !xy || !out || dpp_curve_by_nid(c->nid) != c || len != 2 * c->prime_len)
		return -EINVAL;
	group = EC_GROUP_new_by_curve_name(c->nid);
	pt = group ? EC_POINT_new(group) : NULL;
	x = BN_bin2bn(xy, (int)c->prime_len, NULL);
	y = BN_bin2bn(xy + c->prime_len, (int)c->prime_len, NULL);
	if (!group || !pt || !x || !y) {
		ret = -ENOMEM;
		goto out;
	}
	/* Coordinates must be field elements, and the point on the curve: a peer that sends
	 * anything else is attempting an invalid-curve attack or is broken. */
	if (BN_cmp(x, EC_GROUP_get0_field(group)) >= 0 ||
		BN_cmp(y, EC_GROUP_get0_field(group)) >= 0)
		goto out;
	if (!EC_POINT_set_affine_coordinates(group, pt, x, y, NULL))
		goto out;
	if (EC_POINT_is_at_infinity(group, pt) || EC_POINT_is_on_curve(group, pt, NULL) != 1)
		goto out;
	pub[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(pub + 1, xy, len);
	ret = key_build(c, pub, 1 + len, NULL, out);
out:
	if (ret)
		ERR_clear_error();
	BN_free(y);
	BN_free(x);
	EC_POINT_free(pt);
	EC_GROUP_free(group);
	return ret;
}

int dpp_key_to_xy(const EVP_PKEY *key, uint8_t *xy, size_t cap, size_t *len)
{
	const struct dpp_curve *c = dpp_curve_of(key);
	BIGNUM *x = NULL, *y = NULL;
	int ret = -EINVAL;

	if (!c || !xy || !len)
		return -EINVAL;
	if (cap < 2 * c->prime_len)
		return -ENOBUFS;
	if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
		!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y))
		goto out;
	if (BN_bn2binpad(x, xy, (int)c->prime_len) < 0 ||
		BN_bn2binpad(y, xy + c->prime_len, (int)c->prime_len) < 0)
		goto out;
	*len = 2 * c->prime_len;
	ret = 0;
out:
	if (ret)
		ERR_clear_error();
	BN_free(y);
	BN_free(x);
	return ret;
}

int dpp_ecdh(EVP_PKEY *own_priv, EVP_PKEY *peer_pub, uint8_t *x, size_t cap, size_t *len)
{
	const struct dpp_curve *c = dpp_curve_of(own_priv);
	uint8_t secret[DPP_MAX_PRIME];
	EVP_PKEY_CTX *ctx = NULL;
	size_t n = sizeof(secret);
	int ret = -EINVAL;

	if (!c || !x || !len || dpp_curve_of(peer_pub) != c)
		return -EINVAL;
	if (cap < c->prime_len)
		return -ENOBUFS;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, own_priv, NULL);
	if (!ctx) {
		ret = -ENOMEM;
		goto out;
	}
	/* set_peer validates the peer's point; the provider refuses a result at infinity. */
	if (EVP_PKEY_derive_init(ctx) <= 0 || EVP_PKEY_derive_set_peer(ctx, peer_pub) <= 0 ||
		EVP_PKEY_derive(ctx, secret, &n) <= 0 || n != c->prime_len)
		goto out;
	memcpy(x, secret, n);
	*len = n;
	ret = 0;
out:
	if (ret)
		ERR_clear_error();
	OPENSSL_cleanse(secret, sizeof(secret));
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

int dpp_hash(const struct dpp_curve *c, const struct dpp_buf *parts, size_t n, uint8_t *out)
{
	EVP_MD_CTX *ctx = NULL;
	unsigned int mdlen = 0;
	int ret = -EINVAL;

	if (!c || !out || (n && !parts))
		return -EINVAL;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	if (!EVP_DigestInit_ex(ctx, c->md(), NULL))
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (parts[i].len && !parts[i].p)
			goto out;
		if (parts[i].len && !EVP_DigestUpdate(ctx, parts[i].p, parts[i].len))
			goto out;
	}
	if (!EVP_DigestFinal_ex(ctx, out, &mdlen) || mdlen != c->hash_len)
		goto out;
	ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	return ret;
}

int dpp_hkdf(const struct dpp_curve *c, const uint8_t *salt, size_t saltlen, const uint8_t *ikm,
	size_t ikmlen, const char *info, uint8_t *out, size_t outlen)
{
	static const uint8_t zeros[DPP_MAX_HASH];
	OSSL_PARAM params[6], *p = params;
	EVP_KDF_CTX *kctx = NULL;
	EVP_KDF *kdf = NULL;
	int mode = EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND;
	int ret = -EINVAL;

	if (!c || !out || outlen == 0 || outlen > 255 * c->hash_len || (saltlen && !salt) ||
		(ikmlen && !ikm))
		return -EINVAL;
	/* RFC 5869 2.2: a salt not provided is hash_len zero octets. */
	if (saltlen == 0) {
		salt = zeros;
		saltlen = c->hash_len;
	}
	if (!ikm)
		ikm = zeros;
	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	if (!kctx) {
		ret = -ENOMEM;
		goto out;
	}
	*p++ = OSSL_PARAM_construct_utf8_string(
		OSSL_KDF_PARAM_DIGEST, (char *)EVP_MD_get0_name(c->md()), 0);
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltlen);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikmlen);
	if (info && info[0])
		*p++ = OSSL_PARAM_construct_octet_string(
			OSSL_KDF_PARAM_INFO, (void *)info, strlen(info));
	*p = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, out, outlen, params) <= 0)
		goto out;
	ret = 0;
out:
	if (ret)
		ERR_clear_error();
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return ret;
}

int dpp_derive_k1(const struct dpp_curve *c, const uint8_t *mx, uint8_t *k1)
{
	if (!c || !mx || !k1)
		return -EINVAL;
	return dpp_hkdf(c, NULL, 0, mx, c->prime_len, "first intermediate key", k1, c->hash_len);
}

int dpp_derive_k2(const struct dpp_curve *c, const uint8_t *nx, uint8_t *k2)
{
	if (!c || !nx || !k2)
		return -EINVAL;
	return dpp_hkdf(c, NULL, 0, nx, c->prime_len, "second intermediate key", k2, c->hash_len);
}

int dpp_derive_ke(const struct dpp_curve *c, const uint8_t *inonce, const uint8_t *rnonce,
	const uint8_t *mx, const uint8_t *nx, const uint8_t *lx, uint8_t *ke)
{
	uint8_t salt[2 * DPP_MAX_NONCE], ikm[3 * DPP_MAX_PRIME];
	size_t ikmlen;
	int ret;

	if (!c || !inonce || !rnonce || !mx || !nx || !ke)
		return -EINVAL;
	memcpy(salt, inonce, c->nonce_len);
	memcpy(salt + c->nonce_len, rnonce, c->nonce_len);
	memcpy(ikm, mx, c->prime_len);
	memcpy(ikm + c->prime_len, nx, c->prime_len);
	ikmlen = 2 * c->prime_len;
	if (lx) {
		memcpy(ikm + ikmlen, lx, c->prime_len);
		ikmlen += c->prime_len;
	}
	ret = dpp_hkdf(c, salt, 2 * c->nonce_len, ikm, ikmlen, "DPP Key", ke, c->hash_len);
	OPENSSL_cleanse(ikm, sizeof(ikm));
	return ret;
}

/* key's public point on group, or NULL. */
static EC_POINT *key_point(const EC_GROUP *group, const EVP_PKEY *key)
{
	uint8_t buf[1 + 2 * DPP_MAX_PRIME];
	EC_POINT *pt;
	size_t len = 0;

	if (!EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof(buf), &len))
		return NULL;
	pt = EC_POINT_new(group);
	if (pt && !EC_POINT_oct2point(group, pt, buf, len, NULL)) {
		EC_POINT_free(pt);
		pt = NULL;
	}
	return pt;
}

/* The x coordinate of pt, prime_len bytes; pt at infinity is -EINVAL. */
static int point_x(
	const struct dpp_curve *c, const EC_GROUP *group, const EC_POINT *pt, uint8_t *lx)
{
	BIGNUM *x = BN_new();
	int ret = -EINVAL;

	if (!x)
		return -ENOMEM;
	if (EC_POINT_is_at_infinity(group, pt))
		goto out;
	if (!EC_POINT_get_affine_coordinates(group, pt, x, NULL, NULL))
		goto out;
	if (BN_bn2binpad(x, lx, (int)c->prime_len) < 0)
		goto out;
	ret = 0;
out:
	BN_clear_free(x);
	return ret;
}

int dpp_l_responder(EVP_PKEY *b_r, EVP_PKEY *p_r, EVP_PKEY *b_i_pub, uint8_t *lx)
{
	const struct dpp_curve *c = dpp_curve_of(b_r);
	BIGNUM *br = NULL, *pr = NULL, *s = NULL;
	EC_POINT *bi = NULL, *l = NULL;
	EC_GROUP *group = NULL;
	BN_CTX *bnctx = NULL;
	int ret = -EINVAL;

	if (!c || !lx || dpp_curve_of(p_r) != c || dpp_curve_of(b_i_pub) != c)
		return -EINVAL;
	if (!EVP_PKEY_get_bn_param(b_r, OSSL_PKEY_PARAM_PRIV_KEY, &br) ||
		!EVP_PKEY_get_bn_param(p_r, OSSL_PKEY_PARAM_PRIV_KEY, &pr))
		goto out;
	group = EC_GROUP_new_by_curve_name(c->nid);
	bnctx = BN_CTX_secure_new();
	s = BN_secure_new();
	if (!group || !bnctx || !s) {
		ret = -ENOMEM;
		goto out;
	}
	BN_set_flags(s, BN_FLG_CONSTTIME);
	if (!BN_mod_add(s, br, pr, EC_GROUP_get0_order(group), bnctx))
		goto out;
	bi = key_point(group, b_i_pub);
	l = EC_POINT_new(group);
	if (!bi || !l)
		goto out;
	if (!EC_POINT_mul(group, l, NULL, bi, s, bnctx))
		goto out;
	ret = point_x(c, group, l, lx);
out:
	if (ret)
		ERR_clear_error();
	EC_POINT_free(l);
	EC_POINT_free(bi);
	BN_clear_free(s);
	BN_CTX_free(bnctx);
	EC_GROUP_free(group);
	BN_clear_free(pr);
	BN_clear_free(br);
	return ret;
}

int dpp_l_initiator(EVP_PKEY *b_i, EVP_PKEY *b_r_pub, EVP_PKEY *p_r_pub, uint8_t *lx)
{
	const struct dpp_curve *c = dpp_curve_of(b_i);
	EC_POINT *br = NULL, *pr = NULL, *sum = NULL, *l = NULL;
	EC_GROUP *group = NULL;
	BN_CTX *bnctx = NULL;
	BIGNUM *bi = NULL;
	int ret = -EINVAL;

	if (!c || !lx || dpp_curve_of(b_r_pub) != c || dpp_curve_of(p_r_pub) != c)
		return -EINVAL;
	if (!EVP_PKEY_get_bn_param(b_i, OSSL_PKEY_PARAM_PRIV_KEY, &bi))
		goto out;
	BN_set_flags(bi, BN_FLG_CONSTTIME);
	group = EC_GROUP_new_by_curve_name(c->nid);
	bnctx = BN_CTX_secure_new();
	if (!group || !bnctx) {
		ret = -ENOMEM;
		goto out;
	}
	br = key_point(group, b_r_pub);
	pr = key_point(group, p_r_pub);
	sum = EC_POINT_new(group);
	l = EC_POINT_new(group);
	if (!br || !pr || !sum || !l)
		goto out;
	if (!EC_POINT_add(group, sum, br, pr, bnctx) || EC_POINT_is_at_infinity(group, sum))
		goto out;
	if (!EC_POINT_mul(group, l, NULL, sum, bi, bnctx))
		goto out;
	ret = point_x(c, group, l, lx);
out:
	if (ret)
		ERR_clear_error();
	EC_POINT_free(l);
	EC_POINT_free(sum);
	EC_POINT_free(pr);
	EC_POINT_free(br);
	BN_CTX_free(bnctx);
	EC_GROUP_free(group);
	BN_clear_free(bi);
	return ret;
}

/* The hash of the authentication tag: nonces, then the keys' x coordinates in order (NULL keys
 * left out), then the one-byte tag number. */
static int auth_tag(const struct dpp_curve *c, const uint8_t *n1, const uint8_t *n2,
	const EVP_PKEY *const keys[4], uint8_t number, uint8_t *out)
{
	uint8_t xy[4][2 * DPP_MAX_PRIME];
	struct dpp_buf parts[7];
	size_t n = 0, len;
	int ret;

	if (!c || !n1 || !n2 || !out)
		return -EINVAL;
	parts[n++] = (struct dpp_buf){n1, c->nonce_len};
	parts[n++] = (struct dpp_buf){n2, c->nonce_len};
	for (size_t i = 0; i < 4; i++) {
		if (!keys[i])
			continue;
		if (dpp_curve_of(keys[i]) != c)
			return -EINVAL;
		ret = dpp_key_to_xy(keys[i], xy[i], sizeof(xy[i]), &len);
		if (ret)
			return ret;
		parts[n++] = (struct dpp_buf){xy[i], c->prime_len};
	}
	parts[n++] = (struct dpp_buf){&number, 1};
	return dpp_hash(c, parts, n, out);
}

int dpp_r_auth(const struct dpp_curve *c, const uint8_t *inonce, const uint8_t *rnonce,
	const EVP_PKEY *p_i, const EVP_PKEY *p_r, const EVP_PKEY *b_i, const EVP_PKEY *b_r,
	uint8_t *out)
{
	const EVP_PKEY *keys[4] = {p_i, p_r, b_i, b_r};

	if (!p_i || !p_r || !b_r)
		return -EINVAL;
	return auth_tag(c, inonce, rnonce, keys, 0, out);
}

int dpp_i_auth(const struct dpp_curve *c, const uint8_t *inonce, const uint8_t *rnonce,
	const EVP_PKEY *p_i, const EVP_PKEY *p_r, const EVP_PKEY *b_i, const EVP_PKEY *b_r,
	uint8_t *out)
{
	const EVP_PKEY *keys[4] = {p_r, p_i, b_r, b_i};

	if (!p_i || !p_r || !b_r)
		return -EINVAL;
	return auth_tag(c, rnonce, inonce, keys, 1, out);
}

/* AES-SIV: K1 (the first half of the key) keys S2V's CMAC, K2 (the second half) the CTR. */
struct siv {
	EVP_MAC *mac;
	EVP_MAC_CTX *cmac;
	OSSL_PARAM params[2];
	const uint8_t *k1, *k2;
	size_t half;
	const char *ctr;
};

static int siv_init(struct siv *s, const uint8_t *key, size_t keylen)
{
	const char *cbc;

	memset(s, 0, sizeof(*s));
	switch (keylen) {
	case 32:
		cbc = "AES-128-CBC";
		s->ctr = "AES-128-CTR";
		break;
	case 48:
		cbc = "AES-192-CBC";
		s->ctr = "AES-192-CTR";
		break;
	case 64:
		cbc = "AES-256-CBC";
		s->ctr = "AES-256-CTR";
		break;
	default:
		return -EINVAL;
	}
	s->half = keylen / 2;
	s->k1 = key;
	s->k2 = key + s->half;
	s->params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)cbc, 0);
	s->params[1] = OSSL_PARAM_construct_end();
	s->mac = EVP_MAC_fetch(NULL, "CMAC", NULL);
	s->cmac = s->mac ? EVP_MAC_CTX_new(s->mac) : NULL;
	return s->cmac ? 0 : -ENOMEM;
}

static void siv_done(struct siv *s)
{
	EVP_MAC_CTX_free(s->cmac);
	EVP_MAC_free(s->mac);
}

static int cmac_start(struct siv *s)
{
	return EVP_MAC_init(s->cmac, s->k1, s->half, s->params) == 1 ? 0 : -EINVAL;
}

static int cmac_update(struct siv *s, const uint8_t *p, size_t len)
{
	if (len == 0)
		return 0;
	return EVP_MAC_update(s->cmac, p, len) == 1 ? 0 : -EINVAL;
}

static int cmac_final(struct siv *s, uint8_t out[static SIV_BLOCK])
{
	size_t len = 0;

	if (EVP_MAC_final(s->cmac, out, &len, SIV_BLOCK) != 1 || len != SIV_BLOCK)
		return -EINVAL;
	return 0;
}

static int cmac(struct siv *s, const uint8_t *p, size_t len, uint8_t out[static SIV_BLOCK])
{
	int ret = cmac_start(s);

	if (!ret)
		ret = cmac_update(s, p, len);
	if (!ret)
		ret = cmac_final(s, out);
	return ret;
}

/* Multiplication by x in GF(2^128) (RFC 5297 2.3). */
static void dbl(uint8_t d[static SIV_BLOCK])
{
	uint8_t carry = d[0] >> 7;

	for (size_t i = 0; i < SIV_BLOCK - 1; i++)
		d[i] = (uint8_t)(d[i] << 1 | d[i + 1] >> 7);
	d[SIV_BLOCK - 1] = (uint8_t)(d[SIV_BLOCK - 1] << 1 ^ (carry ? 0x87 : 0));
}

/* S2V (RFC 5297 2.4) over the AD components then the plaintext: always at least one string. */
static int s2v(struct siv *s, const struct dpp_buf *ad, size_t nad, const uint8_t *pt, size_t ptlen,
	uint8_t v[static SIV_BLOCK])
{
	static const uint8_t zero[SIV_BLOCK];
	uint8_t d[SIV_BLOCK], t[SIV_BLOCK];
	int ret;

	ret = cmac(s, zero, sizeof(zero), d);
	if (ret)
		goto out;
	for (size_t i = 0; i < nad; i++) {
		ret = cmac(s, ad[i].p, ad[i].len, t);
		if (ret)
			goto out;
		dbl(d);
		for (size_t j = 0; j < SIV_BLOCK; j++)
			d[j] ^= t[j];
	}
	ret = cmac_start(s);
	if (ret)
		goto out;
	if (ptlen >= SIV_BLOCK) {
		/* T = Sn xorend D: the last block of the plaintext is xored with D. */
		ret = cmac_update(s, pt, ptlen - SIV_BLOCK);
		if (ret)
			goto out;
		for (size_t j = 0; j < SIV_BLOCK; j++)
			t[j] = pt[ptlen - SIV_BLOCK + j] ^ d[j];
	} else {
		/* T = dbl(D) xor pad(Sn), pad being 10* to a block. */
		dbl(d);
		memset(t, 0, sizeof(t));
		if (ptlen)
			memcpy(t, pt, ptlen);
		t[ptlen] = 0x80;
		for (size_t j = 0; j < SIV_BLOCK; j++)
			t[j] ^= d[j];
	}
	ret = cmac_update(s, t, sizeof(t));
	if (!ret)
		ret = cmac_final(s, v);
out:
	OPENSSL_cleanse(d, sizeof(d));
	OPENSSL_cleanse(t, sizeof(t));
	return ret;
}

/* AES-CTR with K2 from Q = V with bits 63 and 31 cleared (RFC 5297 2.5/2.6). */
static int siv_ctr(struct siv *s, const uint8_t v[static SIV_BLOCK], const uint8_t *in, size_t len,
	uint8_t *out)
{
	uint8_t q[SIV_BLOCK];
	EVP_CIPHER *cipher = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	int outl = 0, ret = -EINVAL;

	if (len == 0)
		return 0;
	if (len > INT_MAX)
		return -EINVAL;
	memcpy(q, v, sizeof(q));
	q[8] &= 0x7f;
	q[12] &= 0x7f;
	cipher = EVP_CIPHER_fetch(NULL, s->ctr, NULL);
	ctx = EVP_CIPHER_CTX_new();
	if (!cipher || !ctx) {
		ret = -ENOMEM;
		goto out;
	}
	if (EVP_EncryptInit_ex2(ctx, cipher, s->k2, q, NULL) != 1 ||
		EVP_EncryptUpdate(ctx, out, &outl, in, (int)len) != 1 || (size_t)outl != len)
		goto out;
	ret = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(cipher);
	return ret;
}

static bool siv_args_ok(const uint8_t *key, size_t keylen, const struct dpp_buf *ad, size_t nad)
{
	if (!key || (keylen != 32 && keylen != 48 && keylen != 64) || nad > SIV_MAX_AD ||
		(nad && !ad))
		return false;
	for (size_t i = 0; i < nad; i++)
		if (ad[i].len && !ad[i].p)
			return false;
	return true;
}

int dpp_siv_seal(const uint8_t *key, size_t keylen, const struct dpp_buf *ad, size_t nad,
	const uint8_t *pt, size_t ptlen, uint8_t *out)
{
	struct siv s;
	int ret;

	if (!siv_args_ok(key, keylen, ad, nad) || !out || (ptlen && !pt) ||
		ptlen > INT_MAX - SIV_BLOCK)
		return -EINVAL;
	ret = siv_init(&s, key, keylen);
	if (ret)
		goto out;
	ret = s2v(&s, ad, nad, pt, ptlen, out);
	if (ret)
		goto out;
	ret = siv_ctr(&s, out, pt, ptlen, out + SIV_BLOCK);
out:
	if (ret)
		ERR_clear_error();
	siv_done(&s);
	return ret;
}

int dpp_siv_open(const uint8_t *key, size_t keylen, const struct dpp_buf *ad, size_t nad,
	const uint8_t *ct, size_t ctlen, uint8_t *out)
{
	uint8_t v[SIV_BLOCK];
	size_t ptlen;
	struct siv s;
	int ret;

	if (!siv_args_ok(key, keylen, ad, nad) || !ct || ctlen < SIV_BLOCK || ctlen > INT_MAX ||
		(ctlen > SIV_BLOCK && !out))
		return -EINVAL;
	ptlen = ctlen - SIV_BLOCK;
	ret = siv_init(&s, key, keylen);
	if (ret)
		goto out;
	ret = siv_ctr(&s, ct, ct + SIV_BLOCK, ptlen, out);
	if (ret)
		goto out;
	ret = s2v(&s, ad, nad, out, ptlen, v);
	if (ret)
		goto out;
	if (CRYPTO_memcmp(v, ct, SIV_BLOCK) != 0)
		ret = -EBADMSG;
out:
	if (ret) {
		ERR_clear_error();
		if (out && ptlen)
			OPENSSL_cleanse(out, ptlen);
	}
	OPENSSL_cleanse(v, sizeof(v));
	siv_done(&s);
	return ret;
}

int dpp_random(uint8_t *p, size_t n)
{
	while (n) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;

		if (RAND_bytes(p, chunk) != 1)
			return -EIO;
		p += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}
