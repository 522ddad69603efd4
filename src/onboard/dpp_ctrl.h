/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The DPP Controller over TCP (Easy Connect R2 §9.2): accepts Enrollees (directly or relayed by
 * hostapd APs) and connects to Enrollees' Controllers, runs one dpp_sess per connection on the
 * owner's event loop, and asks the owner before any credential goes out. */
#ifndef HG_DPP_CTRL_H
#define HG_DPP_CTRL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <openssl/evp.h>

#include "core/evloop.h"
#include "onboard/dpp_sess.h"

#define DPP_CTRL_CONNS_DEFAULT	 16
#define DPP_CTRL_MSG_TIMEOUT_MS	 10000	/* a peer that sends no whole message for this long */
#define DPP_CTRL_HOLD_TIMEOUT_MS 120000 /* a held request the user did not answer is refused */

/* What the owner learns about the peer of a connection. */
struct dpp_ctrl_peer {
	uint64_t id;	  /* the connection, unique while the controller lives */
	bool has_hash;	  /* the peer named its bootstrapping key */
	bool mutual;	  /* ... and the user had scanned it: mutual authentication */
	uint8_t hash[32]; /* when has_hash */
	unsigned version; /* the peer's DPP version (1 when it sent none) */
	/* The hash of the peer's protocol key, which becomes its netAccessKey (the form of a
	 * bootstrapping key hash: what hostapd reports as dpp_pkhash when the station joins). */
	bool has_nak;
	uint8_t nak_hash[32];
	char addr[64];	/* "192.0.2.7:40312" */
	bool initiated; /* we connected to the peer's Controller */
};

enum dpp_decision {
	DPP_GRANT = 1, /* cred filled: send it now */
	DPP_REFUSE,    /* answer "configuration rejected" */
	DPP_HOLD,      /* park the request; answer later with dpp_ctrl_decide() */
};

struct dpp_ctrl_ops {
	/* The initiator's bootstrapping key for a hash when the user scanned it, else NULL. */
	EVP_PKEY *(*peer_lookup)(void *ctx, const uint8_t hash[32]);
	/* An authenticated Enrollee asks for credentials. */
	enum dpp_decision (*conf_req)(void *ctx, const struct dpp_ctrl_peer *peer,
		const struct dpp_conf_req *req, struct dpp_cred *cred);
	/* A connection ended: provisioned (ok: the credentials were delivered and, for an R2
	 * Enrollee, accepted) or not, with the reason. Called exactly once per connection that
	 * got as far as a session; the connection is gone after it returns. */
	void (*done)(void *ctx, const struct dpp_ctrl_peer *peer, bool ok, const char *reason);
};

struct dpp_ctrl_params {
	struct ev_loop *loop;
	int listen_fd;	 /* listening non-blocking TCP socket, owned by the caller; -1: none */
	EVP_PKEY *boot;	 /* the gateway's bootstrapping key */
	EVP_PKEY *csign; /* the Configurator's C-sign key */
	unsigned max_conns;
	int64_t msg_timeout_ms, hold_timeout_ms; /* 0: the defaults above */
	const struct dpp_ctrl_ops *ops;
	void *ctx;
};

struct dpp_ctrl;

int dpp_ctrl_new(const struct dpp_ctrl_params *p, struct dpp_ctrl **out);
/* Closes every connection (without calling done) and frees the controller; NULL is a no-op. */
void dpp_ctrl_free(struct dpp_ctrl *c);

/* Answers a held request: cred to provision, NULL to refuse. 0, or -ENOENT when no held request
 * has that id (it timed out or its peer went away). */
int dpp_ctrl_decide(struct dpp_ctrl *c, uint64_t id, const struct dpp_cred *cred);

/* Connects to an Enrollee's Controller at addr and authenticates to its bootstrapping key as
 * the initiating Configurator. *id names the connection in the callbacks. 0 or -errno. */
int dpp_ctrl_initiate(struct dpp_ctrl *c, const struct sockaddr *addr, socklen_t addrlen,
	EVP_PKEY *peer_boot, uint64_t *id);

unsigned dpp_ctrl_active(const struct dpp_ctrl *c);

#endif
