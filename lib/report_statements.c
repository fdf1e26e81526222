/* report_statements.c - allocations added up per account and period, and
 * settled into payout statements (report_statements.h). */
#include "report_statements.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "tsv.h"

#define DETAILS_FIRST 4 /* (source, product) pairs per cell: usually a few */
#define ARRAY_FIRST 256

int64_t report_min_payout_for(const struct report_min_payout *mins, size_t n, const char *currency)
{
	int64_t any = 0;
	for (size_t i = 0; i < n; i++) {
		if (memcmp(mins[i].currency, currency, 4) == 0)
			return mins[i].amount;
		if (!mins[i].currency[0])
			any = mins[i].amount;
	}
	return any;
}

const char *report_book_payee(const struct report_book *b, uint32_t account)
{
	return b->names.s[b->acc[account].payee];
}

/* ------------------------------------------------------ adding rows */

int report_book_account(struct report_book *b, uint32_t payee, const char *cur, uint32_t *id)
{
	bool added;
	struct report_account *acc = report_grow(b->acc, b->nacc, &b->capacc, sizeof *acc, ARRAY_FIRST);
	if (!acc)
		return REPORT_ENOMEM;
	b->acc = acc;
	if (report_keymap_get(&b->acc_ix, payee, report_pack_currency(cur), (uint32_t)b->nacc, id, &added) < 0)
		return REPORT_ENOMEM;
	if (added)
		b->acc[b->nacc++] = (struct report_account){payee, {cur[0], cur[1], cur[2], 0},
							    currency_digits(cur, 3), 0, false, 0, 0};
	return REPORT_OK;
}

static int cell_of(struct report_book *b, uint32_t account, int64_t period, uint32_t *id)
{
	bool added;
	struct report_cell *cells = report_grow(b->cells, b->ncells, &b->capcells, sizeof *cells, ARRAY_FIRST);
	if (!cells)
		return REPORT_ENOMEM;
	b->cells = cells;
	if (report_keymap_get(&b->cell_ix, account, (uint64_t)period, (uint32_t)b->ncells, id, &added) < 0)
		return REPORT_ENOMEM;
	if (added)
		b->cells[b->ncells++] = (struct report_cell){account, period, 0, NULL, 0, 0, false};
	return REPORT_OK;
}

/* The cell's running sum for (source, product), added when new: a linear
 * search, since a payee earns from few of them in one period. */
static struct report_detail *detail_of(struct report_cell *c, uint32_t source, uint32_t product)
{
	uint32_t d;
	for (d = 0; d < c->ndetails; d++)
		if (c->details[d].source == source && c->details[d].product == product)
			return &c->details[d];
	if (c->ndetails == c->capdetails) {
		uint32_t cap = c->capdetails ? c->capdetails * 2 : DETAILS_FIRST;
		struct report_detail *grown = realloc(c->details, cap * sizeof *grown);
		if (!grown)
			return NULL;
		c->details = grown;
		c->capdetails = cap;
	}
	c->details[d] = (struct report_detail){source, product, 0};
	c->ndetails++;
	return &c->details[d];
}

int report_book_add(struct report_book *b, uint32_t account, int64_t period, uint32_t source,
		    uint32_t product, int64_t amount)
{
	struct report_account *a = &b->acc[account];
	if (!a->has_last || a->last_period != period) {
		uint32_t cell;
		if (cell_of(b, account, period, &cell) != REPORT_OK)
			return REPORT_ENOMEM;
		a->last_cell = cell;
		a->last_period = period;
		a->has_last = true;
	}
	struct report_cell *c = &b->cells[a->last_cell];
	if (!money_add(c->earned, amount, &c->earned))
		return REPORT_EOVERFLOW;
	struct report_detail *d = detail_of(c, source, product);
	if (!d)
		return REPORT_ENOMEM;
	if (!money_add(d->amount, amount, &d->amount))
		return REPORT_EOVERFLOW;
	if (!b->have_range || period < b->pmin)
		b->pmin = period;
	if (!b->have_range || period > b->pmax)
		b->pmax = period;
	b->have_range = true;
	return REPORT_OK;
}

static struct report_check_total *check_total_of(struct report_book *b, int64_t period, const char *cur)
{
	bool added;
	uint32_t id;
	struct report_check_total *tot = report_grow(b->tot, b->ntot, &b->captot, sizeof *tot, ARRAY_FIRST);
	if (!tot)
		return NULL;
	b->tot = tot;
	if (report_keymap_get(&b->tot_ix, (uint64_t)period, report_pack_currency(cur), (uint32_t)b->ntot, &id,
			      &added) < 0)
		return NULL;
	if (added)
		b->tot[b->ntot++] = (struct report_check_total){period, {cur[0], cur[1], cur[2], 0},
								currency_digits(cur, 3), 0, 0};
	return &b->tot[id];
}

