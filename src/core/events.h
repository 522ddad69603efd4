/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The typed events sensors hand to the engine (DESIGN §1). The engine never sees packets. */
#ifndef HG_EVENTS_H
#define HG_EVENTS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/util.h"

enum hg_event_type {
	HG_EV_DEV_SEEN = 1, /* a MAC was seen on the LAN */
	HG_EV_DHCP_LEASE,   /* a lease was granted, renewed or released */
	HG_EV_MUD_URL,	    /* a MUD URL was learnt for a device */
	HG_EV_SIGNAL,	    /* an identification signal a device sent (observe → identify) */
	HG_EV_WIFI,	    /* a station joined or left one of the hostapds (onboard/wifi.h) */
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
	HG_SRC_NDP,	/* observed IPv6 neighbour discovery (addresses only, never identity) */
	HG_SRC_HOSTAPD, /* a hostapd's station events (association, never identity) */
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

/* What a device says about itself on the network, one kind per sensor field (DESIGN §1). The
 * names are the vocabulary of the fingerprint database and of the evidence lists. Values are
 * printable ASCII, at most HG_SIGNAL_VALUE_MAX - 1 octets; sensors never put a per-unit
 * identifier (a serial number, a UUID, the MAC beyond its OUI) into one. */
enum hg_signal {
	HG_SIG_DHCP_HOSTNAME = 1, /* "dhcp.hostname": option 12 */
	HG_SIG_DHCP_VENDOR,	  /* "dhcp.vendor": option 60 */
	HG_SIG_DHCP_PRL,	  /* "dhcp.prl": option 55 in order, "1,3,6,15" */
	HG_SIG_DHCP_OPTIONS,	  /* "dhcp.options": the option codes of a request in order */
	HG_SIG_DHCP_MAX_SIZE,	  /* "dhcp.max_size": option 57, decimal */
	HG_SIG_DHCP_CLIENT_ID,	  /* "dhcp.client_id": option 61 type octet ("1" = MAC), decimal */
	HG_SIG_DHCP6_VENDOR,	  /* "dhcp6.vendor": option 16, "enterprise:text" */
	HG_SIG_DHCP6_ORO,	  /* "dhcp6.oro": option 6 in order */
	HG_SIG_DHCP6_FQDN,	  /* "dhcp6.fqdn": option 39 name */
	HG_SIG_OUI,		  /* "oui": the IEEE registry's organisation for the MAC's OUI */
	HG_SIG_MDNS_SERVICE,	  /* "mdns.service": a service type, "_hap._tcp.local" */
	HG_SIG_MDNS_NAME,	  /* "mdns.name": an instance or host name the device announces */
	HG_SIG_SSDP_SERVER,	  /* "ssdp.server": SERVER header */
	HG_SIG_SSDP_TYPE,	  /* "ssdp.type": NT or ST (a urn, or upnp:rootdevice) */
	HG_SIG_SSDP_USER_AGENT,	  /* "ssdp.user_agent": USER-AGENT of an M-SEARCH */
	HG_SIG_DNS_QUERY,	  /* "dns.query": a name the device looked up */
	HG_SIG_TLS_SNI,		  /* "tls.sni" */
	HG_SIG_TLS_JA3,		  /* "tls.ja3": the MD5 form */
	HG_SIG_TLS_JA4,		  /* "tls.ja4" */
	HG_SIG_HTTP_USER_AGENT,	  /* "http.user_agent" */
	HG_SIG_HTTP_HOST,	  /* "http.host" */
	HG_SIG_TCP_SYN,	    /* "tcp.syn": "4:64:29200:1460:7:mss,sok,ts,nop,ws" (see sensor.h) */
	HG_SIG_LLDP_SYSTEM, /* "lldp.system": system name or description */
	HG_SIG_UPNP_MANUFACTURER, /* "upnp.manufacturer": from a UPnP device description */
	HG_SIG_UPNP_MODEL,	  /* "upnp.model": modelName, and modelNumber when given */
	HG_SIG_NET_PORT,  /* "net.port": a service the device talks to, "tcp/9292", "udp/8765" */
	HG_SIG_HTTP_PATH, /* "http.path": a request's path, never its query (tokens, serials) */
};
#define HG_SIG_FIRST	    HG_SIG_DHCP_HOSTNAME
#define HG_SIG_LAST	    HG_SIG_HTTP_PATH
#define HG_SIGNAL_VALUE_MAX 256

/* "dhcp.hostname" for HG_SIG_DHCP_HOSTNAME; NULL for a value outside the enum. */
const char *hg_signal_name(enum hg_signal sig);
/* The signal of a name, or 0 when the name is not in the vocabulary. */
enum hg_signal hg_signal_from_name(const char *name);

struct hg_event_signal {
	struct hg_mac mac; /* the device that sent it */
	enum hg_signal sig;
	char value[HG_SIGNAL_VALUE_MAX];
};

/* A Wi-Fi association: which AP (the hostapd's interface) and which wpa_psk_file keyid, if any,
 * the station used. Strings NUL-terminated; ap of [A-Za-z0-9_.-], keyid printable. */
struct hg_event_wifi {
	struct hg_mac mac;
	bool joined; /* false: left */
	char ap[16];
	char keyid[32];
};

struct hg_event {
	enum hg_event_type type;
	enum hg_source source;
	int64_t time; /* epoch seconds */
	union {
		struct hg_event_dev_seen dev_seen;
		struct hg_event_dhcp_lease lease;
		struct hg_event_mud_url mud_url;
		struct hg_event_signal signal;
		struct hg_event_wifi wifi;
	};
};

#endif
