/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The abstract policy model: what a device may do, independent of MUD and of nftables. */
#include "policy/policy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int pol_add(struct pol_policy *p, const struct pol_rule *r)
{
	if (p->count == p->cap) {
		unsigned cap = p->cap ? p->cap * 2 : 16;
		struct pol_rule *n;

		if (p->count >= POL_MAX_RULES)
			return -E2BIG;
		n = reallocarray(p->rules, cap, sizeof(*n));
		if (!n)
			return -ENOMEM;
		p->rules = n;
		p->cap = cap;
	}
	p->rules[p->count++] = *r;
	return 0;
}

void pol_clear(struct pol_policy *p)
{
	free(p->rules);
	memset(p, 0, sizeof(*p));
}

const char *pol_peer_name(enum pol_peer peer)
{
	static const char *const names[] = {
		[POL_PEER_ANY] = "any",
		[POL_PEER_NET] = "network",
		[POL_PEER_DNSNAME] = "dnsname",
		[POL_PEER_LOCAL_NETWORKS] = "local-networks",
		[POL_PEER_SAME_MANUFACTURER] = "same-manufacturer",
		[POL_PEER_MANUFACTURER] = "manufacturer",
		[POL_PEER_MODEL] = "model",
		[POL_PEER_CONTROLLER] = "controller",
		[POL_PEER_MY_CONTROLLER] = "my-controller",
	};

	if ((unsigned)peer >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[peer];
}
