/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Control socket served by the engine for the homegate CLI: newline-delimited JSON. */
#include "api/control.h"

#include "core/log.h"
#include "core/util.h"
#include "engine/ctlmgr.h"
#include "mud/mud_qr.h"
#include "onboard/dpp_uri.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Room for the longest allowed line and its newline. */
#define CTL_IN_MAX	 (CONTROL_MAX_REQUEST + 1)
#define CTL_WHY_MAX	 200
#define CTL_LOG_DEFAULT	 50
#define CTL_LOG_MAX	 1000
#define CTL_ACCEPT_PAUSE 1000 /* ms without accepting after running out of fds */

struct client {
	struct control *ctl;
	int fd;
	uint32_t events; /* what the loop watches for */
	char who[33];	 /* audit actor, "user:<login>" or "uid:<n>" */
	char *in;	 /* received bytes; at most one partial line past the last newline */
	size_t inlen, incap;
	size_t scanned; /* in[0..scanned) holds no newline */
	bool eof;	/* the peer shut down its side: what is left is the last line */
	char *out;	/* the response being written, with its newline */
	size_t outlen, outoff;
	bool closing; /* close once out is written */
	struct ev_timer idle;
	uint32_t pending; /* a psk_* request the parent is answering (its id); 0 none */
};

struct control {
	struct ev_loop *loop;
	int listen_fd;
	bool listening;
	struct ev_timer accept_retry;
	struct registry *reg;
	struct mudmgr *mud;
	struct ctlmgr *ctlm; /* controller declarations; NULL: the controller_* commands fail */
	struct onbmgr *onb;
	const struct control_status *status;
	int64_t idle_ms;
	struct client *clients[CONTROL_MAX_CLIENTS];
	control_psk_cb psk_cb; /* NULL: psk_* answer unavailable */
	void *psk_arg;
	uint32_t next_id; /* of deferred requests; 0 is never used */
	uint32_t cur_id;  /* the id of the request being handled from a connection, else 0 */
};

/* A parsed, validated request. */
struct ctl_req {
	const struct ctl_cmd *cmd;
	bool has_mac;
	struct hg_mac mac;
	char mac_str[HG_MAC_STRLEN]; /* canonical form, for messages */
	const char *why;
	const char *url;
	const char *uri; /* CTL_ARG_URI */
	const char *payload;
	size_t payload_len;
	unsigned limit;
	int vlan;   /* CTL_ARG_VLAN; 0 = not given */
	int64_t id; /* CTL_ARG_ID */
	const char *who;
};

enum {
	CTL_ARG_MAC = 1U << 0,
	CTL_ARG_WHY = 1U << 1,
	CTL_ARG_LIMIT = 1U << 2,
	CTL_ARG_URL = 1U << 3,
	CTL_ARG_PAYLOAD = 1U << 4,
	CTL_ARG_VLAN = 1U << 20,
	CTL_ARG_URI = 1U << 16,
	CTL_ARG_ID = 1U << 12,
};

struct ctl_cmd {
	const char *name;
	unsigned allowed, required; /* CTL_ARG_* members besides "cmd" */
	char *(*fn)(struct control *ctl, const struct ctl_req *rq);
	enum dev_state to; /* approve, block, quarantine */
};

/* ---- responses ---- */

/* Serialises {"ok":..} and drops o. */
static char *finish(json_object *o)
{
	const char *s = o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : NULL;
	char *r = s ? strdup(s) : NULL;

	json_object_put(o);
	return r;
}

static char *respond_err(const char *code, const char *msg)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "code", json_object_new_string(code));
	json_object_object_add(o, "error", json_object_new_string(msg));
	return finish(o);
}

static char *respond_errf(const char *code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static char *respond_errf(const char *code, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return respond_err(code, msg);
}

/* Takes ownership of result. */
static char *respond_ok(json_object *result)
{
	json_object *o;

	if (!result)
		return NULL;
	o = json_object_new_object();
	if (!o) {
		json_object_put(result);
		return NULL;
	}
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "result", result);
	return finish(o);
}

static const char *strength_name(enum hg_strength s)
{
	switch (s) {
	case HG_STRENGTH_WEAK:
		return "weak";
	case HG_STRENGTH_CERT:
		return "cert";
	case HG_STRENGTH_STRONG:
		return "strong";
	}
	return "unknown";
}

static json_object *addr_json(const struct dev_addr *x)
{
	json_object *o = json_object_new_object();
	char a[INET6_ADDRSTRLEN] = "";
	const char *family = "unknown";

	if (x->addr.family == AF_INET) {
		inet_ntop(AF_INET, &x->addr.v4, a, sizeof(a));
		family = "ipv4";
	} else if (x->addr.family == AF_INET6) {
		inet_ntop(AF_INET6, &x->addr.v6, a, sizeof(a));
		family = "ipv6";
	}
	if (!o)
		return NULL;
	json_object_object_add(o, "addr", json_object_new_string(a));
	json_object_object_add(o, "family", json_object_new_string(family));
	json_object_object_add(o, "source", json_object_new_string(hg_source_name(x->source)));
	json_object_object_add(o, "last_seen", json_object_new_int64(x->last_seen));
	json_object_object_add(o, "expires", json_object_new_int64(x->expires));
	return o;
}

static json_object *identity_json(const struct dev_identity *x)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "kind", json_object_new_string(x->kind));
	json_object_object_add(o, "value", json_object_new_string(x->value));
	json_object_object_add(o, "source", json_object_new_string(hg_source_name(x->source)));
	json_object_object_add(o, "strength", json_object_new_string(strength_name(x->strength)));
	return o;
}

