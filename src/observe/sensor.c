/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The identification sensor: which parser a frame goes to, and which of its fields are signals. */
#include "observe/sensor.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <string.h>

#include "core/util.h"
#include "observe/dhcp.h"
#include "observe/dhcp6.h"
#include "observe/dns.h"
#include "observe/http.h"
#include "observe/lldp.h"
#include "observe/ssdp.h"
#include "observe/tcpsig.h"
#include "observe/tls.h"

#define ETHT_LLDP 0x88cc

struct emit {
	const struct sensor_ops *ops;
	void *ctx;
	struct sensor_stats *st;
	struct hg_mac mac;
};

static void emit(struct emit *e, enum hg_signal sig, const char *value)
{
	char v[HG_SIGNAL_VALUE_MAX];

	if (!value[0] || !e->ops->signal)
		return;
	util_sanitize(v, sizeof(v), value, strnlen(value, sizeof(v) - 1));
	e->st->signals++;
	e->ops->signal(e->ctx, &e->mac, sig, v);
}

static void emitf(struct emit *e, enum hg_signal sig, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void emitf(struct emit *e, enum hg_signal sig, const char *fmt, ...)
{
	char v[HG_SIGNAL_VALUE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	emit(e, sig, v);
}

static void list16(char *buf, size_t len, const uint16_t *v, size_t n)
{
	size_t off = 0;

	buf[0] = 0;
	for (size_t i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, i ? ",%u" : "%u", v[i]);
}

static void dhcp4(struct emit *e, const struct pkt *p)
{
	struct dhcp4_info d;
	char err[128], v[HG_SIGNAL_VALUE_MAX];

	if (dhcp4_parse(p->payload, p->payload_len, &d, err, sizeof(err)) < 0) {
		e->st->malformed++;
		return;
	}
	if (d.op != DHCP4_BOOTREQUEST)
		return;
	/* A relay forwards on the client's behalf: the client is chaddr. */
	if (d.giaddr.s_addr) {
		if (!(d.flags & DHCP4_HAS_CHADDR))
			return;
		e->mac = d.chaddr;
	}
	if (d.flags & DHCP4_HAS_HOSTNAME)
		emit(e, HG_SIG_DHCP_HOSTNAME, d.hostname);
	if (d.flags & DHCP4_HAS_VENDOR_CLASS)
		emit(e, HG_SIG_DHCP_VENDOR, d.vendor_class);
	if (d.flags & DHCP4_HAS_PRL) {
		dhcp4_prl_format(&d, v, sizeof(v));
		emit(e, HG_SIG_DHCP_PRL, v);
	}
	if (d.order_len) {
		dhcp4_order_format(&d, v, sizeof(v));
		emit(e, HG_SIG_DHCP_OPTIONS, v);
	}
	if (d.flags & DHCP4_HAS_MAX_MSG_SIZE)
		emitf(e, HG_SIG_DHCP_MAX_SIZE, "%u", d.max_msg_size);
	if (d.flags & DHCP4_HAS_CLIENT_ID)
		emitf(e, HG_SIG_DHCP_CLIENT_ID, "%u", d.client_id[0]);
}

static void dhcp6(struct emit *e, const struct pkt *p)
{
	struct dhcp6_info d;
	char err[128], v[HG_SIGNAL_VALUE_MAX];

	if (dhcp6_parse(p->payload, p->payload_len, &d, err, sizeof(err)) < 0) {
		e->st->malformed++;
		return;
	}
	if (d.msg_type == DHCP6_ADVERTISE || d.msg_type == DHCP6_REPLY ||
		d.msg_type == DHCP6_RECONFIGURE)
		return;
	if (d.relay_depth) {
		if (!(d.flags & DHCP6_HAS_MAC) || d.mac_source != DHCP6_MAC_RELAY_LLADDR)
			return;
		e->mac = d.mac;
	}
	if (d.flags & DHCP6_HAS_VENDOR_CLASS)
		emitf(e, HG_SIG_DHCP6_VENDOR, "%u:%s", d.vendor_enterprise, d.vendor_class);
	if (d.flags & DHCP6_HAS_ORO) {
		list16(v, sizeof(v), d.oro, d.oro_len);
		emit(e, HG_SIG_DHCP6_ORO, v);
	}
	if ((d.flags & DHCP6_HAS_FQDN) && d.fqdn[0])
		emit(e, HG_SIG_DHCP6_FQDN, d.fqdn);
}

static bool is_reverse(const char *name)
{
	size_t n = strlen(name);

	return (n >= 13 && strcasecmp(name + n - 13, ".in-addr.arpa") == 0) ||
		(n >= 9 && strcasecmp(name + n - 9, ".ip6.arpa") == 0);
}

/* "_hue._tcp.local" and "_services._dns-sd._udp.local" style names: a service type. */
static bool is_service_type(const char *name)
{
	return name[0] == '_' && (strstr(name, "._tcp.") || strstr(name, "._udp."));
}

static void mdns_name(struct emit *e, const char *name)
{
	char label[DNS_NAME_MAX + 1];

	if (!name[0] || is_reverse(name) || is_service_type(name))
		return;
	dns_first_label(name, label, sizeof(label));
	emit(e, HG_SIG_MDNS_NAME, label);
}

static void mdns(struct emit *e, const struct dns_msg *m)
{
	/* A query that carries authority records is a probe for the names the sender is about to
	 * claim (RFC 6762 §8.1): those are its own. A plain query only says what it looks for. */
	bool probe = false;

	for (size_t i = 0; i < m->nrecords; i++)
		if (m->rr[i].section == DNS_AUTHORITY)
			probe = true;
	if (probe)
		for (size_t i = 0; i < m->nquestions; i++) {
			if (is_service_type(m->q[i].name))
				emit(e, HG_SIG_MDNS_SERVICE, m->q[i].name);
			else
				mdns_name(e, m->q[i].name);
		}
	for (size_t i = 0; i < m->nrecords; i++) {
		const struct dns_record *r = &m->rr[i];

		/* A query's answers are known answers (RFC 6762 §7.1): records the querier
		 * learnt from other devices. */
		if (!m->response && r->section == DNS_ANSWER)
			continue;
		switch (r->type) {
		case 12: /* PTR */
			if (strcasecmp(r->name, "_services._dns-sd._udp.local") == 0) {
				emit(e, HG_SIG_MDNS_SERVICE, r->srv.target);
			} else if (is_service_type(r->name)) {
				/* "_sub" browse subtypes name the service after the last "._sub." */
				const char *sub = strstr(r->name, "._sub.");

				emit(e, HG_SIG_MDNS_SERVICE, sub ? sub + 6 : r->name);
				mdns_name(e, r->srv.target);
			}
			break;
		case 33: /* SRV: instance name → host */
			mdns_name(e, r->name);
			mdns_name(e, r->srv.target);
			break;
		case 1:	 /* A */
		case 28: /* AAAA */
		case 16: /* TXT */
			mdns_name(e, r->name);
			break;
		default:
			break;
		}
	}
}

static void dns(struct emit *e, const struct pkt *p, bool multicast)
{
	static struct dns_msg m; /* 26 KB; the sensor is single-threaded */
	char err[128];

	if (dns_parse(p->payload, p->payload_len, &m, err, sizeof(err)) < 0) {
		e->st->malformed++;
		return;
	}
	if (multicast) {
		mdns(e, &m);
		return;
	}
	if (m.response || m.opcode != 0)
		return;
	for (size_t i = 0; i < m.nquestions; i++)
		if (!is_reverse(m.q[i].name))
			emit(e, HG_SIG_DNS_QUERY, m.q[i].name);
}

static void ssdp(struct emit *e, const struct pkt *p)
{
	struct ssdp_msg m;
	char err[128], t[256];

	if (ssdp_parse(p->payload, p->payload_len, &m, err, sizeof(err)) < 0) {
		e->st->malformed++;
		return;
	}
	if (m.flags & SSDP_HAS_SERVER)
		emit(e, HG_SIG_SSDP_SERVER, m.server);
	if (m.flags & SSDP_HAS_USER_AGENT)
		emit(e, HG_SIG_SSDP_USER_AGENT, m.user_agent);
	/* An M-SEARCH's ST is what the sender looks for, not what it is. */
	if (m.kind != SSDP_MSEARCH) {
		if (m.flags & SSDP_HAS_NT) {
			ssdp_type(m.nt, t, sizeof(t));
			emit(e, HG_SIG_SSDP_TYPE, t);
		}
		if (m.flags & SSDP_HAS_ST) {
			ssdp_type(m.st, t, sizeof(t));
			emit(e, HG_SIG_SSDP_TYPE, t);
		}
	}
}

static void tcp_payload(struct emit *e, const struct pkt *p)
{
	char err[128];
	struct tls_hello h;
	int ret;

	ret = tls_client_hello_parse(p->payload, p->payload_len, &h, err, sizeof(err));
	if (ret < 0) {
		e->st->malformed++;
		return;
	}
	if (ret > 0) {
		char md5[33], ja4[TLS_JA4_LEN], s[16];

		if (h.flags & TLS_HELLO_HAS_SNI)
			emit(e, HG_SIG_TLS_SNI, h.sni);
		if (tls_ja3(&h, s, sizeof(s), md5) >= 0)
			emit(e, HG_SIG_TLS_JA3, md5);
		if (tls_ja4(&h, 't', ja4) == 0)
			emit(e, HG_SIG_TLS_JA4, ja4);
		return;
	}
	{
		struct http_req r;

		ret = http_req_parse(p->payload, p->payload_len, &r, err, sizeof(err));
		if (ret < 0) {
			e->st->malformed++;
			return;
		}
		if (ret > 0) {
			if (r.flags & HTTP_HAS_USER_AGENT)
				emit(e, HG_SIG_HTTP_USER_AGENT, r.user_agent);
			if (r.flags & HTTP_HAS_HOST)
				emit(e, HG_SIG_HTTP_HOST, r.host);
			/* The path names the service; a query string carries tokens and serials. */
			if (r.target[0] == '/') {
				r.target[strcspn(r.target, "?#;")] = 0;
				emit(e, HG_SIG_HTTP_PATH, r.target);
			}
			return;
		}
	}
	{
		struct upnp_desc u;

		if (upnp_desc_parse(p->payload, p->payload_len, &u) > 0) {
			if (u.flags & UPNP_HAS_MANUFACTURER)
				emit(e, HG_SIG_UPNP_MANUFACTURER, u.manufacturer);
			if ((u.flags & UPNP_HAS_MODEL_NAME) && (u.flags & UPNP_HAS_MODEL_NUMBER))
				emitf(e, HG_SIG_UPNP_MODEL, "%s %s", u.model_name, u.model_number);
			else if (u.flags & UPNP_HAS_MODEL_NAME)
				emit(e, HG_SIG_UPNP_MODEL, u.model_name);
		}
	}
}

static bool dst_unicast(const struct pkt *p)
{
	if (p->dst_mac[0] & 1)
		return false;
	if (p->family == AF_INET)
		return p->dst.v4.s_addr != 0xffffffff && (ntohl(p->dst.v4.s_addr) >> 28) != 14;
	return p->dst.v6.s6_addr[0] != 0xff;
}

/* Whether an address is outside the home: not private, shared, loopback, link-local or
 * unique-local. */
static bool remote(const struct pkt *p)
{
	if (p->family == AF_INET) {
		uint32_t a = ntohl(p->dst.v4.s_addr);

		return !((a >> 24) == 10 || (a >> 20) == (172 << 4 | 1) ||
			(a >> 16) == (192 << 8 | 168) || (a >> 22) == (100 << 2 | 1) ||
			(a >> 24) == 127 || (a >> 16) == (169 << 8 | 254));
	}
	return (p->dst.v6.s6_addr[0] & 0xe0) == 0x20; /* global unicast 2000::/3 */
}

/* The service a device talks to: the destination port of what it sends to an address outside
 * the home (there it is the client), or, inside the home, the lower of the two ports (servers
 * listen on low ports, clients send from ephemeral ones). A TCP segment other than a SYN from
 * a well-known port (a SYN+ACK included) is a server's reply, not the device's choice. */
static void service_port(struct emit *e, const struct pkt *p)
{
	bool tcp = p->flags & PKT_HAS_TCP;

	if (!dst_unicast(p) || p->dport == 0)
		return;
	if (tcp && (p->tcp_flags & 0x12) != 0x02 && p->sport < 1024)
		return;
	if (!remote(p) && p->dport >= p->sport)
		return;
	emitf(e, HG_SIG_NET_PORT, "%s/%u", tcp ? "tcp" : "udp", p->dport);
}

void sensor_frame(const uint8_t *frame, size_t caplen, const struct sensor_ops *ops, void *ctx,
	struct sensor_stats *st)
{
	struct emit e = {.ops = ops, .ctx = ctx, .st = st};
	char err[128];
	struct pkt p;

	st->frames++;
	if (pkt_decode(frame, caplen, &p, err, sizeof(err)) < 0) {
		st->malformed++;
		return;
	}
	if (p.src_mac[0] & 1)
		return; /* no device sends from a group address */
	memcpy(e.mac.b, p.src_mac, 6);
	if (ops->seen)
		ops->seen(ctx, &e.mac, &p);
	if (p.ethertype == ETHT_LLDP) {
		struct lldp_info li;

		if (lldp_parse_frame(frame, caplen, &li, err, sizeof(err)) < 0)
			st->malformed++;
		else if (li.flags & LLDP_HAS_SYSNAME)
			emit(&e, HG_SIG_LLDP_SYSTEM, li.sysname);
		return;
	}
	if (p.flags & PKT_HAS_UDP) {
		/* A relay agent sends from the server port (RFC 1542 §4.1.2). */
		if (p.dport == 67 && (p.sport == 68 || p.sport == 67))
			dhcp4(&e, &p);
		else if (p.dport == 547)
			dhcp6(&e, &p);
		else if (p.dport == 5353 || p.sport == 5353)
			dns(&e, &p, true);
		else if (p.dport == 53)
			dns(&e, &p, false);
		else if (p.dport == 1900 || p.sport == 1900)
			ssdp(&e, &p);
		/* A relayed message was the client's; the port is the sender's. */
		memcpy(e.mac.b, p.src_mac, 6);
		service_port(&e, &p);
		return;
	}
	if (p.flags & PKT_HAS_TCP) {
		char sig[HG_SIGNAL_VALUE_MAX];

		if ((p.tcp_flags & 0x12) == 0x02 && tcpsig_format(&p, sig, sizeof(sig)) > 0)
			emit(&e, HG_SIG_TCP_SYN, sig);
		service_port(&e, &p);
		if (p.payload_len)
			tcp_payload(&e, &p);
	}
}
