/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IEEE MA-L registry loader (oui.txt, oui.csv, the fallback list) and lookup by binary search. */
#include "identify/oui.h"

#include "core/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The loaded registry: entries sorted by OUI, names deduplicated in one string block (the
 * registry's ~32k entries share ~19k names, many hundreds of them "Apple, Inc."). */
struct oui_entry {
	uint32_t oui;  /* 24 bits */
	uint32_t name; /* offset into names */
};

struct oui_db {
	size_t n;
	struct oui_entry *e;
	char *names;
};

/* While loading: entries in file order (seq keeps the first of a duplicated OUI), the string
 * block and an open-addressing set of its names (offset + 1; 0 is free). */
struct oui_tmp {
	uint32_t oui, seq, name;
};

struct builder {
	const char *path;
	unsigned line;
	char *err;
	size_t errlen;
	struct oui_tmp *e;
	size_t n, cap;
	char *names;
	size_t nlen, ncap;
	uint32_t *set;
	size_t setcap, nset;
};

enum oui_format { OUI_FMT_TXT, OUI_FMT_CSV, OUI_FMT_FALLBACK };

#define CSV_FIELD_MAX 256

__attribute__((format(printf, 2, 3))) static int berr(struct builder *b, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (b->errlen)
		snprintf(b->err, b->errlen, "%s:%u: %s", b->path, b->line, msg);
	return -EINVAL;
}

static int enomem(struct builder *b)
{
	if (b->errlen)
		snprintf(b->err, b->errlen, "%s: out of memory", b->path);
	return -ENOMEM;
}

/* One code point from s (at most len bytes); *cp is '?' for a malformed sequence, which then
 * consumes one byte. Returns the bytes consumed (>= 1). */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t need;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1, v = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2, v = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3, v = c & 0x07, min = 0x10000;
	} else {
		*cp = '?';
		return 1;
	}
	if (len <= need) {
		*cp = '?';
		return 1;
	}
	for (size_t i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = '?';
			return 1;
		}
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
		*cp = '?';
		return 1;
	}
	*cp = v;
	return need + 1;
}

/* The ASCII a code point of a name becomes: ' ' for white space, -1 for nothing. */
static int ascii_of(uint32_t cp)
{
	/* U+00C0..U+00FF without their accents */
	static const char latin1[] =
		"AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty";

	if (cp >= 0x21 && cp <= 0x7e)
		return (int)cp;
	if (cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == '\v' || cp == '\f' ||
		cp == 0xa0 || cp == 0x3000)
		return ' ';
	if (cp >= 0xc0 && cp <= 0xff)
		return latin1[cp - 0xc0];
	if (cp >= 0xff01 && cp <= 0xff5e) /* full-width forms: "CO.，LTD" */
		return (int)(cp - 0xfee0);
	if (cp == 0x2018 || cp == 0x2019)
		return '\'';
	if (cp == 0x201c || cp == 0x201d)
		return '"';
	if (cp >= 0x2010 && cp <= 0x2015)
		return '-';
	if ((cp >= 0x200b && cp <= 0x200d) || cp == 0xfeff)
		return -1;
	return '?';
}

/* A registry name as printable ASCII, white space collapsed and trimmed, cut to fit. */
static size_t clean_name(char out[static OUI_NAME_MAX], const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	bool space = false;
	size_t n = 0;

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		int a;

		i += utf8_next(s + i, len - i, &cp);
		a = ascii_of(cp);
		if (a < 0)
			continue;
		if (a == ' ') {
			space = n > 0;
			continue;
		}
		if (n + 1 + space >= OUI_NAME_MAX)
			break;
		if (space)
			out[n++] = ' ';
		space = false;
		out[n++] = (char)a;
	}
	out[n] = '\0';
	return n;
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static int set_grow(struct builder *b)
{
	size_t cap = b->setcap ? b->setcap * 2 : 1024;
	uint32_t *set = calloc(cap, sizeof(*set));

	if (!set)
		return -ENOMEM;
	for (size_t i = 0; i < b->setcap; i++) {
		size_t j;

		if (!b->set[i])
			continue;
		for (j = name_hash(b->names + b->set[i] - 1) & (cap - 1); set[j];
			j = (j + 1) & (cap - 1))
			;
		set[j] = b->set[i];
	}
	free(b->set);
	b->set = set;
	b->setcap = cap;
	return 0;
}

