/* fx.h - currency conversion with a rates table (--fx RATES.tsv).
 *
 * The table is a tally stream with the columns `date`, `currency` and
 * `rate` (any other columns are ignored, so a table can carry notes):
 * `rate` is how many units of the target currency one unit of `currency`
 * bought on `date`.  The target is the caller's: tally-report's --to,
 * tally-split's cap currency.  A table that holds rates into several
 * targets adds an optional `to` column; rows with an empty or absent `to`
 * serve any target.
 *
 *     date        currency  rate
 *     2026-10-01  EUR       1.0842
 *     2026-10-15  EUR       1.0791
 *
 * A conversion on a date uses the rate of that date or, failing that, the
 * latest one before it; a date before every rate of a currency is an
 * error ("no rate"), never a guess.  A currency converted into itself has
 * rate 1 without any row.  The converted amount is amount * rate rounded
 * half to even to the micro-unit (money_muldiv): no floating point. */
#ifndef TALLY_FX_H
#define TALLY_FX_H

#include <stddef.h>
#include <stdint.h>

#include "money.h"

enum fx_status {
	FX_OK = 0,
	FX_EOPEN = -1,   /* the table cannot be opened or read (errno set) */
	FX_EDATA = -2,   /* a bad row: fx_error.line and .msg say which and why */
	FX_ENORATE = -3, /* no rate for the currency on or before the date */
	FX_ERANGE = -4,  /* the converted amount overflows */
	FX_ENOMEM = -5,  /* out of memory */
	FX_ECOLUMN = -6, /* the header lacks date, currency or rate, or has no TAB (usage) */
};

struct fx_rate {
	char currency[4]; /* ISO 4217 code converted from */
	char to[4];       /* target code, "" for "any target" */
	int64_t when;     /* first second the rate applies (date.h time) */
	struct ratio rate;/* units of the target per unit of currency, > 0 */
};

struct fx_table {
	struct fx_rate *rates; /* sorted by currency, to, when (owned) */
	size_t n;              /* number of rates */
	char *name;            /* display name of the table file (owned) */
};

/* Where fx_load failed. */
struct fx_error {
	char file[256]; /* display name of the file ("<stdin>" for -) */
	long line;      /* line of the bad row, 0 when not about a row */
	char msg[256];  /* what is wrong, without "prog: FILE:LINE: " */
};

/* Read the rates table at path ("-" is stdin).  Each row must have a date
 * (date_parse), an active ISO 4217 currency, a positive rate (ratio_parse:
 * "1.0842", "1/3") and, when present, a valid or empty `to`; two rates for
 * the same currency, target and date are an error.  Returns FX_OK,
 * FX_EOPEN (errno set; e->file names the file), FX_EDATA (e->line,
 * e->msg), FX_ECOLUMN (a missing column or a header without TAB, on line
 * 1) or FX_ENOMEM.  On
 * failure *t is left empty and need not be freed. */
int fx_load(struct fx_table *t, const char *path, struct fx_error *e);

/* The rate converting currency into `to` at time `when`: the rate of the
 * latest row on or before `when` whose target is `to` or empty.  Sets
 * *rate (and *rate_when, the row's date, when not NULL; for the identity
 * rate it is `when`).  t may be NULL (no table: only the identity).
 * Returns FX_OK or FX_ENORATE. */
int fx_lookup(const struct fx_table *t, const char *currency, const char *to, int64_t when,
	      struct ratio *rate, int64_t *rate_when);

/* amount (micro-units of currency) in `to` at time `when`, rounded half to
 * even.  Returns FX_OK, FX_ENORATE or FX_ERANGE; *out is set only on
 * FX_OK. */
int fx_convert(const struct fx_table *t, int64_t amount, const char *currency, const char *to,
	       int64_t when, int64_t *out);

/* Release the table (safe on an empty one). */
void fx_free(struct fx_table *t);

#endif
