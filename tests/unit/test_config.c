/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the homegate.conf parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse(struct hg_config *cfg, const char *text, char *err)
{
	config_defaults(cfg);
	return config_parse(cfg, text, strlen(text), "t.conf", err, HG_CONFIG_ERR_MAX);
}

static void test_defaults(void **state)
{
	struct hg_config cfg;
	char err[HG_CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(parse(&cfg, "", err), 0);
	assert_string_equal(cfg.user, "homegate");
	assert_string_equal(cfg.state_dir, "/var/lib/homegate");
	assert_string_equal(cfg.run_dir, "/run/homegate");
	assert_string_equal(cfg.lan_interface, "br-lan");
	assert_int_equal(cfg.log_level, LOG_LEVEL_INFO);
	assert_int_equal(cfg.lease_grace_s, 60);
	assert_int_equal(cfg.max_devices, 4096);
}

static void test_values(void **state)
{
	struct hg_config cfg;
	char err[HG_CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(parse(&cfg,
				 "# comment\n"
				 "; also a comment\n"
				 "[daemon]\n"
				 "  user = hg_engine   # trailing\n"
				 "state_dir = \"/var/lib/home gate\"\n"
				 "log_level=debug\r\n"
				 "[lan]\ninterface = br-lan.10\n"
				 "[registry]\nlease_grace_s = 0\nmax_devices = 65536\n",
				 err),
		0);
	assert_string_equal(cfg.user, "hg_engine");
	assert_string_equal(cfg.state_dir, "/var/lib/home gate");
	assert_int_equal(cfg.log_level, LOG_LEVEL_DEBUG);
	assert_string_equal(cfg.lan_interface, "br-lan.10");
	assert_int_equal(cfg.lease_grace_s, 0);
	assert_int_equal(cfg.max_devices, 65536);
}

struct bad_case {
	const char *text, *msg;
};

static void test_errors(void **state)
{
	static const struct bad_case cases[] = {
		{"[daemon]\nlog_level = loud\n",
			"t.conf:2: daemon.log_level: \"loud\" is not one of err, warn, info, "
			"debug"},
		{"[lan]\ninterfce = x\n", "t.conf:2: unknown key \"lan.interfce\""},
		{"[foo]\n", "t.conf:1: unknown section [foo]"},
		{"[registry]\nlease_grace_s = 99999\n",
			"t.conf:2: registry.lease_grace_s: \"99999\" out of range 0..86400"},
		{"[registry]\nmax_devices = -1\n",
			"registry.max_devices: \"-1\" is not a whole number"},
		{"[registry]\nmax_devices = 99999999999999999999\n", "out of range 1..65536"},
		{"[daemon]\nuser = a\nuser = b\n", "t.conf:3: daemon.user: set twice"},
		{"[daemon]\nuser = Root\n", "daemon.user: \"Root\" is not a valid name"},
		{"[daemon]\nrun_dir = /run/../etc\n",
			"daemon.run_dir: \"/run/../etc\" is not an absolute path"},
		{"[daemon]\nrun_dir = run\n", "is not an absolute path"},
		{"[lan]\ninterface = ..\n", "lan.interface: \"..\" is not an interface name"},
		{"[lan]\ninterface = 0123456789abcdef\n", "is not an interface name"},
		{"user = a\n", "t.conf:1: key \"user\" outside a [section]"},
		{"[daemon\n", "t.conf:1: bad section header"},
		{"[daemon]\nuser\n", "t.conf:2: expected \"key = value\""},
		{"[daemon]\nuser = \"abc\n", "t.conf:2: unterminated quoted value"},
		{"[daemon]\nuser = \"a\\q\"\n", "bad escape"},
		{"[daemon]\nuser = \"a\" b\n", "text after the closing quote"},
		{"[daemon]\nuser = a\x7f\n", "t.conf:2: control byte 0x7f in column 9"},
		{"\xc3\xa9\n", "t.conf:1: expected \"key = value\""},
		{"[daemon]\nuser = h\xc3\xa9\n", "daemon.user: \"h\xc3\xa9\" is not a valid name"},
	};
	char err[HG_CONFIG_ERR_MAX];
	struct hg_config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&cfg, cases[i].text, err), -EINVAL);
		if (!strstr(err, cases[i].msg))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].msg);
	}
}

