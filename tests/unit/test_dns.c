/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the DNS/mDNS parser: announcements, queries, responses, escapes, every
 * rejection rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "observe/dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char err[256];

struct msg {
	uint8_t b[4096];
	size_t len;
};

static void put(struct msg *m, const void *v, size_t len)
{
	assert_true(m->len + len <= sizeof(m->b));
	memcpy(m->b + m->len, v, len);
	m->len += len;
}

static void put8(struct msg *m, uint8_t v)
{
	put(m, &v, 1);
}

static void put16(struct msg *m, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	put(m, b, 2);
}

static void put32(struct msg *m, uint32_t v)
{
	put16(m, (uint16_t)(v >> 16));
	put16(m, (uint16_t)v);
}

static void head(struct msg *m, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns,
	uint16_t ar)
{
	memset(m, 0, sizeof(*m));
	put16(m, id);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, ns);
	put16(m, ar);
}

/* One label; returns its offset (for pointers to it). */
static size_t label(struct msg *m, const char *s)
{
	size_t off = m->len;

	assert_true(strlen(s) <= 63);
	put8(m, (uint8_t)strlen(s));
	put(m, s, strlen(s));
	return off;
}

/* "a.b.c" as labels and the root; returns the offset of the name. */
static size_t name(struct msg *m, const char *dotted)
{
	size_t off = m->len;
	char tmp[256];

	assert_true(strlen(dotted) < sizeof(tmp));
	strcpy(tmp, dotted);
	for (char *save = NULL, *l = strtok_r(tmp, ".", &save); l; l = strtok_r(NULL, ".", &save))
		label(m, l);
	put8(m, 0);
	return off;
}

static void ptr(struct msg *m, size_t off)
{
	put16(m, (uint16_t)(0xc000 | off));
}

/* type, class, ttl; the rdlength is patched by rd_end. */
static size_t rr_head(struct msg *m, uint16_t type, uint16_t rclass, uint32_t ttl)
{
	put16(m, type);
	put16(m, rclass);
	put32(m, ttl);
	put16(m, 0);
	return m->len;
}

static void rd_end(struct msg *m, size_t rd_start)
{
	size_t n = m->len - rd_start;

	m->b[rd_start - 2] = (uint8_t)(n >> 8);
	m->b[rd_start - 1] = (uint8_t)n;
}

/* A copy of exactly n octets, so ASan sees any read past it. */
static int parse_n(const uint8_t *b, size_t n, struct dns_msg *d)
{
	uint8_t *copy = malloc(n ? n : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, b, n);
	ret = dns_parse(copy, n, d, err, sizeof(err));
	free(copy);
	return ret;
}

static int parse(const struct msg *m, struct dns_msg *d)
{
	return parse_n(m->b, m->len, d);
}

static struct dns_msg *new_msg(void)
{
	struct dns_msg *d = malloc(sizeof(*d));

	assert_non_null(d);
	return d;
}

#define INSTANCE "Philips hue - 2476FF"

/* A Hue bridge's announcement: PTR, SRV, TXT and A answers, AAAA additional, every name after
 * the first compressed, and 18 octets of padding after the last record as the bridge sends. */
static void hue_announcement(struct msg *m, size_t *end)
{
	size_t svc, inst, host, local, rd;
	static const uint8_t v6[16] = {0xfd, 0xd9, 0x0f, 0xbb, 0xa0, 0x67, [15] = 1};

	head(m, 0, 0x8400, 0, 4, 0, 1);
	svc = name(m, "_hap._tcp.local");
	local = svc + 10;
	rd = rr_head(m, DNS_TYPE_PTR, 1, 4500);
	inst = label(m, INSTANCE);
	ptr(m, svc);
	rd_end(m, rd);

	ptr(m, inst);
	rd = rr_head(m, DNS_TYPE_SRV, 0x8001, 120);
	put16(m, 0);
	put16(m, 0);
	put16(m, 8080);
	host = label(m, "Philips-hue");
	ptr(m, local);
	rd_end(m, rd);

	ptr(m, inst);
	rd = rr_head(m, DNS_TYPE_TXT, 0x8001, 4500);
	label(m, "c#=1");
	label(m, "md=BSB002");
	label(m, "id=00:17:88:24:76:FF");
	rd_end(m, rd);

	ptr(m, host);
	rd = rr_head(m, DNS_TYPE_A, 0x8001, 120);
	put(m, "\x0a\x0a\x0a\x06", 4);
	rd_end(m, rd);

	ptr(m, host);
	rd = rr_head(m, DNS_TYPE_AAAA, 0x8001, 120);
	put(m, v6, 16);
	rd_end(m, rd);
	*end = m->len;
	put(m, (uint8_t[18]){0}, 18);
}

