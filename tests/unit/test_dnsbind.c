/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the dnsbind forwarder, live in a private network namespace (root; skipped
 * otherwise): a fake upstream answers, spoofs and strays; the test is dnsmasq's side. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/util.h"
#include "policy/dnsbind.h"
#include "policy/nft_compile.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <nftables/libnftables.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define BIND_PORT  5397
#define UP_PORT	   5399
#define SPOOF_PORT 5398

static char out[65536];

static int nft(const char *cmd)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	int rc;

	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	rc = nft_run_cmd_from_buffer(ctx, cmd);
	util_strlcpy(out, nft_ctx_get_output_buffer(ctx), sizeof(out));
	nft_ctx_free(ctx);
	return rc;
}

#define CHECK(cond, code)                                             \
	do {                                                          \
		if (!(cond)) {                                        \
			fprintf(stderr, "check failed: %s\n", #cond); \
			_exit(code);                                  \
		}                                                     \
	} while (0)

struct wire {
	uint8_t b[1024];
	size_t n;
};

static void put16(struct wire *w, uint16_t v)
{
	w->b[w->n++] = (uint8_t)(v >> 8);
	w->b[w->n++] = (uint8_t)v;
}

static void name(struct wire *w, const char *s)
{
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t n = dot ? (size_t)(dot - s) : strlen(s);

		w->b[w->n++] = (uint8_t)n;
		memcpy(w->b + w->n, s, n);
		w->n += n;
		s += n + (dot ? 1 : 0);
	}
	w->b[w->n++] = 0;
}

/* A query (an == 0) or an answer: qname/qtype, then an A record of owner for each of addr
 * (NULL-terminated), preceded by a CNAME qname -> owner when they differ. */
static void msg(struct wire *w, uint16_t id, uint16_t flags, const char *qname, uint16_t qtype,
	const char *owner, const char *const *addr)
{
	size_t an = 0;

	for (; addr && addr[an]; an++)
		;
	w->n = 0;
	put16(w, id);
	put16(w, flags);
	put16(w, 1);
	put16(w, (uint16_t)(an + (an && strcmp(owner, qname) ? 1 : 0)));
	put16(w, 0);
	put16(w, 0);
	name(w, qname);
	put16(w, qtype);
	put16(w, 1);
	if (an && strcmp(owner, qname)) {
		size_t at;

		name(w, qname);
		put16(w, 5);
		put16(w, 1);
		put16(w, 0);
		put16(w, 300);
		at = w->n;
		put16(w, 0);
		name(w, owner);
		w->b[at + 1] = (uint8_t)(w->n - at - 2);
	}
	for (size_t i = 0; i < an; i++) {
		name(w, owner);
		put16(w, 1);
		put16(w, 1);
		put16(w, 0);
		put16(w, 30); /* TTL 30 s */
		put16(w, 4);
		inet_pton(AF_INET, addr[i], w->b + w->n);
		w->n += 4;
	}
}

static int udp_on(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || (port && bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0))
		return -1;
	return fd;
}

/* A datagram within ms, or -1. */
static ssize_t recv_within(int fd, void *buf, size_t len, int ms, struct sockaddr_in *from)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	socklen_t fl = sizeof(*from);

	if (poll(&p, 1, ms) != 1)
		return -1;
	return recvfrom(fd, buf, len, 0, (struct sockaddr *)from, from ? &fl : NULL);
}

static void to_bind(int fd, const struct wire *w)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
		.sin_port = htons(BIND_PORT),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};

	CHECK(sendto(fd, w->b, w->n, 0, (struct sockaddr *)&a, sizeof(a)) == (ssize_t)w->n, 90);
}

static bool holds(const uint8_t *b, size_t n, const char *addr)
{
	uint8_t a[4];

	inet_pton(AF_INET, addr, a);
	for (size_t i = 0; i + 4 <= n; i++)
		if (memcmp(b + i, a, 4) == 0)
			return true;
	return false;
}

static int lo_up(void)
{
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), ret;

	util_strlcpy(ifr.ifr_name, "lo", sizeof(ifr.ifr_name));
	ret = fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 ? -1 : 0;
	ifr.ifr_flags |= IFF_UP;
	if (!ret && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		ret = -1;
	if (fd >= 0)
		close(fd);
	return ret;
}

