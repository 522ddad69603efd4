/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for dnsbind's configuration: the [dns] keys, resolv.conf, the conf it runs with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/config.h"
#include "core/util.h"
#include "policy/dns_nftset.h"
#include "policy/dnsbind_proc.h"
#include "policy/nft_compile.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse(struct hg_config *cfg, const char *text, char *err, size_t errlen)
{
	config_defaults(cfg);
	return config_parse(cfg, text, strlen(text), "t.conf", err, errlen);
}

static void test_config(void **state)
{
	struct hg_config cfg;
	char err[HG_CONFIG_ERR_MAX], dump[8192] = "";
	int fd[2];
	ssize_t n;

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(cfg.dns_binding, HG_DNS_BINDING_FORWARDER);
	assert_int_equal(cfg.dns_bind_port, 5301);
	assert_int_equal(cfg.dns_bind_min_timeout_s, 3600);
	assert_string_equal(cfg.dns_upstream, "");

	assert_int_equal(parse(&cfg,
				 "[dns]\nbinding = nftset\nupstream = 192.0.2.1 2001:db8::53#5353\n"
				 "bind_port = 5400\nbind_min_timeout_s = 0\n",
				 err, sizeof(err)),
		0);
	assert_int_equal(cfg.dns_binding, HG_DNS_BINDING_NFTSET);
	assert_string_equal(cfg.dns_upstream, "192.0.2.1 2001:db8::53#5353");
	assert_int_equal(cfg.dns_bind_port, 5400);
	assert_int_equal(cfg.dns_bind_min_timeout_s, 0);
	/* the dump reads back the same */
	assert_int_equal(pipe(fd), 0);
	config_dump(&cfg, fd[1]);
	close(fd[1]);
	n = read(fd[0], dump, sizeof(dump) - 1);
	close(fd[0]);
	assert_true(n > 0);
	assert_non_null(strstr(dump, "binding = nftset\n"));
	assert_non_null(strstr(dump, "upstream = 192.0.2.1 2001:db8::53#5353\n"));
	{
		/* the [dns] section alone reads back the same */
		char *sec = strstr(dump, "[dns]\n"), *end;
		struct hg_config again;

		assert_non_null(sec);
		end = strstr(sec, "\n[");
		if (end)
			end[1] = '\0';
		assert_int_equal(parse(&again, sec, err, sizeof(err)), 0);
		assert_int_equal(again.dns_binding, HG_DNS_BINDING_NFTSET);
		assert_string_equal(again.dns_upstream, cfg.dns_upstream);
		assert_int_equal(again.dns_bind_port, 5400);
	}

	/* every error names file, line, key and what is wrong; nothing changes */
	assert_int_equal(parse(&cfg, "[dns]\nbinding = dnsmasq\n", err, sizeof(err)), -EINVAL);
	assert_string_equal(
		err, "t.conf:2: dns.binding: \"dnsmasq\" is not one of forwarder, nftset");
	assert_int_equal(cfg.dns_binding, HG_DNS_BINDING_FORWARDER);
	assert_int_equal(
		parse(&cfg, "[dns]\nupstream = resolver.example\n", err, sizeof(err)), -EINVAL);
	assert_string_equal(err,
		"t.conf:2: dns.upstream: \"resolver.example\" names something that is not an IPv4 "
		"or IPv6 address with an optional #PORT (1-65535)");
	assert_int_equal(parse(&cfg, "[dns]\nupstream = 192.0.2.1#0\n", err, sizeof(err)), -EINVAL);
	assert_int_equal(
		parse(&cfg, "[dns]\nupstream = 192.0.2.1#65536\n", err, sizeof(err)), -EINVAL);
	assert_int_equal(parse(&cfg, "[dns]\nupstream = 192.0.2.1#\n", err, sizeof(err)), -EINVAL);
	assert_int_equal(
		parse(&cfg, "[dns]\nupstream = 192.0.2.1 192.0.2.1\n", err, sizeof(err)), -EINVAL);
	assert_string_equal(err,
		"t.conf:2: dns.upstream: \"192.0.2.1 192.0.2.1\" names a resolver "
		"twice");
	assert_int_equal(parse(&cfg,
				 "[dns]\nupstream = 192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4 "
				 "192.0.2.5\n",
				 err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "names more than 4 resolvers"));
	assert_int_equal(parse(&cfg, "[dns]\nbind_port = 0\n", err, sizeof(err)), -EINVAL);
	assert_int_equal(
		parse(&cfg, "[dns]\nbind_min_timeout_s = 604801\n", err, sizeof(err)), -EINVAL);
	assert_string_equal(cfg.dns_upstream, "");
}

static uint32_t v4(const struct sockaddr_storage *sa)
{
	return ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr);
}

static uint16_t port(const struct sockaddr_storage *sa)
{
	return ntohs(((const struct sockaddr_in *)sa)->sin_port);
}

