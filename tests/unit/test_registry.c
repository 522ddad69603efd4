/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the store and the device registry: facts, lifecycle, audit, forget, restart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/store.h"
#include "engine/registry.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fx {
	char dir[64], path[96];
	struct store *st;
	struct registry *reg;
	int notified;
	enum dev_state last_to;
};

static const struct reg_actor user = {.who = "user:test", .why = "because"};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/hg-reg.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/homegate.db", f->dir);
	if (store_open(f->path, &f->st) || registry_open(f->st, 100, &f->reg))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	registry_close(f->reg);
	store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void reopen(struct fx *f)
{
	registry_close(f->reg);
	store_close(f->st);
	assert_int_equal(store_open(f->path, &f->st), 0);
	assert_int_equal(registry_open(f->st, 100, &f->reg), 0);
}

static struct hg_event lease(const char *mac, const char *ip, const char *host, int64_t t)
{
	struct hg_event ev = {.type = HG_EV_DHCP_LEASE, .source = HG_SRC_DNSMASQ, .time = t};

	ev.lease.op = HG_LEASE_ADD;
	util_mac_parse(mac, &ev.lease.mac);
	ev.lease.addr.family = AF_INET;
	inet_pton(AF_INET, ip, &ev.lease.addr.v4);
	if (host) {
		util_strlcpy(ev.lease.hostname, host, sizeof(ev.lease.hostname));
		ev.lease.flags |= HG_LEASE_HAS_HOSTNAME;
	}
	ev.lease.expires = t + 3600;
	ev.lease.flags |= HG_LEASE_HAS_EXPIRES;
	return ev;
}

static const struct device *get(struct fx *f, const char *mac)
{
	struct hg_mac m;

	util_mac_parse(mac, &m);
	return registry_get(f->reg, &m);
}

