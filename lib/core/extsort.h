/* extsort.h - a stable sort of byte rows by a 64-bit key in bounded memory.
 *
 * Rows are gathered in a buffer of a fixed budget; when it is full they are
 * sorted and spilled as a run to an unnamed temporary file (O_TMPFILE, or a
 * file unlinked as soon as it is made) in a folder the caller names, as
 * sort(1) does.  Runs are merged in groups of EXTSORT_FANIN as they pile
 * up, and the last runs are merged while the caller reads the rows back,
 * so memory is the budget plus a buffer per open run, whatever the input's
 * length.  Rows of equal key come out in the order they were added.
 * Temporary files have no name, so they are gone when the process ends,
 * however it ends (an error, a signal, kill -9).
 *
 * Ownership: the caller owns struct extsort; rows given to extsort_add are
 * copied; a row returned by extsort_next is valid until the next call.
 * Library code: no printing, no exits; failures are -1 with errno set. */
#ifndef TALLY_EXTSORT_H
#define TALLY_EXTSORT_H

#include <stdint.h>
#include <stdio.h>

#define EXTSORT_ROW_MAX 65536              /* longest row, in bytes */
#define EXTSORT_BUDGET_DEFAULT (16u << 20) /* 16 MB of rows in memory */
#define EXTSORT_FANIN 16                   /* runs merged at once */

struct extsort_ent;
struct extsort_run;
struct extsort_heap;

struct extsort {
	size_t budget;              /* bytes of rows and index kept in memory */
	const char *tmpdir;         /* where runs go (borrowed) */
	char *buf;                  /* the rows of the run being gathered */
	size_t len, cap;            /* bytes used / allocated in buf */
	struct extsort_ent *ents;   /* one per gathered row */
	size_t n, ecap;             /* entries used / allocated */
	struct extsort_run *runs;   /* spilled runs, oldest first */
	size_t nruns, rcap;         /* runs used / allocated */
	size_t spilled;             /* runs ever written (merges included) */
	size_t next;                /* reading from memory: the next entry */
	struct extsort_heap *heap;  /* reading from runs: the final merge */
	int state;                  /* adding, reading from memory or runs */
};

/* Start an empty sort keeping about budget bytes in memory (at least one
 * row of EXTSORT_ROW_MAX), spilling runs into tmpdir (borrowed; NULL:
 * /tmp).  Nothing is allocated or created before the first row. */
void extsort_init(struct extsort *s, size_t budget, const char *tmpdir);

/* Add a row of len bytes with its key.  Returns 0, or -1 with errno:
 * E2BIG for a row over EXTSORT_ROW_MAX, ENOMEM, or the error of making or
 * writing a temporary file (ENOSPC, EACCES, ENOENT for a missing tmpdir). */
int extsort_add(struct extsort *s, int64_t key, const void *row, size_t len);

/* End adding and start reading: rows in key order, ties in the order
 * added.  Returns 0, or -1 with errno (a spill or merge failed). */
int extsort_finish(struct extsort *s);

/* The next row: 1 with *row and *len set, 0 at the end, -1 with errno on
 * a read error (EIO for a run cut short).  Only after extsort_finish. */
int extsort_next(struct extsort *s, const char **row, size_t *len);

/* How many runs went to temporary files (0: the rows fitted in memory). */
size_t extsort_spilled(const struct extsort *s);

/* Release memory and close (so remove) every temporary file; s can then
 * be initialised again.  Safe on a sort that failed at any point. */
void extsort_free(struct extsort *s);

/* A byte count with an optional k, m or g suffix (powers of 1024), for
 * TALLY_SORT_BUFFER: "64k", "16M", "1000".  Returns 0 with *out set, or -1
 * for anything else, zero, or over 4 GB. */
int extsort_parse_size(const char *text, size_t *out);

#endif
