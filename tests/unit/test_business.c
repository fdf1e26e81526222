/* test_business.c - unit tests of the business model's library parts:
 * lib/report/report_costs.c (spreading month and year amounts over days, costs
 * tables), lib/report/report_whatif.c (fee schedules, overlaps, the percent fee)
 * and lib/report/report_business.c (one period's figures from rows).
 *
 * Plan: a year's twelve months and a month's days sum exactly to the
 * amount over random amounts (nothing lost or invented), a part month
 * gets only its days, a one-off falls on its day; a costs table that
 * loads and each bad row refused with its line and column; schedules
 * found on the right day around a mid-month change, an overlap refused,
 * a percentage fee rounded half to even; a sale, a unit cost and a
 * schedule's fees added up by report_business_add; a forecast added up
 * per period, one without bounds, two currencies and a wrong kind of
 * period refused (lib/report/report_outlook.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "report_business.h"
#include "report_costs.h"
#include "report_outlook.h"
#include "report_whatif.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_business.XXXXXX";

static int64_t day(int y, unsigned m, unsigned d)
{
	return date_days_from_civil(y, m, d);
}

/* Write text to tmpdir/name and return the path (static buffer). */
static const char *file_with(const char *name, const char *text)
{
	static char path[300];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

static void test_spread(void)
{
	int64_t from = day(2026, 1, 1), to = day(2026, 12, 31);
	bool exact = true;
	for (int i = 0; i < 500; i++) {
		int64_t a = (int64_t)(tap_rand() % 1000000000000ULL), sum = 0, days = 0;
		for (unsigned m = 1; m <= 12; m++) {
			int64_t first = day(2026, m, 1),
				last = m == 12 ? to : day(2026, m + 1, 1) - 1;
			sum += report_spread(a, true, from, to, first, last);
		}
		for (int64_t d = day(2026, 2, 1); d <= day(2026, 2, 28); d++)
			days += report_spread(a, false, from, to, d, d);
		exact &= sum == a && days == a;
	}
	tap_ok(
	    exact,
	    "twelve months sum to the year, the days of a month to the month (500 random amounts)");
	tap_is_int(report_spread(100000000, true, from, to, day(2026, 9, 1), day(2026, 9, 30)),
		   8333334, "100.00 a year: September floor(75e6) - floor(66666666.7)");
	tap_is_int(report_spread(31000000, false, day(2026, 9, 16), INT64_MAX / 86400,
				 day(2026, 9, 1), day(2026, 9, 30)),
		   15500000, "31.00 a month from the 16th of 30 days: 15.50");
	tap_is_int(report_spread(31000000, false, day(2026, 9, 16), day(2026, 9, 20),
				 day(2026, 8, 1), day(2026, 8, 31)),
		   0, "nothing outside its days");
	struct report_cost once = {
	    NULL, day(2026, 3, 5), day(2026, 3, 5), 500000000, "USD", REPORT_PER_MONTH, 2, NULL,
	    NULL};
	tap_is_int(report_cost_fixed(&once, day(2026, 3, 1), day(2026, 3, 31)), 500000000,
		   "a one-off falls whole on its day");
	tap_is_int(report_cost_fixed(&once, day(2026, 4, 1), day(2026, 4, 30)), 0,
		   "... and on no other");
	struct report_cost unit = {
	    NULL, day(2026, 1, 1), day(2026, 1, 31), 2500000, "USD", REPORT_PER_UNIT, 2, NULL,
	    NULL};
	tap_is_int(report_cost_fixed(&unit, day(2026, 1, 1), day(2026, 1, 31)), 0,
		   "a unit cost is not fixed");
	tap_ok(report_cost_applies(&unit, day(2026, 1, 31), "LP", "etsy") &&
		   !report_cost_applies(&unit, day(2026, 2, 1), "LP", "etsy"),
	       "a unit cost applies from..to");
	unit.match = "*(vinyl LP)";
	unit.source = "etsy";
	tap_ok(report_cost_applies(&unit, day(2026, 1, 9), "Lanterns (vinyl LP)", "etsy") &&
		   !report_cost_applies(&unit, day(2026, 1, 9), "Lanterns", "etsy") &&
		   !report_cost_applies(&unit, day(2026, 1, 9), "Lanterns (vinyl LP)", "bandcamp"),
	       "a unit cost with match and source applies only to rows of both");
	unit.match = "Tour poster";
	unit.source = NULL;
	tap_ok(report_cost_applies(&unit, day(2026, 1, 9), "Tour poster", "etsy") &&
		   !report_cost_applies(&unit, day(2026, 1, 9), "Tour posters", "etsy"),
	       "a match without wildcards is the exact product");
}

/* The optional match and source columns: kept on sale and unit costs,
 * `*` and empty meaning every row, refused on a month or year cost. */
static void test_costs_load_globs(void)
{
	struct report_costs c;
	struct report_load_error e;
	const char *ok = file_with("g.tsv", "item\tfrom\tto\tamount\tcurrency\tper\tmatch\tsource\n"
					    "ship\t2026\t\t3.50\tUSD\tunit\t*(vinyl LP)\t\n"
					    "fee\t2026\t\t0.30\tUSD\tsale\t*\tetsy\n"
					    "host\t2026\t\t12\tUSD\tmonth\t*\t\n");
	tap_is_int(report_costs_load(&c, ok, &e), REPORT_LOAD_OK,
		   "costs with match and source load");
	if (c.n == 3) {
		tap_is_str(c.c[0].match, "*(vinyl LP)", "a product glob is kept");
		tap_ok(!c.c[0].source && !c.c[1].match && !c.c[2].match,
		       "empty and * match every row");
		tap_is_str(c.c[1].source, "etsy", "a source is kept");
	} else
		tap_ok(0, "three costs");
	report_costs_free(&c);
	const char *bad = file_with("gb.tsv", "item\tfrom\tto\tamount\tcurrency\tper\tmatch\n"
					      "host\t2026\t\t12\tUSD\tmonth\tposter\n");
	tap_is_int(report_costs_load(&c, bad, &e), REPORT_LOAD_EDATA,
		   "a match on a month cost is refused");
	tap_is_int(e.line, 2, "... on its line");
	tap_is_str(e.msg,
		   "column \"match\": \"poster\" is on a month or year cost: only sale and unit "
		   "costs fall per row (leave it empty or *)",
		   "... naming column and value");
	bad = file_with("gs.tsv", "item\tfrom\tto\tamount\tcurrency\tper\tsource\n"
				  "sw\t2026\t\t240\tUSD\tyear\tetsy\n");
	tap_is_int(report_costs_load(&c, bad, &e), REPORT_LOAD_EDATA,
		   "a source on a year cost is refused");
}

static void test_costs_load(void)
{
	struct report_costs c;
	struct report_load_error e;
	const char *ok = file_with("c.tsv", "item\tfrom\tto\tamount\tcurrency\tper\tnote\n"
					    "hosting\t2026-01\t2026-12\t12.00\tUSD\tmonth\tany\n"
					    "software\t2026\t\t240\tUSD\tyear\t\n");
	tap_is_int(report_costs_load(&c, ok, &e), REPORT_LOAD_OK,
		   "a costs table loads (an extra column ignored)");
	tap_is_int(c.n, 2, "two costs");
	if (c.n == 2) {
		tap_is_int(c.c[0].to, day(2026, 12, 31), "to 2026-12 is its last day");
		tap_is_int(c.c[1].from, day(2026, 1, 1), "from 2026 is its first day");
		tap_is_int(c.c[1].per, REPORT_PER_YEAR, "per year");
		tap_is_int(c.c[1].line, 3, "its line");
	}
	report_costs_free(&c);
	const char *bad = file_with("b.tsv", "item\tfrom\tto\tamount\tcurrency\tper\n"
					     "hosting\t2026-01\t\t12.00\tUSD\tmonth\n"
					     "x\t2026-01\t\t1\tUSD\tweekly\n");
	tap_is_int(report_costs_load(&c, bad, &e), REPORT_LOAD_EDATA, "an unknown per is refused");
	tap_is_int(e.line, 3, "... on its line");
	tap_is_str(e.msg, "column \"per\": \"weekly\" is not month, year, sale or unit",
		   "... naming column and value");
	tap_is_int(c.n, 0, "... leaving the table empty");
	const char *nocol =
	    file_with("n.tsv", "item\tfrom\tamount\tcurrency\tper\nx\t2026\t1\tUSD\tyear\n");
	tap_is_int(report_costs_load(&c, nocol, &e), REPORT_LOAD_ECOLUMN,
		   "a missing column is refused (a usage error)");
	tap_is_str(e.msg, "missing column \"to\"", "... by name");
	tap_is_int(e.line, 1, "... on line 1");
	test_costs_load_globs();
}

static void test_fees(void)
{
	struct report_fees f;
	struct report_load_error e;
	const char *ok = file_with(
	    "f.tsv", "platform\tpercent\tfixed_per_sale\tmonthly_fee\tpayout_fee\tcurrency\tfrom\n"
		     "mixed\t3.5%\t0.30\t10\t\tUSD\t2026-09-16\n"
		     "mixed\t5\t0.30\t\t\tUSD\t2026-01-01\n");
	tap_is_int(report_fees_load(&f, ok, &e), REPORT_LOAD_OK,
		   "fee schedules load (out of order)");
	const struct report_fee_schedule *a = report_fees_find(&f, 0, day(2026, 9, 15)),
					 *b = report_fees_find(&f, 0, day(2026, 9, 16));
	tap_ok(a && a->line == 3 && a->to == day(2026, 9, 15),
	       "the first runs to the day before the next");
	tap_ok(b && b->line == 2, "the second from its day");
	tap_ok(report_fees_find(&f, 0, day(2025, 12, 31)) == NULL, "none before the first");
	int64_t fee = 0;
	tap_ok(b && report_fee_percent(b, 25000000, &fee) && fee == 875000,
	       "3.5%% of 25.00 is 0.875");
	tap_ok(b && report_fee_percent(b, 1, &fee) && fee == 0,
	       "3.5%% of one micro-unit rounds half to even: 0");
	tap_ok(a && report_fee_percent(a, 10, &fee) && fee == 0,
	       "5%% of 10 micro-units is 0.5: to even, 0");
	tap_ok(a && report_fee_percent(a, 30, &fee) && fee == 2, "5%% of 30 is 1.5: to even, 2");
	report_fees_free(&f);
	const char *over = file_with(
	    "o.tsv",
	    "platform\tpercent\tfixed_per_sale\tmonthly_fee\tpayout_fee\tcurrency\tfrom\tto\n"
	    "a\t10\t\t\t\tUSD\t2026-01-01\t2026-06-30\n"
	    "a\t5\t\t\t\tUSD\t2026-06-01\t\n");
	tap_is_int(report_fees_load(&f, over, &e), REPORT_LOAD_EDATA,
		   "overlapping schedules are refused");
	tap_is_int(e.line, 3, "... on the later line");
	tap_is_str(e.msg,
		   "column \"from\": \"2026-06-01\": overlaps the schedule of platform \"a\" on "
		   "line 2 (one schedule a day)",
		   "... naming the other");
}

static void test_business_rows(void)
{
	struct report_costs c;
	struct report_fees f;
	struct report_load_error e;
	report_costs_load(
	    &c,
	    file_with("c2.tsv",
		      "item\tfrom\tto\tamount\tcurrency\tper\nship\t2026-01\t\t2.50\tUSD\tunit\n"),
	    &e);
	report_fees_load(
	    &f,
	    file_with("f2.tsv",
		      "platform\tpercent\tfixed_per_sale\tmonthly_fee\tpayout_fee\tcurrency\tfrom\n"
		      "p\t10\t0.50\t0\t0.25\tUSD\t2026-01-01\n"),
	    &e);
	struct report_business b = {.kind = PERIOD_MONTH, .costs = &c, .fees = &f};
	struct report_sale sale = {24312, "USD", "sale", "", "gumroad", "", "c1",    4,
				   0,     7,     0,      2,  20000000,  0,  20000000};
	tap_is_int(report_business_add(&b, &sale, day(2026, 1, 10), 3), REPORT_BUSINESS_OK,
		   "a sale added");
	tap_is_int(report_business_payout(&b, 24312, day(2026, 1, 31)), REPORT_BUSINESS_OK,
		   "a payout added");
	tap_is_int(b.nperiods, 1, "one period");
	if (b.nperiods == 1) {
		tap_is_int(b.periods[0].variable[0], 7500000, "3 units x 2.50");
		tap_is_int(b.periods[0].whatif[0].fees, 2500000, "10%% of 20.00 + 0.50");
		tap_is_int(b.periods[0].sales, 1, "one sale");
	}
	struct report_sale eur = sale;
	eur.currency = "EUR";
	tap_is_int(report_business_add(&b, &eur, day(2026, 1, 11), 1), REPORT_BUSINESS_ECURRENCIES,
		   "a second currency is refused");
	report_business_free(&b);
	struct report_business b2 = {.kind = PERIOD_MONTH, .costs = &c};
	tap_is_int(report_business_add(&b2, &eur, day(2026, 1, 11), 1), REPORT_BUSINESS_ECURRENCY,
		   "a cost in another currency than the sales' without --fx is refused");
	tap_is_int(b2.fail.line, 2, "... naming its line");
	report_business_free(&b2);
	report_costs_free(&c);
	report_fees_free(&f);
}

static void test_outlook(void)
{
	struct report_outlook o;
	struct report_load_error e;
	const char *ok =
	    file_with("o.tsv", "product\tcurrency\tperiod\tforecast\tlo80\thi80\tmethod\n"
			       "a\tUSD\t2026-12\t10.00\t5\t15\tmean\n"
			       "b\tUSD\t2026-11\t1.50\t1\t2\tmean\n"
			       "c\tUSD\t2026-11\t2.25\t\t\tnaive\n");
	tap_is_int(report_outlook_load(&o, ok, PERIOD_MONTH, &e), REPORT_LOAD_OK,
		   "a forecast by product loads");
	tap_is_int(o.n, 2, "two periods, series added up");
	if (o.n == 2) {
		tap_is_int(o.p[0].period, 2026 * 12 + 10, "in order: November first");
		tap_is_int(o.p[0].net, 3750000, "1.50 + 2.25");
		tap_ok(!o.p[0].bounds, "a series without bounds: none for the period");
		tap_ok(o.p[1].bounds && o.p[1].lo == 5000000 && o.p[1].hi == 15000000,
		       "December's bounds");
	}
	report_outlook_free(&o);
	const char *two =
	    file_with("o2.tsv", "currency\tperiod\tforecast\nUSD\t2026-11\t1\nEUR\t2026-11\t1\n");
	tap_is_int(report_outlook_load(&o, two, PERIOD_MONTH, &e), REPORT_LOAD_EDATA,
		   "two currencies are refused");
	tap_is_int(e.line, 3, "... on the second's line");
	tap_is_int(report_outlook_load(&o, two, PERIOD_WEEK, &e), REPORT_LOAD_EDATA,
		   "months for a weekly summary are refused");
	tap_is_str(e.msg, "column \"period\": \"2026-11\" is not a period of the summary's kind",
		   "... naming the value");
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	test_spread();
	test_costs_load();
	test_fees();
	test_business_rows();
	test_outlook();
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
