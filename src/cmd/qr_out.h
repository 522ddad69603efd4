/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QR codes of short texts (the gateway's DPP URI) as terminal text, PNG and SVG. */
#ifndef HG_QR_OUT_H
#define HG_QR_OUT_H

#include <stddef.h>
#include <stdint.h>

/* Longest text encoded: a version 40-L symbol holds 2953 bytes in byte mode (ISO/IEC 18004
 * Table 7); a DPP URI is at most DPP_URI_MAX. */
#define QR_OUT_TEXT_MAX 2953
/* Light modules around the symbol on every side (ISO/IEC 18004 §6.3.8). */
#define QR_OUT_QUIET	 4
#define QR_OUT_SCALE_MAX 64 /* pixels per module in PNG and SVG */

/* One symbol, owned by the caller: qr_out_free(). */
struct qr_out_code {
	unsigned size; /* modules per side: 21 (version 1) .. 177 (version 40) */
	uint8_t *dark; /* size * size bytes, row by row from the top left: 1 dark, 0 light */
};

enum {
	/* Set the colours (white on black) with ANSI escapes instead of relying on the terminal's
	 * own: the code then reads the right way round on light and dark terminals alike. */
	QR_OUT_TEXT_ANSI = 1U << 0,
};

/* Encodes len bytes of text (no NUL among them, at most QR_OUT_TEXT_MAX) at error correction
 * level L in the smallest symbol, the modes chosen by libqrencode. On success *out is the
 * caller's. Returns 0, -EINVAL (a NUL in the text, or longer than QR_OUT_TEXT_MAX), -ERANGE
 * (does not fit in a symbol) or -ENOMEM; *out is then NULL. */
int qr_out_encode(const char *text, size_t len, struct qr_out_code **out);
/* Frees a symbol; NULL is a no-op. */
void qr_out_free(struct qr_out_code *qr);

/* The symbol and its quiet zone as UTF-8 text for a terminal: a character cell holds two
 * modules one above the other (U+2580, U+2584, U+2588 or a space), the glyphs drawn where the
 * modules are light, so that a terminal's usual light text on a dark background shows dark
 * modules on white; QR_OUT_TEXT_ANSI sets those colours explicitly. size + 2 * QR_OUT_QUIET
 * cells per line, each line ended by '\n'. On success *out (NUL-terminated, *outlen bytes
 * without the NUL) is the caller's to free(). Returns 0, -EINVAL for an unknown flag or a
 * malformed symbol, or -ENOMEM. */
int qr_out_text(const struct qr_out_code *qr, unsigned flags, char **out, size_t *outlen);

/* The symbol and its quiet zone as a 1-bit greyscale PNG (0 black, 1 white), scale pixels per
 * module (1..QR_OUT_SCALE_MAX). On success *out (*outlen bytes) is the caller's to free().
 * Returns 0, -EINVAL for a scale out of range or a malformed symbol, or -ENOMEM. */
int qr_out_png(const struct qr_out_code *qr, unsigned scale, uint8_t **out, size_t *outlen);

/* The symbol and its quiet zone as an SVG image: a white square (size + 2 * QR_OUT_QUIET) units
 * wide and one black path of the dark modules, displayed at scale pixels per module
 * (1..QR_OUT_SCALE_MAX). Ownership and errors as qr_out_text(). */
int qr_out_svg(const struct qr_out_code *qr, unsigned scale, char **out, size_t *outlen);

#endif
