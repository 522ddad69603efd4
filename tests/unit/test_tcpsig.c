/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the TCP SYN signature: TTL guess, options in order, quirks, malformed options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "observe/tcpsig.h"

#include <string.h>
#include <sys/socket.h>

#include "core/util.h"

#define SYN 0x02
#define ACK 0x10
#define URG 0x20
#define ECE 0x40
#define CWR 0x80

/* A TCP header with options, and the frame fields pkt_decode() would set for it. */
struct seg {
	uint8_t tcp[60];
	struct pkt p;
};

static void seg(struct seg *s, int family, uint8_t ttl, uint16_t win, uint8_t flags,
	const void *opts, size_t olen)
{
	size_t hlen = 20 + olen;

	assert_true(hlen <= 60 && hlen % 4 == 0);
	memset(s, 0, sizeof(*s));
	s->tcp[0] = 0xc3; /* port 50000 */
	s->tcp[1] = 0x50;
	s->tcp[3] = 80;
	memcpy(s->tcp + 4, "\x12\x34\x56\x78", 4); /* seq */
	s->tcp[12] = (uint8_t)(hlen / 4 << 4);
	s->tcp[13] = flags;
	s->tcp[14] = (uint8_t)(win >> 8);
	s->tcp[15] = (uint8_t)win;
	if (olen)
		memcpy(s->tcp + 20, opts, olen);
	s->p.flags = PKT_HAS_IP | PKT_HAS_TCP;
	s->p.family = family;
	s->p.ttl = ttl;
	s->p.proto = 6;
	s->p.sport = 50000;
	s->p.dport = 80;
	s->p.tcp = s->tcp;
	s->p.tcp_hlen = hlen;
	s->p.tcp_flags = flags;
	s->p.tcp_window = win;
	s->p.payload = s->tcp + hlen;
}

static const char *sig(const struct seg *s)
{
	static char buf[TCPSIG_MAX];
	size_t n = tcpsig_format(&s->p, buf, sizeof(buf));

	assert_int_equal(n, strlen(buf));
	return buf;
}

/* The SYNs of common stacks, with the options as they send them. */
static void test_stacks(void **state)
{
	/* Linux: mss 1460, SACK permitted, timestamps, nop, window scale 7 */
	static const uint8_t linux_opts[] = {
		2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0x1f, 0x2e, 0x3d, 0, 0, 0, 0, 1, 3, 3, 7};
	/* Windows 10: mss, nop, ws 8, nop, nop, SACK permitted */
	static const uint8_t win_opts[] = {2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2};
	/* macOS: mss, nop, ws 6, nop, nop, timestamps, SACK permitted, eol, eol */
	static const uint8_t mac_opts[] = {2, 4, 0x05, 0xb4, 1, 3, 3, 6, 1, 1, 8, 10, 0x44, 0x55,
		0x66, 0x77, 0, 0, 0, 0, 4, 2, 0, 0};
	struct seg s;

	(void)state;
	seg(&s, AF_INET, 57, 29200, SYN, linux_opts, sizeof(linux_opts));
	s.p.flags |= PKT_IP_DF;
	assert_string_equal(sig(&s), "4:64:29200:1460:7:mss,sok,ts,nop,ws:df");

	seg(&s, AF_INET, 115, 64240, SYN, win_opts, sizeof(win_opts));
	s.p.flags |= PKT_IP_DF;
	assert_string_equal(sig(&s), "4:128:64240:1460:8:mss,nop,ws,nop,nop,sok:df");

	/* ECN negotiation: ECE and CWR on the SYN. */
	seg(&s, AF_INET, 64, 65535, SYN | ECE | CWR, mac_opts, sizeof(mac_opts));
	s.p.flags |= PKT_IP_DF;
	assert_string_equal(sig(&s), "4:64:65535:1460:6:mss,nop,ws,nop,nop,ts,sok,eol:df,ecn");

	/* IPv6: no DF, whatever the flag says. */
	seg(&s, AF_INET6, 60, 64800, SYN, linux_opts, sizeof(linux_opts));
	s.p.flags |= PKT_IP_DF;
	assert_string_equal(sig(&s), "6:64:64800:1460:7:mss,sok,ts,nop,ws:");

	/* No options at all. */
	seg(&s, AF_INET, 200, 1024, SYN, NULL, 0);
	assert_string_equal(sig(&s), "4:255:1024:0:-::");
}