int report_book_add_check(struct report_book *b, int64_t period, const char *currency, int64_t net,
			  int64_t allocated)
{
	struct report_check_total *t = check_total_of(b, period, currency);
	if (!t)
		return REPORT_ENOMEM;
	if (!money_add(t->net, net, &t->net) || !money_add(t->allocated, allocated, &t->allocated))
		return REPORT_EOVERFLOW;
	return REPORT_OK;
}

/* ------------------------------------------------------------ settling */

static int cmp_statement(const void *pa, const void *pb)
{
	const struct report_statement *a = pa, *b = pb;
	if (a->period != b->period)
		return a->period < b->period ? -1 : 1;
	int c = strcmp(a->payee, b->payee);
	return c ? c : strcmp(a->currency, b->currency);
}

static struct report_statement *new_statement(struct report_book *b)
{
	struct report_statement *st = report_grow(b->st, b->nst, &b->capst, sizeof *st, ARRAY_FIRST);
	if (!st)
		return NULL;
	b->st = st;
	return &b->st[b->nst++];
}

static int ledger_account(struct report_book *b, const struct report_ledger_row *row, uint32_t *account)
{
	uint32_t payee;
	if (report_names_intern(&b->names, row->payee, strlen(row->payee), &payee) < 0)
		return REPORT_ENOMEM;
	return report_book_account(b, payee, row->currency, account);
}

/* Reproduce period p from the ledger: the input must earn what it says,
 * and have no account the ledger has no statement of. */
static int reproduce_period(struct report_book *b, const struct report_ledger *ledger, int64_t p,
			    struct report_settle_error *err)
{
	size_t first = b->nst;

	for (size_t i = 0; i < ledger->n; i++) {
		const struct report_ledger_row *row = &ledger->rows[i];
		uint32_t acc;
		if (row->period.index != p)
			continue;
		if (ledger_account(b, row, &acc) != REPORT_OK)
			return REPORT_ENOMEM;
		long cell = report_keymap_find(&b->cell_ix, acc, (uint64_t)p);
		int64_t earned = cell >= 0 ? b->cells[cell].earned : 0;
		if (earned != row->earned) {
			*err = (struct report_settle_error){p, acc, row, earned};
			return REPORT_ELEDGER_EARNED;
		}
		if (cell >= 0)
			b->cells[cell].matched = true;
		struct report_statement *s = new_statement(b);
		if (!s)
			return REPORT_ENOMEM;
		*s = (struct report_statement){acc, report_book_payee(b, acc), {0}, p, "", row->brought_forward,
					       row->earned, row->paid, row->carried_forward,
					       report_min_payout_for(b->mins, b->nmins, row->currency), cell, true};
		memcpy(s->currency, b->acc[acc].currency, 4);
		snprintf(s->id, sizeof s->id, "%s", row->id);
		b->acc[acc].balance = row->carried_forward;
	}
	for (uint32_t acc = 0; acc < b->nacc; acc++) {
		long cell = report_keymap_find(&b->cell_ix, acc, (uint64_t)p);
		if (cell >= 0 && !b->cells[cell].matched) {
			*err = (struct report_settle_error){p, acc, NULL, 0};
			return REPORT_ELEDGER_MISSING;
		}
	}
	if (b->nst > first)
		qsort(b->st + first, b->nst - first, sizeof *b->st, cmp_statement);
	return REPORT_OK;
}

/* Settle period p afresh: every account that earned or has a balance. */
static int settle_period(struct report_book *b, int64_t p, struct report_settle_error *err)
{
	size_t first = b->nst;
	char per[DATE_BUF];

	for (uint32_t acc = 0; acc < b->nacc; acc++) {
		struct report_account *a = &b->acc[acc];
		long cell = report_keymap_find(&b->cell_ix, acc, (uint64_t)p);
		if (cell < 0 && a->balance == 0)
			continue;
		int64_t earned = cell >= 0 ? b->cells[cell].earned : 0;
		int64_t min = report_min_payout_for(b->mins, b->nmins, a->currency);
		struct report_settlement s;
		if (!report_settle(a->balance, earned, a->digits, min, &s)) {
			*err = (struct report_settle_error){p, acc, NULL, 0};
			return REPORT_EOVERFLOW;
		}
		struct report_statement *st = new_statement(b);
		if (!st)
			return REPORT_ENOMEM;
		a = &b->acc[acc];
		*st = (struct report_statement){acc, report_book_payee(b, acc), {0}, p, "", a->balance, earned,
						s.paid, s.carried_forward, min, cell, false};
		memcpy(st->currency, a->currency, 4);
		a->balance = s.carried_forward;
	}
	if (b->nst > first)
		qsort(b->st + first, b->nst - first, sizeof *b->st, cmp_statement);
	period_format(per, (struct period){b->kind, p});
	for (size_t i = first; i < b->nst; i++)
		snprintf(b->st[i].id, sizeof b->st[i].id, "%s/%04zu", per, i - first + 1);
	return REPORT_OK;
}

