/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-device Wi-Fi credentials: hostapd's wpa_psk_file and per-station sae_password lines. */
#include "onboard/psk.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

/* Far more than PSK_MAX_ENTRIES lines of PSK_LINE_MAX; comments make up the rest. */
#define PSK_FILE_MAX (1U << 20)

struct psk_store {
	struct psk_entry *e; /* e[0..n), file order */
	size_t n, cap;
};

/* No 0 O 1 l I: a passphrase is read off a screen and typed on a device. 57 characters, so a
 * generated passphrase carries 20 * log2(57) = 116 bits. */
static const char psk_alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

static bool mac_is_zero(const struct hg_mac *m)
{
	static const struct hg_mac zero;

	return util_mac_equal(m, &zero);
}

static bool is_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (util_hexval(s[i]) < 0)
			return false;
	return true;
}

/* Exactly "xx:xx:xx:xx:xx:xx", hex in either case: hostapd's hwaddr_aton() ignores what
 * follows, and util_mac_parse() also takes '-'. */
static bool parse_mac(const char *s, size_t len, struct hg_mac *out)
{
	char tmp[HG_MAC_STRLEN];

	if (len != HG_MAC_STRLEN - 1)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (i % 3 == 2 ? s[i] != ':' : util_hexval(s[i]) < 0)
			return false;
	}
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	return util_mac_parse(tmp, out) == 0;
}

/* Decimal 1..PSK_VLANID_MAX, no sign, no leading zero. */
static bool parse_vlanid(const char *s, size_t len, int *out)
{
	int v = 0;

	if (len < 1 || len > 4 || s[0] == '0')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v > PSK_VLANID_MAX)
		return false;
	*out = v;
	return true;
}

/* A keyid is also written as a sae_password id=: printable, no space (hostapd's token
 * separator) and no '|' (sae_password's). */
static bool keyid_ok(const char *s, size_t len)
{
	if (len < 1 || len > PSK_KEYID_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] > 0x7e || s[i] == '|')
			return false;
	return true;
}

/* Why pass (len bytes) is no passphrase hostapd reads as written, or NULL. */
static const char *pass_problem(const char *s, size_t len)
{
	if (len == 64)
		return is_hex(s, len) ? NULL : "64-character PSK is not hex";
	if (len < 8)
		return "passphrase shorter than 8 characters";
	if (len > 64)
		return "passphrase longer than 63 characters";
	if (s[0] == ' ' || s[len - 1] == ' ')
		return "passphrase starts or ends with a space";
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return "passphrase holds a non-printable byte";
	return NULL;
}

static struct psk_entry *find(const struct psk_store *s, const struct hg_mac *mac)
{
	for (size_t i = 0; i < s->n; i++)
		if (util_mac_equal(&s->e[i].mac, mac))
			return &s->e[i];
	return NULL;
}

/* Room for one more entry. A fresh array rather than realloc(), so that no copy of a
 * passphrase is left behind unwiped. */
static int reserve(struct psk_store *s)
{
	struct psk_entry *e;
	size_t cap;

	if (s->n < s->cap)
		return 0;
	if (s->n >= PSK_MAX_ENTRIES)
		return -ENOSPC;
	cap = s->cap ? s->cap * 2 : 16;
	if (cap > PSK_MAX_ENTRIES)
		cap = PSK_MAX_ENTRIES;
	e = calloc(cap, sizeof(*e));
	if (!e)
		return -ENOMEM;
	if (s->n) {
		memcpy(e, s->e, s->n * sizeof(*e));
		OPENSSL_cleanse(s->e, s->n * sizeof(*e));
	}
	free(s->e);
	s->e = e;
	s->cap = cap;
	return 0;
}

