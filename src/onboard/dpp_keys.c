/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The gateway's DPP bootstrapping and C-sign keys: created once in the state directory, then
 * only ever loaded; a file that looks tampered with is refused, never replaced. */
#include "onboard/dpp_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

/* A P-256 PKCS#8 PEM is about 240 bytes; anything this large is not one of ours. */
#define KEY_FILE_MAX 16384

const char *dpp_key_file(enum dpp_key_kind kind)
{
	switch (kind) {
	case DPP_KEY_BOOTSTRAP:
		return "dpp-bootstrap.pem";
	case DPP_KEY_CSIGN:
		return "dpp-csign.pem";
	}
	return NULL;
}

static int errf(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int errf(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* Never prompt on a terminal for the passphrase of an encrypted PEM: ours are not encrypted. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static bool is_p256(EVP_PKEY *pk, char *group, size_t grouplen)
{
	size_t len = 0;

	group[0] = '\0';
	if (!EVP_PKEY_is_a(pk, "EC"))
		return false;
	if (!EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, grouplen, &len))
		return false;
	return strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0;
}

static int load(const char *path, EVP_PKEY **out, char *err, size_t errlen)
{
	char buf[KEY_FILE_MAX], group[64];
	EVP_PKEY *pk = NULL;
	BIO *bio = NULL;
	struct stat sb;
	size_t len = 0;
	ssize_t n;
	int fd, ret = 0;

	/* O_NONBLOCK: a FIFO planted under the name must not hang us before fstat refuses it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		if (ret == -ELOOP)
			errf(err, errlen, 0, "%s: a symbolic link, refused", path);
		else
			errf(err, errlen, 0, "%s: %s", path, strerror(-ret));
		goto out;
	}
	if (fstat(fd, &sb) < 0) {
		ret = errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		ret = errf(err, errlen, -EINVAL, "%s: not a regular file, refused", path);
		goto out;
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		ret = errf(err, errlen, -EPERM,
			"%s: mode %04o lets group or other read the private key, refused (chmod "
			"600 "
			"only if no one else can have read it)",
			path, (unsigned)(sb.st_mode & 07777));
		goto out;
	}
	if (sb.st_size >= KEY_FILE_MAX) {
		ret = errf(err, errlen, -EINVAL, "%s: %lld bytes, too large for a key, refused",
			path, (long long)sb.st_size);
		goto out;
	}
	while (len < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}
	if (len == sizeof(buf)) {
		ret = errf(err, errlen, -EINVAL, "%s: too large for a key, refused", path);
		goto out;
	}
	bio = BIO_new_mem_buf(buf, (int)len);
	if (!bio) {
		ret = errf(err, errlen, -ENOMEM, "%s: out of memory", path);
		goto out;
	}
	pk = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	if (!pk) {
		ret = errf(err, errlen, -EINVAL, "%s: not a PEM private key, refused", path);
		goto out;
	}
	if (!is_p256(pk, group, sizeof(group))) {
		ret = errf(err, errlen, -EINVAL, "%s: not an EC key on P-256 (%s), refused", path,
			group[0] ? group : EVP_PKEY_get0_type_name(pk));
		goto out;
	}
	*out = pk;
	pk = NULL;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	ERR_clear_error();
	EVP_PKEY_free(pk);
	BIO_free(bio);
	if (fd >= 0)
		close(fd);
	return ret;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Puts tmp at path unless path exists (then -EEXIST): the key in place is never replaced,
 * also not by a second process that raced us to create it. */
static int place(const char *tmp, const char *path)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* A file system without RENAME_NOREPLACE: link(2) refuses an existing name too. */
	if (link(tmp, path) < 0)
		return -errno;
	unlink(tmp);
	return 0;
}

static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int create(const char *dir, const char *path, char *err, size_t errlen)
{
	char tmp[PATH_MAX], *pem = NULL;
	EVP_PKEY *pk = NULL;
	BIO *bio = NULL;
	long pemlen;
	int fd = -1, ret = 0;

	pk = EVP_EC_gen("P-256");
	bio = BIO_new(BIO_s_secmem());
	if (!pk || !bio || !PEM_write_bio_PKCS8PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL) ||
		(pemlen = BIO_get_mem_data(bio, &pem)) <= 0) {
		ret = errf(err, errlen, -ENOMEM, "%s: cannot generate a P-256 key", path);
		goto out;
	}
	for (unsigned i = 0; fd < 0; i++) {
		if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld.%u", path, (long)getpid(), i) >=
			sizeof(tmp)) {
			ret = errf(err, errlen, -ENAMETOOLONG, "%s: path too long", path);
			goto out;
		}
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && (errno != EEXIST || i == 16)) {
			ret = errf(
				err, errlen, -errno, "%s: cannot create: %s", tmp, strerror(errno));
			goto out;
		}
	}
	/* 0600 whatever the umask: a umask of 0277 would otherwise leave the owner unable to
	 * rewrite it, which is harmless, but say what we mean. */
	if (fchmod(fd, 0600) < 0 || (ret = write_all(fd, pem, (size_t)pemlen)) < 0 ||
		fsync(fd) < 0) {
		ret = ret ? ret : -errno;
		errf(err, errlen, 0, "%s: cannot write: %s", tmp, strerror(-ret));
		goto out_unlink;
	}
	if (close(fd) < 0) {
		fd = -1;
		ret = errf(err, errlen, -errno, "%s: cannot write: %s", tmp, strerror(errno));
		goto out_unlink;
	}
	fd = -1;
	ret = place(tmp, path);
	if (ret == -EEXIST)
		goto out_unlink; /* another process made one first: the caller loads that */
	if (ret) {
		errf(err, errlen, 0, "%s: cannot rename into place: %s", path, strerror(-ret));
		goto out_unlink;
	}
	ret = sync_dir(dir);
	if (ret)
		errf(err, errlen, 0, "%s: cannot sync the directory: %s", dir, strerror(-ret));
	goto out;
out_unlink:
	unlink(tmp);
out:
	if (fd >= 0)
		close(fd);
	BIO_free(bio);
	EVP_PKEY_free(pk);
	ERR_clear_error();
	return ret;
}

int dpp_key_get(const char *dir, enum dpp_key_kind kind, bool create_missing, EVP_PKEY **out,
	char *err, size_t errlen)
{
	const char *name = dpp_key_file(kind);
	char path[PATH_MAX];
	int ret;

	if (out)
		*out = NULL;
	if (!dir || !*dir || !name || !out)
		return errf(err, errlen, -EINVAL, "%s", "dpp key: invalid arguments");
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return errf(err, errlen, -ENAMETOOLONG, "%s/%s: path too long", dir, name);
	ret = load(path, out, err, errlen);
	if (ret != -ENOENT || !create_missing)
		return ret;
	/* Written, then read back through the same checks: what we return is what the next
	 * start will load. */
	ret = create(dir, path, err, errlen);
	if (ret && ret != -EEXIST)
		return ret;
	return load(path, out, err, errlen);
}
