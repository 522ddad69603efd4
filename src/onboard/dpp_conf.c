/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Wi-Fi Easy Connect (DPP) JSON: Configuration Requests, Configuration Objects, Connectors. */
#include "onboard/dpp_conf.h"

#include "core/util.h"

#include "onboard/dpp_crypto.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/ec.h>

#define JSON_DEPTH   8
#define JWK_MAX	     1024
#define HEADER_MAX   512
#define GROUP_ID_MAX 64
#define JSON_OUT     (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static const char *const netrole_names[] = {
	[DPP_NETROLE_STA] = "sta",
	[DPP_NETROLE_AP] = "ap",
	[DPP_NETROLE_CONFIGURATOR] = "configurator",
};

static const char *const akm_names[] = {
	[DPP_AKM_DPP] = "dpp",
	[DPP_AKM_PSK] = "psk",
	[DPP_AKM_SAE] = "sae",
	[DPP_AKM_PSK_SAE] = "psk+sae",
};

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static bool printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
			    (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

static const char *netrole_name(enum dpp_netrole r)
{
	return (r >= DPP_NETROLE_STA && r <= DPP_NETROLE_CONFIGURATOR) ? netrole_names[r] : NULL;
}

static enum dpp_netrole netrole_by_name(const char *s)
{
	for (int r = DPP_NETROLE_STA; r <= DPP_NETROLE_CONFIGURATOR; r++)
		if (strcmp(s, netrole_names[r]) == 0)
			return (enum dpp_netrole)r;
	return 0;
}

/* ---- base64url (RFC 4648 §5), no padding ------------------------------------------------ */

static const char b64url_alpha[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t b64url_len(size_t n)
{
	return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

/* out holds b64url_len(n) + 1 bytes. */
static void b64url_enc(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0, i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = b64url_alpha[v >> 18];
		out[o++] = b64url_alpha[(v >> 12) & 63];
		out[o++] = b64url_alpha[(v >> 6) & 63];
		out[o++] = b64url_alpha[v & 63];
	}
	if (n - i == 1) {
		out[o++] = b64url_alpha[in[i] >> 2];
		out[o++] = b64url_alpha[(in[i] & 3) << 4];
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];

		out[o++] = b64url_alpha[v >> 10];
		out[o++] = b64url_alpha[(v >> 4) & 63];
		out[o++] = b64url_alpha[(v & 15) << 2];
	}
	out[o] = '\0';
}

static int b64url_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/* Canonical unpadded base64url only: no '=', no other characters, unused bits zero. */
static int b64url_dec(const char *s, size_t len, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	if (len % 4 == 1 || len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0) > cap)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int v = b64url_val(s[i]);

		if (v < 0)
			return -EINVAL;
		acc = (acc << 6 | (uint32_t)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	if (bits && (acc & ((1U << bits) - 1)))
		return -EINVAL;
	*outlen = o;
	return 0;
}

/* ---- keys ------------------------------------------------------------------------------- */

/* X || Y of key, 2 * prime_len bytes into xy (room for P-521). */
static int key_xy(const EVP_PKEY *key, uint8_t xy[static 2 * DPP_MAX_PRIME])
{
	size_t n;

	return dpp_key_to_xy(key, xy, 2 * DPP_MAX_PRIME, &n);
}

static int add(struct json_object *o, const char *k, struct json_object *v)
{
	if (!v)
		return -ENOMEM;
	if (json_object_object_add(o, k, v) != 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static int add_str(struct json_object *o, const char *k, const char *s)
{
	return add(o, k, json_object_new_string(s));
}

static int add_b64(struct json_object *o, const char *k, const uint8_t *p, size_t n)
{
	char s[(2 * DPP_MAX_PRIME + 2) / 3 * 4 + 1];

	if (b64url_len(n) >= sizeof(s))
		return -EINVAL;
	b64url_enc(p, n, s);
	return add_str(o, k, s);
}

/* {"kty":"EC","crv":..,"x":..,"y":..[,"kid":..]} */
static int jwk_obj(EVP_PKEY *key, const char *kid, struct json_object **out)
{
	const struct dpp_curve *c = dpp_curve_of(key);
	uint8_t xy[2 * DPP_MAX_PRIME];
	struct json_object *o = NULL;
	int ret;

	*out = NULL;
	if (!c)
		return -EINVAL;
	if ((ret = key_xy(key, xy)))
		return ret;
	if (!(o = json_object_new_object()))
		return -ENOMEM;
	if ((ret = add_str(o, "kty", "EC")) || (ret = add_str(o, "crv", c->jwk_crv)) ||
		(ret = add_b64(o, "x", xy, c->prime_len)) ||
		(ret = add_b64(o, "y", xy + c->prime_len, c->prime_len)) ||
		(kid && (ret = add_str(o, "kid", kid)))) {
		json_object_put(o);
		return ret;
	}
	*out = o;
	return 0;
}

/* A string member: 0 with *s NULL when absent and not required, -EINVAL when of another type. */
static int get_str(struct json_object *o, const char *key, bool required, const char **s, size_t *n,
	char *err, size_t errlen)
{
	struct json_object *v;

	*s = NULL;
	*n = 0;
	if (!json_object_object_get_ex(o, key, &v)) {
		if (!required)
			return 0;
		seterr(err, errlen, "\"%s\" missing", key);
		return -EINVAL;
	}
	if (!json_object_is_type(v, json_type_string)) {
		seterr(err, errlen, "\"%s\" is not a string", key);
		return -EINVAL;
	}
	*s = json_object_get_string(v);
	*n = (size_t)json_object_get_string_len(v);
	if (strlen(*s) != *n) {
		seterr(err, errlen, "\"%s\" holds a NUL character", key);
		return -EINVAL;
	}
	return 0;
}

static int get_obj(
	struct json_object *o, const char *key, struct json_object **v, char *err, size_t errlen)
{
	if (!json_object_object_get_ex(o, key, v)) {
		seterr(err, errlen, "\"%s\" missing", key);
		return -EINVAL;
	}
	if (!json_object_is_type(*v, json_type_object)) {
		seterr(err, errlen, "\"%s\" is not an object", key);
		return -EINVAL;
	}
	return 0;
}

static int jwk_from_obj(
	struct json_object *o, const char *what, EVP_PKEY **out, char *err, size_t errlen)
{
	const struct dpp_curve *c;
	const char *kty, *crv, *x, *y;
	size_t nkty, ncrv, nx, ny, dx, dy;
	uint8_t xy[2 * DPP_MAX_PRIME];
	char e[96];
	int ret;

	*out = NULL;
	if ((ret = get_str(o, "kty", true, &kty, &nkty, e, sizeof(e))) ||
		(ret = get_str(o, "crv", true, &crv, &ncrv, e, sizeof(e))) ||
		(ret = get_str(o, "x", true, &x, &nx, e, sizeof(e))) ||
		(ret = get_str(o, "y", true, &y, &ny, e, sizeof(e)))) {
		seterr(err, errlen, "%s: %s", what, e);
		return ret;
	}
	if (strcmp(kty, "EC") != 0) {
		seterr(err, errlen, "%s: kty is not \"EC\"", what);
		return -EINVAL;
	}
	if (!(c = dpp_curve_by_jwk(crv))) {
		seterr(err, errlen, "%s: curve not P-256, P-384 or P-521", what);
		return -EINVAL;
	}
	if (b64url_dec(x, nx, xy, c->prime_len, &dx) || dx != c->prime_len ||
		b64url_dec(y, ny, xy + c->prime_len, c->prime_len, &dy) || dy != c->prime_len) {
		seterr(err, errlen, "%s: x/y not base64url of %zu bytes", what, c->prime_len);
		return -EINVAL;
	}
	if ((ret = dpp_key_from_xy(c, xy, 2 * c->prime_len, out))) {
		seterr(err, errlen, "%s: not a point on %s", what, c->jwk_crv);
		return ret;
	}
	return 0;
}

/* One JSON object: len bytes, no NUL, nothing but white space after it. */
static int json_load(const char *s, size_t len, size_t max, const char *what,
	struct json_object **out, char *err, size_t errlen)
{
	struct json_tokener *tok = NULL;
	struct json_object *o = NULL;
	enum json_tokener_error e;
	int ret = -EINVAL;

	*out = NULL;
	if (!s || len == 0) {
		seterr(err, errlen, "%s is empty", what);
		goto out;
	}
	if (len > max) {
		seterr(err, errlen, "%s longer than %zu bytes", what, max);
		goto out;
	}
	if (memchr(s, '\0', len)) {
		seterr(err, errlen, "%s holds a NUL byte", what);
		goto out;
	}
	if (!(tok = json_tokener_new_ex(JSON_DEPTH))) {
		ret = -ENOMEM;
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, s, (int)len);
	e = json_tokener_get_error(tok);
	if (!o && e == json_tokener_success) {
		seterr(err, errlen, "%s is not a JSON object", what);
		goto out;
	}
	if (!o || e != json_tokener_success) {
		seterr(err, errlen, "%s is not JSON: %s", what,
			e == json_tokener_continue ? "truncated" : json_tokener_error_desc(e));
		goto out;
	}
	for (size_t i = json_tokener_get_parse_end(tok); i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') {
			seterr(err, errlen, "%s: data after the JSON value", what);
			goto out;
		}
	if (!json_object_is_type(o, json_type_object)) {
		seterr(err, errlen, "%s is not a JSON object", what);
		goto out;
	}
	*out = o;
	o = NULL;
	ret = 0;
out:
	json_object_put(o);
	if (tok)
		json_tokener_free(tok);
	return ret;
}

/* ---- JWK ---------------------------------------------------------------------------------- */

static int dup_json(struct json_object *o, char **out)
{
	const char *s = json_object_to_json_string_ext(o, JSON_OUT);

	*out = s ? strdup(s) : NULL;
	return *out ? 0 : -ENOMEM;
}

int dpp_jwk_build(EVP_PKEY *key, char **out)
{
	struct json_object *o;
	int ret;

	*out = NULL;
	if ((ret = jwk_obj(key, NULL, &o)))
		return ret;
	ret = dup_json(o, out);
	json_object_put(o);
	return ret;
}

int dpp_jwk_parse(const char *json, size_t len, EVP_PKEY **out, char *err, size_t errlen)
{
	struct json_object *o;
	int ret;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if ((ret = json_load(json, len, JWK_MAX, "JWK", &o, err, errlen)))
		return ret;
	ret = jwk_from_obj(o, "JWK", out, err, errlen);
	json_object_put(o);
	return ret;
}

int dpp_csign_kid(EVP_PKEY *csign, char kid[static 64])
{
	const struct dpp_curve *c = dpp_curve_of(csign);
	uint8_t pt[1 + 2 * DPP_MAX_PRIME], h[32];
	int ret;

	kid[0] = '\0';
	if (!c)
		return -EINVAL;
	pt[0] = 0x04;
	if ((ret = key_xy(csign, pt + 1)))
		return ret;
	if (EVP_Digest(pt, 1 + 2 * c->prime_len, h, NULL, EVP_sha256(), NULL) != 1)
		return -EINVAL;
	b64url_enc(h, sizeof(h), kid);
	return 0;
}

/* ---- Configuration Request ---------------------------------------------------------------- */

/* https://host[/path]: printable ASCII without space, a host part that is not empty. */
static bool mudurl_valid(const char *s, size_t n)
{
	static const char scheme[] = "https://";
	size_t sl = sizeof(scheme) - 1;

	if (n >= 256 || n <= sl || strncmp(s, scheme, sl) != 0 || !printable(s, n))
		return false;
	if (s[sl] == '/' || s[sl] == '?' || s[sl] == '#' || memchr(s, ' ', n))
		return false;
	return true;
}

static int conf_req_parse(
	const char *json, size_t len, struct dpp_conf_req *out, char *err, size_t errlen)
{
	struct json_object *o = NULL, *v;
	const char *s;
	size_t n;
	int ret;

	if ((ret = json_load(
		     json, len, DPP_CONF_REQ_MAX, "configuration request", &o, err, errlen)))
		goto out;
	if ((ret = get_str(o, "name", true, &s, &n, err, errlen)))
		goto out;
	/* The name is only shown to the user: a device that names itself in UTF-8, at length or
	 * with control characters still onboards, under a name cut to 32 printable characters
	 * ('?' for every other byte). */
	util_sanitize(out->name, sizeof(out->name), s, n);
	if ((ret = get_str(o, "wi-fi_tech", true, &s, &n, err, errlen)))
		goto out;
	ret = -EINVAL;
	if (strcmp(s, "infra") != 0) {
		seterr(err, errlen, "\"wi-fi_tech\" is not \"infra\"");
		goto out;
	}
	memcpy(out->wifi_tech, s, n + 1);
	if ((ret = get_str(o, "netRole", true, &s, &n, err, errlen)))
		goto out;
	ret = -EINVAL;
	if (!(out->netrole = netrole_by_name(s))) {
		seterr(err, errlen, "\"netRole\" not sta, ap or configurator");
		goto out;
	}
	if ((ret = get_str(o, "mudurl", false, &s, &n, err, errlen)))
		goto out;
	ret = -EINVAL;
	if (s) {
		if (!mudurl_valid(s, n)) {
			seterr(err, errlen,
				"\"mudurl\" not an https URL of at most 255 characters");
			goto out;
		}
		memcpy(out->mudurl, s, n + 1);
		out->flags |= DPP_CONF_REQ_HAS_MUDURL;
	}
	if (json_object_object_get_ex(o, "bandSupport", &v)) {
		size_t nb;

		if (!json_object_is_type(v, json_type_array)) {
			seterr(err, errlen, "\"bandSupport\" is not an array");
			goto out;
		}
		if ((nb = json_object_array_length(v)) > DPP_CONF_BANDS_MAX) {
			seterr(err, errlen, "\"bandSupport\" has more than %d operating classes",
				DPP_CONF_BANDS_MAX);
			goto out;
		}
		for (size_t i = 0; i < nb; i++) {
			struct json_object *b = json_object_array_get_idx(v, i);
			int64_t c;

			if (!json_object_is_type(b, json_type_int) ||
				(c = json_object_get_int64(b)) < 1 || c > 255) {
				seterr(err, errlen, "\"bandSupport\" holds a value not 1..255");
				goto out;
			}
			out->bands[i] = (uint8_t)c;
		}
		out->nbands = nb;
		out->flags |= DPP_CONF_REQ_HAS_BANDS;
	}
	ret = 0;
out:
	json_object_put(o);
	return ret;
}

int dpp_conf_req_parse(
	const char *json, size_t len, struct dpp_conf_req *out, char *err, size_t errlen)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	if ((ret = conf_req_parse(json, len, out, err, errlen)))
		memset(out, 0, sizeof(*out));
	return ret;
}

int dpp_conf_req_build(const struct dpp_conf_req *req, char *buf, size_t len)
{
	struct json_object *o = NULL, *a = NULL;
	size_t n = strnlen(req->name, sizeof(req->name));
	const char *s;
	int ret = -EINVAL;

	if (n == sizeof(req->name) || !printable(req->name, n) || !netrole_name(req->netrole) ||
		(req->wifi_tech[0] && strcmp(req->wifi_tech, "infra") != 0))
		goto out;
	if ((req->flags & DPP_CONF_REQ_HAS_MUDURL) &&
		!mudurl_valid(req->mudurl, strnlen(req->mudurl, sizeof(req->mudurl))))
		goto out;
	if ((req->flags & DPP_CONF_REQ_HAS_BANDS) && req->nbands > DPP_CONF_BANDS_MAX)
		goto out;
	ret = -ENOMEM;
	if (!(o = json_object_new_object()) || add_str(o, "name", req->name) ||
		add_str(o, "wi-fi_tech", "infra") ||
		add_str(o, "netRole", netrole_name(req->netrole)))
		goto out;
	if ((req->flags & DPP_CONF_REQ_HAS_MUDURL) && add_str(o, "mudurl", req->mudurl))
		goto out;
	if (req->flags & DPP_CONF_REQ_HAS_BANDS) {
		if (!(a = json_object_new_array()))
			goto out;
		for (size_t i = 0; i < req->nbands; i++) {
			if (req->bands[i] == 0) {
				ret = -EINVAL;
				goto out;
			}
			if (json_object_array_add(a, json_object_new_int(req->bands[i])))
				goto out;
		}
		ret = add(o, "bandSupport", a);
		a = NULL;
		if (ret)
			goto out;
	}
	if (!(s = json_object_to_json_string_ext(o, JSON_OUT)))
		goto out;
	ret = snprintf(buf, len, "%s", s);
out:
	json_object_put(a);
	json_object_put(o);
	return ret;
}

/* ---- Connector ----------------------------------------------------------------------------- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char *s, size_t n, unsigned *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return true;
}

/* YYYY-MM-DDTHH:MM:SS followed by Z or +HH:MM/-HH:MM (RFC 3339 without fractions). */
static int expiry_parse(const char *s, size_t n, int64_t *out)
{
	static const uint8_t mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned y, mo, d, h, mi, se, oh = 0, om = 0;
	int64_t t;

	if (n != 20 && n != 25)
		return -EINVAL;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
		!digits(s + 8, 2, &d) || s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' ||
		!digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se))
		return -EINVAL;
	if (n == 20 ? s[19] != 'Z'
		    : (s[19] != '+' && s[19] != '-') || !digits(s + 20, 2, &oh) || s[22] != ':' ||
				!digits(s + 23, 2, &om) || oh > 23 || om > 59)
		return -EINVAL;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
		se > 59)
		return -EINVAL;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -EINVAL;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	if (n == 25)
		t += (s[19] == '+' ? -1 : 1) * (int64_t)(oh * 3600 + om * 60);
	if (t <= 0)
		return -EINVAL;
	*out = t;
	return 0;
}

