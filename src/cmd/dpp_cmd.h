/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `homegate dpp`: the gateway's own DPP bootstrapping URI and its QR code, offline. */
#ifndef HG_DPP_CMD_H
#define HG_DPP_CMD_H

#include <stdbool.h>

/* argv[0] is "dpp", argv[1] "uri". Loads the gateway's bootstrapping key from the state
 * directory (creating it on first use) and prints its URI on one line, or with --json
 * {"uri":..,"key_hash":..}, or with --qr text|png|svg [--output FILE] its QR code. Returns the
 * exit code: 0, 1 when the key is refused or cannot be created or the code cannot be written
 * (the reason on stderr), 2 for usage. */
int dpp_cmd(int argc, char **argv, bool json);

#endif
