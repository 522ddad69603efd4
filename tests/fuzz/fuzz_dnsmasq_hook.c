/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the dnsmasq hook datagram parser. */
#include "observe/dnsmasq_hook.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hg_event ev;
	char err[128];

	if (dnsmasq_hook_parse((const char *)data, size, 0, &ev, err, sizeof(err)) == 0) {
		/* Everything accepted is bounded and terminated. */
		if (strlen(ev.lease.hostname) >= sizeof(ev.lease.hostname) ||
			strlen(ev.lease.mud_url) >= sizeof(ev.lease.mud_url))
			abort();
	}
	return 0;
}
