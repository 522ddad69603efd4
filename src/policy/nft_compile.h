/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The policy -> nftables compiler: the base tables and one profile's sets and chains as text. */
#ifndef HG_NFT_COMPILE_H
#define HG_NFT_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

/*
 * Pure text generation: nothing here talks to the kernel. The ruleset (DESIGN §5,
 * docs/architecture.md "The policy compiler as built"):
 *
 *   table inet T    sets lan4 lan6 (local-networks) gw4 gw6 (the gateway's LAN addresses),
 *                   dnsname4 dnsname6 (every DNS name's addresses: name id . address);
 *                   maps dev_profile (ether saddr -> jump out_<P> | prof_blocked), dev_in4 and
 *                   dev_in6 (ip / ip6 daddr -> jump in_<P>); base chains input and forward at
 *                   priority filter - 10, policy accept; forward returns LAN <-> LAN packets
 *                   (br_netfilter hands bridged ones to it) to leave them to the bridge table.
 *   table bridge T  maps dev_profile (-> jump bout_<P> | prof_blocked) and dev_in (ether daddr
 *                   -> jump bin_<P>); base chain forward.
 *
 * A profile P (12 hex digits, nftc_profile_id) has chains out_<P>, in_<P> (inet, stateful) and
 * bout_<P>, bin_<P> (bridge, stateless). Accepts are `return`: only our drops are final, the
 * system firewall still decides about everything we let through.
 *
 * Every byte of the text comes from fixed strings, numbers and addresses rendered from binary
 * fields, hex digests, or the caller's table and interface names (validated). Nothing of a
 * policy's strings is printed except rule comments made only of [A-Za-z0-9_.:/-] (at most
 * 64 bytes; otherwise the rule has no comment).
 */

#define NFTC_SCHEMA    "homegate-schema-2"
#define NFTC_ID_LEN    12 /* hex digits of a profile id or a name hash */
#define NFTC_TABLE_MAX 40
#define NFTC_LOG_GROUP 1
/* Elements each of dnsname4 and dnsname6 hold at most (about 100 bytes each in the kernel):
 * a full set refuses new addresses (the device's connection then fails; nothing opens). */
#define NFTC_DNS_SET_SIZE "262144"

/* nftc_profile's flags. NFTC_DNS_PER_NAME: a DNS name's addresses are in sets of its own,
 * dns4_<H> and dns6_<H>, as dnsmasq --nftset fills them ([dns] binding = nftset). Without it,
 * in the base's dnsname4 / dnsname6 under the name's id (dnsbind fills them). */
#define NFTC_DNS_PER_NAME 1U

/* Growable text owned by the caller: zero-initialise, append with the functions below, free
 * with nftc_buf_free. s is NUL-terminated whenever it is not NULL. err is sticky: after an
 * allocation failure every append is a no-op returning it. */
struct nftc_buf {
	char *s;
	size_t len, cap;
	int err;
};

