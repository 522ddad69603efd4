/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the DPP exchange state machine: our Configurator against our Enrollee in every
 * initiator/responder and responder-only/mutual combination, the deferred (comeback) answer, a
 * refusal, and every message tampered, replayed, truncated or out of order failing cleanly. The
 * interoperability with hostapd/wpa_supplicant is the lab's (tests/lab/test_dpp.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "onboard/dpp_crypto.h"
#include "onboard/dpp_sess.h"
#include "onboard/dpp_tcp.h"
#include "onboard/dpp_uri.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/obj_mac.h>

static EVP_PKEY *cfg_boot, *enr_boot, *csign, *other_boot;

/* One side's pending output: whole TCP messages. */
struct wire {
	uint8_t buf[4 * (DPP_TCP_MSG_MAX + 4)];
	size_t len;
};

static void take(struct wire *w, const struct dpp_step *st)
{
	assert_true(w->len + st->len <= sizeof(w->buf));
	if (!st->len)
		return;
	memcpy(w->buf + w->len, st->out, st->len);
	w->len += st->len;
}

/* Pops the first message of w into msg; returns its length or 0 when w is empty. */
static size_t pop(struct wire *w, uint8_t *msg)
{
	size_t n;

	if (w->len == 0)
		return 0;
	assert_true(w->len >= 4);
	n = (size_t)w->buf[0] << 24 | (size_t)w->buf[1] << 16 | (size_t)w->buf[2] << 8 | w->buf[3];
	assert_true(n > 0 && n + 4 <= w->len);
	memcpy(msg, w->buf + 4, n);
	memmove(w->buf, w->buf + 4 + n, w->len - 4 - n);
	w->len -= 4 + n;
	return n;
}

static EVP_PKEY *lookup_enr(void *ctx, const uint8_t hash[32])
{
	uint8_t h[32];

	(void)ctx;
	assert_int_equal(dpp_bootstrap_key_hash(enr_boot, h), 0);
	return memcmp(h, hash, 32) == 0 ? enr_boot : NULL;
}

static EVP_PKEY *lookup_cfg(void *ctx, const uint8_t hash[32])
{
	uint8_t h[32];

	(void)ctx;
	assert_int_equal(dpp_bootstrap_key_hash(cfg_boot, h), 0);
	return memcmp(h, hash, 32) == 0 ? cfg_boot : NULL;
}

static const struct dpp_conf_req enr_req = {
	.flags = DPP_CONF_REQ_HAS_MUDURL,
	.name = "plug",
	.wifi_tech = "infra",
	.netrole = DPP_NETROLE_STA,
	.mudurl = "https://mud.example.com/plug.json",
};

struct pair {
	struct dpp_sess *cfg, *enr;
	struct dpp_step st;
};

static void pair_new(struct pair *p, bool cfg_initiates, bool mutual)
{
	struct dpp_sess_params c = {
		.role = DPP_ROLE_CONFIGURATOR,
		.initiator = cfg_initiates,
		.own_boot = cfg_boot,
		.peer_boot = cfg_initiates ? enr_boot : NULL,
		.csign = csign,
		.peer_lookup = mutual ? lookup_enr : NULL,
	};
	struct dpp_sess_params e = {
		.role = DPP_ROLE_ENROLLEE,
		.initiator = !cfg_initiates,
		.own_boot = (mutual || cfg_initiates) ? enr_boot : NULL,
		.peer_boot = cfg_initiates ? NULL : cfg_boot,
		.peer_lookup = mutual ? lookup_cfg : NULL,
		.conf_req = &enr_req,
	};

	memset(p, 0, sizeof(*p));
	assert_int_equal(dpp_sess_new(&c, &p->cfg), 0);
	assert_int_equal(dpp_sess_new(&e, &p->enr), 0);
}

static void pair_free(struct pair *p)
{
	dpp_sess_free(p->cfg);
	dpp_sess_free(p->enr);
}

/* Delivers every message of w to s, collecting its output into back; returns the last event
 * and stops at the first failure. */
static enum dpp_ev deliver(struct dpp_sess *s, struct wire *w, struct wire *back, int *ret)
{
	static uint8_t msg[DPP_TCP_MSG_MAX];
	enum dpp_ev last = DPP_EV_NONE;
	struct dpp_step st;
	size_t n;

