/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dnsbind: the DNS forwarder dnsmasq uses for bound names; puts every answer's addresses into
 * the name's sets and relays the answer only after the kernel has them. */

/*
 * Every query dnsmasq sends here goes to the upstream from a fresh connected UDP socket (a new
 * source port chosen by the kernel, so only that server's datagrams to that port arrive) with
 * a fresh random ID. A datagram that is not the answer to exactly that question is dropped and
 * the wait goes on. The answer's A/AAAA records of the question's name and its CNAME chain go
 * into dns4_<H>/dns6_<H> of the longest suffix of the name whose sets exist (dnsmasq's
 * server=/NAME/ also sends NAME's subdomains), with one libnftnl batch whose kernel
 * acknowledgement is read before the answer is relayed: a device never holds an address its
 * set does not. Only those sets of our table are ever written: their names are made here from
 * the hash, never taken from a message. TCP queries (dnsmasq's retry after TC=1) are served by
 * a short-lived child each, which does the same over TCP upstream.
 */
#include "policy/dnsbind.h"

#include "core/evloop.h"
#include "core/log.h"
#include "core/util.h"
#include "observe/dns.h"
#include "policy/dns_answer.h"
#include "policy/nft_batch.h"
#include "policy/nft_compile.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PENDING_MAX	  1024
#define UPSTREAM_WAIT_MS  2000 /* dnsmasq itself gives up and retries after about that */
#define SWEEP_MS	  100
#define REFRESH_MIN_MS	  250 /* a name without sets re-reads them at most this often */
#define STOP_WAIT_MS	  2000
#define TCP_CHILDREN_MAX  16
#define TCP_IO_TIMEOUT_MS 3000
#define MSG_MAX		  65535
#define HASH_HEX	  12

static int64_t mono_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* A query waiting for its upstream answer; fd < 0 when the slot is free. */
struct pending {
	int fd;
	struct sockaddr_storage client;
	socklen_t clen;
	uint16_t client_id;
	struct dns_answer_query q;
	int64_t deadline;
	int64_t t_in_us; /* when the query came, for the debug log's timings */
	struct dnsbind *d;
};

/* The 48-bit hashes of our table's dns4_<H> and dns6_<H> sets, sorted. */
struct hashes {
	uint64_t *v;
	size_t n, cap;
};

struct dnsbind {
	struct dnsbind_conf c;
	struct ev_loop *loop;
	int udp, tcp; /* listening; -1 once closed */
	struct nft_batch *nb;
	struct hashes set4, set6;
	int64_t refreshed_ms;
	size_t next_upstream;
	struct pending pend[PENDING_MAX];
	size_t npend;
	struct ev_timer sweep, stop_timer;
	bool stopping;
	unsigned tcp_children;
	int64_t nft_warned_ms, big_warned_ms; /* warnings at most once a second */
	struct dnsbind_stats st;
	struct dns_msg msg; /* ~30 KB: kept here, not on the stack */
	uint8_t buf[MSG_MAX + 2];
};

/* ---- the sets that exist ------------------------------------------------------------------ */

static int hash_parse(const char *hex, uint64_t *out)
{
	uint64_t v = 0;

	for (int i = 0; i < HASH_HEX; i++) {
		int x = hex[i] >= '0' && hex[i] <= '9'	 ? hex[i] - '0'
			: hex[i] >= 'a' && hex[i] <= 'f' ? hex[i] - 'a' + 10
							 : -1;

		if (x < 0)
			return -EINVAL;
		v = v << 4 | (uint64_t)x;
	}
	if (hex[HASH_HEX])
		return -EINVAL;
	*out = v;
	return 0;
}

static int hash_push(struct hashes *h, uint64_t v)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 256;
		void *p = reallocarray(h->v, cap, sizeof(*h->v));

		if (!p)
			return -ENOMEM;
		h->v = p;
		h->cap = cap;
	}
	h->v[h->n++] = v;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool hash_has(const struct hashes *h, uint64_t v)
{
	return h->n && bsearch(&v, h->v, h->n, sizeof(v), cmp_u64);
}

struct refresh_arg {
	struct hashes s4, s6;
	int err;
};

