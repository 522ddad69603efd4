/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MUD URL from an X.509 certificate's id-pe-mud-url extension (RFC 8520 §11), with OpenSSL. */
#include "mud/mud_cert.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mud/mud_parse.h"

#define OID_PE_MUD_URL "1.3.6.1.5.5.7.1.25"

__attribute__((format(printf, 4, 5))) static int fail(
	int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static X509 *load(const uint8_t *cert, size_t len, char *err, size_t errlen, int *ret)
{
	X509 *x = NULL;

	if (cert[0] == 0x30) {
		const unsigned char *p = cert;

		/* DER: one SEQUENCE, nothing after it. */
		x = d2i_X509(NULL, &p, (long)len);
		if (x && p != cert + len) {
			X509_free(x);
			*ret = fail(-EINVAL, err, errlen, "%zu bytes after the DER certificate",
				(size_t)(cert + len - p));
			return NULL;
		}
	} else {
		BIO *bio = BIO_new_mem_buf(cert, (int)len);

		if (!bio) {
			*ret = fail(-ENOMEM, err, errlen, "%s", "out of memory");
			return NULL;
		}
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	if (!x)
		*ret = fail(-EINVAL, err, errlen, "%s", "not an X.509 certificate (DER or PEM)");
	return x;
}

int mud_cert_url(
	const uint8_t *cert, size_t len, char *url, size_t urllen, char *err, size_t errlen)
{
	ASN1_OBJECT *oid = NULL;
	ASN1_IA5STRING *ia5 = NULL;
	X509 *x = NULL;
	const ASN1_OCTET_STRING *data;
	const unsigned char *p, *s;
	int ret = 0, idx, n;

	if (urllen)
		url[0] = '\0';
	if (err && errlen)
		err[0] = '\0';
	if (!cert || len == 0 || len > MUD_CERT_MAX) {
		ret = fail(-EINVAL, err, errlen, "certificate of %zu bytes", cert ? len : 0);
		goto out;
	}
	if (!(x = load(cert, len, err, errlen, &ret)))
		goto out;
	if (!(oid = OBJ_txt2obj(OID_PE_MUD_URL, 1))) {
		ret = fail(-ENOMEM, err, errlen, "%s", "out of memory");
		goto out;
	}
	idx = X509_get_ext_by_OBJ(x, oid, -1);
	if (idx < 0) {
		ret = fail(-ENOENT, err, errlen, "%s", "no id-pe-mud-url extension");
		goto out;
	}
	if (X509_get_ext_by_OBJ(x, oid, idx) >= 0) {
		ret = fail(-EINVAL, err, errlen, "%s", "repeated id-pe-mud-url extension");
		goto out;
	}
	/* RFC 8520 §11: MUDURLSyntax ::= IA5String, DER-encoded in the extnValue. */
	data = X509_EXTENSION_get_data(X509_get_ext(x, idx));
	p = ASN1_STRING_get0_data(data);
	n = ASN1_STRING_length(data);
	ia5 = d2i_ASN1_IA5STRING(NULL, &p, n);
	if (!ia5 || p != ASN1_STRING_get0_data(data) + n) {
		ret = fail(-EINVAL, err, errlen, "%s", "id-pe-mud-url is not one IA5String");
		goto out;
	}
	s = ASN1_STRING_get0_data(ia5);
	n = ASN1_STRING_length(ia5);
	if (n < 1 || n > 255 || memchr(s, '\0', (size_t)n)) {
		ret = fail(-EINVAL, err, errlen, "id-pe-mud-url of %d octets or with a NUL", n);
		goto out;
	}
	if ((size_t)n >= urllen) {
		ret = fail(-ENOSPC, err, errlen, "URL of %d octets does not fit", n);
		goto out;
	}
	memcpy(url, s, (size_t)n);
	url[n] = '\0';
	if (!mud_url_valid(url)) {
		url[0] = '\0';
		ret = fail(-EINVAL, err, errlen, "%s", "id-pe-mud-url is not an https MUD URL");
		goto out;
	}
out:
	ASN1_IA5STRING_free(ia5);
	ASN1_OBJECT_free(oid);
	X509_free(x);
	ERR_clear_error();
	if (ret && urllen)
		url[0] = '\0';
	return ret;
}
