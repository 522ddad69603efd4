/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the hostapd control client: the event parser on hostapd 2.10's own event
 * strings and hostile variants, and the client against a real hostapd (driver=none, no radio,
 * no privileges): PING, ATTACH, station events from NEW_STA / DEAUTHENTICATE / DISASSOCIATE,
 * and a reconnect after hostapd is killed and started again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "onboard/hapd_ctrl.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define HOSTAPD "/usr/sbin/hostapd"

static int parse(const char *s, struct hapd_event *ev)
{
	return hapd_event_parse(s, strlen(s), ev);
}

/* Event strings as hostapd 2.10 sends them (src/ap/sta_info.c ap_sta_set_authorized(): MAC,
 * then " keyid=" and " dpp_pkhash=" when known), seen on the attached socket. */
static void test_parse_station(void **state)
{
	struct hapd_event ev;

	(void)state;
	assert_int_equal(parse("<3>AP-STA-CONNECTED 02:11:22:33:44:55", &ev), 0);
	assert_int_equal(ev.kind, HAPD_EV_STA_CONNECTED);
	assert_int_equal(ev.level, 3);
	assert_int_equal(ev.flags, 0);
	assert_memory_equal(ev.mac.b, "\x02\x11\x22\x33\x44\x55", 6);

	assert_int_equal(parse("<3>AP-STA-CONNECTED 02:11:22:33:44:55 keyid=021122334455", &ev), 0);
	assert_int_equal(ev.flags, HAPD_EV_HAS_KEYID);
	assert_string_equal(ev.keyid, "021122334455");

	assert_int_equal(parse("<3>AP-STA-CONNECTED aa:bb:cc:dd:ee:f0 ip_addr=192.168.1.20 "
			       "keyid=cam dpp_pkhash="
			       "922DDD7A3ED69218937F9EB4B5A44B7B2C0E5A4E1D0EF0F4BA55A0EAAE61A87D",
				 &ev),
		0);
	assert_int_equal(ev.flags, HAPD_EV_HAS_KEYID | HAPD_EV_HAS_PKHASH);
	assert_string_equal(ev.keyid, "cam");
	assert_string_equal(
		ev.pkhash, "922ddd7a3ed69218937f9eb4b5a44b7b2c0e5a4e1d0ef0f4ba55a0eaae61a87d");

	/* Later hostapds and distributions add tokens (auth_alg=, vlan_id=): skipped. */
	assert_int_equal(
		parse("<3>AP-STA-CONNECTED 02:11:22:33:44:55 auth_alg=sae vlan_id=7", &ev), 0);
	assert_int_equal(ev.flags, 0);

	assert_int_equal(parse("<3>AP-STA-DISCONNECTED 02:11:22:33:44:55", &ev), 0);
	assert_int_equal(ev.kind, HAPD_EV_STA_DISCONNECTED);
	assert_memory_equal(ev.mac.b, "\x02\x11\x22\x33\x44\x55", 6);
	/* Not NUL-terminated: only len bytes are read. */
	assert_int_equal(
		hapd_event_parse("<3>AP-STA-DISCONNECTED 02:11:22:33:44:55XYZ", 40, &ev), 0);
}

