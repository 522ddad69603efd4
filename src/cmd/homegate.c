/* SPDX-License-Identifier: GPL-2.0-or-later */
/* homegate: command-line client of homegated's control socket, and offline tools (mud). */
#include "cmd/analyze_cmd.h"
#include "cmd/dpp_cmd.h"
#include "cmd/mud_cmd.h"
#include "mud/mud_qr.h"
#include "onboard/dpp_uri.h"
#include "core/util.h"

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/homegate/homegate.sock"
#define TIMEOUT_MS     5000
#define MAX_RESPONSE   (64 * 1024 * 1024)

enum exit_code {
	EXIT_OK = 0,
	EXIT_REFUSED = 1, /* the daemon said no */
	EXIT_USAGE = 2,
	EXIT_UNREACHABLE = 3, /* no daemon, no answer in time, or an answer we cannot read */
};

struct cli {
	const char *socket;
	bool json; /* print the daemon's result as JSON */
};

/* One subcommand. argv[0] is its name; it returns the exit code. */
struct cli_cmd {
	const char *name;
	const char *args;
	const char *summary;
	int (*fn)(struct cli *cli, int argc, char **argv);
};

static int cmd_help(struct cli *cli, int argc, char **argv);

/* An identifier answer, "" when it is "unknown". */
static const char *known(const char *s)
{
	return strcmp(s, "unknown") == 0 ? "" : s;
}

static int die_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "homegate: %s%s%s (try homegate help)\n", msg, arg ? ": " : "",
		arg ? arg : "");
	return EXIT_USAGE;
}

/* Text from the daemon, made safe for a terminal: a device names itself over DHCP, and its
 * name must not move the cursor or retitle the window. Returns one of a few rotating buffers. */
static const char *clean(const char *s)
{
	static char bufs[8][1024];
	static unsigned next;
	char *b = bufs[next++ % ARRAY_SIZE(bufs)];

	util_sanitize(b, sizeof(bufs[0]), s ? s : "", s ? strlen(s) : 0);
	return b;
}

/* Prints text from the daemon line by line, each line sanitised like clean(). */
static void print_block(const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");
		char line[1024];

		util_sanitize(line, sizeof(line), text, n);
		printf("%s\n", line);
		text += n + (text[n] == '\n');
	}
}

/* ---- talking to the daemon ---- */

static void unreachable(const struct cli *cli, const char *what, int err)
{
	fprintf(stderr, "homegate: %s %s: %s (%s)\n", what, cli->socket,
		err == EAGAIN ? "timed out" : strerror(err),
		err == EACCES || err == EPERM ? "are you in the group that owns it?"
					      : "is homegated running?");
}

/* Sends one request line and reads one response line within TIMEOUT_MS. */
static int exchange(const struct cli *cli, json_object *req, json_object **resp)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = TIMEOUT_MS / 1000};
	const char *s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	size_t len, off = 0, cap = 65536, have = 0;
	int64_t deadline = util_mono_ms() + TIMEOUT_MS;
	char *line = NULL, *buf = NULL, *nl = NULL;
	int fd = -1, ret = EXIT_UNREACHABLE;

	*resp = NULL;
	if (strlen(cli->socket) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "homegate: socket path too long: %s\n", cli->socket);
		return EXIT_USAGE;
	}
	memcpy(sun.sun_path, cli->socket, strlen(cli->socket) + 1);
	len = s ? strlen(s) : 0;
	line = malloc(len + 1);
	buf = malloc(cap);
	if (!s || !line || !buf) {
		fprintf(stderr, "homegate: out of memory\n");
		goto out;
	}
	memcpy(line, s, len);
	line[len++] = '\n';
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		unreachable(cli, "cannot connect to", errno);
		goto out;
	}
	/* Bounds a blocking connect (full backlog) and send. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
		connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		unreachable(cli, "cannot connect to", errno);
		goto out;
	}
	while (off < len) {
		ssize_t w = send(fd, line + off, len - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EPIPE || errno == ECONNRESET))
			break; /* refused at once ("busy"): its reason may be waiting */
		if (w < 0) {
			unreachable(cli, "cannot send to", errno);
			goto out;
		}
		off += (size_t)w;
	}
	while (!nl) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int64_t left = deadline - util_mono_ms();
		ssize_t r;
		int p;

		if (left <= 0 || (p = poll(&pfd, 1, (int)left)) == 0) {
			fprintf(stderr, "homegate: no answer from %s within %d s\n", cli->socket,
				TIMEOUT_MS / 1000);
			goto out;
		}
		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0) {
			unreachable(cli, "cannot read from", errno);
			goto out;
		}
		if (have + 1 >= cap) {
			char *nb;

			if (cap >= MAX_RESPONSE) {
				fprintf(stderr, "homegate: answer from %s too large\n",
					cli->socket);
				goto out;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				fprintf(stderr, "homegate: out of memory\n");
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		r = recv(fd, buf + have, cap - have - 1, MSG_DONTWAIT);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0) {
			if (off < len)
				unreachable(cli, "cannot send to", EPIPE);
			else
				fprintf(stderr, "homegate: %s closed the connection\n",
					cli->socket);
			goto out;
		}
		nl = memchr(buf + have, '\n', (size_t)r);
		have += (size_t)r;
	}
	*nl = '\0';
	*resp = json_tokener_parse(buf);
	if (!*resp || !json_object_is_type(*resp, json_type_object)) {
		fprintf(stderr, "homegate: unreadable answer from %s\n", cli->socket);
		json_object_put(*resp);
		*resp = NULL;
		goto out;
	}
	ret = EXIT_OK;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(line);
	return ret;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

static int64_t num(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	return json_object_get_int64(v);
}

