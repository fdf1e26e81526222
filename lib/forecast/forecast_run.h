/* forecast_run.h - one run of tally-forecast: the options it was given,
 * the columns they name in the stream's header, the series read from the
 * rows (forecast_series.h) and where the input ends; forecast_out.h writes
 * the result.
 *
 * The caller fills the configuration fields, then calls forecast_run_bind
 * on the stream's header, forecast_run_row per row and forecast_run_end
 * after the last.  Pure: nothing printed.  Failures come back as
 * FORECAST_RUN_* statuses with the message in the caller's ERR buffer;
 * notes that change nothing counted on stdout (rows left out, an
 * incomplete last period) go to the NOTE callback.
 *
 * Ownership: the run owns what the bound and read fields point to (except
 * the column names, which are the reader's); forecast_run_free releases it. */
#ifndef TALLY_FORECAST_RUN_H
#define TALLY_FORECAST_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "forecast.h"
#include "forecast_series.h"
#include "kinds.h"
#include "tsv.h"

#define FORECAST_RUN_MAX_LEVELS 8 /* interval levels at most */

enum {
	FORECAST_RUN_OK = 0,
	FORECAST_RUN_ENOMEM = -1,  /* out of memory; no message */
	FORECAST_RUN_EDATA = -2,   /* bad data (exit 1): message in err */
	FORECAST_RUN_EUSAGE = -3,  /* an option the stream cannot serve (exit 2): message in err */
	FORECAST_RUN_ECOLUMN = -4, /* a column named is missing: its name in err */
};

/* Called with each note for stderr ("left out 3 rows dated after --until"). */
typedef void (*forecast_note_fn)(void *ctx, const char *msg);

/* Series too short for the method asked, for one line at the end of the
 * run (one line per series would bury the output of a large input). */
struct forecast_short {
	size_t count;        /* series that fell back */
	size_t min_n, max_n; /* their lengths */
	char first[160];     /* the first one's message */
	char used[40];       /* what the first one used */
	bool mixed;          /* not all used the same method */
};

struct forecast_run {
	/* configuration, set by the caller (forecast_run_init gives the defaults) */
	enum period_kind kind;     /* --per */
	int h;                     /* --horizon */
	enum forecast_method method; /* --method */
	double levels[FORECAST_RUN_MAX_LEVELS]; /* --level, percent */
	int nlevels;               /* levels used */
	bool history;              /* --history: also the observed periods */
	int backtest;              /* 0: forecast; else the backtest horizon */
	bool align_series;         /* --align series: each series ends at its own last period */
	bool allow_negative;       /* --allow-negative */
	bool force_money;          /* --money */
	enum forecast_transform transform; /* --transform */
	bool has_until;            /* --until given: the data are complete up to until */
	int64_t until;             /* --until's day */
	const char *value_name;    /* --value, NULL: by the stream (forecast_run_bind) */
	const char *date_name;     /* --date */
	const char *by;            /* the --by columns, comma-separated, or NULL */
	const char *const *kinds;  /* the kinds counted */
	size_t nkinds;
	bool kinds_given;          /* --kinds given: the kind column must be there */
	forecast_note_fn note;     /* notes for stderr (NULL: dropped) */
	void *note_ctx;

	/* bound by forecast_run_bind */
	int *key_cols;             /* the --by columns (each once), then currency (owned) */
	const char **key_names;    /* their names (the reader's; the array owned) */
	size_t nkeys;
	int value_col, date_col;
	int currency_col;          /* -1 when absent */
	int kind_col;              /* -1 when absent */
	bool money;                /* the value is money (digits from the currency) */

	/* read */
	int decimals;              /* decimals for plain values: the most seen, 2..6 */
	struct forecast_table table; /* the series, by key */
	struct kinds_tally passed; /* rows passed over (a kind not counted), per kind */
	long after_until;          /* rows dated after --until, left out */
	int64_t input_end;         /* the input's last period (forecast_run_end) */
	struct forecast_short short_series; /* filled by forecast_out_write */
};

/* The defaults of tally-forecast into *run, zeroed first: per month,
 * horizon 12, method auto, levels 80 and 95, date column "date". */
void forecast_run_init(struct forecast_run *run);

/* Whether the comma-separated LIST (NULL: none) holds NAME. */
bool forecast_list_has(const char *list, const char *name);

/* Bind the columns the configuration names in R's header and make the
 * table.  An allocations stream (payee and amount columns) holds each
 * sale once per payee, so its net summed double counts: it is forecast on
 * amount with --by payee, else refused (_EDATA).  Returns _OK; _ECOLUMN
 * with the missing column's name in err (CAP bytes); _EUSAGE for --money
 * without a currency column; _EDATA; _ENOMEM.  Checks in the order of the
 * value, date, currency, kind and --by columns, so the first problem is
 * the one told. */
int forecast_run_bind(struct forecast_run *run, const struct tsv_reader *r, char *err, size_t cap);

/* Add the current row of R into its series.  Rows of a kind not counted
 * are tallied in passed, rows after --until in after_until.  Returns _OK;
 * _EDATA (the message, for R's FILE:LINE, in err) for a value, date or
 * currency that is not one, a series spanning more than FORECAST_MAX_SPAN
 * periods or a money total that overflows; _ENOMEM. */
int forecast_run_row(struct forecast_run *run, const struct tsv_reader *r, char *err, size_t cap);

/* After the last row: input_end, the latest period of any series (each
 * must reach it within FORECAST_MAX_SPAN periods unless align_series, else
 * _EDATA with the message in err), then an incomplete last period left
 * out unless a series has nothing else, told through NOTE, as are the
 * rows after --until.  Returns _OK or _EDATA. */
int forecast_run_end(struct forecast_run *run, char *err, size_t cap);

/* The note FMT, formatted, through run->note (nothing when NULL). */
void forecast_run_note(const struct forecast_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Free what the run owns. */
void forecast_run_free(struct forecast_run *run);

#endif
