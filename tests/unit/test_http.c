/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the HTTP request parser and the UPnP device description scan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "observe/http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char err[256];

/* Copies of exactly n octets, so ASan sees any read past them. */
static int req_n(const void *b, size_t n, struct http_req *r)
{
	uint8_t *copy = malloc(n ? n : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, b, n);
	ret = http_req_parse(copy, n, r, err, sizeof(err));
	free(copy);
	return ret;
}

static int req(const char *text, struct http_req *r)
{
	return req_n(text, strlen(text), r);
}

static int desc_n(const void *b, size_t n, struct upnp_desc *d)
{
	uint8_t *copy = malloc(n ? n : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, b, n);
	ret = upnp_desc_parse(copy, n, d);
	free(copy);
	return ret;
}

static int desc(const char *text, struct upnp_desc *d)
{
	return desc_n(text, strlen(text), d);
}

/* ---- request ---- */

/* The Hue app's request to the bridge, as captured. */
static const char hue_get[] = "GET /api/1cb60ac568eb6c76925713b5b2b28dc HTTP/1.1\r\n"
			      "User-Agent: Dalvik/1.6.0 (Linux; U; Android 4.4.2; SM-N7505 "
			      "Build/KOT49H)\r\n"
			      "Host: 10.10.10.6\r\n"
			      "Connection: Keep-Alive\r\n"
			      "Accept-Encoding: gzip\r\n"
			      "\r\n";

static void test_get(void **state)
{
	struct http_req r;

	(void)state;
	assert_int_equal(req(hue_get, &r), 1);
	assert_int_equal(r.flags, HTTP_HAS_HOST | HTTP_HAS_USER_AGENT | HTTP_COMPLETE);
	assert_string_equal(r.method, "GET");
	assert_string_equal(r.target, "/api/1cb60ac568eb6c76925713b5b2b28dc");
	assert_int_equal(r.version_minor, 1);
	assert_string_equal(r.host, "10.10.10.6");
	assert_string_equal(
		r.user_agent, "Dalvik/1.6.0 (Linux; U; Android 4.4.2; SM-N7505 Build/KOT49H)");

	/* An embedded client's POST: HTTP/1.0, bare LF, lower-case names, OWS and a tab. */
	assert_int_equal(req("POST /cgi-bin/upload.cgi?id=7 HTTP/1.0\r\n"
			     "host:\tcloud.vendor.example:8080 \n"
			     "user-agent: tiny\thttp/2.1\n"
			     "Content-Length: 3\n"
			     "\n"
			     "abc",
				 &r),
		1);
	assert_int_equal(r.flags, HTTP_HAS_HOST | HTTP_HAS_USER_AGENT | HTTP_COMPLETE);
	assert_string_equal(r.method, "POST");
	assert_string_equal(r.target, "/cgi-bin/upload.cgi?id=7");
	assert_int_equal(r.version_minor, 0);
	assert_string_equal(r.host, "cloud.vendor.example:8080");
	assert_string_equal(r.user_agent, "tiny http/2.1");

	/* UPnP's own methods, an absolute-form and an asterisk-form target; first Host kept. */
	assert_int_equal(req("SUBSCRIBE /upnp/event/basicevent1 HTTP/1.1\r\n"
			     "HOST: 10.10.10.252:49153\r\n"
			     "Host: evil.example\r\n"
			     "\r\n",
				 &r),
		1);
	assert_string_equal(r.method, "SUBSCRIBE");
	assert_string_equal(r.host, "10.10.10.252:49153");
	assert_int_equal(req("GET http://proxy.example/x HTTP/1.1\r\nHost:\r\n\r\n", &r), 1);
	assert_string_equal(r.target, "http://proxy.example/x");
	assert_int_equal(r.flags, HTTP_HAS_HOST | HTTP_COMPLETE);
	assert_string_equal(r.host, "");
	assert_int_equal(req("OPTIONS * HTTP/1.1\r\n\r\n", &r), 1);
	assert_string_equal(r.target, "*");
	assert_int_equal(r.flags, HTTP_COMPLETE);
}

