/* SPDX-License-Identifier: GPL-2.0-or-later */
/* homegate.conf: schema-driven parser; every key typed and validated, unknown keys rejected. */
#include "core/config.h"

#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LINE_MAX_LEN 4096

enum cfg_type {
	CFG_NAME,     /* POSIX portable user/group name */
	CFG_PATH,     /* absolute path */
	CFG_IFACE,    /* network interface name */
	CFG_UINT,     /* unsigned in [min, max] */
	CFG_LEVEL,    /* log level */
	CFG_BOOL,     /* yes/no, true/false, on/off, 1/0 (stored as unsigned 0/1) */
	CFG_OPT_PATH, /* absolute path, or empty for none */
	CFG_URL,      /* empty, or an http:// or https:// URL of printable ASCII */
	CFG_LANG,     /* an Accept-Language value: language tags, commas, ;q= weights */
	CFG_CMD,      /* empty, or an absolute program path and plain words, run without a shell */
	CFG_BINDING,  /* forwarder or nftset */
	CFG_ADDRLIST, /* empty, or 1..4 IPv4/IPv6 addresses with an optional #PORT */
	CFG_SOCKLIST, /* empty, or up to HG_WIFI_CTRL_MAX distinct absolute socket paths */
	CFG_CHOICE,   /* one of the key's words (stored as its index) */
	CFG_LISTEN,   /* empty, or IPv4:PORT or [IPv6]:PORT, numeric */
	CFG_SSID,     /* empty, or 1..32 printable ASCII characters */
};

struct cfg_key {
	const char *section, *key;
	enum cfg_type type;
	size_t off, size;
	long long min, max;
};

static const char *const dpp_unknown_words[] = {"hold", "refuse", "grant", NULL};
static const char *const dpp_akm_words[] = {"dpp", "psk", "sae", "psk+sae", NULL};
static const char *const no_words[] = {NULL};

/* The words of a CFG_CHOICE key, NULL-terminated. */
static const char *const *choice_words(const struct cfg_key *k)
{
	if (strcmp(k->key, "akm") == 0)
		return dpp_akm_words;
	if (strcmp(k->key, "unknown") == 0)
		return dpp_unknown_words;
	return no_words;
}

#define F(field) offsetof(struct hg_config, field), sizeof(((struct hg_config *)0)->field)