	*ret = 0;
	while ((n = pop(w, msg)) > 0) {
		*ret = dpp_sess_rx(s, msg, n, &st);
		take(back, &st);
		last = st.ev;
		if (st.ev == DPP_EV_FAIL || st.ev == DPP_EV_CONF_REQ)
			break;
	}
	return last;
}

static struct wire to_cfg, to_enr;

/* Runs a whole exchange; the Configurator grants when grant, else defers and then grants. */
static void run_exchange(bool cfg_initiates, bool mutual, bool defer)
{
	struct dpp_cred cred = {.akm = DPP_AKM_DPP, .ssid = "HomeNet", .ssid_len = 7};
	struct pair p;
	struct dpp_step st;
	enum dpp_ev ev;
	int ret;

	to_cfg.len = to_enr.len = 0;
	pair_new(&p, cfg_initiates, mutual);
	if (cfg_initiates) {
		assert_int_equal(dpp_sess_start(p.cfg, &st), 0);
		take(&to_enr, &st);
		ev = deliver(p.enr, &to_enr, &to_cfg, &ret); /* Auth Req -> Auth Resp */
		assert_int_equal(ret, 0);
		ev = deliver(p.cfg, &to_cfg, &to_enr, &ret); /* -> Auth Conf */
		assert_int_equal(ev, DPP_EV_AUTH_OK);
		ev = deliver(p.enr, &to_enr, &to_cfg, &ret); /* -> GAS request */
		assert_int_equal(ev, DPP_EV_AUTH_OK);
	} else {
		assert_int_equal(dpp_sess_start(p.enr, &st), 0);
		take(&to_cfg, &st);
		ev = deliver(p.cfg, &to_cfg, &to_enr, &ret); /* Auth Req -> Auth Resp */
		assert_int_equal(ret, 0);
		ev = deliver(p.enr, &to_enr, &to_cfg, &ret); /* -> Auth Conf + GAS request */
		assert_int_equal(ev, DPP_EV_AUTH_OK);
	}
	ev = deliver(p.cfg, &to_cfg, &to_enr, &ret);
	assert_int_equal(ev, DPP_EV_CONF_REQ);
	assert_int_equal(dpp_sess_mutual(p.cfg), mutual);
	assert_int_equal(dpp_sess_mutual(p.enr), mutual);
	assert_string_equal(dpp_sess_request(p.cfg)->name, "plug");
	assert_string_equal(dpp_sess_request(p.cfg)->mudurl, "https://mud.example.com/plug.json");
	assert_true(dpp_sess_request(p.cfg)->flags & DPP_CONF_REQ_HAS_MUDURL);
	if (mutual || cfg_initiates) {
		uint8_t h[32];

		assert_int_equal(dpp_bootstrap_key_hash(enr_boot, h), 0);
		assert_non_null(dpp_sess_peer_hash(p.cfg));
		assert_memory_equal(dpp_sess_peer_hash(p.cfg), h, 32);
	}
	if (defer) {
		assert_int_equal(dpp_sess_defer(p.cfg, &st), 0);
		take(&to_enr, &st);
		st.retry_ms = 0;
		ev = deliver(p.enr, &to_enr, &to_cfg, &ret); /* comeback delay */
		assert_int_equal(ev, DPP_EV_NONE);
		assert_int_equal(dpp_sess_comeback(p.enr, &st), 0);
		take(&to_cfg, &st);
		ev = deliver(p.cfg, &to_cfg, &to_enr, &ret); /* still waiting */
		assert_int_equal(ret, 0);
		ev = deliver(p.enr, &to_enr, &to_cfg, &ret);
		assert_int_equal(ev, DPP_EV_NONE);
		assert_int_equal(dpp_sess_configure(p.cfg, &cred, 0, &st), 0);
		assert_int_equal(st.len, 0); /* goes out on the next comeback */
		assert_int_equal(dpp_sess_comeback(p.enr, &st), 0);
		take(&to_cfg, &st);
		ev = deliver(p.cfg, &to_cfg, &to_enr, &ret);
	} else {
		assert_int_equal(dpp_sess_configure(p.cfg, &cred, 0, &st), 0);
		take(&to_enr, &st);
	}
	ev = deliver(p.enr, &to_enr, &to_cfg, &ret); /* Config Response -> Result */
	assert_int_equal(ret, 0);
	assert_int_equal(ev, DPP_EV_CONF_RECEIVED);
	assert_int_equal(dpp_sess_cred(p.enr)->akm, DPP_AKM_DPP);
	assert_int_equal(dpp_sess_cred(p.enr)->ssid_len, 7);
	assert_memory_equal(dpp_sess_cred(p.enr)->ssid, "HomeNet", 7);
	assert_non_null(dpp_sess_connector(p.enr));
	ev = deliver(p.cfg, &to_cfg, &to_enr, &ret); /* Result */
	assert_int_equal(ret, 0);
	assert_int_equal(ev, DPP_EV_DONE);
	assert_int_equal(to_cfg.len + to_enr.len, 0);
	pair_free(&p);
}

