/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `homegate mud check`: validates a MUD file offline and summarises it in plain language. */
#include "cmd/mud_cmd.h"

#include "core/util.h"
#include "mud/mud_parse.h"
#include "mud/mud_sig.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Distinct cloud names and whether any LAN abstraction is used. */
struct summary {
	const char *domains[64];
	unsigned ndomains;
	bool lan;
	char lan_kinds[128];
};

static void summarise(const struct mud_file *mf, struct summary *s)
{
	memset(s, 0, sizeof(*s));
	for (unsigned i = 0; i < mf->policy.count; i++) {
		const struct pol_rule *r = &mf->policy.rules[i];
		bool seen = false;

		if (r->action != POL_ACCEPT)
			continue;
		if (r->peer == POL_PEER_DNSNAME) {
			for (unsigned j = 0; j < s->ndomains; j++)
				seen |= strcmp(s->domains[j], r->value) == 0;
			if (!seen && s->ndomains < ARRAY_SIZE(s->domains))
				s->domains[s->ndomains++] = r->value;
		} else if (r->peer == POL_PEER_LOCAL_NETWORKS ||
			r->peer == POL_PEER_SAME_MANUFACTURER || r->peer == POL_PEER_MANUFACTURER ||
			r->peer == POL_PEER_MODEL || r->peer == POL_PEER_CONTROLLER ||
			r->peer == POL_PEER_MY_CONTROLLER) {
			const char *k = pol_peer_name(r->peer);

			s->lan = true;
			if (!strstr(s->lan_kinds, k) &&
				strlen(s->lan_kinds) + strlen(k) + 3 < sizeof(s->lan_kinds)) {
				if (s->lan_kinds[0])
					strcat(s->lan_kinds, ", "); /* bounded just above */
				strcat(s->lan_kinds, k);
			}
		}
	}
}

static int usage(void)
{
	fprintf(stderr,
		"usage: homegate mud check [--json] [--ca TRUST.pem MUDFILE SIGFILE | MUDFILE]\n");
	return 2;
}

int mud_cmd(int argc, char **argv, bool json)
{
	struct mud_error err;
	struct mud_file *mf = NULL;
	struct summary s;
	const char *file = NULL, *sigfile = NULL, *ca = NULL;
	char *buf = NULL, *sig = NULL, sigerr[512] = "";
	size_t len = 0, siglen = 0;
	struct mud_signer signer;
	bool sig_ok = false;

	memset(&signer, 0, sizeof(signer));
	int ret;

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
			json_object *d = json_object_new_array();

			summarise(mf, &s);
			for (unsigned i = 0; i < s.ndomains; i++)
				json_object_array_add(d, json_object_new_string(s.domains[i]));
			json_object_object_add(o, "mud_url", json_object_new_string(mf->url));
			json_object_object_add(
				o, "systeminfo", json_object_new_string(mf->systeminfo));
			json_object_object_add(
				o, "manufacturer", json_object_new_string(mf->mfg_name));
			json_object_object_add(o, "model", json_object_new_string(mf->model_name));
			json_object_object_add(
				o, "is_supported", json_object_new_boolean(mf->is_supported));
			json_object_object_add(
				o, "cache_validity", json_object_new_int(mf->cache_validity));
			json_object_object_add(o, "rules", json_object_new_int(mf->policy.count));
			json_object_object_add(o, "cloud_domains", d);
			json_object_object_add(o, "lan_access", json_object_new_boolean(s.lan));
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
		unsigned from = 0;

		summarise(mf, &s);
		for (unsigned i = 0; i < mf->policy.count; i++)
			from += mf->policy.rules[i].dir == POL_FROM_DEVICE;
		printf("accepted: %s\n", mf->url);
		printf("  device:        %s\n",
			mf->systeminfo[0] ? mf->systeminfo : "(no description)");
		if (mf->mfg_name[0] || mf->model_name[0])
			printf("  made by:       %s %s\n", mf->mfg_name, mf->model_name);
		printf("  supported:     %s\n",
			mf->is_supported ? "yes, the maker still updates it"
					 : "no, the maker no longer updates it");
		printf("  internet:      ");
		for (unsigned i = 0; i < s.ndomains; i++)
			printf("%s%s", i ? ", " : "", s.domains[i]);
		printf("%s\n", s.ndomains ? "" : "no named services");
		printf("  home network:  %s%s%s\n", s.lan ? "asks for access (" : "no access asked",
			s.lan_kinds, s.lan ? ")" : "");
		printf("  rules:         %u from the device, %u to it; re-check every %u h\n", from,
			mf->policy.count - from, mf->cache_validity);
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
