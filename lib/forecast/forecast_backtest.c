/* forecast_backtest.c - rolling-origin backtests against naive and
 * seasonal naive (see forecast_backtest.h). */
#include "forecast_backtest.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int forecast_season_of(enum period_kind k)
{
	switch (k) {
	case PERIOD_DAY:
		return 7;
	case PERIOD_WEEK:
		return 52;
	case PERIOD_MONTH:
		return 12;
	case PERIOD_QUARTER:
		return 4;
	case PERIOD_YEAR:
		return 1;
	}
	return 1;
}

bool forecast_nonneg(const double *y, size_t n, bool allow_negative, bool money)
{
	if (allow_negative)
		return false;
	bool negative = false;
	double total = 0;
	for (size_t t = 0; t < n; t++) {
		negative = negative || y[t] < 0;
		total += y[t];
	}
	return !negative || (money && total > 0);
}

void forecast_bt_add(struct forecast_bt *b, int ref, const struct forecast_score *sc)
{
	double v[FORECAST_BT_FIGS] = {sc->smape, sc->mase, sc->rmsse, sc->bias};
	for (int i = 0; i < FORECAST_BT_FIGS; i++)
		if (isfinite(v[i]))
			b->sum[i][ref] += v[i], b->cnt[i][ref]++;
}

double forecast_bt_mean(const struct forecast_bt *b, int fig, int ref)
{
	return b->cnt[fig][ref] ? b->sum[fig][ref] / (double)b->cnt[fig][ref] : NAN;
}

void forecast_bt_add_means(struct forecast_bt *tot, const struct forecast_bt *one)
{
	for (int i = 0; i < FORECAST_BT_FIGS; i++)
		for (int r = 0; r < FORECAST_BT_REFS; r++) {
			double v = forecast_bt_mean(one, i, r);
			if (isfinite(v))
				tot->sum[i][r] += v, tot->cnt[i][r]++;
		}
}

/* Score the forecast of y[k..k+steps) from y[0..k) by method into b's
 * ref; name (NULL: not wanted) gets the model used.  0 or -1 (errno). */
static int score_origin(const double *y, size_t k, int steps, enum forecast_method method,
			struct forecast_spec *spec, double *mean, struct forecast_bt *b, int ref, char *name)
{
	spec->method = method;
	spec->h = steps;
	struct forecast_result res = {.mean = mean};
	if (forecast_series(y, k, spec, &res) < 0)
		return -1;
	if (name)
		snprintf(name, 40, "%s", res.method);
	struct forecast_score sc;
	forecast_score(y, k, spec->m, y + k, mean, steps, &sc);
	forecast_bt_add(b, ref, &sc);
	return 0;
}

long forecast_backtest(const double *y, size_t n, int H, enum forecast_method method, int m,
		       enum forecast_transform transform, bool allow_negative, bool money, struct forecast_bt *b, char *name)
{
	memset(b, 0, sizeof *b);
	name[0] = '\0';
	if (H < 1)
		return 0;
	double *mean = malloc((size_t)H * sizeof *mean);
	if (!mean) {
		errno = ENOMEM;
		return -1;
	}
	struct forecast_spec spec = {.m = m, .transform = transform};
	long origins = 0;
	size_t start = n > (size_t)H ? n - (size_t)H : 1;
	for (size_t k = start; k < n; k++) {
		int steps = (int)(n - k) < H ? (int)(n - k) : H;
		spec.nonneg = forecast_nonneg(y, k, allow_negative, money);
		if (score_origin(y, k, steps, method, &spec, mean, b, 0, name) < 0 ||
		    score_origin(y, k, steps, FORECAST_NAIVE, &spec, mean, b, 1, NULL) < 0 ||
		    score_origin(y, k, steps, FORECAST_SNAIVE, &spec, mean, b, 2, NULL) < 0) {
			int e = errno;
			free(mean);
			errno = e;
			return -1;
		}
		origins++;
	}
	free(mean);
	return origins;
}

bool forecast_bt_verdict(const struct forecast_bt *b, const char *name, const char *what, char *buf,
			 size_t cap)
{
	double s = forecast_bt_mean(b, 0, 0), sn = forecast_bt_mean(b, 0, 1), ss = forecast_bt_mean(b, 0, 2);
	double m = forecast_bt_mean(b, 1, 0), mn = forecast_bt_mean(b, 1, 1), ms = forecast_bt_mean(b, 1, 2);
	if (cap)
		buf[0] = '\0';
	if (isnan(s))
		return false;
	bool beat_s = s < sn && s < ss, beat_m = isnan(m) || (m < mn && m < ms);
	char mase[96] = "";
	if (!isnan(m))
		snprintf(mase, sizeof mase, ", MASE %.3f against %.3f and %.3f", m, mn, ms);
	snprintf(buf, cap, "backtest%s: %s %s naive and snaive (sMAPE %.3f against %.3f and %.3f%s)", what, name,
		 beat_s && beat_m ? "beat" : !beat_s && !beat_m ? "did not beat" : "did not always beat", s, sn, ss,
		 mase);
	return true;
}
