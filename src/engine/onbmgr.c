/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Onboarding in the engine: the DPP Controller, approve-before-credentials, enrollee records. */
#include "engine/onbmgr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "core/log.h"
#include "mud/mud_parse.h"
#include "onboard/dpp_ctrl.h"
#include "onboard/dpp_keys.h"
#include "onboard/dpp_uri.h"

#define HELD_MAX 16 /* requests waiting for the user at once (the Controller's limit too) */

/* A configuration request between the Enrollee's question and the end of its connection. */
struct pend {
	bool used, held;
	uint64_t conn;
	int64_t row;
};

struct onbmgr {
	struct ev_loop *loop;
	const struct hg_config *cfg;
	struct store *st;
	struct registry *reg;
	struct mudmgr *mud;
	EVP_PKEY *boot, *csign, *lookup_key;
	struct dpp_ctrl *ctrl;
	int listen_fd;
	char uri[DPP_URI_MAX + 1];
	struct pend pend[HELD_MAX];
};

static const char *const akm_names[] = {"dpp", "psk", "sae", "psk+sae"};

static void hex(const uint8_t *p, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* ---- the enrollee table ------------------------------------------------------------------ */

struct row {
	int64_t id;
	char boot_hash[65], uri[DPP_URI_MAX + 1], mac[HG_MAC_STRLEN], state[16];
	char name[33], mud_url[HG_URL_MAX], nak_hash[65], akm[8], who[64], why[256];
	int64_t added, updated;
};

#define ROW_COLS                                                                            \
	"id, ifnull(boot_hash, ''), uri, mac, state, name, mud_url, nak_hash, akm, added, " \
	"updated, who, why"

static void col(sqlite3_stmt *q, int i, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(q, i);

	util_strlcpy(out, t ? (const char *)t : "", len);
}

static void row_read(sqlite3_stmt *q, struct row *r)
{
	r->id = sqlite3_column_int64(q, 0);
	col(q, 1, r->boot_hash, sizeof(r->boot_hash));
	col(q, 2, r->uri, sizeof(r->uri));
	col(q, 3, r->mac, sizeof(r->mac));
	col(q, 4, r->state, sizeof(r->state));
	col(q, 5, r->name, sizeof(r->name));
	col(q, 6, r->mud_url, sizeof(r->mud_url));
	col(q, 7, r->nak_hash, sizeof(r->nak_hash));
	col(q, 8, r->akm, sizeof(r->akm));
	r->added = sqlite3_column_int64(q, 9);
	r->updated = sqlite3_column_int64(q, 10);
	col(q, 11, r->who, sizeof(r->who));
	col(q, 12, r->why, sizeof(r->why));
}

/* The row where column = value; 0, -ENOENT or -EIO. */
static int row_get(struct onbmgr *m, const char *sql, const char *text, int64_t num, struct row *r)
{
	sqlite3_stmt *q = NULL;
	int ret = -EIO;

	if (sqlite3_prepare_v2(store_db(m->st), sql, -1, &q, NULL) != SQLITE_OK)
		goto out;
	if (text)
		sqlite3_bind_text(q, 1, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(q, 1, num);
	switch (sqlite3_step(q)) {
	case SQLITE_ROW:
		row_read(q, r);
		ret = 0;
		break;
	case SQLITE_DONE:
		ret = -ENOENT;
		break;
	}
out:
	sqlite3_finalize(q);
	return ret;
}

static int row_by_hash(struct onbmgr *m, const char *h, struct row *r)
{
	return row_get(m, "SELECT " ROW_COLS " FROM dpp_enrollees WHERE boot_hash = ?", h, 0, r);
}

static int row_by_id(struct onbmgr *m, int64_t id, struct row *r)
{
	return row_get(m, "SELECT " ROW_COLS " FROM dpp_enrollees WHERE id = ?", NULL, id, r);
}

/* Inserts r (id 0) or updates it; sets r->id. */
static int row_put(struct onbmgr *m, struct row *r)
{
	static const char *ins =
		"INSERT INTO dpp_enrollees (boot_hash, uri, mac, state, name, mud_url, nak_hash, "
		"akm, added, updated, who, why) VALUES (nullif(?1, ''), ?2, ?3, ?4, ?5, ?6, ?7, "
		"?8, "
		"?9, ?10, ?11, ?12)";
	static const char *upd =
		"UPDATE dpp_enrollees SET boot_hash = nullif(?1, ''), uri = ?2, mac = ?3, state = "
		"?4, name = ?5, mud_url = ?6, nak_hash = ?7, akm = ?8, added = ?9, updated = ?10, "
		"who = ?11, why = ?12 WHERE id = ?13";
	sqlite3_stmt *q = NULL;
	int ret = -EIO;

	r->updated = util_now();
	if (!r->added)
		r->added = r->updated;
	if (sqlite3_prepare_v2(store_db(m->st), r->id ? upd : ins, -1, &q, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(q, 1, r->boot_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, r->uri, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, r->mac, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, r->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, r->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, r->mud_url, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, r->nak_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 8, r->akm, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 9, r->added);
	sqlite3_bind_int64(q, 10, r->updated);
	sqlite3_bind_text(q, 11, r->who, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 12, r->why, -1, SQLITE_STATIC);
	if (r->id)
		sqlite3_bind_int64(q, 13, r->id);
	if (sqlite3_step(q) != SQLITE_DONE)
		goto out;
	if (!r->id)
		r->id = sqlite3_last_insert_rowid(store_db(m->st));
	ret = 0;
out:
	if (ret < 0)
		log_warnx("onboard=store error=\"%s\"", sqlite3_errmsg(store_db(m->st)));
	sqlite3_finalize(q);
	return ret;
}

static json_object *row_json(struct onbmgr *m, const struct row *r)
{
	json_object *o = json_object_new_object();
	bool waiting = false;

	for (size_t i = 0; i < HELD_MAX; i++)
		if (m->pend[i].used && m->pend[i].held && m->pend[i].row == r->id)
			waiting = true;
	json_object_object_add(o, "id", json_object_new_int64(r->id));
	json_object_object_add(o, "state", json_object_new_string(r->state));
	json_object_object_add(o, "waiting", json_object_new_boolean(waiting));
	json_object_object_add(o, "boot_hash", json_object_new_string(r->boot_hash));
	json_object_object_add(o, "mac", json_object_new_string(r->mac));
	json_object_object_add(o, "name", json_object_new_string(r->name));
	json_object_object_add(o, "mud_url", json_object_new_string(r->mud_url));
	json_object_object_add(o, "akm", json_object_new_string(r->akm));
	json_object_object_add(o, "scanned", json_object_new_boolean(r->uri[0] != '\0'));
	json_object_object_add(o, "added", json_object_new_int64(r->added));
	json_object_object_add(o, "updated", json_object_new_int64(r->updated));
	json_object_object_add(o, "who", json_object_new_string(r->who));
	json_object_object_add(o, "why", json_object_new_string(r->why));
	return o;
}

/* ---- binding a provisioned enrollee to its device ---------------------------------------- */

static void audit(
	struct onbmgr *m, const struct row *r, const char *who, const char *action, const char *why)
{
	struct hg_mac mac;
	char w[320];

	snprintf(w, sizeof(w), "enrollee %lld%s%s: %s", (long long)r->id, r->name[0] ? " " : "",
		r->name, why);
	registry_audit_note(m->reg, r->mac[0] && util_mac_parse(r->mac, &mac) == 0 ? &mac : NULL,
		who, action, w);
}

/* The enrollee's MAC is known: its device record exists (strong: the MAC comes with a key the
 * device proved it holds, or from the code the user scanned) and its DPP MUD URL is taken in. */
static void bind_device(struct onbmgr *m, const struct row *r)
{
	struct hg_event ev = {.type = HG_EV_DEV_SEEN, .source = HG_SRC_DPP, .time = util_now()};
	char url[HG_URL_MAX];
	int ret;

	if (!r->mac[0] || util_mac_parse(r->mac, &ev.dev_seen.mac) < 0)
		return;
	ret = registry_apply_event(m->reg, &ev);
	if (ret < 0) {
		log_warnx("onboard=bind dev=%s error=\"%s\"", r->mac, strerror(-ret));
		return;
	}
	if (!r->mud_url[0] || strcmp(r->state, "provisioned") != 0)
		return;
	if (mud_url_intake(r->mud_url, url, sizeof(url)) < 0) {
		log_warnx("dev=%s mud_url=rejected source=dpp reason=\"not an https URL of at most "
			  "255 octets\"",
			r->mac);
		return;
	}
	mudmgr_intake(m->mud, &ev.dev_seen.mac, url, HG_SRC_DPP, 0);
}

/* ---- the Controller's questions ---------------------------------------------------------- */

static struct pend *pend_find(struct onbmgr *m, uint64_t conn)
{
	for (size_t i = 0; i < HELD_MAX; i++)
		if (m->pend[i].used && m->pend[i].conn == conn)
			return &m->pend[i];
	return NULL;
}

static EVP_PKEY *peer_lookup(void *ctx, const uint8_t hash[32])
{
	struct onbmgr *m = ctx;
	struct row r;
	struct dpp_uri u;
	char h[65], err[128];
	const unsigned char *p;

	hex(hash, 32, h);
	if (row_by_hash(m, h, &r) < 0 || !r.uri[0] ||
		dpp_uri_parse(r.uri, strlen(r.uri), &u, err, sizeof(err)) < 0)
		return NULL;
	EVP_PKEY_free(m->lookup_key);
	p = u.spki;
	m->lookup_key = d2i_PUBKEY(NULL, &p, (long)u.spki_len);
	return m->lookup_key;
}

static void fill_cred(struct onbmgr *m, struct dpp_cred *cred)
{
	memset(cred, 0, sizeof(*cred));
	cred->akm = DPP_AKM_DPP;
	cred->ssid_len = strlen(m->cfg->dpp_ssid);
	memcpy(cred->ssid, m->cfg->dpp_ssid, cred->ssid_len);
}

static enum dpp_decision conf_req(void *ctx, const struct dpp_ctrl_peer *peer,
	const struct dpp_conf_req *req, struct dpp_cred *cred)
{
	struct onbmgr *m = ctx;
	struct row r;
	struct pend *p = NULL;
	enum dpp_decision d;
	const char *why;

	memset(&r, 0, sizeof(r));
	if (peer->has_hash) {
		hex(peer->hash, 32, r.boot_hash);
		if (row_by_hash(m, r.boot_hash, &r) < 0)
			hex(peer->hash, 32, r.boot_hash);
	}
	util_strlcpy(r.name, req->name, sizeof(r.name));
	util_strlcpy(r.mud_url, (req->flags & DPP_CONF_REQ_HAS_MUDURL) ? req->mudurl : "",
		sizeof(r.mud_url));
	util_strlcpy(r.akm, akm_names[m->cfg->dpp_akm], sizeof(r.akm));
	util_strlcpy(r.who, "dpp", sizeof(r.who));
	for (size_t i = 0; i < HELD_MAX && !p; i++)
		if (!m->pend[i].used)
			p = &m->pend[i];
	if (!p) {
		d = DPP_REFUSE;
		why = "too many requests waiting";
	} else if (peer->mutual) {
		d = DPP_GRANT;
		why = "the user scanned its code (mutual authentication)";
	} else if (peer->initiated) {
		d = DPP_GRANT;
		why = "the user scanned its code, which named its Controller (H:)";
	} else if (m->cfg->dpp_unknown == HG_DPP_UNKNOWN_GRANT) {
		d = DPP_GRANT;
		why = "unknown devices get credentials ([dpp] unknown = grant)";
	} else if (m->cfg->dpp_unknown == HG_DPP_UNKNOWN_REFUSE) {
		d = DPP_REFUSE;
		why = "nobody scanned its code ([dpp] unknown = refuse)";
	} else {
		d = DPP_HOLD;
		why = "nobody scanned its code: waiting for the user";
	}
	util_strlcpy(r.state,
		d == DPP_HOLD		 ? "held"
			: d == DPP_GRANT ? "granting"
					 : "refused",
		sizeof(r.state));
	util_strlcpy(r.why, why, sizeof(r.why));
	if (row_put(m, &r) < 0) {
		d = DPP_REFUSE; /* nothing goes out that could not be recorded */
		why = "cannot record the decision";
	}
	log_info("onboard=request enrollee=%lld conn=%llu peer=%s name=\"%s\" mud_url=%s "
		 "decision=%s reason=\"%s\"",
		(long long)r.id, (unsigned long long)peer->id, peer->addr, r.name,
		r.mud_url[0] ? r.mud_url : "-", r.state, why);
	audit(m, &r, "dpp", "dpp_request", why);
	if (p) {
		*p = (struct pend){
			.used = true, .held = d == DPP_HOLD, .conn = peer->id, .row = r.id};
	}
	if (d == DPP_GRANT)
		fill_cred(m, cred);
	return d;
}

static void done(void *ctx, const struct dpp_ctrl_peer *peer, bool ok, const char *reason)
{
	struct onbmgr *m = ctx;
	struct pend *p = pend_find(m, peer->id);
	struct row r;

	if (!p) {
		log_info("onboard=fail conn=%llu peer=%s reason=\"%s\"",
			(unsigned long long)peer->id, peer->addr, reason);
		return;
	}
	p->used = false;
	if (row_by_id(m, p->row, &r) < 0)
		return;
	if (ok) {
		util_strlcpy(r.state, "provisioned", sizeof(r.state));
		if (peer->has_nak)
			hex(peer->nak_hash, 32, r.nak_hash);
		util_strlcpy(r.why, "credentials delivered", sizeof(r.why));
	} else if (strcmp(r.state, "refused") != 0) {
		/* A refusal keeps the reason given with it; a request still held when its
		 * connection ended was not answered in time. */
		util_strlcpy(r.state, p->held ? "refused" : "failed", sizeof(r.state));
		util_strlcpy(r.why, p->held ? "not approved in time" : reason, sizeof(r.why));
	}
	row_put(m, &r);
	log_info("onboard=%s enrollee=%lld peer=%s mac=%s reason=\"%s\"", r.state, (long long)r.id,
		peer->addr, r.mac[0] ? r.mac : "-", r.why);
	audit(m, &r, "dpp", ok ? "dpp_provisioned" : "dpp_failed", r.why);
	if (ok)
		bind_device(m, &r);
}

static const struct dpp_ctrl_ops ctrl_ops = {
	.peer_lookup = peer_lookup,
	.conf_req = conf_req,
	.done = done,
};

/* ---- commands ------------------------------------------------------------------------------ */

/* A code whose H: names the device's own Controller: the gateway's Configurator connects to
 * it at once. Only numeric addresses: the engine resolves no names on a user's behalf. */
static void initiate(struct onbmgr *m, const struct row *r, const struct dpp_uri *u)
{
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons(u->port)};
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(u->port)};
	const unsigned char *p = u->spki;
	EVP_PKEY *key;
	uint64_t id;
	int ret;

	if (!m->ctrl) {
		log_warnx("onboard=initiate enrollee=%lld host=%s error=\"no Controller ([dpp] "
			  "listen)\"",
			(long long)r->id, u->host);
		return;
	}
	key = d2i_PUBKEY(NULL, &p, (long)u->spki_len);
	if (!key)
		return;
	if (inet_pton(AF_INET, u->host, &a4.sin_addr) == 1)
		ret = dpp_ctrl_initiate(m->ctrl, (struct sockaddr *)&a4, sizeof(a4), key, &id);
	else if (inet_pton(AF_INET6, u->host, &a6.sin6_addr) == 1)
		ret = dpp_ctrl_initiate(m->ctrl, (struct sockaddr *)&a6, sizeof(a6), key, &id);
	else
		ret = -EDESTADDRREQ;
	if (ret < 0)
		log_warnx("onboard=initiate enrollee=%lld host=%s port=%u error=\"%s\"",
			(long long)r->id, u->host, u->port,
			ret == -EDESTADDRREQ ? "not a numeric address" : strerror(-ret));
	else
		log_info("onboard=initiate enrollee=%lld host=%s port=%u conn=%llu",
			(long long)r->id, u->host, u->port, (unsigned long long)id);
	EVP_PKEY_free(key);
}

int onbmgr_add(struct onbmgr *m, const char *uri, const struct hg_mac *mac, const char *who,
	json_object **out, char *err, size_t errlen)
{
	struct dpp_uri u;
	struct row r;
	char h[65];
	int ret;

	if (dpp_uri_parse(uri, strlen(uri), &u, err, errlen) < 0)
		return -EINVAL;
	if (u.curve_nid != NID_X9_62_prime256v1 && u.curve_nid != NID_secp384r1 &&
		u.curve_nid != NID_secp521r1) {
		util_errf(err, errlen,
			"the code's key is on a curve DPP authentication here does "
			"not support (P-256, P-384, P-521 only)");
		return -EINVAL;
	}
	if (mac && (u.flags & DPP_URI_HAS_MAC) && !util_mac_equal(mac, &u.mac)) {
		char a[HG_MAC_STRLEN], b[HG_MAC_STRLEN];

		util_errf(err, errlen,
			"the DPP code names %s and the other code %s: not one device",
			util_mac_format(&u.mac, a), util_mac_format(mac, b));
		return -EINVAL;
	}
	hex(u.key_hash, 32, h);
	ret = row_by_hash(m, h, &r);
	if (ret == 0 && r.uri[0]) {
		util_errf(
			err, errlen, "that code was added before (enrollee %lld)", (long long)r.id);
		return -EEXIST;
	}
	if (ret == -ENOENT) {
		memset(&r, 0, sizeof(r));
		util_strlcpy(r.boot_hash, h, sizeof(r.boot_hash));
	} else if (ret < 0) {
		util_errf(err, errlen, "cannot read the enrollee table");
		return -EIO;
	}
	util_strlcpy(r.uri, uri, sizeof(r.uri));
	util_strlcpy(r.state, "scanned", sizeof(r.state));
	if (u.flags & DPP_URI_HAS_MAC)
		util_mac_format(&u.mac, r.mac);
	else if (mac)
		util_mac_format(mac, r.mac);
	if ((u.flags & DPP_URI_HAS_INFO) && !r.name[0])
		util_sanitize(r.name, sizeof(r.name), u.info, strlen(u.info));
	util_strlcpy(r.who, who, sizeof(r.who));
	util_strlcpy(r.why, "code scanned: approved for credentials", sizeof(r.why));
	if (row_put(m, &r) < 0) {
		util_errf(err, errlen, "cannot store the code");
		return -EIO;
	}
	log_info("onboard=scanned enrollee=%lld mac=%s who=%s", (long long)r.id,
		r.mac[0] ? r.mac : "-", who);
	audit(m, &r, who, "dpp_scanned", "approved for credentials");
	bind_device(m, &r);
	if (u.flags & DPP_URI_HAS_HOST)
		initiate(m, &r, &u);
	*out = row_json(m, &r);
	return 0;
}

int onbmgr_list(struct onbmgr *m, json_object **out)
{
	sqlite3_stmt *q = NULL;
	json_object *o, *a;
	int rc;

	if (sqlite3_prepare_v2(store_db(m->st),
		    "SELECT " ROW_COLS " FROM dpp_enrollees ORDER BY id DESC LIMIT 1000", -1, &q,
		    NULL) != SQLITE_OK)
		return -EIO;
	o = json_object_new_object();
	a = json_object_new_array();
	json_object_object_add(o, "uri", json_object_new_string(m->uri));
	json_object_object_add(
		o, "controller", json_object_new_string(m->ctrl ? m->cfg->dpp_listen : "off"));
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct row r;

		row_read(q, &r);
		json_object_array_add(a, row_json(m, &r));
	}
	sqlite3_finalize(q);
	json_object_object_add(o, "enrollees", a);
	if (rc != SQLITE_DONE) {
		json_object_put(o);
		return -EIO;
	}
	*out = o;
	return 0;
}

int onbmgr_decide(struct onbmgr *m, int64_t id, bool grant, const char *who, const char *why,
	json_object **out)
{
	struct dpp_cred cred;
	struct pend *p = NULL;
	struct row r;
	int ret;

	if (row_by_id(m, id, &r) < 0)
		return -ENOENT;
	for (size_t i = 0; i < HELD_MAX; i++)
		if (m->pend[i].used && m->pend[i].held && m->pend[i].row == id)
			p = &m->pend[i];
	if (!p || !m->ctrl)
		return -EALREADY;
	fill_cred(m, &cred);
	p->held = false;
	util_strlcpy(r.state, grant ? "granting" : "refused", sizeof(r.state));
	util_strlcpy(r.who, who, sizeof(r.who));
	util_strlcpy(r.why, why && why[0] ? why : grant ? "approved" : "denied", sizeof(r.why));
	row_put(m, &r);
	audit(m, &r, who, grant ? "dpp_approve" : "dpp_deny", r.why);
	log_info("onboard=%s enrollee=%lld who=%s", grant ? "approve" : "deny", (long long)id, who);
	ret = dpp_ctrl_decide(m->ctrl, p->conn, grant ? &cred : NULL);
	if (ret < 0)
		return -EALREADY;
	*out = row_json(m, &r);
	return 0;
}

void onbmgr_station(struct onbmgr *m, const struct hg_mac *mac, const char *pkhash)
{
	struct row r;
	char ms[HG_MAC_STRLEN];

	if (!pkhash || strlen(pkhash) != 64 ||
		row_get(m,
			"SELECT " ROW_COLS
			" FROM dpp_enrollees WHERE nak_hash = ? ORDER BY id DESC",
			pkhash, 0, &r) < 0)
		return;
	util_mac_format(mac, ms);
	if (strcmp(r.mac, ms) == 0)
		return;
	if (r.mac[0])
		log_warnx("onboard=station enrollee=%lld mac=%s error=\"provisioned for %s\"",
			(long long)r.id, ms, r.mac);
	util_strlcpy(r.mac, ms, sizeof(r.mac));
	if (row_put(m, &r) < 0)
		return;
	audit(m, &r, "hostapd", "dpp_bound", "joined with the netAccessKey it was given");
	bind_device(m, &r);
}

void onbmgr_device_json(struct onbmgr *m, const struct hg_mac *mac, json_object *dev)
{
	json_object *o;
	struct row r;
	char ms[HG_MAC_STRLEN];

	util_mac_format(mac, ms);
	if (row_get(m, "SELECT " ROW_COLS " FROM dpp_enrollees WHERE mac = ? ORDER BY id DESC", ms,
		    0, &r) < 0 ||
		!(o = json_object_new_object()))
		return;
	json_object_object_add(o, "enrollee", json_object_new_int64(r.id));
	json_object_object_add(o, "state", json_object_new_string(r.state));
	json_object_object_add(o, "boot_hash", json_object_new_string(r.boot_hash));
	json_object_object_add(o, "added", json_object_new_int64(r.added));
	json_object_object_add(o, "updated", json_object_new_int64(r.updated));
	json_object_object_add(dev, "dpp", o);
}

void onbmgr_status(const struct onbmgr *m, char *buf, size_t len)
{
	if (!m || !m->ctrl)
		snprintf(buf, len, "off");
	else
		snprintf(buf, len, "%s, %u connections", m->cfg->dpp_listen,
			dpp_ctrl_active(m->ctrl));
}

/* ---- lifetime ------------------------------------------------------------------------------ */

static int listen_on(const char *spec, int *out)
{
	struct sockaddr_storage ss;
	unsigned sl;
	int fd, one = 1;

	if (util_parse_host_port(spec, &ss, &sl) < 0)
		return -EINVAL;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 16) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	*out = fd;
	return 0;
}