/* Sends req (taken), checks the answer and prints its result with print (or as JSON). */
static int run(const struct cli *cli, json_object *req, void (*print)(json_object *result))
{
	json_object *resp = NULL, *ok, *result = NULL;
	int ret;

	if (!req) {
		fprintf(stderr, "homegate: out of memory\n");
		return EXIT_UNREACHABLE;
	}
	ret = exchange(cli, req, &resp);
	json_object_put(req);
	if (ret)
		return ret;
	if (!json_object_object_get_ex(resp, "ok", &ok) || !json_object_get_boolean(ok)) {
		fprintf(stderr, "homegate: %s\n",
			*str(resp, "error") ? clean(str(resp, "error")) : "refused");
		ret = strcmp(str(resp, "code"), "busy") == 0 ? EXIT_UNREACHABLE : EXIT_REFUSED;
		goto out;
	}
	if (!json_object_object_get_ex(resp, "result", &result)) {
		fprintf(stderr, "homegate: unreadable answer from %s\n", cli->socket);
		ret = EXIT_UNREACHABLE;
		goto out;
	}
	if (cli->json)
		printf("%s\n",
			json_object_to_json_string_ext(result,
				JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		print(result);
out:
	json_object_put(resp);
	return ret;
}

/* ---- human output ---- */

static void ago(int64_t t, char *buf, size_t len)
{
	int64_t d = util_now() - t;

	if (t <= 0)
		snprintf(buf, len, "never");
	else if (d <= 0)
		snprintf(buf, len, "now");
	else if (d < 120)
		snprintf(buf, len, "%llds ago", (long long)d);
	else if (d < 7200)
		snprintf(buf, len, "%lldm ago", (long long)(d / 60));
	else if (d < 172800)
		snprintf(buf, len, "%lldh ago", (long long)(d / 3600));
	else
		snprintf(buf, len, "%lldd ago", (long long)(d / 86400));
}

static void duration(int64_t d, char *buf, size_t len)
{
	if (d < 0)
		d = 0;
	if (d < 60)
		snprintf(buf, len, "%llds", (long long)d);
	else if (d < 3600)
		snprintf(buf, len, "%lldm %llds", (long long)(d / 60), (long long)(d % 60));
	else if (d < 86400)
		snprintf(
			buf, len, "%lldh %lldm", (long long)(d / 3600), (long long)(d % 3600 / 60));
	else
		snprintf(buf, len, "%lldd %lldh", (long long)(d / 86400),
			(long long)(d % 86400 / 3600));
}

static void when(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !localtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "-");
}

/* Rows of cells printed in aligned columns; cells are sanitised copies. */
#define TABLE_COLS 8

struct table {
	unsigned ncols;
	size_t nrows, cap;
	char **cells; /* nrows * ncols */
	size_t width[TABLE_COLS];
};

static void table_add(struct table *t, const char *const *row)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **c = reallocarray(t->cells, cap, (size_t)t->ncols * sizeof(*c));

		if (!c)
			return; /* the table is shorter; main() reports nothing better */
		t->cells = c;
		t->cap = cap;
	}
	for (unsigned i = 0; i < t->ncols; i++) {
		const char *v = row[i] && row[i][0] ? clean(row[i]) : "-";
		char *cell = strdup(v);
		size_t w = strlen(v);

		t->cells[t->nrows * t->ncols + i] = cell;
		if (cell && w > t->width[i])
			t->width[i] = w;
	}
	t->nrows++;
}

/* Prints the rows; the first line starts with first, the others with rest. */
static void table_print(struct table *t, const char *first, const char *rest)
{
	for (size_t r = 0; r < t->nrows; r++) {
		fputs(r ? rest : first, stdout);
		for (unsigned i = 0; i < t->ncols; i++) {
			const char *cell = t->cells[r * t->ncols + i];

			if (i + 1 < t->ncols)
				printf("%-*s  ", (int)t->width[i], cell ? cell : "?");
			else
				printf("%s\n", cell ? cell : "?");
		}
	}
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

/* The address to show in one column: the first IPv4 address, else the first of any. */
static const char *main_addr(json_object *dev)
{
	json_object *addrs;
	const char *any = "";

	if (!json_object_object_get_ex(dev, "addresses", &addrs) ||
		!json_object_is_type(addrs, json_type_array))
		return "";
	for (size_t i = 0; i < json_object_array_length(addrs); i++) {
		json_object *a = json_object_array_get_idx(addrs, i);

		if (strcmp(str(a, "family"), "ipv4") == 0)
			return str(a, "addr");
		if (!any[0])
			any = str(a, "addr");
	}
	return any;
}

static void mud_text(json_object *d, char *buf, size_t len)
{
	if (*str(d, "mud_url"))
		snprintf(buf, len, "%s (%s)", str(d, "mud_url"), str(d, "mud_source"));
	else
		buf[0] = '\0';
}

/* The AP a device is associated to, or "-". */
static const char *wifi_text(json_object *d)
{
	json_object *w, *a;

	if (json_object_object_get_ex(d, "wifi", &w) &&
		json_object_object_get_ex(w, "associated", &a) && json_object_get_boolean(a))
		return str(w, "ap");
	return "-";
}

static void print_devices(json_object *arr)
{
	struct table t = {.ncols = 8};
	size_t n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;

	if (n == 0) {
		printf("no devices yet\n");
		return;
	}
	table_add(&t,
		(const char *[]){"MAC", "STATE", "IP", "HOSTNAME", "IDENTIFIED AS", "MUD/SOURCE",
			"LAST SEEN", "WI-FI"});
	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(arr, i);
		const char *ve = known(str(d, "vendor")), *mo = known(str(d, "model")),
			   *ca = known(str(d, "category"));
		char seen[32], mud[600], what[200];

		ago(num(d, "last_seen"), seen, sizeof(seen));
		mud_text(d, mud, sizeof(mud));
		snprintf(what, sizeof(what), "%s%s%s%s%s%s%s", ve, ve[0] && mo[0] ? " " : "", mo,
			(ve[0] || mo[0]) && ca[0] ? " (" : "", ca,
			(ve[0] || mo[0]) && ca[0] ? ")" : "",
			!ve[0] && !mo[0] && !ca[0] ? "-" : "");
		table_add(&t,
			(const char *[]){str(d, "mac"), str(d, "state"), main_addr(d),
				str(d, "hostname"), what, mud, seen, wifi_text(d)});
	}
	table_print(&t, "", "");
}

