/* ingest_amount.c - platform money text to exact micro-units (see
 * ingest_amount.h).  The number is read as a decimal digit string and a
 * scale, in 128-bit integers; no floating point is involved. */
#include "ingest_amount.h"

#include <stdbool.h>
#include <string.h>

#include "money.h"

__extension__ typedef __int128 i128;

/* Currency symbols, longest first where one is a prefix of another. */
static const char *const symbols[] = {
	"US$", "CA$", "AU$", "NZ$", "HK$", "C$", "A$", "S$", "R$", "$",
	"\xc2\xa3",     /* £ */
	"\xe2\x82\xac", /* € */
	"\xc2\xa5",     /* ¥ */
	"\xe2\x82\xb9", /* ₹ */
	"\xe2\x82\xa9", /* ₩ */
	"\xe2\x82\xbd", /* ₽ */
	"\xe2\x82\xba", /* ₺ */
	"\xe2\x82\xaa", /* ₪ */
	"\xe2\x82\xb1", /* ₱ */
	"\xe0\xb8\xbf", /* ฿ */
	"z\xc5\x82",    /* zł */
	"kr",
};

struct cursor {
	const char *p, *end;
};

static bool at(struct cursor *c, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(c->end - c->p) >= n && memcmp(c->p, lit, n) == 0) {
		c->p += n;
		return true;
	}
	return false;
}

/* Skip ASCII spaces, NBSP (U+00A0) and narrow NBSP (U+202F). */
static void skip_spaces(struct cursor *c)
{
	while (c->p < c->end) {
		unsigned char ch = (unsigned char)*c->p;
		if (ch == ' ' || ch == '\t')
			c->p++;
		else if (ch < 0x80 || (!at(c, "\xc2\xa0") && !at(c, "\xe2\x80\xaf")))
			return;
	}
}

static bool take_symbol(struct cursor *c)
{
	if (c->p >= c->end || (*c->p >= '0' && *c->p <= '9'))
		return false;
	for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++)
		if (at(c, symbols[i]))
			return true;
	return false;
}

/* Three upper-case letters forming an active ISO 4217 code. */
static bool take_code(struct cursor *c, char code[4])
{
	if (c->end - c->p < 3 || c->p[0] < 'A' || c->p[0] > 'Z')
		return false;
	for (int i = 0; i < 3; i++)
		if (c->p[i] < 'A' || c->p[i] > 'Z')
			return false;
	if (c->end - c->p > 3 && ((c->p[3] >= 'A' && c->p[3] <= 'Z') || (c->p[3] >= '0' && c->p[3] <= '9')))
		return false;
	if (currency_digits(c->p, 3) < 0)
		return false;
	if (code) {
		memcpy(code, c->p, 3);
		code[3] = '\0';
	}
	c->p += 3;
	return true;
}

static int take_sign(struct cursor *c)
{
	if (at(c, "-") || at(c, "\xe2\x88\x92"))
		return -1;
	if (at(c, "+"))
		return 1;
	return 0;
}

static bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* m = m * 10 + d, unless m is already far beyond any int64_t amount: then
 * *big is set and m stops growing (so it never overflows 128 bits). */
static void push_digit(i128 *m, int d, bool *big)
{
	if (*m > ((i128)1 << 100))
		*big = true;
	else
		*m = *m * 10 + d;
}

/* The number itself: digits with optional grouping, decimal part and
 * exponent.  Sets *mant and *scale (value = mant / 10^scale).  Returns an
 * ingest_amount_status. */
