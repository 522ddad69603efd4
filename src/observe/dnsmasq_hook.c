/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Intake of lease events from the dnsmasq --dhcp-script hook (homegate-dhcp-hook). */
#include "observe/dnsmasq_hook.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

enum hook_key {
	K_OP,
	K_MAC,
	K_IP,
	K_HOSTNAME,
	K_DHCPV6,
	K_EXPIRES,
	K_VENDOR,
	K_OPTIONS,
	K_MUD,
	K_CLIENT_ID,
	K_IFACE,
	K_V6_MAC,
	K_IAID,
	K_SUPPLIED_HOSTNAME,
	K_TRUNCATED,
	K_COUNT,
};

static const struct {
	const char *name;
	size_t max; /* longest value accepted */
} hook_keys[K_COUNT] = {
	[K_OP] = {"op", 3},
	[K_MAC] = {"mac", 130}, /* a DUID for DHCPv6 */
	[K_IP] = {"ip", INET6_ADDRSTRLEN},
	[K_HOSTNAME] = {"hostname", HG_HOSTNAME_MAX - 1},
	[K_DHCPV6] = {"dhcpv6", 1},
	[K_EXPIRES] = {"expires", 20},
	[K_VENDOR] = {"vendor", HG_VENDOR_MAX - 1},
	[K_OPTIONS] = {"options", HG_OPTLIST_MAX - 1},
	[K_MUD] = {"mud", HG_URL_MAX - 1},
	[K_CLIENT_ID] = {"client_id", 255},
	[K_IFACE] = {"iface", 15},
	[K_V6_MAC] = {"v6_mac", 17},
	[K_IAID] = {"iaid", 10},
	[K_SUPPLIED_HOSTNAME] = {"supplied_hostname", 255},
	[K_TRUNCATED] = {"truncated", 1},
};

struct hook_field {
	const char *val;
	size_t len;
};

static bool is_hostname(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    c == '-' || c == '.' || c == '_'))
			return false;
	}
	return len > 0;
}

static bool is_optlist(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == ','))
			return false;
	return true;
}

static void copy_field(char *dst, size_t dstlen, const struct hook_field *f)
{
	size_t n = f->len < dstlen - 1 ? f->len : dstlen - 1;

	memcpy(dst, f->val, n);
	dst[n] = '\0';
}

