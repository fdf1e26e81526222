/* forecast_backtest.h - tally-forecast --backtest: a rolling-origin
 * backtest of one series by a method, beside the naive and seasonal naive
 * benchmarks, its mean scores, and the sentence saying which one won.
 * Pure: nothing printed; errors come back as statuses. */
#ifndef TALLY_FORECAST_BACKTEST_H
#define TALLY_FORECAST_BACKTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "date.h"
#include "forecast.h"

#define FORECAST_BT_FIGS 4 /* smape, mase, rmsse, bias */
#define FORECAST_BT_REFS 3 /* the method, naive, snaive */

/* Sums of the finite scores, per figure and reference. */
struct forecast_bt {
	double sum[FORECAST_BT_FIGS][FORECAST_BT_REFS]; /* sum of finite values */
	size_t cnt[FORECAST_BT_FIGS][FORECAST_BT_REFS]; /* how many were finite */
};

/* The seasonal period of a granularity: 7 days, 52 weeks, 12 months, 4
 * quarters, 1 year. */
int forecast_season_of(enum period_kind k);

/* Whether forecasts of y[0..n) are floored at 0: never with
 * ALLOW_NEGATIVE; else a series never negative, or MONEY whose total is
 * positive (revenue with refunds); a mostly negative series is not. */
bool forecast_nonneg(const double *y, size_t n, bool allow_negative, bool money);

/* Add score sc's finite figures to b's reference REF (0..2). */
void forecast_bt_add(struct forecast_bt *b, int ref, const struct forecast_score *sc);

/* The mean of figure FIG (0 smape .. 3 bias) for REF; NAN when none. */
double forecast_bt_mean(const struct forecast_bt *b, int fig, int ref);

/* Add each finite mean of ONE to TOT as one value (the mean over series). */
void forecast_bt_add_means(struct forecast_bt *tot, const struct forecast_bt *one);

/* Backtest y[0..n): for each origin k in the last H periods (k >= 1),
 * fit y[0..k) and score the forecasts of y[k..min(k+H, n)) by METHOD,
 * naive and snaive (seasonal period M) into *b, zeroed first.  The name
 * of the model METHOD first used goes in name[40] ("" with no origin).
 * Each fit models positive series on the scale of TRANSFORM (as
 * forecast_spec's).  Floors at 0 by forecast_nonneg of each history.  Returns the number of
 * origins, or -1 (errno: ENOMEM) when a fit fails. */
long forecast_backtest(const double *y, size_t n, int H, enum forecast_method method, int m,
		       enum forecast_transform transform, bool allow_negative, bool money, struct forecast_bt *b, char *name);

/* The verdict on B into buf: "backtest WHAT: NAME beat naive and snaive
 * (sMAPE a against b and c, MASE ...)", "did not beat" or "did not always
 * beat" by sMAPE and MASE (lower wins; a MASE that cannot be computed does
 * not count).  Returns false, buf "", when there is no sMAPE to judge. */
bool forecast_bt_verdict(const struct forecast_bt *b, const char *name, const char *what, char *buf,
			 size_t cap);

#endif
