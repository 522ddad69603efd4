/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MUD retrieval: non-blocking HTTPS GETs with libcurl's multi interface on the event loop. */
#include "mud/mud_fetch.h"

#include "core/log.h"
#include "core/util.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct mud_fetch {
	struct mud_fetch *next;
	struct mud_fetcher *f;
	CURL *easy;
	struct curl_slist *headers;
	mud_fetch_cb cb;
	void *arg;
	struct mud_fetch_result res;
	size_t cap;
	int too_big;
	char curl_err[CURL_ERROR_SIZE];
};

struct mud_fetcher {
	struct ev_loop *loop;
	CURLM *multi;
	struct ev_timer timer;
	struct mud_fetch *list; /* in flight; owned */
	unsigned n;
	char *ca_file, *proxy, *user_agent, *accept_language;
	size_t max_size;
	unsigned timeout_ms, connect_timeout_ms, max_redirects;
};

static void check_done(struct mud_fetcher *f);

static void socket_ready(int fd, uint32_t events, void *arg)
{
	struct mud_fetcher *f = arg;
	int flags = 0, running;

	if (events & EPOLLIN)
		flags |= CURL_CSELECT_IN;
	if (events & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (events & (EPOLLERR | EPOLLHUP))
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(f->multi, fd, flags, &running);
	check_done(f);
}

/* curl tells which sockets to watch; registered with the loop as they come and go. */
static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct mud_fetcher *f = userp;
	uint32_t ev = 0;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		ev_io_del(f->loop, s);
		curl_multi_assign(f->multi, s, NULL);
		return 0;
	}
	if (what & CURL_POLL_IN)
		ev |= EPOLLIN;
	if (what & CURL_POLL_OUT)
		ev |= EPOLLOUT;
	if (socketp) {
		if (ev_io_mod(f->loop, s, ev) < 0)
			return -1;
		return 0;
	}
	if (ev_io_add(f->loop, s, ev, socket_ready, f) < 0)
		return -1;
	curl_multi_assign(f->multi, s, f); /* any non-NULL marks "registered" */
	return 0;
}

static void timer_fired(void *arg)
{
	struct mud_fetcher *f = arg;
	int running;

	curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(f);
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct mud_fetcher *f = userp;

	(void)multi;
	if (timeout_ms < 0)
		ev_timer_cancel(f->loop, &f->timer);
	else
		ev_timer_arm(f->loop, &f->timer, timeout_ms);
	return 0;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct mud_fetch *h = userp;
	size_t n = size * nmemb;

	if (n > h->f->max_size - h->res.len) {
		h->too_big = 1;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	if (h->res.len + n + 1 > h->cap) {
		size_t cap = h->cap ? h->cap : 16384;
		uint8_t *b;

		while (cap < h->res.len + n + 1)
			cap *= 2;
		b = realloc(h->res.body, cap);
		if (!b)
			return 0;
		h->res.body = b;
		h->cap = cap;
	}
	memcpy(h->res.body + h->res.len, data, n);
	h->res.len += n;
	h->res.body[h->res.len] = 0; /* a MUD file is text: keep it terminated */
	return n;
}

/* Copies a header value without surrounding white space, printable ASCII only. */
static void header_value(char *dst, size_t dstlen, const char *v, size_t len)
{
	while (len && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
		len--;
	if (len >= dstlen) {
		dst[0] = 0; /* too long to be a validator we could send back: ignore */
		return;
	}
	util_sanitize(dst, dstlen, v, len);
}

static bool header_is(const char *line, size_t len, const char *name, const char **val)
{
	size_t n = strlen(name);

	if (len <= n || line[n] != ':' || strncasecmp(line, name, n) != 0)
		return false;
	*val = line + n + 1;
	return true;
}

static void parse_max_age(struct mud_fetch *h, const char *v, size_t len)
{
	char buf[256];
	const char *p;

	header_value(buf, sizeof(buf), v, len);
	for (p = buf; (p = strcasestr(p, "max-age")) != NULL; p += 7) {
		const char *q = p + 7;
		long long a = 0;
		int digits = 0;

		while (*q == ' ')
			q++;
		if (*q++ != '=')
			continue;
		while (isdigit((unsigned char)*q) && digits < 10) {
			a = a * 10 + (*q++ - '0');
			digits++;
		}
		if (digits)
			h->res.max_age = a;
		return;
	}
}

static size_t header_cb(char *line, size_t size, size_t nmemb, void *userp)
{
	struct mud_fetch *h = userp;
	size_t len = size * nmemb;
	const char *v;

	/* Each response of a redirect chain starts with a status line: keep the last one's. */
	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		h->res.etag[0] = h->res.last_modified[0] = 0;
		h->res.max_age = -1;
	} else if (header_is(line, len, "etag", &v)) {
		header_value(h->res.etag, sizeof(h->res.etag), v, len - (size_t)(v - line));
	} else if (header_is(line, len, "last-modified", &v)) {
		header_value(h->res.last_modified, sizeof(h->res.last_modified), v,
			len - (size_t)(v - line));
	} else if (header_is(line, len, "cache-control", &v)) {
		parse_max_age(h, v, len - (size_t)(v - line));
	}
	return len;
}

static void fetch_free(struct mud_fetch *h)
{
	curl_slist_free_all(h->headers);
	if (h->easy)
		curl_easy_cleanup(h->easy);
	free(h->res.body);
	free(h);
}

static void unlink_fetch(struct mud_fetcher *f, struct mud_fetch *h)
{
	for (struct mud_fetch **pp = &f->list; *pp; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			f->n--;
			return;
		}
	}
}

