/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The identification sensor: one Ethernet frame in, the signals its sender gave away out
 * (DHCPv4/v6, DNS queries, mDNS, SSDP, LLDP, TCP SYN, TLS ClientHello, HTTP requests, UPnP
 * descriptions, service ports). The same code runs on the live packet socket and on capture
 * files (`homegate analyze`), so what is scored offline is what runs in the gateway. */
#ifndef HG_SENSOR_H
#define HG_SENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "core/events.h"
#include "observe/pkt.h"

struct sensor_ops {
	/* A signal sent by mac (printable, at most HG_SIGNAL_VALUE_MAX - 1 octets). The same
	 * signal comes again with every frame that carries it: the receiver deduplicates. */
	void (*signal)(void *ctx, const struct hg_mac *mac, enum hg_signal sig, const char *value);
	/* Every frame with a unicast source, decoded (NULL when not set). */
	void (*seen)(void *ctx, const struct hg_mac *mac, const struct pkt *p);
};

struct sensor_stats {
	uint64_t frames;    /* handed to sensor_frame */
	uint64_t malformed; /* a header or a message the parsers refused (the frame is skipped) */
	uint64_t signals;   /* signal callbacks made */
};

/* Decodes one frame of caplen octets and calls ops for what it says. Never fails: a malformed
 * frame or message is counted in st and skipped; nothing is kept between calls. */
void sensor_frame(const uint8_t *frame, size_t caplen, const struct sensor_ops *ops, void *ctx,
	struct sensor_stats *st);

#endif
