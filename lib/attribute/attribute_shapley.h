/* attribute_shapley.h - touch paths, and the exact Shapley value of the
 * game they define (tally-attribute --method shapley).
 *
 * A touch path is the sequence of players (referrers, channels, community
 * posts) that led to some conversions worth some value.  The game: the
 * worth v(S) of a coalition S is the total value of the paths whose set of
 * distinct touches lies inside S.  That game is a sum of unanimity games
 * (one per path, on its touch set T, scaled by its value), so its Shapley
 * value is, exactly and for any number of players:
 *
 *     phi_i = sum over paths p with i in T_p of value_p / |T_p|
 *
 * — each path's value shared equally among its distinct touches.  Values
 * are doubles (estimates); the sum for each player runs over its terms in
 * sorted order, so the result does not depend on the order of the paths.
 *
 * Library code: no printing, no exiting; functions return an
 * attr_shapley_status and the index of an offending path. */
#ifndef TALLY_ATTRIBUTE_SHAPLEY_H
#define TALLY_ATTRIBUTE_SHAPLEY_H

#include <stddef.h>
#include <stdint.h>

enum attr_shapley_status {
	ATTR_SHAPLEY_OK = 0,
	ATTR_SHAPLEY_EPATH = -1,   /* a path with no touches; *bad = path */
	ATTR_SHAPLEY_EPLAYER = -2, /* a touch >= the player count; *bad = path */
	ATTR_SHAPLEY_EVALUE = -3,  /* conversions, nulls or value negative, NaN or
				      infinite; *bad = path */
	ATTR_SHAPLEY_ENOMEM = -4,  /* out of memory */
};

/* One row of touch-path input (`path conversions [null] value`). */
struct attr_path {
	const uint32_t *touch; /* player ids in touch order, repeats allowed (borrowed) */
	size_t ntouch;         /* >= 1 */
	double conversions;    /* conversions that followed this path, >= 0 */
	double nulls;          /* times it was followed without conversion, >= 0
				  (the Markov method's `null`; Shapley ignores it) */
	double value;          /* the conversions' total value, >= 0 */
};

/* The Shapley value of the path game over players 0..nplayers-1.
 *
 * phi_value[i] gets player i's share of the total value and, when
 * phi_conv is not NULL, phi_conv[i] its share of the conversions (the
 * same formula with conversions for value); both caller-owned arrays of
 * nplayers.  A player no path touches gets exactly 0.  Efficiency holds
 * up to rounding: sum(phi_value) equals the total value.
 *
 * Returns ATTR_SHAPLEY_OK, or EPATH / EPLAYER / EVALUE with *bad (may be
 * NULL) naming the first offending path, or ENOMEM; on failure the output
 * arrays are undefined.  Allocates O(total touches) scratch. */
int attr_shapley(const struct attr_path *paths, size_t npaths, size_t nplayers, double *phi_value,
		 double *phi_conv, size_t *bad);

/* Check paths[0..npaths) against players 0..nplayers-1 (attr_shapley and
 * attr_markov do this first).  Returns ATTR_SHAPLEY_OK with *total the
 * number of touches over all paths, or EPATH / EPLAYER / EVALUE with *bad
 * (may be NULL) the first offending path. */
int attr_paths_check(const struct attr_path *paths, size_t npaths, size_t nplayers, size_t *total, size_t *bad);

/* Split the next touch off a path text "a > b > c".
 *
 * *s .. end is the rest of the text.  Returns 1 with *tok, *toklen the
 * next touch (spaces and tabs around it trimmed) and *s past it and its
 * '>'; 0 when only blanks are left (so an empty or blank text gives 0 at
 * once: a path with no touches, which the caller refuses); -1 on an empty
 * touch ("> a", "a > > b", "a >"), with *s at where the empty touch
 * starts.  Touches are never empty and never contain '>'. */
int attr_path_next(const char **s, const char *end, const char **tok, size_t *toklen);

/* A short English description of an attr_shapley_status; a static string. */
const char *attr_shapley_strerror(int status);

#endif
