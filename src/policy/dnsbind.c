/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dnsbind: the DNS forwarder dnsmasq uses for bound names; puts every answer's addresses into
 * the name's sets and relays the answer only after the kernel has them. */

/*
 * Every query dnsmasq sends here goes to the upstream from a fresh connected UDP socket (a new
 * source port chosen by the kernel, so only that server's datagrams to that port arrive) with
 * a fresh random ID. A datagram that is not the answer to exactly that question is dropped and
 * the wait goes on. The answer's A/AAAA records of the question's name and its CNAME chain go
 * into dnsname4/dnsname6 under the id of the longest suffix of the name that is bound (a name
 * of names_file's server= lines, which dnsmasq reads too: its server=/NAME/ also sends NAME's
 * subdomains), with one libnftnl batch whose kernel acknowledgement is read before the answer
 * is relayed: a device never holds an address its set does not. Only those two sets of our
 * table are ever written, and the key's id is made here from the bound name. TCP queries (dnsmasq's retry after TC=1) are served by
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PENDING_MAX	  1024
#define UPSTREAM_WAIT_MS  2000 /* dnsmasq itself gives up and retries after about that */
#define SWEEP_MS	  100
#define STOP_WAIT_MS	  2000
#define TCP_CHILDREN_MAX  16
#define TCP_IO_TIMEOUT_MS 3000
#define MSG_MAX		  65535

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

/* The ids (nftc_name_id, id[0] << 32 | id[1]) of the bound names, sorted. */
struct ids {
	uint64_t *v;
	size_t n, cap;
};

struct dnsbind {
	struct dnsbind_conf c;
	struct ev_loop *loop;
	int udp, tcp; /* listening; -1 once closed */
	struct nft_batch *nb;
	struct ids names;
	struct stat names_st; /* of names_file when it was read; st_ino 0: absent */
	bool no_reread;	      /* a TCP child: the parent's list is what it has */
	size_t next_upstream;
	struct pending pend[PENDING_MAX];
	size_t npend;
	struct ev_timer sweep, stop_timer;
	bool stopping;
	unsigned tcp_children;
	int64_t nft_warned_ms, big_warned_ms, names_warned_ms; /* warnings at most once a second */
	struct dnsbind_stats st;
	struct dns_msg msg; /* ~30 KB: kept here, not on the stack */
	uint8_t buf[MSG_MAX + 2];
};

/* ---- the bound names ---------------------------------------------------------------------- */

static int ids_push(struct ids *h, uint64_t v)
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

static bool ids_has(const struct ids *h, uint64_t v)
{
	return h->n && bsearch(&v, h->v, h->n, sizeof(v), cmp_u64);
}

static int name_id(const char *name, uint64_t *out)
{
	uint32_t id[2];
	int ret = nftc_name_id(name, id);

	*out = (uint64_t)id[0] << 32 | id[1];
	return ret;
}

/* The domains of one `server=/D1/D2/.../ADDR` line of names_file (dnsmasq's syntax, as
 * dns_nftset_write makes it) into h; other lines name nothing. */
static int names_line(const char *line, size_t len, struct ids *h)
{
	static const char key[] = "server=/";
	const char *end = line + len, *at, *slash;
	int ret = 0;

	if (len < sizeof(key) - 1 || memcmp(line, key, sizeof(key) - 1) != 0)
		return 0;
	for (at = line + sizeof(key) - 1; !ret && (slash = memchr(at, '/', (size_t)(end - at)));
		at = slash + 1) {
		size_t n = (size_t)(slash - at);
		char name[256];
		uint64_t v;

		if (!n || n >= sizeof(name))
			continue;
		memcpy(name, at, n);
		name[n] = '\0';
		if (nftc_dnsname_valid(name) && name_id(name, &v) == 0)
			ret = ids_push(h, v);
	}
	return ret;
}

/* Reads names_file (an absent one names nothing). 0 or -errno; the old list stays on error. */
static int names_read(struct dnsbind *d)
{
	struct ids h = {0};
	struct stat st = {0};
	char *buf = NULL;
	size_t len = 0, k = 0;
	int ret = 0;

	if (!d->c.names_file[0])
		return 0;
	if (stat(d->c.names_file, &st) < 0 && errno != ENOENT)
		return -errno;
	if (st.st_ino)
		ret = util_read_file(d->c.names_file, DNSBIND_NAMES_MAX, &buf, &len);
	if (ret == -ENOENT) { /* gone between stat and open */
		ret = 0;
		memset(&st, 0, sizeof(st));
	}
	for (size_t pos = 0; !ret && pos < len;) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;

		ret = names_line(buf + pos, n, &h);
		pos += n + 1;
	}
	free(buf);
	if (ret < 0) {
		free(h.v);
		return ret;
	}
	if (h.n) {
		qsort(h.v, h.n, sizeof(*h.v), cmp_u64);
		for (size_t i = 0; i < h.n; i++) /* a name twice */
			if (!k || h.v[k - 1] != h.v[i])
				h.v[k++] = h.v[i];
		h.n = k;
	}
	free(d->names.v);
	d->names = h;
	d->names_st = st;
	log_debug("dnsbind=names file=%s names=%zu", d->c.names_file, d->names.n);
	return 0;
}

