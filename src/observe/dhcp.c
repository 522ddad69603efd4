/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCPv4 message parser (RFC 2131/2132/3396): the identity a client announces, MUD URL included. */
#include "observe/dhcp.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Offsets in the BOOTP fixed header (RFC 2131 §2). */
#define OFF_CHADDR  28
#define OFF_SNAME   44
#define OFF_FILE    108
#define OFF_COOKIE  236
#define OFF_OPTIONS 240
#define SNAME_LEN   64
#define FILE_LEN    128

enum {
	OPT_PAD = 0,
	OPT_HOSTNAME = 12,
	OPT_REQUESTED_IP = 50,
	OPT_LEASE_TIME = 51,
	OPT_OVERLOAD = 52,
	OPT_MSG_TYPE = 53,
	OPT_SERVER_ID = 54,
	OPT_PRL = 55,
	OPT_MAX_MSG_SIZE = 57,
	OPT_VENDOR_CLASS = 60,
	OPT_CLIENT_ID = 61,
	OPT_MUD_URL = 161,
	OPT_END = 255,
};

/* The options kept, each concatenated over all its occurrences (RFC 3396). */
enum acc_slot {
	A_HOSTNAME,
	A_REQUESTED_IP,
	A_LEASE_TIME,
	A_MSG_TYPE,
	A_SERVER_ID,
	A_PRL,
	A_MAX_MSG_SIZE,
	A_VENDOR_CLASS,
	A_CLIENT_ID,
	A_MUD_URL,
	A_COUNT,
};

static const uint8_t acc_code[A_COUNT] = {
	[A_HOSTNAME] = OPT_HOSTNAME,
	[A_REQUESTED_IP] = OPT_REQUESTED_IP,
	[A_LEASE_TIME] = OPT_LEASE_TIME,
	[A_MSG_TYPE] = OPT_MSG_TYPE,
	[A_SERVER_ID] = OPT_SERVER_ID,
	[A_PRL] = OPT_PRL,
	[A_MAX_MSG_SIZE] = OPT_MAX_MSG_SIZE,
	[A_VENDOR_CLASS] = OPT_VENDOR_CLASS,
	[A_CLIENT_ID] = OPT_CLIENT_ID,
	[A_MUD_URL] = OPT_MUD_URL,
};

struct acc {
	uint8_t buf[DHCP4_OPT_MAX];
	size_t len;
	bool seen, overflow;
};

enum area {
	AREA_OPTIONS,
	AREA_FILE,
	AREA_SNAME,
};

static const char *const area_name[] = {"options", "file", "sname"};

