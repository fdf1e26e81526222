/* forecast_arima.c - automatic ARIMA in the manner of Hyndman & Khandakar
 * (2008): differencing chosen by KPSS tests, orders by a stepwise search on
 * AICc, coefficients by conditional sum of squares (Levenberg-Marquardt);
 * seasonality is removed beforehand by the classical multiplicative
 * decomposition Theta uses, instead of seasonal ARIMA terms. */
#include "forecast.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AR_MAX 5        /* max p, max q, and max p + q (R's max.order) */
#define NPAR (2 * AR_MAX + 1)
#define KPSS_CRIT_1PCT 0.739 /* KPSS level test, 1% */
#define KPSS_CRIT 0.463 /* 5% critical value, level stationarity */
#define ROOT_MARGIN 1.01 /* roots closer to the unit circle are rejected */

int forecast_kpss_ndiffs(const double *x, size_t n)
{
	double *w = malloc(n * sizeof *w);
	if (!w) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(w, x, n * sizeof *w);
	int d = 0;
	size_t len = n;
	while (d < 2 && len >= 4) {
		double mean = 0;
		for (size_t t = 0; t < len; t++)
			mean += w[t];
		mean /= len;
		double s2 = 0, cum = 0, eta = 0;
		for (size_t t = 0; t < len; t++) {
			double e = w[t] - mean;
			s2 += e * e;
			cum += e;
			eta += cum * cum;
		}
		if (s2 <= 1e-20 * (1 + mean * mean) * len)
			break; /* constant: nothing to difference */
		/* long-run variance with Bartlett weights, lag trunc(3 sqrt(n) / 13) */
		size_t lags = (size_t)(3 * sqrt((double)len) / 13);
		double lrv = s2;
		for (size_t l = 1; l <= lags && l < len; l++) {
			double c = 0;
			for (size_t t = l; t < len; t++)
				c += (w[t] - mean) * (w[t - l] - mean);
			lrv += 2 * (1 - (double)l / (lags + 1)) * c;
		}
		lrv /= len;
		double stat = eta / ((double)len * len) / lrv;
		/* a second difference only when the data insist: KPSS at 1% on
		 * the differenced series (two differences extrapolate the last
		 * slope for ever, the runaway trend of short yearly series) */
		if (!(stat > (d == 0 ? KPSS_CRIT : KPSS_CRIT_1PCT)))
			break;
		for (size_t t = 0; t + 1 < len; t++)
			w[t] = w[t + 1] - w[t];
		len--;
		d++;
	}
	free(w);
	return d;
}

/* Whether 1 - a[0] z - ... - a[k-1] z^k has every root beyond ROOT_MARGIN
 * (the step-down recursion: all partial autocorrelations inside (-1, 1)). */
static bool roots_outside(const double *a, int k)
{
	double c[AR_MAX], nxt[AR_MAX];
	double r = 1;
	for (int i = 0; i < k; i++) {
		r *= ROOT_MARGIN;
		c[i] = a[i] * r;
	}
	for (int j = k; j >= 1; j--) {
		double kappa = c[j - 1];
		if (!(fabs(kappa) < 1))
			return false;
		double den = 1 - kappa * kappa;
		for (int i = 0; i < j - 1; i++)
			nxt[i] = (c[i] + kappa * c[j - 2 - i]) / den;
		memcpy(c, nxt, sizeof(double) * (size_t)(j - 1));
	}
	return true;
}

/* One candidate ARMA(p, q) on the differenced series, with or without a
 * constant (the mean of w: a level for d = 0, a drift for d = 1). */
struct arma {
	int p, q;
	bool constant;
	double coef[NPAR]; /* phi[0..p), theta[0..q), then mu */
	double sse;        /* conditional sum of squares over t = p .. n-1 */
	double aicc;       /* INFINITY when not admissible */
};

static bool admissible(const struct arma *a)
{
	double ma[AR_MAX];
	for (int j = 0; j < a->q; j++)
		ma[j] = -a->coef[a->p + j];
	return roots_outside(a->coef, a->p) && roots_outside(ma, a->q);
}

/* Residuals e[p..n) of a on w (e[t] = 0 for t < p) and their sum of
 * squares from t0 >= p on; with jac non-NULL also de_t / dcoef_k in
 * jac[t * NPAR + k].  Every model sums from the same t0 so that their
 * likelihoods, and AICc, are over the same observations. */
