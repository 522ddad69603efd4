/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The IEEE MA-L registry: the organisation behind a MAC address's first three octets. */
#ifndef HG_OUI_H
#define HG_OUI_H

#include <stddef.h>
#include <stdint.h>

/* Debian's oui.txt is 5 MiB; the limit leaves room for the registry to grow. */
#define OUI_MAX_FILE (32U * 1024 * 1024)
/* Organisation names are cut to this many octets minus one (the longest registered is 94). */
#define OUI_NAME_MAX 128

struct oui_db;

/* Loads a registry from one of three formats, told apart by the first line that is neither
 * blank nor a '#' comment:
 *   - IEEE oui.txt as Debian's ieee-data ships it: "00-1A-11   (hex)\t\tGoogle, Inc." lines
 *     (the "(base 16)" and address lines are skipped);
 *   - IEEE oui.csv: the header "Registry,Assignment,Organization Name,Organization Address",
 *     then MA-L records with RFC 4180 quoting (quoted fields may span lines);
 *   - the project's fallback list (data/oui-fallback.txt): "001A11 Google, Inc." one per line,
 *     blank lines and lines starting with '#' ignored.
 * Names are made printable ASCII (Latin-1 letters lose their accents, full-width forms become
 * ASCII, anything else becomes '?'), white space is collapsed and trimmed. When an OUI appears
 * twice (the registry has a few) the first entry is kept. A file without entries is an error.
 * On success *out is a database the caller frees with oui_free. On error *out is NULL and err
 * holds "path:line: reason" (-EINVAL) or "path: reason" (-errno from reading the file, -EFBIG
 * over OUI_MAX_FILE, -EINVAL for a path that is not a regular file, -ENOMEM). */
int oui_load(const char *path, struct oui_db **out, char *err, size_t errlen);

/* The organisation of a MAC's OUI, or NULL when the registry has none, db is NULL, or the MAC is
 * locally administered (bit 0x02 of the first octet: randomised addresses) or multicast (bit
 * 0x01). The string belongs to db. */
const char *oui_lookup(const struct oui_db *db, const uint8_t mac[static 6]);

/* Distinct OUIs in db (0 for NULL). */
size_t oui_count(const struct oui_db *db);

/* NULL is a no-op. */
void oui_free(struct oui_db *db);

#endif
