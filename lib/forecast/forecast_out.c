/* forecast_out.c - tally-forecast's output: forecasts and intervals per
 * series, or backtest scores, and the notes closing a run
 * (forecast_out.h). */
#include "forecast_out.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast_backtest.h"
#include "money.h"

void forecast_out_value(struct tsv_writer *w, int digits, int decimals, double v)
{
	if (!isfinite(v)) {
		tsv_put(w, "", 0);
		return;
	}
	if (digits >= 0 && fabs(v) < 9e12) {
		/* money: rounded to whole minor units, printed as money */
		double minor = v;
		for (int i = 0; i < digits; i++)
			minor *= 10;
		int64_t q = 1;
		for (int i = digits; i < MONEY_MAX_DIGITS; i++)
			q *= 10;
		tsv_put_money(w, (int64_t)llround(minor) * q, digits);
		return;
	}
	int dec = digits >= 0 ? digits : decimals;
	char buf[64];
	int n = snprintf(buf, sizeof buf, "%.*f", dec, v);
	if (strncmp(buf, "-0", 2) == 0 && strspn(buf + 2, ".0") == strlen(buf + 2))
		memmove(buf, buf + 1, (size_t)n--); /* no "-0.00" */
	tsv_put(w, buf, (size_t)n);
}

static void put_value(struct tsv_writer *w, const struct forecast_run *run, int digits, double v)
{
	forecast_out_value(w, digits, run->decimals, v);
}

static void put_keys(struct tsv_writer *w, const struct forecast_run *run, const struct forecast_series *s)
{
	for (size_t k = 0; k < run->nkeys; k++)
		tsv_put_str(w, s->key[k]);
}

static void put_period(struct tsv_writer *w, enum period_kind kind, int64_t index)
{
	char buf[DATE_BUF];
	struct period p = {.kind = kind, .index = index};
	tsv_put(w, buf, period_format(buf, p));
}

/* The period index after which s is forecast: the input's last period
 * unless --align series (a product that stopped selling has zero months up
 * to it, and all series are forecast from the same period on). */
static int64_t series_end(const struct forecast_series *s, const struct forecast_run *run)
{
	return run->align_series ? s->first + (int64_t)s->len - 1 : run->input_end;
}

/* The series as doubles from its first period to series_end, periods
 * without rows zero (malloc'ed; NULL when out of memory). */
static double *series_values(const struct forecast_series *s, const struct forecast_run *run, size_t *n)
{
	*n = (size_t)(series_end(s, run) - s->first + 1);
	double *y = malloc(*n * sizeof *y);
	for (size_t t = 0; y && t < *n; t++) {
		if (t >= s->len)
			y[t] = 0;
		else if (s->digits >= 0)
			y[t] = (double)s->micros[t] / MONEY_SCALE;
		else
			y[t] = s->sums[t];
	}
	return y;
}

static void note_fallback(struct forecast_run *run, const struct forecast_series *s, size_t n,
			  const struct forecast_result *res)
{
	struct forecast_short *ss = &run->short_series;
	if (!res->fallback)
		return;
	if (ss->count == 0) {
		if (n == 1)
			snprintf(ss->first, sizeof ss->first, "%sonly 1 period: %s forecast without intervals",
				 s->label, res->method);
		else
			snprintf(ss->first, sizeof ss->first, "%s%zu periods, too few for %s: used %s", s->label,
				 n, forecast_method_name(run->method), res->method);
		snprintf(ss->used, sizeof ss->used, "%s", res->method);
		ss->min_n = ss->max_n = n;
	} else if (strcmp(ss->used, res->method) != 0) {
		ss->mixed = true;
	}
	if (n < ss->min_n)
		ss->min_n = n;
	if (n > ss->max_n)
		ss->max_n = n;
	ss->count++;
}

bool forecast_out_fallback_note(const struct forecast_run *run, char *buf, size_t cap)
{
	const struct forecast_short *ss = &run->short_series;
	if (ss->count == 0)
		return false;
	if (ss->count == 1) {
		snprintf(buf, cap, "%s", ss->first);
		return true;
	}
	char span[48];
	if (ss->min_n == ss->max_n)
		snprintf(span, sizeof span, "%zu", ss->min_n);
	else
		snprintf(span, sizeof span, "%zu to %zu", ss->min_n, ss->max_n);
	snprintf(buf, cap,
		 "%zu series have %s periods, too few for %s: used %s "
		 "(naive without intervals for 1 period, the mean for 2 or 3)",
		 ss->count, span, forecast_method_name(run->method), ss->mixed ? "simpler methods" : ss->used);
	return true;
}

