/* ingest_dedupe.c - the duplicate set of tally-ingest: 64-bit row keys in
 * 256 open-addressing tables (see ingest_dedupe.h). */
#include <stdlib.h>

#include "ingest_dedupe.h"

/* The slot of h in a table of cap slots, from the bits below the part's. */
static size_t slot_of(uint64_t h, size_t cap)
{
	__extension__ typedef unsigned __int128 u128;
	return (size_t)(((u128)(h << 8) * cap) >> 64);
}

static void part_put(uint64_t *slots, size_t cap, uint64_t h)
{
	size_t j = slot_of(h, cap);
	while (slots[j])
		j = j + 1 == cap ? 0 : j + 1;
	slots[j] = h;
}

/* Grow p by half (64 slots at first), rehashing its keys: 0, or -1 when
 * out of memory (p unchanged). */
static int part_grow(struct ingest_dedupe_part *p)
{
	size_t cap = p->cap ? p->cap + p->cap / 2 : 64;
	uint64_t *s = calloc(cap, sizeof *s);
	if (!s)
		return -1;
	for (size_t i = 0; i < p->cap; i++)
		if (p->slots[i])
			part_put(s, cap, p->slots[i]);
	free(p->slots);
	p->slots = s;
	p->cap = cap;
	return 0;
}

int ingest_dedupe_add(struct ingest_dedupe *d, uint64_t h)
{
	if (h == 0)
		h = 1;
	struct ingest_dedupe_part *p = &d->part[h >> 56];
	if ((p->n + 1) * 8 > p->cap * 7 && part_grow(p) < 0) /* keep the load under 7/8 */
		return -1;
	size_t j = slot_of(h, p->cap);
	while (p->slots[j]) {
		if (p->slots[j] == h)
			return 0;
		j = j + 1 == p->cap ? 0 : j + 1;
	}
	p->slots[j] = h;
	p->n++;
	return 1;
}

size_t ingest_dedupe_count(const struct ingest_dedupe *d)
{
	size_t n = 0;
	for (size_t i = 0; i < INGEST_DEDUPE_PARTS; i++)
		n += d->part[i].n;
	return n;
}

void ingest_dedupe_free(struct ingest_dedupe *d)
{
	for (size_t i = 0; i < INGEST_DEDUPE_PARTS; i++) {
		free(d->part[i].slots);
		d->part[i] = (struct ingest_dedupe_part){0};
	}
}
