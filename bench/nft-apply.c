/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Benchmark: MUD policies of N devices through the parent's nftables backend, against the same
 * elements sent as bare libnftnl + libmnl batches in the same run. */
#include "core/log.h"
#include "core/util.h"
#include "mud/mud_parse.h"
#include "mud/mud_summary.h"
#include "policy/nft.h"
#include "policy/nft_compile.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: bench_nft_apply [-n DEVICES] [-r ROUNDS] [-s SAMPLES] [-p PHASES] [-N NETNS] [-L]
 *                        [-m MAC -a ADDR [-a ADDR] -f MUDFILE] DIR
 *
 * Every *.json file under DIR (recursively) that mud_parse accepts and the compiler can compile
 * is a device model; DEVICES devices (default 1000) are assigned to them round-robin, so models
 * and their compiled profiles are shared as in a real home. Device i has MAC 02:68:67:00:hi:lo,
 * an IPv4 address in 10.64.0.0/16 and an IPv6 address in fd00:64::/64.
 *
 * Without -N the program runs in a private network namespace (unshare) with a bridge br-lan it
 * creates itself with `ip`; nothing outside it is touched and it vanishes with the process.
 * -N enters the named namespace (/run/netns/NETNS) instead, which must have br-lan.
 *
 * Phases, all through src/policy/nft.c as the parent calls it:
 *   apply   ROUNDS times from empty tables: per device, nft_profile_install when its profile is
 *           new to this struct nft, then nft_dev_policy with two addresses; one sample each.
 *   sync    nft_dev_sync of all N devices (flush and refill of the five maps, one transaction)
 *           against the floor: the same flush and the same elements in one libnftnl batch;
 *           and, to show where the text path's cost is, the same transaction as libnftables
 *           text with one `add element` statement per map and set. 3 * ROUNDS samples each,
 *           the order rotated every round.
 *   hot     with the N devices loaded, SAMPLES times each, orders rotated per sample:
 *           add: nft_dev_policy of a new device (profile installed) against the same elements
 *                (five map entries, and the maker's and model's MAC sets when the file has an
 *                authority, as for an approved device) in one batch, and one batch per element;
 *           del: nft_dev_profile(NONE) of it against deleting its elements likewise;
 *           move: nft_dev_policy giving a loaded device another IPv4 address against one batch
 *                deleting the old dev_in4 element and adding the new one.
 * Before timing, the floor's and the grouped sync are checked to leave the same ruleset text as
 * nft_dev_sync.
 * -p selects phases (letters of "ash", default all; without 'a' the devices are loaded once,
 * untimed, for the others: handy under perf); 'o' adds 3 * ROUNDS nft_dev_sync calls alone, so
 * that a profile of them holds nothing else that goes through libnftables.
 *
 * -L (load only) installs the profiles, loads the N devices with nft_dev_sync and exits
 * leaving the tables in place (for bench/nft-throughput.sh; needs -N). -m/-a/-f make device 0
 * the given MAC and addresses under the given MUD file's profile.
 *
 * Prints key=value lines for bench/nft-scale.sh. Exit 2 for usage errors, 1 for failures.
 */

#define MAX_FILES   4096
#define MAX_DEVICES 60000
#define ELEMS_MSG   256 /* elements per netlink message: the element nest's length is 16 bits */

struct model {
	char *path;
	struct mud_file *mf;
	char authority[256];
	char id[NFTC_ID_LEN + 1];
	/* the manufacturer and model sets its approved devices join, "" for none (as the engine) */
	char mfg[NFTC_ID_LEN + 1], mdl[NFTC_ID_LEN + 1];
};

static struct {
	struct model *m;
	size_t n, cap;
	unsigned seen, refused;
} models;

struct dev {
	struct ipc_dev_policy op;
	size_t model;
};

/* ---- the corpus ----------------------------------------------------------------------------- */

/* Parses one file into a model; 1 when it is refused (not a workload), 0, or -errno. */
static int model_load(const char *path, struct model *m)
{
	struct mud_error err;
	char why[256];
	char *buf = NULL;
	size_t len;
	int ret;

	memset(m, 0, sizeof(*m));
	ret = util_read_file(path, MUD_MAX_FILE, &buf, &len);
	if (ret < 0)
		return ret == -ENOMEM ? ret : 1;
	ret = mud_parse(buf, len, NULL, &m->mf, &err);
	free(buf);
	if (ret)
		return ret == -ENOMEM ? ret : 1;
	mud_url_host(m->mf->url, m->authority, sizeof(m->authority));
	ret = nftc_check(&m->mf->policy, m->authority[0] ? m->authority : NULL, why, sizeof(why));
	if (!ret)
		ret = nftc_profile_id(&m->mf->policy, m->authority[0] ? m->authority : NULL, m->id);
	if (ret) {
		mud_free(m->mf);
		m->mf = NULL;
		return 1;
	}
	if (m->authority[0] &&
		(nftc_name_hash(m->authority, m->mfg) < 0 || nftc_uri_hash(m->mf->url, m->mdl) < 0))
		m->mfg[0] = m->mdl[0] = 0;
	m->path = strdup(path);
	if (!m->path) {
		mud_free(m->mf);
		m->mf = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int collect(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	size_t n = strlen(path);
	int ret;

	(void)ftw;
	if (type != FTW_F || !S_ISREG(st->st_mode) || n < 5 || strcmp(path + n - 5, ".json") != 0)
		return 0;
	if (models.n == MAX_FILES)
		return 1;
	if (models.n == models.cap) {
		size_t cap = models.cap ? models.cap * 2 : 256;
		void *p = reallocarray(models.m, cap, sizeof(*models.m));

		if (!p)
			return -1;
		models.m = p;
		models.cap = cap;
	}
	models.seen++;
	ret = model_load(path, &models.m[models.n]);
	if (ret < 0)
		return -1;
	if (ret == 1)
		models.refused++;
	else
		models.n++;
	return 0;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct model *)a)->path, ((const struct model *)b)->path);
}

