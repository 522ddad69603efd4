/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TLS ClientHello parser and the client fingerprints made from it: SNI, ALPN, JA3 and JA4. */
#include "observe/tls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/log.h"
#include "core/util.h"

#define REC_CCS		  20
#define REC_HANDSHAKE	  22
#define HS_CLIENT_HELLO	  1
#define REC_MAX		  16384 /* 2^14: TLSPlaintext.length (RFC 8446 §5.1) */
#define SESSION_ID_MAX	  32
#define HOST_NAME_MAX_	  255
#define SNI_HOST_NAME	  0
#define EXT_SERVER_NAME	  0x0000
#define EXT_GROUPS	  0x000a
#define EXT_EC_FORMATS	  0x000b
#define EXT_SIG_ALGS	  0x000d
#define EXT_ALPN	  0x0010
#define EXT_SUPP_VERSIONS 0x002b

/* rd_* results besides 0 and -EINVAL: the capture ended. */
#define CUT 1

/* The handshake message, read across the handshake records that carry it. Positions (pos, the
 * block ends) count octets of the handshake message, record headers left out. */
struct rd {
	const uint8_t *buf;
	size_t len;	 /* octets captured */
	size_t off;	 /* next octet of buf */
	size_t rec_left; /* octets of the current record after off */
	size_t pos;	 /* octets of the handshake message read */
	char *err;
	size_t errlen;
};

