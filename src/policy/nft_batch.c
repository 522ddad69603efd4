/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Set-element transactions on our own nftables tables as one libnftnl batch over libmnl. */
#include "policy/nft_batch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* Elements per message: the kernel's element-list nest has a 16-bit length, and 256 of ours
 * (at most ~100 bytes each) stay well below it. */
#define ELEMS_MSG 256
/* Room one message may take in the buffer: the header and attributes plus its elements. */
#define ELEM_ROOM 128
#define MSG_ROOM  (512 + ELEMS_MSG * ELEM_ROOM)
#define RBUF_LEN  65536
#define TABLE_MAX 47

/* nft's datatype ids and byte order as `add set` records them (src/datatype.h of nftables):
 * a set we create must be the same declaration as the one nft would make, or a later `add set`
 * of it is refused. */
#define NFT_TYPE_IPADDR	   7
#define NFT_TYPE_IP6ADDR   8
#define NFT_TYPE_ETHERADDR 9
#define NFT_BYTEORDER_BIG  2

enum { OP_ADD, OP_DEL, OP_FLUSH, OP_NEWSET };

/* One queued operation; the set and jump names are validated copies. */
struct op {
	uint8_t kind, family, kt;
	char set[NFT_BATCH_NAME_MAX + 1];
	uint8_t key[NFT_BATCH_KEY_MAX];
	char jump[NFT_BATCH_NAME_MAX + 1]; /* "" for a plain set's element */
	uint64_t timeout_ms;		   /* an element's own timeout, 0 for none */
};

/* One built message: its sequence number, where it is in buf, and the operations it holds. */
struct msg {
	uint32_t seq;
	size_t off;
	size_t op0, nops;
};

struct nft_batch {
	struct mnl_socket *nl;
	uint32_t portid, seq, set_id;
	char table[TABLE_MAX + 1];
	int err; /* a queueing error: the commit refuses to send */
	struct op *ops;
	size_t nops, cops;
	/* The transaction as sent, kept for attributing an error to an element. */
	char *buf;
	size_t len, cap;
	struct msg *msgs;
	size_t nmsgs, cmsgs;
	uint32_t seq0; /* the batch-begin message's */
	int sndbuf, rcvbuf;
	char rbuf[RBUF_LEN];
};

static bool name_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
			    (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
			return false;
	return n > 0 && n <= NFT_BATCH_NAME_MAX;
}

static size_t key_len(uint8_t kt)
{
	static const uint8_t len[] = {[NFT_BATCH_ETHER] = 6,
		[NFT_BATCH_IPV4] = 4,
		[NFT_BATCH_IPV6] = 16,
		[NFT_BATCH_NAME4] = 12,
		[NFT_BATCH_NAME6] = 24};

	return len[kt];
}

static uint16_t nfproto(uint8_t f)
{
	return f == NFT_BATCH_BRIDGE ? NFPROTO_BRIDGE : NFPROTO_INET;
}

