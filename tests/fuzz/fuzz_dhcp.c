/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the DHCPv4 message parser. */
#include "observe/dhcp.h"

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
	struct dhcp4_info d;
	char err[128], list[16], url[HG_URL_MAX];

	if (dhcp4_parse(data, size, &d, err, sizeof(err)) != 0) {
		if (d.flags || !err[0])
			abort();
		return 0;
	}
	check_text(d.hostname, sizeof(d.hostname));
	check_text(d.vendor_class, sizeof(d.vendor_class));
	check_text(d.mud_url, sizeof(d.mud_url));
	/* A field is kept or refused, never both; refused ones are empty. */
	if (((d.flags & DHCP4_HAS_HOSTNAME) && (d.flags & DHCP4_BAD_HOSTNAME)) ||
		((d.flags & DHCP4_HAS_MUD_URL) && (d.flags & DHCP4_BAD_MUD_URL)) ||
		((d.flags & DHCP4_HAS_VENDOR_CLASS) && (d.flags & DHCP4_BAD_VENDOR_CLASS)))
		abort();
	if ((!(d.flags & DHCP4_HAS_MUD_URL) && d.mud_url[0]) ||
		(!(d.flags & DHCP4_HAS_HOSTNAME) && d.hostname[0]))
		abort();
	if (d.prl_len > DHCP4_OPT_MAX || d.client_id_len > DHCP4_OPT_MAX ||
		((d.flags & DHCP4_HAS_CLIENT_ID) && d.client_id_len < 2))
		abort();
	if ((d.flags & DHCP4_HAS_MAX_MSG_SIZE) && d.max_msg_size < 576)
		abort();
	if ((d.flags & DHCP4_HAS_CHADDR) && (d.chaddr.b[0] & 1))
		abort();
	if (dhcp4_prl_format(&d, list, sizeof(list)) >= sizeof(list) &&
		strlen(list) != sizeof(list) - 1)
		abort();
	if ((d.flags & DHCP4_HAS_MUD_URL) && mud_url_intake(d.mud_url, url, sizeof(url)) == 0 &&
		!mud_url_valid(url))
		abort();
	return 0;
}
