/* SPDX-License-Identifier: GPL-2.0-or-later */
/* "homegate-fpdb 1" loader: tokenizer, block grammar, all-or-nothing merge, rule matching. */
#include "identify/fpdb.h"

#include "core/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FPDB_HEADER	"homegate-fpdb"
#define FPDB_VERSION	"1"
#define FPDB_MAX_FIELDS 6
#define NORM_MAX	256

/* A block and the loader's bookkeeping: which load declared it last (gen) and on which line,
 * so that a second declaration in the same file is an error and one in a later file reopens. */
struct blk {
	struct fpdb_block pub;
	char *model; /* owned; pub.model points here */
	unsigned gen, line;
};

struct vendor {
	char name[FPDB_VENDOR_MAX]; /* canonical: the spelling of its first declaration */
	char norm[FPDB_VENDOR_MAX];
	uint32_t block; /* its vendor block */
};

struct alias {
	uint32_t vendor;
	char name[FPDB_VENDOR_MAX];
	char norm[FPDB_VENDOR_MAX];
};

struct domain {
	uint32_t vendor;
	char name[FPDB_DOMAIN_MAX]; /* lower-case */
};

/* Every array only grows while a file loads; a failed load truncates them back to the mark.
 * The rules up to the mark are sorted by signal (sig_start), those after it in file order. */
struct fpdb {
	struct fpdb_rule *rules; /* patterns owned */
	size_t nrules, caprules;
	struct blk *blocks;
	size_t nblocks, capblocks;
	struct vendor *vendors;
	size_t nvendors, capvendors;
	struct alias *aliases;
	size_t naliases, capaliases;
	struct domain *domains;
	size_t ndomains, capdomains;
	size_t sig_start[HG_SIG_LAST + 2];
	unsigned gen;
};

struct mark {
	size_t nrules, nblocks, nvendors, naliases, ndomains;
};

struct tok {
	char *s;
	size_t len;
	bool quoted;
};

struct parser {
	struct fpdb *db;
	const char *name;
	unsigned line;
	char *err;
	size_t errlen;
	bool header;
	uint32_t cur; /* the open block, UINT32_MAX before the first */
};

static const char *const category_names[FPDB_CAT_COUNT] = {
	[FPDB_CAT_UNKNOWN] = "unknown",
	[FPDB_CAT_CAMERA] = "camera",
	[FPDB_CAT_PLUG] = "plug",
	[FPDB_CAT_SWITCH] = "switch",
	[FPDB_CAT_LIGHT] = "light",
	[FPDB_CAT_HUB] = "hub",
	[FPDB_CAT_SENSOR] = "sensor",
	[FPDB_CAT_SIREN] = "siren",
	[FPDB_CAT_LOCK] = "lock",
	[FPDB_CAT_SCALE] = "scale",
	[FPDB_CAT_APPLIANCE] = "appliance",
	[FPDB_CAT_SPEAKER] = "speaker",
	[FPDB_CAT_TV] = "tv",
	[FPDB_CAT_MEDIA] = "media",
	[FPDB_CAT_PRINTER] = "printer",
	[FPDB_CAT_THERMOSTAT] = "thermostat",
	[FPDB_CAT_PHONE] = "phone",
	[FPDB_CAT_COMPUTER] = "computer",
	[FPDB_CAT_ROUTER] = "router",
};

static const struct {
	const char *name;
	enum fpdb_op op;
} op_names[] = {
	{"is", FPDB_OP_IS},
	{"prefix", FPDB_OP_PREFIX},
	{"suffix", FPDB_OP_SUFFIX},
	{"contains", FPDB_OP_CONTAINS},
	{"glob", FPDB_OP_GLOB},
	{"domain", FPDB_OP_DOMAIN},
};

/* Corporate words a registry or MUD spelling adds to a vendor's name. */
static const char *const corp_suffixes[] = {"corporation", "corp", "inc", "ltd", "co", "gmbh",
	"llc", "technologies", "technology", "electronics", "international", "limited"};

const char *fpdb_category_name(enum fpdb_category cat)
{
	if ((unsigned)cat >= FPDB_CAT_COUNT)
		return category_names[FPDB_CAT_UNKNOWN];
	return category_names[cat];
}

