/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the shared helpers: MACs, bounded strings, integer parsing, whole-file I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/util.h"

#include <dirent.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_mac_parse(void **state)
{
	static const uint8_t want[6] = {0xaa, 0xbb, 0xcc, 0x00, 0x11, 0xff};
	struct hg_mac m;
	char buf[HG_MAC_STRLEN];

	(void)state;
	assert_int_equal(util_mac_parse("aa:bb:cc:00:11:ff", &m), 0);
	assert_memory_equal(m.b, want, 6);
	memset(&m, 0, sizeof(m));
	assert_int_equal(util_mac_parse("AA-BB-CC-00-11-FF", &m), 0);
	assert_memory_equal(m.b, want, 6);
	memset(&m, 0, sizeof(m));
	assert_int_equal(util_mac_parse("Aa:bB:cC:00:11:fF", &m), 0);
	assert_memory_equal(m.b, want, 6);
	/* format is always lower-case with colons */
	assert_ptr_equal(util_mac_format(&m, buf), buf);
	assert_string_equal(buf, "aa:bb:cc:00:11:ff");
	m = (struct hg_mac){{0, 1, 2, 0x0a, 0xf0, 0xff}};
	assert_string_equal(util_mac_format(&m, buf), "00:01:02:0a:f0:ff");
	/* round trip */
	{
		struct hg_mac back;

		assert_int_equal(util_mac_parse(buf, &back), 0);
		assert_true(util_mac_equal(&m, &back));
		back.b[5] ^= 1;
		assert_false(util_mac_equal(&m, &back));
	}
}

static void test_mac_parse_bad(void **state)
{
	static const char *const bad[] = {
		"", "aa:bb:cc:00:11",	/* 5 octets */
		"aa:bb:cc:00:11:f",	/* 16 chars */
		"aa:bb:cc:00:11:ff:",	/* 18 chars */
		"aa:bb:cc:00:11:ff:00", /* 7 octets */
		"aabbccddeeff",		/* no separators */
		"aabb.ccdd.eeff.00",	/* 17 chars, wrong separator */
		"aa:bb-cc:00:11:ff",	/* mixed separators */
		"aa-bb-cc-00-11:ff",	/* mixed separators, last */
		"aa:bb:cc:00:11:fg",	/* bad hex */
		"aa:bb:cc:00:11:f ",	/* space */
		" aa:bb:cc:00:11:f",	/* leading space */
		"aa:bb:cc:0x:11:ff",	/* 0x */
		"aa::bb:cc:00:11:f",	/* empty octet */
		"a:bb:cc:00:11:ff0",	/* misplaced separator */
	};
	struct hg_mac m = {{1, 2, 3, 4, 5, 6}};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (util_mac_parse(bad[i], &m) != -EINVAL)
			fail_msg("\"%s\" accepted", bad[i]);
	assert_int_equal(util_mac_parse(NULL, &m), -EINVAL);
}

static void test_strlcpy(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(util_strlcpy(buf, "homegate-long", sizeof(buf)), 13);
	assert_string_equal(buf, "homegat");
	/* exactly fits */
	assert_int_equal(util_strlcpy(buf, "1234567", sizeof(buf)), 7);
	assert_string_equal(buf, "1234567");
	/* one too many */
	assert_int_equal(util_strlcpy(buf, "12345678", sizeof(buf)), 8);
	assert_string_equal(buf, "1234567");
	assert_int_equal(util_strlcpy(buf, "", sizeof(buf)), 0);
	assert_string_equal(buf, "");
	/* dstlen 1: only the terminator; dstlen 0: nothing written */
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(util_strlcpy(buf, "abc", 1), 3);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'X');
	buf[0] = 'Y';
	assert_int_equal(util_strlcpy(buf, "abc", 0), 3);
	assert_int_equal(buf[0], 'Y');
}

