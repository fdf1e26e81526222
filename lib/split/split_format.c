/* split_format.c - the text tally-split writes beside the money (share,
 * percentages, --waterfall columns, the default payee's columns, the note
 * on fraction-like weights); contracts in split_format.h. */
#include "split_format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t split_format_share(char *buf, int64_t amount, int64_t basis)
{
	__extension__ typedef unsigned __int128 u128;
	u128 a = (u128)(amount < 0 ? -(u128)amount : (u128)amount);
	u128 b = (u128)(basis < 0 ? -(u128)basis : (u128)basis);
	u128 q = a * 1000000 / b, rem = a * 1000000 % b;
	if (2 * rem > b || (2 * rem == b && (q & 1)))
		q++;
	unsigned long long whole = (unsigned long long)(q / 1000000);
	unsigned frac = (unsigned)(q % 1000000);
	/* by hand, not snprintf: this runs for every output row */
	char rev[24];
	size_t n = 0, k = 0;
	do
		rev[k++] = (char)('0' + whole % 10);
	while ((whole /= 10) > 0);
	while (k > 0)
		buf[n++] = rev[--k];
	if (frac) {
		buf[n++] = '.';
		for (int d = 5; d >= 0; d--, frac /= 10) /* six digits, then trim zeros */
			buf[n + (size_t)d] = (char)('0' + frac % 10);
		n += 6;
		while (buf[n - 1] == '0')
			n--;
	}
	buf[n] = '\0';
	return n;
}

const char *split_percent(char *buf, size_t cap, struct ratio r)
{
	__extension__ __int128 num = (__int128)r.num * 100;
	if (num > INT64_MAX)
		return ratio_format(buf, cap, r), buf;
	size_t n = ratio_format(buf, cap - 1, (struct ratio){(int64_t)num, r.den});
	buf[n] = '%';
	buf[n + 1] = '\0';
	return buf;
}

const char *split_on_name(enum split_on on)
{
	switch (on) {
	case SPLIT_ON_ALL: return "everything";
	case SPLIT_ON_KIND: return "kind";
	case SPLIT_ON_SOURCE: return "source";
	case SPLIT_ON_PRODUCT: return "product";
	default: return "sku";
	}
}

void split_waterfall_caps(const struct split_agreement *a, const struct split_step *steps,
			  struct split_waterfall *wf)
{
	size_t used = 0;
	wf->recoupment[0] = '\0';
	for (size_t u = 0; u < a->ntiers; u++) {
		const struct split_tier *tier = &a->tiers[u];
		if (!tier->capped)
			continue;
		int cd = currency_digits(tier->cap_currency, 3);
		char cap[MONEY_BUF], got[MONEY_BUF];
		money_format(cap, tier->cap, cd);
		money_format(got, steps[u].cap_after, cd);
		used += (size_t)snprintf(wf->recoupment + used, sizeof wf->recoupment - used, "%s%ld:%s:%s:%s",
					 used ? "," : "", tier->line, cap, tier->cap_currency, got);
	}
}

void split_waterfall_of(const struct split_agreement *a, const struct split_step *steps,
			const struct split_part *part, struct split_waterfall *wf)
{
	size_t t = (size_t)(part->tier - a->tiers);
	wf->reached = steps[t].flow;
	wf->commission = wf->recouped = 0;
	for (size_t u = 0; u < t; u++)
		*(a->tiers[u].capped ? &wf->recouped : &wf->commission) += steps[u].take;
}

char *split_default_prefix(const char *payee, size_t *len)
{
	char *prefix = malloc(strlen(payee) * 2 + 32);
	if (!prefix)
		return NULL;
	char *p = prefix;
	*p++ = '\t';
	for (const char *s = payee; *s; s++) { /* escaped as tsv.h does */
		const char *esc = *s == '\t' ? "\\t" : *s == '\n' ? "\\n" : *s == '\r' ? "\\r" : *s == '\\' ? "\\\\" : NULL;
		if (esc) {
			memcpy(p, esc, 2);
			p += 2;
		} else {
			*p++ = *s;
		}
	}
	memcpy(p, "\t1\tdefault\t", 12);
	*len = (size_t)(p - prefix) + 11;
	return prefix;
}

const char *split_fraction_note(const struct split_tier *tier, char *buf, size_t cap)
{
	char sum[64], parts[512];
	size_t used = 0;
	ratio_format(sum, sizeof sum, tier->weight_sum);
	parts[0] = '\0';
	for (size_t p = 0; p < tier->npayees && used < sizeof parts; p++) {
		const struct split_payee *pay = &tier->payees[p];
		/* share / sum as a percentage with 6 decimals, in integers
		 * (money_format writes millionths without trailing zeros) */
		int64_t of_whole, pct;
		char num[MONEY_BUF] = "?";
		if (money_muldiv(100 * MONEY_SCALE, pay->share.num, pay->share.den, &of_whole) &&
		    money_muldiv(of_whole, tier->weight_sum.den, tier->weight_sum.num, &pct))
			money_format(num, pct, 0);
		used += (size_t)snprintf(parts + used, sizeof parts - used, "%s%s %s%%", p ? ", " : "", pay->name, num);
	}
	snprintf(buf, cap,
		 "tier %ld: weights below 1 that sum to %s, not 1, are divided in proportion (%s); "
		 "if they are fractions of the whole, write percentages that total 100%%",
		 tier->number, sum, parts);
	return buf;
}
