/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the DPP bootstrapping URI parser, and make -> parse on whatever it accepts. */
#include "onboard/dpp_uri.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n == max)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e || s[i] == ';')
			abort();
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* What was accepted must come back unchanged through the generator (with the key compressed). */
static void round_trip(const struct dpp_uri *u)
{
	const unsigned char *p = u->spki;
	EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)u->spki_len);
	struct dpp_uri v;
	char buf[DPP_URI_MAX + 1], err[128];
	uint8_t h[32];
	int n;

	if (!k || dpp_bootstrap_key_hash(k, h) != 0)
		abort();
	if (!(u->flags & DPP_URI_KEY_UNCOMPRESSED) && memcmp(h, u->key_hash, 32) != 0)
		abort();
	n = dpp_uri_make(k, u, buf, sizeof(buf));
	if (n < 0 || n > DPP_URI_MAX || dpp_uri_parse(buf, (size_t)n, &v, err, sizeof(err)) != 0)
		abort();
	if (v.flags != (u->flags & ~(unsigned)DPP_URI_KEY_UNCOMPRESSED) || v.nchans != u->nchans ||
		memcmp(v.chans, u->chans, sizeof(v.chans)) != 0 ||
		memcmp(v.mac.b, u->mac.b, 6) != 0 || strcmp(v.info, u->info) != 0 ||
		v.version != u->version || strcmp(v.host, u->host) != 0 || v.port != u->port ||
		v.curves != u->curves || v.curve_nid != u->curve_nid ||
		memcmp(v.key_hash, h, 32) != 0)
		abort();
	EVP_PKEY_free(k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dpp_uri u;
	char err[128];

	if (dpp_uri_parse((const char *)data, size, &u, err, sizeof(err)) == 0) {
		uint8_t h[32];

		if (size > DPP_URI_MAX || u.spki_len == 0 || u.spki_len > sizeof(u.spki) ||
			u.curve_nid == 0 || u.nchans > DPP_URI_CHANS_MAX)
			abort();
		if (!(u.flags & DPP_URI_HAS_CHANNELS) != (u.nchans == 0))
			abort();
		for (size_t i = 0; i < u.nchans; i++)
			if (u.chans[i].op_class == 0 || u.chans[i].channel == 0)
				abort();
		if ((u.flags & DPP_URI_HAS_MAC) ? (u.mac.b[0] & 1) || all_zero(u.mac.b, 6)
						: !all_zero(u.mac.b, 6))
			abort();
		check_text(u.info, sizeof(u.info));
		check_text(u.host, sizeof(u.host));
		if (!(u.flags & DPP_URI_HAS_HOST) && (u.host[0] || u.port))
			abort();
		if (EVP_Digest(u.spki, u.spki_len, h, NULL, EVP_sha256(), NULL) != 1 ||
			memcmp(h, u.key_hash, 32) != 0)
			abort();
		round_trip(&u);
	} else if (!all_zero(&u, sizeof(u)) || !err[0]) {
		abort();
	}
	return 0;
}
