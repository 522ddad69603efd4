/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The MUD manager: from a learnt MUD URL to a verified, cached file and the device's MUD
 * status; refreshes, updates and approvals (RFC 8520, AC-07 ... AC-20, AC-31 ... AC-35). */
#include "engine/mudmgr.h"

#include "core/log.h"
#include "core/util.h"
#include "mud/mud_cache.h"
#include "mud/mud_fetch.h"
#include "mud/mud_sig.h"
#include "mud/mud_summary.h"
#include "policy/policy_cmp.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define MM_BUCKET_MAX	  16   /* automatic fetches that may start at once */
#define MM_BUCKET_REFILL  1000 /* ms per token */
#define MM_VALIDITY_MAX_S (168 * 3600)
#define MM_SPARE_ENTRIES  64 /* URL entries beyond one per device before unused ones go */
#define MM_ACCEPT_FILE	  "application/mud+json"
#define MM_ACCEPT_SIG	  "application/pkcs7-signature"

static const struct reg_actor mm_rule = {.who = "rule:mud", .why = NULL};

enum mm_stage {
	MM_IDLE = 0,
	MM_FILE, /* fetching the file */
	MM_SIG,	 /* fetching its signature */
};

/* Result of the last attempt for a URL without an accepted copy. */
enum mm_result {
	MM_NONE = 0, /* never tried yet, or trying */
	MM_FAILED,   /* could not retrieve */
	MM_REJECTED, /* retrieved but refused */
};

struct mm_entry {
	struct mm_entry *next;
	struct mudmgr *m;
	struct mud_cached c; /* c.url always set; c.body.data NULL without an accepted copy */
	struct mud_file *mf; /* the accepted copy, parsed */
	enum mm_result result;
	char reason[256]; /* why the last attempt failed, "" after a success */
	unsigned failures;
	enum mm_stage stage;
	struct mud_fetch *fetch;
	bool manual; /* the running fetch was asked for by a person */
	/* The candidate being verified. */
	struct mud_blob cand, cand_sig;
	struct mud_file *cand_mf;
	int64_t cand_max_age;
	char cand_etag[128], cand_lastmod[64];
	struct ev_timer timer;
};

struct mm_dev {
	struct mm_dev *next;
	struct hg_mac mac;
	char url_v4[HG_URL_MAX], url_v6[HG_URL_MAX]; /* announced over DHCPv4 / DHCPv6 */
	char held[HG_URL_MAX];			     /* a new URL that waits for approval */
	enum hg_source held_src;
	char want_signer[65]; /* the new URL replaced one pinned to this signer (AC-34) */
};

struct mudmgr {
	struct ev_loop *loop;
	struct store *st;
	struct registry *reg;
	const struct hg_config *cfg;
	struct mud_fetcher *fetcher;
	struct mud_trust *trust; /* NULL: no anchors configured */
	struct mm_entry *entries;
	unsigned nentries;
	struct mm_dev *devs;
	unsigned tokens;
	int64_t refill_ms;
};

static void entry_timer(void *arg);
static void start_fetch(struct mm_entry *e, bool manual);

/* ---- helpers ---- */

static int64_t now_s(void)
{
	return util_now();
}

static const char *url_log(const char *url, char buf[static HG_URL_MAX])
{
	util_sanitize(buf, HG_URL_MAX, url, strlen(url));
	return buf;
}

static struct mm_entry *entry_find(struct mudmgr *m, const char *url)
{
	for (struct mm_entry *e = m->entries; e; e = e->next)
		if (strcmp(e->c.url, url) == 0)
			return e;
	return NULL;
}

struct each_ctx {
	const char *url;
	struct hg_mac macs[64];
	unsigned n, total, online;
};

static void entry_free(struct mudmgr *m, struct mm_entry *e);
static unsigned devices_of(struct mudmgr *m, const char *url, struct each_ctx *c);

/* Entries nobody uses any more are dropped from memory (their cache rows stay in the store and
 * come back when the URL is announced again), so a device cycling through URLs cannot grow the
 * engine without bound. */
static void entry_gc(struct mudmgr *m)
{
	for (struct mm_entry **pp = &m->entries; *pp;) {
		struct mm_entry *e = *pp;
		struct each_ctx c;

		if (e->stage == MM_IDLE && !devices_of(m, e->c.url, &c)) {
			*pp = e->next;
			m->nentries--;
			entry_free(m, e);
		} else {
			pp = &e->next;
		}
	}
}

static struct mm_entry *entry_alloc(struct mudmgr *m, const char *url)
{
	struct mm_entry *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->m = m;
	util_strlcpy(e->c.url, url, sizeof(e->c.url));
	ev_timer_init(&e->timer, entry_timer, e);
	e->next = m->entries;
	m->entries = e;
	m->nentries++;
	return e;
}

static int adopt_cached(struct mm_entry *e, struct mud_cached *c);