static void test_mud_defaults(void **state)
{
	struct hg_config cfg;
	char err[HG_CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(parse(&cfg, "[mud]\n", err), 0);
	assert_string_equal(cfg.mud_trust_anchors, "");
	assert_string_equal(cfg.mud_ca_file, "");
	assert_string_equal(cfg.mud_proxy, "");
	assert_int_equal(cfg.mud_require_signature, 1); /* unsigned files never apply (AC-17) */
	assert_string_equal(cfg.mud_language, "en");
	assert_int_equal(cfg.mud_max_file_size, 262144);
	assert_int_equal(cfg.mud_fetch_timeout_s, 30);
	assert_int_equal(cfg.mud_max_redirects, 3);
	assert_int_equal(cfg.mud_retry_min_s, 60);
	assert_int_equal(cfg.mud_retry_max_s, 21600);
	assert_int_equal(cfg.mud_stale_grace_h, 24);
}

static void test_mud_values(void **state)
{
	struct hg_config cfg;
	char err[HG_CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(parse(&cfg,
				 "[mud]\n"
				 "trust_anchors = /etc/homegate/mud-anchors.pem\n"
				 "ca_file = \"/etc/ssl/mud servers.pem\"\n"
				 "proxy = http://proxy.lan:3128\n"
				 "require_signature = no\n"
				 "language = de-CH, en;q=0.5 # as a browser sends it\n"
				 "max_file_size = 1024\n"
				 "fetch_timeout_s = 300\n"
				 "max_redirects = 0\n"
				 "retry_min_s = 1\n"
				 "retry_max_s = 604800\n"
				 "stale_grace_h = 0\n",
				 err),
		0);
	assert_string_equal(cfg.mud_trust_anchors, "/etc/homegate/mud-anchors.pem");
	assert_string_equal(cfg.mud_ca_file, "/etc/ssl/mud servers.pem");
	assert_string_equal(cfg.mud_proxy, "http://proxy.lan:3128");
	assert_int_equal(cfg.mud_require_signature, 0);
	assert_string_equal(cfg.mud_language, "de-CH, en;q=0.5");
	assert_int_equal(cfg.mud_max_file_size, 1024);
	assert_int_equal(cfg.mud_fetch_timeout_s, 300);
	assert_int_equal(cfg.mud_max_redirects, 0);
	assert_int_equal(cfg.mud_retry_min_s, 1);
	assert_int_equal(cfg.mud_retry_max_s, 604800);
	assert_int_equal(cfg.mud_stale_grace_h, 0);
	assert_int_equal(
		parse(&cfg, "[mud]\nproxy = https://proxy.lan:3129\nmax_file_size = 524288\n", err),
		0);
	assert_string_equal(cfg.mud_proxy, "https://proxy.lan:3129");
	assert_int_equal(cfg.mud_max_file_size, 524288);
}

static void test_mud_bools(void **state)
{
	static const struct {
		const char *text;
		unsigned want;
	} cases[] = {
		{"yes", 1},
		{"no", 0},
		{"true", 1},
		{"false", 0},
		{"on", 1},
		{"off", 0},
		{"1", 1},
		{"0", 0},
		{"\"off\"", 0},
	};
	struct hg_config cfg;
	char err[HG_CONFIG_ERR_MAX], text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "[mud]\nrequire_signature = %s\n", cases[i].text);
		config_defaults(&cfg);
		cfg.mud_require_signature = !cases[i].want;
		assert_int_equal(
			config_parse(&cfg, text, strlen(text), "t.conf", err, sizeof(err)), 0);
		if (cfg.mud_require_signature != cases[i].want)
			fail_msg("\"%s\" read as %u", cases[i].text, cfg.mud_require_signature);
	}
}

