/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for onboarding in the engine: a real store, registry and MUD manager, the
 * Controller on a loopback port, and our own Enrollee over TCP. A scanned code is granted after
 * mutual authentication and binds the device record; an unknown Enrollee is held until approved
 * or denied; a station that joins with the netAccessKey of a provisioned Enrollee gets its MAC
 * bound; bad codes are refused with reasons and change nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/config.h"
#include "core/evloop.h"
#include "core/store.h"
#include "engine/mudmgr.h"
#include "engine/onbmgr.h"
#include "engine/registry.h"
#include "onboard/dpp_crypto.h"
#include "onboard/dpp_sess.h"
#include "onboard/dpp_tcp.h"
#include "onboard/dpp_uri.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/obj_mac.h>
#include <openssl/x509.h>

static char dir[256];
static struct hg_config cfg;
static struct ev_loop *loop;
static struct store *st;
static struct registry *reg;
static struct mudmgr *mud;
static struct onbmgr *onb;
static EVP_PKEY *gw_key;
static int port;

static void start(unsigned unknown)
{
	char path[512], err[128];
	json_object *o, *u;
	struct dpp_uri uri;
	const unsigned char *p;

	config_defaults(&cfg);
	snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", dir);
	/* a free port: bind 0, read it, let onbmgr bind it */
	{
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = {
			.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t l = sizeof(a);

		assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
		assert_int_equal(getsockname(s, (struct sockaddr *)&a, &l), 0);
		port = ntohs(a.sin_port);
		close(s);
	}
	snprintf(cfg.dpp_listen, sizeof(cfg.dpp_listen), "127.0.0.1:%d", port);
	snprintf(cfg.dpp_ssid, sizeof(cfg.dpp_ssid), "HomeNet");
	cfg.dpp_unknown = unknown;
	cfg.dpp_hold_timeout_s = 5;
	cfg.mud_require_signature = 0;
	loop = ev_loop_new();
	snprintf(path, sizeof(path), "%s/homegate.db", dir);
	assert_int_equal(store_open(path, &st), 0);
	assert_int_equal(registry_open(st, 100, &reg), 0);
	assert_int_equal(mudmgr_open(loop, st, reg, &cfg, &mud), 0);
	assert_int_equal(onbmgr_open(loop, &cfg, st, reg, mud, &onb), 0);
	assert_int_equal(onbmgr_list(onb, &o), 0);
	assert_true(json_object_object_get_ex(o, "uri", &u));
	assert_int_equal(dpp_uri_parse(json_object_get_string(u), strlen(json_object_get_string(u)),
				 &uri, err, sizeof(err)),
		0);
	p = uri.spki;
	gw_key = d2i_PUBKEY(NULL, &p, (long)uri.spki_len);
	assert_non_null(gw_key);
	json_object_put(o);
}

static void stop(void)
{
	onbmgr_close(onb);
	mudmgr_close(mud);
	registry_close(reg);
	store_close(st);
	ev_loop_free(loop);
	EVP_PKEY_free(gw_key);
	onb = NULL;
}

/* Our Enrollee over TCP to the Controller, driving the engine's loop in between. */
struct enrollee {
	struct dpp_sess *s;
	int fd;
	struct dpp_tcp_rx rx;
	enum dpp_ev last;
	char reason[160];
};

static void pump(struct enrollee *en, int ms)
{
	for (int t = 0; t < ms; t += 10) {
		uint8_t buf[4096];
		ssize_t n;

		ev_loop_once(loop, 10);
		n = recv(en->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0)
			return;
		if (n < 0)
			continue;
		for (size_t off = 0, used; off < (size_t)n; off += used) {
			struct dpp_step step;
			int r = dpp_tcp_rx_feed(&en->rx, buf + off, (size_t)n - off, &used);

			assert_true(r >= 0);
			if (r == 0)
				break;
			dpp_sess_rx(en->s, en->rx.msg, en->rx.want, &step);
			dpp_tcp_rx_next(&en->rx);
			if (step.len)
				assert_int_equal(
					send(en->fd, step.out, step.len, 0), (ssize_t)step.len);
			if (step.retry_ms) {
				assert_int_equal(dpp_sess_comeback(en->s, &step), 0);
				assert_int_equal(
					send(en->fd, step.out, step.len, 0), (ssize_t)step.len);
			}
			if (step.ev != DPP_EV_NONE)
				en->last = step.ev;
			if (step.ev == DPP_EV_FAIL)
				snprintf(en->reason, sizeof(en->reason), "%s",
					dpp_sess_reason(en->s));
		}
		if (en->last == DPP_EV_CONF_RECEIVED || en->last == DPP_EV_FAIL)
			return;
	}
}

static void enrollee_start(struct enrollee *en, EVP_PKEY *own, const char *mudurl)
{
	static struct dpp_conf_req req;
	struct dpp_sess_params sp = {.role = DPP_ROLE_ENROLLEE,
		.initiator = true,
		.own_boot = own,
		.peer_boot = gw_key,
		.conf_req = &req};
	struct sockaddr_in a = {.sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct dpp_step step;

	memset(&req, 0, sizeof(req));
	snprintf(req.name, sizeof(req.name), "plug");
	snprintf(req.wifi_tech, sizeof(req.wifi_tech), "infra");
	req.netrole = DPP_NETROLE_STA;
	if (mudurl) {
		req.flags = DPP_CONF_REQ_HAS_MUDURL;
		snprintf(req.mudurl, sizeof(req.mudurl), "%s", mudurl);
	}
	memset(en, 0, sizeof(*en));
	dpp_tcp_rx_init(&en->rx);
	assert_int_equal(dpp_sess_new(&sp, &en->s), 0);
	en->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(en->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(dpp_sess_start(en->s, &step), 0);
	assert_int_equal(send(en->fd, step.out, step.len, 0), (ssize_t)step.len);
}

static void enrollee_end(struct enrollee *en)
{
	pump(en, 50); /* let the Controller read the Configuration Result */
	close(en->fd);
	for (int i = 0; i < 5; i++)
		ev_loop_once(loop, 10);
	dpp_sess_free(en->s);
}

/* The first enrollee of dpp_list with field == value, as JSON (caller puts), or NULL. */
static json_object *find(const char *field, const char *value)
{
	json_object *o, *a, *r = NULL;

	assert_int_equal(onbmgr_list(onb, &o), 0);
	assert_true(json_object_object_get_ex(o, "enrollees", &a));
	for (size_t i = 0; i < json_object_array_length(a) && !r; i++) {
		json_object *e = json_object_array_get_idx(a, i), *v;

		if (json_object_object_get_ex(e, field, &v) &&
			strcmp(json_object_get_string(v), value) == 0)
			r = json_object_get(e);
	}
	json_object_put(o);
	return r;
}

static const char *sfield(json_object *e, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(e, k, &v) ? json_object_get_string(v) : "";
}

static void test_scanned_code(void **state)
{
	const struct dpp_curve *c = dpp_curve_by_nid(NID_X9_62_prime256v1);
	struct dpp_uri o = {.flags = DPP_URI_HAS_MAC};
	struct enrollee en;
	EVP_PKEY *own;
	json_object *e;
	char code[DPP_URI_MAX + 1], err[192];
	struct hg_mac mac;

	(void)state;
	start(HG_DPP_UNKNOWN_REFUSE);
	assert_int_equal(dpp_key_gen(c, &own), 0);
	util_mac_parse("02:00:00:aa:bb:01", &o.mac);
	assert_true(dpp_uri_make(own, &o, code, sizeof(code)) > 0);
	assert_int_equal(onbmgr_add(onb, code, NULL, "user:test", &e, err, sizeof(err)), 0);
	json_object_put(e);
	assert_int_equal(onbmgr_add(onb, code, NULL, "user:test", &e, err, sizeof(err)), -EEXIST);
	assert_int_equal(
		onbmgr_add(onb, "DPP:K:AAAA;;", NULL, "user:test", &e, err, sizeof(err)), -EINVAL);
	assert_true(err[0] != '\0');
	{
		/* another symbol on the label naming another MAC: not one device */
		struct hg_mac other;
		EVP_PKEY *k2;
		char code2[DPP_URI_MAX + 1];

		util_mac_parse("02:00:00:aa:bb:09", &other);
		assert_int_equal(dpp_key_gen(c, &k2), 0);
		assert_true(dpp_uri_make(k2, &o, code2, sizeof(code2)) > 0);
		assert_int_equal(
			onbmgr_add(onb, code2, &other, "user:test", &e, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "not one device"));
		EVP_PKEY_free(k2);
	}
	mac = o.mac;
	assert_non_null(registry_get(reg, &mac)); /* the code's MAC made the record */

	enrollee_start(&en, own, "https://mud.example.test/plug.json");
	pump(&en, 3000);
	assert_int_equal(en.last, DPP_EV_CONF_RECEIVED);
	assert_true(dpp_sess_mutual(en.s));
	assert_non_null(dpp_sess_connector(en.s));
	enrollee_end(&en);
	e = find("mac", "02:00:00:aa:bb:01");
	assert_non_null(e);
	assert_string_equal(sfield(e, "state"), "provisioned");
	assert_string_equal(sfield(e, "mud_url"), "https://mud.example.test/plug.json");
	json_object_put(e);
	/* the MUD URL went to the MUD manager with source dpp */
	assert_string_equal(registry_get(reg, &mac)->mud_url, "https://mud.example.test/plug.json");
	assert_int_equal(registry_get(reg, &mac)->mud_source, HG_SRC_DPP);
	EVP_PKEY_free(own);
	stop();
}

static void test_unknown_refused_then_held(void **state)
{
	const struct dpp_curve *c = dpp_curve_by_nid(NID_X9_62_prime256v1);
	struct enrollee en;
	EVP_PKEY *own;
	json_object *e, *idv;
	int64_t id;

	(void)state;
	assert_int_equal(dpp_key_gen(c, &own), 0);
	/* refuse: no credentials */
	start(HG_DPP_UNKNOWN_REFUSE);
	enrollee_start(&en, own, NULL);
	pump(&en, 3000);
	assert_int_equal(en.last, DPP_EV_FAIL);
	assert_non_null(strstr(en.reason, "refused"));
	enrollee_end(&en);
	stop();

	/* hold: waiting until approved */
	start(HG_DPP_UNKNOWN_HOLD);
	enrollee_start(&en, own, NULL);
	pump(&en, 1500);
	assert_int_equal(en.last, DPP_EV_AUTH_OK); /* authenticated, nothing provisioned */
	e = find("state", "held");
	assert_non_null(e);
	assert_true(json_object_object_get_ex(e, "id", &idv));
	id = json_object_get_int64(idv);
	json_object_put(e);
	assert_int_equal(onbmgr_decide(onb, id + 100, true, "user:test", "", &e), -ENOENT);
	assert_int_equal(onbmgr_decide(onb, id, true, "user:test", "mine", &e), 0);
	json_object_put(e);
	assert_int_equal(onbmgr_decide(onb, id, true, "user:test", "", &e), -EALREADY);
	pump(&en, 3000);
	assert_int_equal(en.last, DPP_EV_CONF_RECEIVED);
	enrollee_end(&en);

	/* hold, then deny */
	enrollee_start(&en, own, NULL);
	pump(&en, 1500);
	e = find("state", "held");
	assert_non_null(e);
	assert_true(json_object_object_get_ex(e, "id", &idv));
	id = json_object_get_int64(idv);
	json_object_put(e);
	assert_int_equal(onbmgr_decide(onb, id, false, "user:test", "not mine", &e), 0);
	json_object_put(e);
	pump(&en, 3000);
	assert_int_equal(en.last, DPP_EV_FAIL);
	enrollee_end(&en);
	e = find("why", "not mine");
	assert_non_null(e);
	assert_string_equal(sfield(e, "state"), "refused");
	json_object_put(e);
	EVP_PKEY_free(own);
	stop();
}

static void test_station_binding(void **state)
{
	const struct dpp_curve *c = dpp_curve_by_nid(NID_X9_62_prime256v1);
	struct enrollee en;
	EVP_PKEY *own;
	sqlite3_stmt *q;
	char nak[65] = "";
	struct hg_mac mac;
	json_object *e;

	(void)state;
	assert_int_equal(dpp_key_gen(c, &own), 0);
	start(HG_DPP_UNKNOWN_GRANT);
	enrollee_start(&en, own, "https://mud.example.test/cam.json");
	pump(&en, 3000);
	assert_int_equal(en.last, DPP_EV_CONF_RECEIVED);
	enrollee_end(&en);
	/* hostapd reports the netAccessKey's hash as dpp_pkhash when the station joins */
	assert_int_equal(sqlite3_prepare_v2(store_db(st),
				 "SELECT nak_hash FROM dpp_enrollees WHERE state = 'provisioned' "
				 "ORDER BY id DESC",
				 -1, &q, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	snprintf(nak, sizeof(nak), "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	assert_int_equal(strlen(nak), 64);
	util_mac_parse("02:00:00:aa:bb:02", &mac);
	onbmgr_station(onb, &mac, "00000000000000000000000000000000000000000000000000000000000000");
	onbmgr_station(onb, &mac, "not hex");
	assert_null(registry_get(reg, &mac)); /* no such key: nothing bound */
	onbmgr_station(onb, &mac, nak);
	assert_non_null(registry_get(reg, &mac));
	assert_string_equal(registry_get(reg, &mac)->mud_url, "https://mud.example.test/cam.json");
	e = find("mac", "02:00:00:aa:bb:02");
	assert_non_null(e);
	json_object_put(e);
	EVP_PKEY_free(own);
	stop();
}

static int setup(void **state)
{
	(void)state;
	snprintf(
		dir, sizeof(dir), "%s/hg-onb.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scanned_code),
		cmocka_unit_test(test_unknown_refused_then_held),
		cmocka_unit_test(test_station_binding),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
