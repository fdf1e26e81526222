/* ingest_link.c - reversals take their sale's product (see ingest_link.h). */
#include "ingest_link.h"

#include <stdlib.h>
#include <string.h>

#include "ingest_util.h"

#define LINK_MULTI UINT32_MAX /* the order had several (product, sku) */

/* The key of an order (b = 0) or of an order's product (b = the
 * product's fingerprint, never 0): fingerprints of the first 500 bytes. */
static uint64_t fingerprint(const char *s, size_t len)
{
	return ingest_fingerprint(s, len > 500 ? 500 : len);
}

static uint64_t product_key(const char *p, size_t plen)
{
	uint64_t h = fingerprint(p, plen);
	return h ? h : 1;
}

/* The index of the pair (product, sku), interned as "product\0sku";
 * LINK_MULTI on no memory. */
static uint32_t intern(struct ingest_link *l, const char *p, size_t plen, const char *s, size_t slen)
{
	char buf[1024];
	if (plen > 500)
		plen = 500;
	if (slen > 500)
		slen = 500;
	memcpy(buf, p, plen);
	buf[plen] = '\0';
	memcpy(buf + plen + 1, s, slen);
	uint32_t id;
	return names_intern(&l->pairs, buf, plen + 1 + slen, &id) < 0 ? LINK_MULTI : id;
}

/* Record that key (a, b) was sold as pair: a second pair makes it LINK_MULTI. */
static int put(struct ingest_link *l, uint64_t a, uint64_t b, uint32_t pair)
{
	uint32_t *of = grow_array(l->pair_of, l->n, &l->cap, sizeof *of, 256);
	if (!of)
		return -1;
	l->pair_of = of;
	uint32_t id;
	bool added;
	if (keymap_get(&l->sales, a, b, (uint32_t)l->n, &id, &added) < 0)
		return -1;
	if (added)
		of[l->n++] = pair;
	else if (of[id] != pair)
		of[id] = LINK_MULTI;
	return 0;
}

int ingest_link_sale(struct ingest_link *l, const char *order, size_t olen, const char *product,
		     size_t plen, const char *sku, size_t slen)
{
	if (olen == 0)
		return 0;
	uint32_t pair = intern(l, product, plen, sku, slen);
	if (pair == LINK_MULTI)
		return -1;
	uint64_t o = fingerprint(order, olen);
	if (put(l, o, 0, pair) < 0)
		return -1;
	return put(l, o, product_key(product, plen), pair);
}

bool ingest_link_find(const struct ingest_link *l, const char *order, size_t olen, const char *own,
		      size_t own_len, const char **product, size_t *plen, const char **sku, size_t *slen)
{
	if (olen == 0)
		return false;
	uint64_t o = fingerprint(order, olen);
	long id = keymap_find(&l->sales, o, 0);
	if (id < 0)
		return false;
	uint32_t pair = l->pair_of[id];
	if (pair == LINK_MULTI) {
		id = keymap_find(&l->sales, o, product_key(own, own_len));
		if (id < 0 || l->pair_of[id] == LINK_MULTI)
			return false;
		pair = l->pair_of[id];
	}
	*product = l->pairs.s[pair];
	*plen = strlen(*product);
	*sku = *product + *plen + 1;
	*slen = l->pairs.len[pair] - *plen - 1;
	return true;
}

void ingest_link_reset(struct ingest_link *l)
{
	keymap_free(&l->sales);
	l->n = 0;
}

void ingest_link_free(struct ingest_link *l)
{
	names_free(&l->pairs);
	keymap_free(&l->sales);
	free(l->pair_of);
	memset(l, 0, sizeof *l);
}
