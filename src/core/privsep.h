/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Dropping privileges for the engine: own user, no capabilities, no_new_privs. */
#ifndef HG_PRIVSEP_H
#define HG_PRIVSEP_H

#include <sys/types.h>

struct privsep_user {
	uid_t uid;
	gid_t gid;
	char name[32];
};

/* Looks up the unprivileged user; -ENOENT with a log line when it does not exist. */
int privsep_lookup(const char *name, struct privsep_user *out);
/* Switches irrevocably to the user (groups, gid, uid), clears every capability set including
 * the bounding and ambient sets, and sets PR_SET_NO_NEW_PRIVS. Returns 0 or -errno; the caller
 * must treat failure as fatal. */
int privsep_drop(const struct privsep_user *user);
/* The same for dnsbind, which writes set elements: switches to the user but keeps
 * CAP_NET_ADMIN (effective and permitted, and the only capability left in the bounding set);
 * every other capability, the ambient set and new privileges are gone. 0 or -errno, fatal for
 * the caller. */
int privsep_drop_keep_net_admin(const struct privsep_user *user);
/* Reads CapEff of this process from /proc/self/status into *out. */
int privsep_cap_eff(unsigned long long *out);

#endif
