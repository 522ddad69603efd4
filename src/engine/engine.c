/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The unprivileged engine process: registry, event intake, control socket (DESIGN §3). */
#include "engine/engine.h"

#include "api/control.h"
#include "core/evloop.h"
#include "core/ipc.h"
#include "core/log.h"
#include "core/store.h"
#include "core/util.h"
#include "engine/enforce.h"
#include "engine/idmgr.h"
#include "engine/mudmgr.h"
#include "engine/registry.h"
#include "mud/mud_parse.h"
#include "observe/capture.h"
#include "observe/dnsmasq_hook.h"

#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <unistd.h>

struct engine {
	const struct hg_config *cfg;
	struct ev_loop *loop;
	int ipc_fd;
	int hook_fd;
	int control_fd;
	int capture_fd;
	int lan_ifindex; /* of cfg->lan_interface, looked up when the capture socket arrives */
	struct store *store;
	struct registry *reg;
	struct mudmgr *mud;
	struct enforce *enf;
	struct idmgr *idm;
	struct control *ctl;
	struct control_status status;
	struct ev_timer flush_timer;
	uint32_t seq;
	bool hello, ready;
	int exit_code;
};

static void engine_stop(struct engine *e, int code)
{
	e->exit_code = code;
	ev_loop_break(e->loop);
}

static void send_or_die(struct engine *e, enum ipc_type type, const void *p, size_t len)
{
	int ret = ipc_send(e->ipc_fd, type, p, len, -1);

	if (ret < 0) {
		errno = -ret;
		log_warn("ipc=send type=%d", (int)type);
		engine_stop(e, 1);
	}
}

static void on_state(const struct hg_mac *mac, enum dev_state from, enum dev_state to, void *arg)
{
	struct engine *e = arg;

	(void)from;
	if (to == DEV_FORGOTTEN && e->mud)
		mudmgr_forget(e->mud, mac);
	/* A new record gets what the identifier already knows; a changed MUD decision may now
	 * contradict the fingerprint (AC-36). */
	if (e->idm)
		idmgr_device(e->idm, mac, to);
	/* Before the first sync there is nothing in the parent to keep in step. */
	if (e->ready && e->enf)
		enforce_device(e->enf, mac);
}

static int enforce_send(enum ipc_type type, const void *p, size_t len, void *arg)
{
	struct engine *e = arg;
	int ret = ipc_send(e->ipc_fd, type, p, len, -1);

	if (ret < 0) {
		errno = -ret;
		log_warn("ipc=send type=%d", (int)type);
		engine_stop(e, 1);
	}
	return ret;
}

static void hook_ready(int fd, uint32_t events, void *arg)
{
	struct engine *e = arg;
	char buf[DNSMASQ_HOOK_MAX + 1], err[128];
	struct hg_event ev;
	ssize_t n;

	(void)events;
	/* Bounded per wake-up so a flood cannot starve the control socket. */
	for (int i = 0; i < 64; i++) {
		int ret;

		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0)
			return;
		if ((size_t)n > DNSMASQ_HOOK_MAX) {
			log_warnx(
				"intake=dnsmasq error=\"datagram of %zd bytes over the limit\"", n);
			continue;
		}
		ret = dnsmasq_hook_parse(buf, (size_t)n, util_now(), &ev, err, sizeof(err));
		if (ret == -ENODATA) {
			log_debug("intake=dnsmasq skip=\"%s\"", err);
			continue;
		}
		if (ret < 0) {
			log_warnx("intake=dnsmasq error=\"%s\"", err);
			continue;
		}
		ret = registry_apply_event(e->reg, &ev);
		if (ret < 0) {
			char mac[HG_MAC_STRLEN];

			log_warnx("intake=dnsmasq dev=%s error=\"%s\"",
				util_mac_format(&ev.lease.mac, mac), strerror(-ret));
			continue;
		}
		if ((ev.lease.flags & HG_LEASE_HAS_MUD_URL) && ev.lease.op != HG_LEASE_DEL) {
			char mac[HG_MAC_STRLEN], url[HG_URL_MAX];

			/* The claim stays in the evidence; only a valid URL becomes the MUD URL. */
			if (mud_url_intake(ev.lease.mud_url, url, sizeof(url)) < 0)
				log_warnx("dev=%s mud_url=rejected source=%s reason=\"not an https "
					  "URL of at most 255 octets\"",
					util_mac_format(&ev.lease.mac, mac),
					hg_source_name(ev.source));
			else if (e->capture_fd >= 0 && strchr(url, '?'))
				/* dnsmasq cuts option 161 at its first "=": with a query the
				 * URL is taken from the packet itself, which the sensor sees. */
				log_debug("dev=%s mud_url=from-sensor reason=\"query in the URL\"",
					util_mac_format(&ev.lease.mac, mac));
			else
				mudmgr_intake(e->mud, &ev.lease.mac, url, ev.source,
					ev.lease.addr.family);
		}
	}
}

