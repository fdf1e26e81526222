/* forecast_score.c - accuracy measures for forecasts against a hold-out:
 * sMAPE (M3), MASE (Hyndman & Koehler 2006), RMSSE (M5) and scaled bias. */
#include "forecast.h"

#include <math.h>

void forecast_score(const double *x, size_t n, int m, const double *a, const double *f, int h,
		    struct forecast_score *s)
{
	double sm = 0, ae = 0, se = 0, me = 0;
	for (int j = 0; j < h; j++) {
		double d = a[j] - f[j], den = fabs(a[j]) + fabs(f[j]);
		if (den > 0)
			sm += fabs(d) / den;
		ae += fabs(d), se += d * d, me += f[j] - a[j];
	}
	s->smape = 200.0 * sm / h;
	size_t lag = (m > 1 && n > (size_t)m) ? (size_t)m : 1;
	double scale = 0, scale2 = 0;
	for (size_t t = lag; t < n; t++)
		scale += fabs(x[t] - x[t - lag]);
	for (size_t t = 1; t < n; t++)
		scale2 += (x[t] - x[t - 1]) * (x[t] - x[t - 1]);
	scale = n > lag ? scale / (double)(n - lag) : 0;
	scale2 = n > 1 ? scale2 / (double)(n - 1) : 0;
	s->mase = scale > 0 ? ae / h / scale : NAN;
	s->bias = scale > 0 ? me / h / scale : NAN;
	s->rmsse = scale2 > 0 ? sqrt(se / h / scale2) : NAN;
}
