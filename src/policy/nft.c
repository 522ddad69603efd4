/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nftables backend of the privileged parent: our own tables, lifecycle profiles per device. */
#include "policy/nft.h"

#include "core/log.h"
#include "core/util.h"
#include "policy/nft_batch.h"
#include "policy/nft_compile.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The base ruleset and its schema come from the compiler (policy/nft_compile.c). */
#define NFT_SCHEMA NFTC_SCHEMA

/* Structural changes (tables, sets of the compiler, chains, rules) go through libnftables text;
 * the device elements, changed all the time, as netlink batches of their own (nft_batch.c). */
struct nft {
	struct nft_ctx *ctx;
	struct nft_batch *batch; /* its socket stays open with us */
	char lan_if[16];
	char inet_table[48]; /* "homegate" + suffix */
	unsigned compile_flags;
	/* What we last applied, so a single update knows whether an element exists: the parent
	 * keeps this rather than reading the kernel back. Sorted by MAC. */
	struct ipc_dev_sync_entry *applied;
	size_t napplied, capplied;
	/* Compiled profiles installed by this parent (their chains exist in the kernel), and
	 * whether the current engine has not sent it since it started (stale: nobody will ever
	 * drop it, see nft_profile_sweep). */
	char (*profiles)[IPC_PROFILE_ID_LEN];
	bool *stale;
	size_t nprofiles, cprofiles;
};

static int run(struct nft *n, const char *script)
{
	int rc = nft_run_cmd_from_buffer(n->ctx, script);

	if (rc != 0) {
		const char *e = nft_ctx_get_error_buffer(n->ctx);
		char msg[512];

		util_sanitize(msg, sizeof(msg), e ? e : "", e ? strlen(e) : 0);
		log_warnx("nft=apply error=\"%s\"", msg);
		return -EIO;
	}
	return 0;
}

void nft_set_compile_flags(struct nft *n, unsigned flags)
{
	n->compile_flags = flags;
}

int nft_open(const char *lan_if, const char *table_suffix, struct nft **out)
{
	struct nft *n;
	int ret;

	/* It is printed inside quotes: no byte outside nftc_ifname_valid's alphabet. */
	if (!nftc_ifname_valid(lan_if))
		return -EINVAL;
	if (*table_suffix && !util_is_ident(table_suffix, 24))
		return -EINVAL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!n->ctx) {
		free(n);
		return -ENOMEM;
	}
	nft_ctx_buffer_output(n->ctx);
	nft_ctx_buffer_error(n->ctx);
	util_strlcpy(n->lan_if, lan_if, sizeof(n->lan_if));
	snprintf(n->inet_table, sizeof(n->inet_table), "homegate%s", table_suffix);
	ret = nft_batch_open(n->inet_table, &n->batch);
	if (ret) {
		nft_ctx_free(n->ctx);
		free(n);
		return ret;
	}
	*out = n;
	return 0;
}

void nft_close(struct nft *n)
{
	if (!n)
		return;
	nft_ctx_free(n->ctx);
	nft_batch_close(n->batch);
	free(n->applied);
	free(n->profiles);
	free(n->stale);
	free(n);
}

/* Reads our table's comment back: 1 same schema, 0 absent, -1 another schema. */
static int base_state(struct nft *n)
{
	char cmd[96];
	const char *out;
	int rc;

	snprintf(cmd, sizeof(cmd), "list table inet %s", n->inet_table);
	nft_ctx_set_dry_run(n->ctx, false);
	rc = nft_run_cmd_from_buffer(n->ctx, cmd);
	out = nft_ctx_get_output_buffer(n->ctx);
	nft_ctx_get_error_buffer(n->ctx); /* discard */
	if (rc != 0)
		return 0;
	if (out && strstr(out, NFT_SCHEMA) && strstr(out, "chain prof_blocked"))
		return 1;
	return -1;
}

int nft_ensure_base(struct nft *n)
{
	struct nftc_buf b = {0};
	int state = base_state(n), ret;

	if (state == 1) {
		log_info("nft=base table=inet/%s action=kept", n->inet_table);
		return 0;
	}
	if (state == -1) {
		/* Replaced in the same transaction as the new one is created: no gap. */
		nftc_buf_printf(&b, "delete table inet %s\n", n->inet_table);
		nftc_buf_printf(&b, "table bridge %s\ndelete table bridge %s\n", n->inet_table,
			n->inet_table);
	} else {
		/* The bridge table may have survived alone; make "delete" always succeed. */
		nftc_buf_printf(&b, "table bridge %s\ndelete table bridge %s\n", n->inet_table,
			n->inet_table);
	}
	ret = b.err ? b.err : nftc_base(&b, n->inet_table, n->lan_if);
	if (!ret)
		ret = run(n, b.s);
	if (!ret)
		log_info("nft=base table=inet/%s action=%s", n->inet_table,
			state == -1 ? "replaced" : "created");
	free(b.s);
	return ret;
}