static int count(struct fx *f, const char *sql)
{
	sqlite3_stmt *st;
	int n = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(f->st), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void test_store_basics(void **state)
{
	struct fx *f = *state;
	struct stat sb;

	assert_int_equal(store_version(f->st), 1);
	assert_int_equal(store_check(f->st), 0);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(
		count(f, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
}

static void test_newer_schema_refused(void **state)
{
	struct fx *f = *state;
	struct store *st2 = NULL;

	assert_int_equal(
		sqlite3_exec(store_db(f->st), "PRAGMA user_version = 99", NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_equal(store_open(f->path, &st2), -EPROTO);
	assert_null(st2);
}

static void test_lease_facts(void **state)
{
	struct fx *f = *state;
	struct hg_event ev = lease("52:54:00:00:00:01", "192.168.50.10", "cam", 100);
	const struct device *d;

	util_strlcpy(ev.lease.vendor_class, "udhcp 1.30", sizeof(ev.lease.vendor_class));
	util_strlcpy(ev.lease.requested_options, "1,3,6", sizeof(ev.lease.requested_options));
	util_strlcpy(ev.lease.mud_url, "https://m.example/x.json", sizeof(ev.lease.mud_url));
	ev.lease.flags |= HG_LEASE_HAS_VENDOR | HG_LEASE_HAS_OPTIONS | HG_LEASE_HAS_MUD_URL;
	assert_int_equal(registry_apply_event(f->reg, &ev), 0);
	d = get(f, "52:54:00:00:00:01");
	assert_non_null(d);
	assert_int_equal(d->state, DEV_NEW);
	assert_string_equal(d->hostname, "cam");
	assert_true(d->online);
	assert_int_equal(d->naddrs, 1);
	assert_int_equal(d->addrs[0].expires, 3700);
	assert_int_equal(d->nids, 4);
	assert_int_equal(d->ids[0].strength, HG_STRENGTH_WEAK);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action = 'create'"), 1);

	/* renewal: new expiry, no duplicate identities */
	ev.time = 200;
	ev.lease.expires = 3800;
	ev.lease.op = HG_LEASE_OLD;
	assert_int_equal(registry_apply_event(f->reg, &ev), 0);
	d = get(f, "52:54:00:00:00:01");
	assert_int_equal(d->nids, 4);
	assert_int_equal(d->addrs[0].expires, 3800);
	assert_int_equal(d->last_seen, 200);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action = 'create'"), 1);

	/* release */
	ev.lease.op = HG_LEASE_DEL;
	ev.time = 300;
	assert_int_equal(registry_apply_event(f->reg, &ev), 0);
	d = get(f, "52:54:00:00:00:01");
	assert_false(d->online);
	assert_int_equal(d->addrs[0].expires, 300);

	/* the MUD URL event records the URL and its source */
	ev.type = HG_EV_MUD_URL;
	util_mac_parse("52:54:00:00:00:01", &ev.mud_url.mac);
	util_strlcpy(ev.mud_url.url, "https://m.example/x.json", sizeof(ev.mud_url.url));
	assert_int_equal(registry_apply_event(f->reg, &ev), 0);
	d = get(f, "52:54:00:00:00:01");
	assert_string_equal(d->mud_url, "https://m.example/x.json");
	assert_int_equal(d->mud_source, HG_SRC_DNSMASQ);
}

static void test_hostile_strings(void **state)
{
	struct fx *f = *state;
	struct hg_event ev = lease("52:54:00:00:00:02", "192.168.50.11", "x\x1b[31mred", 100);
	const struct device *d;

	assert_int_equal(registry_apply_event(f->reg, &ev), 0);
	d = get(f, "52:54:00:00:00:02");
	assert_string_equal(d->hostname, "x?[31mred");
	ev = lease("01:00:5e:00:00:01", "192.168.50.12", NULL, 100);
	assert_int_equal(registry_apply_event(f->reg, &ev), -EINVAL);
}

static void observer(const struct hg_mac *mac, enum dev_state from, enum dev_state to, void *arg)
{
	struct fx *f = arg;

	(void)mac;
	(void)from;
	f->notified++;
	f->last_to = to;
}

static void test_lifecycle(void **state)
{
	struct fx *f = *state;
	struct hg_event ev = lease("52:54:00:00:00:03", "192.168.50.13", "tv", 100);
	const struct reg_actor bad = {.who = "User Root", .why = ""};
	struct hg_mac m = ev.lease.mac, unknown;

	registry_set_observer(f->reg, observer, f);
	assert_int_equal(registry_apply_event(f->reg, &ev), 0);
	assert_int_equal(f->notified, 1); /* creation */
	assert_int_equal(registry_set_state(f->reg, &m, DEV_PENDING, &bad), -EINVAL);
	assert_int_equal(registry_set_state(f->reg, &m, DEV_PENDING, &user), 0);
	assert_int_equal(registry_set_state(f->reg, &m, DEV_PENDING, &user), -EALREADY);
	assert_int_equal(registry_set_state(f->reg, &m, DEV_NEW, &user), -EINVAL);
	assert_int_equal(registry_release(f->reg, &m, &user), -EINVAL); /* not quarantined */
	assert_int_equal(registry_set_state(f->reg, &m, DEV_APPROVED, &user), 0);
	assert_int_equal(registry_set_state(f->reg, &m, DEV_PENDING, &user), -EINVAL);
	assert_int_equal(registry_set_state(f->reg, &m, DEV_QUARANTINED, &user), 0);
	assert_int_equal(f->last_to, DEV_QUARANTINED);
	assert_int_equal(registry_release(f->reg, &m, &user), 0);
	assert_int_equal(registry_get(f->reg, &m)->state, DEV_APPROVED); /* previous state back */
	assert_int_equal(registry_set_state(f->reg, &m, DEV_BLOCKED, &user), 0);
	assert_int_equal(registry_set_state(f->reg, &m, DEV_QUARANTINED, &user), -EINVAL);
	assert_int_equal(registry_set_state(f->reg, &m, DEV_PENDING, &user), 0);
	util_mac_parse("52:54:00:99:99:99", &unknown);
	assert_int_equal(registry_set_state(f->reg, &unknown, DEV_APPROVED, &user), -ENOENT);
	assert_int_equal(f->notified, 7);
	assert_int_equal(count(f,
				 "SELECT count(*) FROM audit WHERE action = 'state' AND who = "
				 "'user:test' AND why = 'because'"),
		6);
	reopen(f);
	assert_int_equal(get(f, "52:54:00:00:00:03")->state, DEV_PENDING);
	assert_string_equal(get(f, "52:54:00:00:00:03")->hostname, "tv");
}

static int collect(const struct audit_entry *e, void *arg)
{
	char *out = arg;

	strncat(out, e->action, 1000 - strlen(out));
	strncat(out, ",", 1000 - strlen(out));
	return 0;
}

static void test_forget_and_audit(void **state)
{
	struct fx *f = *state;
	struct hg_event ev = lease("52:54:00:00:00:04", "192.168.50.14", "plug", 100);
	struct hg_mac m = ev.lease.mac;
	char actions[1001] = "";

	assert_int_equal(registry_apply_event(f->reg, &ev), 0);
	assert_int_equal(registry_set_state(f->reg, &m, DEV_BLOCKED, &user), 0);
	assert_int_equal(registry_forget(f->reg, &m, &user), 0);
	assert_null(registry_get(f->reg, &m));
	assert_int_equal(registry_forget(f->reg, &m, &user), -ENOENT);
	assert_int_equal(
		count(f, "SELECT count(*) FROM devices WHERE mac = '52:54:00:00:00:04'"), 0);
	assert_int_equal(
		count(f, "SELECT count(*) FROM addresses WHERE mac = '52:54:00:00:00:04'"), 0);
	assert_int_equal(
		count(f, "SELECT count(*) FROM identities WHERE mac = '52:54:00:00:00:04'"), 0);
	assert_int_equal(count(f,
				 "SELECT count(*) FROM audit WHERE mac = '52:54:00:00:00:04' AND "
				 "why = 'because' AND action != 'forget'"),
		0);
	assert_int_equal(registry_audit_foreach(f->reg, &m, 10, collect, actions), 0);
	assert_string_equal(actions, "forget,state,create,");
	actions[0] = '\0';
	assert_int_equal(registry_audit_foreach(f->reg, &m, 1, collect, actions), 0);
	assert_string_equal(actions, "forget,");
	reopen(f);
	assert_null(get(f, "52:54:00:00:00:04"));
}

static void test_capacity_and_eviction(void **state)
{
	struct fx *f = *state;
	char mac[18], ip[16];

	for (int i = 0; i < 100; i++) {
		struct hg_event ev;

		snprintf(mac, sizeof(mac), "52:54:00:01:00:%02x", i);
		snprintf(ip, sizeof(ip), "10.0.0.%d", i);
		ev = lease(mac, ip, NULL, 100 + i);
		assert_int_equal(registry_apply_event(f->reg, &ev), 0);
	}
	{
		struct hg_event ev = lease("52:54:00:02:00:00", "10.0.1.1", NULL, 500);

		assert_int_equal(registry_apply_event(f->reg, &ev), -ENOSPC);
	}
	assert_int_equal(registry_count(f->reg), 100);
	/* addresses beyond DEV_MAX_ADDRS evict the oldest */
	for (int i = 0; i < DEV_MAX_ADDRS + 3; i++) {
		struct hg_event ev;

		snprintf(ip, sizeof(ip), "10.1.0.%d", i);
		ev = lease("52:54:00:01:00:00", ip, NULL, 1000 + i);
		assert_int_equal(registry_apply_event(f->reg, &ev), 0);
	}
	assert_int_equal(get(f, "52:54:00:01:00:00")->naddrs, DEV_MAX_ADDRS);
	assert_int_equal(count(f, "SELECT count(*) FROM addresses WHERE mac = '52:54:00:01:00:00'"),
		DEV_MAX_ADDRS);
}

static void test_flush_last_seen(void **state)
{
	struct fx *f = *state;
	struct hg_event ev = lease("52:54:00:00:00:05", "192.168.50.15", "hub", 100);

	assert_int_equal(registry_apply_event(f->reg, &ev), 0);
	ev.time = 999; /* same facts: only last_seen changes, kept in memory */
	ev.lease.expires = 3700;
	assert_int_equal(registry_apply_event(f->reg, &ev), 0);
	assert_int_equal(
		count(f, "SELECT last_seen FROM devices WHERE mac = '52:54:00:00:00:05'"), 100);
	assert_int_equal(registry_flush(f->reg), 0);
	assert_int_equal(
		count(f, "SELECT last_seen FROM devices WHERE mac = '52:54:00:00:00:05'"), 999);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store_basics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lease_facts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget_and_audit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capacity_and_eviction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_last_seen, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