static void test_mdns_announcement(void **state)
{
	struct dns_msg *d = new_msg();
	char text[INET6_ADDRSTRLEN], lbl[64];
	struct msg m;
	size_t end;

	(void)state;
	hue_announcement(&m, &end);
	assert_int_equal(parse(&m, d), 0);
	assert_int_equal(d->id, 0);
	assert_int_equal(d->flags, 0x8400);
	assert_true(d->response);
	assert_int_equal(d->opcode, 0);
	assert_int_equal(d->rcode, 0);
	assert_int_equal(d->nquestions, 0);
	assert_int_equal(d->nrecords, 5);
	assert_false(d->dropped);
	assert_false(d->name_truncated);

	assert_string_equal(d->rr[0].name, "_hap._tcp.local");
	assert_int_equal(d->rr[0].type, DNS_TYPE_PTR);
	assert_int_equal(d->rr[0].rclass, 1);
	assert_false(d->rr[0].cache_flush);
	assert_int_equal(d->rr[0].ttl, 4500);
	assert_int_equal(d->rr[0].section, DNS_ANSWER);
	assert_string_equal(d->rr[0].srv.target, INSTANCE "._hap._tcp.local");

	assert_string_equal(d->rr[1].name, INSTANCE "._hap._tcp.local");
	assert_int_equal(d->rr[1].type, DNS_TYPE_SRV);
	assert_int_equal(d->rr[1].rclass, 1);
	assert_true(d->rr[1].cache_flush);
	assert_int_equal(d->rr[1].ttl, 120);
	assert_int_equal(d->rr[1].srv.priority, 0);
	assert_int_equal(d->rr[1].srv.weight, 0);
	assert_int_equal(d->rr[1].srv.port, 8080);
	assert_string_equal(d->rr[1].srv.target, "Philips-hue.local");

	assert_string_equal(d->rr[2].name, INSTANCE "._hap._tcp.local");
	assert_int_equal(d->rr[2].type, DNS_TYPE_TXT);
	assert_string_equal(d->rr[2].txt, "c#=1\nmd=BSB002\nid=00:17:88:24:76:FF");

	assert_string_equal(d->rr[3].name, "Philips-hue.local");
	assert_int_equal(d->rr[3].type, DNS_TYPE_A);
	inet_ntop(AF_INET, &d->rr[3].a, text, sizeof(text));
	assert_string_equal(text, "10.10.10.6");
	assert_int_equal(d->rr[3].section, DNS_ANSWER);

	assert_string_equal(d->rr[4].name, "Philips-hue.local");
	assert_int_equal(d->rr[4].type, DNS_TYPE_AAAA);
	assert_int_equal(d->rr[4].section, DNS_ADDITIONAL);
	inet_ntop(AF_INET6, &d->rr[4].aaaa, text, sizeof(text));
	assert_string_equal(text, "fdd9:fbb:a067::1");

	assert_int_equal(dns_first_label(d->rr[1].name, lbl, sizeof(lbl)), strlen(INSTANCE));
	assert_string_equal(lbl, INSTANCE);

	/* Without the padding: the same. */
	assert_int_equal(parse_n(m.b, end, d), 0);
	assert_int_equal(d->nrecords, 5);
	free(d);
}