static int es_sign(
	EVP_PKEY *key, const struct dpp_curve *c, const char *msg, size_t n, uint8_t *sig)
{
	EVP_MD_CTX *md = NULL;
	ECDSA_SIG *es = NULL;
	unsigned char *der = NULL;
	const unsigned char *p;
	const BIGNUM *r, *s;
	size_t derlen = 0;
	int ret = -EINVAL;

	if (!(md = EVP_MD_CTX_new())) {
		ret = -ENOMEM;
		goto out;
	}
	if (EVP_DigestSignInit(md, NULL, c->md(), NULL, key) != 1 ||
		EVP_DigestSign(md, NULL, &derlen, (const unsigned char *)msg, n) != 1)
		goto out;
	if (!(der = malloc(derlen))) {
		ret = -ENOMEM;
		goto out;
	}
	if (EVP_DigestSign(md, der, &derlen, (const unsigned char *)msg, n) != 1)
		goto out;
	p = der;
	if (!(es = d2i_ECDSA_SIG(NULL, &p, (long)derlen)))
		goto out;
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, sig, (int)c->prime_len) < 0 ||
		BN_bn2binpad(s, sig + c->prime_len, (int)c->prime_len) < 0)
		goto out;
	ret = 0;
out:
	ECDSA_SIG_free(es);
	free(der);
	EVP_MD_CTX_free(md);
	return ret;
}