/* The offset of name in the string block, appending it when it is new. */
static int intern(struct builder *b, const char *name, size_t len, uint32_t *off)
{
	size_t j;

	if ((b->nset + 1) * 2 > b->setcap && set_grow(b) < 0)
		return -ENOMEM;
	for (j = name_hash(name) & (b->setcap - 1); b->set[j]; j = (j + 1) & (b->setcap - 1)) {
		if (strcmp(b->names + b->set[j] - 1, name) == 0) {
			*off = b->set[j] - 1;
			return 0;
		}
	}
	if (b->nlen + len + 1 > b->ncap) {
		size_t cap = b->ncap ? b->ncap * 2 : 16384;
		char *p;

		while (cap < b->nlen + len + 1)
			cap *= 2;
		if (cap > UINT32_MAX - 1 || !(p = realloc(b->names, cap)))
			return -ENOMEM;
		b->names = p;
		b->ncap = cap;
	}
	memcpy(b->names + b->nlen, name, len + 1);
	*off = (uint32_t)b->nlen;
	b->set[j] = (uint32_t)b->nlen + 1;
	b->nset++;
	b->nlen += len + 1;
	return 0;
}

static int add_entry(struct builder *b, uint32_t oui, const char *raw, size_t rawlen)
{
	char name[OUI_NAME_MAX];
	size_t len = clean_name(name, raw, rawlen);
	uint32_t off;

	if (!len)
		return berr(b, "%02X-%02X-%02X: empty organisation name", oui >> 16,
			(oui >> 8) & 0xff, oui & 0xff);
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		struct oui_tmp *e;

		if (cap > UINT32_MAX || !(e = reallocarray(b->e, cap, sizeof(*e))))
			return enomem(b);
		b->e = e;
		b->cap = cap;
	}
	if (intern(b, name, len, &off) < 0)
		return enomem(b);
	b->e[b->n] = (struct oui_tmp){.oui = oui, .seq = (uint32_t)b->n, .name = off};
	b->n++;
	return 0;
}

/* Six hex digits, every pair after the first preceded by sep when sep is not '\0'. */
static bool parse_hex6(const char *s, char sep, uint32_t *oui)
{
	uint32_t v = 0;
	size_t k = 0;

	for (int i = 0; i < 6; i++) {
		int h;

		if (sep && i && !(i & 1) && s[k++] != sep)
			return false;
		h = util_hexval(s[k++]);
		if (h < 0)
			return false;
		v = v << 4 | (uint32_t)h;
	}
	*oui = v;
	return true;
}

/* A printable excerpt of a line for error messages. */
static const char *excerpt(char out[static 48], const char *s, size_t n)
{
	util_sanitize(out, 48, s, n);
	return out;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* "00-1A-11   (hex)\t\tGoogle, Inc." */
static int txt_line(struct builder *b, const char *s, size_t n)
{
	static const char tag[] = "(hex)";
	const char *e = s + n, *p = s;
	char ex[48];
	uint32_t oui;

	if (!memmem(s, n, tag, sizeof(tag) - 1))
		return 0; /* "(base 16)", address and header lines */
	while (p < e && is_blank(*p))
		p++;
	if (e - p < 8 || !parse_hex6(p, '-', &oui))
		goto bad;
	p += 8;
	if (p == e || !is_blank(*p))
		goto bad;
	while (p < e && is_blank(*p))
		p++;
	if ((size_t)(e - p) < sizeof(tag) - 1 || memcmp(p, tag, sizeof(tag) - 1) != 0)
		goto bad;
	p += sizeof(tag) - 1;
	if (p < e && !is_blank(*p))
		goto bad;
	return add_entry(b, oui, p, (size_t)(e - p));
bad:
	return berr(b, "\"%s\": expected \"HH-HH-HH (hex) Organisation\"", excerpt(ex, s, n));
}

/* "001A11 Google, Inc." */
static int fallback_line(struct builder *b, const char *s, size_t n)
{
	const char *e = s + n, *p = s;
	char ex[48];
	uint32_t oui;

	while (p < e && is_blank(*p))
		p++;
	if (p == e || *p == '#')
		return 0;
	if (e - p < 7 || !parse_hex6(p, '\0', &oui) || !is_blank(p[6]))
		return berr(b, "\"%s\": expected six hex digits, a space and the organisation",
			excerpt(ex, s, n));
	return add_entry(b, oui, p + 6, (size_t)(e - p - 6));
}

static int by_line(struct builder *b, const char *buf, size_t len, enum oui_format fmt)
{
	size_t pos = 0;
	int ret = 0;

	b->line = 0;
	while (pos < len && ret == 0) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t raw = nl ? (size_t)(nl - (buf + pos)) : len - pos, n = raw;

		b->line++;
		if (n && buf[pos + n - 1] == '\r')
			n--; /* ieee-data's oui.txt has CRLF line ends */
		ret = fmt == OUI_FMT_TXT ? txt_line(b, buf + pos, n)
					 : fallback_line(b, buf + pos, n);
		pos += raw + 1;
	}
	return ret;
}

