/* SPDX-License-Identifier: GPL-2.0-or-later */
/* homegate-dpp-peer: our DPP Controller, initiating Configurator and Enrollee as a standalone
 * program, for interoperability tests against hostapd/wpa_supplicant and for the benchmark.
 *   controller --listen ADDR:PORT --dir DIR [cred] [--mutual-uri URI] [--count N] [--hold MS]
 *              [--refuse] [--stall MS]
 *   initiate   --connect ADDR:PORT --dir DIR --peer-uri URI [cred]
 *   enrollee   (--connect ADDR:PORT --peer-uri URI | --listen ADDR:PORT) [--name N]
 *              [--mudurl URL] [--netrole sta|ap] [--mac MAC] [--delay MS]
 * cred: [--akm dpp|psk|sae|psk+sae] [--ssid SSID] [--pass PASSPHRASE]
 * Prints "uri DPP:..." for its own bootstrapping key first, then one line per exchange. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/obj_mac.h>
#include <openssl/x509.h>

#include "core/evloop.h"
#include "core/log.h"
#include "core/util.h"
#include "onboard/dpp_crypto.h"
#include "onboard/dpp_ctrl.h"
#include "onboard/dpp_keys.h"
#include "onboard/dpp_tcp.h"
#include "onboard/dpp_uri.h"

static struct {
	const char *listen, *connect, *dir, *peer_uri, *mutual_uri, *name, *mudurl;
	struct dpp_cred cred;
	enum dpp_netrole netrole;
	long count, hold_ms, delay_ms, stall_ms;
	bool refuse;
	const char *mac;
} opt = {.count = 1, .netrole = DPP_NETROLE_STA, .name = "homegate-peer"};

static struct ev_loop *loop;
static struct dpp_ctrl *ctrl;
static EVP_PKEY *mutual_key;
static uint8_t mutual_hash[32];
static long finished;
static int failures;

static void die(const char *what)
{
	fprintf(stderr, "homegate-dpp-peer: %s\n", what);
	exit(2);
}

static int parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	unsigned l;
	int ret = util_parse_host_port(s, ss, &l);

	*len = l;
	return ret;
}

static EVP_PKEY *uri_key(const char *uri, uint8_t hash[32])
{
	struct dpp_uri u;
	char err[160];
	const unsigned char *p;
	EVP_PKEY *k;

	if (dpp_uri_parse(uri, strlen(uri), &u, err, sizeof(err)) < 0) {
		fprintf(stderr, "homegate-dpp-peer: %s\n", err);
		exit(2);
	}
	p = u.spki;
	k = d2i_PUBKEY(NULL, &p, (long)u.spki_len);
	if (!k)
		die("URI key does not load");
	memcpy(hash, u.key_hash, 32);
	return k;
}

static void print_uri(EVP_PKEY *k)
{
	char uri[DPP_URI_MAX + 1];
	struct dpp_uri o;

	memset(&o, 0, sizeof(o));
	if (opt.mac) {
		if (util_mac_parse(opt.mac, &o.mac) < 0)
			die("bad --mac");
		o.flags |= DPP_URI_HAS_MAC;
	}
	if (dpp_uri_make(k, &o, uri, sizeof(uri)) < 0)
		die("cannot make our URI");
	printf("uri %s\n", uri);
	fflush(stdout);
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* ---- controller / initiating Configurator ------------------------------------------------- */

static EVP_PKEY *lookup(void *ctx, const uint8_t hash[32])
{
	(void)ctx;
	return mutual_key && memcmp(hash, mutual_hash, 32) == 0 ? mutual_key : NULL;
}

static struct ev_timer hold_timer;
static uint64_t held_id;

static void hold_fire(void *arg)
{
	(void)arg;
	if (dpp_ctrl_decide(ctrl, held_id, opt.refuse ? NULL : &opt.cred) < 0)
		fprintf(stderr, "homegate-dpp-peer: held request %llu is gone\n",
			(unsigned long long)held_id);
}

