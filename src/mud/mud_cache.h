/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The MUD cache in the store: per URL the accepted file, its signature, the pinned signer,
 * HTTP validators and an update waiting for approval (AC-31 ... AC-35). */
#ifndef HG_MUD_CACHE_H
#define HG_MUD_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/events.h"
#include "core/store.h"

struct mud_blob {
	uint8_t *data; /* owned; NULL when absent */
	size_t len;
};

/* One row of mud_files. Everything is owned by the struct (mud_cached_clear frees it). */
struct mud_cached {
	char url[HG_URL_MAX];
	struct mud_blob body, sig; /* sig.data NULL: accepted unsigned */
	char file_hash[65];	   /* SHA-256 hex of body */
	char signer[65];	   /* pinned signer certificate SHA-256, "" unsigned */
	char signer_subject[256];
	int64_t fetched; /* epoch s the server last confirmed this copy (200 or 304) */
	int64_t refresh; /* epoch s when to ask again */
	char etag[128], last_modified[64];
	bool stale;
	/* An update that waits for an administrator (adds access or changes signer). */
	struct mud_blob pending_body, pending_sig;
	char pending_hash[65], pending_signer[65], pending_signer_subject[256];
	char pending_reason[256];
};

void mud_cached_clear(struct mud_cached *c);
/* Copies len bytes into b (replacing what it held); -ENOMEM. len 0 with data NULL empties it. */
int mud_blob_set(struct mud_blob *b, const void *data, size_t len);

/* Writes (insert or replace) c; -EIO on a store error. Runs in the caller's transaction when
 * one is open. */
int mud_cache_save(struct store *st, const struct mud_cached *c);
/* Calls cb for every row; cb takes ownership of c's contents (may clear it). Rows that cannot
 * be read (bad hash, empty body) are skipped with a log line. */
int mud_cache_foreach(struct store *st, int (*cb)(struct mud_cached *c, void *arg), void *arg);
/* Loads the row of url into out (cleared first; the caller clears it). -ENOENT, -EIO, or
 * -EINVAL for a row that does not match its hash. */
int mud_cache_get(struct store *st, const char *url, struct mud_cached *out);
int mud_cache_delete(struct store *st, const char *url);

/* SHA-256 of buf as lower-case hex. */
void mud_sha256_hex(const void *buf, size_t len, char out[static 65]);

#endif
