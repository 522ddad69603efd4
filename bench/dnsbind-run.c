/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench_dnsbind: dnsbind on its own, for bench/dns-nftset.sh (homegated forks the same code). */
#include "core/log.h"
#include "core/privsep.h"
#include "core/util.h"
#include "policy/dnsbind.h"
#include "policy/nft_batch.h"
#include "policy/nft_compile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static int cmp_ns(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* What dnsbind's transaction costs by itself: count one-element transactions (add with a
 * timeout, commit, ack) into each IPv4 set of table. SET=NAME is a set of dnsname4's shape,
 * keyed by NAME's id; a plain SET holds addresses. Prints "SET[=NAME] p50_us p99_us". */
static int commit_cost(const char *table, char **sets, int nsets, int count)
{
	struct nft_batch *b;
	int64_t *t = calloc((size_t)count, sizeof(*t));
	int ret = 1;

	if (!t || nft_batch_open(table, &b) < 0)
		goto out;
	for (int s = 0; s < nsets; s++) {
		char set[64];
		const char *eq = strchr(sets[s], '=');
		uint8_t k[12] = {0};
		uint32_t w[2];
		size_t at = 0;

		util_strlcpy(set, sets[s], sizeof(set));
		if (eq) {
			set[eq - sets[s]] = '\0';
			if (nftc_name_id(eq + 1, w) < 0) {
				fprintf(stderr, "bench_dnsbind: %s: not a name\n", eq + 1);
				goto out;
			}
			memcpy(k, w, sizeof(w));
			at = sizeof(w);
		}
		for (int i = 0; i < count; i++) {
			int64_t t0;

			k[at] = 100;
			k[at + 1] = 66;
			k[at + 2] = (uint8_t)(i >> 8);
			k[at + 3] = (uint8_t)i;
			t0 = now_ns();
			nft_batch_begin(b);
			nft_batch_add_timeout(b, NFT_BATCH_INET, set,
				eq ? NFT_BATCH_NAME4 : NFT_BATCH_IPV4, k, 60000);
			if (nft_batch_commit(b, NULL) < 0) {
				fprintf(stderr, "bench_dnsbind: cannot add to %s\n", set);
				nft_batch_close(b);
				goto out;
			}
			t[i] = now_ns() - t0;
		}
		qsort(t, (size_t)count, sizeof(*t), cmp_ns);
		printf("%s %lld %lld\n", sets[s], (long long)t[count / 2] / 1000,
			(long long)t[(count * 99) / 100] / 1000);
	}
	nft_batch_close(b);
	ret = 0;
out:
	free(t);
	return ret;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_dnsbind [-u USER] [-n NICE] [-m MIN_TIMEOUT_S] [-p PIDFILE] "
		"[-f NAMES_FILE] TABLE LISTEN UPSTREAM...\n"
		"       bench_dnsbind -c COUNT TABLE SET[=NAME]...   (times COUNT one-element "
		"transactions into each set)\n"
		"  LISTEN and UPSTREAM as ADDR#PORT; root, or CAP_NET_ADMIN\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct dnsbind_conf c = {.min_timeout_s = 3600, .margin_s = 60};
	const char *user = NULL, *pidfile = NULL;
	struct dnsbind *d;
	long long v, cost = 0;
	int o, ret;

	while ((o = getopt(argc, argv, "u:n:m:p:c:f:")) != -1) {
		switch (o) {
		case 'f':
			if (strlen(optarg) >= sizeof(c.names_file))
				usage();
			util_strlcpy(c.names_file, optarg, sizeof(c.names_file));
			break;
		case 'c':
			if (util_parse_int(optarg, 1, 65536, &cost) < 0)
				usage();
			break;
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
	if (cost) {
		if (argc - optind < 2)
			usage();
		return commit_cost(argv[optind], argv + optind + 1, argc - optind - 1, (int)cost);
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
