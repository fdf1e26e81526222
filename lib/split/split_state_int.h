/* split_state_int.h - what split_state.c (records, tables, text) shares
 * with split_state_run.c (the manifest, segments and a run's keys). */
#ifndef TALLY_SPLIT_STATE_INT_H
#define TALLY_SPLIT_STATE_INT_H

#include "split_state.h"

/* Writes lines, keeping the count and chained digest for the end record. */
struct writer {
	struct out *o;
	uint64_t chain;
	uint64_t records;
};

/* One line of the text (or manifest), counted and chained. */
void split_state_emit(struct writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The cap records: r's counters, then those of s that r does not have. */
void split_state_write_caps(struct writer *w, const struct split_state *s, const struct split_rules *r);

/* The class records, then the run records. */
void split_state_write_classes(struct writer *w, const struct split_state *s);

/* One seen line; *last_day and day[] cache the last day formatted. */
void split_state_write_seen_line(struct writer *w, const struct split_state_seen *e, int32_t *last_day,
				 char *day);

/* The record of hash in t, or NULL. */
struct split_state_seen *split_state_table_find(const struct split_state_table *t, uint64_t hash);

/* The slot of hash in t, added (cls GONE, day 0) when new; NULL when out
 * of memory. */
struct split_state_seen *split_state_table_insert(struct split_state_table *t, uint64_t hash);

/* Release what split_state_run.c holds (segments, sorts, the path). */
void split_state_free_run(struct split_state *s);

#endif
