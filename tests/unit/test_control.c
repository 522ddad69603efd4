/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the control socket: every command and hostile client, over a real socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/control.h"
#include "engine/ctlmgr.h"
#include "core/log.h"
#include "core/store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CAM   "52:54:00:00:00:01"
#define PLUG  "52:54:00:00:00:02"
#define TV    "52:54:00:00:00:03"
#define NOONE "52:54:00:00:00:99"

struct fx {
	char dir[64];
	struct store *st;
	struct registry *reg;
	struct ev_loop *loop;
	struct control *ctl;
	struct control_status status;
	int lfd;
	struct sockaddr_un sun;
};

/* One client connection with its receive buffer. */
struct conn {
	int fd;
	char *buf;
	size_t start, len, cap; /* unread bytes: buf[start..len) */
};

static void lease(
	struct fx *f, const char *mac, const char *ip, const char *host, const char *vendor)
{
	struct hg_event ev = {.type = HG_EV_DHCP_LEASE, .source = HG_SRC_DNSMASQ, .time = 1000};

	ev.lease.op = HG_LEASE_ADD;
	assert_int_equal(util_mac_parse(mac, &ev.lease.mac), 0);
	ev.lease.addr.family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(ev.lease.addr.family, ip, &ev.lease.addr.v6), 1);
	ev.lease.expires = 5000;
	ev.lease.flags = HG_LEASE_HAS_EXPIRES;
	if (host) {
		util_strlcpy(ev.lease.hostname, host, sizeof(ev.lease.hostname));
		ev.lease.flags |= HG_LEASE_HAS_HOSTNAME;
	}
	if (vendor) {
		util_strlcpy(ev.lease.vendor_class, vendor, sizeof(ev.lease.vendor_class));
		ev.lease.flags |= HG_LEASE_HAS_VENDOR;
	}
	assert_int_equal(registry_apply_event(f->reg, &ev), 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char path[128];

	if (!f)
		return -1;
	log_init("test_control", true, LOG_LEVEL_ERR);
	snprintf(f->dir, sizeof(f->dir), "/tmp/hg-ctl.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(path, sizeof(path), "%s/db", f->dir);
	if (store_open(path, &f->st) || registry_open(f->st, 1000, &f->reg))
		return -1;
	lease(f, PLUG, "192.168.50.11", "plug", "HS110");
	lease(f, CAM, "192.168.50.10", "cam", NULL);
	lease(f, TV, "fd00::3", NULL, NULL);
	f->loop = ev_loop_new();
	f->sun.sun_family = AF_UNIX;
	snprintf(f->sun.sun_path, sizeof(f->sun.sun_path), "%s/sock", f->dir);
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (!f->loop || f->lfd < 0 || bind(f->lfd, (struct sockaddr *)&f->sun, sizeof(f->sun)) ||
		listen(f->lfd, 64))
		return -1;
	f->status.engine_start = util_now() - 5;
	f->status.parent_start = util_now() - 100;
	f->status.engine_restarts = 2;
	util_strlcpy(f->status.state_dir, "/var/lib/homegate", sizeof(f->status.state_dir));
	if (control_open(f->loop, f->lfd, f->reg, &f->status, &f->ctl))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	static const char *const files[] = {"db", "db-wal", "db-shm", "sock"};
	struct fx *f = *state;
	char path[128];

	control_close(f->ctl);
	close(f->lfd);
	ev_loop_free(f->loop);
	registry_close(f->reg);
	store_close(f->st);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", f->dir, files[i]);
		unlink(path);
	}
	if (rmdir(f->dir) != 0)
		return -1;
	free(f);
	return 0;
}

static void pump(struct fx *f, int n)
{
	for (int i = 0; i < n; i++)
		ev_loop_once(f->loop, 2);
}

static struct conn *conn_open(struct fx *f)
{
	struct conn *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(c->fd >= 0);
	assert_int_equal(connect(c->fd, (struct sockaddr *)&f->sun, sizeof(f->sun)), 0);
	return c;
}

static void conn_close(struct conn *c)
{
	close(c->fd);
	free(c->buf);
	free(c);
}

/* Sends everything, running the loop whenever the socket is full. */
static void conn_send(struct fx *f, struct conn *c, const char *data, size_t len)
{
	size_t off = 0;

	for (int tries = 0; off < len; tries++) {
		ssize_t n = send(c->fd, data + off, len - off, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0)
			off += (size_t)n;
		else if (n < 0 && errno != EAGAIN)
			fail_msg("send: %s", strerror(errno));
		if (tries > 5000)
			fail_msg("the engine does not read");
		pump(f, 1);
	}
}

static void conn_sendline(struct fx *f, struct conn *c, const char *line)
{
	conn_send(f, c, line, strlen(line));
	conn_send(f, c, "\n", 1);
}

/* Receives what is there (running the loop first); returns false at end of stream. */
static bool conn_fill(struct fx *f, struct conn *c)
{
	ssize_t n;

	pump(f, 1);
	if (c->start > 0) {
		memmove(c->buf, c->buf + c->start, c->len - c->start);
		c->len -= c->start;
		c->start = 0;
	}
	if (c->cap - c->len < 65536) {
		c->cap = c->cap ? c->cap * 2 : 131072;
		c->buf = realloc(c->buf, c->cap);
		assert_non_null(c->buf);
	}
	n = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno == ECONNRESET))
		return false;
	if (n < 0 && errno != EAGAIN)
		fail_msg("recv: %s", strerror(errno));
	if (n > 0)
		c->len += (size_t)n;
	return true;
}

/* The next response line, exactly as sent (caller frees), or NULL when the engine closed the
 * connection first. Fails the test after about 10 s. */
