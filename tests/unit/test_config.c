/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the homegate.conf parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse(struct hg_config *cfg, const char *text, char *err)
{
	config_defaults(cfg);
	return config_parse(cfg, text, strlen(text), "t.conf", err, HG_CONFIG_ERR_MAX);
}

static void test_defaults(void **state)
{
	struct hg_config cfg;
	char err[HG_CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(parse(&cfg, "", err), 0);
	assert_string_equal(cfg.user, "homegate");
	assert_string_equal(cfg.state_dir, "/var/lib/homegate");
	assert_string_equal(cfg.run_dir, "/run/homegate");
	assert_string_equal(cfg.lan_interface, "br-lan");
	assert_int_equal(cfg.log_level, LOG_LEVEL_INFO);
	assert_int_equal(cfg.lease_grace_s, 60);
	assert_int_equal(cfg.max_devices, 4096);
}

static void test_values(void **state)
{
	struct hg_config cfg;
	char err[HG_CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(parse(&cfg,
				 "# comment\n"
				 "; also a comment\n"
				 "[daemon]\n"
				 "  user = hg_engine   # trailing\n"
				 "state_dir = \"/var/lib/home gate\"\n"
				 "log_level=debug\r\n"
				 "[lan]\ninterface = br-lan.10\n"
				 "[registry]\nlease_grace_s = 0\nmax_devices = 65536\n",
				 err),
		0);
	assert_string_equal(cfg.user, "hg_engine");
	assert_string_equal(cfg.state_dir, "/var/lib/home gate");
	assert_int_equal(cfg.log_level, LOG_LEVEL_DEBUG);
	assert_string_equal(cfg.lan_interface, "br-lan.10");
	assert_int_equal(cfg.lease_grace_s, 0);
	assert_int_equal(cfg.max_devices, 65536);
}

struct bad_case {
	const char *text, *msg;
};

static void test_errors(void **state)
{
	static const struct bad_case cases[] = {
		{"[daemon]\nlog_level = loud\n",
			"t.conf:2: daemon.log_level: \"loud\" is not one of err, warn, info, "
			"debug"},
		{"[lan]\ninterfce = x\n", "t.conf:2: unknown key \"lan.interfce\""},
		{"[foo]\n", "t.conf:1: unknown section [foo]"},
		{"[registry]\nlease_grace_s = 99999\n",
			"t.conf:2: registry.lease_grace_s: \"99999\" out of range 0..86400"},
		{"[registry]\nmax_devices = -1\n",
			"registry.max_devices: \"-1\" is not a whole number"},
		{"[registry]\nmax_devices = 99999999999999999999\n", "out of range 1..65536"},
		{"[daemon]\nuser = a\nuser = b\n", "t.conf:3: daemon.user: set twice"},
		{"[daemon]\nuser = Root\n", "daemon.user: \"Root\" is not a valid name"},
		{"[daemon]\nrun_dir = /run/../etc\n",
			"daemon.run_dir: \"/run/../etc\" is not an absolute path"},
		{"[daemon]\nrun_dir = run\n", "is not an absolute path"},
		{"[lan]\ninterface = ..\n", "lan.interface: \"..\" is not an interface name"},
		{"[lan]\ninterface = 0123456789abcdef\n", "is not an interface name"},
		{"user = a\n", "t.conf:1: key \"user\" outside a [section]"},
		{"[daemon\n", "t.conf:1: bad section header"},
		{"[daemon]\nuser\n", "t.conf:2: expected \"key = value\""},
		{"[daemon]\nuser = \"abc\n", "t.conf:2: unterminated quoted value"},
		{"[daemon]\nuser = \"a\\q\"\n", "bad escape"},
		{"[daemon]\nuser = \"a\" b\n", "text after the closing quote"},
		{"[daemon]\nuser = a\x7f\n", "t.conf:2: control byte 0x7f in column 9"},
		{"\xc3\xa9\n", "t.conf:1: expected \"key = value\""},
		{"[daemon]\nuser = h\xc3\xa9\n", "daemon.user: \"h\xc3\xa9\" is not a valid name"},
	};
	char err[HG_CONFIG_ERR_MAX];
	struct hg_config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&cfg, cases[i].text, err), -EINVAL);
		if (!strstr(err, cases[i].msg))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].msg);
	}
}

static void test_nul_and_long_line(void **state)
{
	struct hg_config cfg;
	char err[HG_CONFIG_ERR_MAX];
	char *big = malloc(5000);

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(
		config_parse(&cfg, "[daemon]\nuser = a\0b\n", 19, "t.conf", err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "byte 0x00"));
	assert_int_equal(config_parse(&cfg, "# caf\xc3\xa9 \xe2\x80\x94 ok\n", 15, "t.conf", err,
				 sizeof(err)),
		0);
	memset(big, 'a', 4999);
	big[4999] = '\n';
	assert_int_equal(config_parse(&cfg, big, 5000, "t.conf", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "t.conf:1: line longer than 4096 bytes"));
	free(big);
}

static void test_unchanged_on_error(void **state)
{
	struct hg_config cfg, before;
	char err[HG_CONFIG_ERR_MAX];
	const char *text = "[daemon]\nuser = changed\n[lan]\nbogus = 1\n";

	(void)state;
	config_defaults(&cfg);
	before = cfg;
	assert_int_equal(
		config_parse(&cfg, text, strlen(text), "t.conf", err, sizeof(err)), -EINVAL);
	assert_memory_equal(&cfg, &before, sizeof(cfg));
}

static void test_dump_roundtrip(void **state)
{
	struct hg_config cfg, again;
	char err[HG_CONFIG_ERR_MAX], buf[4096];
	FILE *f = tmpfile();
	size_t n;

	(void)state;
	assert_int_equal(
		parse(&cfg, "[daemon]\nuser = x\nlog_level = warn\n[registry]\nseen_flush_s = 7\n",
			err),
		0);
	config_dump(&cfg, fileno(f));
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "[daemon]\nuser = x\n"));
	config_defaults(&again);
	assert_int_equal(config_parse(&again, buf, n, "dump", err, sizeof(err)), 0);
	assert_memory_equal(&cfg, &again, sizeof(cfg));
}

static void test_load_missing(void **state)
{
	struct hg_config cfg;
	char err[HG_CONFIG_ERR_MAX];

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(
		config_load(&cfg, "/nonexistent/homegate.conf", err, sizeof(err)), -ENOENT);
	assert_string_equal(
		err, "cannot read /nonexistent/homegate.conf: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nul_and_long_line),
		cmocka_unit_test(test_unchanged_on_error),
		cmocka_unit_test(test_dump_roundtrip),
		cmocka_unit_test(test_load_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