static void test_parse_dpp_and_others(void **state)
{
	struct hapd_event ev;

	(void)state;
	assert_int_equal(parse("<3>DPP-AUTH-SUCCESS init=0", &ev), 0);
	assert_int_equal(ev.kind, HAPD_EV_DPP);
	assert_string_equal(ev.name, "DPP-AUTH-SUCCESS");
	assert_string_equal(ev.text, "init=0");
	assert_int_equal(parse("<3>DPP-CONF-SENT", &ev), 0);
	assert_string_equal(ev.name, "DPP-CONF-SENT");
	assert_string_equal(ev.text, "");
	assert_int_equal(parse("<3>DPP-FAIL Invalid role in I-capabilities 0x00", &ev), 0);
	assert_string_equal(ev.text, "Invalid role in I-capabilities 0x00");

	/* Well-formed, not ours: -ENODATA, with the name for the caller's debug line. */
	assert_int_equal(parse("<3>AP-ENABLED", &ev), -ENODATA);
	assert_string_equal(ev.name, "AP-ENABLED");
	assert_int_equal(parse("<2>CTRL-EVENT-EAP-STARTED 02:11:22:33:44:55", &ev), -ENODATA);
	/* Others' text is not judged: an SSID may be in any encoding. */
	assert_int_equal(parse("<3>WPS-PIN-NEEDED \xff\x01", &ev), -ENODATA);
	/* "DPP-" alone is no DPP event name. */
	assert_int_equal(parse("<3>DPP-", &ev), -ENODATA);
}

static void test_parse_hostile(void **state)
{
	static const char *const bad[] = {
		"",
		"AP-STA-CONNECTED 02:11:22:33:44:55",			 /* no priority */
		"<x>AP-STA-CONNECTED 02:11:22:33:44:55",		 /* bad priority */
		"<3",							 /* short */
		"<3>",							 /* no name */
		"<3> AP-STA-CONNECTED 02:11:22:33:44:55",		 /* empty name */
		"<3>ap-sta-connected 02:11:22:33:44:55",		 /* name alphabet */
		"<3>AP-STA-CONNECTED",					 /* no MAC */
		"<3>AP-STA-CONNECTED ",					 /* empty MAC */
		"<3>AP-STA-CONNECTED 02:11:22:33:44",			 /* short MAC */
		"<3>AP-STA-CONNECTED 02-11-22-33-44-55",		 /* not hostapd's form */
		"<3>AP-STA-CONNECTED 02:11:22:33:44:5g",		 /* not hex */
		"<3>AP-STA-CONNECTED 03:11:22:33:44:55",		 /* multicast */
		"<3>AP-STA-CONNECTED 00:00:00:00:00:00",		 /* zero */
		"<3>AP-STA-CONNECTED 02:11:22:33:44:556",		 /* glued */
		"<3>AP-STA-CONNECTED 02:11:22:33:44:55 ",		 /* trailing space */
		"<3>AP-STA-CONNECTED 02:11:22:33:44:55  keyid=a",	 /* double space */
		"<3>AP-STA-CONNECTED 02:11:22:33:44:55 keyid",		 /* no value */
		"<3>AP-STA-CONNECTED 02:11:22:33:44:55 keyid=",		 /* empty value */
		"<3>AP-STA-CONNECTED 02:11:22:33:44:55 =x",		 /* empty name */
		"<3>AP-STA-CONNECTED 02:11:22:33:44:55 Key=x",		 /* token alphabet */
		"<3>AP-STA-CONNECTED 02:11:22:33:44:55 keyid=a keyid=b", /* twice */
		"<3>AP-STA-CONNECTED 02:11:22:33:44:55 keyid=0123456789012345678901234567890123",
		"<3>AP-STA-CONNECTED 02:11:22:33:44:55 dpp_pkhash=00",
		("<3>AP-STA-CONNECTED 02:11:22:33:44:55 dpp_pkhash="
		 "922ddd7a3ed69218937f9eb4b5a44b7b2c0e5a4e1d0ef0f4ba55a0eaae61a8zz"),
		"<3>AP-STA-CONNECTED 02:11:22:33:44:55 keyid=a\tb", /* control byte */
		"<3>AP-STA-DISCONNECTED 02:11:22:33:44:55 \x7f=1",
		"<3>DPP-AUTH-SUCCESS init=\x01",
		"<3>DPP-AN-EVENT-NAME-MUCH-LONGER-THAN-ANY-HOSTAPD-SENDS x",
	};
	struct hapd_event ev;
	char big[HAPD_MSG_MAX + 2];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &ev) != -EINVAL)
			fail_msg("accepted: \"%s\"", bad[i]);
	}
	/* A NUL inside the datagram. */
	assert_int_equal(
		hapd_event_parse("<3>AP-STA-CONNECTED 02:11:22:33:44:55\0 keyid=x", 46, &ev),
		-EINVAL);
	/* Longer than any datagram we read; a DPP text longer than we keep. */
	memset(big, 'A', sizeof(big));
	memcpy(big, "<3>DPP-CONNECTOR ", 17);
	assert_int_equal(hapd_event_parse(big, HAPD_MSG_MAX + 1, &ev), -EINVAL);
	assert_int_equal(hapd_event_parse(big, 17 + HAPD_EVENT_TEXT_MAX, &ev), -EINVAL);
	assert_int_equal(hapd_event_parse(big, 17 + HAPD_EVENT_TEXT_MAX - 1, &ev), 0);
	assert_int_equal(strlen(ev.text), HAPD_EVENT_TEXT_MAX - 1);
}

