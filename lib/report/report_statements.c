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
	/* a payee's rows are mostly in one currency: its last account first */
	if (payee < b->cappayee && b->payee_acc[payee] &&
	    memcmp(b->acc[b->payee_acc[payee] - 1].currency, cur, 3) == 0) {
		*id = b->payee_acc[payee] - 1;
		return REPORT_OK;
	}
	if (payee >= b->cappayee) {
		size_t cap = b->cappayee ? b->cappayee : 1024;
		while (cap <= payee)
			cap *= 2;
		uint32_t *grown = realloc(b->payee_acc, cap * sizeof *grown);
		if (!grown)
			return REPORT_ENOMEM;
		memset(grown + b->cappayee, 0, (cap - b->cappayee) * sizeof *grown);
		b->payee_acc = grown;
		b->cappayee = cap;
	}
	struct report_account *acc = grow_array(b->acc, b->nacc, &b->capacc, sizeof *acc, ARRAY_FIRST);
	if (!acc)
		return REPORT_ENOMEM;
	b->acc = acc;
	if (keymap_get(&b->acc_ix, payee, pack_currency(cur), (uint32_t)b->nacc, id, &added) < 0)
		return REPORT_ENOMEM;
	if (added)
		b->acc[b->nacc++] = (struct report_account){payee, {cur[0], cur[1], cur[2], 0},
							    currency_digits(cur, 3), 0, false, 0, 0, 0, INT64_MIN, false, 0, 0};
	b->payee_acc[payee] = *id + 1;
	return REPORT_OK;
}

/* A cell's key beside its account: the period of its rows' date and the
 * one they post into (the same but for late rows). */
static uint64_t cell_key(int64_t period, int64_t into)
{
	return (uint64_t)(uint32_t)period << 32 | (uint32_t)into;
}

/* The cell of account's rows dated p that post into p, or -1. */
static long own_cell(const struct report_book *b, uint32_t account, int64_t p)
{
	return keymap_find(&b->cell_ix, account, cell_key(p, p));
}

static int cell_of(struct report_book *b, uint32_t account, int64_t period, int64_t into, uint32_t *id)
{
	bool added;
	struct report_cell *cells = grow_array(b->cells, b->ncells, &b->capcells, sizeof *cells, ARRAY_FIRST);
	if (!cells)
		return REPORT_ENOMEM;
	b->cells = cells;
	if (keymap_get(&b->cell_ix, account, cell_key(period, into), (uint32_t)b->ncells, id, &added) < 0)
		return REPORT_ENOMEM;
	if (added)
		b->cells[b->ncells++] = (struct report_cell){account, period, into, 0, NULL, 0, 0, NULL, 0, 0, false};
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
	c->details[d] = (struct report_detail){.source = source, .product = product};
	c->ndetails++;
	return &c->details[d];
}

int report_book_add(struct report_book *b, uint32_t account, int64_t period, uint32_t source,
		    uint32_t product, int64_t amount)
{
	return report_book_add_into(b, account, period, period, source, product, amount);
}

int report_book_add_into(struct report_book *b, uint32_t account, int64_t period, int64_t into, uint32_t source,
			 uint32_t product, int64_t amount)
{
	struct report_account *a = &b->acc[account];
	if (!a->has_last || a->last_period != period || a->last_into != into) {
		uint32_t cell;
		if (cell_of(b, account, period, into, &cell) != REPORT_OK)
			return REPORT_ENOMEM;
		a->last_cell = cell;
		a->last_period = period;
		a->last_into = into;
		a->has_last = true;
	}
	if (!b->have_into || into < b->imin)
		b->imin = into;
	if (!b->have_into || into > b->imax)
		b->imax = into;
	b->have_into = true;
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

void report_steps_share(struct report_steps *st, int64_t amount)
{
	st->has_share = st->share_unknown = false;
	if (st->reached == 0)
		return;
	int64_t a = amount, r = st->reached, h;
	if (r < 0) {
		a = -a;
		r = -r;
	}
	/* hundredths of a percent, as share_text shows them */
	if (!money_muldiv(a, 10000, r, &h)) {
		st->share_unknown = true;
		return;
	}
	st->share_min = st->share_max = h;
	st->has_share = true;
}

int report_book_add_steps(struct report_book *b, uint32_t account, uint32_t source, uint32_t product,
			  const struct report_steps *steps)
{
	struct report_detail *d = detail_of(&b->cells[b->acc[account].last_cell], source, product);
	if (!d)
		return REPORT_ENOMEM;
	struct report_steps *t = &d->steps;
	t->share_unknown |= steps->share_unknown;
	if (steps->has_share) {
		bool first = !t->has_share;
		t->share_min = first || steps->share_min < t->share_min ? steps->share_min : t->share_min;
		t->share_max = first || steps->share_max > t->share_max ? steps->share_max : t->share_max;
		t->has_share = true;
	}
	if (!money_add(t->gross, steps->gross, &t->gross) || !money_add(t->basis, steps->basis, &t->basis) ||
	    !money_add(t->commission, steps->commission, &t->commission) ||
	    !money_add(t->recouped, steps->recouped, &t->recouped) || !money_add(t->reached, steps->reached, &t->reached))
		return REPORT_EOVERFLOW;
	return REPORT_OK;
}

int report_book_note_recoupment(struct report_book *b, uint32_t account, const struct report_recoupment *r,
				size_t n)
{
	struct report_cell *c = &b->cells[b->acc[account].last_cell];
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < c->nrecoup && (c->recoup[k].line != r[i].line || memcmp(c->recoup[k].currency, r[i].currency, 4)))
			k++;
		if (k == c->nrecoup) {
			struct report_recoupment *grown = grow_array(c->recoup, c->nrecoup, &c->caprecoup, sizeof *grown, 2);
			if (!grown)
				return REPORT_ENOMEM;
			c->recoup = grown;
			c->recoup[c->nrecoup++] = r[i];
		} else if (r[i].when >= c->recoup[k].when)
			c->recoup[k] = r[i];
	}
	return REPORT_OK;
}

