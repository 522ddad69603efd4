/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for policy comparison: field by field, drops and order, the hash, and random rule
 * sets checked against a packet-level model of what a policy lets through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/util.h"
#include "mud/mud_parse.h"
#include "policy/policy_cmp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static struct pol_rule acc4(void)
{
	return rule(POL_FROM_DEVICE, POL_FAM_IPV4, POL_ACCEPT);
}

static struct pol_rule *proto(struct pol_rule *r, uint8_t p)
{
	r->proto = p;
	r->flags |= POL_HAS_PROTO;
	return r;
}

static struct pol_rule *dport(struct pol_rule *r, enum pol_port_op op, uint16_t lo, uint16_t hi)
{
	r->dst_ports = (struct pol_ports){op, lo, hi};
	return r;
}

static struct pol_rule *peer(struct pol_rule *r, enum pol_peer k, const char *value)
{
	r->peer = k;
	util_strlcpy(r->value, value ? value : "", sizeof(r->value));
	return r;
}

/* "10.0.0.0/8" (stored v4-mapped) or "2001:db8::/32". */
static struct pol_rule *net(struct pol_rule *r, const char *cidr)
{
	char buf[64], *slash;
	uint8_t a4[4];

	util_strlcpy(buf, cidr, sizeof(buf));
	slash = strchr(buf, '/');
	assert_non_null(slash);
	*slash = '\0';
	memset(&r->net, 0, sizeof(r->net));
	if (inet_pton(AF_INET, buf, a4) == 1) {
		r->net.s6_addr[10] = r->net.s6_addr[11] = 0xff;
		memcpy(&r->net.s6_addr[12], a4, 4);
	} else {
		assert_int_equal(inet_pton(AF_INET6, buf, &r->net), 1);
	}
	r->prefix_len = (uint8_t)atoi(slash + 1);
	r->peer = POL_PEER_NET;
	return r;
}

static void build(struct pol_policy *p, const struct pol_rule *rules, unsigned n)
{
	memset(p, 0, sizeof(*p));
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(pol_add(p, &rules[i]), 0);
}

static enum pol_change cmpn(const struct pol_rule *o, unsigned no, const struct pol_rule *n,
	unsigned nn, struct pol_diff *diff)
{
	struct pol_policy po, pn;
	enum pol_change c;

	build(&po, o, no);
	build(&pn, n, nn);
	c = pol_compare(&po, &pn, diff);
	pol_clear(&po);
	pol_clear(&pn);
	return c;
}

/* One rule each. */
static enum pol_change cmp1(struct pol_rule o, struct pol_rule n)
{
	return cmpn(&o, 1, &n, 1, NULL);
}

/* n lies within o but not the other way round. */
#define assert_narrower(n, o)                                    \
	do {                                                     \
		assert_int_equal(cmp1((o), (n)), POL_RESTRICTS); \
		assert_int_equal(cmp1((n), (o)), POL_ADDS);      \
	} while (0)

/* --- named cases --- */

static void test_empty_and_single(void **state)
{
	struct pol_rule a = acc4();
	struct pol_diff d;

	(void)state;
	assert_int_equal(cmpn(NULL, 0, NULL, 0, &d), POL_SAME);
	assert_int_equal(cmpn(NULL, 0, &a, 1, &d), POL_ADDS);
	assert_int_equal(d.nadded, 1);
	assert_int_equal(d.added[0], 0);
	assert_int_equal(cmpn(&a, 1, NULL, 0, &d), POL_RESTRICTS);
	assert_int_equal(d.nadded, 0);
	assert_int_equal(cmp1(a, a), POL_SAME);
	assert_string_equal(pol_change_name(POL_SAME), "same");
	assert_string_equal(pol_change_name(POL_RESTRICTS), "restricts");
	assert_string_equal(pol_change_name(POL_ADDS), "adds");
}

static void test_labels_do_not_count(void **state)
{
	struct pol_rule a = acc4(), b;

	(void)state;
	peer(proto(&a, 6), POL_PEER_DNSNAME, "cloud.example");
	b = a;
	snprintf(b.acl, sizeof(b.acl), "other-acl");
	snprintf(b.name, sizeof(b.name), "renamed");
	assert_int_equal(cmp1(a, b), POL_SAME);
}

static void test_reorder_and_drop_rule(void **state)
{
	struct pol_rule o[4], n[4];
	struct pol_diff d;

	(void)state;
	for (int i = 0; i < 4; i++) {
		o[i] = acc4();
		dport(proto(&o[i], 6), POL_PORT_EQ, (uint16_t)(80 + i), (uint16_t)(80 + i));
	}
	o[3].dir = POL_TO_DEVICE;
	n[0] = o[2];
	n[1] = o[3];
	n[2] = o[0];
	n[3] = o[1];
	assert_int_equal(cmpn(o, 4, n, 4, &d), POL_SAME);
	/* Without one rule: less, never more. */
	for (unsigned skip = 0; skip < 4; skip++) {
		struct pol_rule m[3];
		unsigned k = 0;

		for (unsigned i = 0; i < 4; i++)
			if (i != skip)
				m[k++] = o[i];
		assert_int_equal(cmpn(o, 4, m, 3, &d), POL_RESTRICTS);
		assert_int_equal(cmpn(m, 3, o, 4, &d), POL_ADDS);
		assert_int_equal(d.nadded, 1);
		assert_int_equal(d.added[0], skip);
	}
	/* Moving a rule to the other direction grants something new. */
	n[1].dir = POL_FROM_DEVICE;
	assert_int_equal(cmpn(o, 4, n, 4, &d), POL_ADDS);
	assert_int_equal(d.nadded, 1);
	assert_int_equal(d.added[0], 1);
}

static void test_ports(void **state)
{
	struct pol_rule t = acc4(), a, b;

	(void)state;
	proto(&t, 6);
	a = t, b = t;
	/* eq inside a range, a range inside any */
	dport(&a, POL_PORT_EQ, 443, 443);
	dport(&b, POL_PORT_RANGE, 400, 500);
	assert_narrower(a, b);
	assert_narrower(b, t);
	/* neq */
	dport(&b, POL_PORT_NEQ, 80, 80);
	assert_narrower(a, b);
	dport(&a, POL_PORT_EQ, 80, 80);
	assert_int_equal(cmp1(b, a), POL_ADDS);
	dport(&a, POL_PORT_RANGE, 0, 100);
	assert_int_equal(cmp1(b, a), POL_ADDS);
	dport(&a, POL_PORT_RANGE, 81, 65535);
	assert_narrower(a, b);
	/* lt is strict; the new policy is read with it inclusive, the old one strict */
	dport(&b, POL_PORT_LT, 100, 100);
	dport(&a, POL_PORT_RANGE, 0, 99);
	assert_int_equal(cmp1(b, a), POL_RESTRICTS);
	dport(&a, POL_PORT_RANGE, 0, 100);
	assert_int_equal(cmp1(b, a), POL_ADDS);
	assert_int_equal(cmp1(a, b), POL_RESTRICTS);
	dport(&a, POL_PORT_RANGE, 0, 99);
	assert_int_equal(cmp1(a, b), POL_ADDS); /* lt 100 might let 100 through */
	dport(&b, POL_PORT_GT, 1000, 1000);
	dport(&a, POL_PORT_RANGE, 1001, 65535);
	assert_int_equal(cmp1(b, a), POL_RESTRICTS);
	dport(&a, POL_PORT_RANGE, 1000, 65535);
	assert_int_equal(cmp1(b, a), POL_ADDS);
	assert_int_equal(cmp1(b, b), POL_SAME);
	/* an empty or inconsistent spec grants nothing provable */
	dport(&b, POL_PORT_EQ, 80, 81);
	dport(&a, POL_PORT_EQ, 80, 80);
	assert_int_equal(cmp1(b, a), POL_ADDS);
	assert_int_equal(cmp1(t, b), POL_RESTRICTS);
	dport(&b, POL_PORT_RANGE, 90, 80);
	assert_int_equal(cmp1(b, a), POL_ADDS);
	/* source ports count as much as destination ports */
	a = t;
	a.src_ports = (struct pol_ports){POL_PORT_EQ, 443, 443};
	assert_narrower(a, t);
}

