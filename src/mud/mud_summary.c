/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a MUD file asks for, in plain language: the approval prompt's facts (AC-40). */
#include "mud/mud_summary.h"

#include "core/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void mud_url_host(const char *url, char *out, size_t outlen)
{
	const char *a = url, *end, *at;
	size_t n;

	out[0] = '\0';
	if (strncmp(a, "https://", 8) != 0)
		return;
	a += 8;
	end = a + strcspn(a, "/?#");
	/* "user@host": the host is what follows the last '@' of the authority */
	for (at = a; at < end; at++)
		if (*at == '@')
			a = at + 1;
	if (*a == '[') {
		const char *close = memchr(a, ']', (size_t)(end - a));

		if (close)
			end = close + 1;
	} else {
		const char *colon = memchr(a, ':', (size_t)(end - a));

		if (colon)
			end = colon;
	}
	n = (size_t)(end - a);
	if (n >= outlen)
		return;
	memcpy(out, a, n);
	out[n] = '\0';
}

static bool lan_peer(const struct pol_rule *r)
{
	switch (r->peer) {
	case POL_PEER_LOCAL_NETWORKS:
	case POL_PEER_SAME_MANUFACTURER:
	case POL_PEER_MANUFACTURER:
	case POL_PEER_MODEL:
	case POL_PEER_CONTROLLER:
	case POL_PEER_MY_CONTROLLER:
		return true;
	default:
		return false;
	}
}

static void add_domain(struct mud_summary *s, const char *name)
{
	for (unsigned j = 0; j < s->ndomains; j++)
		if (strcmp(s->domains[j], name) == 0)
			return;
	if (s->ndomains == MUD_SUMMARY_DOMAINS) {
		s->domains_truncated = true;
		return;
	}
	util_strlcpy(s->domains[s->ndomains++], name, sizeof(s->domains[0]));
}

static void add_lan_kind(struct mud_summary *s, enum pol_peer k)
{
	for (unsigned j = 0; j < s->nlan_kinds; j++)
		if (s->lan_kinds[j] == k)
			return;
	if (s->nlan_kinds < ARRAY_SIZE(s->lan_kinds))
		s->lan_kinds[s->nlan_kinds++] = k;
}

void mud_summarise(const struct mud_file *mf, struct mud_summary *s)
{
	bool narrowed_local = false;

	memset(s, 0, sizeof(*s));
	util_strlcpy(s->url, mf->url, sizeof(s->url));
	util_strlcpy(s->systeminfo, mf->systeminfo, sizeof(s->systeminfo));
	util_strlcpy(s->mfg_name, mf->mfg_name, sizeof(s->mfg_name));
	util_strlcpy(s->model, mf->model_name, sizeof(s->model));
	util_strlcpy(s->documentation, mf->documentation, sizeof(s->documentation));
	if (mf->mfg_name[0]) {
		util_strlcpy(s->manufacturer, mf->mfg_name, sizeof(s->manufacturer));
	} else {
		mud_url_host(mf->url, s->manufacturer, sizeof(s->manufacturer));
		s->manufacturer_from_url = s->manufacturer[0] != '\0';
	}
	s->is_supported = mf->is_supported;
	s->cache_validity = mf->cache_validity;
	for (unsigned i = 0; i < mf->policy.count; i++) {
		const struct pol_rule *r = &mf->policy.rules[i];

		s->rules_from_device += r->dir == POL_FROM_DEVICE;
		if (r->action != POL_ACCEPT)
			continue;
		if (r->peer == POL_PEER_DNSNAME) {
			add_domain(s, r->value);
		} else if (r->peer == POL_PEER_NET && (r->flags & POL_LOCAL_ONLY)) {
			narrowed_local = true;
		} else if (lan_peer(r)) {
			s->lan = true;
			add_lan_kind(s, r->peer);
		}
	}
	/* local-networks narrowed by a prefix (the parser's POL_LOCAL_ONLY) is the home network
	 * too; listed after the plain kinds, where `mud check` has always put the ones it saw. */
	if (narrowed_local) {
		s->lan = true;
		add_lan_kind(s, POL_PEER_LOCAL_NETWORKS);
	}
	s->rules_to_device = mf->policy.count - s->rules_from_device;
}

/* json-c calls that can fail, collected: one check at the end. */
struct jb {
	json_object *o;
	bool failed;
};

static void jb_add(struct jb *b, const char *key, json_object *v)
{
	if (!v || json_object_object_add(b->o, key, v) != 0) {
		json_object_put(v);
		b->failed = true;
	}
}

