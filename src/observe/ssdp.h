/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SSDP message parser (UPnP Device Architecture 1.1/2.0 §1): what a device announces, searches
 * for and answers on 239.255.255.250:1900. */
#ifndef HG_SSDP_H
#define HG_SSDP_H

#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

#define SSDP_PORT 1900

enum ssdp_kind {
	SSDP_NOTIFY = 1, /* "NOTIFY * HTTP/1.1": an announcement (NT, NTS, USN, LOCATION) */
	SSDP_MSEARCH,	 /* "M-SEARCH * HTTP/1.1": a search (ST, USER-AGENT) */
	SSDP_RESPONSE,	 /* "HTTP/1.1 200 OK": the answer to a search (ST, USN, LOCATION) */
};

enum {
	SSDP_HAS_SERVER = 1U << 0,
	SSDP_HAS_USN = 1U << 1,
	SSDP_HAS_NT = 1U << 2,
	SSDP_HAS_NTS = 1U << 3,
	SSDP_HAS_ST = 1U << 4,
	SSDP_HAS_LOCATION = 1U << 5,
	SSDP_HAS_USER_AGENT = 1U << 6,
};

struct ssdp_msg {
	enum ssdp_kind kind;
	unsigned flags; /* SSDP_HAS_* say which header was present (an empty value counts) */
	char server[256], usn[256], nt[256], nts[64], st[256], location[256], user_agent[256];
};

/* Parses an SSDP message: buf is the UDP payload of len octets. The start line must be exactly
 * "NOTIFY * HTTP/1.1", "M-SEARCH * HTTP/1.1" or "HTTP/1.1 200" followed by nothing or a space
 * and any reason phrase ("OK"); anything else is -EINVAL "not SSDP". Header lines follow, each
 * "name: value" ended by CRLF or a bare LF: names are case-insensitive tokens, values trimmed
 * of spaces and tabs (a tab inside becomes a space), a repeated header keeps the first, a value
 * longer than its field is cut. The headers end at an empty line (what follows is not read) or
 * at the end of buf, where a last header line without LF is ignored (a cut capture: its value
 * may be cut too). -EINVAL with a reason for any octet outside 0x20..0x7e other than a tab (or
 * the CR of a CRLF) in the start line or a header line, a header line without a colon, a header
 * name that is not a token, or a folded (obsolete continuation) line. *out is zeroed on error.
 * No allocation. */
int ssdp_parse(const uint8_t *buf, size_t len, struct ssdp_msg *out, char *err, size_t errlen);

/* The device or service type a USN, NT or ST names, never its uuid: "urn:Belkin:device:
 * controllee:1" of "uuid:Socket-1_0-221517K0101769::urn:Belkin:device:controllee:1" (the text
 * after the first "::"), "upnp:rootdevice" or "ssdp:all" as is, "" for a bare "uuid:..." (a
 * per-unit identifier is no type) or what follows "::" when that is a uuid too. Returns the
 * type's length; like snprintf, buf holds at most buflen - 1 characters of it and is always
 * terminated when buflen > 0. */
size_t ssdp_type(const char *usn_nt_or_st, char *buf, size_t buflen);

#endif
