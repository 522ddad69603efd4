/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RFC 8520 MUD file parser and validator: JSON in, metadata + abstract policy out. */
#include "mud/mud_parse.h"

#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ctx {
	struct mud_file *mf;
	struct mud_error *err;
	char path[256];
	size_t plen;
};

/* Path handling: push a segment, pop back to a saved length. */
static size_t push(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t push(struct ctx *c, const char *fmt, ...)
{
	size_t saved = c->plen;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->path + c->plen, sizeof(c->path) - c->plen, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->plen += (size_t)n < sizeof(c->path) - c->plen ? (size_t)n
								 : sizeof(c->path) - c->plen - 1;
	return saved;
}

static void pop(struct ctx *c, size_t saved)
{
	c->plen = saved;
	c->path[saved] = '\0';
}

static int fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	util_strlcpy(c->err->path, c->path, sizeof(c->err->path));
	va_start(ap, fmt);
	vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Looks a member up by its qualified name, or by the name without its module prefix. */
static json_object *member(json_object *o, const char *qname)
{
	json_object *v = NULL;
	const char *colon = strchr(qname, ':');

	if (json_object_object_get_ex(o, qname, &v))
		return v;
	if (colon && json_object_object_get_ex(o, colon + 1, &v))
		return v;
	return NULL;
}

static int get_string(
	struct ctx *c, json_object *o, const char *name, bool required, char *dst, size_t dstlen)
{
	json_object *v = member(o, name);
	size_t saved;
	const char *s;

	if (!v) {
		if (required)
			return fail(c, "mandatory node \"%s\" is missing", name);
		return 0;
	}
	saved = push(c, ".%s", name);
	if (!json_object_is_type(v, json_type_string))
		return fail(c, "must be a string");
	s = json_object_get_string(v);
	if (strlen(s) >= dstlen)
		return fail(c, "longer than %zu bytes", dstlen - 1);
	/* Text may be UTF-8 (RFC 8259); control characters never reach a log line or the UI. */
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return fail(c, "contains control characters");
	util_strlcpy(dst, s, dstlen);
	pop(c, saved);
	return 0;
}

bool mud_url_valid(const char *url)
{
	const char *host;
	size_t n = strlen(url);

	if (n == 0 || n > 255 || strncmp(url, "https://", 8) != 0 || !util_is_printable(url, 256))
		return false;
	if (strchr(url, ' ') || strchr(url, '#'))
		return false;
	host = url + 8;
	return *host && *host != '/' && *host != ':' && *host != '?';
}

int mud_url_intake(const char *raw, char *out, size_t outlen)
{
	size_t n = strcspn(raw, " ");

	if (outlen == 0)
		return -EINVAL;
	out[0] = '\0';
	if (n == 0 || n > 255 || n >= outlen)
		return -EINVAL;
	memcpy(out, raw, n);
	out[n] = '\0';
	if (!mud_url_valid(out)) {
		out[0] = '\0';
		return -EINVAL;
	}
	return 0;
}

static int parse_ports(struct ctx *c, json_object *o, struct pol_ports *p)
{
	json_object *op = member(o, "operator"), *port = member(o, "port");
	json_object *lo = member(o, "lower-port"), *hi = member(o, "upper-port");
	int64_t a, b;

	if (lo || hi) {
		if (!lo || !hi || !json_object_is_type(lo, json_type_int) ||
			!json_object_is_type(hi, json_type_int))
			return fail(c, "a port range needs integer lower-port and upper-port");
		a = json_object_get_int64(lo);
		b = json_object_get_int64(hi);
		if (a < 0 || b > 65535 || a > b)
			return fail(c, "port range %lld..%lld is not within 0..65535 in order",
				(long long)a, (long long)b);
		p->op = POL_PORT_RANGE;
		p->lo = (uint16_t)a;
		p->hi = (uint16_t)b;
		return 0;
	}
	if (!port || !json_object_is_type(port, json_type_int))
		return fail(c, "needs an integer \"port\" (or lower-port and upper-port)");
	a = json_object_get_int64(port);
	if (a < 0 || a > 65535)
		return fail(c, "port %lld out of range 0..65535", (long long)a);
	p->lo = p->hi = (uint16_t)a;
	p->op = POL_PORT_EQ;
	if (op) {
		const char *s =
			json_object_is_type(op, json_type_string) ? json_object_get_string(op) : "";

		if (strcmp(s, "eq") == 0)
			p->op = POL_PORT_EQ;
		else if (strcmp(s, "neq") == 0)
			p->op = POL_PORT_NEQ;
		else if (strcmp(s, "lte") == 0 || strcmp(s, "lt") == 0)
			p->op = POL_PORT_LT;
		else if (strcmp(s, "gte") == 0 || strcmp(s, "gt") == 0)
			p->op = POL_PORT_GT;
		else
			return fail(c, "operator must be eq, neq, lte or gte");
		/* ietf-netconf-acm operators are inclusive; keep them so as a range. */
		if (strcmp(s, "lte") == 0) {
			p->op = POL_PORT_RANGE;
			p->lo = 0;
		} else if (strcmp(s, "gte") == 0) {
			p->op = POL_PORT_RANGE;
			p->hi = 65535;
		}
	}
	return 0;
}

static int set_peer(struct ctx *c, struct pol_rule *r, enum pol_peer peer, const char *value)
{
	/* local-networks narrowed by a literal prefix (e.g. IGMP to 224.0.0.22 on the LAN): both
	 * must hold, and the prefix is the sharper of the two. */
	if ((r->peer == POL_PEER_LOCAL_NETWORKS && peer == POL_PEER_NET) ||
		(r->peer == POL_PEER_NET && peer == POL_PEER_LOCAL_NETWORKS)) {
		r->peer = POL_PEER_NET;
		r->flags |= POL_LOCAL_ONLY;
		return 0;
	}
	if (r->peer != POL_PEER_ANY)
		return fail(c, "more than one peer (%s and %s) in one ACE", pol_peer_name(r->peer),
			pol_peer_name(peer));
	r->peer = peer;
	if (value)
		util_strlcpy(r->value, value, sizeof(r->value));
	return 0;
}

static int parse_network(struct ctx *c, json_object *v, int family, struct pol_rule *r)
{
	char buf[64], *slash;
	long long len;
	uint8_t addr[16];
	int max = family == AF_INET ? 32 : 128;

	if (!json_object_is_type(v, json_type_string) ||
		strlen(json_object_get_string(v)) >= sizeof(buf))
		return fail(c, "must be an address prefix string");
	util_strlcpy(buf, json_object_get_string(v), sizeof(buf));
	slash = strchr(buf, '/');
	if (!slash)
		return fail(c, "\"%s\" has no prefix length", buf);
	*slash = '\0';
	if (inet_pton(family, buf, addr) != 1 || util_parse_int(slash + 1, 0, max, &len) < 0)
		return fail(c, "\"%s/%s\" is not an IPv%d prefix", buf, slash + 1,
			family == AF_INET ? 4 : 6);
	memset(&r->net, 0, sizeof(r->net));
	if (family == AF_INET) {
		r->net.s6_addr[10] = r->net.s6_addr[11] = 0xff;
		memcpy(&r->net.s6_addr[12], addr, 4);
	} else {
		memcpy(&r->net, addr, 16);
	}
	r->prefix_len = (uint8_t)len;
	return set_peer(c, r, POL_PEER_NET, NULL);
}

static bool is_empty_list(json_object *v)
{
	/* YANG "empty" leaves appear as [null] in JSON (RFC 7951 §6.9). */
	return json_object_is_type(v, json_type_array) && json_object_array_length(v) == 1 &&
		json_object_array_get_idx(v, 0) == NULL;
}

static bool extension_declared(struct ctx *c, const char *module)
{
	for (unsigned i = 0; i < c->mf->nextensions; i++)
		if (strcmp(c->mf->extensions[i], module) == 0 ||
			strstr(module, c->mf->extensions[i]))
			return true;
	return false;
}

static const char *const known_modules[] = {
	"ietf-mud",
	"ietf-acldns",
	"ietf-access-control-list",
	"ietf-packet-fields",
};

/* A node of a module we do not know is an extension: it must have been declared. */
static int check_extension(struct ctx *c, const char *key)
{
	const char *colon = strchr(key, ':');
	char module[64];
	size_t n;

	if (!colon)
		return 0; /* unknown unqualified node: ignored */
	n = (size_t)(colon - key);
	if (n >= sizeof(module))
		n = sizeof(module) - 1;
	memcpy(module, key, n);
	module[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(known_modules); i++)
		if (strcmp(module, known_modules[i]) == 0)
			return 0;
	if (!extension_declared(c, module))
		return fail(c,
			"node \"%s\" belongs to extension \"%s\", which the file does not declare "
			"in \"extensions\"",
			key, module);
	return 0;
}

static int parse_l3(struct ctx *c, json_object *o, int family, enum pol_dir dir, struct pol_rule *r)
{
	json_object *v;
	size_t saved;
	int ret = 0;

	r->family = family == AF_INET ? POL_FAM_IPV4 : POL_FAM_IPV6;
	if (!json_object_is_type(o, json_type_object))
		return fail(c, "must be an object");
	json_object_object_foreach(o, key, val)
	{
		const char *bare = strchr(key, ':') ? strchr(key, ':') + 1 : key;

		saved = push(c, ".%s", key);
		if (strcmp(bare, "protocol") == 0) {
			if (!json_object_is_type(val, json_type_int) ||
				json_object_get_int64(val) < 0 || json_object_get_int64(val) > 255)
				return fail(c, "protocol must be an integer 0..255");
			r->proto = (uint8_t)json_object_get_int64(val);
			r->flags |= POL_HAS_PROTO;
		} else if (strcmp(bare, "src-dnsname") == 0 || strcmp(bare, "dst-dnsname") == 0) {
			bool src = bare[0] == 's';

			if (src && dir == POL_FROM_DEVICE)
				return fail(c,
					"src-dnsname is not allowed in a from-device ACL (RFC 8520 "
					"section 8.1)");
			if (!src && dir == POL_TO_DEVICE)
				return fail(c,
					"dst-dnsname is not allowed in a to-device ACL (RFC 8520 "
					"section 8.1)");
			if (!json_object_is_type(val, json_type_string) ||
				strlen(json_object_get_string(val)) == 0 ||
				strlen(json_object_get_string(val)) > 253 ||
				!util_is_printable(json_object_get_string(val), 254) ||
				strchr(json_object_get_string(val), ' '))
				return fail(c, "must be a DNS name of at most 253 characters");
			ret = set_peer(c, r, POL_PEER_DNSNAME, json_object_get_string(val));
		} else if (strcmp(bare, "source-ipv4-network") == 0 ||
			strcmp(bare, "destination-ipv4-network") == 0 ||
			strcmp(bare, "source-ipv6-network") == 0 ||
			strcmp(bare, "destination-ipv6-network") == 0) {
			bool src = bare[0] == 's';
			int fam = strstr(bare, "ipv4") ? AF_INET : AF_INET6;

			if (fam != family)
				return fail(c, "an IPv%d prefix in an IPv%d match",
					fam == AF_INET ? 4 : 6, family == AF_INET ? 4 : 6);
			if (src == (dir == POL_FROM_DEVICE))
				return fail(c, "%s names the device itself in a %s ACL", bare,
					dir == POL_FROM_DEVICE ? "from-device" : "to-device");
			ret = parse_network(c, val, family, r);
		} else {
			ret = check_extension(c, key);
		}
		if (ret)
			return ret;
		pop(c, saved);
	}
	(void)v;
	return 0;
}

static int parse_l4(struct ctx *c, json_object *o, const char *kind, struct pol_rule *r)
{
	size_t saved;
	int ret = 0;

	if (!json_object_is_type(o, json_type_object))
		return fail(c, "must be an object");
	json_object_object_foreach(o, key, val)
	{
		const char *bare = strchr(key, ':') ? strchr(key, ':') + 1 : key;

		saved = push(c, ".%s", key);
		if (strcmp(kind, "icmp") != 0 &&
			(strcmp(bare, "source-port") == 0 ||
				strcmp(bare, "destination-port") == 0)) {
			if (!json_object_is_type(val, json_type_object))
				return fail(c, "must be an object");
			ret = parse_ports(c, val, bare[0] == 's' ? &r->src_ports : &r->dst_ports);
		} else if (strcmp(bare, "direction-initiated") == 0) {
			const char *s = json_object_is_type(val, json_type_string)
				? json_object_get_string(val)
				: "";

			if (strcmp(kind, "tcp") != 0)
				return fail(c,
					"direction-initiated is only defined for TCP (RFC 8520 "
					"section 2.1)");
			if (strcmp(s, "from-device") == 0)
				r->initiated = POL_INIT_FROM_DEVICE;
			else if (strcmp(s, "to-device") == 0)
				r->initiated = POL_INIT_TO_DEVICE;
			else
				return fail(c, "must be from-device or to-device");
		} else if (strcmp(kind, "icmp") == 0 &&
			(strcmp(bare, "type") == 0 || strcmp(bare, "code") == 0)) {
			if (!json_object_is_type(val, json_type_int) ||
				json_object_get_int64(val) < 0 || json_object_get_int64(val) > 255)
				return fail(c, "must be an integer 0..255");
			if (bare[0] == 't') {
				r->icmp_type = (uint8_t)json_object_get_int64(val);
				r->flags |= POL_HAS_ICMP_TYPE;
			} else {
				r->icmp_code = (uint8_t)json_object_get_int64(val);
				r->flags |= POL_HAS_ICMP_CODE;
			}
		} else {
			ret = check_extension(c, key);
		}
		if (ret)
			return ret;
		pop(c, saved);
	}
	return 0;
}

static int parse_mud_match(struct ctx *c, json_object *o, struct pol_rule *r)
{
	size_t saved;
	int ret = 0;

	if (!json_object_is_type(o, json_type_object))
		return fail(c, "must be an object");
	json_object_object_foreach(o, key, val)
	{
		const char *bare = strchr(key, ':') ? strchr(key, ':') + 1 : key;

		saved = push(c, ".%s", key);
		if (strcmp(bare, "same-manufacturer") == 0 || strcmp(bare, "local-networks") == 0 ||
			strcmp(bare, "my-controller") == 0) {
			if (!is_empty_list(val))
				return fail(c, "must be an empty leaf ([null])");
			ret = set_peer(c, r,
				bare[0] == 's'		 ? POL_PEER_SAME_MANUFACTURER
					: bare[0] == 'l' ? POL_PEER_LOCAL_NETWORKS
							 : POL_PEER_MY_CONTROLLER,
				NULL);
		} else if (strcmp(bare, "manufacturer") == 0 || strcmp(bare, "model") == 0 ||
			strcmp(bare, "controller") == 0) {
			const char *s;

			if (!json_object_is_type(val, json_type_string))
				return fail(c, "must be a string");
			s = json_object_get_string(val);
			if (!*s || strlen(s) >= POL_VALUE_MAX ||
				!util_is_printable(s, POL_VALUE_MAX))
				return fail(c, "must be 1..255 printable characters");
			if (strcmp(bare, "model") == 0 && !mud_url_valid(s)) /* a MUD URL */
				return fail(c, "model must be an https MUD URL");
			ret = set_peer(c, r,
				bare[0] == 'm'
					? (bare[1] == 'a' ? POL_PEER_MANUFACTURER : POL_PEER_MODEL)
					: POL_PEER_CONTROLLER,
				s);
		} else {
			ret = check_extension(c, key);
		}
		if (ret)
			return ret;
		pop(c, saved);
	}
	return 0;
}

/* ethertype: a number (RFC 8519), a name of ietf-ethertypes, or, as some generators write it,
 * a "0x0800" string. Other eth leaves (MAC addresses) do not narrow a device's policy. */
static int parse_eth(struct ctx *c, json_object *o, struct pol_rule *r)
{
	static const struct {
		const char *name;
		uint16_t type;
	} names[] = {{"ipv4", 0x0800}, {"arp", 0x0806}, {"ipv6", 0x86dd}, {"eapol", 0x888e},
		{"lldp", 0x88cc}};
	json_object *et;
	long long v = -1;

	if (!json_object_is_type(o, json_type_object))
		return fail(c, "must be an object");
	et = member(o, "ethertype");
	if (!et)
		return 0;
	push(c, ".ethertype");
	if (json_object_is_type(et, json_type_int)) {
		v = json_object_get_int64(et);
	} else if (json_object_is_type(et, json_type_string)) {
		const char *s = json_object_get_string(et);

		if (strncmp(s, "0x", 2) == 0 && strlen(s) <= 6 && strlen(s) > 2 &&
			strspn(s + 2, "0123456789abcdefABCDEF") == strlen(s) - 2)
			v = strtoll(s + 2, NULL, 16);
		for (size_t i = 0; i < ARRAY_SIZE(names); i++)
			if (strcmp(s, names[i].name) == 0)
				v = names[i].type;
	}
	if (v < 0 || v > 0xffff)
		return fail(c, "ethertype must be a number 0..65535 or an ethertype name");
	r->ethertype = (uint16_t)v;
	r->flags |= POL_HAS_ETHERTYPE;
	c->plen -= strlen(".ethertype");
	c->path[c->plen] = '\0';
	return 0;
}

static int parse_ace(
	struct ctx *c, json_object *ace, const char *acl, enum pol_dir dir, int acl_family)
{
	struct pol_rule r;
	json_object *matches, *actions, *fwd;
	const char *s;
	size_t saved;
	int ret;
	bool tcp = false, udp = false, icmp = false;

	memset(&r, 0, sizeof(r));
	r.dir = dir;
	util_strlcpy(r.acl, acl, sizeof(r.acl));
	if (!json_object_is_type(ace, json_type_object))
		return fail(c, "an ACE must be an object");
	ret = get_string(c, ace, "name", true, r.name, sizeof(r.name));
	if (ret)
		return ret;
	matches = member(ace, "matches");
	if (!matches || !json_object_is_type(matches, json_type_object))
		return fail(c, "ACE \"%s\" has no \"matches\" object", r.name);
	saved = push(c, ".matches");
	json_object_object_foreach(matches, key, val)
	{
		const char *bare = strchr(key, ':') ? strchr(key, ':') + 1 : key;
		size_t s2 = push(c, ".%s", key);

		if (strcmp(bare, "ipv4") == 0 || strcmp(bare, "ipv6") == 0) {
			int fam = bare[3] == '4' ? AF_INET : AF_INET6;

			if (acl_family && acl_family != fam)
				return fail(c, "an %s match in an ACL of another type", bare);
			if (r.family == POL_FAM_IPV4 || r.family == POL_FAM_IPV6)
				return fail(c, "more than one layer-3 match");
			r.family = POL_FAM_ANY;
			ret = parse_l3(c, val, fam, dir, &r);
		} else if (strcmp(bare, "tcp") == 0 || strcmp(bare, "udp") == 0 ||
			strcmp(bare, "icmp") == 0) {
			if (tcp || udp || icmp)
				return fail(c, "more than one layer-4 match");
			tcp = bare[0] == 't';
			udp = bare[0] == 'u';
			icmp = bare[0] == 'i';
			ret = parse_l4(c, val, bare, &r);
		} else if (strcmp(bare, "eth") == 0) {
			/* An eth match may stand beside an IP match (a mixed ACE); the family
			 * stays the IP one and the ethertype must agree with it (checked below). */
			ret = parse_eth(c, val, &r);
			if (!ret && r.family == POL_FAM_ANY)
				r.family = POL_FAM_ETH;
		} else if (strcmp(key, "ietf-mud:mud") == 0 || strcmp(key, "mud") == 0) {
			ret = parse_mud_match(c, val, &r);
		} else if (strcmp(bare, "actions") == 0) {
			return fail(c, "\"actions\" belongs beside \"matches\", not inside it");
		} else {
			ret = check_extension(c, key);
		}
		if (ret)
			return ret;
		pop(c, s2);
	}
	pop(c, saved);

	/* The layer-4 match fixes the protocol; a contradicting protocol leaf is an error. */
	if (tcp || udp || icmp) {
		uint8_t want = tcp					       ? 6
			: udp						       ? 17
			: (acl_family == AF_INET6 || r.family == POL_FAM_IPV6) ? 58
									       : 1;

		if ((r.flags & POL_HAS_PROTO) && r.proto != want &&
			!(icmp && (r.proto == 1 || r.proto == 58)))
			return fail(c, "ACE \"%s\": protocol %u contradicts its %s match", r.name,
				r.proto,
				tcp	      ? "tcp"
					: udp ? "udp"
					      : "icmp");
		if (!(r.flags & POL_HAS_PROTO)) {
			r.proto = want;
			r.flags |= POL_HAS_PROTO;
		}
	}
	if (r.family == POL_FAM_ANY && acl_family)
		r.family = acl_family == AF_INET ? POL_FAM_IPV4 : POL_FAM_IPV6;
	if ((r.flags & POL_HAS_ETHERTYPE) &&
		((r.family == POL_FAM_IPV4 && r.ethertype != 0x0800) ||
			(r.family == POL_FAM_IPV6 && r.ethertype != 0x86dd)))
		return fail(c, "ACE \"%s\": ethertype 0x%04x contradicts its IP match", r.name,
			r.ethertype);

	actions = member(ace, "actions");
	saved = push(c, ".actions");
	if (!actions || !json_object_is_type(actions, json_type_object))
		return fail(c, "ACE \"%s\" has no \"actions\" object", r.name);
	fwd = member(actions, "forwarding");
	if (!fwd || !json_object_is_type(fwd, json_type_string))
		return fail(c, "ACE \"%s\" has no \"forwarding\" action", r.name);
	s = json_object_get_string(fwd);
	if (strchr(s, ':'))
		s = strchr(s, ':') + 1;
	if (strcmp(s, "accept") == 0)
		r.action = POL_ACCEPT;
	else if (strcmp(s, "drop") == 0 || strcmp(s, "reject") == 0)
		r.action = POL_DROP;
	else
		return fail(c, "forwarding \"%s\" is not accept, drop or reject",
			json_object_get_string(fwd));
	pop(c, saved);
	if (pol_add(&c->mf->policy, &r) < 0)
		return fail(c, "too many rules (more than %d)", POL_MAX_RULES);
	return 0;
}

static int parse_acl(struct ctx *c, json_object *acl, const char *name, enum pol_dir dir)
{
	json_object *type, *aces, *ace_list;
	int family = 0, ret;

	type = member(acl, "type");
	if (type && json_object_is_type(type, json_type_string)) {
		const char *t = json_object_get_string(type);

		if (strchr(t, ':'))
			t = strchr(t, ':') + 1;
		if (strcmp(t, "ipv4-acl-type") == 0)
			family = AF_INET;
		else if (strcmp(t, "ipv6-acl-type") == 0)
			family = AF_INET6;
		/* "ethernet-acl-type" is how mudgee spells eth-acl-type */
		else if (strcmp(t, "eth-acl-type") != 0 && strcmp(t, "ethernet-acl-type") != 0 &&
			strcmp(t, "mixed-eth-ipv4-ipv6-acl-type") != 0 &&
			strcmp(t, "mixed-eth-ipv4-acl-type") != 0 &&
			strcmp(t, "mixed-eth-ipv6-acl-type") != 0)
			return fail(c, "unknown ACL type \"%s\"", json_object_get_string(type));
	}
	aces = member(acl, "aces");
	if (!aces || !json_object_is_type(aces, json_type_object) ||
		!(ace_list = member(aces, "ace")) ||
		!json_object_is_type(ace_list, json_type_array))
		return fail(c, "ACL \"%s\" has no aces.ace list", name);
	for (size_t j = 0; j < json_object_array_length(ace_list); j++) {
		size_t s3 = push(c, ".aces.ace[%zu]", j);

		ret = parse_ace(c, json_object_array_get_idx(ace_list, j), name, dir, family);
		if (ret)
			return ret;
		pop(c, s3);
	}
	return 0;
}

static json_object *find_acl(json_object *acls, const char *name)
{
	for (size_t i = 0; i < json_object_array_length(acls); i++) {
		json_object *a = json_object_array_get_idx(acls, i), *n;

		if (json_object_is_type(a, json_type_object) && (n = member(a, "name")) &&
			json_object_is_type(n, json_type_string) &&
			strcmp(json_object_get_string(n), name) == 0)
			return a;
	}
	return NULL;
}

static int parse_policy(struct ctx *c, json_object *mud, json_object *acls, const char *root,
	const char *acl_root, enum pol_dir dir)
{
	json_object *pol = member(mud, root), *al, *list;
	size_t saved;

	if (!pol)
		return fail(c, "mandatory node \"%s\" is missing", root);
	saved = push(c, ".%s", root);
	if (!json_object_is_type(pol, json_type_object) || !(al = member(pol, "access-lists")) ||
		!json_object_is_type(al, json_type_object) || !(list = member(al, "access-list")) ||
		!json_object_is_type(list, json_type_array))
		return fail(c, "must hold access-lists.access-list as a list");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *ref = json_object_array_get_idx(list, i), *n, *acl;
		size_t s2 = push(c, ".access-lists.access-list[%zu]", i);
		const char *name;
		int ret;

		if (!ref || !json_object_is_type(ref, json_type_object) ||
			!(n = member(ref, "name")) || !json_object_is_type(n, json_type_string))
			return fail(c, "must be an object with a string \"name\"");
		name = json_object_get_string(n);
		acl = find_acl(acls, name);
		if (!acl)
			return fail(
				c, "names ACL \"%s\", which %s does not define", name, acl_root);
		pop(c, s2);
		c->mf->nacls++;
		/* From here on the path is the ACL's own place in the file. */
		{
			char outer[sizeof(c->path)];
			size_t outer_len = c->plen;

			memcpy(outer, c->path, sizeof(outer));
			pop(c, 0);
			push(c, "$.%s.acl[name=%s]", acl_root, name);
			ret = parse_acl(c, acl, name, dir);
			if (ret)
				return ret;
			memcpy(c->path, outer, sizeof(outer));
			c->plen = outer_len;
		}
	}
	pop(c, saved);
	return 0;
}

