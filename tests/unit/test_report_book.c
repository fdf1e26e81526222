/* test_report_book.c - unit tests of tally-report's engines:
 * lib/report/report_statements.c, lib/report/report_summary.c and
 * lib/report/report_table.c.
 *
 * Plan: a book settles two months with a residue carried, a minimum
 * payout and a refund that leaves a payee owing, numbering statements in
 * payee order and summing every period (paid + carried == brought forward
 * + earned); a ledger period the input contradicts is refused with the
 * row; a closed month's rows in a new run post as late rows, unless they
 * repeat its statement; an overflowing sum is reported, not wrapped; the summary's
 * revenue, refunds, take rate, new and returning customers and growth
 * against a hand-computed case; tables keep their cells. */
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "money.h"
#include "report_statements.h"
#include "report_summary.h"
#include "report_table.h"
#include "tap.h"

#define M(x) ((int64_t)((x) * 1000000.0 + ((x) < 0 ? -0.5 : 0.5))) /* major units to micro-units */

/* Two months for two payees, with a 50.00 minimum: month 0 Zoe earns
 * 60.004 (60.00 paid, 0.004 carried), Ana 30.00 (under the minimum);
 * month 1 Zoe has a 72.00 refund and owes, Ana earns 25.00 and is paid
 * 55.00. */
static void fill_book(struct report_book *b, const struct report_min_payout *mins, size_t nmins)
{
	memset(b, 0, sizeof *b);
	b->kind = PERIOD_MONTH;
	b->mins = mins;
	b->nmins = nmins;
	uint32_t zoe = account(b, "Zoe", "USD"), ana = account(b, "Ana", "USD");
	uint32_t src = name(b, "gumroad"), song = name(b, "Song"), book_ = name(b, "Book");
	int64_t oct = period_of(1790000000, PERIOD_MONTH).index; /* 2026-09 */
	report_book_add(b, zoe, oct, src, song, M(50.002));
	report_book_add(b, zoe, oct, src, book_, M(10.002));
	report_book_add(b, ana, oct, src, song, M(30));
	report_book_add(b, zoe, oct + 1, src, song, M(-72));
	report_book_add(b, ana, oct + 1, src, book_, M(25));
}

static void test_settle_book(void)
{
	static const struct report_min_payout mins[] = {{"USD", 50000000}};
	struct report_book b;
	struct report_settle_error err;

	fill_book(&b, mins, 1);
	tap_is_int(b.cells[0].ndetails, 2, "one cell keeps a line per (source, product)");
	int rc = report_book_settle(&b, NULL, false, 0, &err);
	tap_ok(rc == REPORT_OK && b.nst == 4, "two months, two payees: four statements");
	tap_ok(rc == REPORT_OK && report_book_total(&b) == REPORT_OK, "totals add up without overflow");
	const struct report_statement *s = b.st;
	tap_ok(strcmp(s[0].payee, "Ana") == 0 && strcmp(s[1].payee, "Zoe") == 0 && strcmp(s[0].id + 7, "/0001") == 0,
	       "statements are numbered in payee order (%s %s)", s[0].payee, s[0].id);
	tap_ok(s[0].paid == 0 && s[0].carried_forward == M(30), "Ana under the minimum: all carried");
	tap_ok(s[1].paid == M(60) && s[1].carried_forward == M(0.004), "Zoe: whole cents paid, residue carried");
	tap_ok(s[2].brought_forward == M(30) && s[2].paid == M(55) && s[2].carried_forward == 0,
	       "Ana's balance brought forward is paid once over the minimum");
	tap_ok(s[3].paid == 0 && s[3].carried_forward == M(-71.996), "Zoe's refund leaves her owing");
	bool chained = true;
	for (size_t i = 0; i < b.nst; i++)
		chained &= s[i].brought_forward + s[i].earned == s[i].paid + s[i].carried_forward;
	tap_ok(chained, "every statement: brought forward + earned = paid + carried forward");
	const struct report_period_total *t = report_book_period_total(&b, s[2].period, "USD");
	tap_ok(t && t->count == 2 && t->earned == M(-47) && t->paid == M(55), "period totals");
	tap_ok(report_book_period_total(&b, s[2].period, "EUR") == NULL, "no totals for a currency without statements");

	struct report_check_line *lines;
	size_t n;
	report_book_add_check(&b, s[0].period, "USD", M(90.004), M(90.004));
	report_book_add_check(&b, s[2].period, "USD", M(-47), M(-47));
	rc = report_book_check(&b, &lines, &n);
	tap_ok(rc == REPORT_OK && n == 2 && lines[0].ok && lines[1].ok && lines[1].carried_change == M(-102),
	       "the conservation check holds for a settled book");
	free(lines);
	report_book_free(&b);

	fill_book(&b, mins, 1);
	uint32_t zoe = account(&b, "Zoe", "USD");
	tap_ok(report_book_add(&b, zoe, b.pmin, 0, 0, INT64_MAX) == REPORT_EOVERFLOW, "an overflowing sum is reported");
	report_book_free(&b);
}

