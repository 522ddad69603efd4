/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Device registry: one record per device keyed by MAC, its lifecycle and the audit log (DESIGN §2). */
#include "engine/registry.h"

#include "core/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Memory is the working copy, the store the durable one. Every mutating call changes memory,
 * writes the change in one transaction and puts memory back when the transaction fails, so a
 * crash at any moment leaves the store at a call boundary and a reload gives the same registry.
 * last_seen times are the exception: they change on every packet, so they stay in memory
 * (seen_dirty) until registry_flush writes them in one batch.
 */

/* The statements the registry runs; prepared once, on first use, and kept. */
enum reg_sql {
	SQL_DEV_UPSERT,
	SQL_DEV_SEEN,
	SQL_DEV_DELETE,
	SQL_ADDR_CLEAR,
	SQL_ADDR_INSERT,
	SQL_ADDR_SEEN,
	SQL_ID_CLEAR,
	SQL_ID_INSERT,
	SQL_ID_SEEN,
	SQL_AUDIT_INSERT,
	SQL_AUDIT_SCRUB,
	SQL_COUNT,
};

static const char *const sql_text[SQL_COUNT] = {
	[SQL_DEV_UPSERT] =
		"INSERT INTO devices (mac, state, prev_state, hostname, mud_url,"
		" mud_source, vendor, model, category, confidence, first_seen,"
		" last_seen, online, mud_status, mud_reason, mud_hash, class_evidence,"
		" class_flag, wifi_assoc, wifi_ap, wifi_keyid, wifi_since)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT (mac) DO UPDATE SET state = excluded.state,"
		" prev_state = excluded.prev_state, hostname = excluded.hostname,"
		" mud_url = excluded.mud_url, mud_source = excluded.mud_source,"
		" vendor = excluded.vendor, model = excluded.model,"
		" category = excluded.category, confidence = excluded.confidence,"
		" last_seen = excluded.last_seen, online = excluded.online,"
		" mud_status = excluded.mud_status, mud_reason = excluded.mud_reason,"
		" mud_hash = excluded.mud_hash, class_evidence = excluded.class_evidence,"
		" class_flag = excluded.class_flag, wifi_assoc = excluded.wifi_assoc,"
		" wifi_ap = excluded.wifi_ap, wifi_keyid = excluded.wifi_keyid,"
		" wifi_since = excluded.wifi_since",
	[SQL_DEV_SEEN] = "UPDATE devices SET last_seen = ? WHERE mac = ?",
	[SQL_DEV_DELETE] = "DELETE FROM devices WHERE mac = ?",
	[SQL_ADDR_CLEAR] = "DELETE FROM addresses WHERE mac = ?",
	[SQL_ADDR_INSERT] = "INSERT INTO addresses (mac, family, addr, source, first_seen,"
			    " last_seen, expires) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[SQL_ADDR_SEEN] = "UPDATE addresses SET last_seen = ? WHERE mac = ? AND addr = ?",
	[SQL_ID_CLEAR] = "DELETE FROM identities WHERE mac = ?",
	[SQL_ID_INSERT] = "INSERT INTO identities (mac, kind, value, source, strength,"
			  " first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[SQL_ID_SEEN] = "UPDATE identities SET last_seen = ? WHERE mac = ? AND kind = ?"
			" AND value = ?",
	[SQL_AUDIT_INSERT] = "INSERT INTO audit (time, mac, who, action, from_state, to_state,"
			     " why, file_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	/* Deleting a device deletes its data (AC-45): the free text of its history goes, the
	 * bare trail (time, who, what, states) stays. */
	[SQL_AUDIT_SCRUB] = "UPDATE audit SET why = '', file_hash = '' WHERE mac = ?",
};

struct registry {
	struct store *store;
	unsigned max;
	/* Sorted by MAC: lookup by binary search, foreach in MAC order. Owns the devices. */
	struct device **devs;
	unsigned n, cap;
	sqlite3_stmt *stmts[SQL_COUNT];
	registry_state_cb observer;
	void *observer_arg;
};

/* Which parts of a record a change touched, i.e. what save() writes. */
enum {
	SAVE_DEV = 1U << 0,
	SAVE_ADDRS = 1U << 1,
	SAVE_IDS = 1U << 2,
	SAVE_ALL = SAVE_DEV | SAVE_ADDRS | SAVE_IDS,
};

static const char *const state_names[] = {
	[DEV_NEW] = "new",
	[DEV_PENDING] = "pending",
	[DEV_APPROVED] = "approved",
	[DEV_BLOCKED] = "blocked",
	[DEV_QUARANTINED] = "quarantined",
	[DEV_FORGOTTEN] = "forgotten",
};

/* allowed[from] is the set of states a user or rule may move a device to (DESIGN §2). Release
 * from quarantine is separate: it restores whatever state the device had before. */
#define S(x) (1U << (x))
static const unsigned allowed[] = {
	[DEV_NEW] = S(DEV_PENDING) | S(DEV_APPROVED) | S(DEV_BLOCKED) | S(DEV_QUARANTINED),
	[DEV_PENDING] = S(DEV_APPROVED) | S(DEV_BLOCKED) | S(DEV_QUARANTINED),
	[DEV_APPROVED] = S(DEV_QUARANTINED) | S(DEV_BLOCKED),
	[DEV_BLOCKED] = S(DEV_APPROVED) | S(DEV_PENDING),
	[DEV_QUARANTINED] = S(DEV_APPROVED) | S(DEV_BLOCKED),
	[DEV_FORGOTTEN] = 0,
};

const char *dev_state_name(enum dev_state s)
{
	if ((unsigned)s >= ARRAY_SIZE(state_names))
		return "?";
	return state_names[s];
}

