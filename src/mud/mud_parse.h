/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RFC 8520 MUD file parser and validator: JSON in, metadata + abstract policy out. */
#ifndef HG_MUD_PARSE_H
#define HG_MUD_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/events.h"
#include "policy/policy.h"

#define MUD_MAX_FILE	   (512 * 1024)
#define MUD_MAX_EXTENSIONS 16
#define MUD_TEXT_MAX	   256

/* A rejection: the JSON path of the offending node and the rule it broke. */
struct mud_error {
	char path[256];
	char msg[256];
};

struct mud_file {
	char url[HG_URL_MAX];
	char signature[HG_URL_MAX]; /* mud-signature, "" when absent */
	char last_update[48];
	unsigned cache_validity; /* hours, 1..168, default 48 */
	bool is_supported;
	char systeminfo[244]; /* at most 60 characters (RFC 8520 §2.1), UTF-8 */
	char mfg_name[MUD_TEXT_MAX], model_name[MUD_TEXT_MAX];
	char firmware_rev[MUD_TEXT_MAX], software_rev[MUD_TEXT_MAX];
	char documentation[HG_URL_MAX];
	char extensions[MUD_MAX_EXTENSIONS][64];
	unsigned nextensions;
	unsigned nacls; /* ACLs referenced by the two policies */
	struct pol_policy policy;
};

/* Parses and validates a MUD file of len bytes. fetched_url, when not NULL, is the URL the file
 * was retrieved from and must equal its mud-url (RFC 8520 §3.3). Unknown nodes are ignored;
 * nodes of an undeclared extension, missing mandatory nodes, wrong types, out-of-range values,
 * src-dnsname in a from-device ACL or dst-dnsname in a to-device ACL, direction-initiated on a
 * non-TCP ACE, ACLs named by a policy but absent, and more than one peer per ACE are rejected
 * with -EINVAL and err filled. -ENOMEM / -EFBIG otherwise. The caller frees *out with
 * mud_free. */
int mud_parse(const char *buf, size_t len, const char *fetched_url, struct mud_file **out,
	struct mud_error *err);
void mud_free(struct mud_file *mf);

/* True when url is acceptable as a MUD URL: https, a host, at most 255 octets, printable,
 * no spaces, no fragment (RFC 8520 §10, AC-09). */
bool mud_url_valid(const char *url);

/* Takes a MUD URL as a device announced it (DHCP option 161/112, LLDP): text after the first
 * space is reserved and ignored (RFC 8520 §10), the rest must pass mud_url_valid. Writes the URL
 * to out and returns 0, or -EINVAL with out empty. */
int mud_url_intake(const char *raw, char *out, size_t outlen);

#endif