static const struct cfg_key cfg_keys[] = {
	{"daemon", "user", CFG_NAME, F(user), 0, 0},
	{"daemon", "group", CFG_NAME, F(group), 0, 0},
	{"daemon", "state_dir", CFG_PATH, F(state_dir), 0, 0},
	{"daemon", "run_dir", CFG_PATH, F(run_dir), 0, 0},
	{"daemon", "log_level", CFG_LEVEL, F(log_level), 0, 0},
	{"daemon", "engine_restart_max_s", CFG_UINT, F(engine_restart_max_s), 1, 3600},
	{"lan", "interface", CFG_IFACE, F(lan_interface), 0, 0},
	{"lan", "profile_gc_s", CFG_UINT, F(lan_profile_gc_s), 1, 86400},
	{"registry", "lease_grace_s", CFG_UINT, F(lease_grace_s), 0, 86400},
	{"registry", "seen_flush_s", CFG_UINT, F(seen_flush_s), 1, 3600},
	{"registry", "max_devices", CFG_UINT, F(max_devices), 1, 65536},
	{"mud", "trust_anchors", CFG_OPT_PATH, F(mud_trust_anchors), 0, 0},
	{"mud", "ca_file", CFG_OPT_PATH, F(mud_ca_file), 0, 0},
	{"mud", "proxy", CFG_URL, F(mud_proxy), 0, 0},
	{"mud", "require_signature", CFG_BOOL, F(mud_require_signature), 0, 1},
	{"mud", "language", CFG_LANG, F(mud_language), 0, 0},
	{"mud", "max_file_size", CFG_UINT, F(mud_max_file_size), 1024, 512 * 1024},
	{"mud", "fetch_timeout_s", CFG_UINT, F(mud_fetch_timeout_s), 1, 300},
	{"mud", "max_redirects", CFG_UINT, F(mud_max_redirects), 0, 10},
	{"mud", "retry_min_s", CFG_UINT, F(mud_retry_min_s), 1, 86400},
	{"mud", "retry_max_s", CFG_UINT, F(mud_retry_max_s), 1, 604800},
	{"mud", "stale_grace_h", CFG_UINT, F(mud_stale_grace_h), 0, 8760},
	{"dns", "nftset_file", CFG_OPT_PATH, F(dns_nftset_file), 0, 0},
	{"dns", "reload_command", CFG_CMD, F(dns_reload_command), 0, 0},
	{"dns", "binding", CFG_BINDING, F(dns_binding), 0, 0},
	{"dns", "upstream", CFG_ADDRLIST, F(dns_upstream), 0, 0},
	{"dns", "bind_port", CFG_UINT, F(dns_bind_port), 1, 65535},
	{"dns", "bind_min_timeout_s", CFG_UINT, F(dns_bind_min_timeout_s), 0, 604800},
	{"identify", "database", CFG_PATH, F(identify_database), 0, 0},
	{"identify", "local_database", CFG_OPT_PATH, F(identify_local_database), 0, 0},
	{"identify", "oui", CFG_OPT_PATH, F(identify_oui), 0, 0},
	{"wifi", "hostapd_ctrl", CFG_SOCKLIST, F(wifi_hostapd_ctrl), 0, 0},
	{"wifi", "psk_file", CFG_OPT_PATH, F(wifi_psk_file), 0, 0},
	{"wifi", "sae_file", CFG_OPT_PATH, F(wifi_sae_file), 0, 0},
	{"wifi", "vlan", CFG_UINT, F(wifi_vlan), 0, 4094},
	{"dpp", "listen", CFG_LISTEN, F(dpp_listen), 0, 0},
	{"dpp", "ssid", CFG_SSID, F(dpp_ssid), 0, 0},
	{"dpp", "akm", CFG_CHOICE, F(dpp_akm), 0, 0},
	{"dpp", "unknown", CFG_CHOICE, F(dpp_unknown), 0, 0},
	{"dpp", "hold_timeout_s", CFG_UINT, F(dpp_hold_timeout_s), 5, 86400},
};

void config_defaults(struct hg_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	util_strlcpy(cfg->user, "homegate", sizeof(cfg->user));
	util_strlcpy(cfg->group, "homegate", sizeof(cfg->group));
	util_strlcpy(cfg->state_dir, "/var/lib/homegate", sizeof(cfg->state_dir));
	util_strlcpy(cfg->run_dir, "/run/homegate", sizeof(cfg->run_dir));
	cfg->log_level = LOG_LEVEL_INFO;
	cfg->engine_restart_max_s = 30;
	util_strlcpy(cfg->lan_interface, "br-lan", sizeof(cfg->lan_interface));
	cfg->lan_profile_gc_s = 600;
	cfg->lease_grace_s = 60;
	cfg->seen_flush_s = 60;
	cfg->max_devices = 4096;
	cfg->mud_require_signature = 1;
	util_strlcpy(cfg->mud_language, "en", sizeof(cfg->mud_language));
	cfg->mud_max_file_size = 256 * 1024;
	cfg->mud_fetch_timeout_s = 30;
	cfg->mud_max_redirects = 3;
	cfg->mud_retry_min_s = 60;
	cfg->mud_retry_max_s = 6 * 3600;
	cfg->mud_stale_grace_h = 24;
	cfg->dns_binding = HG_DNS_BINDING_FORWARDER;
	cfg->dns_bind_port = 5301;
	cfg->dns_bind_min_timeout_s = 3600;
	util_strlcpy(cfg->identify_database, HG_FPDB_DEFAULT, sizeof(cfg->identify_database));
	cfg->dpp_akm = HG_DPP_AKM_DPP;
	cfg->dpp_unknown = HG_DPP_UNKNOWN_HOLD;
	cfg->dpp_hold_timeout_s = 120;
}

