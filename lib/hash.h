/* hash.h - the one non-cryptographic hash tally uses for tables and
 * fingerprints: 64-bit FNV-1a.  Its values are stored in state files and
 * ledger chains, so it must never change. */
#ifndef TALLY_HASH_H
#define TALLY_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV_OFFSET 0xcbf29ce484222325ULL /* the FNV-1a 64 starting value */

/* Continue an FNV-1a 64 hash h over n bytes at p; start with
 * HASH_FNV_OFFSET.  Its low bits are weak: tables should mix them (e.g.
 * h ^ h >> 29) before masking. */
static inline uint64_t hash_fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* splitmix64's finaliser: spreads every bit of x over the result (FNV's
 * weak low bits, or words folded in one at a time).  Stored in split
 * state keys through split_state.c, so it must never change either. */
static inline uint64_t hash_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

#endif
