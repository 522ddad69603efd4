/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: DPP Configuration Requests, Configuration Objects, Connectors and JWKs. */
#include "onboard/dpp_conf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The P-256 C-sign key of the seed Connectors (SPKI, compressed point). */
static const uint8_t csign_spki[] = {0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce,
	0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x22,
	0x00, 0x03, 0xf3, 0x40, 0xf9, 0x9b, 0x57, 0x35, 0x30, 0xec, 0x1b, 0x3d, 0x22, 0x5a, 0x93,
	0xf1, 0xcc, 0x7f, 0x6d, 0x58, 0xf6, 0x6a, 0x5e, 0x01, 0x70, 0x6c, 0xdb, 0x63, 0x24, 0x38,
	0x65, 0x89, 0x01, 0x5c};

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void check_text(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n == max)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			abort();
}

/* An accepted request comes back unchanged through the builder. */
static void req(const char *s, size_t n)
{
	struct dpp_conf_req r, r2;
	char buf[2048], err[128];
	int len;

	if (dpp_conf_req_parse(s, n, &r, err, sizeof(err)) != 0) {
		if (!all_zero(&r, sizeof(r)) || !err[0])
			abort();
		return;
	}
	check_text(r.name, sizeof(r.name));
	check_text(r.mudurl, sizeof(r.mudurl));
	if (r.netrole < DPP_NETROLE_STA || r.netrole > DPP_NETROLE_CONFIGURATOR ||
		r.nbands > DPP_CONF_BANDS_MAX || strcmp(r.wifi_tech, "infra") != 0)
		abort();
	len = dpp_conf_req_build(&r, buf, sizeof(buf));
	if (len <= 0 || (size_t)len >= sizeof(buf) ||
		dpp_conf_req_parse(buf, (size_t)len, &r2, err, sizeof(err)) != 0 ||
		memcmp(&r, &r2, sizeof(r)) != 0)
		abort();
}

/* An accepted object (one without a Connector) comes back unchanged through the builder. */
static void obj(const char *s, size_t n)
{
	struct dpp_cred c, c2;
	EVP_PKEY *cs = NULL;
	char *con = NULL, *out = NULL, err[128];

	if (dpp_conf_obj_parse(s, n, NULL, &c, &con, &cs, err, sizeof(err)) != 0) {
		if (!all_zero(&c, sizeof(c)) || con || cs || !err[0])
			abort();
		return;
	}
	if (c.ssid_len < 1 || c.ssid_len > 32 || (c.akm == DPP_AKM_DPP && !con) || !con != !cs)
		abort();
	check_text(c.pass, sizeof(c.pass));
	if (!con) {
		if (dpp_conf_obj_build(&c, DPP_NETROLE_STA, NULL, NULL, 0, &out) != 0 ||
			dpp_conf_obj_parse(
				out, strlen(out), NULL, &c2, NULL, NULL, err, sizeof(err)) != 0 ||
			memcmp(&c, &c2, sizeof(c)) != 0)
			abort();
	}
	free(out);
	free(con);
	EVP_PKEY_free(cs);
}

static void connector(const char *s, size_t n)
{
	static EVP_PKEY *cs;
	struct dpp_connector c;
	char err[128];
	int ret;

	if (!cs) {
		const uint8_t *p = csign_spki;

		if (!(cs = d2i_PUBKEY(NULL, &p, sizeof(csign_spki))))
			abort();
	}
	ret = dpp_connector_verify(cs, s, n, 0, &c, err, sizeof(err));
	if (ret == 0) {
		if (!c.net_access_key || !c.group[0] || strlen(c.kid) != 43)
			abort();
		check_text(c.group, sizeof(c.group));
		dpp_connector_clear(&c);
	} else if (!all_zero(&c, sizeof(c)) || !err[0]) {
		abort();
	}
}

static void jwk(const char *s, size_t n)
{
	EVP_PKEY *k = NULL, *k2 = NULL;
	char *out = NULL, err[128];

	if (dpp_jwk_parse(s, n, &k, err, sizeof(err)) != 0) {
		if (k || !err[0])
			abort();
		return;
	}
	if (dpp_jwk_build(k, &out) != 0 || dpp_jwk_parse(out, strlen(out), &k2, err, sizeof(err)) ||
		EVP_PKEY_eq(k, k2) != 1)
		abort();
	EVP_PKEY_free(k2);
	EVP_PKEY_free(k);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;

	if (size < 1)
		return 0;
	switch (data[0] & 3) {
	case 0:
		req(s, size - 1);
		break;
	case 1:
		obj(s, size - 1);
		break;
	case 2:
		connector(s, size - 1);
		break;
	default:
		jwk(s, size - 1);
		break;
	}
	return 0;
}
