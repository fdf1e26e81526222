/* forecast_m3.c - the forecast benchmark's helper: converts the M3 and car
 * parts data into tally streams, scores tally-forecast's output against the
 * hold-out with lib/forecast/forecast_score.c, scores the forecasts submitted to M3,
 * and runs the models directly (for model development).
 *
 *   forecast_m3 long M3.tsv                 training part as id, date, value
 *   forecast_m3 score M3.tsv FORECASTS      score tally-forecast output
 *   forecast_m3 original M3.tsv ORIGINAL    sMAPE of each submitted method
 *   forecast_m3 direct M3.tsv METHOD        fit with the lib, score, time
 *   forecast_m3 carparts-long CARPARTS H    complete series, last H held out
 *   forecast_m3 carparts-score CARPARTS H FORECASTS
 *
 * Series files are in the README's format (the m3 folder); car parts series with an
 * NA are left out (and counted on stderr).  Output goes to stdout. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "forecast.h"

struct series {
	char id[32];
	int freq, start_year, start_period;
	size_t n, h;
	double *train, *test;
	double *fc; /* [h] forecasts read back, NAN when missing */
	double *bd; /* [4h]: lo80, hi80, lo95, hi95 at each step, NAN when missing */
};

/* Allocate s->fc and s->bd, all NAN. */
static void alloc_forecasts(struct series *s)
{
	s->fc = malloc(s->h * sizeof *s->fc);
	s->bd = malloc(4 * s->h * sizeof *s->bd);
	for (size_t j = 0; j < s->h; j++)
		s->fc[j] = NAN;
	for (size_t j = 0; j < 4 * s->h; j++)
		s->bd[j] = NAN;
}

static struct series *all;
static size_t nall;

static void die(const char *msg)
{
	fprintf(stderr, "forecast_m3: %s\n", msg);
	exit(1);
}

static size_t parse_list(char *s, double **out, int *has_na)
{
	size_t n = 0, cap = 16;
	double *v = malloc(cap * sizeof *v);
	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		if (n == cap)
			v = realloc(v, (cap *= 2) * sizeof *v);
		if (strcmp(tok, "NA") == 0) {
			*has_na = 1;
			v[n++] = NAN;
		} else {
			v[n++] = strtod(tok, NULL);
		}
	}
	*out = v;
	return n;
}

/* Split a line into at most max tab-separated fields (in place). */
static int split(char *line, char **f, int max)
{
	int k = 0;
	line[strcspn(line, "\r\n")] = 0;
	f[k++] = line;
	for (char *p = line; *p && k < max; p++)
		if (*p == '\t')
			*p = 0, f[k++] = p + 1;
	return k;
}

static void load_m3(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		die(strerror(errno));
	char *line = NULL, *f[16];
	size_t cap = 0;
	if (getline(&line, &cap, fp) < 0)
		die("empty file");
	while (getline(&line, &cap, fp) > 0) {
		if (split(line, f, 16) < 10)
			die("short line");
		all = realloc(all, (nall + 1) * sizeof *all);
		struct series *s = &all[nall++];
		memset(s, 0, sizeof *s);
		snprintf(s->id, sizeof s->id, "%s", f[0]);
		s->freq = atoi(f[3]);
		s->start_year = atoi(f[4]);
		s->start_period = atoi(f[5]);
		int na = 0;
		s->n = parse_list(f[8], &s->train, &na);
		s->h = parse_list(f[9], &s->test, &na);
		alloc_forecasts(s);
	}
	free(line);
	fclose(fp);
}

static size_t carparts_skipped;

static void load_carparts(const char *path, size_t hold)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		die(strerror(errno));
	char *line = NULL, *f[8];
	size_t cap = 0;
	if (getline(&line, &cap, fp) < 0)
		die("empty file");
	while (getline(&line, &cap, fp) > 0) {
		if (split(line, f, 8) < 6)
			die("short line");
		int na = 0;
		double *v;
		size_t n = parse_list(f[5], &v, &na);
		if (na || n <= hold) {
			carparts_skipped++;
			free(v);
			continue;
		}
		all = realloc(all, (nall + 1) * sizeof *all);
		struct series *s = &all[nall++];
		memset(s, 0, sizeof *s);
		snprintf(s->id, sizeof s->id, "%s", f[0]);
		s->freq = 12, s->start_year = atoi(f[2]), s->start_period = atoi(f[3]);
		s->n = n - hold, s->h = hold;
		s->train = v, s->test = v + s->n;
		alloc_forecasts(s);
	}
	free(line);
	fclose(fp);
}

static int season_of(const struct series *s)
{
	return s->freq == 12 ? 12 : s->freq == 4 ? 4 : 1;
}

static void print_long(void)
{
	printf("id\tdate\tvalue\n");
	for (size_t i = 0; i < nall; i++) {
		const struct series *s = &all[i];
		int per_year = s->freq == 12 ? 12 : s->freq == 4 ? 4 : 1;
		long idx = (long)s->start_year * per_year + (s->start_period - 1);
		for (size_t t = 0; t < s->n; t++, idx++) {
			long y = idx / per_year, p = idx % per_year;
			int month = per_year == 12 ? (int)p + 1 : per_year == 4 ? (int)p * 3 + 1 : 1;
			printf("%s\t%04ld-%02d-01\t%.17g\n", s->id, y, month, s->train[t]);
		}
	}
}

