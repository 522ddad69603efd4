/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Classifier: per-device signal record, noisy-OR scoring of vendor, category and model. */
#include "identify/classify.h"

#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One kept value: the text as sent and its lower-cased copy, both NUL-terminated, back to back
 * in the pool; values of one signal are chained in arrival order. */
struct cval {
	uint32_t off;
	uint16_t len;
	uint8_t sig;
	uint8_t next; /* index + 1 of the signal's next value, 0 for none */
};

struct classify_dev {
	size_t n;
	struct cval v[CLASSIFY_MAX_SIGNALS];
	uint8_t head[HG_SIG_LAST + 1], tail[HG_SIG_LAST + 1], count[HG_SIG_LAST + 1];
	char *pool;
	size_t plen, pcap;
};

/* A matched rule with the keys scoring groups by: vendor (FPDB_NO_VENDOR, i.e. last, for
 * category blocks), then block, then rule. */
struct match {
	uint32_t vendor, block, rule, val;
	double weight;
};

/* Noisy-OR in two products: pos = prod(1 - w) over w > 0, neg = prod(1 + w) over w < 0. */
struct score {
	double pos, neg;
};

#define SCORE_INIT ((struct score){1.0, 1.0})

struct classify_dev *classify_dev_new(void)
{
	return calloc(1, sizeof(struct classify_dev));
}

void classify_dev_free(struct classify_dev *d)
{
	if (!d)
		return;
	free(d->pool);
	free(d);
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool classify_add(struct classify_dev *d, enum hg_signal sig, const char *value)
{
	char low[HG_SIGNAL_VALUE_MAX];
	struct cval *v;
	size_t len;

	if (!d || !value || (unsigned)sig < HG_SIG_FIRST || (unsigned)sig > HG_SIG_LAST)
		return false;
	len = strnlen(value, HG_SIGNAL_VALUE_MAX - 1);
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)value[i] < 0x20 || (unsigned char)value[i] > 0x7e)
			return false;
		low[i] = lower(value[i]);
	}
	low[len] = '\0';
	for (unsigned i = d->head[sig]; i; i = d->v[i - 1].next) {
		const struct cval *c = &d->v[i - 1];

		if (c->len == len && memcmp(d->pool + c->off + c->len + 1, low, len) == 0)
			return false;
	}
	if (d->n >= CLASSIFY_MAX_SIGNALS || d->count[sig] >= CLASSIFY_MAX_PER_SIGNAL)
		return false;
	if (d->plen + 2 * (len + 1) > d->pcap) {
		size_t cap = d->pcap ? d->pcap * 2 : 1024;
		char *p;

		while (cap < d->plen + 2 * (len + 1))
			cap *= 2;
		p = realloc(d->pool, cap);
		if (!p)
			return false;
		d->pool = p;
		d->pcap = cap;
	}
	v = &d->v[d->n];
	*v = (struct cval){.off = (uint32_t)d->plen, .len = (uint16_t)len, .sig = (uint8_t)sig};
	memcpy(d->pool + d->plen, value, len);
	d->pool[d->plen + len] = '\0';
	memcpy(d->pool + d->plen + len + 1, low, len + 1);
	d->plen += 2 * (len + 1);
	d->n++;
	if (d->tail[sig])
		d->v[d->tail[sig] - 1].next = (uint8_t)d->n;
	else
		d->head[sig] = (uint8_t)d->n;
	d->tail[sig] = (uint8_t)d->n;
	d->count[sig]++;
	return true;
}

size_t classify_signal_count(const struct classify_dev *d)
{
	return d ? d->n : 0;
}

static void score_add(struct score *s, double w)
{
	if (w > 0)
		s->pos *= 1.0 - w;
	else
		s->neg *= 1.0 + w;
}

static double score_value(const struct score *s)
{
	return (1.0 - s->pos) * s->neg;
}

/* Keeps the best and second-best score seen; an equal score is a second, not a new best. */
struct race {
	double best, second;
	uint32_t id;
};

