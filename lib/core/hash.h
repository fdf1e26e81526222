/* hash.h - the one non-cryptographic hash tally uses for tables and
 * fingerprints: 64-bit FNV-1a.  Its values are stored in state files and
 * ledger chains, so it must never change. */
#ifndef TALLY_HASH_H
#define TALLY_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/* A hash for in-memory tables only (never stored: it may change): eight
 * bytes a step, a multiply-rotate, then hash_mix64, so every bit reaches
 * the low ones a mask keeps.  Several times faster than FNV-1a's byte at
 * a time on names of a dozen bytes or more. */
static inline uint64_t hash_table(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
		h = h << 31 | h >> 33;
	}
	if (i < n) {
		/* the last eight bytes (overlapping); under eight, the first and
		 * last four; under four, the first, middle and last byte */
		uint32_t a, b;
		if (n >= 8) {
			memcpy(&w, s + n - 8, 8);
		} else if (n >= 4) {
			memcpy(&a, s, 4);
			memcpy(&b, s + n - 4, 4);
			w = (uint64_t)a << 32 | b;
		} else {
			w = (uint64_t)s[0] << 16 | (uint64_t)s[n / 2] << 8 | s[n - 1];
		}
		h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
	}
	return hash_mix64(h);
}

#endif