static double css(const struct arma *a, const double *w, size_t n, size_t t0, double *e,
		  double *jac)
{
	const int p = a->p, q = a->q, k = p + q + (a->constant ? 1 : 0);
	const double *phi = a->coef, *theta = a->coef + p;
	const double mu = a->constant ? a->coef[p + q] : 0;
	double sse = 0, sumphi = 0;
	for (int i = 0; i < p; i++)
		sumphi += phi[i];
	for (size_t t = 0; t < (size_t)p && t < n; t++) {
		e[t] = 0;
		if (jac)
			for (int c = 0; c < k; c++)
				jac[t * NPAR + c] = 0;
	}
	for (size_t t = (size_t)p; t < n; t++) {
		double v = w[t] - mu;
		for (int i = 0; i < p; i++)
			v -= phi[i] * (w[t - 1 - (size_t)i] - mu);
		for (int j = 0; j < q && (size_t)j < t; j++)
			v -= theta[j] * e[t - 1 - (size_t)j];
		e[t] = v;
		if (t >= t0)
			sse += v * v;
		if (!jac)
			continue;
		double *d = jac + t * NPAR;
		for (int i = 0; i < p; i++)
			d[i] = -(w[t - 1 - (size_t)i] - mu);
		for (int j = 0; j < q; j++)
			d[p + j] = t > (size_t)j ? -e[t - 1 - (size_t)j] : 0;
		if (a->constant)
			d[p + q] = -(1 - sumphi);
		/* the MA recursion carries every derivative along */
		for (int j = 0; j < q && (size_t)j < t; j++) {
			const double *prev = jac + (t - 1 - (size_t)j) * NPAR;
			for (int c = 0; c < k; c++)
				d[c] -= theta[j] * prev[c];
		}
	}
	return sse;
}

/* Solve the k x k system A x = b (A symmetric positive definite, kept) by
 * Cholesky; false when A is not positive definite. */
static bool solve_spd(const double *A, const double *b, double *x, int k)
{
	double L[NPAR * NPAR] = {0};
	for (int i = 0; i < k; i++)
		for (int j = 0; j <= i; j++) {
			double s = A[i * NPAR + j];
			for (int c = 0; c < j; c++)
				s -= L[i * NPAR + c] * L[j * NPAR + c];
			if (i == j) {
				if (!(s > 0))
					return false;
				L[i * NPAR + i] = sqrt(s);
			} else {
				L[i * NPAR + j] = s / L[j * NPAR + j];
			}
		}
	for (int i = 0; i < k; i++) {
		double s = b[i];
		for (int c = 0; c < i; c++)
			s -= L[i * NPAR + c] * x[c];
		x[i] = s / L[i * NPAR + i];
	}
	for (int i = k - 1; i >= 0; i--) {
		double s = x[i];
		for (int c = i + 1; c < k; c++)
			s -= L[c * NPAR + i] * x[c];
		x[i] = s / L[i * NPAR + i];
	}
	return true;
}

/* Fit a by conditional least squares: Levenberg-Marquardt from zero
 * coefficients and the mean, steps kept inside the admissible region.
 * Sets sse and aicc (INFINITY when nothing admissible fits). */
