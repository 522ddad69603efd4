/* SPDX-License-Identifier: GPL-2.0-or-later */
/* homegated: the privileged parent. Opens sockets, applies validated policy ops, runs the engine. */

/*
 * The parent is the only process with privileges (DESIGN §3). It never parses packets, JSON or
 * HTTP: it creates the sockets the engine serves, forks the engine (which drops to its own user
 * with no capabilities), passes it the sockets over a SOCK_SEQPACKET channel and applies the
 * small, typed, validated enforcement ops the engine sends back. When the engine dies the kernel
 * rules stay as they are (fail-static) and the engine is restarted with a back-off.
 */
#include "observe/capture.h"
#include "core/config.h"
#include "core/evloop.h"
#include "core/ipc.h"
#include "core/log.h"
#include "core/privsep.h"
#include "core/util.h"
#include "engine/engine.h"
#include "onboard/wifi.h"
#include "policy/dns_nftset.h"
#include "policy/dnsbind_proc.h"
#include "policy/nft.h"
#include "policy/nft_compile.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define RESTART_BASE_MS 200
/* An engine that lived this long after becoming ready is not crash-looping. */
#define RESTART_STABLE_MS 10000

struct parent {
	struct hg_config cfg;
	struct privsep_user user;
	gid_t group;
	struct ev_loop *loop;
	struct nft *nft;
	int control_fd, hook_fd, capture_fd;
	pid_t engine;
	int ipc_fd;
	unsigned restarts;
	int64_t restart_delay_ms;
	int64_t ready_ms; /* when the current engine said READY, 0 before */
	int64_t start;
	pid_t self;
	struct ev_timer restart_timer;
	bool stopping;
	/* DEV_SYNC chunks are staged until the final one, then applied in one transaction. */
	struct ipc_dev_sync_entry *staging;
	size_t nstaging;
	/* A compiled profile arriving in chunks (IPC_E2P_PROFILE). */
	struct pol_policy pstage;
	char pstage_id[IPC_PROFILE_ID_LEN], pstage_auth[256];
	bool pstage_open;
	/* DNS names bound to sets, for dnsmasq (dns.nftset_file); NULL when not configured. */
	struct dns_nftset *dns;
	struct ev_timer dns_timer;
	/* The first engine of this parent has sent every profile (its first device sync): until
	 * then the names file on disk, an earlier parent's, is more complete than ours. */
	bool dns_ready;
	/* dnsbind (dns.binding = forwarder): its pid (0 while down) and its restart timer. */
	struct dnsbind_conf dnsbind_conf;
	pid_t dnsbind;
	struct ev_timer dnsbind_timer;
	/* hostapd control clients and the per-device PSK file ([wifi]). */
	struct wifi *wifi;
};

static void engine_start(void *arg);

/* Whether a file named in the configuration can be read by the engine (path "" = not set):
 * a regular file, readable by the engine's uid, gid or everyone, in a readable directory chain
 * is the engine's own business (it reports what it cannot open). Checked before the engine
 * starts, so a typo stops the daemon with a clear message instead of an engine restart loop. */
static bool engine_can_read(const char *path, const struct privsep_user *u)
{
	struct stat st;

	if (!path[0])
		return true;
	errno = 0;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_warnx("parent=config file=%s error=\"%s\"", path,
			errno ? strerror(errno) : "not a regular file");
		return false;
	}
	if ((st.st_mode & S_IROTH) || (st.st_uid == u->uid && (st.st_mode & S_IRUSR)) ||
		(st.st_gid == u->gid && (st.st_mode & S_IRGRP)))
		return true;
	log_warnx("parent=config file=%s error=\"not readable by uid %u\"", path, (unsigned)u->uid);
	return false;
}

static int make_dir(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	struct stat st;

	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -errno;
	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (chown(path, uid, gid) < 0 || chmod(path, mode) < 0)
		return -errno;
	return 0;
}

