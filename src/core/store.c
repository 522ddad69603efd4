/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SQLite store: WAL mode, schema version in PRAGMA user_version, forward-only migrations. */
#include "core/store.h"

#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct store {
	sqlite3 *db;
	int version;
};

/*
 * Entry i moves the schema from version i to i + 1 and ends by setting user_version to i + 1;
 * it runs in its own transaction, so a crash leaves either version i or i + 1, never a mix.
 * The bump is part of the static text (PRAGMA takes no bound parameters and no SQL here is
 * ever formatted); migrate() checks that it landed. Never edit a published migration: add one.
 */
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
	"CREATE INDEX audit_mac ON audit (mac, id);"
	"PRAGMA user_version = 1;",
	/* 2: the MUD manager. A device's MUD processing status; per URL the accepted file with
	 * its signature and pinned signer, cache validators, and an update waiting for approval. */
	"ALTER TABLE devices ADD COLUMN mud_status TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE devices ADD COLUMN mud_reason TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE devices ADD COLUMN mud_hash TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE mud_files ("
	"  url TEXT PRIMARY KEY NOT NULL,"
	"  body BLOB NOT NULL,"
	"  sig BLOB,"
	"  file_hash TEXT NOT NULL,"
	"  signer TEXT NOT NULL DEFAULT '',"
	"  signer_subject TEXT NOT NULL DEFAULT '',"
	"  fetched INTEGER NOT NULL,"
	"  refresh INTEGER NOT NULL,"
	"  etag TEXT NOT NULL DEFAULT '',"
	"  last_modified TEXT NOT NULL DEFAULT '',"
	"  stale INTEGER NOT NULL DEFAULT 0,"
	"  pending_body BLOB,"
	"  pending_sig BLOB,"
	"  pending_hash TEXT NOT NULL DEFAULT '',"
	"  pending_signer TEXT NOT NULL DEFAULT '',"
	"  pending_signer_subject TEXT NOT NULL DEFAULT '',"
	"  pending_reason TEXT NOT NULL DEFAULT '');"
	"PRAGMA user_version = 2;",
	/* 3: identification. The evidence behind a device's vendor/model/category (JSON), and
	 * why its fingerprint contradicts the MUD file it claims ("" when it does not). */
	"ALTER TABLE devices ADD COLUMN class_evidence TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE devices ADD COLUMN class_flag TEXT NOT NULL DEFAULT '';"
	"PRAGMA user_version = 3;",
	/* 4: hostapd integration. Whether the device is associated to one of the gateway's
	 * hostapds, on which (interface) and with which wpa_psk_file keyid, and since when. */
	"ALTER TABLE devices ADD COLUMN wifi_assoc INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE devices ADD COLUMN wifi_ap TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE devices ADD COLUMN wifi_keyid TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE devices ADD COLUMN wifi_since INTEGER NOT NULL DEFAULT 0;"
	"PRAGMA user_version = 4;",
	/* 5: onboarding. Every DPP Enrollee the gateway knows: a code the user scanned (approved
	 * for credentials), a request that was held, a device provisioned (with the hash of its
	 * netAccessKey, which hostapd reports when the station joins) or refused. */
	"CREATE TABLE dpp_enrollees ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  boot_hash TEXT UNIQUE,"
	"  uri TEXT NOT NULL DEFAULT '',"
	"  mac TEXT NOT NULL DEFAULT '',"
	"  state TEXT NOT NULL,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  mud_url TEXT NOT NULL DEFAULT '',"
	"  nak_hash TEXT NOT NULL DEFAULT '',"
	"  akm TEXT NOT NULL DEFAULT '',"
	"  added INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  who TEXT NOT NULL DEFAULT '',"
	"  why TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX dpp_enrollees_nak ON dpp_enrollees (nak_hash);"
	"PRAGMA user_version = 5;",
	/* 6: controllers (RFC 8520 §8). The devices the administrator declared as controllers of
	 * a class URI (kind "class") or of the devices using a MUD URL (kind "my"). */
	"CREATE TABLE controllers ("
	"  kind TEXT NOT NULL,"
	"  uri TEXT NOT NULL,"
	"  mac TEXT NOT NULL,"
	"  added INTEGER NOT NULL,"
	"  who TEXT NOT NULL DEFAULT '',"
	"  PRIMARY KEY (kind, uri, mac));"
	"PRAGMA user_version = 6;",
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

/* Runs a statement that answers one row and copies its first column as text. */
static int query_text(sqlite3 *db, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *t;
	int ret = -EIO;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_step(st) != SQLITE_ROW)
		goto out;
	t = sqlite3_column_text(st, 0);
	util_strlcpy(buf, t ? (const char *)t : "", len);
	ret = 0;
out:
	if (ret)
		log_warnx("store=query sql=\"%s\" error=\"%s\"", sql, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return ret;
}

static int query_int(sqlite3 *db, const char *sql, int *out)
{
	char buf[32];
	long long v;
	int ret;

	ret = query_text(db, sql, buf, sizeof(buf));
	if (!ret && util_parse_int(buf, -2147483647LL - 1, 2147483647LL, &v) < 0)
		ret = -EIO;
	if (!ret)
		*out = (int)v;
	return ret;
}

