/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One DPP exchange over TCP: authentication, configuration (GAS) and Configuration Result. */
#include "onboard/dpp_sess.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/util.h"
#include "onboard/dpp_attr.h"
#include "onboard/dpp_crypto.h"
#include "onboard/dpp_uri.h"

#define DPP_VERSION	   2
#define CAPAB_ENROLLEE	   0x01
#define CAPAB_CONFIGURATOR 0x02
#define CAPAB_ROLES	   0x03

/* Public Action codes (IEEE 802.11 Table 9-364) and DPP frame types (Easy Connect Table 30). */
enum {
	PA_VENDOR = 0x09,
	PA_GAS_INIT_REQ = 0x0a,
	PA_GAS_INIT_RESP = 0x0b,
	PA_GAS_CB_REQ = 0x0c,
	PA_GAS_CB_RESP = 0x0d,
};
enum {
	FT_AUTH_REQ = 0,
	FT_AUTH_RESP = 1,
	FT_AUTH_CONF = 2,
	FT_CONF_RESULT = 11,
};

/* The GAS Advertisement Protocol element for DPP: id 108, length 8, query response length
 * limit 0x7f, vendor-specific protocol (221) WFA OUI, type 0x1a, subtype 1. */
static const uint8_t adv_proto[10] = {0x6c, 0x08, 0x7f, 0xdd, 0x05, 0x50, 0x6f, 0x9a, 0x1a, 0x01};

enum state {
	ST_INIT = 0,
	ST_WAIT_AUTH_REQ,  /* responder */
	ST_WAIT_AUTH_RESP, /* initiator */
	ST_WAIT_AUTH_CONF, /* responder */
	ST_WAIT_CONF_REQ,  /* Configurator, authenticated */
	ST_DECIDE,	   /* Configurator, request delivered, answer not yet given */
	ST_DEFERRED,	   /* Configurator, comeback answered, no decision yet */
	ST_DECIDED,	   /* Configurator, deferred, response ready for the next comeback */
	ST_WAIT_RESULT,	   /* Configurator, response sent to an R2 Enrollee */
	ST_WAIT_CONF_RESP, /* Enrollee */
	ST_END,
};

struct dpp_sess {
	enum dpp_role role;
	bool initiator, mutual, have_peer_hash;
	enum state st;
	const struct dpp_curve *c;
	EVP_PKEY *own_boot, *peer_boot, *csign, *own_proto, *peer_proto;
	EVP_PKEY *(*peer_lookup)(void *ctx, const uint8_t hash[32]);
	void *ctx;
	uint8_t own_hash[32], peer_hash[32];
	uint8_t inonce[DPP_MAX_NONCE], rnonce[DPP_MAX_NONCE], enonce[DPP_MAX_NONCE];
	uint8_t k1[DPP_MAX_HASH], k2[DPP_MAX_HASH], ke[DPP_MAX_HASH];
	uint8_t mx[DPP_MAX_PRIME], nx[DPP_MAX_PRIME], lx[DPP_MAX_PRIME];
	uint8_t peer_version, gas_token;
	struct dpp_conf_req req; /* Configurator: received; Enrollee: to send */
	struct dpp_cred cred;	 /* Enrollee: received */
	char *connector;
	/* Configurator: the configuration response query, kept for a comeback. */
	uint8_t *resp;
	size_t resp_len;
	bool resp_final; /* the response ends the exchange (R1 peer, or a refusal) */
	uint8_t out[2 * (DPP_TCP_MSG_MAX + 4)];
	size_t out_len;
	char reason[160];
};

static int fail(struct dpp_sess *s, struct dpp_step *st, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct dpp_sess *s, struct dpp_step *st, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
	s->st = ST_END;
	st->ev = DPP_EV_FAIL;
	st->out = s->out;
	st->len = s->out_len;
	return ret;
}

static void step_init(struct dpp_sess *s, struct dpp_step *st)
{
	memset(st, 0, sizeof(*st));
	s->out_len = 0;
}

static void step_done(struct dpp_sess *s, struct dpp_step *st, enum dpp_ev ev)
{
	st->ev = ev;
	st->out = s->out_len ? s->out : NULL;
	st->len = s->out_len;
}

/* Starts one TCP message in s->out: returns a writer positioned after its length field. */
static void msg_begin(struct dpp_sess *s, struct dpp_wbuf *w)
{
	dpp_wbuf_init(w, s->out + s->out_len + 4, sizeof(s->out) - s->out_len - 4);
}

static int msg_end(struct dpp_sess *s, struct dpp_wbuf *w)
{
	uint8_t *l = s->out + s->out_len;

	if (sizeof(s->out) - s->out_len < 4 || w->overflow || w->len > DPP_TCP_MSG_MAX)
		return -EMSGSIZE;
	l[0] = (uint8_t)(w->len >> 24);
	l[1] = (uint8_t)(w->len >> 16);
	l[2] = (uint8_t)(w->len >> 8);
	l[3] = (uint8_t)w->len;
	s->out_len += 4 + w->len;
	return 0;
}

/* The Public Action header of a DPP frame; AD1 of its wrapped data is out[1..6]. */
static void put_dpp_hdr(struct dpp_wbuf *w, uint8_t type)
{
	static const uint8_t h[6] = {PA_VENDOR, 0x50, 0x6f, 0x9a, 0x1a, 0x01};

	dpp_put(w, h, sizeof(h));
	dpp_put_u8(w, type);
}

/* Appends Wrapped Data over clear (already laid out attributes) with AD1 = the frame's 6-octet
 * DPP header (when hdr) and AD2 = the frame's attributes so far from attrs_off (when ad2). */
static void put_wrapped(struct dpp_wbuf *w, const uint8_t *key, size_t keylen, const uint8_t *hdr,
	const uint8_t *ad2, size_t ad2_len, bool with_ad2, const uint8_t *clear, size_t clear_len)
{
	struct dpp_buf ad[2];
	size_t nad = 0;
	uint8_t sealed[1024];

	if (clear_len + DPP_SIV_TAG > sizeof(sealed)) {
		w->overflow = true;
		return;
	}
	if (hdr)
		ad[nad++] = (struct dpp_buf){hdr, 6};
	if (with_ad2)
		ad[nad++] = (struct dpp_buf){ad2, ad2_len};
	if (dpp_siv_seal(key, keylen, ad, nad, clear, clear_len, sealed) < 0) {
		w->overflow = true;
		return;
	}
	dpp_put_attr(w, DPP_A_WRAPPED, sealed, clear_len + DPP_SIV_TAG);
	OPENSSL_cleanse(sealed, sizeof(sealed));
}

/* Opens Wrapped Data wd with key (hash_len bytes) and the AD components into clear (cap bytes)
 * and splits the plaintext into attributes. 0, or -EBADMSG with the reason in why. */
