/* split_write.c - writing a split row: one output row per part (the input
 * row, then payee, tier, agreement, share and amount, and with --waterfall
 * how the amount was reached), and with --explain why.  See split_run.h. */
#include "split_run.h"

#include <stdio.h>
#include <string.h>

#include "date.h"

/* The input row as it will start each output row: as read, or with the
 * basis column replaced by the difference being split (delta_col), and
 * the other of gross and net by it too (delta_col2, -1 when none); an
 * empty product and sku written as the sale's (fill_product, fill_sku). */
static void put_input(struct split_run *run)
{
	struct tsv_writer *w = &run->w;
	if (run->delta_col >= 0 || run->fill_product || run->fill_sku) {
		w->in_row = false;
		for (size_t i = 0; i < run->in.ncols; i++)
			if ((int)i == run->delta_col || (int)i == run->delta_col2)
				tsv_put(w, run->delta_text, run->delta_len);
			else if ((int)i == run->col.product && run->fill_product)
				tsv_put_str(w, run->fill_product);
			else if ((int)i == run->col.sku && run->fill_sku)
				tsv_put_str(w, run->fill_sku);
			else
				tsv_put(w, run->in.fields[i].s, run->in.fields[i].len);
		return;
	}
	if (run->in.clean) {
		out_write(run->out, run->in.raw, run->in.raw_len);
		return;
	}
	w->in_row = false;
	tsv_put_row(w, &run->in);
}

static void put_part(struct split_run *run, const char *prefix, size_t prefix_len, int64_t amount, int64_t basis,
		     int digits, const struct split_waterfall *wf)
{
	char buf[4 * MONEY_BUF + 48];
	put_input(run);
	out_write(run->out, prefix, prefix_len);
	size_t n = split_format_share(buf, amount, basis);
	buf[n++] = '\t';
	n += money_format(buf + n, amount, digits);
	if (run->opt.waterfall) {
		buf[n++] = '\t';
		n += money_format(buf + n, wf->reached, digits);
		buf[n++] = '\t';
		n += money_format(buf + n, wf->commission, digits);
		buf[n++] = '\t';
		n += money_format(buf + n, wf->recouped, digits);
		buf[n++] = '\t';
		out_write(run->out, buf, n);
		n = 0;
		out_write(run->out, wf->recoupment, strlen(wf->recoupment));
	}
	buf[n++] = '\n';
	out_write(run->out, buf, n);
}

static void explain_row_head(struct split_run *run, int64_t basis, bool gross, int digits, int64_t when,
			     const char *why)
{
	const struct split_columns *c = &run->col;
	char amount[MONEY_BUF], day[DATE_BUF];
	money_format(amount, basis, digits);
	date_format_day(day, when);
	out_printf(&run->explain, "%s:%ld: %s %s order %s line %s, product \"%s\": %s %s %s; agreement date %s (%s)\n",
		   run->in.file, run->in.line, split_run_field(run, c->kind), split_run_field(run, c->source),
		   split_run_field(run, c->order), split_run_field(run, c->line), split_run_field(run, c->product),
		   gross ? "gross" : "net", amount, run->currency, day, why);
}

static void explain_agreement(struct split_run *run, const struct split_agreement *a, const struct split_row *row)
{
	struct out *o = &run->explain;
	out_printf(o, "  agreement line %ld: match \"%s\" (%s, %s, %zu literal characters), %s to %s\n",
		   a->line, a->match, split_on_name(a->on), a->exact ? "exact" : "glob", a->literals,
		   a->from_text[0] ? a->from_text : "open", a->to_text[0] ? a->to_text : "open");
	const struct split_agreement *const *list;
	size_t n;
	if (split_matches(&run->rules, row, &list, &n) != SPLIT_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		if (list[i] == a)
			continue;
		bool dated = row->when >= list[i]->from && row->when < list[i]->until;
		out_printf(o, "    not line %ld \"%s\": %s\n", list[i]->line, list[i]->match,
			   dated ? "less specific" : "not in force on that date");
	}
}

/* " = WANT, cap CAP CUR recouped BEFORE -> AFTER" of a capped tier. */
static void explain_cap(struct out *o, const struct split_tier *tier, const struct split_step *s, int digits)
{
	int cd = currency_digits(tier->cap_currency, 3);
	char want[MONEY_BUF], cap[MONEY_BUF], before[MONEY_BUF], after[MONEY_BUF];
	money_format(cap, tier->cap, cd);
	money_format(before, s->cap_before, cd);
	money_format(after, s->cap_after, cd);
	money_format(want, s->want, digits);
	out_printf(o, " = %s, cap %s %s recouped %s -> %s", want, cap, tier->cap_currency, before, after);
}