static char *conn_line(struct fx *f, struct conn *c)
{
	for (int i = 0; i < 5000; i++) {
		char *nl = c->buf ? memchr(c->buf + c->start, '\n', c->len - c->start) : NULL;

		if (nl) {
			size_t n = (size_t)(nl - c->buf) - c->start;
			char *line = strndup(c->buf + c->start, n);

			assert_non_null(line);
			c->start += n + 1;
			return line;
		}
		if (!conn_fill(f, c))
			return NULL;
	}
	fail_msg("no response within 10 s");
	return NULL;
}

/* The next response, parsed; fails the test when there is none or it is not a JSON object. */
static json_object *conn_resp(struct fx *f, struct conn *c)
{
	char *line = conn_line(f, c);
	json_object *o;

	if (!line)
		fail_msg("connection closed without a response");
	o = json_tokener_parse(line);
	if (!o || !json_object_is_type(o, json_type_object))
		fail_msg("response is not a JSON object: %s", line);
	free(line);
	return o;
}

/* True when the engine closes the connection (after anything still buffered). */
static bool conn_closed(struct fx *f, struct conn *c)
{
	for (int i = 0; i < 500; i++)
		if (!conn_fill(f, c))
			return true;
	return false;
}

/* One request on a fresh connection. */
static json_object *ask(struct fx *f, const char *req)
{
	struct conn *c = conn_open(f);
	json_object *o;

	conn_sendline(f, c, req);
	o = conn_resp(f, c);
	conn_close(c);
	return o;
}

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no \"%s\" in %s", key, json_object_to_json_string(o));
	return v;
}

static const char *mstr(json_object *o, const char *key)
{
	json_object *v = member(o, key);

	if (!json_object_is_type(v, json_type_string))
		fail_msg("\"%s\" is not a string in %s", key, json_object_to_json_string(o));
	return json_object_get_string(v);
}

static int64_t mint(json_object *o, const char *key)
{
	json_object *v = member(o, key);

	if (!json_object_is_type(v, json_type_int))
		fail_msg("\"%s\" is not an integer in %s", key, json_object_to_json_string(o));
	return json_object_get_int64(v);
}

/* The result of a successful response (owned by resp). */
static json_object *ok_result(json_object *resp)
{
	if (!json_object_get_boolean(member(resp, "ok")))
		fail_msg("refused: %s", json_object_to_json_string(resp));
	return member(resp, "result");
}

static void assert_refused(json_object *resp, const char *code, const char *text)
{
	if (json_object_get_boolean(member(resp, "ok")) || strcmp(mstr(resp, "code"), code) != 0 ||
		(text && !strstr(mstr(resp, "error"), text)))
		fail_msg("expected %s \"%s\", got %s", code, text ? text : "",
			json_object_to_json_string(resp));
	json_object_put(resp);
}

static const char *state_of(struct fx *f, const char *mac)
{
	static char buf[32];
	char req[96];
	json_object *r;

	snprintf(req, sizeof(req), "{\"cmd\":\"device\",\"mac\":\"%s\"}", mac);
	r = ask(f, req);
	util_strlcpy(buf, mstr(ok_result(r), "state"), sizeof(buf));
	json_object_put(r);
	return buf;
}

static void test_status(void **state)
{
	struct fx *f = *state;
	json_object *r = ask(f, "{\"cmd\":\"status\"}"), *res = ok_result(r), *devs;

	assert_string_equal(mstr(res, "version"), HOMEGATE_VERSION);
	assert_int_equal(mint(res, "engine_restarts"), 2);
	assert_in_range(mint(res, "uptime"), 100, 110);
	assert_in_range(mint(res, "engine_uptime"), 5, 15);
	assert_string_equal(mstr(res, "state_dir"), "/var/lib/homegate");
	devs = member(res, "devices");
	assert_int_equal(mint(devs, "total"), 3);
	assert_int_equal(mint(devs, "new"), 3);
	assert_int_equal(mint(devs, "approved"), 0);
	assert_int_equal(mint(devs, "quarantined"), 0);
	json_object_put(r);

	/* The engine updates the struct it passed; status reports the current values. */
	f->status.engine_restarts = 3;
	json_object_put(ask(f, "{\"cmd\":\"block\",\"mac\":\"" CAM "\"}"));
	r = ask(f, "{\"cmd\":\"status\"}");
	res = ok_result(r);
	assert_int_equal(mint(res, "engine_restarts"), 3);
	assert_int_equal(mint(member(res, "devices"), "new"), 2);
	assert_int_equal(mint(member(res, "devices"), "blocked"), 1);
	json_object_put(r);
}

