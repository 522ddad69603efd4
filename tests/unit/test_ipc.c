/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the parent/engine IPC: round trips, fd passing, every malformed message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/ipc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* sv[0] is the sending end, sv[1] the receiving end. */
static int sv[2];

static int setup(void **state)
{
	(void)state;
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
}

static int teardown(void **state)
{
	(void)state;
	close(sv[0]);
	close(sv[1]);
	return 0;
}

/* Sends one raw datagram with nfds (0..3) fds attached. */
static void send_raw(const void *buf, size_t len, const int *fds, size_t nfds)
{
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	union {
		struct cmsghdr a;
		char b[CMSG_SPACE(3 * sizeof(int))];
	} c;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};

	assert_true(nfds <= 3);
	if (nfds) {
		struct cmsghdr *h;

		memset(&c, 0, sizeof(c));
		m.msg_control = c.b;
		m.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(h), fds, nfds * sizeof(int));
	}
	assert_int_equal(sendmsg(sv[0], &m, 0), (ssize_t)len);
}

/* Sends a header claiming hdr_len followed by plen payload bytes (all 0xa5). */
static void send_msg(uint32_t type, uint32_t hdr_len, size_t plen, const int *fds, size_t nfds)
{
	static uint8_t buf[sizeof(struct ipc_hdr) + IPC_MAX_PAYLOAD + 64];
	struct ipc_hdr h = {.type = type, .len = hdr_len};

	assert_true(plen <= sizeof(buf) - sizeof(h));
	memset(buf, 0xa5, sizeof(buf));
	memcpy(buf, &h, sizeof(h));
	send_raw(buf, sizeof(h) + plen, fds, nfds);
}

/* The fd numbers the receiver will be given next: the lowest free ones. */
static void next_fds(int *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	for (size_t i = 0; i < n; i++) {
		assert_true(out[i] >= 0);
		close(out[i]);
	}
}

static void expect_bad(int to_parent)
{
	struct ipc_msg m;

	memset(&m, 0x5a, sizeof(m));
	assert_int_equal(ipc_recv(sv[1], &m, to_parent), -EBADMSG);
	assert_int_equal(m.fd, -1);
}

static void expect_empty(void)
{
	struct ipc_msg m;

	assert_int_equal(ipc_recv(sv[1], &m, 0), -EAGAIN);
	assert_int_equal(ipc_recv(sv[1], &m, 1), -EAGAIN);
}

static void test_roundtrip_engine_to_parent(void **state)
{
	struct ipc_dev_profile op = {
		.seq = 7, .mac = {2, 1, 2, 3, 4, 5}, .profile = IPC_PROFILE_BLOCKED};
	struct ipc_dev_sync sync;
	size_t slen;
	struct ipc_msg m;

	(void)state;
	expect_empty();
	assert_int_equal(ipc_send(sv[0], IPC_E2P_READY, NULL, 0, -1), 0);
	assert_int_equal(ipc_recv(sv[1], &m, 1), 1);
	assert_int_equal(m.hdr.type, IPC_E2P_READY);
	assert_int_equal(m.hdr.len, 0);
	assert_int_equal(m.fd, -1);

	assert_int_equal(ipc_send(sv[0], IPC_E2P_DEV_PROFILE, &op, sizeof(op), -1), 0);
	assert_int_equal(ipc_recv(sv[1], &m, 1), 1);
	assert_int_equal(m.hdr.type, IPC_E2P_DEV_PROFILE);
	assert_int_equal(m.hdr.len, sizeof(op));
	assert_int_equal(m.fd, -1);
	assert_memory_equal(m.payload, &op, sizeof(op));

	/* empty sync, a small one and the largest one */
	memset(&sync, 0, sizeof(sync));
	sync.seq = 9;
	sync.final = 1;
	assert_int_equal(
		ipc_send(sv[0], IPC_E2P_DEV_SYNC, &sync, offsetof(struct ipc_dev_sync, e), -1), 0);
	assert_int_equal(ipc_recv(sv[1], &m, 1), 1);
	assert_int_equal(m.hdr.type, IPC_E2P_DEV_SYNC);
	assert_int_equal(m.hdr.len, offsetof(struct ipc_dev_sync, e));
	assert_memory_equal(m.payload, &sync, offsetof(struct ipc_dev_sync, e));
	sync.count = 2;
	sync.e[0] = (struct ipc_dev_sync_entry){.mac = {2, 0, 0, 0, 0, 1}, .profile = 1};
	sync.e[1] = (struct ipc_dev_sync_entry){.mac = {2, 0, 0, 0, 0, 2}, .profile = 0};
	slen = offsetof(struct ipc_dev_sync, e) + 2 * sizeof(sync.e[0]);
	assert_int_equal(ipc_send(sv[0], IPC_E2P_DEV_SYNC, &sync, slen, -1), 0);
	assert_int_equal(ipc_recv(sv[1], &m, 1), 1);
	assert_int_equal(m.hdr.len, slen);
	assert_memory_equal(m.payload, &sync, slen);
	sync.count = IPC_SYNC_MAX;
	for (size_t i = 0; i < IPC_SYNC_MAX; i++)
		sync.e[i] = (struct ipc_dev_sync_entry){
			.mac = {2, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i}, .profile = 1};
	assert_true(sizeof(sync) <= IPC_MAX_PAYLOAD);
	assert_true(sizeof(sync) + sizeof(sync.e[0]) > IPC_MAX_PAYLOAD); /* as many as fit */
	assert_int_equal(ipc_send(sv[0], IPC_E2P_DEV_SYNC, &sync, sizeof(sync), -1), 0);
	assert_int_equal(ipc_recv(sv[1], &m, 1), 1);
	assert_int_equal(m.hdr.len, sizeof(sync));
	assert_memory_equal(m.payload, &sync, sizeof(sync));
	expect_empty();
}

