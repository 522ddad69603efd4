/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the parent's per-device PSK requests: refusals of requests no engine sends,
 * the answers for every case (not configured, malformed file left alone, new, vlan, revoke one,
 * revoke twice, list in chunks), and RELOAD_WPA_PSK against a real hostapd (driver=none). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "onboard/psk.h"
#include "onboard/wifi.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define HOSTAPD "/usr/sbin/hostapd"
#define MAXANS	8

struct fx {
	char dir[64], psk[128], sae[128], sock[160], conf[128], log[128];
	struct hg_config cfg;
	struct ev_loop *loop;
	struct wifi *w;
	pid_t hapd;
	struct ipc_psk_result ans[MAXANS];
	size_t nans, len[MAXANS];
};

static int collect(const struct ipc_psk_result *r, size_t len, void *arg)
{
	struct fx *f = arg;

	assert_true(f->nans < MAXANS);
	assert_true(len >= offsetof(struct ipc_psk_result, e) && len <= sizeof(*r));
	memset(&f->ans[f->nans], 0, sizeof(f->ans[0]));
	memcpy(&f->ans[f->nans], r, len);
	f->len[f->nans++] = len;
	return 0;
}

static void station(const struct ipc_wifi_sta *sta, void *arg)
{
	(void)sta;
	(void)arg;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_wifi.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->psk, sizeof(f->psk), "%s/homegate.psk", f->dir);
	snprintf(f->sae, sizeof(f->sae), "%s/homegate.sae", f->dir);
	snprintf(f->conf, sizeof(f->conf), "%s/hostapd.conf", f->dir);
	snprintf(f->sock, sizeof(f->sock), "%s/ctrl/hgw0", f->dir);
	snprintf(f->log, sizeof(f->log), "%s/hostapd.log", f->dir);
	config_defaults(&f->cfg);
	f->loop = ev_loop_new();
	*state = f;
	return f->loop ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	wifi_close(f->w);
	if (f->hapd > 0) {
		kill(f->hapd, SIGKILL);
		waitpid(f->hapd, NULL, 0);
	}
	ev_loop_free(f->loop);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void open_wifi(struct fx *f)
{
	assert_int_equal(wifi_open(f->loop, &f->cfg, f->dir, station, f, &f->w), 0);
}

static int ask(struct fx *f, uint8_t op, const char *mac, int vlanid)
{
	struct ipc_psk_req rq = {.seq = 42, .op = op, .vlanid = vlanid};
	struct hg_mac m = {{0}};

	if (mac)
		assert_int_equal(util_mac_parse(mac, &m), 0);
	memcpy(rq.mac, m.b, 6);
	f->nans = 0;
	return wifi_psk(f->w, &rq, collect, f);
}

static char *slurp(const char *path)
{
	char *buf = NULL;
	size_t len;

	if (util_read_file(path, 1 << 20, &buf, &len) < 0)
		return NULL;
	return buf;
}

/* Requests our engine never sends are refused without an answer or a change. */
static void test_refused(void **state)
{
	struct fx *f = *state;

	util_strlcpy(f->cfg.wifi_psk_file, f->psk, sizeof(f->cfg.wifi_psk_file));
	open_wifi(f);
	assert_int_equal(ask(f, 0, "02:11:22:33:44:55", -1), -EINVAL);
	assert_int_equal(ask(f, IPC_PSK_OP_MAX + 1, "02:11:22:33:44:55", -1), -EINVAL);
	assert_int_equal(ask(f, IPC_PSK_NEW, "03:11:22:33:44:55", -1), -EINVAL);
	assert_int_equal(ask(f, IPC_PSK_NEW, NULL, -1), -EINVAL);
	assert_int_equal(ask(f, IPC_PSK_REVOKE, NULL, -1), -EINVAL);
	assert_int_equal(ask(f, IPC_PSK_NEW, "02:11:22:33:44:55", 0), -EINVAL);
	assert_int_equal(ask(f, IPC_PSK_NEW, "02:11:22:33:44:55", 4095), -EINVAL);
	assert_int_equal(f->nans, 0);
	assert_int_equal(access(f->psk, F_OK), -1);
}

