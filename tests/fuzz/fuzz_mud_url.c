/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: MUD URL validation and intake (mud_url_valid, mud_url_intake). */
#include "mud/mud_parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *out, *prefix;
	size_t outlen, n;
	int ret;

	if (size < 1 || size > 4096)
		return 0;
	/* The first byte picks the output buffer size, 1..256, allocated exactly so that ASan
	 * sees any write past it. */
	outlen = (size_t)data[0] + 1;
	s = malloc(size);
	out = malloc(outlen);
	prefix = malloc(size);
	if (!s || !out || !prefix)
		abort();
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';

	if (mud_url_valid(s)) {
		n = strlen(s);
		if (n < 9 || n > 255 || strncmp(s, "https://", 8) != 0 || strchr(s, ' ') ||
			strchr(s, '#'))
			abort();
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
				abort();
	}
	ret = mud_url_intake(s, out, outlen);
	/* Intake keeps the text before the first space, and accepts it exactly when it is
	 * valid and fits. */
	n = strcspn(s, " ");
	memcpy(prefix, s, n);
	prefix[n] = '\0';
	if (ret == 0) {
		if (strcmp(out, prefix) != 0 || !mud_url_valid(out))
			abort();
	} else {
		if (out[0] || (mud_url_valid(prefix) && n < outlen))
			abort();
	}
	free(prefix);
	free(out);
	free(s);
	return 0;
}
