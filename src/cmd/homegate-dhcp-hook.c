/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dnsmasq --dhcp-script hook: forwards one lease event to homegated as a datagram. */

/*
 * dnsmasq runs this program for every lease change (as root unless --dhcp-scriptuser) and waits
 * for it, so it does as little as possible: no parsing, no allocation, no blocking. It copies its
 * arguments and the DNSMASQ_* variables it knows into "key=value\n" lines and sends them in one
 * datagram; the engine validates everything. When homegated is not running the event is dropped
 * and the hook still exits 0: DHCP and DNS must keep working without homegated.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define HOOK_DEFAULT_SOCKET "/run/homegate/dhcp.sock"
#define HOOK_MAX	    4096

struct hook_buf {
	char data[HOOK_MAX];
	size_t len;
	int overflow;
};

static void put(struct hook_buf *b, const char *key, const char *val)
{
	size_t klen, vlen;

	if (!val)
		return;
	klen = strlen(key);
	vlen = strlen(val);
	if (b->len + klen + vlen + 2 > sizeof(b->data)) {
		b->overflow = 1;
		return;
	}
	memcpy(b->data + b->len, key, klen);
	b->data[b->len + klen] = '=';
	/* A newline inside a value would forge a line; the engine rejects such a value, so
	 * forward it as it is but never let it split the record here. */
	for (size_t i = 0; i < vlen; i++)
		b->data[b->len + klen + 1 + i] = val[i] == '\n' ? ' ' : val[i];
	b->len += klen + vlen + 1;
	b->data[b->len++] = '\n';
}

int main(int argc, char **argv)
{
	static const char *const env_keys[][2] = {
		{"expires", "DNSMASQ_LEASE_EXPIRES"},
		{"vendor", "DNSMASQ_VENDOR_CLASS"},
		{"options", "DNSMASQ_REQUESTED_OPTIONS"},
		{"mud", "DNSMASQ_MUD_URL"},
		{"client_id", "DNSMASQ_CLIENT_ID"},
		{"iface", "DNSMASQ_INTERFACE"},
		{"v6_mac", "DNSMASQ_MAC"},
		{"iaid", "DNSMASQ_IAID"},
		{"supplied_hostname", "DNSMASQ_SUPPLIED_HOSTNAME"},
	};
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	const char *path = getenv("HOMEGATE_HOOK_SOCKET");
	struct hook_buf b = {.len = 0};
	int fd;

	if (argc < 2)
		return 0;
	/* "init" asks for stored leases (we keep none); "tftp" is not a lease event. */
	if (strcmp(argv[1], "add") != 0 && strcmp(argv[1], "old") != 0 &&
		strcmp(argv[1], "del") != 0)
		return 0;
	if (argc < 4)
		return 0;
	if (!path || !*path)
		path = HOOK_DEFAULT_SOCKET;
	if (strlen(path) >= sizeof(sun.sun_path))
		return 0;
	memcpy(sun.sun_path, path, strlen(path) + 1);

	put(&b, "op", argv[1]);
	put(&b, "mac", argv[2]); /* a DUID for DHCPv6 */
	put(&b, "ip", argv[3]);
	put(&b, "hostname", argc > 4 ? argv[4] : NULL);
	put(&b, "dhcpv6", getenv("DNSMASQ_IAID") ? "1" : NULL);
	for (size_t i = 0; i < sizeof(env_keys) / sizeof(env_keys[0]); i++)
		put(&b, env_keys[i][0], getenv(env_keys[i][1]));
	if (b.overflow)
		put(&b, "truncated", "1");

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	if (sendto(fd, b.data, b.len, MSG_DONTWAIT, (struct sockaddr *)&sun, sizeof(sun)) < 0 &&
		errno != ENOENT && errno != ECONNREFUSED)
		fprintf(stderr, "homegate-dhcp-hook: %s: %s\n", path, strerror(errno));
	close(fd);
	return 0;
}