static void test_truncated(void **state)
{
	size_t len = strlen(hue_get), ua_end, host_end;
	struct http_req r;
	char big[400], text[900];

	(void)state;
	/* A segment cut anywhere after the request line: the headers whose LF is in are kept,
	 * whole; the line cut at the end is ignored. */
	ua_end = (size_t)(strstr(hue_get, "Host:") - hue_get);
	host_end = ua_end + strlen("Host: 10.10.10.6\r\n");
	for (size_t n = strlen("GET /api/1cb60ac568eb6c76925713b5b2b28dc HTTP/1.1\r\n"); n <= len;
		n++) {
		assert_int_equal(req_n(hue_get, n, &r), 1);
		assert_int_equal(!!(r.flags & HTTP_HAS_USER_AGENT), n >= ua_end);
		assert_int_equal(!!(r.flags & HTTP_HAS_HOST), n >= host_end);
		assert_string_equal(r.host, n >= host_end ? "10.10.10.6" : "");
		assert_int_equal(!!(r.flags & HTTP_COMPLETE), n == len);
	}
	/* Cut inside the request line: before " HTTP/" it does not look like HTTP yet. */
	assert_int_equal(req_n(hue_get, 20, &r), 0);
	assert_int_equal(req_n(hue_get, 3, &r), 0);
	assert_int_equal(req_n(hue_get, 0, &r), 0);
	assert_int_equal(req_n(hue_get, 48, &r), -EINVAL);
	assert_non_null(strstr(err, "version is not HTTP/1.0 or HTTP/1.1"));
	assert_int_equal(req_n(hue_get, 50, &r), -EINVAL);
	assert_non_null(strstr(err, "request line not ended by CRLF"));
	assert_int_equal(r.flags, 0);
	assert_string_equal(r.method, "");

	/* A target over the field is cut; so is a header value. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(text, sizeof(text), "GET /%s HTTP/1.1\r\nUser-Agent: %s\r\n", big, big);
	assert_int_equal(req(text, &r), 1);
	assert_int_equal(strlen(r.target), sizeof(r.target) - 1);
	assert_int_equal(r.target[0], '/');
	assert_int_equal(strlen(r.user_agent), sizeof(r.user_agent) - 1);
	assert_int_equal(r.flags, HTTP_HAS_USER_AGENT);
	/* a cut that ends on white space leaves none at the end */
	big[sizeof(r.user_agent) - 2] = ' ';
	snprintf(text, sizeof(text), "GET / HTTP/1.1\r\nUser-Agent: %s\r\n", big);
	assert_int_equal(req(text, &r), 1);
	assert_int_equal(strlen(r.user_agent), sizeof(r.user_agent) - 2);
}

static void test_not_http(void **state)
{
	static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03,
		0x03, 'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/'};
	struct http_req r;

	(void)state;
	memset(&r, 0xa5, sizeof(r));
	assert_int_equal(req_n(tls, sizeof(tls), &r), 0);
	assert_int_equal(r.flags, 0);
	assert_string_equal(r.method, "");
	assert_int_equal(req("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", &r), 0);
	assert_int_equal(
		req("OPTIONS rtsp://10.0.0.5:554/stream1 RTSP/1.0\r\nCSeq: 1\r\n\r\n", &r), 0);
	assert_int_equal(req("GET /index.html\r\n", &r), 0); /* HTTP/0.9 */
	assert_int_equal(req(" GET / HTTP/1.1\r\n\r\n", &r), 0);
	assert_int_equal(req("\x10\x1a\x00\x04MQTT\x04\x02\x00<", &r), 0);
	/* " HTTP/" on a later line does not make the first one a request line */
	assert_int_equal(req("HELLO world\r\nX: a HTTP/1.1\r\n", &r), 0);
	assert_int_equal(req_n("GET", 3, &r), 0);
	assert_int_equal(http_req_parse(NULL, 0, &r, NULL, 0), 0);
}

