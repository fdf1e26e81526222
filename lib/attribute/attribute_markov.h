/* attribute_markov.h - first-order Markov removal effects over touch
 * paths (tally-attribute --method markov), computed analytically.
 *
 * The chain: transient states start and the players 0..n-1, absorbing
 * states conversion and null.  A path a > b > c followed c conversions and
 * u times without conversion adds c+u to the transition counts start->a,
 * a->b, b->c, and c to c->conversion, u to c->null.  Rows of counts are
 * normalised into probabilities: Q among transient states, r the one-step
 * conversion probabilities.  The conversion probability from each state
 * is the solution x of (I - Q) x = r, solved exactly by Gaussian
 * elimination (never by simulating walks); P = x[start].
 *
 * Removing player i sends every walk that reaches i to null.  A converting
 * walk either never visits i or first reaches i (probability h_i, from the
 * same linear system: h_i = N[start][i] / N[i][i] with N = (I - Q)^-1) and
 * converts from there (x_i), so
 *
 *     P(without i) = P - h_i x_i,   removal effect RE_i = h_i x_i / P,
 *
 * which is never negative (a tiny negative rounding residue is set to 0).
 * Shares are RE_i / sum_j RE_j.
 *
 * Paths without conversion (nulls) are how the chain learns that a touch
 * often leads nowhere: they add to every transition on their way and end
 * in null, lowering the conversion probability through their touches.  A
 * row with conversions and nulls both 0 adds nothing.  Repeated touches
 * (a > a) are self-loops: they change no removal effect.
 *
 * Transition counts are summed in sorted order, so the result does not
 * depend on the order of the paths.  Cost: O(n^3) time and O(n^2) memory
 * in the n players touched (at most ATTR_MARKOV_MAX_PLAYERS, which takes a few seconds).
 *
 * Library code: no printing, no exiting; functions return an
 * attr_markov_status and the index of an offending path. */
#ifndef TALLY_ATTRIBUTE_MARKOV_H
#define TALLY_ATTRIBUTE_MARKOV_H

#include <stddef.h>
#include <stdint.h>

#include "attribute_shapley.h" /* struct attr_path */

enum attr_markov_status {
	ATTR_MARKOV_OK = 0,
	ATTR_MARKOV_EPATH = -1,    /* a path with no touches; *bad = path */
	ATTR_MARKOV_EPLAYER = -2,  /* a touch >= the player count; *bad = path */
	ATTR_MARKOV_EVALUE = -3,   /* conversions, nulls or value negative, NaN or
				      infinite; *bad = path */
	ATTR_MARKOV_ENOCONV = -4,  /* no path converts: removal effects undefined */
	ATTR_MARKOV_ESINGULAR = -5, /* the system could not be solved (cannot happen
				      for path data; guards rounding) */
	ATTR_MARKOV_ENOMEM = -6,   /* out of memory */
	ATTR_MARKOV_ESIZE = -7,    /* more than ATTR_MARKOV_MAX_PLAYERS players touched
				      (the dense system would take too long); *bad untouched */
};

/* The most players the paths may touch: the system is dense, O(n^3). */
#define ATTR_MARKOV_MAX_PLAYERS 1000

/* What attr_markov computes beside the per-player arrays. */
struct attr_markov_result {
	double conversion_prob; /* P = x[start] */
	double conversions;     /* total conversions over all paths */
	double value;           /* total value over all paths */
};

/* Removal effects and shares of players 0..nplayers-1.
 *
 * removal[i] (may be NULL) gets RE_i in [0, 1], share[i] RE_i over the sum
 * (sum 1 up to rounding; a player no converting path touches gets exactly
 * 0); caller-owned arrays of nplayers.  *res (may be NULL) gets P and the
 * totals, so player i's attributed value is share[i] * res->value.
 *
 * Returns ATTR_MARKOV_OK, or EPATH / EPLAYER / EVALUE with *bad (may be
 * NULL) naming the first offending path, ENOCONV, ESINGULAR, ESIZE, ENOMEM; on
 * failure the outputs are undefined.  Only the players some path touches
 * enter the linear system. */
int attr_markov(const struct attr_path *paths, size_t npaths, size_t nplayers, double *removal, double *share,
		struct attr_markov_result *res, size_t *bad);

/* A short English description of an attr_markov_status; a static string. */
const char *attr_markov_strerror(int status);

#endif
