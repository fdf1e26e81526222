/* ingest_dedupe.h - the set of rows tally-ingest has written, by their
 * 64-bit keys, so that a row read twice (an export downloaded again, two
 * overlapping exports) is written once.
 *
 * The set is cut into INGEST_DEDUPE_PARTS parts by the key's top byte,
 * each its own linear-probing table grown on its own: a part's rehash
 * holds two copies of 1/256 of the set, so the peak stays near the set's
 * size (8 bytes a key over the load factor) instead of doubling.  Library
 * code: no printing, no exits. */
#ifndef TALLY_INGEST_DEDUPE_H
#define TALLY_INGEST_DEDUPE_H

#include <stddef.h>
#include <stdint.h>

#define INGEST_DEDUPE_PARTS 256

struct ingest_dedupe_part {
	uint64_t *slots; /* keys, 0 = empty (key 0 is stored as 1) */
	size_t cap, n;   /* slots allocated, keys held */
};

/* Caller-owned; zero it before first use, ingest_dedupe_free after. */
struct ingest_dedupe {
	struct ingest_dedupe_part part[INGEST_DEDUPE_PARTS];
};

/* Add KEY to D.  Returns 1 when it was not there (now it is), 0 when it
 * was (a duplicate), -1 when out of memory (D is unchanged).  Keys 0 and
 * 1 are one key. */
int ingest_dedupe_add(struct ingest_dedupe *d, uint64_t key);

/* How many keys D holds. */
size_t ingest_dedupe_count(const struct ingest_dedupe *d);

/* Release D's memory and zero it (it can be used again). */
void ingest_dedupe_free(struct ingest_dedupe *d);

#endif
