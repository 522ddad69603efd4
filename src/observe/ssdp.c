/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SSDP message parser (UPnP Device Architecture 1.1/2.0 §1): what a device announces, searches
 * for and answers on 239.255.255.250:1900. */
#include "observe/ssdp.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

struct line {
	const uint8_t *p;
	size_t n;	 /* without the CRLF or LF */
	bool terminated; /* ended by LF (else by the end of buf) */
};

struct header {
	const char *name;
	size_t off, size; /* the field in struct ssdp_msg */
	unsigned flag;
};

/* offset and size of a field of struct ssdp_msg */
#define FIELD(f) offsetof(struct ssdp_msg, f), sizeof(((struct ssdp_msg *)0)->f)

static const struct header headers[] = {
	{"SERVER", FIELD(server), SSDP_HAS_SERVER},
	{"USN", FIELD(usn), SSDP_HAS_USN},
	{"NT", FIELD(nt), SSDP_HAS_NT},
	{"NTS", FIELD(nts), SSDP_HAS_NTS},
	{"ST", FIELD(st), SSDP_HAS_ST},
	{"LOCATION", FIELD(location), SSDP_HAS_LOCATION},
	{"USER-AGENT", FIELD(user_agent), SSDP_HAS_USER_AGENT},
};

/* RFC 9110 §5.6.2 tchar. */
static bool is_tchar(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_ows(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* The next line from *off; false at the end of buf. */
static bool next_line(const uint8_t *buf, size_t len, size_t *off, struct line *l)
{
	const uint8_t *lf;

	if (*off >= len)
		return false;
	l->p = buf + *off;
	lf = memchr(l->p, '\n', len - *off);
	if (lf) {
		l->n = (size_t)(lf - l->p);
		l->terminated = true;
		*off += l->n + 1;
		if (l->n && l->p[l->n - 1] == '\r')
			l->n--;
	} else {
		l->n = len - *off;
		l->terminated = false;
		*off = len;
		if (l->p[l->n - 1] == '\r')
			l->n--; /* cut between the CR and the LF */
	}
	return true;
}

static int check_octets(const struct line *l, unsigned lineno, char *err, size_t errlen)
{
	for (size_t i = 0; i < l->n; i++)
		if ((l->p[i] < 0x20 || l->p[i] > 0x7e) && l->p[i] != '\t')
			return util_errf(err, errlen, "line %u: octet 0x%02x at column %zu", lineno,
				l->p[i], i + 1);
	return 0;
}

static bool line_is(const struct line *l, const char *s)
{
	size_t n = strlen(s);

	return l->n == n && memcmp(l->p, s, n) == 0;
}

static int start_line(const struct line *l, struct ssdp_msg *out, char *err, size_t errlen)
{
	static const char resp[] = "HTTP/1.1 200";
	size_t rn = sizeof(resp) - 1;

	if (line_is(l, "NOTIFY * HTTP/1.1"))
		out->kind = SSDP_NOTIFY;
	else if (line_is(l, "M-SEARCH * HTTP/1.1"))
		out->kind = SSDP_MSEARCH;
	else if (l->n >= rn && memcmp(l->p, resp, rn) == 0 && (l->n == rn || l->p[rn] == ' '))
		out->kind = SSDP_RESPONSE;
	else
		return util_errf(err, errlen, "%s",
			"not SSDP: the start line is not NOTIFY, M-SEARCH "
			"or an HTTP/1.1 200 response");
	return 0;
}

/* Copies the value, cut to the field (and trimmed again after the cut), a tab inside as a
 * space. */
static void keep(char *dst, size_t size, const uint8_t *v, size_t n)
{
	if (n > size - 1)
		n = size - 1;
	while (n && is_ows(v[n - 1]))
		n--;
	for (size_t i = 0; i < n; i++)
		dst[i] = v[i] == '\t' ? ' ' : (char)v[i];
	dst[n] = '\0';
}

static int header_line(
	const struct line *l, unsigned lineno, struct ssdp_msg *out, char *err, size_t errlen)
{
	const uint8_t *colon = memchr(l->p, ':', l->n);
	size_t nlen, vstart, vend;

	if (is_ows(l->p[0]))
		return util_errf(err, errlen, "line %u: folded header line", lineno);
	if (!colon)
		return util_errf(err, errlen, "line %u: header line without a colon", lineno);
	nlen = (size_t)(colon - l->p);
	while (nlen && is_ows(l->p[nlen - 1]))
		nlen--;
	if (!nlen)
		return util_errf(err, errlen, "line %u: empty header name", lineno);
	for (size_t i = 0; i < nlen; i++)
		if (!is_tchar(l->p[i]))
			return util_errf(
				err, errlen, "line %u: header name is not a token", lineno);
	vstart = (size_t)(colon - l->p) + 1;
	vend = l->n;
	while (vstart < vend && is_ows(l->p[vstart]))
		vstart++;
	while (vend > vstart && is_ows(l->p[vend - 1]))
		vend--;
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		const struct header *h = &headers[i];

		if (strlen(h->name) != nlen || strncasecmp(h->name, (const char *)l->p, nlen))
			continue;
		if (!(out->flags & h->flag)) {
			keep((char *)out + h->off, h->size, l->p + vstart, vend - vstart);
			out->flags |= h->flag;
		}
		break;
	}
	return 0;
}

static int parse(const uint8_t *buf, size_t len, struct ssdp_msg *out, char *err, size_t errlen)
{
	struct line l;
	size_t off = 0;
	unsigned lineno = 1;
	int ret;

	if (!buf || !next_line(buf, len, &off, &l))
		return util_errf(err, errlen, "%s", "not SSDP: empty message");
	if ((ret = check_octets(&l, lineno, err, errlen)) ||
		(ret = start_line(&l, out, err, errlen)))
		return ret;
	while (next_line(buf, len, &off, &l)) {
		lineno++;
		if (l.n == 0)
			break; /* the empty line ending the headers */
		if ((ret = check_octets(&l, lineno, err, errlen)))
			return ret;
		if (!l.terminated)
			break; /* cut by the end of the capture: its value may be too */
		if ((ret = header_line(&l, lineno, out, err, errlen)))
			return ret;
	}
	return 0;
}

int ssdp_parse(const uint8_t *buf, size_t len, struct ssdp_msg *out, char *err, size_t errlen)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	ret = parse(buf, len, out, err, errlen);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}

size_t ssdp_type(const char *s, char *buf, size_t buflen)
{
	const char *sep = strstr(s, "::");

	if (sep)
		s = sep + 2;
	if (strncasecmp(s, "uuid:", 5) == 0)
		s = "";
	return util_strlcpy(buf, s, buflen);
}