struct parser {
	const char *name;
	unsigned line;
	char *err;
	size_t errlen;
	char section[32];
	bool seen[ARRAY_SIZE(cfg_keys)];
};

__attribute__((format(printf, 2, 3))) static int perr(struct parser *p, const char *fmt, ...)
{
	char msg[HG_CONFIG_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%u: %s", p->name, p->line, msg);
	return -EINVAL;
}

static bool is_name(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (size_t i = 1; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
			    s[i] == '-'))
			return false;
	return strlen(s) < HG_CONFIG_NAME_MAX;
}

/* "192.0.2.1:8908" or "[2001:db8::1]:8908": a numeric address and a port 1..65535. */
static bool is_listen(const char *s)
{
	struct sockaddr_storage ss;
	unsigned len;

	return util_parse_host_port(s, &ss, &len) == 0;
}

static bool is_iface(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IF_NAMESIZE || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
			    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.' ||
			    s[i] == '-'))
			return false;
	return true;
}

static bool is_abs_path(const char *s)
{
	if (s[0] != '/' || strlen(s) >= PATH_MAX || !util_is_printable(s, PATH_MAX))
		return false;
	for (const char *p = s; (p = strstr(p, "..")); p += 2)
		if ((p == s || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return false;
	return true;
}

static bool is_url(const char *s, size_t size)
{
	size_t n = strlen(s);

	if (n >= size || !util_is_printable(s, size) || strchr(s, ' '))
		return false;
	return (strncmp(s, "http://", 7) == 0 && n > 7) ||
		(strncmp(s, "https://", 8) == 0 && n > 8);
}

static bool is_lang(const char *s, size_t size)
{
	size_t n = strlen(s);

	if (n == 0 || n >= size)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
			    (s[i] >= '0' && s[i] <= '9') || strchr("-,;=. *", s[i])))
			return false;
	return true;
}

static bool is_cmd(const char *s, size_t size)
{
	size_t n = strlen(s);

	if (n >= size || s[0] != '/')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
			    (s[i] >= '0' && s[i] <= '9') || strchr("/._-=: ", s[i])))
			return false;
	return true;
}

/* Space-separated socket paths: each absolute, without "..", short enough for sun_path, named
 * once; at most HG_WIFI_CTRL_MAX. Returns NULL or what is wrong. */
static const char *sock_list_error(const char *v, size_t size)
{
	char buf[HG_WIFI_CTRL_LIST], *save = NULL, *seen[HG_WIFI_CTRL_MAX];
	size_t n = 0;

	if (strlen(v) >= size || strlen(v) >= sizeof(buf))
		return "is too long";
	util_strlcpy(buf, v, sizeof(buf));
	for (char *t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (!is_abs_path(t))
			return "names a path that is not absolute or holds \"..\"";
		if (strlen(t) >= 108)
			return "names a path longer than a Unix socket path (107 bytes)";
		if (n == HG_WIFI_CTRL_MAX)
			return "names more than 8 sockets";
		for (size_t i = 0; i < n; i++)
			if (strcmp(seen[i], t) == 0)
				return "names a socket twice";
		seen[n++] = t;
	}
	return NULL;
}

/* Space-separated resolver addresses (IPv4 or IPv6, "#PORT" optional), at most
 * HG_DNS_UPSTREAM_MAX, each once. Returns NULL or what is wrong. */
static const char *addr_list_error(const char *v, size_t size)
{
	char buf[HG_DNS_UPSTREAM_LIST], *save = NULL, *seen[HG_DNS_UPSTREAM_MAX];
	struct sockaddr_storage sa;
	size_t n = 0;

	if (strlen(v) >= size || strlen(v) >= sizeof(buf))
		return "is too long";
	util_strlcpy(buf, v, sizeof(buf));
	for (char *t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (util_parse_addr_port(t, 53, &sa) < 0)
			return "names something that is not an IPv4 or IPv6 address with an "
			       "optional "
			       "#PORT (1-65535)";
		if (n == HG_DNS_UPSTREAM_MAX)
			return "names more than 4 resolvers";
		for (size_t i = 0; i < n; i++)
			if (strcmp(seen[i], t) == 0)
				return "names a resolver twice";
		seen[n++] = t;
	}
	return NULL;
}

