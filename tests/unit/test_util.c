/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the shared helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_mac(void **state)
{
	struct hg_mac m;
	char buf[HG_MAC_STRLEN];

	(void)state;
	assert_int_equal(util_mac_parse("AA-bb-CC-00-11-ff", &m), 0);
	assert_string_equal(util_mac_format(&m, buf), "aa:bb:cc:00:11:ff");
	assert_int_equal(util_mac_parse("aa:bb:cc:00:11", &m), -EINVAL);
	assert_int_equal(util_mac_parse("aa:bb:cc:00:11:fg", &m), -EINVAL);
	assert_int_equal(util_mac_parse("aa:bb-cc:00:11:ff", &m), -EINVAL);
	assert_int_equal(util_mac_parse("aa:bb:cc:00:11:ff:", &m), -EINVAL);
	assert_int_equal(util_mac_parse(NULL, &m), -EINVAL);
}

static void test_strings(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(util_strlcpy(buf, "homegate-long", sizeof(buf)), 13);
	assert_string_equal(buf, "homegat");
	assert_true(util_is_ident("prof_cam-1", 16));
	assert_false(util_is_ident("prof cam", 16));
	assert_false(util_is_ident("", 16));
	assert_false(util_is_ident("abcdefgh", 7));
	assert_true(util_is_printable("a b~", 10));
	assert_false(util_is_printable("a\tb", 10));
	assert_int_equal(util_sanitize(buf, sizeof(buf),
				 "a\nb\x80"
				 "cdefgh",
				 9),
		7);
	assert_string_equal(buf, "a?b?cde");
}

static void test_parse_int(void **state)
{
	long long v;

	(void)state;
	assert_int_equal(util_parse_int("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(util_parse_int("-5", -10, 10, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(util_parse_int("-5", 0, 10, &v), -EINVAL);
	assert_int_equal(util_parse_int("+5", 0, 10, &v), -EINVAL);
	assert_int_equal(util_parse_int("5x", 0, 10, &v), -EINVAL);
	assert_int_equal(util_parse_int("", 0, 10, &v), -EINVAL);
	assert_int_equal(util_parse_int(" 5", 0, 10, &v), -EINVAL);
	assert_int_equal(util_parse_int("11", 0, 10, &v), -ERANGE);
	assert_int_equal(util_parse_int("99999999999999999999", 0, 10, &v), -ERANGE);
}

static void test_files(void **state)
{
	char dir[] = "/tmp/hg-util.XXXXXX", path[64], *buf;
	size_t len;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(util_write_file_atomic(path, "hello", 5, 0600), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(util_read_file(path, 100, &buf, &len), 0);
	assert_int_equal(len, 5);
	assert_string_equal(buf, "hello");
	free(buf);
	assert_int_equal(util_read_file(path, 4, &buf, &len), -EFBIG);
	assert_int_equal(util_read_file(dir, 100, &buf, &len), -EINVAL);
	assert_int_equal(util_read_file("/nonexistent", 100, &buf, &len), -ENOENT);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_parse_int),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
