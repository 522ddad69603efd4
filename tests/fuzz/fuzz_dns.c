/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the DNS/mDNS message parser and dns_first_label. */
#include "observe/dns.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* NUL-terminated in its field, printable (or the TXT separator), escapes whole: "\\", "\."
 * in names only, or "\DDD" of at most 255. Returns the number of octets it stands for. */
static size_t check_text(const char *s, size_t max, bool txt)
{
	size_t n = strnlen(s, max), octets = 0;

	if (n == max)
		abort();
	for (size_t i = 0; i < n; i++, octets++) {
		unsigned char c = (unsigned char)s[i];

		if (txt && c == '\n')
			continue;
		if (c < 0x20 || c > 0x7e)
			abort();
		if (c != '\\')
			continue;
		if (s[i + 1] == '\\' || (!txt && s[i + 1] == '.')) {
			i++;
			continue;
		}
		if (!is_digit(s[i + 1]) || !is_digit(s[i + 2]) || !is_digit(s[i + 3]) ||
			(s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 + (s[i + 3] - '0') > 255)
			abort();
		i += 3;
	}
	return octets;
}

/* A name: whole escapes, labels of 1..63 octets, and (when not cut) at most 255 on the wire. */
static void check_name(const char *s, bool may_be_cut)
{
	size_t wire = 1, label = 0;

	check_text(s, DNS_NAME_MAX + 1, false);
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '.') {
			if (label == 0 || label > 63)
				abort();
			wire += label + 1;
			label = 0;
			continue;
		}
		if (s[i] == '\\')
			i += s[i + 1] == '\\' || s[i + 1] == '.' ? 1 : 3;
		label++;
	}
	if (s[0] && (label == 0 || label > 63))
		abort();
	if (s[0])
		wire += label + 1;
	if (!may_be_cut && wire > 255)
		abort();
}

static void check_label(const char *name)
{
	char lbl[DNS_NAME_MAX + 1], small[6];
	size_t n = dns_first_label(name, lbl, sizeof(lbl)), m;

	if (n != strlen(lbl) || strncmp(lbl, name, n) != 0 || (name[n] && name[n] != '.'))
		abort();
	m = dns_first_label(name, small, sizeof(small));
	if (m != n || strlen(small) > n || strlen(small) >= sizeof(small) ||
		strncmp(small, name, strlen(small)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_msg d;
	char err[160];
	size_t total;

	if (dns_parse(data, size, &d, err, sizeof(err)) != 0) {
		if (d.nquestions || d.nrecords || d.id || d.flags || d.dropped || !err[0])
			abort();
		return 0;
	}
	if (d.nquestions > DNS_MAX_QUESTIONS || d.nrecords > DNS_MAX_RECORDS || size < 12)
		abort();
	if (d.response != !!(data[2] & 0x80) || d.rcode != (data[3] & 0xf))
		abort();
	/* Without a drop, the header's counts are exactly what was kept. */
	total = (size_t)(data[6] << 8 | data[7]) + (size_t)(data[8] << 8 | data[9]) +
		(size_t)(data[10] << 8 | data[11]);
	if (!d.dropped && (d.nquestions != (size_t)(data[4] << 8 | data[5]) || d.nrecords != total))
		abort();
	for (size_t i = 0; i < d.nquestions; i++) {
		check_name(d.q[i].name, d.name_truncated);
		check_label(d.q[i].name);
		if (d.q[i].qclass & 0x8000)
			abort();
	}
	for (size_t i = 0; i < d.nrecords; i++) {
		const struct dns_record *rr = &d.rr[i];

		check_name(rr->name, d.name_truncated);
		check_label(rr->name);
		if (rr->rclass & 0x8000 || rr->section < DNS_ANSWER || rr->section > DNS_ADDITIONAL)
			abort();
		if (i && rr->section < d.rr[i - 1].section)
			abort();
		switch (rr->type) {
		case DNS_TYPE_NS:
		case DNS_TYPE_CNAME:
		case DNS_TYPE_PTR:
		case DNS_TYPE_SRV:
			check_name(rr->srv.target, d.name_truncated);
			break;
		case DNS_TYPE_TXT:
			if (check_text(rr->txt, sizeof(rr->txt), true) > 255)
				abort();
			break;
		default:
			break;
		}
	}
	return 0;
}
