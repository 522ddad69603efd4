/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cryptography of Wi-Fi Easy Connect (DPP) authentication: curves, protocol keys, ECDH,
 * the k1/k2/ke key schedule, the R-auth/I-auth tags and AES-SIV (RFC 5297) with DPP's
 * multi-component associated data. Pure functions on OpenSSL 3; no state, no I/O. */
#ifndef HG_DPP_CRYPTO_H
#define HG_DPP_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define DPP_MAX_PRIME 66 /* bytes of one coordinate, P-521 */
#define DPP_MAX_HASH  64 /* SHA-512 */
#define DPP_MAX_NONCE 32
#define DPP_SIV_TAG   16 /* the synthetic IV that AES-SIV puts in front of the ciphertext */

/* One curve DPP authentication can run on (Easy Connect Table 3). */
struct dpp_curve {
	int nid;	     /* NID_X9_62_prime256v1, NID_secp384r1, NID_secp521r1 */
	const char *jwk_crv; /* "P-256", "P-384", "P-521": JWK "crv" */
	const char *jws_alg; /* "ES256", "ES384", "ES512" */
	uint16_t ike_group;  /* 19, 20, 21: the Finite Cyclic Group attribute */
	size_t prime_len;    /* 32, 48, 66: bytes of a coordinate, and of an ECDH secret */
	size_t hash_len;     /* 32, 48, 64: SHA-256/384/512; also the length of k1, k2, ke */
	size_t nonce_len;    /* 16, 24, 32: I-nonce, R-nonce, E-nonce */
	const EVP_MD *(*md)(void);
};

/* The supported curves' descriptions, or NULL for any other. */
const struct dpp_curve *dpp_curve_by_nid(int nid);
const struct dpp_curve *dpp_curve_by_jwk(const char *crv);
const struct dpp_curve *dpp_curve_by_group(uint16_t ike_group);
/* The curve of an EC key (public or private), or NULL for a non-EC key or another curve. */
const struct dpp_curve *dpp_curve_of(const EVP_PKEY *key);

/* A fresh key pair on c (a protocol key, a netAccessKey). 0 with *out owned by the caller
 * (EVP_PKEY_free), or -EINVAL / -ENOMEM. */
int dpp_key_gen(const struct dpp_curve *c, EVP_PKEY **out);
/* The private key d (big-endian, at most prime_len bytes, 1 <= d < order) with its public
 * point, for known-answer tests and stored keys. 0, or -EINVAL. */
int dpp_key_from_priv(const struct dpp_curve *c, const uint8_t *d, size_t len, EVP_PKEY **out);
/* A public key from the X || Y form the protocol-key attributes carry (len == 2 * prime_len).
 * The point must be on the curve and not the point at infinity: anything else is -EINVAL
 * (a hostile peer's key). */
int dpp_key_from_xy(const struct dpp_curve *c, const uint8_t *xy, size_t len, EVP_PKEY **out);
/* X || Y of key's public point (2 * prime_len bytes into xy, cap at least that). 0 with *len
 * set, or -EINVAL / -ENOBUFS. */
int dpp_key_to_xy(const EVP_PKEY *key, uint8_t *xy, size_t cap, size_t *len);

/* ECDH: the x coordinate of own_priv * peer_pub, left-padded to prime_len bytes into x.
 * Both keys on the same supported curve; a result at infinity is -EINVAL. 0 with *len. */
int dpp_ecdh(EVP_PKEY *own_priv, EVP_PKEY *peer_pub, uint8_t *x, size_t cap, size_t *len);

/* One component of a hash input or of AES-SIV associated data. len 0 is an empty component,
 * which for AES-SIV is not the same as no component. */
struct dpp_buf {
	const uint8_t *p;
	size_t len;
};

/* H(parts[0] | ... | parts[n-1]) with c's hash; out receives hash_len bytes. 0 or -EINVAL. */
int dpp_hash(const struct dpp_curve *c, const struct dpp_buf *parts, size_t n, uint8_t *out);

/* HKDF (RFC 5869) with c's hash: extract(salt, ikm) then expand(info, outlen). salt may be
 * empty (saltlen 0: a hash_len zero salt, as RFC 5869 says). 0 or -EINVAL. */
int dpp_hkdf(const struct dpp_curve *c, const uint8_t *salt, size_t saltlen, const uint8_t *ikm,
	size_t ikmlen, const char *info, uint8_t *out, size_t outlen);

/* k1 = HKDF(<>, "first intermediate key", M.x), k2 = HKDF(<>, "second intermediate key",
 * N.x): hash_len bytes each. x is prime_len bytes. */
int dpp_derive_k1(const struct dpp_curve *c, const uint8_t *mx, uint8_t *k1);
int dpp_derive_k2(const struct dpp_curve *c, const uint8_t *nx, uint8_t *k2);
/* ke = HKDF(I-nonce | R-nonce, "DPP Key", M.x | N.x [| L.x]): lx NULL for responder-only
 * authentication. hash_len bytes. */
int dpp_derive_ke(const struct dpp_curve *c, const uint8_t *inonce, const uint8_t *rnonce,
	const uint8_t *mx, const uint8_t *nx, const uint8_t *lx, uint8_t *ke);

/* Mutual authentication's L.x. The Responder computes ((bR + pR) mod q) * BI, the Initiator
 * bI * (BR + PR); both give the same point. prime_len bytes into lx. 0 or -EINVAL. */
int dpp_l_responder(EVP_PKEY *b_r, EVP_PKEY *p_r, EVP_PKEY *b_i_pub, uint8_t *lx);
int dpp_l_initiator(EVP_PKEY *b_i, EVP_PKEY *b_r_pub, EVP_PKEY *p_r_pub, uint8_t *lx);

/* R-auth = H(I-nonce | R-nonce | PI.x | PR.x | [BI.x |] BR.x | 0)
 * I-auth = H(R-nonce | I-nonce | PR.x | PI.x | BR.x | [BI.x |] 1)
 * b_i NULL for responder-only authentication. Keys may be public or private. hash_len bytes. */
int dpp_r_auth(const struct dpp_curve *c, const uint8_t *inonce, const uint8_t *rnonce,
	const EVP_PKEY *p_i, const EVP_PKEY *p_r, const EVP_PKEY *b_i, const EVP_PKEY *b_r,
	uint8_t *out);
int dpp_i_auth(const struct dpp_curve *c, const uint8_t *inonce, const uint8_t *rnonce,
	const EVP_PKEY *p_i, const EVP_PKEY *p_r, const EVP_PKEY *b_i, const EVP_PKEY *b_r,
	uint8_t *out);

/* AES-SIV (RFC 5297) with a 32-, 48- or 64-byte key (AES-128/192/256-SIV: k1, k2 and ke of
 * P-256/P-384/P-521) and nad associated-data components (nad <= 8, each may be empty).
 * seal writes V || C (ptlen + DPP_SIV_TAG bytes) to out; open checks V and writes ctlen - 16
 * bytes, or returns -EBADMSG (wrong key, changed AD or ciphertext) and leaves out zeroed.
 * out may not overlap the input. 0, -EINVAL or -EBADMSG. */
int dpp_siv_seal(const uint8_t *key, size_t keylen, const struct dpp_buf *ad, size_t nad,
	const uint8_t *pt, size_t ptlen, uint8_t *out);
int dpp_siv_open(const uint8_t *key, size_t keylen, const struct dpp_buf *ad, size_t nad,
	const uint8_t *ct, size_t ctlen, uint8_t *out);

/* Fills p with n bytes from RAND_bytes. 0, or -EIO when the generator fails. */
int dpp_random(uint8_t *p, size_t n);

#endif
