/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Wi-Fi Easy Connect (DPP) JSON: Configuration Requests, Configuration Objects, Connectors. */
#ifndef HG_DPP_CONF_H
#define HG_DPP_CONF_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* Longest inputs looked at; anything longer is refused before parsing. A Configuration Request
 * with an R2 "pkcs10" CSR stays well below the first, an object with a P-521 Connector, C-sign
 * key and ppKey below the second. */
#define DPP_CONF_REQ_MAX   4096
#define DPP_CONF_OBJ_MAX   8192
#define DPP_CONNECTOR_MAX  4096
#define DPP_CONF_BANDS_MAX 32

enum dpp_netrole { DPP_NETROLE_STA = 1, DPP_NETROLE_AP, DPP_NETROLE_CONFIGURATOR };
enum dpp_akm { DPP_AKM_DPP = 1, DPP_AKM_PSK, DPP_AKM_SAE, DPP_AKM_PSK_SAE };

/* Configuration Request object (Easy Connect §4.4): the JSON an Enrollee sends in the
 * Configuration Attributes attribute, e.g. wpa_supplicant 2.10
 * {"name":"Test","wi-fi_tech":"infra","netRole":"sta"}, hostapd "netRole":"ap". */
enum { DPP_CONF_REQ_HAS_MUDURL = 1U << 0, DPP_CONF_REQ_HAS_BANDS = 1U << 1 };
struct dpp_conf_req {
	unsigned flags;	    /* DPP_CONF_REQ_HAS_* say which optional fields are set */
	char name[33];	    /* device name as sent: 0..32 printable ASCII characters */
	char wifi_tech[16]; /* "infra" */
	enum dpp_netrole netrole;
	char mudurl[256]; /* https://host/..., printable ASCII, when DPP_CONF_REQ_HAS_MUDURL */
	uint8_t bands[DPP_CONF_BANDS_MAX]; /* "bandSupport": global operating classes 1..255 */
	size_t nbands;
};

/* Parses len bytes of json (need not be NUL-terminated, at most DPP_CONF_REQ_MAX): one JSON
 * object, nothing but white space after it, no NUL byte, nesting at most 8 deep. Required:
 * "name" (string, 0..32 printable ASCII), "wi-fi_tech" ("infra", the only technology a
 * Configurator provisions), "netRole" ("sta", "ap" or "configurator"). Optional: "mudurl"
 * (string, "https://" + host + optional path, printable ASCII without space, at most 255),
 * "bandSupport" (array of at most DPP_CONF_BANDS_MAX integers 1..255). Any other member
 * ("pkcs10", "capabilities", ...) is ignored; a known member of the wrong type is an error.
 * 0, or -EINVAL with *out zeroed and err (when errlen > 0) holding a one-line reason. */
int dpp_conf_req_parse(
	const char *json, size_t len, struct dpp_conf_req *out, char *err, size_t errlen);
/* Writes req as a Configuration Request object into buf (snprintf semantics: the length it
 * needs, NUL not counted; truncated but NUL-terminated when len is too small); "wi-fi_tech" is
 * always "infra" (req->wifi_tech may be "" or "infra"). -EINVAL when a field would not pass
 * dpp_conf_req_parse (the output always does), -ENOMEM. */
int dpp_conf_req_build(const struct dpp_conf_req *req, char *buf, size_t len);

/* What the Configurator provisions, and what an Enrollee received. Plain data. */
struct dpp_cred {
	enum dpp_akm akm;
	uint8_t ssid[32];
	size_t ssid_len;  /* 1..32 */
	char pass[64];	  /* 8..63 printable ASCII for psk/sae/psk+sae, "" otherwise */
	char psk_hex[65]; /* or a raw PSK as 64 hex digits (akm psk only), "" otherwise */
};

/* The Configuration Object for an Enrollee of netrole:
 * {"wi-fi_tech":"infra","discovery":{"ssid":..},"cred":{"akm":..,..}} as hostapd 2.10 writes
 * it ("ssid" for a printable ASCII SSID, else the R2 "ssid64"). For akm dpp, csign and
 * net_access_key are required and cred gets a "signedConnector" (dpp_connector_sign(csign,
 * netrole, net_access_key, expiry)) and "csign" (the public JWK with its "kid"); for the other
 * akms "pass" or "psk_hex", plus the Connector and C-sign key when both keys are given (as
 * hostapd 2.10 does for R2 Enrollees; both may be NULL). Secrets are not logged.
 * 0 with *out a NUL-terminated string the caller free()s; -EINVAL for a cred that
 * dpp_conf_obj_parse would refuse or a missing/unsupported key, -ENOMEM. */
int dpp_conf_obj_build(const struct dpp_cred *cred, enum dpp_netrole netrole, EVP_PKEY *csign,
	EVP_PKEY *net_access_key, int64_t expiry, char **out);

