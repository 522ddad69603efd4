/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the classifier: vendor, category and model selection, thresholds and margins,
 * twin models, evidence, the per-device limits and the MUD contradiction check (AC-36). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "identify/classify.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERR_MAX 512

static const char base_db[] = "homegate-fpdb 1\n"
			      "vendor \"TP-Link\"\n"
			      "\talias \"TP-LINK TECHNOLOGIES CO.,LTD.\"\n"
			      "\tdomain tplinkcloud.com\n"
			      "\trule oui contains \"TP-LINK\" 0.5\n"
			      "\trule dns.query domain tplinkcloud.com 0.6\n"
			      "device \"TP-Link\" \"HS110\" plug\n"
			      "\trule dhcp.hostname is HS110 0.9\n"
			      "\trule dhcp.hostname prefix \"HS100\" -0.9\n"
			      "device \"TP-Link\" \"HS100\" plug\n"
			      "\trule dhcp.hostname prefix HS100 0.9\n"
			      "\trule dhcp.hostname is HS110 -0.9\n"
			      "device \"TP-Link\" \"NC200\" camera\n"
			      "\trule dhcp.hostname prefix NC200 0.9\n"
			      "vendor \"D-Link\"\n"
			      "\talias \"D-Link International\"\n"
			      "\tdomain dlink.com\n"
			      "\trule oui contains \"d-link\" 0.6\n"
			      "device \"D-Link\" \"DCS-930L\" camera\n"
			      "\trule dhcp.hostname is DCS-930L 0.95\n"
			      "category printer\n"
			      "\trule mdns.service is _ipp._tcp.local 0.8\n"
			      "category camera\n"
			      "\trule net.port is tcp/554 0.4\n";

static struct fpdb *db_of(const char *text)
{
	char err[ERR_MAX];
	struct fpdb *db = fpdb_new();