static size_t distinct_profiles(void)
{
	size_t count = 0;

	for (size_t i = 0; i < models.n; i++) {
		size_t k = 0;

		while (k < i && strcmp(models.m[k].id, models.m[i].id) != 0)
			k++;
		count += k == i;
	}
	return count;
}

/* ---- devices -------------------------------------------------------------------------------- */

static void dev_make(struct dev *d, unsigned i, size_t model, uint8_t net)
{
	uint16_t v6[8] = {htons(0xfd00), htons(0x64), 0, 0, 0, 0, htons(net), htons(i + 2)};

	memset(d, 0, sizeof(*d));
	d->model = model;
	d->op.mac[0] = 0x02;
	d->op.mac[1] = 0x68;
	d->op.mac[2] = 0x67;
	d->op.mac[3] = net;
	d->op.mac[4] = (uint8_t)(i >> 8);
	d->op.mac[5] = (uint8_t)i;
	memcpy(d->op.id, models.m[model].id, IPC_PROFILE_ID_LEN);
	if (models.m[model].mfg[0]) {
		memcpy(d->op.mfg, models.m[model].mfg, IPC_PROFILE_ID_LEN);
		memcpy(d->op.mdl, models.m[model].mdl, IPC_PROFILE_ID_LEN);
	}
	d->op.naddrs = 2;
	d->op.addrs[0].family = 4;
	d->op.addrs[0].a[0] = 10;
	d->op.addrs[0].a[1] = (uint8_t)(64 + net);
	d->op.addrs[0].a[2] = (uint8_t)((i + 2) >> 8);
	d->op.addrs[0].a[3] = (uint8_t)(i + 2);
	d->op.addrs[1].family = 6;
	memcpy(d->op.addrs[1].a, v6, 16);
}

static void dev_entry(const struct dev *d, struct ipc_dev_sync_entry *e)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->mac, d->op.mac, 6);
	e->profile = IPC_PROFILE_POLICY;
	e->naddrs = d->op.naddrs;
	memcpy(e->id, d->op.id, IPC_PROFILE_ID_LEN);
	memcpy(e->mfg, d->op.mfg, IPC_PROFILE_ID_LEN);
	memcpy(e->mdl, d->op.mdl, IPC_PROFILE_ID_LEN);
	memcpy(e->addrs, d->op.addrs, sizeof(e->addrs));
}

/* ---- the floor: libnftnl + libmnl batches --------------------------------------------------- */

/* Where a device under a compiled profile has elements, as nft.c fills them: five verdict maps
 * (jump to the profile's chains) and, for an approved device with a MUD URL, its manufacturer's
 * and its model's MAC sets (mfg_<H>, mdl_<H>; they exist once a device of theirs was added). */
enum { MAP_INET_PROFILE, MAP_BRIDGE_PROFILE, MAP_BRIDGE_IN, MAP_IN4, MAP_IN6, MAP_COUNT };
enum { SET_MFG = MAP_COUNT, SET_MDL, TARGET_COUNT };
static const struct {
	uint16_t family;
	const char *name, *chain; /* chain prefix of the verdict; NULL: a plain set */
} maps[TARGET_COUNT] = {
	{NFPROTO_INET, "dev_profile", "out_"},
	{NFPROTO_BRIDGE, "dev_profile", "bout_"},
	{NFPROTO_BRIDGE, "dev_in", "bin_"},
	{NFPROTO_INET, "dev_in4", "in_"},
	{NFPROTO_INET, "dev_in6", "in_"},
	{NFPROTO_BRIDGE, "mfg", NULL},
	{NFPROTO_BRIDGE, "mdl", NULL},
};

struct floor {
	struct mnl_socket *nl;
	uint32_t portid, seq;
	char *buf;
	size_t cap;
	struct mnl_nlmsg_batch *b;
	unsigned acks; /* messages of the open batch that asked for an ack */
	char table[NFTC_TABLE_MAX + 1];
};