static json_object *device_json(const struct device *d)
{
	json_object *o = json_object_new_object(), *addrs = json_object_new_array(),
		    *ids = json_object_new_array();
	char m[HG_MAC_STRLEN];

	if (!o || !addrs || !ids) {
		json_object_put(o);
		json_object_put(addrs);
		json_object_put(ids);
		return NULL;
	}
	json_object_object_add(o, "mac", json_object_new_string(util_mac_format(&d->mac, m)));
	json_object_object_add(o, "state", json_object_new_string(dev_state_name(d->state)));
	json_object_object_add(o, "hostname", json_object_new_string(d->hostname));
	json_object_object_add(o, "mud_url", json_object_new_string(d->mud_url));
	json_object_object_add(o, "mud_source",
		json_object_new_string(d->mud_url[0] ? hg_source_name(d->mud_source) : ""));
	json_object_object_add(o, "vendor", json_object_new_string(d->vendor));
	json_object_object_add(o, "model", json_object_new_string(d->model));
	json_object_object_add(o, "category", json_object_new_string(d->category));
	json_object_object_add(o, "confidence", json_object_new_double(d->confidence));
	{
		/* Stored by the engine itself as a JSON array; anything else reads as none. */
		json_object *ev = d->evidence[0] ? json_tokener_parse(d->evidence) : NULL;

		if (!json_object_is_type(ev, json_type_array)) {
			json_object_put(ev);
			ev = json_object_new_array();
		}
		json_object_object_add(o, "evidence", ev);
	}
	json_object_object_add(o, "class_flag", json_object_new_string(d->class_flag));
	json_object_object_add(o, "first_seen", json_object_new_int64(d->first_seen));
	json_object_object_add(o, "last_seen", json_object_new_int64(d->last_seen));
	json_object_object_add(o, "online", json_object_new_boolean(d->online));
	{
		json_object *w = json_object_new_object();

		if (w) {
			json_object_object_add(
				w, "associated", json_object_new_boolean(d->wifi_assoc));
			json_object_object_add(w, "ap", json_object_new_string(d->wifi_ap));
			json_object_object_add(w, "keyid", json_object_new_string(d->wifi_keyid));
			json_object_object_add(w, "since", json_object_new_int64(d->wifi_since));
			json_object_object_add(o, "wifi", w);
		}
	}
	json_object_object_add(o, "mud_status", json_object_new_string(d->mud_status));
	json_object_object_add(o, "mud_reason", json_object_new_string(d->mud_reason));
	json_object_object_add(o, "mud_hash", json_object_new_string(d->mud_hash));
	for (unsigned i = 0; i < d->naddrs && i < DEV_MAX_ADDRS; i++)
		json_object_array_add(addrs, addr_json(&d->addrs[i]));
	for (unsigned i = 0; i < d->nids && i < DEV_MAX_IDENTITIES; i++)
		json_object_array_add(ids, identity_json(&d->ids[i]));
	json_object_object_add(o, "addresses", addrs);
	json_object_object_add(o, "identities", ids);
	return o;
}

/* ---- commands ---- */

struct state_count {
	unsigned total, per[DEV_FORGOTTEN];
};

static int count_device(const struct device *d, void *arg)
{
	struct state_count *c = arg;

	c->total++;
	if ((unsigned)d->state < ARRAY_SIZE(c->per))
		c->per[d->state]++;
	return 0;
}

static int64_t since(int64_t now, int64_t t)
{
	return t > 0 && t <= now ? now - t : 0;
}

static char *cmd_status(struct control *ctl, const struct ctl_req *rq)
{
	static const struct control_status none;
	const struct control_status *st = ctl->status ? ctl->status : &none;
	json_object *o = json_object_new_object(), *devs = json_object_new_object();
	struct state_count c = {0};
	int64_t now = util_now();

	(void)rq;
	if (!o || !devs) {
		json_object_put(o);
		json_object_put(devs);
		return NULL;
	}
	registry_foreach(ctl->reg, count_device, &c);
	json_object_object_add(devs, "total", json_object_new_int64(c.total));
	for (unsigned s = DEV_NEW; s < ARRAY_SIZE(c.per); s++)
		json_object_object_add(devs, dev_state_name(s), json_object_new_int64(c.per[s]));
	json_object_object_add(o, "version", json_object_new_string(HOMEGATE_VERSION));
	json_object_object_add(o, "uptime",
		json_object_new_int64(
			since(now, st->parent_start ? st->parent_start : st->engine_start)));
	json_object_object_add(
		o, "engine_uptime", json_object_new_int64(since(now, st->engine_start)));
	json_object_object_add(o, "engine_restarts", json_object_new_int64(st->engine_restarts));
	json_object_object_add(o, "state_dir", json_object_new_string(st->state_dir));
	json_object_object_add(o, "identify", json_object_new_string(st->identify));
	{
		char dpp[200];

		if (ctl->onb)
			onbmgr_status(ctl->onb, dpp, sizeof(dpp));
		else
			snprintf(dpp, sizeof(dpp), "%s", st->dpp[0] ? st->dpp : "off");
		json_object_object_add(o, "dpp", json_object_new_string(dpp));
	}
	json_object_object_add(o, "devices", devs);
	return respond_ok(o);
}

static int add_device(const struct device *d, void *arg)
{
	json_object *o = device_json(d);

	if (!o)
		return -ENOMEM;
	json_object_array_add(arg, o);
	return 0;
}

static char *cmd_devices(struct control *ctl, const struct ctl_req *rq)
{
	json_object *arr = json_object_new_array();

	(void)rq;
	if (!arr)
		return NULL;
	if (registry_foreach(ctl->reg, add_device, arr) != 0) {
		json_object_put(arr);
		return NULL;
	}
	return respond_ok(arr);
}

static char *cmd_device(struct control *ctl, const struct ctl_req *rq)
{
	const struct device *d = registry_get(ctl->reg, &rq->mac);

	json_object *o;

	if (!d)
		return respond_errf("not_found", "no device %s", rq->mac_str);
	o = device_json(d);
	if (o && ctl->onb)
		onbmgr_device_json(ctl->onb, &d->mac, o);
	return respond_ok(o);
}

static int add_audit(const struct audit_entry *e, void *arg)
{
	json_object *o = json_object_new_object();

	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "id", json_object_new_int64(e->id));
	json_object_object_add(o, "time", json_object_new_int64(e->time));
	json_object_object_add(o, "mac", json_object_new_string(e->mac));
	json_object_object_add(o, "who", json_object_new_string(e->who));
	json_object_object_add(o, "action", json_object_new_string(e->action));
	json_object_object_add(o, "from", json_object_new_string(e->from_state));
	json_object_object_add(o, "to", json_object_new_string(e->to_state));
	json_object_object_add(o, "why", json_object_new_string(e->why));
	if (e->file_hash[0])
		json_object_object_add(o, "file_hash", json_object_new_string(e->file_hash));
	json_object_array_add(arg, o);
	return 0;
}

