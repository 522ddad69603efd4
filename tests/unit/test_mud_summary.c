/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the plain-language MUD summary: fields, text and JSON, on camera.json and on
 * crafted files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/util.h"
#include "mud/mud_summary.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct mud_file *parse_or_fail(const char *buf, size_t len)
{
	struct mud_file *mf = NULL;
	struct mud_error err;

	if (mud_parse(buf, len, NULL, &mf, &err) != 0)
		fail_msg("rejected: %s at %s", err.msg, err.path);
	return mf;
}

static struct mud_file *camera(void)
{
	char path[512], *buf = NULL;
	size_t len = 0;
	const char *dir = getenv("HOMEGATE_TEST_DATA");
	struct mud_file *mf;

	snprintf(path, sizeof(path), "%s/mud/camera.json", dir ? dir : "tests/data");
	assert_int_equal(util_read_file(path, MUD_MAX_FILE, &buf, &len), 0);
	mf = parse_or_fail(buf, len);
	free(buf);
	return mf;
}

/* A MUD file with the given extra mud nodes (each ending in a comma) and from-device ACEs. */
static struct mud_file *crafted(const char *url, const char *meta, const char *aces)
{
	static char buf[64 * 1024];
	int n = snprintf(buf, sizeof(buf),
		"{\"ietf-mud:mud\": {\"mud-version\": 1, \"mud-url\": \"%s\", "
		"\"last-update\": \"2026-01-01T00:00:00+00:00\", %s "
		"\"from-device-policy\": {\"access-lists\": {\"access-list\": [{\"name\": "
		"\"f\"}]}}, "
		"\"to-device-policy\": {\"access-lists\": {\"access-list\": [{\"name\": "
		"\"t\"}]}}}, "
		"\"ietf-access-control-list:acls\": {\"acl\": ["
		"{\"name\": \"f\", \"aces\": {\"ace\": [%s]}}, "
		"{\"name\": \"t\", \"aces\": {\"ace\": [{\"name\": \"in\", \"matches\": {\"ipv4\": "
		"{\"protocol\": 6}}, \"actions\": {\"forwarding\": \"accept\"}}]}}]}}",
		url, meta, aces);

	assert_true(n > 0 && (size_t)n < sizeof(buf));
	return parse_or_fail(buf, (size_t)n);
}

/* An ACE as JSON; matches is the inside of the matches object. */
static const char *ace(const char *name, const char *matches, const char *action)
{
	static char buf[8][1024];
	static unsigned next;
	char *b = buf[next++ % 8];

	snprintf(b, sizeof(buf[0]),
		"{\"name\": \"%s\", \"matches\": {%s}, \"actions\": {\"forwarding\": \"%s\"}}",
		name, matches, action);
	return b;
}

#define DNS(n)	 "\"ipv4\": {\"protocol\": 6, \"ietf-acldns:dst-dnsname\": \"" n "\"}"
#define MUDM(m)	 "\"ietf-mud:mud\": {" m "}"
#define SUPPORTS "\"is-supported\": true,"

static void test_camera(void **state)
{
	struct mud_file *mf = camera();
	struct mud_summary s;
	char text[MUD_SUMMARY_TEXT_MAX];
	int n;

	(void)state;
	mud_summarise(mf, &s);
	mud_free(mf); /* the summary holds its own copies */
	assert_string_equal(s.url, "https://mud.example.test/cam.json");
	assert_string_equal(s.systeminfo, "Example Camera 2");
	assert_string_equal(s.mfg_name, "Example Cams");
	assert_string_equal(s.manufacturer, "Example Cams");
	assert_false(s.manufacturer_from_url);
	assert_string_equal(s.model, "EC-2");
	assert_string_equal(s.documentation, "https://example.test/ec2");
	assert_true(s.is_supported);
	assert_int_equal(s.cache_validity, 24);
	assert_int_equal(s.ndomains, 2);
	assert_string_equal(s.domains[0], "cloud.example.test");
	assert_string_equal(s.domains[1], "app.example.test");
	assert_false(s.domains_truncated);
	assert_true(s.lan);
	assert_int_equal(s.nlan_kinds, 2);
	assert_int_equal(s.lan_kinds[0], POL_PEER_LOCAL_NETWORKS);
	assert_int_equal(s.lan_kinds[1], POL_PEER_SAME_MANUFACTURER);
	assert_int_equal(s.rules_from_device, 5);
	assert_int_equal(s.rules_to_device, 1);
	/* exactly what `homegate mud check` has printed for it */
	n = mud_summary_text(&s, text, sizeof(text));
	assert_string_equal(text,
		"  device:        Example Camera 2\n"
		"  made by:       Example Cams EC-2\n"
		"  supported:     yes, the maker still updates it\n"
		"  internet:      cloud.example.test, app.example.test\n"
		"  home network:  asks for access (local-networks, same-manufacturer)\n"
		"  rules:         5 from the device, 1 to it; re-check every 24 h\n");
	assert_int_equal(n, (int)strlen(text));
}

