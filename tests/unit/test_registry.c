/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the device registry: facts, lifecycle, audit, forget, restart, crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "core/store.h"
#include "engine/registry.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXDEV 100

struct fx {
	char dir[64], path[96];
	struct store *st;
	struct registry *reg;
	int notified;
	enum dev_state last_from, last_to;
	struct hg_mac last_mac;
};

static const struct reg_actor user = {.who = "user:test", .why = "because"};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/hg-reg.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/homegate.db", f->dir);
	if (store_open(f->path, &f->st) || registry_open(f->st, MAXDEV, &f->reg))
		return -1;
	*state = f;
	return 0;
}

static int rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	int ret;

	registry_close(f->reg);
	store_close(f->st);
	ret = nftw(f->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return ret;
}

static void reopen_max(struct fx *f, unsigned max)
{
	registry_close(f->reg);
	store_close(f->st);
	f->reg = NULL;
	f->st = NULL;
	assert_int_equal(store_open(f->path, &f->st), 0);
	assert_int_equal(store_check(f->st), 0);
	assert_int_equal(registry_open(f->st, max, &f->reg), 0);
}

static void reopen(struct fx *f)
{
	reopen_max(f, MAXDEV);
}

static struct hg_mac mac_of(const char *s)
{
	struct hg_mac m;

	assert_int_equal(util_mac_parse(s, &m), 0);
	return m;
}

static struct hg_event lease(const char *mac, const char *ip, const char *host, int64_t t)
{
	struct hg_event ev = {.type = HG_EV_DHCP_LEASE, .source = HG_SRC_DNSMASQ, .time = t};

	ev.lease.op = HG_LEASE_ADD;
	ev.lease.mac = mac_of(mac);
	ev.lease.addr.family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, ip, &ev.lease.addr.v4), 1);
	if (host) {
		util_strlcpy(ev.lease.hostname, host, sizeof(ev.lease.hostname));
		ev.lease.flags |= HG_LEASE_HAS_HOSTNAME;
	}
	ev.lease.expires = t + 3600;
	ev.lease.flags |= HG_LEASE_HAS_EXPIRES;
	return ev;
}

static struct hg_event seen(const char *mac, int family, const char *ip, int64_t t)
{
	struct hg_event ev = {.type = HG_EV_DEV_SEEN, .source = HG_SRC_DHCP, .time = t};

	ev.dev_seen.mac = mac_of(mac);
	if (ip) {
		ev.dev_seen.addr.family = family;
		assert_int_equal(inet_pton(family, ip, &ev.dev_seen.addr.v6), 1);
	}
	return ev;
}

static struct hg_event mud(const char *mac, const char *url, enum hg_source src, int64_t t)
{
	struct hg_event ev = {.type = HG_EV_MUD_URL, .source = src, .time = t};

	ev.mud_url.mac = mac_of(mac);
	util_strlcpy(ev.mud_url.url, url, sizeof(ev.mud_url.url));
	return ev;
}

static void apply_ok(struct fx *f, struct hg_event ev)
{
	assert_int_equal(registry_apply_event(f->reg, &ev), 0);
}

static const struct device *get(struct fx *f, const char *mac)
{
	struct hg_mac m = mac_of(mac);

	return registry_get(f->reg, &m);
}

static const struct dev_identity *find_id(const struct device *d, const char *kind)
{
	for (unsigned i = 0; i < d->nids; i++)
		if (strcmp(d->ids[i].kind, kind) == 0)
			return &d->ids[i];
	return NULL;
}

/* The first column of the one-row answer to sql, with up to three text parameters bound. */
static int64_t q_int(struct fx *f, const char *sql, const char *p1, const char *p2)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(f->st), sql, -1, &st, NULL), SQLITE_OK);
	if (p1)
		sqlite3_bind_text(st, 1, p1, -1, SQLITE_STATIC);
	if (p2)
		sqlite3_bind_text(st, 2, p2, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void q_text(struct fx *f, const char *sql, const char *p1, char *buf, size_t len)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(store_db(f->st), sql, -1, &st, NULL), SQLITE_OK);
	if (p1)
		sqlite3_bind_text(st, 1, p1, -1, SQLITE_STATIC);
	buf[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		util_strlcpy(buf, (const char *)sqlite3_column_text(st, 0), len);
	sqlite3_finalize(st);
}

static void observer(const struct hg_mac *mac, enum dev_state from, enum dev_state to, void *arg)
{
	struct fx *f = arg;

	f->notified++;
	f->last_mac = *mac;
	f->last_from = from;
	f->last_to = to;
}

struct audit_list {
	struct audit_entry e[64];
	unsigned n;
	unsigned stop_after; /* 0 = never */
};

static int collect(const struct audit_entry *e, void *arg)
{
	struct audit_list *l = arg;

	if (l->n < ARRAY_SIZE(l->e))
		l->e[l->n++] = *e;
	return l->stop_after && l->n == l->stop_after ? 7 : 0;
}

static void audit_of(struct fx *f, const char *mac, struct audit_list *l)
{
	struct hg_mac m;

	memset(l, 0, sizeof(*l));
	if (mac)
		m = mac_of(mac);
	assert_int_equal(registry_audit_foreach(f->reg, mac ? &m : NULL, 64, collect, l), 0);
}

static void test_lease_creates_device(void **state)
{
	struct fx *f = *state;
	struct hg_event ev = lease("52:54:00:00:00:01", "192.168.50.10", "cam", 100);
	const struct dev_identity *id;
	const struct device *d;
	struct audit_list l;
	char buf[64];

	util_strlcpy(ev.lease.vendor_class, "udhcp 1.30", sizeof(ev.lease.vendor_class));
	util_strlcpy(ev.lease.requested_options, "1,3,6", sizeof(ev.lease.requested_options));
	util_strlcpy(ev.lease.mud_url, "https://m.example/x.json", sizeof(ev.lease.mud_url));
	ev.lease.flags |= HG_LEASE_HAS_VENDOR | HG_LEASE_HAS_OPTIONS | HG_LEASE_HAS_MUD_URL;
	registry_set_observer(f->reg, observer, f);
	apply_ok(f, ev);

	d = get(f, "52:54:00:00:00:01");
	assert_non_null(d);
	assert_int_equal(registry_count(f->reg), 1);
	assert_int_equal(d->state, DEV_NEW);
	assert_string_equal(d->hostname, "cam");
	assert_true(d->online);
	assert_int_equal(d->first_seen, 100);
	assert_int_equal(d->last_seen, 100);
	assert_int_equal(d->naddrs, 1);
	assert_int_equal(d->addrs[0].addr.family, AF_INET);
	assert_int_equal(d->addrs[0].expires, 3700);
	assert_int_equal(d->addrs[0].source, HG_SRC_DNSMASQ);
	assert_int_equal(d->nids, 4);
	assert_string_equal(find_id(d, "hostname")->value, "cam");
	assert_string_equal(find_id(d, "vendor_class")->value, "udhcp 1.30");
	assert_string_equal(find_id(d, "dhcp_options")->value, "1,3,6");
	id = find_id(d, "mud_url");
	assert_string_equal(id->value, "https://m.example/x.json");
	assert_int_equal(id->strength, HG_STRENGTH_WEAK);
	assert_int_equal(id->source, HG_SRC_DNSMASQ);
	/* a claim in a lease is evidence, not yet the device's MUD URL */
	assert_string_equal(d->mud_url, "");
	assert_int_equal(d->mud_source, 0);

	/* the creation was observed */
	assert_int_equal(f->notified, 1);
	assert_int_equal(f->last_from, DEV_NEW);
	assert_int_equal(f->last_to, DEV_NEW);
	assert_true(util_mac_equal(&f->last_mac, &d->mac));

	/* written through, as the store sees it */
	q_text(f, "SELECT state || '/' || hostname || '/' || online FROM devices WHERE mac = ?",
		"52:54:00:00:00:01", buf, sizeof(buf));
	assert_string_equal(buf, "new/cam/1");
	q_text(f, "SELECT addr || '/' || expires || '/' || source FROM addresses WHERE mac = ?",
		"52:54:00:00:00:01", buf, sizeof(buf));
	assert_string_equal(buf, "192.168.50.10/3700/1");
	assert_int_equal(q_int(f, "SELECT count(*) FROM identities WHERE mac = ?",
				 "52:54:00:00:00:01", NULL),
		4);

	audit_of(f, "52:54:00:00:00:01", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.e[0].action, "create");
	assert_string_equal(l.e[0].who, "rule:dnsmasq");
	assert_string_equal(l.e[0].mac, "52:54:00:00:00:01");
	assert_string_equal(l.e[0].from_state, "");
	assert_string_equal(l.e[0].to_state, "new");
	assert_true(l.e[0].time > 1000000000);
}

