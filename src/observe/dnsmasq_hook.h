/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Intake of lease events from the dnsmasq --dhcp-script hook (homegate-dhcp-hook). */
#ifndef HG_DNSMASQ_HOOK_H
#define HG_DNSMASQ_HOOK_H

#include <stddef.h>

#include "core/events.h"

#define DNSMASQ_HOOK_MAX 4096

/* Parses one datagram ("key=value\n" lines) into a HG_EV_DHCP_LEASE event with source
 * HG_SRC_DNSMASQ. Strict: unknown or repeated keys, missing op/mac/ip, a bad MAC or address, a
 * hostname outside [A-Za-z0-9._-], non-printable text, or an over-long value give -EINVAL and
 * a reason in err. A DHCPv6 lease without DNSMASQ_MAC gives -ENODATA (no device to bind to).
 * now is the event time. */
int dnsmasq_hook_parse(
	const char *buf, size_t len, int64_t now, struct hg_event *ev, char *err, size_t errlen);

#endif
