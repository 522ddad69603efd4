/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for DPP Configuration Requests, Configuration Objects and Connectors: what
 * hostapd/wpa_supplicant 2.10 sent and signed, our own round trips, and every refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "onboard/dpp_conf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

static char err[256];

/* Fixtures from hostapd 2.10 (Debian 2:2.10-12+deb12u3), the reference implementation:
 * hostapd driver=none, "DPP_CONFIGURATOR_ADD key=<DER of a P-256 key we generated>" (and
 * "curve=P-384 key=<P-384 key>"), then "DPP_CONFIGURATOR_SIGN \" conf=ap-dpp configurator=N
 * ssid=486f6d654e6574 [expiry=<unix time>]\"": the DPP-CONNECTOR, DPP-C-SIGN-KEY (SPKI, hex)
 * and DPP-NET-ACCESS-KEY (ECPrivateKey, hex) events. hapd_con_expired is the Connector of
 * expiry=1000000000 (2001-09-09T01:46:40Z) from hostapd's -dd log; hostapd itself refused it
 * as expired. */
static const char hapd_con_ap[] =
	"eyJ0eXAiOiJkcHBDb24iLCJraWQiOiJ1Y1A2MzBGelhwdFA4Z2pjMzJHOFdPTnlQb1gzWmFqbkdWLUJyS0VfTXV3Ii"
	"wi"
	"YWxnIjoiRVMyNTYifQ."
	"eyJncm91cHMiOlt7Imdyb3VwSWQiOiIqIiwibmV0Um9sZSI6ImFwIn1dLCJuZXRBY2Nlc3NLZ"
	"XkiOnsia3R5IjoiRUMiLCJjcnYiOiJQLTI1NiIsIngiOiJvVFBjRFVlY0xMZ0xna0J3R1lEc0NHT2NfYjhUZW56SnR"
	"MU"
	"nFtUzhiVkEwIiwieSI6IjNPUTd2OUZSMFpObF9LdkN6eFRZX1U1d0VFLUhET3NHMnFQYUowU2R5OEEifX0."
	"HvPY1flLA"
	"M926_y52AHubqPIOBtCgO9vOYl3yBC9fUOC3T3v-9Lahu8OfmWeO8NmaB0f6fC5e_MRQQpO_ZuU8A";
static const char hapd_csign_p256[] = "3039301306072a8648ce3d020106082a8648ce3d03010703220003f340f9"
				      "9b573530ec1b3d225a93f1cc7f6d58f6"
				      "6a5e01706cdb6324386589015c";
static const char hapd_nak_ap[] = "3077020101042061a69fdff15e5f32a5aea5cb60337354e0dd9666793097b51d"
				  "bc66d9162ec8c5a00a06082a8648"
				  "ce3d030107a14403420004a133dc0d479c2cb80b8240701980ec08639cfdbf13"
				  "7a7cc9b4b46a992f1b540ddce43b"
				  "bfd151d19365fcabc2cf14d8fd4e70104f870ceb06daa3da27449dcbc0";
static const char hapd_con_exp2100[] =
	"eyJ0eXAiOiJkcHBDb24iLCJraWQiOiJ1Y1A2MzBGelhwdFA4Z2pjMzJHOFdPTnlQb1gzWmFqbkdWLUJyS0VfTXV3Ii"
	"wi"
	"YWxnIjoiRVMyNTYifQ."
	"eyJncm91cHMiOlt7Imdyb3VwSWQiOiIqIiwibmV0Um9sZSI6ImFwIn1dLCJuZXRBY2Nlc3NLZ"
	"XkiOnsia3R5IjoiRUMiLCJjcnYiOiJQLTI1NiIsIngiOiJWVmNzaDFyVWR1VUl2bXNnYTlwdzNXbXczRDcxVXFVN2Z"
	"pb"
	"Eg3Z1hfc2FjIiwieSI6IldkWUE3OFMwblRpQi1MSVhkM3VyR2hJTHF2c1pYMVN0dVNNcUhVSUQtekUifSwiZXhwaXJ"
	"5I"
	"joiMjEwMC0wMS0wMVQwMDowMDowMFoifQ.rvr-cwM_"
	"BUgcndypE1cs3DIAnsGhFfFmIhn4HelnFCKlje8XDDLcqd59Vp"
	"i0j2p7v7v_5BT4S1IaZ3DFek3K1g";
static const char hapd_nak_exp2100[] = "307702010104206f3dc7913a4043c08081b1da35f90d2baf0a6ff777d1f"
				       "f619c391e4b333b3ef5a00a06082a8648"
				       "ce3d030107a1440342000455572c875ad476e508be6b206bda70dd69b0d"
				       "c3ef552a53b7e2947ee05ffb1a759d600"
				       "efc4b49d3881f8b217777bab1a120baafb195f54adb9232a1d4203fb31";
static const char hapd_con_p384[] =
	"eyJ0eXAiOiJkcHBDb24iLCJraWQiOiJYaXI1MzQ0YWpNbVktaWZMSG41bWVtaHJIOWJ6OXNUSmVSeDFrd3hSQmtjIi"
	"wi"
	"YWxnIjoiRVMzODQifQ."
	"eyJncm91cHMiOlt7Imdyb3VwSWQiOiIqIiwibmV0Um9sZSI6ImFwIn1dLCJuZXRBY2Nlc3NLZ"
	"XkiOnsia3R5IjoiRUMiLCJjcnYiOiJQLTI1NiIsIngiOiJjcDJsVmN2TTlZWkhLZEw0Nnpzd1ppVFBvTmhFQW1QUDd"
	"sd"
	"EVwNkQtRGg0IiwieSI6IlFBa3ZyaGlFdXYyOHFkcDF6UzFPMVBKUFhpTTdEUXFoYVNua0FBdUFpRTQifX0."
	"fDxxNw89s"
	"VjT916zMOklvT8XBhg4pRDOVLKGfX3HOHgekv0_9OdirQS2G42o5BtpZOEehMb-yzZM4kPWQq-2Kmbq_"
	"98at3vPZUb_e"
	"CUbmMQXPUTuFG6aFwHd9QHTnutZ";
static const char hapd_csign_p384[] = "3046301006072a8648ce3d020106052b810400220332000304a278ac86f4"
				      "320a571d20a0b8c097257893a0b9270f"
				      "6bd1ab25183904fa2d821b1128e03b43839d0a7d225574a1bb36";
static const char hapd_nak_p384[] = "30770201010420d9677ed5bfec220075888e6cfcd67bc25fafd0b0f1402f43"
				    "1f5ccd980a9f5e9fa00a06082a8648"
				    "ce3d030107a14403420004729da555cbccf5864729d2f8eb3b306624cfa0d8"
				    "440263cfee5b44a7a0fe0e1e40092f"
				    "ae1884bafdbca9da75cd2d4ed4f24f5e233b0d0aa16929e4000b80884e";
static const char hapd_con_expired[] =
	"eyJ0eXAiOiJkcHBDb24iLCJraWQiOiJ1Y1A2MzBGelhwdFA4Z2pjMzJHOFdPTnlQb1gzWmFqbkdWLUJyS0VfTXV3Ii"
	"wi"
	"YWxnIjoiRVMyNTYifQ."
	"eyJncm91cHMiOlt7Imdyb3VwSWQiOiIqIiwibmV0Um9sZSI6ImFwIn1dLCJuZXRBY2Nlc3NLZ"
	"XkiOnsia3R5IjoiRUMiLCJjcnYiOiJQLTI1NiIsIngiOiJzU3M5T2I4UTFhQXAtYXhMaHp3RmtMa0hPR3phYW45ZVV"
	"Cd"
	"C1ZbHIyTFpRIiwieSI6InZYTHRtM0NTcnExb3NnZWtTbm56NUFNVVdRcUtIWnpncVBSMTBUV1BuTWsifSwiZXhwaXJ"
	"5I"
	"joiMjAwMS0wOS0wOVQwMTo0Njo0MFoifQ.Chy5luc6EMFbnP30HwY2-"
	"J2f9ta0cKsEfrXho3Ljcno9knScwoaBEVhfr3"
	"_OHZRjgPZVelsZyRCbgB2MMsXEPQ";

