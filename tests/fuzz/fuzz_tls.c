/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the TLS ClientHello parser and its JA3 and JA4 fingerprints. */
#include "observe/tls.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool zeroed(const struct tls_hello *h)
{
	static const struct tls_hello zero;

	return !memcmp(h, &zero, sizeof(zero));
}

static void check_text(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n == max)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			abort();
	/* nothing but NULs after the terminator: no stale or stack bytes in the output */
	for (size_t i = n; i < max; i++)
		if (s[i])
			abort();
}

static void check_hello(const struct tls_hello *h)
{
	if (h->nciphers > TLS_MAX_CIPHERS || h->nexts > TLS_MAX_LIST || h->ngroups > TLS_MAX_LIST ||
		h->nsig_algs > TLS_MAX_LIST || h->nec_formats > sizeof(h->ec_formats) ||
		h->nversions > sizeof(h->versions) / sizeof(h->versions[0]))
		abort();
	check_text(h->sni, sizeof(h->sni));
	check_text(h->alpn, sizeof(h->alpn));
	if ((h->flags & TLS_HELLO_HAS_SNI) ? !h->sni[0] : h->sni[0] != '\0')
		abort();
	if (!(h->flags & TLS_HELLO_HAS_ALPN) && (h->alpn[0] || h->alpn_len || h->alpn_ends[0]))
		abort();
	if ((h->flags & TLS_HELLO_HAS_ALPN) &&
		(h->alpn_len > 255 || strlen(h->alpn) != (h->alpn_len < 63 ? h->alpn_len : 63)))
		abort();
	if (!(h->flags & TLS_HELLO_HAS_VERSIONS) && h->nversions)
		abort();
	if (h->flags &
		~(unsigned)(TLS_HELLO_TRUNCATED | TLS_HELLO_HAS_SNI | TLS_HELLO_HAS_ALPN |
			TLS_HELLO_HAS_VERSIONS))
		abort();
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static unsigned count(const uint16_t *v, size_t n)
{
	unsigned k = 0;

	for (size_t i = 0; i < n; i++)
		k += !tls_is_grease(v[i]);
	return k < 99 ? k : 99;
}

static void check_fingerprints(const struct tls_hello *h)
{
	static char ja3[TLS_JA3_MAX + 1];
	char small[16], md5[33], md5b[33], ja4[TLS_JA4_LEN], ja4q[TLS_JA4_LEN];
	bool complete = !(h->flags & TLS_HELLO_TRUNCATED) && !h->dropped;
	int n = tls_ja3(h, ja3, sizeof(ja3), md5), commas = 0;

	if (!complete) {
		if (n != -EINVAL || ja3[0] || md5[0] || tls_ja4(h, 't', ja4) != -EINVAL || ja4[0])
			abort();
		return;
	}
	if (n < 0 || n > TLS_JA3_MAX || strlen(ja3) != (size_t)n || strlen(md5) != 32 ||
		!is_hex(md5, 32))
		abort();
	for (int i = 0; i < n; i++) {
		commas += ja3[i] == ',';
		if (ja3[i] != ',' && ja3[i] != '-' && (ja3[i] < '0' || ja3[i] > '9'))
			abort();
	}
	if (commas != 4)
		abort();
	/* snprintf semantics, the digest of the whole string */
	if (tls_ja3(h, small, sizeof(small), md5b) != n || strncmp(small, ja3, sizeof(small) - 1) ||
		strlen(small) != ((size_t)n < sizeof(small) ? (size_t)n : sizeof(small) - 1) ||
		strcmp(md5, md5b))
		abort();

	if (tls_ja4(h, 't', ja4) != 0 || tls_ja4(h, 'q', ja4q) != 0 || strlen(ja4) != 36 ||
		ja4[0] != 't' || ja4q[0] != 'q' || strcmp(ja4 + 1, ja4q + 1))
		abort();
	if (!strchr("1s0d", ja4[1]) || (ja4[3] != 'd' && ja4[3] != 'i') || ja4[10] != '_' ||
		ja4[23] != '_' || !is_hex(ja4 + 11, 12) || !is_hex(ja4 + 24, 12))
		abort();
	if ((unsigned)((ja4[4] - '0') * 10 + ja4[5] - '0') != count(h->ciphers, h->nciphers) ||
		(unsigned)((ja4[6] - '0') * 10 + ja4[7] - '0') != count(h->exts, h->nexts))
		abort();
	for (int i = 8; i < 10; i++)
		if (!((ja4[i] >= '0' && ja4[i] <= '9') || (ja4[i] >= 'a' && ja4[i] <= 'z') ||
			    (ja4[i] >= 'A' && ja4[i] <= 'Z')))
			abort();
	if (tls_ja4(h, 'x', ja4) != -EINVAL || ja4[0])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tls_hello h, p;
	char err[256];
	int ret = tls_client_hello_parse(data, size, &h, err, sizeof(err));
	size_t cut;

	if (ret < 0) {
		if (ret != -EINVAL || !err[0] || !zeroed(&h))
			abort();
		return 0;
	}
	if (ret == 0) {
		if (!zeroed(&h))
			abort();
		return 0;
	}
	if (ret != 1)
		abort();
	check_hello(&h);
	check_fingerprints(&h);

	/* A prefix (past the two record headers that decide "ClientHello or not") is a ClientHello
	 * too, with what the whole one has, or all of it when the hello ended there. */
	if (size <= 12)
		return 0;
	cut = 12 + data[size - 1] * (size - 12) / 256;
	ret = tls_client_hello_parse(data, cut, &p, err, sizeof(err));
	if (ret != 1)
		abort();
	check_hello(&p);
	if (!(p.flags & TLS_HELLO_TRUNCATED)) {
		if (memcmp(&p, &h, sizeof(p)))
			abort();
		return 0;
	}
	if (p.nciphers > h.nciphers || memcmp(p.ciphers, h.ciphers, p.nciphers * 2) ||
		p.nexts > h.nexts || memcmp(p.exts, h.exts, p.nexts * 2) ||
		(p.version && p.version != h.version) ||
		((p.flags & TLS_HELLO_HAS_SNI) && strcmp(p.sni, h.sni)) ||
		((p.flags & TLS_HELLO_HAS_ALPN) && strcmp(p.alpn, h.alpn)))
		abort();
	return 0;
}
