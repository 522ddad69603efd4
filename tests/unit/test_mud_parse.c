/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the MUD parser: a complete file, and one mutation for every rejection rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mud/mud_parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *base;
static size_t base_len;

static int load(void **state)
{
	char path[512];
	const char *dir = getenv("HOMEGATE_TEST_DATA");

	(void)state;
	snprintf(path, sizeof(path), "%s/mud/camera.json", dir ? dir : "tests/data");
	return util_read_file(path, MUD_MAX_FILE, &base, &base_len);
}

static int unload(void **state)
{
	(void)state;
	free(base);
	return 0;
}

/* The base file with the first occurrence of from replaced by to. */
static char *with(const char *from, const char *to)
{
	const char *at = strstr(base, from);
	char *out;

	assert_non_null(at);
	out = malloc(base_len + strlen(to) + 1);
	memcpy(out, base, (size_t)(at - base));
	strcpy(out + (at - base), to); /* sized above */
	strcat(out, at + strlen(from));
	return out;
}

static void test_valid(void **state)
{
	struct mud_file *mf;
	struct mud_error err;
	const struct pol_rule *r;

	(void)state;
	assert_int_equal(
		mud_parse(base, base_len, "https://mud.example.test/cam.json", &mf, &err), 0);
	assert_string_equal(mf->url, "https://mud.example.test/cam.json");
	assert_string_equal(mf->signature, "cam.p7s");
	assert_string_equal(mf->systeminfo, "Example Camera 2");
	assert_string_equal(mf->mfg_name, "Example Cams");
	assert_int_equal(mf->cache_validity, 24);
	assert_true(mf->is_supported);
	assert_int_equal(mf->policy.count, 6);
	r = &mf->policy.rules[0];
	assert_int_equal(r->dir, POL_FROM_DEVICE);
	assert_int_equal(r->family, POL_FAM_IPV4);
	assert_int_equal(r->proto, 6);
	assert_int_equal(r->peer, POL_PEER_DNSNAME);
	assert_string_equal(r->value, "cloud.example.test");
	assert_int_equal(r->dst_ports.op, POL_PORT_EQ);
	assert_int_equal(r->dst_ports.lo, 443);
	assert_int_equal(r->initiated, POL_INIT_FROM_DEVICE);
	r = &mf->policy.rules[1];
	assert_int_equal(r->peer, POL_PEER_NET);
	assert_int_equal(r->prefix_len, 24);
	assert_int_equal(r->proto, 17); /* from the udp match */
	assert_int_equal(r->dst_ports.op, POL_PORT_RANGE);
	assert_int_equal(r->dst_ports.hi, 124);
	assert_int_equal(mf->policy.rules[2].peer, POL_PEER_LOCAL_NETWORKS);
	assert_int_equal(mf->policy.rules[3].action, POL_DROP); /* reject is drop */
	assert_int_equal(mf->policy.rules[3].icmp_type, 8);
	assert_int_equal(mf->policy.rules[4].peer, POL_PEER_SAME_MANUFACTURER);
	assert_int_equal(mf->policy.rules[4].family, POL_FAM_IPV6);
	assert_int_equal(mf->policy.rules[5].dir, POL_TO_DEVICE);
	assert_int_equal(mf->policy.rules[5].src_ports.lo, 443);
	mud_free(mf);
}

struct mutation {
	const char *from, *to, *msg, *path;
};