static void test_req_rejections(void **state)
{
	struct http_req r;
	size_t i = 0;

	(void)state;
#define BAD(text, why)                                                          \
	do {                                                                    \
		memset(&r, 0xa5, sizeof(r));                                    \
		assert_int_equal(req(text, &r), -EINVAL);                       \
		if (!strstr(err, why))                                          \
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, why); \
		assert_int_equal(r.flags, 0);                                   \
		assert_string_equal(r.method, "");                              \
		assert_string_equal(r.host, "");                                \
		i++;                                                            \
	} while (0)

	BAD("PROPPATCHANDMORE / HTTP/1.1\r\n\r\n", "method of 16 characters, over 15");
	BAD("GET  HTTP/1.1\r\n\r\n", "empty request-target");
	BAD("GET HTTP/1.1\r\n\r\n", "no HTTP version after the request-target");
	BAD("GET /a\001b HTTP/1.1\r\n\r\n", "octet 0x01 in the request-target");
	BAD("GET /a\tb HTTP/1.1\r\n\r\n", "octet 0x09 in the request-target");
	BAD("GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n", "octet 0xc3 in the request-target");
	BAD("GET /a\x7f HTTP/1.1\r\n\r\n", "octet 0x7f in the request-target");
	BAD("GET /a b HTTP/1.1\r\n\r\n", "version is not HTTP/1.0 or HTTP/1.1");
	BAD("GET / HTTP/2.0\r\n\r\n", "version is not HTTP/1.0 or HTTP/1.1");
	BAD("GET / HTTP/1.2\r\n\r\n", "version is not HTTP/1.0 or HTTP/1.1");
	BAD("GET / HTTP/1.10\r\n\r\n", "request line not ended by CRLF");
	BAD("GET / HTTP/1.1 \r\n\r\n", "request line not ended by CRLF");
	BAD("GET / HTTP/1.1\n\n", "request line not ended by CRLF");
	BAD("GET / HTTP/1.1\r\r\n\r\n", "request line not ended by CRLF");
	BAD("GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n", "octet 0x01 in the Host header");
	BAD("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", "octet 0x0d in the Host header");
	BAD("GET / HTTP/1.1\r\nUser-Agent: Mozilla/5.0 (\xe2\x80\x93)\r\n\r\n",
		"octet 0xe2 in the User-Agent header");
	BAD("GET / HTTP/1.1\r\nuser-agent : x\x1b[31m\r\n\r\n",
		"octet 0x1b in the User-Agent header");
#undef BAD

	/* At the limit, and what is not kept is not judged. */
	assert_int_equal(req("MKCALENDARXXXXX / HTTP/1.1\r\n\r\n", &r), 1);
	assert_string_equal(r.method, "MKCALENDARXXXXX");
	assert_int_equal(req("GET / HTTP/1.1\r\n"
			     "Cookie: \x01\xff\x7f\r\n"
			     "garbage line without colon\r\n"
			     "Host: h\r\n"
			     "Host: \x01\r\n"
			     "\r\n",
				 &r),
		1);
	assert_int_equal(r.flags, HTTP_HAS_HOST | HTTP_COMPLETE);
	assert_string_equal(r.host, "h");
}

/* ---- UPnP device description ---- */

#define DESC_HEAD                                        \
	"HTTP/1.1 200 OK\r\n"                            \
	"CONTENT-LENGTH: 3767\r\n"                       \
	"CONTENT-TYPE: text/xml\r\n"                     \
	"SERVER: Unspecified, UPnP/1.0, Unspecified\r\n" \
	"X-User-Agent: redsonic\r\n"                     \
	"CONNECTION: close\r\n"                          \
	"\r\n"                                           \
	"<?xml version=\"1.0\"?>\n"                      \
	"<root xmlns=\"urn:Belkin:device-1-0\">\n"       \
	"  <specVersion>\n    <major>1</major>\n    <minor>0</minor>\n  </specVersion>\n"

