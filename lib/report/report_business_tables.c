/* report_business_tables.c - the business model of one period as tables
 * (report_business.h): costs, profit and margins, break-even, cost per
 * customer as customers grow, other platforms' fees, dependence. */
#include "report_business.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"

__extension__ typedef __int128 i128;

#define NUM_BUF (MONEY_BUF + 16)

/* Whether the tables being made are for people (report_business_tables
 * sets it for the length of one call): amounts in minor units, not the
 * TSV's exact micro-units. */
static _Thread_local bool for_people;

/* A sum too large for int64_t is shown as such, never wrapped. */
static const char *money_cell(char *buf, i128 v, int digits)
{
	if (v > INT64_MAX || v < INT64_MIN)
		strcpy(buf, "overflows");
	else if (for_people)
		money_format_minor(buf, (int64_t)v, digits);
	else
		money_format(buf, (int64_t)v, digits);
	return buf;
}

static const char *count_cell(char *buf, int64_t n)
{
	snprintf(buf, NUM_BUF, "%lld", (long long)n);
	return buf;
}

/* a / b rounded half to even (b > 0), as money */
static const char *quotient_cell(char *buf, int64_t a, int64_t b, int digits, const char *none)
{
	int64_t q;
	if (b <= 0 || !money_muldiv(a, 1, b, &q))
		return strcpy(buf, none);
	return money_cell(buf, q, digits);
}

/* ceil(a * m / d) for a, m >= 0, d > 0 */
static i128 ceil_part(i128 a, i128 m, i128 d)
{
	return (a * m + d - 1) / d;
}

/* The figures every table of a period uses. */
struct figures {
	const struct report_summary_period *p;
	const struct report_business_period *bp; /* NULL: no rows */
	i128 fixed, variable;                    /* costs */
	int64_t sales;
	const char *none; /* an empty figure: "" in TSV, "n/a" for people */
};

static const struct report_business_period *bperiod(const struct report_business *b, int64_t period)
{
	long slot = keymap_find(&b->period_ix, (uint64_t)period, 0);
	return slot < 0 ? NULL : &b->periods[slot];
}

static void costs_table(const struct report_business *b, const struct figures *f,
			struct report_table *t)
{
	int d = f->p->digits;
	report_table_init(t, "Costs", "item kind amount share_of_revenue", "ttnn");
	if (!f->bp)
		return;
	for (size_t i = 0; i < b->costs->n; i++) {
		const struct report_cost *c = &b->costs->c[i];
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(b->costs->c[j].item, c->item) == 0;
		if (seen)
			continue; /* added up under its first row */
		i128 fixed = 0, variable = 0;
		for (size_t j = i; j < b->costs->n; j++)
			if (strcmp(b->costs->c[j].item, c->item) == 0) {
				fixed += f->bp->fixed[j];
				variable += f->bp->variable[j];
			}
		if (fixed == 0 && variable == 0)
			continue;
		char a[NUM_BUF], sh[32];
		const char *kind = variable == 0 ? "fixed"
				   : fixed == 0  ? "variable"
						 : "fixed+variable";
		money_cell(a, fixed + variable, d);
		if (fixed + variable <= INT64_MAX)
			report_percent(sh, (int64_t)(fixed + variable), f->p->revenue);
		else
			sh[0] = '\0';
		report_table_add(t, (const char *[]){c->item, kind, a, sh});
	}
}

