/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The identifier: every device's signals and its classification, for the engine and for
 * `homegate analyze` alike (one code path, so what is scored offline is what runs live). */
#ifndef HG_IDENT_H
#define HG_IDENT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/events.h"
#include "identify/classify.h"
#include "identify/fpdb.h"
#include "identify/oui.h"

#define IDENT_MAX_DEVICES 65536

struct ident;

/* db must outlive the identifier; oui may be NULL (no "oui" signal then). Returns NULL when
 * out of memory. */
struct ident *ident_new(const struct fpdb *db, const struct oui_db *oui, size_t max_devices);
void ident_free(struct ident *id);

/* Records one signal of mac (a device first seen here also gets its "oui" signal). Returns
 * true when the device's classification changed (its vendor, model, category or confidence),
 * false otherwise, also when the table is full (ident_dropped counts those). */
bool ident_signal(
	struct ident *id, const struct hg_mac *mac, enum hg_signal sig, const char *value);
/* Makes sure mac has an entry (a device that sent nothing identifying is still listed). */
void ident_seen(struct ident *id, const struct hg_mac *mac);
/* The current classification of mac; false when the device is unknown to the identifier. */
bool ident_result(const struct ident *id, const struct hg_mac *mac, struct classify_result *out);
/* Calls fn for every device in MAC order. */
void ident_foreach(const struct ident *id,
	void (*fn)(void *ctx, const struct hg_mac *mac, const struct classify_result *r),
	void *ctx);
/* Calls fn for every signal kept for mac, in arrival order; nothing for an unknown MAC. */
void ident_signals(const struct ident *id, const struct hg_mac *mac,
	void (*fn)(void *ctx, enum hg_signal sig, const char *value), void *ctx);
/* Forgets a device (its record was forgotten, or its lease ended long ago). */
void ident_forget(struct ident *id, const struct hg_mac *mac);
size_t ident_count(const struct ident *id);
size_t ident_dropped(const struct ident *id);

#endif