static int unwrap(const struct dpp_sess *s, const uint8_t *key, const struct dpp_attr *wd,
	const struct dpp_buf *ad, size_t nad, uint8_t *clear, size_t cap, struct dpp_attrs *out,
	char *why, size_t whylen)
{
	char err[128];

	if (wd->len < DPP_SIV_TAG || (size_t)wd->len - DPP_SIV_TAG > cap ||
		dpp_siv_open(key, s->c->hash_len, ad, nad, wd->v, wd->len, clear) < 0) {
		util_errf(
			why, whylen, "wrapped data does not decrypt (wrong key or altered frame)");
		return -EBADMSG;
	}
	if (dpp_attrs_parse(clear, wd->len - DPP_SIV_TAG, out, err, sizeof(err)) < 0) {
		util_errf(why, whylen, "wrapped data: %s", err);
		return -EBADMSG;
	}
	return 0;
}

/* unwrap() for a DPP frame f: AD1 its 6-octet header, AD2 the attributes before Wrapped Data. */
static int unwrap_frame(const struct dpp_sess *s, const uint8_t *key, const uint8_t *f,
	const struct dpp_attr *wd, uint8_t *clear, size_t cap, struct dpp_attrs *out, char *why,
	size_t whylen)
{
	const struct dpp_buf ad[2] = {{f + 1, 6}, {f + 7, wd->off}};

	return unwrap(s, key, wd, ad, 2, clear, cap, out, why, whylen);
}

static bool attr_is(const struct dpp_attr *a, size_t len)
{
	return a && a->len == len;
}

static int proto_xy(EVP_PKEY *k, uint8_t *xy, size_t *len)
{
	return dpp_key_to_xy(k, xy, 2 * DPP_MAX_PRIME, len);
}

/* ---- authentication ---------------------------------------------------------------------- */

static int build_auth_req(struct dpp_sess *s, struct dpp_step *st)
{
	struct dpp_wbuf w, cw;
	uint8_t xy[2 * DPP_MAX_PRIME], clear[128], *frame;
	size_t xylen, mlen;
	uint8_t capab = s->role == DPP_ROLE_CONFIGURATOR ? CAPAB_CONFIGURATOR : CAPAB_ENROLLEE;
	int ret;

	if ((ret = dpp_key_gen(s->c, &s->own_proto)) < 0 ||
		(ret = dpp_random(s->inonce, s->c->nonce_len)) < 0 ||
		(ret = proto_xy(s->own_proto, xy, &xylen)) < 0)
		return fail(s, st, ret, "cannot make a protocol key");
	/* M = pI * BR, k1 */
	if ((ret = dpp_ecdh(s->own_proto, s->peer_boot, s->mx, sizeof(s->mx), &mlen)) < 0 ||
		(ret = dpp_derive_k1(s->c, s->mx, s->k1)) < 0)
		return fail(s, st, ret, "key derivation failed");

	msg_begin(s, &w);
	frame = w.p;
	put_dpp_hdr(&w, FT_AUTH_REQ);
	size_t attrs = w.len;
	dpp_put_attr(&w, DPP_A_R_BOOT_HASH, s->peer_hash, 32);
	if (s->own_boot)
		dpp_put_attr(&w, DPP_A_I_BOOT_HASH, s->own_hash, 32);
	dpp_put_attr(&w, DPP_A_I_PROTO_KEY, xy, xylen);
	dpp_put_attr(&w, DPP_A_VERSION, (uint8_t[]){DPP_VERSION}, 1);
	dpp_wbuf_init(&cw, clear, sizeof(clear));
	dpp_put_attr(&cw, DPP_A_I_NONCE, s->inonce, s->c->nonce_len);
	dpp_put_attr(&cw, DPP_A_I_CAPAB, &capab, 1);
	if (cw.overflow)
		return fail(s, st, -EMSGSIZE, "authentication request too large");
	put_wrapped(&w, s->k1, s->c->hash_len, frame + 1, frame + attrs, w.len - attrs, true, clear,
		cw.len);
	if ((ret = msg_end(s, &w)) < 0)
		return fail(s, st, ret, "authentication request too large");
	s->st = ST_WAIT_AUTH_RESP;
	step_done(s, st, DPP_EV_NONE);
	return 0;
}

int dpp_sess_start(struct dpp_sess *s, struct dpp_step *st)
{
	step_init(s, st);
	if (!s->initiator || s->st != ST_INIT)
		return fail(s, st, -EPROTO, "not an initiator, or already started");
	return build_auth_req(s, st);
}

/* Responder: an Authentication Response with a non-OK status, wrapped with k1 (Easy Connect
 * §6.3.3: {I-nonce, R-capabilities}k1), so that the initiator learns why. */
static void build_auth_resp_status(struct dpp_sess *s, uint8_t status, uint8_t rcapab)
{
	struct dpp_wbuf w, cw;
	uint8_t clear[64], *frame;

	msg_begin(s, &w);
	frame = w.p;
	put_dpp_hdr(&w, FT_AUTH_RESP);
	size_t attrs = w.len;
	dpp_put_attr(&w, DPP_A_STATUS, &status, 1);
	dpp_put_attr(&w, DPP_A_R_BOOT_HASH, s->own_hash, 32);
	if (s->peer_version >= 2)
		dpp_put_attr(&w, DPP_A_VERSION, (uint8_t[]){DPP_VERSION}, 1);
	dpp_wbuf_init(&cw, clear, sizeof(clear));
	dpp_put_attr(&cw, DPP_A_I_NONCE, s->inonce, s->c->nonce_len);
	dpp_put_attr(&cw, DPP_A_R_CAPAB, &rcapab, 1);
	put_wrapped(&w, s->k1, s->c->hash_len, frame + 1, frame + attrs, w.len - attrs, true, clear,
		cw.len);
	if (msg_end(s, &w) < 0)
		s->out_len = 0;
}

static int parse_version(struct dpp_sess *s, const struct dpp_attrs *as)
{
	const struct dpp_attr *v = dpp_attr_find(as, DPP_A_VERSION);

	s->peer_version = 1;
	if (!v)
		return 0;
	if (v->len != 1 || v->v[0] == 0)
		return -EBADMSG;
	s->peer_version = v->v[0];
	return 0;
}

