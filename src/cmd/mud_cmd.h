/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `homegate mud ...` subcommands. */
#ifndef HG_MUD_CMD_H
#define HG_MUD_CMD_H

#include <stdbool.h>

/* argv[0] is "mud", argv[1] "check" or "compile". Returns the process exit code: 0 accepted
 * (compile: the script is on stdout), 1 rejected, 2 usage or another error. */
int mud_cmd(int argc, char **argv, bool json);

#endif