static struct series *find(const char *id)
{
	static size_t hint;
	for (size_t k = 0; k < nall; k++) {
		size_t i = (hint + k) % nall;
		if (strcmp(all[i].id, id) == 0) {
			hint = i;
			return &all[i];
		}
	}
	return NULL;
}

/* Read tally-forecast output: columns id, period, forecast (by name),
 * rows in period order per series. */
static void read_forecasts(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		die(strerror(errno));
	char *line = NULL, *f[32];
	size_t cap = 0;
	if (getline(&line, &cap, fp) < 0)
		die("empty forecasts");
	int nf = split(line, f, 32), cid = -1, cfc = -1, cb[4] = {-1, -1, -1, -1};
	static const char *const bnames[4] = {"lo80", "hi80", "lo95", "hi95"};
	for (int k = 0; k < nf; k++) {
		if (strcmp(f[k], "id") == 0)
			cid = k;
		if (strcmp(f[k], "forecast") == 0)
			cfc = k;
		for (int b = 0; b < 4; b++)
			if (strcmp(f[k], bnames[b]) == 0)
				cb[b] = k;
	}
	if (cid < 0 || cfc < 0)
		die("forecasts need columns id and forecast");
	struct series *cur = NULL;
	size_t step = 0;
	while (getline(&line, &cap, fp) > 0) {
		nf = split(line, f, 32);
		if (nf <= cfc || !*f[cfc])
			continue;
		if (!cur || strcmp(cur->id, f[cid]) != 0) {
			cur = find(f[cid]);
			step = 0;
			if (!cur)
				die("forecast for an unknown series");
		}
		if (step < cur->h) {
			for (int b = 0; b < 4; b++)
				if (cb[b] >= 0 && cb[b] < nf && *f[cb[b]])
					cur->bd[4 * step + (size_t)b] = strtod(f[cb[b]], NULL);
			cur->fc[step++] = strtod(f[cfc], NULL);
		}
	}
	free(line);
	fclose(fp);
}

/* The in-sample MASE scale of s: mean |x_t - x_{t-m}| (m = 1 when too short). */
static double mase_scale(const struct series *s)
{
	size_t m = (size_t)season_of(s);
	if (s->n <= m)
		m = 1;
	double sum = 0;
	for (size_t t = m; t < s->n; t++)
		sum += fabs(s->train[t] - s->train[t - m]);
	return s->n > m ? sum / (double)(s->n - m) : NAN;
}

/* Coverage of the 80% and 95% intervals (percent of hold-out values
 * inside) and the M4 MSIS of the 95% interval; NAN when no bounds. */
static void interval_scores(double *cov80, double *cov95, double *msis)
{
	size_t in80 = 0, in95 = 0, cnt = 0, nm = 0;
	double msum = 0;
	for (size_t i = 0; i < nall; i++) {
		const struct series *s = &all[i];
		double scale = mase_scale(s), is = 0;
		bool all_bounds = true;
		for (size_t j = 0; j < s->h; j++) {
			const double *b = s->bd + 4 * j, y = s->test[j];
			if (isnan(b[0]) || isnan(b[1]) || isnan(b[2]) || isnan(b[3])) {
				all_bounds = false;
				continue;
			}
			cnt++;
			in80 += y >= b[0] && y <= b[1];
			in95 += y >= b[2] && y <= b[3];
			is += b[3] - b[2] + 40 * (b[2] - y) * (y < b[2]) + 40 * (y - b[3]) * (y > b[3]);
		}
		if (all_bounds && scale > 0 && isfinite(scale))
			msum += is / (double)s->h / scale, nm++;
	}
	*cov80 = cnt ? 100.0 * in80 / cnt : NAN;
	*cov95 = cnt ? 100.0 * in95 / cnt : NAN;
	*msis = nm ? msum / nm : NAN;
}

static void report(const char *label)
{
	size_t negative = 0;
	double smape = 0, mase = 0, rmsse = 0, bias = 0;
	size_t nm = 0, nr = 0, nb = 0, missing = 0;
	for (size_t i = 0; i < nall; i++) {
		struct series *s = &all[i];
		for (size_t j = 0; j < s->h; j++)
			if (isnan(s->fc[j]))
				missing++, s->fc[j] = 0;
			else if (s->fc[j] < 0 || s->bd[4 * j] < 0 || s->bd[4 * j + 2] < 0)
				negative++;
		struct forecast_score sc;
		forecast_score(s->train, s->n, season_of(s), s->test, s->fc, (int)s->h, &sc);
		smape += sc.smape;
		if (isfinite(sc.mase))
			mase += sc.mase, nm++;
		if (isfinite(sc.rmsse))
			rmsse += sc.rmsse, nr++;
		if (isfinite(sc.bias))
			bias += sc.bias, nb++;
	}
	printf("%s\tseries %zu\tsMAPE %.3f\tMASE %.3f\tRMSSE %.3f\tbias %+.3f", label, nall,
	       smape / nall, mase / (nm ? nm : 1), rmsse / (nr ? nr : 1), bias / (nb ? nb : 1));
	double c80, c95, msis;
	interval_scores(&c80, &c95, &msis);
	if (!isnan(c80))
		printf("\tcover80 %.1f\tcover95 %.1f\tMSIS %.2f", c80, c95, msis);
	printf("\tbelow0 %zu", negative);
	if (missing)
		printf("\tmissing %zu", missing);
	printf("\n");
}

