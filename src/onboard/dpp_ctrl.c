/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The DPP Controller over TCP: connections, framing, timeouts and decisions around dpp_sess. */
#include "onboard/dpp_ctrl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/log.h"
#include "onboard/dpp_tcp.h"

#define WBUF_MAX (4 * (DPP_TCP_MSG_MAX + 4)) /* output a peer has not read yet, at most */

struct dpp_conn {
	struct dpp_conn *next;
	struct dpp_ctrl *ctrl;
	int fd;
	bool connecting, held, closing, reported, refused;
	struct dpp_sess *sess;
	struct dpp_ctrl_peer peer;
	struct ev_timer stall, hold;
	uint8_t *wbuf;
	size_t wlen, woff;
	struct dpp_tcp_rx rx;
};

struct dpp_ctrl {
	struct ev_loop *loop;
	int listen_fd;
	EVP_PKEY *boot, *csign;
	unsigned max_conns, nconns;
	int64_t msg_timeout_ms, hold_timeout_ms;
	const struct dpp_ctrl_ops *ops;
	void *ctx;
	uint64_t next_id;
	struct dpp_conn *conns;
};

static void conn_io(int fd, uint32_t events, void *arg);

static void conn_free(struct dpp_conn *k)
{
	struct dpp_ctrl *c = k->ctrl;

	for (struct dpp_conn **pp = &c->conns; *pp; pp = &(*pp)->next)
		if (*pp == k) {
			*pp = k->next;
			break;
		}
	c->nconns--;
	ev_timer_cancel(c->loop, &k->stall);
	ev_timer_cancel(c->loop, &k->hold);
	if (k->fd >= 0) {
		ev_io_del(c->loop, k->fd);
		close(k->fd);
	}
	dpp_sess_free(k->sess);
	if (k->wbuf) {
		OPENSSL_cleanse(k->wbuf, k->wlen);
		free(k->wbuf);
	}
	OPENSSL_cleanse(&k->rx, sizeof(k->rx));
	free(k);
}

static void report(struct dpp_conn *k, bool ok, const char *reason)
{
	if (k->reported)
		return;
	k->reported = true;
	if (k->ctrl->ops->done)
		k->ctrl->ops->done(k->ctrl->ctx, &k->peer, ok, reason);
}

/* Ends the connection now, reporting why if nothing was reported yet. */
static void conn_end(struct dpp_conn *k, bool ok, const char *reason)
{
	report(k, ok, reason);
	conn_free(k);
}

static void want_events(struct dpp_conn *k)
{
	uint32_t ev = k->closing ? 0 : EPOLLIN;

	if (k->connecting || k->woff < k->wlen)
		ev |= EPOLLOUT;
	ev_io_mod(k->ctrl->loop, k->fd, ev);
}

/* Writes what is queued; on a finished exchange closes once all of it is out. Returns false when
 * the connection is gone. */
static bool flush(struct dpp_conn *k)
{
	while (k->woff < k->wlen) {
		ssize_t n = write(k->fd, k->wbuf + k->woff, k->wlen - k->woff);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			conn_end(k, false, "peer closed the connection");
			return false;
		}
		k->woff += (size_t)n;
	}
	if (k->woff == k->wlen) {
		k->woff = k->wlen = 0;
		if (k->closing) {
			conn_free(k);
			return false;
		}
	}
	want_events(k);
	return true;
}

static int queue(struct dpp_conn *k, const uint8_t *p, size_t n)
{
	uint8_t *nb;

	if (!n)
		return 0;
	if (k->woff) {
		memmove(k->wbuf, k->wbuf + k->woff, k->wlen - k->woff);
		k->wlen -= k->woff;
		k->woff = 0;
	}
	if (k->wlen + n > WBUF_MAX)
		return -ENOBUFS;
	nb = realloc(k->wbuf, k->wlen + n);
	if (!nb)
		return -ENOMEM;
	k->wbuf = nb;
	memcpy(k->wbuf + k->wlen, p, n);
	k->wlen += n;
	return 0;
}