#define RACE_INIT(none) ((struct race){0.0, 0.0, (none)})

static void race_enter(struct race *r, uint32_t id, double x)
{
	if (x > r->best) {
		r->second = r->best;
		r->best = x;
		r->id = id;
	} else if (x > r->second) {
		r->second = x;
	}
}

/* Won: above the floor, and clear of the runner-up by the margin or — where noisy-OR scores
 * crowd together near 1 — by leaving it several times the doubt (0.99 against 0.88 wins:
 * 0.12 is twelve times 0.01; 0.6 against 0.5 does not). */
static bool race_won(const struct race *r, double min)
{
	return r->best >= min - CLASSIFY_EPSILON &&
		(r->best - r->second >= CLASSIFY_MARGIN - CLASSIFY_EPSILON ||
			1.0 - r->second >= CLASSIFY_DOUBT_RATIO * (1.0 - r->best));
}

/* A negative weight is evidence against the entry it is written in, not against everything the
 * entry is part of: the twin model's "not an HS100" must not count against TP-Link or against
 * plugs. So a negative rule enters the vendor score only from the vendor block, the category
 * score only from a category block or a vendor+category ("-") device block, and a model's score
 * from its own block; positive rules enter every score their block is part of. */
static bool in_vendor_score(const struct fpdb_block *b, double w)
{
	return w > 0 || b->kind == FPDB_BLOCK_VENDOR;
}

static bool in_category_score(const struct fpdb_block *b, double w)
{
	return w > 0 || b->kind == FPDB_BLOCK_CATEGORY ||
		(b->kind == FPDB_BLOCK_DEVICE && !b->model);
}

static bool match_before(const struct match *a, const struct match *b)
{
	if (a->vendor != b->vendor)
		return a->vendor < b->vendor;
	if (a->block != b->block)
		return a->block < b->block;
	return a->rule < b->rule;
}

/* Evidence order: the strongest |weight| first, then file order. */
static bool stronger(const struct match *a, const struct match *b)
{
	double x = a->weight < 0 ? -a->weight : a->weight,
	       y = b->weight < 0 ? -b->weight : b->weight;

	if (x != y)
		return x > y;
	return a->rule < b->rule;
}

/* Every rule of db's signals matched by one of d's values, each once. */
static size_t find_matches(const struct fpdb *db, const struct classify_dev *d, struct match *m)
{
	size_t nm = 0;

	for (unsigned sig = HG_SIG_FIRST; sig <= HG_SIG_LAST; sig++) {
		size_t first, end;

		if (!d->head[sig])
			continue;
		fpdb_sig_range(db, (enum hg_signal)sig, &first, &end);
		for (size_t i = first; i < end && nm < CLASSIFY_MAX_MATCHES; i++) {
			const struct fpdb_rule *r = fpdb_rule_at(db, i);

			for (unsigned k = d->head[sig]; k; k = d->v[k - 1].next) {
				const struct cval *v = &d->v[k - 1];

				if (!fpdb_rule_matches(r, d->pool + v->off + v->len + 1, v->len))
					continue;
				m[nm++] = (struct match){
					.vendor = fpdb_block_at(db, r->block)->vendor,
					.block = r->block,
					.rule = (uint32_t)i,
					.val = k - 1,
					.weight = r->weight};
				break;
			}
		}
	}
	/* insertion sort: no allocation, and nm is small but for a degenerate database */
	for (size_t i = 1; i < nm; i++) {
		struct match x = m[i];
		size_t j = i;

		for (; j && match_before(&x, &m[j - 1]); j--)
			m[j] = m[j - 1];
		m[j] = x;
	}
	return nm;
}

static void set_unknown(struct classify_result *out)
{
	memset(out, 0, sizeof(*out));
	util_strlcpy(out->vendor, "unknown", sizeof(out->vendor));
	util_strlcpy(out->model, "unknown", sizeof(out->model));
	util_strlcpy(out->category, "unknown", sizeof(out->category));
}