static int take_number(struct cursor *c, char mark, i128 *mant, int *scale, bool *sticky)
{
	char group1 = mark == '.' ? ',' : '.';
	i128 m = 0;
	int sc = 0, nd = 0, lead = 0;
	bool grouped = false, big = false;
	const char *start = c->p;

	while (c->p < c->end && is_digit(*c->p)) {
		push_digit(&m, *c->p - '0', &big);
		c->p++, lead++;
	}
	/* Thousands groups: sep + exactly three digits, the first group 1-3. */
	for (;;) {
		struct cursor save = *c;
		bool sep = at(c, (char[]){group1, 0}) || at(c, "'") || at(c, "\xc2\xa0") ||
			   at(c, "\xe2\x80\xaf") || (c->p < c->end && *c->p == ' ' && (c->p++, true));
		if (!sep)
			break;
		if (lead == 0 || (!grouped && lead > 3) || c->end - c->p < 3 || !is_digit(c->p[0]) ||
		    !is_digit(c->p[1]) || !is_digit(c->p[2]) ||
		    (c->end - c->p > 3 && is_digit(c->p[3]))) {
			*c = save;
			if (c->p < c->end && *c->p == ' ')
				break; /* "12 USD": the space ends the number */
			if (c->p < c->end && *c->p == group1)
				return INGEST_AMOUNT_ESYNTAX;
			break;
		}
		grouped = true;
		for (int i = 0; i < 3; i++)
			push_digit(&m, *c->p++ - '0', &big);
	}
	if (c->p < c->end && *c->p == mark) {
		c->p++;
		if (c->p >= c->end || !is_digit(*c->p))
			return INGEST_AMOUNT_ESYNTAX;
		/* Trailing zeros are counted, not multiplied in, so that
		 * "5.000000000000" stays small and exact. */
		int zeros = 0;
		while (c->p < c->end && is_digit(*c->p)) {
			if (nd >= INGEST_AMOUNT_DIGITS || m > ((i128)1 << 90)) {
				/* past what the mantissa keeps (DistroKid writes 18
				 * decimals; an amount in range has 13 whole digits at
				 * most, so these are past the tenth decimal): only
				 * whether any is not zero matters, for rounding half
				 * to even */
				*sticky |= *c->p != '0';
				nd++;
				c->p++;
				continue;
			}
			if (*c->p == '0') {
				zeros++;
			} else {
				for (; zeros > 0; zeros--, sc++)
					push_digit(&m, 0, &big);
				push_digit(&m, *c->p - '0', &big);
				sc++;
			}
			nd++;
			c->p++;
		}
	}
	if (c->p == start || (lead == 0 && nd == 0))
		return INGEST_AMOUNT_ESYNTAX;
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		struct cursor save = *c;
		c->p++;
		int es = 1, e = 0, ed = 0;
		if (at(c, "-"))
			es = -1;
		else
			at(c, "+");
		while (c->p < c->end && is_digit(*c->p) && ed < 4)
			e = e * 10 + (*c->p++ - '0'), ed++;
		if (ed == 0)
			*c = save;
		else
			sc -= es * e;
	}
	if (big) /* too many digits: too precise, or too large */
		return sc > INGEST_AMOUNT_MAX_DECIMALS ? INGEST_AMOUNT_EPRECISION : INGEST_AMOUNT_ERANGE;
	/* Drop trailing zero decimals so "5.000000000000" stays exact. */
	while (sc > 0 && m % 10 == 0)
		m /= 10, sc--;
	while (sc < 0) {
		if (m > ((i128)1 << 100))
			return INGEST_AMOUNT_ERANGE;
		m *= 10, sc++;
	}
	*mant = m;
	*scale = sc;
	return INGEST_AMOUNT_OK;
}

/* The common case, plain "-12.5": no symbols, grouping or rounding, up
 * to 17 digits.  True with *micros set; false for anything else (the
 * checked path reads it). */
static bool plain_amount(const char *s, size_t len, char decimal_mark, int64_t *micros)
{
	size_t i = 0, frac = 0;
	bool neg = false, dot = false;
	int64_t v = 0;
	if (len > 0 && s[0] == '-')
		neg = true, i = 1;
	size_t digits = 0;
	for (; i < len && digits + frac < 18; i++) {
		char ch = s[i];
		if (ch >= '0' && ch <= '9') {
			v = v * 10 + (ch - '0');
			if (dot)
				frac++;
			else
				digits++;
		} else if (ch == decimal_mark && !dot && digits > 0) {
			dot = true;
		} else {
			break;
		}
	}
	/* up to 17 digits fit; scaling to micro-units may not: such
	 * amounts go on to the checked path below */
	int64_t up = 1;
	for (size_t k = frac; k < 6; k++)
		up *= 10;
	if (i == len && digits > 0 && frac <= 6 && !(dot && frac == 0) && v <= INT64_MAX / up) {
		v *= up;
		*micros = neg ? -v : v;
		return true;
	}
	return false;
}

/* MANT at SCALE decimals, of SIGN, to micro-units, half to even: 0 with
 * *micros (and the rounding added to *rounding_e10 when not NULL), or an
 * INGEST_AMOUNT_E* status. */
