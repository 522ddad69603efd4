/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The identifier's device table: an open-addressing hash of MAC → signals and classification. */
#include "identify/ident.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

struct ident_dev {
	struct hg_mac mac;
	struct classify_dev *sig;
	struct classify_result res;
};

struct ident {
	const struct fpdb *db;
	const struct oui_db *oui;
	size_t max, count, dropped;
	size_t cap; /* power of two; slots NULL or a device; never more than half full */
	struct ident_dev **slot;
};

static size_t hash(const struct hg_mac *m)
{
	uint64_t h = 1469598103934665603ULL;

	for (int i = 0; i < 6; i++)
		h = (h ^ m->b[i]) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29));
}

static size_t find(const struct ident *id, const struct hg_mac *m)
{
	size_t i = hash(m) & (id->cap - 1);

	while (id->slot[i] && memcmp(id->slot[i]->mac.b, m->b, 6) != 0)
		i = (i + 1) & (id->cap - 1);
	return i;
}

static void unknown(struct classify_result *r)
{
	memset(r, 0, sizeof(*r));
	util_strlcpy(r->vendor, "unknown", sizeof(r->vendor));
	util_strlcpy(r->model, "unknown", sizeof(r->model));
	util_strlcpy(r->category, "unknown", sizeof(r->category));
}

struct ident *ident_new(const struct fpdb *db, const struct oui_db *oui, size_t max_devices)
{
	struct ident *id = calloc(1, sizeof(*id));

	if (!id)
		return NULL;
	id->db = db;
	id->oui = oui;
	id->max = max_devices && max_devices < IDENT_MAX_DEVICES ? max_devices : IDENT_MAX_DEVICES;
	id->cap = 64;
	id->slot = calloc(id->cap, sizeof(*id->slot));
	if (!id->slot) {
		free(id);
		return NULL;
	}
	return id;
}

static void dev_free(struct ident_dev *d)
{
	if (!d)
		return;
	classify_dev_free(d->sig);
	free(d);
}

void ident_free(struct ident *id)
{
	if (!id)
		return;
	for (size_t i = 0; i < id->cap; i++)
		dev_free(id->slot[i]);
	free(id->slot);
	free(id);
}

static int grow(struct ident *id)
{
	size_t ncap = id->cap * 2, oldcap = id->cap;
	struct ident_dev **old = id->slot, **n = calloc(ncap, sizeof(*n));

	if (!n)
		return -1;
	id->slot = n;
	id->cap = ncap;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i])
			n[find(id, &old[i]->mac)] = old[i];
	free(old);
	return 0;
}

/* The device of mac, created (with its OUI signal) when new; NULL when the table is full. */
static struct ident_dev *get(struct ident *id, const struct hg_mac *mac)
{
	struct ident_dev *d;
	const char *org;
	size_t i = find(id, mac);

	if (id->slot[i])
		return id->slot[i];
	if (id->count >= id->max || (2 * (id->count + 1) > id->cap && grow(id) < 0)) {
		id->dropped++;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d || !(d->sig = classify_dev_new())) {
		free(d);
		id->dropped++;
		return NULL;
	}
	d->mac = *mac;
	unknown(&d->res);
	if (id->oui && (org = oui_lookup(id->oui, mac->b)) != NULL) {
		classify_add(d->sig, HG_SIG_OUI, org);
		classify_run(id->db, d->sig, &d->res);
	}
	id->slot[find(id, mac)] = d;
	id->count++;
	return d;
}

void ident_seen(struct ident *id, const struct hg_mac *mac)
{
	get(id, mac);
}

bool ident_signal(struct ident *id, const struct hg_mac *mac, enum hg_signal sig, const char *value)
{
	struct ident_dev *d = get(id, mac);
	struct classify_result r;
	bool changed;

	if (!d || !classify_add(d->sig, sig, value))
		return false;
	classify_run(id->db, d->sig, &r);
	changed = strcmp(r.vendor, d->res.vendor) != 0 || strcmp(r.model, d->res.model) != 0 ||
		strcmp(r.category, d->res.category) != 0 || r.confidence != d->res.confidence;
	d->res = r;
	return changed;
}

bool ident_result(const struct ident *id, const struct hg_mac *mac, struct classify_result *out)
{
	size_t i = find(id, mac);

	if (!id->slot[i])
		return false;
	*out = id->slot[i]->res;
	return true;
}

static int cmp_dev(const void *a, const void *b)
{
	const struct ident_dev *x = *(struct ident_dev *const *)a,
			       *y = *(struct ident_dev *const *)b;

	return memcmp(x->mac.b, y->mac.b, 6);
}

void ident_foreach(const struct ident *id,
	void (*fn)(void *ctx, const struct hg_mac *mac, const struct classify_result *r), void *ctx)
{
	struct ident_dev **v;
	size_t n = 0;

	if (!id->count)
		return;
	v = malloc(id->count * sizeof(*v));
	if (!v)
		return;
	for (size_t i = 0; i < id->cap; i++)
		if (id->slot[i])
			v[n++] = id->slot[i];
	qsort(v, n, sizeof(*v), cmp_dev);
	for (size_t i = 0; i < n; i++)
		fn(ctx, &v[i]->mac, &v[i]->res);
	free(v);
}

void ident_signals(const struct ident *id, const struct hg_mac *mac,
	void (*fn)(void *ctx, enum hg_signal sig, const char *value), void *ctx)
{
	size_t i = find(id, mac);

	if (id->slot[i])
		classify_dev_foreach(id->slot[i]->sig, fn, ctx);
}

void ident_forget(struct ident *id, const struct hg_mac *mac)
{
	size_t i = find(id, mac), j;

	if (!id->slot[i])
		return;
	dev_free(id->slot[i]);
	id->slot[i] = NULL;
	id->count--;
	/* Backward-shift deletion keeps every probe sequence unbroken. */
	for (j = (i + 1) & (id->cap - 1); id->slot[j]; j = (j + 1) & (id->cap - 1)) {
		struct ident_dev *d = id->slot[j];

		id->slot[j] = NULL;
		id->slot[find(id, &d->mac)] = d;
	}
}

size_t ident_count(const struct ident *id)
{
	return id->count;
}

size_t ident_dropped(const struct ident *id)
{
	return id->dropped;
}