void classify_run(const struct fpdb *db, const struct classify_dev *d, struct classify_result *out)
{
	struct match m[CLASSIFY_MAX_MATCHES];
	struct score cs[FPDB_CAT_COUNT];
	struct race vr = RACE_INIT(FPDB_NO_VENDOR), cr = RACE_INIT(FPDB_CAT_UNKNOWN),
		    mr = RACE_INIT(UINT32_MAX);
	uint32_t vendor = FPDB_NO_VENDOR, model = UINT32_MAX, ev[CLASSIFY_MAX_EVIDENCE];
	enum fpdb_category cat = FPDB_CAT_UNKNOWN;
	bool cat_by_score = false;
	size_t nm, nev = 0;

	set_unknown(out);
	if (!db || !d)
		return;
	nm = find_matches(db, d, m);

	/* Vendor: its vendor block and all its device blocks. */
	for (size_t i = 0; i < nm && m[i].vendor != FPDB_NO_VENDOR;) {
		struct score s = SCORE_INIT;
		uint32_t v = m[i].vendor;

		for (; i < nm && m[i].vendor == v; i++)
			if (in_vendor_score(fpdb_block_at(db, m[i].block), m[i].weight))
				score_add(&s, m[i].weight);
		race_enter(&vr, v, score_value(&s));
	}
	if (race_won(&vr, CLASSIFY_VENDOR_MIN))
		vendor = vr.id;

	/* Category: category blocks, and device blocks of the vendor (of any vendor while the
	 * vendor is unknown). */
	for (size_t c = 0; c < FPDB_CAT_COUNT; c++)
		cs[c] = SCORE_INIT;
	for (size_t i = 0; i < nm; i++) {
		const struct fpdb_block *b = fpdb_block_at(db, m[i].block);

		if (!in_category_score(b, m[i].weight))
			continue;
		if (b->kind == FPDB_BLOCK_CATEGORY ||
			(b->kind == FPDB_BLOCK_DEVICE &&
				(vendor == FPDB_NO_VENDOR || b->vendor == vendor)))
			score_add(&cs[b->cat], m[i].weight);
	}
	for (uint32_t c = 1; c < FPDB_CAT_COUNT; c++)
		race_enter(&cr, c, score_value(&cs[c]));
	if (race_won(&cr, CLASSIFY_CATEGORY_MIN)) {
		cat = (enum fpdb_category)cr.id;
		cat_by_score = true;
	}

	/* Model: device blocks with a model of the vendor, in the category when there is one. The
	 * matches of one block are adjacent (sorted by vendor, then block). */
	for (size_t i = 0; vendor != FPDB_NO_VENDOR && i < nm;) {
		const struct fpdb_block *b = fpdb_block_at(db, m[i].block);
		struct score s = SCORE_INIT;
		uint32_t blk = m[i].block;

		for (; i < nm && m[i].block == blk; i++)
			score_add(&s, m[i].weight);
		if (b->vendor != vendor || b->kind != FPDB_BLOCK_DEVICE || !b->model ||
			(cat != FPDB_CAT_UNKNOWN && b->cat != cat))
			continue;
		race_enter(&mr, blk, score_value(&s));
	}
	if (race_won(&mr, CLASSIFY_MODEL_MIN)) {
		const struct fpdb_block *b = fpdb_block_at(db, mr.id);

		model = mr.id;
		cat = b->cat;
		util_strlcpy(out->model, b->model, sizeof(out->model));
	}

	if (vendor != FPDB_NO_VENDOR)
		util_strlcpy(out->vendor, fpdb_vendor_name(db, vendor), sizeof(out->vendor));
	util_strlcpy(out->category, fpdb_category_name(cat), sizeof(out->category));
	if (model != UINT32_MAX)
		out->confidence = mr.best;
	else if (cat != FPDB_CAT_UNKNOWN)
		out->confidence = cr.best;
	else if (vendor != FPDB_NO_VENDOR)
		out->confidence = vr.best;

	/* Evidence: the rules that entered the score of an answer given, strongest first. */
	for (size_t i = 0; i < nm; i++) {
		const struct fpdb_block *b = fpdb_block_at(db, m[i].block);
		bool in_v = vendor != FPDB_NO_VENDOR && b->vendor == vendor &&
			in_vendor_score(b, m[i].weight);
		bool in_c = cat_by_score && b->cat == cat && in_category_score(b, m[i].weight) &&
			(b->kind == FPDB_BLOCK_CATEGORY ||
				(b->kind == FPDB_BLOCK_DEVICE &&
					(vendor == FPDB_NO_VENDOR || b->vendor == vendor)));
		size_t j;

		if (!in_v && !in_c && m[i].block != model)
			continue;
		/* One line per value the device sent: a value several rules matched (vendor and
		 * model rules on one hostname) is listed once, with its strongest weight; evidence
		 * against an entry stays a line of its own. */
		for (j = 0; j < nev; j++)
			if (m[ev[j]].val == m[i].val &&
				(m[ev[j]].weight < 0) == (m[i].weight < 0) &&
				fpdb_rule_at(db, m[ev[j]].rule)->sig ==
					fpdb_rule_at(db, m[i].rule)->sig)
				break;
		if (j < nev) {
			if (!stronger(&m[i], &m[ev[j]]))
				continue;
			memmove(&ev[j], &ev[j + 1], (nev - j - 1) * sizeof(ev[0]));
			nev--;
		}
		if (nev == CLASSIFY_MAX_EVIDENCE && !stronger(&m[i], &m[ev[nev - 1]]))
			continue;
		j = nev < CLASSIFY_MAX_EVIDENCE ? nev++ : nev - 1;
		for (; j && stronger(&m[i], &m[ev[j - 1]]); j--)
			ev[j] = ev[j - 1];
		ev[j] = (uint32_t)i;
	}
	for (size_t k = 0; k < nev; k++) {
		const struct match *x = &m[ev[k]];
		const struct cval *v = &d->v[x->val];

		out->ev[k].sig = fpdb_rule_at(db, x->rule)->sig;
		out->ev[k].weight = x->weight;
		util_strlcpy(out->ev[k].value, d->pool + v->off, sizeof(out->ev[k].value));
	}
	out->nevidence = nev;
}

