/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The controllers the administrator declared (RFC 8520 §8 controller / my-controller). */
#include "engine/ctlmgr.h"

#include "core/log.h"
#include "mud/mud_parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct ctlmgr {
	struct store *store;
	struct ctlmgr_entry *e; /* sorted by entry_cmp */
	size_t n;
	ctlmgr_change_cb cb;
	void *cb_arg;
};

static const char *kind_name(enum ctlmgr_kind k)
{
	return k == CTLMGR_CLASS ? "class" : "my";
}

static int entry_cmp(const void *a, const void *b)
{
	const struct ctlmgr_entry *x = a, *y = b;
	int c;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	c = strcmp(x->uri, y->uri);
	return c ? c : memcmp(x->mac.b, y->mac.b, 6);
}

bool ctlmgr_class_uri_valid(const char *uri)
{
	size_t n = strnlen(uri, CTLMGR_URI_MAX + 1), i = 0;

	if (n == 0 || n > CTLMGR_URI_MAX || !util_is_printable(uri, CTLMGR_URI_MAX) ||
		strchr(uri, ' '))
		return false;
	if (!((uri[0] >= 'a' && uri[0] <= 'z') || (uri[0] >= 'A' && uri[0] <= 'Z')))
		return false;
	for (i = 1; i < n && uri[i] != ':'; i++) {
		char c = uri[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    c == '+' || c == '.' || c == '-'))
			return false;
	}
	if (i >= n - 1) /* no colon, or nothing after it */
		return false;
	if (i == 5 && strncasecmp(uri, "https", 5) == 0)
		return mud_url_valid(uri);
	return true;
}

static int check(
	enum ctlmgr_kind kind, const char *uri, const struct hg_mac *mac, char *err, size_t errlen)
{
	static const struct hg_mac zero;

	if (kind == CTLMGR_CLASS && !ctlmgr_class_uri_valid(uri))
		return util_errf(err, errlen,
			"a controller class is a URI of at most %d printable bytes without spaces "
			"(like urn:ietf:params:mud:dns or https://example.com/controller)",
			CTLMGR_URI_MAX);
	if (kind == CTLMGR_MY && !mud_url_valid(uri))
		return util_errf(err, errlen, "a MUD URL is an https URL of at most 255 bytes");
	if (kind != CTLMGR_CLASS && kind != CTLMGR_MY)
		return util_errf(err, errlen, "unknown controller kind");
	if ((mac->b[0] & 1) || util_mac_equal(mac, &zero))
		return util_errf(err, errlen, "a controller is one device: a unicast MAC address");
	return 0;
}

static int exec_bound(
	sqlite3 *db, const char *sql, const char *const *text, size_t ntext, const int64_t *num)
{
	sqlite3_stmt *st = NULL;
	int ret = -EIO;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	for (size_t i = 0; i < ntext; i++)
		if (sqlite3_bind_text(st, (int)i + 1, text[i], -1, SQLITE_TRANSIENT) != SQLITE_OK)
			goto out;
	if (num && sqlite3_bind_int64(st, (int)ntext + 1, *num) != SQLITE_OK)
		goto out;
	if (sqlite3_step(st) == SQLITE_DONE)
		ret = 0;
out:
	if (ret)
		log_warnx("ctlmgr=store error=\"%s\"", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return ret;
}

/* The row change and its audit line in one transaction. */
static int persist(struct ctlmgr *cm, bool add, const struct ctlmgr_entry *x)
{
	sqlite3 *db = store_db(cm->store);
	char m[HG_MAC_STRLEN], why[CTLMGR_URI_MAX + 8];
	const char *row[5], *aud[4];
	int ret;

	util_mac_format(&x->mac, m);
	snprintf(why, sizeof(why), "%s=%s", x->kind == CTLMGR_CLASS ? "class" : "for", x->uri);
	ret = store_begin(cm->store);
	if (ret)
		return ret;
	row[0] = kind_name(x->kind);
	row[1] = x->uri;
	row[2] = m;
	row[3] = x->who;
	if (add)
		ret = exec_bound(db,
			"INSERT INTO controllers (kind, uri, mac, who, added) VALUES (?, ?, ?, ?, "
			"?)",
			row, 4, &x->added);
	else
		ret = exec_bound(db,
			"DELETE FROM controllers WHERE kind = ? AND uri = ? AND mac = ?", row, 3,
			NULL);
	aud[0] = m;
	aud[1] = x->who;
	aud[2] = add ? "controller_add" : "controller_del";
	aud[3] = why;
	if (!ret) {
		int64_t now = util_now();

		ret = exec_bound(db,
			"INSERT INTO audit (mac, who, action, why, time) VALUES (?, ?, ?, ?, ?)",
			aud, 4, &now);
	}
	if (!ret)
		ret = store_commit(cm->store);
	else
		store_rollback(cm->store);
	return ret;
}

static struct ctlmgr_entry *find(struct ctlmgr *cm, const struct ctlmgr_entry *key)
{
	return cm->n ? bsearch(key, cm->e, cm->n, sizeof(*key), entry_cmp) : NULL;
}

/* Room for one more entry. */
static int reserve(struct ctlmgr *cm)
{
	void *p = reallocarray(cm->e, cm->n + 1, sizeof(*cm->e));

	if (!p)
		return -ENOMEM;
	cm->e = p;
	return 0;
}

/* Inserts x into the room reserve made. */
static void insert(struct ctlmgr *cm, const struct ctlmgr_entry *x)
{
	cm->e[cm->n++] = *x;
	qsort(cm->e, cm->n, sizeof(*cm->e), entry_cmp);
}

static int load(struct ctlmgr *cm)
{
	sqlite3 *db = store_db(cm->store);
	sqlite3_stmt *st = NULL;
	int rc = SQLITE_DONE, ret = 0;

	if (sqlite3_prepare_v2(db, "SELECT kind, uri, mac, added, who FROM controllers", -1, &st,
		    NULL) != SQLITE_OK) {
		log_warnx("ctlmgr=load error=\"%s\"", sqlite3_errmsg(db));
		return -EIO;
	}
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const char *u = (const char *)sqlite3_column_text(st, 1);
		const char *m = (const char *)sqlite3_column_text(st, 2);
		const char *w = (const char *)sqlite3_column_text(st, 4);
		struct ctlmgr_entry x = {0};

		x.kind = k && strcmp(k, "class") == 0 ? CTLMGR_CLASS
			: k && strcmp(k, "my") == 0   ? CTLMGR_MY
						      : 0;
		if (!u || strlen(u) > CTLMGR_URI_MAX || !m || util_mac_parse(m, &x.mac) < 0 ||
			cm->n >= CTLMGR_MAX) {
			log_warnx(
				"ctlmgr=load error=\"row skipped: unreadable or over the limit\"");
			continue;
		}
		util_strlcpy(x.uri, u, sizeof(x.uri));
		util_strlcpy(x.who, w ? w : "", sizeof(x.who));
		x.added = sqlite3_column_int64(st, 3);
		if (check(x.kind, x.uri, &x.mac, NULL, 0) < 0 || find(cm, &x)) {
			log_warnx("ctlmgr=load error=\"row skipped: no longer valid\"");
			continue;
		}
		ret = reserve(cm);
		if (!ret)
			insert(cm, &x);
	}
	if (!ret && rc != SQLITE_DONE) {
		log_warnx("ctlmgr=load error=\"%s\"", sqlite3_errmsg(db));
		ret = -EIO;
	}
	sqlite3_finalize(st);
	return ret;
}