static void fit_arma(struct arma *a, const double *w, size_t n, size_t t0, double *e,
		     double *jac)
{
	const int k = a->p + a->q + (a->constant ? 1 : 0);
	const size_t used = n - t0;
	memset(a->coef, 0, sizeof a->coef);
	a->aicc = INFINITY;
	if ((double)used - k - 2 <= 0)
		return;
	if (a->constant) {
		double mean = 0;
		for (size_t t = 0; t < n; t++)
			mean += w[t];
		a->coef[a->p + a->q] = mean / n;
	}
	double sse = css(a, w, n, t0, e, jac);
	double lambda = 1e-3;
	for (int iter = 0; iter < 30 && k > 0; iter++) {
		double JtJ[NPAR * NPAR] = {0}, Jte[NPAR] = {0}, step[NPAR];
		for (size_t t = t0; t < n; t++) {
			const double *d = jac + t * NPAR;
			for (int i = 0; i < k; i++) {
				Jte[i] += d[i] * e[t];
				for (int j = 0; j <= i; j++)
					JtJ[i * NPAR + j] += d[i] * d[j];
			}
		}
		for (int i = 0; i < k; i++)
			for (int j = 0; j < i; j++)
				JtJ[j * NPAR + i] = JtJ[i * NPAR + j];
		bool improved = false;
		for (int tries = 0; tries < 8 && !improved; tries++) {
			double A[NPAR * NPAR];
			memcpy(A, JtJ, sizeof A);
			for (int i = 0; i < k; i++)
				A[i * NPAR + i] += lambda * (JtJ[i * NPAR + i] + 1e-12);
			for (int i = 0; i < k; i++)
				Jte[i] = -Jte[i];
			bool ok = solve_spd(A, Jte, step, k);
			for (int i = 0; i < k; i++)
				Jte[i] = -Jte[i];
			if (ok) {
				struct arma b = *a;
				for (int i = 0; i < k; i++)
					b.coef[i] += step[i];
				if (admissible(&b)) {
					double s = css(&b, w, n, t0, e, NULL);
					if (s < sse) {
						double rel = (sse - s) / (sse + 1e-300);
						*a = b;
						sse = s;
						improved = true;
						lambda = fmax(lambda / 10, 1e-9);
						if (rel < 1e-9)
							iter = 1000; /* converged */
						break;
					}
				}
			}
			lambda *= 10;
		}
		if (!improved)
			break;
		sse = css(a, w, n, t0, e, jac);
	}
	if (!admissible(a) || !isfinite(sse))
		return;
	a->sse = sse;
	double dn = (double)used, sigma2 = sse / dn;
	if (sigma2 < 1e-300)
		sigma2 = 1e-300;
	double npar = k + 1;
	a->aicc = dn * (log(2 * M_PI * sigma2) + 1) + 2 * npar +
		  2 * npar * (npar + 1) / (dn - npar - 1);
}

/* Hyndman-Khandakar's stepwise search over (p, q, constant), p <= pmax;
 * every model's sum of squares starts at t = pmax. */
static void stepwise(const double *w, size_t n, int pmax, bool allow_constant, double *e,
		     double *jac, struct arma *best)
{
	const size_t t0 = (size_t)pmax;
	bool tried[AR_MAX + 1][AR_MAX + 1][2] = {{{false}}};
	best->aicc = INFINITY;
	static const int starts[4][2] = {{2, 2}, {0, 0}, {1, 0}, {0, 1}};
	for (int s = 0; s < 4; s++) {
		struct arma a = {.p = starts[s][0], .q = starts[s][1], .constant = allow_constant};
		if (a.p > pmax || tried[a.p][a.q][a.constant])
			continue;
		tried[a.p][a.q][a.constant] = true;
		fit_arma(&a, w, n, t0, e, jac);
		if (a.aicc < best->aicc)
			*best = a;
	}
	if (!isfinite(best->aicc))
		return;
	static const int moves[8][2] = {{-1, 0}, {1, 0}, {0, -1}, {0, 1},
					{-1, -1}, {1, 1}, {-1, 1}, {1, -1}};
	for (int round = 0; round < 100; round++) {
		bool moved = false;
		for (int mv = 0; mv < 9 && !moved; mv++) {
			struct arma a = {.p = best->p, .q = best->q, .constant = best->constant};
			if (mv < 8) {
				a.p += moves[mv][0], a.q += moves[mv][1];
			} else {
				if (!allow_constant)
					break;
				a.constant = !a.constant;
			}
			if (a.p < 0 || a.q < 0 || a.p > pmax || a.p + a.q > AR_MAX ||
			    tried[a.p][a.q][a.constant])
				continue;
			tried[a.p][a.q][a.constant] = true;
			fit_arma(&a, w, n, t0, e, jac);
			if (a.aicc < best->aicc) {
				*best = a;
				moved = true;
			}
		}
		if (!moved)
			break;
	}
}

/* Point forecasts and standard errors of the ARIMA(p, d, q) a on x[0..n)
 * whose differences w[0..nw) left residuals e[0..nw) with variance sigma2. */
