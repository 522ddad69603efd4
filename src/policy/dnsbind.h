/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dnsbind: the DNS forwarder dnsmasq uses for bound names; puts every answer's addresses into
 * the name's sets and relays the answer only after the kernel has them. */
#ifndef HG_DNSBIND_H
#define HG_DNSBIND_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define DNSBIND_UPSTREAM_MAX 4

struct dnsbind_conf {
	char table[48];			/* our nftables table (inet family) */
	struct sockaddr_storage listen; /* where dnsmasq sends (UDP and TCP), e.g. 127.0.0.1:5301 */
	struct sockaddr_storage upstream[DNSBIND_UPSTREAM_MAX]; /* the real resolvers, in order */
	size_t nupstream;
	unsigned min_timeout_s; /* element timeout floor (dns_answer_timeout_ms) */
	unsigned margin_s;	/* added to it */
	/* The bound names: dnsmasq's servers-file (`server=/NAME/127.0.0.1#PORT` lines, as
	 * dns_nftset_write makes them), read at open, on SIGHUP, and when a query's name is not
	 * bound and the file changed. "" binds nothing. */
	char names_file[4096];
};

/* names_file's size limit: 1001 names of 253 bytes are about 280 KB. */
#define DNSBIND_NAMES_MAX (4 * 1024 * 1024)

struct dnsbind;

/*
 * Opens the listening sockets (SO_REUSEPORT, so a successor can bind beside a running
 * instance before it stops it) and the netlink socket, and reads names_file. Needs
 * CAP_NET_ADMIN; nothing else. Returns 0, -EINVAL (a bad conf:
 * table name, no upstream, an address family other than IPv4/IPv6), -ENOMEM or a socket's
 * -errno. *out is the caller's to dnsbind_free.
 */
int dnsbind_open(const struct dnsbind_conf *c, struct dnsbind **out);

/*
 * Serves until SIGTERM or SIGINT (blocked and taken through the loop): then the listening
 * sockets are closed at once, the answers in flight are waited for at most 2 s, and it returns
 * 0. SIGHUP re-reads names_file; SIGUSR1 logs the counters. Returns -errno when the loop
 * fails.
 */
int dnsbind_run(struct dnsbind *d);

void dnsbind_free(struct dnsbind *d);

/* Counters since dnsbind_open, for tests and the SIGUSR1 log line. */
struct dnsbind_stats {
	uint64_t queries;    /* accepted from the local resolver */
	uint64_t refused;    /* from the local resolver, malformed or not a plain query: dropped */
	uint64_t answers;    /* matched upstream answers relayed */
	uint64_t bound;	     /* of those, answers whose addresses went into sets */
	uint64_t elements;   /* addresses added (or refreshed) */
	uint64_t strays;     /* upstream datagrams that did not match their query: dropped */
	uint64_t timeouts;   /* queries the upstream never answered */
	uint64_t nft_errors; /* transactions the kernel refused (the answer is still relayed) */
	uint64_t tcp;	     /* queries over TCP */
};
void dnsbind_stats(const struct dnsbind *d, struct dnsbind_stats *out);

#endif
