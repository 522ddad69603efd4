/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a MUD file asks for, in plain language: the approval prompt's facts (AC-40). */
#ifndef HG_MUD_SUMMARY_H
#define HG_MUD_SUMMARY_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "mud/mud_parse.h"

#define MUD_SUMMARY_DOMAINS 64
/* Enough for mud_summary_text of any summary. */
#define MUD_SUMMARY_TEXT_MAX (MUD_SUMMARY_DOMAINS * (POL_VALUE_MAX + 2) + 4096)

/* A self-contained copy: no pointer into the mud_file, which may be freed after mud_summarise.
 * Strings are "" when the file has no such node; they hold what the parser accepted (no control
 * characters; systeminfo, names and model may be UTF-8). */
struct mud_summary {
	char url[HG_URL_MAX];
	char systeminfo[244];		 /* at most 60 characters */
	char mfg_name[MUD_TEXT_MAX];	 /* as the file has it */
	char manufacturer[MUD_TEXT_MAX]; /* mfg-name, else the host of the MUD URL */
	bool manufacturer_from_url;
	char model[MUD_TEXT_MAX];
	char documentation[HG_URL_MAX];
	bool is_supported;
	unsigned cache_validity; /* hours */
	/* Distinct DNS names of accept rules, in policy order, compared exactly as written. */
	char domains[MUD_SUMMARY_DOMAINS][POL_VALUE_MAX];
	unsigned ndomains;
	bool domains_truncated; /* there were more than MUD_SUMMARY_DOMAINS */
	/* Accept rules toward the home network: local-networks, same-manufacturer, manufacturer,
	 * model, controller, my-controller; each kind once, in the order the policy first uses
	 * it, then local-networks if only a prefix-narrowed local-networks rule asks for it. */
	bool lan;
	enum pol_peer lan_kinds[6];
	unsigned nlan_kinds;
	unsigned rules_from_device, rules_to_device;
};

/* The host of an https URL (no user information, no port; an IPv6 literal keeps its
 * brackets): the authority that same-manufacturer and manufacturer name (RFC 8520 §8.3). out is
 * "" when url is not https or the host does not fit in outlen. */
void mud_url_host(const char *url, char *out, size_t outlen);

/* Fills s from mf. Cannot fail. */
void mud_summarise(const struct mud_file *mf, struct mud_summary *s);

/* The summary as a new JSON object the caller owns (json_object_put): mud_url, systeminfo,
 * manufacturer, model, is_supported, cache_validity, rules, cloud_domains, lan_access,
 * manufacturer_from_url, mfg_name, documentation, lan_kinds, rules_from_device,
 * rules_to_device, cloud_domains_truncated. 0, or -ENOMEM with *out NULL. */
int mud_summary_json(const struct mud_summary *s, json_object **out);

/* The summary as the indented lines `homegate mud check` prints under "accepted: URL" (device,
 * made by, supported, internet, home network, rules), each ending in a newline. The text is
 * plain: a caller writing HTML escapes it. Returns its length, or -ENOSPC when it did not fit
 * (buf then holds a terminated prefix); MUD_SUMMARY_TEXT_MAX always fits. */
int mud_summary_text(const struct mud_summary *s, char *buf, size_t len);

#endif