/* The Hue's probe: three QU questions and its proposed records in the authority section. */
static void test_mdns_probe(void **state)
{
	struct dns_msg *d = new_msg();
	size_t svc, inst, host, rd;
	struct msg m;

	(void)state;
	head(&m, 0, 0, 3, 0, 2, 0);
	svc = name(&m, "_hap._tcp.local");
	put16(&m, DNS_TYPE_ANY);
	put16(&m, 0x8001);
	host = label(&m, "Philips-hue");
	ptr(&m, svc + 10);
	put16(&m, DNS_TYPE_ANY);
	put16(&m, 0x8001);
	inst = label(&m, INSTANCE);
	ptr(&m, svc);
	put16(&m, DNS_TYPE_ANY);
	put16(&m, 0x0001); /* QM */
	ptr(&m, svc);
	rd = rr_head(&m, DNS_TYPE_PTR, 1, 4500);
	ptr(&m, inst);
	rd_end(&m, rd);
	ptr(&m, host);
	rd = rr_head(&m, DNS_TYPE_A, 1, 120);
	put(&m, "\x0a\x0a\x0a\x06", 4);
	rd_end(&m, rd);

	assert_int_equal(parse(&m, d), 0);
	assert_false(d->response);
	assert_int_equal(d->nquestions, 3);
	assert_string_equal(d->q[0].name, "_hap._tcp.local");
	assert_int_equal(d->q[0].type, DNS_TYPE_ANY);
	assert_int_equal(d->q[0].qclass, 1);
	assert_true(d->q[0].unicast_response);
	assert_string_equal(d->q[1].name, "Philips-hue.local");
	assert_true(d->q[1].unicast_response);
	assert_string_equal(d->q[2].name, INSTANCE "._hap._tcp.local");
	assert_false(d->q[2].unicast_response);
	assert_int_equal(d->q[2].qclass, 1);
	assert_int_equal(d->nrecords, 2);
	assert_int_equal(d->rr[0].section, DNS_AUTHORITY);
	assert_string_equal(d->rr[0].srv.target, INSTANCE "._hap._tcp.local");
	assert_int_equal(d->rr[1].section, DNS_AUTHORITY);
	assert_string_equal(d->rr[1].name, "Philips-hue.local");
	free(d);
}

/* A stub resolver's query with an EDNS OPT record: the OPT keeps name/type/class/ttl only. */
static void test_dns_query(void **state)
{
	struct dns_msg *d = new_msg();
	struct msg m;
	size_t rd;

	(void)state;
	head(&m, 0x1234, 0x0120, 1, 0, 0, 1); /* RD, AD */
	name(&m, "time.vendor-cloud.example");
	put16(&m, DNS_TYPE_A);
	put16(&m, 1);
	put8(&m, 0);
	rd = rr_head(&m, DNS_TYPE_OPT, 1232, 0);
	put(&m, "\x00\x0a\x00\x08\x01\x02\x03\x04\x05\x06\x07\x08", 12); /* a COOKIE option */
	rd_end(&m, rd);

	assert_int_equal(parse(&m, d), 0);
	assert_int_equal(d->id, 0x1234);
	assert_int_equal(d->flags, 0x0120);
	assert_false(d->response);
	assert_int_equal(d->opcode, 0);
	assert_int_equal(d->nquestions, 1);
	assert_string_equal(d->q[0].name, "time.vendor-cloud.example");
	assert_int_equal(d->q[0].type, DNS_TYPE_A);
	assert_int_equal(d->q[0].qclass, 1);
	assert_false(d->q[0].unicast_response);
	assert_int_equal(d->nrecords, 1);
	assert_string_equal(d->rr[0].name, "");
	assert_int_equal(d->rr[0].type, DNS_TYPE_OPT);
	assert_int_equal(d->rr[0].rclass, 1232);
	assert_int_equal(d->rr[0].section, DNS_ADDITIONAL);
	assert_string_equal(d->rr[0].txt, "");
	free(d);
}

/* A recursive resolver's answer: a CNAME chain to an A and an AAAA, compressed against the
 * question and each other, an NS in authority, rcode and opcode from the flags. */