int onbmgr_open(struct ev_loop *loop, const struct hg_config *cfg, struct store *st,
	struct registry *reg, struct mudmgr *mud, struct onbmgr **out)
{
	struct onbmgr *m;
	char err[256];
	int ret;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->loop = loop;
	m->cfg = cfg;
	m->st = st;
	m->reg = reg;
	m->mud = mud;
	m->listen_fd = -1;
	ret = dpp_key_get(cfg->state_dir, DPP_KEY_BOOTSTRAP, true, &m->boot, err, sizeof(err));
	if (ret == 0)
		ret = dpp_key_get(cfg->state_dir, DPP_KEY_CSIGN, true, &m->csign, err, sizeof(err));
	if (ret < 0) {
		log_warnx("onboard=keys error=\"%s\"", err);
		goto fail;
	}
	if (dpp_uri_make(m->boot, NULL, m->uri, sizeof(m->uri)) < 0) {
		ret = -EINVAL;
		goto fail;
	}
	if (cfg->dpp_listen[0]) {
		if (!cfg->dpp_ssid[0]) {
			log_warnx("onboard=controller error=\"[dpp] listen needs [dpp] ssid, the "
				  "network the credentials are for\"");
			ret = -EINVAL;
			goto fail;
		}
		if (cfg->dpp_akm != HG_DPP_AKM_DPP) {
			log_warnx("onboard=controller akm=%s error=\"only akm = dpp is provisioned "
				  "by the Controller; per-device passphrases come from homegate "
				  "psk new\"",
				akm_names[cfg->dpp_akm]);
			ret = -ENOTSUP;
			goto fail;
		}
		ret = listen_on(cfg->dpp_listen, &m->listen_fd);
		if (ret < 0) {
			log_warnx("onboard=controller listen=%s error=\"%s\"", cfg->dpp_listen,
				strerror(-ret));
			goto fail;
		}
		struct dpp_ctrl_params p = {
			.loop = loop,
			.listen_fd = m->listen_fd,
			.boot = m->boot,
			.csign = m->csign,
			.hold_timeout_ms = (int64_t)cfg->dpp_hold_timeout_s * 1000,
			.ops = &ctrl_ops,
			.ctx = m,
		};
		ret = dpp_ctrl_new(&p, &m->ctrl);
		if (ret < 0)
			goto fail;
		log_info("onboard=controller listen=%s uri=%s", cfg->dpp_listen, m->uri);
	}
	/* A held request does not survive a restart (its connection is gone): say so. */
	sqlite3_exec(store_db(st),
		"UPDATE dpp_enrollees SET state = 'failed', why = 'the gateway restarted while it "
		"waited' WHERE state IN ('held', 'granting')",
		NULL, NULL, NULL);
	*out = m;
	return 0;
fail:
	onbmgr_close(m);
	return ret;
}

void onbmgr_close(struct onbmgr *m)
{
	if (!m)
		return;
	dpp_ctrl_free(m->ctrl);
	if (m->listen_fd >= 0)
		close(m->listen_fd);
	EVP_PKEY_free(m->boot);
	EVP_PKEY_free(m->csign);
	EVP_PKEY_free(m->lookup_key);
	free(m);
}