/* Raw r || s (2 * prime_len bytes) over msg. 0, or -EINVAL for a bad signature. */
static int es_verify(
	EVP_PKEY *key, const struct dpp_curve *c, const char *msg, size_t n, const uint8_t *sig)
{
	EVP_MD_CTX *md = NULL;
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;
	int derlen, ret = -EINVAL;

	r = BN_bin2bn(sig, (int)c->prime_len, NULL);
	s = BN_bin2bn(sig + c->prime_len, (int)c->prime_len, NULL);
	if (!r || !s || !(es = ECDSA_SIG_new()) || !(md = EVP_MD_CTX_new())) {
		ret = -ENOMEM;
		goto out;
	}
	if (ECDSA_SIG_set0(es, r, s) != 1)
		goto out;
	r = s = NULL;
	if ((derlen = i2d_ECDSA_SIG(es, &der)) <= 0)
		goto out;
	if (EVP_DigestVerifyInit(md, NULL, c->md(), NULL, key) != 1 ||
		EVP_DigestVerify(md, der, (size_t)derlen, (const unsigned char *)msg, n) != 1)
		goto out;
	ret = 0;
out:
	OPENSSL_free(der);
	EVP_MD_CTX_free(md);
	ECDSA_SIG_free(es);
	BN_free(s);
	BN_free(r);
	return ret;
}

