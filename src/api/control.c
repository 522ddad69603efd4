/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Control socket served by the engine for the homegate CLI: newline-delimited JSON. */
#include "api/control.h"

#include "core/log.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct client {
	struct control *ctl;
	int fd;
	char who[33];
	char *in; /* request bytes not yet terminated by a newline */
	size_t inlen;
	char *out; /* response bytes not yet written */
	size_t outlen, outoff;
	bool closing; /* close once out is drained */
	struct ev_timer idle;
};

struct control {
	struct ev_loop *loop;
	int listen_fd;
	struct registry *reg;
	const struct control_status *status;
	struct client *clients[CONTROL_MAX_CLIENTS];
};

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
	free(c->out);
	free(c);
}

static char *respond_err(const char *code, const char *msg)
{
	json_object *o = json_object_new_object();
	char *s;

	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "code", json_object_new_string(code));
	json_object_object_add(o, "error", json_object_new_string(msg));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

/* Takes ownership of result. */
static char *respond_ok(json_object *result)
{
	json_object *o = json_object_new_object();
	char *s;

	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "result", result);
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

static json_object *device_json(const struct device *d)
{
	json_object *o = json_object_new_object(), *addrs = json_object_new_array(),
		    *ids = json_object_new_array();
	char m[HG_MAC_STRLEN], a[INET6_ADDRSTRLEN];

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
	json_object_object_add(o, "first_seen", json_object_new_int64(d->first_seen));
	json_object_object_add(o, "last_seen", json_object_new_int64(d->last_seen));
	json_object_object_add(o, "online", json_object_new_boolean(d->online));
	for (unsigned i = 0; i < d->naddrs; i++) {
		const struct dev_addr *x = &d->addrs[i];
		json_object *ao = json_object_new_object();

		inet_ntop(x->addr.family,
			x->addr.family == AF_INET ? (const void *)&x->addr.v4
						  : (const void *)&x->addr.v6,
			a, sizeof(a));
		json_object_object_add(ao, "addr", json_object_new_string(a));
		json_object_object_add(ao, "family",
			json_object_new_string(x->addr.family == AF_INET ? "ipv4" : "ipv6"));
		json_object_object_add(
			ao, "source", json_object_new_string(hg_source_name(x->source)));
		json_object_object_add(ao, "last_seen", json_object_new_int64(x->last_seen));
		json_object_object_add(ao, "expires", json_object_new_int64(x->expires));
		json_object_array_add(addrs, ao);
	}
	for (unsigned i = 0; i < d->nids; i++) {
		const struct dev_identity *x = &d->ids[i];
		static const char *const strength[] = {"", "weak", "cert", "strong"};
		json_object *io = json_object_new_object();

		json_object_object_add(io, "kind", json_object_new_string(x->kind));
		json_object_object_add(io, "value", json_object_new_string(x->value));
		json_object_object_add(
			io, "source", json_object_new_string(hg_source_name(x->source)));
		json_object_object_add(io, "strength",
			json_object_new_string((unsigned)x->strength < ARRAY_SIZE(strength)
					? strength[x->strength]
					: ""));
		json_object_array_add(ids, io);
	}
	json_object_object_add(o, "addresses", addrs);
	json_object_object_add(o, "identities", ids);
	return o;
}

static int add_device(const struct device *d, void *arg)
{
	json_object_array_add(arg, device_json(d));
	return 0;
}

struct status_count {
	unsigned total, per[DEV_FORGOTTEN + 1];
};

static int count_device(const struct device *d, void *arg)
{
	struct status_count *c = arg;

	c->total++;
	if ((unsigned)d->state < ARRAY_SIZE(c->per))
		c->per[d->state]++;
	return 0;
}

