/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the control socket: every command, hostile requests, the real socket path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/control.h"
#include "core/store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

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

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char path[128];
	struct hg_event ev = {.type = HG_EV_DHCP_LEASE, .source = HG_SRC_DNSMASQ, .time = 50};

	snprintf(f->dir, sizeof(f->dir), "/tmp/hg-ctl.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(path, sizeof(path), "%s/db", f->dir);
	if (store_open(path, &f->st) || registry_open(f->st, 10, &f->reg))
		return -1;
	ev.lease.op = HG_LEASE_ADD;
	util_mac_parse("52:54:00:00:00:01", &ev.lease.mac);
	ev.lease.addr.family = AF_INET;
	inet_pton(AF_INET, "192.168.50.10", &ev.lease.addr.v4);
	util_strlcpy(ev.lease.hostname, "cam", sizeof(ev.lease.hostname));
	ev.lease.flags = HG_LEASE_HAS_HOSTNAME;
	if (registry_apply_event(f->reg, &ev))
		return -1;
	f->loop = ev_loop_new();
	f->sun.sun_family = AF_UNIX;
	snprintf(f->sun.sun_path, sizeof(f->sun.sun_path), "%s/sock", f->dir);
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (bind(f->lfd, (struct sockaddr *)&f->sun, sizeof(f->sun)) || listen(f->lfd, 64))
		return -1;
	f->status.engine_start = 1;
	if (control_open(f->loop, f->lfd, f->reg, &f->status, &f->ctl))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	control_close(f->ctl);
	close(f->lfd);
	ev_loop_free(f->loop);
	registry_close(f->reg);
	store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* Runs one request through control_handle and checks the response contains want. */
static void expect(struct fx *f, const char *req, const char *want)
{
	char *resp = control_handle(f->ctl, req, strlen(req), "user:test");

	assert_non_null(resp);
	if (!strstr(resp, want))
		fail_msg("request %s: response %s lacks %s", req, resp, want);
	assert_null(strchr(resp, '\n'));
	free(resp);
}

static void test_commands(void **state)
{
	struct fx *f = *state;

	expect(f, "{\"cmd\":\"status\"}", "\"devices\":1");
	expect(f, "{\"cmd\":\"status\"}", "\"new\":1");
	expect(f, "{\"cmd\":\"devices\"}", "\"hostname\":\"cam\"");
	expect(f, "{\"cmd\":\"device\",\"mac\":\"52:54:00:00:00:01\"}",
		"\"addr\":\"192.168.50.10\"");
	expect(f, "{\"cmd\":\"device\",\"mac\":\"52:54:00:00:00:09\"}", "\"code\":\"not_found\"");
	expect(f, "{\"cmd\":\"block\",\"mac\":\"52:54:00:00:00:01\",\"why\":\"test\"}",
		"\"state\":\"blocked\"");
	expect(f, "{\"cmd\":\"block\",\"mac\":\"52:54:00:00:00:01\"}", "\"code\":\"already\"");
	expect(f, "{\"cmd\":\"quarantine\",\"mac\":\"52:54:00:00:00:01\"}",
		"\"code\":\"invalid_transition\"");
	expect(f, "{\"cmd\":\"approve\",\"mac\":\"52:54:00:00:00:01\"}", "\"state\":\"approved\"");
	expect(f, "{\"cmd\":\"quarantine\",\"mac\":\"52:54:00:00:00:01\"}",
		"\"state\":\"quarantined\"");
	expect(f, "{\"cmd\":\"release\",\"mac\":\"52:54:00:00:00:01\"}", "\"state\":\"approved\"");
	expect(f, "{\"cmd\":\"log\",\"limit\":1}", "\"who\":\"user:test\"");
	expect(f, "{\"cmd\":\"log\",\"mac\":\"52:54:00:00:00:01\"}", "\"why\":\"test\"");
	expect(f, "{\"cmd\":\"forget\",\"mac\":\"52:54:00:00:00:01\"}", "\"state\":\"forgotten\"");
	expect(f, "{\"cmd\":\"devices\"}", "\"result\":[]");
}

static void test_bad_requests(void **state)
{
	static const char *const bad[][2] = {
		{"not json", "not one complete JSON object"},
		{"{\"cmd\":\"status\"} trailing", "not one complete JSON object"},
		{"[1,2]", "not a JSON object"},
		{"{}", "\"cmd\\\" must be a string"},
		{"{\"cmd\":7}", "must be a string"},
		{"{\"cmd\":\"reboot\"}", "unknown command"},
		{"{\"cmd\":\"status\",\"evil\":1}", "unknown member \\\"evil\\\""},
		{"{\"cmd\":\"device\"}", "needs \\\"mac\\\""},
		{"{\"cmd\":\"device\",\"mac\":\"52:54:00:00:00\"}", "must be a MAC address"},
		{"{\"cmd\":\"device\",\"mac\":5}", "must be a MAC address"},
		{"{\"cmd\":\"log\",\"limit\":0}", "must be 1..1000"},
		{"{\"cmd\":\"log\",\"limit\":\"5\"}", "must be 1..1000"},
		{"{\"cmd\":\"block\",\"mac\":\"52:54:00:00:00:01\",\"why\":[]}",
			"\\\"why\\\" must be a string"},
	};
	struct fx *f = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect(f, bad[i][0], bad[i][1]);
	expect(f, "{\"cmd\":\"device\",\"mac\":\"52:54:00:00:00:01\"}", "\"state\":\"new\"");
}

static int client(struct fx *f)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_int_equal(connect(fd, (struct sockaddr *)&f->sun, sizeof(f->sun)), 0);
	return fd;
}

static void pump(struct fx *f, int n)
{
	for (int i = 0; i < n; i++)
		ev_loop_once(f->loop, 10);
}

static void test_socket(void **state)
{
	struct fx *f = *state;
	char buf[65536];
	int fd = client(f), fds[CONTROL_MAX_CLIENTS + 1];
	ssize_t n;

	/* two pipelined requests in one write */
	assert_true(write(fd, "{\"cmd\":\"status\"}\n{\"cmd\":\"devices\"}\n", 35) == 35);
	pump(f, 10);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "\"engine_restarts\""));
	pump(f, 10);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	if (n > 0) {
		buf[n] = '\0';
		assert_non_null(strstr(buf, "\"hostname\":\"cam\""));
	}
	close(fd);

	/* an over-long request is refused and the connection closed */
	fd = client(f);
	memset(buf, 'x', sizeof(buf));
	for (int i = 0; i < 3; i++) {
		if (send(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			break;
		pump(f, 5);
	}
	pump(f, 10);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "longer than 65536"));
	for (int i = 0; i < 50; i++) {
		pump(f, 1);
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN))
			break;
	}
	assert_true(n == 0 || (n < 0 && errno == ECONNRESET)); /* closed by the engine */
	close(fd);

	/* clients beyond the limit get "busy" and are closed; the others still work */
	for (int i = 0; i <= CONTROL_MAX_CLIENTS; i++)
		fds[i] = client(f);
	pump(f, 10);
	n = recv(fds[CONTROL_MAX_CLIENTS], buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "\"code\":\"busy\""));
	assert_true(write(fds[0], "{\"cmd\":\"status\"}\n", 17) == 17);
	pump(f, 10);
	n = recv(fds[0], buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_true(n > 0);
	for (int i = 0; i <= CONTROL_MAX_CLIENTS; i++)
		close(fds[i]);
	pump(f, 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