static void test_prefixes(void **state)
{
	struct pol_rule a = acc4(), b = acc4(), c;

	(void)state;
	net(&a, "10.1.0.0/16");
	net(&b, "10.0.0.0/8");
	assert_narrower(a, b);
	net(&a, "11.1.0.0/16");
	assert_int_equal(cmp1(b, a), POL_ADDS);
	/* host bits do not count */
	net(&a, "10.0.0.1/8");
	assert_int_equal(cmp1(b, a), POL_SAME);
	net(&a, "10.1.2.3/32");
	assert_narrower(a, b);
	/* the whole of IPv4 */
	net(&b, "0.0.0.0/0");
	assert_narrower(a, b);
	c = acc4();
	peer(&c, POL_PEER_DNSNAME, "cloud.example");
	assert_narrower(c, b);
	/* IPv6 */
	a = rule(POL_FROM_DEVICE, POL_FAM_IPV6, POL_ACCEPT);
	b = a;
	net(&a, "2001:db8:1::/48");
	net(&b, "2001:db8::/32");
	assert_narrower(a, b);
	net(&a, "2001:db9::/48");
	assert_int_equal(cmp1(b, a), POL_ADDS);
	/* a v4-mapped IPv6 prefix is not IPv4 */
	a = acc4();
	net(&a, "10.0.0.0/8");
	net(&b, "::ffff:0.0.0.0/96");
	assert_int_equal(cmp1(b, a), POL_ADDS);
	assert_int_equal(cmp1(a, b), POL_ADDS);
	net(&b, "::/0");
	assert_int_equal(cmp1(b, a), POL_ADDS);
	c.family = POL_FAM_IPV6;
	assert_narrower(c, b); /* ::/0 holds an IPv6-only name rule */
	c.family = POL_FAM_ANY;
	assert_int_equal(cmp1(b, c), POL_ADDS);
	/* a v4-mapped prefix without a family says nothing sure */
	a = rule(POL_FROM_DEVICE, POL_FAM_ANY, POL_ACCEPT);
	net(&a, "10.0.0.0/8");
	b = acc4();
	net(&b, "10.1.0.0/16");
	assert_int_equal(cmp1(a, b), POL_ADDS);
	assert_int_equal(cmp1(a, a), POL_SAME);
	/* a whole IPv6 prefix without a family holds no IPv4 peer */
	a = rule(POL_FROM_DEVICE, POL_FAM_ANY, POL_ACCEPT);
	net(&a, "::/0");
	assert_int_equal(cmp1(a, c), POL_ADDS);
	c.family = POL_FAM_IPV6;
	assert_int_equal(cmp1(a, c), POL_RESTRICTS);
	/* a prefix longer than its family is not trusted */
	b.prefix_len = 40;
	assert_int_equal(cmp1(acc4(), b), POL_RESTRICTS);
	assert_int_equal(cmp1(b, a), POL_ADDS);
}

static void test_dns_names(void **state)
{
	struct pol_rule o[3], n[3];

	(void)state;
	for (int i = 0; i < 3; i++) {
		o[i] = acc4();
		dport(proto(&o[i], 6), POL_PORT_EQ, 443, 443);
	}
	peer(&o[0], POL_PEER_DNSNAME, "a.example");
	peer(&o[1], POL_PEER_DNSNAME, "b.example");
	peer(&o[2], POL_PEER_DNSNAME, "c.example");
	memcpy(n, o, sizeof(n));
	assert_int_equal(cmpn(o, 3, n, 2, NULL), POL_RESTRICTS); /* c.example removed */
	peer(&n[0], POL_PEER_DNSNAME, "A.Example.");
	assert_int_equal(cmpn(o, 3, n, 3, NULL), POL_SAME);
	peer(&n[0], POL_PEER_DNSNAME, "a.example.net");
	assert_int_equal(cmpn(o, 3, n, 3, NULL), POL_ADDS);
	peer(&n[0], POL_PEER_DNSNAME, "sub.a.example");
	assert_int_equal(cmpn(o, 3, n, 3, NULL), POL_ADDS);
	/* a name is not a prefix, and neither holds the other */
	n[0] = o[0];
	net(&n[0], "10.0.0.0/8");
	assert_int_equal(cmp1(o[0], n[0]), POL_ADDS);
	assert_int_equal(cmp1(n[0], o[0]), POL_ADDS);
}

static void test_dir_family_proto(void **state)
{
	struct pol_rule a = acc4(), b, any = rule(POL_FROM_DEVICE, POL_FAM_ANY, POL_ACCEPT);

	(void)state;
	b = a;
	b.dir = POL_TO_DEVICE;
	assert_int_equal(cmp1(a, b), POL_ADDS);
	/* any family holds IPv4 and IPv6 */
	assert_narrower(a, any);
	b = rule(POL_FROM_DEVICE, POL_FAM_IPV6, POL_ACCEPT);
	assert_narrower(b, any);
	assert_int_equal(cmp1(a, b), POL_ADDS);
	/* a protocol narrows; another protocol is not held */
	b = a;
	proto(&b, 6);
	assert_narrower(b, a);
	a = b;
	proto(&a, 17);
	assert_int_equal(cmp1(b, a), POL_ADDS);
	/* a TCP rule without a family lies within "any family", even as an eth match */
	b = any;
	proto(&b, 6);
	assert_narrower(b, any);
	b.family = POL_FAM_ETH;
	assert_narrower(b, any);
	/* ICMP type and code */
	a = acc4();
	proto(&a, 1);
	b = a;
	b.icmp_type = 8;
	b.flags |= POL_HAS_ICMP_TYPE;
	assert_narrower(b, a);
	a = b;
	a.icmp_code = 0;
	a.flags |= POL_HAS_ICMP_CODE;
	assert_narrower(a, b);
	a = b;
	a.icmp_type = 0;
	assert_int_equal(cmp1(b, a), POL_ADDS);
}