/* The observed periods of s (--history): forecast and bounds empty. */
static void put_history(struct tsv_writer *w, const struct forecast_run *run, const struct forecast_series *s,
			const double *y, size_t n)
{
	for (size_t t = 0; t < n; t++) {
		put_keys(w, run, s);
		put_period(w, run->kind, s->first + (int64_t)t);
		put_value(w, run, s->digits, y[t]);
		tsv_put(w, "", 0);
		for (int k = 0; k < run->nlevels; k++)
			tsv_put(w, "", 0), tsv_put(w, "", 0);
		tsv_put(w, "", 0);
		tsv_end_row(w);
	}
}

/* The H forecasts of s after its N periods, with their bounds. */
static void put_forecasts(struct tsv_writer *w, const struct forecast_run *run, const struct forecast_series *s,
			  size_t n, const struct forecast_result *res)
{
	int h = run->h;
	for (int j = 0; j < h; j++) {
		put_keys(w, run, s);
		put_period(w, run->kind, s->first + (int64_t)n + j);
		if (run->history)
			tsv_put(w, "", 0);
		put_value(w, run, s->digits, res->mean[j]);
		for (int k = 0; k < run->nlevels; k++) {
			put_value(w, run, s->digits, res->lo[k * h + j]);
			put_value(w, run, s->digits, res->hi[k * h + j]);
		}
		tsv_put_str(w, res->method);
		tsv_end_row(w);
	}
}

/* A fit failed: "cannot forecast: REASON" (errno's). */
static int cannot_forecast(char *err, size_t cap)
{
	snprintf(err, cap, "cannot forecast: %s", strerror(errno));
	return FORECAST_RUN_EDATA;
}

/* Forecast one series into RES (buffers of the run's size) and write it. */
static int forecast_one(struct tsv_writer *w, struct forecast_run *run, const struct forecast_series *s,
			struct forecast_spec *spec, struct forecast_result *res, char *err, size_t cap)
{
	size_t n;
	double *y = series_values(s, run, &n);
	if (!y)
		return FORECAST_RUN_ENOMEM;
	spec->nonneg = forecast_nonneg(y, n, run->allow_negative, run->money);
	if (forecast_series(y, n, spec, res) < 0)
		return free(y), cannot_forecast(err, cap);
	note_fallback(run, s, n, res);
	if (run->history)
		put_history(w, run, s, y, n);
	put_forecasts(w, run, s, n, res);
	free(y);
	return FORECAST_RUN_OK;
}

static int forecast_all(struct tsv_writer *w, struct forecast_run *run, char *err, size_t cap)
{
	size_t h = (size_t)run->h, nb = h * (size_t)(run->nlevels ? run->nlevels : 1);
	double *mean = malloc(h * sizeof *mean), *lo = malloc(nb * sizeof *lo), *hi = malloc(nb * sizeof *hi);
	struct forecast_spec spec = {.method = run->method, .m = forecast_season_of(run->kind), .h = run->h,
				     .levels = run->levels, .nlevels = run->nlevels, .transform = run->transform};
	int st = mean && lo && hi ? FORECAST_RUN_OK : FORECAST_RUN_ENOMEM;
	for (size_t g = 0; st == FORECAST_RUN_OK && g < run->table.n; g++) {
		struct forecast_result res = {.mean = mean, .lo = lo, .hi = hi};
		st = forecast_one(w, run, &run->table.series[g], &spec, &res, err, cap);
	}
	free(mean);
	free(lo);
	free(hi);
	return st;
}

static void put_score(struct tsv_writer *w, double v)
{
	if (isfinite(v))
		tsv_putf(w, "%.3f", v);
	else
		tsv_put(w, "", 0);
}

static void bt_put(struct tsv_writer *w, const struct forecast_bt *b)
{
	for (int i = 0; i < FORECAST_BT_FIGS; i++)
		for (int r = 0; r < FORECAST_BT_REFS; r++)
			put_score(w, forecast_bt_mean(b, i, r));
}

