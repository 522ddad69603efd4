/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nftables backend of the privileged parent: our own tables, lifecycle profiles per device. */
#ifndef HG_NFT_H
#define HG_NFT_H

#include <stddef.h>
#include <stdint.h>

#include "core/ipc.h"

struct nft;

/* Opens a libnftables context. lan_if is the LAN bridge the per-device rules apply to; it must
 * be a valid interface name. table_suffix is appended to the table names (tests use it to run
 * side by side; "" in production). */
int nft_open(const char *lan_if, const char *table_suffix, struct nft **out);
void nft_close(struct nft *n);

/* Creates `table inet homegate` and `table bridge homegate` when absent, in one transaction.
 * Present tables of the same schema are kept as they are (fail-static: a restart never opens a
 * gap); a table of another schema is replaced atomically. */
int nft_ensure_base(struct nft *n);

/* Puts one device under a lifecycle profile (IPC_PROFILE_NONE removes its entry). */
int nft_dev_profile(struct nft *n, const uint8_t mac[6], enum ipc_profile profile);

/* Replaces the whole device -> profile table in one atomic transaction. */
int nft_dev_sync(struct nft *n, const struct ipc_dev_sync_entry *e, size_t count);

/* Deletes our tables (used by `homegated --remove-rules` and tests; never on a restart). */
int nft_remove(struct nft *n);

#endif
