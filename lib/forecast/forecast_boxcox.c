/* forecast_boxcox.c - the Box-Cox transform (Box & Cox 1964) that
 * forecast_series can model a positive series on: the transform, its
 * inverse, Guerrero's (1993) choice of lambda, and OTM on that scale
 * (the ensemble's member). */
#include "forecast.h"

#include <math.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

double forecast_boxcox(double x, double lambda)
{
	if (!(x > 0))
		return NAN;
	return lambda == 0 ? log(x) : (pow(x, lambda) - 1) / lambda;
}

double forecast_boxcox_inv(double z, double lambda)
{
	if (lambda == 0)
		return exp(z);
	double base = lambda * z + 1;
	/* below the transform's range: the limit, 0 for lambda > 0 */
	if (!(base > 0))
		return lambda > 0 ? 0 : INFINITY;
	return pow(base, 1 / lambda);
}

/* The coefficient of variation of sd_i / mean_i^(1 - lambda) over the
 * subseries of y (Guerrero's criterion); INFINITY when undefined. */
static double guerrero_cv(const double *y, size_t n, size_t len, double lambda)
{
	size_t groups = n / len;
	/* the last full groups: the most recent data weigh in */
	size_t start = n - groups * len;
	double sum = 0, sumsq = 0;
	for (size_t g = 0; g < groups; g++) {
		const double *x = y + start + g * len;
		double mu = 0, ss = 0;
		for (size_t t = 0; t < len; t++)
			mu += x[t];
		mu /= (double)len;
		for (size_t t = 0; t < len; t++)
			ss += (x[t] - mu) * (x[t] - mu);
		double ratio = sqrt(ss / (double)(len - 1)) / pow(mu, 1 - lambda);
		sum += ratio;
		sumsq += ratio * ratio;
	}
	double mean = sum / (double)groups;
	double var = (sumsq - sum * sum / (double)groups) / (double)(groups - 1);
	return mean > 0 ? sqrt(var > 0 ? var : 0) / mean : INFINITY;
}

double forecast_boxcox_lambda(const double *y, size_t n, int m, double lo, double hi)
{
	size_t len = m > 1 ? (size_t)m : 2;
	if (!(lo <= hi) || n < 2 * len)
		return NAN;
	for (size_t t = 0; t < n; t++)
		if (!(y[t] > 0))
			return NAN;
	/* golden-section search: the criterion is smooth and, over the
	 * ranges asked, has one minimum in practice; 40 steps shrink the
	 * bracket below 1e-8 of its width */
	const double g = (sqrt(5.0) - 1) / 2;
	double a = lo, b = hi;
	double c = b - g * (b - a), d = a + g * (b - a);
	double fc = guerrero_cv(y, n, len, c), fd = guerrero_cv(y, n, len, d);
	for (int i = 0; i < 40; i++) {
		if (fc <= fd) {
			b = d, d = c, fd = fc;
			c = b - g * (b - a);
			fc = guerrero_cv(y, n, len, c);
		} else {
			a = c, c = d, fc = fd;
			d = a + g * (b - a);
			fd = guerrero_cv(y, n, len, d);
		}
	}
	double best = (a + b) / 2;
	/* the ends are candidates too (a monotone criterion) */
	double fb = guerrero_cv(y, n, len, best);
	if (guerrero_cv(y, n, len, lo) < fb)
		best = lo, fb = guerrero_cv(y, n, len, lo);
	if (guerrero_cv(y, n, len, hi) < fb)
		best = hi;
	return best;
}

int forecast_theta_boxcox(const double *y, size_t n, int m, int h, struct forecast_path *p)
{
	double lambda = forecast_boxcox_lambda(y, n, m, 0, 1);
	if (isnan(lambda))
		return forecast_theta_otm(y, n, m, h, p);
	double *z = malloc(n * sizeof *z);
	if (!z) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t t = 0; t < n; t++)
		z[t] = forecast_boxcox(y[t], lambda);
	int rc = forecast_theta_otm_additive(z, n, m, h, p);
	free(z);
	if (rc < 0)
		return -1;
	for (int j = 0; j < h; j++) {
		double mu = p->mean[j], sd = p->sd[j];
		p->mean[j] = forecast_boxcox_inv(mu, lambda);
		if (isfinite(sd))
			p->sd[j] = (forecast_boxcox_inv(mu + sd, lambda) -
				    forecast_boxcox_inv(mu - sd, lambda)) / 2;
	}
	snprintf(p->name, sizeof p->name, "otm(boxcox %.2f)", lambda);
	return 0;
}
