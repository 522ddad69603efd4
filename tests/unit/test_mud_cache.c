/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the MUD cache in the store: round trip, replace, tampered rows, delete, SHA-256. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "core/store.h"
#include "mud/mud_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define URL_A "https://mud.example.test/a.json"
#define URL_B "https://mud.example.test/b.json"

/* A detached CMS signature is DER: binary, with NUL octets. */
static const uint8_t sig_der[] = {0x30, 0x82, 0x00, 0x05, 0x06, 0x00, 0xff, 0x00, 0x01};
static const uint8_t pending_sig_der[] = {0x30, 0x03, 0x02, 0x01, 0x00};

struct fx {
	char dir[64], path[96];
	struct store *st;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/hg-mud-cache.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/homegate.db", f->dir);
	if (store_open(f->path, &f->st) != 0)
		return -1;
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
	int ret;

	store_close(f->st);
	ret = nftw(f->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return ret;
}

static void raw_exec(struct store *st, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(store_db(st), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

/* A cached file as the MUD manager keeps it: body, validators, and optionally a signature and
 * an update waiting for approval. */
static void fill(struct mud_cached *c, const char *url, const char *body, bool sig, bool pending)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->url, sizeof(c->url), "%s", url);
	assert_int_equal(mud_blob_set(&c->body, body, strlen(body)), 0);
	mud_sha256_hex(body, strlen(body), c->file_hash);
	if (sig) {
		assert_int_equal(mud_blob_set(&c->sig, sig_der, sizeof(sig_der)), 0);
		snprintf(c->signer, sizeof(c->signer), "%064d", 7);
		snprintf(c->signer_subject, sizeof(c->signer_subject), "CN=Example Cameras MUD");
	}
	c->fetched = 1700000000;
	c->refresh = 1700003600;
	snprintf(c->etag, sizeof(c->etag), "\"v1-%s\"", url + strlen(url) - 6);
	snprintf(c->last_modified, sizeof(c->last_modified), "Tue, 14 Nov 2023 22:13:20 GMT");
	c->stale = false;
	if (pending) {
		static const char nb[] = "{\"ietf-mud:mud\": {\"mud-version\": 2}}";

		assert_int_equal(mud_blob_set(&c->pending_body, nb, strlen(nb)), 0);
		assert_int_equal(
			mud_blob_set(&c->pending_sig, pending_sig_der, sizeof(pending_sig_der)), 0);
		mud_sha256_hex(nb, strlen(nb), c->pending_hash);
		snprintf(c->pending_signer, sizeof(c->pending_signer), "%064d", 8);
		snprintf(c->pending_signer_subject, sizeof(c->pending_signer_subject),
			"CN=Someone Else");
		snprintf(c->pending_reason, sizeof(c->pending_reason), "signer changed");
	}
}

struct rows {
	struct mud_cached c[8];
	size_t n;
	int stop_with; /* returned by the callback when not 0 */
};

/* Takes each row's contents (the documented ownership transfer) and leaves c empty. */
static int collect(struct mud_cached *c, void *arg)
{
	struct rows *r = arg;

	assert_true(r->n < sizeof(r->c) / sizeof(r->c[0]));
	r->c[r->n++] = *c;
	memset(c, 0, sizeof(*c));
	return r->stop_with;
}

static void rows_load(struct store *st, struct rows *r)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(mud_cache_foreach(st, collect, r), 0);
}

static void rows_clear(struct rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		mud_cached_clear(&r->c[i]);
	r->n = 0;
}

static void assert_blob(const struct mud_blob *got, const struct mud_blob *want)
{
	if (!want->data) {
		assert_null(got->data);
		assert_int_equal(got->len, 0);
		return;
	}
	assert_non_null(got->data);
	assert_int_equal(got->len, want->len);
	assert_memory_equal(got->data, want->data, want->len);
	assert_int_equal(got->data[got->len], 0); /* bodies are handed on as text */
}

static void assert_same(const struct mud_cached *got, const struct mud_cached *want)
{
	assert_string_equal(got->url, want->url);
	assert_blob(&got->body, &want->body);
	assert_blob(&got->sig, &want->sig);
	assert_string_equal(got->file_hash, want->file_hash);
	assert_string_equal(got->signer, want->signer);
	assert_string_equal(got->signer_subject, want->signer_subject);
	assert_int_equal(got->fetched, want->fetched);
	assert_int_equal(got->refresh, want->refresh);
	assert_string_equal(got->etag, want->etag);
	assert_string_equal(got->last_modified, want->last_modified);
	assert_int_equal(got->stale, want->stale);
	assert_blob(&got->pending_body, &want->pending_body);
	assert_blob(&got->pending_sig, &want->pending_sig);
	assert_string_equal(got->pending_hash, want->pending_hash);
	assert_string_equal(got->pending_signer, want->pending_signer);
	assert_string_equal(got->pending_signer_subject, want->pending_signer_subject);
	assert_string_equal(got->pending_reason, want->pending_reason);
}