/* An empty path or proxy means "none" and clears what was there. */
static void test_mud_empty_values(void **state)
{
	struct hg_config cfg;
	char err[HG_CONFIG_ERR_MAX];
	const char *text = "[mud]\ntrust_anchors =\nca_file = \"\"\nproxy = # none\n";

	(void)state;
	config_defaults(&cfg);
	snprintf(cfg.mud_trust_anchors, sizeof(cfg.mud_trust_anchors), "/a.pem");
	snprintf(cfg.mud_ca_file, sizeof(cfg.mud_ca_file), "/b.pem");
	snprintf(cfg.mud_proxy, sizeof(cfg.mud_proxy), "http://p:1");
	assert_int_equal(config_parse(&cfg, text, strlen(text), "t.conf", err, sizeof(err)), 0);
	assert_string_equal(cfg.mud_trust_anchors, "");
	assert_string_equal(cfg.mud_ca_file, "");
	assert_string_equal(cfg.mud_proxy, "");
}

static void test_mud_errors(void **state)
{
	static const struct bad_case cases[] = {
		{"[mud]\nrequire_signature = maybe\n",
			"t.conf:2: mud.require_signature: \"maybe\" is not one of yes, no"},
		{"[mud]\nrequire_signature =\n", "t.conf:2: mud.require_signature: \"\""},
		{"[mud]\n\ntrust_anchors = certs/anchors.pem\n",
			"t.conf:3: mud.trust_anchors: \"certs/anchors.pem\" is not an absolute "
			"path "
			"without \"..\" (or empty)"},
		{"[mud]\nca_file = /etc/../root/ca.pem\n",
			"t.conf:2: mud.ca_file: \"/etc/../root/ca.pem\" is not an absolute path"},
		{"[mud]\nproxy = socks5://127.0.0.1:1080\n",
			"t.conf:2: mud.proxy: \"socks5://127.0.0.1:1080\" is not an http:// or "
			"https:// URL"},
		{"[mud]\nproxy = proxy.lan:3128\n", "t.conf:2: mud.proxy: \"proxy.lan:3128\""},
		{"[mud]\nproxy = http://\n", "t.conf:2: mud.proxy: \"http://\" is not"},
		{"[mud]\nproxy = \"http://a b:1\"\n", "t.conf:2: mud.proxy: \"http://a b:1\""},
		{"[mud]\nlanguage = \"en\\\"x\"\n",
			"t.conf:2: mud.language: \"en\"x\" is not a language list"},
		{"[mud]\nlanguage = en\"\n", "t.conf:2: mud.language: \"en\"\""},
		{"[mud]\nlanguage =\n", "t.conf:2: mud.language: \"\" is not a language list"},
		{"[mud]\nmax_file_size = 1023\n",
			"t.conf:2: mud.max_file_size: \"1023\" out of range 1024..524288"},
		{"[mud]\nmax_file_size = 524289\n",
			"t.conf:2: mud.max_file_size: \"524289\" out of range 1024..524288"},
		{"[mud]\nmax_file_size = 256k\n",
			"t.conf:2: mud.max_file_size: \"256k\" is not a whole number"},
		{"[mud]\nfetch_timeout_s = 0\n",
			"t.conf:2: mud.fetch_timeout_s: \"0\" out of range"},
		{"[mud]\nmax_redirects = 11\n", "t.conf:2: mud.max_redirects: \"11\" out of range"},
		{"[mud]\nretry_min_s = 0\n", "t.conf:2: mud.retry_min_s: \"0\" out of range"},
		{"[mud]\nstale_grace_h = 8761\n",
			"t.conf:2: mud.stale_grace_h: \"8761\" out of range"},
		{"[mud]\nlanguage = en\nlanguage = de\n", "t.conf:3: mud.language: set twice"},
		{"[mud]\nsignature = yes\n", "t.conf:2: unknown key \"mud.signature\""},
	};
	char err[HG_CONFIG_ERR_MAX];
	struct hg_config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&cfg, cases[i].text, err), -EINVAL);
		if (!strstr(err, cases[i].msg))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].msg);
	}
}

