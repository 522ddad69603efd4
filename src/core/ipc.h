/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Typed, length-checked messages between the privileged parent and the engine over a
 * SOCK_SEQPACKET socketpair, with fd passing (OpenBSD imsg habit: a malformed message is fatal
 * for the sender's channel). */
#ifndef HG_IPC_H
#define HG_IPC_H

#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

/* Large enough for a chunk of a compiled profile's rules; AF_UNIX SOCK_SEQPACKET carries it in
 * one message (the socket buffer is larger). */
#define IPC_MAX_PAYLOAD 65536

enum ipc_type {
	/* parent -> engine */
	IPC_P2E_HELLO = 1,  /* struct ipc_hello */
	IPC_P2E_FD,	    /* struct ipc_fd + one fd */
	IPC_P2E_OP_RESULT,  /* struct ipc_op_result */
	IPC_P2E_WIFI_STA,   /* struct ipc_wifi_sta: a station joined or left a hostapd */
	IPC_P2E_PSK_RESULT, /* struct ipc_psk_result: the answer to an IPC_E2P_PSK */
	/* engine -> parent */
	IPC_E2P_READY = 64,  /* no payload: engine has loaded state and serves */
	IPC_E2P_DEV_PROFILE, /* struct ipc_dev_profile: put a device under a lifecycle profile */
	IPC_E2P_DEV_SYNC,    /* struct ipc_dev_sync: the complete device -> profile table */
	IPC_E2P_PROFILE, /* struct ipc_profile_chunk + rules: install or refresh a compiled profile */
	IPC_E2P_DEV_POLICY,   /* struct ipc_dev_policy: put a device under a compiled profile */
	IPC_E2P_PSK,	      /* struct ipc_psk_req: add, revoke or list per-device Wi-Fi PSKs */
	IPC_E2P_CTL_SYNC,     /* struct ipc_ctl_sync: every member of the controller sets */
	IPC_E2P_PROFILE_DROP, /* struct ipc_profile_drop: remove a profile no device uses */
};

struct ipc_hdr {
	uint32_t type;
	uint32_t len; /* payload bytes after the header */
};

struct ipc_hello {
	uint32_t restarts; /* how often the parent has restarted the engine */
	int64_t parent_start;
};

enum ipc_fd_kind {
	IPC_FD_CONTROL = 1, /* listening SOCK_STREAM control socket */
	IPC_FD_DHCP_HOOK,   /* bound SOCK_DGRAM socket the dnsmasq hook sends to */
	IPC_FD_CAPTURE,	    /* filtered AF_PACKET socket (observe/capture.h); optional */
};

struct ipc_fd {
	uint32_t kind;
};

/* Enforcement profiles of the lifecycle states (DESIGN §2). */
enum ipc_profile {
	IPC_PROFILE_NONE = 0, /* no entry: the system firewall alone decides */
	IPC_PROFILE_BLOCKED,  /* nothing but DHCP */
	IPC_PROFILE_POLICY,   /* a compiled profile, named by its id (sync entries only) */
	IPC_PROFILE_MAX = IPC_PROFILE_POLICY,
};

#define IPC_PROFILE_ID_LEN 12 /* lower-case hex digits of a compiled profile's id */
#define IPC_DEV_ADDRS	   8  /* addresses per device in the maps toward devices */

struct ipc_addr {
	uint8_t family; /* 4 or 6; 0 = unused slot */
	uint8_t a[16];	/* IPv4 in the first 4 bytes */
};

struct ipc_dev_profile {
	uint32_t seq;
	uint8_t mac[6];
	uint8_t profile; /* enum ipc_profile */
	uint8_t pad;
};

struct ipc_dev_sync_entry {
	uint8_t mac[6];
	uint8_t profile;	     /* enum ipc_profile */
	uint8_t naddrs;		     /* of addrs, for IPC_PROFILE_POLICY */
	char id[IPC_PROFILE_ID_LEN]; /* IPC_PROFILE_POLICY: the profile, installed before */
	/* Membership of the manufacturer and model sets (hash of the MUD URL's host and of the
	 * URL; all zero: none): only approved devices with a verified file are members. */
	char mfg[IPC_PROFILE_ID_LEN], mdl[IPC_PROFILE_ID_LEN];
	struct ipc_addr addrs[IPC_DEV_ADDRS];
};

#define IPC_SYNC_MAX ((IPC_MAX_PAYLOAD - 8) / sizeof(struct ipc_dev_sync_entry))

struct ipc_dev_sync {
	uint32_t seq;
	uint16_t count;
	uint8_t final; /* last chunk: the parent removes entries not named in any chunk */
	uint8_t pad;
	struct ipc_dev_sync_entry e[IPC_SYNC_MAX];
};

/* One device under a compiled profile: its MAC (from the device) and addresses (toward it). */
struct ipc_dev_policy {
	uint32_t seq;
	uint8_t mac[6];
	uint8_t naddrs;
	uint8_t pad;
	char id[IPC_PROFILE_ID_LEN];
	char mfg[IPC_PROFILE_ID_LEN], mdl[IPC_PROFILE_ID_LEN]; /* as in ipc_dev_sync_entry */
	struct ipc_addr addrs[IPC_DEV_ADDRS];
};

/* A compiled profile travels as its abstract rules (struct pol_rule, validated field by field by
 * the parent, which compiles them itself), in chunks: the first chunk starts it, the final one
 * installs it. The parent recomputes the id from the rules and refuses a mismatch. The header
 * is followed by nrules struct pol_rule. */
#define IPC_PROFILE_MAX_RULES 1024

struct ipc_profile_chunk {
	uint32_t seq;
	char id[IPC_PROFILE_ID_LEN];
	uint16_t nrules; /* in this chunk */
	uint8_t first, final;
	char authority[256]; /* host of the MUD URL, NUL-terminated; "" when not needed */
};

/* Members of the controller sets (RFC 8520 §8): ctl_<H> of a class URI (H = nftc_uri_hash)
 * and myc_<P> of a profile, each a MAC the administrator declared. The message is complete:
 * the parent replaces the members of every controller set with it in one transaction. */
enum ipc_ctl_kind {
	IPC_CTL_CLASS = 1, /* set is the H of ctl_<H> */
	IPC_CTL_MY,	   /* set is the profile id P of myc_<P> */
	IPC_CTL_KIND_MAX = IPC_CTL_MY,
};

#define IPC_CTL_MAX 1024

struct ipc_ctl_entry {
	char set[IPC_PROFILE_ID_LEN]; /* lower-case hex */
	uint8_t kind;		      /* enum ipc_ctl_kind */
	uint8_t mac[6];
	uint8_t pad;
};

struct ipc_ctl_sync {
	uint32_t seq;
	uint16_t count;
	uint8_t pad[2];
	struct ipc_ctl_entry e[IPC_CTL_MAX]; /* the payload ends after e[count] */
};

/* A compiled profile no device has used for the grace period: the parent deletes its chains
 * and its my-controller set, unless a device is still mapped to it (then it refuses). */
struct ipc_profile_drop {
	uint32_t seq;
	char id[IPC_PROFILE_ID_LEN];
};

struct ipc_op_result {
	uint32_t seq;
	int32_t err; /* 0 or -errno */
};

/* A station event of one of the configured hostapds, parsed by the parent (onboard/hapd_ctrl.h).
 * Strings are NUL-terminated within their arrays; the engine checks that and their alphabets. */
enum ipc_wifi_kind {
	IPC_WIFI_JOIN = 1, /* AP-STA-CONNECTED */
	IPC_WIFI_LEAVE,	   /* AP-STA-DISCONNECTED */
};

struct ipc_wifi_sta {
	uint8_t kind; /* enum ipc_wifi_kind */
	uint8_t pad;
	uint8_t mac[6];
	char ap[16];	 /* the hostapd's interface, [A-Za-z0-9_.-] */
	char keyid[32];	 /* the wpa_psk_file line's keyid= used to join; "" none */
	char pkhash[65]; /* DPP bootstrapping key hash, 64 lower-case hex; "" none */
	uint8_t pad2[7];
};

/* Per-device PSKs in the parent's wpa_psk_file ([wifi] psk_file). */
enum ipc_psk_op {
	IPC_PSK_NEW = 1, /* generate a passphrase for mac (replacing its old one) */
	IPC_PSK_REVOKE,	 /* remove mac's line */
	IPC_PSK_LIST,	 /* every line: MAC, keyid, vlan (never a passphrase) */
	IPC_PSK_OP_MAX = IPC_PSK_LIST,
};

struct ipc_psk_req {
	uint32_t seq;
	uint8_t op; /* enum ipc_psk_op */
	uint8_t mac[6];
	uint8_t pad;
	int32_t vlanid; /* IPC_PSK_NEW: -1 none, or 1..4094 */
};

struct ipc_psk_entry {
	uint8_t mac[6];
	uint16_t vlanid; /* 0 none */
	char keyid[32];
};

#define IPC_PSK_CHUNK 1024

/* The answer to one request: err 0 or -errno, error a message ("" none; with err 0 a warning
 * such as a hostapd that did not reload). NEW: pass (the only copy the engine ever gets), keyid
 * and vlanid. LIST: chunks of count entries, the last one with final set; the payload ends
 * after e[count]. */
struct ipc_psk_result {
	uint32_t seq;
	int32_t err;
	uint8_t op;
	uint8_t final;
	uint16_t count;
	int32_t vlanid;
	char pass[64];
	char keyid[32];
	char error[224];
	struct ipc_psk_entry e[IPC_PSK_CHUNK];
};

struct ipc_msg {
	struct ipc_hdr hdr;
	uint8_t payload[IPC_MAX_PAYLOAD];
	int fd; /* -1 when none was passed; the receiver owns it */
};

/* Sends one message (fd < 0: none). Returns 0 or -errno. */
int ipc_send(int sock, enum ipc_type type, const void *payload, size_t len, int fd);
/* Receives and validates one message. Returns 1 on a message, 0 on EOF, -EAGAIN when nothing is
 * waiting, -EBADMSG for a malformed one (short, truncated, unknown type, wrong direction, bad
 * length, unexpected or missing fd: any passed fd is closed). to_parent says which direction
 * the reader expects. */
int ipc_recv(int sock, struct ipc_msg *msg, int to_parent);
/* Validates a message already in memory (used by ipc_recv and the fuzz harness). */
int ipc_validate(const struct ipc_msg *msg, size_t received, int to_parent);

#endif
