/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCPv6 message parser (RFC 8415): the identity a client announces, MUD URL (112) included. */
#include "observe/dhcp6.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum {
	OPT_CLIENTID = 1,
	OPT_ORO = 6,
	OPT_RELAY_MSG = 9,
	OPT_VENDOR_CLASS = 16,
	OPT_CLIENT_FQDN = 39,
	OPT_CLIENT_LINKLAYER_ADDR = 79,
	OPT_MUD_URL_V6 = 112,
};

enum {
	DUID_LLT = 1,
	DUID_EN = 2,
	DUID_LL = 3,
	DUID_UUID = 4,
};

#define HWTYPE_ETHERNET 1
#define RELAY_HDR_LEN	34 /* msg-type, hop-count, link-address, peer-address */
#define MSG_HDR_LEN	4  /* msg-type, transaction-id */
#define FQDN_RESERVED	0xf8

struct ctx {
	bool relay_mac_set;
	struct hg_mac relay_mac;
	bool seen_vendor, seen_mud;
};

struct opt {
	uint16_t code;
	const uint8_t *v;
	size_t len;
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static bool is_text(const uint8_t *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/* The next option of p[0..len) at *off; 1 when one was read, 0 at the end, -EINVAL. */
static int next_opt(
	const uint8_t *p, size_t len, size_t *off, struct opt *o, char *err, size_t errlen)
{
	if (*off == len)
		return 0;
	if (len - *off < 4)
		return util_errf(err, errlen, "option header truncated at offset %zu", *off);
	o->code = get16(p + *off);
	o->len = get16(p + *off + 2);
	if (o->len > len - *off - 4)
		return util_errf(err, errlen,
			"option %u of %zu octets runs past the end of its message", o->code,
			o->len);
	o->v = p + *off + 4;
	*off += 4 + o->len;
	return 1;
}

static int take_duid(const struct opt *o, struct dhcp6_info *out, char *err, size_t errlen)
{
	uint16_t type;

	if (out->flags & DHCP6_HAS_CLIENT_ID)
		return util_errf(err, errlen, "%s", "repeated Client Identifier option");
	if (o->len < 3 || o->len > DHCP6_DUID_MAX)
		return util_errf(
			err, errlen, "DUID of %zu octets, not 3..%d", o->len, DHCP6_DUID_MAX);
	type = get16(o->v);
	if ((type == DUID_LLT && o->len < 9) || (type == DUID_EN && o->len < 7) ||
		(type == DUID_LL && o->len < 5) || (type == DUID_UUID && o->len != 18))
		return util_errf(err, errlen, "DUID type %u of %zu octets", type, o->len);
	memcpy(out->duid, o->v, o->len);
	out->duid_len = o->len;
	out->flags |= DHCP6_HAS_CLIENT_ID;
	/* RFC 8415 §11.2/11.4: hardware type, then (LLT) time, then the link-layer address. */
	if (type == DUID_LLT && o->len == 14 && get16(o->v + 2) == HWTYPE_ETHERNET &&
		!(o->v[8] & 1)) {
		memcpy(out->mac.b, o->v + 8, 6);
		out->mac_source = DHCP6_MAC_DUID_LLT;
	} else if (type == DUID_LL && o->len == 10 && get16(o->v + 2) == HWTYPE_ETHERNET &&
		!(o->v[4] & 1)) {
		memcpy(out->mac.b, o->v + 4, 6);
		out->mac_source = DHCP6_MAC_DUID_LL;
	}
	return 0;
}

static int take_oro(const struct opt *o, struct dhcp6_info *out, char *err, size_t errlen)
{
	if (out->flags & DHCP6_HAS_ORO)
		return util_errf(err, errlen, "%s", "repeated Option Request option");
	if (o->len % 2)
		return util_errf(err, errlen, "Option Request option of odd length %zu", o->len);
	if (o->len / 2 > DHCP6_ORO_MAX)
		return util_errf(
			err, errlen, "Option Request option of more than %d codes", DHCP6_ORO_MAX);
	for (size_t i = 0; i < o->len / 2; i++)
		out->oro[i] = get16(o->v + 2 * i);
	out->oro_len = o->len / 2;
	out->flags |= DHCP6_HAS_ORO;
	return 0;
}

/* RFC 8415 §21.16: enterprise-number, then vendor-class-data items of 2-octet length. */
static int take_vendor(
	const struct opt *o, struct dhcp6_info *out, struct ctx *c, char *err, size_t errlen)
{
	bool keep = !c->seen_vendor, ok = true;
	size_t off = 4, n = 0;

	if (o->len < 4)
		return util_errf(err, errlen, "Vendor Class option of %zu octets", o->len);
	while (off < o->len) {
		size_t ilen;

		if (o->len - off < 2)
			return util_errf(err, errlen, "%s", "vendor-class-data length truncated");
		ilen = get16(o->v + off);
		if (ilen > o->len - off - 2)
			return util_errf(
				err, errlen, "%s", "vendor-class-data item runs past the option");
		off += 2;
		if (!is_text(o->v + off, ilen) || n + (n ? 1 : 0) + ilen >= DHCP6_TEXT_MAX)
			ok = false;
		if (keep && ok) {
			if (n)
				out->vendor_class[n++] = ' ';
			memcpy(out->vendor_class + n, o->v + off, ilen);
			n += ilen;
			out->vendor_class[n] = '\0';
		}
		off += ilen;
	}
	if (!keep)
		return 0; /* one per enterprise may follow; the first is kept */
	c->seen_vendor = true;
	out->vendor_enterprise = (uint32_t)get16(o->v) << 16 | get16(o->v + 2);
	if (ok) {
		out->flags |= DHCP6_HAS_VENDOR_CLASS;
	} else {
		out->vendor_class[0] = '\0';
		out->flags |= DHCP6_BAD_VENDOR_CLASS;
	}
	return 0;
}

/* RFC 4704 §4.1: flags, then a domain name in DNS wire format, uncompressed, maybe partial. */
static int take_fqdn(const struct opt *o, struct dhcp6_info *out, char *err, size_t errlen)
{
	size_t off = 1, n = 0;
	bool ok = true;

	if (out->flags & (DHCP6_HAS_FQDN | DHCP6_BAD_FQDN))
		return util_errf(err, errlen, "%s", "repeated Client FQDN option");
	if (o->len < 1)
		return util_errf(err, errlen, "%s", "empty Client FQDN option");
	if (o->v[0] & FQDN_RESERVED)
		return util_errf(
			err, errlen, "Client FQDN flags 0x%02x have reserved bits set", o->v[0]);
	out->fqdn_flags = o->v[0];
	while (off < o->len) {
		size_t l = o->v[off++];

		if (l == 0) {
			if (off != o->len)
				return util_errf(
					err, errlen, "%s", "Client FQDN has data after the root");
			break;
		}
		if (l > 63)
			return util_errf(
				err, errlen, "Client FQDN label of %zu octets (or compressed)", l);
		if (l > o->len - off)
			return util_errf(
				err, errlen, "%s", "Client FQDN label runs past the option");
		if (!is_text(o->v + off, l) || memchr(o->v + off, '.', l) ||
			n + (n ? 1 : 0) + l >= DHCP6_TEXT_MAX)
			ok = false;
		if (ok) {
			if (n)
				out->fqdn[n++] = '.';
			memcpy(out->fqdn + n, o->v + off, l);
			n += l;
			out->fqdn[n] = '\0';
		}
		off += l;
	}
	if (ok) {
		out->flags |= DHCP6_HAS_FQDN;
	} else {
		out->fqdn[0] = '\0';
		out->flags |= DHCP6_BAD_FQDN;
	}
	return 0;
}

static void take_mud(const struct opt *o, struct dhcp6_info *out, struct ctx *c)
{
	bool repeated = c->seen_mud;

	c->seen_mud = true;
	/* RFC 8520 §10: at most 255 octets. Two URLs are no URL. */
	if (repeated || o->len == 0 || o->len > 255 || !is_text(o->v, o->len)) {
		out->mud_url[0] = '\0';
		out->flags &= ~DHCP6_HAS_MUD_URL;
		out->flags |= DHCP6_BAD_MUD_URL;
		return;
	}
	memcpy(out->mud_url, o->v, o->len);
	out->mud_url[o->len] = '\0';
	out->flags |= DHCP6_HAS_MUD_URL;
}

static int parse_msg(const uint8_t *p, size_t len, unsigned depth, struct dhcp6_info *out,
	struct ctx *c, char *err, size_t errlen)
{
	const uint8_t *inner = NULL;
	size_t off, inner_len = 0;
	struct opt o;
	int ret;

	if (len < 1)
		return util_errf(err, errlen, "%s", "empty message");
	if (p[0] == 0 || p[0] > DHCP6_RELAY_REPL)
		return util_errf(
			err, errlen, "msg-type %u is not a client, server or relay message", p[0]);
	if (p[0] == DHCP6_RELAY_FORW || p[0] == DHCP6_RELAY_REPL) {
		bool seen_lladdr = false;

		if (depth >= DHCP6_RELAY_MAX)
			return util_errf(err, errlen, "relay messages nested deeper than %d",
				DHCP6_RELAY_MAX);
		if (len < RELAY_HDR_LEN)
			return util_errf(err, errlen,
				"relay message of %zu octets, shorter than its "
				"header",
				len);
		memcpy(&out->link_addr, p + 2, 16);
		memcpy(&out->peer_addr, p + 18, 16);
		out->relay_depth = depth + 1;
		out->flags |= DHCP6_HAS_RELAY;
		/* Only the relay next to the client saw the client's own link-layer address. */
		c->relay_mac_set = false;
		off = RELAY_HDR_LEN;
		while ((ret = next_opt(p, len, &off, &o, err, errlen)) > 0) {
			if (o.code == OPT_RELAY_MSG) {
				if (inner)
					return util_errf(err, errlen, "%s",
						"relay message with two Relay Message options");
				inner = o.v;
				inner_len = o.len;
			} else if (o.code == OPT_CLIENT_LINKLAYER_ADDR) {
				/* RFC 6939: link-layer type, then the address. */
				if (seen_lladdr)
					return util_errf(err, errlen, "%s",
						"repeated Client Link-Layer Address option");
				seen_lladdr = true;
				if (o.len < 3)
					return util_errf(err, errlen,
						"Client Link-Layer Address option of %zu octets",
						o.len);
				if (get16(o.v) == HWTYPE_ETHERNET && o.len == 8 && !(o.v[2] & 1)) {
					memcpy(c->relay_mac.b, o.v + 2, 6);
					c->relay_mac_set = true;
				}
			}
		}
		if (ret < 0)
			return ret;
		if (!inner)
			return util_errf(
				err, errlen, "%s", "relay message without a Relay Message option");
		return parse_msg(inner, inner_len, depth + 1, out, c, err, errlen);
	}

	if (len < MSG_HDR_LEN)
		return util_errf(
			err, errlen, "message of %zu octets, shorter than its header", len);
	out->msg_type = p[0];
	out->xid = (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	off = MSG_HDR_LEN;
	while ((ret = next_opt(p, len, &off, &o, err, errlen)) > 0) {
		switch (o.code) {
		case OPT_CLIENTID:
			ret = take_duid(&o, out, err, errlen);
			break;
		case OPT_ORO:
			ret = take_oro(&o, out, err, errlen);
			break;
		case OPT_VENDOR_CLASS:
			ret = take_vendor(&o, out, c, err, errlen);
			break;
		case OPT_CLIENT_FQDN:
			ret = take_fqdn(&o, out, err, errlen);
			break;
		case OPT_MUD_URL_V6:
			take_mud(&o, out, c);
			break;
		default:
			break;
		}
		if (ret < 0)
			return ret;
	}
	return ret;
}

int dhcp6_parse(const uint8_t *buf, size_t len, struct dhcp6_info *out, char *err, size_t errlen)
{
	struct ctx c = {0};
	int ret;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	if (!buf || len > DHCP6_MAX)
		ret = util_errf(err, errlen, "message of %zu octets", buf ? len : 0);
	else
		ret = parse_msg(buf, len, 0, out, &c, err, errlen);
	if (ret) {
		memset(out, 0, sizeof(*out));
		return ret;
	}
	if (c.relay_mac_set) {
		out->mac = c.relay_mac;
		out->mac_source = DHCP6_MAC_RELAY_LLADDR;
	}
	if (out->mac_source != DHCP6_MAC_NONE)
		out->flags |= DHCP6_HAS_MAC;
	return 0;
}
