/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: homegate.conf parser; a parsed config must dump and re-parse identically. */
#include "core/config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hg_config cfg, again;
	char err[HG_CONFIG_ERR_MAX], buf[8192];
	FILE *f;
	size_t n;

	config_defaults(&cfg);
	if (config_parse(&cfg, (const char *)data, size, "fuzz", err, sizeof(err)) != 0)
		return 0;
	f = tmpfile();
	if (!f)
		return 0;
	config_dump(&cfg, fileno(f));
	rewind(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	config_defaults(&again);
	/* Whatever was accepted is printed so that it reads back the same (values quoted where
	 * needed). */
	if (config_parse(&again, buf, n, "dump", err, sizeof(err)) != 0 ||
		memcmp(&cfg, &again, sizeof(cfg)) != 0)
		abort();
	return 0;
}
