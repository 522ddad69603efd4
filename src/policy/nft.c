/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nftables backend of the privileged parent: our own tables, lifecycle profiles per device. */
#include "policy/nft.h"

#include "core/log.h"
#include "core/util.h"
#include "policy/nft_compile.h"

#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The base ruleset and its schema come from the compiler (policy/nft_compile.c). */
#define NFT_SCHEMA NFTC_SCHEMA

struct nft {
	struct nft_ctx *ctx;
	char lan_if[16];
	char inet_table[48]; /* "homegate" + suffix */
	/* What we last applied, so a single update knows whether an element exists: the parent
	 * keeps this rather than reading the kernel back. Sorted by MAC. */
	struct ipc_dev_sync_entry *applied;
	size_t napplied, capplied;
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

int nft_open(const char *lan_if, const char *table_suffix, struct nft **out)
{
	struct nft *n;

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
	*out = n;
	return 0;
}

void nft_close(struct nft *n)
{
	if (!n)
		return;
	nft_ctx_free(n->ctx);
	free(n->applied);
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

static const char *profile_chain(enum ipc_profile p)
{
	switch (p) {
	case IPC_PROFILE_BLOCKED:
		return "prof_blocked";
	case IPC_PROFILE_NONE:
		break;
	}
	return NULL;
}

static int mac_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 6);
}

static void elem_cmd(struct nft *n, struct nftc_buf *b, const char *verb, const uint8_t mac[6],
	enum ipc_profile p)
{
	static const char *const fams[] = {"inet", "bridge"};

	for (size_t i = 0; i < ARRAY_SIZE(fams); i++) {
		nftc_buf_printf(b, "%s element %s %s dev_profile { %02x:%02x:%02x:%02x:%02x:%02x",
			verb, fams[i], n->inet_table, mac[0], mac[1], mac[2], mac[3], mac[4],
			mac[5]);
		if (p != IPC_PROFILE_NONE)
			nftc_buf_printf(b, " : jump %s", profile_chain(p));
		nftc_buf_printf(b, " }\n");
	}
}

int nft_dev_profile(struct nft *n, const uint8_t mac[6], enum ipc_profile profile)
{
	struct ipc_dev_sync_entry key = {.profile = (uint8_t)profile}, *cur;
	struct nftc_buf b = {0};
	int ret;

	if (profile > IPC_PROFILE_MAX)
		return -EINVAL;
	memcpy(key.mac, mac, 6);
	cur = n->napplied ? bsearch(&key, n->applied, n->napplied, sizeof(key), mac_cmp) : NULL;
	if (cur && cur->profile == profile)
		return 0;
	if (!cur && profile == IPC_PROFILE_NONE)
		return 0;
	if (cur)
		elem_cmd(n, &b, "delete", mac, IPC_PROFILE_NONE);
	if (profile != IPC_PROFILE_NONE)
		elem_cmd(n, &b, "add", mac, profile);
	ret = b.err ? b.err : run(n, b.s);
	free(b.s);
	if (ret)
		return ret;
	if (cur && profile != IPC_PROFILE_NONE) {
		cur->profile = (uint8_t)profile;
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
		n->applied[n->napplied++] = key;
		qsort(n->applied, n->napplied, sizeof(key), mac_cmp);
	}
	return 0;
}

int nft_dev_sync(struct nft *n, const struct ipc_dev_sync_entry *e, size_t count)
{
	struct ipc_dev_sync_entry *copy = NULL;
	struct nftc_buf b = {0};
	size_t kept = 0;
	int ret;

	if (count) {
		copy = calloc(count, sizeof(*copy));
		if (!copy)
			return -ENOMEM;
	}
	for (size_t i = 0; i < count; i++) {
		if (e[i].profile > IPC_PROFILE_MAX) {
			ret = -EINVAL;
			goto out;
		}
		if (e[i].profile != IPC_PROFILE_NONE)
			copy[kept++] = e[i];
	}
	if (kept)
		qsort(copy, kept, sizeof(*copy), mac_cmp);
	for (size_t i = 1; i < kept; i++) {
		if (mac_cmp(&copy[i - 1], &copy[i]) == 0) {
			ret = -EINVAL;
			goto out;
		}
	}
	/* Flush and refill inside one transaction: packets see the old table or the new one,
	 * never an empty one. */
	nftc_buf_printf(&b, "flush map inet %s dev_profile\n", n->inet_table);
	nftc_buf_printf(&b, "flush map bridge %s dev_profile\n", n->inet_table);
	for (size_t i = 0; i < kept; i++)
		elem_cmd(n, &b, "add", copy[i].mac, copy[i].profile);
	ret = b.err ? b.err : run(n, b.s);
	if (ret)
		goto out;
	free(n->applied);
	n->applied = copy;
	n->napplied = n->capplied = kept;
	copy = NULL;
out:
	free(copy);
	free(b.s);
	return ret;
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
