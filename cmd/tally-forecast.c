/* tally-forecast - aggregate a stream into periods per series and forecast
 * each series with prediction intervals (lib/forecast/forecast.h does the models). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "date.h"
#include "cli.h"
#include "diag.h"
#include "forecast.h"
#include "forecast_backtest.h"
#include "forecast_series.h"
#include "kinds.h"
#include "money.h"
#include "out.h"
#include "progress.h"
#include "tsv.h"

#define MAX_LEVELS 8
#define MAX_HORIZON 10000
#define MAX_KINDS 32         /* kinds in --kinds */

/* The kinds of the sales stream that are revenue (as tally-split's
 * default): payouts are transfers, not revenue. */

/* Value columns of the sales and allocations streams that hold money. */
static const char *const money_columns[] = {"gross", "tax", "fee", "net", "amount"};

static const char usage_text[] =
	"usage: tally-forecast [--by COLS] [--value COL] [--date COL]\n"
	"                      [--per month|quarter|week|day|year] [--horizon N]\n"
	"                      [--method METHOD] [--level 80,95] [--history]\n"
	"                      [--backtest H] [--align input|series] [--kinds LIST]\n"
	"                      [--money] [--allow-negative] [--until DATE]\n"
	"                      [--transform none|log|boxcox]\n"
	"                      [--progress | --no-progress] [FILE...]\n"
	"       tally-forecast --help | --version\n";

static noreturn void usage(FILE *fp, int status)
{
	fputs(usage_text, fp);
	if (fp == stdout)
		fputs("\nForecast each series of a stream (sales, allocations --by payee, any\n"
		      "numbers), per period, with prediction intervals.\n\n"
		      "  -b, --by COLS           columns that identify a series (comma-separated)\n"
		      "      --value COL         the column to forecast\n"
		      "      --date COL          the date column\n"
		      "      --per KIND          aggregate to month, quarter, week, day or year\n"
		      "  -n, --horizon N         periods to forecast (1 to 10000)\n"
		      "  -m, --method METHOD     the model (see below)\n"
		      "      --level LIST        interval levels in percent, at most 8\n"
		      "  -H, --history           also write the observed periods, for plotting\n"
		      "      --backtest H        evaluate on the last H origins instead of forecasting\n"
		      "      --align WHERE       a series ends at the input's last period or its own\n"
		      "  -k, --kinds LIST        count only rows of these kinds\n"
		      "      --money             read the value as money in the row's currency\n"
		      "      --allow-negative    let forecasts and bounds go below zero\n"
		      "      --until DATE        the data are complete up to DATE\n"
		      "      --transform T       model positive series on this scale\n"
		      "      --progress          show progress on stderr even when not a terminal\n"
		      "      --no-progress       never show progress (default: on a terminal)\n"
		      "  -h, --help              this help\n"
		      "  -V, --version           the version\n", fp);
	if (fp == stdout)
		printf("\nMETHOD is one of %s (default auto).\n"
		       "Defaults: --value net --date date --per month --horizon 12 --level 80,95\n"
		       "          --kinds %s.\n",
		       forecast_method_list(), KINDS_DEFAULT);
	exit(status);
}

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
	bool allow_negative; /* forecasts may go below 0 (net after refunds) */
	enum forecast_transform transform; /* --transform */
	bool has_until;      /* --until given: the data are complete up to until */
	const char *value_name; /* --value, NULL: by the stream (check_allocations) */
	const char *date_name;  /* --date */
	const char *kinds_arg;  /* --kinds as given, NULL: KINDS_DEFAULT */
	char *by;            /* the --by lists joined by commas (owned), or NULL */
	bool force_money;    /* --money */
	enum progress_mode progress; /* --progress, --no-progress, else auto */
	int64_t until;       /* --until's day */
};

static long after_until;    /* rows dated after --until, left out */

/* Rows passed over (a kind not counted), per kind, for the closing note. */
static struct kinds_tally passed;

