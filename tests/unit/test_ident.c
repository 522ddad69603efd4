/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the identifier's device table: creation with the OUI signal, change
 * reporting, MAC order, deletion under collisions and growth, the device limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "identify/ident.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ERR_MAX 512

static const char db_text[] = "homegate-fpdb 1\n"
			      "vendor \"Acme\"\n"
			      "\trule oui contains \"acme\" 0.6\n"
			      "device \"Acme\" \"Cam 1\" camera\n"
			      "\trule dhcp.hostname prefix acmecam 0.9\n";

struct fixture {
	struct fpdb *db;
	struct oui_db *oui;
};

static int setup(void **state)
{
	char err[ERR_MAX], path[] = "/tmp/test_ident_oui.XXXXXX";
	struct fixture *f = calloc(1, sizeof(*f));
	FILE *fp;
	int fd;

	assert_non_null(f);
	f->db = fpdb_new();
	assert_non_null(f->db);
	if (fpdb_load_buf(f->db, "t.fpdb", db_text, strlen(db_text), err, sizeof(err)) != 0)
		fail_msg("%s", err);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs("# test registry\n001122 Acme Devices Inc.\n0A0000 Not Reachable\n", fp);
	assert_int_equal(fclose(fp), 0);
	if (oui_load(path, &f->oui, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	unlink(path);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	oui_free(f->oui);
	fpdb_free(f->db);
	free(f);
	return 0;
}

static struct hg_mac mac_of(uint8_t a, uint8_t b, uint8_t c, uint32_t n)
{
	struct hg_mac m = {{a, b, c, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n}};

	return m;
}

static void test_new_device_and_changes(void **state)
{
	struct fixture *f = *state;
	struct ident *id = ident_new(f->db, f->oui, 0);
	struct hg_mac acme = mac_of(0x00, 0x11, 0x22, 1), other = mac_of(0x00, 0x99, 0x99, 2);
	struct classify_result r;

	assert_non_null(id);
	assert_false(ident_result(id, &acme, &r));

	/* The first signal creates the device; its OUI alone already names the vendor. */
	assert_false(ident_signal(id, &acme, HG_SIG_DNS_QUERY, "time.example.com"));
	assert_int_equal(ident_count(id), 1);
	assert_true(ident_result(id, &acme, &r));
	assert_string_equal(r.vendor, "Acme");
	assert_string_equal(r.model, "unknown");

	/* A change is reported once; a repeat is not a change. */
	assert_true(ident_signal(id, &acme, HG_SIG_DHCP_HOSTNAME, "acmecam-42"));
	assert_true(ident_result(id, &acme, &r));
	assert_string_equal(r.vendor, "Acme");
	assert_string_equal(r.model, "Cam 1");
	assert_string_equal(r.category, "camera");
	assert_false(ident_signal(id, &acme, HG_SIG_DHCP_HOSTNAME, "acmecam-42"));
	assert_false(ident_signal(id, &acme, HG_SIG_DNS_QUERY, "time.example.com"));

	/* A device of an unregistered OUI stays unknown until something names it. */
	ident_seen(id, &other);
	assert_int_equal(ident_count(id), 2);
	assert_true(ident_result(id, &other, &r));
	assert_string_equal(r.vendor, "unknown");
	assert_string_equal(r.category, "unknown");
	assert_false(ident_signal(id, &other, HG_SIG_DNS_QUERY, "example.org"));
	assert_true(ident_signal(id, &other, HG_SIG_DHCP_HOSTNAME, "acmecam-7"));
	ident_seen(id, &other);
	assert_int_equal(ident_count(id), 2);
	assert_int_equal(ident_dropped(id), 0);
	ident_free(id);
}

static void test_locally_administered(void **state)
{
	struct fixture *f = *state;
	struct ident *id = ident_new(f->db, f->oui, 0);
	/* 0A:00:00 is in the test registry, but bit 0x02 makes it a randomised address. */
	struct hg_mac local = mac_of(0x0a, 0x00, 0x00, 3), acme = mac_of(0x00, 0x11, 0x22, 3);
	struct classify_result r;

	assert_non_null(id);
	ident_seen(id, &local);
	assert_true(ident_result(id, &local, &r));
	assert_string_equal(r.vendor, "unknown");
	/* Without a registry, not even a registered OUI gives a signal. */
	ident_free(id);
	id = ident_new(f->db, NULL, 0);
	assert_non_null(id);
	ident_seen(id, &acme);
	assert_true(ident_result(id, &acme, &r));
	assert_string_equal(r.vendor, "unknown");
	ident_free(id);
}

struct order {
	size_t n;
	struct hg_mac prev;
	int sorted;
};

static void collect(void *ctx, const struct hg_mac *mac, const struct classify_result *r)
{
	struct order *o = ctx;

	assert_non_null(r);
	if (o->n && memcmp(o->prev.b, mac->b, 6) >= 0)
		o->sorted = 0;
	o->prev = *mac;
	o->n++;
}

static void test_foreach_order(void **state)
{
	struct fixture *f = *state;
	struct ident *id = ident_new(f->db, f->oui, 0);
	struct order o = {.sorted = 1};
	struct classify_result r;

	assert_non_null(id);
	ident_foreach(id, collect, &o);
	assert_int_equal(o.n, 0);
	for (uint32_t i = 0; i < 300; i++) {
		struct hg_mac m = mac_of((uint8_t)(i * 37 % 7 * 4), 0x11, 0x22, i * 7919 % 1000);

		ident_seen(id, &m);
	}
	assert_int_equal(ident_count(id), 300);
	ident_foreach(id, collect, &o);
	assert_int_equal(o.n, 300);
	assert_true(o.sorted);
	{
		struct hg_mac first = mac_of(0, 0x11, 0x22, 0);

		assert_true(ident_result(id, &first, &r));
	}
	ident_free(id);
}

static void test_forget_under_collisions(void **state)
{
	struct fixture *f = *state;
	struct ident *id = ident_new(f->db, f->oui, 0);
	struct classify_result r;
	enum { N = 1000 };

	assert_non_null(id);
	for (uint32_t i = 0; i < N; i++) {
		struct hg_mac m = mac_of(0x00, 0x11, 0x22, i);

		ident_seen(id, &m);
		if (i % 5 == 0)
			assert_false(ident_signal(id, &m, HG_SIG_DNS_QUERY, "time.example.com"));
	}
	assert_int_equal(ident_count(id), N);
	for (uint32_t i = 0; i < N; i += 3) {
		struct hg_mac m = mac_of(0x00, 0x11, 0x22, i);

		ident_forget(id, &m);
	}
	assert_int_equal(ident_count(id), N - (N + 2) / 3);
	for (uint32_t i = 0; i < N; i++) {
		struct hg_mac m = mac_of(0x00, 0x11, 0x22, i);

		if (i % 3 == 0) {
			assert_false(ident_result(id, &m, &r));
		} else {
			if (!ident_result(id, &m, &r))
				fail_msg("device %u lost after deletions", i);
			assert_string_equal(r.vendor, "Acme");
		}
	}
	/* Forgetting what is not there changes nothing; a forgotten device comes back new. */
	{
		struct hg_mac m = mac_of(0x00, 0x11, 0x22, 0), absent = mac_of(0x00, 0x11, 0x23, 1);

		ident_forget(id, &absent);
		ident_forget(id, &m);
		assert_int_equal(ident_count(id), N - (N + 2) / 3);
		assert_true(ident_signal(id, &m, HG_SIG_DHCP_HOSTNAME, "acmecam"));
		assert_true(ident_result(id, &m, &r));
		assert_string_equal(r.model, "Cam 1");
	}
	/* Everything left still goes by in order. */
	{
		struct order o = {.sorted = 1};

		ident_foreach(id, collect, &o);
		assert_int_equal(o.n, ident_count(id));
		assert_true(o.sorted);
	}
	ident_free(id);
}

static void test_max_devices(void **state)
{
	struct fixture *f = *state;
	struct ident *id = ident_new(f->db, f->oui, 10);
	struct hg_mac m;
	struct classify_result r;

	assert_non_null(id);
	for (uint32_t i = 0; i < 10; i++) {
		m = mac_of(0x00, 0x11, 0x22, i);
		ident_seen(id, &m);
	}
	assert_int_equal(ident_count(id), 10);
	assert_int_equal(ident_dropped(id), 0);
	m = mac_of(0x00, 0x11, 0x22, 10);
	assert_false(ident_signal(id, &m, HG_SIG_DHCP_HOSTNAME, "acmecam"));
	ident_seen(id, &m);
	assert_false(ident_result(id, &m, &r));
	assert_int_equal(ident_count(id), 10);
	assert_int_equal(ident_dropped(id), 2);
	/* Known devices still learn; a forgotten one makes room. */
	m = mac_of(0x00, 0x11, 0x22, 9);
	assert_true(ident_signal(id, &m, HG_SIG_DHCP_HOSTNAME, "acmecam"));
	ident_forget(id, &m);
	m = mac_of(0x00, 0x11, 0x22, 10);
	assert_true(ident_signal(id, &m, HG_SIG_DHCP_HOSTNAME, "acmecam"));
	assert_int_equal(ident_count(id), 10);
	assert_int_equal(ident_dropped(id), 2);
	ident_free(id);
	ident_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_device_and_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locally_administered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreach_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget_under_collisions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_devices, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