/* Real exchanges: run-peer-test.sh ctrl_dpp and ctrl_psk (hostapd Controller/Configurator with
 * "conf=sta-dpp ssid=HomeNet" / "conf=sta-psk ... pass=per-device-secret-1", wpa_supplicant
 * Enrollee, both with -K): the Configuration Objects from hostapd's AES-SIV cleartexts and the
 * Enrollee's protocol key as wpa_supplicant reported it (DPP-NET-ACCESS-KEY). */
static const char hapd_obj_dpp[] =
	"{\"wi-fi_tech\":\"infra\",\"discovery\":{\"ssid\":\"HomeNet\"},\"cred\":{\"akm\":\"dpp\","
	"\"signedConnector\":\"eyJ0eXAiOiJkcHBDb24iLCJraWQiOiJnSThyVVNMQWxfRXJaMkN6cWpDTVRXMDQwUU9q"
	"MXJPakk0LURoYmcybXNJIiwiYWxnIjoiRVMyNTYifQ.eyJncm91cHMiOlt7Imdyb3VwSWQiOiIqIiwibmV0Um9sZSI"
	"6InN0YSJ9XSwibmV0QWNjZXNzS2V5Ijp7Imt0eSI6IkVDIiwiY3J2IjoiUC0yNTYiLCJ4IjoiaFZBaGNxWnhCRlF5M"
	"HgxN0c4aGdrM04zUUtna2pxSlc0ZVZOM2xhYXdVOCIsInkiOiJSc01SUndvTVM5REU1YjVNOU5MUDFyb3ZpWFhYZmp"
	"HMnViaV9aeXVEQUZNIn19.RHT7Qv75k_XCQEQ8yi6L0duU82lglbbniJFn1byhhYqFGNHv4UB4Vqurufo3VibIquiq"
	"XBBfpwaMkqiIHxth0A\",\"csign\":{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"Y_w6mN6Ztam5drzD5"
	"FEW8vBF7qGVy5GqwEBLBNcbw24\",\"y\":\"sIwaKskFi7hmHKPHeVf5OsAwumK_u6pPP5jRBq-zzdo\",\"kid\""
	":\"gI8rUSLAl_ErZ2CzqjCMTW040QOj1rOjI4-Dhbg2msI\"},\"ppKey\":{\"kty\":\"EC\",\"crv\":\"P-25"
	"6\",\"x\":\"fcFvF05ZmA3Ry1F9vFUZ1KoMGCivsADAU-44C6ufPPw\",\"y\":\"kzToVOtrCINGsLZIIQEyg7RB"
	"LCapddtTNcVPK4aJIbo\"}}}";
static const char wpas_nak_dpp[] = "307702010104203e73fd64334f11daca438fb655ddeeee4dbad21e5ce1e10eb"
				   "4ea2be3bab4510fa00a06082a8648"
				   "ce3d030107a1440342000485502172a671045432d31d7b1bc86093737740a82"
				   "48ea256e1e54dde569ac14f46c311"
				   "470a0c4bd0c4e5be4cf4d2cfd6ba2f8975d77e31b6b9b8bf672b830053";
static const char hapd_obj_psk[] =
	"{\"wi-fi_tech\":\"infra\",\"discovery\":{\"ssid\":\"HomeNet\"},\"cred\":{\"akm\":\"psk\","
	"\"pass\":\"per-device-secret-1\",\"signedConnector\":\"eyJ0eXAiOiJkcHBDb24iLCJraWQiOiJ4TG9"
	"JcDcwcEFHaVZrV19zQzVySjBuMXZzOThjSlJJWnp2S2h3Yng5VmU4IiwiYWxnIjoiRVMyNTYifQ.eyJncm91cHMiOl"
	"t7Imdyb3VwSWQiOiIqIiwibmV0Um9sZSI6InN0YSJ9XSwibmV0QWNjZXNzS2V5Ijp7Imt0eSI6IkVDIiwiY3J2Ijoi"
	"UC0yNTYiLCJ4Ijoib0VydFlRcy11NWFmTUFMeDdXZ3ByNng2NUNOT0VYNzRJNFpFMVdIM1VyVSIsInkiOiI4WHlvc0"
	"ZHbHlaZTVSZWw4NUNKenlNamlTcXhHU2hDUHA4SWo1QzNzZThBIn19.GcB8Qu2_FTeeRg5ueRngWsFF8sXbU8KBVdC"
	"jNDgsqqbb3Dcm46QrzvVidFrB1yxlUWJGQxixxXeHpRJ0lVjEZw\",\"csign\":{\"kty\":\"EC\",\"crv\":\""
	"P-256\",\"x\":\"t5C6XPvGuVEdOPa1600ZOvKkRL0PH6xXTYTBtqkB-kA\",\"y\":\"AiPnzUkMT142LRvtwzfL"
	"9wvWlinxgRD4vOtgCiiJp04\",\"kid\":\"xLoIp70pAGiVkW_sC5rJ0n1vs98cJRIZzvKhwbx9Ve8\"},\"ppKey"
	"\":{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"UvC8B3MKHSokF1reqIO0Bg4tgiQkRSQsleOgiGbg8Hk\""
	",\"y\":\"BS3kPkohf7vJwS7CtIx8KusRKlsn8YKb68huXVd0C-M\"}}}";
static const char wpas_nak_psk[] = "307702010104201609ebec5e2a888401ec056c7b7e5351d99fe30049671e028"
				   "dd23a915199ffd7a00a06082a8648"
				   "ce3d030107a14403420004a04aed610b3ebb969f3002f1ed6829afac7ae4234"
				   "e117ef8238644d561f752b5f17ca8"
				   "b051a5c997b945e97ce42273c8c8e24aac464a108fa7c223e42dec7bc0";

/* The Configuration Request objects seen in those runs (AES-SIV cleartext, attribute 0x100e). */
static const char wpas_req[] = "{\"name\":\"Test\",\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\"}";
static const char hapd_req[] = "{\"name\":\"Test\",\"wi-fi_tech\":\"infra\",\"netRole\":\"ap\"}";

static EVP_PKEY *from_hex(const char *hex, bool priv)
{
	unsigned char der[256];
	const unsigned char *p = der;
	size_t n = strlen(hex) / 2;
	EVP_PKEY *k;

	assert_true(n <= sizeof(der));
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		der[i] = (unsigned char)v;
	}
	k = priv ? d2i_AutoPrivateKey(NULL, &p, (long)n) : d2i_PUBKEY(NULL, &p, (long)n);
	assert_non_null(k);
	return k;
}

static EVP_PKEY *gen(const char *curve)
{
	EVP_PKEY *k = EVP_EC_gen(curve);

	assert_non_null(k);
	return k;
}

static void test_req_real(void **state)
{
	struct dpp_conf_req r;

	(void)state;
	assert_int_equal(dpp_conf_req_parse(wpas_req, strlen(wpas_req), &r, err, sizeof(err)), 0);
	assert_string_equal(r.name, "Test");
	assert_string_equal(r.wifi_tech, "infra");
	assert_int_equal(r.netrole, DPP_NETROLE_STA);
	assert_int_equal(r.flags, 0);
	assert_int_equal(dpp_conf_req_parse(hapd_req, strlen(hapd_req), &r, err, sizeof(err)), 0);
	assert_int_equal(r.netrole, DPP_NETROLE_AP);
}

