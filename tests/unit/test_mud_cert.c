/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the id-pe-mud-url extractor, on certificates made at test time (no keys kept). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mud/mud_cert.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/events.h"
#include "core/util.h"

#define URL "https://mud.example.test/cam.json"

static EVP_PKEY *key; /* made per run, in memory only */
static char err[256];

static int setup(void **state)
{
	(void)state;
	key = EVP_EC_gen("P-256");
	return key ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(key);
	return 0;
}

/* DER of an IA5String or UTF8String holding len octets of s. */
static size_t der_string(int type, const char *s, size_t len, uint8_t *out, size_t outlen)
{
	ASN1_STRING *a = ASN1_STRING_type_new(type);
	unsigned char *p = out;
	int n;

	assert_non_null(a);
	assert_int_equal(ASN1_STRING_set(a, s, (int)len), 1);
	if (type == V_ASN1_IA5STRING) {
		assert_true(i2d_ASN1_IA5STRING(a, NULL) <= (int)outlen);
		n = i2d_ASN1_IA5STRING(a, &p);
	} else {
		assert_true(i2d_ASN1_UTF8STRING(a, NULL) <= (int)outlen);
		n = i2d_ASN1_UTF8STRING(a, &p);
	}
	ASN1_STRING_free(a);
	assert_true(n > 0);
	return (size_t)n;
}

/* A self-signed certificate carrying copies id-pe-mud-url extensions whose extnValue is
 * val; DER or PEM, in a buffer the caller frees. */
static uint8_t *make_cert(const uint8_t *val, size_t vlen, int copies, bool pem, size_t *len)
{
	X509 *x = X509_new();
	ASN1_OBJECT *obj = OBJ_txt2obj("1.3.6.1.5.5.7.1.25", 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_NAME *name;
	uint8_t *out = NULL;

	assert_non_null(x);
	assert_non_null(obj);
	assert_non_null(os);
	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 1), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
	assert_int_equal(X509_set_pubkey(x, key), 1);
	name = X509_get_subject_name(x);
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				 (const unsigned char *)"cam-1 IDevID", -1, -1, 0),
		1);
	assert_int_equal(X509_set_issuer_name(x, name), 1);
	assert_int_equal(ASN1_OCTET_STRING_set(os, val, (int)vlen), 1);
	for (int i = 0; i < copies; i++) {
		X509_EXTENSION *ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);

		assert_non_null(ext);
		assert_int_equal(X509_add_ext(x, ext, -1), 1);
		X509_EXTENSION_free(ext);
	}
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	if (pem) {
		BIO *bio = BIO_new(BIO_s_mem());
		char *data;
		long n;

		assert_non_null(bio);
		assert_int_equal(PEM_write_bio_X509(bio, x), 1);
		n = BIO_get_mem_data(bio, &data);
		assert_true(n > 0);
		out = malloc((size_t)n);
		assert_non_null(out);
		memcpy(out, data, (size_t)n);
		*len = (size_t)n;
		BIO_free(bio);
	} else {
		unsigned char *der = NULL;
		int n = i2d_X509(x, &der);

		assert_true(n > 0);
		out = malloc((size_t)n);
		assert_non_null(out);
		memcpy(out, der, (size_t)n);
		*len = (size_t)n;
		OPENSSL_free(der);
	}
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
	X509_free(x);
	return out;
}

static uint8_t *cert_with_url(const char *url, size_t urllen, bool pem, size_t *len)
{
	uint8_t val[600];
	size_t n = der_string(V_ASN1_IA5STRING, url, urllen, val, sizeof(val));

	return make_cert(val, n, 1, pem, len);
}

static int extract(const uint8_t *c, size_t len, char *url, size_t urllen)
{
	return mud_cert_url(c, len, url, urllen, err, sizeof(err));
}

static void test_der_and_pem(void **state)
{
	char url[HG_URL_MAX];
	uint8_t *c, *with_text;
	size_t len;

	(void)state;
	c = cert_with_url(URL, strlen(URL), false, &len);
	assert_int_equal(extract(c, len, url, sizeof(url)), 0);
	assert_string_equal(url, URL);
	free(c);
	c = cert_with_url(URL, strlen(URL), true, &len);
	assert_int_equal(extract(c, len, url, sizeof(url)), 0);
	assert_string_equal(url, URL);
	/* PEM as openssl x509 -text writes it: text before the block. */
	with_text = malloc(len + 32);
	assert_non_null(with_text);
	memcpy(with_text, "Subject: CN=cam-1 IDevID\n", 25);
	memcpy(with_text + 25, c, len);
	assert_int_equal(extract(with_text, len + 25, url, sizeof(url)), 0);
	assert_string_equal(url, URL);
	free(with_text);
	free(c);
}

static void test_no_extension(void **state)
{
	char url[HG_URL_MAX] = "x";
	uint8_t *c;
	size_t len;

	(void)state;
	c = make_cert(NULL, 0, 0, false, &len);
	assert_int_equal(extract(c, len, url, sizeof(url)), -ENOENT);
	assert_string_equal(url, "");
	assert_non_null(strstr(err, "no id-pe-mud-url extension"));
	free(c);
}

