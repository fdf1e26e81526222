/* forecast_auto.c - method names, the per-series choice (auto), the
 * combination (ensemble) and the intervals: the one entry point
 * forecast_series() that commands call. */
#include "forecast.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const method_names[] = {
	[FORECAST_AUTO] = "auto",       [FORECAST_ETS] = "ets",
	[FORECAST_THETA] = "theta",     [FORECAST_ARIMA] = "arima",
	[FORECAST_NAIVE] = "naive",     [FORECAST_SNAIVE] = "snaive",
	[FORECAST_CROSTON] = "croston", [FORECAST_SBA] = "sba",
	[FORECAST_TSB] = "tsb",         [FORECAST_ENSEMBLE] = "ensemble",
	[FORECAST_MEAN] = "mean",       [FORECAST_DAMPED] = "damped",
};
#define NMETHODS (sizeof method_names / sizeof method_names[0])

int forecast_method_parse(const char *name)
{
	for (size_t i = 0; i < NMETHODS; i++)
		if (strcmp(name, method_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *forecast_method_name(enum forecast_method m)
{
	return (size_t)m < NMETHODS ? method_names[m] : "?";
}

const char *forecast_method_list(void)
{
	return "auto, ets, damped, theta, arima, ensemble, naive, snaive, mean, croston, sba, "
	       "tsb";
}

/* Intermittent: demand in fewer than 3 of every 4 periods on average
 * (mean inter-demand interval above 1.32, Syntetos & Boylan) and no
 * negative values. */
static bool is_intermittent(const double *y, size_t n)
{
	size_t nonzero = 0;
	for (size_t t = 0; t < n; t++) {
		if (y[t] < 0)
			return false;
		if (y[t] > 0)
			nonzero++;
	}
	return nonzero == 0 || (double)n / nonzero > 1.32;
}

/* The combination: the mean of damped ETS (error and season chosen by
 * AICc) and the Optimised Theta Method on the Box-Cox scale of Guerrero's
 * lambda (on the data's scale when a value is <= 0); its standard error
 * that of the members' mixture.  Of the combinations measured on M3
 * monthly (ETS, damped ETS, Theta, SES/Holt/damped on adjusted data, means
 * and medians) damped + Theta was the most accurate, and it is cheap;
 * Theta on the Box-Cox scale took sMAPE monthly/quarterly/yearly
 * 13.44/8.69/16.15 -> 13.35/8.70/16.00 (modelling both members there:
 * 13.31/8.76/16.23, and twice the time); OTM for the standard Theta there
 * 13.356/8.691/16.003 -> 13.295/8.708/16.040 (FORECAST_OTM_THETA_MAX says
 * how its one constant was chosen and checked). */
/* The ensemble's damped member: damped ETS with error and season by AICc
 * or, on fewer than four seasons, when that model has no season but the
 * seasonal test finds one (AICc cannot afford m seasonal states on two
 * years of monthly data), damped ETS without a season on the series
 * adjusted as Theta adjusts it, reseasonalised.  M3 cut to two seasons,
 * monthly odd/even sMAPE 15.078/15.304 -> 14.986/15.208, quarterly
 * 10.391/10.135 -> 9.960/9.528; to three, monthly 14.149/14.672 ->
 * 14.145/14.811, quarterly 10.363/9.979 -> 9.895/9.498; on M3's own
 * series (four seasons or more) it made monthly worse, 13.291 -> 13.32.
 * q's arrays hold h values; returns as forecast_ets_auto. */
static int damped_member(const double *y, size_t n, int m, int h, struct forecast_path *q)
{
	if (forecast_ets_auto(y, n, m, h, "ZDZ", q) < 0)
		return -1;
	const char *season = strrchr(q->name, ',');
	if (m < 2 || n >= (size_t)(4 * m) || !season || season[1] != 'N')
		return 0;
	double *x = malloc(n * sizeof *x), *idx = malloc((size_t)m * sizeof *idx);
	int kind = x && idx ? forecast_seasonal_adjust(y, n, m, x, idx) : -1;
	int rc = kind < 0 ? -1 : 0;
	if (kind > 0) {
		rc = forecast_ets_auto(x, n, 1, h, "ZDN", q);
		for (int j = 0; j < h && rc == 0; j++)
			forecast_reseasonalise(kind, idx[(n + (size_t)j) % (size_t)m], &q->mean[j],
					       &q->sd[j]);
		if (rc == 0) {
			size_t len = strlen(q->name);
			snprintf(q->name + len, sizeof q->name - len, " adjusted");
		}
	}
	free(x);
	free(idx);
	if (kind < 0)
		errno = ENOMEM;
	return rc;
}

static int ensemble(const double *y, size_t n, int m, int h, struct forecast_path *p)
{
	double *buf = malloc(sizeof(double) * 2 * (size_t)h);
	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	struct forecast_path q = {.mean = buf, .sd = buf + h};
	int members = 0;
	double *sq = calloc((size_t)h, sizeof *sq); /* sum of mean^2 + sd^2 */
	if (!sq) {
		free(buf);
		errno = ENOMEM;
		return -1;
	}
	int nparam = 0;
	for (int j = 0; j < h; j++)
		p->mean[j] = 0, p->sd[j] = 0;
	for (int k = 0; k < 2; k++) {
		int rc = k == 0 ? damped_member(y, n, m, h, &q)
				: forecast_theta_boxcox(y, n, m, h, &q);
		if (rc < 0) {
			if (errno == ENOMEM) {
				free(buf);
				free(sq);
				return -1;
			}
			continue;
		}
		for (int j = 0; j < h; j++) {
			p->mean[j] += q.mean[j], p->sd[j] += q.sd[j];
			sq[j] += q.mean[j] * q.mean[j] + q.sd[j] * q.sd[j];
		}
		if (q.nparam > nparam)
			nparam = q.nparam;
		members++;
	}
	free(buf);
	if (members == 0) {
		free(sq);
		errno = EDOM;
		return -1;
	}
	for (int j = 0; j < h; j++) {
		/* the forecast distribution is the equal-weight mixture of the
		 * members' normals: its variance adds the members' disagreement
		 * to their own variances (M3 coverage of the 95% intervals,
		 * monthly/quarterly/yearly: 92.8/90.4/88.1 -> 93.8/91.9/90.0) */
		p->mean[j] /= members;
		double v = sq[j] / members - p->mean[j] * p->mean[j];
		p->sd[j] = v > 0 ? sqrt(v) : 0;
	}
	free(sq);
	strcpy(p->name, members == 2 ? "ensemble" : q.name);
	p->clip_zero = false;
	p->nparam = nparam;
	return 0;
}

static int run_method(enum forecast_method method, const double *y, size_t n, int m, int h,
		      struct forecast_path *p)
{
	switch (method) {
	case FORECAST_NAIVE:
		return forecast_naive(y, n, h, p);
	case FORECAST_SNAIVE:
		return forecast_snaive(y, n, m, h, p);
	case FORECAST_MEAN:
		return forecast_mean(y, n, h, p);
	case FORECAST_CROSTON:
		return forecast_intermittent(y, n, h, FORECAST_INT_CROSTON, p);
	case FORECAST_SBA:
		return forecast_intermittent(y, n, h, FORECAST_INT_SBA, p);
	case FORECAST_TSB:
		return forecast_intermittent(y, n, h, FORECAST_INT_TSB, p);
	case FORECAST_THETA:
		return forecast_theta(y, n, m, h, p);
	case FORECAST_ETS:
		return forecast_ets_auto(y, n, m, h, "ZZZ", p);
	case FORECAST_ARIMA:
		return forecast_arima(y, n, m, h, p);
	case FORECAST_DAMPED:
		return forecast_ets_auto(y, n, m, h, "ZDZ", p);
	case FORECAST_ENSEMBLE:
		return ensemble(y, n, m, h, p);
	case FORECAST_AUTO:
		/* TSB over Croston/SBA: on car parts it is both more accurate
		 * (MASE 0.98 vs 1.17) and nearly unbiased */
		if (is_intermittent(y, n))
			return forecast_intermittent(y, n, h, FORECAST_INT_TSB, p);
		return ensemble(y, n, m, h, p);
	}
	errno = EINVAL;
	return -1;
}

int forecast_transform_parse(const char *name)
{
	static const char *const names[] = {
		[FORECAST_TRANSFORM_NONE] = "none",
		[FORECAST_TRANSFORM_LOG] = "log",
		[FORECAST_TRANSFORM_BOXCOX] = "boxcox",
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

/* The lambda spec asks y[0..n) to be modelled with, NAN for none: the
 * transforms need every value positive and are not for the intermittent
 * methods (mostly zeros) nor for fewer than 4 values. */
static double pick_lambda(const double *y, size_t n, const struct forecast_spec *spec,
			  enum forecast_method method)
{
	if (spec->transform == FORECAST_TRANSFORM_NONE || n < 4 || method == FORECAST_CROSTON ||
	    method == FORECAST_SBA || method == FORECAST_TSB)
		return NAN;
	for (size_t t = 0; t < n; t++)
		if (!(y[t] > 0) || !isfinite(y[t]))
			return NAN;
	if (method == FORECAST_AUTO && is_intermittent(y, n))
		return NAN;
	if (spec->transform == FORECAST_TRANSFORM_LOG)
		return 0;
	return forecast_boxcox_lambda(y, n, spec->m, 0, 1);
}

/* Run method on y, or on its Box-Cox transform when lambda is a number
 * (z receives the transformed series). */
static int run_on_scale(enum forecast_method method, const double *y, size_t n, int m, int h,
			double lambda, struct forecast_path *p)
{
	if (isnan(lambda))
		return run_method(method, y, n, m, h, p);
	double *z = malloc(n * sizeof *z);
	if (!z) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t t = 0; t < n; t++)
		z[t] = forecast_boxcox(y[t], lambda);
	int rc = run_method(method, z, n, m, h, p);
	free(z);
	return rc;
}

double forecast_qt(double p, double nu)
{
	if (nu < 1.5)
		return tan(M_PI * (p - 0.5));
	if (nu < 2.5)
		return (2 * p - 1) / sqrt(2 * p * (1 - p));
	double z = forecast_qnorm(p), z2 = z * z;
	double g1 = (z2 + 1) * z / 4;
	double g2 = ((5 * z2 + 16) * z2 + 3) * z / 96;
	double g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384;
	double g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160;
	return z + g1 / nu + g2 / (nu * nu) + g3 / (nu * nu * nu) + g4 / (nu * nu * nu * nu);
}

/* The bounds of the model's normal (Student's t when sigma is estimated)
 * forecast distribution, mapped back through the transform, floored at 0
 * where the quantity cannot go below it. */
static void normal_bounds(struct forecast_result *out, const double *sd,
			  const struct forecast_path *p, const struct forecast_spec *spec, size_t n,
			  int h)
{
	for (int k = 0; k < spec->nlevels; k++) {
		/* sigma is estimated: Student's t with the degrees of freedom
		 * the fit leaves (the normal when unknown) */
		double pk = 0.5 + spec->levels[k] / 200.0;
		double nu = (double)n - p->nparam;
		double z = p->nparam > 0 && nu >= 1 ? forecast_qt(pk, nu) : forecast_qnorm(pk);
		for (int j = 0; j < h; j++) {
			double lo = out->mean[j] - z * sd[j], hi = out->mean[j] + z * sd[j];
			if (!isnan(out->lambda)) {
				/* quantiles map through a monotone transform */
				lo = forecast_boxcox_inv(lo, out->lambda);
				hi = forecast_boxcox_inv(hi, out->lambda);
			}
			if ((p->clip_zero || spec->nonneg) && lo < 0)
				lo = 0;
			out->lo[k * h + j] = isfinite(sd[j]) ? lo : NAN;
			if (spec->nonneg && hi < 0)
				hi = 0;
			out->hi[k * h + j] = isfinite(sd[j]) ? hi : NAN;
		}
	}
}

/* The bounds for a series of counts from an intermittent method: whole
 * numbers from a hurdle (no demand with probability 1 - d, else a size of
 * 1 + a negative binomial count with the sizes' mean and variance), or,
 * when the method gives no d, the negative binomial (Poisson when not
 * overdispersed) with its mean and in-sample error variance.  Chosen on
 * car parts over the normal clipped at 0 (tally-forecast(1)). */
static void count_bounds(struct forecast_result *out, const double *sd,
			 const struct forecast_path *p, const struct forecast_spec *spec, int h)
{
	for (int k = 0; k < spec->nlevels; k++)
		for (int j = 0; j < h; j++) {
			double lo = NAN, hi = NAN;
			struct forecast_counts c = {1, out->mean[j], sd[j] * sd[j]};
			if (p->demand > 0 && p->demand < 1) {
				/* a demand with probability d, of size 1 + NB */
				c.demand = p->demand;
				c.mu = fmax(out->mean[j] / p->demand - 1, 0);
				c.var = p->size_var;
			}
			if (!isfinite(sd[j]) ||
			    forecast_count_interval(&c, spec->levels[k] / 100, &lo, &hi) < 0)
				lo = hi = NAN;
			out->lo[k * h + j] = lo;
			out->hi[k * h + j] = hi;
		}
}

int forecast_series(const double *y, size_t n, const struct forecast_spec *spec,
		    struct forecast_result *out)
{
	const int h = spec->h;
	if (n == 0 || h < 1 || spec->m < 1 || spec->nlevels < 0) {
		errno = EINVAL;
		return -1;
	}
	for (int k = 0; k < spec->nlevels; k++)
		if (!(spec->levels[k] > 0 && spec->levels[k] < 100)) {
			errno = EINVAL;
			return -1;
		}
	double *sd = malloc(sizeof(double) * (size_t)h);
	if (!sd) {
		errno = ENOMEM;
		return -1;
	}
	struct forecast_path p = {.mean = out->mean, .sd = sd};
	enum forecast_method method = spec->method;
	out->fallback = false;
	/* short series: what can honestly be done with so few points */
	bool intermittent_method = method == FORECAST_CROSTON || method == FORECAST_SBA ||
				   method == FORECAST_TSB;
	if (n == 1 && method != FORECAST_NAIVE) {
		method = FORECAST_NAIVE;
		out->fallback = true;
	} else if (n < 4 && !intermittent_method && method != FORECAST_NAIVE &&
		   method != FORECAST_MEAN && method != FORECAST_SNAIVE) {
		method = FORECAST_MEAN;
		out->fallback = true;
	}
	out->lambda = pick_lambda(y, n, spec, method);
	int rc = run_on_scale(method, y, n, spec->m, h, out->lambda, &p);
	if (rc < 0 && errno != ENOMEM) {
		/* a model that cannot be fitted (too short for its parameters):
		 * Theta, then the mean, which always work from 4 points */
		out->fallback = true;
		out->lambda = NAN;
		rc = forecast_theta(y, n, spec->m, h, &p);
		if (rc < 0 && errno != ENOMEM)
			rc = forecast_mean(y, n, h, &p);
	}
	if (rc < 0) {
		free(sd);
		return -1;
	}
	if (isnan(out->lambda))
		snprintf(out->method, sizeof out->method, "%s", p.name);
	else if (out->lambda == 0)
		snprintf(out->method, sizeof out->method, "%s/log", p.name);
	else
		snprintf(out->method, sizeof out->method, "%s/boxcox %.2f", p.name, out->lambda);
	if (p.clip_zero && isnan(out->lambda) && forecast_is_counts(y, n))
		count_bounds(out, sd, &p, spec, h);
	else
		normal_bounds(out, sd, &p, spec, n, h);
	/* back on the data's scale: the median of the forecast distribution
	 * (the bias-adjusted mean, inv(z) (1 + sd^2 (1 - lambda) / 2 (lambda z
	 * + 1)^2), scored worse on M3: monthly sMAPE 13.63 against 13.31) */
	for (int j = 0; j < h && !isnan(out->lambda); j++)
		out->mean[j] = forecast_boxcox_inv(out->mean[j], out->lambda);
	/* a quantity that cannot go below 0: the forecast distribution is the
	 * model's normal censored at 0 (its median and quantiles are the
	 * normal's, floored at 0) */
	for (int j = 0; j < h && spec->nonneg; j++)
		if (out->mean[j] < 0)
			out->mean[j] = 0;
	free(sd);
	return 0;
}
