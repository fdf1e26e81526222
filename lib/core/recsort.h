/* recsort.h - a stable sort of fixed-size records by a 64-bit key, in
 * bounded memory, without comparisons: an LSD radix sort.
 *
 * Each record is REC bytes (a multiple of 8, at most RECSORT_REC_MAX) and
 * starts with its key, an unsigned 64-bit integer in the machine's byte
 * order.  Records are gathered in a buffer of a fixed budget; when it is
 * full they are radix sorted (six passes of 11 bits, a pass skipped when
 * every key has the same digit there, so small keys such as row numbers
 * cost fewer) and spilled as a run, raw records, to an unnamed temporary
 * file in a folder the caller names.  At the end the runs and the last
 * buffer are merged while the caller reads; past RECSORT_FANIN runs the
 * runs so far are merged into one first, so memory is twice the budget
 * plus a read buffer per run, whatever the input's length.  Records of
 * equal key come out in the order they were added.
 *
 * Ownership: the caller owns struct recsort; records given to recsort_add
 * are copied; a record returned by recsort_next is valid until the next
 * call.  Library code: no printing, no exits; failures are -1 with errno. */
#ifndef TALLY_RECSORT_H
#define TALLY_RECSORT_H

#include <stddef.h>
#include <stdint.h>

#define RECSORT_REC_MAX 64u              /* longest record, in bytes */
#define RECSORT_FANIN 64u                /* runs merged at once */
#define RECSORT_BUDGET_DEFAULT (32u << 20) /* bytes of records in memory */

struct recsort_src;

struct recsort {
	size_t rec;                /* bytes a record */
	size_t cap;                /* records the buffer holds */
	const char *tmpdir;        /* where runs go (borrowed) */
	unsigned char *buf, *tmp;  /* the records gathered / the sort's other half (owned) */
	size_t alloc, tmp_alloc;   /* records buf / tmp have room for (buf grows to cap) */
	size_t n;                  /* records in buf */
	int *runs;                 /* descriptors of the spilled runs, oldest first (owned) */
	size_t nruns;
	size_t spilled;            /* runs ever written (merges included) */
	struct recsort_src *src;   /* reading: one source a run, then the buffer (owned) */
	size_t nsrc;
	size_t *heap;              /* reading: a min-heap of indices into src (owned) */
	size_t nheap;
	size_t pending;            /* the source whose record was returned last; SIZE_MAX: none */
	size_t next;               /* reading the buffer alone: the next record */
	int state;                 /* adding, reading the buffer, or merging */
};

/* Start an empty sort of records of rec bytes (a multiple of 8 from 8 to
 * RECSORT_REC_MAX) keeping about budget bytes of them in memory (at
 * least 4096 records), runs spilled into tmpdir (borrowed; NULL: /tmp).
 * Nothing is allocated or created before the first record. */
void recsort_init(struct recsort *s, size_t rec, size_t budget, const char *tmpdir);

/* Add a record (s->rec bytes, its key first).  Returns 0, or -1 with
 * errno: ENOMEM, EINVAL after recsort_finish, or the error of making or
 * writing a temporary file (ENOSPC, EACCES, ENOENT for a missing tmpdir). */
int recsort_add(struct recsort *s, const void *rec);

/* End adding and start reading: records by key, ties in the order added.
 * Returns 0, or -1 with errno (a spill or merge failed). */
int recsort_finish(struct recsort *s);

/* The next record into *rec: 1, 0 at the end, -1 with errno on a read
 * error (EIO for a run cut short).  Only after recsort_finish. */
int recsort_next(struct recsort *s, const void **rec);

/* How many runs went to temporary files (0: the records fitted in memory). */
size_t recsort_spilled(const struct recsort *s);

/* Release memory and close (so remove) every temporary file; s can then
 * be initialised again.  Safe on a sort that failed at any point. */
void recsort_free(struct recsort *s);

/* Sort n records of rec bytes at a by key, stably, using tmp (as large
 * as a) for the passes.  Returns where the sorted records are: a or tmp
 * (the other holds garbage). */
unsigned char *recsort_radix(unsigned char *a, unsigned char *tmp, size_t n, size_t rec);

#endif