static void test_resolv(void **state)
{
	static const char text[] = "# written by the DHCP client\n"
				   "search lan\n"
				   "nameserver 127.0.0.1\n"
				   "nameserver ::1\n"
				   "nameserver 127.0.1.53\n"
				   "  nameserver\t192.0.2.53 # the ISP's\n"
				   "nameserver fe80::1%eth0\n"
				   "nameserver 192.0.2.54#5353\n"
				   "nameservers 192.0.2.55\n"
				   "nameserver 2001:db8::53\r\n"
				   "nameserver 192.0.2.56\n"
				   "nameserver 192.0.2.57\n"
				   "nameserver 192.0.2.58";
	struct dnsbind_conf c;

	(void)state;
	/* loopback (dnsmasq itself), a scoped address, our #PORT notation and another keyword
	 * are not taken; at most four */
	assert_int_equal(dnsbind_proc_resolv(text, strlen(text), &c), 4);
	assert_int_equal(c.upstream[0].ss_family, AF_INET);
	assert_int_equal(v4(&c.upstream[0]), 0xc0000235);
	assert_int_equal(port(&c.upstream[0]), 53);
	assert_int_equal(c.upstream[1].ss_family, AF_INET6);
	assert_int_equal(v4(&c.upstream[2]), 0xc0000238);
	assert_int_equal(v4(&c.upstream[3]), 0xc0000239);
	assert_int_equal(dnsbind_proc_resolv("nameserver 127.0.0.1\n", 21, &c), 0);
	assert_int_equal(dnsbind_proc_resolv("", 0, &c), 0);
}

static void test_conf(void **state)
{
	char path[] = "/tmp/test_dnsbind_proc.XXXXXX", err[256];
	struct hg_config cfg;
	struct dnsbind_conf c;
	int fd;

	(void)state;
	config_defaults(&cfg);
	util_strlcpy(cfg.dns_upstream, "192.0.2.1#5300 2001:db8::1", sizeof(cfg.dns_upstream));
	util_strlcpy(
		cfg.dns_nftset_file, "/run/homegate/dns-servers.conf", sizeof(cfg.dns_nftset_file));
	assert_int_equal(
		dnsbind_proc_conf(&cfg, "homegate", "/nonexistent", &c, err, sizeof(err)), 0);
	assert_string_equal(c.table, "homegate");
	/* dnsbind reads the bound names from the file the parent writes for dnsmasq */
	assert_string_equal(c.names_file, "/run/homegate/dns-servers.conf");
	assert_int_equal(c.listen.ss_family, AF_INET);
	assert_int_equal(v4(&c.listen), INADDR_LOOPBACK);
	assert_int_equal(port(&c.listen), 5301);
	assert_int_equal(c.nupstream, 2);
	assert_int_equal(port(&c.upstream[0]), 5300);
	assert_int_equal(c.min_timeout_s, 3600);
	assert_int_equal(c.margin_s, DNSBIND_PROC_MARGIN_S);

	/* dns.upstream empty: resolv.conf's, without dnsmasq's own loopback address */
	cfg.dns_upstream[0] = '\0';
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "nameserver 127.0.0.1\nnameserver 198.51.100.1\n", 45), 45);
	close(fd);
	assert_int_equal(dnsbind_proc_conf(&cfg, "homegate", path, &c, err, sizeof(err)), 0);
	assert_int_equal(c.nupstream, 1);
	assert_int_equal(v4(&c.upstream[0]), 0xc6336401);
	/* none left: refused, saying what to set */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "nameserver 127.0.0.1\n", 21), 21);
	close(fd);
	assert_int_equal(dnsbind_proc_conf(&cfg, "homegate", path, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "set dns.upstream"));
	unlink(path);
	assert_int_equal(dnsbind_proc_conf(&cfg, "bad table", path, &c, err, sizeof(err)), -EINVAL);
}

/* The file dnsmasq reads: nftset= lines, or server= lines to dnsbind once it is used. */
static void test_lines(void **state)
{
	char path[] = "/tmp/test_dnsbind_lines.XXXXXX", h[NFTC_ID_LEN + 1], want[256], *buf = NULL;
	struct pol_policy p = {0};
	struct pol_rule r = {.peer = POL_PEER_DNSNAME};
	struct dns_nftset *d;
	size_t len = 0;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	util_strlcpy(r.value, "cloud.example.test", sizeof(r.value));
	assert_int_equal(pol_add(&p, &r), 0);
	assert_int_equal(dns_nftset_new("homegate", &d), 0);
	assert_int_equal(dns_nftset_add(d, &p), 1);
	assert_int_equal(dns_nftset_write(d, path), 1);
	assert_int_equal(nftc_name_hash("cloud.example.test", h), 0);
	snprintf(want, sizeof(want),
		"nftset=/cloud.example.test/4#inet#homegate#dns4_%s,6#inet#homegate#dns6_%s\n", h,
		h);
	assert_int_equal(util_read_file(path, 4096, &buf, &len), 0);
	assert_non_null(strstr(buf, want));
	free(buf);
	assert_int_equal(dns_nftset_use_forwarder(d, 0), -EINVAL);
	assert_int_equal(dns_nftset_use_forwarder(d, 65536), -EINVAL);
	assert_int_equal(dns_nftset_use_forwarder(d, 5301), 0);
	assert_int_equal(dns_nftset_write(d, path), 1);
	assert_int_equal(dns_nftset_write(d, path), 0); /* unchanged: nobody to tell */
	assert_int_equal(util_read_file(path, 4096, &buf, &len), 0);
	assert_non_null(strstr(buf, "\nserver=/cloud.example.test/127.0.0.1#5301\n"));
	assert_null(strstr(buf, "nftset="));
	free(buf);
	dns_nftset_free(d);
	pol_clear(&p);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_resolv),
		cmocka_unit_test(test_conf),
		cmocka_unit_test(test_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
