/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for dropping privileges (run as root; skipped otherwise). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/privsep.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned long long status_hex(const char *key)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	unsigned long long v = ~0ULL;

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			v = strtoull(line + strlen(key), NULL, 16);
	if (f)
		fclose(f);
	return v;
}

static void test_lookup(void **state)
{
	struct privsep_user u;

	(void)state;
	assert_int_equal(privsep_lookup("root", &u), -EPERM);
	assert_int_equal(privsep_lookup("no-such-user-hg", &u), -ENOENT);
	assert_int_equal(privsep_lookup("nobody", &u), 0);
	assert_true(u.uid != 0);
}

static void test_drop(void **state)
{
	struct privsep_user u;
	pid_t pid;
	int status;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(privsep_lookup("nobody", &u), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		unsigned long long eff = 1;
		int code = 0;

		if (privsep_drop(&u) != 0)
			_exit(10);
		if (getuid() != u.uid || geteuid() != u.uid || getgid() != u.gid)
			code |= 1;
		if (privsep_cap_eff(&eff) != 0 || eff != 0)
			code |= 2;
		if (status_hex("CapBnd:") != 0 || status_hex("CapPrm:") != 0 ||
			status_hex("CapAmb:") != 0)
			code |= 4;
		if (status_hex("NoNewPrivs:") != 1)
			code |= 8;
		if (setuid(0) == 0 || setgid(0) == 0)
			code |= 16;
		_exit(code);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_drop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
