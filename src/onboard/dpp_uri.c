/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Wi-Fi Easy Connect (DPP) bootstrapping URI "DPP:...;;": parser, generator, bootstrap key hash. */
#include "onboard/dpp_uri.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

static const char dpp_prefix[] = "DPP:";

/* The tokens we know, in the order the generator writes them (hostapd's order). */
enum dpp_tok {
	TOK_C,
	TOK_M,
	TOK_I,
	TOK_V,
	TOK_B,
	TOK_H,
	TOK_K,
	TOK_COUNT,
};

static const char tok_letter[TOK_COUNT] = {
	[TOK_C] = 'C',
	[TOK_M] = 'M',
	[TOK_I] = 'I',
	[TOK_V] = 'V',
	[TOK_B] = 'B',
	[TOK_H] = 'H',
	[TOK_K] = 'K',
};

struct tok_value {
	const char *v; /* NULL: the token was not seen */
	size_t len;
};

static const struct {
	int nid;
	uint8_t bit;
} dpp_curves[] = {
	{NID_X9_62_prime256v1, DPP_CURVE_P256},
	{NID_secp384r1, DPP_CURVE_P384},
	{NID_secp521r1, DPP_CURVE_P521},
	{NID_brainpoolP256r1, DPP_CURVE_BP256},
	{NID_brainpoolP384r1, DPP_CURVE_BP384},
	{NID_brainpoolP512r1, DPP_CURVE_BP512},
};