static void test_req_r2(void **state)
{
	static const char j[] = " {\"name\":\"Cam-2\",\"wi-fi_tech\":\"infra\","
				"\"netRole\":\"configurator\",\"mudurl\":"
				"\"https://mud.example.com/cam2.json\",\"bandSupport\":[81,115,"
				"124],\"pkcs10\":\"MIIB\",\"capabilities\":{\"x\":[1]}}\n";
	struct dpp_conf_req r, r2;
	char buf[512];
	int n;

	(void)state;
	assert_int_equal(dpp_conf_req_parse(j, strlen(j), &r, err, sizeof(err)), 0);
	assert_int_equal(r.netrole, DPP_NETROLE_CONFIGURATOR);
	assert_int_equal(r.flags, DPP_CONF_REQ_HAS_MUDURL | DPP_CONF_REQ_HAS_BANDS);
	assert_string_equal(r.mudurl, "https://mud.example.com/cam2.json");
	assert_int_equal(r.nbands, 3);
	assert_int_equal(r.bands[0], 81);
	assert_int_equal(r.bands[2], 124);
	/* build -> parse gives the same request back */
	n = dpp_conf_req_build(&r, buf, sizeof(buf));
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	assert_int_equal(dpp_conf_req_parse(buf, (size_t)n, &r2, err, sizeof(err)), 0);
	assert_memory_equal(&r, &r2, sizeof(r));
	/* snprintf semantics */
	assert_int_equal(dpp_conf_req_build(&r, buf, 10), n);
	assert_int_equal(strlen(buf), 9);
	/* wpa_supplicant's request comes back byte for byte */
	assert_int_equal(dpp_conf_req_parse(wpas_req, strlen(wpas_req), &r, err, sizeof(err)), 0);
	assert_int_equal(dpp_conf_req_build(&r, buf, sizeof(buf)), (int)strlen(wpas_req));
	assert_string_equal(buf, wpas_req);
	/* invalid fields are not written */
	r.netrole = 0;
	assert_int_equal(dpp_conf_req_build(&r, buf, sizeof(buf)), -EINVAL);
	r.netrole = DPP_NETROLE_STA;
	r.name[0] = '\n';
	assert_int_equal(dpp_conf_req_build(&r, buf, sizeof(buf)), -EINVAL);
	r.name[0] = 'T';
	r.flags = DPP_CONF_REQ_HAS_MUDURL;
	snprintf(r.mudurl, sizeof(r.mudurl), "http://mud.example.com/x");
	assert_int_equal(dpp_conf_req_build(&r, buf, sizeof(buf)), -EINVAL);
}

static const struct {
	const char *json, *err;
} bad_reqs[] = {
	{"name=Test", "not JSON"},
	{"[\"name\",\"Test\"]", "not a JSON object"},
	{"\"Test\"", "not a JSON object"},
	{"{\"name\":\"Test\",\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\"", "truncated"},
	{"{\"name\":\"Test\",\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\"}x", "not JSON"},
	{"{\"name\":\"Test\",\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\",}", "not JSON"},
	{"{\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\"}", "\"name\" missing"},
	{"{\"name\":7,\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\"}", "\"name\" is not a string"},
	{"{\"name\":\"a\\u0000b\",\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\"}", "NUL"},
	{"{\"name\":\"T\",\"wi-fi_tech\":\"mesh\",\"netRole\":\"sta\"}", "\"wi-fi_tech\" is not"},
	{"{\"name\":\"T\",\"wi-fi_tech\":\"infra\"}", "\"netRole\" missing"},
	{"{\"name\":\"T\",\"wi-fi_tech\":\"infra\",\"netRole\":\"mesh\"}", "\"netRole\" not"},
	{"{\"name\":\"T\",\"wi-fi_tech\":\"infra\",\"netRole\":[\"sta\"]}",
		"\"netRole\" is not a string"},
	{"{\"name\":\"T\",\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\",\"mudurl\":"
	 "\"http://mud.example.com/a.json\"}",
		"\"mudurl\" not an https URL"},
	{"{\"name\":\"T\",\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\",\"mudurl\":\"https://\"}",
		"\"mudurl\" not an https URL"},
	{"{\"name\":\"T\",\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\",\"mudurl\":"
	 "\"https://a b/\"}",
		"\"mudurl\" not an https URL"},
	{"{\"name\":\"T\",\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\",\"mudurl\":"
	 "\"https://m/\\r\\nX: y\"}",
		"\"mudurl\" not an https URL"},
	{"{\"name\":\"T\",\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\",\"mudurl\":1}",
		"\"mudurl\" is not a string"},
	{"{\"name\":\"T\",\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\",\"bandSupport\":81}",
		"\"bandSupport\" is not an array"},
	{"{\"name\":\"T\",\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\",\"bandSupport\":[81,0]}",
		"\"bandSupport\" holds"},
	{"{\"name\":\"T\",\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\",\"bandSupport\":[256]}",
		"\"bandSupport\" holds"},
	{"{\"name\":\"T\",\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\",\"bandSupport\":[\"81\"]}",
		"\"bandSupport\" holds"},
	{"{\"name\":\"T\",\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\",\"bandSupport\":[81.5]}",
		"\"bandSupport\" holds"},
	{"{\"name\":\"T\",\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\",\"x\":[[[[[[[[[1]]]]]]]]]}",
		"not JSON"},
	{"{\"name\":\"\xff\xfe\",\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\"}", "not JSON"},
	{"", "empty"},
	{"null", "not JSON"},
	{"null ", "not a JSON object"},
	{" 42 ", "not a JSON object"},
};

static void assert_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		assert_int_equal(b[i], 0);
}

/* A name is only shown: UTF-8, control characters or length never stop the onboarding. */
static void test_req_names(void **state)
{
	static const struct {
		const char *json, *name;
	} cases[] = {
		{"{\"name\":\"K\u00fcche\",\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\"}",
			"K??che"},
		{"{\"name\":\"a\\nb\",\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\"}", "a?b"},
		{"{\"name\":\"\\u001b[2J\",\"wi-fi_tech\":\"infra\",\"netRole\":\"sta\"}", "?[2J"},
		{"{\"name\":\"123456789012345678901234567890123456\",\"wi-fi_tech\":\"infra\","
		 "\"netRole\":\"sta\"}",
			"12345678901234567890123456789012"},
	};
	struct dpp_conf_req r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(dpp_conf_req_parse(cases[i].json, strlen(cases[i].json), &r, err,
					 sizeof(err)),
			0);
		assert_string_equal(r.name, cases[i].name);
	}
}