/* An entry for a URL being announced: its cached copy and pinned signer come back from the
 * store when it has one. NULL when out of memory or over the entry limit. */
static struct mm_entry *entry_new(struct mudmgr *m, const char *url)
{
	struct mud_cached c = {0};
	struct mm_entry *e;

	if (m->nentries >= m->cfg->max_devices + MM_SPARE_ENTRIES)
		entry_gc(m);
	if (m->nentries >= m->cfg->max_devices + MM_SPARE_ENTRIES)
		return NULL;
	e = entry_alloc(m, url);
	if (e && mud_cache_get(m->st, url, &c) == 0 && adopt_cached(e, &c) < 0)
		log_warnx("mud=cache error=\"cached copy unusable, fetching again\"");
	mud_cached_clear(&c);
	return e;
}

static void cand_clear(struct mm_entry *e)
{
	mud_blob_set(&e->cand, NULL, 0);
	mud_blob_set(&e->cand_sig, NULL, 0);
	mud_free(e->cand_mf);
	e->cand_mf = NULL;
	e->cand_etag[0] = e->cand_lastmod[0] = 0;
	e->cand_max_age = -1;
}

static void entry_free(struct mudmgr *m, struct mm_entry *e)
{
	if (e->fetch)
		mud_fetch_cancel(m->fetcher, e->fetch);
	ev_timer_cancel(m->loop, &e->timer);
	cand_clear(e);
	mud_free(e->mf);
	mud_cached_clear(&e->c);
	free(e);
}

static struct mm_dev *dev_get(struct mudmgr *m, const struct hg_mac *mac, bool create)
{
	struct mm_dev *d;

	for (d = m->devs; d; d = d->next)
		if (util_mac_equal(&d->mac, mac))
			return d;
	if (!create)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->mac = *mac;
	d->next = m->devs;
	m->devs = d;
	return d;
}

/* Same scheme and authority, and the new path lies in the directory of the old one
 * (draft-ietf-opsawg-mud-acceptable-urls: "same base path"). */
static bool same_base(const char *old, const char *new)
{
	const char *p = strstr(old, "://"), *slash;
	size_t base;

	if (!p)
		return false;
	p = strchr(p + 3, '/');
	if (!p)
		return false;
	slash = strrchr(p, '/');
	base = (size_t)(slash - old) + 1;
	return strncmp(old, new, base) == 0 && !strchr(new + base, '/');
}

/* ---- what devices see ---- */

static int collect_dev(const struct device *d, void *arg)
{
	struct each_ctx *c = arg;

	if (strcmp(d->mud_url, c->url) != 0)
		return 0;
	c->total++;
	c->online += d->online;
	if (c->n < ARRAY_SIZE(c->macs))
		c->macs[c->n++] = d->mac;
	return 0;
}

/* The devices using url (a bounded batch; callers loop while there are more). Collected first
 * because registry calls invalidate device pointers. */
static unsigned devices_of(struct mudmgr *m, const char *url, struct each_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->url = url;
	registry_foreach(m->reg, collect_dev, c);
	return c->total;
}

static void describe_ok(const struct mm_entry *e, char *buf, size_t len)
{
	const char *extra = e->reason[0] ? "; last refresh: " : "";

	if (e->c.signer[0])
		snprintf(buf, len, "signed by %.120s%s%.100s", e->c.signer_subject, extra,
			e->reason);
	else
		snprintf(buf, len,
			"unsigned, accepted because mud.require_signature is off%s%.100s", extra,
			e->reason);
}

/* The status word, reason and file hash a device using e shows. */
static void entry_view(
	const struct mm_entry *e, const char **status, char *reason, size_t len, const char **hash)
{
	*hash = "";
	if (e->c.body.data) {
		*hash = e->c.file_hash;
		if (e->c.pending_hash[0]) {
			*status = "update";
			snprintf(reason, len, "an update waits for approval: %.200s",
				e->c.pending_reason);
		} else if (e->c.stale) {
			*status = "stale";
			snprintf(reason, len, "server unreachable since the file expired: %.200s",
				e->reason);
		} else {
			*status = "ok";
			describe_ok(e, reason, len);
		}
		return;
	}
	switch (e->result) {
	case MM_NONE:
		*status = "fetching";
		snprintf(reason, len, "%s", e->reason);
		break;
	case MM_FAILED:
		*status = "failed";
		snprintf(reason, len, "%s", e->reason);
		break;
	case MM_REJECTED:
		*status = "rejected";
		snprintf(reason, len, "%s", e->reason);
		break;
	}
}

/* The MUD processing reached a result an administrator can decide on: a file (accepted,
 * waiting, kept) or a refusal of the file itself. Retrieval trouble is not one: retried. */
static bool settled(const char *status)
{
	return strcmp(status, "fetching") != 0 && strcmp(status, "failed") != 0;
}