static void test_devices(void **state)
{
	struct fx *f = *state;
	json_object *r = ask(f, "{\"cmd\":\"devices\"}"), *arr = ok_result(r), *d, *x;

	assert_true(json_object_is_type(arr, json_type_array));
	assert_int_equal(json_object_array_length(arr), 3);
	/* MAC order, whatever the order of arrival */
	assert_string_equal(mstr(json_object_array_get_idx(arr, 0), "mac"), CAM);
	assert_string_equal(mstr(json_object_array_get_idx(arr, 1), "mac"), PLUG);
	assert_string_equal(mstr(json_object_array_get_idx(arr, 2), "mac"), TV);
	d = json_object_array_get_idx(arr, 1);
	assert_string_equal(mstr(d, "state"), "new");
	assert_string_equal(mstr(d, "hostname"), "plug");
	assert_string_equal(mstr(d, "mud_url"), "");
	assert_string_equal(mstr(d, "mud_source"), "");
	mstr(d, "vendor");
	mstr(d, "model");
	mstr(d, "category");
	assert_true(json_object_is_type(member(d, "confidence"), json_type_double));
	assert_int_equal(mint(d, "first_seen"), 1000);
	assert_int_equal(mint(d, "last_seen"), 1000);
	assert_true(json_object_get_boolean(member(d, "online")));
	x = member(d, "addresses");
	assert_int_equal(json_object_array_length(x), 1);
	x = json_object_array_get_idx(x, 0);
	assert_string_equal(mstr(x, "addr"), "192.168.50.11");
	assert_string_equal(mstr(x, "family"), "ipv4");
	assert_string_equal(mstr(x, "source"), "dnsmasq");
	assert_int_equal(mint(x, "expires"), 5000);
	x = member(d, "identities");
	assert_true(json_object_array_length(x) >= 2);
	for (size_t i = 0; i < json_object_array_length(x); i++) {
		json_object *id = json_object_array_get_idx(x, i);

		assert_string_equal(mstr(id, "source"), "dnsmasq");
		assert_string_equal(mstr(id, "strength"), "weak");
		if (strcmp(mstr(id, "kind"), "vendor_class") == 0)
			assert_string_equal(mstr(id, "value"), "HS110");
	}
	d = json_object_array_get_idx(arr, 2);
	x = json_object_array_get_idx(member(d, "addresses"), 0);
	assert_string_equal(mstr(x, "addr"), "fd00::3");
	assert_string_equal(mstr(x, "family"), "ipv6");
	json_object_put(r);

	/* one device, any spelling of its MAC */
	r = ask(f, "{\"cmd\":\"device\",\"mac\":\"52-54-00-00-00-01\"}");
	d = ok_result(r);
	assert_string_equal(mstr(d, "mac"), CAM);
	assert_string_equal(mstr(d, "hostname"), "cam");
	json_object_put(r);
	assert_refused(ask(f, "{\"cmd\":\"device\",\"mac\":\"" NOONE "\"}"), "not_found", NOONE);
}

static void test_lifecycle(void **state)
{
	struct fx *f = *state;
	json_object *r, *arr, *e;
	char who[40];
	struct passwd *pw = getpwuid(getuid());

	r = ask(f, "{\"cmd\":\"block\",\"mac\":\"" CAM "\",\"why\":\"unknown camera\"}");
	assert_string_equal(mstr(ok_result(r), "state"), "blocked");
	assert_string_equal(mstr(ok_result(r), "mac"), CAM);
	json_object_put(r);
	assert_string_equal(state_of(f, CAM), "blocked");
	assert_refused(ask(f, "{\"cmd\":\"block\",\"mac\":\"" CAM "\"}"), "already", "blocked");
	assert_refused(ask(f, "{\"cmd\":\"quarantine\",\"mac\":\"" CAM "\"}"), "invalid_transition",
		"while it is blocked");
	assert_refused(ask(f, "{\"cmd\":\"release\",\"mac\":\"" CAM "\"}"), "invalid_transition",
		"cannot release");
	assert_string_equal(state_of(f, CAM), "blocked");
	r = ask(f, "{\"cmd\":\"approve\",\"mac\":\"" CAM "\"}");
	assert_string_equal(mstr(ok_result(r), "state"), "approved");
	json_object_put(r);
	r = ask(f, "{\"cmd\":\"quarantine\",\"mac\":\"" CAM "\",\"why\":\"scanning\"}");
	assert_string_equal(mstr(ok_result(r), "state"), "quarantined");
	json_object_put(r);
	r = ask(f, "{\"cmd\":\"release\",\"mac\":\"" CAM "\"}");
	assert_string_equal(mstr(ok_result(r), "state"), "approved");
	json_object_put(r);
	assert_refused(ask(f, "{\"cmd\":\"approve\",\"mac\":\"" NOONE "\"}"), "not_found", NOONE);
	assert_refused(ask(f, "{\"cmd\":\"release\",\"mac\":\"" NOONE "\"}"), "not_found", NULL);

	/* the audit log names the peer's user and the reason, newest first */
	if (pw && strlen(pw->pw_name) <= 27 &&
		strspn(pw->pw_name,
			"abcdefghijklmnopqrstuvwxyz"
			"0123456789_.-") == strlen(pw->pw_name))
		snprintf(who, sizeof(who), "user:%s", pw->pw_name);
	else
		snprintf(who, sizeof(who), "uid:%u", (unsigned)getuid());
	r = ask(f, "{\"cmd\":\"log\",\"mac\":\"" CAM "\",\"limit\":4}");
	arr = ok_result(r);
	assert_int_equal(json_object_array_length(arr), 4);
	e = json_object_array_get_idx(arr, 0);
	assert_string_equal(mstr(e, "who"), who);
	assert_string_equal(mstr(e, "mac"), CAM);
	assert_string_equal(mstr(e, "from"), "quarantined");
	assert_string_equal(mstr(e, "to"), "approved");
	assert_string_equal(mstr(e, "why"), "cli");
	mint(e, "time");
	mstr(e, "action");
	e = json_object_array_get_idx(arr, 1);
	assert_string_equal(mstr(e, "why"), "scanning");
	e = json_object_array_get_idx(arr, 3);
	assert_string_equal(mstr(e, "why"), "unknown camera");
	assert_string_equal(mstr(e, "to"), "blocked");
	json_object_put(r);
	r = ask(f, "{\"cmd\":\"log\",\"limit\":1}");
	assert_int_equal(json_object_array_length(ok_result(r)), 1);
	json_object_put(r);
	r = ask(f, "{\"cmd\":\"log\",\"mac\":\"" PLUG "\"}");
	arr = ok_result(r);
	assert_int_equal(json_object_array_length(arr), 1); /* its creation */
	assert_string_equal(mstr(json_object_array_get_idx(arr, 0), "mac"), PLUG);
	json_object_put(r);

	/* forget: gone from the registry, audited, and a second forget finds nothing */
	r = ask(f, "{\"cmd\":\"forget\",\"mac\":\"" CAM "\",\"why\":\"sold it\"}");
	assert_string_equal(mstr(ok_result(r), "state"), "forgotten");
	assert_string_equal(mstr(ok_result(r), "mac"), CAM);
	json_object_put(r);
	assert_refused(ask(f, "{\"cmd\":\"device\",\"mac\":\"" CAM "\"}"), "not_found", NULL);
	assert_refused(ask(f, "{\"cmd\":\"forget\",\"mac\":\"" CAM "\"}"), "not_found", NULL);
	r = ask(f, "{\"cmd\":\"log\",\"limit\":1}");
	e = json_object_array_get_idx(ok_result(r), 0);
	assert_string_equal(mstr(e, "to"), "forgotten");
	assert_string_equal(mstr(e, "why"), "sold it");
	json_object_put(r);
	r = ask(f, "{\"cmd\":\"devices\"}");
	assert_int_equal(json_object_array_length(ok_result(r)), 2);
	json_object_put(r);
}