static void test_ethertype(void **state)
{
	struct pol_rule v4 = acc4(), eth = rule(POL_FROM_DEVICE, POL_FAM_ETH, POL_ACCEPT);
	struct pol_rule any = rule(POL_FROM_DEVICE, POL_FAM_ANY, POL_ACCEPT), arp;

	(void)state;
	eth.ethertype = 0x0800;
	eth.flags |= POL_HAS_ETHERTYPE;
	/* ethertype IPv4 and the IPv4 family are the same frames */
	assert_int_equal(cmp1(eth, v4), POL_SAME);
	assert_int_equal(cmp1(v4, eth), POL_SAME);
	arp = eth;
	arp.ethertype = 0x0806;
	assert_int_equal(cmp1(eth, arp), POL_ADDS);
	assert_int_equal(cmp1(arp, arp), POL_SAME);
	/* whether "any family" lets ARP through is the enforcer's choice: not proven */
	assert_int_equal(cmp1(any, arp), POL_ADDS);
	assert_int_equal(cmp1(arp, any), POL_ADDS);
	/* a contradicting ethertype in an IPv4 rule is read widely when new */
	v4.ethertype = 0x86dd;
	v4.flags |= POL_HAS_ETHERTYPE;
	assert_int_equal(cmp1(acc4(), v4), POL_ADDS);
}

static void test_initiated(void **state)
{
	struct pol_rule a = acc4(), b;

	(void)state;
	proto(&a, 6);
	b = a;
	b.initiated = POL_INIT_FROM_DEVICE;
	assert_narrower(b, a);
	a = b;
	a.initiated = POL_INIT_TO_DEVICE;
	assert_int_equal(cmp1(b, a), POL_ADDS);
	assert_int_equal(cmp1(a, b), POL_ADDS);
}

static void test_peers(void **state)
{
	struct pol_rule any = acc4(), a = acc4(), b = acc4();

	(void)state;
	peer(&a, POL_PEER_LOCAL_NETWORKS, NULL);
	assert_narrower(a, any);
	/* a prefix that must also be local lies within both */
	net(&b, "192.168.0.0/16");
	b.flags |= POL_LOCAL_ONLY;
	assert_narrower(b, a);
	a = b;
	a.flags &= ~POL_LOCAL_ONLY;
	assert_narrower(b, a);
	b = acc4();
	peer(&b, POL_PEER_LOCAL_NETWORKS, NULL);
	assert_int_equal(cmp1(b, a), POL_ADDS);
	assert_int_equal(cmp1(a, b), POL_ADDS);
	/* the flag on a peer it is not defined for may narrow it, so it never widens */
	a = acc4();
	peer(&a, POL_PEER_DNSNAME, "x.example");
	b = a;
	b.flags |= POL_LOCAL_ONLY;
	assert_int_equal(cmp1(a, b), POL_RESTRICTS);
	assert_int_equal(cmp1(b, a), POL_ADDS);
	/* manufacturer names fold case; a model lies within its manufacturer */
	peer(&a, POL_PEER_MANUFACTURER, "Maker.Example");
	peer(&b, POL_PEER_MANUFACTURER, "maker.example.");
	b.flags = 0;
	assert_int_equal(cmp1(a, b), POL_SAME);
	peer(&b, POL_PEER_MODEL, "https://maker.example/lamp.json");
	assert_narrower(b, a);
	peer(&b, POL_PEER_MODEL, "https://maker.example:8443/lamp.json");
	assert_int_equal(cmp1(a, b), POL_ADDS);
	peer(&b, POL_PEER_MODEL, "https://other.example/maker.example");
	assert_int_equal(cmp1(a, b), POL_ADDS);
	peer(&b, POL_PEER_MODEL, "https://maker.example@evil.example/lamp.json");
	assert_int_equal(cmp1(a, b), POL_ADDS);
	/* models and controllers are exact */
	peer(&a, POL_PEER_MODEL, "https://maker.example/lamp.json");
	peer(&b, POL_PEER_MODEL, "https://maker.example/Lamp.json");
	assert_int_equal(cmp1(a, b), POL_ADDS);
	peer(&a, POL_PEER_CONTROLLER, "urn:ietf:params:mud:dns");
	peer(&b, POL_PEER_CONTROLLER, "urn:ietf:params:mud:dns");
	assert_int_equal(cmp1(a, b), POL_SAME);
	peer(&b, POL_PEER_CONTROLLER, "urn:ietf:params:mud:ntp");
	assert_int_equal(cmp1(a, b), POL_ADDS);
	/* same-manufacturer is not any named manufacturer, nor my-controller a controller */
	peer(&a, POL_PEER_SAME_MANUFACTURER, NULL);
	peer(&b, POL_PEER_MANUFACTURER, "maker.example");
	assert_int_equal(cmp1(a, b), POL_ADDS);
	assert_int_equal(cmp1(b, a), POL_ADDS);
	peer(&a, POL_PEER_MY_CONTROLLER, NULL);
	peer(&b, POL_PEER_CONTROLLER, "urn:x");
	assert_int_equal(cmp1(a, b), POL_ADDS);
	b = a;
	assert_int_equal(cmp1(a, b), POL_SAME);
	assert_narrower(a, any);
}

static void test_drops_and_order(void **state)
{
	struct pol_rule drop8 = acc4(), drop16, any = acc4(), o[3], n[3];
	struct pol_rule ssh, https;

	(void)state;
	drop8.action = POL_DROP;
	net(&drop8, "10.0.0.0/8");
	drop16 = drop8;
	net(&drop16, "10.0.0.0/16");
	/* removing a drop in front of an accept adds */
	o[0] = drop8, o[1] = any;
	assert_int_equal(cmpn(o, 2, &any, 1, NULL), POL_ADDS);
	assert_int_equal(cmpn(&any, 1, o, 2, NULL), POL_RESTRICTS);
	/* widening the drop restricts, narrowing it adds */
	n[0] = drop16, n[1] = any;
	assert_int_equal(cmpn(n, 2, o, 2, NULL), POL_RESTRICTS);
	assert_int_equal(cmpn(o, 2, n, 2, NULL), POL_ADDS);
	/* moving the drop behind the accept adds */
	n[0] = any, n[1] = drop8;
	assert_int_equal(cmpn(o, 2, n, 2, NULL), POL_ADDS);
	assert_int_equal(cmpn(n, 2, o, 2, NULL), POL_RESTRICTS);
	/* ... unless they are apart: then the order does not matter */
	ssh = acc4();
	dport(proto(&ssh, 6), POL_PORT_EQ, 22, 22);
	ssh.action = POL_DROP;
	https = acc4();
	dport(proto(&https, 6), POL_PORT_EQ, 443, 443);
	o[0] = ssh, o[1] = https;
	n[0] = https, n[1] = ssh;
	assert_int_equal(cmpn(o, 2, n, 2, NULL), POL_SAME);
	/* a drop of one prefix is apart from an accept of another, and of another family */
	o[0] = drop8, o[1] = acc4();
	net(&o[1], "192.168.0.0/16");
	n[0] = o[1];
	assert_int_equal(cmpn(o, 2, n, 1, NULL), POL_SAME);
	o[1] = rule(POL_FROM_DEVICE, POL_FAM_IPV6, POL_ACCEPT);
	n[0] = o[1];
	assert_int_equal(cmpn(o, 2, n, 1, NULL), POL_SAME);
	/* ports beside ICMP may be ignored by an enforcer: they keep nothing apart */
	o[0] = acc4(), o[0].action = POL_DROP;
	dport(proto(&o[0], 1), POL_PORT_EQ, 22, 22);
	o[1] = acc4(), proto(&o[1], 1);
	n[0] = o[1];
	dport(&n[0], POL_PORT_EQ, 443, 443);
	assert_int_equal(cmpn(o, 2, n, 1, NULL), POL_ADDS);
	o[0].proto = n[0].proto = o[1].proto = 17;
	assert_int_equal(cmpn(o, 2, n, 1, NULL), POL_RESTRICTS);
	/* a drop of the other direction does not count */
	o[0] = drop8, o[0].dir = POL_TO_DEVICE, o[1] = any;
	assert_int_equal(cmpn(o, 2, &any, 1, NULL), POL_SAME);
	/* an accept hidden behind a drop of new grants nothing */
	n[0] = drop8, n[1] = acc4();
	net(&n[1], "10.1.0.0/16");
	assert_int_equal(cmpn(NULL, 0, n, 2, NULL), POL_SAME);
	/* accept, drop, accept: new keeps the drop before the second accept */
	o[0] = https, o[1] = drop8, o[2] = any;
	n[0] = drop8, n[1] = https, n[2] = any;
	assert_int_equal(cmpn(o, 3, n, 3, NULL), POL_RESTRICTS);
	/* a drop covered only by two drops of new together is not proven */
	o[0] = drop8, o[1] = any;
	n[0] = drop8, n[1] = drop8, n[2] = any;
	net(&n[0], "10.0.0.0/9");
	net(&n[1], "10.128.0.0/9");
	assert_int_equal(cmpn(o, 2, n, 3, NULL), POL_ADDS);
}