/* Shows e's state on one device; a new device whose MUD processing reached a result now waits
 * for an administrator (pending). */
static void show_on(struct mudmgr *m, struct mm_entry *e, const struct hg_mac *mac,
	const struct reg_actor *actor)
{
	const struct device *d = registry_get(m->reg, mac);
	const char *status, *hash;
	char reason[256], mb[HG_MAC_STRLEN];
	struct mm_dev *md;
	int ret;

	if (!d || strcmp(d->mud_status, "conflict") == 0 || strcmp(d->mud_status, "held") == 0)
		return;
	entry_view(e, &status, reason, sizeof(reason), &hash);
	md = dev_get(m, mac, false);
	/* A URL change within the base path keeps its signer (AC-34). */
	if (md && md->want_signer[0] && e->c.body.data && strcmp(md->want_signer, e->c.signer)) {
		status = "held";
		hash = "";
		snprintf(reason, sizeof(reason),
			"the new MUD URL is signed by %.100s, not by the signer of the URL it "
			"replaced: waits for `homegate mud accept`",
			e->c.signer[0] ? e->c.signer_subject : "nobody");
		util_strlcpy(md->held, e->c.url, sizeof(md->held));
	} else if (md && md->want_signer[0] && e->c.body.data) {
		md->want_signer[0] = 0; /* checked: same signer */
	}
	ret = registry_set_mud(m->reg, mac, status, reason, hash, actor ? actor : &mm_rule);
	if (ret < 0)
		log_warnx(
			"dev=%s mud=status error=\"%s\"", util_mac_format(mac, mb), strerror(-ret));
	d = registry_get(m->reg, mac);
	if (d && d->state == DEV_NEW && settled(status)) {
		struct reg_actor a = {.who = "rule:mud", .why = reason};

		registry_set_state(m->reg, mac, DEV_PENDING, &a);
	}
}

static void show_all(struct mudmgr *m, struct mm_entry *e, const struct reg_actor *actor)
{
	struct each_ctx c;

	devices_of(m, e->c.url, &c);
	for (unsigned i = 0; i < c.n; i++)
		show_on(m, e, &c.macs[i], actor);
}

/* ---- scheduling ---- */

static int64_t backoff_s(const struct mudmgr *m, unsigned failures)
{
	int64_t d = m->cfg->mud_retry_min_s;

	for (unsigned i = 1; i < failures && d < m->cfg->mud_retry_max_s; i++)
		d *= 2;
	return d < m->cfg->mud_retry_max_s ? d : m->cfg->mud_retry_max_s;
}

static void schedule(struct mm_entry *e, int64_t in_s)
{
	if (in_s < 0)
		in_s = 0;
	if (in_s > 7 * 86400)
		in_s = 7 * 86400;
	ev_timer_arm(e->m->loop, &e->timer, in_s * 1000);
}

static void schedule_refresh(struct mm_entry *e)
{
	schedule(e, e->c.refresh - now_s());
}

/* Automatic fetches draw from a token bucket so that a LAN full of announcements, or a burst
 * of expiries, cannot turn the gateway into a request cannon. */
static bool take_token(struct mudmgr *m, int64_t *wait_ms)
{
	int64_t now = util_mono_ms();

	while (m->tokens < MM_BUCKET_MAX && now >= m->refill_ms + MM_BUCKET_REFILL) {
		m->tokens++;
		m->refill_ms += MM_BUCKET_REFILL;
	}
	if (m->tokens == MM_BUCKET_MAX)
		m->refill_ms = now;
	if (m->tokens) {
		m->tokens--;
		return true;
	}
	*wait_ms = m->refill_ms + MM_BUCKET_REFILL - now;
	return false;
}

static void entry_timer(void *arg)
{
	struct mm_entry *e = arg;
	struct each_ctx c;

	/* No device using the URL is on the network: keep the copy and stop asking until one
	 * announces it again (its next lease brings it back through mudmgr_intake). */
	devices_of(e->m, e->c.url, &c);
	if (!c.online)
		return;
	start_fetch(e, false);
}

/* ---- fetch results ---- */

static int64_t validity_s(const struct mud_file *mf, int64_t max_age)
{
	int64_t v = (int64_t)mf->cache_validity * 3600;

	/* cache-validity is a floor (no refetch before it); a longer HTTP max-age extends it up
	 * to the RFC's 168 hours. */
	if (max_age > v)
		v = max_age < MM_VALIDITY_MAX_S ? max_age : MM_VALIDITY_MAX_S;
	return v;
}

static void save_entry(struct mm_entry *e)
{
	char u[HG_URL_MAX];

	if (e->c.body.data && mud_cache_save(e->m->st, &e->c) < 0)
		log_warnx("mud=cache url=\"%s\" error=\"cannot store\"", url_log(e->c.url, u));
}