enum fpdb_category fpdb_category_from_name(const char *name)
{
	for (unsigned i = 1; i < FPDB_CAT_COUNT; i++)
		if (strcmp(category_names[i], name) == 0)
			return (enum fpdb_category)i;
	return FPDB_CAT_UNKNOWN;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Lower-case letters and digits of s; false when they do not fit in outlen. */
static bool normalise(const char *s, char *out, size_t outlen)
{
	size_t n = 0;

	for (; *s; s++) {
		if (!is_alnum(*s))
			continue;
		if (n + 1 >= outlen)
			return false;
		out[n++] = lower(*s);
	}
	out[n] = '\0';
	return true;
}

/* Whether s is one or more corporate suffix words run together ("coltd"). */
static bool suffix_chain(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(corp_suffixes); i++) {
		size_t n = strlen(corp_suffixes[i]);

		if (strncmp(s, corp_suffixes[i], n) == 0 && (s[n] == '\0' || suffix_chain(s + n)))
			return true;
	}
	return false;
}

/* Normalised a and b name the same vendor: equal, or one is the other plus suffix words. */
static bool norm_match(const char *a, const char *b, bool exact)
{
	size_t na = strlen(a), nb = strlen(b);

	if (!na || !nb)
		return false;
	if (na == nb)
		return memcmp(a, b, na) == 0;
	if (exact)
		return false;
	if (na > nb)
		return memcmp(a, b, nb) == 0 && suffix_chain(a + nb);
	return memcmp(a, b, na) == 0 && suffix_chain(b + na);
}

/* --- Matching ------------------------------------------------------------------------------ */

/* The end of the bracket expression starting at p ('['), or NULL when it is not closed. The
 * rules are fnmatch's: '!' or '^' negates, a ']' first is literal, '\' escapes. */
static const char *bracket_end(const char *p)
{
	p++;
	if (*p == '!' || *p == '^')
		p++;
	if (*p == ']')
		p++;
	for (; *p && *p != ']'; p++)
		if (*p == '\\' && !*++p)
			return NULL;
	return *p ? p : NULL;
}

/* Whether c is in the (closed) bracket expression at p. */
static bool bracket_match(const char *p, char c)
{
	bool neg = false, in = false, first = true;

	p++;
	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	for (; first || *p != ']'; first = false) {
		char lo = *p++, hi;

		if (lo == '\\')
			lo = *p++;
		hi = lo;
		if (p[0] == '-' && p[1] && p[1] != ']') {
			hi = p[1];
			p += 2;
			if (hi == '\\')
				hi = *p++;
		}
		if ((unsigned char)c >= (unsigned char)lo && (unsigned char)c <= (unsigned char)hi)
			in = true;
	}
	return in != neg;
}

/* The pattern past its first element when that element matches c, else NULL. */
static const char *glob_one(const char *p, char c)
{
	switch (*p) {
	case '?':
		return p + 1;
	case '[': {
		const char *end = bracket_end(p);

		return bracket_match(p, c) ? end + 1 : NULL;
	}
	case '\\':
		return p[1] == c ? p + 2 : NULL;
	default:
		return *p == c ? p + 1 : NULL;
	}
}

/* fnmatch(p, s, 0) for a pattern glob_check accepted. Each element matches exactly one
 * character, so a mismatch only ever needs to retry from the last star: O(|p| * |s|). */
static bool glob_match(const char *p, const char *s)
{
	const char *star_p = NULL, *star_s = NULL;

	for (;;) {
		const char *next;

		if (*p == '*') {
			while (*p == '*')
				p++;
			star_p = p;
			star_s = s;
			continue;
		}
		if (*s == '\0')
			return *p == '\0';
		if (*p && (next = glob_one(p, *s))) {
			p = next;
			s++;
			continue;
		}
		if (!star_p)
			return false;
		p = star_p;
		s = ++star_s;
	}
}

/* memmem's set-up costs more than a whole search does in a value of at most 255 octets. */
static bool contains(const char *v, size_t len, const char *p, size_t plen)
{
	const char *s = v, *end;

	if (plen > len)
		return false;
	end = v + len - plen + 1;
	for (; (s = memchr(s, p[0], (size_t)(end - s))); s++)
		if (memcmp(s, p, plen) == 0)
			return true;
	return false;
}

bool fpdb_rule_matches(const struct fpdb_rule *r, const char *v, size_t len)
{
	switch (r->op) {
	case FPDB_OP_IS:
		return len == r->len && memcmp(v, r->pattern, len) == 0;
	case FPDB_OP_PREFIX:
		return len >= r->len && memcmp(v, r->pattern, r->len) == 0;
	case FPDB_OP_SUFFIX:
		return len >= r->len && memcmp(v + len - r->len, r->pattern, r->len) == 0;
	case FPDB_OP_CONTAINS:
		return contains(v, len, r->pattern, r->len);
	case FPDB_OP_GLOB:
		return glob_match(r->pattern, v);
	case FPDB_OP_DOMAIN:
		if (len && v[len - 1] == '.')
			len--;
		if (len == r->len)
			return memcmp(v, r->pattern, len) == 0;
		return len > r->len && v[len - r->len - 1] == '.' &&
			memcmp(v + len - r->len, r->pattern, r->len) == 0;
	}
	return false;
}

