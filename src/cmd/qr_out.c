/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QR codes of short texts (the gateway's DPP URI) as terminal text, PNG and SVG. */
#include "cmd/qr_out.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>
#include <zlib.h>

#define SYMBOL_MIN 21  /* version 1 */
#define SYMBOL_MAX 177 /* version 40 */

#define ANSI_ON	 "\033[97;40m" /* bright white glyphs on a black background */
#define ANSI_OFF "\033[0m"

static const uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

static bool code_ok(const struct qr_out_code *qr)
{
	return qr && qr->dark && qr->size >= SYMBOL_MIN && qr->size <= SYMBOL_MAX &&
		(qr->size - SYMBOL_MIN) % 4 == 0;
}

/* Modules per side with the quiet zone. */
static unsigned span(const struct qr_out_code *qr)
{
	return qr->size + 2 * QR_OUT_QUIET;
}

/* x, y count from the top left corner of the quiet zone; beyond the symbol all is light. */
static bool is_light(const struct qr_out_code *qr, unsigned x, unsigned y)
{
	if (x < QR_OUT_QUIET || y < QR_OUT_QUIET || x >= QR_OUT_QUIET + qr->size ||
		y >= QR_OUT_QUIET + qr->size)
		return true;
	return !qr->dark[(size_t)(y - QR_OUT_QUIET) * qr->size + (x - QR_OUT_QUIET)];
}

int qr_out_encode(const char *text, size_t len, struct qr_out_code **out)
{
	struct qr_out_code *qr = NULL;
	QRcode *sym = NULL;
	char *copy = NULL;
	int ret = 0;

	*out = NULL;
	if (len == 0 || len > QR_OUT_TEXT_MAX || memchr(text, '\0', len))
		return -EINVAL;
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	/* Level L: the code is shown on a screen or freshly printed, not worn by years on a
	 * device's label, and the lowest level gives the smallest symbol, so the largest modules
	 * in a given area; on a terminal a module is half a character cell and a typical DPP URI
	 * (about 150 bytes) stays at version 7 or 8. L still restores 7% of the codewords.
	 * QR_MODE_8 with case sensitivity: libqrencode puts runs of digits and upper-case
	 * letters in numeric or alphanumeric segments and the rest, byte for byte, in 8-bit
	 * segments; every decoder returns exactly the bytes given. */
	errno = 0;
	sym = QRcode_encodeString(copy, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	if (!sym) {
		ret = errno == ERANGE ? -ERANGE : errno == ENOMEM ? -ENOMEM : -EINVAL;
		goto out;
	}
	if (sym->width < SYMBOL_MIN || sym->width > SYMBOL_MAX) {
		ret = -EINVAL;
		goto out;
	}
	qr = calloc(1, sizeof(*qr));
	if (!qr) {
		ret = -ENOMEM;
		goto out;
	}
	qr->size = (unsigned)sym->width;
	qr->dark = malloc((size_t)qr->size * qr->size);
	if (!qr->dark) {
		ret = -ENOMEM;
		goto out;
	}
	/* libqrencode's byte per module: bit 0 is the colour, the others say what the module is
	 * (finder, timing, data) and are not ours. */
	for (size_t i = 0; i < (size_t)qr->size * qr->size; i++)
		qr->dark[i] = sym->data[i] & 1;
	*out = qr;
	qr = NULL;
out:
	qr_out_free(qr);
	QRcode_free(sym);
	free(copy);
	return ret;
}

void qr_out_free(struct qr_out_code *qr)
{
	if (!qr)
		return;
	free(qr->dark);
	free(qr);
}

int qr_out_text(const struct qr_out_code *qr, unsigned flags, char **out, size_t *outlen)
{
	/* Indexed by top light | bottom light << 1. */
	static const char *const glyph[4] = {" ", "\u2580", "\u2584", "\u2588"};
	const bool ansi = flags & QR_OUT_TEXT_ANSI;
	unsigned n, lines;
	size_t cap, len = 0;
	char *buf;

	*out = NULL;
	*outlen = 0;
	if (!code_ok(qr) || (flags & ~(unsigned)QR_OUT_TEXT_ANSI))
		return -EINVAL;
	n = span(qr);
	lines = (n + 1) / 2;
	/* Every cell at most 3 bytes (a block in UTF-8); n <= 185, so no overflow. */
	cap = (size_t)lines * (sizeof(ANSI_ON) + sizeof(ANSI_OFF) + 3 * (size_t)n + 1) + 1;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (unsigned y = 0; y < n; y += 2) {
		if (ansi) {
			memcpy(buf + len, ANSI_ON, strlen(ANSI_ON));
			len += strlen(ANSI_ON);
		}
		for (unsigned x = 0; x < n; x++) {
			/* An odd span leaves the last line's lower half outside the image:
			 * background, as a dark module would be. */
			unsigned i =
				is_light(qr, x, y) | (y + 1 < n && is_light(qr, x, y + 1)) << 1;
			size_t g = strlen(glyph[i]);

			memcpy(buf + len, glyph[i], g);
			len += g;
		}
		if (ansi) {
			memcpy(buf + len, ANSI_OFF, strlen(ANSI_OFF));
			len += strlen(ANSI_OFF);
		}
		buf[len++] = '\n';
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Length, type, data, CRC-32 of type and data (PNG §5.3); returns the end of the chunk. */
static uint8_t *put_chunk(uint8_t *p, const char type[static 4], const uint8_t *data, size_t len)
{
	uLong crc;

	put_be32(p, (uint32_t)len);
	memcpy(p + 4, type, 4);
	if (len)
		memcpy(p + 8, data, len);
	crc = crc32(0L, p + 4, (uInt)(len + 4));
	put_be32(p + 8 + len, (uint32_t)crc);
	return p + 12 + len;
}

int qr_out_png(const struct qr_out_code *qr, unsigned scale, uint8_t **out, size_t *outlen)
{
	uint8_t ihdr[13], *raw = NULL, *z = NULL, *png = NULL, *p;
	size_t px, stride, rawlen;
	uLongf zlen;
	int ret = 0;

	*out = NULL;
	*outlen = 0;
	if (!code_ok(qr) || scale < 1 || scale > QR_OUT_SCALE_MAX)
		return -EINVAL;
	/* At most 185 * 64 = 11840 pixels a side: about 17 MB of scanlines at worst. */
	px = (size_t)span(qr) * scale;
	stride = 1 + (px + 7) / 8; /* filter type byte, then 8 pixels per byte */
	rawlen = stride * px;
	raw = calloc(1, rawlen);
	if (!raw) {
		ret = -ENOMEM;
		goto out;
	}
	/* Filter type 0 (None) on every scanline: 1-bit images gain nothing from the others. */
	for (unsigned y = 0; y < span(qr); y++) {
		uint8_t *row = raw + (size_t)y * scale * stride;

		for (size_t x = 0; x < px; x++)
			if (is_light(qr, (unsigned)(x / scale), y))
				row[1 + x / 8] |= (uint8_t)(0x80 >> (x % 8));
		for (unsigned k = 1; k < scale; k++)
			memcpy(row + (size_t)k * stride, row, stride);
	}
	zlen = compressBound((uLong)rawlen);
	z = malloc(zlen);
	if (!z) {
		ret = -ENOMEM;
		goto out;
	}
	if (compress2(z, &zlen, raw, (uLong)rawlen, Z_BEST_COMPRESSION) != Z_OK) {
		ret = -ENOMEM; /* Z_MEM_ERROR; the bound makes Z_BUF_ERROR impossible */
		goto out;
	}
	put_be32(ihdr, (uint32_t)px);
	put_be32(ihdr + 4, (uint32_t)px);
	ihdr[8] = 1;  /* bit depth */
	ihdr[9] = 0;  /* colour type: greyscale */
	ihdr[10] = 0; /* compression: deflate */
	ihdr[11] = 0; /* filter method 0 */
	ihdr[12] = 0; /* no interlace */
	png = malloc(sizeof(png_signature) + 12 + sizeof(ihdr) + 12 + zlen + 12);
	if (!png) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(png, png_signature, sizeof(png_signature));
	p = png + sizeof(png_signature);
	p = put_chunk(p, "IHDR", ihdr, sizeof(ihdr));
	p = put_chunk(p, "IDAT", z, zlen);
	p = put_chunk(p, "IEND", NULL, 0);
	*outlen = (size_t)(p - png);
	*out = png;
	png = NULL;
out:
	free(png);
	free(z);
	free(raw);
	return ret;
}

int qr_out_svg(const struct qr_out_code *qr, unsigned scale, char **out, size_t *outlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	unsigned n;
	int ret = 0;

	*out = NULL;
	*outlen = 0;
	if (!code_ok(qr) || scale < 1 || scale > QR_OUT_SCALE_MAX)
		return -EINVAL;
	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	n = span(qr);
	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" "
		"viewBox=\"0 0 %u %u\" shape-rendering=\"crispEdges\">\n"
		"<rect width=\"%u\" height=\"%u\" fill=\"#fff\"/>\n<path fill=\"#000\" d=\"",
		n * scale, n * scale, n, n, n, n);
	/* One rectangle per horizontal run of dark modules. */
	for (unsigned y = 0; y < qr->size; y++) {
		for (unsigned x = 0; x < qr->size;) {
			unsigned run = 0;

			while (x + run < qr->size && qr->dark[(size_t)y * qr->size + x + run])
				run++;
			if (run)
				fprintf(f, "M%u %uh%uv1h-%uz", x + QR_OUT_QUIET, y + QR_OUT_QUIET,
					run, run);
			x += run ? run : 1;
		}
	}
	fputs("\"/>\n</svg>\n", f);
	if (ferror(f))
		ret = -ENOMEM;
	/* The stream owns buf until it is closed. */
	if (fclose(f) && !ret)
		ret = -ENOMEM;
	if (ret)
		goto out;
	*out = buf;
	*outlen = len;
	buf = NULL;
out:
	free(buf);
	return ret;
}
