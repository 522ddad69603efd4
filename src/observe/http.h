/* SPDX-License-Identifier: GPL-2.0-or-later */
/* HTTP/1.x seen from the gateway: the request line and identity headers a device's client sends,
 * and the UPnP device description (UDA 2.0 §2.3) a device serves. */
#ifndef HG_HTTP_H
#define HG_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

enum {
	HTTP_HAS_HOST = 1U << 0,
	HTTP_HAS_USER_AGENT = 1U << 1,
	HTTP_COMPLETE = 1U << 2, /* the empty line ending the headers was seen */
};

struct http_req {
	unsigned flags; /* HTTP_* say which headers were present (an empty value counts) */
	char method[16];
	char target[256];		 /* cut when longer */
	uint8_t version_minor;		 /* HTTP/1.x: 0 or 1 */
	char host[256], user_agent[256]; /* cut when longer */
};

/* buf is the first TCP payload of a connection (len octets). Returns 1 for an HTTP/1.x request:
 * a request line of method (RFC 9110 tchar, 1..15 of them), SP, request-target (octets
 * 0x21..0x7e), SP, "HTTP/1.0" or "HTTP/1.1", CRLF; then its header lines as far as buf holds
 * them, each ended by CRLF or a bare LF (a line cut by the end of buf is ignored, and so is a
 * malformed line other than Host and User-Agent). Host and User-Agent values are trimmed of
 * spaces and tabs (a tab inside becomes a space), the first of a repeated one kept. Returns 0
 * when buf does not start like an HTTP request: no tchar run followed by SP, or no " HTTP/" on
 * the first line (TLS, SSH, RTSP, HTTP/0.9), so the caller can try other protocols without an
 * error. Returns -EINVAL with a reason when the first line does carry " HTTP/" and breaks the
 * grammar above (a method over 15 characters, an empty target or one with a control octet, a
 * version other than 1.0 and 1.1, a request line not ended by CRLF), or when a kept Host or
 * User-Agent value holds an octet outside 0x20..0x7e other than a tab. *out is zeroed unless 1
 * is returned. No allocation. */
int http_req_parse(const uint8_t *buf, size_t len, struct http_req *out, char *err, size_t errlen);

enum {
	UPNP_HAS_MANUFACTURER = 1U << 0,
	UPNP_HAS_MODEL_NAME = 1U << 1,
	UPNP_HAS_MODEL_NUMBER = 1U << 2,
	UPNP_HAS_DEVICE_TYPE = 1U << 3,
};

/* The make and model a device describes itself with; never its serialNumber, UDN or
 * friendlyName, which name one unit. */
struct upnp_desc {
	unsigned flags; /* UPNP_HAS_* say which fields are set (never to an empty value) */
	char manufacturer[128], model_name[128], model_number[64], device_type[128];
};

/* buf is a TCP payload a device sent (len octets): an "HTTP/1.0 200" or "HTTP/1.1 200" status
 * line, headers, the empty line, and a body (as far as this segment holds it) that is a UPnP
 * device description. Extracts the text of the first <manufacturer>, <modelName>,
 * <modelNumber> and <deviceType> elements (names matched exactly, without a namespace prefix;
 * attributes allowed): the root device's, as it comes before its embedded devices. The entities
 * &amp; &lt; &gt; &quot; &apos; and character references to printable ASCII are decoded,
 * white space trimmed and runs of it made one space, a value longer than its field cut. The
 * first element decides: when it is empty, cut by the end of buf, holds markup or another
 * entity, or an octet outside printable ASCII, that field stays unset. A bounded single scan,
 * no XML library, nothing read past len; a chunked body is scanned as it is. Returns 1 when at
 * least one field was set, 0 when buf is not such a response or none was (*out then zeroed). */
int upnp_desc_parse(const uint8_t *buf, size_t len, struct upnp_desc *out);

#endif