/* Keeps only names of exactly our shape, dns4_ or dns6_ and 12 lower-case hex digits. */
static void on_set(const char *name, void *arg)
{
	struct refresh_arg *ra = arg;
	uint64_t v;

	if (strncmp(name, "dns", 3) != 0 || (name[3] != '4' && name[3] != '6') || name[4] != '_' ||
		hash_parse(name + 5, &v) < 0)
		return;
	if (hash_push(name[3] == '4' ? &ra->s4 : &ra->s6, v) < 0)
		ra->err = -ENOMEM;
}

static void hash_sort(struct hashes *h)
{
	size_t k = 0;

	if (!h->n)
		return; /* h->v may be NULL */
	qsort(h->v, h->n, sizeof(*h->v), cmp_u64);
	for (size_t i = 0; i < h->n; i++) /* a dump read twice names a set twice */
		if (!k || h->v[k - 1] != h->v[i])
			h->v[k++] = h->v[i];
	h->n = k;
}

static int refresh(struct dnsbind *d)
{
	struct refresh_arg ra = {0};
	int ret = nft_batch_sets(d->nb, NFT_BATCH_INET, on_set, &ra);

	d->refreshed_ms = util_mono_ms();
	if (ret == -ENOENT)
		ret = 0; /* no table yet: no sets */
	if (!ret)
		ret = ra.err;
	if (ret < 0) {
		free(ra.s4.v);
		free(ra.s6.v);
		return ret;
	}
	hash_sort(&ra.s4);
	hash_sort(&ra.s6);
	free(d->set4.v);
	free(d->set6.v);
	d->set4 = ra.s4;
	d->set6 = ra.s6;
	log_debug("dnsbind=sets dns4=%zu dns6=%zu", d->set4.n, d->set6.n);
	return 0;
}

/* The sets of the longest suffix of name (name itself first) that has any; false when none. */
static bool lookup(struct dnsbind *d, const char *name, char set4[32], char set6[32])
{
	for (const char *s = name; *s;) {
		char h[NFTC_ID_LEN + 1];
		uint64_t v;

		if (nftc_name_hash(s, h) == 0 && hash_parse(h, &v) == 0 &&
			(hash_has(&d->set4, v) || hash_has(&d->set6, v))) {
			set4[0] = set6[0] = '\0';
			if (hash_has(&d->set4, v))
				snprintf(set4, 32, "dns4_%s", h);
			if (hash_has(&d->set6, v))
				snprintf(set6, 32, "dns6_%s", h);
			return true;
		}
		/* The next label: skip escapes ("\." is no separator). */
		while (*s && *s != '.')
			s += s[0] == '\\' && s[1] ? 2 : 1;
		if (*s == '.')
			s++;
	}
	return false;
}

static bool find_sets(struct dnsbind *d, const char *name, char set4[32], char set6[32])
{
	if (lookup(d, name, set4, set6))
		return true;
	/* New profiles bring new sets; dnsmasq sends a name here only once they exist. */
	if (util_mono_ms() - d->refreshed_ms < REFRESH_MIN_MS || refresh(d) < 0)
		return false;
	return lookup(d, name, set4, set6);
}

/* ---- binding ------------------------------------------------------------------------------- */

/* Puts the addresses of r (the matched answer to q) into q's sets and waits for the kernel.
 * Returns the number of addresses added, or -errno. */
static int bind_answer(struct dnsbind *d, struct nft_batch *nb, const struct dns_msg *r,
	const struct dns_answer_query *q)
{
	struct dns_answer_addrs addrs;
	char set4[32], set6[32];
	struct nft_batch_error e;
	size_t n = 0;
	int ret;

	dns_answer_addrs(r, q->name, &addrs);
	if (addrs.incomplete && util_mono_ms() - d->big_warned_ms >= 1000) {
		d->big_warned_ms = util_mono_ms();
		log_warnx(
			"dnsbind=answer name=%s error=\"more records than checked; only the first "
			"%d are bound\"",
			q->name, DNS_MAX_RECORDS);
	}
	if (!addrs.n || !find_sets(d, q->name, set4, set6))
		return 0;
	nft_batch_begin(nb);
	for (size_t i = 0; i < addrs.n; i++) {
		const struct dns_answer_addr *a = &addrs.a[i];
		const char *set = a->family == 4 ? set4 : set6;

		if (!set[0])
			continue;
		nft_batch_add_timeout(nb, NFT_BATCH_INET, set,
			a->family == 4 ? NFT_BATCH_IPV4 : NFT_BATCH_IPV6, a->addr,
			dns_answer_timeout_ms(a->ttl, d->c.min_timeout_s, d->c.margin_s));
		n++;
	}
	ret = nft_batch_commit(nb, &e);
	if (ret < 0) {
		d->st.nft_errors++;
		if (ret == -ENOENT)
			d->refreshed_ms = 0; /* a set went away: read them again next time */
		if (util_mono_ms() - d->nft_warned_ms >= 1000) {
			d->nft_warned_ms = util_mono_ms();
			log_warnx("dnsbind=nft name=%s op=\"%s\" error=\"%s\" errors=%llu", q->name,
				e.what, strerror(-ret), (unsigned long long)d->st.nft_errors);
		}
		return ret;
	}
	d->st.bound++;
	d->st.elements += n;
	return (int)n;
}

