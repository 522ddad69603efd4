/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Typed, length-checked messages between the privileged parent and the engine over a
 * SOCK_SEQPACKET socketpair, with fd passing (OpenBSD imsg habit: a malformed message is fatal
 * for the sender's channel). */
#ifndef HG_IPC_H
#define HG_IPC_H

#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

#define IPC_MAX_PAYLOAD 4096

enum ipc_type {
	/* parent -> engine */
	IPC_P2E_HELLO = 1, /* struct ipc_hello */
	IPC_P2E_FD,	   /* struct ipc_fd + one fd */
	IPC_P2E_OP_RESULT, /* struct ipc_op_result */
	/* engine -> parent */
	IPC_E2P_READY = 64,  /* no payload: engine has loaded state and serves */
	IPC_E2P_DEV_PROFILE, /* struct ipc_dev_profile: put a device under a lifecycle profile */
	IPC_E2P_DEV_SYNC,    /* struct ipc_dev_sync: the complete device -> profile table */
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
	IPC_PROFILE_MAX = IPC_PROFILE_BLOCKED,
};

struct ipc_dev_profile {
	uint32_t seq;
	uint8_t mac[6];
	uint8_t profile; /* enum ipc_profile */
	uint8_t pad;
};

#define IPC_SYNC_MAX ((IPC_MAX_PAYLOAD - 8) / 8)

struct ipc_dev_sync_entry {
	uint8_t mac[6];
	uint8_t profile;
	uint8_t pad;
};

struct ipc_dev_sync {
	uint32_t seq;
	uint16_t count;
	uint8_t final; /* last chunk: the parent removes entries not named in any chunk */
	uint8_t pad;
	struct ipc_dev_sync_entry e[IPC_SYNC_MAX];
};

struct ipc_op_result {
	uint32_t seq;
	int32_t err; /* 0 or -errno */
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