static int to_micros(i128 mant, int scale, bool sticky, int sign, int64_t *micros, int64_t *rounding_e10)
{
	if (scale > INGEST_AMOUNT_MAX_DECIMALS)
		return INGEST_AMOUNT_EPRECISION;
	/* To micro-units, half to even; mant <= 2^101, so it is compared
	 * with the limit before being scaled up (no 128-bit overflow). */
	i128 v;
	if (scale <= 6) {
		i128 up = 1;
		for (int i = scale; i < 6; i++)
			up *= 10;
		if (mant > (i128)INT64_MAX / up)
			return INGEST_AMOUNT_ERANGE;
		v = mant * up;
	} else {
		i128 div = 1;
		for (int i = 6; i < scale; i++)
			div *= 10;
		v = mant / div;
		i128 rem = mant % div;
		/* a tie only when no digit past the mantissa is set */
		if (rem * 2 > div || (rem * 2 == div && (sticky || (v & 1))))
			v++;
	}
	if (v > INT64_MAX)
		return INGEST_AMOUNT_ERANGE;
	/* the exact value in 10^-10 units (v < 2^63, so this fits), cut
	 * toward zero past the tenth decimal: the rounding reported is
	 * the rounding to 10^-10 */
	i128 exact_e10 = mant;
	for (int i = scale; i < 10; i++)
		exact_e10 *= 10;
	for (int i = 10; i < scale; i++)
		exact_e10 /= 10;
	if (sign < 0) {
		v = -v;
		exact_e10 = -exact_e10;
	}
	*micros = (int64_t)v;
	if (rounding_e10)
		*rounding_e10 += (int64_t)(v * 10000 - exact_e10);
	return INGEST_AMOUNT_OK;
}

int ingest_amount_parse(const char *s, size_t len, char decimal_mark, int64_t *micros,
			int64_t *rounding_e10, char code[4])
{
	struct cursor c = {s, s + len};
	int sign = 0;
	bool paren = false;

	if (plain_amount(s, len, decimal_mark, micros)) {
		if (code)
			code[0] = '\0';
		return INGEST_AMOUNT_OK;
	}

	if (code)
		code[0] = '\0';
	skip_spaces(&c);
	while (c.end > c.p && (c.end[-1] == ' ' || c.end[-1] == '\t'))
		c.end--;
	size_t n = (size_t)(c.end - c.p);
	if (n == 0 || (n == 2 && memcmp(c.p, "--", 2) == 0) || (n == 1 && *c.p == '-') ||
	    (n == 3 && (memcmp(c.p, "n/a", 3) == 0 || memcmp(c.p, "N/A", 3) == 0)))
		return INGEST_AMOUNT_EMPTY;
	if (*c.p == '(' && c.end[-1] == ')') {
		paren = true;
		c.p++, c.end--;
		skip_spaces(&c);
	}
	/* Prefix: sign, symbol, code, in any order (each at most once). */
	bool sym = false, cod = false;
	for (;;) {
		int sg;
		if (!sign && (sg = take_sign(&c)) != 0)
			sign = sg;
		else if (!sym && !cod && take_symbol(&c))
			sym = true;
		else if (!cod && !sym && take_code(&c, code))
			cod = true;
		else
			break;
		skip_spaces(&c);
	}
	i128 mant;
	int scale;
	bool sticky = false;
	int st = take_number(&c, decimal_mark == ',' ? ',' : '.', &mant, &scale, &sticky);
	if (st != INGEST_AMOUNT_OK)
		return st;
	/* Suffix: code or symbol, then a trailing sign. */
	skip_spaces(&c);
	if (!sym && !cod) {
		if (take_code(&c, code) || take_symbol(&c))
			skip_spaces(&c);
	} else if (sym && take_code(&c, code)) { /* "$50.00 USD" (Open Collective) */
		skip_spaces(&c);
	}
	if (!sign && c.p < c.end && *c.p == '-') {
		sign = -1;
		c.p++;
	}
	skip_spaces(&c);
	if (c.p != c.end)
		return INGEST_AMOUNT_ESYNTAX;
	if (paren) {
		if (sign)
			return INGEST_AMOUNT_ESYNTAX;
		sign = -1;
	}
	return to_micros(mant, scale, sticky, sign, micros, rounding_e10);
}

const char *ingest_amount_strerror(int status)
{
	switch (status) {
	case INGEST_AMOUNT_EMPTY: return "is empty";
	case INGEST_AMOUNT_EPRECISION: return "has more than 36 decimals";
	case INGEST_AMOUNT_ERANGE: return "is too large";
	default: return "is not an amount";
	}
}

int ingest_int_parse(const char *s, size_t len, int64_t *out)
{
	int64_t micros;
	int st = ingest_amount_parse(s, len, '.', &micros, NULL, NULL);
	if (st != INGEST_AMOUNT_OK || micros % MONEY_SCALE != 0)
		return -1;
	for (size_t i = 0; i < len; i++) /* a count has no symbol, code or grouping */
		if (!(s[i] == ' ' || s[i] == '-' || s[i] == '+' || s[i] == '.' || (s[i] >= '0' && s[i] <= '9')))
			return -1;
	*out = micros / MONEY_SCALE;
	return 0;
}
