/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the LAN packet socket: frames decoded to a MUD URL, the BPF filter run in the
 * kernel, the locked filter of capture_open() (root), LAN membership of an interface. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/util.h"
#include "observe/capture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SO_LOCK_FILTER
#define SO_LOCK_FILTER 44
#endif

#define URL  "https://mud.example.test/cam.json"
#define URL6 "https://mud.example.test/cam6.json"

static const uint8_t dev_mac[6] = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01};
static const uint8_t other_mac[6] = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0x02};
static const uint8_t relay_mac[6] = {0x52, 0x54, 0x00, 0x99, 0x00, 0x07};
static const uint8_t lldp_dst[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t dhcp6_dst[6] = {0x33, 0x33, 0x00, 0x01, 0x00, 0x02};
static const uint8_t gw_mac[6] = {0x52, 0x54, 0x00, 0x00, 0x00, 0xfe};

/* ---- building frames byte by byte ---- */

struct buf {
	uint8_t b[4096];
	size_t len;
};

static void put(struct buf *m, const void *v, size_t len)
{
	assert_true(m->len + len <= sizeof(m->b));
	if (len)
		memcpy(m->b + m->len, v, len);
	m->len += len;
}

static void put8(struct buf *m, uint8_t v)
{
	put(m, &v, 1);
}

static void put16(struct buf *m, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	put(m, b, 2);
}

static void set16(struct buf *m, size_t off, uint16_t v)
{
	m->b[off] = (uint8_t)(v >> 8);
	m->b[off + 1] = (uint8_t)v;
}

static void zeros(struct buf *m, size_t n)
{
	assert_true(m->len + n <= sizeof(m->b));
	memset(m->b + m->len, 0, n);
	m->len += n;
}

/* Ethernet header, with one 802.1Q tag when vlan is not 0. Starts the frame. */
static void eth(
	struct buf *f, const uint8_t dst[6], const uint8_t src[6], uint16_t vlan, uint16_t type)
{
	f->len = 0;
	put(f, dst, 6);
	put(f, src, 6);
	if (vlan) {
		put16(f, 0x8100);
		put16(f, vlan);
	}
	put16(f, type);
}

static void lldp_tlv(struct buf *f, unsigned type, const void *v, size_t len)
{
	put8(f, (uint8_t)(type << 1 | len >> 8));
	put8(f, (uint8_t)len);
	put(f, v, len);
}

/* An LLDPDU as lldpd sends it: chassis MAC, port name, TTL, system name, MUD URL, End. */
static void lldp_frame(struct buf *f, const uint8_t src[6], uint16_t vlan, const char *url)
{
	uint8_t chassis[7] = {4}, org[4 + 255] = {0x00, 0x00, 0x5e, 0x01};

	memcpy(chassis + 1, src, 6);
	eth(f, lldp_dst, src, vlan, 0x88cc);
	lldp_tlv(f, 1, chassis, sizeof(chassis));
	lldp_tlv(f, 2,
		"\x05"
		"eth0",
		5);
	lldp_tlv(f, 3, "\x00\x78", 2);
	lldp_tlv(f, 5, "cam-1", 5);
	if (url) {
		memcpy(org + 4, url, strlen(url));
		lldp_tlv(f, 127, org, 4 + strlen(url));
	}
	lldp_tlv(f, 0, NULL, 0);
}

static void opt4(struct buf *m, uint8_t code, const void *v, size_t len)
{
	put8(m, code);
	put8(m, (uint8_t)len);
	put(m, v, len);
}

/* A DHCPv4 message (UDP payload): op, chaddr, giaddr (0: not relayed), MUD URL (NULL: none). */
static void dhcp4_msg(
	struct buf *m, uint8_t op, const uint8_t chaddr[6], uint32_t giaddr, const char *url)
{
	m->len = 0;
	put8(m, op);
	put8(m, 1); /* htype Ethernet */
	put8(m, 6); /* hlen */
	put8(m, giaddr ? 1 : 0);
	put(m, "\xde\xad\xbe\xef", 4);
	zeros(m, 4);  /* secs, flags */
	zeros(m, 12); /* ciaddr, yiaddr, siaddr */
	put16(m, (uint16_t)(giaddr >> 16));
	put16(m, (uint16_t)giaddr);
	put(m, chaddr, 6);
	zeros(m, 10 + 64 + 128);
	put(m, "\x63\x82\x53\x63", 4);
	opt4(m, 53, op == 1 ? "\x01" : "\x02", 1);
	opt4(m, 12, "cam-1", 5);
	if (url)
		opt4(m, 161, url, strlen(url));
	put8(m, 255);
}

/* IPv4 header (opt_words of options) and UDP header around payload. Checksums are left 0:
 * neither the decoder nor the kernel filter reads them. */
static void ipv4_udp(struct buf *f, const struct buf *payload, uint8_t proto, uint16_t dport,
	uint16_t frag, unsigned opt_words)
{
	size_t ihl = 20 + 4 * opt_words;

	put8(f, (uint8_t)(0x40 | ihl / 4));
	put8(f, 0);
	put16(f, (uint16_t)(ihl + 8 + payload->len));
	put16(f, 0x1234);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put(f, "\x00\x00\x00\x00", 4);
	put(f, "\xff\xff\xff\xff", 4);
	for (unsigned i = 0; i < opt_words; i++)
		put(f, "\x01\x01\x01\x00", 4); /* NOP NOP NOP End */
	put16(f, dport == 67 ? 68 : 67);
	put16(f, dport);
	put16(f, (uint16_t)(8 + payload->len));
	put16(f, 0);
	put(f, payload->b, payload->len);
}

static void frame4(
	struct buf *f, const uint8_t src[6], uint16_t vlan, const struct buf *msg, uint16_t dport)
{
	eth(f, bcast, src, vlan, 0x0800);
	ipv4_udp(f, msg, 17, dport, 0, 0);
}

static void opt6(struct buf *m, uint16_t code, const void *v, size_t len)
{
	put16(m, code);
	put16(m, (uint16_t)len);
	put(m, v, len);
}

/* A DHCPv6 client message with a DUID-LL of duid_mac and a MUD URL (NULL: none). */
static void dhcp6_msg(struct buf *m, uint8_t type, const uint8_t duid_mac[6], const char *url)
{
	uint8_t duid[10] = {0, 3, 0, 1};

	memcpy(duid + 4, duid_mac, 6);
	m->len = 0;
	put8(m, type);
	put(m, "\x12\x34\x56", 3);
	opt6(m, 1, duid, sizeof(duid));
	opt6(m, 6, "\x00\x17\x00\x70", 4); /* ORO: DNS servers, MUD URL */
	if (url)
		opt6(m, 112, url, strlen(url));
}

/* A Relay-Forward (or Reply) around inner, with a Client Link-Layer Address when lladdr. */
static void relay6(struct buf *m, uint8_t type, const struct buf *inner, const uint8_t *lladdr)
{
	m->len = 0;
	put8(m, type);
	put8(m, 0);
	put(m, "\x20\x01\x0d\xb8\x00\x50\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", 16);
	put(m, "\xfe\x80\x00\x00\x00\x00\x00\x00\x50\x54\x00\xff\xfe\xaa\xbb\x01", 16);
	if (lladdr) {
		uint8_t v[8] = {0, 1};

		memcpy(v + 2, lladdr, 6);
		opt6(m, 79, v, sizeof(v));
	}
	opt6(m, 9, inner->b, inner->len);
}

static void ipv6_udp(struct buf *f, const struct buf *payload, uint8_t next, uint16_t dport)
{
	put(f, "\x60\x00\x00\x00", 4);
	put16(f, (uint16_t)(8 + payload->len));
	put8(f, next);
	put8(f, 1);
	put(f, "\xfe\x80\x00\x00\x00\x00\x00\x00\x50\x54\x00\xff\xfe\xaa\xbb\x01", 16);
	put(f, "\xff\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x02", 16);
	put16(f, dport == 547 ? 546 : 547);
	put16(f, dport);
	put16(f, (uint16_t)(8 + payload->len));
	put16(f, 0);
	put(f, payload->b, payload->len);
}

static void frame6(
	struct buf *f, const uint8_t src[6], uint16_t vlan, const struct buf *msg, uint16_t dport)
{
	eth(f, dhcp6_dst, src, vlan, 0x86dd);
	ipv6_udp(f, msg, 17, dport);
}

/* An ICMPv6 neighbour solicitation (135) or advertisement (136) for target, from src
 * (16 bytes; all zero for duplicate address detection), with hop limit hops. */
static void ndp_frame(
	struct buf *f, uint8_t type, const uint8_t *src, const uint8_t *target, uint8_t hops)
{
	eth(f, (const uint8_t *)"\x33\x33\xff\xaa\xbb\x01", dev_mac, 0, 0x86dd);
	put(f, "\x60\x00\x00\x00", 4);
	put16(f, 24);
	put8(f, 58);
	put8(f, hops);
	put(f, src, 16);
	put(f, "\xff\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\xff\xaa\xbb\x01", 16);
	put8(f, type);
	put8(f, 0);
	put16(f, 0);
	zeros(f, 4);
	put(f, target, 16);
}

/* What identification looks at: UDP and TCP from a device (192.168.1.23, 2001:db8::23) to a
 * peer. The filter reads no address; v is 4 or 6. */
static const uint8_t dev4[4] = {192, 168, 1, 23}, peer4[4] = {93, 184, 216, 34};
static const uint8_t dev6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x23},
		     peer6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1};

