/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a DNS answer binds: the query it must match, its addresses, and their element timeout. */
#include "policy/dns_answer.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#define OPCODE_QUERY  0
#define RCODE_NOERROR 0

int dns_answer_query(const struct dns_msg *m, struct dns_answer_query *q, char *err, size_t errlen)
{
	memset(q, 0, sizeof(*q));
	if (m->response)
		return util_errf(err, errlen, "a response, not a query");
	if (m->opcode != OPCODE_QUERY)
		return util_errf(err, errlen, "opcode %u, not QUERY", m->opcode);
	if (m->nquestions != 1 || m->dropped)
		return util_errf(err, errlen, "%zu questions, not 1", m->nquestions);
	if (m->q[0].qclass != DNS_CLASS_IN)
		return util_errf(err, errlen, "class %u, not IN", m->q[0].qclass);
	if (m->name_truncated || !m->q[0].name[0])
		return util_errf(err, errlen, "the question's name is the root or too long");
	memcpy(q->name, m->q[0].name, sizeof(q->name));
	q->type = m->q[0].type;
	q->qclass = m->q[0].qclass;
	q->id = m->id;
	return 0;
}

bool dns_answer_matches(const struct dns_msg *r, const struct dns_answer_query *q)
{
	return r->response && r->opcode == OPCODE_QUERY && r->id == q->id && r->nquestions == 1 &&
		!r->dropped && !r->name_truncated && r->q[0].type == q->type &&
		r->q[0].qclass == q->qclass && strcasecmp(r->q[0].name, q->name) == 0;
}

/* Whether rr's owner is one of the n names of chain. */
static bool owned(const char *const *chain, size_t n, const char *owner)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(chain[i], owner) == 0)
			return true;
	return false;
}

static void add_addr(struct dns_answer_addrs *out, uint8_t family, const void *addr, uint32_t ttl)
{
	size_t len = family == 4 ? 4 : 16;

	for (size_t i = 0; i < out->n; i++) {
		if (out->a[i].family == family && memcmp(out->a[i].addr, addr, len) == 0) {
			if (ttl > out->a[i].ttl)
				out->a[i].ttl = ttl;
			return;
		}
	}
	if (out->n == DNS_MAX_RECORDS)
		return; /* cannot happen: at most one address per kept record */
	out->a[out->n].family = family;
	memset(out->a[out->n].addr, 0, sizeof(out->a[out->n].addr));
	memcpy(out->a[out->n].addr, addr, len);
	out->a[out->n].ttl = ttl;
	out->n++;
}

void dns_answer_addrs(const struct dns_msg *r, const char *name, struct dns_answer_addrs *out)
{
	/* The question's name and every CNAME target reached from it: at most one per record. */
	const char *chain[DNS_MAX_RECORDS + 1];
	size_t nchain = 0;
	bool grew = true;

	memset(out, 0, sizeof(*out));
	out->incomplete = r->dropped || r->name_truncated;
	/* A cut name could compare equal to another cut name: bind nothing of such an answer. */
	if (r->name_truncated || !r->response || r->rcode != RCODE_NOERROR)
		return;
	chain[nchain++] = name;
	/* A CNAME may come after the records it leads to; each pass adds at least one name. */
	while (grew) {
		grew = false;
		for (size_t i = 0; i < r->nrecords; i++) {
			const struct dns_record *rr = &r->rr[i];

			if (rr->section != DNS_ANSWER || rr->type != DNS_TYPE_CNAME ||
				rr->rclass != DNS_CLASS_IN || !owned(chain, nchain, rr->name) ||
				owned(chain, nchain, rr->srv.target))
				continue;
			chain[nchain++] = rr->srv.target;
			grew = true;
		}
	}
	for (size_t i = 0; i < r->nrecords; i++) {
		const struct dns_record *rr = &r->rr[i];

		if (rr->section != DNS_ANSWER || rr->rclass != DNS_CLASS_IN ||
			(rr->type != DNS_TYPE_A && rr->type != DNS_TYPE_AAAA) ||
			!owned(chain, nchain, rr->name))
			continue;
		if (rr->type == DNS_TYPE_A)
			add_addr(out, 4, &rr->a, rr->ttl);
		else
			add_addr(out, 6, &rr->aaaa, rr->ttl);
	}
}

uint64_t dns_answer_timeout_ms(uint32_t ttl, unsigned floor_s, unsigned margin_s)
{
	uint64_t s = ttl > floor_s ? ttl : floor_s;

	return (s + margin_s) * 1000;
}
