/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The LAN packet socket: opened by the privileged parent with a locked BPF filter, read by the
 * engine (DESIGN §3). Only what the sensors need gets through the kernel filter. */
#include "observe/capture.h"

#include "observe/dhcp.h"
#include "observe/dhcp6.h"
#include "observe/lldp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SO_LOCK_FILTER
#define SO_LOCK_FILTER 44
#endif

/*
 * Classic BPF over the Ethernet frame, as the kernel hands it to a packet socket (802.1Q tags
 * already taken off). What passes is what the sensors need from the devices, cut to
 * CAPTURE_SNAPLEN; everything else never leaves the kernel:
 *  - LLDP, and IPv4 UDP to 67 / IPv6 UDP to 547: DHCP and DHCPv6 client messages (MUD URLs,
 *    fingerprints);
 *  - ICMPv6 neighbour solicitations and advertisements: SLAAC and privacy addresses;
 *  - UDP to 53: DNS queries (the answers, from 53, are not needed);
 *  - UDP from or to 5353 (mDNS) and 1900 (SSDP): announcements, queries and the unicast answers
 *    to them;
 *  - TCP with SYN and without ACK, any port: the SYN signature (a SYN+ACK is a server's);
 *  - TCP with at least four octets of payload that start a TLS record of type handshake
 *    (0x16 0x03: the ClientHello), an HTTP/1.x request (GET, POST, HEAD, PUT, OPTIONS, DELETE,
 *    PATCH, CONNECT and the UPnP/SSDP NOTIFY, SUBSCRIBE, M-SEARCH) or an HTTP response. The
 *    filter keeps no state: it passes any segment whose payload starts so (a connection's
 *    first data, but also a later segment that happens to), never an ACK without payload or
 *    a segment whose payload starts otherwise. The payload length comes from the IP header,
 *    so Ethernet padding after a short segment is never taken for payload.
 * Never a frame the host sends (PACKET_OUTGOING, checked first): the gateway's own traffic
 * and everything it forwards toward a device would otherwise reach the engine. Never an IPv4
 * fragment other than the first (it has no transport header). IPv6 is looked at only when
 * UDP, TCP or ICMPv6 follows the fixed header directly: a packet with extension headers does
 * not pass. The filter cannot know which interface is the LAN: the engine drops what did not
 * come from it.
 *
 * The program is written in blocks. L_* is where a block starts (the previous block's start
 * plus its length); each instruction is put at its offset in the block by a designated
 * initializer, so a block longer than counted overlaps the next and fails the build
 * (-Woverride-init), and jump offsets are computed from labels (forward only, at most 255,
 * checked at build time), never counted by hand. In every block of IP, X holds the IP header
 * length (IPv4 IHL, or 40) and M[0] the datagram's length from the IP header on.
 */
enum {
	L_OWN = 0,	      /* the host's own frames */
	L_ETH = L_OWN + 2,    /* ethertype */
	L_IP4 = L_ETH + 4,    /* IPv4: fragments, header length, protocol, DHCP */
	L_IP6 = L_IP4 + 10,   /* IPv6: next header, DHCPv6 */
	L_ICMP6 = L_IP6 + 10, /* neighbour discovery */
	L_UDP = L_ICMP6 + 3,  /* A: destination port: DNS, mDNS, SSDP */
	L_TCP = L_UDP + 6,    /* SYN, then the first payload octets */
	L_ACCEPT = L_TCP + 28,
	L_REJECT = L_ACCEPT + 1,
	L_LEN = L_REJECT + 1,
	L_NEXT = -1, /* a jump target: the next instruction */
};

/* The jump offset from pc to a label: a build error when backward or out of reach. */
#define L_OFF(pc, to)                                    \
	((uint8_t)((to) == L_NEXT ? 0 : (to) - (pc)-1) + \
		0 * sizeof(char[(to) == L_NEXT || ((to) > (pc) && (to) - (pc) <= 256) ? 1 : -1]))
#define S(pc, code, k) [pc] = BPF_STMT((code), (k))
#define J(pc, op, k, jt, jf) \
	[pc] = BPF_JUMP(BPF_JMP | (op) | BPF_K, (k), L_OFF(pc, jt), L_OFF(pc, jf))