/* Balances brought forward into `start` from the ledger, and whether
 * `start` follows on from it. */
static int open_from_ledger(struct report_book *b, const struct report_ledger *ledger, int64_t start,
			    struct report_settle_error *err)
{
	for (size_t i = 0; i < ledger->n; i++) {
		const struct report_ledger_row *row = &ledger->rows[i];
		uint32_t acc;
		if (row->period.index >= start)
			continue;
		if (ledger_account(b, row, &acc) != REPORT_OK)
			return REPORT_ENOMEM;
		b->acc[acc].balance = row->carried_forward;
	}
	*err = (struct report_settle_error){start, 0, NULL, 0};
	if (ledger->has_rows && start > ledger->last.index + 1)
		return REPORT_EORDER_GAP;
	/* Before the ledger's first period: never settled, and settling it now
	 * would change every balance the ledger brought forward. */
	if (ledger->has_rows && start < ledger->first.index)
		return REPORT_EORDER_BEFORE;
	return REPORT_OK;
}

int report_book_settle(struct report_book *b, const struct report_ledger *ledger, bool have_period,
		       int64_t period, struct report_settle_error *err)
{
	int64_t start, end;
	int rc;

	if (have_period)
		start = end = period;
	else if (b->have_range)
		start = b->pmin, end = b->pmax;
	else
		return REPORT_OK;
	if (ledger && (rc = open_from_ledger(b, ledger, start, err)) != REPORT_OK)
		return rc;
	b->have_run = true;
	b->run_first = start;
	b->run_last = end;
	for (int64_t p = start; p <= end; p++) {
		if (ledger && ledger->has_rows && p <= ledger->last.index) {
			if ((rc = reproduce_period(b, ledger, p, err)) != REPORT_OK)
				return rc;
			continue;
		}
		if ((rc = settle_period(b, p, err)) != REPORT_OK)
			return rc;
		if (!b->have_settled)
			b->settled_first = p;
		b->settled_last = p;
		b->have_settled = true;
	}
	return REPORT_OK;
}

/* ------------------------------------------------------------ totals */

static int cmp_detail(const void *pa, const void *pb, void *names_ptr)
{
	const struct report_detail *a = pa, *b = pb;
	const struct report_names *names = names_ptr;
	int c = strcmp(names->s[a->source], names->s[b->source]);
	return c ? c : strcmp(names->s[a->product], names->s[b->product]);
}

static struct report_period_total *period_total_of(struct report_book *b, int64_t period, const char *cur)
{
	bool added;
	uint32_t id;
	struct report_period_total *ptot = report_grow(b->ptot, b->nptot, &b->capptot, sizeof *ptot, ARRAY_FIRST);
	if (!ptot)
		return NULL;
	b->ptot = ptot;
	if (report_keymap_get(&b->ptot_ix, (uint64_t)period, report_pack_currency(cur), (uint32_t)b->nptot, &id,
			      &added) < 0)
		return NULL;
	if (added)
		b->ptot[b->nptot++] = (struct report_period_total){period, {cur[0], cur[1], cur[2], 0}, 0, 0, 0, 0, 0};
	return &b->ptot[id];
}

int report_book_total(struct report_book *b)
{
	for (size_t i = 0; i < b->ncells; i++)
		if (b->cells[i].ndetails > 1)
			qsort_r(b->cells[i].details, b->cells[i].ndetails, sizeof *b->cells[i].details, cmp_detail,
				&b->names);
	for (size_t i = 0; i < b->nst; i++) {
		const struct report_statement *s = &b->st[i];
		struct report_period_total *t = period_total_of(b, s->period, s->currency);
		if (!t)
			return REPORT_ENOMEM;
		t->count++;
		if (!money_add(t->brought_forward, s->brought_forward, &t->brought_forward) ||
		    !money_add(t->earned, s->earned, &t->earned) || !money_add(t->paid, s->paid, &t->paid) ||
		    !money_add(t->carried_forward, s->carried_forward, &t->carried_forward))
			return REPORT_EOVERFLOW;
	}
	return REPORT_OK;
}