void nftc_buf_free(struct nftc_buf *b);
/* Appends formatted text; returns 0 or b->err (-ENOMEM, -EINVAL for a bad format). */
int nftc_buf_printf(struct nftc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when s is an interface name we print inside quotes: 1..15 bytes of [A-Za-z0-9_.-]. */
bool nftc_ifname_valid(const char *s);

/* True when name is a host name of LDH labels (letters, digits, inner hyphens; 1..63 each),
 * at most 253 bytes without one optional trailing dot. */
bool nftc_dnsname_valid(const char *name);

/* First 12 hex digits of SHA-256 over name folded to lower case without one trailing dot: the
 * H of dns4_<H>, dns6_<H> (DNS names) and mfg_<H> (authorities, i.e. hosts of MUD URLs). The
 * name is not otherwise validated (an authority may be an address literal). 0, -EINVAL for an
 * empty or longer than 255 bytes name, -ENOMEM / -EIO from the digest; out is "" on error. */
int nftc_name_hash(const char *name, char out[static NFTC_ID_LEN + 1]);
/* The same over the exact bytes: the H of mdl_<H> (MUD URLs) and ctl_<H> (controller class
 * URIs), which are compared as written. */
int nftc_uri_hash(const char *uri, char out[static NFTC_ID_LEN + 1]);
/* The id of a DNS name in dnsname4 / dnsname6: the first 64 bits of the SHA-256 of
 * nftc_name_hash (whose H is its first 48), as two 32-bit words, most significant first. The
 * kernel's key is id[0], id[1] in native byte order and the address. 0 or -EINVAL / -EIO as
 * nftc_name_hash; id is {0, 0} on error. */
int nftc_name_id(const char *name, uint32_t id[static 2]);

/* Checks that p can be compiled: every field within its enum, ports only with TCP, UDP, SCTP or
 * DCCP and ranges in order, ICMP type/code only with protocol 1 or 58, direction-initiated
 * only with TCP, prefixes within their family, DNS names valid (nftc_dnsname_valid), values
 * terminated and not empty, an authority when the policy uses same-manufacturer. 0, or -EINVAL
 * with a one-line reason naming the rule in err (when errlen > 0). */
int nftc_check(const struct pol_policy *p, const char *authority, char *err, size_t errlen);

/* The profile id: the first 12 hex digits of pol_hash(p), so policies pol_hash calls equal
 * share their chains. A policy with a same-manufacturer rule means something else for each
 * manufacturer, so its id is the first 12 hex digits of SHA-256 over pol_hash(p) and the
 * authority (folded like nftc_name_hash); authority is ignored otherwise and may be NULL.
 * 0, or -EINVAL (no authority where one is needed), -ENOMEM / -EIO; id is "" on error. */
int nftc_profile_id(
	const struct pol_policy *p, const char *authority, char id[static NFTC_ID_LEN + 1]);

/* Appends the base tables for table name `table` (1..NFTC_TABLE_MAX bytes of [A-Za-z0-9_-])
 * and LAN bridge lan_if. The text declares both tables with their sets, maps and chains, then
 * flushes the base chains and fills them, so loading it again (or over tables of this schema
 * holding profiles and elements) changes nothing and keeps every element. 0, -EINVAL for a bad
 * name, -ENOMEM. On error b holds what it held before the call. */
int nftc_base(struct nftc_buf *b, const char *table, const char *lan_if);

/* Appends the sets and chains of p's profile as statements to load over the base tables in one
 * transaction: `add set` for the MAC sets (and, with NFTC_DNS_PER_NAME, the DNS-name sets) it
 * uses, `add chain`, `flush chain` and then the rules, so loading it twice leaves one copy of
 * every rule and keeps the sets' elements. authority is the host of the profile's MUD URL (for
 * same-manufacturer; may be NULL otherwise); flags 0 or NFTC_DNS_PER_NAME. id_out (may be NULL)
 * receives the profile id, which does not depend on flags. 0, -EINVAL (nftc_check refused p,
 * a bad table name or flag), -ENOMEM / -EIO. On error b holds what it held before the call. */
int nftc_profile(struct nftc_buf *b, const char *table, const struct pol_policy *p,
	const char *authority, unsigned flags, char id_out[static NFTC_ID_LEN + 1]);

/* Appends everything one device with policy p gets, loadable alone with `nft -f`: nftc_base,
 * nftc_profile, and `add element` lines putting example_mac under the profile (inet and bridge
 * dev_profile, bridge dev_in) and each address of example_addrs (a NULL-terminated array of
 * IPv4 / IPv6 literals, or NULL) into dev_in4 / dev_in6. example_mac NULL: the locally
 * administered 02:xx:xx:xx:xx:xx made of the profile id's first ten hex digits, so scripts of
 * different profiles load side by side. 0, -EINVAL (as above, or a MAC or address that does
 * not parse), -ENOMEM / -EIO. On error b holds what it held before the call. */
int nftc_standalone(struct nftc_buf *b, const char *table, const char *lan_if,
	const struct pol_policy *p, const char *authority, unsigned flags, const char *example_mac,
	const char *const *example_addrs);

/* Calls cb once per distinct DNS name of p (in the order of first use) with the name folded to
 * lower case without a trailing dot and the names of its two sets, for dnsmasq
 * `--nftset=/NAME/4#inet#T#SET4,6#inet#T#SET6`. The strings live until cb returns. Stops at
 * the first non-zero return of cb and returns it; -EINVAL for a policy with an invalid DNS name
 * (before any call), -ENOMEM / -EIO. */
int nftc_foreach_dnsname(const struct pol_policy *p,
	int (*cb)(const char *name, const char *set4, const char *set6, void *arg), void *arg);

#endif
