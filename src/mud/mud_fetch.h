/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MUD retrieval: non-blocking HTTPS GETs with libcurl's multi interface on the event loop. */
#ifndef HG_MUD_FETCH_H
#define HG_MUD_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/evloop.h"

/* What every request of a fetcher shares (RFC 8520 §1.8, AC-14, AC-15, AC-45). Strings are
 * copied by mud_fetcher_new. */
struct mud_fetch_conf {
	const char *ca_file;	     /* PEM bundle for server certificates; NULL = system store */
	const char *proxy;	     /* "https://host:port" or "http://host:port"; NULL = none */
	const char *user_agent;	     /* NULL = "homegate/<version>" */
	const char *accept_language; /* NULL = none */
	size_t max_size;	     /* body limit in bytes */
	unsigned timeout_ms;	     /* whole transfer, redirects included */
	unsigned connect_timeout_ms;
	unsigned max_redirects;
	unsigned max_parallel; /* transfers in flight; more wait in curl's queue */
};

/* A request; conditional headers are sent when set (cache revalidation). */
struct mud_fetch_req {
	const char *url;
	const char *accept;	   /* "application/mud+json", "application/pkcs7-signature" */
	const char *etag;	   /* If-None-Match; NULL or "" = none */
	const char *last_modified; /* If-Modified-Since; NULL or "" = none */
};

#define MUD_FETCH_ERR_MAX 320

struct mud_fetch_result {
	int err;	/* 0: HTTP 200 with body, or 304 (not_modified); otherwise -errno */
	long http_code; /* last response's status, 0 when none arrived */
	int not_modified;
	uint8_t *body; /* owned by the result unless taken (set to NULL) in the callback */
	size_t len;
	char etag[128], last_modified[64]; /* of the final response; "" when absent */
	int64_t max_age;		   /* Cache-Control max-age in seconds, -1 when absent */
	char error[MUD_FETCH_ERR_MAX];	   /* why, for people and logs, when err != 0 */
};

/* Called once per started fetch (never from inside mud_fetch_start), unless cancelled. */
typedef void (*mud_fetch_cb)(struct mud_fetch_result *res, void *arg);

struct mud_fetcher;
struct mud_fetch;

/* Creates a fetcher on loop; curl_global_init must have run. 0, -ENOMEM or -EINVAL. */
int mud_fetcher_new(
	struct ev_loop *loop, const struct mud_fetch_conf *conf, struct mud_fetcher **out);
/* Cancels every transfer without calling back and frees the fetcher. NULL is a no-op. */
void mud_fetcher_free(struct mud_fetcher *f);

/* Starts a GET of req->url: https only (redirects too), the server certificate and host name
 * verified, at most max_redirects redirects, max_size bytes, timeout_ms in all. Headers
 * Accept, Accept-Language and User-Agent are sent. *handle (may be NULL) lets the caller cancel.
 * Returns 0, -EINVAL (not an https URL) or -ENOMEM; cb is not called on failure. */
int mud_fetch_start(struct mud_fetcher *f, const struct mud_fetch_req *req, mud_fetch_cb cb,
	void *arg, struct mud_fetch **handle);
/* Stops a transfer; its callback is not called. */
void mud_fetch_cancel(struct mud_fetcher *f, struct mud_fetch *h);
/* Transfers in flight or queued. */
unsigned mud_fetch_pending(const struct mud_fetcher *f);

/* Resolves ref (absolute or relative, e.g. a mud-signature) against base into out. Returns 0,
 * -EINVAL when either is malformed or the result is not https, -ENAMETOOLONG past outlen. */
int mud_url_resolve(const char *base, const char *ref, char *out, size_t outlen);

#endif
