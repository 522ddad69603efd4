/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for MUD retrieval: URL resolution, refusals, and real HTTPS fetches on the event
 * loop from a throwaway server on 127.0.0.1 with a certificate made at test time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/events.h"
#include "core/evloop.h"
#include "core/util.h"
#include "mud/mud_fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MUD_BODY "{\"ietf-mud:mud\": {\"mud-version\": 1, \"mud-url\": \"x\"}}"

/* The server: paths for each answer a MUD server may give; /echo returns the request headers. */
static const char server_py[] =
	"import http.server, ssl, sys\n"
	"MUD = b'" MUD_BODY "'\n"
	"class H(http.server.BaseHTTPRequestHandler):\n"
	"    protocol_version = 'HTTP/1.0'\n"
	"    def log_message(self, *a): pass\n"
	"    def answer(self, code, body, hdrs=()):\n"
	"        self.send_response(code)\n"
	"        for k, v in hdrs: self.send_header(k, v)\n"
	"        if body is not None: self.send_header('Content-Length', str(len(body)))\n"
	"        self.end_headers()\n"
	"        if body: self.wfile.write(body)\n"
	"    def do_GET(self):\n"
	"        p = self.path\n"
	"        if p == '/cam.json':\n"
	"            v = [('ETag', '\"v1\"'), ('Cache-Control', 'public, max-age=3600'),\n"
	"                 ('Last-Modified', 'Tue, 14 Nov 2023 22:13:20 GMT')]\n"
	"            if self.headers.get('If-None-Match') == '\"v1\"':\n"
	"                return self.answer(304, None, v)\n"
	"            return self.answer(200, MUD, v + [('Content-Type', 'application/mud+json')])\n"
	"        if p == '/echo':\n"
	"            return self.answer(200, ''.join('%s: %s\\n' % kv for kv in "
	"self.headers.items()).encode())\n"
	"        if p == '/exact': return self.answer(200, b'e' * 4096)\n"
	"        if p == '/big': return self.answer(200, b'b' * 4097)\n"
	"        if p == '/big-stream':\n"
	"            self.send_response(200); self.end_headers(); self.wfile.write(b's' * 9000)\n"
	"            return\n"
	"        if p == '/redir': return self.answer(302, b'', [('Location', '/cam.json')])\n"
	"        if p == '/redir-exact': return self.answer(302, b'', [('Location', '/exact'),\n"
	"            ('ETag', '\"hop\"'), ('Cache-Control', 'max-age=5')])\n"
	"        if p == '/redir-http':\n"
	"            return self.answer(302, b'', [('Location', 'http://127.0.0.1:%d/cam.json' % "
	"PORT)])\n"
	"        if p == '/loop': return self.answer(302, b'', [('Location', '/loop')])\n"
	"        self.answer(404, b'not here')\n"
	"class S(http.server.ThreadingHTTPServer):\n"
	"    def handle_error(self, *a): pass  # refused handshakes are part of the test\n"
	"srv = S(('127.0.0.1', 0), H)\n"
	"ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
	"ctx.load_cert_chain(sys.argv[1], sys.argv[2])\n"
	"srv.socket = ctx.wrap_socket(srv.socket, server_side=True, "
	"do_handshake_on_connect=False)\n"
	"PORT = srv.server_address[1]\n"
	"print(PORT, flush=True)\n"
	"srv.serve_forever()\n";

struct server {
	char dir[64], cert[96], key[96];
	pid_t pid;
	int out; /* the server's stdout, where it told its port; open while it runs */
	int port;
	int silent; /* a listening socket that never accepts: a server that never answers */
	int silent_port;
};

static struct server srv = {.pid = -1, .out = -1, .silent = -1};

/* What a callback saw. */
struct got {
	int calls;
	struct mud_fetch_result res; /* body taken from the fetcher */
};

static void on_done(struct mud_fetch_result *res, void *arg)
{
	struct got *g = arg;

	g->calls++;
	g->res = *res;
	res->body = NULL; /* taken */
}

static void got_clear(struct got *g)
{
	free(g->res.body);
	memset(g, 0, sizeof(*g));
}

