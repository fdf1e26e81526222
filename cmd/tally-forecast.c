/* tally-forecast - aggregate a stream into periods per series and forecast
 * each series with prediction intervals (lib/forecast.h does the models). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "date.h"
#include "diag.h"
#include "forecast.h"
#include "kinds.h"
#include "money.h"
#include "out.h"
#include "tsv.h"

#define MAX_LEVELS 8
#define MAX_SPAN 100000  /* periods one series may span */
#define MAX_HORIZON 10000
#define MAX_KINDS 32         /* kinds in --kinds */

/* The kinds of the sales stream that are revenue (as tally-split's
 * default): payouts are transfers, not revenue. */

/* Value columns of the sales and allocations streams that hold money. */
static const char *const money_columns[] = {"gross", "tax", "fee", "net", "amount"};

static const char usage_text[] =
	"usage: tally-forecast [--by COLS] [--value COL] [--date COL]\n"
	"                      [--period month|quarter|week|day|year] [--horizon N]\n"
	"                      [--method METHOD] [--level 80,95] [--history]\n"
	"                      [--backtest H] [--align input|series] [--kinds LIST]\n"
	"                      [--money] [FILE...]\n"
	"       tally-forecast --help | --version\n";

static noreturn void usage(FILE *fp, int status)
{
	fputs(usage_text, fp);
	if (fp == stdout)
		printf("\nMETHOD is one of %s (default auto).\n"
		       "Defaults: --value net --date date --period month --horizon 12 --level 80,95\n"
		       "          --kinds %s.\n",
		       forecast_method_list(), KINDS_DEFAULT);
	exit(status);
}

/* One series: the group's key and its per-period totals. */
struct series {
	char **key;        /* key field values: the --by columns, then currency */
	char *label;       /* 'series "KEY/KEY": ' for messages, "" without keys */
	int digits;        /* currency minor digits, -1 for plain numbers */
	int64_t first;     /* period index of sums[0] */
	size_t len;        /* periods held */
	size_t cap;
	int64_t *micros;   /* money totals (digits >= 0) */
	double *sums;      /* plain totals (digits < 0) */
};

struct options {
	int *key_cols;       /* column indexes of the --by columns, then currency */
	char **key_names;    /* their names */
	size_t nkeys;
	int value_col, date_col, currency_col;
	enum period_kind kind;
	int h;
	enum forecast_method method;
	double levels[MAX_LEVELS];
	int nlevels;
	bool history;
	int backtest;        /* 0: forecast; else the backtest horizon */
	int decimals;        /* decimals for plain values: the most seen, 2..6 */
	bool align_series;   /* each series ends at its own last period */
	int kind_col;        /* the kind column, -1 when absent */
	char *kinds[MAX_KINDS]; /* the kinds counted (into kinds_buf) */
	size_t nkinds;
	char *kinds_buf;     /* --kinds, or KINDS_DEFAULT, copied (owned) */
	bool money;          /* the value column is money (digits from currency) */
};

/* Rows passed over (a kind not counted), per kind, for the closing note. */
static struct kinds_tally passed;

/* ---- the group table: open addressing on the joined key ---- */

static struct series *groups;
static size_t ngroups;
static size_t *slots; /* index + 1 into groups, 0 = empty */
static size_t nslots;
static char **joined; /* per group: key fields each followed by NUL */
static size_t *joined_len;
static char *key_buf; /* the joined key of the current row */
static size_t key_cap;

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = hash_fnv1a(HASH_FNV_OFFSET, s, n);
	return h ^ (h >> 29);
}

static void grow_slots(void)
{
	size_t n = nslots ? nslots * 2 : 64;
	size_t *s = xcalloc(n, sizeof *s);
	for (size_t g = 0; g < ngroups; g++) {
		size_t i = hash_bytes(joined[g], joined_len[g]) & (n - 1);
		while (s[i])
			i = (i + 1) & (n - 1);
		s[i] = g + 1;
	}
	free(slots);
	slots = s, nslots = n;
}

