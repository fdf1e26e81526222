/* report_summary.c - the business at a glance, added up from a sales
 * stream (report_summary.h). */
#include "report_summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"

#define ARRAY_FIRST 256

static int summary_period_of(struct report_summary *s, int64_t period, const char *cur, uint32_t *id)
{
	bool added;
	struct report_summary_period *periods =
		report_grow(s->periods, s->nperiods, &s->capperiods, sizeof *periods, ARRAY_FIRST);
	if (!periods)
		return REPORT_ENOMEM;
	s->periods = periods;
	if (report_keymap_get(&s->period_ix, (uint64_t)period, report_pack_currency(cur), (uint32_t)s->nperiods,
			      id, &added) < 0)
		return REPORT_ENOMEM;
	if (added)
		s->periods[s->nperiods++] = (struct report_summary_period){
			period, {cur[0], cur[1], cur[2], 0}, currency_digits(cur, 3), 0, 0, 0, 0, 0, 0, 0};
	return REPORT_OK;
}

static struct report_summary_item *item_of(struct report_summary *s, uint32_t p, enum report_section sec,
					   const char *name, size_t len)
{
	bool added;
	uint32_t name_id, id;
	struct report_summary_item *items = report_grow(s->items, s->nitems, &s->capitems, sizeof *items, ARRAY_FIRST);
	if (!items)
		return NULL;
	s->items = items;
	if (report_names_intern(&s->names, name, len, &name_id) < 0 ||
	    report_keymap_get(&s->item_ix, (uint64_t)p << 8 | sec, name_id, (uint32_t)s->nitems, &id, &added) < 0)
		return NULL;
	if (added)
		s->items[s->nitems++] = (struct report_summary_item){p, sec, name_id, 0, 0, 0, 0, false};
	return &s->items[id];
}

static bool is_kind(const struct report_sale *row, const char *kind)
{
	return row->kind_len == strlen(kind) && memcmp(row->kind, kind, row->kind_len) == 0;
}

/* Each customer's first period, for telling new customers from returning. */
static int note_customer(struct report_summary *s, const struct report_sale *row, uint32_t p,
			 struct report_summary_item *country)
{
	uint32_t cust, visit;
	bool added;
	struct report_summary_visit *visits =
		report_grow(s->visits, s->nvisits, &s->capvisits, sizeof *visits, ARRAY_FIRST);
	if (!visits)
		return REPORT_ENOMEM;
	s->visits = visits;
	if (report_names_intern(&s->names, row->customer, row->customer_len, &cust) < 0 ||
	    report_keymap_get(&s->visit_ix, cust, p, (uint32_t)s->nvisits, &visit, &added) < 0)
		return REPORT_ENOMEM;
	if (added) {
		s->visits[s->nvisits++] = (struct report_summary_visit){cust, p, 0};
		s->periods[p].customers++;
		country->customers++;
	}
	if (!money_add(s->visits[visit].gross, row->gross, &s->visits[visit].gross))
		return REPORT_EOVERFLOW;
	if (cust >= s->capfirst) {
		size_t cap = ((size_t)cust + 1) * 2;
		int64_t *grown = realloc(s->first_period, cap * sizeof *grown);
		if (!grown)
			return REPORT_ENOMEM;
		for (size_t i = s->capfirst; i < cap; i++)
			grown[i] = INT64_MAX;
		s->first_period = grown;
		s->capfirst = cap;
	}
	if (row->period < s->first_period[cust])
		s->first_period[cust] = row->period;
	return REPORT_OK;
}

/* gross, fee and net into an item */
static bool add_to_item(struct report_summary_item *it, const struct report_sale *row)
{
	return money_add(it->gross, row->gross, &it->gross) && money_add(it->fee, row->fee, &it->fee) &&
	       money_add(it->net, row->net, &it->net);
}