static void test_is_ident(void **state)
{
	(void)state;
	assert_true(util_is_ident("prof_cam-1", 16));
	assert_true(util_is_ident("AZaz09_-", 8));
	assert_true(util_is_ident("a", 1));
	assert_false(util_is_ident("abcdefgh", 7));
	assert_false(util_is_ident("a", 0));
	assert_false(util_is_ident("", 16));
	assert_false(util_is_ident("prof cam", 16));
	assert_false(util_is_ident("a.b", 16));
	assert_false(util_is_ident("a/b", 16));
	assert_false(util_is_ident("a\"b", 16));
	assert_false(util_is_ident("a;b", 16));
	assert_false(util_is_ident("caf\xc3\xa9", 16));
	assert_false(util_is_ident("a\nb", 16));
}

static void test_is_printable(void **state)
{
	(void)state;
	assert_true(util_is_printable("a b~!\"#", 10));
	assert_true(util_is_printable(" ~", 2));
	assert_true(util_is_printable("", 0));
	assert_false(util_is_printable("abc", 2));
	assert_false(util_is_printable("a\tb", 10));
	assert_false(util_is_printable("a\nb", 10));
	assert_false(util_is_printable("a\x7f", 10));
	assert_false(util_is_printable("\x1b[31m", 10));
	assert_false(util_is_printable("caf\xc3\xa9", 10));
}

static void test_sanitize(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(util_sanitize(buf, sizeof(buf),
				 "a\nb\x80"
				 "cdefgh",
				 9),
		7);
	assert_string_equal(buf, "a?b?cde");
	/* len bounds the source: no terminator needed */
	assert_int_equal(util_sanitize(buf, sizeof(buf), "xyz\x01zzzz", 4), 4);
	assert_string_equal(buf, "xyz?");
	assert_int_equal(util_sanitize(buf, sizeof(buf), "\x7f\xff\t", 3), 3);
	assert_string_equal(buf, "???");
	assert_int_equal(util_sanitize(buf, sizeof(buf), "abc", 0), 0);
	assert_string_equal(buf, "");
	assert_int_equal(util_sanitize(buf, 1, "abc", 3), 0);
	assert_string_equal(buf, "");
	buf[0] = 'Q';
	assert_int_equal(util_sanitize(buf, 0, "abc", 3), 0);
	assert_int_equal(buf[0], 'Q');
}