static void test_diff_bounded(void **state)
{
	struct pol_rule n[POL_DIFF_MAX + 8];
	struct pol_diff d;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(n); i++) {
		char name[32];

		n[i] = acc4();
		snprintf(name, sizeof(name), "n%u.example", i);
		peer(&n[i], POL_PEER_DNSNAME, name);
	}
	n[3].action = POL_DROP;
	assert_int_equal(cmpn(NULL, 0, n, ARRAY_SIZE(n), &d), POL_ADDS);
	assert_int_equal(d.nadded, POL_DIFF_MAX);
	assert_int_equal(d.nadded_total, ARRAY_SIZE(n) - 1);
	assert_int_equal(d.added[2], 2);
	assert_int_equal(d.added[3], 4);
	/* only the rule that is new is listed */
	assert_int_equal(cmpn(n, 20, n, 21, &d), POL_ADDS);
	assert_int_equal(d.nadded, 1);
	assert_int_equal(d.added[0], 20);
}

static void test_unknown_values(void **state)
{
	struct pol_rule a = acc4(), b = acc4();
	struct pol_diff d;

	(void)state;
	b.flags |= 1U << 20; /* a field this build does not know might narrow the old rule */
	assert_int_equal(cmp1(b, a), POL_ADDS);
	assert_int_equal(cmp1(b, b), POL_SAME);
	b = a;
	b.peer = (enum pol_peer)99;
	assert_int_equal(cmpn(&a, 1, &b, 1, &d), POL_ADDS);
	assert_int_equal(d.nadded, 1);
	assert_int_equal(cmp1(b, a), POL_ADDS);
	assert_int_equal(cmp1(b, b), POL_SAME);
	b = a;
	b.dir = (enum pol_dir)7;
	assert_int_equal(cmp1(b, a), POL_ADDS);
	b = a;
	b.action = (enum pol_action)5; /* neither accept nor drop: counted as granting */
	assert_int_equal(cmp1(acc4(), b), POL_ADDS);
}

/* --- the hash --- */

static void hash_of(const struct pol_rule *r, unsigned n, char out[65])
{
	struct pol_policy p;

	build(&p, r, n);
	assert_int_equal(pol_hash(&p, out), 0);
	pol_clear(&p);
}

static void test_hash(void **state)
{
	struct pol_rule r[3];
	char h1[65], h2[65];
	struct pol_policy empty = {0}, broken = {.count = 1};

	(void)state;
	r[0] = acc4();
	peer(dport(proto(&r[0], 6), POL_PORT_EQ, 443, 443), POL_PEER_DNSNAME, "a.example");
	r[1] = rule(POL_TO_DEVICE, POL_FAM_IPV6, POL_ACCEPT);
	net(&r[1], "2001:db8::/32");
	r[2] = acc4();
	net(&r[2], "10.0.0.0/8");
	hash_of(r, 3, h1);
	assert_int_equal(strlen(h1), 64);
	assert_int_equal(strspn(h1, "0123456789abcdef"), 64);
	/* labels, name case and host bits do not change it */
	snprintf(r[0].name, sizeof(r[0].name), "other");
	peer(&r[0], POL_PEER_DNSNAME, "A.EXAMPLE.");
	net(&r[2], "10.9.9.9/8");
	hash_of(r, 3, h2);
	assert_string_equal(h1, h2);
	/* the order across directions does not matter, within one it does */
	{
		struct pol_rule s[3] = {r[0], r[2], r[1]};

		hash_of(s, 3, h2);
		assert_string_equal(h1, h2);
		s[0] = r[2], s[1] = r[0];
		hash_of(s, 3, h2);
		assert_string_not_equal(h1, h2);
	}
	/* every field that matches counts */
	r[0].dst_ports.lo = r[0].dst_ports.hi = 444;
	hash_of(r, 3, h2);
	assert_string_not_equal(h1, h2);
	r[0].dst_ports.lo = r[0].dst_ports.hi = 443;
	r[0].action = POL_DROP;
	hash_of(r, 3, h2);
	assert_string_not_equal(h1, h2);
	r[0].action = POL_ACCEPT;
	r[0].initiated = POL_INIT_FROM_DEVICE;
	hash_of(r, 3, h2);
	assert_string_not_equal(h1, h2);
	/* an empty policy has a hash; a policy without its array has none */
	assert_int_equal(pol_hash(&empty, h2), 0);
	assert_string_not_equal(h1, h2);
	assert_int_equal(pol_hash(&broken, h2), -EINVAL);
	assert_string_equal(h2, "");
}

/* --- MUD files --- */

static char *camera;
static size_t camera_len;

static int load_camera(void **state)
{
	char path[512];
	const char *dir = getenv("HOMEGATE_TEST_DATA");

	(void)state;
	snprintf(path, sizeof(path), "%s/mud/camera.json", dir ? dir : "tests/data");
	return util_read_file(path, MUD_MAX_FILE, &camera, &camera_len);
}

static int free_camera(void **state)
{
	(void)state;
	free(camera);
	return 0;
}

/* camera.json with the first occurrence of from replaced by to, parsed. */
static struct mud_file *camera_with(const char *from, const char *to)
{
	const char *at = strstr(camera, from);
	size_t pre, len;
	char *buf;
	struct mud_file *mf = NULL;
	struct mud_error err;