static enum dpp_decision conf_req(void *ctx, const struct dpp_ctrl_peer *peer,
	const struct dpp_conf_req *req, struct dpp_cred *cred)
{
	(void)ctx;
	printf("request id=%llu name=\"%s\" netrole=%d mudurl=%s\n", (unsigned long long)peer->id,
		req->name, req->netrole,
		(req->flags & DPP_CONF_REQ_HAS_MUDURL) ? req->mudurl : "-");
	fflush(stdout);
	if (opt.hold_ms > 0) {
		held_id = peer->id;
		ev_timer_arm(loop, &hold_timer, opt.hold_ms);
		return DPP_HOLD;
	}
	if (opt.refuse)
		return DPP_REFUSE;
	*cred = opt.cred;
	return DPP_GRANT;
}

static void done(void *ctx, const struct dpp_ctrl_peer *peer, bool ok, const char *reason)
{
	char h[65] = "-";

	(void)ctx;
	if (peer->has_hash)
		hex(peer->hash, 32, h);
	printf("done id=%llu ok=%d mutual=%d version=%u peer_hash=%s reason=\"%s\"\n",
		(unsigned long long)peer->id, ok, peer->mutual, peer->version, h, reason);
	fflush(stdout);
	if (!ok)
		failures++;
	if (++finished >= opt.count && opt.count > 0)
		ev_loop_break(loop);
}

static const struct dpp_ctrl_ops ops = {
	.peer_lookup = lookup,
	.conf_req = conf_req,
	.done = done,
};

static void on_signal(int signo, void *arg)
{
	(void)signo;
	(void)arg;
	ev_loop_break(loop);
}

static int run_configurator(bool listening)
{
	EVP_PKEY *boot = NULL, *csign = NULL, *peer = NULL;
	struct sockaddr_storage ss;
	socklen_t sl;
	char err[256];
	int fd = -1, one = 1;
	uint8_t ph[32];
	uint64_t id;

	if (!opt.dir)
		die("--dir needed");
	if (dpp_key_get(opt.dir, DPP_KEY_BOOTSTRAP, true, &boot, err, sizeof(err)) < 0 ||
		dpp_key_get(opt.dir, DPP_KEY_CSIGN, true, &csign, err, sizeof(err)) < 0)
		die(err);
	print_uri(boot);
	if (opt.mutual_uri)
		mutual_key = uri_key(opt.mutual_uri, mutual_hash);
	loop = ev_loop_new();
	ev_signal_add(loop, SIGTERM, on_signal, NULL);
	ev_signal_add(loop, SIGINT, on_signal, NULL);
	ev_timer_init(&hold_timer, hold_fire, NULL);
	if (listening) {
		if (parse_addr(opt.listen, &ss, &sl) < 0)
			die("bad --listen address");
		fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
			bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 16) < 0)
			die(strerror(errno));
	}
	struct dpp_ctrl_params p = {.loop = loop,
		.listen_fd = fd,
		.boot = boot,
		.csign = csign,
		.msg_timeout_ms = opt.stall_ms,
		.ops = &ops};
	if (dpp_ctrl_new(&p, &ctrl) < 0)
		die("controller");
	if (!listening) {
		if (!opt.connect || !opt.peer_uri || parse_addr(opt.connect, &ss, &sl) < 0)
			die("initiate needs --connect ADDR:PORT and --peer-uri URI");
		peer = uri_key(opt.peer_uri, ph);
		if (dpp_ctrl_initiate(ctrl, (struct sockaddr *)&ss, sl, peer, &id) < 0)
			die("cannot initiate");
	}
	printf("ready\n");
	fflush(stdout);
	ev_loop_run(loop);
	dpp_ctrl_free(ctrl);
	if (fd >= 0)
		close(fd);
	ev_loop_free(loop);
	EVP_PKEY_free(boot);
	EVP_PKEY_free(csign);
	EVP_PKEY_free(peer);
	EVP_PKEY_free(mutual_key);
	return failures || finished < opt.count ? 1 : 0;
}