static int b64_json(struct json_object *o, char **out, size_t *outlen)
{
	const char *s = json_object_to_json_string_ext(o, JSON_OUT);
	size_t n;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	n = strlen(s);
	if (!(*out = malloc(b64url_len(n) + 1)))
		return -ENOMEM;
	b64url_enc((const uint8_t *)s, n, *out);
	*outlen = b64url_len(n);
	return 0;
}

static int expiry_format(int64_t expiry, char buf[static 32])
{
	time_t t = (time_t)expiry;
	struct tm tm;

	if (expiry < 0 || (int64_t)t != expiry || !gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999)
		return -EINVAL;
	if (strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) != 20)
		return -EINVAL;
	return 0;
}

int dpp_connector_sign(EVP_PKEY *csign, enum dpp_netrole netrole, EVP_PKEY *net_access_key,
	int64_t expiry, char **out)
{
	const struct dpp_curve *c = dpp_curve_of(csign);
	struct json_object *hdr = NULL, *pl = NULL, *groups = NULL, *g = NULL, *jwk = NULL;
	char kid[64], exp[32], *h64 = NULL, *p64 = NULL, *buf = NULL;
	uint8_t sig[2 * DPP_MAX_PRIME];
	size_t hlen = 0, plen = 0, total;
	int ret = -EINVAL;

	*out = NULL;
	if (!c || !netrole_name(netrole) || !dpp_curve_of(net_access_key) ||
		(expiry && expiry_format(expiry, exp)))
		goto out;
	if ((ret = dpp_csign_kid(csign, kid)) || (ret = jwk_obj(net_access_key, NULL, &jwk)))
		goto out;
	ret = -ENOMEM;
	if (!(hdr = json_object_new_object()) || add_str(hdr, "typ", "dppCon") ||
		add_str(hdr, "kid", kid) || add_str(hdr, "alg", c->jws_alg))
		goto out;
	if (!(pl = json_object_new_object()) || !(groups = json_object_new_array()) ||
		!(g = json_object_new_object()) || add_str(g, "groupId", "*") ||
		add_str(g, "netRole", netrole_name(netrole)))
		goto out;
	if (json_object_array_add(groups, g))
		goto out;
	g = NULL;
	ret = add(pl, "groups", groups);
	groups = NULL;
	if (ret)
		goto out;
	ret = add(pl, "netAccessKey", jwk);
	jwk = NULL;
	if (ret || (expiry && (ret = add_str(pl, "expiry", exp))))
		goto out;
	if ((ret = b64_json(hdr, &h64, &hlen)) || (ret = b64_json(pl, &p64, &plen)))
		goto out;
	total = hlen + 1 + plen + 1 + b64url_len(2 * c->prime_len) + 1;
	ret = -ENOMEM;
	if (!(buf = malloc(total)))
		goto out;
	memcpy(buf, h64, hlen);
	buf[hlen] = '.';
	memcpy(buf + hlen + 1, p64, plen);
	if ((ret = es_sign(csign, c, buf, hlen + 1 + plen, sig)))
		goto out;
	buf[hlen + 1 + plen] = '.';
	b64url_enc(sig, 2 * c->prime_len, buf + hlen + 1 + plen + 1);
	*out = buf;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	free(p64);
	free(h64);
	json_object_put(jwk);
	json_object_put(g);
	json_object_put(groups);
	json_object_put(pl);
	json_object_put(hdr);
	return ret;
}