static bool curve_supported(int nid)
{
	for (size_t i = 0; i < ARRAY_SIZE(dpp_curves); i++)
		if (dpp_curves[i].nid == nid)
			return true;
	return false;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* %x20-3A / %x3C-7E: what a token value may hold (';' ends it). */
static bool is_value_char(char c)
{
	return (unsigned char)c >= 0x20 && (unsigned char)c <= 0x7e && c != ';';
}

/* 1..maxdig decimal digits at *p (advanced past them) into *val. */
static bool read_num(const char **p, const char *end, int maxdig, unsigned long *val)
{
	const char *s = *p;
	unsigned long v = 0;

	while (*p < end && is_digit(**p) && *p - s < maxdig + 1) {
		v = v * 10 + (unsigned long)(**p - '0');
		(*p)++;
	}
	*val = v;
	return *p > s && *p - s <= maxdig;
}

static int parse_chans(const struct tok_value *t, struct dpp_uri *out, char *err, size_t errlen)
{
	const char *p = t->v, *end = t->v + t->len;
	long op_class = -1;

	if (t->len == 0)
		return util_errf(err, errlen, "%s", "C: empty channel list");
	for (;;) {
		unsigned long a, ch;

		if (!read_num(&p, end, 3, &a))
			return util_errf(err, errlen,
				"C: expected a number of 1-3 digits at offset %zu",
				(size_t)(p - t->v));
		if (p < end && *p == '/') {
			if (a < 1 || a > 255)
				return util_errf(
					err, errlen, "C: operating class %lu not in 1..255", a);
			op_class = (long)a;
			p++;
			if (!read_num(&p, end, 3, &ch))
				return util_errf(err, errlen,
					"C: no channel of 1-3 digits after operating class %lu", a);
		} else {
			if (op_class < 0)
				return util_errf(err, errlen,
					"C: channel %lu without an operating class", a);
			ch = a;
		}
		if (ch < 1 || ch > 255)
			return util_errf(err, errlen, "C: channel %lu not in 1..255", ch);
		if (out->nchans == DPP_URI_CHANS_MAX)
			return util_errf(
				err, errlen, "C: more than %d channels", DPP_URI_CHANS_MAX);
		out->chans[out->nchans].op_class = (uint8_t)op_class;
		out->chans[out->nchans].channel = (uint8_t)ch;
		out->nchans++;
		if (p == end)
			break;
		if (*p != ',')
			return util_errf(err, errlen, "C: unexpected '%c' at offset %zu", *p,
				(size_t)(p - t->v));
		if (++p == end)
			return util_errf(err, errlen, "%s", "C: ends in ','");
	}
	out->flags |= DPP_URI_HAS_CHANNELS;
	return 0;
}

static int parse_mac(const struct tok_value *t, struct dpp_uri *out, char *err, size_t errlen)
{
	static const uint8_t zero[6];

	if (t->len != 12)
		return util_errf(err, errlen, "%s", "M: not 12 hex digits");
	for (size_t i = 0; i < 12; i++) {
		int h = util_hexval(t->v[i]);

		if (h < 0)
			return util_errf(err, errlen, "%s", "M: not 12 hex digits");
		out->mac.b[i / 2] = (uint8_t)(out->mac.b[i / 2] << 4 | h);
	}
	if (out->mac.b[0] & 1)
		return util_errf(err, errlen, "%s", "M: a group address, not a unicast MAC");
	if (memcmp(out->mac.b, zero, 6) == 0)
		return util_errf(err, errlen, "%s", "M: all zeros");
	out->flags |= DPP_URI_HAS_MAC;
	return 0;
}

static int parse_info(const struct tok_value *t, struct dpp_uri *out, char *err, size_t errlen)
{
	/* The token scan already limited the characters to printable ASCII without ';'. */
	if (t->len > DPP_URI_INFO_MAX)
		return util_errf(err, errlen, "I: longer than %d characters", DPP_URI_INFO_MAX);
	memcpy(out->info, t->v, t->len);
	out->info[t->len] = '\0';
	out->flags |= DPP_URI_HAS_INFO;
	return 0;
}

static int parse_version(const struct tok_value *t, struct dpp_uri *out, char *err, size_t errlen)
{
	const char *p = t->v, *end = t->v + t->len;
	unsigned long v;

	if (!read_num(&p, end, 3, &v) || p != end || t->v[0] == '0' || v > 255)
		return util_errf(err, errlen, "%s", "V: not a decimal 1..255");
	out->version = (uint8_t)v;
	out->flags |= DPP_URI_HAS_VERSION;
	return 0;
}

static int parse_curves(const struct tok_value *t, struct dpp_uri *out, char *err, size_t errlen)
{
	int lo, hi = 0;

	if (t->len < 1 || t->len > 2)
		return util_errf(err, errlen, "%s", "B: not 1 or 2 hex digits");
	lo = util_hexval(t->v[0]);
	if (t->len == 2)
		hi = util_hexval(t->v[1]);
	if (lo < 0 || hi < 0)
		return util_errf(err, errlen, "%s", "B: not 1 or 2 hex digits");
	out->curves = (uint8_t)(hi << 4 | lo);
	out->flags |= DPP_URI_HAS_CURVES;
	return 0;
}

/* A DNS name: LDH labels of 1..63 characters, not starting or ending in '-', at most 253
 * characters, and a last label that is not all digits (RFC 3696 §2: that would be an address). */
static bool is_dns_name(const char *s, size_t len)
{
	size_t label = 0;
	bool all_digits = true;

	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			if (i == len && all_digits)
				return false;
			label = 0;
			all_digits = true;
			continue;
		}
		if (!is_alpha(c) && !is_digit(c) && c != '-')
			return false;
		if (label == 0 && c == '-')
			return false;
		if (++label > 63)
			return false;
		if (!is_digit(c))
			all_digits = false;
	}
	return true;
}

static bool is_ip_literal(const char *s, size_t len, int af)
{
	unsigned char addr[16];
	char buf[64];

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(af, buf, addr) == 1;
}

/* The host part of H: (or of dpp_uri_make's opts): an IP literal or a DNS name. */
static bool host_valid(const char *s, size_t len)
{
	if (memchr(s, ':', len))
		return is_ip_literal(s, len, AF_INET6);
	return is_ip_literal(s, len, AF_INET) || is_dns_name(s, len);
}

