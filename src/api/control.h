/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Control socket served by the engine for the homegate CLI: newline-delimited JSON. */
#ifndef HG_CONTROL_H
#define HG_CONTROL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "core/evloop.h"
#include "engine/mudmgr.h"
#include "engine/onbmgr.h"
#include "engine/registry.h"

/*
 * Protocol (also in homegate(1)): a Unix SOCK_STREAM connection carries one JSON object per
 * line in each direction; every request line gets exactly one response line, in order.
 * Requests (no other members are accepted, and each command takes only the members shown):
 *   {"cmd":"status"}
 *   {"cmd":"devices"}
 *   {"cmd":"device","mac":"aa:bb:cc:dd:ee:ff"}
 *   {"cmd":"approve"|"block"|"quarantine"|"release"|"forget","mac":"..","why":".."}
 *                                                  (why optional, <= 200 bytes, default "cli")
 *   {"cmd":"log","mac":"..","limit":N}              (both optional; limit 1..1000, default 50)
 *   {"cmd":"mud_show","mac":".."} or {"cmd":"mud_show","url":"https://.."}
 *   {"cmd":"mud_refresh","mac":".."}           (fetch the device's MUD URL again now)
 *   {"cmd":"mud_accept","mac":"..","why":".."} (accept a waiting MUD update or held URL)
 *   {"cmd":"mud_qr","payload":"..","mac":".."} (an RFC 9238 code; mac is needed when the code
 *                                               has no M06C, else the error is needs_mac)
 *   {"cmd":"psk_new","mac":"..","vlan":N}      (vlan optional, 1..4094; default [wifi] vlan)
 *   {"cmd":"psk_revoke","mac":".."}
 *   {"cmd":"psk_list"}
 *   {"cmd":"dpp_add","payload":"DPP:..;;","mac":".."} (a device's code the user scanned:
 *                                               approved; mac, optional, from another code)
 *   {"cmd":"dpp_list"}
 *   {"cmd":"dpp_approve"|"dpp_deny","id":N,"why":".."} (answer a held configuration request)
 *   {"cmd":"controller_add"|"controller_del","mac":"..","uri":"CLASS-URI"} or with
 *                                    "url":"MUD-URL" instead of "uri" (a controller of that
 *                                    class, or my-controller of the devices using that URL)
 *   {"cmd":"controller_list"}
 * Responses:
 *   {"ok":true,"result":...}
 *   {"ok":false,"code":"bad_request|not_found|invalid_transition|already|busy|unavailable|
 *    internal",
 *    "error":"human message"}
 * Results:
 *   status   {"version","uptime" (s since the daemon started),"engine_uptime","engine_restarts",
 *             "state_dir","devices":{"total","new","pending","approved","blocked","quarantined"}}
 *   devices  [device, ...] in MAC order
 *   device, approve, block, quarantine, release: the device after the change
 *   device   {"mac","state","hostname","mud_url","mud_source","vendor","model","category",
 *             "confidence","first_seen","last_seen" (epoch s),"online",
 *             "addresses":[{"addr","family" ("ipv4"|"ipv6"),"source","last_seen","expires"}],
 *             "identities":[{"kind","value","source","strength" ("weak"|"cert"|"strong")}]}
 *   forget   {"mac","state":"forgotten"}
 *   mud_refresh, mud_accept: the device
 *   mud_show {"url","status","reason","file_hash","signer","signer_fingerprint","fetched",
 *             "refresh","stale","fetching","pending":null|{"file_hash","signer","reason"},
 *             "cache_validity_h","summary":{..},"devices":[mac, ...]}
 *   device also carries "mud_status","mud_reason","mud_hash" (see engine/mudmgr.h), and
 *             "dpp":{"enrollee","state","boot_hash","added","updated"} when onboarded by DPP
 *   log      [{"id","time","mac","who","action","from","to","why"[,"file_hash"]}, ...] newest
 *             first
 *   device also carries "wifi":{"associated","ap","keyid","since"}
 *   psk_new  {"mac","keyid","vlan" (0 none),"passphrase","psk_file"[,"warning"]}: the
 *             passphrase is in this one response only; warning names a hostapd that did not
 *             reload (the file is written)
 *   psk_revoke {"mac","psk_file"[,"warning"]}
 *   psk_list {"psk_file","entries":[{"mac","keyid","vlan"}, ...]} in file order
 * psk_* are answered by the privileged parent, asynchronously: the connection waits for that
 * answer (a few seconds at most) before its next request is read. Errors: unavailable ("no
 * [wifi] psk_file configured"), not_found ("no such device: ..."), internal.
 *   dpp_list {"uri" (the gateway's own),"controller" (address or "off"),"enrollees":[enrollee]}
 *   dpp_add, dpp_approve, dpp_deny: the enrollee {"id","state" (scanned|held|granting|
 *             provisioned|refused|failed),"waiting","boot_hash","mac","name","mud_url","akm",
 *             "scanned","added","updated","who","why"}
 *   controller_add, controller_del: the declaration {"kind" ("class"|"my"),"uri","mac",
 *             "added","who"}; controller_list: [declaration, ...] by kind, URI, MAC
 * A request line is at most CONTROL_MAX_REQUEST bytes without its newline; a longer one gets a
 * bad_request response and the connection is closed. At most CONTROL_MAX_CLIENTS connections
 * are served; one more gets a busy response and is closed. A connection that sends nothing for
 * CONTROL_IDLE_MS is closed. Each connection is served one request at a time: the next line is
 * read only once the previous response has been written, so a client that does not read its
 * answers holds at most one response in the engine.
 * State changes are audited as "user:<login>" of the peer's SO_PEERCRED uid ("uid:<n>" when
 * the login is unknown or not made of [a-z0-9_.-]).
 */