/* Decodes one base64url part holding JSON and loads it as an object. */
static int part_json(const char *s, size_t n, size_t max, const char *what, struct json_object **o,
	char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len = 0;
	int ret;

	*o = NULL;
	if (!(buf = malloc(max)))
		return -ENOMEM;
	if (b64url_dec(s, n, buf, max, &len)) {
		seterr(err, errlen, "connector %s is not base64url of at most %zu bytes", what,
			max);
		ret = -EINVAL;
	} else {
		char w[32];

		snprintf(w, sizeof(w), "connector %s", what);
		ret = json_load((const char *)buf, len, max, w, o, err, errlen);
	}
	free(buf);
	return ret;
}

static int connector_payload(
	struct json_object *pl, struct dpp_connector *out, char *err, size_t errlen)
{
	struct json_object *groups, *nak;
	const char *s;
	size_t n, ng;
	char e[128];
	int ret;

	if (!json_object_object_get_ex(pl, "groups", &groups) ||
		!json_object_is_type(groups, json_type_array) ||
		(ng = json_object_array_length(groups)) == 0) {
		seterr(err, errlen, "connector: \"groups\" not a non-empty array");
		return -EINVAL;
	}
	for (size_t i = 0; i < ng; i++) {
		struct json_object *g = json_object_array_get_idx(groups, i);
		enum dpp_netrole r;
		const char *id, *role;
		size_t nid, nrole;

		if (!json_object_is_type(g, json_type_object)) {
			seterr(err, errlen, "connector: a group is not an object");
			return -EINVAL;
		}
		if ((ret = get_str(g, "groupId", true, &id, &nid, e, sizeof(e))) ||
			(ret = get_str(g, "netRole", true, &role, &nrole, e, sizeof(e)))) {
			seterr(err, errlen, "connector group: %s", e);
			return ret;
		}
		if (nid == 0 || nid > GROUP_ID_MAX || !printable(id, nid)) {
			seterr(err, errlen, "connector: groupId not 1..64 printable characters");
			return -EINVAL;
		}
		if (!(r = netrole_by_name(role))) {
			seterr(err, errlen, "connector: netRole not sta, ap or configurator");
			return -EINVAL;
		}
		if (i == 0) {
			memcpy(out->group, id, nid + 1);
			out->netrole = r;
		}
	}
	if (get_obj(pl, "netAccessKey", &nak, e, sizeof(e))) {
		seterr(err, errlen, "connector: %s", e);
		return -EINVAL;
	}
	if ((ret = jwk_from_obj(nak, "connector netAccessKey", &out->net_access_key, err, errlen)))
		return ret;
	if ((ret = get_str(pl, "expiry", false, &s, &n, e, sizeof(e)))) {
		seterr(err, errlen, "connector: %s", e);
		return ret;
	}
	if (s && expiry_parse(s, n, &out->expiry)) {
		seterr(err, errlen, "connector: \"expiry\" not YYYY-MM-DDTHH:MM:SSZ");
		return -EINVAL;
	}
	return 0;
}