static char *cmd_log(struct control *ctl, const struct ctl_req *rq)
{
	json_object *arr = json_object_new_array();
	int ret;

	if (!arr)
		return NULL;
	ret = registry_audit_foreach(
		ctl->reg, rq->has_mac ? &rq->mac : NULL, rq->limit, add_audit, arr);
	if (ret < 0) {
		json_object_put(arr);
		return respond_errf("internal", "cannot read the audit log: %s", strerror(-ret));
	}
	return respond_ok(arr);
}

/* The response to a failed lifecycle call; the device, if any, is unchanged. */
static char *refused(struct control *ctl, const struct ctl_req *rq, int err)
{
	const struct device *d = registry_get(ctl->reg, &rq->mac);
	const char *state = d ? dev_state_name(d->state) : "unknown";

	switch (err) {
	case -ENOENT:
		return respond_errf("not_found", "no device %s", rq->mac_str);
	case -EALREADY:
		return respond_errf("already", "device %s is already %s", rq->mac_str, state);
	case -EINVAL:
		return respond_errf("invalid_transition", "cannot %s device %s while it is %s",
			rq->cmd->name, rq->mac_str, state);
	default:
		return respond_errf("internal", "cannot %s device %s: %s", rq->cmd->name,
			rq->mac_str, strerror(err < 0 ? -err : err));
	}
}

static char *changed(struct control *ctl, const struct ctl_req *rq, int ret)
{
	const struct device *d;

	if (ret < 0)
		return refused(ctl, rq, ret);
	d = registry_get(ctl->reg, &rq->mac);
	if (!d)
		return respond_errf("internal", "device %s vanished", rq->mac_str);
	return respond_ok(device_json(d));
}

static char *cmd_set_state(struct control *ctl, const struct ctl_req *rq)
{
	struct reg_actor actor = {.who = rq->who, .why = rq->why};

	return changed(ctl, rq, registry_set_state(ctl->reg, &rq->mac, rq->cmd->to, &actor));
}

static char *cmd_release(struct control *ctl, const struct ctl_req *rq)
{
	struct reg_actor actor = {.who = rq->who, .why = rq->why};

	return changed(ctl, rq, registry_release(ctl->reg, &rq->mac, &actor));
}

static char *cmd_forget(struct control *ctl, const struct ctl_req *rq)
{
	struct reg_actor actor = {.who = rq->who, .why = rq->why};
	json_object *o;
	int ret = registry_forget(ctl->reg, &rq->mac, &actor);

	if (ret < 0)
		return refused(ctl, rq, ret);
	o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "mac", json_object_new_string(rq->mac_str));
	json_object_object_add(o, "state", json_object_new_string(dev_state_name(DEV_FORGOTTEN)));
	return respond_ok(o);
}

static char *no_mud(void)
{
	return respond_err("internal", "the MUD manager is not running");
}

static char *cmd_mud_show(struct control *ctl, const struct ctl_req *rq)
{
	const struct device *d;
	json_object *o;
	const char *url = rq->url;
	int ret;

	if (!ctl->mud)
		return no_mud();
	if (rq->has_mac == !!rq->url)
		return respond_err(
			"bad_request", "mud_show needs exactly one of \"mac\" and \"url\"");
	if (rq->has_mac) {
		d = registry_get(ctl->reg, &rq->mac);
		if (!d)
			return respond_errf("not_found", "no device %s", rq->mac_str);
		if (!d->mud_url[0])
			return respond_errf("not_found", "device %s has no MUD URL", rq->mac_str);
		url = d->mud_url;
	}
	ret = mudmgr_show(ctl->mud, url, &o);
	if (ret == -ENOENT)
		return respond_err("not_found", "no MUD file is known for that URL");
	if (ret < 0)
		return respond_errf("internal", "cannot show: %s", strerror(-ret));
	return respond_ok(o);
}

static char *cmd_mud_refresh(struct control *ctl, const struct ctl_req *rq)
{
	int ret;

	if (!ctl->mud)
		return no_mud();
	ret = mudmgr_refresh(ctl->mud, &rq->mac);
	switch (ret) {
	case 0:
	case -EINPROGRESS:
		return changed(ctl, rq, 0);
	case -ENOENT:
		return respond_errf("not_found", "no device %s", rq->mac_str);
	case -ENODATA:
		return respond_errf("not_found", "device %s has no MUD URL", rq->mac_str);
	default:
		return respond_errf("internal", "cannot refresh: %s", strerror(-ret));
	}
}

static char *cmd_mud_accept(struct control *ctl, const struct ctl_req *rq)
{
	struct reg_actor actor = {.who = rq->who, .why = rq->why};
	int ret;

	if (!ctl->mud)
		return no_mud();
	ret = mudmgr_accept(ctl->mud, &rq->mac, &actor);
	switch (ret) {
	case 0:
		return changed(ctl, rq, 0);
	case -ENOENT:
		return respond_errf("not_found", "no device %s", rq->mac_str);
	case -ENODATA:
		return respond_errf("already",
			"nothing waits for approval on device %s (no MUD update, no held URL)",
			rq->mac_str);
	default:
		return respond_errf("internal", "cannot accept: %s", strerror(-ret));
	}
}

/* A scanned RFC 9238 QR payload (AC-11); a URL without a MAC needs the user to name the
 * device it belongs to (AC-12). */
