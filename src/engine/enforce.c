/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which enforcement profile each device gets, and keeping the parent's rules in step with it
 * (DESIGN §2, §5). */
#include "engine/enforce.h"

#include "core/log.h"
#include "engine/ctlmgr.h"
#include "core/util.h"
#include "mud/mud_summary.h"
#include "policy/nft_compile.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* What one device was last put under. */
struct en_dev {
	struct hg_mac mac;
	struct ipc_dev_sync_entry sent;
};

/* A compiled profile this engine sent to the parent, with the number of devices it last put
 * under it: the reference count of its chains in the kernel. */
struct en_prof {
	char id[IPC_PROFILE_ID_LEN];
	bool myc;	   /* it has my-controller rules, so myc_<id> has members */
	unsigned users;	   /* devices in devs under it */
	int64_t unused_ms; /* monotonic ms since users is 0 (or since it was sent) */
};

struct enforce {
	struct registry *reg;
	struct mudmgr *mud;
	enforce_send_cb send;
	void *arg;
	uint32_t seq;
	struct en_dev *devs; /* sorted by MAC */
	size_t ndevs, cdevs;
	struct en_prof *profiles; /* sent to the parent by this engine */
	size_t nprofiles, cprofiles;
	struct ctlmgr *ctl;	       /* NULL: no controller declarations */
	struct ipc_ctl_sync *ctl_sent; /* the controller sets' members last sent */
	bool ctl_valid;		       /* ctl_sent is what the parent holds */
};

/* The wanted profile of one device: kind, and for a compiled one its policy and authority. */
struct en_want {
	enum ipc_profile kind;
	struct pol_policy pol; /* owned copy */
	char authority[256];
	char id[NFTC_ID_LEN + 1];
	char mfg[NFTC_ID_LEN + 1], mdl[NFTC_ID_LEN + 1]; /* set memberships, "" = none */
};

int enforce_open(struct registry *reg, struct mudmgr *mud, enforce_send_cb send, void *arg,
	struct enforce **out)
{
	struct enforce *en = calloc(1, sizeof(*en));

	*out = NULL;
	if (!en)
		return -ENOMEM;
	en->reg = reg;
	en->mud = mud;
	en->send = send;
	en->arg = arg;
	*out = en;
	return 0;
}

void enforce_close(struct enforce *en)
{
	if (!en)
		return;
	free(en->devs);
	free(en->profiles);
	free(en->ctl_sent);
	free(en);
}

static bool mud_in_force(const struct device *d)
{
	return d->mud_hash[0] &&
		(strcmp(d->mud_status, "ok") == 0 || strcmp(d->mud_status, "update") == 0 ||
			strcmp(d->mud_status, "stale") == 0);
}

/* A rule of a pending device: internet destinations only, no LAN peers. */
static bool pending_rule(const struct pol_rule *r)
{
	if (r->action != POL_ACCEPT)
		return true; /* drops only ever take away */
	switch (r->peer) {
	case POL_PEER_DNSNAME:
		return true;
	case POL_PEER_NET:
		return !(r->flags & POL_LOCAL_ONLY);
	default:
		return false;
	}
}

static int want_of(struct enforce *en, const struct device *d, struct en_want *w)
{
	const struct mud_file *mf = NULL;
	int ret;

	memset(w, 0, sizeof(*w));
	if (!d)
		return 0;
	if (mud_in_force(d) && d->mud_url[0])
		mf = mudmgr_file(en->mud, d->mud_url);
	switch (d->state) {
	case DEV_BLOCKED:
		w->kind = IPC_PROFILE_BLOCKED;
		return 0;
	case DEV_QUARANTINED:
		w->kind = IPC_PROFILE_POLICY; /* the empty policy: only the implicit rules */
		break;
	case DEV_APPROVED:
	case DEV_PENDING:
		if (!mf)
			return 0;
		w->kind = IPC_PROFILE_POLICY;
		mud_url_host(d->mud_url, w->authority, sizeof(w->authority));
		for (unsigned i = 0; i < mf->policy.count; i++) {
			const struct pol_rule *r = &mf->policy.rules[i];

			if (d->state == DEV_PENDING && !pending_rule(r))
				continue;
			ret = pol_add(&w->pol, r);
			if (ret)
				goto fail;
		}
		break;
	case DEV_NEW:
	case DEV_FORGOTTEN:
		return 0;
	}
	ret = nftc_profile_id(&w->pol, w->authority[0] ? w->authority : NULL, w->id);
	if (ret)
		goto fail;
	/* Others' manufacturer and model rules reach only devices someone approved (AC-30). */
	if (d->state == DEV_APPROVED && mf && w->authority[0] &&
		(nftc_name_hash(w->authority, w->mfg) < 0 || nftc_uri_hash(d->mud_url, w->mdl) < 0))
		w->mfg[0] = w->mdl[0] = 0;
	return 0;
fail:
	pol_clear(&w->pol);
	memset(w, 0, sizeof(*w));
	return ret;
}

