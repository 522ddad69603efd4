/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RFC 9238 QR code payload parser: an SQRL (ISO/IEC 15434 format 06, DI 12N) text to a MUD URL. */
#ifndef HG_MUD_QR_H
#define HG_MUD_QR_H

#include <stddef.h>
#include <stdint.h>

#include "core/events.h"
#include "core/util.h"

/* The most a QR code holds in byte mode (version 40-L); anything longer is not a scanned code. */
#define MUD_QR_MAX 2953
/* B000/B001/B002 values, US-ASCII, plus NUL. */
#define MUD_QR_TEXT_MAX 128

enum {
	MUD_QR_HAS_COMPANY = 1U << 0,	 /* B000 */
	MUD_QR_HAS_PRODUCT = 1U << 1,	 /* B001 */
	MUD_QR_HAS_MODEL = 1U << 2,	 /* B002 */
	MUD_QR_HAS_MAC = 1U << 3,	 /* M06C with 12 hex digits: mac is set */
	MUD_QR_HAS_EUI64 = 1U << 4,	 /* M06C with 16 hex digits: eui64 is set, mac is not */
	MUD_QR_QUERY_STRIPPED = 1U << 5, /* M180 had a "?query", removed (RFC 9238 §3.2.4) */
	MUD_QR_SCHEME_ADDED = 1U << 6,	 /* M180 had no scheme; "https://" was put in front */
	MUD_QR_NO_TRAILER = 1U << 7,	 /* the RS EoT trailer was missing */
};

struct mud_qr {
	unsigned flags;		       /* MUD_QR_* say which optional fields are set */
	char url[HG_URL_MAX];	       /* always set on success; passes mud_url_valid() */
	char company[MUD_QR_TEXT_MAX]; /* B000 Company Name */
	char product[MUD_QR_TEXT_MAX]; /* B001 Product Name */
	char model[MUD_QR_TEXT_MAX];   /* B002 Model Number */
	struct hg_mac mac;	       /* M06C, a unicast MAC-48 */
	uint8_t eui64[8];	       /* M06C as an EUI-64 (IEEE 802.15.4 devices) */
};

/* Parses the text a QR code scanner returns (len bytes, need not be NUL-terminated, at most
 * MUD_QR_MAX). The payload must start with "[)>" RS "06" GS "12N"; data records are a four
 * character field identifier and US-ASCII data, each ended by US; the trailer is RS EoT.
 * Unknown field identifiers (and SQRL environment records) are ignored. A Field Separator before
 * M180 was seen discards what was collected and starts over (RFC 9238 §3.1); after M180 it ends
 * the parse. The query part of M180 is removed, a scheme-less M180 gets "https://", and the
 * result must pass mud_url_valid(). M06C: 12 or 16 hex digits in any case, ':' '-' '.' space
 * TAB CR LF skipped. A missing RS EoT trailer is tolerated when the last record was ended by US.
 * Returns 0 with *out filled, or -EINVAL with *out zeroed and a reason in err: no header, a
 * record that is not ended, a record shorter than its identifier, a repeated B000/B001/B002/
 * M180/M06C, non-printable or over-long B000/B001/B002/M180, a bad or multicast M06C, no M180,
 * or an M180 that is not an acceptable https MUD URL. No allocation; out is owned by the
 * caller. A QR code carries no proof of anything: its source is HG_SRC_QR (weak), and without
 * a MAC the URL must be bound to a device by the user (AC-12). */
int mud_qr_parse(const char *buf, size_t len, struct mud_qr *out, char *err, size_t errlen);

#endif