/* ---- without a server ---- */

static int curl_setup(void **state)
{
	(void)state;
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

static int curl_teardown(void **state)
{
	(void)state;
	curl_global_cleanup();
	return 0;
}

static void test_resolve(void **state)
{
	static const char *const ok[][3] = {
		{"https://mud.example.test/dev/cam.json", "cam.p7s",
			"https://mud.example.test/dev/cam.p7s"},
		{"https://mud.example.test/dev/cam.json", "../sig/cam.p7s",
			"https://mud.example.test/sig/cam.p7s"},
		{"https://mud.example.test/dev/cam.json", "/cam.p7s",
			"https://mud.example.test/cam.p7s"},
		{"https://mud.example.test/dev/cam.json", "https://sig.example.test/a/cam.p7s",
			"https://sig.example.test/a/cam.p7s"},
		{"https://mud.example.test:8443/cam.json", "cam.p7s",
			"https://mud.example.test:8443/cam.p7s"},
	};
	static const char *const bad[][2] = {
		{"https://mud.example.test/cam.json", "http://mud.example.test/cam.p7s"},
		{"https://mud.example.test/cam.json", "file:///etc/passwd"},
		{"https://mud.example.test/cam.json", "ftp://mud.example.test/cam.p7s"},
		{"http://mud.example.test/cam.json", "cam.p7s"}, /* relative to a plain http base */
		{"not a url", "cam.p7s"},
		{"", "cam.p7s"},
		{"https://mud.example.test/cam.json", "https://[::1/cam.p7s"},
	};
	char out[HG_URL_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int ret = mud_url_resolve(ok[i][0], ok[i][1], out, sizeof(out));

		if (ret != 0 || strcmp(out, ok[i][2]) != 0)
			fail_msg("%s + %s: %d \"%s\"", ok[i][0], ok[i][1], ret, out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(out, "junk");
		if (mud_url_resolve(bad[i][0], bad[i][1], out, sizeof(out)) != -EINVAL || out[0])
			fail_msg("%s + %s: not refused with -EINVAL (\"%s\")", bad[i][0], bad[i][1],
				out);
	}
	/* Too long for the buffer: refused, never cut. */
	assert_int_equal(mud_url_resolve("https://mud.example.test/dev/cam.json", "cam.p7s", out,
				 strlen("https://mud.example.test/dev/cam.p7s")),
		-ENAMETOOLONG);
	assert_string_equal(out, "");
	assert_int_equal(mud_url_resolve("https://mud.example.test/dev/cam.json", "cam.p7s", out,
				 strlen("https://mud.example.test/dev/cam.p7s") + 1),
		0);
}

static const struct mud_fetch_conf base_conf = {
	.max_size = 4096,
	.timeout_ms = 5000,
	.max_redirects = 3,
	.accept_language = "en",
};

static void test_start_refuses(void **state)
{
	static const char *const urls[] = {
		"http://mud.example.test/cam.json",
		"ftp://mud.example.test/cam.json",
		"mud.example.test/cam.json",
		"https://mud.example.test/cam.json\r\nX-Injected: 1",
		"",
	};
	struct mud_fetch_conf conf = base_conf;
	struct ev_loop *loop = ev_loop_new();
	struct mud_fetcher *f;
	struct mud_fetch *h = (struct mud_fetch *)&conf; /* set to NULL on refusal */
	struct mud_fetch_req req = {.accept = "application/mud+json"};
	struct got g = {0};

	(void)state;
	assert_non_null(loop);
	conf.max_size = 0;
	assert_int_equal(mud_fetcher_new(loop, &conf, &f), -EINVAL);
	assert_null(f);
	conf = base_conf;
	assert_int_equal(mud_fetcher_new(loop, &conf, &f), 0);
	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		req.url = urls[i];
		assert_int_equal(mud_fetch_start(f, &req, on_done, &g, &h), -EINVAL);
		assert_null(h);
	}
	req.url = NULL;
	assert_int_equal(mud_fetch_start(f, &req, on_done, &g, &h), -EINVAL);
	/* A validator from a hostile earlier answer cannot add headers. */
	req.url = "https://mud.example.test/cam.json";
	req.etag = "\"v1\"\r\nX-Injected: 1";
	assert_int_equal(mud_fetch_start(f, &req, on_done, &g, &h), -EINVAL);
	assert_int_equal(mud_fetch_pending(f), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(ev_loop_once(loop, 20), 0);
	assert_int_equal(g.calls, 0);
	mud_fetcher_free(f);
	ev_loop_free(loop);
}

/* ---- against the server ---- */

static int rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

static int server_setup(void **state)
{
	char cmd[512], line[16] = "";
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sin);
	struct pollfd p;
	int out[2];
	ssize_t n;

	(void)state;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	snprintf(srv.dir, sizeof(srv.dir), "/tmp/hg-mud-fetch.XXXXXX");
	if (!mkdtemp(srv.dir))
		return -1;
	snprintf(srv.cert, sizeof(srv.cert), "%s/cert.pem", srv.dir);
	snprintf(srv.key, sizeof(srv.key), "%s/key.pem", srv.dir);
	snprintf(cmd, sizeof(cmd),
		"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -days 1 "
		"-keyout %s -out %s -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 "
		">/dev/null 2>&1",
		srv.key, srv.cert);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot make a certificate with openssl\n");
		return -1;
	}
	if (pipe2(out, O_CLOEXEC) < 0)
		return -1;
	srv.pid = fork();
	if (srv.pid < 0)
		return -1;
	if (srv.pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives a crashed test */
		dup2(out[1], 1);
		execlp("python3", "python3", "-c", server_py, srv.cert, srv.key, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	srv.out = out[0];
	/* The port line may come in more than one write. */
	for (size_t got = 0; !memchr(line, '\n', got);) {
		p = (struct pollfd){.fd = out[0], .events = POLLIN};
		n = got < sizeof(line) - 1 && poll(&p, 1, 10000) == 1
			? read(out[0], line + got, sizeof(line) - 1 - got)
			: -1;
		if (n <= 0)
			break;
		got += (size_t)n;
		line[got] = '\0';
	}
	if (!strchr(line, '\n')) {
		fprintf(stderr, "the test HTTPS server (python3) did not start\n");
		return -1;
	}
	srv.port = atoi(line);

	srv.silent = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (srv.silent < 0 || bind(srv.silent, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
		listen(srv.silent, 8) < 0 ||
		getsockname(srv.silent, (struct sockaddr *)&sin, &sl) < 0)
		return -1;
	srv.silent_port = ntohs(sin.sin_port);
	return srv.port > 0 ? 0 : -1;
}

static int server_teardown(void **state)
{
	(void)state;
	if (srv.pid > 0) {
		kill(srv.pid, SIGKILL);
		waitpid(srv.pid, NULL, 0);
		srv.pid = -1;
	}
	if (srv.out >= 0)
		close(srv.out);
	if (srv.silent >= 0)
		close(srv.silent);
	if (srv.dir[0])
		nftw(srv.dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	curl_global_cleanup();
	return 0;
}

/* Fetches path from the server (or a whole URL) with conf; waits up to limit_ms for the one
 * callback. */
static void fetch_conf(const struct mud_fetch_conf *conf, const char *path, const char *etag,
	struct got *g, int64_t limit_ms)
{
	struct ev_loop *loop = ev_loop_new();
	struct mud_fetcher *f;
	char url[256];
	struct mud_fetch_req req = {.url = url, .accept = "application/mud+json", .etag = etag};
	int64_t end;

	assert_non_null(loop);
	if (strncmp(path, "https://", 8) == 0)
		snprintf(url, sizeof(url), "%s", path);
	else
		snprintf(url, sizeof(url), "https://127.0.0.1:%d%s", srv.port, path);
	memset(g, 0, sizeof(*g));
	assert_int_equal(mud_fetcher_new(loop, conf, &f), 0);
	assert_int_equal(mud_fetch_start(f, &req, on_done, g, NULL), 0);
	assert_int_equal(g->calls, 0); /* never from inside mud_fetch_start */
	assert_int_equal(mud_fetch_pending(f), 1);
	end = util_mono_ms() + limit_ms;
	while (g->calls == 0 && util_mono_ms() < end)
		assert_int_equal(ev_loop_once(loop, 50), 0);
	if (g->calls != 1)
		fail_msg("%s: %d callbacks within %lld ms", url, g->calls, (long long)limit_ms);
	assert_int_equal(mud_fetch_pending(f), 0);
	/* and never again */
	for (int i = 0; i < 3; i++)
		assert_int_equal(ev_loop_once(loop, 10), 0);
	assert_int_equal(g->calls, 1);
	mud_fetcher_free(f);
	ev_loop_free(loop);
}

static void fetch(const char *path, const char *etag, struct got *g)
{
	struct mud_fetch_conf conf = base_conf;

	conf.ca_file = srv.cert;
	fetch_conf(&conf, path, etag, g, 5000);
}

static void assert_failed(const struct got *g, int err, const char *msg)
{
	if (g->res.err != err || !strstr(g->res.error, msg))
		fail_msg("err %d \"%s\", expected %d \"%s\"", g->res.err, g->res.error, err, msg);
	assert_null(g->res.body);
	assert_int_equal(g->res.len, 0);
}

static void test_fetch(void **state)
{
	struct got g;

	(void)state;
	/* Proxies in the environment are not ours to use (only the configured one is). */
	setenv("https_proxy", "http://127.0.0.1:9", 1);
	setenv("ALL_PROXY", "http://127.0.0.1:9", 1);
	fetch("/cam.json", NULL, &g);
	unsetenv("https_proxy");
	unsetenv("ALL_PROXY");
	assert_int_equal(g.res.err, 0);
	assert_int_equal(g.res.http_code, 200);
	assert_int_equal(g.res.not_modified, 0);
	assert_int_equal(g.res.len, strlen(MUD_BODY));
	assert_memory_equal(g.res.body, MUD_BODY, g.res.len);
	assert_int_equal(g.res.body[g.res.len], 0); /* terminated text */
	assert_string_equal(g.res.etag, "\"v1\"");
	assert_string_equal(g.res.last_modified, "Tue, 14 Nov 2023 22:13:20 GMT");
	assert_int_equal(g.res.max_age, 3600);
	got_clear(&g);

	/* Revalidation with the ETag: 304, nothing to parse. */
	fetch("/cam.json", "\"v1\"", &g);
	assert_int_equal(g.res.err, 0);
	assert_int_equal(g.res.http_code, 304);
	assert_int_equal(g.res.not_modified, 1);
	assert_null(g.res.body);
	got_clear(&g);

	/* A redirect is followed; the validators are the final answer's. */
	fetch("/redir", NULL, &g);
	assert_int_equal(g.res.err, 0);
	assert_int_equal(g.res.http_code, 200);
	assert_memory_equal(g.res.body, MUD_BODY, g.res.len);
	assert_string_equal(g.res.etag, "\"v1\"");
	got_clear(&g);

	/* Exactly max_size bytes is within the limit. The redirect's validators are not the
	 * file's: the final answer has none. */
	fetch("/redir-exact", NULL, &g);
	assert_int_equal(g.res.err, 0);
	assert_int_equal(g.res.len, 4096);
	assert_int_equal(g.res.max_age, -1);
	assert_string_equal(g.res.etag, "");
	got_clear(&g);
}

static void test_request_headers(void **state)
{
	struct got g;
	const char *body;

	(void)state;
	fetch("/echo", "", &g);
	assert_int_equal(g.res.err, 0);
	body = (const char *)g.res.body;
	if (!strstr(body, "Accept: application/mud+json\n") ||
		!strstr(body, "User-Agent: homegate/" HOMEGATE_VERSION "\n") ||
		!strstr(body, "Accept-Language: en\n") || strstr(body, "If-None-Match") ||
		strstr(body, "If-Modified-Since"))
		fail_msg("request headers as the server saw them:\n%s", body);
	got_clear(&g);
}

static void test_http_errors(void **state)
{
	struct got g;

	(void)state;
	fetch("/missing.json", NULL, &g);
	assert_failed(&g, -ENOENT, "HTTP status 404");
	assert_int_equal(g.res.http_code, 404);
	got_clear(&g);
	/* Over max_size, announced by Content-Length or only found while reading. */
	fetch("/big", NULL, &g);
	assert_failed(&g, -EFBIG, "larger than 4096 bytes");
	got_clear(&g);
	fetch("/big-stream", NULL, &g);
	assert_failed(&g, -EFBIG, "larger than 4096 bytes");
	got_clear(&g);
	fetch("/redir-http", NULL, &g);
	assert_failed(&g, -EPROTO, "not https");
	got_clear(&g);
	fetch("/loop", NULL, &g);
	assert_failed(&g, -ELOOP, "more than 3 redirects");
	got_clear(&g);
}

static void test_timeout(void **state)
{
	struct mud_fetch_conf conf = base_conf;
	char url[64];
	struct got g;
	int64_t t0, dt;

	(void)state;
	conf.ca_file = srv.cert;
	conf.timeout_ms = 500;
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/cam.json", srv.silent_port);
	t0 = util_mono_ms();
	fetch_conf(&conf, url, NULL, &g, 3000);
	dt = util_mono_ms() - t0;
	assert_failed(&g, -ETIMEDOUT, "no complete answer within 500 ms");
	if (dt < 450 || dt > 2000)
		fail_msg("timed out after %lld ms, not about 500", (long long)dt);
	got_clear(&g);
}

static void test_untrusted(void **state)
{
	struct mud_fetch_conf conf = base_conf;
	char url[64];
	struct got g;

	(void)state;
	/* No ca_file: the system store, which does not know our throwaway certificate. */
	fetch_conf(&conf, "/cam.json", NULL, &g, 5000);
	assert_failed(&g, -EACCES, "server certificate not accepted");
	got_clear(&g);
	/* Trusted certificate, but not for this name (it names 127.0.0.1 only). */
	conf.ca_file = srv.cert;
	snprintf(url, sizeof(url), "https://localhost:%d/cam.json", srv.port);
	fetch_conf(&conf, url, NULL, &g, 5000);
	assert_failed(&g, -EACCES, "server certificate not accepted");
	got_clear(&g);
}

/* A cancelled transfer, or one still running when the fetcher goes, never calls back. */
static void test_cancel(void **state)
{
	struct mud_fetch_conf conf = base_conf;
	struct ev_loop *loop = ev_loop_new();
	struct mud_fetcher *f;
	struct mud_fetch *h;
	char url[64];
	struct mud_fetch_req req = {.url = url};
	struct got g = {0};

	(void)state;
	conf.ca_file = srv.cert;
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/cam.json", srv.port);
	assert_int_equal(mud_fetcher_new(loop, &conf, &f), 0);
	assert_int_equal(mud_fetch_start(f, &req, on_done, &g, &h), 0);
	assert_non_null(h);
	assert_int_equal(ev_loop_once(loop, 10), 0);
	mud_fetch_cancel(f, h);
	assert_int_equal(mud_fetch_pending(f), 0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(ev_loop_once(loop, 20), 0);
	assert_int_equal(g.calls, 0);
	assert_int_equal(mud_fetch_start(f, &req, on_done, &g, NULL), 0);
	assert_int_equal(ev_loop_once(loop, 10), 0);
	mud_fetcher_free(f);
	for (int i = 0; i < 5; i++)
		assert_int_equal(ev_loop_once(loop, 20), 0);
	assert_int_equal(g.calls, 0);
	ev_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest offline[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_start_refuses),
	};
	const struct CMUnitTest online[] = {
		cmocka_unit_test(test_fetch),
		cmocka_unit_test(test_request_headers),
		cmocka_unit_test(test_http_errors),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_untrusted),
		cmocka_unit_test(test_cancel),
	};
	int failed;

	signal(SIGPIPE, SIG_IGN);
	failed = cmocka_run_group_tests_name("offline", offline, curl_setup, curl_teardown);
	return failed +
		cmocka_run_group_tests_name("HTTPS server", online, server_setup, server_teardown);
}
