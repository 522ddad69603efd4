/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DNS names bound to our sets: the dnsmasq --nftset lines for every name a compiled profile
 * uses, so an answer's addresses are in the device's set before the device sees the answer. */
#ifndef HG_DNS_NFTSET_H
#define HG_DNS_NFTSET_H

#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"

struct dns_nftset;

int dns_nftset_new(const char *table, struct dns_nftset **out);
void dns_nftset_free(struct dns_nftset *d);

/* From now on the file holds `server=/NAME/127.0.0.1#PORT` lines instead: every bound name
 * goes to dnsbind on that port, which puts the answers into the sets (dnsmasq reads such a
 * file with --servers-file and re-reads it on SIGHUP). 0 or -EINVAL (port not 1..65535). */
int dns_nftset_use_forwarder(struct dns_nftset *d, unsigned port);

/* Adds the DNS names of p (validated by the compiler: nftc_foreach_dnsname). Returns 1 when a
 * name was new, 0 when all were known, -EINVAL / -ENOMEM. Names are never removed while the
 * daemon runs: a stale binding only fills a set nobody matches. */
int dns_nftset_add(struct dns_nftset *d, const struct pol_policy *p);

/* Writes every binding as dnsmasq configuration (one `nftset=/NAME/4#inet#TABLE#dns4_H,6#inet#
 * TABLE#dns6_H` line per name, or the server= line above, sorted) to path atomically, mode 0644. Returns 1 when the file
 * changed, 0 when it already held exactly this, or -errno. */
int dns_nftset_write(const struct dns_nftset *d, const char *path);

unsigned dns_nftset_count(const struct dns_nftset *d);

#endif