	assert_non_null(db);
	if (fpdb_load_buf(db, "t.fpdb", text, strlen(text), err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return db;
}

/* Classifies the signals given as "name=value" strings, NULL-terminated. */
static void run(const struct fpdb *db, struct classify_result *r, ...)
{
	struct classify_dev *d = classify_dev_new();
	const char *s;
	va_list ap;

	assert_non_null(d);
	va_start(ap, r);
	while ((s = va_arg(ap, const char *))) {
		char name[32];
		const char *eq = strchr(s, '=');

		assert_non_null(eq);
		snprintf(name, sizeof(name), "%.*s", (int)(eq - s), s);
		assert_int_not_equal(hg_signal_from_name(name), 0);
		assert_true(classify_add(d, hg_signal_from_name(name), eq + 1));
	}
	va_end(ap);
	classify_run(db, d, r);
	classify_dev_free(d);
}

static void assert_answer(const struct classify_result *r, const char *vendor, const char *model,
	const char *category, double confidence)
{
	if (strcmp(r->vendor, vendor) || strcmp(r->model, model) || strcmp(r->category, category) ||
		fabs(r->confidence - confidence) > 1e-9)
		fail_msg("got %s / %s / %s %.6f, want %s / %s / %s %.6f", r->vendor, r->model,
			r->category, r->confidence, vendor, model, category, confidence);
}

static void test_full_answer(void **state)
{
	struct fpdb *db = db_of(base_db);
	struct classify_result r;

	(void)state;
	run(db, &r, "dhcp.hostname=HS110", "oui=TP-LINK TECHNOLOGIES CO.,LTD.",
		"dns.query=n-devs.TPLinkCloud.com", "mdns.service=_hap._tcp.local", NULL);
	assert_answer(&r, "TP-Link", "HS110", "plug", 0.9);
	/* every rule behind the answer, strongest first, with the value as the device sent it */
	assert_int_equal(r.nevidence, 3);
	assert_int_equal(r.ev[0].sig, HG_SIG_DHCP_HOSTNAME);
	assert_string_equal(r.ev[0].value, "HS110");
	assert_true(r.ev[0].weight == 0.9);
	assert_int_equal(r.ev[1].sig, HG_SIG_DNS_QUERY);
	assert_string_equal(r.ev[1].value, "n-devs.TPLinkCloud.com");
	assert_true(r.ev[1].weight == 0.6);
	assert_int_equal(r.ev[2].sig, HG_SIG_OUI);
	assert_true(r.ev[2].weight == 0.5);
	fpdb_free(db);
}

/* HS110 and HS100 differ by one rule each way; the other's negative rule is not evidence
 * against the vendor or the category, only against its own entry. */
static void test_twin_models(void **state)
{
	struct fpdb *db = db_of(base_db);
	struct classify_result r;

	(void)state;
	run(db, &r, "dhcp.hostname=HS100(EU)", NULL);
	assert_answer(&r, "TP-Link", "HS100", "plug", 0.9);
	assert_int_equal(r.nevidence, 1);
	assert_string_equal(r.ev[0].value, "HS100(EU)");
	run(db, &r, "dhcp.hostname=hs110", NULL);
	assert_answer(&r, "TP-Link", "HS110", "plug", 0.9);
	assert_int_equal(r.nevidence, 1);
	assert_true(r.ev[0].weight == 0.9);
	/* both hostnames: each block's own negative cancels it, no model, still a TP-Link plug */
	run(db, &r, "dhcp.hostname=HS110", "dhcp.hostname=HS100", NULL);
	assert_answer(&r, "TP-Link", "unknown", "plug", 1 - 0.1 * 0.1);
	fpdb_free(db);
}

static void test_vendor_only(void **state)
{
	struct fpdb *db = db_of(base_db);
	struct classify_result r;

	(void)state;
	run(db, &r, "oui=TP-LINK TECHNOLOGIES CO.,LTD.", NULL);
	assert_answer(&r, "TP-Link", "unknown", "unknown", 0.5);
	assert_int_equal(r.nevidence, 1);
	/* a category rule of no vendor with a vendor: both answers */
	run(db, &r, "oui=D-Link International", "mdns.service=_ipp._tcp.local", NULL);
	assert_answer(&r, "D-Link", "unknown", "printer", 0.8);
	assert_int_equal(r.nevidence, 2);
	assert_int_equal(r.ev[0].sig, HG_SIG_MDNS_SERVICE);
	assert_int_equal(r.ev[1].sig, HG_SIG_OUI);
	/* nothing known */
	run(db, &r, "oui=Acme", "dhcp.hostname=HS11", NULL);
	assert_answer(&r, "unknown", "unknown", "unknown", 0);
	assert_int_equal(r.nevidence, 0);
	fpdb_free(db);
}

static void test_vendor_threshold_and_margin(void **state)
{
	struct fpdb *db;
	struct classify_result r;

	(void)state;
	db = db_of("homegate-fpdb 1\nvendor \"A\"\n\trule oui is x 0.499\n");
	run(db, &r, "oui=x", NULL);
	assert_answer(&r, "unknown", "unknown", "unknown", 0);
	fpdb_free(db);
	db = db_of("homegate-fpdb 1\nvendor \"A\"\n\trule oui is x 0.5\n");
	run(db, &r, "oui=x", NULL);
	assert_answer(&r, "A", "unknown", "unknown", 0.5);
	fpdb_free(db);
	/* 0.65 against 0.5 is a lead of 0.15 (in spite of binary fractions) */
	db = db_of("homegate-fpdb 1\nvendor \"A\"\n\trule oui is x 0.65\n"
		   "vendor \"B\"\n\trule oui is x 0.5\n");
	run(db, &r, "oui=x", NULL);
	assert_answer(&r, "A", "unknown", "unknown", 0.65);
	fpdb_free(db);
	db = db_of("homegate-fpdb 1\nvendor \"A\"\n\trule oui is x 0.649\n"
		   "vendor \"B\"\n\trule oui is x 0.5\n");
	run(db, &r, "oui=x", NULL);
	assert_answer(&r, "unknown", "unknown", "unknown", 0);
	fpdb_free(db);
	/* equal scores: no lead */
	db = db_of("homegate-fpdb 1\nvendor \"A\"\n\trule oui is x 0.9\n"
		   "vendor \"B\"\n\trule oui prefix x 0.9\n");
	run(db, &r, "oui=x", NULL);
	assert_answer(&r, "unknown", "unknown", "unknown", 0);
	fpdb_free(db);
	/* noisy-OR: 0.3 and 0.3 make 0.51; a negative vendor rule multiplies by 1 + w */
	db = db_of(
		"homegate-fpdb 1\nvendor \"A\"\n\trule oui is x 0.3\n\trule dhcp.vendor is y 0.3\n"
		"\trule dhcp.hostname is z -0.5\n");
	run(db, &r, "oui=x", "dhcp.vendor=y", NULL);
	assert_answer(&r, "A", "unknown", "unknown", 0.51);
	run(db, &r, "oui=x", "dhcp.vendor=y", "dhcp.hostname=z", NULL);
	assert_answer(&r, "unknown", "unknown", "unknown", 0);
	fpdb_free(db);
}

static void test_each_rule_once(void **state)
{
	struct fpdb *db =
		db_of("homegate-fpdb 1\nvendor \"A\"\n\trule dns.query suffix .example 0.3\n");
	struct classify_result r;

	(void)state;
	/* five matching values are one match: 0.3, not 1 - 0.7^5 */
	run(db, &r, "dns.query=a.example", "dns.query=b.example", "dns.query=c.example",
		"dns.query=d.example", "dns.query=e.example", NULL);
	assert_answer(&r, "unknown", "unknown", "unknown", 0);
	fpdb_free(db);
}

static void test_model_threshold_and_margin(void **state)
{
	struct fpdb *db;
	struct classify_result r;

	(void)state;
	db = db_of("homegate-fpdb 1\nvendor \"A\"\n\trule oui is a 0.9\n"
		   "device \"A\" \"M1\" plug\n\trule dhcp.hostname is m1 0.599\n");
	run(db, &r, "oui=a", "dhcp.hostname=M1", NULL);
	/* C(plug) = 0.599 decides the category, S(M1) = 0.599 is short of a model */
	assert_answer(&r, "A", "unknown", "plug", 0.599);
	fpdb_free(db);
	db = db_of("homegate-fpdb 1\nvendor \"A\"\n\trule oui is a 0.9\n"
		   "device \"A\" \"M1\" plug\n\trule dhcp.hostname is m1 0.6\n");
	run(db, &r, "oui=a", "dhcp.hostname=M1", NULL);
	assert_answer(&r, "A", "M1", "plug", 0.6);
	fpdb_free(db);
	/* two models of one category 0.1 apart: the category, no model */
	db = db_of("homegate-fpdb 1\nvendor \"A\"\n\trule oui is a 0.9\n"
		   "device \"A\" \"M1\" plug\n\trule dhcp.hostname prefix m 0.9\n"
		   "device \"A\" \"M2\" plug\n\trule dhcp.hostname suffix 2 0.8\n");
	run(db, &r, "oui=a", "dhcp.hostname=M2", NULL);
	assert_answer(&r, "A", "unknown", "plug", 1 - 0.1 * 0.2);
	fpdb_free(db);
	/* a model needs its vendor: the same rules without a vendor decide only the category */
	db = db_of("homegate-fpdb 1\nvendor \"A\"\n"
		   "device \"A\" \"M1\" plug\n\trule dhcp.hostname is m1 0.3\n");
	run(db, &r, "dhcp.hostname=M1", NULL);
	assert_answer(&r, "unknown", "unknown", "unknown", 0);
	fpdb_free(db);
}

/* Categories too close to call, but one model stands out: the model gives the category. */
static void test_category_from_model(void **state)
{
	struct fpdb *db = db_of("homegate-fpdb 1\nvendor \"A\"\n\trule oui is a 0.9\n"
				"device \"A\" \"M1\" plug\n\trule dhcp.hostname is m1 0.9\n"
				"category camera\n\trule net.port is tcp/554 0.8\n");
	struct classify_result r;

	(void)state;
	run(db, &r, "oui=a", "dhcp.hostname=m1", "net.port=tcp/554", NULL);
	assert_answer(&r, "A", "M1", "plug", 0.9);
	/* the camera rule was not behind any answer given */
	assert_int_equal(r.nevidence, 2);
	for (size_t i = 0; i < r.nevidence; i++)
		assert_int_not_equal(r.ev[i].sig, HG_SIG_NET_PORT);
	fpdb_free(db);
}

/* Two vendors' camera entries tie on the vendor, agree on the category. */
static void test_unknown_vendor_known_category(void **state)
{
	struct fpdb *db =
		db_of("homegate-fpdb 1\nvendor \"A\"\nvendor \"B\"\n"
		      "device \"A\" \"C1\" camera\n\trule dhcp.hostname prefix cam 0.9\n"
		      "device \"B\" - camera\n\trule mdns.service is _cam._tcp.local 0.9\n"
		      "device \"B\" - plug\n\trule net.port is tcp/9999 0.3\n");
	struct classify_result r;

	(void)state;
	run(db, &r, "dhcp.hostname=cam-1", "mdns.service=_cam._tcp.local", "net.port=tcp/9999",
		NULL);
	assert_answer(&r, "unknown", "unknown", "camera", 1 - 0.1 * 0.1);
	assert_int_equal(r.nevidence, 2);
	assert_true(r.ev[0].weight == 0.9 && r.ev[1].weight == 0.9);
	/* equal weights in signal order: dhcp.hostname, then mdns.service */
	assert_int_equal(r.ev[0].sig, HG_SIG_DHCP_HOSTNAME);
	assert_int_equal(r.ev[1].sig, HG_SIG_MDNS_SERVICE);
	fpdb_free(db);
	db = db_of("homegate-fpdb 1\nvendor \"A\"\n\trule oui is a 0.9\nvendor \"B\"\n"
		   "device \"B\" - camera\n\trule mdns.service is _cam._tcp.local 0.9\n");
	run(db, &r, "oui=a", "mdns.service=_cam._tcp.local", NULL);
	assert_answer(&r, "unknown", "unknown", "camera", 0.9); /* A 0.9, B 0.9: no vendor */
	fpdb_free(db);
	/* once the vendor is known only its own entries count for the category */
	db = db_of("homegate-fpdb 1\nvendor \"A\"\n\trule oui is a 0.9\nvendor \"B\"\n"
		   "device \"B\" - camera\n\trule mdns.service is _cam._tcp.local 0.5\n");
	run(db, &r, "oui=a", "mdns.service=_cam._tcp.local", NULL);
	assert_answer(&r, "A", "unknown", "unknown", 0.9);
	fpdb_free(db);
}

static void test_category_margin(void **state)
{
	struct fpdb *db = db_of(base_db);
	struct classify_result r;

	(void)state;
	/* printer 0.8 against camera 0.4 */
	run(db, &r, "mdns.service=_ipp._tcp.local", "net.port=tcp/554", NULL);
	assert_answer(&r, "unknown", "unknown", "printer", 0.8);
	fpdb_free(db);
	db = db_of("homegate-fpdb 1\ncategory printer\n\trule mdns.service is _ipp._tcp.local 0.8\n"
		   "category camera\n\trule net.port is tcp/554 0.7\n");
	run(db, &r, "mdns.service=_ipp._tcp.local", "net.port=tcp/554", NULL);
	assert_answer(&r, "unknown", "unknown", "unknown", 0);
	fpdb_free(db);
	/* a negative rule in a category block counts against that category */
	db = db_of("homegate-fpdb 1\ncategory printer\n\trule mdns.service is _ipp._tcp.local 0.8\n"
		   "\trule dhcp.vendor prefix android -0.5\n");
	run(db, &r, "mdns.service=_ipp._tcp.local", "dhcp.vendor=android-dhcp-13", NULL);
	assert_answer(&r, "unknown", "unknown", "unknown", 0);
	fpdb_free(db);
}

static void test_evidence_limit_and_order(void **state)
{
	char text[4096], *w = text;
	struct classify_dev *d = classify_dev_new();
	struct classify_result r;
	struct fpdb *db;

	(void)state;
	w += sprintf(w,
		"homegate-fpdb 1\nvendor \"A\"\n\trule oui is a 0.9\n"
		"\trule oui is a -0.25\n");
	for (int i = 1; i <= 20; i++)
		w += sprintf(w, "\trule dns.query is q%d.example 0.%02d\n", i, i);
	db = db_of(text);
	assert_true(classify_add(d, HG_SIG_OUI, "A"));
	for (int i = 1; i <= 20; i++) {
		char v[32];

		snprintf(v, sizeof(v), "Q%d.example", i);
		assert_true(classify_add(d, HG_SIG_DNS_QUERY, v));
	}
	classify_run(db, d, &r);
	assert_string_equal(r.vendor, "A");
	assert_int_equal(r.nevidence, CLASSIFY_MAX_EVIDENCE);
	/* 0.9, then -0.25 by its |weight|, then 0.20, 0.19, ... down to 0.07, the 16th */
	assert_true(r.ev[0].weight == 0.9);
	assert_true(r.ev[1].weight == -0.25);
	assert_int_equal(r.ev[1].sig, HG_SIG_OUI);
	assert_true(r.ev[2].weight == 0.20);
	assert_string_equal(r.ev[2].value, "Q20.example");
	for (size_t i = 1; i < r.nevidence; i++)
		assert_true(fabs(r.ev[i - 1].weight) >= fabs(r.ev[i].weight));
	assert_true(r.ev[15].weight == 0.07);
	assert_string_equal(r.ev[15].value, "Q7.example");
	classify_dev_free(d);
	fpdb_free(db);

	/* a value matched by a vendor rule and a model rule is one line, at its strongest */
	db = db_of("homegate-fpdb 1\nvendor \"A\"\n\trule dhcp.hostname prefix x 0.6\n"
		   "device \"A\" \"X1\" plug\n\trule dhcp.hostname is x1 0.9\n");
	d = classify_dev_new();
	assert_true(classify_add(d, HG_SIG_DHCP_HOSTNAME, "X1"));
	classify_run(db, d, &r);
	assert_string_equal(r.model, "X1");
	assert_int_equal(r.nevidence, 1);
	assert_true(r.ev[0].weight == 0.9);
	classify_dev_free(d);
	fpdb_free(db);
}

static void test_add_rules(void **state)
{
	struct classify_dev *d = classify_dev_new();
	char v[400];

	(void)state;
	assert_true(classify_add(d, HG_SIG_DHCP_HOSTNAME, "HS110"));
	assert_false(classify_add(d, HG_SIG_DHCP_HOSTNAME, "HS110"));
	assert_false(classify_add(d, HG_SIG_DHCP_HOSTNAME, "hs110")); /* rules ignore case too */
	assert_true(classify_add(d, HG_SIG_MDNS_NAME, "HS110"));      /* another signal */
	assert_false(classify_add(d, HG_SIG_DHCP_HOSTNAME, ""));
	assert_false(classify_add(d, HG_SIG_DHCP_HOSTNAME, "tab\there"));
	assert_false(classify_add(d, HG_SIG_DHCP_HOSTNAME, "caf\xc3\xa9"));
	assert_false(classify_add(d, 0, "x"));
	assert_false(classify_add(d, (enum hg_signal)(HG_SIG_LAST + 1), "x"));
	assert_false(classify_add(d, HG_SIG_DHCP_HOSTNAME, NULL));
	assert_false(classify_add(NULL, HG_SIG_DHCP_HOSTNAME, "x"));
	assert_int_equal(classify_signal_count(d), 2);
	/* only the first HG_SIGNAL_VALUE_MAX - 1 octets count: what follows may be anything */
	memset(v, 'a', sizeof(v));
	v[300] = '\x01';
	v[sizeof(v) - 1] = '\0';
	assert_true(classify_add(d, HG_SIG_HTTP_USER_AGENT, v));
	v[10] = 'b';
	assert_true(classify_add(d, HG_SIG_HTTP_USER_AGENT, v));
	v[10] = 'a';
	v[260] = 'b';
	assert_false(classify_add(d, HG_SIG_HTTP_USER_AGENT, v)); /* same first 255 octets */
	assert_int_equal(classify_signal_count(d), 4);
	assert_int_equal(classify_signal_count(NULL), 0);
	classify_dev_free(d);
	classify_dev_free(NULL);
}

static void test_truncated_value_matches(void **state)
{
	char text[1024], v[400];
	struct classify_dev *d = classify_dev_new();
	struct classify_result r;
	struct fpdb *db;

	(void)state;
	memset(v, 'a', sizeof(v));
	v[sizeof(v) - 1] = '\0';
	snprintf(text, sizeof(text),
		"homegate-fpdb 1\nvendor \"A\"\n\trule http.user_agent is %.*s 0.9\n",
		HG_SIGNAL_VALUE_MAX - 1, v);
	db = db_of(text);
	assert_true(classify_add(d, HG_SIG_HTTP_USER_AGENT, v));
	classify_run(db, d, &r);
	assert_string_equal(r.vendor, "A");
	assert_int_equal(strlen(r.ev[0].value), HG_SIGNAL_VALUE_MAX - 1);
	classify_dev_free(d);
	fpdb_free(db);
}

static void test_limits(void **state)
{
	struct fpdb *db =
		db_of("homegate-fpdb 1\nvendor \"Early\"\n\trule dns.query is q24.example 0.9\n"
		      "vendor \"Late\"\n\trule dns.query is q25.example 0.9\n");
	struct classify_dev *d = classify_dev_new();
	struct classify_result r;
	char v[32];
	int added = 0;

	(void)state;
	for (int i = 1; i <= 40; i++) {
		snprintf(v, sizeof(v), "q%d.example", i);
		assert_int_equal(
			classify_add(d, HG_SIG_DNS_QUERY, v), i <= CLASSIFY_MAX_PER_SIGNAL);
	}
	assert_int_equal(classify_signal_count(d), CLASSIFY_MAX_PER_SIGNAL);
	/* the 24th value was kept, the 25th was not: a flood cannot replace what came first */
	classify_run(db, d, &r);
	assert_answer(&r, "Early", "unknown", "unknown", 0.9);
	/* other signals still have room, up to CLASSIFY_MAX_SIGNALS in all */
	added = CLASSIFY_MAX_PER_SIGNAL;
	for (unsigned s = HG_SIG_FIRST; s <= HG_SIG_LAST && added < CLASSIFY_MAX_SIGNALS; s++) {
		if (s == HG_SIG_DNS_QUERY)
			continue;
		for (int i = 0; i < CLASSIFY_MAX_PER_SIGNAL && added < CLASSIFY_MAX_SIGNALS; i++) {
			snprintf(v, sizeof(v), "v%d", i);
			assert_true(classify_add(d, (enum hg_signal)s, v));
			added++;
		}
	}
	assert_int_equal(classify_signal_count(d), CLASSIFY_MAX_SIGNALS);
	assert_false(classify_add(d, HG_SIG_HTTP_HOST, "one.more"));
	assert_false(classify_add(d, HG_SIG_TLS_JA4, "one-more"));
	assert_int_equal(classify_signal_count(d), CLASSIFY_MAX_SIGNALS);
	classify_run(db, d, &r);
	assert_string_equal(r.vendor, "Early");
	classify_dev_free(d);
	fpdb_free(db);
}

static void test_null_inputs(void **state)
{
	struct fpdb *db = db_of(base_db);
	struct classify_dev *d = classify_dev_new();
	struct classify_result r;

	(void)state;
	assert_true(classify_add(d, HG_SIG_DHCP_HOSTNAME, "HS110"));
	classify_run(NULL, d, &r);
	assert_answer(&r, "unknown", "unknown", "unknown", 0);
	classify_run(db, NULL, &r);
	assert_answer(&r, "unknown", "unknown", "unknown", 0);
	assert_int_equal(r.nevidence, 0);
	classify_dev_free(d);
	d = classify_dev_new();
	classify_run(db, d, &r); /* no signals */
	assert_answer(&r, "unknown", "unknown", "unknown", 0);
	classify_dev_free(d);
	fpdb_free(db);
}

static void test_contradicts_mud(void **state)
{
	struct fpdb *db = db_of(base_db);
	struct classify_result r, weak;
	char why[512], small[16];

	(void)state;
	run(db, &r, "dhcp.hostname=HS110", "oui=TP-LINK TECHNOLOGIES CO.,LTD.", NULL);
	assert_answer(&r, "TP-Link", "HS110", "plug", 0.9);
	/* the vendor's own host, or a name of the vendor, confirms the file */
	assert_false(
		classify_contradicts_mud(db, &r, "mud.tplinkcloud.com", NULL, why, sizeof(why)));
	assert_string_equal(why, "");
	assert_false(classify_contradicts_mud(db, &r, "TPLINKCLOUD.COM", "", why, sizeof(why)));
	assert_false(classify_contradicts_mud(
		db, &r, "mud.example.org", "TP-LINK TECHNOLOGIES CO.,LTD.", why, sizeof(why)));
	assert_false(classify_contradicts_mud(
		db, &r, "mud.example.org", "TP-Link Corporation", why, sizeof(why)));
	assert_false(classify_contradicts_mud(db, &r, NULL, "tp link", why, sizeof(why)));
	/* neither: flagged, with a reason */
	assert_true(classify_contradicts_mud(db, &r, "mud.example.org", NULL, why, sizeof(why)));
	assert_string_equal(why,
		"fingerprint says TP-Link (confidence 0.90) but the MUD host "
		"\"mud.example.org\" is not a TP-Link domain and the file has no "
		"mfg-name");
	assert_true(classify_contradicts_mud(
		db, &r, "tplinkcloud.com.example.org", "D-Link", why, sizeof(why)));
	assert_non_null(strstr(why, "domain and mfg-name \"D-Link\" is not TP-Link"));
	assert_true(classify_contradicts_mud(db, &r, "", "", why, sizeof(why)));
	/* the reason is printable whatever the file says, and fits any buffer */
	assert_true(
		classify_contradicts_mud(db, &r, "evil\x01.example", "Ac\nme", why, sizeof(why)));
	assert_non_null(strstr(why, "\"evil?.example\""));
	assert_non_null(strstr(why, "\"Ac?me\""));
	assert_true(
		classify_contradicts_mud(db, &r, "mud.example.org", NULL, small, sizeof(small)));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_true(classify_contradicts_mud(db, &r, "mud.example.org", NULL, NULL, 0));
	/* below 0.8, or without a vendor, there is nothing to contradict */
	run(db, &weak, "oui=TP-LINK TECHNOLOGIES CO.,LTD.", NULL);
	assert_answer(&weak, "TP-Link", "unknown", "unknown", 0.5);
	assert_false(
		classify_contradicts_mud(db, &weak, "mud.example.org", NULL, why, sizeof(why)));
	run(db, &weak, "mdns.service=_ipp._tcp.local", NULL);
	assert_answer(&weak, "unknown", "unknown", "printer", 0.8);
	assert_false(
		classify_contradicts_mud(db, &weak, "mud.example.org", NULL, why, sizeof(why)));
	assert_false(classify_contradicts_mud(NULL, &r, "mud.example.org", NULL, why, sizeof(why)));
	fpdb_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_answer),
		cmocka_unit_test(test_twin_models),
		cmocka_unit_test(test_vendor_only),
		cmocka_unit_test(test_vendor_threshold_and_margin),
		cmocka_unit_test(test_each_rule_once),
		cmocka_unit_test(test_model_threshold_and_margin),
		cmocka_unit_test(test_category_from_model),
		cmocka_unit_test(test_unknown_vendor_known_category),
		cmocka_unit_test(test_category_margin),
		cmocka_unit_test(test_evidence_limit_and_order),
		cmocka_unit_test(test_add_rules),
		cmocka_unit_test(test_truncated_value_matches),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_null_inputs),
		cmocka_unit_test(test_contradicts_mud),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