static void test_ttl(void **state)
{
	static const struct {
		uint8_t ttl;
		const char *want;
	} cases[] = {
		{0, "4:32:"},
		{1, "4:32:"},
		{32, "4:32:"},
		{33, "4:64:"},
		{64, "4:64:"},
		{65, "4:128:"},
		{128, "4:128:"},
		{129, "4:255:"},
		{255, "4:255:"},
	};
	struct seg s;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		seg(&s, AF_INET, cases[i].ttl, 1, SYN, NULL, 0);
		if (strncmp(sig(&s), cases[i].want, strlen(cases[i].want)))
			fail_msg("ttl %u: %s", cases[i].ttl, sig(&s));
	}
}

static void test_quirks(void **state)
{
	/* timestamps with TSval 0 and a TSecr set, then SACK blocks, an unknown kind 30 (MPTCP),
	 * a window scale of 15 */
	static const uint8_t odd[] = {8, 10, 0, 0, 0, 0, 0, 0, 0, 9, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2,
		30, 4, 0, 0, 3, 3, 15, 1};
	/* junk after eol */
	static const uint8_t junk[] = {2, 4, 0x02, 0x18, 0, 0, 7, 0};
	struct seg s;

	(void)state;
	seg(&s, AF_INET, 64, 512, SYN, odd, sizeof(odd));
	assert_string_equal(sig(&s), "4:64:512:0:15:ts,sack,?30,ws,nop:ts0,ts2+,exws");

	seg(&s, AF_INET, 64, 512, SYN, junk, sizeof(junk));
	s.tcp[8] = 1;  /* an acknowledgement number without ACK */
	s.tcp[19] = 1; /* an urgent pointer without URG */
	assert_string_equal(sig(&s), "4:64:512:536:-:mss,eol:ack+,uptr+,opt+");

	/* With URG the urgent pointer is no quirk. */
	seg(&s, AF_INET, 64, 512, SYN | URG, NULL, 0);
	s.tcp[19] = 1;
	assert_string_equal(sig(&s), "4:64:512:0:-::");
}

/* Not a client's SYN, or options that do not parse: nothing. */
static void test_refused(void **state)
{
	static const struct {
		const char *what;
		uint8_t opts[8];
		size_t len;
	} bad[] = {
		{"length past the header", {2, 4, 0x05, 0xb4, 30, 5, 7, 0}, 8},
		{"length under 2", {1, 1, 1, 1, 30, 1, 0, 0}, 8},
		{"length octet missing", {1, 1, 1, 2}, 4},
		{"mss of 3", {2, 3, 5, 0}, 4},
		{"ws of 4", {3, 4, 7, 0}, 4},
		{"sok of 3", {4, 3, 0, 0}, 4},
		{"ts of 8", {8, 8, 0, 0, 0, 0, 0, 0}, 8},
	};
	char buf[TCPSIG_MAX];
	struct seg s;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		seg(&s, AF_INET, 64, 1, SYN, bad[i].opts, bad[i].len);
		memset(buf, 'x', sizeof(buf));
		if (tcpsig_format(&s.p, buf, sizeof(buf)) != 0 || buf[0])
			fail_msg("%s: \"%s\"", bad[i].what, buf);
	}
	seg(&s, AF_INET, 64, 1, SYN | ACK, NULL, 0);
	assert_int_equal(tcpsig_format(&s.p, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	seg(&s, AF_INET, 64, 1, ACK, NULL, 0);
	assert_int_equal(tcpsig_format(&s.p, buf, sizeof(buf)), 0);
	seg(&s, AF_INET, 64, 1, SYN, NULL, 0);
	s.p.flags = PKT_HAS_IP | PKT_HAS_UDP;
	assert_int_equal(tcpsig_format(&s.p, buf, sizeof(buf)), 0);
	seg(&s, AF_INET, 64, 1, SYN, NULL, 0);
	s.p.family = 0;
	assert_int_equal(tcpsig_format(&s.p, buf, sizeof(buf)), 0);
}

/* snprintf semantics: the length of the whole signature, the buffer cut and terminated. */
static void test_buffer(void **state)
{
	static const uint8_t opts[] = {2, 4, 0x05, 0xb4};
	char small[8];
	struct seg s;

	(void)state;
	seg(&s, AF_INET, 64, 8192, SYN, opts, sizeof(opts));
	assert_int_equal(
		tcpsig_format(&s.p, small, sizeof(small)), strlen("4:64:8192:1460:-:mss:"));
	assert_string_equal(small, "4:64:81");
	assert_int_equal(tcpsig_format(&s.p, NULL, 0), strlen("4:64:8192:1460:-:mss:"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stacks),
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_quirks),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
