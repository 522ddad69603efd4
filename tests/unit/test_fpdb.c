/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the fingerprint database: every construct, every rejection (one file each in
 * tests/data/fpdb), several files with reopened blocks, all-or-nothing loads, limits, globs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "identify/fpdb.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERR_MAX 512

static void data_path(char *out, size_t outlen, const char *name)
{
	const char *dir = getenv("HOMEGATE_TEST_DATA");

	snprintf(out, outlen, "%s/fpdb/%s", dir ? dir : "tests/data", name);
}

static struct fpdb *load_one(const char *name)
{
	char path[512], err[ERR_MAX];
	struct fpdb *db = fpdb_new();

	assert_non_null(db);
	data_path(path, sizeof(path), name);
	if (fpdb_load(db, path, err, sizeof(err)) != 0)
		fail_msg("%s: %s", name, err);
	return db;
}

static int load_text(struct fpdb *db, const char *text, char *err)
{
	return fpdb_load_buf(db, "t.fpdb", text, strlen(text), err, ERR_MAX);
}

/* The rules of sig, in order. */
static size_t sig_rules(
	const struct fpdb *db, enum hg_signal sig, const struct fpdb_rule **out, size_t max)
{
	size_t first, end, n = 0;

	fpdb_sig_range(db, sig, &first, &end);
	for (size_t i = first; i < end && n < max; i++)
		out[n++] = fpdb_rule_at(db, i);
	return end - first;
}

static void test_good(void **state)
{
	struct fpdb *db = load_one("good.fpdb");
	const struct fpdb_rule *r[8];
	const struct fpdb_block *b;
	size_t total = 0;

	(void)state;
	assert_int_equal(fpdb_rules(db), 15);
	assert_int_equal(fpdb_blocks(db), 9);

	/* dhcp.hostname rules in file order, lower-cased, with their blocks */
	assert_int_equal(sig_rules(db, HG_SIG_DHCP_HOSTNAME, r, 8), 5);
	assert_int_equal(r[0]->op, FPDB_OP_IS);
	assert_string_equal(r[0]->pattern, "hs110");
	assert_int_equal(r[0]->len, 5);
	assert_true(r[0]->weight == 0.9);
	b = fpdb_block_at(db, r[0]->block);
	assert_int_equal(b->kind, FPDB_BLOCK_DEVICE);
	assert_string_equal(b->model, "HS110");
	assert_int_equal(b->cat, FPDB_CAT_PLUG);
	assert_string_equal(fpdb_vendor_name(db, b->vendor), "TP-Link");
	assert_int_equal(r[1]->op, FPDB_OP_PREFIX);
	assert_string_equal(r[1]->pattern, "hs100");
	assert_true(r[1]->weight == -0.9);
	assert_int_equal(r[1]->block, r[0]->block);
	assert_string_equal(fpdb_block_at(db, r[2]->block)->model, "HS100");
	/* "d-link" in the device line is the vendor D-Link */
	b = fpdb_block_at(db, r[4]->block);
	assert_string_equal(fpdb_vendor_name(db, b->vendor), "D-Link");
	assert_string_equal(b->model, "DCS-930L");
	assert_int_equal(b->cat, FPDB_CAT_CAMERA);

	/* a quoted '#' is text; \" and \\ unescape; 0.001 is the smallest weight */
	assert_int_equal(sig_rules(db, HG_SIG_SSDP_SERVER, r, 8), 1);
	assert_string_equal(r[0]->pattern, "a # is not a comment in quotes");
	assert_true(r[0]->weight == 0.001);
	b = fpdb_block_at(db, r[0]->block);
	assert_int_equal(b->kind, FPDB_BLOCK_VENDOR);
	assert_null(b->model);
	assert_string_equal(fpdb_vendor_name(db, b->vendor), "Quote \"Inc\" \\ Co");

	assert_int_equal(sig_rules(db, HG_SIG_MDNS_NAME, r, 8), 1);
	assert_int_equal(r[0]->op, FPDB_OP_GLOB);
	assert_string_equal(r[0]->pattern, "tapo_c[0-9]*");
	b = fpdb_block_at(db, r[0]->block);
	assert_null(b->model); /* "-": the vendor + category entry */
	assert_int_equal(b->cat, FPDB_CAT_CAMERA);

	assert_int_equal(sig_rules(db, HG_SIG_SSDP_TYPE, r, 8), 1);
	assert_string_equal(r[0]->pattern, "urn:schemas-upnp-org:device:digitalsecuritycamera");
	assert_true(r[0]->weight == 1.0);
	b = fpdb_block_at(db, r[0]->block);
	assert_int_equal(b->kind, FPDB_BLOCK_CATEGORY);
	assert_int_equal(b->vendor, FPDB_NO_VENDOR);
	assert_int_equal(b->cat, FPDB_CAT_CAMERA);
	assert_int_equal(sig_rules(db, HG_SIG_NET_PORT, r, 8), 1);
	assert_true(r[0]->weight == 1.0);
	assert_int_equal(sig_rules(db, HG_SIG_MDNS_SERVICE, r, 8), 2);
	assert_string_equal(r[1]->pattern, "_printer._tcp.local");
	assert_int_equal(sig_rules(db, HG_SIG_DNS_QUERY, r, 8), 1);
	assert_int_equal(r[0]->op, FPDB_OP_DOMAIN);

	/* every rule is in exactly one signal's range, the ranges in signal order */
	for (unsigned s = HG_SIG_FIRST; s <= HG_SIG_LAST; s++) {
		size_t first, end;

		fpdb_sig_range(db, (enum hg_signal)s, &first, &end);
		assert_int_equal(first, total);
		for (size_t i = first; i < end; i++)
			assert_int_equal(fpdb_rule_at(db, i)->sig, s);
		total = end;
	}
	assert_int_equal(total, fpdb_rules(db));
	assert_null(fpdb_rule_at(db, total));
	assert_null(fpdb_block_at(db, 9));
	fpdb_free(db);
}