static void test_roundtrip_parent_to_engine(void **state)
{
	struct ipc_hello hello = {.restarts = 3, .parent_start = 1700000000123LL};
	struct ipc_op_result res = {.seq = 11, .err = -EIO};
	struct ipc_msg m;

	(void)state;
	assert_int_equal(ipc_send(sv[0], IPC_P2E_HELLO, &hello, sizeof(hello), -1), 0);
	assert_int_equal(ipc_recv(sv[1], &m, 0), 1);
	assert_int_equal(m.hdr.type, IPC_P2E_HELLO);
	assert_int_equal(m.hdr.len, sizeof(hello));
	assert_int_equal(m.fd, -1);
	assert_memory_equal(m.payload, &hello, sizeof(hello));

	assert_int_equal(ipc_send(sv[0], IPC_P2E_OP_RESULT, &res, sizeof(res), -1), 0);
	assert_int_equal(ipc_recv(sv[1], &m, 0), 1);
	assert_int_equal(m.hdr.type, IPC_P2E_OP_RESULT);
	assert_int_equal(m.hdr.len, sizeof(res));
	assert_int_equal(m.fd, -1);
	assert_memory_equal(m.payload, &res, sizeof(res));
	expect_empty();
}

static void test_send_limits(void **state)
{
	static uint8_t big[IPC_MAX_PAYLOAD + 1];

	(void)state;
	assert_int_equal(ipc_send(sv[0], IPC_E2P_DEV_SYNC, big, sizeof(big), -1), -EMSGSIZE);
	expect_empty();
	assert_int_equal(ipc_send(-1, IPC_E2P_READY, NULL, 0, -1), -EBADF);
	/* the peer is gone: an error, not SIGPIPE */
	close(sv[1]);
	sv[1] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_int_equal(ipc_send(sv[0], IPC_E2P_READY, NULL, 0, -1), -EPIPE);
}

static void test_fd_passing(void **state)
{
	struct ipc_fd k = {.kind = IPC_FD_DHCP_HOOK};
	struct ipc_msg m;
	int p[2];
	char c = 0;

	(void)state;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(ipc_send(sv[0], IPC_P2E_FD, &k, sizeof(k), p[1]), 0);
	close(p[1]);
	assert_int_equal(ipc_recv(sv[1], &m, 0), 1);
	assert_int_equal(m.hdr.type, IPC_P2E_FD);
	assert_int_equal(m.hdr.len, sizeof(k));
	assert_memory_equal(m.payload, &k, sizeof(k));
	assert_true(m.fd >= 0);
	/* the passed fd is the write end of our pipe, close-on-exec in the receiver */
	assert_int_equal(write(m.fd, "x", 1), 1);
	assert_int_equal(read(p[0], &c, 1), 1);
	assert_int_equal(c, 'x');
	assert_true(fcntl(m.fd, F_GETFD) & FD_CLOEXEC);
	close(m.fd);
	/* every writer gone: EOF on the read end proves no stray copy was kept */
	assert_int_equal(read(p[0], &c, 1), 0);
	close(p[0]);
	expect_empty();
}