struct csv_field {
	char s[CSV_FIELD_MAX];
	size_t len; /* may exceed sizeof(s) - 1: the text was cut */
};

/* One CSV field at *pos (RFC 4180: "" inside quotes); stops after the ',' or at the end of the
 * record, which *eor reports. Counts the newlines it consumes. */
static int csv_field(
	struct builder *b, const char *buf, size_t len, size_t *pos, struct csv_field *f, bool *eor)
{
	size_t p = *pos;

	f->len = 0;
	*eor = false;
	if (p < len && buf[p] == '"') {
		unsigned start = b->line;

		for (p++;; p++) {
			if (p >= len) {
				b->line = start;
				return berr(b, "unterminated quoted field");
			}
			if (buf[p] == '"') {
				if (p + 1 < len && buf[p + 1] == '"') {
					p++;
				} else {
					p++;
					break;
				}
			} else if (buf[p] == '\n') {
				b->line++;
			}
			if (f->len + 1 < sizeof(f->s))
				f->s[f->len] = buf[p];
			f->len++;
		}
		while (p < len && buf[p] == '\r')
			p++;
		if (p < len && buf[p] != ',' && buf[p] != '\n')
			return berr(b, "text after the closing quote of a field");
	} else {
		for (; p < len && buf[p] != ',' && buf[p] != '\n'; p++) {
			if (f->len + 1 < sizeof(f->s))
				f->s[f->len] = buf[p];
			f->len++;
		}
		while (f->len && f->len < sizeof(f->s) && f->s[f->len - 1] == '\r')
			f->len--;
	}
	f->s[f->len < sizeof(f->s) ? f->len : sizeof(f->s) - 1] = '\0';
	if (p >= len || buf[p] == '\n')
		*eor = true;
	*pos = p + 1;
	return 0;
}

static int by_csv(struct builder *b, const char *buf, size_t len)
{
	struct csv_field f[3];
	bool header = true;
	size_t pos = 0;
	int ret = 0;

	b->line = 1;
	while (pos < len) {
		unsigned start = b->line;
		size_t nf = 0;
		bool eor = false;
		char ex[48];
		uint32_t oui;

		if (buf[pos] == '\n' ||
			(buf[pos] == '\r' && pos + 1 < len && buf[pos + 1] == '\n')) {
			pos += buf[pos] == '\n' ? 1 : 2;
			b->line++;
			continue;
		}
		while (!eor) {
			struct csv_field skip, *fp = nf < ARRAY_SIZE(f) ? &f[nf] : &skip;

			ret = csv_field(b, buf, len, &pos, fp, &eor);
			if (ret)
				return ret;
			nf++;
		}
		b->line++; /* the record's newline */
		{
			unsigned next = b->line;

			b->line = start;
			if (header) {
				if (nf < 3 || strcmp(f[0].s, "Registry") != 0 ||
					strcmp(f[1].s, "Assignment") != 0 ||
					strcmp(f[2].s, "Organization Name") != 0)
					return berr(b,
						"expected the header \"Registry,Assignment,"
						"Organization Name,Organization Address\"");
				header = false;
			} else if (nf < 3) {
				return berr(b,
					"\"%s\": expected Registry,Assignment,Organization "
					"Name,Organization Address",
					excerpt(ex, f[0].s, strlen(f[0].s)));
			} else if (strcmp(f[0].s, "MA-L") != 0) {
				return berr(b, "registry \"%s\" is not MA-L (24-bit OUIs only)",
					excerpt(ex, f[0].s, strlen(f[0].s)));
			} else if (f[1].len != 6 || !parse_hex6(f[1].s, '\0', &oui)) {
				return berr(b, "assignment \"%s\" is not six hex digits",
					excerpt(ex, f[1].s, strlen(f[1].s)));
			} else {
				ret = add_entry(b, oui, f[2].s, strlen(f[2].s));
				if (ret)
					return ret;
			}
			b->line = next;
		}
	}
	return 0;
}

