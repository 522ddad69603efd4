/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the fingerprint database loader and the classifier on what it accepts. A
 * rejected file leaves the database it was added to exactly as it was. */
#include "identify/classify.h"
#include "identify/fpdb.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char base[] = "homegate-fpdb 1\n"
			   "vendor \"TP-Link\"\n"
			   "\talias \"TP-LINK TECHNOLOGIES CO.,LTD.\"\n"
			   "\tdomain tplinkcloud.com\n"
			   "\trule oui contains TP-LINK 0.5\n"
			   "\trule dns.query domain tplinkcloud.com 0.6\n"
			   "device \"TP-Link\" \"HS110\" plug\n"
			   "\trule dhcp.hostname is HS110 0.9\n"
			   "\trule dhcp.hostname prefix HS100 -0.9\n"
			   "category printer\n"
			   "\trule mdns.service is _ipp._tcp.local 0.8\n";

static const struct {
	enum hg_signal sig;
	const char *value;
} fixed[] = {
	{HG_SIG_DHCP_HOSTNAME, "HS110"},
	{HG_SIG_DHCP_HOSTNAME, "cam-1"},
	{HG_SIG_OUI, "TP-LINK TECHNOLOGIES CO.,LTD."},
	{HG_SIG_DNS_QUERY, "n-devs.tplinkcloud.com"},
	{HG_SIG_DNS_QUERY, "a.b"},
	{HG_SIG_MDNS_SERVICE, "_ipp._tcp.local"},
	{HG_SIG_DHCP_VENDOR, "udhcp 1.23.2"},
	{HG_SIG_HTTP_USER_AGENT, "Mozilla/5.0 (Linux; Android 13)"},
	{HG_SIG_TLS_JA4, "t13d1516h2_8daaf6152771_e5627efa2ab1"},
	{HG_SIG_NET_PORT, "tcp/554"},
	{HG_SIG_UPNP_MODEL, "a"},
};

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* Whatever the database, a result is well-formed. */
static void check(const struct fpdb *db, const struct classify_result *r)
{
	if (!terminated(r->vendor, sizeof(r->vendor)) || !terminated(r->model, sizeof(r->model)) ||
		!terminated(r->category, sizeof(r->category)))
		abort();
	if (!isfinite(r->confidence) || r->confidence < 0 || r->confidence > 1 ||
		r->nevidence > CLASSIFY_MAX_EVIDENCE)
		abort();
	if (strcmp(r->vendor, "unknown") != 0) {
		const char *canon = fpdb_vendor_canonical(db, r->vendor);

		if (!canon || strcmp(canon, r->vendor) != 0)
			abort();
	} else if (strcmp(r->model, "unknown") != 0) {
		abort(); /* a model needs its vendor */
	}
	if (strcmp(r->model, "unknown") != 0 && strcmp(r->category, "unknown") == 0)
		abort();
	if (strcmp(r->category, "unknown") != 0 &&
		fpdb_category_from_name(r->category) == FPDB_CAT_UNKNOWN)
		abort();
	if (!r->nevidence && (r->confidence != 0 || strcmp(r->vendor, "unknown") != 0))
		abort();
	for (size_t i = 0; i < r->nevidence; i++) {
		double w = r->ev[i].weight;

		if (!hg_signal_name(r->ev[i].sig) || w == 0 || w < -1 || w > 1 ||
			!terminated(r->ev[i].value, sizeof(r->ev[i].value)) ||
			(i && fabs(r->ev[i - 1].weight) < fabs(w)))
			abort();
	}
}

static bool same(const struct classify_result *a, const struct classify_result *b)
{
	if (strcmp(a->vendor, b->vendor) || strcmp(a->model, b->model) ||
		strcmp(a->category, b->category) || a->confidence != b->confidence ||
		a->nevidence != b->nevidence)
		return false;
	for (size_t i = 0; i < a->nevidence; i++)
		if (a->ev[i].sig != b->ev[i].sig || a->ev[i].weight != b->ev[i].weight ||
			strcmp(a->ev[i].value, b->ev[i].value))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fpdb *db = fpdb_new(), *fresh = fpdb_new();
	struct classify_dev *d = classify_dev_new(), *own = classify_dev_new();
	struct classify_result before, after;
	const char *text = (const char *)data;
	size_t rules, blocks;
	char err[512];
	int ret;

	if (!db || !fresh || !d || !own)
		goto out;
	if (fpdb_load_buf(db, "base", base, sizeof(base) - 1, err, sizeof(err)) != 0)
		abort();
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		classify_add(d, fixed[i].sig, fixed[i].value);
	classify_run(db, d, &before);
	rules = fpdb_rules(db);
	blocks = fpdb_blocks(db);

	/* a later file on top of the base one: all or nothing */
	ret = fpdb_load_buf(db, "fuzz", text, size, err, sizeof(err));
	classify_run(db, d, &after);
	if (ret == 0) {
		if (fpdb_rules(db) < rules || fpdb_blocks(db) < blocks)
			abort();
		check(db, &after);
	} else {
		if (ret == -EINVAL && strncmp(err, "fuzz:", 5) != 0)
			abort();
		if (fpdb_rules(db) != rules || fpdb_blocks(db) != blocks || !same(&before, &after))
			abort();
	}

	/* on its own, against the fixed signals and against its own patterns as values */
	if (fpdb_load_buf(fresh, "fuzz", text, size, err, sizeof(err)) == 0) {
		classify_run(fresh, d, &after);
		check(fresh, &after);
		for (size_t i = 0; i < fpdb_rules(fresh); i++) {
			const struct fpdb_rule *r = fpdb_rule_at(fresh, i);

			classify_add(own, r->sig, r->pattern);
		}
		classify_run(fresh, own, &after);
		check(fresh, &after);
		fpdb_vendor_owns_host(fresh, after.vendor, "mud.tplinkcloud.com");
	}
out:
	classify_dev_free(own);
	classify_dev_free(d);
	fpdb_free(fresh);
	fpdb_free(db);
	return 0;
}