/* homegated -n prints what it runs with; fed back it means the same. */
static void test_mud_dump_roundtrip(void **state)
{
	struct hg_config cfg, again;
	char err[HG_CONFIG_ERR_MAX], buf[4096];
	FILE *f = tmpfile();
	size_t n;

	(void)state;
	assert_non_null(f);
	assert_int_equal(parse(&cfg,
				 "[mud]\ntrust_anchors = /etc/a.pem\nproxy = https://p.lan:3128\n"
				 "require_signature = off\nlanguage = \"fr, en;q=0.8\"\n"
				 "max_file_size = 65536\nstale_grace_h = 48\n",
				 err),
		0);
	config_dump(&cfg, fileno(f));
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "[mud]\ntrust_anchors = /etc/a.pem\nca_file =\n"));
	assert_non_null(strstr(buf, "require_signature = no\n"));
	config_defaults(&again);
	assert_int_equal(config_parse(&again, buf, n, "dump", err, sizeof(err)), 0);
	assert_memory_equal(&cfg, &again, sizeof(cfg));
}

/* Paths that only a quoted value can hold: a " #" that would start a comment, white space at
 * an end, quotes, backslashes. */
static void test_dump_quotes(void **state)
{
	struct hg_config cfg, again;
	char err[HG_CONFIG_ERR_MAX], buf[4096];
	FILE *f = tmpfile();
	size_t n;

	(void)state;
	assert_non_null(f);
	assert_int_equal(parse(&cfg,
				 "[daemon]\nstate_dir = \"/var/lib/hg \\\"2\\\"\\\\x\"\n"
				 "[mud]\nca_file = \"/etc/ssl/mud #2.pem\"\n"
				 "trust_anchors = \"/etc/a.pem \"\n",
				 err),
		0);
	assert_string_equal(cfg.state_dir, "/var/lib/hg \"2\"\\x");
	assert_string_equal(cfg.mud_ca_file, "/etc/ssl/mud #2.pem");
	assert_string_equal(cfg.mud_trust_anchors, "/etc/a.pem ");
	config_dump(&cfg, fileno(f));
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	config_defaults(&again);
	assert_int_equal(config_parse(&again, buf, n, "dump", err, sizeof(err)), 0);
	if (memcmp(&cfg, &again, sizeof(cfg)) != 0)
		fail_msg("read back differently:\n%s", buf);
	assert_non_null(strstr(buf, "\nrun_dir = /run/homegate\n")); /* plain when it can be */
}

static void test_nul_and_long_line(void **state)
{
	struct hg_config cfg;
	char err[HG_CONFIG_ERR_MAX];
	char *big = malloc(5000);

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(
		config_parse(&cfg, "[daemon]\nuser = a\0b\n", 19, "t.conf", err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "byte 0x00"));
	assert_int_equal(config_parse(&cfg, "# caf\xc3\xa9 \xe2\x80\x94 ok\n", 15, "t.conf", err,
				 sizeof(err)),
		0);
	memset(big, 'a', 4999);
	big[4999] = '\n';
	assert_int_equal(config_parse(&cfg, big, 5000, "t.conf", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "t.conf:1: line longer than 4096 bytes"));
	free(big);
}

static void test_unchanged_on_error(void **state)
{
	struct hg_config cfg, before;
	char err[HG_CONFIG_ERR_MAX];
	const char *text = "[daemon]\nuser = changed\n[lan]\nbogus = 1\n";

	(void)state;
	config_defaults(&cfg);
	before = cfg;
	assert_int_equal(
		config_parse(&cfg, text, strlen(text), "t.conf", err, sizeof(err)), -EINVAL);
	assert_memory_equal(&cfg, &before, sizeof(cfg));
}

static void test_dump_roundtrip(void **state)
{
	struct hg_config cfg, again;
	char err[HG_CONFIG_ERR_MAX], buf[4096];
	FILE *f = tmpfile();
	size_t n;

	(void)state;
	assert_int_equal(
		parse(&cfg, "[daemon]\nuser = x\nlog_level = warn\n[registry]\nseen_flush_s = 7\n",
			err),
		0);
	config_dump(&cfg, fileno(f));
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "[daemon]\nuser = x\n"));
	config_defaults(&again);
	assert_int_equal(config_parse(&again, buf, n, "dump", err, sizeof(err)), 0);
	assert_memory_equal(&cfg, &again, sizeof(cfg));
}