static struct en_prof *prof_find(struct enforce *en, const char *id)
{
	for (size_t i = 0; i < en->nprofiles; i++)
		if (memcmp(en->profiles[i].id, id, IPC_PROFILE_ID_LEN) == 0)
			return &en->profiles[i];
	return NULL;
}

static bool has_my_controller(const struct pol_policy *p)
{
	for (unsigned i = 0; i < p->count; i++)
		if (p->rules[i].peer == POL_PEER_MY_CONTROLLER)
			return true;
	return false;
}

/* Sends the profile in chunks unless this engine already sent it. */
static int send_profile(struct enforce *en, const struct en_want *w)
{
	const size_t per =
		(IPC_MAX_PAYLOAD - sizeof(struct ipc_profile_chunk)) / sizeof(struct pol_rule);
	struct ipc_profile_chunk *h;
	unsigned done = 0;
	int ret = 0;

	if (prof_find(en, w->id))
		return 0;
	if (w->pol.count > IPC_PROFILE_MAX_RULES)
		return -E2BIG;
	h = calloc(1, IPC_MAX_PAYLOAD);
	if (!h)
		return -ENOMEM;
	memcpy(h->id, w->id, IPC_PROFILE_ID_LEN);
	util_strlcpy(h->authority, w->authority, sizeof(h->authority));
	do {
		size_t n = w->pol.count - done < per ? w->pol.count - done : per;

		h->seq = ++en->seq;
		h->first = done == 0;
		h->final = done + n == w->pol.count;
		h->nrules = (uint16_t)n;
		if (n) /* the empty policy (quarantine) has no rules array at all */
			memcpy(h + 1, w->pol.rules + done, n * sizeof(struct pol_rule));
		ret = en->send(
			IPC_E2P_PROFILE, h, sizeof(*h) + n * sizeof(struct pol_rule), en->arg);
		done += (unsigned)n;
	} while (!ret && done < w->pol.count);
	free(h);
	if (ret)
		return ret;
	if (en->nprofiles == en->cprofiles) {
		size_t cap = en->cprofiles ? en->cprofiles * 2 : 16;
		void *p = reallocarray(en->profiles, cap, sizeof(*en->profiles));

		if (!p)
			return -ENOMEM;
		en->profiles = p;
		en->cprofiles = cap;
	}
	{
		struct en_prof *np = &en->profiles[en->nprofiles++];

		memset(np, 0, sizeof(*np));
		memcpy(np->id, w->id, IPC_PROFILE_ID_LEN);
		np->myc = has_my_controller(&w->pol);
		np->unused_ms = util_mono_ms();
	}
	log_info("enforce=profile id=%s rules=%u", w->id, w->pol.count);
	return 0;
}

/* The entry the parent should hold for d under w. */
static void entry_of(const struct device *d, const struct hg_mac *mac, const struct en_want *w,
	struct ipc_dev_sync_entry *e)
{
	int64_t now = util_now();

	memset(e, 0, sizeof(*e));
	memcpy(e->mac, mac->b, 6);
	e->profile = (uint8_t)w->kind;
	if (w->kind != IPC_PROFILE_POLICY)
		return;
	memcpy(e->id, w->id, IPC_PROFILE_ID_LEN);
	if (w->mfg[0])
		memcpy(e->mfg, w->mfg, IPC_PROFILE_ID_LEN);
	if (w->mdl[0])
		memcpy(e->mdl, w->mdl, IPC_PROFILE_ID_LEN);
	for (unsigned i = 0; d && i < d->naddrs && e->naddrs < IPC_DEV_ADDRS; i++) {
		const struct dev_addr *a = &d->addrs[i];
		struct ipc_addr *x = &e->addrs[e->naddrs];

		if (a->expires && a->expires <= now) /* a released lease ends now */
			continue;
		if (a->addr.family == AF_INET) {
			x->family = 4;
			memcpy(x->a, &a->addr.v4, 4);
		} else if (a->addr.family == AF_INET6) {
			x->family = 6;
			memcpy(x->a, &a->addr.v6, 16);
		} else {
			continue;
		}
		e->naddrs++;
	}
}

