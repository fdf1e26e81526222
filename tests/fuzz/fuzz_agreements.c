/* fuzz_agreements.c - the agreements language: any text parses or is
 * refused without a memory error; an accepted file splits sample rows
 * into parts that sum exactly to the basis (never SPLIT_EINTERNAL). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "money.h"
#include "split_rules.h"

static const struct split_row samples[] = {
	{"gumroad", "Lanterns (vinyl LP)", "LP-1", "sale", 1790000000},
	{"bandcamp", "Lanterns", "", "refund", 1790000000},
	{"etsy", "Tour poster", "P-2", "sale", 0},
	{"", "", "", "", 4102444800},
};
static const int64_t bases[] = {10000000, -2500000, 1, 0, 9223372036854775807LL / 4};

static void split_samples(struct split_rules *r)
{
	struct split_part *parts = calloc(r->max_payees + 1, sizeof *parts);
	FUZZ_CHECK(parts);
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		const struct split_agreement *a, *other;
		if (split_find(r, &samples[i], &a, &other) != SPLIT_OK)
			continue;
		for (size_t k = 0; k < sizeof bases / sizeof bases[0]; k++) {
			size_t n = 0;
			int st = split_apply(r, a, bases[k], "USD", samples[i].when, NULL, parts, &n, NULL);
			FUZZ_CHECK(st != SPLIT_EINTERNAL);
			if (st != SPLIT_OK)
				continue;
			int64_t sum = 0;
			for (size_t p = 0; p < n; p++)
				FUZZ_CHECK(money_add(sum, parts[p].amount, &sum));
			FUZZ_CHECK(sum == bases[k]);
		}
	}
	free(parts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct split_rules r;
	long line;
	char err[512];
	char *text = malloc(size ? size : 1);
	FUZZ_CHECK(text);
	memcpy(text, data, size);
	memset(&r, 0, sizeof r);
	if (split_rules_parse(&r, "fuzz", text, size, &line, err, sizeof err) == SPLIT_OK)
		split_samples(&r);
	split_rules_free(&r);
	free(text);
	return 0;
}
