/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names and strengths of event sources; names of identification signals. */
#include <string.h>

#include "core/events.h"
#include "core/util.h"

static const char *const signal_names[] = {
	[HG_SIG_DHCP_HOSTNAME] = "dhcp.hostname",
	[HG_SIG_DHCP_VENDOR] = "dhcp.vendor",
	[HG_SIG_DHCP_PRL] = "dhcp.prl",
	[HG_SIG_DHCP_OPTIONS] = "dhcp.options",
	[HG_SIG_DHCP_MAX_SIZE] = "dhcp.max_size",
	[HG_SIG_DHCP_CLIENT_ID] = "dhcp.client_id",
	[HG_SIG_DHCP6_VENDOR] = "dhcp6.vendor",
	[HG_SIG_DHCP6_ORO] = "dhcp6.oro",
	[HG_SIG_DHCP6_FQDN] = "dhcp6.fqdn",
	[HG_SIG_OUI] = "oui",
	[HG_SIG_MDNS_SERVICE] = "mdns.service",
	[HG_SIG_MDNS_NAME] = "mdns.name",
	[HG_SIG_SSDP_SERVER] = "ssdp.server",
	[HG_SIG_SSDP_TYPE] = "ssdp.type",
	[HG_SIG_SSDP_USER_AGENT] = "ssdp.user_agent",
	[HG_SIG_DNS_QUERY] = "dns.query",
	[HG_SIG_TLS_SNI] = "tls.sni",
	[HG_SIG_TLS_JA3] = "tls.ja3",
	[HG_SIG_TLS_JA4] = "tls.ja4",
	[HG_SIG_HTTP_USER_AGENT] = "http.user_agent",
	[HG_SIG_HTTP_HOST] = "http.host",
	[HG_SIG_TCP_SYN] = "tcp.syn",
	[HG_SIG_LLDP_SYSTEM] = "lldp.system",
	[HG_SIG_UPNP_MANUFACTURER] = "upnp.manufacturer",
	[HG_SIG_UPNP_MODEL] = "upnp.model",
	[HG_SIG_NET_PORT] = "net.port",
	[HG_SIG_HTTP_PATH] = "http.path",
};

const char *hg_signal_name(enum hg_signal sig)
{
	if ((unsigned)sig < HG_SIG_FIRST || (unsigned)sig > HG_SIG_LAST)
		return NULL;
	return signal_names[sig];
}

enum hg_signal hg_signal_from_name(const char *name)
{
	for (unsigned i = HG_SIG_FIRST; i <= HG_SIG_LAST; i++)
		if (strcmp(signal_names[i], name) == 0)
			return (enum hg_signal)i;
	return 0;
}

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
	case HG_SRC_HOSTAPD:
		return "hostapd";
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
	case HG_SRC_HOSTAPD:
		break;
	}
	return HG_STRENGTH_WEAK;
}
