/* report_whatif.c - fee schedules: loading, checking for overlaps and
 * finding the one in effect (report_whatif.h). */
#include "report_whatif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "tsv.h"

#define OPEN_END (INT64_MAX / 86400)

/* An amount column: empty is 0, else a non-negative amount. */
static int fee_amount(const struct tsv_reader *r, const char *col, int64_t *out,
		      struct report_load_error *e)
{
	const struct tsv_field *f = &r->fields[tsv_col(r, col)];
	*out = 0;
	if (f->len == 0)
		return REPORT_LOAD_OK;
	int rc = money_parse(f->s, f->len, out);
	if (rc != MONEY_OK)
		return report_load_bad(e, col, f->s, f->len, money_strerror(rc));
	if (*out < 0)
		return report_load_bad(e, col, f->s, f->len, "is negative: a fee is at least 0");
	return REPORT_LOAD_OK;
}

/* "10", "2.9" or "2.9%": a percentage, as a fraction. */
static int fee_percent(const struct tsv_field *f, struct ratio *out)
{
	size_t len = f->len && f->s[f->len - 1] == '%' ? f->len - 1 : f->len;
	char buf[64];
	if (len == 0 || len >= sizeof buf - 1 || memchr(f->s, '/', len))
		return -1;
	memcpy(buf, f->s, len);
	buf[len] = '%';
	if (ratio_parse(buf, len + 1, out) < 0 || out->num > out->den)
		return -1;
	return 0;
}

static int platform_of(struct report_fees *f, const char *name, size_t *k)
{
	for (*k = 0; *k < f->nplatforms; (*k)++)
		if (strcmp(f->platforms[*k], name) == 0)
			return REPORT_LOAD_OK;
	char **grown = realloc(f->platforms, (f->nplatforms + 1) * sizeof *grown);
	if (!grown)
		return REPORT_LOAD_ENOMEM;
	f->platforms = grown;
	if (!(f->platforms[f->nplatforms] = strdup(name)))
		return REPORT_LOAD_ENOMEM;
	f->nplatforms++;
	return REPORT_LOAD_OK;
}

static int fee_row(void *ctx, const struct tsv_reader *r, struct report_load_error *e)
{
	struct report_fees *f = ctx;
	struct report_fee_schedule s = {0};
	const struct tsv_field *plat = &r->fields[tsv_col(r, "platform")];
	const struct tsv_field *pct = &r->fields[tsv_col(r, "percent")];
	const struct tsv_field *cur = &r->fields[tsv_col(r, "currency")];
	const struct tsv_field *from = &r->fields[tsv_col(r, "from")];
	int c_to = tsv_col(r, "to");
	int64_t ignored;
	int st;

	if (plat->len == 0)
		return report_load_bad(e, "platform", "", 0, "is not a platform: give its name");
	if (fee_percent(pct, &s.percent) < 0)
		return report_load_bad(e, "percent", pct->s, pct->len,
				       "is not a percentage (0 to 100)");
	if ((st = fee_amount(r, "fixed_per_sale", &s.fixed_per_sale, e)) != REPORT_LOAD_OK ||
	    (st = fee_amount(r, "monthly_fee", &s.monthly_fee, e)) != REPORT_LOAD_OK ||
	    (st = fee_amount(r, "payout_fee", &s.payout_fee, e)) != REPORT_LOAD_OK)
		return st;
	if (cur->len != 3 || currency_digits(cur->s, 3) < 0)
		return report_load_bad(e, "currency", cur->s, cur->len, "is not a currency code");
	memcpy(s.currency, cur->s, 3);
	if (report_day_span(from->s, from->len, &s.from, &ignored) < 0)
		return report_load_bad(e, "from", from->s, from->len,
				       "is not a day, month or year");
	s.to = -1; /* to the next schedule */
	if (c_to >= 0 && r->fields[c_to].len) {
		const struct tsv_field *to = &r->fields[c_to];
		if (report_day_span(to->s, to->len, &ignored, &s.to) < 0)
			return report_load_bad(e, "to", to->s, to->len,
					       "is not a day, month or year");
		if (s.to < s.from)
			return report_load_bad(e, "to", to->s, to->len, "is before from");
	}
	s.line = r->line;
	if ((st = platform_of(f, plat->s, &s.platform)) != REPORT_LOAD_OK)
		return st;
	struct report_fee_schedule *grown = realloc(f->s, (f->n + 1) * sizeof *grown);
	if (!grown)
		return REPORT_LOAD_ENOMEM;
	f->s = grown;
	f->s[f->n++] = s;
	return REPORT_LOAD_OK;
}

static int cmp_schedule(const void *pa, const void *pb)
{
	const struct report_fee_schedule *a = pa, *b = pb;
	if (a->platform != b->platform)
		return a->platform < b->platform ? -1 : 1;
	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

/* Close each open schedule at the next one of its platform; two in effect
 * on one day are an error on the later line. */
static int settle_ends(struct report_fees *f, struct report_load_error *e)
{
	for (size_t i = 0; i < f->n; i++) {
		struct report_fee_schedule *s = &f->s[i],
					   *next = i + 1 < f->n ? &f->s[i + 1] : NULL;
		bool same = next && next->platform == s->platform;
		if (s->to < 0)
			s->to = same ? next->from - 1 : OPEN_END;
		if (same && (s->to >= next->from || s->from == next->from)) {
			const struct report_fee_schedule *later = next->line > s->line ? next : s;
			const struct report_fee_schedule *other = later == next ? s : next;
			char day[DATE_BUF];
			date_format_day(day, later->from * 86400);
			e->line = later->line;
			snprintf(e->msg, sizeof e->msg,
				 "column \"from\": \"%s\": overlaps the schedule of platform "
				 "\"%s\" on line %ld (one schedule a day)",
				 day, f->platforms[s->platform], other->line);
			return REPORT_LOAD_EDATA;
		}
	}
	return REPORT_LOAD_OK;
}

int report_fees_load(struct report_fees *f, const char *path, struct report_load_error *e)
{
	static const char *const need[] = {"platform",    "percent",    "fixed_per_sale",
					   "monthly_fee", "payout_fee", "currency",
					   "from",        NULL};
	memset(f, 0, sizeof *f);
	int st = report_load_rows(path, need, e, fee_row, f);
	snprintf(f->file, sizeof f->file, "%s", e->file);
	if (st == REPORT_LOAD_OK && f->n) {
		qsort(f->s, f->n, sizeof *f->s, cmp_schedule);
		st = settle_ends(f, e);
	}
	if (st != REPORT_LOAD_OK)
		report_fees_free(f);
	return st;
}

const struct report_fee_schedule *report_fees_find(const struct report_fees *f, size_t k,
						   int64_t day)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->s[i].platform == k && f->s[i].from <= day && day <= f->s[i].to)
			return &f->s[i];
	return NULL;
}

bool report_fee_percent(const struct report_fee_schedule *s, int64_t gross, int64_t *fee)
{
	return money_muldiv(gross, s->percent.num, s->percent.den, fee);
}

void report_fees_free(struct report_fees *f)
{
	for (size_t i = 0; i < f->nplatforms; i++)
		free(f->platforms[i]);
	free(f->platforms);
	free(f->s);
	memset(f, 0, sizeof *f);
}
