/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ethernet frame decoding down to the transport payload: the one place that walks link, network
 * and transport headers, for the live socket and for capture files alike. */
#ifndef HG_PKT_H
#define HG_PKT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	PKT_HAS_IP = 1U << 0,	 /* family, src, dst, ttl set */
	PKT_HAS_UDP = 1U << 1,	 /* sport, dport, payload set */
	PKT_HAS_TCP = 1U << 2,	 /* sport, dport, tcp_*, payload set */
	PKT_TRUNCATED = 1U << 3, /* the capture stopped before the headers said it ends */
	PKT_FRAGMENT = 1U << 4,	 /* an IP fragment other than the first: no transport */
	PKT_ICMP6 = 1U << 5,	 /* ICMPv6: payload is the ICMPv6 message */
	PKT_IP_DF = 1U << 6,	 /* IPv4 don't-fragment bit */
};

struct pkt {
	unsigned flags; /* PKT_* */
	uint8_t dst_mac[6], src_mac[6];
	uint16_t ethertype; /* after any VLAN tags */
	unsigned vlans;	    /* 802.1Q / 802.1ad tags skipped (at most 2) */
	int family;	    /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} src, dst;
	uint8_t ttl;   /* IPv4 TTL or IPv6 hop limit */
	uint8_t proto; /* IPv4 protocol / IPv6 next header after extension headers */
	uint16_t sport, dport;
	const uint8_t *tcp; /* the TCP header (tcp_hlen octets, options included) */
	size_t tcp_hlen;
	uint8_t tcp_flags; /* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 */
	uint16_t tcp_window;
	const uint8_t *payload; /* transport payload, inside the caller's buffer */
	size_t payload_len;	/* what the capture holds of it (see PKT_TRUNCATED) */
	const uint8_t *l3;	/* the frame from the network header on (LLDP: the TLVs) */
	size_t l3_len;
};

/* Decodes one Ethernet frame of caplen octets (what was captured; the frame on the wire may
 * have been longer). Skips up to two VLAN tags, walks IPv4 (options; fragments), IPv6
 * (hop-by-hop, routing, destination options and fragment headers), UDP and TCP. Checksums are
 * not verified (offloading leaves them wrong in captures). A truncated capture keeps what it
 * has and sets PKT_TRUNCATED; headers that contradict themselves (an IPv4 IHL under 5, a TCP
 * data offset under 5, a UDP length under 8) are -EINVAL with the reason in err. Returns 0,
 * with *out pointing into frame (no copy, no allocation). */
int pkt_decode(const uint8_t *frame, size_t caplen, struct pkt *out, char *err, size_t errlen);

/* A capture file's frame of libpcap link type dlt (DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2,
 * DLT_NULL, DLT_LOOP, DLT_RAW, DLT_IPV4, DLT_IPV6) as the Ethernet frame pkt_decode() and the
 * live socket deal in: Ethernet as it is, a Linux cooked header turned into an Ethernet one with
 * its source address (unknown destination: zeros), bare IP behind a zero Ethernet header. Writes
 * into buf (buflen octets) when a header must be rebuilt. Returns the frame and its length in
 * *flen, or NULL for another link type or a frame too short or too long for buf. */
bool pkt_link_supported(int dlt);
const uint8_t *pkt_link_frame(
	int dlt, const uint8_t *in, size_t len, uint8_t *buf, size_t buflen, size_t *flen);

#endif
