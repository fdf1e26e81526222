/* report_summary.h - the business at a glance: a sales stream added up
 * per period and currency into revenue, refunds, fees, net and customers
 * (distinct, new, returning), and per revenue stream, product, channel
 * and country, with shares, take rates, refund rate and growth worked out
 * as exact percentages.
 *
 * Memory grows with periods x (streams + products + channels + countries),
 * never with rows or customers: customers are counted exactly by a sort
 * of (customer, period) rows in bounded memory (extsort.h) when the
 * summary is finished. */
#ifndef TALLY_REPORT_SUMMARY_H
#define TALLY_REPORT_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "extsort.h"
#include "escape.h"
#include "keyindex.h"
#include "report_statements.h"
#include "report_table.h"

enum report_section { REPORT_SEC_STREAM, REPORT_SEC_PRODUCT, REPORT_SEC_CHANNEL, REPORT_SEC_COUNTRY };

struct report_summary_period {   /* one period and currency */
	int64_t period;
	char currency[4];
	int digits;
	int64_t revenue, refunds, fees, net; /* micro-units; refunds positive */
	long customers, new_customers;       /* distinct; new: first seen in this period */
	long unknown_customers;              /* revenue rows without a customer id */
	int64_t top_gross;                   /* bought by its REPORT_SUMMARY_TOP largest customers */
};

#define REPORT_SUMMARY_TOP 10 /* the few customers whose share of revenue is shown */

struct report_summary_item {     /* one stream, product, channel or country in a period */
	uint32_t period;             /* report_summary_period id */
	enum report_section section;
	uint32_t name;               /* name id */
	int64_t gross, fee, net;
	long customers;              /* countries only: distinct customers */
	long unnamed;                /* countries only: sales with no buyer id (streams, ...) */
	bool has_fee;                /* a row of it carried a fee (channels: else "not in export") */
};

/* One row of a sales stream, its amounts already in the reporting
 * currency.  Text fields are (pointer, length), NUL-terminated, and
 * borrowed. */
struct report_sale {
	int64_t period;              /* period index */
	const char *currency;        /* 3 letters */
	const char *kind, *product, *source, *country, *customer;
	size_t kind_len, product_len, source_len, country_len, customer_len;
	int64_t gross, fee, net;
};

/* Zero it, then set kind. */
struct report_summary {
	enum period_kind kind;
	struct names names;                 /* kinds, products, sources, countries, customers */
	struct report_summary_period *periods;     /* by id */
	size_t nperiods, capperiods;
	struct keymap period_ix;            /* (period, currency) -> id */
	struct report_summary_item *items;
	size_t nitems, capitems;
	struct keymap item_ix;              /* (period id, section, name) -> item */
	/* customers: one row (customer, period id, country item, gross) per
	 * sale, sorted by the customer's hash at the end (private) */
	struct extsort customers;
	bool customers_open;
	size_t sort_budget;                        /* bytes for that sort (0: EXTSORT_BUDGET_DEFAULT) */
	const char *tmpdir;                        /* where it spills (NULL: /tmp) */
	int temp_errno;                            /* after REPORT_ETEMP: why the sort failed */
	uint32_t *order;                           /* after finishing: period ids by period, currency */
	uint32_t *item_order;                      /* item ids grouped by period id, each group sorted */
	uint32_t *item_start;                      /* group of period id p: item_order[item_start[p] ..
						      item_start[p + 1]) */
	bool shown_only;                           /* render only shown_period (earlier rows are
						      history: new customers, growth) */
	int64_t shown_period;
	/* more tables after each period's own (the business model,
	 * report_business.h), or NULL: fills at most REPORT_SUMMARY_EXTRA
	 * tables of period id p with their TSV section names, returns how
	 * many */
	int (*extra)(const void *ctx, const struct report_summary *s, uint32_t p, enum report_format format,
		     struct report_table *t, const char **sections);
	const void *extra_ctx;
	/* HTML after the summary's charts (the business model's), or NULL:
	 * returns REPORT_OK or REPORT_ENOMEM */
	int (*extra_html)(const void *ctx, const struct report_summary *s, struct out *o);
};

#define REPORT_SUMMARY_EXTRA 8

/* Add one row.  A "payout" row is a transfer, not business: skip it
 * before calling.  Refunds and chargebacks count in refunds (their gross
 * negated), fees and net; a platform's "fee" row in its channel's fee and
 * net and the period's; sales, subscriptions and tips in revenue and in
 * their stream, product, channel and country; other kinds (adjustments)
 * in fees and net only.  Returns REPORT_OK, REPORT_ENOMEM or
 * REPORT_EOVERFLOW. */
int report_summary_add(struct report_summary *s, const struct report_sale *row);

/* Make sure there is a period `period` in `currency` (3 letters), with
 * nothing in it when it has no rows.  Returns REPORT_OK or
 * REPORT_ENOMEM. */
int report_summary_touch(struct report_summary *s, int64_t period, const char *currency);

/* After the last row: count customers (distinct, new, by country, the
 * largest ones' gross), order the periods and sort each period's items by
 * section, gross (largest first) and name.  Returns REPORT_OK,
 * REPORT_ENOMEM, REPORT_EOVERFLOW (a customer's purchases in a period)
 * or REPORT_ETEMP (the customers' sort failed: errno in temp_errno). */
int report_summary_finish(struct report_summary *s);

/* part / whole as a percentage with one decimal, rounded half to even,
 * in buf (at least 32 bytes): "12.5%"; "" when whole is 0 or the ratio
 * overflows.  Returns buf. */
const char *report_percent(char *buf, int64_t part, int64_t whole);

#define REPORT_SUMMARY_TABLES 5
#define REPORT_TOP_PRODUCTS 5

/* The figures of period id `p` (after report_summary_finish) as five
 * tables, initialised here: t[0] the overview (revenue, refunds,
 * refund_rate, fees, net, customers, new and returning, growth over the
 * period just before in the same currency: "n/a" for people, "" in TSV
 * when there is none), t[1] revenue streams, t[2] the top
 * REPORT_TOP_PRODUCTS products, t[3] channels with their take rate (fee /
 * gross), t[4] customers by country.  Free each with report_table_free;
 * check report_table_failed. */
void report_summary_tables(const struct report_summary *s, uint32_t p, enum report_format format,
			   struct report_table t[REPORT_SUMMARY_TABLES]);

/* Free everything s owns and zero it. */
void report_summary_free(struct report_summary *s);

#endif