static void print_device(json_object *d)
{
	json_object *arr, *v = NULL;
	struct table t = {.ncols = 4};
	char a[32], b[32], text[640];

	printf("mac         %s\n", clean(str(d, "mac")));
	printf("state       %s\n", clean(str(d, "state")));
	if (strcmp(str(d, "state"), "forgotten") == 0)
		return;
	printf("online      %s\n",
		json_object_object_get_ex(d, "online", &v) && json_object_get_boolean(v) ? "yes"
											 : "no");
	{
		json_object *w, *wa;

		if (json_object_object_get_ex(d, "wifi", &w) && *str(w, "ap")) {
			char since[32];

			when(num(w, "since"), since, sizeof(since));
			printf("wifi        %s ap=%s%s%s since %s\n",
				json_object_object_get_ex(w, "associated", &wa) &&
						json_object_get_boolean(wa)
					? "associated"
					: "left",
				clean(str(w, "ap")), *str(w, "keyid") ? " keyid=" : "",
				clean(str(w, "keyid")), since);
		}
	}
	{
		json_object *p;

		if (json_object_object_get_ex(d, "dpp", &p)) {
			char since[32];

			when(num(p, "updated"), since, sizeof(since));
			printf("dpp         %s (enrollee %lld) since %s, key %.16s%s\n",
				clean(str(p, "state")), (long long)num(p, "enrollee"), since,
				*str(p, "boot_hash") ? clean(str(p, "boot_hash")) : "-",
				*str(p, "boot_hash") ? "..." : "");
		}
	}
	printf("hostname    %s\n", *str(d, "hostname") ? clean(str(d, "hostname")) : "-");
	mud_text(d, text, sizeof(text));
	printf("mud url     %s\n", text[0] ? clean(text) : "-");
	if (*str(d, "mud_status")) {
		snprintf(text, sizeof(text), "%s%s%s", str(d, "mud_status"),
			*str(d, "mud_reason") ? ": " : "", str(d, "mud_reason"));
		printf("mud status  %s\n", clean(text));
	}
	if (*str(d, "mud_hash"))
		printf("mud file    sha256 %s\n", clean(str(d, "mud_hash")));
	if (*str(d, "vendor") || *str(d, "model") || *str(d, "category")) {
		const char *ve = known(str(d, "vendor")), *mo = known(str(d, "model")),
			   *ca = known(str(d, "category"));

		snprintf(text, sizeof(text), "%s%s%s%s%s%s", ve[0] || mo[0] ? "" : "unknown device",
			ve, ve[0] && mo[0] ? " " : "", mo, ca[0] ? ", " : "", ca);
		if (!json_object_object_get_ex(d, "confidence", &v))
			v = NULL;
		printf("identified  %s (confidence %.2f)\n", clean(text),
			json_object_get_double(v));
	}
	if (json_object_object_get_ex(d, "evidence", &arr) &&
		json_object_is_type(arr, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			json_object *x = json_object_array_get_idx(arr, i), *w;

			if (!json_object_object_get_ex(x, "weight", &w))
				w = NULL;
			snprintf(text, sizeof(text), "%s = %s", str(x, "signal"), str(x, "value"));
			printf("  signal    %s (%+.2f)\n", clean(text), json_object_get_double(w));
		}
	}
	if (*str(d, "class_flag"))
		printf("identity    CONTRADICTS ITS MUD FILE: %s\n", clean(str(d, "class_flag")));
	when(num(d, "first_seen"), a, sizeof(a));
	ago(num(d, "first_seen"), b, sizeof(b));
	printf("first seen  %s (%s)\n", a, b);
	when(num(d, "last_seen"), a, sizeof(a));
	ago(num(d, "last_seen"), b, sizeof(b));
	printf("last seen   %s (%s)\n", a, b);
	if (json_object_object_get_ex(d, "addresses", &arr) &&
		json_object_is_type(arr, json_type_array) && json_object_array_length(arr)) {
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			json_object *x = json_object_array_get_idx(arr, i);

			when(num(x, "expires"), a, sizeof(a));
			snprintf(text, sizeof(text), "lease until %s", a);
			table_add(&t,
				(const char *[]){str(x, "addr"), str(x, "family"), str(x, "source"),
					num(x, "expires") ? text : ""});
		}
		table_print(&t, "addresses   ", "            ");
	}
	t.ncols = 3;
	if (json_object_object_get_ex(d, "identities", &arr) &&
		json_object_is_type(arr, json_type_array) && json_object_array_length(arr)) {
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			json_object *x = json_object_array_get_idx(arr, i);

			snprintf(
				text, sizeof(text), "%s, %s", str(x, "source"), str(x, "strength"));
			table_add(&t, (const char *[]){str(x, "kind"), str(x, "value"), text});
		}
		table_print(&t, "evidence    ", "            ");
	}
}

static void print_changed(json_object *d)
{
	if (strcmp(str(d, "state"), "forgotten") == 0)
		printf("%s forgotten\n", clean(str(d, "mac")));
	else
		printf("%s is now %s\n", clean(str(d, "mac")), clean(str(d, "state")));
}