/* ---- against a real hostapd ---- */

struct live {
	char dir[64], conf[128], ctrl[128], sock[160], log[128];
	pid_t pid;
	struct ev_loop *loop;
	struct hapd_ctrl *c;
	struct hapd_event last;
	unsigned nev;
};

static bool have_hostapd(void)
{
	return access(HOSTAPD, X_OK) == 0;
}

/* cmocka 1.1 has no skip message: say why before skipping. */
#define skip_no_hostapd()                                                                       \
	do {                                                                                    \
		print_message("skip: " HOSTAPD " is not installed (Debian package hostapd)\n"); \
		skip();                                                                         \
	} while (0)

static void hostapd_start(struct live *l)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		FILE *f = freopen(l->log, "a", stdout);

		(void)f;
		dup2(STDOUT_FILENO, STDERR_FILENO);
		execl(HOSTAPD, "hostapd", "-dd", l->conf, (char *)NULL);
		_exit(127);
	}
	l->pid = pid;
	/* hostapd makes its control socket while starting up. */
	for (int i = 0; i < 500; i++) {
		struct stat st;

		if (stat(l->sock, &st) == 0 && S_ISSOCK(st.st_mode))
			return;
		usleep(10000);
	}
	fail_msg("hostapd made no control socket %s (see %s)", l->sock, l->log);
}

static void hostapd_kill(struct live *l)
{
	if (l->pid > 0) {
		kill(l->pid, SIGKILL);
		waitpid(l->pid, NULL, 0);
		l->pid = 0;
	}
}

static void on_event(struct hapd_ctrl *c, const struct hapd_event *ev, void *arg)
{
	struct live *l = arg;

	assert_non_null(c);
	l->last = *ev;
	l->nev++;
}

/* Runs the loop until cond holds or ms pass; returns cond's last value. */
static bool run_until(struct live *l, bool (*cond)(struct live *), int ms)
{
	int64_t end = util_mono_ms() + ms;

	while (!cond(l) && util_mono_ms() < end)
		ev_loop_once(l->loop, 20);
	return cond(l);
}

static bool got_event(struct live *l)
{
	return l->nev > 0;
}

static bool is_up(struct live *l)
{
	return hapd_ctrl_is_up(l->c);
}

static bool is_down(struct live *l)
{
	return !hapd_ctrl_is_up(l->c);
}

static int live_setup(void **state)
{
	struct live *l = calloc(1, sizeof(*l));
	FILE *f;

	assert_non_null(l);
	snprintf(l->dir, sizeof(l->dir), "/tmp/test_hapd.XXXXXX");
	assert_non_null(mkdtemp(l->dir));
	snprintf(l->conf, sizeof(l->conf), "%s/hostapd.conf", l->dir);
	snprintf(l->ctrl, sizeof(l->ctrl), "%s/ctrl", l->dir);
	snprintf(l->sock, sizeof(l->sock), "%s/hgt0", l->ctrl);
	snprintf(l->log, sizeof(l->log), "%s/hostapd.log", l->dir);
	f = fopen(l->conf, "w");
	assert_non_null(f);
	/* An open network: NEW_STA authorizes the station at once. */
	fprintf(f, "interface=hgt0\ndriver=none\nctrl_interface=%s\nssid=homegate-test\n", l->ctrl);
	fclose(f);
	l->loop = ev_loop_new();
	assert_non_null(l->loop);
	*state = l;
	return 0;
}

