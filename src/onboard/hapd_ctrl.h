/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hostapd control-interface client (the wpa_ctrl protocol) and a parser for the events we use. */
#ifndef HG_HAPD_CTRL_H
#define HG_HAPD_CTRL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/evloop.h"
#include "core/util.h"

/* Longest datagram read or accepted: hostapd's own buffers (ctrl_iface, hostapd_cli) are 4096. */
#define HAPD_MSG_MAX	    4096
#define HAPD_KEYID_MAX	    31	 /* as PSK_KEYID_MAX: hostapd's keyid[32] */
#define HAPD_DPP_NAME_MAX   47	 /* "DPP-CONF-RECEIVED", ...: [A-Z0-9-] */
#define HAPD_EVENT_TEXT_MAX 2048 /* the text after a DPP event's name */
#define HAPD_TIMEOUT_MS	    1000 /* default wait for a request's reply */

enum hapd_event_kind {
	HAPD_EV_STA_CONNECTED = 1, /* AP-STA-CONNECTED: the station is authorized */
	HAPD_EV_STA_DISCONNECTED,  /* AP-STA-DISCONNECTED */
	HAPD_EV_DPP,		   /* any DPP-* event, kept as its name and text */
};

enum {
	HAPD_EV_HAS_KEYID = 1U << 0,  /* keyid= (hostapd 2.10: the wpa_psk_file line's keyid) */
	HAPD_EV_HAS_PKHASH = 1U << 1, /* dpp_pkhash= (the DPP bootstrapping key hash) */
};

/* One parsed event. mac is set for the station events; keyid/pkhash as flags say; name and text
 * for HAPD_EV_DPP (text "" when the event has none). All strings are NUL-terminated. */
struct hapd_event {
	enum hapd_event_kind kind;
	unsigned flags;
	unsigned level; /* the "<N>" priority, 0..9 */
	struct hg_mac mac;
	char keyid[HAPD_KEYID_MAX + 1];	  /* printable, no space */
	char pkhash[65];		  /* 64 lower-case hex digits */
	char name[HAPD_DPP_NAME_MAX + 1]; /* "DPP-AUTH-SUCCESS" */
	char text[HAPD_EVENT_TEXT_MAX];	  /* printable ASCII */
};

/* Parses one unsolicited message as it arrives on an attached socket: "<N>NAME[ rest]", len
 * bytes (need not be NUL-terminated, at most HAPD_MSG_MAX). AP-STA-CONNECTED and
 * AP-STA-DISCONNECTED take a colon-form unicast MAC, then "name=value" tokens separated by single
 * spaces: keyid= (1..31 printable, no space) and dpp_pkhash= (64 hex) at most once each; other
 * tokens of that shape (p2p_dev_addr=, ip_addr=, auth_alg=, vlan_id= of later hostapds) are
 * skipped. DPP-* keeps the name and the printable rest. Returns 0 with *out filled, -ENODATA for
 * a well-formed event of another kind (out->name holds its name, truncated), -EINVAL for
 * anything malformed: no "<N>" prefix, NUL or control bytes, a bad MAC, a repeated or bad token,
 * a name or text too long. Never reads beyond len. */
int hapd_event_parse(const char *msg, size_t len, struct hapd_event *out);

struct hapd_ctrl;

/* Called from the event loop for each event that parsed (hapd_event_parse() == 0); ev is valid
 * for the call only. */
typedef void (*hapd_event_cb)(struct hapd_ctrl *c, const struct hapd_event *ev, void *arg);

/* Timing of a client; zero fields take the defaults in brackets. */
struct hapd_ctrl_opts {
	unsigned timeout_ms;   /* a request's reply [HAPD_TIMEOUT_MS] */
	unsigned ping_ms;      /* liveness PING while connected [10000] */
	unsigned retry_min_ms; /* first reconnect attempt after a loss [250] */
	unsigned retry_max_ms; /* back-off cap, doubling from retry_min_ms [30000] */
};

/* Creates a client for the control socket at path ("<ctrl_interface>/<ifname>") whose own
 * sockets are bound in local_dir (names "hg-hapd-<pid>-<n>-req" and "-ev", at most 107 bytes in
 * all). It connects at once when it can; otherwise, and whenever hostapd goes away (a send
 * refused, ECONNREFUSED/ENOENT, or a PING unanswered), it retries from the loop with back-off and
 * re-ATTACHes, logging once per change between up and down. opts may be NULL. cb gets the
 * events. Returns 0 with *out (free with hapd_ctrl_close), -ENAMETOOLONG, -ENOMEM. */
int hapd_ctrl_open(struct ev_loop *loop, const char *path, const char *local_dir,
	const struct hapd_ctrl_opts *opts, hapd_event_cb cb, void *arg, struct hapd_ctrl **out);

/* Sends cmd and waits (blocking, at most the client's timeout) for the reply, skipping any
 * unsolicited "<N>..." message on the request socket and any stale reply of an earlier request
 * that timed out. reply receives at most replylen - 1 bytes, NUL-terminated, a trailing newline
 * removed. Returns the reply's length, -ENOTCONN while hostapd is down, -ETIMEDOUT, -EMSGSIZE
 * for a cmd longer than HAPD_MSG_MAX, or -errno of send (ECONNREFUSED/ENOENT also start a
 * reconnect). */
int hapd_ctrl_request(struct hapd_ctrl *c, const char *cmd, char *reply, size_t replylen);

/* True while connected and ATTACHed. */
bool hapd_ctrl_is_up(const struct hapd_ctrl *c);
/* The control socket path given to hapd_ctrl_open. */
const char *hapd_ctrl_path(const struct hapd_ctrl *c);
/* A short name for logs: the last component of the path (the interface). */
const char *hapd_ctrl_name(const struct hapd_ctrl *c);

/* DETACHes (best effort), closes and unlinks the client's sockets, frees it; NULL is a no-op. */
void hapd_ctrl_close(struct hapd_ctrl *c);

#endif