/* The extensions read for their contents; each may appear once. */
enum {
	SEEN_SNI = 1U << 0,
	SEEN_GROUPS = 1U << 1,
	SEEN_EC_FORMATS = 1U << 2,
	SEEN_SIG_ALGS = 1U << 3,
	SEEN_ALPN = 1U << 4,
	SEEN_VERSIONS = 1U << 5,
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

bool tls_is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* Steps over record headers until an octet of handshake data is at off. */
static int rd_record(struct rd *r)
{
	while (r->rec_left == 0) {
		const uint8_t *h = r->buf + r->off;
		size_t n;

		if (r->len - r->off < 5)
			return CUT;
		if (h[0] != REC_HANDSHAKE)
			return util_errf(r->err, r->errlen,
				"a record of type %u inside the ClientHello", h[0]);
		if (h[1] != 3 || h[2] > 4)
			return util_errf(r->err, r->errlen,
				"record version 0x%02x%02x inside the ClientHello", h[1], h[2]);
		n = be16(h + 3);
		if (n == 0)
			return util_errf(r->err, r->errlen, "%s",
				"an empty handshake record inside the ClientHello");
		if (n > REC_MAX)
			return util_errf(r->err, r->errlen, "a record of %zu octets, over 2^14", n);
		r->off += 5;
		r->rec_left = n;
	}
	return r->off < r->len ? 0 : CUT;
}

/* Reads n octets into dst, or skips them when dst is NULL. */
static int rd_bytes(struct rd *r, uint8_t *dst, size_t n)
{
	while (n) {
		size_t k = n;
		int ret;

		if ((ret = rd_record(r)))
			return ret;
		if (k > r->rec_left)
			k = r->rec_left;
		if (k > r->len - r->off)
			k = r->len - r->off;
		if (dst) {
			memcpy(dst, r->buf + r->off, k);
			dst += k;
		}
		r->off += k;
		r->rec_left -= k;
		r->pos += k;
		n -= k;
	}
	return 0;
}

/* Reads an n-octet (1..3) big-endian field that must end by end. */
static int take(struct rd *r, size_t n, size_t end, const char *what, uint32_t *v)
{
	uint8_t b[3];
	int ret;

	if (n > end - r->pos)
		return util_errf(r->err, r->errlen, "%s runs past its block", what);
	if ((ret = rd_bytes(r, b, n)))
		return ret;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v = *v << 8 | b[i];
	return 0;
}

static int skip(struct rd *r, size_t n, size_t end, const char *what)
{
	if (n > end - r->pos)
		return util_errf(r->err, r->errlen, "%s runs past its block", what);
	return rd_bytes(r, NULL, n);
}

/* Opens a block of n octets that must end by parent; *end is where it stops. */
static int block(struct rd *r, size_t n, size_t parent, const char *what, size_t *end)
{
	if (n > parent - r->pos)
		return util_errf(
			r->err, r->errlen, "%s of %zu octets runs past its block", what, n);
	*end = r->pos + n;
	return 0;
}

/* A list of 16-bit values: a length prefix of pfx octets that fills the extension (ext_end),
 * at least 2 octets, even. Keeps up to max values in v. */
static int list16(struct rd *r, size_t pfx, size_t ext_end, const char *what, uint16_t *v,
	size_t *nv, size_t max, bool *dropped)
{
	uint32_t n, x;
	int ret;

	if ((ret = take(r, pfx, ext_end, what, &n)))
		return ret;
	if (n != ext_end - r->pos)
		return util_errf(r->err, r->errlen, "%s list of %u octets in an extension of %zu",
			what, n, ext_end - r->pos + pfx);
	if (n < 2 || n % 2)
		return util_errf(r->err, r->errlen, "%s list of %u octets", what, n);
	while (r->pos < ext_end) {
		if ((ret = take(r, 2, ext_end, what, &x)))
			return ret;
		if (*nv < max)
			v[(*nv)++] = (uint16_t)x;
		else
			*dropped = true;
	}
	return 0;
}

static int ext_ec_formats(struct rd *r, size_t ext_end, struct tls_hello *out)
{
	uint32_t n, x;
	int ret;

	if ((ret = take(r, 1, ext_end, "ec_point_formats", &n)))
		return ret;
	if (n != ext_end - r->pos || n == 0)
		return util_errf(r->err, r->errlen,
			"ec_point_formats list of %u octets in an extension of %zu", n,
			ext_end - r->pos + 1);
	while (r->pos < ext_end) {
		if ((ret = take(r, 1, ext_end, "ec_point_formats", &x)))
			return ret;
		if (out->nec_formats < ARRAY_SIZE(out->ec_formats))
			out->ec_formats[out->nec_formats++] = (uint8_t)x;
		else
			out->dropped = true;
	}
	return 0;
}

/* server_name (RFC 6066 §3): the first host_name is kept once the extension is read whole. An
 * empty extension is taken as the bare announcement some clients send. */
static int ext_server_name(struct rd *r, size_t ext_end, struct tls_hello *out)
{
	char name[HOST_NAME_MAX_ + 1];
	bool have = false;
	uint32_t n, type, nlen;
	size_t list_end;
	int ret;

	if (r->pos == ext_end)
		return 0;
	if ((ret = take(r, 2, ext_end, "server_name list length", &n)))
		return ret;
	if (n != ext_end - r->pos || n == 0)
		return util_errf(r->err, r->errlen,
			"server_name list of %u octets in an extension of %zu", n,
			ext_end - r->pos + 2);
	list_end = ext_end;
	while (r->pos < list_end) {
		if ((ret = take(r, 1, list_end, "server_name name_type", &type)) ||
			(ret = take(r, 2, list_end, "server_name name length", &nlen)))
			return ret;
		if (nlen > list_end - r->pos)
			return util_errf(r->err, r->errlen,
				"server_name name of %u octets runs past the list", nlen);
		if (type != SNI_HOST_NAME) {
			if ((ret = skip(r, nlen, list_end, "server_name name")))
				return ret;
			continue;
		}
		if (have)
			return util_errf(r->err, r->errlen, "%s", "two host_names in server_name");
		if (nlen == 0 || nlen > HOST_NAME_MAX_)
			return util_errf(
				r->err, r->errlen, "server_name host_name of %u octets", nlen);
		if ((ret = rd_bytes(r, (uint8_t *)name, nlen)))
			return ret;
		for (size_t i = 0; i < nlen; i++)
			if ((unsigned char)name[i] < 0x20 || (unsigned char)name[i] > 0x7e)
				return util_errf(r->err, r->errlen,
					"server_name host_name with octet 0x%02x at %zu",
					(unsigned char)name[i], i);
		name[nlen] = '\0';
		have = true;
	}
	if (have) {
		memcpy(out->sni, name, strlen(name) + 1);
		out->flags |= TLS_HELLO_HAS_SNI;
	}
	return 0;
}

/* application_layer_protocol_negotiation (RFC 7301 §3.1): the first protocol is kept once the
 * extension is read whole. Empty names are let through: JA4 defines them ("00"). */
static int ext_alpn(struct rd *r, size_t ext_end, struct tls_hello *out)
{
	char text[sizeof(out->alpn)];
	uint8_t ends[2] = {0, 0};
	size_t first_len = 0, count = 0;
	uint32_t n, nlen;
	int ret;

	if ((ret = take(r, 2, ext_end, "ALPN list length", &n)))
		return ret;
	if (n != ext_end - r->pos || n < 2)
		return util_errf(r->err, r->errlen, "ALPN list of %u octets in an extension of %zu",
			n, ext_end - r->pos + 2);
	memset(text, 0, sizeof(text));
	while (r->pos < ext_end) {
		if ((ret = take(r, 1, ext_end, "ALPN name length", &nlen)))
			return ret;
		if (nlen > ext_end - r->pos)
			return util_errf(r->err, r->errlen,
				"ALPN name of %u octets runs past the list", nlen);
		if (count++ > 0) {
			if ((ret = skip(r, nlen, ext_end, "ALPN name")))
				return ret;
			continue;
		}
		first_len = nlen;
		for (size_t i = 0; i < nlen; i++) {
			uint8_t c;

			if ((ret = rd_bytes(r, &c, 1)))
				return ret;
			if (i == 0)
				ends[0] = c;
			ends[1] = c;
			if (i < sizeof(text) - 1)
				text[i] = (c >= 0x20 && c <= 0x7e) ? (char)c : '?';
		}
	}
	memcpy(out->alpn, text, sizeof(text));
	out->alpn_len = first_len;
	memcpy(out->alpn_ends, ends, 2);
	out->flags |= TLS_HELLO_HAS_ALPN;
	return 0;
}

static int extension(
	struct rd *r, uint16_t type, size_t ext_end, unsigned *seen, struct tls_hello *out)
{
	unsigned bit;

