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

static int sv[2];

static int setup(void **state)
{
	(void)state;
	return socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
}

static int teardown(void **state)
{
	(void)state;
	close(sv[0]);
	close(sv[1]);
	return 0;
}

/* Sends raw bytes with up to two fds attached. */
static void send_raw(const void *buf, size_t len, int fd1, int fd2)
{
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	union {
		struct cmsghdr a;
		char b[CMSG_SPACE(2 * sizeof(int))];
	} c;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	int fds[2] = {fd1, fd2}, n = (fd1 >= 0) + (fd2 >= 0);

	if (n) {
		struct cmsghdr *h;

		memset(&c, 0, sizeof(c));
		m.msg_control = c.b;
		m.msg_controllen = CMSG_SPACE(n * sizeof(int));
		h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(h), fds, n * sizeof(int));
	}
	assert_true(sendmsg(sv[0], &m, 0) == (ssize_t)len);
}

static void test_roundtrip(void **state)
{
	struct ipc_dev_profile op = {
		.seq = 7, .mac = {2, 1, 2, 3, 4, 5}, .profile = IPC_PROFILE_BLOCKED};
	struct ipc_hello hello = {.restarts = 3, .parent_start = 42};
	struct ipc_msg m;

	(void)state;
	assert_int_equal(ipc_recv(sv[1], &m, 1), -EAGAIN);
	assert_int_equal(ipc_send(sv[0], IPC_E2P_DEV_PROFILE, &op, sizeof(op), -1), 0);
	assert_int_equal(ipc_recv(sv[1], &m, 1), 1);
	assert_int_equal(m.hdr.type, IPC_E2P_DEV_PROFILE);
	assert_int_equal(m.fd, -1);
	assert_memory_equal(m.payload, &op, sizeof(op));
	assert_int_equal(ipc_send(sv[0], IPC_E2P_READY, NULL, 0, -1), 0);
	assert_int_equal(ipc_recv(sv[1], &m, 1), 1);
	assert_int_equal(m.hdr.len, 0);
	assert_int_equal(ipc_send(sv[0], IPC_P2E_HELLO, &hello, sizeof(hello), -1), 0);
	assert_int_equal(ipc_recv(sv[1], &m, 0), 1);
	assert_memory_equal(m.payload, &hello, sizeof(hello));
	assert_int_equal(ipc_send(sv[0], IPC_E2P_READY, NULL, IPC_MAX_PAYLOAD + 1, -1), -EMSGSIZE);
}

static void test_fd_passing(void **state)
{
	struct ipc_fd k = {.kind = IPC_FD_CONTROL};
	struct ipc_msg m;
	int p[2];
	char c = 0;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(ipc_send(sv[0], IPC_P2E_FD, &k, sizeof(k), p[1]), 0);
	close(p[1]);
	assert_int_equal(ipc_recv(sv[1], &m, 0), 1);
	assert_true(m.fd >= 0);
	assert_int_equal(write(m.fd, "x", 1), 1);
	assert_int_equal(read(p[0], &c, 1), 1);
	assert_int_equal(c, 'x');
	assert_true(fcntl(m.fd, F_GETFD) & FD_CLOEXEC);
	close(m.fd);
	close(p[0]);
}

static void expect_bad(int to_parent)
{
	struct ipc_msg m;

	assert_int_equal(ipc_recv(sv[1], &m, to_parent), -EBADMSG);
	assert_int_equal(m.fd, -1);
}

static void test_malformed(void **state)
{
	uint8_t buf[64] = {0};
	struct ipc_hdr h;
	struct ipc_dev_sync sync;
	int p[2], fd_before;

	(void)state;
	/* shorter than a header */
	send_raw(buf, 5, -1, -1);
	expect_bad(1);
	/* length field disagrees with the datagram */
	h = (struct ipc_hdr){.type = IPC_E2P_READY, .len = 4};
	send_raw(&h, sizeof(h), -1, -1);
	expect_bad(1);
	/* unknown type */
	h = (struct ipc_hdr){.type = 9999, .len = 0};
	send_raw(&h, sizeof(h), -1, -1);
	expect_bad(1);
	/* wrong direction: a parent message arriving at the parent */
	h = (struct ipc_hdr){.type = IPC_P2E_OP_RESULT, .len = 8};
	memcpy(buf, &h, sizeof(h));
	send_raw(buf, sizeof(h) + 8, -1, -1);
	expect_bad(1);
	/* payload too short for its type */
	h = (struct ipc_hdr){.type = IPC_E2P_DEV_PROFILE, .len = 4};
	memcpy(buf, &h, sizeof(h));
	send_raw(buf, sizeof(h) + 4, -1, -1);
	expect_bad(1);
	/* fd missing where one is required */
	h = (struct ipc_hdr){.type = IPC_P2E_FD, .len = 4};
	memcpy(buf, &h, sizeof(h));
	send_raw(buf, sizeof(h) + 4, -1, -1);
	expect_bad(0);
	/* fd where none is allowed: rejected and the fd closed by the receiver */
	assert_int_equal(pipe(p), 0);
	h = (struct ipc_hdr){.type = IPC_E2P_READY, .len = 0};
	fd_before = dup(0);
	close(fd_before); /* the next fd number the receiver will get */
	send_raw(&h, sizeof(h), p[0], -1);
	expect_bad(1);
	assert_int_equal(fcntl(fd_before, F_GETFD), -1);
	/* two fds */
	h = (struct ipc_hdr){.type = IPC_P2E_FD, .len = 4};
	memcpy(buf, &h, sizeof(h));
	send_raw(buf, sizeof(h) + 4, p[0], p[1]);
	expect_bad(0);
	close(p[0]);
	close(p[1]);
	/* sync whose count disagrees with its length */
	memset(&sync, 0, sizeof(sync));
	sync.count = 3;
	assert_int_equal(ipc_send(sv[0], IPC_E2P_DEV_SYNC, &sync,
				 offsetof(struct ipc_dev_sync, e) + 2 * sizeof(sync.e[0]), -1),
		0);
	expect_bad(1);
	sync.count = 2;
	assert_int_equal(ipc_send(sv[0], IPC_E2P_DEV_SYNC, &sync,
				 offsetof(struct ipc_dev_sync, e) + 2 * sizeof(sync.e[0]), -1),
		0);
	{
		struct ipc_msg m;

		assert_int_equal(ipc_recv(sv[1], &m, 1), 1);
	}
}

static void test_truncated(void **state)
{
	static uint8_t big[IPC_MAX_PAYLOAD + 64];
	struct ipc_hdr h = {.type = IPC_E2P_DEV_SYNC, .len = IPC_MAX_PAYLOAD + 56};

	(void)state;
	memcpy(big, &h, sizeof(h));
	send_raw(big, sizeof(big), -1, -1);
	expect_bad(1);
}

static void test_eof(void **state)
{
	struct ipc_msg m;

	(void)state;
	close(sv[0]);
	assert_int_equal(ipc_recv(sv[1], &m, 1), 0);
	sv[0] = open("/dev/null", O_RDONLY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fd_passing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eof, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
