/* report_run_rows.c - the cells every stream of a run has (dates,
 * currencies, amounts, names), judged as tally(7) says: a bad one stops the
 * run naming file, line and column. */
#include "report_run_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "escape.h"
#include "extsort.h"
#include "kinds.h"
#include "money.h"
#include "out.h"
#include "paths.h"
#include "report_business.h"
#include "report_partial.h"
#include "report_sale.h"
#include "report_summary.h"

/* ------------------------------------------------------ reading rows */






noreturn void rrun_die_value(struct report_run *R, const struct tsv_reader *r, const char *col, const struct tsv_field *f,
			       const char *what)
{
	char q[96];
	rrun_fail_at(R, EXIT_DATA, r->file, r->line, "column \"%s\": %s %s", col,
		    diag_quote(q, sizeof q, f->s, f->len), what);
}

void rrun_row_date(struct report_run *R, struct row_cache *c, const struct tsv_reader *r, const struct tsv_field *f)
{
	if (f->len == c->date_len && f->len && memcmp(f->s, c->date, f->len) == 0)
		return;
	if (date_parse(f->s, f->len, &c->when) < 0)
		rrun_die_value(R, r, "date", f, "is not a date");
	c->period = period_of(c->when, R->opt.kind).index;
	if (f->len < sizeof c->date) {
		memcpy(c->date, f->s, f->len);
		c->date_len = f->len;
	} else
		c->date_len = 0;
}

void rrun_note_currency(struct report_run *R, const char *cur)
{
	for (int i = 0; i < R->ncurrencies; i++)
		if (memcmp(R->currencies[i], cur, 3) == 0)
			return;
	if (R->ncurrencies < 8)
		memcpy(R->currencies[R->ncurrencies++], cur, 4);
}

void rrun_row_currency(struct report_run *R, struct row_cache *c, const struct tsv_reader *r, const struct tsv_field *f)
{
	if (f->len == 3 && memcmp(f->s, c->currency, 3) == 0)
		return;
	if (!report_opts_currency(f->s, f->len))
		rrun_die_value(R, r, "currency", f, "is not a currency code");
	memcpy(c->currency, f->s, 3);
	c->currency[3] = '\0';
	rrun_note_currency(R, c->currency);
}

int64_t rrun_row_amount(struct report_run *R, const struct tsv_reader *r, const char *col, const struct tsv_field *f)
{
	int64_t v;
	int rc = money_parse(f->s, f->len, &v);
	if (rc != MONEY_OK)
		rrun_die_value(R, r, col, f, money_strerror(rc));
	return v;
}

static noreturn void die_fx(struct report_run *R, int rc, const char *currency, int64_t when, const struct tsv_reader *r)
{
	if (rc == FX_ENORATE) {
		char day[DATE_BUF];
		date_format_day(day, when);
		rrun_fail_at(R, EXIT_DATA, r->file, r->line, "no %s rate for %s on or before %s in %s", R->opt.to,
			    currency, day, R->opt.fx_path);
	}
	rrun_fail_at(R, EXIT_DATA, r->file, r->line, "converting %s to %s overflows", currency, R->opt.to);
}

/* The amount in the reporting currency: itself, or converted (--fx). */
int64_t rrun_row_convert(struct report_run *R, const struct row_cache *c, const struct tsv_reader *r, int64_t v)
{
	int64_t out;
	if (!R->opt.to || memcmp(c->currency, R->opt.to, 3) == 0)
		return v;
	int rc = fx_convert(&R->opt.fx, v, c->currency, R->opt.to, c->when, &out);
	if (rc != FX_OK)
		die_fx(R, rc, c->currency, c->when, r);
	return out;
}

/* The amount of one part of a sale in the reporting currency, converted
 * by running total so the parts still add up (report_sale.h). */
int64_t rrun_row_convert_part(struct report_run *R, struct report_fx_run *run, const struct row_cache *c, const struct tsv_reader *r,
				const char *key, size_t kl, bool groupable, int64_t v)
{
	int64_t out;
	if (!R->opt.to || memcmp(c->currency, R->opt.to, 3) == 0)
		return v;
	int rc = report_fx_run_convert(run, &R->opt.fx, R->opt.to, key, kl, groupable, c->when, c->currency, r->file, v,
				       &out);
	if (rc == 1)
		rrun_fail_at(R, EXIT_DATA, r->file, r->line, "the total overflows");
	if (rc != FX_OK)
		die_fx(R, rc, c->currency, c->when, r);
	return out;
}

/* Intern a short text cell, remembering the last one: sources and
 * products repeat from row to row. */
uint32_t rrun_cached_name(struct report_run *R, const struct tsv_field *f, char *buf, size_t cap, size_t *len, uint32_t *id,
			    bool *have)
{
	if (*have && f->len == *len && memcmp(f->s, buf, f->len) == 0)
		return *id;
	*id = rrun_intern_name(R, &R->book.names, f->s, f->len);
	if (f->len < cap) {
		memcpy(buf, f->s, f->len);
		*len = f->len;
		*have = true;
	} else
		*have = false;
	return *id;
}


void rrun_die_read_error(struct report_run *R, const struct tsv_reader *r)
{
	if (errno)
		rrun_fail(R, EXIT_DATA, "%s: %s", r->file, strerror(errno));
	rrun_fail_at(R, EXIT_DATA, r->file, r->line, "%s", r->err);
}