static int mac_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 6);
}

static bool id_ok(const char *id)
{
	for (size_t i = 0; i < IPC_PROFILE_ID_LEN; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	return true;
}

static bool key_none(const char *k)
{
	for (size_t i = 0; i < IPC_PROFILE_ID_LEN; i++)
		if (k[i])
			return false;
	return true;
}

static bool installed(const struct nft *n, const char *id)
{
	for (size_t i = 0; i < n->nprofiles; i++)
		if (memcmp(n->profiles[i], id, IPC_PROFILE_ID_LEN) == 0)
			return true;
	return false;
}

/* One address of a device in dev_in4 / dev_in6. */
static int addr_op(struct nft_batch *b, bool add, const struct ipc_addr *a, const char *chain)
{
	bool v4 = a->family == 4;

	if (add)
		return nft_batch_add(b, NFT_BATCH_INET, v4 ? "dev_in4" : "dev_in6",
			v4 ? NFT_BATCH_IPV4 : NFT_BATCH_IPV6, a->a, chain);
	return nft_batch_del(b, NFT_BATCH_INET, v4 ? "dev_in4" : "dev_in6",
		v4 ? NFT_BATCH_IPV4 : NFT_BATCH_IPV6, a->a);
}

/* Sends the queued element transaction. A refusal is logged with the kernel's errno and the
 * element it named, and is -EIO as for any ruleset nft refused; -ENOMEM stays itself. */
static int commit(struct nft *n)
{
	struct nft_batch_error e;
	int ret = nft_batch_commit(n->batch, &e);

	if (!ret || ret == -ENOMEM)
		return ret;
	log_warnx("nft=apply table=%s error=\"%s\" op=\"%s\"", n->inet_table, strerror(-ret),
		e.what[0] ? e.what : "?");
	return -EIO;
}

/* Every element an entry puts into our maps, added or deleted (the parent deletes only what it
 * added: a delete of an absent element would refuse the whole transaction). The first queueing
 * error, or 0. */
static int elem_ops(struct nft *n, bool add, const struct ipc_dev_sync_entry *e)
{
	struct nft_batch *b = n->batch;
	char id[IPC_PROFILE_ID_LEN + 1], chain[NFT_BATCH_NAME_MAX + 1];
	int ret = 0;

	memcpy(id, e->id, IPC_PROFILE_ID_LEN);
	id[IPC_PROFILE_ID_LEN] = 0;
	if (e->profile == IPC_PROFILE_BLOCKED) {
		if (add) {
			ret = nft_batch_add(b, NFT_BATCH_INET, "dev_profile", NFT_BATCH_ETHER,
				e->mac, "prof_blocked");
			if (!ret)
				ret = nft_batch_add(b, NFT_BATCH_BRIDGE, "dev_profile",
					NFT_BATCH_ETHER, e->mac, "prof_blocked");
		} else {
			ret = nft_batch_del(
				b, NFT_BATCH_INET, "dev_profile", NFT_BATCH_ETHER, e->mac);
			if (!ret)
				ret = nft_batch_del(b, NFT_BATCH_BRIDGE, "dev_profile",
					NFT_BATCH_ETHER, e->mac);
		}
		return ret;
	}
	if (e->profile != IPC_PROFILE_POLICY)
		return 0;
	if (add) {
		snprintf(chain, sizeof(chain), "out_%s", id);
		ret = nft_batch_add(
			b, NFT_BATCH_INET, "dev_profile", NFT_BATCH_ETHER, e->mac, chain);
		snprintf(chain, sizeof(chain), "bout_%s", id);
		if (!ret)
			ret = nft_batch_add(
				b, NFT_BATCH_BRIDGE, "dev_profile", NFT_BATCH_ETHER, e->mac, chain);
		snprintf(chain, sizeof(chain), "bin_%s", id);
		if (!ret)
			ret = nft_batch_add(
				b, NFT_BATCH_BRIDGE, "dev_in", NFT_BATCH_ETHER, e->mac, chain);
	} else {
		ret = nft_batch_del(b, NFT_BATCH_INET, "dev_profile", NFT_BATCH_ETHER, e->mac);
		if (!ret)
			ret = nft_batch_del(
				b, NFT_BATCH_BRIDGE, "dev_profile", NFT_BATCH_ETHER, e->mac);
		if (!ret)
			ret = nft_batch_del(b, NFT_BATCH_BRIDGE, "dev_in", NFT_BATCH_ETHER, e->mac);
	}
	for (int k = 0; k < 2 && !ret; k++) {
		const char *key = k ? e->mdl : e->mfg;
		char set[NFT_BATCH_NAME_MAX + 1];

		if (key_none(key))
			continue;
		snprintf(set, sizeof(set), "%s_%.12s", k ? "mdl" : "mfg", key);
		if (add) {
			/* As `add set`: created when absent, kept when present. */
			ret = nft_batch_new_set(b, NFT_BATCH_BRIDGE, set, NFT_BATCH_ETHER);
			if (!ret)
				ret = nft_batch_add(
					b, NFT_BATCH_BRIDGE, set, NFT_BATCH_ETHER, e->mac, NULL);
		} else {
			ret = nft_batch_del(b, NFT_BATCH_BRIDGE, set, NFT_BATCH_ETHER, e->mac);
		}
	}
	snprintf(chain, sizeof(chain), "in_%s", id);
	for (unsigned i = 0; i < e->naddrs && i < IPC_DEV_ADDRS && !ret; i++)
		ret = addr_op(b, add, &e->addrs[i], chain);
	return ret;
}

/* An entry as the parent will apply it: valid profile, installed id, addresses of a known
 * family and not claimed by another device (a stale lease: the first holder keeps it). */
static int entry_check(const struct nft *n, struct ipc_dev_sync_entry *e,
	const struct ipc_dev_sync_entry *others, size_t nothers)
{
	static const uint8_t zero[6];

	if (e->profile > IPC_PROFILE_MAX || (e->mac[0] & 1) || memcmp(e->mac, zero, 6) == 0)
		return -EINVAL;
	if (e->profile != IPC_PROFILE_POLICY) {
		memset(e->id, 0, sizeof(e->id));
		memset(e->mfg, 0, sizeof(e->mfg));
		memset(e->mdl, 0, sizeof(e->mdl));
		e->naddrs = 0;
		memset(e->addrs, 0, sizeof(e->addrs));
		return 0;
	}
	if (!id_ok(e->id) || !installed(n, e->id) || e->naddrs > IPC_DEV_ADDRS)
		return -EINVAL;
	if ((!key_none(e->mfg) && !id_ok(e->mfg)) || (!key_none(e->mdl) && !id_ok(e->mdl)))
		return -EINVAL;
	for (unsigned i = 0; i < e->naddrs; i++) {
		if (e->addrs[i].family != 4 && e->addrs[i].family != 6)
			return -EINVAL;
		if (e->addrs[i].family == 4)
			memset(e->addrs[i].a + 4, 0, 12);
	}
	/* Drop duplicates within the entry and addresses another device holds. */
	for (unsigned i = 0; i < e->naddrs;) {
		bool dup = false;

		for (unsigned k = 0; k < i && !dup; k++)
			dup = memcmp(&e->addrs[k], &e->addrs[i], sizeof(e->addrs[i])) == 0;
		for (size_t o = 0; o < nothers && !dup; o++) {
			if (memcmp(others[o].mac, e->mac, 6) == 0 ||
				others[o].profile != IPC_PROFILE_POLICY)
				continue;
			for (unsigned k = 0; k < others[o].naddrs && !dup; k++)
				dup = memcmp(&others[o].addrs[k], &e->addrs[i],
					      sizeof(e->addrs[i])) == 0;
		}
		if (dup) {
			memmove(&e->addrs[i], &e->addrs[i + 1],
				(e->naddrs - i - 1) * sizeof(e->addrs[0]));
			e->naddrs--;
			memset(&e->addrs[e->naddrs], 0, sizeof(e->addrs[0]));
		} else {
			i++;
		}
	}
	return 0;
}

/* Replaces the applied state of one device (key e->mac) by e; profile NONE removes it. */
static int dev_apply(struct nft *n, struct ipc_dev_sync_entry *e)
{
	struct ipc_dev_sync_entry *cur;
	int ret;

	ret = entry_check(n, e, n->applied, n->napplied);
	if (ret)
		return ret;
	cur = n->napplied ? bsearch(e, n->applied, n->napplied, sizeof(*e), mac_cmp) : NULL;
	if (cur && memcmp(cur, e, sizeof(*e)) == 0)
		return 0;
	if (!cur && e->profile == IPC_PROFILE_NONE)
		return 0;
	nft_batch_begin(n->batch);
	ret = cur ? elem_ops(n, false, cur) : 0;
	if (!ret)
		ret = elem_ops(n, true, e);
	if (!ret)
		ret = commit(n);
	if (ret)
		return ret;
	if (cur && e->profile != IPC_PROFILE_NONE) {
		*cur = *e;
	} else if (cur) {
		size_t i = (size_t)(cur - n->applied);

		memmove(cur, cur + 1, (n->napplied - i - 1) * sizeof(*cur));
		n->napplied--;
	} else {
		if (n->napplied == n->capplied) {
			size_t cap = n->capplied ? n->capplied * 2 : 64;
			void *p = reallocarray(n->applied, cap, sizeof(*n->applied));

			if (!p)
				return -ENOMEM;
			n->applied = p;
			n->capplied = cap;
		}
		n->applied[n->napplied++] = *e;
		qsort(n->applied, n->napplied, sizeof(*e), mac_cmp);
	}
	return 0;
}

int nft_dev_profile(struct nft *n, const uint8_t mac[6], enum ipc_profile profile)
{
	struct ipc_dev_sync_entry e = {.profile = (uint8_t)profile};

	if (profile == IPC_PROFILE_POLICY || profile > IPC_PROFILE_MAX)
		return -EINVAL;
	memcpy(e.mac, mac, 6);
	return dev_apply(n, &e);
}

int nft_dev_policy(struct nft *n, const struct ipc_dev_policy *op)
{
	struct ipc_dev_sync_entry e = {.profile = IPC_PROFILE_POLICY, .naddrs = op->naddrs};

	memcpy(e.mac, op->mac, 6);
	memcpy(e.id, op->id, sizeof(e.id));
	memcpy(e.mfg, op->mfg, sizeof(e.mfg));
	memcpy(e.mdl, op->mdl, sizeof(e.mdl));
	memcpy(e.addrs, op->addrs, sizeof(e.addrs));
	return dev_apply(n, &e);
}

int nft_profile_install(struct nft *n, const char id[IPC_PROFILE_ID_LEN], const char *authority,
	const struct pol_policy *p, char *err, size_t errlen)
{
	char want[NFTC_ID_LEN + 1], got[NFTC_ID_LEN + 1];
	struct nftc_buf b = {0};
	int ret;

	memcpy(want, id, IPC_PROFILE_ID_LEN);
	want[IPC_PROFILE_ID_LEN] = 0;
	if (!id_ok(want))
		return util_errf(err, errlen, "profile id is not 12 hex digits");
	ret = nftc_check(p, authority[0] ? authority : NULL, err, errlen);
	if (ret)
		return ret;
	ret = nftc_profile_id(p, authority[0] ? authority : NULL, got);
	if (ret)
		return util_errf(err, errlen, "cannot compute the profile id");
	if (strcmp(want, got) != 0)
		return util_errf(
			err, errlen, "profile id %s does not match its rules (%s)", want, got);
	ret = nftc_profile(
		&b, n->inet_table, p, authority[0] ? authority : NULL, n->compile_flags, got);
	if (!ret)
		ret = b.err ? b.err : run(n, b.s);
	nftc_buf_free(&b);
	if (ret)
		return ret;
	for (size_t i = 0; i < n->nprofiles; i++)
		if (memcmp(n->profiles[i], want, IPC_PROFILE_ID_LEN) == 0) {
			n->stale[i] = false;
			return 0;
		}
	if (n->nprofiles == n->cprofiles) {
		size_t cap = n->cprofiles ? n->cprofiles * 2 : 16;
		void *q = reallocarray(n->profiles, cap, sizeof(*n->profiles));

		if (!q)
			return -ENOMEM;
		n->profiles = q;
		q = reallocarray(n->stale, cap, sizeof(*n->stale));
		if (!q)
			return -ENOMEM;
		n->stale = q;
		n->cprofiles = cap;
	}
	n->stale[n->nprofiles] = false;
	memcpy(n->profiles[n->nprofiles++], want, IPC_PROFILE_ID_LEN);
	return 0;
}

/* Queues a flush of every manufacturer and model MAC set in the bridge table: their members are
 * devices, so a complete device table replaces them too. The names come from the kernel's own
 * listing and are used only when they are our hex-named sets. */
static void flush_listed(const char *name, void *arg)
{
	struct nft *n = arg;
	char id[IPC_PROFILE_ID_LEN + 1];

	if ((strncmp(name, "mfg_", 4) != 0 && strncmp(name, "mdl_", 4) != 0) ||
		strlen(name) != 4 + IPC_PROFILE_ID_LEN)
		return;
	memcpy(id, name + 4, IPC_PROFILE_ID_LEN);
	id[IPC_PROFILE_ID_LEN] = 0;
	if (id_ok(id))
		nft_batch_flush(n->batch, NFT_BATCH_BRIDGE, name);
}

/* One device's place in a manufacturer or model set, for grouping a full load by set; order is
 * where elem_ops would have put it. */
struct member {
	char set[4 + IPC_PROFILE_ID_LEN + 1];
	const uint8_t *mac;
	size_t order;
};

static int member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	int c = strcmp(x->set, y->set);

	return c ? c : x->order < y->order ? -1 : x->order > y->order;
}