static void print_status(json_object *s)
{
	json_object *devs;
	char up[32], eng[32];
	const char *sep = " (";

	duration(num(s, "uptime"), up, sizeof(up));
	duration(num(s, "engine_uptime"), eng, sizeof(eng));
	printf("homegated   %s\n", clean(str(s, "version")));
	printf("up          %s (engine up %s, %lld engine restart%s)\n", up, eng,
		(long long)num(s, "engine_restarts"), num(s, "engine_restarts") == 1 ? "" : "s");
	printf("state dir   %s\n", clean(str(s, "state_dir")));
	if (*str(s, "identify"))
		printf("identify    %s\n", clean(str(s, "identify")));
	if (*str(s, "dpp"))
		printf("dpp         %s\n", clean(str(s, "dpp")));
	if (!json_object_object_get_ex(s, "devices", &devs) ||
		!json_object_is_type(devs, json_type_object))
		return;
	printf("devices     %lld", (long long)num(devs, "total"));
	json_object_object_foreach(devs, k, v)
	{
		if (strcmp(k, "total") == 0 || json_object_get_int64(v) == 0)
			continue;
		printf("%s%lld %s", sep, (long long)json_object_get_int64(v), clean(k));
		sep = ", ";
	}
	printf("%s\n", sep[0] == ',' ? ")" : "");
}

static void print_log(json_object *arr)
{
	struct table t = {.ncols = 6};
	size_t n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;

	if (n == 0) {
		printf("no audit entries\n");
		return;
	}
	table_add(&t, (const char *[]){"TIME", "MAC", "WHO", "ACTION", "CHANGE", "WHY"});
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		char tm[32], change[64] = "";

		when(num(e, "time"), tm, sizeof(tm));
		if (*str(e, "from") || *str(e, "to"))
			snprintf(change, sizeof(change), "%s -> %s",
				*str(e, "from") ? str(e, "from") : "-", str(e, "to"));
		table_add(&t,
			(const char *[]){tm, str(e, "mac"), str(e, "who"), str(e, "action"), change,
				str(e, "why")});
	}
	table_print(&t, "", "");
}

/* ---- commands ---- */

/* Takes --json or -j wherever it appears after the command. */
static bool json_flag(struct cli *cli, const char *arg)
{
	if (strcmp(arg, "--json") != 0 && strcmp(arg, "-j") != 0)
		return false;
	cli->json = true;
	return true;
}

static json_object *request(const char *cmd, const char *mac)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "cmd", json_object_new_string(cmd));
	if (mac)
		json_object_object_add(o, "mac", json_object_new_string(mac));
	return o;
}

/* Checks a MAC before anything is sent, so that a typo is a usage error. */
static bool mac_ok(const char *s)
{
	struct hg_mac m;

	return util_mac_parse(s, &m) == 0;
}

static int cmd_status(struct cli *cli, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!json_flag(cli, argv[i]))
			return die_usage("unexpected argument", argv[i]);
	return run(cli, request("status", NULL), print_status);
}

static int cmd_devices(struct cli *cli, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!json_flag(cli, argv[i]))
			return die_usage("unexpected argument", argv[i]);
	return run(cli, request("devices", NULL), print_devices);
}

static int cmd_device(struct cli *cli, int argc, char **argv)
{
	const char *mac = NULL;

	for (int i = 1; i < argc; i++) {
		if (json_flag(cli, argv[i]))
			continue;
		if (mac || argv[i][0] == '-')
			return die_usage("unexpected argument", argv[i]);
		mac = argv[i];
	}
	if (!mac)
		return die_usage("usage", "homegate device MAC");
	if (!mac_ok(mac))
		return die_usage("not a MAC address", mac);
	return run(cli, request("device", mac), print_device);
}

/* approve, block, quarantine, release, forget MAC [--why TEXT] */
static int cmd_change(struct cli *cli, int argc, char **argv)
{
	const char *mac = NULL, *why = NULL;
	json_object *req;

	for (int i = 1; i < argc; i++) {
		if (json_flag(cli, argv[i]))
			continue;
		if (strcmp(argv[i], "--why") == 0) {
			if (i + 1 == argc)
				return die_usage("--why needs a text", NULL);
			why = argv[++i];
		} else if (strncmp(argv[i], "--why=", 6) == 0) {
			why = argv[i] + 6;
		} else if (mac || argv[i][0] == '-') {
			return die_usage("unexpected argument", argv[i]);
		} else {
			mac = argv[i];
		}
	}
	if (!mac)
		return die_usage("missing MAC for", argv[0]);
	if (!mac_ok(mac))
		return die_usage("not a MAC address", mac);
	if (why && strlen(why) > 200)
		return die_usage("--why takes at most 200 bytes", NULL);
	req = request(argv[0], mac);
	if (req && why)
		json_object_object_add(req, "why", json_object_new_string(why));
	return run(cli, req, print_changed);
}

static int cmd_log(struct cli *cli, int argc, char **argv)
{
	const char *mac = NULL;
	long long n = 50;
	json_object *req;

	for (int i = 1; i < argc; i++) {
		if (json_flag(cli, argv[i]))
			continue;
		if (strcmp(argv[i], "-n") == 0) {
			if (i + 1 == argc || util_parse_int(argv[i + 1], 1, 1000, &n) < 0)
				return die_usage("-n takes a number 1..1000", NULL);
			i++;
		} else if (mac || argv[i][0] == '-') {
			return die_usage("unexpected argument", argv[i]);
		} else {
			mac = argv[i];
		}
	}
	if (mac && !mac_ok(mac))
		return die_usage("not a MAC address", mac);
	req = request("log", mac);
	if (req)
		json_object_object_add(req, "limit", json_object_new_int64(n));
	return run(cli, req, print_log);
}