/* The group of the current row, created on first sight. */
static struct series *group_of(const struct tsv_reader *r, const struct options *o, int digits)
{
	size_t len = 0;
	char *buf = key_buf;
	size_t cap = key_cap;
	for (size_t k = 0; k < o->nkeys; k++) {
		const struct tsv_field *f = &r->fields[o->key_cols[k]];
		if (len + f->len + 1 > cap) {
			cap = (len + f->len + 1) * 2;
			buf = key_buf = xrealloc(buf, cap);
			key_cap = cap;
		}
		memcpy(buf + len, f->s, f->len + 1);
		len += f->len + 1;
	}
	if (2 * (ngroups + 1) > nslots)
		grow_slots();
	size_t i = hash_bytes(buf, len) & (nslots - 1);
	while (slots[i]) {
		size_t g = slots[i] - 1;
		if (joined_len[g] == len && (len == 0 || memcmp(joined[g], buf, len) == 0))
			return &groups[g];
		i = (i + 1) & (nslots - 1);
	}
	groups = xrealloc(groups, (ngroups + 1) * sizeof *groups);
	joined = xrealloc(joined, (ngroups + 1) * sizeof *joined);
	joined_len = xrealloc(joined_len, (ngroups + 1) * sizeof *joined_len);
	joined[ngroups] = xmalloc(len ? len : 1);
	if (len)
		memcpy(joined[ngroups], buf, len);
	joined_len[ngroups] = len;
	slots[i] = ngroups + 1;
	struct series *s = &groups[ngroups++];
	memset(s, 0, sizeof *s);
	s->key = xcalloc(o->nkeys ? o->nkeys : 1, sizeof *s->key);
	size_t lab = 1;
	for (size_t k = 0; k < o->nkeys; k++) {
		s->key[k] = xstrdup(r->fields[o->key_cols[k]].s);
		lab += strlen(s->key[k]) + 1;
	}
	s->label = xmalloc(lab + 10);
	strcpy(s->label, o->nkeys ? "series \"" : "");
	for (size_t k = 0; k < o->nkeys; k++) {
		if (k)
			strcat(s->label, "/");
		strcat(s->label, s->key[k]);
	}
	if (o->nkeys)
		strcat(s->label, "\": ");
	s->digits = digits;
	return s;
}

/* Make room for period p in s; returns its slot, or -1 when the series
 * would span more than MAX_SPAN periods. */
static long series_slot(struct series *s, int64_t p)
{
	if (s->len == 0) {
		s->first = p;
	} else if (p < s->first) {
		int64_t shift = s->first - p;
		if ((int64_t)s->len + shift > MAX_SPAN)
			return -1;
		size_t need = s->len + (size_t)shift;
		if (need > s->cap) {
			s->cap = need * 2;
			s->micros = xrealloc(s->micros, s->cap * sizeof *s->micros);
			s->sums = xrealloc(s->sums, s->cap * sizeof *s->sums);
		}
		memmove(s->micros + shift, s->micros, s->len * sizeof *s->micros);
		memmove(s->sums + shift, s->sums, s->len * sizeof *s->sums);
		for (int64_t i = 0; i < shift; i++)
			s->micros[i] = 0, s->sums[i] = 0;
		s->len = need;
		s->first = p;
	}
	int64_t at = p - s->first;
	if (at >= MAX_SPAN)
		return -1;
	if ((size_t)at >= s->len) {
		size_t need = (size_t)at + 1;
		if (need > s->cap) {
			s->cap = need * 2 > 16 ? need * 2 : 16;
			s->micros = xrealloc(s->micros, s->cap * sizeof *s->micros);
			s->sums = xrealloc(s->sums, s->cap * sizeof *s->sums);
		}
		for (size_t i = s->len; i < need; i++)
			s->micros[i] = 0, s->sums[i] = 0;
		s->len = need;
	}
	return (long)at;
}

/* A plain decimal number: [+-]digits[.digits][(e|E)[+-]digits].  strtod
 * alone would take " 1", "inf", "0x10" and "1,5" (prefix). */
static bool parse_number(const char *s, size_t len, double *v, int *decimals)
{
	size_t i = 0, digits = 0, frac = 0;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++, frac++;
	}
	if (digits + frac == 0)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t e = ++i;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++, e++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == e)
			return false;
	}
	if (i != len)
		return false;
	errno = 0;
	*v = strtod(s, NULL);
	if (errno == ERANGE || !isfinite(*v))
		return false;
	*decimals = (int)frac;
	return true;
}

static noreturn void bad_field(const struct tsv_reader *r, const char *col, const char *what)
{
	char q[128];
	int c = tsv_col(r, col);
	const struct tsv_field *f = &r->fields[c];
	diag_die_at(EXIT_DATA, r->file, r->line, "column \"%s\": %s %s", col,
		    diag_quote(q, sizeof q, f->s, f->len), what);
}