#define CONTROL_MAX_REQUEST (64 * 1024)
#define CONTROL_MAX_CLIENTS 32
#define CONTROL_IDLE_MS	    30000

/* What status reports besides the registry; owned and updated by the engine, read at each
 * status request (the version is HOMEGATE_VERSION). */
struct control_status {
	int64_t engine_start, parent_start; /* epoch s; parent_start 0 when unknown */
	unsigned engine_restarts;
	char state_dir[PATH_MAX];
	char identify[160]; /* "412 rules, 38000 OUIs" or why identification is off */
	char dpp[160];	    /* why onboarding is off, when it is */
};

struct control;

/* Serves the listening socket listen_fd (not owned: the caller closes it after control_close)
 * from loop; listen_fd -1 serves nothing but control_handle. reg and status must outlive the
 * control. Returns 0 or -errno (-ENOMEM, or from ev_io_add). */
int control_open(struct ev_loop *loop, int listen_fd, struct registry *reg,
	const struct control_status *status, struct control **out);
/* Closes every client connection and stops listening. NULL is a no-op. */
void control_close(struct control *ctl);

/* Serves the mud_show, mud_refresh and mud_accept commands from mud (not owned; NULL: those
 * commands answer "internal"). */
void control_set_mud(struct control *ctl, struct mudmgr *mud);
/* The onboarding manager for the dpp_* commands (without it they answer internal). */
void control_set_onb(struct control *ctl, struct onbmgr *onb);

/* The controller declarations for the controller_* commands (not owned; NULL: they answer
 * internal). */
struct ctlmgr;
void control_set_controllers(struct control *ctl, struct ctlmgr *cm);

/* Changes the idle limit (CONTROL_IDLE_MS by default) for connections accepted afterwards and
 * for the next activity of existing ones; for tests. */
void control_set_idle_timeout(struct control *ctl, int64_t ms);

/* Per-device PSKs, carried out by the parent. */
enum control_psk_op {
	CONTROL_PSK_NEW = 1,
	CONTROL_PSK_REVOKE,
	CONTROL_PSK_LIST,
};

/* Starts op for the actor who (mac NULL for LIST; vlanid 0 = not given, else 1..4094) and
 * returns 0 when the answer will come through control_psk_done with the same id, or -errno to
 * answer at once with an internal error. */
typedef int (*control_psk_cb)(enum control_psk_op op, const struct hg_mac *mac, int vlanid,
	uint32_t id, const char *who, void *arg);

/* Serves psk_new, psk_revoke and psk_list through cb (NULL: they answer "unavailable"). */
void control_set_psk(struct control *ctl, control_psk_cb cb, void *arg);

struct control_psk_entry {
	struct hg_mac mac;
	char keyid[32];
	int vlanid; /* 0 none */
};

/* The parent's answer; the strings are borrowed for the call. */
struct control_psk_answer {
	enum control_psk_op op;
	int err;				 /* 0 or -errno */
	const char *message;			 /* err: why; else a warning, or "" */
	const char *file;			 /* [wifi] psk_file */
	struct hg_mac mac;			 /* NEW, REVOKE */
	const char *pass;			 /* NEW: the passphrase */
	const char *keyid;			 /* NEW */
	int vlanid;				 /* NEW: 0 none */
	const struct control_psk_entry *entries; /* LIST */
	size_t nentries;
};

/* Answers the request id (dropped when its connection is gone) and lets its connection go on
 * with the next request. The response buffer holding a passphrase is wiped once written. */
void control_psk_done(struct control *ctl, uint32_t id, const struct control_psk_answer *a);

/* Handles one request line (len bytes, no newline, need not be NUL-terminated) as the actor
 * who, and returns the response without a newline as a NUL-terminated string the caller frees
 * (NULL only when out of memory). Exposed for tests and the fuzz harness. */
char *control_handle(struct control *ctl, const char *req, size_t len, const char *who);

#endif