	assert_non_null(at);
	pre = (size_t)(at - camera);
	len = camera_len - strlen(from) + strlen(to);
	buf = malloc(len + 1);
	assert_non_null(buf);
	memcpy(buf, camera, pre);
	memcpy(buf + pre, to, strlen(to));
	memcpy(buf + pre + strlen(to), at + strlen(from), camera_len - pre - strlen(from));
	buf[len] = '\0';
	if (mud_parse(buf, len, NULL, &mf, &err) != 0)
		fail_msg("%s at %s", err.msg, err.path);
	free(buf);
	return mf;
}

static enum pol_change camera_change(const char *from, const char *to, struct pol_diff *d)
{
	struct mud_file *old = camera_with("\"", "\""), *new = camera_with(from, to);
	enum pol_change c = pol_compare(&old->policy, &new->policy, d);

	mud_free(old);
	mud_free(new);
	return c;
}

static void test_mud_updates(void **state)
{
	struct mud_file *a = camera_with("\"", "\""), *b = camera_with("\"", "\"");
	struct pol_diff d;
	char ha[65], hb[65];

	(void)state;
	/* two parses of the same file */
	assert_int_equal(pol_hash(&a->policy, ha), 0);
	assert_int_equal(pol_hash(&b->policy, hb), 0);
	assert_string_equal(ha, hb);
	assert_int_equal(pol_compare(&a->policy, &b->policy, &d), POL_SAME);
	mud_free(a);
	mud_free(b);
	/* renaming an ACE, spelling a name in capitals */
	assert_int_equal(
		camera_change("\"name\": \"cloud\"", "\"name\": \"cloud2\"", &d), POL_SAME);
	assert_int_equal(camera_change("cloud.example.test", "CLOUD.example.test.", &d), POL_SAME);
	/* narrower NTP ports, a narrower prefix, one port for cloud: restrictions */
	assert_int_equal(
		camera_change("\"upper-port\": 124", "\"upper-port\": 123", &d), POL_RESTRICTS);
	assert_int_equal(camera_change("198.51.100.0/24", "198.51.100.128/25", &d), POL_RESTRICTS);
	/* a changed cloud name, wider ports, a wider prefix: additions, naming the rule */
	assert_int_equal(camera_change("cloud.example.test", "cloud.example.net", &d), POL_ADDS);
	assert_int_equal(d.nadded, 1);
	assert_int_equal(d.added[0], 0);
	assert_int_equal(camera_change("\"upper-port\": 124", "\"upper-port\": 125", &d), POL_ADDS);
	assert_int_equal(d.added[0], 1);
	assert_int_equal(camera_change("198.51.100.0/24", "198.51.0.0/16", &d), POL_ADDS);
	/* the ICMP echo reject turned into an accept */
	assert_int_equal(camera_change("\"reject\"", "\"accept\"", &d), POL_ADDS);
	assert_int_equal(d.added[0], 3);
	/* direction-initiated dropped from the cloud rule: the cloud may now connect in */
	assert_int_equal(camera_change(",\n                      \"ietf-mud:direction-initiated\": "
				       "\"from-device\"",
				 "", &d),
		POL_ADDS);
}

/* --- random rule sets against a packet-level model --- */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	/* xorshift64*: deterministic across runs and platforms */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32) % n;
}

#define PICK(a) ((a)[rnd(ARRAY_SIZE(a))])

/* Peers of the model home: an address, or a non-IP neighbour, with what the sets know of it. */
struct host {
	const char *addr; /* NULL: reached only by MAC */
	bool lan, same_mfg, my_ctl;
	const char *names[2], *mfg, *model, *ctl;
};

static const struct host hosts[] = {
	{"10.1.2.3", true, true, false, {"a.example", NULL}, "a.example",
		"https://a.example/m1.json", NULL},
	{"10.2.0.1", false, false, false, {"b.example", NULL}, NULL, NULL, NULL},
	{"192.168.1.5", true, false, true, {NULL, NULL}, "b.example", "https://b.example/x.json",
		"urn:c1"},
	{"8.8.8.8", false, false, false, {"a.example", "c.example"}, NULL, NULL, NULL},
	{"10.1.255.1", true, false, false, {NULL, NULL}, "a.example", "https://a.example/m2.json",
		NULL},
	{"10.200.0.1", false, false, false, {NULL, NULL}, NULL, NULL, NULL},
	{"2001:db8:1::1", true, false, false, {"a.example", NULL}, NULL, NULL, NULL},
	{"2001:db8:2::1", false, false, false, {"b.example", NULL}, NULL, NULL, NULL},
	{"fe80::1", true, true, false, {NULL, NULL}, "a.example", "https://a.example/m1.json",
		"urn:c1"},
	{"2a00::1", false, false, false, {"c.example", NULL}, NULL, NULL, NULL},
};

struct pkt {
	enum pol_dir dir;
	int l3; /* 4, 6, or 0 for a non-IP frame */
	uint16_t ethertype;
	uint8_t proto, itype, icode;
	uint16_t sport, dport;
	unsigned host;
	struct in6_addr addr; /* v4-mapped for IPv4 */
	enum pol_initiated init;
};

/* How an enforcer may read the unsure parts of the model: 0 as policy_cmp.h describes it,
 * 1 with LT/GT inclusive, "any family" and ethertype-less eth matches IP only, ports of a
 * rule without TCP or UDP ignored, and POL_LOCAL_ONLY ignored beside any peer but a prefix. pol_compare must be sound under both. */
static int model_mode;

static bool port_match(const struct pol_ports *p, bool has, uint16_t v)
{
	int incl = model_mode == 1;

	switch (p->op) {
	case POL_PORT_ANY:
		return true;
	case POL_PORT_EQ:
		return has && v == p->lo;
	case POL_PORT_NEQ:
		return has && v != p->lo;
	case POL_PORT_LT:
		return has && (v < p->lo || (incl && v == p->lo));
	case POL_PORT_GT:
		return has && (v > p->lo || (incl && v == p->lo));
	case POL_PORT_RANGE:
		return has && v >= p->lo && v <= p->hi;
	}
	return false;
}

static bool fold_eq(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	na -= na && a[na - 1] == '.';
	nb -= nb && b[nb - 1] == '.';
	return na == nb && strncasecmp(a, b, na) == 0;
}

static bool in_prefix(const struct pol_rule *r, const struct pkt *k)
{
	bool v4 = r->family == POL_FAM_IPV4;
	unsigned len = v4 ? 96U + r->prefix_len : r->prefix_len;

	if (!k->l3 || (v4 ? k->l3 != 4 : k->l3 != 6) || len > 128)
		return false;
	for (unsigned i = 0; i < len; i++) {
		unsigned byte = i / 8, bit = 7 - i % 8;

		if (((k->addr.s6_addr[byte] >> bit) & 1) != ((r->net.s6_addr[byte] >> bit) & 1))
			return false;
	}
	return true;
}

