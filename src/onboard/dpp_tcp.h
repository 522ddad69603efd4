/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DPP over TCP framing (Easy Connect §9.2: a 4-octet big-endian length, then the frame from its
 * Public Action field on): reassembles messages from a byte stream, bounded. */
#ifndef HG_DPP_TCP_H
#define HG_DPP_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "onboard/dpp_sess.h"

struct dpp_tcp_rx {
	uint8_t len_buf[4];
	size_t have_len; /* octets of the length field received */
	uint32_t want;	 /* length of the message being received */
	size_t have;	 /* octets of it received */
	uint8_t msg[DPP_TCP_MSG_MAX];
};

void dpp_tcp_rx_init(struct dpp_tcp_rx *r);

/* Consumes bytes from p[0..n): *used says how many. Returns 1 when a whole message is in
 * r->msg[0..r->want) (call dpp_tcp_rx_next() before feeding more), 0 when all n bytes were taken
 * and more are needed, -EMSGSIZE for a length of 0 or above DPP_TCP_MSG_MAX (the stream cannot be
 * resynchronised: close it). */
int dpp_tcp_rx_feed(struct dpp_tcp_rx *r, const uint8_t *p, size_t n, size_t *used);

/* Forgets the delivered message; the next feed starts a new one. */
void dpp_tcp_rx_next(struct dpp_tcp_rx *r);

#endif