static void test_settle_against_ledger(void)
{
	struct report_book b;
	struct report_settle_error err;
	struct report_ledger l = {0};
	struct report_ledger_row row = {"2026-09/0001", "Ana", {PERIOD_MONTH, 0}, "USD", 2, 0, M(29), 0, M(29), 0, 7};

	/* a re-run (the ledger is closed up to the last row's month) */
	fill_book(&b, NULL, 0);
	row.period.index = b.pmin;
	l.rows = &row;
	l.n = 1;
	l.has_rows = true;
	l.first = row.period;
	l.last = (struct period){PERIOD_MONTH, b.pmax};
	int rc = report_book_settle(&b, &l, false, 0, &err);
	tap_ok(rc == REPORT_ELEDGER_EARNED && err.row == &row && err.earned == M(30),
	       "a re-run the input contradicts is refused, naming the row");
	report_book_free(&b);

	/* a new run: rows of the closed month that it does not hold are late */
	fill_book(&b, NULL, 0);
	l.last = row.period;
	rc = report_book_settle(&b, &l, false, 0, &err);
	tap_ok(rc == REPORT_OK && b.have_late && b.nst == 2 && b.run_first == b.pmax,
	       "a new run: the closed month's rows post into the next as late rows");
	tap_ok(rc == REPORT_OK && strcmp(b.st[0].payee, "Ana") == 0 && b.st[0].brought_forward == M(29) &&
		       b.st[0].earned == M(55) && b.st[1].earned == M(60.004 - 72),
	       "... with what the month earned: Ana 25.00 + 30.00 late, Zoe -72.00 + 60.004 late");
	int64_t p = b.pmin;
	long c = report_book_late_cell(&b, 1, b.pmax, &p);
	tap_ok(c >= 0 && b.cells[c].period == b.pmin && report_book_late_cell(&b, 1, b.pmax, &p) == -1,
	       "late cells are found by account and the period they post into");
	report_book_free(&b);

	/* ... unless they earn exactly what the month's statement says */
	fill_book(&b, NULL, 0);
	row.earned = row.carried_forward = M(30);
	rc = report_book_settle(&b, &l, false, 0, &err);
	tap_ok(rc == REPORT_ELATE_REPEAT && err.row == &row, "a closed month's rows fed again are refused, not late");
	report_book_free(&b);
	row.earned = row.carried_forward = M(29);

	fill_book(&b, NULL, 0);
	l.first = l.last = (struct period){PERIOD_MONTH, b.pmin - 3};
	l.n = 0;
	rc = report_book_settle(&b, &l, false, 0, &err);
	tap_ok(rc == REPORT_EORDER_GAP && err.period == b.pmin, "a gap after the ledger's last period is refused");
	report_book_free(&b);
}

static void add_sale(struct report_summary *s, int64_t period, const char *kind, const char *product,
		     const char *source, const char *customer, double gross, double fee)
{
	struct report_sale row = {period, "USD", kind, product, source, "DE", customer,
				  strlen(kind), strlen(product), strlen(source), 2, strlen(customer),
				  M(gross), M(fee), M(gross - fee)};
	report_summary_add(s, &row);
}

