/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Onboarding in the engine: the gateway's DPP Controller (onboard/dpp_ctrl.h) with
 * approve-before-credentials, the codes the user scanned, and the binding of a provisioned
 * Enrollee to its MAC, MUD URL (source dpp, strong) and device record. */
#ifndef HG_ONBMGR_H
#define HG_ONBMGR_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/evloop.h"
#include "core/store.h"
#include "core/util.h"
#include "engine/mudmgr.h"
#include "engine/registry.h"

struct onbmgr;

/* Loads (creating on first use) the gateway's bootstrapping and C-sign keys from the state
 * directory and the enrollee table, and starts the Controller on [dpp] listen when set (bound
 * here: the port needs no privilege). -errno with the reason logged: a key that cannot be
 * loaded, an address that cannot be bound, listen without ssid. Everything must outlive it. */
int onbmgr_open(struct ev_loop *loop, const struct hg_config *cfg, struct store *st,
	struct registry *reg, struct mudmgr *mud, struct onbmgr **out);
/* Drops every connection (held requests are lost; their Enrollees retry) and frees. */
void onbmgr_close(struct onbmgr *m);

/* The user scanned a device's code (`homegate dpp add`): its Enrollee is approved for
 * credentials, and authenticates mutually. mac (may be NULL) is the device's MAC from another
 * symbol on its label (an RFC 9238 MUD code); it must agree with the code's M: when both are
 * there. A MAC creates the device record. *out: the enrollee's JSON. -EINVAL (err says why),
 * -EEXIST (already added), -EIO. */
int onbmgr_add(struct onbmgr *m, const char *uri, const struct hg_mac *mac, const char *who,
	json_object **out, char *err, size_t errlen);
/* Every enrollee (scanned, held, provisioned, refused, failed), newest first, with "waiting"
 * set on a held request whose Enrollee is still connected; and the gateway's own URI. */
int onbmgr_list(struct onbmgr *m, json_object **out);
/* Answers a held request: grant sends the credentials, otherwise it is refused. Audited with
 * who and why. -ENOENT (no enrollee id), -EALREADY (not waiting any more). */
int onbmgr_decide(struct onbmgr *m, int64_t id, bool grant, const char *who, const char *why,
	json_object **out);
/* A station joined one of the hostapds with a DPP netAccessKey hash (64 hex): the enrollee
 * provisioned with that key gets its MAC, its device record and its MUD URL. */
void onbmgr_station(struct onbmgr *m, const struct hg_mac *mac, const char *pkhash);
/* Adds "dpp" to a device's JSON object when an enrollee has its MAC: {"enrollee","state",
 * "boot_hash","added","updated"} of the newest one (the key hash, MAC and times AC-03 links). */
void onbmgr_device_json(struct onbmgr *m, const struct hg_mac *mac, json_object *dev);
/* "off" or the Controller's address and the number of connections, for `homegate status`. */
void onbmgr_status(const struct onbmgr *m, char *buf, size_t len);

#endif
