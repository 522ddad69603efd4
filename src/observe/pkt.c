/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ethernet frame decoding: link, network and transport headers, bounded by what was captured. */
#include "observe/pkt.h"

#include <errno.h>
#include <string.h>

#include "core/util.h"

#define ETH_HLEN_    14
#define ETHT_VLAN    0x8100
#define ETHT_QINQ    0x88a8
#define ETHT_IPV4    0x0800
#define ETHT_IPV6    0x86dd
#define IPPROTO_UDP_ 17
#define IPPROTO_TCP_ 6

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static int transport(
	const uint8_t *p, size_t have, size_t want, struct pkt *out, char *err, size_t errlen)
{
	/* have: octets captured from here; want: what the IP header says the datagram holds. */
	if (want < have) /* Ethernet padding after a short datagram */
		have = want;
	else if (want > have)
		out->flags |= PKT_TRUNCATED;
	if (out->proto == IPPROTO_UDP_) {
		size_t ulen;

		if (have < 8) {
			out->flags |= PKT_TRUNCATED;
			return 0;
		}
		ulen = be16(p + 4);
		if (ulen < 8)
			return util_errf(err, errlen, "UDP length %zu under 8", ulen);
		if (ulen > want)
			return util_errf(err, errlen, "UDP length %zu past the IP datagram", ulen);
		out->sport = be16(p);
		out->dport = be16(p + 2);
		out->payload = p + 8;
		out->payload_len = (ulen < have ? ulen : have) - 8;
		if (ulen > have)
			out->flags |= PKT_TRUNCATED;
		out->flags |= PKT_HAS_UDP;
		return 0;
	}
	if (out->proto == IPPROTO_TCP_) {
		size_t hlen;

		if (have < 20) {
			out->flags |= PKT_TRUNCATED;
			return 0;
		}
		hlen = (size_t)(p[12] >> 4) * 4;
		if (hlen < 20)
			return util_errf(err, errlen, "TCP data offset %zu under 20", hlen);
		if (hlen > want)
			return util_errf(err, errlen, "TCP header past the IP datagram");
		if (hlen > have) {
			out->flags |= PKT_TRUNCATED;
			return 0;
		}
		out->sport = be16(p);
		out->dport = be16(p + 2);
		out->tcp = p;
		out->tcp_hlen = hlen;
		out->tcp_flags = p[13];
		out->tcp_window = be16(p + 14);
		out->payload = p + hlen;
		out->payload_len = have - hlen;
		out->flags |= PKT_HAS_TCP;
		return 0;
	}
	if (out->proto == 58 && out->family == AF_INET6) {
		out->payload = p;
		out->payload_len = have;
		out->flags |= PKT_ICMP6;
	}
	return 0;
}

/* A first fragment: the transport header says how long the whole datagram is, this fragment
 * holds the start of it. Decoded as if the datagram were there and the capture cut it. */
static int first_fragment(
	const uint8_t *p, size_t have, size_t want, struct pkt *out, char *err, size_t errlen)
{
	size_t whole = want;

	if (out->proto == IPPROTO_UDP_ && have >= 8 && want >= 8 && be16(p + 4) > want)
		whole = be16(p + 4);
	if (have > want)
		have = want; /* Ethernet padding is not payload */
	out->flags |= PKT_TRUNCATED;
	return transport(p, have, whole, out, err, errlen);
}

