/* forecast.h - univariate forecasting models (ETS, Theta, ARIMA, Croston/SBA/TSB,
 * naive) with prediction intervals, their combination, and accuracy scores.
 *
 * Everything here works on a plain series of doubles y[0..n) observed at
 * equally spaced periods with seasonal period m (12 monthly, 4 quarterly,
 * 1 for none).  Forecasts are estimates, so double is right here; money is
 * converted by the caller.  The library never prints or exits: functions
 * return 0, or -1 with errno set (EINVAL for arguments out of range, ENOMEM).
 *
 * Intervals are mean +- q * sd, with q the quantile of Student's t with
 * the degrees of freedom the fit leaves (n - parameters; the normal's when
 * unknown) and sd the model's forecast standard error
 * at each horizon: exact for the linear (additive-error, additive-component)
 * ETS classes and for naive/snaive/Theta, a documented first-order
 * approximation (relative error times the point forecast) for the
 * multiplicative ETS classes, and the in-sample one-step error for the
 * intermittent-demand methods (lower bound clipped at 0; on a series of
 * counts, whole-number bounds from a hurdle distribution instead). */
#ifndef TALLY_FORECAST_H
#define TALLY_FORECAST_H

#include <stdbool.h>
#include <stddef.h>

enum forecast_method {
	FORECAST_AUTO,     /* per series by shape: intermittent, short, or ensemble */
	FORECAST_ETS,      /* exponential smoothing state space, chosen by AICc */
	FORECAST_THETA,    /* the standard Theta method (thetaf) */
	FORECAST_ARIMA,    /* ARIMA by stepwise AICc on the seasonally adjusted series */
	FORECAST_NAIVE,    /* last value */
	FORECAST_SNAIVE,   /* value one season ago */
	FORECAST_CROSTON,  /* Croston's method, alpha 0.1 */
	FORECAST_SBA,      /* Syntetos-Boylan approximation of Croston */
	FORECAST_TSB,      /* Teunter-Syntetos-Babai (demand probability) */
	FORECAST_ENSEMBLE, /* mean of damped ETS and optimised Theta (OTM) */
	FORECAST_MEAN,     /* mean of the history (short series fallback) */
	FORECAST_DAMPED,   /* ETS with additive damped trend, error/season by AICc */
};

/* "auto", "ets", ... -> method, or -1 when the name is unknown. */
int forecast_method_parse(const char *name);
/* The name forecast_method_parse reads. */
const char *forecast_method_name(enum forecast_method m);
/* "auto, ets, theta, ..." for messages and usage. */
const char *forecast_method_list(void);

/* The scale a method models a series on. */
enum forecast_transform {
	FORECAST_TRANSFORM_NONE,   /* as it is */
	FORECAST_TRANSFORM_LOG,    /* log (Box-Cox lambda 0) */
	FORECAST_TRANSFORM_BOXCOX, /* Box-Cox with Guerrero's lambda in [0, 1] */
};

/* "none", "log", "boxcox" -> transform, or -1 when the name is unknown. */
int forecast_transform_parse(const char *name);

/* What the caller asks for. */
struct forecast_spec {
	enum forecast_method method; /* what to fit */
	int m;                       /* seasonal period, >= 1 */
	int h;                       /* horizon, >= 1 */
	const double *levels;        /* interval levels in percent, each in (0,100) */
	int nlevels;                 /* how many levels (0: no intervals) */
	bool nonneg;                 /* the quantity cannot go below 0: the forecast
					distribution is censored at 0 (mean and bounds
					floored at 0) */
	enum forecast_transform transform; /* model on this scale when every
					      value is positive (else as is) */
};

/* What comes back.  The caller owns all buffers. */
struct forecast_result {
	double *mean;     /* [h] point forecasts (caller-allocated) */
	double *lo, *hi;  /* [nlevels*h]: bounds of level k at step i are
			     lo[k*h+i], hi[k*h+i]; NAN when the method gives none */
	char method[40];  /* the method actually used: "ets(M,Ad,M)", "theta",
			     "ensemble", "naive", "sba", ..., followed by
			     "/log" or "/boxcox LAMBDA" when modelled on
			     that scale */
	bool fallback;    /* a simpler method than asked was used (too short) */
	double lambda;    /* the Box-Cox lambda modelled on (0: log), NAN for none */
};