/* Groups (their first member) by where elem_ops would have declared the set. */
static int first_cmp(const void *a, const void *b)
{
	const struct member *x = *(const struct member *const *)a;
	const struct member *y = *(const struct member *const *)b;

	return x->order < y->order ? -1 : x->order > y->order;
}

/* Every element of the entries, map by map and set by set, so that the batch puts up to 256 of
 * them in one message: the same elements elem_ops adds, in another order (a transaction of
 * adds only, into maps just flushed, does not depend on it). */
static int sync_ops(struct nft *n, const struct ipc_dev_sync_entry *e, size_t count)
{
	static const struct {
		enum nft_batch_family f;
		const char *set, *prefix;
	} maps[] = {
		{NFT_BATCH_INET, "dev_profile", "out_"},
		{NFT_BATCH_BRIDGE, "dev_profile", "bout_"},
		{NFT_BATCH_BRIDGE, "dev_in", "bin_"},
	};
	struct nft_batch *b = n->batch;
	struct member *m = NULL, **groups = NULL;
	size_t nm = 0, ng = 0;
	int ret = 0;

	for (size_t t = 0; t < 3 && !ret; t++)
		for (size_t i = 0; i < count && !ret; i++) {
			char chain[NFT_BATCH_NAME_MAX + 1];

			if (e[i].profile == IPC_PROFILE_BLOCKED)
				snprintf(chain, sizeof(chain), "prof_blocked");
			else if (e[i].profile == IPC_PROFILE_POLICY)
				snprintf(chain, sizeof(chain), "%s%.12s", maps[t].prefix, e[i].id);
			else
				continue;
			if (t == 2 && e[i].profile != IPC_PROFILE_POLICY)
				continue; /* a blocked device is in the dev_profile maps only */
			ret = nft_batch_add(
				b, maps[t].f, maps[t].set, NFT_BATCH_ETHER, e[i].mac, chain);
		}
	for (int fam = 4; fam <= 6 && !ret; fam += 2)
		for (size_t i = 0; i < count && !ret; i++) {
			char chain[NFT_BATCH_NAME_MAX + 1];

			if (e[i].profile != IPC_PROFILE_POLICY)
				continue;
			snprintf(chain, sizeof(chain), "in_%.12s", e[i].id);
			for (unsigned k = 0; k < e[i].naddrs && k < IPC_DEV_ADDRS && !ret; k++)
				if (e[i].addrs[k].family == fam)
					ret = addr_op(b, true, &e[i].addrs[k], chain);
		}
	if (ret)
		return ret;
	if (count > SIZE_MAX / 2 / sizeof(*m))
		return -ENOMEM;
	if (count &&
		(!(m = calloc(2 * count, sizeof(*m))) ||
			!(groups = calloc(2 * count, sizeof(*groups))))) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < count; i++)
		for (int k = 0; k < 2 && e[i].profile == IPC_PROFILE_POLICY; k++) {
			const char *key = k ? e[i].mdl : e[i].mfg;

			if (key_none(key))
				continue;
			snprintf(m[nm].set, sizeof(m[nm].set), "%s_%.12s", k ? "mdl" : "mfg", key);
			m[nm].mac = e[i].mac;
			m[nm++].order = 2 * i + (size_t)k;
		}
	if (nm)
		qsort(m, nm, sizeof(*m), member_cmp);
	/* The sets are declared in the order elem_ops would declare them (a listing shows sets in
	 * creation order), then filled set by set. */
	for (size_t i = 0; i < nm; i++)
		if (i == 0 || strcmp(m[i].set, m[i - 1].set) != 0)
			groups[ng++] = &m[i];
	if (ng)
		qsort(groups, ng, sizeof(*groups), first_cmp);
	for (size_t g = 0; g < ng && !ret; g++)
		ret = nft_batch_new_set(b, NFT_BATCH_BRIDGE, groups[g]->set, NFT_BATCH_ETHER);
	for (size_t i = 0; i < nm && !ret; i++)
		ret = nft_batch_add(b, NFT_BATCH_BRIDGE, m[i].set, NFT_BATCH_ETHER, m[i].mac, NULL);