static int parse_mud(struct ctx *c, json_object *root, const char *fetched_url)
{
	struct mud_file *mf = c->mf;
	json_object *mud = NULL, *acls_root = NULL, *acls, *v;
	const char *acl_root = "ietf-access-control-list:acls";
	size_t saved;
	int ret;

	if (!json_object_is_type(root, json_type_object))
		return fail(c, "the file is not a JSON object");
	/* Top-level nodes carry their module name (RFC 7951 §4). */
	json_object_object_get_ex(root, "ietf-mud:mud", &mud);
	if (!mud || !json_object_is_type(mud, json_type_object))
		return fail(c, "mandatory container \"ietf-mud:mud\" is missing");
	if (!json_object_object_get_ex(root, acl_root, &acls_root)) {
		/* The pre-RFC spelling, still produced by some generators. */
		acl_root = "ietf-access-control-list:access-lists";
		json_object_object_get_ex(root, acl_root, &acls_root);
	}
	if (!acls_root)
		return fail(c, "mandatory container \"ietf-access-control-list:acls\" is missing");
	saved = push(c, ".%s", acl_root);
	if (!json_object_is_type(acls_root, json_type_object) ||
		!(acls = member(acls_root, "acl")) || !json_object_is_type(acls, json_type_array))
		return fail(c, "must hold an \"acl\" list");
	pop(c, saved);

	saved = push(c, ".ietf-mud:mud");
	v = member(mud, "mud-version");
	if (!v)
		return fail(c, "mandatory node \"mud-version\" is missing");
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) != 1) {
		push(c, ".mud-version");
		return fail(c, "mud-version must be 1");
	}
	ret = get_string(c, mud, "mud-url", true, mf->url, sizeof(mf->url));
	if (ret)
		return ret;
	if (!mud_url_valid(mf->url)) {
		push(c, ".mud-url");
		return fail(c, "\"%s\" is not an https URL of at most 255 octets", mf->url);
	}
	if (fetched_url && strcmp(fetched_url, mf->url) != 0) {
		push(c, ".mud-url");
		return fail(c,
			"mud-url \"%s\" differs from the URL it was fetched from (RFC 8520 section "
			"3.3)",
			mf->url);
	}
	if ((ret = get_string(
		     c, mud, "last-update", true, mf->last_update, sizeof(mf->last_update))) ||
		(ret = get_string(
			 c, mud, "mud-signature", false, mf->signature, sizeof(mf->signature))) ||
		(ret = get_string(c, mud, "mfg-name", false, mf->mfg_name, sizeof(mf->mfg_name))) ||
		(ret = get_string(
			 c, mud, "model-name", false, mf->model_name, sizeof(mf->model_name))) ||
		(ret = get_string(c, mud, "firmware-rev", false, mf->firmware_rev,
			 sizeof(mf->firmware_rev))) ||
		(ret = get_string(c, mud, "software-rev", false, mf->software_rev,
			 sizeof(mf->software_rev))) ||
		(ret = get_string(c, mud, "documentation", false, mf->documentation,
			 sizeof(mf->documentation))))
		return ret;
	ret = get_string(c, mud, "systeminfo", false, mf->systeminfo, sizeof(mf->systeminfo));
	if (ret)
		return ret;
	{
		size_t chars = 0;

		for (const char *p = mf->systeminfo; *p; p++)
			chars += ((unsigned char)*p & 0xc0) != 0x80; /* UTF-8 characters */
		if (chars > 60) {
			push(c, ".systeminfo");
			return fail(c,
				"systeminfo is longer than 60 characters (RFC 8520 section 2.1)");
		}
	}
	v = member(mud, "is-supported");
	if (!v)
		return fail(c, "mandatory node \"is-supported\" is missing");
	if (!json_object_is_type(v, json_type_boolean)) {
		push(c, ".is-supported");
		return fail(c, "is-supported must be true or false");
	}
	mf->is_supported = json_object_get_boolean(v);
	mf->cache_validity = 48;
	v = member(mud, "cache-validity");
	if (v) {
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 1 ||
			json_object_get_int64(v) > 168) {
			push(c, ".cache-validity");
			return fail(c, "cache-validity must be 1..168 hours");
		}
		mf->cache_validity = (unsigned)json_object_get_int64(v);
	}
	v = member(mud, "extensions");
	if (v) {
		size_t s2 = push(c, ".extensions");

		if (!json_object_is_type(v, json_type_array))
			return fail(c, "must be a list of names");
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *e = json_object_array_get_idx(v, i);

			if (!e || !json_object_is_type(e, json_type_string) ||
				!util_is_ident(json_object_get_string(e), 63))
				return fail(c,
					"extension names are [A-Za-z0-9_-], at most 63 characters");
			if (mf->nextensions < MUD_MAX_EXTENSIONS)
				util_strlcpy(mf->extensions[mf->nextensions++],
					json_object_get_string(e), sizeof(mf->extensions[0]));
		}
		pop(c, s2);
	}
	json_object_object_foreach(mud, key, val)
	{
		size_t s2 = push(c, ".%s", key);

		(void)val;
		ret = check_extension(c, key);
		if (ret)
			return ret;
		pop(c, s2);
	}
	pop(c, saved);
	saved = push(c, ".ietf-mud:mud");
	ret = parse_policy(c, mud, acls, "from-device-policy", acl_root, POL_FROM_DEVICE);
	if (!ret)
		ret = parse_policy(c, mud, acls, "to-device-policy", acl_root, POL_TO_DEVICE);
	if (ret)
		return ret;
	pop(c, saved);
	return 0;
}