static void test_summary(void)
{
	struct report_summary s = {.kind = PERIOD_MONTH};
	struct report_table t[REPORT_SUMMARY_TABLES];
	char buf[32];

	add_sale(&s, 100, "sale", "Song", "bandcamp", "c1", 10, 1.5);
	add_sale(&s, 100, "tip", "", "kofi", "c2", 5, 0);
	add_sale(&s, 101, "sale", "Song", "bandcamp", "c1", 10, 1.5);
	add_sale(&s, 101, "sale", "Book", "gumroad", "c3", 20, 2);
	add_sale(&s, 101, "refund", "Song", "bandcamp", "c1", -10, 0);
	add_sale(&s, 101, "fee", "", "bandcamp", "", 0, 0.5);
	tap_ok(report_summary_finish(&s) == REPORT_OK && s.nperiods == 2, "two months");
	const struct report_summary_period *p = &s.periods[s.order[1]];
	tap_ok(p->revenue == M(30) && p->refunds == M(10) && p->fees == M(4), "revenue, refunds and fees");
	tap_ok(p->customers == 2 && p->new_customers == 1, "one new customer, one returning");
	report_summary_tables(&s, s.order[1], REPORT_TSV, t);
	tap_is_str(report_table_cell(&t[0], 2, 1), "33.3%", "refund rate = refunds / revenue");
	tap_is_str(report_table_cell(&t[0], 8, 1), "0", "every sale has a buyer id");
	tap_is_str(report_table_cell(&t[0], 9, 1), "100.0%", "growth over the month before (15 -> 30)");
	tap_is_str(report_table_cell(&t[2], 0, 0), "Book", "top product first");
	tap_is_str(report_table_cell(&t[3], 1, 4), "20.0%", "bandcamp's take rate includes its fee row (2.00 / 10.00)");
	for (int k = 0; k < REPORT_SUMMARY_TABLES; k++)
		report_table_free(&t[k]);
	report_summary_tables(&s, s.order[0], REPORT_TEXT, t);
	tap_is_str(report_table_cell(&t[0], 9, 1), "n/a", "no month before: growth n/a for people");
	for (int k = 0; k < REPORT_SUMMARY_TABLES; k++)
		report_table_free(&t[k]);
	report_summary_free(&s);
	tap_is_str(report_percent(buf, 1, 8), "12.5%", "percent: one decimal");
	tap_is_str(report_percent(buf, 1, 0), "", "percent of nothing is empty");
	tap_is_str(report_percent(buf, -1, 3), "-33.3%", "negative percent");
}

/* 30000 customers over three months, counted through a sort that spills
 * (a 64 KB budget): each figure is what a count by hand gives. */
static void test_summary_spilled(void)
{
	struct report_summary s = {.kind = PERIOD_MONTH, .sort_budget = 65536};
	char id[32];
	long want_customers[3] = {0}, want_new[3] = {0}, want_country = 0;
	for (int c = 0; c < 30000; c++) {
		snprintf(id, sizeof id, "customer-%d", c);
		/* c buys in months c % 3 .. 2, twice in its first month */
		for (int m = c % 3; m < 3; m++) {
			add_sale(&s, 200 + m, "sale", "Song", "bandcamp", id, 1 + c % 7, 0);
			want_customers[m]++;
		}
		add_sale(&s, 200 + c % 3, "sale", "Song", "bandcamp", id, 1000 * (c == 29999), 0);
		want_new[c % 3]++;
	}
	add_sale(&s, 202, "sale", "Song", "bandcamp", "", 1, 0); /* no id: not a customer */
	want_country = want_customers[2];
	tap_ok(report_summary_finish(&s) == REPORT_OK && s.nperiods == 3, "spilled: three months");
	bool ok = true;
	for (int m = 0; m < 3; m++) {
		const struct report_summary_period *p = &s.periods[s.order[m]];
		ok &= p->customers == want_customers[m] && p->new_customers == want_new[m];
	}
	tap_ok(ok, "spilled: distinct and new customers per month, exactly");
	const struct report_summary_period *last = &s.periods[s.order[2]];
	long country = -1;
	for (size_t i = 0; i < s.nitems; i++)
		if (s.items[i].period == s.order[2] && s.items[i].section == REPORT_SEC_COUNTRY)
			country = s.items[i].customers;
	tap_is_int(country, want_country, "spilled: customers by country");
	/* month 202: customer 29999 bought 1 + 29999 % 7 and 1000, nine others 7 each */
	tap_is_int(last->top_gross, M(1005) + 9 * M(7), "spilled: the ten largest customers' gross");
	tap_is_int(last->unknown_customers, 1, "spilled: a sale without an id is not a customer");
	report_summary_free(&s);
}

int main(void)
{
	test_settle_book();
	test_settle_against_ledger();
	test_summary();
	test_summary_spilled();
	return tap_done();
}
