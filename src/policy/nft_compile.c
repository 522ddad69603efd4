/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The policy -> nftables compiler: the base tables and one profile's sets and chains as text. */
#include "policy/nft_compile.h"

#include "core/util.h"
#include "policy/policy_cmp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd

#define KNOWN_FLAGS \
	(POL_HAS_PROTO | POL_HAS_ICMP_TYPE | POL_HAS_ICMP_CODE | POL_HAS_ETHERTYPE | POL_LOCAL_ONLY)

#define COMMENT_MAX	 64
#define EXAMPLE_ADDR_MAX 64
#define SET_NAME_MAX	 24 /* "dns4_" + 12 hex + NUL, with room */

/* --- the buffer --- */

void nftc_buf_free(struct nftc_buf *b)
{
	if (!b)
		return;
	free(b->s);
	memset(b, 0, sizeof(*b));
}

int nftc_buf_printf(struct nftc_buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t need, cap;
	char *s;
	int n;

	if (b->err)
		return b->err;
	va_start(ap, fmt);
	n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return b->err = -EINVAL;
	if (b->s && b->len + (size_t)n < b->cap) {
		b->len += (size_t)n;
		return 0;
	}
	need = b->len + (size_t)n + 1;
	cap = b->cap ? b->cap : 4096;
	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			return b->err = -ENOMEM;
		cap *= 2;
	}
	s = realloc(b->s, cap);
	if (!s)
		return b->err = -ENOMEM;
	b->s = s;
	b->cap = cap;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

/* The compiler's entry points append all or nothing. */
static int buf_finish(struct nftc_buf *b, size_t start, int ret)
{
	if (!ret)
		ret = b->err;
	if (ret) {
		b->len = start;
		if (b->s)
			b->s[start] = '\0';
		b->err = 0;
	}
	return ret;
}