static void test_req_hostile(void **state)
{
	struct dpp_conf_req r;
	char *big, u[300];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_reqs) / sizeof(bad_reqs[0]); i++) {
		memset(&r, 0x5a, sizeof(r));
		err[0] = '\0';
		assert_int_equal(dpp_conf_req_parse(bad_reqs[i].json, strlen(bad_reqs[i].json), &r,
					 err, sizeof(err)),
			-EINVAL);
		if (!strstr(err, bad_reqs[i].err))
			fail_msg("case %zu: err \"%s\", expected \"%s\"", i, err, bad_reqs[i].err);
		assert_zero(&r, sizeof(r));
	}
	/* 33 operating classes */
	big = malloc(100 * 1024 + 1);
	assert_non_null(big);
	n = (size_t)snprintf(big, 1024,
		"{\"name\":\"T\",\"wi-fi_tech\":\"infra\",\"netRole\":"
		"\"sta\",\"bandSupport\":[1");
	for (int i = 0; i < 32; i++)
		n += (size_t)snprintf(big + n, 1024 - n, ",81");
	n += (size_t)snprintf(big + n, 1024 - n, "]}");
	assert_int_equal(dpp_conf_req_parse(big, n, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "more than 32"));
	/* a mudurl of 256 characters */
	n = (size_t)snprintf(big, 2048,
		"{\"name\":\"T\",\"wi-fi_tech\":\"infra\",\"netRole\":"
		"\"sta\",\"mudurl\":\"https://m.example/");
	memset(u, 'a', 256 - strlen("https://m.example/"));
	u[256 - strlen("https://m.example/")] = '\0';
	n += (size_t)snprintf(big + n, 2048 - n, "%s\"}", u);
	assert_int_equal(dpp_conf_req_parse(big, n, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "mudurl"));
	/* one character less is accepted */
	memmove(big + n - 3, big + n - 2, 3);
	assert_int_equal(dpp_conf_req_parse(big, n - 1, &r, err, sizeof(err)), 0);
	assert_int_equal(strlen(r.mudurl), 255);
	/* 100 KB: refused before parsing */
	memset(big, ' ', 100 * 1024);
	memcpy(big, wpas_req, strlen(wpas_req));
	assert_int_equal(dpp_conf_req_parse(big, 100 * 1024, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "longer than 4096"));
	assert_zero(&r, sizeof(r));
	/* a NUL inside the length */
	assert_int_equal(
		dpp_conf_req_parse(wpas_req, sizeof(wpas_req), &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "NUL"));
	/* the length is respected: a request cut short is not read beyond */
	assert_int_equal(
		dpp_conf_req_parse(wpas_req, strlen(wpas_req) - 1, &r, err, sizeof(err)), -EINVAL);
	free(big);
}

/* kid = base64url(SHA-256(04 || X || Y)): hostapd's value in the header of its Connectors. */
static void test_kid(void **state)
{
	EVP_PKEY *k = from_hex(hapd_csign_p256, false), *k3 = from_hex(hapd_csign_p384, false);
	char kid[64];

	(void)state;
	assert_int_equal(dpp_csign_kid(k, kid), 0);
	assert_string_equal(kid, "ucP630FzXptP8gjc32G8WONyPoX3ZajnGV-BrKE_Muw");
	assert_int_equal(dpp_csign_kid(k3, kid), 0);
	assert_string_equal(kid, "Xir5344ajMmY-ifLHn5memhrH9bz9sTJeRx1kwxRBkc");
	EVP_PKEY_free(k3);
	EVP_PKEY_free(k);
}

static void test_hostapd_connectors(void **state)
{
	EVP_PKEY *cs = from_hex(hapd_csign_p256, false), *cs3 = from_hex(hapd_csign_p384, false);
	EVP_PKEY *nak = from_hex(hapd_nak_ap, true), *nak2 = from_hex(hapd_nak_exp2100, true);
	EVP_PKEY *nak3 = from_hex(hapd_nak_p384, true);
	int64_t now = (int64_t)time(NULL);
	struct dpp_connector c;

	(void)state;
	assert_int_equal(dpp_connector_verify(
				 cs, hapd_con_ap, strlen(hapd_con_ap), now, &c, err, sizeof(err)),
		0);
	assert_int_equal(c.netrole, DPP_NETROLE_AP);
	assert_string_equal(c.group, "*");
	assert_int_equal(c.expiry, 0);
	assert_string_equal(c.kid, "ucP630FzXptP8gjc32G8WONyPoX3ZajnGV-BrKE_Muw");
	assert_int_equal(EVP_PKEY_eq(c.net_access_key, nak), 1);
	assert_int_equal(EVP_PKEY_eq(c.net_access_key, nak2), 0);
	dpp_connector_clear(&c);
	dpp_connector_clear(&c);

	assert_int_equal(dpp_connector_verify(cs, hapd_con_exp2100, strlen(hapd_con_exp2100), now,
				 &c, err, sizeof(err)),
		0);
	assert_int_equal(c.expiry, 4102444800); /* expiry=4102444800: 2100-01-01T00:00:00Z */
	assert_int_equal(EVP_PKEY_eq(c.net_access_key, nak2), 1);
	dpp_connector_clear(&c);
	assert_int_equal(dpp_connector_verify(cs, hapd_con_exp2100, strlen(hapd_con_exp2100),
				 4102444801, &c, err, sizeof(err)),
		-EKEYEXPIRED);
	assert_null(c.net_access_key);

	/* ES384 with the P-384 C-sign key; the netAccessKey is on P-256 */
	assert_int_equal(dpp_connector_verify(cs3, hapd_con_p384, strlen(hapd_con_p384), now, &c,
				 err, sizeof(err)),
		0);
	assert_int_equal(EVP_PKEY_eq(c.net_access_key, nak3), 1);
	dpp_connector_clear(&c);
	/* ... which the P-256 key does not verify, and the other way round */
	assert_int_equal(dpp_connector_verify(cs, hapd_con_p384, strlen(hapd_con_p384), now, &c,
				 err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "alg is not ES256"));
	assert_int_equal(dpp_connector_verify(
				 cs3, hapd_con_ap, strlen(hapd_con_ap), now, &c, err, sizeof(err)),
		-EINVAL);

	/* expired (2001-09-09T01:46:40Z), but valid the second before */
	assert_int_equal(dpp_connector_verify(cs, hapd_con_expired, strlen(hapd_con_expired), now,
				 &c, err, sizeof(err)),
		-EKEYEXPIRED);
	assert_non_null(strstr(err, "expired"));
	assert_zero(&c, sizeof(c));
	assert_int_equal(dpp_connector_verify(cs, hapd_con_expired, strlen(hapd_con_expired),
				 1000000000, &c, err, sizeof(err)),
		0);
	assert_int_equal(c.expiry, 1000000000);
	dpp_connector_clear(&c);

	EVP_PKEY_free(nak3);
	EVP_PKEY_free(nak2);
	EVP_PKEY_free(nak);
	EVP_PKEY_free(cs3);
	EVP_PKEY_free(cs);
}

static void test_own_connectors(void **state)
{
	static const char *const curves[] = {"P-256", "P-384", "P-521"};
	static const char *const algs[] = {"ES256", "ES384", "ES512"};
	int64_t now = (int64_t)time(NULL);

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		for (int role = DPP_NETROLE_STA; role <= DPP_NETROLE_CONFIGURATOR; role++) {
			EVP_PKEY *cs = gen(curves[i]), *nak = gen(curves[(i + (size_t)role) % 3]);
			struct dpp_connector c;
			char *con = NULL, *p, hdr[256];
			unsigned char h[256];
			int64_t exp = role == DPP_NETROLE_AP ? 4102444800 : 0;
			int hl;

			assert_int_equal(
				dpp_connector_sign(cs, (enum dpp_netrole)role, nak, exp, &con), 0);
			assert_int_equal(dpp_connector_verify(
						 cs, con, strlen(con), now, &c, err, sizeof(err)),
				0);
			assert_int_equal(c.netrole, role);
			assert_string_equal(c.group, "*");
			assert_int_equal(c.expiry, exp);
			assert_int_equal(EVP_PKEY_eq(c.net_access_key, nak), 1);
			dpp_connector_clear(&c);
			/* the header says the curve's alg */
			p = strchr(con, '.');
			assert_non_null(p);
			snprintf(hdr, sizeof(hdr), "%.*s", (int)(p - con), con);
			for (char *q = hdr; *q; q++)
				*q = *q == '-' ? '+' : *q == '_' ? '/' : *q;
			while (strlen(hdr) % 4)
				strcat(hdr, "=");
			hl = EVP_DecodeBlock(h, (const unsigned char *)hdr, (int)strlen(hdr));
			assert_true(hl > 0);
			h[hl] = '\0';
			assert_non_null(strstr((char *)h, algs[i]));
			assert_non_null(strstr((char *)h, "\"typ\":\"dppCon\""));
			free(con);
			EVP_PKEY_free(nak);
			EVP_PKEY_free(cs);
		}
	}
}

