/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the SQLite store: migrations, version refusal, WAL, file mode, integrity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "core/store.h"

/* The schema version this build migrates to. */
#define CUR_VERSION 6

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fx {
	char dir[64], path[96];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/hg-store.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/homegate.db", f->dir);
	*state = f;
	return 0;
}

static int rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	int ret = nftw(f->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);

	free(f);
	return ret;
}

/* A connection of our own, as another tool (or an older/newer homegate) would open it. */
static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	return db;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

/* First column of the first row as text ("" when there is no row). */
static void raw_text(sqlite3 *db, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	buf[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static long long raw_int(sqlite3 *db, const char *sql)
{
	char buf[32];

	raw_text(db, sql, buf, sizeof(buf));
	return atoll(buf);
}

static void test_migrate_from_empty(void **state)
{
	struct fx *f = *state;
	struct store *st = NULL;
	sqlite3 *db;

	assert_int_equal(store_open(f->path, &st), 0);
	assert_non_null(st);
	assert_int_equal(store_version(st), CUR_VERSION);
	db = store_db(st);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), CUR_VERSION);
	assert_int_equal(
		raw_int(db,
			"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
			" ('devices', 'addresses', 'identities', 'audit')"),
		4);
	assert_int_equal(raw_int(db,
				 "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND"
				 " name = 'audit_mac' AND tbl_name = 'audit'"),
		1);
	assert_int_equal(raw_int(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(raw_int(db, "PRAGMA synchronous"), 1); /* NORMAL */
	assert_int_equal(raw_int(db, "PRAGMA busy_timeout"), 5000);
	/* the cascade forget relies on */
	raw_exec(db,
		"INSERT INTO devices (mac, state, prev_state, first_seen, last_seen)"
		" VALUES ('52:54:00:00:00:01', 'new', 'new', 1, 1)");
	raw_exec(db,
		"INSERT INTO addresses (mac, family, addr, source, first_seen, last_seen)"
		" VALUES ('52:54:00:00:00:01', 2, '10.0.0.1', 1, 1, 1)");
	raw_exec(db, "DELETE FROM devices");
	assert_int_equal(raw_int(db, "SELECT count(*) FROM addresses"), 0);
	/* an address of no device is refused */
	assert_int_not_equal(sqlite3_exec(db,
				     "INSERT INTO addresses (mac, family, addr, source,"
				     " first_seen, last_seen) VALUES ('52:54:00:00:00:09', 2,"
				     " '10.0.0.1', 1, 1, 1)",
				     NULL, NULL, NULL),
		SQLITE_OK);
	store_close(st);
	store_close(NULL);
}

static void test_wal_and_file_mode(void **state)
{
	struct fx *f = *state;
	struct store *st;
	struct stat sb;
	char mode[16], wal[128];
	mode_t old = umask(0); /* the mode must not depend on the caller's umask */

	assert_int_equal(store_open(f->path, &st), 0);
	umask(old);
	raw_text(store_db(st), "PRAGMA journal_mode", mode, sizeof(mode));
	assert_string_equal(mode, "wal");
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	/* the write-ahead log holds the same data: same mode */
	raw_exec(store_db(st),
		"INSERT INTO audit (time, mac, who, action) VALUES (1, 'm', 'w', 'a')");
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	assert_int_equal(stat(wal, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	store_close(st);
}

static void test_existing_file_mode_tightened(void **state)
{
	struct fx *f = *state;
	struct store *st;
	struct stat sb;
	int fd;

	fd = open(f->path, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, 0644), 0);
	close(fd);
	assert_int_equal(store_open(f->path, &st), 0);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	store_close(st);
}

static void test_reopen_keeps_data(void **state)
{
	struct fx *f = *state;
	struct store *st;
	sqlite3_stmt *ins;

	assert_int_equal(store_open(f->path, &st), 0);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(sqlite3_prepare_v2(store_db(st),
				 "INSERT INTO audit (time, mac, who, action, why) VALUES (?, ?, ?,"
				 " 'test', ?)",
				 -1, &ins, NULL),
		SQLITE_OK);
	sqlite3_bind_int64(ins, 1, 42);
	sqlite3_bind_text(ins, 2, "52:54:00:00:00:01", -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 3, "user:test", -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 4, "it's; DROP TABLE audit; --", -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
	sqlite3_finalize(ins);
	assert_int_equal(store_commit(st), 0);
	store_close(st);

	assert_int_equal(store_open(f->path, &st), 0);
	assert_int_equal(store_version(st), CUR_VERSION); /* not migrated again */
	assert_int_equal(raw_int(store_db(st),
				 "SELECT time FROM audit WHERE who = 'user:test' AND"
				 " why = 'it''s; DROP TABLE audit; --'"),
		42);
	assert_int_equal(store_check(st), 0);
	store_close(st);
}

static void test_transactions(void **state)
{
	struct fx *f = *state;
	struct store *st;
	sqlite3 *db;

	assert_int_equal(store_open(f->path, &st), 0);
	db = store_db(st);
	assert_int_equal(store_rollback(st), 0); /* none open: harmless */
	assert_int_equal(store_begin(st), 0);
	raw_exec(db, "INSERT INTO audit (time, mac, who, action) VALUES (1, 'm', 'w', 'gone')");
	assert_int_equal(store_rollback(st), 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM audit"), 0);

	/* A COMMIT that fails (here a deferred constraint) leaves no transaction behind. */
	raw_exec(db,
		"CREATE TABLE p (id INTEGER PRIMARY KEY);"
		"CREATE TABLE c (p INTEGER REFERENCES p DEFERRABLE INITIALLY DEFERRED)");
	assert_int_equal(store_begin(st), 0);
	raw_exec(db, "INSERT INTO c VALUES (7)");
	assert_int_equal(store_commit(st), -EIO);
	assert_true(sqlite3_get_autocommit(db));
	assert_int_equal(raw_int(db, "SELECT count(*) FROM c"), 0);
	assert_int_equal(store_begin(st), 0);
	raw_exec(db, "INSERT INTO p VALUES (7); INSERT INTO c VALUES (7)");
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM c"), 1);
	store_close(st);
}

static void test_newer_version_refused(void **state)
{
	struct fx *f = *state;
	struct store *st = (struct store *)f; /* must be cleared */
	char mode[16];
	sqlite3 *db;

	/* written by a future homegate: version 99, rollback journal */
	db = raw_open(f->path);
	raw_exec(db, "CREATE TABLE future (x); PRAGMA user_version = 99");
	sqlite3_close(db);

	assert_int_equal(store_open(f->path, &st), -EPROTO);
	assert_null(st);

	/* left exactly as it was: no downgrade, no journal mode change, no tables of ours */
	db = raw_open(f->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 99);
	raw_text(db, "PRAGMA journal_mode", mode, sizeof(mode));
	assert_string_equal(mode, "delete");
	assert_int_equal(
		raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'devices'"), 0);
	sqlite3_close(db);
}

/* A database of the first release (version 1) with a device: migration 2 adds the MUD
 * manager's columns and table and keeps every row. */
static void test_upgrade_from_v1_keeps_data(void **state)
{
	struct fx *f = *state;
	struct store *st;
	char text[32];
	sqlite3 *db;

	db = raw_open(f->path);
	raw_exec(db,
		"CREATE TABLE devices (mac TEXT PRIMARY KEY NOT NULL, state TEXT NOT NULL,"
		" prev_state TEXT NOT NULL, hostname TEXT NOT NULL DEFAULT '',"
		" mud_url TEXT NOT NULL DEFAULT '', mud_source INTEGER NOT NULL DEFAULT 0,"
		" vendor TEXT NOT NULL DEFAULT '', model TEXT NOT NULL DEFAULT '',"
		" category TEXT NOT NULL DEFAULT '', confidence REAL NOT NULL DEFAULT 0,"
		" first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
		" online INTEGER NOT NULL DEFAULT 0);"
		"INSERT INTO devices (mac, state, prev_state, first_seen, last_seen)"
		" VALUES ('52:54:00:00:00:01', 'approved', 'new', 1, 2);"
		"PRAGMA user_version = 1");
	sqlite3_close(db);

	assert_int_equal(store_open(f->path, &st), 0);
	assert_int_equal(store_version(st), CUR_VERSION);
	db = store_db(st);
	raw_text(db, "SELECT state FROM devices", text, sizeof(text));
	assert_string_equal(text, "approved");
	assert_int_equal(raw_int(db, "SELECT count(*) FROM devices WHERE mud_status = ''"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM mud_files"), 0);
	/* and migration 3 the identifier's evidence and contradiction flag */
	assert_int_equal(raw_int(db,
				 "SELECT count(*) FROM devices WHERE class_evidence = ''"
				 " AND class_flag = ''"),
		1);
	store_close(st);
}

static void test_failed_migration_is_atomic(void **state)
{
	struct fx *f = *state;
	struct store *st;
	sqlite3 *db;

	/* version 0 with a table in the way: migration 1 fails half-way through */
	db = raw_open(f->path);
	raw_exec(db, "CREATE TABLE identities (x)");
	sqlite3_close(db);
	assert_int_equal(store_open(f->path, &st), -EIO);
	assert_null(st);

	db = raw_open(f->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 0);
	/* devices was created before the failure, and rolled back with it */
	assert_int_equal(
		raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'devices'"), 0);
	raw_exec(db, "DROP TABLE identities");
	sqlite3_close(db);

	assert_int_equal(store_open(f->path, &st), 0);
	assert_int_equal(store_version(st), CUR_VERSION);
	store_close(st);
}

static void test_not_a_database(void **state)
{
	struct fx *f = *state;
	static const char junk[] = "this is not an SQLite database, just a text file.\n";
	char buf[sizeof(junk)] = "";
	struct store *st;
	FILE *fp;

	fp = fopen(f->path, "w");
	assert_non_null(fp);
	fputs(junk, fp);
	fclose(fp);
	assert_true(store_open(f->path, &st) < 0);
	assert_null(st);
	fp = fopen(f->path, "r");
	assert_non_null(fp);
	assert_int_equal(fread(buf, 1, sizeof(buf) - 1, fp), sizeof(junk) - 1);
	fclose(fp);
	assert_string_equal(buf, junk); /* untouched */
}

static void test_symlink_and_directory_refused(void **state)
{
	struct fx *f = *state;
	char target[128], link[128];
	struct store *st;

	snprintf(target, sizeof(target), "%s/elsewhere.db", f->dir);
	snprintf(link, sizeof(link), "%s/link.db", f->dir);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(store_open(link, &st), -ELOOP);
	assert_null(st);
	assert_int_equal(access(target, F_OK), -1); /* nothing created through the link */
	assert_true(store_open(f->dir, &st) < 0);
	assert_null(st);
}

static void test_integrity_check(void **state)
{
	struct fx *f = *state;
	struct store *st;
	sqlite3 *db;
	char blob[600];
	int fd;

	assert_int_equal(store_open(f->path, &st), 0);
	assert_int_equal(store_check(st), 0);

	/* a row whose parent is gone, as a tool without foreign keys would leave it */
	db = store_db(st);
	raw_exec(db, "PRAGMA foreign_keys = OFF");
	raw_exec(db,
		"INSERT INTO identities (mac, kind, value, source, strength, first_seen,"
		" last_seen) VALUES ('52:54:00:00:00:01', 'hostname', 'x', 1, 1, 1, 1)");
	raw_exec(db, "PRAGMA foreign_keys = ON");
	assert_int_equal(store_check(st), -EIO);
	raw_exec(db, "DELETE FROM identities");
	assert_int_equal(store_check(st), 0);

	/* fill a few pages, then damage the file behind SQLite's back */
	memset(blob, 'x', sizeof(blob) - 1);
	blob[sizeof(blob) - 1] = '\0';
	for (int i = 0; i < 200; i++) {
		sqlite3_stmt *ins;

		assert_int_equal(sqlite3_prepare_v2(db,
					 "INSERT INTO audit (time, mac, who, action, why) VALUES"
					 " (?, 'm', 'w', 'a', ?)",
					 -1, &ins, NULL),
			SQLITE_OK);
		sqlite3_bind_int(ins, 1, i);
		sqlite3_bind_text(ins, 2, blob, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
		sqlite3_finalize(ins);
	}
	store_close(st); /* checkpoints the WAL into the main file */

	fd = open(f->path, O_WRONLY);
	assert_true(fd >= 0);
	memset(blob, 0xa5, sizeof(blob));
	for (off_t off = 4096 * 3; off < 4096 * 40; off += 4096 * 2)
		assert_int_equal(pwrite(fd, blob, sizeof(blob), off), (ssize_t)sizeof(blob));
	close(fd);
	/* page 1 (the schema) is intact, so it opens; the check must see the damage */
	assert_int_equal(store_open(f->path, &st), 0);
	assert_int_equal(store_check(st), -EIO);
	store_close(st);
}

/* Version 4 (hostapd integration) upgrades a version-3 database in place: its devices keep
 * every field and read as not associated. The version-3 database is made from a current one by
 * removing what later versions added: the Wi-Fi columns and the tables version 3 did not have. */
static void test_migrate_wifi_columns(void **state)
{
	struct fx *f = *state;
	struct store *st;
	sqlite3 *db;

	assert_int_equal(store_open(f->path, &st), 0);
	store_close(st);
	db = raw_open(f->path);
	raw_exec(db,
		"ALTER TABLE devices DROP COLUMN wifi_assoc; ALTER TABLE devices DROP COLUMN "
		"wifi_ap;"
		"ALTER TABLE devices DROP COLUMN wifi_keyid;"
		"ALTER TABLE devices DROP COLUMN wifi_since; PRAGMA user_version = 3;"
		"INSERT INTO devices (mac, state, prev_state, hostname, first_seen, last_seen)"
		" VALUES ('52:54:00:00:00:01', 'approved', 'new', 'cam', 1, 2)");
	for (;;) {
		char name[64], sql[128];

		raw_text(db,
			"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN"
			" ('devices', 'addresses', 'identities', 'audit', 'mud_files',"
			" 'sqlite_sequence')",
			name, sizeof(name));
		if (!name[0])
			break;
		snprintf(sql, sizeof(sql), "DROP TABLE \"%s\"", name);
		raw_exec(db, sql);
	}
	sqlite3_close(db);
	assert_int_equal(store_open(f->path, &st), 0);
	assert_int_equal(store_version(st), CUR_VERSION);
	db = store_db(st);
	assert_int_equal(raw_int(db,
				 "SELECT count(*) FROM devices WHERE hostname = 'cam' AND"
				 " state = 'approved' AND wifi_assoc = 0 AND wifi_ap = '' AND"
				 " wifi_keyid = '' AND wifi_since = 0"),
		1);
	store_close(st);
}

/* Version 6 (controllers) upgrades a version-5 database in place: devices and audit rows stay,
 * the controllers table starts empty, and its primary key refuses a declaration twice. */
static void test_migrate_controllers(void **state)
{
	struct fx *f = *state;
	struct store *st;
	sqlite3 *db;

	assert_int_equal(store_open(f->path, &st), 0);
	store_close(st);
	db = raw_open(f->path);
	raw_exec(db,
		"DROP TABLE controllers; PRAGMA user_version = 5;"
		"INSERT INTO devices (mac, state, prev_state, hostname, first_seen, last_seen)"
		" VALUES ('52:54:00:00:00:01', 'approved', 'new', 'hub', 1, 2);"
		"INSERT INTO audit (time, mac, who, action) VALUES (3, '52:54:00:00:00:01',"
		" 'user:root', 'state')");
	sqlite3_close(db);
	assert_int_equal(store_open(f->path, &st), 0);
	assert_int_equal(store_version(st), CUR_VERSION);
	db = store_db(st);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM devices WHERE hostname = 'hub'"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM audit WHERE action = 'state'"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM controllers"), 0);
	assert_int_equal(sqlite3_exec(db,
				 "INSERT INTO controllers (kind, uri, mac, added) VALUES"
				 " ('my', 'https://h.example.test/m.json', '52:54:00:00:00:02', 1)",
				 NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_not_equal(
		sqlite3_exec(db,
			"INSERT INTO controllers (kind, uri, mac, added) VALUES"
			" ('my', 'https://h.example.test/m.json', '52:54:00:00:00:02', 2)",
			NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_equal(store_check(st), 0);
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrate_from_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_wifi_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_controllers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_and_file_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_existing_file_mode_tightened, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_version_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_migration_is_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_from_v1_keeps_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_symlink_and_directory_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity_check, setup, teardown),
	};

	log_set_level(LOG_LEVEL_ERR); /* the refusals above log by design */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