/* ---- Enrollee ------------------------------------------------------------------------------ */

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int run_enrollee(void)
{
	static struct dpp_tcp_rx rx;
	struct dpp_conf_req req = {.netrole = opt.netrole};
	struct dpp_sess_params sp = {.role = DPP_ROLE_ENROLLEE, .conf_req = &req};
	struct sockaddr_storage ss;
	socklen_t sl;
	struct dpp_sess *s;
	struct dpp_step st;
	EVP_PKEY *own = NULL, *peer = NULL;
	uint8_t ph[32], buf[4096];
	int fd, ret = 1, one = 1;

	snprintf(req.name, sizeof(req.name), "%s", opt.name);
	snprintf(req.wifi_tech, sizeof(req.wifi_tech), "infra");
	if (opt.mudurl) {
		req.flags |= DPP_CONF_REQ_HAS_MUDURL;
		snprintf(req.mudurl, sizeof(req.mudurl), "%s", opt.mudurl);
	}
	if (dpp_key_gen(dpp_curve_by_nid(NID_X9_62_prime256v1), &own) < 0)
		die("keygen");
	print_uri(own);
	sp.own_boot = own;
	if (opt.listen) {
		int lfd;

		if (parse_addr(opt.listen, &ss, &sl) < 0)
			die("bad --listen address");
		lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
			bind(lfd, (struct sockaddr *)&ss, sl) < 0 || listen(lfd, 1) < 0)
			die(strerror(errno));
		printf("ready\n");
		fflush(stdout);
		fd = accept(lfd, NULL, NULL);
		close(lfd);
		if (fd < 0)
			die(strerror(errno));
	} else {
		if (!opt.connect || !opt.peer_uri || parse_addr(opt.connect, &ss, &sl) < 0)
			die("enrollee needs --connect ADDR:PORT and --peer-uri URI, or --listen");
		peer = uri_key(opt.peer_uri, ph);
		if (opt.delay_ms > 0)
			usleep((useconds_t)opt.delay_ms * 1000U);
		sp.initiator = true;
		sp.peer_boot = peer;
		fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) < 0)
			die(strerror(errno));
	}
	if (dpp_sess_new(&sp, &s) < 0)
		die("session");
	if (sp.initiator && (dpp_sess_start(s, &st) < 0 || write_all(fd, st.out, st.len) < 0))
		die("cannot send the authentication request");
	dpp_tcp_rx_init(&rx);
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t n;
		size_t off = 0, used;

		if (poll(&pfd, 1, 10000) <= 0) {
			fprintf(stderr, "homegate-dpp-peer: timeout\n");
			break;
		}
		n = read(fd, buf, sizeof(buf));
		if (n <= 0) {
			printf("fail reason=\"peer closed the connection\"\n");
			break;
		}
		while (off < (size_t)n) {
			int r = dpp_tcp_rx_feed(&rx, buf + off, (size_t)n - off, &used);

			off += used;
			if (r < 0) {
				printf("fail reason=\"bad framing\"\n");
				goto out;
			}
			if (r == 0)
				break;
			dpp_sess_rx(s, rx.msg, rx.want, &st);
			dpp_tcp_rx_next(&rx);
			if (st.len && write_all(fd, st.out, st.len) < 0)
				goto out;
			if (st.retry_ms) {
				usleep(st.retry_ms * 1000U);
				if (dpp_sess_comeback(s, &st) < 0 ||
					write_all(fd, st.out, st.len) < 0)
					goto out;
			}
			if (st.ev == DPP_EV_FAIL) {
				printf("fail reason=\"%s\"\n", dpp_sess_reason(s));
				goto out;
			}
			if (st.ev == DPP_EV_CONF_RECEIVED) {
				const struct dpp_cred *c = dpp_sess_cred(s);

				printf("cred akm=%d ssid=%.*s pass=%s psk=%s connector=%s "
				       "mutual=%d\n",
					c->akm, (int)c->ssid_len, (const char *)c->ssid,
					c->pass[0] ? c->pass : "-",
					c->psk_hex[0] ? c->psk_hex : "-",
					dpp_sess_connector(s) ? "yes" : "no", dpp_sess_mutual(s));
				ret = 0;
				/* let the Configuration Result reach the peer before closing */
				shutdown(fd, SHUT_WR);
				goto out;
			}
		}
	}
