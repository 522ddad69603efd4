/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: psk_load on arbitrary file content; what it accepts must survive
 * save -> load unchanged and give sae_password lines of the length it announces. */
#include "onboard/psk.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];
static char in_path[128], out_path[128];

static void init(void)
{
	snprintf(dir, sizeof(dir), "/tmp/fuzz_psk.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(in_path, sizeof(in_path), "%s/in", dir);
	snprintf(out_path, sizeof(out_path), "%s/out", dir);
}

static bool entry_equal(const struct psk_entry *a, const struct psk_entry *b)
{
	return util_mac_equal(&a->mac, &b->mac) && !strcmp(a->keyid, b->keyid) &&
		a->vlanid == b->vlanid && !strcmp(a->pass, b->pass);
}

static void check_entry(const struct psk_entry *e)
{
	size_t n = strnlen(e->pass, sizeof(e->pass));

	if (n == sizeof(e->pass) || n < 8 || n > 64 || e->pass[0] == ' ' || e->pass[n - 1] == ' ')
		abort();
	if (strnlen(e->keyid, sizeof(e->keyid)) > PSK_KEYID_MAX)
		abort();
	if (e->vlanid != -1 && (e->vlanid < 1 || e->vlanid > PSK_VLANID_MAX))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct psk_store *s = NULL, *t = NULL;
	char err[256];
	FILE *f;

	if (!dir[0])
		init();
	f = fopen(in_path, "w");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f))
		abort();
	if (psk_load(in_path, &s, err, sizeof(err)) < 0) {
		if (s || strncmp(err, in_path, strlen(in_path)))
			abort();
		return 0;
	}
	if (psk_save(s, out_path) < 0)
		abort();
	if (psk_load(out_path, &t, err, sizeof(err)) < 0)
		abort();
	if (psk_count(s) != psk_count(t))
		abort();
	for (size_t i = 0; i < psk_count(s); i++) {
		const struct psk_entry *a = psk_at(s, i), *b = psk_at(t, i);

		if (!a || !b || !entry_equal(a, b))
			abort();
		check_entry(a);
		if (!entry_equal(psk_get(s, &a->mac), psk_get(t, &a->mac)))
			abort();
	}
	if (psk_at(s, psk_count(s)))
		abort();
	{
		char *x = NULL, *y = NULL;
		size_t xl, yl;
		int n = psk_sae_lines(s, NULL, 0);

		if (n >= 0) {
			char *buf = malloc((size_t)n + 1);

			if (!buf || psk_sae_lines(s, buf, (size_t)n + 1) != n ||
				strlen(buf) != (size_t)n)
				abort();
			free(buf);
		}
		/* The saved file is canonical: saving what was read back gives the same bytes. */
		if (util_read_file(out_path, 1U << 20, &x, &xl) < 0 || psk_save(t, out_path) < 0 ||
			util_read_file(out_path, 1U << 20, &y, &yl) < 0 || xl != yl ||
			memcmp(x, y, xl))
			abort();
		free(x);
		free(y);
	}
	psk_free(s);
	psk_free(t);
	unlink(out_path);
	return 0;
}
