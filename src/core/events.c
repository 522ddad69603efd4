/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names and strengths of event sources. */
#include "core/events.h"

const char *hg_source_name(enum hg_source src)
{
	switch (src) {
	case HG_SRC_DNSMASQ:
		return "dnsmasq";
	case HG_SRC_DHCP:
		return "dhcp";
	case HG_SRC_DHCPV6:
		return "dhcpv6";
	case HG_SRC_LLDP:
		return "lldp";
	case HG_SRC_QR:
		return "qr";
	case HG_SRC_DPP:
		return "dpp";
	case HG_SRC_CERT:
		return "cert";
	case HG_SRC_USER:
		return "user";
	case HG_SRC_NDP:
		return "ndp";
	}
	return "unknown";
}

enum hg_strength hg_source_strength(enum hg_source src)
{
	switch (src) {
	case HG_SRC_DPP:
	case HG_SRC_USER:
		return HG_STRENGTH_STRONG;
	case HG_SRC_CERT:
		return HG_STRENGTH_CERT;
	case HG_SRC_DNSMASQ:
	case HG_SRC_DHCP:
	case HG_SRC_DHCPV6:
	case HG_SRC_LLDP:
	case HG_SRC_QR:
	case HG_SRC_NDP:
		break;
	}
	return HG_STRENGTH_WEAK;
}