	switch (type) {
	case EXT_SERVER_NAME:
		bit = SEEN_SNI;
		break;
	case EXT_GROUPS:
		bit = SEEN_GROUPS;
		break;
	case EXT_EC_FORMATS:
		bit = SEEN_EC_FORMATS;
		break;
	case EXT_SIG_ALGS:
		bit = SEEN_SIG_ALGS;
		break;
	case EXT_ALPN:
		bit = SEEN_ALPN;
		break;
	case EXT_SUPP_VERSIONS:
		bit = SEEN_VERSIONS;
		break;
	default:
		return skip(r, ext_end - r->pos, ext_end, "extension");
	}
	/* RFC 8446 §4.2: no extension twice; for these the values would be ambiguous. */
	if (*seen & bit)
		return util_errf(r->err, r->errlen, "extension 0x%04x repeated", type);
	*seen |= bit;
	switch (type) {
	case EXT_SERVER_NAME:
		return ext_server_name(r, ext_end, out);
	case EXT_GROUPS:
		return list16(r, 2, ext_end, "supported_groups", out->groups, &out->ngroups,
			TLS_MAX_LIST, &out->dropped);
	case EXT_EC_FORMATS:
		return ext_ec_formats(r, ext_end, out);
	case EXT_SIG_ALGS:
		return list16(r, 2, ext_end, "signature_algorithms", out->sig_algs, &out->nsig_algs,
			TLS_MAX_LIST, &out->dropped);
	case EXT_ALPN:
		return ext_alpn(r, ext_end, out);
	default:
		out->flags |= TLS_HELLO_HAS_VERSIONS;
		return list16(r, 1, ext_end, "supported_versions", out->versions, &out->nversions,
			ARRAY_SIZE(out->versions), &out->dropped);
	}
}

/* ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2), after the caller saw its first 6 octets. */
static int parse(struct rd *r, struct tls_hello *out)
{
	uint8_t hdr[4];
	uint32_t v, n;
	size_t end, list_end = 0;
	unsigned seen = 0;
	int ret;

	if ((ret = rd_bytes(r, hdr, 4)))
		return ret;
	end = 4 + ((size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3]);
	if ((ret = take(r, 2, end, "legacy_version", &v)))
		return ret;
	out->version = (uint16_t)v;
	if ((ret = skip(r, 32, end, "random")))
		return ret;
	if ((ret = take(r, 1, end, "legacy_session_id length", &n)))
		return ret;
	if (n > SESSION_ID_MAX)
		return util_errf(r->err, r->errlen, "session id of %u octets, over 32", n);
	if ((ret = skip(r, n, end, "legacy_session_id")))
		return ret;
	if ((ret = take(r, 2, end, "cipher_suites length", &n)))
		return ret;
	if (n < 2 || n % 2)
		return util_errf(r->err, r->errlen, "cipher_suites of %u octets", n);
	if ((ret = block(r, n, end, "cipher_suites", &list_end)))
		return ret;
	while (r->pos < list_end) {
		if ((ret = take(r, 2, list_end, "cipher suite", &v)))
			return ret;
		if (out->nciphers < TLS_MAX_CIPHERS)
			out->ciphers[out->nciphers++] = (uint16_t)v;
		else
			out->dropped = true;
	}
	if ((ret = take(r, 1, end, "legacy_compression_methods length", &n)))
		return ret;
	if (n == 0)
		return util_errf(r->err, r->errlen, "%s", "no compression method");
	if ((ret = skip(r, n, end, "legacy_compression_methods")))
		return ret;
	if (r->pos == end) /* no extensions: SSL 3.0 and early TLS clients */
		return 0;
	if ((ret = take(r, 2, end, "extensions length", &n)))
		return ret;
	if (n != end - r->pos)
		return util_errf(r->err, r->errlen,
			"extensions of %u octets where the ClientHello has %zu left", n,
			end - r->pos);
	while (r->pos < end) {
		uint32_t type, elen;
		size_t ext_end = 0;

		if ((ret = take(r, 2, end, "extension type", &type)))
			return ret;
		if (out->nexts < TLS_MAX_LIST)
			out->exts[out->nexts++] = (uint16_t)type;
		else
			out->dropped = true;
		if ((ret = take(r, 2, end, "extension length", &elen)) ||
			(ret = block(r, elen, end, "extension", &ext_end)) ||
			(ret = extension(r, (uint16_t)type, ext_end, &seen, out)))
			return ret;
	}
	return 0;
}

int tls_client_hello_parse(
	const uint8_t *buf, size_t len, struct tls_hello *out, char *err, size_t errlen)
{
	struct rd r = {.buf = buf, .len = len, .err = err, .errlen = errlen};
	int ret;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	if (!buf)
		return 0;
	/* After a HelloRetryRequest a TLS 1.3 client may send its one-octet change_cipher_spec
	 * in front of the second ClientHello (RFC 8446 §D.4). */
	if (len >= 6 && buf[0] == REC_CCS && buf[1] == 3 && buf[2] <= 4 && be16(buf + 3) == 1 &&
		buf[5] == 1)
		r.off = 6;
	if (len - r.off < 6 || buf[r.off] != REC_HANDSHAKE || buf[r.off + 1] != 3 ||
		buf[r.off + 2] > 4 || be16(buf + r.off + 3) == 0 ||
		buf[r.off + 5] != HS_CLIENT_HELLO)
		return 0;
	ret = parse(&r, out);
	if (ret == CUT) {
		out->flags |= TLS_HELLO_TRUNCATED;
		return 1;
	}
	if (ret < 0) {
		memset(out, 0, sizeof(*out));
		return ret;
	}
	return 1;
}

/* ---- fingerprints ---- */

static bool complete(const struct tls_hello *h)
{
	return !(h->flags & TLS_HELLO_TRUNCATED) && !h->dropped;
}

/* Appends to a string sized for the largest lists (a shortfall is a bug, not an input). */
struct str {
	char *p;
	size_t cap, n;
};

static void str_chr(struct str *s, char c)
{
	if (s->n + 1 >= s->cap)
		fatalx("tls: fingerprint buffer of %zu octets too small", s->cap);
	s->p[s->n++] = c;
	s->p[s->n] = '\0';
}

static void str_dec(struct str *s, unsigned v)
{
	char d[12];
	size_t k = 0;

	do
		d[k++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (k)
		str_chr(s, d[--k]);
}

static void str_hex4(struct str *s, uint16_t v)
{
	static const char xd[] = "0123456789abcdef";

	for (int shift = 12; shift >= 0; shift -= 4)
		str_chr(s, xd[(v >> shift) & 15]);
}

/* The values that are not GREASE, joined by sep, in decimal or as 4 hex digits. */
static void str_list(struct str *s, const uint16_t *v, size_t n, bool hex, char sep)
{
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		if (tls_is_grease(v[i]))
			continue;
		if (!first)
			str_chr(s, sep);
		if (hex)
			str_hex4(s, v[i]);
		else
			str_dec(s, v[i]);
		first = false;
	}
}

static int digest_hex(const EVP_MD *md, const char *s, size_t n, char *hex, size_t digits)
{
	static const char xd[] = "0123456789abcdef";
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	if (!md || !EVP_Digest(s, n, d, &dlen, md, NULL) || dlen * 2 < digits)
		return -EIO;
	for (size_t i = 0; i < digits; i++)
		hex[i] = xd[(d[i / 2] >> (i % 2 ? 0 : 4)) & 15];
	hex[digits] = '\0';
	return 0;
}

int tls_ja3(const struct tls_hello *h, char *buf, size_t buflen, char *md5)
{
	char tmp[TLS_JA3_MAX + 1];
	struct str s = {tmp, sizeof(tmp), 0};
	int ret;

	if (buf && buflen)
		buf[0] = '\0';
	if (md5)
		md5[0] = '\0';
	if (!complete(h) || h->nciphers > TLS_MAX_CIPHERS || h->nexts > TLS_MAX_LIST ||
		h->ngroups > TLS_MAX_LIST || h->nec_formats > ARRAY_SIZE(h->ec_formats))
		return -EINVAL;
	tmp[0] = '\0';
	str_dec(&s, h->version);
	str_chr(&s, ',');
	str_list(&s, h->ciphers, h->nciphers, false, '-');
	str_chr(&s, ',');
	str_list(&s, h->exts, h->nexts, false, '-');
	str_chr(&s, ',');
	str_list(&s, h->groups, h->ngroups, false, '-');
	str_chr(&s, ',');
	for (size_t i = 0; i < h->nec_formats; i++) {
		if (i)
			str_chr(&s, '-');
		str_dec(&s, h->ec_formats[i]);
	}
	if (md5 && (ret = digest_hex(EVP_md5(), tmp, s.n, md5, 32)))
		return ret;
	if (buf && buflen)
		util_strlcpy(buf, tmp, buflen);
	return (int)s.n;
}

static int cmp16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* The values of v that are not GREASE, sorted into dst (room for n); returns how many. */
static size_t sorted(const uint16_t *v, size_t n, uint16_t *dst)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (!tls_is_grease(v[i]))
			dst[k++] = v[i];
	qsort(dst, k, sizeof(*dst), cmp16);
	return k;
}