void classify_dev_foreach(const struct classify_dev *d,
	void (*fn)(void *ctx, enum hg_signal sig, const char *value), void *ctx)
{
	for (size_t i = 0; d && i < d->n; i++)
		fn(ctx, (enum hg_signal)d->v[i].sig, d->pool + d->v[i].off);
}

bool classify_contradicts_mud(const struct fpdb *db, const struct classify_result *r,
	const char *mud_host, const char *mfg_name, char *why, size_t whylen)
{
	char host[80], mfg[80];
	const char *canon;

	if (whylen)
		why[0] = '\0';
	if (!db || !r || strcmp(r->vendor, "unknown") == 0 ||
		r->confidence < CLASSIFY_MUD_CONFIDENCE - CLASSIFY_EPSILON)
		return false;
	if (mud_host && *mud_host && fpdb_vendor_owns_host(db, r->vendor, mud_host))
		return false;
	canon = mfg_name && *mfg_name ? fpdb_vendor_canonical(db, mfg_name) : NULL;
	if (canon && strcasecmp(canon, r->vendor) == 0)
		return false;
	if (whylen) {
		/* both come from the network: printable and short in a log line */
		util_sanitize(host, sizeof(host), mud_host ? mud_host : "",
			mud_host ? strlen(mud_host) : 0);
		util_sanitize(mfg, sizeof(mfg), mfg_name ? mfg_name : "",
			mfg_name ? strlen(mfg_name) : 0);
		snprintf(why, whylen,
			"fingerprint says %s (confidence %.2f) but the MUD host \"%s\" is "
			"not a %s domain and %s%s%s%s",
			r->vendor, r->confidence, host, r->vendor,
			mfg[0] ? "mfg-name \"" : "the file has no mfg-name", mfg,
			mfg[0] ? "\" is not " : "", mfg[0] ? r->vendor : "");
	}
	return true;
}