static void conn_stall(void *arg)
{
	struct dpp_conn *k = arg;

	log_warnx("dpp=conn id=%llu peer=%s error=\"no message for %lld ms\"",
		(unsigned long long)k->peer.id, k->peer.addr, (long long)k->ctrl->msg_timeout_ms);
	conn_end(k, false, "peer stalled");
}

static void conn_hold_timeout(void *arg)
{
	struct dpp_conn *k = arg;
	struct dpp_step st;

	if (!k->held)
		return;
	k->held = false;
	k->refused = true;
	log_info("dpp=hold id=%llu peer=%s result=refused reason=\"not approved within %lld s\"",
		(unsigned long long)k->peer.id, k->peer.addr,
		(long long)(k->ctrl->hold_timeout_ms / 1000));
	if (dpp_sess_configure(k->sess, NULL, 0, &st) < 0)
		conn_end(k, false, dpp_sess_reason(k->sess));
}

/* Acts on what one session call produced. Returns false when the connection is gone. */
/* A failed call shows as DPP_EV_FAIL in its step: the step alone says what to do. */
static bool handle(struct dpp_conn *k, const struct dpp_step *st);

static bool decide(struct dpp_conn *k)
{
	struct dpp_ctrl *c = k->ctrl;
	struct dpp_cred cred;
	struct dpp_step st;
	enum dpp_decision d;

	memset(&cred, 0, sizeof(cred));
	d = c->ops->conf_req ? c->ops->conf_req(c->ctx, &k->peer, dpp_sess_request(k->sess), &cred)
			     : DPP_REFUSE;
	switch (d) {
	case DPP_GRANT:
		dpp_sess_configure(k->sess, &cred, 0, &st);
		break;
	case DPP_HOLD:
		k->held = true;
		ev_timer_arm(c->loop, &k->hold, c->hold_timeout_ms);
		dpp_sess_defer(k->sess, &st);
		break;
	default:
		k->refused = true;
		dpp_sess_configure(k->sess, NULL, 0, &st);
		break;
	}
	OPENSSL_cleanse(&cred, sizeof(cred));
	return handle(k, &st);
}

static bool handle(struct dpp_conn *k, const struct dpp_step *st)
{
	const uint8_t *h;

	if (st->len && queue(k, st->out, st->len) < 0) {
		conn_end(k, false, "output queue full");
		return false;
	}
	switch (st->ev) {
	case DPP_EV_AUTH_OK:
		h = dpp_sess_peer_hash(k->sess);
		k->peer.has_hash = h != NULL;
		if (h)
			memcpy(k->peer.hash, h, 32);
		k->peer.mutual = dpp_sess_mutual(k->sess);
		k->peer.version = dpp_sess_peer_version(k->sess);
		k->peer.has_nak = dpp_sess_peer_key_hash(k->sess, k->peer.nak_hash) == 0;
		log_info("dpp=auth id=%llu peer=%s result=ok mutual=%d version=%u",
			(unsigned long long)k->peer.id, k->peer.addr, k->peer.mutual,
			k->peer.version);
		break;
	case DPP_EV_CONF_REQ:
		return decide(k);
	case DPP_EV_DONE:
		report(k, !k->refused, k->refused ? "configuration refused" : "");
		k->closing = true;
		break;
	case DPP_EV_FAIL:
		log_warnx("dpp=fail id=%llu peer=%s reason=\"%s\"", (unsigned long long)k->peer.id,
			k->peer.addr, dpp_sess_reason(k->sess));
		report(k, false, dpp_sess_reason(k->sess));
		k->closing = true;
		break;
	case DPP_EV_CONF_RECEIVED: /* we are never the Enrollee here */
	case DPP_EV_NONE:
		break;
	}
	return flush(k);
}