static const char *ja4_version(const struct tls_hello *h)
{
	static const struct {
		uint16_t v;
		const char *s;
	} names[] = {
		{0x0304, "13"},
		{0x0303, "12"},
		{0x0302, "11"},
		{0x0301, "10"},
		{0x0300, "s3"},
		{0x0002, "s2"},
		{0xfeff, "d1"},
		{0xfefd, "d2"},
		{0xfefc, "d3"},
	};
	uint16_t v = h->version;

	/* JA4.md "TLS and DTLS Version": the highest supported_versions value when the extension
	 * is there (none but GREASE: unknown). */
	if (h->flags & TLS_HELLO_HAS_VERSIONS) {
		v = 0;
		for (size_t i = 0; i < h->nversions; i++)
			if (!tls_is_grease(h->versions[i]) && h->versions[i] > v)
				v = h->versions[i];
	}
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].v == v)
			return names[i].s;
	return "00";
}

static bool is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* JA4.md "ALPN Extension Value". */
static void ja4_alpn(const struct tls_hello *h, char out[2])
{
	static const char xd[] = "0123456789abcdef";
	uint8_t a = h->alpn_ends[0], b = h->alpn_ends[1];

	if (!(h->flags & TLS_HELLO_HAS_ALPN) || h->alpn_len == 0) {
		out[0] = out[1] = '0';
	} else if (is_alnum(a) && is_alnum(b)) {
		out[0] = (char)a;
		out[1] = (char)b;
	} else {
		/* the first and last digit of the name in hex */
		out[0] = xd[a >> 4];
		out[1] = xd[b & 15];
	}
}