/* A MUD URL seen in a frame (LLDP, DHCPv4, DHCPv6) for a device on the LAN. */
static void capture_mud(struct engine *e, const struct capture_mud *cm)
{
	struct hg_event ev = {.type = HG_EV_DEV_SEEN, .source = cm->source, .time = util_now()};
	char mac[HG_MAC_STRLEN], url[HG_URL_MAX];
	int ret;

	util_mac_format(&cm->mac, mac);
	if (mud_url_intake(cm->url, url, sizeof(url)) < 0) {
		log_warnx("dev=%s mud_url=rejected source=%s reason=\"not an https URL of at most "
			  "255 octets\"",
			mac, hg_source_name(cm->source));
		return;
	}
	ev.dev_seen.mac = cm->mac;
	ret = registry_apply_event(e->reg, &ev);
	if (ret < 0) {
		log_warnx("dev=%s intake=%s error=\"%s\"", mac, hg_source_name(cm->source),
			strerror(-ret));
		return;
	}
	mudmgr_intake(e->mud, &cm->mac, url, cm->source, cm->family);
}

static void capture_ready(int fd, uint32_t events, void *arg)
{
	struct engine *e = arg;
	uint8_t frame[CAPTURE_SNAPLEN];

	(void)events;
	/* Bounded per wake-up, like the hook, so a flood cannot starve the rest. */
	for (int i = 0; i < 64; i++) {
		struct sockaddr_ll sll;
		socklen_t sl = sizeof(sll);
		struct capture_mud cm;
		char err[128];
		bool port;
		ssize_t n;
		int ret;

		n = recvfrom(fd, frame, sizeof(frame), MSG_DONTWAIT, (struct sockaddr *)&sll, &sl);
		if (n < 0)
			return;
		if (sl < sizeof(sll) || sll.sll_pkttype == PACKET_OUTGOING ||
			!capture_on_lan(sll.sll_ifindex, e->lan_ifindex, &port))
			continue;
		if (!port) {
			struct hg_event ev = {.type = HG_EV_DEV_SEEN, .source = HG_SRC_NDP};

			/* An IPv6 address for the maps toward the device (SLAAC, privacy). */
			if (capture_ndp_addr(frame, (size_t)n, &ev.dev_seen.mac,
				    &ev.dev_seen.addr.v6) == 1) {
				ev.dev_seen.addr.family = AF_INET6;
				ev.time = util_now();
				registry_apply_event(e->reg, &ev);
				continue;
			}
		}
		if (e->idm)
			idmgr_frame(e->idm, frame, (size_t)n, port);
		ret = capture_mud_url(frame, (size_t)n, &cm, err, sizeof(err));
		if (ret < 0) {
			log_debug("intake=capture ifindex=%d error=\"%s\"", sll.sll_ifindex, err);
			continue;
		}
		/* A broadcast crossing the bridge is seen on the port and on the bridge: IP
		 * from the bridge only; LLDP is link-local and only reaches the port. */
		if (ret == 0 || (cm.source != HG_SRC_LLDP && port))
			continue;
		capture_mud(e, &cm);
	}
}

static void capture_start(struct engine *e)
{
	e->lan_ifindex = (int)if_nametoindex(e->cfg->lan_interface);
	if (!e->lan_ifindex)
		log_warnx(
			"intake=capture lan=%s error=\"no such interface\"", e->cfg->lan_interface);
	if (ev_io_add(e->loop, e->capture_fd, EPOLLIN, capture_ready, e) < 0)
		log_warnx("intake=capture error=\"cannot watch the packet socket\"");
}

static void maybe_ready(struct engine *e)
{
	int ret;

	if (e->ready || !e->hello || e->control_fd < 0 || e->hook_fd < 0)
		return;
	ret = control_open(e->loop, e->control_fd, e->reg, &e->status, &e->ctl);
	if (ret < 0) {
		errno = -ret;
		log_warn("engine=control");
		engine_stop(e, 1);
		return;
	}
	control_set_mud(e->ctl, e->mud);
	ret = ev_io_add(e->loop, e->hook_fd, EPOLLIN, hook_ready, e);
	if (ret < 0) {
		errno = -ret;
		log_warn("engine=hook");
		engine_stop(e, 1);
		return;
	}
	/* The parent keeps the old rules until this replaces them atomically (fail-static). */
	if (enforce_sync(e->enf) < 0) {
		engine_stop(e, 1);
		return;
	}
	send_or_die(e, IPC_E2P_READY, NULL, 0);
	e->ready = true;
	log_info("engine=ready devices=%u restarts=%u", registry_count(e->reg),
		e->status.engine_restarts);
}