static void test_dns_response_cname(void **state)
{
	struct dns_msg *d = new_msg();
	size_t q, edge, e1, rd;
	char text[INET6_ADDRSTRLEN];
	struct msg m;

	(void)state;
	head(&m, 0xbeef, 0x8180, 1, 4, 1, 0);
	q = name(&m, "fw.vendor.example");
	put16(&m, DNS_TYPE_A);
	put16(&m, 1);

	ptr(&m, q);
	rd = rr_head(&m, DNS_TYPE_CNAME, 1, 300);
	edge = label(&m, "edge");
	label(&m, "cdn");
	label(&m, "test");
	put8(&m, 0);
	rd_end(&m, rd);

	ptr(&m, edge);
	rd = rr_head(&m, DNS_TYPE_CNAME, 1, 60);
	e1 = label(&m, "e1");
	ptr(&m, edge + 5); /* "cdn.test" */
	rd_end(&m, rd);

	ptr(&m, e1);
	rd = rr_head(&m, DNS_TYPE_A, 1, 20);
	put(&m, "\xc0\x00\x02\x07", 4);
	rd_end(&m, rd);

	ptr(&m, e1);
	rd = rr_head(&m, DNS_TYPE_AAAA, 1, 20);
	put(&m, "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x07", 16);
	rd_end(&m, rd);

	ptr(&m, edge + 5);
	rd = rr_head(&m, DNS_TYPE_NS, 1, 86400);
	label(&m, "ns1");
	ptr(&m, edge + 5);
	rd_end(&m, rd);

	assert_int_equal(parse(&m, d), 0);
	assert_true(d->response);
	assert_int_equal(d->rcode, 0);
	assert_int_equal(d->nquestions, 1);
	assert_string_equal(d->q[0].name, "fw.vendor.example");
	assert_int_equal(d->nrecords, 5);
	assert_string_equal(d->rr[0].name, "fw.vendor.example");
	assert_int_equal(d->rr[0].type, DNS_TYPE_CNAME);
	assert_int_equal(d->rr[0].ttl, 300);
	assert_string_equal(d->rr[0].srv.target, "edge.cdn.test");
	assert_string_equal(d->rr[1].name, "edge.cdn.test");
	assert_string_equal(d->rr[1].srv.target, "e1.cdn.test");
	assert_string_equal(d->rr[2].name, "e1.cdn.test");
	assert_int_equal(d->rr[2].type, DNS_TYPE_A);
	inet_ntop(AF_INET, &d->rr[2].a, text, sizeof(text));
	assert_string_equal(text, "192.0.2.7");
	assert_string_equal(d->rr[3].name, "e1.cdn.test");
	inet_ntop(AF_INET6, &d->rr[3].aaaa, text, sizeof(text));
	assert_string_equal(text, "2001:db8::7");
	assert_int_equal(d->rr[4].section, DNS_AUTHORITY);
	assert_int_equal(d->rr[4].type, DNS_TYPE_NS);
	assert_string_equal(d->rr[4].name, "cdn.test");
	assert_string_equal(d->rr[4].srv.target, "ns1.cdn.test");

	/* NXDOMAIN from an IQUERY-opcode header: the fields split as on the wire. */
	m.b[2] = 0x88;
	m.b[3] = 0x83;
	assert_int_equal(parse(&m, d), 0);
	assert_int_equal(d->opcode, 1);
	assert_int_equal(d->rcode, 3);
	free(d);
}

static void one_question(struct msg *m, const void *wire, size_t len)
{
	head(m, 1, 0, 1, 0, 0, 0);
	put(m, wire, len);
	put16(m, DNS_TYPE_A);
	put16(m, 1);
}

/* "Küche.Spk\ 1" and three control octets, then _airplay._tcp.local */
static const uint8_t airplay[] = "\020K\303\274che.Spk\\ 1\177\001\t\010_airplay\004_tcp\005local";

