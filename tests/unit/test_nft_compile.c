/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the policy -> nftables compiler: golden scripts, ids, sets, refusals, safety. */
/*
 * Golden files: each tests/data/mud/<name>.json is parsed and compiled into the standalone script
 * `homegate mud compile` prints (table "homegate", LAN "br-lan", the example MAC made from the
 * profile id) and compared byte for byte with tests/data/golden/<name>.nft; a mismatch prints a
 * unified diff. After an intended change of the compiler's output, regenerate them with
 *
 *     HOMEGATE_UPDATE_GOLDEN=1 ctest -R test_nft_compile      (or run the binary with it set)
 *
 * and review the diff of tests/data/golden/ before committing it. The loading tests run in a
 * private network namespace when root and are skipped otherwise; the lab test
 * tests/lab/test_nft_compile.sh loads every golden script into a kernel as well.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/util.h"
#include "mud/mud_parse.h"
#include "mud/mud_summary.h"
#include "policy/nft_compile.h"
#include "policy/policy_cmp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const golden_names[] = {"camera", "plug", "bulb", "hub", "resolver"};

static const char *data_dir(void)
{
	const char *dir = getenv("HOMEGATE_TEST_DATA");

	return dir ? dir : "tests/data";
}

static struct mud_file *load_mud(const char *name)
{
	struct mud_file *mf = NULL;
	struct mud_error err;
	char path[512], *buf = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/mud/%s.json", data_dir(), name);
	assert_int_equal(util_read_file(path, MUD_MAX_FILE, &buf, &len), 0);
	if (mud_parse(buf, len, NULL, &mf, &err) != 0)
		fail_msg("%s: %s at %s", name, err.msg, err.path);
	free(buf);
	return mf;
}

/* What `homegate mud compile FILE` prints for a parsed file. */
static int standalone(struct nftc_buf *b, const struct mud_file *mf, const char *mac)
{
	char authority[256];

	mud_url_host(mf->url, authority, sizeof(authority));
	return nftc_standalone(b, "homegate", "br-lan", &mf->policy, authority, 0, mac, NULL);
}

/* --- building rules --- */

static struct pol_rule rule(enum pol_dir dir, enum pol_family fam, enum pol_action act)
{
	struct pol_rule r;

	memset(&r, 0, sizeof(r));
	r.dir = dir;
	r.family = fam;
	r.action = act;
	snprintf(r.acl, sizeof(r.acl), "acl");
	snprintf(r.name, sizeof(r.name), "ace");
	return r;
}

static void tcp_dport(struct pol_rule *r, enum pol_port_op op, uint16_t lo, uint16_t hi)
{
	r->proto = 6;
	r->flags |= POL_HAS_PROTO;
	r->dst_ports = (struct pol_ports){op, lo, hi};
}

static void dnsname(struct pol_rule *r, const char *name)
{
	r->peer = POL_PEER_DNSNAME;
	util_strlcpy(r->value, name, sizeof(r->value));
}

static void add(struct pol_policy *p, const struct pol_rule *r)
{
	assert_int_equal(pol_add(p, r), 0);
}

static char *profile_text_flags(
	const struct pol_policy *p, const char *authority, unsigned flags, char id[13])
{
	struct nftc_buf b = {0};

	assert_int_equal(nftc_profile(&b, "homegate", p, authority, flags, id), 0);
	return b.s;
}

static char *profile_text(const struct pol_policy *p, const char *authority, char id[13])
{
	return profile_text_flags(p, authority, 0, id);
}

/* The one line of text that contains needle (and, when given, also needle2). */
static bool has_line(const char *text, const char *needle, const char *needle2)
{
	for (const char *l = text; l && *l;) {
		const char *end = strchr(l, '\n');
		size_t n = end ? (size_t)(end - l) : strlen(l);
		char line[1024];

		snprintf(line, sizeof(line), "%.*s", (int)n, l);
		if (strstr(line, needle) && (!needle2 || strstr(line, needle2)))
			return true;
		l = end ? end + 1 : NULL;
	}
	return false;
}

/* --- golden files --- */

static void show_diff(const char *golden, const char *actual, size_t len)
{
	char tmp[] = "/tmp/hg-nftc-XXXXXX", cmd[1024];
	int fd = mkstemp(tmp);

	if (fd < 0 || write(fd, actual, len) != (ssize_t)len) {
		fprintf(stderr, "(cannot write the actual text for a diff)\n");
	} else {
		snprintf(cmd, sizeof(cmd), "diff -u '%s' '%s' >&2", golden, tmp);
		if (system(cmd) == -1)
			fprintf(stderr, "(diff not available)\n");
	}
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
}

