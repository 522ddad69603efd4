/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fingerprint database: "homegate-fpdb 1" files (docs/fingerprints.md) compiled for the
 * classifier. */
#ifndef HG_FPDB_H
#define HG_FPDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/events.h"

#define FPDB_MAX_FILE	  (4U * 1024 * 1024)
#define FPDB_MAX_RULES	  20000 /* in one database, over all its files */
#define FPDB_MAX_BLOCKS	  4000	/* vendor, device and category blocks, reopened ones once */
#define FPDB_LINE_MAX	  4096
#define FPDB_VENDOR_MAX	  64  /* a vendor or alias name: at most 63 octets */
#define FPDB_MODEL_MAX	  96  /* at most 95 octets */
#define FPDB_PATTERN_MAX  256 /* at most 255 octets */
#define FPDB_DOMAIN_MAX	  254 /* at most 253 octets */
#define FPDB_CATEGORY_MAX 16  /* the longest category name and its NUL */

struct fpdb;

/* An empty database, or NULL when out of memory. */
struct fpdb *fpdb_new(void);

/* Adds one file to db: the shipped database first, then the ISP's, then the user's. A file may
 * reopen a vendor, device or category block an earlier file declared, to add aliases, domains
 * and rules; within one file every block is declared once. All or nothing: on any error db is
 * exactly as it was before the call. Returns 0; -EINVAL with err "path:line: reason" naming
 * the offending token; -errno from reading the file (err "path: reason"; -EFBIG over
 * FPDB_MAX_FILE, -EINVAL with "path: not a regular file"); -ENOMEM. */
int fpdb_load(struct fpdb *db, const char *path, char *err, size_t errlen);
/* The same from memory; name stands for the path in messages. buf need not be terminated. */
int fpdb_load_buf(
	struct fpdb *db, const char *name, const char *buf, size_t len, char *err, size_t errlen);

/* The number of rules in db (0 for NULL). */
size_t fpdb_rules(const struct fpdb *db);
/* NULL is a no-op. */
void fpdb_free(struct fpdb *db);

/* The canonical name of the vendor that name stands for, or NULL. name matches a vendor when its
 * normalised form (lower-case letters and digits only) equals the normalised vendor name or
 * one of the vendor's aliases, or when one of the two is the other followed by corporate suffix
 * words (corporation, corp, inc, ltd, co, gmbh, llc, technologies, technology, electronics,
 * international, limited): "D-Link Corporation" and "TP-LINK TECHNOLOGIES CO.,LTD." match
 * "D-Link" and "TP-Link". Exact matches are preferred; among equals, the vendor declared first
 * wins. The string belongs to db. */
const char *fpdb_vendor_canonical(const struct fpdb *db, const char *name);

/* Whether host (a MUD URL's host; case-insensitive, one trailing dot ignored) is one of the
 * domains of vendor (named as fpdb_vendor_canonical accepts) or under one. */
bool fpdb_vendor_owns_host(const struct fpdb *db, const char *vendor, const char *host);

/* The category vocabulary, in this order; FPDB_CAT_UNKNOWN is never a block's category. */
enum fpdb_category {
	FPDB_CAT_UNKNOWN = 0,
	FPDB_CAT_CAMERA,
	FPDB_CAT_PLUG,
	FPDB_CAT_SWITCH,
	FPDB_CAT_LIGHT,
	FPDB_CAT_HUB,
	FPDB_CAT_SENSOR,
	FPDB_CAT_SIREN,
	FPDB_CAT_LOCK,
	FPDB_CAT_SCALE,
	FPDB_CAT_APPLIANCE,
	FPDB_CAT_SPEAKER,
	FPDB_CAT_TV,
	FPDB_CAT_MEDIA,
	FPDB_CAT_PRINTER,
	FPDB_CAT_THERMOSTAT,
	FPDB_CAT_PHONE,
	FPDB_CAT_COMPUTER,
	FPDB_CAT_ROUTER,
	FPDB_CAT_COUNT
};

/* "camera" for FPDB_CAT_CAMERA, "unknown" for FPDB_CAT_UNKNOWN and anything out of range. */
const char *fpdb_category_name(enum fpdb_category cat);
/* The category of an exact (lower-case) name; FPDB_CAT_UNKNOWN when there is none. */
enum fpdb_category fpdb_category_from_name(const char *name);

/* The compiled database as the classifier reads it. Everything belongs to db and stays valid
 * until the next fpdb_load or fpdb_free. */
enum fpdb_op {
	FPDB_OP_IS = 1,	  /* equal */
	FPDB_OP_PREFIX,	  /* starts with */
	FPDB_OP_SUFFIX,	  /* ends with */
	FPDB_OP_CONTAINS, /* contains */
	FPDB_OP_GLOB,	  /* fnmatch(3) without flags but FNM_CASEFOLD */
	FPDB_OP_DOMAIN,	  /* equal, or ends with "." and the pattern */
};

enum fpdb_block_kind {
	FPDB_BLOCK_VENDOR = 1,
	FPDB_BLOCK_DEVICE,
	FPDB_BLOCK_CATEGORY,
};

#define FPDB_NO_VENDOR UINT32_MAX

struct fpdb_block {
	enum fpdb_block_kind kind;
	uint32_t vendor;	/* vendor and device blocks; FPDB_NO_VENDOR for category blocks */
	enum fpdb_category cat; /* device and category blocks; FPDB_CAT_UNKNOWN for vendor ones */
	const char *model;	/* device blocks with a model; NULL for "-" and other blocks */
};

struct fpdb_rule {
	enum hg_signal sig;
	enum fpdb_op op;
	double weight;	     /* [-1, 1] in steps of 0.001, never 0 */
	uint32_t block;	     /* index for fpdb_block_at */
	size_t len;	     /* of pattern */
	const char *pattern; /* lower-cased */
};

/* The rules of signal sig are fpdb_rule_at(db, i) for *first <= i < *end, in file order. */
void fpdb_sig_range(const struct fpdb *db, enum hg_signal sig, size_t *first, size_t *end);
const struct fpdb_rule *fpdb_rule_at(const struct fpdb *db, size_t i);
size_t fpdb_blocks(const struct fpdb *db);
const struct fpdb_block *fpdb_block_at(const struct fpdb *db, uint32_t i);
/* The canonical name of vendor index v (a block's vendor), or NULL. */
const char *fpdb_vendor_name(const struct fpdb *db, uint32_t v);
/* Whether a value, already lower-cased (len octets, NUL-terminated), matches rule r. At worst
 * O(pattern length * len), globs included (they never backtrack further than the last star). */
bool fpdb_rule_matches(const struct fpdb_rule *r, const char *lower, size_t len);

#endif
