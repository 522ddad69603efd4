/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `homegate analyze`: the live sensors and identifier run over capture files. */
#include "cmd/analyze_cmd.h"

#include "core/config.h"
#include "core/util.h"
#include "identify/ident.h"
#include "observe/sensor.h"

#include <errno.h>
#include <json-c/json.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DBS 8

static int usage(void)
{
	fprintf(stderr,
		"usage: homegate analyze [--json] [--signals] [--db FILE]... [--oui FILE] "
		"CAPTURE.pcap|.pcapng...\n");
	return 2;
}

struct run {
	struct ident *id;
	bool signals; /* also list every signal of every device */
	struct sensor_stats st;
	uint64_t packets;
	double first, last;
};

static void on_signal(void *ctx, const struct hg_mac *mac, enum hg_signal sig, const char *value)
{
	struct run *r = ctx;

	ident_signal(r->id, mac, sig, value);
}

static void on_seen(void *ctx, const struct hg_mac *mac, const struct pkt *p)
{
	struct run *r = ctx;

	(void)p;
	ident_seen(r->id, mac);
}

static int read_capture(const char *path, struct run *r)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const uint8_t *data;
	static uint8_t frame[65536 + 14];
	pcap_t *pc;
	int dlt, ret;

	pc = pcap_open_offline(path, errbuf);
	if (!pc) {
		fprintf(stderr, "homegate: %s: %s\n", path, errbuf);
		return -EINVAL;
	}
	dlt = pcap_datalink(pc);
	if (!pkt_link_supported(dlt)) {
		fprintf(stderr, "homegate: %s: link type %s is not Ethernet, Linux cooked or IP\n",
			path,
			pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?");
		pcap_close(pc);
		return -EINVAL;
	}
	while ((ret = pcap_next_ex(pc, &h, &data)) == 1) {
		double t = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6;
		size_t len = h->caplen;

		if (!r->packets || t < r->first)
			r->first = t;
		if (t > r->last)
			r->last = t;
		r->packets++;
		data = pkt_link_frame(dlt, data, len, frame, sizeof(frame), &len);
		if (!data)
			continue;
		sensor_frame(data, len,
			&(const struct sensor_ops){.signal = on_signal, .seen = on_seen}, r,
			&r->st);
	}
	if (ret == -1) {
		/* A capture cut short (a crashed capture tool) still counts up to where it broke. */
		fprintf(stderr, "homegate: %s: %s (read up to there)\n", path, pcap_geterr(pc));
	}
	pcap_close(pc);
	return 0;
}

static void json_signal(void *ctx, enum hg_signal sig, const char *value)
{
	json_object *s = json_object_new_object();

	json_object_object_add(s, "signal", json_object_new_string(hg_signal_name(sig)));
	json_object_object_add(s, "value", json_object_new_string(value));
	json_object_array_add(ctx, s);
}

static void text_signal(void *ctx, enum hg_signal sig, const char *value)
{
	(void)ctx;
	printf("    %-18s %s\n", hg_signal_name(sig), value);
}

struct print_ctx {
	const struct run *r;
	json_object *devs;
};

static void print_json_dev(void *ctx, const struct hg_mac *mac, const struct classify_result *res)
{
	struct print_ctx *pc = ctx;
	json_object *devs = pc->devs, *d = json_object_new_object(), *ev = json_object_new_array();
	char m[HG_MAC_STRLEN];

	json_object_object_add(d, "mac", json_object_new_string(util_mac_format(mac, m)));
	json_object_object_add(d, "vendor", json_object_new_string(res->vendor));
	json_object_object_add(d, "model", json_object_new_string(res->model));
	json_object_object_add(d, "category", json_object_new_string(res->category));
	json_object_object_add(d, "confidence", json_object_new_double(res->confidence));
	for (size_t i = 0; i < res->nevidence; i++) {
		json_object *e = json_object_new_object();

		json_object_object_add(
			e, "signal", json_object_new_string(hg_signal_name(res->ev[i].sig)));
		json_object_object_add(e, "value", json_object_new_string(res->ev[i].value));
		json_object_object_add(e, "weight", json_object_new_double(res->ev[i].weight));
		json_object_array_add(ev, e);
	}
	json_object_object_add(d, "evidence", ev);
	if (pc->r->signals) {
		json_object *all = json_object_new_array();

		ident_signals(pc->r->id, mac, json_signal, all);
		json_object_object_add(d, "signals", all);
	}
	json_object_array_add(devs, d);
}