int dev_state_parse(const char *s, enum dev_state *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(state_names); i++) {
		if (strcmp(s, state_names[i]) == 0) {
			*out = (enum dev_state)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int db_err(struct registry *reg, const char *what)
{
	log_warnx("registry=store op=%s error=\"%s\"", what, sqlite3_errmsg(store_db(reg->store)));
	return -EIO;
}

static sqlite3_stmt *stmt(struct registry *reg, enum reg_sql id)
{
	if (!reg->stmts[id] &&
		sqlite3_prepare_v3(store_db(reg->store), sql_text[id], -1,
			SQLITE_PREPARE_PERSISTENT, &reg->stmts[id], NULL) != SQLITE_OK) {
		db_err(reg, "prepare");
		reg->stmts[id] = NULL;
	}
	return reg->stmts[id];
}

/* Binds the list of values described by types ('t' text, 'i' int64_t, 'd' double) to
 * statement id and steps it once. Values are only ever bound, never formatted into SQL. */
static int run(struct registry *reg, enum reg_sql id, const char *types, ...)
{
	sqlite3_stmt *st = stmt(reg, id);
	va_list ap;
	int rc = SQLITE_OK, ret = 0;

	if (!st)
		return -EIO;
	va_start(ap, types);
	for (int i = 0; types[i] && rc == SQLITE_OK; i++) {
		switch (types[i]) {
		case 't':
			rc = sqlite3_bind_text(
				st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
			break;
		case 'i':
			rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
			break;
		case 'd':
			rc = sqlite3_bind_double(st, i + 1, va_arg(ap, double));
			break;
		default:
			rc = SQLITE_MISUSE;
			break;
		}
	}
	va_end(ap);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = db_err(reg, "step");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}

static int find(const struct registry *reg, const struct hg_mac *mac, bool *found)
{
	unsigned lo = 0, hi = reg->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		int c = memcmp(reg->devs[mid]->mac.b, mac->b, sizeof(mac->b));

		if (c == 0) {
			*found = true;
			return (int)mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return (int)lo;
}

static struct device *lookup(struct registry *reg, const struct hg_mac *mac)
{
	bool found;
	int pos = find(reg, mac, &found);

	return found ? reg->devs[pos] : NULL;
}

/* Makes room for one more device, so that inserting after a commit cannot fail. */
static int reserve(struct registry *reg)
{
	struct device **d;
	unsigned cap;

	if (reg->n < reg->cap)
		return 0;
	cap = reg->cap ? reg->cap * 2 : 64;
	if (cap < reg->cap)
		return -ENOMEM;
	d = reallocarray(reg->devs, cap, sizeof(*d));
	if (!d)
		return -ENOMEM;
	reg->devs = d;
	reg->cap = cap;
	return 0;
}

static void insert_at(struct registry *reg, int pos, struct device *dev)
{
	memmove(reg->devs + pos + 1, reg->devs + pos,
		(reg->n - (unsigned)pos) * sizeof(*reg->devs));
	reg->devs[pos] = dev;
	reg->n++;
}

static void addr_string(const struct hg_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family,
		    a->family == AF_INET ? (const void *)&a->v4 : (const void *)&a->v6, buf,
		    (socklen_t)len))
		util_strlcpy(buf, "", len);
}

static int addr_parse(int family, const char *s, struct hg_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (family != AF_INET && family != AF_INET6)
		return -EINVAL;
	out->family = family;
	return inet_pton(family, s, family == AF_INET ? (void *)&out->v4 : (void *)&out->v6) == 1
		? 0
		: -EINVAL;
}

/* One audit row; hash is the SHA-256 of the MUD file the decision was about ("" for none). */
static int audit_hash(struct registry *reg, const struct hg_mac *mac, const char *who,
	const char *action, const char *from, const char *to, const char *why, const char *hash)
{
	char m[HG_MAC_STRLEN], w[256];

	util_sanitize(w, sizeof(w), why ? why : "", why ? strlen(why) : 0);
	return run(reg, SQL_AUDIT_INSERT, "ittttttt", util_now(), util_mac_format(mac, m), who,
		action, from, to, w, hash);
}

static int audit(struct registry *reg, const struct hg_mac *mac, const char *who,
	const char *action, const char *from, const char *to, const char *why)
{
	return audit_hash(reg, mac, who, action, from, to, why, "");
}

/* Writes the parts of the record named by what inside the caller's transaction. Addresses and
 * identities are rewritten as a whole: at most a couple of dozen rows, and always equal to
 * memory after an eviction, in memory's order. */
static int save(struct registry *reg, const struct device *d, unsigned what)
{
	char m[HG_MAC_STRLEN], a[INET6_ADDRSTRLEN];
	int ret = 0;

	util_mac_format(&d->mac, m);
	if (what & SAVE_DEV)
		ret = run(reg, SQL_DEV_UPSERT, "tttttitttdiiitttttitti", m,
			dev_state_name(d->state), dev_state_name(d->prev_state), d->hostname,
			d->mud_url, (int64_t)d->mud_source, d->vendor, d->model, d->category,
			d->confidence, d->first_seen, d->last_seen, (int64_t)d->online,
			d->mud_status, d->mud_reason, d->mud_hash, d->evidence, d->class_flag,
			(int64_t)d->wifi_assoc, d->wifi_ap, d->wifi_keyid, d->wifi_since);
	if (!ret && (what & SAVE_ADDRS)) {
		ret = run(reg, SQL_ADDR_CLEAR, "t", m);
		for (unsigned i = 0; !ret && i < d->naddrs; i++) {
			const struct dev_addr *x = &d->addrs[i];

			addr_string(&x->addr, a, sizeof(a));
			ret = run(reg, SQL_ADDR_INSERT, "titiiii", m, (int64_t)x->addr.family, a,
				(int64_t)x->source, x->first_seen, x->last_seen, x->expires);
		}
	}
	if (!ret && (what & SAVE_IDS)) {
		ret = run(reg, SQL_ID_CLEAR, "t", m);
		for (unsigned i = 0; !ret && i < d->nids; i++) {
			const struct dev_identity *x = &d->ids[i];

			ret = run(reg, SQL_ID_INSERT, "tttiiii", m, x->kind, x->value,
				(int64_t)x->source, (int64_t)x->strength, x->first_seen,
				x->last_seen);
		}
	}
	return ret;
}

static const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

/* Row loaders for the per-device tables: column 0 is the MAC, the rest is the loader's. */
static void load_addr(struct device *d, sqlite3_stmt *st)
{
	struct dev_addr *x;

	if (d->naddrs >= DEV_MAX_ADDRS)
		return;
	x = &d->addrs[d->naddrs];
	if (addr_parse(sqlite3_column_int(st, 1), col(st, 2), &x->addr) < 0)
		return;
	x->source = (enum hg_source)sqlite3_column_int(st, 3);
	x->first_seen = sqlite3_column_int64(st, 4);
	x->last_seen = sqlite3_column_int64(st, 5);
	x->expires = sqlite3_column_int64(st, 6);
	d->naddrs++;
}

static void load_identity(struct device *d, sqlite3_stmt *st)
{
	struct dev_identity *x;

	if (d->nids >= DEV_MAX_IDENTITIES)
		return;
	x = &d->ids[d->nids];
	util_strlcpy(x->kind, col(st, 1), sizeof(x->kind));
	util_strlcpy(x->value, col(st, 2), sizeof(x->value));
	x->source = (enum hg_source)sqlite3_column_int(st, 3);
	x->strength = (enum hg_strength)sqlite3_column_int(st, 4);
	x->first_seen = sqlite3_column_int64(st, 5);
	x->last_seen = sqlite3_column_int64(st, 6);
	d->nids++;
}

static int load_rows(
	struct registry *reg, const char *sql, void (*row)(struct device *d, sqlite3_stmt *st))
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(reg->store), sql, -1, &st, NULL) != SQLITE_OK)
		return db_err(reg, "load");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct hg_mac mac;
		struct device *d;

		if (util_mac_parse(col(st, 0), &mac) == 0 && (d = lookup(reg, &mac)))
			row(d, st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_err(reg, "load");
}

