/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Comparing two policies: does a new one grant anything the old did not (AC-33)? */
#include "policy/policy_cmp.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd

#define POL_KNOWN_FLAGS \
	(POL_HAS_PROTO | POL_HAS_ICMP_TYPE | POL_HAS_ICMP_CODE | POL_HAS_ETHERTYPE | POL_LOCAL_ONLY)

/* Every proof below asks "does each packet of rule a match rule b?". Where a field's meaning is
 * unsure, a is read in its WIDE sense (everything it might match) and b in its NARROW sense
 * (only what it surely matches), so an unsure field can only cost a proof, never fake one. */
enum sense {
	WIDE,
	NARROW,
};

/* A rule whose values all lie in their enums and known flags; anything else is compared only
 * for identity. An unknown flag could narrow an old rule in a way we cannot see. */
static bool rule_known(const struct pol_rule *r)
{
	return (r->dir == POL_FROM_DEVICE || r->dir == POL_TO_DEVICE) &&
		(unsigned)r->family <= POL_FAM_ETH && (unsigned)r->action <= POL_DROP &&
		(unsigned)r->peer <= POL_PEER_MY_CONTROLLER &&
		(unsigned)r->src_ports.op <= POL_PORT_RANGE &&
		(unsigned)r->dst_ports.op <= POL_PORT_RANGE &&
		(unsigned)r->initiated <= POL_INIT_TO_DEVICE && !(r->flags & ~POL_KNOWN_FLAGS);
}

static bool policy_known(const struct pol_policy *p)
{
	if (p->count > POL_MAX_RULES || (p->count && !p->rules))
		return false;
	for (unsigned i = 0; i < p->count; i++)
		if (!rule_known(&p->rules[i]))
			return false;
	return true;
}

/* --- names --- */

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* A DNS name's length without one trailing dot; value need not be terminated. */
static size_t name_len(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	return n && s[n - 1] == '.' ? n - 1 : n;
}

static bool name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

static bool value_name_eq(const struct pol_rule *a, const struct pol_rule *b)
{
	return name_eq(a->value, name_len(a->value, sizeof(a->value)), b->value,
		name_len(b->value, sizeof(b->value)));
}

static bool value_eq(const struct pol_rule *a, const struct pol_rule *b)
{
	size_t n = strnlen(a->value, sizeof(a->value));

	return n == strnlen(b->value, sizeof(b->value)) && memcmp(a->value, b->value, n) == 0;
}

/* A model (a MUD URL) lies within manufacturer m when the URL's authority is m (RFC 8520
 * §8.3-8.4). An authority with user information or a port is not matched. */
static bool model_of_manufacturer(const struct pol_rule *model, const struct pol_rule *mfg)
{
	const char *u = model->value;
	size_t ulen = strnlen(u, sizeof(model->value)), n;

	if (ulen < 8 || memcmp(u, "https://", 8) != 0)
		return false;
	u += 8;
	ulen -= 8;
	n = 0;
	while (n < ulen && u[n] != '/' && u[n] != '?' && u[n] != '#')
		n++;
	if (!n || memchr(u, '@', n) || memchr(u, ':', n))
		return false;
	if (u[n - 1] == '.')
		n--;
	return name_eq(u, n, mfg->value, name_len(mfg->value, sizeof(mfg->value)));
}

/* --- layer 3: which kinds of frames a rule can match --- */

enum {
	FR_V4 = 1U << 0,
	FR_V6 = 1U << 1,
	FR_ONE = 1U << 2,   /* non-IP frames of the rule's own ethertype */
	FR_NONIP = 1U << 3, /* all non-IP frames */
	FR_IP = FR_V4 | FR_V6,
	FR_ALL = FR_IP | FR_NONIP,
};

struct frames {
	unsigned set;
	uint16_t ethertype; /* of FR_ONE */
};

static unsigned frames_meet(unsigned a, unsigned b)
{
	unsigned r = a & b & (FR_IP | FR_NONIP | FR_ONE);

	if (((a & FR_NONIP) && (b & FR_ONE)) || ((b & FR_NONIP) && (a & FR_ONE)))
		r |= FR_ONE;
	if (r & FR_NONIP)
		r &= ~FR_ONE;
	return r;
}

