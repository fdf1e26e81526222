/* report_outlook.h - a forecast of net received (tally-forecast's output)
 * read for --summary --forecast: the forecast and its 80% bounds added up
 * per period over every series, to project revenue, profit and runway
 * (report_business.h).
 *
 * Summing the bounds of several series (one per product, say) gives a
 * band at least as wide as the 80% interval of the total: a conservative
 * band, said so where it is shown. */
#ifndef TALLY_REPORT_OUTLOOK_H
#define TALLY_REPORT_OUTLOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "report_costs.h"

struct report_outlook_period {
	int64_t period;      /* period index */
	int64_t net, lo, hi; /* forecast and 80% bounds, micro-units, summed over series */
	bool bounds;         /* every series of the period has both bounds */
};

struct report_outlook {
	struct report_outlook_period *p; /* by period (owned) */
	size_t n;
	char currency[4];   /* of every row */
	long currency_line; /* the first row, for messages */
	char file[256];     /* display name of the file */
};

/* Read tally-forecast's output at path ("-" is stdin): columns currency,
 * period, forecast and (optional) lo80 and hi80; any key columns before
 * them are series, added up.  Periods must be of `kind`; one currency.
 * Returns a report_load_status (e as for report_costs_load); on failure
 * *o is left empty. */
int report_outlook_load(struct report_outlook *o, const char *path, enum period_kind kind,
			struct report_load_error *e);

/* Free what o owns and zero it. */
void report_outlook_free(struct report_outlook *o);

#endif