static int scenario(void)
{
	static const char
		*const good[] = {"192.0.2.7", NULL},
		       *const spoof1[] = {"6.6.6.1", NULL}, *const spoof2[] = {"6.6.6.2", NULL},
		       *const spoof3[] = {"6.6.6.3", NULL}, *const spoof4[] = {"6.6.6.4", NULL},
		       *const spoof5[] = {"6.6.6.5", NULL}, *const other[] = {"192.0.2.99", NULL},
		       *const tcp_a[] = {"192.0.2.8", NULL};
	struct dnsbind_conf c = {.nupstream = 1, .min_timeout_s = 3600, .margin_s = 60};
	char h[NFTC_ID_LEN + 1], cmd[512], set[64];
	struct sockaddr_in from, *up = (struct sockaddr_in *)&c.upstream[0];
	struct wire q, a;
	uint8_t buf[2048];
	struct dnsbind *d;
	int client, upstream, spoofer, status;
	uint16_t fwd_id;
	ssize_t n;
	pid_t pid;

	CHECK(lo_up() == 0, 1);
	CHECK(nftc_name_hash("cloud.example.test", h) == 0, 1);
	snprintf(cmd, sizeof(cmd),
		"add table inet hgt\n"
		"add set inet hgt dns4_%s { type ipv4_addr; flags timeout; }\n"
		"add set inet hgt dns6_%s { type ipv6_addr; flags timeout; }\n"
		"add set inet hgt dns4_zz { type ipv4_addr; flags timeout; }\n",
		h, h);
	CHECK(nft(cmd) == 0, 1);
	snprintf(set, sizeof(set), "list set inet hgt dns4_%s", h);

	util_strlcpy(c.table, "hgt", sizeof(c.table));
	CHECK(util_parse_addr_port("127.0.0.1#5397", 53, &c.listen) == 0, 1);
	CHECK(util_parse_addr_port("127.0.0.1#5399", 53, &c.upstream[0]) == 0, 1);
	CHECK(ntohs(up->sin_port) == UP_PORT, 1);
	{
		struct dnsbind_conf bad = c;

		bad.nupstream = 0;
		CHECK(dnsbind_open(&bad, &d) == -EINVAL && !d, 1);
		bad = c;
		util_strlcpy(bad.table, "hg t", sizeof(bad.table));
		CHECK(dnsbind_open(&bad, &d) == -EINVAL, 1);
	}
	upstream = udp_on(UP_PORT);
	spoofer = udp_on(SPOOF_PORT);
	client = udp_on(0);
	CHECK(upstream >= 0 && spoofer >= 0 && client >= 0, 1);
	CHECK(dnsbind_open(&c, &d) == 0, 1);
	pid = fork();
	CHECK(pid >= 0, 1);
	if (pid == 0) {
		/* A failed check must not leave the forwarder running. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(dnsbind_run(d) == 0 ? 0 : 1);
	}
	dnsbind_free(d); /* the child's now */

	/* A subdomain of a bound name: forwarded with a fresh ID, the question unchanged. */
	msg(&q, 0x4242, 0x0100, "www.cloud.example.test", 1, NULL, NULL);
	to_bind(client, &q);
	n = recv_within(upstream, buf, sizeof(buf), 2000, &from);
	CHECK(n == (ssize_t)q.n && memcmp(buf + 2, q.b + 2, q.n - 2) == 0, 2);
	fwd_id = (uint16_t)(buf[0] << 8 | buf[1]);

	/* Strays and spoofs, none relayed, none bound: the right answer from the wrong port
	 * (the kernel drops it: dnsbind's socket is connected), a wrong ID, another name,
	 * another type, a query instead of a response. */
	msg(&a, fwd_id, 0x8180, "www.cloud.example.test", 1, "www.cloud.example.test", spoof1);
	CHECK(sendto(spoofer, a.b, a.n, 0, (struct sockaddr *)&from, sizeof(from)) > 0, 3);
	msg(&a, (uint16_t)(fwd_id + 1), 0x8180, "www.cloud.example.test", 1,
		"www.cloud.example.test", spoof2);
	CHECK(sendto(upstream, a.b, a.n, 0, (struct sockaddr *)&from, sizeof(from)) > 0, 3);
	msg(&a, fwd_id, 0x8180, "www.evil.example.test", 1, "www.evil.example.test", spoof3);
	CHECK(sendto(upstream, a.b, a.n, 0, (struct sockaddr *)&from, sizeof(from)) > 0, 3);
	msg(&a, fwd_id, 0x8180, "www.cloud.example.test", 28, "www.cloud.example.test", spoof4);
	CHECK(sendto(upstream, a.b, a.n, 0, (struct sockaddr *)&from, sizeof(from)) > 0, 3);
	msg(&a, fwd_id, 0x0100, "www.cloud.example.test", 1, "www.cloud.example.test", spoof5);
	CHECK(sendto(upstream, a.b, a.n, 0, (struct sockaddr *)&from, sizeof(from)) > 0, 3);
	CHECK(recv_within(client, buf, sizeof(buf), 300, NULL) < 0, 3);

	/* The answer, through a CNAME: relayed with the client's ID, and its address is in the
	 * set the moment the answer arrives. */
	msg(&a, fwd_id, 0x8180, "www.cloud.example.test", 1, "edge.cdn.test", good);
	CHECK(sendto(upstream, a.b, a.n, 0, (struct sockaddr *)&from, sizeof(from)) > 0, 4);
	n = recv_within(client, buf, sizeof(buf), 2000, NULL);
	CHECK(n == (ssize_t)a.n && buf[0] == 0x42 && buf[1] == 0x42, 4);
	CHECK(memcmp(buf + 2, a.b + 2, a.n - 2) == 0, 4);
	CHECK(nft(set) == 0 && strstr(out, "192.0.2.7 timeout 1h1m expires"), 4);
	CHECK(!strstr(out, "6.6.6."), 4);
	/* and nothing else comes */
	CHECK(recv_within(client, buf, sizeof(buf), 200, NULL) < 0, 4);

	/* A name without sets: relayed, binds nothing; a set of another shape is never
	 * written. */
	msg(&q, 0x0101, 0x0100, "zz", 1, NULL, NULL);
	to_bind(client, &q);
	n = recv_within(upstream, buf, sizeof(buf), 2000, &from);
	CHECK(n > 2, 5);
	msg(&a, (uint16_t)(buf[0] << 8 | buf[1]), 0x8180, "zz", 1, "zz", other);
	CHECK(sendto(upstream, a.b, a.n, 0, (struct sockaddr *)&from, sizeof(from)) > 0, 5);
	n = recv_within(client, buf, sizeof(buf), 2000, NULL);
	CHECK(n == (ssize_t)a.n && holds(buf, (size_t)n, "192.0.2.99"), 5);
	CHECK(nft("list table inet hgt") == 0 && !strstr(out, "192.0.2.99"), 5);

	/* Not a plain query: never forwarded. */
	msg(&q, 0x0202, 0x8180, "www.cloud.example.test", 1, NULL, NULL);
	to_bind(client, &q);
	memcpy(q.b, "\x01\x02\x03", 3);
	q.n = 3;
	to_bind(client, &q);
	CHECK(recv_within(upstream, buf, sizeof(buf), 300, NULL) < 0, 6);

	/* Over TCP (dnsmasq's retry after TC=1): the same, to the upstream over TCP. */
	{
		struct sockaddr_in l = {.sin_family = AF_INET,
			.sin_port = htons(UP_PORT),
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		struct sockaddr_in b = l;
		int ls = socket(AF_INET, SOCK_STREAM, 0), cs = socket(AF_INET, SOCK_STREAM, 0), us;
		uint8_t len2[2];

		b.sin_port = htons(BIND_PORT);
		CHECK(ls >= 0 && cs >= 0 && bind(ls, (struct sockaddr *)&l, sizeof(l)) == 0 &&
				listen(ls, 4) == 0,
			7);
		CHECK(connect(cs, (struct sockaddr *)&b, sizeof(b)) == 0, 7);
		msg(&q, 0x0303, 0x0100, "tcp.cloud.example.test", 1, NULL, NULL);
		len2[0] = (uint8_t)(q.n >> 8);
		len2[1] = (uint8_t)q.n;
		CHECK(write(cs, len2, 2) == 2 && write(cs, q.b, q.n) == (ssize_t)q.n, 7);
		us = accept(ls, NULL, NULL);
		CHECK(us >= 0, 7);
		CHECK(read(us, buf, 2) == 2 && read(us, buf + 2, q.n) == (ssize_t)q.n, 7);
		msg(&a, (uint16_t)(buf[2] << 8 | buf[3]), 0x8180, "tcp.cloud.example.test", 1,
			"tcp.cloud.example.test", tcp_a);
		len2[0] = (uint8_t)(a.n >> 8);
		len2[1] = (uint8_t)a.n;
		CHECK(write(us, len2, 2) == 2 && write(us, a.b, a.n) == (ssize_t)a.n, 7);
		n = 0;
		for (ssize_t r; n < (ssize_t)a.n + 2 &&
			(r = read(cs, buf + n, sizeof(buf) - (size_t)n)) > 0;)
			n += r;
		CHECK(n == (ssize_t)a.n + 2 && buf[2] == 0x03 && buf[3] == 0x03, 7);
		CHECK(nft(set) == 0 && strstr(out, "192.0.2.8 timeout 1h1m"), 7);
		close(us);
		close(cs);
		close(ls);
	}

	CHECK(kill(pid, SIGTERM) == 0 && waitpid(pid, &status, 0) == pid, 8);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, 8);
	return 0;
}

static void test_dnsbind(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	if (geteuid() != 0)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0)
			_exit(77);
		_exit(scenario());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dnsbind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