static void put32(struct buf *m, uint32_t v)
{
	put16(m, (uint16_t)(v >> 16));
	put16(m, (uint16_t)v);
}

/* Ethernet and IP headers for l4len octets of transport header and payload: IPv4 with
 * opt_words of options and the flags/fragment offset frag; IPv6 with a hop-by-hop header
 * before it when hbh. */
static void ip_frame(struct buf *f, int v, uint8_t proto, size_t l4len, uint16_t frag,
	unsigned opt_words, bool hbh)
{
	eth(f, gw_mac, dev_mac, 0, v == 4 ? 0x0800 : 0x86dd);
	if (v == 4) {
		size_t ihl = 20 + 4 * opt_words;

		put8(f, (uint8_t)(0x40 | ihl / 4));
		put8(f, 0);
		put16(f, (uint16_t)(ihl + l4len));
		put16(f, 0x4321);
		put16(f, frag);
		put8(f, 64);
		put8(f, proto);
		put16(f, 0);
		put(f, dev4, 4);
		put(f, peer4, 4);
		for (unsigned i = 0; i < opt_words; i++)
			put(f, "\x01\x01\x01\x00", 4); /* NOP NOP NOP End */
		return;
	}
	put(f, "\x60\x00\x00\x00", 4);
	put16(f, (uint16_t)(l4len + (hbh ? 8 : 0)));
	put8(f, hbh ? 0 : proto);
	put8(f, 64);
	put(f, dev6, 16);
	put(f, peer6, 16);
	if (hbh) {
		put8(f, proto);
		put(f, "\x00\x01\x04\x00\x00\x00\x00", 7); /* length 0, PadN */
	}
}

/* A UDP datagram of len octets; IPv4 with frag and opt_words as in ip_frame(). */
static void udp_frame(struct buf *f, int v, uint16_t sport, uint16_t dport, const void *payload,
	size_t len, uint16_t frag, unsigned opt_words)
{
	ip_frame(f, v, 17, 8 + len, frag, opt_words, false);
	put16(f, sport);
	put16(f, dport);
	put16(f, (uint16_t)(8 + len));
	put16(f, 0);
	put(f, payload, len);
}

enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10 };

struct tcp_seg {
	uint16_t dport;
	uint8_t flags;	       /* TCP_* */
	unsigned ip_opt_words; /* IPv4 options */
	bool hbh;	       /* IPv6: behind a hop-by-hop header */
	uint16_t frag;	       /* IPv4 flags and fragment offset */
	const char *opts;      /* TCP options, a multiple of 4 octets */
	size_t optlen;
	const void *data; /* payload */
	size_t len;
};

#define TCP_OPTS_SYN \
	"\x02\x04\x05\xb4\x04\x02\x08\x0a\x00\x00\x10\x00\x00\x00\x00\x00\x01\x03\x03\x07"
#define TCP_OPTS_TS "\x01\x01\x08\x0a\x00\x00\x10\x01\x00\x00\x20\x00"

static void tcp_frame(struct buf *f, int v, const struct tcp_seg *s)
{
	assert_true(s->optlen % 4 == 0 && s->optlen <= 40);
	ip_frame(f, v, 6, 20 + s->optlen + s->len, s->frag, s->ip_opt_words, s->hbh);
	put16(f, 49152);
	put16(f, s->dport);
	put32(f, 0x01020304);
	put32(f, s->flags & TCP_ACK ? 0x0a0b0c0d : 0);
	put8(f, (uint8_t)((20 + s->optlen) / 4 << 4));
	put8(f, s->flags);
	put16(f, 64240);
	put16(f, 0);
	put16(f, 0);
	put(f, s->opts, s->optlen);
	put(f, s->data, s->len);
}

/* ---- decoding ---- */

static char err[256];

/* Decodes the first len bytes of f from a buffer of exactly len bytes, so that ASan reports any
 * read past the end. */
static int decode_n(const struct buf *f, size_t len, struct capture_mud *cm)
{
	uint8_t *copy = malloc(len);
	int ret;

	assert_true(copy || len == 0);
	if (len)
		memcpy(copy, f->b, len);
	memset(err, 0, sizeof(err));
	ret = capture_mud_url(copy, len, cm, err, sizeof(err));
	free(copy);
	return ret;
}

static int decode(const struct buf *f, struct capture_mud *cm)
{
	return decode_n(f, f->len, cm);
}

static void test_lldp(void **state)
{
	struct capture_mud cm;
	struct buf f;

	(void)state;
	lldp_frame(&f, dev_mac, 0, URL);
	assert_int_equal(decode(&f, &cm), 1);
	assert_int_equal(cm.source, HG_SRC_LLDP);
	assert_int_equal(cm.family, 0);
	assert_memory_equal(cm.mac.b, dev_mac, 6);
	assert_string_equal(cm.url, URL);

	lldp_frame(&f, dev_mac, 10, URL);
	assert_int_equal(decode(&f, &cm), 1);
	assert_int_equal(cm.source, HG_SRC_LLDP);
	assert_memory_equal(cm.mac.b, dev_mac, 6);
	assert_string_equal(cm.url, URL);

	/* Octets after the End TLV are padding. */
	lldp_frame(&f, dev_mac, 0, "https://a.test/m");
	zeros(&f, 16);
	assert_int_equal(decode(&f, &cm), 1);
	assert_string_equal(cm.url, "https://a.test/m");
}