static void test_malformed_header(void **state)
{
	uint8_t buf[16] = {0};

	(void)state;
	/* shorter than a header: 1, 5 and 7 bytes */
	send_raw(buf, 1, NULL, 0);
	expect_bad(1);
	send_raw(buf, 5, NULL, 0);
	expect_bad(0);
	memcpy(buf, &(struct ipc_hdr){.type = IPC_E2P_READY, .len = 0}, 8);
	send_raw(buf, 7, NULL, 0);
	expect_bad(1);
	/* hdr.len larger than the datagram, smaller than it, and wildly off */
	send_msg(IPC_E2P_READY, 4, 0, NULL, 0);
	expect_bad(1);
	send_msg(IPC_E2P_DEV_PROFILE, sizeof(struct ipc_dev_profile) - 1,
		sizeof(struct ipc_dev_profile), NULL, 0);
	expect_bad(1);
	send_msg(IPC_E2P_DEV_PROFILE, sizeof(struct ipc_dev_profile) + 1,
		sizeof(struct ipc_dev_profile), NULL, 0);
	expect_bad(1);
	send_msg(IPC_P2E_HELLO, 0xffffffffU, sizeof(struct ipc_hello), NULL, 0);
	expect_bad(0);
	/* unknown types, including 0 and the gaps between the two ranges */
	send_msg(0, 0, 0, NULL, 0);
	expect_bad(1);
	send_msg(4, 0, 0, NULL, 0);
	expect_bad(0);
	send_msg(63, 0, 0, NULL, 0);
	expect_bad(1);
	send_msg(67, 0, 0, NULL, 0);
	expect_bad(1);
	send_msg(0xffffffffU, 0, 0, NULL, 0);
	expect_bad(1);
	expect_empty();
}

static void test_wrong_direction(void **state)
{
	static const struct {
		uint32_t type;
		size_t len;
		int to_parent; /* the correct direction */
	} msgs[] = {
		{IPC_P2E_HELLO, sizeof(struct ipc_hello), 0},
		{IPC_P2E_OP_RESULT, sizeof(struct ipc_op_result), 0},
		{IPC_E2P_READY, 0, 1},
		{IPC_E2P_DEV_PROFILE, sizeof(struct ipc_dev_profile), 1},
		{IPC_E2P_DEV_SYNC, offsetof(struct ipc_dev_sync, e), 1},
	};
	struct ipc_msg m;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(msgs); i++) {
		uint8_t payload[64] = {0};

		assert_int_equal(ipc_send(sv[0], msgs[i].type, payload, msgs[i].len, -1), 0);
		expect_bad(!msgs[i].to_parent);
		/* the same message read in the right direction is fine */
		assert_int_equal(ipc_send(sv[0], msgs[i].type, payload, msgs[i].len, -1), 0);
		assert_int_equal(ipc_recv(sv[1], &m, msgs[i].to_parent), 1);
	}
	/* IPC_P2E_FD with its fd, at the parent */
	{
		struct ipc_fd k = {.kind = IPC_FD_CONTROL};
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC), next;

		assert_int_equal(ipc_send(sv[0], IPC_P2E_FD, &k, sizeof(k), fd), 0);
		next_fds(&next, 1);
		expect_bad(1);
		assert_int_equal(fcntl(next, F_GETFD), -1);
		assert_int_equal(errno, EBADF);
		close(fd);
	}
	expect_empty();
}