static char *cmd_mud_qr(struct control *ctl, const struct ctl_req *rq)
{
	struct hg_event ev = {.type = HG_EV_DEV_SEEN, .source = HG_SRC_QR, .time = util_now()};
	struct mud_qr qr;
	struct hg_mac mac;
	char err[160], m[HG_MAC_STRLEN];
	int ret;

	if (!ctl->mud)
		return no_mud();
	if (mud_qr_parse(rq->payload, rq->payload_len, &qr, err, sizeof(err)) < 0)
		return respond_errf("bad_request", "not a MUD QR payload: %s", err);
	if (!(qr.flags & MUD_QR_HAS_MAC) && !rq->has_mac)
		return respond_errf("needs_mac",
			"the code carries no MAC address for %s: name the device it belongs to "
			"(homegate mud qr FILE --mac MAC)",
			qr.url);
	if ((qr.flags & MUD_QR_HAS_MAC) && rq->has_mac && !util_mac_equal(&qr.mac, &rq->mac))
		return respond_errf("bad_request", "the code names device %s, not %s",
			util_mac_format(&qr.mac, m), rq->mac_str);
	mac = (qr.flags & MUD_QR_HAS_MAC) ? qr.mac : rq->mac;
	ev.dev_seen.mac = mac;
	ret = registry_apply_event(ctl->reg, &ev);
	if (ret < 0)
		return respond_errf("internal", "cannot record device %s: %s",
			util_mac_format(&mac, m), strerror(-ret));
	ret = mudmgr_intake(ctl->mud, &mac, qr.url, HG_SRC_QR, 0);
	if (ret < 0 && ret != -EEXIST && ret != -EPERM)
		return respond_errf("internal", "cannot take the MUD URL: %s", strerror(-ret));
	{
		struct ctl_req r = *rq;

		r.mac = mac;
		util_mac_format(&mac, r.mac_str);
		return changed(ctl, &r, 0);
	}
}

/* ---- onboarding (engine/onbmgr.h) ---- */

static char *no_onb(void)
{
	return respond_err("internal", "onboarding is not running (see the engine's log)");
}

static char *cmd_dpp_add(struct control *ctl, const struct ctl_req *rq)
{
	json_object *o;
	char err[192];
	int ret;

	if (!ctl->onb)
		return no_onb();
	if (strlen(rq->payload) != rq->payload_len || rq->payload_len > DPP_URI_MAX)
		return respond_errf("bad_request", "a DPP URI is at most %d bytes", DPP_URI_MAX);
	ret = onbmgr_add(ctl->onb, rq->payload, rq->has_mac ? &rq->mac : NULL, rq->who, &o, err,
		sizeof(err));
	if (ret == -EINVAL)
		return respond_errf("bad_request", "not a DPP URI: %s", err);
	if (ret == -EEXIST)
		return respond_errf("already", "%s", err);
	if (ret < 0)
		return respond_errf("internal", "%s", err);
	return respond_ok(o);
}

static char *cmd_dpp_list(struct control *ctl, const struct ctl_req *rq)
{
	json_object *o;

	(void)rq;
	if (!ctl->onb)
		return no_onb();
	if (onbmgr_list(ctl->onb, &o) < 0)
		return respond_err("internal", "cannot read the enrollee table");
	return respond_ok(o);
}

static char *cmd_dpp_decide(struct control *ctl, const struct ctl_req *rq)
{
	bool grant = strcmp(rq->cmd->name, "dpp_approve") == 0;
	json_object *o;
	int ret;

	if (!ctl->onb)
		return no_onb();
	ret = onbmgr_decide(ctl->onb, rq->id, grant, rq->who, rq->why, &o);
	if (ret == -ENOENT)
		return respond_errf("not_found", "no enrollee %lld", (long long)rq->id);
	if (ret == -EALREADY)
		return respond_errf("invalid_transition",
			"enrollee %lld is not waiting for an answer (it timed out or went away)",
			(long long)rq->id);
	if (ret < 0)
		return respond_errf("internal", "cannot decide: %s", strerror(-ret));
	return respond_ok(o);
}

/* ---- controllers (engine/ctlmgr.h) ---- */

static json_object *controller_json(const struct ctlmgr_entry *c)
{
	json_object *o = json_object_new_object();
	char m[HG_MAC_STRLEN];

	json_object_object_add(
		o, "kind", json_object_new_string(c->kind == CTLMGR_CLASS ? "class" : "my"));
	json_object_object_add(o, "uri", json_object_new_string(c->uri));
	json_object_object_add(o, "mac", json_object_new_string(util_mac_format(&c->mac, m)));
	json_object_object_add(o, "added", json_object_new_int64(c->added));
	json_object_object_add(o, "who", json_object_new_string(c->who));
	return o;
}

static char *cmd_controller_list(struct control *ctl, const struct ctl_req *rq)
{
	json_object *a;

	(void)rq;
	if (!ctl->ctlm)
		return respond_err("internal", "controllers are not available");
	a = json_object_new_array();
	for (size_t i = 0; i < ctlmgr_count(ctl->ctlm); i++)
		json_object_array_add(a, controller_json(ctlmgr_get(ctl->ctlm, i)));
	return respond_ok(a);
}

static char *cmd_controller_change(struct control *ctl, const struct ctl_req *rq)
{
	bool add = strcmp(rq->cmd->name, "controller_add") == 0;
	enum ctlmgr_kind kind = rq->uri ? CTLMGR_CLASS : CTLMGR_MY;
	const char *uri = rq->uri ? rq->uri : rq->url;
	struct ctlmgr_entry c = {.kind = kind, .mac = rq->mac};
	char err[200];
	int ret;

	if (!ctl->ctlm)
		return respond_err("internal", "controllers are not available");
	if (!rq->uri == !rq->url)
		return respond_errf("bad_request",
			"%s needs either \"uri\" (a controller class) or \"url\" (a MUD URL)",
			rq->cmd->name);
	err[0] = 0;
	ret = add ? ctlmgr_add(ctl->ctlm, kind, uri, &rq->mac, rq->who, err, sizeof(err))
		  : ctlmgr_del(ctl->ctlm, kind, uri, &rq->mac, rq->who, err, sizeof(err));
	if (ret == -EINVAL)
		return respond_errf("bad_request", "%s", err);
	if (ret == -EEXIST)
		return respond_errf("already", "%s is already a controller %s %s", rq->mac_str,
			rq->uri ? "of class" : "for", uri);
	if (ret == -ENOENT)
		return respond_errf("not_found", "%s is not a controller %s %s", rq->mac_str,
			rq->uri ? "of class" : "for", uri);
	if (ret == -ENOSPC)
		return respond_errf(
			"bad_request", "at most %d controllers can be declared", CTLMGR_MAX);
	if (ret < 0)
		return respond_errf("internal", "cannot store the controller: %s", strerror(-ret));
	util_strlcpy(c.uri, uri, sizeof(c.uri));
	util_strlcpy(c.who, rq->who ? rq->who : "", sizeof(c.who));
	c.added = util_now();
	return respond_ok(controller_json(&c));
}