static void test_dhcp4(void **state)
{
	struct capture_mud cm;
	struct buf m, f;

	(void)state;
	dhcp4_msg(&m, 1, dev_mac, 0, URL);
	frame4(&f, dev_mac, 0, &m, 67);
	assert_int_equal(decode(&f, &cm), 1);
	assert_int_equal(cm.source, HG_SRC_DHCP);
	assert_int_equal(cm.family, AF_INET);
	assert_memory_equal(cm.mac.b, dev_mac, 6);
	assert_string_equal(cm.url, URL);

	frame4(&f, dev_mac, 50, &m, 67);
	assert_int_equal(decode(&f, &cm), 1);
	assert_int_equal(cm.source, HG_SRC_DHCP);
	assert_int_equal(cm.family, AF_INET);
	assert_memory_equal(cm.mac.b, dev_mac, 6);
	assert_string_equal(cm.url, URL);

	/* IP options move the UDP header; Don't Fragment is not a fragment. */
	eth(&f, bcast, dev_mac, 0, 0x0800);
	ipv4_udp(&f, &m, 17, 67, 0x4000, 2);
	assert_int_equal(decode(&f, &cm), 1);
	assert_string_equal(cm.url, URL);

	/* Ethernet padding after the IP datagram is not part of it. */
	frame4(&f, dev_mac, 0, &m, 67);
	zeros(&f, 18);
	assert_int_equal(decode(&f, &cm), 1);
	assert_string_equal(cm.url, URL);

	/* Sent directly, the frame's source is the device, whatever chaddr claims: a device
	 * cannot give another device a MUD URL. */
	dhcp4_msg(&m, 1, other_mac, 0, URL);
	frame4(&f, dev_mac, 0, &m, 67);
	assert_int_equal(decode(&f, &cm), 1);
	assert_memory_equal(cm.mac.b, dev_mac, 6);

	/* The URL is passed on as sent: the caller's intake refuses what is not https. */
	dhcp4_msg(&m, 1, dev_mac, 0, "http://mud.example.test/x y");
	frame4(&f, dev_mac, 0, &m, 67);
	assert_int_equal(decode(&f, &cm), 1);
	assert_string_equal(cm.url, "http://mud.example.test/x y");
}

static void test_dhcp4_relayed(void **state)
{
	struct capture_mud cm;
	struct buf m, f;

	(void)state;
	/* From the relay's MAC, for the client in chaddr. */
	dhcp4_msg(&m, 1, dev_mac, 0xc0a83c01, URL);
	eth(&f, gw_mac, relay_mac, 0, 0x0800);
	ipv4_udp(&f, &m, 17, 67, 0, 0);
	assert_int_equal(decode(&f, &cm), 1);
	assert_int_equal(cm.source, HG_SRC_DHCP);
	assert_int_equal(cm.family, AF_INET);
	assert_memory_equal(cm.mac.b, dev_mac, 6);
	assert_string_equal(cm.url, URL);

	/* A relayed request whose chaddr is no Ethernet unicast address names no device: the
	 * relay's own MAC must not get the URL. */
	m.b[2] = 16; /* hlen */
	eth(&f, gw_mac, relay_mac, 0, 0x0800);
	ipv4_udp(&f, &m, 17, 67, 0, 0);
	assert_int_equal(decode(&f, &cm), 0);
	assert_string_equal(cm.url, "");
	dhcp4_msg(&m, 1, (const uint8_t[6]){0x01, 0x00, 0x5e, 0, 0, 1}, 0xc0a83c01, URL);
	eth(&f, gw_mac, relay_mac, 0, 0x0800);
	ipv4_udp(&f, &m, 17, 67, 0, 0);
	assert_int_equal(decode(&f, &cm), 0);
}

static void test_dhcp6(void **state)
{
	struct capture_mud cm;
	struct buf m, f;

	(void)state;
	dhcp6_msg(&m, 1, dev_mac, URL6);
	frame6(&f, dev_mac, 0, &m, 547);
	assert_int_equal(decode(&f, &cm), 1);
	assert_int_equal(cm.source, HG_SRC_DHCPV6);
	assert_int_equal(cm.family, AF_INET6);
	assert_memory_equal(cm.mac.b, dev_mac, 6);
	assert_string_equal(cm.url, URL6);

	frame6(&f, dev_mac, 50, &m, 547);
	assert_int_equal(decode(&f, &cm), 1);
	assert_int_equal(cm.source, HG_SRC_DHCPV6);
	assert_int_equal(cm.family, AF_INET6);
	assert_memory_equal(cm.mac.b, dev_mac, 6);
	assert_string_equal(cm.url, URL6);

	/* Request and Information-request carry it too. */
	dhcp6_msg(&m, 3, dev_mac, URL6);
	frame6(&f, dev_mac, 0, &m, 547);
	assert_int_equal(decode(&f, &cm), 1);
	dhcp6_msg(&m, 11, dev_mac, URL6);
	frame6(&f, dev_mac, 0, &m, 547);
	assert_int_equal(decode(&f, &cm), 1);

	/* The frame's source counts, not the MAC a DUID names. */
	dhcp6_msg(&m, 1, other_mac, URL6);
	frame6(&f, dev_mac, 0, &m, 547);
	assert_int_equal(decode(&f, &cm), 1);
	assert_memory_equal(cm.mac.b, dev_mac, 6);

	frame6(&f, dev_mac, 0, &m, 547);
	zeros(&f, 7); /* Ethernet padding */
	assert_int_equal(decode(&f, &cm), 1);
}

static void test_dhcp6_relayed(void **state)
{
	struct capture_mud cm;
	struct buf inner, m, f;

	(void)state;
	dhcp6_msg(&inner, 1, other_mac, URL6);
	relay6(&m, 12, &inner, dev_mac);
	eth(&f, gw_mac, relay_mac, 0, 0x86dd);
	ipv6_udp(&f, &m, 17, 547);
	assert_int_equal(decode(&f, &cm), 1);
	assert_int_equal(cm.source, HG_SRC_DHCPV6);
	assert_int_equal(cm.family, AF_INET6);
	assert_memory_equal(cm.mac.b, dev_mac, 6); /* option 79, not the relay, not the DUID */
	assert_string_equal(cm.url, URL6);

	/* Without option 79 only the relay is known: no device to bind. */
	relay6(&m, 12, &inner, NULL);
	eth(&f, gw_mac, relay_mac, 0, 0x86dd);
	ipv6_udp(&f, &m, 17, 547);
	assert_int_equal(decode(&f, &cm), 0);
	assert_string_equal(cm.url, "");
}

