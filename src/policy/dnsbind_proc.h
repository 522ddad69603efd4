/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dnsbind as the parent runs it: its configuration from homegate.conf, its own process. */
#ifndef HG_DNSBIND_PROC_H
#define HG_DNSBIND_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/config.h"
#include "core/log.h"
#include "core/privsep.h"
#include "policy/dnsbind.h"

/* The element timeout margin over max(TTL, dns.bind_min_timeout_s). */
#define DNSBIND_PROC_MARGIN_S 60
/* dnsbind's scheduling priority: every bound answer waits for it, so it must not queue behind
 * the engine's work (or anything else at the default 0) on a busy gateway. */
#define DNSBIND_PROC_NICE (-5)

/* Takes the nameservers of a resolv.conf text (buf, len bytes) into c's upstreams: every
 * "nameserver ADDR" line whose address is not loopback (127.0.0.0/8, ::1; dnsmasq itself is
 * usually there), at most DNSBIND_UPSTREAM_MAX, others ignored. Returns how many were taken. */
size_t dnsbind_proc_resolv(const char *buf, size_t len, struct dnsbind_conf *c);

/* Builds dnsbind's configuration: table, 127.0.0.1:dns.bind_port, the resolvers of
 * dns.upstream (or, when empty, those of resolv_conf), dns.bind_min_timeout_s, and
 * dns.nftset_file as names_file. 0, or -EINVAL with the reason in err (no resolver left, a bad
 * table name). */
int dnsbind_proc_conf(const struct hg_config *cfg, const char *table, const char *resolv_conf,
	struct dnsbind_conf *out, char *err, size_t errlen);

/*
 * Forks dnsbind. The child keeps none of the parent's descriptors, leaves its session (it is
 * not stopped with the parent: DNS for bound names goes on while homegated is down), takes
 * nice DNSBIND_PROC_NICE, opens its sockets as root, drops to user keeping only CAP_NET_ADMIN, says it is ready and serves. Once
 * it is ready (at most 3 s), the instance pidfile names, if it is still a dnsbind
 * ("hg-dnsbind"), is told to stop (SIGTERM: it hands its port over, having bound beside it),
 * and pidfile names the new one. Returns the child's pid (the caller reaps it), or -errno when
 * it could not be started (a child that failed exits on its own).
 */
pid_t dnsbind_proc_spawn(const struct dnsbind_conf *c, const struct privsep_user *user,
	const char *pidfile, enum log_level level, bool to_stderr);

#endif
