/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the nftables backend, in a private network namespace (root; skipped otherwise). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/util.h"
#include "mud/mud_parse.h"
#include "policy/nft.h"
#include "policy/nft_compile.h"

#include <errno.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Lists a ruleset object into buf; returns nft's result code. */
static int list(const char *cmd, char *buf, size_t len)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	int rc;

	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	rc = nft_run_cmd_from_buffer(ctx, cmd);
	util_strlcpy(buf, nft_ctx_get_output_buffer(ctx), len);
	nft_ctx_free(ctx);
	return rc;
}

static int run(const char *cmd)
{
	char buf[256];

	return list(cmd, buf, sizeof(buf));
}

#define CHECK(cond, code)                                             \
	do {                                                          \
		if (!(cond)) {                                        \
			fprintf(stderr, "check failed: %s\n", #cond); \
			_exit(code);                                  \
		}                                                     \
	} while (0)

static int scenario(void)
{
	static const uint8_t m1[6] = {2, 0, 0, 0, 0, 1}, m2[6] = {2, 0, 0, 0, 0, 2};
	struct ipc_dev_sync_entry e[3] = {
		{.mac = {2, 0, 0, 0, 0, 3}, .profile = IPC_PROFILE_BLOCKED},
		{.mac = {2, 0, 0, 0, 0, 4}, .profile = IPC_PROFILE_NONE},
		{.mac = {2, 0, 0, 0, 0, 3}, .profile = IPC_PROFILE_BLOCKED},
	};
	char out[16384];
	struct nft *n, *bad;

	CHECK(nft_open("br-lan", "", &n) == 0, 1);
	CHECK(nft_open("bad name!", "", &bad) == -EINVAL, 1);
	CHECK(nft_open("br-lan", "x y", &bad) == -EINVAL, 1);
	CHECK(nft_open("br\"lan", "", &bad) == -EINVAL, 1); /* printed inside quotes */
	CHECK(nft_ensure_base(n) == 0, 2);
	CHECK(list("list tables", out, sizeof(out)) == 0, 3);
	CHECK(strstr(out, "table inet homegate") && strstr(out, "table bridge homegate"), 3);
	CHECK(nft_dev_profile(n, m1, IPC_PROFILE_BLOCKED) == 0, 4);
	CHECK(nft_dev_profile(n, m1, IPC_PROFILE_BLOCKED) == 0, 4); /* idempotent */
	CHECK(nft_dev_profile(n, m2, IPC_PROFILE_BLOCKED) == 0, 4);
	CHECK(nft_dev_profile(n, m2, (enum ipc_profile)9) == -EINVAL, 4);
	list("list map inet homegate dev_profile", out, sizeof(out));
	CHECK(strstr(out, "02:00:00:00:00:01 : jump prof_blocked"), 5);
	list("list map bridge homegate dev_profile", out, sizeof(out));
	CHECK(strstr(out, "02:00:00:00:00:02 : jump prof_blocked"), 5);
	/* a restart (new context, ensure again) keeps the elements: fail-static */
	nft_close(n);
	CHECK(nft_open("br-lan", "", &n) == 0, 6);
	CHECK(nft_ensure_base(n) == 0, 6);
	list("list map inet homegate dev_profile", out, sizeof(out));
	CHECK(strstr(out, "02:00:00:00:00:01"), 6);
	/* removing one device leaves the other */
	CHECK(nft_dev_sync(n, e, 2) == 0, 7);
	CHECK(nft_dev_profile(n, (const uint8_t[6]){2, 0, 0, 0, 0, 3}, IPC_PROFILE_NONE) == 0, 7);
	list("list map inet homegate dev_profile", out, sizeof(out));
	CHECK(!strstr(out, "02:00:00:00:00:03") && !strstr(out, "02:00:00:00:00:01"), 7);
	/* sync replaces everything; duplicates are refused and change nothing */
	CHECK(nft_dev_sync(n, e, 1) == 0, 8);
	CHECK(nft_dev_sync(n, e, 3) == -EINVAL, 8);
	list("list map inet homegate dev_profile", out, sizeof(out));
	CHECK(strstr(out, "02:00:00:00:00:03 : jump prof_blocked"), 8);
	/* an element removed behind the parent's back: its delete is refused by the kernel, the
	 * whole transaction with it (the bridge entry stays), and the parent keeps its state */
	CHECK(run("delete element inet homegate dev_profile { 02:00:00:00:00:03 }") == 0, 8);
	CHECK(nft_dev_profile(n, (const uint8_t[6]){2, 0, 0, 0, 0, 3}, IPC_PROFILE_NONE) == -EIO,
		8);
	list("list map bridge homegate dev_profile", out, sizeof(out));
	CHECK(strstr(out, "02:00:00:00:00:03 : jump prof_blocked"), 8);
	CHECK(nft_dev_sync(n, e, 1) == 0, 8); /* a full load repairs it */
	list("list map inet homegate dev_profile", out, sizeof(out));
	CHECK(strstr(out, "02:00:00:00:00:03 : jump prof_blocked"), 8);
	/* a table of another schema is replaced */
	CHECK(run("delete table inet homegate") == 0, 9);
	CHECK(run("add table inet homegate { comment \"homegate-schema-0\"; }") == 0, 9);
	CHECK(nft_ensure_base(n) == 0, 9);
	list("list table inet homegate", out, sizeof(out));
	CHECK(strstr(out, NFTC_SCHEMA) && strstr(out, "chain prof_blocked"), 9);
	/* the previous schema (no maps toward devices) is upgraded with its elements gone */
	CHECK(run("delete table inet homegate") == 0, 9);
	CHECK(run("add table inet homegate { comment \"homegate-schema-1\"; }") == 0, 9);
	CHECK(run("add map inet homegate dev_profile { type ether_addr : verdict; }") == 0, 9);
	CHECK(nft_ensure_base(n) == 0, 9);
	list("list table inet homegate", out, sizeof(out));
	CHECK(strstr(out, NFTC_SCHEMA) && strstr(out, "map dev_in4") &&
			strstr(out, "oifname \"br-lan\" ip6 daddr vmap @dev_in6"),
		9);
	list("list table bridge homegate", out, sizeof(out));
	CHECK(strstr(out, NFTC_SCHEMA) && strstr(out, "ether daddr vmap @dev_in"), 9);
	/* a blocked device still gets only prof_blocked after the upgrade */
	CHECK(nft_dev_profile(n, m1, IPC_PROFILE_BLOCKED) == 0, 9);
	list("list map bridge homegate dev_profile", out, sizeof(out));
	CHECK(strstr(out, "02:00:00:00:00:01 : jump prof_blocked"), 9);
	/* other tables are never touched */
	CHECK(run("add table inet other") == 0, 10);
	CHECK(nft_remove(n) == 0, 10);
	list("list tables", out, sizeof(out));
	CHECK(!strstr(out, "homegate") && strstr(out, "table inet other"), 10);
	nft_close(n);
	return 0;
}

/* Controller set members and the removal of an unused profile, on the hub's file (its
 * my-controller rules use myc_<P>). */
static int scenario_controllers(void)
{
	static const uint8_t dev[6] = {2, 0, 0, 0, 0, 1}, c1[6] = {2, 0, 0, 0, 0, 0xc1},
			     c2[6] = {2, 0, 0, 0, 0, 0xc2};
	const char *dir = getenv("HOMEGATE_TEST_DATA");
	struct ipc_dev_policy op = {.seq = 1};
	struct ipc_ctl_entry ce[2] = {0};
	char path[512], out[65536], err[256], id[NFTC_ID_LEN + 1], h[NFTC_ID_LEN + 1], cmd[160];
	struct pol_policy empty = {0};
	char eid[NFTC_ID_LEN + 1];
	struct mud_error merr;
	struct mud_file *mf;
	struct nft *n;
	size_t len;
	char *buf;

	snprintf(path, sizeof(path), "%s/mud/hub.json", dir ? dir : "tests/data");
	CHECK(util_read_file(path, 1 << 20, &buf, &len) == 0, 20);
	CHECK(mud_parse(buf, len, "https://hubs.example.test/h1.json", &mf, &merr) == 0, 20);
	free(buf);
	CHECK(nftc_profile_id(&mf->policy, NULL, id) == 0, 20);
	CHECK(nftc_profile_id(&empty, NULL, eid) == 0, 20);
	CHECK(nftc_uri_hash("urn:ietf:params:mud:dns", h) == 0, 20);
	CHECK(nft_open("br-lan", "", &n) == 0, 21);
	CHECK(nft_ensure_base(n) == 0, 21);
	CHECK(nft_profile_install(n, id, "", &mf->policy, err, sizeof(err)) == 0, 21);
	CHECK(nft_profile_install(n, eid, "", &empty, err, sizeof(err)) == 0, 21);
	memcpy(op.mac, dev, 6);
	memcpy(op.id, id, IPC_PROFILE_ID_LEN);
	CHECK(nft_dev_policy(n, &op) == 0, 21);

	/* members: ctl_<H> created as needed, myc_<P> the profile's own */
	memcpy(ce[0].set, h, IPC_PROFILE_ID_LEN);
	ce[0].kind = IPC_CTL_CLASS;
	memcpy(ce[0].mac, c1, 6);
	memcpy(ce[1].set, id, IPC_PROFILE_ID_LEN);
	ce[1].kind = IPC_CTL_MY;
	memcpy(ce[1].mac, c2, 6);
	CHECK(nft_ctl_sync(n, ce, 2) == 0, 22);
	snprintf(cmd, sizeof(cmd), "list set bridge homegate ctl_%s", h);
	CHECK(list(cmd, out, sizeof(out)) == 0 && strstr(out, "02:00:00:00:00:c1"), 22);
	snprintf(cmd, sizeof(cmd), "list set bridge homegate myc_%s", id);
	CHECK(list(cmd, out, sizeof(out)) == 0 && strstr(out, "02:00:00:00:00:c2") &&
			!strstr(out, "02:00:00:00:00:c1"),
		22);
	/* malformed entries are refused and change nothing */
	ce[1].kind = 3;
	CHECK(nft_ctl_sync(n, ce, 2) == -EINVAL, 23);
	ce[1].kind = IPC_CTL_MY;
	ce[1].set[0] = 'X';
	CHECK(nft_ctl_sync(n, ce, 2) == -EINVAL, 23);
	ce[1].set[0] = id[0];
	ce[1].mac[0] = 1; /* multicast */
	CHECK(nft_ctl_sync(n, ce, 2) == -EINVAL, 23);
	ce[1].mac[0] = 2;
	CHECK(list(cmd, out, sizeof(out)) == 0 && strstr(out, "02:00:00:00:00:c2"), 23);
	/* a member nobody named (a previous parent's) goes with the next sync */
	snprintf(cmd, sizeof(cmd), "add element bridge homegate ctl_%s { 02:00:00:00:00:99 }", h);
	CHECK(run(cmd) == 0, 24);
	CHECK(nft_ctl_sync(n, ce, 1) == 0, 24);
	snprintf(cmd, sizeof(cmd), "list set bridge homegate ctl_%s", h);
	CHECK(list(cmd, out, sizeof(out)) == 0 && strstr(out, "02:00:00:00:00:c1") &&
			!strstr(out, "02:00:00:00:00:99"),
		24);
	snprintf(cmd, sizeof(cmd), "list set bridge homegate myc_%s", id);
	CHECK(list(cmd, out, sizeof(out)) == 0 && !strstr(out, "02:00:00:00:00:c2"), 24);
	CHECK(nft_ctl_sync(n, NULL, 0) == 0, 24);
	snprintf(cmd, sizeof(cmd), "list set bridge homegate ctl_%s", h);
	CHECK(list(cmd, out, sizeof(out)) == 0 && !strstr(out, "02:00:00:00:00:c1"), 24);
	CHECK(nft_ctl_sync(n, ce, 2) == 0, 24);

	/* never removed while a device is mapped to it */
	CHECK(nft_profile_remove(n, id) == -EBUSY, 25);
	snprintf(cmd, sizeof(cmd), "chain out_%s", id);
	CHECK(list("list table inet homegate", out, sizeof(out)) == 0 && strstr(out, cmd), 25);
	/* unmapped: its four chains and its my-controller set go in one transaction, the shared
	 * class set and the other profile stay */
	CHECK(nft_dev_profile(n, dev, IPC_PROFILE_NONE) == 0, 26);
	CHECK(nft_profile_remove(n, id) == 0, 26);
	CHECK(list("list table inet homegate", out, sizeof(out)) == 0, 26);
	snprintf(cmd, sizeof(cmd), "out_%s", id);
	CHECK(!strstr(out, cmd), 26);
	snprintf(cmd, sizeof(cmd), "in_%s", id);
	CHECK(!strstr(out, cmd), 26);
	snprintf(cmd, sizeof(cmd), "chain out_%s", eid);
	CHECK(strstr(out, cmd), 26);
	CHECK(list("list table bridge homegate", out, sizeof(out)) == 0, 26);
	snprintf(cmd, sizeof(cmd), "bout_%s", id);
	CHECK(!strstr(out, cmd), 26);
	snprintf(cmd, sizeof(cmd), "myc_%s", id);
	CHECK(!strstr(out, cmd), 26);
	snprintf(cmd, sizeof(cmd), "set ctl_%s", h);
	CHECK(strstr(out, cmd) && strstr(out, "02:00:00:00:00:c1"), 26);
	snprintf(cmd, sizeof(cmd), "chain bout_%s", eid);
	CHECK(strstr(out, cmd), 26);
	/* gone from the parent's table too: a device cannot be put under it until it is sent
	 * again, and then it loads as new */
	CHECK(nft_profile_remove(n, id) == -ENOENT, 27);
	CHECK(nft_profile_remove(n, "0123456789XY") == -EINVAL, 27);
	CHECK(nft_dev_policy(n, &op) == -EINVAL, 27);
	CHECK(nft_profile_install(n, id, "", &mf->policy, err, sizeof(err)) == 0, 27);
	CHECK(nft_dev_policy(n, &op) == 0, 27);
	snprintf(cmd, sizeof(cmd), "chain bout_%s", id);
	CHECK(list("list table bridge homegate", out, sizeof(out)) == 0 && strstr(out, cmd), 27);
	/* a profile without my-controller rules (no myc_ set of its own) is removed as well */
	CHECK(nft_profile_remove(n, eid) == 0, 28);

	/* A new engine sends only the hub's profile again: after its sync the other one, which
	 * no engine will ever drop, is swept; the one it sent and maps stays. */
	CHECK(nft_profile_install(n, eid, "", &empty, err, sizeof(err)) == 0, 29);
	nft_engine_start(n);
	CHECK(nft_profile_install(n, id, "", &mf->policy, err, sizeof(err)) == 0, 29);
	CHECK(nft_profile_sweep(n) == 1, 29);
	CHECK(list("list table inet homegate", out, sizeof(out)) == 0, 29);
	snprintf(cmd, sizeof(cmd), "chain out_%s", eid);
	CHECK(!strstr(out, cmd), 29);
	snprintf(cmd, sizeof(cmd), "chain out_%s", id);
	CHECK(strstr(out, cmd), 29);
	CHECK(nft_profile_sweep(n) == 0, 29); /* nothing left to sweep */
	CHECK(nft_profile_remove(n, eid) == -ENOENT, 29);
	/* A new parent (homegated restarted, the tables kept) knows no profile: the kernel's
	 * chains that its engine's table does not map are swept after the first sync. */
	nft_close(n);
	CHECK(nft_open("br-lan", "", &n) == 0, 30);
	CHECK(nft_ensure_base(n) == 0, 30);
	nft_engine_start(n);
	CHECK(nft_dev_sync(n, NULL, 0) == 0, 30);
	CHECK(nft_profile_sweep(n) == 1, 30);
	CHECK(list("list table bridge homegate", out, sizeof(out)) == 0, 30);
	snprintf(cmd, sizeof(cmd), "bout_%s", id);
	CHECK(!strstr(out, cmd), 30);
	snprintf(cmd, sizeof(cmd), "myc_%s", id);
	CHECK(!strstr(out, cmd), 30);
	CHECK(nft_remove(n) == 0, 30);
	nft_close(n);
	mud_free(mf);
	return 0;
}

static void test_nft(void **state)
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
		_exit(scenario() ? 1 : scenario_controllers());
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
		cmocka_unit_test(test_nft),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