static void test_enrollee_initiates(void **state)
{
	(void)state;
	run_exchange(false, false, false);
	run_exchange(false, true, false);
}

static void test_configurator_initiates(void **state)
{
	(void)state;
	run_exchange(true, false, false);
	run_exchange(true, true, false);
}

static void test_deferred(void **state)
{
	(void)state;
	run_exchange(false, false, true);
}

static void test_psk_and_refusal(void **state)
{
	struct dpp_cred cred = {
		.akm = DPP_AKM_PSK, .ssid = "HomeNet", .ssid_len = 7, .pass = "per-device-secret"};
	struct pair p;
	struct dpp_step st;
	int ret;

	(void)state;
	for (int refuse = 0; refuse < 2; refuse++) {
		to_cfg.len = to_enr.len = 0;
		pair_new(&p, false, false);
		assert_int_equal(dpp_sess_start(p.enr, &st), 0);
		take(&to_cfg, &st);
		deliver(p.cfg, &to_cfg, &to_enr, &ret);
		deliver(p.enr, &to_enr, &to_cfg, &ret);
		assert_int_equal(deliver(p.cfg, &to_cfg, &to_enr, &ret), DPP_EV_CONF_REQ);
		assert_int_equal(dpp_sess_configure(p.cfg, refuse ? NULL : &cred, 0, &st), 0);
		take(&to_enr, &st);
		if (refuse) {
			assert_int_equal(st.ev, DPP_EV_DONE);
			assert_int_equal(deliver(p.enr, &to_enr, &to_cfg, &ret), DPP_EV_FAIL);
			assert_non_null(strstr(dpp_sess_reason(p.enr), "refused"));
			assert_int_equal(to_cfg.len, 0);
		} else {
			assert_int_equal(
				deliver(p.enr, &to_enr, &to_cfg, &ret), DPP_EV_CONF_RECEIVED);
			assert_int_equal(dpp_sess_cred(p.enr)->akm, DPP_AKM_PSK);
			assert_string_equal(dpp_sess_cred(p.enr)->pass, "per-device-secret");
			assert_int_equal(deliver(p.cfg, &to_cfg, &to_enr, &ret), DPP_EV_DONE);
		}
		pair_free(&p);
	}
}

/* Runs an Enrollee-initiated exchange and corrupts the k-th message on the wire with mutate;
 * the receiver must fail with a reason, and nothing must be provisioned. */
static int mutate_kind;

static void mutate(uint8_t *msg, size_t *n, unsigned seed)
{
	switch (mutate_kind) {
	case 0: /* flip one bit */
		msg[7 + seed % (*n - 7)] ^= (uint8_t)(1U << (seed % 8));
		break;
	case 1: /* truncate */
		*n = 1 + seed % (*n - 1);
		break;
	default: /* grow: a stray byte at the end */
		msg[(*n)++] = 0x5a;
		break;
	}
}

