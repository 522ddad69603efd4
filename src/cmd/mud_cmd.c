/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `homegate mud check` and `mud compile`: a MUD file validated, summarised or compiled offline. */
#include "cmd/mud_cmd.h"

#include "core/util.h"
#include "mud/mud_parse.h"
#include "mud/mud_sig.h"
#include "mud/mud_summary.h"
#include "policy/nft_compile.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
	fprintf(stderr,
		"usage: homegate mud check [--json] [--ca TRUST.pem MUDFILE SIGFILE | MUDFILE]\n"
		"       homegate mud compile [--lan IF] [--mac MAC] [--addr ADDR]...\n"
		"                            [--dns-binding forwarder|nftset] MUDFILE\n");
	return 2;
}

#define COMPILE_ADDRS_MAX 16

/* mud compile: the nft script a device with this MUD file gets, loadable alone (nft -f). */
static int mud_compile(int argc, char **argv)
{
	const char *file = NULL, *lan = "br-lan", *mac = NULL, *addrs[COMPILE_ADDRS_MAX + 1] = {0};
	struct nftc_buf b = {0};
	struct mud_file *mf = NULL;
	struct mud_error err;
	char authority[256], why[512];
	size_t naddrs = 0, len = 0;
	unsigned flags = 0;
	char *buf = NULL;
	int ret, rc = 2;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--lan") == 0 && i + 1 < argc)
			lan = argv[++i];
		else if (strcmp(argv[i], "--mac") == 0 && i + 1 < argc)
			mac = argv[++i];
		else if (strcmp(argv[i], "--addr") == 0 && i + 1 < argc &&
			naddrs < COMPILE_ADDRS_MAX)
			addrs[naddrs++] = argv[++i];
		else if (strcmp(argv[i], "--dns-binding") == 0 && i + 1 < argc &&
			(strcmp(argv[i + 1], "forwarder") == 0 ||
				strcmp(argv[i + 1], "nftset") == 0))
			flags = strcmp(argv[++i], "nftset") == 0 ? NFTC_DNS_PER_NAME : 0;
		else if (!file && argv[i][0] != '-')
			file = argv[i];
		else
			return usage();
	}
	if (!file)
		return usage();
	if (!nftc_ifname_valid(lan)) {
		fprintf(stderr, "homegate: --lan: not an interface name ([A-Za-z0-9_.-], 1..15)\n");
		return 2;
	}
	ret = util_read_file(file, MUD_MAX_FILE, &buf, &len);
	if (ret < 0) {
		fprintf(stderr, "homegate: %s: %s\n", file,
			ret == -EFBIG ? "larger than the 512 KiB limit for MUD files"
				      : strerror(-ret));
		return ret == -EFBIG ? 1 : 2;
	}
	ret = mud_parse(buf, len, NULL, &mf, &err);
	free(buf);
	if (ret) {
		/* stdout is the script: the rejection goes to stderr, in mud check's words. */
		fprintf(stderr, "rejected: %s\n  at %s\n", err.msg, err.path);
		rc = 1;
		goto out;
	}
	mud_url_host(mf->url, authority, sizeof(authority));
	if (nftc_check(&mf->policy, authority, why, sizeof(why)) < 0) {
		fprintf(stderr, "rejected: %s\n  at (policy)\n", why);
		rc = 1;
		goto out;
	}
	ret = nftc_standalone(&b, "homegate", lan, &mf->policy, authority, flags, mac, addrs);
	if (ret == -EINVAL) {
		fprintf(stderr, "homegate: --mac or --addr: not a unicast MAC or an IP address\n");
		goto out;
	}
	if (ret) {
		fprintf(stderr, "homegate: %s\n", strerror(-ret));
		goto out;
	}
	rc = fwrite(b.s, 1, b.len, stdout) == b.len && fflush(stdout) == 0 ? 0 : 2;
out:
	nftc_buf_free(&b);
	mud_free(mf);
	return rc;
}