/* The backtest of one series: its row of scores, added to TOT. */
static int backtest_one(struct tsv_writer *w, struct forecast_run *run, const struct forecast_series *s,
			struct forecast_bt *tot, long *origins_all, char *err, size_t cap)
{
	size_t n;
	double *y = series_values(s, run, &n);
	struct forecast_bt one;
	char method[40];
	if (!y)
		return FORECAST_RUN_ENOMEM;
	long origins = forecast_backtest(y, n, run->backtest, run->method, forecast_season_of(run->kind),
					 run->transform, run->allow_negative, run->money, &one, method);
	free(y);
	if (origins < 0)
		return cannot_forecast(err, cap);
	if (origins == 0)
		forecast_run_note(run, "%sonly %zu period%s: nothing to backtest", s->label, n, n == 1 ? "" : "s");
	put_keys(w, run, s);
	tsv_put_int(w, (long long)origins);
	bt_put(w, &one);
	tsv_put_str(w, method);
	tsv_end_row(w);
	forecast_bt_add_means(tot, &one);
	*origins_all += origins;
	return FORECAST_RUN_OK;
}

/* One row of scores per series (forecast_backtest.c), a "*" row of their
 * means when there are keys, and the verdict as a note. */
static int backtest_all(struct tsv_writer *w, struct forecast_run *run, char *err, size_t cap)
{
	struct forecast_bt tot = {0};
	long origins_all = 0;
	for (size_t g = 0; g < run->table.n; g++) {
		int st = backtest_one(w, run, &run->table.series[g], &tot, &origins_all, err, cap);
		if (st != FORECAST_RUN_OK)
			return st;
	}
	if (run->nkeys > 0 && run->table.n > 0) {
		for (size_t k = 0; k < run->nkeys; k++)
			tsv_put_str(w, "*");
		tsv_put_int(w, (long long)origins_all);
		bt_put(w, &tot);
		tsv_put_str(w, forecast_method_name(run->method));
		tsv_end_row(w);
	}
	char verdict[320];
	if (forecast_bt_verdict(&tot, forecast_method_name(run->method),
				run->table.n > 1 ? " (mean over the series)" : "", verdict, sizeof verdict))
		forecast_run_note(run, "%s", verdict);
	return FORECAST_RUN_OK;
}

static void put_header(struct tsv_writer *w, const struct forecast_run *run)
{
	static const char *const bt_cols[] = {
		"origins",    "smape",       "smape_naive", "smape_snaive", "mase",
		"mase_naive", "mase_snaive", "rmsse",       "rmsse_naive",  "rmsse_snaive",
		"bias",       "bias_naive",  "bias_snaive", "method"};
	for (size_t k = 0; k < run->nkeys; k++)
		tsv_put_str(w, run->key_names[k]);
	if (run->backtest) {
		for (size_t i = 0; i < sizeof bt_cols / sizeof bt_cols[0]; i++)
			tsv_put_str(w, bt_cols[i]);
		tsv_end_row(w);
		return;
	}
	tsv_put_str(w, "period");
	if (run->history)
		tsv_put_str(w, "actual");
	tsv_put_str(w, "forecast");
	for (int k = 0; k < run->nlevels; k++) {
		tsv_putf(w, "lo%g", run->levels[k]);
		tsv_putf(w, "hi%g", run->levels[k]);
	}
	tsv_put_str(w, "method");
	tsv_end_row(w);
}

/* "passed over 2 rows not forecast (payout 2)", when any. */
static void note_passed(const struct forecast_run *run)
{
	char buf[1024];
	if (run->passed.total == 0)
		return;
	kinds_tally_format(&run->passed, buf, sizeof buf);
	forecast_run_note(run, "passed over %ld row%s not forecast (%s)", run->passed.total,
			  run->passed.total == 1 ? "" : "s", buf);
}

int forecast_out_write(struct forecast_run *run, struct tsv_writer *w, char *err, size_t cap)
{
	put_header(w, run);
	int st = run->backtest ? backtest_all(w, run, err, cap) : forecast_all(w, run, err, cap);
	if (st != FORECAST_RUN_OK)
		return st;
	char msg[512];
	if (forecast_out_fallback_note(run, msg, sizeof msg))
		forecast_run_note(run, "%s", msg);
	note_passed(run);
	return FORECAST_RUN_OK;
}