static bool wanted_kind(const struct options *o, const struct tsv_field *f)
{
	for (size_t i = 0; i < o->nkinds; i++)
		if (strlen(o->kinds[i]) == f->len && memcmp(o->kinds[i], f->s, f->len) == 0)
			return true;
	return false;
}

/* "passed over 2 rows not forecast (payout 2)" on stderr, when any. */
static void report_passed(void)
{
	char buf[1024];
	if (passed.total == 0)
		return;
	kinds_tally_format(&passed, buf, sizeof buf);
	diag_warn("passed over %ld row%s not forecast (%s)", passed.total,
		  passed.total == 1 ? "" : "s", buf);
	kinds_tally_free(&passed);
}

static void read_rows(struct tsv_reader *r, struct options *o, const char *value_name,
		      const char *date_name)
{
	int rc;
	while ((rc = tsv_next(r)) == 1) {
		const struct tsv_field *vf = &r->fields[o->value_col];
		const struct tsv_field *df = &r->fields[o->date_col];
		if (o->kind_col >= 0 && !wanted_kind(o, &r->fields[o->kind_col])) {
			if (kinds_tally_add(&passed, r->fields[o->kind_col].s) < 0)
				diag_die(EXIT_DATA, "out of memory");
			continue;
		}
		int digits = -1;
		if (o->currency_col >= 0) {
			const struct tsv_field *cf = &r->fields[o->currency_col];
			int d = currency_digits(cf->s, cf->len);
			if (d < 0)
				bad_field(r, "currency", "is not a currency code");
			if (o->money)
				digits = d;
		}
		int64_t t;
		if (date_parse(df->s, df->len, &t) < 0)
			bad_field(r, date_name, "is not a date");
		struct period p = period_of(t, o->kind);
		struct series *s = group_of(r, o, digits);
		long at = series_slot(s, p.index);
		if (at < 0)
			diag_die_at(EXIT_DATA, r->file, r->line,
				    "%sspans more than %d periods", s->label, MAX_SPAN);
		if (digits >= 0) {
			int64_t v;
			int st = money_parse(vf->s, vf->len, &v);
			if (st != MONEY_OK)
				bad_field(r, value_name, money_strerror(st));
			if (!money_add(s->micros[at], v, &s->micros[at]))
				diag_die_at(EXIT_DATA, r->file, r->line,
					    "%sthe total of a period is too large",
					    s->label);
		} else {
			double v;
			int dec;
			if (!parse_number(vf->s, vf->len, &v, &dec))
				bad_field(r, value_name, "is not a number");
			if (dec > o->decimals)
				o->decimals = dec > 6 ? 6 : dec;
			s->sums[at] += v;
		}
	}
	if (rc < 0) {
		if (errno)
			diag_die(EXIT_USAGE, "%s: %s", r->file, strerror(errno));
		diag_die_at(EXIT_DATA, r->file, r->line, "%s", r->err);
	}
}

/* ---- output ---- */

static void put_value(struct tsv_writer *w, const struct options *o, int digits, double v)
{
	if (!isfinite(v)) {
		tsv_put(w, "", 0);
		return;
	}
	if (digits >= 0 && fabs(v) < 9e12) {
		/* money: rounded to whole minor units, printed as money */
		double minor = v;
		for (int i = 0; i < digits; i++)
			minor *= 10;
		int64_t q = 1;
		for (int i = digits; i < MONEY_MAX_DIGITS; i++)
			q *= 10;
		tsv_put_money(w, (int64_t)llround(minor) * q, digits);
		return;
	}
	int dec = digits >= 0 ? digits : o->decimals;
	char buf[64];
	int n = snprintf(buf, sizeof buf, "%.*f", dec, v);
	if (strncmp(buf, "-0", 2) == 0 && strspn(buf + 2, ".0") == strlen(buf + 2))
		memmove(buf, buf + 1, (size_t)n--); /* no "-0.00" */
	tsv_put(w, buf, (size_t)n);
}

static void put_level_name(struct tsv_writer *w, const char *pre, double level)
{
	tsv_putf(w, "%s%g", pre, level);
}

static void put_keys(struct tsv_writer *w, const struct options *o, const struct series *s)
{
	for (size_t k = 0; k < o->nkeys; k++)
		tsv_put_str(w, s->key[k]);
}

