/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Identification in the engine: sensor → identifier → registry, and the MUD contradiction. */
#include "engine/idmgr.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "identify/ident.h"
#include "mud/mud_parse.h"
#include "mud/mud_summary.h"
#include "observe/sensor.h"

struct idmgr {
	struct registry *reg;
	struct mudmgr *mud;
	struct fpdb *db;
	struct oui_db *oui;
	struct ident *id;
	struct sensor_stats st;
	bool local_failed; /* the local database was refused (logged) */
};

static const struct reg_actor actor = {.who = "rule:identify", .why = "fingerprint"};

static void evidence_json(const struct classify_result *r, char *buf, size_t len)
{
	json_object *a = json_object_new_array();
	const char *s;

	buf[0] = 0;
	if (!a)
		return;
	for (size_t i = 0; i < r->nevidence; i++) {
		json_object *e = json_object_new_object();

		if (!e)
			break;
		json_object_object_add(
			e, "signal", json_object_new_string(hg_signal_name(r->ev[i].sig)));
		json_object_object_add(e, "value", json_object_new_string(r->ev[i].value));
		json_object_object_add(e, "weight", json_object_new_double(r->ev[i].weight));
		json_object_array_add(a, e);
		s = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN);
		if (strlen(s) >= len) { /* keep the strongest that fit */
			json_object_array_del_idx(a, json_object_array_length(a) - 1, 1);
			break;
		}
	}
	util_strlcpy(buf, json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN), len);
	json_object_put(a);
}

/* AC-36: a fingerprint that names another vendor than the MUD file the device claims. */
static void contradiction(struct idmgr *m, const struct device *d, const struct classify_result *r,
	char *flag, size_t len)
{
	const struct mud_file *mf;
	char host[256];

	flag[0] = 0;
	if (!d->mud_url[0] || !m->mud)
		return;
	mud_url_host(d->mud_url, host, sizeof(host));
	mf = mudmgr_file(m->mud, d->mud_url);
	classify_contradicts_mud(m->db, r, host, mf ? mf->mfg_name : "", flag, len);
}

static void publish(struct idmgr *m, const struct hg_mac *mac)
{
	static char ev[sizeof(((struct device *)0)->evidence)];
	char flag[sizeof(((struct device *)0)->class_flag)];
	const struct device *d = registry_get(m->reg, mac);
	struct classify_result r;
	int ret;

	if (!d || !ident_result(m->id, mac, &r))
		return;
	evidence_json(&r, ev, sizeof(ev));
	contradiction(m, d, &r, flag, sizeof(flag));
	if (flag[0] && !d->class_flag[0]) {
		char s[HG_MAC_STRLEN];

		log_warnx("dev=%s action=identity_conflict reason=\"%s\"", util_mac_format(mac, s),
			flag);
	}
	ret = registry_set_class(
		m->reg, mac, r.vendor, r.model, r.category, r.confidence, ev, flag, &actor);
	if (ret < 0 && ret != -ENOENT) {
		char s[HG_MAC_STRLEN];

		log_warnx("dev=%s action=class error=\"%s\"", util_mac_format(mac, s),
			strerror(-ret));
	}
}

/* A device the identifier meets for the first time since the engine started may have been
 * classified before: its stored evidence goes in first, so that one new packet cannot undo
 * what earlier ones established. */
static void seed(struct idmgr *m, const struct hg_mac *mac)
{
	const struct device *d = registry_get(m->reg, mac);
	json_object *a;

	ident_seen(m->id, mac);
	if (!d || !d->evidence[0])
		return;
	a = json_tokener_parse(d->evidence);
	for (size_t i = 0;
		json_object_is_type(a, json_type_array) && i < json_object_array_length(a); i++) {
		json_object *e = json_object_array_get_idx(a, i), *sig, *val;
		enum hg_signal s;

		if (json_object_object_get_ex(e, "signal", &sig) &&
			json_object_object_get_ex(e, "value", &val) &&
			(s = hg_signal_from_name(json_object_get_string(sig))) != 0)
			ident_signal(m->id, mac, s, json_object_get_string(val));
	}
	json_object_put(a);
}

static void on_signal(void *ctx, const struct hg_mac *mac, enum hg_signal sig, const char *value)
{
	struct idmgr *m = ctx;
	struct classify_result r;

	if (!ident_result(m->id, mac, &r))
		seed(m, mac);
	if (ident_signal(m->id, mac, sig, value))
		publish(m, mac);
}

void idmgr_frame(struct idmgr *m, const uint8_t *frame, size_t len, bool port)
{
	static const struct sensor_ops ops = {.signal = on_signal};

	/* A broadcast crossing the bridge is seen on the port and on the bridge: count it once,
	 * from the bridge; only LLDP (link-local, never forwarded) counts from a port. */
	if (port && (len < 14 || frame[12] != 0x88 || frame[13] != 0xcc))
		return;
	sensor_frame(frame, len, &ops, m, &m->st);
}

void idmgr_device(struct idmgr *m, const struct hg_mac *mac, enum dev_state to)
{
	if (to == DEV_FORGOTTEN) {
		ident_forget(m->id, mac);
		return;
	}
	publish(m, mac);
}

void idmgr_stats(const struct idmgr *m, struct idmgr_stats *out)
{
	out->frames = m->st.frames;
	out->malformed = m->st.malformed;
	out->signals = m->st.signals;
	out->devices = ident_count(m->id);
	out->rules = fpdb_rules(m->db);
	out->ouis = m->oui ? oui_count(m->oui) : 0;
	out->local_failed = m->local_failed;
}

int idmgr_open(
	const struct hg_config *cfg, struct registry *reg, struct mudmgr *mud, struct idmgr **out)
{
	struct idmgr *m = calloc(1, sizeof(*m));
	char err[512];
	int ret = -ENOMEM;

	*out = NULL;
	if (!m || !(m->db = fpdb_new()))
		goto fail;
	m->reg = reg;
	m->mud = mud;
	ret = fpdb_load(m->db, cfg->identify_database, err, sizeof(err));
	if (ret < 0) {
		log_warnx("identify=off error=\"%s\"", err);
		goto fail;
	}
	/* A broken local file changes nothing: its load is all or nothing, and the shipped
	 * database goes on alone. */
	if (cfg->identify_local_database[0] &&
		fpdb_load(m->db, cfg->identify_local_database, err, sizeof(err)) < 0) {
		log_warnx("identify=local_database error=\"%s\" (left out)", err);
		m->local_failed = true;
	}
	if (cfg->identify_oui[0]) {
		if (oui_load(cfg->identify_oui, &m->oui, err, sizeof(err)) < 0)
			log_warnx("identify=oui error=\"%s\" (vendors from OUIs left out)", err);
	} else if (oui_load(HG_OUI_SYSTEM, &m->oui, err, sizeof(err)) < 0 &&
		oui_load(HG_OUI_FALLBACK, &m->oui, err, sizeof(err)) < 0) {
		log_warnx("identify=oui error=\"%s\" (vendors from OUIs left out)", err);
	}
	m->id = ident_new(m->db, m->oui, cfg->max_devices + 64);
	ret = -ENOMEM;
	if (!m->id)
		goto fail;
	log_info("identify=ready rules=%zu oui=%zu", fpdb_rules(m->db),
		m->oui ? oui_count(m->oui) : 0);
	*out = m;
	return 0;
fail:
	idmgr_close(m);
	return ret;
}

void idmgr_close(struct idmgr *m)
{
	if (!m)
		return;
	ident_free(m->id);
	oui_free(m->oui);
	fpdb_free(m->db);
	free(m);
}