static void profit_table(const struct figures *f, struct report_table *t)
{
	const struct report_summary_period *p = f->p;
	int d = p->digits;
	char v[20][NUM_BUF];
	i128 contribution = (i128)p->net - f->variable, costs = f->fixed + f->variable;
	i128 profit = (i128)p->net - costs;
	bool fits = contribution >= INT64_MIN && contribution <= INT64_MAX && profit >= INT64_MIN &&
		    profit <= INT64_MAX;

	report_table_init(t, "Profit and break-even", "metric value", "tn");
	strcpy(v[3], f->none);
	strcpy(v[4], f->none);
	strcpy(v[9], f->none);
	strcpy(v[10], f->none);
	strcpy(v[11], f->none);
	if (fits) {
		report_percent(v[3], (int64_t)contribution, p->revenue);
		quotient_cell(v[4], (int64_t)contribution, f->sales, d, f->none);
		report_percent(v[9], (int64_t)profit, p->revenue);
		/* break-even: revenue at which net less variable costs pays the
		 * fixed costs, at this period's contribution margin, rounded up */
		if (contribution > 0 && f->fixed >= 0) {
			money_cell(v[10], ceil_part(f->fixed, p->revenue, contribution), d);
			if (f->sales > 0)
				snprintf(v[11], NUM_BUF, "%lld",
					 (long long)ceil_part(f->fixed, f->sales, contribution));
		}
	}
	const char *rows[][2] = {
	    {"revenue", money_cell(v[0], p->revenue, d)},
	    {"net_of_refunds_and_fees", money_cell(v[1], p->net, d)},
	    {"variable_costs", money_cell(v[2], f->variable, d)},
	    {"contribution_margin", v[3]},
	    {"contribution_per_sale", v[4]},
	    {"fixed_costs", money_cell(v[5], f->fixed, d)},
	    {"costs", money_cell(v[6], costs, d)},
	    {"profit", money_cell(v[7], profit, d)},
	    {"sales", count_cell(v[8], f->sales)},
	    {"margin", v[9]},
	    {"average_order_value", quotient_cell(v[12], p->revenue, f->sales, d, f->none)},
	    {"break_even_revenue", v[10]},
	    {"break_even_customers", v[11]},
	    {"revenue_per_customer", quotient_cell(v[13], p->revenue, p->customers, d, f->none)},
	    {"cost_per_customer",
	     costs <= INT64_MAX ? quotient_cell(v[14], (int64_t)costs, p->customers, d, f->none)
				: "overflows"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		report_table_add(t, rows[i]);
}

/* Fixed costs stay, variable costs grow with customers: the cost of one
 * customer at 1, 2, 5 and 10 times this period's customers. */
static void growth_table(const struct figures *f, struct report_table *t)
{
	static const int times[] = {1, 2, 5, 10};
	int d = f->p->digits;
	long k = f->p->customers;
	report_table_init(t, "Cost per customer as customers grow",
			  "customers fixed_costs variable_costs costs cost_per_customer", "nnnnn");
	if (k <= 0 || f->variable > INT64_MAX)
		return;
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
		char c[5][NUM_BUF];
		int64_t n = (int64_t)k * times[i], var;
		if (!money_muldiv((int64_t)f->variable, n, k, &var))
			return;
		i128 costs = f->fixed + var;
		report_table_add(
		    t, (const char *[]){count_cell(c[0], n), money_cell(c[1], f->fixed, d),
					money_cell(c[2], var, d), money_cell(c[3], costs, d),
					costs <= INT64_MAX
					    ? quotient_cell(c[4], (int64_t)costs, n, d, f->none)
					    : "overflows"});
	}
}

/* The period's net with its actual fees replaced by each platform's. */
static void whatif_table(const struct report_business *b, const struct figures *f,
			 struct report_table *t)
{
	const struct report_summary_period *p = f->p;
	int d = p->digits;
	char c[5][NUM_BUF], tr[32];
	report_table_init(t, "What other platforms would have taken",
			  "platform fees net difference take_rate unpriced_sales", "tnnnnn");
	report_table_add(t, (const char *[]){"(actual)", money_cell(c[0], p->fees, d),
					     money_cell(c[1], p->net, d), money_cell(c[2], 0, d),
					     report_percent(tr, p->fees, p->revenue), "0"});
	for (size_t k = 0; k < b->fees->nplatforms; k++) {
		const struct report_whatif_acc *w = f->bp ? &f->bp->whatif[k] : NULL;
		i128 fees = w ? (i128)w->fees + f->bp->monthly[k] : 0;
		int64_t unpriced = w ? w->unpriced : 0;
		money_cell(c[0], fees, d);
		strcpy(c[1], f->none);
		strcpy(c[2], f->none);
		tr[0] = '\0';
		if (unpriced == 0) { /* every sale priced: the net compares */
			money_cell(c[1], (i128)p->net + p->fees - fees, d);
			money_cell(c[2], (i128)p->fees - fees, d);
			if (fees <= INT64_MAX)
				report_percent(tr, (int64_t)fees, p->revenue);
		}
		report_table_add(t, (const char *[]){b->fees->platforms[k], c[0], c[1], c[2], tr,
						     count_cell(c[3], unpriced)});
	}
}

/* Shares of revenue in tenths of a percent (half to even), or -1. */
struct shares {
	int64_t channel, product, top; /* largest channel, product; top customers */
	const char *channel_name, *product_name;
	long customers;
};

static int64_t tenths(int64_t part, int64_t whole)
{
	int64_t v;
	return whole > 0 && money_muldiv(part, 1000, whole, &v) ? v : -1;
}

static int shares_of(const struct report_summary *s, uint32_t pid, struct shares *sh)
{
	const struct report_summary_period *p = &s->periods[pid];
	*sh = (struct shares){-1, -1, -1, "", "", 0};
	for (uint32_t k = s->item_start[pid]; k < s->item_start[pid + 1]; k++) {
		const struct report_summary_item *it = &s->items[s->item_order[k]];
		if (it->section == REPORT_SEC_CHANNEL && sh->channel < 0) {
			sh->channel = tenths(it->gross, p->revenue);
			sh->channel_name = s->names.s[it->name];
		}
		if (it->section == REPORT_SEC_PRODUCT && sh->product < 0) {
			sh->product = tenths(it->gross, p->revenue);
			sh->product_name = s->names.s[it->name];
		}
	}
	sh->customers = p->customers;
	sh->top = p->customers ? tenths(p->top_gross, p->revenue) : -1;
	return REPORT_OK;
}

static const char *tenths_cell(char *buf, int64_t v, const char *unit, bool sign)
{
	int64_t mag = v < 0 ? -v : v;
	snprintf(buf, NUM_BUF, "%s%lld.%lld%s",
		 v < 0  ? "-"
		 : sign ? "+"
			: "",
		 (long long)(mag / 10), (long long)(mag % 10), unit);
	return buf;
}

static void dependence_row(struct report_table *t, const char *measure, const char *name,
			   int64_t now, int64_t before, const char *none)
{
	char a[NUM_BUF], c[NUM_BUF];
	if (now < 0)
		return;
	tenths_cell(a, now, "%", false);
	if (before >= 0)
		tenths_cell(c, now - before, " pts", true);
	else
		strcpy(c, none);
	report_table_add(t, (const char *[]){measure, name, a, c});
}

static int dependence_table(const struct report_summary *s, uint32_t pid, const char *none,
			    struct report_table *t)
{
	const struct report_summary_period *p = &s->periods[pid];
	struct shares now, before = {-1, -1, -1, "", "", 0};
	char who[64];
	report_table_init(t, "Dependence", "measure name share change", "ttnn");
	if (shares_of(s, pid, &now) != REPORT_OK)
		return REPORT_ENOMEM;
	long prev = keymap_find(&s->period_ix, (uint64_t)(p->period - 1),
				       pack_currency(p->currency));
	if (prev >= 0 && shares_of(s, (uint32_t)prev, &before) != REPORT_OK)
		return REPORT_ENOMEM;
	snprintf(who, sizeof who, "%d of %ld",
		 now.customers < REPORT_TOP_CUSTOMERS ? (int)now.customers : REPORT_TOP_CUSTOMERS,
		 now.customers);
	dependence_row(t, "largest_channel", now.channel_name, now.channel, before.channel, none);
	dependence_row(t, "largest_product", now.product_name, now.product, before.product, none);
	dependence_row(t, "top_customers", who, now.top, before.top, none);
	return REPORT_OK;
}

static int cmp_channel(const void *pa, const void *pb, void *ctx)
{
	const struct report_business *sort_ctx = ctx;
	const struct report_business_cell *a = *(const struct report_business_cell *const *)pa;
	const struct report_business_cell *b = *(const struct report_business_cell *const *)pb;
	if (a->gross != b->gross)
		return a->gross > b->gross ? -1 : 1;
	return strcmp(sort_ctx->names.s[a->name], sort_ctx->names.s[b->name]);
}

/* Per channel of the period, largest gross first. */
static int refunds_table(const struct report_business *b, const struct figures *f,
			 struct report_table *t)
{
	int d = f->p->digits;
	report_table_init(t, "Refunds and chargebacks by channel",
			  "source gross refunds refund_rate chargebacks chargeback_rate", "tnnnnn");
	long slot = keymap_find(&b->period_ix, (uint64_t)f->p->period, 0);
	if (slot < 0)
		return REPORT_OK;
	const struct report_business_cell **cells = malloc((b->nchannels + 1) * sizeof *cells);
	size_t n = 0;
	if (!cells)
		return REPORT_ENOMEM;
	for (size_t i = 0; i < b->nchannels; i++)
		if (b->channels[i].slot == (uint32_t)slot)
			cells[n++] = &b->channels[i];
	qsort_r(cells, n, sizeof *cells, cmp_channel, (void *)b);
	for (size_t i = 0; i < n; i++) {
		const struct report_business_cell *c = cells[i];
		char g[NUM_BUF], r[NUM_BUF], cb[NUM_BUF], rr[32], cr[32];
		report_table_add(t,
				 (const char *[]){b->names.s[c->name], money_cell(g, c->gross, d),
						  money_cell(r, c->refunds, d),
						  report_percent(rr, c->refunds, c->gross),
						  money_cell(cb, c->chargebacks, d),
						  report_percent(cr, c->chargebacks, c->gross)});
	}
	free(cells);
	return REPORT_OK;
}

/* x * num / den, half to even; 0 when den is 0 (no base to scale) */
static int64_t scaled(int64_t x, int64_t num, int64_t den, bool *ok)
{
	int64_t v = 0;
	if (den != 0 && !money_muldiv(x, den < 0 ? -num : num, den < 0 ? -den : den, &v))
		*ok = false;
	return v;
}

/* One forecast period: revenue, costs and profit at the last period's
 * ratios, the profit also at the 80% bounds. */
static void outlook_row(const struct report_business *b, const struct figures *f, size_t k,
			i128 *cum, struct report_table *t)
{
	const struct report_outlook_period *op = &b->outlook->p[k];
	const struct report_summary_period *p = f->p;
	int d = p->digits;
	char c[7][NUM_BUF], per[DATE_BUF];
	bool ok = true;
	int64_t v = f->variable <= INT64_MAX ? (int64_t)f->variable : 0;
	int64_t fixed = b->outlook_fixed[k];
	int64_t revenue = scaled(op->net, p->revenue, p->net, &ok);
	i128 profit[3];
	const int64_t nets[3] = {op->net, op->lo, op->hi};
	for (int i = 0; i < 3; i++)
		profit[i] = (i128)nets[i] - scaled(nets[i], v, p->net, &ok) - fixed;
	period_format(per, (struct period){b->kind, op->period});
	if (!ok) {
		report_table_add(t, (const char *[]){per, "overflows", "", "", "", "", ""});
		return;
	}
	for (int i = 0; i < 3; i++)
		cum[i] += profit[i];
	money_cell(c[0], revenue, d);
	money_cell(c[1], op->net, d);
	money_cell(c[2], (i128)fixed + scaled(op->net, v, p->net, &ok), d);
	money_cell(c[3], profit[0], d);
	strcpy(c[4], f->none);
	strcpy(c[5], f->none);
	if (op->bounds) {
		money_cell(c[4], profit[1], d);
		money_cell(c[5], profit[2], d);
	}
	report_table_add(t, (const char *[]){per, c[0], c[1], c[2], c[3], c[4], c[5]});
}

/* After the last period: the forecast periods, and how many of them the
 * balance and the profit so far last. */
static void outlook_tables(const struct report_business *b, const struct figures *f,
			   struct report_table *t)
{
	report_table_init(&t[0], "Outlook (forecast of net; the 80% bounds of its series added up)",
			  "period revenue net costs profit profit_lo80 profit_hi80", "tnnnnnn");
	report_table_init(&t[1], "Runway", "metric value", "tn");
	int64_t months[3] = {0, 0, 0}, shown = 0;
	bool ended[3] = {false, false, false};
	i128 cum[3] = {b->balance, b->balance, b->balance};
	bool bounds = true;
	for (size_t k = 0; k < b->outlook->n; k++) {
		if (b->outlook->p[k].period <= f->p->period)
			continue; /* the past is in the figures above */
		outlook_row(b, f, k, cum, &t[0]);
		shown++;
		bounds &= b->outlook->p[k].bounds;
		for (int i = 0; i < 3; i++)
			if (!ended[i] && !(ended[i] = cum[i] < 0))
				months[i]++;
	}
	if (!shown)
		return;
	char c[4][NUM_BUF];
	for (int i = 0; i < 3; i++)
		snprintf(c[i + 1], NUM_BUF, "%lld%s", (long long)months[i], ended[i] ? "" : "+");
	if (!bounds) {
		strcpy(c[2], f->none);
		strcpy(c[3], f->none);
	}
	report_table_add(&t[1],
			 (const char *[]){"balance", money_cell(c[0], b->balance, f->p->digits)});
	report_table_add(&t[1], (const char *[]){"runway_periods", c[1]});
	report_table_add(&t[1], (const char *[]){"runway_periods_lo80", c[2]});
	report_table_add(&t[1], (const char *[]){"runway_periods_hi80", c[3]});
}

int report_business_tables(const void *ctx, const struct report_summary *s, uint32_t pid,
			   enum report_format format, struct report_table *t, const char **sections)
{
	static const char *const names[REPORT_BUSINESS_TABLES] = {
	    "cost", "business", "scale", "whatif", "dependence", "refunds", "outlook", "runway"};
	const struct report_business *b = ctx;
	const struct report_summary_period *p = &s->periods[pid];
	struct figures f = {p, NULL, 0, 0, 0, format == REPORT_TSV ? "" : "n/a"};
	bool ours = memcmp(p->currency, b->currency, 3) == 0;

	for_people = format != REPORT_TSV;
	if (ours && (f.bp = bperiod(b, p->period))) {
		for (size_t i = 0; i < (b->costs ? b->costs->n : 0); i++) {
			f.fixed += f.bp->fixed[i];
			f.variable += f.bp->variable[i];
		}
		f.sales = f.bp->sales;
	}
	for (int k = 0; k < REPORT_BUSINESS_TABLES; k++) {
		sections[k] = names[k];
		report_table_init(&t[k], "", "x", "t");
	}
	if (b->costs && ours) {
		costs_table(b, &f, &t[0]);
		profit_table(&f, &t[1]);
		growth_table(&f, &t[2]);
	}
	if (b->fees && ours)
		whatif_table(b, &f, &t[3]);
	if (dependence_table(s, pid, f.none, &t[4]) != REPORT_OK)
		t[4].failed = true;
	if (ours && refunds_table(b, &f, &t[5]) != REPORT_OK)
		t[5].failed = true;
	if (ours && b->outlook && p->period == b->last_period)
		outlook_tables(b, &f, &t[6]);
	for_people = false;
	return REPORT_BUSINESS_TABLES;
}
