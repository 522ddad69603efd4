/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The unprivileged engine process: registry, event intake, control socket (DESIGN §3). */
#include "engine/engine.h"

#include "api/control.h"
#include "core/evloop.h"
#include "core/ipc.h"
#include "core/log.h"
#include "core/store.h"
#include "core/util.h"
#include "engine/ctlmgr.h"
#include "engine/enforce.h"
#include "engine/idmgr.h"
#include "engine/mudmgr.h"
#include "engine/onbmgr.h"
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
	struct ctlmgr *ctlm;
	struct ev_timer gc_timer;
	struct idmgr *idm;
	struct onbmgr *onb;
	struct control *ctl;
	struct control_status status;
	struct ev_timer flush_timer;
	/* psk_* requests the parent is carrying out, by IPC seq (a control id, or an own one
	 * with PSK_OWN set for a revocation after a block or forget), with who asked; a list
	 * arrives in chunks gathered in psk_list. */
	struct {
		uint32_t seq;
		struct hg_mac mac;
		char who[33];
	} psk_wait[CONTROL_MAX_CLIENTS + 8];
	uint32_t psk_own;
	struct control_psk_entry *psk_list;
	size_t psk_nlist;
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

#define PSK_OWN 0x80000000U

/* Asks the parent for a PSK operation; the answer is psk_result's. */
static int psk_ask(struct engine *e, enum ipc_psk_op op, const struct hg_mac *mac, int vlanid,
	uint32_t seq, const char *who)
{
	struct ipc_psk_req rq = {.seq = seq, .op = (uint8_t)op, .vlanid = vlanid};
	size_t slot;
	int ret;

	for (slot = 0; slot < ARRAY_SIZE(e->psk_wait) && e->psk_wait[slot].seq; slot++)
		;
	if (slot == ARRAY_SIZE(e->psk_wait))
		return -EBUSY;
	if (mac)
		memcpy(rq.mac, mac->b, 6);
	ret = ipc_send(e->ipc_fd, IPC_E2P_PSK, &rq, sizeof(rq), -1);
	if (ret < 0)
		return ret;
	e->psk_wait[slot].seq = seq;
	if (mac)
		e->psk_wait[slot].mac = *mac;
	util_strlcpy(e->psk_wait[slot].who, who, sizeof(e->psk_wait[slot].who));
	return 0;
}

static int psk_request(enum control_psk_op op, const struct hg_mac *mac, int vlanid, uint32_t id,
	const char *who, void *arg)
{
	struct engine *e = arg;

	if (op == CONTROL_PSK_NEW && !vlanid)
		vlanid = e->cfg->wifi_vlan ? (int)e->cfg->wifi_vlan : -1;
	return psk_ask(e,
		op == CONTROL_PSK_NEW		   ? IPC_PSK_NEW
			: op == CONTROL_PSK_REVOKE ? IPC_PSK_REVOKE
						   : IPC_PSK_LIST,
		mac, vlanid, id & ~PSK_OWN, who);
}

/* Strings of a parent's answer end inside their arrays and hold printable ASCII. */
static bool psk_result_ok(const struct ipc_psk_result *r)
{
	if (r->op < IPC_PSK_NEW || r->op > IPC_PSK_OP_MAX || r->final > 1 ||
		!util_is_printable(r->pass, sizeof(r->pass)) ||
		!memchr(r->pass, 0, sizeof(r->pass)) || !memchr(r->keyid, 0, sizeof(r->keyid)) ||
		!util_is_printable(r->keyid, sizeof(r->keyid)) ||
		!memchr(r->error, 0, sizeof(r->error)) ||
		!util_is_printable(r->error, sizeof(r->error)))
		return false;
	for (size_t i = 0; i < r->count; i++)
		if (!memchr(r->e[i].keyid, 0, sizeof(r->e[i].keyid)) ||
			!util_is_printable(r->e[i].keyid, sizeof(r->e[i].keyid)))
			return false;
	return true;
}

