/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Benchmark: mud_parse + mud_summarise over a MUD corpus, against json-c parsing alone. */
#include "core/util.h"
#include "mud/mud_parse.h"
#include "mud/mud_summary.h"

#include <errno.h>
#include <ftw.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: bench_mud_parse [-n ROUNDS] DIR
 *
 * Reads every regular *.json file under DIR into memory, then times ROUNDS passes of each
 * phase, the two phases alternating so that both see the same noise:
 *   baseline  json_tokener_new_ex(64) + json_tokener_parse_ex + json_object_put per file, the
 *             JSON work mud_parse itself does
 *   full      mud_parse (JSON, validation, policy model) and, when accepted, mud_summarise and
 *             mud_summary_text
 * Rates are of the median round; the best round is printed too (on a busy machine the least
 * disturbed one). Peak RSS per phase is measured in a child process running one pass (wait4's ru_maxrss), on
 * top of the corpus loaded before the fork. Prints key=value lines for bench/mud-parse.sh.
 * A missing DIR is a skip: a message and exit status 0.
 */

#define MAX_FILES  65536
#define MAX_ROUNDS 100000

struct corpus_file {
	char *path;
	char *buf;
	size_t len;
};

static struct {
	struct corpus_file *f;
	unsigned n, cap, skipped;
	size_t bytes;
} corpus;

static int collect(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	size_t n = strlen(path);
	struct corpus_file *f;
	int ret;

	(void)ftw;
	if (type != FTW_F || !S_ISREG(st->st_mode) || n < 5 || strcmp(path + n - 5, ".json") != 0)
		return 0;
	if (corpus.n == MAX_FILES) {
		fprintf(stderr, "bench_mud_parse: more than %d files, the rest skipped\n",
			MAX_FILES);
		return 1;
	}
	if (corpus.n == corpus.cap) {
		unsigned cap = corpus.cap ? corpus.cap * 2 : 256;

		f = reallocarray(corpus.f, cap, sizeof(*f));
		if (!f)
			return -1;
		corpus.f = f;
		corpus.cap = cap;
	}
	f = &corpus.f[corpus.n];
	memset(f, 0, sizeof(*f));
	/* Larger files are what mud_parse rejects unread; not a parsing workload. */
	ret = util_read_file(path, MUD_MAX_FILE, &f->buf, &f->len);
	if (ret < 0) {
		fprintf(stderr, "bench_mud_parse: %s: %s, skipped\n", path,
			ret == -EFBIG ? "over the MUD size limit" : strerror(-ret));
		corpus.skipped++;
		return 0;
	}
	f->path = strdup(path);
	if (!f->path) {
		free(f->buf);
		return -1;
	}
	corpus.bytes += f->len;
	corpus.n++;
	return 0;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct corpus_file *)a)->path, ((const struct corpus_file *)b)->path);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Something of every result, printed at the end, so no pass can be optimised away. */
static unsigned long sink;

static void pass_baseline(void)
{
	for (unsigned i = 0; i < corpus.n; i++) {
		json_tokener *tok = json_tokener_new_ex(64);
		json_object *root;

		if (!tok) {
			fprintf(stderr, "bench_mud_parse: out of memory\n");
			exit(1);
		}
		root = json_tokener_parse_ex(tok, corpus.f[i].buf, (int)corpus.f[i].len);
		sink += root ? (unsigned long)json_object_get_type(root) : 7;
		json_object_put(root);
		json_tokener_free(tok);
	}
}

static unsigned accepted, rejected;

static void pass_full(void)
{
	static struct mud_summary s;
	static char text[MUD_SUMMARY_TEXT_MAX];

	accepted = rejected = 0;
	for (unsigned i = 0; i < corpus.n; i++) {
		struct mud_file *mf = NULL;
		struct mud_error err;
		int ret = mud_parse(corpus.f[i].buf, corpus.f[i].len, NULL, &mf, &err);

		if (ret == -ENOMEM) {
			fprintf(stderr, "bench_mud_parse: out of memory\n");
			exit(1);
		}
		if (ret) {
			rejected++;
			sink += strlen(err.msg);
			continue;
		}
		accepted++;
		mud_summarise(mf, &s);
		ret = mud_summary_text(&s, text, sizeof(text));
		sink += (unsigned long)ret + s.ndomains + mf->policy.count;
		mud_free(mf);
	}
}