static void test_not_configured(void **state)
{
	struct fx *f = *state;

	open_wifi(f);
	assert_int_equal(ask(f, IPC_PSK_NEW, "02:11:22:33:44:55", -1), 0);
	assert_int_equal(f->nans, 1);
	assert_int_equal(f->ans[0].seq, 42);
	assert_int_equal(f->ans[0].err, -EOPNOTSUPP);
	assert_string_equal(f->ans[0].error, "no [wifi] psk_file configured");
	assert_string_equal(f->ans[0].pass, "");
}

/* New, a VLAN, list, revoke one, revoke twice; sae_file follows; no hostapd is a warning. */
static void test_new_list_revoke(void **state)
{
	struct fx *f = *state;
	char line[256], *text;
	struct stat st;
	const struct ipc_psk_result *a = &f->ans[0];

	util_strlcpy(f->cfg.wifi_psk_file, f->psk, sizeof(f->cfg.wifi_psk_file));
	util_strlcpy(f->cfg.wifi_sae_file, f->sae, sizeof(f->cfg.wifi_sae_file));
	open_wifi(f);
	assert_int_equal(ask(f, IPC_PSK_NEW, "02:11:22:33:44:55", -1), 0);
	assert_int_equal(f->nans, 1);
	assert_int_equal(a->err, 0);
	assert_int_equal(strlen(a->pass), PSK_PASS_LEN);
	assert_string_equal(a->keyid, "021122334455");
	assert_int_equal(a->vlanid, -1);
	assert_non_null(strstr(a->error, "no [wifi] hostapd_ctrl configured"));
	assert_int_equal(f->len[0], offsetof(struct ipc_psk_result, e));
	snprintf(line, sizeof(line), "keyid=021122334455 02:11:22:33:44:55 %s\n", a->pass);
	text = slurp(f->psk);
	assert_non_null(text);
	assert_string_equal(text, line);
	free(text);
	assert_int_equal(stat(f->psk, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(line, sizeof(line), "sae_password=%s|mac=02:11:22:33:44:55|id=021122334455\n",
		a->pass);
	text = slurp(f->sae);
	assert_non_null(text);
	assert_string_equal(text, line);
	free(text);

	assert_int_equal(ask(f, IPC_PSK_NEW, "02:11:22:33:44:66", 7), 0);
	assert_int_equal(a->vlanid, 7);
	assert_int_equal(ask(f, IPC_PSK_LIST, NULL, 0), 0);
	assert_int_equal(f->nans, 1);
	assert_int_equal(a->err, 0);
	assert_int_equal(a->final, 1);
	assert_int_equal(a->count, 2);
	assert_string_equal(a->pass, "");
	assert_memory_equal(a->e[0].mac, "\x02\x11\x22\x33\x44\x55", 6);
	assert_string_equal(a->e[0].keyid, "021122334455");
	assert_int_equal(a->e[0].vlanid, 0);
	assert_int_equal(a->e[1].vlanid, 7);

	assert_int_equal(ask(f, IPC_PSK_REVOKE, "02:11:22:33:44:55", -1), 0);
	assert_int_equal(a->err, 0);
	text = slurp(f->psk);
	assert_non_null(text);
	assert_null(strstr(text, "02:11:22:33:44:55"));
	assert_non_null(strstr(text, "keyid=021122334466 vlanid=7 02:11:22:33:44:66 "));
	free(text);
	assert_int_equal(ask(f, IPC_PSK_REVOKE, "02:11:22:33:44:55", -1), 0);
	assert_int_equal(a->err, -ENOENT);
	snprintf(line, sizeof(line), "no such device: 02:11:22:33:44:55 has no PSK in %s", f->psk);
	assert_string_equal(a->error, line);
}

/* A file the parser refuses is answered with the reason and never rewritten. */
static void test_malformed_file_untouched(void **state)
{
	struct fx *f = *state;
	static const char bad[] = "02:11:22:33:44:55 qzx7\n";
	FILE *fp;
	char *text;

	util_strlcpy(f->cfg.wifi_psk_file, f->psk, sizeof(f->cfg.wifi_psk_file));
	open_wifi(f);
	fp = fopen(f->psk, "w");
	assert_non_null(fp);
	fputs(bad, fp);
	fclose(fp);
	assert_int_equal(ask(f, IPC_PSK_NEW, "02:11:22:33:44:77", -1), 0);
	assert_int_equal(f->ans[0].err, -EINVAL);
	assert_int_equal(strncmp(f->ans[0].error, f->psk, strlen(f->psk)), 0);
	assert_non_null(strstr(f->ans[0].error, ":1: "));
	assert_null(strstr(f->ans[0].error, "qzx7")); /* never the passphrase */
	text = slurp(f->psk);
	assert_string_equal(text, bad);
	free(text);
}

/* More entries than one message carries: chunks of IPC_PSK_CHUNK, the last one final. */
static void test_list_chunks(void **state)
{
	struct fx *f = *state;
	struct psk_store *s = NULL;
	char err[128], pass[64];
	size_t total = 0;

	util_strlcpy(f->cfg.wifi_psk_file, f->psk, sizeof(f->cfg.wifi_psk_file));
	open_wifi(f);
	assert_int_equal(psk_load(f->psk, &s, err, sizeof(err)), 0);
	for (unsigned i = 0; i < 2 * IPC_PSK_CHUNK + 10; i++) {
		struct hg_mac m = {{0x02, 0, 0, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i}};

		assert_int_equal(psk_new(s, &m, -1, pass), 0);
	}
	assert_int_equal(psk_save(s, f->psk), 0);
	psk_free(s);
	assert_int_equal(ask(f, IPC_PSK_LIST, NULL, 0), 0);
	assert_int_equal(f->nans, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(f->ans[i].final, i == 2);
		assert_int_equal(f->len[i],
			offsetof(struct ipc_psk_result, e) +
				f->ans[i].count * sizeof(f->ans[i].e[0]));
		total += f->ans[i].count;
	}
	assert_int_equal(f->ans[0].count, IPC_PSK_CHUNK);
	assert_int_equal(total, 2 * IPC_PSK_CHUNK + 10);
	assert_memory_equal(f->ans[2].e[9].mac, "\x02\x00\x00\x00\x08\x09", 6);
}

/* hostapd reads the file again on RELOAD_WPA_PSK and says OK; one that is gone is a warning. */
static void test_reload_real_hostapd(void **state)
{
	struct fx *f = *state;
	FILE *fp;
	pid_t pid;

	if (access(HOSTAPD, X_OK) != 0) {
		print_message("skip: " HOSTAPD " is not installed (Debian package hostapd)\n");
		skip();
	}
	fp = fopen(f->psk, "w");
	assert_non_null(fp);
	fclose(fp);
	fp = fopen(f->conf, "w");
	assert_non_null(fp);
	fprintf(fp,
		"interface=hgw0\ndriver=none\nctrl_interface=%s/ctrl\nssid=t\nwpa=2\n"
		"wpa_key_mgmt=WPA-PSK\nrsn_pairwise=CCMP\nwpa_psk_file=%s\n",
		f->dir, f->psk);
	fclose(fp);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (!freopen(f->log, "w", stdout))
			_exit(126);
		dup2(STDOUT_FILENO, STDERR_FILENO);
		execl(HOSTAPD, "hostapd", "-dd", f->conf, (char *)NULL);
		_exit(127);
	}
	f->hapd = pid;
	for (int i = 0; i < 500 && access(f->sock, F_OK) != 0; i++)
		usleep(10000);
	util_strlcpy(f->cfg.wifi_psk_file, f->psk, sizeof(f->cfg.wifi_psk_file));
	util_strlcpy(f->cfg.wifi_hostapd_ctrl, f->sock, sizeof(f->cfg.wifi_hostapd_ctrl));
	open_wifi(f);
	assert_int_equal(ask(f, IPC_PSK_NEW, "02:11:22:33:44:55", 12), 0);
	assert_int_equal(f->ans[0].err, 0);
	assert_string_equal(f->ans[0].error, ""); /* reloaded: hostapd parsed our file */

	kill(f->hapd, SIGKILL);
	waitpid(f->hapd, NULL, 0);
	f->hapd = 0;
	assert_int_equal(ask(f, IPC_PSK_REVOKE, "02:11:22:33:44:55", -1), 0);
	assert_int_equal(f->ans[0].err, 0);
	assert_non_null(strstr(f->ans[0].error, "hostapd hgw0 did not reload: "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_configured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_list_revoke, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_file_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_chunks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_real_hostapd, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
