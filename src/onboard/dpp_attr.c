/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DPP frame attributes: a strict reader over hostile bytes and a bounded writer. */
#include "onboard/dpp_attr.h"

#include <errno.h>
#include <string.h>

#include "core/util.h"

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

int dpp_attrs_parse(const uint8_t *p, size_t len, struct dpp_attrs *out, char *err, size_t errlen)
{
	size_t off = 0;
	bool wrapped = false;

	memset(out, 0, sizeof(*out));
	while (off < len) {
		uint16_t id, alen;

		if (len - off < 4) {
			util_errf(
				err, errlen, "%zu stray bytes after the last attribute", len - off);
			goto bad;
		}
		id = get_le16(p + off);
		alen = get_le16(p + off + 2);
		if (alen > len - off - 4) {
			util_errf(err, errlen, "attribute 0x%04x truncated (%zu of %u bytes)", id,
				len - off - 4, alen);
			goto bad;
		}
		if (wrapped) {
			util_errf(err, errlen, "attribute 0x%04x after Wrapped Data", id);
			goto bad;
		}
		if (id != DPP_A_CONF_OBJ && dpp_attr_find(out, id)) {
			util_errf(err, errlen, "attribute 0x%04x twice", id);
			goto bad;
		}
		if (out->n == DPP_ATTRS_MAX) {
			util_errf(err, errlen, "more than %d attributes", DPP_ATTRS_MAX);
			goto bad;
		}
		out->a[out->n++] =
			(struct dpp_attr){.id = id, .len = alen, .v = p + off + 4, .off = off};
		if (id == DPP_A_WRAPPED)
			wrapped = true;
		off += 4 + (size_t)alen;
	}
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return -EBADMSG;
}

const struct dpp_attr *dpp_attr_nth(const struct dpp_attrs *as, uint16_t id, size_t n)
{
	for (size_t i = 0; i < as->n; i++)
		if (as->a[i].id == id && n-- == 0)
			return &as->a[i];
	return NULL;
}

const struct dpp_attr *dpp_attr_find(const struct dpp_attrs *as, uint16_t id)
{
	return dpp_attr_nth(as, id, 0);
}

void dpp_wbuf_init(struct dpp_wbuf *w, uint8_t *p, size_t cap)
{
	w->p = p;
	w->len = 0;
	w->cap = cap;
	w->overflow = false;
}

void dpp_put(struct dpp_wbuf *w, const void *v, size_t len)
{
	if (w->overflow || len > w->cap - w->len) {
		w->overflow = true;
		return;
	}
	if (len)
		memcpy(w->p + w->len, v, len);
	w->len += len;
}

void dpp_put_u8(struct dpp_wbuf *w, uint8_t v)
{
	dpp_put(w, &v, 1);
}

void dpp_put_le16(struct dpp_wbuf *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};

	dpp_put(w, b, 2);
}

void dpp_put_attr_hdr(struct dpp_wbuf *w, uint16_t id, size_t len)
{
	if (len > UINT16_MAX) {
		w->overflow = true;
		return;
	}
	dpp_put_le16(w, id);
	dpp_put_le16(w, (uint16_t)len);
}

void dpp_put_attr(struct dpp_wbuf *w, uint16_t id, const void *v, size_t len)
{
	dpp_put_attr_hdr(w, id, len);
	dpp_put(w, v, len);
}
