/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the frame decoder: VLAN tags, IPv4 options and fragments, IPv6 extension
 * headers, UDP and TCP, truncated captures and self-contradicting headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "observe/pkt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pcap/dlt.h>
#include <string.h>

static char err[128];

struct frame {
	uint8_t b[256];
	size_t len;
};

static void put(struct frame *f, const void *v, size_t n)
{
	assert_true(f->len + n <= sizeof(f->b));
	memcpy(f->b + f->len, v, n);
	f->len += n;
}

static void eth(struct frame *f, uint16_t type, int vlans)
{
	static const uint8_t macs[12] = {
		0x01, 0x00, 0x5e, 0, 0, 0xfb, 0x52, 0x54, 0, 0xaa, 0xbb, 1};
	uint8_t t[2] = {(uint8_t)(type >> 8), (uint8_t)type};

	f->len = 0;
	put(f, macs, 12);
	for (int i = 0; i < vlans; i++)
		put(f, (uint8_t[]){i ? 0x81 : 0x88, i ? 0x00 : 0xa8, 0x00, 0x07}, 4);
	put(f, t, 2);
}

static void ip4(struct frame *f, uint8_t proto, size_t ihl_words, size_t payload, uint16_t frag)
{
	uint8_t h[60] = {0};
	size_t tot = ihl_words * 4 + payload;

	h[0] = (uint8_t)(0x40 | ihl_words);
	h[2] = (uint8_t)(tot >> 8);
	h[3] = (uint8_t)tot;
	h[6] = (uint8_t)(frag >> 8);
	h[7] = (uint8_t)frag;
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, (uint8_t[]){192, 168, 1, 20}, 4);
	memcpy(h + 16, (uint8_t[]){224, 0, 0, 251}, 4);
	put(f, h, ihl_words * 4);
}

static void udp(struct frame *f, uint16_t sport, uint16_t dport, const char *data)
{
	size_t n = strlen(data), l = 8 + n;
	uint8_t h[8] = {(uint8_t)(sport >> 8), (uint8_t)sport, (uint8_t)(dport >> 8),
		(uint8_t)dport, (uint8_t)(l >> 8), (uint8_t)l, 0, 0};

	put(f, h, 8);
	put(f, data, n);
}

static void test_ipv4_udp_with_options(void **state)
{
	struct frame f;
	struct pkt p;

	(void)state;
	eth(&f, 0x0800, 0);
	ip4(&f, 17, 6, 8 + 5, 0x4000);
	udp(&f, 5353, 5353, "hello");
	put(&f, "\0\0\0\0", 4); /* Ethernet padding is not payload */
	assert_int_equal(pkt_decode(f.b, f.len, &p, err, sizeof(err)), 0);
	assert_int_equal(p.flags, PKT_HAS_IP | PKT_HAS_UDP | PKT_IP_DF);
	assert_int_equal(p.family, AF_INET);
	assert_int_equal(p.ttl, 64);
	assert_int_equal(p.sport, 5353);
	assert_int_equal(p.payload_len, 5);
	assert_memory_equal(p.payload, "hello", 5);
	assert_int_equal(p.src_mac[5], 1);
	assert_int_equal(ntohl(p.src.v4.s_addr), 0xc0a80114);
}

static void test_vlan_tcp_syn(void **state)
{
	static const uint8_t tcp[24] = {0xc3, 0x50, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x60, 0x02,
		0x72, 0x10, 0, 0, 0, 0, 2, 4, 0x05, 0xb4};
	struct frame f;
	struct pkt p;

	(void)state;
	eth(&f, 0x0800, 2);
	ip4(&f, 6, 5, sizeof(tcp), 0);
	put(&f, tcp, sizeof(tcp));
	assert_int_equal(pkt_decode(f.b, f.len, &p, err, sizeof(err)), 0);
	assert_int_equal(p.vlans, 2);
	assert_true(p.flags & PKT_HAS_TCP);
	assert_int_equal(p.dport, 443);
	assert_int_equal(p.tcp_hlen, 24);
	assert_int_equal(p.tcp_flags, 0x02);
	assert_int_equal(p.tcp_window, 0x7210);
	assert_int_equal(p.payload_len, 0);
}

static void test_ipv6_extension_headers(void **state)
{
	uint8_t h[40] = {0x60, 0, 0, 0, 0, 8 + 8 + 3, 0 /* hop-by-hop */, 255};
	uint8_t hbh[8] = {17, 0, 5, 2, 0, 0, 1, 0};
	struct frame f;
	struct pkt p;

	(void)state;
	h[8] = 0xfe;
	h[9] = 0x80;
	eth(&f, 0x86dd, 0);
	put(&f, h, 40);
	put(&f, hbh, 8);
	udp(&f, 546, 547, "abc");
	assert_int_equal(pkt_decode(f.b, f.len, &p, err, sizeof(err)), 0);
	assert_int_equal(p.family, AF_INET6);
	assert_int_equal(p.proto, 17);
	assert_int_equal(p.dport, 547);
	assert_int_equal(p.payload_len, 3);
	assert_int_equal(p.ttl, 255);
}

