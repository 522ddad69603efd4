/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: DPP Configuration Requests, Configuration Objects, Connectors and JWKs;
 * the first byte (mod 5) chooses the parser. */
#include "onboard/dpp_conf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
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

static size_t b64url(const uint8_t *in, size_t n, char *out)
{
	int len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);

	while (len > 0 && out[len - 1] == '=')
		len--;
	for (int i = 0; i < len; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	out[len] = '\0';
	return (size_t)len;
}

/* The input as the payload of a Connector that is correctly signed: reaches the payload parser,
 * which a forged signature never does. */
static void payload(const uint8_t *data, size_t n)
{
	static EVP_PKEY *key;
	static char hdr[128];
	static size_t hlen;
	char *msg, kid[64], err[128];
	uint8_t der[80], rs[64];
	const uint8_t *p = der;
	size_t dl = sizeof(der), ml;
	struct dpp_connector c;
	EVP_MD_CTX *md;
	ECDSA_SIG *sig;

	if (n > 2048)
		return;
	if (!key) {
		char h[100];

		if (!(key = EVP_EC_gen("P-256")) || dpp_csign_kid(key, kid) != 0)
			abort();
		snprintf(
			h, sizeof(h), "{\"typ\":\"dppCon\",\"kid\":\"%s\",\"alg\":\"ES256\"}", kid);
		hlen = b64url((const uint8_t *)h, strlen(h), hdr);
	}
	if (!(msg = malloc(hlen + 1 + (n + 2) / 3 * 4 + 1 + 100)) || !(md = EVP_MD_CTX_new()))
		abort();
	memcpy(msg, hdr, hlen);
	msg[hlen] = '.';
	ml = hlen + 1 + b64url(data, n, msg + hlen + 1);
	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
		EVP_DigestSign(md, der, &dl, (uint8_t *)msg, ml) != 1 ||
		!(sig = d2i_ECDSA_SIG(NULL, &p, (long)dl)))
		abort();
	BN_bn2binpad(ECDSA_SIG_get0_r(sig), rs, 32);
	BN_bn2binpad(ECDSA_SIG_get0_s(sig), rs + 32, 32);
	msg[ml] = '.';
	ml += 1 + b64url(rs, 64, msg + ml + 1);
	if (dpp_connector_verify(key, msg, ml, 0, &c, err, sizeof(err)) == 0) {
		if (!c.net_access_key || !c.group[0] || !c.netrole)
			abort();
		check_text(c.group, sizeof(c.group));
		dpp_connector_clear(&c);
	} else if (!all_zero(&c, sizeof(c)) || !err[0]) {
		abort();
	}
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(md);
	free(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;

	if (size < 1)
		return 0;
	switch (data[0] % 5) {
	case 0:
		req(s, size - 1);
		break;
	case 1:
		obj(s, size - 1);
		break;
	case 2:
		connector(s, size - 1);
		break;
	case 3:
		jwk(s, size - 1);
		break;
	default:
		payload(data + 1, size - 1);
		break;
	}
	return 0;
}