static void test_golden(void **state)
{
	bool update = getenv("HOMEGATE_UPDATE_GOLDEN") &&
		strcmp(getenv("HOMEGATE_UPDATE_GOLDEN"), "1") == 0;
	unsigned bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(golden_names); i++) {
		struct mud_file *mf = load_mud(golden_names[i]);
		struct nftc_buf b = {0};
		char path[512], *want = NULL;
		size_t wlen = 0;

		assert_int_equal(standalone(&b, mf, NULL), 0);
		snprintf(path, sizeof(path), "%s/golden/%s.nft", data_dir(), golden_names[i]);
		if (update) {
			assert_int_equal(util_write_file_atomic(path, b.s, b.len, 0644), 0);
			fprintf(stderr, "updated %s\n", path);
		} else if (util_read_file(path, 1 << 20, &want, &wlen) != 0) {
			fprintf(stderr, "%s: missing (HOMEGATE_UPDATE_GOLDEN=1 writes it)\n", path);
			bad++;
		} else if (wlen != b.len || memcmp(want, b.s, wlen) != 0) {
			fprintf(stderr, "%s: the compiler's output differs:\n", path);
			show_diff(path, b.s, b.len);
			bad++;
		}
		free(want);
		nftc_buf_free(&b);
		mud_free(mf);
	}
	assert_int_equal(bad, 0);
}

/* --- the profile id --- */