static int ipv4(const uint8_t *p, size_t have, struct pkt *out, char *err, size_t errlen)
{
	size_t ihl, tot;

	if (have < 20) {
		out->flags |= PKT_TRUNCATED;
		return 0;
	}
	if ((p[0] >> 4) != 4)
		return util_errf(err, errlen, "IPv4 ethertype with IP version %u", p[0] >> 4);
	ihl = (size_t)(p[0] & 15) * 4;
	tot = be16(p + 2);
	if (ihl < 20)
		return util_errf(err, errlen, "IPv4 header length %zu under 20", ihl);
	/* A total length of 0 is TCP segmentation offload in a capture: trust the capture. */
	if (tot == 0)
		tot = have;
	if (tot < ihl)
		return util_errf(err, errlen, "IPv4 total length %zu under its header", tot);
	if (ihl > have) {
		out->flags |= PKT_TRUNCATED;
		return 0;
	}
	out->family = AF_INET;
	memcpy(&out->src.v4, p + 12, 4);
	memcpy(&out->dst.v4, p + 16, 4);
	out->ttl = p[8];
	out->proto = p[9];
	out->flags |= PKT_HAS_IP;
	if (be16(p + 6) & 0x4000)
		out->flags |= PKT_IP_DF;
	if (be16(p + 6) & 0x1fff) {
		out->flags |= PKT_FRAGMENT;
		return 0;
	}
	/* The first fragment of a larger datagram: its transport header is here, the rest of
	 * the payload comes later. What it holds is read as a truncated capture would be. */
	if (be16(p + 6) & 0x2000)
		return first_fragment(p + ihl, have - ihl, tot - ihl, out, err, errlen);
	return transport(p + ihl, have - ihl, tot - ihl, out, err, errlen);
}

static int ipv6(const uint8_t *p, size_t have, struct pkt *out, char *err, size_t errlen)
{
	size_t off = 40, plen, end;
	bool more = false;
	uint8_t nh;

	if (have < 40) {
		out->flags |= PKT_TRUNCATED;
		return 0;
	}
	if ((p[0] >> 4) != 6)
		return util_errf(err, errlen, "IPv6 ethertype with IP version %u", p[0] >> 4);
	plen = be16(p + 4);
	if (plen == 0) /* a jumbogram or segmentation offload: trust the capture */
		plen = have - 40;
	end = 40 + plen;
	out->family = AF_INET6;
	memcpy(&out->src.v6, p + 8, 16);
	memcpy(&out->dst.v6, p + 24, 16);
	out->ttl = p[7];
	out->flags |= PKT_HAS_IP;
	nh = p[6];
	/* Extension headers (RFC 8200 §4): a bounded walk. */
	for (int i = 0; i < 8; i++) {
		size_t hl;

		if (nh != 0 && nh != 43 && nh != 60 && nh != 44)
			break;
		if (off + 8 > end)
			return util_errf(err, errlen, "IPv6 extension header past the payload");
		if (off + 8 > have) {
			out->flags |= PKT_TRUNCATED;
			out->proto = nh;
			return 0;
		}
		if (nh == 44) { /* fragment: offset in the upper 13 bits of octets 2-3, M bit 0 */
			if (be16(p + off + 2) & 0xfff8) {
				out->proto = p[off];
				out->flags |= PKT_FRAGMENT;
				return 0;
			}
			if (be16(p + off + 2) & 1)
				more = true;
			hl = 8;
		} else {
			hl = ((size_t)p[off + 1] + 1) * 8;
		}
		nh = p[off];
		off += hl;
	}
	out->proto = nh;
	if (off > end)
		return util_errf(err, errlen, "IPv6 extension header past the payload");
	if (off > have) {
		out->flags |= PKT_TRUNCATED;
		return 0;
	}
	if (more)
		return first_fragment(p + off, have - off, end - off, out, err, errlen);
	return transport(p + off, have - off, end - off, out, err, errlen);
}

int pkt_decode(const uint8_t *f, size_t caplen, struct pkt *out, char *err, size_t errlen)
{
	size_t off = 12;
	uint16_t type;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (caplen < ETH_HLEN_)
		return util_errf(err, errlen, "frame shorter than an Ethernet header");
	memcpy(out->dst_mac, f, 6);
	memcpy(out->src_mac, f + 6, 6);
	type = be16(f + off);
	while ((type == ETHT_VLAN || type == ETHT_QINQ) && out->vlans < 2) {
		if (caplen < off + 6) {
			out->flags |= PKT_TRUNCATED;
			return 0;
		}
		off += 4;
		out->vlans++;
		type = be16(f + off);
	}
	off += 2;
	out->ethertype = type;
	out->l3 = f + off;
	out->l3_len = caplen - off;
	if (type == ETHT_IPV4)
		ret = ipv4(f + off, caplen - off, out, err, errlen);
	else if (type == ETHT_IPV6)
		ret = ipv6(f + off, caplen - off, out, err, errlen);
	if (ret < 0) {
		memset(out, 0, sizeof(*out));
		return ret;
	}
	return 0;
}