/* The attempt failed. transient: retrieval problems (retry with back-off); otherwise the
 * file itself is at fault (retry rarely). An accepted copy is always kept (AC-32). */
static void attempt_failed(struct mm_entry *e, bool transient, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void attempt_failed(struct mm_entry *e, bool transient, const char *fmt, ...)
{
	struct mudmgr *m = e->m;
	char u[HG_URL_MAX];
	int64_t now = now_s(), delay;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
	cand_clear(e);
	e->stage = MM_IDLE;
	e->failures++;
	delay = transient ? backoff_s(m, e->failures) : (int64_t)m->cfg->mud_retry_max_s;
	log_warnx("mud=%s url=\"%s\" reason=\"%s\" retry_s=%lld",
		transient ? "unavailable" : "rejected", url_log(e->c.url, u), e->reason,
		(long long)delay);
	if (e->c.body.data) {
		/* Past its validity and the grace period the kept copy is stale (AC-32). */
		bool stale = transient &&
			now >= e->c.refresh + (int64_t)m->cfg->mud_stale_grace_h * 3600;

		if (stale && !e->c.stale) {
			e->c.stale = true;
			save_entry(e);
			log_warnx("mud=stale url=\"%s\" fetched=%lld", u, (long long)e->c.fetched);
		}
		if (e->c.refresh - now > delay)
			delay = e->c.refresh - now;
	} else {
		e->result = transient ? MM_FAILED : MM_REJECTED;
	}
	schedule(e, delay);
	show_all(m, e, NULL);
}

/* The candidate becomes the accepted copy. */
static int promote(struct mm_entry *e, struct mud_blob *body, struct mud_blob *sig,
	struct mud_file *mf, const char *signer, const char *subject, int64_t max_age)
{
	struct mud_cached *c = &e->c;
	int64_t now = now_s();

	free(c->body.data);
	free(c->sig.data);
	c->body = *body;
	c->sig = *sig;
	memset(body, 0, sizeof(*body));
	memset(sig, 0, sizeof(*sig));
	mud_sha256_hex(c->body.data, c->body.len, c->file_hash);
	util_strlcpy(c->signer, signer, sizeof(c->signer));
	util_strlcpy(c->signer_subject, subject, sizeof(c->signer_subject));
	c->fetched = now;
	c->refresh = now + validity_s(mf, max_age);
	c->stale = false;
	mud_free(e->mf);
	e->mf = mf;
	return 0;
}

static void pending_clear(struct mud_cached *c)
{
	mud_blob_set(&c->pending_body, NULL, 0);
	mud_blob_set(&c->pending_sig, NULL, 0);
	c->pending_hash[0] = c->pending_signer[0] = c->pending_signer_subject[0] = 0;
	c->pending_reason[0] = 0;
}

static void succeeded(struct mm_entry *e)
{
	e->failures = 0;
	e->reason[0] = 0;
	e->result = MM_NONE;
	e->stage = MM_IDLE;
}

static void candidate_ready(struct mm_entry *e, const char *signer, const char *subject)
{
	struct mud_cached *c = &e->c;
	char u[HG_URL_MAX], hash[65];
	enum pol_change change;
	struct pol_diff diff;

	url_log(c->url, u);
	mud_sha256_hex(e->cand.data, e->cand.len, hash);
	util_strlcpy(c->etag, e->cand_etag, sizeof(c->etag));
	util_strlcpy(c->last_modified, e->cand_lastmod, sizeof(c->last_modified));
	if (!c->body.data) {
		promote(e, &e->cand, &e->cand_sig, e->cand_mf, signer, subject, e->cand_max_age);
		e->cand_mf = NULL;
		log_info("mud=accepted url=\"%s\" hash=%s signer=\"%s\"", u, c->file_hash, subject);
		goto done;
	}
	if (strcmp(hash, c->file_hash) == 0 && strcmp(signer, c->signer) == 0) {
		c->fetched = now_s();
		c->refresh = c->fetched + validity_s(e->mf, e->cand_max_age);
		c->stale = false;
		log_info("mud=unchanged url=\"%s\"", u);
		goto done;
	}
	change = strcmp(signer, c->signer) != 0
		? POL_ADDS
		: pol_compare(&e->mf->policy, &e->cand_mf->policy, &diff);
	if (strcmp(signer, c->signer) == 0 && change != POL_ADDS) {
		promote(e, &e->cand, &e->cand_sig, e->cand_mf, signer, subject, e->cand_max_age);
		e->cand_mf = NULL;
		pending_clear(c);
		log_info("mud=updated url=\"%s\" hash=%s change=%s", u, c->file_hash,
			change == POL_SAME ? "same-access" : "restricts");
		goto done;
	}
	/* Adds access or changes signer: the old policy stays until someone accepts (AC-33). */
	if (strcmp(hash, c->pending_hash) != 0) {
		pending_clear(c);
		c->pending_body = e->cand;
		c->pending_sig = e->cand_sig;
		memset(&e->cand, 0, sizeof(e->cand));
		memset(&e->cand_sig, 0, sizeof(e->cand_sig));
		util_strlcpy(c->pending_hash, hash, sizeof(c->pending_hash));
		util_strlcpy(c->pending_signer, signer, sizeof(c->pending_signer));
		util_strlcpy(c->pending_signer_subject, subject, sizeof(c->pending_signer_subject));
		if (strcmp(signer, c->signer) != 0)
			snprintf(c->pending_reason, sizeof(c->pending_reason),
				"the signer changed from \"%.100s\" to \"%.100s\"",
				c->signer[0] ? c->signer_subject : "(unsigned)",
				signer[0] ? subject : "(unsigned)");
		else
			snprintf(c->pending_reason, sizeof(c->pending_reason),
				"the new file grants access the old one did not (%u new rule%s)",
				diff.nadded_total, diff.nadded_total == 1 ? "" : "s");
		log_warnx("mud=update-held url=\"%s\" hash=%s reason=\"%s\"", u, hash,
			c->pending_reason);
	}
	c->fetched = now_s();
	c->refresh = c->fetched + validity_s(e->mf, e->cand_max_age);
	c->stale = false;
done:
	cand_clear(e);
	succeeded(e);
	save_entry(e);
	schedule_refresh(e);
	show_all(e->m, e, NULL);
}

static void on_sig(struct mud_fetch_result *res, void *arg)
{
	struct mm_entry *e = arg;
	struct mud_signer signer;
	char err[256];

	e->fetch = NULL;
	if (res->err) {
		attempt_failed(e, true, "signature not retrievable: %s", res->error);
		return;
	}
	if (res->not_modified) {
		attempt_failed(
			e, true, "signature server answered 304 to an unconditional request");
		return;
	}
	if (!e->m->trust) {
		attempt_failed(e, false,
			"signed file, but no trust anchors are configured (mud.trust_anchors)");
		return;
	}
	if (mud_sig_verify(e->cand.data, e->cand.len, res->body, res->len, e->m->trust, &signer,
		    err, sizeof(err)) < 0) {
		attempt_failed(e, false, "signature rejected: %s", err);
		return;
	}
	if (mud_blob_set(&e->cand_sig, res->body, res->len) < 0) {
		attempt_failed(e, true, "out of memory");
		return;
	}
	candidate_ready(e, signer.fingerprint, signer.subject);
}

static void on_file(struct mud_fetch_result *res, void *arg)
{
	struct mm_entry *e = arg;
	struct mudmgr *m = e->m;
	struct mud_fetch_req req = {.accept = MM_ACCEPT_SIG};
	struct mud_error perr = {0};
	char sigurl[HG_URL_MAX * 2];
	int ret;

	e->fetch = NULL;
	if (res->err) {
		attempt_failed(e, true, "%s", res->error);
		return;
	}
	if (res->not_modified) {
		if (!e->c.body.data) {
			attempt_failed(e, true, "server answered 304 but nothing is cached");
			return;
		}
		e->c.fetched = now_s();
		e->c.refresh = e->c.fetched + validity_s(e->mf, res->max_age);
		e->c.stale = false;
		succeeded(e);
		save_entry(e);
		schedule_refresh(e);
		show_all(m, e, NULL);
		return;
	}
	cand_clear(e);
	e->cand.data = res->body;
	e->cand.len = res->len;
	res->body = NULL;
	e->cand_max_age = res->max_age;
	util_strlcpy(e->cand_etag, res->etag, sizeof(e->cand_etag));
	util_strlcpy(e->cand_lastmod, res->last_modified, sizeof(e->cand_lastmod));
	ret = mud_parse((const char *)e->cand.data, e->cand.len, e->c.url, &e->cand_mf, &perr);
	if (ret < 0) {
		if (ret == -EINVAL)
			attempt_failed(e, false, "invalid MUD file: %s at %s", perr.msg,
				perr.path[0] ? perr.path : "/");
		else
			attempt_failed(e, false, "invalid MUD file: %s", strerror(-ret));
		return;
	}
	if (!e->cand_mf->signature[0]) {
		if (m->cfg->mud_require_signature) {
			attempt_failed(e, false,
				"unsigned: the file names no mud-signature and "
				"mud.require_signature is on");
			return;
		}
		candidate_ready(e, "", "");
		return;
	}
	if (mud_url_resolve(e->c.url, e->cand_mf->signature, sigurl, sizeof(sigurl)) < 0) {
		attempt_failed(e, false, "mud-signature is not an https URL");
		return;
	}
	req.url = sigurl;
	e->stage = MM_SIG;
	ret = mud_fetch_start(m->fetcher, &req, on_sig, e, &e->fetch);
	if (ret < 0)
		attempt_failed(e, true, "cannot start the signature fetch: %s", strerror(-ret));
}

static void start_fetch(struct mm_entry *e, bool manual)
{
	struct mudmgr *m = e->m;
	struct mud_fetch_req req = {.url = e->c.url, .accept = MM_ACCEPT_FILE};
	char u[HG_URL_MAX];
	int64_t wait_ms = 0;
	int ret;

	if (e->stage != MM_IDLE)
		return;
	if (!manual && !take_token(m, &wait_ms)) {
		ev_timer_arm(m->loop, &e->timer, wait_ms);
		return;
	}
	ev_timer_cancel(m->loop, &e->timer);
	if (e->c.body.data) {
		req.etag = e->c.etag;
		req.last_modified = e->c.last_modified;
	}
	e->manual = manual;
	e->stage = MM_FILE;
	log_debug("mud=fetch url=\"%s\" manual=%d", url_log(e->c.url, u), manual);
	ret = mud_fetch_start(m->fetcher, &req, on_file, e, &e->fetch);
	if (ret < 0)
		attempt_failed(e, true, "cannot start the fetch: %s", strerror(-ret));
}

/* ---- intake ---- */

static bool dhcp_source(enum hg_source s)
{
	return s == HG_SRC_DNSMASQ || s == HG_SRC_DHCP || s == HG_SRC_DHCPV6;
}

static int use_url(struct mudmgr *m, const struct hg_mac *mac, const char *url, enum hg_source src)
{
	struct hg_event ev = {.type = HG_EV_MUD_URL, .source = src, .time = now_s()};
	struct mm_entry *e = entry_find(m, url);
	int ret;

	if (!e && !(e = entry_new(m, url)))
		return -ENOMEM;
	ev.mud_url.mac = *mac;
	util_strlcpy(ev.mud_url.url, url, sizeof(ev.mud_url.url));
	ret = registry_apply_event(m->reg, &ev);
	if (ret < 0)
		return ret;
	show_on(m, e, mac, NULL);
	if (!e->c.body.data || now_s() >= e->c.refresh) {
		if (e->stage == MM_IDLE && !ev_timer_is_armed(&e->timer))
			start_fetch(e, false);
	} else if (!ev_timer_is_armed(&e->timer)) {
		schedule_refresh(e);
	}
	return 0;
}

int mudmgr_intake(
	struct mudmgr *m, const struct hg_mac *mac, const char *url, enum hg_source src, int family)
{
	const struct device *d = registry_get(m->reg, mac);
	char mb[HG_MAC_STRLEN], u[HG_URL_MAX], o[HG_URL_MAX], reason[320];
	struct mm_dev *md;
	struct mm_entry *old;

	if (!d)
		return -ENOENT;
	md = dev_get(m, mac, true);
	if (!md)
		return -ENOMEM;
	util_mac_format(mac, mb);
	if (dhcp_source(src) && (family == AF_INET || family == AF_INET6)) {
		char *slot = family == AF_INET ? md->url_v4 : md->url_v6;

		util_strlcpy(slot, url, HG_URL_MAX);
		/* RFC 8520 §10 / AC-08: one client, two URLs over v4 and v6: trust neither. */
		if (md->url_v4[0] && md->url_v6[0] && strcmp(md->url_v4, md->url_v6) != 0) {
			snprintf(reason, sizeof(reason),
				"different MUD URLs over DHCPv4 (%.100s) and DHCPv6 (%.100s): both "
				"refused",
				url_log(md->url_v4, u), url_log(md->url_v6, o));
			log_warnx("dev=%s mud=conflict exception=\"%s\"", mb, reason);
			registry_set_mud(m->reg, mac, "conflict", reason, "", &mm_rule);
			return -EEXIST;
		}
	}
	if (strcmp(d->mud_status, "conflict") == 0) {
		/* The conflict is over only when both families agree again. */
		if (md->url_v4[0] && md->url_v6[0] && strcmp(md->url_v4, md->url_v6) != 0)
			return -EEXIST;
		registry_set_mud(m->reg, mac, "fetching", "", "", &mm_rule);
		d = registry_get(m->reg, mac);
	}
	if (d->mud_url[0] && strcmp(d->mud_url, url) != 0) {
		/* A known device announcing a new URL (AC-34). */
		if (!same_base(d->mud_url, url)) {
			util_strlcpy(md->held, url, sizeof(md->held));
			md->held_src = src;
			snprintf(reason, sizeof(reason),
				"announced %.100s, outside the base path of its MUD URL: waits for "
				"`homegate mud accept`",
				url_log(url, u));
			log_warnx("dev=%s mud=held url=\"%s\" old=\"%s\"", mb, u,
				url_log(d->mud_url, o));
			registry_set_mud(m->reg, mac, "held", reason, d->mud_hash, &mm_rule);
			return -EPERM;
		}
		old = entry_find(m, d->mud_url);
		util_strlcpy(md->want_signer, old && old->c.body.data ? old->c.signer : "",
			sizeof(md->want_signer));
		if (!old || !old->c.body.data)
			md->want_signer[0] = 0;
	}
	md->held[0] = 0;
	if (strcmp(d->mud_status, "held") == 0 && strcmp(d->mud_url, url) == 0)
		registry_set_mud(m->reg, mac, "fetching", "", "", &mm_rule);
	return use_url(m, mac, url, src);
}

void mudmgr_forget(struct mudmgr *m, const struct hg_mac *mac)
{
	for (struct mm_dev **pp = &m->devs; *pp; pp = &(*pp)->next) {
		if (util_mac_equal(&(*pp)->mac, mac)) {
			struct mm_dev *d = *pp;

			*pp = d->next;
			free(d);
			return;
		}
	}
}

int mudmgr_refresh(struct mudmgr *m, const struct hg_mac *mac)
{
	const struct device *d = registry_get(m->reg, mac);
	struct mm_entry *e;

	if (!d)
		return -ENOENT;
	if (!d->mud_url[0])
		return -ENODATA;
	e = entry_find(m, d->mud_url);
	if (!e && !(e = entry_new(m, d->mud_url)))
		return -ENOMEM;
	if (e->stage != MM_IDLE)
		return -EINPROGRESS;
	start_fetch(e, true);
	return 0;
}

int mudmgr_accept(struct mudmgr *m, const struct hg_mac *mac, const struct reg_actor *actor)
{
	const struct device *d = registry_get(m->reg, mac);
	struct mm_dev *md = dev_get(m, mac, false);
	struct mud_file *mf = NULL;
	struct mud_error perr;
	struct mm_entry *e;
	char u[HG_URL_MAX];
	int ret;

	if (!d)
		return -ENOENT;
	if (md && md->held[0]) {
		char url[HG_URL_MAX];

		util_strlcpy(url, md->held, sizeof(url));
		md->held[0] = md->want_signer[0] = 0;
		registry_set_mud(m->reg, mac, "fetching", "accepted a new MUD URL", "", actor);
		return use_url(m, mac, url, md->held_src ? md->held_src : HG_SRC_USER);
	}
	e = d->mud_url[0] ? entry_find(m, d->mud_url) : NULL;
	if (!e || !e->c.pending_body.data)
		return -ENODATA;
	ret = mud_parse(
		(const char *)e->c.pending_body.data, e->c.pending_body.len, e->c.url, &mf, &perr);
	if (ret < 0)
		return -EIO; /* it parsed when it was stored */
	{
		struct mud_blob body = e->c.pending_body, sig = e->c.pending_sig;
		char signer[65], subject[256];

		util_strlcpy(signer, e->c.pending_signer, sizeof(signer));
		util_strlcpy(subject, e->c.pending_signer_subject, sizeof(subject));
		memset(&e->c.pending_body, 0, sizeof(e->c.pending_body));
		memset(&e->c.pending_sig, 0, sizeof(e->c.pending_sig));
		pending_clear(&e->c);
		promote(e, &body, &sig, mf, signer, subject, -1);
	}
	log_info("mud=update-accepted url=\"%s\" hash=%s who=%s", url_log(e->c.url, u),
		e->c.file_hash, actor->who);
	save_entry(e);
	schedule_refresh(e);
	show_all(m, e, actor);
	return 0;
}

/* ---- show ---- */

int mudmgr_show(struct mudmgr *m, const char *url, json_object **out)
{
	struct mm_entry *e = entry_find(m, url);
	json_object *o, *devs, *sum = NULL;
	const char *status, *hash;
	char reason[256], mb[HG_MAC_STRLEN];
	struct each_ctx c;

	*out = NULL;
	if (!e)
		return -ENOENT;
	o = json_object_new_object();
	devs = json_object_new_array();
	if (!o || !devs) {
		json_object_put(o);
		json_object_put(devs);
		return -ENOMEM;
	}
	entry_view(e, &status, reason, sizeof(reason), &hash);
	json_object_object_add(o, "url", json_object_new_string(e->c.url));
	json_object_object_add(o, "status", json_object_new_string(status));
	json_object_object_add(o, "reason", json_object_new_string(reason));
	json_object_object_add(o, "file_hash", json_object_new_string(e->c.file_hash));
	json_object_object_add(o, "signer", json_object_new_string(e->c.signer_subject));
	json_object_object_add(o, "signer_fingerprint", json_object_new_string(e->c.signer));
	json_object_object_add(o, "fetched", json_object_new_int64(e->c.fetched));
	json_object_object_add(o, "refresh", json_object_new_int64(e->c.refresh));
	json_object_object_add(o, "stale", json_object_new_boolean(e->c.stale));
	json_object_object_add(o, "fetching", json_object_new_boolean(e->stage != MM_IDLE));
	if (e->c.pending_hash[0]) {
		json_object *p = json_object_new_object();

		if (p) {
			json_object_object_add(
				p, "file_hash", json_object_new_string(e->c.pending_hash));
			json_object_object_add(
				p, "signer", json_object_new_string(e->c.pending_signer_subject));
			json_object_object_add(
				p, "reason", json_object_new_string(e->c.pending_reason));
		}
		json_object_object_add(o, "pending", p);
	} else {
		json_object_object_add(o, "pending", NULL);
	}
	if (e->mf) {
		struct mud_summary *s = malloc(sizeof(*s));
		char *text = malloc(MUD_SUMMARY_TEXT_MAX);

		if (s && text) {
			mud_summarise(e->mf, s);
			if (mud_summary_json(s, &sum) < 0)
				sum = NULL;
			if (mud_summary_text(s, text, MUD_SUMMARY_TEXT_MAX) >= 0)
				json_object_object_add(
					o, "summary_text", json_object_new_string(text));
		}
		free(s);
		free(text);
		json_object_object_add(o, "cache_validity_h",
			json_object_new_int64((int64_t)e->mf->cache_validity));
	}
	json_object_object_add(o, "summary", sum);
	devices_of(m, e->c.url, &c);
	for (unsigned i = 0; i < c.n; i++)
		json_object_array_add(
			devs, json_object_new_string(util_mac_format(&c.macs[i], mb)));
	json_object_object_add(o, "devices", devs);
	*out = o;
	return 0;
}

const struct mud_file *mudmgr_file(struct mudmgr *m, const char *url)
{
	struct mm_entry *e = entry_find(m, url);

	return e ? e->mf : NULL;
}

/* ---- open / close ---- */

/* Takes the store's row c as e's accepted copy (ownership of c's contents moves). -EINVAL when
 * this build no longer accepts the file: it is then fetched and judged again. */
static int adopt_cached(struct mm_entry *e, struct mud_cached *c)
{
	struct mud_file *mf = NULL;
	struct mud_error perr;
	char u[HG_URL_MAX];

	if (mud_parse((const char *)c->body.data, c->body.len, c->url, &mf, &perr) < 0) {
		log_warnx("mud=cache url=\"%s\" error=\"cached file no longer valid: %s\"",
			url_log(c->url, u), perr.msg);
		return -EINVAL;
	}
	mud_cached_clear(&e->c);
	e->c = *c;
	memset(c, 0, sizeof(*c));
	mud_free(e->mf);
	e->mf = mf;
	schedule_refresh(e);
	return 0;
}

static int load_one(struct mud_cached *c, void *arg)
{
	struct mudmgr *m = arg;
	struct mm_entry *e = entry_alloc(m, c->url);

	if (!e)
		return -ENOMEM;
	adopt_cached(e, c);
	return 0;
}

int mudmgr_open(struct ev_loop *loop, struct store *st, struct registry *reg,
	const struct hg_config *cfg, struct mudmgr **out)
{
	struct mud_fetch_conf fc = {
		.ca_file = cfg->mud_ca_file,
		.proxy = cfg->mud_proxy,
		.accept_language = cfg->mud_language,
		.max_size = cfg->mud_max_file_size,
		.timeout_ms = cfg->mud_fetch_timeout_s * 1000,
		.connect_timeout_ms = cfg->mud_fetch_timeout_s * 1000,
		.max_redirects = cfg->mud_max_redirects,
		.max_parallel = 4,
	};
	struct mudmgr *m;
	char err[256];
	int ret;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->loop = loop;
	m->st = st;
	m->reg = reg;
	m->cfg = cfg;
	m->tokens = MM_BUCKET_MAX;
	m->refill_ms = util_mono_ms();
	if (cfg->mud_trust_anchors[0]) {
		ret = mud_trust_load(cfg->mud_trust_anchors, &m->trust, err, sizeof(err));
		if (ret < 0) {
			log_warnx(
				"mud=trust file=\"%s\" error=\"%s\"", cfg->mud_trust_anchors, err);
			goto fail;
		}
	}
	ret = mud_fetcher_new(loop, &fc, &m->fetcher);
	if (ret < 0)
		goto fail;
	ret = mud_cache_foreach(st, load_one, m);
	if (ret < 0)
		goto fail;
	*out = m;
	return 0;
fail:
	mudmgr_close(m);
	return ret;
}

void mudmgr_close(struct mudmgr *m)
{
	if (!m)
		return;
	while (m->entries) {
		struct mm_entry *e = m->entries;

		m->entries = e->next;
		entry_free(m, e);
	}
	m->nentries = 0;
	while (m->devs) {
		struct mm_dev *d = m->devs;

		m->devs = d->next;
		free(d);
	}
	mud_fetcher_free(m->fetcher);
	mud_trust_free(m->trust);
	free(m);
}
