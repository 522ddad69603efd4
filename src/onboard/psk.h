/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-device Wi-Fi credentials: hostapd's wpa_psk_file and per-station sae_password lines. */
#ifndef HG_PSK_H
#define HG_PSK_H

#include <stddef.h>

#include "core/util.h"

#define PSK_PASS_LEN	20   /* characters of a generated passphrase */
#define PSK_MAX_ENTRIES 4096 /* lines of one wpa_psk_file */
#define PSK_KEYID_MAX	31   /* hostapd's keyid[PSK_MAX_KEYID_LEN = 32] holds 31 characters */
#define PSK_VLANID_MAX	4094 /* hostapd's MAX_VLAN_ID */
/* hostapd reads the file with fgets() into 128 bytes: a longer line is split in two and the
 * first half taken as a (different) passphrase. Lines are refused, and never written, beyond
 * this many characters before the newline. */
#define PSK_LINE_MAX 126

/* One line "[keyid=<id>] [vlanid=<n>] <MAC> <passphrase or 64-hex PSK>". The all-zero MAC is
 * hostapd's "any station"; such lines may repeat, every other MAC appears at most once. */
struct psk_entry {
	struct hg_mac mac;
	char keyid[33]; /* "" when the line names none; else 1..PSK_KEYID_MAX printable, no space */
	int vlanid;	/* -1 none, else 1..PSK_VLANID_MAX */
	char pass[65];	/* 8..63 printable ASCII without space at either end, or 64 hex digits */
};

/* The owner's in-memory copy of one wpa_psk_file, entries in file order. */
struct psk_store;

/* Reads path (a missing file is an empty store). The parse is strict, at least as strict as
 * hostapd's hostapd_config_read_wpa_psk(): lines end in '\n' (the last may not), no NUL or CR,
 * at most PSK_LINE_MAX characters; a line starting with '#' is a comment and empty lines are
 * skipped; otherwise tokens separated by single spaces: optional "keyid=" and "vlanid="
 * (decimal 1..4094, no leading zero) each at most once, in any order ("wps=0", hostapd's
 * default, is also accepted and dropped), then a colon-form MAC,
 * one space, and the passphrase to the end of the line. Refused: other "name=" tokens (wps=1
 * included: the store does not carry it), a passphrase shorter than 8 or longer than 64, one of
 * 64 that is not hex, non-printable bytes, a space at either end of a passphrase (hostapd would
 * take it as part of it), a repeated non-zero MAC, more than PSK_MAX_ENTRIES lines.
 * Returns 0 with *out (free with psk_free), or -EINVAL with "path:line: reason" in err (the
 * reason never quotes a passphrase), -ENOMEM, or -errno of open/read. Comments, blank lines and
 * spacing are not kept: psk_save() writes every entry in one canonical form. */
int psk_load(const char *path, struct psk_store **out, char *err, size_t errlen);

/* Generates a PSK_PASS_LEN-character passphrase with RAND_bytes() from an alphabet without the
 * look-alikes 0 O 1 l I, and stores it for mac with keyid = the MAC's 12 lower-case hex digits
 * and vlanid (-1 none, or 1..4094). An existing entry of that MAC is replaced in place; a new one
 * goes at the end. pass_out receives the NUL-terminated passphrase (show it once; never log it).
 * Returns 0, -EINVAL (the all-zero or a multicast MAC, a bad vlanid), -ENOSPC at
 * PSK_MAX_ENTRIES, or -EIO when the random generator fails (the store is then unchanged). */
int psk_new(struct psk_store *s, const struct hg_mac *mac, int vlanid, char pass_out[static 64]);

/* Removes the entry of mac; the others keep their order. Returns 0, -ENOENT when there is none,
 * -EINVAL for the all-zero MAC (shared lines are not a device's to revoke). */
int psk_revoke(struct psk_store *s, const struct hg_mac *mac);

/* The entry of mac (the first one for the all-zero MAC), or NULL; valid until the store next
 * changes. */
const struct psk_entry *psk_get(const struct psk_store *s, const struct hg_mac *mac);

size_t psk_count(const struct psk_store *s);
/* The i-th entry in file order (for listing), or NULL when i >= psk_count(s); valid until the
 * store next changes. */
const struct psk_entry *psk_at(const struct psk_store *s, size_t i);

/* Writes every entry as "[keyid=<id> ][vlanid=<n> ]<mac> <pass>\n" to path atomically:
 * path.tmp is unlinked if stale, created O_EXCL with mode 0600, written, fsynced and renamed
 * over path, then the directory is fsynced. On any error path.tmp is removed and path is
 * untouched. Returns 0 or -errno (-ENAMETOOLONG for a path that leaves no room for ".tmp"). */
int psk_save(const struct psk_store *s, const char *path);

/* Writes "sae_password=<pass>|mac=<mac>[|vlanid=<n>][|id=<keyid>]\n" for every entry, in store
 * order, for a hostapd include file. id= comes last because hostapd (2.10 included) takes the
 * whole rest of the value after "|id=" as the identifier. An all-zero MAC line gets no mac=,
 * which hostapd reads as any station. Entries holding a 64-hex PSK are skipped: SAE needs the
 * password itself. snprintf semantics: at most len bytes, NUL-terminated when len > 0 (buf may
 * be NULL when len is 0); returns the length of the whole text, or -EINVAL when a passphrase
 * holds '|' (hostapd would split it; generated ones never do) and then writes nothing. */
int psk_sae_lines(const struct psk_store *s, char *buf, size_t len);

/* Frees the store and wipes the passphrases; NULL is a no-op. */
void psk_free(struct psk_store *s);

#endif
