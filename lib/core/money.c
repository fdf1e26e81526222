/* money.c - exact money: strict parsing, formatting, checked arithmetic,
 * rounding to what can be paid, and exact ratios (see money.h).
 *
 * Range: an amount is any int64_t except INT64_MIN, i.e. the symmetric
 * range [-INT64_MAX, INT64_MAX] micro-units (+-9223372036854.775807), so
 * that negating an amount (a refund, a mirror-image split) never overflows.
 * Parsing and the checked arithmetic report INT64_MIN as out of range.
 * Products and sums of products are taken in 128 bits. */
#include "money.h"

#include <string.h>

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

#define RATIO_MAX_DIGITS 12 /* decimals ratio_parse accepts */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* An amount is in range when it is int64 and not INT64_MIN. */
static bool in_range(i128 v)
{
	return v >= -(i128)INT64_MAX && v <= (i128)INT64_MAX;
}

/* ---- parsing and formatting ---------------------------------------- */

/* Read a run of decimal digits at s[*pos..len) into *acc (acc * 10 + d
 * each), saturating at `limit` + 1 so overflow is seen without wrapping.
 * Returns the number of digits read. */
static size_t read_digits(const char *s, size_t len, size_t *pos, u128 *acc, u128 limit)
{
	size_t start = *pos;
	for (; *pos < len && is_digit(s[*pos]); (*pos)++) {
		*acc = *acc * 10 + (u128)(s[*pos] - '0');
		if (*acc > limit)
			*acc = limit + 1;
	}
	return *pos - start;
}

int money_parse(const char *s, size_t len, int64_t *out)
{
	size_t pos = 0;
	bool negative = false;
	uint64_t whole = 0;
	/* the common case, a few plain digits ("3"): no 128-bit arithmetic */
	while (len <= 12 && pos < len && (unsigned char)(s[pos] - '0') < 10)
		whole = whole * 10 + (uint64_t)(s[pos++] - '0');
	if (len > 0 && pos == len) {
		*out = (int64_t)whole * MONEY_SCALE;
		return MONEY_OK;
	}
	pos = 0;
	if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		negative = s[0] == '-';
		pos = 1;
	}
	/* Magnitudes are tracked up to a little beyond INT64_MAX micro-units. */
	const u128 limit = (u128)INT64_MAX + 1;
	u128 units = 0, frac = 0;
	if (read_digits(s, len, &pos, &units, limit) == 0)
		return MONEY_ESYNTAX;
	size_t decimals = 0;
	if (pos < len && s[pos] == '.') {
		pos++;
		decimals = read_digits(s, len, &pos, &frac, limit);
		if (decimals == 0)
			return MONEY_ESYNTAX;
	}
	if (pos != len)
		return MONEY_ESYNTAX;
	if (decimals > MONEY_MAX_DIGITS)
		return MONEY_EPRECISION;
	for (size_t d = decimals; d < MONEY_MAX_DIGITS; d++)
		frac *= 10;
	u128 magnitude = units * MONEY_SCALE + frac; /* units <= limit + 1: no wrap */
	if (magnitude > (u128)INT64_MAX)
		return MONEY_ERANGE;
	*out = negative ? -(int64_t)magnitude : (int64_t)magnitude;
	return MONEY_OK;
}

const char *money_strerror(int status)
{
	switch (status) {
	case MONEY_OK:
		return "is an amount";
	case MONEY_EPRECISION:
		return "has more than 6 decimals";
	case MONEY_ERANGE:
		return "is too large";
	default:
		return "is not an amount";
	}
}

/* Write the decimal digits of v (at least one) to buf; returns the count. */
static size_t put_uint(char *buf, uint64_t v)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v > 0);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

/* Write `magnitude` (in millionths) as "units[.ffffff]" with trailing zeros
 * of the fraction kept down to `min_decimals` (0..6); returns the length. */