static int parse_port(const char *p, const char *end, uint16_t *port)
{
	unsigned long v;

	if (!read_num(&p, end, 5, &v) || p != end || v < 1 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

static int parse_host(const struct tok_value *t, struct dpp_uri *out, char *err, size_t errlen)
{
	const char *v = t->v, *end = t->v + t->len, *h = v, *hend, *colon;
	uint16_t port = DPP_TCP_PORT;

	if (t->len == 0)
		return util_errf(err, errlen, "%s", "H: empty");
	if (t->len > DPP_URI_HOST_MAX)
		return util_errf(err, errlen, "H: longer than %d characters", DPP_URI_HOST_MAX);
	if (*v == '[') {
		h = v + 1;
		hend = memchr(h, ']', (size_t)(end - h));
		if (!hend)
			return util_errf(err, errlen, "%s", "H: '[' without ']'");
		if (!is_ip_literal(h, (size_t)(hend - h), AF_INET6))
			return util_errf(err, errlen, "%s", "H: not an IPv6 address inside [ ]");
		if (hend + 1 < end && (hend[1] != ':' || parse_port(hend + 2, end, &port) < 0))
			return util_errf(err, errlen, "%s", "H: bad port after [IPv6]");
	} else {
		colon = memchr(v, ':', t->len);
		hend = end;
		if (colon && !memchr(colon + 1, ':', (size_t)(end - colon - 1))) {
			/* One ':' is a port; two or more make a bare IPv6 literal. */
			if (parse_port(colon + 1, end, &port) < 0)
				return util_errf(err, errlen, "%s", "H: port not in 1..65535");
			hend = colon;
		}
		if (!host_valid(h, (size_t)(hend - h)))
			return util_errf(err, errlen, "%s", "H: not an IP address or a DNS name");
	}
	memcpy(out->host, h, (size_t)(hend - h));
	out->host[hend - h] = '\0';
	out->port = port;
	out->flags |= DPP_URI_HAS_HOST;
	return 0;
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (is_digit(c))
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* RFC 4648 §4 base64, strictly: padded to a multiple of 4, '=' only at the end, and the bits
 * that padding leaves over are zero (so each key has exactly one spelling). */
static int b64_decode(const char *s, size_t len, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t n = 0, pad = 0;

	if (len == 0 || len % 4)
		return -EINVAL;
	if (s[len - 1] == '=')
		pad = s[len - 2] == '=' ? 2 : 1;
	if ((len / 4) * 3 - pad > cap)
		return -E2BIG;
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		bool last = i + 4 == len;

		for (int j = 0; j < 4; j++) {
			v[j] = b64val(s[i + j]);
			if (v[j] < 0 && !(last && s[i + j] == '=' && j >= 4 - (int)pad))
				return -EINVAL;
		}
		out[n++] = (uint8_t)(v[0] << 2 | v[1] >> 4);
		if (last && pad == 2) {
			if (v[1] & 0x0f)
				return -EINVAL;
			break;
		}
		out[n++] = (uint8_t)((v[1] & 0x0f) << 4 | v[2] >> 2);
		if (last && pad == 1) {
			if (v[2] & 0x03)
				return -EINVAL;
			break;
		}
		out[n++] = (uint8_t)((v[2] & 0x03) << 6 | v[3]);
	}
	*outlen = n;
	return 0;
}

/* The DER SubjectPublicKeyInfo of key with its named curve and the point in the given form. The
 * caller frees *der with OPENSSL_free. */
static int spki_encode(
	EVP_PKEY *key, point_conversion_form_t form, unsigned char **der, int *derlen)
{
	unsigned char pub[1 + 2 * 66];
	char group[64];
	size_t publen = 0, clen;
	unsigned char *penc = NULL;
	EC_GROUP *grp = NULL;
	EC_POINT *pt = NULL;
	X509_PUBKEY *xpub = NULL;
	int nid, ret = -EINVAL;

	*der = NULL;
	if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)
		return -EINVAL;
	if (EVP_PKEY_get_utf8_string_param(
		    key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) != 1)
		return -EINVAL; /* explicit parameters */
	nid = OBJ_txt2nid(group);
	if (nid == NID_undef)
		nid = EC_curve_nist2nid(group);
	if (!curve_supported(nid))
		return -EINVAL;
	if (EVP_PKEY_get_octet_string_param(
		    key, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub), &publen) != 1)
		return -EINVAL;
	grp = EC_GROUP_new_by_curve_name(nid);
	pt = grp ? EC_POINT_new(grp) : NULL;
	if (!pt || EC_POINT_oct2point(grp, pt, pub, publen, NULL) != 1)
		goto out;
	clen = EC_POINT_point2oct(grp, pt, form, NULL, 0, NULL);
	if (clen == 0 || !(penc = OPENSSL_malloc(clen)) ||
		EC_POINT_point2oct(grp, pt, form, penc, clen, NULL) != clen)
		goto out;
	if (!(xpub = X509_PUBKEY_new()) ||
		X509_PUBKEY_set0_param(xpub, OBJ_nid2obj(NID_X9_62_id_ecPublicKey), V_ASN1_OBJECT,
			OBJ_nid2obj(nid), penc, (int)clen) != 1)
		goto out;
	penc = NULL; /* xpub owns it now */
	*derlen = i2d_X509_PUBKEY(xpub, der);
	if (*derlen <= 0 || *derlen > DPP_URI_SPKI_MAX) {
		OPENSSL_free(*der);
		*der = NULL;
		goto out;
	}
	ret = 0;
out:
	X509_PUBKEY_free(xpub);
	OPENSSL_free(penc);
	EC_POINT_free(pt);
	EC_GROUP_free(grp);
	return ret;
}

