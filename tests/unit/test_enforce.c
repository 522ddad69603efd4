/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for enforcement's controller set members and profile garbage collection, on the
 * messages the engine sends the parent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/config.h"
#include "core/evloop.h"
#include "core/log.h"
#include "core/store.h"
#include "engine/ctlmgr.h"
#include "engine/enforce.h"
#include "engine/mudmgr.h"
#include "engine/registry.h"
#include "mud/mud_cache.h"
#include "policy/nft_compile.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HUB_URL	 "https://hubs.example.test/h1.json" /* tests/data/mud/hub.json */
#define HUB2_URL "https://hubs.example.test/h2.json" /* the same rules under another URL */

struct sent {
	enum ipc_type type;
	size_t len;
	uint8_t *p;
};

struct fx {
	char dir[64], path[96];
	struct hg_config cfg;
	struct ev_loop *loop;
	struct store *st;
	struct registry *reg;
	struct mudmgr *mud;
	struct ctlmgr *cm;
	struct enforce *en;
	struct sent msgs[256];
	size_t nmsgs;
	char hub_hash[65], hub2_hash[65];
};

static int capture(enum ipc_type type, const void *p, size_t len, void *arg)
{
	struct fx *f = arg;
	struct sent *s;

	if (f->nmsgs == ARRAY_SIZE(f->msgs))
		return -ENOSPC;
	s = &f->msgs[f->nmsgs++];
	s->type = type;
	s->len = len;
	s->p = malloc(len ? len : 1);
	memcpy(s->p, p, len);
	return 0;
}

static void msgs_clear(struct fx *f)
{
	for (size_t i = 0; i < f->nmsgs; i++)
		free(f->msgs[i].p);
	f->nmsgs = 0;
}

/* The last message of type, NULL when none was sent since the last clear. */
static const struct sent *last_of(struct fx *f, enum ipc_type type)
{
	for (size_t i = f->nmsgs; i > 0; i--)
		if (f->msgs[i - 1].type == type)
			return &f->msgs[i - 1];
	return NULL;
}

static size_t count_of(struct fx *f, enum ipc_type type)
{
	size_t n = 0;

	for (size_t i = 0; i < f->nmsgs; i++)
		n += f->msgs[i].type == type;
	return n;
}

static char *read_data(const char *name, size_t *len)
{
	const char *dir = getenv("HOMEGATE_TEST_DATA");
	char path[512];
	char *buf;

	snprintf(path, sizeof(path), "%s/mud/%s", dir ? dir : "tests/data", name);
	assert_int_equal(util_read_file(path, 1 << 20, &buf, len), 0);
	return buf;
}

static struct hg_mac mac_of(const char *s)
{
	struct hg_mac m;

	assert_int_equal(util_mac_parse(s, &m), 0);
	return m;
}

/* Caches body as the accepted file of url; its hash into hash. */
static void cache(struct fx *f, const char *url, const char *body, size_t len, char hash[65])
{
	struct mud_cached c = {0};

	util_strlcpy(c.url, url, sizeof(c.url));
	assert_int_equal(mud_blob_set(&c.body, body, len), 0);
	mud_sha256_hex(body, len, c.file_hash);
	util_strlcpy(hash, c.file_hash, 65);
	c.fetched = util_now();
	c.refresh = util_now() + 3600;
	assert_int_equal(mud_cache_save(f->st, &c), 0);
	mud_cached_clear(&c);
}

