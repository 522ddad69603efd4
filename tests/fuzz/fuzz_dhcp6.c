/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the DHCPv6 message parser, relays included. */
#include "observe/dhcp6.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mud/mud_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n == max)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp6_info d;
	char err[128], url[HG_URL_MAX];
	size_t label = 0;

	if (dhcp6_parse(data, size, &d, err, sizeof(err)) != 0) {
		if (d.flags || !err[0])
			abort();
		return 0;
	}
	if (d.msg_type < 1 || d.msg_type > 11 || d.relay_depth > DHCP6_RELAY_MAX ||
		d.xid > 0xffffff || d.oro_len > DHCP6_ORO_MAX)
		abort();
	if ((d.flags & DHCP6_HAS_CLIENT_ID) ? d.duid_len < 3 || d.duid_len > DHCP6_DUID_MAX
					    : d.duid_len != 0)
		abort();
	if (!!(d.flags & DHCP6_HAS_MAC) != (d.mac_source != DHCP6_MAC_NONE) ||
		((d.flags & DHCP6_HAS_MAC) && (d.mac.b[0] & 1)))
		abort();
	if (!!(d.flags & DHCP6_HAS_RELAY) != (d.relay_depth > 0))
		abort();
	check_text(d.vendor_class, sizeof(d.vendor_class));
	check_text(d.fqdn, sizeof(d.fqdn));
	check_text(d.mud_url, sizeof(d.mud_url));
	/* The FQDN is labels of 1..63 characters joined by dots. */
	for (const char *p = d.fqdn; *p; p++) {
		if (*p != '.') {
			if (++label > 63)
				abort();
		} else if (label == 0 || !p[1]) {
			abort();
		} else {
			label = 0;
		}
	}
	if ((d.flags & DHCP6_HAS_MUD_URL) && (d.flags & DHCP6_BAD_MUD_URL))
		abort();
	if (!(d.flags & DHCP6_HAS_MUD_URL) && d.mud_url[0])
		abort();
	if ((d.flags & DHCP6_HAS_MUD_URL) && mud_url_intake(d.mud_url, url, sizeof(url)) == 0 &&
		!mud_url_valid(url))
		abort();
	return 0;
}