static void test_name_escapes(void **state)
{
	struct dns_msg *d = new_msg();
	uint8_t wire[300];
	char lbl[32];
	struct msg m;

	(void)state;
	/* An AirPlay instance name with UTF-8, a dot and a backslash; control octets. */
	one_question(&m, airplay, sizeof(airplay)); /* the string's NUL is the root */
	assert_int_equal(parse(&m, d), 0);
	assert_string_equal(
		d->q[0].name, "K\\195\\188che\\.Spk\\\\ 1\\127\\001\\009._airplay._tcp.local");
	assert_int_equal(d->q[0].type, DNS_TYPE_A);
	assert_int_equal(dns_first_label(d->q[0].name, lbl, sizeof(lbl)), 33);
	assert_string_equal(lbl, "K\\195\\188che\\.Spk\\\\ 1\\127\\001");
	/* cut before an escape that does not fit, never inside it */
	assert_int_equal(dns_first_label(d->q[0].name, lbl, 9), 33);
	assert_string_equal(lbl, "K\\195");
	assert_int_equal(dns_first_label(d->q[0].name, lbl, 10), 33);
	assert_string_equal(lbl, "K\\195\\188");
	assert_int_equal(dns_first_label(d->q[0].name, lbl, 0), 33);
	assert_int_equal(dns_first_label("", lbl, sizeof(lbl)), 0);
	assert_string_equal(lbl, "");
	assert_int_equal(dns_first_label("a\\.b.c", lbl, sizeof(lbl)), 4);
	assert_string_equal(lbl, "a\\.b");
	assert_int_equal(dns_first_label("nodot", lbl, sizeof(lbl)), 5);
	assert_string_equal(lbl, "nodot");

	/* The root alone is "". */
	one_question(&m, "", 1);
	assert_int_equal(parse(&m, d), 0);
	assert_string_equal(d->q[0].name, "");

	/* Wire names of exactly 255 octets: three labels of 63, one of 61, the root. */
	memset(wire, 'x', sizeof(wire));
	wire[0] = wire[64] = wire[128] = 63;
	wire[192] = 61;
	wire[254] = 0;
	one_question(&m, wire, 255);
	assert_int_equal(parse(&m, d), 0);
	assert_int_equal(strlen(d->q[0].name), 253);
	assert_false(d->name_truncated);

	/* The text form of two labels of 63 control octets is 252 + 1 + 252: cut after the first
	 * label, on an escape boundary, and said so. */
	memset(wire, 1, sizeof(wire));
	wire[0] = wire[64] = 63;
	wire[128] = 0;
	one_question(&m, wire, 129);
	assert_int_equal(parse(&m, d), 0);
	assert_true(d->name_truncated);
	assert_int_equal(strlen(d->q[0].name), 252);
	assert_memory_equal(d->q[0].name, "\\001\\001", 8);
	free(d);
}

static void test_txt(void **state)
{
	struct dns_msg *d = new_msg();
	uint8_t big[200];
	struct msg m;
	size_t rd;

	(void)state;
	memset(big, 'a', sizeof(big));
#define TXT(...)                                            \
	do {                                                \
		head(&m, 0, 0x8400, 0, 1, 0, 0);            \
		name(&m, "x.local");                        \
		rd = rr_head(&m, DNS_TYPE_TXT, 0x8001, 10); \
		__VA_ARGS__;                                \
		rd_end(&m, rd);                             \
		assert_int_equal(parse(&m, d), 0);          \
	} while (0)

	TXT((void)0);
	assert_string_equal(d->rr[0].txt, "");
	TXT(put8(&m, 0));
	assert_string_equal(d->rr[0].txt, "");
	TXT(label(&m, "a"); put8(&m, 0); label(&m, "b"));
	assert_string_equal(d->rr[0].txt, "a\n\nb");
	TXT(put8(&m, 0); label(&m, "b"));
	assert_string_equal(d->rr[0].txt, "\nb");
	TXT(put(&m, "\x06n=a\\\x01\xff", 7));
	assert_string_equal(d->rr[0].txt, "n=a\\\\\\001\\255");
	assert_false(d->name_truncated);
	/* 200 + 1 + 54 characters fit exactly; a 4-character escape after them does not. */
	TXT(put8(&m, 200); put(&m, big, 200); put8(&m, 54); put(&m, big, 54));
	assert_int_equal(strlen(d->rr[0].txt), 255);
	TXT(put8(&m, 200); put(&m, big, 200); put8(&m, 54); put(&m, big, 51); put8(&m, 2);
		put(&m, "\x01\x01", 2));
	assert_int_equal(strlen(d->rr[0].txt), 252);
	assert_int_equal(d->rr[0].txt[200], '\n');
#undef TXT
	free(d);
}

