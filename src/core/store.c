/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SQLite store: WAL mode, schema version in PRAGMA user_version, forward-only migrations. */
#include "core/store.h"

#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct store {
	sqlite3 *db;
	int version;
};

/* Each entry moves the schema from version i to i + 1, in its own transaction. Never edit a
 * published migration: add a new one. */
static const char *const migrations[] = {
	"CREATE TABLE devices ("
	"  mac TEXT PRIMARY KEY NOT NULL,"
	"  state TEXT NOT NULL,"
	"  prev_state TEXT NOT NULL,"
	"  hostname TEXT NOT NULL DEFAULT '',"
	"  mud_url TEXT NOT NULL DEFAULT '',"
	"  mud_source INTEGER NOT NULL DEFAULT 0,"
	"  vendor TEXT NOT NULL DEFAULT '',"
	"  model TEXT NOT NULL DEFAULT '',"
	"  category TEXT NOT NULL DEFAULT '',"
	"  confidence REAL NOT NULL DEFAULT 0,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  online INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE addresses ("
	"  mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,"
	"  family INTEGER NOT NULL,"
	"  addr TEXT NOT NULL,"
	"  source INTEGER NOT NULL,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (mac, addr));"
	"CREATE TABLE identities ("
	"  mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  source INTEGER NOT NULL,"
	"  strength INTEGER NOT NULL,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  UNIQUE (mac, kind, value));"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time INTEGER NOT NULL,"
	"  mac TEXT NOT NULL,"
	"  who TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  from_state TEXT NOT NULL DEFAULT '',"
	"  to_state TEXT NOT NULL DEFAULT '',"
	"  why TEXT NOT NULL DEFAULT '',"
	"  file_hash TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX audit_mac ON audit (mac, id);",
};

#define STORE_VERSION ((int)ARRAY_SIZE(migrations))

static int exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_warnx("store=exec error=\"%s\"", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

static int get_version(sqlite3 *db, int *out)
{
	sqlite3_stmt *st;
	int ret = -EIO;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		ret = 0;
	}
	sqlite3_finalize(st);
	return ret;
}

static int migrate(struct store *s)
{
	char sql[64];
	int ret;

	for (int v = s->version; v < STORE_VERSION; v++) {
		ret = exec(s->db, "BEGIN IMMEDIATE");
		if (ret)
			return ret;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		ret = exec(s->db, migrations[v]);
		if (!ret)
			ret = exec(s->db, sql);
		if (!ret)
			ret = exec(s->db, "COMMIT");
		if (ret) {
			exec(s->db, "ROLLBACK");
			log_warnx("store=migrate from=%d to=%d result=failed", v, v + 1);
			return ret;
		}
		log_info("store=migrate from=%d to=%d", v, v + 1);
		s->version = v + 1;
	}
	return 0;
}

int store_open(const char *path, struct store **out)
{
	struct store *s;
	int fd, ret;

	/* Create the file ourselves so it is 0600 from the first byte. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL) !=
		SQLITE_OK) {
		log_warnx("store=open path=%s error=\"%s\"", path,
			s->db ? sqlite3_errmsg(s->db) : "out of memory");
		ret = -EIO;
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_extended_result_codes(s->db, 1);
	ret = exec(s->db, "PRAGMA journal_mode = WAL");
	if (!ret)
		ret = exec(s->db, "PRAGMA synchronous = NORMAL");
	if (!ret)
		ret = exec(s->db, "PRAGMA foreign_keys = ON");
	if (!ret)
		ret = get_version(s->db, &s->version);
	if (ret)
		goto fail;
	if (s->version > STORE_VERSION) {
		log_warnx("store=open path=%s error=\"schema version %d is newer than this build's "
			  "%d; refusing to downgrade\"",
			path, s->version, STORE_VERSION);
		ret = -EPROTO;
		goto fail;
	}
	ret = migrate(s);
	if (ret)
		goto fail;
	*out = s;
	return 0;
fail:
	sqlite3_close(s->db);
	free(s);
	return ret;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s);
}

sqlite3 *store_db(struct store *s)
{
	return s->db;
}

int store_version(struct store *s)
{
	return s->version;
}

int store_begin(struct store *s)
{
	return exec(s->db, "BEGIN IMMEDIATE");
}

int store_commit(struct store *s)
{
	return exec(s->db, "COMMIT");
}

int store_rollback(struct store *s)
{
	return exec(s->db, "ROLLBACK");
}

int store_check(struct store *s)
{
	sqlite3_stmt *st;
	int ret = -EIO;

	if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	if (sqlite3_step(st) == SQLITE_ROW &&
		strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0)
		ret = 0;
	sqlite3_finalize(st);
	return ret;
}
