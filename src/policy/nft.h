/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nftables backend of the privileged parent: our own tables, lifecycle profiles per device. */
#ifndef HG_NFT_H
#define HG_NFT_H

#include <stddef.h>
#include <stdint.h>

#include "core/ipc.h"
#include "policy/policy.h"

struct nft;

/* Opens a libnftables context (structural changes) and the netlink socket element updates are
 * sent on as libnftnl batches (policy/nft_batch.h); both stay open until nft_close. lan_if is
 * the LAN bridge the per-device rules apply to; it must be a valid interface name. table_suffix
 * is appended to the table names (tests use it to run side by side; "" in production). */
int nft_open(const char *lan_if, const char *table_suffix, struct nft **out);
void nft_close(struct nft *n);

/* The compiler's flags for every profile installed from now on (nftc_profile: 0, the default,
 * or NFTC_DNS_PER_NAME for dnsmasq --nftset). */
void nft_set_compile_flags(struct nft *n, unsigned flags);

/* Creates `table inet homegate` and `table bridge homegate` when absent, in one transaction.
 * Present tables of the same schema are kept as they are (fail-static: a restart never opens a
 * gap); a table of another schema is replaced atomically. */
int nft_ensure_base(struct nft *n);

/* Puts one device under a lifecycle profile (IPC_PROFILE_NONE removes its entry). */
int nft_dev_profile(struct nft *n, const uint8_t mac[6], enum ipc_profile profile);

/* Installs (or refreshes: loading again replaces the chains' rules) the compiled profile of p
 * under id, which must be nftc_profile_id(p, authority): the parent recomputes it, so an id
 * always names the rules it was made from. authority "" when not needed. 0, -EINVAL with the
 * reason in err (an invalid policy, a wrong id), -EIO when nft refused, -ENOMEM. */
int nft_profile_install(struct nft *n, const char id[IPC_PROFILE_ID_LEN], const char *authority,
	const struct pol_policy *p, char *err, size_t errlen);

/* Puts one device under an installed compiled profile: its MAC in the inet and bridge
 * dev_profile maps and in bridge dev_in, its addresses in dev_in4 / dev_in6. -EINVAL for an
 * unknown profile or a bad address; an address another device holds is left to that device. */
int nft_dev_policy(struct nft *n, const struct ipc_dev_policy *op);

/* Replaces the whole device -> profile table in one atomic transaction.
 * nft_dev_profile, nft_dev_policy and nft_dev_sync return -EIO when the kernel refused the
 * transaction (logged with its errno and the element; nothing of it applied). */
int nft_dev_sync(struct nft *n, const struct ipc_dev_sync_entry *e, size_t count);

/* Replaces the members of every controller set (bridge ctl_<H> and myc_<P>, created when
 * absent) with the count entries, in one transaction: sets named by the kernel's listing are
 * flushed and refilled, so members of a set no entry names go too. -EINVAL (nothing changed)
 * for an entry of an unknown kind, a set that is not 12 lower-case hex digits, a multicast or
 * all-zero MAC; -EIO when the kernel refused. */
int nft_ctl_sync(struct nft *n, const struct ipc_ctl_entry *e, size_t count);

/* Deletes an installed compiled profile's chains (out_, in_, bout_, bin_) and its
 * my-controller set in one transaction. Shared sets (DNS names, makers, models, controller
 * classes) stay. -EINVAL for a malformed id, -ENOENT when this parent did not install it,
 * -EBUSY (nothing changed) while a device is mapped to it, -EIO when nft refused. */
int nft_profile_remove(struct nft *n, const char id[IPC_PROFILE_ID_LEN]);

/* A new engine starts: the profiles installed so far are stale until it sends them again. */
void nft_engine_start(struct nft *n);

/* After a complete device table (nft_dev_sync): deletes, in one transaction, the chains and
 * my-controller set of every profile in the kernel that no device is mapped to and that the
 * current engine has not sent since it started: profiles of an earlier engine or parent that
 * no engine will ever drop. Returns how many, or -EIO / -ENOMEM (then nothing changed). */
int nft_profile_sweep(struct nft *n);

/* Fills the gateway's own addresses (gw4, gw6: DNS and NTP are allowed to them) and the LAN
 * prefixes (lan4, lan6: local-networks) from the LAN bridge's addresses, replacing what the sets
 * held in one transaction. 0 or -errno / -EIO. */
int nft_set_lan(struct nft *n);

/* The inet table's name ("homegate" + suffix). */
const char *nft_table(const struct nft *n);

/* Deletes our tables (used by `homegated --remove-rules` and tests; never on a restart). */
int nft_remove(struct nft *n);

#endif
