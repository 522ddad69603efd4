/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by every stage: MAC addresses, bounded strings, clocks, safe alphabets. */
#ifndef HG_UTIL_H
#define HG_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a)			(sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

struct hg_mac {
	uint8_t b[6];
};

/* "aa:bb:cc:dd:ee:ff" plus NUL. */
#define HG_MAC_STRLEN 18

/* Accepts "aa:bb:cc:dd:ee:ff" and "aa-bb-..." in either case; returns 0 or -EINVAL. */
int util_mac_parse(const char *s, struct hg_mac *out);
/* Writes lower-case colon form into buf; returns buf. */
char *util_mac_format(const struct hg_mac *mac, char buf[static HG_MAC_STRLEN]);
bool util_mac_equal(const struct hg_mac *a, const struct hg_mac *b);

/* Copies at most dstlen-1 bytes and always terminates; returns strlen(src) (truncation when
 * the result is >= dstlen). */
size_t util_strlcpy(char *dst, const char *src, size_t dstlen);

/* Seconds since the epoch / milliseconds on the monotonic clock. */
int64_t util_now(void);
int64_t util_mono_ms(void);

/* True when s is 1..maxlen bytes of [A-Za-z0-9_-] (safe for nft identifiers, file names). */
bool util_is_ident(const char *s, size_t maxlen);
/* True when s is printable ASCII without control characters, at most maxlen bytes. */
bool util_is_printable(const char *s, size_t maxlen);
/* Copies printable ASCII from src (len bytes, need not be terminated) to dst, replacing every
 * other byte with '?'; always terminates. Returns the number of bytes written. */
size_t util_sanitize(char *dst, size_t dstlen, const char *src, size_t len);

/* Parses a decimal integer in [min, max]; rejects signs where min >= 0, trailing junk and
 * overflow. Returns 0 or -EINVAL / -ERANGE. */
int util_parse_int(const char *s, long long min, long long max, long long *out);

/* Parses an IPv4 or IPv6 address, optionally followed by "#PORT" (dnsmasq's notation, port
 * 1..65535), into out with port default_port when none is given. 0 or -EINVAL. */
struct sockaddr_storage;
int util_parse_addr_port(const char *s, uint16_t default_port, struct sockaddr_storage *out);
/* Parses "192.0.2.1:8908" or "[2001:db8::1]:8908" (a numeric address and a port 1..65535,
 * the notation of URLs and [dpp] listen) into out, *len the size of its sockaddr. 0 or
 * -EINVAL. */
int util_parse_host_port(const char *s, struct sockaddr_storage *out, unsigned *len);

/* Reads a whole file of at most maxlen bytes into a NUL-terminated buffer the caller frees. */
int util_read_file(const char *path, size_t maxlen, char **out, size_t *outlen);
/* Writes a file atomically (temp file, fsync, rename) with the given mode. */
int util_write_file_atomic(const char *path, const void *buf, size_t len, unsigned mode);

/* Value of one hexadecimal digit, or -1. */
int util_hexval(char c);

/* Writes a formatted reason into err (when errlen > 0) and returns -EINVAL: the one-line
 * rejection of every parser. */
int util_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