/* Parses a Configuration Object received as an Enrollee (at most DPP_CONF_OBJ_MAX bytes, the
 * JSON rules of dpp_conf_req_parse). Requires "wi-fi_tech":"infra", "discovery" with "ssid"
 * (1..32 bytes, no NUL) or "ssid64" (base64url of 1..32 bytes), "cred" with "akm" one of
 * "dpp", "psk", "sae", "psk+sae". psk: "pass" (8..63 printable ASCII) or "psk_hex" (64 hex);
 * sae, psk+sae: "pass". For dpp (and for a legacy object that carries one) "signedConnector"
 * is verified with dpp_connector_verify() against the "csign" JWK of the same object (its
 * "kid", when present, must match the key), at time now = time(NULL); its netAccessKey must be
 * own_net_access_key unless that is NULL. Unknown members ("ppKey", ...) are ignored.
 * 0 with cred filled and, when the pointers are non-NULL and the object has a Connector,
 * *connector (malloc'd, the caller free()s) and *csign (a new reference, EVP_PKEY_free());
 * both NULL when it has none. Otherwise -EINVAL (-EKEYEXPIRED for an expired Connector) with
 * cred zeroed, nothing returned and err holding a one-line reason. */
int dpp_conf_obj_parse(const char *json, size_t len, EVP_PKEY *own_net_access_key,
	struct dpp_cred *cred, char **connector, EVP_PKEY **csign, char *err, size_t errlen);

/* Signed Connector (Easy Connect §4.2/4.3): JWS compact serialisation, base64url without
 * padding, header {"typ":"dppCon","kid":<dpp_csign_kid>,"alg":"ES256"|"ES384"|"ES512"} (by the
 * C-sign curve P-256/P-384/P-521), payload {"groups":[{"groupId":"*","netRole":..}],
 * "netAccessKey":<public JWK>[,"expiry":"YYYY-MM-DDTHH:MM:SSZ"]} (expiry 0: none; otherwise
 * seconds since the epoch, UTC), signature raw r||s. net_access_key on P-256/P-384/P-521.
 * 0 with *out malloc'd (free()); -EINVAL for an unsupported key or netrole, -ENOMEM. */
int dpp_connector_sign(EVP_PKEY *csign, enum dpp_netrole netrole, EVP_PKEY *net_access_key,
	int64_t expiry, char **out);

struct dpp_connector {
	enum dpp_netrole netrole; /* of the first group */
	char group[65];		  /* groupId of the first group: 1..64 printable ASCII */
	EVP_PKEY *net_access_key; /* owned; dpp_connector_clear() frees */
	int64_t expiry;		  /* 0 none */
	char kid[64];
};

/* Verifies a signed Connector (len bytes, at most DPP_CONNECTOR_MAX, need not be
 * NUL-terminated): three non-empty canonical base64url parts; header typ "dppCon", alg the one
 * of csign's curve (ES256/ES384/ES512; "none" or any other is refused), kid equal to
 * dpp_csign_kid(csign); the signature (raw r||s of the curve's size) over "header.payload";
 * then the payload: "groups" a non-empty array of {"groupId": 1..64 printable, "netRole":
 * "sta"|"ap"|"configurator"}, "netAccessKey" a P-256/P-384/P-521 JWK on its curve, "expiry"
 * optional (YYYY-MM-DDTHH:MM:SSZ). 0 with *out filled (the caller dpp_connector_clear()s it);
 * -EKEYEXPIRED when expiry < now (seconds since the epoch), -EINVAL for anything else, both
 * with *out zeroed and err holding a one-line reason. */
int dpp_connector_verify(EVP_PKEY *csign, const char *connector, size_t len, int64_t now,
	struct dpp_connector *out, char *err, size_t errlen);
/* Frees what *c owns and zeroes it; NULL and a zeroed struct are no-ops. */
void dpp_connector_clear(struct dpp_connector *c);

/* kid = base64url(SHA-256(0x04 || X || Y of the C-sign public key)): 43 characters and NUL.
 * 0, or -EINVAL for a key that is not EC on P-256/P-384/P-521. */
int dpp_csign_kid(EVP_PKEY *csign, char kid[static 64]);

/* The public key as a JWK {"kty":"EC","crv":..,"x":..,"y":..}: *out malloc'd (free()).
 * 0, -EINVAL (unsupported key) or -ENOMEM. */
int dpp_jwk_build(EVP_PKEY *key, char **out);
/* A JWK (len bytes, the JSON rules above, at most 1024): kty "EC", crv P-256/P-384/P-521,
 * x and y base64url of exactly one coordinate each, a point on the curve. 0 with *out a new
 * reference, or -EINVAL with *out NULL and err set. */
int dpp_jwk_parse(const char *json, size_t len, EVP_PKEY **out, char *err, size_t errlen);

#endif
