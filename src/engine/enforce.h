/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which enforcement profile each device gets, and keeping the parent's rules in step with it
 * (DESIGN §2, §5). */
#ifndef HG_ENFORCE_H
#define HG_ENFORCE_H

#include <stddef.h>

#include "core/ipc.h"
#include "engine/mudmgr.h"
#include "engine/registry.h"

/*
 * A device's profile follows from its state and its MUD file:
 *   blocked      prof_blocked (nothing but DHCP)
 *   quarantined  a compiled empty policy: DHCP, neighbour discovery, DNS and NTP to the gateway
 *   approved     its MUD file's policy, when a verified file is in force (status ok, update,
 *                stale); no entry otherwise (class defaults come with identification)
 *   pending      the MUD policy cut down to its internet destinations (DNS names and literal
 *                prefixes outside the LAN): never more than the pending default (AC-30)
 *   new          no entry
 * Compiled profiles travel to the parent as their abstract rules (IPC_E2P_PROFILE) before the
 * first device that uses them; a device moves with IPC_E2P_DEV_POLICY or IPC_E2P_DEV_PROFILE,
 * and only when what it should have differs from what was last sent.
 */
struct enforce;

/* Sends one message to the parent; 0 or -errno (the engine stops on failure). */
typedef int (*enforce_send_cb)(enum ipc_type type, const void *p, size_t len, void *arg);

int enforce_open(struct registry *reg, struct mudmgr *mud, enforce_send_cb send, void *arg,
	struct enforce **out);
void enforce_close(struct enforce *en);

/* Re-evaluates one device (after a state change, a MUD decision, new addresses, forget). */
void enforce_device(struct enforce *en, const struct hg_mac *mac);

/* Sends every profile in use and the complete device table (after the engine starts: the
 * parent replaces its maps atomically). */
int enforce_sync(struct enforce *en);

/* Controller declarations (engine/ctlmgr.h, not owned; NULL: none) whose devices the parent
 * puts into the ctl_ and myc_ sets. */
struct ctlmgr;
void enforce_set_controllers(struct enforce *en, struct ctlmgr *cm);

/* Sends the complete membership of the controller sets when it differs from what was last
 * sent (call after the declarations changed; device moves and enforce_sync call it
 * themselves). A failed send is logged and retried at the next call. */
void enforce_controllers(struct enforce *en);

/* Garbage collection: every profile this engine sent that no device has been under for at
 * least grace_ms (monotonic now_ms) is dropped: IPC_E2P_PROFILE_DROP tells the parent to
 * delete its chains, and the engine forgets it sent it, so a device that needs it later makes
 * the engine send it again from the MUD cache. Returns how many were dropped. */
unsigned enforce_gc(struct enforce *en, int64_t now_ms, int64_t grace_ms);

/* The id of the compiled profile the device was last put under, "" when none (for status). */
const char *enforce_profile_of(struct enforce *en, const struct hg_mac *mac);

#endif