static void corrupt_run(unsigned k, unsigned seed)
{
	static uint8_t msg[DPP_TCP_MSG_MAX + 1];
	struct dpp_cred cred = {.akm = DPP_AKM_DPP, .ssid = "HomeNet", .ssid_len = 7};
	struct dpp_sess *side[2];
	struct wire *in[2] = {&to_cfg, &to_enr}, *out[2] = {&to_enr, &to_cfg};
	struct pair p;
	struct dpp_step st;
	unsigned count = 0;
	bool failed = false;
	int who = 0, ret;

	to_cfg.len = to_enr.len = 0;
	pair_new(&p, false, true);
	side[0] = p.cfg;
	side[1] = p.enr;
	assert_int_equal(dpp_sess_start(p.enr, &st), 0);
	take(&to_cfg, &st);
	for (int rounds = 0; rounds < 20 && !failed; rounds++, who ^= 1) {
		size_t n;

		while ((n = pop(in[who], msg)) > 0) {
			if (count++ == k)
				mutate(msg, &n, seed);
			ret = dpp_sess_rx(side[who], msg, n, &st);
			take(out[who], &st);
			if (st.ev == DPP_EV_FAIL) {
				assert_true(ret < 0);
				assert_true(dpp_sess_reason(side[who])[0] != '\0');
				failed = true;
				break;
			}
			if (st.ev == DPP_EV_CONF_REQ) {
				assert_int_equal(dpp_sess_configure(p.cfg, &cred, 0, &st), 0);
				take(&to_enr, &st);
			}
		}
	}
	/* A flipped bit in a field nobody checks (none here) could pass; everything else fails
	 * before the Enrollee holds credentials that it would use. */
	if (count > k)
		assert_true(failed);
	pair_free(&p);
}

static void test_tampering(void **state)
{
	(void)state;
	/* messages: 0 Auth Req, 1 Auth Resp, 2 Auth Conf, 3 GAS req, 4 GAS resp, 5 Result */
	for (mutate_kind = 0; mutate_kind < 3; mutate_kind++)
		for (unsigned k = 0; k < 6; k++)
			for (unsigned seed = 1; seed < 40; seed += 7)
				corrupt_run(k, seed * 2654435761U);
}

static void test_replay_and_order(void **state)
{
	static uint8_t req[DPP_TCP_MSG_MAX];
	struct pair p;
	struct dpp_step st;
	size_t n;
	int ret;

	(void)state;
	to_cfg.len = to_enr.len = 0;
	pair_new(&p, false, false);
	assert_int_equal(dpp_sess_start(p.enr, &st), 0);
	take(&to_cfg, &st);
	n = pop(&to_cfg, req);
	assert_int_equal(dpp_sess_rx(p.cfg, req, n, &st), 0);
	/* the same Authentication Request again: not expected any more */
	ret = dpp_sess_rx(p.cfg, req, n, &st);
	assert_true(ret < 0);
	assert_int_equal(st.ev, DPP_EV_FAIL);
	/* and after the failure nothing more is taken */
	assert_true(dpp_sess_rx(p.cfg, req, n, &st) < 0);
	pair_free(&p);

	/* an Authentication Request for another bootstrapping key */
	{
		struct dpp_sess_params c = {
			.role = DPP_ROLE_CONFIGURATOR, .own_boot = other_boot, .csign = csign};
		struct dpp_sess *o;

		assert_int_equal(dpp_sess_new(&c, &o), 0);
		assert_int_equal(dpp_sess_rx(o, req, n, &st), -EACCES);
		assert_non_null(strstr(dpp_sess_reason(o), "another bootstrapping key"));
		dpp_sess_free(o);
	}
	/* a session cannot start twice, a responder cannot start, an empty message fails */
	pair_new(&p, false, false);
	assert_int_equal(dpp_sess_start(p.enr, &st), 0);
	assert_true(dpp_sess_start(p.enr, &st) < 0);
	assert_true(dpp_sess_start(p.cfg, &st) < 0);
	pair_free(&p);
	pair_new(&p, false, false);
	assert_true(dpp_sess_rx(p.cfg, req, 0, &st) < 0);
	pair_free(&p);
}

