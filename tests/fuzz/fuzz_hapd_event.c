/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: hapd_event_parse on arbitrary datagrams; what it accepts must hold the
 * promised shapes (unicast MAC, bounded printable keyid, 64 hex pkhash, printable DPP text). */
#include "onboard/hapd_ctrl.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_printable(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == size)
		abort();
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hapd_event ev;
	int ret = hapd_event_parse((const char *)data, size, &ev);

	if (ret != 0) {
		if (ret != -EINVAL && ret != -ENODATA)
			abort();
		return 0;
	}
	if (ev.level > 9)
		abort();
	check_printable(ev.name, sizeof(ev.name));
	switch (ev.kind) {
	case HAPD_EV_STA_CONNECTED:
	case HAPD_EV_STA_DISCONNECTED:
		if ((ev.mac.b[0] & 1) || !memcmp(ev.mac.b, "\0\0\0\0\0\0", 6))
			abort();
		if (ev.flags & HAPD_EV_HAS_KEYID) {
			check_printable(ev.keyid, sizeof(ev.keyid));
			if (!ev.keyid[0] || strchr(ev.keyid, ' '))
				abort();
		}
		if (ev.flags & HAPD_EV_HAS_PKHASH) {
			if (strlen(ev.pkhash) != 64 || strspn(ev.pkhash, "0123456789abcdef") != 64)
				abort();
		}
		break;
	case HAPD_EV_DPP:
		if (strncmp(ev.name, "DPP-", 4) != 0 || strlen(ev.name) < 5)
			abort();
		check_printable(ev.text, sizeof(ev.text));
		break;
	default:
		abort();
	}
	return 0;
}