/* --- Loading ------------------------------------------------------------------------------- */

__attribute__((format(printf, 2, 3))) static int perr(struct parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->errlen)
		snprintf(p->err, p->errlen, "%s:%u: %s", p->name, p->line, msg);
	return -EINVAL;
}

/* A token as an error message quotes it: printable, cut at 64 octets. */
static const char *shown(char out[static 72], const char *s)
{
	size_t n = util_sanitize(out, 65, s, strlen(s));

	if (n < strlen(s))
		memcpy(out + n, "...", 4);
	return out;
}

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *p;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 16;
	p = reallocarray(*arr, c, size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = c;
	return 0;
}

#define GROW(db, what) \
	grow((void **)&(db)->what, &(db)->cap##what, (db)->n##what, sizeof(*(db)->what))

static int enomem(struct parser *p)
{
	if (p->errlen)
		snprintf(p->err, p->errlen, "%s:%u: out of memory", p->name, p->line);
	return -ENOMEM;
}

/* Length of the UTF-8 sequence at s (n octets available), 0 when it is malformed. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t need;
	uint32_t v, min;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 1, v = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 2, v = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 3, v = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (n <= need)
		return 0;
	for (size_t i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	return need + 1;
}

/* Splits a line into at most FPDB_MAX_FIELDS tokens, in place. */
static int tokenize(struct parser *p, char *line, struct tok *t, size_t *nt)
{
	char *r = line, buf[72];
	bool done = false;

	*nt = 0;
	while (!done) {
		struct tok *k;

		while (*r == ' ' || *r == '\t')
			r++;
		if (!*r || *r == '#')
			return 0;
		if (*nt == FPDB_MAX_FIELDS)
			return perr(p, "too many fields, from \"%s\"", shown(buf, r));
		k = &t[(*nt)++];
		if (*r == '"') {
			char *w = r + 1, *q = r + 1;

			k->s = w;
			k->quoted = true;
			for (;; q++) {
				if (!*q)
					return perr(p, "unterminated quoted string \"%s",
						shown(buf, r + 1));
				if (*q == '"')
					break;
				if (*q == '\\') {
					if (q[1] != '"' && q[1] != '\\')
						return perr(p,
							"bad escape \"\\%c\" in a quoted string",
							q[1] ? q[1] : ' ');
					q++;
				}
				*w++ = *q;
			}
			r = q + 1;
			*w = '\0';
			k->len = (size_t)(w - k->s);
			if (*r && *r != ' ' && *r != '\t' && *r != '#')
				return perr(p, "text right after the closing quote of \"%s\"",
					shown(buf, k->s));
		} else {
			char c;

			k->s = r;
			k->quoted = false;
			while (*r && *r != ' ' && *r != '\t' && *r != '#' && *r != '"')
				r++;
			if (*r == '"') {
				r[strcspn(r, " \t")] = '\0';
				return perr(p,
					"quote inside the bare token \"%s\" (quote the whole "
					"field)",
					shown(buf, k->s));
			}
			k->len = (size_t)(r - k->s);
			c = *r;
			*r = '\0';
			if (c == ' ' || c == '\t')
				r++;
			else
				done = true; /* the end of the line or a comment */
		}
		for (size_t i = 0; i < k->len; i++)
			if ((unsigned char)k->s[i] < 0x20 || (unsigned char)k->s[i] > 0x7e)
				return perr(p, "\"%s\" is not printable ASCII", shown(buf, k->s));
		if (k->len >= FPDB_PATTERN_MAX)
			return perr(p, "\"%s\" is longer than %d octets", shown(buf, k->s),
				FPDB_PATTERN_MAX - 1);
	}
	return 0;
}

static uint32_t find_vendor(const struct fpdb *db, const char *name)
{
	char norm[NORM_MAX];

	if (!normalise(name, norm, sizeof(norm)) || !norm[0])
		return FPDB_NO_VENDOR;
	for (size_t i = 0; i < db->nvendors; i++)
		if (strcmp(db->vendors[i].norm, norm) == 0)
			return (uint32_t)i;
	return FPDB_NO_VENDOR;
}

static int check_name(struct parser *p, const struct tok *t, const char *what, size_t max)
{
	char buf[72], norm[NORM_MAX];

	if (t->len >= max)
		return perr(
			p, "%s \"%s\" is longer than %zu octets", what, shown(buf, t->s), max - 1);
	if (!normalise(t->s, norm, sizeof(norm)) || !norm[0])
		return perr(p, "%s \"%s\" has no letter or digit", what, shown(buf, t->s));
	return 0;
}

static int new_block(struct parser *p, enum fpdb_block_kind kind, uint32_t vendor,
	enum fpdb_category cat, const char *model)
{
	struct fpdb *db = p->db;
	struct blk *b;
	char *m = NULL;

	if (db->nblocks >= FPDB_MAX_BLOCKS)
		return perr(p, "more than %d blocks in the database", FPDB_MAX_BLOCKS);
	if (GROW(db, blocks) < 0 || (model && !(m = strdup(model)))) {
		free(m);
		return enomem(p);
	}
	b = &db->blocks[db->nblocks];
	*b = (struct blk){.pub = {.kind = kind, .vendor = vendor, .cat = cat, .model = m},
		.model = m,
		.gen = db->gen,
		.line = p->line};
	p->cur = (uint32_t)db->nblocks++;
	return 0;
}

/* A block declared again: an error in the same file, a reopening in a later one. */
static int reopen(struct parser *p, uint32_t i, const char *what)
{
	struct blk *b = &p->db->blocks[i];

	if (b->gen == p->db->gen)
		return perr(p, "%s declared twice in this file (first at line %u)", what, b->line);
	b->gen = p->db->gen;
	b->line = p->line;
	p->cur = i;
	return 0;
}

static int kw_vendor(struct parser *p, struct tok *t, size_t nt)
{
	struct fpdb *db = p->db;
	char buf[72], what[96];
	struct vendor *v;
	uint32_t i;
	int ret;

	if (nt != 2)
		return perr(p, "expected vendor \"NAME\"");
	ret = check_name(p, &t[1], "vendor name", FPDB_VENDOR_MAX);
	if (ret)
		return ret;
	if (strcasecmp(t[1].s, "unknown") == 0)
		return perr(p, "vendor name \"%s\" is reserved", t[1].s);
	snprintf(what, sizeof(what), "vendor \"%s\"", shown(buf, t[1].s));
	i = find_vendor(db, t[1].s);
	if (i != FPDB_NO_VENDOR)
		return reopen(p, db->vendors[i].block, what);
	if (GROW(db, vendors) < 0)
		return enomem(p);
	ret = new_block(p, FPDB_BLOCK_VENDOR, (uint32_t)db->nvendors, FPDB_CAT_UNKNOWN, NULL);
	if (ret)
		return ret;
	v = &db->vendors[db->nvendors++];
	util_strlcpy(v->name, t[1].s, sizeof(v->name));
	normalise(v->name, v->norm, sizeof(v->norm));
	v->block = p->cur;
	return 0;
}

static int parse_category(struct parser *p, const struct tok *t, enum fpdb_category *cat)
{
	char buf[72];

	*cat = fpdb_category_from_name(t->s);
	if (strcmp(t->s, "unknown") == 0)
		return perr(p,
			"category \"unknown\" cannot be declared (it is the classifier's "
			"\"not decided\")");
	if (*cat == FPDB_CAT_UNKNOWN)
		return perr(p, "unknown category \"%s\"", shown(buf, t->s));
	return 0;
}

static int kw_device(struct parser *p, struct tok *t, size_t nt)
{
	struct fpdb *db = p->db;
	char buf[72], mbuf[72], what[192];
	enum fpdb_category cat;
	const char *model;
	uint32_t v = FPDB_NO_VENDOR;
	int ret;

	if (nt != 4)
		return perr(p,
			"expected device \"VENDOR\" \"MODEL\" CATEGORY (MODEL \"-\" for "
			"none)");
	v = find_vendor(db, t[1].s);
	if (v == FPDB_NO_VENDOR)
		return perr(p, "vendor \"%s\" is not declared by an earlier vendor block",
			shown(buf, t[1].s));
	model = strcmp(t[2].s, "-") == 0 ? NULL : t[2].s;
	if (model) {
		ret = check_name(p, &t[2], "model", FPDB_MODEL_MAX);
		if (ret)
			return ret;
	}
	ret = parse_category(p, &t[3], &cat);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "device \"%s\" \"%s\" %s", db->vendors[v].name,
		model ? shown(mbuf, model) : "-", fpdb_category_name(cat));
	for (size_t i = 0; i < db->nblocks; i++) {
		const struct blk *b = &db->blocks[i];

		if (b->pub.kind != FPDB_BLOCK_DEVICE || b->pub.vendor != v)
			continue;
		if (!model && !b->model && b->pub.cat == cat)
			return reopen(p, (uint32_t)i, what);
		if (model && b->model && strcasecmp(model, b->model) == 0) {
			if (b->pub.cat != cat && b->gen == db->gen)
				return perr(p, "device \"%s\" \"%s\" is a %s (line %u), not a %s",
					db->vendors[v].name, shown(mbuf, model),
					fpdb_category_name(b->pub.cat), b->line,
					fpdb_category_name(cat));
			if (b->pub.cat != cat)
				return perr(p,
					"device \"%s\" \"%s\" is a %s (in an earlier file), not a "
					"%s",
					db->vendors[v].name, shown(mbuf, model),
					fpdb_category_name(b->pub.cat), fpdb_category_name(cat));
			return reopen(p, (uint32_t)i, what);
		}
	}
	return new_block(p, FPDB_BLOCK_DEVICE, v, cat, model);
}