int dnsmasq_hook_parse(
	const char *buf, size_t len, int64_t now, struct hg_event *ev, char *err, size_t errlen)
{
	struct hook_field f[K_COUNT] = {{0}};
	struct hg_event_dhcp_lease *l = &ev->lease;
	const char *p = buf, *end = buf + len;
	char tmp[INET6_ADDRSTRLEN + 1];

	if (len == 0 || len > DNSMASQ_HOOK_MAX)
		return util_errf(err, errlen, "datagram of %zu bytes", len);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eq;
		size_t klen;
		int k;

		if (!nl)
			return util_errf(err, errlen, "%s", "last line not terminated");
		eq = memchr(p, '=', (size_t)(nl - p));
		if (!eq)
			return util_errf(err, errlen, "%s", "line without '='");
		klen = (size_t)(eq - p);
		for (k = 0; k < K_COUNT; k++)
			if (strlen(hook_keys[k].name) == klen &&
				memcmp(hook_keys[k].name, p, klen) == 0)
				break;
		if (k == K_COUNT)
			return util_errf(err, errlen, "%s", "unknown key");
		if (f[k].val)
			return util_errf(err, errlen, "repeated key %s", hook_keys[k].name);
		f[k].val = eq + 1;
		f[k].len = (size_t)(nl - eq - 1);
		if (f[k].len > hook_keys[k].max)
			return util_errf(err, errlen, "value of %s too long", hook_keys[k].name);
		for (size_t i = 0; i < f[k].len; i++)
			if ((unsigned char)f[k].val[i] < 0x20 || (unsigned char)f[k].val[i] > 0x7e)
				return util_errf(
					err, errlen, "non-printable byte in %s", hook_keys[k].name);
		p = nl + 1;
	}
	if (!f[K_OP].val || !f[K_MAC].val || !f[K_IP].val)
		return util_errf(err, errlen, "%s", "op, mac and ip are required");

	memset(ev, 0, sizeof(*ev));
	ev->type = HG_EV_DHCP_LEASE;
	ev->source = HG_SRC_DNSMASQ;
	ev->time = now;
	if (f[K_OP].len == 3 && memcmp(f[K_OP].val, "add", 3) == 0)
		l->op = HG_LEASE_ADD;
	else if (f[K_OP].len == 3 && memcmp(f[K_OP].val, "old", 3) == 0)
		l->op = HG_LEASE_OLD;
	else if (f[K_OP].len == 3 && memcmp(f[K_OP].val, "del", 3) == 0)
		l->op = HG_LEASE_DEL;
	else
		return util_errf(err, errlen, "%s", "op is not add, old or del");

	/* For DHCPv6 the second argument is the client's DUID: the MAC comes from DNSMASQ_MAC
	 * when dnsmasq could learn it, and without it there is no device to attach the lease to. */
	{
		const struct hook_field *mf = f[K_DHCPV6].val ? &f[K_V6_MAC] : &f[K_MAC];

		if (!mf->val) {
			snprintf(err, errlen, "DHCPv6 lease without a MAC address");
			return -ENODATA;
		}
		copy_field(tmp, sizeof(tmp), mf);
		if (mf->len != 17 || util_mac_parse(tmp, &l->mac) < 0)
			return util_errf(err, errlen, "%s", "bad MAC address");
		if (l->mac.b[0] & 1)
			return util_errf(err, errlen, "%s", "multicast MAC address");
	}
	copy_field(tmp, sizeof(tmp), &f[K_IP]);
	if (inet_pton(AF_INET, tmp, &l->addr.v4) == 1)
		l->addr.family = AF_INET;
	else if (inet_pton(AF_INET6, tmp, &l->addr.v6) == 1)
		l->addr.family = AF_INET6;
	else
		return util_errf(err, errlen, "%s", "bad IP address");

	if (f[K_HOSTNAME].val) {
		if (!is_hostname(f[K_HOSTNAME].val, f[K_HOSTNAME].len))
			return util_errf(err, errlen, "%s", "hostname outside [A-Za-z0-9._-]");
		copy_field(l->hostname, sizeof(l->hostname), &f[K_HOSTNAME]);
		l->flags |= HG_LEASE_HAS_HOSTNAME;
	}
	if (f[K_EXPIRES].val) {
		long long v;

		copy_field(tmp, sizeof(tmp), &f[K_EXPIRES]);
		if (util_parse_int(tmp, 0, INT64_MAX, &v) < 0)
			return util_errf(err, errlen, "%s", "bad lease expiry");
		/* dnsmasq reports 0 for an infinite lease */
		if (v > 0) {
			l->expires = v;
			l->flags |= HG_LEASE_HAS_EXPIRES;
		}
	}
	if (f[K_VENDOR].val && f[K_VENDOR].len) {
		copy_field(l->vendor_class, sizeof(l->vendor_class), &f[K_VENDOR]);
		l->flags |= HG_LEASE_HAS_VENDOR;
	}
	if (f[K_OPTIONS].val && f[K_OPTIONS].len) {
		if (!is_optlist(f[K_OPTIONS].val, f[K_OPTIONS].len))
			return util_errf(
				err, errlen, "%s", "requested options are not a number list");
		copy_field(l->requested_options, sizeof(l->requested_options), &f[K_OPTIONS]);
		l->flags |= HG_LEASE_HAS_OPTIONS;
	}
	if (f[K_MUD].val && f[K_MUD].len) {
		copy_field(l->mud_url, sizeof(l->mud_url), &f[K_MUD]);
		l->flags |= HG_LEASE_HAS_MUD_URL;
	}
	return 0;
}
