/* report_costs.h - the business's costs as data (tally-report --costs):
 * a table of `item from to amount currency per`, and the exact part of
 * each cost that falls on a span of days.
 *
 *     item       from        to          amount  currency  per
 *     hosting    2026-01     2026-12     12.00   USD       month
 *     software   2026-01-01              240.00  USD       year
 *     mastering  2026-03-05  2026-03-05  500.00  USD       month
 *     shipping   2026-01-01              4.50    USD       unit
 *
 * `from` and `to` are days (2026-03-05), months (2026-03: its first or
 * last day) or years; an empty `to` runs on.  `per` is month, year, sale
 * or unit.  Month and year costs are fixed, sale and unit costs variable
 * (amount x the sales, or x their quantity, dated from..to).  A cost whose
 * from and to are one day is one-off: its whole amount falls on that day.
 * Two optional columns narrow a sale or unit cost to some rows: `match`,
 * a glob on the product, and `source`, a glob on the source (fnmatch(3),
 * as agreements' match; empty or absent: every row).  A month or year
 * cost falls whatever is sold, so a match on it other than `*` is an
 * error.
 *
 * Rounding, so that nothing is lost or invented: a year cost gives month m
 * (1..12) of each calendar year floor(A*m/12) - floor(A*(m-1)/12), so the
 * twelve sum to A; a month's amount M gives day d of its n days
 * floor(M*d/n) - floor(M*(d-1)/n), so a part month gets only its days
 * and the days of a month sum to M.  Amounts are never negative. */
#ifndef TALLY_REPORT_COSTS_H
#define TALLY_REPORT_COSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum report_cost_per { REPORT_PER_MONTH, REPORT_PER_YEAR, REPORT_PER_SALE, REPORT_PER_UNIT };

struct report_cost {
	char *item;               /* the item's name (owned) */
	int64_t from, to;         /* first and last day, days since 1970-01-01, inclusive */
	int64_t amount;           /* micro-units of currency, >= 0 */
	char currency[4];         /* ISO 4217 */
	enum report_cost_per per; /* how the amount recurs */
	long line;                /* the row's line in the file */
	char *match;              /* product glob (owned; NULL: every product) */
	char *source;             /* source glob (owned; NULL: every source) */
};

struct report_costs {
	struct report_cost *c; /* in file order (owned) */
	size_t n;
	char file[256]; /* display name of the file */
};

/* Where loading a table (costs or fee schedules) failed. */
struct report_load_error {
	char file[256]; /* display name of the file */
	long line;      /* the bad row (1: the header) */
	char msg[640];  /* what is wrong, without "prog: FILE:LINE: " */
};

enum report_load_status {
	REPORT_LOAD_OK = 0,
	REPORT_LOAD_EOPEN = -1, /* the file cannot be opened or read (errno set) */
	REPORT_LOAD_EDATA = -2, /* a bad row: e->line and e->msg */
	REPORT_LOAD_ENOMEM = -3,
	REPORT_LOAD_ECOLUMN = -4, /* a required column is missing: e->line 1, e->msg (usage) */
};

/* Read the costs table at path ("-" is stdin).  Every row needs an item,
 * a from, an amount (money_parse, not negative), a currency and a per; a
 * bad value is told as `column "per": "weekly" is not month, year, sale or
 * unit`; a match or source other than empty or `*` on a month or year
 * cost is bad too.  Returns a report_load_status; on failure *t is left empty. */
int report_costs_load(struct report_costs *t, const char *path, struct report_load_error *e);

/* Parse a day, month or year as a span of days [*first, *last].  Returns
 * 0 or -1. */
int report_day_span(const char *s, size_t len, int64_t *first, int64_t *last);

/* The part of a recurring amount falling on days [a, b] (inclusive): a
 * month amount `monthly` (per_year false) or a year amount (per_year
 * true) running over days [from, to], spread by the rules above.  Exact,
 * never more than the whole. */
int64_t report_spread(int64_t amount, bool per_year, int64_t from, int64_t to, int64_t a,
		      int64_t b);

/* The fixed cost (month, year or one-off) of c falling on days [a, b];
 * 0 for a sale or unit cost. */
int64_t report_cost_fixed(const struct report_cost *c, int64_t a, int64_t b);

/* Whether c is a variable cost in effect on day for a row of product and
 * source (NUL-terminated): its dates, match and source globs. */
bool report_cost_applies(const struct report_cost *c, int64_t day, const char *product,
			 const char *source);

/* Read the TSV table at path row by row for report_costs_load and the
 * fee schedules: each row goes to row(ctx, reader, e), which returns
 * REPORT_LOAD_OK or fills e (line set here) and returns an error.  A
 * missing required column (NULL-terminated list `need`) is
 * REPORT_LOAD_ECOLUMN, on line 1.  Returns a report_load_status. */
struct tsv_reader;
int report_load_rows(const char *path, const char *const *need, struct report_load_error *e,
		     int (*row)(void *ctx, const struct tsv_reader *r, struct report_load_error *e),
		     void *ctx);

/* Fill e->msg with `column "COL": "VALUE" WHAT` and return
 * REPORT_LOAD_EDATA. */
int report_load_bad(struct report_load_error *e, const char *col, const char *value, size_t len,
		    const char *what);

/* Free what t owns and zero it. */
void report_costs_free(struct report_costs *t);

#endif
