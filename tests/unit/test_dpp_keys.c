/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the gateway's DPP keys: created once with mode 0600 on P-256, loaded the same
 * afterwards, and every file that is not exactly ours refused without being replaced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "onboard/dpp_keys.h"
#include "onboard/dpp_uri.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>

/* dir stays short so that every name built from it fits PATH_MAX. */
static char dir[256], path[PATH_MAX], err[512];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/hg-dppkeys.XXXXXX",
		getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/dpp-bootstrap.pem", dir);
	err[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	char p[PATH_MAX];

	(void)state;
	snprintf(p, sizeof(p), "%s/dpp-bootstrap.pem", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/dpp-csign.pem", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/target.pem", dir);
	unlink(p);
	return rmdir(dir);
}

static void write_file(const char *p, const char *data, size_t len, mode_t mode)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void read_file(const char *p, char *buf, size_t cap, size_t *len)
{
	FILE *f = fopen(p, "rb");

	assert_non_null(f);
	*len = fread(buf, 1, cap, f);
	fclose(f);
}

static void key_hash(EVP_PKEY *pk, uint8_t out[32])
{
	assert_int_equal(dpp_bootstrap_key_hash(pk, out), 0);
}

static void write_key(const char *p, EVP_PKEY *pk, mode_t mode)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long len;

	assert_non_null(bio);
	assert_true(PEM_write_bio_PKCS8PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL));
	len = BIO_get_mem_data(bio, &data);
	write_file(p, data, (size_t)len, mode);
	BIO_free(bio);
}

/* Refused with a reason naming the file, and the file left exactly as it was. */
static void assert_refused(enum dpp_key_kind kind, const char *p)
{
	char before[4096], after[4096];
	size_t blen = 0, alen = 0;
	EVP_PKEY *pk = (EVP_PKEY *)1;
	struct stat sb0, sb1;

	assert_int_equal(lstat(p, &sb0), 0);
	if (S_ISREG(sb0.st_mode))
		read_file(p, before, sizeof(before), &blen);
	err[0] = '\0';
	assert_true(dpp_key_get(dir, kind, true, &pk, err, sizeof(err)) < 0);
	assert_null(pk);
	assert_non_null(strstr(err, p));
	assert_int_equal(lstat(p, &sb1), 0);
	assert_int_equal(sb0.st_ino, sb1.st_ino);
	assert_int_equal(sb0.st_mode, sb1.st_mode);
	if (S_ISREG(sb0.st_mode)) {
		read_file(p, after, sizeof(after), &alen);
		assert_memory_equal(before, after, blen);
		assert_int_equal(blen, alen);
	}
}