static void test_rejections(void **state)
{
	static const struct mutation cases[] = {
		{"\"mud-version\": 1", "\"mud-version\": 2", "mud-version must be 1",
			"$.ietf-mud:mud.mud-version"},
		{"\"mud-version\": 1,", "", "mandatory node \"mud-version\" is missing",
			"$.ietf-mud:mud"},
		{"\"is-supported\": true,", "", "mandatory node \"is-supported\" is missing",
			"$.ietf-mud:mud"},
		{"\"is-supported\": true", "\"is-supported\": \"yes\"", "must be true or false",
			".is-supported"},
		{"\"last-update\": \"2026-11-01T10:00:00+00:00\",", "",
			"\"last-update\" is missing", "$.ietf-mud:mud"},
		{"\"cache-validity\": 24", "\"cache-validity\": 169",
			"cache-validity must be 1..168", ".cache-validity"},
		{"Example Camera 2",
			"Example Camera 2 with a description far longer than sixty characters",
			"longer than 60", ".systeminfo"},
		{"https://mud.example.test/cam.json", "http://mud.example.test/cam.json",
			"not an https URL", ".mud-url"},
		{"\"to-device-policy\"", "\"to-device-policy-x\"",
			"\"to-device-policy\" is missing", "$.ietf-mud:mud"},
		{"ietf-access-control-list:acls", "acls",
			"\"ietf-access-control-list:acls\" is missing", "$"},
		{"{\"name\": \"to-v4\"}", "{\"name\": \"nowhere\"}", "names ACL \"nowhere\"",
			"to-device-policy.access-lists.access-list[0]"},
		{"\"ietf-acldns:dst-dnsname\": \"cloud.example.test\"",
			"\"ietf-acldns:src-dnsname\": \"cloud.example.test\"",
			"src-dnsname is not allowed in a from-device ACL",
			"acl[name=from-v4].aces.ace[0].matches.ipv4.ietf-acldns:src-dnsname"},
		{"\"ietf-acldns:src-dnsname\": \"app.example.test\"",
			"\"ietf-acldns:dst-dnsname\": \"app.example.test\"",
			"dst-dnsname is not allowed in a to-device ACL", "acl[name=to-v4]"},
		{"\"udp\": {\"destination-port\"",
			"\"udp\": {\"ietf-mud:direction-initiated\": \"from-device\", "
			"\"destination-port\"",
			"direction-initiated is only defined for TCP", "aces.ace[1].matches.udp"},
		{"\"mfg-name\": \"Example Cams\",",
			"\"mfg-name\": \"Example Cams\", \"acme-ext:color\": \"red\",",
			"extension \"acme-ext\", which the file does not declare",
			".acme-ext:color"},
		{"\"forwarding\": \"accept\"", "\"forwarding\": \"allow\"",
			"is not accept, drop or reject", ".actions"},
		{"\"ipv4\": {\"protocol\": 6, \"ietf-acldns",
			"\"ipv4\": {\"protocol\": 17, \"ietf-acldns",
			"protocol 17 contradicts its tcp match", "ace[0]"},
		{"\"198.51.100.0/24\"", "\"198.51.100.0\"", "has no prefix length",
			"destination-ipv4-network"},
		{"\"198.51.100.0/24\"", "\"2001:db8::/32\"", "is not an IPv4 prefix",
			"destination-ipv4-network"},
		{"\"destination-ipv4-network\"", "\"source-ipv4-network\"",
			"names the device itself", "source-ipv4-network"},
		{"\"port\": 443}", "\"port\": 70000}", "out of range 0..65535", "destination-port"},
		{"{\"local-networks\": [null]}",
			"{\"local-networks\": [null], \"manufacturer\": \"x.example\"}",
			"more than one peer", "ace[2]"},
		{"\"type\": \"ipv6-acl-type\"", "\"type\": \"fancy-acl-type\"", "unknown ACL type",
			"acl[name=from-v6]"},
	};
	struct mud_file *mf;
	struct mud_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *doc = with(cases[i].from, cases[i].to);
		int ret = mud_parse(doc, strlen(doc), NULL, &mf, &err);

		if (ret != -EINVAL || !strstr(err.msg, cases[i].msg) ||
			!strstr(err.path, cases[i].path))
			fail_msg("case %zu: ret %d, \"%s\" at \"%s\"; wanted \"%s\" at \"%s\"", i,
				ret, err.msg, err.path, cases[i].msg, cases[i].path);
		assert_null(mf);
		free(doc);
	}
}

static void test_fetched_url_and_spellings(void **state)
{
	struct mud_file *mf;
	struct mud_error err;
	char *doc;

	(void)state;
	assert_int_equal(
		mud_parse(base, base_len, "https://evil.example/cam.json", &mf, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "differs from the URL it was fetched from"));
	/* The pre-RFC container name still seen in the wild. */
	doc = with("ietf-access-control-list:acls", "ietf-access-control-list:access-lists");
	assert_int_equal(mud_parse(doc, strlen(doc), NULL, &mf, &err), 0);
	mud_free(mf);
	free(doc);
	/* A declared extension's nodes are fine; unknown unqualified nodes are ignored. */
	doc = with("\"mfg-name\": \"Example Cams\",",
		"\"mfg-name\": \"Example Cams\", \"extensions\": [\"acme-ext\"], "
		"\"acme-ext:color\": \"red\", \"future-node\": 1,");
	assert_int_equal(mud_parse(doc, strlen(doc), NULL, &mf, &err), 0);
	assert_int_equal(mf->nextensions, 1);
	mud_free(mf);
	free(doc);
	/* Garbage and oversize input. */
	assert_int_equal(mud_parse("{\"a\":", 5, NULL, &mf, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not valid JSON"));
	assert_int_equal(mud_parse("[]", 2, NULL, &mf, &err), -EINVAL);
	assert_int_equal(mud_parse(base, MUD_MAX_FILE + 1, NULL, &mf, &err), -EFBIG);
}

static void test_url_rules(void **state)
{
	char long_url[300];

	(void)state;
	assert_true(mud_url_valid("https://mud.example.test/a.json"));
	assert_false(mud_url_valid("http://mud.example.test/a.json"));
	assert_false(mud_url_valid("https://"));
	assert_false(mud_url_valid("https:///path"));
	assert_false(mud_url_valid("https://a b/c"));
	assert_false(mud_url_valid("https://a/b#frag"));
	assert_false(mud_url_valid("https://a/\x01"));
	memset(long_url, 'a', sizeof(long_url));
	memcpy(long_url, "https://", 8);
	long_url[256] = '\0';
	assert_false(mud_url_valid(long_url));
	{
		char out[HG_URL_MAX];

		assert_int_equal(
			mud_url_intake("https://m.example/a.json reserved text", out, sizeof(out)),
			0);
		assert_string_equal(out, "https://m.example/a.json");
		assert_int_equal(
			mud_url_intake("http://m.example/a.json", out, sizeof(out)), -EINVAL);
		assert_string_equal(out, "");
		assert_int_equal(
			mud_url_intake(" https://m.example/a.json", out, sizeof(out)), -EINVAL);
		assert_int_equal(
			mud_url_intake("https://m.example/\x7f", out, sizeof(out)), -EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_fetched_url_and_spellings),
		cmocka_unit_test(test_url_rules),
	};

	return cmocka_run_group_tests(tests, load, unload);
}