static void test_camera_json(void **state)
{
	struct mud_file *mf = camera();
	struct mud_summary s;
	json_object *o = NULL, *v;
	static const char *const first[] = {"mud_url", "systeminfo", "manufacturer", "model",
		"is_supported", "cache_validity", "rules", "cloud_domains", "lan_access"};
	unsigned i = 0;

	(void)state;
	mud_summarise(mf, &s);
	mud_free(mf);
	assert_int_equal(mud_summary_json(&s, &o), 0);
	assert_non_null(o);
	/* the keys `mud check --json` always had come first, in their old order */
	json_object_object_foreach(o, key, val)
	{
		(void)val;
		if (i < ARRAY_SIZE(first))
			assert_string_equal(key, first[i]);
		i++;
	}
	assert_int_equal(i, 16);
	assert_true(json_object_object_get_ex(o, "manufacturer", &v));
	assert_string_equal(json_object_get_string(v), "Example Cams");
	assert_true(json_object_object_get_ex(o, "rules", &v));
	assert_int_equal(json_object_get_int(v), 6);
	assert_true(json_object_object_get_ex(o, "cloud_domains", &v));
	assert_int_equal(json_object_array_length(v), 2);
	assert_string_equal(
		json_object_get_string(json_object_array_get_idx(v, 1)), "app.example.test");
	assert_true(json_object_object_get_ex(o, "lan_kinds", &v));
	assert_int_equal(json_object_array_length(v), 2);
	assert_string_equal(
		json_object_get_string(json_object_array_get_idx(v, 1)), "same-manufacturer");
	assert_true(json_object_object_get_ex(o, "documentation", &v));
	assert_string_equal(json_object_get_string(v), "https://example.test/ec2");
	assert_true(json_object_object_get_ex(o, "manufacturer_from_url", &v));
	assert_false(json_object_get_boolean(v));
	json_object_put(o);
}

static void test_manufacturer_from_url(void **state)
{
	struct mud_summary s;
	char text[MUD_SUMMARY_TEXT_MAX];
	struct mud_file *mf;
	json_object *o, *v;

	(void)state;
	mf = crafted(
		"https://Lamps.Example/lamp.json", SUPPORTS, ace("a", DNS("a.example"), "accept"));
	mud_summarise(mf, &s);
	mud_free(mf);
	assert_string_equal(s.mfg_name, "");
	assert_string_equal(s.manufacturer, "Lamps.Example");
	assert_true(s.manufacturer_from_url);
	/* the text shows the file's own names only, as it always has: no "made by" line */
	mud_summary_text(&s, text, sizeof(text));
	assert_null(strstr(text, "made by"));
	assert_int_equal(mud_summary_json(&s, &o), 0);
	assert_true(json_object_object_get_ex(o, "manufacturer", &v));
	assert_string_equal(json_object_get_string(v), "Lamps.Example");
	assert_true(json_object_object_get_ex(o, "manufacturer_from_url", &v));
	assert_true(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "mfg_name", &v));
	assert_string_equal(json_object_get_string(v), "");
	json_object_put(o);

	/* user information and port are not the maker */
	mf = crafted("https://user@mud.example.test:8443/x.json?v=1", SUPPORTS, "");
	mud_summarise(mf, &s);
	mud_free(mf);
	assert_string_equal(s.manufacturer, "mud.example.test");
	mf = crafted("https://[2001:db8::1]:443/x.json", SUPPORTS, "");
	mud_summarise(mf, &s);
	mud_free(mf);
	assert_string_equal(s.manufacturer, "[2001:db8::1]");

	/* a model without a maker keeps today's line */
	mf = crafted("https://m.example/x.json", SUPPORTS "\"model-name\": \"X1\",", "");
	mud_summarise(mf, &s);
	mud_free(mf);
	mud_summary_text(&s, text, sizeof(text));
	assert_non_null(strstr(text, "\n  made by:        X1\n"));
	assert_string_equal(s.manufacturer, "m.example");
}