int mud_summary_json(const struct mud_summary *s, json_object **out)
{
	struct jb b = {.o = json_object_new_object()};
	json_object *domains = NULL, *kinds = NULL;
	int ret = -ENOMEM;

	*out = NULL;
	if (!b.o)
		goto out;
	domains = json_object_new_array();
	kinds = json_object_new_array();
	if (!domains || !kinds)
		goto out;
	for (unsigned i = 0; i < s->ndomains; i++) {
		json_object *d = json_object_new_string(s->domains[i]);

		if (!d || json_object_array_add(domains, d) != 0) {
			json_object_put(d);
			goto out;
		}
	}
	for (unsigned i = 0; i < s->nlan_kinds; i++) {
		json_object *k = json_object_new_string(pol_peer_name(s->lan_kinds[i]));

		if (!k || json_object_array_add(kinds, k) != 0) {
			json_object_put(k);
			goto out;
		}
	}
	/* The first nine keys are those `homegate mud check --json` has always printed. */
	jb_add(&b, "mud_url", json_object_new_string(s->url));
	jb_add(&b, "systeminfo", json_object_new_string(s->systeminfo));
	jb_add(&b, "manufacturer", json_object_new_string(s->manufacturer));
	jb_add(&b, "model", json_object_new_string(s->model));
	jb_add(&b, "is_supported", json_object_new_boolean(s->is_supported));
	jb_add(&b, "cache_validity", json_object_new_int64(s->cache_validity));
	jb_add(&b, "rules",
		json_object_new_int64((int64_t)s->rules_from_device + s->rules_to_device));
	jb_add(&b, "cloud_domains", domains);
	domains = NULL;
	jb_add(&b, "lan_access", json_object_new_boolean(s->lan));
	jb_add(&b, "manufacturer_from_url", json_object_new_boolean(s->manufacturer_from_url));
	jb_add(&b, "mfg_name", json_object_new_string(s->mfg_name));
	jb_add(&b, "documentation", json_object_new_string(s->documentation));
	jb_add(&b, "lan_kinds", kinds);
	kinds = NULL;
	jb_add(&b, "rules_from_device", json_object_new_int64(s->rules_from_device));
	jb_add(&b, "rules_to_device", json_object_new_int64(s->rules_to_device));
	jb_add(&b, "cloud_domains_truncated", json_object_new_boolean(s->domains_truncated));
	if (b.failed)
		goto out;
	*out = b.o;
	b.o = NULL;
	ret = 0;
out:
	json_object_put(kinds);
	json_object_put(domains);
	json_object_put(b.o);
	return ret;
}

/* A bounded appender: text past the end is dropped and remembered. */
struct tb {
	char *buf;
	size_t len, used;
	bool full;
};

static void tb_put(struct tb *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tb_put(struct tb *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->used, t->len - t->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->len - t->used) {
		t->full = true;
		t->buf[t->used] = '\0'; /* no half line */
		return;
	}
	t->used += (size_t)n;
}

int mud_summary_text(const struct mud_summary *s, char *buf, size_t len)
{
	struct tb t = {.buf = buf, .len = len};

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	tb_put(&t, "  device:        %s\n", s->systeminfo[0] ? s->systeminfo : "(no description)");
	if (s->mfg_name[0] || s->model[0])
		tb_put(&t, "  made by:       %s %s\n", s->mfg_name, s->model);
	tb_put(&t, "  supported:     %s\n",
		s->is_supported ? "yes, the maker still updates it"
				: "no, the maker no longer updates it");
	tb_put(&t, "  internet:      ");
	for (unsigned i = 0; i < s->ndomains; i++)
		tb_put(&t, "%s%s", i ? ", " : "", s->domains[i]);
	tb_put(&t, "%s\n", s->ndomains ? "" : "no named services");
	if (s->lan) {
		tb_put(&t, "  home network:  asks for access (");
		for (unsigned i = 0; i < s->nlan_kinds; i++)
			tb_put(&t, "%s%s", i ? ", " : "", pol_peer_name(s->lan_kinds[i]));
		tb_put(&t, ")\n");
	} else {
		tb_put(&t, "  home network:  no access asked\n");
	}
	tb_put(&t, "  rules:         %u from the device, %u to it; re-check every %u h\n",
		s->rules_from_device, s->rules_to_device, s->cache_validity);
	return t.full ? -ENOSPC : (int)t.used;
}