const struct report_period_total *report_book_period_total(const struct report_book *b, int64_t period,
							    const char *currency)
{
	long id = report_keymap_find(&b->ptot_ix, (uint64_t)period, report_pack_currency(currency));
	return id >= 0 ? &b->ptot[id] : NULL;
}

static int cmp_check_line(const void *pa, const void *pb)
{
	const struct report_check_line *a = pa, *b = pb;
	if (a->period != b->period)
		return a->period < b->period ? -1 : 1;
	return strcmp(a->currency, b->currency);
}

int report_book_check(struct report_book *b, struct report_check_line **lines, size_t *n)
{
	*lines = NULL;
	*n = 0;
	/* every period and currency with statements has a line, sales or not */
	for (size_t i = 0; i < b->nptot; i++)
		if (!check_total_of(b, b->ptot[i].period, b->ptot[i].currency))
			return REPORT_ENOMEM;
	struct report_check_line *l = malloc((b->ntot + 1) * sizeof *l);
	if (!l)
		return REPORT_ENOMEM;
	for (size_t i = 0; i < b->ntot; i++) {
		const struct report_check_total *c = &b->tot[i];
		const struct report_period_total *t = report_book_period_total(b, c->period, c->currency);
		int64_t paid = t ? t->paid : 0, change = 0, sum = 0;
		if (t && !money_sub(t->carried_forward, t->brought_forward, &change)) {
			free(l);
			return REPORT_EOVERFLOW;
		}
		bool ok = money_add(paid, change, &sum) && sum == c->allocated && c->net == c->allocated;
		l[i] = (struct report_check_line){c->period, {0}, c->digits, c->net, c->allocated, paid, change, sum, ok};
		memcpy(l[i].currency, c->currency, 4);
	}
	qsort(l, b->ntot, sizeof *l, cmp_check_line);
	*lines = l;
	*n = b->ntot;
	return REPORT_OK;
}

/* ------------------------------------------------------------ the ledger */

/* One ledger row of fields f[0..8), followed by its chain value. */
static void put_ledger_row(struct tsv_writer *w, uint64_t *chain, const char *const f[8])
{
	char hex[17];
	*chain = report_ledger_chain(*chain, f);
	snprintf(hex, sizeof hex, "%016llx", (unsigned long long)*chain);
	for (int k = 0; k < 8; k++)
		tsv_put_str(w, f[k]);
	tsv_put_str(w, hex);
	tsv_end_row(w);
}

void report_book_put_ledger_rows(const struct report_book *b, uint64_t chain, struct out *o)
{
	struct tsv_writer w;
	int64_t next_period = b->settled_first; /* the next period to record */

	if (!b->have_settled)
		return;
	tsv_writer_init(&w, o);
	for (size_t i = 0; i <= b->nst; i++) {
		const struct report_statement *s = i < b->nst ? &b->st[i] : NULL;
		char per[DATE_BUF], bf[MONEY_BUF], e[MONEY_BUF], pd[MONEY_BUF], cf[MONEY_BUF];
		if (s && s->reproduced)
			continue;
		/* the quiet periods before this statement's (or up to the last) */
		for (; next_period <= b->settled_last && (!s || next_period < s->period); next_period++) {
			char id[DATE_BUF + 8];
			period_format(per, (struct period){b->kind, next_period});
			snprintf(id, sizeof id, "%s/0000", per);
			const char *const quiet[8] = {id, "", per, "", "0", "0", "0", "0"};
			put_ledger_row(&w, &chain, quiet);
		}
		if (!s)
			break;
		if (s->period >= next_period)
			next_period = s->period + 1;
		int d = b->acc[s->account].digits;
		period_format(per, (struct period){b->kind, s->period});
		money_format(bf, s->brought_forward, d);
		money_format(e, s->earned, d);
		money_format(pd, s->paid, d);
		money_format(cf, s->carried_forward, d);
		const char *const f[8] = {s->id, s->payee, per, s->currency, bf, e, pd, cf};
		put_ledger_row(&w, &chain, f);
	}
}

void report_book_free(struct report_book *b)
{
	for (size_t i = 0; i < b->ncells; i++)
		free(b->cells[i].details);
	report_names_free(&b->names);
	free(b->acc);
	free(b->cells);
	free(b->st);
	free(b->ptot);
	free(b->tot);
	report_keymap_free(&b->acc_ix);
	report_keymap_free(&b->cell_ix);
	report_keymap_free(&b->ptot_ix);
	report_keymap_free(&b->tot_ix);
	memset(b, 0, sizeof *b);
}