static void put_period(struct tsv_writer *w, enum period_kind kind, int64_t index)
{
	char buf[DATE_BUF];
	struct period p = {.kind = kind, .index = index};
	tsv_put(w, buf, period_format(buf, p));
}

/* The last period of the whole input: where every series ends unless
 * --align series (a product that stopped selling has zero months up to
 * it, and all series are forecast from the same period on). */
static int64_t input_end;

/* The period index after which s is forecast. */
static int64_t series_end(const struct series *s, const struct options *o)
{
	return o->align_series ? s->first + (int64_t)s->len - 1 : input_end;
}

/* The series as doubles from its first period to series_end, periods
 * without rows zero. */
static double *series_values(const struct series *s, const struct options *o, size_t *n)
{
	*n = (size_t)(series_end(s, o) - s->first + 1);
	double *y = xmalloc(*n * sizeof *y);
	for (size_t t = 0; t < *n; t++) {
		if (t >= s->len)
			y[t] = 0;
		else if (s->digits >= 0)
			y[t] = (double)s->micros[t] / MONEY_SCALE;
		else
			y[t] = s->sums[t];
	}
	return y;
}

static int season_of(enum period_kind k)
{
	switch (k) {
	case PERIOD_DAY:
		return 7;
	case PERIOD_WEEK:
		return 52;
	case PERIOD_MONTH:
		return 12;
	case PERIOD_QUARTER:
		return 4;
	case PERIOD_YEAR:
		return 1;
	}
	return 1;
}

static void fit_or_die(const double *y, size_t n, struct forecast_spec *spec,
		       struct forecast_result *res)
{
	if (forecast_series(y, n, spec, res) < 0)
		diag_die(EXIT_DATA, "cannot forecast: %s", strerror(errno));
}

static void warn_fallback(const struct series *s, size_t n, const struct options *o,
			  const struct forecast_result *res)
{
	if (!res->fallback)
		return;
	if (n == 1)
		diag_warn("%sonly 1 period: %s forecast without intervals", s->label,
			  res->method);
	else
		diag_warn("%s%zu periods, too few for %s: used %s", s->label, n,
			  forecast_method_name(o->method), res->method);
}

static void forecast_all(struct tsv_writer *w, const struct options *o)
{
	int h = o->h;
	double *mean = xmalloc((size_t)h * sizeof *mean);
	double *lo = xmalloc((size_t)(h * (o->nlevels ? o->nlevels : 1)) * sizeof *lo);
	double *hi = xmalloc((size_t)(h * (o->nlevels ? o->nlevels : 1)) * sizeof *hi);
	struct forecast_spec spec = {.method = o->method, .m = season_of(o->kind), .h = h,
				     .levels = o->levels, .nlevels = o->nlevels};
	for (size_t g = 0; g < ngroups; g++) {
		const struct series *s = &groups[g];
		size_t n;
		double *y = series_values(s, o, &n);
		struct forecast_result res = {.mean = mean, .lo = lo, .hi = hi};
		fit_or_die(y, n, &spec, &res);
		warn_fallback(s, n, o, &res);
		if (o->history)
			for (size_t t = 0; t < n; t++) {
				put_keys(w, o, s);
				put_period(w, o->kind, s->first + (int64_t)t);
				put_value(w, o, s->digits, y[t]);
				tsv_put(w, "", 0);
				for (int k = 0; k < o->nlevels; k++)
					tsv_put(w, "", 0), tsv_put(w, "", 0);
				tsv_put(w, "", 0);
				tsv_end_row(w);
			}
		for (int j = 0; j < h; j++) {
			put_keys(w, o, s);
			put_period(w, o->kind, s->first + (int64_t)n + j);
			if (o->history)
				tsv_put(w, "", 0);
			put_value(w, o, s->digits, mean[j]);
			for (int k = 0; k < o->nlevels; k++) {
				put_value(w, o, s->digits, lo[k * h + j]);
				put_value(w, o, s->digits, hi[k * h + j]);
			}
			tsv_put_str(w, res.method);
			tsv_end_row(w);
		}
		free(y);
	}
	free(mean);
	free(lo);
	free(hi);
}

static void put_score(struct tsv_writer *w, double v)
{
	if (isfinite(v))
		tsv_putf(w, "%.3f", v);
	else
		tsv_put(w, "", 0);
}

