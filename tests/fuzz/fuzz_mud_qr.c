/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the RFC 9238 QR code payload parser. */
#include "mud/mud_qr.h"

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
	struct mud_qr qr;
	char err[128];

	if (mud_qr_parse((const char *)data, size, &qr, err, sizeof(err)) == 0) {
		/* Whatever is accepted is an https MUD URL without a query, and bounded text. */
		check_text(qr.url, sizeof(qr.url));
		if (!mud_url_valid(qr.url) || strchr(qr.url, '?'))
			abort();
		check_text(qr.company, sizeof(qr.company));
		check_text(qr.product, sizeof(qr.product));
		check_text(qr.model, sizeof(qr.model));
		if ((qr.flags & MUD_QR_HAS_MAC) && (qr.mac.b[0] & 1))
			abort();
		if ((qr.flags & MUD_QR_HAS_MAC) && (qr.flags & MUD_QR_HAS_EUI64))
			abort();
		if (!(qr.flags & MUD_QR_HAS_COMPANY) && qr.company[0])
			abort();
	} else if (qr.flags || qr.url[0] || !err[0]) {
		abort();
	}
	return 0;
}
