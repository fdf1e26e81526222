/* partition.h - which of N partitions a row goes to, by the values of its
 * key columns: a stable hash (hash.h's FNV-1a, mixed), so the same key goes
 * to the same partition on every machine, in every run and whatever else
 * the input holds.  Library code: pure functions. */
#ifndef TALLY_PARTITION_H
#define TALLY_PARTITION_H

#include <stddef.h>
#include <stdint.h>

#include "tsv.h"

#define PARTITION_MAX 256 /* partitions at most: two descriptors and 64 KiB each */
#define PARTITION_KEYS 8   /* key columns at most */

/* The hash of the key fields f[cols[0..ncols)]: each field's bytes, then
 * a 0xff byte (never in UTF-8), so ("ab", "c") and ("a", "bc") differ.
 * It must never change: partitions made today must meet tomorrow's. */
uint64_t partition_hash(const struct tsv_field *f, const int *cols, size_t ncols);

/* The partition of hash h among n (n >= 1): in [0, n), by the hash's high
 * bits (a multiply-shift), so every partition gets an even share. */
unsigned partition_of(uint64_t h, unsigned n);

#endif
