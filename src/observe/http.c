/* SPDX-License-Identifier: GPL-2.0-or-later */
/* HTTP/1.x seen from the gateway: the request line and identity headers a device's client sends,
 * and the UPnP device description (UDA 2.0 §2.3) a device serves. */
#include "observe/http.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#define METHOD_MAX 15
#define ENTITY_MAX 8 /* "#x0007e" and the like; longer references are refused */

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

/* Copies a trimmed value, cut to the field and trimmed again after the cut, a tab inside as a
 * space. */
static void copy_text(char *dst, size_t size, const uint8_t *v, size_t n)
{
	if (n > size - 1)
		n = size - 1;
	while (n && is_ows(v[n - 1]))
		n--;
	for (size_t i = 0; i < n; i++)
		dst[i] = v[i] == '\t' ? ' ' : (char)v[i];
	dst[n] = '\0';
}

/* ---- request ---- */

struct req_header {
	const char *name;
	size_t off, size; /* the field in struct http_req */
	unsigned flag;
};

#define REQ_FIELD(f) offsetof(struct http_req, f), sizeof(((struct http_req *)0)->f)

static const struct req_header req_headers[] = {
	{"Host", REQ_FIELD(host), HTTP_HAS_HOST},
	{"User-Agent", REQ_FIELD(user_agent), HTTP_HAS_USER_AGENT},
};

/* One header line (without its CRLF or LF): Host and User-Agent are kept, the rest ignored. */
static int req_header_line(
	const uint8_t *p, size_t n, struct http_req *out, char *err, size_t errlen)
{
	const uint8_t *colon = memchr(p, ':', n);
	size_t nlen, vs, ve;

	if (!colon)
		return 0;
	nlen = (size_t)(colon - p);
	while (nlen && is_ows(p[nlen - 1]))
		nlen--;
	for (size_t i = 0; i < sizeof(req_headers) / sizeof(req_headers[0]); i++) {
		const struct req_header *h = &req_headers[i];

		if (strlen(h->name) != nlen || strncasecmp(h->name, (const char *)p, nlen))
			continue;
		if (out->flags & h->flag)
			return 0;
		vs = (size_t)(colon - p) + 1;
		ve = n;
		while (vs < ve && is_ows(p[vs]))
			vs++;
		while (ve > vs && is_ows(p[ve - 1]))
			ve--;
		for (size_t j = vs; j < ve; j++)
			if ((p[j] < 0x20 || p[j] > 0x7e) && p[j] != '\t')
				return util_errf(err, errlen, "octet 0x%02x in the %s header", p[j],
					h->name);
		copy_text((char *)out + h->off, h->size, p + vs, ve - vs);
		out->flags |= h->flag;
		return 0;
	}
	return 0;
}

static int req_parse(const uint8_t *buf, size_t len, struct http_req *out, char *err, size_t errlen)
{
	const uint8_t *lf;
	size_t m = 0, line_end, t, te, v, off;
	int ret;

	if (!buf)
		return 0;
	while (m < len && is_tchar(buf[m]))
		m++;
	if (m == 0 || m == len || buf[m] != ' ')
		return 0;
	lf = memchr(buf, '\n', len);
	line_end = lf ? (size_t)(lf - buf) : len;
	if (!memmem(buf + m, line_end - m, " HTTP/", 6))
		return 0;

	/* From here on it claims to be HTTP: the grammar is strict. */
	if (m > METHOD_MAX)
		return util_errf(err, errlen, "method of %zu characters, over %d", m, METHOD_MAX);
	t = te = m + 1;
	while (te < line_end && buf[te] > 0x20 && buf[te] < 0x7f)
		te++;
	if (te == t)
		return util_errf(err, errlen, "%s", "empty request-target");
	if (te == line_end || buf[te] == '\r')
		return util_errf(err, errlen, "%s", "no HTTP version after the request-target");
	if (buf[te] != ' ')
		return util_errf(err, errlen, "octet 0x%02x in the request-target", buf[te]);
	v = te + 1;
	if (len - v < 8 || memcmp(buf + v, "HTTP/1.", 7) ||
		(buf[v + 7] != '0' && buf[v + 7] != '1'))
		return util_errf(err, errlen, "%s", "version is not HTTP/1.0 or HTTP/1.1");
	if (len - v < 10 || buf[v + 8] != '\r' || buf[v + 9] != '\n')
		return util_errf(err, errlen, "%s", "request line not ended by CRLF");
	copy_text(out->method, sizeof(out->method), buf, m);
	copy_text(out->target, sizeof(out->target), buf + t, te - t);
	out->version_minor = (uint8_t)(buf[v + 7] - '0');

	for (off = v + 10; off < len;) {
		size_t n;

		lf = memchr(buf + off, '\n', len - off);
		if (!lf)
			break; /* cut by the end of the segment */
		n = (size_t)(lf - (buf + off));
		if (n && buf[off + n - 1] == '\r')
			n--;
		if (n == 0) {
			out->flags |= HTTP_COMPLETE;
			break;
		}
		if ((ret = req_header_line(buf + off, n, out, err, errlen)))
			return ret;
		off = (size_t)(lf - buf) + 1;
	}
	return 1;
}

