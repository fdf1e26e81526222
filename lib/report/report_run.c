/* report_run.c - a tally-report run (report_run.h): failing and warning
 * as its command will say it, and the steps in their order; the work is
 * in report_run_*.c, by concern. */
#include "report_run_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "escape.h"
#include "extsort.h"
#include "kinds.h"
#include "money.h"
#include "out.h"
#include "paths.h"
#include "report_business.h"
#include "report_partial.h"
#include "report_sale.h"
#include "report_summary.h"

/* ------------------------------------------------------- failing, warning */

static void run_vfail(struct report_run *R, int status, const char *file, long line, const char *fmt, va_list ap)
{
	struct report_fail *f = &R->fail;
	f->status = status;
	f->have_file = file != NULL;
	snprintf(f->file, sizeof f->file, "%s", file ? file : "");
	f->line = line;
	vsnprintf(f->msg, sizeof f->msg, fmt, ap);
}

/* Stop the run: R->fail says why, report_run_exec returns -1. */
noreturn void rrun_fail_at(struct report_run *R, int status, const char *file, long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	run_vfail(R, status, file, line, fmt, ap);
	va_end(ap);
	longjmp(R->unwind, 1);
}

noreturn void rrun_fail(struct report_run *R, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	run_vfail(R, status, NULL, 0, fmt, ap);
	va_end(ap);
	longjmp(R->unwind, 1);
}

static void run_vwarn(struct report_run *R, const char *file, long line, const char *fmt, va_list ap)
{
	char msg[1536];
	vsnprintf(msg, sizeof msg, fmt, ap);
	R->io.tell(R->io.ctx, file, line, msg);
}

void rrun_warn_at(struct report_run *R, const char *file, long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	run_vwarn(R, file, line, fmt, ap);
	va_end(ap);
}

void rrun_warn(struct report_run *R, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	run_vwarn(R, NULL, 0, fmt, ap);
	va_end(ap);
}

void *rrun_alloc(struct report_run *R, size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		rrun_fail(R, EXIT_DATA, "out of memory");
	return p;
}

/* Column name of the stream being read, R->rd; a missing one stops the
 * run (the command names the header, as every command does). */
int rrun_col(struct report_run *R, const struct tsv_reader *r, const char *name)
{
	int c = tsv_col(r, name);
	if (c >= 0)
		return c;
	R->fail = (struct report_fail){.status = EXIT_USAGE, .reader = r, .column = name};
	longjmp(R->unwind, 1);
}

/* Open r on files[0..n), as every command does (cli_tsv_open's messages). */
void rrun_open(struct report_run *R, struct tsv_reader *r, char **files, size_t n)
{
	if (tsv_open(r, files, n) != 0) {
		if (errno)
			rrun_fail(R, EXIT_USAGE, "%s: %s", r->file, strerror(errno));
		rrun_fail_at(R, EXIT_DATA, r->file, 1, "%s", r->err);
	}
	if (R->io.opened)
		R->io.opened(R->io.ctx, &R->progress, files, n);
}

/* A signal came: finish nothing more (the files under way are removed). */
void rrun_stop_if_interrupted(struct report_run *R)
{
	if (*R->interrupted)
		rrun_fail(R, EXIT_DATA, "interrupted by signal %d: nothing more written", (int)*R->interrupted);
}

/* ------------------------------------------------------- library statuses */

/* Die for a failed report_* call: out of memory, or a sum that overflows
 * (at file:line when the row is known). */
void rrun_check_status(struct report_run *R, int rc, const char *file, long line)
{
	if (rc == REPORT_ENOMEM)
		rrun_fail(R, EXIT_DATA, "out of memory");
	if (rc == REPORT_ETEMP)
		rrun_fail(R, EXIT_DATA, "a temporary file in %s: %s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
			 strerror(errno));
	if (rc != REPORT_OK)
		rrun_fail_at(R, EXIT_DATA, file, line, "the total overflows");
}

uint32_t rrun_intern_name(struct report_run *R, struct names *names, const char *s, size_t len)
{
	uint32_t id;
	if (names_intern(names, s, len, &id) < 0)
		rrun_fail(R, EXIT_DATA, "out of memory");
	return id;
}

int64_t rrun_add_checked(struct report_run *R, int64_t a, int64_t b, const char *file, long line)
{
	int64_t sum;
	if (!money_add(a, b, &sum))
		rrun_fail_at(R, EXIT_DATA, file, line, "the total overflows");
	return sum;
}

/* ------------------------------------------------------------ the run */

/* --fx RATES. */
static void load_fx(struct report_run *R)
{
	struct fx_error e;
	int rc = fx_load(&R->opt.fx, R->opt.fx_path, &e);
	if (rc == FX_EOPEN)
		rrun_fail(R, EXIT_USAGE, "%s: %s", e.file, strerror(errno));
	if (rc == FX_EDATA || rc == FX_ECOLUMN)
		rrun_fail_at(R, rc == FX_ECOLUMN ? EXIT_USAGE : EXIT_DATA, e.file, e.line, "%s", e.msg);
	if (rc != FX_OK)
		rrun_fail(R, EXIT_DATA, "%s", strerror(ENOMEM));
}

