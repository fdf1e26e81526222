/* ingest_options.h - the values of tally-ingest's options read into its
 * struct ingest_options (ingest_run.h): each returns 0, or -1 when the
 * value is not one the option takes (the command says so and exits 2).
 * Library code: no printing, no exits. */
#ifndef TALLY_INGEST_OPTIONS_H
#define TALLY_INGEST_OPTIONS_H

#include "ingest_run.h"

/* --currency CODE: an ISO 4217 code, upper-cased ("usd" as files write
 * it), into o->currency. */
int ingest_opt_currency(struct ingest_options *o, const char *arg);

/* --encoding ENC (see csvin_encoding_parse): o->encoding, and
 * o->encoding_given unless ENC is "auto". */
int ingest_opt_encoding(struct ingest_options *o, const char *arg);

/* --separator SEP: "," ";" "tab" (or a TAB) into o->sep. */
int ingest_opt_separator(struct ingest_options *o, const char *arg);

/* --since DATE (UNTIL false) or --until DATE (UNTIL true) into o: a date
 * or a date and time; --until's date includes all of its day, its time
 * the second it names (the bound is exclusive: [since, until)). */
int ingest_opt_when(struct ingest_options *o, const char *arg, bool until);

/* --period PERIOD (2026-10, 2026-Q4, 2026-W05, 2026): since and until
 * narrowed to it (with --since and --until, the intersection). */
int ingest_opt_period(struct ingest_options *o, const char *arg);

/* --by-date reported|sale into o->by_reported. */
int ingest_opt_by_date(struct ingest_options *o, const char *arg);

/* --date-order mdy|dmy into o->date_order. */
int ingest_opt_date_order(struct ingest_options *o, const char *arg);

#endif