static void test_plain_device(void **state)
{
	struct mud_summary s;
	char text[MUD_SUMMARY_TEXT_MAX];
	struct mud_file *mf;
	int n;

	(void)state;
	mf = crafted("https://m.example/x.json", "\"is-supported\": false, \"cache-validity\": 2,",
		ace("ntp",
			"\"ipv4\": {\"protocol\": 17, \"destination-ipv4-network\": "
			"\"192.0.2.0/24\"}",
			"accept"));
	mud_summarise(mf, &s);
	mud_free(mf);
	n = mud_summary_text(&s, text, sizeof(text));
	assert_int_equal(n, (int)strlen(text));
	assert_string_equal(text,
		"  device:        (no description)\n"
		"  supported:     no, the maker no longer updates it\n"
		"  internet:      no named services\n"
		"  home network:  no access asked\n"
		"  rules:         1 from the device, 1 to it; re-check every 2 h\n");
	assert_false(s.lan);
	assert_int_equal(s.ndomains, 0);
}

static void test_domains_and_kinds(void **state)
{
	struct mud_summary s;
	char text[MUD_SUMMARY_TEXT_MAX], aces[4096];
	struct mud_file *mf;

	(void)state;
	/* names once each, in order; a rejected name is not contacted; kinds once each even when
	 * one's name is part of another's (same-manufacturer before manufacturer) */
	snprintf(aces, sizeof(aces), "%s, %s, %s, %s, %s, %s, %s, %s",
		ace("a", DNS("b.example"), "accept"), ace("b", DNS("a.example"), "accept"),
		ace("c", DNS("b.example"), "accept"), ace("d", DNS("evil.example"), "reject"),
		ace("e", MUDM("\"same-manufacturer\": [null]"), "accept"),
		ace("f", MUDM("\"manufacturer\": \"x.example\""), "accept"),
		ace("g", MUDM("\"my-controller\": [null]"), "accept"),
		ace("h", MUDM("\"controller\": \"urn:ietf:params:mud:dns\""), "accept"));
	mf = crafted("https://m.example/x.json", SUPPORTS, aces);
	mud_summarise(mf, &s);
	mud_free(mf);
	mud_summary_text(&s, text, sizeof(text));
	assert_non_null(strstr(text, "  internet:      b.example, a.example\n"));
	assert_non_null(strstr(text,
		"  home network:  asks for access (same-manufacturer, "
		"manufacturer, my-controller, controller)\n"));
	assert_int_equal(s.nlan_kinds, 4);

	/* a dropped LAN rule asks for nothing */
	mf = crafted("https://m.example/x.json", SUPPORTS,
		ace("l", MUDM("\"local-networks\": [null]"), "drop"));
	mud_summarise(mf, &s);
	mud_free(mf);
	assert_false(s.lan);
}

