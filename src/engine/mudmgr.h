/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The MUD manager: from a learnt MUD URL to a verified, cached file and the device's MUD
 * status; refreshes, updates and approvals (RFC 8520, AC-07 ... AC-20, AC-31 ... AC-35). */
#ifndef HG_MUDMGR_H
#define HG_MUDMGR_H

#include <json-c/json.h>

#include "core/config.h"
#include "core/evloop.h"
#include "core/store.h"
#include "engine/registry.h"
#include "mud/mud_parse.h"

/*
 * One entry per MUD URL, shared by every device announcing it: the accepted file (parsed,
 * with its pinned signer), at most one fetch in flight, a timer for the next refresh or
 * retry. Per device the manager keeps what it needs to judge the next announcement (the
 * URLs seen over DHCPv4 and DHCPv6, a held URL). Device-visible results go to the registry
 * (registry_set_mud), so they survive restarts and show in `homegate device`.
 *
 * Device MUD status words: fetching, ok, failed (not retrievable: retried with back-off),
 * rejected (invalid file, bad or missing signature: no policy; retried at retry_max_s),
 * update (a newer file adds access or changes signer: old policy kept until accepted),
 * stale (unreachable past cache-validity + stale_grace_h: old policy kept), conflict
 * (different URLs over DHCPv4 and DHCPv6: both refused), held (a new URL outside the old
 * one's base path: waits for `homegate mud accept`).
 */
struct mudmgr;

/* Loads the cache from the store and arms refreshes. cfg, the store and reg must outlive
 * the manager. The trust anchors file is read now: an unreadable one is an error (-ENOENT,
 * -EINVAL) so the daemon refuses to start rather than reject every file. */
int mudmgr_open(struct ev_loop *loop, struct store *st, struct registry *reg,
	const struct hg_config *cfg, struct mudmgr **out);
/* Stops every fetch (no callbacks) and frees. NULL is a no-op. */
void mudmgr_close(struct mudmgr *m);

/* A valid MUD URL (mud_url_intake passed) announced by the device mac, which the registry
 * already knows. family is AF_INET / AF_INET6 for DHCP sources, 0 for others. Applies the
 * v4/v6 rule (AC-08) and the acceptable-URL rule (AC-34), records the URL in the registry and
 * starts or reuses the URL's processing. 0, -EEXIST (conflict: refused), -EPERM (held),
 * -ENOENT (no such device), -ENOMEM. */
int mudmgr_intake(struct mudmgr *m, const struct hg_mac *mac, const char *url, enum hg_source src,
	int family);

/* Forgets the per-device state of mac (after registry_forget). */
void mudmgr_forget(struct mudmgr *m, const struct hg_mac *mac);

/* Fetches the device's MUD URL again now (conditional request when cached). 0, -ENOENT (no
 * device), -ENODATA (the device has no MUD URL), -EINPROGRESS (already being fetched). */
int mudmgr_refresh(struct mudmgr *m, const struct hg_mac *mac);

/* The administrator accepts what waits for the device: an update of its file (new access or
 * new signer) or a held URL. Audited with actor and the file hash. 0, -ENOENT, -ENODATA
 * (nothing waits). */
int mudmgr_accept(struct mudmgr *m, const struct hg_mac *mac, const struct reg_actor *actor);

/* Everything known about url as a JSON object the caller owns: status, reason, hashes,
 * signer, times, the plain-language summary, the waiting update, the devices using it.
 * -ENOENT when the URL is unknown. */
int mudmgr_show(struct mudmgr *m, const char *url, json_object **out);

/* The accepted file for url, or NULL; owned by the manager, valid until the next event. */
const struct mud_file *mudmgr_file(struct mudmgr *m, const char *url);

#endif