static int rx_auth_req(struct dpp_sess *s, const uint8_t *f, size_t len, struct dpp_step *st)
{
	struct dpp_attrs as, cs;
	const struct dpp_attr *rh, *ih, *pk, *wd, *in, *ic;
	uint8_t clear[256], xy[2 * DPP_MAX_PRIME], rcapab, icapab, *frame;
	char err[128];
	size_t xlen, n;
	struct dpp_wbuf w, cw, iw;
	uint8_t inner[128], rauth[DPP_MAX_HASH];
	EVP_PKEY *peer = NULL;
	int ret;

	if (dpp_attrs_parse(f + 7, len - 7, &as, err, sizeof(err)) < 0)
		return fail(s, st, -EBADMSG, "authentication request: %s", err);
	rh = dpp_attr_find(&as, DPP_A_R_BOOT_HASH);
	ih = dpp_attr_find(&as, DPP_A_I_BOOT_HASH);
	pk = dpp_attr_find(&as, DPP_A_I_PROTO_KEY);
	wd = dpp_attr_find(&as, DPP_A_WRAPPED);
	if (!attr_is(rh, 32) || (ih && ih->len != 32) || !pk || !wd)
		return fail(s, st, -EBADMSG,
			"authentication request without responder hash, protocol key or wrapped "
			"data");
	if (CRYPTO_memcmp(rh->v, s->own_hash, 32) != 0)
		return fail(s, st, -EACCES, "authentication request for another bootstrapping key");
	if (parse_version(s, &as) < 0)
		return fail(s, st, -EBADMSG, "authentication request: bad protocol version");
	if (dpp_key_from_xy(s->c, pk->v, pk->len, &s->peer_proto) < 0)
		return fail(s, st, -EBADMSG,
			"authentication request: initiator protocol key "
			"not a point on the curve");
	/* M = bR * PI, k1 */
	if (dpp_ecdh(s->own_boot, s->peer_proto, s->mx, sizeof(s->mx), &n) < 0 ||
		dpp_derive_k1(s->c, s->mx, s->k1) < 0)
		return fail(s, st, -EBADMSG, "authentication request: key derivation failed");
	if (unwrap_frame(s, s->k1, f, wd, clear, sizeof(clear), &cs, err, sizeof(err)) < 0)
		return fail(s, st, -EBADMSG, "authentication request: %s", err);
	in = dpp_attr_find(&cs, DPP_A_I_NONCE);
	ic = dpp_attr_find(&cs, DPP_A_I_CAPAB);
	if (!attr_is(in, s->c->nonce_len) || !attr_is(ic, 1))
		return fail(s, st, -EBADMSG,
			"authentication request without initiator nonce or capabilities");
	memcpy(s->inonce, in->v, s->c->nonce_len);
	icapab = ic->v[0] & CAPAB_ROLES;
	rcapab = s->role == DPP_ROLE_CONFIGURATOR ? CAPAB_CONFIGURATOR : CAPAB_ENROLLEE;
	if (!(icapab & (s->role == DPP_ROLE_CONFIGURATOR ? CAPAB_ENROLLEE : CAPAB_CONFIGURATOR))) {
		build_auth_resp_status(s, DPP_ST_NOT_COMPATIBLE, rcapab);
		return fail(s, st, -EPROTO,
			"initiator capabilities 0x%02x do not complement our "
			"role",
			ic->v[0]);
	}
	/* Mutual authentication when the user scanned the initiator's code. */
	if (ih) {
		memcpy(s->peer_hash, ih->v, 32);
		s->have_peer_hash = true;
		if (s->peer_lookup && (peer = s->peer_lookup(s->ctx, ih->v)) != NULL) {
			if (dpp_curve_of(peer) != s->c)
				return fail(s, st, -EBADMSG,
					"initiator bootstrapping key on another curve");
			EVP_PKEY_up_ref(peer);
			s->peer_boot = peer;
			s->mutual = true;
		}
	}

	if ((ret = dpp_key_gen(s->c, &s->own_proto)) < 0 ||
		(ret = dpp_random(s->rnonce, s->c->nonce_len)) < 0 ||
		(ret = proto_xy(s->own_proto, xy, &xlen)) < 0)
		return fail(s, st, ret, "cannot make a protocol key");
	/* N = pR * PI, k2, [L = ((bR + pR) mod q) * BI], ke, R-auth */
	if (dpp_ecdh(s->own_proto, s->peer_proto, s->nx, sizeof(s->nx), &n) < 0 ||
		dpp_derive_k2(s->c, s->nx, s->k2) < 0 ||
		(s->mutual &&
			dpp_l_responder(s->own_boot, s->own_proto, s->peer_boot, s->lx) < 0) ||
		dpp_derive_ke(s->c, s->inonce, s->rnonce, s->mx, s->nx, s->mutual ? s->lx : NULL,
			s->ke) < 0 ||
		dpp_r_auth(s->c, s->inonce, s->rnonce, s->peer_proto, s->own_proto,
			s->mutual ? s->peer_boot : NULL, s->own_boot, rauth) < 0)
		return fail(s, st, -EBADMSG, "authentication: key derivation failed");

	/* {R-auth}ke, no AD */
	dpp_wbuf_init(&iw, inner, sizeof(inner));
	dpp_put_attr(&iw, DPP_A_R_AUTH_TAG, rauth, s->c->hash_len);
	dpp_wbuf_init(&cw, clear, sizeof(clear));
	dpp_put_attr(&cw, DPP_A_R_NONCE, s->rnonce, s->c->nonce_len);
	dpp_put_attr(&cw, DPP_A_I_NONCE, s->inonce, s->c->nonce_len);
	dpp_put_attr(&cw, DPP_A_R_CAPAB, &rcapab, 1);
	put_wrapped(&cw, s->ke, s->c->hash_len, NULL, NULL, 0, false, inner, iw.len);

	msg_begin(s, &w);
	frame = w.p;
	put_dpp_hdr(&w, FT_AUTH_RESP);
	size_t attrs = w.len;
	dpp_put_attr(&w, DPP_A_STATUS, (uint8_t[]){DPP_ST_OK}, 1);
	dpp_put_attr(&w, DPP_A_R_BOOT_HASH, s->own_hash, 32);
	if (s->mutual)
		dpp_put_attr(&w, DPP_A_I_BOOT_HASH, s->peer_hash, 32);
	dpp_put_attr(&w, DPP_A_R_PROTO_KEY, xy, xlen);
	if (s->peer_version >= 2)
		dpp_put_attr(&w, DPP_A_VERSION, (uint8_t[]){DPP_VERSION}, 1);
	if (cw.overflow)
		return fail(s, st, -EMSGSIZE, "authentication response too large");
	put_wrapped(&w, s->k2, s->c->hash_len, frame + 1, frame + attrs, w.len - attrs, true, clear,
		cw.len);
	OPENSSL_cleanse(clear, sizeof(clear));
	if ((ret = msg_end(s, &w)) < 0)
		return fail(s, st, ret, "authentication response too large");
	s->st = ST_WAIT_AUTH_CONF;
	step_done(s, st, DPP_EV_NONE);
	return 0;
}

