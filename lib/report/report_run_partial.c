/* report_run_partial.c - --partial writes a partition's sums, --merge adds
 * the partials up as if their rows were read. */
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

/* ------------------------------------------------- --partial and --merge */

static void copy_left(struct report_partial_left *to, const struct report_left_out *from)
{
	to->count = from->count;
	snprintf(to->file, sizeof to->file, "%s", from->file);
	to->line = from->line;
}

/* --partial: the book's sums, check totals and counters, for --merge. */
void rrun_write_partial(struct report_run *R)
{
	struct report_partial_meta m = {.kind = R->opt.kind, .have_period = R->opt.have_period, .period = R->opt.period.index,
					.have_opening = R->opt.have_opening, .opening = R->opt.opening.index,
					.check = R->have_net, .rows = R->rows_read, .differing = R->differing};
	if (R->opt.to)
		memcpy(m.to, R->opt.to, 3);
	copy_left(&m.after, &R->after_period);
	copy_left(&m.before, &R->before_period);
	copy_left(&m.early, &R->early_rows);
	for (int i = 0; i < R->ncurrencies && i < REPORT_PARTIAL_CURRENCIES; i++)
		memcpy(m.currencies[m.ncurrencies++], R->currencies[i], 4);
	struct out *o = rrun_doc_open(R);
	report_partial_write(o, &R->book, &m);
	rrun_doc_close(R, o);
}

static void die_merge_option(struct report_run *R, const char *file, const char *what, const char *theirs, const char *ours)
{
	rrun_fail(R, EXIT_USAGE, "%s: the partials were read with %s %s, the merge has %s: give the merge the same",
		 file, what, *theirs ? theirs : "none", *ours ? ours : "none");
}

/* The merge runs as the partials' reads did: the same kind of period,
 * --period and --opening. */
static void check_merge_options(struct report_run *R, const struct report_partial_meta *m, const char *file)
{
	char a[DATE_BUF] = "", b[DATE_BUF] = "";
	if (m->kind != R->opt.kind)
		die_merge_option(R, file, "periods of kind", period_kind_name(m->kind), period_kind_name(R->opt.kind));
	if (m->have_period != R->opt.have_period || (m->have_period && m->period != R->opt.period.index)) {
		if (m->have_period)
			period_format(a, (struct period){m->kind, m->period});
		if (R->opt.have_period)
			period_format(b, R->opt.period);
		die_merge_option(R, file, "--period", a, b);
	}
	if (m->have_opening != R->opt.have_opening || (m->have_opening && m->opening != R->opt.opening.index)) {
		if (m->have_opening)
			period_format(a, (struct period){m->kind, m->opening});
		if (R->opt.have_opening)
			period_format(b, R->opt.opening);
		die_merge_option(R, file, "--opening", a, b);
	}
}

static void take_left(struct report_left_out *to, const struct report_partial_left *from)
{
	to->count = from->count;
	snprintf(to->file, sizeof to->file, "%s", from->file);
	to->line = from->line;
}

/* --merge: add the partials up into the book, as if their rows were read. */
void rrun_read_partials(struct report_run *R, char **files, size_t nfiles)
{
	static struct report_partial_meta m;
	static char to[4];
	struct tsv_reader *const rp = &R->rd;
	char err[256];
	int rc;

	rrun_open(R, rp, files, nfiles);
	if (report_partial_check_header(rp) < 0)
		rrun_fail_at(R, EXIT_DATA, rp->file, 1, "not a partial of tally-report --partial (its header is not \"%s\")",
			    REPORT_PARTIAL_HEADER);
	m.kind = R->opt.kind;
	/* without a ledger, -p leaves out the rows before it (before_first) */
	m.drop_before = R->opt.have_period && !R->opt.ledger;
	m.drop_period = R->opt.period.index;
	while ((rc = tsv_next(rp)) == 1) {
		int st = report_partial_add(&R->book, &m, rp->fields, err, sizeof err);
		if (st < 0)
			rrun_fail_at(R, EXIT_DATA, rp->file, rp->line, "%s", err);
		rrun_check_status(R, st, rp->file, rp->line);
	}
	if (rc < 0)
		rrun_die_read_error(R, rp);
	char last[512];
	snprintf(last, sizeof last, "%s", rp->file);
	tsv_close(rp);
	check_merge_options(R, &m, last);
	if (R->opt.check && m.no_check)
		rrun_fail(R, EXIT_USAGE, "--check: a partial has no check totals: make the partials with --partial --check");
	if (m.to[0]) {
		memcpy(to, m.to, 4);
		R->opt.to = to;
	}
	take_left(&R->after_period, &m.after);
	take_left(&R->before_period, m.before.count || !m.drop_before ? &m.before : &m.early);
	if (m.drop_before && m.before.count)
		R->before_period.count += m.early.count;
	for (int i = 0; i < m.ncurrencies; i++)
		rrun_note_currency(R, m.currencies[i]);
	R->rows_read = m.rows;
	if (R->opt.check && m.differing) {
		rrun_warn(R, "%ld sale%s in the partials %s allocations that do not sum to %s net (--check on their "
			  "partition names them)",
			  m.differing, m.differing == 1 ? "" : "s", m.differing == 1 ? "has" : "have",
			  m.differing == 1 ? "its" : "their");
		R->exit_status = EXIT_DATA;
	}
}