/* The parent's answer to psk_ask: to the waiting connection, and into the audit log. */
static void psk_result(struct engine *e, const struct ipc_psk_result *r)
{
	struct control_psk_answer a = {.op = (enum control_psk_op)r->op,
		.err = r->err,
		.message = r->error,
		.file = e->cfg->wifi_psk_file,
		.pass = r->pass,
		.keyid = r->keyid,
		.vlanid = r->vlanid > 0 ? r->vlanid : 0};
	const char *who;
	char m[HG_MAC_STRLEN], why[64];
	size_t slot;

	for (slot = 0; slot < ARRAY_SIZE(e->psk_wait) && e->psk_wait[slot].seq != r->seq; slot++)
		;
	if (!r->seq || slot == ARRAY_SIZE(e->psk_wait)) {
		log_warnx("wifi=psk seq=%u error=\"an answer nobody asked for\"", r->seq);
		return;
	}
	if (r->op == IPC_PSK_LIST) {
		struct control_psk_entry *l;

		l = reallocarray(e->psk_list, e->psk_nlist + r->count + 1, sizeof(*l));
		if (!l) {
			a.err = -ENOMEM;
		} else {
			e->psk_list = l;
			for (size_t i = 0; i < r->count; i++) {
				struct control_psk_entry *x = &l[e->psk_nlist++];

				memcpy(x->mac.b, r->e[i].mac, 6);
				util_strlcpy(x->keyid, r->e[i].keyid, sizeof(x->keyid));
				x->vlanid = r->e[i].vlanid;
			}
		}
		if (!r->final && !a.err)
			return;
		a.entries = e->psk_list;
		a.nentries = e->psk_nlist;
	}
	who = e->psk_wait[slot].who;
	e->psk_wait[slot].seq = 0;
	a.mac = e->psk_wait[slot].mac; /* the parent answers about the MAC asked for */
	util_mac_format(&a.mac, m);
	if (a.err && !((r->seq & PSK_OWN) && a.err == -ENOENT))
		log_info("wifi=psk op=%u dev=%s error=\"%s\"", r->op, m, r->error);
	else if (r->op == IPC_PSK_NEW || r->op == IPC_PSK_REVOKE) {
		if (r->op == IPC_PSK_NEW) {
			/* A device that has a PSK is one the user named: on the record from now. */
			struct hg_event ev = {
				.type = HG_EV_DEV_SEEN, .source = HG_SRC_USER, .time = util_now()};

			ev.dev_seen.mac = a.mac;
			if (!registry_get(e->reg, &a.mac) && registry_apply_event(e->reg, &ev) < 0)
				log_warnx("dev=%s action=psk_new error=\"not recorded\"", m);
			snprintf(why, sizeof(why), "keyid=%s vlan=%d", r->keyid, a.vlanid);
		} else {
			snprintf(why, sizeof(why), "file=wpa_psk_file");
		}
		if (registry_audit_note(e->reg, &a.mac, who,
			    r->op == IPC_PSK_NEW ? "psk_new" : "psk_revoke", why) < 0)
			log_warnx("dev=%s action=psk error=\"not audited\"", m);
		log_info("dev=%s action=%s who=%s", m,
			r->op == IPC_PSK_NEW ? "psk_new" : "psk_revoke", who);
	}
	/* A revocation of the engine's own (PSK_OWN) has nobody waiting. */
	if (!(r->seq & PSK_OWN) && e->ctl)
		control_psk_done(e->ctl, r->seq, &a);
	free(e->psk_list);
	e->psk_list = NULL;
	e->psk_nlist = 0;
}

/* A station joined or left one of the hostapds (the parent parsed hostapd's event). */
static int wifi_station(struct engine *e, const struct ipc_wifi_sta *s)
{
	struct hg_event ev = {.type = HG_EV_WIFI, .source = HG_SRC_HOSTAPD, .time = util_now()};
	char m[HG_MAC_STRLEN];
	int ret;

	if ((s->kind != IPC_WIFI_JOIN && s->kind != IPC_WIFI_LEAVE) ||
		!memchr(s->ap, 0, sizeof(s->ap)) || !memchr(s->keyid, 0, sizeof(s->keyid)) ||
		!memchr(s->pkhash, 0, sizeof(s->pkhash)))
		return -EINVAL;
	memcpy(ev.wifi.mac.b, s->mac, 6);
	ev.wifi.joined = s->kind == IPC_WIFI_JOIN;
	util_strlcpy(ev.wifi.ap, s->ap, sizeof(ev.wifi.ap));
	util_strlcpy(ev.wifi.keyid, s->keyid, sizeof(ev.wifi.keyid));
	ret = registry_apply_event(e->reg, &ev);
	if (ret == -EINVAL)
		return ret;
	util_mac_format(&ev.wifi.mac, m);
	if (ret < 0)
		log_warnx("dev=%s intake=hostapd error=\"%s\"", m, strerror(-ret));
	else if (s->pkhash[0] && strspn(s->pkhash, "0123456789abcdef") == 64) {
		log_info("dev=%s wifi=dpp pkhash=%s", m, s->pkhash);
		/* The netAccessKey it joined with names the enrollee that was given it. */
		if (e->onb && s->kind == IPC_WIFI_JOIN)
			onbmgr_station(e->onb, &ev.wifi.mac, s->pkhash);
	}
	return 0;
}