/* Binds a Unix socket at dir/name (replacing a stale socket, never another kind of file). */
static int unix_socket(const char *dir, const char *name, int type, gid_t group, int *out)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, ret = 0;

	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s", dir, name) >=
		sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	if (lstat(sun.sun_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		unlink(sun.sun_path);
	}
	fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
		chown(sun.sun_path, 0, group) < 0 || chmod(sun.sun_path, 0660) < 0 ||
		(type == SOCK_STREAM && listen(fd, 32) < 0)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	*out = fd;
	return 0;
}

static void engine_kill(struct parent *p, const char *why)
{
	if (p->engine > 0) {
		log_warnx("engine=kill pid=%d reason=\"%s\"", (int)p->engine, why);
		kill(p->engine, SIGKILL);
	}
}

static void reply(struct parent *p, uint32_t seq, int err)
{
	struct ipc_op_result r = {.seq = seq, .err = err};

	ipc_send(p->ipc_fd, IPC_P2E_OP_RESULT, &r, sizeof(r), -1);
}

static bool mac_ok(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return !(mac[0] & 1) && memcmp(mac, zero, 6) != 0;
}

/* Splits cmd (validated by the configuration: a path and plain words) and starts it without a
 * shell; SIGCHLD reaps it. */
static void run_command(const char *cmd)
{
	char buf[256], *argv[16], *save = NULL;
	int argc = 0;
	pid_t pid;

	util_strlcpy(buf, cmd, sizeof(buf));
	for (char *t = strtok_r(buf, " ", &save); t && argc < 15; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	if (!argc)
		return;
	pid = fork();
	if (pid < 0) {
		log_warn("parent=dns-reload");
		return;
	}
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	log_info("parent=dns-reload command=\"%s\" pid=%d", cmd, (int)pid);
}

/* New DNS names are written out and dnsmasq told (and dnsbind, which reads the same file). */
static void dns_flush(void *arg)
{
	struct parent *p = arg;
	int ret;

	if (!p->dns_ready)
		return; /* written after the first sync */
	ret = dns_nftset_write(p->dns, p->cfg.dns_nftset_file);

	if (ret < 0) {
		errno = -ret;
		log_warn("parent=dns file=%s", p->cfg.dns_nftset_file);
		return;
	}
	if (ret == 0)
		return; /* the same bindings dnsmasq already has */
	log_info("parent=dns file=%s names=%u", p->cfg.dns_nftset_file, dns_nftset_count(p->dns));
	if (p->dnsbind > 0)
		kill(p->dnsbind, SIGHUP); /* it knows the names before dnsmasq forwards them */
	if (p->cfg.dns_reload_command[0])
		run_command(p->cfg.dns_reload_command);
}

/* One chunk of a compiled profile. The rules are the engine's struct pol_rule (the same
 * binary: the engine is our own fork), taken as untrusted bytes: strings must end inside their
 * arrays; nftc_check, run by nft_profile_install, checks every field before anything is
 * compiled. Returns false for a chunk that is malformed (the engine is then killed). */
static bool profile_chunk(struct parent *p, const struct ipc_msg *m)
{
	const struct ipc_profile_chunk *h = (const void *)m->payload;
	size_t n = h->nrules;
	char err[256];
	int ret;

	if (m->hdr.len != sizeof(*h) + n * sizeof(struct pol_rule) ||
		memchr(h->authority, 0, sizeof(h->authority)) == NULL ||
		(!h->first && !p->pstage_open))
		return false;
	if (h->first) {
		pol_clear(&p->pstage);
		memcpy(p->pstage_id, h->id, sizeof(p->pstage_id));
		memcpy(p->pstage_auth, h->authority, sizeof(p->pstage_auth));
		p->pstage_open = true;
	} else if (memcmp(p->pstage_id, h->id, sizeof(p->pstage_id)) != 0) {
		return false;
	}
	if (p->pstage.count + n > IPC_PROFILE_MAX_RULES)
		return false;
	for (size_t i = 0; i < n; i++) {
		struct pol_rule r;

		memcpy(&r, (const uint8_t *)(h + 1) + i * sizeof(r), sizeof(r));
		if (!memchr(r.acl, 0, sizeof(r.acl)) || !memchr(r.name, 0, sizeof(r.name)) ||
			!memchr(r.value, 0, sizeof(r.value)))
			return false;
		if (pol_add(&p->pstage, &r) < 0)
			fatalx("parent=profile error=oom");
	}
	if (!h->final)
		return true;
	p->pstage_open = false;
	ret = nft_profile_install(
		p->nft, p->pstage_id, p->pstage_auth, &p->pstage, err, sizeof(err));
	if (ret == -EINVAL) {
		log_warnx("enforce=profile error=\"%s\"", err);
		pol_clear(&p->pstage);
		return false;
	}
	log_info("enforce=profile id=%.12s rules=%u result=%s", p->pstage_id, p->pstage.count,
		ret ? strerror(-ret) : "ok");
	/* dnsmasq restarts for --nftset lines (at most once a second) but only re-reads its
	 * servers-file for dnsbind on SIGHUP: a burst of profiles is still one write. */
	if (!ret && p->dns && dns_nftset_add(p->dns, &p->pstage) == 1 &&
		!ev_timer_is_armed(&p->dns_timer))
		ev_timer_arm(p->loop, &p->dns_timer,
			p->cfg.dns_binding == HG_DNS_BINDING_NFTSET ? 1000 : 50);
	pol_clear(&p->pstage);
	reply(p, h->seq, ret);
	return true;
}

static int psk_answer(const struct ipc_psk_result *r, size_t len, void *arg)
{
	struct parent *p = arg;

	return ipc_send(p->ipc_fd, IPC_P2E_PSK_RESULT, r, len, -1);
}

/* A station joined or left one of the hostapds: the engine records it. */
static void wifi_station(const struct ipc_wifi_sta *sta, void *arg)
{
	struct parent *p = arg;

	if (p->ipc_fd >= 0 && ipc_send(p->ipc_fd, IPC_P2E_WIFI_STA, sta, sizeof(*sta), -1) < 0)
		log_warn("ipc=send type=wifi_sta");
}

static void handle_op(struct parent *p, const struct ipc_msg *m)
{
	switch (m->hdr.type) {
	case IPC_E2P_PSK: {
		struct ipc_psk_req rq;
		int ret;

		memcpy(&rq, m->payload, sizeof(rq));
		ret = wifi_psk(p->wifi, &rq, psk_answer, p);
		if (ret == -EINVAL)
			engine_kill(p, "invalid psk request");
		else if (ret < 0)
			log_warnx("ipc=send type=psk_result error=\"%s\"", strerror(-ret));
		break;
	}
	case IPC_E2P_READY:
		p->ready_ms = util_mono_ms();
		log_info("engine=ready pid=%d", (int)p->engine);
		break;
	case IPC_E2P_DEV_PROFILE: {
		struct ipc_dev_profile op;

		memcpy(&op, m->payload, sizeof(op));
		if (op.profile > IPC_PROFILE_MAX || op.profile == IPC_PROFILE_POLICY ||
			!mac_ok(op.mac)) {
			engine_kill(p, "invalid profile op");
			return;
		}
		reply(p, op.seq, nft_dev_profile(p->nft, op.mac, op.profile));
		break;
	}
	case IPC_E2P_PROFILE:
		if (!profile_chunk(p, m))
			engine_kill(p, "invalid profile");
		break;
	case IPC_E2P_DEV_POLICY: {
		struct ipc_dev_policy op;
		int ret;

		memcpy(&op, m->payload, sizeof(op));
		if (!mac_ok(op.mac) || op.naddrs > IPC_DEV_ADDRS) {
			engine_kill(p, "invalid policy op");
			return;
		}
		ret = nft_dev_policy(p->nft, &op);
		if (ret == -EINVAL) {
			engine_kill(p, "policy op for an unknown profile or a bad address");
			return;
		}
		reply(p, op.seq, ret);
		break;
	}
	case IPC_E2P_CTL_SYNC: {
		const struct ipc_ctl_sync *c = (const void *)m->payload;
		int ret = nft_ctl_sync(p->nft, c->e, c->count);

		if (ret == -EINVAL) {
			engine_kill(p, "invalid controller set member");
			return;
		}
		log_info("enforce=controllers members=%u result=%s", (unsigned)c->count,
			ret ? strerror(-ret) : "ok");
		reply(p, c->seq, ret);
		break;
	}
	case IPC_E2P_PROFILE_DROP: {
		struct ipc_profile_drop op;
		int ret;

		memcpy(&op, m->payload, sizeof(op));
		ret = nft_profile_remove(p->nft, op.id);
		if (ret == -EINVAL) {
			engine_kill(p, "invalid profile drop");
			return;
		}
		/* -EBUSY: a device is still mapped to it (an op the kernel refused left it there). */
		reply(p, op.seq, ret);
		break;
	}
	case IPC_E2P_DEV_SYNC: {
		const struct ipc_dev_sync *s = (const void *)m->payload;
		size_t n = s->count;
		struct ipc_dev_sync_entry *st;

		if (p->nstaging + n > p->cfg.max_devices) {
			engine_kill(p, "device sync larger than max_devices");
			return;
		}
		for (size_t i = 0; i < n; i++) {
			if (s->e[i].profile > IPC_PROFILE_MAX || !mac_ok(s->e[i].mac) ||
				s->e[i].naddrs > IPC_DEV_ADDRS) {
				engine_kill(p, "invalid sync entry");
				return;
			}
		}
		st = reallocarray(p->staging, p->nstaging + n + 1, sizeof(*st));
		if (!st)
			fatalx("parent=sync error=oom");
		memcpy(st + p->nstaging, s->e, n * sizeof(*st));
		p->staging = st;
		p->nstaging += n;
		if (s->final) {
			int ret = nft_dev_sync(p->nft, p->staging, p->nstaging);

			log_info("enforce=sync entries=%zu result=%s", p->nstaging,
				ret ? strerror(-ret) : "ok");
			/* Profiles of an earlier engine or parent that no device uses now. */
			if (!ret && nft_profile_sweep(p->nft) < 0)
				log_warnx("nft=sweep error=\"kernel refused\"");
			/* Every profile has been sent: the names file may be rewritten now
			 * without dropping a name a profile of the earlier parent still uses. */
			if (p->dns && !p->dns_ready) {
				p->dns_ready = true;
				dns_flush(p);
			}
			reply(p, s->seq, ret);
			p->nstaging = 0;
		}
		break;
	}
	}
}

static void ipc_ready(int fd, uint32_t events, void *arg)
{
	struct parent *p = arg;
	struct ipc_msg m;

	(void)events;
	for (int i = 0; i < 256; i++) {
		int ret = ipc_recv(fd, &m, 1);

		if (ret == -EAGAIN)
			return;
		if (ret == 0) {
			/* The engine is exiting; SIGCHLD does the rest. */
			ev_io_del(p->loop, fd);
			return;
		}
		if (ret < 0) {
			/* imsg habit: a malformed message is fatal for the sender's channel. */
			log_warnx("ipc=recv error=\"malformed message from engine: %s\"",
				strerror(-ret));
			ev_io_del(p->loop, fd);
			engine_kill(p, "malformed ipc message");
			return;
		}
		handle_op(p, &m);
	}
}

static void engine_start(void *arg)
{
	struct parent *p = arg;
	struct ipc_hello hello = {.restarts = p->restarts, .parent_start = p->start};
	struct ipc_fd fk;
	int sv[2];
	pid_t pid;

	if (p->stopping)
		return;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		fatal("parent=socketpair");
	pid = fork();
	if (pid < 0)
		fatal("parent=fork");
	if (pid == 0) {
		int ret;

		/* Keep nothing of the parent's but the channel. */
		if (dup2(sv[1], 3) < 0)
			_exit(1);
		close_range(4, ~0U, 0);
		log_init("engine", getenv("HOMEGATE_STDERR") != NULL, p->cfg.log_level);
		/* Never outlive the parent: nobody would restart or supervise us. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != p->self)
			_exit(0);
		ret = privsep_drop(&p->user);
		if (ret < 0) {
			errno = -ret;
			fatal("engine=privdrop user=%s", p->user.name);
		}
		if (chdir(p->cfg.state_dir) < 0)
			fatal("engine=chdir dir=%s", p->cfg.state_dir);
		_exit(engine_main(&p->cfg, 3));
	}
	close(sv[1]);
	p->engine = pid;
	p->ipc_fd = sv[0];
	p->ready_ms = 0;
	p->nstaging = 0;
	p->pstage_open = false; /* a profile half sent by a dead engine is dropped */
	/* What the new engine does not send again is swept after its sync. */
	nft_engine_start(p->nft);
	pol_clear(&p->pstage);
	log_info("engine=start pid=%d restarts=%u", (int)pid, p->restarts);
	if (ev_io_add(p->loop, p->ipc_fd, EPOLLIN, ipc_ready, p) < 0)
		fatalx("parent=ipc error=\"cannot watch channel\"");
	if (ipc_send(p->ipc_fd, IPC_P2E_HELLO, &hello, sizeof(hello), -1) < 0)
		log_warn("ipc=send type=hello");
	fk.kind = IPC_FD_CONTROL;
	if (ipc_send(p->ipc_fd, IPC_P2E_FD, &fk, sizeof(fk), p->control_fd) < 0)
		log_warn("ipc=send type=fd kind=control");
	fk.kind = IPC_FD_DHCP_HOOK;
	if (ipc_send(p->ipc_fd, IPC_P2E_FD, &fk, sizeof(fk), p->hook_fd) < 0)
		log_warn("ipc=send type=fd kind=dhcp_hook");
	fk.kind = IPC_FD_CAPTURE;
	if (p->capture_fd >= 0 &&
		ipc_send(p->ipc_fd, IPC_P2E_FD, &fk, sizeof(fk), p->capture_fd) < 0)
		log_warn("ipc=send type=fd kind=capture");
}

static void on_sigchld(int signo, void *arg)
{
	struct parent *p = arg;
	int status;
	pid_t pid;

	(void)signo;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		int64_t max_ms = (int64_t)p->cfg.engine_restart_max_s * 1000;
		bool stable;

		if (pid == p->dnsbind) {
			/* Bound names get no answers until it is back. */
			log_warnx("dnsbind=died pid=%d status=%d restart_in_ms=1000", (int)pid,
				status);
			p->dnsbind = 0;
			if (!p->stopping)
				ev_timer_arm(p->loop, &p->dnsbind_timer, 1000);
			continue;
		}
		if (pid != p->engine)
			continue;
		if (WIFSIGNALED(status))
			log_warnx("engine=died pid=%d signal=%d", (int)pid, WTERMSIG(status));
		else
			log_info("engine=exited pid=%d status=%d", (int)pid, WEXITSTATUS(status));
		ev_io_del(p->loop, p->ipc_fd);
		close(p->ipc_fd);
		p->ipc_fd = -1;
		p->engine = 0;
		if (p->stopping) {
			ev_loop_break(p->loop);
			continue;
		}
		/* Rules stay as they are (fail-static); only the engine comes back. */
		stable = p->ready_ms && util_mono_ms() - p->ready_ms >= RESTART_STABLE_MS;
		if (stable || !p->restart_delay_ms)
			p->restart_delay_ms = RESTART_BASE_MS;
		else if (p->restart_delay_ms * 2 <= max_ms)
			p->restart_delay_ms *= 2;
		else
			p->restart_delay_ms = max_ms;
		p->restarts++;
		log_info("engine=restart in_ms=%lld restarts=%u", (long long)p->restart_delay_ms,
			p->restarts);
		ev_timer_arm(p->loop, &p->restart_timer, p->restart_delay_ms);
	}
}

static void dnsbind_start(void *arg)
{
	struct parent *p = arg;
	char pidfile[PATH_MAX + 16];
	pid_t pid;

	snprintf(pidfile, sizeof(pidfile), "%s/dnsbind.pid", p->cfg.run_dir);
	pid = dnsbind_proc_spawn(&p->dnsbind_conf, &p->user, pidfile, p->cfg.log_level,
		getenv("HOMEGATE_STDERR") != NULL);
	if (pid < 0) {
		log_warnx("dnsbind=start error=\"%s\" retry_in_ms=1000", strerror((int)-pid));
		ev_timer_arm(p->loop, &p->dnsbind_timer, 1000);
		return;
	}
	p->dnsbind = pid;
	log_info("dnsbind=start pid=%d port=%u", (int)pid, p->cfg.dns_bind_port);
}

static void on_term(int signo, void *arg)
{
	struct parent *p = arg;

	log_info("parent=stop signal=%d rules=kept", signo);
	p->stopping = true;
	ev_timer_cancel(p->loop, &p->restart_timer);
	if (p->engine > 0)
		kill(p->engine, SIGTERM);
	else
		ev_loop_break(p->loop);
}

static void on_hup(int signo, void *arg)
{
	(void)signo;
	(void)arg;
	log_info("parent=hup action=none reason=\"restart homegated to apply config changes\"");
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: homegated [-d] [-v] [-n] [-f CONFIG]\n"
		"  -d         stay in the foreground and log to stderr\n"
		"  -v         log debug messages\n"
		"  -n         check the configuration, print it, and exit\n"
		"  -f CONFIG  configuration file (default " HG_CONFIG_PATH ")\n"
		"  --remove-rules  delete homegate's nftables tables and exit\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"remove-rules", no_argument, NULL, 'R'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct parent p = {.control_fd = -1, .hook_fd = -1, .capture_fd = -1, .ipc_fd = -1};
	const char *conf = HG_CONFIG_PATH;
	bool foreground = false, check = false, verbose = false, remove_rules = false;
	char err[HG_CONFIG_ERR_MAX];
	struct group gr, *grp = NULL;
	char grbuf[4096];
	int c, ret;

	while ((c = getopt_long(argc, argv, "dvnf:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			foreground = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'n':
			check = true;
			break;
		case 'f':
			conf = optarg;
			break;
		case 'R':
			remove_rules = true;
			break;
		case 'V':
			printf("homegated %s\n", HOMEGATE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	config_defaults(&p.cfg);
	ret = config_load(&p.cfg, conf, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "homegated: %s\n", err);
		return 1;
	}
	if (verbose)
		p.cfg.log_level = LOG_LEVEL_DEBUG;
	if (check) {
		config_dump(&p.cfg, STDOUT_FILENO);
		return 0;
	}
	log_init("homegated", foreground, p.cfg.log_level);
	if (foreground)
		setenv("HOMEGATE_STDERR", "1", 1);
	if (geteuid() != 0)
		fatalx("parent=start error=\"homegated must start as root (it drops privileges)\"");

	ret = nft_open(p.cfg.lan_interface, "", &p.nft);
	if (ret < 0)
		fatalx("parent=start error=\"nftables: %s\"", strerror(-ret));
	/* dnsmasq --nftset fills sets of one name each; dnsbind the shared dnsname4/6. */
	if (p.cfg.dns_binding == HG_DNS_BINDING_NFTSET)
		nft_set_compile_flags(p.nft, NFTC_DNS_PER_NAME);
	if (remove_rules) {
		ret = nft_remove(p.nft);
		nft_close(p.nft);
		return ret ? 1 : 0;
	}
	if (privsep_lookup(p.cfg.user, &p.user) < 0)
		fatalx("parent=start error=\"engine user %s missing\"", p.cfg.user);
	if (!engine_can_read(p.cfg.mud_trust_anchors, &p.user) ||
		!engine_can_read(p.cfg.mud_ca_file, &p.user))
		fatalx("parent=start error=\"mud.trust_anchors or mud.ca_file is not a regular "
		       "file "
		       "the engine user %s can read\"",
			p.cfg.user);
	if (getgrnam_r(p.cfg.group, &gr, grbuf, sizeof(grbuf), &grp) != 0 || !grp)
		fatalx("parent=start error=\"control group %s missing\"", p.cfg.group);
	p.group = grp->gr_gid;
	ret = make_dir(p.cfg.state_dir, 0750, p.user.uid, p.user.gid);
	if (ret == 0)
		ret = make_dir(p.cfg.run_dir, 0755, 0, 0);
	if (ret < 0)
		fatalx("parent=start error=\"cannot prepare %s or %s: %s\"", p.cfg.state_dir,
			p.cfg.run_dir, strerror(-ret));
	ret = unix_socket(p.cfg.run_dir, "homegate.sock", SOCK_STREAM, p.group, &p.control_fd);
	if (ret == 0)
		ret = unix_socket(p.cfg.run_dir, "dhcp.sock", SOCK_DGRAM, p.group, &p.hook_fd);
	if (ret < 0)
		fatalx("parent=start error=\"sockets in %s: %s\"", p.cfg.run_dir, strerror(-ret));
	/* The LAN sensor (LLDP, DHCP and DHCPv6 client messages). Without it homegated still
	 * learns leases from dnsmasq, so a failure is a warning, not fatal. */
	ret = capture_open(&p.capture_fd);
	if (ret < 0)
		log_warnx("parent=capture error=\"%s\" effect=\"no LLDP or observed DHCP\"",
			strerror(-ret));
	ret = nft_ensure_base(p.nft);
	if (ret < 0)
		fatalx("parent=start error=\"cannot install the nftables base table\"");
	if (nft_set_lan(p.nft) < 0)
		log_warnx("parent=lan if=%s error=\"cannot read its addresses: DNS and NTP to the "
			  "gateway and local-networks stay empty\"",
			p.cfg.lan_interface);

	if (!foreground && daemon(0, 0) < 0)
		fatal("parent=daemon");
	p.start = util_now();
	p.self = getpid();
	p.loop = ev_loop_new();
	if (!p.loop)
		fatalx("parent=start error=oom");
	ev_timer_init(&p.restart_timer, engine_start, &p);
	ev_timer_init(&p.dns_timer, dns_flush, &p);
	if (p.cfg.dns_nftset_file[0]) {
		/* Created empty when absent, so dnsmasq's conf-file always exists; an existing one
		 * stays until the engine's profiles have rebuilt the same list. */
		if (dns_nftset_new(nft_table(p.nft), &p.dns) < 0)
			fatalx("parent=start error=oom");
		if (access(p.cfg.dns_nftset_file, F_OK) < 0 &&
			dns_nftset_write(p.dns, p.cfg.dns_nftset_file) < 0)
			fatalx("parent=start error=\"cannot write dns.nftset_file %s\"",
				p.cfg.dns_nftset_file);
	}
	/* DNS binding by dnsbind: it keeps running while homegated is down, and a new parent's
	 * dnsbind takes over from it. */
	ev_timer_init(&p.dnsbind_timer, dnsbind_start, &p);
	if (p.dns && p.cfg.dns_binding == HG_DNS_BINDING_FORWARDER) {
		if (dns_nftset_use_forwarder(p.dns, p.cfg.dns_bind_port) < 0 ||
			dnsbind_proc_conf(&p.cfg, nft_table(p.nft), "/etc/resolv.conf",
				&p.dnsbind_conf, err, sizeof(err)) < 0)
			fatalx("parent=start error=\"%s\"", err);
		dnsbind_start(&p);
	}
	/* hostapd's control sockets are root's: the parent attaches, the engine gets events. */
	ret = wifi_open(p.loop, &p.cfg, p.cfg.run_dir, wifi_station, &p, &p.wifi);
	if (ret < 0)
		fatalx("parent=start error=\"wifi: %s\"", strerror(-ret));
	if (ev_signal_add(p.loop, SIGCHLD, on_sigchld, &p) < 0 ||
		ev_signal_add(p.loop, SIGTERM, on_term, &p) < 0 ||
		ev_signal_add(p.loop, SIGINT, on_term, &p) < 0 ||
		ev_signal_add(p.loop, SIGHUP, on_hup, &p) < 0)
		fatal("parent=signals");
	signal(SIGPIPE, SIG_IGN);
	log_info("parent=start version=%s config=%s lan=%s", HOMEGATE_VERSION, conf,
		p.cfg.lan_interface);
	engine_start(&p);
	ev_loop_run(p.loop);

	wifi_close(p.wifi);
	nft_close(p.nft);
	close(p.control_fd);
	close(p.hook_fd);
	if (p.capture_fd >= 0)
		close(p.capture_fd);
	free(p.staging);
	pol_clear(&p.pstage);
	dns_nftset_free(p.dns);
	ev_loop_free(p.loop);
	log_info("parent=exit");
	return 0;
}