static int floor_open(struct floor *f, const char *table, size_t max_elems)
{
	int one = 1, sz;

	memset(f, 0, sizeof(*f));
	util_strlcpy(f->table, table, sizeof(f->table));
	/* about 70 bytes per element, plus a message of headroom (libmnl wants it) */
	f->cap = max_elems * 96 + 4 * 65536;
	f->buf = malloc(f->cap);
	f->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!f->buf || !f->nl || mnl_socket_bind(f->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	f->portid = mnl_socket_get_portid(f->nl);
	f->seq = (uint32_t)time(NULL);
	mnl_socket_setsockopt(f->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	/* One batch is one sendmsg: the socket must take it whole. */
	sz = (int)f->cap;
	if (setsockopt(mnl_socket_get_fd(f->nl), SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		return -errno;
	return 0;
}

static void floor_close(struct floor *f)
{
	if (f->b)
		mnl_nlmsg_batch_stop(f->b);
	if (f->nl)
		mnl_socket_close(f->nl);
	free(f->buf);
}

static void floor_begin(struct floor *f)
{
	if (f->b) /* a batch given up half-built */
		mnl_nlmsg_batch_stop(f->b);
	f->b = mnl_nlmsg_batch_start(f->buf, f->cap - 2 * 65536);
	nftnl_batch_begin(mnl_nlmsg_batch_current(f->b), f->seq++);
	mnl_nlmsg_batch_next(f->b);
	f->acks = 0;
}

/* Appends one element message: add (NEWSETELEM, with jump verdicts into a map) or delete
 * (DELSETELEM, keys only) of n keys of len bytes into target t (member: the 12 hex digits of
 * a mfg/mdl set); n == 0 with delete flushes it. */
static int floor_msg(struct floor *f, int t, const char *member, bool add,
	const uint8_t *const *keys, const char *const *ids, size_t n, size_t len)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	char chain[32], name[32];

	if (!s)
		return -ENOMEM;
	if (member)
		snprintf(name, sizeof(name), "%s_%.12s", maps[t].name, member);
	else
		util_strlcpy(name, maps[t].name, sizeof(name));
	nftnl_set_set_str(s, NFTNL_SET_TABLE, f->table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	for (size_t i = 0; i < n; i++) {
		struct nftnl_set_elem *e = nftnl_set_elem_alloc();

		if (!e) {
			nftnl_set_free(s);
			return -ENOMEM;
		}
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, keys[i], (uint32_t)len);
		if (add && maps[t].chain) {
			snprintf(chain, sizeof(chain), "%s%.12s", maps[t].chain, ids[i]);
			nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, NFT_JUMP);
			nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, chain);
		}
		nftnl_set_elem_add(s, e);
	}
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(f->b),
		add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM, maps[t].family,
		(add ? NLM_F_CREATE : 0) | NLM_F_ACK, f->seq++);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	if (!mnl_nlmsg_batch_next(f->b))
		return -E2BIG;
	f->acks++;
	return 0;
}

/* Closes the batch, sends it in one sendmsg and reads one ack per message: the kernel has
 * committed (or aborted) the transaction by then. 0 or the first error. */