/* One non-comment, non-empty line (len bytes, no '\n') into *e; the reason on failure. */
static const char *parse_line(const char *l, size_t len, struct psk_entry *e)
{
	const char *p = l, *end = l + len, *why;
	bool have_keyid = false, have_vlan = false;

	memset(e, 0, sizeof(*e));
	e->vlanid = -1;
	for (;;) {
		const char *tok = p, *tend, *eq;

		if (p == end)
			return "no MAC address";
		if (*p == ' ')
			return p == l ? "line starts with a space" : "two spaces between fields";
		tend = memchr(p, ' ', (size_t)(end - p));
		if (!tend)
			tend = end;
		eq = memchr(tok, '=', (size_t)(tend - tok));
		if (!eq)
			break;
		if (eq - tok == 5 && !memcmp(tok, "keyid", 5)) {
			if (have_keyid)
				return "keyid= given twice";
			if (!keyid_ok(eq + 1, (size_t)(tend - eq - 1)))
				return "keyid= not 1..31 printable characters without '|'";
			memcpy(e->keyid, eq + 1, (size_t)(tend - eq - 1));
			have_keyid = true;
		} else if (eq - tok == 6 && !memcmp(tok, "vlanid", 6)) {
			if (have_vlan)
				return "vlanid= given twice";
			if (!parse_vlanid(eq + 1, (size_t)(tend - eq - 1), &e->vlanid))
				return "vlanid= not a number in 1..4094";
			have_vlan = true;
		} else if (eq - tok == 3 && !memcmp(tok, "wps", 3)) {
			/* wps=0 is hostapd's default; wps=1 is a tag the store cannot carry. */
			if (tend - eq - 1 != 1 || eq[1] != '0')
				return "wps= other than 0 not supported";
		} else {
			return "unknown parameter (keyid= and vlanid= are known)";
		}
		if (tend == end)
			return "no MAC address";
		p = tend + 1;
	}
	{
		const char *tend = memchr(p, ' ', (size_t)(end - p));

		if (!parse_mac(p, (size_t)((tend ? tend : end) - p), &e->mac))
			return "invalid MAC address";
		if (!tend || tend + 1 == end)
			return "no passphrase";
		p = tend + 1;
	}
	why = pass_problem(p, (size_t)(end - p));
	if (why)
		return why;
	memcpy(e->pass, p, (size_t)(end - p));
	return NULL;
}

int psk_load(const char *path, struct psk_store **out, char *err, size_t errlen)
{
	struct psk_store *s;
	char *buf = NULL;
	size_t len = 0, lineno = 0;
	const char *p, *end;
	int ret;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	ret = util_read_file(path, PSK_FILE_MAX, &buf, &len);
	if (ret == -ENOENT) {
		ret = 0;
		goto out;
	}
	if (ret < 0) {
		util_errf(err, errlen, "%s: cannot read: %s", path, strerror(-ret));
		goto out;
	}
	p = buf;
	end = buf + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = (size_t)((nl ? nl : end) - p);
		const char *why = NULL;
		struct psk_entry e;

		lineno++;
		if (ll > PSK_LINE_MAX)
			why = "line longer than 126 characters (hostapd would split it)";
		else if (memchr(p, '\0', ll))
			why = "NUL byte";
		else if (memchr(p, '\r', ll))
			why = "carriage return (hostapd would keep it in the passphrase)";
		else if (ll == 0 || p[0] == '#')
			goto next;
		else if ((why = parse_line(p, ll, &e)) == NULL) {
			if (!mac_is_zero(&e.mac) && find(s, &e.mac))
				why = "MAC address given twice";
			else if (s->n >= PSK_MAX_ENTRIES)
				why = "more than 4096 entries";
		}
		if (why) {
			ret = util_errf(err, errlen, "%s:%zu: %s", path, lineno, why);
			OPENSSL_cleanse(&e, sizeof(e));
			goto out;
		}
		ret = reserve(s);
		if (ret < 0) {
			OPENSSL_cleanse(&e, sizeof(e));
			goto out;
		}
		s->e[s->n++] = e;
		OPENSSL_cleanse(&e, sizeof(e));
	next:
		p += ll + (nl ? 1 : 0);
	}
	ret = 0;
out:
	if (buf) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	if (ret < 0)
		psk_free(s);
	else
		*out = s;
	return ret;
}

int psk_new(struct psk_store *s, const struct hg_mac *mac, int vlanid, char pass_out[static 64])
{
	struct psk_entry e, *old;
	uint8_t rnd[64];
	size_t got = 0;
	char macs[HG_MAC_STRLEN];
	int ret;

	if (mac_is_zero(mac) || (mac->b[0] & 1) ||
		(vlanid != -1 && (vlanid < 1 || vlanid > PSK_VLANID_MAX)))
		return -EINVAL;
	memset(&e, 0, sizeof(e));
	e.mac = *mac;
	e.vlanid = vlanid;
	util_mac_format(mac, macs);
	for (size_t i = 0, j = 0; i < sizeof(macs); i++)
		if (macs[i] != ':')
			e.keyid[j++] = macs[i];
	/* Rejection sampling: only bytes below the largest multiple of 57 keep the draw uniform. */
	while (got < PSK_PASS_LEN) {
		const unsigned lim = 256 - 256 % (sizeof(psk_alphabet) - 1);

		if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
			ret = -EIO;
			goto out;
		}
		for (size_t i = 0; i < sizeof(rnd) && got < PSK_PASS_LEN; i++)
			if (rnd[i] < lim)
				e.pass[got++] = psk_alphabet[rnd[i] % (sizeof(psk_alphabet) - 1)];
	}
	old = find(s, mac);
	if (old) {
		OPENSSL_cleanse(old, sizeof(*old));
		*old = e;
	} else {
		ret = reserve(s);
		if (ret < 0)
			goto out;
		s->e[s->n++] = e;
	}
	memcpy(pass_out, e.pass, PSK_PASS_LEN + 1);
	ret = 0;