static void test_truncated_and_fragments(void **state)
{
	struct frame f;
	struct pkt p;

	(void)state;
	eth(&f, 0x0800, 0);
	ip4(&f, 17, 5, 8 + 21, 0);
	udp(&f, 1900, 1900, "NOTIFY * HTTP/1.1\r\n\r\n");
	/* a short snaplen keeps what it has */
	assert_int_equal(pkt_decode(f.b, f.len - 10, &p, err, sizeof(err)), 0);
	assert_true(p.flags & PKT_TRUNCATED);
	assert_true(p.flags & PKT_HAS_UDP);
	assert_int_equal(p.payload_len, 11);
	/* cut inside the IP header: no transport, no error */
	assert_int_equal(pkt_decode(f.b, 14 + 12, &p, err, sizeof(err)), 0);
	assert_int_equal(p.flags, PKT_TRUNCATED);
	/* a later fragment has no transport header */
	eth(&f, 0x0800, 0);
	ip4(&f, 17, 5, 16, 0x0010);
	put(&f, "0123456789abcdef", 16);
	assert_int_equal(pkt_decode(f.b, f.len, &p, err, sizeof(err)), 0);
	assert_true(p.flags & PKT_FRAGMENT);
	assert_false(p.flags & PKT_HAS_UDP);
	/* the first fragment of a large datagram: its UDP header names the whole length */
	eth(&f, 0x0800, 0);
	ip4(&f, 17, 5, 8 + 16, 0x2000);
	udp(&f, 5353, 5353, "0123456789abcdef");
	f.b[14 + 20 + 4] = 0x05; /* UDP length 1400: more follows in other fragments */
	f.b[14 + 20 + 5] = 0x78;
	assert_int_equal(pkt_decode(f.b, f.len, &p, err, sizeof(err)), 0);
	assert_true(p.flags & PKT_HAS_UDP);
	assert_true(p.flags & PKT_TRUNCATED);
	assert_false(p.flags & PKT_FRAGMENT);
	assert_int_equal(p.payload_len, 16);
	/* not IP at all: the link layer only */
	eth(&f, 0x88cc, 0);
	put(&f, "\x02\x07\x04", 3);
	assert_int_equal(pkt_decode(f.b, f.len, &p, err, sizeof(err)), 0);
	assert_int_equal(p.ethertype, 0x88cc);
	assert_int_equal(p.l3_len, 3);
	assert_int_equal(p.flags, 0);
}

static void test_contradictions(void **state)
{
	struct frame f;
	struct pkt p;

	(void)state;
	assert_int_equal(pkt_decode((const uint8_t *)"short", 5, &p, err, sizeof(err)), -EINVAL);
	eth(&f, 0x0800, 0);
	ip4(&f, 17, 5, 8, 0);
	f.b[14] = 0x44; /* IHL 4 */
	assert_int_equal(pkt_decode(f.b, f.len + 8, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "header length"));
	eth(&f, 0x0800, 0);
	ip4(&f, 17, 5, 8 + 3, 0);
	udp(&f, 1, 2, "abc");
	f.b[14 + 20 + 5] = 4; /* UDP length 4 */
	assert_int_equal(pkt_decode(f.b, f.len, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "UDP length"));
	assert_int_equal(p.flags, 0);
	eth(&f, 0x0800, 0);
	ip4(&f, 6, 5, 20, 0);
	put(&f, (uint8_t[20]){[12] = 0x40}, 20); /* data offset 16 */
	assert_int_equal(pkt_decode(f.b, f.len, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "TCP data offset"));
	eth(&f, 0x86dd, 0);
	put(&f, (uint8_t[40]){0x45}, 40);
	assert_int_equal(pkt_decode(f.b, f.len, &p, err, sizeof(err)), -EINVAL);
}

static void test_link_frames(void **state)
{
	static const uint8_t ip[20] = {0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17};
	uint8_t sll[16 + 20] = {0, 0, 0, 1, 0, 6, 0x52, 0x54, 0, 0xaa, 0xbb, 1, 0, 0, 0x08, 0x00};
	uint8_t buf[64];
	const uint8_t *f;
	size_t n;

	(void)state;
	memcpy(sll + 16, ip, sizeof(ip));
	/* a Linux cooked header becomes Ethernet with the sender's address */
	f = pkt_link_frame(DLT_LINUX_SLL, sll, sizeof(sll), buf, sizeof(buf), &n);
	assert_non_null(f);
	assert_int_equal(n, 14 + 20);
	assert_memory_equal(f + 6, sll + 6, 6);
	assert_int_equal(f[12], 0x08);
	assert_memory_equal(f + 14, ip, 20);
	/* bare IP gets a zero Ethernet header of its version's type; Ethernet stays as it is */
	f = pkt_link_frame(DLT_RAW, ip, sizeof(ip), buf, sizeof(buf), &n);
	assert_non_null(f);
	assert_int_equal(n, 34);
	assert_int_equal(f[12] << 8 | f[13], 0x0800);
	assert_ptr_equal(pkt_link_frame(DLT_EN10MB, sll, sizeof(sll), buf, sizeof(buf), &n), sll);
	/* what does not fit, is cut, or is another link type: none */
	assert_null(pkt_link_frame(DLT_LINUX_SLL, sll, sizeof(sll), buf, 20, &n));
	assert_null(pkt_link_frame(DLT_LINUX_SLL, sll, 15, buf, sizeof(buf), &n));
	assert_null(pkt_link_frame(DLT_IEEE802_11, sll, sizeof(sll), buf, sizeof(buf), &n));
	assert_false(pkt_link_supported(DLT_IEEE802_11));
	assert_true(pkt_link_supported(DLT_LINUX_SLL2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_udp_with_options),
		cmocka_unit_test(test_vlan_tcp_syn),
		cmocka_unit_test(test_ipv6_extension_headers),
		cmocka_unit_test(test_truncated_and_fragments),
		cmocka_unit_test(test_contradictions),
		cmocka_unit_test(test_link_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
