/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Typed, length-checked parent/engine messages over SOCK_SEQPACKET with fd passing. */
#include "core/ipc.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* ipc_recv reads header and payload in one go into the struct. */
_Static_assert(offsetof(struct ipc_msg, payload) == sizeof(struct ipc_hdr), "ipc_msg layout");

struct ipc_rule {
	uint32_t type;
	int to_parent;	 /* direction the message travels */
	size_t min, max; /* payload length bounds */
	int fd;		 /* 1: exactly one fd, 0: none */
};

static const struct ipc_rule ipc_rules[] = {
	{IPC_P2E_HELLO, 0, sizeof(struct ipc_hello), sizeof(struct ipc_hello), 0},
	{IPC_P2E_FD, 0, sizeof(struct ipc_fd), sizeof(struct ipc_fd), 1},
	{IPC_P2E_OP_RESULT, 0, sizeof(struct ipc_op_result), sizeof(struct ipc_op_result), 0},
	{IPC_E2P_READY, 1, 0, 0, 0},
	{IPC_E2P_DEV_PROFILE, 1, sizeof(struct ipc_dev_profile), sizeof(struct ipc_dev_profile), 0},
	{IPC_E2P_DEV_SYNC, 1, offsetof(struct ipc_dev_sync, e), sizeof(struct ipc_dev_sync), 0},
	{IPC_E2P_PROFILE, 1, sizeof(struct ipc_profile_chunk), IPC_MAX_PAYLOAD, 0},
	{IPC_E2P_DEV_POLICY, 1, sizeof(struct ipc_dev_policy), sizeof(struct ipc_dev_policy), 0},
	{IPC_P2E_WIFI_STA, 0, sizeof(struct ipc_wifi_sta), sizeof(struct ipc_wifi_sta), 0},
	{IPC_P2E_PSK_RESULT, 0, offsetof(struct ipc_psk_result, e), sizeof(struct ipc_psk_result),
		0},
	{IPC_E2P_PSK, 1, sizeof(struct ipc_psk_req), sizeof(struct ipc_psk_req), 0},
	{IPC_E2P_CTL_SYNC, 1, offsetof(struct ipc_ctl_sync, e), sizeof(struct ipc_ctl_sync), 0},
	{IPC_E2P_PROFILE_DROP, 1, sizeof(struct ipc_profile_drop), sizeof(struct ipc_profile_drop),
		0},
};

int ipc_send(int sock, enum ipc_type type, const void *payload, size_t len, int fd)
{
	struct ipc_hdr hdr = {.type = (uint32_t)type, .len = (uint32_t)len};
	struct iovec iov[2] = {
		{.iov_base = &hdr, .iov_len = sizeof(hdr)},
		{.iov_base = (void *)payload, .iov_len = len},
	};
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} cmsg;
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
	ssize_t n;

	if (len > IPC_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&cmsg, 0, sizeof(cmsg));
		msg.msg_control = cmsg.buf;
		msg.msg_controllen = sizeof(cmsg.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do {
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != sizeof(hdr) + len)
		return -EIO;
	return 0;
}

int ipc_validate(const struct ipc_msg *m, size_t received, int to_parent)
{
	const struct ipc_rule *r = NULL;

	if (received < sizeof(struct ipc_hdr))
		return -EBADMSG;
	if (m->hdr.len != received - sizeof(struct ipc_hdr))
		return -EBADMSG;
	for (size_t i = 0; i < ARRAY_SIZE(ipc_rules); i++)
		if (ipc_rules[i].type == m->hdr.type)
			r = &ipc_rules[i];
	if (!r || r->to_parent != to_parent)
		return -EBADMSG;
	if (m->hdr.len < r->min || m->hdr.len > r->max)
		return -EBADMSG;
	if ((m->fd >= 0) != (r->fd == 1))
		return -EBADMSG;
	if (m->hdr.type == IPC_E2P_DEV_SYNC) {
		const struct ipc_dev_sync *s = (const void *)m->payload;

		if (s->count > IPC_SYNC_MAX ||
			m->hdr.len != offsetof(struct ipc_dev_sync, e) + s->count * sizeof(s->e[0]))
			return -EBADMSG;
	}
	if (m->hdr.type == IPC_E2P_CTL_SYNC) {
		const struct ipc_ctl_sync *c = (const void *)m->payload;

		if (c->count > IPC_CTL_MAX ||
			m->hdr.len != offsetof(struct ipc_ctl_sync, e) + c->count * sizeof(c->e[0]))
			return -EBADMSG;
	}
	if (m->hdr.type == IPC_P2E_PSK_RESULT) {
		const struct ipc_psk_result *pr = (const void *)m->payload;

		if (pr->count > IPC_PSK_CHUNK ||
			m->hdr.len !=
				offsetof(struct ipc_psk_result, e) + pr->count * sizeof(pr->e[0]))
			return -EBADMSG;
	}
	return 0;
}

int ipc_recv(int sock, struct ipc_msg *m, int to_parent)
{
	struct iovec iov = {.iov_base = &m->hdr, .iov_len = sizeof(m->hdr) + IPC_MAX_PAYLOAD};
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} cmsg;
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cmsg.buf,
		.msg_controllen = sizeof(cmsg.buf),
	};
	int nfds = 0, ret;
	ssize_t n;

	m->fd = -1;
	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (nfds++ == 0)
				m->fd = fd;
			else
				close(fd);
		}
	}
	if (n == 0 && nfds == 0)
		return 0;
	ret = -EBADMSG;
	if (nfds > 1 || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		goto bad;
	ret = ipc_validate(m, (size_t)n, to_parent);
	if (ret)
		goto bad;
	return 1;
bad:
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	return ret;
}