static void test_payload_length(void **state)
{
	static const struct {
		uint32_t type;
		size_t len;
		int to_parent;
	} bad[] = {
		{IPC_P2E_HELLO, sizeof(struct ipc_hello) - 1, 0},
		{IPC_P2E_HELLO, sizeof(struct ipc_hello) + 1, 0},
		{IPC_P2E_HELLO, 0, 0},
		{IPC_P2E_OP_RESULT, sizeof(struct ipc_op_result) - 1, 0},
		{IPC_P2E_OP_RESULT, sizeof(struct ipc_op_result) + 4, 0},
		{IPC_E2P_READY, 1, 1},
		{IPC_E2P_DEV_PROFILE, sizeof(struct ipc_dev_profile) - 1, 1},
		{IPC_E2P_DEV_PROFILE, sizeof(struct ipc_dev_profile) + 1, 1},
		{IPC_E2P_DEV_PROFILE, 0, 1},
		{IPC_E2P_DEV_SYNC, offsetof(struct ipc_dev_sync, e) - 1, 1},
		{IPC_E2P_DEV_SYNC, 0, 1},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		send_msg(bad[i].type, (uint32_t)bad[i].len, bad[i].len, NULL, 0);
		expect_bad(bad[i].to_parent);
	}
	/* IPC_P2E_FD: too short and too long, with the fd it needs */
	for (size_t len = 0; len <= 8; len += 8) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC), next;

		next_fds(&next, 1);
		send_msg(IPC_P2E_FD, (uint32_t)len, len, &fd, 1);
		expect_bad(0);
		assert_int_equal(fcntl(next, F_GETFD), -1);
		close(fd);
	}
	expect_empty();
}

/* Builds a sync message of count entries but len payload bytes. */
static void send_sync(uint16_t count, size_t len)
{
	static struct ipc_dev_sync s;
	static uint8_t buf[sizeof(struct ipc_hdr) + sizeof(s) + 64];
	struct ipc_hdr h = {.type = IPC_E2P_DEV_SYNC, .len = (uint32_t)len};

	memset(&s, 0, sizeof(s));
	s.count = count;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), &s, sizeof(s));
	send_raw(buf, sizeof(h) + len, NULL, 0);
}

static void test_dev_sync_count(void **state)
{
	const size_t base = offsetof(struct ipc_dev_sync, e),
		     ent = sizeof(struct ipc_dev_sync_entry);
	struct ipc_msg m;

	(void)state;
	send_sync(3, base + 2 * ent); /* count > entries */
	expect_bad(1);
	send_sync(1, base + 2 * ent); /* count < entries */
	expect_bad(1);
	send_sync(0, base + ent);
	expect_bad(1);
	send_sync(2, base + 2 * ent + 4); /* half an entry more */
	expect_bad(1);
	send_sync(IPC_SYNC_MAX + 1, base + IPC_SYNC_MAX * ent);
	expect_bad(1);
	send_sync(0xffff, base + IPC_SYNC_MAX * ent);
	expect_bad(1);
	send_sync(0xffff, base);
	expect_bad(1);
	/* consistent ones pass */
	send_sync(2, base + 2 * ent);
	assert_int_equal(ipc_recv(sv[1], &m, 1), 1);
	send_sync(0, base);
	assert_int_equal(ipc_recv(sv[1], &m, 1), 1);
	send_sync(IPC_SYNC_MAX, base + IPC_SYNC_MAX * ent);
	assert_int_equal(ipc_recv(sv[1], &m, 1), 1);
	expect_empty();
}