static int parse_key(const struct tok_value *t, struct dpp_uri *out, char *err, size_t errlen)
{
	const unsigned char *p;
	const unsigned char *pk;
	unsigned char *reenc = NULL;
	X509_PUBKEY *xpub = NULL;
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	X509_ALGOR *alg;
	ASN1_OBJECT *algobj;
	const ASN1_OBJECT *aobj;
	const void *pval;
	int ptype, pklen, relen, ret;

	if (t->len == 0)
		return util_errf(err, errlen, "%s", "K: empty");
	ret = b64_decode(t->v, t->len, out->spki, sizeof(out->spki), &out->spki_len);
	if (ret == -E2BIG)
		return util_errf(err, errlen, "K: longer than %d bytes decoded", DPP_URI_SPKI_MAX);
	if (ret)
		return util_errf(err, errlen, "%s", "K: not canonical padded base64");

	p = out->spki;
	xpub = d2i_X509_PUBKEY(NULL, &p, (long)out->spki_len);
	if (!xpub) {
		ret = util_errf(err, errlen, "%s", "K: not a DER SubjectPublicKeyInfo");
		goto out;
	}
	if (p != out->spki + out->spki_len) {
		ret = util_errf(err, errlen, "%s", "K: bytes after the SubjectPublicKeyInfo");
		goto out;
	}
	if (!X509_PUBKEY_get0_param(&algobj, &pk, &pklen, &alg, xpub) ||
		OBJ_obj2nid(algobj) != NID_X9_62_id_ecPublicKey) {
		ret = util_errf(err, errlen, "%s", "K: not an EC public key");
		goto out;
	}
	X509_ALGOR_get0(&aobj, &ptype, &pval, alg);
	if (ptype != V_ASN1_OBJECT) {
		ret = util_errf(err, errlen, "%s", "K: curve not given as a named curve");
		goto out;
	}
	out->curve_nid = OBJ_obj2nid(pval);
	if (!curve_supported(out->curve_nid)) {
		ret = util_errf(err, errlen, "K: unsupported curve %s",
			out->curve_nid != NID_undef ? OBJ_nid2sn(out->curve_nid) : "(unknown OID)");
		goto out;
	}
	if (pklen < 1 || (pk[0] != 0x02 && pk[0] != 0x03 && pk[0] != 0x04)) {
		ret = util_errf(err, errlen, "%s", "K: point neither compressed nor uncompressed");
		goto out;
	}
	if (pk[0] == 0x04)
		out->flags |= DPP_URI_KEY_UNCOMPRESSED;
	/* d2i keeps an X509_PUBKEY whose point did not decode (off the curve) but gives no key. */
	pkey = X509_PUBKEY_get(xpub);
	if (!pkey || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC) {
		ret = util_errf(err, errlen, "%s", "K: point is not on the curve");
		goto out;
	}
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	if (!ctx || EVP_PKEY_public_check(ctx) != 1) {
		ret = util_errf(err, errlen, "%s", "K: point is not on the curve");
		goto out;
	}
	/* d2i takes some BER (long lengths, unused bits in the BIT STRING); the key hash is over
	 * these bytes, so they must be the one DER encoding of this key in this point form. */
	if (spki_encode(pkey,
		    pk[0] == 0x04 ? POINT_CONVERSION_UNCOMPRESSED : POINT_CONVERSION_COMPRESSED,
		    &reenc, &relen) != 0 ||
		relen != (int)out->spki_len || memcmp(reenc, out->spki, out->spki_len) != 0) {
		ret = util_errf(err, errlen, "%s", "K: not DER (does not re-encode identically)");
		goto out;
	}
	if (EVP_Digest(out->spki, out->spki_len, out->key_hash, NULL, EVP_sha256(), NULL) != 1) {
		ret = util_errf(err, errlen, "%s", "K: SHA-256 failed");
		goto out;
	}
	ret = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	OPENSSL_free(reenc);
	X509_PUBKEY_free(xpub);
	return ret;
}

