/* split_state.h - what tally-split remembers between runs (--state FILE):
 * how much each capped tier has recouped, and which input rows it has
 * already split, so that feeding the same sales twice is refused.
 *
 * The file is text, one record a line, fields TAB-separated and escaped
 * as in a tally stream:
 *
 *     # tally-split state 1
 *     cap     MATCH  FROM  TO  TIER  CURRENCY  RECOUPED
 *     seen    HASH   DAY
 *
 * A `cap` record keys a capped tier by its agreement's match, from and to
 * (as written), the tier number and the cap currency, so that editing
 * other lines of the agreements file does not lose what was recouped;
 * records of tiers no longer in the file are kept as they are.  A `seen`
 * record is a 64-bit hash (16 hex digits) of the row's (source, order,
 * line, kind) and the day whose agreement applied to it (used to find the
 * agreement of a later refund of that order).  Records are written sorted,
 * so the file changes little from one month to the next. */
#ifndef TALLY_SPLIT_STATE_H
#define TALLY_SPLIT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "out.h"
#include "split_rules.h"

#define SPLIT_STATE_MAGIC "# tally-split state 1"

struct split_state_cap {
	char *key;        /* "MATCH\tFROM\tTO\tTIER\tCUR" (owned) */
	int64_t recouped; /* micro-units of CUR */
};

struct split_state_seen {
	uint64_t hash; /* 0 marks an empty slot */
	int64_t day;   /* time (date.h) of the day whose agreement applied */
};

struct split_state {
	struct split_state_cap *caps;   /* records read (owned) */
	size_t ncaps;
	struct split_state_seen *slots; /* open-addressing set of seen rows (owned) */
	size_t nslots;                  /* a power of two, or 0 */
	size_t nseen;                   /* occupied slots */
};

/* The hash identifying an input row across runs: of source, order, line
 * and kind (NUL-separated), never 0. */
uint64_t split_state_key(const char *source, const char *order, const char *line,
			 const char *kind);

/* Read the state file at path; a missing file is an empty state.
 * Returns 0; -1 with errno set when it cannot be read; -2 with *err_line
 * and err[] saying what is wrong with its content.  On failure *s is
 * empty. */
int split_state_read(struct split_state *s, const char *path, long *err_line, char *err,
		     size_t errcap);

/* Copy the recouped amounts of s into the matching counters of r (by key).
 * A counter beyond its cap (the cap was lowered) is an error: returns -1
 * with err[] naming it; else 0. */
int split_state_bind(const struct split_state *s, struct split_rules *r, char *err, size_t errcap);

/* Whether hash has been seen; sets *day (may be NULL) when it has. */
bool split_state_lookup(const struct split_state *s, uint64_t hash, int64_t *day);

/* Remember hash with its day (a hash already there keeps its first day).
 * Returns 0, or -1 when out of memory. */
int split_state_add(struct split_state *s, uint64_t hash, int64_t day);

/* Write the whole state to o: the counters of r, then the records of s
 * whose tiers r does not have, then every seen row.  Output errors are
 * left in o for its close. */
void split_state_write(const struct split_state *s, const struct split_rules *r, struct out *o);

void split_state_free(struct split_state *s);

#endif