out:
	free(groups);
	free(m);
	return ret;
}

int nft_dev_sync(struct nft *n, const struct ipc_dev_sync_entry *e, size_t count)
{
	struct ipc_dev_sync_entry *copy = NULL;
	size_t kept = 0;
	int ret = 0;

	if (count) {
		copy = calloc(count, sizeof(*copy));
		if (!copy)
			return -ENOMEM;
	}
	for (size_t i = 0; i < count; i++) {
		struct ipc_dev_sync_entry x = e[i];

		ret = entry_check(n, &x, copy, kept);
		if (ret)
			goto out;
		if (x.profile != IPC_PROFILE_NONE)
			copy[kept++] = x;
	}
	if (kept)
		qsort(copy, kept, sizeof(*copy), mac_cmp);
	for (size_t i = 1; i < kept; i++) {
		if (mac_cmp(&copy[i - 1], &copy[i]) == 0) {
			ret = -EINVAL;
			goto out;
		}
	}
	/* Flush and refill inside one transaction: packets see the old maps or the new ones,
	 * never empty ones. */
	nft_batch_begin(n->batch);
	nft_batch_flush(n->batch, NFT_BATCH_INET, "dev_profile");
	nft_batch_flush(n->batch, NFT_BATCH_INET, "dev_in4");
	nft_batch_flush(n->batch, NFT_BATCH_INET, "dev_in6");
	nft_batch_flush(n->batch, NFT_BATCH_BRIDGE, "dev_profile");
	nft_batch_flush(n->batch, NFT_BATCH_BRIDGE, "dev_in");
	/* A listing that fails (no bridge table) flushes no member set; the transaction then
	 * fails on the maps anyway. */
	nft_batch_sets(n->batch, NFT_BATCH_BRIDGE, flush_listed, n);
	ret = sync_ops(n, copy, kept);
	if (!ret)
		ret = commit(n);
	if (ret)
		goto out;
	free(n->applied);
	n->applied = copy;
	n->napplied = n->capplied = kept;
	copy = NULL;
out:
	free(copy);
	return ret;
}

