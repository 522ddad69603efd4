/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DNS names bound to our sets: the dnsmasq --nftset lines for every name a compiled profile
 * uses, so an answer's addresses are in the device's set before the device sees the answer. */
#include "policy/dns_nftset.h"

#include "core/util.h"
#include "policy/nft_compile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dns_binding {
	char name[256];
	char set4[24], set6[24];
};

struct dns_nftset {
	char table[NFTC_TABLE_MAX + 1];
	struct dns_binding *b; /* sorted by name */
	size_t n, cap;
	unsigned port; /* 0: nftset= lines; else server= lines to dnsbind at 127.0.0.1:port */
};

int dns_nftset_new(const char *table, struct dns_nftset **out)
{
	struct dns_nftset *d;

	*out = NULL;
	if (!util_is_ident(table, NFTC_TABLE_MAX))
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	util_strlcpy(d->table, table, sizeof(d->table));
	*out = d;
	return 0;
}

int dns_nftset_use_forwarder(struct dns_nftset *d, unsigned port)
{
	if (port < 1 || port > 65535)
		return -EINVAL;
	d->port = port;
	return 0;
}

void dns_nftset_free(struct dns_nftset *d)
{
	if (!d)
		return;
	free(d->b);
	free(d);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(((const struct dns_binding *)a)->name, ((const struct dns_binding *)b)->name);
}

struct add_ctx {
	struct dns_nftset *d;
	int added;
};

static int add_one(const char *name, const char *set4, const char *set6, void *arg)
{
	struct add_ctx *c = arg;
	struct dns_nftset *d = c->d;
	struct dns_binding key;

	if (strlen(name) >= sizeof(key.name) || strlen(set4) >= sizeof(key.set4) ||
		strlen(set6) >= sizeof(key.set6))
		return -EINVAL;
	util_strlcpy(key.name, name, sizeof(key.name));
	if (d->n && bsearch(&key, d->b, d->n, sizeof(key), cmp))
		return 0;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		void *p = reallocarray(d->b, cap, sizeof(*d->b));

		if (!p)
			return -ENOMEM;
		d->b = p;
		d->cap = cap;
	}
	util_strlcpy(key.set4, set4, sizeof(key.set4));
	util_strlcpy(key.set6, set6, sizeof(key.set6));
	d->b[d->n++] = key;
	qsort(d->b, d->n, sizeof(*d->b), cmp);
	c->added = 1;
	return 0;
}

int dns_nftset_add(struct dns_nftset *d, const struct pol_policy *p)
{
	struct add_ctx c = {.d = d};
	int ret = nftc_foreach_dnsname(p, add_one, &c);

	return ret < 0 ? ret : c.added;
}

int dns_nftset_write(const struct dns_nftset *d, const char *path)
{
	size_t cap = 128 + d->n * (2 * sizeof(d->b[0].name) + 64), len = 0;
	char *buf = malloc(cap);
	int ret;

	if (!buf)
		return -ENOMEM;
	len += (size_t)snprintf(buf, cap,
		"# Written by homegated: DNS names of MUD files bound to their nftables sets.\n");
	for (size_t i = 0; i < d->n; i++) {
		if (d->port)
			len += (size_t)snprintf(buf + len, cap - len, "server=/%s/127.0.0.1#%u\n",
				d->b[i].name, d->port);
		else
			len += (size_t)snprintf(buf + len, cap - len,
				"nftset=/%s/4#inet#%s#%s,6#inet#%s#%s\n", d->b[i].name, d->table,
				d->b[i].set4, d->table, d->b[i].set6);
	}
	{
		char *old = NULL;
		size_t oldlen = 0;

		/* Unchanged (e.g. rebuilt after a restart): nothing to write, nobody to tell. */
		if (util_read_file(path, 16 * 1024 * 1024, &old, &oldlen) == 0 && oldlen == len &&
			memcmp(old, buf, len) == 0) {
			free(old);
			free(buf);
			return 0;
		}
		free(old);
	}
	ret = util_write_file_atomic(path, buf, len, 0644);
	free(buf);
	return ret < 0 ? ret : 1;
}

unsigned dns_nftset_count(const struct dns_nftset *d)
{
	return (unsigned)d->n;
}