static bool rule_match(const struct pol_rule *r, const struct pkt *k)
{
	const struct host *h = &hosts[k->host];
	bool ip = k->l3 != 0, l4 = ip && (k->proto == 6 || k->proto == 17);
	bool icmp = ip && (k->proto == 1 || k->proto == 58);
	uint16_t et = k->l3 == 4 ? 0x0800 : k->l3 == 6 ? 0x86dd : k->ethertype;

	if (r->dir != k->dir)
		return false;
	if ((r->family == POL_FAM_IPV4 && k->l3 != 4) || (r->family == POL_FAM_IPV6 && k->l3 != 6))
		return false;
	if (model_mode == 1 && !ip && !(r->flags & POL_HAS_ETHERTYPE) &&
		(r->family == POL_FAM_ANY || r->family == POL_FAM_ETH))
		return false;
	if ((r->flags & POL_HAS_ETHERTYPE) && r->ethertype != et)
		return false;
	if ((r->flags & POL_HAS_PROTO) && (!ip || k->proto != r->proto))
		return false;
	if ((r->flags & POL_HAS_ICMP_TYPE) && (!icmp || k->itype != r->icmp_type))
		return false;
	if ((r->flags & POL_HAS_ICMP_CODE) && (!icmp || k->icode != r->icmp_code))
		return false;
	if (!(model_mode == 1 &&
		    !((r->flags & POL_HAS_PROTO) && (r->proto == 6 || r->proto == 17)))) {
		if (!port_match(&r->src_ports, l4, k->sport) ||
			!port_match(&r->dst_ports, l4, k->dport))
			return false;
	}
	if (r->initiated != POL_INIT_ANY && (!ip || k->proto != 6 || k->init != r->initiated))
		return false;
	if ((r->flags & POL_LOCAL_ONLY) && (model_mode == 0 || r->peer == POL_PEER_NET) &&
		(!ip || !h->lan))
		return false;
	switch (r->peer) {
	case POL_PEER_ANY:
		return true;
	case POL_PEER_NET:
		return in_prefix(r, k);
	case POL_PEER_DNSNAME:
		for (int i = 0; i < 2; i++)
			if (ip && h->names[i] && fold_eq(h->names[i], r->value))
				return true;
		return false;
	case POL_PEER_LOCAL_NETWORKS:
		return ip && h->lan;
	case POL_PEER_SAME_MANUFACTURER:
		return h->same_mfg;
	case POL_PEER_MANUFACTURER:
		return h->mfg && fold_eq(h->mfg, r->value);
	case POL_PEER_MODEL:
		return h->model && strcmp(h->model, r->value) == 0;
	case POL_PEER_CONTROLLER:
		return h->ctl && strcmp(h->ctl, r->value) == 0;
	case POL_PEER_MY_CONTROLLER:
		return h->my_ctl;
	}
	return false;
}

static bool accepts(const struct pol_policy *p, const struct pkt *k)
{
	for (unsigned i = 0; i < p->count; i++)
		if (rule_match(&p->rules[i], k))
			return p->rules[i].action == POL_ACCEPT;
	return false;
}

static const uint16_t ports[] = {0, 22, 53, 79, 80, 81, 99, 100, 101, 443, 999, 1000, 1001, 65535};

static struct pkt random_pkt(void)
{
	static const uint8_t protos[] = {6, 6, 17, 17, 1, 58, 2};
	static const uint16_t ethertypes[] = {0x0806, 0x88cc};
	struct pkt k;
	uint8_t a4[4];

	memset(&k, 0, sizeof(k));
	k.dir = rnd(2) ? POL_TO_DEVICE : POL_FROM_DEVICE;
	k.host = rnd(ARRAY_SIZE(hosts));
	if (rnd(8) == 0) {
		k.l3 = 0;
		k.ethertype = PICK(ethertypes);
	} else if (inet_pton(AF_INET, hosts[k.host].addr, a4) == 1) {
		k.l3 = 4;
		k.addr.s6_addr[10] = k.addr.s6_addr[11] = 0xff;
		memcpy(&k.addr.s6_addr[12], a4, 4);
	} else {
		k.l3 = 6;
		assert_int_equal(inet_pton(AF_INET6, hosts[k.host].addr, &k.addr), 1);
	}
	k.proto = PICK(protos);
	k.sport = PICK(ports);
	k.dport = PICK(ports);
	k.itype = (uint8_t)PICK(((const uint8_t[]){0, 3, 8}));
	k.icode = (uint8_t)rnd(2);
	k.init = rnd(2) ? POL_INIT_FROM_DEVICE : POL_INIT_TO_DEVICE;
	return k;
}

static const char *const v4nets[] = {"10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32",
	"192.168.1.0/24", "0.0.0.0/0", "8.0.0.0/7", "10.0.0.0/9"};
static const char *const v6nets[] = {
	"2001:db8::/32", "2001:db8:1::/48", "::/0", "fe80::/10", "2a00::/8", "2001:db8:2::/64"};
static const char *const names[] = {"a.example", "B.example.", "c.example", "A.EXAMPLE"};
static const char *const mfgs[] = {"a.example", "B.Example"};
static const char *const models[] = {"https://a.example/m1.json", "https://b.example/x.json"};
static const char *const ctls[] = {"urn:c1", "urn:c2"};

static void random_ports(struct pol_ports *p)
{
	uint16_t a = PICK(ports), b = PICK(ports);

	switch (rnd(6)) {
	case 0:
		*p = (struct pol_ports){POL_PORT_ANY, 0, 0};
		break;
	case 1:
		*p = (struct pol_ports){POL_PORT_EQ, a, a};
		break;
	case 2:
		*p = (struct pol_ports){POL_PORT_NEQ, a, a};
		break;
	case 3:
		*p = (struct pol_ports){POL_PORT_LT, a, a};
		break;
	case 4:
		*p = (struct pol_ports){POL_PORT_GT, a, a};
		break;
	default:
		*p = (struct pol_ports){POL_PORT_RANGE, a < b ? a : b, a < b ? b : a};
		break;
	}
}

/* A rule such as the MUD parser produces (plus some a class default might). wide: peers may be
 * "any" and prefixes whole families. */
static struct pol_rule random_rule(bool drops, bool wide)
{
	struct pol_rule r;
	unsigned f = rnd(10);

