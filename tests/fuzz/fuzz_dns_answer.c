/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: what dnsbind takes from the network and from resolv.conf — the query
 * check, answer matching, the CNAME-chain address collection, the resolv.conf reader. */
#include "observe/dns.h"
#include "policy/dns_answer.h"
#include "policy/dnsbind_proc.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dns_msg msg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_answer_query q;
	struct dns_answer_addrs a;
	struct dnsbind_conf c;
	size_t n;

	/* resolv.conf: at most four, never loopback (dnsmasq itself) */
	n = dnsbind_proc_resolv((const char *)data, size, &c);
	if (n > DNSBIND_UPSTREAM_MAX || n != c.nupstream)
		abort();
	for (size_t i = 0; i < n; i++) {
		const struct sockaddr_storage *s = &c.upstream[i];

		if (s->ss_family == AF_INET &&
			ntohl(((const struct sockaddr_in *)s)->sin_addr.s_addr) >> 24 == 127)
			abort();
		if (s->ss_family == AF_INET6 &&
			IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)s)->sin6_addr))
			abort();
		if (s->ss_family != AF_INET && s->ss_family != AF_INET6)
			abort();
	}

	if (dns_parse(data, size, &msg, NULL, 0) < 0)
		return 0;
	/* as a query from the local resolver */
	if (dns_answer_query(&msg, &q, NULL, 0) == 0) {
		if (msg.response || msg.nquestions != 1 || !q.name[0] || q.qclass != DNS_CLASS_IN)
			abort();
	} else if (q.name[0] || q.id || q.type) {
		abort(); /* zeroed on refusal */
	}
	/* as the answer to the question it carries */
	if (msg.nquestions) {
		memset(&q, 0, sizeof(q));
		memcpy(q.name, msg.q[0].name, sizeof(q.name));
		q.type = msg.q[0].type;
		q.qclass = msg.q[0].qclass;
		q.id = msg.id;
		if (dns_answer_matches(&msg, &q) &&
			(!msg.response || msg.nquestions != 1 || msg.opcode != 0))
			abort();
		/* another ID never matches */
		q.id = (uint16_t)(msg.id + 1);
		if (dns_answer_matches(&msg, &q))
			abort();
		dns_answer_addrs(&msg, msg.q[0].name, &a);
		if (a.n > DNS_MAX_RECORDS || (a.n && (msg.rcode || !msg.response)))
			abort();
		for (size_t i = 0; i < a.n; i++) {
			if (a.a[i].family != 4 && a.a[i].family != 6)
				abort();
			for (size_t j = 0; j < i; j++)
				if (a.a[j].family == a.a[i].family &&
					memcmp(a.a[j].addr, a.a[i].addr, 16) == 0)
					abort();
		}
		/* the timeout never falls below the TTL */
		for (size_t i = 0; i < a.n; i++)
			if (dns_answer_timeout_ms(a.a[i].ttl, 0, 0) != (uint64_t)a.a[i].ttl * 1000)
				abort();
	}
	return 0;
}