static void test_bad_requests(void **state)
{
	static const char *const bad[][2] = {
		{"", "not one complete JSON object"},
		{"not json", "not one complete JSON object"},
		{"{\"cmd\":\"status\"", "not one complete JSON object"},
		{"{\"cmd\":\"status\"} {\"cmd\":\"status\"}", "not one complete JSON object"},
		{"{\"cmd\":\"status\"} x", "not one complete JSON object"},
		{"[\"status\"]", "a request is a JSON object"},
		{"\"status\"", "a request is a JSON object"},
		{"{}", "\"cmd\" must be a string"},
		{"{\"cmd\":7}", "\"cmd\" must be a string"},
		{"{\"cmd\":null}", "\"cmd\" must be a string"},
		{"{\"cmd\":\"status\\u0000\"}", "\"cmd\" must be a string"},
		{"{\"cmd\":\"reboot\"}", "unknown command \"reboot\""},
		{"{\"cmd\":\"STATUS\"}", "unknown command"},
		{"{\"cmd\":\"status\",\"evil\":1}", "unknown member \"evil\""},
		{"{\"cmd\":\"status\",\"mac\":\"" CAM "\"}", "unknown member \"mac\" for status"},
		{"{\"cmd\":\"devices\",\"limit\":3}", "unknown member \"limit\""},
		{"{\"cmd\":\"device\",\"mac\":\"" CAM "\",\"why\":\"x\"}",
			"unknown member \"why\""},
		{"{\"cmd\":\"block\",\"mac\":\"" CAM "\",\"limit\":1}", "unknown member \"limit\""},
		{"{\"cmd\":\"device\"}", "device needs \"mac\""},
		{"{\"cmd\":\"block\",\"why\":\"x\"}", "block needs \"mac\""},
		{"{\"cmd\":\"device\",\"mac\":\"52:54:00:00:00\"}", "must be a MAC address"},
		{"{\"cmd\":\"device\",\"mac\":\"52:54:00:00:00:01:02\"}", "must be a MAC address"},
		{"{\"cmd\":\"device\",\"mac\":\"zz:54:00:00:00:01\"}", "must be a MAC address"},
		{"{\"cmd\":\"device\",\"mac\":\"" CAM "\\u0000x\"}", "must be a MAC address"},
		{"{\"cmd\":\"device\",\"mac\":5}", "must be a MAC address"},
		{"{\"cmd\":\"device\",\"mac\":[\"" CAM "\"]}", "must be a MAC address"},
		{"{\"cmd\":\"log\",\"limit\":0}", "must be an integer 1..1000"},
		{"{\"cmd\":\"log\",\"limit\":-1}", "must be an integer 1..1000"},
		{"{\"cmd\":\"log\",\"limit\":1001}", "must be an integer 1..1000"},
		{"{\"cmd\":\"log\",\"limit\":99999999999999999999999}", "must be an integer"},
		{"{\"cmd\":\"log\",\"limit\":\"5\"}", "must be an integer 1..1000"},
		{"{\"cmd\":\"log\",\"limit\":2.5}", "must be an integer 1..1000"},
		{"{\"cmd\":\"log\",\"limit\":true}", "must be an integer 1..1000"},
		{"{\"cmd\":\"block\",\"mac\":\"" CAM "\",\"why\":[]}", "\"why\" must be a string"},
		{"{\"cmd\":\"block\",\"mac\":\"" CAM "\",\"why\":null}",
			"\"why\" must be a string"},
	};
	struct fx *f = *state;
	struct conn *c = conn_open(f);
	char why[512], req[600];
	json_object *r;

	/* all on one connection: a bad request does not end it */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		conn_sendline(f, c, bad[i][0]);
		r = conn_resp(f, c);
		if (json_object_get_boolean(member(r, "ok")) ||
			strcmp(mstr(r, "code"), "bad_request") != 0 ||
			!strstr(mstr(r, "error"), bad[i][1]))
			fail_msg("request %s: expected \"%s\", got %s", bad[i][0], bad[i][1],
				json_object_to_json_string(r));
		json_object_put(r);
	}
	/* a "why" longer than 200 bytes is refused, 200 bytes are fine */
	memset(why, 'w', 201);
	why[201] = '\0';
	snprintf(req, sizeof(req), "{\"cmd\":\"block\",\"mac\":\"" CAM "\",\"why\":\"%s\"}", why);
	conn_sendline(f, c, req);
	assert_refused(conn_resp(f, c), "bad_request", "at most 200 bytes");
	/* an unknown member named with control characters comes back sanitised */
	conn_sendline(f, c, "{\"cmd\":\"status\",\"\\u001b[2J\":1}");
	assert_refused(conn_resp(f, c), "bad_request", "unknown member \"?[2J\"");
	/* nothing above changed anything, and the connection still serves */
	conn_sendline(f, c, "{\"cmd\":\"status\"}");
	r = conn_resp(f, c);
	assert_int_equal(mint(member(ok_result(r), "devices"), "new"), 3);
	json_object_put(r);
	why[200] = '\0';
	snprintf(req, sizeof(req), "{\"cmd\":\"block\",\"mac\":\"" CAM "\",\"why\":\"%s\"}", why);
	conn_sendline(f, c, req);
	r = conn_resp(f, c);
	assert_string_equal(mstr(ok_result(r), "state"), "blocked");
	json_object_put(r);
	conn_close(c);
}

