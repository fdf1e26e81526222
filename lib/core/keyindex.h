/* keyindex.h - the one hash table module: interned names, and maps from a
 * pair of 64-bit keys to a dense id.  tally-report's group-by sums and its
 * ledger's accounts, tally-attribute's contributors and graph nodes,
 * tally-forecast's series, tally-split's match cache and its state's
 * classes, and every header's column names are kept in it.  (Two tables
 * of 8-byte keys are not, for memory: tally-ingest's duplicate set keeps
 * bare keys, ingest_dedupe.h, a month of rows in a third of the memory a
 * map would take; and the split state's records of this run keep their
 * 24 bytes inline under the key, split_state.h, where a map would add a
 * second array and 20 bytes a key.)
 *
 * Both are open-addressing hash tables that grow by doubling, so adding a
 * key that is already there allocates nothing: a streaming pass over
 * millions of rows allocates only when it meets a new payee, product or
 * period.  Ids are dense (0, 1, 2 ... in the order keys were first added)
 * so callers keep their records in plain arrays indexed by id.  Every
 * function that may allocate returns 0, or -1 with errno = ENOMEM and the
 * table unchanged. */
#ifndef TALLY_KEYINDEX_H
#define TALLY_KEYINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A set of byte strings, each given a dense id.  Zero-initialise. */
struct names {
	char **s;       /* the strings by id, NUL-terminated (owned) */
	uint32_t *len;  /* their lengths */
	uint64_t *hash; /* their hashes, kept so growing never rehashes text */
	uint32_t n;     /* strings held */
	uint32_t cap;   /* room in s, len and hash */
	struct name_slot {
		uint32_t id;    /* id + 1, 0 for an empty slot */
		uint32_t check; /* the hash's high half: most misses end here */
	} *slot;        /* the hash table */
	size_t mask;    /* slots - 1 (a power of two less one) */
};

/* The id of s[0..len) in *id, adding a copy when it is new.  s may hold
 * any bytes (and be NULL when len is 0); the copy is NUL-terminated, so names->s[id] is a C string
 * when s has no NUL.  Returns 0, or -1 (ENOMEM). */
int names_intern(struct names *names, const char *s, size_t len, uint32_t *id);

/* The id of s[0..len), or -1 when it is not there.  Never allocates. */
long names_find(const struct names *names, const char *s, size_t len);

/* Free everything names owns and zero it. */
void names_free(struct names *names);

/* A map from a pair of keys (a, b) to an id.  Zero-initialise. */
struct keymap {
	struct keyslot {
		uint64_t a, b; /* the key */
		uint32_t id;   /* the value + 1, 0 for an empty slot */
	} *slot;
	size_t mask; /* slots - 1 */
	size_t n;    /* keys held */
};

/* The id stored under (a, b) in *id, with *added = false; when the key is
 * absent, store next_id under it and set *id = next_id, *added = true
 * (callers pass the count of their records, so ids stay dense).  Returns
 * 0, or -1 (ENOMEM, nothing added). */
int keymap_get(struct keymap *map, uint64_t a, uint64_t b, uint32_t next_id, uint32_t *id,
		      bool *added);

/* The id stored under (a, b), or -1 when there is none.  Never allocates. */
long keymap_find(const struct keymap *map, uint64_t a, uint64_t b);

/* Free the map's slots and zero it. */
void keymap_free(struct keymap *map);

/* A three-letter currency code as one key: its bytes in 24 bits. */
uint32_t pack_currency(const char *code);

/* Make room for one more element in array, which has room for *cap
 * elements of size bytes and holds n: when it is full, reallocate it to
 * twice the room, or to `first` elements when it has none.  Returns the
 * array (perhaps moved; store it back), or NULL (ENOMEM) with the array
 * and *cap as they were. */
void *grow_array(void *array, size_t n, size_t *cap, size_t size, size_t first);

#endif
