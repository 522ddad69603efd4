/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the DPP exchange state machine in each role, fed hostile messages, from the
 * start or after a genuine exchange with our own other side got it to a later state.
 * Input: mode byte, stage byte, then messages each with a 2-byte big-endian length.
 * mode & 3: target 0 Configurator responder, 1 Enrollee initiator, 2 Configurator initiator,
 * 3 Enrollee responder; 0x04 mutual; 0x08 live (stage genuine messages reach the target first);
 * 0x10 the Configurator defers; 0x20 it refuses; 0x40 psk instead of dpp credentials. */
#include "onboard/dpp_crypto.h"
#include "onboard/dpp_sess.h"
#include "onboard/dpp_uri.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/obj_mac.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
	M_TARGET = 0x03,
	M_MUTUAL = 0x04,
	M_LIVE = 0x08,
	M_DEFER = 0x10,
	M_REFUSE = 0x20,
	M_PSK = 0x40,
};

/* Fixed private scalars, so that every run has the same bootstrapping and C-sign keys. */
static const uint8_t cfg_d[32] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15,
	0x88, 0x09, 0xcf, 0x4f, 0x3c, 0x76, 0x2e, 0x71, 0x60, 0xf3, 0x8b, 0x4d, 0xa5, 0x6a, 0x78,
	0x4d, 0x90, 0x45, 0x19, 0x0c, 0xfe};
static const uint8_t enr_d[32] = {0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe, 0x2b, 0x73, 0xae,
	0xf0, 0x85, 0x7d, 0x77, 0x81, 0x1f, 0x35, 0x2c, 0x07, 0x3b, 0x61, 0x08, 0xd7, 0x2d, 0x98,
	0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4};
static const uint8_t csign_d[32] = {0x0e, 0x3b, 0x2f, 0x8f, 0x3a, 0x57, 0x4c, 0x61, 0x2c, 0x4d,
	0x27, 0x6e, 0x1b, 0x92, 0xd1, 0x6b, 0x5e, 0x83, 0xa6, 0x0c, 0x44, 0x17, 0x9d, 0x21, 0x60,
	0x9f, 0x85, 0x1e, 0x31, 0x7a, 0x0b, 0x52};

static EVP_PKEY *cfg_boot, *enr_boot, *csign;
static uint8_t cfg_hash[32], enr_hash[32];

static const struct dpp_conf_req enr_req = {
	.flags = DPP_CONF_REQ_HAS_MUDURL,
	.name = "plug",
	.wifi_tech = "infra",
	.netrole = DPP_NETROLE_STA,
	.mudurl = "https://mud.example.com/plug.json",
};

static void init_keys(void)
{
	const struct dpp_curve *c = dpp_curve_by_nid(NID_X9_62_prime256v1);

	if (cfg_boot)
		return;
	if (!c || dpp_key_from_priv(c, cfg_d, 32, &cfg_boot) != 0 ||
		dpp_key_from_priv(c, enr_d, 32, &enr_boot) != 0 ||
		dpp_key_from_priv(c, csign_d, 32, &csign) != 0 ||
		dpp_bootstrap_key_hash(cfg_boot, cfg_hash) != 0 ||
		dpp_bootstrap_key_hash(enr_boot, enr_hash) != 0)
		abort();
}

static EVP_PKEY *lookup(void *ctx, const uint8_t hash[32])
{
	(void)ctx;
	if (memcmp(hash, enr_hash, 32) == 0)
		return enr_boot;
	if (memcmp(hash, cfg_hash, 32) == 0)
		return cfg_boot;
	return NULL;
}

/* Messages waiting for one side, each with its 4-byte length. */
struct wire {
	uint8_t buf[4 * (DPP_TCP_MSG_MAX + 4)];
	size_t len;
};

static struct wire to_target, to_partner;

/* What a session hands out is whole, bounded messages, and a failure says why. */
static void check_step(struct dpp_sess *s, const struct dpp_step *st, int ret)
{
	size_t off = 0;

	if ((ret == 0) == (st->ev == DPP_EV_FAIL))
		abort();
	if (ret != 0 && !dpp_sess_reason(s)[0])
		abort();
	if (st->len > 2 * (DPP_TCP_MSG_MAX + 4) || (st->len && !st->out))
		abort();
	while (off < st->len) {
		size_t n;

		if (st->len - off < 4)
			abort();
		n = (size_t)st->out[off] << 24 | (size_t)st->out[off + 1] << 16 |
			(size_t)st->out[off + 2] << 8 | st->out[off + 3];
		if (n == 0 || n > DPP_TCP_MSG_MAX || n > st->len - off - 4)
			abort();
		off += 4 + n;
	}
}

static void take(struct wire *w, const struct dpp_step *st)
{
	if (st->len > sizeof(w->buf) - w->len)
		abort(); /* a session never says this much in one exchange */
	if (st->len)
		memcpy(w->buf + w->len, st->out, st->len);
	w->len += st->len;
}