/* The format from the first line that is neither blank nor a comment. */
static enum oui_format detect(const char *buf, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos), *s = buf + pos;
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		uint32_t oui;

		pos += n + 1;
		while (n && is_blank(*s))
			s++, n--;
		if (!n || *s == '#')
			continue;
		if (n >= 9 && memcmp(s, "Registry,", 9) == 0)
			return OUI_FMT_CSV;
		if ((n >= 8 && memcmp(s, "OUI/MA-L", 8) == 0) ||
			(n >= 8 && parse_hex6(s, '-', &oui) && memmem(s, n, "(hex)", 5)))
			return OUI_FMT_TXT;
		return OUI_FMT_FALLBACK;
	}
	return OUI_FMT_FALLBACK;
}

static int cmp_tmp(const void *a, const void *b)
{
	const struct oui_tmp *x = a, *y = b;

	if (x->oui != y->oui)
		return x->oui < y->oui ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* util_read_file's failures in words. */
static const char *read_error(int ret)
{
	if (ret == -EFBIG)
		return "larger than 32 MiB";
	if (ret == -EINVAL)
		return "not a regular file";
	return strerror(-ret);
}

int oui_load(const char *path, struct oui_db **out, char *err, size_t errlen)
{
	struct builder b = {.path = path, .err = err, .errlen = errlen};
	struct oui_db *db = NULL;
	char *buf = NULL, *names;
	size_t len = 0, k = 0, off = 0;
	int ret;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	ret = util_read_file(path, OUI_MAX_FILE, &buf, &len);
	if (ret < 0) {
		if (errlen)
			snprintf(err, errlen, "%s: %s", path, read_error(ret));
		goto out;
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		off = 3; /* a UTF-8 byte order mark */
	switch (detect(buf + off, len - off)) {
	case OUI_FMT_CSV:
		ret = by_csv(&b, buf + off, len - off);
		break;
	case OUI_FMT_TXT:
		ret = by_line(&b, buf + off, len - off, OUI_FMT_TXT);
		break;
	case OUI_FMT_FALLBACK:
		ret = by_line(&b, buf + off, len - off, OUI_FMT_FALLBACK);
		break;
	}
	if (ret)
		goto out;
	if (!b.n) {
		ret = berr(&b, "no registry entries");
		goto out;
	}
	qsort(b.e, b.n, sizeof(*b.e), cmp_tmp);
	db = calloc(1, sizeof(*db));
	if (!db || !(db->e = calloc(b.n, sizeof(*db->e)))) {
		ret = enomem(&b);
		goto out;
	}
	for (size_t i = 0; i < b.n; i++)
		if (!k || b.e[i].oui != db->e[k - 1].oui)
			db->e[k++] = (struct oui_entry){.oui = b.e[i].oui, .name = b.e[i].name};
	db->n = k;
	/* shrinking cannot fail in practice; the larger block is as good if it does */
	names = realloc(b.names, b.nlen);
	db->names = names ? names : b.names;
	b.names = NULL;
	*out = db;
	db = NULL;
out:
	oui_free(db);
	free(b.set);
	free(b.names);
	free(b.e);
	free(buf);
	return ret;
}

const char *oui_lookup(const struct oui_db *db, const uint8_t mac[static 6])
{
	uint32_t key = (uint32_t)mac[0] << 16 | (uint32_t)mac[1] << 8 | mac[2];
	size_t lo = 0, hi;

	if (!db || (mac[0] & 0x03))
		return NULL;
	hi = db->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (db->e[mid].oui == key)
			return db->names + db->e[mid].name;
		if (db->e[mid].oui < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t oui_count(const struct oui_db *db)
{
	return db ? db->n : 0;
}

void oui_free(struct oui_db *db)
{
	if (!db)
		return;
	free(db->e);
	free(db->names);
	free(db);
}
