/* fx.c - the rates table: loading, lookup of the rate on a date or the
 * latest before it, exact conversion (see fx.h). */
#include "fx.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "diag.h"
#include "tsv.h"

static int cmp_key(const char *cur_a, const char *to_a, int64_t when_a, const char *cur_b,
		   const char *to_b, int64_t when_b)
{
	int c = strcmp(cur_a, cur_b);
	if (c)
		return c;
	c = strcmp(to_a, to_b);
	if (c)
		return c;
	return (when_a > when_b) - (when_a < when_b);
}

static int cmp_rate(const void *a, const void *b)
{
	const struct fx_rate *x = a, *y = b;
	return cmp_key(x->currency, x->to, x->when, y->currency, y->to, y->when);
}

__attribute__((format(printf, 3, 4))) static int data_error(struct fx_error *e, long line,
							    const char *fmt, ...)
{
	va_list ap;
	e->line = line;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return FX_EDATA;
}

/* A currency code field into code[4]; false when not an active code. */
static bool read_code(const struct tsv_field *f, char code[4])
{
	if (f->len != 3 || currency_digits(f->s, 3) < 0)
		return false;
	memcpy(code, f->s, 4);
	return true;
}

/* Check one row of the reader and append it to t. */
static int add_row(struct fx_table *t, size_t *cap, const struct tsv_reader *r, int c_date,
		   int c_cur, int c_rate, int c_to, struct fx_error *e)
{
	char q[96];
	struct fx_rate x;
	memset(&x, 0, sizeof x);
	const struct tsv_field *f = &r->fields[c_date];
	if (date_parse(f->s, f->len, &x.when) < 0)
		return data_error(e, r->line, "column \"date\": %s is not a date",
				  diag_quote(q, sizeof q, f->s, f->len));
	f = &r->fields[c_cur];
	if (!read_code(f, x.currency))
		return data_error(e, r->line, "column \"currency\": %s is not a known currency",
				  diag_quote(q, sizeof q, f->s, f->len));
	f = &r->fields[c_rate];
	if (ratio_parse(f->s, f->len, &x.rate) < 0 || x.rate.num == 0)
		return data_error(e, r->line, "column \"rate\": %s is not a positive rate",
				  diag_quote(q, sizeof q, f->s, f->len));
	if (c_to >= 0 && r->fields[c_to].len > 0) {
		f = &r->fields[c_to];
		if (!read_code(f, x.to))
			return data_error(e, r->line, "column \"to\": %s is not a known currency",
					  diag_quote(q, sizeof q, f->s, f->len));
	}
	if (t->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct fx_rate *p = realloc(t->rates, ncap * sizeof *p);
		if (!p)
			return FX_ENOMEM;
		t->rates = p;
		*cap = ncap;
	}
	t->rates[t->n++] = x;
	return FX_OK;
}

static int load_rows(struct fx_table *t, struct tsv_reader *r, struct fx_error *e)
{
	int c_date = tsv_col(r, "date"), c_cur = tsv_col(r, "currency");
	int c_rate = tsv_col(r, "rate"), c_to = tsv_col(r, "to");
	const char *missing = c_date < 0 ? "date" : c_cur < 0 ? "currency" : c_rate < 0 ? "rate" : NULL;
	const char *looks = r->ncols == 1 ? tsv_separator_hint(r->cols[0]) : NULL;
	if (missing && looks)
		data_error(e, 1, "the rates file must be TAB-separated: the header line has no TAB (%s)", looks);
	else if (missing)
		data_error(e, 1, "missing column \"%s\"", missing);
	if (missing)
		return FX_ECOLUMN;
	size_t cap = 0;
	int rc;
	while ((rc = tsv_next(r)) == 1) {
		int st = add_row(t, &cap, r, c_date, c_cur, c_rate, c_to, e);
		if (st != FX_OK)
			return st;
	}
	if (rc < 0) {
		if (errno)
			return FX_EOPEN;
		return data_error(e, r->line, "%s", r->err);
	}
	return FX_OK;
}

int fx_load(struct fx_table *t, const char *path, struct fx_error *e)
{
	memset(t, 0, sizeof *t);
	memset(e, 0, sizeof *e);
	struct tsv_reader r;
	char *paths[1] = {(char *)path};
	int st;
	errno = 0;
	if (tsv_open(&r, paths, 1) < 0) {
		snprintf(e->file, sizeof e->file, "%s", r.file ? r.file : path);
		if (errno) {
			tsv_close(&r);
			return FX_EOPEN;
		}
		st = data_error(e, 1, "%s", r.err);
		tsv_close(&r);
		return st;
	}
	snprintf(e->file, sizeof e->file, "%s", r.file);
	st = load_rows(t, &r, e);
	tsv_close(&r);
	if (st == FX_OK) {
		if (t->n > 0) /* qsort(NULL, 0, ...) is undefined */
			qsort(t->rates, t->n, sizeof *t->rates, cmp_rate);
		for (size_t i = 1; i < t->n; i++)
			if (cmp_rate(&t->rates[i - 1], &t->rates[i]) == 0) {
				char day[DATE_BUF];
				date_format_day(day, t->rates[i].when);
				st = data_error(e, 0, "two %s rates for %s", t->rates[i].currency, day);
				break;
			}
	}
	if (st == FX_OK) {
		t->name = strdup(e->file);
		if (!t->name)
			st = FX_ENOMEM;
	}
	if (st != FX_OK)
		fx_free(t);
	return st;
}

/* Index of the last rate of (currency, to) on or before when, or -1. */
static long find_in(const struct fx_table *t, const char *currency, const char *to, int64_t when)
{
	size_t lo = 0, hi = t->n; /* first rate with key > (currency, to, when) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct fx_rate *m = &t->rates[mid];
		if (cmp_key(m->currency, m->to, m->when, currency, to, when) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return -1;
	const struct fx_rate *p = &t->rates[lo - 1];
	if (strcmp(p->currency, currency) != 0 || strcmp(p->to, to) != 0)
		return -1;
	return (long)(lo - 1);
}

int fx_lookup(const struct fx_table *t, const char *currency, const char *to, int64_t when,
	      struct ratio *rate, int64_t *rate_when)
{
	if (strcmp(currency, to) == 0) {
		rate->num = rate->den = 1;
		if (rate_when)
			*rate_when = when;
		return FX_OK;
	}
	if (!t)
		return FX_ENORATE;
	/* A rate for this very target, else one for any target; the later
	 * of the two when both exist. */
	long a = find_in(t, currency, to, when), b = find_in(t, currency, "", when);
	long i = a < 0 ? b : b < 0 ? a : t->rates[a].when >= t->rates[b].when ? a : b;
	if (i < 0)
		return FX_ENORATE;
	*rate = t->rates[i].rate;
	if (rate_when)
		*rate_when = t->rates[i].when;
	return FX_OK;
}

int fx_convert(const struct fx_table *t, int64_t amount, const char *currency, const char *to,
	       int64_t when, int64_t *out)
{
	struct ratio rate;
	int st = fx_lookup(t, currency, to, when, &rate, NULL);
	if (st != FX_OK)
		return st;
	if (!money_muldiv(amount, rate.num, rate.den, out))
		return FX_ERANGE;
	return FX_OK;
}

void fx_free(struct fx_table *t)
{
	free(t->rates);
	free(t->name);
	memset(t, 0, sizeof *t);
}