int report_summary_add(struct report_summary *s, const struct report_sale *row)
{
	uint32_t p;
	if (summary_period_of(s, row->period, row->currency, &p) != REPORT_OK)
		return REPORT_ENOMEM;
	struct report_summary_period *sp = &s->periods[p];
	/* a fee the platform charged on its own row (Stripe's usage fees, Open
	 * Collective's host fee) is what it takes from net, whichever column
	 * carries it: gross -0.30 fee 0 net -0.30, or gross 0 fee 0.30 net -0.30 */
	bool fee_row = is_kind(row, "fee");
	int64_t fee = fee_row ? -row->net : row->fee;
	if (fee_row && row->net == INT64_MIN)
		return REPORT_EOVERFLOW;
	if (!money_add(sp->fees, fee, &sp->fees) || !money_add(sp->net, row->net, &sp->net))
		return REPORT_EOVERFLOW;
	if (is_kind(row, "refund") || is_kind(row, "chargeback"))
		return money_add(sp->refunds, -row->gross, &sp->refunds) ? REPORT_OK : REPORT_EOVERFLOW;
	if (fee_row) {
		/* part of its channel's effective take: in its fee and net, not
		 * gross, so that fee + net = gross holds per channel */
		struct report_summary_item *ch = item_of(s, p, REPORT_SEC_CHANNEL, row->source, row->source_len);
		if (!ch)
			return REPORT_ENOMEM;
		if (!money_add(ch->fee, fee, &ch->fee) || !money_add(ch->net, row->net, &ch->net))
			return REPORT_EOVERFLOW;
		ch->has_fee |= fee != 0;
		return REPORT_OK;
	}
	if (!is_kind(row, "sale") && !is_kind(row, "subscription") && !is_kind(row, "tip"))
		return REPORT_OK; /* adjustments: in net only */
	if (!money_add(sp->revenue, row->gross, &sp->revenue))
		return REPORT_EOVERFLOW;
	const char *names[4] = {row->kind, row->product, row->source, row->country};
	const size_t lens[4] = {row->kind_len, row->product_len, row->source_len, row->country_len};
	struct report_summary_item *it[4];
	for (int k = 0; k < 4; k++) {
		it[k] = item_of(s, p, (enum report_section)k, names[k], lens[k]);
		if (!it[k])
			return REPORT_ENOMEM;
		if (!add_to_item(it[k], row))
			return REPORT_EOVERFLOW;
		it[k]->has_fee |= row->fee != 0;
	}
	if (row->customer_len > 0)
		return note_customer(s, row, p, it[REPORT_SEC_COUNTRY]);
	sp->unknown_customers++; /* a sale without a buyer id */
	return REPORT_OK;
}

int report_summary_touch(struct report_summary *s, int64_t period, const char *currency)
{
	uint32_t id;
	return summary_period_of(s, period, currency, &id);
}

/* ------------------------------------------------------------ finishing */

static int cmp_period(const void *pa, const void *pb, void *ctx)
{
	const struct report_summary *s = ctx;
	const struct report_summary_period *a = &s->periods[*(const uint32_t *)pa];
	const struct report_summary_period *b = &s->periods[*(const uint32_t *)pb];
	if (a->period != b->period)
		return a->period < b->period ? -1 : 1;
	return strcmp(a->currency, b->currency);
}

/* Items: by section, then gross down, then name. */
static int cmp_item(const void *pa, const void *pb, void *ctx)
{
	const struct report_summary *s = ctx;
	const struct report_summary_item *a = &s->items[*(const uint32_t *)pa];
	const struct report_summary_item *b = &s->items[*(const uint32_t *)pb];
	if (a->section != b->section)
		return a->section < b->section ? -1 : 1;
	if (a->gross != b->gross)
		return a->gross > b->gross ? -1 : 1;
	return strcmp(s->names.s[a->name], s->names.s[b->name]);
}

int report_summary_finish(struct report_summary *s)
{
	size_t np = s->nperiods;

	for (size_t i = 0; i < s->nvisits; i++)
		if (s->first_period[s->visits[i].customer] == s->periods[s->visits[i].period].period)
			s->periods[s->visits[i].period].new_customers++;
	s->order = malloc((np + 1) * sizeof *s->order);
	s->item_order = malloc((s->nitems + 1) * sizeof *s->item_order);
	s->item_start = calloc(np + 1, sizeof *s->item_start);
	uint32_t *fill = malloc((np + 1) * sizeof *fill);
	if (!s->order || !s->item_order || !s->item_start || !fill) {
		free(fill);
		return REPORT_ENOMEM;
	}
	for (uint32_t i = 0; i < np; i++)
		s->order[i] = i;
	qsort_r(s->order, np, sizeof *s->order, cmp_period, s);
	/* group the items by period (a counting sort), then sort each group */
	for (size_t i = 0; i < s->nitems; i++)
		s->item_start[s->items[i].period + 1]++;
	for (size_t i = 0; i < np; i++)
		s->item_start[i + 1] += s->item_start[i];
	memcpy(fill, s->item_start, (np + 1) * sizeof *fill);
	for (uint32_t i = 0; i < s->nitems; i++)
		s->item_order[fill[s->items[i].period]++] = i;
	for (size_t i = 0; i < np; i++)
		qsort_r(s->item_order + s->item_start[i], s->item_start[i + 1] - s->item_start[i],
			sizeof *s->item_order, cmp_item, s);
	free(fill);
	return REPORT_OK;
}

const char *report_percent(char *buf, int64_t part, int64_t whole)
{
	int64_t tenths;
	if (whole == 0 || !money_muldiv(part, 1000, whole, &tenths)) {
		buf[0] = '\0';
		return buf;
	}
	int64_t mag = tenths < 0 ? -tenths : tenths;
	sprintf(buf, "%s%lld.%lld%%", tenths < 0 ? "-" : "", (long long)(mag / 10), (long long)(mag % 10));
	return buf;
}

