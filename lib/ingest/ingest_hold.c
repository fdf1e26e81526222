/* ingest_hold.c - reversals held until their sale is read (see ingest_hold.h). */
#include "ingest_hold.h"

#include <stdlib.h>
#include <string.h>

size_t ingest_hold_size(const struct imap_row *r)
{
	size_t n = sizeof(struct ingest_held) + strlen(r->kind) + 1;
	for (int i = 0; i < IMAP_NTEXT; i++)
		n += r->text_len[i] + 1;
	return n;
}

bool ingest_hold_full(const struct ingest_hold *h, size_t need)
{
	return need > h->max_bytes || h->bytes > h->max_bytes - need;
}

/* Make room for one more slot, keeping the queue's order. */
static int grow(struct ingest_hold *h)
{
	if (h->n < h->cap)
		return 0;
	size_t ncap = h->cap ? h->cap * 2 : 64;
	struct ingest_held *nr = malloc(ncap * sizeof *nr);
	if (!nr)
		return -1;
	for (size_t i = 0; i < h->n; i++)
		nr[i] = h->ring[(h->head + i) % h->cap];
	free(h->ring);
	h->ring = nr;
	h->cap = ncap;
	h->head = 0;
	return 0;
}

int ingest_hold_push(struct ingest_hold *h, const struct imap_row *r, uint64_t key, long line)
{
	size_t size = ingest_hold_size(r);
	if (grow(h) < 0)
		return -1;
	char *text = malloc(size - sizeof(struct ingest_held));
	if (!text)
		return -1;
	struct ingest_held *e = &h->ring[(h->head + h->n) % h->cap];
	*e = (struct ingest_held){.row = *r, .key = key, .line = line, .text = text, .size = size};
	char *p = text;
	for (int i = 0; i < IMAP_NTEXT; i++) {
		if (r->text_len[i])
			memcpy(p, r->text[i], r->text_len[i]);
		p[r->text_len[i]] = '\0';
		e->row.text[i] = p;
		p += r->text_len[i] + 1;
	}
	strcpy(p, r->kind);
	e->row.kind = p;
	e->row.item = ""; /* an item is learnt when read (ingest_item.h), not kept */
	e->row.item_len = 0;
	h->n++;
	h->bytes += size;
	return 0;
}

struct ingest_held *ingest_hold_pop(struct ingest_hold *h)
{
	free(h->popped.text);
	h->popped = (struct ingest_held){0};
	if (h->n == 0)
		return NULL;
	h->popped = h->ring[h->head];
	h->head = (h->head + 1) % h->cap;
	h->n--;
	h->bytes -= h->popped.size;
	return &h->popped;
}

void ingest_hold_free(struct ingest_hold *h)
{
	size_t max = h->max_bytes;
	while (ingest_hold_pop(h))
		;
	free(h->ring);
	*h = (struct ingest_hold){.max_bytes = max};
}