static struct frames frames_of(const struct pol_rule *r, enum sense s)
{
	struct frames f = {.ethertype = r->ethertype};
	unsigned fam = r->family == POL_FAM_IPV4 ? FR_V4
		: r->family == POL_FAM_IPV6	 ? FR_V6
						 : FR_ALL;
	unsigned want = fam;

	if (r->flags & POL_HAS_ETHERTYPE) {
		unsigned et = r->ethertype == ETH_P_IPV4 ? FR_V4
			: r->ethertype == ETH_P_IPV6	 ? FR_V6
							 : FR_ONE;

		want = frames_meet(want, et);
	} else if (fam == FR_ALL && s == NARROW) {
		/* Whether "no layer-3 constraint" reaches ARP and friends is the enforcer's
		 * choice; surely it reaches IP. */
		want = FR_IP;
	}
	/* A protocol or a prefix exists only in IP packets. */
	if ((r->flags & POL_HAS_PROTO) || r->peer == POL_PEER_NET)
		want = frames_meet(want, FR_IP);
	/* Contradicting fields: an enforcer might honour only some of them. */
	if (!want && s == WIDE)
		want = FR_ALL;
	f.set = want;
	return f;
}

static bool frames_sub(const struct pol_rule *a, const struct pol_rule *b)
{
	struct frames fa, fb;

	/* The same layer-3 fields match the same frames, whatever they mean. */
	if (a->family == b->family &&
		(a->flags & POL_HAS_ETHERTYPE) == (b->flags & POL_HAS_ETHERTYPE) &&
		(!(a->flags & POL_HAS_ETHERTYPE) || a->ethertype == b->ethertype))
		return true;
	fa = frames_of(a, WIDE);
	fb = frames_of(b, NARROW);
	if ((fa.set & FR_IP) & ~(fb.set & FR_IP))
		return false;
	if ((fa.set & FR_NONIP) && !(fb.set & FR_NONIP))
		return false;
	if ((fa.set & FR_ONE) && !(fb.set & FR_NONIP) &&
		!((fb.set & FR_ONE) && fb.ethertype == fa.ethertype))
		return false;
	return true;
}

static bool frames_disjoint(const struct pol_rule *a, const struct pol_rule *b)
{
	struct frames fa = frames_of(a, WIDE), fb = frames_of(b, WIDE);

	if (fa.set & fb.set & FR_IP)
		return false;
	if ((fa.set & FR_NONIP) && (fb.set & (FR_NONIP | FR_ONE)))
		return false;
	if ((fb.set & FR_NONIP) && (fa.set & FR_ONE))
		return false;
	if ((fa.set & FR_ONE) && (fb.set & FR_ONE) && fa.ethertype == fb.ethertype)
		return false;
	return true;
}

/* --- literal prefixes --- */

struct prefix {
	int fam;       /* 4, 6, or 0 when the rule's family does not say how to read it */
	unsigned len;  /* in the 128-bit v4-mapped space */
	uint8_t a[16]; /* host bits cleared */
};

static bool v4_mapped(const struct in6_addr *a)
{
	static const uint8_t pfx[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return memcmp(a->s6_addr, pfx, sizeof(pfx)) == 0;
}

static struct prefix prefix_of(const struct pol_rule *r)
{
	struct prefix p;
	bool mapped = v4_mapped(&r->net);

	memset(&p, 0, sizeof(p));
	if (r->family == POL_FAM_IPV4 && mapped && r->prefix_len <= 32) {
		p.fam = 4;
		p.len = 96U + r->prefix_len;
	} else if (r->family == POL_FAM_IPV6 && r->prefix_len <= 128) {
		p.fam = 6;
		p.len = r->prefix_len;
	} else if ((r->family == POL_FAM_ANY || r->family == POL_FAM_ETH) && !mapped &&
		r->prefix_len <= 128) {
		/* Without an IP family only a plain IPv6 prefix reads one way. */
		p.fam = 6;
		p.len = r->prefix_len;
	} else {
		return p;
	}
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = p.len > i * 8 ? p.len - i * 8 : 0;

		p.a[i] = bits >= 8 ? r->net.s6_addr[i]
				   : (uint8_t)(r->net.s6_addr[i] & (uint8_t)(0xff00U >> bits));
	}
	return p;
}