static void describe(struct mud_fetch *h, CURLcode rc)
{
	struct mud_fetcher *f = h->f;
	const char *detail = h->curl_err[0] ? h->curl_err : curl_easy_strerror(rc);
	char *e = h->res.error;
	size_t el = sizeof(h->res.error);

	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		h->res.err = -EACCES;
		snprintf(e, el, "server certificate not accepted: %.200s", detail);
		break;
	case CURLE_SSL_CONNECT_ERROR:
		h->res.err = -ECONNREFUSED;
		snprintf(e, el, "TLS handshake failed: %.200s", detail);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		h->res.err = -ETIMEDOUT;
		snprintf(e, el, "no complete answer within %u ms", f->timeout_ms);
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		h->res.err = -ELOOP;
		snprintf(e, el, "more than %u redirects", f->max_redirects);
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		h->res.err = -EPROTO;
		snprintf(e, el, "redirected to a URL that is not https: %.200s", detail);
		break;
	case CURLE_FILESIZE_EXCEEDED:
		h->res.err = -EFBIG;
		snprintf(e, el, "larger than %zu bytes", f->max_size);
		break;
	case CURLE_WRITE_ERROR:
		h->res.err = h->too_big ? -EFBIG : -ENOMEM;
		if (h->too_big)
			snprintf(e, el, "larger than %zu bytes", f->max_size);
		else
			snprintf(e, el, "out of memory");
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		h->res.err = -EHOSTUNREACH;
		snprintf(e, el, "cannot resolve: %.200s", detail);
		break;
	case CURLE_COULDNT_CONNECT:
		h->res.err = -ECONNREFUSED;
		snprintf(e, el, "cannot connect: %.200s", detail);
		break;
	default:
		h->res.err = -EIO;
		snprintf(e, el, "transfer failed: %.200s", detail);
		break;
	}
}