static void test_lease_renew_and_release(void **state)
{
	struct fx *f = *state;
	struct hg_event ev = lease("52:54:00:00:00:01", "192.168.50.10", "cam", 100);
	const struct device *d;

	apply_ok(f, ev);
	/* renewal: new expiry and a new hostname; no duplicate claims, no second creation */
	ev.lease.op = HG_LEASE_OLD;
	ev.time = 200;
	ev.lease.expires = 3800;
	util_strlcpy(ev.lease.hostname, "cam-kitchen", sizeof(ev.lease.hostname));
	apply_ok(f, ev);
	apply_ok(f, ev);
	d = get(f, "52:54:00:00:00:01");
	assert_int_equal(d->naddrs, 1);
	assert_int_equal(d->addrs[0].expires, 3800);
	assert_int_equal(d->addrs[0].first_seen, 100);
	assert_int_equal(d->last_seen, 200);
	assert_int_equal(d->first_seen, 100);
	assert_string_equal(d->hostname, "cam-kitchen");
	assert_int_equal(d->nids, 2); /* both names stay on record as claims */
	assert_int_equal(
		q_int(f, "SELECT expires FROM addresses WHERE mac = ?", "52:54:00:00:00:01", NULL),
		3800);
	assert_int_equal(q_int(f,
				 "SELECT count(*) FROM devices WHERE mac = ? AND"
				 " hostname = 'cam-kitchen'",
				 "52:54:00:00:00:01", NULL),
		1);
	assert_int_equal(
		q_int(f, "SELECT count(*) FROM audit WHERE action = 'create'", NULL, NULL), 1);

	/* release: offline, the address kept with the lease ended now */
	ev.lease.op = HG_LEASE_DEL;
	ev.lease.flags = 0;
	ev.time = 300;
	apply_ok(f, ev);
	d = get(f, "52:54:00:00:00:01");
	assert_false(d->online);
	assert_int_equal(d->naddrs, 1);
	assert_int_equal(d->addrs[0].expires, 300);
	assert_string_equal(d->hostname, "cam-kitchen");
	assert_int_equal(
		q_int(f, "SELECT online FROM devices WHERE mac = ?", "52:54:00:00:00:01", NULL), 0);
	assert_int_equal(
		q_int(f, "SELECT expires FROM addresses WHERE mac = ?", "52:54:00:00:00:01", NULL),
		300);

	/* a release that names no address still takes the device offline in the store */
	apply_ok(f, lease("52:54:00:00:00:01", "192.168.50.10", NULL, 310));
	assert_int_equal(
		q_int(f, "SELECT online FROM devices WHERE mac = ?", "52:54:00:00:00:01", NULL), 1);
	ev.lease.addr.family = 0;
	ev.time = 320;
	apply_ok(f, ev);
	assert_false(get(f, "52:54:00:00:00:01")->online);
	assert_int_equal(
		q_int(f, "SELECT online FROM devices WHERE mac = ?", "52:54:00:00:00:01", NULL), 0);

	/* back again */
	ev = lease("52:54:00:00:00:01", "192.168.50.10", NULL, 400);
	apply_ok(f, ev);
	assert_true(get(f, "52:54:00:00:00:01")->online);
	assert_int_equal(get(f, "52:54:00:00:00:01")->addrs[0].expires, 4000);
}

static void test_dev_seen(void **state)
{
	struct fx *f = *state;
	const struct device *d;

	apply_ok(f, lease("52:54:00:00:00:02", "192.168.50.11", NULL, 100));
	/* a sighting of the leased address keeps the lease's end and source */
	apply_ok(f, seen("52:54:00:00:00:02", AF_INET, "192.168.50.11", 150));
	d = get(f, "52:54:00:00:00:02");
	assert_int_equal(d->naddrs, 1);
	assert_int_equal(d->addrs[0].expires, 3700);
	assert_int_equal(d->addrs[0].source, HG_SRC_DNSMASQ);
	assert_int_equal(d->addrs[0].last_seen, 150);
	/* a new address (v6) joins with no known end */
	apply_ok(f, seen("52:54:00:00:00:02", AF_INET6, "fe80::5054:ff:fe00:2", 160));
	d = get(f, "52:54:00:00:00:02");
	assert_int_equal(d->naddrs, 2);
	assert_int_equal(d->addrs[1].addr.family, AF_INET6);
	assert_int_equal(d->addrs[1].expires, 0);
	assert_int_equal(d->addrs[1].source, HG_SRC_DHCP);
	assert_int_equal(q_int(f, "SELECT count(*) FROM addresses WHERE mac = ? AND family = ?",
				 "52:54:00:00:00:02", "10"),
		1);
	/* a sighting of an unknown device creates it, offline */
	apply_ok(f, seen("52:54:00:00:00:03", 0, NULL, 170));
	d = get(f, "52:54:00:00:00:03");
	assert_non_null(d);
	assert_false(d->online);
	assert_int_equal(d->naddrs, 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM audit WHERE mac = ? AND who = 'rule:dhcp'",
				 "52:54:00:00:00:03", NULL),
		1);
}

static void test_mud_url_event(void **state)
{
	struct fx *f = *state;
	struct hg_event bad;
	const struct device *d;
	struct audit_list l;

	apply_ok(f, mud("52:54:00:00:00:04", "https://m.example/a.json", HG_SRC_LLDP, 100));
	d = get(f, "52:54:00:00:00:04");
	assert_string_equal(d->mud_url, "https://m.example/a.json");
	assert_int_equal(d->mud_source, HG_SRC_LLDP);
	/* the same again: nothing to record */
	apply_ok(f, mud("52:54:00:00:00:04", "https://m.example/a.json", HG_SRC_LLDP, 110));
	/* a stronger source for the same URL is recorded */
	apply_ok(f, mud("52:54:00:00:00:04", "https://m.example/a.json", HG_SRC_DPP, 120));
	apply_ok(f, mud("52:54:00:00:00:04", "https://m.example/b.json", HG_SRC_DPP, 130));
	d = get(f, "52:54:00:00:00:04");
	assert_string_equal(d->mud_url, "https://m.example/b.json");
	assert_int_equal(d->mud_source, HG_SRC_DPP);
	audit_of(f, "52:54:00:00:00:04", &l);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.e[0].action, "mud_url");
	assert_string_equal(l.e[0].why, "https://m.example/b.json");
	assert_string_equal(l.e[0].who, "rule:dpp");
	assert_string_equal(l.e[1].who, "rule:dpp");
	assert_string_equal(l.e[1].why, "https://m.example/a.json");
	assert_string_equal(l.e[2].who, "rule:lldp");
	assert_string_equal(l.e[3].action, "create");
	assert_int_equal(
		q_int(f, "SELECT mud_source FROM devices WHERE mac = ?", "52:54:00:00:00:04", NULL),
		HG_SRC_DPP);
	/* an empty URL is no URL */
	bad = mud("52:54:00:00:00:04", "", HG_SRC_DPP, 140);
	assert_int_equal(registry_apply_event(f->reg, &bad), -EINVAL);
	assert_string_equal(get(f, "52:54:00:00:00:04")->mud_url, "https://m.example/b.json");
}

static void test_invalid_events(void **state)
{
	struct fx *f = *state;
	struct hg_event ev;

	ev = lease("01:00:5e:00:00:01", "192.168.50.12", NULL, 100); /* multicast */
	assert_int_equal(registry_apply_event(f->reg, &ev), -EINVAL);
	ev = lease("ff:ff:ff:ff:ff:ff", "192.168.50.12", NULL, 100);
	assert_int_equal(registry_apply_event(f->reg, &ev), -EINVAL);
	ev = lease("00:00:00:00:00:00", "192.168.50.12", NULL, 100);
	assert_int_equal(registry_apply_event(f->reg, &ev), -EINVAL);
	ev = lease("52:54:00:00:00:05", "192.168.50.12", NULL, 100);
	ev.source = 0;
	assert_int_equal(registry_apply_event(f->reg, &ev), -EINVAL);
	ev.source = HG_SRC_HOSTAPD + 1;
	assert_int_equal(registry_apply_event(f->reg, &ev), -EINVAL);
	ev.source = HG_SRC_DNSMASQ;
	ev.lease.op = 0;
	assert_int_equal(registry_apply_event(f->reg, &ev), -EINVAL);
	ev.lease.op = HG_LEASE_DEL + 1;
	assert_int_equal(registry_apply_event(f->reg, &ev), -EINVAL);
	ev.lease.op = HG_LEASE_ADD;
	ev.type = 99;
	assert_int_equal(registry_apply_event(f->reg, &ev), -EINVAL);
	assert_int_equal(registry_count(f->reg), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM devices", NULL, NULL), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM audit", NULL, NULL), 0);
}