static char b64url_char_other(char ch)
{
	/* Another character of the alphabet, differing in the lowest bit of its value. */
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *p = strchr(a, ch);

	assert_non_null(p);
	return a[(p - a) ^ 1];
}

/* Every single changed character of a Connector, in any of its three parts, is refused. */
static void tamper_all(EVP_PKEY *cs, const char *con)
{
	size_t n = strlen(con);
	char *t = strdup(con);
	struct dpp_connector c;

	assert_non_null(t);
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '.')
			continue;
		t[i] = b64url_char_other(con[i]);
		if (dpp_connector_verify(cs, t, n, 0, &c, err, sizeof(err)) == 0)
			fail_msg("changed character %zu of %zu verified", i, n);
		assert_null(c.net_access_key);
		t[i] = con[i];
	}
	assert_int_equal(dpp_connector_verify(cs, t, n, 0, &c, err, sizeof(err)), 0);
	dpp_connector_clear(&c);
	free(t);
}

static char *b64url(const char *s)
{
	unsigned char buf[1024];
	int n = EVP_EncodeBlock(buf, (const unsigned char *)s, (int)strlen(s));
	char *o = malloc((size_t)n + 1);

	assert_non_null(o);
	for (int i = 0; i < n; i++)
		o[i] = buf[i] == '+' ? '-' : buf[i] == '/' ? '_' : (char)buf[i];
	o[n] = '\0';
	while (n && o[n - 1] == '=')
		o[--n] = '\0';
	return o;
}

static void test_connector_refusals(void **state)
{
	EVP_PKEY *cs = from_hex(hapd_csign_p256, false), *other = gen("P-256");
	struct dpp_connector c;
	const char *dot1 = strchr(hapd_con_ap, '.'), *dot2 = strrchr(hapd_con_ap, '.');
	char *h, buf[1024], *own = NULL;
	EVP_PKEY *mine = gen("P-256"), *nak = gen("P-256");

	(void)state;
	tamper_all(cs, hapd_con_ap);
	assert_int_equal(dpp_connector_sign(mine, DPP_NETROLE_STA, nak, 0, &own), 0);
	tamper_all(mine, own);

	/* wrong key (its kid differs), and a key whose kid we copy into the header: the
	 * signature still decides */
	assert_int_equal(dpp_connector_verify(
				 other, hapd_con_ap, strlen(hapd_con_ap), 0, &c, err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "kid"));

	/* alg none, with and without the signature */
	h = b64url("{\"typ\":\"dppCon\",\"kid\":\"ucP630FzXptP8gjc32G8WONyPoX3ZajnGV-BrKE_Muw\","
		   "\"alg\":\"none\"}");
	snprintf(buf, sizeof(buf), "%s%.*s", h, (int)(dot2 - dot1 + 1), dot1);
	assert_int_equal(
		dpp_connector_verify(cs, buf, strlen(buf), 0, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "three non-empty parts"));
	snprintf(buf, sizeof(buf), "%s%s", h, dot1);
	assert_int_equal(
		dpp_connector_verify(cs, buf, strlen(buf), 0, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "alg is not ES256"));
	free(h);
	/* typ other than dppCon, the signature of the real header reused */
	h = b64url("{\"typ\":\"JWT\",\"kid\":\"ucP630FzXptP8gjc32G8WONyPoX3ZajnGV-BrKE_Muw\","
		   "\"alg\":\"ES256\"}");
	snprintf(buf, sizeof(buf), "%s%s", h, dot1);
	assert_int_equal(
		dpp_connector_verify(cs, buf, strlen(buf), 0, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "typ"));
	free(h);
	/* a header with the same fields in another order has another signature input */
	h = b64url("{\"alg\":\"ES256\",\"typ\":\"dppCon\",\"kid\":"
		   "\"ucP630FzXptP8gjc32G8WONyPoX3ZajnGV-BrKE_Muw\"}");
	snprintf(buf, sizeof(buf), "%s%s", h, dot1);
	assert_int_equal(
		dpp_connector_verify(cs, buf, strlen(buf), 0, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "does not verify"));
	free(h);
	/* shapes: two parts, four parts, empty parts, padding, truncated signature */
	snprintf(buf, sizeof(buf), "%.*s", (int)(dot2 - hapd_con_ap), hapd_con_ap);
	assert_int_equal(
		dpp_connector_verify(cs, buf, strlen(buf), 0, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "three"));
	snprintf(buf, sizeof(buf), "%s.", hapd_con_ap);
	assert_int_equal(
		dpp_connector_verify(cs, buf, strlen(buf), 0, &c, err, sizeof(err)), -EINVAL);
	snprintf(buf, sizeof(buf), "%s%s", hapd_con_ap, "==");
	assert_int_equal(
		dpp_connector_verify(cs, buf, strlen(buf), 0, &c, err, sizeof(err)), -EINVAL);
	assert_int_equal(dpp_connector_verify(
				 cs, hapd_con_ap, strlen(hapd_con_ap) - 2, 0, &c, err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "signature not base64url of 64 bytes"));
	snprintf(buf, sizeof(buf), "..");
	assert_int_equal(dpp_connector_verify(cs, buf, 2, 0, &c, err, sizeof(err)), -EINVAL);
	assert_int_equal(dpp_connector_verify(cs, "", 0, 0, &c, err, sizeof(err)), -EINVAL);
	assert_zero(&c, sizeof(c));

	free(own);
	EVP_PKEY_free(nak);
	EVP_PKEY_free(mine);
	EVP_PKEY_free(other);
	EVP_PKEY_free(cs);
}

/* t with "NAK" replaced by jwk. */
static void subst(char *out, size_t cap, const char *t, const char *jwk)
{
	const char *m = strstr(t, "NAK");

	if (m)
		snprintf(out, cap, "%.*s%s%s", (int)(m - t), t, jwk, m + 3);
	else
		snprintf(out, cap, "%s", t);
}