int nft_batch_open(const char *table, struct nft_batch **out)
{
	struct nft_batch *b;
	int one = 1, ret = 0;

	if (!*table || strlen(table) > TABLE_MAX)
		return -EINVAL;
	for (const char *p = table; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	snprintf(b->table, sizeof(b->table), "%s", table);
	b->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!b->nl || mnl_socket_bind(b->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto fail;
	}
	b->portid = mnl_socket_get_portid(b->nl);
	b->seq = (uint32_t)time(NULL);
	/* Acks without a copy of our (large) messages, and with the offset of a bad attribute:
	 * that is how a refusal names its element. */
	mnl_socket_setsockopt(b->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(b->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	*out = b;
	return 0;
fail:
	if (b->nl)
		mnl_socket_close(b->nl);
	free(b);
	return ret ? ret : -EIO;
}

void nft_batch_close(struct nft_batch *b)
{
	if (!b)
		return;
	if (b->nl)
		mnl_socket_close(b->nl);
	free(b->ops);
	free(b->buf);
	free(b->msgs);
	free(b);
}

void nft_batch_begin(struct nft_batch *b)
{
	b->nops = 0;
	b->nmsgs = 0;
	b->len = 0;
	b->err = 0;
}

size_t nft_batch_count(const struct nft_batch *b)
{
	return b->nops;
}

static int queue(struct nft_batch *b, uint8_t kind, enum nft_batch_family f, const char *set,
	enum nft_batch_key kt, const void *key, const char *jump)
{
	struct op *o;

	if (b->err)
		return b->err;
	if ((f != NFT_BATCH_INET && f != NFT_BATCH_BRIDGE) || kt > NFT_BATCH_NAME6 ||
		(kind == OP_NEWSET && kt > NFT_BATCH_IPV6) ||
		((kt == NFT_BATCH_NAME4 || kt == NFT_BATCH_NAME6) && jump) || !name_ok(set) ||
		(jump && !name_ok(jump))) {
		b->err = -EINVAL;
		return b->err;
	}
	if (b->nops == b->cops) {
		size_t cap = b->cops ? b->cops * 2 : 64;
		void *p = reallocarray(b->ops, cap, sizeof(*b->ops));

		if (!p) {
			b->err = -ENOMEM;
			return b->err;
		}
		b->ops = p;
		b->cops = cap;
	}
	o = &b->ops[b->nops++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->family = (uint8_t)f;
	o->kt = (uint8_t)kt;
	memcpy(o->set, set, strlen(set) + 1);
	if (key)
		memcpy(o->key, key, key_len(o->kt));
	if (jump)
		memcpy(o->jump, jump, strlen(jump) + 1);
	return 0;
}

int nft_batch_add(struct nft_batch *b, enum nft_batch_family f, const char *set,
	enum nft_batch_key kt, const void *key, const char *jump)
{
	return queue(b, OP_ADD, f, set, kt, key, jump);
}

int nft_batch_add_timeout(struct nft_batch *b, enum nft_batch_family f, const char *set,
	enum nft_batch_key kt, const void *key, uint64_t timeout_ms)
{
	int ret;

	if (!timeout_ms && !b->err)
		b->err = -EINVAL;
	ret = queue(b, OP_ADD, f, set, kt, key, NULL);
	if (!ret)
		b->ops[b->nops - 1].timeout_ms = timeout_ms;
	return ret;
}

int nft_batch_del(struct nft_batch *b, enum nft_batch_family f, const char *set,
	enum nft_batch_key kt, const void *key)
{
	return queue(b, OP_DEL, f, set, kt, key, NULL);
}

int nft_batch_flush(struct nft_batch *b, enum nft_batch_family f, const char *set)
{
	return queue(b, OP_FLUSH, f, set, NFT_BATCH_ETHER, NULL, NULL);
}

int nft_batch_new_set(
	struct nft_batch *b, enum nft_batch_family f, const char *set, enum nft_batch_key kt)
{
	return queue(b, OP_NEWSET, f, set, kt, NULL, NULL);
}

/* ---- building ------------------------------------------------------------------------------ */

static int reserve(struct nft_batch *b, size_t room)
{
	if (b->cap - b->len >= room)
		return 0;
	{
		size_t cap = b->cap ? b->cap : 4 * MSG_ROOM;
		void *p;

		while (cap - b->len < room)
			cap *= 2;
		p = realloc(b->buf, cap);
		if (!p)
			return -ENOMEM;
		b->buf = p;
		b->cap = cap;
	}
	return 0;
}

static int msg_push(struct nft_batch *b, struct nlmsghdr *nlh, size_t op0, size_t nops)
{
	if (b->nmsgs == b->cmsgs) {
		size_t cap = b->cmsgs ? b->cmsgs * 2 : 32;
		void *p = reallocarray(b->msgs, cap, sizeof(*b->msgs));

		if (!p)
			return -ENOMEM;
		b->msgs = p;
		b->cmsgs = cap;
	}
	b->msgs[b->nmsgs++] =
		(struct msg){.seq = nlh->nlmsg_seq, .off = b->len, .op0 = op0, .nops = nops};
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	return 0;
}

/* The set declaration `add set <f> <table> <name> { type <kt>; }` sends. */
static int build_new_set(struct nft_batch *b, const struct op *o, size_t i)
{
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(64);
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	int ret = -ENOMEM;
	uint32_t type = o->kt == NFT_BATCH_IPV4 ? NFT_TYPE_IPADDR
		: o->kt == NFT_BATCH_IPV6	? NFT_TYPE_IP6ADDR
						: NFT_TYPE_ETHERADDR;

	if (!ud || !s || !nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER, NFT_BYTEORDER_BIG))
		goto out;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, b->table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, o->set);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, 0);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, (uint32_t)key_len(o->kt));
	nftnl_set_set_u32(s, NFTNL_SET_ID, ++b->set_id);
	nftnl_set_set_data(
		s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud), nftnl_udata_buf_len(ud));
	nlh = nftnl_nlmsg_build_hdr(b->buf + b->len, NFT_MSG_NEWSET, nfproto(o->family),
		NLM_F_CREATE | NLM_F_ACK, b->seq++);
	nftnl_set_nlmsg_build_payload(nlh, s);
	ret = msg_push(b, nlh, i, 1);