/* Puts a fresh device into state s by allowed steps (not audited as part of the test). */
static void bring_to(struct fx *f, const struct hg_mac *m, enum dev_state s)
{
	if (s == DEV_NEW)
		return;
	assert_int_equal(registry_set_state(f->reg, m, s, &user), 0);
}

static void test_transition_matrix(void **state)
{
	struct fx *f = *state;
	/* expect[from][to] as DESIGN §2 and the registry header state */
	static const int expect[5][6] = {
		[DEV_NEW] = {-EALREADY, 0, 0, 0, 0, -EINVAL},
		[DEV_PENDING] = {-EINVAL, -EALREADY, 0, 0, 0, -EINVAL},
		[DEV_APPROVED] = {-EINVAL, -EINVAL, -EALREADY, 0, 0, -EINVAL},
		[DEV_BLOCKED] = {-EINVAL, 0, 0, -EALREADY, -EINVAL, -EINVAL},
		[DEV_QUARANTINED] = {-EINVAL, -EINVAL, 0, 0, -EALREADY, -EINVAL},
	};
	unsigned n = 0, allowed = 0;

	registry_set_observer(f->reg, observer, f);
	for (int from = DEV_NEW; from <= DEV_QUARANTINED; from++) {
		for (int to = DEV_NEW; to <= DEV_FORGOTTEN; to++) {
			char mac[HG_MAC_STRLEN], ip[16];
			struct hg_mac m;
			int64_t before;
			int ret;

			snprintf(mac, sizeof(mac), "52:54:00:10:%02x:%02x", from, to);
			snprintf(ip, sizeof(ip), "10.9.%d.%d", from, to + 1);
			apply_ok(f, lease(mac, ip, NULL, 100));
			m = mac_of(mac);
			bring_to(f, &m, (enum dev_state)from);
			before = q_int(f, "SELECT count(*) FROM audit WHERE mac = ?", mac, NULL);
			f->notified = 0;
			ret = registry_set_state(f->reg, &m, (enum dev_state)to, &user);
			if (ret != expect[from][to])
				fail_msg("%s -> %s: got %d, expected %d",
					dev_state_name((enum dev_state)from),
					dev_state_name((enum dev_state)to), ret, expect[from][to]);
			if (ret == 0) {
				char buf[64], want[64];

				allowed++;
				assert_int_equal(registry_get(f->reg, &m)->state, to);
				q_text(f,
					"SELECT from_state || '>' || to_state || '/' || who || '/'"
					" || why FROM audit WHERE mac = ? ORDER BY id DESC LIMIT 1",
					mac, buf, sizeof(buf));
				snprintf(want, sizeof(want), "%s>%s/user:test/because",
					dev_state_name((enum dev_state)from),
					dev_state_name((enum dev_state)to));
				assert_string_equal(buf, want);
				assert_int_equal(f->notified, 1);
				assert_int_equal(f->last_from, from);
				assert_int_equal(f->last_to, to);
			} else {
				/* refused: nothing changed, nothing recorded, nobody told */
				assert_int_equal(registry_get(f->reg, &m)->state, from);
				assert_int_equal(
					q_int(f, "SELECT count(*) FROM audit WHERE mac = ?", mac,
						NULL),
					before);
				assert_int_equal(f->notified, 0);
			}
			q_text(f, "SELECT state FROM devices WHERE mac = ?", mac, ip, sizeof(ip));
			assert_string_equal(ip, dev_state_name(registry_get(f->reg, &m)->state));
			n++;
		}
	}
	assert_int_equal(n, 30);
	assert_int_equal(allowed, 13);

	/* out-of-range targets, an unknown MAC */
	{
		struct hg_mac m = mac_of("52:54:00:10:00:01"),
			      unknown = mac_of("52:54:00:99:99:99");

		assert_int_equal(
			registry_set_state(f->reg, &m, (enum dev_state) - 1, &user), -EINVAL);
		assert_int_equal(
			registry_set_state(f->reg, &m, (enum dev_state)77, &user), -EINVAL);
		assert_int_equal(
			registry_set_state(f->reg, &unknown, DEV_APPROVED, &user), -ENOENT);
		assert_int_equal(registry_release(f->reg, &unknown, &user), -ENOENT);
		assert_int_equal(registry_forget(f->reg, &unknown, &user), -ENOENT);
	}
}

static void test_release(void **state)
{
	struct fx *f = *state;
	static const enum dev_state before[] = {DEV_NEW, DEV_PENDING, DEV_APPROVED};

	for (unsigned i = 0; i < ARRAY_SIZE(before); i++) {
		char mac[HG_MAC_STRLEN], ip[16];
		struct audit_list l;
		struct hg_mac m;

		snprintf(mac, sizeof(mac), "52:54:00:20:00:%02x", i);
		snprintf(ip, sizeof(ip), "10.8.0.%u", i + 1);
		apply_ok(f, lease(mac, ip, NULL, 100));
		m = mac_of(mac);
		bring_to(f, &m, before[i]);
		assert_int_equal(
			registry_release(f->reg, &m, &user), -EINVAL); /* not quarantined */
		assert_int_equal(registry_set_state(f->reg, &m, DEV_QUARANTINED, &user), 0);
		assert_int_equal(registry_get(f->reg, &m)->prev_state, before[i]);
		/* the previous state survives a restart */
		reopen(f);
		assert_int_equal(registry_get(f->reg, &m)->state, DEV_QUARANTINED);
		assert_int_equal(registry_release(f->reg, &m, &user), 0);
		assert_int_equal(registry_get(f->reg, &m)->state, before[i]);
		audit_of(f, mac, &l);
		assert_string_equal(l.e[0].action, "state");
		assert_string_equal(l.e[0].from_state, "quarantined");
		assert_string_equal(l.e[0].to_state, dev_state_name(before[i]));
	}
	/* quarantined -> blocked -> approved -> quarantined -> release: approved */
	{
		struct hg_mac m = mac_of("52:54:00:20:00:00");

		assert_int_equal(registry_set_state(f->reg, &m, DEV_QUARANTINED, &user), 0);
		assert_int_equal(registry_set_state(f->reg, &m, DEV_BLOCKED, &user), 0);
		assert_int_equal(registry_release(f->reg, &m, &user), -EINVAL);
		assert_int_equal(registry_set_state(f->reg, &m, DEV_APPROVED, &user), 0);
		assert_int_equal(registry_set_state(f->reg, &m, DEV_QUARANTINED, &user), 0);
		assert_int_equal(registry_release(f->reg, &m, &user), 0);
		assert_int_equal(registry_get(f->reg, &m)->state, DEV_APPROVED);
	}
}

static void test_who_checked(void **state)
{
	struct fx *f = *state;
	struct hg_mac m = mac_of("52:54:00:00:00:06");
	static const char *const bad[] = {
		"User:root", "user root", "", "user:root\n", "user;drop", "user:é",
		"a23456789012345678901234567890123", /* 33 */
	};
	struct reg_actor a = {.why = "x"};

	apply_ok(f, lease("52:54:00:00:00:06", "192.168.50.16", NULL, 100));
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		a.who = bad[i];
		assert_int_equal(registry_set_state(f->reg, &m, DEV_APPROVED, &a), -EINVAL);
		assert_int_equal(registry_forget(f->reg, &m, &a), -EINVAL);
	}
	a.who = NULL;
	assert_int_equal(registry_set_state(f->reg, &m, DEV_APPROVED, &a), -EINVAL);
	assert_int_equal(registry_set_state(f->reg, &m, DEV_APPROVED, NULL), -EINVAL);
	assert_int_equal(registry_release(f->reg, &m, NULL), -EINVAL);
	assert_int_equal(registry_forget(f->reg, &m, NULL), -EINVAL);
	assert_int_equal(registry_get(f->reg, &m)->state, DEV_NEW);
	assert_int_equal(
		q_int(f, "SELECT count(*) FROM audit WHERE action != 'create'", NULL, NULL), 0);
	a.who = "a2345678901234567890123456789012"; /* 32 */
	assert_int_equal(registry_set_state(f->reg, &m, DEV_PENDING, &a), 0);
	a.who = "rule:mud.v2_x-1";
	a.why = NULL;
	assert_int_equal(registry_set_state(f->reg, &m, DEV_APPROVED, &a), 0);
	assert_int_equal(q_int(f,
				 "SELECT count(*) FROM audit WHERE who = 'rule:mud.v2_x-1' AND"
				 " why = ''",
				 NULL, NULL),
		1);
}

