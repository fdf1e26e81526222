/* report_business.c - costs, margins, break-even, other platforms' fees
 * and dependence, added up from a sales stream (report_business.h). */
#include "report_business.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"

#define DAY_SECONDS 86400
#define ARRAY_FIRST 64

static size_t ncosts(const struct report_business *b)
{
	return b->costs ? b->costs->n : 0;
}

static size_t nplatforms(const struct report_business *b)
{
	return b->fees ? b->fees->nplatforms : 0;
}

static bool is_kind(const struct report_sale *row, const char *kind)
{
	return row->kind_len == strlen(kind) && memcmp(row->kind, kind, row->kind_len) == 0;
}

static int fail(struct report_business *b, int st, const char *file, long line, const char *cur,
		int64_t day)
{
	b->fail = (struct report_business_fail){file, line, {0}, day};
	memcpy(b->fail.currency, cur, 3);
	return st;
}

/* ------------------------------------------------------------ currency */

/* The first row fixes the currency: every cost and fee in another one
 * needs the --fx table. */
static int check_currency(struct report_business *b, const char *cur)
{
	if (b->currency[0])
		return memcmp(b->currency, cur, 3) == 0
			   ? REPORT_BUSINESS_OK
			   : fail(b, REPORT_BUSINESS_ECURRENCIES, NULL, 0, cur, 0);
	memcpy(b->currency, cur, 3);
	if (b->fx)
		return REPORT_BUSINESS_OK;
	for (size_t i = 0; i < ncosts(b); i++)
		if (memcmp(b->costs->c[i].currency, cur, 3) != 0)
			return fail(b, REPORT_BUSINESS_ECURRENCY, b->costs->file,
				    b->costs->c[i].line, b->costs->c[i].currency, 0);
	for (size_t i = 0; b->fees && i < b->fees->n; i++)
		if (memcmp(b->fees->s[i].currency, cur, 3) != 0)
			return fail(b, REPORT_BUSINESS_ECURRENCY, b->fees->file, b->fees->s[i].line,
				    b->fees->s[i].currency, 0);
	return REPORT_BUSINESS_OK;
}

/* amount of cur in the sales' currency on day (fx_convert: half to even) */
static int convert(struct report_business *b, int64_t amount, const char *cur, int64_t day,
		   const char *file, long line, int64_t *out)
{
	if (amount == 0 || memcmp(cur, b->currency, 3) == 0) {
		*out = amount;
		return REPORT_BUSINESS_OK;
	}
	int rc = fx_convert(b->fx, amount, cur, b->currency, day * DAY_SECONDS, out);
	if (rc == FX_OK)
		return REPORT_BUSINESS_OK;
	if (rc == FX_ENORATE)
		return fail(b, REPORT_BUSINESS_ENORATE, file, line, cur, day);
	return REPORT_BUSINESS_EOVERFLOW;
}

static int add_to(int64_t *sum, int64_t v)
{
	return money_add(*sum, v, sum) ? REPORT_BUSINESS_OK : REPORT_BUSINESS_EOVERFLOW;
}

/* ------------------------------------------------------------ cells */

static int slot_of(struct report_business *b, int64_t period, uint32_t *slot)
{
	bool added;
	struct report_business_period *grown =
	    grow_array(b->periods, b->nperiods, &b->capperiods, sizeof *grown, ARRAY_FIRST);
	if (!grown)
		return REPORT_BUSINESS_ENOMEM;
	b->periods = grown;
	if (keymap_get(&b->period_ix, (uint64_t)period, 0, (uint32_t)b->nperiods, slot,
			      &added) < 0)
		return REPORT_BUSINESS_ENOMEM;
	if (!added)
		return REPORT_BUSINESS_OK;
	struct report_business_period p = {
	    period,
	    0,
	    0,
	    calloc(ncosts(b) + 1, sizeof(int64_t)),
	    calloc(ncosts(b) + 1, sizeof(int64_t)),
	    calloc(nplatforms(b) + 1, sizeof(struct report_whatif_acc)),
	    calloc(nplatforms(b) + 1, sizeof(int64_t))};
	b->periods[b->nperiods++] = p; /* freed with b even when one failed */
	return p.variable && p.fixed && p.whatif && p.monthly ? REPORT_BUSINESS_OK
							      : REPORT_BUSINESS_ENOMEM;
}

static struct report_business_cell *channel_of(struct report_business *b, uint32_t slot,
					       const char *name, size_t len)
{
	uint32_t name_id, id;
	bool added;
	struct report_business_cell *grown =
	    grow_array(b->channels, b->nchannels, &b->capchannels, sizeof *grown, ARRAY_FIRST);
	if (!grown)
		return NULL;
	b->channels = grown;
	if (names_intern(&b->names, name, len, &name_id) < 0 ||
	    keymap_get(&b->channel_ix, slot, name_id, (uint32_t)b->nchannels, &id, &added) <
		0)
		return NULL;
	if (added)
		b->channels[b->nchannels++] = (struct report_business_cell){slot, name_id, 0, 0, 0};
	return &b->channels[id];
}

