/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The typed events sensors hand to the engine (DESIGN §1). The engine never sees packets. */
#ifndef HG_EVENTS_H
#define HG_EVENTS_H

#include <netinet/in.h>
#include <stdint.h>

#include "core/util.h"

enum hg_event_type {
	HG_EV_DEV_SEEN = 1, /* a MAC was seen on the LAN */
	HG_EV_DHCP_LEASE,   /* a lease was granted, renewed or released */
	HG_EV_MUD_URL,	    /* a MUD URL was learnt for a device */
};

/* Where a fact came from; the strength of an identity claim follows from it (DESIGN §2). */
enum hg_source {
	HG_SRC_DNSMASQ = 1, /* dnsmasq --dhcp-script hook */
	HG_SRC_DHCP,	    /* observed DHCPv4 packet */
	HG_SRC_DHCPV6,	    /* observed DHCPv6 packet */
	HG_SRC_LLDP,
	HG_SRC_QR,
	HG_SRC_DPP,
	HG_SRC_CERT,
	HG_SRC_USER,
	HG_SRC_NDP, /* observed IPv6 neighbour discovery (addresses only, never identity) */
};

enum hg_strength {
	HG_STRENGTH_WEAK = 1, /* DHCP, LLDP, fingerprint: RFC 8520 §16 */
	HG_STRENGTH_CERT,     /* IDevID certificate */
	HG_STRENGTH_STRONG,   /* DPP bootstrap key, per-device PSK */
};

const char *hg_source_name(enum hg_source src);
enum hg_strength hg_source_strength(enum hg_source src);

struct hg_addr {
	int family; /* AF_INET or AF_INET6; 0 = none */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

enum hg_lease_op {
	HG_LEASE_ADD = 1, /* new lease */
	HG_LEASE_OLD,	  /* renewal or daemon restart */
	HG_LEASE_DEL,	  /* released or expired */
};

#define HG_HOSTNAME_MAX 64
#define HG_VENDOR_MAX	256
#define HG_OPTLIST_MAX	256
#define HG_URL_MAX	256 /* DHCP option 161 is at most 255 octets */

enum {
	HG_LEASE_HAS_HOSTNAME = 1U << 0,
	HG_LEASE_HAS_VENDOR = 1U << 1,
	HG_LEASE_HAS_OPTIONS = 1U << 2,
	HG_LEASE_HAS_MUD_URL = 1U << 3,
	HG_LEASE_HAS_EXPIRES = 1U << 4,
};

struct hg_event_dhcp_lease {
	enum hg_lease_op op;
	unsigned flags; /* HG_LEASE_HAS_* say which optional fields are set */
	struct hg_mac mac;
	struct hg_addr addr;
	int64_t expires; /* epoch seconds */
	char hostname[HG_HOSTNAME_MAX];
	char vendor_class[HG_VENDOR_MAX];
	char requested_options[HG_OPTLIST_MAX]; /* "1,3,6,12,15" as sent */
	char mud_url[HG_URL_MAX];
};

struct hg_event_dev_seen {
	struct hg_mac mac;
	struct hg_addr addr;
};

struct hg_event_mud_url {
	struct hg_mac mac;
	char url[HG_URL_MAX];
};

struct hg_event {
	enum hg_event_type type;
	enum hg_source source;
	int64_t time; /* epoch seconds */
	union {
		struct hg_event_dev_seen dev_seen;
		struct hg_event_dhcp_lease lease;
		struct hg_event_mud_url mud_url;
	};
};

#endif