/* ---- per-device PSKs (answered by the parent, later) ---- */

/* What a command returns when its answer comes later through control_psk_done. */
static char ctl_deferred[1];
#define CTL_DEFERRED ctl_deferred

static char *cmd_psk(struct control *ctl, const struct ctl_req *rq)
{
	enum control_psk_op op = !strcmp(rq->cmd->name, "psk_new") ? CONTROL_PSK_NEW
		: !strcmp(rq->cmd->name, "psk_revoke")		   ? CONTROL_PSK_REVOKE
								   : CONTROL_PSK_LIST;
	int ret;

	if (!ctl->psk_cb)
		return respond_err("unavailable", "per-device PSKs are not available");
	if (!ctl->cur_id)
		return respond_err(
			"internal", "psk commands are served on the control socket only");
	ret = ctl->psk_cb(
		op, rq->has_mac ? &rq->mac : NULL, rq->vlan, ctl->cur_id, rq->who, ctl->psk_arg);
	if (ret < 0)
		return respond_errf("internal", "cannot ask homegated: %s", strerror(-ret));
	return CTL_DEFERRED;
}

static char *psk_response(const struct control_psk_answer *a)
{
	const char *msg = a->message && a->message[0] ? a->message : NULL;
	json_object *o;
	char m[HG_MAC_STRLEN];

	if (a->err) {
		const char *code = a->err == -ENOENT ? "not_found"
			: a->err == -EOPNOTSUPP	     ? "unavailable"
						     : "internal";

		return respond_err(code, msg ? msg : strerror(-a->err));
	}
	o = json_object_new_object();
	if (!o)
		return NULL;
	if (a->op != CONTROL_PSK_LIST)
		json_object_object_add(
			o, "mac", json_object_new_string(util_mac_format(&a->mac, m)));
	if (a->op == CONTROL_PSK_NEW) {
		json_object_object_add(o, "keyid", json_object_new_string(a->keyid));
		json_object_object_add(o, "vlan", json_object_new_int(a->vlanid));
		json_object_object_add(o, "passphrase", json_object_new_string(a->pass));
	}
	json_object_object_add(o, "psk_file", json_object_new_string(a->file));
	if (a->op == CONTROL_PSK_LIST) {
		json_object *arr = json_object_new_array();

		for (size_t i = 0; arr && i < a->nentries; i++) {
			const struct control_psk_entry *e = &a->entries[i];
			json_object *x = json_object_new_object();

			if (!x)
				continue;
			json_object_object_add(
				x, "mac", json_object_new_string(util_mac_format(&e->mac, m)));
			json_object_object_add(x, "keyid", json_object_new_string(e->keyid));
			json_object_object_add(x, "vlan", json_object_new_int(e->vlanid));
			json_object_array_add(arr, x);
		}
		json_object_object_add(o, "entries", arr);
	}
	if (msg)
		json_object_object_add(o, "warning", json_object_new_string(msg));
	return respond_ok(o);
}

#define CTL_LIFECYCLE (CTL_ARG_MAC | CTL_ARG_WHY)

static const struct ctl_cmd ctl_cmds[] = {
	{"status", 0, 0, cmd_status, DEV_NEW},
	{"devices", 0, 0, cmd_devices, DEV_NEW},
	{"device", CTL_ARG_MAC, CTL_ARG_MAC, cmd_device, DEV_NEW},
	{"approve", CTL_LIFECYCLE, CTL_ARG_MAC, cmd_set_state, DEV_APPROVED},
	{"block", CTL_LIFECYCLE, CTL_ARG_MAC, cmd_set_state, DEV_BLOCKED},
	{"quarantine", CTL_LIFECYCLE, CTL_ARG_MAC, cmd_set_state, DEV_QUARANTINED},
	{"release", CTL_LIFECYCLE, CTL_ARG_MAC, cmd_release, DEV_NEW},
	{"forget", CTL_LIFECYCLE, CTL_ARG_MAC, cmd_forget, DEV_NEW},
	{"log", CTL_ARG_MAC | CTL_ARG_LIMIT, 0, cmd_log, DEV_NEW},
	{"mud_show", CTL_ARG_MAC | CTL_ARG_URL, 0, cmd_mud_show, DEV_NEW},
	{"mud_refresh", CTL_ARG_MAC, CTL_ARG_MAC, cmd_mud_refresh, DEV_NEW},
	{"mud_accept", CTL_LIFECYCLE, CTL_ARG_MAC, cmd_mud_accept, DEV_NEW},
	{"mud_qr", CTL_ARG_PAYLOAD | CTL_ARG_MAC, CTL_ARG_PAYLOAD, cmd_mud_qr, DEV_NEW},
	{"psk_new", CTL_ARG_MAC | CTL_ARG_VLAN, CTL_ARG_MAC, cmd_psk, DEV_NEW},
	{"psk_revoke", CTL_ARG_MAC, CTL_ARG_MAC, cmd_psk, DEV_NEW},
	{"psk_list", 0, 0, cmd_psk, DEV_NEW},
	{"controller_add", CTL_ARG_MAC | CTL_ARG_URI | CTL_ARG_URL, CTL_ARG_MAC,
		cmd_controller_change, DEV_NEW},
	{"controller_del", CTL_ARG_MAC | CTL_ARG_URI | CTL_ARG_URL, CTL_ARG_MAC,
		cmd_controller_change, DEV_NEW},
	{"controller_list", 0, 0, cmd_controller_list, DEV_NEW},
	{"dpp_add", CTL_ARG_PAYLOAD | CTL_ARG_MAC, CTL_ARG_PAYLOAD, cmd_dpp_add, DEV_NEW},
	{"dpp_list", 0, 0, cmd_dpp_list, DEV_NEW},
	{"dpp_approve", CTL_ARG_ID | CTL_ARG_WHY, CTL_ARG_ID, cmd_dpp_decide, DEV_NEW},
	{"dpp_deny", CTL_ARG_ID | CTL_ARG_WHY, CTL_ARG_ID, cmd_dpp_decide, DEV_NEW},
};