static void test_create_then_load(void **state)
{
	EVP_PKEY *a = NULL, *b = NULL;
	uint8_t ha[32], hb[32];
	char group[64];
	struct stat sb;
	mode_t old = umask(0);

	(void)state;
	assert_int_equal(dpp_key_get(dir, DPP_KEY_BOOTSTRAP, true, &a, err, sizeof(err)), 0);
	umask(old);
	assert_non_null(a);
	assert_int_equal(lstat(path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_true(EVP_PKEY_is_a(a, "EC"));
	assert_true(EVP_PKEY_get_utf8_string_param(a, "group", group, sizeof(group), NULL));
	assert_string_equal(group, "prime256v1");

	assert_int_equal(dpp_key_get(dir, DPP_KEY_BOOTSTRAP, true, &b, err, sizeof(err)), 0);
	assert_int_equal(EVP_PKEY_eq(a, b), 1);
	key_hash(a, ha);
	key_hash(b, hb);
	assert_memory_equal(ha, hb, 32);
	EVP_PKEY_free(b);
	b = NULL;
	/* Loading needs no create flag, and nothing but the key is left in the directory. */
	assert_int_equal(dpp_key_get(dir, DPP_KEY_BOOTSTRAP, false, &b, err, sizeof(err)), 0);
	assert_int_equal(EVP_PKEY_eq(a, b), 1);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}

static void test_absent_no_create(void **state)
{
	EVP_PKEY *pk = (EVP_PKEY *)1;
	struct stat sb;

	(void)state;
	assert_int_equal(dpp_key_get(dir, DPP_KEY_CSIGN, false, &pk, err, sizeof(err)), -ENOENT);
	assert_null(pk);
	assert_non_null(strstr(err, "dpp-csign.pem"));
	assert_int_equal(lstat(path, &sb), -1);
	snprintf(path, sizeof(path), "%s/dpp-csign.pem", dir);
	assert_int_equal(lstat(path, &sb), -1);
}

static void test_kinds_differ(void **state)
{
	EVP_PKEY *bs = NULL, *cs = NULL, *cs2 = NULL;

	(void)state;
	assert_int_equal(dpp_key_get(dir, DPP_KEY_BOOTSTRAP, true, &bs, err, sizeof(err)), 0);
	assert_int_equal(dpp_key_get(dir, DPP_KEY_CSIGN, true, &cs, err, sizeof(err)), 0);
	assert_int_not_equal(EVP_PKEY_eq(bs, cs), 1);
	assert_int_equal(dpp_key_get(dir, DPP_KEY_CSIGN, false, &cs2, err, sizeof(err)), 0);
	assert_int_equal(EVP_PKEY_eq(cs, cs2), 1);
	EVP_PKEY_free(bs);
	EVP_PKEY_free(cs);
	EVP_PKEY_free(cs2);
}

static void test_wide_mode_refused(void **state)
{
	EVP_PKEY *pk = EVP_EC_gen("P-256");

	(void)state;
	write_key(path, pk, 0644);
	assert_refused(DPP_KEY_BOOTSTRAP, path);
	assert_non_null(strstr(err, "0644"));
	/* Group-writable is as bad as readable. */
	assert_int_equal(chmod(path, 0620), 0);
	assert_refused(DPP_KEY_BOOTSTRAP, path);
	/* Tightened by the administrator, the same key is accepted again. */
	assert_int_equal(chmod(path, 0600), 0);
	{
		EVP_PKEY *got = NULL;

		assert_int_equal(
			dpp_key_get(dir, DPP_KEY_BOOTSTRAP, true, &got, err, sizeof(err)), 0);
		assert_int_equal(EVP_PKEY_eq(pk, got), 1);
		EVP_PKEY_free(got);
	}
	EVP_PKEY_free(pk);
}

static void test_symlink_refused(void **state)
{
	char target[PATH_MAX];
	EVP_PKEY *pk = EVP_EC_gen("P-256");

	(void)state;
	snprintf(target, sizeof(target), "%s/target.pem", dir);
	write_key(target, pk, 0600);
	assert_int_equal(symlink(target, path), 0);
	assert_refused(DPP_KEY_BOOTSTRAP, path);
	assert_non_null(strstr(err, "symbolic link"));
	/* A dangling link is not "absent": creating through it would write where it points. */
	assert_int_equal(unlink(target), 0);
	assert_refused(DPP_KEY_BOOTSTRAP, path);
	assert_int_equal(access(target, F_OK), -1);
	assert_int_equal(unlink(path), 0);
	EVP_PKEY_free(pk);
}

static void test_not_regular_refused(void **state)
{
	(void)state;
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_refused(DPP_KEY_BOOTSTRAP, path);
	assert_non_null(strstr(err, "regular"));
	assert_int_equal(unlink(path), 0);
}

static void test_p384_refused(void **state)
{
	EVP_PKEY *pk = EVP_EC_gen("P-384");

	(void)state;
	write_key(path, pk, 0600);
	assert_refused(DPP_KEY_BOOTSTRAP, path);
	assert_non_null(strstr(err, "P-256"));
	EVP_PKEY_free(pk);
}

static void test_not_ec_refused(void **state)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	(void)state;
	assert_non_null(pk);
	write_key(path, pk, 0600);
	assert_refused(DPP_KEY_BOOTSTRAP, path);
	assert_non_null(strstr(err, "P-256"));
	EVP_PKEY_free(pk);
}

static void test_garbage_refused(void **state)
{
	static const char junk[] = "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n"
				   "-----END PRIVATE KEY-----\n";

	(void)state;
	write_file(path, junk, sizeof(junk) - 1, 0600);
	assert_refused(DPP_KEY_BOOTSTRAP, path);
	write_file(path, "", 0, 0600);
	assert_refused(DPP_KEY_BOOTSTRAP, path);
	/* Only the public half: not a private key. */
	{
		EVP_PKEY *pk = EVP_EC_gen("P-256");
		BIO *bio = BIO_new(BIO_s_mem());
		char *data;
		long len;

		assert_true(PEM_write_bio_PUBKEY(bio, pk));
		len = BIO_get_mem_data(bio, &data);
		write_file(path, data, (size_t)len, 0600);
		assert_refused(DPP_KEY_BOOTSTRAP, path);
		BIO_free(bio);
		EVP_PKEY_free(pk);
	}
}

static void test_bad_args(void **state)
{
	EVP_PKEY *pk = NULL;

	(void)state;
	assert_int_equal(
		dpp_key_get(dir, (enum dpp_key_kind)7, true, &pk, err, sizeof(err)), -EINVAL);
	assert_int_equal(
		dpp_key_get(NULL, DPP_KEY_BOOTSTRAP, true, &pk, err, sizeof(err)), -EINVAL);
	assert_null(pk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_then_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absent_no_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kinds_differ, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wide_mode_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_regular_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_p384_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_ec_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_args, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