static int parse_bool(const char *v)
{
	static const char *const yes[] = {"yes", "true", "on", "1"},
				 *const no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcmp(v, yes[i]) == 0)
			return 1;
		if (strcmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

static int set_value(
	struct parser *p, struct hg_config *cfg, const struct cfg_key *k, const char *v)
{
	char *field = (char *)cfg + k->off;
	long long n;
	enum log_level lvl;

	switch (k->type) {
	case CFG_NAME:
		if (!is_name(v))
			return perr(p,
				"%s.%s: \"%s\" is not a valid name ([a-z_][a-z0-9_-], at most %d "
				"characters)",
				k->section, k->key, v, HG_CONFIG_NAME_MAX - 1);
		util_strlcpy(field, v, k->size);
		break;
	case CFG_PATH:
		if (!is_abs_path(v))
			return perr(p, "%s.%s: \"%s\" is not an absolute path without \"..\"",
				k->section, k->key, v);
		util_strlcpy(field, v, k->size);
		break;
	case CFG_IFACE:
		if (!is_iface(v))
			return perr(p,
				"%s.%s: \"%s\" is not an interface name (1-15 of [A-Za-z0-9_.-])",
				k->section, k->key, v);
		util_strlcpy(field, v, k->size);
		break;
	case CFG_UINT:
		switch (util_parse_int(v, k->min, k->max, &n)) {
		case 0:
			*(unsigned *)(void *)field = (unsigned)n;
			break;
		case -ERANGE:
			return perr(p, "%s.%s: \"%s\" out of range %lld..%lld", k->section, k->key,
				v, k->min, k->max);
		default:
			return perr(
				p, "%s.%s: \"%s\" is not a whole number", k->section, k->key, v);
		}
		break;
	case CFG_LEVEL:
		if (log_level_parse(v, &lvl) < 0)
			return perr(p, "%s.%s: \"%s\" is not one of err, warn, info, debug",
				k->section, k->key, v);
		*(enum log_level *)(void *)field = lvl;
		break;
	case CFG_BOOL:
		n = parse_bool(v);
		if (n < 0)
			return perr(
				p, "%s.%s: \"%s\" is not one of yes, no", k->section, k->key, v);
		*(unsigned *)(void *)field = (unsigned)n;
		break;
	case CFG_OPT_PATH:
		if (*v && !is_abs_path(v))
			return perr(p,
				"%s.%s: \"%s\" is not an absolute path without \"..\" (or empty)",
				k->section, k->key, v);
		util_strlcpy(field, v, k->size);
		break;
	case CFG_URL:
		if (*v && !is_url(v, k->size))
			return perr(p,
				"%s.%s: \"%s\" is not an http:// or https:// URL of at most %zu "
				"printable characters without spaces (or empty)",
				k->section, k->key, v, k->size - 1);
		util_strlcpy(field, v, k->size);
		break;
	case CFG_CMD:
		if (*v && !is_cmd(v, k->size))
			return perr(p,
				"%s.%s: \"%s\" is not an absolute program path followed by plain "
				"words "
				"([A-Za-z0-9/._=:-], run without a shell)",
				k->section, k->key, v);
		util_strlcpy(field, v, k->size);
		break;
	case CFG_SOCKLIST: {
		const char *why = sock_list_error(v, k->size);

		if (why)
			return perr(p, "%s.%s: \"%s\" %s", k->section, k->key, v, why);
		util_strlcpy(field, v, k->size);
		break;
	}
	case CFG_BINDING:
		if (strcmp(v, "forwarder") == 0)
			*(unsigned *)(void *)field = HG_DNS_BINDING_FORWARDER;
		else if (strcmp(v, "nftset") == 0)
			*(unsigned *)(void *)field = HG_DNS_BINDING_NFTSET;
		else
			return perr(p, "%s.%s: \"%s\" is not one of forwarder, nftset", k->section,
				k->key, v);
		break;
	case CFG_ADDRLIST: {
		const char *why = addr_list_error(v, k->size);

		if (why)
			return perr(p, "%s.%s: \"%s\" %s", k->section, k->key, v, why);
		util_strlcpy(field, v, k->size);
		break;
	}
	case CFG_CHOICE: {
		const char *const *words = choice_words(k);
		char list[128] = "";
		size_t i;

		for (i = 0; words[i]; i++) {
			if (strcmp(v, words[i]) == 0) {
				*(unsigned *)(void *)field = (unsigned)i;
				return 0;
			}
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				i ? ", " : "", words[i]);
		}
		return perr(p, "%s.%s: \"%s\" is not one of %s", k->section, k->key, v, list);
	}
	case CFG_LISTEN:
		if (v[0] && !is_listen(v))
			return perr(p,
				"%s.%s: \"%s\" is not a numeric address and port such as "
				"192.168.1.1:8908 or [fd00::1]:8908",
				k->section, k->key, v);
		util_strlcpy(field, v, k->size);
		break;
	case CFG_SSID:
		if (strlen(v) > 32 || !util_is_printable(v, 33))
			return perr(p, "%s.%s: an SSID is 1 to 32 printable ASCII characters",
				k->section, k->key);
		util_strlcpy(field, v, k->size);
		break;
	case CFG_LANG:
		if (!is_lang(v, k->size))
			return perr(p,
				"%s.%s: \"%s\" is not a language list such as \"en\" or "
				"\"de-CH, en;q=0.5\"",
				k->section, k->key, v);
		util_strlcpy(field, v, k->size);
		break;
	}
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Unquotes or strips a trailing comment from a value in place; NULL on a syntax error. */
static char *parse_value(struct parser *p, char *v, int *ret)
{
	v = trim(v);
	if (*v == '"') {
		char *r = v + 1, *w = v;

		for (; *r && *r != '"'; r++) {
			if (*r == '\\') {
				if (r[1] != '"' && r[1] != '\\') {
					*ret = perr(p, "bad escape \"\\%c\" in quoted value",
						r[1] ? r[1] : ' ');
					return NULL;
				}
				r++;
			}
			*w++ = *r;
		}
		if (*r != '"') {
			*ret = perr(p, "unterminated quoted value");
			return NULL;
		}
		if (*trim(r + 1) != '\0' && *trim(r + 1) != '#') {
			*ret = perr(p, "text after the closing quote");
			return NULL;
		}
		*w = '\0';
		return v;
	}
	for (char *c = v; *c; c++) {
		if (*c == '#' && (c == v || c[-1] == ' ' || c[-1] == '\t')) {
			*c = '\0';
			break;
		}
	}
	return trim(v);
}

static int parse_line(struct parser *p, struct hg_config *cfg, char *line)
{
	char *s = trim(line), *eq, *key, *val;
	int ret = 0;

	if (*s == '\0' || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *end = strchr(s, ']');
		bool known = false;

		if (!end || *trim(end + 1) != '\0')
			return perr(p, "bad section header");
		*end = '\0';
		s = trim(s + 1);
		for (size_t i = 0; i < ARRAY_SIZE(cfg_keys); i++)
			if (strcmp(cfg_keys[i].section, s) == 0)
				known = true;
		if (!known)
			return perr(p, "unknown section [%s]", s);
		util_strlcpy(p->section, s, sizeof(p->section));
		return 0;
	}
	eq = strchr(s, '=');
	if (!eq)
		return perr(p, "expected \"key = value\"");
	*eq = '\0';
	key = trim(s);
	if (!p->section[0])
		return perr(p, "key \"%s\" outside a [section]", key);
	val = parse_value(p, eq + 1, &ret);
	if (!val)
		return ret;
	for (size_t i = 0; i < ARRAY_SIZE(cfg_keys); i++) {
		const struct cfg_key *k = &cfg_keys[i];

		if (strcmp(k->section, p->section) != 0 || strcmp(k->key, key) != 0)
			continue;
		if (p->seen[i])
			return perr(p, "%s.%s: set twice", k->section, k->key);
		p->seen[i] = true;
		return set_value(p, cfg, k, val);
	}
	return perr(p, "unknown key \"%s.%s\"", p->section, key);
}

int config_parse(struct hg_config *cfg, const char *buf, size_t len, const char *name, char *err,
	size_t errlen)
{
	struct parser p = {.name = name, .err = err, .errlen = errlen};
	struct hg_config tmp = *cfg;
	char line[LINE_MAX_LEN + 1];
	size_t pos = 0;
	int ret = 0;

	if (errlen)
		err[0] = '\0';
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;

		p.line++;
		if (n > LINE_MAX_LEN)
			return perr(&p, "line longer than %d bytes", LINE_MAX_LEN);
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)line[i];

			/* UTF-8 is fine in comments; every value is checked against its own
			 * character set later. Control characters never are. */
			if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
				return perr(&p, "control byte 0x%02x in column %zu", c, i + 1);
		}
		ret = parse_line(&p, &tmp, line);
		if (ret)
			return ret;
		pos += n + 1;
	}
	*cfg = tmp;
	return 0;
}