#define W(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static struct sock_filter capture_bpf[L_LEN] = {
	S(L_OWN + 0, BPF_LD | BPF_B | BPF_ABS, (uint32_t)SKF_AD_OFF + SKF_AD_PKTTYPE),
	J(L_OWN + 1, BPF_JEQ, PACKET_OUTGOING, L_REJECT, L_NEXT),

	S(L_ETH + 0, BPF_LD | BPF_H | BPF_ABS, 12),
	J(L_ETH + 1, BPF_JEQ, ETH_P_LLDP, L_ACCEPT, L_NEXT),
	J(L_ETH + 2, BPF_JEQ, ETH_P_IP, L_IP4, L_NEXT),
	J(L_ETH + 3, BPF_JEQ, ETH_P_IPV6, L_IP6, L_REJECT),

	S(L_IP4 + 0, BPF_LD | BPF_H | BPF_ABS, 20),	  /* flags, fragment offset */
	J(L_IP4 + 1, BPF_JSET, 0x1fff, L_REJECT, L_NEXT), /* a later fragment */
	S(L_IP4 + 2, BPF_LD | BPF_H | BPF_ABS, 16),	  /* total length */
	S(L_IP4 + 3, BPF_ST, 0),			  /* M[0] */
	S(L_IP4 + 4, BPF_LDX | BPF_B | BPF_MSH, 14),	  /* X = IHL * 4 */
	S(L_IP4 + 5, BPF_LD | BPF_B | BPF_ABS, 23),	  /* protocol */
	J(L_IP4 + 6, BPF_JEQ, IPPROTO_TCP, L_TCP, L_NEXT),
	J(L_IP4 + 7, BPF_JEQ, IPPROTO_UDP, L_NEXT, L_REJECT),
	S(L_IP4 + 8, BPF_LD | BPF_H | BPF_IND, 16), /* UDP destination port */
	J(L_IP4 + 9, BPF_JEQ, 67, L_ACCEPT, L_UDP), /* DHCP server */

	S(L_IP6 + 0, BPF_LD | BPF_H | BPF_ABS, 18), /* payload length */
	S(L_IP6 + 1, BPF_ALU | BPF_ADD | BPF_K, 40),
	S(L_IP6 + 2, BPF_ST, 0),		     /* M[0] */
	S(L_IP6 + 3, BPF_LDX | BPF_W | BPF_IMM, 40), /* X = fixed header */
	S(L_IP6 + 4, BPF_LD | BPF_B | BPF_ABS, 20),  /* next header */
	J(L_IP6 + 5, BPF_JEQ, IPPROTO_TCP, L_TCP, L_NEXT),
	J(L_IP6 + 6, BPF_JEQ, IPPROTO_ICMPV6, L_ICMP6, L_NEXT),
	J(L_IP6 + 7, BPF_JEQ, IPPROTO_UDP, L_NEXT, L_REJECT),
	S(L_IP6 + 8, BPF_LD | BPF_H | BPF_IND, 16),  /* UDP destination port */
	J(L_IP6 + 9, BPF_JEQ, 547, L_ACCEPT, L_UDP), /* DHCPv6 server */

	S(L_ICMP6 + 0, BPF_LD | BPF_B | BPF_ABS, 54),	  /* ICMPv6 type */
	J(L_ICMP6 + 1, BPF_JEQ, 135, L_ACCEPT, L_NEXT),	  /* neighbour solicitation */
	J(L_ICMP6 + 2, BPF_JEQ, 136, L_ACCEPT, L_REJECT), /* neighbour advertisement */

	J(L_UDP + 0, BPF_JEQ, 53, L_ACCEPT, L_NEXT), /* a DNS query */
	J(L_UDP + 1, BPF_JEQ, 5353, L_ACCEPT, L_NEXT),
	J(L_UDP + 2, BPF_JEQ, 1900, L_ACCEPT, L_NEXT),
	S(L_UDP + 3, BPF_LD | BPF_H | BPF_IND, 14),	 /* UDP source port */
	J(L_UDP + 4, BPF_JEQ, 5353, L_ACCEPT, L_NEXT),	 /* an mDNS answer */
	J(L_UDP + 5, BPF_JEQ, 1900, L_ACCEPT, L_REJECT), /* an M-SEARCH answer */

	S(L_TCP + 0, BPF_LD | BPF_B | BPF_IND, 14 + 13), /* flags */
	S(L_TCP + 1, BPF_ALU | BPF_AND | BPF_K, 0x12),	 /* SYN, ACK */
	J(L_TCP + 2, BPF_JEQ, 0x02, L_ACCEPT, L_NEXT),	 /* a SYN */
	S(L_TCP + 3, BPF_LD | BPF_B | BPF_IND, 14 + 12), /* data offset << 4 */
	S(L_TCP + 4, BPF_ALU | BPF_RSH | BPF_K, 2),
	S(L_TCP + 5, BPF_ALU | BPF_AND | BPF_K, 0x3c), /* TCP header length */
	J(L_TCP + 6, BPF_JGE, 20, L_NEXT, L_REJECT),   /* under 5 words: bogus */
	S(L_TCP + 7, BPF_ALU | BPF_ADD | BPF_X, 0),
	S(L_TCP + 8, BPF_MISC | BPF_TAX, 0),		  /* X = IP + TCP headers */
	S(L_TCP + 9, BPF_LD | BPF_MEM, 0),		  /* datagram length */
	S(L_TCP + 10, BPF_ALU | BPF_SUB | BPF_X, 0),	  /* payload length */
	J(L_TCP + 11, BPF_JGT, 0xffff, L_REJECT, L_NEXT), /* negative: bogus */
	J(L_TCP + 12, BPF_JGE, 4, L_NEXT, L_REJECT),	  /* an ACK, a short segment */
	S(L_TCP + 13, BPF_LD | BPF_W | BPF_IND, 14),	  /* first payload octets */
	J(L_TCP + 14, BPF_JEQ, W('G', 'E', 'T', ' '), L_ACCEPT, L_NEXT),
	J(L_TCP + 15, BPF_JEQ, W('P', 'O', 'S', 'T'), L_ACCEPT, L_NEXT),
	J(L_TCP + 16, BPF_JEQ, W('H', 'E', 'A', 'D'), L_ACCEPT, L_NEXT),
	J(L_TCP + 17, BPF_JEQ, W('P', 'U', 'T', ' '), L_ACCEPT, L_NEXT),
	J(L_TCP + 18, BPF_JEQ, W('O', 'P', 'T', 'I'), L_ACCEPT, L_NEXT),
	J(L_TCP + 19, BPF_JEQ, W('D', 'E', 'L', 'E'), L_ACCEPT, L_NEXT),
	J(L_TCP + 20, BPF_JEQ, W('P', 'A', 'T', 'C'), L_ACCEPT, L_NEXT),
	J(L_TCP + 21, BPF_JEQ, W('C', 'O', 'N', 'N'), L_ACCEPT, L_NEXT),
	J(L_TCP + 22, BPF_JEQ, W('N', 'O', 'T', 'I'), L_ACCEPT, L_NEXT),
	J(L_TCP + 23, BPF_JEQ, W('S', 'U', 'B', 'S'), L_ACCEPT, L_NEXT),
	J(L_TCP + 24, BPF_JEQ, W('M', '-', 'S', 'E'), L_ACCEPT, L_NEXT),
	J(L_TCP + 25, BPF_JEQ, W('H', 'T', 'T', 'P'), L_ACCEPT, L_NEXT), /* a response */
	S(L_TCP + 26, BPF_ALU | BPF_RSH | BPF_K, 16),
	J(L_TCP + 27, BPF_JEQ, 0x1603, L_ACCEPT, L_REJECT), /* TLS handshake record */

	S(L_ACCEPT, BPF_RET | BPF_K, CAPTURE_SNAPLEN),
	S(L_REJECT, BPF_RET | BPF_K, 0),
};

