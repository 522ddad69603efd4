/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IEEE 802.1AB LLDP parser: identity TLVs and the RFC 8520 MUD URL TLV of a wired device. */
#include "observe/lldp.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mud/mud_parse.h"

enum lldp_tlv_type {
	TLV_END = 0,
	TLV_CHASSIS_ID = 1,
	TLV_PORT_ID = 2,
	TLV_TTL = 3,
	TLV_PORT_DESC = 4,
	TLV_SYSNAME = 5,
	TLV_SYSDESC = 6,
	TLV_SYSCAP = 7,
	TLV_MGMT_ADDR = 8,
	TLV_ORG = 127,
};

#define LLDP_PDU_MAX	 9000 /* a jumbo frame's payload */
#define LLDP_MUD_SUBTYPE 1
static const uint8_t lldp_mud_oui[3] = {0x00, 0x00, 0x5e}; /* IANA */

static bool is_text(const uint8_t *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/* Chassis ID and Port ID: a subtype 1..7 and 1..255 octets of ID. */
static int take_id(const char *what, const uint8_t *v, size_t vlen, uint8_t *subtype, uint8_t *id,
	size_t *idlen, char *err, size_t errlen)
{
	if (vlen < 2 || vlen > 1 + LLDP_ID_MAX)
		return util_errf(err, errlen, "%s TLV of %zu octets, not 2..256", what, vlen);
	if (v[0] < 1 || v[0] > 7)
		return util_errf(err, errlen, "%s TLV has reserved subtype %u", what, v[0]);
	*subtype = v[0];
	*idlen = vlen - 1;
	memcpy(id, v + 1, *idlen);
	return 0;
}

static void take_mud(const uint8_t *v, size_t vlen, bool seen_before, struct lldp_info *out)
{
	char raw[HG_URL_MAX];

	out->flags &= ~LLDP_HAS_MUD_URL;
	out->mud_url[0] = '\0';
	out->flags |= LLDP_MUD_URL_REJECTED;
	if (seen_before)
		out->mud_url_error = "more than one MUD URL TLV";
	else if (vlen == 0)
		out->mud_url_error = "empty MUD URL";
	else if (vlen > 255)
		out->mud_url_error = "MUD URL longer than 255 octets";
	else if (memchr(v, '\0', vlen))
		out->mud_url_error = "MUD URL contains a NUL byte";
	else
		out->mud_url_error = NULL;
	if (out->mud_url_error)
		return;
	memcpy(raw, v, vlen);
	raw[vlen] = '\0';
	if (mud_url_intake(raw, out->mud_url, sizeof(out->mud_url)) < 0) {
		out->mud_url_error = "MUD URL is not an https URL (RFC 8520 §10)";
		return;
	}
	out->flags &= ~LLDP_MUD_URL_REJECTED;
	out->flags |= LLDP_HAS_MUD_URL;
}

static int parse_pdu(
	const uint8_t *pdu, size_t len, struct lldp_info *out, char *err, size_t errlen)
{
	size_t off = 0;
	unsigned ntlv = 0;
	bool mud_seen = false, sysname_seen = false;

	if (!pdu || len == 0)
		return util_errf(err, errlen, "%s", "empty LLDPDU");
	if (len > LLDP_PDU_MAX)
		return util_errf(err, errlen, "LLDPDU of %zu octets", len);
	while (off < len) {
		unsigned type, tlen;
		const uint8_t *v;
		int ret;

		if (len - off < 2)
			return util_errf(err, errlen, "truncated TLV header at offset %zu", off);
		type = pdu[off] >> 1;
		tlen = (unsigned)(pdu[off] & 1) << 8 | pdu[off + 1];
		v = pdu + off + 2;
		if (tlen > len - off - 2)
			return util_errf(err, errlen,
				"TLV type %u at offset %zu: length %u runs past the end", type, off,
				tlen);
		off += 2 + tlen;

		/* IEEE 802.1AB-2016 §8.2: Chassis ID, Port ID, TTL first, in this order. */
		if (ntlv < 3) {
			static const unsigned want[3] = {TLV_CHASSIS_ID, TLV_PORT_ID, TLV_TTL};
			static const char *const names[3] = {"Chassis ID", "Port ID", "TTL"};

			if (type != want[ntlv])
				return util_errf(err, errlen, "TLV %u is type %u, %s TLV expected",
					ntlv + 1, type, names[ntlv]);
		}
		ntlv++;
		switch (type) {
		case TLV_END:
			if (tlen != 0)
				return util_errf(err, errlen, "End TLV with length %u", tlen);
			return 0; /* what follows is padding */
		case TLV_CHASSIS_ID:
			if (ntlv != 1)
				return util_errf(err, errlen, "%s", "repeated Chassis ID TLV");
			if ((ret = take_id("Chassis ID", v, tlen, &out->chassis_subtype,
				     out->chassis_id, &out->chassis_id_len, err, errlen)))
				return ret;
			if (out->chassis_subtype == LLDP_CHASSIS_MAC && out->chassis_id_len == 6) {
				memcpy(out->chassis_mac.b, out->chassis_id, 6);
				out->flags |= LLDP_HAS_CHASSIS_MAC;
			}
			break;
		case TLV_PORT_ID:
			if (ntlv != 2)
				return util_errf(err, errlen, "%s", "repeated Port ID TLV");
			if ((ret = take_id("Port ID", v, tlen, &out->port_subtype, out->port_id,
				     &out->port_id_len, err, errlen)))
				return ret;
			break;
		case TLV_TTL:
			if (ntlv != 3)
				return util_errf(err, errlen, "%s", "repeated TTL TLV");
			if (tlen != 2)
				return util_errf(err, errlen, "TTL TLV of %u octets, not 2", tlen);
			out->ttl = (uint16_t)(v[0] << 8 | v[1]);
			break;
		case TLV_PORT_DESC:
		case TLV_SYSDESC:
			if (tlen > 255)
				return util_errf(err, errlen, "TLV type %u of %u octets, over 255",
					type, tlen);
			break;
		case TLV_SYSNAME:
			if (tlen > 255)
				return util_errf(err, errlen,
					"System Name TLV of %u octets, over 255", tlen);
			/* The first one counts; a name that is not printable is not kept. */
			if (!sysname_seen && is_text(v, tlen)) {
				memcpy(out->sysname, v, tlen);
				out->sysname[tlen] = '\0';
				out->flags |= LLDP_HAS_SYSNAME;
			}
			sysname_seen = true;
			break;
		case TLV_SYSCAP:
			if (tlen != 4)
				return util_errf(err, errlen,
					"System Capabilities TLV of %u octets, not 4", tlen);
			break;
		case TLV_MGMT_ADDR:
			if (tlen < 9 || tlen > 167)
				return util_errf(err, errlen,
					"Management Address TLV of %u octets, not 9..167", tlen);
			break;
		case TLV_ORG:
			if (tlen < 4)
				return util_errf(err, errlen,
					"organizationally specific TLV of %u octets, under 4",
					tlen);
			if (memcmp(v, lldp_mud_oui, 3) == 0 && v[3] == LLDP_MUD_SUBTYPE) {
				take_mud(v + 4, tlen - 4, mud_seen, out);
				mud_seen = true;
			}
			break;
		default:
			break; /* reserved types 9..126: skipped */
		}
	}
	/* lldpd and 802.1AB senders always end with it; without it a cut PDU would pass. */
	if (ntlv < 3)
		return util_errf(
			err, errlen, "%s", "LLDPDU without Chassis ID, Port ID and TTL TLVs");
	return util_errf(err, errlen, "%s", "no End TLV: truncated LLDPDU");
}

int lldp_parse(const uint8_t *pdu, size_t len, struct lldp_info *out, char *err, size_t errlen)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	ret = parse_pdu(pdu, len, out, err, errlen);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}

