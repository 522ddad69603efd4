/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Identification in the engine: LAN frames through the sensor and the identifier into the
 * registry's classification slot, with the AC-36 check against a device's claimed MUD file. */
#ifndef HG_IDMGR_H
#define HG_IDMGR_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/util.h"
#include "engine/mudmgr.h"
#include "engine/registry.h"

struct idmgr;

/* Loads the fingerprint databases and the OUI registry the configuration names (an unreadable
 * or malformed database is an error: -EINVAL with the reason logged; a missing OUI registry
 * only a warning). The registry and the MUD manager must outlive it. */
int idmgr_open(
	const struct hg_config *cfg, struct registry *reg, struct mudmgr *mud, struct idmgr **out);
void idmgr_close(struct idmgr *m);

/* One frame from the LAN packet socket (port says it came from a bridge port, not the bridge:
 * only link-local frames count from there). */
void idmgr_frame(struct idmgr *m, const uint8_t *frame, size_t len, bool port);
/* The registry created, changed or forgot a device: its classification is written to a new
 * record, checked again against a changed MUD file, dropped with a forgotten one. */
void idmgr_device(struct idmgr *m, const struct hg_mac *mac, enum dev_state to);

struct idmgr_stats {
	uint64_t frames, malformed, signals, devices, rules, ouis;
	bool local_failed; /* the local database was refused: see the log */
};
void idmgr_stats(const struct idmgr *m, struct idmgr_stats *out);

#endif