static void test_round_trip(void **state)
{
	struct fx *f = *state;
	struct mud_cached signed_c, unsigned_c;
	struct rows r;

	/* B first: rows come back in URL order, not insertion order. */
	fill(&unsigned_c, URL_B, "{\"b\": 1}", false, false);
	unsigned_c.stale = true;
	unsigned_c.refresh = (int64_t)1 << 40; /* beyond 32 bits */
	assert_int_equal(mud_cache_save(f->st, &unsigned_c), 0);
	fill(&signed_c, URL_A, "{\"a\": 1}", true, true);
	assert_int_equal(mud_cache_save(f->st, &signed_c), 0);

	/* What the manager saved is what it finds after a restart. */
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(store_open(f->path, &f->st), 0);
	rows_load(f->st, &r);
	assert_int_equal(r.n, 2);
	assert_same(&r.c[0], &signed_c);
	assert_same(&r.c[1], &unsigned_c);
	assert_null(r.c[1].sig.data);	       /* accepted unsigned stays unsigned */
	assert_null(r.c[1].pending_body.data); /* and has no update waiting */
	assert_true(r.c[1].stale);
	rows_clear(&r);
	mud_cached_clear(&signed_c);
	mud_cached_clear(&unsigned_c);
}

static void test_replace(void **state)
{
	struct fx *f = *state;
	struct mud_cached c;
	struct rows r;

	fill(&c, URL_A, "{\"v\": 1}", true, true);
	assert_int_equal(mud_cache_save(f->st, &c), 0);
	mud_cached_clear(&c);
	/* The update was approved: new body, new validators, nothing pending. */
	fill(&c, URL_A, "{\"v\": 2}", true, false);
	snprintf(c.etag, sizeof(c.etag), "\"v2\"");
	c.fetched = 1700100000;
	assert_int_equal(mud_cache_save(f->st, &c), 0);
	rows_load(f->st, &r);
	assert_int_equal(r.n, 1);
	assert_same(&r.c[0], &c);
	assert_null(r.c[0].pending_body.data);
	assert_string_equal(r.c[0].pending_reason, "");
	rows_clear(&r);
	mud_cached_clear(&c);
}

static void test_save_needs_body(void **state)
{
	struct fx *f = *state;
	struct mud_cached c;
	struct rows r;

	fill(&c, URL_A, "{}", false, false);
	assert_int_equal(mud_blob_set(&c.body, NULL, 0), 0);
	assert_null(c.body.data);
	assert_int_equal(mud_cache_save(f->st, &c), -EINVAL);
	rows_load(f->st, &r);
	assert_int_equal(r.n, 0);
	mud_cached_clear(&c);
}

/* A save inside the caller's transaction goes with it. */
static void test_in_transaction(void **state)
{
	struct fx *f = *state;
	struct mud_cached c;
	struct rows r;

	fill(&c, URL_A, "{}", false, false);
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(mud_cache_save(f->st, &c), 0);
	assert_int_equal(store_rollback(f->st), 0);
	rows_load(f->st, &r);
	assert_int_equal(r.n, 0);
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(mud_cache_save(f->st, &c), 0);
	assert_int_equal(store_commit(f->st), 0);
	rows_load(f->st, &r);
	assert_int_equal(r.n, 1);
	rows_clear(&r);
	mud_cached_clear(&c);
}

/* Runs mud_cache_foreach with stderr (where the log goes) captured into log. */
static void load_logged(struct store *st, struct rows *r, char *log, size_t loglen)
{
	char path[] = "/tmp/hg-mud-cache-log.XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	ssize_t n;

	assert_true(fd >= 0 && saved >= 0);
	unlink(path);
	fflush(stderr);
	assert_int_equal(dup2(fd, 2), 2);
	rows_load(st, r);
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	n = pread(fd, log, loglen - 1, 0);
	close(fd);
	assert_true(n >= 0);
	log[n] = '\0';
}

