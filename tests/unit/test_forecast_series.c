/* test_forecast_series.c - unit tests of the series table
 * (lib/forecast/forecast_series.c).
 *
 * Plan: series found by key (same key, same series; keys that differ in
 * one field or only in where the fields split are different series), the
 * label; period slots growing forward and backward, zero-filled, and the
 * span limit both ways; the latest-time tracking and the incomplete-
 * last-period rule (steady daily rows, a run mid-month, rows stamped at
 * the start of their period, too few periods, sparse rows); plain
 * numbers accepted and refused. */
#include <stdlib.h>
#include <string.h>

#include "forecast_series.h"
#include "tap.h"

static struct tsv_field fld(const char *s)
{
	return (struct tsv_field){.s = s, .len = strlen(s)};
}

static void test_keys(void)
{
	struct forecast_table t;
	struct forecast_series *a, *b, *c, *d;
	const int cols[2] = {0, 1};
	struct tsv_field r1[2] = {fld("Album"), fld("USD")}, r2[2] = {fld("Album"), fld("EUR")};
	struct tsv_field r3[2] = {fld("Alb"), fld("umUSD")};

	forecast_table_init(&t, 2);
	tap_ok(forecast_table_series(&t, r1, cols, 2, &a) == 0, "a new series");
	tap_ok(forecast_table_series(&t, r1, cols, 2, &b) == 0 && a == b, "the same key: the same series");
	tap_ok(forecast_table_series(&t, r2, cols, 2, &c) == 0 && c != a, "another currency: another series");
	tap_ok(forecast_table_series(&t, r3, cols, 2, &d) == 0 && d != t.series && t.n == 3,
	       "fields split elsewhere: another series");
	tap_is_str(t.series[0].label, "series \"Album/USD\": ", "the label names the key");
	tap_is_str(t.series[1].key[1], "EUR", "the key fields are kept");
	for (int i = 0; i < 200; i++) { /* grows the slots and arrays */
		char name[16];
		snprintf(name, sizeof name, "p%d", i);
		struct tsv_field r[2] = {fld(name), fld("USD")};
		forecast_table_series(&t, r, cols, 2, &a);
	}
	forecast_table_series(&t, r1, cols, 2, &a);
	tap_ok(t.n == 203 && a == &t.series[0], "found again after the table grew (%zu series)", t.n);
	forecast_table_free(&t);

	forecast_table_init(&t, 0);
	forecast_table_series(&t, r1, cols, -1, &a);
	forecast_table_series(&t, r2, cols, -1, &b);
	tap_ok(t.n == 1 && a == b && strcmp(a->label, "") == 0, "no key: one series, no label");
	forecast_table_free(&t);
}

static void test_slots(void)
{
	struct forecast_series s = {0};
	size_t at;

	tap_ok(forecast_series_slot(&s, 100, &at) == 0 && at == 0 && s.first == 100, "the first period");
	s.micros[0] = 5;
	tap_ok(forecast_series_slot(&s, 103, &at) == 0 && at == 3 && s.len == 4 && s.micros[2] == 0,
	       "a later period: zeros between");
	tap_ok(forecast_series_slot(&s, 98, &at) == 0 && at == 0 && s.first == 98 && s.micros[2] == 5 &&
		       s.micros[0] == 0 && s.len == 6,
	       "an earlier period: totals shifted, zeros before");
	tap_is_int(forecast_series_slot(&s, 98 + FORECAST_MAX_SPAN, &at), FORECAST_SERIES_ESPAN,
		   "too far ahead: a span error");
	tap_is_int(forecast_series_slot(&s, 103 - FORECAST_MAX_SPAN, &at), FORECAST_SERIES_ESPAN,
		   "too far back: a span error");
	tap_ok(s.len == 6 && s.first == 98, "a refused period changes nothing");
	free(s.micros);
	free(s.sums);
}

/* Rows on days DAYS[0..n) (days since 1970) into a month table. */
static void note_days(struct forecast_table *t, const int64_t *days, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int64_t time = days[i] * 86400 + 3600;
		forecast_table_note_time(t, period_of(time, PERIOD_MONTH), time);
	}
}

static void test_incomplete(void)
{
	struct forecast_table t;
	char why[200];
	/* 2026-01-30, 2026-02-27, 2026-03-30, then 2026-04-10 */
	int64_t steady[] = {20483, 20511, 20542, 20553};
	int64_t jan = period_of(20483 * 86400, PERIOD_MONTH).index;

	forecast_table_init(&t, 0);
	note_days(&t, steady, 4);
	tap_ok(forecast_table_last_incomplete(&t, PERIOD_MONTH, jan + 3, why, sizeof why),
	       "a month whose rows stop on the 10th: incomplete");
	tap_is_str(why, "its rows end 2026-04-10, 20 days before its end; earlier ones end at most 1 day before theirs",
		   "why, in words");
	tap_ok(!forecast_table_last_incomplete(&t, PERIOD_MONTH, jan + 2, why, sizeof why),
	       "not the last period tracked: not judged");
	forecast_table_free(&t);

	forecast_table_init(&t, 0);
	note_days(&t, steady + 2, 2);
	tap_ok(!forecast_table_last_incomplete(&t, PERIOD_MONTH, jan + 3, why, sizeof why),
	       "one earlier month only: not judged");
	forecast_table_free(&t);

	int64_t sparse[] = {20468, 20511, 20542, 20553}; /* 2026-01-15: far from its end */
	forecast_table_init(&t, 0);
	note_days(&t, sparse, 4);
	tap_ok(!forecast_table_last_incomplete(&t, PERIOD_MONTH, jan + 3, why, sizeof why),
	       "an earlier month ending mid-month: too sparse to tell");
	forecast_table_free(&t);

	forecast_table_init(&t, 0);
	for (int m = 0; m < 4; m++) {
		struct period p = {.kind = PERIOD_MONTH, .index = jan + m};
		forecast_table_note_time(&t, p, period_start(p));
	}
	tap_ok(t.stamped && !forecast_table_last_incomplete(&t, PERIOD_MONTH, jan + 3, why, sizeof why),
	       "rows stamped at their period's start (monthly data): never incomplete");
	forecast_table_free(&t);

	int64_t backwards[] = {20553, 20542, 20511, 20483}; /* the same rows, newest first */
	forecast_table_init(&t, 0);
	note_days(&t, backwards, 4);
	tap_ok(t.lat_first == jan && t.lat_len == 4 &&
		       forecast_table_last_incomplete(&t, PERIOD_MONTH, jan + 3, why, sizeof why),
	       "rows newest first: the same verdict");
	forecast_table_free(&t);
}

static void test_numbers(void)
{
	static const char *const good[] = {"1", "-2.50", "+3.", ".5", "1e3", "2.5E-2"};
	static const char *const bad[] = {"", " 1", "inf", "nan", "0x10", "1,5", "1e", "1e+", "--1", "1e999"};
	double v;
	int dec;

	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		tap_ok(forecast_parse_number(good[i], strlen(good[i]), &v, &dec), "\"%s\" is a number", good[i]);
	forecast_parse_number("-2.50", 5, &v, &dec);
	tap_ok(v == -2.5 && dec == 2, "-2.50: value and two decimals");
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		tap_ok(!forecast_parse_number(bad[i], strlen(bad[i]), &v, &dec), "\"%s\" is not a number", bad[i]);
}

int main(void)
{
	test_keys();
	test_slots();
	test_incomplete();
	test_numbers();
	return tap_done();
}
