/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hostapd control-interface client (the wpa_ctrl protocol) and a parser for the events we use. */
#include "onboard/hapd_ctrl.h"

#include "core/log.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * hostapd answers a request with one datagram to the sender's address and sends events to every
 * address that said ATTACH. Replies and events would share a socket, so, as wpa_ctrl does, a
 * client has two: one for requests (never attached) and one attached for events, read from the
 * owner's event loop. hostapd forgets its monitors when it restarts, and the old socket file is
 * replaced: a connected datagram socket then sends into nothing (ECONNREFUSED), which is how a
 * restart is noticed, by the next request or the periodic PING (the kernel says nothing to a
 * socket whose datagram peer died until it sends).
 */

#define DEF_PING_MS	 10000
#define DEF_RETRY_MIN_MS 250
#define DEF_RETRY_MAX_MS 30000
#define EV_BURST	 64 /* datagrams per wake-up, so a flood cannot starve the loop */

enum link_state { LINK_UNKNOWN, LINK_UP, LINK_DOWN };

struct hapd_ctrl {
	struct ev_loop *loop;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char req_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char ev_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *name; /* into path */
	int req_fd, ev_fd;
	enum link_state state;
	unsigned timeout_ms, ping_ms, retry_min_ms, retry_max_ms, retry_ms;
	struct ev_timer timer; /* reconnect while down, PING while up */
	hapd_event_cb cb;
	void *arg;
};

/* ---- the parser ---- */

static bool is_hex(char ch)
{
	return util_hexval(ch) >= 0;
}

/* "aa:bb:cc:dd:ee:ff" exactly (hostapd's MACSTR), unicast and not all zero. */
static int parse_mac(const char *s, struct hg_mac *out)
{
	char buf[HG_MAC_STRLEN];
	static const struct hg_mac zero;

	for (int i = 0; i < 17; i++) {
		if (i % 3 == 2 ? s[i] != ':' : !is_hex(s[i]))
			return -EINVAL;
	}
	memcpy(buf, s, 17);
	buf[17] = '\0';
	if (util_mac_parse(buf, out) < 0 || (out->b[0] & 1) || util_mac_equal(out, &zero))
		return -EINVAL;
	return 0;
}

