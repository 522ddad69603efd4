/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `homegate analyze`: identification over capture files. */
#ifndef HG_ANALYZE_CMD_H
#define HG_ANALYZE_CMD_H

#include <stdbool.h>

/* argv[0] is "analyze". Prints every device seen in the captures with its vendor, model,
 * category, confidence and evidence (a table, or JSON with --json). Returns the exit code:
 * 0, or 2 for usage, an unreadable capture or a malformed database. */
int analyze_cmd(int argc, char **argv, bool json);

#endif