static int floor_commit(struct floor *f)
{
	static char rbuf[16384];
	unsigned acked = 0;
	int err = 0;

	nftnl_batch_end(mnl_nlmsg_batch_current(f->b), f->seq++);
	mnl_nlmsg_batch_next(f->b);
	if (mnl_socket_sendto(f->nl, mnl_nlmsg_batch_head(f->b), mnl_nlmsg_batch_size(f->b)) < 0)
		err = -errno;
	mnl_nlmsg_batch_stop(f->b);
	f->b = NULL;
	while (!err && acked < f->acks) {
		ssize_t len = mnl_socket_recvfrom(f->nl, rbuf, sizeof(rbuf));
		int left;

		if (len < 0) {
			err = -errno;
			break;
		}
		left = (int)len;
		for (struct nlmsghdr *nlh = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(nlh, left);
			nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			acked++;
			if (((struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error)
				err = ((struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error;
		}
	}
	if (err) {
		/* drain what else the kernel queued for this batch */
		while (recv(mnl_socket_get_fd(f->nl), rbuf, sizeof(rbuf), MSG_DONTWAIT) > 0)
			;
	}
	return err;
}

static size_t key_len(int t)
{
	return t == MAP_IN4 ? 4 : t == MAP_IN6 ? 16 : 6;
}

static const uint8_t *dev_key(const struct dev *d, int t)
{
	return t == MAP_IN4 ? d->op.addrs[0].a : t == MAP_IN6 ? d->op.addrs[1].a : d->op.mac;
}

/* The mfg/mdl set a device is in for target t, NULL for none (or for a map). */
static const char *dev_member(const struct dev *d, int t)
{
	const char *k = t == SET_MFG ? d->op.mfg : t == SET_MDL ? d->op.mdl : NULL;

	return k && k[0] ? k : NULL;
}

static const struct dev *sort_devs;
static int sort_target;

/* By set name, then position: each set's members in one run, in the order nft.c adds them. */
static int by_member(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = memcmp(dev_member(&sort_devs[x], sort_target),
		dev_member(&sort_devs[y], sort_target), IPC_PROFILE_ID_LEN);

	return c ? c : x < y ? -1 : x > y;
}

/* Appends messages adding (or deleting) every element of n devices, map by map and set by set,
 * ELEMS_MSG elements a message: the same elements nft.c writes for them. */
static int floor_devs(struct floor *f, bool add, const struct dev *d, size_t n)
{
	const uint8_t *keys[ELEMS_MSG];
	const char *ids[ELEMS_MSG];
	size_t *idx = NULL;
	int ret = 0;

	for (int t = 0; t < MAP_COUNT && !ret; t++) {
		for (size_t i = 0; i < n && !ret; i += ELEMS_MSG) {
			size_t k = n - i < ELEMS_MSG ? n - i : ELEMS_MSG;

			for (size_t j = 0; j < k; j++) {
				keys[j] = dev_key(&d[i + j], t);
				ids[j] = d[i + j].op.id;
			}
			ret = floor_msg(f, t, NULL, add, keys, ids, k, key_len(t));
		}
	}
	if (!ret && n > 1 && !(idx = calloc(n, sizeof(*idx))))
		ret = -ENOMEM;
	for (int t = SET_MFG; t < TARGET_COUNT && !ret; t++) {
		size_t m = 0, k = 0;

		for (size_t i = 0; i < n; i++)
			if (dev_member(&d[i], t)) {
				if (idx)
					idx[m] = i;
				m++;
			}
		if (idx) {
			sort_devs = d;
			sort_target = t;
			qsort(idx, m, sizeof(*idx), by_member);
		}
		for (size_t i = 0; i < m && !ret; i++) {
			const struct dev *x = &d[idx ? idx[i] : 0];
			const struct dev *next = i + 1 < m ? &d[idx ? idx[i + 1] : 0] : NULL;

			keys[k++] = x->op.mac;
			if (k == ELEMS_MSG || !next ||
				memcmp(dev_member(next, t), dev_member(x, t), IPC_PROFILE_ID_LEN) !=
					0) {
				ret = floor_msg(f, t, dev_member(x, t), add, keys, NULL, k, 6);
				k = 0;
			}
		}
	}
	free(idx);
	return ret;
}

/* nft_dev_sync's transaction: flush the five maps and refill them (the mfg/mdl sets are not
 * flushed by nft_dev_sync either: re-adding their members changes nothing). */
static int floor_sync(struct floor *f, const struct dev *d, size_t n)
{
	int ret = 0;

	floor_begin(f);
	for (int t = 0; t < MAP_COUNT && !ret; t++)
		ret = floor_msg(f, t, NULL, false, NULL, NULL, 0, 0);
	if (!ret)
		ret = floor_devs(f, true, d, n);
	return ret ? ret : floor_commit(f);
}

/* One device's elements in one batch. */
static int floor_dev_batch(struct floor *f, bool add, const struct dev *d)
{
	int ret;

	floor_begin(f);
	ret = floor_devs(f, add, d, 1);
	return ret ? ret : floor_commit(f);
}

/* One device's elements, one batch each; each batch's time goes to per_elem[target] (0 for
 * a set the device is not in). */
static int floor_dev_elems(struct floor *f, bool add, const struct dev *d, double *per_elem);

/* ---- timing and statistics ------------------------------------------------------------------ */

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

struct series {
	const char *name;
	double *v;
	size_t n, cap;
};

static void add_sample(struct series *s, double us)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		void *p = reallocarray(s->v, cap, sizeof(*s->v));

		if (!p) {
			fprintf(stderr, "bench_nft_apply: out of memory\n");
			exit(1);
		}
		s->v = p;
		s->cap = cap;
	}
	s->v[s->n++] = us;
}

static int floor_dev_elems(struct floor *f, bool add, const struct dev *d, double *per_elem)
{
	int ret = 0;

	for (int t = 0; t < TARGET_COUNT && !ret; t++) {
		const uint8_t *key = dev_key(d, t);
		const char *id = d->op.id;
		double t0 = now_us();

		per_elem[t] = 0;
		if (t >= SET_MFG && !dev_member(d, t))
			continue;
		floor_begin(f);
		ret = floor_msg(f, t, t >= SET_MFG ? dev_member(d, t) : NULL, add, &key, &id, 1,
			key_len(t));
		if (!ret)
			ret = floor_commit(f);
		per_elem[t] = now_us() - t0;
	}
	return ret;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted series. */
static double pct(const struct series *s, double q)
{
	size_t r = (size_t)(q * (double)s->n + 0.999999);

	if (!s->n)
		return 0;
	return s->v[r < 1 ? 0 : r > s->n ? s->n - 1 : r - 1];
}

static double p50_of(struct series *s)
{
	qsort(s->v, s->n, sizeof(*s->v), cmp_double);
	return pct(s, 0.50);
}

static void report(struct series *s)
{
	double sum = 0;

	qsort(s->v, s->n, sizeof(*s->v), cmp_double);
	for (size_t i = 0; i < s->n; i++)
		sum += s->v[i];
	printf("series name=%s n=%zu p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f min_us=%.0f "
	       "mean_us=%.0f\n",
		s->name, s->n, pct(s, 0.50), pct(s, 0.90), pct(s, 0.99), s->n ? s->v[s->n - 1] : 0,
		s->n ? s->v[0] : 0, s->n ? sum / (double)s->n : 0);
}

/* ---- namespace ------------------------------------------------------------------------------ */

static int run_ip(const char *a1, const char *a2, const char *a3, const char *a4, const char *a5,
	const char *a6, const char *a7)
{
	char *argv[] = {(char *)"ip", (char *)a1, (char *)a2, (char *)a3, (char *)a4, (char *)a5,
		(char *)a6, (char *)a7, NULL};
	pid_t pid;
	int status;

	if (posix_spawnp(&pid, "ip", NULL, NULL, argv, environ) != 0)
		return -1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return 0;
}

/* A private namespace of our own with a LAN bridge: nothing else sees what we load. */
static int private_netns(void)
{
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "bench_nft_apply: unshare(CLONE_NEWNET): %s (needs root)\n",
			strerror(errno));
		return -1;
	}
	if (run_ip("link", "set", "lo", "up", NULL, NULL, NULL) ||
		run_ip("link", "add", "br-lan", "type", "bridge", NULL, NULL) ||
		run_ip("addr", "add", "10.64.0.1/16", "dev", "br-lan", NULL, NULL) ||
		run_ip("addr", "add", "fd00:64::1/64", "dev", "br-lan", "nodad", NULL) ||
		run_ip("link", "set", "br-lan", "up", NULL, NULL, NULL)) {
		fprintf(stderr, "bench_nft_apply: cannot set up br-lan with ip(8)\n");
		return -1;
	}
	return 0;
}

static int enter_netns(const char *name)
{
	char path[300];
	int fd, ret;

	if (!util_is_ident(name, 64)) {
		fprintf(stderr, "bench_nft_apply: bad namespace name\n");
		return -1;
	}
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "bench_nft_apply: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ret = setns(fd, CLONE_NEWNET);
	if (ret < 0)
		fprintf(stderr, "bench_nft_apply: setns %s: %s\n", path, strerror(errno));
	close(fd);
	return ret;
}

/* ---- the run -------------------------------------------------------------------------------- */

static struct nft *nft;
static struct dev *devs;
static size_t ndevs;

static int fail(const char *what, int ret)
{
	fprintf(stderr, "bench_nft_apply: %s: %s\n", what, strerror(ret < 0 ? -ret : ret));
	return -1;
}

/* Fresh tables and a fresh struct nft (a parent that starts from nothing). */
static int reset(void)
{
	int ret;

	if (nft) {
		nft_remove(nft);
		nft_close(nft);
		nft = NULL;
	}
	ret = nft_open("br-lan", "", &nft);
	if (!ret)
		ret = nft_ensure_base(nft);
	if (!ret)
		ret = nft_set_lan(nft);
	return ret ? fail("base tables", ret) : 0;
}

static bool have_profile(char (*done)[NFTC_ID_LEN + 1], size_t ndone, const char *id)
{
	for (size_t i = 0; i < ndone; i++)
		if (strcmp(done[i], id) == 0)
			return true;
	return false;
}

/* Every device in order, installing profiles as they first appear; times each device into
 * the series when given. */
static int apply_all(struct series *all, struct series *inst, struct series *plain,
	struct series *first, struct series *last)
{
	char(*done)[NFTC_ID_LEN + 1] = calloc(models.n, sizeof(*done));
	size_t ndone = 0;
	char err[256];
	int ret = 0;

	if (!done)
		return fail("profiles", -ENOMEM);
	for (size_t i = 0; i < ndevs && !ret; i++) {
		const struct model *m = &models.m[devs[i].model];
		bool fresh = !have_profile(done, ndone, m->id);
		double t0 = now_us(), dt;

		if (fresh)
			ret = nft_profile_install(
				nft, m->id, m->authority, &m->mf->policy, err, sizeof(err));
		if (!ret)
			ret = nft_dev_policy(nft, &devs[i].op);
		dt = now_us() - t0;
		if (ret) {
			fprintf(stderr, "bench_nft_apply: device %zu (%s): %s %s\n", i, m->path,
				strerror(-ret), fresh ? err : "");
			break;
		}
		if (fresh)
			util_strlcpy(done[ndone++], m->id, sizeof(done[0]));
		if (!all)
			continue;
		add_sample(all, dt);
		add_sample(fresh ? inst : plain, dt);
		if (!fresh && i < ndevs / 10)
			add_sample(first, dt);
		if (!fresh && i >= ndevs - ndevs / 10)
			add_sample(last, dt);
	}
	free(done);
	return ret ? -1 : 0;
}

/* Installs every distinct profile the devices use, untimed (setup for the other phases). */
static int install_all(void)
{
	char err[256];

	for (size_t i = 0; i < models.n; i++) {
		const struct model *m = &models.m[i];
		size_t k = 0;
		int ret;

		while (k < i && strcmp(models.m[k].id, m->id) != 0)
			k++;
		if (k < i)
			continue;
		ret = nft_profile_install(
			nft, m->id, m->authority, &m->mf->policy, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "bench_nft_apply: %s: %s %s\n", m->path, strerror(-ret),
				err);
			return -1;
		}
	}
	return 0;
}