/* Lines arrive in pieces, pipelined, with CRLF, or end at the peer's shutdown. */
static void test_framing(void **state)
{
	struct fx *f = *state;
	struct conn *c = conn_open(f);
	json_object *r;

	conn_send(f, c, "{\"cmd\":", 7);
	pump(f, 5);
	conn_send(f, c, "\"device\",\"mac\":\"" TV, strlen("\"device\",\"mac\":\"" TV));
	pump(f, 5);
	assert_int_equal(c->len, 0); /* nothing yet */
	assert_true(conn_fill(f, c));
	assert_int_equal(c->len, 0);
	conn_send(f, c, "\"}\r\n{\"cmd\":\"status\"}\n{\"cmd\":\"devices\"}\n",
		strlen("\"}\r\n{\"cmd\":\"status\"}\n{\"cmd\":\"devices\"}\n"));
	r = conn_resp(f, c);
	assert_string_equal(mstr(ok_result(r), "mac"), TV);
	json_object_put(r);
	r = conn_resp(f, c);
	mint(ok_result(r), "engine_restarts");
	json_object_put(r);
	r = conn_resp(f, c);
	assert_int_equal(json_object_array_length(ok_result(r)), 3);
	json_object_put(r);
	conn_close(c);

	/* no trailing newline, then shutdown: answered, then closed */
	c = conn_open(f);
	conn_send(f, c, "{\"cmd\":\"status\"}", 16);
	assert_int_equal(shutdown(c->fd, SHUT_WR), 0);
	r = conn_resp(f, c);
	ok_result(r);
	json_object_put(r);
	assert_true(conn_closed(f, c));
	conn_close(c);
}

