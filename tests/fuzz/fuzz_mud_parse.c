/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the MUD file parser and validator. */
#include "mud/mud_parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mud_error err;
	struct mud_file *mf = NULL;

	if (mud_parse((const char *)data, size, NULL, &mf, &err) == 0) {
		/* Whatever is accepted is a well-formed policy. */
		if (!mf || !mud_url_valid(mf->url) || mf->cache_validity < 1 ||
			mf->cache_validity > 168)
			abort();
		for (unsigned i = 0; i < mf->policy.count; i++)
			if (mf->policy.rules[i].prefix_len > 128)
				abort();
	} else if (mf || !err.msg[0] || err.path[0] != '$') {
		abort();
	}
	mud_free(mf);
	return 0;
}
