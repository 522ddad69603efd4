/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the QR code writers: symbol sizes from ISO/IEC 18004's capacities, finder
 * patterns, and the text, PNG and SVG images read back module by module. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmd/qr_out.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

/* A DPP URI as `homegate dpp uri --mac .. --chan ..` writes it (the Easy Connect specification's
 * B.1 responder key). */
#define URI                                                                                \
	"DPP:C:81/"                                                                        \
	"1,6;M:020000000001;V:2;K:MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgACCcWFqRtN+f0loEUgGIX" \
	"DnMXPrjl92u2pV97Ff6DjUD8=;;"

static struct qr_out_code *encode(const char *s)
{
	struct qr_out_code *qr = NULL;

	assert_int_equal(qr_out_encode(s, strlen(s), &qr), 0);
	assert_non_null(qr);
	return qr;
}

/* The reference the images are compared with: light in the quiet zone, else !dark. */
static bool ref_light(const struct qr_out_code *qr, unsigned x, unsigned y)
{
	unsigned q = QR_OUT_QUIET;

	if (x < q || y < q || x >= q + qr->size || y >= q + qr->size)
		return true;
	return !qr->dark[(y - q) * qr->size + (x - q)];
}

/* A finder pattern (ISO/IEC 18004 §6.3.3): 7x7 dark ring, light ring, 3x3 dark centre, and
 * the light separator on its inner sides. */
static void assert_finder(const struct qr_out_code *qr, unsigned x0, unsigned y0)
{
	for (int dy = -1; dy <= 7; dy++)
		for (int dx = -1; dx <= 7; dx++) {
			int x = (int)x0 + dx, y = (int)y0 + dy;
			int ring = dx < 0 || dy < 0 || dx > 6 || dy > 6	   ? 3
				: dx == 0 || dy == 0 || dx == 6 || dy == 6 ? 0
				: dx == 1 || dy == 1 || dx == 5 || dy == 5 ? 1
									   : 2;

			if (x < 0 || y < 0 || x >= (int)qr->size || y >= (int)qr->size)
				continue;
			assert_int_equal(qr->dark[y * (int)qr->size + x], ring == 0 || ring == 2);
		}
}

static void test_encode_finders(void **state)
{
	struct qr_out_code *qr = encode(URI);

	(void)state;
	assert_int_equal((qr->size - 21) % 4, 0);
	assert_finder(qr, 0, 0);
	assert_finder(qr, qr->size - 7, 0);
	assert_finder(qr, 0, qr->size - 7);
	/* Timing pattern (§6.3.5): row and column 6 alternate between the finders. */
	for (unsigned i = 8; i < qr->size - 8; i++) {
		assert_int_equal(qr->dark[6 * qr->size + i], i % 2 == 0);
		assert_int_equal(qr->dark[i * qr->size + 6], i % 2 == 0);
	}
	/* Only colours: libqrencode's other bits are gone. */
	for (unsigned i = 0; i < qr->size * qr->size; i++)
		assert_true(qr->dark[i] <= 1);
	qr_out_free(qr);
}

static struct qr_out_code *encode_n(size_t n, char c)
{
	struct qr_out_code *qr = NULL;
	char *s = malloc(n);

	assert_non_null(s);
	memset(s, c, n);
	assert_int_equal(qr_out_encode(s, n, &qr), 0);
	free(s);
	return qr;
}

/* ISO/IEC 18004:2015 Table 7, level L, byte mode: version 1 holds 17 bytes, version 2 holds
 * 32, version 40 holds 2953. Lower-case letters have no smaller mode. */
static void test_encode_sizes(void **state)
{
	struct qr_out_code *qr;
	char *s;

	(void)state;
	qr = encode_n(17, 'a');
	assert_int_equal(qr->size, 21);
	qr_out_free(qr);
	qr = encode_n(18, 'a');
	assert_int_equal(qr->size, 25);
	qr_out_free(qr);
	qr = encode_n(32, 'a');
	assert_int_equal(qr->size, 25);
	qr_out_free(qr);
	qr = encode_n(33, 'a');
	assert_int_equal(qr->size, 29);
	qr_out_free(qr);
	qr = encode_n(QR_OUT_TEXT_MAX, 'a');
	assert_int_equal(qr->size, 177);
	qr_out_free(qr);

	s = calloc(1, QR_OUT_TEXT_MAX + 2);
	assert_non_null(s);
	memset(s, 'a', QR_OUT_TEXT_MAX + 1);
	qr = (struct qr_out_code *)s; /* must be reset to NULL */
	assert_int_equal(qr_out_encode(s, QR_OUT_TEXT_MAX + 1, &qr), -EINVAL);
	assert_null(qr);
	/* A NUL inside the text, and no text at all, are refused. */
	s[100] = '\0';
	assert_int_equal(qr_out_encode(s, QR_OUT_TEXT_MAX, &qr), -EINVAL);
	assert_null(qr);
	assert_int_equal(qr_out_encode(s, 0, &qr), -EINVAL);
	free(s);
	qr_out_free(NULL);
}