/* The daemon's plain-language summary of a MUD file, one "name  value" line per member. */
static void print_summary(json_object *sum)
{
	json_object_object_foreach(sum, key, val)
	{
		char name[24];

		snprintf(name, sizeof(name), "%s", key);
		for (char *p = name; *p; p++)
			if (*p == '_')
				*p = ' ';
		if (json_object_is_type(val, json_type_array)) {
			size_t n = json_object_array_length(val);

			printf("%-11s ", name);
			for (size_t i = 0; i < n; i++)
				printf("%s%s", i ? ", " : "",
					clean(json_object_get_string(
						json_object_array_get_idx(val, i))));
			printf("%s\n", n ? "" : "-");
		} else if (json_object_is_type(val, json_type_boolean)) {
			printf("%-11s %s\n", name, json_object_get_boolean(val) ? "yes" : "no");
		} else if (!json_object_is_type(val, json_type_object) && val) {
			const char *v = json_object_get_string(val);

			printf("%-11s %s\n", name, *v ? clean(v) : "-");
		}
	}
}

static void print_mud(json_object *o)
{
	json_object *v, *sum;
	char a[32], b[32];

	printf("url         %s\n", clean(str(o, "url")));
	printf("status      %s%s%s\n", clean(str(o, "status")), *str(o, "reason") ? ": " : "",
		*str(o, "reason") ? clean(str(o, "reason")) : "");
	if (*str(o, "file_hash")) {
		printf("file        sha256 %s\n", clean(str(o, "file_hash")));
		printf("signer      %s\n",
			*str(o, "signer") ? clean(str(o, "signer")) : "(unsigned)");
		when(num(o, "fetched"), a, sizeof(a));
		ago(num(o, "fetched"), b, sizeof(b));
		printf("fetched     %s (%s)\n", a, b);
		when(num(o, "refresh"), a, sizeof(a));
		printf("next check  %s\n", a);
	}
	if (json_object_object_get_ex(o, "pending", &v) && v) {
		printf("waiting     sha256 %s: %s\n", clean(str(v, "file_hash")),
			clean(str(v, "reason")));
		printf("            accept with: homegate mud accept MAC\n");
	}
	/* The same lines `homegate mud check` prints; the members of summary otherwise. */
	if (json_object_object_get_ex(o, "summary_text", &sum) &&
		json_object_is_type(sum, json_type_string))
		print_block(json_object_get_string(sum));
	else if (json_object_object_get_ex(o, "summary", &sum) && sum)
		print_summary(sum);
	if (json_object_object_get_ex(o, "devices", &v) &&
		json_object_is_type(v, json_type_array)) {
		printf("devices    ");
		for (size_t i = 0; i < json_object_array_length(v); i++)
			printf(" %s",
				clean(json_object_get_string(json_object_array_get_idx(v, i))));
		printf("\n");
	}
}

/* mud show URL|MAC, mud refresh MAC, mud accept MAC [--why TEXT]: ask the daemon. */
static int cmd_mud_daemon(struct cli *cli, int argc, char **argv)
{
	const char *what = argv[1], *arg = NULL, *why = NULL;
	json_object *req;

	for (int i = 2; i < argc; i++) {
		if (json_flag(cli, argv[i]))
			continue;
		if (strcmp(what, "accept") == 0 && strcmp(argv[i], "--why") == 0 && i + 1 < argc)
			why = argv[++i];
		else if (arg || argv[i][0] == '-')
			return die_usage("unexpected argument", argv[i]);
		else
			arg = argv[i];
	}
	if (!arg)
		return die_usage("usage",
			strcmp(what, "show") == 0 ? "homegate mud show URL|MAC"
						  : "homegate mud refresh|accept MAC");
	if (why && strlen(why) > 200)
		return die_usage("--why takes at most 200 bytes", NULL);
	if (strcmp(what, "show") == 0) {
		bool is_url = strncmp(arg, "https://", 8) == 0;

		if (!is_url && !mac_ok(arg))
			return die_usage("neither an https URL nor a MAC address", arg);
		req = request("mud_show", is_url ? NULL : arg);
		if (req && is_url)
			json_object_object_add(req, "url", json_object_new_string(arg));
		return run(cli, req, print_mud);
	}
	if (!mac_ok(arg))
		return die_usage("not a MAC address", arg);
	req = request(strcmp(what, "refresh") == 0 ? "mud_refresh" : "mud_accept", arg);
	if (req && why)
		json_object_object_add(req, "why", json_object_new_string(why));
	return run(cli, req, print_device);
}

/* The bytes of a scanned code in FILE or "-" (at most a QR code's 2953), without the final
 * newline a scanner or an editor may add. */
static int read_code(const char *file, char *buf, size_t cap, size_t *len)
{
	FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
	size_t n;

	if (!f) {
		fprintf(stderr, "homegate: %s: %s\n", file, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, cap, f);
	if (f != stdin)
		fclose(f);
	if (n == cap) {
		fprintf(stderr, "homegate: %s: a QR payload is at most 2953 bytes\n", file);
		return -1;
	}
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	*len = n;
	return 0;
}

/* mud qr FILE|- [--mac MAC]: the bytes of a scanned RFC 9238 code, sent as they are. */
static int cmd_mud_qr(struct cli *cli, int argc, char **argv)
{
	const char *file = NULL, *mac = NULL;
	char buf[4096];
	json_object *req;
	size_t n = 0;

	for (int i = 2; i < argc; i++) {
		if (json_flag(cli, argv[i]))
			continue;
		if (strcmp(argv[i], "--mac") == 0 && i + 1 < argc)
			mac = argv[++i];
		else if (file || (argv[i][0] == '-' && argv[i][1]))
			return die_usage("unexpected argument", argv[i]);
		else
			file = argv[i];
	}
	if (!file)
		return die_usage("usage", "homegate mud qr FILE|- [--mac MAC]");
	if (mac && !mac_ok(mac))
		return die_usage("not a MAC address", mac);
	if (read_code(file, buf, sizeof(buf), &n) < 0)
		return EXIT_USAGE;
	req = request("mud_qr", mac);
	if (req)
		json_object_object_add(req, "payload", json_object_new_string_len(buf, (int)n));
	return run(cli, req, print_device);
}

static int cmd_mud(struct cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "qr") == 0)
		return cmd_mud_qr(cli, argc, argv);
	if (argc >= 2 &&
		(strcmp(argv[1], "show") == 0 || strcmp(argv[1], "refresh") == 0 ||
			strcmp(argv[1], "accept") == 0))
		return cmd_mud_daemon(cli, argc, argv);
	return mud_cmd(argc, argv, cli->json);
}