/* Queues a flush of every controller set of the bridge table (names from the kernel's
 * listing, used only when they are our hex-named sets). */
static void flush_controllers(const char *name, void *arg)
{
	struct nft *n = arg;
	char id[IPC_PROFILE_ID_LEN + 1];

	if ((strncmp(name, "ctl_", 4) != 0 && strncmp(name, "myc_", 4) != 0) ||
		strlen(name) != 4 + IPC_PROFILE_ID_LEN)
		return;
	memcpy(id, name + 4, IPC_PROFILE_ID_LEN);
	id[IPC_PROFILE_ID_LEN] = 0;
	if (id_ok(id))
		nft_batch_flush(n->batch, NFT_BATCH_BRIDGE, name);
}

static int ctl_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct ipc_ctl_entry));
}

int nft_ctl_sync(struct nft *n, const struct ipc_ctl_entry *e, size_t count)
{
	static const uint8_t zero[6];
	struct ipc_ctl_entry *copy = NULL;
	int ret = 0;

	if (count > IPC_CTL_MAX)
		return -EINVAL;
	for (size_t i = 0; i < count; i++)
		if (e[i].kind < IPC_CTL_CLASS || e[i].kind > IPC_CTL_KIND_MAX || !id_ok(e[i].set) ||
			(e[i].mac[0] & 1) || memcmp(e[i].mac, zero, 6) == 0)
			return -EINVAL;
	if (count) {
		copy = calloc(count, sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		for (size_t i = 0; i < count; i++) {
			copy[i] = e[i];
			copy[i].pad = 0;
		}
		/* Grouped by set, so the batch puts a set's members in one message. */
		qsort(copy, count, sizeof(*copy), ctl_cmp);
	}
	nft_batch_begin(n->batch);
	nft_batch_sets(n->batch, NFT_BATCH_BRIDGE, flush_controllers, n);
	for (size_t i = 0; i < count && !ret; i++) {
		char set[NFT_BATCH_NAME_MAX + 1];

		snprintf(set, sizeof(set), "%s_%.12s",
			copy[i].kind == IPC_CTL_CLASS ? "ctl" : "myc", copy[i].set);
		if (i == 0 || memcmp(copy[i].set, copy[i - 1].set, IPC_PROFILE_ID_LEN) != 0 ||
			copy[i].kind != copy[i - 1].kind)
			ret = nft_batch_new_set(n->batch, NFT_BATCH_BRIDGE, set, NFT_BATCH_ETHER);
		if (!ret)
			ret = nft_batch_add(n->batch, NFT_BATCH_BRIDGE, set, NFT_BATCH_ETHER,
				copy[i].mac, NULL);
	}
	if (!ret)
		ret = commit(n);
	free(copy);
	return ret;
}

int nft_profile_remove(struct nft *n, const char id[IPC_PROFILE_ID_LEN])
{
	const char *t = n->inet_table;
	struct nftc_buf b = {0};
	char p[IPC_PROFILE_ID_LEN + 1];
	size_t at;
	int ret;

	memcpy(p, id, IPC_PROFILE_ID_LEN);
	p[IPC_PROFILE_ID_LEN] = 0;
	if (!id_ok(p))
		return -EINVAL;
	for (at = 0; at < n->nprofiles; at++)
		if (memcmp(n->profiles[at], id, IPC_PROFILE_ID_LEN) == 0)
			break;
	if (at == n->nprofiles)
		return -ENOENT;
	/* Never while a map still jumps to it (the kernel would refuse anyway: EBUSY). */
	for (size_t i = 0; i < n->napplied; i++)
		if (n->applied[i].profile == IPC_PROFILE_POLICY &&
			memcmp(n->applied[i].id, id, IPC_PROFILE_ID_LEN) == 0)
			return -EBUSY;
	/* The chains first (their rules hold the sets), then myc_, which exists only when the
	 * profile has my-controller rules or had members: `add set` makes the delete always
	 * succeed, in the same transaction. */
	nftc_buf_printf(
		&b, "delete chain inet %s out_%s\ndelete chain inet %s in_%s\n", t, p, t, p);
	nftc_buf_printf(
		&b, "delete chain bridge %s bout_%s\ndelete chain bridge %s bin_%s\n", t, p, t, p);
	nftc_buf_printf(&b, "add set bridge %s myc_%s { type ether_addr; }\n", t, p);
	nftc_buf_printf(&b, "delete set bridge %s myc_%s\n", t, p);
	ret = b.err ? b.err : run(n, b.s);
	nftc_buf_free(&b);
	if (ret)
		return ret;
	memmove(n->profiles[at], n->profiles[at + 1],
		(n->nprofiles - at - 1) * sizeof(n->profiles[0]));
	memmove(&n->stale[at], &n->stale[at + 1], (n->nprofiles - at - 1) * sizeof(n->stale[0]));
	n->nprofiles--;
	log_info("nft=profile id=%s action=removed", p);
	return 0;
}

void nft_engine_start(struct nft *n)
{
	for (size_t i = 0; i < n->nprofiles; i++)
		n->stale[i] = true;
}

static bool mapped(const struct nft *n, const char *id)
{
	for (size_t i = 0; i < n->napplied; i++)
		if (n->applied[i].profile == IPC_PROFILE_POLICY &&
			memcmp(n->applied[i].id, id, IPC_PROFILE_ID_LEN) == 0)
			return true;
	return false;
}

int nft_profile_sweep(struct nft *n)
{
	const char *t = n->inet_table, *out, *at;
	struct nftc_buf b = {0}, listing = {0};
	char cmd[96], msg[256] = "";
	unsigned count = 0;
	int ret = 0, rc = -1;

	/* The kernel's chains, not only ours: a previous parent's profiles are listed too. */
	snprintf(cmd, sizeof(cmd), "list table inet %s", t);
	nft_ctx_set_dry_run(n->ctx, false);
	/* A dump that a concurrent change (dnsmasq filling a set) interrupts is read again. */
	for (int tries = 0; tries < 3 && rc != 0; tries++) {
		rc = nft_run_cmd_from_buffer(n->ctx, cmd);
		if (rc != 0) {
			const char *e = nft_ctx_get_error_buffer(n->ctx);

			util_sanitize(msg, sizeof(msg), e ? e : "", e ? strlen(e) : 0);
		}
	}
	if (rc != 0) {
		log_warnx("nft=sweep error=\"%s\"", msg);
		return -EIO;
	}
	out = nft_ctx_get_output_buffer(n->ctx);
	nftc_buf_printf(&listing, "%s", out ? out : "");
	for (at = listing.s; at && (at = strstr(at, "chain out_")); at += 10) {
		char id[IPC_PROFILE_ID_LEN + 1];
		size_t k;

		memcpy(id, at + 10, IPC_PROFILE_ID_LEN);
		id[IPC_PROFILE_ID_LEN] = 0;
		if (strnlen(at + 10, IPC_PROFILE_ID_LEN + 1) < IPC_PROFILE_ID_LEN + 1 ||
			!id_ok(id) || at[10 + IPC_PROFILE_ID_LEN] != ' ' || mapped(n, id))
			continue;
		for (k = 0; k < n->nprofiles; k++)
			if (memcmp(n->profiles[k], id, IPC_PROFILE_ID_LEN) == 0)
				break;
		if (k < n->nprofiles && !n->stale[k])
			continue; /* the engine knows it: it drops it after the grace period */
		/* `add` first: a chain or set someone removed by hand makes no delete fail. */
		nftc_buf_printf(&b,
			"add chain inet %s out_%s\nadd chain inet %s in_%s\n"
			"add chain bridge %s bout_%s\nadd chain bridge %s bin_%s\n"
			"add set bridge %s myc_%s { type ether_addr; }\n",
			t, id, t, id, t, id, t, id, t, id);
		nftc_buf_printf(&b,
			"delete chain inet %s out_%s\ndelete chain inet %s in_%s\n"
			"delete chain bridge %s bout_%s\ndelete chain bridge %s bin_%s\n"
			"delete set bridge %s myc_%s\n",
			t, id, t, id, t, id, t, id, t, id);
		count++;
	}
	ret = listing.err ? listing.err : b.err;
	if (!ret && count)
		ret = run(n, b.s);
	if (!ret && count) {
		/* Every stale profile of this parent that is not mapped has its chains in the
		 * kernel, so it was in the transaction: none of them is installed any more. */
		for (size_t k = 0; k < n->nprofiles;) {
			if (n->stale[k] && !mapped(n, n->profiles[k])) {
				memmove(n->profiles[k], n->profiles[k + 1],
					(n->nprofiles - k - 1) * sizeof(n->profiles[0]));
				memmove(&n->stale[k], &n->stale[k + 1],
					(n->nprofiles - k - 1) * sizeof(n->stale[0]));
				n->nprofiles--;
			} else {
				k++;
			}
		}
		log_info("nft=sweep profiles_removed=%u", count);
	}
	nftc_buf_free(&listing);
	nftc_buf_free(&b);
	return ret ? ret : (int)count;
}

/* The network part of addr under a prefix of bits, as text. */
static void prefix_text(int family, const void *addr, unsigned bits, char *buf, size_t len)
{
	uint8_t a[16] = {0};
	size_t n = family == AF_INET ? 4 : 16;
	char t[INET6_ADDRSTRLEN];

	memcpy(a, addr, n);
	for (size_t i = 0; i < n; i++) {
		unsigned keep = bits > i * 8 ? (bits - i * 8 >= 8 ? 8 : bits - i * 8) : 0;

		a[i] &= (uint8_t)(0xff00 >> keep);
	}
	inet_ntop(family, a, t, sizeof(t));
	snprintf(buf, len, "%s/%u", t, bits);
}

static unsigned mask_bits(const uint8_t *m, size_t n)
{
	unsigned bits = 0;

	for (size_t i = 0; i < n; i++)
		for (int b = 7; b >= 0 && (m[i] >> b) & 1; b--)
			bits++;
	return bits;
}

int nft_set_lan(struct nft *n)
{
	const char *t = n->inet_table;
	struct ifaddrs *ifa = NULL;
	struct nftc_buf b = {0};
	unsigned count = 0;
	int ret;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	nftc_buf_printf(&b, "flush set inet %s gw4\nflush set inet %s gw6\n", t, t);
	nftc_buf_printf(&b, "flush set inet %s lan4\nflush set inet %s lan6\n", t, t);
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		char a[INET6_ADDRSTRLEN], pfx[INET6_ADDRSTRLEN + 8];
		const void *addr, *mask;
		int fam;
		size_t alen;

		if (!i->ifa_addr || !i->ifa_netmask || strcmp(i->ifa_name, n->lan_if) != 0)
			continue;
		fam = i->ifa_addr->sa_family;
		if (fam == AF_INET) {
			addr = &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr;
			mask = &((struct sockaddr_in *)(void *)i->ifa_netmask)->sin_addr;
			alen = 4;
		} else if (fam == AF_INET6) {
			addr = &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;
			mask = &((struct sockaddr_in6 *)(void *)i->ifa_netmask)->sin6_addr;
			alen = 16;
		} else {
			continue;
		}
		inet_ntop(fam, addr, a, sizeof(a));
		prefix_text(fam, addr, mask_bits(mask, alen), pfx, sizeof(pfx));
		nftc_buf_printf(&b, "add element inet %s %s { %s }\n", t,
			fam == AF_INET ? "gw4" : "gw6", a);
		nftc_buf_printf(&b, "add element inet %s %s { %s }\n", t,
			fam == AF_INET ? "lan4" : "lan6", pfx);
		count++;
	}
	freeifaddrs(ifa);
	ret = b.err ? b.err : run(n, b.s);
	nftc_buf_free(&b);
	if (!ret)
		log_info("nft=lan if=%s addresses=%u", n->lan_if, count);
	return ret;
}

const char *nft_table(const struct nft *n)
{
	return n->inet_table;
}

int nft_remove(struct nft *n)
{
	struct nftc_buf b = {0};
	int ret;

	nftc_buf_printf(&b, "table inet %s\ndelete table inet %s\n", n->inet_table, n->inet_table);
	nftc_buf_printf(
		&b, "table bridge %s\ndelete table bridge %s\n", n->inet_table, n->inet_table);
	ret = b.err ? b.err : run(n, b.s);
	free(b.s);
	return ret;
}