static void finish(struct mud_fetch *h, CURLcode rc)
{
	long code = 0;

	curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &code);
	h->res.http_code = code;
	if (rc != CURLE_OK) {
		describe(h, rc);
	} else if (code == 304) {
		h->res.not_modified = 1;
	} else if (code != 200) {
		h->res.err = -ENOENT;
		snprintf(h->res.error, sizeof(h->res.error), "HTTP status %ld", code);
	} else if (!h->res.body) {
		h->res.err = -ENODATA;
		snprintf(h->res.error, sizeof(h->res.error), "empty answer");
	}
	if (h->res.err) {
		free(h->res.body);
		h->res.body = NULL;
		h->res.len = 0;
	}
}

static void check_done(struct mud_fetcher *f)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(f->multi, &left)) != NULL) {
		struct mud_fetch *h = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&h);
		curl_multi_remove_handle(f->multi, h->easy);
		unlink_fetch(f, h);
		finish(h, msg->data.result);
		h->cb(&h->res, h->arg);
		fetch_free(h);
	}
}

int mud_url_resolve(const char *base, const char *ref, char *out, size_t outlen)
{
	CURLU *u = curl_url();
	char *s = NULL, *scheme = NULL;
	int ret = -EINVAL;

	if (!u)
		return -ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
		curl_url_set(u, CURLUPART_URL, ref, 0) != CURLUE_OK ||
		curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
		strcmp(scheme, "https") != 0 || curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK)
		goto out;
	ret = util_strlcpy(out, s, outlen) < outlen ? 0 : -ENAMETOOLONG;
out:
	if (ret)
		out[0] = 0;
	curl_free(s);
	curl_free(scheme);
	curl_url_cleanup(u);
	return ret;
}

static char *dup_or_null(const char *s, int *fail)
{
	char *d;

	if (!s || !*s)
		return NULL;
	d = strdup(s);
	if (!d)
		*fail = 1;
	return d;
}

int mud_fetcher_new(
	struct ev_loop *loop, const struct mud_fetch_conf *conf, struct mud_fetcher **out)
{
	struct mud_fetcher *f;
	char ua[64];
	int fail = 0;

	*out = NULL;
	if (!conf->max_size || !conf->timeout_ms)
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->loop = loop;
	snprintf(ua, sizeof(ua), "homegate/%s", HOMEGATE_VERSION);
	f->ca_file = dup_or_null(conf->ca_file, &fail);
	f->proxy = dup_or_null(conf->proxy, &fail);
	f->user_agent = dup_or_null(conf->user_agent ? conf->user_agent : ua, &fail);
	f->accept_language = dup_or_null(conf->accept_language, &fail);
	f->max_size = conf->max_size;
	f->timeout_ms = conf->timeout_ms;
	f->connect_timeout_ms =
		conf->connect_timeout_ms ? conf->connect_timeout_ms : conf->timeout_ms;
	f->max_redirects = conf->max_redirects;
	ev_timer_init(&f->timer, timer_fired, f);
	f->multi = curl_multi_init();
	if (fail || !f->multi) {
		mud_fetcher_free(f);
		return -ENOMEM;
	}
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
		(long)(conf->max_parallel ? conf->max_parallel : 4));
	*out = f;
	return 0;
}

void mud_fetcher_free(struct mud_fetcher *f)
{
	if (!f)
		return;
	while (f->list) {
		struct mud_fetch *h = f->list;

		f->list = h->next;
		curl_multi_remove_handle(f->multi, h->easy);
		fetch_free(h);
	}
	ev_timer_cancel(f->loop, &f->timer);
	if (f->multi)
		curl_multi_cleanup(f->multi);
	free(f->ca_file);
	free(f->proxy);
	free(f->user_agent);
	free(f->accept_language);
	free(f);
}

static int add_header(struct curl_slist **l, const char *name, const char *value)
{
	char line[512];
	struct curl_slist *n;

	if (!value || !*value)
		return 0;
	/* Values come from our configuration or an earlier response's validators: no CR/LF. */
	if (!util_is_printable(value, 400))
		return -EINVAL;
	snprintf(line, sizeof(line), "%s: %s", name, value);
	n = curl_slist_append(*l, line);
	if (!n)
		return -ENOMEM;
	*l = n;
	return 0;
}