/* Rolling origin: for each origin k in the last H periods, fit y[0..k)
 * and score the forecasts of y[k..min(k+H, n)). */
static void backtest_all(struct tsv_writer *w, const struct options *o)
{
	int H = o->backtest;
	double *mean = xmalloc((size_t)H * sizeof *mean);
	struct forecast_spec spec = {.method = o->method, .m = season_of(o->kind), .h = H};
	double tot[4] = {0};
	size_t cnt[4] = {0}, origins_all = 0;
	for (size_t g = 0; g < ngroups; g++) {
		const struct series *s = &groups[g];
		size_t n;
		double *y = series_values(s, o, &n);
		double sum[4] = {0};
		size_t c[4] = {0}, origins = 0;
		char method[40] = "";
		size_t start = n > (size_t)H ? n - (size_t)H : 1;
		for (size_t k = start; k < n; k++) {
			int steps = (int)(n - k) < H ? (int)(n - k) : H;
			spec.h = steps;
			struct forecast_result res = {.mean = mean};
			fit_or_die(y, k, &spec, &res);
			snprintf(method, sizeof method, "%s", res.method);
			struct forecast_score sc;
			forecast_score(y, k, spec.m, y + k, mean, steps, &sc);
			double v[4] = {sc.smape, sc.mase, sc.rmsse, sc.bias};
			for (int i = 0; i < 4; i++)
				if (isfinite(v[i]))
					sum[i] += v[i], c[i]++;
			origins++;
		}
		if (origins == 0)
			diag_warn("%sonly %zu period%s: nothing to backtest", s->label, n,
				  n == 1 ? "" : "s");
		put_keys(w, o, s);
		tsv_put_int(w, (long long)origins);
		for (int i = 0; i < 4; i++) {
			double v = c[i] ? sum[i] / c[i] : NAN;
			put_score(w, v);
			if (isfinite(v))
				tot[i] += v, cnt[i]++;
		}
		tsv_put_str(w, method);
		tsv_end_row(w);
		origins_all += origins;
		free(y);
	}
	if (o->nkeys > 0 && ngroups > 0) {
		for (size_t k = 0; k < o->nkeys; k++)
			tsv_put_str(w, "*");
		tsv_put_int(w, (long long)origins_all);
		for (int i = 0; i < 4; i++)
			put_score(w, cnt[i] ? tot[i] / cnt[i] : NAN);
		tsv_put_str(w, forecast_method_name(o->method));
		tsv_end_row(w);
	}
	free(mean);
}

static void put_header(struct tsv_writer *w, const struct options *o)
{
	for (size_t k = 0; k < o->nkeys; k++)
		tsv_put_str(w, o->key_names[k]);
	if (o->backtest) {
		static const char *const cols[] = {"origins", "smape", "mase", "rmsse", "bias",
						   "method"};
		for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
			tsv_put_str(w, cols[i]);
	} else {
		tsv_put_str(w, "period");
		if (o->history)
			tsv_put_str(w, "actual");
		tsv_put_str(w, "forecast");
		for (int k = 0; k < o->nlevels; k++) {
			put_level_name(w, "lo", o->levels[k]);
			put_level_name(w, "hi", o->levels[k]);
		}
		tsv_put_str(w, "method");
	}
	tsv_end_row(w);
}

/* Release the group table (so leak checkers see a clean exit). */
static void free_groups(const struct options *o)
{
	for (size_t g = 0; g < ngroups; g++) {
		for (size_t k = 0; k < o->nkeys; k++)
			free(groups[g].key[k]);
		free(groups[g].key);
		free(groups[g].label);
		free(groups[g].micros);
		free(groups[g].sums);
		free(joined[g]);
	}
	free(groups);
	free(joined);
	free(joined_len);
	free(slots);
	free(key_buf);
}

/* ---- options ---- */

/* Options that take one value are an error when repeated (C20): keeping
 * the last silently hides a mistake.  --by is a list and accumulates. */
static void once(const char *name)
{
	static char seen[16][16];
	static size_t nseen;
	for (size_t i = 0; i < nseen; i++)
		if (strcmp(seen[i], name) == 0) {
			diag_warn("%s given more than once", name);
			usage(stderr, EXIT_USAGE);
		}
	if (nseen < sizeof seen / sizeof seen[0])
		snprintf(seen[nseen++], sizeof seen[0], "%s", name);
}