/* [wifi]: the hostapd control sockets the parent attaches to and the files it owns. */
static void test_wifi(void **state)
{
	struct hg_config cfg, again;
	char err[HG_CONFIG_ERR_MAX], buf[8192];
	FILE *f;
	size_t n;

	(void)state;
	config_defaults(&cfg);
	assert_string_equal(cfg.wifi_hostapd_ctrl, "");
	assert_string_equal(cfg.wifi_psk_file, "");
	assert_string_equal(cfg.wifi_sae_file, "");
	assert_int_equal(cfg.wifi_vlan, 0);
	assert_int_equal(parse(&cfg,
				 "[wifi]\nhostapd_ctrl = /run/hostapd/wlan0 /run/hostapd/wlan1\n"
				 "psk_file = /etc/hostapd/homegate.psk\n"
				 "sae_file = /etc/hostapd/homegate.sae\nvlan = 20\n",
				 err),
		0);
	assert_string_equal(cfg.wifi_hostapd_ctrl, "/run/hostapd/wlan0 /run/hostapd/wlan1");
	assert_string_equal(cfg.wifi_psk_file, "/etc/hostapd/homegate.psk");
	assert_string_equal(cfg.wifi_sae_file, "/etc/hostapd/homegate.sae");
	assert_int_equal(cfg.wifi_vlan, 20);
	f = tmpfile();
	assert_non_null(f);
	config_dump(&cfg, fileno(f));
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(
		strstr(buf, "[wifi]\nhostapd_ctrl = /run/hostapd/wlan0 /run/hostapd/wlan1\n"));
	config_defaults(&again);
	assert_int_equal(config_parse(&again, buf, n, "dump", err, sizeof(err)), 0);
	assert_memory_equal(&cfg, &again, sizeof(cfg));
}

static void test_wifi_errors(void **state)
{
	static const struct bad_case cases[] = {
		{"[wifi]\nhostapd_ctrl = run/hostapd/wlan0\n",
			"t.conf:2: wifi.hostapd_ctrl: \"run/hostapd/wlan0\" names a path that is "
			"not "
			"absolute or holds \"..\""},
		{"[wifi]\nhostapd_ctrl = /run/hostapd/../wlan0\n", "not absolute or holds"},
		{"[wifi]\nhostapd_ctrl = /run/hostapd/wlan0 /run/hostapd/wlan0\n",
			"t.conf:2: wifi.hostapd_ctrl: \"/run/hostapd/wlan0 /run/hostapd/wlan0\" "
			"names a socket twice"},
		{"[wifi]\nhostapd_ctrl = /a /b /c /d /e /f /g /h /i\n",
			"names more than 8 sockets"},
		{"[wifi]\nhostapd_ctrl = /run/hostapd/"
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxx"
		 "xxxxxxxxxx\n",
			"longer than a Unix socket path (107 bytes)"},
		{"[wifi]\npsk_file = homegate.psk\n",
			"t.conf:2: wifi.psk_file: \"homegate.psk\" is not an absolute path"},
		{"[wifi]\nvlan = 4095\n", "t.conf:2: wifi.vlan: \"4095\" out of range 0..4094"},
		{"[wifi]\nssid = home\n", "t.conf:2: unknown key \"wifi.ssid\""},
	};
	char err[HG_CONFIG_ERR_MAX];
	struct hg_config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&cfg, cases[i].text, err), -EINVAL);
		if (!strstr(err, cases[i].msg))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].msg);
	}
}

