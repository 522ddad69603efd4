/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the HTTP request parser and the UPnP device description scan, both on
 * every input (a segment is offered to each as the sensor does). */
#include "observe/http.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool printable(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n == max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

/* Printable, trimmed, and set exactly when present (allow_empty: a present header may be ""). */
static void check_value(const char *s, size_t max, bool present, bool allow_empty)
{
	size_t n;

	if (!printable(s, max))
		abort();
	n = strlen(s);
	if ((!present && n) || (present && !n && !allow_empty))
		abort();
	if (n && (s[0] == ' ' || s[n - 1] == ' '))
		abort();
}

static void check_req(const uint8_t *data, size_t size)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~";
	struct http_req r;
	char err[160];
	int ret = http_req_parse(data, size, &r, err, sizeof(err));

	if (ret != 1) {
		if ((ret != 0 && ret != -EINVAL) || r.flags || r.method[0] || r.target[0] ||
			r.host[0] || r.version_minor || (ret == -EINVAL && !err[0]))
			abort();
		return;
	}
	if (r.flags >> 3 || r.version_minor > 1 || !r.method[0] || !r.target[0])
		abort();
	if (!printable(r.method, sizeof(r.method)) || !printable(r.target, sizeof(r.target)))
		abort();
	for (const char *p = r.method; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= 'a' && *p <= 'z') || strchr(tchar, *p)))
			abort();
	if (strchr(r.target, ' '))
		abort();
	/* The request line is what buf starts with. */
	if (memcmp(data, r.method, strlen(r.method)) || data[strlen(r.method)] != ' ')
		abort();
	check_value(r.host, sizeof(r.host), r.flags & HTTP_HAS_HOST, true);
	check_value(r.user_agent, sizeof(r.user_agent), r.flags & HTTP_HAS_USER_AGENT, true);
}

static void check_desc(const uint8_t *data, size_t size)
{
	struct upnp_desc d;
	int ret = upnp_desc_parse(data, size, &d);
	const char *fields[] = {d.manufacturer, d.model_name, d.model_number, d.device_type};
	const size_t sizes[] = {sizeof(d.manufacturer), sizeof(d.model_name),
		sizeof(d.model_number), sizeof(d.device_type)};

	if ((ret != 0 && ret != 1) || ret != (d.flags != 0) || d.flags >> 4)
		abort();
	if (ret && (size < 12 || memcmp(data, "HTTP/1.", 7) || memcmp(data + 8, " 200", 4)))
		abort();
	for (int i = 0; i < 4; i++) {
		check_value(fields[i], sizes[i], d.flags & (1U << i), false);
		if (strstr(fields[i], "  "))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_req(data, size);
	check_desc(data, size);
	return 0;
}