int mud_cmd(int argc, char **argv, bool json)
{
	struct mud_error err;
	struct mud_file *mf = NULL;
	struct mud_summary s;
	const char *file = NULL, *sigfile = NULL, *ca = NULL;
	char *buf = NULL, *sig = NULL, sigerr[512] = "";
	size_t len = 0, siglen = 0;
	struct mud_signer signer;
	bool sig_ok = false;

	memset(&signer, 0, sizeof(signer));
	int ret;

	if (argc >= 2 && strcmp(argv[1], "compile") == 0)
		return mud_compile(argc, argv);
	if (argc < 2 || strcmp(argv[1], "check") != 0)
		return usage();
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--ca") == 0 && i + 1 < argc)
			ca = argv[++i];
		else if (!file && argv[i][0] != '-')
			file = argv[i];
		else if (!sigfile && argv[i][0] != '-')
			sigfile = argv[i];
		else
			return usage();
	}
	if (!file || (!sigfile) != (!ca))
		return usage();
	ret = util_read_file(file, MUD_MAX_FILE, &buf, &len);
	if (ret < 0) {
		fprintf(stderr, "homegate: %s: %s\n", file,
			ret == -EFBIG ? "larger than the 512 KiB limit for MUD files"
				      : strerror(-ret));
		return ret == -EFBIG ? 1 : 2;
	}
	if (sigfile) {
		struct mud_trust *trust = NULL;

		ret = mud_trust_load(ca, &trust, sigerr, sizeof(sigerr));
		if (ret < 0) {
			fprintf(stderr, "homegate: %s\n", sigerr);
			free(buf);
			return 2;
		}
		ret = util_read_file(sigfile, 65536, &sig, &siglen);
		if (ret < 0) {
			fprintf(stderr, "homegate: %s: %s\n", sigfile, strerror(-ret));
			mud_trust_free(trust);
			free(buf);
			return 2;
		}
		/* The signature covers the file's exact bytes, before any parsing. */
		sig_ok = mud_sig_verify((const uint8_t *)buf, len, (const uint8_t *)sig, siglen,
				 trust, &signer, sigerr, sizeof(sigerr)) == 0;
		free(sig);
		mud_trust_free(trust);
	}
	ret = mud_parse(buf, len, NULL, &mf, &err);
	free(buf);
	if (sigfile && !sig_ok && ret == 0) {
		/* Same path as an invalid file: no policy from an unverified signature (AC-16). */
		mud_free(mf);
		mf = NULL;
		ret = -EBADMSG;
		util_strlcpy(err.path, "(signature)", sizeof(err.path));
		util_strlcpy(err.msg, sigerr, sizeof(err.msg));
	}
	if (json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "file", json_object_new_string(file));
		json_object_object_add(o, "accepted", json_object_new_boolean(ret == 0));
		if (ret) {
			json_object_object_add(o, "path", json_object_new_string(err.path));
			json_object_object_add(o, "error", json_object_new_string(err.msg));
		} else {
			json_object *sum = NULL;

			mud_summarise(mf, &s);
			if (mud_summary_json(&s, &sum) < 0) {
				fprintf(stderr, "homegate: %s\n", strerror(ENOMEM));
				json_object_put(o);
				mud_free(mf);
				return 2;
			}
			json_object_object_foreach(sum, key, val)
				json_object_object_add(o, key, json_object_get(val));
			json_object_put(sum);
			if (sigfile) {
				json_object_object_add(
					o, "signer", json_object_new_string(signer.subject));
				json_object_object_add(o, "signer_sha256",
					json_object_new_string(signer.fingerprint));
				json_object_object_add(o, "trust_anchor_expired",
					json_object_new_boolean(signer.anchor_expired));
			}
		}
		printf("%s\n",
			json_object_to_json_string_ext(o,
				JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else if (ret) {
		printf("rejected: %s\n  at %s\n", err.msg, err.path);
	} else {
		static char text[MUD_SUMMARY_TEXT_MAX];

		mud_summarise(mf, &s);
		mud_summary_text(&s, text, sizeof(text)); /* always fits */
		printf("accepted: %s\n%s", mf->url, text);
		if (sigfile)
			printf("  signed by:     %s\n  signer sha256: %s%s\n", signer.subject,
				signer.fingerprint,
				signer.anchor_expired ? "\n  note:          the trust anchor's own "
							"certificate is outside its validity dates "
							"(not part of path validation, RFC 5280 §6)"
						      : "");
		else
			printf("  signature:     not checked (no signature given)\n");
	}
	mud_free(mf);
	return ret ? 1 : 0;
}
