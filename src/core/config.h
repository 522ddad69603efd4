/* SPDX-License-Identifier: GPL-2.0-or-later */
/* homegate.conf: schema-driven parser; every key typed and validated, unknown keys rejected. */
#ifndef HG_CONFIG_H
#define HG_CONFIG_H

#include <limits.h>
#include <net/if.h>
#include <stddef.h>

#include "core/log.h"

#define HG_CONFIG_PATH	   HOMEGATE_SYSCONFDIR "/homegate/homegate.conf"
#define HG_CONFIG_MAX_SIZE (256 * 1024)
#define HG_CONFIG_NAME_MAX 32
#define HG_CONFIG_ERR_MAX  512
/* [wifi] hostapd_ctrl: at most this many sockets, each a Unix socket path (< 108 bytes). */
#define HG_WIFI_CTRL_MAX 8
/* [dns] binding: dnsbind behind dnsmasq server= lines, or dnsmasq --nftset lines. */
#define HG_DNS_BINDING_FORWARDER 0
#define HG_DNS_BINDING_NFTSET	 1
/* [dns] upstream: at most 4 "ADDR[#PORT]", space separated. */
#define HG_DNS_UPSTREAM_MAX  4
#define HG_DNS_UPSTREAM_LIST 256
#define HG_WIFI_CTRL_LIST    (HG_WIFI_CTRL_MAX * 108)

/* The whole configuration; a plain value, copied into the engine child by fork. Every field has
 * a default (config_defaults), so a missing file key means the documented default. */
struct hg_config {
	/* [daemon] */
	char user[HG_CONFIG_NAME_MAX];	/* engine's unprivileged user */
	char group[HG_CONFIG_NAME_MAX]; /* group allowed on the control socket */
	char state_dir[PATH_MAX];	/* SQLite store, caches, keys */
	char run_dir[PATH_MAX];		/* control and hook sockets */
	enum log_level log_level;
	unsigned engine_restart_max_s; /* cap of the engine restart back-off */
	/* [lan] */
	char lan_interface[IF_NAMESIZE]; /* the LAN bridge */
	unsigned lan_profile_gc_s;	 /* a profile no device uses is removed after this */
	/* [registry] */
	unsigned lease_grace_s; /* policy kept this long after a lease ends */
	unsigned seen_flush_s;	/* how often last-seen times are written to flash */
	unsigned max_devices;	/* registry refuses new devices beyond this */
	/* [mud] */
	char mud_trust_anchors[PATH_MAX]; /* PEM anchors for MUD signatures; "" = none */
	char mud_ca_file[PATH_MAX];	  /* PEM bundle for MUD servers' TLS; "" = system */
	char mud_proxy[256];		  /* proxy for MUD fetches; "" = direct */
	unsigned mud_require_signature;	  /* 1: unsigned files are never applied (AC-17) */
	char mud_language[64];		  /* Accept-Language */
	unsigned mud_max_file_size;	  /* bytes */
	unsigned mud_fetch_timeout_s;	  /* whole transfer, redirects included */
	unsigned mud_max_redirects;
	unsigned mud_retry_min_s, mud_retry_max_s; /* back-off after a failed fetch */
	unsigned mud_stale_grace_h; /* past cache-validity and unreachable this long: stale */
	/* [dns] */
	char dns_nftset_file[PATH_MAX]; /* dnsmasq conf lines binding DNS names to our sets */
	char dns_reload_command[256];	/* run (no shell) after that file changed; "" = none */
	unsigned dns_binding;		/* HG_DNS_BINDING_*: how answers reach the sets */
	char dns_upstream[HG_DNS_UPSTREAM_LIST]; /* dnsbind's resolvers; "" = resolv.conf's */
	unsigned dns_bind_port;			 /* dnsbind listens on 127.0.0.1 here */
	unsigned dns_bind_min_timeout_s;	 /* element timeout floor (dns_answer.h) */
	/* [identify] */
	char identify_database[PATH_MAX];	/* the shipped fingerprint database */
	char identify_local_database[PATH_MAX]; /* the ISP's or user's additions; "" = none */
	char identify_oui[PATH_MAX]; /* IEEE OUI registry; "" = HG_OUI_SYSTEM, then fallback */
	/* [wifi] */
	char wifi_hostapd_ctrl[HG_WIFI_CTRL_LIST]; /* control sockets, space separated; "" none */
	char wifi_psk_file[PATH_MAX];		   /* hostapd wpa_psk_file we own; "" = none */
	char wifi_sae_file[PATH_MAX];		   /* sae_password include file; "" = none */
	unsigned wifi_vlan;			   /* vlanid= of new per-device PSKs; 0 = none */
	/* [dpp] */
	char dpp_listen[64];	     /* the DPP Controller's TCP address; "" = no Controller */
	char dpp_ssid[33];	     /* the network the credentials are for */
	unsigned dpp_akm;	     /* HG_DPP_AKM_* */
	unsigned dpp_unknown;	     /* HG_DPP_UNKNOWN_*: a device whose code nobody scanned */
	unsigned dpp_hold_timeout_s; /* a held request is refused after this */
};

/* [dpp] akm and unknown (indices of their words in config.c). */
enum { HG_DPP_AKM_DPP = 0, HG_DPP_AKM_PSK, HG_DPP_AKM_SAE, HG_DPP_AKM_PSK_SAE };
enum { HG_DPP_UNKNOWN_HOLD = 0, HG_DPP_UNKNOWN_REFUSE, HG_DPP_UNKNOWN_GRANT };

/* Where the shipped data lives (CMake's datadir), and the system's IEEE registry (ieee-data). */
#ifndef HOMEGATE_DATADIR
#define HOMEGATE_DATADIR "/usr/local/share/homegate"
#endif
#define HG_FPDB_DEFAULT HOMEGATE_DATADIR "/fingerprints.fpdb"
#define HG_OUI_SYSTEM	"/usr/share/ieee-data/oui.txt"
#define HG_OUI_FALLBACK HOMEGATE_DATADIR "/oui-fallback.txt"

void config_defaults(struct hg_config *cfg);

/* Parses a whole file into cfg (which should hold the defaults first). On error returns
 * -EINVAL (or -errno for I/O) and writes into err a message naming file, line and key, e.g.
 * "homegate.conf:12: daemon.log_level: \"loud\" is not one of err, warn, info, debug".
 * cfg is left unchanged on error. */
int config_load(struct hg_config *cfg, const char *path, char *err, size_t errlen);
/* The same for a buffer (len bytes, need not be NUL-terminated); name is used in messages. */
int config_parse(struct hg_config *cfg, const char *buf, size_t len, const char *name, char *err,
	size_t errlen);
/* Writes the effective configuration in file syntax (for `homegated -n`). */
void config_dump(const struct hg_config *cfg, int fd);

#endif