static void test_fd_rules(void **state)
{
	struct ipc_fd k = {.kind = IPC_FD_CONTROL};
	uint8_t buf[sizeof(struct ipc_hdr) + sizeof(k)];
	struct ipc_hdr h = {.type = IPC_P2E_FD, .len = sizeof(k)};
	int p[2], next[3];

	(void)state;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), &k, sizeof(k));
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);

	/* fd missing where one is required */
	send_raw(buf, sizeof(buf), NULL, 0);
	expect_bad(0);

	/* an fd where none is allowed: rejected, and the receiver's copy closed */
	next_fds(next, 1);
	send_msg(IPC_E2P_READY, 0, 0, &p[0], 1);
	expect_bad(1);
	assert_int_equal(fcntl(next[0], F_GETFD), -1);
	assert_int_equal(errno, EBADF);
	next_fds(next, 1);
	send_msg(IPC_E2P_DEV_PROFILE, sizeof(struct ipc_dev_profile),
		sizeof(struct ipc_dev_profile), &p[1], 1);
	expect_bad(1);
	assert_int_equal(fcntl(next[0], F_GETFD), -1);
	next_fds(next, 1);
	send_msg(IPC_P2E_HELLO, sizeof(struct ipc_hello), sizeof(struct ipc_hello), &p[1], 1);
	expect_bad(0);
	assert_int_equal(fcntl(next[0], F_GETFD), -1);

	/* two fds for a message that takes one: both closed */
	next_fds(next, 2);
	send_raw(buf, sizeof(buf), p, 2);
	expect_bad(0);
	assert_int_equal(fcntl(next[0], F_GETFD), -1);
	assert_int_equal(fcntl(next[1], F_GETFD), -1);
	/* three fds */
	{
		int three[3] = {p[0], p[1], p[0]};

		next_fds(next, 3);
		send_raw(buf, sizeof(buf), three, 3);
		expect_bad(0);
		for (int i = 0; i < 3; i++)
			assert_int_equal(fcntl(next[i], F_GETFD), -1);
	}
	/* an fd with an empty datagram is not EOF: malformed, fd closed */
	next_fds(next, 1);
	send_raw(buf, 0, &p[0], 1);
	expect_bad(0);
	assert_int_equal(fcntl(next[0], F_GETFD), -1);

	/* the sender's fds are untouched; the write end is the only one left */
	assert_true(fcntl(p[0], F_GETFD) >= 0);
	assert_true(fcntl(p[1], F_GETFD) >= 0);
	close(p[1]);
	{
		char c;

		assert_int_equal(read(p[0], &c, 1), 0);
	}
	close(p[0]);
	expect_empty();
}

static void test_truncated(void **state)
{
	int fd, next;

	(void)state;
	/* one byte beyond the buffer, hdr.len consistent with the datagram */
	send_msg(IPC_E2P_DEV_SYNC, IPC_MAX_PAYLOAD + 1, IPC_MAX_PAYLOAD + 1, NULL, 0);
	expect_bad(1);
	/* a complete, valid sync of the largest size with trailing bytes: only the truncation
	 * flag tells it from a good one */
	{
		static uint8_t buf[sizeof(struct ipc_hdr) + sizeof(struct ipc_dev_sync) + 8];
		struct ipc_hdr h = {.type = IPC_E2P_DEV_SYNC, .len = sizeof(struct ipc_dev_sync)};
		uint16_t count = IPC_SYNC_MAX;

		memset(buf, 0, sizeof(buf));
		memcpy(buf, &h, sizeof(h));
		memcpy(buf + sizeof(h) + offsetof(struct ipc_dev_sync, count), &count,
			sizeof(count));
		send_raw(buf, sizeof(buf), NULL, 0);
		expect_bad(1);
		/* without the trailing bytes it is fine */
		send_raw(buf, sizeof(buf) - 8, NULL, 0);
		{
			struct ipc_msg m;

			assert_int_equal(ipc_recv(sv[1], &m, 1), 1);
		}
	}
	/* far beyond, with an fd attached: the fd is closed too */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	next_fds(&next, 1);
	send_msg(IPC_P2E_FD, IPC_MAX_PAYLOAD + 56, IPC_MAX_PAYLOAD + 56, &fd, 1);
	expect_bad(0);
	assert_int_equal(fcntl(next, F_GETFD), -1);
	close(fd);
	/* the next message is read whole again */
	assert_int_equal(ipc_send(sv[0], IPC_E2P_READY, NULL, 0, -1), 0);
	{
		struct ipc_msg m;

		assert_int_equal(ipc_recv(sv[1], &m, 1), 1);
		assert_int_equal(m.hdr.type, IPC_E2P_READY);
	}
	expect_empty();
}

