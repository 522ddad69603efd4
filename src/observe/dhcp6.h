/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCPv6 message parser (RFC 8415): the identity a client announces, MUD URL (112) included. */
#ifndef HG_DHCP6_H
#define HG_DHCP6_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "core/events.h"
#include "core/util.h"

#define DHCP6_MAX	65507 /* the largest UDP payload */
#define DHCP6_DUID_MAX	130   /* RFC 8415 §11.1, type code included */
#define DHCP6_ORO_MAX	128   /* option codes kept from an Option Request option */
#define DHCP6_TEXT_MAX	256   /* vendor class text, FQDN: 255 octets plus NUL */
#define DHCP6_RELAY_MAX 8     /* HOP_COUNT_LIMIT (RFC 8415 §7.6) */

/* msg-type values (RFC 8415 §7.3) */
enum dhcp6_msg_type {
	DHCP6_SOLICIT = 1,
	DHCP6_ADVERTISE = 2,
	DHCP6_REQUEST = 3,
	DHCP6_CONFIRM = 4,
	DHCP6_RENEW = 5,
	DHCP6_REBIND = 6,
	DHCP6_REPLY = 7,
	DHCP6_RELEASE = 8,
	DHCP6_DECLINE = 9,
	DHCP6_RECONFIGURE = 10,
	DHCP6_INFORMATION_REQUEST = 11,
	DHCP6_RELAY_FORW = 12,
	DHCP6_RELAY_REPL = 13,
};

/* Where mac came from, best first. */
enum dhcp6_mac_source {
	DHCP6_MAC_NONE = 0,
	DHCP6_MAC_RELAY_LLADDR, /* Client Link-Layer Address option 79 of the first relay */
	DHCP6_MAC_DUID_LL,	/* DUID-LL, hardware type 1 */
	DHCP6_MAC_DUID_LLT,	/* DUID-LLT, hardware type 1: may name another interface */
};

enum {
	DHCP6_HAS_CLIENT_ID = 1U << 0,	  /* duid: option 1 */
	DHCP6_HAS_MAC = 1U << 1,	  /* mac, mac_source */
	DHCP6_HAS_ORO = 1U << 2,	  /* oro: option 6 */
	DHCP6_HAS_VENDOR_CLASS = 1U << 3, /* vendor_enterprise, vendor_class: option 16 */
	DHCP6_HAS_FQDN = 1U << 4,	  /* fqdn_flags, fqdn: option 39 */
	DHCP6_HAS_MUD_URL = 1U << 5,	  /* mud_url: option 112 as received, printable */
	DHCP6_HAS_RELAY = 1U << 6,	  /* relay_depth, link_addr, peer_addr */
	/* Present but not kept: too long, not printable ASCII, or (112) repeated. */
	DHCP6_BAD_VENDOR_CLASS = 1U << 16,
	DHCP6_BAD_FQDN = 1U << 17,
	DHCP6_BAD_MUD_URL = 1U << 18,
};

struct dhcp6_info {
	unsigned flags;			      /* DHCP6_HAS_* say which optional fields are set */
	uint8_t msg_type;		      /* of the innermost message, never a relay type */
	uint32_t xid;			      /* transaction-id, 24 bits */
	unsigned relay_depth;		      /* Relay-Forward/Reply wrappers removed, 0..8 */
	struct in6_addr link_addr, peer_addr; /* of the relay nearest the client */
	uint8_t duid[DHCP6_DUID_MAX];
	size_t duid_len; /* 3..130 */
	struct hg_mac mac;
	enum dhcp6_mac_source mac_source;
	uint16_t oro[DHCP6_ORO_MAX]; /* requested option codes, in the client's order */
	size_t oro_len;
	uint32_t vendor_enterprise;
	char vendor_class[DHCP6_TEXT_MAX]; /* the vendor-class-data items joined by spaces */
	uint8_t fqdn_flags;		   /* N, O, S bits (RFC 4704 §4.1) */
	char fqdn[DHCP6_TEXT_MAX];	   /* dotted text, no trailing dot; "" for none */
	char mud_url[HG_URL_MAX];	   /* raw: run mud_url_intake() on it */
};

/* Parses a DHCPv6 message: the UDP payload of len bytes (4..DHCP6_MAX). Relay-Forward and
 * Relay-Reply messages are unwrapped through their single Relay Message option, at most
 * DHCP6_RELAY_MAX deep; the Client Link-Layer Address option (79) with hardware type 1 of the
 * innermost relay gives mac, else a DUID-LL or DUID-LLT with hardware type 1 does. Options are
 * walked strictly (each within its message); rejected with -EINVAL and a reason in err:
 * truncation anywhere, a msg-type 0 or over 13, a relay without (or with two) Relay Message
 * options, relays nested deeper than DHCP6_RELAY_MAX, a repeated Client Identifier, Option
 * Request or Client FQDN option, a DUID not of 3..130 octets, an odd-length or over-long Option
 * Request option, a malformed vendor-class-data list, a Client FQDN with reserved flag bits set
 * or a label running past the option. A vendor class, FQDN or MUD URL that is too long, not
 * printable, or repeated (112) does not fail the message: its DHCP6_BAD_* flag is set instead.
 * The MUD URL is returned as received: the caller runs mud_url_intake(). The first Vendor Class
 * option is kept (a client may send one per enterprise). *out is zeroed on error. No
 * allocation. */
int dhcp6_parse(const uint8_t *buf, size_t len, struct dhcp6_info *out, char *err, size_t errlen);

#endif
