/* report_summary.c - the business at a glance, added up from a sales
 * stream (report_summary.h). */
#include "report_summary.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "money.h"

#define ARRAY_FIRST 256

static int summary_period_of(struct report_summary *s, int64_t period, const char *cur, uint32_t *id)
{
	bool added;
	struct report_summary_period *periods =
		grow_array(s->periods, s->nperiods, &s->capperiods, sizeof *periods, ARRAY_FIRST);
	if (!periods)
		return REPORT_ENOMEM;
	s->periods = periods;
	if (keymap_get(&s->period_ix, (uint64_t)period, pack_currency(cur), (uint32_t)s->nperiods,
			      id, &added) < 0)
		return REPORT_ENOMEM;
	if (added)
		s->periods[s->nperiods++] = (struct report_summary_period){
			period, {cur[0], cur[1], cur[2], 0}, currency_digits(cur, 3), 0, 0, 0, 0, 0, 0, 0, 0};
	return REPORT_OK;
}

static struct report_summary_item *item_of(struct report_summary *s, uint32_t p, enum report_section sec,
					   const char *name, size_t len)
{
	bool added;
	uint32_t name_id, id;
	struct report_summary_item *items = grow_array(s->items, s->nitems, &s->capitems, sizeof *items, ARRAY_FIRST);
	if (!items)
		return NULL;
	s->items = items;
	if (names_intern(&s->names, name, len, &name_id) < 0 ||
	    keymap_get(&s->item_ix, (uint64_t)p << 8 | sec, name_id, (uint32_t)s->nitems, &id, &added) < 0)
		return NULL;
	if (added)
		s->items[s->nitems++] = (struct report_summary_item){.period = p, .section = sec, .name = name_id};
	return &s->items[id];
}

static bool is_kind(const struct report_sale *row, const char *kind)
{
	return row->kind_len == strlen(kind) && memcmp(row->kind, kind, row->kind_len) == 0;
}

/* A customer's row for the sort: its hash (the sort key), period id,
 * country item and gross, then the id's bytes.  An id too long for one
 * sorted row keeps its head and a 128-bit fingerprint of the whole. */
struct customer_rec {
	uint64_t key;
	uint32_t period, country;
	int64_t gross;
};

#define CUSTOMER_ID_MAX (EXTSORT_ROW_MAX - sizeof(struct customer_rec))

static int note_customer(struct report_summary *s, const struct report_sale *row, uint32_t p,
			 const struct report_summary_item *country)
{
	static char buf[EXTSORT_ROW_MAX];
	size_t len = row->customer_len;
	uint64_t h = hash_mix64(hash_fnv1a(HASH_FNV_OFFSET, row->customer, len));
	struct customer_rec rec = {h, p, (uint32_t)(country - s->items), row->gross};
	memcpy(buf, &rec, sizeof rec);
	if (len <= CUSTOMER_ID_MAX) {
		memcpy(buf + sizeof rec, row->customer, len);
	} else {
		uint64_t fp[2] = {h, hash_mix64(hash_fnv1a(h ^ len, row->customer, len))};
		memcpy(buf + sizeof rec, row->customer, CUSTOMER_ID_MAX - sizeof fp);
		memcpy(buf + sizeof rec + CUSTOMER_ID_MAX - sizeof fp, fp, sizeof fp);
		len = CUSTOMER_ID_MAX;
	}
	if (!s->customers_open) {
		extsort_init(&s->customers, s->sort_budget ? s->sort_budget : EXTSORT_BUDGET_DEFAULT, s->tmpdir);
		s->customers_open = true;
	}
	if (extsort_add(&s->customers, (int64_t)h, buf, sizeof rec + len) < 0) {
		s->temp_errno = errno;
		return errno == ENOMEM ? REPORT_ENOMEM : REPORT_ETEMP;
	}
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
	/* a sale without a buyer id (a stream, a platform that names nobody):
	 * counted beside its country's customers, so that a country with
	 * gross and 0 customers says why */
	sp->unknown_customers++;
	it[REPORT_SEC_COUNTRY]->unnamed++;
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

/* ---- customers: one customer's rows at a time, off the sort ---------- */

/* The (customer, period id) pairs of one hash: a customer's visits (and,
 * seldom, another customer's with the same hash).  Memory grows with one
 * customer's periods, never with rows or customers. */
struct visit_group {
	struct gvisit {
		size_t off, len; /* the id in text */
		uint32_t period, country;
		int64_t gross;
		bool done;
	} *v;
	size_t n, cap;
	char *text;
	size_t tlen, tcap;
	int64_t *top;    /* REPORT_SUMMARY_TOP grosses per period id */
	uint32_t *ntop;  /* used in top, per period id */
};

static bool same_id(const struct visit_group *g, const struct gvisit *v, const char *id, size_t len)
{
	return v->len == len && memcmp(g->text + v->off, id, len) == 0;
}

/* Keep the REPORT_SUMMARY_TOP largest grosses of period id p. */
static void top_keep(struct visit_group *g, uint32_t p, int64_t gross)
{
	int64_t *t = g->top + (size_t)p * REPORT_SUMMARY_TOP;
	if (g->ntop[p] < REPORT_SUMMARY_TOP) {
		t[g->ntop[p]++] = gross;
		return;
	}
	size_t low = 0;
	for (size_t k = 1; k < REPORT_SUMMARY_TOP; k++)
		if (t[k] < t[low])
			low = k;
	if (gross > t[low])
		t[low] = gross;
}

/* Count the group's customers into their periods and countries. */
static void group_flush(struct report_summary *s, struct visit_group *g)
{
	for (size_t i = 0; i < g->n; i++) {
		if (g->v[i].done)
			continue;
		const char *id = g->text + g->v[i].off;
		int64_t first = INT64_MAX;
		for (size_t j = i; j < g->n; j++)
			if (!g->v[j].done && same_id(g, &g->v[j], id, g->v[i].len) &&
			    s->periods[g->v[j].period].period < first)
				first = s->periods[g->v[j].period].period;
		size_t len = g->v[i].len;
		for (size_t j = i; j < g->n; j++) {
			struct gvisit *v = &g->v[j];
			if (v->done || !same_id(g, v, id, len))
				continue;
			v->done = true;
			s->periods[v->period].customers++;
			s->periods[v->period].new_customers += s->periods[v->period].period == first;
			s->items[v->country].customers++;
			top_keep(g, v->period, v->gross);
		}
	}
	g->n = g->tlen = 0;
}

/* One sorted row into the group: a new visit, or more gross on one. */
static int group_add(struct visit_group *g, const struct customer_rec *rec, const char *id, size_t len)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->v[i].period == rec->period && same_id(g, &g->v[i], id, len))
			return money_add(g->v[i].gross, rec->gross, &g->v[i].gross) ? REPORT_OK : REPORT_EOVERFLOW;
	struct gvisit *v = grow_array(g->v, g->n, &g->cap, sizeof *v, 16);
	if (!v)
		return REPORT_ENOMEM;
	g->v = v;
	while (g->tlen + len + 1 > g->tcap) {
		char *t = realloc(g->text, g->tcap = g->tcap ? g->tcap * 2 : 4096);
		if (!t)
			return REPORT_ENOMEM;
		g->text = t;
	}
	memcpy(g->text + g->tlen, id, len);
	v[g->n++] = (struct gvisit){g->tlen, len, rec->period, rec->country, rec->gross, false};
	g->tlen += len;
	return REPORT_OK;
}

