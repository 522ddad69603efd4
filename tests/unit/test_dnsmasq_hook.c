/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the dnsmasq hook intake parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "observe/dnsmasq_hook.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int parse(const char *s, struct hg_event *ev, char *err)
{
	return dnsmasq_hook_parse(s, strlen(s), 1000, ev, err, 128);
}

static void test_full_lease(void **state)
{
	struct hg_event ev;
	char err[128];
	struct in_addr want;

	(void)state;
	assert_int_equal(parse("op=add\nmac=52:54:00:AA:bb:01\nip=192.168.50.10\nhostname=cam-1\n"
			       "expires=1700000000\nvendor=udhcp 1.30\noptions=1,3,6,12\n"
			       "mud=https://mud.example.test/cam.json\niface=br-lan\n",
				 &ev, err),
		0);
	assert_int_equal(ev.type, HG_EV_DHCP_LEASE);
	assert_int_equal(ev.source, HG_SRC_DNSMASQ);
	assert_int_equal(ev.time, 1000);
	assert_int_equal(ev.lease.op, HG_LEASE_ADD);
	assert_int_equal(ev.lease.mac.b[3], 0xaa);
	assert_int_equal(ev.lease.addr.family, AF_INET);
	inet_pton(AF_INET, "192.168.50.10", &want);
	assert_memory_equal(&ev.lease.addr.v4, &want, 4);
	assert_string_equal(ev.lease.hostname, "cam-1");
	assert_string_equal(ev.lease.vendor_class, "udhcp 1.30");
	assert_string_equal(ev.lease.requested_options, "1,3,6,12");
	assert_string_equal(ev.lease.mud_url, "https://mud.example.test/cam.json");
	assert_int_equal(ev.lease.expires, 1700000000);
	assert_int_equal(ev.lease.flags,
		HG_LEASE_HAS_HOSTNAME | HG_LEASE_HAS_VENDOR | HG_LEASE_HAS_OPTIONS |
			HG_LEASE_HAS_MUD_URL | HG_LEASE_HAS_EXPIRES);
}

static void test_minimal_and_ops(void **state)
{
	struct hg_event ev;
	char err[128];

	(void)state;
	assert_int_equal(
		parse("op=old\nmac=52:54:00:aa:bb:01\nip=192.168.50.10\nexpires=0\n", &ev, err), 0);
	assert_int_equal(ev.lease.op, HG_LEASE_OLD);
	assert_int_equal(ev.lease.flags, 0); /* expires=0: infinite lease */
	assert_int_equal(parse("op=del\nmac=52:54:00:aa:bb:01\nip=fd00:50::10\n", &ev, err), 0);
	assert_int_equal(ev.lease.op, HG_LEASE_DEL);
	assert_int_equal(ev.lease.addr.family, AF_INET6);
}

static void test_dhcpv6(void **state)
{
	struct hg_event ev;
	char err[128];

	(void)state;
	assert_int_equal(
		parse("op=add\nmac=00:01:00:01:2a:2b:2c:2d:52:54:00:aa:bb:01\nip=fd00:50::99\n"
		      "dhcpv6=1\niaid=12345\nv6_mac=52:54:00:aa:bb:01\n",
			&ev, err),
		0);
	assert_int_equal(ev.lease.mac.b[5], 0x01);
	assert_int_equal(parse("op=add\nmac=00:01:00:01:2a:2b\nip=fd00:50::99\ndhcpv6=1\niaid=1\n",
				 &ev, err),
		-ENODATA);
}

static void test_rejections(void **state)
{
	static const char *const bad[][2] = {
		{"op=add\nmac=52:54:00:aa:bb:01\nip=10.0.0.1\nbogus=1\n", "unknown key"},
		{"op=add\nop=add\nmac=52:54:00:aa:bb:01\nip=10.0.0.1\n", "repeated key op"},
		{"op=add\nip=10.0.0.1\n", "op, mac and ip are required"},
		{"op=mod\nmac=52:54:00:aa:bb:01\nip=10.0.0.1\n", "op is not add, old or del"},
		{"op=add\nmac=52:54:00:aa:bb\nip=10.0.0.1\n", "bad MAC address"},
		{"op=add\nmac=52:54:00:aa:bb:zz\nip=10.0.0.1\n", "bad MAC address"},
		{"op=add\nmac=01:00:5e:00:00:01\nip=10.0.0.1\n", "multicast MAC address"},
		{"op=add\nmac=52:54:00:aa:bb:01\nip=10.0.0.300\n", "bad IP address"},
		{"op=add\nmac=52:54:00:aa:bb:01\nip=10.0.0.1\nhostname=my cam\n",
			"hostname outside"},
		{"op=add\nmac=52:54:00:aa:bb:01\nip=10.0.0.1\nhostname=a/b\n", "hostname outside"},
		{"op=add\nmac=52:54:00:aa:bb:01\nip=10.0.0.1\nvendor=a\x01b\n",
			"non-printable byte in vendor"},
		{"op=add\nmac=52:54:00:aa:bb:01\nip=10.0.0.1\noptions=1;3\n", "not a number list"},
		{"op=add\nmac=52:54:00:aa:bb:01\nip=10.0.0.1\nexpires=-5\n", "bad lease expiry"},
		{"op=add\nmac=52:54:00:aa:bb:01\nip=10.0.0.1", "last line not terminated"},
		{"op=add\nmac\nip=10.0.0.1\n", "line without '='"},
	};
	struct hg_event ev;
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i][0], &ev, err), -EINVAL);
		if (!strstr(err, bad[i][1]))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, bad[i][1]);
	}
}

static void test_lengths(void **state)
{
	char buf[DNSMASQ_HOOK_MAX + 2], err[128];
	struct hg_event ev;
	int n;

	(void)state;
	assert_int_equal(dnsmasq_hook_parse("", 0, 0, &ev, err, sizeof(err)), -EINVAL);
	memset(buf, 'a', sizeof(buf));
	assert_int_equal(dnsmasq_hook_parse(buf, sizeof(buf), 0, &ev, err, sizeof(err)), -EINVAL);
	n = snprintf(buf, sizeof(buf), "op=add\nmac=52:54:00:aa:bb:01\nip=10.0.0.1\nmud=https://");
	memset(buf + n, 'x', 260);
	buf[n + 260] = '\n';
	assert_int_equal(
		dnsmasq_hook_parse(buf, (size_t)n + 261, 0, &ev, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "value of mud too long"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_lease),
		cmocka_unit_test(test_minimal_and_ops),
		cmocka_unit_test(test_dhcpv6),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_lengths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
