/* ingest_link.c - reversals take their sale's product (see ingest_link.h). */
#include "ingest_link.h"

#include <stdlib.h>
#include <string.h>

#include "ingest_util.h"

#define LINK_MULTI UINT32_MAX /* the order had several (product, sku) */

struct ingest_link_slot {
	uint64_t key;  /* a fingerprint; 0 = empty */
	uint32_t pair; /* index into names, or LINK_MULTI */
};

/* The fingerprint of tag, a and (when b) b, never 0. */
static uint64_t key_of(char tag, const char *a, size_t alen, const char *b, size_t blen)
{
	char buf[1024];
	size_t n = 0;
	buf[n++] = tag;
	if (alen > 500)
		alen = 500;
	memcpy(buf + n, a, alen);
	n += alen;
	buf[n++] = '\0';
	if (b) {
		if (blen > 500)
			blen = 500;
		memcpy(buf + n, b, blen);
		n += blen;
	}
	uint64_t h = ingest_fingerprint(buf, n);
	return h ? h : 1;
}

static struct ingest_link_slot *slot_find(struct ingest_link_slot *t, size_t cap, uint64_t key)
{
	if (cap == 0)
		return NULL;
	for (size_t i = (size_t)(key & (cap - 1));; i = (i + 1) & (cap - 1))
		if (t[i].key == key || t[i].key == 0)
			return &t[i];
}

/* Make room for one more in a table of *cap slots holding n. */
static int grow(struct ingest_link_slot **t, size_t *cap, size_t n)
{
	if ((n + 1) * 2 <= *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 256;
	struct ingest_link_slot *nt = calloc(ncap, sizeof *nt);
	if (!nt)
		return -1;
	for (size_t i = 0; i < *cap; i++)
		if ((*t)[i].key)
			*slot_find(nt, ncap, (*t)[i].key) = (*t)[i];
	free(*t);
	*t = nt;
	*cap = ncap;
	return 0;
}

/* The index of the pair (product, sku), interned; LINK_MULTI on no memory. */
static uint32_t intern(struct ingest_link *l, const char *p, size_t plen, const char *s, size_t slen)
{
	uint64_t k = key_of('n', p, plen, s, slen);
	if (grow(&l->pair_index, &l->pair_cap, l->npairs) < 0)
		return LINK_MULTI;
	struct ingest_link_slot *e = slot_find(l->pair_index, l->pair_cap, k);
	if (e->key)
		return e->pair;
	if (l->npairs == l->pairs_cap) {
		size_t ncap = l->pairs_cap ? l->pairs_cap * 2 : 64;
		char **nn = realloc(l->names, ncap * sizeof *nn);
		if (!nn)
			return LINK_MULTI;
		l->names = nn;
		size_t *nl = realloc(l->name_lens, ncap * sizeof *nl);
		if (!nl)
			return LINK_MULTI;
		l->name_lens = nl;
		l->pairs_cap = ncap;
	}
	char *name = malloc(plen + slen + 2);
	if (!name)
		return LINK_MULTI;
	memcpy(name, p, plen);
	name[plen] = '\0';
	memcpy(name + plen + 1, s, slen);
	name[plen + 1 + slen] = '\0';
	l->names[l->npairs] = name;
	l->name_lens[l->npairs] = plen;
	e->key = k;
	e->pair = (uint32_t)l->npairs;
	return (uint32_t)l->npairs++;
}

static int put(struct ingest_link *l, uint64_t key, uint32_t pair)
{
	if (grow(&l->slots, &l->cap, l->n) < 0)
		return -1;
	struct ingest_link_slot *e = slot_find(l->slots, l->cap, key);
	if (!e->key) {
		e->key = key;
		e->pair = pair;
		l->n++;
	} else if (e->pair != pair) {
		e->pair = LINK_MULTI;
	}
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
	if (put(l, key_of('o', order, olen, NULL, 0), pair) < 0)
		return -1;
	return put(l, key_of('p', order, olen, product, plen), pair);
}

bool ingest_link_find(const struct ingest_link *l, const char *order, size_t olen, const char *own,
		      size_t own_len, const char **product, size_t *plen, const char **sku, size_t *slen)
{
	if (olen == 0 || l->cap == 0)
		return false;
	const struct ingest_link_slot *e = slot_find(l->slots, l->cap, key_of('o', order, olen, NULL, 0));
	if (!e->key)
		return false;
	if (e->pair == LINK_MULTI) {
		e = slot_find(l->slots, l->cap, key_of('p', order, olen, own, own_len));
		if (!e->key || e->pair == LINK_MULTI)
			return false;
	}
	*product = l->names[e->pair];
	*plen = l->name_lens[e->pair];
	*sku = l->names[e->pair] + *plen + 1;
	*slen = strlen(*sku);
	return true;
}

void ingest_link_reset(struct ingest_link *l)
{
	if (l->slots)
		memset(l->slots, 0, l->cap * sizeof *l->slots);
	l->n = 0;
}

void ingest_link_free(struct ingest_link *l)
{
	for (size_t i = 0; i < l->npairs; i++)
		free(l->names[i]);
	free(l->names);
	free(l->name_lens);
	free(l->slots);
	free(l->pair_index);
	memset(l, 0, sizeof *l);
}