static int connector_verify(EVP_PKEY *csign, const char *con, size_t len, int64_t now,
	struct dpp_connector *out, char *err, size_t errlen)
{
	const struct dpp_curve *c = dpp_curve_of(csign);
	struct json_object *hdr = NULL, *pl = NULL;
	const char *d1, *d2, *s;
	uint8_t sig[2 * DPP_MAX_PRIME];
	char kid[64], e[96];
	size_t n, siglen = 0;
	int ret = -EINVAL;

	if (!c) {
		seterr(err, errlen, "C-sign key not EC on P-256, P-384 or P-521");
		goto out;
	}
	if (!con || len == 0 || len > DPP_CONNECTOR_MAX) {
		seterr(err, errlen, "connector empty or longer than %d bytes", DPP_CONNECTOR_MAX);
		goto out;
	}
	if (!(d1 = memchr(con, '.', len)) ||
		!(d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - con))) ||
		memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - con)) || d1 == con || d2 == d1 + 1 ||
		d2 + 1 == con + len) {
		seterr(err, errlen, "connector not three non-empty parts header.payload.signature");
		goto out;
	}
	if ((ret = part_json(con, (size_t)(d1 - con), HEADER_MAX, "header", &hdr, err, errlen)))
		goto out;
	ret = -EINVAL;
	if (get_str(hdr, "typ", true, &s, &n, e, sizeof(e)) || strcmp(s, "dppCon") != 0) {
		seterr(err, errlen, "connector header: typ is not \"dppCon\"");
		goto out;
	}
	if (get_str(hdr, "alg", true, &s, &n, e, sizeof(e)) || strcmp(s, c->jws_alg) != 0) {
		seterr(err, errlen, "connector header: alg is not %s (the C-sign key's curve)",
			c->jws_alg);
		goto out;
	}
	if ((ret = dpp_csign_kid(csign, kid)))
		goto out;
	ret = -EINVAL;
	if (get_str(hdr, "kid", true, &s, &n, e, sizeof(e)) || strcmp(s, kid) != 0) {
		seterr(err, errlen, "connector header: kid is not the C-sign key's");
		goto out;
	}
	if (b64url_dec(d2 + 1, len - (size_t)(d2 + 1 - con), sig, sizeof(sig), &siglen) ||
		siglen != 2 * c->prime_len) {
		seterr(err, errlen, "connector signature not base64url of %zu bytes",
			2 * c->prime_len);
		goto out;
	}
	if ((ret = es_verify(csign, c, con, (size_t)(d2 - con), sig))) {
		if (ret == -EINVAL)
			seterr(err, errlen, "connector signature does not verify");
		goto out;
	}
	if ((ret = part_json(d1 + 1, (size_t)(d2 - d1 - 1), DPP_CONNECTOR_MAX, "payload", &pl, err,
		     errlen)))
		goto out;
	if ((ret = connector_payload(pl, out, err, errlen)))
		goto out;
	memcpy(out->kid, kid, sizeof(out->kid));
	if (out->expiry && out->expiry < now) {
		seterr(err, errlen, "connector expired");
		ret = -EKEYEXPIRED;
		goto out;
	}
	ret = 0;
out:
	json_object_put(pl);
	json_object_put(hdr);
	return ret;
}

int dpp_connector_verify(EVP_PKEY *csign, const char *connector, size_t len, int64_t now,
	struct dpp_connector *out, char *err, size_t errlen)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	if ((ret = connector_verify(csign, connector, len, now, out, err, errlen)))
		dpp_connector_clear(out);
	return ret;
}

void dpp_connector_clear(struct dpp_connector *c)
{
	if (!c)
		return;
	EVP_PKEY_free(c->net_access_key);
	memset(c, 0, sizeof(*c));
}

