/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the SSDP parser and ssdp_type. */
#include "observe/ssdp.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* NUL-terminated in its field, printable, trimmed; empty unless its header was present. */
static void check_value(const char *s, size_t max, bool present)
{
	size_t n = strnlen(s, max);

	if (n == max || (!present && n))
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			abort();
	if (n && (s[0] == ' ' || s[n - 1] == ' '))
		abort();
}

static void check_type(const char *s)
{
	char type[256], small[8];
	size_t n = ssdp_type(s, type, sizeof(type));

	if (n != strlen(type) || strncasecmp(type, "uuid:", 5) == 0)
		abort();
	/* A suffix of its input: the type, never anything added. */
	if (n > strlen(s) || strcmp(s + strlen(s) - n, type) != 0)
		abort();
	if (ssdp_type(s, small, sizeof(small)) != n || strncmp(small, type, sizeof(small) - 1))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ssdp_msg s;
	char err[160];

	if (ssdp_parse(data, size, &s, err, sizeof(err)) != 0) {
		if (s.kind || s.flags || s.server[0] || s.usn[0] || s.location[0] || !err[0])
			abort();
		return 0;
	}
	if (s.kind < SSDP_NOTIFY || s.kind > SSDP_RESPONSE || s.flags >> 7)
		abort();
	check_value(s.server, sizeof(s.server), s.flags & SSDP_HAS_SERVER);
	check_value(s.usn, sizeof(s.usn), s.flags & SSDP_HAS_USN);
	check_value(s.nt, sizeof(s.nt), s.flags & SSDP_HAS_NT);
	check_value(s.nts, sizeof(s.nts), s.flags & SSDP_HAS_NTS);
	check_value(s.st, sizeof(s.st), s.flags & SSDP_HAS_ST);
	check_value(s.location, sizeof(s.location), s.flags & SSDP_HAS_LOCATION);
	check_value(s.user_agent, sizeof(s.user_agent), s.flags & SSDP_HAS_USER_AGENT);
	check_type(s.usn);
	check_type(s.nt);
	check_type(s.st);
	return 0;
}