static int dev_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 6);
}

static struct en_dev *dev_find(struct enforce *en, const struct hg_mac *mac)
{
	struct en_dev key = {.mac = *mac};

	return en->ndevs ? bsearch(&key, en->devs, en->ndevs, sizeof(key), dev_cmp) : NULL;
}

/* Counts a device entering (delta 1) or leaving (-1) the profile of entry e. */
static void prof_use(struct enforce *en, const struct ipc_dev_sync_entry *e, int delta)
{
	struct en_prof *p;

	if (e->profile != IPC_PROFILE_POLICY || !(p = prof_find(en, e->id)))
		return;
	if (delta > 0) {
		p->users++;
	} else if (p->users && --p->users == 0) {
		p->unused_ms = util_mono_ms();
	}
}

static int dev_record_entry(
	struct enforce *en, const struct hg_mac *mac, const struct ipc_dev_sync_entry *e);

static int dev_record(
	struct enforce *en, const struct hg_mac *mac, const struct ipc_dev_sync_entry *e)
{
	struct en_dev *d = dev_find(en, mac);
	int ret;

	if (d)
		prof_use(en, &d->sent, -1);
	ret = dev_record_entry(en, mac, e);
	if (ret && d) {
		/* The old entry is still recorded: it keeps its count. */
		prof_use(en, &d->sent, 1);
		return ret;
	}
	if (!ret)
		prof_use(en, e, 1);
	return ret;
}

static int dev_record_entry(
	struct enforce *en, const struct hg_mac *mac, const struct ipc_dev_sync_entry *e)
{
	struct en_dev *d = dev_find(en, mac);

	if (d) {
		if (e->profile == IPC_PROFILE_NONE) {
			size_t i = (size_t)(d - en->devs);

			memmove(d, d + 1, (en->ndevs - i - 1) * sizeof(*d));
			en->ndevs--;
		} else {
			d->sent = *e;
		}
		return 0;
	}
	if (e->profile == IPC_PROFILE_NONE)
		return 0;
	if (en->ndevs == en->cdevs) {
		size_t cap = en->cdevs ? en->cdevs * 2 : 64;
		void *p = reallocarray(en->devs, cap, sizeof(*en->devs));

		if (!p)
			return -ENOMEM;
		en->devs = p;
		en->cdevs = cap;
	}
	en->devs[en->ndevs].mac = *mac;
	en->devs[en->ndevs].sent = *e;
	en->ndevs++;
	qsort(en->devs, en->ndevs, sizeof(*en->devs), dev_cmp);
	return 0;
}

static int ctl_entry_cmp(const void *a, const void *b)
{
	const struct ipc_ctl_entry *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return memcmp(x, y, sizeof(*x));
}

/* Appends one member unless the table is full; false when it is. */
static bool ctl_put(
	struct ipc_ctl_sync *m, enum ipc_ctl_kind kind, const char *set, const struct hg_mac *mac)
{
	struct ipc_ctl_entry *x;

	if (m->count >= IPC_CTL_MAX)
		return false;
	x = &m->e[m->count++];
	memset(x, 0, sizeof(*x));
	memcpy(x->set, set, IPC_PROFILE_ID_LEN);
	x->kind = (uint8_t)kind;
	memcpy(x->mac, mac->b, 6);
	return true;
}

/* Every member of the controller sets as it should be now: a class declaration's MAC in
 * ctl_<H of the URI>; a my-controller declaration's MAC in myc_<P> for each profile P with
 * my-controller rules that a device announcing that MUD URL was put under. */
