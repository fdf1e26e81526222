/* report_due.c - with the agreements (tally-report --agreements), every
 * payee of an agreement gets a statement each period it is in force, 0.00
 * earned included (report_statements.h). */
#include <string.h>

#include "report_statements.h"

/* Whether payee line `line` is one of agreement a's. */
static bool has_line(const struct split_agreement *a, long line)
{
	for (size_t t = 0; t < a->ntiers; t++)
		for (size_t p = 0; p < a->tiers[t].npayees; p++)
			if (a->tiers[t].payees[p].line == line)
				return true;
	return false;
}

/* Add currency to cur[0..*n) (room for cap) when not there yet. */
static void add_currency(char (*cur)[4], size_t *n, size_t cap, const char *c)
{
	for (size_t i = 0; i < *n; i++)
		if (memcmp(cur[i], c, 4) == 0)
			return;
	if (*n < cap)
		memcpy(cur[(*n)++], c, 4);
}

/* The one currency of the book's accounts, or NULL (none, or several). */
static const char *only_currency(const struct report_book *b)
{
	for (size_t i = 1; i < b->nacc; i++)
		if (memcmp(b->acc[i].currency, b->acc[0].currency, 4) != 0)
			return NULL;
	return b->nacc ? b->acc[0].currency : NULL;
}

/* Make account due from..to (widening what it was). */
static void make_due(struct report_account *a, int64_t from, int64_t to)
{
	if (!a->due || from < a->due_from)
		a->due_from = from;
	if (!a->due || to > a->due_to)
		a->due_to = to;
	a->due = true;
}

int report_book_due(struct report_book *b, const struct split_rules *r, const struct report_due_use *u, size_t n)
{
	const char *only = only_currency(b);
	for (size_t i = 0; i < r->n; i++) {
		const struct split_agreement *a = &r->agreements[i];
		char cur[16][4];
		size_t nc = 0;
		for (size_t k = 0; k < n; k++)
			if (has_line(a, u[k].line))
				add_currency(cur, &nc, 16, u[k].currency);
		for (size_t t = 0; t < a->ntiers; t++)
			if (a->tiers[t].capped)
				add_currency(cur, &nc, 16, a->tiers[t].cap_currency);
		if (nc == 0 && only)
			add_currency(cur, &nc, 16, only);
		int64_t from = a->from == INT64_MIN ? INT64_MIN : period_of(a->from, b->kind).index;
		int64_t to = a->until == INT64_MAX ? INT64_MAX : period_of(a->until - 1, b->kind).index;
		for (size_t t = 0; t < a->ntiers; t++)
			for (size_t p = 0; p < a->tiers[t].npayees; p++) {
				const char *name = a->tiers[t].payees[p].name;
				uint32_t payee, acc;
				if (names_intern(&b->names, name, strlen(name), &payee) < 0)
					return REPORT_ENOMEM;
				for (size_t c = 0; c < nc; c++) {
					if (report_book_account(b, payee, cur[c], &acc) != REPORT_OK)
						return REPORT_ENOMEM;
					make_due(&b->acc[acc], from, to);
				}
			}
	}
	return REPORT_OK;
}