/* Equal in the first len bits. */
static bool bits_eq(const uint8_t *a, const uint8_t *b, unsigned len)
{
	unsigned whole = len / 8, rest = len % 8;

	if (memcmp(a, b, whole) != 0)
		return false;
	return !rest || ((a[whole] ^ b[whole]) & (uint8_t)(0xff00U >> rest)) == 0;
}

/* --- ports --- */

static bool has_ports(const struct pol_rule *r)
{
	return (r->flags & POL_HAS_PROTO) && (r->proto == 6 || r->proto == 17);
}

struct span {
	uint32_t lo, hi;
};

struct portset {
	unsigned n;
	struct span s[2];
};

static void portset_add(struct portset *ps, long lo, long hi)
{
	if (lo <= hi)
		ps->s[ps->n++] = (struct span){(uint32_t)lo, (uint32_t)hi};
}

/* LT and GT are strict in the model; inclusive in their WIDE sense in case an enforcer reads
 * them as lte and gte. An operator with lo and hi apart (only RANGE uses both) is unsure. */
static struct portset ports_of(const struct pol_ports *p, enum sense s)
{
	struct portset ps = {0};
	long lo = p->lo, hi = p->hi;
	bool sure = p->op == POL_PORT_ANY || (p->op == POL_PORT_RANGE ? lo <= hi : lo == hi);

	if (!sure) {
		if (s == WIDE)
			portset_add(&ps, 0, 65535);
		return ps;
	}
	switch (p->op) {
	case POL_PORT_ANY:
		portset_add(&ps, 0, 65535);
		break;
	case POL_PORT_EQ:
		portset_add(&ps, lo, lo);
		break;
	case POL_PORT_NEQ:
		portset_add(&ps, 0, lo - 1);
		portset_add(&ps, lo + 1, 65535);
		break;
	case POL_PORT_LT:
		portset_add(&ps, 0, s == WIDE ? lo : lo - 1);
		break;
	case POL_PORT_GT:
		portset_add(&ps, s == WIDE ? lo : lo + 1, 65535);
		break;
	case POL_PORT_RANGE:
		portset_add(&ps, lo, hi);
		break;
	}
	return ps;
}

static bool ports_same(const struct pol_ports *a, const struct pol_ports *b)
{
	return a->op == b->op && (a->op == POL_PORT_ANY || (a->lo == b->lo && a->hi == b->hi));
}

/* a_ported: a's packets surely carry ports (TCP or UDP). A port match other than ANY, even
 * 0..65535, also asks for a packet with ports, so it holds a rule without one only then. */
static bool ports_sub(const struct pol_ports *a, bool a_ported, const struct pol_ports *b)
{
	struct portset pa, pb;

	if (ports_same(a, b) || b->op == POL_PORT_ANY)
		return true;
	if (a->op == POL_PORT_ANY && !a_ported)
		return false;
	pa = ports_of(a, WIDE);
	pb = ports_of(b, NARROW);
	/* b's spans never touch each other, so a span of a lies in their union only when it
	 * lies in one of them. */
	for (unsigned i = 0; i < pa.n; i++) {
		bool in = false;

		for (unsigned j = 0; j < pb.n && !in; j++)
			in = pa.s[i].lo >= pb.s[j].lo && pa.s[i].hi <= pb.s[j].hi;
		if (!in)
			return false;
	}
	return true;
}

static bool ports_disjoint(const struct pol_ports *a, const struct pol_ports *b)
{
	struct portset pa = ports_of(a, WIDE), pb = ports_of(b, WIDE);

	for (unsigned i = 0; i < pa.n; i++)
		for (unsigned j = 0; j < pb.n; j++)
			if (pa.s[i].lo <= pb.s[j].hi && pb.s[j].lo <= pa.s[i].hi)
				return false;
	return true;
}

/* --- peers --- */

/* The peer surely lies within local-networks. POL_LOCAL_ONLY is defined for literal prefixes;
 * on another peer an enforcer might ignore it. */
static bool local_only(const struct pol_rule *r)
{
	return r->peer == POL_PEER_LOCAL_NETWORKS ||
		(r->peer == POL_PEER_NET && (r->flags & POL_LOCAL_ONLY));
}

