/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DNS and mDNS message parser (RFC 1035, RFC 6762): the names a device asks for and announces. */
#ifndef HG_DNS_H
#define HG_DNS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

#define DNS_NAME_MAX	  255 /* text form, without the NUL */
#define DNS_MAX_QUESTIONS 16
#define DNS_MAX_RECORDS	  48
#define DNS_MAX_JUMPS	  64 /* compression pointers followed per name */
#define DNS_HEADER_LEN	  12

/* Record types given a value below; every other type keeps name/type/class/ttl only. */
#define DNS_TYPE_A     1
#define DNS_TYPE_NS    2
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_PTR   12
#define DNS_TYPE_TXT   16
#define DNS_TYPE_AAAA  28
#define DNS_TYPE_SRV   33
#define DNS_TYPE_OPT   41
#define DNS_TYPE_ANY   255

enum dns_section {
	DNS_ANSWER = 1,
	DNS_AUTHORITY,
	DNS_ADDITIONAL,
};

struct dns_question {
	char name[DNS_NAME_MAX + 1];
	uint16_t type, qclass;
	bool unicast_response; /* mDNS QU bit (top bit of the class), removed from qclass */
};

struct dns_record {
	char name[DNS_NAME_MAX + 1];
	uint16_t type, rclass;
	bool cache_flush; /* mDNS: the top bit of the class, removed from rclass (for OPT too) */
	uint32_t ttl;
	enum dns_section section;
	union {
		struct in_addr a;     /* type A (rdlength 4) */
		struct in6_addr aaaa; /* type AAAA (rdlength 16) */
		struct {
			char target[DNS_NAME_MAX + 1];
			uint16_t priority, weight, port;
		} srv; /* SRV; PTR, CNAME and NS set target only */
		/* TXT: the character-strings escaped like names (\DDD, \\) and joined by '\n',
		 * cut at 255 characters on an escape boundary; "" for an empty TXT. */
		char txt[256];
	};
};

/* About 30 KB: fine on a daemon's stack, but callers in deep call chains keep one static or
 * on the heap. */
struct dns_msg {
	uint16_t id, flags; /* flags as on the wire */
	bool response;	    /* QR */
	uint8_t opcode, rcode;
	size_t nquestions, nrecords; /* kept, at most DNS_MAX_QUESTIONS / DNS_MAX_RECORDS */
	bool dropped;		     /* the message held more questions or records than kept */
	bool name_truncated;	     /* a name's escaped text form was over DNS_NAME_MAX */
	struct dns_question q[DNS_MAX_QUESTIONS];
	/* in message order: answers, authority, additional */
	struct dns_record rr[DNS_MAX_RECORDS];
};

/* Parses a DNS or mDNS message: buf is the UDP payload of len octets. Every question and
 * record the header counts is walked and checked (those past the maxima too, then dropped).
 * Names are decompressed: a pointer must point strictly before the labels it continues (before
 * the start of the name, or of the run of labels the previous pointer led to), so no loop can
 * be built; at most DNS_MAX_JUMPS pointers per name, none into the header; labels of at most 63
 * octets (0x40 and 0x80 label types refused); the wire name at most 255 octets. A name is
 * written in text form without the trailing dot (the root is ""), case kept, octets outside
 * 0x20..0x7e as \DDD and '.' and '\' inside a label as "\." and "\\" (like dig), so a label
 * with spaces and UTF-8 stays one readable string. A text form over DNS_NAME_MAX is cut on an
 * escape boundary and name_truncated is set. The class's top bit is the mDNS QU / cache-flush
 * bit whatever the port. A, AAAA, NS, CNAME, PTR, SRV and TXT rdata must fill rdlength
 * exactly; other types keep name/type/class/ttl only. Octets after the last record are
 * ignored (some mDNS stacks pad). Rejected with -EINVAL and a reason in err: a message shorter
 * than its header, counts that cannot fit in it, truncation anywhere, or any contradiction
 * above. *out is zeroed on error. No allocation. */
int dns_parse(const uint8_t *buf, size_t len, struct dns_msg *out, char *err, size_t errlen);

/* The first label of a name in text form, escapes kept: "Philips hue - 1A2B3C" of
 * "Philips hue - 1A2B3C._hue._tcp.local"; the copy stops at the first '.' that is not part of
 * an escape. Returns the label's length; like snprintf, buf holds at most buflen - 1 characters
 * of it (cut before an escape that does not fit) and is always terminated when buflen > 0. */
size_t dns_first_label(const char *name, char *buf, size_t buflen);

#endif
