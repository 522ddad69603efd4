/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SQLite store: WAL mode, schema version in PRAGMA user_version, forward-only migrations. */
#ifndef HG_STORE_H
#define HG_STORE_H

#include <sqlite3.h>

struct store;

/* Opens (creating if absent, mode 0600) the database at path, sets WAL, foreign keys and a busy
 * timeout, and runs every pending migration in one transaction each. A database whose version is
 * newer than this build knows is refused with -EPROTO (never downgraded). */
int store_open(const char *path, struct store **out);
/* Closes the database. NULL is a no-op. */
void store_close(struct store *st);
/* The connection; owned by the store. Statements bind parameters, never format SQL. */
sqlite3 *store_db(struct store *st);
/* Schema version after migrations. */
int store_version(struct store *st);
int store_begin(struct store *st);
int store_commit(struct store *st);
int store_rollback(struct store *st);
/* Runs PRAGMA integrity_check; 0 when it answers "ok", -EIO otherwise. */
int store_check(struct store *st);

#endif