/* ---- UDP ----------------------------------------------------------------------------------- */

static void pend_free(struct pending *p)
{
	struct dnsbind *d = p->d;

	if (p->fd < 0)
		return;
	ev_io_del(d->loop, p->fd);
	close(p->fd);
	p->fd = -1;
	d->npend--;
	if (d->stopping && !d->npend)
		ev_loop_break(d->loop);
}

static socklen_t sa_len(const struct sockaddr_storage *sa)
{
	return sa->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

static void on_answer(int fd, uint32_t events, void *arg)
{
	struct pending *p = arg;
	struct dnsbind *d = p->d;
	int64_t t_ans, t_bound;
	int nbound;

	(void)events;
	for (;;) {
		ssize_t len = recv(fd, d->buf, MSG_MAX, 0);

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (len < 0) {
			/* ICMP unreachable: this upstream is down. dnsmasq retries. */
			log_debug("dnsbind=upstream error=\"%s\"", strerror(errno));
			pend_free(p);
			return;
		}
		if (dns_parse(d->buf, (size_t)len, &d->msg, NULL, 0) < 0 ||
			!dns_answer_matches(&d->msg, &p->q)) {
			d->st.strays++;
			continue;
		}
		t_ans = mono_us();
		nbound = bind_answer(d, d->nb, &d->msg, &p->q);
		t_bound = mono_us();
		d->buf[0] = (uint8_t)(p->client_id >> 8);
		d->buf[1] = (uint8_t)p->client_id;
		if (d->udp >= 0 &&
			sendto(d->udp, d->buf, (size_t)len, 0, (struct sockaddr *)&p->client,
				p->clen) < 0)
			log_debug("dnsbind=relay error=\"%s\"", strerror(errno));
		d->st.answers++;
		if (log_get_level() >= LOG_LEVEL_DEBUG)
			log_debug("dnsbind=answer name=%s bound=%d us_in_to_answer=%lld "
				  "us_bind=%lld us_total=%lld",
				p->q.name, nbound, (long long)(t_ans - p->t_in_us),
				(long long)(t_bound - t_ans), (long long)(mono_us() - p->t_in_us));
		pend_free(p);
		return;
	}
}

static uint16_t fresh_id(void)
{
	uint16_t id;

	if (getrandom(&id, sizeof(id), 0) != (ssize_t)sizeof(id))
		fatal("dnsbind=getrandom");
	return id;
}

/* Checks a query from the local resolver; fills q and returns 0 when it is forwarded. */
static int take_query(struct dnsbind *d, const uint8_t *buf, size_t len, struct dns_answer_query *q)
{
	char err[128];

	if (dns_parse(buf, len, &d->msg, err, sizeof(err)) < 0 ||
		dns_answer_query(&d->msg, q, err, sizeof(err)) < 0) {
		d->st.refused++;
		log_debug("dnsbind=query error=\"%s\"", err);
		return -EINVAL;
	}
	d->st.queries++;
	return 0;
}

static void forward(
	struct dnsbind *d, size_t len, const struct sockaddr_storage *from, socklen_t flen)
{
	const struct sockaddr_storage *up = &d->c.upstream[d->next_upstream];
	struct pending *p = NULL;
	int fd;

	for (size_t i = 0; i < PENDING_MAX; i++)
		if (d->pend[i].fd < 0) {
			p = &d->pend[i];
			break;
		}
	if (!p) /* full: dnsmasq retries */
		return;
	if (take_query(d, d->buf, len, &p->q) < 0)
		return;
	p->t_in_us = mono_us();
	fd = socket(up->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("dnsbind=socket");
		return;
	}
	if (connect(fd, (const struct sockaddr *)up, sa_len(up)) < 0)
		goto fail;
	p->client_id = p->q.id;
	p->q.id = fresh_id();
	d->buf[0] = (uint8_t)(p->q.id >> 8);
	d->buf[1] = (uint8_t)p->q.id;
	if (send(fd, d->buf, len, 0) < 0)
		goto fail;
	memcpy(&p->client, from, flen);
	p->clen = flen;
	p->deadline = util_mono_ms() + UPSTREAM_WAIT_MS;
	p->fd = fd;
	if (ev_io_add(d->loop, fd, EPOLLIN, on_answer, p) < 0) {
		p->fd = -1;
		goto fail;
	}
	d->npend++;
	return;
fail:
	log_debug("dnsbind=forward error=\"%s\"", strerror(errno));
	close(fd);
}

static void on_udp(int fd, uint32_t events, void *arg)
{
	struct dnsbind *d = arg;

	(void)events;
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t len = recvfrom(
			fd, d->buf, MSG_MAX, MSG_DONTWAIT, (struct sockaddr *)&from, &flen);

		if (len < 0)
			return;
		forward(d, (size_t)len, &from, flen);
	}
}

