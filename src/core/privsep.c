/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Dropping privileges for the engine: own user, no capabilities, no_new_privs. */
#include "core/privsep.h"

#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int privsep_lookup(const char *name, struct privsep_user *out)
{
	struct passwd pw, *res = NULL;
	char buf[1024];
	int rc;

	rc = getpwnam_r(name, &pw, buf, sizeof(buf), &res);
	if (rc != 0 || !res) {
		log_warnx("user=%s error=\"no such user; create it (useradd --system %s)\"", name,
			name);
		return -ENOENT;
	}
	if (pw.pw_uid == 0) {
		log_warnx("user=%s error=\"the engine user must not be root\"", name);
		return -EPERM;
	}
	out->uid = pw.pw_uid;
	out->gid = pw.pw_gid;
	util_strlcpy(out->name, name, sizeof(out->name));
	return 0;
}

int privsep_drop(const struct privsep_user *user)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2];
	unsigned long long eff;

	/* While still root: empty the bounding set so no later exec can regain anything. */
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return -errno;
	if (setgroups(1, &user->gid) < 0 || setresgid(user->gid, user->gid, user->gid) < 0 ||
		setresuid(user->uid, user->uid, user->uid) < 0)
		return -errno;
	/* The uid change clears the effective and permitted sets; make sure of it, and empty the
	 * ambient set so nothing comes back through exec. */
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (getuid() == 0 || geteuid() == 0 || setuid(0) == 0)
		return -EPERM;
	if (privsep_cap_eff(&eff) < 0 || eff != 0)
		return -EPERM;
	return 0;
}

int privsep_drop_keep_net_admin(const struct privsep_user *user)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2];
	const unsigned long long want = 1ULL << CAP_NET_ADMIN;
	unsigned long long eff;

	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (cap != CAP_NET_ADMIN && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return -errno;
	/* The permitted set survives the uid change only with KEEPCAPS; effective is emptied
	 * and raised again below. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return -errno;
	if (setgroups(1, &user->gid) < 0 || setresgid(user->gid, user->gid, user->gid) < 0 ||
		setresuid(user->uid, user->uid, user->uid) < 0)
		return -errno;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return -errno;
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (uint32_t)want;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (getuid() == 0 || geteuid() == 0 || setuid(0) == 0)
		return -EPERM;
	if (privsep_cap_eff(&eff) < 0 || eff != want)
		return -EPERM;
	return 0;
}

int privsep_cap_eff(unsigned long long *out)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "CapEff:", 7) == 0) {
			*out = strtoull(line + 7, NULL, 16);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}
