/* forecast_optim.c - the numerical helpers the models share: a small
 * Nelder-Mead minimiser and the normal quantile. */
#include "forecast.h"

#include <math.h>
#include <string.h>

#define NM_MAXDIM 16

double forecast_nelder_mead(double (*f)(const double *x, void *ctx), void *ctx, int dim,
			    double *x, const double *step, int max_eval, double tol)
{
	double pt[NM_MAXDIM + 1][NM_MAXDIM], val[NM_MAXDIM + 1];
	double cen[NM_MAXDIM], xr[NM_MAXDIM], xe[NM_MAXDIM], xc[NM_MAXDIM];
	int evals = 0;

	if (dim < 1 || dim > NM_MAXDIM)
		return NAN;
	for (int i = 0; i <= dim; i++) {
		memcpy(pt[i], x, sizeof(double) * (size_t)dim);
		if (i > 0)
			pt[i][i - 1] += step[i - 1];
		val[i] = f(pt[i], ctx);
		evals++;
	}
	for (;;) {
		/* order: best first (insertion sort, dim is tiny) */
		for (int i = 1; i <= dim; i++) {
			double v = val[i], p[NM_MAXDIM];
			memcpy(p, pt[i], sizeof(double) * (size_t)dim);
			int j = i - 1;
			while (j >= 0 && val[j] > v) {
				val[j + 1] = val[j];
				memcpy(pt[j + 1], pt[j], sizeof(double) * (size_t)dim);
				j--;
			}
			val[j + 1] = v;
			memcpy(pt[j + 1], p, sizeof(double) * (size_t)dim);
		}
		if (evals >= max_eval)
			break;
		if (isfinite(val[dim]) &&
		    fabs(val[dim] - val[0]) <= tol * (fabs(val[0]) + 1e-10))
			break;
		for (int k = 0; k < dim; k++) {
			double s = 0;
			for (int i = 0; i < dim; i++)
				s += pt[i][k];
			cen[k] = s / dim;
		}
		for (int k = 0; k < dim; k++)
			xr[k] = cen[k] + (cen[k] - pt[dim][k]);
		double fr = f(xr, ctx);
		evals++;
		if (fr < val[0]) {
			for (int k = 0; k < dim; k++)
				xe[k] = cen[k] + 2 * (cen[k] - pt[dim][k]);
			double fe = f(xe, ctx);
			evals++;
			if (fe < fr) {
				memcpy(pt[dim], xe, sizeof(double) * (size_t)dim);
				val[dim] = fe;
			} else {
				memcpy(pt[dim], xr, sizeof(double) * (size_t)dim);
				val[dim] = fr;
			}
			continue;
		}
		if (fr < val[dim - 1]) {
			memcpy(pt[dim], xr, sizeof(double) * (size_t)dim);
			val[dim] = fr;
			continue;
		}
		/* contract: outside when the reflection helped a little, else inside */
		bool outside = fr < val[dim];
		for (int k = 0; k < dim; k++)
			xc[k] = outside ? cen[k] + 0.5 * (xr[k] - cen[k])
					: cen[k] + 0.5 * (pt[dim][k] - cen[k]);
		double fc = f(xc, ctx);
		evals++;
		if (fc < (outside ? fr : val[dim])) {
			memcpy(pt[dim], xc, sizeof(double) * (size_t)dim);
			val[dim] = fc;
			continue;
		}
		for (int i = 1; i <= dim; i++) {
			for (int k = 0; k < dim; k++)
				pt[i][k] = pt[0][k] + 0.5 * (pt[i][k] - pt[0][k]);
			val[i] = f(pt[i], ctx);
			evals++;
		}
	}
	memcpy(x, pt[0], sizeof(double) * (size_t)dim);
	return val[0];
}

double forecast_qnorm(double p)
{
	/* Newton's method on the exact CDF 0.5*erfc(-z/sqrt 2): a handful of
	 * steps from z = 0 reach double precision for the levels people ask. */
	if (!(p > 0 && p < 1))
		return NAN;
	double z = 0;
	for (int i = 0; i < 100; i++) {
		double cdf = 0.5 * erfc(-z / sqrt(2.0));
		double pdf = exp(-0.5 * z * z) / sqrt(2 * M_PI);
		if (pdf < 1e-300)
			break;
		double dz = (cdf - p) / pdf;
		if (dz > 1)
			dz = 1;
		if (dz < -1)
			dz = -1;
		z -= dz;
		if (fabs(dz) < 1e-14)
			break;
	}
	return z;
}