static bool peer_sub(const struct pol_rule *a, const struct pol_rule *b)
{
	struct prefix pa, pb;

	/* b's "also within local-networks" must hold for a as well. */
	if ((b->flags & POL_LOCAL_ONLY) && !local_only(a))
		return false;
	switch (b->peer) {
	case POL_PEER_ANY:
		return true;
	case POL_PEER_NET:
		pb = prefix_of(b);
		if (!pb.fam)
			return a->peer == POL_PEER_NET && a->prefix_len == b->prefix_len &&
				memcmp(&a->net, &b->net, sizeof(a->net)) == 0 &&
				a->family == b->family;
		if (a->peer == POL_PEER_NET) {
			pa = prefix_of(a);
			return pa.fam == pb.fam && pa.len >= pb.len && bits_eq(pa.a, pb.a, pb.len);
		}
		/* A whole address family holds every peer that family can have. */
		if (pb.len == (pb.fam == 4 ? 96U : 0U)) {
			struct frames fa = frames_of(a, WIDE);

			return fa.set == (pb.fam == 4 ? FR_V4 : FR_V6);
		}
		return false;
	case POL_PEER_DNSNAME:
		return a->peer == POL_PEER_DNSNAME && value_name_eq(a, b);
	case POL_PEER_LOCAL_NETWORKS:
		return local_only(a);
	case POL_PEER_SAME_MANUFACTURER:
	case POL_PEER_MY_CONTROLLER:
		return a->peer == b->peer;
	case POL_PEER_MANUFACTURER:
		return (a->peer == POL_PEER_MANUFACTURER && value_name_eq(a, b)) ||
			(a->peer == POL_PEER_MODEL && model_of_manufacturer(a, b));
	case POL_PEER_MODEL:
	case POL_PEER_CONTROLLER:
		return a->peer == b->peer && value_eq(a, b);
	}
	return false;
}

static bool peer_disjoint(const struct pol_rule *a, const struct pol_rule *b)
{
	struct prefix pa, pb;

	if (a->peer != POL_PEER_NET || b->peer != POL_PEER_NET)
		return false; /* names and sets can hold any address */
	pa = prefix_of(a);
	pb = prefix_of(b);
	if (!pa.fam || !pb.fam)
		return false;
	return pa.fam != pb.fam || !bits_eq(pa.a, pb.a, pa.len < pb.len ? pa.len : pb.len);
}

/* --- rules --- */

static bool has_icmp(const struct pol_rule *r)
{
	return (r->flags & POL_HAS_PROTO) && (r->proto == 1 || r->proto == 58);
}

/* Every packet a matches, b matches too. Both rules are rule_known. */
static bool rule_sub(const struct pol_rule *a, const struct pol_rule *b)
{
	if (a->dir != b->dir || !frames_sub(a, b))
		return false;
	if ((b->flags & POL_HAS_PROTO) && (!(a->flags & POL_HAS_PROTO) || a->proto != b->proto))
		return false;
	/* With the protocols agreeing, ports and ICMP fields mean the same in both rules; a rule
	 * without a protocol is read with them applied, its narrowest sense. */
	if ((b->flags & POL_HAS_ICMP_TYPE) &&
		(!(a->flags & POL_HAS_ICMP_TYPE) || a->icmp_type != b->icmp_type))
		return false;
	if ((b->flags & POL_HAS_ICMP_CODE) &&
		(!(a->flags & POL_HAS_ICMP_CODE) || a->icmp_code != b->icmp_code))
		return false;
	if (!ports_sub(&a->src_ports, has_ports(a), &b->src_ports) ||
		!ports_sub(&a->dst_ports, has_ports(a), &b->dst_ports))
		return false;
	if (b->initiated != POL_INIT_ANY && a->initiated != b->initiated)
		return false;
	return peer_sub(a, b);
}

/* No packet matches both. */
static bool rule_disjoint(const struct pol_rule *a, const struct pol_rule *b)
{
	if (a->dir != b->dir || frames_disjoint(a, b))
		return true;
	if ((a->flags & POL_HAS_PROTO) && (b->flags & POL_HAS_PROTO) && a->proto != b->proto)
		return true;
	if (has_ports(a) && has_ports(b) &&
		(ports_disjoint(&a->src_ports, &b->src_ports) ||
			ports_disjoint(&a->dst_ports, &b->dst_ports)))
		return true;
	if (has_icmp(a) && has_icmp(b) &&
		(((a->flags & b->flags & POL_HAS_ICMP_TYPE) && a->icmp_type != b->icmp_type) ||
			((a->flags & b->flags & POL_HAS_ICMP_CODE) &&
				a->icmp_code != b->icmp_code)))
		return true;
	return peer_disjoint(a, b);
}