static void ctl_compute(struct enforce *en, struct ipc_ctl_sync *m)
{
	size_t n = en->ctl ? ctlmgr_count(en->ctl) : 0;
	bool full = false, any_my = false;

	m->count = 0;
	for (size_t i = 0; i < n && !full; i++) {
		const struct ctlmgr_entry *c = ctlmgr_get(en->ctl, i);
		char h[NFTC_ID_LEN + 1];

		if (c->kind != CTLMGR_CLASS) {
			any_my = true;
			continue;
		}
		if (nftc_uri_hash(c->uri, h) == 0)
			full = !ctl_put(m, IPC_CTL_CLASS, h, &c->mac);
	}
	for (size_t k = 0; any_my && k < en->ndevs && !full; k++) {
		const struct ipc_dev_sync_entry *e = &en->devs[k].sent;
		const struct en_prof *p;
		const struct device *d;

		if (e->profile != IPC_PROFILE_POLICY || !(p = prof_find(en, e->id)) || !p->myc)
			continue;
		d = registry_get(en->reg, &en->devs[k].mac);
		if (!d || !d->mud_url[0])
			continue;
		for (size_t i = 0; i < n && !full; i++) {
			const struct ctlmgr_entry *c = ctlmgr_get(en->ctl, i);

			if (c->kind == CTLMGR_MY && strcmp(c->uri, d->mud_url) == 0)
				full = !ctl_put(m, IPC_CTL_MY, e->id, &c->mac);
		}
	}
	if (full)
		log_warnx("enforce=controllers error=\"more than %d set members\" action=truncated",
			IPC_CTL_MAX);
	if (m->count)
		qsort(m->e, m->count, sizeof(m->e[0]), ctl_entry_cmp);
	/* One member per set and MAC (two devices of one URL under one profile). */
	for (size_t i = 1; i < m->count;) {
		if (memcmp(&m->e[i], &m->e[i - 1], sizeof(m->e[0])) == 0) {
			memmove(&m->e[i], &m->e[i + 1], (m->count - i - 1) * sizeof(m->e[0]));
			m->count--;
		} else {
			i++;
		}
	}
}

void enforce_controllers(struct enforce *en)
{
	struct ipc_ctl_sync *m;
	int ret;

	if (!en->ctl_sent) {
		en->ctl_sent = calloc(1, sizeof(*en->ctl_sent));
		if (!en->ctl_sent) {
			log_warnx("enforce=controllers error=\"%s\"", strerror(ENOMEM));
			return;
		}
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		log_warnx("enforce=controllers error=\"%s\"", strerror(ENOMEM));
		return;
	}
	ctl_compute(en, m);
	if (en->ctl_valid && m->count == en->ctl_sent->count &&
		memcmp(m->e, en->ctl_sent->e, m->count * sizeof(m->e[0])) == 0)
		goto out;
	m->seq = ++en->seq;
	ret = en->send(IPC_E2P_CTL_SYNC, m,
		offsetof(struct ipc_ctl_sync, e) + m->count * sizeof(m->e[0]), en->arg);
	if (ret) {
		log_warnx("enforce=controllers error=\"%s\"", strerror(-ret));
		en->ctl_valid = false;
		goto out;
	}
	memcpy(en->ctl_sent, m, sizeof(*m));
	en->ctl_valid = true;
	log_info("enforce=controllers members=%u", (unsigned)m->count);
out:
	free(m);
}

void enforce_set_controllers(struct enforce *en, struct ctlmgr *cm)
{
	en->ctl = cm;
}

unsigned enforce_gc(struct enforce *en, int64_t now_ms, int64_t grace_ms)
{
	unsigned dropped = 0;

	for (size_t i = 0; i < en->nprofiles;) {
		struct en_prof *p = &en->profiles[i];
		struct ipc_profile_drop op = {0};
		char id[IPC_PROFILE_ID_LEN + 1];
		int ret;

		if (p->users || now_ms - p->unused_ms < grace_ms) {
			i++;
			continue;
		}
		op.seq = ++en->seq;
		memcpy(op.id, p->id, IPC_PROFILE_ID_LEN);
		ret = en->send(IPC_E2P_PROFILE_DROP, &op, sizeof(op), en->arg);
		if (ret) {
			log_warnx("enforce=gc error=\"%s\"", strerror(-ret));
			break;
		}
		memcpy(id, p->id, IPC_PROFILE_ID_LEN);
		id[IPC_PROFILE_ID_LEN] = 0;
		log_info("enforce=gc profile=%s unused_s=%lld", id,
			(long long)((now_ms - p->unused_ms) / 1000));
		/* Forgotten here too: a device that needs it again makes this engine send it. */
		memmove(p, p + 1, (en->nprofiles - i - 1) * sizeof(*p));
		en->nprofiles--;
		dropped++;
	}
	return dropped;
}

