/* report_outlook.c - tally-forecast's output added up per period
 * (report_outlook.h). */
#include "report_outlook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "tsv.h"

struct load_ctx {
	struct report_outlook *o;
	enum period_kind kind;
};

static int bound(const struct tsv_reader *r, const char *col, int64_t *v, bool *have,
		 struct report_load_error *e)
{
	int c = tsv_col(r, col);
	*have = false;
	if (c < 0 || r->fields[c].len == 0)
		return REPORT_LOAD_OK;
	int rc = money_parse(r->fields[c].s, r->fields[c].len, v);
	if (rc != MONEY_OK)
		return report_load_bad(e, col, r->fields[c].s, r->fields[c].len,
				       money_strerror(rc));
	*have = true;
	return REPORT_LOAD_OK;
}

static struct report_outlook_period *period_of_outlook(struct report_outlook *o, int64_t period)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->p[i].period == period)
			return &o->p[i];
	struct report_outlook_period *grown = realloc(o->p, (o->n + 1) * sizeof *grown);
	if (!grown)
		return NULL;
	o->p = grown;
	o->p[o->n] = (struct report_outlook_period){period, 0, 0, 0, true};
	return &o->p[o->n++];
}

static int outlook_row(void *ctx, const struct tsv_reader *r, struct report_load_error *e)
{
	struct load_ctx *lc = ctx;
	struct report_outlook *o = lc->o;
	const struct tsv_field *cur = &r->fields[tsv_col(r, "currency")],
			       *per = &r->fields[tsv_col(r, "period")];
	const struct tsv_field *fc = &r->fields[tsv_col(r, "forecast")];
	struct period p;
	int64_t net, lo = 0, hi = 0;
	bool have_lo, have_hi;
	int st;

	if (cur->len != 3 || currency_digits(cur->s, 3) < 0)
		return report_load_bad(e, "currency", cur->s, cur->len, "is not a currency code");
	if (!o->currency[0]) {
		memcpy(o->currency, cur->s, 3);
		o->currency_line = r->line;
	} else if (memcmp(o->currency, cur->s, 3) != 0)
		return report_load_bad(e, "currency", cur->s, cur->len,
				       "is a second currency: forecast one");
	if (period_parse(per->s, per->len, &p) < 0 || p.kind != lc->kind)
		return report_load_bad(e, "period", per->s, per->len,
				       "is not a period of the summary's kind");
	int rc = money_parse(fc->s, fc->len, &net);
	if (rc != MONEY_OK)
		return report_load_bad(e, "forecast", fc->s, fc->len, money_strerror(rc));
	if ((st = bound(r, "lo80", &lo, &have_lo, e)) != REPORT_LOAD_OK ||
	    (st = bound(r, "hi80", &hi, &have_hi, e)) != REPORT_LOAD_OK)
		return st;
	struct report_outlook_period *op = period_of_outlook(o, p.index);
	if (!op)
		return REPORT_LOAD_ENOMEM;
	op->bounds &= have_lo && have_hi;
	if (!money_add(op->net, net, &op->net) || !money_add(op->lo, lo, &op->lo) ||
	    !money_add(op->hi, hi, &op->hi))
		return report_load_bad(e, "forecast", fc->s, fc->len, "makes the total overflow");
	return REPORT_LOAD_OK;
}

static int cmp_period(const void *pa, const void *pb)
{
	const struct report_outlook_period *a = pa, *b = pb;
	return a->period < b->period ? -1 : a->period > b->period;
}

int report_outlook_load(struct report_outlook *o, const char *path, enum period_kind kind,
			struct report_load_error *e)
{
	static const char *const need[] = {"currency", "period", "forecast", NULL};
	memset(o, 0, sizeof *o);
	struct load_ctx lc = {o, kind};
	int st = report_load_rows(path, need, e, outlook_row, &lc);
	snprintf(o->file, sizeof o->file, "%s", e->file);
	if (st != REPORT_LOAD_OK)
		report_outlook_free(o);
	else if (o->n)
		qsort(o->p, o->n, sizeof *o->p, cmp_period);
	return st;
}

void report_outlook_free(struct report_outlook *o)
{
	free(o->p);
	memset(o, 0, sizeof *o);
}