static int live_teardown(void **state)
{
	struct live *l = *state;
	char cmd[128];

	hapd_ctrl_close(l->c);
	hostapd_kill(l);
	ev_loop_free(l->loop);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", l->dir);
	if (system(cmd) != 0)
		return -1;
	free(l);
	return 0;
}

static const struct hapd_ctrl_opts fast = {
	.timeout_ms = 500, .ping_ms = 200, .retry_min_ms = 50, .retry_max_ms = 200};

static void test_live_events(void **state)
{
	struct live *l = *state;
	char reply[256];

	if (!have_hostapd())
		skip_no_hostapd();
	hostapd_start(l);
	assert_int_equal(hapd_ctrl_open(l->loop, l->sock, l->dir, &fast, on_event, l, &l->c), 0);
	assert_true(hapd_ctrl_is_up(l->c));
	assert_string_equal(hapd_ctrl_name(l->c), "hgt0");
	assert_int_equal(hapd_ctrl_request(l->c, "PING", reply, sizeof(reply)), 4);
	assert_string_equal(reply, "PONG");
	/* hostapd's reply to an unknown command. */
	assert_true(hapd_ctrl_request(l->c, "NO-SUCH-COMMAND", reply, sizeof(reply)) > 0);
	assert_string_equal(reply, "UNKNOWN COMMAND");

	assert_true(hapd_ctrl_request(l->c, "NEW_STA 02:11:22:33:44:55", reply, sizeof(reply)) > 0);
	assert_string_equal(reply, "OK");
	assert_true(run_until(l, got_event, 2000));
	assert_int_equal(l->last.kind, HAPD_EV_STA_CONNECTED);
	assert_memory_equal(l->last.mac.b, "\x02\x11\x22\x33\x44\x55", 6);

	l->nev = 0;
	assert_true(hapd_ctrl_request(
			    l->c, "DEAUTHENTICATE 02:11:22:33:44:55", reply, sizeof(reply)) > 0);
	assert_true(run_until(l, got_event, 2000));
	assert_int_equal(l->last.kind, HAPD_EV_STA_DISCONNECTED);
	assert_memory_equal(l->last.mac.b, "\x02\x11\x22\x33\x44\x55", 6);

	/* DISASSOCIATE also ends the association with AP-STA-DISCONNECTED. */
	l->nev = 0;
	assert_true(hapd_ctrl_request(l->c, "NEW_STA 02:11:22:33:44:66", reply, sizeof(reply)) > 0);
	assert_true(run_until(l, got_event, 2000));
	assert_int_equal(l->last.kind, HAPD_EV_STA_CONNECTED);
	l->nev = 0;
	assert_true(hapd_ctrl_request(
			    l->c, "DISASSOCIATE 02:11:22:33:44:66", reply, sizeof(reply)) > 0);
	assert_true(run_until(l, got_event, 2000));
	assert_int_equal(l->last.kind, HAPD_EV_STA_DISCONNECTED);
	assert_memory_equal(l->last.mac.b, "\x02\x11\x22\x33\x44\x66", 6);
}