static struct report_check_total *check_total_of(struct report_book *b, int64_t period, const char *cur)
{
	bool added;
	uint32_t id;
	struct report_check_total *tot = grow_array(b->tot, b->ntot, &b->captot, sizeof *tot, ARRAY_FIRST);
	if (!tot)
		return NULL;
	b->tot = tot;
	if (keymap_get(&b->tot_ix, (uint64_t)period, pack_currency(cur), (uint32_t)b->ntot, &id,
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

int report_book_note_fx(struct report_book *b, uint32_t account, int64_t period, const char *currency,
			int64_t rate_when, struct ratio rate)
{
	bool added;
	uint32_t id;
	struct report_fx_use *u = grow_array(b->fxu, b->nfxu, &b->capfxu, sizeof *u, ARRAY_FIRST);
	if (!u)
		return REPORT_ENOMEM;
	b->fxu = u;
	/* dates are seconds well under 2^40; periods are small indices */
	uint64_t k1 = (uint64_t)account | (uint64_t)pack_currency(currency) << 32;
	uint64_t k2 = (uint64_t)rate_when ^ (uint64_t)period << 40;
	if (keymap_get(&b->fxu_ix, k1, k2, (uint32_t)b->nfxu, &id, &added) < 0)
		return REPORT_ENOMEM;
	if (added) {
		b->fxu[b->nfxu] = (struct report_fx_use){account, period, {currency[0], currency[1], currency[2], 0},
							 rate_when, rate};
		b->nfxu++;
	}
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
	struct report_statement *st = grow_array(b->st, b->nst, &b->capst, sizeof *st, ARRAY_FIRST);
	if (!st)
		return NULL;
	b->st = st;
	return &b->st[b->nst++];
}

/* ------------------------------------------------------ where rows post */

#define UNPLACED INT64_MAX /* booked[]: not placed yet */

/* The period the rows dated p post into: p itself, a later period when
 * they are late, or UNPLACED. */
static int64_t booked_into(const struct report_book *b, int64_t p)
{
	if (!b->booked || p < b->pmin || (uint64_t)(p - b->pmin) >= b->nbooked)
		return p;
	return b->booked[p - b->pmin];
}

int64_t report_book_booked_into(const struct report_book *b, int64_t p)
{
	return booked_into(b, p);
}

static bool earlier_run(const struct report_book *b, int64_t p)
{
	return b->booked && p >= b->pmin && (uint64_t)(p - b->pmin) < b->nbooked && b->earlier[p - b->pmin];
}

long report_book_late_cell(const struct report_book *b, uint32_t account, int64_t into, int64_t *p)
{
	if (!b->have_late)
		return -1;
	if (*p < b->pmin)
		*p = b->pmin;
	while (*p < into) {
		int64_t q = (*p)++;
		long c;
		if (b->keyed && (c = keymap_find(&b->cell_ix, account, cell_key(q, into))) >= 0)
			return c;
		if (!b->keyed && booked_into(b, q) == into && (c = own_cell(b, account, q)) >= 0)
			return c;
	}
	return -1;
}

/* Whether rows dated before p post into p. */
static bool takes_late(const struct report_book *b, int64_t p)
{
	for (size_t i = 0; b->keyed && i < b->ncells; i++)
		if (b->cells[i].into == p && b->cells[i].period < p)
			return true;
	for (int64_t q = b->pmin; b->have_late && q < p; q++)
		if (booked_into(b, q) == p)
			return true;
	return false;
}

/* What account earned in period p (cell: its cell there, or -1), late
 * rows posted into p included; *late says whether it has any.  False on
 * overflow. */
static bool earned_in(const struct report_book *b, uint32_t acc, int64_t p, long cell, int64_t *earned, bool *late)
{
	int64_t q = b->pmin;
	long c;
	*earned = cell >= 0 ? b->cells[cell].earned : 0;
	*late = false;
	while ((c = report_book_late_cell(b, acc, p, &q)) >= 0) {
		*late = true;
		if (!money_add(*earned, b->cells[c].earned, earned))
			return false;
	}
	return true;
}

static int ledger_account(struct report_book *b, const struct report_ledger_row *row, uint32_t *account)
{
	uint32_t payee;
	if (names_intern(&b->names, row->payee, strlen(row->payee), &payee) < 0)
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
		long cell = own_cell(b, acc, p);
		int64_t earned;
		bool late;
		if (!earned_in(b, acc, p, cell, &earned, &late)) {
			*err = (struct report_settle_error){p, acc, NULL, 0};
			return REPORT_EOVERFLOW;
		}
		if (earned != row->earned) {
			*err = (struct report_settle_error){p, acc, row, earned};
			return REPORT_ELEDGER_EARNED;
		}
		if (cell >= 0)
			b->cells[cell].matched = true;
		b->acc[acc].stated = p;
		struct report_statement *s = new_statement(b);
		if (!s)
			return REPORT_ENOMEM;
		*s = (struct report_statement){acc, report_book_payee(b, acc), {0}, p, "", row->brought_forward,
					       row->earned, row->paid, row->carried_forward,
					       report_min_payout_for(b->mins, b->nmins, row->currency), cell, true, ""};
		memcpy(s->currency, b->acc[acc].currency, 4);
		snprintf(s->id, sizeof s->id, "%s", row->id);
		b->acc[acc].balance = row->carried_forward;
	}
	for (uint32_t acc = 0; acc < b->nacc; acc++) {
		long cell = own_cell(b, acc, p);
		int64_t q = b->pmin;
		bool late_unmatched = b->acc[acc].stated != p && report_book_late_cell(b, acc, p, &q) >= 0;
		if ((cell >= 0 && !b->cells[cell].matched) || late_unmatched) {
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
		long cell = own_cell(b, acc, p);
		int64_t earned;
		bool late;
		if (!earned_in(b, acc, p, cell, &earned, &late)) {
			*err = (struct report_settle_error){p, acc, NULL, 0};
			return REPORT_EOVERFLOW;
		}
		bool due = a->due && p >= a->due_from && p <= a->due_to;
		if (cell < 0 && a->balance == 0 && !late && !due)
			continue;
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
						s.paid, s.carried_forward, min, cell, false, ""};
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

/* The first period of the book's rows after `after`, or after + 1 when
 * none is. */
static int64_t first_period_after(const struct report_book *b, int64_t after)
{
	int64_t first = b->pmax > after ? b->pmax : after + 1;
	for (size_t i = 0; i < b->ncells; i++)
		if (b->cells[i].period > after && b->cells[i].period < first)
			first = b->cells[i].period;
	return first;
}

/* Place the rows of closed period d that took late rows, when the input
 * holds its own rows, its late rows and the rows of the earlier periods
 * those were dated in (a cumulative file): what the earlier periods' rows
 * earn beyond their own statements are d's late rows.  Such periods are
 * checked, not shown (they are marked earlier). */
static int place_mixed(struct report_book *b, const struct report_ledger *ledger, int64_t d, int64_t *sum,
		       bool *seen, bool *placed)
{
	memset(sum, 0, b->nacc * sizeof *sum);
	memset(seen, 0, b->nacc * sizeof *seen);
	for (size_t i = 0; i < b->ncells; i++) {
		const struct report_cell *c = &b->cells[i];
		if (booked_into(b, c->period) != UNPLACED || c->period > d)
			continue;
		if (!money_add(sum[c->account], c->earned, &sum[c->account]))
			return REPORT_EOVERFLOW;
		seen[c->account] = true;
		b->earlier[c->period - b->pmin] = true; /* for now: the periods with rows */
	}
	for (size_t i = 0; i < ledger->n; i++) {
		const struct report_ledger_row *row = &ledger->rows[i];
		int64_t q = row->period.index;
		uint32_t acc;
		if (q < b->pmin || q > d || (q < d && !b->earlier[q - b->pmin]))
			continue;
		if (ledger_account(b, row, &acc) != REPORT_OK)
			return REPORT_ENOMEM;
		if (q < d) { /* an earlier period's own share */
			if (!money_sub(sum[acc], row->earned, &sum[acc]))
				return REPORT_EOVERFLOW;
			seen[acc] = true;
			continue;
		}
	}
	*placed = true;
	for (size_t i = 0; i < ledger->n; i++) {
		const struct report_ledger_row *row = &ledger->rows[i];
		uint32_t acc;
		if (row->period.index != d)
			continue;
		if (ledger_account(b, row, &acc) != REPORT_OK)
			return REPORT_ENOMEM;
		*placed &= sum[acc] == row->earned;
		seen[acc] = false;
	}
	for (uint32_t acc = 0; acc < b->nacc; acc++)
		*placed &= !seen[acc] || sum[acc] == 0;
	for (int64_t q = b->pmin; q <= d; q++) {
		if (b->booked[q - b->pmin] != UNPLACED)
			continue;
		bool had_rows = b->earlier[q - b->pmin];
		b->earlier[q - b->pmin] = false;
		if (*placed && (had_rows || q == d)) {
			b->booked[q - b->pmin] = q;
			b->earlier[q - b->pmin] = true;
		}
	}
	return REPORT_OK;
}

/* Place the rows of closed period d when they are already in the ledger:
 * its own rows and, when the ledger says d took late rows, those of every
 * earlier period not placed yet must earn, account by account, exactly
 * what d's statements say.  sum and seen have room for every account.
 * *placed says whether they were. */
static int place_closed(struct report_book *b, const struct report_ledger *ledger, int64_t d, int64_t *sum,
			bool *seen, bool *placed)
{
	bool took_late = report_ledger_took_late(ledger, d);
	memset(sum, 0, b->nacc * sizeof *sum);
	memset(seen, 0, b->nacc * sizeof *seen);
	for (size_t i = 0; i < b->ncells; i++) {
		const struct report_cell *c = &b->cells[i];
		if (booked_into(b, c->period) != UNPLACED || (c->period != d && !(took_late && c->period < d)))
			continue;
		if (!money_add(sum[c->account], c->earned, &sum[c->account]))
			return REPORT_EOVERFLOW;
		seen[c->account] = true;
	}
	*placed = true;
	for (size_t i = 0; i < ledger->n; i++) {
		const struct report_ledger_row *row = &ledger->rows[i];
		uint32_t acc;
		if (row->period.index != d)
			continue;
		if (ledger_account(b, row, &acc) != REPORT_OK)
			return REPORT_ENOMEM;
		*placed &= sum[acc] == row->earned;
		seen[acc] = false;
	}
	for (uint32_t acc = 0; acc < b->nacc; acc++)
		*placed &= !seen[acc];
	if (*placed)
		for (int64_t q = b->pmin; q <= d; q++)
			if (b->booked[q - b->pmin] == UNPLACED && (q == d || took_late))
				b->booked[q - b->pmin] = d;
	if (!*placed && took_late)
		return place_mixed(b, ledger, d, sum, seen, placed);
	return REPORT_OK;
}

/* Place the rows of every closed period from the first row's to `last`
 * that the ledger already holds (place_closed). */
static int place_closed_periods(struct report_book *b, const struct report_ledger *ledger, int64_t last)
{
	/* every account the ledger names first, so that sum and seen fit */
	for (size_t i = 0; i < ledger->n; i++) {
		uint32_t acc;
		if (ledger->rows[i].period.index >= b->pmin && ledger_account(b, &ledger->rows[i], &acc) != REPORT_OK)
			return REPORT_ENOMEM;
	}
	int64_t *sum = calloc(b->nacc + 1, sizeof *sum);
	bool *seen = calloc(b->nacc + 1, sizeof *seen);
	int rc = sum && seen ? REPORT_OK : REPORT_ENOMEM;
	int64_t from = b->pmin > ledger->first.index ? b->pmin : ledger->first.index;
	for (int64_t d = from; rc == REPORT_OK && d <= last && d <= ledger->last.index; d++) {
		bool placed;
		rc = place_closed(b, ledger, d, sum, seen, &placed);
	}
	free(sum);
	free(seen);
	return rc;
}

/* Late rows of a closed period that earn an account exactly what its
 * statement of that period says (and not 0) are that period's rows fed
 * again with a change, not late ones: refuse them rather than pay twice. */
static int refuse_repeats(struct report_book *b, const struct report_ledger *ledger, int64_t into,
			  struct report_settle_error *err)
{
	for (size_t i = 0; i < ledger->n; i++) {
		const struct report_ledger_row *row = &ledger->rows[i];
		int64_t q = row->period.index;
		if (q < b->pmin || q >= into || booked_into(b, q) != into || row->earned == 0)
			continue;
		long payee = names_find(&b->names, row->payee, strlen(row->payee));
		long a = payee < 0 ? -1 : keymap_find(&b->acc_ix, (uint64_t)payee, pack_currency(row->currency));
		long cell = a < 0 ? -1 : own_cell(b, (uint32_t)a, q);
		if (cell >= 0 && b->cells[cell].earned == row->earned) {
			*err = (struct report_settle_error){q, (uint32_t)a, row, row->earned};
			return REPORT_ELATE_REPEAT;
		}
	}
	return REPORT_OK;
}

static bool period_has_rows(const struct report_book *b, int64_t q)
{
	for (size_t i = 0; i < b->ncells; i++)
		if (b->cells[i].period == q)
			return true;
	return false;
}

/* Rows of closed periods before `end` that the ledger does not hold, in a
 * re-run or in an input that holds other closed periods whole (a
 * cumulative file, where they would be that period's rows again with a
 * change, not late rows): say where. */
static int unplaced_error(struct report_book *b, const struct report_ledger *ledger, int64_t end,
			  struct report_settle_error *err)
{
	for (int64_t q = b->pmin; q <= end && q <= ledger->last.index; q++) {
		if (booked_into(b, q) != UNPLACED)
			continue;
		if (!period_has_rows(b, q))
			continue;
		*err = (struct report_settle_error){q, 0, NULL, 0};
		if (q < ledger->first.index)
			return REPORT_EORDER_BEFORE;
		b->booked[q - b->pmin] = q; /* as its own, to say what differs */
		int rc = reproduce_period(b, ledger, q, err);
		if (rc != REPORT_OK)
			return rc;
	}
	return REPORT_OK;
}

/* ------------------------------------------------------ a keyed book */

/* Whether some rows post into p. */
static bool has_into(const struct report_book *b, int64_t p)
{
	for (size_t i = 0; i < b->ncells; i++)
		if (b->cells[i].into == p)
			return true;
	return false;
}

bool report_book_posts_into(const struct report_book *b, int64_t p)
{
	return has_into(b, p);
}

/* Every closed period outside start..end that some rows post into must be
 * reproduced by them: the input holds it, so it holds it whole. */
static int verify_closed(struct report_book *b, const struct report_ledger *ledger, int64_t start, int64_t end,
			 struct report_settle_error *err)
{
	int64_t last = ledger->last.index;
	if (!b->have_into || b->imin > last)
		return REPORT_OK;
	size_t n = (size_t)(last - b->imin + 1);
	bool *touched = calloc(n, sizeof *touched);
	if (!touched)
		return REPORT_ENOMEM;
	for (size_t i = 0; i < b->ncells; i++)
		if (b->cells[i].into <= last)
			touched[b->cells[i].into - b->imin] = true;
	int rc = REPORT_OK;
	for (size_t i = 0; rc == REPORT_OK && i < n; i++) {
		int64_t p = b->imin + (int64_t)i;
		if (!touched[i] || (p >= start && p <= end))
			continue;
		size_t first = b->nst;
		rc = reproduce_period(b, ledger, p, err);
		b->nst = first; /* checked, not shown */
	}
	free(touched);
	return rc;
}

/* Whether a re-run of a legacy ledger shows period p: its rows post
 * into p itself and were not in the ledger before. */
static bool reproduces_own(const struct report_book *b, int64_t p)
{
	return booked_into(b, p) == p && !earlier_run(b, p);
}

/* Run the periods start..end: those the ledger (NULL: none) has closed are
 * reproduced, on a re-run only those shown(b, p) says it shows; the others
 * are settled. */
static int settle_range(struct report_book *b, const struct report_ledger *ledger, int64_t start, int64_t end,
			bool rerun, bool (*shown)(const struct report_book *, int64_t),
			struct report_settle_error *err)
{
	int rc;
	b->have_run = true;
	b->run_first = start;
	b->run_last = end;
	for (int64_t p = start; p <= end; p++) {
		if (ledger && p <= ledger->last.index) {
			if (rerun && !shown(b, p))
				continue;
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

/* The run of a keyed book with a ledger that has rows (see
 * report_book_settle): *start..*end, and whether it is a re-run. */
static int keyed_run(const struct report_book *b, const struct report_ledger *ledger, bool have_period,
		     int64_t period, int64_t *start, int64_t *end, bool *rerun, struct report_settle_error *err)
{
	int64_t last = ledger->last.index;
	*rerun = false;
	if (have_period && period < ledger->first.index) {
		*err = (struct report_settle_error){period, 0, NULL, 0};
		return REPORT_EORDER_BEFORE; /* before the ledger's first: never issued, its rows paid later */
	}
	if (have_period) {
		*start = *end = period;
	} else if (b->pmax > last) {
		*start = last + 1;
		*end = b->pmax;
		if (first_period_after(b, last) > *start) {
			*err = (struct report_settle_error){first_period_after(b, last), 0, NULL, 0};
			return REPORT_EORDER_GAP;
		}
	} else {
		*rerun = true;
		*start = b->imin;
		*end = b->imax;
		for (size_t i = 0; i < b->ncells; i++)
			if (b->cells[i].into > last && b->cells[i].period < ledger->first.index) {
				*err = (struct report_settle_error){b->cells[i].period, 0, NULL, 0};
				return REPORT_EORDER_BEFORE;
			}
		for (size_t i = 0; i < b->ncells; i++)
			if (b->cells[i].into > last) {
				*err = (struct report_settle_error){b->cells[i].period, b->cells[i].account, NULL, 0};
				return REPORT_ELATE_RERUN;
			}
	}
	return REPORT_OK;
}

static int settle_keyed(struct report_book *b, const struct report_ledger *ledger, bool have_period, int64_t period,
			struct report_settle_error *err)
{
	int64_t start, end;
	bool rerun;
	int rc;

	if (!have_period && !b->have_range)
		return REPORT_OK;
	if ((rc = keyed_run(b, ledger, have_period, period, &start, &end, &rerun, err)) != REPORT_OK)
		return rc;
	bool all_earlier = !rerun && b->have_range;
	for (size_t i = 0; i < b->ncells; i++) {
		all_earlier &= b->cells[i].into < start;
		b->have_late |= b->cells[i].into != b->cells[i].period;
	}
	if ((rc = verify_closed(b, ledger, start, end, err)) != REPORT_OK)
		return rc;
	if (!rerun && (rc = open_from_ledger(b, ledger, start, err)) != REPORT_OK)
		return rc;
	if (all_earlier) {
		*err = (struct report_settle_error){b->pmax, 0, NULL, 0};
		return REPORT_ENOTHING_NEW;
	}
	/* a re-run shows the periods its rows post into */
	return settle_range(b, ledger, start, end, rerun, has_into, err);
}

int report_book_settle(struct report_book *b, const struct report_ledger *ledger, bool have_period,
		       int64_t period, struct report_settle_error *err)
{
	if (b->keyed && ledger && ledger->has_rows)
		return settle_keyed(b, ledger, have_period, period, err);
	bool closed = ledger && ledger->has_rows; /* periods up to ledger->last are closed */
	bool rerun = false;
	int64_t start, end;
	int rc;

	if (have_period)
		start = end = period;
	else if (!b->have_range)
		return REPORT_OK;
	else if (closed && b->pmax > ledger->last.index) {
		start = ledger->last.index + 1; /* a new run */
		end = b->pmax;
		if (first_period_after(b, ledger->last.index) > start) {
			*err = (struct report_settle_error){first_period_after(b, ledger->last.index), 0, NULL, 0};
			return REPORT_EORDER_GAP;
		}
	} else if (closed) {
		rerun = true; /* every row is in a closed period */
		start = b->pmin;
		end = b->pmax;
	} else
		start = b->pmin, end = b->pmax;
	if (ledger && !rerun && (rc = open_from_ledger(b, ledger, start, err)) != REPORT_OK)
		return rc;
	if (b->have_range) {
		b->nbooked = (size_t)((end > b->pmax ? end : b->pmax) - b->pmin + 1);
		b->booked = malloc(b->nbooked * sizeof *b->booked);
		b->earlier = calloc(b->nbooked, sizeof *b->earlier);
		if (!b->booked || !b->earlier)
			return REPORT_ENOMEM;
		for (size_t i = 0; i < b->nbooked; i++)
			b->booked[i] = UNPLACED;
		if (closed && (rc = place_closed_periods(b, ledger, rerun ? end : start - 1)) != REPORT_OK)
			return rc;
		bool cumulative = false; /* the input holds a closed period's rows whole */
		for (int64_t q = b->pmin; closed && !rerun && !cumulative && q < start; q++)
			cumulative = b->booked[q - b->pmin] != UNPLACED && period_has_rows(b, q);
		if ((rerun || cumulative) && (rc = unplaced_error(b, ledger, rerun ? end : start - 1, err)) != REPORT_OK)
			return rc;
		for (int64_t q = b->pmin; q < start; q++) {
			int64_t *into = &b->booked[q - b->pmin];
			if (*into == UNPLACED && !rerun) {
				*into = start; /* late */
				b->have_late = true;
			} else if (!rerun)
				b->earlier[q - b->pmin] = true; /* in the ledger before this run */
		}
		for (int64_t q = start; q <= end; q++)
			if (b->booked[q - b->pmin] == UNPLACED && !rerun)
				b->booked[q - b->pmin] = q;
		for (int64_t q = b->pmin; q <= end; q++)
			if (b->booked[q - b->pmin] != q && b->booked[q - b->pmin] != UNPLACED)
				b->have_late = true;
		if (closed && !rerun && start > ledger->last.index && (rc = refuse_repeats(b, ledger, start, err)) != REPORT_OK)
			return rc;
		/* only rows the ledger has already: the wrong file, not a quiet period */
		bool all_earlier = !rerun;
		for (int64_t q = b->pmin; all_earlier && q <= b->pmax; q++)
			all_earlier = b->earlier[q - b->pmin];
		if (all_earlier) {
			*err = (struct report_settle_error){b->pmax, 0, NULL, 0};
			return REPORT_ENOTHING_NEW;
		}
	}
	/* a re-run shows the periods its rows reproduce */
	return settle_range(b, closed ? ledger : NULL, start, end, rerun, reproduces_own, err);
}

/* ------------------------------------------------------------ totals */

static int cmp_name(const void *pa, const void *pb, void *names_ptr)
{
	const struct names *names = names_ptr;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	int c = strcmp(names->s[a], names->s[b]);
	return c ? c : (a > b) - (a < b);
}

/* rank[id]: the place of name id in the names sorted by strcmp, so that
 * sorting details compares two integers, not two strings.  NULL when out
 * of memory. */
static uint32_t *name_ranks(const struct names *names)
{
	uint32_t *ids = malloc((names->n + 1) * sizeof *ids), *rank = malloc((names->n + 1) * sizeof *rank);
	if (ids && rank) {
		for (uint32_t i = 0; i < names->n; i++)
			ids[i] = i;
		qsort_r(ids, names->n, sizeof *ids, cmp_name, (void *)names);
		for (uint32_t i = 0; i < names->n; i++)
			rank[ids[i]] = i;
	} else {
		free(rank);
		rank = NULL;
	}
	free(ids);
	return rank;
}

static bool detail_before(const struct report_detail *a, const struct report_detail *b, const uint32_t *rank)
{
	if (rank[a->source] != rank[b->source])
		return rank[a->source] < rank[b->source];
	return rank[a->product] < rank[b->product];
}

/* A cell's details by source then product: an insertion sort, as a cell
 * has a few. */
static void sort_details(struct report_cell *c, const uint32_t *rank)
{
	for (uint32_t i = 1; i < c->ndetails; i++) {
		struct report_detail d = c->details[i];
		uint32_t j = i;
		for (; j > 0 && detail_before(&d, &c->details[j - 1], rank); j--)
			c->details[j] = c->details[j - 1];
		c->details[j] = d;
	}
}

static struct report_period_total *period_total_of(struct report_book *b, int64_t period, const char *cur)
{
	bool added;
	uint32_t id;
	struct report_period_total *ptot = grow_array(b->ptot, b->nptot, &b->capptot, sizeof *ptot, ARRAY_FIRST);
	if (!ptot)
		return NULL;
	b->ptot = ptot;
	if (keymap_get(&b->ptot_ix, (uint64_t)period, pack_currency(cur), (uint32_t)b->nptot, &id,
			      &added) < 0)
		return NULL;
	if (added)
		b->ptot[b->nptot++] = (struct report_period_total){period, {cur[0], cur[1], cur[2], 0}, 0, 0, 0, 0, 0};
	return &b->ptot[id];
}

int report_book_total(struct report_book *b)
{
	uint32_t *rank = name_ranks(&b->names);
	if (!rank)
		return REPORT_ENOMEM;
	for (size_t i = 0; i < b->ncells; i++)
		sort_details(&b->cells[i], rank);
	free(rank);
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
	long id = keymap_find(&b->ptot_ix, (uint64_t)period, pack_currency(currency));
	return id >= 0 ? &b->ptot[id] : NULL;
}

static int cmp_check_line(const void *pa, const void *pb)
{
	const struct report_check_line *a = pa, *b = pb;
	if (a->period != b->period)
		return a->period < b->period ? -1 : 1;
	return strcmp(a->currency, b->currency);
}

bool report_book_not_over(const struct report_book *b, const char *today, int64_t *first)
{
	int64_t t;
	if (!b->have_settled || date_parse(today, strlen(today), &t) < 0)
		return false;
	int64_t now = period_of(t, b->kind).index; /* the period today is in: not over */
	if (now > b->settled_last)
		return false;
	*first = now > b->settled_first ? now : b->settled_first;
	return true;
}

int report_book_check(struct report_book *b, struct report_check_line **lines, size_t *n)
{
	*lines = NULL;
	*n = 0;
	/* keyed: totals are by the period rows post into; those of closed
	 * periods outside the run are the ledger's, not this run's */
	for (size_t i = 0; b->keyed && b->have_run && i < b->ntot; i++)
		if (b->tot[i].period < b->run_first || b->tot[i].period > b->run_last)
			b->tot[i].period = INT64_MIN;
	/* late rows count in the period they were posted into; rows already
	 * in the ledger before this run not at all */
	for (size_t i = 0, n0 = b->ntot; b->booked && i < n0; i++) {
		int64_t q = b->tot[i].period, into = booked_into(b, q);
		if (q == INT64_MIN || (into == q && !earlier_run(b, q)) || into == UNPLACED)
			continue;
		char cur[4];
		int64_t net = b->tot[i].net, allocated = b->tot[i].allocated;
		memcpy(cur, b->tot[i].currency, 4);
		b->tot[i].net = b->tot[i].allocated = 0;
		b->tot[i].period = INT64_MIN; /* emptied: left out below */
		if (earlier_run(b, q))
			continue;
		int rc = report_book_add_check(b, into, cur, net, allocated);
		if (rc != REPORT_OK)
			return rc;
	}
	/* every period and currency with statements has a line, sales or not */
	for (size_t i = 0; i < b->nptot; i++)
		if (!check_total_of(b, b->ptot[i].period, b->ptot[i].currency))
			return REPORT_ENOMEM;
	struct report_check_line *l = malloc((b->ntot + 1) * sizeof *l);
	if (!l)
		return REPORT_ENOMEM;
	size_t nl = 0;
	for (size_t i = 0; i < b->ntot; i++) {
		const struct report_check_total *c = &b->tot[i];
		if (c->period == INT64_MIN)
			continue;
		const struct report_period_total *t = report_book_period_total(b, c->period, c->currency);
		int64_t paid = t ? t->paid : 0, change = 0, sum = 0;
		if (t && !money_sub(t->carried_forward, t->brought_forward, &change)) {
			free(l);
			return REPORT_EOVERFLOW;
		}
		bool ok = money_add(paid, change, &sum) && sum == c->allocated && c->net == c->allocated;
		l[nl] = (struct report_check_line){c->period, {0}, c->digits, c->net, c->allocated, paid, change, sum, ok};
		memcpy(l[nl].currency, c->currency, 4);
		nl++;
	}
	qsort(l, nl, sizeof *l, cmp_check_line);
	*lines = l;
	*n = nl;
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

uint64_t report_book_put_ledger_rows(const struct report_book *b, uint64_t chain, struct out *o)
{
	struct tsv_writer w;
	size_t i = 0;

	if (!b->have_settled)
		return chain;
	tsv_writer_init(&w, o);
	for (int64_t p = b->settled_first; p <= b->settled_last; p++) {
		char per[DATE_BUF], bf[MONEY_BUF], e[MONEY_BUF], pd[MONEY_BUF], cf[MONEY_BUF], id[DATE_BUF + 16];
		period_format(per, (struct period){b->kind, p});
		/* its statements (st is in period order) ... */
		for (; i < b->nst && b->st[i].period <= p; i++) {
			const struct report_statement *s = &b->st[i];
			if (s->reproduced || s->period != p)
				continue;
			int d = b->acc[s->account].digits;
			money_format(bf, s->brought_forward, d);
			money_format(e, s->earned, d);
			money_format(pd, s->paid, d);
			money_format(cf, s->carried_forward, d);
			const char *const f[8] = {s->id, s->payee, per, s->currency, bf, e, pd, cf};
			put_ledger_row(&w, &chain, f);
		}
		/* ... then its closing row (report_ledger.h) */
		snprintf(id, sizeof id, "%s/end%s", per, takes_late(b, p) ? "+late" : "");
		const char *const closing[8] = {id, "", "", "", "0", "0", "0", "0"};
		put_ledger_row(&w, &chain, closing);
	}
	return chain;
}

void report_book_free(struct report_book *b)
{
	for (size_t i = 0; i < b->ncells; i++) {
		free(b->cells[i].details);
		free(b->cells[i].recoup);
	}
	names_free(&b->names);
	free(b->acc);
	free(b->cells);
	free(b->st);
	free(b->ptot);
	free(b->tot);
	free(b->booked);
	free(b->earlier);
	free(b->payee_acc);
	free(b->fxu);
	keymap_free(&b->fxu_ix);
	keymap_free(&b->acc_ix);
	keymap_free(&b->cell_ix);
	keymap_free(&b->ptot_ix);
	keymap_free(&b->tot_ix);
	memset(b, 0, sizeof *b);
}