static json_object *status_json(struct control *ctl)
{
	json_object *o = json_object_new_object(), *per = json_object_new_object();
	struct status_count c = {0};

	registry_foreach(ctl->reg, count_device, &c);
	for (unsigned s = DEV_NEW; s < DEV_FORGOTTEN; s++)
		json_object_object_add(per, dev_state_name(s), json_object_new_int64(c.per[s]));
	json_object_object_add(o, "version", json_object_new_string(HOMEGATE_VERSION));
	json_object_object_add(
		o, "engine_uptime", json_object_new_int64(util_now() - ctl->status->engine_start));
	json_object_object_add(o, "daemon_uptime",
		json_object_new_int64(
			ctl->status->parent_start ? util_now() - ctl->status->parent_start : 0));
	json_object_object_add(
		o, "engine_restarts", json_object_new_int64(ctl->status->engine_restarts));
	json_object_object_add(o, "state_dir", json_object_new_string(ctl->status->state_dir));
	json_object_object_add(o, "devices", json_object_new_int64(c.total));
	json_object_object_add(o, "states", per);
	return o;
}

static int add_audit(const struct audit_entry *e, void *arg)
{
	json_object *o = json_object_new_object();

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

static char *errno_response(int err, const char *mac)
{
	char msg[128];

	switch (err) {
	case -ENOENT:
		snprintf(msg, sizeof(msg), "no device %s", mac);
		return respond_err("not_found", msg);
	case -EALREADY:
		snprintf(msg, sizeof(msg), "device %s is already in that state", mac);
		return respond_err("already", msg);
	case -EINVAL:
		snprintf(msg, sizeof(msg), "that change is not allowed for device %s in its state",
			mac);
		return respond_err("invalid_transition", msg);
	default:
		snprintf(msg, sizeof(msg), "internal error: %s", strerror(-err));
		return respond_err("internal", msg);
	}
}

/* Every member of the request must be one of allowed (NULL-terminated). */
static const char *unknown_member(json_object *req, const char *const *allowed)
{
	json_object_object_foreach(req, key, val)
	{
		bool ok = false;

		(void)val;
		for (size_t i = 0; allowed[i]; i++)
			if (strcmp(key, allowed[i]) == 0)
				ok = true;
		if (!ok)
			return key;
	}
	return NULL;
}

static const struct {
	const char *cmd;
	int action; /* -1 none, else target state or special */
} commands[] = {
	{"status", -1},
	{"devices", -1},
	{"device", -1},
	{"log", -1},
	{"approve", DEV_APPROVED},
	{"block", DEV_BLOCKED},
	{"quarantine", DEV_QUARANTINED},
	{"release", 100},
	{"forget", 101},
};

char *control_handle(struct control *ctl, const char *reqbuf, size_t len, const char *who)
{
	static const char *const members[] = {"cmd", "mac", "why", "limit", NULL};
	json_tokener *tok = json_tokener_new();
	json_object *req = NULL, *v;
	const char *cmd, *bad, *macs = NULL, *why = "cli";
	struct hg_mac mac;
	int action = -2;
	char *resp = NULL, msg[160];

	if (!tok)
		return respond_err("internal", "out of memory");
	req = json_tokener_parse_ex(tok, reqbuf, (int)len);
	if (!req || json_tokener_get_error(tok) != json_tokener_success ||
		json_tokener_get_parse_end(tok) != len) {
		resp = respond_err("bad_request", "request is not one complete JSON object");
		goto out;
	}
	if (!json_object_is_type(req, json_type_object)) {
		resp = respond_err("bad_request", "request is not a JSON object");
		goto out;
	}
	if ((bad = unknown_member(req, members))) {
		char k[48];

		util_sanitize(k, sizeof(k), bad, strlen(bad));
		snprintf(msg, sizeof(msg), "unknown member \"%s\"", k);
		resp = respond_err("bad_request", msg);
		goto out;
	}
	if (!json_object_object_get_ex(req, "cmd", &v) ||
		!json_object_is_type(v, json_type_string)) {
		resp = respond_err("bad_request", "\"cmd\" must be a string");
		goto out;
	}
	cmd = json_object_get_string(v);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(cmd, commands[i].cmd) == 0)
			action = commands[i].action;
	if (action == -2) {
		resp = respond_err("bad_request", "unknown command");
		goto out;
	}
	if (json_object_object_get_ex(req, "mac", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
			util_mac_parse(json_object_get_string(v), &mac) < 0) {
			resp = respond_err("bad_request",
				"\"mac\" must be a MAC address like aa:bb:cc:dd:ee:ff");
			goto out;
		}
		macs = json_object_get_string(v);
	}
	if (json_object_object_get_ex(req, "why", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
			strlen(json_object_get_string(v)) > 200) {
			resp = respond_err(
				"bad_request", "\"why\" must be a string of at most 200 bytes");
			goto out;
		}
		why = json_object_get_string(v);
	}

	if (strcmp(cmd, "status") == 0) {
		resp = respond_ok(status_json(ctl));
	} else if (strcmp(cmd, "devices") == 0) {
		json_object *arr = json_object_new_array();

		registry_foreach(ctl->reg, add_device, arr);
		resp = respond_ok(arr);
	} else if (strcmp(cmd, "log") == 0) {
		json_object *arr;
		int64_t limit = 50;

		if (json_object_object_get_ex(req, "limit", &v)) {
			if (!json_object_is_type(v, json_type_int) ||
				(limit = json_object_get_int64(v)) < 1 || limit > 1000) {
				resp = respond_err("bad_request", "\"limit\" must be 1..1000");
				goto out;
			}
		}
		arr = json_object_new_array();
		if (registry_audit_foreach(
			    ctl->reg, macs ? &mac : NULL, (unsigned)limit, add_audit, arr) < 0) {
			json_object_put(arr);
			resp = respond_err("internal", "cannot read the audit log");
			goto out;
		}
		resp = respond_ok(arr);
	} else if (!macs) {
		resp = respond_err("bad_request", "this command needs \"mac\"");
	} else if (strcmp(cmd, "device") == 0) {
		const struct device *d = registry_get(ctl->reg, &mac);

		resp = d ? respond_ok(device_json(d)) : errno_response(-ENOENT, macs);
	} else {
		struct reg_actor actor = {.who = who, .why = why};
		const struct device *d;
		int ret;

		if (action == 100)
			ret = registry_release(ctl->reg, &mac, &actor);
		else if (action == 101)
			ret = registry_forget(ctl->reg, &mac, &actor);
		else
			ret = registry_set_state(ctl->reg, &mac, (enum dev_state)action, &actor);
		if (ret < 0) {
			resp = errno_response(ret, macs);
		} else if ((d = registry_get(ctl->reg, &mac))) {
			resp = respond_ok(device_json(d));
		} else {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "mac", json_object_new_string(macs));
			json_object_object_add(o, "state", json_object_new_string("forgotten"));
			resp = respond_ok(o);
		}
	}