int ctlmgr_open(struct store *st, struct ctlmgr **out)
{
	struct ctlmgr *cm = calloc(1, sizeof(*cm));
	int ret;

	*out = NULL;
	if (!cm)
		return -ENOMEM;
	cm->store = st;
	ret = load(cm);
	if (ret) {
		ctlmgr_close(cm);
		return ret;
	}
	*out = cm;
	return 0;
}

void ctlmgr_close(struct ctlmgr *cm)
{
	if (!cm)
		return;
	free(cm->e);
	free(cm);
}

void ctlmgr_set_observer(struct ctlmgr *cm, ctlmgr_change_cb cb, void *arg)
{
	cm->cb = cb;
	cm->cb_arg = arg;
}

static void changed(struct ctlmgr *cm, bool add, const struct ctlmgr_entry *x)
{
	char m[HG_MAC_STRLEN], u[CTLMGR_URI_MAX + 1];

	util_sanitize(u, sizeof(u), x->uri, strlen(x->uri));
	log_info("controller=%s dev=%s kind=%s uri=\"%s\" who=%s", add ? "add" : "del",
		util_mac_format(&x->mac, m), kind_name(x->kind), u, x->who);
	if (cm->cb)
		cm->cb(cm->cb_arg);
}

static int prepare(struct ctlmgr_entry *x, enum ctlmgr_kind kind, const char *uri,
	const struct hg_mac *mac, const char *who, char *err, size_t errlen)
{
	int ret;

	memset(x, 0, sizeof(*x));
	if (strnlen(uri, CTLMGR_URI_MAX + 1) > CTLMGR_URI_MAX)
		return util_errf(err, errlen, "the URI is longer than %d bytes", CTLMGR_URI_MAX);
	ret = check(kind, uri, mac, err, errlen);
	if (ret)
		return ret;
	x->kind = kind;
	util_strlcpy(x->uri, uri, sizeof(x->uri));
	x->mac = *mac;
	util_strlcpy(x->who, who ? who : "", sizeof(x->who));
	x->added = util_now();
	return 0;
}

int ctlmgr_add(struct ctlmgr *cm, enum ctlmgr_kind kind, const char *uri, const struct hg_mac *mac,
	const char *who, char *err, size_t errlen)
{
	struct ctlmgr_entry x;
	int ret = prepare(&x, kind, uri, mac, who, err, errlen);

	if (ret)
		return ret;
	if (find(cm, &x))
		return -EEXIST;
	if (cm->n >= CTLMGR_MAX)
		return -ENOSPC;
	/* Room first, so that a committed row always has its place in memory. */
	ret = reserve(cm);
	if (!ret)
		ret = persist(cm, true, &x);
	if (ret)
		return ret;
	insert(cm, &x);
	changed(cm, true, &x);
	return 0;
}

int ctlmgr_del(struct ctlmgr *cm, enum ctlmgr_kind kind, const char *uri, const struct hg_mac *mac,
	const char *who, char *err, size_t errlen)
{
	struct ctlmgr_entry x, *cur;
	size_t i;
	int ret = prepare(&x, kind, uri, mac, who, err, errlen);

	if (ret)
		return ret;
	cur = find(cm, &x);
	if (!cur)
		return -ENOENT;
	ret = persist(cm, false, &x);
	if (ret)
		return ret;
	i = (size_t)(cur - cm->e);
	memmove(cur, cur + 1, (cm->n - i - 1) * sizeof(*cur));
	cm->n--;
	changed(cm, false, &x);
	return 0;
}

size_t ctlmgr_count(const struct ctlmgr *cm)
{
	return cm->n;
}

const struct ctlmgr_entry *ctlmgr_get(const struct ctlmgr *cm, size_t i)
{
	return i < cm->n ? &cm->e[i] : NULL;
}
