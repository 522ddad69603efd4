/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: control socket requests against a real registry in a temporary store. */
#include "api/control.h"
#include "core/log.h"
#include "core/store.h"
#include "engine/ctlmgr.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct control *ctl;
static struct control_status status;
static char dir[] = "/tmp/hg-fuzz-ctl.XXXXXX";

static void cleanup(void)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/db", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/db-shm", dir);
	unlink(path);
	rmdir(dir);
}

static void init(void)
{
	char path[64];
	struct registry *reg;
	struct ctlmgr *cm;
	struct store *st;

	log_init("fuzz", true, LOG_LEVEL_ERR);
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/db", dir);
	if (store_open(path, &st) || registry_open(st, 64, &reg) ||
		control_open(ev_loop_new(), -1, reg, &status, &ctl) || ctlmgr_open(st, &cm))
		abort();
	control_set_controllers(ctl, cm); /* the controller_* commands reach the store */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *resp;

	if (!ctl)
		init();
	if (size > CONTROL_MAX_REQUEST)
		return 0;
	resp = control_handle(ctl, (const char *)data, size, "user:fuzz");
	if (!resp || strchr(resp, '\n'))
		abort();
	free(resp);
	return 0;
}
