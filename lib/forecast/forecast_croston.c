/* forecast_croston.c - intermittent demand (most periods zero): Croston
 * (1972), the Syntetos-Boylan approximation (2005) and Teunter, Syntetos
 * & Babai (2011), all with the customary smoothing constants 0.1. */
#include "forecast.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define INT_ALPHA 0.1
#define INT_BETA 0.1

int forecast_intermittent(const double *y, size_t n, int h, enum forecast_intermittent v,
			  struct forecast_path *p)
{
	if (n < 1 || h < 1) {
		errno = EINVAL;
		return -1;
	}
	size_t first = 0, nonzero = 0;
	double sumnz = 0;
	while (first < n && y[first] == 0)
		first++;
	for (size_t t = 0; t < n; t++)
		if (y[t] != 0)
			nonzero++, sumnz += y[t];
	static const char *names[] = {"croston", "sba", "tsb"};
	strcpy(p->name, names[v]);
	p->clip_zero = true;
	p->nparam = 0;
	p->demand = 0, p->size_var = 0;
	if (nonzero == 0) {
		for (int j = 0; j < h; j++)
			p->mean[j] = 0, p->sd[j] = 0;
		return 0;
	}
	double f, ss = 0, mz = sumnz / nonzero, sv = 0;
	for (size_t t = 0; t < n; t++)
		if (y[t] != 0)
			sv += (y[t] - mz) * (y[t] - mz);
	p->size_var = nonzero > 1 ? sv / (double)(nonzero - 1) : 0;
	size_t nerr = 0;
	if (v == FORECAST_INT_TSB) {
		double d = (double)nonzero / n, z = sumnz / nonzero;
		for (size_t t = 0; t < n; t++) {
			double e = y[t] - d * z;
			ss += e * e, nerr++;
			if (y[t] != 0) {
				d += INT_BETA * (1 - d);
				z += INT_ALPHA * (y[t] - z);
			} else {
				d += INT_BETA * (0 - d);
			}
		}
		f = d * z;
		p->demand = d;
	} else {
		double factor = v == FORECAST_INT_SBA ? 1 - INT_ALPHA / 2 : 1.0;
		double z = y[first], iv = (double)(first + 1);
		double q = 1;
		for (size_t t = first + 1; t < n; t++) {
			double e = y[t] - factor * z / iv;
			ss += e * e, nerr++;
			if (y[t] != 0) {
				z += INT_ALPHA * (y[t] - z);
				iv += INT_ALPHA * (q - iv);
				q = 1;
			} else {
				q++;
			}
		}
		f = factor * z / iv;
		p->demand = 1 / iv;
	}
	double sd = nerr ? sqrt(ss / nerr) : NAN;
	for (int j = 0; j < h; j++)
		p->mean[j] = f, p->sd[j] = sd;
	return 0;
}
