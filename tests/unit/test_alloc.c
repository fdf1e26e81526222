/* test_alloc.c - unit tests of exact proportional allocation
 * (lib/core/alloc.c).
 *
 * Plan: a table of specific splits with their exact parts (the documented
 * tie-break, the int64 edges, zero weights, shares as fractions over one denominator); the error
 * statuses; then 10,000 random splits from a fixed-seed xorshift, each
 * checked for an exact sum, every part within one micro-unit of its quota
 * (in 128-bit arithmetic), the sign rule, determinism, the mirror image for
 * the negated amount, and equality with a plain reference implementation
 * of largest remainder (sort by remainder, then index). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "tap.h"

__extension__ typedef __int128 i128;

#define MAX_PARTS 200

/* Parts as text, "a b c", for messages. */
static const char *show(const int64_t *parts, size_t n)
{
	static char buf[512];
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used < sizeof buf - 24; i++)
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%" PRId64, i ? " " : "",
					 parts[i]);
	return buf;
}

/* ---- specific cases ------------------------------------------------ */

struct int_case {
	const char *what;
	int64_t amount;
	size_t n;
	int64_t weights[4];
	int64_t want[4];
};

static void test_int_cases(void)
{
	static const struct int_case cases[] = {
		{"0.01 split 50/30/20", 10000, 3, {50, 30, 20}, {5000, 3000, 2000}},
		{"0.010001 split 50/30/20", 10001, 3, {50, 30, 20}, {5001, 3000, 2000}},
		{"-0.010001 split 50/30/20", -10001, 3, {50, 30, 20}, {-5001, -3000, -2000}},
		{"0.010009 split 50/30/20", 10009, 3, {50, 30, 20}, {5004, 3003, 2002}},
		{"1 micro-unit among 3 equal", 1, 3, {1, 1, 1}, {1, 0, 0}},
		{"2 micro-units among 3 equal", 2, 3, {1, 1, 1}, {1, 1, 0}},
		{"-1 micro-unit among 3 equal", -1, 3, {1, 1, 1}, {-1, 0, 0}},
		{"100 among 3 equal", 100, 3, {7, 7, 7}, {34, 33, 33}},
		{"tie goes to the lower index", 1, 2, {1, 1}, {1, 0}},
		{"largest remainder beats index", 1, 3, {1, 1, 2}, {0, 0, 1}},
		{"one weight", 12345, 1, {9}, {12345}},
		{"zero weights get zero", 1000, 4, {0, 1, 0, 1}, {0, 500, 0, 500}},
		{"zero weight gets no leftover", 1, 3, {0, 1, 1}, {0, 1, 0}},
		{"zero amount", 0, 3, {1, 2, 3}, {0, 0, 0}},
		{"INT64_MAX among 3 equal", INT64_MAX, 3, {1, 1, 1},
		 {3074457345618258603, 3074457345618258602, 3074457345618258602}},
		{"INT64_MIN+1 among 3 equal", INT64_MIN + 1, 3, {1, 1, 1},
		 {-3074457345618258603, -3074457345618258602, -3074457345618258602}},
		{"INT64_MIN among 2 equal", INT64_MIN, 2, {1, 1},
		 {-4611686018427387904, -4611686018427387904}},
		{"INT64_MIN to one part", INT64_MIN, 2, {0, 5}, {0, INT64_MIN}},
		{"INT64_MAX with huge weights", INT64_MAX, 2, {INT64_MAX, INT64_MAX - 1},
		 {4611686018427387904, 4611686018427387903}},
		{"INT64_MAX to one part", INT64_MAX, 3, {0, INT64_MAX, 0}, {0, INT64_MAX, 0}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct int_case *c = &cases[i];
		int64_t parts[4] = {0};
		int status = alloc_split_int(c->amount, c->weights, c->n, parts);
		bool same = status == ALLOC_OK && memcmp(parts, c->want, c->n * sizeof parts[0]) == 0;
		if (!tap_ok(same, "split_int: %s", c->what))
			printf("#   status %d, got %s\n", status, show(parts, c->n));
	}
}

/* Shares written as fractions reach alloc_split_int over one denominator,
 * as tally-split brings its percentages and weights there. */
struct fraction_case {
	const char *what;
	int64_t amount;
	size_t n;
	int64_t weights[4];
	int64_t want[4];
};

static void test_fraction_cases(void)
{
	static const struct fraction_case cases[] = {
		{"1/3 1/3 1/3 exact", 3000000, 3, {1, 1, 1}, {1000000, 1000000, 1000000}},
		{"1/3 1/3 1/3 of 0.01", 10000, 3, {1, 1, 1}, {3334, 3333, 3333}},
		{"1/3 1/3 1/3 of -0.01", -10000, 3, {1, 1, 1}, {-3334, -3333, -3333}},
		{"15% 85%", 1000000, 2, {15, 85}, {150000, 850000}},
		{"50% 30% 20% of 0.01", 10000, 3, {50, 30, 20}, {5000, 3000, 2000}},
		{"weights need not sum to 1", 10, 2, {3, 1}, {8, 2}},
		{"1/2 1/3 1/6 of 1", 1, 3, {3, 2, 1}, {1, 0, 0}},
		{"1/2 1/3 1/6 of 5", 5, 3, {3, 2, 1}, {2, 2, 1}},
		{"zero weight gets zero", 7, 3, {0, 1, 1}, {0, 4, 3}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct fraction_case *c = &cases[i];
		int64_t parts[4] = {0};
		int status = alloc_split_int(c->amount, c->weights, c->n, parts);
		bool same = status == ALLOC_OK && memcmp(parts, c->want, c->n * sizeof parts[0]) == 0;
		if (!tap_ok(same, "split: %s", c->what))
			printf("#   status %d, got %s\n", status, show(parts, c->n));
	}
}

static void test_errors(void)
{
	int64_t parts[3];
	tap_is_int(alloc_split_int(100, (const int64_t[]){0, 0, 0}, 3, parts), ALLOC_EWEIGHT,
		   "all-zero weights");
	tap_is_int(alloc_split_int(100, (const int64_t[]){1, -1, 3}, 3, parts), ALLOC_EWEIGHT,
		   "a negative weight");
	tap_is_int(alloc_split_int(100, NULL, 0, parts), ALLOC_EWEIGHT, "no parts at all");
}

/* ---- random properties --------------------------------------------- */

/* One random split: integer weights (small, huge, or zero). */
struct random_case {
	int64_t amount;
	size_t n;
	int64_t weights[MAX_PARTS];
};

static int64_t random_amount(void)
{
	unsigned bits = (unsigned)(tap_rand() % 64);
	int64_t v = bits == 0 ? 0 : (int64_t)(tap_rand() >> (64 - bits) >> 1);
	if (tap_rand() % 50 == 0)
		v = INT64_MAX - (int64_t)(tap_rand() % 3);
	return tap_rand() & 1 ? -v : v;
}

static int64_t random_weight(unsigned kind)
{
	switch (kind) {
	case 0:
		return (int64_t)(tap_rand() % 4); /* many zeros and ties */
	case 1:
		return (int64_t)(tap_rand() % 1000);
	default:
		return (int64_t)(tap_rand() >> 1); /* up to INT64_MAX */
	}
}

static void make_case(struct random_case *c)
{
	c->amount = random_amount();
	/* Mostly a few payees; sometimes more than alloc.c keeps on the stack. */
	c->n = tap_rand() % 20 == 0 ? 65 + tap_rand() % (MAX_PARTS - 65)
				     : 1 + tap_rand() % 8;
	unsigned kind = (unsigned)(tap_rand() % 3);
	int64_t any = 0;
	for (size_t i = 0; i < c->n; i++) {
		c->weights[i] = random_weight(kind);
		any |= c->weights[i];
	}
	if (any == 0)
		c->weights[tap_rand() % c->n] = 1;
}

static i128 weight_sum(const struct random_case *c)
{
	i128 s = 0;
	for (size_t i = 0; i < c->n; i++)
		s += c->weights[i];
	return s;
}

/* Reference largest remainder, written the obvious way: floor every exact
 * quota of |amount|, then hand out the leftover one micro-unit at a time to
 * the part with the largest remainder not yet served, lowest index first. */
static void reference_split(const struct random_case *c, int64_t *parts)
{
	i128 total = weight_sum(c);
	i128 amount = c->amount < 0 ? -(i128)c->amount : c->amount;
	i128 floors[MAX_PARTS], rems[MAX_PARTS], given = 0;
	bool served[MAX_PARTS] = {false};
	for (size_t i = 0; i < c->n; i++) {
		floors[i] = amount * c->weights[i] / total;
		rems[i] = amount * c->weights[i] % total;
		given += floors[i];
	}
	for (i128 left = amount - given; left > 0; left--) {
		size_t best = c->n;
		for (size_t i = 0; i < c->n; i++)
			if (!served[i] && (best == c->n || rems[i] > rems[best]))
				best = i;
		served[best] = true;
		floors[best]++;
	}
	for (size_t i = 0; i < c->n; i++)
		parts[i] = (int64_t)(c->amount < 0 ? -floors[i] : floors[i]);
}

/* Each part within one micro-unit of amount * w_i / S, in 128 bits:
 * part is the quota truncated, or (when inexact) one further from zero. */
static bool within_one_unit(const struct random_case *c, const int64_t *parts)
{
	i128 total = weight_sum(c);
	for (size_t i = 0; i < c->n; i++) {
		i128 product = (i128)c->amount * c->weights[i];
		i128 q = product / total, r = product % total;
		i128 away = c->amount < 0 ? q - 1 : q + 1;
		if (parts[i] != q && !(r != 0 && parts[i] == away))
			return false;
	}
	return true;
}

static bool sum_exact(const struct random_case *c, const int64_t *parts)
{
	i128 s = 0;
	for (size_t i = 0; i < c->n; i++)
		s += parts[i];
	return s == c->amount;
}

static bool signs_follow_amount(const struct random_case *c, const int64_t *parts)
{
	for (size_t i = 0; i < c->n; i++) {
		if (parts[i] != 0 && (parts[i] < 0) != (c->amount < 0))
			return false;
		if (c->weights[i] == 0 && parts[i] != 0)
			return false;
	}
	return true;
}

/* Failure counts per property over the random cases. */
struct tally_of_failures {
	int status, sum, quota, sign, determinism, mirror, reference;
};

static void check_case(const struct random_case *c, struct tally_of_failures *f, int index)
{
	int64_t parts[MAX_PARTS], again[MAX_PARTS], mirror[MAX_PARTS], ref[MAX_PARTS];
	if (alloc_split_int(c->amount, c->weights, c->n, parts) != ALLOC_OK) {
		f->status++;
		return;
	}
	bool bad_sum = !sum_exact(c, parts), bad_quota = !within_one_unit(c, parts);
	f->sum += bad_sum;
	f->quota += bad_quota;
	f->sign += !signs_follow_amount(c, parts);
	alloc_split_int(c->amount, c->weights, c->n, again);
	f->determinism += memcmp(parts, again, c->n * sizeof parts[0]) != 0;
	if (c->amount != INT64_MIN) {
		alloc_split_int(-c->amount, c->weights, c->n, mirror);
		for (size_t i = 0; i < c->n; i++)
			if (mirror[i] != -parts[i]) {
				f->mirror++;
				break;
			}
	}
	reference_split(c, ref);
	bool bad_ref = memcmp(parts, ref, c->n * sizeof parts[0]) != 0;
	f->reference += bad_ref;
	if (weight_sum(c) <= 1000000)
		if ((bad_sum || bad_quota || bad_ref) && f->sum + f->quota + f->reference == 1)
		printf("# case %d: amount %" PRId64 ", n %zu: got %s\n", index, c->amount, c->n,
		       show(parts, c->n));
}

static void test_random_properties(void)
{
	static struct random_case c;
	struct tally_of_failures f = {0};
	for (int i = 0; i < 10000; i++) {
		make_case(&c);
		check_case(&c, &f, i);
	}
	tap_is_int(f.status, 0, "10000 random splits: all accepted");
	tap_is_int(f.sum, 0, "10000 random splits: parts sum exactly to the amount");
	tap_is_int(f.quota, 0, "10000 random splits: each part within one micro-unit of its quota");
	tap_is_int(f.sign, 0, "10000 random splits: parts take the amount's sign; zero weight 0");
	tap_is_int(f.determinism, 0, "10000 random splits: the same inputs give the same parts");
	tap_is_int(f.mirror, 0, "10000 random splits: a negated amount gives negated parts");
	tap_is_int(f.reference, 0, "10000 random splits: equal to the reference largest remainder");
}

/* Scaling every weight by one factor changes nothing (the tie-break is on
 * exact remainders, not on how the weights were written). */
static void test_scale_invariance(void)
{
	int failures = 0;
	for (int i = 0; i < 2000; i++) {
		size_t n = 1 + tap_rand() % 6;
		int64_t w[6], scaled[6], a[6], b[6], k = 1 + (int64_t)(tap_rand() % 1000);
		int64_t amount = (int64_t)(tap_rand() % 100000) - 50000;
		for (size_t j = 0; j < n; j++) {
			w[j] = 1 + (int64_t)(tap_rand() % 10);
			scaled[j] = w[j] * k;
		}
		alloc_split_int(amount, w, n, a);
		alloc_split_int(amount, scaled, n, b);
		failures += memcmp(a, b, n * sizeof a[0]) != 0;
	}
	tap_is_int(failures, 0, "2000 random splits: scaling the weights changes nothing");
}

/* --ties rotate: ties from part `first` round, the rest unchanged. */
static void test_ties_from(void)
{
	const int64_t eq[3] = {1, 1, 1}, w[3] = {1, 1, 2};
	int64_t p[3];
	alloc_split_int_from(1, eq, 3, 0, p);
	tap_ok(p[0] == 1 && p[1] == 0 && p[2] == 0, "ties from 0: the first part");
	alloc_split_int_from(1, eq, 3, 2, p);
	tap_ok(p[0] == 0 && p[1] == 0 && p[2] == 1, "ties from 2: the third part");
	alloc_split_int_from(2, eq, 3, 2, p);
	tap_ok(p[0] == 1 && p[1] == 0 && p[2] == 1, "two ties from 2 wrap round to the first");
	alloc_split_int_from(-2, eq, 3, 2, p);
	tap_ok(p[0] == -1 && p[1] == 0 && p[2] == -1, "a refund mirrors its sale for the same start");
	alloc_split_int_from(1, eq, 3, 7, p);
	tap_ok(p[0] == 0 && p[1] == 1 && p[2] == 0, "the start is taken modulo n");
	alloc_split_int_from(1, w, 3, 0, p);
	tap_ok(p[2] == 1, "the largest remainder still beats the start");
	alloc_split_int_from(10000000, eq, 3, 1, p);
	tap_ok(p[0] == 3333333 && p[1] == 3333334 && p[2] == 3333333 && p[0] + p[1] + p[2] == 10000000,
	       "10.00 among 3 from 1: the second gets 3.333334");
	tap_is_int(alloc_split_int_from(1, (const int64_t[2]){0, 0}, 2, 1, p), ALLOC_EWEIGHT, "zero weights refused");
}

int main(void)
{
	test_int_cases();
	test_ties_from();
	test_fraction_cases();
	test_errors();
	test_random_properties();
	test_scale_invariance();
	return tap_done();
}