#undef W
#undef J
#undef S
#undef L_OFF

int capture_open(int *out)
{
	struct sock_fprog prog = {.len = ARRAY_SIZE(capture_bpf), .filter = capture_bpf};
	int one = 1, fd, ret;

	*out = -1;
	/* Protocol 0 first: nothing is queued before the filter is in place. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
		setsockopt(fd, SOL_SOCKET, SO_LOCK_FILTER, &one, sizeof(one)) < 0)
		goto fail;
	{
		struct sockaddr_ll sll = {
			.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL)};

		if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
			goto fail;
	}
	*out = fd;
	return 0;
fail:
	ret = -errno;
	close(fd);
	return ret;
}

const struct sock_fprog *capture_filter(void)
{
	static const struct sock_fprog prog = {
		.len = ARRAY_SIZE(capture_bpf), .filter = capture_bpf};

	return &prog;
}

struct lan_cache {
	int ifindex, lan;
	bool member, port;
};

bool capture_on_lan(int ifindex, int lan_ifindex, bool *is_port)
{
	static struct lan_cache cache[32];
	char name[IF_NAMESIZE], path[64 + IF_NAMESIZE], link[256];
	struct lan_cache *slot = &cache[(unsigned)ifindex % ARRAY_SIZE(cache)];
	ssize_t n;

	*is_port = false;
	if (lan_ifindex <= 0 || ifindex <= 0)
		return false;
	if (ifindex == lan_ifindex)
		return true;
	if (slot->ifindex == ifindex && slot->lan == lan_ifindex) {
		*is_port = slot->port;
		return slot->member;
	}
	slot->ifindex = ifindex;
	slot->lan = lan_ifindex;
	slot->member = slot->port = false;
	if (!if_indextoname((unsigned)ifindex, name))
		return false;
	snprintf(path, sizeof(path), "/sys/class/net/%s/master", name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		const char *base;
		char lan[IF_NAMESIZE];

		link[n] = 0;
		base = strrchr(link, '/');
		base = base ? base + 1 : link;
		if (if_indextoname((unsigned)lan_ifindex, lan) && strcmp(base, lan) == 0)
			slot->member = slot->port = true;
	}
	*is_port = slot->port;
	return slot->member;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static int from_dhcp4(const uint8_t *udp, size_t len, const uint8_t *src, struct capture_mud *out,
	char *err, size_t errlen)
{
	struct dhcp4_info d;

	if (dhcp4_parse(udp, len, &d, err, errlen) < 0)
		return -EINVAL;
	if (d.op != DHCP4_BOOTREQUEST || !(d.flags & DHCP4_HAS_MUD_URL))
		return 0;
	/* A relayed request (giaddr set) comes from the relay: the client is chaddr. */
	if (d.giaddr.s_addr && (d.flags & DHCP4_HAS_CHADDR))
		out->mac = d.chaddr;
	else if (d.giaddr.s_addr)
		return 0; /* no Ethernet chaddr: the relay's own MAC is not the device */
	else
		memcpy(out->mac.b, src, 6);
	out->source = HG_SRC_DHCP;
	out->family = AF_INET;
	snprintf(out->url, sizeof(out->url), "%s", d.mud_url);
	return 1;
}

