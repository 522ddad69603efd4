/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: MUD files through the parser into the nftables compiler. */
#include "mud/mud_parse.h"
#include "mud/mud_summary.h"
#include "policy/nft_compile.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The text is printable ASCII, tabs and newlines, every line ends in a newline and has its
 * quotes in pairs: nothing of the file can open or close a string or a statement. */
static void check_text(const char *s, size_t len)
{
	size_t quotes = 0;

	if (len == 0 || s[len - 1] != '\n' || strlen(s) != len)
		abort();
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"')
			quotes++;
		if (c == '\n') {
			if (quotes % 2)
				abort();
			quotes = 0;
		} else if (c != '\t' && (c < 0x20 || c > 0x7e)) {
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nftc_buf a = {0}, b = {0}, c = {0};
	struct mud_file *mf = NULL;
	struct mud_error err;
	char authority[256], id[NFTC_ID_LEN + 1], want[NFTC_ID_LEN + 1], line[32];
	int ra, rb, rc;

	if (mud_parse((const char *)data, size, NULL, &mf, &err) != 0)
		return 0;
	mud_url_host(mf->url, authority, sizeof(authority));
	ra = nftc_standalone(&a, "homegate", "br-lan", &mf->policy, authority, 0, NULL, NULL);
	rb = nftc_standalone(&b, "homegate", "br-lan", &mf->policy, authority, 0, NULL, NULL);
	rc = nftc_standalone(
		&c, "homegate", "br-lan", &mf->policy, authority, NFTC_DNS_PER_NAME, NULL, NULL);
	/* deterministic, refused exactly when nftc_check refuses, whichever DNS-name sets */
	if (ra != rb || ra != rc || (ra == 0) != (nftc_check(&mf->policy, authority, NULL, 0) == 0))
		abort();
	if (ra == 0) {
		if (a.len != b.len || memcmp(a.s, b.s, a.len) != 0)
			abort();
		check_text(a.s, a.len);
		check_text(c.s, c.len);
		if (nftc_profile_id(&mf->policy, authority, id) != 0)
			abort();
		memcpy(want, id, sizeof(id));
		memcpy(line, "# profile ", 10);
		memcpy(line + 10, want, NFTC_ID_LEN);
		line[10 + NFTC_ID_LEN] = '\n';
		line[11 + NFTC_ID_LEN] = '\0';
		if (!strstr(a.s, line) || !strstr(c.s, line))
			abort();
	} else if (a.len || b.len || c.len) {
		abort(); /* a refused policy leaves nothing behind */
	}
	nftc_buf_free(&a);
	nftc_buf_free(&b);
	nftc_buf_free(&c);
	mud_free(mf);
	return 0;
}
