/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCPv4 message parser (RFC 2131/2132/3396): the identity a client announces, MUD URL included. */
#ifndef HG_DHCP_H
#define HG_DHCP_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "core/events.h"
#include "core/util.h"

#define DHCP4_MIN	241   /* fixed header, magic cookie and an End option */
#define DHCP4_MAX	65507 /* the largest UDP payload */
#define DHCP4_OPT_MAX	255   /* longest value kept per option after RFC 3396 concatenation */
#define DHCP4_ORDER_MAX 64    /* option codes kept in order of appearance */

/* BOOTP op codes */
#define DHCP4_BOOTREQUEST 1
#define DHCP4_BOOTREPLY	  2

/* Option 53 values (RFC 2132 §9.6) */
enum dhcp4_msg_type {
	DHCP4_DISCOVER = 1,
	DHCP4_OFFER = 2,
	DHCP4_REQUEST = 3,
	DHCP4_DECLINE = 4,
	DHCP4_ACK = 5,
	DHCP4_NAK = 6,
	DHCP4_RELEASE = 7,
	DHCP4_INFORM = 8,
};

enum {
	DHCP4_HAS_CHADDR = 1U << 0,	  /* chaddr: htype 1 (Ethernet), hlen 6, unicast */
	DHCP4_HAS_MSG_TYPE = 1U << 1,	  /* msg_type: option 53 */
	DHCP4_HAS_HOSTNAME = 1U << 2,	  /* hostname: option 12, printable */
	DHCP4_HAS_VENDOR_CLASS = 1U << 3, /* vendor_class: option 60, printable */
	DHCP4_HAS_PRL = 1U << 4,	  /* prl: option 55 */
	DHCP4_HAS_CLIENT_ID = 1U << 5,	  /* client_id: option 61 */
	DHCP4_HAS_MAX_MSG_SIZE = 1U << 6, /* max_msg_size: option 57 */
	DHCP4_HAS_MUD_URL = 1U << 7,	  /* mud_url: option 161 as received, printable */
	DHCP4_HAS_REQUESTED_IP = 1U << 8, /* requested_ip: option 50 */
	DHCP4_HAS_LEASE_TIME = 1U << 9,	  /* lease_time: option 51 */
	DHCP4_HAS_SERVER_ID = 1U << 10,	  /* server_id: option 54 */
	/* Present but not kept: over DHCP4_OPT_MAX after concatenation or not printable ASCII. */
	DHCP4_BAD_HOSTNAME = 1U << 16,
	DHCP4_BAD_VENDOR_CLASS = 1U << 17,
	DHCP4_BAD_MUD_URL = 1U << 18,
};

struct dhcp4_info {
	unsigned flags; /* DHCP4_HAS_* say which optional fields are set */
	uint8_t op;	/* DHCP4_BOOTREQUEST or DHCP4_BOOTREPLY */
	uint8_t htype, hlen, hops;
	uint32_t xid;
	uint16_t secs, bootp_flags;
	struct in_addr ciaddr, yiaddr, siaddr, giaddr;
	struct hg_mac chaddr;
	uint8_t msg_type; /* enum dhcp4_msg_type; other values 9..255 passed on as sent */
	uint16_t max_msg_size;
	uint32_t lease_time; /* seconds; 0xffffffff = infinite */
	struct in_addr requested_ip, server_id;
	char hostname[DHCP4_OPT_MAX + 1];
	char vendor_class[DHCP4_OPT_MAX + 1];
	uint8_t prl[DHCP4_OPT_MAX]; /* parameter request list, in the client's order */
	size_t prl_len;
	uint8_t client_id[DHCP4_OPT_MAX]; /* type octet then identifier, as sent */
	size_t client_id_len;		  /* 2..255 */
	char mud_url[HG_URL_MAX];	  /* raw: run mud_url_intake() on it */
	/* The option codes present (Pad, End excepted), in the order they first appear: options
	 * field, then file and sname when overloaded; the first DHCP4_ORDER_MAX. */
	uint8_t order[DHCP4_ORDER_MAX];
	size_t order_len;
};

/* Writes the option order as "53,61,57,12,55"; snprintf semantics. */
size_t dhcp4_order_format(const struct dhcp4_info *info, char *buf, size_t buflen);

/* Parses a DHCPv4 message: the UDP payload of len bytes (DHCP4_MIN..DHCP4_MAX). op must be 1 or
 * 2, hlen at most 16, the magic cookie present; options are walked with Pad and End, an option
 * overload (52) makes the file and then the sname field further option areas, and an option
 * split over several occurrences is concatenated (RFC 3396) before it is read. Rejected with
 * -EINVAL and a reason in err: truncation anywhere (including a missing End in the options
 * field), an option running past its area, a bad option 52, a 53/50/51/54/57 of the wrong
 * length, a message type 0, a max message size under 576, a client id under 2 octets, or a
 * client id or parameter request list over DHCP4_OPT_MAX. A hostname, vendor class or MUD URL that is too
 * long or not printable ASCII does not fail the message: its DHCP4_BAD_* flag is set instead.
 * The MUD URL is returned as received (text after a space included): the caller runs
 * mud_url_intake(). *out is zeroed on error. No allocation. */
int dhcp4_parse(const uint8_t *buf, size_t len, struct dhcp4_info *out, char *err, size_t errlen);

/* Writes the parameter request list as "1,3,6,12" (the form of hg_event_dhcp_lease); returns
 * the length the full text needs, truncating like snprintf. */
size_t dhcp4_prl_format(const struct dhcp4_info *info, char *buf, size_t buflen);

#endif