/* ------------------------------------------------------------ figures */

static const char *count(char *buf, size_t cap, long n)
{
	snprintf(buf, cap, "%ld", n);
	return buf;
}

/* An amount: exact micro-units in TSV, for people the currency's minor unit. */
static void amount(char *buf, int64_t v, int digits, enum report_format format)
{
	if (format == REPORT_TSV)
		money_format(buf, v, digits);
	else
		money_format_minor(buf, v, digits);
}

static void overview(const struct report_summary *s, const struct report_summary_period *p,
		     enum report_format format, struct report_table *t)
{
	char v[9][MONEY_BUF + 8], growth[32] = "";
	int d = p->digits;

	report_table_init(t, "Overview", "metric value", "tn");
	if (format != REPORT_TSV)
		strcpy(growth, "n/a");
	/* growth over the period just before, in the same currency */
	long prev = report_keymap_find(&s->period_ix, (uint64_t)(p->period - 1), report_pack_currency(p->currency));
	if (prev >= 0) {
		int64_t diff, before = s->periods[prev].revenue;
		if (money_sub(p->revenue, before, &diff))
			report_percent(growth, diff, before < 0 ? -before : before);
	}
	amount(v[0], p->revenue, d, format);
	amount(v[1], p->refunds, d, format);
	amount(v[3], p->fees, d, format);
	amount(v[4], p->net, d, format);
	const char *rows[][2] = {
		{"revenue", v[0]},
		{"refunds", v[1]},
		{"refund_rate", report_percent(v[2], p->refunds, p->revenue)},
		{"fees", v[3]},
		{"net_of_refunds", v[4]},
		{"customers", count(v[5], sizeof v[5], p->customers)},
		{"new_customers", count(v[6], sizeof v[6], p->new_customers)},
		{"returning_customers", count(v[7], sizeof v[7], p->customers - p->new_customers)},
		{"sales_without_customer_id", count(v[8], sizeof v[8], p->unknown_customers)},
		{"growth", growth},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		report_table_add(t, rows[i]);
}

void report_summary_tables(const struct report_summary *s, uint32_t pid, enum report_format format,
			   struct report_table t[REPORT_SUMMARY_TABLES])
{
	const struct report_summary_period *p = &s->periods[pid];
	int d = p->digits, nproducts = 0;

	overview(s, p, format, &t[0]);
	report_table_init(&t[1], "Revenue streams", "kind gross share", "tnn");
	report_table_init(&t[2], "Top products", "product gross share", "tnn");
	report_table_init(&t[3], "Channels", "source gross fee sales_net take_rate share", "tnnnnn");
	report_table_init(&t[4], "Customers by country", "country customers gross share", "tnnn");
	for (uint32_t k = s->item_start[pid]; k < s->item_start[pid + 1]; k++) {
		const struct report_summary_item *it = &s->items[s->item_order[k]];
		const char *name = s->names.s[it->name];
		char g[MONEY_BUF], fe[MONEY_BUF], ne[MONEY_BUF], sh[32], tr[32], cu[32];
		amount(g, it->gross, d, format);
		report_percent(sh, it->gross, p->revenue);
		switch (it->section) {
		case REPORT_SEC_STREAM: report_table_add(&t[1], (const char *[]){name, g, sh}); break;
		case REPORT_SEC_PRODUCT:
			if (nproducts++ < REPORT_TOP_PRODUCTS)
				report_table_add(&t[2], (const char *[]){name, g, sh});
			break;
		case REPORT_SEC_CHANNEL:
			amount(fe, it->fee, d, format);
			amount(ne, it->net, d, format);
			/* an export with no fee column of its own (Etsy items, App
			 * Store proceeds, DistroKid) says nothing of the take */
			if (it->has_fee)
				report_percent(tr, it->fee, it->gross);
			else
				strcpy(tr, "not in export");
			report_table_add(&t[3], (const char *[]){name, g, fe, ne, tr, sh});
			break;
		case REPORT_SEC_COUNTRY:
			report_table_add(&t[4], (const char *[]){name, count(cu, sizeof cu, it->customers), g, sh});
			break;
		}
	}
}

void report_summary_free(struct report_summary *s)
{
	report_names_free(&s->names);
	free(s->periods);
	free(s->items);
	free(s->visits);
	free(s->first_period);
	free(s->order);
	free(s->item_order);
	free(s->item_start);
	report_keymap_free(&s->period_ix);
	report_keymap_free(&s->item_ix);
	report_keymap_free(&s->visit_ix);
	memset(s, 0, sizeof *s);
}
