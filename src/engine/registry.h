/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Device registry: one record per device keyed by MAC, its lifecycle and the audit log (DESIGN §2). */
#ifndef HG_REGISTRY_H
#define HG_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/events.h"
#include "core/store.h"
#include "core/util.h"

enum dev_state {
	DEV_NEW = 0,
	DEV_PENDING,
	DEV_APPROVED,
	DEV_BLOCKED,
	DEV_QUARANTINED,
	DEV_FORGOTTEN, /* only ever in the audit log: the record itself is deleted */
};

const char *dev_state_name(enum dev_state s);
int dev_state_parse(const char *s, enum dev_state *out);

#define DEV_MAX_ADDRS 8

struct dev_addr {
	struct hg_addr addr;
	enum hg_source source;
	int64_t first_seen, last_seen;
	int64_t expires; /* lease end, 0 = unknown */
};

/* One identity claim (DHCP hostname, vendor class, MUD URL, ...) with its source and strength. */
struct dev_identity {
	char kind[16]; /* "hostname", "vendor_class", "dhcp_options", "mud_url" */
	char value[HG_VENDOR_MAX];
	enum hg_source source;
	enum hg_strength strength;
	int64_t first_seen, last_seen;
};

#define DEV_MAX_IDENTITIES 16

struct device {
	struct hg_mac mac;
	enum dev_state state;
	enum dev_state prev_state; /* restored by release from quarantine */
	char hostname[HG_HOSTNAME_MAX];
	char mud_url[HG_URL_MAX];
	enum hg_source mud_source; /* 0 when no URL */
	/* Classification slot, filled by the identifier: the answer, the evidence behind it as
	 * a JSON array, and why the fingerprint contradicts the claimed MUD file ("" if not). */
	char vendor[64], model[96], category[16];
	double confidence;
	char evidence[2048];
	char class_flag[256];
	int64_t first_seen, last_seen;
	struct dev_addr addrs[DEV_MAX_ADDRS];
	unsigned naddrs;
	struct dev_identity ids[DEV_MAX_IDENTITIES];
	unsigned nids;
	/* MUD processing (engine/mudmgr.c): status word, the reason for people, and the SHA-256
	 * of the MUD file this device's policy comes from ("" for none). */
	char mud_status[16]; /* "", fetching, ok, failed, rejected, update, stale, conflict, held */
	char mud_reason[256];
	char mud_hash[65];
	bool online; /* holds a DHCP lease */
	/* Wi-Fi, from the hostapds' station events: associated now or not, the AP (hostapd
	 * interface) and wpa_psk_file keyid of the last association ("" none), and when the
	 * association last began or ended (0 never). */
	bool wifi_assoc;
	char wifi_ap[16];
	char wifi_keyid[32];
	int64_t wifi_since;
	bool seen_dirty; /* last_seen changed since the last flush */
};

/* Who caused a transition, for the audit log. */
struct reg_actor {
	const char *who; /* "user:root", "rule:lease", "isp", ... ([a-z0-9:_.-], <= 32 chars) */
	const char *why; /* free text, sanitised before storing */
};

struct registry;

/* Loads every device from the store. The registry does not own the store. */
int registry_open(struct store *st, unsigned max_devices, struct registry **out);
void registry_close(struct registry *reg);

/* Applies an event (lease add/renew/del, device seen, MUD URL, Wi-Fi join/leave): creates the
 * device in state `new` if unknown (audited; not for a Wi-Fi leave, which is then ignored),
 * merges addresses and identity claims, updates last_seen. A Wi-Fi join or leave that changes
 * the association is audited as action "wifi_join" / "wifi_leave". Writes to the store only
 * when something other than last_seen changed. -ENOSPC beyond max_devices, -EINVAL for a
 * malformed event (bad MAC or source, a Wi-Fi ap outside [A-Za-z0-9_.-] or unterminated, a
 * keyid not printable). */
int registry_apply_event(struct registry *reg, const struct hg_event *ev);

/* Lifecycle: approve, block, quarantine, release (quarantined -> previous state), forget
 * (deletes the record and everything stored about it; an audit line without personal data
 * beyond the MAC remains). -ENOENT for an unknown MAC, -EINVAL for a transition DESIGN §2
 * forbids (e.g. release of a device that is not quarantined). */
int registry_set_state(struct registry *reg, const struct hg_mac *mac, enum dev_state to,
	const struct reg_actor *actor);
int registry_release(struct registry *reg, const struct hg_mac *mac, const struct reg_actor *actor);
int registry_forget(struct registry *reg, const struct hg_mac *mac, const struct reg_actor *actor);

/* Records the device's MUD status (status of [a-z_], <= 15 chars), reason (sanitised) and the
 * hash of the file its policy comes from. A change of status or hash is audited as action
 * "mud" by actor with the file hash; a change of reason alone is only stored. -ENOENT,
 * -EINVAL for a bad status or actor, -EIO. */
int registry_set_mud(struct registry *reg, const struct hg_mac *mac, const char *status,
	const char *reason, const char *hash, const struct reg_actor *actor);

/* Records the identifier's answer for a device: vendor, model, category ("unknown" when not
 * decided; printable, truncated to the fields), confidence 0..1, the evidence as a JSON array
 * (at most sizeof(evidence) - 1 octets, else -EINVAL) and a contradiction with the claimed
 * MUD file (flag, "" for none). A change of vendor, model, category or flag is audited as action
 * "class" by actor and logged; a change of confidence or evidence alone is only stored.
 * -ENOENT for an unknown device, -EINVAL, -EIO. */
int registry_set_class(struct registry *reg, const struct hg_mac *mac, const char *vendor,
	const char *model, const char *category, double confidence, const char *evidence,
	const char *flag, const struct reg_actor *actor);

/* Lookup; the device stays owned by the registry and is valid until the next mutating call. */
const struct device *registry_get(struct registry *reg, const struct hg_mac *mac);
unsigned registry_count(struct registry *reg);
/* Calls cb for each device in MAC order; stops early when cb returns non-zero. */
int registry_foreach(
	struct registry *reg, int (*cb)(const struct device *dev, void *arg), void *arg);

/* Called after every committed lifecycle change (including creation, with from == to == DEV_NEW,
 * and forget, with to == DEV_FORGOTTEN) so the engine can ask the parent for the matching
 * enforcement profile; also with from == to when a device's addresses or MUD decision change,
 * since its profile may follow from them. One observer; NULL removes it. */
typedef void (*registry_state_cb)(
	const struct hg_mac *mac, enum dev_state from, enum dev_state to, void *arg);
void registry_set_observer(struct registry *reg, registry_state_cb cb, void *arg);

/* Writes pending last_seen times to the store in one transaction (periodic and at exit). */
int registry_flush(struct registry *reg);

/* An audit line about something other than a state change (an onboarding decision), for the
 * device mac or, when mac is NULL, for no device yet (its MAC is not known). 0 or -EIO. */
int registry_audit_note(struct registry *reg, const struct hg_mac *mac, const char *who,
	const char *action, const char *why);

struct audit_entry {
	int64_t id, time;
	char mac[HG_MAC_STRLEN];
	char who[33];
	char action[16]; /* "create", "state", "forget", "mud_url", ... */
	char from_state[16], to_state[16];
	char why[256];
	char file_hash[65]; /* sha256 hex of the MUD file decided on, when any */
};

/* Audit log, newest first; mac NULL for all devices. */
int registry_audit_foreach(struct registry *reg, const struct hg_mac *mac, unsigned limit,
	int (*cb)(const struct audit_entry *e, void *arg), void *arg);

#endif
