/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the per-device PSK store: hostapd's documented examples, every rejection with
 * file:line, new/replace/revoke, atomic save, sae_password lines, generated passphrases; and,
 * when hostapd is installed, hostapd 2.x itself (driver=none reads wpa_psk_file and
 * sae_password) as the judge of what is written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "onboard/psk.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];
static char path[128];
static char err[256];

/* hostapd's hostapd.wpa_psk example, minus the two "wps=1" lines the store refuses. */
static const char doc_example[] =
	"# List of WPA PSKs. Each line, except for empty lines and lines starting\n"
	"# with #, must contain a MAC address and PSK separated with a space.\n"
	"00:00:00:00:00:00 secret passphrase\n"
	"00:11:22:33:44:55 another passphrase\n"
	"00:22:33:44:55:66 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
	"keyid=example_id 00:11:22:33:44:77 passphrase with keyid\n"
	"\n"
	"vlanid=3 00:00:00:00:00:00 passphrase with vlanid\n"
	"00:00:00:00:00:00 another passphrase for all STAs\n";

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_psk.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/wpa_psk", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];

	(void)state;
	chmod(dir, 0700);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *p, const char *text, size_t len)
{
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static char *read_text(const char *p)
{
	static char buf[65536];
	FILE *f = fopen(p, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static struct hg_mac mac_of(const char *s)
{
	struct hg_mac m;

	assert_int_equal(util_mac_parse(s, &m), 0);
	return m;
}

static bool have_hostapd(void)
{
	return system("command -v hostapd >/dev/null 2>&1") == 0;
}

/* Runs hostapd (driver=none, interface lo) on a BSS whose wpa_psk_file is psk_file (may be NULL)
 * and whose configuration ends in extra (may be NULL); true when it reports AP-ENABLED, false
 * when it exits first (it refuses a bad wpa_psk_file or sae_password line this way). */
static bool hostapd_accepts(const char *psk_file, const char *extra)
{
	char conf[160], line[512];
	FILE *f, *out;
	int fds[2];
	bool ok = false;
	pid_t pid;

	snprintf(conf, sizeof(conf), "%s/hostapd.conf", dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "interface=lo\ndriver=none\nssid=homegate-test\nwpa=2\nrsn_pairwise=CCMP\n");
	fprintf(f, "%s",
		extra ? "ieee80211w=1\nwpa_key_mgmt=WPA-PSK SAE\n" : "wpa_key_mgmt=WPA-PSK\n");
	if (psk_file)
		fprintf(f, "wpa_psk_file=%s\n", psk_file);
	else
		fprintf(f, "wpa_passphrase=unused-passphrase\n");
	if (extra)
		fputs(extra, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execlp("hostapd", "hostapd", "-d", conf, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	out = fdopen(fds[0], "r");
	assert_non_null(out);
	while (fgets(line, sizeof(line), out))
		if (strstr(line, "AP-ENABLED")) {
			ok = true;
			break;
		}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	fclose(out);
	return ok;
}

static void test_missing_file_is_empty(void **state)
{
	struct psk_store *s;

	(void)state;
	assert_int_equal(psk_load(path, &s, err, sizeof(err)), 0);
	assert_int_equal(psk_count(s), 0);
	assert_int_equal(psk_sae_lines(s, NULL, 0), 0);
	psk_free(s);
	psk_free(NULL);
}

static void test_load_doc_example(void **state)
{
	struct psk_store *s;
	const struct psk_entry *e;
	struct hg_mac zero = {{0}}, m;

	(void)state;
	write_file(path, doc_example, strlen(doc_example));
	assert_int_equal(psk_load(path, &s, err, sizeof(err)), 0);
	assert_int_equal(psk_count(s), 6);
	e = psk_get(s, &zero); /* the first of three any-station lines */
	assert_non_null(e);
	assert_string_equal(e->pass, "secret passphrase");
	assert_string_equal(e->keyid, "");
	assert_int_equal(e->vlanid, -1);
	m = mac_of("00:22:33:44:55:66");
	e = psk_get(s, &m);
	assert_non_null(e);
	assert_int_equal(strlen(e->pass), 64);
	m = mac_of("00:11:22:33:44:77");
	e = psk_get(s, &m);
	assert_non_null(e);
	assert_string_equal(e->keyid, "example_id");
	assert_string_equal(e->pass, "passphrase with keyid");
	m = mac_of("00:11:22:33:44:99");
	assert_null(psk_get(s, &m));

	/* Rewritten: comments and the blank line go, every entry stays, in order. */
	assert_int_equal(psk_save(s, path), 0);
	assert_string_equal(read_text(path),
		"00:00:00:00:00:00 secret passphrase\n"
		"00:11:22:33:44:55 another passphrase\n"
		"00:22:33:44:55:66 "
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
		"keyid=example_id 00:11:22:33:44:77 passphrase with keyid\n"
		"vlanid=3 00:00:00:00:00:00 passphrase with vlanid\n"
		"00:00:00:00:00:00 another passphrase for all STAs\n");
	psk_free(s);

	/* wps=0 (the default) and any order of the prefixes, the last line without '\n'. */
	write_file(path, "wps=0 vlanid=12 keyid=k 00:11:22:33:44:55 12345678",
		strlen("wps=0 vlanid=12 keyid=k 00:11:22:33:44:55 12345678"));
	assert_int_equal(psk_load(path, &s, err, sizeof(err)), 0);
	m = mac_of("00:11:22:33:44:55");
	e = psk_get(s, &m);
	assert_non_null(e);
	assert_int_equal(e->vlanid, 12);
	assert_string_equal(e->keyid, "k");
	assert_string_equal(e->pass, "12345678");
	psk_free(s);
}

static void test_hostapd_reads_doc_example(void **state)
{
	(void)state;
	if (!have_hostapd())
		skip();
	write_file(path, doc_example, strlen(doc_example));
	assert_true(hostapd_accepts(path, NULL));
	/* and the oracle can fail: */
	write_file(path, "00:11:22:33:44:55 short\n", strlen("00:11:22:33:44:55 short\n"));
	assert_false(hostapd_accepts(path, NULL));
}

static void test_rejections(void **state)
{
	static const struct {
		const char *text;
		size_t len; /* 0: strlen(text) */
		int line;
		const char *reason;
	} cases[] = {
		{"# ok\n\n00:11:22:33:44:55 abc\n", 0, 3, "passphrase shorter than 8 characters"},
		{"00:11:22:33:44:55 "
		 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0\n",
			0, 1, "passphrase longer than 63 characters"},
		{"00:11:22:33:44:55 "
		 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg\n",
			0, 1, "64-character PSK is not hex"},
		{"00:11:22:33:44:55 trailing space \n", 0, 1,
			"passphrase starts or ends with a space"},
		{"00:11:22:33:44:55  leading space\n", 0, 1,
			"passphrase starts or ends with a space"},
		{"00:11:22:33:44:55 tab\there\n", 0, 1, "passphrase holds a non-printable byte"},
		{"00:11:22:33:44:55 caf\xc3\xa9-latte\n", 0, 1,
			"passphrase holds a non-printable byte"},
		{"00:11:22:33:44:55 windows-line\r\n", 0, 1, "carriage return"},
		{"00:11:22:33:44:55 nul\0byte-here\n", 32, 1, "NUL byte"},
		{" 00:11:22:33:44:55 passphrase\n", 0, 1, "line starts with a space"},
		{"keyid=a  00:11:22:33:44:55 passphrase\n", 0, 1, "two spaces between fields"},
		{"   \n", 0, 1, "line starts with a space"},
		{"00-11-22-33-44-55 passphrase\n", 0, 1, "invalid MAC address"},
		{"00:11:22:33:44:5 passphrase\n", 0, 1, "invalid MAC address"},
		{"00:11:22:33:44:55x passphrase\n", 0, 1, "invalid MAC address"},
		{"garbage\n", 0, 1, "invalid MAC address"},
		{"00:11:22:33:44:55\n", 0, 1, "no passphrase"},
		{"00:11:22:33:44:55 \n", 0, 1, "no passphrase"},
		{"keyid=x\n", 0, 1, "no MAC address"},
		{"color=red 00:11:22:33:44:55 passphrase\n", 0, 1, "unknown parameter"},
		{"wps=1 00:11:22:33:44:55 passphrase\n", 0, 1, "wps= other than 0 not supported"},
		{"keyid=a keyid=b 00:11:22:33:44:55 passphrase\n", 0, 1, "keyid= given twice"},
		{"keyid= 00:11:22:33:44:55 passphrase\n", 0, 1, "keyid= not 1..31"},
		{"keyid=0123456789abcdef0123456789abcdef 00:11:22:33:44:55 passphrase\n", 0, 1,
			"keyid= not 1..31"},
		{"keyid=a|b 00:11:22:33:44:55 passphrase\n", 0, 1, "keyid= not 1..31"},
		{"vlanid=1 vlanid=2 00:11:22:33:44:55 passphrase\n", 0, 1, "vlanid= given twice"},
		{"vlanid=0 00:11:22:33:44:55 passphrase\n", 0, 1,
			"vlanid= not a number in 1..4094"},
		{"vlanid=4095 00:11:22:33:44:55 passphrase\n", 0, 1, "vlanid= not a number"},
		{"vlanid=07 00:11:22:33:44:55 passphrase\n", 0, 1, "vlanid= not a number"},
		{"vlanid=-1 00:11:22:33:44:55 passphrase\n", 0, 1, "vlanid= not a number"},
		{"vlanid=3x 00:11:22:33:44:55 passphrase\n", 0, 1, "vlanid= not a number"},
		{"00:11:22:33:44:55 passphrase-one\n00:00:00:00:00:00 any-one-1\n"
		 "00:11:22:33:44:55 passphrase-two\n",
			0, 3, "MAC address given twice"},
		{"#" /* a long comment: hostapd would read its tail as a line */
		 "234567890123456789012345678901234567890123456789012345678901234567890123456789"
		 "01234567890123456789012345678901234567890123456789\n",
			0, 1, "line longer than 126 characters"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct psk_store *s = (struct psk_store *)1;
		char want[256];
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);

		write_file(path, cases[i].text, len);
		err[0] = '\0';
		assert_int_equal(psk_load(path, &s, err, sizeof(err)), -EINVAL);
		assert_null(s);
		snprintf(want, sizeof(want), "%s:%d: %s", path, cases[i].line, cases[i].reason);
		if (strncmp(err, want, strlen(want)) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s...\"", i, err, want);
		/* The reason never quotes what was on the line. */
		assert_null(strstr(err, "passphrase-two"));
		assert_null(strstr(err, "trailing"));
	}
}

static void test_more_than_max_entries(void **state)
{
	size_t cap = (PSK_MAX_ENTRIES + 1) * 40, off = 0;
	char *text = malloc(cap), want[160];
	struct psk_store *s;

	(void)state;
	assert_non_null(text);
	for (unsigned i = 0; i <= PSK_MAX_ENTRIES; i++)
		off += (size_t)snprintf(text + off, cap - off, "02:00:00:00:%02x:%02x passphrase\n",
			i >> 8, i & 0xff);
	write_file(path, text, off - 29); /* exactly PSK_MAX_ENTRIES lines */
	assert_int_equal(psk_load(path, &s, err, sizeof(err)), 0);
	assert_int_equal(psk_count(s), PSK_MAX_ENTRIES);
	{
		struct hg_mac m = mac_of("02:00:00:00:ff:ff");
		char pass[64];

		assert_int_equal(psk_new(s, &m, -1, pass), -ENOSPC);
		m = mac_of("02:00:00:00:00:05"); /* a replacement still fits */
		assert_int_equal(psk_new(s, &m, -1, pass), 0);
		assert_int_equal(psk_count(s), PSK_MAX_ENTRIES);
	}
	psk_free(s);
	write_file(path, text, off);
	assert_int_equal(psk_load(path, &s, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:%d: more than 4096 entries", path, PSK_MAX_ENTRIES + 1);
	assert_string_equal(err, want);
	free(text);
}

static bool in_alphabet(char c)
{
	return c && strchr("23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", c);
}

static void test_generated_passphrases(void **state)
{
	enum { N = 300 };
	static char seen[N][64];
	struct psk_store *s;
	unsigned used[128] = {0};

	(void)state;
	assert_int_equal(psk_load(path, &s, err, sizeof(err)), 0);
	for (int i = 0; i < N; i++) {
		struct hg_mac m = {{0x02, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i}};
		const struct psk_entry *e;

		assert_int_equal(psk_new(s, &m, -1, seen[i]), 0);
		assert_int_equal(strlen(seen[i]), PSK_PASS_LEN);
		for (int j = 0; j < PSK_PASS_LEN; j++) {
			assert_true(in_alphabet(seen[i][j]));
			used[(unsigned char)seen[i][j]]++;
		}
		for (int j = 0; j < i; j++)
			assert_string_not_equal(seen[i], seen[j]);
		e = psk_get(s, &m);
		assert_non_null(e);
		assert_string_equal(e->pass, seen[i]);
	}
	/* 6000 draws over 57 characters: every one turns up (each ~105 times). */
	for (const char *c = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"; *c; c++)
		assert_true(used[(unsigned char)*c] > 30);
	psk_free(s);
}

static void test_new_replace_revoke(void **state)
{
	struct psk_store *s;
	struct hg_mac a = mac_of("52:54:00:aa:bb:01"), b = mac_of("52:54:00:aa:bb:02");
	struct hg_mac zero = {{0}}, mcast = mac_of("01:00:5e:00:00:01");
	char pa[64], pa2[64], pb[64];
	const struct psk_entry *e;

	(void)state;
	assert_int_equal(psk_load(path, &s, err, sizeof(err)), 0);
	assert_int_equal(psk_new(s, &a, -1, pa), 0);
	assert_int_equal(psk_new(s, &b, 20, pb), 0);
	assert_int_equal(psk_count(s), 2);
	e = psk_get(s, &a);
	assert_string_equal(e->keyid, "525400aabb01");
	assert_int_equal(e->vlanid, -1);
	e = psk_get(s, &b);
	assert_string_equal(e->keyid, "525400aabb02");
	assert_int_equal(e->vlanid, 20);

	/* Replace: same MAC, new passphrase, same place. */
	assert_int_equal(psk_new(s, &a, 7, pa2), 0);
	assert_string_not_equal(pa, pa2);
	assert_int_equal(psk_count(s), 2);
	e = psk_get(s, &a);
	assert_string_equal(e->pass, pa2);
	assert_int_equal(e->vlanid, 7);

	assert_int_equal(psk_new(s, &zero, -1, pa), -EINVAL);
	assert_int_equal(psk_new(s, &mcast, -1, pa), -EINVAL);
	assert_int_equal(psk_new(s, &a, 0, pa), -EINVAL);
	assert_int_equal(psk_new(s, &a, 4095, pa), -EINVAL);
	assert_int_equal(psk_count(s), 2);
	assert_string_equal(psk_get(s, &a)->pass, pa2);

	assert_int_equal(psk_revoke(s, &a), 0);
	assert_null(psk_get(s, &a));
	assert_int_equal(psk_revoke(s, &a), -ENOENT);
	assert_int_equal(psk_revoke(s, &zero), -EINVAL);
	assert_string_equal(psk_get(s, &b)->pass, pb);
	assert_int_equal(psk_count(s), 1);

	/* Saved and loaded back, b is what it was. */
	assert_int_equal(psk_save(s, path), 0);
	psk_free(s);
	assert_int_equal(psk_load(path, &s, err, sizeof(err)), 0);
	assert_int_equal(psk_count(s), 1);
	e = psk_get(s, &b);
	assert_non_null(e);
	assert_string_equal(e->pass, pb);
	assert_string_equal(e->keyid, "525400aabb02");
	assert_int_equal(e->vlanid, 20);
	psk_free(s);
}

static void test_revoke_leaves_others_identical(void **state)
{
	static const char l1[] = "keyid=525400000001 52:54:00:00:00:01 Yq7bRkH3mZt9WcXp4sNa\n";
	static const char l2[] = "keyid=525400000002 vlanid=30 52:54:00:00:00:02 passphrase two!\n";
	static const char l3[] = "00:00:00:00:00:00 guest-passphrase\n";
	static const char l4[] =
		"52:54:00:00:00:04 "
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
	char text[512], want[512];
	struct psk_store *s;
	struct hg_mac m = mac_of("52:54:00:00:00:02");

	(void)state;
	snprintf(text, sizeof(text), "%s%s%s%s", l1, l2, l3, l4);
	write_file(path, text, strlen(text));
	assert_int_equal(psk_load(path, &s, err, sizeof(err)), 0);
	/* Saved untouched, a canonical file comes back byte for byte. */
	assert_int_equal(psk_save(s, path), 0);
	assert_string_equal(read_text(path), text);
	assert_int_equal(psk_revoke(s, &m), 0);
	assert_int_equal(psk_save(s, path), 0);
	snprintf(want, sizeof(want), "%s%s%s", l1, l3, l4);
	assert_string_equal(read_text(path), want);
	psk_free(s);
}

static void test_save_atomic(void **state)
{
	char tmp[160], text[512];
	struct psk_store *s;
	struct hg_mac m = mac_of("52:54:00:12:34:56");
	struct stat st;
	struct rlimit old, small;
	char pass[64];

	(void)state;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(psk_load(path, &s, err, sizeof(err)), 0);
	assert_int_equal(psk_new(s, &m, -1, pass), 0);
	/* A stale temp file from a crash is replaced, whatever its mode. */
	write_file(tmp, "stale", 5);
	chmod(tmp, 0644);
	umask(022);
	assert_int_equal(psk_save(s, path), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(errno, ENOENT);
	snprintf(text, sizeof(text), "%s", read_text(path));
	assert_non_null(strstr(text, pass));

	/* A write that fails half-way (the file size limit, as a full disk would) leaves the old
	 * file whole and no temp file behind. */
	for (int i = 0; i < 50; i++) {
		struct hg_mac x = {{0x02, 1, 2, 3, 4, (uint8_t)i}};

		assert_int_equal(psk_new(s, &x, -1, pass), 0);
	}
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 512;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_int_equal(psk_save(s, path), -EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_string_equal(read_text(path), text);
	assert_int_equal(access(tmp, F_OK), -1);

	/* A temp path that cannot be replaced (here a directory) fails before anything is written. */
	assert_int_equal(mkdir(tmp, 0700), 0);
	assert_true(psk_save(s, path) < 0);
	assert_string_equal(read_text(path), text);
	assert_int_equal(rmdir(tmp), 0);

	/* A read-only directory; root writes there anyway, so only without CAP_DAC_OVERRIDE. */
	if (geteuid() != 0) {
		assert_int_equal(chmod(dir, 0500), 0);
		assert_int_equal(psk_save(s, path), -EACCES);
		assert_int_equal(chmod(dir, 0700), 0);
		assert_string_equal(read_text(path), text);
		assert_int_equal(access(tmp, F_OK), -1);
	}

	assert_int_equal(psk_save(s, path), 0);
	assert_string_not_equal(read_text(path), text);
	psk_free(s);
}

static void test_sae_lines(void **state)
{
	static const char file[] =
		"keyid=525400000001 52:54:00:00:00:01 Yq7bRkH3mZt9WcXp4sNa\n"
		"keyid=525400000002 vlanid=30 52:54:00:00:00:02 passphrase two!\n"
		"00:00:00:00:00:00 guest-passphrase\n"
		"52:54:00:00:00:04 "
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
	static const char want[] =
		"sae_password=Yq7bRkH3mZt9WcXp4sNa|mac=52:54:00:00:00:01|id=525400000001\n"
		"sae_password=passphrase two!|mac=52:54:00:00:00:02|vlanid=30|id=525400000002\n"
		"sae_password=guest-passphrase\n";
	char buf[512], small[20];
	struct psk_store *s;

	(void)state;
	write_file(path, file, strlen(file));
	assert_int_equal(psk_load(path, &s, err, sizeof(err)), 0);
	assert_int_equal(psk_sae_lines(s, NULL, 0), (int)strlen(want));
	assert_int_equal(psk_sae_lines(s, buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
	memset(small, 'x', sizeof(small));
	assert_int_equal(psk_sae_lines(s, small, sizeof(small)), (int)strlen(want));
	assert_int_equal(small[sizeof(small) - 1], '\0');
	assert_int_equal(strncmp(small, want, sizeof(small) - 1), 0);
	if (have_hostapd()) {
		/* hostapd reads both files, and takes the keyid as the SAE password identifier. */
		assert_true(hostapd_accepts(path, buf));
		assert_false(hostapd_accepts(path, "sae_password=abcdefgh|mac=zz\n"));
	}
	psk_free(s);

	write_file(
		path, "52:54:00:00:00:09 pipe|in-it\n", strlen("52:54:00:00:00:09 pipe|in-it\n"));
	assert_int_equal(psk_load(path, &s, err, sizeof(err)), 0);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(psk_sae_lines(s, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(buf[0], 'x');
	psk_free(s);
}

static void test_hostapd_reads_generated(void **state)
{
	struct psk_store *s;
	char pass[64], sae[4096];

	(void)state;
	if (!have_hostapd())
		skip();
	assert_int_equal(psk_load(path, &s, err, sizeof(err)), 0);
	for (int i = 0; i < 20; i++) {
		struct hg_mac m = {{0x52, 0x54, 0, 0, 1, (uint8_t)i}};

		assert_int_equal(psk_new(s, &m, i % 2 ? 100 + i : -1, pass), 0);
	}
	assert_int_equal(psk_save(s, path), 0);
	assert_true(psk_sae_lines(s, sae, sizeof(sae)) < (int)sizeof(sae));
	assert_true(hostapd_accepts(path, sae));
	psk_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missing_file_is_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_doc_example, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostapd_reads_doc_example, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_more_than_max_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generated_passphrases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_replace_revoke, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_revoke_leaves_others_identical, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sae_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostapd_reads_generated, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
