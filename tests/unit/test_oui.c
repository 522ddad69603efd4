/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the OUI registry: the three formats, names made printable, lookups, the
 * rejections with their line, the shipped fallback list and (when installed) ieee-data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "identify/oui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ERR_MAX 512

static void data_path(char *out, size_t outlen, const char *name)
{
	const char *dir = getenv("HOMEGATE_TEST_DATA");

	snprintf(out, outlen, "%s/%s", dir ? dir : "tests/data", name);
}

static struct oui_db *load_ok(const char *path)
{
	char err[ERR_MAX];
	struct oui_db *db = NULL;

	if (oui_load(path, &db, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_non_null(db);
	return db;
}

static const char *org(const struct oui_db *db, uint8_t a, uint8_t b, uint8_t c)
{
	const uint8_t mac[6] = {a, b, c, 0x12, 0x34, 0x56};

	return oui_lookup(db, mac);
}

static void test_txt(void **state)
{
	char path[512];
	struct oui_db *db;

	(void)state;
	data_path(path, sizeof(path), "oui/oui.txt");
	db = load_ok(path);
	assert_int_equal(oui_count(db), 8); /* nine "(hex)" lines, 00-01-C8 twice */
	assert_string_equal(org(db, 0x00, 0x17, 0x88), "Philips Lighting BV");
	/* accents dropped, no-break spaces and full-width forms made ASCII, white space
	 * trimmed; the CR of each line is not part of the name */
	assert_string_equal(org(db, 0x68, 0xa4, 0x0e), "BSH Hausgerate GmbH");
	assert_string_equal(org(db, 0x44, 0xb2, 0x95), "Sichuan AI-Link Technology Co., Ltd.");
	assert_string_equal(org(db, 0x20, 0x32, 0x33), "SHENZHEN BILIAN ELECTRONIC CO.,LTD");
	assert_string_equal(org(db, 0x54, 0x14, 0x73), "Wingtech Group (HongKong)Limited");
	assert_string_equal(org(db, 0x50, 0xc7, 0xbf), "TP-LINK TECHNOLOGIES CO.,LTD.");
	/* the first of a duplicated assignment */
	assert_string_equal(org(db, 0x00, 0x01, 0xc8), "THOMAS CONRAD CORP.");
	assert_null(org(db, 0x00, 0x17, 0x89));
	assert_null(org(db, 0xff, 0xff, 0xff));
	assert_null(org(db, 0x00, 0x00, 0x00));
	oui_free(db);
}

static void test_csv(void **state)
{
	char path[512];
	struct oui_db *db;

	(void)state;
	data_path(path, sizeof(path), "oui/oui.csv");
	db = load_ok(path);
	assert_int_equal(oui_count(db), 5);
	assert_string_equal(org(db, 0x00, 0x17, 0x88), "Philips Lighting BV");
	/* quoted fields: commas, a newline in the address, doubled quotes */
	assert_string_equal(
		org(db, 0xc4, 0xd4, 0x96), "Shenzhen Excelsecu Data Technology Co.,Ltd");
	assert_string_equal(org(db, 0x00, 0x1e, 0xcb), "\"RPC \"Energoautomatika\" Ltd");
	assert_string_equal(org(db, 0x50, 0xc7, 0xbf), "TP-LINK TECHNOLOGIES CO.,LTD.");
	assert_string_equal(org(db, 0x68, 0xa4, 0x0e), "BSH Hausgerate GmbH");
	oui_free(db);
}

static void test_fallback(void **state)
{
	char path[512];
	struct oui_db *db;

	(void)state;
	data_path(path, sizeof(path), "oui/fallback.txt");
	db = load_ok(path);
	assert_int_equal(oui_count(db), 3);
	assert_string_equal(org(db, 0x00, 0x17, 0x88), "Philips Lighting BV");
	assert_string_equal(org(db, 0x50, 0xc7, 0xbf), "TP-LINK TECHNOLOGIES CO.,LTD.");
	assert_string_equal(org(db, 0x00, 0x1a, 0x22), "eQ-3 Entwicklung GmbH");
	oui_free(db);
}

static void test_mac_bits(void **state)
{
	char path[512];
	struct oui_db *db;

	(void)state;
	data_path(path, sizeof(path), "oui/oui.txt");
	db = load_ok(path);
	/* registered, but a MAC with the locally administered bit is randomised */
	assert_null(org(db, 0x02, 0xc0, 0x8c));
	assert_null(org(db, 0x02, 0x17, 0x88));
	/* multicast */
	assert_null(org(db, 0x01, 0x17, 0x88));
	assert_null(org(db, 0x03, 0x17, 0x88));
	assert_non_null(org(db, 0x00, 0x17, 0x88));
	assert_null(org(NULL, 0x00, 0x17, 0x88));
	assert_int_equal(oui_count(NULL), 0);
	oui_free(db);
	oui_free(NULL);
}

static void expect_error(const char *name, int ret_want, const char *msg)
{
	char path[512], err[ERR_MAX], want[1024];
	struct oui_db *db = (struct oui_db *)&db; /* must be reset to NULL */

	data_path(path, sizeof(path), name);
	assert_int_equal(oui_load(path, &db, err, sizeof(err)), ret_want);
	assert_null(db);
	snprintf(want, sizeof(want), "%s%s", path, msg);
	if (strcmp(err, want) != 0)
		fail_msg("%s:\n  got:  %s\n  want: %s", name, err, want);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("oui/bad-oui.txt", -EINVAL,
		":47: \"02-C0-8G   (hex)??3COM\": expected \"HH-HH-HH (hex) Organisation\"");
	expect_error("oui/bad-fallback.txt", -EINVAL,
		":6: \"  001A2?eQ-3 Entwicklung GmbH\": expected six hex digits, a space and the "
		"organisation");
	expect_error("oui/bad-assignment.csv", -EINVAL,
		":8: assignment \"50C7B\" is not six hex digits");
	expect_error("oui/bad-registry.csv", -EINVAL,
		":9: registry \"MA-M\" is not MA-L (24-bit OUIs only)");
	expect_error("oui/bad-unterminated.csv", -EINVAL, ":3: unterminated quoted field");
	expect_error("oui/bad-header.csv", -EINVAL,
		":1: expected the header \"Registry,Assignment,Organization Name,Organization "
		"Address\"");
	expect_error("oui/empty.txt", -EINVAL, ":2: no registry entries");
	expect_error("oui/does-not-exist.txt", -ENOENT, ": No such file or directory");
	expect_error("oui", -EINVAL, ": not a regular file");
}

/* The shipped fallback list: every line an entry, no OUI twice, the labelled captures' OUIs. */
static void test_shipped_fallback(void **state)
{
	char path[512], line[256];
	size_t entries = 0;
	struct oui_db *db;
	FILE *f;

	(void)state;
	data_path(path, sizeof(path), "../../data/oui-fallback.txt");
	db = load_ok(path);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		entries += line[0] != '#' && line[0] != '\n';
	fclose(f);
	assert_true(entries > 3000);
	assert_int_equal(oui_count(db), entries);
	assert_string_equal(org(db, 0x50, 0xc7, 0xbf), "TP-LINK TECHNOLOGIES CO.,LTD.");
	assert_string_equal(org(db, 0xb0, 0xc5, 0x54), "D-Link International");
	assert_string_equal(org(db, 0x94, 0x10, 0x3e), "Belkin International Inc.");
	assert_string_equal(org(db, 0x00, 0x17, 0x88), "Philips Lighting BV");
	assert_string_equal(org(db, 0x84, 0x18, 0x26), "Osram GmbH");
	assert_string_equal(org(db, 0x74, 0xda, 0x38), "Edimax Technology Co. Ltd.");
	assert_string_equal(org(db, 0x00, 0x24, 0xe4), "Withings");
	assert_string_equal(org(db, 0x00, 0x1a, 0x22), "eQ-3 Entwicklung GmbH");
	assert_string_equal(org(db, 0x5c, 0xcf, 0x7f), "Espressif Inc.");
	assert_string_equal(org(db, 0x20, 0xf8, 0x5e), "Delta Electronics");
	assert_string_equal(org(db, 0x3c, 0x49, 0x37), "ASSMANN Electronic GmbH");
	assert_string_equal(org(db, 0xf4, 0xb8, 0x5e), "Texas Instruments");
	oui_free(db);
}

/* Debian's ieee-data, when this machine has it: both of its formats read the same. */
static void test_ieee_data(void **state)
{
	static const char *const files[] = {
		"/usr/share/ieee-data/oui.txt", "/usr/share/ieee-data/oui.csv"};
	size_t counts[2];

	(void)state;
	if (access(files[0], R_OK) != 0 || access(files[1], R_OK) != 0) {
		print_message("ieee-data not installed: skipping the full registry\n");
		skip();
	}
	for (int i = 0; i < 2; i++) {
		struct oui_db *db = load_ok(files[i]);

		counts[i] = oui_count(db);
		assert_true(counts[i] > 30000);
		assert_string_equal(org(db, 0x00, 0x17, 0x88), "Philips Lighting BV");
		assert_string_equal(org(db, 0x50, 0xc7, 0xbf), "TP-LINK TECHNOLOGIES CO.,LTD.");
		assert_null(org(db, 0x02, 0xc0, 0x8c));
		oui_free(db);
	}
	assert_int_equal(counts[0], counts[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txt),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_mac_bits),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_shipped_fallback),
		cmocka_unit_test(test_ieee_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
