/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the DPP attribute parser against an independent model of its rules, and
 * parse -> dpp_put_attr -> the same bytes on whatever it accepts. */
#include "onboard/dpp_attr.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* The rules of dpp_attrs_parse() restated: whole attributes up to exactly size, nothing after
 * Wrapped Data, no id twice but Configuration Object, at most DPP_ATTRS_MAX. */
static bool model_valid(const uint8_t *p, size_t size)
{
	uint16_t seen[DPP_ATTRS_MAX];
	size_t off = 0, n = 0;

	while (off < size) {
		uint16_t id, len;

		if (size - off < 4)
			return false;
		id = (uint16_t)(p[off] | p[off + 1] << 8);
		len = (uint16_t)(p[off + 2] | p[off + 3] << 8);
		if (len > size - off - 4)
			return false;
		if (n > 0 && seen[n - 1] == DPP_A_WRAPPED)
			return false;
		for (size_t i = 0; i < n; i++)
			if (seen[i] == id && id != DPP_A_CONF_OBJ)
				return false;
		if (n == DPP_ATTRS_MAX)
			return false;
		seen[n++] = id;
		off += 4 + (size_t)len;
	}
	return true;
}

static void check_accepted(const uint8_t *data, size_t size, const struct dpp_attrs *as)
{
	uint8_t *out = malloc(size + 1);
	struct dpp_wbuf w;
	size_t end = 0;

	if (as->n > DPP_ATTRS_MAX || (as->n == 0) != (size == 0))
		abort();
	for (size_t i = 0; i < as->n; i++) {
		const struct dpp_attr *a = &as->a[i];
		size_t k = 0;

		/* contiguous, in order, inside the buffer, and what the bytes say */
		if (a->off != end || a->off + 4 + (size_t)a->len > size ||
			a->v != data + a->off + 4)
			abort();
		if (a->id != (uint16_t)(data[a->off] | data[a->off + 1] << 8) ||
			a->len != (uint16_t)(data[a->off + 2] | data[a->off + 3] << 8))
			abort();
		end = a->off + 4 + (size_t)a->len;
		if (a->id == DPP_A_WRAPPED && i != as->n - 1)
			abort();
		for (size_t j = 0; j < i; j++) {
			if (as->a[j].id != a->id)
				continue;
			if (a->id != DPP_A_CONF_OBJ)
				abort();
			k++;
		}
		if (dpp_attr_nth(as, a->id, k) != a || (k == 0 && dpp_attr_find(as, a->id) != a))
			abort();
	}
	if (end != size)
		abort();

	/* the writer lays out the same bytes, and refuses one byte less room */
	if (!out)
		abort();
	dpp_wbuf_init(&w, out, size);
	for (size_t i = 0; i < as->n; i++)
		dpp_put_attr(&w, as->a[i].id, as->a[i].v, as->a[i].len);
	if (w.overflow || w.len != size || (size && memcmp(out, data, size) != 0))
		abort();
	if (size > 0) {
		dpp_wbuf_init(&w, out, size - 1);
		for (size_t i = 0; i < as->n; i++)
			dpp_put_attr(&w, as->a[i].id, as->a[i].v, as->a[i].len);
		if (!w.overflow || w.len > size - 1)
			abort();
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dpp_attrs as;
	char err[128];
	int ret;

	err[0] = '\0';
	ret = dpp_attrs_parse(data, size, &as, err, sizeof(err));
	if (ret != 0 && ret != -EBADMSG)
		abort();
	if ((ret == 0) != model_valid(data, size))
		abort();
	if (ret == 0)
		check_accepted(data, size, &as);
	else if (!all_zero(&as, sizeof(as)) || !err[0] || strnlen(err, sizeof(err)) == sizeof(err))
		abort();
	return 0;
}