int lldp_parse_frame(
	const uint8_t *frame, size_t len, struct lldp_info *out, char *err, size_t errlen)
{
	static const uint8_t group[5] = {0x01, 0x80, 0xc2, 0x00, 0x00};
	struct hg_mac src;
	uint16_t vlan = 0, ethertype;
	size_t off = 12;
	bool tagged = false;
	int ret;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	if (!frame || len < 14)
		return util_errf(err, errlen,
			"frame of %zu octets, shorter than an Ethernet header", frame ? len : 0);
	if (memcmp(frame, group, 5) != 0 ||
		(frame[5] != 0x0e && frame[5] != 0x03 && frame[5] != 0x00))
		return util_errf(err, errlen, "%s", "destination is not an LLDP group address");
	memcpy(src.b, frame + 6, 6);
	if (src.b[0] & 1)
		return util_errf(err, errlen, "%s", "group source address");
	ethertype = (uint16_t)(frame[off] << 8 | frame[off + 1]);
	if (ethertype == 0x8100) {
		if (len < 18)
			return util_errf(err, errlen, "%s", "truncated 802.1Q tag");
		vlan = (uint16_t)((frame[14] << 8 | frame[15]) & 0x0fff);
		tagged = true;
		off += 4;
		ethertype = (uint16_t)(frame[off] << 8 | frame[off + 1]);
	}
	if (ethertype != LLDP_ETHERTYPE)
		return util_errf(err, errlen, "ethertype 0x%04x is not LLDP", ethertype);
	off += 2;
	if ((ret = lldp_parse(frame + off, len - off, out, err, errlen)))
		return ret;
	out->src = src;
	out->flags |= LLDP_HAS_SRC;
	if (tagged) {
		out->vlan = vlan;
		out->flags |= LLDP_HAS_VLAN;
	}
	return 0;
}
