/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a DNS answer binds: the query it must match, its addresses, and their element timeout. */
#ifndef HG_DNS_ANSWER_H
#define HG_DNS_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "observe/dns.h"

#define DNS_CLASS_IN 1

/* The one question of a query that dnsbind forwards, and the ID it went out with. */
struct dns_answer_query {
	char name[DNS_NAME_MAX + 1]; /* text form as dns_parse writes it */
	uint16_t type, qclass;
	uint16_t id;
};

/* One address an answer gives for the question's name, with its record's TTL. */
struct dns_answer_addr {
	uint8_t family; /* 4 or 6 */
	uint8_t addr[16];
	uint32_t ttl;
};

struct dns_answer_addrs {
	size_t n;
	/* The answer said more than could be checked (records past DNS_MAX_RECORDS, or a name
	 * cut to DNS_NAME_MAX): n is then 0 or the kept part, and the caller says so. */
	bool incomplete;
	struct dns_answer_addr a[DNS_MAX_RECORDS];
};

/* Takes the question of m, a parsed message from the local resolver, into q (id = m's ID).
 * Accepted: a query (QR 0) with opcode QUERY, exactly one question of class IN, a name not
 * cut and not the root. -EINVAL with the reason in err otherwise; q is then zeroed. */
int dns_answer_query(const struct dns_msg *m, struct dns_answer_query *q, char *err, size_t errlen);

/* Whether r is the answer to q: a response (QR 1) with opcode QUERY, the ID q went out with,
 * and exactly q's one question (the name compared without regard to ASCII case, type and
 * class exactly). Anything else is a stray or a spoofing attempt and must be dropped. */
bool dns_answer_matches(const struct dns_msg *r, const struct dns_answer_query *q);

/* The addresses r gives for name: every A and AAAA record of class IN in the answer section
 * owned by name or by a name that name's CNAME chain inside the answer section leads to (in
 * any record order, loops harmless). Records of other owners are ignored (an upstream may not
 * bind what was not asked). Only a NOERROR answer gives addresses. An address given twice is
 * kept once with the larger TTL. Never fails; out is overwritten. */
void dns_answer_addrs(const struct dns_msg *r, const char *name, struct dns_answer_addrs *out);

/* The element timeout for an address of TTL ttl seconds: max(ttl, floor_s) + margin_s, in
 * milliseconds. The floor covers answers that the resolver (and the device) keep longer than
 * the record says (dnsmasq's min-cache-ttl, devices that ignore TTLs); the margin covers the
 * time between the element's add and the device's connect. */
uint64_t dns_answer_timeout_ms(uint32_t ttl, unsigned floor_s, unsigned margin_s);

#endif