/* --- canonical form, for identity and the hash --- */

#define CANON_MAX 512

static void canon_hex(char *out, const uint8_t *b, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* One line per rule; the value goes last with its length, so no value can fake a field. */
static size_t canon(const struct pol_rule *r, char buf[static CANON_MAX])
{
	size_t n = 0;
	int w;

#define PUT(...)                                                                        \
	do {                                                                            \
		w = snprintf(buf + n, CANON_MAX - n, __VA_ARGS__);                      \
		if (w > 0)                                                              \
			n += (size_t)w < CANON_MAX - n ? (size_t)w : CANON_MAX - n - 1; \
	} while (0)

	PUT("d%u f%u a%u x%x i%u", (unsigned)r->dir, (unsigned)r->family, (unsigned)r->action,
		r->flags, (unsigned)r->initiated);
	if (r->flags & POL_HAS_PROTO)
		PUT(" p%u", r->proto);
	if (r->flags & POL_HAS_ICMP_TYPE)
		PUT(" t%u", r->icmp_type);
	if (r->flags & POL_HAS_ICMP_CODE)
		PUT(" c%u", r->icmp_code);
	if (r->flags & POL_HAS_ETHERTYPE)
		PUT(" e%04x", r->ethertype);
	for (int k = 0; k < 2; k++) {
		const struct pol_ports *pp = k ? &r->dst_ports : &r->src_ports;

		if (pp->op == POL_PORT_ANY)
			PUT(" %c0", k ? 'o' : 's');
		else
			PUT(" %c%u:%u-%u", k ? 'o' : 's', (unsigned)pp->op, pp->lo, pp->hi);
	}
	PUT(" k%u", (unsigned)r->peer);
	switch (r->peer) {
	case POL_PEER_NET: {
		struct prefix p = prefix_of(r);
		char hex[33];

		if (p.fam) {
			canon_hex(hex, p.a, sizeof(p.a));
			PUT(" n%d/%u/%s", p.fam, p.len, hex);
		} else {
			canon_hex(hex, r->net.s6_addr, sizeof(r->net.s6_addr));
			PUT(" N%u/%s", r->prefix_len, hex);
		}
		break;
	}
	case POL_PEER_DNSNAME:
	case POL_PEER_MANUFACTURER: {
		size_t l = name_len(r->value, sizeof(r->value));

		PUT(" v%zu:", l);
		for (size_t i = 0; i < l && n + 2 < CANON_MAX; i++)
			buf[n++] = ascii_lower(r->value[i]);
		buf[n] = '\0';
		break;
	}
	case POL_PEER_MODEL:
	case POL_PEER_CONTROLLER: {
		size_t l = strnlen(r->value, sizeof(r->value));

		PUT(" v%zu:%.*s", l, (int)l, r->value);
		break;
	}
	default:
		break;
	}
	PUT("\n");
#undef PUT
	return n;
}

static bool rule_same(const struct pol_rule *a, const struct pol_rule *b)
{
	char ca[CANON_MAX], cb[CANON_MAX];
	size_t na = canon(a, ca), nb = canon(b, cb);

	return na == nb && memcmp(ca, cb, na) == 0;
}

/* Rules are decided per direction; rules of an unknown direction form a third group. */
static int rule_group(const struct pol_rule *r)
{
	return r->dir == POL_FROM_DEVICE ? 0 : r->dir == POL_TO_DEVICE ? 1 : 2;
}

static bool policy_same(const struct pol_policy *p, const struct pol_policy *q)
{
	if (p->count > POL_MAX_RULES || q->count > POL_MAX_RULES || (p->count && !p->rules) ||
		(q->count && !q->rules))
		return false;
	for (int g = 0; g < 3; g++) {
		unsigned i = 0, j = 0;

		for (;;) {
			while (i < p->count && rule_group(&p->rules[i]) != g)
				i++;
			while (j < q->count && rule_group(&q->rules[j]) != g)
				j++;
			if (i == p->count || j == q->count) {
				if (i != p->count || j != q->count)
					return false;
				break;
			}
			if (!rule_same(&p->rules[i], &q->rules[j]))
				return false;
			i++;
			j++;
		}
	}
	return true;
}

/* --- the comparison --- */

static void diff_add(struct pol_diff *diff, unsigned i)
{
	if (!diff)
		return;
	if (diff->nadded < POL_DIFF_MAX)
		diff->added[diff->nadded++] = i;
	diff->nadded_total++;
}

static bool bit(const uint64_t *set, unsigned i)
{
	return set[i / 64] >> (i % 64) & 1U;
}

/* r (of the inner policy, at position i) is dropped before it is reached. */
static bool shadowed(const struct pol_policy *in, unsigned i)
{
	for (unsigned d = 0; d < i; d++)
		if (in->rules[d].action == POL_DROP && rule_sub(&in->rules[i], &in->rules[d]))
			return true;
	return false;
}

/* Every packet r accepts, out accepts: one accept of out holds r, and each drop of out before
 * it is either apart from r or dropped by the inner policy before r too (covered[]). */
static bool accepted_by(
	const struct pol_policy *out, const struct pol_rule *r, const uint64_t *covered)
{
	for (unsigned j = 0; j < out->count; j++) {
		const struct pol_rule *o = &out->rules[j];

		if (o->dir != r->dir)
			continue;
		if (o->action == POL_DROP) {
			if (!bit(covered, j) && !rule_disjoint(r, o))
				return false;
			continue;
		}
		if (rule_sub(r, o))
			return true;
	}
	return false;
}

/* Counts the accept rules of in not proven to accept only what out accepts. */
static unsigned uncovered(
	const struct pol_policy *out, const struct pol_policy *in, struct pol_diff *diff)
{
	/* Drops of out that a drop of in, among those seen so far, holds. */
	uint64_t covered[(POL_MAX_RULES + 63) / 64];
	unsigned n = 0;

	memset(covered, 0, sizeof(covered));
	for (unsigned i = 0; i < in->count; i++) {
		const struct pol_rule *r = &in->rules[i];

		if (r->action == POL_DROP) {
			for (unsigned k = 0; k < out->count; k++)
				if (out->rules[k].action == POL_DROP && !bit(covered, k) &&
					rule_sub(&out->rules[k], r))
					covered[k / 64] |= (uint64_t)1 << (k % 64);
			continue;
		}
		if (shadowed(in, i) || accepted_by(out, r, covered))
			continue;
		n++;
		diff_add(diff, i);
	}
	return n;
}

enum pol_change pol_compare(
	const struct pol_policy *old, const struct pol_policy *new, struct pol_diff *diff)
{
	if (diff)
		memset(diff, 0, sizeof(*diff));
	if (policy_same(old, new))
		return POL_SAME;
	if (!policy_known(old) || !policy_known(new)) {
		for (unsigned i = 0; i < new->count &&i < POL_MAX_RULES &&new->rules; i++)
			if (new->rules[i].action != POL_DROP)
				diff_add(diff, i);
		return POL_ADDS;
	}
	if (uncovered(old, new, diff))
		return POL_ADDS;
	return uncovered(new, old, NULL) ? POL_RESTRICTS : POL_SAME;
}

const char *pol_change_name(enum pol_change c)
{
	switch (c) {
	case POL_SAME:
		return "same";
	case POL_RESTRICTS:
		return "restricts";
	case POL_ADDS:
		return "adds";
	}
	return "?";
}

int pol_hash(const struct pol_policy *p, char out[static 65])
{
	static const char tag[] = "homegate policy 1\n";
	EVP_MD_CTX *ctx;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	char line[CANON_MAX];
	int ret = -EIO;

	out[0] = '\0';
	if (p->count && !p->rules)
		return -EINVAL;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
		EVP_DigestUpdate(ctx, tag, sizeof(tag) - 1) != 1)
		goto out;
	for (int g = 0; g < 3; g++)
		for (unsigned i = 0; i < p->count; i++) {
			size_t n;

			if (rule_group(&p->rules[i]) != g)
				continue;
			n = canon(&p->rules[i], line);
			if (EVP_DigestUpdate(ctx, line, n) != 1)
				goto out;
		}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32)
		goto out;
	canon_hex(out, md, mdlen);
	ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	return ret;
}
