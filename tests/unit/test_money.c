/* test_money.c - unit tests of exact money (lib/core/money.c) and the ISO 4217
 * table (lib/core/currency.c).
 *
 * Plan: currency digits for every unusual code and the size of the table;
 * strict parsing (happy cases, every rejected form, the int64 edges);
 * formatting for exponents 0, 2, 3, 4 and sub-minor values; format/parse
 * round trip over random amounts; checked add/sub/muldiv with their
 * overflow edges and half-even rounding; round_payable for both signs and
 * several exponents; ratio parse/add/cmp/format. */
#include <stdlib.h>

#include "money.h"
#include "tap.h"

/* ---- currency table ------------------------------------------------ */

static void test_currency_digits(void)
{
	static const struct {
		const char *code;
		int digits;
	} cases[] = {
		{"USD", 2}, {"EUR", 2}, {"GBP", 2}, {"CHF", 2}, {"HUF", 2}, {"TWD", 2},
		{"JPY", 0}, {"KRW", 0}, {"ISK", 0}, {"CLP", 0}, {"VND", 0}, {"UGX", 0},
		{"XAF", 0}, {"XOF", 0}, {"XPF", 0}, {"BIF", 0}, {"DJF", 0}, {"GNF", 0},
		{"KMF", 0}, {"PYG", 0}, {"RWF", 0}, {"VUV", 0}, {"UYI", 0},
		{"BHD", 3}, {"IQD", 3}, {"JOD", 3}, {"KWD", 3}, {"LYD", 3}, {"OMR", 3},
		{"TND", 3}, {"CLF", 4}, {"UYW", 4},
		/* recent additions */
		{"SLE", 2}, {"VED", 2}, {"VES", 2}, {"ZWG", 2}, {"XCG", 2}, {"XAD", 2},
		{"AED", 2}, {"ZMW", 2}, /* first and (nearly) last in the table */
		/* withdrawn lately but still in older exports; then codes without a
		 * minor unit, or not codes at all */
		{"ANG", 2}, {"BGN", 2}, {"CUC", 2}, {"HRK", 2}, {"SLL", 2},
		{"ZWL", 2}, {"XAU", -1}, {"XAG", -1}, {"XDR", -1}, {"XXX", -1},
		{"XTS", -1}, {"usd", -1}, {"Usd", -1}, {"ABC", -1}, {"AAA", -1},
		{"ZZZ", -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		tap_is_int(currency_digits(cases[i].code, 3), cases[i].digits,
			   "currency_digits(%s)", cases[i].code);
	tap_is_int(currency_digits("USDX", 4), -1, "currency_digits: 4 letters");
	tap_is_int(currency_digits("USD", 2), -1, "currency_digits: 2 letters");
	tap_is_int(currency_digits("", 0), -1, "currency_digits: empty");
	tap_is_int(currency_digits("USD,EUR", 3), 2, "currency_digits reads only len bytes");

	/* Every three-letter code: counts per exponent.  An entry out of
	 * order would make bsearch miss codes and change these counts. */
	int count[5] = {0}, total = 0;
	char code[3];
	for (code[0] = 'A'; code[0] <= 'Z'; code[0]++)
		for (code[1] = 'A'; code[1] <= 'Z'; code[1]++)
			for (code[2] = 'A'; code[2] <= 'Z'; code[2]++) {
				int d = currency_digits(code, 3);
				if (d >= 0 && d <= 4) {
					count[d]++;
					total++;
				}
			}
	tap_is_int(total, 171, "165 active codes and 6 lately withdrawn found by lookup");
	tap_is_int(count[0], 17, "17 codes with no minor unit");
	tap_is_int(count[2], 145, "145 codes with 2 digits");
	tap_is_int(count[3], 7, "7 codes with 3 digits");
	tap_is_int(count[4], 2, "2 codes with 4 digits");
}

/* ---- parsing ------------------------------------------------------- */

static void test_parse(void)
{
	static const struct {
		const char *text;
		int status;
		int64_t micros;
	} cases[] = {
		{"0", MONEY_OK, 0},
		{"12", MONEY_OK, 12000000},
		{"12.50", MONEY_OK, 12500000},
		{"-0.0031", MONEY_OK, -3100},
		{"+1", MONEY_OK, 1000000},
		{"-0", MONEY_OK, 0},
		{"007", MONEY_OK, 7000000},
		{"1200", MONEY_OK, 1200000000},
		{"999999999999", MONEY_OK, 999999999999000000}, /* the longest plain-digit fast path */
		{"000000000000", MONEY_OK, 0},
		{"9223372036854", MONEY_OK, 9223372036854000000}, /* 13 digits: the general path */
		{"1.250", MONEY_OK, 1250000},
		{"1.2345", MONEY_OK, 1234500},
		{"0.000001", MONEY_OK, 1},
		{"-0.000001", MONEY_OK, -1},
		{"0.999999", MONEY_OK, 999999},
		{"9223372036854.775807", MONEY_OK, INT64_MAX},
		{"-9223372036854.775807", MONEY_OK, -INT64_MAX},
		{"9223372036854.775808", MONEY_ERANGE, 0},
		{"-9223372036854.775808", MONEY_ERANGE, 0}, /* INT64_MIN is out */
		{"9223372036855", MONEY_ERANGE, 0},
		{"99999999999999999999999999999999999999999", MONEY_ERANGE, 0},
		{"1.1234567", MONEY_EPRECISION, 0},
		{"1.0000000", MONEY_EPRECISION, 0},
		{"0.00000000000000000000001", MONEY_EPRECISION, 0},
		{"", MONEY_ESYNTAX, 0},
		{"-", MONEY_ESYNTAX, 0},
		{"+", MONEY_ESYNTAX, 0},
		{".5", MONEY_ESYNTAX, 0},
		{"-.5", MONEY_ESYNTAX, 0},
		{"1.", MONEY_ESYNTAX, 0},
		{"1,234", MONEY_ESYNTAX, 0},
		{"1,5", MONEY_ESYNTAX, 0},
		{"1 234", MONEY_ESYNTAX, 0},
		{"1'234", MONEY_ESYNTAX, 0},
		{"1_234", MONEY_ESYNTAX, 0},
		{"$1", MONEY_ESYNTAX, 0},
		{"1\xe2\x82\xac", MONEY_ESYNTAX, 0}, /* 1€ */
		{"USD 1", MONEY_ESYNTAX, 0},
		{" 1", MONEY_ESYNTAX, 0},
		{"1 ", MONEY_ESYNTAX, 0},
		{"\t1", MONEY_ESYNTAX, 0},
		{"1e3", MONEY_ESYNTAX, 0},
		{"0x10", MONEY_ESYNTAX, 0},
		{"--1", MONEY_ESYNTAX, 0},
		{"+-1", MONEY_ESYNTAX, 0},
		{"1-", MONEY_ESYNTAX, 0},
		{"1.2.3", MONEY_ESYNTAX, 0},
		{"(1.00)", MONEY_ESYNTAX, 0},
		{"1.12345x", MONEY_ESYNTAX, 0},
		{"1.1234567x", MONEY_ESYNTAX, 0},
		{"NaN", MONEY_ESYNTAX, 0},
		{"inf", MONEY_ESYNTAX, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t got = 42;
		int status = money_parse(cases[i].text, strlen(cases[i].text), &got);
		tap_is_int(status, cases[i].status, "money_parse(\"%s\") status", cases[i].text);
		if (cases[i].status == MONEY_OK)
			tap_is_int(got, cases[i].micros, "money_parse(\"%s\") value", cases[i].text);
		else
			tap_is_int(got, 42, "money_parse(\"%s\") leaves *out alone", cases[i].text);
	}
	int64_t got = 0;
	tap_is_int(money_parse("12.50\t3", 5, &got), MONEY_OK, "parse reads only len bytes");
	tap_is_int(got, 12500000, "parse of a field inside a line");
	tap_is_int(money_parse("1\0" "2", 3, &got), MONEY_ESYNTAX, "an embedded NUL is an error");
}

static void test_strerror(void)
{
	tap_is_str(money_strerror(MONEY_ESYNTAX), "is not an amount", "strerror syntax");
	tap_is_str(money_strerror(MONEY_EPRECISION), "has more than 6 decimals",
		   "strerror precision");
	tap_is_str(money_strerror(MONEY_ERANGE), "is too large", "strerror range");
}

/* ---- formatting ---------------------------------------------------- */

static void test_format(void)
{
	static const struct {
		int64_t micros;
		int digits;
		const char *text;
	} cases[] = {
		/* exponent 2 */
		{12500000, 2, "12.50"},
		{3100, 2, "0.0031"},
		{0, 2, "0.00"},
		{-5000000, 2, "-5.00"},
		{1, 2, "0.000001"},
		{-1, 2, "-0.000001"},
		{10000, 2, "0.01"},
		{12345000, 2, "12.345"},
		/* exponent 0 */
		{1200000000, 0, "1200"},
		{0, 0, "0"},
		{500000, 0, "0.5"},
		{-1200000000, 0, "-1200"},
		{1000001, 0, "1.000001"},
		/* exponent 3 */
		{-1250000, 3, "-1.250"},
		{1250000, 3, "1.250"},
		{1000, 3, "0.001"},
		{100, 3, "0.0001"},
		{7000000, 3, "7.000"},
		/* exponent 4 */
		{1234500, 4, "1.2345"},
		{1234560, 4, "1.23456"},
		{1000000, 4, "1.0000"},
		{100, 4, "0.0001"},
		{10, 4, "0.00001"},
		/* exponent 6 and out-of-range exponents */
		{5000000, 6, "5.000000"},
		{5000000, 9, "5.000000"},
		{5000000, -1, "5"},
		/* the edges */
		{INT64_MAX, 2, "9223372036854.775807"},
		{-INT64_MAX, 0, "-9223372036854.775807"},
		{INT64_MIN, 2, "-9223372036854.775808"},
		{999999999999000000, 2, "999999999999.00"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[MONEY_BUF];
		memset(buf, 'x', sizeof buf);
		size_t n = money_format(buf, cases[i].micros, cases[i].digits);
		tap_is_str(buf, cases[i].text, "money_format(%" PRId64 ", %d)", cases[i].micros,
			   cases[i].digits);
		tap_is_int(n, strlen(cases[i].text), "money_format(%" PRId64 ", %d) length",
			   cases[i].micros, cases[i].digits);
	}
	static const struct {
		int64_t micros;
		int digits;
		const char *text;
	} minor[] = {
		{485767846, 2, "485.77"}, {14225000, 2, "14.22"}, {55775000, 2, "55.78"}, {-324083333, 2, "-324.08"},
		{-14225000, 2, "-14.22"}, {500000, 0, "0"}, {1500000, 0, "2"}, {1234567, 3, "1.235"},
		{1234567, 6, "1.234567"}, {INT64_MAX, 2, "9223372036854.775807"},
	};
	for (size_t i = 0; i < sizeof minor / sizeof minor[0]; i++) {
		char buf[MONEY_BUF];
		money_format_minor(buf, minor[i].micros, minor[i].digits);
		tap_is_str(buf, minor[i].text, "money_format_minor(%" PRId64 ", %d)", minor[i].micros, minor[i].digits);
	}
	char buf[MONEY_BUF];
	money_format(buf, 1200000000, currency_digits("JPY", 3));
	tap_is_str(buf, "1200", "JPY 1200");
	money_format(buf, 1250000, currency_digits("KWD", 3));
	tap_is_str(buf, "1.250", "KWD 1.250");
	money_format(buf, 12500000, currency_digits("USD", 3));
	tap_is_str(buf, "12.50", "USD 12.50");
	money_format(buf, 10000, currency_digits("CLF", 3));
	tap_is_str(buf, "0.0100", "CLF 0.0100");
}

/* A random amount: any magnitude from 1 to 63 bits, either sign. */
static int64_t random_amount(void)
{
	unsigned bits = (unsigned)(tap_rand() % 63) + 1;
	int64_t v = (int64_t)(tap_rand() >> (64 - bits));
	return tap_rand() & 1 ? -v : v;
}

static void test_round_trip(void)
{
	static const int exponents[] = {0, 2, 3, 4, 6};
	int failures = 0;
	for (int i = 0; i < 20000; i++) {
		int64_t v = random_amount(), back = 0;
		int digits = exponents[i % 5];
		char buf[MONEY_BUF];
		size_t n = money_format(buf, v, digits);
		if (money_parse(buf, n, &back) != MONEY_OK || back != v) {
			if (failures++ == 0)
				printf("# %" PRId64 " (%d) -> \"%s\" -> %" PRId64 "\n", v, digits, buf,
				       back);
		}
	}
	tap_is_int(failures, 0, "format then parse gives back 20000 random amounts");
}

/* ---- arithmetic ---------------------------------------------------- */

static void test_add_sub(void)
{
	int64_t out = 42;
	tap_ok(money_add(1, 2, &out) && out == 3, "1 + 2");
	tap_ok(money_add(INT64_MAX - 1, 1, &out) && out == INT64_MAX, "add up to the edge");
	out = 42;
	tap_ok(!money_add(INT64_MAX, 1, &out) && out == 42, "add overflow, *out untouched");
	tap_ok(!money_add(INT64_MAX, INT64_MAX, &out), "add overflow, both large");
	tap_ok(money_add(-INT64_MAX + 1, -1, &out) && out == -INT64_MAX, "add down to the edge");
	tap_ok(!money_add(-INT64_MAX, -1, &out), "add to INT64_MIN is out of range");
	tap_ok(money_add(INT64_MAX, -INT64_MAX, &out) && out == 0, "add opposite edges");
	tap_ok(money_sub(5, 7, &out) && out == -2, "5 - 7");
	tap_ok(money_sub(0, INT64_MAX, &out) && out == -INT64_MAX, "0 - max");
	tap_ok(!money_sub(-INT64_MAX, 1, &out), "sub underflow");
	tap_ok(!money_sub(INT64_MAX, -1, &out), "sub overflow");
	tap_ok(!money_sub(1, -INT64_MAX, &out), "sub overflow, large negative");
}

static void test_muldiv(void)
{
	static const struct {
		int64_t a, num, den;
		bool ok;
		int64_t want;
		const char *what;
	} cases[] = {
		{10000000, 3, 2, true, 15000000, "exact"},
		{12500000, 9215, 10000, true, 11518750, "USD 12.50 at 0.9215"},
		{5, 1, 2, true, 2, "2.5 rounds to 2"},
		{7, 1, 2, true, 4, "3.5 rounds to 4"},
		{-5, 1, 2, true, -2, "-2.5 rounds to -2"},
		{-7, 1, 2, true, -4, "-3.5 rounds to -4"},
		{10, 1, 3, true, 3, "3.33 rounds to 3"},
		{20, 1, 3, true, 7, "6.67 rounds to 7"},
		{-20, 1, 3, true, -7, "-6.67 rounds to -7"},
		{3, 1, 4, true, 1, "0.75 rounds to 1"},
		{1, 1, 4, true, 0, "0.25 rounds to 0"},
		{5, -1, 2, true, -2, "negative rate"},
		{INT64_MAX, 2, 2, true, INT64_MAX, "max * 2 / 2"},
		{INT64_MAX, INT64_MAX, INT64_MAX, true, INT64_MAX, "max * max / max"},
		{-INT64_MAX, INT64_MAX, INT64_MAX, true, -INT64_MAX, "-max * max / max"},
		{INT64_MAX, 3, 2, false, 0, "max * 3 / 2 overflows"},
		{INT64_MAX, INT64_MAX, 1, false, 0, "max * max overflows"},
		{-INT64_MAX, 2, 1, false, 0, "-max * 2 overflows"},
		{INT64_MAX, -INT64_MAX, INT64_MAX - 1, false, 0, "just past -max"},
		{1, 1, 0, false, 0, "zero denominator"},
		{1, 1, -1, false, 0, "negative denominator"},
		{INT64_MIN / 2, 2, 1, false, 0, "exactly INT64_MIN is out of range"},
		{INT64_MIN / 2, 2, 2, true, INT64_MIN / 2, "INT64_MIN / 2 in 128 bits"},
		{INT64_MAX, 1, INT64_MAX - 1, true, 1, "a remainder of 1 over a huge divisor"},
		{INT64_MAX / 2 + 1, 1, INT64_MAX, true, 1, "half of a huge odd divisor rounds up"},
		{INT64_MAX / 2, 1, INT64_MAX, true, 0, "just under half rounds down"},
		{15, 1, 10, true, 2, "1.5 rounds to 2"},
		{25, 1, 10, true, 2, "2.5 rounds to 2"},
		{-25, 1, 10, true, -2, "-2.5 rounds to -2"},
		{-35, 1, 10, true, -4, "-3.5 rounds to -4"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t out = 42;
		bool ok = money_muldiv(cases[i].a, cases[i].num, cases[i].den, &out);
		tap_is_int(ok, cases[i].ok, "muldiv %s: status", cases[i].what);
		tap_is_int(out, cases[i].ok ? cases[i].want : 42, "muldiv %s: value", cases[i].what);
	}
}

/* The 64-bit fast path agrees with the 128-bit one: products just below
 * and above 2^63, every sign, rounding both ways. */
__extension__ typedef __int128 i128;

static void test_muldiv_paths(void)
{
	uint64_t x = 88172645463325252ULL;
	int bad = 0;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int64_t a = (int64_t)(x >> (i % 40)) * (i % 2 ? -1 : 1);
		int64_t num = (int64_t)(x % 4000000) - 2000000, den = (int64_t)(x % 999983) + 1, got = 0;
		bool ok = money_muldiv(a, num, den, &got);
		i128 p = (i128)a * num, q = p / den, r = p % den, tw = r < 0 ? -2 * r : 2 * r;
		if (tw > den || (tw == den && q % 2 != 0))
			q += p < 0 ? -1 : 1;
		bool want_ok = q >= -(i128)INT64_MAX && q <= INT64_MAX;
		bad += ok != want_ok || (ok && got != (int64_t)q);
	}
	tap_is_int(bad, 0, "muldiv: 20000 random cases agree with 128-bit arithmetic");
}

static void test_format_int(void)
{
	char buf[32];
	static const struct {
		int64_t v;
		const char *want;
	} cases[] = {{0, "0"}, {7, "7"}, {-7, "-7"}, {1234567890, "1234567890"},
		     {INT64_MAX, "9223372036854775807"}, {INT64_MIN, "-9223372036854775808"}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = money_format_int(buf, cases[i].v);
		tap_ok(strcmp(buf, cases[i].want) == 0, "format_int %s: got %s", cases[i].want, buf);
		tap_is_int((long long)n, (long long)strlen(cases[i].want), "format_int %s: length", cases[i].want);
	}
}

static void test_round_payable(void)
{
	static const struct {
		int64_t balance;
		int digits;
		int64_t payable, residue;
	} cases[] = {
		{12345678, 2, 12340000, 5678},
		{-12345678, 2, -12340000, -5678},
		{12340000, 2, 12340000, 0},
		{9999, 2, 0, 9999},
		{-9999, 2, 0, -9999},
		{10000, 2, 10000, 0},
		{0, 2, 0, 0},
		{1999999, 0, 1000000, 999999},
		{-1999999, 0, -1000000, -999999},
		{999999, 0, 0, 999999},
		{1234567, 3, 1234000, 567},
		{-1234567, 3, -1234000, -567},
		{1234567, 4, 1234500, 67},
		{1234567, 6, 1234567, 0},
		{INT64_MAX, 2, 9223372036854770000, 5807},
		{-INT64_MAX, 0, -9223372036854000000, -775807},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t payable = 42, residue = 42;
		money_round_payable(cases[i].balance, cases[i].digits, &payable, &residue);
		tap_ok(payable == cases[i].payable && residue == cases[i].residue,
		       "round_payable(%" PRId64 ", %d) = %" PRId64 " + %" PRId64, cases[i].balance,
		       cases[i].digits, cases[i].payable, cases[i].residue);
	}
	int failures = 0;
	for (int i = 0; i < 10000; i++) {
		int64_t balance = random_amount(), payable, residue;
		int digits = (int)(tap_rand() % 7);
		int64_t unit = 1;
		for (int d = digits; d < 6; d++)
			unit *= 10;
		money_round_payable(balance, digits, &payable, &residue);
		bool good = payable + residue == balance && payable % unit == 0 &&
			    residue > -unit && residue < unit &&
			    (residue == 0 || (residue < 0) == (balance < 0)) &&
			    (payable == 0 || (payable < 0) == (balance < 0));
		failures += !good;
	}
	tap_is_int(failures, 0, "round_payable: 10000 random balances lose nothing");
}

/* ---- ratios -------------------------------------------------------- */

static void test_ratio_parse(void)
{
	static const struct {
		const char *text;
		int status;
		int64_t num, den;
	} cases[] = {
		{"15%", 0, 3, 20},
		{"12.5%", 0, 1, 8},
		{"100%", 0, 1, 1},
		{"0%", 0, 0, 1},
		{"1/3", 0, 1, 3},
		{"2/4", 0, 1, 2},
		{"0/5", 0, 0, 1},
		{"0.25", 0, 1, 4},
		{"2", 0, 2, 1},
		{"0", 0, 0, 1},
		{"0.333333333333", 0, 333333333333, 1000000000000},
		{"0.000000000001%", 0, 1, 100000000000000},
		{"9223372036854775807", 0, INT64_MAX, 1},
		{"1/9223372036854775807", 0, 1, INT64_MAX},
		{"9223372036854775808", -1, 0, 0},
		{"1/9223372036854775808", -1, 0, 0},
		{"0.1234567890123", -1, 0, 0}, /* 13 decimals */
		{"-1", -1, 0, 0},
		{"+1", -1, 0, 0},
		{"1/0", -1, 0, 0},
		{"abc", -1, 0, 0},
		{"%", -1, 0, 0},
		{"1//2", -1, 0, 0},
		{"", -1, 0, 0},
		{"1/", -1, 0, 0},
		{"/2", -1, 0, 0},
		{".5", -1, 0, 0},
		{"1.", -1, 0, 0},
		{"15 %", -1, 0, 0},
		{"15%%", -1, 0, 0},
		{"1.5/2", -1, 0, 0},
		{"1/3%", -1, 0, 0},
		{"-1/3", -1, 0, 0},
		{"1/-3", -1, 0, 0},
		{" 1", -1, 0, 0},
		{"1,5", -1, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ratio r = {42, 42};
		int status = ratio_parse(cases[i].text, strlen(cases[i].text), &r);
		if (cases[i].status == 0)
			tap_ok(status == 0 && r.num == cases[i].num && r.den == cases[i].den,
			       "ratio_parse(\"%s\") = %" PRId64 "/%" PRId64, cases[i].text,
			       cases[i].num, cases[i].den);
		else
			tap_is_int(status, -1, "ratio_parse(\"%s\") fails", cases[i].text);
	}
}

static void test_ratio_format(void)
{
	static const struct {
		int64_t num, den;
		const char *text;
	} cases[] = {
		{15, 100, "0.15"},    {1, 3, "0.333333"}, {2, 3, "0.666667"}, {2, 1, "2"},
		{0, 1, "0"},          {1, 8, "0.125"},    {1, 2000000, "0"},  {3, 2000000, "0.000002"},
		{5, 2000000, "0.000002"}, {INT64_MAX, 1, "9223372036854775807"},
		{1, INT64_MAX, "0"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[64];
		size_t n = ratio_format(buf, sizeof buf, (struct ratio){cases[i].num, cases[i].den});
		tap_ok(strcmp(buf, cases[i].text) == 0 && n == strlen(cases[i].text),
		       "ratio_format(%" PRId64 "/%" PRId64 ") = %s (got %s)", cases[i].num,
		       cases[i].den, cases[i].text, buf);
	}
	char small[3];
	size_t n = ratio_format(small, sizeof small, (struct ratio){1, 3});
	tap_ok(n == 8 && strcmp(small, "0.") == 0, "ratio_format truncates like snprintf");
}

int main(void)
{
	test_currency_digits();
	test_parse();
	test_strerror();
	test_format();
	test_round_trip();
	test_add_sub();
	test_muldiv();
	test_muldiv_paths();
	test_format_int();
	test_round_payable();
	test_ratio_parse();
	test_ratio_format();
	return tap_done();
}