int config_load(struct hg_config *cfg, const char *path, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int ret;

	ret = util_read_file(path, HG_CONFIG_MAX_SIZE, &buf, &len);
	if (ret < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			ret == -EFBIG ? "larger than 256 KiB" : strerror(-ret));
		return ret;
	}
	ret = config_parse(cfg, buf, len, path, err, errlen);
	free(buf);
	return ret;
}

/* A text value as config_parse reads it back: quoted (with \" and \\) when bare it would not
 * be, i.e. with a quote first, a " #" comment start, or white space at an end. */
static void dump_text(FILE *f, const char *key, const char *v)
{
	size_t n = strlen(v);

	if (n == 0) {
		fprintf(f, "%s =\n", key);
		return;
	}
	if (v[0] != '"' && v[0] != '#' && v[0] != ' ' && v[n - 1] != ' ' && !strstr(v, " #")) {
		fprintf(f, "%s = %s\n", key, v);
		return;
	}
	fprintf(f, "%s = \"", key);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			fputc('\\', f);
		fputc(*v, f);
	}
	fputs("\"\n", f);
}

void config_dump(const struct hg_config *cfg, int fd)
{
	const char *section = "";
	FILE *f;
	int dfd = dup(fd);

	if (dfd < 0)
		return;
	f = fdopen(dfd, "w");
	if (!f) {
		close(dfd);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(cfg_keys); i++) {
		const struct cfg_key *k = &cfg_keys[i];
		const char *field = (const char *)cfg + k->off;

		if (strcmp(section, k->section) != 0) {
			fprintf(f, "%s[%s]\n", i ? "\n" : "", k->section);
			section = k->section;
		}
		switch (k->type) {
		case CFG_NAME:
		case CFG_PATH:
		case CFG_IFACE:
		case CFG_OPT_PATH:
		case CFG_URL:
		case CFG_LANG:
		case CFG_CMD:
		case CFG_SOCKLIST:
		case CFG_ADDRLIST:
		case CFG_LISTEN:
		case CFG_SSID:
			dump_text(f, k->key, field);
			break;
		case CFG_CHOICE:
			fprintf(f, "%s = %s\n", k->key,
				choice_words(k)[*(const unsigned *)(const void *)field]);
			break;
		case CFG_BINDING:
			fprintf(f, "%s = %s\n", k->key,
				*(const unsigned *)(const void *)field == HG_DNS_BINDING_NFTSET
					? "nftset"
					: "forwarder");
			break;
		case CFG_BOOL:
			fprintf(f, "%s = %s\n", k->key,
				*(const unsigned *)(const void *)field ? "yes" : "no");
			break;
		case CFG_UINT:
			fprintf(f, "%s = %u\n", k->key, *(const unsigned *)(const void *)field);
			break;
		case CFG_LEVEL:
			fprintf(f, "%s = %s\n", k->key,
				log_level_name(*(const enum log_level *)(const void *)field));
			break;
		}
	}
	fclose(f);
}
