/* alloc.c - exact proportional allocation by largest remainder (see
 * alloc.h for the contract and the tie-break).
 *
 * Method: for non-negative integer weights w_i, S = sum(w_i).  The split works on |amount| = A and puts the
 * sign back at the end, which gives the mirror property for free.  Part i
 * gets floor(A * w_i / S); the k = A - sum(floors) micro-units left over
 * (k < n) go to the k parts with the largest remainders r_i = A * w_i mod S,
 * lowest index first among equals.  A < 2^63 + 1 and w_i < 2^63, so every
 * product fits in 128 bits and no floating point is used anywhere.
 *
 * Choosing the k largest remainders needs no allocation: a binary search
 * finds the threshold T, the k-th largest remainder; every part whose
 * remainder is above T gets one, and the first parts (by index, from the
 * part ties start at) whose remainder equals T get the rest.  Remainders are kept on the stack for
 * small n and recomputed on each pass otherwise. */
#include "alloc.h"

#include <stdbool.h>

__extension__ typedef unsigned __int128 u128;

#define ALLOC_CACHED_PARTS 64 /* n up to which remainders sit on the stack */

/* One split in progress. */
struct split {
	const int64_t *w; /* the weights */
	size_t n;      /* number of parts */
	u128 amount;   /* |amount| in micro-units */
	u128 total;    /* sum of the integer weights, > 0 */
	u128 *cache;   /* remainders[0..n) when n is small, else NULL */
	size_t first;  /* ties go to this part first, then round (< n) */
};

/* Weight i, validated non-negative beforehand. */
static u128 weight_at(const int64_t *w, size_t i)
{
	return (u128)w[i];
}

static u128 remainder_at(const struct split *s, size_t i)
{
	if (s->cache)
		return s->cache[i];
	return s->amount * weight_at(s->w, i) % s->total;
}

static size_t count_at_least(const struct split *s, u128 threshold)
{
	size_t count = 0;
	for (size_t i = 0; i < s->n; i++)
		count += remainder_at(s, i) >= threshold;
	return count;
}

/* The k-th largest remainder (1 <= k < n): the largest T with at least k
 * remainders >= T.  The remainders sum to k * S and each is below S, so
 * more than k of them are positive and T >= 1. */
static u128 find_threshold(const struct split *s, size_t k)
{
	u128 lo = 1, hi = 0;
	for (size_t i = 0; i < s->n; i++) {
		u128 r = remainder_at(s, i);
		if (r > hi)
			hi = r;
	}
	while (lo < hi) {
		u128 mid = lo + (hi - lo + 1) / 2;
		if (count_at_least(s, mid) >= k)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* Give the k leftover micro-units to the parts with the largest
 * remainders; among equal remainders, from part s->first round. */
static void give_leftover(const struct split *s, size_t k, uint64_t *magnitudes)
{
	u128 threshold = find_threshold(s, k);
	size_t at_threshold = k - count_at_least(s, threshold + 1);
	for (size_t j = 0; j < s->n; j++) {
		size_t i = (s->first + j) % s->n;
		u128 r = remainder_at(s, i);
		if (r > threshold) {
			magnitudes[i]++;
		} else if (r == threshold && at_threshold > 0) {
			magnitudes[i]++;
			at_threshold--;
		}
	}
}

/* Store each part's floor(A * w_i / S) (and its remainder in the cache, if
 * any); returns the micro-units left over. */
static size_t give_floors(const struct split *s, uint64_t *magnitudes)
{
	u128 given = 0;
	for (size_t i = 0; i < s->n; i++) {
		u128 product = s->amount * weight_at(s->w, i);
		magnitudes[i] = (uint64_t)(product / s->total);
		if (s->cache)
			s->cache[i] = product % s->total;
		given += magnitudes[i];
	}
	return (size_t)(s->amount - given);
}

/* The signed part for a magnitude of at most 2^63 (2^63 only when the
 * amount is INT64_MIN, so only ever negated). */
static int64_t signed_part(uint64_t magnitude, bool negative)
{
	if (!negative)
		return (int64_t)magnitude;
	return magnitude == 0 ? 0 : -(int64_t)(magnitude - 1) - 1;
}

/* Split with validated weights whose sum is positive, ties from part first. */
static void split_validated(int64_t amount, const int64_t *w, size_t n, size_t first, int64_t *parts)
{
	u128 total = 0;
	for (size_t i = 0; i < n; i++)
		total += weight_at(w, i);
	u128 cache[ALLOC_CACHED_PARTS];
	struct split s = {
		.w = w,
		.n = n,
		.amount = amount < 0 ? (u128)0 - (u128)amount : (u128)amount,
		.total = total,
		.cache = n <= ALLOC_CACHED_PARTS ? cache : NULL,
		.first = first % n,
	};
	/* Magnitudes are built in place; int64_t and uint64_t may alias. */
	uint64_t *magnitudes = (uint64_t *)parts;
	size_t leftover = give_floors(&s, magnitudes);
	if (leftover > 0)
		give_leftover(&s, leftover, magnitudes);
	for (size_t i = 0; i < n; i++)
		parts[i] = signed_part(magnitudes[i], amount < 0);
}

int alloc_split_int(int64_t amount, const int64_t *weights, size_t n, int64_t *parts)
{
	return alloc_split_int_from(amount, weights, n, 0, parts);
}

int alloc_split_int_from(int64_t amount, const int64_t *weights, size_t n, size_t first, int64_t *parts)
{
	bool any_positive = false;
	for (size_t i = 0; i < n; i++) {
		if (weights[i] < 0)
			return ALLOC_EWEIGHT;
		any_positive |= weights[i] > 0;
	}
	if (!any_positive)
		return ALLOC_EWEIGHT;
	split_validated(amount, weights, n, first, parts);
	return ALLOC_OK;
}