out:
	nftnl_set_free(s);
	nftnl_udata_buf_free(ud);
	return ret;
}

/* One element message of ops[i..i+n): adds, deletes, or (n == 1, OP_FLUSH) a flush. */
static int build_elems(struct nft_batch *b, size_t i, size_t n)
{
	const struct op *o = &b->ops[i];
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	uint16_t type = o->kind == OP_ADD ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM;
	int ret = -ENOMEM;

	if (!s)
		return -ENOMEM;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, b->table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, o->set);
	for (size_t k = 0; o->kind != OP_FLUSH && k < n; k++) {
		const struct op *x = &b->ops[i + k];
		struct nftnl_set_elem *e = nftnl_set_elem_alloc();

		if (!e)
			goto out;
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, x->key, (uint32_t)key_len(x->kt));
		if (x->kind == OP_ADD && x->timeout_ms)
			nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT, x->timeout_ms);
		if (x->kind == OP_ADD && x->jump[0]) {
			nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, (uint32_t)NFT_JUMP);
			nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, x->jump);
		}
		nftnl_set_elem_add(s, e);
	}
	/* NLM_F_CREATE without NLM_F_EXCL: `add element`, not `create element`. */
	nlh = nftnl_nlmsg_build_hdr(b->buf + b->len, type, nfproto(o->family),
		(o->kind == OP_ADD ? NLM_F_CREATE : 0) | NLM_F_ACK, b->seq++);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	ret = msg_push(b, nlh, i, n);
out:
	nftnl_set_free(s);
	return ret;
}

/* Whether ops a and b can share one element message. */
static bool same_msg(const struct op *a, const struct op *x)
{
	return a->kind == x->kind && (a->kind == OP_ADD || a->kind == OP_DEL) &&
		a->family == x->family && strcmp(a->set, x->set) == 0;
}

static int build(struct nft_batch *b)
{
	struct nlmsghdr *nlh;
	int ret = 0;

	b->len = b->nmsgs = 0;
	ret = reserve(b, MSG_ROOM);
	if (ret)
		return ret;
	b->seq0 = b->seq;
	nlh = nftnl_batch_begin(b->buf, b->seq++);
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	for (size_t i = 0; i < b->nops && !ret;) {
		size_t n = 1;

		while (i + n < b->nops && n < ELEMS_MSG && same_msg(&b->ops[i], &b->ops[i + n]))
			n++;
		ret = reserve(b, MSG_ROOM);
		if (!ret)
			ret = b->ops[i].kind == OP_NEWSET ? build_new_set(b, &b->ops[i], i)
							  : build_elems(b, i, n);
		i += n;
	}
	if (ret)
		return ret;
	nlh = nftnl_batch_end(b->buf + b->len, b->seq++);
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	return 0;
}

/* ---- sending and acks ---------------------------------------------------------------------- */

