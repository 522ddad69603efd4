/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The controllers the administrator declared (RFC 8520 §8 controller / my-controller). */
#ifndef HG_CTLMGR_H
#define HG_CTLMGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"
#include "core/util.h"

/*
 * A declaration names one device (by MAC) as a controller:
 *   class  of a class URI: members of ctl_<H> (H = nftc_uri_hash of the URI exactly as
 *          written), which a MUD file's `controller` ACE reaches;
 *   my     of a MUD URL: members of myc_<P> for each profile P the devices using that URL
 *          are under, which their `my-controller` ACEs reach.
 * Declarations live in memory (sorted by kind, URI, MAC) and in the store's `controllers`
 * table; every change is one transaction together with its audit row (actions
 * "controller_add" / "controller_del" on the controller's MAC, why "class=URI" / "for=URL").
 */
enum ctlmgr_kind {
	CTLMGR_CLASS = 1,
	CTLMGR_MY,
};

#define CTLMGR_URI_MAX 255 /* bytes, as a MUD file's controller value */
#define CTLMGR_MAX     256 /* declarations */

struct ctlmgr_entry {
	enum ctlmgr_kind kind;
	char uri[CTLMGR_URI_MAX + 1]; /* class URI, or MUD URL for CTLMGR_MY */
	struct hg_mac mac;
	int64_t added; /* epoch s */
	char who[33];  /* who declared it */
};

struct ctlmgr;

/* Called after every change (add or del that changed something). */
typedef void (*ctlmgr_change_cb)(void *arg);

/* Loads the declarations from st (which must outlive the manager). Rows that no longer
 * validate are skipped with a warning. 0, -ENOMEM, -EIO. */
int ctlmgr_open(struct store *st, struct ctlmgr **out);
/* NULL is a no-op. */
void ctlmgr_close(struct ctlmgr *cm);

void ctlmgr_set_observer(struct ctlmgr *cm, ctlmgr_change_cb cb, void *arg);

/* Whether uri is acceptable as a controller class URI: 1..255 printable bytes without spaces,
 * a scheme ([A-Za-z][A-Za-z0-9+.-]*) and a colon followed by something; an https URI must
 * also pass mud_url_valid. */
bool ctlmgr_class_uri_valid(const char *uri);

/* Declares mac a controller of kind for uri, audited as who. 0; -EINVAL with the reason in err
 * (a URI or MUD URL that does not validate, a multicast or all-zero MAC); -EEXIST when that
 * declaration exists (nothing changes); -ENOSPC beyond CTLMGR_MAX; -EIO from the store (the
 * transaction is rolled back and memory is unchanged). */
int ctlmgr_add(struct ctlmgr *cm, enum ctlmgr_kind kind, const char *uri, const struct hg_mac *mac,
	const char *who, char *err, size_t errlen);

/* Removes a declaration, audited as who. 0, -EINVAL (as for add), -ENOENT when there is none,
 * -EIO. */
int ctlmgr_del(struct ctlmgr *cm, enum ctlmgr_kind kind, const char *uri, const struct hg_mac *mac,
	const char *who, char *err, size_t errlen);

/* The declarations in order; the pointer is valid until the next add or del. */
size_t ctlmgr_count(const struct ctlmgr *cm);
const struct ctlmgr_entry *ctlmgr_get(const struct ctlmgr *cm, size_t i);

#endif
