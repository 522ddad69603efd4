/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SQLite store: WAL mode, schema version in PRAGMA user_version, forward-only migrations. */
#ifndef HG_STORE_H
#define HG_STORE_H

#include <sqlite3.h>

struct store;

/* Opens (creating if absent, mode 0600) the database at path, sets WAL, foreign keys and a busy
 * timeout, and runs every pending migration in one transaction each. A database whose version is
 * newer than this build knows is refused with -EPROTO (never downgraded, left untouched). Other
 * errors: -ELOOP for a symlink, -EINVAL for a non-regular file, -EIO for a file that is not a
 * database or a migration that failed (rolled back), -ENOTSUP for SQLite without foreign keys.
 * *out is NULL on failure. */
int store_open(const char *path, struct store **out);
/* Closes the database. NULL is a no-op. */
void store_close(struct store *st);
/* The connection; owned by the store. Statements bind parameters, never format SQL. */
sqlite3 *store_db(struct store *st);
/* Schema version after migrations. */
int store_version(struct store *st);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; 0 or -EIO. A failed commit rolls back, so the caller
 * never inherits an open transaction. Rollback without an open transaction is a no-op. */
int store_begin(struct store *st);
int store_commit(struct store *st);
int store_rollback(struct store *st);
/* Runs PRAGMA integrity_check and foreign_key_check; 0 when both are clean, -EIO otherwise. */
int store_check(struct store *st);

#endif