/* The series read, by key. */
static struct forecast_table table;

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
		      const char *date_name, struct progress *progress)
{
	int rc;
	while ((rc = tsv_next(r)) == 1) {
		progress_tick(progress, r->bytes_read);
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
		if (o->has_until && t >= o->until + 86400) {
			after_until++;
			continue;
		}
		struct period p = period_of(t, o->kind);
		struct forecast_series *s;
		size_t at;
		if (forecast_table_series(&table, r->fields, o->key_cols, digits, &s) < 0)
			diag_die(EXIT_DATA, "out of memory");
		int slot = forecast_series_slot(s, p.index, &at);
		if (slot == FORECAST_SERIES_ESPAN)
			diag_die_at(EXIT_DATA, r->file, r->line,
				    "%sspans more than %d periods", s->label, FORECAST_MAX_SPAN);
		if (slot < 0 || forecast_table_note_time(&table, p, t) < 0)
			diag_die(EXIT_DATA, "out of memory");
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
			if (!forecast_parse_number(vf->s, vf->len, &v, &dec))
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

static void put_keys(struct tsv_writer *w, const struct options *o, const struct forecast_series *s)
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
static int64_t series_end(const struct forecast_series *s, const struct options *o)
{
	return o->align_series ? s->first + (int64_t)s->len - 1 : input_end;
}

/* The series as doubles from its first period to series_end, periods
 * without rows zero. */
static double *series_values(const struct forecast_series *s, const struct options *o, size_t *n)
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

/* Whether the forecasts of y[0..n) are floored at 0 (forecast_nonneg). */
static bool nonneg_series(const struct options *o, const double *y, size_t n)
{
	return forecast_nonneg(y, n, o->allow_negative, o->money);
}

static void fit_or_die(const double *y, size_t n, struct forecast_spec *spec,
		       struct forecast_result *res)
{
	if (forecast_series(y, n, spec, res) < 0)
		diag_die(EXIT_DATA, "cannot forecast: %s", strerror(errno));
}

/* Series too short for the method asked, for one line at the end of the
 * run (one line per series would bury the output of a large input). */
static struct {
	size_t count;       /* series that fell back */
	size_t min_n, max_n; /* their lengths */
	char first[160];    /* the first one's message */
	char used[40];      /* what the first one used */
	bool mixed;         /* not all used the same method */
} short_series;

static void note_fallback(const struct forecast_series *s, size_t n, const struct options *o,
			  const struct forecast_result *res)
{
	if (!res->fallback)
		return;
	if (short_series.count == 0) {
		if (n == 1)
			snprintf(short_series.first, sizeof short_series.first,
				 "%sonly 1 period: %s forecast without intervals", s->label,
				 res->method);
		else
			snprintf(short_series.first, sizeof short_series.first,
				 "%s%zu periods, too few for %s: used %s", s->label, n,
				 forecast_method_name(o->method), res->method);
		snprintf(short_series.used, sizeof short_series.used, "%s", res->method);
		short_series.min_n = short_series.max_n = n;
	} else if (strcmp(short_series.used, res->method) != 0) {
		short_series.mixed = true;
	}
	if (n < short_series.min_n)
		short_series.min_n = n;
	if (n > short_series.max_n)
		short_series.max_n = n;
	short_series.count++;
}

/* The one line about short series, when any. */
static void report_fallback(const struct options *o)
{
	if (short_series.count == 0)
		return;
	if (short_series.count == 1) {
		diag_warn("%s", short_series.first);
		return;
	}
	char span[48];
	if (short_series.min_n == short_series.max_n)
		snprintf(span, sizeof span, "%zu", short_series.min_n);
	else
		snprintf(span, sizeof span, "%zu to %zu", short_series.min_n, short_series.max_n);
	diag_warn("%zu series have %s periods, too few for %s: used %s "
		  "(naive without intervals for 1 period, the mean for 2 or 3)",
		  short_series.count, span,
		  forecast_method_name(o->method),
		  short_series.mixed ? "simpler methods" : short_series.used);
}

static void forecast_all(struct tsv_writer *w, const struct options *o)
{
	int h = o->h;
	double *mean = xmalloc((size_t)h * sizeof *mean);
	double *lo = xmalloc((size_t)(h * (o->nlevels ? o->nlevels : 1)) * sizeof *lo);
	double *hi = xmalloc((size_t)(h * (o->nlevels ? o->nlevels : 1)) * sizeof *hi);
	struct forecast_spec spec = {.method = o->method, .m = forecast_season_of(o->kind), .h = h,
				     .levels = o->levels, .nlevels = o->nlevels,
				     .transform = o->transform};
	for (size_t g = 0; g < table.n; g++) {
		const struct forecast_series *s = &table.series[g];
		size_t n;
		double *y = series_values(s, o, &n);
		struct forecast_result res = {.mean = mean, .lo = lo, .hi = hi};
		spec.nonneg = nonneg_series(o, y, n);
		fit_or_die(y, n, &spec, &res);
		note_fallback(s, n, o, &res);
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

static void bt_put(struct tsv_writer *w, const struct forecast_bt *b)
{
	for (int i = 0; i < FORECAST_BT_FIGS; i++)
		for (int r = 0; r < FORECAST_BT_REFS; r++)
			put_score(w, forecast_bt_mean(b, i, r));
}

/* One row of scores per series (lib/forecast/forecast_backtest.c), a "*" row of
 * their means when there are keys, and the verdict on stderr. */
static void backtest_all(struct tsv_writer *w, const struct options *o)
{
	struct forecast_bt tot = {0};
	long origins_all = 0;
	for (size_t g = 0; g < table.n; g++) {
		const struct forecast_series *s = &table.series[g];
		size_t n;
		double *y = series_values(s, o, &n);
		struct forecast_bt one;
		char method[40];
		long origins = forecast_backtest(y, n, o->backtest, o->method, forecast_season_of(o->kind),
						 o->transform, o->allow_negative, o->money, &one, method);
		if (origins < 0)
			diag_die(EXIT_DATA, "cannot forecast: %s", strerror(errno));
		if (origins == 0)
			diag_warn("%sonly %zu period%s: nothing to backtest", s->label, n,
				  n == 1 ? "" : "s");
		put_keys(w, o, s);
		tsv_put_int(w, (long long)origins);
		bt_put(w, &one);
		tsv_put_str(w, method);
		tsv_end_row(w);
		forecast_bt_add_means(&tot, &one);
		origins_all += origins;
		free(y);
	}
	if (o->nkeys > 0 && table.n > 0) {
		for (size_t k = 0; k < o->nkeys; k++)
			tsv_put_str(w, "*");
		tsv_put_int(w, (long long)origins_all);
		bt_put(w, &tot);
		tsv_put_str(w, forecast_method_name(o->method));
		tsv_end_row(w);
	}
	char verdict[320];
	if (forecast_bt_verdict(&tot, forecast_method_name(o->method),
				table.n > 1 ? " (mean over the series)" : "", verdict, sizeof verdict))
		diag_warn("%s", verdict);
}

static void put_header(struct tsv_writer *w, const struct options *o)
{
	for (size_t k = 0; k < o->nkeys; k++)
		tsv_put_str(w, o->key_names[k]);
	if (o->backtest) {
		static const char *const cols[] = {
			"origins",     "smape",        "smape_naive", "smape_snaive", "mase",
			"mase_naive",  "mase_snaive",  "rmsse",       "rmsse_naive",  "rmsse_snaive",
			"bias",        "bias_naive",   "bias_snaive", "method"};
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
/* Whether the comma-separated list holds name. */
static bool list_has(const char *list, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = list; p && *p;) {
		size_t l = strcspn(p, ",");
		if (l == len && memcmp(p, name, len) == 0)
			return true;
		p += l + (p[l] == ',');
	}
	return false;
}

/* The value column to read.  An allocations stream (tally-split's
 * output: payee and amount columns) holds each sale once per payee, so its
 * net or gross summed double counts: it is forecast per payee on amount
 * (--by payee) or refused.  Dies with status 1 when refused. */
static const char *check_allocations(const struct tsv_reader *r, const char *by,
				     const char *value_name)
{
	if (tsv_col(r, "payee") < 0 || tsv_col(r, "amount") < 0)
		return value_name ? value_name : "net";
	if (!list_has(by, "payee"))
		diag_die(EXIT_DATA,
			 "%s: an allocations stream (payee and amount columns) has each sale "
			 "once per payee, so its totals double count: forecast each payee's "
			 "share with --by payee",
			 r->file);
	if (value_name && strcmp(value_name, "amount") != 0)
		diag_die(EXIT_DATA,
			 "%s: an allocations stream is forecast on amount (each payee's share); "
			 "column \"%s\" repeats the sale's figure for every payee",
			 r->file, value_name);
	return "amount";
}

/* Whether the input's last period is incomplete.  With --until: when the
 * day is not the period's last day; otherwise by its rows' dates
 * (forecast_table_last_incomplete). */
static bool last_incomplete(const struct options *o, char *why, size_t cap)
{
	char day[DATE_BUF];
	if (o->has_until) {
		struct period p = period_of(o->until, o->kind);
		date_format_day(day, o->until);
		snprintf(why, cap, "--until %s is before its end", day);
		return p.index == input_end && o->until + 86400 < period_end(p);
	}
	return forecast_table_last_incomplete(&table, o->kind, input_end, why, cap);
}

/* Leave out an incomplete last period (one line on stderr), unless a
 * series has nothing else. */
static void drop_incomplete(const struct options *o)
{
	char why[160], per[DATE_BUF];
	if (after_until)
		diag_warn("left out %ld row%s dated after --until", after_until,
			  after_until == 1 ? "" : "s");
	if (table.n == 0 || !last_incomplete(o, why, sizeof why))
		return;
	struct period p = {.kind = o->kind, .index = input_end};
	period_format(per, p);
	for (size_t g = 0; g < table.n; g++)
		if (table.series[g].first == input_end) {
			diag_warn("the last %s, %s, looks incomplete (%s): kept, as %sit has "
				  "no earlier period", period_kind_name(o->kind), per, why,
				  table.series[g].label);
			return;
		}
	for (size_t g = 0; g < table.n; g++)
		if (table.series[g].first + (int64_t)table.series[g].len - 1 == input_end)
			table.series[g].len--;
	input_end--;
	diag_warn("the last %s, %s, looks incomplete (%s): left out; --until DATE says "
		  "how far the data go", period_kind_name(o->kind), per, why);
}

/* ---- options ---- */

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
		if (o->nlevels == MAX_LEVELS || !forecast_parse_number(tok, strlen(tok), &v, &dec) ||
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

static void parse_align(struct options *o, const char *arg)
{
	if (strcmp(arg, "input") == 0 || strcmp(arg, "series") == 0) {
		o->align_series = arg[0] == 's';
		return;
	}
	char q[128];
	diag_warn("--align: %s is not input or series", diag_quote(q, sizeof q, arg, strlen(arg)));
	exit(EXIT_USAGE);
}

static void parse_until(struct options *o, const char *arg)
{
	bool has_time;
	if (date_parse_ex(arg, strlen(arg), &o->until, &has_time) < 0 || has_time) {
		char q[128];
		diag_warn("--until: %s is not a date (YYYY-MM-DD)", diag_quote(q, sizeof q, arg, strlen(arg)));
		exit(EXIT_USAGE);
	}
	o->has_until = true;
}

/* --by accumulates: the lists given are joined by commas. */
static void add_by(struct options *o, const char *arg)
{
	if (!o->by) {
		o->by = xstrdup(arg);
		return;
	}
	char *both = xmalloc(strlen(o->by) + strlen(arg) + 2);
	sprintf(both, "%s,%s", o->by, arg);
	free(o->by);
	o->by = both;
}

static void parse_method(struct options *o, const char *arg)
{
	int m = forecast_method_parse(arg);
	if (m < 0) {
		char q[128];
		diag_warn("unknown method %s (choose from %s)", diag_quote(q, sizeof q, arg, strlen(arg)),
			  forecast_method_list());
		exit(EXIT_USAGE);
	}
	o->method = (enum forecast_method)m;
}

static void parse_per(struct options *o, const char *arg)
{
	int k = period_kind_parse(arg);
	if (k < 0) {
		char q[128];
		diag_warn("unknown period %s (choose from day, week, month, "
			  "quarter, year)",
			  diag_quote(q, sizeof q, arg, strlen(arg)));
		exit(EXIT_USAGE);
	}
	o->kind = (enum period_kind)k;
}

static void parse_transform(struct options *o, const char *arg)
{
	int t = forecast_transform_parse(arg);
	if (t < 0) {
		char q[128];
		diag_warn("--transform: %s is not none, log or boxcox", diag_quote(q, sizeof q, arg, strlen(arg)));
		exit(EXIT_USAGE);
	}
	o->transform = (enum forecast_transform)t;
}

static const struct option longopts[] = {
	{"align", required_argument, NULL, 'A'},
	{"allow-negative", no_argument, NULL, 'N'},
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
	{"no-progress", no_argument, NULL, CLI_OPT_NO_PROGRESS},
	{"per", required_argument, NULL, 'p'},
	{"progress", no_argument, NULL, CLI_OPT_PROGRESS},
	{"transform", required_argument, NULL, 'T'},
	{"until", required_argument, NULL, 'U'},
	{"value", required_argument, NULL, 'v'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* An option getopt refused: --period has a reason of its own. */
static noreturn void bad_option(const char *arg)
{
	if (strncmp(arg, "--period", 8) == 0)
		diag_warn("--period is now --per (the period to aggregate to: --period filters "
			  "in the other commands; --until ends the data)");
	else
		cli_hint_option(arg, longopts);
	usage(stderr, EXIT_USAGE);
}

/* Options into o; usage errors exit 2.  Options taking a value may be
 * given once (C20: keeping the last silently hides a mistake), except
 * --by, a list that accumulates. */
static void parse_options(int argc, char **argv, struct options *o)
{
	static const int many[] = {'b', 0};
	struct cli_seen seen = {0};
	int c;
	while ((c = getopt_long(argc, argv, "b:hHk:m:n:V", longopts, NULL)) != -1) {
		if (!cli_once(&seen, c, longopts, many))
			usage(stderr, EXIT_USAGE);
		switch (c) {
		case 'A': parse_align(o, optarg); break;
		case 'N': o->allow_negative = true; break;
		case 'T': parse_transform(o, optarg); break;
		case 'U': parse_until(o, optarg); break;
		case 'B': o->backtest = (int)parse_count("--backtest", optarg, MAX_HORIZON); break;
		case 'b': add_by(o, optarg); break;
		case 'd': o->date_name = optarg; break;
		case 'h': usage(stdout, EXIT_OK);
		case 'H': o->history = true; break;
		case 'k': o->kinds_arg = optarg; break;
		case 'l': parse_levels(o, optarg); break;
		case 'M': o->force_money = true; break;
		case 'm': parse_method(o, optarg); break;
		case 'n': o->h = (int)parse_count("--horizon", optarg, MAX_HORIZON); break;
		case 'p': parse_per(o, optarg); break;
		case 'v': o->value_name = optarg; break;
		case 'V': cli_version();
		case CLI_OPT_PROGRESS: o->progress = PROGRESS_ON; break;
		case CLI_OPT_NO_PROGRESS: o->progress = PROGRESS_OFF; break;
		default: bad_option(argv[optind - 1]);
		}
	}
	if (o->backtest && o->history) {
		diag_warn("--history and --backtest cannot be used together");
		usage(stderr, EXIT_USAGE);
	}
	parse_kinds(o, o->kinds_arg ? o->kinds_arg : KINDS_DEFAULT);
}

/* The --by columns (each once, currency left to the end), then currency. */
static void bind_keys(const struct tsv_reader *r, struct options *o)
{
	size_t maxkeys = 1;
	if (o->by)
		for (const char *p = o->by; *p; p++)
			maxkeys += *p == ',';
	o->key_cols = xcalloc(maxkeys + 1, sizeof *o->key_cols);
	o->key_names = xcalloc(maxkeys + 1, sizeof *o->key_names);
	if (o->by) {
		char *copy = xstrdup(o->by), *save = NULL;
		for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			int col = tsv_col_or_die(r, tok);
			for (size_t k = 0; k < o->nkeys; k++)
				if (o->key_cols[k] == col)
					col = -1;
			if (col < 0 || col == o->currency_col)
				continue; /* named twice, or currency (added below) */
			o->key_cols[o->nkeys] = col;
			o->key_names[o->nkeys++] = r->cols[col];
		}
		free(copy);
		free(o->by);
		o->by = NULL;
	}
	if (o->currency_col >= 0) {
		o->key_cols[o->nkeys] = o->currency_col;
		o->key_names[o->nkeys++] = r->cols[o->currency_col];
	}
}

/* The columns the options name, in the header of r; dies when missing. */
static void bind_columns(const struct tsv_reader *r, struct options *o)
{
	o->value_name = check_allocations(r, o->by, o->value_name);
	o->value_col = tsv_col_or_die(r, o->value_name);
	o->date_col = tsv_col_or_die(r, o->date_name);
	o->currency_col = tsv_col(r, "currency");
	if (o->force_money && o->currency_col < 0)
		diag_die(EXIT_USAGE, "%s: --money needs a \"currency\" column", r->file);
	o->money = o->currency_col >= 0 && (o->force_money || is_money_column(o->value_name));
	o->kind_col = o->kinds_arg ? tsv_col_or_die(r, "kind") : tsv_col(r, "kind");
	bind_keys(r, o);
}

/* input_end: the latest period of any series; each series must reach it
 * within FORECAST_MAX_SPAN periods unless --align series. */
static void find_input_end(const struct options *o)
{
	for (size_t g = 0; g < table.n; g++) {
		int64_t last = table.series[g].first + (int64_t)table.series[g].len - 1;
		if (g == 0 || last > input_end)
			input_end = last;
	}
	if (!o->align_series)
		for (size_t g = 0; g < table.n; g++)
			if (input_end - table.series[g].first >= FORECAST_MAX_SPAN)
				diag_die(EXIT_DATA,
					 "%sspans more than %d periods to the end of the input "
					 "(--align series ends each series at its own last period)",
					 table.series[g].label, FORECAST_MAX_SPAN);
}

int main(int argc, char **argv)
{
	struct options o = {.kind = PERIOD_MONTH, .h = 12, .method = FORECAST_AUTO,
			    .levels = {80, 95}, .nlevels = 2, .decimals = 2, .date_name = "date"};
	diag_init(argv[0]);
	parse_options(argc, argv, &o);
	char **files = argv + optind;
	size_t nfiles = (size_t)(argc - optind);

	struct tsv_reader r;
	cli_tsv_open(&r, files, nfiles);
	bind_columns(&r, &o);
	forecast_table_init(&table, o.nkeys);
	struct progress progress;
	progress_start(&progress, diag_prog, stderr, o.progress, files, nfiles);
	read_rows(&r, &o, o.value_name, o.date_name, &progress);
	progress_end(&progress);
	find_input_end(&o);
	drop_incomplete(&o);

	struct tsv_writer w;
	tsv_writer_init(&w, out_stdout());
	put_header(&w, &o);
	if (o.backtest)
		backtest_all(&w, &o);
	else
		forecast_all(&w, &o);
	report_fallback(&o);
	report_passed();
	forecast_table_free(&table);
	free(o.kinds_buf);
	free(o.key_cols);
	free(o.key_names);
	tsv_close(&r);
	out_stdout_close_or_die();
	return EXIT_OK;
}