static void arima_predict(const struct arma *a, int d, const double *x, size_t n,
			  const double *w, const double *e, size_t nw, double sigma2, int h,
			  double *mean, double *sd)
{
	const int p = a->p, q = a->q;
	const double *phi = a->coef, *theta = a->coef + p;
	const double mu = a->constant ? a->coef[p + q] : 0;
	/* forecasts of w: past values, then the forecasts themselves */
	for (int j = 0; j < h; j++) {
		double v = mu;
		for (int i = 0; i < p; i++) {
			long at = (long)nw + j - 1 - i;
			double past = at >= (long)nw ? mean[at - (long)nw] : w[at];
			v += phi[i] * (past - mu);
		}
		for (int c = 0; c < q; c++) {
			long at = (long)nw + j - 1 - c;
			if (at < (long)nw && at >= 0)
				v += theta[c] * e[at];
		}
		mean[j] = v;
	}
	/* integrate d times: x at the last observation, then its difference */
	if (d == 2) {
		double last = x[n - 1] - x[n - 2];
		for (int j = 0; j < h; j++)
			mean[j] = last += mean[j];
	}
	if (d >= 1) {
		double last = x[n - 1];
		for (int j = 0; j < h; j++)
			mean[j] = last += mean[j];
	}
	/* psi weights of phi(B) (1 - B)^d psi(B) = theta(B) */
	double ar[AR_MAX + 2] = {0};
	int pa = p + d;
	for (int i = 0; i < p; i++)
		ar[i] = phi[i];
	for (int r = 0; r < d; r++) /* multiply by (1 - B) */
		for (int i = p + r; i >= 0; i--)
			ar[i] -= i > 0 ? ar[i - 1] : -1;
	double psi_prev[64], acc = 0;
	for (int j = 0; j < h; j++) {
		double psi;
		if (j == 0) {
			psi = 1;
		} else {
			psi = j <= q ? theta[j - 1] : 0;
			for (int i = 1; i <= pa && i <= j; i++)
				psi += ar[i - 1] * (j - i < 64 ? psi_prev[(j - i) % 64] : 0);
		}
		psi_prev[j % 64] = psi;
		acc += psi * psi;
		sd[j] = sqrt(sigma2 * acc);
	}
}

int forecast_arima(const double *y, size_t n, int m, int h, struct forecast_path *p)
{
	if (n < 3 || h < 1) {
		errno = EINVAL;
		return -1;
	}
	double *x = malloc(n * sizeof *x);
	double *w = malloc(n * sizeof *w);
	double *e = malloc(n * sizeof *e);
	double *jac = malloc(n * NPAR * sizeof *jac);
	double *idx = m >= 2 ? malloc((size_t)m * sizeof *idx) : NULL;
	int rc = -1;
	if (!x || !w || !e || !jac || (m >= 2 && !idx)) {
		errno = ENOMEM;
		goto out;
	}
	int seasonal = forecast_seasonal_adjust(y, n, m, x, idx);
	int d = forecast_kpss_ndiffs(x, n);
	if (d < 0)
		goto out;
	memcpy(w, x, n * sizeof *w);
	size_t nw = n;
	for (int r = 0; r < d; r++, nw--)
		for (size_t t = 0; t + 1 < nw; t++)
			w[t] = w[t + 1] - w[t];
	/* at most one AR lag per 4 observations: the sums of squares all
	 * start after pmax of them */
	int pmax = nw / 4 < AR_MAX ? (int)(nw / 4) : AR_MAX;
	struct arma best;
	stepwise(w, nw, pmax, d <= 1, e, jac, &best);
	if (!isfinite(best.aicc)) {
		errno = EDOM;
		goto out;
	}
	double sse = css(&best, w, nw, (size_t)best.p, e, NULL);
	double sigma2 = sse / (double)(nw - (size_t)best.p);
	arima_predict(&best, d, x, n, w, e, nw, sigma2, h, p->mean, p->sd);
	if (seasonal)
		for (int j = 0; j < h; j++)
			forecast_reseasonalise(seasonal, idx[(n + (size_t)j) % (size_t)m],
					       &p->mean[j], &p->sd[j]);
	snprintf(p->name, sizeof p->name, "arima(%d,%d,%d)%s", best.p, d, best.q,
		 best.constant ? (d == 0 ? " with mean" : " with drift") : "");
	p->clip_zero = false;
	p->nparam = best.p + best.q + (best.constant ? 1 : 0) + 1 + d;
	rc = 0;
out:
	free(x);
	free(w);
	free(e);
	free(jac);
	free(idx);
	return rc;
}
