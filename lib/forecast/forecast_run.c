/* forecast_run.c - tally-forecast's run: the options bound to the
 * stream's columns, rows read into per-period series, and the end of the
 * input settled (forecast_run.h). */
#include "forecast_run.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "money.h"

/* Value columns of the sales and allocations streams that hold money. */
static const char *const money_columns[] = {"gross", "tax", "fee", "net", "amount"};

void forecast_run_init(struct forecast_run *run)
{
	memset(run, 0, sizeof *run);
	run->kind = PERIOD_MONTH;
	run->h = 12;
	run->method = FORECAST_AUTO;
	run->levels[0] = 80;
	run->levels[1] = 95;
	run->nlevels = 2;
	run->decimals = 2;
	run->date_name = "date";
	run->currency_col = run->kind_col = -1;
}

static int fail(int st, char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(int st, char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return st;
}

void forecast_run_note(const struct forecast_run *run, const char *fmt, ...)
{
	char small[512], *msg = small;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof small && (msg = malloc((size_t)n + 1))) {
		va_start(ap, fmt);
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	if (run->note && n >= 0)
		run->note(run->note_ctx, msg ? msg : small);
	if (msg != small)
		free(msg);
}

bool forecast_list_has(const char *list, const char *name)
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

static bool is_money_column(const char *name)
{
	for (size_t i = 0; i < sizeof money_columns / sizeof *money_columns; i++)
		if (strcmp(money_columns[i], name) == 0)
			return true;
	return false;
}

/* The value column to read: an allocations stream (tally-split's output:
 * payee and amount columns) holds each sale once per payee, so its net or
 * gross summed double counts: it is forecast per payee on amount (--by
 * payee) or refused. */
static int pick_value(struct forecast_run *run, const struct tsv_reader *r, char *err, size_t cap)
{
	if (tsv_col(r, "payee") < 0 || tsv_col(r, "amount") < 0) {
		if (!run->value_name)
			run->value_name = "net";
		return FORECAST_RUN_OK;
	}
	if (!forecast_list_has(run->by, "payee"))
		return fail(FORECAST_RUN_EDATA, err, cap,
			    "%s: an allocations stream (payee and amount columns) has each sale "
			    "once per payee, so its totals double count: forecast each payee's "
			    "share with --by payee",
			    r->file);
	if (run->value_name && strcmp(run->value_name, "amount") != 0)
		return fail(FORECAST_RUN_EDATA, err, cap,
			    "%s: an allocations stream is forecast on amount (each payee's share); "
			    "column \"%s\" repeats the sale's figure for every payee",
			    r->file, run->value_name);
	run->value_name = "amount";
	return FORECAST_RUN_OK;
}

/* *col: column NAME of r, else _ECOLUMN with the name in err. */
static int need_col(const struct tsv_reader *r, const char *name, int *col, char *err, size_t cap)
{
	*col = tsv_col(r, name);
	return *col >= 0 ? FORECAST_RUN_OK : fail(FORECAST_RUN_ECOLUMN, err, cap, "%s", name);
}

/* The --by columns (each once, currency left to the end), then currency. */
static int bind_keys(struct forecast_run *run, const struct tsv_reader *r, char *err, size_t cap)
{
	size_t maxkeys = 1;
	for (const char *p = run->by; p && *p; p++)
		maxkeys += *p == ',';
	run->key_cols = calloc(maxkeys + 1, sizeof *run->key_cols);
	run->key_names = calloc(maxkeys + 1, sizeof *run->key_names);
	char *copy = run->by ? strdup(run->by) : NULL;
	if (!run->key_cols || !run->key_names || (run->by && !copy))
		return free(copy), FORECAST_RUN_ENOMEM;
	char *save = NULL;
	for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save)) {
		int col;
		if (need_col(r, tok, &col, err, cap) != FORECAST_RUN_OK)
			return free(copy), FORECAST_RUN_ECOLUMN;
		for (size_t k = 0; k < run->nkeys; k++)
			if (run->key_cols[k] == col)
				col = -1;
		if (col < 0 || col == run->currency_col)
			continue; /* named twice, or currency (added below) */
		run->key_cols[run->nkeys] = col;
		run->key_names[run->nkeys++] = r->cols[col];
	}
	free(copy);
	if (run->currency_col >= 0) {
		run->key_cols[run->nkeys] = run->currency_col;
		run->key_names[run->nkeys++] = r->cols[run->currency_col];
	}
	return FORECAST_RUN_OK;
}

