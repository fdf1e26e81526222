/* alloc.h - exact proportional allocation (largest remainder).
 *
 * Splitting an amount among parts proportional to weights never loses or
 * invents a micro-unit: the parts always sum to the amount. */
#ifndef TALLY_ALLOC_H
#define TALLY_ALLOC_H

#include <stddef.h>
#include <stdint.h>

enum alloc_status {
	ALLOC_OK = 0,
	ALLOC_EWEIGHT = -1,   /* a negative weight, or every weight zero */
};

/* Split `amount` micro-units into parts[0..n) proportional to weights[0..n)
 * (non-negative integers: a caller with fractions brings them to one
 * denominator first, as tally-split does with its shares).
 *
 * Each part's exact quota is amount * w_i / sum(w).  Every part gets its
 * quota rounded toward zero; the micro-units left over (fewer than n) go
 * one each to the parts with the largest remainders.  Ties between equal
 * remainders go to the part that comes first (lowest index), so the result
 * is deterministic for a given order.  A negative amount is split as the
 * mirror image of the positive one (parts of -x are the negations of the
 * parts of x), so a refund claws back exactly what its sale paid.  A part
 * with weight zero gets zero.
 *
 * Guarantees: sum(parts) == amount; |parts[i] - quota_i| < 1 micro-unit;
 * every part has the sign of amount (or is zero).
 * Returns ALLOC_OK, or a negative alloc_status leaving parts undefined. */
int alloc_split_int(int64_t amount, const int64_t *weights, size_t n, int64_t *parts);

/* alloc_split_int with another tie-break: among equal remainders the
 * leftover micro-units go first to part `first` (taken modulo n), then to
 * the parts after it, wrapping round to 0.  first = 0 is alloc_split_int.
 * A caller that turns `first` with the period (tally-split --ties rotate)
 * gives each part the odd micro-unit in turn, as Liberapay does, instead
 * of always to the part listed first; the parts of -x are still the
 * negations of those of x for the same `first`. */
int alloc_split_int_from(int64_t amount, const int64_t *weights, size_t n, size_t first, int64_t *parts);

#endif
