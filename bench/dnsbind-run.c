/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench_dnsbind: dnsbind on its own, for bench/dns-nftset.sh (homegated forks the same code). */
#include "core/log.h"
#include "core/privsep.h"
#include "core/util.h"
#include "policy/dnsbind.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_dnsbind [-u USER] [-n NICE] [-m MIN_TIMEOUT_S] [-p PIDFILE] TABLE "
		"LISTEN "
		"UPSTREAM...\n"
		"  LISTEN and UPSTREAM as ADDR#PORT; root, or CAP_NET_ADMIN\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct dnsbind_conf c = {.min_timeout_s = 3600, .margin_s = 60};
	const char *user = NULL, *pidfile = NULL;
	struct dnsbind *d;
	long long v;
	int o, ret;

	while ((o = getopt(argc, argv, "u:n:m:p:")) != -1) {
		switch (o) {
		case 'n':
			/* as homegated runs it: DNSBIND_PROC_NICE */
			if (util_parse_int(optarg, -20, 19, &v) < 0 ||
				setpriority(PRIO_PROCESS, 0, (int)v) < 0)
				usage();
			break;
		case 'u':
			user = optarg;
			break;
		case 'm':
			if (util_parse_int(optarg, 0, 604800, &v) < 0)
				usage();
			c.min_timeout_s = (unsigned)v;
			break;
		case 'p':
			pidfile = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 3 || argc - optind - 2 > DNSBIND_UPSTREAM_MAX)
		usage();
	util_strlcpy(c.table, argv[optind], sizeof(c.table));
	if (util_parse_addr_port(argv[optind + 1], 53, &c.listen) < 0)
		usage();
	for (int i = optind + 2; i < argc; i++)
		if (util_parse_addr_port(argv[i], 53, &c.upstream[c.nupstream++]) < 0)
			usage();
	log_init("dnsbind", true, getenv("DNSBIND_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	ret = dnsbind_open(&c, &d);
	if (ret < 0) {
		fprintf(stderr, "bench_dnsbind: %s\n", strerror(-ret));
		return 1;
	}
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");

		if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0)
			return 1;
	}
	if (user) {
		struct privsep_user u;

		if (privsep_lookup(user, &u) < 0 || (ret = privsep_drop_keep_net_admin(&u)) < 0) {
			fprintf(stderr, "bench_dnsbind: cannot drop to %s\n", user);
			return 1;
		}
	}
	ret = dnsbind_run(d);
	dnsbind_free(d);
	return ret < 0 ? 1 : 0;
}