static int from_dhcp6(const uint8_t *udp, size_t len, const uint8_t *src, struct capture_mud *out,
	char *err, size_t errlen)
{
	struct dhcp6_info d;

	if (dhcp6_parse(udp, len, &d, err, errlen) < 0)
		return -EINVAL;
	if (!(d.flags & DHCP6_HAS_MUD_URL) || d.msg_type == DHCP6_ADVERTISE ||
		d.msg_type == DHCP6_REPLY || d.msg_type == DHCP6_RECONFIGURE)
		return 0;
	if (d.relay_depth && (d.flags & DHCP6_HAS_MAC) && d.mac_source == DHCP6_MAC_RELAY_LLADDR)
		out->mac = d.mac;
	else if (d.relay_depth)
		return 0; /* relayed without the client's link-layer address: no device to bind */
	else
		memcpy(out->mac.b, src, 6);
	out->source = HG_SRC_DHCPV6;
	out->family = AF_INET6;
	snprintf(out->url, sizeof(out->url), "%s", d.mud_url);
	return 1;
}

int capture_mud_url(const uint8_t *f, size_t len, struct capture_mud *out, char *err, size_t errlen)
{
	size_t off = 12;
	uint16_t type;

	memset(out, 0, sizeof(*out));
	if (len < 14)
		return util_errf(err, errlen, "frame shorter than an Ethernet header");
	if (f[6] & 1)
		return util_errf(err, errlen, "multicast source MAC");
	type = be16(f + off);
	if (type == 0x8100) {
		if (len < 18)
			return util_errf(err, errlen, "truncated 802.1Q tag");
		off += 4;
		type = be16(f + off);
	}
	off += 2;
	if (type == ETH_P_LLDP) {
		struct lldp_info li;

		if (lldp_parse_frame(f, len, &li, err, errlen) < 0)
			return -EINVAL;
		if (!(li.flags & LLDP_HAS_MUD_URL))
			return 0;
		memcpy(out->mac.b, f + 6, 6);
		out->source = HG_SRC_LLDP;
		snprintf(out->url, sizeof(out->url), "%s", li.mud_url);
		return 1;
	}
	if (type == ETH_P_IP) {
		const uint8_t *ip = f + off;
		size_t ihl, tot;

		if (len - off < 20)
			return util_errf(err, errlen, "truncated IPv4 header");
		ihl = (size_t)(ip[0] & 15) * 4;
		tot = be16(ip + 2);
		if ((ip[0] >> 4) != 4 || ihl < 20 || tot < ihl + 8 || tot > len - off)
			return util_errf(err, errlen, "bad IPv4 header lengths");
		if (ip[9] != 17 || (be16(ip + 6) & 0x3fff))
			return 0; /* not UDP, or a fragment */
		if (be16(ip + ihl + 2) != 67)
			return 0;
		if (be16(ip + ihl + 4) < 8 || be16(ip + ihl + 4) > tot - ihl)
			return util_errf(err, errlen, "bad UDP length");
		return from_dhcp4(ip + ihl + 8, be16(ip + ihl + 4) - 8u, f + 6, out, err, errlen);
	}
	if (type == ETH_P_IPV6) {
		const uint8_t *ip = f + off;
		size_t plen;

		if (len - off < 48)
			return util_errf(err, errlen, "truncated IPv6 header");
		plen = be16(ip + 4);
		if ((ip[0] >> 4) != 6 || plen < 8 || plen > len - off - 40)
			return util_errf(err, errlen, "bad IPv6 payload length");
		if (ip[6] != 17 || be16(ip + 40 + 2) != 547)
			return 0;
		if (be16(ip + 40 + 4) < 8 || be16(ip + 40 + 4) > plen)
			return util_errf(err, errlen, "bad UDP length");
		return from_dhcp6(ip + 48, be16(ip + 44) - 8u, f + 6, out, err, errlen);
	}
	return 0;
}