/* Frames that carry no MUD URL, or one not for us. */
static void test_no_url(void **state)
{
	struct capture_mud cm;
	struct buf inner, m, f;

	(void)state;
	lldp_frame(&f, dev_mac, 0, NULL);
	assert_int_equal(decode(&f, &cm), 0);
	lldp_frame(&f, dev_mac, 0, "http://mud.example.test/cam.json"); /* refused by intake */
	assert_int_equal(decode(&f, &cm), 0);

	dhcp4_msg(&m, 1, dev_mac, 0, NULL);
	frame4(&f, dev_mac, 0, &m, 67);
	assert_int_equal(decode(&f, &cm), 0);
	/* A server's BOOTREPLY to a relay's port 67 echoes nothing of the client's. */
	dhcp4_msg(&m, 2, dev_mac, 0xc0a83c01, URL);
	eth(&f, relay_mac, gw_mac, 0, 0x0800);
	ipv4_udp(&f, &m, 17, 67, 0, 0);
	assert_int_equal(decode(&f, &cm), 0);
	/* To the client port, or not UDP */
	dhcp4_msg(&m, 1, dev_mac, 0, URL);
	frame4(&f, dev_mac, 0, &m, 68);
	assert_int_equal(decode(&f, &cm), 0);
	eth(&f, bcast, dev_mac, 0, 0x0800);
	ipv4_udp(&f, &m, 6, 67, 0, 0);
	assert_int_equal(decode(&f, &cm), 0);

	dhcp6_msg(&m, 1, dev_mac, NULL);
	frame6(&f, dev_mac, 0, &m, 547);
	assert_int_equal(decode(&f, &cm), 0);
	dhcp6_msg(&m, 1, dev_mac, URL6);
	frame6(&f, dev_mac, 0, &m, 546);
	assert_int_equal(decode(&f, &cm), 0);
	eth(&f, dhcp6_dst, dev_mac, 0, 0x86dd);
	ipv6_udp(&f, &m, 0, 547); /* behind a hop-by-hop header: not looked into */
	assert_int_equal(decode(&f, &cm), 0);
	/* Server messages, direct or in a Relay-Reply to a relay's port 547 */
	dhcp6_msg(&m, 2, dev_mac, URL6);
	frame6(&f, gw_mac, 0, &m, 547);
	assert_int_equal(decode(&f, &cm), 0);
	dhcp6_msg(&inner, 7, dev_mac, URL6);
	relay6(&m, 13, &inner, dev_mac);
	frame6(&f, gw_mac, 0, &m, 547);
	assert_int_equal(decode(&f, &cm), 0);

	/* ARP, a QinQ outer tag, an unknown ethertype */
	eth(&f, bcast, dev_mac, 0, 0x0806);
	put(&f, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	zeros(&f, 20);
	assert_int_equal(decode(&f, &cm), 0);
	dhcp4_msg(&m, 1, dev_mac, 0, URL);
	eth(&f, bcast, dev_mac, 0, 0x88a8);
	put16(&f, 10);
	put16(&f, 0x0800);
	ipv4_udp(&f, &m, 17, 67, 0, 0);
	assert_int_equal(decode(&f, &cm), 0);
	eth(&f, bcast, dev_mac, 0, 0x88b5);
	zeros(&f, 46);
	assert_int_equal(decode(&f, &cm), 0);
	assert_string_equal(cm.url, "");
}

static void test_fragments(void **state)
{
	struct capture_mud cm;
	struct buf m, f;

	(void)state;
	/* A first fragment holds the whole request here, but a fragmented request is not
	 * reassembled: taking its first part alone would trust a partial message. */
	dhcp4_msg(&m, 1, dev_mac, 0, URL);
	eth(&f, bcast, dev_mac, 0, 0x0800);
	ipv4_udp(&f, &m, 17, 67, 0x2000, 0);
	assert_int_equal(decode(&f, &cm), 0);
	/* A later fragment whose data happens to look like a UDP header to port 67 */
	eth(&f, bcast, dev_mac, 0, 0x0800);
	ipv4_udp(&f, &m, 17, 67, 185, 0);
	assert_int_equal(decode(&f, &cm), 0);
	assert_string_equal(cm.url, "");
}

static void test_multicast_source(void **state)
{
	static const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
	struct capture_mud cm;
	struct buf m, f;

	(void)state;
	lldp_frame(&f, mcast, 0, URL);
	assert_int_equal(decode(&f, &cm), -EINVAL);
	assert_string_equal(err, "multicast source MAC");
	dhcp4_msg(&m, 1, dev_mac, 0, URL);
	frame4(&f, bcast, 0, &m, 67);
	assert_int_equal(decode(&f, &cm), -EINVAL);
	assert_string_equal(err, "multicast source MAC");
	dhcp6_msg(&m, 1, dev_mac, URL6);
	frame6(&f, mcast, 0, &m, 547);
	assert_int_equal(decode(&f, &cm), -EINVAL);
	assert_string_equal(cm.url, "");
}

struct bad_case {
	size_t off;   /* byte to overwrite (or, for a 16-bit field, its first byte) */
	int width;    /* 1 or 2 */
	unsigned val; /* new value */
	const char *msg;
};

static void mutate(struct buf *f, const struct bad_case *c)
{
	if (c->width == 2)
		set16(f, c->off, (uint16_t)c->val);
	else
		f->b[c->off] = (uint8_t)c->val;
}

static void test_malformed(void **state)
{
	/* Offsets in an untagged frame: IP at 14, UDP at 34 (v4) or 54 (v6). */
	static const struct bad_case v4[] = {
		{14, 1, 0x65, "bad IPv4 header lengths"}, /* version 6 */
		{14, 1, 0x44, "bad IPv4 header lengths"}, /* IHL 16 octets */
		{16, 2, 27, "bad IPv4 header lengths"},	  /* total length < IHL + 8 */
		{16, 2, 4000, "bad IPv4 header lengths"}, /* total length past the frame */
		{38, 2, 7, "bad UDP length"},		  /* under a UDP header */
		{38, 2, 4000, "bad UDP length"},	  /* past the IP datagram */
		{42 + 236, 1, 0, "no DHCP magic cookie"}, /* from the DHCPv4 parser */
		{42, 1, 3, "neither BOOTREQUEST nor BOOTREPLY"},
	};
	static const struct bad_case v6[] = {
		{14, 1, 0x40, "bad IPv6 payload length"}, /* version 4 */
		{18, 2, 7, "bad IPv6 payload length"},	  /* under a UDP header */
		{18, 2, 4000, "bad IPv6 payload length"}, /* past the frame */
		{58, 2, 7, "bad UDP length"}, {58, 2, 4000, "bad UDP length"},
		{62, 1, 0, "msg-type 0"}, /* from the DHCPv6 parser */
	};
	struct capture_mud cm;
	struct buf m, f;

	(void)state;
	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		dhcp4_msg(&m, 1, dev_mac, 0, URL);
		frame4(&f, dev_mac, 0, &m, 67);
		mutate(&f, &v4[i]);
		assert_int_equal(decode(&f, &cm), -EINVAL);
		if (!strstr(err, v4[i].msg))
			fail_msg("v4 case %zu: \"%s\" lacks \"%s\"", i, err, v4[i].msg);
		assert_string_equal(cm.url, "");
	}
	for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		dhcp6_msg(&m, 1, dev_mac, URL6);
		frame6(&f, dev_mac, 0, &m, 547);
		mutate(&f, &v6[i]);
		assert_int_equal(decode(&f, &cm), -EINVAL);
		if (!strstr(err, v6[i].msg))
			fail_msg("v6 case %zu: \"%s\" lacks \"%s\"", i, err, v6[i].msg);
		assert_string_equal(cm.url, "");
	}
	lldp_frame(&f, dev_mac, 0, URL);
	f.b[5] = 0x01; /* not an LLDP group address */
	assert_int_equal(decode(&f, &cm), -EINVAL);
	assert_non_null(strstr(err, "not an LLDP group address"));
}

/* Every valid frame cut at every length: refused with a reason, never a half result. */
static void test_truncated(void **state)
{
	struct buf frames[8], m, inner;
	size_t n = 0;

	(void)state;
	lldp_frame(&frames[n++], dev_mac, 0, URL);
	lldp_frame(&frames[n++], dev_mac, 7, URL);
	dhcp4_msg(&m, 1, dev_mac, 0, URL);
	frame4(&frames[n++], dev_mac, 0, &m, 67);
	frame4(&frames[n++], dev_mac, 7, &m, 67);
	dhcp6_msg(&m, 1, dev_mac, URL6);
	frame6(&frames[n++], dev_mac, 0, &m, 547);
	frame6(&frames[n++], dev_mac, 7, &m, 547);
	dhcp6_msg(&inner, 1, dev_mac, URL6);
	relay6(&m, 12, &inner, dev_mac);
	eth(&frames[n], gw_mac, relay_mac, 0, 0x86dd);
	ipv6_udp(&frames[n++], &m, 17, 547);
	dhcp4_msg(&m, 1, dev_mac, 0xc0a83c01, URL);
	eth(&frames[n], gw_mac, relay_mac, 0, 0x0800);
	ipv4_udp(&frames[n++], &m, 17, 67, 0, 0);

	for (size_t i = 0; i < n; i++) {
		struct capture_mud cm;

		assert_int_equal(decode(&frames[i], &cm), 1);
		for (size_t len = 0; len < frames[i].len; len++) {
			int ret = decode_n(&frames[i], len, &cm);

			if (ret != -EINVAL || !err[0])
				fail_msg("frame %zu cut to %zu of %zu octets: %d \"%s\"", i, len,
					frames[i].len, ret, err);
			assert_string_equal(cm.url, "");
		}
	}
}