static int build_conf_req(struct dpp_sess *s);

static int rx_auth_resp(struct dpp_sess *s, const uint8_t *f, size_t len, struct dpp_step *st)
{
	struct dpp_attrs as, cs, is;
	const struct dpp_attr *sa, *rh, *ih, *pk, *wd, *rn, *in, *rc, *iwd, *ra;
	uint8_t clear[512], inner[128], tag[DPP_MAX_HASH], *frame;
	uint8_t want = s->role == DPP_ROLE_CONFIGURATOR ? CAPAB_ENROLLEE : CAPAB_CONFIGURATOR;
	char err[128];
	size_t n;
	struct dpp_wbuf w, cw;
	int ret;

	if (dpp_attrs_parse(f + 7, len - 7, &as, err, sizeof(err)) < 0)
		return fail(s, st, -EBADMSG, "authentication response: %s", err);
	sa = dpp_attr_find(&as, DPP_A_STATUS);
	rh = dpp_attr_find(&as, DPP_A_R_BOOT_HASH);
	ih = dpp_attr_find(&as, DPP_A_I_BOOT_HASH);
	pk = dpp_attr_find(&as, DPP_A_R_PROTO_KEY);
	wd = dpp_attr_find(&as, DPP_A_WRAPPED);
	if (!attr_is(sa, 1) || !attr_is(rh, 32) || (ih && ih->len != 32) || !wd)
		return fail(s, st, -EBADMSG,
			"authentication response without status, responder hash or wrapped data");
	if (CRYPTO_memcmp(rh->v, s->peer_hash, 32) != 0)
		return fail(s, st, -EACCES, "authentication response names another responder key");
	if (parse_version(s, &as) < 0)
		return fail(s, st, -EBADMSG, "authentication response: bad protocol version");
	if (sa->v[0] != DPP_ST_OK)
		return fail(s, st, -EPROTO, "responder refused authentication (status %u%s)",
			sa->v[0], sa->v[0] == DPP_ST_NOT_COMPATIBLE ? ", not compatible" : "");
	if (ih) {
		if (!s->own_boot || CRYPTO_memcmp(ih->v, s->own_hash, 32) != 0)
			return fail(s, st, -EACCES,
				"authentication response names another initiator key");
		s->mutual = true;
	}
	if (!pk || dpp_key_from_xy(s->c, pk->v, pk->len, &s->peer_proto) < 0)
		return fail(s, st, -EBADMSG,
			"authentication response: responder protocol key "
			"missing or not on the curve");
	/* N = pI * PR, k2 */
	if (dpp_ecdh(s->own_proto, s->peer_proto, s->nx, sizeof(s->nx), &n) < 0 ||
		dpp_derive_k2(s->c, s->nx, s->k2) < 0)
		return fail(s, st, -EBADMSG, "authentication response: key derivation failed");
	if (unwrap_frame(s, s->k2, f, wd, clear, sizeof(clear), &cs, err, sizeof(err)) < 0)
		return fail(s, st, -EBADMSG, "authentication response: %s", err);
	rn = dpp_attr_find(&cs, DPP_A_R_NONCE);
	in = dpp_attr_find(&cs, DPP_A_I_NONCE);
	rc = dpp_attr_find(&cs, DPP_A_R_CAPAB);
	iwd = dpp_attr_find(&cs, DPP_A_WRAPPED);
	if (!attr_is(rn, s->c->nonce_len) || !attr_is(in, s->c->nonce_len) || !attr_is(rc, 1) ||
		!iwd)
		return fail(s, st, -EBADMSG, "authentication response: wrapped data incomplete");
	if (CRYPTO_memcmp(in->v, s->inonce, s->c->nonce_len) != 0)
		return fail(s, st, -EACCES, "authentication response: initiator nonce mismatch");
	if ((rc->v[0] & CAPAB_ROLES) != want)
		return fail(s, st, -EPROTO,
			"responder capabilities 0x%02x do not complement our "
			"role",
			rc->v[0]);
	memcpy(s->rnonce, rn->v, s->c->nonce_len);
	if ((s->mutual && dpp_l_initiator(s->own_boot, s->peer_boot, s->peer_proto, s->lx) < 0) ||
		dpp_derive_ke(s->c, s->inonce, s->rnonce, s->mx, s->nx, s->mutual ? s->lx : NULL,
			s->ke) < 0)
		return fail(s, st, -EBADMSG, "authentication: key derivation failed");
	if (unwrap(s, s->ke, iwd, NULL, 0, inner, sizeof(inner), &is, err, sizeof(err)) < 0 ||
		!attr_is(ra = dpp_attr_find(&is, DPP_A_R_AUTH_TAG), s->c->hash_len))
		return fail(s, st, -EBADMSG, "authentication response: R-auth does not decrypt");
	if (dpp_r_auth(s->c, s->inonce, s->rnonce, s->own_proto, s->peer_proto,
		    s->mutual ? s->own_boot : NULL, s->peer_boot, tag) < 0 ||
		CRYPTO_memcmp(tag, ra->v, s->c->hash_len) != 0)
		return fail(s, st, -EACCES, "authentication response: R-auth mismatch");

	/* Authentication Confirm: {I-auth}ke */
	if (dpp_i_auth(s->c, s->inonce, s->rnonce, s->own_proto, s->peer_proto,
		    s->mutual ? s->own_boot : NULL, s->peer_boot, tag) < 0)
		return fail(s, st, -EBADMSG, "authentication: I-auth failed");
	dpp_wbuf_init(&cw, inner, sizeof(inner));
	dpp_put_attr(&cw, DPP_A_I_AUTH_TAG, tag, s->c->hash_len);
	msg_begin(s, &w);
	frame = w.p;
	put_dpp_hdr(&w, FT_AUTH_CONF);
	size_t attrs = w.len;
	dpp_put_attr(&w, DPP_A_STATUS, (uint8_t[]){DPP_ST_OK}, 1);
	dpp_put_attr(&w, DPP_A_R_BOOT_HASH, s->peer_hash, 32);
	if (s->mutual)
		dpp_put_attr(&w, DPP_A_I_BOOT_HASH, s->own_hash, 32);
	put_wrapped(&w, s->ke, s->c->hash_len, frame + 1, frame + attrs, w.len - attrs, true, inner,
		cw.len);
	if ((ret = msg_end(s, &w)) < 0)
		return fail(s, st, ret, "authentication confirm too large");
	if (s->role == DPP_ROLE_ENROLLEE) {
		if ((ret = build_conf_req(s)) < 0)
			return fail(s, st, ret, "configuration request too large");
		s->st = ST_WAIT_CONF_RESP;
	} else {
		s->st = ST_WAIT_CONF_REQ;
	}
	step_done(s, st, DPP_EV_AUTH_OK);
	return 0;
}