/* ------------------------------------------------------------ rows */

static int add_variable_costs(struct report_business *b, struct report_business_period *p,
			      const struct report_sale *row, int64_t day, int64_t quantity)
{
	for (size_t i = 0; i < ncosts(b); i++) {
		const struct report_cost *c = &b->costs->c[i];
		int64_t v, conv;
		if (!report_cost_applies(c, day, row->product, row->source))
			continue;
		if (!money_muldiv(c->amount, c->per == REPORT_PER_UNIT ? quantity : 1, 1, &v))
			return REPORT_BUSINESS_EOVERFLOW;
		int st = convert(b, v, c->currency, day, b->costs->file, c->line, &conv);
		if (st != REPORT_BUSINESS_OK ||
		    (st = add_to(&p->variable[i], conv)) != REPORT_BUSINESS_OK)
			return st;
	}
	return REPORT_BUSINESS_OK;
}

/* Each platform's percentage and fixed fee on this sale. */
static int add_whatif(struct report_business *b, struct report_business_period *p, int64_t day,
		      int64_t gross)
{
	for (size_t k = 0; k < nplatforms(b); k++) {
		const struct report_fee_schedule *s = report_fees_find(b->fees, k, day);
		struct report_whatif_acc *w = &p->whatif[k];
		int64_t pct, fixed;
		int st;
		if (!s) {
			w->unpriced++;
			continue;
		}
		if (!report_fee_percent(s, gross, &pct))
			return REPORT_BUSINESS_EOVERFLOW;
		if ((st = convert(b, s->fixed_per_sale, s->currency, day, b->fees->file, s->line,
				  &fixed)) != REPORT_BUSINESS_OK ||
		    (st = add_to(&w->fees, pct)) != REPORT_BUSINESS_OK ||
		    (st = add_to(&w->fees, fixed)) != REPORT_BUSINESS_OK)
			return st;
		w->sales++;
	}
	return REPORT_BUSINESS_OK;
}

int report_business_add(struct report_business *b, const struct report_sale *row, int64_t day,
			int64_t quantity)
{
	uint32_t slot;
	int st;
	if ((st = check_currency(b, row->currency)) != REPORT_BUSINESS_OK ||
	    (st = slot_of(b, row->period, &slot)) != REPORT_BUSINESS_OK)
		return st;
	struct report_business_period *p = &b->periods[slot];
	bool refund = is_kind(row, "refund"), chargeback = is_kind(row, "chargeback");
	bool revenue = is_kind(row, "sale") || is_kind(row, "subscription") || is_kind(row, "tip");
	if (!refund && !chargeback && !revenue)
		return REPORT_BUSINESS_OK;
	struct report_business_cell *ch = channel_of(b, slot, row->source, row->source_len);
	if (!ch)
		return REPORT_BUSINESS_ENOMEM;
	if (refund || chargeback) {
		if (row->gross == INT64_MIN)
			return REPORT_BUSINESS_EOVERFLOW;
		return add_to(refund ? &ch->refunds : &ch->chargebacks, -row->gross);
	}
	p->sales++;
	if (!money_add(p->units, quantity, &p->units) ||
	    (st = add_to(&ch->gross, row->gross)) != REPORT_BUSINESS_OK)
		return REPORT_BUSINESS_EOVERFLOW;
	if ((st = add_variable_costs(b, p, row, day, quantity)) != REPORT_BUSINESS_OK ||
	    (st = add_whatif(b, p, day, row->gross)) != REPORT_BUSINESS_OK)
		return st;
	return REPORT_BUSINESS_OK;
}

int report_business_payout(struct report_business *b, int64_t period, int64_t day)
{
	int64_t *grown = realloc(b->payouts, (b->npayouts + 1) * 2 * sizeof *grown);
	if (!grown)
		return REPORT_BUSINESS_ENOMEM;
	b->payouts = grown;
	b->payouts[2 * b->npayouts] = period;
	b->payouts[2 * b->npayouts + 1] = day;
	b->npayouts++;
	return REPORT_BUSINESS_OK;
}