static void conn_read(struct dpp_conn *k)
{
	uint8_t buf[4096];
	ssize_t n = read(k->fd, buf, sizeof(buf));
	size_t off = 0;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_end(k, false,
			n == 0 ? "peer closed the connection" : "connection reset by the peer");
		return;
	}
	/* Acknowledge at once: an Enrollee writes its Authentication Confirm and its GAS request
	 * separately, and Nagle holds the second until the first is acknowledged, which a
	 * delayed ACK puts off by about 40 ms per onboarding. The kernel clears the flag again,
	 * hence after every read. */
	setsockopt(k->fd, IPPROTO_TCP, TCP_QUICKACK, &(int){1}, sizeof(int));
	while (off < (size_t)n) {
		struct dpp_step st;
		size_t used;
		int r = dpp_tcp_rx_feed(&k->rx, buf + off, (size_t)n - off, &used);

		off += used;
		if (r < 0) {
			log_warnx("dpp=conn id=%llu peer=%s error=\"message length out of range\"",
				(unsigned long long)k->peer.id, k->peer.addr);
			conn_end(k, false, "message length out of range");
			return;
		}
		if (r == 0)
			break;
		ev_timer_arm(k->ctrl->loop, &k->stall, k->ctrl->msg_timeout_ms);
		dpp_sess_rx(k->sess, k->rx.msg, k->rx.want, &st);
		dpp_tcp_rx_next(&k->rx);
		if (!handle(k, &st))
			return;
		if (k->closing)
			return; /* nothing more is read once the exchange has ended */
	}
}

static void conn_io(int fd, uint32_t events, void *arg)
{
	struct dpp_conn *k = arg;

	(void)fd;
	if (k->connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
		int err = 0;
		socklen_t l = sizeof(err);

		if (getsockopt(k->fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0 || err) {
			log_warnx("dpp=connect id=%llu peer=%s error=\"%s\"",
				(unsigned long long)k->peer.id, k->peer.addr,
				strerror(err ? err : errno));
			conn_end(k, false, "cannot connect to the peer's Controller");
			return;
		}
		k->connecting = false;
	}
	if (events & EPOLLOUT) {
		if (!flush(k))
			return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		conn_read(k);
}

static void addr_text(const struct sockaddr_storage *ss, char *out, size_t len)
{
	char h[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &a->sin_addr, h, sizeof(h));
		port = ntohs(a->sin_port);
		snprintf(out, len, "%s:%u", h, port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &a->sin6_addr, h, sizeof(h));
		port = ntohs(a->sin6_port);
		snprintf(out, len, "[%s]:%u", h, port);
	} else {
		snprintf(out, len, "?");
	}
}

static struct dpp_conn *conn_new(struct dpp_ctrl *c, int fd, const struct dpp_sess_params *sp)
{
	struct dpp_conn *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	if (dpp_sess_new(sp, &k->sess) < 0 ||
		ev_io_add(c->loop, fd, EPOLLIN | EPOLLOUT, conn_io, k) < 0) {
		dpp_sess_free(k->sess);
		free(k);
		return NULL;
	}
	k->ctrl = c;
	k->fd = fd;
	k->peer.id = ++c->next_id;
	k->peer.version = 1;
	dpp_tcp_rx_init(&k->rx);
	ev_timer_init(&k->stall, conn_stall, k);
	ev_timer_init(&k->hold, conn_hold_timeout, k);
	ev_timer_arm(c->loop, &k->stall, c->msg_timeout_ms);
	k->next = c->conns;
	c->conns = k;
	c->nconns++;
	return k;
}

static void ctrl_accept(int fd, uint32_t events, void *arg)
{
	struct dpp_ctrl *c = arg;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct dpp_sess_params sp = {
		.role = DPP_ROLE_CONFIGURATOR,
		.own_boot = c->boot,
		.csign = c->csign,
		.peer_lookup = c->ops->peer_lookup,
		.ctx = c->ctx,
	};
	struct dpp_conn *k;
	char addr[64];
	int s;

	(void)events;
	s = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (s < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warn("dpp=accept");
		return;
	}
	addr_text(&ss, addr, sizeof(addr));
	if (c->nconns >= c->max_conns) {
		log_warnx("dpp=accept peer=%s error=\"%u connections open, refused\"", addr,
			c->nconns);
		close(s);
		return;
	}
	k = conn_new(c, s, &sp);
	if (!k) {
		log_warnx("dpp=accept peer=%s error=\"out of memory\"", addr);
		close(s);
		return;
	}
	snprintf(k->peer.addr, sizeof(k->peer.addr), "%s", addr);
	want_events(k);
}

int dpp_ctrl_initiate(struct dpp_ctrl *c, const struct sockaddr *addr, socklen_t addrlen,
	EVP_PKEY *peer_boot, uint64_t *id)
{
	struct dpp_sess_params sp = {
		.role = DPP_ROLE_CONFIGURATOR,
		.initiator = true,
		.own_boot = c->boot,
		.peer_boot = peer_boot,
		.csign = c->csign,
	};
	struct sockaddr_storage ss;
	struct dpp_conn *k;
	struct dpp_step st;
	int s, ret;

	if (addrlen > sizeof(ss) || (addr->sa_family != AF_INET && addr->sa_family != AF_INET6))
		return -EINVAL;
	if (c->nconns >= c->max_conns)
		return -EBUSY;
	s = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, addr, addrlen) < 0 && errno != EINPROGRESS) {
		ret = -errno;
		close(s);
		return ret;
	}
	k = conn_new(c, s, &sp);
	if (!k) {
		close(s);
		return -ENOMEM;
	}
	k->connecting = true;
	k->peer.initiated = true;
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, addr, addrlen);
	addr_text(&ss, k->peer.addr, sizeof(k->peer.addr));
	*id = k->peer.id;
	ret = dpp_sess_start(k->sess, &st);
	if (ret < 0 || queue(k, st.out, st.len) < 0) {
		k->reported = true; /* the caller learns it from the return value */
		conn_free(k);
		return ret < 0 ? ret : -ENOMEM;
	}
	want_events(k);
	return 0;
}

