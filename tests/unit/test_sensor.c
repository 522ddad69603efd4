/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the identification sensor: which signals each kind of frame gives, whose they
 * are (relayed DHCP, group-address sources), the net.port rules and the counters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "observe/sensor.h"

#include <stdio.h>
#include <string.h>

#define REC_MAX 64

static const uint8_t dev_mac[6] = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01};
static const uint8_t gw_mac[6] = {0x52, 0x54, 0x00, 0x00, 0x00, 0xfe};
static const uint8_t relay_mac[6] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x67};
static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t mdns_mac[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};
static const uint8_t ssdp_mac[6] = {0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa};
static const uint8_t lldp_mac[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e};

static const uint8_t ip_dev[4] = {192, 168, 1, 20};
static const uint8_t ip_lan[4] = {192, 168, 1, 5};
static const uint8_t ip_gw[4] = {192, 168, 1, 1};
static const uint8_t ip_remote[4] = {93, 184, 216, 34};
static const uint8_t ip_bcast[4] = {255, 255, 255, 255};
static const uint8_t ip_mdns[4] = {224, 0, 0, 251};
static const uint8_t ip_ssdp[4] = {239, 255, 255, 250};

/* What the callbacks saw. */
struct rec {
	size_t n, seen;
	struct {
		struct hg_mac mac;
		char text[32 + HG_SIGNAL_VALUE_MAX]; /* "name=value" */
	} s[REC_MAX];
	struct hg_mac seen_mac;
};

static void on_signal(void *ctx, const struct hg_mac *mac, enum hg_signal sig, const char *value)
{
	struct rec *r = ctx;

	assert_true(r->n < REC_MAX);
	assert_true(strlen(value) < HG_SIGNAL_VALUE_MAX);
	r->s[r->n].mac = *mac;
	snprintf(r->s[r->n].text, sizeof(r->s[r->n].text), "%s=%s", hg_signal_name(sig), value);
	r->n++;
}

static void on_seen(void *ctx, const struct hg_mac *mac, const struct pkt *p)
{
	struct rec *r = ctx;

	assert_non_null(p);
	r->seen++;
	r->seen_mac = *mac;
}

static const struct sensor_ops ops = {.signal = on_signal, .seen = on_seen};

struct buf {
	uint8_t b[2048];
	size_t len;
};

static void put(struct buf *b, const void *v, size_t n)
{
	assert_true(b->len + n <= sizeof(b->b));
	memcpy(b->b + b->len, v, n);
	b->len += n;
}

static void put8(struct buf *b, unsigned v)
{
	uint8_t c = (uint8_t)v;

	put(b, &c, 1);
}

static void put16(struct buf *b, unsigned v)
{
	put8(b, v >> 8);
	put8(b, v);
}