/* One devices row into a new record; NULL (and a log line) for a row this build cannot read. */
static struct device *load_device(sqlite3_stmt *st, int *err)
{
	struct device *d = calloc(1, sizeof(*d));
	enum dev_state s, p;

	*err = 0;
	if (!d) {
		*err = -ENOMEM;
		return NULL;
	}
	if (util_mac_parse(col(st, 0), &d->mac) < 0 || dev_state_parse(col(st, 1), &s) < 0 ||
		dev_state_parse(col(st, 2), &p) < 0 || s == DEV_FORGOTTEN) {
		char m[HG_MAC_STRLEN * 2];

		util_sanitize(m, sizeof(m), col(st, 0), strlen(col(st, 0)));
		log_warnx("registry=load mac=\"%s\" error=\"unreadable row skipped\"", m);
		free(d);
		return NULL;
	}
	d->state = s;
	d->prev_state = p;
	util_strlcpy(d->hostname, col(st, 3), sizeof(d->hostname));
	util_strlcpy(d->mud_url, col(st, 4), sizeof(d->mud_url));
	d->mud_source = (enum hg_source)sqlite3_column_int(st, 5);
	util_strlcpy(d->vendor, col(st, 6), sizeof(d->vendor));
	util_strlcpy(d->model, col(st, 7), sizeof(d->model));
	util_strlcpy(d->category, col(st, 8), sizeof(d->category));
	d->confidence = sqlite3_column_double(st, 9);
	d->first_seen = sqlite3_column_int64(st, 10);
	d->last_seen = sqlite3_column_int64(st, 11);
	d->online = sqlite3_column_int(st, 12) != 0;
	util_strlcpy(d->mud_status, col(st, 13), sizeof(d->mud_status));
	util_strlcpy(d->mud_reason, col(st, 14), sizeof(d->mud_reason));
	util_strlcpy(d->mud_hash, col(st, 15), sizeof(d->mud_hash));
	util_strlcpy(d->evidence, col(st, 16), sizeof(d->evidence));
	util_strlcpy(d->class_flag, col(st, 17), sizeof(d->class_flag));
	d->wifi_assoc = sqlite3_column_int(st, 18) != 0;
	util_strlcpy(d->wifi_ap, col(st, 19), sizeof(d->wifi_ap));
	util_strlcpy(d->wifi_keyid, col(st, 20), sizeof(d->wifi_keyid));
	d->wifi_since = sqlite3_column_int64(st, 21);
	return d;
}