/* Past the maxima questions and records are walked, checked and dropped; the chain of pointers
 * each question's name makes to the one before also finds the jump bound. */
static void test_dropped_and_jumps(void **state)
{
	struct dns_msg *d = new_msg();
	struct msg m;
	size_t prev, rd;

	(void)state;
	head(&m, 0, 0, DNS_MAX_JUMPS + 1, 0, 0, 0);
	prev = name(&m, "a.local");
	put16(&m, DNS_TYPE_A);
	put16(&m, 1);
	for (int i = 1; i <= DNS_MAX_JUMPS; i++) {
		size_t here = m.len;

		ptr(&m, prev);
		put16(&m, DNS_TYPE_A);
		put16(&m, 1);
		prev = here;
	}
	assert_int_equal(parse(&m, d), 0);
	assert_int_equal(d->nquestions, DNS_MAX_QUESTIONS);
	assert_true(d->dropped);
	assert_string_equal(d->q[DNS_MAX_QUESTIONS - 1].name, "a.local");
	m.b[5]++;
	ptr(&m, prev);
	put16(&m, DNS_TYPE_A);
	put16(&m, 1);
	assert_int_equal(parse(&m, d), -EINVAL);
	assert_non_null(strstr(err, "question 66: more than 64 compression pointers"));

	/* 48 records kept of 49; the 49th must still be well formed. */
	head(&m, 0, 0x8400, 0, DNS_MAX_RECORDS + 1, 0, 0);
	prev = name(&m, "h.local");
	rd = rr_head(&m, DNS_TYPE_A, 1, 1);
	put(&m, "\x0a\x00\x00\x01", 4);
	rd_end(&m, rd);
	for (int i = 1; i <= DNS_MAX_RECORDS; i++) {
		ptr(&m, prev);
		rd = rr_head(&m, DNS_TYPE_A, 1, (uint32_t)i + 1);
		put(&m, "\x0a\x00\x00\x01", 4);
		rd_end(&m, rd);
	}
	assert_int_equal(parse(&m, d), 0);
	assert_int_equal(d->nrecords, DNS_MAX_RECORDS);
	assert_true(d->dropped);
	assert_int_equal(d->rr[DNS_MAX_RECORDS - 1].ttl, DNS_MAX_RECORDS);
	m.b[m.len - 5] = 5; /* the dropped record's rdlength */
	put8(&m, 0);
	assert_int_equal(parse(&m, d), -EINVAL);
	assert_non_null(strstr(err, "answer 49: A record with rdlength 5, not 4"));
	free(d);
}

static void test_rejections(void **state)
{
	struct dns_msg *d = new_msg();
	uint8_t wire[300];
	struct msg m;
	size_t i = 0, rd;

	(void)state;
#define BAD(why)                                                                \
	do {                                                                    \
		memset(d, 0xa5, sizeof(*d));                                    \
		assert_int_equal(parse(&m, d), -EINVAL);                        \
		if (!strstr(err, why))                                          \
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, why); \
		assert_int_equal(d->nquestions + d->nrecords + d->flags, 0);    \
		assert_string_equal(d->q[0].name, "");                          \
		i++;                                                            \
	} while (0)