int mud_fetch_start(struct mud_fetcher *f, const struct mud_fetch_req *req, mud_fetch_cb cb,
	void *arg, struct mud_fetch **handle)
{
	struct mud_fetch *h;
	int ret = -ENOMEM;

	if (handle)
		*handle = NULL;
	if (!req->url || strncmp(req->url, "https://", 8) != 0 ||
		!util_is_printable(req->url, 2048))
		return -EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->f = f;
	h->cb = cb;
	h->arg = arg;
	h->res.max_age = -1;
	h->easy = curl_easy_init();
	if (!h->easy)
		goto fail;
	if ((ret = add_header(&h->headers, "Accept", req->accept)) < 0 ||
		(ret = add_header(&h->headers, "Accept-Language", f->accept_language)) < 0 ||
		(ret = add_header(&h->headers, "If-None-Match", req->etag)) < 0 ||
		(ret = add_header(&h->headers, "If-Modified-Since", req->last_modified)) < 0)
		goto fail;
	ret = -EINVAL;
	if (curl_easy_setopt(h->easy, CURLOPT_URL, req->url) != CURLE_OK ||
		curl_easy_setopt(h->easy, CURLOPT_PROTOCOLS_STR, "https") != CURLE_OK ||
		curl_easy_setopt(h->easy, CURLOPT_REDIR_PROTOCOLS_STR, "https") != CURLE_OK)
		goto fail;
	curl_easy_setopt(h->easy, CURLOPT_PRIVATE, h);
	curl_easy_setopt(h->easy, CURLOPT_ERRORBUFFER, h->curl_err);
	curl_easy_setopt(h->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->easy, CURLOPT_FOLLOWLOCATION, f->max_redirects ? 1L : 0L);
	curl_easy_setopt(h->easy, CURLOPT_MAXREDIRS, (long)f->max_redirects);
	curl_easy_setopt(h->easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h->easy, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h->easy, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (f->ca_file)
		curl_easy_setopt(h->easy, CURLOPT_CAINFO, f->ca_file);
	if (f->proxy) {
		curl_easy_setopt(h->easy, CURLOPT_PROXY, f->proxy);
		curl_easy_setopt(h->easy, CURLOPT_HTTPPROXYTUNNEL, 1L);
		if (f->ca_file)
			curl_easy_setopt(h->easy, CURLOPT_PROXY_CAINFO, f->ca_file);
	} else {
		/* Ignore http_proxy and friends in the environment: only configured proxies. */
		curl_easy_setopt(h->easy, CURLOPT_PROXY, "");
	}
	curl_easy_setopt(h->easy, CURLOPT_TIMEOUT_MS, (long)f->timeout_ms);
	curl_easy_setopt(h->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)f->connect_timeout_ms);
	curl_easy_setopt(h->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->max_size);
	curl_easy_setopt(h->easy, CURLOPT_USERAGENT, f->user_agent);
	curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(h->easy, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h->easy, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(h->easy, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h->easy, CURLOPT_HEADERDATA, h);
	/* No cookies, no compression negotiation surprises, no credentials in URLs followed. */
	curl_easy_setopt(h->easy, CURLOPT_UNRESTRICTED_AUTH, 0L);
	if (curl_multi_add_handle(f->multi, h->easy) != CURLM_OK) {
		ret = -ENOMEM;
		goto fail;
	}
	h->next = f->list;
	f->list = h;
	f->n++;
	if (handle)
		*handle = h;
	return 0;
fail:
	fetch_free(h);
	return ret;
}

void mud_fetch_cancel(struct mud_fetcher *f, struct mud_fetch *h)
{
	if (!h)
		return;
	unlink_fetch(f, h);
	curl_multi_remove_handle(f->multi, h->easy);
	fetch_free(h);
}

unsigned mud_fetch_pending(const struct mud_fetcher *f)
{
	return f->n;
}
