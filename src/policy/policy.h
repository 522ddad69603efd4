/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The abstract policy model: what a device may do, independent of MUD and of nftables. */
#ifndef HG_POLICY_H
#define HG_POLICY_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * A policy is an ordered list of rules, each matching traffic from the device (from-device) or
 * to it (to-device) and deciding accept or drop. The MUD compiler, class defaults and user
 * overrides all produce this model; the nftables backend consumes it (DESIGN §1, §5).
 */

enum pol_dir {
	POL_FROM_DEVICE = 0,
	POL_TO_DEVICE,
};

enum pol_family {
	POL_FAM_ANY = 0,
	POL_FAM_IPV4,
	POL_FAM_IPV6,
	POL_FAM_ETH,
};

enum pol_action {
	POL_ACCEPT = 0,
	POL_DROP, /* MUD "reject" is treated as drop (RFC 8520 §8) */
};

enum pol_port_op {
	POL_PORT_ANY = 0,
	POL_PORT_EQ,
	POL_PORT_NEQ,
	POL_PORT_LT,
	POL_PORT_GT,
	POL_PORT_RANGE, /* lo..hi inclusive */
};

struct pol_ports {
	enum pol_port_op op;
	uint16_t lo, hi;
};

/* Who is on the other end of the traffic. */
enum pol_peer {
	POL_PEER_ANY = 0,
	POL_PEER_NET,		 /* literal prefix: addr/prefix_len */
	POL_PEER_DNSNAME,	 /* value: a DNS name */
	POL_PEER_LOCAL_NETWORKS, /* the LAN prefixes */
	POL_PEER_SAME_MANUFACTURER,
	POL_PEER_MANUFACTURER,	/* value: the authority (host part of a MUD URL) */
	POL_PEER_MODEL,		/* value: a MUD URL */
	POL_PEER_CONTROLLER,	/* value: a class URI; members come from configuration only */
	POL_PEER_MY_CONTROLLER, /* members chosen by the user */
};

enum pol_initiated {
	POL_INIT_ANY = 0,
	POL_INIT_FROM_DEVICE,
	POL_INIT_TO_DEVICE,
};

#define POL_NAME_MAX  64
#define POL_VALUE_MAX 256

enum {
	POL_HAS_PROTO = 1U << 0,
	POL_HAS_ICMP_TYPE = 1U << 1,
	POL_HAS_ICMP_CODE = 1U << 2,
	POL_HAS_ETHERTYPE = 1U << 3,
	POL_LOCAL_ONLY = 1U << 4, /* a POL_PEER_NET that must also be within local-networks */
};

struct pol_rule {
	char acl[POL_NAME_MAX], name[POL_NAME_MAX]; /* where it came from, for logs and UI */
	enum pol_dir dir;
	enum pol_family family;
	unsigned flags; /* POL_HAS_* say which optional fields are set */
	uint8_t proto;	/* IP protocol */
	uint8_t icmp_type, icmp_code;
	uint16_t ethertype;
	enum pol_peer peer;
	char value[POL_VALUE_MAX];
	struct in6_addr net; /* POL_PEER_NET; IPv4 as a v4-mapped address */
	uint8_t prefix_len;  /* of the address family's own length */
	struct pol_ports src_ports, dst_ports;
	enum pol_initiated initiated;
	enum pol_action action;
};

struct pol_policy {
	struct pol_rule *rules; /* owned */
	unsigned count, cap;
};

/* Appends a copy of r; -ENOMEM or -E2BIG beyond POL_MAX_RULES. */
#define POL_MAX_RULES 4096
int pol_add(struct pol_policy *p, const struct pol_rule *r);
/* Frees the rules (not p itself). */
void pol_clear(struct pol_policy *p);

const char *pol_peer_name(enum pol_peer peer);

#endif