static void put32(struct buf *b, uint32_t v)
{
	put16(b, v >> 16);
	put16(b, v & 0xffff);
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void set16(struct buf *b, size_t at, size_t v)
{
	b->b[at] = (uint8_t)(v >> 8);
	b->b[at + 1] = (uint8_t)v;
}

/* A frame under construction: Ethernet, then IP, then the transport header. */
struct frame {
	struct buf f;
	size_t ip, l4;
	int v6;
};

static void eth(
	struct frame *fr, const uint8_t dst[6], const uint8_t src[6], unsigned type, unsigned vlan)
{
	memset(fr, 0, sizeof(*fr));
	put(&fr->f, dst, 6);
	put(&fr->f, src, 6);
	if (vlan) {
		put16(&fr->f, 0x8100);
		put16(&fr->f, vlan);
	}
	put16(&fr->f, type);
}

static void ip4(struct frame *fr, const uint8_t dst_mac[6], const uint8_t src_mac[6],
	const uint8_t src[4], const uint8_t dst[4], uint8_t proto, unsigned vlan)
{
	eth(fr, dst_mac, src_mac, 0x0800, vlan);
	fr->ip = fr->f.len;
	put8(&fr->f, 0x45);
	put8(&fr->f, 0);
	put16(&fr->f, 0); /* total length: fin() */
	put16(&fr->f, 0x1234);
	put16(&fr->f, 0x4000); /* DF */
	put8(&fr->f, 64);
	put8(&fr->f, proto);
	put16(&fr->f, 0);
	put(&fr->f, src, 4);
	put(&fr->f, dst, 4);
	fr->l4 = fr->f.len;
}

static void ip6(struct frame *fr, const uint8_t dst_mac[6], const uint8_t src[16],
	const uint8_t dst[16], uint8_t proto)
{
	eth(fr, dst_mac, dev_mac, 0x86dd, 0);
	fr->v6 = 1;
	fr->ip = fr->f.len;
	put32(&fr->f, 0x60000000);
	put16(&fr->f, 0); /* payload length: fin() */
	put8(&fr->f, proto);
	put8(&fr->f, 64);
	put(&fr->f, src, 16);
	put(&fr->f, dst, 16);
	fr->l4 = fr->f.len;
}

static void udp(struct frame *fr, unsigned sport, unsigned dport)
{
	put16(&fr->f, sport);
	put16(&fr->f, dport);
	put16(&fr->f, 0); /* fin() */
	put16(&fr->f, 0);
}

static void tcp(struct frame *fr, unsigned sport, unsigned dport, uint8_t flags,
	const uint8_t *opts, size_t optlen)
{
	assert_true(optlen % 4 == 0 && optlen <= 40);
	put16(&fr->f, sport);
	put16(&fr->f, dport);
	put32(&fr->f, 0x01020304);
	put32(&fr->f, flags & 0x10 ? 0x0a0b0c0d : 0);
	put8(&fr->f, (unsigned)(5 + optlen / 4) << 4);
	put8(&fr->f, flags);
	put16(&fr->f, 29200);
	put16(&fr->f, 0);
	put16(&fr->f, 0);
	if (optlen)
		put(&fr->f, opts, optlen);
}

/* Fills in the length fields once the payload is in. */
static void fin(struct frame *fr, int is_udp)
{
	if (fr->v6)
		set16(&fr->f, fr->ip + 4, fr->f.len - fr->l4);
	else
		set16(&fr->f, fr->ip + 2, fr->f.len - fr->ip);
	if (is_udp)
		set16(&fr->f, fr->l4 + 4, fr->f.len - fr->l4);
}

static void udp4(struct frame *fr, const uint8_t dst_mac[6], const uint8_t src[4],
	const uint8_t dst[4], unsigned sport, unsigned dport, const struct buf *payload)
{
	ip4(fr, dst_mac, dev_mac, src, dst, 17, 0);
	udp(fr, sport, dport);
	put(&fr->f, payload->b, payload->len);
	fin(fr, 1);
}

static void tcp4(struct frame *fr, const uint8_t dst[4], unsigned sport, unsigned dport,
	uint8_t flags, const void *payload, size_t len)
{
	/* mss 1460, sackOK, timestamps, nop, window scale 7: Linux's SYN. */
	static const uint8_t syn_opts[20] = {
		2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 1, 3, 3, 7};

	ip4(fr, gw_mac, dev_mac, ip_dev, dst, 6, 0);
	if (flags & 0x02)
		tcp(fr, sport, dport, flags, syn_opts, sizeof(syn_opts));
	else
		tcp(fr, sport, dport, flags, NULL, 0);
	if (len)
		put(&fr->f, payload, len);
	fin(fr, 0);
}

/* Runs one frame through the sensor, recording into r. */
static void run(const struct frame *fr, struct sensor_stats *st, struct rec *r)
{
	memset(r, 0, sizeof(*r));
	sensor_frame(fr->f.b, fr->f.len, &ops, r, st);
}

/* The signals r holds, all from mac, in order: "name=value" strings, NULL-terminated. */
static void expect_signals(const struct rec *r, const uint8_t mac[6], ...)
{
	const char *want;
	size_t i = 0;
	va_list ap;

	va_start(ap, mac);
	while ((want = va_arg(ap, const char *))) {
		if (i >= r->n)
			fail_msg("signal %zu missing: want %s", i, want);
		assert_string_equal(r->s[i].text, want);
		assert_memory_equal(r->s[i].mac.b, mac, 6);
		i++;
	}
	va_end(ap);
	if (i != r->n)
		fail_msg("%zu signals more than expected, the first %s", r->n - i, r->s[i].text);
}

static void expect_none(const struct frame *fr)
{
	struct sensor_stats st = {0};
	struct rec r;

	run(fr, &st, &r);
	expect_signals(&r, dev_mac, NULL);
}

/* DNS */

static void dns_name(struct buf *b, const char *name)
{
	while (*name) {
		size_t n = strcspn(name, ".");

		put8(b, (unsigned)n);
		put(b, name, n);
		name += n;
		if (*name == '.')
			name++;
	}
	put8(b, 0);
}

static void dns_head(
	struct buf *b, unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar)
{
	b->len = 0;
	put16(b, 0);
	put16(b, flags);
	put16(b, qd);
	put16(b, an);
	put16(b, ns);
	put16(b, ar);
}

static void dns_q(struct buf *b, const char *name, unsigned type)
{
	dns_name(b, name);
	put16(b, type);
	put16(b, 1);
}

/* A record header; returns where its rdlength goes (dns_rdend fills it in). */
static size_t dns_rr(struct buf *b, const char *name, unsigned type)
{
	size_t at;

	dns_name(b, name);
	put16(b, type);
	put16(b, 0x8001);
	put32(b, 120);
	at = b->len;
	put16(b, 0);
	return at;
}

static void dns_rdend(struct buf *b, size_t at)
{
	set16(b, at, b->len - at - 2);
}

static void rr_ptr(struct buf *b, const char *name, const char *target)
{
	size_t at = dns_rr(b, name, 12);

	dns_name(b, target);
	dns_rdend(b, at);
}

static void rr_srv(struct buf *b, const char *name, const char *target)
{
	size_t at = dns_rr(b, name, 33);

	put16(b, 0);
	put16(b, 0);
	put16(b, 8080);
	dns_name(b, target);
	dns_rdend(b, at);
}

static void rr_a(struct buf *b, const char *name)
{
	size_t at = dns_rr(b, name, 1);

	put(b, ip_dev, 4);
	dns_rdend(b, at);
}

static void rr_txt(struct buf *b, const char *name, const char *text)
{
	size_t at = dns_rr(b, name, 16);

	put8(b, (unsigned)strlen(text));
	puts_(b, text);
	dns_rdend(b, at);
}

/* DHCPv4 */

static void dhcp_head(struct buf *b, unsigned op, const uint8_t giaddr[4], const uint8_t mac[6])
{
	b->len = 0;
	put8(b, op);
	put8(b, 1);
	put8(b, 6);
	put8(b, giaddr ? 1 : 0);
	put32(b, 0xdeadbeef);
	put16(b, 0);
	put16(b, 0x8000);
	put32(b, 0);			    /* ciaddr */
	put32(b, op == 2 ? 0xc0a80114 : 0); /* yiaddr */
	put32(b, 0);			    /* siaddr */
	if (giaddr)
		put(b, giaddr, 4);
	else
		put32(b, 0);
	put(b, mac, 6);
	for (int i = 0; i < 10 + 64 + 128; i++)
		put8(b, 0);
	put32(b, 0x63825363);
}

static void opt(struct buf *b, unsigned code, const void *v, size_t len)
{
	put8(b, code);
	put8(b, (unsigned)len);
	put(b, v, len);
}

static void dhcp_discover(struct buf *b, const uint8_t giaddr[4], const uint8_t mac[6])
{
	uint8_t cid[7] = {1};

	memcpy(cid + 1, mac, 6);
	dhcp_head(b, 1, giaddr, mac);
	opt(b, 53, "\x01", 1);
	opt(b, 61, cid, sizeof(cid));
	opt(b, 57, "\x05\xdc", 2);
	opt(b, 12, "cam-kitchen", 11);
	opt(b, 60, "udhcp 1.30.1", 12);
	opt(b, 55, "\x01\x03\x06\x0f", 4);
	put8(b, 255);
}

static void test_dhcp4(void **state)
{
	static const uint8_t zero[4], ip_relay[4] = {10, 0, 5, 1}, ip_server[4] = {192, 168, 1, 1};
	struct sensor_stats st = {0};
	struct frame fr;
	struct buf m;
	struct rec r;

	(void)state;
	dhcp_discover(&m, NULL, dev_mac);
	udp4(&fr, bcast_mac, zero, ip_bcast, 68, 67, &m);
	run(&fr, &st, &r);
	expect_signals(&r, dev_mac, "dhcp.hostname=cam-kitchen", "dhcp.vendor=udhcp 1.30.1",
		"dhcp.prl=1,3,6,15", "dhcp.options=53,61,57,12,60,55", "dhcp.max_size=1500",
		"dhcp.client_id=1", NULL);
	assert_int_equal(r.seen, 1);
	assert_int_equal(st.signals, 6);
	assert_int_equal(st.malformed, 0);

	/* A relay agent forwards the client's broadcast from the server port to the server: the
	 * signals are the client's, named by chaddr; the frame is the relay's. */
	dhcp_discover(&m, ip_relay, dev_mac);
	ip4(&fr, gw_mac, relay_mac, ip_relay, ip_server, 17, 0);
	udp(&fr, 67, 67);
	put(&fr.f, m.b, m.len);
	fin(&fr, 1);
	run(&fr, &st, &r);
	expect_signals(&r, dev_mac, "dhcp.hostname=cam-kitchen", "dhcp.vendor=udhcp 1.30.1",
		"dhcp.prl=1,3,6,15", "dhcp.options=53,61,57,12,60,55", "dhcp.max_size=1500",
		"dhcp.client_id=1", NULL);
	assert_memory_equal(r.seen_mac.b, relay_mac, 6);

	/* Relayed to a server outside the home: the port it talks to is the relay's. */
	ip4(&fr, gw_mac, relay_mac, ip_relay, ip_remote, 17, 0);
	udp(&fr, 67, 67);
	put(&fr.f, m.b, m.len);
	fin(&fr, 1);
	run(&fr, &st, &r);
	assert_int_equal(r.n, 7);
	assert_string_equal(r.s[5].text, "dhcp.client_id=1");
	assert_memory_equal(r.s[5].mac.b, dev_mac, 6);
	assert_string_equal(r.s[6].text, "net.port=udp/67");
	assert_memory_equal(r.s[6].mac.b, relay_mac, 6);

	/* A server's reply says nothing about the client, whichever ports it uses. */
	dhcp_head(&m, 2, NULL, dev_mac);
	opt(&m, 53, "\x02", 1);
	opt(&m, 12, "cam-kitchen", 11);
	put8(&m, 255);
	udp4(&fr, bcast_mac, ip_gw, ip_bcast, 67, 68, &m);
	expect_none(&fr);
	udp4(&fr, bcast_mac, ip_gw, ip_bcast, 68, 67, &m);
	expect_none(&fr);
}

static void test_dhcp4_malformed(void **state)
{
	static const uint8_t zero[4];
	struct sensor_stats st = {0};
	struct frame fr;
	struct buf m;
	struct rec r;

	(void)state;
	dhcp_discover(&m, NULL, dev_mac);
	m.len -= 1; /* no End option */
	udp4(&fr, bcast_mac, zero, ip_bcast, 68, 67, &m);
	run(&fr, &st, &r);
	expect_signals(&r, dev_mac, NULL);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(st.frames, 1);
	assert_int_equal(st.signals, 0);
	assert_int_equal(r.seen, 1);
}

static void test_mdns_announcement(void **state)
{
	static const char inst[] = "Hue Bridge - 1A2B3C._hue._tcp.local";
	struct frame fr;
	struct sensor_stats st = {0};
	struct buf m;
	struct rec r;

	(void)state;
	dns_head(&m, 0x8400, 0, 7, 0, 0);
	rr_ptr(&m, "_services._dns-sd._udp.local", "_hue._tcp.local");
	rr_ptr(&m, "_hue._tcp.local", inst);
	rr_srv(&m, inst, "ecb5fa1a2b3c.local");
	rr_txt(&m, inst, "bridgeid=ecb5fafffe1a2b3c");
	rr_a(&m, "ecb5fa1a2b3c.local");
	rr_a(&m, "20.1.168.192.in-addr.arpa"); /* a reverse name is nobody's name */
	rr_ptr(&m, "20.1.168.192.in-addr.arpa", "ecb5fa1a2b3c.local");
	udp4(&fr, mdns_mac, ip_dev, ip_mdns, 5353, 5353, &m);
	run(&fr, &st, &r);
	expect_signals(&r, dev_mac, "mdns.service=_hue._tcp.local", "mdns.service=_hue._tcp.local",
		"mdns.name=Hue Bridge - 1A2B3C", "mdns.name=Hue Bridge - 1A2B3C",
		"mdns.name=ecb5fa1a2b3c", "mdns.name=Hue Bridge - 1A2B3C", "mdns.name=ecb5fa1a2b3c",
		NULL);
	assert_int_equal(st.signals, 7);
	assert_int_equal(st.malformed, 0);
}

static void test_mdns_queries(void **state)
{
	struct frame fr;
	struct sensor_stats st = {0};
	struct buf m;
	struct rec r;

	(void)state;
	/* A plain query says what the sender looks for, not what it is. */
	dns_head(&m, 0, 2, 0, 0, 0);
	dns_q(&m, "_hap._tcp.local", 12);
	dns_q(&m, "livingroom-tv.local", 1);
	udp4(&fr, mdns_mac, ip_dev, ip_mdns, 5353, 5353, &m);
	expect_none(&fr);

	/* Known answers (RFC 6762 §7.1) are what the querier learnt from others. */
	dns_head(&m, 0, 1, 2, 0, 0);
	dns_q(&m, "_airplay._tcp.local", 12);
	rr_ptr(&m, "_airplay._tcp.local", "Living Room._airplay._tcp.local");
	rr_a(&m, "Living-Room.local");
	udp4(&fr, mdns_mac, ip_dev, ip_mdns, 5353, 5353, &m);
	expect_none(&fr);

	/* A probe: the questions and the authority records are the names about to be claimed. */
	dns_head(&m, 0, 2, 0, 2, 0);
	dns_q(&m, "MyPrinter._ipp._tcp.local", 255);
	dns_q(&m, "myprinter.local", 255);
	rr_srv(&m, "MyPrinter._ipp._tcp.local", "myprinter.local");
	rr_a(&m, "myprinter.local");
	udp4(&fr, mdns_mac, ip_dev, ip_mdns, 5353, 5353, &m);
	run(&fr, &st, &r);
	expect_signals(&r, dev_mac, "mdns.name=MyPrinter", "mdns.name=myprinter",
		"mdns.name=MyPrinter", "mdns.name=myprinter", "mdns.name=myprinter", NULL);
}

static void test_dns(void **state)
{
	struct frame fr;
	struct sensor_stats st = {0};
	struct buf m;
	struct rec r;

	(void)state;
	dns_head(&m, 0x0100, 1, 0, 0, 0);
	dns_q(&m, "time.example.com", 1);
	udp4(&fr, gw_mac, ip_dev, ip_gw, 40000, 53, &m);
	run(&fr, &st, &r);
	expect_signals(&r, dev_mac, "dns.query=time.example.com", "net.port=udp/53", NULL);

	/* The same in an 802.1Q tag. */
	ip4(&fr, gw_mac, dev_mac, ip_dev, ip_gw, 17, 7);
	udp(&fr, 40000, 53);
	put(&fr.f, m.b, m.len);
	fin(&fr, 1);
	run(&fr, &st, &r);
	expect_signals(&r, dev_mac, "dns.query=time.example.com", "net.port=udp/53", NULL);

	/* A reverse lookup names nothing of the device's. */
	dns_head(&m, 0x0100, 1, 0, 0, 0);
	dns_q(&m, "1.1.168.192.in-addr.arpa", 12);
	udp4(&fr, gw_mac, ip_dev, ip_gw, 53, 53, &m);
	expect_none(&fr);

	/* A response (a device answering as a server) is not a lookup of its own. */
	dns_head(&m, 0x8180, 1, 1, 0, 0);
	dns_q(&m, "time.example.com", 1);
	rr_a(&m, "time.example.com");
	udp4(&fr, gw_mac, ip_dev, ip_gw, 53, 53, &m);
	expect_none(&fr);

	/* A malformed query is counted and gives no dns.query (the port is still the device's). */
	memset(&st, 0, sizeof(st));
	dns_head(&m, 0x0100, 1, 0, 0, 0);
	put8(&m, 40); /* a label running past the message */
	puts_(&m, "time");
	udp4(&fr, gw_mac, ip_dev, ip_gw, 40000, 53, &m);
	run(&fr, &st, &r);
	expect_signals(&r, dev_mac, "net.port=udp/53", NULL);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(st.signals, 1);
}

static void test_ssdp(void **state)
{
	struct frame fr;
	struct buf m = {0};
	struct rec r;
	struct sensor_stats st = {0};

	(void)state;
	puts_(&m,
		"NOTIFY * HTTP/1.1\r\n"
		"HOST: 239.255.255.250:1900\r\n"
		"CACHE-CONTROL: max-age=1800\r\n"
		"LOCATION: http://192.168.1.20:1400/xml/device_description.xml\r\n"
		"NT: urn:schemas-upnp-org:device:ZonePlayer:1\r\n"
		"NTS: ssdp:alive\r\n"
		"SERVER: Linux UPnP/1.0 Sonos/70.3-35220 (ZPS1)\r\n"
		"USN: uuid:RINCON_B8E9372C0F0201400::urn:schemas-upnp-org:device:ZonePlayer:1\r\n"
		"\r\n");
	udp4(&fr, ssdp_mac, ip_dev, ip_ssdp, 1900, 1900, &m);
	run(&fr, &st, &r);
	expect_signals(&r, dev_mac, "ssdp.server=Linux UPnP/1.0 Sonos/70.3-35220 (ZPS1)",
		"ssdp.type=urn:schemas-upnp-org:device:ZonePlayer:1", NULL);

	/* The uuid announcement names one unit, not a type. */
	m.len = 0;
	puts_(&m,
		"NOTIFY * HTTP/1.1\r\n"
		"HOST: 239.255.255.250:1900\r\n"
		"NT: uuid:RINCON_B8E9372C0F0201400\r\n"
		"NTS: ssdp:alive\r\n"
		"USN: uuid:RINCON_B8E9372C0F0201400\r\n"
		"\r\n");
	udp4(&fr, ssdp_mac, ip_dev, ip_ssdp, 1900, 1900, &m);
	expect_none(&fr);

	/* An M-SEARCH: the searcher's user agent, but what it searches for is not what it is. */
	m.len = 0;
	puts_(&m,
		"M-SEARCH * HTTP/1.1\r\n"
		"HOST: 239.255.255.250:1900\r\n"
		"MAN: \"ssdp:discover\"\r\n"
		"MX: 1\r\n"
		"ST: urn:dial-multiscreen-org:service:dial:1\r\n"
		"USER-AGENT: Google Chrome/120.0.6099.224 Linux\r\n"
		"\r\n");
	udp4(&fr, ssdp_mac, ip_dev, ip_ssdp, 50000, 1900, &m);
	run(&fr, &st, &r);
	expect_signals(&r, dev_mac, "ssdp.user_agent=Google Chrome/120.0.6099.224 Linux", NULL);
}

static void test_tcp_syn(void **state)
{
	static const uint8_t v6_dev[16] = {0xfe, 0x80, [8] = 0x50, [9] = 0x54, [15] = 1};
	static const uint8_t v6_remote[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10};
	struct frame fr;
	struct rec r;
	struct sensor_stats st = {0};

	(void)state;
	tcp4(&fr, ip_remote, 40000, 443, 0x02, NULL, 0);
	run(&fr, &st, &r);
	expect_signals(&r, dev_mac, "tcp.syn=4:64:29200:1460:7:mss,sok,ts,nop,ws:df",
		"net.port=tcp/443", NULL);

	/* A SYN+ACK is a server answering: no client signature, and its port is the peer's. */
	tcp4(&fr, ip_remote, 554, 50000, 0x12, NULL, 0);
	expect_none(&fr);
	tcp4(&fr, ip_lan, 8080, 50000, 0x12, NULL, 0);
	expect_none(&fr);

	/* IPv6, to a global address. */
	ip6(&fr, gw_mac, v6_dev, v6_remote, 6);
	tcp(&fr, 40001, 8883, 0x02, (const uint8_t[]){2, 4, 0x05, 0xa0, 1, 1, 4, 2}, 8);
	fin(&fr, 0);
	run(&fr, &st, &r);
	expect_signals(&r, dev_mac,
		"tcp.syn=6:64:29200:1440:-:mss,nop,nop,sok:", "net.port=tcp/8883", NULL);
}

/* A ClientHello: TLS 1.3 and 1.2 ciphers, SNI, groups, point formats, signature algorithms,
 * supported versions and ALPN h2. */
static void client_hello(struct buf *b)
{
	static const char sni[] = "cam.example.com";
	size_t rec, hs, exts;

	b->len = 0;
	put8(b, 22);
	put16(b, 0x0301);
	rec = b->len;
	put16(b, 0);
	put8(b, 1);
	hs = b->len;
	put8(b, 0);
	put16(b, 0);
	put16(b, 0x0303);
	for (int i = 0; i < 32; i++)
		put8(b, (unsigned)i);
	put8(b, 0);
	put16(b, 6);
	put16(b, 0x1301);
	put16(b, 0x1302);
	put16(b, 0xc02f);
	put8(b, 1);
	put8(b, 0);
	exts = b->len;
	put16(b, 0);
	put16(b, 0); /* server_name */
	put16(b, (unsigned)(5 + strlen(sni)));
	put16(b, (unsigned)(3 + strlen(sni)));
	put8(b, 0);
	put16(b, (unsigned)strlen(sni));
	puts_(b, sni);
	put16(b, 10); /* supported_groups */
	put16(b, 6);
	put16(b, 4);
	put16(b, 29);
	put16(b, 23);
	put16(b, 11); /* ec_point_formats */
	put16(b, 2);
	put8(b, 1);
	put8(b, 0);
	put16(b, 13); /* signature_algorithms */
	put16(b, 6);
	put16(b, 4);
	put16(b, 0x0403);
	put16(b, 0x0804);
	put16(b, 43); /* supported_versions */
	put16(b, 5);
	put8(b, 4);
	put16(b, 0x0304);
	put16(b, 0x0303);
	put16(b, 16); /* ALPN */
	put16(b, 5);
	put16(b, 3);
	put8(b, 2);
	puts_(b, "h2");
	set16(b, exts, b->len - exts - 2);
	set16(b, rec, b->len - rec - 2);
	b->b[hs] = 0;
	set16(b, hs + 1, b->len - hs - 3);
}

static void test_tls(void **state)
{
	struct frame fr;
	struct buf m;
	struct rec r;
	struct sensor_stats st = {0};

	(void)state;
	client_hello(&m);
	tcp4(&fr, ip_remote, 40002, 443, 0x18, m.b, m.len);
	run(&fr, &st, &r);
	/* JA3 of "771,4865-4866-49199,0-10-11-13-43-16,29-23,0"; JA4 worked out by hand from
	 * JA4.md (sorted ciphers 1301,1302,c02f; extensions 000a,000b,000d,002b). */
	expect_signals(&r, dev_mac, "net.port=tcp/443", "tls.sni=cam.example.com",
		"tls.ja3=b106fc48ab4660bee629c323815b015b",
		"tls.ja4=t13d0306h2_40b44b994229_fb71836bce29", NULL);
	assert_int_equal(st.malformed, 0);

	/* A ClientHello whose lengths contradict each other is counted, not read. */
	m.b[m.len - 3] = 9; /* the ALPN protocol name length */
	tcp4(&fr, ip_remote, 40002, 443, 0x18, m.b, m.len);
	run(&fr, &st, &r);
	expect_signals(&r, dev_mac, "net.port=tcp/443", NULL);
	assert_int_equal(st.malformed, 1);
}

static void test_http(void **state)
{
	static const char get[] = "GET /api/v1/status?token=s3cr3t&serial=123 HTTP/1.1\r\n"
				  "Host: 192.168.1.5:8080\r\n"
				  "User-Agent: ESP8266HTTPClient\r\n"
				  "Accept: */*\r\n"
				  "\r\n";
	static const char desc[] = "HTTP/1.1 200 OK\r\n"
				   "Content-Type: text/xml\r\n"
				   "\r\n"
				   "<?xml version=\"1.0\"?><root><device>"
				   "<manufacturer>Belkin International Inc.</manufacturer>"
				   "<modelName>Socket</modelName><modelNumber>1.0</modelNumber>"
				   "<serialNumber>221517K0101769</serialNumber></device></root>";
	struct frame fr;
	struct rec r;
	struct sensor_stats st = {0};

	(void)state;
	tcp4(&fr, ip_lan, 50123, 8080, 0x18, get, strlen(get));
	run(&fr, &st, &r);
	expect_signals(&r, dev_mac, "net.port=tcp/8080", "http.user_agent=ESP8266HTTPClient",
		"http.host=192.168.1.5:8080", "http.path=/api/v1/status", NULL);

	/* The device's UPnP description, sent from its server port to a LAN client. */
	tcp4(&fr, ip_lan, 49153, 50124, 0x18, desc, strlen(desc));
	run(&fr, &st, &r);
	expect_signals(&r, dev_mac, "upnp.manufacturer=Belkin International Inc.",
		"upnp.model=Socket 1.0", NULL);
}

static void test_lldp(void **state)
{
	static const uint8_t chassis[7] = {4, 0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01};
	struct frame fr;
	struct rec r;
	struct sensor_stats st = {0};

	(void)state;
	eth(&fr, lldp_mac, dev_mac, 0x88cc, 0);
	put16(&fr.f, 1 << 9 | sizeof(chassis));
	put(&fr.f, chassis, sizeof(chassis));
	put16(&fr.f, 2 << 9 | 5);
	put(&fr.f,
		"\x05"
		"eth0",
		5);
	put16(&fr.f, 3 << 9 | 2);
	put16(&fr.f, 120);
	put16(&fr.f, 5 << 9 | 8);
	puts_(&fr.f, "switch-1");
	put16(&fr.f, 0);
	run(&fr, &st, &r);
	expect_signals(&r, dev_mac, "lldp.system=switch-1", NULL);
	assert_int_equal(r.seen, 1);

	/* Without the mandatory TTL TLV the PDU is malformed. */
	fr.f.len -= 2 + 8 + 2 + 4;
	put16(&fr.f, 0);
	run(&fr, &st, &r);
	expect_signals(&r, dev_mac, NULL);
	assert_int_equal(st.malformed, 1);
}

static void test_net_port(void **state)
{
	static const uint8_t ip_mcast[4] = {239, 1, 2, 3}, ip_cgnat[4] = {100, 64, 0, 1};
	struct frame fr;
	struct buf m = {.len = 4, .b = "ping"};
	struct rec r;
	struct sensor_stats st = {0};

	(void)state;
	/* To an address outside the home the device is the client: the destination port, even
	 * when it is above the source port. */
	udp4(&fr, gw_mac, ip_dev, ip_remote, 4000, 8765, &m);
	run(&fr, &st, &r);
	expect_signals(&r, dev_mac, "net.port=udp/8765", NULL);

	/* Inside the home: only the lower port, and only when it is the destination. */
	udp4(&fr, gw_mac, ip_dev, ip_lan, 4000, 8765, &m);
	expect_none(&fr);
	udp4(&fr, gw_mac, ip_dev, ip_lan, 8765, 4000, &m);
	run(&fr, &st, &r);
	expect_signals(&r, dev_mac, "net.port=udp/4000", NULL);
	udp4(&fr, gw_mac, ip_dev, ip_cgnat, 4000, 8765, &m); /* shared address space */
	expect_none(&fr);

	/* Broadcast and multicast destinations are nobody's service. */
	udp4(&fr, bcast_mac, ip_dev, ip_bcast, 50000, 9999, &m);
	expect_none(&fr);
	udp4(&fr, mdns_mac, ip_dev, ip_mcast, 50000, 9999, &m);
	expect_none(&fr);
	udp4(&fr, bcast_mac, ip_dev, ip_remote, 50000, 9999, &m); /* broadcast MAC */
	expect_none(&fr);

	/* A TCP segment other than a SYN from a well-known port is a server's reply. */
	tcp4(&fr, ip_remote, 80, 50000, 0x10, NULL, 0);
	expect_none(&fr);
	tcp4(&fr, ip_remote, 2000, 50000, 0x10, NULL, 0);
	run(&fr, &st, &r);
	expect_signals(&r, dev_mac, "net.port=tcp/50000", NULL);
}

static void test_group_source_and_counters(void **state)
{
	static const uint8_t group_src[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
	struct sensor_stats st = {0};
	struct frame fr;
	struct buf m;
	struct rec r;

	(void)state;
	/* A frame from a group address: nobody's, not even seen. */
	dns_head(&m, 0x0100, 1, 0, 0, 0);
	dns_q(&m, "time.example.com", 1);
	ip4(&fr, gw_mac, group_src, ip_dev, ip_gw, 17, 0);
	udp(&fr, 40000, 53);
	put(&fr.f, m.b, m.len);
	fin(&fr, 1);
	run(&fr, &st, &r);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.seen, 0);

	/* A frame too short to decode: counted, not seen. */
	fr.f.len = 10;
	run(&fr, &st, &r);
	assert_int_equal(r.seen, 0);
	assert_int_equal(st.malformed, 1);

	/* A contradicting IPv4 header (IHL 4). */
	ip4(&fr, gw_mac, dev_mac, ip_dev, ip_gw, 17, 0);
	fr.f.b[fr.ip] = 0x44;
	udp(&fr, 40000, 53);
	fin(&fr, 1);
	run(&fr, &st, &r);
	assert_int_equal(r.seen, 0);
	assert_int_equal(st.malformed, 2);

	/* A unicast-source frame with nothing to say is still seen, once. */
	tcp4(&fr, ip_lan, 50000, 60000, 0x10, NULL, 0);
	run(&fr, &st, &r);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.seen, 1);
	assert_memory_equal(r.seen_mac.b, dev_mac, 6);

	/* Without a seen callback, signals still come. */
	{
		const struct sensor_ops only = {.signal = on_signal};

		tcp4(&fr, ip_remote, 40000, 443, 0x02, NULL, 0);
		memset(&r, 0, sizeof(r));
		sensor_frame(fr.f.b, fr.f.len, &only, &r, &st);
		assert_int_equal(r.n, 2);
		assert_int_equal(r.seen, 0);
	}
	assert_int_equal(st.frames, 5);
	assert_int_equal(st.malformed, 2);
	assert_int_equal(st.signals, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dhcp4),
		cmocka_unit_test(test_dhcp4_malformed),
		cmocka_unit_test(test_mdns_announcement),
		cmocka_unit_test(test_mdns_queries),
		cmocka_unit_test(test_dns),
		cmocka_unit_test(test_ssdp),
		cmocka_unit_test(test_tcp_syn),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_lldp),
		cmocka_unit_test(test_net_port),
		cmocka_unit_test(test_group_source_and_counters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
