/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The classifier: a device's signals against the fingerprint database give vendor, category,
 * model, a confidence and the evidence (AC-36). Scoring is specified in docs/fingerprints.md. */
#ifndef HG_CLASSIFY_H
#define HG_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/events.h"
#include "identify/fpdb.h"

#define CLASSIFY_MAX_SIGNALS	128 /* distinct (signal, value) pairs kept per device */
#define CLASSIFY_MAX_PER_SIGNAL 24  /* distinct values kept per signal name (dns.query floods) */
#define CLASSIFY_MAX_EVIDENCE	16
/* Matched rules scored in one run, in signal then file order; more only in a degenerate db. */
#define CLASSIFY_MAX_MATCHES 512

/* Decision thresholds: a best answer needs this score and this lead over the second. */
#define CLASSIFY_VENDOR_MIN	0.5
#define CLASSIFY_CATEGORY_MIN	0.5
#define CLASSIFY_MODEL_MIN	0.6
#define CLASSIFY_MARGIN		0.15
#define CLASSIFY_DOUBT_RATIO	4.0 /* or the runner-up's 1 - score is this many times the best's */
#define CLASSIFY_MUD_CONFIDENCE 0.8 /* classify_contradicts_mud's floor */
/* Scores are compared with this tolerance, so that 0.65 - 0.5 is a margin of 0.15. */
#define CLASSIFY_EPSILON 1e-9

/* The signals one device sent; the caller owns it. */
struct classify_dev;

/* An empty record, or NULL when out of memory. */
struct classify_dev *classify_dev_new(void);
/* NULL is a no-op. */
void classify_dev_free(struct classify_dev *d);

/* Records a signal. Returns true when it is new (the result may change); false for a repeat
 * (values compare case-insensitively, as every rule does), a signal outside the vocabulary, an
 * empty or unprintable value (only its first HG_SIGNAL_VALUE_MAX - 1 octets are looked at and
 * kept), when CLASSIFY_MAX_SIGNALS or CLASSIFY_MAX_PER_SIGNAL values are already kept (the
 * first ones stay), or when out of memory. */
bool classify_add(struct classify_dev *d, enum hg_signal sig, const char *value);
/* The (signal, value) pairs kept. */
size_t classify_signal_count(const struct classify_dev *d);
/* Calls fn for every kept signal in the order they arrived (for people writing rules). */
void classify_dev_foreach(const struct classify_dev *d,
	void (*fn)(void *ctx, enum hg_signal sig, const char *value), void *ctx);

struct classify_evidence {
	enum hg_signal sig;
	char value[HG_SIGNAL_VALUE_MAX]; /* the device's value that matched, as it was sent */
	double weight;			 /* of the rule; negative: evidence against */
};

struct classify_result {
	char vendor[FPDB_VENDOR_MAX];	  /* the canonical name, or "unknown" */
	char model[FPDB_MODEL_MAX];	  /* "unknown" when not decided */
	char category[FPDB_CATEGORY_MAX]; /* "unknown" when not decided */
	double confidence;		  /* 0..1, of the most specific answer given */
	size_t nevidence;
	struct classify_evidence ev[CLASSIFY_MAX_EVIDENCE]; /* strongest |weight| first */
};

/* Classifies d against db (either may be NULL: then everything is "unknown"). Allocates
 * nothing; cost O(values x rules of their signals). Cannot fail. */
void classify_run(const struct fpdb *db, const struct classify_dev *d, struct classify_result *out);

/* AC-36: whether a classification contradicts the MUD file a device claims: r names a vendor
 * with confidence >= CLASSIFY_MUD_CONFIDENCE, the MUD URL's host (mud_host; NULL or "" for
 * none) is not one of that vendor's domains or under one, and mfg_name (the file's mfg-name;
 * NULL or "" for none) is not that vendor or one of its aliases. When it does, why holds a
 * one-line printable reason; otherwise why is "". */
bool classify_contradicts_mud(const struct fpdb *db, const struct classify_result *r,
	const char *mud_host, const char *mfg_name, char *why, size_t whylen);

#endif