/* Grows a socket buffer to want bytes when it is smaller (the kernel doubles what we set). */
static void sockbuf(struct nft_batch *b, int opt_force, int opt, int *cur, size_t want)
{
	int v;

	if (want > (size_t)1 << 30)
		want = (size_t)1 << 30;
	if ((int)want <= *cur)
		return;
	v = (int)want;
	if (setsockopt(mnl_socket_get_fd(b->nl), SOL_SOCKET, opt_force, &v, sizeof(v)) < 0)
		setsockopt(mnl_socket_get_fd(b->nl), SOL_SOCKET, opt, &v, sizeof(v));
	*cur = v;
}

static int offs_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_OFFS && mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
		*(uint32_t *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

/* The operation of message m that the kernel's attribute offset points into. */
static size_t op_at(const struct nft_batch *b, const struct msg *m, uint32_t offs)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)(const void *)(b->buf + m->off);
	const struct nlattr *a;

	if (m->nops < 2 || !offs)
		return m->op0;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
	{
		const struct nlattr *el;
		size_t k = 0;

		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(el, a)
		{
			size_t at = (size_t)((const char *)el - (const char *)nlh);

			if (offs >= at && offs < at + el->nla_len && k < m->nops)
				return m->op0 + k;
			k++;
		}
	}
	return m->op0;
}

static const char *const family_name[] = {"inet", "bridge"};
static const char *const kind_name[] = {"add", "delete", "flush", "add set"};

static void describe(const struct op *o, char *buf, size_t len)
{
	char k[24 + INET6_ADDRSTRLEN + 1] = "";

	if (o->kind == OP_ADD || o->kind == OP_DEL) {
		if (o->kt == NFT_BATCH_ETHER) {
			snprintf(k, sizeof(k), "%02x:%02x:%02x:%02x:%02x:%02x", o->key[0],
				o->key[1], o->key[2], o->key[3], o->key[4], o->key[5]);
		} else if (o->kt == NFT_BATCH_IPV4 || o->kt == NFT_BATCH_IPV6) {
			inet_ntop(
				o->kt == NFT_BATCH_IPV4 ? AF_INET : AF_INET6, o->key, k, sizeof(k));
		} else { /* as nft lists it: "hi . lo . address" */
			uint32_t w[2];
			int at;

			memcpy(w, o->key, sizeof(w));
			at = snprintf(k, sizeof(k), "%u . %u . ", w[0], w[1]);
			inet_ntop(o->kt == NFT_BATCH_NAME4 ? AF_INET : AF_INET6, o->key + 8, k + at,
				sizeof(k) - (size_t)at);
		}
	}
	snprintf(buf, len, "%s %s %s%s%s%s%s", kind_name[o->kind], family_name[o->family], o->set,
		k[0] ? " " : "", k, o->jump[0] && o->kind == OP_ADD ? " jump " : "",
		o->kind == OP_ADD ? o->jump : "");
}

/* Reads the acks of the batch just sent. The kernel handles a batch inside sendmsg, so every
 * ack is queued by then; the wait is only a guard. */
static int read_acks(struct nft_batch *b, size_t *bad)
{
	uint32_t err_seq = 0;
	size_t acked = 0;
	int err = 0;

	*bad = SIZE_MAX;
	for (;;) {
		ssize_t len =
			recv(mnl_socket_get_fd(b->nl), b->rbuf, sizeof(b->rbuf), MSG_DONTWAIT);
		int left;

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = {.fd = mnl_socket_get_fd(b->nl), .events = POLLIN};

			if (err || acked == b->nmsgs)
				break;
			if (poll(&p, 1, 2000) <= 0)
				return -ETIMEDOUT;
			continue;
		}
		if (len < 0)
			return -errno; /* ENOBUFS: acks lost, the outcome unknown */
		left = (int)len;
		for (const struct nlmsghdr *nlh = (const struct nlmsghdr *)(void *)b->rbuf;
			mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			const struct nlmsgerr *me = mnl_nlmsg_get_payload(nlh);
			uint32_t seq, offs = 0;

			if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_pid != b->portid)
				continue;
			seq = me->msg.nlmsg_seq;
			if (seq - b->seq0 > b->nmsgs + 1)
				continue; /* not of this batch */
			acked++;
			if (!me->error || (err && seq - b->seq0 >= err_seq - b->seq0))
				continue;
			err = me->error;
			err_seq = seq;
			if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
				mnl_attr_parse(nlh,
					(unsigned)(sizeof(*me) +
						(nlh->nlmsg_flags & NLM_F_CAPPED
								? 0
								: me->msg.nlmsg_len -
									sizeof(me->msg))),
					offs_cb, &offs);
			*bad = SIZE_MAX;
			if (seq != b->seq0 && seq - b->seq0 - 1 < b->nmsgs)
				*bad = op_at(b, &b->msgs[seq - b->seq0 - 1], offs);
		}
	}
	return err < 0 ? err : err ? -err : 0;
}