int mud_parse(const char *buf, size_t len, const char *fetched_url, struct mud_file **out,
	struct mud_error *err)
{
	struct ctx c = {.err = err, .path = "$", .plen = 1};
	json_tokener *tok = NULL;
	json_object *root = NULL;
	int ret;

	memset(err, 0, sizeof(*err));
	*out = NULL;
	if (len > MUD_MAX_FILE) {
		util_strlcpy(err->path, "$", sizeof(err->path));
		snprintf(err->msg, sizeof(err->msg), "file of %zu bytes is over the %d byte limit",
			len, MUD_MAX_FILE);
		return -EFBIG;
	}
	c.mf = calloc(1, sizeof(*c.mf));
	tok = json_tokener_new_ex(64);
	if (!c.mf || !tok) {
		ret = -ENOMEM;
		goto out;
	}
	root = json_tokener_parse_ex(tok, buf, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
		json_tokener_get_parse_end(tok) != len) {
		size_t end = json_tokener_get_parse_end(tok);

		/* Trailing white space after the object is fine. */
		while (root && end < len &&
			(buf[end] == ' ' || buf[end] == '\n' || buf[end] == '\r' ||
				buf[end] == '\t'))
			end++;
		if (!root || end != len) {
			ret = fail(&c, "not valid JSON (%s, near byte %zu)",
				root ? "trailing data"
				     : json_tokener_error_desc(json_tokener_get_error(tok)),
				json_tokener_get_parse_end(tok));
			goto out;
		}
	}
	ret = parse_mud(&c, root, fetched_url);
	if (ret)
		goto out;
	*out = c.mf;
	c.mf = NULL;
out:
	json_object_put(root);
	if (tok)
		json_tokener_free(tok);
	mud_free(c.mf);
	return ret;
}

void mud_free(struct mud_file *mf)
{
	if (!mf)
		return;
	pol_clear(&mf->policy);
	free(mf);
}