/* Peak resident size of one pass of fn, in KiB, from a child process. */
static long child_peak_kib(void (*fn)(void))
{
	struct rusage ru;
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		fn();
		_exit(0);
	}
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return ru.ru_maxrss;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void report(const char *name, double *t, unsigned rounds, long peak)
{
	double med = median(t, rounds), total = 0;

	for (unsigned i = 0; i < rounds; i++)
		total += t[i];
	/* t is sorted now: t[0] is the least disturbed round */
	printf("phase name=%s rounds=%u median_s=%.6f best_s=%.6f total_s=%.6f "
	       "files_per_s=%.0f mb_per_s=%.2f us_per_file=%.2f us_per_file_best=%.2f "
	       "peak_rss_kib=%ld\n",
		name, rounds, med, t[0], total, corpus.n / med, (double)corpus.bytes / med / 1e6,
		med / corpus.n * 1e6, t[0] / corpus.n * 1e6, peak);
}

int main(int argc, char **argv)
{
	unsigned rounds = 20;
	double *tb = NULL, *tf = NULL;
	struct rusage ru;
	struct stat st;
	long peak_b, peak_f;
	int opt, ret = 1;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		long long v;

		if (opt != 'n' || util_parse_int(optarg, 1, MAX_ROUNDS, &v) < 0) {
			fprintf(stderr, "usage: bench_mud_parse [-n ROUNDS 1..%d] DIR\n",
				MAX_ROUNDS);
			return 2;
		}
		rounds = (unsigned)v;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: bench_mud_parse [-n ROUNDS 1..%d] DIR\n", MAX_ROUNDS);
		return 2;
	}
	if (stat(argv[optind], &st) < 0 || !S_ISDIR(st.st_mode)) {
		printf("skip: no MUD corpus at %s (it is only on development machines)\n",
			argv[optind]);
		return 0;
	}
	if (nftw(argv[optind], collect, 16, FTW_PHYS) != 0 && corpus.n < MAX_FILES) {
		fprintf(stderr, "bench_mud_parse: reading %s failed\n", argv[optind]);
		goto out;
	}
	if (!corpus.n) {
		printf("skip: no *.json file under %s\n", argv[optind]);
		ret = 0;
		goto out;
	}
	qsort(corpus.f, corpus.n, sizeof(*corpus.f), by_path);
	tb = calloc(rounds, sizeof(*tb));
	tf = calloc(rounds, sizeof(*tf));
	if (!tb || !tf)
		goto out;
	getrusage(RUSAGE_SELF, &ru);
	printf("corpus files=%u bytes=%zu skipped=%u rounds=%u loaded_rss_kib=%ld\n", corpus.n,
		corpus.bytes, corpus.skipped, rounds, ru.ru_maxrss);
	/* Memory first, in children forked from a parent holding only the corpus. */
	peak_b = child_peak_kib(pass_baseline);
	peak_f = child_peak_kib(pass_full);
	/* One warm-up pass each, then alternate. */
	pass_baseline();
	pass_full();
	for (unsigned r = 0; r < rounds; r++) {
		double t0 = now();

		pass_baseline();
		tb[r] = now() - t0;
		t0 = now();
		pass_full();
		tf[r] = now() - t0;
	}
	report("baseline", tb, rounds, peak_b);
	report("full", tf, rounds, peak_f);
	printf("result accepted=%u rejected=%u ratio=%.2f ratio_best=%.2f sink=%lu\n", accepted,
		rejected, median(tf, rounds) / median(tb, rounds), tf[0] / tb[0], sink);
	ret = 0;
out:
	for (unsigned i = 0; i < corpus.n; i++) {
		free(corpus.f[i].path);
		free(corpus.f[i].buf);
	}
	free(corpus.f);
	free(tb);
	free(tf);
	return ret;
}
