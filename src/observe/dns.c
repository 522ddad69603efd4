/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DNS and mDNS message parser (RFC 1035, RFC 6762): the names a device asks for and announces. */
#include "observe/dns.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define WIRE_NAME_MAX 255 /* RFC 1035 §3.1: the length octets included */
#define LABEL_MAX     63
#define QUESTION_MIN  5	 /* the root name, type, class */
#define RECORD_MIN    11 /* the root name, type, class, ttl, rdlength */
#define CLASS_TOP     0x8000

static const char *const section_name[] = {
	[DNS_ANSWER] = "answer",
	[DNS_AUTHORITY] = "authority",
	[DNS_ADDITIONAL] = "additional",
};

/* Text written into a fixed buffer piece by piece; once a piece does not fit, nothing more is
 * written, so the text is always cut on an escape boundary. */
struct text {
	char *buf;
	size_t cap; /* characters, without the NUL */
	size_t len;
	bool cut;
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void text_init(struct text *t, char *buf, size_t cap)
{
	t->buf = buf;
	t->cap = cap;
	t->len = 0;
	t->cut = false;
	buf[0] = '\0';
}

static void text_put(struct text *t, const char *s, size_t n)
{
	if (t->cut)
		return;
	if (n > t->cap - t->len) {
		t->cut = true;
		return;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

/* One octet of a label or character-string, preceded by sep (0 for none) so a separator is
 * never left dangling at a cut. '.' is escaped inside labels only. */
static void text_octet(struct text *t, char sep, uint8_t c, bool escape_dot)
{
	char piece[6];
	size_t n = 0;

	if (sep)
		piece[n++] = sep;
	if (c == '\\' || (escape_dot && c == '.')) {
		piece[n++] = '\\';
		piece[n++] = (char)c;
	} else if (c >= 0x20 && c <= 0x7e) {
		piece[n++] = (char)c;
	} else {
		piece[n++] = '\\';
		piece[n++] = (char)('0' + c / 100);
		piece[n++] = (char)('0' + c / 10 % 10);
		piece[n++] = (char)('0' + c % 10);
	}
	text_put(t, piece, n);
}

/* Reads the name at *off, whose in-place octets must end by limit (the end of the message, or
 * of the rdata it sits in when in_rdata); pointers may lead anywhere before. On success *off is just past the in-place part. */
static int read_name(const uint8_t *msg, size_t len, size_t *off, size_t limit, bool in_rdata,
	char *out, bool *truncated, const char *what, char *err, size_t errlen)
{
	size_t pos = *off, seg = *off, end = 0, bound = limit, wire = 0;
	unsigned jumps = 0;
	struct text t;

	text_init(&t, out, DNS_NAME_MAX);
	for (;;) {
		uint8_t c;

		if (pos >= bound)
			return util_errf(err, errlen, "%s: name runs past the end of the %s", what,
				in_rdata && !jumps ? "rdata" : "message");
		c = msg[pos];
		if ((c & 0xc0) == 0xc0) {
			size_t target;

			if (bound - pos < 2)
				return util_errf(err, errlen,
					"%s: compression pointer at %zu truncated", what, pos);
			target = (size_t)(c & 0x3f) << 8 | msg[pos + 1];
			if (target > pos)
				return util_errf(err, errlen,
					"%s: compression pointer at %zu to %zu points forward",
					what, pos, target);
			if (target >= seg)
				return util_errf(err, errlen,
					"%s: compression pointer at %zu to %zu makes a loop", what,
					pos, target);
			if (target < DNS_HEADER_LEN)
				return util_errf(err, errlen,
					"%s: compression pointer at %zu into the header", what,
					pos);
			if (++jumps > DNS_MAX_JUMPS)
				return util_errf(err, errlen,
					"%s: more than %d compression pointers", what,
					DNS_MAX_JUMPS);
			if (jumps == 1)
				end = pos + 2;
			pos = seg = target;
			bound = len;
			continue;
		}
		if (c > LABEL_MAX)
			return util_errf(err, errlen,
				"%s: label at %zu of type 0x%02x (length %u over 63)", what, pos,
				c & 0xc0, c);
		wire += (size_t)c + 1;
		if (wire > WIRE_NAME_MAX)
			return util_errf(err, errlen, "%s: name over 255 octets", what);
		if (c == 0) {
			pos++;
			break;
		}
		if (c > bound - pos - 1)
			return util_errf(err, errlen,
				"%s: label at %zu runs past the end of the %s", what, pos,
				in_rdata && !jumps ? "rdata" : "message");
		for (size_t i = 0; i < c; i++)
			text_octet(&t, i == 0 && t.len ? '.' : 0, msg[pos + 1 + i], true);
		pos += 1 + (size_t)c;
	}
	if (t.cut)
		*truncated = true;
	*off = jumps ? end : pos;
	return 0;
}

/* A name that must fill the rest of the rdata exactly. */
static int rdata_name(const uint8_t *msg, size_t len, size_t pos, size_t rd_end, char *out,
	bool *truncated, const char *what, char *err, size_t errlen)
{
	int ret;

	if ((ret = read_name(msg, len, &pos, rd_end, true, out, truncated, what, err, errlen)))
		return ret;
	if (pos != rd_end)
		return util_errf(err, errlen, "%s: %zu octets after the name in the rdata", what,
			rd_end - pos);
	return 0;
}

static int rdata_txt(
	const uint8_t *p, size_t rdlen, char *out, const char *what, char *err, size_t errlen)
{
	struct text t;
	size_t off = 0;

	text_init(&t, out, 255);
	for (bool first = true; off < rdlen; first = false) {
		size_t n = p[off];

		if (n > rdlen - off - 1)
			return util_errf(err, errlen,
				"%s: TXT string of %zu octets runs past the rdata", what, n);
		/* An empty string still separates: "a", "", "b" is "a\n\nb". */
		if (!first && n == 0)
			text_put(&t, "\n", 1);
		for (size_t i = 0; i < n; i++)
			text_octet(&t, i == 0 && !first ? '\n' : 0, p[off + 1 + i], false);
		off += 1 + n;
	}
	return 0;
}

static int rdata(const uint8_t *msg, size_t len, size_t pos, size_t rdlen, struct dns_record *rr,
	bool *truncated, const char *what, char *err, size_t errlen)
{
	size_t rd_end = pos + rdlen;

	switch (rr->type) {
	case DNS_TYPE_A:
		if (rdlen != 4)
			return util_errf(
				err, errlen, "%s: A record with rdlength %zu, not 4", what, rdlen);
		memcpy(&rr->a, msg + pos, 4);
		return 0;
	case DNS_TYPE_AAAA:
		if (rdlen != 16)
			return util_errf(err, errlen, "%s: AAAA record with rdlength %zu, not 16",
				what, rdlen);
		memcpy(&rr->aaaa, msg + pos, 16);
		return 0;
	case DNS_TYPE_NS:
	case DNS_TYPE_CNAME:
	case DNS_TYPE_PTR:
		return rdata_name(
			msg, len, pos, rd_end, rr->srv.target, truncated, what, err, errlen);
	case DNS_TYPE_SRV:
		/* RFC 2782 forbids compressing the target; RFC 6762 §18.14 allows it in mDNS. */
		if (rdlen < 7)
			return util_errf(
				err, errlen, "%s: SRV rdata of %zu octets, under 7", what, rdlen);
		rr->srv.priority = get16(msg + pos);
		rr->srv.weight = get16(msg + pos + 2);
		rr->srv.port = get16(msg + pos + 4);
		return rdata_name(
			msg, len, pos + 6, rd_end, rr->srv.target, truncated, what, err, errlen);
	case DNS_TYPE_TXT:
		return rdata_txt(msg + pos, rdlen, rr->txt, what, err, errlen);
	default:
		return 0;
	}
}

static int parse_question(const uint8_t *msg, size_t len, size_t *off, struct dns_question *q,
	bool *truncated, const char *what, char *err, size_t errlen)
{
	uint16_t qclass;
	int ret;

	if ((ret = read_name(msg, len, off, len, false, q->name, truncated, what, err, errlen)))
		return ret;
	if (len - *off < 4)
		return util_errf(err, errlen, "%s: type and class truncated", what);
	q->type = get16(msg + *off);
	qclass = get16(msg + *off + 2);
	q->unicast_response = qclass & CLASS_TOP;
	q->qclass = (uint16_t)(qclass & ~CLASS_TOP);
	*off += 4;
	return 0;
}

static int parse_record(const uint8_t *msg, size_t len, size_t *off, struct dns_record *rr,
	bool *truncated, const char *what, char *err, size_t errlen)
{
	uint16_t rclass;
	size_t rdlen;
	int ret;

	if ((ret = read_name(msg, len, off, len, false, rr->name, truncated, what, err, errlen)))
		return ret;
	if (len - *off < 10)
		return util_errf(err, errlen, "%s: type, class, TTL and rdlength truncated", what);
	rr->type = get16(msg + *off);
	rclass = get16(msg + *off + 2);
	rr->cache_flush = rclass & CLASS_TOP;
	rr->rclass = (uint16_t)(rclass & ~CLASS_TOP);
	rr->ttl = get32(msg + *off + 4);
	rdlen = get16(msg + *off + 8);
	*off += 10;
	if (rdlen > len - *off)
		return util_errf(err, errlen,
			"%s: rdata of %zu octets runs past the end of the message", what, rdlen);
	if ((ret = rdata(msg, len, *off, rdlen, rr, truncated, what, err, errlen)))
		return ret;
	*off += rdlen;
	return 0;
}

static int parse(const uint8_t *buf, size_t len, struct dns_msg *out, char *err, size_t errlen)
{
	size_t qd, count[4], need, off = DNS_HEADER_LEN;
	char what[32];
	int ret;

	if (!buf || len < DNS_HEADER_LEN)
		return util_errf(err, errlen, "message of %zu octets, shorter than the DNS header",
			buf ? len : 0);
	out->id = get16(buf);
	out->flags = get16(buf + 2);
	out->response = out->flags & 0x8000;
	out->opcode = (uint8_t)(out->flags >> 11 & 0xf);
	out->rcode = (uint8_t)(out->flags & 0xf);
	qd = get16(buf + 4);
	count[DNS_ANSWER] = get16(buf + 6);
	count[DNS_AUTHORITY] = get16(buf + 8);
	count[DNS_ADDITIONAL] = get16(buf + 10);
	/* Counts of at most 65535 each: no overflow. Checked first so a forged header cannot make
	 * the walk below long. */
	need = qd * QUESTION_MIN +
		(count[DNS_ANSWER] + count[DNS_AUTHORITY] + count[DNS_ADDITIONAL]) * RECORD_MIN;
	if (need > len - DNS_HEADER_LEN)
		return util_errf(err, errlen,
			"counts of %zu questions and %zu records need at least %zu octets, the "
			"message has %zu",
			qd, count[DNS_ANSWER] + count[DNS_AUTHORITY] + count[DNS_ADDITIONAL],
			need + DNS_HEADER_LEN, len);

	for (size_t i = 0; i < qd; i++) {
		struct dns_question spare, *q = &spare;

		if (out->nquestions < DNS_MAX_QUESTIONS)
			q = &out->q[out->nquestions];
		memset(q, 0, sizeof(*q));
		snprintf(what, sizeof(what), "question %zu", i + 1);
		if ((ret = parse_question(
			     buf, len, &off, q, &out->name_truncated, what, err, errlen)))
			return ret;
		if (q == &spare)
			out->dropped = true;
		else
			out->nquestions++;
	}
	for (int s = DNS_ANSWER; s <= DNS_ADDITIONAL; s++) {
		for (size_t i = 0; i < count[s]; i++) {
			struct dns_record spare, *rr = &spare;

			if (out->nrecords < DNS_MAX_RECORDS)
				rr = &out->rr[out->nrecords];
			memset(rr, 0, sizeof(*rr));
			rr->section = (enum dns_section)s;
			snprintf(what, sizeof(what), "%s %zu", section_name[s], i + 1);
			if ((ret = parse_record(
				     buf, len, &off, rr, &out->name_truncated, what, err, errlen)))
				return ret;
			if (rr == &spare)
				out->dropped = true;
			else
				out->nrecords++;
		}
	}
	return 0;
}

int dns_parse(const uint8_t *buf, size_t len, struct dns_msg *out, char *err, size_t errlen)
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

size_t dns_first_label(const char *name, char *buf, size_t buflen)
{
	size_t n = 0, kept = 0;
	bool room = buflen > 0;

	while (name[n] && name[n] != '.') {
		/* An escape is "\." or "\\" or "\DDD": the digits are never '.', so stepping over
		 * the backslash and the character after it is enough to find the label's end. */
		size_t step = name[n] == '\\' && name[n + 1] ? 2 : 1;

		if (name[n] == '\\' && step == 2 && name[n + 1] >= '0' && name[n + 1] <= '9')
			for (; step < 4 && name[n + step] >= '0' && name[n + step] <= '9'; step++)
				;
		if (room && kept == n && n + step < buflen)
			kept = n + step;
		n += step;
	}
	if (room) {
		memcpy(buf, name, kept);
		buf[kept] = '\0';
	}
	return n;
}
