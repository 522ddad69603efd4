/* SPDX-License-Identifier: GPL-2.0-or-later */
/* homegate: command-line client of homegated's control socket. */
#include "cmd/mud_cmd.h"
#include "core/util.h"

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
	EXIT_UNREACHABLE = 3,
};

struct cli {
	const char *socket;
	bool json;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: homegate [-s SOCKET] [--json] COMMAND [ARGS]\n"
		"commands:\n"
		"  status                      daemon and registry summary\n"
		"  devices                     list every device\n"
		"  device MAC                  everything known about one device\n"
		"  approve MAC [--why TEXT]    give the device its policy\n"
		"  block MAC [--why TEXT]      nothing but DHCP\n"
		"  quarantine MAC [--why TEXT] DNS, NTP and updates only\n"
		"  release MAC [--why TEXT]    end quarantine, back to the previous state\n"
		"  forget MAC [--why TEXT]     delete the device and its data\n"
		"  log [MAC] [-n N]            audit log, newest first\n"
		"  mud check MUDFILE           validate a MUD file offline and summarise it\n"
		"options:\n"
		"  -s, --socket PATH  control socket (default $HOMEGATE_SOCKET or " DEFAULT_SOCKET
		")\n"
		"  -j, --json         print the daemon's JSON result\n"
		"exit status: 0 ok, 1 refused by the daemon, 2 usage error, 3 daemon "
		"unreachable\n");
}

static int die_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "homegate: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	return EXIT_USAGE;
}

/* Sends one request line and reads one response line. */
static int exchange(const struct cli *cli, json_object *req, json_object **resp)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	const char *line = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(line), off = 0, cap = 65536, have = 0;
	char *buf = NULL;
	int fd = -1, ret = EXIT_UNREACHABLE;
	int64_t deadline = util_mono_ms() + TIMEOUT_MS;

	if (strlen(cli->socket) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "homegate: socket path too long: %s\n", cli->socket);
		return EXIT_USAGE;
	}
	memcpy(sun.sun_path, cli->socket, strlen(cli->socket) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "homegate: cannot connect to %s: %s (is homegated running?)\n",
			cli->socket, strerror(errno));
		goto out;
	}
	while (off <= len) {
		const char *p = off < len ? line + off : "\n";
		size_t n = off < len ? len - off : 1;
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			fprintf(stderr, "homegate: %s: %s\n", cli->socket, strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	buf = malloc(cap);
	if (!buf)
		goto out;
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int64_t left = deadline - util_mono_ms();
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
			fprintf(stderr, "homegate: no answer from %s within %d s\n", cli->socket,
				TIMEOUT_MS / 1000);
			goto out;
		}
		if (have + 4096 > cap) {
			char *nb;

			if (cap >= MAX_RESPONSE) {
				fprintf(stderr, "homegate: answer too large\n");
				goto out;
			}
			nb = realloc(buf, cap * 2);
			if (!nb)
				goto out;
			buf = nb;
			cap *= 2;
		}
		r = recv(fd, buf + have, cap - have - 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "homegate: %s closed the connection\n", cli->socket);
			goto out;
		}
		have += (size_t)r;
		if (memchr(buf, '\n', have))
			break;
	}
	buf[have] = '\0';
	*resp = json_tokener_parse(buf);
	if (!*resp || !json_object_is_type(*resp, json_type_object)) {
		fprintf(stderr, "homegate: unreadable answer from %s\n", cli->socket);
		json_object_put(*resp);
		*resp = NULL;
		goto out;
	}
	ret = EXIT_OK;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return ret;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
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