/* ---- the kernel filter, run by the kernel on a datagram socket of our own ---- */

struct filter_fx {
	int sv[2]; /* [0] sends, [1] receives through the filter */
};

static int filter_setup(void **state)
{
	struct filter_fx *fx = calloc(1, sizeof(*fx));
	int big = 1 << 20;

	if (!fx || socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fx->sv) < 0)
		return -1;
	setsockopt(fx->sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	/* A socket filter sees an AF_UNIX datagram as the packet: offsets are the frame's. */
	if (setsockopt(fx->sv[1], SOL_SOCKET, SO_ATTACH_FILTER, capture_filter(),
		    sizeof(struct sock_fprog)) < 0)
		return -1;
	*state = fx;
	return 0;
}

static int filter_teardown(void **state)
{
	struct filter_fx *fx = *state;

	close(fx->sv[0]);
	close(fx->sv[1]);
	free(fx);
	return 0;
}

/* What of f reaches the reader: its length, or -EAGAIN when the filter dropped it. */
static ssize_t through(struct filter_fx *fx, const struct buf *f, uint8_t *out, size_t outlen)
{
	ssize_t n;

	assert_int_equal(send(fx->sv[0], f->b, f->len, 0), (ssize_t)f->len);
	n = recv(fx->sv[1], out, outlen, MSG_DONTWAIT);
	return n < 0 ? -errno : n;
}