static void test_profile_id_stable(void **state)
{
	struct mud_file *mf = load_mud("camera");
	struct pol_policy q = {0}, r = {0};
	char a[13], b[13], c[13], h[65];

	(void)state;
	assert_int_equal(nftc_profile_id(&mf->policy, "mud.example.test", a), 0);
	assert_int_equal(strlen(a), 12);
	/* The camera has same-manufacturer: its id mixes in the authority. */
	assert_int_equal(pol_hash(&mf->policy, h), 0);
	assert_memory_not_equal(a, h, 12);
	assert_int_equal(nftc_profile_id(&mf->policy, "MUD.example.test.", b), 0);
	assert_string_equal(a, b);
	assert_int_equal(nftc_profile_id(&mf->policy, "other.example.test", b), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(nftc_profile_id(&mf->policy, NULL, b), -EINVAL);
	assert_string_equal(b, "");

	/* The same access written differently: to-device rules first, other labels, a DNS name
	 * in another case with a trailing dot, host bits in a prefix. */
	for (unsigned i = 0; i < mf->policy.count; i++)
		if (mf->policy.rules[i].dir == POL_TO_DEVICE)
			add(&q, &mf->policy.rules[i]);
	for (unsigned i = 0; i < mf->policy.count; i++) {
		struct pol_rule x = mf->policy.rules[i];

		if (x.dir == POL_TO_DEVICE)
			continue;
		snprintf(x.acl, sizeof(x.acl), "renamed-%u", i);
		if (x.peer == POL_PEER_DNSNAME)
			snprintf(x.value, sizeof(x.value), "CLOUD.Example.Test.");
		if (x.peer == POL_PEER_NET)
			x.net.s6_addr[15] = 77; /* 198.51.100.77/24 */
		add(&q, &x);
	}
	assert_int_equal(nftc_profile_id(&q, "mud.example.test", c), 0);
	assert_string_equal(a, c);
	/* ... and its chains are the same but for the comments. */
	{
		char *ta = profile_text(&mf->policy, "mud.example.test", a);
		char *tc = profile_text(&q, "mud.example.test", c);

		assert_string_equal(a, c);
		assert_true(
			has_line(ta, "ip daddr 198.51.100.0/24 udp dport 123-124 return", NULL));
		assert_true(
			has_line(tc, "ip daddr 198.51.100.0/24 udp dport 123-124 return", NULL));
		free(ta);
		free(tc);
	}

	/* Any change of access changes the id. */
	for (unsigned i = 0; i < mf->policy.count; i++) {
		struct pol_rule x = mf->policy.rules[i];

		if (x.dst_ports.op == POL_PORT_EQ && x.dst_ports.lo == 443)
			x.dst_ports.lo = x.dst_ports.hi = 444;
		add(&r, &x);
	}
	assert_int_equal(nftc_profile_id(&r, "mud.example.test", c), 0);
	assert_string_not_equal(a, c);

	/* Without same-manufacturer the id is pol_hash's prefix and needs no authority. */
	pol_clear(&r);
	for (unsigned i = 0; i < mf->policy.count; i++)
		if (mf->policy.rules[i].peer != POL_PEER_SAME_MANUFACTURER)
			add(&r, &mf->policy.rules[i]);
	assert_int_equal(nftc_profile_id(&r, NULL, c), 0);
	assert_int_equal(pol_hash(&r, h), 0);
	assert_memory_equal(c, h, 12);
	assert_int_equal(nftc_profile_id(&r, "anything.example", b), 0);
	assert_string_equal(b, c);

	pol_clear(&q);
	pol_clear(&r);
	mud_free(mf);
}

/* --- sets --- */

struct seen {
	char names[8][256], set4[8][24], set6[8][24];
	unsigned n;
};

static int collect(const char *name, const char *set4, const char *set6, void *arg)
{
	struct seen *s = arg;

	assert_true(s->n < 8);
	util_strlcpy(s->names[s->n], name, sizeof(s->names[0]));
	util_strlcpy(s->set4[s->n], set4, sizeof(s->set4[0]));
	util_strlcpy(s->set6[s->n], set6, sizeof(s->set6[0]));
	s->n++;
	return 0;
}

static int stop_at_first(const char *name, const char *set4, const char *set6, void *arg)
{
	(void)name;
	(void)set4;
	(void)set6;
	(*(int *)arg)++;
	return 42;
}

static void test_dns_sets_shared(void **state)
{
	struct pol_policy p = {0}, q = {0};
	struct pol_rule r = rule(POL_FROM_DEVICE, POL_FAM_IPV4, POL_ACCEPT);
	struct seen sp = {0}, sq = {0};
	char h[13], set4[32], set6[32], ip[13], iq[13], *tp, *tq;
	int calls = 0;

	(void)state;
	tcp_dport(&r, POL_PORT_EQ, 443, 443);
	dnsname(&r, "updates.example.test");
	add(&p, &r);
	dnsname(&r, "UPDATES.example.test."); /* same name, same set; appears twice in p */
	add(&p, &r);
	r.dst_ports.lo = r.dst_ports.hi = 8443;
	add(&q, &r);
	dnsname(&r, "other.example.test");
	add(&q, &r);

	assert_int_equal(nftc_name_hash("updates.example.test", h), 0);
	snprintf(set4, sizeof(set4), "dns4_%s", h);
	snprintf(set6, sizeof(set6), "dns6_%s", h);
	/* By default both profiles match the name's id in the shared dnsname4: the id is the
	 * SHA-256 of the folded name, whose first 48 bits are H, and the text shows it in hex. */
	{
		char key[96], hex[17];
		uint32_t w[2], w2[2];

		assert_int_equal(nftc_name_id("updates.example.test", w), 0);
		assert_int_equal(nftc_name_id("UPDATES.example.test.", w2), 0);
		assert_memory_equal(w, w2, sizeof(w));
		snprintf(hex, sizeof(hex), "%08x%08x", w[0], w[1]);
		assert_memory_equal(hex, h, 12);
		assert_int_equal(nftc_name_id("", w2), -EINVAL);
		snprintf(key, sizeof(key),
			"offset 0x%08x . jhash ip daddr mod 1 offset 0x%08x . ip daddr", w[0],
			w[1]);
		tp = profile_text(&p, NULL, ip);
		tq = profile_text(&q, NULL, iq);
		assert_string_not_equal(ip, iq);
		assert_true(has_line(tp, key, "@dnsname4 tcp dport 443"));
		assert_true(has_line(tq, key, "@dnsname4 tcp dport 8443"));
		assert_null(strstr(tp, "add set inet"));
		assert_null(strstr(tp, "dns4_"));
		free(tp);
		free(tq);
	}
	/* NFTC_DNS_PER_NAME: the same profile ids, and the one pair of sets dnsmasq fills */
	{
		char jp[13], jq[13];

		tp = profile_text_flags(&p, NULL, NFTC_DNS_PER_NAME, jp);
		tq = profile_text_flags(&q, NULL, NFTC_DNS_PER_NAME, jq);
		assert_string_equal(jp, ip);
		assert_string_equal(jq, iq);
		assert_null(strstr(tp, "dnsname4"));
	}
	{
		struct nftc_buf b = {0};
		char id[13];

		assert_int_equal(nftc_profile(&b, "homegate", &p, NULL, 2, id), -EINVAL);
		assert_int_equal(b.len, 0);
	}
	assert_true(has_line(tp, "ip daddr @", set4));
	assert_true(has_line(tq, "ip daddr @", set4));
	assert_true(has_line(tp, "add set inet homegate", set6));
	assert_true(has_line(tq, "add set inet homegate", set6));
	/* declared once per profile even when two rules use it */
	{
		const char *first = strstr(tp, "add set inet homegate dns4_");

		assert_non_null(first);
		assert_null(strstr(first + 1, "add set inet homegate dns4_"));
	}

	assert_int_equal(nftc_foreach_dnsname(&p, collect, &sp), 0);
	assert_int_equal(sp.n, 1);
	assert_string_equal(sp.names[0], "updates.example.test");
	assert_string_equal(sp.set4[0], set4);
	assert_string_equal(sp.set6[0], set6);
	assert_int_equal(nftc_foreach_dnsname(&q, collect, &sq), 0);
	assert_int_equal(sq.n, 2);
	assert_string_equal(sq.set4[0], set4);
	assert_string_equal(sq.names[1], "other.example.test");
	assert_string_not_equal(sq.set4[1], set4);
	/* a callback's non-zero return stops the walk */
	assert_int_equal(nftc_foreach_dnsname(&q, stop_at_first, &calls), 42);
	assert_int_equal(calls, 1);

	free(tp);
	free(tq);
	pol_clear(&p);
	pol_clear(&q);
}

/* manufacturer:<authority> and same-manufacturer of that authority are one set. */
static void test_mac_sets_shared(void **state)
{
	struct pol_policy p = {0}, q = {0};
	struct pol_rule r = rule(POL_FROM_DEVICE, POL_FAM_IPV4, POL_ACCEPT);
	char h[13], set[32], id[13], *tp, *tq;

	(void)state;
	r.peer = POL_PEER_SAME_MANUFACTURER;
	add(&p, &r);
	r.peer = POL_PEER_MANUFACTURER;
	util_strlcpy(r.value, "Plugs.Example.Test.", sizeof(r.value));
	add(&q, &r);
	assert_int_equal(nftc_name_hash("plugs.example.test", h), 0);
	snprintf(set, sizeof(set), "mfg_%s", h);
	tp = profile_text(&p, "plugs.example.test", id);
	tq = profile_text(&q, NULL, id);
	assert_true(has_line(tp, "ether type ip ether daddr @", set));
	assert_true(has_line(tq, "ether type ip ether daddr @", set));
	assert_true(has_line(tp, "add set bridge homegate", set));
	/* a MAC-set peer is on the LAN: nothing of it in the inet chains */
	assert_false(has_line(tp, "ip daddr @mfg", NULL));
	free(tp);
	free(tq);
	pol_clear(&p);
	pol_clear(&q);
}

/* --- refusals --- */

static void test_bad_dns_name(void **state)
{
	static const char *const bad[] = {
		"bad_name.example.test", "-lead.example.test", "trail-.example.test", "a..b", ".",
		"*.example.test", "name with space.test", "quote\".example.test", "semi;colon.test",
		"new\nline.test", "caf\xc3\xa9.example",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test", /* 64 */
	};
	struct pol_rule r = rule(POL_FROM_DEVICE, POL_FAM_IPV4, POL_ACCEPT);
	char err[256], id[13], long_name[300];
	struct nftc_buf b = {0};

	(void)state;
	tcp_dport(&r, POL_PORT_EQ, 443, 443);
	assert_int_equal(nftc_buf_printf(&b, "# before\n"), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct pol_policy p = {0};
		struct pol_rule ok = r;
		struct seen s = {0};

		dnsname(&ok, "fine.example.test");
		add(&p, &ok);
		dnsname(&r, bad[i]);
		add(&p, &r);
		assert_false(nftc_dnsname_valid(bad[i]));
		assert_int_equal(nftc_check(&p, NULL, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "rule 2"));
		assert_non_null(strstr(err, "DNS name"));
		assert_int_equal(nftc_profile(&b, "homegate", &p, NULL, 0, id), -EINVAL);
		assert_string_equal(id, "");
		assert_int_equal(nftc_standalone(&b, "homegate", "br-lan", &p, NULL, 0, NULL, NULL),
			-EINVAL);
		/* nothing of a refused policy is left in the buffer */
		assert_string_equal(b.s, "# before\n");
		assert_int_equal(b.len, strlen("# before\n"));
		assert_int_equal(nftc_foreach_dnsname(&p, collect, &s), -EINVAL);
		assert_int_equal(s.n, 0); /* refused before any call */
		pol_clear(&p);
	}
	nftc_buf_free(&b);

	/* the edges that are valid */
	memset(long_name, 0, sizeof(long_name));
	for (int i = 0; i < 4; i++) /* 4 x (62 + '.') + "abcd" = 256 - too long */
		memcpy(long_name + i * 63,
			"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.", 63);
	memcpy(long_name + 252, "a", 2); /* 253 characters */
	assert_int_equal(strlen(long_name), 253);
	assert_true(nftc_dnsname_valid(long_name));
	long_name[253] = '.';
	assert_true(nftc_dnsname_valid(long_name)); /* trailing dot */
	long_name[253] = 'a';
	assert_false(nftc_dnsname_valid(long_name)); /* 254 */
	assert_true(nftc_dnsname_valid(
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test")); /* 63 */
	assert_true(nftc_dnsname_valid("3com.example"));
	assert_true(nftc_dnsname_valid("x-y.Example.TEST."));
	assert_false(nftc_dnsname_valid(""));
}

static void test_refused_policies(void **state)
{
	struct pol_rule base = rule(POL_FROM_DEVICE, POL_FAM_IPV4, POL_ACCEPT), r;
	struct nftc_buf b = {0};
	char err[256], id[13];
	struct refusal {
		const char *why;
		struct pol_rule r;
	} cases[8];
	unsigned n = 0;

	(void)state;
	r = base;
	r.dst_ports = (struct pol_ports){POL_PORT_EQ, 80, 80}; /* ports without a protocol */
	cases[n++] = (struct refusal){"ports without", r};
	r = base;
	tcp_dport(&r, POL_PORT_RANGE, 90, 80);
	cases[n++] = (struct refusal){"out of order", r};
	r = base;
	r.proto = 17;
	r.flags |= POL_HAS_PROTO;
	r.initiated = POL_INIT_FROM_DEVICE; /* AC-24: only TCP */
	cases[n++] = (struct refusal){"only defined for TCP", r};
	r = base;
	tcp_dport(&r, POL_PORT_ANY, 0, 0);
	r.flags |= POL_HAS_ICMP_TYPE;
	cases[n++] = (struct refusal){"ICMP", r};
	r = base;
	r.peer = (enum pol_peer)42;
	cases[n++] = (struct refusal){"unknown kind", r};
	r = base;
	r.peer = POL_PEER_SAME_MANUFACTURER; /* and no authority given */
	cases[n++] = (struct refusal){"authority", r};
	r = base;
	r.peer = POL_PEER_NET;
	r.prefix_len = 24; /* :: is not v4-mapped: not an IPv4 prefix */
	cases[n++] = (struct refusal){"address family", r};
	r = base;
	r.peer = POL_PEER_MODEL; /* no URL */
	cases[n++] = (struct refusal){"no manufacturer, model", r};

	for (unsigned i = 0; i < n; i++) {
		struct pol_policy p = {0};

		add(&p, &cases[i].r);
		assert_int_equal(nftc_check(&p, NULL, err, sizeof(err)), -EINVAL);
		if (!strstr(err, cases[i].why))
			fail_msg("case %u: \"%s\" does not say \"%s\"", i, err, cases[i].why);
		assert_int_equal(nftc_profile(&b, "homegate", &p, NULL, 0, id), -EINVAL);
		assert_int_equal(b.len, 0);
		pol_clear(&p);
	}

	/* names printed into the text */
	{
		struct pol_policy p = {0};

		add(&p, &base);
		assert_int_equal(nftc_base(&b, "homegate", "br\"lan"), -EINVAL);
		assert_int_equal(nftc_base(&b, "homegate", "br-lan;x"), -EINVAL);
		assert_int_equal(nftc_base(&b, "homegate", "sixteen-chars-xx"), -EINVAL);
		assert_int_equal(nftc_base(&b, "home gate", "br-lan"), -EINVAL);
		assert_int_equal(
			nftc_profile(&b, "homegate;flush ruleset", &p, NULL, 0, id), -EINVAL);
		assert_int_equal(b.len, 0);
		assert_int_equal(nftc_base(&b, "homegate_t1", "br-lan.10"), 0);
		assert_true(
			has_line(b.s, "iifname \"br-lan.10\" ether saddr vmap @dev_profile", NULL));
		assert_true(has_line(b.s, "table inet homegate_t1 {", NULL));
		pol_clear(&p);
	}
	nftc_buf_free(&b);
}

/* --- what the text says --- */

static void test_ports_and_icmp(void **state)
{
	struct pol_policy p = {0};
	struct pol_rule r = rule(POL_FROM_DEVICE, POL_FAM_IPV4, POL_ACCEPT);
	char id[13], *t;

	(void)state;
	tcp_dport(&r, POL_PORT_LT, 1024, 0);
	add(&p, &r);
	tcp_dport(&r, POL_PORT_GT, 1024, 0);
	add(&p, &r);
	tcp_dport(&r, POL_PORT_NEQ, 23, 0);
	add(&p, &r);
	tcp_dport(&r, POL_PORT_RANGE, 123, 123);
	r.src_ports = (struct pol_ports){POL_PORT_RANGE, 1000, 2000};
	add(&p, &r);
	r = rule(POL_TO_DEVICE, POL_FAM_ANY, POL_DROP);
	r.proto = 58;
	r.flags |= POL_HAS_PROTO | POL_HAS_ICMP_TYPE | POL_HAS_ICMP_CODE;
	r.icmp_type = 1;
	r.icmp_code = 4;
	add(&p, &r);
	r = rule(POL_FROM_DEVICE, POL_FAM_ANY, POL_ACCEPT);
	r.proto = 47; /* GRE: by number */
	r.flags |= POL_HAS_PROTO;
	add(&p, &r);
	t = profile_text(&p, NULL, id);
	/* RFC 8519 lt / gt are strict */
	assert_true(has_line(t, "meta nfproto ipv4 tcp dport < 1024 return", NULL));
	assert_true(has_line(t, "meta nfproto ipv4 tcp dport > 1024 return", NULL));
	assert_true(has_line(t, "meta nfproto ipv4 tcp dport != 23 return", NULL));
	assert_true(has_line(t, "tcp sport 1000-2000 tcp dport 123 return", NULL));
	/* an ICMP rule without an IP family takes the version from the protocol */
	assert_true(has_line(t, "meta nfproto ipv6 icmpv6 type 1 icmpv6 code 4 drop", NULL));
	assert_true(has_line(t, "ether type ip6 icmpv6 type 1 icmpv6 code 4 drop", NULL));
	assert_true(has_line(t, "\t\tmeta l4proto 47 return", NULL));
	free(t);
	pol_clear(&p);
}

/* AC-24: with conntrack (inet) the connection's first packet must come from the initiating
 * side; on the bridge the other side may not send a bare SYN. */
static void test_direction_initiated(void **state)
{
	struct pol_policy p = {0};
	struct pol_rule r = rule(POL_TO_DEVICE, POL_FAM_IPV4, POL_ACCEPT);
	char id[13], *t;

	(void)state;
	r.proto = 6;
	r.flags |= POL_HAS_PROTO;
	r.src_ports = (struct pol_ports){POL_PORT_EQ, 443, 443};
	r.initiated = POL_INIT_FROM_DEVICE; /* replies to the device's own connections */
	r.peer = POL_PEER_LOCAL_NETWORKS;
	snprintf(r.name, sizeof(r.name), "replies");
	add(&p, &r);
	r.dir = POL_FROM_DEVICE;
	r.src_ports = (struct pol_ports){POL_PORT_ANY, 0, 0};
	r.dst_ports = (struct pol_ports){POL_PORT_EQ, 443, 443};
	snprintf(r.name, sizeof(r.name), "opens");
	add(&p, &r);
	t = profile_text(&p, NULL, id);
	assert_true(has_line(t, "ip saddr @lan4 tcp sport 443 ct direction reply return", NULL));
	assert_true(has_line(t, "ip daddr @lan4 tcp dport 443 ct direction original return", NULL));
	assert_true(has_line(t,
		"ether type ip tcp sport 443 tcp flags & (syn | ack) != syn return comment "
		"\"acl/replies\"",
		NULL));
	assert_true(has_line(t, "ether type ip tcp dport 443 return comment \"acl/opens\"", NULL));
	assert_false(has_line(t, "tcp dport 443 tcp flags", NULL));
	free(t);
	pol_clear(&p);
}

/* Every byte of the text is printable ASCII, a tab or a newline; every line has its quotes
 * in pairs; no label that is not of the safe alphabet reaches a comment. */
static void assert_safe_text(const char *t)
{
	for (const char *l = t; *l;) {
		const char *end = strchr(l, '\n');
		unsigned quotes = 0;

		assert_non_null(end);
		for (const char *c = l; c < end; c++) {
			if (*c == '"')
				quotes++;
			if (*c != '\t' && (*c < 0x20 || *c > 0x7e))
				fail_msg("byte 0x%02x in the text", (unsigned char)*c);
		}
		assert_int_equal(quotes % 2, 0);
		l = end + 1;
	}
}

static void test_comments_safe(void **state)
{
	static const char *const hostile[] = {
		"x\" drop; flush ruleset; #",
		"new\nline",
		"tab\there",
		"brace}",
		"semi;colon",
		"hash#",
		"back\\slash",
		"caf\xc3\xa9",
		"dollar$",
		"a-label-that-is-safe-but-much-too-long-for-a-comment-on-one-rule",
	};
	struct pol_rule r = rule(POL_FROM_DEVICE, POL_FAM_IPV4, POL_ACCEPT);
	char id[13];

	(void)state;
	tcp_dport(&r, POL_PORT_EQ, 22, 22);
	for (size_t i = 0; i < ARRAY_SIZE(hostile); i++) {
		struct pol_policy p = {0};
		struct nftc_buf b = {0};

		util_strlcpy(r.name, hostile[i], sizeof(r.name));
		add(&p, &r);
		assert_int_equal(
			nftc_standalone(&b, "homegate", "br-lan", &p, NULL, 0, NULL, NULL), 0);
		assert_safe_text(b.s);
		assert_false(has_line(b.s, "return comment", NULL));
		assert_true(has_line(b.s, "meta nfproto ipv4 tcp dport 22 return", NULL));
		nftc_buf_free(&b);
		pol_clear(&p);
	}
	/* safe labels make a comment; the longest that fits is 64 bytes */
	{
		struct pol_policy p = {0};
		char *t;

		snprintf(r.acl, sizeof(r.acl), "from-ipv4-example.test");
		snprintf(r.name, sizeof(r.name), "ssh:22_v1.0/x-%s", "abcdefghijklmnopqrstuvwxyz0");
		assert_int_equal(strlen(r.acl) + 1 + strlen(r.name), 64);
		add(&p, &r);
		t = profile_text(&p, NULL, id);
		assert_true(has_line(t,
			"comment "
			"\"from-ipv4-example.test/ssh:22_v1.0/x-abcdefghijklmnopqrstuvwxyz0\"",
			NULL));
		free(t);
		pol_clear(&p);
	}
	/* the real files, too */
	for (size_t i = 0; i < ARRAY_SIZE(golden_names); i++) {
		struct mud_file *mf = load_mud(golden_names[i]);
		struct nftc_buf b = {0};

		assert_int_equal(standalone(&b, mf, NULL), 0);
		assert_safe_text(b.s);
		nftc_buf_free(&b);
		mud_free(mf);
	}
}

static void test_standalone_example(void **state)
{
	static const char *const addrs[] = {"192.168.50.23", "fd00:50::0:23", NULL};
	static const char *const bad_addrs[] = {"192.168.50.300", NULL};
	struct mud_file *mf = load_mud("resolver");
	struct nftc_buf b = {0};
	char id[13], line[160];

	(void)state;
	assert_int_equal(nftc_profile_id(&mf->policy, NULL, id), 0);
	assert_int_equal(nftc_standalone(&b, "homegate", "br-lan", &mf->policy, NULL, 0,
				 "AA-BB-CC-00-11-22", addrs),
		0);
	snprintf(line, sizeof(line),
		"add element inet homegate dev_profile { aa:bb:cc:00:11:22 : jump out_%s }", id);
	assert_true(has_line(b.s, line, NULL));
	snprintf(line, sizeof(line),
		"add element bridge homegate dev_in { aa:bb:cc:00:11:22 : jump bin_%s }", id);
	assert_true(has_line(b.s, line, NULL));
	snprintf(line, sizeof(line),
		"add element inet homegate dev_in4 { 192.168.50.23 : jump in_%s }", id);
	assert_true(has_line(b.s, line, NULL));
	snprintf(line, sizeof(line),
		"add element inet homegate dev_in6 { fd00:50::23 : jump in_%s }", id);
	assert_true(has_line(b.s, line, NULL));
	nftc_buf_free(&b);
	/* a group MAC, the zero MAC and bad addresses are refused and leave nothing behind */
	assert_int_equal(nftc_standalone(&b, "homegate", "br-lan", &mf->policy, NULL, 0,
				 "01:00:5e:00:00:01", NULL),
		-EINVAL);
	assert_int_equal(nftc_standalone(&b, "homegate", "br-lan", &mf->policy, NULL, 0,
				 "00:00:00:00:00:00", NULL),
		-EINVAL);
	assert_int_equal(
		nftc_standalone(&b, "homegate", "br-lan", &mf->policy, NULL, 0, NULL, bad_addrs),
		-EINVAL);
	assert_int_equal(b.len, 0);
	nftc_buf_free(&b);
	mud_free(mf);
}

/* --- loading twice --- */

/* Text loaded twice must leave one copy of every rule: each chain block with rules that the
 * text appends to is flushed earlier in the same text. */
static void assert_flushed_before_filled(const char *t)
{
	char fam[16] = "", table[64] = "", chain[64];

	for (const char *l = t; *l;) {
		const char *end = strchr(l, '\n');

		if (sscanf(l, "table %15s %63s {", fam, table) == 2) {
			/* remember the block's table */
		} else if (sscanf(l, "\tchain %63s {", chain) == 1 && end && end[1] == '\t' &&
			end[2] == '\t' && strncmp(end + 3, "type ", 5) != 0) {
			char flush[200];
			const char *f;

			snprintf(flush, sizeof(flush), "flush chain %s %s %s\n", fam, table, chain);
			f = strstr(t, flush);
			if (!f || f > l)
				fail_msg("chain %s %s %s is filled without a flush before", fam,
					table, chain);
		}
		l = end ? end + 1 : l + strlen(l);
	}
}

static int nft_load(struct nft_ctx *ctx, const char *text)
{
	int rc = nft_run_cmd_from_buffer(ctx, text);

	if (rc)
		fprintf(stderr, "nft: %s\n", nft_ctx_get_error_buffer(ctx));
	return rc;
}

static char *ruleset(struct nft_ctx *ctx)
{
	const char *out;

	if (nft_run_cmd_from_buffer(ctx, "list ruleset"))
		return NULL;
	out = nft_ctx_get_output_buffer(ctx);
	return strdup(out ? out : "");
}

#define CHECK(cond, code)                                             \
	do {                                                          \
		if (!(cond)) {                                        \
			fprintf(stderr, "check failed: %s\n", #cond); \
			_exit(code);                                  \
		}                                                     \
	} while (0)

/* In a private network namespace: every golden script loads into one kernel ruleset side by
 * side, loading them all again changes nothing, and a profile alone loads over the base. */
static int load_scenario(void)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	struct nftc_buf texts[ARRAY_SIZE(golden_names)] = {0}, base = {0}, prof = {0};
	char *first, *second, id[13], cmd[128];
	struct mud_file *mf;

	CHECK(ctx, 2);
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_STATELESS); /* no counters */
	for (size_t i = 0; i < ARRAY_SIZE(golden_names); i++) {
		mf = load_mud(golden_names[i]);
		CHECK(standalone(&texts[i], mf, NULL) == 0, 2);
		mud_free(mf);
		CHECK(nft_load(ctx, texts[i].s) == 0, 3);
	}
	first = ruleset(ctx);
	CHECK(first, 4);
	for (size_t i = 0; i < ARRAY_SIZE(golden_names); i++)
		CHECK(nft_load(ctx, texts[i].s) == 0, 5);
	second = ruleset(ctx);
	CHECK(second && strcmp(first, second) == 0, 6);
	/* a DNS answer dnsbind put in dnsname4 survives a reload of the profile, and so does
	 * one dnsmasq --nftset put in the name's own set (NFTC_DNS_PER_NAME) */
	mf = load_mud("camera");
	CHECK(nftc_foreach_dnsname(&mf->policy, stop_at_first, &(int){0}) == 42, 7);
	{
		uint32_t w[2];

		CHECK(nftc_name_id("cloud.example.test", w) == 0, 7);
		snprintf(cmd, sizeof(cmd),
			"add element inet homegate dnsname4 { %u . %u . 203.0.113.7 timeout 1h }",
			w[0], w[1]);
	}
	CHECK(nft_load(ctx, cmd) == 0, 7);
	CHECK(nftc_profile(&prof, "homegate", &mf->policy, "mud.example.test", 0, id) == 0, 7);
	CHECK(nft_load(ctx, prof.s) == 0, 7);
	nftc_buf_free(&prof);
	CHECK(nftc_profile(&prof, "homegate", &mf->policy, "mud.example.test", NFTC_DNS_PER_NAME,
		      id) == 0,
		7);
	CHECK(nft_load(ctx, prof.s) == 0, 7);
	{
		char h[13];

		CHECK(nftc_name_hash("cloud.example.test", h) == 0, 7);
		snprintf(cmd, sizeof(cmd),
			"add element inet homegate dns4_%s { 203.0.113.8 timeout 1h }", h);
	}
	CHECK(nft_load(ctx, cmd) == 0, 7);
	CHECK(nft_load(ctx, prof.s) == 0, 7);
	free(second);
	second = ruleset(ctx);
	CHECK(second && strstr(second, "203.0.113.7") && strstr(second, "203.0.113.8"), 7);
	/* the base alone over all of it keeps every profile and element */
	CHECK(nftc_base(&base, "homegate", "br-lan") == 0, 8);
	CHECK(nft_load(ctx, base.s) == 0, 8);
	free(first);
	first = ruleset(ctx);
	CHECK(first && strcmp(first, second) == 0, 8);
	mud_free(mf);
	for (size_t i = 0; i < ARRAY_SIZE(golden_names); i++)
		nftc_buf_free(&texts[i]);
	nftc_buf_free(&base);
	nftc_buf_free(&prof);
	free(first);
	free(second);
	nft_ctx_free(ctx);
	return 0;
}

static void test_load_twice(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(golden_names); i++) {
		struct mud_file *mf = load_mud(golden_names[i]);
		struct nftc_buf b = {0};

		assert_int_equal(standalone(&b, mf, NULL), 0);
		assert_flushed_before_filled(b.s);
		nftc_buf_free(&b);
		mud_free(mf);
	}
	if (geteuid() != 0)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0)
			_exit(77);
		_exit(load_scenario());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_profile_id_stable),
		cmocka_unit_test(test_dns_sets_shared),
		cmocka_unit_test(test_mac_sets_shared),
		cmocka_unit_test(test_bad_dns_name),
		cmocka_unit_test(test_refused_policies),
		cmocka_unit_test(test_ports_and_icmp),
		cmocka_unit_test(test_direction_initiated),
		cmocka_unit_test(test_comments_safe),
		cmocka_unit_test(test_standalone_example),
		cmocka_unit_test(test_load_twice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