out:
	json_object_put(req);
	json_tokener_free(tok);
	return resp ? resp : respond_err("internal", "out of memory");
}

static void client_write(struct client *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
			MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ev_io_mod(c->ctl->loop, c->fd, EPOLLOUT);
			return;
		}
		if (n < 0) {
			client_free(c);
			return;
		}
		c->outoff += (size_t)n;
	}
	free(c->out);
	c->out = NULL;
	c->outlen = c->outoff = 0;
	if (c->closing) {
		client_free(c);
		return;
	}
	ev_io_mod(c->ctl->loop, c->fd, EPOLLIN);
}

static void queue(struct client *c, char *resp)
{
	size_t len;
	char *out;

	if (!resp) {
		c->closing = true;
		return;
	}
	len = strlen(resp);
	out = realloc(c->out, c->outlen + len + 1);
	if (!out) {
		free(resp);
		c->closing = true;
		return;
	}
	memcpy(out + c->outlen, resp, len);
	out[c->outlen + len] = '\n';
	c->out = out;
	c->outlen += len + 1;
	free(resp);
}

static void client_ready(int fd, uint32_t events, void *arg)
{
	struct client *c = arg;
	char buf[8192];
	ssize_t n;

	if (events & EPOLLOUT) {
		client_write(c);
		return;
	}
	if (c->out) /* one request at a time: wait until the answer is out */
		return;
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_free(c);
		return;
	}
	ev_timer_arm(c->ctl->loop, &c->idle, CONTROL_IDLE_MS);
	if (c->inlen + (size_t)n > CONTROL_MAX_REQUEST + 1) {
		queue(c, respond_err("bad_request", "request longer than 65536 bytes"));
		c->closing = true;
		client_write(c);
		return;
	}
	{
		char *in = realloc(c->in, c->inlen + (size_t)n);

		if (!in) {
			client_free(c);
			return;
		}
		c->in = in;
		memcpy(c->in + c->inlen, buf, (size_t)n);
		c->inlen += (size_t)n;
	}
	for (;;) {
		char *nl = memchr(c->in, '\n', c->inlen);
		size_t linelen;

		if (!nl)
			break;
		linelen = (size_t)(nl - c->in);
		if (linelen > CONTROL_MAX_REQUEST) {
			queue(c, respond_err("bad_request", "request longer than 65536 bytes"));
			c->closing = true;
			break;
		}
		queue(c, control_handle(c->ctl, c->in, linelen, c->who));
		memmove(c->in, nl + 1, c->inlen - linelen - 1);
		c->inlen -= linelen + 1;
	}
	if (c->inlen > CONTROL_MAX_REQUEST) {
		queue(c, respond_err("bad_request", "request longer than 65536 bytes"));
		c->closing = true;
	}
	if (c->out || c->closing)
		client_write(c);
}

