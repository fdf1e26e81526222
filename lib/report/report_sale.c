/* report_sale.c - the rows of one sale: keys, conversion by running
 * total, grouping for the check (report_sale.h). */
#include "report_sale.h"

#include <stdio.h>
#include <string.h>

#include "money.h"

size_t report_sale_key(char *key, size_t cap, const struct tsv_field *f, const int cols[5])
{
	size_t kl = 0;
	key[0] = '\0';
	for (int i = 0; i < 5; i++)
		if (cols[i] >= 0) {
			kl += (size_t)snprintf(key + kl, cap - kl, "%.*s\t", (int)f[cols[i]].len, f[cols[i]].s);
			if (kl >= cap)
				kl = cap - 1;
		}
	return kl;
}

int report_fx_run_convert(struct report_fx_run *run, const struct fx_table *fx, const char *to,
			  const char *key, size_t key_len, bool groupable, int64_t when, const char *currency,
			  const char *file, int64_t v, int64_t *out)
{
	bool same = groupable && run->open && key_len == run->key_len && memcmp(key, run->key, key_len) == 0 &&
		    run->when == when && memcmp(run->currency, currency, 3) == 0 && run->file == file;
	if (!same) {
		memcpy(run->key, key, key_len);
		run->key_len = key_len;
		run->open = true;
		run->when = when;
		memcpy(run->currency, currency, 3);
		run->currency[3] = '\0';
		run->file = file;
		run->sum = run->sum_converted = 0;
	}
	int64_t sum, converted;
	if (!money_add(run->sum, v, &sum))
		return 1;
	int rc = fx_convert(fx, sum, currency, to, when, &converted);
	if (rc != FX_OK)
		return rc;
	*out = converted - run->sum_converted; /* both within range: no overflow */
	run->sum = sum;
	run->sum_converted = converted;
	return FX_OK;
}

bool report_sale_group_continues(const struct report_sale_group *g, bool groupable, const char *key,
				 size_t key_len, int64_t period, const char *currency, const char *file)
{
	return groupable && g->open && key_len == g->key_len && memcmp(key, g->key, key_len) == 0 &&
	       g->period == period && memcmp(g->currency, currency, 3) == 0 && g->file == file;
}

void report_sale_group_start(struct report_sale_group *g, const char *key, size_t key_len, int64_t net,
			     long line, const char *file, int64_t period, const char *currency)
{
	g->open = true;
	memcpy(g->key, key, key_len);
	g->key_len = key_len;
	g->net = net;
	g->sum = 0;
	g->first_line = line;
	g->last_line = line;
	g->file = file;
	g->period = period;
	memcpy(g->currency, currency, 3);
	g->currency[3] = '\0';
	g->digits = currency_digits(currency, 3);
}