static int rx_auth_conf(struct dpp_sess *s, const uint8_t *f, size_t len, struct dpp_step *st)
{
	struct dpp_attrs as, cs;
	const struct dpp_attr *sa, *rh, *ih, *wd, *ia;
	uint8_t clear[128], tag[DPP_MAX_HASH];
	char err[128];
	int ret;

	if (dpp_attrs_parse(f + 7, len - 7, &as, err, sizeof(err)) < 0)
		return fail(s, st, -EBADMSG, "authentication confirm: %s", err);
	sa = dpp_attr_find(&as, DPP_A_STATUS);
	rh = dpp_attr_find(&as, DPP_A_R_BOOT_HASH);
	ih = dpp_attr_find(&as, DPP_A_I_BOOT_HASH);
	wd = dpp_attr_find(&as, DPP_A_WRAPPED);
	if (!attr_is(sa, 1) || !attr_is(rh, 32) || !wd)
		return fail(s, st, -EBADMSG,
			"authentication confirm without status, responder hash or wrapped data");
	if (CRYPTO_memcmp(rh->v, s->own_hash, 32) != 0 ||
		(s->mutual && (!attr_is(ih, 32) || CRYPTO_memcmp(ih->v, s->peer_hash, 32) != 0)))
		return fail(s, st, -EACCES, "authentication confirm names other keys");
	if (sa->v[0] != DPP_ST_OK)
		return fail(
			s, st, -EPROTO, "initiator aborted authentication (status %u)", sa->v[0]);
	if (unwrap_frame(s, s->ke, f, wd, clear, sizeof(clear), &cs, err, sizeof(err)) < 0)
		return fail(s, st, -EBADMSG, "authentication confirm: %s", err);
	if (!attr_is(ia = dpp_attr_find(&cs, DPP_A_I_AUTH_TAG), s->c->hash_len))
		return fail(s, st, -EBADMSG, "authentication confirm without I-auth");
	if (dpp_i_auth(s->c, s->inonce, s->rnonce, s->peer_proto, s->own_proto,
		    s->mutual ? s->peer_boot : NULL, s->own_boot, tag) < 0 ||
		CRYPTO_memcmp(tag, ia->v, s->c->hash_len) != 0)
		return fail(s, st, -EACCES, "authentication confirm: I-auth mismatch");
	if (s->role == DPP_ROLE_ENROLLEE) {
		if ((ret = build_conf_req(s)) < 0)
			return fail(s, st, ret, "configuration request too large");
		s->st = ST_WAIT_CONF_RESP;
	} else {
		s->st = ST_WAIT_CONF_REQ;
	}
	step_done(s, st, DPP_EV_AUTH_OK);
	return 0;
}

/* ---- configuration (Enrollee) ------------------------------------------------------------ */

static int build_conf_req(struct dpp_sess *s)
{
	struct dpp_wbuf w, cw;
	uint8_t clear[2048];
	char json[1024];
	int n, ret;

	if ((ret = dpp_random(s->enonce, s->c->nonce_len)) < 0 ||
		(ret = dpp_random(&s->gas_token, 1)) < 0)
		return ret;
	n = dpp_conf_req_build(&s->req, json, sizeof(json));
	if (n < 0 || (size_t)n >= sizeof(json))
		return -EINVAL;
	dpp_wbuf_init(&cw, clear, sizeof(clear));
	dpp_put_attr(&cw, DPP_A_E_NONCE, s->enonce, s->c->nonce_len);
	dpp_put_attr(&cw, DPP_A_CONF_ATTR_OBJ, json, (size_t)n);
	if (cw.overflow)
		return -EMSGSIZE;
	msg_begin(s, &w);
	dpp_put_u8(&w, PA_GAS_INIT_REQ);
	dpp_put_u8(&w, s->gas_token);
	dpp_put(&w, adv_proto, sizeof(adv_proto));
	dpp_put_le16(&w, (uint16_t)(cw.len + 4 + DPP_SIV_TAG));
	put_wrapped(&w, s->ke, s->c->hash_len, NULL, NULL, 0, false, clear, cw.len);
	OPENSSL_cleanse(clear, sizeof(clear));
	return msg_end(s, &w);
}

int dpp_sess_comeback(struct dpp_sess *s, struct dpp_step *st)
{
	struct dpp_wbuf w;
	int ret;

	step_init(s, st);
	if (s->role != DPP_ROLE_ENROLLEE || s->st != ST_WAIT_CONF_RESP)
		return fail(s, st, -EPROTO, "no configuration request waiting");
	msg_begin(s, &w);
	dpp_put_u8(&w, PA_GAS_CB_REQ);
	dpp_put_u8(&w, s->gas_token);
	if ((ret = msg_end(s, &w)) < 0)
		return fail(s, st, ret, "comeback request too large");
	step_done(s, st, DPP_EV_NONE);
	return 0;
}

static int build_conf_result(struct dpp_sess *s, uint8_t status)
{
	struct dpp_wbuf w, cw;
	uint8_t clear[64], *frame;

	dpp_wbuf_init(&cw, clear, sizeof(clear));
	dpp_put_attr(&cw, DPP_A_STATUS, &status, 1);
	dpp_put_attr(&cw, DPP_A_E_NONCE, s->enonce, s->c->nonce_len);
	msg_begin(s, &w);
	frame = w.p;
	put_dpp_hdr(&w, FT_CONF_RESULT);
	/* AD1 = the DPP header, AD2 = an empty component (no attributes before Wrapped Data) */
	put_wrapped(&w, s->ke, s->c->hash_len, frame + 1, frame + 7, 0, true, clear, cw.len);
	return msg_end(s, &w);
}

/* A GAS Initial or Comeback Response: the query response after the fixed fields. */
static int gas_resp_query(const uint8_t *f, size_t len, bool comeback, uint8_t *token,
	uint16_t *delay, const uint8_t **q, size_t *qlen, const char **why)
{
	size_t fixed = comeback ? 7 : 6;
	uint16_t status, l;

	if (len < fixed + sizeof(adv_proto) + 2) {
		*why = "GAS response truncated";
		return -EBADMSG;
	}
	*token = f[1];
	status = (uint16_t)(f[2] | f[3] << 8);
	if (comeback && f[4] != 0) {
		*why = "GAS response fragmented (never over TCP)";
		return -EBADMSG;
	}
	*delay = (uint16_t)(f[fixed - 2] | f[fixed - 1] << 8);
	if (status != 0) {
		*why = "GAS response with a failure status";
		return -EPROTO;
	}
	if (memcmp(f + fixed, adv_proto, sizeof(adv_proto)) != 0) {
		*why = "GAS response for another advertisement protocol";
		return -EBADMSG;
	}
	l = (uint16_t)(f[fixed + 10] | f[fixed + 11] << 8);
	if (l != len - fixed - 12) {
		*why = "GAS response query length does not match the message";
		return -EBADMSG;
	}
	*q = f + fixed + 12;
	*qlen = l;
	return 0;
}