int forecast_run_bind(struct forecast_run *run, const struct tsv_reader *r, char *err, size_t cap)
{
	int st = pick_value(run, r, err, cap);
	if (st == FORECAST_RUN_OK)
		st = need_col(r, run->value_name, &run->value_col, err, cap);
	if (st == FORECAST_RUN_OK)
		st = need_col(r, run->date_name, &run->date_col, err, cap);
	if (st != FORECAST_RUN_OK)
		return st;
	run->currency_col = tsv_col(r, "currency");
	if (run->force_money && run->currency_col < 0)
		return fail(FORECAST_RUN_EUSAGE, err, cap, "%s: --money needs a \"currency\" column", r->file);
	run->money = run->currency_col >= 0 && (run->force_money || is_money_column(run->value_name));
	if (run->kinds_given && need_col(r, "kind", &run->kind_col, err, cap) != FORECAST_RUN_OK)
		return FORECAST_RUN_ECOLUMN;
	if (!run->kinds_given)
		run->kind_col = tsv_col(r, "kind");
	st = bind_keys(run, r, err, cap);
	if (st == FORECAST_RUN_OK)
		forecast_table_init(&run->table, run->nkeys);
	return st;
}

static bool wanted_kind(const struct forecast_run *run, const struct tsv_field *f)
{
	for (size_t i = 0; i < run->nkinds; i++)
		if (strlen(run->kinds[i]) == f->len && memcmp(run->kinds[i], f->s, f->len) == 0)
			return true;
	return false;
}

/* 'column "COL": "VALUE" WHAT' for the field of column COL. */
static int bad_field(const struct tsv_reader *r, const char *col, const char *what, char *err, size_t cap)
{
	char q[128];
	const struct tsv_field *f = &r->fields[tsv_col(r, col)];
	return fail(FORECAST_RUN_EDATA, err, cap, "column \"%s\": %s %s", col,
		    diag_quote(q, sizeof q, f->s, f->len), what);
}

/* Add the value field of r to period slot AT of s: money when DIGITS >= 0. */
static int add_value(struct forecast_run *run, const struct tsv_reader *r, int digits,
		     struct forecast_series *s, size_t at, char *err, size_t cap)
{
	const struct tsv_field *vf = &r->fields[run->value_col];
	if (digits >= 0) {
		int64_t v;
		int st = money_parse(vf->s, vf->len, &v);
		if (st != MONEY_OK)
			return bad_field(r, run->value_name, money_strerror(st), err, cap);
		if (!money_add(s->micros[at], v, &s->micros[at]))
			return fail(FORECAST_RUN_EDATA, err, cap, "%sthe total of a period is too large",
				    s->label);
		return FORECAST_RUN_OK;
	}
	double v;
	int dec;
	if (!forecast_parse_number(vf->s, vf->len, &v, &dec))
		return bad_field(r, run->value_name, "is not a number", err, cap);
	if (dec > run->decimals)
		run->decimals = dec > 6 ? 6 : dec;
	s->sums[at] += v;
	return FORECAST_RUN_OK;
}

/* The currency's digits when the value is money, else -1; -2 when the
 * currency column holds no currency code. */
static int row_digits(const struct forecast_run *run, const struct tsv_reader *r)
{
	if (run->currency_col < 0)
		return -1;
	const struct tsv_field *cf = &r->fields[run->currency_col];
	int d = currency_digits(cf->s, cf->len);
	if (d < 0)
		return -2;
	return run->money ? d : -1;
}