static int count_customers(struct report_summary *s)
{
	struct visit_group g = {0};
	int st = REPORT_OK;
	if (!s->customers_open)
		return REPORT_OK;
	g.top = calloc(s->nperiods * REPORT_SUMMARY_TOP + 1, sizeof *g.top);
	g.ntop = calloc(s->nperiods + 1, sizeof *g.ntop);
	if (!g.top || !g.ntop)
		st = REPORT_ENOMEM;
	else if (extsort_finish(&s->customers) < 0)
		st = REPORT_ETEMP;
	uint64_t key = 0;
	for (int rc; st == REPORT_OK;) {
		const char *row;
		size_t len;
		struct customer_rec rec;
		if ((rc = extsort_next(&s->customers, &row, &len)) < 0) {
			st = REPORT_ETEMP;
			break;
		}
		if (rc == 0)
			break;
		memcpy(&rec, row, sizeof rec);
		if (g.n > 0 && rec.key != key)
			group_flush(s, &g);
		key = rec.key;
		st = group_add(&g, &rec, row + sizeof rec, len - sizeof rec);
	}
	if (st == REPORT_OK) {
		group_flush(s, &g);
		for (size_t p = 0; p < s->nperiods; p++)
			for (size_t k = 0; k < g.ntop[p]; k++)
				s->periods[p].top_gross += g.top[p * REPORT_SUMMARY_TOP + k]; /* within revenue */
	}
	if (st == REPORT_ETEMP)
		s->temp_errno = errno;
	free(g.v), free(g.text), free(g.top), free(g.ntop);
	extsort_free(&s->customers);
	s->customers_open = false;
	return st;
}

int report_summary_finish(struct report_summary *s)
{
	size_t np = s->nperiods;
	int st = count_customers(s);
	if (st != REPORT_OK)
		return st;
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
	long prev = keymap_find(&s->period_ix, (uint64_t)(p->period - 1), pack_currency(p->currency));
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
	report_table_init(&t[4], "Customers by country", "country customers anonymous_sales gross share",
			  "tnnnn");
	for (uint32_t k = s->item_start[pid]; k < s->item_start[pid + 1]; k++) {
		const struct report_summary_item *it = &s->items[s->item_order[k]];
		const char *name = s->names.s[it->name];
		char g[MONEY_BUF], fe[MONEY_BUF], ne[MONEY_BUF], sh[32], tr[32], cu[32], un[32];
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
			report_table_add(&t[4], (const char *[]){name, count(cu, sizeof cu, it->customers),
								 count(un, sizeof un, it->unnamed), g, sh});
			break;
		}
	}
}

void report_summary_free(struct report_summary *s)
{
	names_free(&s->names);
	free(s->periods);
	free(s->items);
	if (s->customers_open)
		extsort_free(&s->customers);
	free(s->order);
	free(s->item_order);
	free(s->item_start);
	keymap_free(&s->period_ix);
	keymap_free(&s->item_ix);
	memset(s, 0, sizeof *s);
}