/* The ruleset text of our two tables, for comparing what two loaders left. */
static char *ruleset_text(void)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	struct nftc_buf b = {0};
	const char *tables[] = {"list table inet homegate", "list table bridge homegate"};

	if (!ctx)
		return NULL;
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	for (size_t i = 0; i < 2; i++) {
		if (nft_run_cmd_from_buffer(ctx, tables[i]) != 0)
			nftc_buf_printf(&b, "(%s failed)\n", tables[i]);
		else
			nftc_buf_printf(&b, "%s", nft_ctx_get_output_buffer(ctx));
	}
	nft_ctx_free(ctx);
	if (b.err) {
		nftc_buf_free(&b);
		return NULL;
	}
	return b.s;
}

static int sync_ours(const struct ipc_dev_sync_entry *e)
{
	int ret = nft_dev_sync(nft, e, ndevs);

	return ret ? fail("nft_dev_sync", ret) : 0;
}

static void key_text(const struct dev *d, int t, char *buf, size_t len)
{
	if (t == MAP_IN4 || t == MAP_IN6)
		inet_ntop(t == MAP_IN4 ? AF_INET : AF_INET6, dev_key(d, t), buf, (socklen_t)len);
	else
		util_mac_format((const struct hg_mac *)(const void *)d->op.mac, buf);
}

/* nft_dev_sync's transaction as libnftables text with one `add element` statement per map and
 * per set holding all its elements (nft.c writes one statement per element, and declares a
 * device's maker and model sets with each device): what the text path costs when it is not
 * fed element by element. The sets exist already, as for the floor. */