static size_t put_millionths(char *buf, u128 magnitude, int min_decimals)
{
	size_t n = put_uint(buf, (uint64_t)(magnitude / MONEY_SCALE)); /* |int64| / 10^6 fits */
	unsigned frac = (unsigned)(magnitude % MONEY_SCALE);
	int shown = MONEY_MAX_DIGITS;
	while (shown > min_decimals && frac % 10 == 0) {
		frac /= 10;
		shown--;
	}
	if (shown == 0)
		return n;
	buf[n++] = '.';
	for (int i = shown - 1; i >= 0; i--) {
		buf[n + (size_t)i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	return n + (size_t)shown;
}

size_t money_format(char *buf, int64_t micros, int digits)
{
	if (digits < 0)
		digits = 0;
	if (digits > MONEY_MAX_DIGITS)
		digits = MONEY_MAX_DIGITS;
	size_t n = 0;
	u128 magnitude = micros < 0 ? (u128)(-(i128)micros) : (u128)micros;
	if (micros < 0)
		buf[n++] = '-';
	n += put_millionths(buf + n, magnitude, digits);
	buf[n] = '\0';
	return n;
}

size_t money_format_minor(char *buf, int64_t micros, int digits)
{
	if (digits < 0)
		digits = 0;
	if (digits > 6)
		digits = 6;
	int64_t unit = 1, q;
	for (int i = digits; i < 6; i++)
		unit *= 10;
	if (!money_muldiv(micros, 1, unit, &q) || (i128)q * unit > INT64_MAX || (i128)q * unit < INT64_MIN)
		return money_format(buf, micros, digits);
	return money_format(buf, q * unit, digits);
}

size_t money_format_int(char *buf, int64_t v)
{
	size_t n = 0;
	if (v < 0)
		buf[n++] = '-';
	n += put_uint(buf + n, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
	buf[n] = '\0';
	return n;
}

/* ---- checked arithmetic -------------------------------------------- */

bool money_add(int64_t a, int64_t b, int64_t *out)
{
	i128 sum = (i128)a + b;
	if (!in_range(sum))
		return false;
	*out = (int64_t)sum;
	return true;
}

bool money_sub(int64_t a, int64_t b, int64_t *out)
{
	i128 difference = (i128)a - b;
	if (!in_range(difference))
		return false;
	*out = (int64_t)difference;
	return true;
}

/* p / d rounded half to even, for d > 0 (p of either sign). */
static i128 divide_half_even(i128 p, i128 d)
{
	i128 q = p / d, r = p % d; /* q toward zero, r has p's sign */
	i128 twice = r < 0 ? -2 * r : 2 * r;
	if (twice > d || (twice == d && q % 2 != 0))
		q += p < 0 ? -1 : 1;
	return q;
}

bool money_muldiv(int64_t a, int64_t num, int64_t den, int64_t *out)
{
	int64_t p;
	if (den <= 0)
		return false;
	if (!__builtin_mul_overflow(a, num, &p) && p != INT64_MIN) {
		/* the common case in 64 bits: |r| < den, so den - |r| cannot wrap */
		int64_t q = p / den, r = p % den, ar = r < 0 ? -r : r;
		if (ar > den - ar || (ar == den - ar && q % 2 != 0))
			q += p < 0 ? -1 : 1;
		*out = q;
		return true;
	}
	i128 q = divide_half_even((i128)a * num, den); /* |a * num| < 2^126 */
	if (!in_range(q))
		return false;
	*out = (int64_t)q;
	return true;
}

void money_round_payable(int64_t balance, int digits, int64_t *payable, int64_t *residue)
{
	if (digits < 0)
		digits = 0;
	if (digits > MONEY_MAX_DIGITS)
		digits = MONEY_MAX_DIGITS;
	int64_t minor_unit = 1;
	for (int d = digits; d < MONEY_MAX_DIGITS; d++)
		minor_unit *= 10;
	/* C division truncates toward zero, so the remainder has the
	 * balance's sign: exactly the residue the contract asks for. */
	*residue = balance % minor_unit;
	*payable = balance - *residue;
}

/* ---- ratios -------------------------------------------------------- */

static u128 gcd_u128(u128 a, u128 b)
{
	while (b != 0) {
		u128 t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* Reduce num/den (num >= 0, den > 0) and store it if both fit int64. */
static bool ratio_store(u128 num, u128 den, struct ratio *out)
{
	u128 g = gcd_u128(num, den);
	num /= g;
	den /= g;
	if (num > (u128)INT64_MAX || den > (u128)INT64_MAX)
		return false;
	out->num = (int64_t)num;
	out->den = (int64_t)den;
	return true;
}

static u128 pow10_u128(size_t exponent)
{
	u128 p = 1;
	while (exponent-- > 0)
		p *= 10;
	return p;
}

/* "N/D": two runs of digits around one '/'. */
static int ratio_parse_fraction(const char *s, size_t len, size_t slash, struct ratio *out)
{
	const u128 limit = (u128)INT64_MAX;
	u128 num = 0, den = 0;
	size_t pos = 0;
	if (read_digits(s, slash, &pos, &num, limit) == 0 || pos != slash)
		return -1;
	pos = slash + 1;
	if (read_digits(s, len, &pos, &den, limit) == 0 || pos != len)
		return -1;
	if (den == 0 || num > limit || den > limit)
		return -1;
	return ratio_store(num, den, out) ? 0 : -1;
}

/* "D[.DDD][%]": a decimal of up to 12 decimals, a percentage with '%'. */
static int ratio_parse_decimal(const char *s, size_t len, struct ratio *out)
{
	bool percent = len > 0 && s[len - 1] == '%';
	if (percent)
		len--;
	const u128 limit = (u128)INT64_MAX;
	u128 units = 0, frac = 0;
	size_t pos = 0, decimals = 0;
	if (read_digits(s, len, &pos, &units, limit) == 0)
		return -1;
	if (pos < len && s[pos] == '.') {
		pos++;
		decimals = read_digits(s, len, &pos, &frac, limit);
		if (decimals == 0 || decimals > RATIO_MAX_DIGITS)
			return -1;
	}
	if (pos != len || units > limit)
		return -1;
	u128 den = pow10_u128(decimals) * (percent ? 100 : 1);
	return ratio_store(units * pow10_u128(decimals) + frac, den, out) ? 0 : -1;
}

int ratio_parse(const char *s, size_t len, struct ratio *out)
{
	if (len == 0)
		return -1;
	const char *slash = memchr(s, '/', len);
	if (slash)
		return ratio_parse_fraction(s, len, (size_t)(slash - s), out);
	return ratio_parse_decimal(s, len, out);
}

size_t ratio_format(char *buf, size_t cap, struct ratio r)
{
	char tmp[64];
	size_t n = 0;
	if (r.den <= 0) {
		memcpy(tmp, "NaN", 3);
		n = 3;
	} else {
		i128 millionths = divide_half_even((i128)r.num * MONEY_SCALE, r.den);
		if (millionths < 0) {
			tmp[n++] = '-';
			millionths = -millionths;
		}
		n += put_millionths(tmp + n, (u128)millionths, 0);
	}
	if (cap > 0) {
		size_t copy = n < cap - 1 ? n : cap - 1;
		memcpy(buf, tmp, copy);
		buf[copy] = '\0';
	}
	return n;
}