static size_t count(const uint16_t *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += !tls_is_grease(v[i]);
	return k < 99 ? k : 99;
}

static int hash12(const char *s, size_t n, char out[13])
{
	if (n == 0) {
		memcpy(out, "000000000000", 13);
		return 0;
	}
	return digest_hex(EVP_sha256(), s, n, out, 12);
}

int tls_ja4(const struct tls_hello *h, char transport, char out[static TLS_JA4_LEN])
{
	uint16_t tmp[TLS_MAX_CIPHERS];
	char cs[TLS_MAX_CIPHERS * 5 + 1], es[TLS_MAX_LIST * 10 + 2], hb[13], hc[13], alpn[2];
	struct str c = {cs, sizeof(cs), 0}, e = {es, sizeof(es), 0};
	bool sni = false;
	size_t n, before;
	int ret;

	out[0] = '\0';
	if (!complete(h) || (transport != 't' && transport != 'q') ||
		h->nciphers > TLS_MAX_CIPHERS || h->nexts > TLS_MAX_LIST ||
		h->nsig_algs > TLS_MAX_LIST || h->nversions > ARRAY_SIZE(h->versions))
		return -EINVAL;
	cs[0] = es[0] = '\0';
	for (size_t i = 0; i < h->nexts; i++)
		sni |= h->exts[i] == EXT_SERVER_NAME;
	ja4_alpn(h, alpn);

	n = sorted(h->ciphers, h->nciphers, tmp);
	str_list(&c, tmp, n, true, ',');
	n = sorted(h->exts, h->nexts, tmp);
	for (size_t i = 0; i < n; i++) {
		if (tmp[i] == EXT_SERVER_NAME || tmp[i] == EXT_ALPN)
			continue;
		if (e.n)
			str_chr(&e, ',');
		str_hex4(&e, tmp[i]);
	}
	before = e.n;
	str_chr(&e, '_');
	str_list(&e, h->sig_algs, h->nsig_algs, true, ',');
	if (e.n == before + 1) /* no signature algorithms: no underscore either */
		es[--e.n] = '\0';
	if ((ret = hash12(cs, c.n, hb)) || (ret = hash12(es, e.n, hc)))
		return ret;
	snprintf(out, TLS_JA4_LEN, "%c%s%c%02zu%02zu%c%c_%s_%s", transport, ja4_version(h),
		sni ? 'd' : 'i', count(h->ciphers, h->nciphers), count(h->exts, h->nexts), alpn[0],
		alpn[1], hb, hc);
	return 0;
}
