/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The parent's side of hostapd: control clients for station events, the per-device PSK file. */
#ifndef HG_WIFI_H
#define HG_WIFI_H

#include <stddef.h>

#include "core/config.h"
#include "core/evloop.h"
#include "core/ipc.h"

struct wifi;

/* A station event ready for the engine; valid for the call only. */
typedef void (*wifi_sta_cb)(const struct ipc_wifi_sta *sta, void *arg);
/* Sends one answer message of len bytes (a prefix of *r) to the engine; returns 0 or -errno. */
typedef int (*wifi_send_cb)(const struct ipc_psk_result *r, size_t len, void *arg);

/* Starts a hapd_ctrl client for every socket in cfg->wifi_hostapd_ctrl, bound in local_dir
 * (root's run directory), each reconnecting on its own. cfg must outlive the wifi. With no
 * socket configured the wifi only serves PSK requests. Returns 0 with *out (free with
 * wifi_close), -ENOMEM, -ENAMETOOLONG. */
int wifi_open(struct ev_loop *loop, const struct hg_config *cfg, const char *local_dir,
	wifi_sta_cb cb, void *arg, struct wifi **out);

/* Carries out one request of the engine: loads [wifi] psk_file (strictly, psk_load), applies
 * NEW (a passphrase generated here, returned once, never logged) or REVOKE, saves the file
 * atomically, writes [wifi] sae_file when configured, sends RELOAD_WPA_PSK to every hostapd and
 * answers through send: the result's err/error say what failed ("no [wifi] psk_file
 * configured", "no such device: ..."), and a hostapd that did not reload is a warning in error
 * with err 0 (the file is written). LIST answers in chunks of IPC_PSK_CHUNK. Returns 0 when
 * answered, -EINVAL for a request no engine of ours sends (op out of range, a multicast or zero
 * MAC, a vlanid outside -1, 1..4094): nothing is answered or changed, and the caller should
 * treat the engine as compromised; or the error of send. The answer buffer is wiped. */
int wifi_psk(struct wifi *w, const struct ipc_psk_req *rq, wifi_send_cb send, void *arg);

/* Closes every client; NULL is a no-op. */
void wifi_close(struct wifi *w);

#endif
