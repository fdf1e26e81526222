/* forecast_simple.c - the benchmark methods: naive, seasonal naive and the
 * mean, used on their own and as fallbacks for short series. */
#include "forecast.h"

#include <errno.h>
#include <math.h>
#include <string.h>

int forecast_naive(const double *y, size_t n, int h, struct forecast_path *p)
{
	if (n < 1 || h < 1) {
		errno = EINVAL;
		return -1;
	}
	double ss = 0;
	for (size_t t = 1; t < n; t++)
		ss += (y[t] - y[t - 1]) * (y[t] - y[t - 1]);
	double sigma = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
	for (int j = 0; j < h; j++) {
		p->mean[j] = y[n - 1];
		p->sd[j] = sigma * sqrt(j + 1.0);
	}
	strcpy(p->name, "naive");
	p->clip_zero = false;
	p->nparam = 1;
	return 0;
}

int forecast_snaive(const double *y, size_t n, int m, int h, struct forecast_path *p)
{
	if (m < 2 || n < (size_t)m)
		return forecast_naive(y, n, h, p);
	double ss = 0;
	for (size_t t = (size_t)m; t < n; t++)
		ss += (y[t] - y[t - (size_t)m]) * (y[t] - y[t - (size_t)m]);
	double sigma = n > (size_t)m ? sqrt(ss / (double)(n - (size_t)m)) : NAN;
	for (int j = 0; j < h; j++) {
		p->mean[j] = y[n - (size_t)m + (size_t)(j % m)];
		p->sd[j] = sigma * sqrt((double)(j / m + 1));
	}
	strcpy(p->name, "snaive");
	p->clip_zero = false;
	p->nparam = 1;
	return 0;
}

int forecast_mean(const double *y, size_t n, int h, struct forecast_path *p)
{
	if (n < 1 || h < 1) {
		errno = EINVAL;
		return -1;
	}
	double mean = 0, ss = 0;
	for (size_t t = 0; t < n; t++)
		mean += y[t];
	mean /= n;
	for (size_t t = 0; t < n; t++)
		ss += (y[t] - mean) * (y[t] - mean);
	double sd = n > 1 ? sqrt(ss / (double)(n - 1)) * sqrt(1 + 1.0 / n) : NAN;
	for (int j = 0; j < h; j++) {
		p->mean[j] = mean;
		p->sd[j] = sd;
	}
	strcpy(p->name, "mean");
	p->clip_zero = false;
	p->nparam = 2;
	return 0;
}