static void test_role_mismatch(void **state)
{
	struct dpp_sess_params a = {.role = DPP_ROLE_CONFIGURATOR,
		.initiator = true,
		.peer_boot = cfg_boot,
		.csign = csign};
	struct dpp_sess_params b = {
		.role = DPP_ROLE_CONFIGURATOR, .own_boot = cfg_boot, .csign = csign};
	struct dpp_sess *x, *y;
	struct dpp_step st;
	struct wire w1 = {.len = 0}, w2 = {.len = 0};
	int ret;

	(void)state;
	/* two Configurators: the responder answers NOT_COMPATIBLE, the initiator reports it */
	assert_int_equal(dpp_sess_new(&a, &x), 0);
	assert_int_equal(dpp_sess_new(&b, &y), 0);
	assert_int_equal(dpp_sess_start(x, &st), 0);
	take(&w1, &st);
	assert_int_equal(deliver(y, &w1, &w2, &ret), DPP_EV_FAIL);
	assert_true(w2.len > 0);
	assert_int_equal(deliver(x, &w2, &w1, &ret), DPP_EV_FAIL);
	assert_non_null(strstr(dpp_sess_reason(x), "not compatible"));
	dpp_sess_free(x);
	dpp_sess_free(y);
	/* bad parameters */
	a.peer_boot = NULL;
	assert_int_equal(dpp_sess_new(&a, &x), -EINVAL);
	b.csign = NULL;
	assert_int_equal(dpp_sess_new(&b, &x), -EINVAL);
}

static void test_tcp_framing(void **state)
{
	static struct dpp_tcp_rx r;
	uint8_t stream[64];
	size_t used, off = 0;

	(void)state;
	dpp_tcp_rx_init(&r);
	/* two messages, fed one byte at a time */
	memcpy(stream, "\0\0\0\3abc\0\0\0\1z", 12);
	int got = 0;
	while (off < 12) {
		int ret = dpp_tcp_rx_feed(&r, stream + off, 1, &used);

		assert_true(ret >= 0);
		off += used;
		if (ret == 1) {
			if (got == 0)
				assert_memory_equal(r.msg, "abc", 3);
			else
				assert_memory_equal(r.msg, "z", 1);
			got++;
			dpp_tcp_rx_next(&r);
		}
	}
	assert_int_equal(got, 2);
	/* both at once: the first is delivered, the rest waits */
	dpp_tcp_rx_init(&r);
	assert_int_equal(dpp_tcp_rx_feed(&r, stream, 12, &used), 1);
	assert_int_equal(used, 7);
	assert_int_equal(dpp_tcp_rx_feed(&r, stream + 7, 5, &used), 1);
	assert_int_equal(used, 0); /* not taken until dpp_tcp_rx_next() */
	dpp_tcp_rx_next(&r);
	assert_int_equal(dpp_tcp_rx_feed(&r, stream + 7, 5, &used), 1);
	assert_int_equal(r.want, 1);
	/* length 0 and too large */
	dpp_tcp_rx_init(&r);
	assert_int_equal(dpp_tcp_rx_feed(&r, (const uint8_t *)"\0\0\0\0", 4, &used), -EMSGSIZE);
	dpp_tcp_rx_init(&r);
	assert_int_equal(dpp_tcp_rx_feed(&r, (const uint8_t *)"\0\1\0\1", 4, &used), -EMSGSIZE);
	dpp_tcp_rx_init(&r);
	assert_int_equal(dpp_tcp_rx_feed(&r, (const uint8_t *)"\0\0\x40\0", 4, &used), 0);
}

static int setup(void **state)
{
	const struct dpp_curve *c = dpp_curve_by_nid(NID_X9_62_prime256v1);

	(void)state;
	if (dpp_key_gen(c, &cfg_boot) < 0 || dpp_key_gen(c, &enr_boot) < 0 ||
		dpp_key_gen(c, &csign) < 0 || dpp_key_gen(c, &other_boot) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(cfg_boot);
	EVP_PKEY_free(enr_boot);
	EVP_PKEY_free(csign);
	EVP_PKEY_free(other_boot);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enrollee_initiates),
		cmocka_unit_test(test_configurator_initiates),
		cmocka_unit_test(test_deferred),
		cmocka_unit_test(test_psk_and_refusal),
		cmocka_unit_test(test_tampering),
		cmocka_unit_test(test_replay_and_order),
		cmocka_unit_test(test_role_mismatch),
		cmocka_unit_test(test_tcp_framing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