/* [dpp]: the Controller's address, the network, what unknown devices get. */
static void test_dpp(void **state)
{
	struct hg_config cfg, again;
	char err[HG_CONFIG_ERR_MAX], buf[8192];
	FILE *f;
	size_t n;

	(void)state;
	config_defaults(&cfg);
	assert_string_equal(cfg.dpp_listen, "");
	assert_int_equal(cfg.dpp_akm, HG_DPP_AKM_DPP);
	assert_int_equal(cfg.dpp_unknown, HG_DPP_UNKNOWN_HOLD);
	assert_int_equal(cfg.dpp_hold_timeout_s, 120);
	assert_int_equal(parse(&cfg,
				 "[dpp]\nlisten = [fd00::1]:8908\nssid = Home Net 5\n"
				 "unknown = refuse\nhold_timeout_s = 30\n",
				 err),
		0);
	assert_string_equal(cfg.dpp_listen, "[fd00::1]:8908");
	assert_string_equal(cfg.dpp_ssid, "Home Net 5");
	assert_int_equal(cfg.dpp_unknown, HG_DPP_UNKNOWN_REFUSE);
	assert_int_equal(cfg.dpp_hold_timeout_s, 30);
	assert_int_equal(
		parse(&cfg, "[dpp]\nlisten = 192.168.1.1:8908\nunknown = grant\n", err), 0);
	assert_int_equal(cfg.dpp_unknown, HG_DPP_UNKNOWN_GRANT);
	f = tmpfile();
	assert_non_null(f);
	config_dump(&cfg, fileno(f));
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "[dpp]\nlisten = 192.168.1.1:8908\n"));
	assert_non_null(strstr(buf, "unknown = grant\n"));
	config_defaults(&again);
	assert_int_equal(config_parse(&again, buf, n, "dump", err, sizeof(err)), 0);
	assert_memory_equal(&cfg, &again, sizeof(cfg));
}

static void test_dpp_errors(void **state)
{
	static const struct bad_case cases[] = {
		{"[dpp]\nlisten = 192.168.1.1\n",
			"t.conf:2: dpp.listen: \"192.168.1.1\" is not a numeric address and port"},
		{"[dpp]\nlisten = 192.168.1.1:0\n", "is not a numeric address and port"},
		{"[dpp]\nlisten = 192.168.1.1:65536\n", "is not a numeric address and port"},
		{"[dpp]\nlisten = gateway.lan:8908\n", "is not a numeric address and port"},
		{"[dpp]\nlisten = fd00::1:8908\n", "is not a numeric address and port"},
		{"[dpp]\nlisten = [fd00::1]8908\n", "is not a numeric address and port"},
		{"[dpp]\nssid = 0123456789abcdef0123456789abcdefX\n",
			"t.conf:2: dpp.ssid: an SSID is 1 to 32 printable ASCII characters"},
		{"[dpp]\nakm = wep\n",
			"t.conf:2: dpp.akm: \"wep\" is not one of dpp, psk, sae, psk+sae"},
		{"[dpp]\nunknown = maybe\n",
			"t.conf:2: dpp.unknown: \"maybe\" is not one of hold, refuse, grant"},
		{"[dpp]\nhold_timeout_s = 1\n", "out of range 5..86400"},
	};
	char err[HG_CONFIG_ERR_MAX];
	struct hg_config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&cfg, cases[i].text, err), -EINVAL);
		if (!strstr(err, cases[i].msg))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].msg);
	}
}

static void test_load_missing(void **state)
{
	struct hg_config cfg;
	char err[HG_CONFIG_ERR_MAX];

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(
		config_load(&cfg, "/nonexistent/homegate.conf", err, sizeof(err)), -ENOENT);
	assert_string_equal(
		err, "cannot read /nonexistent/homegate.conf: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_mud_defaults),
		cmocka_unit_test(test_mud_values),
		cmocka_unit_test(test_mud_bools),
		cmocka_unit_test(test_mud_empty_values),
		cmocka_unit_test(test_mud_errors),
		cmocka_unit_test(test_mud_dump_roundtrip),
		cmocka_unit_test(test_dump_quotes),
		cmocka_unit_test(test_nul_and_long_line),
		cmocka_unit_test(test_unchanged_on_error),
		cmocka_unit_test(test_dump_roundtrip),
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_wifi),
		cmocka_unit_test(test_wifi_errors),
		cmocka_unit_test(test_dpp),
		cmocka_unit_test(test_dpp_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