/* Reads one glyph at *p; returns its light bits (top | bottom << 1) or -1. */
static int glyph(const char **p)
{
	static const char *const g[4] = {" ", "\u2580", "\u2584", "\u2588"};

	for (int i = 0; i < 4; i++)
		if (strncmp(*p, g[i], strlen(g[i])) == 0) {
			*p += strlen(g[i]);
			return i;
		}
	return -1;
}

static void check_text(const struct qr_out_code *qr, bool ansi)
{
	unsigned n = qr->size + 2 * QR_OUT_QUIET, lines = 0;
	char *txt = NULL;
	const char *p;
	size_t len = 0;

	assert_int_equal(qr_out_text(qr, ansi ? QR_OUT_TEXT_ANSI : 0, &txt, &len), 0);
	assert_int_equal(strlen(txt), len);
	p = txt;
	for (unsigned y = 0; *p; y += 2, lines++) {
		if (ansi) {
			assert_memory_equal(p, "\033[97;40m", 8);
			p += 8;
		}
		for (unsigned x = 0; x < n; x++) {
			int g = glyph(&p);

			assert_true(g >= 0);
			assert_int_equal(g & 1, ref_light(qr, x, y));
			/* Below an odd image: no glyph, the background. */
			assert_int_equal(g >> 1, y + 1 < n && ref_light(qr, x, y + 1));
		}
		if (ansi) {
			assert_memory_equal(p, "\033[0m", 4);
			p += 4;
		}
		assert_int_equal(*p, '\n');
		p++;
	}
	assert_int_equal(lines, (n + 1) / 2);
	free(txt);
}

static void test_text(void **state)
{
	struct qr_out_code *qr = encode(URI);
	char *txt = (char *)qr;
	size_t len = 1;

	(void)state;
	check_text(qr, false);
	check_text(qr, true);
	/* The first line is quiet zone only: full blocks, n of them. */
	assert_int_equal(qr_out_text(qr, 0, &txt, &len), 0);
	assert_int_equal(strcspn(txt, "\n"), 3 * (qr->size + 2 * QR_OUT_QUIET));
	assert_memory_equal(txt, "\u2588\u2588\u2588", 9);
	free(txt);
	assert_int_equal(qr_out_text(qr, 1U << 5, &txt, &len), -EINVAL);
	assert_null(txt);
	assert_int_equal(len, 0);
	qr_out_free(qr);
}

/* CRC-32 bit by bit as PNG's Annex D defines it, independent of zlib's tables. */
static uint32_t crc_bitwise(const uint8_t *p, size_t len)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xffffffffu;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void check_png(const struct qr_out_code *qr, unsigned scale)
{
	static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	unsigned px = (qr->size + 2 * QR_OUT_QUIET) * scale;
	size_t stride = 1 + (px + 7) / 8, len = 0, pos = 8, nchunks = 0;
	uint8_t *png = NULL, *raw;
	uLongf rawlen = stride * px + 1;
	const uint8_t *idat = NULL;
	size_t idatlen = 0;

	assert_int_equal(qr_out_png(qr, scale, &png, &len), 0);
	assert_true(len > 8 + 25 + 12 + 12);
	assert_memory_equal(png, sig, 8);
	while (pos < len) {
		uint32_t clen;
		const uint8_t *type;

		assert_true(len - pos >= 12);
		clen = be32(png + pos);
		assert_true(clen <= len - pos - 12);
		type = png + pos + 4;
		assert_int_equal(be32(png + pos + 8 + clen), crc_bitwise(type, clen + 4));
		if (nchunks == 0) {
			assert_memory_equal(type, "IHDR", 4);
			assert_int_equal(clen, 13);
			assert_int_equal(be32(type + 4), px);
			assert_int_equal(be32(type + 8), px);
			assert_memory_equal(type + 12, "\x01\x00\x00\x00\x00", 5);
		} else if (memcmp(type, "IDAT", 4) == 0) {
			assert_null(idat);
			idat = type + 4;
			idatlen = clen;
		} else {
			assert_memory_equal(type, "IEND", 4);
			assert_int_equal(clen, 0);
			assert_int_equal(pos + 12, len); /* nothing after IEND */
		}
		pos += 12 + clen;
		nchunks++;
	}
	assert_int_equal(nchunks, 3);
	assert_non_null(idat);
	/* One byte of room: exactly stride * px, not more. */
	raw = malloc(rawlen);
	assert_non_null(raw);
	assert_int_equal(uncompress(raw, &rawlen, idat, idatlen), Z_OK);
	assert_int_equal(rawlen, stride * px);
	for (unsigned y = 0; y < px; y++) {
		const uint8_t *row = raw + (size_t)y * stride;

		assert_int_equal(row[0], 0);
		for (unsigned x = 0; x < px; x++)
			assert_int_equal((row[1 + x / 8] >> (7 - x % 8)) & 1,
				ref_light(qr, x / scale, y / scale));
	}
	free(raw);
	free(png);
}