static int parse(const char *uri, size_t len, struct dpp_uri *out, char *err, size_t errlen)
{
	struct tok_value val[TOK_COUNT] = {{0}};
	const char *p, *end, *first;
	int ret;

	if (!uri || len == 0)
		return util_errf(err, errlen, "%s", "empty URI");
	if (len > DPP_URI_MAX)
		return util_errf(
			err, errlen, "URI of %zu bytes is longer than %d", len, DPP_URI_MAX);
	if (len < strlen(dpp_prefix) || memcmp(uri, dpp_prefix, strlen(dpp_prefix)) != 0)
		return util_errf(err, errlen, "%s", "not a DPP URI (no \"DPP:\" prefix)");
	p = first = uri + strlen(dpp_prefix);
	end = uri + len;

	for (;;) {
		const char *q;
		int k;

		if (p == end)
			return util_errf(err, errlen, "%s", "no \";;\" at the end");
		if (*p == ';') {
			/* The ';' that, after the last token's own, makes the ";;". "DPP:;;" has
			 * no token at all: say what is missing rather than what is extra. */
			if (p == first && end - p == 2 && p[1] == ';')
				break;
			if (p + 1 != end)
				return util_errf(err, errlen, "%zu bytes after \";;\"",
					(size_t)(end - p - 1));
			break;
		}
		for (q = p; q < end && *q != ';'; q++)
			;
		if (q == end)
			return util_errf(err, errlen, "token at offset %zu not ended by ';'",
				(size_t)(p - uri));
		if (q - p < 2 || !is_alpha(p[0]) || p[1] != ':')
			return util_errf(err, errlen, "token at offset %zu is not \"X:value\"",
				(size_t)(p - uri));
		for (const char *c = p + 2; c < q; c++)
			if (!is_value_char(*c))
				return util_errf(err, errlen,
					"%c: byte 0x%02x at offset %zu is not printable ASCII",
					p[0], (unsigned char)*c, (size_t)(c - uri));
		for (k = 0; k < TOK_COUNT; k++)
			if (tok_letter[k] == p[0])
				break;
		if (k < TOK_COUNT) {
			if (val[k].v)
				return util_errf(err, errlen, "%c: given twice", p[0]);
			val[k].v = p + 2;
			val[k].len = (size_t)(q - p - 2);
		}
		/* Unknown tokens are skipped: later versions of the specification add them. */
		p = q + 1;
	}

	if (!val[TOK_K].v)
		return util_errf(err, errlen, "%s", "missing K (bootstrapping public key)");
	if (val[TOK_C].v && (ret = parse_chans(&val[TOK_C], out, err, errlen)))
		return ret;
	if (val[TOK_M].v && (ret = parse_mac(&val[TOK_M], out, err, errlen)))
		return ret;
	if (val[TOK_I].v && (ret = parse_info(&val[TOK_I], out, err, errlen)))
		return ret;
	if (val[TOK_V].v && (ret = parse_version(&val[TOK_V], out, err, errlen)))
		return ret;
	if (val[TOK_B].v && (ret = parse_curves(&val[TOK_B], out, err, errlen)))
		return ret;
	if (val[TOK_H].v && (ret = parse_host(&val[TOK_H], out, err, errlen)))
		return ret;
	return parse_key(&val[TOK_K], out, err, errlen);
}

int dpp_uri_parse(const char *uri, size_t len, struct dpp_uri *out, char *err, size_t errlen)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	ret = parse(uri, len, out, err, errlen);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}

int dpp_bootstrap_key_hash(EVP_PKEY *key, uint8_t out[static 32])
{
	unsigned char *der = NULL;
	int derlen = 0, ret;

	if ((ret = spki_encode(key, POINT_CONVERSION_COMPRESSED, &der, &derlen)))
		return ret;
	if (EVP_Digest(der, (size_t)derlen, out, NULL, EVP_sha256(), NULL) != 1)
		ret = -EINVAL;
	OPENSSL_free(der);
	return ret;
}

struct outbuf {
	char b[DPP_URI_MAX + 1];
	size_t n;
	bool overflow;
};

static void put(struct outbuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct outbuf *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->b + o->n, sizeof(o->b) - o->n, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(o->b) - o->n)
		o->overflow = true;
	else
		o->n += (size_t)n;
}

