/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `homegate dpp uri`: the gateway's bootstrapping URI, from its key in the state directory, as
 * text or as a QR code. */
#include "cmd/dpp_cmd.h"
#include "cmd/qr_out.h"

#include "core/util.h"
#include "onboard/dpp_keys.h"
#include "onboard/dpp_uri.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_STATE_DIR "/var/lib/homegate"
#define QR_SCALE	  8 /* PNG and SVG pixels per module: 456 px for a version 8 symbol */

enum qr_format {
	QR_NONE,
	QR_TEXT,
	QR_PNG,
	QR_SVG,
};

static int usage(const char *why, const char *what)
{
	if (why)
		fprintf(stderr, "homegate: dpp: %s%s%s\n", why, what ? ": " : "", what ? what : "");
	fprintf(stderr,
		"usage: homegate dpp uri [--json | --qr text|png|svg [--output FILE]] "
		"[--state-dir DIR]\n"
		"                        [--mac MAC] [--chan 81/1,6,11] [--info TEXT]\n");
	return 2;
}

static bool read_u8(const char **p, unsigned *val)
{
	unsigned v = 0;
	int n = 0;

	while (**p >= '0' && **p <= '9' && n < 3) {
		v = v * 10 + (unsigned)(**p - '0');
		(*p)++;
		n++;
	}
	*val = v;
	return n > 0 && v >= 1 && v <= 255 && !(**p >= '0' && **p <= '9');
}

/* "81/1,6,11,115/36": a class, '/', channels; a new class starts a new group. */
static int parse_chans(const char *s, struct dpp_uri *o)
{
	unsigned op_class = 0, v;

	o->nchans = 0;
	for (const char *p = s;;) {
		if (!read_u8(&p, &v))
			return -EINVAL;
		if (*p == '/') {
			op_class = v;
			p++;
			if (!read_u8(&p, &v))
				return -EINVAL;
		} else if (!op_class) {
			return -EINVAL;
		}
		if (o->nchans == DPP_URI_CHANS_MAX)
			return -EINVAL;
		o->chans[o->nchans].op_class = (uint8_t)op_class;
		o->chans[o->nchans].channel = (uint8_t)v;
		o->nchans++;
		if (*p == '\0')
			break;
		if (*p++ != ',')
			return -EINVAL;
	}
	o->flags |= DPP_URI_HAS_CHANNELS;
	return 0;
}

/* Writes the URI's QR code to output (atomically, mode 0644: the code is public) or, text only,
 * to stdout with the colours set when it is a terminal. Returns the exit code. */
