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
static char names_path[64]; /* the servers-file, in a directory the test removes */

/* The "W0 . W1 . " of name's key in dnsname4 / dnsname6, as nft lists it. */
static const char *key_of(const char *name)
{
	static char k[40];
	uint32_t w[2];

	if (nftc_name_id(name, w) < 0)
		return "?";
	snprintf(k, sizeof(k), "%u . %u . ", w[0], w[1]);
	return k;
}

static int write_names(const char *text)
{
	return util_write_file_atomic(names_path, text, strlen(text), 0644);
}

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

#define CHECK(cond, code)                                                                 \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "check failed: %s (%d)\n%s\n", #cond, code, out); \
			_exit(code);                                                      \
		}                                                                         \
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
	struct nftc_buf base = {0};
	char need[128];
	const char *set = "list set inet hgt dnsname4";
	struct sockaddr_in from, *up = (struct sockaddr_in *)&c.upstream[0];
	struct wire q, a;
	uint8_t buf[2048];
	struct dnsbind *d;
	int client, upstream, spoofer, status;
	uint16_t fwd_id;
	ssize_t n;
	pid_t pid;

	CHECK(lo_up() == 0, 1);
	CHECK(nftc_base(&base, "hgt", "br-lan") == 0 && nft(base.s) == 0, 1);
	nftc_buf_free(&base);
	/* The servers-file as homegated writes it for dnsmasq, plus what dnsbind must ignore. */
	CHECK(write_names("# bound names\n"
			  "server=/cloud.example.test/127.0.0.1#5397\n"
			  "server=/not a name/127.0.0.1#5397\n"
			  "nftset=/zz/4#inet#hgt#dns4_x\n"
			  "server=//127.0.0.1#5397\n") == 0,
		1);

	util_strlcpy(c.table, "hgt", sizeof(c.table));
	util_strlcpy(c.names_file, names_path, sizeof(c.names_file));
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
	snprintf(need, sizeof(need), "%s192.0.2.7 timeout 1h1m expires",
		key_of("cloud.example.test"));
	CHECK(nft(set) == 0 && strstr(out, need), 4);
	CHECK(!strstr(out, "6.6.6."), 4);
	/* and nothing else comes */
	CHECK(recv_within(client, buf, sizeof(buf), 200, NULL) < 0, 4);

	/* A name the file does not bind (only a server= line binds): relayed, binds nothing. */
	msg(&q, 0x0101, 0x0100, "zz", 1, NULL, NULL);
	to_bind(client, &q);
	n = recv_within(upstream, buf, sizeof(buf), 2000, &from);
	CHECK(n > 2, 5);
	msg(&a, (uint16_t)(buf[0] << 8 | buf[1]), 0x8180, "zz", 1, "zz", other);
	CHECK(sendto(upstream, a.b, a.n, 0, (struct sockaddr *)&from, sizeof(from)) > 0, 5);
	n = recv_within(client, buf, sizeof(buf), 2000, NULL);
	CHECK(n == (ssize_t)a.n && holds(buf, (size_t)n, "192.0.2.99"), 5);
	CHECK(nft("list table inet hgt") == 0 && !strstr(out, "192.0.2.99"), 5);

	/* A name written to the file after the start, without SIGHUP: the changed file is read
	 * at the first query that needs it, and the longest bound suffix wins. */
	CHECK(write_names("server=/cloud.example.test/127.0.0.1#5397\n"
			  "server=/x.cloud.example.test/127.0.0.1#5397\n") == 0,
		5);
	msg(&q, 0x0102, 0x0100, "www.x.cloud.example.test", 1, NULL, NULL);
	to_bind(client, &q);
	n = recv_within(upstream, buf, sizeof(buf), 2000, &from);
	CHECK(n > 2, 5);
	msg(&a, (uint16_t)(buf[0] << 8 | buf[1]), 0x8180, "www.x.cloud.example.test", 1,
		"www.x.cloud.example.test", other);
	CHECK(sendto(upstream, a.b, a.n, 0, (struct sockaddr *)&from, sizeof(from)) > 0, 5);
	n = recv_within(client, buf, sizeof(buf), 2000, NULL);
	CHECK(n == (ssize_t)a.n, 5);
	snprintf(need, sizeof(need), "%s192.0.2.99 ", key_of("x.cloud.example.test"));
	CHECK(nft(set) == 0 && strstr(out, need), 5);
	snprintf(need, sizeof(need), "%s192.0.2.99 ", key_of("cloud.example.test"));
	CHECK(!strstr(out, need), 5);

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
		snprintf(need, sizeof(need), "%s192.0.2.8 timeout 1h1m",
			key_of("cloud.example.test"));
		CHECK(nft(set) == 0 && strstr(out, need), 7);
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

	char dir[] = "/tmp/hg-test-dnsbind.XXXXXX";

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(names_path, sizeof(names_path), "%s/servers", dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0)
			_exit(77);
		_exit(scenario());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unlink(names_path);
	rmdir(dir);
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
