/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writes the seed corpora of fuzz_dpp_attr, fuzz_dpp_tcp and fuzz_dpp_sess from genuine
 * exchanges between our Configurator and our Enrollee (dpp_sess, the fuzz harness's fixed
 * keys). Built with everything; regenerate with BUILD/gen_dpp_seeds tests/fuzz/corpus. */
#include "onboard/dpp_attr.h"
#include "onboard/dpp_conf.h"
#include "onboard/dpp_crypto.h"
#include "onboard/dpp_sess.h"
#include "onboard/dpp_uri.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/obj_mac.h>

/* The private scalars of fuzz_dpp_sess.c: its responder takes these Authentication Requests
 * all the way through their Wrapped Data. */
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
static const char *outdir;

static const struct dpp_conf_req enr_req = {
	.flags = DPP_CONF_REQ_HAS_MUDURL,
	.name = "plug",
	.wifi_tech = "infra",
	.netrole = DPP_NETROLE_STA,
	.mudurl = "https://mud.example.com/plug.json",
};

/* One recorded message and whom it went to. */
struct rec {
	uint8_t m[DPP_TCP_MSG_MAX];
	size_t len;
	bool to_cfg;
};

#define RECS_MAX 16
static struct rec recs[RECS_MAX];
static size_t nrecs;

static void die(const char *what)
{
	fprintf(stderr, "gen_dpp_seeds: %s\n", what);
	exit(1);
}

static void put_file(const char *sub, const char *name, const void *p, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", outdir, sub, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f) != 0)
		die(path);
}

static EVP_PKEY *lookup(void *ctx, const uint8_t hash[32])
{
	uint8_t h[32];

	(void)ctx;
	if (dpp_bootstrap_key_hash(enr_boot, h) == 0 && memcmp(h, hash, 32) == 0)
		return enr_boot;
	if (dpp_bootstrap_key_hash(cfg_boot, h) == 0 && memcmp(h, hash, 32) == 0)
		return cfg_boot;
	return NULL;
}

/* Splits a step's output into recorded messages for the other side. */
static void record(const struct dpp_step *st, bool to_cfg)
{
	size_t off = 0;

	while (off + 4 <= st->len) {
		size_t n = (size_t)st->out[off] << 24 | (size_t)st->out[off + 1] << 16 |
			(size_t)st->out[off + 2] << 8 | st->out[off + 3];

		if (nrecs == RECS_MAX || n > DPP_TCP_MSG_MAX || n > st->len - off - 4)
			die("unexpected output");
		memcpy(recs[nrecs].m, st->out + off + 4, n);
		recs[nrecs].len = n;
		recs[nrecs].to_cfg = to_cfg;
		nrecs++;
		off += 4 + n;
	}
}

/* A whole exchange, recording every message. */
static void exchange(bool cfg_init, bool mutual, bool defer, enum dpp_akm akm)
{
	struct dpp_cred cred = {.akm = akm, .ssid = "HomeNet", .ssid_len = 7};
	struct dpp_sess_params cp = {
		.role = DPP_ROLE_CONFIGURATOR,
		.initiator = cfg_init,
		.own_boot = (!cfg_init || mutual) ? cfg_boot : NULL,
		.peer_boot = cfg_init ? enr_boot : NULL,
		.peer_lookup = mutual ? lookup : NULL,
		.csign = csign,
	};
	struct dpp_sess_params ep = {
		.role = DPP_ROLE_ENROLLEE,
		.initiator = !cfg_init,
		.own_boot = (cfg_init || mutual) ? enr_boot : NULL,
		.peer_boot = cfg_init ? NULL : cfg_boot,
		.peer_lookup = mutual ? lookup : NULL,
		.conf_req = &enr_req,
	};
	struct dpp_sess *c, *e;
	struct dpp_step st;
	bool deferred = false, done = false;

	if (akm != DPP_AKM_DPP)
		memcpy(cred.pass, "correct horse", 14);
	nrecs = 0;
	if (dpp_sess_new(&cp, &c) != 0 || dpp_sess_new(&ep, &e) != 0)
		die("dpp_sess_new");
	if (dpp_sess_start(cfg_init ? c : e, &st) != 0)
		die("dpp_sess_start");
	record(&st, !cfg_init);
	for (size_t i = 0; i < nrecs && !done; i++) {
		struct rec *r = &recs[i];
		struct dpp_sess *to = r->to_cfg ? c : e;

		if (dpp_sess_rx(to, r->m, r->len, &st) != 0)
			die(dpp_sess_reason(to));
		record(&st, !r->to_cfg);
		if (st.ev == DPP_EV_DONE) {
			done = true;
		} else if (st.ev == DPP_EV_CONF_REQ) {
			if (defer ? dpp_sess_defer(c, &st) : dpp_sess_configure(c, &cred, 0, &st))
				die("configure");
			deferred = defer;
			record(&st, false);
		} else if (r->to_cfg && deferred) {
			deferred = false;
			if (dpp_sess_configure(c, &cred, 0, &st) != 0)
				die("configure");
			record(&st, false);
		} else if (!r->to_cfg && st.retry_ms) {
			if (dpp_sess_comeback(e, &st) != 0)
				die("comeback");
			record(&st, true);
		}
	}
	if (!done)
		die("the exchange did not finish");
	dpp_sess_free(c);
	dpp_sess_free(e);
}