/* Forecast y[0..n) h steps ahead with spec->method.  NaN values in y are
 * not allowed (the caller zero-fills).  Series too short for the method
 * fall back: n == 1 gives naive without intervals, n < 4 the mean, a
 * series shorter than two seasons is treated as non-seasonal; out->fallback
 * says so and out->method names what was used.  Multiplicative models are
 * only considered when every value is positive.  Returns 0, or -1 with
 * errno EINVAL (n == 0, h < 1, m < 1, a level outside (0,100)) or ENOMEM. */
int forecast_series(const double *y, size_t n, const struct forecast_spec *spec,
		    struct forecast_result *out);

/* ---- building blocks (used by forecast_series, exported for tests) ---- */

/* Forecast mean[h] and its standard error sd[h] (NAN when unknown) for one
 * model, and the name used.  All return 0 or -1 (errno). */
struct forecast_path {
	double *mean;    /* [h] */
	double *sd;      /* [h] */
	char name[40];   /* method used */
	bool clip_zero;  /* lower bounds should not go below 0 */
	double demand;   /* intermittent methods: probability that a period has
			    demand (0: not given) */
	double size_var; /* and the variance of the demand sizes */
	int nparam;      /* parameters estimated, sigma included (0: intervals
			    from the normal; else Student's t with n - nparam
			    degrees of freedom) */
};

int forecast_naive(const double *y, size_t n, int h, struct forecast_path *p);
int forecast_snaive(const double *y, size_t n, int m, int h, struct forecast_path *p);
int forecast_mean(const double *y, size_t n, int h, struct forecast_path *p);

/* Croston (variant 0), SBA (1) with alpha = 0.1, and TSB (2) with
 * alpha = 0.1 (size) and beta = 0.1 (demand probability).  A series with
 * no demand at all forecasts 0. */
enum forecast_intermittent { FORECAST_INT_CROSTON, FORECAST_INT_SBA, FORECAST_INT_TSB };
int forecast_intermittent(const double *y, size_t n, int h, enum forecast_intermittent v,
			  struct forecast_path *p);

/* True when y[0..n) is a series of counts: n >= 1 and every value a whole
 * number from 0 to 1e9. */
bool forecast_is_counts(const double *y, size_t n);

/* A forecast distribution of counts. */
struct forecast_counts {
	double demand; /* 1: Y is negative binomial with mean mu and variance var
			  (Poisson when var <= mu); in (0,1): a hurdle, Y = 0
			  with probability 1 - demand, else 1 + that count */
	double mu;     /* mean of the count, >= 0 */
	double var;    /* its variance */
};

/* The prediction interval [*lo, *hi] (whole numbers) of level (a
 * fraction in (0,1)) for the counts c: the run of counts grown from the
 * most likely one towards the likelier neighbour until its probability
 * reaches level.  Returns 0, or -1 (EINVAL) when c or level is out of
 * range. */
int forecast_count_interval(const struct forecast_counts *c, double level, double *lo,
			    double *hi);

/* The standard Theta method (as R forecast's thetaf): when m > 1, n >= 2m
 * and the seasonal test says seasonal, classical decomposition
 * (multiplicative, additive when y has zeros or negatives); SES by maximum likelihood on the adjusted series; drift =
 * half the slope of the linear trend; reseasonalised. */
int forecast_theta(const double *y, size_t n, int m, int h, struct forecast_path *p);

/* The Optimised Theta Method (OTM; Fiorucci, Pellegrini, Louzada &
 * Petropoulos 2016), the ensemble's second member: the same seasonal
 * adjustment as forecast_theta; the theta line z = theta x + (1 - theta)
 * (a + b t) about the least-squares line a + b t, smoothed by SES; the
 * forecast (1 - 1/theta) (a + b t) + SES(z) / theta.  theta in
 * [1, FORECAST_OTM_THETA_MAX] (1: SES, 2: the standard Theta method,
 * larger: more of the line), alpha and the initial level are chosen
 * jointly by least squares of the one-step errors.  Name "otm".  Fewer
 * than 5 values: forecast_theta.  Returns 0 or -1 (EINVAL: h < 1; EDOM;
 * ENOMEM). */