static void test_forget(void **state)
{
	struct fx *f = *state;
	struct hg_event ev = lease("52:54:00:00:00:07", "192.168.50.17", "plug", 100);
	const char *mac = "52:54:00:00:00:07";
	struct hg_mac m = ev.lease.mac;
	struct audit_list l;
	const struct device *d;

	util_strlcpy(ev.lease.vendor_class, "plug-os", sizeof(ev.lease.vendor_class));
	ev.lease.flags |= HG_LEASE_HAS_VENDOR;
	apply_ok(f, ev);
	apply_ok(f, seen(mac, AF_INET6, "2001:db8::7", 110));
	apply_ok(f, mud(mac, "https://m.example/plug.json", HG_SRC_DNSMASQ, 120));
	apply_ok(f, lease("52:54:00:00:00:08", "192.168.50.18", "other", 100));
	assert_int_equal(registry_set_state(f->reg, &m, DEV_BLOCKED, &user), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM addresses WHERE mac = ?", mac, NULL), 2);
	assert_int_equal(q_int(f, "SELECT count(*) FROM identities WHERE mac = ?", mac, NULL), 2);

	registry_set_observer(f->reg, observer, f);
	/* the MAC may well come from the record itself */
	d = registry_get(f->reg, &m);
	assert_int_equal(registry_forget(f->reg, &d->mac,
				 &(struct reg_actor){.who = "user:root", .why = "sold it"}),
		0);
	assert_int_equal(f->notified, 1);
	assert_true(util_mac_equal(&f->last_mac, &m));
	assert_int_equal(f->last_from, DEV_BLOCKED);
	assert_int_equal(f->last_to, DEV_FORGOTTEN);
	assert_null(registry_get(f->reg, &m));
	assert_int_equal(registry_count(f->reg), 1);
	assert_int_equal(registry_forget(f->reg, &m, &user), -ENOENT);

	/* nothing about it left in the store but the bare trail */
	assert_int_equal(q_int(f, "SELECT count(*) FROM devices WHERE mac = ?", mac, NULL), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM addresses WHERE mac = ?", mac, NULL), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM identities WHERE mac = ?", mac, NULL), 0);
	assert_int_equal(q_int(f,
				 "SELECT count(*) FROM audit WHERE mac = ? AND action != 'forget'"
				 " AND (why != '' OR file_hash != '')",
				 mac, NULL),
		0);
	assert_int_equal(
		q_int(f, "SELECT count(*) FROM audit WHERE why LIKE '%plug%'", NULL, NULL), 0);
	audit_of(f, mac, &l);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.e[0].action, "forget");
	assert_string_equal(l.e[0].who, "user:root");
	assert_string_equal(l.e[0].from_state, "blocked");
	assert_string_equal(l.e[0].to_state, "forgotten");
	assert_string_equal(l.e[0].why, "sold it");
	assert_string_equal(l.e[1].action, "state");
	assert_string_equal(l.e[1].why, "");
	assert_string_equal(l.e[2].action, "mud_url");
	assert_string_equal(l.e[2].why, "");
	assert_string_equal(l.e[3].action, "create");

	/* the other device is untouched */
	assert_string_equal(get(f, "52:54:00:00:00:08")->hostname, "other");
	assert_int_equal(q_int(f,
				 "SELECT count(*) FROM audit WHERE mac = '52:54:00:00:00:08' AND"
				 " why = 'first seen'",
				 NULL, NULL),
		1);

	reopen(f);
	assert_null(get(f, mac));
	assert_int_equal(registry_count(f->reg), 1);
	/* seen again later: a new device, from scratch */
	apply_ok(f, lease(mac, "192.168.50.17", NULL, 500));
	assert_int_equal(get(f, mac)->state, DEV_NEW);
	assert_int_equal(get(f, mac)->first_seen, 500);
	assert_int_equal(get(f, mac)->nids, 0);
	assert_string_equal(get(f, mac)->hostname, "");
}

static void test_audit_order(void **state)
{
	struct fx *f = *state;
	struct hg_mac a = mac_of("52:54:00:00:00:0a"), b = mac_of("52:54:00:00:00:0b");
	struct audit_list l;

	apply_ok(f, lease("52:54:00:00:00:0a", "10.0.0.10", NULL, 100));
	apply_ok(f, lease("52:54:00:00:00:0b", "10.0.0.11", NULL, 100));
	assert_int_equal(registry_set_state(f->reg, &a, DEV_PENDING, &user), 0);
	assert_int_equal(registry_set_state(f->reg, &b, DEV_BLOCKED, &user), 0);
	assert_int_equal(registry_set_state(f->reg, &a, DEV_APPROVED, &user), 0);

	audit_of(f, NULL, &l);
	assert_int_equal(l.n, 5);
	for (unsigned i = 1; i < l.n; i++)
		assert_true(l.e[i - 1].id > l.e[i].id); /* newest first */
	assert_string_equal(l.e[0].to_state, "approved");
	assert_string_equal(l.e[0].mac, "52:54:00:00:00:0a");
	assert_string_equal(l.e[1].to_state, "blocked");
	assert_string_equal(l.e[1].mac, "52:54:00:00:00:0b");
	assert_string_equal(l.e[4].action, "create");
	assert_string_equal(l.e[4].mac, "52:54:00:00:00:0a");
	for (unsigned i = 0; i < l.n; i++) {
		assert_string_equal(l.e[i].file_hash, "");
		assert_true(l.e[i].time >= l.e[l.n - 1].time);
	}

	audit_of(f, "52:54:00:00:00:0a", &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.e[0].from_state, "pending");
	assert_string_equal(l.e[1].from_state, "new");
	assert_string_equal(l.e[1].to_state, "pending");
	assert_string_equal(l.e[2].action, "create");

	memset(&l, 0, sizeof(l));
	assert_int_equal(registry_audit_foreach(f->reg, NULL, 2, collect, &l), 0);
	assert_int_equal(l.n, 2);
	memset(&l, 0, sizeof(l));
	l.stop_after = 1;
	assert_int_equal(registry_audit_foreach(f->reg, NULL, 10, collect, &l), 7);
	assert_int_equal(l.n, 1);
}

