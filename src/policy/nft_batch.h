/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Set-element transactions on our own nftables tables as one libnftnl batch over libmnl. */
#ifndef HG_NFT_BATCH_H
#define HG_NFT_BATCH_H

#include <stddef.h>
#include <stdint.h>

/*
 * A struct nft_batch owns one netfilter netlink socket, kept open for the life of the parent,
 * and the operations of the transaction being built. Operations are queued in call order;
 * consecutive ones of the same kind on the same set share one netlink message. Commit sends
 * the whole transaction in one sendmsg: the kernel applies every operation or none.
 *
 * Every name is checked when queued (set names and jump targets [A-Za-z0-9_], at most 31
 * bytes): a bad one makes the queueing call and the following commit fail with -EINVAL and
 * nothing is sent.
 */
struct nft_batch;

enum nft_batch_family { NFT_BATCH_INET, NFT_BATCH_BRIDGE };
/* NAME4 / NAME6: the keys of the DNS-name sets (nftc_name_id): a name id as two native-order
 * 32-bit words, then an IPv4 (12 bytes in all) or IPv6 address (24 bytes). */
enum nft_batch_key {
	NFT_BATCH_ETHER,
	NFT_BATCH_IPV4,
	NFT_BATCH_IPV6,
	NFT_BATCH_NAME4,
	NFT_BATCH_NAME6
};
#define NFT_BATCH_KEY_MAX 24

#define NFT_BATCH_NAME_MAX 31

/* Where a commit failed: the kernel's errno and the operation it refused. */
struct nft_batch_error {
	int err;	/* -errno; 0 when the commit succeeded */
	size_t op;	/* index of the refused operation in queueing order, SIZE_MAX if unknown */
	char what[160]; /* that operation as text ("add bridge dev_in 02:..:01 jump bin_..") */
};

/* Opens the socket for table (our table's name, [A-Za-z0-9_-], at most 47 bytes). 0, -EINVAL, -ENOMEM or the
 * socket's -errno. */
int nft_batch_open(const char *table, struct nft_batch **out);
void nft_batch_close(struct nft_batch *b);

/* Drops whatever is queued and starts a new transaction. */
void nft_batch_begin(struct nft_batch *b);

/* Queues adding key (6, 4, 16, 12 or 24 bytes as kt says) to set; jump, when not NULL, is the verdict
 * `jump <jump>` of a map element. An element already present with the same data is no error
 * (as `add element`); with other data the kernel refuses the transaction (-EEXIST). */
int nft_batch_add(struct nft_batch *b, enum nft_batch_family f, const char *set,
	enum nft_batch_key kt, const void *key, const char *jump);

/* Queues adding key (any kind but ETHER) to a plain set declared `flags timeout`, with its own
 * timeout of timeout_ms (at least 1). An element already present gets the new timeout (Linux
 * 6.10 and later; older kernels keep the old one). A set without `flags timeout` refuses the
 * transaction (-EINVAL from the kernel); a timeout_ms of 0 is -EINVAL when queued. */
int nft_batch_add_timeout(struct nft_batch *b, enum nft_batch_family f, const char *set,
	enum nft_batch_key kt, const void *key, uint64_t timeout_ms);

/* Queues deleting key from set (map or set). An absent element fails the transaction
 * (-ENOENT): callers delete only what they know they added. */
int nft_batch_del(struct nft_batch *b, enum nft_batch_family f, const char *set,
	enum nft_batch_key kt, const void *key);

/* Queues emptying set (map or set). */
int nft_batch_flush(struct nft_batch *b, enum nft_batch_family f, const char *set);

/* Queues creating a plain set of keys kt (ETHER, IPV4 or IPV6) when absent, exactly as
 * `add set ... { type T; }` would (a present one of the same declaration is kept). */
int nft_batch_new_set(
	struct nft_batch *b, enum nft_batch_family f, const char *set, enum nft_batch_key kt);

/* Number of operations queued. */
size_t nft_batch_count(const struct nft_batch *b);

/* Sends the transaction and reads every acknowledgement. 0 when the kernel committed it; the
 * first refusal's -errno otherwise (the kernel then applied nothing), described in e when not
 * NULL. An empty transaction sends nothing. The queue is kept until the next begin. */
int nft_batch_commit(struct nft_batch *b, struct nft_batch_error *e);

/* Calls cb with the name of every set (and map) of our table in family f, from a dump of the
 * kernel's (a dump interrupted by a concurrent change is read again, so a name may come twice).
 * 0 or -errno (-ENOENT: no such table). */
typedef void (*nft_batch_set_cb)(const char *name, void *arg);
int nft_batch_sets(struct nft_batch *b, enum nft_batch_family f, nft_batch_set_cb cb, void *arg);

#endif
