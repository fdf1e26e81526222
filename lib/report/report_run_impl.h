/* report_run_impl.h - what the files of a tally-report run share
 * (report_run.c and report_run_*.c, by concern); not for other modules.
 * Every function here may stop the run (rrun_fail): it never returns
 * then, the step of report_run.h returning -1 with R->fail set. */
#ifndef TALLY_REPORT_RUN_IMPL_H
#define TALLY_REPORT_RUN_IMPL_H
#include <stdnoreturn.h>

#include "report_run.h"
#include "report_costs.h"
#include "report_sale.h"

/* Per-row values that often repeat from one row to the next. */
struct row_cache {
	char date[DATE_BUF + 16]; /* the last date cell, when short enough */
	size_t date_len;          /* 0: none */
	int64_t when;             /* its time */
	int64_t period;           /* ... and period index */
	char currency[4];         /* the last currency cell */
	char src[256], prod[256]; /* the last source and product cells, when short enough */
	size_t src_len, prod_len;
	uint32_t src_id, prod_id; /* ... and their name ids */
	bool have_src, have_prod;
};

/* The file name extension of each enum report_format. */
extern const char *const rrun_format_ext[4];

/* report_run.c */

/* A + b, or the run stops at file:line: "the total overflows". */
int64_t rrun_add_checked(struct report_run *R, int64_t a, int64_t b, const char *file, long line);
/* Nothing for REPORT_OK; else the run stops: out of memory, a temporary file, or an overflow at file:line. */
void rrun_check_status(struct report_run *R, int rc, const char *file, long line);
/* The id of s[0..len) in names (interned when new); out of memory stops the run. */
uint32_t rrun_intern_name(struct report_run *R, struct names *names, const char *s, size_t len);
/* Malloc(n) (n 0: 1 byte); out of memory stops the run. */
void *rrun_alloc(struct report_run *R, size_t n);
/* The index of column name in r; a missing one stops the run (R->fail.column). */
int rrun_col(struct report_run *R, const struct tsv_reader *r, const char *name);
/* Stop the run: R->fail holds status and the message, the step returns -1. */
noreturn void rrun_fail(struct report_run *R, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Rrun_fail, naming file (NULL: none) and line (<= 0: none). */
noreturn void rrun_fail_at(struct report_run *R, int status, const char *file, long line, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Open r on files[0..n) (none: stdin), the progress line started; a failure stops the run with cli_tsv_open's messages. */
void rrun_open(struct report_run *R, struct tsv_reader *r, char **files, size_t n);
/* Stop the run when a signal came ("interrupted by signal N"). */
void rrun_stop_if_interrupted(struct report_run *R);
/* A warning, through R->io.tell. */
void rrun_warn(struct report_run *R, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A warning naming file and line. */
void rrun_warn_at(struct report_run *R, const char *file, long line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* report_run_rows.c */

/* The name id of cell f, remembering the last one in buf[0..cap) (*len, *id, *have). */
uint32_t rrun_cached_name(struct report_run *R, const struct tsv_field *f, char *buf, size_t cap, size_t *len, uint32_t *id, bool *have);
/* Stop the run for the stream's read error (errno's, else r->err at its line). */
void rrun_die_read_error(struct report_run *R, const struct tsv_reader *r);
/* Stop the run: FILE:LINE: column "col": "value" what. */
noreturn void rrun_die_value(struct report_run *R, const struct tsv_reader *r, const char *col, const struct tsv_field *f, const char *what);
/* Remember currency cur among the first few seen, for messages. */
void rrun_note_currency(struct report_run *R, const char *cur);
/* The amount in cell f of column col; one that is not stops the run. */
int64_t rrun_row_amount(struct report_run *R, const struct tsv_reader *r, const char *col, const struct tsv_field *f);
/* V in the reporting currency: itself, or converted by --fx (a missing rate stops the run). */
int64_t rrun_row_convert(struct report_run *R, const struct row_cache *c, const struct tsv_reader *r, int64_t v);
/* A part of a sale in the reporting currency, converted by running total so the parts add up (report_sale.h). */
int64_t rrun_row_convert_part(struct report_run *R, struct report_fx_run *run, const struct row_cache *c, const struct tsv_reader *r, const char *key, size_t kl, bool groupable, int64_t v);
/* The row's currency into c (checked, remembered). */
void rrun_row_currency(struct report_run *R, struct row_cache *c, const struct tsv_reader *r, const struct tsv_field *f);
/* The row's date into c (time and period index, cached); a bad one stops the run. */
void rrun_row_date(struct report_run *R, struct row_cache *c, const struct tsv_reader *r, const struct tsv_field *f);
/* report_run_read.c */

/* Whether period is before the first the run books (--opening, or without a ledger --period). */
bool rrun_before_first(struct report_run *R, int64_t period);
/* A bare --min-payout with several currencies (no --to) stops the run (usage). */
void rrun_check_min_payout_currencies(struct report_run *R);
/* --agreements: the file parsed as tally-split's, into R->opt.rules. */
void rrun_load_agreements(struct report_run *R);
/* Read the allocations of files[0..nfiles) into R->book (and --check's totals). */
void rrun_read_allocations(struct report_run *R, char **files, size_t nfiles);
/* Warn of the rows left out before and after the run's periods. */
void rrun_tell_left_out(struct report_run *R);
/* report_run_ledger.c */

/* The issue date of every statement: a reproduced one's from LEDGER.issued, a new one's of the run. */
void rrun_date_statements(struct report_run *R);
/* Stop the run saying why report_book_settle failed (rc, e). */
noreturn void rrun_die_settling(struct report_run *R, int rc, const struct report_settle_error *e);
/* Period index of the run's kind, formatted into buf (DATE_BUF); returns buf. */
const char *rrun_fmt_period(struct report_run *R, char *buf, int64_t index);
/* Read the ledger (locked unless --check), its seal, issue dates and key record. */
void rrun_load_ledger(struct report_run *R);
/* The period an allocation row of key posts into (the ledger's, its own, or late: the run's first); a row the ledger booked with another amount stops the run. */
int64_t rrun_place_row(struct report_run *R, uint64_t key, const struct tsv_reader *r, int64_t period, int64_t amount, int digits);
/* --paid: each payment posted once, as a negative earning of its payee. */
void rrun_read_paid(struct report_run *R);
/* A ledger that is not a regular file stops the run (usage). */
void rrun_refuse_odd_ledger(struct report_run *R);
/* A row twice in the input that the ledger does not hold stops the run. */
void rrun_refuse_repeated_rows(struct report_run *R);
/* A new ledger with rows before --period and no --opening stops the run. */
void rrun_refuse_silent_opening(struct report_run *R);
/* Warn when the run closed a period not over on its issue date. */
void rrun_warn_not_over(struct report_run *R);
/* LEDGER.issued, atomically, with the periods settled. */
void rrun_write_issued(struct report_run *R);
/* Append the new statements to the ledger, atomically, the key record first. */
void rrun_write_ledger(struct report_run *R);
/* LEDGER.seal, atomically, when it changed. */
void rrun_write_seal(struct report_run *R);
/* report_run_out.c */

/* Nothing for REPORT_OK; else the run stops (an overflow, or out of memory). */
void rrun_check_render(struct report_run *R, int rc);
/* Close the document o of rrun_doc_open (-o FILE renamed into place). */
void rrun_doc_close(struct report_run *R, struct out *o);
/* The document's destination: -o FILE (atomically), else standard output. */
struct out *rrun_doc_open(struct report_run *R);
/* --payouts: every batch built and checked before anything is written. */
void rrun_prepare_batches(struct report_run *R);
/* --out-dir: the folder made or checked writable. */
void rrun_prepare_out_dir(struct report_run *R);
/* --check: the table, and a warning (exit status 1) for each line that does not add up. */
void rrun_check(struct report_run *R);
/* --payouts: the batches, into --out-dir or on standard output. */
void rrun_write_batches(struct report_run *R);
/* --out-dir: one file per payee and period, each atomically, each path on standard output. */
void rrun_write_out_dir(struct report_run *R);
/* report_run_summary.c */

/* Nothing for REPORT_LOAD_OK; else the run stops naming file, line and column. */
void rrun_check_table_load(struct report_run *R, int rc, const struct report_load_error *e);
/* --summary: read the sales stream of files[0..nfiles), then write the figures. */
void rrun_summary(struct report_run *R, char **files, size_t nfiles);
/* report_run_partial.c */

/* --merge: add the partials of files[0..nfiles) up into R->book. */
void rrun_read_partials(struct report_run *R, char **files, size_t nfiles);
/* --partial: the book's sums, check totals and counters, for --merge. */
void rrun_write_partial(struct report_run *R);
#endif