static void client_idle(void *arg)
{
	struct client *c = arg;

	log_debug("control=drop fd=%d reason=idle", c->fd);
	client_free(c);
}

static void peer_name(int fd, char *who, size_t len)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0) {
		util_strlcpy(who, "user:unknown", len);
		return;
	}
	if (getpwuid_r(cred.uid, &pw, buf, sizeof(buf), &res) == 0 && res) {
		char name[24];
		bool ok = true;

		util_strlcpy(name, pw.pw_name, sizeof(name));
		for (char *p = name; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
				    *p == '-' || *p == '.'))
				ok = false;
		if (ok && name[0]) {
			snprintf(who, len, "user:%s", name);
			return;
		}
	}
	snprintf(who, len, "uid:%u", (unsigned)cred.uid);
}

static void accept_ready(int fd, uint32_t events, void *arg)
{
	struct control *ctl = arg;

	(void)events;
	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct client *c;
		size_t slot;

		if (cfd < 0)
			return;
		for (slot = 0; slot < ARRAY_SIZE(ctl->clients) && ctl->clients[slot]; slot++)
			;
		if (slot == ARRAY_SIZE(ctl->clients) || !(c = calloc(1, sizeof(*c)))) {
			static const char busy[] =
				"{\"ok\":false,\"code\":\"busy\",\"error\":\"too many clients\"}\n";

			if (send(cfd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
				log_debug("control=busy-reply error=send");
			close(cfd);
			continue;
		}
		c->ctl = ctl;
		c->fd = cfd;
		peer_name(cfd, c->who, sizeof(c->who));
		ev_timer_init(&c->idle, client_idle, c);
		if (ev_io_add(ctl->loop, cfd, EPOLLIN, client_ready, c) < 0) {
			close(cfd);
			free(c);
			continue;
		}
		ctl->clients[slot] = c;
		ev_timer_arm(ctl->loop, &c->idle, CONTROL_IDLE_MS);
	}
}

int control_open(struct ev_loop *loop, int listen_fd, struct registry *reg,
	const struct control_status *status, struct control **out)
{
	struct control *ctl = calloc(1, sizeof(*ctl));
	int ret;

	if (!ctl)
		return -ENOMEM;
	ctl->loop = loop;
	ctl->listen_fd = listen_fd;
	ctl->reg = reg;
	ctl->status = status;
	if (listen_fd >= 0) {
		ret = ev_io_add(loop, listen_fd, EPOLLIN, accept_ready, ctl);
		if (ret < 0) {
			free(ctl);
			return ret;
		}
	}
	*out = ctl;
	return 0;
}

void control_close(struct control *ctl)
{
	if (!ctl)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(ctl->clients); i++)
		if (ctl->clients[i])
			client_free(ctl->clients[i]);
	if (ctl->listen_fd >= 0)
		ev_io_del(ctl->loop, ctl->listen_fd);
	free(ctl);
}
