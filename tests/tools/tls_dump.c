/* SPDX-License-Identifier: GPL-2.0-or-later */
/* homegate-tls-dump: JA4, JA3 and SNI of every TCP ClientHello in a capture file, one line each,
 * for known-answer checks against published fingerprints (scripts/check-ja4). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "observe/pkt.h"
#include "observe/tls.h"

#define FRAME_MAX    (14 + 262144) /* an Ethernet header in front of the largest snaplen */
#define FLOWS_MAX    64		   /* ClientHellos waiting for their next segment */
#define HELLO_MAX    65536	   /* octets gathered for one ClientHello */
#define SEGMENTS_MAX 16

/* A ClientHello split over TCP segments, gathered while they come in order. */
struct flow {
	bool used;
	int family;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint32_t next_seq;
	char head[128]; /* "frame src sport dst dport" of the first segment */
	unsigned segments;
	size_t len;
	uint8_t *data;
};

static struct flow flows[FLOWS_MAX];
static size_t flow_turn; /* the slot reused next when all are taken */
static uint8_t frame_buf[FRAME_MAX];

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void addr_text(const struct pkt *p, bool src, char *buf, size_t buflen)
{
	const void *a = src ? (const void *)&p->src : (const void *)&p->dst;

	if (!inet_ntop(p->family, a, buf, (socklen_t)buflen))
		snprintf(buf, buflen, "?");
}

static void head_text(const struct pkt *p, unsigned long frame, char *buf, size_t buflen)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

	addr_text(p, true, src, sizeof(src));
	addr_text(p, false, dst, sizeof(dst));
	snprintf(buf, buflen, "%lu %s %u %s %u", frame, src, p->sport, dst, p->dport);
}

static bool flow_match(const struct flow *f, const struct pkt *p)
{
	size_t alen = p->family == AF_INET ? 4 : 16;

	return f->used && f->family == p->family && f->sport == p->sport && f->dport == p->dport &&
		!memcmp(f->src, &p->src, alen) && !memcmp(f->dst, &p->dst, alen);
}

static struct flow *flow_find(const struct pkt *p)
{
	for (size_t i = 0; i < FLOWS_MAX; i++)
		if (flow_match(&flows[i], p))
			return &flows[i];
	return NULL;
}

static void flow_drop(struct flow *f)
{
	free(f->data);
	memset(f, 0, sizeof(*f));
}

/* Starts gathering a truncated ClientHello; false when out of memory. */
static bool flow_start(const struct pkt *p, unsigned long frame)
{
	struct flow *f = flow_find(p);
	size_t alen = p->family == AF_INET ? 4 : 16;

	if (!f) {
		for (size_t i = 0; i < FLOWS_MAX && !f; i++)
			if (!flows[i].used)
				f = &flows[i];
		if (!f) {
			f = &flows[flow_turn];
			flow_turn = (flow_turn + 1) % FLOWS_MAX;
		}
	}
	flow_drop(f);
	if (p->payload_len > HELLO_MAX || !(f->data = malloc(HELLO_MAX)))
		return false;
	f->used = true;
	f->family = p->family;
	memcpy(f->src, &p->src, alen);
	memcpy(f->dst, &p->dst, alen);
	f->sport = p->sport;
	f->dport = p->dport;
	f->next_seq = be32(p->tcp + 4) + (uint32_t)p->payload_len;
	head_text(p, frame, f->head, sizeof(f->head));
	f->segments = 1;
	memcpy(f->data, p->payload, p->payload_len);
	f->len = p->payload_len;
	return true;
}

static void print_hello(const char *head, const struct tls_hello *h, unsigned segments)
{
	char ja4[TLS_JA4_LEN], md5[33];

	printf("%s ", head);
	if (h->flags & TLS_HELLO_TRUNCATED)
		printf("truncated");
	else if (tls_ja4(h, 't', ja4) == 0 && tls_ja3(h, NULL, 0, md5) >= 0)
		printf("ja4=%s ja3=%s", ja4, md5);
	else
		printf("dropped");
	printf(" sni=%s", h->flags & TLS_HELLO_HAS_SNI ? h->sni : "-");
	if (segments > 1)
		printf(" segments=%u", segments);
	printf("\n");
}

static void tcp_payload(const struct pkt *p, unsigned long frame)
{
	static struct tls_hello h;
	struct flow *f = flow_find(p);
	char err[256], head[128];
	int ret;

	if (f && be32(p->tcp + 4) == f->next_seq) {
		/* The next segment of a ClientHello being gathered. */
		if (p->payload_len > HELLO_MAX - f->len || f->segments >= SEGMENTS_MAX) {
			flow_drop(f);
			return;
		}
		memcpy(f->data + f->len, p->payload, p->payload_len);
		f->len += p->payload_len;
		f->next_seq += (uint32_t)p->payload_len;
		f->segments++;
		ret = tls_client_hello_parse(f->data, f->len, &h, err, sizeof(err));
		if (ret == 1 && (h.flags & TLS_HELLO_TRUNCATED))
			return;
		if (ret == 1)
			print_hello(f->head, &h, f->segments);
		else if (ret < 0)
			printf("%s invalid segments=%u reason=%s\n", f->head, f->segments, err);
		flow_drop(f);
		return;
	}
	ret = tls_client_hello_parse(p->payload, p->payload_len, &h, err, sizeof(err));
	if (ret == 0)
		return;
	head_text(p, frame, head, sizeof(head));
	if (ret < 0) {
		printf("%s invalid reason=%s\n", head, err);
		return;
	}
	if ((h.flags & TLS_HELLO_TRUNCATED) && flow_start(p, frame))
		return;
	print_hello(head, &h, 1);
}

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE], err[256];
	struct pcap_pkthdr *ph;
	const uint8_t *data;
	unsigned long frame = 0;
	pcap_t *pc;
	int dlt, ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE.pcap|FILE.pcapng\n", argv[0]);
		return 2;
	}
	if (!(pc = pcap_open_offline(argv[1], errbuf))) {
		fprintf(stderr, "%s: %s\n", argv[1], errbuf);
		return 1;
	}
	dlt = pcap_datalink(pc);
	if (!pkt_link_supported(dlt)) {
		fprintf(stderr, "%s: link type %s not handled\n", argv[1],
			pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?");
		pcap_close(pc);
		return 1;
	}
	while ((ret = pcap_next_ex(pc, &ph, &data)) == 1) {
		const uint8_t *f;
		struct pkt p;
		size_t flen;

		frame++;
		if (!(f = pkt_link_frame(
			      dlt, data, ph->caplen, frame_buf, sizeof(frame_buf), &flen)))
			continue;
		if (pkt_decode(f, flen, &p, err, sizeof(err)) < 0 || !(p.flags & PKT_HAS_TCP) ||
			p.payload_len == 0)
			continue;
		tcp_payload(&p, frame);
	}
	if (ret == PCAP_ERROR)
		fprintf(stderr, "%s: %s\n", argv[1], pcap_geterr(pc));
	/* Whatever is still being gathered stays truncated. */
	for (size_t i = 0; i < FLOWS_MAX; i++) {
		struct tls_hello h;

		if (!flows[i].used)
			continue;
		if (tls_client_hello_parse(flows[i].data, flows[i].len, &h, err, sizeof(err)) == 1)
			print_hello(flows[i].head, &h, flows[i].segments);
		flow_drop(&flows[i]);
	}
	pcap_close(pc);
	return ret == PCAP_ERROR ? 1 : 0;
}