	r = rule(rnd(2) ? POL_TO_DEVICE : POL_FROM_DEVICE,
		f < 4		? POL_FAM_IPV4
			: f < 7 ? POL_FAM_IPV6
			: f < 9 ? POL_FAM_ANY
				: POL_FAM_ETH,
		drops && rnd(4) == 0 ? POL_DROP : POL_ACCEPT);
	if (r.family == POL_FAM_ETH && rnd(2)) {
		r.ethertype = PICK(((const uint16_t[]){0x0806, 0x0800, 0x88cc}));
		r.flags |= POL_HAS_ETHERTYPE;
	}
	if (r.family != POL_FAM_ETH && rnd(4)) {
		unsigned p = rnd(4);

		proto(&r, p == 0 ? 6 : p == 1 ? 17 : r.family == POL_FAM_IPV6 ? 58 : 1);
		if (r.proto == 6 || r.proto == 17) {
			if (rnd(2))
				random_ports(&r.dst_ports);
			if (rnd(4) == 0)
				random_ports(&r.src_ports);
			if (r.proto == 6 && rnd(3) == 0)
				r.initiated = rnd(2) ? POL_INIT_FROM_DEVICE : POL_INIT_TO_DEVICE;
		} else if (rnd(2)) {
			r.icmp_type = (uint8_t)PICK(((const uint8_t[]){0, 8}));
			r.flags |= POL_HAS_ICMP_TYPE;
			if (rnd(2)) {
				r.icmp_code = 0;
				r.flags |= POL_HAS_ICMP_CODE;
			}
		}
	}
	switch (rnd(wide ? 9 : 8)) {
	case 0:
		if (r.family == POL_FAM_IPV4 || r.family == POL_FAM_IPV6) {
			const char *n = r.family == POL_FAM_IPV4 ? PICK(v4nets) : PICK(v6nets);

			if (!wide && strstr(n, "/0"))
				n = r.family == POL_FAM_IPV4 ? "10.0.0.0/8" : "2001:db8::/32";
			net(&r, n);
			if (rnd(4) == 0)
				r.flags |= POL_LOCAL_ONLY;
		}
		break;
	case 1:
	case 2:
		peer(&r, POL_PEER_DNSNAME, PICK(names));
		break;
	case 3:
		peer(&r, POL_PEER_LOCAL_NETWORKS, NULL);
		break;
	case 4:
		peer(&r, POL_PEER_SAME_MANUFACTURER, NULL);
		break;
	case 5:
		peer(&r, POL_PEER_MANUFACTURER, PICK(mfgs));
		break;
	case 6:
		peer(&r, rnd(2) ? POL_PEER_MODEL : POL_PEER_CONTROLLER,
			rnd(2) ? PICK(models) : PICK(ctls));
		break;
	case 7:
		peer(&r, POL_PEER_MY_CONTROLLER, NULL);
		break;
	default:
		break; /* any */
	}
	if (!wide && r.peer == POL_PEER_ANY)
		peer(&r, POL_PEER_DNSNAME, PICK(names));
	return r;
}

static void random_policy(struct pol_policy *p, unsigned max, bool drops, bool wide)
{
	unsigned n = rnd(max + 1);

	memset(p, 0, sizeof(*p));
	for (unsigned i = 0; i < n; i++) {
		struct pol_rule r = random_rule(drops, wide);

		assert_int_equal(pol_add(p, &r), 0);
	}
}

static void copy_policy(struct pol_policy *dst, const struct pol_policy *src)
{
	memset(dst, 0, sizeof(*dst));
	for (unsigned i = 0; i < src->count; i++)
		assert_int_equal(pol_add(dst, &src->rules[i]), 0);
}

/* HOMEGATE_TEST_SEED=N runs the random tests on other rule sets (for a longer soak). */
static void seed(uint64_t s)
{
	const char *env = getenv("HOMEGATE_TEST_SEED");

	if (env)
		s += strtoull(env, NULL, 10) * 1000;
	rng_state = s * 0x9e3779b97f4a7c15ULL + 1;
}

static void test_prop_self_same(void **state)
{
	(void)state;
	seed(1);
	for (int round = 0; round < 500; round++) {
		struct pol_policy p, q;
		char h1[65], h2[65];

		random_policy(&p, 12, true, true);
		copy_policy(&q, &p);
		assert_int_equal(pol_compare(&p, &q, NULL), POL_SAME);
		assert_int_equal(pol_hash(&p, h1), 0);
		assert_int_equal(pol_hash(&q, h2), 0);
		assert_string_equal(h1, h2);
		pol_clear(&p);
		pol_clear(&q);
	}
}

static void test_prop_shuffle_same(void **state)
{
	(void)state;
	seed(2);
	for (int round = 0; round < 500; round++) {
		struct pol_policy p, q;

		random_policy(&p, 12, false, true);
		copy_policy(&q, &p);
		for (unsigned i = q.count; i > 1; i--) {
			unsigned j = rnd(i);
			struct pol_rule t = q.rules[i - 1];

			q.rules[i - 1] = q.rules[j];
			q.rules[j] = t;
		}
		/* accept-only rule sets mean the same in any order */
		assert_int_equal(pol_compare(&p, &q, NULL), POL_SAME);
		pol_clear(&p);
		pol_clear(&q);
	}
}

static void test_prop_remove_never_adds(void **state)
{
	unsigned restricts = 0;

	(void)state;
	seed(3);
	for (int round = 0; round < 1000; round++) {
		struct pol_policy p, q;
		unsigned k;
		enum pol_change c;

		random_policy(&p, 12, round % 2, true);
		if (!p.count) {
			pol_clear(&p);
			continue;
		}
		k = rnd(p.count);
		if (p.rules[k].action == POL_DROP) {
			pol_clear(&p);
			continue; /* removing a drop may add: see test_drops_and_order */
		}
		memset(&q, 0, sizeof(q));
		for (unsigned i = 0; i < p.count; i++)
			if (i != k)
				assert_int_equal(pol_add(&q, &p.rules[i]), 0);
		c = pol_compare(&p, &q, NULL);
		assert_int_not_equal(c, POL_ADDS);
		restricts += c == POL_RESTRICTS;
		pol_clear(&p);
		pol_clear(&q);
	}
	assert_true(restricts > 500); /* mostly a real loss, not a duplicate rule */
}

static void test_prop_wider_rule_adds(void **state)
{
	(void)state;
	seed(4);
	for (int round = 0; round < 1000; round++) {
		struct pol_policy p, q;
		struct pol_rule w;
		struct pol_diff d;
		unsigned at;
		bool listed = false;

		/* Rule sets where no rule allows (or drops) any peer or a whole address family:
		 * otherwise the wider rule might already be granted, or hidden behind a drop. */
		random_policy(&p, 12, round % 2, false);
		at = rnd(p.count + 1);
		if (round % 2) {
			/* everything, in one direction, anywhere among the rules */
			w = rule(rnd(2) ? POL_TO_DEVICE : POL_FROM_DEVICE, POL_FAM_ANY, POL_ACCEPT);
		} else {
			/* a cloud name no rule knows */
			w = acc4();
			peer(proto(&w, 6), POL_PEER_DNSNAME, "fresh.example");
		}
		memset(&q, 0, sizeof(q));
		for (unsigned i = 0; i <= p.count; i++) {
			if (i == at)
				assert_int_equal(pol_add(&q, &w), 0);
			if (i < p.count)
				assert_int_equal(pol_add(&q, &p.rules[i]), 0);
		}
		assert_int_equal(pol_compare(&p, &q, &d), POL_ADDS);
		for (unsigned i = 0; i < d.nadded; i++)
			listed |= d.added[i] == at;
		assert_true(listed);
		pol_clear(&p);
		pol_clear(&q);
	}
}