static void test_live_reconnect(void **state)
{
	struct live *l = *state;
	char reply[64];

	if (!have_hostapd())
		skip_no_hostapd();
	/* Not running yet: the client is created down and comes up when hostapd does. */
	assert_int_equal(hapd_ctrl_open(l->loop, l->sock, l->dir, &fast, on_event, l, &l->c), 0);
	assert_false(hapd_ctrl_is_up(l->c));
	assert_int_equal(hapd_ctrl_request(l->c, "PING", reply, sizeof(reply)), -ENOTCONN);
	hostapd_start(l);
	assert_true(run_until(l, is_up, 3000));

	/* Killed: the next PING finds it gone. */
	hostapd_kill(l);
	assert_true(run_until(l, is_down, 3000));
	assert_int_equal(hapd_ctrl_request(l->c, "PING", reply, sizeof(reply)), -ENOTCONN);

	/* Started again: reconnected, attached again, events flow. */
	hostapd_start(l);
	assert_true(run_until(l, is_up, 3000));
	assert_int_equal(hapd_ctrl_request(l->c, "PING", reply, sizeof(reply)), 4);
	l->nev = 0;
	assert_true(hapd_ctrl_request(l->c, "NEW_STA 02:11:22:33:44:77", reply, sizeof(reply)) > 0);
	assert_true(run_until(l, got_event, 2000));
	assert_int_equal(l->last.kind, HAPD_EV_STA_CONNECTED);
	assert_memory_equal(l->last.mac.b, "\x02\x11\x22\x33\x44\x77", 6);

	/* A restart the client has not noticed yet: the request itself finds the new socket
	 * refusing (the old peer is gone), reports it and reconnects. */
	hostapd_kill(l);
	hostapd_start(l);
	assert_true(hapd_ctrl_request(l->c, "PING", reply, sizeof(reply)) < 0);
	assert_false(hapd_ctrl_is_up(l->c));
	assert_true(run_until(l, is_up, 3000));
	assert_int_equal(hapd_ctrl_request(l->c, "PING", reply, sizeof(reply)), 4);
}

/* How long a hostapd death goes unnoticed is the PING interval (the kernel tells a datagram
 * socket nothing until it sends), and a restarted one is attached again within the back-off. */
static void test_live_detection_time(void **state)
{
	static const struct hapd_ctrl_opts slow_ping = {
		.ping_ms = 500, .retry_min_ms = 50, .retry_max_ms = 200};
	struct live *l = *state;
	int64_t t;

	if (!have_hostapd())
		skip_no_hostapd();
	hostapd_start(l);
	assert_int_equal(
		hapd_ctrl_open(l->loop, l->sock, l->dir, &slow_ping, on_event, l, &l->c), 0);
	assert_true(hapd_ctrl_is_up(l->c));
	t = util_mono_ms();
	hostapd_kill(l);
	assert_true(run_until(l, is_down, 1500));
	print_message("hostapd death noticed after %lld ms (PING every 500 ms)\n",
		(long long)(util_mono_ms() - t));
	hostapd_start(l);
	t = util_mono_ms();
	assert_true(run_until(l, is_up, 2000));
	print_message("attached again %lld ms after hostapd's socket appeared\n",
		(long long)(util_mono_ms() - t));
}

static void test_open_errors(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct hapd_ctrl *c = (void *)1;
	char longdir[200];

	(void)state;
	assert_non_null(loop);
	memset(longdir, 'a', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = '\0';
	assert_int_equal(
		hapd_ctrl_open(loop, "/run/hostapd/wlan0", longdir, NULL, on_event, NULL, &c),
		-ENAMETOOLONG);
	assert_null(c);
	assert_int_equal(
		hapd_ctrl_open(loop, longdir, "/tmp", NULL, on_event, NULL, &c), -ENAMETOOLONG);
	hapd_ctrl_close(NULL);
	ev_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_station),
		cmocka_unit_test(test_parse_dpp_and_others),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test_setup_teardown(test_live_events, live_setup, live_teardown),
		cmocka_unit_test_setup_teardown(test_live_reconnect, live_setup, live_teardown),
		cmocka_unit_test_setup_teardown(
			test_live_detection_time, live_setup, live_teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