static int write_qr(const char *uri, enum qr_format fmt, const char *output)
{
	struct qr_out_code *qr = NULL;
	uint8_t *png = NULL;
	char *text = NULL;
	const void *buf;
	size_t len = 0;
	mode_t mask;
	int ret;

	ret = qr_out_encode(uri, strlen(uri), &qr);
	if (ret) {
		fprintf(stderr, "homegate: dpp: cannot encode the URI as a QR code: %s\n",
			strerror(-ret));
		ret = 1;
		goto out;
	}
	if (fmt == QR_PNG)
		ret = qr_out_png(qr, QR_SCALE, &png, &len);
	else if (fmt == QR_SVG)
		ret = qr_out_svg(qr, QR_SCALE, &text, &len);
	else
		ret = qr_out_text(
			qr, !output && isatty(STDOUT_FILENO) ? QR_OUT_TEXT_ANSI : 0, &text, &len);
	buf = png ? (const void *)png : text;
	if (ret) {
		fprintf(stderr, "homegate: dpp: cannot draw the QR code: %s\n", strerror(-ret));
		ret = 1;
		goto out;
	}
	if (!output) {
		ret = fwrite(buf, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : 1;
		goto out;
	}
	/* umask 022 for the call: exactly 0644 whatever the caller's mask (the process has no
	 * other thread that could create a file meanwhile). */
	mask = umask(022);
	ret = util_write_file_atomic(output, buf, len, 0644);
	umask(mask);
	if (ret) {
		fprintf(stderr, "homegate: dpp: cannot write %s: %s\n", output, strerror(-ret));
		ret = 1;
	}
out:
	free(text);
	free(png);
	qr_out_free(qr);
	return ret;
}

static int uri_cmd(int argc, char **argv, bool json)
{
	enum qr_format qr = QR_NONE;
	const char *output = NULL;
	const char *dir = DEFAULT_STATE_DIR;
	struct dpp_uri opts = {.flags = DPP_URI_HAS_VERSION, .version = 2};
	char err[512], uri[DPP_URI_MAX + 1], hex[65];
	uint8_t hash[32];
	EVP_PKEY *key = NULL;
	int ret, n;

	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--json") == 0) {
			json = true;
			continue;
		}
		if (strcmp(a, "--state-dir") && strcmp(a, "--mac") && strcmp(a, "--chan") &&
			strcmp(a, "--info") && strcmp(a, "--qr") && strcmp(a, "--output"))
			return usage("unknown argument", a);
		if (!v)
			return usage("missing value after", a);
		i++;
		if (strcmp(a, "--qr") == 0) {
			if (strcmp(v, "text") == 0)
				qr = QR_TEXT;
			else if (strcmp(v, "png") == 0)
				qr = QR_PNG;
			else if (strcmp(v, "svg") == 0)
				qr = QR_SVG;
			else
				return usage("--qr is text, png or svg, not", v);
		} else if (strcmp(a, "--output") == 0) {
			if (!*v)
				return usage("empty --output", NULL);
			output = v;
		} else if (strcmp(a, "--state-dir") == 0) {
			if (!*v)
				return usage("empty --state-dir", NULL);
			dir = v;
		} else if (strcmp(a, "--mac") == 0) {
			if (util_mac_parse(v, &opts.mac) || (opts.mac.b[0] & 1))
				return usage("not a unicast MAC address", v);
			opts.flags |= DPP_URI_HAS_MAC;
		} else if (strcmp(a, "--chan") == 0) {
			if (parse_chans(v, &opts))
				return usage("not a channel list like 81/1,6,11,115/36 (1..255, at "
					     "most 32)",
					v);
		} else {
			if (!util_is_printable(v, DPP_URI_INFO_MAX) || strchr(v, ';'))
				return usage("--info is at most 80 printable ASCII characters "
					     "without ';'",
					NULL);
			util_strlcpy(opts.info, v, sizeof(opts.info));
			opts.flags |= DPP_URI_HAS_INFO;
		}
	}
	if (qr != QR_NONE && json)
		return usage("--json and --qr exclude each other", NULL);
	if (output && qr == QR_NONE)
		return usage("--output needs --qr", NULL);
	/* Binary or markup on a terminal helps nobody. */
	if ((qr == QR_PNG || qr == QR_SVG) && !output)
		return usage("--qr png and --qr svg need --output FILE", NULL);
	ret = dpp_key_get(dir, DPP_KEY_BOOTSTRAP, true, &key, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "homegate: dpp: %s\n", err);
		return 1;
	}
	n = dpp_uri_make(key, &opts, uri, sizeof(uri));
	if (n == -EINVAL) {
		/* Only the MAC is left for the generator to refuse: all zeros. */
		ret = usage("the URI's options are refused (an all-zero MAC?)", NULL);
		goto out;
	}
	if (n < 0 || (size_t)n >= sizeof(uri) || dpp_bootstrap_key_hash(key, hash)) {
		fprintf(stderr, "homegate: dpp: cannot build the URI\n");
		ret = 1;
		goto out;
	}
	if (qr != QR_NONE) {
		ret = write_qr(uri, qr, output);
		goto out;
	}
	for (size_t i = 0; i < sizeof(hash); i++)
		snprintf(hex + 2 * i, 3, "%02x", hash[i]);
	if (json) {
		json_object *top = json_object_new_object();

		if (!top) {
			ret = 1;
			goto out;
		}
		json_object_object_add(top, "uri", json_object_new_string(uri));
		json_object_object_add(top, "key_hash", json_object_new_string(hex));
		printf("%s\n",
			json_object_to_json_string_ext(
				top, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(top);
	} else {
		printf("%s\n", uri);
	}
	ret = fflush(stdout) == 0 ? 0 : 1;
out:
	EVP_PKEY_free(key);
	return ret;
}

int dpp_cmd(int argc, char **argv, bool json)
{
	if (argc >= 2 && strcmp(argv[1], "uri") == 0)
		return uri_cmd(argc, argv, json);
	return usage(argc >= 2 ? "unknown subcommand" : "missing subcommand",
		argc >= 2 ? argv[1] : NULL);
}