/* A WeMo switch's setup.xml, as it answers the LOCATION of its NOTIFY. */
static const char wemo_desc[] =
	DESC_HEAD "  <device>\n"
		  "    <deviceType>urn:Belkin:device:controllee:1</deviceType>\n"
		  "    <friendlyName>Wemo Mini</friendlyName>\n"
		  "    <manufacturer>Belkin International Inc.</manufacturer>\n"
		  "    <manufacturerURL>http://www.belkin.com</manufacturerURL>\n"
		  "    <modelDescription>Belkin Plugin Socket 1.0</modelDescription>\n"
		  "    <modelName>Socket</modelName>\n"
		  "    <modelNumber>1.0</modelNumber>\n"
		  "    <modelURL>http://www.belkin.com/plugin/</modelURL>\n"
		  "    <serialNumber>221517K0101769</serialNumber>\n"
		  "    <UDN>uuid:Socket-1_0-221517K0101769</UDN>\n"
		  "  </device>\n"
		  "</root>\n";

static void test_desc(void **state)
{
	struct upnp_desc d;

	(void)state;
	assert_int_equal(desc(wemo_desc, &d), 1);
	assert_int_equal(d.flags,
		UPNP_HAS_MANUFACTURER | UPNP_HAS_MODEL_NAME | UPNP_HAS_MODEL_NUMBER |
			UPNP_HAS_DEVICE_TYPE);
	assert_string_equal(d.manufacturer, "Belkin International Inc.");
	assert_string_equal(d.model_name, "Socket");
	assert_string_equal(d.model_number, "1.0");
	assert_string_equal(d.device_type, "urn:Belkin:device:controllee:1");

	/* The root device's values, not an embedded device's; entities, white space, attributes,
	 * HTTP/1.0 with bare LF. */
	assert_int_equal(desc("HTTP/1.0 200 OK\n"
			      "Content-Type: text/xml\n"
			      "\n"
			      "<root><device>"
			      "<deviceType xmlns:x=\"y\">urn:schemas-upnp-org:device:"
			      "MediaRenderer:1</deviceType>"
			      "<manufacturer>Bang &amp; Olufsen</manufacturer>"
			      "<modelNameX>no</modelNameX>"
			      "<modelName>\n    Beo\tSound   &quot;2&quot;\r\n  </modelName>"
			      "<modelNumber>&#65;&#x42;&lt;&gt;&apos;</modelNumber>"
			      "<deviceList><device>"
			      "<manufacturer>Other</manufacturer>"
			      "</device></deviceList></device></root>",
				 &d),
		1);
	assert_int_equal(d.flags,
		UPNP_HAS_MANUFACTURER | UPNP_HAS_MODEL_NAME | UPNP_HAS_MODEL_NUMBER |
			UPNP_HAS_DEVICE_TYPE);
	assert_string_equal(d.device_type, "urn:schemas-upnp-org:device:MediaRenderer:1");
	assert_string_equal(d.manufacturer, "Bang & Olufsen");
	assert_string_equal(d.model_name, "Beo Sound \"2\"");
	assert_string_equal(d.model_number, "AB<>'");
}