static int kw_category(struct parser *p, struct tok *t, size_t nt)
{
	struct fpdb *db = p->db;
	enum fpdb_category cat;
	char what[64];
	int ret;

	if (nt != 2)
		return perr(p, "expected category CATEGORY");
	ret = parse_category(p, &t[1], &cat);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "category %s", fpdb_category_name(cat));
	for (size_t i = 0; i < db->nblocks; i++)
		if (db->blocks[i].pub.kind == FPDB_BLOCK_CATEGORY && db->blocks[i].pub.cat == cat)
			return reopen(p, (uint32_t)i, what);
	return new_block(p, FPDB_BLOCK_CATEGORY, FPDB_NO_VENDOR, cat, NULL);
}

/* The vendor of the open block when it is a vendor block, else an error for keyword kw. */
static int in_vendor(struct parser *p, const char *kw, uint32_t *v)
{
	if (p->cur == UINT32_MAX || p->db->blocks[p->cur].pub.kind != FPDB_BLOCK_VENDOR)
		return perr(p, "\"%s\" outside a vendor block", kw);
	*v = p->db->blocks[p->cur].pub.vendor;
	return 0;
}

static int kw_alias(struct parser *p, struct tok *t, size_t nt)
{
	struct fpdb *db = p->db;
	struct alias *a;
	char norm[NORM_MAX];
	uint32_t v = FPDB_NO_VENDOR;
	int ret;

	if (nt != 2)
		return perr(p, "expected alias \"NAME\"");
	ret = in_vendor(p, "alias", &v);
	if (!ret)
		ret = check_name(p, &t[1], "alias", FPDB_VENDOR_MAX);
	if (ret)
		return ret;
	normalise(t[1].s, norm, sizeof(norm));
	if (strcmp(db->vendors[v].norm, norm) == 0)
		return 0;
	for (size_t i = 0; i < db->naliases; i++)
		if (db->aliases[i].vendor == v && strcmp(db->aliases[i].norm, norm) == 0)
			return 0; /* the same alias again: a later file may well repeat one */
	if (GROW(db, aliases) < 0)
		return enomem(p);
	a = &db->aliases[db->naliases++];
	a->vendor = v;
	util_strlcpy(a->name, t[1].s, sizeof(a->name));
	util_strlcpy(a->norm, norm, sizeof(a->norm));
	return 0;
}