struct ctx {
	struct acc acc[A_COUNT];
	int overload;			/* option 52: 0 none, 1 file, 2 sname, 3 both */
	uint8_t order[DHCP4_ORDER_MAX]; /* option codes in order of first appearance */
	size_t norder;
	bool seen[256];
};

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool is_text(const uint8_t *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

static void accumulate(struct acc *a, const uint8_t *v, size_t len)
{
	a->seen = true;
	if (a->overflow)
		return;
	if (len > sizeof(a->buf) - a->len) {
		a->overflow = true;
		return;
	}
	memcpy(a->buf + a->len, v, len);
	a->len += len;
}

static int walk(
	const uint8_t *p, size_t plen, enum area area, struct ctx *c, char *err, size_t errlen)
{
	size_t off = 0;

	while (off < plen) {
		uint8_t code = p[off];
		size_t olen;

		if (code == OPT_PAD) {
			off++;
			continue;
		}
		if (code == OPT_END)
			return 0;
		if (plen - off < 2)
			return util_errf(err, errlen, "option %u in %s: length octet missing", code,
				area_name[area]);
		olen = p[off + 1];
		if (olen > plen - off - 2)
			return util_errf(err, errlen,
				"option %u of %zu octets runs past the end of %s", code, olen,
				area_name[area]);
		if (code == OPT_OVERLOAD) {
			/* RFC 2132 §9.3: only in the options field, once, value 1..3. */
			if (area != AREA_OPTIONS)
				return util_errf(err, errlen, "option overload inside the %s field",
					area_name[area]);
			if (c->overload)
				return util_errf(err, errlen, "%s", "repeated option overload");
			if (olen != 1 || p[off + 2] < 1 || p[off + 2] > 3)
				return util_errf(
					err, errlen, "%s", "option overload is not 1, 2 or 3");
			c->overload = p[off + 2];
		}
		for (int i = 0; i < A_COUNT; i++)
			if (acc_code[i] == code)
				accumulate(&c->acc[i], p + off + 2, olen);
		/* A client's option order is part of its fingerprint; a split option counts once. */
		if (!c->seen[code] && c->norder < DHCP4_ORDER_MAX) {
			c->seen[code] = true;
			c->order[c->norder++] = code;
		}
		off += 2 + olen;
	}
	/* The options field ends with End (RFC 2131 §3); without it the datagram was cut. The
	 * fixed-size file and sname fields may simply be full. */
	if (area == AREA_OPTIONS)
		return util_errf(err, errlen, "%s", "options not ended by End: truncated message");
	return 0;
}

static int fixed(const struct ctx *c, enum acc_slot slot, size_t want, char *err, size_t errlen)
{
	const struct acc *a = &c->acc[slot];

	if (a->overflow || a->len != want)
		return util_errf(err, errlen, "option %u of %s%zu octets, not %zu", acc_code[slot],
			a->overflow ? "over " : "", a->len, want);
	return 0;
}

/* Text options: kept when printable and not empty, else flagged. */
static void text(const struct acc *a, char *dst, unsigned *flags, unsigned has, unsigned bad)
{
	if (!a->seen)
		return;
	if (a->overflow || a->len == 0 || !is_text(a->buf, a->len)) {
		*flags |= bad;
		return;
	}
	memcpy(dst, a->buf, a->len);
	dst[a->len] = '\0';
	*flags |= has;
}

static int parse(const uint8_t *buf, size_t len, struct dhcp4_info *out, char *err, size_t errlen)
{
	static const uint8_t cookie[4] = {99, 130, 83, 99};
	struct ctx c;
	const struct acc *a = c.acc;
	int ret;

	memset(&c, 0, sizeof(c));
	if (!buf || len < OFF_OPTIONS)
		return util_errf(err, errlen, "message of %zu octets, shorter than the DHCP header",
			buf ? len : 0);
	if (len > DHCP4_MAX)
		return util_errf(err, errlen, "message of %zu octets", len);
	out->op = buf[0];
	out->htype = buf[1];
	out->hlen = buf[2];
	out->hops = buf[3];
	out->xid = get32(buf + 4);
	out->secs = (uint16_t)(buf[8] << 8 | buf[9]);
	out->bootp_flags = (uint16_t)(buf[10] << 8 | buf[11]);
	memcpy(&out->ciaddr, buf + 12, 4);
	memcpy(&out->yiaddr, buf + 16, 4);
	memcpy(&out->siaddr, buf + 20, 4);
	memcpy(&out->giaddr, buf + 24, 4);
	if (out->op != DHCP4_BOOTREQUEST && out->op != DHCP4_BOOTREPLY)
		return util_errf(
			err, errlen, "op %u is neither BOOTREQUEST nor BOOTREPLY", out->op);
	if (out->hlen > 16)
		return util_errf(err, errlen, "hlen %u is over 16", out->hlen);
	if (memcmp(buf + OFF_COOKIE, cookie, 4) != 0)
		return util_errf(err, errlen, "%s", "no DHCP magic cookie");
	if (out->htype == 1 && out->hlen == 6 && !(buf[OFF_CHADDR] & 1)) {
		memcpy(out->chaddr.b, buf + OFF_CHADDR, 6);
		out->flags |= DHCP4_HAS_CHADDR;
	}

	/* RFC 2131 §4.1: the options field first, then file, then sname. */
	if ((ret = walk(buf + OFF_OPTIONS, len - OFF_OPTIONS, AREA_OPTIONS, &c, err, errlen)))
		return ret;
	if ((c.overload & 1) && (ret = walk(buf + OFF_FILE, FILE_LEN, AREA_FILE, &c, err, errlen)))
		return ret;
	if ((c.overload & 2) &&
		(ret = walk(buf + OFF_SNAME, SNAME_LEN, AREA_SNAME, &c, err, errlen)))
		return ret;

	if (a[A_MSG_TYPE].seen) {
		if ((ret = fixed(&c, A_MSG_TYPE, 1, err, errlen)))
			return ret;
		if (a[A_MSG_TYPE].buf[0] == 0)
			return util_errf(err, errlen, "%s", "message type 0");
		out->msg_type = a[A_MSG_TYPE].buf[0];
		out->flags |= DHCP4_HAS_MSG_TYPE;
	}
	if (a[A_REQUESTED_IP].seen) {
		if ((ret = fixed(&c, A_REQUESTED_IP, 4, err, errlen)))
			return ret;
		memcpy(&out->requested_ip, a[A_REQUESTED_IP].buf, 4);
		out->flags |= DHCP4_HAS_REQUESTED_IP;
	}
	if (a[A_SERVER_ID].seen) {
		if ((ret = fixed(&c, A_SERVER_ID, 4, err, errlen)))
			return ret;
		memcpy(&out->server_id, a[A_SERVER_ID].buf, 4);
		out->flags |= DHCP4_HAS_SERVER_ID;
	}
	if (a[A_LEASE_TIME].seen) {
		if ((ret = fixed(&c, A_LEASE_TIME, 4, err, errlen)))
			return ret;
		out->lease_time = get32(a[A_LEASE_TIME].buf);
		out->flags |= DHCP4_HAS_LEASE_TIME;
	}
	if (a[A_MAX_MSG_SIZE].seen) {
		if ((ret = fixed(&c, A_MAX_MSG_SIZE, 2, err, errlen)))
			return ret;
		out->max_msg_size =
			(uint16_t)(a[A_MAX_MSG_SIZE].buf[0] << 8 | a[A_MAX_MSG_SIZE].buf[1]);
		if (out->max_msg_size < 576)
			return util_errf(err, errlen, "maximum message size %u is under 576",
				out->max_msg_size);
		out->flags |= DHCP4_HAS_MAX_MSG_SIZE;
	}
	if (a[A_PRL].seen) {
		if (a[A_PRL].overflow)
			return util_errf(err, errlen, "parameter request list over %d octets",
				DHCP4_OPT_MAX);
		memcpy(out->prl, a[A_PRL].buf, a[A_PRL].len);
		out->prl_len = a[A_PRL].len;
		out->flags |= DHCP4_HAS_PRL;
	}
	if (a[A_CLIENT_ID].seen) {
		if (a[A_CLIENT_ID].overflow || a[A_CLIENT_ID].len < 2)
			return util_errf(err, errlen, "client identifier not of 2..%d octets",
				DHCP4_OPT_MAX);
		memcpy(out->client_id, a[A_CLIENT_ID].buf, a[A_CLIENT_ID].len);
		out->client_id_len = a[A_CLIENT_ID].len;
		out->flags |= DHCP4_HAS_CLIENT_ID;
	}
	text(&a[A_HOSTNAME], out->hostname, &out->flags, DHCP4_HAS_HOSTNAME, DHCP4_BAD_HOSTNAME);
	text(&a[A_VENDOR_CLASS], out->vendor_class, &out->flags, DHCP4_HAS_VENDOR_CLASS,
		DHCP4_BAD_VENDOR_CLASS);
	text(&a[A_MUD_URL], out->mud_url, &out->flags, DHCP4_HAS_MUD_URL, DHCP4_BAD_MUD_URL);
	memcpy(out->order, c.order, c.norder);
	out->order_len = c.norder;
	return 0;
}

int dhcp4_parse(const uint8_t *buf, size_t len, struct dhcp4_info *out, char *err, size_t errlen)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	ret = parse(buf, len, out, err, errlen);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}

size_t dhcp4_prl_format(const struct dhcp4_info *info, char *buf, size_t buflen)
{
	char tmp[DHCP4_OPT_MAX * 4 + 1]; /* "255," per entry */
	size_t n = 0;

	tmp[0] = '\0';
	for (size_t i = 0; i < info->prl_len && i < DHCP4_OPT_MAX; i++)
		n += (size_t)snprintf(tmp + n, sizeof(tmp) - n, "%s%u", i ? "," : "", info->prl[i]);
	return util_strlcpy(buf, tmp, buflen);
}

size_t dhcp4_order_format(const struct dhcp4_info *info, char *buf, size_t buflen)
{
	char tmp[DHCP4_ORDER_MAX * 4 + 1];
	size_t n = 0;

	tmp[0] = '\0';
	for (size_t i = 0; i < info->order_len && i < DHCP4_ORDER_MAX; i++)
		n += (size_t)snprintf(
			tmp + n, sizeof(tmp) - n, "%s%u", i ? "," : "", info->order[i]);
	return util_strlcpy(buf, tmp, buflen);
}