static const struct {
	const char *name;
	unsigned arg;
} ctl_members[] = {
	{"mac", CTL_ARG_MAC},
	{"why", CTL_ARG_WHY},
	{"limit", CTL_ARG_LIMIT},
	{"url", CTL_ARG_URL},
	{"payload", CTL_ARG_PAYLOAD},
	{"vlan", CTL_ARG_VLAN},
	{"uri", CTL_ARG_URI},
	{"id", CTL_ARG_ID},
};

/* ---- request parsing ---- */

/* The value of a string member, or NULL when it is not a string or holds a NUL byte. */
static const char *string_of(json_object *v)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return NULL;
	return s;
}

static bool only_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* Fills rq from the request object; returns NULL or the error response. */
static char *parse_request(json_object *req, struct ctl_req *rq)
{
	unsigned seen = 0;
	json_object *v;
	const char *s;
	char k[40];

	if (!json_object_is_type(req, json_type_object))
		return respond_err("bad_request", "a request is a JSON object");
	if (!json_object_object_get_ex(req, "cmd", &v) || !(s = string_of(v)))
		return respond_err("bad_request", "\"cmd\" must be a string");
	for (size_t i = 0; i < ARRAY_SIZE(ctl_cmds); i++)
		if (strcmp(s, ctl_cmds[i].name) == 0)
			rq->cmd = &ctl_cmds[i];
	if (!rq->cmd) {
		util_sanitize(k, sizeof(k), s, strlen(s));
		return respond_errf("bad_request", "unknown command \"%s\"", k);
	}

	json_object_object_foreach(req, key, val)
	{
		unsigned arg = 0;

		if (strcmp(key, "cmd") == 0)
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(ctl_members); i++)
			if (strcmp(key, ctl_members[i].name) == 0)
				arg = ctl_members[i].arg;
		if (!(arg & rq->cmd->allowed)) {
			util_sanitize(k, sizeof(k), key, strlen(key));
			return respond_errf(
				"bad_request", "unknown member \"%s\" for %s", k, rq->cmd->name);
		}
		seen |= arg;
		if (arg == CTL_ARG_MAC) {
			if (!(s = string_of(val)) || util_mac_parse(s, &rq->mac) < 0)
				return respond_err("bad_request",
					"\"mac\" must be a MAC address like aa:bb:cc:dd:ee:ff");
			rq->has_mac = true;
			util_mac_format(&rq->mac, rq->mac_str);
		} else if (arg == CTL_ARG_WHY) {
			if (!(s = string_of(val)) || strlen(s) > CTL_WHY_MAX)
				return respond_err("bad_request",
					"\"why\" must be a string of at most 200 bytes");
			rq->why = s;
		} else if (arg == CTL_ARG_PAYLOAD) {
			if (!json_object_is_type(val, json_type_string) ||
				(size_t)json_object_get_string_len(val) > MUD_QR_MAX)
				return respond_errf("bad_request",
					"\"payload\" must be a string of at most %d bytes",
					MUD_QR_MAX);
			rq->payload = json_object_get_string(val);
			rq->payload_len = (size_t)json_object_get_string_len(val);
		} else if (arg == CTL_ARG_ID) {
			if (!json_object_is_type(val, json_type_int) ||
				json_object_get_int64(val) < 1)
				return respond_err(
					"bad_request", "\"id\" must be a positive integer");
			rq->id = json_object_get_int64(val);
		} else if (arg == CTL_ARG_URI) {
			if (!(s = string_of(val)) || strlen(s) > CTLMGR_URI_MAX)
				return respond_errf("bad_request",
					"\"uri\" must be a string of at most %d bytes",
					CTLMGR_URI_MAX);
			rq->uri = s;
		} else if (arg == CTL_ARG_VLAN) {
			int64_t n;

			if (!json_object_is_type(val, json_type_int) ||
				(n = json_object_get_int64(val)) < 1 || n > 4094)
				return respond_err(
					"bad_request", "\"vlan\" must be an integer 1..4094");
			rq->vlan = (int)n;
		} else if (arg == CTL_ARG_URL) {
			if (!(s = string_of(val)) || !mud_url_valid(s))
				return respond_err("bad_request",
					"\"url\" must be an https URL of at most 255 bytes");
			rq->url = s;
		} else {
			int64_t n;

			if (!json_object_is_type(val, json_type_int) ||
				(n = json_object_get_int64(val)) < 1 || n > CTL_LOG_MAX)
				return respond_err(
					"bad_request", "\"limit\" must be an integer 1..1000");
			rq->limit = (unsigned)n;
		}
	}
	if ((rq->cmd->required & ~seen) & CTL_ARG_MAC)
		return respond_errf("bad_request", "%s needs \"mac\"", rq->cmd->name);
	if ((rq->cmd->required & ~seen) & CTL_ARG_ID)
		return respond_errf("bad_request", "%s needs \"id\"", rq->cmd->name);
	if ((rq->cmd->required & ~seen) & CTL_ARG_PAYLOAD)
		return respond_errf("bad_request", "%s needs \"payload\"", rq->cmd->name);
	return NULL;
}