/* ---- per-device Wi-Fi passwords ---- */

static bool psk_warned;

/* A warning (a hostapd that did not reload) goes to stderr and makes the exit status 1. */
static void psk_warning(json_object *r)
{
	if (*str(r, "warning")) {
		fprintf(stderr, "homegate: %s\n", clean(str(r, "warning")));
		psk_warned = true;
	}
}

static void print_psk_new(json_object *r)
{
	printf("passphrase  %s\n", clean(str(r, "passphrase")));
	printf("keyid       %s\n", clean(str(r, "keyid")));
	if (num(r, "vlan"))
		printf("vlan        %lld\n", (long long)num(r, "vlan"));
	printf("wpa_psk_file %s (the passphrase is shown only this once)\n",
		clean(str(r, "psk_file")));
	psk_warning(r);
}

static void print_psk_revoke(json_object *r)
{
	printf("revoked %s from %s\n", clean(str(r, "mac")), clean(str(r, "psk_file")));
	psk_warning(r);
}

static void print_psk_list(json_object *r)
{
	struct table t = {.ncols = 3};
	json_object *arr = NULL;
	size_t n;

	json_object_object_get_ex(r, "entries", &arr);
	n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	printf("wpa_psk_file %s: %zu %s\n", clean(str(r, "psk_file")), n,
		n == 1 ? "entry" : "entries");
	if (!n)
		return;
	table_add(&t, (const char *[]){"MAC", "KEYID", "VLAN"});
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		char vlan[16];

		snprintf(vlan, sizeof(vlan), "%lld", (long long)num(e, "vlan"));
		table_add(&t,
			(const char *[]){str(e, "mac"), *str(e, "keyid") ? str(e, "keyid") : "-",
				num(e, "vlan") ? vlan : "-"});
	}
	table_print(&t, "", "");
}

static int cmd_psk(struct cli *cli, int argc, char **argv)
{
	const char *what = argc >= 2 ? argv[1] : "", *mac = NULL;
	long long vlan = 0;
	json_object *req;
	int ret;

	for (int i = 2; i < argc; i++) {
		if (json_flag(cli, argv[i]))
			continue;
		if (strcmp(what, "new") == 0 && strcmp(argv[i], "--vlan") == 0) {
			if (i + 1 == argc || util_parse_int(argv[i + 1], 1, 4094, &vlan) < 0)
				return die_usage("--vlan takes a VLAN ID 1..4094", NULL);
			i++;
		} else if (mac || argv[i][0] == '-' || strcmp(what, "list") == 0) {
			return die_usage("unexpected argument", argv[i]);
		} else {
			mac = argv[i];
		}
	}
	if (strcmp(what, "list") == 0)
		return run(cli, request("psk_list", NULL), print_psk_list);
	if (strcmp(what, "new") != 0 && strcmp(what, "revoke") != 0)
		return die_usage("usage", "homegate psk new MAC [--vlan N] | revoke MAC | list");
	if (!mac)
		return die_usage("missing MAC for psk", what);
	if (!mac_ok(mac))
		return die_usage("not a MAC address", mac);
	req = request(strcmp(what, "new") == 0 ? "psk_new" : "psk_revoke", mac);
	if (req && vlan)
		json_object_object_add(req, "vlan", json_object_new_int((int)vlan));
	psk_warned = false;
	ret = run(cli, req, strcmp(what, "new") == 0 ? print_psk_new : print_psk_revoke);
	return ret == EXIT_OK && psk_warned ? EXIT_REFUSED : ret;
}

static int cmd_analyze(struct cli *cli, int argc, char **argv)
{
	return analyze_cmd(argc, argv, cli->json);
}

static void print_enrollee(json_object *e)
{
	json_object *w = NULL;
	bool waiting = json_object_object_get_ex(e, "waiting", &w) && json_object_get_boolean(w);

	printf("%-4lld %-11s%s ", (long long)num(e, "id"), clean(str(e, "state")),
		waiting ? "*" : " ");
	printf("%-17s ", *str(e, "mac") ? clean(str(e, "mac")) : "-");
	printf("%-20s ", *str(e, "name") ? clean(str(e, "name")) : "-");
	printf("%s", *str(e, "mud_url") ? clean(str(e, "mud_url")) : "-");
	if (*str(e, "why"))
		printf("  # %s", clean(str(e, "why")));
	printf("\n");
}

static void print_dpp_list(json_object *r)
{
	json_object *a = NULL;

	printf("controller   %s\n", clean(str(r, "controller")));
	printf("gateway code %s\n", clean(str(r, "uri")));
	if (!json_object_object_get_ex(r, "enrollees", &a) || !json_object_array_length(a)) {
		printf("no enrollees\n");
		return;
	}
	printf("%-4s %-12s %-17s %-20s %s\n", "ID", "STATE", "MAC", "NAME", "MUD URL");
	for (size_t i = 0; i < json_object_array_length(a); i++)
		print_enrollee(json_object_array_get_idx(a, i));
	printf("(* waiting: homegate dpp approve ID | homegate dpp deny ID)\n");
}

/* dpp add URI [--mud FILE|-]: the device's DPP code and, from the same label, its RFC 9238 MUD
 * code; both name the device by MAC, and must agree. The MUD code then goes the way of
 * `homegate mud qr` for that MAC. */
