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
 * Classic BPF over the Ethernet frame. Accepts LLDP; IPv4 UDP (not a later fragment) to port
 * 67; IPv6 UDP (next header 17 directly after the fixed header) to port 547. Everything else
 * never leaves the kernel.
 */
static struct sock_filter capture_bpf[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),			/* 0: ethertype */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_LLDP, 17, 0), /* 1: -> 19 accept */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 7),	/* 2: else -> 10 */
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),			/* 3: IPv4 protocol */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 17, 0, 15),		/* 4: else -> 20 reject */
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 20),			/* 5: flags, fragment offset */
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 13, 0),	/* 6: a fragment -> 20 */
	BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),		/* 7: X = IPv4 header length */
	BPF_STMT(BPF_LD | BPF_H | BPF_IND, 16),			/* 8: UDP destination port */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 67, 9, 10),		/* 9: -> 19 / 20 */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 9),	/* 10: else -> 20 */
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 20),			/* 11: IPv6 next header */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 17, 0, 2),		/* 12: else -> 15 */
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 56),			/* 13: UDP destination port */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 547, 4, 5),		/* 14: -> 19 / 20 */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 58, 0, 4),		/* 15: ICMPv6? else -> 20 */
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 54),			/* 16: ICMPv6 type */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 135, 1, 0),		/* 17: NS -> 19 */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 136, 0, 1),		/* 18: NA -> 19 / 20 */
	BPF_STMT(BPF_RET | BPF_K, CAPTURE_SNAPLEN),		/* 19: accept */
	BPF_STMT(BPF_RET | BPF_K, 0),				/* 20: reject */
};

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

/* The jump offsets above are hand-counted; this keeps them honest at build time. */
_Static_assert(ARRAY_SIZE(capture_bpf) == 21, "BPF program length changed: recount jumps");

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