static bool opts_valid(const struct dpp_uri *o)
{
	if (o->flags & DPP_URI_HAS_CHANNELS) {
		if (o->nchans < 1 || o->nchans > DPP_URI_CHANS_MAX)
			return false;
		for (size_t i = 0; i < o->nchans; i++)
			if (o->chans[i].op_class == 0 || o->chans[i].channel == 0)
				return false;
	}
	if (o->flags & DPP_URI_HAS_MAC) {
		static const uint8_t zero[6];

		if ((o->mac.b[0] & 1) || memcmp(o->mac.b, zero, 6) == 0)
			return false;
	}
	if (o->flags & DPP_URI_HAS_INFO) {
		size_t n = strnlen(o->info, sizeof(o->info));

		if (n > DPP_URI_INFO_MAX)
			return false;
		for (size_t i = 0; i < n; i++)
			if (!is_value_char(o->info[i]))
				return false;
	}
	if ((o->flags & DPP_URI_HAS_VERSION) && o->version == 0)
		return false;
	if (o->flags & DPP_URI_HAS_HOST) {
		size_t n = strnlen(o->host, sizeof(o->host));

		if (n == sizeof(o->host) || !host_valid(o->host, n))
			return false;
	}
	return true;
}

int dpp_uri_make(EVP_PKEY *key, const struct dpp_uri *opts, char *buf, size_t buflen)
{
	static const struct dpp_uri none;
	struct outbuf ob = {.n = 0}, *o = &ob;
	unsigned char *der = NULL;
	char b64[4 * ((DPP_URI_SPKI_MAX + 2) / 3) + 1];
	int derlen = 0, ret;

	if (!opts)
		opts = &none;
	if (!opts_valid(opts) || (buflen && !buf))
		return -EINVAL;
	if ((ret = spki_encode(key, POINT_CONVERSION_COMPRESSED, &der, &derlen)))
		return ret;
	EVP_EncodeBlock((unsigned char *)b64, der, derlen);

	put(o, "%s", dpp_prefix);
	if (opts->flags & DPP_URI_HAS_CHANNELS) {
		put(o, "C:");
		for (size_t i = 0; i < opts->nchans; i++) {
			const struct dpp_chan *c = &opts->chans[i];

			if (i > 0 && c->op_class == opts->chans[i - 1].op_class)
				put(o, ",%u", c->channel);
			else
				put(o, "%s%u/%u", i ? "," : "", c->op_class, c->channel);
		}
		put(o, ";");
	}
	if (opts->flags & DPP_URI_HAS_MAC)
		put(o, "M:%02x%02x%02x%02x%02x%02x;", opts->mac.b[0], opts->mac.b[1],
			opts->mac.b[2], opts->mac.b[3], opts->mac.b[4], opts->mac.b[5]);
	if (opts->flags & DPP_URI_HAS_INFO)
		put(o, "I:%s;", opts->info);
	if (opts->flags & DPP_URI_HAS_VERSION)
		put(o, "V:%u;", opts->version);
	if (opts->flags & DPP_URI_HAS_CURVES) {
		/* First digit bits 0-3, second bits 4-7 (see dpp_uri.h). */
		if (opts->curves & 0xf0)
			put(o, "B:%x%x;", opts->curves & 0x0f, opts->curves >> 4);
		else
			put(o, "B:%x;", opts->curves);
	}
	if (opts->flags & DPP_URI_HAS_HOST) {
		bool v6 = strchr(opts->host, ':') != NULL;
		uint16_t port = opts->port ? opts->port : DPP_TCP_PORT;
		char h[DPP_URI_HOST_MAX + 16];
		int hn;

		if (port == DPP_TCP_PORT)
			hn = snprintf(h, sizeof(h), "%s", opts->host);
		else
			hn = snprintf(h, sizeof(h), v6 ? "[%s]:%u" : "%s:%u", opts->host, port);
		/* The parser's limit counts the port too. */
		if (hn < 0 || hn > DPP_URI_HOST_MAX) {
			ret = -EINVAL;
			goto out;
		}
		put(o, "H:%s;", h);
	}
	put(o, "K:%s;;", b64);
	if (o->overflow || o->n > DPP_URI_MAX) {
		ret = -EINVAL;
		goto out;
	}
	if (buflen) {
		size_t n = o->n < buflen ? o->n : buflen - 1;

		memcpy(buf, o->b, n);
		buf[n] = '\0';
	}
	ret = (int)o->n;
out:
	OPENSSL_free(der);
	return ret;
}
