/* report_business.h - the business model at a glance (tally-report
 * --business, --costs, --whatif): what the business costs to run against
 * what it earns, what other platforms would have taken from the same
 * sales, and how much it depends on one platform, one product and a few
 * customers.
 *
 * Fed the same rows as report_summary.h (and the payout rows it skips),
 * in one currency: the sales' own, or --to's with costs and fees in other
 * currencies converted by the --fx table on the day they fall.  Its
 * tables are rendered after each period's summary (report_summary's
 * `extra`; the top customers' share is the summary's own, from its
 * visits).  Memory grows with periods x (costs + platforms + channels),
 * never with rows. */
#ifndef TALLY_REPORT_BUSINESS_H
#define TALLY_REPORT_BUSINESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "fx.h"
#include "report_costs.h"
#include "keyindex.h"
#include "report_outlook.h"
#include "report_summary.h"
#include "report_whatif.h"

enum report_business_status {
	REPORT_BUSINESS_OK = 0,
	REPORT_BUSINESS_ENOMEM = -1,
	REPORT_BUSINESS_EOVERFLOW = -2,   /* a sum overflows */
	REPORT_BUSINESS_ECURRENCIES = -3, /* sales in two currencies: fail.currency and the first */
	REPORT_BUSINESS_ECURRENCY = -4, /* a cost or fee in another currency and no --fx: fail.* */
	REPORT_BUSINESS_ENORATE = -5,   /* no rate to convert a cost or fee: fail.* */
};

/* What failed, for the message. */
struct report_business_fail {
	const char *file; /* the costs or fees file, or NULL (sales) */
	long line;        /* its line */
	char currency[4]; /* the currency that could not be used */
	int64_t day;      /* ENORATE: the day of the conversion */
};

struct report_whatif_acc {       /* one platform's schedules over one period's sales */
	int64_t sales, unpriced; /* sales priced, and sales on days without a schedule */
	int64_t fees; /* percent + fixed per sale + payout fees (monthly added when shown) */
};

struct report_business_period {
	int64_t period;       /* period index */
	int64_t sales, units; /* revenue rows, and their quantity (1 when absent) */
	int64_t *variable;    /* by cost: its sale and unit costs (owned) */
	int64_t *fixed;       /* by cost: its month, year and one-off part (after finish; owned) */
	struct report_whatif_acc *whatif; /* by platform (owned) */
	int64_t *monthly;                 /* by platform: monthly fees (after finish; owned) */
};

struct report_business_cell {                /* a channel's figures in a period */
	uint32_t slot, name;                 /* period slot, name id */
	int64_t gross, refunds, chargebacks; /* refunds and chargebacks positive */
};

/* Zero it, then set kind, and costs, fees, outlook, balance and fx as given. */
struct report_business {
	enum period_kind kind;
	const struct report_costs *costs;     /* NULL: none */
	const struct report_fees *fees;       /* NULL: none */
	const struct report_outlook *outlook; /* --forecast, NULL: none */
	int64_t balance;                      /* --balance: cash at the end of the last period */
	const struct fx_table *fx; /* --fx with --to: converts costs and fees into the sales' currency */
	char currency[4];                 /* the sales' currency ("" before the first row) */
	struct report_business_fail fail; /* after an error */
	struct report_business_period *periods;
	size_t nperiods, capperiods;
	struct keymap period_ix; /* period index -> slot */
	struct names names;      /* sources */
	struct report_business_cell *channels;
	size_t nchannels, capchannels;
	struct keymap channel_ix; /* (slot, name) -> cell */
	int64_t *payouts;                /* (period, day) of each payout row (owned) */
	size_t npayouts;
	int64_t last_period;    /* after finish: the last period with sales */
	int64_t *outlook_fixed; /* after finish: fixed costs of each outlook period (owned) */
};

/* Add one row of the sales stream (not a payout) dated `day` (days since
 * 1970), with its quantity (1 when the stream has none).  Revenue rows
 * (sale, subscription, tip) count as sales and bear the sale and unit
 * costs and each platform's fees; refunds and chargebacks count against
 * their channel.  Returns a report_business_status (fail set). */
int report_business_add(struct report_business *b, const struct report_sale *row, int64_t day,
			int64_t quantity);

/* A payout row in `period`, dated day: each platform's payout fee, as
 * many payouts as the stream shows.  Returns a report_business_status. */
int report_business_payout(struct report_business *b, int64_t period, int64_t day);

/* After the last row: give the summary an (empty) period for every
 * period between its first and last without sales (costs still fall on
 * them), then work out each period's fixed costs and monthly fees,
 * converted on the last day of the period (or of the cost, or on a one-off
 * cost's day).  Call before report_summary_finish.  Returns a
 * report_business_status (fail set). */
int report_business_finish(struct report_business *b, struct report_summary *s);

#define REPORT_BUSINESS_TABLES 8
#define REPORT_TOP_CUSTOMERS   REPORT_SUMMARY_TOP /* the dependence on a few customers: the largest this many */

/* The business tables of summary period id p, initialised here, with
 * their TSV section names: costs by item, profit and margins, cost per
 * customer as customers grow, what each platform would have taken,
 * dependence, refunds and chargebacks per channel, and after the last
 * period the outlook of the forecast (revenue, costs and profit per
 * forecast period: net x revenue / net, variable costs x net / net, both
 * of the last period, half to even; the fixed costs of the costs table)
 * and the runway (forecast periods before balance + profit so far goes
 * below zero, "N+" when it never does).  Returns
 * REPORT_BUSINESS_TABLES (check report_table_failed).  Free each with
 * report_table_free.  Its signature is report_summary's `extra`: ctx is
 * the report_business. */
int report_business_tables(const void *ctx, const struct report_summary *s, uint32_t p,
			   enum report_format format, struct report_table *t,
			   const char **sections);

/* The fixed and variable costs of `period` (after finish; 0 without
 * costs).  Returns REPORT_BUSINESS_OK or REPORT_BUSINESS_EOVERFLOW. */
int report_business_costs(const struct report_business *b, int64_t period, int64_t *fixed, int64_t *variable);

/* With costs: an SVG chart of revenue and costs per period (the last 24
 * up to the shown one) with each period's break-even revenue, for the
 * HTML summary.  Its signature is report_summary's `extra_html`: ctx is
 * the report_business.  Returns REPORT_OK. */
int report_business_chart(const void *ctx, const struct report_summary *s, struct out *o);

/* Free everything b owns (not costs, fees, fx) and zero it. */
void report_business_free(struct report_business *b);

#endif