static int cmd_dpp_add(struct cli *cli, const char *uri, const char *mud_file)
{
	struct dpp_uri u;
	struct mud_qr q;
	char buf[4096], err[192], macs[HG_MAC_STRLEN] = "";
	json_object *req;
	size_t n = 0;
	int ret;

	if (dpp_uri_parse(uri, strlen(uri), &u, err, sizeof(err)) < 0)
		return die_usage("not a DPP URI", err);
	if (u.flags & DPP_URI_HAS_MAC)
		util_mac_format(&u.mac, macs);
	if (mud_file) {
		if (read_code(mud_file, buf, sizeof(buf), &n) < 0)
			return EXIT_USAGE;
		if (mud_qr_parse(buf, n, &q, err, sizeof(err)) < 0)
			return die_usage("not an RFC 9238 MUD code", err);
		if ((q.flags & MUD_QR_HAS_MAC) && macs[0] && !util_mac_equal(&q.mac, &u.mac)) {
			char other[HG_MAC_STRLEN];

			fprintf(stderr,
				"homegate: the DPP code names %s and the MUD code %s: not one "
				"device\n",
				macs, util_mac_format(&q.mac, other));
			return EXIT_USAGE;
		}
		if (!macs[0] && (q.flags & MUD_QR_HAS_MAC))
			util_mac_format(&q.mac, macs);
		if (!macs[0])
			return die_usage(
				"neither code names the device's MAC, so the MUD URL cannot "
				"be bound to it (homegate mud qr FILE --mac MAC)",
				NULL);
	}
	req = request("dpp_add", mud_file && macs[0] ? macs : NULL);
	if (req)
		json_object_object_add(req, "payload", json_object_new_string(uri));
	ret = run(cli, req, print_enrollee);
	if (ret != 0 || !mud_file)
		return ret;
	req = request("mud_qr", macs);
	if (req)
		json_object_object_add(req, "payload", json_object_new_string_len(buf, (int)n));
	return run(cli, req, print_device);
}

/* dpp add URI | dpp list | dpp approve|deny ID [--why TEXT]: ask the daemon. */
static int cmd_dpp_daemon(struct cli *cli, int argc, char **argv)
{
	const char *what = argv[1], *arg = NULL, *why = NULL, *mud = NULL;
	bool decide = strcmp(what, "approve") == 0 || strcmp(what, "deny") == 0;
	json_object *req;
	long long id = 0;

	for (int i = 2; i < argc; i++) {
		if (json_flag(cli, argv[i]))
			continue;
		if (decide && strcmp(argv[i], "--why") == 0 && i + 1 < argc)
			why = argv[++i];
		else if (strcmp(what, "add") == 0 && strcmp(argv[i], "--mud") == 0 && i + 1 < argc)
			mud = argv[++i];
		else if (arg || argv[i][0] == '-' || strcmp(what, "list") == 0)
			return die_usage("unexpected argument", argv[i]);
		else
			arg = argv[i];
	}
	if (strcmp(what, "list") == 0)
		return run(cli, request("dpp_list", NULL), print_dpp_list);
	if (!arg)
		return die_usage("usage",
			decide ? "homegate dpp approve|deny ID [--why TEXT]"
			       : "homegate dpp add URI [--mud FILE|-]");
	if (why && strlen(why) > 200)
		return die_usage("--why takes at most 200 bytes", NULL);
	if (decide) {
		if (util_parse_int(arg, 1, INT64_MAX, &id) < 0)
			return die_usage("not an enrollee id", arg);
		req = request(strcmp(what, "approve") == 0 ? "dpp_approve" : "dpp_deny", NULL);
		if (req) {
			json_object_object_add(req, "id", json_object_new_int64(id));
			if (why)
				json_object_object_add(req, "why", json_object_new_string(why));
		}
		return run(cli, req, print_enrollee);
	}
	return cmd_dpp_add(cli, arg, mud);
}

static int cmd_dpp(struct cli *cli, int argc, char **argv)
{
	if (argc >= 2 &&
		(strcmp(argv[1], "add") == 0 || strcmp(argv[1], "list") == 0 ||
			strcmp(argv[1], "approve") == 0 || strcmp(argv[1], "deny") == 0))
		return cmd_dpp_daemon(cli, argc, argv);
	return dpp_cmd(argc, argv, cli->json);
}

/* ---- controllers ---- */

static void print_controller(json_object *c)
{
	bool cls = strcmp(str(c, "kind"), "class") == 0;

	printf("%s %s %s\n", clean(str(c, "mac")), cls ? "class" : "for", clean(str(c, "uri")));
}

static void print_controllers(json_object *arr)
{
	struct table t = {.ncols = 5};
	size_t n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;

	table_add(&t, (const char *const[]){"MAC", "KIND", "CLASS / MUD URL", "ADDED", "BY"});
	for (size_t i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(arr, i);
		char added[32];

		when(num(c, "added"), added, sizeof(added));
		table_add(&t,
			(const char *const[]){str(c, "mac"),
				strcmp(str(c, "kind"), "class") == 0 ? "controller"
								     : "my-controller",
				str(c, "uri"), added, str(c, "who")});
	}
	if (n)
		table_print(&t, "", "");
	else
		printf("no controllers declared\n");
}