static int grouped_text(struct nftc_buf *b)
{
	static const char *const fam[] = {"inet", "bridge", "bridge", "inet", "inet"};
	size_t *idx = calloc(ndevs, sizeof(*idx));
	char k[INET6_ADDRSTRLEN];

	if (!idx)
		return -ENOMEM;
	for (int t = 0; t < MAP_COUNT; t++)
		nftc_buf_printf(b, "flush map %s homegate %s\n", fam[t], maps[t].name);
	for (int t = 0; t < MAP_COUNT; t++) {
		nftc_buf_printf(b, "add element %s homegate %s {", fam[t], maps[t].name);
		for (size_t i = 0; i < ndevs; i++) {
			key_text(&devs[i], t, k, sizeof(k));
			nftc_buf_printf(b, "%s %s : jump %s%.12s", i ? "," : "", k, maps[t].chain,
				devs[i].op.id);
		}
		nftc_buf_printf(b, " }\n");
	}
	for (int t = SET_MFG; t < TARGET_COUNT; t++) {
		size_t m = 0;

		for (size_t i = 0; i < ndevs; i++)
			if (dev_member(&devs[i], t))
				idx[m++] = i;
		sort_devs = devs;
		sort_target = t;
		qsort(idx, m, sizeof(*idx), by_member);
		for (size_t i = 0; i < m; i++) {
			const struct dev *x = &devs[idx[i]];
			bool first = i == 0 ||
				memcmp(dev_member(&devs[idx[i - 1]], t), dev_member(x, t),
					IPC_PROFILE_ID_LEN) != 0;
			bool last = i + 1 == m ||
				memcmp(dev_member(&devs[idx[i + 1]], t), dev_member(x, t),
					IPC_PROFILE_ID_LEN) != 0;

			key_text(x, MAP_INET_PROFILE, k, sizeof(k));
			if (first)
				nftc_buf_printf(b, "add element bridge homegate %s_%.12s {",
					maps[t].name, dev_member(x, t));
			nftc_buf_printf(b, "%s %s%s", first ? "" : ",", k, last ? " }\n" : "");
		}
	}
	free(idx);
	return b->err;
}

static int sync_grouped(struct nft_ctx *ctx)
{
	struct nftc_buf b = {0};
	int ret = grouped_text(&b);

	if (!ret && nft_run_cmd_from_buffer(ctx, b.s) != 0) {
		fprintf(stderr, "bench_nft_apply: grouped sync: %s\n",
			nft_ctx_get_error_buffer(ctx));
		ret = -EIO;
	}
	nftc_buf_free(&b);
	return ret;
}

static int phase_sync(struct floor *f, unsigned rounds)
{
	struct series ours = {.name = "sync_ours"}, fl = {.name = "sync_floor"},
		      gr = {.name = "sync_grouped"};
	struct series *s[3] = {&ours, &fl, &gr};
	struct ipc_dev_sync_entry *e = calloc(ndevs, sizeof(*e));
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	char *a = NULL, *b = NULL, *c = NULL;
	int ret = -1, rc;

	if (!e || !ctx) {
		fail("sync", -ENOMEM);
		goto out;
	}
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	for (size_t i = 0; i < ndevs; i++)
		dev_entry(&devs[i], &e[i]);
	/* Same work: all three leave the same ruleset. */
	if (sync_ours(e))
		goto out;
	a = ruleset_text();
	rc = floor_sync(f, devs, ndevs);
	if (rc) {
		fail("floor sync", rc);
		goto out;
	}
	b = ruleset_text();
	if (sync_grouped(ctx))
		goto out;
	c = ruleset_text();
	if (!a || !b || !c || strcmp(a, b) != 0 || strcmp(a, c) != 0) {
		fprintf(stderr,
			"bench_nft_apply: the floor's or the grouped sync left another "
			"ruleset\n");
		goto out;
	}
	printf("check floor_sync_equal=1 grouped_sync_equal=1 ruleset_bytes=%zu\n", strlen(a));
	for (unsigned r = 0; r < 3 * rounds; r++) {
		/* each of the three first, second and third in turn */
		for (unsigned k = 0; k < 3; k++) {
			unsigned which = (r + k) % 3;
			double t0 = now_us();

			rc = which == 0	     ? nft_dev_sync(nft, e, ndevs)
				: which == 1 ? floor_sync(f, devs, ndevs)
					     : sync_grouped(ctx);
			if (rc) {
				fail(s[which]->name, rc);
				goto out;
			}
			add_sample(s[which], now_us() - t0);
		}
	}
	/* leave nft.c's view and the kernel in step */
	if (sync_ours(e))
		goto out;
	printf("ratio name=sync value=%.2f\n", p50_of(&ours) / p50_of(&fl));
	printf("ratio name=sync_grouped value=%.2f\n", p50_of(&gr) / p50_of(&fl));
	for (int i = 0; i < 3; i++)
		report(s[i]);
	ret = 0;
out:
	for (int i = 0; i < 3; i++)
		free(s[i]->v);
	if (ctx)
		nft_ctx_free(ctx);
	free(a);
	free(b);
	free(c);
	free(e);
	return ret;
}

