/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for what a DNS answer binds: query checks, answer matching, CNAME chains, TTLs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "observe/dns.h"
#include "policy/dns_answer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A DNS message built in the test (RFC 1035 §4.1 layout, names uncompressed). */
struct wire {
	uint8_t b[4096];
	size_t n;
};

static void put16(struct wire *w, uint16_t v)
{
	w->b[w->n++] = (uint8_t)(v >> 8);
	w->b[w->n++] = (uint8_t)v;
}

static void put32(struct wire *w, uint32_t v)
{
	put16(w, (uint16_t)(v >> 16));
	put16(w, (uint16_t)v);
}

static void name(struct wire *w, const char *s)
{
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t n = dot ? (size_t)(dot - s) : strlen(s);

		w->b[w->n++] = (uint8_t)n;
		memcpy(w->b + w->n, s, n);
		w->n += n;
		s += n + (dot ? 1 : 0);
	}
	w->b[w->n++] = 0;
}

static void header(struct wire *w, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an)
{
	w->n = 0;
	put16(w, id);
	put16(w, flags);
	put16(w, qd);
	put16(w, an);
	put16(w, 0);
	put16(w, 0);
}

static void question(struct wire *w, const char *n, uint16_t type, uint16_t qclass)
{
	name(w, n);
	put16(w, type);
	put16(w, qclass);
}

static void rr_a(struct wire *w, const char *owner, const char *addr, uint32_t ttl)
{
	uint8_t a[4];

	assert_int_equal(inet_pton(AF_INET, addr, a), 1);
	name(w, owner);
	put16(w, DNS_TYPE_A);
	put16(w, DNS_CLASS_IN);
	put32(w, ttl);
	put16(w, 4);
	memcpy(w->b + w->n, a, 4);
	w->n += 4;
}

static void rr_aaaa(struct wire *w, const char *owner, const char *addr, uint32_t ttl)
{
	uint8_t a[16];

	assert_int_equal(inet_pton(AF_INET6, addr, a), 1);
	name(w, owner);
	put16(w, DNS_TYPE_AAAA);
	put16(w, DNS_CLASS_IN);
	put32(w, ttl);
	put16(w, 16);
	memcpy(w->b + w->n, a, 16);
	w->n += 16;
}

static void rr_cname(struct wire *w, const char *owner, const char *target, uint16_t rclass)
{
	size_t at;

	name(w, owner);
	put16(w, DNS_TYPE_CNAME);
	put16(w, rclass);
	put32(w, 300);
	at = w->n;
	put16(w, 0);
	name(w, target);
	w->b[at] = (uint8_t)((w->n - at - 2) >> 8);
	w->b[at + 1] = (uint8_t)(w->n - at - 2);
}

static struct dns_msg msg;

static void parse(const struct wire *w)
{
	char err[128];

	assert_int_equal(dns_parse(w->b, w->n, &msg, err, sizeof(err)), 0);
}

static bool has4(const struct dns_answer_addrs *a, const char *addr, uint32_t ttl)
{
	uint8_t b[4];

	inet_pton(AF_INET, addr, b);
	for (size_t i = 0; i < a->n; i++)
		if (a->a[i].family == 4 && memcmp(a->a[i].addr, b, 4) == 0 && a->a[i].ttl == ttl)
			return true;
	return false;
}