/* ---- Configuration Object ------------------------------------------------------------------ */

static bool ssid_printable(const uint8_t *p, size_t n)
{
	return printable((const char *)p, n);
}

static bool cred_valid(const struct dpp_cred *cred)
{
	size_t np = strnlen(cred->pass, sizeof(cred->pass));
	size_t nh = strnlen(cred->psk_hex, sizeof(cred->psk_hex));
	bool pass_ok = np >= 8 && np <= 63 && printable(cred->pass, np);
	bool hex_ok = nh == 64 && is_hex(cred->psk_hex, nh);

	if (cred->ssid_len < 1 || cred->ssid_len > sizeof(cred->ssid) || np == sizeof(cred->pass) ||
		nh == sizeof(cred->psk_hex))
		return false;
	switch (cred->akm) {
	case DPP_AKM_DPP:
		return np == 0 && nh == 0;
	case DPP_AKM_PSK:
		return (pass_ok && nh == 0) || (np == 0 && hex_ok);
	case DPP_AKM_SAE:
	case DPP_AKM_PSK_SAE:
		return pass_ok && nh == 0;
	}
	return false;
}

int dpp_conf_obj_build(const struct dpp_cred *cred, enum dpp_netrole netrole, EVP_PKEY *csign,
	EVP_PKEY *net_access_key, int64_t expiry, char **out)
{
	struct json_object *o = NULL, *disc = NULL, *cr = NULL, *jwk = NULL;
	char kid[64], *con = NULL;
	int ret = -EINVAL;

	*out = NULL;
	if (!cred_valid(cred) || !netrole_name(netrole) || (!csign != !net_access_key) ||
		(cred->akm == DPP_AKM_DPP && !csign))
		goto out;
	if (csign) {
		if ((ret = dpp_connector_sign(csign, netrole, net_access_key, expiry, &con)) ||
			(ret = dpp_csign_kid(csign, kid)) || (ret = jwk_obj(csign, kid, &jwk)))
			goto out;
	}
	ret = -ENOMEM;
	if (!(o = json_object_new_object()) || add_str(o, "wi-fi_tech", "infra"))
		goto out;
	if (!(disc = json_object_new_object()))
		goto out;
	if (ssid_printable(cred->ssid, cred->ssid_len)) {
		struct json_object *v =
			json_object_new_string_len((const char *)cred->ssid, (int)cred->ssid_len);

		if (add(disc, "ssid", v))
			goto out;
	} else if (add_b64(disc, "ssid64", cred->ssid, cred->ssid_len)) {
		goto out;
	}
	ret = add(o, "discovery", disc);
	disc = NULL;
	if (ret)
		goto out;
	ret = -ENOMEM;
	if (!(cr = json_object_new_object()) || add_str(cr, "akm", akm_names[cred->akm]))
		goto out;
	if (cred->pass[0] && add_str(cr, "pass", cred->pass))
		goto out;
	if (cred->psk_hex[0] && add_str(cr, "psk_hex", cred->psk_hex))
		goto out;
	if (con) {
		if (add_str(cr, "signedConnector", con))
			goto out;
		ret = add(cr, "csign", jwk);
		jwk = NULL;
		if (ret)
			goto out;
	}
	ret = add(o, "cred", cr);
	cr = NULL;
	if (ret)
		goto out;
	ret = dup_json(o, out);
out:
	json_object_put(jwk);
	json_object_put(cr);
	json_object_put(disc);
	json_object_put(o);
	free(con);
	return ret;
}

static int parse_ssid(struct json_object *disc, struct dpp_cred *cred, char *err, size_t errlen)
{
	const char *s, *s64;
	size_t n, n64;
	int ret;

	if ((ret = get_str(disc, "ssid", false, &s, &n, err, errlen)) ||
		(ret = get_str(disc, "ssid64", false, &s64, &n64, err, errlen)))
		return ret;
	if (!s == !s64) {
		seterr(err, errlen, "discovery: not exactly one of \"ssid\" and \"ssid64\"");
		return -EINVAL;
	}
	if (s) {
		if (n < 1 || n > sizeof(cred->ssid)) {
			seterr(err, errlen, "\"ssid\" not 1..32 bytes");
			return -EINVAL;
		}
		memcpy(cred->ssid, s, n);
		cred->ssid_len = n;
	} else if (b64url_dec(s64, n64, cred->ssid, sizeof(cred->ssid), &cred->ssid_len) ||
		cred->ssid_len < 1) {
		seterr(err, errlen, "\"ssid64\" not base64url of 1..32 bytes");
		return -EINVAL;
	}
	return 0;
}