/* One random change to a copy of p: narrow, widen, move, drop or add a rule, flip an action. */
static void mutate(struct pol_policy *q)
{
	struct pol_rule *r;
	unsigned k;

	if (!q->count || rnd(6) == 0) {
		struct pol_rule n = random_rule(true, true);

		assert_int_equal(pol_add(q, &n), 0);
		k = rnd(q->count);
		q->rules[q->count - 1] = q->rules[k];
		q->rules[k] = n;
		return;
	}
	k = rnd(q->count);
	r = &q->rules[k];
	switch (rnd(10)) {
	case 0:
		random_ports(&r->dst_ports);
		if (!(r->flags & POL_HAS_PROTO))
			proto(r, 6);
		break;
	case 1:
		if (r->peer == POL_PEER_NET)
			net(r, r->family == POL_FAM_IPV4 ? PICK(v4nets) : PICK(v6nets));
		else
			peer(r, POL_PEER_ANY, NULL);
		break;
	case 2:
		r->action = r->action == POL_ACCEPT ? POL_DROP : POL_ACCEPT;
		break;
	case 3: {
		unsigned j = rnd(q->count);
		struct pol_rule t = q->rules[j];

		q->rules[j] = *r;
		*r = t;
		break;
	}
	case 4:
		memmove(r, r + 1, (q->count - k - 1) * sizeof(*r));
		q->count--;
		break;
	case 5:
		r->flags ^= POL_HAS_PROTO;
		break;
	case 6:
		r->family = (enum pol_family)rnd(4);
		break;
	case 7:
		r->initiated = (enum pol_initiated)rnd(3);
		break;
	case 8:
		r->flags ^= POL_LOCAL_ONLY;
		break;
	default:
		*r = random_rule(true, true);
		break;
	}
}

static unsigned pkts_checked;

static void dump(const char *what, const struct pol_policy *p)
{
	char line[128];

	print_message("%s:\n", what);
	for (unsigned i = 0; i < p->count; i++) {
		const struct pol_rule *r = &p->rules[i];

		inet_ntop(AF_INET6, &r->net, line, sizeof(line));
		print_message("  %u: dir %d fam %d act %d flags %#x proto %u it %u ic %u et %#x "
			      "peer %d '%s' net %s/%u sp %d:%u-%u dp %d:%u-%u init %d\n",
			i, r->dir, r->family, r->action, r->flags, r->proto, r->icmp_type,
			r->icmp_code, r->ethertype, r->peer, r->value, line, r->prefix_len,
			r->src_ports.op, r->src_ports.lo, r->src_ports.hi, r->dst_ports.op,
			r->dst_ports.lo, r->dst_ports.hi, r->initiated);
	}
}

/* No packet that new lets through is one old stops (and the reverse when SAME). */
static void check_against_model(
	const struct pol_policy *o, const struct pol_policy *n, enum pol_change c, unsigned round)
{
	if (c == POL_ADDS)
		return;
	for (int mode = 0; mode < 2; mode++) {
		model_mode = mode;
		for (int i = 0; i < 600; i++) {
			struct pkt k = random_pkt();
			bool ao = accepts(o, &k), an = accepts(n, &k);

			pkts_checked++;
			if ((an && !ao) || (c == POL_SAME && ao && !an)) {
				dump("old", o);
				dump("new", n);
				print_message("packet: dir %d l3 %d et %#x proto %u sport %u "
					      "dport %u it %u ic %u host %u init %d\n",
					k.dir, k.l3, k.ethertype, k.proto, k.sport, k.dport,
					k.itype, k.icode, k.host, k.init);
			}
			if (an && !ao)
				fail_msg(
					"round %u: %s but new accepts a packet old drops (mode %d, "
					"host %u, proto %u, dport %u)",
					round, pol_change_name(c), mode, k.host, k.proto, k.dport);
			if (c == POL_SAME && ao && !an)
				fail_msg(
					"round %u: same but old accepts a packet new drops", round);
		}
	}
	model_mode = 0;
}

static void test_prop_sound_against_model(void **state)
{
	unsigned counts[3] = {0};

	(void)state;
	seed(5);
	for (unsigned round = 0; round < 3000; round++) {
		struct pol_policy o, n;
		enum pol_change c, back;

		random_policy(&o, 8, true, round % 2);
		copy_policy(&n, &o);
		for (unsigned m = 1 + rnd(3); m; m--)
			mutate(&n);
		c = pol_compare(&o, &n, NULL);
		counts[c]++;
		check_against_model(&o, &n, c, round);
		/* the comparison the other way agrees on SAME */
		back = pol_compare(&n, &o, NULL);
		assert_true((c == POL_SAME) == (back == POL_SAME));
		check_against_model(&n, &o, back, round);
		pol_clear(&o);
		pol_clear(&n);
	}
	print_message("same %u, restricts %u, adds %u; %u packets checked\n", counts[POL_SAME],
		counts[POL_RESTRICTS], counts[POL_ADDS], pkts_checked);
	/* The test means something only if it meets all three answers often. */
	assert_true(counts[POL_SAME] > 100);
	assert_true(counts[POL_RESTRICTS] > 300);
	assert_true(counts[POL_ADDS] > 300);
}

/* The model itself: a known packet through known rules, so a broken model cannot hide. */
static void test_model_sanity(void **state)
{
	struct pol_rule r = acc4();
	struct pol_policy p;
	struct pkt k;

	(void)state;
	memset(&k, 0, sizeof(k));
	k.dir = POL_FROM_DEVICE;
	k.l3 = 4;
	k.host = 0; /* 10.1.2.3 */
	k.addr.s6_addr[10] = k.addr.s6_addr[11] = 0xff;
	k.addr.s6_addr[12] = 10, k.addr.s6_addr[13] = 1, k.addr.s6_addr[14] = 2;
	k.addr.s6_addr[15] = 3;
	k.proto = 6;
	k.dport = 443;
	dport(proto(&r, 6), POL_PORT_LT, 443, 443);
	build(&p, &r, 1);
	assert_false(accepts(&p, &k));
	model_mode = 1;
	assert_true(accepts(&p, &k));
	model_mode = 0;
	p.rules[0].dst_ports.op = POL_PORT_EQ;
	assert_true(accepts(&p, &k));
	net(&p.rules[0], "10.1.0.0/16");
	assert_true(accepts(&p, &k));
	net(&p.rules[0], "10.2.0.0/16");
	assert_false(accepts(&p, &k));
	peer(&p.rules[0], POL_PEER_DNSNAME, "A.example.");
	assert_true(accepts(&p, &k));
	pol_clear(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_single),
		cmocka_unit_test(test_labels_do_not_count),
		cmocka_unit_test(test_reorder_and_drop_rule),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_dns_names),
		cmocka_unit_test(test_dir_family_proto),
		cmocka_unit_test(test_ethertype),
		cmocka_unit_test(test_initiated),
		cmocka_unit_test(test_peers),
		cmocka_unit_test(test_drops_and_order),
		cmocka_unit_test(test_diff_bounded),
		cmocka_unit_test(test_unknown_values),
		cmocka_unit_test(test_hash),
		cmocka_unit_test_setup_teardown(test_mud_updates, load_camera, free_camera),
		cmocka_unit_test(test_model_sanity),
		cmocka_unit_test(test_prop_self_same),
		cmocka_unit_test(test_prop_shuffle_same),
		cmocka_unit_test(test_prop_remove_never_adds),
		cmocka_unit_test(test_prop_wider_rule_adds),
		cmocka_unit_test(test_prop_sound_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