static void test_narrowed_local_networks(void **state)
{
	struct mud_summary s;
	char text[MUD_SUMMARY_TEXT_MAX], aces[2048];
	struct mud_file *mf;
	const char *mdns = MUDM(
		"\"local-networks\": [null]") ", \"ipv4\": {\"protocol\": 17, "
					      "\"destination-ipv4-network\": \"224.0.0.251/32\"}";

	(void)state;
	/* local-networks with a multicast prefix (seen in the wild) is still the home network */
	mf = crafted("https://m.example/x.json", SUPPORTS, ace("mdns", mdns, "accept"));
	assert_int_equal(mf->policy.rules[0].peer, POL_PEER_NET);
	assert_true(mf->policy.rules[0].flags & POL_LOCAL_ONLY);
	mud_summarise(mf, &s);
	mud_free(mf);
	mud_summary_text(&s, text, sizeof(text));
	assert_non_null(strstr(text, "  home network:  asks for access (local-networks)\n"));
	/* it comes after the plain kinds, and only once */
	snprintf(aces, sizeof(aces), "%s, %s, %s", ace("mdns", mdns, "accept"),
		ace("c", MUDM("\"controller\": \"urn:x\""), "accept"),
		ace("l", MUDM("\"local-networks\": [null]"), "accept"));
	mf = crafted("https://m.example/x.json", SUPPORTS, aces);
	mud_summarise(mf, &s);
	mud_free(mf);
	mud_summary_text(&s, text, sizeof(text));
	assert_non_null(strstr(text, "(controller, local-networks)\n"));
	snprintf(aces, sizeof(aces), "%s, %s", ace("mdns", mdns, "accept"),
		ace("c", MUDM("\"controller\": \"urn:x\""), "accept"));
	mf = crafted("https://m.example/x.json", SUPPORTS, aces);
	mud_summarise(mf, &s);
	mud_free(mf);
	mud_summary_text(&s, text, sizeof(text));
	assert_non_null(strstr(text, "(controller, local-networks)\n"));
	/* a plain prefix is not the home network */
	mf = crafted("https://m.example/x.json", SUPPORTS,
		ace("p",
			"\"ipv4\": {\"protocol\": 17, \"destination-ipv4-network\": "
			"\"192.168.0.0/16\"}",
			"accept"));
	mud_summarise(mf, &s);
	mud_free(mf);
	assert_false(s.lan);
}

static void test_many_domains(void **state)
{
	static char aces[32 * 1024];
	struct mud_summary s;
	static char text[MUD_SUMMARY_TEXT_MAX];
	char small[200];
	struct mud_file *mf;
	size_t used = 0;
	json_object *o, *v;
	int n;

	(void)state;
	for (int i = 0; i < MUD_SUMMARY_DOMAINS + 6; i++) {
		char name[300], m[400];

		/* long names, so the text is near its bound */
		snprintf(name, sizeof(name), "n%02d.%0240d.example", i, 0);
		snprintf(m, sizeof(m),
			"\"ipv4\": {\"protocol\": 6, \"ietf-acldns:dst-dnsname\": \"%s\"}", name);
		used += (size_t)snprintf(aces + used, sizeof(aces) - used, "%s%s", i ? ", " : "",
			ace("d", m, "accept"));
		assert_true(used < sizeof(aces));
	}
	mf = crafted("https://m.example/x.json", SUPPORTS, aces);
	mud_summarise(mf, &s);
	mud_free(mf);
	assert_int_equal(s.ndomains, MUD_SUMMARY_DOMAINS);
	assert_true(s.domains_truncated);
	n = mud_summary_text(&s, text, sizeof(text));
	assert_true(n > 0 && (size_t)n < sizeof(text));
	assert_non_null(strstr(text, "  rules:         70 from the device"));
	/* too small a buffer: -ENOSPC, and a terminated prefix */
	assert_int_equal(mud_summary_text(&s, small, sizeof(small)), -ENOSPC);
	assert_true(strlen(small) < sizeof(small));
	assert_int_equal(strncmp(small, text, strlen(small)), 0);
	assert_int_equal(mud_summary_text(&s, small, 0), -ENOSPC);
	assert_int_equal(mud_summary_json(&s, &o), 0);
	assert_true(json_object_object_get_ex(o, "cloud_domains_truncated", &v));
	assert_true(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "cloud_domains", &v));
	assert_int_equal(json_object_array_length(v), MUD_SUMMARY_DOMAINS);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_camera),
		cmocka_unit_test(test_camera_json),
		cmocka_unit_test(test_manufacturer_from_url),
		cmocka_unit_test(test_plain_device),
		cmocka_unit_test(test_domains_and_kinds),
		cmocka_unit_test(test_narrowed_local_networks),
		cmocka_unit_test(test_many_domains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
