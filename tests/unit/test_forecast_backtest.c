/* test_forecast_backtest.c - unit tests of lib/forecast/forecast_backtest.c.
 *
 * Plan: seasons per granularity; the floor-at-0 rule (never negative,
 * money with refunds, mostly negative, --allow-negative); score sums that
 * skip non-finite figures and their means; means over series; a backtest
 * of a linear series (naive scored, the origins counted, nothing with one
 * period or H = 0); the verdict's three wordings and none without sMAPE. */
#include <math.h>
#include <string.h>

#include "forecast_backtest.h"
#include "tap.h"

static void test_season_and_floor(void)
{
	tap_is_int(forecast_season_of(PERIOD_DAY), 7, "season: days in a week");
	tap_is_int(forecast_season_of(PERIOD_MONTH), 12, "season: months");
	tap_is_int(forecast_season_of(PERIOD_YEAR), 1, "season: years have none");
	double pos[] = {1, 2, 3}, refunds[] = {5, -1, 4}, costs[] = {-5, -1, 2};
	tap_ok(forecast_nonneg(pos, 3, false, false), "floor: never negative");
	tap_ok(forecast_nonneg(refunds, 3, false, true), "floor: money with a refund month, positive total");
	tap_ok(!forecast_nonneg(refunds, 3, false, false), "floor: a plain number once negative is not floored");
	tap_ok(!forecast_nonneg(costs, 3, false, true), "floor: mostly negative money is not");
	tap_ok(!forecast_nonneg(pos, 3, true, false), "floor: never with --allow-negative");
}

static void test_sums(void)
{
	struct forecast_bt b = {0}, tot = {0};
	struct forecast_score a = {10, 1, 2, 0.5}, c = {20, NAN, INFINITY, -0.5};
	forecast_bt_add(&b, 0, &a);
	forecast_bt_add(&b, 0, &c);
	tap_ok(forecast_bt_mean(&b, 0, 0) == 15, "sums: sMAPE mean of two");
	tap_ok(forecast_bt_mean(&b, 1, 0) == 1, "sums: a NAN MASE is not counted");
	tap_ok(forecast_bt_mean(&b, 2, 0) == 2, "sums: an infinite RMSSE is not counted");
	tap_ok(isnan(forecast_bt_mean(&b, 0, 1)), "sums: nothing for naive: NAN");
	forecast_bt_add_means(&tot, &b);
	forecast_bt_add_means(&tot, &b);
	tap_ok(forecast_bt_mean(&tot, 0, 0) == 15 && tot.cnt[0][0] == 2 && tot.cnt[0][1] == 0,
	       "sums: means over series count each series once, NANs left out");
}

static void test_backtest(void)
{
	double y[24];
	for (int t = 0; t < 24; t++)
		y[t] = 100 + 10 * t;
	struct forecast_bt b;
	char name[40];
	long k = forecast_backtest(y, 24, 3, FORECAST_NAIVE, 12, FORECAST_TRANSFORM_NONE, false, false, &b, name);
	tap_is_int(k, 3, "backtest: one origin per period of the last H");
	tap_is_str(name, "naive", "backtest: the model used is named");
	tap_ok(fabs(forecast_bt_mean(&b, 0, 0) - forecast_bt_mean(&b, 0, 1)) < 1e-12,
	       "backtest: naive scores as its own benchmark");
	tap_ok(forecast_bt_mean(&b, 3, 1) < 0, "backtest: naive under-forecasts a rising series (bias < 0)");
	tap_is_int(forecast_backtest(y, 1, 3, FORECAST_NAIVE, 12, FORECAST_TRANSFORM_NONE, false, false, &b, name), 0,
		   "backtest: one period, no origin");
	tap_is_str(name, "", "backtest: no origin, no name");
	tap_is_int(forecast_backtest(y, 24, 0, FORECAST_NAIVE, 12, FORECAST_TRANSFORM_NONE, false, false, &b, name), 0,
		   "backtest: H = 0, nothing");
	tap_is_int(forecast_backtest(y, 4, 10, FORECAST_NAIVE, 12, FORECAST_TRANSFORM_NONE, false, false, &b, name), 3,
		   "backtest: H beyond the series: origins from period 1");
}

static void test_verdict(void)
{
	struct forecast_bt b = {0};
	char buf[320];
	tap_ok(!forecast_bt_verdict(&b, "ets", "", buf, sizeof buf) && buf[0] == '\0', "verdict: none without sMAPE");
	struct forecast_score win = {5, 0.5, 1, 0}, lose = {9, 0.9, 1, 0};
	forecast_bt_add(&b, 0, &win);
	forecast_bt_add(&b, 1, &lose);
	forecast_bt_add(&b, 2, &lose);
	tap_ok(forecast_bt_verdict(&b, "ets", "", buf, sizeof buf), "verdict: given");
	tap_is_str(buf, "backtest: ets beat naive and snaive (sMAPE 5.000 against 9.000 and 9.000, "
		   "MASE 0.500 against 0.900 and 0.900)", "verdict: beat");
	struct forecast_bt c = {0};
	forecast_bt_add(&c, 0, &lose);
	forecast_bt_add(&c, 1, &win);
	forecast_bt_add(&c, 2, &win);
	forecast_bt_verdict(&c, "theta", " (mean over the series)", buf, sizeof buf);
	tap_is_str(buf, "backtest (mean over the series): theta did not beat naive and snaive (sMAPE 9.000 "
		   "against 5.000 and 5.000, MASE 0.900 against 0.500 and 0.500)", "verdict: did not beat");
	struct forecast_bt d = {0};
	struct forecast_score mixed = {5, 0.9, 1, 0}, ref = {9, 0.5, 1, 0};
	forecast_bt_add(&d, 0, &mixed);
	forecast_bt_add(&d, 1, &ref);
	forecast_bt_add(&d, 2, &ref);
	forecast_bt_verdict(&d, "arima", "", buf, sizeof buf);
	tap_ok(strstr(buf, "arima did not always beat naive and snaive") != NULL, "verdict: did not always beat");
}

int main(void)
{
	test_season_and_floor();
	test_sums();
	test_backtest();
	test_verdict();
	return tap_done();
}
