/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The MUD cache in the store: per URL the accepted file, its signature, the pinned signer,
 * HTTP validators and an update waiting for approval (AC-31 ... AC-35). */
#include "mud/mud_cache.h"

#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

void mud_sha256_hex(const void *buf, size_t len, char out[static 65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int mdlen = 0;

	if (!EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
		out[0] = 0;
		return;
	}
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = 0;
}

int mud_blob_set(struct mud_blob *b, const void *data, size_t len)
{
	uint8_t *d = NULL;

	if (data) {
		d = malloc(len + 1);
		if (!d)
			return -ENOMEM;
		memcpy(d, data, len);
		d[len] = 0; /* bodies are text: keep them terminated */
	}
	free(b->data);
	b->data = d;
	b->len = data ? len : 0;
	return 0;
}

void mud_cached_clear(struct mud_cached *c)
{
	free(c->body.data);
	free(c->sig.data);
	free(c->pending_body.data);
	free(c->pending_sig.data);
	memset(c, 0, sizeof(*c));
}

static int bind_blob(sqlite3_stmt *st, int i, const struct mud_blob *b)
{
	if (!b->data)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_blob64(st, i, b->data, b->len, SQLITE_TRANSIENT);
}

int mud_cache_save(struct store *st, const struct mud_cached *c)
{
	static const char sql[] =
		"INSERT OR REPLACE INTO mud_files (url, body, sig, file_hash, signer,"
		" signer_subject, fetched, refresh, etag, last_modified, stale, pending_body,"
		" pending_sig, pending_hash, pending_signer, pending_signer_subject, "
		"pending_reason)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *s = NULL;
	int rc;

	if (!c->body.data)
		return -EINVAL;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		goto fail;
	rc = sqlite3_bind_text(s, 1, c->url, -1, SQLITE_TRANSIENT);
	rc = rc ? rc : bind_blob(s, 2, &c->body);
	rc = rc ? rc : bind_blob(s, 3, &c->sig);
	rc = rc ? rc : sqlite3_bind_text(s, 4, c->file_hash, -1, SQLITE_TRANSIENT);
	rc = rc ? rc : sqlite3_bind_text(s, 5, c->signer, -1, SQLITE_TRANSIENT);
	rc = rc ? rc : sqlite3_bind_text(s, 6, c->signer_subject, -1, SQLITE_TRANSIENT);
	rc = rc ? rc : sqlite3_bind_int64(s, 7, c->fetched);
	rc = rc ? rc : sqlite3_bind_int64(s, 8, c->refresh);
	rc = rc ? rc : sqlite3_bind_text(s, 9, c->etag, -1, SQLITE_TRANSIENT);
	rc = rc ? rc : sqlite3_bind_text(s, 10, c->last_modified, -1, SQLITE_TRANSIENT);
	rc = rc ? rc : sqlite3_bind_int(s, 11, c->stale);
	rc = rc ? rc : bind_blob(s, 12, &c->pending_body);
	rc = rc ? rc : bind_blob(s, 13, &c->pending_sig);
	rc = rc ? rc : sqlite3_bind_text(s, 14, c->pending_hash, -1, SQLITE_TRANSIENT);
	rc = rc ? rc : sqlite3_bind_text(s, 15, c->pending_signer, -1, SQLITE_TRANSIENT);
	rc = rc ? rc : sqlite3_bind_text(s, 16, c->pending_signer_subject, -1, SQLITE_TRANSIENT);
	rc = rc ? rc : sqlite3_bind_text(s, 17, c->pending_reason, -1, SQLITE_TRANSIENT);
	if (rc != SQLITE_OK || sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	return 0;
fail:
	log_warnx("mud=cache op=save error=\"%s\"", sqlite3_errmsg(store_db(st)));
	sqlite3_finalize(s);
	return -EIO;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? (const char *)t : "";
}

static int col_blob(sqlite3_stmt *s, int i, struct mud_blob *b)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return 0;
	return mud_blob_set(b, sqlite3_column_blob(s, i), (size_t)sqlite3_column_bytes(s, i));
}

#define CACHE_COLUMNS                                                                       \
	"SELECT url, body, sig, file_hash, signer, signer_subject, fetched, refresh, etag," \
	" last_modified, stale, pending_body, pending_sig, pending_hash, pending_signer,"   \
	" pending_signer_subject, pending_reason FROM mud_files"

/* One row into c (cleared first). -ENOMEM, or -EINVAL (logged) for a row that does not hash
 * to what it says: the store is ours, but such a row is never used. */
static int read_row(sqlite3_stmt *s, struct mud_cached *c)
{
	char h[65];
	int ret;

	memset(c, 0, sizeof(*c));
	util_strlcpy(c->url, col_text(s, 0), sizeof(c->url));
	ret = col_blob(s, 1, &c->body);
	ret = ret ? ret : col_blob(s, 2, &c->sig);
	ret = ret ? ret : col_blob(s, 11, &c->pending_body);
	ret = ret ? ret : col_blob(s, 12, &c->pending_sig);
	if (ret)
		goto fail;
	util_strlcpy(c->file_hash, col_text(s, 3), sizeof(c->file_hash));
	util_strlcpy(c->signer, col_text(s, 4), sizeof(c->signer));
	util_strlcpy(c->signer_subject, col_text(s, 5), sizeof(c->signer_subject));
	c->fetched = sqlite3_column_int64(s, 6);
	c->refresh = sqlite3_column_int64(s, 7);
	util_strlcpy(c->etag, col_text(s, 8), sizeof(c->etag));
	util_strlcpy(c->last_modified, col_text(s, 9), sizeof(c->last_modified));
	c->stale = sqlite3_column_int(s, 10) != 0;
	util_strlcpy(c->pending_hash, col_text(s, 13), sizeof(c->pending_hash));
	util_strlcpy(c->pending_signer, col_text(s, 14), sizeof(c->pending_signer));
	util_strlcpy(c->pending_signer_subject, col_text(s, 15), sizeof(c->pending_signer_subject));
	util_strlcpy(c->pending_reason, col_text(s, 16), sizeof(c->pending_reason));
	if (c->body.data)
		mud_sha256_hex(c->body.data, c->body.len, h);
	if (!c->body.data || strcmp(h, c->file_hash) != 0) {
		char u[HG_URL_MAX];

		util_sanitize(u, sizeof(u), c->url, strlen(c->url));
		log_warnx("mud=cache url=\"%s\" error=\"row does not match its hash, skipped\"", u);
		ret = -EINVAL;
		goto fail;
	}
	return 0;
fail:
	mud_cached_clear(c);
	return ret;
}

int mud_cache_foreach(struct store *st, int (*cb)(struct mud_cached *c, void *arg), void *arg)
{
	sqlite3_stmt *s = NULL;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(store_db(st), CACHE_COLUMNS " ORDER BY url", -1, &s, NULL) !=
		SQLITE_OK) {
		log_warnx("mud=cache op=load error=\"%s\"", sqlite3_errmsg(store_db(st)));
		return -EIO;
	}
	while (!ret && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct mud_cached c;

		ret = read_row(s, &c);
		if (ret == -EINVAL) {
			ret = 0;
			continue;
		}
		if (ret)
			break;
		ret = cb(&c, arg);
		mud_cached_clear(&c);
	}
	sqlite3_finalize(s);
	return ret;
}

int mud_cache_get(struct store *st, const char *url, struct mud_cached *out)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(store_db(st), CACHE_COLUMNS " WHERE url = ?", -1, &s, NULL) !=
			SQLITE_OK ||
		sqlite3_bind_text(s, 1, url, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
		sqlite3_finalize(s);
		return -EIO;
	}
	rc = sqlite3_step(s);
	ret = rc == SQLITE_ROW ? read_row(s, out) : rc == SQLITE_DONE ? -ENOENT : -EIO;
	sqlite3_finalize(s);
	return ret;
}

int mud_cache_delete(struct store *st, const char *url)
{
	sqlite3_stmt *s = NULL;
	int ret = 0;

	if (sqlite3_prepare_v2(store_db(st), "DELETE FROM mud_files WHERE url = ?", -1, &s, NULL) !=
			SQLITE_OK ||
		sqlite3_bind_text(s, 1, url, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
		sqlite3_step(s) != SQLITE_DONE)
		ret = -EIO;
	sqlite3_finalize(s);
	return ret;
}