static void test_hostile_strings(void **state)
{
	struct fx *f = *state;
	struct hg_event ev = lease("52:54:00:00:00:0c", "192.168.50.12", "x\x1b[31mred\n", 100);
	const char *mac = "52:54:00:00:00:0c";
	struct hg_mac m = ev.lease.mac;
	const struct device *d;
	char why[400], buf[300];
	struct audit_list l;

	/* every field full to the last byte, no terminator, bytes outside printable ASCII */
	memset(ev.lease.vendor_class, 0xff, sizeof(ev.lease.vendor_class));
	memcpy(ev.lease.vendor_class, "evil\r\n\t", 7);
	memset(ev.lease.requested_options, '1', sizeof(ev.lease.requested_options));
	memset(ev.lease.mud_url, 'u', sizeof(ev.lease.mud_url));
	ev.lease.flags |= HG_LEASE_HAS_VENDOR | HG_LEASE_HAS_OPTIONS | HG_LEASE_HAS_MUD_URL;
	apply_ok(f, ev);
	d = get(f, mac);
	assert_string_equal(d->hostname, "x?[31mred?");
	assert_string_equal(find_id(d, "hostname")->value, "x?[31mred?");
	assert_int_equal(strlen(find_id(d, "vendor_class")->value), HG_VENDOR_MAX - 1);
	assert_memory_equal(find_id(d, "vendor_class")->value, "evil???????", 11);
	assert_int_equal(strlen(find_id(d, "dhcp_options")->value), HG_VENDOR_MAX - 1);
	assert_int_equal(strlen(find_id(d, "mud_url")->value), HG_VENDOR_MAX - 1);

	/* an unterminated hostname of the full field size */
	ev = lease(mac, "192.168.50.12", NULL, 110);
	memset(ev.lease.hostname, 'h', sizeof(ev.lease.hostname));
	ev.lease.flags |= HG_LEASE_HAS_HOSTNAME;
	apply_ok(f, ev);
	assert_int_equal(strlen(get(f, mac)->hostname), HG_HOSTNAME_MAX - 1);

	ev = (struct hg_event){.type = HG_EV_MUD_URL, .source = HG_SRC_DHCP, .time = 120};
	ev.mud_url.mac = m;
	memset(ev.mud_url.url, 0x07, sizeof(ev.mud_url.url));
	apply_ok(f, ev);
	assert_int_equal(strlen(get(f, mac)->mud_url), HG_URL_MAX - 1);
	assert_int_equal(strspn(get(f, mac)->mud_url, "?"), HG_URL_MAX - 1);

	/* free text from the user is bounded and printable too */
	memset(why, 'w', sizeof(why) - 1);
	why[sizeof(why) - 1] = '\0';
	memcpy(why, "line1\nline2\x1b", 12);
	assert_int_equal(registry_set_state(f->reg, &m, DEV_APPROVED,
				 &(struct reg_actor){.who = "user:root", .why = why}),
		0);
	audit_of(f, mac, &l);
	assert_int_equal(strlen(l.e[0].why), 255);
	assert_memory_equal(l.e[0].why, "line1?line2?www", 15);

	/* and so is what reached the store: no byte outside 0x20..0x7e anywhere */
	q_text(f,
		"SELECT count(*) FROM (SELECT hostname AS t FROM devices UNION ALL SELECT mud_url"
		" FROM devices UNION ALL SELECT value FROM identities UNION ALL SELECT why FROM"
		" audit) WHERE t GLOB ('*[^ -~]*')",
		NULL, buf, sizeof(buf));
	assert_string_equal(buf, "0");
	assert_int_equal(q_int(f, "SELECT max(length(why)) FROM audit", NULL, NULL), 255);
	assert_int_equal(q_int(f, "SELECT max(length(value)) FROM identities", NULL, NULL), 255);
}

static void test_capacity(void **state)
{
	struct fx *f = *state;
	struct hg_event ev;
	char mac[18], ip[16];

	for (int i = 0; i < MAXDEV; i++) {
		snprintf(mac, sizeof(mac), "52:54:00:01:00:%02x", i);
		snprintf(ip, sizeof(ip), "10.0.0.%d", i);
		apply_ok(f, lease(mac, ip, NULL, 100 + i));
	}
	ev = lease("52:54:00:02:00:00", "10.0.1.1", NULL, 500);
	assert_int_equal(registry_apply_event(f->reg, &ev), -ENOSPC);
	assert_null(get(f, "52:54:00:02:00:00"));
	assert_int_equal(registry_count(f->reg), MAXDEV);
	assert_int_equal(q_int(f, "SELECT count(*) FROM devices", NULL, NULL), MAXDEV);
	/* known devices still update when full */
	apply_ok(f, lease("52:54:00:01:00:00", "10.0.2.1", NULL, 600));
	/* forgetting one makes room */
	{
		struct hg_mac m = mac_of("52:54:00:01:00:05");

		assert_int_equal(registry_forget(f->reg, &m, &user), 0);
	}
	apply_ok(f, ev);
	assert_non_null(get(f, "52:54:00:02:00:00"));
	/* a restart with a lower limit keeps what is there but takes no more */
	reopen_max(f, 10);
	assert_int_equal(registry_count(f->reg), MAXDEV);
	ev = lease("52:54:00:02:00:01", "10.0.1.2", NULL, 700);
	assert_int_equal(registry_apply_event(f->reg, &ev), -ENOSPC);
}

static void test_eviction(void **state)
{
	struct fx *f = *state;
	const char *mac = "52:54:00:00:00:0d";
	const struct device *d;
	char ip[16], v[16];

	/* addresses beyond DEV_MAX_ADDRS push out the least recently seen */
	for (int i = 0; i < DEV_MAX_ADDRS; i++) {
		snprintf(ip, sizeof(ip), "10.1.0.%d", i);
		apply_ok(f, lease(mac, ip, NULL, 1000 + i));
	}
	apply_ok(f, seen(mac, AF_INET, "10.1.0.0", 2000)); /* .0 is fresh again, .1 oldest */
	apply_ok(f, lease(mac, "10.1.0.100", NULL, 2001));
	d = get(f, mac);
	assert_int_equal(d->naddrs, DEV_MAX_ADDRS);
	assert_int_equal(
		q_int(f, "SELECT count(*) FROM addresses WHERE mac = ?", mac, NULL), DEV_MAX_ADDRS);
	assert_int_equal(q_int(f,
				 "SELECT count(*) FROM addresses WHERE mac = ? AND"
				 " addr = '10.1.0.1'",
				 mac, NULL),
		0);
	assert_int_equal(q_int(f,
				 "SELECT count(*) FROM addresses WHERE mac = ? AND"
				 " addr IN ('10.1.0.0', '10.1.0.100')",
				 mac, NULL),
		2);

	/* identity claims likewise */
	for (int i = 0; i < DEV_MAX_IDENTITIES + 2; i++) {
		struct hg_event ev = lease(mac, "10.1.0.100", NULL, 3000 + i);

		snprintf(v, sizeof(v), "vendor-%d", i);
		util_strlcpy(ev.lease.vendor_class, v, sizeof(ev.lease.vendor_class));
		ev.lease.flags |= HG_LEASE_HAS_VENDOR;
		apply_ok(f, ev);
	}
	d = get(f, mac);
	assert_int_equal(d->nids, DEV_MAX_IDENTITIES);
	assert_int_equal(q_int(f, "SELECT count(*) FROM identities WHERE mac = ?", mac, NULL),
		DEV_MAX_IDENTITIES);
	assert_int_equal(q_int(f,
				 "SELECT count(*) FROM identities WHERE mac = ? AND"
				 " value IN ('vendor-0', 'vendor-1')",
				 mac, NULL),
		0);
	assert_int_equal(q_int(f,
				 "SELECT count(*) FROM identities WHERE mac = ? AND"
				 " value = 'vendor-17'",
				 mac, NULL),
		1);
}

static void test_flush_last_seen(void **state)
{
	struct fx *f = *state;
	const char *mac = "52:54:00:00:00:0e";
	struct hg_event ev = lease(mac, "192.168.50.15", "hub", 100);

	assert_int_equal(registry_flush(f->reg), 0); /* nothing to do */
	apply_ok(f, ev);
	ev.time = 999; /* same facts: only last_seen changes, kept in memory */
	ev.lease.op = HG_LEASE_OLD;
	apply_ok(f, ev);
	apply_ok(f, seen(mac, AF_INET, "192.168.50.15", 1001));
	assert_int_equal(get(f, mac)->last_seen, 1001);
	assert_true(get(f, mac)->seen_dirty);
	assert_int_equal(q_int(f, "SELECT last_seen FROM devices WHERE mac = ?", mac, NULL), 100);
	assert_int_equal(q_int(f, "SELECT last_seen FROM addresses WHERE mac = ?", mac, NULL), 100);
	assert_int_equal(registry_flush(f->reg), 0);
	assert_false(get(f, mac)->seen_dirty);
	assert_int_equal(q_int(f, "SELECT last_seen FROM devices WHERE mac = ?", mac, NULL), 1001);
	assert_int_equal(
		q_int(f, "SELECT last_seen FROM addresses WHERE mac = ?", mac, NULL), 1001);
	assert_int_equal(
		q_int(f, "SELECT last_seen FROM identities WHERE mac = ?", mac, NULL), 999);
	/* a renewal that rewrites the addresses still leaves the claims' last_seen to the flush */
	ev.time = 1100;
	ev.lease.expires = 4700;
	apply_ok(f, ev);
	assert_int_equal(q_int(f, "SELECT expires FROM addresses WHERE mac = ?", mac, NULL), 4700);
	assert_int_equal(
		q_int(f, "SELECT last_seen FROM identities WHERE mac = ?", mac, NULL), 999);
	assert_int_equal(registry_flush(f->reg), 0);
	assert_int_equal(
		q_int(f, "SELECT last_seen FROM identities WHERE mac = ?", mac, NULL), 1100);
	/* an old event does not move time backwards */
	apply_ok(f, seen(mac, AF_INET, "192.168.50.15", 50));
	assert_int_equal(get(f, mac)->last_seen, 1100);

	/* without a flush, a restart loses only last_seen */
	apply_ok(f, seen(mac, AF_INET, "192.168.50.15", 2000));
	reopen(f);
	assert_int_equal(get(f, mac)->last_seen, 1100);
	assert_string_equal(get(f, mac)->hostname, "hub");
}

