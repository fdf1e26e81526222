/* report_keys.h - which rows each closed period of the payout ledger
 * booked: the ledger's key record, kept beside it ("LEDGER.keys"), so that
 * tally-report tells a row the ledger holds from a late one or a new one
 * by what the row is, never by what it earns.
 *
 * A row's key is a 64-bit FNV-1a digest of the fields that name it in the
 * allocations stream (report_row_key); with it the record keeps the period
 * the row was posted into and its amount, so that a row fed again is the
 * ledger's and a row fed again with another amount is a closed period
 * changed.  Money paid outside tally (--paid) is keyed by its reference.
 *
 * The file is text, one record a line, TAB-separated:
 *     tally-ledger-keys 1
 *     chain  CHAIN  BEFORE      (16 hex digits each)
 *     KEY    PERIOD AMOUNT      (one per row, by KEY; AMOUNT in micro-units)
 *     end    COUNT  DIGEST
 * CHAIN is the chain value of the ledger's last row once the run that
 * wrote the record has appended its rows, BEFORE the one it had before
 * (tally-report writes the record first, then the ledger): a record whose
 * CHAIN is the ledger's is whole; one whose BEFORE is the ledger's was
 * written by a run that died before the ledger, and its rows of periods
 * the ledger does not hold are dropped.  DIGEST is FNV-1a 64 over every
 * byte before the end line: an edited, added or removed line shows.
 * Memory is 24 bytes per row recorded (the record is read whole and
 * searched by binary search). */
#ifndef TALLY_REPORT_KEYS_H
#define TALLY_REPORT_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "out.h"

#define REPORT_KEYS_MAGIC "tally-ledger-keys 1"

struct report_key {
	uint64_t key;    /* the row's identity (report_row_key) */
	int64_t period;  /* the period index it was posted into */
	int64_t amount;  /* what it earned, micro-units */
};

struct report_keys {
	struct report_key *k; /* sorted by key once loaded or sorted (owned) */
	size_t n, cap;
	enum period_kind kind; /* the kind of the periods */
	uint64_t chain;        /* CHAIN of the file read */
	uint64_t before;       /* BEFORE of the file read */
};

/* The identity of an allocation row from its naming fields f[0..n)
 * (pointer and length each; absent columns as empty), for the nth row in
 * a run of consecutive rows with the same fields (n >= 1: two identical
 * rows of a hand-made stream are two rows).  Never 0. */
uint64_t report_row_key(const char *const *f, const size_t *len, size_t n, unsigned occurrence);

/* The key of money paid outside tally with this reference. */
uint64_t report_paid_key(const char *ref, size_t len);

/* Add a record (unsorted until report_keys_sort).  Returns 0 or -1 (out
 * of memory). */
int report_keys_add(struct report_keys *ks, uint64_t key, int64_t period, int64_t amount);

/* Sort by key.  Returns false when two records have one key (the same
 * row twice). */
bool report_keys_sort(struct report_keys *ks);

/* The record of key in sorted ks, or NULL. */
const struct report_key *report_keys_find(const struct report_keys *ks, uint64_t key);

/* Drop the records of periods after last (kept in order). */
void report_keys_drop_after(struct report_keys *ks, int64_t last);

/* Read the record at path into ks (zeroed first) for periods of kind.
 * Returns 0; 1 when the file does not exist; -1 with errno set when it
 * cannot be read; -2 when it is not a key record or was edited, with
 * *err_line (0: the file) and err[0..cap). */
int report_keys_load(struct report_keys *ks, const char *path, enum period_kind kind, long *err_line,
		     char *err, size_t cap);

/* Write sorted ks to o as a key record with CHAIN chain and BEFORE
 * before.  Write errors are left in o. */
void report_keys_write(const struct report_keys *ks, uint64_t chain, uint64_t before, struct out *o);

/* Whether the record ks (as loaded) goes with the ledger whose last
 * chain value is chain (0: empty) and last period last:
 * REPORT_KEYS_WHOLE when its CHAIN is chain; REPORT_KEYS_RESUMED when its
 * BEFORE is (a run died between the record and the ledger): its records
 * of periods after last are dropped (every one when the ledger is empty,
 * has_last false); else REPORT_KEYS_STRANGER (another ledger's record, or
 * an older or newer copy): it must not be used. */
enum report_keys_match { REPORT_KEYS_WHOLE, REPORT_KEYS_RESUMED, REPORT_KEYS_STRANGER };
enum report_keys_match report_keys_check(struct report_keys *ks, uint64_t chain, bool has_last, int64_t last);

/* Add every record of add to ks and sort ks.  Returns 0; -1 out of
 * memory; -2 when a key is then twice (*dup: it). */
int report_keys_merge(struct report_keys *ks, const struct report_keys *add, uint64_t *dup);

/* Free what ks owns and zero it. */
void report_keys_free(struct report_keys *ks);

#endif