out:
	fflush(stdout);
	close(fd);
	dpp_sess_free(s);
	EVP_PKEY_free(own);
	EVP_PKEY_free(peer);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {{"listen", 1, 0, 'l'}, {"connect", 1, 0, 'c'},
		{"dir", 1, 0, 'd'}, {"peer-uri", 1, 0, 'p'}, {"mutual-uri", 1, 0, 'm'},
		{"akm", 1, 0, 'a'}, {"ssid", 1, 0, 's'}, {"pass", 1, 0, 'P'}, {"count", 1, 0, 'n'},
		{"hold", 1, 0, 'H'}, {"refuse", 0, 0, 'r'}, {"name", 1, 0, 'N'},
		{"mudurl", 1, 0, 'u'}, {"netrole", 1, 0, 'R'}, {"mac", 1, 0, 'M'},
		{"delay", 1, 0, 'D'}, {"stall", 1, 0, 'S'}, {0, 0, 0, 0}};
	const char *mode;
	int ch;

	if (argc < 2)
		die("usage: homegate-dpp-peer controller|initiate|enrollee [options]");
	mode = argv[1];
	opt.cred.akm = DPP_AKM_DPP;
	memcpy(opt.cred.ssid, "HomeNet", 7);
	opt.cred.ssid_len = 7;
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'l':
			opt.listen = optarg;
			break;
		case 'c':
			opt.connect = optarg;
			break;
		case 'd':
			opt.dir = optarg;
			break;
		case 'p':
			opt.peer_uri = optarg;
			break;
		case 'm':
			opt.mutual_uri = optarg;
			break;
		case 'a':
			opt.cred.akm = !strcmp(optarg, "psk") ? DPP_AKM_PSK
				: !strcmp(optarg, "sae")      ? DPP_AKM_SAE
				: !strcmp(optarg, "psk+sae")  ? DPP_AKM_PSK_SAE
							      : DPP_AKM_DPP;
			break;
		case 's':
			opt.cred.ssid_len = strnlen(optarg, 32);
			memcpy(opt.cred.ssid, optarg, opt.cred.ssid_len);
			break;
		case 'P':
			util_strlcpy(opt.cred.pass, optarg, sizeof(opt.cred.pass));
			break;
		case 'n':
			opt.count = strtol(optarg, NULL, 10);
			break;
		case 'H':
			opt.hold_ms = strtol(optarg, NULL, 10);
			break;
		case 'r':
			opt.refuse = true;
			break;
		case 'N':
			opt.name = optarg;
			break;
		case 'u':
			opt.mudurl = optarg;
			break;
		case 'M':
			opt.mac = optarg;
			break;
		case 'D':
			opt.delay_ms = strtol(optarg, NULL, 10);
			break;
		case 'S':
			opt.stall_ms = strtol(optarg, NULL, 10);
			break;
		case 'R':
			opt.netrole = !strcmp(optarg, "ap") ? DPP_NETROLE_AP : DPP_NETROLE_STA;
			break;
		default:
			die("unknown option");
		}
	}
	log_init("homegate-dpp-peer", true, LOG_LEVEL_INFO);
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(mode, "controller")) {
		if (!opt.listen)
			die("controller needs --listen ADDR:PORT");
		return run_configurator(true);
	}
	if (!strcmp(mode, "initiate"))
		return run_configurator(false);
	if (!strcmp(mode, "enrollee"))
		return run_enrollee();
	die("mode must be controller, initiate or enrollee");
}