/* The " name=value" tokens after a station event's MAC (s points at the first space or end). */
static int parse_sta_tokens(const char *s, struct hapd_event *out)
{
	while (*s) {
		const char *tok, *eq, *val, *end;
		size_t vlen;

		if (*s != ' ' || s[1] == '\0' || s[1] == ' ')
			return -EINVAL;
		tok = s + 1;
		end = strchr(tok, ' ');
		if (!end)
			end = tok + strlen(tok);
		eq = memchr(tok, '=', (size_t)(end - tok));
		if (!eq || eq == tok || eq + 1 == end)
			return -EINVAL;
		for (const char *p = tok; p < eq; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
				return -EINVAL;
		val = eq + 1;
		vlen = (size_t)(end - val);
		if ((size_t)(eq - tok) == 5 && memcmp(tok, "keyid", 5) == 0) {
			if ((out->flags & HAPD_EV_HAS_KEYID) || vlen > HAPD_KEYID_MAX)
				return -EINVAL;
			memcpy(out->keyid, val, vlen);
			out->keyid[vlen] = '\0';
			out->flags |= HAPD_EV_HAS_KEYID;
		} else if ((size_t)(eq - tok) == 10 && memcmp(tok, "dpp_pkhash", 10) == 0) {
			if ((out->flags & HAPD_EV_HAS_PKHASH) || vlen != 64)
				return -EINVAL;
			for (size_t i = 0; i < 64; i++) {
				if (!is_hex(val[i]))
					return -EINVAL;
				out->pkhash[i] = (val[i] >= 'A' && val[i] <= 'F')
					? (char)(val[i] - 'A' + 'a')
					: val[i];
			}
			out->pkhash[64] = '\0';
			out->flags |= HAPD_EV_HAS_PKHASH;
		}
		s = end;
	}
	return 0;
}

int hapd_event_parse(const char *msg, size_t len, struct hapd_event *out)
{
	char buf[HAPD_MSG_MAX + 1];
	const char *name, *rest;
	size_t nlen;

	memset(out, 0, sizeof(*out));
	if (len < 4 || len > HAPD_MSG_MAX || msg[0] != '<' || msg[1] < '0' || msg[1] > '9' ||
		msg[2] != '>')
		return -EINVAL;
	memcpy(buf, msg, len);
	buf[len] = '\0';
	if (strlen(buf) != len)
		return -EINVAL; /* a NUL inside */
	out->level = (unsigned)(msg[1] - '0');
	name = buf + 3;
	nlen = strcspn(name, " ");
	if (nlen == 0)
		return -EINVAL;
	for (size_t i = 0; i < nlen; i++)
		if (!((name[i] >= 'A' && name[i] <= 'Z') || (name[i] >= '0' && name[i] <= '9') ||
			    name[i] == '-' || name[i] == '_'))
			return -EINVAL;
	rest = name + nlen;
	util_strlcpy(out->name, name, nlen < sizeof(out->name) ? nlen + 1 : sizeof(out->name));
	/* Only the events we use are held to their grammar; the rest of what hostapd says
	 * (CTRL-EVENT-*, WPS-*, SSIDs in any encoding) is not ours to judge. */
	if ((nlen == 16 && memcmp(name, "AP-STA-CONNECTED", 16) == 0) ||
		(nlen == 19 && memcmp(name, "AP-STA-DISCONNECTED", 19) == 0)) {
		for (const char *p = rest; *p; p++)
			if (*p < 0x20 || *p > 0x7e)
				return -EINVAL;
		out->kind = nlen == 16 ? HAPD_EV_STA_CONNECTED : HAPD_EV_STA_DISCONNECTED;
		if (rest[0] != ' ' || strlen(rest + 1) < 17 || parse_mac(rest + 1, &out->mac) < 0)
			return -EINVAL;
		return parse_sta_tokens(rest + 18, out);
	}
	if (nlen > 4 && memcmp(name, "DPP-", 4) == 0) {
		size_t tlen;

		if (nlen > HAPD_DPP_NAME_MAX)
			return -EINVAL;
		out->kind = HAPD_EV_DPP;
		if (*rest == '\0')
			return 0;
		rest++;
		tlen = strlen(rest);
		if (tlen >= sizeof(out->text))
			return -EINVAL;
		for (size_t i = 0; i < tlen; i++)
			if (rest[i] < 0x20 || rest[i] > 0x7e)
				return -EINVAL;
		memcpy(out->text, rest, tlen + 1);
		return 0;
	}
	return -ENODATA;
}

/* ---- the client ---- */

static void link_down(struct hapd_ctrl *c, const char *why);

static void fd_close(int *fd, const char *path)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
		unlink(path);
	}
}