/* SLAAC and privacy addresses come from neighbour discovery (RFC 4861, 4862). */
static void test_ndp(void **state)
{
	static const uint8_t unspec[16],
		ula[16] = {0xfd, 0x00, 0, 0x50, 0, 0, 0, 0, 0x50, 0x54, 0, 0xff, 0xfe, 0xaa, 0xbb,
			1},
		ula2[16] = {0xfd, 0x00, 0, 0x50, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,
			0xde, 1},
		ll[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x50, 0x54, 0, 0xff, 0xfe, 0xaa, 0xbb, 1},
		mc[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	struct in6_addr a;
	struct hg_mac mac;
	struct buf f;

	(void)state;
	/* duplicate address detection: the target is the address being taken */
	ndp_frame(&f, 135, unspec, ula, 255);
	assert_int_equal(capture_ndp_addr(f.b, f.len, &mac, &a), 1);
	assert_memory_equal(&a, ula, 16);
	assert_memory_equal(mac.b, dev_mac, 6);
	/* an NS from a global address names that address, not the neighbour it asks for */
	ndp_frame(&f, 135, ula2, ula, 255);
	assert_int_equal(capture_ndp_addr(f.b, f.len, &mac, &a), 1);
	assert_memory_equal(&a, ula2, 16);
	/* an NA names the sender's own address */
	ndp_frame(&f, 136, ll, ula2, 255);
	assert_int_equal(capture_ndp_addr(f.b, f.len, &mac, &a), 1);
	assert_memory_equal(&a, ula2, 16);
	/* link-local, multicast: no address for the maps toward a device */
	ndp_frame(&f, 136, ll, ll, 255);
	assert_int_equal(capture_ndp_addr(f.b, f.len, &mac, &a), 0);
	ndp_frame(&f, 135, unspec, mc, 255);
	assert_int_equal(capture_ndp_addr(f.b, f.len, &mac, &a), 0);
	/* routed from elsewhere (hop limit below 255) or another ICMPv6 type: not NDP */
	ndp_frame(&f, 135, unspec, ula, 254);
	assert_int_equal(capture_ndp_addr(f.b, f.len, &mac, &a), 0);
	ndp_frame(&f, 128, unspec, ula, 255);
	assert_int_equal(capture_ndp_addr(f.b, f.len, &mac, &a), 0);
	/* every truncation is refused without reading past the end */
	ndp_frame(&f, 135, unspec, ula, 255);
	for (size_t n = 0; n < f.len; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		assert_non_null(copy);
		memcpy(copy, f.b, n);
		assert_int_equal(capture_ndp_addr(copy, n, &mac, &a), 0);
		free(copy);
	}
}

/* The program as written: no instruction left out of a block (the all-zero "ld #0" a gap in
 * the designated initializers would leave; the program loads no constant into A), and it ends
 * in accept and reject. */
static void test_filter_program(void **state)
{
	const struct sock_fprog *prog = capture_filter();
	const struct sock_filter *last;

	(void)state;
	assert_true(prog->len >= 2);
	for (unsigned i = 0; i < prog->len; i++) {
		const struct sock_filter *in = &prog->filter[i];

		if (in->code == (BPF_LD | BPF_W | BPF_IMM) && !in->jt && !in->jf && !in->k)
			fail_msg("instruction %u is a gap in the program", i);
	}
	last = &prog->filter[prog->len - 1];
	assert_int_equal(last[-1].code, BPF_RET | BPF_K);
	assert_int_equal(last[-1].k, CAPTURE_SNAPLEN);
	assert_int_equal(last->code, BPF_RET | BPF_K);
	assert_int_equal(last->k, 0);
}

/* The frames run through the filter in the kernel. A datagram of an AF_UNIX socket is never
 * PACKET_OUTGOING (its pkt_type is PACKET_HOST), so the host's own frames are tested on a real
 * packet socket in open_scenario(). */
static void test_filter(void **state)
{
	struct filter_fx *fx = *state;
	static const uint8_t filler[250];
	static const char dns_q[] = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
				    "\x03www\x07"
				    "example\x03"
				    "com\x00\x00\x01\x00\x01",
			  mdns_q[] = "\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"
				     "\x04_hap\x04_tcp\x05local\x00\x00\x0c\x00\x01",
			  notify[] = "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
				     "NT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n\r\n",
			  msearch[] = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
				      "MAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n",
			  ssdp_ok[] = "HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\n"
				      "LOCATION: http://192.168.1.23:49152/desc.xml\r\n\r\n";
	static const struct {
		const char *name, *text;
	} http[] = {
		{"HTTP GET", "GET /desc.xml HTTP/1.1\r\nHost: 192.168.1.1\r\n\r\n"},
		{"HTTP POST", "POST /api HTTP/1.1\r\nContent-Length: 0\r\n\r\n"},
		{"HTTP HEAD", "HEAD / HTTP/1.0\r\n\r\n"},
		{"HTTP PUT", "PUT /x HTTP/1.1\r\n\r\n"},
		{"HTTP OPTIONS", "OPTIONS * HTTP/1.1\r\n\r\n"},
		{"HTTP DELETE", "DELETE /x HTTP/1.1\r\n\r\n"},
		{"HTTP PATCH", "PATCH /x HTTP/1.1\r\n\r\n"},
		{"HTTP CONNECT", "CONNECT cloud.example:443 HTTP/1.1\r\n\r\n"},
		{"GENA NOTIFY", "NOTIFY /evt HTTP/1.1\r\nNT: upnp:event\r\n\r\n"},
		{"GENA SUBSCRIBE", "SUBSCRIBE /evt HTTP/1.1\r\nNT: upnp:event\r\n\r\n"},
		{"SSDP M-SEARCH over TCP", "M-SEARCH * HTTP/1.1\r\n\r\n"},
		{"HTTP response", "HTTP/1.1 200 OK\r\nServer: Linux UPnP/1.0\r\n\r\n"},
	};
#define LIT(name, s)                   \
	{                              \
		name, s, sizeof(s) - 1 \
	}
	static const struct {
		const char *name, *p;
		size_t len;
	} other[] = {
		LIT("TCP with other payload: SSH", "SSH-2.0-OpenSSH_9.6\r\n"),
		LIT("TCP with other payload: TLS application data", "\x17\x03\x03\x00\x20 data"),
		LIT("TCP with other payload: MQTT CONNECT", "\x10\x1a\x00\x04MQTT\x04\x02\x00\x3c"),
		LIT("TCP with other payload: 0x16, not TLS", "\x16\x00\x01\x02 not TLS"),
		LIT("TCP with other payload: lower-case get", "get / HTTP/1.1\r\n\r\n"),
	};
#undef LIT
	static const uint8_t mtu[1500];
	uint8_t hello[517] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03};
	struct buf frames[96], m, big;
	bool want[96];
	const char *what[96];
	uint8_t out[4096];
	size_t n = 0;

#define FRAME(accept, name) \
	(assert_true(n < ARRAY_SIZE(frames)), want[n] = (accept), what[n] = (name), &frames[n++])
	lldp_frame(FRAME(true, "LLDP"), dev_mac, 0, URL);
	{
		static const uint8_t unspec[16], ula[16] = {0xfd, 0, 0, 0x50, [15] = 1};

		ndp_frame(FRAME(true, "NDP solicitation"), 135, unspec, ula, 255);
		ndp_frame(FRAME(true, "NDP advertisement"), 136, ula, ula, 255);
		ndp_frame(FRAME(false, "ICMPv6 echo request"), 128, ula, ula, 64);
	}
	dhcp4_msg(&m, 1, dev_mac, 0, URL);
	frame4(FRAME(true, "DHCPv4 to 67"), dev_mac, 0, &m, 67);
	frame4(FRAME(false, "DHCPv4 to 68"), dev_mac, 0, &m, 68);
	eth(FRAME(false, "TCP to 67"), bcast, dev_mac, 0, 0x0800);
	ipv4_udp(&frames[n - 1], &m, 6, 67, 0, 0);
	eth(FRAME(false, "IPv4 later fragment"), bcast, dev_mac, 0, 0x0800);
	ipv4_udp(&frames[n - 1], &m, 17, 67, 185, 0);
	eth(FRAME(true, "DHCPv4 with DF and IP options"), bcast, dev_mac, 0, 0x0800);
	ipv4_udp(&frames[n - 1], &m, 17, 67, 0x4000, 3);
	eth(FRAME(false, "IP options hiding port 67"), bcast, dev_mac, 0, 0x0800);
	ipv4_udp(&frames[n - 1], &m, 17, 68, 0, 1);
	set16(&frames[n - 1], 36, 67); /* where port 67 would be without the options */
	dhcp6_msg(&m, 1, dev_mac, URL6);
	frame6(FRAME(true, "DHCPv6 to 547"), dev_mac, 0, &m, 547);
	frame6(FRAME(false, "DHCPv6 to 546"), dev_mac, 0, &m, 546);
	eth(FRAME(false, "IPv6 TCP to 547"), dhcp6_dst, dev_mac, 0, 0x86dd);
	ipv6_udp(&frames[n - 1], &m, 6, 547);
	eth(FRAME(false, "ARP"), bcast, dev_mac, 0, 0x0806);
	put(&frames[n - 1], "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	zeros(&frames[n - 1], 20);
	eth(FRAME(false, "runt"), bcast, dev_mac, 0, 0x0800);
	frames[n - 1].len = 13;

	/* DNS: queries only; UDP to other ports never. */
#define UDP(accept, name, v, sport, dport, msg) \
	udp_frame(FRAME(accept, name), v, sport, dport, msg, sizeof(msg) - 1, 0, 0)
	UDP(true, "DNS query to 53 (v4)", 4, 40000, 53, dns_q);
	UDP(true, "DNS query to 53 (v6)", 6, 40000, 53, dns_q);
	UDP(false, "DNS answer from 53 (v4)", 4, 53, 40000, dns_q);
	UDP(false, "DNS answer from 53 (v6)", 6, 53, 40000, dns_q);
	udp_frame(FRAME(true, "DNS query behind IP options"), 4, 40000, 53, dns_q,
		sizeof(dns_q) - 1, 0, 2);
	/* a later fragment whose data looks like a UDP header to 53 */
	udp_frame(FRAME(false, "DNS query, a later fragment"), 4, 40000, 53, dns_q,
		sizeof(dns_q) - 1, 185, 0);
	UDP(false, "NTP to 123 (v4)", 4, 40000, 123, "\x23");
	UDP(false, "NTP to 123 (v6)", 6, 40000, 123, "\x23");
	UDP(false, "UDP to 547 over IPv4", 4, 546, 547, dns_q);
	UDP(false, "UDP to 67 over IPv6", 6, 68, 67, dns_q);
	UDP(false, "UDP to 5354", 4, 40000, 5354, mdns_q);

	/* mDNS and SSDP, both directions */
	UDP(true, "mDNS 5353 to 5353 (v4)", 4, 5353, 5353, mdns_q);
	UDP(true, "mDNS 5353 to 5353 (v6)", 6, 5353, 5353, mdns_q);
	UDP(true, "mDNS one-shot query to 5353", 4, 40001, 5353, mdns_q);
	UDP(true, "mDNS unicast answer from 5353 (v4)", 4, 5353, 40001, mdns_q);
	UDP(true, "mDNS unicast answer from 5353 (v6)", 6, 5353, 40001, mdns_q);
	UDP(true, "SSDP NOTIFY 1900 to 1900 (v4)", 4, 1900, 1900, notify);
	UDP(true, "SSDP NOTIFY 1900 to 1900 (v6)", 6, 1900, 1900, notify);
	UDP(true, "SSDP M-SEARCH to 1900", 4, 40002, 1900, msearch);
	UDP(true, "SSDP M-SEARCH answer from 1900 (v4)", 4, 1900, 40002, ssdp_ok);
	UDP(true, "SSDP M-SEARCH answer from 1900 (v6)", 6, 1900, 40002, ssdp_ok);
#undef UDP

	/* TCP SYNs, any port; never a server's SYN+ACK */
	for (int v = 4; v <= 6; v += 2) {
		bool four = v == 4;

		tcp_frame(FRAME(true, four ? "TCP SYN (v4)" : "TCP SYN (v6)"), v,
			&(struct tcp_seg){.dport = 8883,
				.flags = TCP_SYN,
				.opts = TCP_OPTS_SYN,
				.optlen = 20});
		tcp_frame(FRAME(false, four ? "TCP SYN+ACK (v4)" : "TCP SYN+ACK (v6)"), v,
			&(struct tcp_seg){.dport = 8883,
				.flags = TCP_SYN | TCP_ACK,
				.opts = TCP_OPTS_SYN,
				.optlen = 20});
		tcp_frame(FRAME(true, four ? "TLS ClientHello (v4)" : "TLS ClientHello (v6)"), v,
			&(struct tcp_seg){.dport = 443,
				.flags = TCP_ACK | TCP_PSH,
				.opts = TCP_OPTS_TS,
				.optlen = 12,
				.data = hello,
				.len = sizeof(hello)});
		tcp_frame(FRAME(false, four ? "pure ACK (v4)" : "pure ACK (v6)"), v,
			&(struct tcp_seg){
				.dport = 443, .flags = TCP_ACK, .opts = TCP_OPTS_TS, .optlen = 12});
		tcp_frame(FRAME(false,
				  four ? "TCP with other payload (v4)"
				       : "TCP with other payload (v6)"),
			v,
			&(struct tcp_seg){.dport = 22,
				.flags = TCP_ACK | TCP_PSH,
				.data = other[0].p,
				.len = other[0].len});
	}
	tcp_frame(FRAME(true, "TCP SYN behind IP options"), 4,
		&(struct tcp_seg){.dport = 80, .flags = TCP_SYN, .ip_opt_words = 1});
	tcp_frame(FRAME(false, "IPv6 TCP SYN behind a hop-by-hop header"), 6,
		&(struct tcp_seg){.dport = 80, .flags = TCP_SYN, .hbh = true});
	tcp_frame(FRAME(false, "TCP SYN, a later fragment"), 4,
		&(struct tcp_seg){.dport = 80, .flags = TCP_SYN, .frag = 185});
	tcp_frame(FRAME(true, "TLS ClientHello, IP and TCP options (v4)"), 4,
		&(struct tcp_seg){.dport = 443,
			.flags = TCP_ACK | TCP_PSH,
			.ip_opt_words = 2,
			.opts = TCP_OPTS_TS,
			.optlen = 12,
			.data = hello,
			.len = sizeof(hello)});
	tcp_frame(FRAME(true, "TLS ClientHello filling an MTU, whole"), 4,
		&(struct tcp_seg){.dport = 443,
			.flags = TCP_ACK,
			.opts = TCP_OPTS_TS,
			.optlen = 12,
			.data = mtu,
			.len = sizeof(mtu) - 20 - 32});
	memcpy(frames[n - 1].b + 14 + 20 + 32, hello, 11);
	assert_int_equal(frames[n - 1].len, 1514);
	for (size_t i = 0; i < ARRAY_SIZE(http); i++)
		tcp_frame(FRAME(true, http[i].name), 4,
			&(struct tcp_seg){.dport = 80,
				.flags = TCP_ACK | TCP_PSH,
				.opts = TCP_OPTS_TS,
				.optlen = 12,
				.data = http[i].text,
				.len = strlen(http[i].text)});
	tcp_frame(FRAME(true, "HTTP GET (v6)"), 6,
		&(struct tcp_seg){.dport = 80,
			.flags = TCP_ACK | TCP_PSH,
			.data = http[0].text,
			.len = strlen(http[0].text)});
	for (size_t i = 1; i < ARRAY_SIZE(other); i++)
		tcp_frame(FRAME(false, other[i].name), 4,
			&(struct tcp_seg){.dport = 443,
				.flags = TCP_ACK | TCP_PSH,
				.data = other[i].p,
				.len = other[i].len});
	/* Short segments padded to the Ethernet minimum: the padding is no payload. */
	tcp_frame(FRAME(false, "pure ACK padded with \"GET \""), 4,
		&(struct tcp_seg){.dport = 80, .flags = TCP_ACK});
	put(&frames[n - 1], "GET HT", 6);
	tcp_frame(FRAME(false, "RST padded with zeros"), 4,
		&(struct tcp_seg){.dport = 80, .flags = TCP_RST});
	zeros(&frames[n - 1], 6);
	tcp_frame(FRAME(false, "3 payload octets \"GET\", padded"), 4,
		&(struct tcp_seg){
			.dport = 80, .flags = TCP_ACK | TCP_PSH, .data = "GET", .len = 3});
	put(&frames[n - 1], " /\0", 3);
	/* Headers read at the wrong place would see "GET ". */
	tcp_frame(FRAME(false, "TCP options hiding \"GET \""), 4,
		&(struct tcp_seg){.dport = 80,
			.flags = TCP_ACK | TCP_PSH,
			.opts = "GET \x01\x01\x01\x00",
			.optlen = 8,
			.data = other[0].p,
			.len = other[0].len});
	tcp_frame(FRAME(false, "TCP data offset under 5 words"), 4,
		&(struct tcp_seg){.dport = 0x5420,
			.flags = TCP_ACK | TCP_PSH,
			.data = other[0].p,
			.len = other[0].len});
	set16(&frames[n - 1], 14 + 20, 0x4745); /* source port "GE", destination "T " */
	frames[n - 1].b[14 + 20 + 12] = 0x00;
	ip_frame(FRAME(false, "ICMP echo request"), 4, 1, 8, 0, 0, false);
	put(&frames[n - 1], "\x08\x00\x00\x00\x00\x01\x00\x01", 8);
#undef FRAME

	for (size_t i = 0; i < n; i++) {
		ssize_t got = through(fx, &frames[i], out, sizeof(out));

		if (want[i] && got != (ssize_t)frames[i].len)
			fail_msg("%s: %zd octets arrived, %zu expected", what[i], got,
				frames[i].len);
		if (!want[i] && got != -EAGAIN)
			fail_msg("%s: passed the filter (%zd)", what[i], got);
		if (want[i])
			assert_memory_equal(out, frames[i].b, frames[i].len);
	}

	/* A long accepted frame is cut to the snap length. */
	dhcp4_msg(&m, 1, dev_mac, 0, URL);
	m.len--; /* reopen the options: a long hostname-like option before End */
	for (int i = 0; i < 12; i++)
		opt4(&m, 43, filler, sizeof(filler));
	put8(&m, 255);
	frame4(&big, dev_mac, 0, &m, 67);
	assert_true(big.len > CAPTURE_SNAPLEN + 512);
	assert_int_equal(through(fx, &big, out, sizeof(out)), CAPTURE_SNAPLEN);
	assert_memory_equal(out, big.b, CAPTURE_SNAPLEN);
}

/* ---- capture_open(): root only, in a network namespace of its own ---- */

#define CHECK(cond, code)                                             \
	do {                                                          \
		if (!(cond)) {                                        \
			fprintf(stderr, "check failed: %s\n", #cond); \
			_exit(code);                                  \
		}                                                     \
	} while (0)

static void lo_up(void)
{
	struct ifreq ifr = {0};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	CHECK(s >= 0, 2);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	CHECK(ioctl(s, SIOCGIFFLAGS, &ifr) == 0, 2);
	ifr.ifr_flags |= IFF_UP;
	CHECK(ioctl(s, SIOCSIFFLAGS, &ifr) == 0, 2);
	close(s);
}

/* One frame from the packet socket within timeout_ms: its length with *pkttype set, or
 * -EAGAIN when none came. */
static ssize_t recv_frame(int fd, uint8_t *frame, size_t len, int timeout_ms, int *pkttype)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	struct sockaddr_ll sll;
	socklen_t sl = sizeof(sll);
	ssize_t n;

	if (poll(&p, 1, timeout_ms) != 1)
		return -EAGAIN;
	n = recvfrom(fd, frame, len, MSG_DONTWAIT, (struct sockaddr *)&sll, &sl);
	if (n < 0)
		return -errno;
	*pkttype = sll.sll_pkttype;
	return n;
}

static int open_scenario(void)
{
	const struct sock_fprog *want = capture_filter();
	struct sock_filter got[256], all = BPF_STMT(BPF_RET | BPF_K, 0xffff);
	struct sock_fprog widen = {.len = 1, .filter = &all};
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t glen = 0;
	int fd, udp, tcp, zero = 0;
	struct buf m;

	if (unshare(CLONE_NEWNET) < 0)
		_exit(77);
	lo_up();
	CHECK(capture_open(&fd) == 0 && fd >= 0, 3);
	/* The program in place is ours, and the reader cannot remove, replace or unlock it. */
	CHECK(getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, NULL, &glen) == 0, 4);
	CHECK(glen == want->len, 4);
	glen = ARRAY_SIZE(got);
	CHECK(getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, got, &glen) == 0, 4);
	CHECK(glen == want->len && memcmp(got, want->filter, glen * sizeof(got[0])) == 0, 4);
	CHECK(setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &zero, sizeof(zero)) < 0, 5);
	CHECK(errno == EPERM, 5);
	CHECK(setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &widen, sizeof(widen)) < 0, 6);
	CHECK(errno == EPERM, 6);
	CHECK(setsockopt(fd, SOL_SOCKET, SO_LOCK_FILTER, &zero, sizeof(zero)) < 0, 7);
	CHECK(errno == EPERM, 7);

	/* Live, on lo, which shows every frame twice: outgoing (PACKET_OUTGOING, first) and
	 * incoming. A request to the client port is never seen; one to the server port is, once,
	 * incoming, and decodes to its MUD URL (lo's Ethernet source is all zeros). */
	udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(udp >= 0, 8);
	dhcp4_msg(&m, 1, dev_mac, 0, "https://mud.example.test/not-this.json");
	to.sin_port = htons(68);
	CHECK(sendto(udp, m.b, m.len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)m.len, 8);
	dhcp4_msg(&m, 1, dev_mac, 0, URL);
	to.sin_port = htons(67);
	CHECK(sendto(udp, m.b, m.len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)m.len, 8);
	{
		uint8_t frame[CAPTURE_SNAPLEN];
		struct capture_mud cm;
		int pkttype;
		char e[128];
		ssize_t n;

		n = recv_frame(fd, frame, sizeof(frame), 2000, &pkttype);
		CHECK(n > 0, 9);
		CHECK(pkttype == PACKET_HOST, 9); /* not the outgoing copy, which comes first */
		CHECK(capture_mud_url(frame, (size_t)n, &cm, e, sizeof(e)) == 1, 10);
		CHECK(strcmp(cm.url, URL) == 0, 10); /* never the one sent to 68 */
		CHECK(cm.source == HG_SRC_DHCP && cm.family == AF_INET, 10);
		CHECK(memcmp(cm.mac.b, "\0\0\0\0\0\0", 6) == 0, 10);
		/* nor the outgoing copy after it, nor the ICMP port unreachables */
		CHECK(recv_frame(fd, frame, sizeof(frame), 300, &pkttype) == -EAGAIN, 11);
	}
	/* A connection attempt: the incoming SYN only; not its outgoing copy, not the RST+ACK
	 * that answers it (no listener). */
	tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	CHECK(tcp >= 0, 12);
	to.sin_port = htons(8883);
	CHECK(connect(tcp, (struct sockaddr *)&to, sizeof(to)) < 0, 12);
	CHECK(errno == EINPROGRESS || errno == ECONNREFUSED, 12);
	{
		uint8_t frame[CAPTURE_SNAPLEN];
		const uint8_t *th;
		int pkttype;
		ssize_t n;

		n = recv_frame(fd, frame, sizeof(frame), 2000, &pkttype);
		CHECK(n >= 14 + 20 + 20 && pkttype == PACKET_HOST, 13);
		CHECK(frame[12] == 0x08 && frame[13] == 0x00 && frame[14 + 9] == 6, 13);
		th = frame + 14 + (frame[14] & 15) * 4;
		CHECK((th[2] << 8 | th[3]) == 8883, 13);
		CHECK((th[13] & 0x12) == 0x02, 13); /* SYN without ACK */
		CHECK(recv_frame(fd, frame, sizeof(frame), 300, &pkttype) == -EAGAIN, 14);
	}
	close(tcp);
	close(udp);
	close(fd);
	return 0;
}

