/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The parent's side of hostapd: control clients for station events, the per-device PSK file. */
#include "onboard/wifi.h"

#include "core/log.h"
#include "core/util.h"
#include "onboard/hapd_ctrl.h"
#include "onboard/psk.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * hostapd's control sockets and the PSK files belong to root, so this runs in the parent. It
 * parses nothing but hostapd's station events (strictly, hapd_ctrl.c) and the wpa_psk_file it
 * owns (psk.c); the engine gets fixed binary structs and only ever names a MAC and a VLAN.
 */

struct wifi {
	const struct hg_config *cfg;
	struct hapd_ctrl *hapd[HG_WIFI_CTRL_MAX];
	size_t nhapd;
	wifi_sta_cb cb;
	void *arg;
};

static void on_event(struct hapd_ctrl *c, const struct hapd_event *ev, void *arg)
{
	struct wifi *w = arg;
	struct ipc_wifi_sta sta = {0};
	const char *name = hapd_ctrl_name(c);
	char m[HG_MAC_STRLEN];
	size_t i;

	if (ev->kind == HAPD_EV_DPP) {
		/* Never the text: DPP-CONFOBJ-PASS and friends carry credentials. */
		log_debug("wifi=hostapd if=%s event=%s", name, ev->name);
		return;
	}
	sta.kind = ev->kind == HAPD_EV_STA_CONNECTED ? IPC_WIFI_JOIN : IPC_WIFI_LEAVE;
	memcpy(sta.mac, ev->mac.b, 6);
	/* The interface name is the last part of a configured path: kept to the alphabet the
	 * engine accepts, so no path can make the engine refuse the parent. */
	for (i = 0; name[i] && i < sizeof(sta.ap) - 1; i++) {
		char ch = name[i];

		sta.ap[i] = ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				    (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-')
			? ch
			: '_';
	}
	if (ev->flags & HAPD_EV_HAS_KEYID)
		util_strlcpy(sta.keyid, ev->keyid, sizeof(sta.keyid));
	if (ev->flags & HAPD_EV_HAS_PKHASH)
		util_strlcpy(sta.pkhash, ev->pkhash, sizeof(sta.pkhash));
	log_debug(
		"wifi=hostapd if=%s event=%s dev=%s", name, ev->name, util_mac_format(&ev->mac, m));
	w->cb(&sta, w->arg);
}

int wifi_open(struct ev_loop *loop, const struct hg_config *cfg, const char *local_dir,
	wifi_sta_cb cb, void *arg, struct wifi **out)
{
	char list[sizeof(cfg->wifi_hostapd_ctrl)], *save = NULL;
	struct wifi *w = calloc(1, sizeof(*w));
	int ret = 0;

	*out = NULL;
	if (!w)
		return -ENOMEM;
	w->cfg = cfg;
	w->cb = cb;
	w->arg = arg;
	util_strlcpy(list, cfg->wifi_hostapd_ctrl, sizeof(list));
	for (char *t = strtok_r(list, " \t", &save); t && w->nhapd < HG_WIFI_CTRL_MAX;
		t = strtok_r(NULL, " \t", &save)) {
		ret = hapd_ctrl_open(loop, t, local_dir, NULL, on_event, w, &w->hapd[w->nhapd]);
		if (ret)
			goto out;
		w->nhapd++;
	}
	*out = w;
	w = NULL;
out:
	wifi_close(w);
	return ret;
}

void wifi_close(struct wifi *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->nhapd; i++)
		hapd_ctrl_close(w->hapd[i]);
	free(w);
}

static bool mac_ok(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return !(mac[0] & 1) && memcmp(mac, zero, 6) != 0;
}

__attribute__((format(printf, 2, 3))) static void append(
	struct ipc_psk_result *r, const char *fmt, ...)
{
	size_t n = strlen(r->error);
	va_list ap;