/* A seed name for the i-th recorded frame, by its type. */
static void frame_name(const struct rec *r, size_t i, const char *prefix, char *out, size_t cap)
{
	static const char *dpp[] = {"auth-req", "auth-resp", "auth-conf"};
	const char *t = "other";

	if (r->m[0] == 0x09 && r->len > 6)
		t = r->m[6] < 3 ? dpp[r->m[6]] : r->m[6] == 11 ? "result" : "other";
	else if (r->m[0] >= 0x0a && r->m[0] <= 0x0d)
		t = (const char *[]){"gas-req", "gas-resp", "cb-req", "cb-resp"}[r->m[0] - 0x0a];
	snprintf(out, cap, "%s-%zu-%s", prefix, i, t);
}

/* The attributes of a recorded frame: after the DPP header, or the GAS query. */
static void attr_seed(const struct rec *r, const char *name)
{
	size_t skip;

	switch (r->m[0]) {
	case 0x09:
		skip = 7;
		break;
	case 0x0a:
		skip = 14;
		break;
	case 0x0b:
		skip = 18;
		break;
	case 0x0d:
		skip = 19;
		break;
	default:
		return;
	}
	if (r->len > skip)
		put_file("dpp_attr", name, r->m + skip, r->len - skip);
}

/* The plaintexts inside Wrapped Data, laid out with our writer. */
static void attr_inner_seeds(void)
{
	static const uint8_t nonce[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	struct dpp_cred cred = {.akm = DPP_AKM_PSK, .ssid = "HomeNet", .ssid_len = 7};
	uint8_t buf[4096], st = 0, caps = 2;
	struct dpp_wbuf w;
	char json[1024], *obj = NULL;
	int n;

	memcpy(cred.pass, "correct horse", 14);
	n = dpp_conf_req_build(&enr_req, json, sizeof(json));
	if (n < 0)
		die("dpp_conf_req_build");
	dpp_wbuf_init(&w, buf, sizeof(buf));
	dpp_put_attr(&w, DPP_A_E_NONCE, nonce, sizeof(nonce));
	dpp_put_attr(&w, DPP_A_CONF_ATTR_OBJ, json, (size_t)n);
	put_file("dpp_attr", "inner-conf-req", buf, w.len);

	if (dpp_conf_obj_build(&cred, DPP_NETROLE_STA, NULL, NULL, 0, &obj) != 0)
		die("dpp_conf_obj_build");
	dpp_wbuf_init(&w, buf, sizeof(buf));
	dpp_put_attr(&w, DPP_A_E_NONCE, nonce, sizeof(nonce));
	dpp_put_attr(&w, DPP_A_CONF_OBJ, obj, strlen(obj));
	dpp_put_attr(&w, DPP_A_CONF_OBJ, obj, strlen(obj));
	dpp_put_attr(&w, DPP_A_SEND_CONN_STATUS, NULL, 0);
	put_file("dpp_attr", "inner-conf-resp-two-objects", buf, w.len);
	free(obj);

	dpp_wbuf_init(&w, buf, sizeof(buf));
	dpp_put_attr(&w, DPP_A_R_NONCE, nonce, sizeof(nonce));
	dpp_put_attr(&w, DPP_A_I_NONCE, nonce, sizeof(nonce));
	dpp_put_attr(&w, DPP_A_R_CAPAB, &caps, 1);
	dpp_put_attr(&w, DPP_A_WRAPPED, nonce, sizeof(nonce));
	put_file("dpp_attr", "inner-auth-resp", buf, w.len);

	/* refused ones: a duplicate, something after Wrapped Data, a truncated attribute */
	dpp_wbuf_init(&w, buf, sizeof(buf));
	dpp_put_attr(&w, DPP_A_STATUS, &st, 1);
	dpp_put_attr(&w, DPP_A_STATUS, &st, 1);
	put_file("dpp_attr", "bad-duplicate", buf, w.len);
	dpp_wbuf_init(&w, buf, sizeof(buf));
	dpp_put_attr(&w, DPP_A_WRAPPED, nonce, sizeof(nonce));
	dpp_put_attr(&w, DPP_A_STATUS, &st, 1);
	put_file("dpp_attr", "bad-after-wrapped", buf, w.len);
	dpp_wbuf_init(&w, buf, sizeof(buf));
	dpp_put_attr(&w, DPP_A_I_NONCE, nonce, sizeof(nonce));
	put_file("dpp_attr", "bad-truncated", buf, w.len - 3);
}

/* One direction's byte stream behind a chunking header. */
static void tcp_seed(bool to_cfg, const uint8_t *chunks, size_t nchunks, const char *name)
{
	static uint8_t buf[RECS_MAX * (DPP_TCP_MSG_MAX + 4) + 17];
	size_t len = 0;

	buf[len++] = (uint8_t)(nchunks - 1);
	memcpy(buf + len, chunks, nchunks);
	len += nchunks;
	for (size_t i = 0; i < nrecs; i++) {
		if (recs[i].to_cfg != to_cfg)
			continue;
		buf[len++] = (uint8_t)(recs[i].len >> 24);
		buf[len++] = (uint8_t)(recs[i].len >> 16);
		buf[len++] = (uint8_t)(recs[i].len >> 8);
		buf[len++] = (uint8_t)recs[i].len;
		memcpy(buf + len, recs[i].m, recs[i].len);
		len += recs[i].len;
	}
	put_file("dpp_tcp", name, buf, len);
}

/* The messages a target would get after its first stage ones, behind mode and stage bytes. */
static void sess_seed(uint8_t mode, uint8_t stage, bool to_cfg, const char *name)
{
	static uint8_t buf[RECS_MAX * (DPP_TCP_MSG_MAX + 2) + 2];
	size_t len = 0, k = 0;

	buf[len++] = mode;
	buf[len++] = stage;
	for (size_t i = 0; i < nrecs; i++) {
		if (recs[i].to_cfg != to_cfg || k++ < stage)
			continue;
		buf[len++] = (uint8_t)(recs[i].len >> 8);
		buf[len++] = (uint8_t)recs[i].len;
		memcpy(buf + len, recs[i].m, recs[i].len);
		len += recs[i].len;
	}
	put_file("dpp_sess", name, buf, len);
}

int main(int argc, char **argv)
{
	const struct dpp_curve *c = dpp_curve_by_nid(NID_X9_62_prime256v1);
	char name[64];

	if (argc != 2)
		die("usage: gen_dpp_seeds CORPUS_DIR");
	outdir = argv[1];
	if (!c || dpp_key_from_priv(c, cfg_d, 32, &cfg_boot) != 0 ||
		dpp_key_from_priv(c, enr_d, 32, &enr_boot) != 0 ||
		dpp_key_from_priv(c, csign_d, 32, &csign) != 0)
		die("keys");

	/* The Enrollee initiates, responder-only, a dpp credential. */
	exchange(false, false, false, DPP_AKM_DPP);
	for (size_t i = 0; i < nrecs; i++) {
		frame_name(&recs[i], i, "enr", name, sizeof(name));
		attr_seed(&recs[i], name);
	}
	tcp_seed(true, (const uint8_t[]){0}, 1, "to-cfg-bytewise");
	tcp_seed(false, (const uint8_t[]){4, 200, 255, 3}, 4, "to-enr-mixed");
	sess_seed(0x00, 0, true, "cfg-resp");
	sess_seed(0x08, 1, true, "cfg-resp-live-1");
	sess_seed(0x08, 2, true, "cfg-resp-live-2");
	sess_seed(0x08, 3, true, "cfg-resp-live-3");
	sess_seed(0x09, 1, false, "enr-init-live-1");
	sess_seed(0x01, 0, false, "enr-init");

	/* The Configurator initiates, mutual, deferred, a psk credential. */
	exchange(true, true, true, DPP_AKM_PSK);
	for (size_t i = 0; i < nrecs; i++) {
		frame_name(&recs[i], i, "cfg", name, sizeof(name));
		attr_seed(&recs[i], name);
	}
	tcp_seed(false, (const uint8_t[]){255}, 1, "to-enr-255");
	sess_seed(0x06, 0, true, "cfg-init-mutual");
	sess_seed(0x5e, 2, true, "cfg-init-mutual-defer-live-2");
	sess_seed(0x5e, 3, true, "cfg-init-mutual-defer-live-3");
	sess_seed(0x5e, 4, true, "cfg-init-mutual-defer-live-4");
	sess_seed(0x07, 0, false, "enr-resp-mutual");
	sess_seed(0x5f, 2, false, "enr-resp-mutual-defer-live-2");

	attr_inner_seeds();
	put_file("dpp_tcp", "bad-zero-length", (const uint8_t[]){0x01, 2, 1, 0, 0, 0, 0}, 7);
	put_file("dpp_tcp", "bad-too-long", (const uint8_t[]){0x00, 3, 0, 0, 0x40, 1, 9}, 7);
	EVP_PKEY_free(cfg_boot);
	EVP_PKEY_free(enr_boot);
	EVP_PKEY_free(csign);
	return 0;
}
