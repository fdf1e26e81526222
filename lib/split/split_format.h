/* split_format.h - the text tally-split writes beside the money: the
 * share column, percentages, the --waterfall columns, the default payee's
 * columns, and the note about weights that look like fractions.  Pure:
 * every function writes into the caller's buffer. */
#ifndef TALLY_SPLIT_FORMAT_H
#define TALLY_SPLIT_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "money.h"
#include "split_rules.h"

/* Write |amount| / |basis| into buf (room for 28 bytes), rounded half to
 * even to at most 6 decimals, trailing zeros dropped ("0.15", "1",
 * "0.333333"); returns its length.  basis must not be 0. */
size_t split_format_share(char *buf, int64_t amount, int64_t basis);

/* r as a percentage into buf (cap >= 2): "15%", "33.333333%"; a ratio
 * whose numerator times 100 overflows is written as the ratio itself,
 * without "%".  Returns buf. */
const char *split_percent(char *buf, size_t cap, struct ratio r);

/* The name of what a match looks at, for messages: "everything",
 * "kind", "source", "product" or "sku". */
const char *split_on_name(enum split_on on);

/* How one part of a row was reached (--waterfall): what reached its
 * tier, what the uncapped tiers before took (commission) and the capped
 * ones (recouped), and the agreement's caps after the row. */
struct split_waterfall {
	int64_t reached, commission, recouped;
	char recoupment[SPLIT_MAX_TIERS * (2 * MONEY_BUF + 32)]; /* "LINE:CAP:CUR:RECOUPED" per capped
								  * tier (LINE its first line), joined by ',' */
};

/* Set wf->recoupment from the caps of agreement a after the row that
 * split_apply just ran (steps: its steps); "" when no tier is capped. */
void split_waterfall_caps(const struct split_agreement *a, const struct split_step *steps,
			  struct split_waterfall *wf);

/* Set wf's amounts for part (of the row a split with steps). */
void split_waterfall_of(const struct split_agreement *a, const struct split_step *steps,
			const struct split_part *part, struct split_waterfall *wf);

/* The columns after the input's a default payee's part starts with:
 * "\tPAYEE\t1\tdefault\t", the name escaped as tsv.h does; its length in
 * *len.  Returns a malloc'd string (the caller frees it), or NULL when
 * out of memory. */
char *split_default_prefix(const char *payee, size_t *len);

/* The note for a weighted tier whose weights all lie below 1 but do not
 * sum to 1 (tier->weights_below_one): they are divided in proportion, so
 * say each payee's percentage and what to write instead.  Into buf (cut
 * to fit cap); returns buf. */
const char *split_fraction_note(const struct split_tier *tier, char *buf, size_t cap);

#endif
