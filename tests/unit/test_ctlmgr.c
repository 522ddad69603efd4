/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the controller declarations: validation, persistence, audit, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "core/store.h"
#include "engine/ctlmgr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fx {
	char dir[64], path[96];
	struct store *st;
	struct ctlmgr *cm;
	unsigned changes;
};

static void on_change(void *arg)
{
	((struct fx *)arg)->changes++;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/hg-ctlmgr-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/homegate.db", f->dir);
	if (store_open(f->path, &f->st) < 0 || ctlmgr_open(f->st, &f->cm) < 0)
		return -1;
	ctlmgr_set_observer(f->cm, on_change, f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char p[160];

	ctlmgr_close(f->cm);
	store_close(f->st);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

static struct hg_mac mac_of(const char *s)
{
	struct hg_mac m;

	assert_int_equal(util_mac_parse(s, &m), 0);
	return m;
}

static int count_rows(struct store *st, const char *sql)
{
	sqlite3_stmt *q;
	int n;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return n;
}

/* RFC 8520's own class URIs (§8: urn:ietf:params:mud:dns, :ntp) and https URIs pass; what a
 * MUD file could not name, or what is not a URI, does not. */
static void test_class_uri_rules(void **state)
{
	char longer[300];

	(void)state;
	assert_true(ctlmgr_class_uri_valid("urn:ietf:params:mud:dns"));
	assert_true(ctlmgr_class_uri_valid("urn:ietf:params:mud:ntp"));
	assert_true(ctlmgr_class_uri_valid("https://hubs.example.test/controller"));
	assert_false(ctlmgr_class_uri_valid(""));
	assert_false(ctlmgr_class_uri_valid("controller")); /* no scheme */
	assert_false(ctlmgr_class_uri_valid("urn:"));	    /* nothing after it */
	assert_false(ctlmgr_class_uri_valid("1urn:x"));	    /* scheme starts with a letter */
	assert_false(ctlmgr_class_uri_valid("ur n:x"));	    /* space */
	assert_false(ctlmgr_class_uri_valid("urn:a b"));    /* space */
	assert_false(ctlmgr_class_uri_valid("urn:a\tb"));   /* control character */
	assert_false(ctlmgr_class_uri_valid("https://"));   /* no host: mud_url_valid */
	assert_false(ctlmgr_class_uri_valid("https://h.test/#frag")); /* fragment */
	memset(longer, 'a', sizeof(longer));
	memcpy(longer, "urn:", 4);
	longer[256] = 0;
	assert_false(ctlmgr_class_uri_valid(longer));
	longer[255] = 0;
	assert_true(ctlmgr_class_uri_valid(longer));
}

static void test_add_del_list(void **state)
{
	struct fx *f = *state;
	struct hg_mac a = mac_of("52:54:00:00:00:0a"), b = mac_of("52:54:00:00:00:0b");
	const struct ctlmgr_entry *e;
	char err[200];

	assert_int_equal(ctlmgr_add(f->cm, CTLMGR_CLASS, "urn:ietf:params:mud:dns", &a, "user:root",
				 err, sizeof(err)),
		0);
	assert_int_equal(ctlmgr_add(f->cm, CTLMGR_MY, "https://hubs.example.test/h1.json", &b,
				 "user:root", err, sizeof(err)),
		0);
	assert_int_equal(ctlmgr_add(f->cm, CTLMGR_CLASS, "urn:ietf:params:mud:dns", &b, "user:root",
				 err, sizeof(err)),
		0);
	assert_int_equal(f->changes, 3);
	assert_int_equal(ctlmgr_count(f->cm), 3);
	/* by kind, URI, MAC */
	e = ctlmgr_get(f->cm, 0);
	assert_int_equal(e->kind, CTLMGR_CLASS);
	assert_true(util_mac_equal(&e->mac, &a));
	assert_string_equal(e->who, "user:root");
	assert_true(util_mac_equal(&ctlmgr_get(f->cm, 1)->mac, &b));
	e = ctlmgr_get(f->cm, 2);
	assert_int_equal(e->kind, CTLMGR_MY);
	assert_string_equal(e->uri, "https://hubs.example.test/h1.json");
	assert_null(ctlmgr_get(f->cm, 3));

	/* the same declaration twice changes nothing */
	assert_int_equal(ctlmgr_add(f->cm, CTLMGR_CLASS, "urn:ietf:params:mud:dns", &a, "user:root",
				 err, sizeof(err)),
		-EEXIST);
	assert_int_equal(f->changes, 3);
	/* a class declaration is not a my-controller declaration of the same string */
	assert_int_equal(ctlmgr_del(f->cm, CTLMGR_MY, "https://hubs.example.test/h1.json", &a,
				 "user:root", err, sizeof(err)),
		-ENOENT);
	assert_int_equal(ctlmgr_del(f->cm, CTLMGR_CLASS, "urn:ietf:params:mud:dns", &a,
				 "user:admin", err, sizeof(err)),
		0);
	assert_int_equal(ctlmgr_count(f->cm), 2);
	assert_int_equal(f->changes, 4);
	assert_int_equal(count_rows(f->st, "SELECT count(*) FROM controllers"), 2);
	/* every change has its audit row on the controller's MAC */
	assert_int_equal(count_rows(f->st,
				 "SELECT count(*) FROM audit WHERE action = 'controller_add' AND"
				 " mac = '52:54:00:00:00:0b' AND who = 'user:root' AND"
				 " why = 'for=https://hubs.example.test/h1.json'"),
		1);
	assert_int_equal(count_rows(f->st,
				 "SELECT count(*) FROM audit WHERE action = 'controller_del' AND"
				 " mac = '52:54:00:00:00:0a' AND who = 'user:admin' AND"
				 " why = 'class=urn:ietf:params:mud:dns'"),
		1);
}

static void test_refusals_change_nothing(void **state)
{
	struct fx *f = *state;
	struct hg_mac ok = mac_of("52:54:00:00:00:0a"), mcast = mac_of("01:00:5e:00:00:01"),
		      zero = mac_of("00:00:00:00:00:00");
	char err[200];

	err[0] = 0;
	assert_int_equal(ctlmgr_add(f->cm, CTLMGR_CLASS, "dns", &ok, "user:root", err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "controller class is a URI"));
	assert_int_equal(ctlmgr_add(f->cm, CTLMGR_MY, "http://hubs.example.test/h1.json", &ok,
				 "user:root", err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "https URL"));
	assert_int_equal(ctlmgr_add(f->cm, CTLMGR_CLASS, "urn:ietf:params:mud:dns", &mcast,
				 "user:root", err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "unicast MAC"));
	assert_int_equal(ctlmgr_add(f->cm, CTLMGR_CLASS, "urn:ietf:params:mud:dns", &zero,
				 "user:root", err, sizeof(err)),
		-EINVAL);
	assert_int_equal(ctlmgr_count(f->cm), 0);
	assert_int_equal(f->changes, 0);
	assert_int_equal(count_rows(f->st, "SELECT count(*) FROM controllers"), 0);
	assert_int_equal(count_rows(f->st, "SELECT count(*) FROM audit"), 0);
}

static void test_persists_across_reopen(void **state)
{
	struct fx *f = *state;
	struct hg_mac a = mac_of("52:54:00:00:00:0a");
	char err[200];

	assert_int_equal(ctlmgr_add(f->cm, CTLMGR_MY, "https://hubs.example.test/h1.json", &a,
				 "user:root", err, sizeof(err)),
		0);
	ctlmgr_close(f->cm);
	/* a row a newer build (or a hand edit) left that this build cannot use is skipped */
	assert_int_equal(sqlite3_exec(store_db(f->st),
				 "INSERT INTO controllers (kind, uri, mac, added) VALUES"
				 " ('class', 'not a uri', '52:54:00:00:00:0c', 1),"
				 " ('other', 'urn:x:y', '52:54:00:00:00:0d', 1)",
				 NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_equal(ctlmgr_open(f->st, &f->cm), 0);
	assert_int_equal(ctlmgr_count(f->cm), 1);
	assert_int_equal(ctlmgr_get(f->cm, 0)->kind, CTLMGR_MY);
	assert_true(util_mac_equal(&ctlmgr_get(f->cm, 0)->mac, &a));
	assert_true(ctlmgr_get(f->cm, 0)->added > 0);
}

static void test_limit(void **state)
{
	struct fx *f = *state;
	char err[200], uri[64];
	struct hg_mac a = mac_of("52:54:00:00:00:0a");

	for (int i = 0; i < CTLMGR_MAX; i++) {
		snprintf(uri, sizeof(uri), "urn:example:class:%d", i);
		assert_int_equal(
			ctlmgr_add(f->cm, CTLMGR_CLASS, uri, &a, "user:root", err, sizeof(err)), 0);
	}
	assert_int_equal(ctlmgr_add(f->cm, CTLMGR_CLASS, "urn:example:one-more", &a, "user:root",
				 err, sizeof(err)),
		-ENOSPC);
	assert_int_equal(ctlmgr_count(f->cm), CTLMGR_MAX);
	assert_int_equal(count_rows(f->st, "SELECT count(*) FROM controllers"), CTLMGR_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_class_uri_rules),
		cmocka_unit_test_setup_teardown(test_add_del_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_change_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persists_across_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
	};

	log_set_level(LOG_LEVEL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
