/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The unprivileged engine process: registry, event intake, control socket (DESIGN §3). */
#ifndef HG_ENGINE_H
#define HG_ENGINE_H

#include "core/config.h"

/* Runs the engine on the IPC socket to the parent until SIGTERM or the parent goes away.
 * Called in the forked child after privileges are dropped. Returns the process exit code. */
int engine_main(const struct hg_config *cfg, int ipc_fd);

#endif