static void explain_tiers(struct split_run *run, const struct split_agreement *a, size_t nparts, int digits)
{
	struct out *o = &run->explain;
	char x[MONEY_BUF], y[MONEY_BUF], pct[64];
	for (size_t t = 0; t < a->ntiers; t++) {
		const struct split_tier *tier = &a->tiers[t];
		const struct split_step *s = &run->steps[t];
		money_format(x, s->flow, digits);
		money_format(y, s->take, digits);
		split_percent(pct, sizeof pct, tier->total);
		out_printf(o, "  tier %ld: %s reaches it; it takes %s of it", tier->number, x,
			   tier->weighted ? "all" : pct);
		if (tier->capped)
			explain_cap(o, tier, s, digits);
		out_printf(o, ": %s", y);
		for (size_t k = 0; k < nparts; k++)
			if (run->parts[k].tier == tier) {
				money_format(x, run->parts[k].amount, digits);
				out_printf(o, "; %s %s", run->parts[k].payee->name, x);
			}
		money_format(x, s->flow - s->take, digits);
		out_printf(o, "; %s flows on\n", x);
	}
}

void split_write_default(struct split_run *run, int64_t when, const char *why, int digits, const char *reason,
			 int64_t basis)
{
	struct split_waterfall wf = {basis, 0, 0, ""};
	if (basis != 0)
		put_part(run, run->default_prefix, run->default_prefix_len, basis, basis, digits, &wf);
	if (run->explaining) {
		char amount[MONEY_BUF];
		money_format(amount, basis, digits);
		explain_row_head(run, basis, false, digits, when, why);
		out_printf(&run->explain, "  %s: the default payee %s takes all: %s\n", reason,
			   run->opt.default_payee, amount);
	}
}

void split_write_lines(struct split_run *run, const struct split_row *row, char *buf, size_t cap)
{
	const struct split_agreement *const *list;
	size_t n, used = 0;
	buf[0] = '\0';
	if (split_matches(&run->rules, row, &list, &n) != SPLIT_OK)
		return;
	for (size_t i = 0; i < n && used < cap; i++)
		used += (size_t)snprintf(buf + used, cap - used, "%s%ld", i ? ", " : "", list[i]->line);
}

/* Reject the row split_apply refused with st (only caps fail there). */
static void reject_apply(struct split_run *run, const struct split_agreement *a, const struct split_row *row,
			 int st)
{
	const struct split_columns *c = &run->col;
	char q[96], day[DATE_BUF];
	/* the first capped tier in another currency */
	const struct split_tier *tier = NULL;
	for (size_t t = 0; t < a->ntiers && !tier; t++)
		if (a->tiers[t].capped && strcmp(a->tiers[t].cap_currency, run->currency) != 0)
			tier = &a->tiers[t];
	date_format_day(day, row->when);
	if (st == SPLIT_ENOFX && tier)
		split_run_reject(run, "column \"currency\": %s reaches the capped tier %ld of %s line %ld (cap in %s); --fx RATES converts it",
				 split_run_quote(run, c->currency, q, sizeof q), tier->number, run->opt.agreements,
				 tier->line, tier->cap_currency);
	else if (st == SPLIT_ENORATE && tier)
		split_run_reject(run, "column \"currency\": %s: %s has no rate into %s on or before %s",
				 split_run_quote(run, c->currency, q, sizeof q), run->opt.fx, tier->cap_currency, day);
	else
		split_run_reject(run, "column \"%s\": %s is too large to split", a->gross ? "gross" : "net",
				 split_run_quote(run, a->gross ? c->gross : c->net, q, sizeof q));
}

int split_write_by(struct split_run *run, const struct split_agreement *a, const struct split_row *row,
		   int64_t basis, int digits, const char *why)
{
	size_t nparts;
	int st = split_apply(&run->rules, a, basis, run->currency, row->when, run->have_fx ? &run->fx : NULL,
			     run->parts, &nparts, run->explaining || run->opt.waterfall ? run->steps : NULL);
	if (st == SPLIT_EINTERNAL) {
		char amount[MONEY_BUF];
		money_format(amount, basis, 6);
		snprintf(run->err, sizeof run->err,
			 "%s:%ld: internal error: the parts do not sum to the basis %s; nothing was written for this row; please report",
			 run->in.file, run->in.line, amount);
		return SPLIT_EFAIL;
	}
	if (st == SPLIT_ENOMEM)
		return SPLIT_ENOMEM;
	if (st != SPLIT_OK) {
		reject_apply(run, a, row, st);
		return 0;
	}
	struct split_waterfall wf;
	if (run->opt.waterfall)
		split_waterfall_caps(a, run->steps, &wf);
	for (size_t k = 0; k < nparts; k++) {
		if (run->opt.waterfall)
			split_waterfall_of(a, run->steps, &run->parts[k], &wf);
		put_part(run, run->parts[k].payee->out_prefix, run->parts[k].payee->out_prefix_len,
			 run->parts[k].amount, basis, digits, &wf);
	}
	if (run->explaining) {
		explain_row_head(run, basis, a->gross, digits, row->when, why);
		explain_agreement(run, a, row);
		explain_tiers(run, a, nparts, digits);
	}
	return 1;
}
