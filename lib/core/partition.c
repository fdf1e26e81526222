/* partition.c - stable partitions of rows by key (see partition.h). */
#include "partition.h"

#include "hash.h"

uint64_t partition_hash(const struct tsv_field *f, const int *cols, size_t ncols)
{
	static const unsigned char sep = 0xff;
	uint64_t h = HASH_FNV_OFFSET;
	for (size_t i = 0; i < ncols; i++) {
		h = hash_fnv1a(h, f[cols[i]].s, f[cols[i]].len);
		h = hash_fnv1a(h, &sep, 1);
	}
	return hash_mix64(h);
}

unsigned partition_of(uint64_t h, unsigned n)
{
	__extension__ typedef unsigned __int128 u128;
	return (unsigned)(((u128)h * n) >> 64);
}
