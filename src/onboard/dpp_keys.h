/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The gateway's own long-term DPP keys (bootstrapping, Configurator C-sign), kept once. */
#ifndef HG_DPP_KEYS_H
#define HG_DPP_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>

enum dpp_key_kind {
	DPP_KEY_BOOTSTRAP = 1, /* dpp-bootstrap.pem: the key of the gateway's own DPP URI */
	DPP_KEY_CSIGN,	       /* dpp-csign.pem: the Configurator's Connector signing key */
};

/* The file name of a kind inside the state directory, or NULL for an unknown kind. */
const char *dpp_key_file(enum dpp_key_kind kind);

/* The gateway's own long-term DPP key of kind in dir (the state directory, /var/lib/homegate):
 * a P-256 EC private key in PEM (PKCS#8), created on first use when create is set (generated,
 * written to a temporary file O_CREAT|O_EXCL|O_NOFOLLOW 0600, fsync, renamed into place
 * without replacing anything, fsync of dir) and loaded afterwards. Should another process
 * create the file in between, its key is loaded instead and both agree.
 * A key file that is a symbolic link or not a regular file, that group or other may access,
 * that does not parse as a PEM private key, or that is not an EC key on P-256 is refused:
 * never regenerated over (the key is the gateway's identity, and Connectors signed with it
 * must still verify after a restart).
 * Returns 0 with *out a new reference the caller frees with EVP_PKEY_free(); -ENOENT when the
 * file is absent and !create; otherwise -errno / -EINVAL with *out NULL. On any error err
 * (when errlen > 0) holds a one-line reason naming the file. */
int dpp_key_get(const char *dir, enum dpp_key_kind kind, bool create, EVP_PKEY **out, char *err,
	size_t errlen);

#endif
