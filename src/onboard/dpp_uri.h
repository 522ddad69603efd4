/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Wi-Fi Easy Connect (DPP) bootstrapping URI "DPP:...;;": parser, generator, bootstrap key hash. */
#ifndef HG_DPP_URI_H
#define HG_DPP_URI_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "core/util.h"

/* Longer than any QR code a device would print; anything longer is refused before parsing. */
#define DPP_URI_MAX	  1024
#define DPP_URI_CHANS_MAX 32
#define DPP_URI_INFO_MAX  80  /* I: characters */
#define DPP_URI_HOST_MAX  255 /* H: characters, port included */
#define DPP_URI_SPKI_MAX  160 /* K: decoded bytes; an uncompressed P-521 or BP-512 SPKI fits */
/* The TCP port of a DPP Controller (Easy Connect §5.2.1 H:, and hostapd's default). */
#define DPP_TCP_PORT 8908

enum {
	DPP_URI_HAS_CHANNELS = 1U << 0, /* C: chans[0..nchans) */
	DPP_URI_HAS_MAC = 1U << 1,	/* M: mac */
	DPP_URI_HAS_INFO = 1U << 2,	/* I: info (may be "") */
	DPP_URI_HAS_VERSION = 1U << 3,	/* V: version */
	DPP_URI_HAS_HOST = 1U << 4,	/* H: host, port */
	DPP_URI_HAS_CURVES = 1U << 5,	/* B: curves */
	/* K: carried the point uncompressed (0x04): accepted, as hostapd does, but key_hash is then
	 * not what the device computes over its own (compressed) key, see below. */
	DPP_URI_KEY_UNCOMPRESSED = 1U << 6,
};

/* B: bitmap (Easy Connect R3 supported curves). */
enum {
	DPP_CURVE_P256 = 1U << 0,
	DPP_CURVE_P384 = 1U << 1,
	DPP_CURVE_P521 = 1U << 2,
	DPP_CURVE_BP256 = 1U << 3,
	DPP_CURVE_BP384 = 1U << 4,
	DPP_CURVE_BP512 = 1U << 5,
};

struct dpp_chan {
	uint8_t op_class, channel; /* Global operating class (IEEE 802.11 Annex E), channel */
};

/* One parsed URI: plain data, owned by the caller, nothing to free. */
struct dpp_uri {
	unsigned flags;				  /* DPP_URI_* say which optional fields are set */
	struct dpp_chan chans[DPP_URI_CHANS_MAX]; /* C:81/1,6,115/36 */
	size_t nchans;
	struct hg_mac mac;		 /* M:5254005828e5, unicast, not all zeros */
	char info[DPP_URI_INFO_MAX + 1]; /* I: printable ASCII without ';' */
	uint8_t version;		 /* V:2 */
	char host[DPP_URI_HOST_MAX + 1]; /* H: IPv4/IPv6 literal or DNS name, no brackets/port */
	uint16_t port;			 /* H: port; DPP_TCP_PORT when H: names none */
	uint8_t curves;			 /* B: DPP_CURVE_* bits */
	uint8_t spki[DPP_URI_SPKI_MAX];	 /* K: DER SubjectPublicKeyInfo, base64-decoded */
	size_t spki_len;
	uint8_t key_hash[32]; /* SHA-256 over spki[0..spki_len): the bootstrapping key hash */
	int curve_nid;	      /* NID_X9_62_prime256v1, NID_secp384r1, NID_secp521r1, brainpool */
};

/* Parses len bytes (need not be NUL-terminated, at most DPP_URI_MAX): "DPP:" (upper case, as
 * the specification and hostapd write it) followed by tokens "X:value;" in any order and a final
 * ";", so that the URI ends in ";;" and nothing follows. A token is a letter, ':' and printable
 * ASCII without ';'. Known tokens may appear at most once; unknown ones (any other letter,
 * lower case included) are ignored, as Easy Connect §5.2.1 requires. Grammars:
 *   C: class "/" channel *("," channel) *("," class "/" channel *("," channel)), each 1..255
 *      written in 1-3 digits, at most DPP_URI_CHANS_MAX channels;
 *   M: exactly 12 hex digits (either case), a unicast, non-zero MAC;
 *   I: 0..80 printable ASCII characters except ';';
 *   V: decimal 1..255, no leading zero;
 *   H: host [":" port] or "[" IPv6 "]" [":" port] or a bare IPv6 literal; the host an IPv4
 *      literal, an IPv6 literal or a DNS name (LDH labels of 1..63, at most 253), port 1..65535;
 *   B: 1 or 2 hex digits, the first carrying bits 0-3 and the second bits 4-7 (hostapd's
 *      reading: "B:3" = P-256|P-384, "B:13" = 0x31);
 *   K: required; standard base64 (RFC 4648 §4, padded, canonical) of a DER SubjectPublicKeyInfo,
 *      id-ecPublicKey with a named curve P-256/P-384/P-521/brainpoolP256r1/P384r1/P512r1, the
 *      point compressed or uncompressed and on the curve, exactly DER (re-encodes identically)
 *      and nothing after it.
 * key_hash is SHA-256 over the K: bytes as given, which is what hostapd/wpa_supplicant 2.10
 * report as pkhash for the same URI (checked for both point forms). For the compressed form
 * that every generator emits it equals dpp_bootstrap_key_hash() of the key.
 * Returns 0 with *out filled, or -EINVAL with *out zeroed and the reason in err ("M: not 12 hex
 * digits", "K: not an EC public key", "missing K", ...). No allocation survives the call. */
int dpp_uri_parse(const char *uri, size_t len, struct dpp_uri *out, char *err, size_t errlen);

/* Builds the URI of an EC public key (a private key is fine; only its public half is used) on
 * one of the curves above. opts (may be NULL) adds the tokens its flags select, validated like
 * the parser does: channels (grouped by consecutive operating class, "81/1,6,115/36"), MAC,
 * info, version, curves, host (port written when not DPP_TCP_PORT). Token order is hostapd's
 * DPP_BOOTSTRAP_GEN order: C, M, I, V, B, H, K. K: is the DER SubjectPublicKeyInfo with the
 * point in compressed form (0x02/0x03 || X), named curve, base64 with padding: byte for byte
 * what wpa_supplicant 2.10 emits for the same key and options. Writes at most buflen bytes,
 * NUL-terminated when buflen > 0 (buf may be NULL when buflen is 0), and returns the length of
 * the whole URI without the NUL (snprintf semantics), or -EINVAL for a NULL, non-EC or
 * unsupported-curve key or an invalid option. */
int dpp_uri_make(EVP_PKEY *key, const struct dpp_uri *opts, char *buf, size_t buflen);

/* The bootstrapping key hash of an EC public key: SHA-256 over its DER SubjectPublicKeyInfo
 * with the named curve and the point in compressed form, the form the URI carries (the
 * specification's B.1 responder key gives 922ddd7a...a87d, as wpa_supplicant 2.10's pkhash).
 * Returns 0, or -EINVAL for a NULL, non-EC or unsupported-curve key. */
int dpp_bootstrap_key_hash(EVP_PKEY *key, uint8_t out[static 32]);

#endif
