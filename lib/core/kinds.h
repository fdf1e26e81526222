/* kinds.h - the kinds of the sales stream (tally.7), and a tally of the
 * rows a command passes over by kind, for its closing note on stderr. */
#ifndef TALLY_KINDS_H
#define TALLY_KINDS_H

#include <stdbool.h>
#include <stddef.h>

/* The kinds split and forecast by default: revenue, its reversals and
 * standalone fees ("payout" rows are transfers, not income). */
#define KINDS_DEFAULT "sale,subscription,tip,adjustment,refund,chargeback,fee"

/* Whether kind is one of the sales stream's eight kinds. */
bool kinds_known(const char *kind);

#define KINDS_TALLIED 16 /* kinds counted one by one; the rest as "other" */

/* Rows passed over, per kind.  Zero it before use. */
struct kinds_tally {
	char *kind[KINDS_TALLIED]; /* owned */
	long count[KINDS_TALLIED];
	size_t n;
	long other;                /* rows of kinds past KINDS_TALLIED */
	long total;
};

/* Count one row of this kind.  Returns 0, or -1 (ENOMEM; the row is still
 * counted, as "other"). */
int kinds_tally_add(struct kinds_tally *t, const char *kind);

/* "payout 2, \"\" 1, other kinds 3" into buf (cut to fit cap). */
void kinds_tally_format(const struct kinds_tally *t, char *buf, size_t cap);

void kinds_tally_free(struct kinds_tally *t);

#endif
