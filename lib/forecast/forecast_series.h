/* forecast_series.h - the series tally-forecast reads a stream into: one
 * per key (the --by fields and the currency), each a run of per-period
 * totals, exact micro-units for money and doubles for plain numbers; and
 * the latest row time of every period, for telling an incomplete last
 * period.
 *
 * Ownership: the table owns its series, their keys and labels.  Every
 * function that may allocate returns FORECAST_SERIES_OK, or an error with
 * the table as usable as before (nothing half added). */
#ifndef TALLY_FORECAST_SERIES_H
#define TALLY_FORECAST_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "keyindex.h"
#include "tsv.h"

#define FORECAST_MAX_SPAN 100000 /* periods one series may span */

enum {
	FORECAST_SERIES_OK = 0,
	FORECAST_SERIES_ENOMEM = -1, /* out of memory */
	FORECAST_SERIES_ESPAN = -2,  /* a series would span more than FORECAST_MAX_SPAN periods */
};

/* One series: its key and its per-period totals. */
struct forecast_series {
	char **key;      /* key field values: the --by columns, then currency (owned) */
	char *label;     /* 'series "KEY/KEY": ' for messages, "" without keys (owned) */
	int digits;      /* currency minor digits, -1 for plain numbers */
	int64_t first;   /* period index of total 0 */
	size_t len;      /* periods held */
	size_t cap;      /* room in micros and sums */
	int64_t *micros; /* money totals (digits >= 0) */
	double *sums;    /* plain totals (digits < 0) */
};

struct forecast_table {
	/* public, read-only */
	struct forecast_series *series; /* by first sight */
	size_t n;                       /* series held */
	size_t nkeys;                   /* key fields of every series */
	int64_t *latest;                /* per period from lat_first: the latest row time, or INT64_MIN */
	int64_t lat_first;
	size_t lat_len;
	bool stamped;                   /* every row dated at the start of its period */
	bool lat_off;                   /* the input spans too many periods to track */

	/* private */
	size_t cap;
	struct names keys;    /* per series, by id = index: key fields each followed by NUL */
	char *key_buf;        /* the joined key being looked up */
	size_t key_cap;
};

/* An empty table of series keyed by NKEYS fields. */
void forecast_table_init(struct forecast_table *t, size_t nkeys);

/* The series whose key is fields[cols[0..nkeys)] in *out, created on first
 * sight with DIGITS.  Returns FORECAST_SERIES_OK or _ENOMEM. */
int forecast_table_series(struct forecast_table *t, const struct tsv_field *fields, const int *cols,
			  int digits, struct forecast_series **out);

/* Make room for period index P in s, zero-filled: its slot in *at.
 * Returns FORECAST_SERIES_OK, _ESPAN (s would span more than
 * FORECAST_MAX_SPAN periods) or _ENOMEM. */
int forecast_series_slot(struct forecast_series *s, int64_t p, size_t *at);

/* Note a row at time T in period P, for forecast_table_last_incomplete.
 * An input spanning more than FORECAST_MAX_SPAN periods stops the
 * tracking (lat_off).  Returns FORECAST_SERIES_OK or _ENOMEM. */
int forecast_table_note_time(struct forecast_table *t, struct period p, int64_t time);

/* Whether period index END, the input's last, looks incomplete by its rows'
 * dates: rows dated by day (not every row at the start of its period), at
 * least two earlier periods with rows, every earlier period's latest row
 * in the last quarter of it, and the last period's latest row further from
 * its end than that of every earlier period (a run mid-month).  WHY (CAP
 * bytes) says why, for the message. */
bool forecast_table_last_incomplete(const struct forecast_table *t, enum period_kind kind, int64_t end,
				    char *why, size_t cap);

/* Free everything the table owns and zero it. */
void forecast_table_free(struct forecast_table *t);

/* Parse a plain decimal number [+-]digits[.digits][(e|E)[+-]digits] of
 * s[0..len) into *v, its count of decimals into *decimals.  Refuses what
 * strtod alone would take: " 1", "inf", "0x10", "1,5", and values out of
 * range.  Returns whether it is one. */
bool forecast_parse_number(const char *s, size_t len, double *v, int *decimals); /* s[len] is NUL */

#endif