int forecast_theta_otm(const double *y, size_t n, int m, int h, struct forecast_path *p);

/* OTM's largest theta.  Chosen on the odd-numbered M3 series (the sum of
 * auto's monthly, quarterly and yearly sMAPE, 37.674 with the standard
 * Theta member, was least at 3 of 2.5, 3, 5, 10: 12.902/8.808/15.845
 * against 12.955/8.800/15.919) and checked on the even-numbered ones:
 * 13.688/8.607/16.235 against 13.758/8.583/16.087 (monthly better,
 * quarterly and yearly a little worse). */
#define FORECAST_OTM_THETA_MAX 3.0

/* forecast_theta_otm for a series on a Box-Cox (or log) scale: seasonally
 * adjusted by additive indices only.  That scale's zero is x = 1 in
 * whatever unit the data are in, so ratios to a moving average there
 * would change with the unit (cents or dollars); differences change with
 * it as the transform does, and the forecast back on the data's scale is
 * in the data's unit.  Fewer than 5 values: forecast_theta without a
 * season.  Returns as forecast_theta_otm. */
int forecast_theta_otm_additive(const double *y, size_t n, int m, int h, struct forecast_path *p);

/* Whether y looks seasonal at lag m: |r_m| > 1.645 * sqrt((1 + 2 sum_{k<m}
 * r_k^2) / n), the 90% test thetaf uses, on y or, failing that, on its
 * first differences (a trend inflates the limit on y itself).  False when
 * m < 2 or n < 2m (two full seasons at least). */
bool forecast_seasonal_test(const double *y, size_t n, int m);

/* The upper tail P(F > f) of Fisher's F distribution with d1 and d2
 * degrees of freedom (d1, d2 > 0); 1 when f <= 0. */
double forecast_f_pvalue(double f, double d1, double d2);

/* Classical multiplicative decomposition: seasonal indices idx[0..m)
 * (idx[j] for the periods t with t % m == j), normalised to mean 1.
 * Needs n >= 2m and positive values.  Returns 0 or -1 (EINVAL/ENOMEM). */
int forecast_decompose_mult(const double *y, size_t n, int m, double *idx);

/* Classical additive decomposition: idx[0..m) normalised to mean 0.
 * Needs n >= 2m; works with zeros and negative values. */
int forecast_decompose_add(const double *y, size_t n, int m, double *idx);

/* Seasonally adjust y[0..n) into x[0..n) the way Theta and ARIMA do: when
 * the seasonal test finds seasonality of period m, divide by the classical
 * multiplicative indices when y is all positive, else subtract the
 * additive ones (indices left in idx[0..m)); returns 'M' or 'A', or 0 (x
 * a copy of y) when not seasonal. */
int forecast_seasonal_adjust(const double *y, size_t n, int m, double *x, double *idx);

/* Put season s back on a forecast (mean, sd) adjusted by kind 'M' (times
 * s, sd too) or 'A' (plus s); kind 0 leaves them. */
void forecast_reseasonalise(int kind, double s, double *mean, double *sd);

/* Automatic ARIMA (Hyndman & Khandakar 2008, non-seasonal part): when
 * m > 1 and the seasonal test says seasonal, the series is first
 * adjusted by classical decomposition, as Theta does, and the forecasts
 * reseasonalised; the differencing d (0..2) by forecast_kpss_ndiffs; then a stepwise search over ARMA(p, q),
 * p + q <= 5, with and without a constant (mean for d = 0, drift for
 * d = 1), each fitted by conditional sum of squares and compared by
 * AICc; models with a root within 1.01 of the unit circle are rejected.
 * Standard errors from the psi weights.  Name "arima(p,d,q)" with
 * " with drift" / " with mean".  Returns 0 or -1 (EINVAL: n < 3; EDOM:
 * nothing admissible; ENOMEM). */
int forecast_arima(const double *y, size_t n, int m, int h, struct forecast_path *p);