/* Field by field: everything but seen_dirty must come back from the store. */
static void assert_same_device(const struct device *a, const struct device *b)
{
	assert_memory_equal(&a->mac, &b->mac, sizeof(a->mac));
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->prev_state, b->prev_state);
	assert_string_equal(a->hostname, b->hostname);
	assert_string_equal(a->mud_url, b->mud_url);
	assert_int_equal(a->mud_source, b->mud_source);
	assert_string_equal(a->vendor, b->vendor);
	assert_string_equal(a->model, b->model);
	assert_string_equal(a->category, b->category);
	assert_true(a->confidence == b->confidence);
	assert_int_equal(a->first_seen, b->first_seen);
	assert_int_equal(a->last_seen, b->last_seen);
	assert_int_equal(a->online, b->online);
	assert_int_equal(a->naddrs, b->naddrs);
	for (unsigned i = 0; i < a->naddrs; i++) {
		const struct dev_addr *x = &a->addrs[i], *y = &b->addrs[i];

		assert_int_equal(x->addr.family, y->addr.family);
		assert_memory_equal(&x->addr.v6, &y->addr.v6,
			x->addr.family == AF_INET ? sizeof(x->addr.v4) : sizeof(x->addr.v6));
		assert_int_equal(x->source, y->source);
		assert_int_equal(x->first_seen, y->first_seen);
		assert_int_equal(x->last_seen, y->last_seen);
		assert_int_equal(x->expires, y->expires);
	}
	assert_int_equal(a->nids, b->nids);
	for (unsigned i = 0; i < a->nids; i++) {
		const struct dev_identity *x = &a->ids[i], *y = &b->ids[i];

		assert_string_equal(x->kind, y->kind);
		assert_string_equal(x->value, y->value);
		assert_int_equal(x->source, y->source);
		assert_int_equal(x->strength, y->strength);
		assert_int_equal(x->first_seen, y->first_seen);
		assert_int_equal(x->last_seen, y->last_seen);
	}
}

struct snapshot {
	struct device *d;
	unsigned n, cap;
};

static int snap_one(const struct device *dev, void *arg)
{
	struct snapshot *s = arg;

	assert_true(s->n < s->cap);
	s->d[s->n++] = *dev;
	return 0;
}

static void test_reopen_restores_everything(void **state)
{
	struct fx *f = *state;
	struct snapshot s = {.cap = 16};
	struct hg_event ev;
	struct hg_mac m;
	unsigned n = 0;

	s.d = calloc(s.cap, sizeof(*s.d));
	assert_non_null(s.d);
	ev = lease("52:54:00:00:00:21", "192.168.50.21", "tv", 100);
	util_strlcpy(ev.lease.vendor_class, "android-dhcp-13", sizeof(ev.lease.vendor_class));
	util_strlcpy(ev.lease.requested_options, "1,3,6,15,26,28,51,58,59,43,114",
		sizeof(ev.lease.requested_options));
	ev.lease.flags |= HG_LEASE_HAS_VENDOR | HG_LEASE_HAS_OPTIONS;
	apply_ok(f, ev);
	apply_ok(f, seen("52:54:00:00:00:21", AF_INET6, "2001:db8::21", 150));
	apply_ok(f, mud("52:54:00:00:00:21", "https://m.example/tv.json", HG_SRC_DPP, 160));
	m = mac_of("52:54:00:00:00:21");
	assert_int_equal(registry_set_state(f->reg, &m, DEV_APPROVED, &user), 0);
	assert_int_equal(registry_set_state(f->reg, &m, DEV_QUARANTINED, &user), 0);

	apply_ok(f, lease("52:54:00:00:00:20", "192.168.50.20", "lamp", 110));
	ev = lease("52:54:00:00:00:20", "192.168.50.20", NULL, 170);
	ev.lease.op = HG_LEASE_DEL;
	apply_ok(f, ev);
	m = mac_of("52:54:00:00:00:20");
	assert_int_equal(registry_set_state(f->reg, &m, DEV_BLOCKED, &user), 0);
	apply_ok(f, seen("52:54:00:00:00:22", AF_INET, "192.168.50.22", 180));
	apply_ok(f, seen("52:54:00:00:00:21", AF_INET, "192.168.50.21", 190));
	assert_int_equal(registry_flush(f->reg), 0);

	assert_int_equal(registry_foreach(f->reg, snap_one, &s), 0);
	assert_int_equal(s.n, 3);
	reopen(f);
	assert_int_equal(registry_count(f->reg), 3);
	for (unsigned i = 0; i < s.n; i++) {
		const struct device *d = registry_get(f->reg, &s.d[i].mac);

		assert_non_null(d);
		assert_same_device(&s.d[i], d);
		assert_false(d->seen_dirty);
		n++;
	}
	assert_int_equal(n, 3);
	assert_int_equal(get(f, "52:54:00:00:00:21")->state, DEV_QUARANTINED);
	assert_int_equal(get(f, "52:54:00:00:00:21")->prev_state, DEV_APPROVED);
	assert_int_equal(get(f, "52:54:00:00:00:21")->ids[0].strength, HG_STRENGTH_WEAK);
	assert_false(get(f, "52:54:00:00:00:20")->online);
	free(s.d);
}

struct order {
	struct hg_mac last;
	unsigned n, stop;
};

static int check_order(const struct device *dev, void *arg)
{
	struct order *o = arg;

	if (o->n)
		assert_true(memcmp(o->last.b, dev->mac.b, 6) < 0);
	o->last = dev->mac;
	o->n++;
	return o->stop && o->n == o->stop ? 5 : 0;
}

static void test_foreach_mac_order(void **state)
{
	struct fx *f = *state;
	struct order o = {0};
	unsigned x = 12345;

	for (int i = 0; i < 60; i++) {
		char mac[HG_MAC_STRLEN], ip[16];

		x = x * 1103515245 + 12345;
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:00:00:%02x", (x >> 8) & 0xfe,
			(x >> 16) & 0xff, (x >> 24) & 0xff, i);
		snprintf(ip, sizeof(ip), "10.3.0.%d", i);
		apply_ok(f, lease(mac, ip, NULL, 100));
	}
	assert_int_equal(registry_count(f->reg), 60);
	assert_int_equal(registry_foreach(f->reg, check_order, &o), 0);
	assert_int_equal(o.n, 60);
	o = (struct order){.stop = 3};
	assert_int_equal(registry_foreach(f->reg, check_order, &o), 5);
	assert_int_equal(o.n, 3);
	reopen(f);
	o = (struct order){0};
	assert_int_equal(registry_foreach(f->reg, check_order, &o), 0);
	assert_int_equal(o.n, 60);
}