static void test_parse_int(void **state)
{
	long long v;

	(void)state;
	assert_int_equal(util_parse_int("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(util_parse_int("0", 0, 0, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(util_parse_int("007", 0, 10, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(util_parse_int("-5", -10, 10, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(util_parse_int("+5", -10, 10, &v), 0);
	assert_int_equal(v, 5);
	/* range ends are inclusive */
	assert_int_equal(util_parse_int("10", 0, 10, &v), 0);
	assert_int_equal(util_parse_int("-10", -10, 10, &v), 0);
	assert_int_equal(util_parse_int("9223372036854775807", 0, LLONG_MAX, &v), 0);
	assert_true(v == LLONG_MAX);
	assert_int_equal(util_parse_int("-9223372036854775808", LLONG_MIN, 0, &v), 0);
	assert_true(v == LLONG_MIN);

	/* v is untouched on failure */
	v = 1234;
	assert_int_equal(util_parse_int("-5", 0, 10, &v), -EINVAL);
	assert_int_equal(util_parse_int("+5", 0, 10, &v), -EINVAL);
	assert_int_equal(util_parse_int("-0", 0, 10, &v), -EINVAL);
	assert_int_equal(util_parse_int("5x", 0, 10, &v), -EINVAL);
	assert_int_equal(util_parse_int("5 ", 0, 10, &v), -EINVAL);
	assert_int_equal(util_parse_int("5\n", 0, 10, &v), -EINVAL);
	assert_int_equal(util_parse_int("", 0, 10, &v), -EINVAL);
	assert_int_equal(util_parse_int(NULL, 0, 10, &v), -EINVAL);
	assert_int_equal(util_parse_int("-", -10, 10, &v), -EINVAL);
	assert_int_equal(util_parse_int("+", -10, 10, &v), -EINVAL);
	assert_int_equal(util_parse_int("0x10", 0, 100, &v), -EINVAL);
	assert_int_equal(util_parse_int("1e3", 0, 10000, &v), -EINVAL);
	assert_int_equal(util_parse_int("1.0", 0, 10, &v), -EINVAL);
	/* leading white space of any kind is junk too */
	assert_int_equal(util_parse_int(" 5", 0, 10, &v), -EINVAL);
	assert_int_equal(util_parse_int("\t5", 0, 10, &v), -EINVAL);
	assert_int_equal(util_parse_int("\n5", 0, 10, &v), -EINVAL);
	assert_int_equal(util_parse_int("\t-5", -10, 10, &v), -EINVAL);
	assert_int_equal(util_parse_int("\v5", -10, 10, &v), -EINVAL);
	assert_int_equal(v, 1234);

	assert_int_equal(util_parse_int("11", 0, 10, &v), -ERANGE);
	assert_int_equal(util_parse_int("-11", -10, 10, &v), -ERANGE);
	assert_int_equal(util_parse_int("0", 1, 10, &v), -ERANGE);
	assert_int_equal(util_parse_int("99999999999999999999", 0, 10, &v), -ERANGE);
	assert_int_equal(util_parse_int("9223372036854775808", 0, LLONG_MAX, &v), -ERANGE);
	assert_int_equal(util_parse_int("-9223372036854775809", LLONG_MIN, 0, &v), -ERANGE);
	assert_int_equal(v, 1234);
}

struct tmpdir {
	char dir[32];
	char path[64];
};

static int tmpdir_setup(void **state)
{
	struct tmpdir *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/hg-util.XXXXXX");
	if (!mkdtemp(t->dir)) {
		free(t);
		return -1;
	}
	snprintf(t->path, sizeof(t->path), "%s/f", t->dir);
	*state = t;
	return 0;
}

static int tmpdir_teardown(void **state)
{
	struct tmpdir *t = *state;
	DIR *d = opendir(t->dir);
	struct dirent *de;
	char p[320];

	while (d && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", t->dir, de->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(t->dir);
	free(t);
	return 0;
}

/* Number of entries in dir other than . and .. */
static int dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* "ADDR:PORT" and "[ADDR6]:PORT", numeric only, as [dpp] listen takes them. */
static void test_parse_host_port(void **state)
{
	static const char *const bad[] = {"192.0.2.1", "192.0.2.1:0", "192.0.2.1:65536",
		"192.0.2.1:", ":8908", "gateway.lan:8908", "fd00::1:8908", "[fd00::1]8908",
		"[fd00::1]:", "[192.0.2.1]:8908", "[]:8908", "192.0.2.1:89x", ""};
	struct sockaddr_storage ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	unsigned len;
	char t[INET6_ADDRSTRLEN];

	(void)state;
	assert_int_equal(util_parse_host_port("192.0.2.1:8908", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(ntohs(a4->sin_port), 8908);
	assert_string_equal(inet_ntop(AF_INET, &a4->sin_addr, t, sizeof(t)), "192.0.2.1");
	assert_int_equal(util_parse_host_port("[fd00::1]:1", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_int_equal(ntohs(a6->sin6_port), 1);
	assert_string_equal(inet_ntop(AF_INET6, &a6->sin6_addr, t, sizeof(t)), "fd00::1");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (util_parse_host_port(bad[i], &ss, &len) != -EINVAL)
			fail_msg("\"%s\" accepted", bad[i]);
}

static void test_read_file(void **state)
{
	struct tmpdir *t = *state;
	char *buf = (char *)0x1, fifo[80];
	size_t len = 77;
	FILE *f;

	f = fopen(t->path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite("hello\0world", 1, 11, f), 11);
	fclose(f);
	assert_int_equal(util_read_file(t->path, 100, &buf, &len), 0);
	assert_int_equal(len, 11);
	assert_memory_equal(buf, "hello\0world", 12); /* NUL-terminated after the content */
	free(buf);
	/* the limit is inclusive */
	assert_int_equal(util_read_file(t->path, 11, &buf, &len), 0);
	assert_int_equal(len, 11);
	free(buf);
	buf = (char *)0x1;
	len = 77;
	assert_int_equal(util_read_file(t->path, 10, &buf, &len), -EFBIG);
	assert_ptr_equal(buf, (char *)0x1);
	assert_int_equal(len, 77);
	/* empty file */
	f = fopen(t->path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(util_read_file(t->path, 0, &buf, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);

	/* not regular files */
	buf = (char *)0x1;
	assert_int_equal(util_read_file(t->dir, 100, &buf, &len), -EINVAL);
	assert_int_equal(util_read_file("/dev/null", 100, &buf, &len), -EINVAL);
	/* A FIFO without a writer must not block the caller. The alarm turns a hang into a
	 * failure. */
	snprintf(fifo, sizeof(fifo), "%s/fifo", t->dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	alarm(10);
	assert_int_equal(util_read_file(fifo, 100, &buf, &len), -EINVAL);
	alarm(0);
	assert_ptr_equal(buf, (char *)0x1);
	assert_int_equal(util_read_file("/nonexistent/hg", 100, &buf, &len), -ENOENT);
}

static void test_write_file_atomic(void **state)
{
	struct tmpdir *t = *state;
	struct stat st;
	char *buf, big[70000];
	size_t len;
	mode_t old = umask(022);

	assert_int_equal(util_write_file_atomic(t->path, "hello", 5, 0600), 0);
	assert_int_equal(stat(t->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(util_read_file(t->path, 100, &buf, &len), 0);
	assert_int_equal(len, 5);
	assert_string_equal(buf, "hello");
	free(buf);
	assert_int_equal(dir_entries(t->dir), 1);

	/* replacing: new content (shorter, no leftovers), new mode, same single entry */
	assert_int_equal(util_write_file_atomic(t->path, "hi", 2, 0640), 0);
	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(util_read_file(t->path, 100, &buf, &len), 0);
	assert_int_equal(len, 2);
	assert_string_equal(buf, "hi");
	free(buf);
	assert_int_equal(dir_entries(t->dir), 1);

	/* larger than one pipe/page worth, binary content */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7);
	assert_int_equal(util_write_file_atomic(t->path, big, sizeof(big), 0600), 0);
	assert_int_equal(util_read_file(t->path, sizeof(big), &buf, &len), 0);
	assert_int_equal(len, sizeof(big));
	assert_memory_equal(buf, big, sizeof(big));
	free(buf);

	/* empty */
	assert_int_equal(util_write_file_atomic(t->path, "", 0, 0600), 0);
	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(dir_entries(t->dir), 1);

	/* failure (target is a directory): error, old state intact, no temp file left */
	{
		char sub[80];

		snprintf(sub, sizeof(sub), "%s/d", t->dir);
		assert_int_equal(mkdir(sub, 0700), 0);
		assert_int_equal(util_write_file_atomic(sub, "x", 1, 0600), -EISDIR);
		assert_int_equal(stat(sub, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
		assert_int_equal(dir_entries(t->dir), 2);
		rmdir(sub);
	}
	assert_int_equal(util_write_file_atomic("/nonexistent/hg/f", "x", 1, 0600), -ENOENT);
	umask(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_mac_parse_bad),
		cmocka_unit_test(test_strlcpy),
		cmocka_unit_test(test_is_ident),
		cmocka_unit_test(test_is_printable),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_parse_int),
		cmocka_unit_test(test_parse_host_port),
		cmocka_unit_test_setup_teardown(test_read_file, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(
			test_write_file_atomic, tmpdir_setup, tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