int nft_batch_commit(struct nft_batch *b, struct nft_batch_error *e)
{
	size_t bad = SIZE_MAX;
	int ret = b->err;

	if (!ret && !b->nops)
		goto out;
	if (!ret)
		ret = build(b);
	if (ret)
		goto out;
	/* One sendmsg: the socket must take the batch whole, and hold one ack per message. */
	sockbuf(b, SO_SNDBUFFORCE, SO_SNDBUF, &b->sndbuf, b->len + 4096);
	sockbuf(b, SO_RCVBUFFORCE, SO_RCVBUF, &b->rcvbuf, (b->nmsgs + 2) * 2048 + 65536);
	if (mnl_socket_sendto(b->nl, b->buf, b->len) < 0) {
		ret = -errno;
		goto out;
	}
	ret = read_acks(b, &bad);
out:
	if (e) {
		e->err = ret;
		e->op = bad;
		e->what[0] = 0;
		if (ret && bad < b->nops)
			describe(&b->ops[bad], e->what, sizeof(e->what));
	}
	return ret;
}

/* ---- listing ------------------------------------------------------------------------------- */

struct list_arg {
	const char *table;
	nft_batch_set_cb cb;
	void *arg;
};

static int set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_arg *la = data;
	struct nftnl_set *s = nftnl_set_alloc();
	const char *t, *name;

	if (!s)
		return MNL_CB_ERROR;
	if (nftnl_set_nlmsg_parse(nlh, s) == 0) {
		t = nftnl_set_get_str(s, NFTNL_SET_TABLE);
		name = nftnl_set_get_str(s, NFTNL_SET_NAME);
		if (t && name && strcmp(t, la->table) == 0)
			la->cb(name, la->arg);
	}
	nftnl_set_free(s);
	return MNL_CB_OK;
}

/* Reads what is left of a dump that ended in an error, so that the socket holds nothing stale
 * for the next request (the kernel fills a dump as it is read). */
static void drain(struct nft_batch *b)
{
	while (recv(mnl_socket_get_fd(b->nl), b->rbuf, sizeof(b->rbuf), MSG_DONTWAIT) > 0)
		;
}

static int dump_sets(struct nft_batch *b, enum nft_batch_family f, struct list_arg *la)
{
	char req[512];
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	uint32_t seq = b->seq++;
	int ret;

	if (!s)
		return -ENOMEM;
	nlh = nftnl_nlmsg_build_hdr(req, NFT_MSG_GETSET, nfproto((uint8_t)f), NLM_F_DUMP, seq);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, b->table);
	nftnl_set_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	if (mnl_socket_sendto(b->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ssize_t len = mnl_socket_recvfrom(b->nl, b->rbuf, sizeof(b->rbuf));

		if (len < 0) {
			ret = -errno;
			drain(b);
			return ret;
		}
		errno = 0;
		ret = mnl_cb_run(b->rbuf, (size_t)len, seq, b->portid, set_cb, la);
	} while (ret > MNL_CB_STOP);
	if (ret < 0) {
		ret = errno ? -errno : -EIO;
		drain(b);
		return ret;
	}
	return 0;
}

int nft_batch_sets(struct nft_batch *b, enum nft_batch_family f, nft_batch_set_cb cb, void *arg)
{
	struct list_arg la = {b->table, cb, arg};
	int ret, tries = 0;

	/* A dump that a concurrent change interrupted (EINTR) is read again, as nft does; cb may
	 * then see a name twice. */
	do
		ret = dump_sets(b, f, &la);
	while (ret == -EINTR && ++tries < 5);
	return ret;
}