/* Payloads that are signed correctly but say the wrong things. */
static void test_connector_payloads(void **state)
{
	static const char *const bad[] = {
		"{\"netAccessKey\":NAK}",
		"{\"groups\":[],\"netAccessKey\":NAK}",
		"{\"groups\":{\"groupId\":\"*\",\"netRole\":\"sta\"},\"netAccessKey\":NAK}",
		"{\"groups\":[{\"groupId\":\"\",\"netRole\":\"sta\"}],\"netAccessKey\":NAK}",
		"{\"groups\":[{\"groupId\":\"*\",\"netRole\":\"mesh\"}],\"netAccessKey\":NAK}",
		"{\"groups\":[{\"groupId\":\"*\",\"netRole\":\"sta\"},7],\"netAccessKey\":NAK}",
		"{\"groups\":[{\"groupId\":\"*\",\"netRole\":\"sta\"}]}",
		"{\"groups\":[{\"groupId\":\"*\",\"netRole\":\"sta\"}],\"netAccessKey\":NAK,"
		"\"expiry\":\"2100-01-01 00:00:00\"}",
		"{\"groups\":[{\"groupId\":\"*\",\"netRole\":\"sta\"}],\"netAccessKey\":NAK,"
		"\"expiry\":\"2100-02-30T00:00:00Z\"}",
		"{\"groups\":[{\"groupId\":\"*\",\"netRole\":\"sta\"}],\"netAccessKey\":"
		"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"}}",
		/* a point off the curve: x = y = 1 */
		"{\"groups\":[{\"groupId\":\"*\",\"netRole\":\"sta\"}],\"netAccessKey\":"
		"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":"
		"\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE\","
		"\"y\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE\"}}",
		"{\"groups\":[{\"groupId\":\"*\",\"netRole\":\"sta\"}],\"netAccessKey\":"
		"{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}}",
	};
	EVP_PKEY *cs = gen("P-256"), *nak = gen("P-256");
	char kid[64], *jwk, pl[1024], hdr[256], *h, *p, msg[2048];
	struct dpp_connector c;

	(void)state;
	assert_int_equal(dpp_csign_kid(cs, kid), 0);
	assert_int_equal(dpp_jwk_build(nak, &jwk), 0);
	snprintf(hdr, sizeof(hdr), "{\"typ\":\"dppCon\",\"kid\":\"%s\",\"alg\":\"ES256\"}", kid);
	h = b64url(hdr);
	for (size_t i = 0; i <= sizeof(bad) / sizeof(bad[0]); i++) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		unsigned char der[80], rs[64];
		const unsigned char *dp = der;
		size_t dl = sizeof(der);
		ECDSA_SIG *sig;
		char *sb;

		/* the last round is a good payload: proves the signing below is right */
		if (i < sizeof(bad) / sizeof(bad[0]))
			subst(pl, sizeof(pl), bad[i], jwk);
		else
			snprintf(pl, sizeof(pl),
				"{\"groups\":[{\"groupId\":\"g1\",\"netRole\":\"ap\"}],"
				"\"netAccessKey\":%s,\"expiry\":\"2099-12-31T23:00:00-01:00\"}",
				jwk);
		p = b64url(pl);
		snprintf(msg, sizeof(msg), "%s.%s", h, p);
		assert_non_null(md);
		assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, cs), 1);
		assert_int_equal(
			EVP_DigestSign(md, der, &dl, (unsigned char *)msg, strlen(msg)), 1);
		sig = d2i_ECDSA_SIG(NULL, &dp, (long)dl);
		assert_non_null(sig);
		BN_bn2binpad(ECDSA_SIG_get0_r(sig), rs, 32);
		BN_bn2binpad(ECDSA_SIG_get0_s(sig), rs + 32, 32);
		{
			unsigned char e[100];
			int n = EVP_EncodeBlock(e, rs, 64);

			while (n && e[n - 1] == '=')
				e[--n] = '\0';
			for (int k = 0; k < n; k++)
				e[k] = e[k] == '+' ? '-' : e[k] == '/' ? '_' : e[k];
			sb = strdup((char *)e);
		}
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), ".%s", sb);
		if (i < sizeof(bad) / sizeof(bad[0])) {
			if (dpp_connector_verify(cs, msg, strlen(msg), 0, &c, err, sizeof(err)) !=
				-EINVAL)
				fail_msg("bad payload %zu accepted: %s", i, pl);
			assert_zero(&c, sizeof(c));
		} else {
			assert_int_equal(
				dpp_connector_verify(cs, msg, strlen(msg), 0, &c, err, sizeof(err)),
				0);
			assert_string_equal(c.group, "g1");
			assert_int_equal(c.netrole, DPP_NETROLE_AP);
			assert_int_equal(c.expiry, 4102444800); /* 2100-01-01T00:00:00Z */
			dpp_connector_clear(&c);
		}
		free(sb);
		free(p);
		ECDSA_SIG_free(sig);
		EVP_MD_CTX_free(md);
	}
	free(h);
	free(jwk);
	EVP_PKEY_free(nak);
	EVP_PKEY_free(cs);
}

static void round_trip(const struct dpp_cred *cred, bool with_keys)
{
	EVP_PKEY *cs = gen("P-256"), *nak = gen("P-256"), *other = gen("P-256"), *got = NULL;
	struct dpp_cred back;
	char *obj = NULL, *con = NULL;

	assert_int_equal(dpp_conf_obj_build(cred, DPP_NETROLE_STA, with_keys ? cs : NULL,
				 with_keys ? nak : NULL, 0, &obj),
		0);
	assert_int_equal(dpp_conf_obj_parse(obj, strlen(obj), with_keys ? nak : NULL, &back, &con,
				 &got, err, sizeof(err)),
		0);
	assert_int_equal(back.akm, cred->akm);
	assert_int_equal(back.ssid_len, cred->ssid_len);
	assert_memory_equal(back.ssid, cred->ssid, cred->ssid_len);
	assert_string_equal(back.pass, cred->pass);
	assert_string_equal(back.psk_hex, cred->psk_hex);
	if (with_keys) {
		struct dpp_connector c;

		assert_non_null(con);
		assert_int_equal(EVP_PKEY_eq(got, cs), 1);
		assert_int_equal(
			dpp_connector_verify(got, con, strlen(con), 0, &c, err, sizeof(err)), 0);
		assert_int_equal(EVP_PKEY_eq(c.net_access_key, nak), 1);
		dpp_connector_clear(&c);
		/* another Enrollee's protocol key */
		assert_int_equal(dpp_conf_obj_parse(obj, strlen(obj), other, &back, NULL, NULL, err,
					 sizeof(err)),
			-EINVAL);
		assert_non_null(strstr(err, "not our protocol key"));
		assert_zero(&back, sizeof(back));
	} else {
		assert_null(con);
		assert_null(got);
		assert_null(strstr(obj, "signedConnector"));
	}
	free(con);
	EVP_PKEY_free(got);
	free(obj);
	EVP_PKEY_free(other);
	EVP_PKEY_free(nak);
	EVP_PKEY_free(cs);
}

static void test_obj_round_trip(void **state)
{
	struct dpp_cred c = {.akm = DPP_AKM_DPP, .ssid = "HomeNet", .ssid_len = 7};

	(void)state;
	round_trip(&c, true);
	c.akm = DPP_AKM_PSK;
	snprintf(c.pass, sizeof(c.pass), "per-device \"secret\" \\1");
	round_trip(&c, false);
	round_trip(&c, true);
	c.pass[0] = '\0';
	snprintf(c.psk_hex, sizeof(c.psk_hex), "%s",
		"0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef");
	round_trip(&c, false);
	c.psk_hex[0] = '\0';
	c.akm = DPP_AKM_SAE;
	memset(c.pass, 'x', 63);
	c.pass[63] = '\0';
	round_trip(&c, false);
	c.akm = DPP_AKM_PSK_SAE;
	snprintf(c.pass, sizeof(c.pass), "12345678");
	/* an SSID of 32 bytes that are not text goes as ssid64 */
	for (size_t i = 0; i < 32; i++)
		c.ssid[i] = (uint8_t)(i * 37 + 1);
	c.ssid[5] = 0;
	c.ssid_len = 32;
	round_trip(&c, false);
	round_trip(&c, true);
}