void enforce_device(struct enforce *en, const struct hg_mac *mac)
{
	const struct device *d = registry_get(en->reg, mac);
	struct ipc_dev_sync_entry e, none = {0};
	const struct ipc_dev_sync_entry *cur;
	struct en_dev *rec = dev_find(en, mac);
	char m[HG_MAC_STRLEN];
	struct en_want w;
	int ret;

	util_mac_format(mac, m);
	ret = want_of(en, d, &w);
	if (ret) {
		log_warnx("dev=%s enforce=compile error=\"%s\" action=blocked", m, strerror(-ret));
		w.kind = IPC_PROFILE_BLOCKED; /* a policy we cannot compile grants nothing */
	}
	entry_of(d, mac, &w, &e);
	memcpy(none.mac, mac->b, 6);
	cur = rec ? &rec->sent : &none;
	if (memcmp(cur, &e, sizeof(e)) == 0)
		goto out;
	if (w.kind == IPC_PROFILE_POLICY) {
		struct ipc_dev_policy op = {.seq = ++en->seq, .naddrs = e.naddrs};

		ret = send_profile(en, &w);
		if (ret)
			goto fail;
		memcpy(op.mac, e.mac, 6);
		memcpy(op.id, e.id, sizeof(op.id));
		memcpy(op.mfg, e.mfg, sizeof(op.mfg));
		memcpy(op.mdl, e.mdl, sizeof(op.mdl));
		memcpy(op.addrs, e.addrs, sizeof(op.addrs));
		ret = en->send(IPC_E2P_DEV_POLICY, &op, sizeof(op), en->arg);
	} else {
		struct ipc_dev_profile op = {.seq = ++en->seq, .profile = (uint8_t)w.kind};

		memcpy(op.mac, e.mac, 6);
		ret = en->send(IPC_E2P_DEV_PROFILE, &op, sizeof(op), en->arg);
	}
	if (ret)
		goto fail;
	dev_record(en, mac, &e);
	log_info("dev=%s enforce=%s%s%s addrs=%u", m,
		w.kind == IPC_PROFILE_POLICY		? "policy"
			: w.kind == IPC_PROFILE_BLOCKED ? "blocked"
							: "none",
		w.kind == IPC_PROFILE_POLICY ? " profile=" : "",
		w.kind == IPC_PROFILE_POLICY ? w.id : "", (unsigned)e.naddrs);
	goto out;
fail:
	log_warnx("dev=%s enforce=send error=\"%s\"", m, strerror(-ret));
out:
	pol_clear(&w.pol);
	/* Its profile and its MUD URL decide which my-controller sets its controllers are in
	 * (a new URL may compile to the same profile); only a difference is sent. */
	if (en->ctl && ctlmgr_count(en->ctl))
		enforce_controllers(en);
}

struct sync_ctx {
	struct enforce *en;
	struct ipc_dev_sync *msg;
	int err;
};

static int sync_flush(struct sync_ctx *s, bool final)
{
	int ret;

	s->msg->seq = ++s->en->seq;
	s->msg->final = final;
	ret = s->en->send(IPC_E2P_DEV_SYNC, s->msg,
		offsetof(struct ipc_dev_sync, e) + s->msg->count * sizeof(s->msg->e[0]),
		s->en->arg);
	s->msg->count = 0;
	return ret;
}

static int sync_one(const struct device *d, void *arg)
{
	struct sync_ctx *s = arg;
	struct en_want w;
	struct ipc_dev_sync_entry e;
	int ret = want_of(s->en, d, &w);

	if (ret)
		w.kind = IPC_PROFILE_BLOCKED;
	entry_of(d, &d->mac, &w, &e);
	if (w.kind == IPC_PROFILE_POLICY && (ret = send_profile(s->en, &w)) < 0)
		goto out;
	ret = 0;
	if (e.profile == IPC_PROFILE_NONE)
		goto out;
	dev_record(s->en, &d->mac, &e);
	s->msg->e[s->msg->count++] = e;
	if (s->msg->count == IPC_SYNC_MAX)
		ret = sync_flush(s, false);
out:
	pol_clear(&w.pol);
	if (ret)
		s->err = ret;
	return ret;
}

int enforce_sync(struct enforce *en)
{
	struct sync_ctx s = {.en = en};
	int ret;

	s.msg = calloc(1, sizeof(*s.msg));
	if (!s.msg)
		return -ENOMEM;
	en->ndevs = 0;
	en->nprofiles = 0; /* the parent may be new too: send every profile again */
	en->ctl_valid = false;
	registry_foreach(en->reg, sync_one, &s);
	ret = s.err ? s.err : sync_flush(&s, true);
	free(s.msg);
	if (!ret)
		enforce_controllers(en); /* the parent may be new: its sets are replaced */
	return ret;
}

const char *enforce_profile_of(struct enforce *en, const struct hg_mac *mac)
{
	static char id[IPC_PROFILE_ID_LEN + 1];
	struct en_dev *d = dev_find(en, mac);

	if (!d || d->sent.profile != IPC_PROFILE_POLICY)
		return "";
	memcpy(id, d->sent.id, IPC_PROFILE_ID_LEN);
	id[IPC_PROFILE_ID_LEN] = 0;
	return id;
}