/* controller add|del CLASS-URI MAC, controller add|del --for MUD-URL MAC, controller list */
static int cmd_controller(struct cli *cli, int argc, char **argv)
{
	const char *what = argc >= 2 ? argv[1] : "", *uri = NULL, *mac = NULL;
	bool for_url = false, change = strcmp(what, "add") == 0 || strcmp(what, "del") == 0;
	json_object *req;
	char cmd[24];

	if (!change && strcmp(what, "list") != 0)
		return die_usage("usage",
			"homegate controller add|del CLASS-URI MAC, add|del --for MUD-URL MAC, "
			"list");
	for (int i = 2; i < argc; i++) {
		if (json_flag(cli, argv[i]))
			continue;
		if (change && strcmp(argv[i], "--for") == 0 && !for_url && !uri)
			for_url = true;
		else if (change && !uri)
			uri = argv[i];
		else if (change && !mac)
			mac = argv[i];
		else
			return die_usage("unexpected argument", argv[i]);
	}
	snprintf(cmd, sizeof(cmd), "controller_%s", what);
	if (!change)
		return run(cli, request(cmd, NULL), print_controllers);
	if (!uri || !mac)
		return die_usage("usage",
			for_url ? "homegate controller add|del --for MUD-URL MAC"
				: "homegate controller add|del CLASS-URI MAC");
	if (!mac_ok(mac))
		return die_usage("not a MAC address", mac);
	if (strlen(uri) > 255)
		return die_usage(for_url ? "a MUD URL is at most 255 bytes"
					 : "a controller class URI is at most 255 bytes",
			NULL);
	req = request(cmd, mac);
	if (req)
		json_object_object_add(req, for_url ? "url" : "uri", json_object_new_string(uri));
	return run(cli, req, print_controller);
}

/* Subcommands in the order help lists them; later stages (dpp) add rows here. */
static const struct cli_cmd cli_cmds[] = {
	{"status", "", "daemon and registry summary", cmd_status},
	{"devices", "", "every device, one per line", cmd_devices},
	{"device", "MAC", "everything known about one device", cmd_device},
	{"approve", "MAC [--why TEXT]", "give the device its policy", cmd_change},
	{"block", "MAC [--why TEXT]", "nothing but DHCP for the device", cmd_change},
	{"quarantine", "MAC [--why TEXT]", "DNS, NTP and updates only", cmd_change},
	{"release", "MAC [--why TEXT]", "end quarantine: back to the previous state", cmd_change},
	{"forget", "MAC [--why TEXT]", "delete the device and its data", cmd_change},
	{"log", "[MAC] [-n N]", "audit log, newest first", cmd_log},
	{"psk", "new MAC [--vlan N]", "a Wi-Fi passphrase for the device alone (shown once)",
		cmd_psk},
	{"psk", "revoke MAC", "remove the device's Wi-Fi passphrase", cmd_psk},
	{"psk", "list", "devices with a passphrase (MAC, keyid, VLAN; never passphrases)", cmd_psk},
	{"analyze", "[--db FPDB]... [--oui FILE] CAPTURE...",
		"identify the devices in pcap/pcapng captures", cmd_analyze},
	{"mud", "check [--ca PEM] FILE [SIG]", "validate a MUD file offline", cmd_mud},
	{"mud", "compile [OPTIONS] FILE", "the nftables script a MUD file compiles to", cmd_mud},
	{"mud", "show URL|MAC", "a MUD file as the daemon holds it", cmd_mud},
	{"mud", "refresh MAC", "fetch the device's MUD file again now", cmd_mud},
	{"mud", "accept MAC [--why TEXT]", "accept a waiting MUD update or URL", cmd_mud},
	{"mud", "qr FILE|- [--mac MAC]", "take a MUD URL from a scanned QR code", cmd_mud},
	{"dpp",
		"uri [--qr text|png|svg [--output FILE]] [--state-dir DIR] [--mac MAC] "
		"[--chan 81/1,6,11] [--info TEXT]",
		"the gateway's DPP bootstrapping URI or its QR code (creates its key on first use)",
		cmd_dpp},
	{"dpp", "add URI [--mud FILE|-]",
		"a device's scanned code (and its MUD code): credentials when it asks", cmd_dpp},
	{"dpp", "list", "the Controller, its enrollees and the requests waiting", cmd_dpp},
	{"dpp", "approve|deny ID [--why TEXT]", "answer a request waiting for you", cmd_dpp},
	{"controller", "add|del CLASS-URI MAC",
		"the device is a controller of that class (MUD \"controller\")", cmd_controller},
	{"controller", "add|del --for MUD-URL MAC",
		"the device is my-controller of the devices using that MUD URL", cmd_controller},
	{"controller", "list", "the declared controllers", cmd_controller},
	{"help", "", "this text", cmd_help},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: homegate [-s SOCKET] [--json] COMMAND [ARGS]\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(cli_cmds); i++) {
		char head[160];

		snprintf(head, sizeof(head), "%s%s%s", cli_cmds[i].name,
			cli_cmds[i].args[0] ? " " : "", cli_cmds[i].args);
		/* A long synopsis gets its own line, the summary the next. */
		if (strlen(head) > 32)
			fprintf(f, "  %s\n  %-32s %s\n", head, "", cli_cmds[i].summary);
		else
			fprintf(f, "  %-32s %s\n", head, cli_cmds[i].summary);
	}
	fprintf(f,
		"options:\n"
		"  -s, --socket PATH  control socket (default $HOMEGATE_SOCKET or " DEFAULT_SOCKET
		")\n"
		"  -j, --json         print the daemon's JSON result (also after the command)\n"
		"  -h, --help         this text\n"
		"      --version      print the version\n"
		"exit status: 0 ok, 1 refused by the daemon, 2 usage error, 3 daemon "
		"unreachable\n");
}

static int cmd_help(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	(void)argv;
	usage(stdout);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct cli cli = {.socket = getenv("HOMEGATE_SOCKET")};
	int c;

	if (!cli.socket || !*cli.socket)
		cli.socket = DEFAULT_SOCKET;
	/* "+": options stop at the command, so "log -n 5" reaches the command. */
	while ((c = getopt_long(argc, argv, "+s:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			cli.socket = optarg;
			break;
		case 'j':
			cli.json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("homegate %s\n", HOMEGATE_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < ARRAY_SIZE(cli_cmds); i++)
		if (strcmp(argv[optind], cli_cmds[i].name) == 0)
			return cli_cmds[i].fn(&cli, argc - optind, argv + optind);
	return die_usage("unknown command", argv[optind]);
}