/* The number of differences (0, 1 or 2) that successive KPSS tests of
 * level stationarity (lag truncation 3 sqrt(n) / 13) call for, as R
 * forecast's ndiffs but with the second difference only when the test on
 * the differenced series rejects at 1% rather than 5%.  Returns d, or -1 (ENOMEM). */
int forecast_kpss_ndiffs(const double *x, size_t n);

/* ---- ETS ---- */

/* One ETS model: error A/M, trend N/A/D(amped), season N/A/M. */
struct forecast_ets {
	char error, trend, season; /* 'A'/'M'; 'N'/'A'/'D'; 'N'/'A'/'M' */
	int m;                     /* seasonal period (1 when season 'N') */
	double alpha, beta, gamma, phi; /* smoothing parameters (ETS form: b += beta*e) */
	double l0, b0;             /* initial level and trend */
	double s0[24];             /* initial seasonals: s0[j] is used at t = j */
	/* set by forecast_ets_loglik / forecast_ets_fit: */
	double neg2loglik;         /* -2 log likelihood (Gaussian, sigma profiled out) */
	double sigma2;             /* residual variance: sse / (n - k) (relative for 'M' error) */
	double aicc;               /* -2logL + 2k + 2k(k+1)/(n-k-1) */
	int nparam;                /* k: parameters + initial states + 1 for sigma */
	double l, b, s[24];        /* final states after the last observation */
};

/* Run model over y[0..n): set neg2loglik, sigma2, aicc, the final states,
 * and fitted[t] (the one-step forecasts) when fitted is non-NULL.  Returns 0,
 * or -1 (errno EDOM) when the model is inadmissible for y (a non-positive
 * one-step forecast under multiplicative error or season, n too small). */
int forecast_ets_loglik(const double *y, size_t n, struct forecast_ets *model, double *fitted);

/* Heuristic initial states (as Hyndman et al. 2008: seasonal indices from
 * a classical decomposition of the first seasons, level and trend from a
 * regression on the first adjusted values), then maximum-likelihood
 * smoothing parameters, level and trend by Nelder-Mead within the usual
 * bounds (alpha in [1e-4, 0.9999], beta < alpha, gamma < 1 - alpha,
 * phi in [0.8, 0.98]).  model->error/trend/season/m say what to fit.
 * Returns 0 or -1 (EDOM: not admissible / too short; ENOMEM). */
int forecast_ets_fit(const double *y, size_t n, struct forecast_ets *model);

/* Improve the initial seasonal states (and level and trend) of a fitted
 * seasonal model by maximum likelihood with its smoothing parameters
 * fixed; keeps the model unchanged when that does not raise the
 * likelihood.  A no-op for non-seasonal models.  Returns 0. */
int forecast_ets_refine(const double *y, size_t n, struct forecast_ets *model);

/* Point forecasts and standard errors h steps after the fitted model. */
void forecast_ets_predict(const struct forecast_ets *model, int h, double *mean, double *sd);

/* Fit every admissible model whose letters match the pattern (e.g. "ZZZ"
 * = all; "ZDZ" = damped only; 'Z' = any), pick the lowest AICc, forecast.
 * Multiplicative error/season only for positive y; seasonal only when
 * 2 <= m <= 24 and n > m + 1.  A never-negative y gets the drift cap
 * (forecast_ets_cap_trend).  Returns 0 or -1 (EDOM when nothing fits). */
int forecast_ets_auto(const double *y, size_t n, int m, int h, const char *pattern,
		      struct forecast_path *p);

/* Fit each admissible model once and keep in best[q] the lowest-AICc model
 * matching patterns[q] (aicc INFINITY when none does).  Returns 0, or -1
 * (EDOM) when no model at all could be fitted. */
int forecast_ets_select(const double *y, size_t n, int m, const char *const *patterns, int npat,
			struct forecast_ets *best);

/* The drift cap: a damped trend may take at most this share of the final
 * level off a never-negative series in the long run (see
 * forecast_ets_cap_trend).  Half: on M3 monthly/quarterly/yearly auto's
 * sMAPE went 13.508/8.765/16.578 -> 13.439/8.688/16.148 (a whole level:
 * 13.470/8.748/16.249 for non-seasonal multiplicative models only). */
