/* money.h - exact money: int64_t micro-units tagged with an ISO 4217 code.
 *
 * An amount is a count of micro-units, 10^-6 of the currency's major unit,
 * whatever the currency (so 0.0031 USD is 3100).  No floating point type
 * ever holds an amount.  Arithmetic is checked: every function that can
 * overflow says so in its return value.  Intermediate products use
 * 128-bit integers. */
#ifndef TALLY_MONEY_H
#define TALLY_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MONEY_SCALE 1000000LL  /* micro-units per major unit */
#define MONEY_MAX_DIGITS 6     /* decimals an amount may carry */
#define MONEY_BUF 32           /* enough for any formatted amount + NUL */

enum money_status {
	MONEY_OK = 0,
	MONEY_ESYNTAX = -1,    /* not a plain decimal number */
	MONEY_EPRECISION = -2, /* more than 6 decimals */
	MONEY_ERANGE = -3,     /* outside int64_t micro-units */
};

/* Minor-unit digits of an active ISO 4217 code (USD 2, JPY 0, KWD 3,
 * CLF 4) or of one withdrawn lately that older exports still carry (BGN,
 * HRK, ANG, CUC, SLL, ZWL), or -1 when code[0..len) is none of them.
 * Upper case only. */
int currency_digits(const char *code, size_t len);

/* Parse strict decimal text: optional '-' (or '+'), digits, optionally
 * '.' and 1 to 6 digits ("12", "-0.0031", "12.50", ".5" is an error, so
 * are "1,234", "$1", " 1", "1e3", "").  Returns MONEY_OK and sets *out,
 * or a negative money_status. */
int money_parse(const char *s, size_t len, int64_t *out);

/* Words for a money_status, for messages: "is not an amount", "has more
 * than 6 decimals", "is too large". */
const char *money_strerror(int status);

/* Format with at least `digits` decimals and more only where the value
 * has them: (12500000, 2) "12.50"; (1200000000, 0) "1200"; (3100, 2)
 * "0.0031"; (-1250000, 3) "-1.250".  Writes at most MONEY_BUF bytes
 * including the NUL; returns the length. */
size_t money_format(char *buf, int64_t micros, int digits);

/* As money_format, for people: micros rounded half to even to `digits`
 * decimals (0..6) and written with exactly that many ("485.77" for
 * 485.767846 USD).  For figures, not for payouts (money_round_payable
 * rounds toward zero). */
size_t money_format_minor(char *buf, int64_t micros, int digits);
/* v as a plain decimal integer ("-12"), NUL-terminated, in buf (at least
 * 21 bytes); returns the length.  The fast path of printf's %lld. */
size_t money_format_int(char *buf, int64_t v);

/* Checked arithmetic: return false (and leave *out alone) on overflow. */
bool money_add(int64_t a, int64_t b, int64_t *out);
bool money_sub(int64_t a, int64_t b, int64_t *out);

/* a * num / den rounded half to even (den > 0).  False on overflow of the
 * result.  Used for currency conversion and for rescaling. */
bool money_muldiv(int64_t a, int64_t num, int64_t den, int64_t *out);

/* Split a balance into what can be paid in whole minor units of a currency
 * with `digits` decimals and the residue to carry forward: *payable is the
 * balance rounded toward zero to a multiple of 10^(6-digits) micro-units,
 * *residue = balance - *payable (same sign as balance, |residue| < one
 * minor unit).  Nothing is lost: *payable + *residue == balance. */
void money_round_payable(int64_t balance, int digits, int64_t *payable, int64_t *residue);

/* An exact non-negative rational, for shares and rates: num / den, den > 0. */
struct ratio {
	int64_t num;
	int64_t den;
};

/* Parse a share or rate: "15%" (15/100), "12.5%" (125/1000), "1/3",
 * "0.25" (25/100), "2" (2/1).  Up to 12 decimals.  Negative values, zero
 * denominators, junk and overflow are errors.  Returns 0 or -1.  The result
 * is reduced to lowest terms. */
int ratio_parse(const char *s, size_t len, struct ratio *out);

/* Format as a short decimal ("0.15", "0.333333" — informational only, at
 * most 6 decimals, rounded half to even).  Returns the length. */
size_t ratio_format(char *buf, size_t cap, struct ratio r);

#endif