	if (n && n + 2 < sizeof(r->error)) {
		memcpy(r->error + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(r->error + n, sizeof(r->error) - n, fmt, ap);
	va_end(ap);
}

/* Tells every hostapd to read the file again; each one that did not is a warning. */
static void reload_all(struct wifi *w, struct ipc_psk_result *r)
{
	if (!w->nhapd) {
		append(r, "no [wifi] hostapd_ctrl configured: hostapd reads %s when it starts",
			w->cfg->wifi_psk_file);
		return;
	}
	for (size_t i = 0; i < w->nhapd; i++) {
		struct hapd_ctrl *c = w->hapd[i];
		char reply[64], why[80];
		int ret = hapd_ctrl_request(c, "RELOAD_WPA_PSK", reply, sizeof(reply));

		if (ret >= 0 && strcmp(reply, "OK") == 0) {
			log_info("wifi=reload if=%s result=ok", hapd_ctrl_name(c));
			continue;
		}
		if (ret == -ENOTCONN)
			snprintf(why, sizeof(why), "not connected");
		else if (ret < 0)
			snprintf(why, sizeof(why), "%s", strerror(-ret));
		else
			util_sanitize(why, sizeof(why), reply, strlen(reply));
		log_warnx("wifi=reload if=%s error=\"%s\"", hapd_ctrl_name(c), why);
		append(r, "hostapd %s did not reload: %s", hapd_ctrl_name(c), why);
	}
}

/* Writes the sae_password lines for [wifi] sae_file; returns 0 or -errno. */
static int write_sae(const struct psk_store *s, const char *path)
{
	int n = psk_sae_lines(s, NULL, 0), ret;
	char *buf;

	if (n < 0)
		return n;
	buf = malloc((size_t)n + 1);
	if (!buf)
		return -ENOMEM;
	psk_sae_lines(s, buf, (size_t)n + 1);
	ret = util_write_file_atomic(path, buf, (size_t)n, 0600);
	explicit_bzero(buf, (size_t)n + 1);
	free(buf);
	return ret;
}

/* Saves both files; on failure says so in r. */
static int save_all(struct wifi *w, const struct psk_store *s, struct ipc_psk_result *r)
{
	const struct hg_config *cfg = w->cfg;
	int ret = psk_save(s, cfg->wifi_psk_file);

	if (ret) {
		append(r, "cannot write %s: %s", cfg->wifi_psk_file, strerror(-ret));
		return ret;
	}
	if (cfg->wifi_sae_file[0]) {
		ret = write_sae(s, cfg->wifi_sae_file);
		if (ret) {
			append(r, "cannot write %s: %s", cfg->wifi_sae_file, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static int send_list(
	const struct psk_store *s, struct ipc_psk_result *r, wifi_send_cb send, void *arg)
{
	size_t n = psk_count(s), i = 0;
	int ret;

	do {
		r->count = 0;
		for (; i < n && r->count < IPC_PSK_CHUNK; i++) {
			const struct psk_entry *e = psk_at(s, i);
			struct ipc_psk_entry *x = &r->e[r->count++];

			memcpy(x->mac, e->mac.b, 6);
			x->vlanid = e->vlanid > 0 ? (uint16_t)e->vlanid : 0;
			util_strlcpy(x->keyid, e->keyid, sizeof(x->keyid));
		}
		r->final = i == n;
		ret = send(r, offsetof(struct ipc_psk_result, e) + r->count * sizeof(r->e[0]), arg);
	} while (!ret && i < n);
	return ret;
}

int wifi_psk(struct wifi *w, const struct ipc_psk_req *rq, wifi_send_cb send, void *arg)
{
	const struct hg_config *cfg = w->cfg;
	struct ipc_psk_result *r = NULL;
	struct psk_store *s = NULL;
	char err[256], m[HG_MAC_STRLEN];
	struct hg_mac mac;
	int ret;

	if (rq->op < IPC_PSK_NEW || rq->op > IPC_PSK_OP_MAX ||
		(rq->op != IPC_PSK_LIST && !mac_ok(rq->mac)) ||
		(rq->op == IPC_PSK_NEW && rq->vlanid != -1 &&
			(rq->vlanid < 1 || rq->vlanid > PSK_VLANID_MAX)))
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->seq = rq->seq;
	r->op = rq->op;
	r->final = 1;
	r->vlanid = -1;
	memcpy(mac.b, rq->mac, 6);
	util_mac_format(&mac, m);
	if (!cfg->wifi_psk_file[0]) {
		r->err = -EOPNOTSUPP;
		append(r, "no [wifi] psk_file configured");
		goto answer;
	}
	ret = psk_load(cfg->wifi_psk_file, &s, err, sizeof(err));
	if (ret) {
		r->err = ret;
		if (ret == -EINVAL)
			append(r, "%s", err);
		else
			append(r, "cannot read %s: %s", cfg->wifi_psk_file, strerror(-ret));
		goto answer;
	}
	switch (rq->op) {
	case IPC_PSK_LIST:
		ret = send_list(s, r, send, arg);
		goto out;
	case IPC_PSK_NEW: {
		const struct psk_entry *e;

		ret = psk_new(s, &mac, rq->vlanid, r->pass);
		if (ret) {
			r->err = ret;
			append(r, "%s",
				ret == -ENOSPC ? "the wpa_psk_file is full (4096 lines)"
					       : "the random generator failed");
			goto answer;
		}
		e = psk_get(s, &mac);
		util_strlcpy(r->keyid, e->keyid, sizeof(r->keyid));
		r->vlanid = e->vlanid;
		break;
	}
	case IPC_PSK_REVOKE:
		ret = psk_revoke(s, &mac);
		if (ret) {
			r->err = ret;
			append(r, "no such device: %s has no PSK in %s", m, cfg->wifi_psk_file);
			goto answer;
		}
		break;
	}
	ret = save_all(w, s, r);
	if (ret) {
		r->err = ret;
		explicit_bzero(r->pass, sizeof(r->pass));
		goto answer;
	}
	log_info("wifi=psk action=%s dev=%s keyid=%s vlan=%d file=%s",
		rq->op == IPC_PSK_NEW ? "new" : "revoke", m, r->keyid, r->vlanid,
		cfg->wifi_psk_file);
	reload_all(w, r);
answer:
	ret = send(r, offsetof(struct ipc_psk_result, e), arg);
out:
	explicit_bzero(r, sizeof(*r));
	free(r);
	psk_free(s);
	return ret;
}
