/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One DPP (Wi-Fi Easy Connect R2) exchange over TCP as Configurator or Enrollee, initiator or
 * responder: authentication (responder-only and mutual), the GAS configuration exchange and the
 * Configuration Result. A pure state machine: frames in, frames out, no I/O and no clock. */
#ifndef HG_DPP_SESS_H
#define HG_DPP_SESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "onboard/dpp_conf.h"

/* The largest DPP-over-TCP message either side accepts (the 4-byte length excluded). A
 * configuration response with a Connector is about 1 KB; 2.10 peers send nothing near this. */
#define DPP_TCP_MSG_MAX 16384
/* GAS Comeback Delay sent while a configuration request waits for the user (time units of
 * 1024 µs, as hostapd uses). */
#define DPP_COMEBACK_TU 500

enum dpp_role {
	DPP_ROLE_CONFIGURATOR = 1,
	DPP_ROLE_ENROLLEE,
};

struct dpp_sess_params {
	enum dpp_role role; /* ours */
	bool initiator;	    /* we send the Authentication Request */
	/* Our bootstrapping key: required as responder (the frame must name its hash); as
	 * initiator it is optional and offers mutual authentication. */
	EVP_PKEY *own_boot;
	/* Initiator: the responder's bootstrapping key, from its URI. Responder: unused. */
	EVP_PKEY *peer_boot;
	/* Responder: the initiator's bootstrapping public key for a hash, when the user scanned
	 * it (then authentication is mutual), or NULL. The key is borrowed for the call. */
	EVP_PKEY *(*peer_lookup)(void *ctx, const uint8_t hash[32]);
	void *ctx;
	/* Configurator: the C-sign key that signs Connectors. */
	EVP_PKEY *csign;
	/* Enrollee: the Configuration Request object to send (name, netRole, mudurl). */
	const struct dpp_conf_req *conf_req;
};

enum dpp_ev {
	DPP_EV_NONE = 0,      /* nothing for the caller beyond the bytes to send, if any */
	DPP_EV_AUTH_OK,	      /* authenticated: dpp_sess_peer_hash(), dpp_sess_mutual() */
	DPP_EV_CONF_REQ,      /* Configurator: dpp_sess_request() holds the Enrollee's request;
			       * answer now with dpp_sess_configure() or later after dpp_sess_defer() */
	DPP_EV_CONF_RECEIVED, /* Enrollee: dpp_sess_cred()/dpp_sess_connector(); the exchange ends */
	DPP_EV_DONE,	      /* Configurator: the credentials went out (and the R2 Enrollee's
			       * Configuration Result came back OK); close */
	DPP_EV_FAIL, /* the exchange failed: dpp_sess_reason(); send what there is, close */
};

/* What one call produced. out/len are bytes to write to the TCP connection as they are (one or
 * two messages, each with its 4-byte length), owned by the session, valid until its next call.
 * retry_ms (Enrollee): the Configurator asked to come back; call dpp_sess_comeback() after it. */
struct dpp_step {
	const uint8_t *out;
	size_t len;
	enum dpp_ev ev;
	unsigned retry_ms;
};

struct dpp_sess;

/* A new exchange with copies of the key references it needs. 0, -EINVAL (missing key, keys on
 * different or unsupported curves, wrong role fields) or -ENOMEM. */
int dpp_sess_new(const struct dpp_sess_params *p, struct dpp_sess **out);
/* Frees the session and wipes its keys; NULL is a no-op. */
void dpp_sess_free(struct dpp_sess *s);

/* Initiator: builds the Authentication Request. */
int dpp_sess_start(struct dpp_sess *s, struct dpp_step *st);
/* Feeds one received message (the bytes after the 4-byte length: a Public Action frame from
 * its action code on). A message the current state does not expect, one that fails any check,
 * or one after the end fails the exchange: ev DPP_EV_FAIL and -EPROTO/-EBADMSG/-EACCES with the
 * reason; st may still carry a status frame for the peer. Otherwise 0. */
int dpp_sess_rx(struct dpp_sess *s, const uint8_t *msg, size_t len, struct dpp_step *st);
/* Configurator, after DPP_EV_CONF_REQ: provisions cred (Connector over the Enrollee's protocol
 * key for akm dpp, expiry 0 for none), or refuses when cred is NULL (status CONFIG_REJECTED).
 * After dpp_sess_defer() the response waits for the Enrollee's next comeback request. */
int dpp_sess_configure(
	struct dpp_sess *s, const struct dpp_cred *cred, int64_t expiry, struct dpp_step *st);
/* Configurator, after DPP_EV_CONF_REQ: answers "come back later" so that the user can decide;
 * each comeback request is answered the same way until dpp_sess_configure(). */
int dpp_sess_defer(struct dpp_sess *s, struct dpp_step *st);
/* Enrollee: the comeback request after st.retry_ms. */
int dpp_sess_comeback(struct dpp_sess *s, struct dpp_step *st);

/* The peer's bootstrapping key hash (NULL when the peer never named one), whether the
 * authentication was mutual, the peer's protocol version (1 when it sent none). */
const uint8_t *dpp_sess_peer_hash(const struct dpp_sess *s);
bool dpp_sess_mutual(const struct dpp_sess *s);
unsigned dpp_sess_peer_version(const struct dpp_sess *s);
/* The bootstrapping-key-form hash of the peer's protocol key (its netAccessKey). 0, or -ENOENT
 * before the peer sent it. */
int dpp_sess_peer_key_hash(const struct dpp_sess *s, uint8_t out[static 32]);
const struct dpp_conf_req *dpp_sess_request(const struct dpp_sess *s);
const struct dpp_cred *dpp_sess_cred(const struct dpp_sess *s);
const char *dpp_sess_connector(const struct dpp_sess *s);
/* Why the exchange failed ("" while it has not). */
const char *dpp_sess_reason(const struct dpp_sess *s);

#endif