static int rx_conf_resp(
	struct dpp_sess *s, const uint8_t *f, size_t len, bool comeback, struct dpp_step *st)
{
	struct dpp_attrs as, cs;
	const struct dpp_attr *sa, *wd, *en, *co;
	const uint8_t *q;
	const char *why = NULL;
	uint8_t token, *clear = NULL;
	uint16_t delay;
	size_t qlen;
	char err[160];
	int ret;

	if ((ret = gas_resp_query(f, len, comeback, &token, &delay, &q, &qlen, &why)) < 0)
		return fail(s, st, ret, "configuration response: %s", why);
	if (token != s->gas_token)
		return fail(s, st, -EPROTO, "configuration response for another dialog token");
	if (qlen == 0 && delay) {
		step_done(s, st, DPP_EV_NONE);
		st->retry_ms = (unsigned)delay * 1024U / 1000U;
		return 0;
	}
	if (dpp_attrs_parse(q, qlen, &as, err, sizeof(err)) < 0)
		return fail(s, st, -EBADMSG, "configuration response: %s", err);
	sa = dpp_attr_find(&as, DPP_A_STATUS);
	wd = dpp_attr_find(&as, DPP_A_WRAPPED);
	if (!attr_is(sa, 1) || !wd || wd->len < DPP_SIV_TAG)
		return fail(
			s, st, -EBADMSG, "configuration response without status or wrapped data");
	clear = malloc(wd->len);
	if (!clear)
		return fail(s, st, -ENOMEM, "out of memory");
	if (unwrap(s, s->ke, wd, (struct dpp_buf[]){{q, wd->off}}, 1, clear, wd->len, &cs, err,
		    sizeof(err)) < 0) {
		ret = fail(s, st, -EBADMSG, "configuration response: %s", err);
		goto out;
	}
	en = dpp_attr_find(&cs, DPP_A_E_NONCE);
	if (!attr_is(en, s->c->nonce_len) ||
		CRYPTO_memcmp(en->v, s->enonce, s->c->nonce_len) != 0) {
		ret = fail(s, st, -EACCES, "configuration response: enrollee nonce mismatch");
		goto out;
	}
	if (sa->v[0] != DPP_ST_OK) {
		ret = fail(s, st, -EPROTO, "configurator refused the configuration (status %u)",
			sa->v[0]);
		goto out;
	}
	co = dpp_attr_find(&cs, DPP_A_CONF_OBJ);
	if (!co) {
		ret = fail(
			s, st, -EBADMSG, "configuration response without a configuration object");
		goto out;
	}
	ret = dpp_conf_obj_parse((const char *)co->v, co->len, s->own_proto, &s->cred,
		&s->connector, NULL, err, sizeof(err));
	if (ret < 0) {
		if (s->peer_version >= 2)
			build_conf_result(s, DPP_ST_CONFIG_REJECTED);
		ret = fail(s, st, ret, "configuration object refused: %s", err);
		goto out;
	}
	if (s->peer_version >= 2 && (ret = build_conf_result(s, DPP_ST_OK)) < 0) {
		ret = fail(s, st, ret, "configuration result too large");
		goto out;
	}
	s->st = ST_END;
	step_done(s, st, DPP_EV_CONF_RECEIVED);
	ret = 0;
out:
	if (clear) {
		OPENSSL_cleanse(clear, wd->len);
		free(clear);
	}
	return ret;
}

/* ---- configuration (Configurator) -------------------------------------------------------- */

static int rx_conf_req(struct dpp_sess *s, const uint8_t *f, size_t len, struct dpp_step *st)
{
	struct dpp_attrs as, cs;
	const struct dpp_attr *wd, *en, *ca;
	uint8_t clear[2048];
	uint16_t qlen;
	char err[160];

	if (len < 2 + sizeof(adv_proto) + 2 || memcmp(f + 2, adv_proto, sizeof(adv_proto)) != 0)
		return fail(s, st, -EBADMSG, "configuration request: not a DPP GAS request");
	s->gas_token = f[1];
	qlen = (uint16_t)(f[12] | f[13] << 8);
	if (qlen != len - 14)
		return fail(s, st, -EBADMSG,
			"configuration request: query length does not match the message");
	if (dpp_attrs_parse(f + 14, qlen, &as, err, sizeof(err)) < 0)
		return fail(s, st, -EBADMSG, "configuration request: %s", err);
	wd = dpp_attr_find(&as, DPP_A_WRAPPED);
	if (!wd)
		return fail(s, st, -EBADMSG, "configuration request without wrapped data");
	if (unwrap(s, s->ke, wd, NULL, 0, clear, sizeof(clear), &cs, err, sizeof(err)) < 0)
		return fail(s, st, -EBADMSG, "configuration request: %s", err);
	en = dpp_attr_find(&cs, DPP_A_E_NONCE);
	ca = dpp_attr_find(&cs, DPP_A_CONF_ATTR_OBJ);
	if (!en || en->len == 0 || en->len > DPP_MAX_NONCE || !ca)
		return fail(s, st, -EBADMSG,
			"configuration request without enrollee nonce or "
			"configuration attributes");
	if (en->len != s->c->nonce_len)
		return fail(s, st, -EBADMSG, "configuration request: enrollee nonce of %u bytes",
			en->len);
	memcpy(s->enonce, en->v, en->len);
	if (dpp_conf_req_parse((const char *)ca->v, ca->len, &s->req, err, sizeof(err)) < 0)
		return fail(s, st, -EBADMSG, "configuration request object: %s", err);
	s->st = ST_DECIDE;
	step_done(s, st, DPP_EV_CONF_REQ);
	return 0;
}

/* The query of the configuration response: Status, {E-nonce, Configuration Object}ke with the
 * Status attribute as AD. */