static void test_vendor_names(void **state)
{
	struct fpdb *db = load_one("good.fpdb");

	(void)state;
	assert_string_equal(fpdb_vendor_canonical(db, "TP-Link"), "TP-Link");
	assert_string_equal(fpdb_vendor_canonical(db, "tp link"), "TP-Link");
	assert_string_equal(fpdb_vendor_canonical(db, "TP-LINK TECHNOLOGIES CO.,LTD."), "TP-Link");
	assert_string_equal(fpdb_vendor_canonical(db, "TP-Link Corporation Limited"), "TP-Link");
	assert_string_equal(fpdb_vendor_canonical(db, "TP-Link Technology Inc"), "TP-Link");
	assert_string_equal(fpdb_vendor_canonical(db, "D-Link Corporation"), "D-Link");
	assert_string_equal(fpdb_vendor_canonical(db, "D-LINK INTERNATIONAL"), "D-Link");
	assert_string_equal(fpdb_vendor_canonical(db, "d-link gmbh llc"), "D-Link");
	/* the shorter one may be the spelling asked for: "Quote Inc Co" is the vendor plus
	 * nothing, "Quote" is the vendor minus its suffix words */
	assert_string_equal(fpdb_vendor_canonical(db, "Quote Inc Co"), "Quote \"Inc\" \\ Co");
	assert_string_equal(fpdb_vendor_canonical(db, "Quote"), "Quote \"Inc\" \\ Co");
	/* a suffix that is not a corporate word, or a longer name, is another vendor */
	assert_null(fpdb_vendor_canonical(db, "D-Link Systems"));
	assert_null(fpdb_vendor_canonical(db, "D-Links"));
	assert_null(fpdb_vendor_canonical(db, "TP"));
	assert_null(fpdb_vendor_canonical(db, "Acme"));
	assert_null(fpdb_vendor_canonical(db, "---"));
	assert_null(fpdb_vendor_canonical(db, ""));
	assert_null(fpdb_vendor_canonical(db, NULL));
	assert_null(fpdb_vendor_canonical(NULL, "TP-Link"));

	assert_true(fpdb_vendor_owns_host(db, "TP-Link", "tplinkcloud.com"));
	assert_true(fpdb_vendor_owns_host(db, "TP-Link", "mud.eu.tplinkcloud.com"));
	assert_true(fpdb_vendor_owns_host(db, "TP-Link", "MUD.TPLinkCloud.COM."));
	assert_true(fpdb_vendor_owns_host(db, "TP-Link", "www.tp-link.com")); /* lower-cased */
	assert_true(fpdb_vendor_owns_host(db, "TP-LINK TECHNOLOGIES CO.,LTD.", "tplinkcloud.com"));
	assert_false(fpdb_vendor_owns_host(db, "TP-Link", "eviltplinkcloud.com"));
	assert_false(fpdb_vendor_owns_host(db, "TP-Link", "tplinkcloud.com.evil.example"));
	assert_false(fpdb_vendor_owns_host(db, "TP-Link", "cloud.com"));
	assert_false(fpdb_vendor_owns_host(db, "TP-Link", ""));
	assert_false(fpdb_vendor_owns_host(db, "TP-Link", "[2001:db8::1]"));
	assert_false(fpdb_vendor_owns_host(db, "D-Link", "tplinkcloud.com"));
	assert_true(fpdb_vendor_owns_host(db, "D-Link", "mud.dlink.com"));
	assert_false(fpdb_vendor_owns_host(db, "Acme", "tplinkcloud.com"));
	assert_false(fpdb_vendor_owns_host(db, NULL, "tplinkcloud.com"));
	fpdb_free(db);
}

