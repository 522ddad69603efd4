/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: one Ethernet frame through the whole identification path (decoder,
 * every parser the sensor dispatches to, the identifier table and the classifier). */
#include "identify/ident.h"
#include "observe/sensor.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A rule for each signal family the sensor gives, so that matching runs on every value. */
static const char db_text[] = "homegate-fpdb 1\n"
			      "vendor \"Acme\"\n"
			      "\trule oui contains acme 0.5\n"
			      "\trule dhcp.vendor prefix udhcp 0.3\n"
			      "\trule dns.query domain acme.example 0.6\n"
			      "\trule tls.sni domain acme.example 0.6\n"
			      "\trule http.user_agent glob \"*acme*\" 0.4\n"
			      "\trule ssdp.server contains acme 0.5\n"
			      "\trule upnp.manufacturer is acme 0.8\n"
			      "\trule lldp.system prefix acme 0.5\n"
			      "device \"Acme\" \"Cam 1\" camera\n"
			      "\trule dhcp.hostname prefix acmecam 0.9\n"
			      "\trule mdns.name glob \"acme-*\" 0.7\n"
			      "\trule upnp.model is \"cam 1\" 0.9\n"
			      "category camera\n"
			      "\trule net.port is tcp/554 0.4\n"
			      "\trule mdns.service is _rtsp._tcp.local 0.5\n"
			      "category printer\n"
			      "\trule tcp.syn prefix 4:64: 0.1\n"
			      "\trule tls.ja4 prefix t13d 0.1\n"
			      "\trule ssdp.type contains printer 0.5\n"
			      "\trule http.path prefix /ipp 0.5\n";

static void check_mac(const struct hg_mac *mac)
{
	if (mac->b[0] & 1)
		abort();
}

static void on_signal(void *ctx, const struct hg_mac *mac, enum hg_signal sig, const char *value)
{
	size_t n = strnlen(value, HG_SIGNAL_VALUE_MAX);

	if (sig < HG_SIG_FIRST || sig > HG_SIG_LAST || n == 0 || n == HG_SIGNAL_VALUE_MAX)
		abort();
	for (size_t i = 0; i < n; i++)
		if (value[i] < 0x20 || value[i] > 0x7e)
			abort();
	/* A relayed DHCP message names its client by chaddr or its link-layer address option,
	 * which may be anything. */
	if (sig < HG_SIG_DHCP_HOSTNAME || sig > HG_SIG_DHCP6_FQDN)
		check_mac(mac);
	ident_signal(ctx, mac, sig, value);
}

static void on_seen(void *ctx, const struct hg_mac *mac, const struct pkt *p)
{
	if (!p)
		abort();
	check_mac(mac);
	ident_seen(ctx, mac);
}

static void noop(void *ctx, const struct hg_mac *mac, const struct classify_result *r)
{
	(void)ctx;
	(void)mac;
	(void)r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sensor_ops ops = {.signal = on_signal, .seen = on_seen};
	static struct fpdb *db;
	struct sensor_stats st = {0};
	struct ident *id;
	char err[256];

	if (!db) {
		db = fpdb_new();
		if (!db ||
			fpdb_load_buf(db, "fuzz.fpdb", db_text, sizeof(db_text) - 1, err,
				sizeof(err)) != 0)
			abort();
	}
	id = ident_new(db, NULL, 16);
	if (!id)
		return 0;
	sensor_frame(data, size, &ops, id, &st);
	if (st.frames != 1 || st.malformed > 1)
		abort();
	ident_foreach(id, noop, NULL);
	ident_free(id);
	return 0;
}