static void score_original(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		die(strerror(errno));
	char *line = NULL, *f[32], methods[64][32];
	double sum[64] = {0};
	size_t cnt[64] = {0}, nmeth = 0;
	size_t cap = 0;
	if (getline(&line, &cap, fp) < 0)
		die("empty file");
	while (getline(&line, &cap, fp) > 0) {
		int nf = split(line, f, 32);
		struct series *s = find(f[0]);
		if (!s)
			die("unknown series");
		size_t k;
		for (k = 0; k < nmeth; k++)
			if (strcmp(methods[k], f[1]) == 0)
				break;
		if (k == nmeth) {
			if (nmeth == 64)
				die("too many methods");
			snprintf(methods[nmeth++], 32, "%s", f[1]);
		}
		double fc[64];
		for (size_t j = 0; j < s->h && (int)j + 2 < nf; j++)
			fc[j] = strtod(f[j + 2], NULL);
		struct forecast_score sc;
		forecast_score(s->train, s->n, season_of(s), s->test, fc, (int)s->h, &sc);
		sum[k] += sc.smape, cnt[k]++;
	}
	for (size_t k = 0; k < nmeth; k++)
		printf("%s\t%.2f\n", methods[k], sum[k] / cnt[k]);
	free(line);
	fclose(fp);
}

static void direct(const char *method)
{
	int meth = forecast_method_parse(method);
	if (meth < 0)
		die("unknown method");
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	size_t used[64] = {0};
	char names[64][40];
	size_t nnames = 0;
	for (size_t i = 0; i < nall; i++) {
		struct series *s = &all[i];
		static const double levels[2] = {80, 95};
		double lo[2 * 64], hi[2 * 64];
		bool nonneg = true;
		for (size_t t = 0; t < s->n; t++)
			nonneg = nonneg && s->train[t] >= 0;
		if (s->h > 64)
			die("horizon over 64");
		struct forecast_spec spec = {.method = meth, .m = season_of(s), .h = (int)s->h,
					     .levels = levels, .nlevels = 2, .nonneg = nonneg};
		struct forecast_result r = {.mean = s->fc, .lo = lo, .hi = hi};
		if (forecast_series(s->train, s->n, &spec, &r) < 0)
			die("forecast failed");
		for (size_t j = 0; j < s->h; j++) {
			s->bd[4 * j] = lo[j], s->bd[4 * j + 1] = hi[j];
			s->bd[4 * j + 2] = lo[s->h + j], s->bd[4 * j + 3] = hi[s->h + j];
		}
		char *paren = strchr(r.method, '(');
		size_t k;
		(void)paren;
		for (k = 0; k < nnames; k++)
			if (strcmp(names[k], r.method) == 0)
				break;
		if (k == nnames && nnames < 64)
			snprintf(names[nnames++], 40, "%s", r.method);
		if (k < 64)
			used[k]++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	char label[96];
	snprintf(label, sizeof label, "%s (%.2f s)", method, secs);
	report(label);
	if (getenv("FORECAST_M3_METHODS"))
		for (size_t k = 0; k < nnames; k++)
			fprintf(stderr, "  %s %zu\n", names[k], used[k]);
}

int main(int argc, char **argv)
{
	if (argc < 3)
		die("usage: forecast_m3 long|score|original|direct|carparts-long|carparts-score FILE ...");
	const char *cmd = argv[1];
	if (strncmp(cmd, "carparts", 8) == 0) {
		if (argc < 4)
			die("carparts needs FILE H");
		load_carparts(argv[2], (size_t)atoi(argv[3]));
		if (carparts_skipped)
			fprintf(stderr, "forecast_m3: %zu car parts series with NA left out\n",
				carparts_skipped);
		if (strcmp(cmd, "carparts-long") == 0)
			print_long();
		else if (strcmp(cmd, "carparts-score") == 0 && argc >= 5)
			read_forecasts(argv[4]), report(argv[4]);
		else if (strcmp(cmd, "carparts-direct") == 0 && argc >= 5)
			direct(argv[4]);
		else
			die("unknown command");
		return 0;
	}
	load_m3(argv[2]);
	if (strcmp(cmd, "long") == 0)
		print_long();
	else if (strcmp(cmd, "score") == 0 && argc >= 4)
		read_forecasts(argv[3]), report(argv[3]);
	else if (strcmp(cmd, "original") == 0 && argc >= 4)
		score_original(argv[3]);
	else if (strcmp(cmd, "direct") == 0 && argc >= 4)
		direct(argv[3]);
	else
		die("unknown command");
	return 0;
}