int forecast_run_row(struct forecast_run *run, const struct tsv_reader *r, char *err, size_t cap)
{
	const struct tsv_field *df = &r->fields[run->date_col];
	if (run->kind_col >= 0 && !wanted_kind(run, &r->fields[run->kind_col]))
		return kinds_tally_add(&run->passed, r->fields[run->kind_col].s) < 0 ? FORECAST_RUN_ENOMEM
										      : FORECAST_RUN_OK;
	int digits = row_digits(run, r);
	if (digits == -2)
		return bad_field(r, "currency", "is not a currency code", err, cap);
	int64_t t;
	if (date_parse(df->s, df->len, &t) < 0)
		return bad_field(r, run->date_name, "is not a date", err, cap);
	if (run->has_until && t >= run->until + 86400) {
		run->after_until++;
		return FORECAST_RUN_OK;
	}
	struct period p = period_of(t, run->kind);
	struct forecast_series *s;
	size_t at;
	if (forecast_table_series(&run->table, r->fields, run->key_cols, digits, &s) < 0)
		return FORECAST_RUN_ENOMEM;
	int slot = forecast_series_slot(s, p.index, &at);
	if (slot == FORECAST_SERIES_ESPAN)
		return fail(FORECAST_RUN_EDATA, err, cap, "%sspans more than %d periods", s->label,
			    FORECAST_MAX_SPAN);
	if (slot < 0 || forecast_table_note_time(&run->table, p, t) < 0)
		return FORECAST_RUN_ENOMEM;
	return add_value(run, r, digits, s, at, err, cap);
}

/* input_end: the latest period of any series; each series must reach it
 * within FORECAST_MAX_SPAN periods unless --align series. */
static int find_input_end(struct forecast_run *run, char *err, size_t cap)
{
	const struct forecast_table *t = &run->table;
	for (size_t g = 0; g < t->n; g++) {
		int64_t last = t->series[g].first + (int64_t)t->series[g].len - 1;
		if (g == 0 || last > run->input_end)
			run->input_end = last;
	}
	if (!run->align_series)
		for (size_t g = 0; g < t->n; g++)
			if (run->input_end - t->series[g].first >= FORECAST_MAX_SPAN)
				return fail(FORECAST_RUN_EDATA, err, cap,
					    "%sspans more than %d periods to the end of the input "
					    "(--align series ends each series at its own last period)",
					    t->series[g].label, FORECAST_MAX_SPAN);
	return FORECAST_RUN_OK;
}

/* Whether the input's last period is incomplete.  With --until: when the
 * day is not the period's last day; otherwise by its rows' dates
 * (forecast_table_last_incomplete). */
static bool last_incomplete(const struct forecast_run *run, char *why, size_t cap)
{
	char day[DATE_BUF];
	if (run->has_until) {
		struct period p = period_of(run->until, run->kind);
		date_format_day(day, run->until);
		snprintf(why, cap, "--until %s is before its end", day);
		return p.index == run->input_end && run->until + 86400 < period_end(p);
	}
	return forecast_table_last_incomplete(&run->table, run->kind, run->input_end, why, cap);
}

/* Leave out an incomplete last period (one note), unless a series has
 * nothing else. */
static void drop_incomplete(struct forecast_run *run)
{
	char why[160], per[DATE_BUF];
	struct forecast_table *t = &run->table;
	if (run->after_until)
		forecast_run_note(run, "left out %ld row%s dated after --until", run->after_until,
		     run->after_until == 1 ? "" : "s");
	if (t->n == 0 || !last_incomplete(run, why, sizeof why))
		return;
	struct period p = {.kind = run->kind, .index = run->input_end};
	period_format(per, p);
	for (size_t g = 0; g < t->n; g++)
		if (t->series[g].first == run->input_end) {
			forecast_run_note(run, "the last %s, %s, looks incomplete (%s): kept, as %sit has no earlier period",
			     period_kind_name(run->kind), per, why, t->series[g].label);
			return;
		}
	for (size_t g = 0; g < t->n; g++)
		if (t->series[g].first + (int64_t)t->series[g].len - 1 == run->input_end)
			t->series[g].len--;
	run->input_end--;
	forecast_run_note(run, "the last %s, %s, looks incomplete (%s): left out; --until DATE says how far the data go",
	     period_kind_name(run->kind), per, why);
}

int forecast_run_end(struct forecast_run *run, char *err, size_t cap)
{
	int st = find_input_end(run, err, cap);
	if (st == FORECAST_RUN_OK)
		drop_incomplete(run);
	return st;
}

void forecast_run_free(struct forecast_run *run)
{
	forecast_table_free(&run->table);
	kinds_tally_free(&run->passed);
	free(run->key_cols);
	free(run->key_names);
	run->key_cols = NULL;
	run->key_names = NULL;
}
