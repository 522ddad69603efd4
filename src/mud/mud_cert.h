/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MUD URL from an X.509 certificate's id-pe-mud-url extension (RFC 8520 §11), with OpenSSL. */
#ifndef HG_MUD_CERT_H
#define HG_MUD_CERT_H

#include <stddef.h>
#include <stdint.h>

#define MUD_CERT_MAX (64 * 1024) /* an IDevID certificate is a few kilobytes */

/* Reads the certificate in cert (len bytes, DER, or PEM: the first certificate of the text) and
 * writes its MUD URL to url (urllen bytes, HG_URL_MAX is enough). The extension (OID
 * 1.3.6.1.5.5.7.1.25) must appear once and hold exactly one DER IA5String of 1..255 octets
 * without NUL that passes mud_url_valid(). Nothing about the certificate is verified here: the
 * URL is only as good as the caller's check of the chain (an IDevID gives HG_SRC_CERT). Returns
 * 0; -ENOENT when the certificate has no such extension; -EINVAL with a reason in err for input
 * that is not a certificate, trailing bytes after the DER, a repeated extension, a value that is
 * not an IA5String, or an unacceptable URL; -ENOSPC when urllen is too small; -ENOMEM. url is
 * "" on any error. No state is kept; the OpenSSL error queue is cleared before returning. */
int mud_cert_url(
	const uint8_t *cert, size_t len, char *url, size_t urllen, char *err, size_t errlen);

#endif