static void ago(int64_t t, char *buf, size_t len)
{
	int64_t d = util_now() - t;

	if (t == 0)
		snprintf(buf, len, "never");
	else if (d < 0)
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

static void when(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t) {
		snprintf(buf, len, "-");
		return;
	}
	localtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static const char *first_ipv4(json_object *dev)
{
	json_object *addrs;
	const char *best = "-";

	if (!json_object_object_get_ex(dev, "addresses", &addrs))
		return best;
	for (size_t i = 0; i < json_object_array_length(addrs); i++) {
		json_object *a = json_object_array_get_idx(addrs, i);

		if (strcmp(str(a, "family"), "ipv4") == 0)
			best = str(a, "addr");
	}
	return best;
}

static void print_devices(json_object *arr)
{
	size_t n = json_object_array_length(arr);

	printf("%-17s  %-11s  %-15s  %-20s  %-9s  %s\n", "MAC", "STATE", "IPV4", "HOSTNAME",
		"LAST SEEN", "MUD URL (SOURCE)");
	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(arr, i);
		char seen[32], mud[320];

		ago(num(d, "last_seen"), seen, sizeof(seen));
		if (*str(d, "mud_url"))
			snprintf(mud, sizeof(mud), "%s (%s)", str(d, "mud_url"),
				str(d, "mud_source"));
		else
			snprintf(mud, sizeof(mud), "-");
		printf("%-17s  %-11s  %-15s  %-20s  %-9s  %s\n", str(d, "mac"), str(d, "state"),
			first_ipv4(d), *str(d, "hostname") ? str(d, "hostname") : "-", seen, mud);
	}
	if (n == 0)
		printf("(no devices yet)\n");
}

static void print_device(json_object *d)
{
	json_object *arr;
	char a[32], b[32];

	when(num(d, "first_seen"), a, sizeof(a));
	when(num(d, "last_seen"), b, sizeof(b));
	printf("device      %s\n", str(d, "mac"));
	printf("state       %s\n", str(d, "state"));
	if (strcmp(str(d, "state"), "forgotten") == 0)
		return;
	printf("online      %s\n",
		json_object_get_boolean(json_object_object_get(d, "online")) ? "yes" : "no");
	printf("hostname    %s\n", *str(d, "hostname") ? str(d, "hostname") : "-");
	printf("mud url     %s%s%s%s\n", *str(d, "mud_url") ? str(d, "mud_url") : "-",
		*str(d, "mud_url") ? " (" : "", str(d, "mud_source"),
		*str(d, "mud_url") ? ")" : "");
	if (*str(d, "vendor") || *str(d, "category"))
		printf("identity    %s %s (%s)\n", str(d, "vendor"), str(d, "model"),
			str(d, "category"));
	printf("first seen  %s\n", a);
	printf("last seen   %s\n", b);
	if (json_object_object_get_ex(d, "addresses", &arr) && json_object_array_length(arr)) {
		printf("addresses\n");
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			json_object *x = json_object_array_get_idx(arr, i);

			when(num(x, "expires"), a, sizeof(a));
			printf("  %-39s  %-7s  lease until %s\n", str(x, "addr"), str(x, "source"),
				a);
		}
	}
	if (json_object_object_get_ex(d, "identities", &arr) && json_object_array_length(arr)) {
		printf("evidence\n");
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			json_object *x = json_object_array_get_idx(arr, i);

			printf("  %-13s  %-40s  %s, %s\n", str(x, "kind"), str(x, "value"),
				str(x, "source"), str(x, "strength"));
		}
	}
}

static void print_status(json_object *s)
{
	json_object *states;

	printf("homegated %s\n", str(s, "version"));
	printf("daemon up   %llds, engine up %llds, engine restarts %lld\n",
		(long long)num(s, "daemon_uptime"), (long long)num(s, "engine_uptime"),
		(long long)num(s, "engine_restarts"));
	printf("state dir   %s\n", str(s, "state_dir"));
	printf("devices     %lld", (long long)num(s, "devices"));
	if (json_object_object_get_ex(s, "states", &states)) {
		const char *sep = " (";

		json_object_object_foreach(states, k, v)
		{
			if (json_object_get_int64(v)) {
				printf("%s%lld %s", sep, (long long)json_object_get_int64(v), k);
				sep = ", ";
			}
		}
		if (strcmp(sep, ", ") == 0)
			printf(")");
	}
	printf("\n");
}

static void print_log(json_object *arr)
{
	printf("%-19s  %-17s  %-14s  %-8s  %-24s  %s\n", "TIME", "MAC", "WHO", "ACTION", "CHANGE",
		"WHY");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		char t[32], change[64];

		when(num(e, "time"), t, sizeof(t));
		if (*str(e, "from") || *str(e, "to"))
			snprintf(change, sizeof(change), "%s -> %s",
				*str(e, "from") ? str(e, "from") : "-", str(e, "to"));
		else
			snprintf(change, sizeof(change), "-");
		printf("%-19s  %-17s  %-14s  %-8s  %-24s  %s\n", t, str(e, "mac"), str(e, "who"),
			str(e, "action"), change, str(e, "why"));
	}
}

