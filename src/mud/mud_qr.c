/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RFC 9238 QR code payload parser: an SQRL (ISO/IEC 15434 format 06, DI 12N) text to a MUD URL. */
#include "mud/mud_qr.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mud/mud_parse.h"

/* The SQRL control codes (RFC 9238 §3.1). */
#define QR_EOT 0x04
#define QR_FS  0x1c
#define QR_GS  0x1d
#define QR_RS  0x1e
#define QR_US  0x1f

#define QR_FI_LEN 4 /* field identifiers are four characters */

/* "[)>" RS, then "06" GS: ISO/IEC 15434 message header and format 06; then the 12N DI. */
static const char qr_msg_header[] = "[)>\x1e";
static const char qr_fmt_header[] = "06\x1d";
static const char qr_di[] = "12N";

enum qr_field {
	QR_B000,
	QR_B001,
	QR_B002,
	QR_M180,
	QR_M06C,
	QR_FIELD_COUNT,
};

static const char *const qr_field_names[QR_FIELD_COUNT] = {
	[QR_B000] = "B000",
	[QR_B001] = "B001",
	[QR_B002] = "B002",
	[QR_M180] = "M180",
	[QR_M06C] = "M06C",
};

struct qr_value {
	const char *v; /* NULL: the record was not seen */
	size_t len;
};

static bool has_prefix(const char *p, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(end - p) >= n && memcmp(p, prefix, n) == 0;
}

static bool is_fi_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