static void test_eof(void **state)
{
	struct ipc_msg m;

	(void)state;
	/* queued messages are still delivered before EOF */
	assert_int_equal(ipc_send(sv[0], IPC_E2P_READY, NULL, 0, -1), 0);
	close(sv[0]);
	sv[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_int_equal(ipc_recv(sv[1], &m, 1), 1);
	assert_int_equal(ipc_recv(sv[1], &m, 1), 0);
	assert_int_equal(m.fd, -1);
	assert_int_equal(ipc_recv(sv[1], &m, 0), 0);
}

static void test_validate_direct(void **state)
{
	static struct ipc_msg m;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.fd = -1;
	m.hdr = (struct ipc_hdr){.type = IPC_E2P_READY, .len = 0};
	assert_int_equal(ipc_validate(&m, sizeof(m.hdr), 1), 0);
	assert_int_equal(ipc_validate(&m, sizeof(m.hdr), 0), -EBADMSG);
	assert_int_equal(ipc_validate(&m, sizeof(m.hdr) - 1, 1), -EBADMSG);
	assert_int_equal(ipc_validate(&m, 0, 1), -EBADMSG);
	assert_int_equal(ipc_validate(&m, sizeof(m.hdr) + 1, 1), -EBADMSG);
	m.fd = 0;
	assert_int_equal(ipc_validate(&m, sizeof(m.hdr), 1), -EBADMSG);
	m.hdr = (struct ipc_hdr){.type = IPC_P2E_FD, .len = sizeof(struct ipc_fd)};
	assert_int_equal(ipc_validate(&m, sizeof(m.hdr) + sizeof(struct ipc_fd), 0), 0);
	m.fd = -1;
	assert_int_equal(ipc_validate(&m, sizeof(m.hdr) + sizeof(struct ipc_fd), 0), -EBADMSG);
}

/* Wi-Fi messages: fixed station events and PSK requests; a PSK result's length must match its
 * entry count, and each travels one way only. */
static void test_wifi_messages(void **state)
{
	static struct ipc_psk_result r;
	struct ipc_wifi_sta sta = {.kind = IPC_WIFI_JOIN, .mac = {2, 1, 2, 3, 4, 5}};
	struct ipc_psk_req rq = {.seq = 7, .op = IPC_PSK_NEW, .vlanid = -1};
	size_t head = offsetof(struct ipc_psk_result, e);
	struct ipc_msg m;

	(void)state;
	assert_int_equal(ipc_send(sv[0], IPC_P2E_WIFI_STA, &sta, sizeof(sta), -1), 0);
	assert_int_equal(ipc_recv(sv[1], &m, 0), 1);
	assert_memory_equal(m.payload, &sta, sizeof(sta));
	assert_int_equal(ipc_send(sv[0], IPC_P2E_WIFI_STA, &sta, sizeof(sta), -1), 0);
	expect_bad(1);
	assert_int_equal(ipc_send(sv[0], IPC_P2E_WIFI_STA, &sta, sizeof(sta) - 1, -1), 0);
	expect_bad(0);
	assert_int_equal(ipc_send(sv[0], IPC_E2P_PSK, &rq, sizeof(rq), -1), 0);
	assert_int_equal(ipc_recv(sv[1], &m, 1), 1);
	assert_int_equal(ipc_send(sv[0], IPC_E2P_PSK, &rq, sizeof(rq), -1), 0);
	expect_bad(0);

	memset(&r, 0, sizeof(r));
	r.op = IPC_PSK_LIST;
	r.count = 2;
	assert_int_equal(ipc_send(sv[0], IPC_P2E_PSK_RESULT, &r, head + 2 * sizeof(r.e[0]), -1), 0);
	assert_int_equal(ipc_recv(sv[1], &m, 0), 1);
	/* A count the length does not carry, or more entries than a chunk holds. */
	assert_int_equal(ipc_send(sv[0], IPC_P2E_PSK_RESULT, &r, head + sizeof(r.e[0]), -1), 0);
	expect_bad(0);
	r.count = IPC_PSK_CHUNK + 1;
	assert_int_equal(ipc_send(sv[0], IPC_P2E_PSK_RESULT, &r, sizeof(r), -1), 0);
	expect_bad(0);
	r.count = IPC_PSK_CHUNK;
	assert_int_equal(ipc_send(sv[0], IPC_P2E_PSK_RESULT, &r, sizeof(r), -1), 0);
	assert_int_equal(ipc_recv(sv[1], &m, 0), 1);
	expect_empty();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip_engine_to_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_parent_to_engine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fd_passing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_direction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_payload_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dev_sync_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fd_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eof, setup, teardown),
		cmocka_unit_test(test_validate_direct),
		cmocka_unit_test_setup_teardown(test_wifi_messages, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