static void print_text_dev(void *ctx, const struct hg_mac *mac, const struct classify_result *res)
{
	const struct print_ctx *pc = ctx;
	char m[HG_MAC_STRLEN];

	printf("%-17s  %-20.20s %-28.28s %-10s %4.2f", util_mac_format(mac, m), res->vendor,
		res->model, res->category, res->confidence);
	if (res->nevidence)
		printf("  %s=%s", hg_signal_name(res->ev[0].sig), res->ev[0].value);
	printf("\n");
	if (pc->r->signals)
		ident_signals(pc->r->id, mac, text_signal, NULL);
}

int analyze_cmd(int argc, char **argv, bool json)
{
	const char *dbs[MAX_DBS], *oui_path = NULL, **files;
	size_t ndbs = 0, nfiles = 0;
	struct oui_db *oui = NULL;
	struct fpdb *db = NULL;
	struct run r = {0};
	char err[512];
	int rc = 2;

	files = calloc((size_t)argc, sizeof(*files));
	if (!files)
		goto oom;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--signals") == 0) {
			r.signals = true;
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc && ndbs < MAX_DBS) {
			dbs[ndbs++] = argv[++i];
		} else if (strcmp(argv[i], "--oui") == 0 && i + 1 < argc) {
			oui_path = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			rc = usage();
			goto out;
		} else {
			files[nfiles++] = argv[i];
		}
	}
	if (!nfiles) {
		rc = usage();
		goto out;
	}
	if (!ndbs)
		dbs[ndbs++] = HG_FPDB_DEFAULT;
	db = fpdb_new();
	if (!db)
		goto oom;
	for (size_t i = 0; i < ndbs; i++)
		if (fpdb_load(db, dbs[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "homegate: fingerprint database: %s\n", err);
			goto out;
		}
	if (oui_path) {
		if (oui_load(oui_path, &oui, err, sizeof(err)) < 0) {
			fprintf(stderr, "homegate: OUI registry: %s\n", err);
			goto out;
		}
	} else if (oui_load(HG_OUI_SYSTEM, &oui, err, sizeof(err)) < 0 &&
		oui_load(HG_OUI_FALLBACK, &oui, err, sizeof(err)) < 0) {
		fprintf(stderr, "homegate: no OUI registry (%s): vendors from OUIs left out\n",
			err);
		oui = NULL;
	}
	r.id = ident_new(db, oui, IDENT_MAX_DEVICES);
	if (!r.id)
		goto oom;
	for (size_t i = 0; i < nfiles; i++)
		if (read_capture(files[i], &r) < 0)
			goto out;
	if (json) {
		json_object *top = json_object_new_object(), *devs = json_object_new_array();

		struct print_ctx pc = {&r, devs};

		ident_foreach(r.id, print_json_dev, &pc);
		json_object_object_add(top, "devices", devs);
		json_object_object_add(top, "packets", json_object_new_int64((int64_t)r.packets));
		json_object_object_add(
			top, "seconds", json_object_new_double(r.packets ? r.last - r.first : 0));
		printf("%s\n",
			json_object_to_json_string_ext(
				top, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(top);
	} else {
		printf("%-17s  %-20s %-28s %-10s %4s  %s\n", "MAC", "VENDOR", "MODEL", "CATEGORY",
			"CONF", "STRONGEST EVIDENCE");
		struct print_ctx pc = {&r, NULL};

		ident_foreach(r.id, print_text_dev, &pc);
		printf("%llu packets over %.1f s, %zu devices, %llu malformed\n",
			(unsigned long long)r.packets, r.packets ? r.last - r.first : 0,
			ident_count(r.id), (unsigned long long)r.st.malformed);
	}
	rc = 0;
	goto out;
oom:
	fprintf(stderr, "homegate: out of memory\n");
out:
	free(files);
	ident_free(r.id);
	oui_free(oui);
	fpdb_free(db);
	return rc;
}