/* No file is two of the run's: an input that is also the ledger, ... */
static void check_paths(struct report_run *R, char **files, size_t nfiles)
{
	const struct report_opts *o = &R->opt;
	const struct paths_role roles[] = {
		{o->fx_path, "--fx", true}, {o->ledger, "--ledger", false}, {o->out_dir, "--out-dir", false},
		{o->payees, "--payees", true}, {o->paid, "--paid", true}, {o->agreements, "--agreements", true},
		{o->costs_path, "--costs", true}, {o->whatif_path, "--whatif", true},
		{o->forecast_path, "--forecast", true}, {o->output, "--output", false},
	};
	char clash[PATHS_MSG_MAX];
	if (paths_check(roles, sizeof roles / sizeof *roles, files, nfiles, clash, sizeof clash))
		rrun_fail(R, EXIT_USAGE, "%s", clash);
}

void report_run_init(struct report_run *R)
{
	memset(R, 0, sizeof *R);
	R->ledger_lock.fd = -1;
	R->opt.kind = PERIOD_MONTH;
}

int report_run_load(struct report_run *R, char **files, size_t nfiles)
{
	struct report_load_error le;
	if (setjmp(R->unwind))
		return -1;
	if (R->opt.fx_path)
		load_fx(R);
	check_paths(R, files, nfiles);
	if (R->opt.costs_path)
		rrun_check_table_load(R, report_costs_load(&R->opt.costs, R->opt.costs_path, &le), &le);
	if (R->opt.whatif_path)
		rrun_check_table_load(R, report_fees_load(&R->opt.fees, R->opt.whatif_path, &le), &le);
	if (R->opt.forecast_path)
		rrun_check_table_load(R, report_outlook_load(&R->opt.outlook, R->opt.forecast_path, R->opt.kind, &le), &le);
	if (R->opt.agreements)
		rrun_load_agreements(R);
	return R->exit_status;
}

int report_run_summary(struct report_run *R, char **files, size_t nfiles)
{
	if (setjmp(R->unwind))
		return -1;
	rrun_summary(R, files, nfiles);
	return R->exit_status;
}

/* The documents of a settled book: --check's table, the statements (one
 * document or --out-dir's files) and --payouts' batches. */
static void write_documents(struct report_run *R)
{
	rrun_date_statements(R);
	R->issue = (struct report_issue){R->opt.issuer, R->opt.to != NULL};
	if (R->opt.payouts)
		rrun_prepare_batches(R);
	if (R->opt.check)
		rrun_check(R);
	else if (R->opt.out_dir)
		rrun_write_out_dir(R);
	else if (!R->opt.payouts) {
		struct out *o = rrun_doc_open(R);
		rrun_check_render(R, report_render_statements(o, R->opt.format, &R->book, R->opt.ledger ? &R->ledger : NULL,
							  &R->issue, 0, R->book.nst, true));
		rrun_doc_close(R, o);
	}
	if (R->opt.payouts)
		rrun_write_batches(R);
}

/* Settle the book read, against the ledger when there is one. */
static void settle(struct report_run *R)
{
	if (R->opt.agreements) {
		rrun_check_status(R, report_book_due(&R->book, &R->opt.rules, R->due_uses, R->ndue_uses), NULL, 0);
		free(R->due_uses);
		R->due_uses = NULL;
		split_rules_free(&R->opt.rules);
	}
	rrun_check_min_payout_currencies(R);
	if (R->opt.ledger) {
		rrun_refuse_silent_opening(R);
		rrun_refuse_repeated_rows(R);
	}
	struct report_settle_error err;
	int rc = report_book_settle(&R->book, R->opt.ledger ? &R->ledger : NULL, R->opt.have_period,
				    R->opt.period.index, &err);
	if (rc != REPORT_OK)
		rrun_die_settling(R, rc, &err);
	if (R->opt.ledger && !R->opt.check)
		rrun_warn_not_over(R);
	rrun_check_status(R, report_book_total(&R->book), NULL, 0);
}

int report_run_statements(struct report_run *R, char **files, size_t nfiles)
{
	if (setjmp(R->unwind))
		return -1;
	if (R->opt.out_dir)
		rrun_prepare_out_dir(R);
	R->book.kind = R->opt.kind;
	R->book.mins = R->opt.mins;
	R->book.nmins = R->opt.nmins;
	if (R->opt.ledger) {
		rrun_refuse_odd_ledger(R);
		rrun_load_ledger(R);
	}
	if (R->opt.merge)
		rrun_read_partials(R, files, nfiles);
	else
		rrun_read_allocations(R, files, nfiles);
	if (R->opt.paid)
		rrun_read_paid(R);
	rrun_tell_left_out(R);
	if (R->opt.partial) {
		rrun_write_partial(R);
		return R->exit_status;
	}
	settle(R);
	write_documents(R);
	/* Everything the run shows must be out before the ledger commits it. */
	out_flush(out_stdout());
	if (R->opt.ledger && !R->opt.check) {
		rrun_write_issued(R);
		rrun_write_ledger(R);
		rrun_write_seal(R);
	}
	lock_release(&R->ledger_lock);
	return R->exit_status;
}

void report_run_free(struct report_run *R)
{
	lock_release(&R->ledger_lock);
	report_costs_free(&R->opt.costs);
	report_fees_free(&R->opt.fees);
	report_outlook_free(&R->opt.outlook);
	report_book_free(&R->book);
}