#define REC(type, ...)                           \
	do {                                     \
		head(&m, 0, 0x8400, 0, 1, 0, 0); \
		name(&m, "h.local");             \
		rd = rr_head(&m, type, 1, 120);  \
		__VA_ARGS__;                     \
		rd_end(&m, rd);                  \
	} while (0)

	head(&m, 0, 0, 0, 0, 0, 0);
	m.len = 11;
	BAD("message of 11 octets, shorter than the DNS header");
	head(&m, 0, 0, 2, 0, 0, 0);
	name(&m, "a");
	put32(&m, 0x00010001);
	BAD("counts of 2 questions and 0 records need at least 22 octets, the message has 19");
	head(&m, 0, 0, 0, 0xffff, 0xffff, 0xffff);
	BAD("counts of 0 questions and 196605 records");
	head(&m, 0, 0, 1, 0, 0, 0);
	put(&m, "\003www\007exa", 8);
	BAD("question 1: label at 16 runs past the end of the message");
	head(&m, 0, 0, 1, 0, 0, 0);
	put(&m, "\x03www\x00\x00\x01", 7);
	BAD("question 1: type and class truncated");
	head(&m, 0, 0, 1, 0, 0, 0);
	put(&m, "\001a\001b\001c", 6);
	BAD("question 1: name runs past the end of the message");

	/* compression: a pointer to itself, into the labels it continues, forward, into the
	 * header; then what those labels must obey */
	one_question(&m, "\xc0\x0c", 2);
	BAD("question 1: compression pointer at 12 to 12 makes a loop");
	one_question(&m, "\001a\xc0\x0c", 4);
	BAD("question 1: compression pointer at 14 to 12 makes a loop");
	head(&m, 0, 0, 2, 0, 0, 0);
	name(&m, "a");
	put32(&m, 0x00010001);
	put(&m, "\001b\xc0\x0c", 4); /* b -> a: before the name */
	put32(&m, 0x00010001);
	put(&m, "\001c\xc0\x13", 4); /* c -> b -> a */
	put32(&m, 0x00010001);
	m.b[5] = 3;
	assert_int_equal(parse(&m, d), 0);
	assert_string_equal(d->q[2].name, "c.b.a");
	m.b[m.len - 5] = 0x1b; /* c -> itself */
	BAD("question 3: compression pointer at 29 to 27 makes a loop");
	/* into the labels it continues, past the name's start */
	head(&m, 0, 0, 1, 0, 0, 0);
	put(&m, "\001a\001b\xc0\x0e", 6);
	put32(&m, 0x00010001);
	BAD("question 1: compression pointer at 16 to 14 makes a loop");
	one_question(&m, "\xc0\x20", 2);
	BAD("question 1: compression pointer at 12 to 32 points forward");
	head(&m, 0, 0, 2, 0, 0, 0);
	name(&m, "a");
	put32(&m, 0x00010001);
	put(&m, "\xc0\x04", 2);
	put32(&m, 0x00010001);
	BAD("question 2: compression pointer at 19 into the header");
	one_question(&m, "\xc0", 1);
	m.len = 13;
	m.b[4] = 0;
	m.b[5] = 0;
	m.b[7] = 1;
	BAD("counts of 0 questions and 1 records");
	head(&m, 0, 0, 1, 0, 0, 0);
	put(&m, "\x01\x01\x01\x01\x01\x01", 6);
	put(&m, "\xc0", 1);
	m.len = 19;
	BAD("question 1: compression pointer at 18 truncated");

	memset(wire, 'x', sizeof(wire));
	wire[0] = 64;
	wire[65] = 0;
	one_question(&m, wire, 66);
	BAD("question 1: label at 12 of type 0x40 (length 64 over 63)");
	wire[0] = 0x80;
	one_question(&m, wire, 66);
	BAD("question 1: label at 12 of type 0x80");
	wire[0] = wire[64] = wire[128] = wire[192] = 63;
	wire[256] = 0;
	one_question(&m, wire, 257);
	BAD("question 1: name over 255 octets");
	/* over 255 through a pointer: 4 labels of 63 here + "a" there */
	head(&m, 0, 0, 2, 0, 0, 0);
	name(&m, "a");
	put32(&m, 0x00010001);
	wire[0] = wire[64] = wire[128] = 63;
	wire[192] = 61;
	put(&m, wire, 254);
	ptr(&m, 12);
	put32(&m, 0x00010001);
	BAD("question 2: name over 255 octets");

	/* records */
	REC(DNS_TYPE_A, put(&m, "\x0a\x00\x00\x01", 4));
	m.len -= 1;
	BAD("answer 1: rdata of 4 octets runs past the end of the message");
	head(&m, 0, 0x8400, 0, 1, 0, 0);
	name(&m, "h.local");
	put(&m, "\x00\x01\x00\x01\x00\x00\x00", 7);
	BAD("answer 1: type, class, TTL and rdlength truncated");
	REC(DNS_TYPE_A, put(&m, "\x0a\x00\x00\x01\x00", 5));
	BAD("answer 1: A record with rdlength 5, not 4");
	REC(DNS_TYPE_A, put(&m, "\x0a\x00\x00", 3));
	BAD("answer 1: A record with rdlength 3, not 4");
	REC(DNS_TYPE_AAAA, put(&m, "\x0a\x00\x00\x01", 4));
	BAD("answer 1: AAAA record with rdlength 4, not 16");
	REC(DNS_TYPE_SRV, put(&m, "\x00\x00\x00\x00\x1f\x90", 6));
	BAD("answer 1: SRV rdata of 6 octets, under 7");
	REC(DNS_TYPE_SRV, put(&m, "\x00\x00\x00\x00\x1f\x90\x01h", 8));
	BAD("answer 1: name runs past the end of the rdata");
	REC(DNS_TYPE_SRV, put(&m, "\x00\x00\x00\x00\x1f\x90\x05h", 8));
	BAD("answer 1: label at 37 runs past the end of the rdata");
	REC(DNS_TYPE_PTR, put(&m, "\x01h\x00\x00", 4));
	BAD("answer 1: 1 octets after the name in the rdata");
	REC(DNS_TYPE_CNAME, put(&m, "\x01h", 2));
	BAD("answer 1: name runs past the end of the rdata");
	REC(DNS_TYPE_NS, put(&m, "\xc0", 1));
	BAD("answer 1: compression pointer at 31 truncated");
	REC(DNS_TYPE_PTR, ptr(&m, 31));
	BAD("answer 1: compression pointer at 31 to 31 makes a loop");
	REC(DNS_TYPE_PTR, ptr(&m, 12));
	assert_int_equal(parse(&m, d), 0);
	assert_string_equal(d->rr[0].srv.target, "h.local");
	REC(DNS_TYPE_TXT, put(&m, "\002ab\005cd", 6));
	BAD("answer 1: TXT string of 5 octets runs past the rdata");
	/* a record in the additional section, after a good answer */
	REC(DNS_TYPE_A, put(&m, "\x0a\x00\x00\x01", 4));
	m.b[11] = 1;
	ptr(&m, 12);
	put(&m, "\x00\x1c\x00\x01\x00\x00\x00\x00\x00\x10", 10);
	put(&m, wire, 15);
	BAD("additional 1: rdata of 16 octets runs past the end of the message");
#undef REC
#undef BAD
	assert_int_equal(dns_parse(NULL, 0, d, NULL, 0), -EINVAL);
	free(d);
}

/* No prefix of the announcement is a message: every cut is caught. */
static void test_truncation(void **state)
{
	struct dns_msg *d = new_msg();
	struct msg m;
	size_t end;

	(void)state;
	hue_announcement(&m, &end);
	for (size_t n = 0; n < end; n++)
		if (parse_n(m.b, n, d) != -EINVAL || d->nrecords != 0 || !err[0])
			fail_msg("prefix of %zu octets accepted", n);
	assert_int_equal(parse_n(m.b, end, d), 0);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mdns_announcement),
		cmocka_unit_test(test_mdns_probe),
		cmocka_unit_test(test_dns_query),
		cmocka_unit_test(test_dns_response_cname),
		cmocka_unit_test(test_name_escapes),
		cmocka_unit_test(test_txt),
		cmocka_unit_test(test_dropped_and_jumps),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