/* --- names and digests --- */

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool nftc_ifname_valid(const char *s)
{
	size_t n = s ? strnlen(s, 16) : 0;

	if (n == 0 || n > 15)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

static bool table_valid(const char *t)
{
	return t && util_is_ident(t, NFTC_TABLE_MAX);
}

bool nftc_dnsname_valid(const char *name)
{
	size_t n = name ? strnlen(name, 256) : 0, label = 0;

	if (n && name[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++) {
		char c = i < n ? name[i] : '.';

		if (c == '.') {
			if (label == 0 || label > 63 || name[i - 1] == '-')
				return false;
			label = 0;
		} else if (is_alnum(c) || (c == '-' && label > 0)) {
			label++;
		} else {
			return false;
		}
	}
	return true;
}

/* name folded to lower case without one trailing dot; the length, or -EINVAL. */
static int fold_name(const char *name, char out[static 256])
{
	size_t n = name ? strnlen(name, 256) : 0;

	if (n == 0 || n > 255)
		return -EINVAL;
	if (name[n - 1] == '.')
		n--;
	if (n == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		out[i] = ascii_lower(name[i]);
	out[n] = '\0';
	return (int)n;
}

static int sha256(const void *data, size_t len, unsigned char md[static EVP_MAX_MD_SIZE])
{
	unsigned mdlen = 0;

	return EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32 ? 0 : -EIO;
}

static int hex12(const void *data, size_t len, char out[static NFTC_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];

	out[0] = '\0';
	if (sha256(data, len, md) < 0)
		return -EIO;
	for (int i = 0; i < NFTC_ID_LEN / 2; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[NFTC_ID_LEN] = '\0';
	return 0;
}

int nftc_name_hash(const char *name, char out[static NFTC_ID_LEN + 1])
{
	char f[256];
	int n = fold_name(name, f);

	out[0] = '\0';
	if (n < 0)
		return n;
	return hex12(f, (size_t)n, out);
}

int nftc_name_id(const char *name, uint32_t id[static 2])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	char f[256];
	int n = fold_name(name, f);

	id[0] = id[1] = 0;
	if (n < 0)
		return n;
	if (sha256(f, (size_t)n, md) < 0)
		return -EIO;
	id[0] = (uint32_t)md[0] << 24 | (uint32_t)md[1] << 16 | (uint32_t)md[2] << 8 | md[3];
	id[1] = (uint32_t)md[4] << 24 | (uint32_t)md[5] << 16 | (uint32_t)md[6] << 8 | md[7];
	return 0;
}

int nftc_uri_hash(const char *uri, char out[static NFTC_ID_LEN + 1])
{
	size_t n = uri ? strnlen(uri, 256) : 0;

	out[0] = '\0';
	if (n == 0 || n > 255)
		return -EINVAL;
	return hex12(uri, n, out);
}

/* --- what a rule is --- */

static bool has_ports(const struct pol_rule *r)
{
	return r->src_ports.op != POL_PORT_ANY || r->dst_ports.op != POL_PORT_ANY;
}

static bool has_icmp(const struct pol_rule *r)
{
	return r->flags & (POL_HAS_ICMP_TYPE | POL_HAS_ICMP_CODE);
}

static bool value_set(const struct pol_rule *r)
{
	return r->value[0] && memchr(r->value, '\0', sizeof(r->value));
}

static bool v4_mapped(const struct in6_addr *a)
{
	static const uint8_t pfx[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return memcmp(a->s6_addr, pfx, sizeof(pfx)) == 0;
}

/* The IP version of a NET peer: 4 (v4-mapped; the only reading of an IPv4 rule), 6 (an IPv6
 * rule, or a plain IPv6 address in a rule without an IP family), 0 when it cannot be read. */
static int net_version(const struct pol_rule *r)
{
	bool mapped = v4_mapped(&r->net);

	if (r->family == POL_FAM_IPV6)
		return r->prefix_len <= 128 ? 6 : 0;
	if (r->family == POL_FAM_IPV4)
		return mapped && r->prefix_len <= 32 ? 4 : 0;
	if (mapped)
		return r->prefix_len <= 32 ? 4 : 0;
	return r->prefix_len <= 128 ? 6 : 0;
}

static bool port_proto(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 33 || proto == 132;
}

static bool peer_on_lan_only(enum pol_peer k)
{
	return k == POL_PEER_SAME_MANUFACTURER || k == POL_PEER_MANUFACTURER ||
		k == POL_PEER_MODEL || k == POL_PEER_CONTROLLER || k == POL_PEER_MY_CONTROLLER;
}

static const char *rule_problem(const struct pol_rule *r, const char *authority)
{
	if (r->dir != POL_FROM_DEVICE && r->dir != POL_TO_DEVICE)
		return "unknown direction";
	if ((unsigned)r->family > POL_FAM_ETH)
		return "unknown address family";
	if ((unsigned)r->action > POL_DROP)
		return "unknown action";
	if ((unsigned)r->peer > POL_PEER_MY_CONTROLLER)
		return "unknown kind of peer";
	if ((unsigned)r->src_ports.op > POL_PORT_RANGE ||
		(unsigned)r->dst_ports.op > POL_PORT_RANGE)
		return "unknown port operator";
	if ((unsigned)r->initiated > POL_INIT_TO_DEVICE)
		return "unknown direction-initiated";
	if (r->flags & ~KNOWN_FLAGS)
		return "unknown flags";
	if ((r->flags & POL_LOCAL_ONLY) && r->peer != POL_PEER_NET)
		return "local-only on a peer that is not a prefix";
	if (has_ports(r) && (!(r->flags & POL_HAS_PROTO) || !port_proto(r->proto)))
		return "ports without TCP, UDP, SCTP or DCCP";
	if ((r->src_ports.op == POL_PORT_RANGE && r->src_ports.lo > r->src_ports.hi) ||
		(r->dst_ports.op == POL_PORT_RANGE && r->dst_ports.lo > r->dst_ports.hi))
		return "port range out of order";
	if (has_icmp(r) && (!(r->flags & POL_HAS_PROTO) || (r->proto != 1 && r->proto != 58)))
		return "ICMP type or code without protocol 1 or 58";
	if (r->initiated != POL_INIT_ANY && (!(r->flags & POL_HAS_PROTO) || r->proto != 6))
		return "direction-initiated is only defined for TCP";
	switch (r->peer) {
	case POL_PEER_NET:
		if (!net_version(r))
			return "a prefix that does not fit the rule's address family";
		break;
	case POL_PEER_DNSNAME:
		if (!value_set(r) || !nftc_dnsname_valid(r->value))
			return "not a valid DNS name (LDH labels, at most 253 characters)";
		break;
	case POL_PEER_MANUFACTURER:
	case POL_PEER_MODEL:
	case POL_PEER_CONTROLLER:
		if (!value_set(r))
			return "no manufacturer, model or controller named";
		break;
	case POL_PEER_SAME_MANUFACTURER: {
		char f[256];

		if (fold_name(authority, f) < 0)
			return "same-manufacturer without the profile's authority";
		break;
	}
	default:
		break;
	}
	return NULL;
}

int nftc_check(const struct pol_policy *p, const char *authority, char *err, size_t errlen)
{
	if (!p || p->count > POL_MAX_RULES || (p->count && !p->rules))
		return util_errf(err, errlen, "not a policy");
	for (unsigned i = 0; i < p->count; i++) {
		const struct pol_rule *r = &p->rules[i];
		const char *why = rule_problem(r, authority);
		char acl[POL_NAME_MAX], name[POL_NAME_MAX];

		if (!why)
			continue;
		util_sanitize(acl, sizeof(acl), r->acl, strnlen(r->acl, sizeof(r->acl)));
		util_sanitize(name, sizeof(name), r->name, strnlen(r->name, sizeof(r->name)));
		return util_errf(
			err, errlen, "rule %u (ACL \"%s\", ACE \"%s\"): %s", i + 1, acl, name, why);
	}
	return 0;
}

static bool uses_same_manufacturer(const struct pol_policy *p)
{
	for (unsigned i = 0; i < p->count; i++)
		if (p->rules[i].peer == POL_PEER_SAME_MANUFACTURER)
			return true;
	return false;
}

int nftc_profile_id(
	const struct pol_policy *p, const char *authority, char id[static NFTC_ID_LEN + 1])
{
	char h[65], f[256], buf[400];
	int ret, n;

	id[0] = '\0';
	if (!p)
		return -EINVAL;
	ret = pol_hash(p, h);
	if (ret)
		return ret;
	if (!uses_same_manufacturer(p)) {
		memcpy(id, h, NFTC_ID_LEN);
		id[NFTC_ID_LEN] = '\0';
		return 0;
	}
	/* same-manufacturer grants a different set of devices for each authority. */
	if (fold_name(authority, f) < 0)
		return -EINVAL;
	n = snprintf(buf, sizeof(buf), "homegate profile 1\n%s\n%s", h, f);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -EINVAL;
	return hex12(buf, (size_t)n, id);
}

/* --- rendering --- */

/* The compilation of one profile. */
struct comp {
	struct nftc_buf *b;
	const char *table;
	const struct pol_policy *p;
	char id[NFTC_ID_LEN + 1];
	char auth[NFTC_ID_LEN + 1]; /* hash of the authority, when same-manufacturer is used */
	unsigned flags;		    /* NFTC_DNS_PER_NAME */
};

enum { V4 = 1U << 0, V6 = 1U << 1 };

enum chain_kind { CH_INET, CH_BRIDGE };

/* Which frames a rule can match: IP versions (ver), or one non-IP ethertype (nonip). A rule
 * whose fields contradict each other matches nothing (ver 0 and !nonip). */
struct shape {
	unsigned ver;
	bool nonip;
	bool empty;
};

static struct shape shape_of(const struct pol_rule *r)
{
	struct shape s = {.ver = V4 | V6};
	bool needs_ip = (r->flags & POL_HAS_PROTO) || has_ports(r) || has_icmp(r) ||
		r->peer == POL_PEER_NET;

	if (r->family == POL_FAM_IPV4)
		s.ver = V4;
	else if (r->family == POL_FAM_IPV6)
		s.ver = V6;
	if (r->flags & POL_HAS_ETHERTYPE) {
		if (r->ethertype == ETH_P_IPV4)
			s.ver &= V4;
		else if (r->ethertype == ETH_P_IPV6)
			s.ver &= V6;
		else {
			/* Frames of that one type; nothing of IP can match them. */
			s.nonip =
				(r->family == POL_FAM_ETH || r->family == POL_FAM_ANY) && !needs_ip;
			s.ver = 0;
		}
	}
	if (r->peer == POL_PEER_NET)
		s.ver &= net_version(r) == 4 ? V4 : V6;
	if (has_icmp(r))
		s.ver &= r->proto == 1 ? V4 : V6;
	s.empty = !s.ver && !s.nonip;
	return s;
}

static const char *l4_name(uint8_t proto)
{
	switch (proto) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 33:
		return "dccp";
	case 132:
		return "sctp";
	}
	return NULL;
}

static void put_proto(struct nftc_buf *b, uint8_t proto)
{
	switch (proto) {
	case 1:
		nftc_buf_printf(b, "icmp");
		break;
	case 58:
		nftc_buf_printf(b, "icmpv6");
		break;
	default:
		if (l4_name(proto))
			nftc_buf_printf(b, "%s", l4_name(proto));
		else
			nftc_buf_printf(b, "%u", proto);
	}
}

/* RFC 8519 "lt" and "gt" are strict; the parser turns "lte"/"gte" into ranges. */
static void put_ports(
	struct nftc_buf *b, const char *l4, const char *which, const struct pol_ports *pp)
{
	switch (pp->op) {
	case POL_PORT_ANY:
		return;
	case POL_PORT_EQ:
		nftc_buf_printf(b, "%s %s %u ", l4, which, pp->lo);
		return;
	case POL_PORT_NEQ:
		nftc_buf_printf(b, "%s %s != %u ", l4, which, pp->lo);
		return;
	case POL_PORT_LT:
		nftc_buf_printf(b, "%s %s < %u ", l4, which, pp->lo);
		return;
	case POL_PORT_GT:
		nftc_buf_printf(b, "%s %s > %u ", l4, which, pp->lo);
		return;
	case POL_PORT_RANGE:
		if (pp->lo == pp->hi)
			nftc_buf_printf(b, "%s %s %u ", l4, which, pp->lo);
		else
			nftc_buf_printf(b, "%s %s %u-%u ", l4, which, pp->lo, pp->hi);
		return;
	}
}

static void put_prefix(
	struct nftc_buf *b, enum chain_kind kind, const char *dirword, const struct pol_rule *r)
{
	char text[INET6_ADDRSTRLEN];
	uint8_t a[16];
	int v = net_version(r);
	unsigned len = v == 4 ? 96U + r->prefix_len : r->prefix_len;

	/* Host bits cleared, as pol_hash does: nft refuses them otherwise. */
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = len > i * 8 ? len - i * 8 : 0;

		a[i] = bits >= 8 ? r->net.s6_addr[i]
				 : (uint8_t)(r->net.s6_addr[i] & (uint8_t)(0xff00U >> bits));
	}
	if (r->prefix_len == 0) {
		if (kind == CH_INET)
			nftc_buf_printf(b, "meta nfproto %s ", v == 4 ? "ipv4" : "ipv6");
		else
			nftc_buf_printf(b, "ether type %s ", v == 4 ? "ip" : "ip6");
		return;
	}
	if (!inet_ntop(v == 4 ? AF_INET : AF_INET6, v == 4 ? a + 12 : a, text, sizeof(text))) {
		b->err = b->err ? b->err : -EINVAL;
		return;
	}
	nftc_buf_printf(b, "%s %s %s/%u ", v == 4 ? "ip" : "ip6", dirword, text, r->prefix_len);
}

/* acl/name when every byte is of the safe alphabet and it fits; "" otherwise. */
static void rule_comment(const struct pol_rule *r, char out[static COMMENT_MAX + 1])
{
	size_t na = strnlen(r->acl, sizeof(r->acl)), nn = strnlen(r->name, sizeof(r->name));
	int n;

	out[0] = '\0';
	if (na == sizeof(r->acl) || nn == sizeof(r->name) || (!na && !nn))
		return;
	n = snprintf(out, COMMENT_MAX + 1, "%s%s%s", r->acl, na && nn ? "/" : "", r->name);
	if (n < 0 || n > COMMENT_MAX) {
		out[0] = '\0';
		return;
	}
	for (int i = 0; i < n; i++)
		if (!is_alnum(out[i]) && !strchr("_.:/-", out[i])) {
			out[0] = '\0';
			return;
		}
}

/* Protocol, ports, ICMP, the initiating side, the verdict and the comment. */
static void put_tail(struct nftc_buf *b, const struct pol_rule *r, enum chain_kind kind)
{
	char comment[COMMENT_MAX + 1];

	if (has_ports(r)) {
		put_ports(b, l4_name(r->proto), "sport", &r->src_ports);
		put_ports(b, l4_name(r->proto), "dport", &r->dst_ports);
	} else if (has_icmp(r)) {
		const char *h = r->proto == 1 ? "icmp" : "icmpv6";

		if (r->flags & POL_HAS_ICMP_TYPE)
			nftc_buf_printf(b, "%s type %u ", h, r->icmp_type);
		if (r->flags & POL_HAS_ICMP_CODE)
			nftc_buf_printf(b, "%s code %u ", h, r->icmp_code);
	} else if (r->flags & POL_HAS_PROTO) {
		nftc_buf_printf(b, "meta l4proto ");
		put_proto(b, r->proto);
		nftc_buf_printf(b, " ");
	}
	if (r->initiated != POL_INIT_ANY) {
		/* The chain's packets are sent by the device (from-device rules) or by the peer. */
		bool sender_initiates =
			(r->dir == POL_FROM_DEVICE) == (r->initiated == POL_INIT_FROM_DEVICE);

		if (kind == CH_INET)
			/* With conntrack: only connections whose first packet came from the
			 * initiating side. */
			nftc_buf_printf(
				b, "ct direction %s ", sender_initiates ? "original" : "reply");
		else if (!sender_initiates)
			/* Stateless: the other side may not open a connection. */
			nftc_buf_printf(b, "tcp flags & (syn | ack) != syn ");
	}
	nftc_buf_printf(b, "%s", r->action == POL_ACCEPT ? "return" : "drop");
	rule_comment(r, comment);
	if (comment[0])
		nftc_buf_printf(b, " comment \"%s\"", comment);
	nftc_buf_printf(b, "\n");
}

static void put_family(
	struct nftc_buf *b, const struct shape *s, enum chain_kind kind, const struct pol_rule *r)
{
	if (s->nonip) {
		nftc_buf_printf(b, "ether type 0x%04x ", r->ethertype);
		return;
	}
	if (s->ver == (V4 | V6))
		return;
	if (kind == CH_INET)
		nftc_buf_printf(b, "meta nfproto %s ", s->ver == V4 ? "ipv4" : "ipv6");
	else
		nftc_buf_printf(b, "ether type %s ", s->ver == V4 ? "ip" : "ip6");
}

static int mac_set_name(
	const struct comp *c, const struct pol_rule *r, char out[static SET_NAME_MAX])
{
	char h[NFTC_ID_LEN + 1];
	int ret = 0;

	switch (r->peer) {
	case POL_PEER_SAME_MANUFACTURER:
		snprintf(out, SET_NAME_MAX, "mfg_%s", c->auth);
		return 0;
	case POL_PEER_MANUFACTURER:
		ret = nftc_name_hash(r->value, h);
		snprintf(out, SET_NAME_MAX, "mfg_%s", h);
		break;
	case POL_PEER_MODEL:
		ret = nftc_uri_hash(r->value, h);
		snprintf(out, SET_NAME_MAX, "mdl_%s", h);
		break;
	case POL_PEER_CONTROLLER:
		ret = nftc_uri_hash(r->value, h);
		snprintf(out, SET_NAME_MAX, "ctl_%s", h);
		break;
	case POL_PEER_MY_CONTROLLER:
		snprintf(out, SET_NAME_MAX, "myc_%s", c->id);
		return 0;
	default:
		return -EINVAL;
	}
	return ret;
}

static const char *addr_word(const struct pol_rule *r)
{
	return r->dir == POL_FROM_DEVICE ? "daddr" : "saddr";
}

/* The rules of one pol_rule in an inet chain: routed traffic and traffic to the gateway.
 * Peers known only by MAC are on the LAN and meet the device on the bridge. */
static int put_inet_rule(struct comp *c, const struct pol_rule *r)
{
	struct nftc_buf *b = c->b;
	struct shape s = shape_of(r);
	const char *w = addr_word(r);

	if (s.empty || s.nonip || peer_on_lan_only(r->peer))
		return 0;
	switch (r->peer) {
	case POL_PEER_ANY:
		nftc_buf_printf(b, "\t\t");
		put_family(b, &s, CH_INET, r);
		put_tail(b, r, CH_INET);
		break;
	case POL_PEER_NET:
		nftc_buf_printf(b, "\t\t");
		put_prefix(b, CH_INET, w, r);
		if (r->flags & POL_LOCAL_ONLY)
			nftc_buf_printf(b, "%s %s @lan%s ", s.ver == V4 ? "ip" : "ip6", w,
				s.ver == V4 ? "4" : "6");
		put_tail(b, r, CH_INET);
		break;
	case POL_PEER_DNSNAME:
	case POL_PEER_LOCAL_NETWORKS: {
		bool per_name = c->flags & NFTC_DNS_PER_NAME;
		char h[NFTC_ID_LEN + 1];
		uint32_t id[2];
		int ret = 0;

		if (r->peer == POL_PEER_DNSNAME)
			ret = per_name ? nftc_name_hash(r->value, h) : nftc_name_id(r->value, id);
		if (ret)
			return ret;
		for (unsigned v = V4; v <= V6; v <<= 1) {
			const char *l3 = v == V4 ? "ip" : "ip6", *f = v == V4 ? "4" : "6";

			if (!(s.ver & v))
				continue;
			if (r->peer == POL_PEER_DNSNAME && !per_name)
				/* The name's id as a constant in the key: a hash reduced mod 1 is 0,
				 * plus the offset (nft has no constants in a concatenation). */
				nftc_buf_printf(b,
					"\t\tjhash %s %s mod 1 offset 0x%08x . jhash %s %s mod 1 "
					"offset 0x%08x . "
					"%s %s @dnsname%s ",
					l3, w, id[0], l3, w, id[1], l3, w, f);
			else if (r->peer == POL_PEER_DNSNAME)
				nftc_buf_printf(b, "\t\t%s %s @dns%s_%s ", l3, w, f, h);
			else
				nftc_buf_printf(b, "\t\t%s %s @lan%s ", l3, w, f);
			put_tail(b, r, CH_INET);
		}
		break;
	}
	default:
		break;
	}
	return b->err;
}

/* The rule of one pol_rule in a bridge chain: LAN <-> LAN. Every peer but a DNS name can be
 * on the LAN; local-networks is every bridged peer. */
static int put_bridge_rule(struct comp *c, const struct pol_rule *r)
{
	struct nftc_buf *b = c->b;
	struct shape s = shape_of(r);
	char set[SET_NAME_MAX];
	int ret;

	if (s.empty || r->peer == POL_PEER_DNSNAME)
		return 0;
	nftc_buf_printf(b, "\t\t");
	if (r->peer == POL_PEER_NET) {
		put_prefix(b, CH_BRIDGE, addr_word(r), r);
	} else {
		put_family(b, &s, CH_BRIDGE, r);
		if (peer_on_lan_only(r->peer)) {
			ret = mac_set_name(c, r, set);
			if (ret)
				return ret;
			nftc_buf_printf(b, "ether %s @%s ", addr_word(r), set);
		}
	}
	put_tail(b, r, CH_BRIDGE);
	return b->err;
}

/* What every MUD device may do after its explicit ACEs (AC-21): DHCP, neighbour discovery
 * (types 135-136: solicitation and advertisement),
 * and DNS and NTP to the gateway only, so an off-box resolver is dropped (AC-23). */
static void put_implicit_out(struct nftc_buf *b)
{
	nftc_buf_printf(b,
		"\t\tudp sport 68 udp dport 67 return\n"
		"\t\tudp dport 547 return\n"
		"\t\ticmpv6 type nd-router-solicit return\n"
		"\t\ticmpv6 type 135-136 return\n"
		"\t\tip daddr @gw4 udp dport 53 return\n"
		"\t\tip daddr @gw4 udp dport 123 return\n"
		"\t\tip daddr @gw4 tcp dport 53 return\n"
		"\t\tip6 daddr @gw6 udp dport 53 return\n"
		"\t\tip6 daddr @gw6 udp dport 123 return\n"
		"\t\tip6 daddr @gw6 tcp dport 53 return\n");
}

/* On the bridge address resolution must pass both ways, or no LAN ACE could ever work;
 * router advertisements from a device are not among them. */
static void put_implicit_bridge(struct nftc_buf *b)
{
	nftc_buf_printf(b,
		"\t\tether type arp return\n"
		"\t\ticmpv6 type 135-136 return\n");
}

static void put_chain_end(struct nftc_buf *b, const char *prefix, const char *id)
{
	nftc_buf_printf(b,
		"\t\tlimit rate 10/second burst 20 packets log group %d prefix \"hg drop %s_%s \"\n"
		"\t\tcounter drop\n"
		"\t}\n",
		NFTC_LOG_GROUP, prefix, id);
}

static int put_chain(struct comp *c, enum chain_kind kind, enum pol_dir dir)
{
	static const char *const names[2][2] = {{"out", "in"}, {"bout", "bin"}};
	const char *name = names[kind][dir == POL_TO_DEVICE];
	struct nftc_buf *b = c->b;
	int ret = 0;

	nftc_buf_printf(b, "\tchain %s_%s {\n", name, c->id);
	if (kind == CH_INET)
		/* A reply of a permitted connection is permitted; return hands it back to the
		 * base chain, whose policy accept lets the system firewall decide. */
		nftc_buf_printf(b, "\t\tct state established,related return\n");
	for (unsigned i = 0; i < c->p->count && !ret; i++) {
		const struct pol_rule *r = &c->p->rules[i];

		if (r->dir != dir)
			continue;
		ret = kind == CH_INET ? put_inet_rule(c, r) : put_bridge_rule(c, r);
	}
	if (ret)
		return ret;
	if (kind == CH_INET && dir == POL_FROM_DEVICE)
		put_implicit_out(b);
	if (kind == CH_BRIDGE)
		put_implicit_bridge(b);
	put_chain_end(b, name, c->id);
	return b->err;
}

/* Distinct set names in order of first use. */
struct names {
	char (*v)[SET_NAME_MAX];
	size_t n, cap;
};

static int names_add(struct names *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		void *v = reallocarray(s->v, cap, sizeof(*s->v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	util_strlcpy(s->v[s->n++], name, SET_NAME_MAX);
	return 0;
}

static int put_sets(struct comp *c)
{
	struct names dns = {0}, mac = {0};
	char name[SET_NAME_MAX], h[NFTC_ID_LEN + 1];
	int ret = 0;

	for (unsigned i = 0; i < c->p->count && !ret; i++) {
		const struct pol_rule *r = &c->p->rules[i];

		if (r->peer == POL_PEER_DNSNAME && (c->flags & NFTC_DNS_PER_NAME)) {
			ret = nftc_name_hash(r->value, h);
			if (!ret)
				ret = names_add(&dns, h);
		} else if (peer_on_lan_only(r->peer)) {
			ret = mac_set_name(c, r, name);
			if (!ret)
				ret = names_add(&mac, name);
		}
	}
	if (ret)
		goto out;
	/* Per-name sets (NFTC_DNS_PER_NAME), filled by dnsmasq --nftset as the device resolves
	 * the names; otherwise the names share the base's dnsname4/dnsname6. */
	for (size_t i = 0; i < dns.n; i++)
		nftc_buf_printf(c->b,
			"add set inet %s dns4_%s { type ipv4_addr; flags timeout; }\n"
			"add set inet %s dns6_%s { type ipv6_addr; flags timeout; }\n",
			c->table, dns.v[i], c->table, dns.v[i]);
	/* Filled by homegated with the MACs of the devices that qualify. */
	for (size_t i = 0; i < mac.n; i++)
		nftc_buf_printf(
			c->b, "add set bridge %s %s { type ether_addr; }\n", c->table, mac.v[i]);
	ret = c->b->err;
out:
	free(dns.v);
	free(mac.v);
	return ret;
}

int nftc_profile(struct nftc_buf *b, const char *table, const struct pol_policy *p,
	const char *authority, unsigned flags, char id_out[static NFTC_ID_LEN + 1])
{
	static const char *const chains[4][2] = {
		{"inet", "out"}, {"inet", "in"}, {"bridge", "bout"}, {"bridge", "bin"}};
	struct comp c = {.b = b, .table = table, .p = p, .flags = flags};
	size_t start = b->len;
	int ret;

	if (id_out)
		id_out[0] = '\0';
	if (b->err)
		return b->err;
	if (!table_valid(table) || (flags & ~NFTC_DNS_PER_NAME) ||
		nftc_check(p, authority, NULL, 0))
		return -EINVAL;
	ret = nftc_profile_id(p, authority, c.id);
	if (!ret && uses_same_manufacturer(p))
		ret = nftc_name_hash(authority, c.auth);
	if (ret)
		goto out;
	nftc_buf_printf(b, "# profile %s\n", c.id);
	ret = put_sets(&c);
	if (ret)
		goto out;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < ARRAY_SIZE(chains); i++)
			nftc_buf_printf(b, "%s chain %s %s %s_%s\n", pass ? "flush" : "add",
				chains[i][0], table, chains[i][1], c.id);
	nftc_buf_printf(b, "table inet %s {\n", table);
	ret = put_chain(&c, CH_INET, POL_FROM_DEVICE);
	if (!ret)
		ret = put_chain(&c, CH_INET, POL_TO_DEVICE);
	nftc_buf_printf(b, "}\ntable bridge %s {\n", table);
	if (!ret)
		ret = put_chain(&c, CH_BRIDGE, POL_FROM_DEVICE);
	if (!ret)
		ret = put_chain(&c, CH_BRIDGE, POL_TO_DEVICE);
	nftc_buf_printf(b, "}\n");
out:
	ret = buf_finish(b, start, ret);
	if (!ret && id_out)
		memcpy(id_out, c.id, sizeof(c.id));
	return ret;
}

int nftc_base(struct nftc_buf *b, const char *table, const char *lan_if)
{
	size_t start = b->len;
	const char *t = table;

	if (b->err)
		return b->err;
	if (!table_valid(table) || !nftc_ifname_valid(lan_if))
		return -EINVAL;
	/* Declarations first (an existing object of the same kind is kept with its elements),
	 * then the base chains are flushed and filled: loading this again changes nothing. */
	nftc_buf_printf(b,
		"# homegate base tables (" NFTC_SCHEMA ")\n"
		"table inet %s {\n"
		"\tcomment \"" NFTC_SCHEMA "\"\n"
		"\tset lan4 { type ipv4_addr; flags interval; }\n"
		"\tset lan6 { type ipv6_addr; flags interval; }\n"
		"\tset gw4 { type ipv4_addr; }\n"
		"\tset gw6 { type ipv6_addr; }\n"
		/* Every DNS name's addresses, keyed by the name's id (nftc_name_id) and the
		 * address, filled by dnsbind. One pair for all names: the kernel finds a set
		 * by name in a list, so an element add would cost more with every name's own
		 * set (docs/benchmarks.md). In the base, they come before every profile's. */
		"\tset dnsname4 {\n"
		"\t\ttypeof numgen inc mod 1 . numgen inc mod 1 . ip daddr\n"
		"\t\tsize " NFTC_DNS_SET_SIZE "; flags timeout;\n"
		"\t}\n"
		"\tset dnsname6 {\n"
		"\t\ttypeof numgen inc mod 1 . numgen inc mod 1 . ip6 daddr\n"
		"\t\tsize " NFTC_DNS_SET_SIZE "; flags timeout;\n"
		"\t}\n"
		"\tmap dev_profile { type ether_addr : verdict; }\n"
		"\tmap dev_in4 { type ipv4_addr : verdict; }\n"
		"\tmap dev_in6 { type ipv6_addr : verdict; }\n"
		"\tchain prof_blocked {\n"
		"\t}\n"
		"\tchain input {\n"
		"\t\ttype filter hook input priority filter - 10; policy accept;\n"
		"\t}\n"
		"\tchain forward {\n"
		"\t\ttype filter hook forward priority filter - 10; policy accept;\n"
		"\t}\n"
		"}\n"
		"table bridge %s {\n"
		"\tcomment \"" NFTC_SCHEMA "\"\n"
		"\tmap dev_profile { type ether_addr : verdict; }\n"
		"\tmap dev_in { type ether_addr : verdict; }\n"
		"\tchain prof_blocked {\n"
		"\t}\n"
		"\tchain forward {\n"
		"\t\ttype filter hook forward priority filter - 10; policy accept;\n"
		"\t}\n"
		"}\n",
		t, t);
	nftc_buf_printf(b,
		"flush chain inet %s prof_blocked\n"
		"flush chain inet %s input\n"
		"flush chain inet %s forward\n"
		"flush chain bridge %s prof_blocked\n"
		"flush chain bridge %s forward\n",
		t, t, t, t, t);
	/* Lifecycle profiles (DESIGN §2). Only drops are final here: an accept just hands the
	 * packet on to the system firewall's own tables. LAN <-> LAN traffic is decided in the
	 * bridge table alone: with br_netfilter loaded, bridged packets also cross the inet
	 * forward hook (in and out "<LAN>"), and must not meet the inet chains a second time. */
	nftc_buf_printf(b,
		"table inet %s {\n"
		"\tchain prof_blocked {\n"
		"\t\tudp sport 68 udp dport 67 return\n"
		"\t\tudp sport 546 udp dport 547 return\n"
		"\t\ticmpv6 type nd-router-solicit return\n"
		"\t\ticmpv6 type 135-136 return\n"
		"\t\tcounter drop\n"
		"\t}\n"
		"\tchain input {\n"
		"\t\tiifname \"%s\" ether saddr vmap @dev_profile\n"
		"\t}\n"
		"\tchain forward {\n"
		"\t\tiifname \"%s\" oifname \"%s\" return\n"
		"\t\tiifname \"%s\" ether saddr vmap @dev_profile\n"
		"\t\toifname \"%s\" ip daddr vmap @dev_in4\n"
		"\t\toifname \"%s\" ip6 daddr vmap @dev_in6\n"
		"\t}\n"
		"}\n"
		"table bridge %s {\n"
		"\tchain prof_blocked {\n"
		"\t\tcounter drop\n"
		"\t}\n"
		"\tchain forward {\n"
		"\t\tether saddr vmap @dev_profile\n"
		"\t\tether daddr vmap @dev_in\n"
		"\t}\n"
		"}\n",
		t, lan_if, lan_if, lan_if, lan_if, lan_if, lan_if, t);
	return buf_finish(b, start, 0);
}

int nftc_standalone(struct nftc_buf *b, const char *table, const char *lan_if,
	const struct pol_policy *p, const char *authority, unsigned flags, const char *example_mac,
	const char *const *example_addrs)
{
	char id[NFTC_ID_LEN + 1], mac[HG_MAC_STRLEN];
	struct hg_mac m;
	size_t start = b->len, naddr = 0;
	int ret;

	if (b->err)
		return b->err;
	while (example_addrs && example_addrs[naddr])
		if (++naddr > EXAMPLE_ADDR_MAX)
			return -EINVAL;
	ret = nftc_base(b, table, lan_if);
	if (!ret)
		ret = nftc_profile(b, table, p, authority, flags, id);
	if (ret)
		goto out;
	if (example_mac) {
		ret = util_mac_parse(example_mac, &m);
		/* a device: unicast and not all zero */
		if (!ret &&
			((m.b[0] & 1) || !(m.b[0] | m.b[1] | m.b[2] | m.b[3] | m.b[4] | m.b[5])))
			ret = -EINVAL;
		if (ret)
			goto out;
	} else {
		m.b[0] = 0x02;
		for (int i = 0; i < 5; i++)
			m.b[i + 1] =
				(uint8_t)(util_hexval(id[2 * i]) << 4 | util_hexval(id[2 * i + 1]));
	}
	util_mac_format(&m, mac);
	nftc_buf_printf(b,
		"# an example device under profile %s\n"
		"add element inet %s dev_profile { %s : jump out_%s }\n"
		"add element bridge %s dev_profile { %s : jump bout_%s }\n"
		"add element bridge %s dev_in { %s : jump bin_%s }\n",
		id, table, mac, id, table, mac, id, table, mac, id);
	for (size_t i = 0; i < naddr; i++) {
		uint8_t a[16];
		char text[INET6_ADDRSTRLEN];
		int fam = inet_pton(AF_INET, example_addrs[i], a) == 1	? AF_INET
			: inet_pton(AF_INET6, example_addrs[i], a) == 1 ? AF_INET6
									: 0;

		if (!fam || !inet_ntop(fam, a, text, sizeof(text))) {
			ret = -EINVAL;
			goto out;
		}
		nftc_buf_printf(b, "add element inet %s dev_in%c { %s : jump in_%s }\n", table,
			fam == AF_INET ? '4' : '6', text, id);
	}
out:
	return buf_finish(b, start, ret);
}

int nftc_foreach_dnsname(const struct pol_policy *p,
	int (*cb)(const char *name, const char *set4, const char *set6, void *arg), void *arg)
{
	struct names seen = {0};
	char f[256], h[NFTC_ID_LEN + 1], s4[SET_NAME_MAX], s6[SET_NAME_MAX];
	size_t before;
	int ret = 0;

	if (!p || p->count > POL_MAX_RULES || (p->count && !p->rules))
		return -EINVAL;
	for (unsigned i = 0; i < p->count; i++)
		if (p->rules[i].peer == POL_PEER_DNSNAME &&
			(!value_set(&p->rules[i]) || !nftc_dnsname_valid(p->rules[i].value)))
			return -EINVAL;
	for (unsigned i = 0; i < p->count && !ret; i++) {
		const struct pol_rule *r = &p->rules[i];

		if (r->peer != POL_PEER_DNSNAME)
			continue;
		if (fold_name(r->value, f) < 0) {
			ret = -EINVAL;
			break;
		}
		ret = hex12(f, strlen(f), h);
		before = seen.n;
		if (!ret)
			ret = names_add(&seen, h);
		if (ret || seen.n == before)
			continue;
		snprintf(s4, sizeof(s4), "dns4_%s", h);
		snprintf(s6, sizeof(s6), "dns6_%s", h);
		ret = cb(f, s4, s6, arg);
	}
	free(seen.v);
	return ret;
}