static int load(struct registry *reg)
{
	sqlite3_stmt *st = NULL;
	int rc, ret = 0;

	/* Rows arrive in MAC order (we store lower-case colon form), so each insert appends. */
	if (sqlite3_prepare_v2(store_db(reg->store),
		    "SELECT mac, state, prev_state, hostname, mud_url, mud_source, vendor, model,"
		    " category, confidence, first_seen, last_seen, online, mud_status,"
		    " mud_reason, mud_hash, class_evidence, class_flag, wifi_assoc, wifi_ap,"
		    " wifi_keyid, wifi_since FROM devices"
		    " ORDER BY mac",
		    -1, &st, NULL) != SQLITE_OK)
		return db_err(reg, "load");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct device *d = load_device(st, &ret);
		bool found;
		int pos;

		if (ret)
			goto out;
		if (!d)
			continue;
		pos = find(reg, &d->mac, &found);
		ret = found ? 0 : reserve(reg);
		if (ret || found) {
			free(d);
			if (ret)
				goto out;
			continue;
		}
		insert_at(reg, pos, d);
	}
	if (rc != SQLITE_DONE) {
		ret = db_err(reg, "load");
		goto out;
	}
	ret = load_rows(reg,
		"SELECT mac, family, addr, source, first_seen, last_seen, expires FROM addresses"
		" ORDER BY rowid",
		load_addr);
	if (!ret)
		ret = load_rows(reg,
			"SELECT mac, kind, value, source, strength, first_seen, last_seen"
			" FROM identities ORDER BY rowid",
			load_identity);
out:
	sqlite3_finalize(st);
	return ret;
}

int registry_open(struct store *st, unsigned max_devices, struct registry **out)
{
	struct registry *reg;
	int ret;

	*out = NULL;
	reg = calloc(1, sizeof(*reg));
	if (!reg)
		return -ENOMEM;
	reg->store = st;
	reg->max = max_devices;
	ret = load(reg);
	if (ret) {
		registry_close(reg);
		return ret;
	}
	if (reg->n > reg->max)
		log_warnx("registry=open devices=%u max_devices=%u error=\"over the limit: no new "
			  "device will be added\"",
			reg->n, reg->max);
	log_info("registry=open devices=%u", reg->n);
	*out = reg;
	return 0;
}

void registry_close(struct registry *reg)
{
	if (!reg)
		return;
	for (unsigned i = 0; i < SQL_COUNT; i++)
		sqlite3_finalize(reg->stmts[i]);
	for (unsigned i = 0; i < reg->n; i++)
		free(reg->devs[i]);
	free(reg->devs);
	free(reg);
}

void registry_set_observer(struct registry *reg, registry_state_cb cb, void *arg)
{
	reg->observer = cb;
	reg->observer_arg = arg;
}

static bool who_ok(const char *who)
{
	size_t n = 0;

	if (!who)
		return false;
	for (; who[n]; n++) {
		char c = who[n];

		if (n >= 32 ||
			!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' ||
				c == '_' || c == '.' || c == '-'))
			return false;
	}
	return n > 0;
}

/* A device MAC: unicast and not all zero. */
static bool mac_ok(const struct hg_mac *mac)
{
	static const struct hg_mac zero;

	return !(mac->b[0] & 1) && !util_mac_equal(mac, &zero);
}

static bool source_ok(enum hg_source src)
{
	return src >= HG_SRC_DNSMASQ && src <= HG_SRC_HOSTAPD;
}

/* Merges an address seen at now. With set_expires the address's lease end and source become
 * expires and src; without (a sighting, not a lease), a known address only gets last_seen.
 * Returns true when the stored record changes. */
static bool merge_addr(struct device *d, const struct hg_addr *a, enum hg_source src, int64_t now,
	bool set_expires, int64_t expires)
{
	size_t alen = a->family == AF_INET ? sizeof(a->v4) : sizeof(a->v6);
	struct dev_addr *x = NULL;

	if (a->family != AF_INET && a->family != AF_INET6)
		return false;
	for (unsigned i = 0; i < d->naddrs && !x; i++)
		if (d->addrs[i].addr.family == a->family &&
			memcmp(&d->addrs[i].addr.v6, &a->v6, alen) == 0)
			x = &d->addrs[i];
	if (x) {
		if (now > x->last_seen)
			x->last_seen = now;
		if (!set_expires || (x->expires == expires && x->source == src))
			return false;
		x->expires = expires;
		x->source = src;
		return true;
	}
	if (d->naddrs == DEV_MAX_ADDRS) {
		unsigned old = 0;

		for (unsigned i = 1; i < d->naddrs; i++)
			if (d->addrs[i].last_seen < d->addrs[old].last_seen)
				old = i;
		d->addrs[old] = d->addrs[--d->naddrs];
	}
	x = &d->addrs[d->naddrs++];
	memset(x, 0, sizeof(*x));
	x->addr.family = a->family;
	memcpy(&x->addr.v6, &a->v6, alen);
	x->source = src;
	x->first_seen = x->last_seen = now;
	x->expires = set_expires ? expires : 0;
	return true;
}

/* Merges an identity claim; raw is a field of an event (len bytes, maybe unterminated). */
static bool merge_id(struct device *d, const char *kind, const char *raw, size_t len,
	enum hg_source src, int64_t now)
{
	char value[sizeof(d->ids[0].value)];
	struct dev_identity *x;

	util_sanitize(value, sizeof(value), raw, strnlen(raw, len));
	if (!value[0])
		return false;
	for (unsigned i = 0; i < d->nids; i++) {
		x = &d->ids[i];
		if (strcmp(x->kind, kind) == 0 && strcmp(x->value, value) == 0) {
			if (now > x->last_seen)
				x->last_seen = now;
			return false;
		}
	}
	if (d->nids == DEV_MAX_IDENTITIES) {
		unsigned old = 0;

		for (unsigned i = 1; i < d->nids; i++)
			if (d->ids[i].last_seen < d->ids[old].last_seen)
				old = i;
		d->ids[old] = d->ids[--d->nids];
	}
	x = &d->ids[d->nids++];
	memset(x, 0, sizeof(*x));
	util_strlcpy(x->kind, kind, sizeof(x->kind));
	util_strlcpy(x->value, value, sizeof(x->value));
	x->source = src;
	x->strength = hg_source_strength(src);
	x->first_seen = x->last_seen = now;
	return true;
}

