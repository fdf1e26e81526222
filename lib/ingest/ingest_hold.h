/* ingest_hold.h - a queue of rows held back until the end of their file,
 * in bounded memory.
 *
 * Some exports are newest first (the Etsy monthly statement): a refund
 * comes before the sale it reverses, and a sale before the fee row that
 * names its item, so when such a row is read what it needs is not known
 * yet.  tally-ingest holds it here, a deep copy, and writes it after the
 * file's last row.  Memory is bounded by the caller's max_bytes: past it
 * the oldest rows are spilled, in order, to an unnamed temporary file in
 * the caller's folder (gone however the process ends) and read back
 * first, so every row comes out as if the queue had no bound - none is
 * let out early without what it waited for.  Library code: no printing,
 * no exits. */
#ifndef TALLY_INGEST_HOLD_H
#define TALLY_INGEST_HOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ingest_map.h"

/* One held row. */
struct ingest_held {
	struct imap_row row; /* its texts and kind point into text */
	uint64_t key;        /* the caller's duplicate key of the row */
	long line;           /* the record's line in its file */
	char *text;          /* owned copy of the row's texts and kind */
	size_t size;         /* what the row counts against max_bytes */
};

/* Caller-owned; zero it, then set max_bytes (> 0) and tmpdir (NULL:
 * /tmp) before first use. */
struct ingest_hold {
	size_t max_bytes;          /* bound on the held rows' memory */
	const char *tmpdir;        /* where the spill goes (borrowed) */
	size_t bytes;              /* memory the held rows take now */
	struct ingest_held *ring;  /* circular queue, oldest at head */
	size_t cap, head, n;
	struct ingest_held popped; /* the row last taken out (owned) */
	FILE *spill;               /* the oldest rows past the bound, or NULL */
	off_t spill_end, spill_at; /* where the next is written / read */
	long spilled;              /* rows in the spill not read back yet */
	long spilled_ever;         /* rows ever written to the spill (for -v) */
	bool writing;              /* the spill's stream was last written */
};

/* The bytes row r takes held (its slot and its texts). */
size_t ingest_hold_size(const struct imap_row *r);

/* Hold a deep copy of r (its texts and kind copied) with the caller's key
 * and line, spilling the oldest held rows to make room.  Returns 0, or -1
 * with errno: ENOMEM (r is not held), or the temporary file's error
 * (ENOSPC, EACCES, ENOENT for a missing folder). */
int ingest_hold_push(struct ingest_hold *h, const struct imap_row *r, uint64_t key, long line);

/* Take out the oldest held row (a spilled one first) into *e, valid (its
 * row's texts may be repointed by the caller) until the next
 * ingest_hold_pop, push or free.  Returns 1, 0 when the queue is empty,
 * or -1 with errno when the spill cannot be read back (EIO when cut
 * short).  After a -1 from here or from ingest_hold_push the queue's
 * order is lost: only ingest_hold_free may follow. */
int ingest_hold_pop(struct ingest_hold *h, struct ingest_held **e);

/* Release everything, the spill closed; max_bytes and tmpdir are kept,
 * the rest zeroed. */
void ingest_hold_free(struct ingest_hold *h);

#endif