static void test_oversize(void **state)
{
	struct fx *f = *state;
	size_t len = CONTROL_MAX_REQUEST;
	char *big = malloc(len + 2);
	struct conn *c;
	json_object *r;

	/* exactly the limit (a request padded with blanks) is served */
	assert_non_null(big);
	memset(big, ' ', len);
	memcpy(big, "{\"cmd\":\"status\"}", 16);
	big[len] = '\n';
	c = conn_open(f);
	conn_send(f, c, big, len + 1);
	r = conn_resp(f, c);
	ok_result(r);
	json_object_put(r);

	/* one byte more gets an error line, then the connection is closed */
	big[len] = ' ';
	big[len + 1] = '\n';
	conn_send(f, c, big, len + 2);
	assert_refused(conn_resp(f, c), "bad_request", "longer than 65536 bytes");
	assert_true(conn_closed(f, c));
	conn_close(c);

	/* a client that never sends a newline is cut off at the limit too */
	c = conn_open(f);
	memset(big, 'x', len + 2);
	for (int i = 0; i < 8; i++) {
		if (send(c->fd, big, len + 2, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			break;
		pump(f, 3);
	}
	assert_refused(conn_resp(f, c), "bad_request", "longer than 65536 bytes");
	assert_true(conn_closed(f, c));
	conn_close(c);
	free(big);

	/* the engine serves on */
	r = ask(f, "{\"cmd\":\"status\"}");
	ok_result(r);
	json_object_put(r);
}

static void test_many_clients(void **state)
{
	struct fx *f = *state;
	struct conn *c[CONTROL_MAX_CLIENTS + 1];
	json_object *r;

	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		c[i] = conn_open(f);
		pump(f, 1);
	}
	/* one too many: a busy line, then closed */
	c[CONTROL_MAX_CLIENTS] = conn_open(f);
	assert_refused(conn_resp(f, c[CONTROL_MAX_CLIENTS]), "busy", "too many clients");
	assert_true(conn_closed(f, c[CONTROL_MAX_CLIENTS]));
	conn_close(c[CONTROL_MAX_CLIENTS]);
	/* all the others are served */
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		conn_sendline(f, c[i], "{\"cmd\":\"status\"}");
	for (int i = CONTROL_MAX_CLIENTS - 1; i >= 0; i--) {
		r = conn_resp(f, c[i]);
		ok_result(r);
		json_object_put(r);
	}
	/* a slot that frees up is taken by the next client */
	conn_close(c[0]);
	pump(f, 5);
	c[0] = conn_open(f);
	conn_sendline(f, c[0], "{\"cmd\":\"status\"}");
	r = conn_resp(f, c[0]);
	ok_result(r);
	json_object_put(r);
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		conn_close(c[i]);
	pump(f, 5);
}

/* A client that pipelines without reading stalls only itself, and gets every answer in order. */
static void test_slow_reader(void **state)
{
	enum { N = 2000, REQ = 512 };
	static const char *const macs[] = {CAM, PLUG, TV};
	struct fx *f = *state;
	struct conn *c = conn_open(f);
	size_t len = 0, off = 0;
	char *reqs = malloc((size_t)N * REQ);
	unsigned got = 0;
	json_object *r;

	assert_non_null(reqs);
	/* requests padded with blanks to REQ bytes, so that they fill the socket buffers */
	memset(reqs, ' ', (size_t)N * REQ);
	for (unsigned i = 0; i < N; i++) {
		memcpy(reqs + len, "{\"cmd\":\"device\",\"mac\":\"", 23);
		memcpy(reqs + len + 23, macs[i % 3], 17);
		memcpy(reqs + len + 40, "\"}", 2);
		len += REQ;
		reqs[len - 1] = '\n';
	}
	/* write until both directions are full */
	for (int stuck = 0; off < len && stuck < 50;) {
		ssize_t n = send(c->fd, reqs + off, len - off, MSG_DONTWAIT | MSG_NOSIGNAL);

		stuck = n > 0 ? 0 : stuck + 1;
		if (n > 0)
			off += (size_t)n;
		pump(f, 1);
	}
	assert_true(off < len); /* the engine stopped reading: it holds back, it does not buffer */
	/* meanwhile another client is served */
	r = ask(f, "{\"cmd\":\"status\"}");
	ok_result(r);
	json_object_put(r);
	/* now read everything */
	while (got < N) {
		char *line;
		json_object *res;

		if (off < len) {
			ssize_t n = send(c->fd, reqs + off, len - off, MSG_DONTWAIT | MSG_NOSIGNAL);

			if (n > 0)
				off += (size_t)n;
		}
		line = conn_line(f, c);
		assert_non_null(line);
		r = json_tokener_parse(line);
		assert_non_null(r);
		res = ok_result(r);
		if (strcmp(mstr(res, "mac"), macs[got % 3]) != 0)
			fail_msg("response %u is for %s, not %s", got, mstr(res, "mac"),
				macs[got % 3]);
		json_object_put(r);
		free(line);
		got++;
	}
	assert_int_equal(off, len);
	free(reqs);
	conn_close(c);
}

/* An answer larger than the socket buffer is written in pieces as the client reads it, and the
 * engine serves others in between. */
static void test_large_answer(void **state)
{
	enum { EXTRA = 400 };
	struct fx *f = *state;
	char mac[HG_MAC_STRLEN], ip[32], vendor[251], *line;
	struct conn *c;
	json_object *r;
	int queued = 0;

	memset(vendor, 'v', sizeof(vendor) - 1);
	vendor[sizeof(vendor) - 1] = '\0';
	for (unsigned i = 0; i < EXTRA; i++) {
		snprintf(mac, sizeof(mac), "02:00:00:00:%02x:%02x", i >> 8, i & 0xff);
		snprintf(ip, sizeof(ip), "10.0.%u.%u", i >> 8, i & 0xff);
		lease(f, mac, ip, "x", vendor);
	}
	c = conn_open(f);
	conn_sendline(f, c, "{\"cmd\":\"devices\"}");
	conn_sendline(f, c, "{\"cmd\":\"status\"}");
	for (int i = 0; i < 200; i++)
		ev_loop_once(f->loop, 0);
	assert_int_equal(ioctl(c->fd, FIONREAD, &queued), 0);
	assert_true(queued > 0);
	r = ask(f, "{\"cmd\":\"status\"}");
	assert_int_equal(mint(member(ok_result(r), "devices"), "total"), EXTRA + 3);
	json_object_put(r);
	line = conn_line(f, c);
	assert_non_null(line);
	assert_true(strlen(line) > 250000); /* more than a socket buffer holds */
	r = json_tokener_parse(line);
	assert_non_null(r);
	assert_int_equal(json_object_array_length(ok_result(r)), EXTRA + 3);
	json_object_put(r);
	free(line);
	r = conn_resp(f, c);
	assert_int_equal(mint(member(ok_result(r), "devices"), "total"), EXTRA + 3);
	json_object_put(r);
	conn_close(c);
}

static void test_idle(void **state)
{
	struct fx *f = *state;
	struct conn *quiet, *busy;
	json_object *r;

	control_set_idle_timeout(f->ctl, 400);
	quiet = conn_open(f);
	busy = conn_open(f);
	for (int i = 0; i < 8; i++) {
		int64_t until = util_mono_ms() + 100;

		conn_sendline(f, busy, "{\"cmd\":\"status\"}");
		r = conn_resp(f, busy);
		json_object_put(r);
		while (util_mono_ms() < until)
			pump(f, 1);
	}
	/* 800 ms later: the quiet one is gone, the busy one still served */
	assert_true(conn_closed(f, quiet));
	conn_sendline(f, busy, "{\"cmd\":\"status\"}");
	r = conn_resp(f, busy);
	ok_result(r);
	json_object_put(r);
	conn_close(quiet);
	conn_close(busy);
}

static char *handle(struct fx *f, const char *req)
{
	char *resp = control_handle(f->ctl, req, strlen(req), "user:test");

	assert_non_null(resp);
	assert_null(strchr(resp, '\n'));
	return resp;
}

/* control_handle, as the fuzz harness uses it: one line out, never a newline in it. */
static void test_handle(void **state)
{
	struct fx *f = *state;
	char *resp = control_handle(f->ctl, "{\"cmd\":\"devices\"}xyz", 17, "user:test");

	assert_non_null(resp);
	assert_null(strchr(resp, '\n'));
	assert_non_null(strstr(resp, "\"ok\":true"));
	free(resp);
	resp = handle(f, "{\"cmd\":\"hostname\\n\"}");
	assert_non_null(strstr(resp, "unknown command \\\"hostname?\\\""));
	free(resp);
	resp = handle(f, "{\"cmd\":\"block\",\"mac\":\"" CAM "\"}");
	assert_non_null(strstr(resp, "\"state\":\"blocked\""));
	free(resp);
	resp = handle(f, "{\"cmd\":\"log\",\"limit\":1}");
	assert_non_null(strstr(resp, "\"who\":\"user:test\""));
	free(resp);
}

/* controller_add / del / list over control_handle: both kinds, clear refusals that change
 * nothing, and the audit row of each change. */
static void test_controllers(void **state)
{
	static const struct {
		const char *req, *want;
	} bad[] = {
		{"{\"cmd\":\"controller_add\",\"uri\":\"urn:x:y\"}",
			"controller_add needs \\\"mac\\\""},
		{"{\"cmd\":\"controller_add\",\"mac\":\"" PLUG "\"}", "either \\\"uri\\\""},
		{"{\"cmd\":\"controller_add\",\"mac\":\"" PLUG
		 "\",\"uri\":\"urn:x:y\",\"url\":\"https://h.test/m.json\"}",
			"either \\\"uri\\\""},
		{"{\"cmd\":\"controller_add\",\"mac\":\"" PLUG "\",\"uri\":\"dns\"}",
			"a controller class is a URI"},
		{"{\"cmd\":\"controller_add\",\"mac\":\"" PLUG "\",\"uri\":7}",
			"\\\"uri\\\" must be a string"},
		{"{\"cmd\":\"controller_add\",\"mac\":\"" PLUG
		 "\",\"url\":\"http://h.test/m.json\"}",
			"https URL"},
		{"{\"cmd\":\"controller_add\",\"mac\":\"01:00:5e:00:00:01\",\"uri\":\"urn:x:y\"}",
			"unicast MAC"},
		{"{\"cmd\":\"controller_list\",\"mac\":\"" PLUG "\"}", "unknown member"},
		{"{\"cmd\":\"controller_del\",\"mac\":\"" PLUG "\",\"uri\":\"urn:x:y\"}",
			"\"code\":\"not_found\""},
	};
	struct fx *f = *state;
	struct ctlmgr *cm;
	char *resp;

	resp = handle(f, "{\"cmd\":\"controller_list\"}");
	assert_non_null(strstr(resp, "\"code\":\"internal\"")); /* no manager yet */
	free(resp);
	assert_int_equal(ctlmgr_open(f->st, &cm), 0);
	control_set_controllers(f->ctl, cm);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		resp = handle(f, bad[i].req);
		if (!strstr(resp, bad[i].want) || !strstr(resp, "\"ok\":false"))
			fail_msg("%s -> %s (wanted %s)", bad[i].req, resp, bad[i].want);
		free(resp);
	}
	assert_int_equal(ctlmgr_count(cm), 0);
	resp = handle(f,
		"{\"cmd\":\"controller_add\",\"mac\":\"" PLUG
		"\",\"uri\":\"urn:ietf:params:mud:dns\"}");
	assert_non_null(strstr(resp, "\"kind\":\"class\""));
	assert_non_null(strstr(resp, "\"who\":\"user:test\""));
	free(resp);
	resp = handle(f,
		"{\"cmd\":\"controller_add\",\"mac\":\"" CAM
		"\",\"url\":\"https://hubs.example.test/h1.json\"}");
	assert_non_null(strstr(resp, "\"kind\":\"my\""));
	free(resp);
	resp = handle(f,
		"{\"cmd\":\"controller_add\",\"mac\":\"" CAM
		"\",\"url\":\"https://hubs.example.test/h1.json\"}");
	assert_non_null(strstr(resp, "\"code\":\"already\""));
	free(resp);
	resp = handle(f, "{\"cmd\":\"controller_list\"}");
	assert_non_null(strstr(resp, "\"uri\":\"urn:ietf:params:mud:dns\",\"mac\":\"" PLUG "\""));
	assert_non_null(strstr(
		resp, "\"uri\":\"https:\\/\\/hubs.example.test\\/h1.json\",\"mac\":\"" CAM "\""));
	free(resp);
	resp = handle(f,
		"{\"cmd\":\"controller_del\",\"mac\":\"" PLUG
		"\",\"uri\":\"urn:ietf:params:mud:dns\"}");
	assert_non_null(strstr(resp, "\"ok\":true"));
	free(resp);
	assert_int_equal(ctlmgr_count(cm), 1);
	resp = handle(f, "{\"cmd\":\"log\",\"mac\":\"" PLUG "\",\"limit\":1}");
	assert_non_null(strstr(resp, "\"action\":\"controller_del\""));
	free(resp);
	control_set_controllers(f->ctl, NULL);
	ctlmgr_close(cm);
}

