/* report_partial.h - tally-report's mergeable partial sums: one process
 * per partition of the allocations writes what its book added up
 * (--partial), and one process adds the partials into a book again
 * (--merge) and settles it, as if it had read every row itself.
 *
 * A partial is a TSV stream with the header of REPORT_PARTIAL_HEADER and
 * one row per record:
 *   option  NAME VALUE      how the rows were read: kind, period, opening,
 *                           to (the merge must read them the same way)
 *   count   NAME VALUE      rows, differing (sales whose allocations do
 *                           not sum to their net), check (1: the check
 *                           records are there), currency (one row each, in
 *                           the order first seen)
 *   left    NAME VALUE      rows left out after --period / before
 *                           --opening (NAME after or before), or kept
 *                           though before --period (early: a merge with a
 *                           ledger posts them late, one without leaves them
 *                           out), with the first one's file and line in
 *                           source and amount
 *   sum     period currency payee source product amount
 *                           what one payee earned in a period from one
 *                           (source, product), exact micro-units
 *   check   period currency amount net
 *                           --check's conservation counters: allocated
 *                           and net sales of the period and currency
 * Sums are additive, so the partition can be any that keeps each sale's
 * rows together (tally.7, PARTITIONED RUNS).  Amounts are integers of
 * micro-units, so nothing is rounded on the way.  Library code: no
 * printing, no exits. */
#ifndef TALLY_REPORT_PARTIAL_H
#define TALLY_REPORT_PARTIAL_H

#include <stdbool.h>
#include <stdint.h>

#include "out.h"
#include "report_statements.h"
#include "tsv.h"

#define REPORT_PARTIAL_HEADER "record\tname\tvalue\tperiod\tcurrency\tpayee\tsource\tproduct\tamount\tnet"
#define REPORT_PARTIAL_CURRENCIES 8 /* currencies remembered for messages */

/* Rows a run left out: how many, and where the first one was. */
struct report_partial_left {
	long count;
	char file[512];
	long line;
};

/* How a partial's rows were read, and its counters. */
struct report_partial_meta {
	enum period_kind kind;        /* periods rows are grouped by */
	bool have_period;             /* --period */
	int64_t period;               /* ... its index */
	bool have_opening;            /* --opening */
	int64_t opening;              /* ... its index */
	char to[4];                   /* --to, "" when amounts are in their own currencies */
	bool check;                   /* writing: check records are there (--partial --check) */
	bool no_check;                /* reading: a partial had none */
	long rows;                    /* allocation rows added up */
	long differing;               /* sales whose allocations do not sum to their net */
	struct report_partial_left after, before; /* rows left out */
	struct report_partial_left early; /* rows before --period, kept */
	bool drop_before;             /* reading: leave out sums before drop_period */
	int64_t drop_period;
	char currencies[REPORT_PARTIAL_CURRENCIES][4]; /* first currencies seen */
	int ncurrencies;
	unsigned options;             /* the option rows read so far (bits) */
};

/* Write book's sums and check totals with meta to o as a partial.
 * Write errors are left in o (out.h).  Returns REPORT_OK. */
int report_partial_write(struct out *o, const struct report_book *b, const struct report_partial_meta *m);

/* Returns 0 when r's header is REPORT_PARTIAL_HEADER, else -1 (r is not
 * a partial, or one of another version). */
int report_partial_check_header(const struct tsv_reader *r);

/* Add one row of a partial (its fields f) to book b and meta m,
 * which start zeroed (b->kind set) and gather every partial in turn.
 * Options must agree with those already read: a row that differs, or that
 * is malformed, returns -1 with a message in err (the column and value).
 * Returns a report_status otherwise (REPORT_ENOMEM, REPORT_EOVERFLOW). */
int report_partial_add(struct report_book *b, struct report_partial_meta *m, const struct tsv_field *f, char *err,
		       size_t errcap);

#endif
