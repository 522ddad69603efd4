/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the DPP-over-TCP framer fed a byte stream in arbitrary chunks, checked
 * against a direct reading of the same stream. Input: 1 byte k, k chunk sizes (used in turn, 0
 * is an empty read), then the stream. */
#include "onboard/dpp_tcp.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dpp_tcp_rx r;
	const uint8_t *chunks, *s;
	size_t nchunks, n, pos = 0, ci = 0,
			   expect = 0; /* expect: stream offset of the next prefix */
	bool failed = false;

	if (size < 1)
		return 0;
	nchunks = (size_t)(data[0] & 0x0f) + 1;
	if (size < 1 + nchunks)
		return 0;
	chunks = data + 1;
	s = data + 1 + nchunks;
	n = size - 1 - nchunks;
	dpp_tcp_rx_init(&r);
	/* an empty read changes nothing */
	{
		size_t used = 1;

		if (dpp_tcp_rx_feed(&r, s, 0, &used) != 0 || used != 0)
			abort();
	}
	while (pos < n) {
		size_t want = chunks[ci++ % nchunks], used = (size_t)-1;
		int ret;

		if (want == 0) {
			/* an empty read in the middle of a message changes nothing either */
			if (dpp_tcp_rx_feed(&r, s + pos, 0, &used) != 0 || used != 0)
				abort();
			want = 1;
		}
		if (want > n - pos)
			want = n - pos;
		ret = dpp_tcp_rx_feed(&r, s + pos, want, &used);
		if (used > want)
			abort();
		pos += used;
		if (ret == -EMSGSIZE) {
			uint32_t len;

			/* only for a bad prefix, right after its last byte */
			if (n - expect < 4 || pos != expect + 4)
				abort();
			len = be32(s + expect);
			if (len != 0 && len <= DPP_TCP_MSG_MAX)
				abort();
			failed = true;
			break;
		}
		if (ret == 1) {
			uint32_t len;
			size_t again = 1;

			if (n - expect < 4)
				abort();
			len = be32(s + expect);
			if (len == 0 || len > DPP_TCP_MSG_MAX || r.want != len ||
				pos != expect + 4 + len || memcmp(r.msg, s + expect + 4, len) != 0)
				abort();
			/* until the caller takes it, the message stays and nothing is consumed */
			if (dpp_tcp_rx_feed(&r, s + pos, n - pos, &again) != 1 || again != 0)
				abort();
			dpp_tcp_rx_next(&r);
			expect = pos;
			continue;
		}
		if (ret != 0 || used != want)
			abort(); /* 0: every byte offered was taken */
	}
	if (!failed) {
		/* what is left is one incomplete message, or a prefix still to be judged */
		if (pos != n)
			abort();
		if (n - expect >= 4) {
			uint32_t len = be32(s + expect);

			if (len == 0 || len > DPP_TCP_MSG_MAX || n - expect - 4 >= len)
				abort();
		}
	}
	return 0;
}