/* A datagram socket bound at local and connected to the server. Returns 0 or -errno. */
static int sock_open(const char *server, const char *local, int *out)
{
	struct sockaddr_un to = {.sun_family = AF_UNIX}, me = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, ret = 0;

	*out = -1;
	util_strlcpy(to.sun_path, server, sizeof(to.sun_path));
	util_strlcpy(me.sun_path, local, sizeof(me.sun_path));
	/* A socket left by a client of the same pid (after a crash): ours to replace; never
	 * another kind of file. */
	if (lstat(local, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		unlink(local);
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		ret = -errno;
		goto out;
	}
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0) {
		ret = -errno;
		unlink(local);
		goto out;
	}
	*out = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Waits for the reply on fd, skipping "<N>" events and, after a send, nothing else: stale
 * replies were drained before it. Returns the length or -ETIMEDOUT / -errno. */
static int wait_reply(int fd, unsigned timeout_ms, char *buf, size_t len)
{
	int64_t deadline = util_mono_ms() + timeout_ms;

	for (;;) {
		int64_t left = deadline - util_mono_ms();
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t n;
		int pr;

		if (left <= 0)
			return -ETIMEDOUT;
		pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return -errno;
		if (pr == 0)
			return -ETIMEDOUT;
		n = recv(fd, buf, len - 1, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		if (n > 0 && buf[0] == '<')
			continue; /* an unsolicited message, not our reply */
		buf[n] = '\0';
		return (int)n;
	}
}

static void drain(int fd)
{
	char buf[HAPD_MSG_MAX];

	for (int i = 0; i < EV_BURST && recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0; i++)
		;
}

static void ev_ready(int fd, uint32_t events, void *arg)
{
	struct hapd_ctrl *c = arg;
	char buf[HAPD_MSG_MAX + 1];

	(void)events;
	for (int i = 0; i < EV_BURST && c->ev_fd == fd; i++) {
		struct hapd_event ev;
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		int ret;

		if (n < 0) {
			/* The peer is gone (else the next PING finds out). */
			if (errno == ECONNREFUSED || errno == ECONNRESET)
				link_down(c, strerror(errno));
			return;
		}
		if (n == 0)
			continue;
		if ((size_t)n > HAPD_MSG_MAX) {
			log_warnx("wifi=hostapd if=%s error=\"event of %zd bytes over the limit\"",
				c->name, n);
			continue;
		}
		ret = hapd_event_parse(buf, (size_t)n, &ev);
		if (ret == -ENODATA)
			continue;
		if (ret < 0) {
			/* Never the text: DPP events can carry credentials. */
			log_warnx("wifi=hostapd if=%s error=\"malformed event\" name=%s len=%zd",
				c->name, ev.name[0] ? ev.name : "?", n);
			continue;
		}
		c->cb(c, &ev, c->arg);
	}
}

static void set_state(struct hapd_ctrl *c, enum link_state s, const char *why)
{
	if (c->state == s)
		return;
	c->state = s;
	if (s == LINK_UP)
		log_info("wifi=hostapd if=%s ctrl=%s state=up", c->name, c->path);
	else
		log_warnx("wifi=hostapd if=%s ctrl=%s state=down error=\"%s\" retry=backoff",
			c->name, c->path, why);
}

static void link_down(struct hapd_ctrl *c, const char *why)
{
	if (c->ev_fd >= 0)
		ev_io_del(c->loop, c->ev_fd);
	fd_close(&c->ev_fd, c->ev_path);
	fd_close(&c->req_fd, c->req_path);
	if (c->state == LINK_UP)
		c->retry_ms = c->retry_min_ms;
	set_state(c, LINK_DOWN, why);
	ev_timer_arm(c->loop, &c->timer, c->retry_ms);
	if (c->retry_ms < c->retry_max_ms / 2)
		c->retry_ms *= 2;
	else
		c->retry_ms = c->retry_max_ms;
}

/* Opens both sockets and ATTACHes the event one. */
static int try_connect(struct hapd_ctrl *c, char *why, size_t whylen)
{
	char reply[64];
	int ret;

	ret = sock_open(c->path, c->req_path, &c->req_fd);
	if (!ret)
		ret = sock_open(c->path, c->ev_path, &c->ev_fd);
	if (ret) {
		snprintf(why, whylen, "%s", strerror(-ret));
		goto fail;
	}
	if (send(c->ev_fd, "ATTACH", 6, 0) < 0) {
		ret = -errno;
		snprintf(why, whylen, "ATTACH: %s", strerror(errno));
		goto fail;
	}
	ret = wait_reply(c->ev_fd, c->timeout_ms, reply, sizeof(reply));
	if (ret < 0) {
		snprintf(why, whylen, "ATTACH: %s", strerror(-ret));
		goto fail;
	}
	if (strcmp(reply, "OK\n") != 0 && strcmp(reply, "OK") != 0) {
		ret = -EPROTO;
		snprintf(why, whylen, "ATTACH refused");
		goto fail;
	}
	ret = ev_io_add(c->loop, c->ev_fd, EPOLLIN, ev_ready, c);
	if (ret) {
		snprintf(why, whylen, "cannot watch the event socket");
		goto fail;
	}
	return 0;
fail:
	fd_close(&c->ev_fd, c->ev_path);
	fd_close(&c->req_fd, c->req_path);
	return ret;
}

static void on_timer(void *arg)
{
	struct hapd_ctrl *c = arg;
	char why[128], reply[16];
	int ret;

	if (c->state == LINK_UP) {
		ret = hapd_ctrl_request(c, "PING", reply, sizeof(reply));
		if (ret >= 0 && strcmp(reply, "PONG") == 0) {
			ev_timer_arm(c->loop, &c->timer, c->ping_ms);
			return;
		}
		if (c->state == LINK_UP)
			link_down(c, ret < 0 ? strerror(-ret) : "PING not answered with PONG");
		return;
	}
	if (try_connect(c, why, sizeof(why)) < 0) {
		link_down(c, why);
		return;
	}
	set_state(c, LINK_UP, "");
	c->retry_ms = c->retry_min_ms;
	ev_timer_arm(c->loop, &c->timer, c->ping_ms);
}

int hapd_ctrl_open(struct ev_loop *loop, const char *path, const char *local_dir,
	const struct hapd_ctrl_opts *opts, hapd_event_cb cb, void *arg, struct hapd_ctrl **out)
{
	static unsigned counter;
	struct hapd_ctrl *c;
	const char *slash;
	unsigned n = counter++;
	int ret = 0;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->req_fd = c->ev_fd = -1;
	if (util_strlcpy(c->path, path, sizeof(c->path)) >= sizeof(c->path) ||
		(size_t)snprintf(c->req_path, sizeof(c->req_path), "%s/hg-hapd-%d-%u-req",
			local_dir, (int)getpid(), n) >= sizeof(c->req_path) ||
		(size_t)snprintf(c->ev_path, sizeof(c->ev_path), "%s/hg-hapd-%d-%u-ev", local_dir,
			(int)getpid(), n) >= sizeof(c->ev_path)) {
		ret = -ENAMETOOLONG;
		goto out;
	}
	slash = strrchr(c->path, '/');
	c->name = slash ? slash + 1 : c->path;
	c->loop = loop;
	c->cb = cb;
	c->arg = arg;
	c->timeout_ms = opts && opts->timeout_ms ? opts->timeout_ms : HAPD_TIMEOUT_MS;
	c->ping_ms = opts && opts->ping_ms ? opts->ping_ms : DEF_PING_MS;
	c->retry_min_ms = opts && opts->retry_min_ms ? opts->retry_min_ms : DEF_RETRY_MIN_MS;
	c->retry_max_ms = opts && opts->retry_max_ms ? opts->retry_max_ms : DEF_RETRY_MAX_MS;
	if (c->retry_max_ms < c->retry_min_ms)
		c->retry_max_ms = c->retry_min_ms;
	c->retry_ms = c->retry_min_ms;
	ev_timer_init(&c->timer, on_timer, c);
	on_timer(c);
	*out = c;
	c = NULL;
out:
	free(c);
	return ret;
}

int hapd_ctrl_request(struct hapd_ctrl *c, const char *cmd, char *reply, size_t replylen)
{
	char buf[HAPD_MSG_MAX + 1];
	size_t len = strlen(cmd);
	int ret;

	if (len > HAPD_MSG_MAX)
		return -EMSGSIZE;
	if (c->state != LINK_UP || c->req_fd < 0)
		return -ENOTCONN;
	drain(c->req_fd);
	if (send(c->req_fd, cmd, len, 0) < 0) {
		ret = -errno;
		if (ret == -ECONNREFUSED || ret == -ENOENT || ret == -ENOTCONN)
			link_down(c, strerror(-ret));
		return ret;
	}
	ret = wait_reply(c->req_fd, c->timeout_ms, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	if (ret > 0 && buf[ret - 1] == '\n')
		buf[--ret] = '\0';
	if (replylen) {
		util_strlcpy(reply, buf, replylen);
		if ((size_t)ret >= replylen)
			ret = (int)replylen - 1;
	}
	return ret;
}

bool hapd_ctrl_is_up(const struct hapd_ctrl *c)
{
	return c->state == LINK_UP;
}

const char *hapd_ctrl_path(const struct hapd_ctrl *c)
{
	return c->path;
}

const char *hapd_ctrl_name(const struct hapd_ctrl *c)
{
	return c->name;
}

void hapd_ctrl_close(struct hapd_ctrl *c)
{
	if (!c)
		return;
	if (c->ev_fd >= 0) {
		/* Best effort: a hostapd that is gone needs no DETACH. */
		if (send(c->ev_fd, "DETACH", 6, MSG_DONTWAIT) == 0) {
			char reply[16];

			wait_reply(c->ev_fd, 200, reply, sizeof(reply));
		}
		ev_io_del(c->loop, c->ev_fd);
	}
	fd_close(&c->ev_fd, c->ev_path);
	fd_close(&c->req_fd, c->req_path);
	ev_timer_cancel(c->loop, &c->timer);
	free(c);
}
