/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the LLDP parser, on the input as an LLDPDU and as an Ethernet frame. */
#include "observe/lldp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mud/mud_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ret, const struct lldp_info *li, const char *err)
{
	if (ret != 0) {
		if (li->flags || !err[0])
			abort();
		return;
	}
	if (li->chassis_id_len < 1 || li->chassis_id_len > LLDP_ID_MAX || li->port_id_len < 1 ||
		li->port_id_len > LLDP_ID_MAX || li->chassis_subtype < 1 ||
		li->chassis_subtype > 7 || li->port_subtype < 1 || li->port_subtype > 7)
		abort();
	if (strnlen(li->sysname, sizeof(li->sysname)) == sizeof(li->sysname))
		abort();
	if (li->flags & LLDP_HAS_MUD_URL) {
		/* Accepted: an https URL; never both accepted and refused. */
		if (!mud_url_valid(li->mud_url) || li->mud_url_error ||
			(li->flags & LLDP_MUD_URL_REJECTED))
			abort();
	} else if (li->mud_url[0]) {
		abort();
	}
	if ((li->flags & LLDP_MUD_URL_REJECTED) && !li->mud_url_error)
		abort();
	if ((li->flags & LLDP_HAS_CHASSIS_MAC) &&
		(li->chassis_subtype != LLDP_CHASSIS_MAC || li->chassis_id_len != 6 ||
			memcmp(li->chassis_mac.b, li->chassis_id, 6) != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lldp_info li;
	char err[128];

	check(lldp_parse(data, size, &li, err, sizeof(err)), &li, err);
	check(lldp_parse_frame(data, size, &li, err, sizeof(err)), &li, err);
	return 0;
}