char *control_handle(struct control *ctl, const char *reqbuf, size_t len, const char *who)
{
	struct ctl_req rq = {.why = "cli", .limit = CTL_LOG_DEFAULT, .who = who};
	json_tokener *tok = NULL;
	json_object *req = NULL;
	char *resp = NULL;
	size_t end;

	if (len > CONTROL_MAX_REQUEST) {
		resp = respond_err("bad_request", "request longer than 65536 bytes");
		goto out;
	}
	tok = json_tokener_new();
	if (!tok)
		goto out;
	req = json_tokener_parse_ex(tok, reqbuf, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (!req || json_tokener_get_error(tok) != json_tokener_success ||
		!only_space(reqbuf + end, len - end)) {
		resp = respond_err("bad_request", "request is not one complete JSON object");
		goto out;
	}
	resp = parse_request(req, &rq);
	if (!resp)
		resp = rq.cmd->fn(ctl, &rq);
out:
	json_object_put(req);
	json_tokener_free(tok);
	return resp;
}

/* ---- connections ---- */

static void client_free(struct client *c)
{
	struct control *ctl = c->ctl;

	for (size_t i = 0; i < ARRAY_SIZE(ctl->clients); i++)
		if (ctl->clients[i] == c)
			ctl->clients[i] = NULL;
	ev_timer_cancel(ctl->loop, &c->idle);
	ev_io_del(ctl->loop, c->fd);
	close(c->fd);
	free(c->in);
	if (c->out)
		explicit_bzero(c->out, c->outlen); /* a psk_new answer holds a passphrase */
	free(c->out);
	free(c);
}

static void client_drop(struct client *c, const char *reason)
{
	log_debug("control=drop fd=%d who=%s reason=%s", c->fd, c->who, reason);
	client_free(c);
}

static void client_watch(struct client *c, uint32_t events)
{
	if (c->events == events)
		return;
	if (ev_io_mod(c->ctl->loop, c->fd, events) == 0)
		c->events = events;
}

/* Queues resp (taken) plus a newline; NULL means out of memory: say so, then close. */
static void client_queue(struct client *c, char *resp)
{
	static const char oom[] =
		"{\"ok\":false,\"code\":\"internal\",\"error\":\"out of memory\"}";
	size_t len;

	if (!resp) {
		c->closing = true;
		c->out = strdup(oom);
		if (!c->out)
			return;
	} else {
		c->out = resp;
	}
	/* Replace the terminating NUL with the newline: one allocation per response. */
	len = strlen(c->out);
	c->out[len] = '\n';
	c->outlen = len + 1;
	c->outoff = 0;
}

/* Writes what it can of the pending response: 0 when none is left, -EAGAIN when the socket is
 * full, another -errno when the peer is gone. */
static int client_flush(struct client *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
			MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
		c->outoff += (size_t)n;
	}
	if (c->out)
		explicit_bzero(c->out, c->outlen); /* a psk_new answer holds a passphrase */
	free(c->out);
	c->out = NULL;
	c->outlen = c->outoff = 0;
	return 0;
}

/* Length of the first complete line in c->in (the newline excluded), or -1. */
static ssize_t client_line(struct client *c)
{
	char *nl = c->inlen > c->scanned ? memchr(c->in + c->scanned, '\n', c->inlen - c->scanned)
					 : NULL;

	if (nl)
		return nl - c->in;
	c->scanned = c->inlen;
	if (c->eof && c->inlen > 0 && c->inlen <= CONTROL_MAX_REQUEST)
		return (ssize_t)c->inlen; /* the last line needs no newline */
	return -1;
}

/* Reads once: 0 on data, -EAGAIN when there is none, -EPIPE at end of input, else -errno. */
static int client_read(struct client *c)
{
	ssize_t n;

	if (c->incap - c->inlen < 4096 && c->incap < CTL_IN_MAX) {
		size_t cap = c->incap ? c->incap * 2 : 4096;
		char *in;

		if (cap > CTL_IN_MAX)
			cap = CTL_IN_MAX;
		in = realloc(c->in, cap);
		if (!in)
			return -ENOMEM;
		c->in = in;
		c->incap = cap;
	}
	if (c->inlen == c->incap)
		return -EAGAIN; /* full: the caller refuses the line */
	do
		n = recv(c->fd, c->in + c->inlen, c->incap - c->inlen, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (n == 0) {
		c->eof = true;
		return c->inlen > 0 ? 0 : -EPIPE;
	}
	c->inlen += (size_t)n;
	ev_timer_arm(c->ctl->loop, &c->idle, c->ctl->idle_ms);
	return 0;
}

/* Answers one request line; a psk_* request leaves the connection waiting for the parent. */
static char *handle_line(struct client *c, size_t len)
{
	struct control *ctl = c->ctl;
	char *resp;

	if (++ctl->next_id == 0)
		ctl->next_id = 1;
	ctl->cur_id = ctl->next_id;
	resp = control_handle(ctl, c->in, len, c->who);
	if (resp == CTL_DEFERRED)
		c->pending = ctl->cur_id;
	ctl->cur_id = 0;
	return resp;
}

/*
 * One step for a connection: finish the pending response; then, with none pending, take one
 * request line (reading when none is buffered), answer it and start writing the answer. One
 * request per step keeps a client that pipelines from starving the others. While lines are
 * buffered the connection waits for EPOLLOUT, so the next request is taken on a later loop
 * iteration and only once the socket has room again: a client that does not read its answers
 * stalls itself, not the engine.
 */
static void client_step(struct client *c, bool readable)
{
	ssize_t line;
	char *resp;
	int ret;

	if (c->pending)
		return; /* control_psk_done steps again */
	ret = client_flush(c);
	if (ret == -EAGAIN) {
		client_watch(c, EPOLLOUT);
		return;
	}
	if (ret < 0 || c->closing) {
		client_drop(c, ret < 0 ? "gone" : "done");
		return;
	}
	line = client_line(c);
	if (line < 0 && readable && !c->eof) {
		ret = client_read(c);
		if (ret < 0 && ret != -EAGAIN) {
			client_drop(c, ret == -EPIPE ? "eof" : "error");
			return;
		}
		line = client_line(c);
	}
	if (line >= 0) {
		resp = handle_line(c, (size_t)line);
		if ((size_t)line < c->inlen)
			line++; /* the newline */
		memmove(c->in, c->in + line, c->inlen - (size_t)line);
		c->inlen -= (size_t)line;
		c->scanned = 0;
		if (c->pending) {
			/* Nothing is read meanwhile; a hang-up still drops the connection. */
			client_watch(c, 0);
			return;
		}
		client_queue(c, resp);
		if (c->eof && c->inlen == 0)
			c->closing = true;
	} else if (c->inlen > CONTROL_MAX_REQUEST) {
		client_queue(c, respond_err("bad_request", "request longer than 65536 bytes"));
		c->closing = true;
	} else if (c->eof) {
		client_drop(c, "eof");
		return;
	} else {
		client_watch(c, EPOLLIN);
		return;
	}
	ret = client_flush(c);
	if (ret == -EAGAIN) {
		client_watch(c, EPOLLOUT);
		return;
	}
	if (ret < 0 || c->closing) {
		client_drop(c, ret < 0 ? "gone" : "done");
		return;
	}
	client_watch(c, client_line(c) >= 0 ? EPOLLOUT : EPOLLIN);
}

static void client_ready(int fd, uint32_t events, void *arg)
{
	struct client *c = arg;

	(void)fd;
	if (c->pending && (events & (EPOLLHUP | EPOLLERR))) {
		client_drop(c, "gone");
		return;
	}
	client_step(c, events & (EPOLLIN | EPOLLHUP | EPOLLERR));
}

static void client_idle(void *arg)
{
	client_drop(arg, "idle");
}

/* "user:<login>" for the peer's uid, "uid:<n>" when the login is unknown or does not fit the
 * audit log's alphabet. */
static void peer_name(int fd, char *who, size_t len)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct passwd pw, *res = NULL;
	char buf[2048];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0) {
		util_strlcpy(who, "user:unknown", len);
		return;
	}
	if (getpwuid_r(cred.uid, &pw, buf, sizeof(buf), &res) == 0 && res && pw.pw_name[0] &&
		strlen(pw.pw_name) + sizeof("user:") <= len) {
		bool ok = true;

		for (const char *p = pw.pw_name; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
				    *p == '-' || *p == '.'))
				ok = false;
		if (ok) {
			snprintf(who, len, "user:%s", pw.pw_name);
			return;
		}
	}
	snprintf(who, len, "uid:%u", (unsigned)cred.uid);
}

