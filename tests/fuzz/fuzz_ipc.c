/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: IPC message validation in both directions. */
#include "core/ipc.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ipc_msg m;

	if (size > sizeof(m.hdr) + sizeof(m.payload))
		return 0;
	memset(&m, 0, sizeof(m));
	memcpy(&m.hdr, data, size);
	m.fd = -1;
	ipc_validate(&m, size, 0);
	ipc_validate(&m, size, 1);
	return 0;
}