static void test_obj_build_refusals(void **state)
{
	EVP_PKEY *cs = gen("P-256"), *nak = gen("P-256"), *rsa = EVP_RSA_gen(1024);
	struct dpp_cred c = {.akm = DPP_AKM_PSK, .ssid = "HomeNet", .ssid_len = 7};
	char *obj = NULL;

	(void)state;
	assert_non_null(rsa);
	snprintf(c.pass, sizeof(c.pass), "1234567"); /* 7 */
	assert_int_equal(dpp_conf_obj_build(&c, DPP_NETROLE_STA, NULL, NULL, 0, &obj), -EINVAL);
	snprintf(c.pass, sizeof(c.pass), "1234567\n");
	assert_int_equal(dpp_conf_obj_build(&c, DPP_NETROLE_STA, NULL, NULL, 0, &obj), -EINVAL);
	snprintf(c.pass, sizeof(c.pass), "12345678");
	c.ssid_len = 0;
	assert_int_equal(dpp_conf_obj_build(&c, DPP_NETROLE_STA, NULL, NULL, 0, &obj), -EINVAL);
	c.ssid_len = 33;
	assert_int_equal(dpp_conf_obj_build(&c, DPP_NETROLE_STA, NULL, NULL, 0, &obj), -EINVAL);
	c.ssid_len = 7;
	/* pass and psk_hex both */
	memset(c.psk_hex, 'a', 64);
	assert_int_equal(dpp_conf_obj_build(&c, DPP_NETROLE_STA, NULL, NULL, 0, &obj), -EINVAL);
	c.akm = DPP_AKM_SAE;
	c.pass[0] = '\0';
	assert_int_equal(dpp_conf_obj_build(&c, DPP_NETROLE_STA, NULL, NULL, 0, &obj), -EINVAL);
	c.psk_hex[0] = '\0';
	c.akm = DPP_AKM_DPP;
	assert_int_equal(dpp_conf_obj_build(&c, DPP_NETROLE_STA, NULL, NULL, 0, &obj), -EINVAL);
	assert_int_equal(dpp_conf_obj_build(&c, DPP_NETROLE_STA, cs, NULL, 0, &obj), -EINVAL);
	assert_int_equal(dpp_conf_obj_build(&c, DPP_NETROLE_STA, rsa, nak, 0, &obj), -EINVAL);
	assert_int_equal(dpp_conf_obj_build(&c, 0, cs, nak, 0, &obj), -EINVAL);
	assert_int_equal(dpp_conf_obj_build(&c, DPP_NETROLE_STA, cs, nak, -1, &obj), -EINVAL);
	c.akm = 9;
	assert_int_equal(dpp_conf_obj_build(&c, DPP_NETROLE_STA, cs, nak, 0, &obj), -EINVAL);
	assert_null(obj);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(nak);
	EVP_PKEY_free(cs);
}

static void test_obj_real(void **state)
{
	EVP_PKEY *own = from_hex(wpas_nak_dpp, true), *own_psk = from_hex(wpas_nak_psk, true);
	EVP_PKEY *cs = NULL;
	struct dpp_cred c;
	char *con = NULL, kid[64];

	(void)state;
	assert_int_equal(dpp_conf_obj_parse(hapd_obj_dpp, strlen(hapd_obj_dpp), own, &c, &con, &cs,
				 err, sizeof(err)),
		0);
	assert_int_equal(c.akm, DPP_AKM_DPP);
	assert_int_equal(c.ssid_len, 7);
	assert_memory_equal(c.ssid, "HomeNet", 7);
	assert_string_equal(c.pass, "");
	assert_non_null(con);
	assert_non_null(strstr(hapd_obj_dpp, con));
	assert_int_equal(dpp_csign_kid(cs, kid), 0);
	assert_string_equal(kid, "gI8rUSLAl_ErZ2CzqjCMTW040QOj1rOjI4-Dhbg2msI");
	free(con);
	EVP_PKEY_free(cs);
	/* the other run's Enrollee key is not the one this Connector is for */
	assert_int_equal(dpp_conf_obj_parse(hapd_obj_dpp, strlen(hapd_obj_dpp), own_psk, &c, &con,
				 &cs, err, sizeof(err)),
		-EINVAL);
	assert_null(con);
	assert_null(cs);

	/* sta-psk: a passphrase, plus a Connector for an R2 Enrollee */
	assert_int_equal(dpp_conf_obj_parse(hapd_obj_psk, strlen(hapd_obj_psk), own_psk, &c, &con,
				 &cs, err, sizeof(err)),
		0);
	assert_int_equal(c.akm, DPP_AKM_PSK);
	assert_memory_equal(c.ssid, "HomeNet", 7);
	assert_string_equal(c.pass, "per-device-secret-1");
	assert_non_null(con);
	assert_non_null(cs);
	free(con);
	EVP_PKEY_free(cs);
	assert_int_equal(dpp_conf_obj_parse(hapd_obj_psk, strlen(hapd_obj_psk), NULL, &c, NULL,
				 NULL, err, sizeof(err)),
		0);
	EVP_PKEY_free(own_psk);
	EVP_PKEY_free(own);
}

static const struct {
	const char *json, *err;
} bad_objs[] = {
	{"{\"wi-fi_tech\":\"infra\",\"discovery\":{\"ssid\":\"H\"},\"cred\":{\"akm\":\"wep\","
	 "\"pass\":\"12345678\"}}",
		"\"akm\" not"},
	{"{\"wi-fi_tech\":\"infra\",\"discovery\":{\"ssid\":\"H\"},\"cred\":{\"akm\":\"PSK\","
	 "\"pass\":\"12345678\"}}",
		"\"akm\" not"},
	{"{\"wi-fi_tech\":\"infra\",\"discovery\":{\"ssid\":\"123456789012345678901234567890123\"},"
	 "\"cred\":{\"akm\":\"psk\",\"pass\":\"12345678\"}}",
		"\"ssid\" not 1..32"},
	{"{\"wi-fi_tech\":\"infra\",\"discovery\":{\"ssid\":\"\"},\"cred\":{\"akm\":\"psk\","
	 "\"pass\":\"12345678\"}}",
		"\"ssid\" not 1..32"},
	{"{\"wi-fi_tech\":\"infra\",\"discovery\":{\"ssid64\":\"\"},\"cred\":{\"akm\":\"psk\","
	 "\"pass\":\"12345678\"}}",
		"\"ssid64\" not"},
	{"{\"wi-fi_tech\":\"infra\",\"discovery\":{\"ssid\":\"H\",\"ssid64\":\"SA\"},\"cred\":"
	 "{\"akm\":\"psk\",\"pass\":\"12345678\"}}",
		"exactly one"},
	{"{\"wi-fi_tech\":\"infra\",\"discovery\":{},\"cred\":{\"akm\":\"psk\",\"pass\":"
	 "\"12345678\"}}",
		"exactly one"},
	{"{\"wi-fi_tech\":\"infra\",\"discovery\":{\"ssid\":\"H\"},\"cred\":{\"akm\":\"psk\","
	 "\"pass\":\"1234567\"}}",
		"\"pass\" not 8..63"},
	{"{\"wi-fi_tech\":\"infra\",\"discovery\":{\"ssid\":\"H\"},\"cred\":{\"akm\":\"sae\","
	 "\"pass\":\"1234567890123456789012345678901234567890123456789012345678901234\"}}",
		"\"pass\" not 8..63"},
	{"{\"wi-fi_tech\":\"infra\",\"discovery\":{\"ssid\":\"H\"},\"cred\":{\"akm\":\"sae\","
	 "\"pass\":\"1234\\t5678\"}}",
		"\"pass\" not 8..63"},
	{"{\"wi-fi_tech\":\"infra\",\"discovery\":{\"ssid\":\"H\"},\"cred\":{\"akm\":\"sae\","
	 "\"psk_hex\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}}",
		"no \"pass\""},
	{"{\"wi-fi_tech\":\"infra\",\"discovery\":{\"ssid\":\"H\"},\"cred\":{\"akm\":\"psk\","
	 "\"psk_hex\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg\"}}",
		"\"psk_hex\" not 64"},
	{"{\"wi-fi_tech\":\"infra\",\"discovery\":{\"ssid\":\"H\"},\"cred\":{\"akm\":\"psk\"}}",
		"no \"pass\" or \"psk_hex\""},
	{"{\"wi-fi_tech\":\"infra\",\"discovery\":{\"ssid\":\"H\"},\"cred\":{\"akm\":\"dpp\"}}",
		"\"signedConnector\" missing"},
	{"{\"wi-fi_tech\":\"infra\",\"discovery\":{\"ssid\":\"H\"},\"cred\":\"psk\"}",
		"\"cred\" is not an object"},
	{"{\"wi-fi_tech\":\"infra\",\"cred\":{\"akm\":\"psk\",\"pass\":\"12345678\"}}",
		"\"discovery\" missing"},
	{"{\"discovery\":{\"ssid\":\"H\"},\"cred\":{\"akm\":\"psk\",\"pass\":\"12345678\"}}",
		"\"wi-fi_tech\" missing"},
	{"{\"wi-fi_tech\":\"infra\",\"discovery\":{\"ssid\":\"H\"},\"cred\":{\"akm\":\"psk\","
	 "\"pass\":12345678}}",
		"\"pass\" is not a string"},
	{"{\"wi-fi_tech\":\"infra\",\"discovery\":{\"ssid\":\"H\"}", "not JSON"},
	{"[]", "not a JSON object"},
};

