/* report_costs.c - the costs table and the exact spreading of recurring
 * amounts over days (report_costs.h). */
#include "report_costs.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "diag.h"
#include "money.h"
#include "tsv.h"

#define DAY_SECONDS 86400

__extension__ typedef __int128 i128;

int report_load_bad(struct report_load_error *e, const char *col, const char *value, size_t len,
		    const char *what)
{
	char q[96];
	snprintf(e->msg, sizeof e->msg, "column \"%s\": %s %s", col,
		 diag_quote(q, sizeof q, value, len), what);
	return REPORT_LOAD_EDATA;
}

int report_load_rows(const char *path, const char *const *need, struct report_load_error *e,
		     int (*row)(void *ctx, const struct tsv_reader *r, struct report_load_error *e),
		     void *ctx)
{
	struct tsv_reader r;
	char *paths[1] = {(char *)path};
	int st = REPORT_LOAD_OK, rc;

	memset(e, 0, sizeof *e);
	errno = 0;
	if (tsv_open(&r, paths, 1) < 0) {
		snprintf(e->file, sizeof e->file, "%s", r.file ? r.file : path);
		st = errno ? REPORT_LOAD_EOPEN : REPORT_LOAD_EDATA;
		e->line = 1;
		snprintf(e->msg, sizeof e->msg, "%s", r.err);
		tsv_close(&r);
		return st;
	}
	snprintf(e->file, sizeof e->file, "%s", r.file);
	for (const char *const *c = need; *c && st == REPORT_LOAD_OK; c++)
		if (tsv_col(&r, *c) < 0) {
			e->line = 1;
			snprintf(e->msg, sizeof e->msg, "missing column \"%s\"", *c);
			st = REPORT_LOAD_ECOLUMN;
		}
	while (st == REPORT_LOAD_OK && (rc = tsv_next(&r)) == 1) {
		e->line = r.line;
		st = row(ctx, &r, e);
	}
	if (st == REPORT_LOAD_OK && rc < 0) {
		e->line = r.line;
		snprintf(e->msg, sizeof e->msg, "%s", errno ? strerror(errno) : r.err);
		st = REPORT_LOAD_EDATA;
	}
	tsv_close(&r);
	return st;
}

int report_day_span(const char *s, size_t len, int64_t *first, int64_t *last)
{
	struct period p;
	if (period_parse(s, len, &p) < 0 || p.kind == PERIOD_WEEK || p.kind == PERIOD_QUARTER)
		return -1;
	*first = period_start(p) / DAY_SECONDS;
	*last = period_end(p) / DAY_SECONDS - 1;
	return 0;
}

/* floor(a * num / den) for a >= 0, num >= 0, den > 0, without overflow */
static int64_t floor_part(int64_t a, int64_t num, int64_t den)
{
	return (int64_t)((i128)a * num / den);
}

/* Days in the month of day, and its first day. */
static int64_t month_of_day(int64_t day, int64_t *first, unsigned *month)
{
	int64_t y;
	unsigned m, d;
	date_civil_from_days(day, &y, &m, &d);
	*first = date_days_from_civil(y, m, 1);
	*month = m;
	return date_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - *first;
}

int64_t report_spread(int64_t amount, bool per_year, int64_t from, int64_t to, int64_t a, int64_t b)
{
	int64_t lo = a > from ? a : from, hi = b < to ? b : to, sum = 0;
	while (lo <= hi) {
		int64_t first;
		unsigned m;
		int64_t n = month_of_day(lo, &first, &m);
		int64_t end = first + n - 1 < hi ? first + n - 1 : hi;
		int64_t monthly =
		    per_year ? floor_part(amount, m, 12) - floor_part(amount, m - 1, 12) : amount;
		/* never overflows: the parts of one cost sum to at most its whole per month */
		sum += floor_part(monthly, end - first + 1, n) - floor_part(monthly, lo - first, n);
		lo = end + 1;
	}
	return sum;
}

int64_t report_cost_fixed(const struct report_cost *c, int64_t a, int64_t b)
{
	if (c->per == REPORT_PER_SALE || c->per == REPORT_PER_UNIT)
		return 0;
	if (c->from == c->to) /* one-off */
		return c->from >= a && c->from <= b ? c->amount : 0;
	return report_spread(c->amount, c->per == REPORT_PER_YEAR, c->from, c->to, a, b);
}

/* A glob as agreements' match: NULL matches all, no wildcard is exact. */
static bool glob_covers(const char *glob, const char *v)
{
	if (!glob)
		return true;
	if (!strpbrk(glob, "*?["))
		return strcmp(glob, v) == 0;
	return fnmatch(glob, v, 0) == 0;
}