static bool is_text(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

static bool is_separator(char c)
{
	return c == QR_US || c == QR_RS || c == QR_GS || c == QR_FS;
}

static int copy_text(const struct qr_value *val, enum qr_field f, char *dst, size_t dstlen,
	char *err, size_t errlen)
{
	if (val->len >= dstlen)
		return util_errf(err, errlen, "%s longer than %zu characters", qr_field_names[f],
			dstlen - 1);
	if (!is_text(val->v, val->len))
		return util_errf(err, errlen, "%s is not printable US-ASCII", qr_field_names[f]);
	memcpy(dst, val->v, val->len);
	dst[val->len] = '\0';
	return 0;
}

/* RFC 9238 §3.2.5: hex digits in any case; punctuation and white space are skipped. */
static int parse_mac(const struct qr_value *val, struct mud_qr *out, char *err, size_t errlen)
{
	uint8_t b[8] = {0};
	size_t nd = 0;

	for (size_t i = 0; i < val->len; i++) {
		char c = val->v[i];
		int h = util_hexval(c);

		if (c == ':' || c == '-' || c == '.' || c == ' ' || c == '\t' || c == '\r' ||
			c == '\n')
			continue;
		if (h < 0)
			return util_errf(err, errlen, "%s has a character that is not a hex digit",
				qr_field_names[QR_M06C]);
		if (nd == 16)
			return util_errf(err, errlen, "%s has more than 16 hex digits",
				qr_field_names[QR_M06C]);
		b[nd / 2] = (uint8_t)(b[nd / 2] << 4 | h);
		nd++;
	}
	if (nd != 12 && nd != 16)
		return util_errf(err, errlen,
			"%s has %zu hex digits, not 12 (MAC-48) or 16 (EUI-64)",
			qr_field_names[QR_M06C], nd);
	if (b[0] & 1)
		return util_errf(err, errlen, "%s is a group address", qr_field_names[QR_M06C]);
	if (nd == 12) {
		static const uint8_t zero[6];

		if (memcmp(b, zero, 6) == 0)
			return util_errf(err, errlen, "%s is all zeros", qr_field_names[QR_M06C]);
		memcpy(out->mac.b, b, 6);
		out->flags |= MUD_QR_HAS_MAC;
	} else {
		memcpy(out->eui64, b, 8);
		out->flags |= MUD_QR_HAS_EUI64;
	}
	return 0;
}

static int append(char *dst, size_t *n, size_t cap, const char *src, size_t len)
{
	if (len >= cap - *n)
		return -EINVAL;
	memcpy(dst + *n, src, len);
	*n += len;
	dst[*n] = '\0';
	return 0;
}

/* M180 to an https URL: scheme checked (case-insensitively) or supplied, query removed. */
static int build_url(const struct qr_value *val, struct mud_qr *out, char *err, size_t errlen)
{
	const char *v = val->v, *vend = val->v + val->len, *sep, *q;
	char *u = out->url;
	size_t n = 0, cap = sizeof(out->url);
	int ret;

	if (val->len == 0)
		return util_errf(err, errlen, "%s is empty", qr_field_names[QR_M180]);
	if (!is_text(v, val->len))
		return util_errf(
			err, errlen, "%s is not printable US-ASCII", qr_field_names[QR_M180]);
	/* A scheme is letters, digits, '+', '-', '.' before "://" (RFC 3986 §3.1); a "://" later
	 * on, in a path or query, does not make one. */
	for (sep = v; sep < vend &&
		(isalnum((unsigned char)*sep) || *sep == '+' || *sep == '-' || *sep == '.');
		sep++)
		;
	if (sep > v && has_prefix(sep, vend, "://")) {
		if (sep - v != 5 || strncasecmp(v, "https", 5) != 0)
			return util_errf(
				err, errlen, "%s scheme is not https", qr_field_names[QR_M180]);
		v = sep + 3;
	} else {
		out->flags |= MUD_QR_SCHEME_ADDED;
	}
	memcpy(u, "https://", 9);
	n = 8;
	/* RFC 9238 §3.2.4: a query MUST be removed before processing. It runs from '?' to a
	 * fragment, which stays and is then refused by mud_url_valid. */
	q = memchr(v, '?', (size_t)(vend - v));
	if (q) {
		const char *h = memchr(q, '#', (size_t)(vend - q));

		if ((ret = append(u, &n, cap, v, (size_t)(q - v))) == 0 && h)
			ret = append(u, &n, cap, h, (size_t)(vend - h));
		out->flags |= MUD_QR_QUERY_STRIPPED;
	} else {
		ret = append(u, &n, cap, v, (size_t)(vend - v));
	}
	if (ret)
		return util_errf(
			err, errlen, "%s is longer than 255 octets", qr_field_names[QR_M180]);
	if (!mud_url_valid(u))
		return util_errf(err, errlen, "%s is not an acceptable https MUD URL",
			qr_field_names[QR_M180]);
	return 0;
}

static int parse(const char *buf, size_t len, struct mud_qr *out, char *err, size_t errlen)
{
	struct qr_value val[QR_FIELD_COUNT] = {{0}};
	const char *p, *end;
	bool trailer = false;
	int ret;

	if (!buf || len == 0)
		return util_errf(err, errlen, "%s", "empty payload");
	p = buf;
	end = buf + len;
	if (len > MUD_QR_MAX)
		return util_errf(
			err, errlen, "payload of %zu bytes is larger than a QR code holds", len);
	if (!has_prefix(p, end, qr_msg_header))
		return util_errf(err, errlen, "%s", "no ISO/IEC 15434 header \"[)>\" RS");
	p += strlen(qr_msg_header);
	if (!has_prefix(p, end, qr_fmt_header))
		return util_errf(err, errlen, "%s", "not ISO/IEC 15434 format 06 (\"06\" GS)");
	p += strlen(qr_fmt_header);
	if (!has_prefix(p, end, qr_di))
		return util_errf(err, errlen, "%s", "format 06 data is not a 12N (SQRL) element");
	p += strlen(qr_di);

	while (p < end) {
		const char *q;
		size_t rlen;
		int f;

		if (*p == QR_RS) {
			/* End of format 06; EoT should follow. Other formats after it are not
			 * ours. */
			trailer = p + 1 < end && p[1] == QR_EOT;
			break;
		}
		if (*p == QR_FS) {
			/* RFC 9238 §3.1: a new unit of data. */
			if (val[QR_M180].v) {
				trailer = memmem(p, (size_t)(end - p), "\x1e\x04", 2) != NULL;
				break;
			}
			memset(val, 0, sizeof(val));
			p++;
			if (has_prefix(p, end, qr_di))
				p += strlen(qr_di);
			continue;
		}
		if (*p == QR_GS) {
			/* Another format 06 data element: a further 12N one goes on with the same
			 * label; one of another DI is skipped whole. */
			p++;
			if (has_prefix(p, end, qr_di)) {
				p += strlen(qr_di);
				continue;
			}
			while (p < end && *p != QR_GS && *p != QR_RS)
				p++;
			continue;
		}
		for (q = p; q < end && !is_separator(*q); q++)
			;
		if (q == end)
			return util_errf(err, errlen, "record at offset %zu is not ended by US",
				(size_t)(p - buf));
		rlen = (size_t)(q - p);
		if (rlen < QR_FI_LEN)
			return util_errf(err, errlen,
				"record at offset %zu is shorter than a field identifier",
				(size_t)(p - buf));
		for (int i = 0; i < QR_FI_LEN; i++)
			if (!is_fi_char(p[i]))
				return util_errf(err, errlen, "bad field identifier at offset %zu",
					(size_t)(p - buf));
		for (f = 0; f < QR_FIELD_COUNT; f++)
			if (memcmp(p, qr_field_names[f], QR_FI_LEN) == 0)
				break;
		if (f < QR_FIELD_COUNT) {
			if (val[f].v)
				return util_errf(
					err, errlen, "repeated %s record", qr_field_names[f]);
			val[f].v = p + QR_FI_LEN;
			val[f].len = rlen - QR_FI_LEN;
		}
		p = *q == QR_US ? q + 1 : q;
	}

	if (!val[QR_M180].v)
		return util_errf(err, errlen, "%s", "no M180 (MUD URL) record");
	if (!trailer)
		out->flags |= MUD_QR_NO_TRAILER;
	if ((ret = build_url(&val[QR_M180], out, err, errlen)))
		return ret;
	if (val[QR_M06C].v && (ret = parse_mac(&val[QR_M06C], out, err, errlen)))
		return ret;
	{
		static const struct {
			enum qr_field f;
			unsigned flag;
			size_t off;
		} texts[] = {
			{QR_B000, MUD_QR_HAS_COMPANY, offsetof(struct mud_qr, company)},
			{QR_B001, MUD_QR_HAS_PRODUCT, offsetof(struct mud_qr, product)},
			{QR_B002, MUD_QR_HAS_MODEL, offsetof(struct mud_qr, model)},
		};

		for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
			const struct qr_value *tv = &val[texts[i].f];

			if (!tv->v || tv->len == 0)
				continue;
			if ((ret = copy_text(tv, texts[i].f, (char *)out + texts[i].off,
				     MUD_QR_TEXT_MAX, err, errlen)))
				return ret;
			out->flags |= texts[i].flag;
		}
	}
	return 0;
}

int mud_qr_parse(const char *buf, size_t len, struct mud_qr *out, char *err, size_t errlen)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	ret = parse(buf, len, out, err, errlen);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}