static int parse_legacy(struct json_object *cr, struct dpp_cred *cred, char *err, size_t errlen)
{
	const char *pass, *hex;
	size_t np, nh;
	int ret;

	if ((ret = get_str(cr, "pass", false, &pass, &np, err, errlen)) ||
		(ret = get_str(cr, "psk_hex", false, &hex, &nh, err, errlen)))
		return ret;
	if (pass) {
		if (np < 8 || np > 63 || !printable(pass, np)) {
			seterr(err, errlen, "\"pass\" not 8..63 printable ASCII characters");
			return -EINVAL;
		}
		memcpy(cred->pass, pass, np + 1);
	} else if (hex && cred->akm == DPP_AKM_PSK) {
		if (nh != 64 || !is_hex(hex, nh)) {
			seterr(err, errlen, "\"psk_hex\" not 64 hex digits");
			return -EINVAL;
		}
		memcpy(cred->psk_hex, hex, nh + 1);
	} else {
		seterr(err, errlen, "cred: no \"pass\"%s",
			cred->akm == DPP_AKM_PSK ? " or \"psk_hex\"" : "");
		return -EINVAL;
	}
	return 0;
}

static int parse_connector(struct json_object *cr, EVP_PKEY *own, const char *con, size_t ncon,
	EVP_PKEY **csign, char *err, size_t errlen)
{
	struct dpp_connector dc = {0};
	struct json_object *cs;
	const char *kid;
	size_t nkid;
	char ourkid[64], e[96];
	int ret;

	*csign = NULL;
	if (get_obj(cr, "csign", &cs, e, sizeof(e))) {
		seterr(err, errlen, "cred: %s", e);
		return -EINVAL;
	}
	if ((ret = jwk_from_obj(cs, "csign", csign, err, errlen)))
		goto out;
	if ((ret = get_str(cs, "kid", false, &kid, &nkid, err, errlen)) ||
		(ret = dpp_csign_kid(*csign, ourkid)))
		goto out;
	if (kid && strcmp(kid, ourkid) != 0) {
		seterr(err, errlen, "csign: kid is not the key's");
		ret = -EINVAL;
		goto out;
	}
	if ((ret = dpp_connector_verify(*csign, con, ncon, (int64_t)time(NULL), &dc, err, errlen)))
		goto out;
	if (own && EVP_PKEY_eq(dc.net_access_key, own) != 1) {
		seterr(err, errlen, "connector netAccessKey is not our protocol key");
		ret = -EINVAL;
		goto out;
	}
out:
	dpp_connector_clear(&dc);
	if (ret) {
		EVP_PKEY_free(*csign);
		*csign = NULL;
	}
	return ret;
}

static int conf_obj_parse(const char *json, size_t len, EVP_PKEY *own, struct dpp_cred *cred,
	char **connector, EVP_PKEY **csign, char *err, size_t errlen)
{
	struct json_object *o = NULL, *disc, *cr;
	EVP_PKEY *cs = NULL;
	const char *s, *con;
	size_t n, ncon;
	int ret, akm;

	if ((ret = json_load(json, len, DPP_CONF_OBJ_MAX, "configuration object", &o, err, errlen)))
		goto out;
	if ((ret = get_str(o, "wi-fi_tech", true, &s, &n, err, errlen)))
		goto out;
	ret = -EINVAL;
	if (strcmp(s, "infra") != 0) {
		seterr(err, errlen, "\"wi-fi_tech\" is not \"infra\"");
		goto out;
	}
	if ((ret = get_obj(o, "discovery", &disc, err, errlen)) ||
		(ret = parse_ssid(disc, cred, err, errlen)) ||
		(ret = get_obj(o, "cred", &cr, err, errlen)) ||
		(ret = get_str(cr, "akm", true, &s, &n, err, errlen)))
		goto out;
	ret = -EINVAL;
	for (akm = DPP_AKM_DPP; akm <= DPP_AKM_PSK_SAE; akm++)
		if (strcmp(s, akm_names[akm]) == 0)
			break;
	if (akm > DPP_AKM_PSK_SAE) {
		seterr(err, errlen, "\"akm\" not dpp, psk, sae or psk+sae");
		goto out;
	}
	cred->akm = (enum dpp_akm)akm;
	if (cred->akm != DPP_AKM_DPP && (ret = parse_legacy(cr, cred, err, errlen)))
		goto out;
	if ((ret = get_str(
		     cr, "signedConnector", cred->akm == DPP_AKM_DPP, &con, &ncon, err, errlen)))
		goto out;
	if (con && (ret = parse_connector(cr, own, con, ncon, &cs, err, errlen)))
		goto out;
	if (con && connector && !(*connector = strndup(con, ncon))) {
		ret = -ENOMEM;
		goto out;
	}
	if (csign) {
		*csign = cs;
		cs = NULL;
	}
	ret = 0;
out:
	EVP_PKEY_free(cs);
	json_object_put(o);
	return ret;
}

int dpp_conf_obj_parse(const char *json, size_t len, EVP_PKEY *own_net_access_key,
	struct dpp_cred *cred, char **connector, EVP_PKEY **csign, char *err, size_t errlen)
{
	int ret;

	memset(cred, 0, sizeof(*cred));
	if (connector)
		*connector = NULL;
	if (csign)
		*csign = NULL;
	if (err && errlen)
		err[0] = '\0';
	ret = conf_obj_parse(json, len, own_net_access_key, cred, connector, csign, err, errlen);
	if (ret) {
		memset(cred, 0, sizeof(*cred));
		if (connector) {
			free(*connector);
			*connector = NULL;
		}
		if (csign) {
			EVP_PKEY_free(*csign);
			*csign = NULL;
		}
	}
	return ret;
}