static void test_desc_refused(void **state)
{
	char text[1024], big[300];
	struct upnp_desc d;

	(void)state;
	/* The first element decides: empty, self-closing, non-ASCII, unknown entity, markup
	 * inside, a mismatched end tag all leave the field unset. */
	assert_int_equal(desc("HTTP/1.1 200 OK\r\n\r\n"
			      "<modelNumber/><modelNumber>2</modelNumber>"
			      "<modelName>  </modelName><modelName>x</modelName>"
			      "<manufacturer>Soci\xc3\xa9t\xc3\xa9</manufacturer>"
			      "<deviceType>urn:x</deviceType>",
				 &d),
		1);
	assert_int_equal(d.flags, UPNP_HAS_DEVICE_TYPE);
	assert_string_equal(d.device_type, "urn:x");
	assert_string_equal(d.manufacturer, "");
	assert_string_equal(d.model_name, "");
	assert_string_equal(d.model_number, "");
	assert_int_equal(desc("HTTP/1.1 200 OK\r\n\r\n"
			      "<manufacturer>A&nbsp;B</manufacturer>"
			      "<modelName><![CDATA[x]]></modelName>"
			      "<modelNumber>1</modelnumber>"
			      "<deviceType>a&#x7f;</deviceType>",
				 &d),
		0);
	assert_int_equal(desc("HTTP/1.1 200 OK\r\n\r\n"
			      "<manufacturer>A &amp B</manufacturer>"
			      "<modelName>x&#1;</modelName>"
			      "<modelNumber>&#;</modelNumber>"
			      "<deviceType>&#x4142434445;</deviceType>",
				 &d),
		0);
	assert_int_equal(d.flags, 0);

	/* Cut by the end of the segment: in the text, in the end tag, in the start tag. */
	assert_int_equal(desc("HTTP/1.1 200 OK\r\n\r\n<manufacturer>Belkin</manufacturer>"
			      "<modelName>Soc",
				 &d),
		1);
	assert_int_equal(d.flags, UPNP_HAS_MANUFACTURER);
	assert_string_equal(d.model_name, "");
	assert_int_equal(desc("HTTP/1.1 200 OK\r\n\r\n<modelName>Socket</modelNa", &d), 0);
	assert_int_equal(desc("HTTP/1.1 200 OK\r\n\r\n<modelName", &d), 0);
	assert_int_equal(desc("HTTP/1.1 200 OK\r\n\r\n<modelName>", &d), 0);

	/* A value over its field is cut. */
	memset(big, 'M', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(text, sizeof(text), "HTTP/1.1 200 OK\r\n\r\n<modelNumber>%s</modelNumber>", big);
	assert_int_equal(desc(text, &d), 1);
	assert_int_equal(strlen(d.model_number), sizeof(d.model_number) - 1);

	/* Not a description response. */
	memset(&d, 0xa5, sizeof(d));
	assert_int_equal(desc("HTTP/1.1 404 Not Found\r\n\r\n<modelName>x</modelName>", &d), 0);
	assert_int_equal(d.flags, 0);
	assert_string_equal(d.model_name, "");
	assert_int_equal(desc("HTTP/1.1 2000 OK\r\n\r\n<modelName>x</modelName>", &d), 0);
	assert_int_equal(desc("HTTP/2.0 200 OK\r\n\r\n<modelName>x</modelName>", &d), 0);
	assert_int_equal(desc("GET / HTTP/1.1\r\n\r\n<modelName>x</modelName>", &d), 0);
	assert_int_equal(desc("HTTP/1.1 200 OK\r\n<modelName>x</modelName>\r\n", &d), 0);
	assert_int_equal(desc("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"
			      "{\"modelid\":\"BSB002\"}",
				 &d),
		0);
	assert_int_equal(desc("HTTP/1.1 200", &d), 0);
	assert_int_equal(desc("HTTP/1.1 200\r\n\r\n<modelName>x</modelName>", &d), 1);
	assert_int_equal(upnp_desc_parse(NULL, 0, &d), 0);
}

/* Any cut of the WeMo description keeps whole values or none. */
static void test_desc_prefixes(void **state)
{
	size_t len = strlen(wemo_desc);
	const char *mn = strstr(wemo_desc, "</modelName>");
	struct upnp_desc d;

	(void)state;
	for (size_t n = 0; n <= len; n++) {
		int ret = desc_n(wemo_desc, n, &d);

		assert_int_equal(ret, d.flags ? 1 : 0);
		assert_string_equal(d.device_type,
			d.flags & UPNP_HAS_DEVICE_TYPE ? "urn:Belkin:device:controllee:1" : "");
		assert_string_equal(d.manufacturer,
			d.flags & UPNP_HAS_MANUFACTURER ? "Belkin International Inc." : "");
		assert_string_equal(d.model_name, d.flags & UPNP_HAS_MODEL_NAME ? "Socket" : "");
		assert_string_equal(d.model_number, d.flags & UPNP_HAS_MODEL_NUMBER ? "1.0" : "");
		assert_int_equal(!!(d.flags & UPNP_HAS_MODEL_NAME),
			n >= (size_t)(mn - wemo_desc) + strlen("</modelName>"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_not_http),
		cmocka_unit_test(test_req_rejections),
		cmocka_unit_test(test_desc),
		cmocka_unit_test(test_desc_refused),
		cmocka_unit_test(test_desc_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