static void on_state(const struct hg_mac *mac, enum dev_state from, enum dev_state to, void *arg)
{
	struct engine *e = arg;

	(void)from;
	if (to == DEV_FORGOTTEN && e->mud)
		mudmgr_forget(e->mud, mac);
	/* A device blocked or forgotten loses its Wi-Fi password (DESIGN §6). */
	if ((to == DEV_BLOCKED || to == DEV_FORGOTTEN) && from != to && e->cfg->wifi_psk_file[0]) {
		int ret;

		e->psk_own = (e->psk_own + 1) & ~PSK_OWN;
		ret = psk_ask(e, IPC_PSK_REVOKE, mac, -1, PSK_OWN | e->psk_own,
			to == DEV_BLOCKED ? "rule:blocked" : "rule:forgotten");
		if (ret < 0)
			log_warnx("wifi=psk action=revoke error=\"%s\"", strerror(-ret));
	}
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

/* The controller declarations changed: the parent's ctl_ and myc_ sets follow. */
static void on_controllers(void *arg)
{
	struct engine *e = arg;

	if (e->ready && e->enf)
		enforce_controllers(e->enf);
}

/* How often profiles no device uses are looked for: a tenth of the grace period, 1..60 s. */
static int64_t gc_tick_ms(const struct hg_config *cfg)
{
	int64_t ms = (int64_t)cfg->lan_profile_gc_s * 100;

	return ms < 1000 ? 1000 : ms > 60000 ? 60000 : ms;
}

static void gc_tick(void *arg)
{
	struct engine *e = arg;

	if (e->ready)
		enforce_gc(e->enf, util_mono_ms(), (int64_t)e->cfg->lan_profile_gc_s * 1000);
	ev_timer_arm(e->loop, &e->gc_timer, gc_tick_ms(e->cfg));
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
	control_set_psk(e->ctl, psk_request, e);
	control_set_controllers(e->ctl, e->ctlm);
	control_set_onb(e->ctl, e->onb);
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
		case IPC_P2E_WIFI_STA: {
			struct ipc_wifi_sta s;

			memcpy(&s, m.payload, sizeof(s));
			if (wifi_station(e, &s) < 0) {
				log_warnx("ipc=recv error=\"malformed station event\" action=exit");
				engine_stop(e, 1);
				return;
			}
			break;
		}
		case IPC_P2E_PSK_RESULT: {
			const struct ipc_psk_result *r = (const void *)m.payload;

			if (!psk_result_ok(r)) {
				log_warnx("ipc=recv error=\"malformed psk answer\" action=exit");
				engine_stop(e, 1);
				return;
			}
			psk_result(e, r);
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
	/* Without onboarding the gateway still enforces; it only introduces no device by DPP. */
	ret = onbmgr_open(e.loop, cfg, e.store, e.reg, e.mud, &e.onb);
	if (ret < 0)
		snprintf(e.status.dpp, sizeof(e.status.dpp), "off: %s (see the log)",
			strerror(-ret));
	ret = enforce_open(e.reg, e.mud, enforce_send, &e, &e.enf);
	if (ret < 0)
		fatalx("engine=start error=\"enforcement: %s\"", strerror(-ret));
	ret = ctlmgr_open(e.store, &e.ctlm);
	if (ret < 0)
		fatalx("engine=start error=\"controllers: %s\"", strerror(-ret));
	ctlmgr_set_observer(e.ctlm, on_controllers, &e);
	enforce_set_controllers(e.enf, e.ctlm);
	if (ev_signal_add(e.loop, SIGTERM, on_signal, &e) < 0 ||
		ev_signal_add(e.loop, SIGINT, on_signal, &e) < 0 ||
		ev_io_add(e.loop, ipc_fd, EPOLLIN, ipc_ready, &e) < 0)
		fatalx("engine=start error=\"cannot register event sources\"");
	ev_timer_init(&e.flush_timer, flush_tick, &e);
	ev_timer_arm(e.loop, &e.flush_timer, (int64_t)cfg->seen_flush_s * 1000);
	ev_timer_init(&e.gc_timer, gc_tick, &e);
	ev_timer_arm(e.loop, &e.gc_timer, gc_tick_ms(cfg));

	ret = ev_loop_run(e.loop);
	if (ret < 0)
		e.exit_code = 1;
	registry_flush(e.reg);
	control_close(e.ctl);
	free(e.psk_list);
	enforce_close(e.enf);
	ctlmgr_close(e.ctlm);
	onbmgr_close(e.onb);
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