static void test_categories(void **state)
{
	(void)state;
	assert_int_equal(FPDB_CAT_COUNT, 19);
	for (unsigned c = 0; c < FPDB_CAT_COUNT; c++) {
		const char *name = fpdb_category_name((enum fpdb_category)c);

		assert_true(strlen(name) < FPDB_CATEGORY_MAX);
		if (c)
			assert_int_equal(fpdb_category_from_name(name), c);
	}
	assert_string_equal(fpdb_category_name(FPDB_CAT_THERMOSTAT), "thermostat");
	assert_string_equal(fpdb_category_name(FPDB_CAT_COUNT), "unknown");
	assert_int_equal(fpdb_category_from_name("unknown"), FPDB_CAT_UNKNOWN);
	assert_int_equal(fpdb_category_from_name("Camera"), FPDB_CAT_UNKNOWN);
}

static int filter_bad(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return strncmp(e->d_name, "bad-", 4) == 0 && n > 5 &&
		strcmp(e->d_name + n - 5, ".fpdb") == 0;
}

/* Loads path into db and checks the error against the "# expect: LINE: TEXT" first line. */
static void expect_error(struct fpdb *db, const char *path)
{
	char line[512], want[600], err[ERR_MAX], *text;
	unsigned lineno = 0;
	FILE *f = fopen(path, "r");
	int ret;

	assert_non_null(f);
	if (!fgets(line, sizeof(line), f) || sscanf(line, "# expect: %u:", &lineno) != 1)
		fail_msg("%s: no \"# expect: LINE: TEXT\" first line", path);
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	text = strchr(line + strlen("# expect: "), ':') + 2;
	ret = fpdb_load(db, path, err, sizeof(err));
	if (ret != -EINVAL)
		fail_msg("%s: returned %d (%s), not -EINVAL", path, ret, err);
	snprintf(want, sizeof(want), "%s:%u: ", path, lineno);
	if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, text))
		fail_msg("%s:\n  got:  %s\n  want: %s...%s", path, err, want, text);
}

