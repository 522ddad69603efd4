/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dnsbind as the parent runs it: its configuration from homegate.conf, its own process. */
#include "policy/dnsbind_proc.h"

#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#define PROC_NAME     "hg-dnsbind"
#define READY_WAIT_MS 3000

static bool loopback(const struct sockaddr_storage *sa)
{
	if (sa->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
}

size_t dnsbind_proc_resolv(const char *buf, size_t len, struct dnsbind_conf *c)
{
	size_t pos = 0;

	c->nupstream = 0;
	while (pos < len && c->nupstream < DNSBIND_UPSTREAM_MAX) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos, i = 0, a;
		char line[128], addr[64];

		if (n < sizeof(line)) {
			memcpy(line, buf + pos, n);
			line[n] = '\0';
			while (line[i] == ' ' || line[i] == '\t')
				i++;
			if (strncmp(line + i, "nameserver", 10) == 0 &&
				(line[i + 10] == ' ' || line[i + 10] == '\t')) {
				for (i += 10; line[i] == ' ' || line[i] == '\t'; i++)
					;
				for (a = 0; line[i] && !strchr(" \t\r", line[i]) &&
					a < sizeof(addr) - 1;)
					addr[a++] = line[i++];
				addr[a] = '\0';
				/* "#" is our port notation, not resolv.conf's: an address only. */
				if (a && !strchr(addr, '#') &&
					util_parse_addr_port(
						addr, 53, &c->upstream[c->nupstream]) == 0 &&
					!loopback(&c->upstream[c->nupstream]))
					c->nupstream++;
			}
		}
		pos += n + 1;
	}
	return c->nupstream;
}

int dnsbind_proc_conf(const struct hg_config *cfg, const char *table, const char *resolv_conf,
	struct dnsbind_conf *out, char *err, size_t errlen)
{
	char list[HG_DNS_UPSTREAM_LIST], *save = NULL;
	struct sockaddr_in *l = (struct sockaddr_in *)&out->listen;

	memset(out, 0, sizeof(*out));
	if (!util_is_ident(table, sizeof(out->table) - 1))
		return util_errf(err, errlen, "table name \"%s\" is not usable", table);
	util_strlcpy(out->table, table, sizeof(out->table));
	l->sin_family = AF_INET;
	l->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l->sin_port = htons((uint16_t)cfg->dns_bind_port);
	out->min_timeout_s = cfg->dns_bind_min_timeout_s;
	out->margin_s = DNSBIND_PROC_MARGIN_S;
	if (strlen(cfg->dns_nftset_file) >= sizeof(out->names_file))
		return util_errf(err, errlen, "dns.nftset_file is too long for dnsbind");
	util_strlcpy(out->names_file, cfg->dns_nftset_file, sizeof(out->names_file));
	util_strlcpy(list, cfg->dns_upstream, sizeof(list));
	for (char *t = strtok_r(list, " \t", &save); t && out->nupstream < DNSBIND_UPSTREAM_MAX;
		t = strtok_r(NULL, " \t", &save))
		if (util_parse_addr_port(t, 53, &out->upstream[out->nupstream]) == 0)
			out->nupstream++;
	if (!out->nupstream && !cfg->dns_upstream[0]) {
		char *buf = NULL;
		size_t len = 0;

		if (util_read_file(resolv_conf, 64 * 1024, &buf, &len) == 0)
			dnsbind_proc_resolv(buf, len, out);
		free(buf);
		if (!out->nupstream)
			return util_errf(err, errlen,
				"no resolver for dnsbind: %s names none that is not loopback; set "
				"dns.upstream",
				resolv_conf);
	}
	if (!out->nupstream)
		return util_errf(err, errlen, "dns.upstream names no usable resolver");
	return 0;
}

/* The pid pidfile names, if that process is a dnsbind; 0 otherwise. */
static pid_t running(const char *pidfile)
{
	char *buf = NULL, path[64], comm[32] = "";
	size_t len = 0;
	long long v = 0;
	FILE *f;

	if (util_read_file(pidfile, 64, &buf, &len) < 0)
		return 0;
	buf[strcspn(buf, "\n")] = '\0';
	if (util_parse_int(buf, 2, 4194304, &v) < 0)
		v = 0;
	free(buf);
	if (!v)
		return 0;
	snprintf(path, sizeof(path), "/proc/%lld/comm", v);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	return strcmp(comm, PROC_NAME) == 0 ? (pid_t)v : 0;
}

static void child(int ready, const struct dnsbind_conf *c, const struct privsep_user *user,
	enum log_level level, bool to_stderr)
{
	struct dnsbind *d;
	sigset_t none;
	int ret;

	if (dup2(ready, 3) < 0)
		_exit(1);
	close_range(4, ~0U, 0);
	setsid();
	prctl(PR_SET_NAME, PROC_NAME, 0, 0, 0);
	log_init("dnsbind", to_stderr, level);
	/* The parent's signal mask (its signalfd) is inherited: start clean, dnsbind_run blocks
	 * what it takes through its own loop. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (setpriority(PRIO_PROCESS, 0, DNSBIND_PROC_NICE) < 0)
		log_warn("dnsbind=nice");
	ret = dnsbind_open(c, &d);
	if (ret < 0) {
		log_warnx("dnsbind=start error=\"%s\"", strerror(-ret));
		_exit(1);
	}
	ret = privsep_drop_keep_net_admin(user);
	if (ret < 0) {
		errno = -ret;
		fatal("dnsbind=privdrop user=%s", user->name);
	}
	if (write(3, "R", 1) != 1)
		_exit(1);
	close(3);
	ret = dnsbind_run(d);
	dnsbind_free(d);
	_exit(ret < 0 ? 1 : 0);
}

pid_t dnsbind_proc_spawn(const struct dnsbind_conf *c, const struct privsep_user *user,
	const char *pidfile, enum log_level level, bool to_stderr)
{
	struct pollfd pf = {.events = POLLIN};
	pid_t pid, old = running(pidfile);
	char ready = 0, line[32];
	int pfd[2], n, ret;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return ret;
	}
	if (pid == 0)
		child(pfd[1], c, user, level, to_stderr);
	close(pfd[1]);
	pf.fd = pfd[0];
	if (poll(&pf, 1, READY_WAIT_MS) != 1 || read(pfd[0], &ready, 1) != 1 || ready != 'R') {
		close(pfd[0]);
		/* It will exit (or is stuck in a start that failed): SIGCHLD reaps it. */
		kill(pid, SIGKILL);
		return -EIO;
	}
	close(pfd[0]);
	/* The new one is bound beside the old one: the old one may go. */
	if (old > 0 && old != pid && kill(old, SIGTERM) == 0)
		log_info("dnsbind=replace old=%d new=%d", (int)old, (int)pid);
	n = snprintf(line, sizeof(line), "%d\n", (int)pid);
	if (util_write_file_atomic(pidfile, line, (size_t)n, 0644) < 0)
		log_warn("dnsbind=pidfile file=%s", pidfile);
	return pid;
}