#define FORECAST_TREND_CAP 0.5

/* Bound a fitted damped model's falling trend so that its long-run total,
 * b phi / (1 - phi), takes at most share * l off the final level l: the
 * forecasts of a never-negative series then level off above
 * (1 - share) l instead of running below zero.  A rising trend is left
 * alone, and so are models without a damped trend, a final level <= 0 or
 * share < 0.  Only the point forecasts change (the standard errors do not
 * depend on b).  forecast_ets_auto applies it with FORECAST_TREND_CAP to
 * series that are never negative. */
void forecast_ets_cap_trend(struct forecast_ets *e, double share);

/* Forecast path (mean, sd, name "ets(E,T,S)") of a fitted model. */
void forecast_ets_path(const struct forecast_ets *e, int h, struct forecast_path *p);

/* ---- numerical helpers ---- */

/* Minimise f over R^dim (dim <= 16) from x[] with initial steps step[]
 * by Nelder-Mead; x receives the best point.  Stops after max_eval
 * evaluations or when the simplex's values agree within tol (relative).
 * Returns the best value. */
double forecast_nelder_mead(double (*f)(const double *x, void *ctx), void *ctx, int dim,
			    double *x, const double *step, int max_eval, double tol);

/* The standard normal quantile: z with P(Z <= z) = p, 0 < p < 1. */
double forecast_qnorm(double p);

/* Student's t quantile at p (0.5 < p < 1) with nu >= 1 degrees of
 * freedom: exact for nu 1 and 2, else the Cornish-Fisher expansion in
 * 1/nu about the normal quantile (Abramowitz & Stegun 26.7.5). */
double forecast_qt(double p, double nu);

/* ---- Box-Cox ---- */

/* The Box-Cox transform of x > 0: log x when lambda is 0, else
 * (x^lambda - 1) / lambda.  NAN when x <= 0. */
double forecast_boxcox(double x, double lambda);

/* Its inverse: exp z, or (lambda z + 1)^(1/lambda); where lambda z + 1 <= 0
 * (outside the transform's range) the limit, 0 for lambda > 0. */
double forecast_boxcox_inv(double z, double lambda);

/* Guerrero's (1993) lambda in [lo, hi] for y[0..n): the one that makes
 * sd / mean^(1 - lambda) most nearly constant over the subseries of
 * length m (2 when m is 1), taken from the end of y.  NAN when some
 * value is <= 0, lo > hi, or y holds fewer than two subseries. */
double forecast_boxcox_lambda(const double *y, size_t n, int m, double lo, double hi);

/* OTM (forecast_theta_otm_additive: the season subtracted, never divided
 * out, on that scale) on the Box-Cox scale of Guerrero's lambda in
 * [0, 1] (as forecast_boxcox_lambda), back on the data's scale: the mean
 * is the back-transformed forecast (the median of the forecast
 * distribution), the sd half the distance between the back-transformed
 * forecast +- one transformed sd.  A linear drift on that scale is a
 * damped-geometric one on the data's, which stays above 0.  Plain OTM when
 * lambda cannot be chosen (a value <= 0, too short).  Returns as
 * forecast_theta_otm. */
int forecast_theta_boxcox(const double *y, size_t n, int m, int h, struct forecast_path *p);

/* ---- accuracy ---- */

/* Scores of forecasts f[0..h) against actuals a[0..h) given the history
 * x[0..n) with seasonal period m. */
struct forecast_score {
	double smape;  /* 200/h * sum |a-f| / (|a|+|f|) (a term with a = f = 0 is 0) */
	double mase;   /* mean |a-f| / in-sample mean |x_t - x_{t-m}| (m = 1 if n <= m) */
	double rmsse;  /* sqrt(mean (a-f)^2 / in-sample mean (x_t - x_{t-1})^2) */
	double bias;   /* mean (f-a) / the MASE scale: > 0 means over-forecast */
};

/* Fill s; scales of zero make mase/rmsse/bias NAN. */
void forecast_score(const double *x, size_t n, int m, const double *a, const double *f, int h,
		    struct forecast_score *s);

#endif