static void test_tampered_row_skipped(void **state)
{
	struct fx *f = *state;
	struct mud_cached c;
	struct rows r;
	char log[4096];

	fill(&c, URL_A, "{\"a\": 1}", true, false);
	assert_int_equal(mud_cache_save(f->st, &c), 0);
	mud_cached_clear(&c);
	fill(&c, URL_B, "{\"b\": 1}", false, false);
	assert_int_equal(mud_cache_save(f->st, &c), 0);
	/* Someone with access to the database widens A's policy without fixing its hash. */
	raw_exec(f->st,
		"UPDATE mud_files SET body = CAST('{\"a\": \"any\"}' AS BLOB)"
		" WHERE url = '" URL_A "'");
	load_logged(f->st, &r, log, sizeof(log));
	assert_int_equal(r.n, 1);
	assert_same(&r.c[0], &c);
	rows_clear(&r);
	if (!strstr(log, "url=\"" URL_A "\"") || !strstr(log, "does not match its hash"))
		fail_msg("no log line for the skipped row: \"%s\"", log);

	/* The other way round: the body is intact but the hash names another file. */
	raw_exec(f->st,
		"UPDATE mud_files SET file_hash = '" /* sha256("") */
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'"
		" WHERE url = '" URL_B "'");
	load_logged(f->st, &r, log, sizeof(log));
	assert_int_equal(r.n, 0);
	/* An empty body is no MUD file even when its hash is right. */
	raw_exec(f->st, "UPDATE mud_files SET body = X'' WHERE url = '" URL_B "'");
	load_logged(f->st, &r, log, sizeof(log));
	assert_int_equal(r.n, 0);
	assert_non_null(strstr(log, "url=\"" URL_B "\""));
	mud_cached_clear(&c);
}

static void test_delete(void **state)
{
	struct fx *f = *state;
	struct mud_cached c;
	struct rows r;

	fill(&c, URL_A, "{\"a\": 1}", true, true);
	assert_int_equal(mud_cache_save(f->st, &c), 0);
	mud_cached_clear(&c);
	fill(&c, URL_B, "{\"b\": 1}", false, false);
	assert_int_equal(mud_cache_save(f->st, &c), 0);

	assert_int_equal(mud_cache_delete(f->st, URL_A), 0);
	rows_load(f->st, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.c[0].url, URL_B);
	rows_clear(&r);
	assert_int_equal(mud_cache_delete(f->st, "https://mud.example.test/never.json"), 0);
	assert_int_equal(mud_cache_delete(f->st, URL_B), 0);
	rows_load(f->st, &r);
	assert_int_equal(r.n, 0);
	mud_cached_clear(&c);
}

/* A callback that fails stops the walk and its error is returned. */
static void test_callback_stops(void **state)
{
	struct fx *f = *state;
	struct mud_cached c;
	struct rows r = {.stop_with = -ECANCELED};

	fill(&c, URL_A, "{}", false, false);
	assert_int_equal(mud_cache_save(f->st, &c), 0);
	mud_cached_clear(&c);
	fill(&c, URL_B, "{}", false, false);
	assert_int_equal(mud_cache_save(f->st, &c), 0);
	assert_int_equal(mud_cache_foreach(f->st, collect, &r), -ECANCELED);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.c[0].url, URL_A);
	rows_clear(&r);
	mud_cached_clear(&c);
}

/* One URL by name, as the MUD manager asks when a URL is announced again. */
static void test_get(void **state)
{
	struct fx *f = *state;
	struct mud_cached c, got;

	fill(&c, URL_A, "{\"a\": 1}", true, true);
	assert_int_equal(mud_cache_save(f->st, &c), 0);
	assert_int_equal(mud_cache_get(f->st, URL_A, &got), 0);
	assert_same(&got, &c);
	mud_cached_clear(&got);
	assert_int_equal(mud_cache_get(f->st, URL_B, &got), -ENOENT);
	assert_null(got.body.data);
	raw_exec(f->st, "UPDATE mud_files SET body = CAST('{}' AS BLOB) WHERE url = '" URL_A "'");
	assert_int_equal(mud_cache_get(f->st, URL_A, &got), -EINVAL);
	assert_null(got.body.data);
	mud_cached_clear(&c);
}

static void test_sha256(void **state)
{
	char h[65];

	(void)state;
	memset(h, 'x', sizeof(h));
	mud_sha256_hex("abc", 3, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	mud_sha256_hex("", 0, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_needs_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_row_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_callback_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get, setup, teardown),
		cmocka_unit_test(test_sha256),
	};

	log_init("test_mud_cache", true, LOG_LEVEL_WARN); /* skipped rows are warnings */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