static int make_conf_resp(struct dpp_sess *s, const struct dpp_cred *cred, int64_t expiry)
{
	struct dpp_wbuf w, cw;
	uint8_t status = cred ? DPP_ST_OK : DPP_ST_CONFIG_REJECTED, *clear = NULL;
	char *obj = NULL;
	size_t objlen = 0, cap;
	int ret;

	if (cred) {
		ret = dpp_conf_obj_build(
			cred, s->req.netrole, s->csign, s->peer_proto, expiry, &obj);
		if (ret < 0)
			return ret;
		objlen = strlen(obj);
	}
	cap = objlen + 64 + DPP_MAX_NONCE;
	clear = malloc(cap);
	free(s->resp);
	s->resp = malloc(cap + 64);
	if (!clear || !s->resp) {
		ret = -ENOMEM;
		goto out;
	}
	dpp_wbuf_init(&cw, clear, cap);
	dpp_put_attr(&cw, DPP_A_E_NONCE, s->enonce, s->c->nonce_len);
	if (obj)
		dpp_put_attr(&cw, DPP_A_CONF_OBJ, obj, objlen);
	dpp_wbuf_init(&w, s->resp, cap + 64);
	dpp_put_attr(&w, DPP_A_STATUS, &status, 1);
	if (cw.overflow) {
		ret = -EMSGSIZE;
		goto out;
	}
	{
		uint8_t *sealed = malloc(cw.len + DPP_SIV_TAG);
		struct dpp_buf ad = {s->resp, w.len};

		if (!sealed) {
			ret = -ENOMEM;
			goto out;
		}
		ret = dpp_siv_seal(s->ke, s->c->hash_len, &ad, 1, clear, cw.len, sealed);
		if (ret == 0)
			dpp_put_attr(&w, DPP_A_WRAPPED, sealed, cw.len + DPP_SIV_TAG);
		free(sealed);
		if (ret < 0)
			goto out;
	}
	if (w.overflow || w.len + 19 > DPP_TCP_MSG_MAX) {
		ret = -EMSGSIZE;
		goto out;
	}
	s->resp_len = w.len;
	s->resp_final = !cred || s->peer_version < 2;
	ret = 0;
out:
	if (clear) {
		OPENSSL_cleanse(clear, cap);
		free(clear);
	}
	if (obj) {
		OPENSSL_cleanse(obj, objlen);
		free(obj);
	}
	if (ret < 0) {
		free(s->resp);
		s->resp = NULL;
		s->resp_len = 0;
	}
	return ret;
}

static int send_gas_resp(struct dpp_sess *s, bool comeback, uint16_t delay, bool with_query)
{
	struct dpp_wbuf w;

	msg_begin(s, &w);
	dpp_put_u8(&w, comeback ? PA_GAS_CB_RESP : PA_GAS_INIT_RESP);
	dpp_put_u8(&w, s->gas_token);
	dpp_put_le16(&w, 0); /* status: success */
	if (comeback)
		dpp_put_u8(&w, 0); /* fragment id */
	dpp_put_le16(&w, delay);
	dpp_put(&w, adv_proto, sizeof(adv_proto));
	dpp_put_le16(&w, with_query ? (uint16_t)s->resp_len : 0);
	if (with_query)
		dpp_put(&w, s->resp, s->resp_len);
	return msg_end(s, &w);
}

/* After the response went out: done, or wait for the R2 Configuration Result. */
static void after_resp(struct dpp_sess *s, struct dpp_step *st)
{
	if (s->resp_final) {
		s->st = ST_END;
		step_done(s, st, DPP_EV_DONE);
	} else {
		s->st = ST_WAIT_RESULT;
		step_done(s, st, DPP_EV_NONE);
	}
}

int dpp_sess_configure(
	struct dpp_sess *s, const struct dpp_cred *cred, int64_t expiry, struct dpp_step *st)
{
	int ret;

	step_init(s, st);
	if (s->role != DPP_ROLE_CONFIGURATOR || (s->st != ST_DECIDE && s->st != ST_DEFERRED))
		return fail(s, st, -EPROTO, "no configuration request to answer");
	if ((ret = make_conf_resp(s, cred, expiry)) < 0)
		return fail(
			s, st, ret, "cannot build the configuration object (%s)", strerror(-ret));
	if (s->st == ST_DEFERRED) {
		s->st = ST_DECIDED;
		step_done(s, st, DPP_EV_NONE);
		return 0;
	}
	if ((ret = send_gas_resp(s, false, 0, true)) < 0)
		return fail(s, st, ret, "configuration response too large");
	after_resp(s, st);
	if (!cred)
		snprintf(s->reason, sizeof(s->reason), "configuration refused");
	return 0;
}

int dpp_sess_defer(struct dpp_sess *s, struct dpp_step *st)
{
	int ret;

	step_init(s, st);
	if (s->role != DPP_ROLE_CONFIGURATOR || s->st != ST_DECIDE)
		return fail(s, st, -EPROTO, "no configuration request to defer");
	if ((ret = send_gas_resp(s, false, DPP_COMEBACK_TU, false)) < 0)
		return fail(s, st, ret, "comeback response too large");
	s->st = ST_DEFERRED;
	step_done(s, st, DPP_EV_NONE);
	return 0;
}

static int rx_comeback_req(struct dpp_sess *s, const uint8_t *f, size_t len, struct dpp_step *st)
{
	int ret;

	if (len != 2 || f[1] != s->gas_token)
		return fail(s, st, -EBADMSG, "comeback request malformed or for another dialog");
	if (s->st == ST_DEFERRED) {
		if ((ret = send_gas_resp(s, true, DPP_COMEBACK_TU, false)) < 0)
			return fail(s, st, ret, "comeback response too large");
		step_done(s, st, DPP_EV_NONE);
		return 0;
	}
	if ((ret = send_gas_resp(s, true, 0, true)) < 0)
		return fail(s, st, ret, "configuration response too large");
	after_resp(s, st);
	return 0;
}

static int rx_conf_result(struct dpp_sess *s, const uint8_t *f, size_t len, struct dpp_step *st)
{
	struct dpp_attrs as, cs;
	const struct dpp_attr *wd, *sa, *en;
	uint8_t clear[128];
	char err[128];

	if (dpp_attrs_parse(f + 7, len - 7, &as, err, sizeof(err)) < 0)
		return fail(s, st, -EBADMSG, "configuration result: %s", err);
	wd = dpp_attr_find(&as, DPP_A_WRAPPED);
	if (!wd)
		return fail(s, st, -EBADMSG, "configuration result without wrapped data");
	if (unwrap_frame(s, s->ke, f, wd, clear, sizeof(clear), &cs, err, sizeof(err)) < 0)
		return fail(s, st, -EBADMSG, "configuration result: %s", err);
	sa = dpp_attr_find(&cs, DPP_A_STATUS);
	en = dpp_attr_find(&cs, DPP_A_E_NONCE);
	if (!attr_is(sa, 1) || !attr_is(en, s->c->nonce_len) ||
		CRYPTO_memcmp(en->v, s->enonce, s->c->nonce_len) != 0)
		return fail(s, st, -EBADMSG,
			"configuration result without status or with "
			"another enrollee nonce");
	if (sa->v[0] != DPP_ST_OK)
		return fail(s, st, -EPROTO, "enrollee rejected the configuration (status %u)",
			sa->v[0]);
	s->st = ST_END;
	step_done(s, st, DPP_EV_DONE);
	return 0;
}

