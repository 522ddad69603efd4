/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DPP over TCP framing: length-prefixed messages reassembled from a byte stream. */
#include "onboard/dpp_tcp.h"

#include <errno.h>
#include <string.h>

void dpp_tcp_rx_init(struct dpp_tcp_rx *r)
{
	r->have_len = 0;
	r->want = 0;
	r->have = 0;
}

void dpp_tcp_rx_next(struct dpp_tcp_rx *r)
{
	dpp_tcp_rx_init(r);
}

int dpp_tcp_rx_feed(struct dpp_tcp_rx *r, const uint8_t *p, size_t n, size_t *used)
{
	size_t take;

	*used = 0;
	if (r->have_len == 4 && r->have == r->want)
		return 1; /* the caller has not taken the last message yet */
	while (r->have_len < 4 && *used < n) {
		r->len_buf[r->have_len++] = p[(*used)++];
		if (r->have_len == 4) {
			r->want = (uint32_t)r->len_buf[0] << 24 | (uint32_t)r->len_buf[1] << 16 |
				(uint32_t)r->len_buf[2] << 8 | r->len_buf[3];
			if (r->want == 0 || r->want > DPP_TCP_MSG_MAX)
				return -EMSGSIZE;
		}
	}
	if (r->have_len < 4)
		return 0;
	take = n - *used;
	if (take > r->want - r->have)
		take = r->want - r->have;
	memcpy(r->msg + r->have, p + *used, take);
	r->have += take;
	*used += take;
	return r->have == r->want ? 1 : 0;
}