static const struct hg_mac *event_mac(const struct hg_event *ev)
{
	switch (ev->type) {
	case HG_EV_DEV_SEEN:
		return &ev->dev_seen.mac;
	case HG_EV_DHCP_LEASE:
		return &ev->lease.mac;
	case HG_EV_MUD_URL:
		return &ev->mud_url.mac;
	case HG_EV_SIGNAL:
		return &ev->signal.mac;
	case HG_EV_WIFI:
		return &ev->wifi.mac;
	}
	return NULL;
}

static bool wifi_ok(const struct hg_event_wifi *w)
{
	size_t n = strnlen(w->ap, sizeof(w->ap));

	if (n == 0 || n == sizeof(w->ap) || !memchr(w->keyid, 0, sizeof(w->keyid)) ||
		!util_is_printable(w->keyid, sizeof(w->keyid)) || strchr(w->keyid, ' '))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = w->ap[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

/* Merges a Wi-Fi join or leave into d; true when the association changed. */
static bool apply_wifi(struct device *d, const struct hg_event *ev)
{
	const struct hg_event_wifi *w = &ev->wifi;

	if (w->joined) {
		if (d->wifi_assoc && !strcmp(d->wifi_ap, w->ap) && !strcmp(d->wifi_keyid, w->keyid))
			return false;
		d->wifi_assoc = true;
		util_strlcpy(d->wifi_ap, w->ap, sizeof(d->wifi_ap));
		util_strlcpy(d->wifi_keyid, w->keyid, sizeof(d->wifi_keyid));
	} else {
		/* Another AP's leave after a roam to this one is not this association's end. */
		if (!d->wifi_assoc || strcmp(d->wifi_ap, w->ap) != 0)
			return false;
		d->wifi_assoc = false;
	}
	d->wifi_since = ev->time;
	return true;
}

/* Merges a lease into d; returns the SAVE_* parts that changed. */
static unsigned apply_lease(struct device *d, const struct hg_event *ev)
{
	const struct hg_event_dhcp_lease *l = &ev->lease;
	unsigned ch = 0;

	if (l->op == HG_LEASE_DEL) {
		/* Released or expired: the address stays on record, ending now. */
		if (merge_addr(d, &l->addr, ev->source, ev->time, true, ev->time))
			ch |= SAVE_ADDRS;
		if (d->online)
			ch |= SAVE_DEV;
		d->online = false;
		return ch;
	}
	if (!d->online)
		ch |= SAVE_DEV;
	d->online = true;
	if (merge_addr(d, &l->addr, ev->source, ev->time, true,
		    (l->flags & HG_LEASE_HAS_EXPIRES) ? l->expires : 0))
		ch |= SAVE_ADDRS;
	if (l->flags & HG_LEASE_HAS_HOSTNAME) {
		char h[sizeof(d->hostname)];

		util_sanitize(h, sizeof(h), l->hostname, strnlen(l->hostname, sizeof(l->hostname)));
		if (h[0] && strcmp(h, d->hostname) != 0) {
			util_strlcpy(d->hostname, h, sizeof(d->hostname));
			ch |= SAVE_DEV;
		}
		if (merge_id(d, "hostname", l->hostname, sizeof(l->hostname), ev->source, ev->time))
			ch |= SAVE_IDS;
	}
	if ((l->flags & HG_LEASE_HAS_VENDOR) &&
		merge_id(d, "vendor_class", l->vendor_class, sizeof(l->vendor_class), ev->source,
			ev->time))
		ch |= SAVE_IDS;
	if ((l->flags & HG_LEASE_HAS_OPTIONS) &&
		merge_id(d, "dhcp_options", l->requested_options, sizeof(l->requested_options),
			ev->source, ev->time))
		ch |= SAVE_IDS;
	/* A claim, kept as evidence; only a validated URL becomes the device's (HG_EV_MUD_URL). */
	if ((l->flags & HG_LEASE_HAS_MUD_URL) &&
		merge_id(d, "mud_url", l->mud_url, sizeof(l->mud_url), ev->source, ev->time))
		ch |= SAVE_IDS;
	return ch;
}

static int event_ok(const struct hg_event *ev)
{
	const struct hg_mac *mac = event_mac(ev);

	if (!mac || !mac_ok(mac) || !source_ok(ev->source))
		return -EINVAL;
	if (ev->type == HG_EV_DHCP_LEASE &&
		(ev->lease.op < HG_LEASE_ADD || ev->lease.op > HG_LEASE_DEL))
		return -EINVAL;
	if (ev->type == HG_EV_MUD_URL && !ev->mud_url.url[0])
		return -EINVAL;
	if (ev->type == HG_EV_WIFI && !wifi_ok(&ev->wifi))
		return -EINVAL;
	return 0;
}

int registry_apply_event(struct registry *reg, const struct hg_event *ev)
{
	const struct hg_mac *mac = event_mac(ev);
	char who[32], m[HG_MAC_STRLEN];
	struct device *d, before;
	bool found, created = false, mud_changed = false, wifi_changed = false;
	unsigned ch = 0;
	int pos, ret;

	ret = event_ok(ev);
	if (ret)
		return ret;
	pos = find(reg, mac, &found);
	if (found) {
		d = reg->devs[pos];
	} else if (ev->type == HG_EV_WIFI && !ev->wifi.joined) {
		return 0; /* the end of an association we never saw: nothing to record */
	} else {
		if (reg->n >= reg->max)
			return -ENOSPC;
		ret = reserve(reg);
		if (ret)
			return ret;
		d = calloc(1, sizeof(*d));
		if (!d)
			return -ENOMEM;
		d->mac = *mac;
		d->state = d->prev_state = DEV_NEW;
		d->first_seen = d->last_seen = ev->time;
		created = true;
		ch = SAVE_ALL;
	}
	before = *d;
	if (ev->time > d->last_seen)
		d->last_seen = ev->time;
	/* Some last_seen (device, address or claim) moved; registry_flush writes them. */
	d->seen_dirty = true;

	switch (ev->type) {
	case HG_EV_DEV_SEEN:
		if (merge_addr(d, &ev->dev_seen.addr, ev->source, ev->time, false, 0))
			ch |= SAVE_ADDRS;
		break;
	case HG_EV_DHCP_LEASE:
		ch |= apply_lease(d, ev);
		break;
	case HG_EV_MUD_URL: {
		char u[sizeof(d->mud_url)];

		util_sanitize(u, sizeof(u), ev->mud_url.url,
			strnlen(ev->mud_url.url, sizeof(ev->mud_url.url)));
		/* The same URL from another source of no greater strength (a DHCP packet seen
		 * by the sensor and then reported by dnsmasq) changes nothing: no audit churn. */
		if (strcmp(u, d->mud_url) != 0 ||
			hg_source_strength(ev->source) > hg_source_strength(d->mud_source)) {
			util_strlcpy(d->mud_url, u, sizeof(d->mud_url));
			d->mud_source = ev->source;
			mud_changed = true;
			ch |= SAVE_DEV;
		}
		break;
	}
	case HG_EV_SIGNAL:
		/* A signal says the device is there; what it means is the identifier's. */
		break;
	case HG_EV_WIFI:
		wifi_changed = apply_wifi(d, ev);
		if (wifi_changed)
			ch |= SAVE_DEV;
		break;
	}
	if (!ch)
		return 0;

	/* The device row carries last_seen and every other field: write it with any change. */
	ch |= SAVE_DEV;
	snprintf(who, sizeof(who), "rule:%s", hg_source_name(ev->source));
	ret = store_begin(reg->store);
	if (ret)
		goto fail;
	ret = save(reg, d, ch);
	if (!ret && created)
		ret = audit(reg, mac, who, "create", "", dev_state_name(DEV_NEW), "first seen");
	if (!ret && mud_changed)
		ret = audit(reg, mac, who, "mud_url", "", "", d->mud_url);
	if (!ret && wifi_changed) {
		char why[80];

		snprintf(why, sizeof(why), "ap=%s%s%s", d->wifi_ap,
			d->wifi_keyid[0] ? " keyid=" : "", d->wifi_keyid);
		ret = audit(reg, mac, who, d->wifi_assoc ? "wifi_join" : "wifi_leave", "", "", why);
	}
	if (ret) {
		store_rollback(reg->store);
		goto fail;
	}
	ret = store_commit(reg->store);
	if (ret)
		goto fail;
	/* Every last_seen went out with the record. */
	if (ch == SAVE_ALL)
		d->seen_dirty = false;
	util_mac_format(mac, m);
	if (created) {
		insert_at(reg, pos, d);
		log_info("dev=%s action=create source=%s", m, hg_source_name(ev->source));
		if (reg->observer)
			reg->observer(mac, DEV_NEW, DEV_NEW, reg->observer_arg);
	}
	if (mud_changed)
		log_info("dev=%s action=mud_url source=%s", m, hg_source_name(ev->source));
	if (wifi_changed)
		log_info("dev=%s action=%s ap=%s keyid=%s", m,
			d->wifi_assoc ? "wifi_join" : "wifi_leave", d->wifi_ap,
			d->wifi_keyid[0] ? d->wifi_keyid : "-");
	/* New addresses move the device's entries toward it (from == to: no transition). */
	if (!created && (ch & SAVE_ADDRS) && reg->observer)
		reg->observer(mac, d->state, d->state, reg->observer_arg);
	return 0;
fail:
	if (created)
		free(d);
	else
		*d = before;
	return ret;
}

static int transition(
	struct registry *reg, struct device *d, enum dev_state to, const struct reg_actor *actor)
{
	enum dev_state from = d->state, prev = d->prev_state;
	char m[HG_MAC_STRLEN];
	int ret;

	if (to == DEV_QUARANTINED)
		d->prev_state = from;
	d->state = to;
	ret = store_begin(reg->store);
	if (ret)
		goto out;
	ret = save(reg, d, SAVE_DEV);
	if (!ret)
		ret = audit_hash(reg, &d->mac, actor->who, "state", dev_state_name(from),
			dev_state_name(to), actor->why, d->mud_hash);
	if (ret)
		store_rollback(reg->store);
	else
		ret = store_commit(reg->store);
out:
	if (ret) {
		d->state = from;
		d->prev_state = prev;
		return ret;
	}
	log_info("dev=%s action=state from=%s to=%s who=%s", util_mac_format(&d->mac, m),
		dev_state_name(from), dev_state_name(to), actor->who);
	if (reg->observer)
		reg->observer(&d->mac, from, to, reg->observer_arg);
	return 0;
}

int registry_set_state(struct registry *reg, const struct hg_mac *mac, enum dev_state to,
	const struct reg_actor *actor)
{
	struct device *d;

	if (!actor || !who_ok(actor->who))
		return -EINVAL;
	if ((unsigned)to >= ARRAY_SIZE(allowed) || to == DEV_FORGOTTEN)
		return -EINVAL; /* forgetting is registry_forget */
	d = lookup(reg, mac);
	if (!d)
		return -ENOENT;
	if (d->state == to)
		return -EALREADY;
	if (!(allowed[d->state] & S(to)))
		return -EINVAL;
	return transition(reg, d, to, actor);
}

int registry_release(struct registry *reg, const struct hg_mac *mac, const struct reg_actor *actor)
{
	struct device *d;
	enum dev_state to;

	if (!actor || !who_ok(actor->who))
		return -EINVAL;
	d = lookup(reg, mac);
	if (!d)
		return -ENOENT;
	if (d->state != DEV_QUARANTINED)
		return -EINVAL;
	to = d->prev_state;
	if (to == DEV_QUARANTINED || to == DEV_FORGOTTEN)
		to = DEV_PENDING; /* cannot happen through this API; never stay stuck */
	return transition(reg, d, to, actor);
}

int registry_forget(struct registry *reg, const struct hg_mac *mac, const struct reg_actor *actor)
{
	char m[HG_MAC_STRLEN];
	struct hg_mac key;
	struct device *d;
	enum dev_state from;
	bool found;
	int pos, ret;

	if (!actor || !who_ok(actor->who))
		return -EINVAL;
	key = *mac; /* mac may point into the record freed below */
	pos = find(reg, &key, &found);
	if (!found)
		return -ENOENT;
	d = reg->devs[pos];
	from = d->state;
	util_mac_format(&key, m);
	ret = store_begin(reg->store);
	if (ret)
		return ret;
	/* addresses and identities go with the device row (ON DELETE CASCADE). */
	ret = run(reg, SQL_DEV_DELETE, "t", m);
	if (!ret)
		ret = run(reg, SQL_AUDIT_SCRUB, "t", m);
	if (!ret)
		ret = audit(reg, &key, actor->who, "forget", dev_state_name(from),
			dev_state_name(DEV_FORGOTTEN), actor->why);
	if (ret) {
		store_rollback(reg->store);
		return ret;
	}
	ret = store_commit(reg->store);
	if (ret)
		return ret;
	memmove(reg->devs + pos, reg->devs + pos + 1,
		(reg->n - (unsigned)pos - 1) * sizeof(*reg->devs));
	reg->n--;
	free(d);
	log_info("dev=%s action=forget from=%s who=%s", m, dev_state_name(from), actor->who);
	if (reg->observer)
		reg->observer(&key, from, DEV_FORGOTTEN, reg->observer_arg);
	return 0;
}

static bool status_ok(const char *s)
{
	size_t n = strlen(s);

	if (n >= sizeof(((struct device *)0)->mud_status))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
			return false;
	return true;
}

static bool hash_ok(const char *h)
{
	size_t n = strlen(h);

	if (n != 0 && n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
			return false;
	return true;
}

int registry_set_mud(struct registry *reg, const struct hg_mac *mac, const char *status,
	const char *reason, const char *hash, const struct reg_actor *actor)
{
	struct device *d, before;
	char r[sizeof(d->mud_reason)], why[sizeof(r) + 20];
	bool audited;
	int ret;

	if (!actor || !who_ok(actor->who) || !status || !status_ok(status) || !hash ||
		!hash_ok(hash))
		return -EINVAL;
	d = lookup(reg, mac);
	if (!d)
		return -ENOENT;
	util_sanitize(r, sizeof(r), reason ? reason : "", reason ? strlen(reason) : 0);
	audited = strcmp(d->mud_status, status) != 0 || strcmp(d->mud_hash, hash) != 0;
	if (!audited && strcmp(d->mud_reason, r) == 0)
		return 0;
	before = *d;
	util_strlcpy(d->mud_status, status, sizeof(d->mud_status));
	util_strlcpy(d->mud_reason, r, sizeof(d->mud_reason));
	util_strlcpy(d->mud_hash, hash, sizeof(d->mud_hash));
	ret = store_begin(reg->store);
	if (ret)
		goto fail;
	ret = save(reg, d, SAVE_DEV);
	if (!ret && audited) {
		snprintf(why, sizeof(why), "%s%s%s", status, r[0] ? ": " : "", r);
		ret = audit_hash(reg, mac, actor->who, "mud", "", "", why, hash);
	}
	if (ret) {
		store_rollback(reg->store);
		goto fail;
	}
	ret = store_commit(reg->store);
	if (ret)
		goto fail;
	if (audited) {
		char m[HG_MAC_STRLEN];

		log_info("dev=%s action=mud status=%s hash=%.12s who=%s", util_mac_format(mac, m),
			status, hash, actor->who);
		/* What the device may do can follow from its MUD file (from == to). */
		if (reg->observer)
			reg->observer(mac, d->state, d->state, reg->observer_arg);
	}
	return 0;
fail:
	*d = before;
	return ret;
}

int registry_set_class(struct registry *reg, const struct hg_mac *mac, const char *vendor,
	const char *model, const char *category, double confidence, const char *evidence,
	const char *flag, const struct reg_actor *actor)
{
	struct device *d, before;
	char v[sizeof(d->vendor)], mo[sizeof(d->model)], c[sizeof(d->category)];
	char f[sizeof(d->class_flag)], why[sizeof(v) + sizeof(mo) + sizeof(c) + sizeof(f) + 16];
	bool audited;
	int ret;

	if (!actor || !who_ok(actor->who) || !vendor || !model || !category || !evidence || !flag ||
		!(confidence >= 0 && confidence <= 1) || strlen(evidence) >= sizeof(d->evidence))
		return -EINVAL;
	d = lookup(reg, mac);
	if (!d)
		return -ENOENT;
	util_sanitize(v, sizeof(v), vendor, strlen(vendor));
	util_sanitize(mo, sizeof(mo), model, strlen(model));
	util_sanitize(c, sizeof(c), category, strlen(category));
	util_sanitize(f, sizeof(f), flag, strlen(flag));
	audited = strcmp(d->vendor, v) != 0 || strcmp(d->model, mo) != 0 ||
		strcmp(d->category, c) != 0 || strcmp(d->class_flag, f) != 0;
	if (!audited && d->confidence == confidence && strcmp(d->evidence, evidence) == 0)
		return 0;
	before = *d;
	util_strlcpy(d->vendor, v, sizeof(d->vendor));
	util_strlcpy(d->model, mo, sizeof(d->model));
	util_strlcpy(d->category, c, sizeof(d->category));
	util_strlcpy(d->class_flag, f, sizeof(d->class_flag));
	util_strlcpy(d->evidence, evidence, sizeof(d->evidence));
	d->confidence = confidence;
	ret = store_begin(reg->store);
	if (ret)
		goto fail;
	ret = save(reg, d, SAVE_DEV);
	if (!ret && audited) {
		snprintf(why, sizeof(why), "%s / %s / %s (%.2f)%s%s", v, mo, c, confidence,
			f[0] ? "; " : "", f);
		ret = audit(reg, mac, actor->who, "class", "", "", why);
	}
	if (ret) {
		store_rollback(reg->store);
		goto fail;
	}
	ret = store_commit(reg->store);
	if (ret)
		goto fail;
	if (audited) {
		char m[HG_MAC_STRLEN];

		log_info("dev=%s action=class vendor=\"%s\" model=\"%s\" category=%s "
			 "confidence=%.2f%s%s%s",
			util_mac_format(mac, m), v, mo, c, confidence, f[0] ? " flag=\"" : "", f,
			f[0] ? "\"" : "");
	}
	return 0;
fail:
	*d = before;
	return ret;
}

const struct device *registry_get(struct registry *reg, const struct hg_mac *mac)
{
	return lookup(reg, mac);
}

unsigned registry_count(struct registry *reg)
{
	return reg->n;
}

int registry_foreach(
	struct registry *reg, int (*cb)(const struct device *dev, void *arg), void *arg)
{
	for (unsigned i = 0; i < reg->n; i++) {
		int ret = cb(reg->devs[i], arg);

		if (ret)
			return ret;
	}
	return 0;
}

/* The last_seen times of one record: the device row, its addresses and identity claims. */
static int flush_one(struct registry *reg, const struct device *d)
{
	char m[HG_MAC_STRLEN], a[INET6_ADDRSTRLEN];
	int ret;

	util_mac_format(&d->mac, m);
	ret = run(reg, SQL_DEV_SEEN, "it", d->last_seen, m);
	for (unsigned i = 0; !ret && i < d->naddrs; i++) {
		addr_string(&d->addrs[i].addr, a, sizeof(a));
		ret = run(reg, SQL_ADDR_SEEN, "itt", d->addrs[i].last_seen, m, a);
	}
	for (unsigned i = 0; !ret && i < d->nids; i++)
		ret = run(reg, SQL_ID_SEEN, "ittt", d->ids[i].last_seen, m, d->ids[i].kind,
			d->ids[i].value);
	return ret;
}

int registry_flush(struct registry *reg)
{
	unsigned n = 0;
	int ret;

	for (unsigned i = 0; i < reg->n; i++)
		n += reg->devs[i]->seen_dirty;
	if (!n)
		return 0;
	ret = store_begin(reg->store);
	if (ret)
		return ret;
	for (unsigned i = 0; !ret && i < reg->n; i++)
		if (reg->devs[i]->seen_dirty)
			ret = flush_one(reg, reg->devs[i]);
	if (ret) {
		store_rollback(reg->store);
		return ret;
	}
	ret = store_commit(reg->store);
	if (ret)
		return ret;
	for (unsigned i = 0; i < reg->n; i++)
		reg->devs[i]->seen_dirty = false;
	log_debug("registry=flush devices=%u", n);
	return 0;
}

int registry_audit_foreach(struct registry *reg, const struct hg_mac *mac, unsigned limit,
	int (*cb)(const struct audit_entry *e, void *arg), void *arg)
{
	sqlite3_stmt *st = NULL;
	char m[HG_MAC_STRLEN];
	int rc, ret = 0;

	/* Its own statement, not a cached one: cb may call back into the registry. */
	if (sqlite3_prepare_v2(store_db(reg->store),
		    "SELECT id, time, mac, who, action, from_state, to_state, why, file_hash"
		    " FROM audit WHERE (?1 IS NULL OR mac = ?1) ORDER BY id DESC LIMIT ?2",
		    -1, &st, NULL) != SQLITE_OK)
		return db_err(reg, "audit");
	if (mac)
		sqlite3_bind_text(st, 1, util_mac_format(mac, m), -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int64(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_entry e;

		memset(&e, 0, sizeof(e));
		e.id = sqlite3_column_int64(st, 0);
		e.time = sqlite3_column_int64(st, 1);
		util_strlcpy(e.mac, col(st, 2), sizeof(e.mac));
		util_strlcpy(e.who, col(st, 3), sizeof(e.who));
		util_strlcpy(e.action, col(st, 4), sizeof(e.action));
		util_strlcpy(e.from_state, col(st, 5), sizeof(e.from_state));
		util_strlcpy(e.to_state, col(st, 6), sizeof(e.to_state));
		util_strlcpy(e.why, col(st, 7), sizeof(e.why));
		util_strlcpy(e.file_hash, col(st, 8), sizeof(e.file_hash));
		ret = cb(&e, arg);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = db_err(reg, "audit");
	sqlite3_finalize(st);
	return ret;
}

int registry_audit_note(struct registry *reg, const struct hg_mac *mac, const char *who,
	const char *action, const char *why)
{
	char m[HG_MAC_STRLEN] = "", w[256];

	if (mac)
		util_mac_format(mac, m);
	util_sanitize(w, sizeof(w), why ? why : "", why ? strlen(why) : 0);
	return run(reg, SQL_AUDIT_INSERT, "ittttttt", util_now(), m, who, action, "", "", w, "");
}