static void test_obj_hostile(void **state)
{
	struct dpp_cred c;
	char *con = (char *)1, *buf;
	EVP_PKEY *cs = (EVP_PKEY *)1;
	size_t n = strlen(hapd_obj_dpp);

	(void)state;
	for (size_t i = 0; i < sizeof(bad_objs) / sizeof(bad_objs[0]); i++) {
		memset(&c, 0x5a, sizeof(c));
		err[0] = '\0';
		assert_int_equal(dpp_conf_obj_parse(bad_objs[i].json, strlen(bad_objs[i].json),
					 NULL, &c, &con, &cs, err, sizeof(err)),
			-EINVAL);
		if (!strstr(err, bad_objs[i].err))
			fail_msg("case %zu: err \"%s\", expected \"%s\"", i, err, bad_objs[i].err);
		assert_zero(&c, sizeof(c));
		assert_null(con);
		assert_null(cs);
	}
	/* the real object with one changed character in the Connector or the C-sign key */
	buf = strdup(hapd_obj_dpp);
	assert_non_null(buf);
	for (const char *m = strstr(hapd_obj_dpp, "signedConnector\":\"") + 18; *m != '"'; m += 7) {
		size_t i = (size_t)(m - hapd_obj_dpp);

		if (*m == '.')
			continue;
		buf[i] = b64url_char_other(*m);
		assert_int_not_equal(
			dpp_conf_obj_parse(buf, n, NULL, &c, &con, &cs, err, sizeof(err)), 0);
		assert_null(con);
		buf[i] = *m;
	}
	{
		size_t i = (size_t)(strstr(hapd_obj_dpp, "\"kid\":\"gI8r") - hapd_obj_dpp) + 8;

		buf[i] = 'X';
		assert_int_equal(
			dpp_conf_obj_parse(buf, n, NULL, &c, &con, &cs, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "kid"));
		buf[i] = hapd_obj_dpp[i];
		i = (size_t)(strstr(hapd_obj_dpp, "\"x\":\"Y_w6") - hapd_obj_dpp) + 6;
		buf[i] = 'x';
		assert_int_equal(
			dpp_conf_obj_parse(buf, n, NULL, &c, &con, &cs, err, sizeof(err)), -EINVAL);
		buf[i] = hapd_obj_dpp[i];
	}
	assert_int_equal(dpp_conf_obj_parse(buf, n, NULL, &c, NULL, NULL, err, sizeof(err)), 0);
	free(buf);
	/* 100 KB */
	buf = malloc(100 * 1024);
	assert_non_null(buf);
	memset(buf, ' ', 100 * 1024);
	memcpy(buf, hapd_obj_psk, strlen(hapd_obj_psk));
	assert_int_equal(dpp_conf_obj_parse(buf, 100 * 1024, NULL, &c, &con, &cs, err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "longer than 8192"));
	free(buf);
}

static void test_jwk(void **state)
{
	EVP_PKEY *k = gen("P-521"), *back = NULL;
	char *j = NULL;

	(void)state;
	assert_int_equal(dpp_jwk_build(k, &j), 0);
	assert_non_null(strstr(j, "\"crv\":\"P-521\""));
	assert_int_equal(dpp_jwk_parse(j, strlen(j), &back, err, sizeof(err)), 0);
	assert_int_equal(EVP_PKEY_eq(k, back), 1);
	EVP_PKEY_free(back);
	/* P-256 x and y lengths on a P-521 curve */
	assert_int_equal(dpp_jwk_parse("{\"kty\":\"EC\",\"crv\":\"P-521\",\"x\":"
				       "\"hVAhcqZxBFQy0x17G8hgk3N3QKgkjqJW4eVN3laawU8\",\"y\":"
				       "\"RsMRRwoMS9DE5b5M9NLP1roviXXXfjG2ubi_ZyuDAFM\"}",
				 154, &back, err, sizeof(err)),
		-EINVAL);
	assert_null(back);
	free(j);
	EVP_PKEY_free(k);
}

static EVP_PKEY *load_pem(const char *path)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k = NULL;

	if (f) {
		k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		if (!k) {
			rewind(f);
			k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
		}
		fclose(f);
	}
	return k;
}

/* tests/lab/test_dpp_conf_interop.sh feeds our objects to hostapd and wpa_supplicant:
 * "emit <dpp|psk|sae|psk+sae> <ssid> <pass|64 hex (psk)|-> <sta|ap> [<csign.pem> <nak.pem>]"
 * prints the Configuration Object dpp_conf_obj_build makes. */
static int emit(int argc, char **argv)
{
	static const char *const akms[] = {"", "dpp", "psk", "sae", "psk+sae"};
	struct dpp_cred c = {0};
	EVP_PKEY *cs = NULL, *nak = NULL;
	char *obj = NULL;
	int ret = 2;

	if (argc != 6 && argc != 8)
		goto out;
	for (int i = 1; i <= 4; i++)
		if (strcmp(argv[2], akms[i]) == 0)
			c.akm = (enum dpp_akm)i;
	c.ssid_len = strlen(argv[3]);
	if (!c.akm || c.ssid_len > sizeof(c.ssid))
		goto out;
	memcpy(c.ssid, argv[3], c.ssid_len);
	if (c.akm == DPP_AKM_PSK && strlen(argv[4]) == 64 &&
		strspn(argv[4], "0123456789abcdefABCDEF") == 64)
		snprintf(c.psk_hex, sizeof(c.psk_hex), "%s", argv[4]);
	else if (strcmp(argv[4], "-") != 0)
		snprintf(c.pass, sizeof(c.pass), "%s", argv[4]);
	if (argc == 8 && (!(cs = load_pem(argv[6])) || !(nak = load_pem(argv[7]))))
		goto out;
	if (dpp_conf_obj_build(&c, strcmp(argv[5], "ap") == 0 ? DPP_NETROLE_AP : DPP_NETROLE_STA,
		    cs, nak, 0, &obj) != 0)
		goto out;
	printf("%s\n", obj);
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "usage: emit akm ssid pass|- sta|ap [csign.pem nak.pem]\n");
	free(obj);
	EVP_PKEY_free(nak);
	EVP_PKEY_free(cs);
	return ret;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_req_real),
		cmocka_unit_test(test_req_r2),
		cmocka_unit_test(test_req_names),
		cmocka_unit_test(test_req_hostile),
		cmocka_unit_test(test_kid),
		cmocka_unit_test(test_hostapd_connectors),
		cmocka_unit_test(test_own_connectors),
		cmocka_unit_test(test_connector_refusals),
		cmocka_unit_test(test_connector_payloads),
		cmocka_unit_test(test_obj_round_trip),
		cmocka_unit_test(test_obj_build_refusals),
		cmocka_unit_test(test_obj_real),
		cmocka_unit_test(test_obj_hostile),
		cmocka_unit_test(test_jwk),
	};

	if (argc > 1 && strcmp(argv[1], "emit") == 0)
		return emit(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