static void parse_kinds(struct options *o, const char *list)
{
	o->kinds_buf = xstrdup(list);
	o->nkinds = 0;
	char *rest = o->kinds_buf;
	for (char *tok; (tok = strsep(&rest, ","));) {
		if (!*tok)
			continue;
		if (o->nkinds == MAX_KINDS) {
			diag_warn("--kinds: more than %d kinds", MAX_KINDS);
			exit(EXIT_USAGE);
		}
		o->kinds[o->nkinds++] = tok;
	}
	if (o->nkinds == 0) {
		diag_warn("--kinds: empty list");
		exit(EXIT_USAGE);
	}
}

static bool is_money_column(const char *name)
{
	for (size_t i = 0; i < sizeof money_columns / sizeof *money_columns; i++)
		if (strcmp(money_columns[i], name) == 0)
			return true;
	return false;
}

static long parse_count(const char *opt, const char *arg, long max)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > max || arg[0] == '+' || arg[0] == ' ') {
		char q[128];
		diag_warn("%s: %s is not a whole number from 1 to %ld", opt,
			  diag_quote(q, sizeof q, arg, strlen(arg)), max);
		exit(EXIT_USAGE);
	}
	return v;
}

static void parse_levels(struct options *o, const char *arg)
{
	char *copy = xstrdup(arg), *save = NULL;
	o->nlevels = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		double v;
		int dec;
		if (o->nlevels == MAX_LEVELS || !parse_number(tok, strlen(tok), &v, &dec) ||
		    !(v > 0 && v < 100) || tok[0] == '+' || tok[0] == '-') {
			char q[128];
			diag_warn("--level: %s: levels are percentages between 0 and 100, "
				  "at most %d, separated by commas",
				  diag_quote(q, sizeof q, arg, strlen(arg)), MAX_LEVELS);
			exit(EXIT_USAGE);
		}
		o->levels[o->nlevels++] = v;
	}
	if (o->nlevels == 0 && *arg) {
		diag_warn("--level: \"%s\": no level given", arg);
		exit(EXIT_USAGE);
	}
	free(copy);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"align", required_argument, NULL, 'A'},
		{"backtest", required_argument, NULL, 'B'},
		{"by", required_argument, NULL, 'b'},
		{"date", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{"history", no_argument, NULL, 'H'},
		{"horizon", required_argument, NULL, 'n'},
		{"kinds", required_argument, NULL, 'k'},
		{"level", required_argument, NULL, 'l'},
		{"method", required_argument, NULL, 'm'},
		{"money", no_argument, NULL, 'M'},
		{"period", required_argument, NULL, 'p'},
		{"value", required_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct options o = {.kind = PERIOD_MONTH, .h = 12, .method = FORECAST_AUTO,
			    .levels = {80, 95}, .nlevels = 2, .decimals = 2};
	const char *value_name = "net", *date_name = "date", *kinds = NULL;
	char *by = NULL; /* the --by lists joined by commas (owned) */
	bool force_money = false;
	int c;

	diag_init(argv[0]);
	argv[0] = (char *)diag_prog; /* getopt's messages name the program like ours */
	while ((c = getopt_long(argc, argv, "b:d:hHk:l:m:n:p:v:V", longopts, NULL)) != -1) {
		switch (c) {
		case 'A':
			once("--align");
			if (strcmp(optarg, "input") == 0 || strcmp(optarg, "series") == 0) {
				o.align_series = optarg[0] == 's';
			} else {
				char q[128];
				diag_warn("--align: %s is not input or series",
					  diag_quote(q, sizeof q, optarg, strlen(optarg)));
				exit(EXIT_USAGE);
			}
			break;
		case 'B':
			once("--backtest");
			o.backtest = (int)parse_count("--backtest", optarg, MAX_HORIZON);
			break;
		case 'b':
			if (by) {
				char *both = xmalloc(strlen(by) + strlen(optarg) + 2);
				sprintf(both, "%s,%s", by, optarg);
				free(by);
				by = both;
			} else {
				by = xstrdup(optarg);
			}
			break;
		case 'd':
			once("--date");
			date_name = optarg;
			break;
		case 'h':
			usage(stdout, EXIT_OK);
		case 'H':
			o.history = true;
			break;
		case 'k':
			once("--kinds");
			kinds = optarg;
			break;
		case 'l':
			once("--level");
			parse_levels(&o, optarg);
			break;
		case 'M':
			force_money = true;
			break;
		case 'm': {
			once("--method");
			int m = forecast_method_parse(optarg);
			if (m < 0) {
				char q[128];
				diag_warn("unknown method %s (choose from %s)",
					  diag_quote(q, sizeof q, optarg, strlen(optarg)),
					  forecast_method_list());
				exit(EXIT_USAGE);
			}
			o.method = (enum forecast_method)m;
			break;
		}
		case 'n':
			once("--horizon");
			o.h = (int)parse_count("--horizon", optarg, MAX_HORIZON);
			break;
		case 'p': {
			once("--period");
			int k = period_kind_parse(optarg);
			if (k < 0) {
				char q[128];
				diag_warn("unknown period %s (choose from day, week, month, "
					  "quarter, year)",
					  diag_quote(q, sizeof q, optarg, strlen(optarg)));
				exit(EXIT_USAGE);
			}
			o.kind = (enum period_kind)k;
			break;
		}
		case 'v':
			once("--value");
			value_name = optarg;
			break;
		case 'V':
			diag_print_version();
			return EXIT_OK;
		default:
			usage(stderr, EXIT_USAGE);
		}
	}
	if (o.backtest && o.history) {
		diag_warn("--history and --backtest cannot be used together");
		usage(stderr, EXIT_USAGE);
	}

	parse_kinds(&o, kinds ? kinds : KINDS_DEFAULT);

	struct tsv_reader r;
	if (tsv_open(&r, argv + optind, (size_t)(argc - optind)) < 0) {
		if (errno)
			diag_die(EXIT_USAGE, "%s: %s", r.file, strerror(errno));
		diag_die_at(EXIT_DATA, r.file, 1, "%s", r.err);
	}
	o.value_col = tsv_col_or_die(&r, value_name);
	o.date_col = tsv_col_or_die(&r, date_name);
	o.currency_col = tsv_col(&r, "currency");
	if (force_money && o.currency_col < 0)
		diag_die(EXIT_USAGE, "%s: --money needs a \"currency\" column", r.file);
	o.money = o.currency_col >= 0 && (force_money || is_money_column(value_name));
	o.kind_col = kinds ? tsv_col_or_die(&r, "kind") : tsv_col(&r, "kind");
	size_t maxkeys = 1;
	if (by)
		for (const char *p = by; *p; p++)
			maxkeys += *p == ',';
	o.key_cols = xcalloc(maxkeys + 1, sizeof *o.key_cols);
	o.key_names = xcalloc(maxkeys + 1, sizeof *o.key_names);
	if (by) {
		char *copy = xstrdup(by), *save = NULL;
		for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			int col = tsv_col_or_die(&r, tok);
			for (size_t k = 0; k < o.nkeys; k++)
				if (o.key_cols[k] == col)
					col = -1;
			if (col < 0 || col == o.currency_col)
				continue; /* named twice, or currency (added below) */
			o.key_cols[o.nkeys] = col;
			o.key_names[o.nkeys++] = r.cols[col];
		}
		free(copy);
		free(by);
	}
	if (o.currency_col >= 0) {
		o.key_cols[o.nkeys] = o.currency_col;
		o.key_names[o.nkeys++] = r.cols[o.currency_col];
	}

	read_rows(&r, &o, value_name, date_name);
	for (size_t g = 0; g < ngroups; g++) {
		int64_t last = groups[g].first + (int64_t)groups[g].len - 1;
		if (g == 0 || last > input_end)
			input_end = last;
	}
	if (!o.align_series)
		for (size_t g = 0; g < ngroups; g++)
			if (input_end - groups[g].first >= MAX_SPAN)
				diag_die(EXIT_DATA,
					 "%sspans more than %d periods to the end of the input "
					 "(--align series ends each series at its own last period)",
					 groups[g].label, MAX_SPAN);

	struct tsv_writer w;
	tsv_writer_init(&w, out_stdout());
	put_header(&w, &o);
	if (o.backtest)
		backtest_all(&w, &o);
	else
		forecast_all(&w, &o);
	report_passed();
	free_groups(&o);
	free(o.kinds_buf);
	free(o.key_cols);
	free(o.key_names);
	tsv_close(&r);
	out_stdout_close_or_die();
	return EXIT_OK;
}