int capture_ndp_addr(const uint8_t *f, size_t len, struct hg_mac *mac, struct in6_addr *addr)
{
	static const uint8_t unspec[16];
	const uint8_t *ip, *icmp, *a;
	size_t off = 12;

	if (len < 14 || (f[6] & 1))
		return 0;
	if (be16(f + off) == 0x8100) {
		if (len < 18)
			return 0;
		off += 4;
	}
	if (be16(f + off) != ETH_P_IPV6)
		return 0;
	ip = f + off + 2;
	/* fixed header, then an ICMPv6 NS or NA: type, code, checksum, reserved, target */
	if (len - (off + 2) < 40 + 24 || (ip[0] >> 4) != 6 || ip[6] != 58 || be16(ip + 4) < 24 ||
		be16(ip + 4) > len - (off + 2) - 40)
		return 0;
	icmp = ip + 40;
	/* RFC 4861 7.1.1/7.1.2: hop limit 255 and code 0, else not neighbour discovery */
	if (ip[7] != 255 || icmp[1] != 0 || (icmp[0] != 135 && icmp[0] != 136))
		return 0;
	/* DAD (NS from ::) names the address being claimed; an NA names the sender's; another NS
	 * is sent from the sender's own address. */
	if (icmp[0] == 135 && memcmp(ip + 8, unspec, 16) != 0)
		a = ip + 8;
	else
		a = icmp + 8;
	/* Link-local addresses never carry routed traffic toward the device; multicast and
	 * unspecified are no device's address. */
	if (a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || memcmp(a, unspec, 16) == 0)
		return 0;
	memcpy(mac->b, f + 6, 6);
	memcpy(addr, a, 16);
	return 1;
}
