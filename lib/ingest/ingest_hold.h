/* ingest_hold.h - a bounded queue of reversal rows held back until their
 * sale has been read.
 *
 * Some exports are newest first (the Etsy monthly statement): a refund
 * comes before the sale it reverses, so when it is read its sale's
 * product and sku are not known yet.  tally-ingest holds such a row here,
 * a deep copy, and writes it after the file's last row, once every sale
 * of the file has been seen.  Memory is bounded by the caller's
 * max_bytes: when a row would not fit, the oldest rows must be taken out
 * first (ingest_hold_pop).  Library code: no printing, no exits. */
#ifndef TALLY_INGEST_HOLD_H
#define TALLY_INGEST_HOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest_map.h"

/* One held row. */
struct ingest_held {
	struct imap_row row; /* its texts and kind point into text */
	uint64_t key;        /* the caller's duplicate key of the row */
	long line;           /* the record's line in its file */
	char *text;          /* owned copy of the row's texts and kind */
	size_t size;         /* what the row counts against max_bytes */
};

/* Caller-owned; zero it, then set max_bytes (> 0) before first use. */
struct ingest_hold {
	size_t max_bytes;          /* bound on the held rows' memory */
	size_t bytes;              /* memory the held rows take now */
	struct ingest_held *ring;  /* circular queue, oldest at head */
	size_t cap, head, n;
	struct ingest_held popped; /* the row last taken out (owned) */
};

/* The bytes row r takes held (its slot and its texts), for
 * ingest_hold_full: worked out once a row, not once a row taken out. */
size_t ingest_hold_size(const struct imap_row *r);

/* Whether a row of need bytes (ingest_hold_size), held, would take the
 * queue over max_bytes: then take rows out (ingest_hold_pop) until it
 * does not.  A row larger than max_bytes alone is never held: true on an
 * empty queue too. */
bool ingest_hold_full(const struct ingest_hold *h, size_t need);

/* Hold a deep copy of r (its texts and kind copied) with the caller's key
 * and line.  Returns 0, or -1 when out of memory (r is not held).  The
 * caller checks ingest_hold_full first; a row over the bound is held
 * anyway. */
int ingest_hold_push(struct ingest_hold *h, const struct imap_row *r, uint64_t key, long line);

/* Take out the oldest held row.  Returns it, valid (its row's texts may
 * be repointed by the caller) until the next ingest_hold_pop, push or
 * free; NULL when the queue is empty. */
struct ingest_held *ingest_hold_pop(struct ingest_hold *h);

/* Release everything; max_bytes is kept, the rest zeroed. */
void ingest_hold_free(struct ingest_hold *h);

#endif