out:
	OPENSSL_cleanse(&e, sizeof(e));
	OPENSSL_cleanse(rnd, sizeof(rnd));
	return ret;
}

int psk_revoke(struct psk_store *s, const struct hg_mac *mac)
{
	struct psk_entry *e;
	size_t i;

	if (mac_is_zero(mac))
		return -EINVAL;
	e = find(s, mac);
	if (!e)
		return -ENOENT;
	i = (size_t)(e - s->e);
	memmove(&s->e[i], &s->e[i + 1], (s->n - i - 1) * sizeof(*e));
	s->n--;
	OPENSSL_cleanse(&s->e[s->n], sizeof(*e));
	return 0;
}

const struct psk_entry *psk_get(const struct psk_store *s, const struct hg_mac *mac)
{
	return find(s, mac);
}

size_t psk_count(const struct psk_store *s)
{
	return s->n;
}

const struct psk_entry *psk_at(const struct psk_store *s, size_t i)
{
	return i < s->n ? &s->e[i] : NULL;
}

/* Appends with snprintf semantics: *off grows by the whole length even past len. */
static void appendf(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void appendf(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*off < len ? buf + *off : NULL, *off < len ? len - *off : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
}

static size_t format_file(const struct psk_store *s, char *buf, size_t len)
{
	size_t off = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct psk_entry *e = &s->e[i];
		char macs[HG_MAC_STRLEN], vlan[24] = "";

		if (e->vlanid > 0)
			snprintf(vlan, sizeof(vlan), "vlanid=%d ", e->vlanid);
		appendf(buf, len, &off, "%s%s%s%s%s %s\n", e->keyid[0] ? "keyid=" : "", e->keyid,
			e->keyid[0] ? " " : "", vlan, util_mac_format(&e->mac, macs), e->pass);
	}
	return off;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, ret = 0;

	if (!slash)
		util_strlcpy(dir, ".", sizeof(dir));
	else if (slash == path)
		util_strlcpy(dir, "/", sizeof(dir));
	else {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int psk_save(const struct psk_store *s, const char *path)
{
	char tmp[PATH_MAX];
	char *buf = NULL;
	size_t len, cap = 0;
	int fd = -1, ret;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	len = format_file(s, NULL, 0);
	cap = len + 1;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	format_file(s, buf, cap);
	if (unlink(tmp) < 0 && errno != ENOENT) {
		ret = -errno;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	/* The umask may only take bits away, but be explicit about what hostapd's file gets. */
	if (fchmod(fd, 0600) < 0) {
		ret = -errno;
		goto out;
	}
	ret = write_all(fd, buf, len);
	if (ret < 0)
		goto out;
	if (fsync(fd) < 0) {
		ret = -errno;
		goto out;
	}
	ret = close(fd) < 0 ? -errno : 0;
	fd = -1;
	if (ret < 0)
		goto out;
	if (rename(tmp, path) < 0) {
		ret = -errno;
		goto out;
	}
	/* The new file is in place; a failure here only means the rename may not survive a crash. */
	ret = fsync_dir(path);
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	} else if (ret < 0 && ret != -ENAMETOOLONG) {
		unlink(tmp);
	}
	OPENSSL_cleanse(buf, cap);
	free(buf);
	return ret;
}

int psk_sae_lines(const struct psk_store *s, char *buf, size_t len)
{
	size_t off = 0;

	for (size_t i = 0; i < s->n; i++)
		if (strchr(s->e[i].pass, '|'))
			return -EINVAL;
	if (len > 0)
		buf[0] = '\0';
	for (size_t i = 0; i < s->n; i++) {
		const struct psk_entry *e = &s->e[i];
		char macs[HG_MAC_STRLEN], vlan[24] = "", mac[32] = "";

		if (strlen(e->pass) == 64)
			continue;
		if (!mac_is_zero(&e->mac))
			snprintf(mac, sizeof(mac), "|mac=%s", util_mac_format(&e->mac, macs));
		if (e->vlanid > 0)
			snprintf(vlan, sizeof(vlan), "|vlanid=%d", e->vlanid);
		appendf(buf, len, &off, "sae_password=%s%s%s%s%s\n", e->pass, mac, vlan,
			e->keyid[0] ? "|id=" : "", e->keyid);
	}
	if (off > INT_MAX)
		return -EOVERFLOW;
	return (int)off;
}

void psk_free(struct psk_store *s)
{
	if (!s)
		return;
	if (s->e) {
		OPENSSL_cleanse(s->e, s->cap * sizeof(*s->e));
		free(s->e);
	}
	free(s);
}