static int run(const struct cli *cli, json_object *req, void (*print)(json_object *))
{
	json_object *resp = NULL, *ok, *result;
	int ret = exchange(cli, req, &resp);

	json_object_put(req);
	if (ret)
		return ret;
	if (!json_object_object_get_ex(resp, "ok", &ok) || !json_object_get_boolean(ok)) {
		fprintf(stderr, "homegate: %s\n", str(resp, "error"));
		json_object_put(resp);
		return EXIT_REFUSED;
	}
	json_object_object_get_ex(resp, "result", &result);
	if (cli->json)
		printf("%s\n",
			json_object_to_json_string_ext(result,
				JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		print(result);
	json_object_put(resp);
	return EXIT_OK;
}

static json_object *request(const char *cmd)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "cmd", json_object_new_string(cmd));
	return o;
}

static int check_mac(const char *s)
{
	struct hg_mac m;

	return util_mac_parse(s, &m);
}

static int cmd_simple(const struct cli *cli, const char *name, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return die_usage("too many arguments for", name);
	if (strcmp(name, "status") == 0)
		return run(cli, request(name), print_status);
	return run(cli, request(name), print_devices);
}

static int cmd_device(const struct cli *cli, const char *name, int argc, char **argv)
{
	json_object *req;

	if (argc != 2)
		return die_usage("usage", "homegate device MAC");
	if (check_mac(argv[1]) < 0)
		return die_usage("not a MAC address", argv[1]);
	req = request(name);
	json_object_object_add(req, "mac", json_object_new_string(argv[1]));
	return run(cli, req, print_device);
}

static int cmd_action(const struct cli *cli, const char *name, int argc, char **argv)
{
	const char *mac = NULL, *why = NULL;
	json_object *req;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--why") == 0 && i + 1 < argc)
			why = argv[++i];
		else if (!mac && argv[i][0] != '-')
			mac = argv[i];
		else
			return die_usage("unexpected argument", argv[i]);
	}
	if (!mac)
		return die_usage("missing MAC for", name);
	if (check_mac(mac) < 0)
		return die_usage("not a MAC address", mac);
	req = request(name);
	json_object_object_add(req, "mac", json_object_new_string(mac));
	if (why)
		json_object_object_add(req, "why", json_object_new_string(why));
	return run(cli, req, print_device);
}

static int cmd_log(const struct cli *cli, const char *name, int argc, char **argv)
{
	const char *mac = NULL;
	long long n = 50;
	json_object *req;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
			if (util_parse_int(argv[++i], 1, 1000, &n) < 0)
				return die_usage("-n takes 1..1000", argv[i]);
		} else if (!mac && argv[i][0] != '-') {
			mac = argv[i];
		} else {
			return die_usage("unexpected argument", argv[i]);
		}
	}
	if (mac && check_mac(mac) < 0)
		return die_usage("not a MAC address", mac);
	req = request(name);
	if (mac)
		json_object_object_add(req, "mac", json_object_new_string(mac));
	json_object_object_add(req, "limit", json_object_new_int64(n));
	return run(cli, req, print_log);
}

static int cmd_mud(const struct cli *cli, const char *name, int argc, char **argv)
{
	(void)name;
	return mud_cmd(argc, argv, cli->json);
}

/* Subcommands; later stages (analyze, dpp) add rows here. */
static const struct {
	const char *name;
	int (*fn)(const struct cli *cli, const char *name, int argc, char **argv);
} cmds[] = {
	{"status", cmd_simple},
	{"devices", cmd_simple},
	{"device", cmd_device},
	{"approve", cmd_action},
	{"block", cmd_action},
	{"quarantine", cmd_action},
	{"release", cmd_action},
	{"forget", cmd_action},
	{"log", cmd_log},
	{"mud", cmd_mud},
};

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
	if (strcmp(argv[optind], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	/* Allow --json after the command too. */
	for (int i = optind + 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0) {
			cli.json = true;
			memmove(argv + i, argv + i + 1, (size_t)(argc - i - 1) * sizeof(*argv));
			argc--;
			i--;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		if (strcmp(argv[optind], cmds[i].name) == 0)
			return cmds[i].fn(&cli, argv[optind], argc - optind, argv + optind);
	fprintf(stderr, "homegate: unknown command: %s (try homegate help)\n", argv[optind]);
	return EXIT_USAGE;
}