static int run_child(int (*fn)(void))
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_open_locked(void **state)
{
	int rc;

	(void)state;
	if (geteuid() != 0) {
		print_message("[  SKIP    ] capture_open needs root (CAP_NET_RAW) for an "
			      "AF_PACKET socket\n");
		skip();
	}
	rc = run_child(open_scenario);
	if (rc == 77) {
		print_message("[  SKIP    ] no network namespace (unshare): not sending test "
			      "traffic on the host\n");
		skip();
	}
	assert_int_equal(rc, 0);
}

/* ---- capture_on_lan() ---- */

static int bridge_scenario(void)
{
	int br, v0, v1, lo;
	bool port;

	/* /sys/class/net shows the namespace that mounted sysfs: mount our own. */
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0 ||
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		mount("sysfs", "/sys", "sysfs", 0, NULL) < 0)
		_exit(77);
	if (system("ip link add hgbr0 type bridge && ip link add hgv0 type veth peer name hgv1 && "
		   "ip link set hgv0 master hgbr0") != 0)
		_exit(77);
	br = (int)if_nametoindex("hgbr0");
	v0 = (int)if_nametoindex("hgv0");
	v1 = (int)if_nametoindex("hgv1");
	lo = (int)if_nametoindex("lo");
	CHECK(br > 0 && v0 > 0 && v1 > 0 && lo > 0, 2);
	for (int round = 0; round < 2; round++) { /* the second answers from the cache */
		CHECK(capture_on_lan(v0, br, &port) && port, 3);
		CHECK(capture_on_lan(br, br, &port) && !port, 4);
		CHECK(!capture_on_lan(v1, br, &port) && !port, 5);
		CHECK(!capture_on_lan(lo, br, &port) && !port, 6);
	}
	/* A port of the bridge is not a port of another interface. */
	CHECK(!capture_on_lan(v0, v1, &port) && !port, 7);
	return 0;
}