int http_req_parse(const uint8_t *buf, size_t len, struct http_req *out, char *err, size_t errlen)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	ret = req_parse(buf, len, out, err, errlen);
	if (ret != 1)
		memset(out, 0, sizeof(*out));
	return ret;
}

/* ---- UPnP device description ---- */

struct desc_elem {
	const char *name;
	size_t off, size; /* the field in struct upnp_desc */
	unsigned flag;
};

#define DESC_FIELD(f) offsetof(struct upnp_desc, f), sizeof(((struct upnp_desc *)0)->f)

static const struct desc_elem desc_elems[] = {
	{"manufacturer", DESC_FIELD(manufacturer), UPNP_HAS_MANUFACTURER},
	{"modelName", DESC_FIELD(model_name), UPNP_HAS_MODEL_NAME},
	{"modelNumber", DESC_FIELD(model_number), UPNP_HAS_MODEL_NUMBER},
	{"deviceType", DESC_FIELD(device_type), UPNP_HAS_DEVICE_TYPE},
};

static bool is_xml_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trimmed text with runs of white space as one space, cut at the field's size. */
struct desc_text {
	char *buf;
	size_t size, len;
	bool space, full;
};

static void desc_put(struct desc_text *t, uint8_t c)
{
	size_t need;

	if (is_xml_space(c)) {
		t->space = t->len > 0;
		return;
	}
	if (t->full)
		return;
	need = t->space ? 2 : 1;
	if (need > t->size - 1 - t->len) {
		t->full = true;
		return;
	}
	if (t->space)
		t->buf[t->len++] = ' ';
	t->buf[t->len++] = (char)c;
	t->buf[t->len] = '\0';
	t->space = false;
}

/* The character an entity or character reference (the text between '&' and ';') stands for, or
 * -1 when it is none of the five XML entities or not a reference to printable ASCII. */