static void test_bad_files(void **state)
{
	char dir[512], path[1024];
	struct dirent **ents;
	struct fpdb *fresh, *db = load_one("good.fpdb");
	int n;

	(void)state;
	data_path(dir, sizeof(dir), "");
	n = scandir(dir, &ents, filter_bad, alphasort);
	assert_true(n >= 64);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s%s", dir, ents[i]->d_name);
		/* into an empty database and into one with good.fpdb: nothing of it stays */
		fresh = fpdb_new();
		expect_error(fresh, path);
		assert_int_equal(fpdb_rules(fresh), 0);
		assert_int_equal(fpdb_blocks(fresh), 0);
		assert_null(fpdb_vendor_canonical(fresh, "Acme"));
		fpdb_free(fresh);
		expect_error(db, path);
		assert_int_equal(fpdb_rules(db), 15);
		assert_int_equal(fpdb_blocks(db), 9);
		assert_null(fpdb_vendor_canonical(db, "Acme"));
		free(ents[i]);
	}
	free(ents);
	fpdb_free(db);
}

static void test_multi(void **state)
{
	char path[512], err[ERR_MAX];
	const struct fpdb_rule *r[4];
	struct fpdb *db = load_one("multi-base.fpdb");

	(void)state;
	assert_int_equal(fpdb_rules(db), 3);
	assert_int_equal(fpdb_blocks(db), 3);
	data_path(path, sizeof(path), "multi-isp.fpdb");
	assert_int_equal(fpdb_load(db, path, err, sizeof(err)), 0);
	assert_int_equal(fpdb_rules(db), 8);
	assert_int_equal(fpdb_blocks(db), 5); /* Bolt and Cam 2 are new */
	assert_string_equal(fpdb_vendor_canonical(db, "acme"), "Acme");
	assert_string_equal(fpdb_vendor_canonical(db, "Acme Cameras Ltd"), "Acme");
	assert_string_equal(fpdb_vendor_canonical(db, "Bolt"), "Bolt");
	assert_true(fpdb_vendor_owns_host(db, "Acme", "mud.acme.example"));
	assert_true(fpdb_vendor_owns_host(db, "Acme", "cloud.acme-cams.example"));
	assert_false(fpdb_vendor_owns_host(db, "Acme", "acme-cams.example"));
	/* the reopened device's rules belong to the one block */
	assert_int_equal(sig_rules(db, HG_SIG_DHCP_HOSTNAME, r, 4), 3);
	assert_int_equal(r[0]->block, r[1]->block);
	assert_string_equal(fpdb_block_at(db, r[2]->block)->model, "Cam 2");
	assert_int_equal(sig_rules(db, HG_SIG_MDNS_SERVICE, r, 4), 2);
	assert_int_equal(r[0]->block, r[1]->block);
	assert_int_equal(sig_rules(db, HG_SIG_DNS_QUERY, r, 4), 1);
	assert_int_equal(fpdb_block_at(db, r[0]->block)->kind, FPDB_BLOCK_VENDOR);

	/* a later file may not change a model's category; the failed file leaves no trace */
	data_path(path, sizeof(path), "multi-bad-category.fpdb");
	expect_error(db, path);
	assert_int_equal(fpdb_rules(db), 8);
	assert_int_equal(fpdb_blocks(db), 5);
	assert_null(fpdb_vendor_canonical(db, "Acme Plugs"));

	/* loading a file again reopens everything it declares */
	data_path(path, sizeof(path), "multi-isp.fpdb");
	assert_int_equal(fpdb_load(db, path, err, sizeof(err)), 0);
	assert_int_equal(fpdb_rules(db), 13);
	assert_int_equal(fpdb_blocks(db), 5);
	fpdb_free(db);
}

