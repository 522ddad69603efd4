/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MUD signatures: detached DER CMS over the exact file bytes (RFC 8520 §13). */
#ifndef HG_MUD_SIG_H
#define HG_MUD_SIG_H

#include <stddef.h>
#include <stdint.h>

struct mud_trust;

/* Loads PEM trust anchors (one or more certificates) from path. -ENOENT, -EINVAL (no
 * certificate in it) with a message in err. */
int mud_trust_load(const char *path, struct mud_trust **out, char *err, size_t errlen);
void mud_trust_free(struct mud_trust *t);

struct mud_signer {
	char subject[256];
	char fingerprint[65]; /* SHA-256 of the signer certificate, hex: what gets pinned */
	int anchor_expired;   /* the trust anchor itself is outside its validity period */
};

/* Verifies sig (DER CMS SignedData, detached) over file with the trust anchors: the chain to an
 * anchor must be valid now, the signer certificate must allow digitalSignature when it has a
 * keyUsage extension, and the signature must cover exactly these bytes. As RFC 5280 §6 takes a
 * trust anchor as a name and key, an anchor's own validity dates are not enforced (reported in
 * signer->anchor_expired). Returns 0 with signer filled, -EBADMSG with the reason in err. */
int mud_sig_verify(const uint8_t *file, size_t flen, const uint8_t *sig, size_t slen,
	const struct mud_trust *trust, struct mud_signer *signer, char *err, size_t errlen);

#endif
