/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TLS ClientHello parser and the client fingerprints made from it: SNI, ALPN, JA3 and JA4. */
#ifndef HG_TLS_H
#define HG_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLS_MAX_LIST	64  /* extensions, groups and signature algorithms kept */
#define TLS_MAX_CIPHERS 256 /* cipher suites kept: embedded OpenSSL 1.0 clients offer 70-90 */

enum {
	/* The capture ended inside the ClientHello: the fields parsed so far are set (lists hold
	 * the entries captured whole, sni and alpn only an extension captured whole), JA3/JA4
	 * are not computed. */
	TLS_HELLO_TRUNCATED = 1U << 0,
	TLS_HELLO_HAS_SNI = 1U << 1,	  /* sni: the first host_name of server_name */
	TLS_HELLO_HAS_ALPN = 1U << 2,	  /* alpn, alpn_len, alpn_ends: the first ALPN protocol */
	TLS_HELLO_HAS_VERSIONS = 1U << 3, /* versions: a supported_versions extension was sent */
};

struct tls_hello {
	unsigned flags;	  /* TLS_HELLO_* */
	uint16_t version; /* legacy_version of the ClientHello */
	/* The lists below are in the order sent, GREASE values (RFC 8701) included. */
	uint16_t ciphers[TLS_MAX_CIPHERS];
	size_t nciphers;
	uint16_t exts[TLS_MAX_LIST]; /* extension types */
	size_t nexts;
	uint16_t groups[TLS_MAX_LIST]; /* supported_groups */
	size_t ngroups;
	uint8_t ec_formats[16]; /* ec_point_formats */
	size_t nec_formats;
	uint16_t sig_algs[TLS_MAX_LIST]; /* signature_algorithms */
	size_t nsig_algs;
	uint16_t versions[16]; /* supported_versions */
	size_t nversions;
	char sni[256]; /* server_name host_name: 1..255 printable ASCII octets */
	/* The first ALPN protocol: alpn is its text with any octet outside printable ASCII
	 * replaced by '?' and cut to 63 characters; alpn_len and alpn_ends (its first and last
	 * octet) are as sent, which is what JA4 reads. alpn_len may be 0 (an empty name). */
	char alpn[64];
	size_t alpn_len;
	uint8_t alpn_ends[2];
	bool dropped; /* a list was longer than kept (then JA3/JA4 are not computed) */
};

/* Parses the ClientHello at the start of buf, len octets of a TCP payload that begins with a
 * TLS record. The handshake message may continue over further handshake records in buf; a
 * change_cipher_spec record in front (sent before a second ClientHello) is stepped over.
 * Returns 1 for a ClientHello (record type 22, version 3.x, handshake type 1); 0 when buf is not
 * a TLS handshake record starting a ClientHello, or is under 6 octets so that it cannot be told
 * (an SSLv2-compatible hello is not parsed either), so the caller can try other protocols;
 * -EINVAL with a reason in err when the ClientHello breaks the grammar of RFC 8446 / 5246 and
 * its extensions (RFC 6066, 7301, 8422, 8446): a record over 2^14 octets or of another type
 * inside the message, lengths that do not add up at any level, a session id over 32 octets,
 * an empty or odd cipher list, no compression method, a list extension with an odd or empty
 * list, a second server_name, supported_groups, ec_point_formats, signature_algorithms, ALPN
 * or supported_versions extension (their values would be ambiguous; other types may repeat), a
 * server_name host_name that is empty, over 255 octets or not printable ASCII, or octets after
 * the extensions. A ClientHello longer than the captured octets (split over TCP segments, a
 * short snaplen) is parsed as far as it goes and returned as 1 with TLS_HELLO_TRUNCATED;
 * length fields that contradict each other are still -EINVAL. Lists longer than kept set
 * dropped. *out is zeroed first and on error. No allocation. QUIC carries the handshake in
 * CRYPTO frames without records: not read here. */
int tls_client_hello_parse(
	const uint8_t *buf, size_t len, struct tls_hello *out, char *err, size_t errlen);

/* The JA3 string, longest case: every list full of 5-digit values. */
#define TLS_JA3_MAX (6 + 3 * TLS_MAX_LIST * 6 + TLS_MAX_CIPHERS * 6 + 16 * 4 + 4)

/* JA3 (Salesforce): "version,ciphers,extensions,groups,ec_formats", decimal values joined by
 * '-' in the order sent, GREASE values left out of the first three lists, an empty field for an
 * absent list. Writes the string into buf like snprintf (buf may be NULL when buflen is 0) and,
 * when md5 is not NULL, the MD5 of the whole string as 32 lower-case hex digits and a NUL into
 * md5[33]. Returns the length of the whole string (at most TLS_JA3_MAX), -EINVAL (buf and md5
 * left "") for a hello that is truncated or dropped lists, -EIO when the digest fails. */
int tls_ja3(const struct tls_hello *h, char *buf, size_t buflen, char *md5);

#define TLS_JA4_LEN 37 /* "t13d1516h2_8daaf6152771_e5627efa2ab1" plus NUL */

/* JA4 (FoxIO, technical_details/JA4.md): transport ('t' TCP, 'q' QUIC); the highest
 * supported_versions value else legacy_version as "13", "12", "11", "10", "s3", "s2", "d1",
 * "d2", "d3" or "00"; 'd' when a server_name extension was sent, else 'i'; the counts of
 * ciphers and of extensions (capped at 99); the first and last character of the first ALPN
 * protocol ("00" when none or empty; when its first or last octet is not an ASCII letter or
 * digit, the first and last digit of its hex form); then the first 12 hex digits of the SHA-256
 * of the sorted cipher list and of the sorted extension list without server_name and ALPN,
 * followed by "_" and the signature algorithms in the order sent when there are any;
 * "000000000000" for an empty list. GREASE values are left out everywhere. Writes the 36
 * characters and a NUL into out; returns 0, -EINVAL (out "") for a truncated or dropped hello
 * or another transport, -EIO when the digest fails. */
int tls_ja4(const struct tls_hello *h, char transport, char out[static TLS_JA4_LEN]);

/* True for the GREASE values of RFC 8701 (0x0a0a, 0x1a1a, ... 0xfafa). */
bool tls_is_grease(uint16_t v);

#endif