/* The id of the longest suffix of name (name itself first) that is bound; false when none. */
static bool lookup(const struct dnsbind *d, const char *name, uint64_t *id)
{
	for (const char *s = name; *s;) {
		if (name_id(s, id) == 0 && ids_has(&d->names, *id))
			return true;
		/* The next label: skip escapes ("\." is no separator). */
		while (*s && *s != '.')
			s += s[0] == '\\' && s[1] ? 2 : 1;
		if (*s == '.')
			s++;
	}
	return false;
}

static bool file_changed(const struct dnsbind *d)
{
	struct stat st = {0};

	if (stat(d->c.names_file, &st) < 0)
		return d->names_st.st_ino != 0;
	return st.st_ino != d->names_st.st_ino || st.st_size != d->names_st.st_size ||
		st.st_mtim.tv_sec != d->names_st.st_mtim.tv_sec ||
		st.st_mtim.tv_nsec != d->names_st.st_mtim.tv_nsec;
}

static bool find_name(struct dnsbind *d, const char *name, uint64_t *id)
{
	/* dnsmasq sends a new name here once the parent has written it and sent SIGHUP, which
	 * may not have been taken yet: a changed file is read at once (a stat, about a
	 * microsecond), also when an older name is a suffix of this one. */
	if (!d->no_reread && d->c.names_file[0] && file_changed(d) && names_read(d) < 0 &&
		util_mono_ms() - d->names_warned_ms >= 1000) {
		d->names_warned_ms = util_mono_ms();
		log_warnx("dnsbind=names file=%s error=\"cannot read\" names=%zu", d->c.names_file,
			d->names.n);
	}
	return lookup(d, name, id);
}

/* ---- binding ------------------------------------------------------------------------------- */

/* Puts the addresses of r (the matched answer to q) into q's sets and waits for the kernel.
 * Returns the number of addresses added, or -errno. */
static int bind_answer(struct dnsbind *d, struct nft_batch *nb, const struct dns_msg *r,
	const struct dns_answer_query *q)
{
	struct dns_answer_addrs addrs;
	struct nft_batch_error e;
	uint8_t key[NFT_BATCH_KEY_MAX];
	uint32_t w[2];
	uint64_t id;
	int ret;

	dns_answer_addrs(r, q->name, &addrs);
	if (addrs.incomplete && util_mono_ms() - d->big_warned_ms >= 1000) {
		d->big_warned_ms = util_mono_ms();
		log_warnx(
			"dnsbind=answer name=%s error=\"more records than checked; only the first "
			"%d are bound\"",
			q->name, DNS_MAX_RECORDS);
	}
	if (!addrs.n || !find_name(d, q->name, &id))
		return 0;
	/* The key of dnsname4 / dnsname6: the id's words in native order, then the address. */
	w[0] = (uint32_t)(id >> 32);
	w[1] = (uint32_t)id;
	memcpy(key, w, sizeof(w));
	nft_batch_begin(nb);
	for (size_t i = 0; i < addrs.n; i++) {
		const struct dns_answer_addr *a = &addrs.a[i];

		memcpy(key + sizeof(w), a->addr, a->family == 4 ? 4 : 16);
		nft_batch_add_timeout(nb, NFT_BATCH_INET, a->family == 4 ? "dnsname4" : "dnsname6",
			a->family == 4 ? NFT_BATCH_NAME4 : NFT_BATCH_NAME6, key,
			dns_answer_timeout_ms(a->ttl, d->c.min_timeout_s, d->c.margin_s));
	}
	ret = nft_batch_commit(nb, &e);
	if (ret < 0) {
		d->st.nft_errors++;
		if (util_mono_ms() - d->nft_warned_ms >= 1000) {
			d->nft_warned_ms = util_mono_ms();
			log_warnx("dnsbind=nft name=%s op=\"%s\" error=\"%s\" errors=%llu", q->name,
				e.what, strerror(-ret), (unsigned long long)d->st.nft_errors);
		}
		return ret;
	}
	d->st.bound++;
	d->st.elements += addrs.n;
	return (int)addrs.n;
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

	d->no_reread = true;
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
	case SIGHUP: {
		int ret = names_read(d);

		if (ret < 0)
			log_warnx("dnsbind=names file=%s error=\"%s\" names=%zu", d->c.names_file,
				strerror(-ret), d->names.n);
		else
			log_info("dnsbind=names names=%zu", d->names.n);
		break;
	}
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
		ret = names_read(d);
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
	log_info("dnsbind=start table=%s upstreams=%zu names=%zu min_timeout_s=%u", d->c.table,
		d->c.nupstream, d->names.n, d->c.min_timeout_s);
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
	free(d->names.v);
	ev_loop_free(d->loop);
	free(d);
}

void dnsbind_stats(const struct dnsbind *d, struct dnsbind_stats *out)
{
	*out = d->st;
}