/* ---- psk_* : answered later by the parent ---- */

struct psk_seen {
	int calls;
	enum control_psk_op op;
	struct hg_mac mac;
	bool has_mac;
	int vlanid;
	uint32_t id;
	char who[40];
	int fail; /* returned by the callback */
};

static int psk_cb(enum control_psk_op op, const struct hg_mac *mac, int vlanid, uint32_t id,
	const char *who, void *arg)
{
	struct psk_seen *p = arg;

	p->calls++;
	p->op = op;
	p->has_mac = mac != NULL;
	if (mac)
		p->mac = *mac;
	p->vlanid = vlanid;
	p->id = id;
	util_strlcpy(p->who, who, sizeof(p->who));
	return p->fail;
}

/* A psk request waits for control_psk_done: nothing else is answered on that connection
 * meanwhile, other connections are served, the answer carries the passphrase once, a warning
 * and the errors map to their codes, and a connection that hangs up while waiting is dropped. */
static void test_psk_deferred(void **state)
{
	struct fx *f = *state;
	struct psk_seen p = {0};
	struct control_psk_answer a = {.op = CONTROL_PSK_NEW,
		.file = "/etc/hostapd/homegate.psk",
		.pass = "abcdefghijkmnpqrstuv",
		.keyid = "525400000001",
		.vlanid = 20,
		.message = ""};
	struct control_psk_entry e[2] = {{.keyid = "525400000001"}, {.keyid = "x", .vlanid = 7}};
	struct conn *c, *d;
	json_object *r, *res;
	char *line;

	/* Without a parent to ask: unavailable. */
	assert_refused(ask(f, "{\"cmd\":\"psk_list\"}"), "unavailable", "not available");
	control_set_psk(f->ctl, psk_cb, &p);
	assert_refused(ask(f, "{\"cmd\":\"psk_new\"}"), "bad_request", "psk_new needs \"mac\"");
	assert_refused(ask(f, "{\"cmd\":\"psk_new\",\"mac\":\"" CAM "\",\"vlan\":4095}"),
		"bad_request", "\"vlan\" must be an integer 1..4094");
	assert_refused(ask(f, "{\"cmd\":\"psk_list\",\"mac\":\"" CAM "\"}"), "bad_request",
		"unknown member");
	assert_int_equal(p.calls, 0);
	/* control_handle alone (no connection to answer later) refuses. */
	line = control_handle(f->ctl, "{\"cmd\":\"psk_list\"}", 18, "user:test");
	assert_non_null(strstr(line, "control socket only"));
	free(line);

	c = conn_open(f);
	conn_sendline(f, c, "{\"cmd\":\"psk_new\",\"mac\":\"" CAM "\",\"vlan\":20}");
	conn_sendline(f, c, "{\"cmd\":\"status\"}");
	pump(f, 20);
	assert_int_equal(p.calls, 1);
	assert_int_equal(p.op, CONTROL_PSK_NEW);
	assert_true(p.has_mac);
	assert_int_equal(p.vlanid, 20);
	assert_true(p.id != 0);
	assert_true(strncmp(p.who, "user:", 5) == 0 || strncmp(p.who, "uid:", 4) == 0);
	/* Still waiting: the status behind it is not answered, another connection is. */
	for (int i = 0; i < 50; i++)
		assert_true(conn_fill(f, c));
	assert_int_equal(c->len - c->start, 0);
	r = ask(f, "{\"cmd\":\"status\"}");
	ok_result(r);
	json_object_put(r);
	/* An answer for another id goes nowhere. */
	control_psk_done(f->ctl, p.id + 1000, &a);
	util_mac_parse(CAM, &a.mac);
	control_psk_done(f->ctl, p.id, &a);
	r = conn_resp(f, c);
	res = ok_result(r);
	assert_string_equal(mstr(res, "mac"), CAM);
	assert_string_equal(mstr(res, "passphrase"), "abcdefghijkmnpqrstuv");
	assert_string_equal(mstr(res, "keyid"), "525400000001");
	assert_int_equal(mint(res, "vlan"), 20);
	assert_string_equal(mstr(res, "psk_file"), "/etc/hostapd/homegate.psk");
	assert_false(json_object_object_get_ex(res, "warning", NULL));
	json_object_put(r);
	r = conn_resp(f, c); /* then the status */
	ok_result(r);
	json_object_put(r);

	/* A revoke with a warning; a list; the errors. */
	conn_sendline(f, c, "{\"cmd\":\"psk_revoke\",\"mac\":\"" PLUG "\"}");
	pump(f, 20);
	assert_int_equal(p.op, CONTROL_PSK_REVOKE);
	a.op = CONTROL_PSK_REVOKE;
	a.message = "hostapd wlan0 did not reload: not connected";
	control_psk_done(f->ctl, p.id, &a);
	r = conn_resp(f, c);
	res = ok_result(r);
	assert_string_equal(mstr(res, "warning"), "hostapd wlan0 did not reload: not connected");
	assert_false(json_object_object_get_ex(res, "passphrase", NULL));
	json_object_put(r);
	conn_sendline(f, c, "{\"cmd\":\"psk_list\"}");
	pump(f, 20);
	assert_int_equal(p.op, CONTROL_PSK_LIST);
	assert_false(p.has_mac);
	util_mac_parse(CAM, &e[0].mac);
	util_mac_parse(PLUG, &e[1].mac);
	a = (struct control_psk_answer){
		.op = CONTROL_PSK_LIST, .file = "/f", .entries = e, .nentries = 2, .message = ""};
	control_psk_done(f->ctl, p.id, &a);
	r = conn_resp(f, c);
	res = member(ok_result(r), "entries");
	assert_int_equal(json_object_array_length(res), 2);
	assert_string_equal(mstr(json_object_array_get_idx(res, 1), "mac"), PLUG);
	assert_int_equal(mint(json_object_array_get_idx(res, 1), "vlan"), 7);
	json_object_put(r);
	conn_sendline(f, c, "{\"cmd\":\"psk_revoke\",\"mac\":\"" NOONE "\"}");
	pump(f, 20);
	a = (struct control_psk_answer){.op = CONTROL_PSK_REVOKE,
		.err = -ENOENT,
		.message = "no such device: " NOONE " has no PSK in /f"};
	control_psk_done(f->ctl, p.id, &a);
	assert_refused(conn_resp(f, c), "not_found", "no such device");
	conn_sendline(f, c, "{\"cmd\":\"psk_list\"}");
	pump(f, 20);
	a = (struct control_psk_answer){.op = CONTROL_PSK_LIST,
		.err = -EOPNOTSUPP,
		.message = "no [wifi] psk_file configured"};
	control_psk_done(f->ctl, p.id, &a);
	assert_refused(conn_resp(f, c), "unavailable", "no [wifi] psk_file configured");
	/* The parent cannot be asked: internal, at once. */
	p.fail = -EPIPE;
	conn_sendline(f, c, "{\"cmd\":\"psk_list\"}");
	assert_refused(conn_resp(f, c), "internal", "cannot ask homegated");
	p.fail = 0;
	conn_close(c);

	/* Hanging up while waiting: dropped; the late answer goes nowhere. */
	d = conn_open(f);
	conn_sendline(f, d, "{\"cmd\":\"psk_list\"}");
	pump(f, 20);
	conn_close(d);
	pump(f, 20);
	a = (struct control_psk_answer){.op = CONTROL_PSK_LIST, .file = "/f", .message = ""};
	control_psk_done(f->ctl, p.id, &a);
	r = ask(f, "{\"cmd\":\"status\"}");
	ok_result(r);
	json_object_put(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_devices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_framing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversize, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_controllers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_psk_deferred, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
