/* forecast_count.c - prediction intervals for series of counts (whole
 * numbers, never negative, mostly zeros): the run of whole numbers, grown
 * from the most likely count, that a Poisson, negative binomial or hurdle
 * forecast distribution gives the level's probability. */
#include "forecast.h"

#include <errno.h>
#include <math.h>

/* the longest interval walked, in whole numbers: far beyond any count a
 * mean and variance in range can give */
#define COUNT_MAX_STEPS 1000000

bool forecast_is_counts(const double *y, size_t n)
{
	if (n == 0)
		return false;
	for (size_t t = 0; t < n; t++)
		if (!(y[t] >= 0) || !isfinite(y[t]) || y[t] != floor(y[t]) || y[t] > 1e9)
			return false;
	return true;
}

/* log P(Y = k): Poisson when r is infinite, else negative binomial with
 * size r and mean mu. */
static double count_logpmf(double k, double mu, double r)
{
	if (isinf(r))
		return k * log(mu) - mu - lgamma(k + 1);
	return lgamma(k + r) - lgamma(r) - lgamma(k + 1) + r * log(r / (r + mu)) +
	       k * log(mu / (r + mu));
}

/* The most likely count. */
static double count_mode(double mu, double r)
{
	if (isinf(r))
		return floor(mu);
	return r > 1 ? floor((r - 1) * mu / r) : 0;
}

/* P(Y = k) of the distribution c (see forecast.h), with r its negative
 * binomial size (infinite: Poisson). */
static double count_pmf(const struct forecast_counts *c, double r, double k)
{
	if (c->demand >= 1)
		return c->mu > 0 ? exp(count_logpmf(k, c->mu, r)) : k == 0;
	if (k == 0)
		return 1 - c->demand;
	return c->demand * (c->mu > 0 ? exp(count_logpmf(k - 1, c->mu, r)) : k == 1);
}

int forecast_count_interval(const struct forecast_counts *c, double level, double *lo, double *hi)
{
	double mu = c->mu, var = c->var, d = c->demand;
	if (!(mu >= 0) || !isfinite(mu) || !(level > 0 && level < 1) || isnan(var) ||
	    !(d > 0 && d <= 1)) {
		errno = EINVAL;
		return -1;
	}
	/* variance at most the mean: Poisson (r infinite) */
	double r = var > mu * (1 + 1e-9) ? mu * mu / (var - mu) : INFINITY;
	double a = mu > 0 ? count_mode(mu, r) + (d < 1) : d < 1;
	if (d < 1 && 1 - d >= count_pmf(c, r, a))
		a = 0;
	double b = a, mass = count_pmf(c, r, a);
	for (long s = 0; mass < level && s < COUNT_MAX_STEPS; s++) {
		/* widen towards the likelier neighbour */
		double pl = a > 0 ? count_pmf(c, r, a - 1) : 0;
		double ph = count_pmf(c, r, b + 1);
		if (pl == 0 && ph == 0)
			break;
		if (pl > ph)
			a--, mass += pl;
		else
			b++, mass += ph;
	}
	*lo = a, *hi = b;
	return 0;
}
