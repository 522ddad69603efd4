/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Control socket served by the engine for the homegate CLI: newline-delimited JSON. */
#ifndef HG_CONTROL_H
#define HG_CONTROL_H

#include <limits.h>
#include <stdint.h>

#include "core/evloop.h"
#include "engine/registry.h"

/*
 * Protocol: one JSON object per line in each direction, request then response.
 *   {"cmd":"status"} {"cmd":"devices"} {"cmd":"device","mac":"aa:bb:cc:dd:ee:ff"}
 *   {"cmd":"approve"|"block"|"quarantine"|"release"|"forget","mac":"..","why":".."}
 *   {"cmd":"log","mac":"..","limit":N}            (mac optional, limit 1..1000, default 50)
 * Responses: {"ok":true,"result":...} or
 *   {"ok":false,"code":"bad_request|not_found|invalid_transition|already|busy|internal",
 *    "error":"human message"}
 * A request line is at most CONTROL_MAX_REQUEST bytes; a longer one gets an error and the
 * connection is closed. Unknown members and wrong types are bad_request.
 */
#define CONTROL_MAX_REQUEST (64 * 1024)
#define CONTROL_MAX_CLIENTS 32
#define CONTROL_IDLE_MS	    30000

/* What status reports besides the registry; owned and updated by the engine. */
struct control_status {
	int64_t engine_start, parent_start;
	unsigned engine_restarts;
	char state_dir[PATH_MAX];
};

struct control;

/* Serves the listening socket listen_fd (not owned: the caller closes it) from loop. */
int control_open(struct ev_loop *loop, int listen_fd, struct registry *reg,
	const struct control_status *status, struct control **out);
/* Closes every client connection. NULL is a no-op. */
void control_close(struct control *ctl);

/* Handles one request line (len bytes, no newline) as the actor who, and returns the response
 * as a NUL-terminated string the caller frees. Exposed for tests and the fuzz harness. */
char *control_handle(struct control *ctl, const char *req, size_t len, const char *who);

#endif