/* Two or more labels of [a-z0-9_-], 1..63 octets each; lower-cases s. */
static bool is_domain(char *s)
{
	size_t label = 0, labels = 1, n = strlen(s);

	if (n == 0 || n >= FPDB_DOMAIN_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		s[i] = lower(s[i]);
		if (s[i] == '.') {
			if (!label)
				return false;
			label = 0;
			labels++;
		} else if (is_alnum(s[i]) || s[i] == '-' || s[i] == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label && labels >= 2;
}

static int kw_domain(struct parser *p, struct tok *t, size_t nt)
{
	struct fpdb *db = p->db;
	char buf[72];
	uint32_t v = FPDB_NO_VENDOR;
	int ret;

	if (nt != 2)
		return perr(p, "expected domain NAME");
	ret = in_vendor(p, "domain", &v);
	if (ret)
		return ret;
	if (!is_domain(t[1].s))
		return perr(
			p, "\"%s\" is not a domain name of two or more labels", shown(buf, t[1].s));
	for (size_t i = 0; i < db->ndomains; i++)
		if (db->domains[i].vendor == v && strcmp(db->domains[i].name, t[1].s) == 0)
			return 0;
	if (GROW(db, domains) < 0)
		return enomem(p);
	db->domains[db->ndomains].vendor = v;
	util_strlcpy(db->domains[db->ndomains].name, t[1].s, sizeof(db->domains[0].name));
	db->ndomains++;
	return 0;
}

/* "-0.25" -> -250: an optional '-', digits, optionally '.' and 1..3 digits; in [-1, 1], not 0. */
static int parse_weight(struct parser *p, const char *s, int *milli)
{
	const char *c = s;
	int ip = 0, frac = 0, nd = 0;
	bool neg = false;
	char buf[72];

	if (*c == '-') {
		neg = true;
		c++;
	}
	if (*c < '0' || *c > '9')
		goto nan;
	for (; *c >= '0' && *c <= '9'; c++)
		ip = ip > 1 ? 2 : ip * 10 + (*c - '0');
	if (*c == '.') {
		c++;
		if (*c < '0' || *c > '9')
			goto nan;
		for (; *c >= '0' && *c <= '9'; c++, nd++)
			if (nd < 3)
				frac = frac * 10 + (*c - '0');
	}
	if (*c)
		goto nan;
	if (nd > 3)
		return perr(p, "weight \"%s\" has more than 3 decimals", shown(buf, s));
	for (; nd < 3; nd++)
		frac *= 10;
	if (ip > 1 || (ip == 1 && frac))
		return perr(p, "weight \"%s\" is outside [-1, 1]", shown(buf, s));
	if (!ip && !frac)
		return perr(p, "weight \"%s\" is 0 (a rule must weigh something)", shown(buf, s));
	*milli = (neg ? -1 : 1) * (ip * 1000 + frac);
	return 0;
nan:
	return perr(p, "weight \"%s\" is not a decimal number such as 0.5 or -0.25", shown(buf, s));
}

/* A glob fnmatch and glob_match read alike: brackets closed, no "[:class:]", no trailing '\'. */
static int glob_check(struct parser *p, const char *s)
{
	char buf[72];

	for (const char *c = s; *c; c++) {
		if (*c == '\\') {
			if (!*++c)
				return perr(
					p, "glob \"%s\" ends in a lone backslash", shown(buf, s));
		} else if (*c == '[') {
			const char *end = bracket_end(c);

			if (!end)
				return perr(
					p, "glob \"%s\" has an unterminated \"[\"", shown(buf, s));
			for (const char *k = c + 1; k < end; k++)
				if (k[0] == '[' && (k[1] == ':' || k[1] == '=' || k[1] == '.'))
					return perr(p,
						"glob \"%s\": character classes \"[%c\" are not "
						"supported",
						shown(buf, s), k[1]);
			c = end;
		}
	}
	return 0;
}

static int kw_rule(struct parser *p, struct tok *t, size_t nt)
{
	struct fpdb *db = p->db;
	struct fpdb_rule *r;
	enum hg_signal sig;
	enum fpdb_op op = 0;
	char buf[72], *pat;
	int milli = 0, ret;

	if (nt != 5)
		return perr(p, "expected rule SIGNAL OP PATTERN WEIGHT");
	if (p->cur == UINT32_MAX)
		return perr(p, "\"rule\" outside a vendor, device or category block");
	sig = hg_signal_from_name(t[1].s);
	if (!sig)
		return perr(p, "unknown signal \"%s\"", shown(buf, t[1].s));
	for (size_t i = 0; i < ARRAY_SIZE(op_names); i++)
		if (strcmp(op_names[i].name, t[2].s) == 0)
			op = op_names[i].op;
	if (!op)
		return perr(p,
			"unknown operator \"%s\" (is, prefix, suffix, contains, glob, domain)",
			shown(buf, t[2].s));
	if (!t[3].len)
		return perr(p, "empty pattern");
	if (op == FPDB_OP_GLOB && (ret = glob_check(p, t[3].s)))
		return ret;
	if (op == FPDB_OP_DOMAIN && (t[3].s[0] == '.' || t[3].s[t[3].len - 1] == '.'))
		return perr(
			p, "domain pattern \"%s\" starts or ends with a dot", shown(buf, t[3].s));
	ret = parse_weight(p, t[4].s, &milli);
	if (ret)
		return ret;
	if (db->nrules >= FPDB_MAX_RULES)
		return perr(p, "more than %d rules in the database", FPDB_MAX_RULES);
	if (GROW(db, rules) < 0 || !(pat = strdup(t[3].s)))
		return enomem(p);
	for (char *c = pat; *c; c++)
		*c = lower(*c);
	r = &db->rules[db->nrules++];
	*r = (struct fpdb_rule){.sig = sig,
		.op = op,
		.weight = milli / 1000.0,
		.block = p->cur,
		.len = t[3].len,
		.pattern = pat};
	return 0;
}

static int parse_line(struct parser *p, char *line)
{
	struct tok t[FPDB_MAX_FIELDS];
	size_t nt;
	char buf[72];
	int ret;

	ret = tokenize(p, line, t, &nt);
	if (ret || !nt)
		return ret;
	if (!p->header) {
		if (strcmp(t[0].s, FPDB_HEADER) == 0 && nt == 2 && strcmp(t[1].s, FPDB_VERSION))
			return perr(p,
				"format version \"%s\" is not supported (this build reads "
				"\"" FPDB_HEADER " " FPDB_VERSION "\")",
				shown(buf, t[1].s));
		if (nt != 2 || strcmp(t[0].s, FPDB_HEADER) != 0)
			return perr(p,
				"expected \"" FPDB_HEADER " " FPDB_VERSION "\" before \"%s\"",
				shown(buf, t[0].s));
		p->header = true;
		return 0;
	}
	if (t[0].quoted)
		return perr(p, "a line starts with a keyword, not the string \"%s\"",
			shown(buf, t[0].s));
	if (strcmp(t[0].s, "rule") == 0)
		return kw_rule(p, t, nt);
	if (strcmp(t[0].s, "vendor") == 0)
		return kw_vendor(p, t, nt);
	if (strcmp(t[0].s, "device") == 0)
		return kw_device(p, t, nt);
	if (strcmp(t[0].s, "category") == 0)
		return kw_category(p, t, nt);
	if (strcmp(t[0].s, "alias") == 0)
		return kw_alias(p, t, nt);
	if (strcmp(t[0].s, "domain") == 0)
		return kw_domain(p, t, nt);
	if (strcmp(t[0].s, FPDB_HEADER) == 0)
		return perr(p, "a second \"" FPDB_HEADER "\" header");
	return perr(p, "unknown keyword \"%s\" (vendor, alias, domain, device, category, rule)",
		shown(buf, t[0].s));
}

/* Control bytes and malformed UTF-8 are refused anywhere, comments included. */
static int check_bytes(struct parser *p, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t k;

		if ((u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7f)
			return perr(p, "control byte 0x%02x in column %zu", u[i], i + 1);
		k = utf8_len(u + i, n - i);
		if (!k)
			return perr(p, "invalid UTF-8 in column %zu", i + 1);
		i += k;
	}
	return 0;
}

static void rollback(struct fpdb *db, const struct mark *m)
{
	for (size_t i = m->nrules; i < db->nrules; i++)
		free((char *)db->rules[i].pattern);
	for (size_t i = m->nblocks; i < db->nblocks; i++)
		free(db->blocks[i].model);
	db->nrules = m->nrules;
	db->nblocks = m->nblocks;
	db->nvendors = m->nvendors;
	db->naliases = m->naliases;
	db->ndomains = m->ndomains;
}

/* Orders all rules by signal (stable) and indexes them. */
static int commit(struct fpdb *db)
{
	size_t count[HG_SIG_LAST + 2] = {0}, pos[HG_SIG_LAST + 2];
	struct fpdb_rule *sorted = NULL;

	if (db->nrules) {
		sorted = calloc(db->nrules, sizeof(*sorted));
		if (!sorted)
			return -ENOMEM;
	}
	for (size_t i = 0; i < db->nrules; i++)
		count[db->rules[i].sig]++;
	pos[0] = 0;
	for (size_t s = 1; s < ARRAY_SIZE(count); s++)
		pos[s] = pos[s - 1] + count[s - 1];
	for (size_t s = 0; s < ARRAY_SIZE(count); s++)
		db->sig_start[s] = pos[s];
	for (size_t i = 0; i < db->nrules; i++)
		sorted[pos[db->rules[i].sig]++] = db->rules[i];
	free(db->rules);
	db->rules = sorted;
	db->caprules = db->nrules;
	return 0;
}

int fpdb_load_buf(
	struct fpdb *db, const char *name, const char *buf, size_t len, char *err, size_t errlen)
{
	struct parser p = {.db = db, .name = name, .err = err, .errlen = errlen, .cur = UINT32_MAX};
	char line[FPDB_LINE_MAX + 1];
	struct mark m;
	size_t pos = 0;
	int ret = 0;

	if (errlen)
		err[0] = '\0';
	if (!db)
		return -EINVAL;
	if (len > FPDB_MAX_FILE) {
		if (errlen)
			snprintf(err, errlen, "%s: larger than 4 MiB", name);
		return -EFBIG;
	}
	m = (struct mark){db->nrules, db->nblocks, db->nvendors, db->naliases, db->ndomains};
	db->gen++;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t raw = nl ? (size_t)(nl - (buf + pos)) : len - pos, n = raw;

		p.line++;
		if (n && buf[pos + n - 1] == '\r')
			n--;
		if (n > FPDB_LINE_MAX) {
			ret = perr(&p, "line longer than %d octets", FPDB_LINE_MAX);
			goto out;
		}
		ret = check_bytes(&p, buf + pos, n);
		if (ret)
			goto out;
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		ret = parse_line(&p, line);
		if (ret)
			goto out;
		pos += raw + 1;
	}
	if (!p.header) {
		ret = perr(&p, "no \"" FPDB_HEADER " " FPDB_VERSION "\" header");
		goto out;
	}
	if (commit(db) < 0)
		ret = enomem(&p);
out:
	if (ret)
		rollback(db, &m);
	return ret;
}

/* util_read_file's failures in words. */
static const char *read_error(int ret)
{
	if (ret == -EFBIG)
		return "larger than 4 MiB";
	if (ret == -EINVAL)
		return "not a regular file";
	return strerror(-ret);
}

int fpdb_load(struct fpdb *db, const char *path, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int ret;

	ret = util_read_file(path, FPDB_MAX_FILE, &buf, &len);
	if (ret < 0) {
		if (errlen)
			snprintf(err, errlen, "%s: %s", path, read_error(ret));
		return ret;
	}
	ret = fpdb_load_buf(db, path, buf, len, err, errlen);
	free(buf);
	return ret;
}

struct fpdb *fpdb_new(void)
{
	return calloc(1, sizeof(struct fpdb));
}

size_t fpdb_rules(const struct fpdb *db)
{
	return db ? db->nrules : 0;
}

void fpdb_free(struct fpdb *db)
{
	if (!db)
		return;
	rollback(db, &(struct mark){0});
	free(db->rules);
	free(db->blocks);
	free(db->vendors);
	free(db->aliases);
	free(db->domains);
	free(db);
}

/* --- Queries ------------------------------------------------------------------------------- */

static uint32_t canonical_index(const struct fpdb *db, const char *name)
{
	char norm[NORM_MAX];

	if (!db || !name || !normalise(name, norm, sizeof(norm)) || !norm[0])
		return FPDB_NO_VENDOR;
	for (int exact = 1; exact >= 0; exact--) {
		for (size_t i = 0; i < db->nvendors; i++)
			if (norm_match(norm, db->vendors[i].norm, exact))
				return (uint32_t)i;
		for (size_t i = 0; i < db->naliases; i++)
			if (norm_match(norm, db->aliases[i].norm, exact))
				return db->aliases[i].vendor;
	}
	return FPDB_NO_VENDOR;
}

const char *fpdb_vendor_canonical(const struct fpdb *db, const char *name)
{
	uint32_t v = canonical_index(db, name);

	return v == FPDB_NO_VENDOR ? NULL : db->vendors[v].name;
}

bool fpdb_vendor_owns_host(const struct fpdb *db, const char *vendor, const char *host)
{
	char h[FPDB_DOMAIN_MAX];
	size_t n;
	uint32_t v = FPDB_NO_VENDOR;

	if (!db || !vendor || !host)
		return false;
	n = strlen(host);
	if (n && host[n - 1] == '.')
		n--;
	if (!n || n >= sizeof(h))
		return false;
	for (size_t i = 0; i < n; i++)
		h[i] = lower(host[i]);
	h[n] = '\0';
	v = canonical_index(db, vendor);
	if (v == FPDB_NO_VENDOR)
		return false;
	for (size_t i = 0; i < db->ndomains; i++) {
		const char *d = db->domains[i].name;
		size_t dn = strlen(d);

		if (db->domains[i].vendor != v)
			continue;
		if (strcmp(h, d) == 0 ||
			(n > dn && h[n - dn - 1] == '.' && strcmp(h + n - dn, d) == 0))
			return true;
	}
	return false;
}

void fpdb_sig_range(const struct fpdb *db, enum hg_signal sig, size_t *first, size_t *end)
{
	*first = *end = 0;
	if (!db || (unsigned)sig < HG_SIG_FIRST || (unsigned)sig > HG_SIG_LAST)
		return;
	*first = db->sig_start[sig];
	*end = db->sig_start[sig + 1];
}

const struct fpdb_rule *fpdb_rule_at(const struct fpdb *db, size_t i)
{
	return db && i < db->nrules ? &db->rules[i] : NULL;
}

size_t fpdb_blocks(const struct fpdb *db)
{
	return db ? db->nblocks : 0;
}

const struct fpdb_block *fpdb_block_at(const struct fpdb *db, uint32_t i)
{
	return db && i < db->nblocks ? &db->blocks[i].pub : NULL;
}

const char *fpdb_vendor_name(const struct fpdb *db, uint32_t v)
{
	return db && v < db->nvendors ? db->vendors[v].name : NULL;
}
