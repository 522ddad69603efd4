/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the set-element batches, in a private network namespace (root; skipped
 * otherwise). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/util.h"
#include "policy/nft_batch.h"

#include <errno.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char out[262144];

/* Runs nft text; the listing lands in out. Returns nft's result code. */
static int nft(const char *cmd)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	int rc;

	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	rc = nft_run_cmd_from_buffer(ctx, cmd);
	util_strlcpy(out, nft_ctx_get_output_buffer(ctx), sizeof(out));
	nft_ctx_free(ctx);
	return rc;
}

#define CHECK(cond, code)                                             \
	do {                                                          \
		if (!(cond)) {                                        \
			fprintf(stderr, "check failed: %s\n", #cond); \
			_exit(code);                                  \
		}                                                     \
	} while (0)

static const char base[] = "add table inet hgt\n"
			   "add chain inet hgt c\n"
			   "add map inet hgt m { type ether_addr : verdict; }\n"
			   "add set inet hgt s4 { type ipv4_addr; }\n"
			   "add set inet hgt s6 { type ipv6_addr; }\n"
			   "add table bridge hgt\n"
			   "add chain bridge hgt bc\n"
			   "add map bridge hgt bm { type ether_addr : verdict; }\n"
			   "add set bridge hgt mfg_000000000001 { type ether_addr; }\n";

static void names(const char *name, void *arg)
{
	char *acc = arg;
	size_t n = strlen(acc);

	snprintf(acc + n, 256 - n, "%s,", name);
}

static int scenario(void)
{
	static const uint8_t m1[6] = {2, 0, 0, 0, 0, 1}, m2[6] = {2, 0, 0, 0, 0, 2},
			     m3[6] = {2, 0, 0, 0, 0, 3};
	static const uint8_t a4[4] = {10, 0, 0, 1}, a4b[4] = {10, 0, 0, 9};
	static const uint8_t a6[16] = {0xfd, 0, [15] = 1};
	struct nft_batch_error e;
	struct nft_batch *b, *bad;
	char before[sizeof(out)], acc[256] = "";

	CHECK(nft(base) == 0, 1);
	CHECK(nft_batch_open("hgt", &b) == 0, 1);
	CHECK(nft_batch_open("bad name!", &bad) == -EINVAL, 1);
	CHECK(nft_batch_open("", &bad) == -EINVAL, 1);

	/* an empty transaction sends nothing and succeeds */
	nft_batch_begin(b);
	CHECK(nft_batch_commit(b, &e) == 0 && e.err == 0, 2);

	/* adds: map entries with jump verdicts, IPv4 and IPv6 keys, in one transaction */
	nft_batch_begin(b);
	CHECK(nft_batch_add(b, NFT_BATCH_INET, "m", NFT_BATCH_ETHER, m1, "c") == 0, 3);
	CHECK(nft_batch_add(b, NFT_BATCH_INET, "m", NFT_BATCH_ETHER, m2, "c") == 0, 3);
	CHECK(nft_batch_add(b, NFT_BATCH_INET, "s4", NFT_BATCH_IPV4, a4, NULL) == 0, 3);
	CHECK(nft_batch_add(b, NFT_BATCH_INET, "s6", NFT_BATCH_IPV6, a6, NULL) == 0, 3);
	CHECK(nft_batch_add(b, NFT_BATCH_BRIDGE, "bm", NFT_BATCH_ETHER, m1, "bc") == 0, 3);
	CHECK(nft_batch_count(b) == 5, 3);
	CHECK(nft_batch_commit(b, &e) == 0, 3);
	CHECK(nft("list table inet hgt") == 0, 3);
	CHECK(strstr(out, "02:00:00:00:00:01 : jump c") &&
			strstr(out, "02:00:00:00:00:02 : jump c"),
		3);
	CHECK(strstr(out, "elements = { 10.0.0.1 }") && strstr(out, "elements = { fd00::1 }"), 3);
	CHECK(nft("list map bridge hgt bm") == 0 && strstr(out, "02:00:00:00:00:01 : jump bc"), 3);
	/* adding what is there with the same data is no error (`add element`) */
	CHECK(nft_batch_commit(b, &e) == 0, 3);

	/* deletes */
	nft_batch_begin(b);
	CHECK(nft_batch_del(b, NFT_BATCH_INET, "m", NFT_BATCH_ETHER, m1) == 0, 4);
	CHECK(nft_batch_del(b, NFT_BATCH_INET, "s4", NFT_BATCH_IPV4, a4) == 0, 4);
	CHECK(nft_batch_commit(b, &e) == 0, 4);
	CHECK(nft("list table inet hgt") == 0, 4);
	CHECK(!strstr(out, "02:00:00:00:00:01") && strstr(out, "02:00:00:00:00:02 : jump c"), 4);
	CHECK(!strstr(out, "10.0.0.1"), 4);

	/* a delete of an absent element refuses the whole transaction and names the element;
	 * the add before it is not applied either */
	CHECK(nft("list ruleset") == 0, 5);
	memcpy(before, out, sizeof(before));
	nft_batch_begin(b);
	CHECK(nft_batch_add(b, NFT_BATCH_INET, "s4", NFT_BATCH_IPV4, a4b, NULL) == 0, 5);
	CHECK(nft_batch_del(b, NFT_BATCH_INET, "m", NFT_BATCH_ETHER, m3) == 0, 5);
	CHECK(nft_batch_commit(b, &e) == -ENOENT, 5);
	CHECK(e.err == -ENOENT && e.op == 1, 5);
	CHECK(strcmp(e.what, "delete inet m 02:00:00:00:00:03") == 0, 5);
	CHECK(nft("list ruleset") == 0 && strcmp(out, before) == 0, 5);

	/* an add into a set that does not exist: the kernel's errno, the operation, no change */
	nft_batch_begin(b);
	CHECK(nft_batch_add(b, NFT_BATCH_INET, "s4", NFT_BATCH_IPV4, a4b, NULL) == 0, 6);
	CHECK(nft_batch_add(b, NFT_BATCH_INET, "nosuch", NFT_BATCH_IPV4, a4b, NULL) == 0, 6);
	CHECK(nft_batch_commit(b, &e) == -ENOENT && e.err == -ENOENT && e.op == 1, 6);
	CHECK(strcmp(e.what, "add inet nosuch 10.0.0.9") == 0, 6);
	CHECK(nft("list ruleset") == 0 && strcmp(out, before) == 0, 6);

	/* inside one message of several elements, the refused one is named (a jump to a chain
	 * that does not exist) */
	nft_batch_begin(b);
	CHECK(nft_batch_add(b, NFT_BATCH_INET, "m", NFT_BATCH_ETHER, m1, "c") == 0, 7);
	CHECK(nft_batch_add(b, NFT_BATCH_INET, "m", NFT_BATCH_ETHER, m3, "nochain") == 0, 7);
	CHECK(nft_batch_commit(b, &e) == -ENOENT && e.op == 1, 7);
	CHECK(strcmp(e.what, "add inet m 02:00:00:00:00:03 jump nochain") == 0, 7);
	CHECK(nft("list ruleset") == 0 && strcmp(out, before) == 0, 7);

	/* an invalid name is refused when queued and nothing of the transaction is sent */
	nft_batch_begin(b);
	CHECK(nft_batch_add(b, NFT_BATCH_INET, "s4", NFT_BATCH_IPV4, a4b, NULL) == 0, 8);
	CHECK(nft_batch_add(b, NFT_BATCH_INET, "s4; flush ruleset", NFT_BATCH_IPV4, a4b, NULL) ==
			-EINVAL,
		8);
	CHECK(nft_batch_add(b, NFT_BATCH_INET, "m", NFT_BATCH_ETHER, m3, "c d") == -EINVAL, 8);
	CHECK(nft_batch_commit(b, &e) == -EINVAL && e.err == -EINVAL, 8);
	CHECK(nft("list ruleset") == 0 && strcmp(out, before) == 0, 8);
	nft_batch_begin(b);
	CHECK(nft_batch_flush(b, NFT_BATCH_INET, "") == -EINVAL, 8);
	CHECK(nft_batch_flush(b, NFT_BATCH_INET, "a_name_of_thirty_two_characters_") == -EINVAL, 8);
	nft_batch_begin(b); /* begin forgets the error */
	CHECK(nft_batch_commit(b, &e) == 0, 8);

	/* flush empties a map; other sets keep their elements */
	nft_batch_begin(b);
	CHECK(nft_batch_flush(b, NFT_BATCH_INET, "m") == 0, 9);
	CHECK(nft_batch_commit(b, &e) == 0, 9);
	CHECK(nft("list table inet hgt") == 0, 9);
	CHECK(!strstr(out, "02:00:00:00:00:02") && strstr(out, "fd00::1"), 9);

	/* a set created here is the declaration `add set` makes: nft accepts it again, and a set
	 * nft made is accepted by us */
	nft_batch_begin(b);
	CHECK(nft_batch_new_set(b, NFT_BATCH_BRIDGE, "mdl_000000000002", NFT_BATCH_ETHER) == 0, 10);
	CHECK(nft_batch_add(b, NFT_BATCH_BRIDGE, "mdl_000000000002", NFT_BATCH_ETHER, m2, NULL) ==
			0,
		10);
	CHECK(nft_batch_new_set(b, NFT_BATCH_BRIDGE, "mfg_000000000001", NFT_BATCH_ETHER) == 0, 10);
	CHECK(nft_batch_add(b, NFT_BATCH_BRIDGE, "mfg_000000000001", NFT_BATCH_ETHER, m1, NULL) ==
			0,
		10);
	CHECK(nft_batch_commit(b, &e) == 0, 10);
	CHECK(nft("add set bridge hgt mdl_000000000002 { type ether_addr; }") == 0, 10);
	CHECK(nft("list set bridge hgt mdl_000000000002") == 0, 10);
	CHECK(strstr(out, "type ether_addr") && strstr(out, "elements = { 02:00:00:00:00:02 }"),
		10);
	CHECK(nft("list set bridge hgt mfg_000000000001") == 0, 10);
	CHECK(strstr(out, "elements = { 02:00:00:00:00:01 }"), 10);

	/* the kernel's listing of our table's sets */
	CHECK(nft("add table bridge other\nadd set bridge other x { type ether_addr; }") == 0, 11);
	CHECK(nft_batch_sets(b, NFT_BATCH_BRIDGE, names, acc) == 0, 11);
	CHECK(strstr(acc, "bm,") && strstr(acc, "mfg_000000000001,") &&
			strstr(acc, "mdl_000000000002,") && !strstr(acc, "x,"),
		11);

	/* a transaction of many messages: 3000 elements, 256 a message */
	nft_batch_begin(b);
	for (unsigned i = 0; i < 3000; i++) {
		uint8_t k[4] = {10, 1, (uint8_t)(i >> 8), (uint8_t)i};

		CHECK(nft_batch_add(b, NFT_BATCH_INET, "s4", NFT_BATCH_IPV4, k, NULL) == 0, 12);
	}
	CHECK(nft_batch_commit(b, &e) == 0, 12);
	CHECK(nft("list set inet hgt s4") == 0, 12);
	CHECK(strstr(out, "10.1.0.0,") && strstr(out, "10.1.11.183"), 12);

	/* elements with their own timeout (dnsbind's): a re-add sets the new one; 0 is refused */
	CHECK(nft("add set inet hgt t4 { type ipv4_addr; flags timeout; }") == 0, 13);
	nft_batch_begin(b);
	CHECK(nft_batch_add_timeout(b, NFT_BATCH_INET, "t4", NFT_BATCH_IPV4, a4, 60000) == 0, 13);
	CHECK(nft_batch_add_timeout(b, NFT_BATCH_INET, "t4", NFT_BATCH_IPV4, a4b, 3660000) == 0,
		13);
	CHECK(nft_batch_commit(b, &e) == 0, 13);
	CHECK(nft("list set inet hgt t4") == 0, 13);
	CHECK(strstr(out, "10.0.0.1 timeout 1m expires") &&
			strstr(out, "10.0.0.9 timeout 1h1m expires"),
		13);
	nft_batch_begin(b);
	CHECK(nft_batch_add_timeout(b, NFT_BATCH_INET, "t4", NFT_BATCH_IPV4, a4, 120000) == 0, 13);
	CHECK(nft_batch_commit(b, &e) == 0, 13);
	CHECK(nft("list set inet hgt t4") == 0 && strstr(out, "10.0.0.1 timeout 2m expires"), 13);
	nft_batch_begin(b);
	CHECK(nft_batch_add_timeout(b, NFT_BATCH_INET, "t4", NFT_BATCH_IPV4, a4, 0) == -EINVAL, 13);
	CHECK(nft_batch_commit(b, &e) == -EINVAL, 13);
	/* a set without `flags timeout` refuses an element with one, and nothing is applied */
	nft_batch_begin(b);
	CHECK(nft_batch_add_timeout(b, NFT_BATCH_INET, "s4", NFT_BATCH_IPV4, a4, 60000) == 0, 13);
	CHECK(nft_batch_commit(b, &e) < 0, 13);
	CHECK(nft("list set inet hgt s4") == 0 && !strstr(out, "10.0.0.1"), 13);

	/* a DNS name's key (name id . address) into a set of dnsname4's / dnsname6's shape, as
	 * nft lists it; a refusal names the element that way; no NEWSET of that kind */
	CHECK(nft("add set inet hgt n4 { typeof numgen inc mod 1 . numgen inc mod 1 . ip daddr; "
		  "flags timeout; }\n"
		  "add set inet hgt n6 { typeof numgen inc mod 1 . numgen inc mod 1 . ip6 daddr; "
		  "flags timeout; }") == 0,
		14);
	{
		uint32_t w[2] = {0x568bf3caU, 7};
		uint8_t k4[12], k6[24];

		memcpy(k4, w, 8);
		memcpy(k4 + 8, a4, 4);
		memcpy(k6, w, 8);
		memcpy(k6 + 8, a6, 16);
		nft_batch_begin(b);
		CHECK(nft_batch_add_timeout(b, NFT_BATCH_INET, "n4", NFT_BATCH_NAME4, k4, 60000) ==
				0,
			14);
		CHECK(nft_batch_add_timeout(b, NFT_BATCH_INET, "n6", NFT_BATCH_NAME6, k6, 60000) ==
				0,
			14);
		CHECK(nft_batch_commit(b, &e) == 0, 14);
		CHECK(nft("list set inet hgt n4") == 0 &&
				strstr(out, "1452012490 . 7 . 10.0.0.1 timeout 1m expires"),
			14);
		CHECK(nft("list set inet hgt n6") == 0 && strstr(out, "1452012490 . 7 . fd00::1"),
			14);
		/* the wrong key length for the set: refused, and described with the name id */
		nft_batch_begin(b);
		CHECK(nft_batch_add_timeout(b, NFT_BATCH_INET, "n4", NFT_BATCH_NAME6, k6, 60000) ==
				0,
			14);
		CHECK(nft_batch_commit(b, &e) < 0 && strstr(e.what, "n4 1452012490 . 7 . fd00::1"),
			14);
		nft_batch_begin(b);
		CHECK(nft_batch_new_set(b, NFT_BATCH_INET, "n9", NFT_BATCH_NAME4) == -EINVAL, 14);
		nft_batch_begin(b);
		CHECK(nft_batch_add(b, NFT_BATCH_INET, "n4", NFT_BATCH_NAME4, k4, "x") == -EINVAL,
			14);
	}

	nft_batch_close(b);
	nft_batch_close(NULL);
	return 0;
}

static void test_nft_batch(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	if (geteuid() != 0)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* A private network namespace: the host's ruleset is never touched. */
		if (unshare(CLONE_NEWNET) < 0)
			_exit(77);
		_exit(scenario());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nft_batch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
