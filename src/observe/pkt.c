/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ethernet frame decoding: link, network and transport headers, bounded by what was captured. */
#include "observe/pkt.h"

#include <errno.h>
#include <pcap/dlt.h>
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

bool pkt_link_supported(int dlt)
{
	return dlt == DLT_EN10MB || dlt == DLT_LINUX_SLL || dlt == DLT_LINUX_SLL2 ||
		dlt == DLT_NULL || dlt == DLT_LOOP || dlt == DLT_RAW || dlt == DLT_IPV4 ||
		dlt == DLT_IPV6;
}

/* An Ethernet header of source src (NULL: zeros) and type in front of len octets. */
static const uint8_t *with_ethernet(const uint8_t *src, uint16_t type, const uint8_t *l3,
	size_t len, uint8_t *buf, size_t buflen, size_t *flen)
{
	if (len > buflen || buflen - len < ETH_HLEN_)
		return NULL;
	memset(buf, 0, 12);
	if (src)
		memcpy(buf + 6, src, 6);
	buf[12] = (uint8_t)(type >> 8);
	buf[13] = (uint8_t)type;
	memcpy(buf + ETH_HLEN_, l3, len);
	*flen = len + ETH_HLEN_;
	return buf;
}

/* Bare IP: the version nibble says which. */
static const uint8_t *ip_frame(
	const uint8_t *l3, size_t len, uint8_t *buf, size_t buflen, size_t *flen)
{
	if (len == 0 || ((l3[0] >> 4) != 4 && (l3[0] >> 4) != 6))
		return NULL;
	return with_ethernet(
		NULL, (l3[0] >> 4) == 4 ? ETHT_IPV4 : ETHT_IPV6, l3, len, buf, buflen, flen);
}

const uint8_t *pkt_link_frame(
	int dlt, const uint8_t *in, size_t len, uint8_t *buf, size_t buflen, size_t *flen)
{
	switch (dlt) {
	case DLT_EN10MB:
		*flen = len;
		return in;
	case DLT_LINUX_SLL: /* type(2) arphrd(2) addr len(2) addr(8) protocol(2) */
		if (len < 16 || be16(in + 4) != 6)
			return NULL;
		return with_ethernet(in + 6, be16(in + 14), in + 16, len - 16, buf, buflen, flen);
	case DLT_LINUX_SLL2: /* protocol(2) reserved(2) ifindex(4) arphrd(2) type(1) len(1) addr(8) */
		if (len < 20 || in[11] != 6)
			return NULL;
		return with_ethernet(in + 12, be16(in), in + 20, len - 20, buf, buflen, flen);
	case DLT_NULL: /* BSD loopback: a 4-octet address family first */
	case DLT_LOOP:
		return len < 4 ? NULL : ip_frame(in + 4, len - 4, buf, buflen, flen);
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return ip_frame(in, len, buf, buflen, flen);
	default:
		return NULL;
	}
}