static void test_png(void **state)
{
	/* PNG's IEND chunk always ends in this CRC (PNG specification §5.6). */
	static const uint8_t iend[] = {'I', 'E', 'N', 'D'};
	struct qr_out_code *qr = encode(URI);
	uint8_t *png = (uint8_t *)qr;
	size_t len = 1;

	(void)state;
	assert_int_equal(crc_bitwise(iend, 4), 0xae426082u);
	check_png(qr, 1);
	check_png(qr, 3); /* rows not a multiple of 8 pixels */
	check_png(qr, 8);
	assert_int_equal(qr_out_png(qr, 0, &png, &len), -EINVAL);
	assert_null(png);
	assert_int_equal(len, 0);
	assert_int_equal(qr_out_png(qr, QR_OUT_SCALE_MAX + 1, &png, &len), -EINVAL);
	qr_out_free(qr);
}

static void test_svg(void **state)
{
	struct qr_out_code *qr = encode(URI);
	unsigned n = qr->size + 2 * QR_OUT_QUIET, x, y, w, w2;
	char *svg = NULL, head[160], *p;
	uint8_t *painted = calloc(1, (size_t)n * n);
	size_t len = 0;
	int used;

	(void)state;
	assert_non_null(painted);
	assert_int_equal(qr_out_svg(qr, 8, &svg, &len), 0);
	assert_int_equal(strlen(svg), len);
	snprintf(head, sizeof(head), "width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\"", n * 8,
		n * 8, n, n);
	assert_non_null(strstr(svg, head));
	snprintf(head, sizeof(head), "<rect width=\"%u\" height=\"%u\" fill=\"#fff\"/>", n, n);
	assert_non_null(strstr(svg, head));
	p = strstr(svg, "<path fill=\"#000\" d=\"");
	assert_non_null(p);
	p += strlen("<path fill=\"#000\" d=\"");
	while (*p == 'M') {
		assert_int_equal(sscanf(p, "M%u %uh%uv1h-%uz%n", &x, &y, &w, &w2, &used), 4);
		assert_int_equal(w, w2);
		assert_true(w > 0 && x + w <= n && y < n);
		for (unsigned i = 0; i < w; i++) {
			assert_int_equal(painted[y * n + x + i], 0); /* no overlaps */
			painted[y * n + x + i] = 1;
		}
		p += used;
	}
	assert_string_equal(p, "\"/>\n</svg>\n");
	for (y = 0; y < n; y++)
		for (x = 0; x < n; x++)
			assert_int_equal(painted[y * n + x], !ref_light(qr, x, y));
	free(svg);
	assert_int_equal(qr_out_svg(qr, 0, &svg, &len), -EINVAL);
	assert_null(svg);
	free(painted);
	qr_out_free(qr);
}

static void test_malformed_symbol(void **state)
{
	uint8_t dark[23 * 23] = {0};
	struct qr_out_code bad = {.size = 23, .dark = dark};
	struct qr_out_code none = {.size = 21, .dark = NULL};
	uint8_t *png;
	char *txt;
	size_t len;

	(void)state;
	assert_int_equal(qr_out_text(&bad, 0, &txt, &len), -EINVAL);
	assert_int_equal(qr_out_png(&bad, 8, &png, &len), -EINVAL);
	assert_int_equal(qr_out_svg(&bad, 8, &txt, &len), -EINVAL);
	assert_int_equal(qr_out_text(&none, 0, &txt, &len), -EINVAL);
	bad.size = 181;
	assert_int_equal(qr_out_png(&bad, 1, &png, &len), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_finders),
		cmocka_unit_test(test_encode_sizes),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_png),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_malformed_symbol),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
