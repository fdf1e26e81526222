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
	h->writing = writing;
	return fseeko(h->spill, writing ? h->spill_end : h->spill_at, SEEK_SET);
}

/* Append one row to the spill: the slot as it is (its pointers are
 * replaced when read back), then its texts as copy_texts lays them out. */
static int spill_write(struct ingest_hold *h, const struct ingest_held *e)
{
	if (!h->spill) {
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
	}
	size_t text_len = e->size - sizeof *e;
	if (spill_seek(h, true) < 0 || fwrite(e, sizeof *e, 1, h->spill) != 1 ||
	    fwrite(e->text, 1, text_len, h->spill) != text_len)
		return -1;
	h->spill_end += (off_t)e->size;
	h->spilled++;
	h->spilled_ever++;
	return 0;
}

/* Read the oldest spilled row back into h->popped. */
static int spill_read(struct ingest_hold *h)
{
	struct ingest_held e;
	if (spill_seek(h, false) < 0)
		return -1;
	if (fread(&e, sizeof e, 1, h->spill) != 1 || e.size < sizeof e)
		return errno = ferror(h->spill) ? errno : EIO, -1;
	size_t text_len = e.size - sizeof e;
	char *text = malloc(text_len);
	if (!text)
		return -1;
	if (fread(text, 1, text_len, h->spill) != text_len) {
		free(text);
		return errno = ferror(h->spill) ? errno : EIO, -1;
	}
	point_texts(&e, text); /* the lengths are the slot's */
	h->popped = e;
	h->spill_at += (off_t)e.size;
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
		int st = spill_write(h, &e);
		free(text);
		return st;
	}
	if (grow(h) < 0) {
		free(text);
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
