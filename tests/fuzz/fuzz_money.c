/* fuzz_money.c - money, amounts, ratios, dates and periods: any text is
 * parsed without a memory error or overflow, and what parses formats back
 * to text that parses to the same value. */
#include <string.h>

#include "date.h"
#include "fuzz.h"
#include "ingest_amount.h"
#include "ingest_date.h"
#include "money.h"

static void money_round_trip(const char *s, size_t n)
{
	int64_t v, w;
	char buf[64];
	if (money_parse(s, n, &v) != 0)
		return;
	size_t k = money_format(buf, v, 6);
	FUZZ_CHECK(money_parse(buf, k, &w) == 0 && w == v);
	for (int digits = 0; digits <= 3; digits++) {
		int64_t pay, res;
		money_round_payable(v, digits, &pay, &res);
		FUZZ_CHECK(pay + res == v);
	}
}

static void date_round_trip(const char *s, size_t n)
{
	int64_t t, u;
	bool has_time;
	char buf[DATE_BUF];
	if (date_parse_ex(s, n, &t, &has_time) != 0)
		return;
	size_t k = date_format_time(buf, t);
	FUZZ_CHECK(date_parse(buf, k, &u) == 0 && u == t);
}

static void period_round_trip(const char *s, size_t n)
{
	struct period p, q;
	char buf[64];
	if (period_parse(s, n, &p) != 0)
		return;
	size_t k = period_format(buf, p);
	FUZZ_CHECK(period_parse(buf, k, &q) == 0 && period_diff(p, q) == 0);
	(void)period_start(p);
	(void)period_end(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *a, *b;
	size_t alen, blen;
	fuzz_split(data, size, &a, &alen, &b, &blen);
	/* The parsers take (pointer, length): give them an exact-size copy,
	 * so that a read past the length is seen by ASan. */
	char *s = malloc(alen ? alen : 1);
	FUZZ_CHECK(s);
	memcpy(s, a, alen);

	money_round_trip(s, alen);
	date_round_trip(s, alen);
	period_round_trip(s, alen);
	struct ratio q;
	char rbuf[128];
	if (ratio_parse(s, alen, &q) == 0)
		(void)ratio_format(rbuf, sizeof rbuf, q);
	int64_t micros, rounding, i;
	char code[4];
	(void)ingest_amount_parse(s, alen, '.', &micros, &rounding, code);
	(void)ingest_amount_parse(s, alen, ',', &micros, &rounding, code);
	(void)ingest_int_parse(s, alen, &i);
	int tz;
	(void)ingest_tz_parse(s, alen, &tz);
	/* the part after a NUL is a date layout for the text before it */
	if (blen > 0) {
		char *fmt = malloc(blen + 1);
		FUZZ_CHECK(fmt);
		memcpy(fmt, b, blen);
		fmt[blen] = '\0';
		int64_t t;
		(void)ingest_date_parse(fmt, s, alen, 0, &t);
		(void)ingest_date_parse(fmt, s, alen, -840, &t);
		free(fmt);
	}
	free(s);
	return 0;
}