int dpp_ctrl_decide(struct dpp_ctrl *c, uint64_t id, const struct dpp_cred *cred)
{
	struct dpp_step st;
	int ret;

	for (struct dpp_conn *k = c->conns; k; k = k->next) {
		if (k->peer.id != id || !k->held)
			continue;
		k->held = false;
		ev_timer_cancel(c->loop, &k->hold);
		if (!cred)
			k->refused = true;
		ret = dpp_sess_configure(k->sess, cred, 0, &st);
		if (ret < 0)
			conn_end(k, false, dpp_sess_reason(k->sess));
		return 0;
	}
	return -ENOENT;
}

unsigned dpp_ctrl_active(const struct dpp_ctrl *c)
{
	return c->nconns;
}

int dpp_ctrl_new(const struct dpp_ctrl_params *p, struct dpp_ctrl **out)
{
	struct dpp_ctrl *c;

	*out = NULL;
	if (!p->loop || !p->boot || !p->csign || !p->ops)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->loop = p->loop;
	c->listen_fd = p->listen_fd;
	c->max_conns = p->max_conns ? p->max_conns : DPP_CTRL_CONNS_DEFAULT;
	c->msg_timeout_ms = p->msg_timeout_ms > 0 ? p->msg_timeout_ms : DPP_CTRL_MSG_TIMEOUT_MS;
	c->hold_timeout_ms = p->hold_timeout_ms > 0 ? p->hold_timeout_ms : DPP_CTRL_HOLD_TIMEOUT_MS;
	c->ops = p->ops;
	c->ctx = p->ctx;
	EVP_PKEY_up_ref(p->boot);
	c->boot = p->boot;
	EVP_PKEY_up_ref(p->csign);
	c->csign = p->csign;
	if (c->listen_fd >= 0 && ev_io_add(c->loop, c->listen_fd, EPOLLIN, ctrl_accept, c) < 0) {
		dpp_ctrl_free(c);
		return -EEXIST;
	}
	*out = c;
	return 0;
}

void dpp_ctrl_free(struct dpp_ctrl *c)
{
	if (!c)
		return;
	while (c->conns) {
		c->conns->reported = true;
		conn_free(c->conns);
	}
	if (c->listen_fd >= 0)
		ev_io_del(c->loop, c->listen_fd);
	EVP_PKEY_free(c->boot);
	EVP_PKEY_free(c->csign);
	free(c);
}
