/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MUD signatures: detached DER CMS over the exact file bytes (RFC 8520 §13). */
#include "mud/mud_sig.h"

#include "core/util.h"

#include <errno.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mud_trust {
	STACK_OF(X509) * anchors;
};

int mud_trust_load(const char *path, struct mud_trust **out, char *err, size_t errlen)
{
	struct mud_trust *t;
	BIO *bio = BIO_new_file(path, "r");
	X509 *x;

	if (!bio) {
		snprintf(err, errlen, "cannot read trust anchors %s", path);
		return -ENOENT;
	}
	t = calloc(1, sizeof(*t));
	if (!t || !(t->anchors = sk_X509_new_null())) {
		free(t);
		BIO_free(bio);
		return -ENOMEM;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
		sk_X509_push(t->anchors, x);
	ERR_clear_error();
	BIO_free(bio);
	if (sk_X509_num(t->anchors) == 0) {
		snprintf(err, errlen, "no PEM certificate in %s", path);
		mud_trust_free(t);
		return -EINVAL;
	}
	*out = t;
	return 0;
}

void mud_trust_free(struct mud_trust *t)
{
	if (!t)
		return;
	sk_X509_pop_free(t->anchors, X509_free);
	free(t);
}

/* CMS_verify builds its own store contexts, so the callback reports through this. */
static __thread int *anchor_flag;

/* Path validation per RFC 5280 §6: the anchor is a name and a key, so only the anchor's own
 * validity dates are forgiven; every other error stands. */
static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
	int e = X509_STORE_CTX_get_error(ctx);
	int depth = X509_STORE_CTX_get_error_depth(ctx);
	STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);

	if (!ok && (e == X509_V_ERR_CERT_HAS_EXPIRED || e == X509_V_ERR_CERT_NOT_YET_VALID) &&
		chain && depth == sk_X509_num(chain) - 1 && depth > 0) {
		if (anchor_flag)
			*anchor_flag = 1;
		return 1;
	}
	return ok;
}

static void openssl_reason(char *err, size_t errlen, const char *what)
{
	const char *data = NULL;
	int flags = 0;
	unsigned long e = ERR_peek_last_error_data(&data, &flags);
	const char *reason = e ? ERR_reason_error_string(e) : NULL;
	char buf[256];

	ERR_error_string_n(e, buf, sizeof(buf));
	/* The error data says which check failed ("Verify error: certificate has expired"). */
	snprintf(err, errlen, "%s: %s%s%s", what,
		reason	    ? reason
			: e ? buf
			    : "unknown error",
		data && (flags & ERR_TXT_STRING) && *data ? "; " : "",
		data && (flags & ERR_TXT_STRING) ? data : "");
	ERR_clear_error();
}

int mud_sig_verify(const uint8_t *file, size_t flen, const uint8_t *sig, size_t slen,
	const struct mud_trust *trust, struct mud_signer *signer, char *err, size_t errlen)
{
	BIO *sigbio = NULL, *data = NULL;
	CMS_ContentInfo *cms = NULL;
	X509_STORE *store = NULL;
	STACK_OF(X509) *signers = NULL;
	X509 *cert;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int ret = -EBADMSG, flag = 0;

	memset(signer, 0, sizeof(*signer));
	if (slen > 65536 || flen > INT32_MAX) {
		snprintf(err, errlen, "signature larger than 64 KiB");
		return -EBADMSG;
	}
	sigbio = BIO_new_mem_buf(sig, (int)slen);
	data = BIO_new_mem_buf(file, (int)flen);
	store = X509_STORE_new();
	if (!sigbio || !data || !store) {
		ret = -ENOMEM;
		goto out;
	}
	cms = d2i_CMS_bio(sigbio, NULL);
	if (!cms) {
		openssl_reason(err, errlen, "signature is not a DER CMS message");
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed || !CMS_is_detached(cms)) {
		snprintf(err, errlen, "signature is not a detached CMS SignedData");
		goto out;
	}
	for (int i = 0; i < sk_X509_num(trust->anchors); i++)
		X509_STORE_add_cert(store, sk_X509_value(trust->anchors, i));
	/* The purpose is checked below as RFC 8520 asks (digitalSignature), not as S/MIME's. */
	X509_STORE_set_purpose(store, X509_PURPOSE_ANY);
	X509_STORE_set_verify_cb(store, verify_cb);
	anchor_flag = &flag;
	ret = CMS_verify(cms, NULL, store, data, NULL, CMS_BINARY) == 1 ? 0 : -EBADMSG;
	anchor_flag = NULL;
	if (ret) {
		openssl_reason(err, errlen, "signature does not verify");
		goto out;
	}
	signers = CMS_get0_signers(cms);
	if (!signers || sk_X509_num(signers) != 1) {
		snprintf(err, errlen, "the signature must have exactly one signer");
		goto out;
	}
	ret = -EBADMSG;
	cert = sk_X509_value(signers, 0);
	if ((X509_get_extension_flags(cert) & EXFLAG_KUSAGE) &&
		!(X509_get_key_usage(cert) & KU_DIGITAL_SIGNATURE)) {
		snprintf(err, errlen, "the signer certificate does not allow digitalSignature");
		goto out;
	}
	X509_NAME_oneline(X509_get_subject_name(cert), signer->subject, sizeof(signer->subject));
	if (!X509_digest(cert, EVP_sha256(), md, &mdlen))
		goto out;
	for (unsigned i = 0; i < mdlen && i < 32; i++)
		snprintf(signer->fingerprint + 2 * i, 3, "%02x", md[i]);
	signer->anchor_expired = flag;
	ret = 0;
out:
	sk_X509_free(signers);
	CMS_ContentInfo_free(cms);
	X509_STORE_free(store);
	BIO_free(sigbio);
	BIO_free(data);
	return ret;
}