static void on_sweep(void *arg)
{
	struct dnsbind *d = arg;
	int64_t now = util_mono_ms();

	for (size_t i = 0; i < PENDING_MAX; i++) {
		if (d->pend[i].fd < 0 || d->pend[i].deadline > now)
			continue;
		d->st.timeouts++;
		/* The next query tries the next upstream. */
		if (d->c.nupstream > 1)
			d->next_upstream = (d->next_upstream + 1) % d->c.nupstream;
		pend_free(&d->pend[i]);
	}
	if (!d->stopping)
		ev_timer_arm(d->loop, &d->sweep, SWEEP_MS);
}

/* ---- TCP ----------------------------------------------------------------------------------- */

static int io_wait(int fd, short ev, int64_t deadline)
{
	struct pollfd p = {.fd = fd, .events = ev};
	int64_t left = deadline - util_mono_ms();

	if (left <= 0)
		return -ETIMEDOUT;
	if (poll(&p, 1, (int)left) <= 0)
		return -ETIMEDOUT;
	return 0;
}

static int read_full(int fd, uint8_t *buf, size_t len, int64_t deadline)
{
	for (size_t off = 0; off < len;) {
		ssize_t n;

		if (io_wait(fd, POLLIN, deadline) < 0)
			return -ETIMEDOUT;
		n = read(fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ECONNRESET;
		off += (size_t)n;
	}
	return 0;
}

static int write_full(int fd, const uint8_t *buf, size_t len, int64_t deadline)
{
	for (size_t off = 0; off < len;) {
		ssize_t n;

		if (io_wait(fd, POLLOUT, deadline) < 0)
			return -ETIMEDOUT;
		n = send(fd, buf + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
}

/* One length-prefixed message into d->buf + 2; its length in *len. */
static int read_msg(int fd, struct dnsbind *d, size_t *len, int64_t deadline)
{
	int ret = read_full(fd, d->buf, 2, deadline);

	if (ret)
		return ret;
	*len = (size_t)d->buf[0] << 8 | d->buf[1];
	if (*len < DNS_HEADER_LEN)
		return -EINVAL;
	return read_full(fd, d->buf + 2, *len, deadline);
}

/* The child serving one TCP connection from the local resolver: one query (dnsmasq sends one
 * per connection to a server it retries over TCP), over TCP to the first upstream that
 * accepts, bound like a UDP answer. Exits. */
static void tcp_child(struct dnsbind *d, int c)
{
	int64_t deadline = util_mono_ms() + TCP_IO_TIMEOUT_MS;
	struct dns_answer_query q;
	struct nft_batch *nb = NULL;
	size_t len;
	int up = -1, status = 1;

	d->refreshed_ms = util_mono_ms() + 3600 * 1000; /* no dump on the parent's socket */
	if (read_msg(c, d, &len, deadline) < 0 || take_query(d, d->buf + 2, len, &q) < 0)
		goto out;
	{
		uint16_t client_id = q.id;

		q.id = fresh_id();
		d->buf[2] = (uint8_t)(q.id >> 8);
		d->buf[3] = (uint8_t)q.id;
		for (size_t i = 0; i < d->c.nupstream && up < 0; i++) {
			const struct sockaddr_storage *sa = &d->c.upstream[i];

			up = socket(sa->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			if (up < 0)
				goto out;
			if ((connect(up, (const struct sockaddr *)sa, sa_len(sa)) < 0 &&
				    errno != EINPROGRESS) ||
				io_wait(up, POLLOUT, deadline) < 0) {
				close(up);
				up = -1;
				continue;
			}
			{
				int soerr = 0;
				socklen_t sl = sizeof(soerr);

				if (getsockopt(up, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 ||
					soerr) {
					close(up);
					up = -1;
				}
			}
		}
		if (up < 0 || write_full(up, d->buf, len + 2, deadline) < 0 ||
			read_msg(up, d, &len, deadline) < 0)
			goto out;
		if (dns_parse(d->buf + 2, len, &d->msg, NULL, 0) < 0 ||
			!dns_answer_matches(&d->msg, &q))
			goto out;
		/* Our own netlink socket: the parent's is in use. */
		if (nft_batch_open(d->c.table, &nb) < 0)
			goto out;
		bind_answer(d, nb, &d->msg, &q);
		d->buf[2] = (uint8_t)(client_id >> 8);
		d->buf[3] = (uint8_t)client_id;
		if (write_full(c, d->buf, len + 2, deadline) == 0)
			status = 0;
	}
out:
	nft_batch_close(nb);
	if (up >= 0)
		close(up);
	close(c);
	_exit(status);
}

static void on_tcp(int fd, uint32_t events, void *arg)
{
	struct dnsbind *d = arg;
	int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	pid_t pid;

	(void)events;
	if (c < 0)
		return;
	if (d->tcp_children >= TCP_CHILDREN_MAX) {
		close(c);
		return;
	}
	d->st.tcp++;
	pid = fork();
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		tcp_child(d, c);
	}
	if (pid > 0)
		d->tcp_children++;
	else
		log_warn("dnsbind=fork");
	close(c);
}

/* ---- signals and the loop ----------------------------------------------------------------- */

static void on_stop_timer(void *arg)
{
	ev_loop_break(((struct dnsbind *)arg)->loop);
}

static void close_listeners(struct dnsbind *d)
{
	if (d->udp >= 0) {
		ev_io_del(d->loop, d->udp);
		close(d->udp);
		d->udp = -1;
	}
	if (d->tcp >= 0) {
		ev_io_del(d->loop, d->tcp);
		close(d->tcp);
		d->tcp = -1;
	}
}

static void on_signal(int signo, void *arg)
{
	struct dnsbind *d = arg;

	switch (signo) {
	case SIGTERM:
	case SIGINT:
		if (d->stopping)
			return;
		/* A successor bound beside us gets every new query (listen_on); what is queued
		 * here is still served, and the UDP socket stays open to relay the answers. */
		if (d->udp >= 0) {
			on_udp(d->udp, EPOLLIN, d);
			ev_io_del(d->loop, d->udp);
		}
		if (d->tcp >= 0) {
			for (unsigned i = 0; i < TCP_CHILDREN_MAX; i++)
				on_tcp(d->tcp, EPOLLIN, d);
			ev_io_del(d->loop, d->tcp);
			close(d->tcp);
			d->tcp = -1;
		}
		log_info("dnsbind=stop signal=%d in_flight=%zu", signo, d->npend);
		d->stopping = true;
		ev_timer_cancel(d->loop, &d->sweep);
		if (!d->npend)
			ev_loop_break(d->loop);
		else
			ev_timer_arm(d->loop, &d->stop_timer, STOP_WAIT_MS);
		break;
	case SIGHUP:
		if (refresh(d) < 0)
			log_warnx("dnsbind=sets error=\"cannot read the sets of table %s\"",
				d->c.table);
		else
			log_info("dnsbind=sets dns4=%zu dns6=%zu", d->set4.n, d->set6.n);
		break;
	case SIGUSR1:
		log_info("dnsbind=stats queries=%llu refused=%llu answers=%llu bound=%llu "
			 "elements=%llu strays=%llu timeouts=%llu nft_errors=%llu tcp=%llu",
			(unsigned long long)d->st.queries, (unsigned long long)d->st.refused,
			(unsigned long long)d->st.answers, (unsigned long long)d->st.bound,
			(unsigned long long)d->st.elements, (unsigned long long)d->st.strays,
			(unsigned long long)d->st.timeouts, (unsigned long long)d->st.nft_errors,
			(unsigned long long)d->st.tcp);
		break;
	case SIGCHLD:
		while (waitpid(-1, NULL, WNOHANG) > 0)
			if (d->tcp_children)
				d->tcp_children--;
		break;
	default:
		break;
	}
}

/* Binds beside a running instance (SO_REUSEPORT) and steers every new datagram and connection
 * of the port to the newest socket: the program answers index 1, which is the newcomer while
 * an old instance is still there, and out of range (so the kernel's hash picks the only
 * socket) once it is gone. The old instance then only finishes what it has. */
static int listen_on(const struct sockaddr_storage *sa, int type, int *out)
{
	struct sock_filter newest[] = {BPF_STMT(BPF_RET | BPF_K, 1)};
	struct sock_fprog prog = {.len = 1, .filter = newest};
	int one = 1, fd = socket(sa->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), ret;

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
		(type == SOCK_STREAM &&
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) ||
		bind(fd, (const struct sockaddr *)sa, sa_len(sa)) < 0 ||
		(type == SOCK_STREAM && listen(fd, 64) < 0)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof(prog)) < 0)
		log_warn("dnsbind=reuseport-steering");
	*out = fd;
	return 0;
}

int dnsbind_open(const struct dnsbind_conf *c, struct dnsbind **out)
{
	struct dnsbind *d;
	int ret;

	*out = NULL;
	if (!util_is_ident(c->table, sizeof(c->table) - 1) || !c->nupstream ||
		c->nupstream > DNSBIND_UPSTREAM_MAX ||
		(c->listen.ss_family != AF_INET && c->listen.ss_family != AF_INET6))
		return -EINVAL;
	for (size_t i = 0; i < c->nupstream; i++)
		if (c->upstream[i].ss_family != AF_INET && c->upstream[i].ss_family != AF_INET6)
			return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->c = *c;
	d->udp = d->tcp = -1;
	for (size_t i = 0; i < PENDING_MAX; i++) {
		d->pend[i].fd = -1;
		d->pend[i].d = d;
	}
	ret = listen_on(&c->listen, SOCK_DGRAM, &d->udp);
	if (!ret)
		ret = listen_on(&c->listen, SOCK_STREAM, &d->tcp);
	if (!ret)
		ret = nft_batch_open(c->table, &d->nb);
	if (!ret)
		ret = refresh(d);
	if (ret < 0) {
		dnsbind_free(d);
		return ret;
	}
	*out = d;
	return 0;
}

int dnsbind_run(struct dnsbind *d)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGCHLD};
	int ret;

	d->loop = ev_loop_new();
	if (!d->loop)
		return -ENOMEM;
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		if ((ret = ev_signal_add(d->loop, sigs[i], on_signal, d)) < 0)
			return ret;
	if ((ret = ev_io_add(d->loop, d->udp, EPOLLIN, on_udp, d)) < 0 ||
		(ret = ev_io_add(d->loop, d->tcp, EPOLLIN, on_tcp, d)) < 0)
		return ret;
	ev_timer_init(&d->sweep, on_sweep, d);
	ev_timer_init(&d->stop_timer, on_stop_timer, d);
	ev_timer_arm(d->loop, &d->sweep, SWEEP_MS);
	log_info("dnsbind=start table=%s upstreams=%zu dns4=%zu dns6=%zu min_timeout_s=%u",
		d->c.table, d->c.nupstream, d->set4.n, d->set6.n, d->c.min_timeout_s);
	return ev_loop_run(d->loop);
}

void dnsbind_free(struct dnsbind *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < PENDING_MAX; i++)
		if (d->pend[i].fd >= 0) {
			if (d->loop)
				ev_io_del(d->loop, d->pend[i].fd);
			close(d->pend[i].fd);
		}
	if (d->loop)
		close_listeners(d);
	else {
		if (d->udp >= 0)
			close(d->udp);
		if (d->tcp >= 0)
			close(d->tcp);
	}
	nft_batch_close(d->nb);
	free(d->set4.v);
	free(d->set6.v);
	ev_loop_free(d->loop);
	free(d);
}

void dnsbind_stats(const struct dnsbind *d, struct dnsbind_stats *out)
{
	*out = d->st;
}