static void test_bad_values(void **state)
{
	char url[HG_URL_MAX], long_url[300];
	uint8_t val[600], *c;
	size_t len, n;

	(void)state;
#define REFUSED(why)                                                          \
	do {                                                                  \
		memcpy(url, "junk", 5);                                       \
		assert_int_equal(extract(c, len, url, sizeof(url)), -EINVAL); \
		assert_string_equal(url, "");                                 \
		if (!strstr(err, why))                                        \
			fail_msg("\"%s\" lacks \"%s\"", err, why);            \
		free(c);                                                      \
	} while (0)

	c = cert_with_url("http://mud.example.test/cam.json", 32, false, &len);
	REFUSED("not an https MUD URL");
	c = cert_with_url("https://mud.example.test/a b", 28, false, &len);
	REFUSED("not an https MUD URL");
	c = cert_with_url("https://mud.example.test/\x01", 26, false, &len);
	REFUSED("not an https MUD URL");
	c = cert_with_url("https://a.example/\0.json", 24, false, &len);
	REFUSED("with a NUL");
	c = cert_with_url("", 0, false, &len);
	REFUSED("of 0 octets");
	memset(long_url, 'a', sizeof(long_url));
	memcpy(long_url, "https://m.example/", 18);
	c = cert_with_url(long_url, 256, false, &len);
	REFUSED("of 256 octets");
	c = cert_with_url(long_url, 255, false, &len); /* 255 is still fine */
	assert_int_equal(extract(c, len, url, sizeof(url)), 0);
	assert_int_equal(strlen(url), 255);
	free(c);
	/* Not an IA5String, or more than one. */
	n = der_string(V_ASN1_UTF8STRING, URL, strlen(URL), val, sizeof(val));
	c = make_cert(val, n, 1, false, &len);
	REFUSED("not one IA5String");
	n = der_string(V_ASN1_IA5STRING, URL, strlen(URL), val, sizeof(val));
	val[n] = 0x05; /* a NULL after it */
	val[n + 1] = 0x00;
	c = make_cert(val, n + 2, 1, false, &len);
	REFUSED("not one IA5String");
	c = make_cert(val, n - 1, 1, false, &len); /* cut short */
	REFUSED("not one IA5String");
	c = make_cert(val, n, 2, false, &len);
	REFUSED("repeated id-pe-mud-url extension");
#undef REFUSED
	/* A buffer too small for the URL. */
	c = cert_with_url(URL, strlen(URL), false, &len);
	assert_int_equal(extract(c, len, url, 10), -ENOSPC);
	assert_string_equal(url, "");
	free(c);
}

static void test_not_certificates(void **state)
{
	char url[HG_URL_MAX];
	uint8_t *c, *copy;
	size_t len;

	(void)state;
	assert_int_equal(extract((const uint8_t *)"hello", 5, url, sizeof(url)), -EINVAL);
	assert_non_null(strstr(err, "not an X.509 certificate"));
	assert_int_equal(extract((const uint8_t *)"-----BEGIN CERTIFICATE-----\nAAAA\n", 33, url,
				 sizeof(url)),
		-EINVAL);
	assert_int_equal(mud_cert_url(NULL, 0, url, sizeof(url), NULL, 0), -EINVAL);
	assert_int_equal(
		extract((const uint8_t *)"\x30", MUD_CERT_MAX + 1, url, sizeof(url)), -EINVAL);
	assert_non_null(strstr(err, "certificate of 65537 bytes"));

	/* Trailing bytes after DER; every prefix of a DER certificate. */
	c = cert_with_url(URL, strlen(URL), false, &len);
	copy = malloc(len + 1);
	assert_non_null(copy);
	memcpy(copy, c, len);
	copy[len] = 0;
	assert_int_equal(extract(copy, len + 1, url, sizeof(url)), -EINVAL);
	assert_non_null(strstr(err, "1 bytes after the DER certificate"));
	for (size_t n = 1; n < len; n++) {
		uint8_t *prefix = malloc(n);

		assert_non_null(prefix);
		memcpy(prefix, c, n);
		if (extract(prefix, n, url, sizeof(url)) != -EINVAL)
			fail_msg("prefix of %zu bytes of a %zu-byte certificate accepted", n, len);
		free(prefix);
	}
	free(copy);
	free(c);
}

/* The way a manufacturer adds the extension with the openssl tool (RFC 8520 §11). */
static void test_openssl_cli(void **state)
{
	char dir[] = "/tmp/test_mud_cert.XXXXXX", cmd[1024], path[64], url[HG_URL_MAX];
	char *pem = NULL;
	size_t len = 0;
	int rc;

	(void)state;
	if (system("openssl version >/dev/null 2>&1") != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc "
		"-keyout %s/key.pem -out %s/cert.pem -subj /CN=cam-1 -days 1 "
		"-addext '1.3.6.1.5.5.7.1.25=ASN1:IA5STRING:%s' >/dev/null 2>&1",
		dir, dir, URL);
	rc = system(cmd);
	snprintf(path, sizeof(path), "%s/key.pem", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/cert.pem", dir);
	if (rc == 0)
		assert_int_equal(util_read_file(path, MUD_CERT_MAX, &pem, &len), 0);
	unlink(path);
	rmdir(dir);
	assert_int_equal(rc, 0);
	assert_int_equal(extract((const uint8_t *)pem, len, url, sizeof(url)), 0);
	assert_string_equal(url, URL);
	free(pem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_der_and_pem),
		cmocka_unit_test(test_no_extension),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_not_certificates),
		cmocka_unit_test(test_openssl_cli),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
