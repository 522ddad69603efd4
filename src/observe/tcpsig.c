/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The TCP SYN signature of a client: initial TTL, window, options and their order, quirks. */
#include "observe/tcpsig.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/util.h"

#define TH_SYN 0x02
#define TH_ACK 0x10
#define TH_URG 0x20
#define TH_ECE 0x40
#define TH_CWR 0x80

enum {
	OPT_EOL = 0,
	OPT_NOP = 1,
	OPT_MSS = 2,
	OPT_WS = 3,
	OPT_SOK = 4,
	OPT_SACK = 5,
	OPT_TS = 8,
};

enum {
	Q_DF = 1U << 0,
	Q_ECN = 1U << 1,
	Q_TS0 = 1U << 2,
	Q_TS2 = 1U << 3,
	Q_ACK = 1U << 4,
	Q_UPTR = 1U << 5,
	Q_OPT = 1U << 6,
	Q_EXWS = 1U << 7,
};

static const char *const quirk_name[] = {
	"df", "ecn", "ts0", "ts2+", "ack+", "uptr+", "opt+", "exws"};

/* What the options say. */
struct sig {
	char opts[TCPSIG_MAX];
	size_t opts_len;
	unsigned mss;
	int ws; /* -1: absent */
	unsigned quirks;
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void opt_name(struct sig *s, const char *name, unsigned kind)
{
	size_t room = sizeof(s->opts) - s->opts_len;
	int n;

	if (name)
		n = snprintf(s->opts + s->opts_len, room, "%s%s", s->opts_len ? "," : "", name);
	else
		n = snprintf(s->opts + s->opts_len, room, "%s?%u", s->opts_len ? "," : "", kind);
	/* 40 option octets make at most 40 names of 5 characters: always room. */
	if (n > 0 && (size_t)n < room)
		s->opts_len += (size_t)n;
}

/* Walks the options (RFC 9293 §3.2); false when they are malformed. */
static bool options(const uint8_t *o, size_t len, struct sig *s)
{
	static const uint8_t want_len[] = {
		[OPT_MSS] = 4, [OPT_WS] = 3, [OPT_SOK] = 2, [OPT_TS] = 10};
	size_t off = 0;

	while (off < len) {
		uint8_t kind = o[off];
		size_t olen;

		if (kind == OPT_EOL) {
			opt_name(s, "eol", kind);
			for (off++; off < len; off++)
				if (o[off])
					s->quirks |= Q_OPT;
			return true;
		}
		if (kind == OPT_NOP) {
			opt_name(s, "nop", kind);
			off++;
			continue;
		}
		if (len - off < 2)
			return false;
		olen = o[off + 1];
		if (olen < 2 || olen > len - off)
			return false;
		if (kind < sizeof(want_len) && want_len[kind] && olen != want_len[kind])
			return false;
		switch (kind) {
		case OPT_MSS:
			opt_name(s, "mss", kind);
			s->mss = be16(o + off + 2);
			break;
		case OPT_WS:
			opt_name(s, "ws", kind);
			s->ws = o[off + 2];
			if (s->ws > 14)
				s->quirks |= Q_EXWS;
			break;
		case OPT_SOK:
			opt_name(s, "sok", kind);
			break;
		case OPT_SACK:
			opt_name(s, "sack", kind);
			break;
		case OPT_TS:
			opt_name(s, "ts", kind);
			if (be32(o + off + 2) == 0)
				s->quirks |= Q_TS0;
			if (be32(o + off + 6) != 0)
				s->quirks |= Q_TS2;
			break;
		default:
			opt_name(s, NULL, kind);
			break;
		}
		off += olen;
	}
	return true;
}

static unsigned initial_ttl(uint8_t ttl)
{
	if (ttl <= 32)
		return 32;
	if (ttl <= 64)
		return 64;
	if (ttl <= 128)
		return 128;
	return 255;
}

size_t tcpsig_format(const struct pkt *p, char *buf, size_t buflen)
{
	char out[TCPSIG_MAX * 2], ws[12];
	struct sig s;
	size_t n;

	if (buf && buflen)
		buf[0] = '\0';
	if (!(p->flags & PKT_HAS_TCP) || !p->tcp || p->tcp_hlen < 20 || p->tcp_hlen > 60 ||
		(p->tcp_flags & (TH_SYN | TH_ACK)) != TH_SYN ||
		(p->family != AF_INET && p->family != AF_INET6))
		return 0;
	memset(&s, 0, sizeof(s));
	s.ws = -1;
	if (!options(p->tcp + 20, p->tcp_hlen - 20, &s))
		return 0;
	if (p->family == AF_INET && (p->flags & PKT_IP_DF))
		s.quirks |= Q_DF;
	if (p->tcp_flags & (TH_ECE | TH_CWR))
		s.quirks |= Q_ECN;
	if (be32(p->tcp + 8) != 0)
		s.quirks |= Q_ACK;
	if (!(p->tcp_flags & TH_URG) && be16(p->tcp + 18) != 0)
		s.quirks |= Q_UPTR;

	if (s.ws < 0)
		snprintf(ws, sizeof(ws), "-");
	else
		snprintf(ws, sizeof(ws), "%d", s.ws);
	n = (size_t)snprintf(out, sizeof(out), "%d:%u:%u:%u:%s:%s:", p->family == AF_INET ? 4 : 6,
		initial_ttl(p->ttl), p->tcp_window, s.mss, ws, s.opts);
	for (size_t i = 0, first = 1; i < ARRAY_SIZE(quirk_name); i++) {
		if (!(s.quirks & (1U << i)))
			continue;
		n += (size_t)snprintf(
			out + n, sizeof(out) - n, "%s%s", first ? "" : ",", quirk_name[i]);
		first = 0;
	}
	return util_strlcpy(buf, out, buflen);
}
