/* forecast_theta.c - the standard Theta method (Assimakopoulos &
 * Nikolopoulos 2000, in the form of Hyndman & Billah 2003 and R forecast's
 * thetaf), with the seasonality test and the classical multiplicative
 * decomposition it relies on. */
#include "forecast.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The 90% ACF test at lag m on y[0..n) as it is. */
static bool acf_test(const double *y, size_t n, int m)
{
	if (m < 2 || n < (size_t)(2 * m))
		return false;
	double mean = 0, den = 0;
	for (size_t t = 0; t < n; t++)
		mean += y[t];
	mean /= n;
	for (size_t t = 0; t < n; t++)
		den += (y[t] - mean) * (y[t] - mean);
	if (den <= 0)
		return false;
	double sumsq = 0, rm = 0;
	for (int k = 1; k <= m; k++) {
		double num = 0;
		for (size_t t = 0; t + (size_t)k < n; t++)
			num += (y[t] - mean) * (y[t + (size_t)k] - mean);
		double r = num / den;
		if (k < m)
			sumsq += r * r;
		else
			rm = r;
	}
	double limit = 1.6448536269514722 * sqrt((1 + 2 * sumsq) / n);
	return fabs(rm) > limit;
}

bool forecast_seasonal_test(const double *y, size_t n, int m)
{
	if (m < 2 || n < (size_t)(2 * m))
		return false;
	if (acf_test(y, n, m))
		return true;
	/* a trend inflates the autocorrelations below lag m and with them
	 * the limit: test the first differences too */
	double *d = malloc((n - 1) * sizeof *d);
	if (!d)
		return false;
	for (size_t t = 1; t < n; t++)
		d[t - 1] = y[t] - y[t - 1];
	bool r = acf_test(d, n - 1, m);
	free(d);
	return r;
}

/* Classical decomposition indices, multiplicative (ratios to the centred
 * moving average, mean 1) or additive (differences, mean 0). */
static int decompose(const double *y, size_t n, int m, bool mult, double *idx)
{
	if (m < 2 || n < (size_t)(2 * m)) {
		errno = EINVAL;
		return -1;
	}
	double *sum = calloc((size_t)m, sizeof *sum);
	int *cnt = calloc((size_t)m, sizeof *cnt);
	if (!sum || !cnt) {
		free(sum);
		free(cnt);
		errno = ENOMEM;
		return -1;
	}
	size_t half = (size_t)m / 2;
	int rc = 0;
	/* centred moving average of order m (2 x m for even m), kept as a
	 * running sum so the cost is O(n) whatever m is */
	double run = 0;
	for (size_t k = 0; k < (size_t)m; k++)
		run += y[k];
	for (size_t t = half; t + half < n; t++) {
		double ma;
		if (m % 2 == 0) {
			/* window y[t-half .. t+half]: ends weighted one half */
			size_t lo = t - half;
			if (lo + (size_t)m >= n)
				break;
			/* run holds y[lo .. lo+m-1] */
			ma = (run + y[lo + (size_t)m] - 0.5 * y[lo] - 0.5 * y[lo + (size_t)m]) / m;
			run += y[lo + (size_t)m] - y[lo];
		} else {
			size_t lo = t - half;
			ma = run / m;
			if (lo + (size_t)m < n)
				run += y[lo + (size_t)m] - y[lo];
		}
		if (mult && !(ma > 0)) {
			rc = -1;
			break;
		}
		sum[t % (size_t)m] += mult ? y[t] / ma : y[t] - ma;
		cnt[t % (size_t)m]++;
	}
	if (rc == 0) {
		double tot = 0;
		for (int j = 0; j < m; j++) {
			idx[j] = cnt[j] ? sum[j] / cnt[j] : mult ? 1.0 : 0.0;
			tot += idx[j];
		}
		for (int j = 0; j < m; j++)
			idx[j] = mult ? idx[j] * m / tot : idx[j] - tot / m;
	} else {
		errno = EINVAL;
	}
	free(sum);
	free(cnt);
	return rc;
}

int forecast_decompose_mult(const double *y, size_t n, int m, double *idx)
{
	return decompose(y, n, m, true, idx);
}

int forecast_decompose_add(const double *y, size_t n, int m, double *idx)
{
	return decompose(y, n, m, false, idx);
}

void forecast_reseasonalise(int kind, double s, double *mean, double *sd)
{
	if (kind == 'M')
		*mean *= s, *sd *= s;
	else if (kind == 'A')
		*mean += s;
}

int forecast_theta(const double *y, size_t n, int m, int h, struct forecast_path *p)
{
	if (n < 3 || h < 1) {
		errno = EINVAL;
		return -1;
	}
	double *x = malloc(n * sizeof *x);
	double *idx = m >= 2 ? malloc((size_t)m * sizeof *idx) : NULL;
	if (!x || (m >= 2 && !idx)) {
		free(x);
		free(idx);
		errno = ENOMEM;
		return -1;
	}
	int seasonal = forecast_seasonal_adjust(y, n, m, x, idx);

	struct forecast_ets ses = {.error = 'A', .trend = 'N', .season = 'N', .m = 1};
	if (forecast_ets_fit(x, n, &ses) < 0) {
		free(x);
		free(idx);
		return -1;
	}
	/* drift: half the slope of the least-squares line on t = 0..n-1 */
	double sx = 0, sy = 0, sxx = 0, sxy = 0, dn = (double)n;
	for (size_t t = 0; t < n; t++) {
		double tt = (double)t;
		sx += tt, sy += x[t], sxx += tt * tt, sxy += tt * x[t];
	}
	double b = (dn * sxy - sx * sy) / (dn * sxx - sx * sx) / 2;
	double alpha = ses.alpha > 1e-10 ? ses.alpha : 1e-10;
	double offset = (1 - pow(1 - alpha, dn)) / alpha;
	double sigma = sqrt(ses.sigma2);
	for (int j = 0; j < h; j++) {
		p->mean[j] = ses.l + b * (j + offset);
		p->sd[j] = sigma * sqrt(1 + j * alpha * alpha);
		if (seasonal)
			forecast_reseasonalise(seasonal, idx[(n + (size_t)j) % (size_t)m],
					       &p->mean[j], &p->sd[j]);
	}
	strcpy(p->name, "theta");
	p->clip_zero = false;
	p->nparam = 4; /* alpha, level, drift, sigma */
	free(x);
	free(idx);
	return 0;
}

int forecast_seasonal_adjust(const double *y, size_t n, int m, double *x, double *idx)
{
	bool positive = true;
	memcpy(x, y, n * sizeof *x);
	for (size_t t = 0; t < n && positive; t++)
		positive = y[t] > 0;
	if (m < 2 || !forecast_seasonal_test(y, n, m))
		return 0;
	int kind = 'M';
	if (!positive || forecast_decompose_mult(y, n, m, idx) != 0) {
		/* zeros (or a moving average at or below 0): the ratios do not
		 * exist, the differences do */
		kind = 'A';
		if (forecast_decompose_add(y, n, m, idx) != 0)
			return 0;
	}
	for (size_t t = 0; t < n; t++)
		x[t] = kind == 'M' ? x[t] / idx[t % (size_t)m] : x[t] - idx[t % (size_t)m];
	return kind;
}