static void ipc_ready(int fd, uint32_t events, void *arg)
{
	struct engine *e = arg;
	struct ipc_msg m;
	int ret;

	(void)events;
	for (;;) {
		ret = ipc_recv(fd, &m, 0);
		if (ret == -EAGAIN)
			return;
		if (ret == 0) {
			log_info("engine=exit reason=\"parent closed the channel\"");
			engine_stop(e, 0);
			return;
		}
		if (ret < 0) {
			/* A malformed message from the parent means it is not the parent we know. */
			log_warnx("ipc=recv error=\"%s\" action=exit", strerror(-ret));
			engine_stop(e, 1);
			return;
		}
		switch (m.hdr.type) {
		case IPC_P2E_HELLO: {
			struct ipc_hello h;

			memcpy(&h, m.payload, sizeof(h));
			e->status.engine_restarts = h.restarts;
			e->status.parent_start = h.parent_start;
			e->hello = true;
			break;
		}
		case IPC_P2E_FD: {
			struct ipc_fd f;
			int *slot;

			memcpy(&f, m.payload, sizeof(f));
			slot = f.kind == IPC_FD_CONTROL	     ? &e->control_fd
				: f.kind == IPC_FD_DHCP_HOOK ? &e->hook_fd
				: f.kind == IPC_FD_CAPTURE   ? &e->capture_fd
							     : NULL;
			if (!slot || *slot >= 0) {
				log_warnx("ipc=fd kind=%u error=\"unexpected\"", f.kind);
				close(m.fd);
				break;
			}
			*slot = m.fd;
			if (slot == &e->capture_fd)
				capture_start(e);
			break;
		}
		case IPC_P2E_OP_RESULT: {
			struct ipc_op_result r;

			memcpy(&r, m.payload, sizeof(r));
			if (r.err)
				log_warnx(
					"enforce=op seq=%u error=\"%s\"", r.seq, strerror(-r.err));
			break;
		}
		}
		maybe_ready(e);
	}
}

static void flush_tick(void *arg)
{
	struct engine *e = arg;

	registry_flush(e->reg);
	ev_timer_arm(e->loop, &e->flush_timer, (int64_t)e->cfg->seen_flush_s * 1000);
}

static void on_signal(int signo, void *arg)
{
	struct engine *e = arg;

	log_info("engine=exit signal=%d", signo);
	engine_stop(e, 0);
}

int engine_main(const struct hg_config *cfg, int ipc_fd)
{
	struct engine e = {
		.cfg = cfg, .ipc_fd = ipc_fd, .hook_fd = -1, .control_fd = -1, .capture_fd = -1};
	char path[PATH_MAX];
	int ret;

	signal(SIGPIPE, SIG_IGN);
	e.status.engine_start = util_now();
	util_strlcpy(e.status.state_dir, cfg->state_dir, sizeof(e.status.state_dir));
	e.loop = ev_loop_new();
	if (!e.loop)
		fatalx("engine=start error=\"cannot create event loop\"");
	if ((size_t)snprintf(path, sizeof(path), "%s/homegate.db", cfg->state_dir) >= sizeof(path))
		fatalx("engine=start error=\"state_dir too long\"");
	ret = store_open(path, &e.store);
	if (ret < 0)
		fatalx("engine=start store=%s error=\"%s\"", path, strerror(-ret));
	ret = registry_open(e.store, cfg->max_devices, &e.reg);
	if (ret < 0)
		fatalx("engine=start error=\"registry: %s\"", strerror(-ret));
	registry_set_observer(e.reg, on_state, &e);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("engine=start error=\"libcurl cannot start\"");
	ret = mudmgr_open(e.loop, e.store, e.reg, cfg, &e.mud);
	if (ret < 0)
		fatalx("engine=start error=\"MUD manager: %s\"", strerror(-ret));
	/* Without its database the gateway still enforces; it only recognises no one. */
	ret = idmgr_open(cfg, e.reg, e.mud, &e.idm);
	if (ret < 0) {
		snprintf(e.status.identify, sizeof(e.status.identify),
			"off: the fingerprint database could not be loaded (see the log)");
	} else {
		struct idmgr_stats is;

		idmgr_stats(e.idm, &is);
		snprintf(e.status.identify, sizeof(e.status.identify), "%llu rules, %llu OUIs%s",
			(unsigned long long)is.rules, (unsigned long long)is.ouis,
			is.local_failed ? "; the local database was refused (see the log)" : "");
	}
	ret = enforce_open(e.reg, e.mud, enforce_send, &e, &e.enf);
	if (ret < 0)
		fatalx("engine=start error=\"enforcement: %s\"", strerror(-ret));
	if (ev_signal_add(e.loop, SIGTERM, on_signal, &e) < 0 ||
		ev_signal_add(e.loop, SIGINT, on_signal, &e) < 0 ||
		ev_io_add(e.loop, ipc_fd, EPOLLIN, ipc_ready, &e) < 0)
		fatalx("engine=start error=\"cannot register event sources\"");
	ev_timer_init(&e.flush_timer, flush_tick, &e);
	ev_timer_arm(e.loop, &e.flush_timer, (int64_t)cfg->seen_flush_s * 1000);

	ret = ev_loop_run(e.loop);
	if (ret < 0)
		e.exit_code = 1;
	registry_flush(e.reg);
	control_close(e.ctl);
	enforce_close(e.enf);
	idmgr_close(e.idm);
	mudmgr_close(e.mud);
	curl_global_cleanup();
	registry_close(e.reg);
	store_close(e.store);
	if (e.hook_fd >= 0)
		close(e.hook_fd);
	if (e.control_fd >= 0)
		close(e.control_fd);
	if (e.capture_fd >= 0)
		close(e.capture_fd);
	ev_loop_free(e.loop);
	return e.exit_code;
}
