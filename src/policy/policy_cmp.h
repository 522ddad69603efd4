/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Comparing two policies: does a new one grant anything the old did not (AC-33)? */
#ifndef HG_POLICY_CMP_H
#define HG_POLICY_CMP_H

#include "policy/policy.h"

/*
 * What a policy grants. Each direction is evaluated on its own: a packet is decided by the first
 * rule of its direction that matches it, and dropped when none does. A rule matches when every
 * field it sets matches:
 *   family   IPV4 / IPV6: packets of that IP version; ETH: frames of the ethertype when set;
 *            ANY: no layer-3 constraint
 *   proto    the IP protocol (POL_HAS_PROTO); icmp_type / icmp_code when their flag is set
 *   ports    ANY, EQ lo, NEQ lo, LT lo, GT lo, RANGE lo..hi inclusive
 *   peer     ANY: any; NET: the peer address in the prefix (IPv4 as v4-mapped, prefix_len in
 *            IPv4 bits); DNSNAME: an address the name resolves to (names compared without case
 *            and trailing dot); the other kinds: members of the set the kind names
 *   POL_LOCAL_ONLY   the peer must also be within local-networks
 *   initiated        the TCP connection was opened by that side
 *
 * pol_compare is sound: it never answers POL_SAME or POL_RESTRICTS when the new policy lets any
 * packet through that the old one dropped. It is not complete: it proves coverage rule by rule
 * (every accept of new lies within one accept of old, none of old's earlier drops takes part of
 * it away unless new drops that part too), so a rule covered only by the union of several old
 * rules, or a drop it cannot place, makes it answer POL_ADDS. Where the meaning of a field is
 * unsure (POL_PORT_LT / GT as strict or inclusive, POL_FAM_ANY for non-IP frames, ports without
 * TCP or UDP), the new policy is read in its widest sense and the old one in its narrowest.
 *
 * The sets behind local-networks, same-manufacturer, manufacturer, model, controller,
 * my-controller and DNS names are assumed the same for both policies: compare two policies of
 * the same device. A change of MUD URL authority changes what same-manufacturer means; that is
 * AC-34's business, not this function's.
 *
 * acl and name are labels: two policies differing only in them grant the same.
 */

enum pol_change {
	POL_SAME = 0,  /* the same access */
	POL_RESTRICTS, /* new grants nothing old did not, and is not proven the same */
	POL_ADDS,      /* new may grant something old did not: ask before applying */
};

#define POL_DIFF_MAX 32

/* Rules of the new policy that may grant more, for the approval prompt. */
struct pol_diff {
	unsigned added[POL_DIFF_MAX]; /* indices into new->rules, ascending */
	unsigned nadded;	      /* entries of added[] in use */
	unsigned nadded_total;	      /* all such rules; may exceed POL_DIFF_MAX */
};

/* Compares new against old. diff may be NULL; otherwise it is cleared and, for POL_ADDS, lists
 * the accept rules of new that are not proven covered by old (every non-drop rule of new when a
 * policy holds a value outside its enum). Allocates nothing and cannot fail; O(n·m) in the
 * number of rules. */
enum pol_change pol_compare(
	const struct pol_policy *old, const struct pol_policy *new, struct pol_diff *diff);

/* "same", "restricts", "adds". */
const char *pol_change_name(enum pol_change c);

/* SHA-256, as 64 lower-case hex digits and a NUL, over a canonical serialisation of p: the
 * from-device rules in their order, then the to-device rules in theirs, each with the fields
 * that decide what it matches (DNS and manufacturer names folded to lower case without a
 * trailing dot, prefixes with their host bits cleared, unset optional fields left out; acl and
 * name left out). Equal hashes mean pol_compare answers POL_SAME. Returns 0; -EINVAL when p
 * counts rules but has no array, -ENOMEM / -EIO from the digest; out is "" on error. */
int pol_hash(const struct pol_policy *p, char out[static 65]);

#endif