static size_t pop(struct wire *w, uint8_t *msg)
{
	size_t n;

	if (w->len == 0)
		return 0;
	n = (size_t)w->buf[0] << 24 | (size_t)w->buf[1] << 16 | (size_t)w->buf[2] << 8 | w->buf[3];
	memcpy(msg, w->buf + 4, n);
	memmove(w->buf, w->buf + 4 + n, w->len - 4 - n);
	w->len -= 4 + n;
	return n;
}

struct side {
	struct dpp_sess *s;
	bool configurator, deferred;
	struct wire *out;
};

/* Plays the application's part after a step: a Configurator answers a request (or defers it
 * and grants on the next comeback), an Enrollee comes back when asked. */
static void react(struct side *d, const struct dpp_step *in, unsigned mode)
{
	struct dpp_cred cred = {.akm = DPP_AKM_DPP, .ssid = "HomeNet", .ssid_len = 7};
	struct dpp_step st;
	int ret;

	if (mode & M_PSK) {
		cred.akm = DPP_AKM_PSK;
		memcpy(cred.pass, "correct horse", 14);
	}
	if (d->configurator && in->ev == DPP_EV_CONF_REQ) {
		if (mode & M_DEFER) {
			ret = dpp_sess_defer(d->s, &st);
			d->deferred = true;
		} else {
			ret = dpp_sess_configure(d->s, (mode & M_REFUSE) ? NULL : &cred, 0, &st);
		}
		check_step(d->s, &st, ret);
		take(d->out, &st);
	} else if (d->configurator && d->deferred && in->ev == DPP_EV_NONE) {
		d->deferred = false;
		ret = dpp_sess_configure(d->s, (mode & M_REFUSE) ? NULL : &cred, 0, &st);
		check_step(d->s, &st, ret);
		take(d->out, &st);
	} else if (!d->configurator && in->retry_ms) {
		ret = dpp_sess_comeback(d->s, &st);
		check_step(d->s, &st, ret);
		take(d->out, &st);
	}
}

static void rx(struct side *d, const uint8_t *msg, size_t n, unsigned mode)
{
	struct dpp_step st;
	int ret = dpp_sess_rx(d->s, msg, n, &st);

	check_step(d->s, &st, ret);
	take(d->out, &st);
	if (ret == 0)
		react(d, &st, mode);
}

static int new_sess(bool configurator, bool initiator, bool mutual, struct dpp_sess **out)
{
	struct dpp_sess_params p = {
		.role = configurator ? DPP_ROLE_CONFIGURATOR : DPP_ROLE_ENROLLEE,
		.initiator = initiator,
		.own_boot = (!initiator || mutual) ? (configurator ? cfg_boot : enr_boot) : NULL,
		.peer_boot = initiator ? (configurator ? enr_boot : cfg_boot) : NULL,
		.peer_lookup = mutual ? lookup : NULL,
		.csign = configurator ? csign : NULL,
		.conf_req = configurator ? NULL : &enr_req,
	};

	return dpp_sess_new(&p, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[DPP_TCP_MSG_MAX];
	struct side t = {.out = &to_partner}, p = {.out = &to_target};
	unsigned mode, stage, delivered = 0;
	bool t_cfg, t_init, mutual;
	struct dpp_step st;
	size_t off = 2, n;
	int ret;

	if (size < 2)
		return 0;
	init_keys();
	mode = data[0];
	stage = (mode & M_LIVE) ? data[1] % 8 : 0;
	t_cfg = (mode & M_TARGET) == 0 || (mode & M_TARGET) == 2;
	t_init = (mode & M_TARGET) == 1 || (mode & M_TARGET) == 2;
	mutual = mode & M_MUTUAL;
	to_target.len = to_partner.len = 0;
	t.configurator = t_cfg;
	p.configurator = !t_cfg;
	if (new_sess(t_cfg, t_init, mutual, &t.s) != 0)
		abort();
	if ((mode & M_LIVE) && new_sess(!t_cfg, !t_init, mutual, &p.s) != 0)
		abort();

	/* the genuine exchange, until the target has had stage messages */
	if (t_init) {
		ret = dpp_sess_start(t.s, &st);
		check_step(t.s, &st, ret);
		if (p.s)
			take(t.out, &st);
	} else if (p.s) {
		ret = dpp_sess_start(p.s, &st);
		check_step(p.s, &st, ret);
		take(p.out, &st);
	}
	while (p.s && delivered < stage) {
		if ((n = pop(&to_target, msg)) > 0) {
			rx(&t, msg, n, mode);
			delivered++;
		} else if ((n = pop(&to_partner, msg)) > 0) {
			rx(&p, msg, n, mode);
		} else {
			break;
		}
	}

	/* then the fuzzer's messages */
	while (off < size) {
		size_t len = size - off < 2 ? 0 : (size_t)(data[off] << 8 | data[off + 1]);

		off += 2;
		if (off > size)
			break;
		if (len > size - off)
			len = size - off;
		rx(&t, data + off, len, mode);
		off += len;
		to_partner.len = 0;
	}
	dpp_sess_free(t.s);
	dpp_sess_free(p.s);
	return 0;
}
