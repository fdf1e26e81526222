/* ingest_hold.c - rows held until the end of their file (see ingest_hold.h). */
#include "ingest_hold.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool.h"

size_t ingest_hold_size(const struct imap_row *r)
{
	size_t n = sizeof(struct ingest_held) + strlen(r->kind) + 1;
	for (int i = 0; i < IMAP_NTEXT; i++)
		n += r->text_len[i] + 1;
	return n;
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

/* Point e's row at its texts and kind in text, laid out by copy_texts:
 * each text and then the kind, each ended by a NUL. */
static void point_texts(struct ingest_held *e, char *text)
{
	char *p = text;
	for (int i = 0; i < IMAP_NTEXT; i++) {
		e->row.text[i] = p;
		p += e->row.text_len[i] + 1;
	}
	e->row.kind = p;
	e->row.item = ""; /* an item is learnt when read (ingest_item.h), not kept */
	e->row.item_len = 0;
	e->text = text;
}

/* Copy r's texts and kind into text (of ingest_hold_size(r) -
 * sizeof(struct ingest_held) bytes) and point e's row at them. */
static void copy_texts(struct ingest_held *e, const struct imap_row *r, char *text)
{
	char *p = text;
	for (int i = 0; i < IMAP_NTEXT; i++) {
		if (r->text_len[i])
			memcpy(p, r->text[i], r->text_len[i]);
		p[r->text_len[i]] = '\0';
		p += r->text_len[i] + 1;
	}
	strcpy(p, r->kind);
	point_texts(e, text);
}

/* Point the spill's stream at the place its next write or read goes. */
static int spill_seek(struct ingest_hold *h, bool writing)
{
	if (h->writing == writing)
		return 0;
	if (h->writing && fflush(h->spill) != 0)
		return -1;
	if (fseeko(h->spill, writing ? h->spill_end : h->spill_at, SEEK_SET) != 0)
		return -1;
	h->writing = writing;
	return 0;
}

/* A row in the spill: its numbers, then its texts, kind and (when the
 * net differed) mismatch message, each ended by a NUL - a tenth of the
 * slot held in memory, whose pointers and message buffer are not kept. */
struct spilled {
	int64_t date, sale_date, reported, line, quantity, gross, tax, fee, net, sort_date;
	uint64_t key;
	int64_t record_line;
	uint64_t text_len[IMAP_NTEXT];
	uint32_t kind_len, mismatch_len, digits;
	uint8_t has_sale_date, has_reported, net_differs, order_named;
};

/* Open the spill on first use. */
static int spill_open(struct ingest_hold *h)
{
	int fd = spool_temp(h->tmpdir ? h->tmpdir : "/tmp");
	if (fd < 0)
		return -1;
	if (!(h->spill = fdopen(fd, "w+b"))) {
		int err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	h->writing = true;
	return 0;
}

/* Append one row to the spill. */
static int spill_write(struct ingest_hold *h, const struct ingest_held *e)
{
	if (!h->spill && spill_open(h) < 0)
		return -1;
	const struct imap_row *r = &e->row;
	struct spilled d = {
		.date = r->date, .sale_date = r->sale_date, .reported = r->reported, .line = r->line,
		.quantity = r->quantity, .gross = r->gross, .tax = r->tax, .fee = r->fee, .net = r->net,
		.sort_date = r->sort_date, .key = e->key, .record_line = e->line, .kind_len = (uint32_t)strlen(r->kind),
		.mismatch_len = r->net_differs ? (uint32_t)strlen(r->mismatch) : 0, .digits = (uint32_t)r->digits,
		.has_sale_date = r->has_sale_date, .has_reported = r->has_reported, .net_differs = r->net_differs,
		.order_named = r->order_named,
	};
	size_t texts = d.kind_len + 1;
	for (int i = 0; i < IMAP_NTEXT; i++) {
		d.text_len[i] = r->text_len[i];
		texts += r->text_len[i] + 1;
	}
	/* the texts and kind are laid out in e->text, in order (copy_texts) */
	if (spill_seek(h, true) < 0 || fwrite(&d, sizeof d, 1, h->spill) != 1 ||
	    fwrite(e->text, 1, texts, h->spill) != texts ||
	    (d.mismatch_len && fwrite(r->mismatch, 1, d.mismatch_len, h->spill) != d.mismatch_len))
		return -1;
	h->spill_end += (off_t)(sizeof d + texts + d.mismatch_len);
	h->spilled++;
	h->spilled_ever++;
	return 0;
}

/* Read n bytes of the spill into p; EIO when it ends before them. */
static int spill_get(struct ingest_hold *h, void *p, size_t n)
{
	if (n == 0 || fread(p, 1, n, h->spill) == n)
		return 0;
	if (!ferror(h->spill))
		errno = EIO;
	return -1;
}

/* Read the oldest spilled row back into h->popped. */
static int spill_read(struct ingest_hold *h)
{
	struct spilled d;
	if (spill_seek(h, false) < 0 || spill_get(h, &d, sizeof d) < 0)
		return -1;
	struct ingest_held e = {.key = d.key, .line = (long)d.record_line};
	struct imap_row *r = &e.row;
	*r = (struct imap_row){.date = d.date, .has_sale_date = d.has_sale_date, .sale_date = d.sale_date,
			       .has_reported = d.has_reported, .reported = d.reported, .line = d.line,
			       .quantity = d.quantity, .gross = d.gross, .tax = d.tax, .fee = d.fee, .net = d.net,
			       .sort_date = d.sort_date, .digits = (int)d.digits, .net_differs = d.net_differs, .order_named = d.order_named};
	size_t texts = (size_t)d.kind_len + 1;
	for (int i = 0; i < IMAP_NTEXT; i++) {
		r->text_len[i] = (size_t)d.text_len[i];
		texts += r->text_len[i] + 1;
	}
	if (d.mismatch_len >= sizeof r->mismatch) {
		errno = EIO; /* no row writes one that long: not this file's */
		return -1;
	}
	e.size = sizeof e + texts;
	char *text = malloc(texts);
	if (!text)
		return -1;
	if (spill_get(h, text, texts) < 0 || spill_get(h, r->mismatch, d.mismatch_len) < 0) {
		int err = errno;
		free(text);
		errno = err;
		return -1;
	}
	r->mismatch[d.mismatch_len] = '\0';
	point_texts(&e, text);
	h->popped = e;
	h->spill_at += (off_t)(sizeof d + texts + d.mismatch_len);
	if (--h->spilled == 0) /* drained: the file is used again from its start */
		h->spill_at = h->spill_end = 0;
	return 0;
}

/* Spill the oldest row of the ring. */
static int spill_oldest(struct ingest_hold *h)
{
	struct ingest_held *e = &h->ring[h->head];
	if (spill_write(h, e) < 0)
		return -1;
	free(e->text);
	h->head = (h->head + 1) % h->cap;
	h->n--;
	h->bytes -= e->size;
	return 0;
}

int ingest_hold_push(struct ingest_hold *h, const struct imap_row *r, uint64_t key, long line)
{
	size_t size = ingest_hold_size(r);
	while (h->n > 0 && (size > h->max_bytes || h->bytes > h->max_bytes - size))
		if (spill_oldest(h) < 0)
			return -1;
	struct ingest_held e = {.row = *r, .key = key, .line = line, .size = size};
	char *text = malloc(size - sizeof e);
	if (!text)
		return -1;
	copy_texts(&e, r, text);
	if (size > h->max_bytes) { /* over the bound alone: straight to the spill */
		int st = spill_write(h, &e), err = errno;
		free(text);
		errno = err;
		return st;
	}
	if (grow(h) < 0) {
		free(text);
		errno = ENOMEM;
		return -1;
	}
	h->ring[(h->head + h->n) % h->cap] = e;
	h->n++;
	h->bytes += size;
	return 0;
}

int ingest_hold_pop(struct ingest_hold *h, struct ingest_held **e)
{
	free(h->popped.text);
	h->popped = (struct ingest_held){0};
	*e = &h->popped;
	if (h->spilled > 0)
		return spill_read(h) < 0 ? -1 : 1;
	if (h->n == 0)
		return 0;
	h->popped = h->ring[h->head];
	h->head = (h->head + 1) % h->cap;
	h->n--;
	h->bytes -= h->popped.size;
	return 1;
}

void ingest_hold_free(struct ingest_hold *h)
{
	struct ingest_hold keep = {.max_bytes = h->max_bytes, .tmpdir = h->tmpdir};
	free(h->popped.text);
	for (size_t i = 0; i < h->n; i++)
		free(h->ring[(h->head + i) % h->cap].text);
	free(h->ring);
	if (h->spill)
		fclose(h->spill);
	*h = keep;
}