static void test_all_or_nothing(void **state)
{
	char path[512], err[ERR_MAX];
	struct fpdb *db = load_one("good.fpdb");
	const struct fpdb_rule *r[8];

	(void)state;
	/* valid vendor, device and category blocks before the error are all dropped */
	data_path(path, sizeof(path), "bad-after-valid-blocks.fpdb");
	expect_error(db, path);
	assert_null(fpdb_vendor_canonical(db, "Acme"));
	assert_int_equal(sig_rules(db, HG_SIG_NET_PORT, r, 8), 1);
	assert_int_equal(fpdb_rules(db), 15);
	/* and nothing half-declared remains to collide with */
	assert_int_equal(
		load_text(db,
			"homegate-fpdb 1\nvendor \"Acme\"\ndevice \"Acme\" \"Cam 1\" camera\n"
			"category plug\n\trule net.port is tcp/9999 0.7\n",
			err),
		0);
	assert_int_equal(fpdb_rules(db), 16);
	assert_int_equal(sig_rules(db, HG_SIG_NET_PORT, r, 8), 2);
	assert_string_equal(r[1]->pattern, "tcp/9999");
	fpdb_free(db);
}

static void test_read_errors(void **state)
{
	char path[512], err[ERR_MAX], want[600];
	struct fpdb *db = fpdb_new();
	char *big;

	(void)state;
	data_path(path, sizeof(path), "does-not-exist.fpdb");
	assert_int_equal(fpdb_load(db, path, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err, want);
	data_path(path, sizeof(path), "");
	assert_int_equal(fpdb_load(db, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: not a regular file", path);
	assert_string_equal(err, want);
	big = calloc(1, FPDB_MAX_FILE + 1);
	assert_non_null(big);
	assert_int_equal(
		fpdb_load_buf(db, "big.fpdb", big, FPDB_MAX_FILE + 1, err, sizeof(err)), -EFBIG);
	assert_string_equal(err, "big.fpdb: larger than 4 MiB");
	free(big);
	assert_int_equal(fpdb_load_buf(NULL, "x", "", 0, err, sizeof(err)), -EINVAL);
	fpdb_free(db);
	fpdb_free(NULL);
	assert_int_equal(fpdb_rules(NULL), 0);
}

static void test_line_endings(void **state)
{
	struct fpdb *db;
	const struct fpdb_rule *r[2];
	static const char unterminated[] = "homegate-fpdb 1\nvendor \"X\"\n\trule oui is x 0.5XXXX";
	char err[ERR_MAX];

	(void)state;
	db = load_one("crlf.fpdb");
	assert_string_equal(fpdb_vendor_canonical(db, "crlf"), "Crlf");
	assert_int_equal(sig_rules(db, HG_SIG_OUI, r, 2), 1);
	assert_string_equal(r[0]->pattern, "crlf");
	assert_true(r[0]->weight == 0.5);
	fpdb_free(db);
	db = load_one("bom-no-final-newline.fpdb");
	assert_int_equal(sig_rules(db, HG_SIG_OUI, r, 2), 1);
	assert_true(r[0]->weight == 0.5);
	fpdb_free(db);
	/* from memory: len ends the text, not a NUL */
	db = fpdb_new();
	assert_int_equal(
		fpdb_load_buf(db, "m", unterminated, sizeof(unterminated) - 5, err, sizeof(err)),
		0);
	assert_int_equal(fpdb_rules(db), 1);
	fpdb_free(db);
}

/* n blocks or rules over the limits, in one file or across two */
static void test_limits(void **state)
{
	size_t cap = 64 * (FPDB_MAX_RULES + 8), len = 0;
	char *buf = malloc(cap), err[ERR_MAX], want[64];
	struct fpdb *db = fpdb_new();

	(void)state;
	assert_non_null(buf);
	len += (size_t)snprintf(buf + len, cap - len, "homegate-fpdb 1\n");
	for (int i = 0; i < FPDB_MAX_BLOCKS; i++)
		len += (size_t)snprintf(buf + len, cap - len, "vendor \"V%d\"\n", i);
	assert_int_equal(fpdb_load_buf(db, "b", buf, len, err, sizeof(err)), 0);
	assert_int_equal(fpdb_blocks(db), FPDB_MAX_BLOCKS);
	/* reopening does not count; one more does */
	assert_int_equal(
		load_text(db, "homegate-fpdb 1\nvendor \"V7\"\n\trule oui is v7 0.5\n", err), 0);
	assert_int_equal(load_text(db, "homegate-fpdb 1\ncategory plug\n", err), -EINVAL);
	assert_string_equal(err, "t.fpdb:2: more than 4000 blocks in the database");
	fpdb_free(db);

	db = fpdb_new();
	len = (size_t)snprintf(buf, cap, "homegate-fpdb 1\nvendor \"R\"\n");
	for (int i = 0; i < FPDB_MAX_RULES - 1; i++)
		len += (size_t)snprintf(
			buf + len, cap - len, "rule dns.query is r%d.example 0.1\n", i);
	assert_int_equal(fpdb_load_buf(db, "r", buf, len, err, sizeof(err)), 0);
	assert_int_equal(fpdb_rules(db), FPDB_MAX_RULES - 1);
	assert_int_equal(load_text(db,
				 "homegate-fpdb 1\nvendor \"R\"\nrule oui is r 0.5\n"
				 "rule oui is rr 0.5\n",
				 err),
		-EINVAL);
	assert_string_equal(err, "t.fpdb:4: more than 20000 rules in the database");
	assert_int_equal(fpdb_rules(db), FPDB_MAX_RULES - 1);
	assert_int_equal(
		load_text(db, "homegate-fpdb 1\nvendor \"R\"\nrule oui is r 0.5\n", err), 0);
	assert_int_equal(fpdb_rules(db), FPDB_MAX_RULES);
	fpdb_free(db);

	/* a line of exactly FPDB_LINE_MAX octets is fine */
	db = fpdb_new();
	len = (size_t)snprintf(buf, cap, "homegate-fpdb 1\n#");
	memset(buf + len, 'x', FPDB_LINE_MAX - 1);
	len += FPDB_LINE_MAX - 1;
	buf[len++] = '\n';
	assert_int_equal(fpdb_load_buf(db, "l", buf, len, err, sizeof(err)), 0);
	buf[len - 1] = 'x';
	buf[len++] = '\n';
	assert_int_equal(fpdb_load_buf(db, "l", buf, len, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "l:2: line longer than %d octets", FPDB_LINE_MAX);
	assert_string_equal(err, want);
	fpdb_free(db);
	free(buf);
}

/* One rule's verdict on a value, through the database. */
static bool rule_says(const char *op, const char *pattern, const char *value)
{
	char text[1024], err[ERR_MAX], low[300];
	struct fpdb *db = fpdb_new();
	const struct fpdb_rule *r;
	size_t n = strlen(value);
	bool m;

	snprintf(text, sizeof(text),
		"homegate-fpdb 1\nvendor \"V\"\nrule dhcp.hostname %s %s 0.5\n", op, pattern);
	if (load_text(db, text, err) != 0)
		fail_msg("%s", err);
	r = fpdb_rule_at(db, 0);
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)(value[i] >= 'A' && value[i] <= 'Z' ? value[i] + 32 : value[i]);
	m = fpdb_rule_matches(r, low, n);
	fpdb_free(db);
	return m;
}

static void test_operators(void **state)
{
	(void)state;
	assert_true(rule_says("is", "HS110", "hs110"));
	assert_false(rule_says("is", "HS110", "HS1100"));
	assert_true(rule_says("prefix", "HS1", "hS110(EU)"));
	assert_false(rule_says("prefix", "HS1", "xHS110"));
	assert_true(rule_says("suffix", "\"(EU)\"", "HS110(eu)"));
	assert_false(rule_says("suffix", "\"(EU)\"", "HS110(eu)x"));
	assert_true(rule_says("contains", "\"smart plug\"", "My Smart Plug 2"));
	assert_false(rule_says("contains", "\"smart plug\"", "smart  plug"));
	assert_true(rule_says("domain", "tplinkcloud.com", "TPLinkCloud.com"));
	assert_true(rule_says("domain", "tplinkcloud.com", "n-devs.tplinkcloud.com."));
	assert_false(rule_says("domain", "tplinkcloud.com", "xtplinkcloud.com"));
	assert_false(rule_says("domain", "tplinkcloud.com", "tplinkcloud.com.evil"));
	assert_true(rule_says("glob", "\"HS1[0-9]0*\"", "hs110(EU)"));
	assert_false(rule_says("glob", "\"HS1[!0-9]0*\"", "hs110(EU)"));
	assert_true(rule_says("glob", "a/*.b", "A/x/y.B")); /* no FNM_PATHNAME */
	assert_true(rule_says("glob", "\\*", "*"));	    /* bare: the backslash is the glob's */
	assert_false(rule_says("glob", "\\*", "x"));
}

static uint32_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 16);
}

/* Our glob against glibc's fnmatch(FNM_CASEFOLD) on random patterns and values. */
static void test_glob_vs_fnmatch(void **state)
{
	static const char palpha[] = "aAb*?*[]!^-\\.", valpha[] = "aAbB-]!.\\^";
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	unsigned accepted = 0, compared = 0, matched = 0;
	char err[ERR_MAX];

	(void)state;
	for (int i = 0; i < 3000; i++) {
		char pat[16], text[128], *w = text;
		size_t plen = 1 + rnd(&seed) % 9;
		struct fpdb *db = fpdb_new();
		const struct fpdb_rule *r;

		for (size_t k = 0; k < plen; k++)
			pat[k] = palpha[rnd(&seed) % (sizeof(palpha) - 1)];
		pat[plen] = '\0';
		w += sprintf(w, "homegate-fpdb 1\nvendor \"V\"\nrule oui glob \"");
		for (size_t k = 0; k < plen; k++) {
			if (pat[k] == '"' || pat[k] == '\\')
				*w++ = '\\';
			*w++ = pat[k];
		}
		sprintf(w, "\" 0.5\n");
		if (load_text(db, text, err) != 0) {
			/* only an unterminated bracket, "[[:", "[[." or "[[=" and a trailing
			 * backslash are refused */
			if (!strstr(err, "unterminated") && !strstr(err, "lone backslash") &&
				!strstr(err, "character classes"))
				fail_msg("%s", err);
			fpdb_free(db);
			continue;
		}
		accepted++;
		r = fpdb_rule_at(db, 0);
		for (int j = 0; j < 40; j++) {
			char v[16], low[16];
			size_t vlen = rnd(&seed) % 8;
			bool ours, theirs;

			for (size_t k = 0; k < vlen; k++) {
				v[k] = valpha[rnd(&seed) % (sizeof(valpha) - 1)];
				low[k] = (char)(v[k] >= 'A' && v[k] <= 'Z' ? v[k] + 32 : v[k]);
			}
			v[vlen] = low[vlen] = '\0';
			ours = fpdb_rule_matches(r, low, vlen);
			theirs = fnmatch(pat, v, FNM_CASEFOLD) == 0;
			if (ours != theirs)
				fail_msg("glob \"%s\" on \"%s\": ours %d, fnmatch %d", pat, v, ours,
					theirs);
			compared++;
			matched += ours;
		}
		fpdb_free(db);
	}
	assert_true(accepted > 1000);
	assert_true(matched > compared / 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_vendor_names),
		cmocka_unit_test(test_categories),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_multi),
		cmocka_unit_test(test_all_or_nothing),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_glob_vs_fnmatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