bool report_cost_applies(const struct report_cost *c, int64_t day, const char *product,
			 const char *source)
{
	return (c->per == REPORT_PER_SALE || c->per == REPORT_PER_UNIT) && day >= c->from &&
	       day <= c->to && glob_covers(c->match, product) && glob_covers(c->source, source);
}

/* ------------------------------------------------------------ loading */

/* The optional glob column col of r into *glob (NULL when absent, empty
 * or `*`); an error on a fixed cost, which does not fall per row. */
static int glob_column(const struct tsv_reader *r, const char *col, enum report_cost_per per,
		       char **glob, struct report_load_error *e)
{
	int k = tsv_col(r, col);
	const struct tsv_field *f = k >= 0 ? &r->fields[k] : NULL;
	*glob = NULL;
	if (!f || f->len == 0 || strcmp(f->s, "*") == 0)
		return REPORT_LOAD_OK;
	if (per == REPORT_PER_MONTH || per == REPORT_PER_YEAR)
		return report_load_bad(e, col, f->s, f->len,
				       "is on a month or year cost: only sale and unit costs "
				       "fall per row (leave it empty or *)");
	return (*glob = strdup(f->s)) ? REPORT_LOAD_OK : REPORT_LOAD_ENOMEM;
}

static void cost_free(struct report_cost *c)
{
	free(c->item);
	free(c->match);
	free(c->source);
}

static int cost_row(void *ctx, const struct tsv_reader *r, struct report_load_error *e)
{
	static const char *const pers[] = {"month", "year", "sale", "unit"};
	struct report_costs *t = ctx;
	const struct tsv_field *item = &r->fields[tsv_col(r, "item")],
			       *from = &r->fields[tsv_col(r, "from")];
	const struct tsv_field *to = &r->fields[tsv_col(r, "to")],
			       *amount = &r->fields[tsv_col(r, "amount")];
	const struct tsv_field *cur = &r->fields[tsv_col(r, "currency")],
			       *per = &r->fields[tsv_col(r, "per")];
	struct report_cost c = {0};
	int64_t ignored;

	if (item->len == 0)
		return report_load_bad(e, "item", "", 0, "is not an item: give the cost a name");
	if (report_day_span(from->s, from->len, &c.from, &ignored) < 0)
		return report_load_bad(e, "from", from->s, from->len,
				       "is not a day, month or year");
	c.to = INT64_MAX / DAY_SECONDS;
	if (to->len && report_day_span(to->s, to->len, &ignored, &c.to) < 0)
		return report_load_bad(e, "to", to->s, to->len, "is not a day, month or year");
	if (c.to < c.from)
		return report_load_bad(e, "to", to->s, to->len, "is before from");
	int rc = money_parse(amount->s, amount->len, &c.amount);
	if (rc != MONEY_OK)
		return report_load_bad(e, "amount", amount->s, amount->len, money_strerror(rc));
	if (c.amount < 0)
		return report_load_bad(e, "amount", amount->s, amount->len,
				       "is negative: a cost is at least 0");
	if (cur->len != 3 || currency_digits(cur->s, 3) < 0)
		return report_load_bad(e, "currency", cur->s, cur->len, "is not a currency code");
	memcpy(c.currency, cur->s, 3);
	size_t k;
	for (k = 0;
	     k < 4 && !(per->len == strlen(pers[k]) && memcmp(per->s, pers[k], per->len) == 0); k++)
		;
	if (k == 4)
		return report_load_bad(e, "per", per->s, per->len,
				       "is not month, year, sale or unit");
	c.per = (enum report_cost_per)k;
	c.line = r->line;
	int st;
	if ((st = glob_column(r, "match", c.per, &c.match, e)) != REPORT_LOAD_OK ||
	    (st = glob_column(r, "source", c.per, &c.source, e)) != REPORT_LOAD_OK) {
		cost_free(&c);
		return st;
	}
	struct report_cost *grown = realloc(t->c, (t->n + 1) * sizeof *grown);
	if (grown)
		t->c = grown;
	if (!grown || !(c.item = strdup(item->s))) {
		cost_free(&c);
		return REPORT_LOAD_ENOMEM;
	}
	t->c[t->n++] = c;
	return REPORT_LOAD_OK;
}

int report_costs_load(struct report_costs *t, const char *path, struct report_load_error *e)
{
	static const char *const need[] = {"item", "from", "to", "amount", "currency", "per", NULL};
	memset(t, 0, sizeof *t);
	int st = report_load_rows(path, need, e, cost_row, t);
	snprintf(t->file, sizeof t->file, "%s", e->file);
	if (st != REPORT_LOAD_OK)
		report_costs_free(t);
	return st;
}

void report_costs_free(struct report_costs *t)
{
	for (size_t i = 0; i < t->n; i++)
		cost_free(&t->c[i]);
	free(t->c);
	memset(t, 0, sizeof *t);
}