static int entity(const uint8_t *p, size_t n)
{
	static const struct {
		const char *name;
		char c;
	} named[] = {{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
	unsigned long v = 0;
	size_t i = 1;
	bool hex;

	for (size_t k = 0; k < sizeof(named) / sizeof(named[0]); k++)
		if (strlen(named[k].name) == n && memcmp(p, named[k].name, n) == 0)
			return named[k].c;
	if (n < 2 || p[0] != '#')
		return -1;
	hex = p[1] == 'x';
	if (hex)
		i = 2;
	if (i == n)
		return -1;
	for (; i < n; i++) {
		int d = util_hexval((char)p[i]);

		if (d < 0 || (!hex && d > 9))
			return -1;
		v = v * (hex ? 16 : 10) + (unsigned long)d; /* n <= ENTITY_MAX: no overflow */
	}
	return v >= 0x20 && v <= 0x7e ? (int)v : -1;
}

/* Decodes the element text p[0..n) into the field; false when it must stay unset. */
static bool desc_value(const uint8_t *p, size_t n, char *dst, size_t size)
{
	struct desc_text t = {dst, size, 0, false, false};

	dst[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '&') {
			const uint8_t *semi = memchr(p + i + 1, ';', n - i - 1);
			size_t elen;
			int c;

			if (!semi)
				return false;
			elen = (size_t)(semi - (p + i + 1));
			if (elen > ENTITY_MAX || (c = entity(p + i + 1, elen)) < 0)
				return false;
			desc_put(&t, (uint8_t)c);
			i += elen + 1;
			continue;
		}
		if (!is_xml_space(p[i]) && (p[i] < 0x20 || p[i] > 0x7e))
			return false;
		desc_put(&t, p[i]);
	}
	return t.len > 0;
}

/* The element whose start tag begins at buf[i] == '<' (the name already matched): true when
 * its value was kept. *next is where the scan goes on. */
static bool desc_elem_at(const uint8_t *buf, size_t len, size_t i, const struct desc_elem *e,
	struct upnp_desc *out, size_t *next)
{
	size_t nlen = strlen(e->name), ts, k;
	const uint8_t *gt, *lt;

	*next = len;
	gt = memchr(buf + i + 1 + nlen, '>', len - i - 1 - nlen);
	if (!gt)
		return false;
	*next = (size_t)(gt - buf) + 1;
	if (gt[-1] == '/')
		return false; /* <modelNumber/> */
	ts = (size_t)(gt - buf) + 1;
	lt = memchr(buf + ts, '<', len - ts);
	if (!lt)
		return false;
	k = (size_t)(lt - buf);
	*next = k;
	if (len - k < nlen + 3 || lt[1] != '/' || memcmp(lt + 2, e->name, nlen) ||
		lt[2 + nlen] != '>')
		return false; /* markup inside, or a mismatched end tag */
	if (desc_value(buf + ts, k - ts, (char *)out + e->off, e->size))
		return true;
	memset((char *)out + e->off, 0, e->size); /* no part of a refused value */
	return false;
}

/* Offset of the body: just past the empty line ending the headers, or 0 when buf has none. */
static size_t body_start(const uint8_t *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		const uint8_t *lf = memchr(buf + off, '\n', len - off);
		size_t n;

		if (!lf)
			return 0;
		n = (size_t)(lf - (buf + off));
		if (off && (n == 0 || (n == 1 && buf[off] == '\r')))
			return (size_t)(lf - buf) + 1;
		off = (size_t)(lf - buf) + 1;
	}
	return 0;
}

static int desc_parse(const uint8_t *buf, size_t len, struct upnp_desc *out)
{
	unsigned decided = 0, all = 0;
	size_t i;

	if (!buf || len < 12 || memcmp(buf, "HTTP/1.", 7) || (buf[7] != '0' && buf[7] != '1') ||
		memcmp(buf + 8, " 200", 4) ||
		(len > 12 && buf[12] != ' ' && buf[12] != '\r' && buf[12] != '\n'))
		return 0;
	if (!(i = body_start(buf, len)))
		return 0;
	for (size_t k = 0; k < sizeof(desc_elems) / sizeof(desc_elems[0]); k++)
		all |= desc_elems[k].flag;
	while (i < len && decided != all) {
		const uint8_t *lt = memchr(buf + i, '<', len - i);
		size_t next = 0;

		if (!lt)
			break;
		i = (size_t)(lt - buf);
		for (size_t k = 0; k < sizeof(desc_elems) / sizeof(desc_elems[0]); k++) {
			const struct desc_elem *e = &desc_elems[k];
			size_t nlen = strlen(e->name);
			uint8_t after;

			if ((decided & e->flag) || len - i - 1 <= nlen ||
				memcmp(buf + i + 1, e->name, nlen))
				continue;
			after = buf[i + 1 + nlen];
			if (after != '>' && after != '/' && !is_xml_space(after))
				continue; /* <modelNameX> */
			decided |= e->flag;
			if (desc_elem_at(buf, len, i, e, out, &next))
				out->flags |= e->flag;
			break;
		}
		i = next > i ? next : i + 1;
	}
	return out->flags ? 1 : 0;
}

int upnp_desc_parse(const uint8_t *buf, size_t len, struct upnp_desc *out)
{
	int ret;

	memset(out, 0, sizeof(*out));
	ret = desc_parse(buf, len, out);
	if (!ret)
		memset(out, 0, sizeof(*out));
	return ret;
}
