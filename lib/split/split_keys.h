/* split_keys.h - the split state's key segments: one immutable, sorted
 * file pair a run, written once and read as a stream or probed by key.
 *
 * A segment of N records is two files: NAME.k holds the N keys (64-bit
 * row identities, split_state_key) in ascending order, 8 bytes each in
 * the machine's byte order; NAME.r holds the N records in the same order,
 * 16 bytes each (basis int64, day int32, class uint32; a class of
 * SPLIT_KEYS_GONE is a record removed).  Each file is written through a
 * temporary, fsynced and renamed (out_open_file), and digested in blocks
 * of SPLIT_KEYS_BLOCK bytes; the segment's digest joins both, so that the
 * manifest that names a segment (split_state.c) can refuse one that was
 * replaced, cut short or damaged.
 *
 * Library code: statuses, no printing; -1 with errno set on I/O errors. */
#ifndef TALLY_SPLIT_KEYS_H
#define TALLY_SPLIT_KEYS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "out.h"

#define SPLIT_KEYS_BLOCK 65536u
#define SPLIT_KEYS_GONE 0x7fffffffu /* the class of a removed record */

struct split_keys_rec {
	int64_t basis; /* micro-units split */
	int32_t day;   /* days since 1970-01-01 */
	uint32_t cls;  /* class id, 0 for a legacy record, SPLIT_KEYS_GONE */
};

/* One file of a segment being written, or read in order. */
struct split_keys_file {
	int fd;                /* reading: the open file; -1 when closed */
	struct out out;        /* writing */
	unsigned char *buf;    /* one block (owned) */
	size_t len, pos;       /* bytes in buf / consumed */
	uint64_t digest;       /* of the whole blocks so far */
	uint64_t left;         /* reading: bytes not yet read */
};

struct split_keys_writer {
	struct split_keys_file k, r;
	uint64_t rows, last;
};

struct split_keys_cursor {
	struct split_keys_file k, r;
	uint64_t rows;                /* records in the segment */
	uint64_t done;                /* records read by split_keys_next */
	uint64_t key;                 /* the current record's key */
	struct split_keys_rec rec;    /* and the record */
	bool at_end;
};

/* Start writing the segment at base (files base.k and base.r).  Returns 0
 * or -1 with errno. */
int split_keys_create(struct split_keys_writer *w, const char *base);

/* Add a record; keys must be strictly ascending (EINVAL otherwise).
 * Returns 0 or -1 with errno. */
int split_keys_add(struct split_keys_writer *w, uint64_t key, const struct split_keys_rec *rec);

/* Finish: the files are fsynced and renamed into place.  *rows and
 * *digest describe the segment.  Returns 0, or -1 with errno (nothing is
 * renamed into place then). */
int split_keys_finish(struct split_keys_writer *w, uint64_t *rows, uint64_t *digest);

/* Abandon a segment being written (its temporaries are removed). */
void split_keys_abort(struct split_keys_writer *w);

/* Open the segment at base that holds rows records.  Returns 0; -1 with
 * errno when a file cannot be opened (ENOENT: it is missing); -2 when a
 * file's size is not that of rows records (cut short or replaced). */
int split_keys_open(struct split_keys_cursor *c, const char *base, uint64_t rows);

/* The next record in key order into c->key and c->rec: 1, 0 at the end
 * (c->at_end), -1 with errno on a read error. */
int split_keys_next(struct split_keys_cursor *c);

/* The segment's digest, once split_keys_next has reached the end. */
uint64_t split_keys_digest(const struct split_keys_cursor *c);

/* Find key by bisection of the key file (pread; the cursor's position is
 * kept): 1 with *rec, 0 when absent, -1 with errno. */
int split_keys_lookup(const struct split_keys_cursor *c, uint64_t key, struct split_keys_rec *rec);

void split_keys_close(struct split_keys_cursor *c);

#endif
