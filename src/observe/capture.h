/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The LAN packet socket: opened by the privileged parent with a locked BPF filter, read by the
 * engine (DESIGN §3). Only what the sensors need gets through the kernel filter. */
#ifndef HG_CAPTURE_H
#define HG_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/events.h"

/* What the filter passes of a frame: DHCP, DHCPv6, LLDP, DNS, mDNS, SSDP and a TCP segment in
 * an Ethernet MTU (a TLS ClientHello's first segment) fit; longer frames (jumbo, GRO-merged
 * segments) are truncated. */
#define CAPTURE_SNAPLEN 2048

/* Opens a non-blocking AF_PACKET socket that receives, on every interface, what device
 * identification needs and nothing more: LLDP frames; DHCPv4 and DHCPv6 client messages (UDP
 * to port 67 / 547); ICMPv6 neighbour solicitations and advertisements; DNS queries (UDP to
 * 53); mDNS and SSDP (UDP from or to 5353 / 1900); TCP SYNs without ACK; TCP segments whose
 * payload starts a TLS handshake record or an HTTP/1.x request or response. Never a frame the
 * host itself sends, nor an IPv4 fragment other than the first; IPv6 only with UDP, TCP or
 * ICMPv6 right after the fixed header. Frames come from every interface, the WAN included:
 * the caller keeps the LAN's. The filter is locked (SO_LOCK_FILTER) so the unprivileged
 * reader cannot widen it. Needs CAP_NET_RAW. Returns 0 with *out set, or -errno. */
int capture_open(int *out);

struct sock_fprog;
/* The classic BPF program capture_open() attaches (static storage, never freed): for tests
 * that run it in the kernel on a socket of their own. */
const struct sock_fprog *capture_filter(void);

/* Whether a frame that arrived on ifindex belongs to the LAN: the LAN bridge itself, or one of
 * its ports (LLDP is link-local: a bridge hands it to the port, not to the bridge device).
 * lan_ifindex 0 means "unknown": nothing belongs. Reads /sys (cached per interface index). */
bool capture_on_lan(int ifindex, int lan_ifindex, bool *is_port);

/* A MUD URL claimed in one frame. */
struct capture_mud {
	struct hg_mac mac;     /* Ethernet source of the frame */
	enum hg_source source; /* HG_SRC_LLDP, HG_SRC_DHCP or HG_SRC_DHCPV6 */
	int family;	       /* AF_INET / AF_INET6 for DHCP, 0 for LLDP */
	char url[HG_URL_MAX];  /* as the device sent it: run mud_url_intake() on it */
};

/* Decodes an Ethernet frame (one optional 802.1Q tag) down to LLDP, or IPv4/IPv6 UDP to the
 * DHCP server ports, and looks for a MUD URL (LLDP TLV 127/00-00-5E/1, DHCPv4 option 161,
 * DHCPv6 option 112). Returns 1 with out filled, 0 when the frame carries none (or is not for
 * us), -EINVAL for a malformed frame with the reason in err. */
int capture_mud_url(
	const uint8_t *frame, size_t len, struct capture_mud *out, char *err, size_t errlen);

/* The IPv6 address a device holds, from one of its neighbour discovery messages (an NS for
 * duplicate address detection names it as target, an NA as target, another NS as source):
 * SLAAC and privacy addresses that no DHCP server hands out. Returns 1 with mac (the frame's
 * source) and addr set for a global or unique-local unicast address, else 0. */
int capture_ndp_addr(const uint8_t *frame, size_t len, struct hg_mac *mac, struct in6_addr *addr);

#endif
