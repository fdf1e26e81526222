/* report_whatif.h - published fee schedules (tally-report --whatif): what
 * a platform takes, as `platform percent fixed_per_sale monthly_fee
 * payout_fee currency from [to]`, and the schedule of a platform in
 * effect on a day.
 *
 *     platform  percent  fixed_per_sale  monthly_fee  payout_fee  currency  from
 *     gumroad   10       0.50            0            0           USD       2024-01-01
 *     shopify   2.9      0.30            39.00        0           USD       2024-01-01
 *
 * percent is a percentage of gross ("10", "2.9" or "2.9%"); the money
 * columns are in the schedule's currency (empty is 0).  A schedule runs
 * from `from` to its `to` or, without one, to the day before the same
 * platform's next schedule.  Two schedules of one platform in effect on
 * one day are an error naming both lines.  Any other column (a source
 * address, the date it was read) is ignored. */
#ifndef TALLY_REPORT_WHATIF_H
#define TALLY_REPORT_WHATIF_H

#include <stddef.h>
#include <stdint.h>

#include "money.h"
#include "report_costs.h"

struct report_fee_schedule {
	size_t platform;        /* index into report_fees.platforms */
	struct ratio percent;   /* of gross, as a fraction: 2.9% is 29/1000 */
	int64_t fixed_per_sale; /* micro-units of currency, each sale */
	int64_t monthly_fee;    /* ... each month in effect, spread by day (report_costs.h) */
	int64_t payout_fee;     /* ... each payout */
	char currency[4];       /* of the three amounts */
	int64_t from, to;       /* days in effect, inclusive (days since 1970-01-01) */
	long line;              /* the row's line */
};

struct report_fees {
	struct report_fee_schedule *s; /* by platform, then from (owned) */
	size_t n;
	char **platforms; /* names in order of first appearance (owned) */
	size_t nplatforms;
	char file[256]; /* display name of the file */
};

/* Read the fee schedules at path ("-" is stdin).  A bad value is told as
 * `column "percent": "ten" is not a percentage`; overlapping schedules of
 * one platform on the later line, column "from".  Returns a
 * report_load_status; on failure *f is left empty. */
int report_fees_load(struct report_fees *f, const char *path, struct report_load_error *e);

/* The schedule of platform k in effect on day, or NULL. */
const struct report_fee_schedule *report_fees_find(const struct report_fees *f, size_t k,
						   int64_t day);

/* The percentage fee of one sale of `gross` under s: gross x percent,
 * rounded half to even to the micro-unit.  False on overflow. */
bool report_fee_percent(const struct report_fee_schedule *s, int64_t gross, int64_t *fee);

/* Free what f owns and zero it. */
void report_fees_free(struct report_fees *f);

#endif