/* Runs first: the child inherits this process's cache, and so must find it empty. */
static void test_on_lan_bridge(void **state)
{
	int rc;

	(void)state;
	if (geteuid() != 0) {
		print_message("[  SKIP    ] building a bridge in a network namespace needs root\n");
		skip();
	}
	rc = run_child(bridge_scenario);
	if (rc == 77) {
		print_message("[  SKIP    ] no network namespace, sysfs mount or bridge/veth "
			      "support\n");
		skip();
	}
	assert_int_equal(rc, 0);
}

static void test_on_lan(void **state)
{
	struct if_nameindex *ifs = if_nameindex();
	int lo = (int)if_nametoindex("lo");
	bool port = true;

	(void)state;
	assert_non_null(ifs);
	assert_true(lo > 0);
	/* LAN unknown: nothing belongs, not even the interface itself. */
	assert_false(capture_on_lan(lo, 0, &port));
	assert_false(port);
	port = true;
	assert_false(capture_on_lan(0, 0, &port));
	assert_false(capture_on_lan(-1, lo, &port));
	/* The LAN bridge itself */
	port = true;
	assert_true(capture_on_lan(lo, lo, &port));
	assert_false(port);
	port = true;
	assert_true(capture_on_lan(12345, 12345, &port));
	assert_false(port);
	/* lo is enslaved to nothing */
	for (struct if_nameindex *i = ifs; i->if_index; i++) {
		if ((int)i->if_index == lo)
			continue;
		port = true;
		assert_false(capture_on_lan(lo, (int)i->if_index, &port));
		assert_false(port);
	}
	assert_false(capture_on_lan(lo, 54321, &port));
	assert_false(port);
	if_freenameindex(ifs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lldp),
		cmocka_unit_test(test_ndp),
		cmocka_unit_test(test_dhcp4),
		cmocka_unit_test(test_dhcp4_relayed),
		cmocka_unit_test(test_dhcp6),
		cmocka_unit_test(test_dhcp6_relayed),
		cmocka_unit_test(test_no_url),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_multicast_source),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_filter_program),
		cmocka_unit_test_setup_teardown(test_filter, filter_setup, filter_teardown),
		cmocka_unit_test(test_open_locked),
		cmocka_unit_test(test_on_lan_bridge),
		cmocka_unit_test(test_on_lan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
