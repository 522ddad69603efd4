/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DPP frame attributes (Easy Connect §8.1: little-endian 16-bit id and length, then the value):
 * a strict reader over hostile bytes and a bounded writer. */
#ifndef HG_DPP_ATTR_H
#define HG_DPP_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dpp_attr_id {
	DPP_A_STATUS = 0x1000,
	DPP_A_I_BOOT_HASH = 0x1001,
	DPP_A_R_BOOT_HASH = 0x1002,
	DPP_A_I_PROTO_KEY = 0x1003,
	DPP_A_WRAPPED = 0x1004,
	DPP_A_I_NONCE = 0x1005,
	DPP_A_I_CAPAB = 0x1006,
	DPP_A_R_NONCE = 0x1007,
	DPP_A_R_CAPAB = 0x1008,
	DPP_A_R_PROTO_KEY = 0x1009,
	DPP_A_I_AUTH_TAG = 0x100a,
	DPP_A_R_AUTH_TAG = 0x100b,
	DPP_A_CONF_OBJ = 0x100c,
	DPP_A_CONNECTOR = 0x100d,
	DPP_A_CONF_ATTR_OBJ = 0x100e,
	DPP_A_BOOT_KEY = 0x100f,
	DPP_A_GROUP = 0x1012,
	DPP_A_ENC_KEY = 0x1013,
	DPP_A_E_NONCE = 0x1014,
	DPP_A_CODE_ID = 0x1015,
	DPP_A_TRANSACTION_ID = 0x1016,
	DPP_A_BOOT_INFO = 0x1017,
	DPP_A_CHANNEL = 0x1018,
	DPP_A_VERSION = 0x1019,
	DPP_A_ENVELOPED = 0x101a,
	DPP_A_SEND_CONN_STATUS = 0x101b,
	DPP_A_CONN_STATUS = 0x101c,
};

/* DPP Status codes (Easy Connect Table 32). */
enum dpp_status {
	DPP_ST_OK = 0,
	DPP_ST_NOT_COMPATIBLE = 1,
	DPP_ST_AUTH_FAILURE = 2,
	DPP_ST_UNWRAP_FAILURE = 3,
	DPP_ST_BAD_GROUP = 4,
	DPP_ST_CONFIGURE_FAILURE = 5,
	DPP_ST_RESPONSE_PENDING = 6,
	DPP_ST_INVALID_CONNECTOR = 7,
	DPP_ST_NO_MATCH = 8,
	DPP_ST_CONFIG_REJECTED = 9,
};

#define DPP_ATTRS_MAX 24 /* far more than any frame carries; more is refused */

struct dpp_attr {
	uint16_t id, len;
	const uint8_t *v; /* into the parsed buffer */
	size_t off;	  /* offset of the attribute's header in the buffer */
};

/* The attributes of one frame (or of a decrypted Wrapped Data), pointing into the caller's
 * buffer: valid as long as it is. */
struct dpp_attrs {
	struct dpp_attr a[DPP_ATTRS_MAX];
	size_t n;
};

/* Splits len bytes into attributes. Strict, as hostapd's dpp_check_attrs(): every attribute
 * complete and the last one ending exactly at len; nothing after Wrapped Data; no attribute id
 * twice except Configuration Object; at most DPP_ATTRS_MAX. Returns 0, or -EBADMSG with *out
 * emptied and a reason ("attribute 0x1004 truncated (41 of 60 bytes)") in err. */
int dpp_attrs_parse(const uint8_t *p, size_t len, struct dpp_attrs *out, char *err, size_t errlen);

/* The first attribute with id, or NULL. */
const struct dpp_attr *dpp_attr_find(const struct dpp_attrs *as, uint16_t id);
/* The n-th (0-based) attribute with id, or NULL. */
const struct dpp_attr *dpp_attr_nth(const struct dpp_attrs *as, uint16_t id, size_t n);

/* A bounded output buffer: writes past cap set overflow and write nothing more, so that a whole
 * frame is built and checked once at the end. */
struct dpp_wbuf {
	uint8_t *p;
	size_t len, cap;
	bool overflow;
};

void dpp_wbuf_init(struct dpp_wbuf *w, uint8_t *p, size_t cap);
void dpp_put(struct dpp_wbuf *w, const void *v, size_t len);
void dpp_put_u8(struct dpp_wbuf *w, uint8_t v);
void dpp_put_le16(struct dpp_wbuf *w, uint16_t v);
/* An attribute header and value. */
void dpp_put_attr(struct dpp_wbuf *w, uint16_t id, const void *v, size_t len);
/* An attribute header whose value the caller writes next (len bytes). */
void dpp_put_attr_hdr(struct dpp_wbuf *w, uint16_t id, size_t len);

#endif
