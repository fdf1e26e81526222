/* ingest_amount.h - reading the money text platforms write, exactly.
 *
 * Exports write amounts as people read them: "$1,234.50", "-£1.44",
 * "€12", "12.00 USD", "(3.20)", "1.234,56", Ruby floats ("5.0", "98.9",
 * "1.0e-05"), sub-cent royalties with 18 decimals (DistroKid).  This turns such
 * text into int64_t micro-units without floating point: amounts with more
 * than 6 decimals are rounded half to even and the rounding is returned so
 * the caller can report the total. */
#ifndef TALLY_INGEST_AMOUNT_H
#define TALLY_INGEST_AMOUNT_H

#include <stddef.h>
#include <stdint.h>

#define INGEST_AMOUNT_MAX_DECIMALS 36 /* after an exponent: 1e-37 is refused */
#define INGEST_AMOUNT_DIGITS 30       /* significant digits kept; later decimals only round */

enum ingest_amount_status {
	INGEST_AMOUNT_OK = 0,
	INGEST_AMOUNT_EMPTY = 1,       /* "", " ", "--", "-", "n/a": no amount */
	INGEST_AMOUNT_ESYNTAX = -1,    /* not an amount */
	INGEST_AMOUNT_EPRECISION = -2, /* more than 36 decimals (an exponent) */
	INGEST_AMOUNT_ERANGE = -3,     /* too large for int64_t micro-units */
};

/* Parse s[0..len) with decimal mark '.' or ','.  The other of the two
 * (and a space, NBSP or apostrophe) may group thousands, in groups of
 * exactly three digits.  Accepted around the number: a sign ('-', '+',
 * U+2212) before or after a currency symbol, parentheses for a negative,
 * a currency symbol ($ US$ CA$ A$ £ € ¥ ₹ ...) or an ISO 4217 code before
 * or after (or a symbol before and a code after: "$50.00 USD"), a
 * trailing '-'.  On INGEST_AMOUNT_OK sets *micros and adds to
 * *rounding_e10 (if not NULL) the rounding made, rounded minus exact, in
 * units of 10^-10; if code is not NULL it receives the ISO code written in
 * the text ("" when none; a symbol gives none).  Returns an
 * ingest_amount_status. */
int ingest_amount_parse(const char *s, size_t len, char decimal_mark, int64_t *micros,
			int64_t *rounding_e10, char code[4]);

/* Words for a status, for "column "X": "v" WORDS": "is not an amount",
 * "has more than 36 decimals", "is too large", "is empty". */
const char *ingest_amount_strerror(int status);

/* Parse a whole count ("3", "-1", "+2", "1.0", " 4 ").  0 or -1. */
int ingest_int_parse(const char *s, size_t len, int64_t *out);

#endif