static void test_query(void **state)
{
	struct dns_answer_query q;
	struct wire w;
	char err[128];

	(void)state;
	header(&w, 0x1234, 0x0100, 1, 0);
	question(&w, "Cloud.Example.test", DNS_TYPE_A, DNS_CLASS_IN);
	parse(&w);
	assert_int_equal(dns_answer_query(&msg, &q, err, sizeof(err)), 0);
	assert_string_equal(q.name, "Cloud.Example.test");
	assert_int_equal(q.id, 0x1234);
	assert_int_equal(q.type, DNS_TYPE_A);

	/* a response is not a query */
	header(&w, 1, 0x8100, 1, 0);
	question(&w, "a.test", DNS_TYPE_A, DNS_CLASS_IN);
	parse(&w);
	assert_int_equal(dns_answer_query(&msg, &q, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "a response, not a query");
	assert_string_equal(q.name, "");
	/* opcode NOTIFY (4) */
	header(&w, 1, 4 << 11, 1, 0);
	question(&w, "a.test", DNS_TYPE_A, DNS_CLASS_IN);
	parse(&w);
	assert_int_equal(dns_answer_query(&msg, &q, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "opcode 4, not QUERY");
	/* two questions, none */
	header(&w, 1, 0x0100, 2, 0);
	question(&w, "a.test", DNS_TYPE_A, DNS_CLASS_IN);
	question(&w, "b.test", DNS_TYPE_A, DNS_CLASS_IN);
	parse(&w);
	assert_int_equal(dns_answer_query(&msg, &q, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "2 questions, not 1");
	header(&w, 1, 0x0100, 0, 0);
	parse(&w);
	assert_int_equal(dns_answer_query(&msg, &q, err, sizeof(err)), -EINVAL);
	/* class CHAOS; the root */
	header(&w, 1, 0x0100, 1, 0);
	question(&w, "version.bind", DNS_TYPE_TXT, 3);
	parse(&w);
	assert_int_equal(dns_answer_query(&msg, &q, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "class 3, not IN");
	header(&w, 1, 0x0100, 1, 0);
	question(&w, "", DNS_TYPE_NS, DNS_CLASS_IN);
	parse(&w);
	assert_int_equal(dns_answer_query(&msg, &q, err, sizeof(err)), -EINVAL);
}

/* The query the answers below must match: ID 0xbeef, cloud.example.test A IN. */
static struct dns_answer_query the_query(void)
{
	struct dns_answer_query q = {.type = DNS_TYPE_A, .qclass = DNS_CLASS_IN, .id = 0xbeef};

	strcpy(q.name, "cloud.example.test");
	return q;
}

static bool answer_matches(
	uint16_t id, uint16_t flags, const char *qname, uint16_t type, uint16_t qclass, uint16_t qd)
{
	struct dns_answer_query q = the_query();
	struct wire w;

	header(&w, id, flags, qd, 1);
	for (uint16_t i = 0; i < qd; i++)
		question(&w, qname, type, qclass);
	rr_a(&w, qname, "192.0.2.1", 60);
	parse(&w);
	return dns_answer_matches(&msg, &q);
}

static void test_matches(void **state)
{
	(void)state;
	assert_true(answer_matches(0xbeef, 0x8180, "cloud.example.test", DNS_TYPE_A, 1, 1));
	/* the upstream may change the case of the name (0x20 bits) */
	assert_true(answer_matches(0xbeef, 0x8180, "CLOUD.example.TEST", DNS_TYPE_A, 1, 1));
	/* an error answer still matches (it is relayed, binds nothing) */
	assert_true(answer_matches(0xbeef, 0x8183, "cloud.example.test", DNS_TYPE_A, 1, 1));
	/* spoofed or stray: another ID, a query, another opcode, another question */
	assert_false(answer_matches(0xbeee, 0x8180, "cloud.example.test", DNS_TYPE_A, 1, 1));
	assert_false(answer_matches(0xbeef, 0x0180, "cloud.example.test", DNS_TYPE_A, 1, 1));
	assert_false(answer_matches(0xbeef, 0x8980, "cloud.example.test", DNS_TYPE_A, 1, 1));
	assert_false(answer_matches(0xbeef, 0x8180, "cloud.example.tes", DNS_TYPE_A, 1, 1));
	assert_false(answer_matches(0xbeef, 0x8180, "evil.example.test", DNS_TYPE_A, 1, 1));
	assert_false(answer_matches(0xbeef, 0x8180, "cloud.example.test", DNS_TYPE_AAAA, 1, 1));
	assert_false(answer_matches(0xbeef, 0x8180, "cloud.example.test", DNS_TYPE_A, 3, 1));
	assert_false(answer_matches(0xbeef, 0x8180, "cloud.example.test", DNS_TYPE_A, 1, 0));
	assert_false(answer_matches(0xbeef, 0x8180, "cloud.example.test", DNS_TYPE_A, 1, 2));
}

static void test_addrs(void **state)
{
	struct dns_answer_addrs a;
	struct wire w;

	(void)state;
	/* A and AAAA of the name itself; another owner's record and the additional section's
	 * are not bound */
	header(&w, 1, 0x8180, 1, 4);
	question(&w, "cloud.example.test", DNS_TYPE_A, DNS_CLASS_IN);
	rr_a(&w, "cloud.example.test", "192.0.2.1", 60);
	rr_aaaa(&w, "Cloud.Example.Test", "2001:db8::1", 120);
	rr_a(&w, "evil.example.test", "198.51.100.66", 60);
	rr_a(&w, "cloud.example.test.evil", "198.51.100.67", 60);
	w.b[11] = 1; /* one additional record */
	rr_a(&w, "cloud.example.test", "198.51.100.68", 60);
	parse(&w);
	dns_answer_addrs(&msg, "cloud.example.test", &a);
	assert_int_equal(a.n, 2);
	assert_false(a.incomplete);
	assert_true(has4(&a, "192.0.2.1", 60));
	assert_int_equal(a.a[1].family, 6);
	assert_int_equal(a.a[1].ttl, 120);
	assert_int_equal(a.a[1].addr[0], 0x20);

	/* a CNAME chain, written backwards (the records may come in any order); a CNAME of
	 * another name and one of class CHAOS lead nowhere */
	header(&w, 1, 0x8180, 1, 6);
	question(&w, "cloud.example.test", DNS_TYPE_A, DNS_CLASS_IN);
	rr_a(&w, "edge.cdn.test", "203.0.113.5", 20);
	rr_cname(&w, "lb.example.net", "edge.cdn.test", DNS_CLASS_IN);
	rr_cname(&w, "cloud.example.test", "lb.example.net", DNS_CLASS_IN);
	rr_cname(&w, "other.test", "evil.test", DNS_CLASS_IN);
	rr_cname(&w, "cloud.example.test", "chaos.test", 3);
	rr_a(&w, "evil.test", "198.51.100.1", 20);
	w.b[7] = 6;
	rr_a(&w, "chaos.test", "198.51.100.2", 20);
	w.b[7] = 7;
	parse(&w);
	dns_answer_addrs(&msg, "cloud.example.test", &a);
	assert_int_equal(a.n, 1);
	assert_true(has4(&a, "203.0.113.5", 20));

	/* a CNAME loop ends; an address given twice is kept once with the larger TTL */
	header(&w, 1, 0x8180, 1, 5);
	question(&w, "a.test", DNS_TYPE_A, DNS_CLASS_IN);
	rr_cname(&w, "a.test", "b.test", DNS_CLASS_IN);
	rr_cname(&w, "b.test", "a.test", DNS_CLASS_IN);
	rr_a(&w, "b.test", "192.0.2.9", 30);
	rr_a(&w, "a.test", "192.0.2.9", 90);
	rr_a(&w, "b.test", "192.0.2.10", 5);
	parse(&w);
	dns_answer_addrs(&msg, "a.test", &a);
	assert_int_equal(a.n, 2);
	assert_true(has4(&a, "192.0.2.9", 90));
	assert_true(has4(&a, "192.0.2.10", 5));

	/* NXDOMAIN and SERVFAIL bind nothing, whatever they carry */
	header(&w, 1, 0x8183, 1, 1);
	question(&w, "a.test", DNS_TYPE_A, DNS_CLASS_IN);
	rr_a(&w, "a.test", "192.0.2.9", 30);
	parse(&w);
	dns_answer_addrs(&msg, "a.test", &a);
	assert_int_equal(a.n, 0);
	w.b[3] = 0x82;
	parse(&w);
	dns_answer_addrs(&msg, "a.test", &a);
	assert_int_equal(a.n, 0);

	/* more records than the parser keeps: said, and the kept part is bound */
	header(&w, 1, 0x8180, 1, DNS_MAX_RECORDS + 2);
	question(&w, "a.test", DNS_TYPE_A, DNS_CLASS_IN);
	for (int i = 0; i < DNS_MAX_RECORDS + 2; i++) {
		char addr[32];

		snprintf(addr, sizeof(addr), "10.0.0.%d", i + 1);
		rr_a(&w, "a.test", addr, 10);
	}
	parse(&w);
	dns_answer_addrs(&msg, "a.test", &a);
	assert_true(a.incomplete);
	assert_int_equal(a.n, DNS_MAX_RECORDS);
}

static void test_timeout(void **state)
{
	(void)state;
	/* max(TTL, floor) + margin, in ms */
	assert_int_equal(dns_answer_timeout_ms(0, 3600, 60), 3660000);
	assert_int_equal(dns_answer_timeout_ms(300, 3600, 60), 3660000);
	assert_int_equal(dns_answer_timeout_ms(86400, 3600, 60), 86460000);
	assert_int_equal(dns_answer_timeout_ms(30, 0, 60), 90000);
	/* the largest TTL (RFC 2181 §8: 2^31 - 1) does not overflow */
	assert_true(dns_answer_timeout_ms(0xffffffffu, 3600, 60) == (0xffffffffull + 60) * 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_addrs),
		cmocka_unit_test(test_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