/* A device that announced url, whose verified file is in force, approved. */
static void device(struct fx *f, const char *mac, const char *url, const char *hash)
{
	static const struct reg_actor a = {.who = "user:test", .why = "test"};
	struct hg_event ev = {.type = HG_EV_MUD_URL, .source = HG_SRC_USER, .time = util_now()};

	ev.mud_url.mac = mac_of(mac);
	util_strlcpy(ev.mud_url.url, url, sizeof(ev.mud_url.url));
	assert_int_equal(registry_apply_event(f->reg, &ev), 0);
	assert_int_equal(registry_set_mud(f->reg, &ev.mud_url.mac, "ok", "", hash, &a), 0);
	if (registry_get(f->reg, &ev.mud_url.mac)->state != DEV_APPROVED)
		assert_int_equal(registry_set_state(f->reg, &ev.mud_url.mac, DEV_APPROVED, &a), 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	size_t len;
	char *body, *at;

	snprintf(f->dir, sizeof(f->dir), "/tmp/hg-enforce-XXXXXX");
	if (!f || !mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/homegate.db", f->dir);
	config_defaults(&f->cfg);
	f->cfg.mud_require_signature = 0;
	f->loop = ev_loop_new();
	assert_int_equal(store_open(f->path, &f->st), 0);
	/* The hub's file as a fetch would have left it in the cache. */
	body = read_data("hub.json", &len);
	cache(f, HUB_URL, body, len, f->hub_hash);
	at = strstr(body, "/h1.json");
	assert_non_null(at);
	at[2] = '2';
	cache(f, HUB2_URL, body, len, f->hub2_hash);
	free(body);
	assert_int_equal(registry_open(f->st, 64, &f->reg), 0);
	assert_int_equal(mudmgr_open(f->loop, f->st, f->reg, &f->cfg, &f->mud), 0);
	assert_non_null(mudmgr_file(f->mud, HUB_URL));
	assert_non_null(mudmgr_file(f->mud, HUB2_URL));
	assert_int_equal(ctlmgr_open(f->st, &f->cm), 0);
	assert_int_equal(enforce_open(f->reg, f->mud, capture, f, &f->en), 0);
	enforce_set_controllers(f->en, f->cm);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char p[160];

	msgs_clear(f);
	enforce_close(f->en);
	ctlmgr_close(f->cm);
	mudmgr_close(f->mud);
	registry_close(f->reg);
	store_close(f->st);
	ev_loop_free(f->loop);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

static const struct ipc_ctl_sync *ctl_msg(struct fx *f)
{
	const struct sent *s = last_of(f, IPC_E2P_CTL_SYNC);

	assert_non_null(s);
	assert_int_equal(s->len,
		offsetof(struct ipc_ctl_sync, e) +
			((const struct ipc_ctl_sync *)(const void *)s->p)->count *
				sizeof(struct ipc_ctl_entry));
	return (const void *)s->p;
}

/* The id the hub's device was put under. */
static void hub_profile(struct fx *f, const char *mac, char id[IPC_PROFILE_ID_LEN + 1])
{
	struct hg_mac m = mac_of(mac);

	util_strlcpy(id, enforce_profile_of(f->en, &m), IPC_PROFILE_ID_LEN + 1);
	assert_int_equal(strlen(id), IPC_PROFILE_ID_LEN);
}

/* A class declaration puts the MAC into ctl_<first 12 hex of SHA-256 of the URI>; a
 * my-controller declaration into myc_<P> of the hub's profile, once a hub is under it. */
static void test_members(void **state)
{
	struct fx *f = *state;
	struct hg_mac ctl = mac_of("52:54:00:00:00:c1"), myc = mac_of("52:54:00:00:00:c2");
	const struct ipc_ctl_sync *m;
	char h[NFTC_ID_LEN + 1], id[IPC_PROFILE_ID_LEN + 1], err[200];

	device(f, "52:54:00:00:00:01", HUB_URL, f->hub_hash);
	assert_int_equal(enforce_sync(f->en), 0);
	/* nothing declared: the parent still hears that the sets are empty (it may be new) */
	m = ctl_msg(f);
	assert_int_equal(m->count, 0);
	hub_profile(f, "52:54:00:00:00:01", id);

	msgs_clear(f);
	assert_int_equal(ctlmgr_add(f->cm, CTLMGR_CLASS, "urn:ietf:params:mud:dns", &ctl,
				 "user:root", err, sizeof(err)),
		0);
	assert_int_equal(
		ctlmgr_add(f->cm, CTLMGR_MY, HUB_URL, &myc, "user:root", err, sizeof(err)), 0);
	enforce_controllers(f->en);
	m = ctl_msg(f);
	assert_int_equal(m->count, 2);
	assert_int_equal(nftc_uri_hash("urn:ietf:params:mud:dns", h), 0);
	assert_int_equal(m->e[0].kind, IPC_CTL_CLASS);
	assert_memory_equal(m->e[0].set, h, IPC_PROFILE_ID_LEN);
	assert_memory_equal(m->e[0].mac, ctl.b, 6);
	assert_int_equal(m->e[1].kind, IPC_CTL_MY);
	assert_memory_equal(m->e[1].set, id, IPC_PROFILE_ID_LEN);
	assert_memory_equal(m->e[1].mac, myc.b, 6);

	/* unchanged: nothing is sent again */
	msgs_clear(f);
	enforce_controllers(f->en);
	assert_int_equal(count_of(f, IPC_E2P_CTL_SYNC), 0);

	/* a second hub under the same profile adds no member; the hub blocked leaves its
	 * profile, and with the other hub still under it the member stays */
	device(f, "52:54:00:00:00:02", HUB_URL, f->hub_hash);
	enforce_device(f->en, &(struct hg_mac){{0x52, 0x54, 0, 0, 0, 0x02}});
	assert_int_equal(count_of(f, IPC_E2P_CTL_SYNC), 0);
	{
		static const struct reg_actor a = {.who = "user:test", .why = "test"};
		struct hg_mac h1 = mac_of("52:54:00:00:00:01"), h2 = mac_of("52:54:00:00:00:02");

		assert_int_equal(registry_set_state(f->reg, &h1, DEV_BLOCKED, &a), 0);
		enforce_device(f->en, &h1);
		assert_int_equal(count_of(f, IPC_E2P_CTL_SYNC), 0);
		/* the last hub gone: myc_ loses its member, the class member stays */
		assert_int_equal(registry_forget(f->reg, &h2, &a), 0);
		enforce_device(f->en, &h2);
	}
	m = ctl_msg(f);
	assert_int_equal(m->count, 1);
	assert_int_equal(m->e[0].kind, IPC_CTL_CLASS);

	/* the declaration removed: the set is emptied */
	msgs_clear(f);
	assert_int_equal(ctlmgr_del(f->cm, CTLMGR_CLASS, "urn:ietf:params:mud:dns", &ctl,
				 "user:root", err, sizeof(err)),
		0);
	enforce_controllers(f->en);
	assert_int_equal(ctl_msg(f)->count, 0);
}

/* A hub whose new MUD URL compiles to the same profile: the profile stays, its my-controller
 * set follows the URL. */
static void test_my_controller_follows_url(void **state)
{
	struct fx *f = *state;
	struct hg_mac c2 = mac_of("52:54:00:00:00:c2"), h1 = mac_of("52:54:00:00:00:01");
	char id[IPC_PROFILE_ID_LEN + 1], err[200];
	const struct ipc_ctl_sync *m;

	assert_int_equal(
		ctlmgr_add(f->cm, CTLMGR_MY, HUB2_URL, &c2, "user:root", err, sizeof(err)), 0);
	device(f, "52:54:00:00:00:01", HUB_URL, f->hub_hash);
	assert_int_equal(enforce_sync(f->en), 0);
	hub_profile(f, "52:54:00:00:00:01", id);
	assert_int_equal(ctl_msg(f)->count, 0); /* c2 is my-controller of h2 hubs only */
	msgs_clear(f);
	device(f, "52:54:00:00:00:01", HUB2_URL, f->hub2_hash);
	enforce_device(f->en, &h1);
	assert_string_equal(enforce_profile_of(f->en, &h1), id); /* the same profile */
	/* (its model set changes with the URL: that DEV_POLICY is all besides the members) */
	assert_int_equal(count_of(f, IPC_E2P_PROFILE), 0);
	m = ctl_msg(f);
	assert_int_equal(m->count, 1);
	assert_int_equal(m->e[0].kind, IPC_CTL_MY);
	assert_memory_equal(m->e[0].set, id, IPC_PROFILE_ID_LEN);
	assert_memory_equal(m->e[0].mac, c2.b, 6);
}

/* A pending hub's profile keeps no LAN rules: no my-controller set gets members for it. */
static void test_pending_has_no_my_controller(void **state)
{
	struct fx *f = *state;
	struct hg_event ev = {.type = HG_EV_MUD_URL, .source = HG_SRC_USER, .time = util_now()};
	static const struct reg_actor a = {.who = "user:test", .why = "test"};
	struct hg_mac myc = mac_of("52:54:00:00:00:c2");
	char err[200];

	ev.mud_url.mac = mac_of("52:54:00:00:00:01");
	util_strlcpy(ev.mud_url.url, HUB_URL, sizeof(ev.mud_url.url));
	assert_int_equal(registry_apply_event(f->reg, &ev), 0);
	assert_int_equal(registry_set_mud(f->reg, &ev.mud_url.mac, "ok", "", f->hub_hash, &a), 0);
	assert_int_equal(registry_set_state(f->reg, &ev.mud_url.mac, DEV_PENDING, &a), 0);
	assert_int_equal(
		ctlmgr_add(f->cm, CTLMGR_MY, HUB_URL, &myc, "user:root", err, sizeof(err)), 0);
	assert_int_equal(enforce_sync(f->en), 0);
	assert_string_not_equal(enforce_profile_of(f->en, &ev.mud_url.mac), "");
	assert_int_equal(ctl_msg(f)->count, 0);
}

/* A profile is dropped only after the grace period without devices, once; a device that
 * comes back makes the engine send it again before the device's op. */
static void test_gc(void **state)
{
	struct fx *f = *state;
	static const struct reg_actor a = {.who = "user:test", .why = "test"};
	struct hg_mac h1 = mac_of("52:54:00:00:00:01"), h2 = mac_of("52:54:00:00:00:02");
	const struct ipc_profile_drop *d;
	char id[IPC_PROFILE_ID_LEN + 1];
	int64_t t0;

	device(f, "52:54:00:00:00:01", HUB_URL, f->hub_hash);
	device(f, "52:54:00:00:00:02", HUB_URL, f->hub_hash);
	assert_int_equal(enforce_sync(f->en), 0);
	hub_profile(f, "52:54:00:00:00:01", id);
	assert_int_equal(count_of(f, IPC_E2P_PROFILE), 1); /* shared by both hubs */

	/* in use: never dropped, however long */
	msgs_clear(f);
	t0 = util_mono_ms();
	assert_int_equal(enforce_gc(f->en, t0 + 86400000, 600000), 0);
	assert_int_equal(count_of(f, IPC_E2P_PROFILE_DROP), 0);

	/* one hub forgotten, the other still under it: kept */
	assert_int_equal(registry_forget(f->reg, &h1, &a), 0);
	enforce_device(f->en, &h1);
	assert_int_equal(enforce_gc(f->en, t0 + 86400000, 600000), 0);

	/* the last one forgotten: kept during the grace period, dropped after it */
	assert_int_equal(registry_forget(f->reg, &h2, &a), 0);
	enforce_device(f->en, &h2);
	t0 = util_mono_ms();
	assert_int_equal(enforce_gc(f->en, t0 + 599000, 600000), 0);
	assert_int_equal(count_of(f, IPC_E2P_PROFILE_DROP), 0);
	assert_int_equal(enforce_gc(f->en, t0 + 601000, 600000), 1);
	d = (const void *)last_of(f, IPC_E2P_PROFILE_DROP)->p;
	assert_memory_equal(d->id, id, IPC_PROFILE_ID_LEN);
	assert_int_equal(enforce_gc(f->en, t0 + 900000, 600000), 0); /* once */

	/* back: the profile travels again (from the MUD cache), before the device's op */
	msgs_clear(f);
	device(f, "52:54:00:00:00:01", HUB_URL, f->hub_hash);
	enforce_device(f->en, &h1);
	assert_int_equal(count_of(f, IPC_E2P_PROFILE), 1);
	assert_int_equal(f->msgs[0].type, IPC_E2P_PROFILE);
	assert_memory_equal(((const struct ipc_profile_chunk *)(const void *)f->msgs[0].p)->id, id,
		IPC_PROFILE_ID_LEN);
	assert_non_null(last_of(f, IPC_E2P_DEV_POLICY));
}

/* A device moving from one profile to another starts the old one's grace period. */
static void test_gc_after_move(void **state)
{
	struct fx *f = *state;
	static const struct reg_actor a = {.who = "user:test", .why = "test"};
	struct hg_mac h1 = mac_of("52:54:00:00:00:01");
	char id[IPC_PROFILE_ID_LEN + 1];
	const struct ipc_profile_drop *d;
	int64_t t0;

	device(f, "52:54:00:00:00:01", HUB_URL, f->hub_hash);
	assert_int_equal(enforce_sync(f->en), 0);
	hub_profile(f, "52:54:00:00:00:01", id);
	assert_int_equal(registry_set_state(f->reg, &h1, DEV_QUARANTINED, &a), 0);
	enforce_device(f->en, &h1);
	assert_string_not_equal(enforce_profile_of(f->en, &h1), id);
	msgs_clear(f);
	t0 = util_mono_ms();
	/* only the hub's profile goes; the quarantine profile it is under now stays */
	assert_int_equal(enforce_gc(f->en, t0 + 2000, 1000), 1);
	d = (const void *)last_of(f, IPC_E2P_PROFILE_DROP)->p;
	assert_memory_equal(d->id, id, IPC_PROFILE_ID_LEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_members, setup, teardown),
		cmocka_unit_test_setup_teardown(test_my_controller_follows_url, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_has_no_my_controller, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gc_after_move, setup, teardown),
	};
	int ret;

	log_set_level(LOG_LEVEL_ERR);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return ret;
}