/* ---- dispatch ---------------------------------------------------------------------------- */

int dpp_sess_rx(struct dpp_sess *s, const uint8_t *msg, size_t len, struct dpp_step *st)
{
	static const uint8_t dpp_oui[5] = {0x50, 0x6f, 0x9a, 0x1a, 0x01};

	step_init(s, st);
	if (s->st == ST_END)
		return fail(s, st, -EPROTO, "message after the end of the exchange");
	if (len == 0 || len > DPP_TCP_MSG_MAX)
		return fail(s, st, -EBADMSG, "message of %zu bytes", len);
	switch (msg[0]) {
	case PA_VENDOR:
		if (len < 7 || memcmp(msg + 1, dpp_oui, 4) != 0)
			return fail(s, st, -EBADMSG, "not a DPP frame");
		if (msg[5] != 0x01)
			return fail(s, st, -EBADMSG, "crypto suite %u", msg[5]);
		if (msg[6] == FT_AUTH_REQ && s->st == ST_WAIT_AUTH_REQ)
			return rx_auth_req(s, msg, len, st);
		if (msg[6] == FT_AUTH_RESP && s->st == ST_WAIT_AUTH_RESP)
			return rx_auth_resp(s, msg, len, st);
		if (msg[6] == FT_AUTH_CONF && s->st == ST_WAIT_AUTH_CONF)
			return rx_auth_conf(s, msg, len, st);
		if (msg[6] == FT_CONF_RESULT && s->st == ST_WAIT_RESULT)
			return rx_conf_result(s, msg, len, st);
		return fail(s, st, -EPROTO, "unexpected DPP frame type %u", msg[6]);
	case PA_GAS_INIT_REQ:
		if (s->st == ST_WAIT_CONF_REQ)
			return rx_conf_req(s, msg, len, st);
		break;
	case PA_GAS_CB_REQ:
		if (s->st == ST_DEFERRED || s->st == ST_DECIDED)
			return rx_comeback_req(s, msg, len, st);
		break;
	case PA_GAS_INIT_RESP:
	case PA_GAS_CB_RESP:
		if (s->st == ST_WAIT_CONF_RESP)
			return rx_conf_resp(s, msg, len, msg[0] == PA_GAS_CB_RESP, st);
		break;
	default:
		return fail(s, st, -EBADMSG, "public action 0x%02x is not DPP", msg[0]);
	}
	return fail(s, st, -EPROTO, "unexpected GAS message 0x%02x", msg[0]);
}

/* ---- lifetime and accessors -------------------------------------------------------------- */

int dpp_sess_new(const struct dpp_sess_params *p, struct dpp_sess **out)
{
	struct dpp_sess *s;
	int ret = -EINVAL;

	*out = NULL;
	if ((p->role != DPP_ROLE_CONFIGURATOR && p->role != DPP_ROLE_ENROLLEE) ||
		(p->initiator ? !p->peer_boot : !p->own_boot) ||
		(p->role == DPP_ROLE_CONFIGURATOR && !p->csign) ||
		(p->role == DPP_ROLE_ENROLLEE && !p->conf_req))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->role = p->role;
	s->initiator = p->initiator;
	s->peer_lookup = p->peer_lookup;
	s->ctx = p->ctx;
	s->peer_version = 1;
	s->c = dpp_curve_of(p->initiator ? p->peer_boot : p->own_boot);
	if (!s->c)
		goto out;
	/* An initiator's own key only offers mutual authentication, which needs both keys on
	 * the responder's curve: on another curve it is left out. */
	if (p->own_boot && (!p->initiator || dpp_curve_of(p->own_boot) == s->c)) {
		if (dpp_curve_of(p->own_boot) != s->c ||
			dpp_bootstrap_key_hash(p->own_boot, s->own_hash) < 0)
			goto out;
		EVP_PKEY_up_ref(p->own_boot);
		s->own_boot = p->own_boot;
	}
	/* hostapd's and wpa_supplicant's Controllers refuse an Authentication Request without an
	 * Initiator Bootstrapping Key Hash: without a key of our own on the responder's curve, a
	 * temporary one names us (as hostapd does), which no responder knows. */
	if (p->initiator && !s->own_boot) {
		if (dpp_key_gen(s->c, &s->own_boot) < 0 ||
			dpp_bootstrap_key_hash(s->own_boot, s->own_hash) < 0)
			goto out;
	}
	if (p->initiator) {
		if (dpp_bootstrap_key_hash(p->peer_boot, s->peer_hash) < 0)
			goto out;
		EVP_PKEY_up_ref(p->peer_boot);
		s->peer_boot = p->peer_boot;
		s->have_peer_hash = true;
	}
	if (p->csign) {
		EVP_PKEY_up_ref(p->csign);
		s->csign = p->csign;
	}
	if (p->conf_req)
		s->req = *p->conf_req;
	s->st = p->initiator ? ST_INIT : ST_WAIT_AUTH_REQ;
	*out = s;
	return 0;
out:
	dpp_sess_free(s);
	return ret;
}

void dpp_sess_free(struct dpp_sess *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->own_boot);
	EVP_PKEY_free(s->peer_boot);
	EVP_PKEY_free(s->csign);
	EVP_PKEY_free(s->own_proto);
	EVP_PKEY_free(s->peer_proto);
	if (s->connector) {
		OPENSSL_cleanse(s->connector, strlen(s->connector));
		free(s->connector);
	}
	if (s->resp) {
		OPENSSL_cleanse(s->resp, s->resp_len);
		free(s->resp);
	}
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

const uint8_t *dpp_sess_peer_hash(const struct dpp_sess *s)
{
	return s->have_peer_hash ? s->peer_hash : NULL;
}

bool dpp_sess_mutual(const struct dpp_sess *s)
{
	return s->mutual;
}

unsigned dpp_sess_peer_version(const struct dpp_sess *s)
{
	return s->peer_version;
}

int dpp_sess_peer_key_hash(const struct dpp_sess *s, uint8_t out[static 32])
{
	if (!s->peer_proto)
		return -ENOENT;
	return dpp_bootstrap_key_hash(s->peer_proto, out);
}

const struct dpp_conf_req *dpp_sess_request(const struct dpp_sess *s)
{
	return &s->req;
}

const struct dpp_cred *dpp_sess_cred(const struct dpp_sess *s)
{
	return &s->cred;
}

const char *dpp_sess_connector(const struct dpp_sess *s)
{
	return s->connector;
}

const char *dpp_sess_reason(const struct dpp_sess *s)
{
	return s->reason;
}
