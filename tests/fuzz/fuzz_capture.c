/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the packet sensor's frame decoders (MUD URLs, NDP addresses), on the input as
 * an Ethernet frame. */
#include "observe/capture.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capture_mud cm;
	char err[128];
	size_t n;
	int ret;

	{
		struct in6_addr a;
		struct hg_mac mac;
		int r = capture_ndp_addr(data, size, &mac, &a);

		/* An address for a device: unicast source, neither multicast nor link-local. */
		if (r != 0 &&
			(r != 1 || (mac.b[0] & 1) || a.s6_addr[0] == 0xff ||
				(a.s6_addr[0] == 0xfe && (a.s6_addr[1] & 0xc0) == 0x80)))
			abort();
	}
	err[0] = '\0';
	ret = capture_mud_url(data, size, &cm, err, sizeof(err));
	if (ret == -EINVAL) {
		if (!err[0] || cm.url[0])
			abort();
		return 0;
	}
	if (ret == 0) {
		if (cm.url[0])
			abort();
		return 0;
	}
	if (ret != 1)
		abort();
	/* A claim names one unicast device, a known source, and a terminated non-empty URL. */
	n = strnlen(cm.url, sizeof(cm.url));
	if (n == 0 || n == sizeof(cm.url) || (cm.mac.b[0] & 1))
		abort();
	switch (cm.source) {
	case HG_SRC_LLDP:
		if (cm.family != 0)
			abort();
		break;
	case HG_SRC_DHCP:
		if (cm.family != AF_INET)
			abort();
		break;
	case HG_SRC_DHCPV6:
		if (cm.family != AF_INET6)
			abort();
		break;
	default:
		abort();
	}
	/* LLDP and DHCPv6 take the URL from one TLV or option: it is in the frame as is. (DHCPv4
	 * may concatenate split options, RFC 3396.) */
	if (cm.source != HG_SRC_DHCP && !memmem(data, size, cm.url, n))
		abort();
	return 0;
}