static int phase_hot(struct floor *f, unsigned samples)
{
	struct series s_add = {.name = "add_ours"}, s_addb = {.name = "add_floor_batch"},
		      s_adde = {.name = "add_floor_elems"}, s_elem = {.name = "floor_one_elem"},
		      s_del = {.name = "del_ours"}, s_delb = {.name = "del_floor_batch"},
		      s_dele = {.name = "del_floor_elems"}, s_mv = {.name = "move_ours"},
		      s_mvf = {.name = "move_floor"};
	struct series *all[] = {
		&s_add, &s_addb, &s_adde, &s_elem, &s_del, &s_delb, &s_dele, &s_mv, &s_mvf};
	int ret = -1;

	for (unsigned s = 0; s < samples; s++) {
		struct dev x, y;
		size_t j = (size_t)s * 7919 % ndevs;
		struct dev moved = devs[j];
		double per[TARGET_COUNT];
		int rc = 0;

		/* extra devices beside the N: x for nft.c, y for the floor */
		dev_make(&x, s % 60000, devs[s % ndevs].model, 0x80);
		dev_make(&y, s % 60000, devs[s % ndevs].model, 0x81);
		moved.op.addrs[0].a[1] = 0x7f;
		for (int k = 0; k < 3 && !rc; k++) {
			int which = (int)((s + (unsigned)k) % 3);
			double t0 = now_us(), t1, sum = 0;

			switch (which) {
			case 0: /* ours: add, delete, move there and back */
				rc = nft_dev_policy(nft, &x.op);
				t1 = now_us();
				add_sample(&s_add, t1 - t0);
				if (!rc)
					rc = nft_dev_profile(nft, x.op.mac, IPC_PROFILE_NONE);
				t0 = now_us();
				add_sample(&s_del, t0 - t1);
				if (!rc)
					rc = nft_dev_policy(nft, &moved.op);
				t1 = now_us();
				add_sample(&s_mv, t1 - t0);
				if (!rc)
					rc = nft_dev_policy(nft, &devs[j].op);
				add_sample(&s_mv, now_us() - t1);
				break;
			case 1: /* floor: the same elements in one batch; the move */
				rc = floor_dev_batch(f, true, &y);
				t1 = now_us();
				add_sample(&s_addb, t1 - t0);
				if (!rc)
					rc = floor_dev_batch(f, false, &y);
				t0 = now_us();
				add_sample(&s_delb, t0 - t1);
				for (int back = 0; back < 2 && !rc; back++) {
					const struct dev *from = back ? &moved : &devs[j];
					const struct dev *to = back ? &devs[j] : &moved;
					const uint8_t *k1 = from->op.addrs[0].a,
						      *k2 = to->op.addrs[0].a;
					const char *id = devs[j].op.id;

					t0 = now_us();
					floor_begin(f);
					rc = floor_msg(f, MAP_IN4, NULL, false, &k1, NULL, 1, 4);
					if (!rc)
						rc = floor_msg(
							f, MAP_IN4, NULL, true, &k2, &id, 1, 4);
					if (!rc)
						rc = floor_commit(f);
					add_sample(&s_mvf, now_us() - t0);
				}
				break;
			default: /* floor: one batch per element */
				rc = floor_dev_elems(f, true, &y, per);
				for (int m = 0; m < TARGET_COUNT; m++) {
					sum += per[m];
					if (per[m] > 0)
						add_sample(&s_elem, per[m]);
				}
				add_sample(&s_adde, sum);
				sum = 0;
				if (!rc)
					rc = floor_dev_elems(f, false, &y, per);
				for (int m = 0; m < TARGET_COUNT; m++)
					sum += per[m];
				add_sample(&s_dele, sum);
				break;
			}
		}
		if (rc) {
			fail("hot path", rc);
			goto out;
		}
	}
	printf("ratio name=add_batch value=%.2f\n", p50_of(&s_add) / p50_of(&s_addb));
	printf("ratio name=add_elems value=%.2f\n", p50_of(&s_add) / p50_of(&s_adde));
	printf("ratio name=del_batch value=%.2f\n", p50_of(&s_del) / p50_of(&s_delb));
	printf("ratio name=del_elems value=%.2f\n", p50_of(&s_del) / p50_of(&s_dele));
	printf("ratio name=move value=%.2f\n", p50_of(&s_mv) / p50_of(&s_mvf));
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		report(all[i]);
	ret = 0;
out:
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		free(all[i]->v);
	return ret;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_nft_apply [-n DEVICES] [-r ROUNDS] [-s SAMPLES] [-p ash] "
		"[-N NETNS] [-L] [-m MAC -a ADDR [-a ADDR] -f MUDFILE] DIR\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned rounds = 5, samples = 300;
	const char *phases = "ash", *netns = NULL, *mac0 = NULL, *file0 = NULL,
		   *addr0[2] = {NULL, NULL};
	struct series ap = {.name = "apply"}, ap_i = {.name = "apply_install"},
		      ap_p = {.name = "apply_plain"}, ap_f = {.name = "apply_plain_first10pct"},
		      ap_l = {.name = "apply_plain_last10pct"};
	struct floor fl = {0};
	bool load_only = false;
	unsigned naddr0 = 0;
	int opt, ret = 1;
	struct stat st;

	ndevs = 1000;
	while ((opt = getopt(argc, argv, "n:r:s:p:N:Lm:a:f:")) != -1) {
		long long v;

		switch (opt) {
		case 'n':
		case 'r':
		case 's':
			if (util_parse_int(optarg, 1, MAX_DEVICES, &v) < 0)
				usage();
			if (opt == 'n')
				ndevs = (size_t)v;
			else if (opt == 'r')
				rounds = (unsigned)v;
			else
				samples = (unsigned)v;
			break;
		case 'p':
			if (strspn(optarg, "asho") != strlen(optarg))
				usage();
			phases = optarg;
			break;
		case 'N':
			netns = optarg;
			break;
		case 'L':
			load_only = true;
			break;
		case 'm':
			mac0 = optarg;
			break;
		case 'a':
			if (naddr0 == 2)
				usage();
			addr0[naddr0++] = optarg;
			break;
		case 'f':
			file0 = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc || (load_only && !netns) || (!!mac0 != !!file0) || (naddr0 && !mac0))
		usage();
	log_init("bench_nft_apply", true, LOG_LEVEL_WARN);
	if (stat(argv[optind], &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "bench_nft_apply: %s is not a directory\n", argv[optind]);
		return 1;
	}
	if (nftw(argv[optind], collect, 16, FTW_PHYS) != 0) {
		fprintf(stderr, "bench_nft_apply: reading %s failed\n", argv[optind]);
		goto out;
	}
	if (!models.n) {
		fprintf(stderr, "bench_nft_apply: no usable MUD file under %s\n", argv[optind]);
		goto out;
	}
	qsort(models.m, models.n, sizeof(*models.m), by_path);

	devs = calloc(ndevs, sizeof(*devs));
	if (!devs)
		goto out;
	for (size_t i = 0; i < ndevs; i++)
		dev_make(&devs[i], (unsigned)i, i % models.n, 0);
	if (mac0) {
		/* device 0 as the caller describes it (a real lab device) */
		struct hg_mac mac;
		void *p = reallocarray(models.m, models.n + 1, sizeof(*models.m));

		if (!p)
			goto out;
		models.m = p;
		models.cap = models.n + 1;
		if (model_load(file0, &models.m[models.n]) != 0) {
			fprintf(stderr, "bench_nft_apply: %s: not a usable MUD file\n", file0);
			goto out;
		}
		models.n++;
		if (util_mac_parse(mac0, &mac) < 0)
			usage();
		memcpy(devs[0].op.mac, &mac, 6);
		memcpy(devs[0].op.id, models.m[models.n - 1].id, IPC_PROFILE_ID_LEN);
		devs[0].model = models.n - 1;
		devs[0].op.naddrs = (uint8_t)naddr0;
		memset(devs[0].op.addrs, 0, sizeof(devs[0].op.addrs));
		for (unsigned i = 0; i < naddr0; i++) {
			struct ipc_addr *a = &devs[0].op.addrs[i];

			a->family = strchr(addr0[i], ':') ? 6 : 4;
			if (inet_pton(a->family == 4 ? AF_INET : AF_INET6, addr0[i], a->a) != 1)
				usage();
		}
	}

	{
		size_t members = 0, elements = 0, profiles = distinct_profiles();

		for (size_t i = 0; i < models.n; i++)
			members += models.m[i].mfg[0] != 0;
		for (size_t i = 0; i < ndevs; i++)
			elements += MAP_COUNT + (dev_member(&devs[i], SET_MFG) != NULL) +
				(dev_member(&devs[i], SET_MDL) != NULL);
		printf("corpus files=%u accepted=%zu refused=%u profiles=%zu devices=%zu "
		       "files_with_sets=%zu elements=%zu\n",
			models.seen, models.n - (mac0 != NULL), models.refused, profiles, ndevs,
			members - (mac0 != NULL), elements);
	}
	if (netns ? enter_netns(netns) : private_netns())
		goto out;

	if (load_only) {
		struct ipc_dev_sync_entry *e = calloc(ndevs, sizeof(*e));

		if (!e || reset() || install_all()) {
			free(e);
			goto out;
		}
		for (size_t i = 0; i < ndevs; i++)
			dev_entry(&devs[i], &e[i]);
		ret = sync_ours(e) ? 1 : 0;
		free(e);
		if (!ret)
			printf("loaded devices=%zu\n", ndevs);
		nft_close(nft);
		nft = NULL;
		goto out;
	}

	if (floor_open(&fl, "homegate", TARGET_COUNT * ndevs + 64)) {
		fprintf(stderr, "bench_nft_apply: netlink socket: %s\n", strerror(errno));
		goto out;
	}
	/* apply: rounds from empty tables; the last one stays loaded for the other phases */
	for (unsigned r = 0; strchr(phases, 'a') && r < rounds; r++) {
		double t0;

		if (reset())
			goto out;
		t0 = now_us();
		if (apply_all(&ap, &ap_i, &ap_p, &ap_f, &ap_l))
			goto out;
		printf("apply_round round=%u total_ms=%.1f\n", r, (now_us() - t0) / 1e3);
	}
	if (!strchr(phases, 'a') && (reset() || apply_all(NULL, NULL, NULL, NULL, NULL)))
		goto out;
	if (strchr(phases, 'a')) {
		report(&ap);
		report(&ap_i);
		report(&ap_p);
		report(&ap_f);
		report(&ap_l);
	}
	if (strchr(phases, 'o')) {
		/* nft_dev_sync alone, nothing else through libnftables: for a profiler */
		struct ipc_dev_sync_entry *e = calloc(ndevs, sizeof(*e));
		struct series so = {.name = "sync_ours_only"};

		for (size_t i = 0; e && i < ndevs; i++)
			dev_entry(&devs[i], &e[i]);
		for (unsigned r = 0; e && r < 3 * rounds; r++) {
			double t0 = now_us();

			if (sync_ours(e))
				break;
			add_sample(&so, now_us() - t0);
		}
		report(&so);
		free(so.v);
		free(e);
	}
	if ((strchr(phases, 's') && phase_sync(&fl, rounds)) ||
		(strchr(phases, 'h') && phase_hot(&fl, samples)))
		goto out;
	ret = 0;
out:
	floor_close(&fl);
	if (nft) {
		if (netns)
			nft_remove(nft);
		nft_close(nft);
	}
	for (size_t i = 0; i < models.n; i++) {
		free(models.m[i].path);
		mud_free(models.m[i].mf);
	}
	free(models.m);
	free(devs);
	free(ap.v);
	free(ap_i.v);
	free(ap_p.v);
	free(ap_f.v);
	free(ap_l.v);
	return ret;
}