/* ------------------------------------------------------------ finishing */

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* The fixed costs and monthly fees falling on days [a, z] of p. */
static int fixed_parts(struct report_business *b, struct report_business_period *p, int64_t a,
		       int64_t z)
{
	int st = REPORT_BUSINESS_OK;
	for (size_t i = 0; i < ncosts(b) && st == REPORT_BUSINESS_OK; i++) {
		const struct report_cost *c = &b->costs->c[i];
		int64_t v = report_cost_fixed(c, a, z);
		int64_t day = c->from == c->to ? c->from : min64(z, c->to);
		st = convert(b, v, c->currency, day, b->costs->file, c->line, &p->fixed[i]);
	}
	for (size_t i = 0; b->fees && i < b->fees->n && st == REPORT_BUSINESS_OK; i++) {
		const struct report_fee_schedule *s = &b->fees->s[i];
		int64_t v = report_spread(s->monthly_fee, false, s->from, s->to, a, z), conv;
		st = convert(b, v, s->currency, min64(z, s->to), b->fees->file, s->line, &conv);
		if (st == REPORT_BUSINESS_OK)
			st = add_to(&p->monthly[s->platform], conv);
	}
	return st;
}

static int payout_fees(struct report_business *b)
{
	for (size_t i = 0; i < b->npayouts; i++) {
		long slot = keymap_find(&b->period_ix, (uint64_t)b->payouts[2 * i], 0);
		int64_t day = b->payouts[2 * i + 1];
		if (slot < 0)
			continue; /* a period with no sales is not shown */
		for (size_t k = 0; k < nplatforms(b); k++) {
			const struct report_fee_schedule *s = report_fees_find(b->fees, k, day);
			int64_t conv;
			int st;
			if (!s)
				continue;
			if ((st = convert(b, s->payout_fee, s->currency, day, b->fees->file,
					  s->line, &conv)) != REPORT_BUSINESS_OK ||
			    (st = add_to(&b->periods[slot].whatif[k].fees, conv)) !=
				REPORT_BUSINESS_OK)
				return st;
		}
	}
	return REPORT_BUSINESS_OK;
}

/* The fixed costs of each forecast period, in the sales' currency. */
static int outlook_costs(struct report_business *b)
{
	if (!b->outlook)
		return REPORT_BUSINESS_OK;
	b->outlook_fixed = calloc(b->outlook->n + 1, sizeof *b->outlook_fixed);
	if (!b->outlook_fixed)
		return REPORT_BUSINESS_ENOMEM;
	for (size_t k = 0; k < b->outlook->n; k++) {
		struct period pp = {b->kind, b->outlook->p[k].period};
		int64_t a = period_start(pp) / DAY_SECONDS, z = period_end(pp) / DAY_SECONDS - 1;
		for (size_t i = 0; i < ncosts(b); i++) {
			const struct report_cost *c = &b->costs->c[i];
			int64_t v = report_cost_fixed(c, a, z), conv;
			int st =
			    convert(b, v, c->currency, c->from == c->to ? c->from : min64(z, c->to),
				    b->costs->file, c->line, &conv);
			if (st != REPORT_BUSINESS_OK ||
			    (st = add_to(&b->outlook_fixed[k], conv)) != REPORT_BUSINESS_OK)
				return st;
		}
	}
	return REPORT_BUSINESS_OK;
}

int report_business_finish(struct report_business *b, struct report_summary *s)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	if (!b->currency[0])
		return REPORT_BUSINESS_OK;
	if (b->outlook && b->outlook->n && memcmp(b->outlook->currency, b->currency, 3) != 0)
		return fail(b, REPORT_BUSINESS_ECURRENCY, b->outlook->file,
			    b->outlook->currency_line, b->outlook->currency, 0);
	for (size_t i = 0; i < s->nperiods; i++)
		if (memcmp(s->periods[i].currency, b->currency, 3) == 0) {
			lo = min64(lo, s->periods[i].period);
			hi = s->periods[i].period > hi ? s->periods[i].period : hi;
		}
	for (int64_t per = lo; per <= hi; per++) {
		uint32_t slot;
		int st;
		if (report_summary_touch(s, per, b->currency) != REPORT_OK)
			return REPORT_BUSINESS_ENOMEM;
		if ((st = slot_of(b, per, &slot)) != REPORT_BUSINESS_OK)
			return st;
		struct period pp = {b->kind, per};
		int64_t a = period_start(pp) / DAY_SECONDS, z = period_end(pp) / DAY_SECONDS - 1;
		if ((st = fixed_parts(b, &b->periods[slot], a, z)) != REPORT_BUSINESS_OK)
			return st;
	}
	b->last_period = hi;
	int st = outlook_costs(b);
	return st != REPORT_BUSINESS_OK ? st : payout_fees(b);
}

void report_business_free(struct report_business *b)
{
	for (size_t i = 0; i < b->nperiods; i++) {
		free(b->periods[i].variable);
		free(b->periods[i].fixed);
		free(b->periods[i].whatif);
		free(b->periods[i].monthly);
	}
	free(b->periods);
	free(b->channels);
	free(b->payouts);
	free(b->outlook_fixed);
	keymap_free(&b->period_ix);
	keymap_free(&b->channel_ix);
	names_free(&b->names);
	memset(b, 0, sizeof *b);
}