static int migrate(struct store *s)
{
	int ret, v;

	for (v = s->version; v < STORE_VERSION; v++) {
		int now = -1;

		ret = exec(s->db, "BEGIN IMMEDIATE");
		if (ret)
			goto out;
		ret = exec(s->db, migrations[v]);
		if (!ret)
			ret = query_int(s->db, "PRAGMA user_version", &now);
		if (!ret && now != v + 1) {
			log_warnx("store=migrate to=%d error=\"migration left version %d\"", v + 1,
				now);
			ret = -EIO;
		}
		if (!ret)
			ret = store_commit(s);
		if (ret) {
			store_rollback(s);
			goto out;
		}
		log_info("store=migrate from=%d to=%d", v, v + 1);
		s->version = v + 1;
	}
	ret = 0;
out:
	if (ret)
		log_warnx("store=migrate from=%d to=%d result=failed", v, v + 1);
	return ret;
}

/* Creates the file ourselves so it is 0600 from the first byte (whatever the umask), and
 * tightens a file that exists with a wider mode: it holds every device ever seen. SQLite
 * gives its -wal and -shm files the mode of the database. */
static int create_file(const char *path)
{
	struct stat sb;
	int fd, ret = 0;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		ret = -errno;
		log_warn("store=open path=%s", path);
		goto out;
	}
	if (fstat(fd, &sb) < 0) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		log_warnx("store=open path=%s error=\"not a regular file\"", path);
		ret = -EINVAL;
		goto out;
	}
	if ((sb.st_mode & 07777) != 0600) {
		if (fchmod(fd, 0600) < 0) {
			ret = -errno;
			log_warn("store=open path=%s chmod=0600", path);
			goto out;
		}
		log_info("store=open path=%s mode=%04o fixed=0600", path,
			(unsigned)(sb.st_mode & 07777));
	}
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Connection settings; journal_mode and foreign_keys are read back because SQLite silently
 * keeps its old mode when a file system cannot do WAL and ignores foreign_keys when built
 * without them, and forget relies on ON DELETE CASCADE. */
static int configure(struct store *s, const char *path)
{
	char mode[16];
	int fk = 0, ret;

	ret = query_text(s->db, "PRAGMA journal_mode = WAL", mode, sizeof(mode));
	if (ret)
		return ret;
	if (strcmp(mode, "wal") != 0)
		log_warnx("store=open path=%s journal_mode=%s error=\"WAL not available\"", path,
			mode);
	ret = exec(s->db, "PRAGMA synchronous = NORMAL");
	if (!ret)
		ret = exec(s->db, "PRAGMA foreign_keys = ON");
	if (!ret)
		ret = query_int(s->db, "PRAGMA foreign_keys", &fk);
	if (!ret && fk != 1) {
		log_warnx("store=open path=%s error=\"SQLite without foreign key support\"", path);
		ret = -ENOTSUP;
	}
	return ret;
}

int store_open(const char *path, struct store **out)
{
	struct store *s = NULL;
	int ret;

	*out = NULL;
	ret = create_file(path);
	if (ret)
		goto out;
	s = calloc(1, sizeof(*s));
	if (!s) {
		ret = -ENOMEM;
		goto out;
	}
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL) !=
		SQLITE_OK) {
		log_warnx("store=open path=%s error=\"%s\"", path,
			s->db ? sqlite3_errmsg(s->db) : "out of memory");
		ret = s->db ? -EIO : -ENOMEM;
		goto out;
	}
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_extended_result_codes(s->db, 1);
	/* The version first: a newer database is left exactly as it is, journal mode included. */
	ret = query_int(s->db, "PRAGMA user_version", &s->version);
	if (ret) {
		log_warnx("store=open path=%s error=\"not a readable SQLite database\"", path);
		goto out;
	}
	if (s->version > STORE_VERSION || s->version < 0) {
		log_warnx("store=open path=%s version=%d known=%d error=\"database written by a "
			  "newer homegate; refusing to open it rather than downgrade\"",
			path, s->version, STORE_VERSION);
		ret = -EPROTO;
		goto out;
	}
	ret = configure(s, path);
	if (!ret)
		ret = migrate(s);
	if (ret)
		goto out;
	*out = s;
	s = NULL;
out:
	store_close(s);
	return ret;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	/* _v2: a statement a caller forgot to finalise delays the close instead of leaking. */
	sqlite3_close_v2(s->db);
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
	/* IMMEDIATE takes the write lock now, so a busy database fails here, not at COMMIT. */
	return exec(s->db, "BEGIN IMMEDIATE");
}

int store_commit(struct store *s)
{
	int ret = exec(s->db, "COMMIT");

	/* A failed COMMIT can leave the transaction open; never let it swallow the next one. */
	if (ret)
		store_rollback(s);
	return ret;
}

int store_rollback(struct store *s)
{
	if (sqlite3_get_autocommit(s->db))
		return 0; /* nothing open (SQLite may already have rolled back on error) */
	return exec(s->db, "ROLLBACK");
}

int store_check(struct store *s)
{
	sqlite3_stmt *st = NULL;
	char ok[8];
	int ret;

	ret = query_text(s->db, "PRAGMA integrity_check", ok, sizeof(ok));
	if (ret)
		goto out;
	if (strcmp(ok, "ok") != 0) {
		log_warnx("store=check integrity=failed");
		ret = -EIO;
		goto out;
	}
	/* A row here is a child whose parent is gone (written with foreign keys off). */
	if (sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK ||
		sqlite3_step(st) != SQLITE_DONE) {
		log_warnx("store=check foreign_keys=failed");
		ret = -EIO;
	}
out:
	sqlite3_finalize(st);
	return ret;
}