/* When the store refuses a write, memory stays as it was: the two never disagree. */
static void test_store_failure_keeps_memory(void **state)
{
	struct fx *f = *state;
	struct hg_mac m = mac_of("52:54:00:00:00:30");
	struct hg_event ev = lease("52:54:00:00:00:30", "192.168.50.30", "cam", 100);
	sqlite3 *other;

	apply_ok(f, ev);
	/* fail inside the transaction, after the device row was written */
	assert_int_equal(sqlite3_exec(store_db(f->st),
				 "CREATE TEMP TRIGGER boom BEFORE INSERT ON audit WHEN new.why ="
				 " 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END",
				 NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_equal(registry_set_state(f->reg, &m, DEV_QUARANTINED,
				 &(struct reg_actor){.who = "user:x", .why = "boom"}),
		-EIO);
	assert_int_equal(registry_get(f->reg, &m)->state, DEV_NEW);
	assert_int_equal(registry_get(f->reg, &m)->prev_state, DEV_NEW);
	assert_int_equal(
		q_int(f, "SELECT count(*) FROM devices WHERE state = 'new'", NULL, NULL), 1);
	assert_true(sqlite3_get_autocommit(store_db(f->st)));

	/* another writer holds the database: nothing can be written */
	sqlite3_busy_timeout(store_db(f->st), 0);
	assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(registry_set_state(f->reg, &m, DEV_APPROVED, &user), -EIO);
	assert_int_equal(registry_get(f->reg, &m)->state, DEV_NEW);
	ev = lease("52:54:00:00:00:31", "192.168.50.31", NULL, 100);
	assert_int_equal(registry_apply_event(f->reg, &ev), -EIO);
	assert_null(get(f, "52:54:00:00:00:31"));
	ev = lease("52:54:00:00:00:30", "192.168.50.30", "renamed", 200);
	assert_int_equal(registry_apply_event(f->reg, &ev), -EIO);
	assert_string_equal(get(f, "52:54:00:00:00:30")->hostname, "cam");
	assert_int_equal(get(f, "52:54:00:00:00:30")->nids, 1);
	assert_int_equal(registry_forget(f->reg, &m, &user), -EIO);
	assert_non_null(registry_get(f->reg, &m));
	apply_ok(f, seen("52:54:00:00:00:30", AF_INET, "192.168.50.30", 300)); /* memory only */
	assert_int_equal(registry_flush(f->reg), -EIO);
	assert_true(registry_get(f->reg, &m)->seen_dirty);
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);

	/* and everything works again */
	assert_int_equal(registry_flush(f->reg), 0);
	assert_int_equal(registry_set_state(f->reg, &m, DEV_APPROVED, &user), 0);
	apply_ok(f, lease("52:54:00:00:00:31", "192.168.50.31", NULL, 100));
	reopen(f);
	assert_int_equal(registry_get(f->reg, &m)->state, DEV_APPROVED);
	assert_int_equal(registry_get(f->reg, &m)->last_seen, 300);
	assert_non_null(get(f, "52:54:00:00:00:31"));
}

static void test_load_10k(void **state)
{
	struct fx *f = *state;
	sqlite3 *db = store_db(f->st);
	sqlite3_stmt *dev, *addr, *id;
	struct timespec t0, t1;
	struct order o = {0};
	const struct device *d;
	struct hg_event ev;

	registry_close(f->reg);
	f->reg = NULL;
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(
		sqlite3_prepare_v2(db,
			"INSERT INTO devices (mac, state, prev_state, hostname, first_seen,"
			" last_seen) VALUES (?, 'approved', 'new', ?, 1, ?)",
			-1, &dev, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
				 "INSERT INTO addresses (mac, family, addr, source, first_seen,"
				 " last_seen, expires) VALUES (?, 2, ?, 1, 1, 1, 0)",
				 -1, &addr, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
				 "INSERT INTO identities (mac, kind, value, source, strength,"
				 " first_seen, last_seen) VALUES (?, 'hostname', ?, 1, 1, 1, 1)",
				 -1, &id, NULL),
		SQLITE_OK);
	/* inserted in reverse MAC order: the load must sort */
	for (int i = 9999; i >= 0; i--) {
		char mac[HG_MAC_STRLEN], ip[16], host[16];

		snprintf(mac, sizeof(mac), "52:54:00:00:%02x:%02x", i >> 8, i & 0xff);
		snprintf(ip, sizeof(ip), "10.%d.%d.1", i >> 8, i & 0xff);
		snprintf(host, sizeof(host), "dev-%d", i);
		sqlite3_bind_text(dev, 1, mac, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(dev, 2, host, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(dev, 3, i);
		assert_int_equal(sqlite3_step(dev), SQLITE_DONE);
		sqlite3_reset(dev);
		sqlite3_bind_text(addr, 1, mac, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(addr, 2, ip, -1, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(addr), SQLITE_DONE);
		sqlite3_reset(addr);
		sqlite3_bind_text(id, 1, mac, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(id, 2, host, -1, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(id), SQLITE_DONE);
		sqlite3_reset(id);
	}
	sqlite3_finalize(dev);
	sqlite3_finalize(addr);
	sqlite3_finalize(id);
	assert_int_equal(store_commit(f->st), 0);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(registry_open(f->st, 65536, &f->reg), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("registry_open: 10000 devices in %.1f ms\n",
		(double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	assert_int_equal(registry_count(f->reg), 10000);
	assert_int_equal(registry_foreach(f->reg, check_order, &o), 0);
	assert_int_equal(o.n, 10000);
	d = get(f, "52:54:00:00:1a:0a");
	assert_non_null(d);
	assert_string_equal(d->hostname, "dev-6666");
	assert_int_equal(d->last_seen, 6666);
	assert_int_equal(d->naddrs, 1);
	assert_int_equal(d->nids, 1);
	assert_string_equal(d->ids[0].value, "dev-6666");

	/* and it still takes events and flushes them all in one go */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 10000; i++) {
		char mac[HG_MAC_STRLEN];

		snprintf(mac, sizeof(mac), "52:54:00:00:%02x:%02x", i >> 8, i & 0xff);
		ev = seen(mac, AF_INET, NULL, 20000 + i);
		apply_ok(f, ev);
	}
	assert_int_equal(registry_flush(f->reg), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("10000 sightings + flush in %.1f ms\n",
		(double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	assert_int_equal(q_int(f, "SELECT min(last_seen) FROM devices", NULL, NULL), 20000);
	ev = lease("52:54:00:01:00:00", "10.200.0.1", NULL, 30000);
	apply_ok(f, ev);
	assert_int_equal(registry_count(f->reg), 10001);
}

/* kill -9 at any moment: a child churns through every kind of change while the parent kills
 * it at a random point; after each kill the store must be intact and tell one story. */
static void churn(const char *path, unsigned seed)
{
	static const struct reg_actor actors[] = {
		{.who = "user:root", .why = "test"},
		{.who = "rule:monitor", .why = "scan detected"},
	};
	struct registry *reg;
	struct store *st;
	int64_t t = 1000;

	if (store_open(path, &st) || registry_open(st, 40, &reg))
		_exit(2);
	for (unsigned long i = 0; i < 2000000; i++) {
		char mac[HG_MAC_STRLEN], ip[16];
		struct hg_event ev;
		struct hg_mac m;
		unsigned r;

		seed = seed * 1103515245 + 12345;
		r = seed >> 8;
		snprintf(mac, sizeof(mac), "52:54:00:00:01:%02x", r % 48);
		snprintf(ip, sizeof(ip), "10.4.%u.%u", (r >> 6) % 4, (r >> 8) % 250 + 1);
		m = mac_of(mac);
		t++;
		switch ((r >> 16) % 9) {
		case 0:
		case 1:
			ev = lease(mac, ip, (r & 0x100000) ? "host" : "name", t);
			ev.lease.op = (enum hg_lease_op)((r >> 20) % 3 + 1);
			util_strlcpy(ev.lease.vendor_class, ip, sizeof(ev.lease.vendor_class));
			ev.lease.flags |= HG_LEASE_HAS_VENDOR;
			registry_apply_event(reg, &ev);
			break;
		case 2:
			ev = seen(mac, AF_INET, ip, t);
			registry_apply_event(reg, &ev);
			break;
		case 3:
			ev = mud(mac,
				(r & 0x100000) ? "https://a.example/m.json"
					       : "https://b.example/m.json",
				HG_SRC_DHCP, t);
			registry_apply_event(reg, &ev);
			break;
		case 4:
		case 5:
			registry_set_state(
				reg, &m, (enum dev_state)((r >> 20) % 5), &actors[(r >> 24) & 1]);
			break;
		case 6:
			registry_release(reg, &m, &actors[0]);
			break;
		case 7:
			if ((r >> 20) % 4 == 0)
				registry_forget(reg, &m, &actors[0]);
			break;
		default:
			registry_flush(reg);
			break;
		}
	}
	_exit(3); /* should have been killed long before */
}

static void test_kill9_at_any_moment(void **state)
{
	struct fx *f = *state;
	int64_t total = 0;

	registry_close(f->reg);
	store_close(f->st);
	f->reg = NULL;
	f->st = NULL;
	for (unsigned cycle = 0; cycle < 25; cycle++) {
		struct timespec ts = {.tv_nsec = (long)(5 + (cycle * 7919) % 40) * 1000000L};
		int status;
		pid_t pid;

		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			churn(f->path, cycle * 2654435761u + 1);
		nanosleep(&ts, NULL);
		assert_int_equal(kill(pid, SIGKILL), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status))
			fail_msg("churn exited by itself with %d", WEXITSTATUS(status));

		assert_int_equal(store_open(f->path, &f->st), 0);
		assert_int_equal(store_check(f->st), 0);
		assert_int_equal(registry_open(f->st, 40, &f->reg), 0);
		/* every device is what its audit trail says it is; every forgotten one is gone */
		assert_int_equal(q_int(f,
					 "SELECT count(*) FROM audit a LEFT JOIN devices d ON"
					 " d.mac = a.mac WHERE a.id = (SELECT max(id) FROM audit b"
					 " WHERE b.mac = a.mac AND b.action IN ('create', 'state',"
					 " 'forget')) AND NOT ((a.action = 'forget' AND d.mac IS"
					 " NULL) OR (a.action != 'forget' AND d.state ="
					 " a.to_state))",
					 NULL, NULL),
			0);
		assert_int_equal(
			q_int(f,
				"SELECT count(*) FROM devices d WHERE NOT EXISTS (SELECT 1"
				" FROM audit a WHERE a.mac = d.mac AND a.action = 'create')",
				NULL, NULL),
			0);
		assert_int_equal(
			q_int(f,
				"SELECT count(*) FROM devices d WHERE d.mud_url != '' AND"
				" d.mud_url IS NOT (SELECT why FROM audit a WHERE a.mac ="
				" d.mac AND a.action = 'mud_url' ORDER BY id DESC LIMIT 1)",
				NULL, NULL),
			0);
		assert_int_equal(
			q_int(f,
				"SELECT count(*) FROM (SELECT mac FROM addresses GROUP BY mac"
				" HAVING count(*) > 8 UNION ALL SELECT mac FROM identities"
				" GROUP BY mac HAVING count(*) > 16)",
				NULL, NULL),
			0);
		assert_int_equal(registry_count(f->reg),
			q_int(f, "SELECT count(*) FROM devices", NULL, NULL));
		registry_close(f->reg);
		store_close(f->st);
		f->reg = NULL;
		f->st = NULL;
	}
	assert_int_equal(store_open(f->path, &f->st), 0);
	total = q_int(f, "SELECT count(*) FROM audit", NULL, NULL);
	print_message(
		"kill -9: 25 cycles, %lld audit rows survived consistent\n", (long long)total);
	assert_true(total > 25); /* the child did real work */
	assert_int_equal(registry_open(f->st, 40, &f->reg), 0);
}

static void test_sources(void **state)
{
	struct fx *f = *state;
	static const struct {
		enum hg_source src;
		const char *name;
		enum hg_strength strength;
	} t[] = {
		{HG_SRC_DNSMASQ, "dnsmasq", HG_STRENGTH_WEAK},
		{HG_SRC_DHCP, "dhcp", HG_STRENGTH_WEAK},
		{HG_SRC_DHCPV6, "dhcpv6", HG_STRENGTH_WEAK},
		{HG_SRC_LLDP, "lldp", HG_STRENGTH_WEAK},
		{HG_SRC_QR, "qr", HG_STRENGTH_WEAK},
		{HG_SRC_DPP, "dpp", HG_STRENGTH_STRONG},
		{HG_SRC_CERT, "cert", HG_STRENGTH_CERT},
		{HG_SRC_USER, "user", HG_STRENGTH_STRONG},
	};
	struct hg_event ev;

	for (unsigned i = 0; i < ARRAY_SIZE(t); i++) {
		assert_string_equal(hg_source_name(t[i].src), t[i].name);
		assert_int_equal(hg_source_strength(t[i].src), t[i].strength);
	}
	assert_string_equal(hg_source_name((enum hg_source)0), "unknown");
	assert_int_equal(hg_source_strength((enum hg_source)99), HG_STRENGTH_WEAK);

	/* a claim carries the strength of where it came from */
	ev = lease("52:54:00:00:00:40", "192.168.50.40", "sensor", 100);
	ev.source = HG_SRC_DPP;
	apply_ok(f, ev);
	assert_int_equal(
		find_id(get(f, "52:54:00:00:00:40"), "hostname")->strength, HG_STRENGTH_STRONG);
	assert_int_equal(q_int(f, "SELECT strength FROM identities WHERE mac = ?",
				 "52:54:00:00:00:40", NULL),
		HG_STRENGTH_STRONG);
	assert_int_equal(q_int(f, "SELECT count(*) FROM audit WHERE mac = ? AND who = 'rule:dpp'",
				 "52:54:00:00:00:40", NULL),
		1);
}

static struct hg_event wifi(
	const char *mac, bool joined, const char *ap, const char *keyid, int64_t t)
{
	struct hg_event ev = {.type = HG_EV_WIFI, .source = HG_SRC_HOSTAPD, .time = t};

	ev.wifi.mac = mac_of(mac);
	ev.wifi.joined = joined;
	util_strlcpy(ev.wifi.ap, ap, sizeof(ev.wifi.ap));
	util_strlcpy(ev.wifi.keyid, keyid, sizeof(ev.wifi.keyid));
	return ev;
}

/* hostapd station events: a join creates the device and records AP and keyid, a leave ends
 * the association; both are audited once, survive a reopen, and a leave of a device never seen
 * or of another AP changes nothing. */
static void test_wifi_events(void **state)
{
	struct fx *f = *state;
	const struct device *d;
	struct audit_list l;
	struct hg_event bad;

	apply_ok(f, wifi("52:54:00:00:00:09", false, "wlan0", "", 90));
	assert_null(get(f, "52:54:00:00:00:09"));
	apply_ok(f, wifi("52:54:00:00:00:0a", true, "wlan0", "52540000000a", 100));
	d = get(f, "52:54:00:00:00:0a");
	assert_non_null(d);
	assert_true(d->wifi_assoc);
	assert_string_equal(d->wifi_ap, "wlan0");
	assert_string_equal(d->wifi_keyid, "52540000000a");
	assert_int_equal(d->wifi_since, 100);
	assert_false(d->online); /* a lease is another matter */
	/* The same join again (hostapd reconnected) is no news. */
	apply_ok(f, wifi("52:54:00:00:00:0a", true, "wlan0", "52540000000a", 110));
	audit_of(f, "52:54:00:00:00:0a", &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.e[0].action, "wifi_join");
	assert_string_equal(l.e[0].who, "rule:hostapd");
	assert_string_equal(l.e[0].why, "ap=wlan0 keyid=52540000000a");
	assert_string_equal(l.e[1].action, "create");
	/* A leave of another AP after a roam here is not the end of this association. */
	apply_ok(f, wifi("52:54:00:00:00:0a", false, "wlan1", "", 120));
	assert_true(get(f, "52:54:00:00:00:0a")->wifi_assoc);
	apply_ok(f, wifi("52:54:00:00:00:0a", false, "wlan0", "", 130));
	reopen(f);
	d = get(f, "52:54:00:00:00:0a");
	assert_false(d->wifi_assoc);
	assert_string_equal(d->wifi_ap, "wlan0");
	assert_string_equal(d->wifi_keyid, "52540000000a");
	assert_int_equal(d->wifi_since, 130);
	audit_of(f, "52:54:00:00:00:0a", &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.e[0].action, "wifi_leave");
	assert_string_equal(l.e[0].why, "ap=wlan0 keyid=52540000000a");

	/* Hostile fields: refused, nothing created. */
	bad = wifi("52:54:00:00:00:0b", true, "wl an0", "", 140);
	assert_int_equal(registry_apply_event(f->reg, &bad), -EINVAL);
	bad = wifi("52:54:00:00:00:0b", true, "", "", 140);
	assert_int_equal(registry_apply_event(f->reg, &bad), -EINVAL);
	bad = wifi("52:54:00:00:00:0b", true, "wlan0", "a b", 140);
	assert_int_equal(registry_apply_event(f->reg, &bad), -EINVAL);
	bad = wifi("52:54:00:00:00:0b", true, "wlan0", "", 140);
	memset(bad.wifi.ap, 'a', sizeof(bad.wifi.ap));
	assert_int_equal(registry_apply_event(f->reg, &bad), -EINVAL);
	bad = wifi("52:54:00:00:00:0b", true, "wlan0", "", 140);
	bad.wifi.keyid[0] = '\x01';
	assert_int_equal(registry_apply_event(f->reg, &bad), -EINVAL);
	assert_null(get(f, "52:54:00:00:00:0b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lease_creates_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lease_renew_and_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dev_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wifi_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mud_url_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transition_matrix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_who_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capacity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eviction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_last_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_restores_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreach_mac_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_failure_keeps_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_10k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill9_at_any_moment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sources, setup, teardown),
	};

	log_set_level(LOG_LEVEL_ERR); /* refusals and injected failures log by design */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