static void accept_ready(int fd, uint32_t events, void *arg);

static void accept_resume(void *arg)
{
	struct control *ctl = arg;

	if (ev_io_add(ctl->loop, ctl->listen_fd, EPOLLIN, accept_ready, ctl) == 0)
		ctl->listening = true;
	else
		ev_timer_arm(ctl->loop, &ctl->accept_retry, CTL_ACCEPT_PAUSE);
}

/* Refuses a connection beyond the limit with one line; a full socket just loses the line. */
static void refuse(int fd)
{
	static const char busy[] =
		"{\"ok\":false,\"code\":\"busy\",\"error\":\"too many clients, try again\"}\n";

	if (send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_debug("control=busy error=send");
	close(fd);
}

static void accept_ready(int fd, uint32_t events, void *arg)
{
	struct control *ctl = arg;

	(void)events;
	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct client *c;
		size_t slot;

		if (cfd < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (cfd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (cfd < 0) {
			/* Out of fds or memory: the listening socket stays readable, so stop
			 * watching it for a while rather than spin. */
			log_warn("control=accept action=pause ms=%d", CTL_ACCEPT_PAUSE);
			ev_io_del(ctl->loop, fd);
			ctl->listening = false;
			ev_timer_arm(ctl->loop, &ctl->accept_retry, CTL_ACCEPT_PAUSE);
			return;
		}
		for (slot = 0; slot < ARRAY_SIZE(ctl->clients) && ctl->clients[slot]; slot++)
			;
		if (slot == ARRAY_SIZE(ctl->clients)) {
			log_debug("control=refuse reason=busy");
			refuse(cfd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			refuse(cfd);
			continue;
		}
		c->ctl = ctl;
		c->fd = cfd;
		c->events = EPOLLIN;
		peer_name(cfd, c->who, sizeof(c->who));
		ev_timer_init(&c->idle, client_idle, c);
		if (ev_io_add(ctl->loop, cfd, EPOLLIN, client_ready, c) < 0) {
			close(cfd);
			free(c);
			continue;
		}
		ctl->clients[slot] = c;
		ev_timer_arm(ctl->loop, &c->idle, ctl->idle_ms);
		log_debug("control=accept fd=%d who=%s", cfd, c->who);
	}
}

int control_open(struct ev_loop *loop, int listen_fd, struct registry *reg,
	const struct control_status *status, struct control **out)
{
	struct control *ctl = calloc(1, sizeof(*ctl));
	int ret = 0;

	if (!ctl)
		return -ENOMEM;
	ctl->loop = loop;
	ctl->listen_fd = listen_fd;
	ctl->reg = reg;
	ctl->status = status;
	ctl->idle_ms = CONTROL_IDLE_MS;
	ev_timer_init(&ctl->accept_retry, accept_resume, ctl);
	if (listen_fd >= 0) {
		ret = ev_io_add(loop, listen_fd, EPOLLIN, accept_ready, ctl);
		if (ret < 0)
			goto out;
		ctl->listening = true;
	}
	*out = ctl;
out:
	if (ret < 0)
		free(ctl);
	return ret;
}

void control_set_mud(struct control *ctl, struct mudmgr *mud)
{
	ctl->mud = mud;
}

void control_set_onb(struct control *ctl, struct onbmgr *onb)
{
	ctl->onb = onb;
}

void control_set_controllers(struct control *ctl, struct ctlmgr *cm)
{
	ctl->ctlm = cm;
}

void control_set_psk(struct control *ctl, control_psk_cb cb, void *arg)
{
	ctl->psk_cb = cb;
	ctl->psk_arg = arg;
}

void control_psk_done(struct control *ctl, uint32_t id, const struct control_psk_answer *a)
{
	struct client *c = NULL;

	for (size_t i = 0; id && i < ARRAY_SIZE(ctl->clients); i++)
		if (ctl->clients[i] && ctl->clients[i]->pending == id)
			c = ctl->clients[i];
	if (!c)
		return;
	c->pending = 0;
	client_queue(c, psk_response(a));
	if (c->eof && c->inlen == 0)
		c->closing = true;
	client_step(c, false);
}

void control_set_idle_timeout(struct control *ctl, int64_t ms)
{
	ctl->idle_ms = ms;
}

void control_close(struct control *ctl)
{
	if (!ctl)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(ctl->clients); i++)
		if (ctl->clients[i])
			client_free(ctl->clients[i]);
	ev_timer_cancel(ctl->loop, &ctl->accept_retry);
	if (ctl->listening)
		ev_io_del(ctl->loop, ctl->listen_fd);
	free(ctl);
}
