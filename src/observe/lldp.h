/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IEEE 802.1AB LLDP parser: identity TLVs and the RFC 8520 MUD URL TLV of a wired device. */
#ifndef HG_LLDP_H
#define HG_LLDP_H

#include <stddef.h>
#include <stdint.h>

#include "core/events.h"
#include "core/util.h"

#define LLDP_ETHERTYPE 0x88cc
#define LLDP_ID_MAX    255 /* chassis and port IDs: 1..255 octets */
#define LLDP_TEXT_MAX  256 /* system name: 0..255 octets plus NUL */

/* Chassis ID subtypes (IEEE 802.1AB-2016 Table 8-2) used here. */
#define LLDP_CHASSIS_MAC 4

enum {
	LLDP_HAS_SRC = 1U << 0,		 /* src: the frame's source MAC (lldp_parse_frame only) */
	LLDP_HAS_CHASSIS_MAC = 1U << 1,	 /* chassis_mac: chassis ID subtype 4, 6 octets */
	LLDP_HAS_SYSNAME = 1U << 2,	 /* sysname: System Name TLV, printable */
	LLDP_HAS_MUD_URL = 1U << 3,	 /* mud_url: passed mud_url_intake() */
	LLDP_MUD_URL_REJECTED = 1U << 4, /* a MUD URL TLV was present but refused: mud_url_error */
	LLDP_HAS_VLAN = 1U << 5,	 /* vlan: the frame carried an 802.1Q tag */
};

struct lldp_info {
	unsigned flags; /* LLDP_* say which optional fields are set */
	struct hg_mac src;
	uint16_t vlan;
	uint8_t chassis_subtype;
	uint8_t chassis_id[LLDP_ID_MAX];
	size_t chassis_id_len; /* 1..255 */
	struct hg_mac chassis_mac;
	uint8_t port_subtype;
	uint8_t port_id[LLDP_ID_MAX];
	size_t port_id_len; /* 1..255 */
	uint16_t ttl;	    /* seconds; 0 = the device is leaving (shutdown LLDPDU) */
	char sysname[LLDP_TEXT_MAX];
	char mud_url[HG_URL_MAX];
	const char *mud_url_error; /* static text, why the MUD URL was refused; NULL otherwise */
};

/* Parses an LLDPDU: the bytes after the 0x88cc ethertype (len of them, at most a jumbo frame).
 * TLVs are walked strictly: 7-bit type, 9-bit length, each within the PDU; the first three must
 * be Chassis ID, Port ID and TTL with legal lengths and subtypes, none may repeat; the End TLV
 * is required (as lldpd requires it) and bytes after it are padding. Organizationally
 * specific TLVs need 4 octets. The MUD URL TLV (type 127, OUI 00-00-5E, subtype 1, RFC 8520 §12)
 * is taken through mud_url_intake(): it must be 1..255 octets without NUL; text after a space is
 * ignored; https only. A refused URL does not fail the PDU: the flag LLDP_MUD_URL_REJECTED and
 * mud_url_error say why. Two MUD URL TLVs are refused both. Returns 0 with *out filled, or
 * -EINVAL with *out zeroed and a reason in err. No allocation. */
int lldp_parse(const uint8_t *pdu, size_t len, struct lldp_info *out, char *err, size_t errlen);

/* The same for a whole Ethernet frame as a packet socket returns it (no FCS): destination
 * 01-80-C2-00-00-0E, -03 or -00, a unicast source (reported in src), at most one 802.1Q tag,
 * ethertype 0x88cc, then lldp_parse() on the rest. */
int lldp_parse_frame(
	const uint8_t *frame, size_t len, struct lldp_info *out, char *err, size_t errlen);

#endif
