/* report_run_out.c - what a run writes: -o FILE or standard output,
 * --out-dir's files, --check's table, --payouts' batches. */
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

const char *const rrun_format_ext[4] = {"tsv", "txt", "md", "html"};

/* ------------------------------------------------------------ output */

void rrun_check_render(struct report_run *R, int rc)
{
	if (rc == REPORT_EOVERFLOW)
		rrun_fail(R, EXIT_DATA, "a statement's running total overflows");
	if (rc != REPORT_OK)
		rrun_fail(R, EXIT_DATA, "out of memory");
}

void rrun_prepare_out_dir(struct report_run *R)
{
	struct stat st;
	if (mkdir(R->opt.out_dir, 0777) < 0 && errno != EEXIST)
		rrun_fail(R, EXIT_USAGE, "%s: %s", R->opt.out_dir, strerror(errno));
	if (stat(R->opt.out_dir, &st) < 0)
		rrun_fail(R, EXIT_USAGE, "%s: %s", R->opt.out_dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		rrun_fail(R, EXIT_USAGE, "%s: %s", R->opt.out_dir, strerror(ENOTDIR));
	if (access(R->opt.out_dir, W_OK | X_OK) < 0)
		rrun_fail(R, EXIT_USAGE, "%s: %s", R->opt.out_dir, strerror(errno));
}

/* The file name of the statements starting at book.st[i], in buf. */
static void statement_file_name(struct report_run *R, char *buf, size_t cap, size_t i)
{
	const struct report_statement *s = &R->book.st[i];
	char safe[REPORT_NAME_MAX + 1], per[DATE_BUF];
	report_safe_name(safe, sizeof safe, s->payee, strlen(s->payee));
	snprintf(buf, cap, "%s-%s.%s", safe, rrun_fmt_period(R, per, s->period), rrun_format_ext[R->opt.format]);
}

/* Before any file is written: two payees whose statements would share a
 * file -- names that differ only by case (one file on a case-insensitive
 * file system) or long names cut to one -- are an error, never one file
 * overwriting the other. */
static void check_out_dir_names(struct report_run *R)
{
	struct names names = {0};
	size_t *owner = NULL, cap = 0; /* the first statement of each name */
	char name[REPORT_NAME_MAX + DATE_BUF + 16];

	for (size_t i = 0; i < R->book.nst; i++) {
		statement_file_name(R, name, sizeof name, i);
		for (char *c = name; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		uint32_t id;
		uint32_t before = names.n;
		if (names_intern(&names, name, strlen(name), &id) < 0 ||
		    !(owner = grow_array(owner, before, &cap, sizeof *owner, 64)))
			rrun_fail(R, EXIT_DATA, "out of memory");
		if (id == before) {
			owner[id] = i;
			continue;
		}
		const struct report_statement *a = &R->book.st[owner[id]], *b = &R->book.st[i];
		if (strcmp(a->payee, b->payee) != 0) {
			statement_file_name(R, name, sizeof name, i);
			free(owner);
			names_free(&names);
			rrun_fail(R, EXIT_DATA, "--out-dir: payees \"%s\" and \"%s\" would share the file %s "
				 "(names that differ only by case, or long names cut to one): "
				 "nothing written; rename one in the agreements", a->payee, b->payee, name);
		}
	}
	free(owner);
	names_free(&names);
}



/* --out-dir: one file per payee and period, DIR/PAYEE-PERIOD.EXT, each
 * written atomically; each path written is printed. */
void rrun_write_out_dir(struct report_run *R)
{
	check_out_dir_names(R);
	for (size_t i = 0; i < R->book.nst;) {
		const struct report_statement *s = &R->book.st[i];
		size_t j = i + 1;
		while (j < R->book.nst && R->book.st[j].period == s->period &&
		       R->book.acc[R->book.st[j].account].payee == R->book.acc[s->account].payee)
			j++;
		char name[REPORT_NAME_MAX + DATE_BUF + 16];
		statement_file_name(R, name, sizeof name, i);
		size_t plen = strlen(R->opt.out_dir) + strlen(name) + 2;
		free(R->path);
		char *path = R->path = rrun_alloc(R, plen);
		snprintf(path, plen, "%s/%s", R->opt.out_dir, name);
		struct out o;
		rrun_stop_if_interrupted(R);
		if (out_open_file_here(&o, path) < 0)
			rrun_fail(R, EXIT_USAGE, "%s: %s", path,
				 errno == ELOOP ? "a symbolic link: statements are not written through links"
						: strerror(errno));
		rrun_check_render(R, report_render_statements(&o, R->opt.format, &R->book, R->opt.ledger ? &R->ledger : NULL, &R->issue, i, j,
						       false));
		if (out_close(&o) < 0)
			rrun_fail(R, EXIT_DATA, "%s: write error: %s", path, strerror(errno));
		struct out *so = out_stdout();
		out_puts(so, path);
		out_putc(so, '\n');
		free(path);
		R->path = NULL;
		i = j;
	}
}

/* The document's destination: -o FILE (atomically: whole or not at all),
 * else standard output. */


struct out *rrun_doc_open(struct report_run *R)
{
	if (!R->opt.output || strcmp(R->opt.output, "-") == 0)
		return out_stdout();
	rrun_stop_if_interrupted(R);
	if (out_open_file(&R->output_file, R->opt.output) < 0)
		rrun_fail(R, EXIT_USAGE, "%s: %s", R->opt.output, strerror(errno));
	return &R->output_file;
}

void rrun_doc_close(struct report_run *R, struct out *o)
{
	if (o != &R->output_file)
		return;
	rrun_stop_if_interrupted(R);
	if (out_close(o) < 0)
		rrun_fail(R, EXIT_DATA, "%s: write error: %s", R->opt.output, strerror(errno));
}

/* --check: the table, and a warning for each line that does not add up. */
void rrun_check(struct report_run *R)
{
	struct report_check_line *lines;
	size_t n;
	int rc = report_book_check(&R->book, &lines, &n);

	if (rc == REPORT_EOVERFLOW)
		rrun_fail(R, EXIT_DATA, "the carried balances overflow");
	rrun_check_status(R, rc, NULL, 0);
	for (size_t i = 0; i < n; i++) {
		const struct report_check_line *l = &lines[i];
		char per[DATE_BUF], a[MONEY_BUF], b[MONEY_BUF], s[MONEY_BUF];
		if (l->ok)
			continue;
		money_format(a, l->net, l->digits);
		money_format(b, l->allocated, l->digits);
		money_format(s, l->paid_and_change, l->digits);
		rrun_warn(R, "%s %s: net sales %s, allocated %s, paid + carried change %s", rrun_fmt_period(R, per, l->period),
			  l->currency, a, b, s);
		R->exit_status = EXIT_DATA;
	}
	struct out *o = rrun_doc_open(R);
	rrun_check_render(R, report_render_check(o, R->opt.format, R->opt.kind, lines, n));
	rrun_doc_close(R, o);
	free(lines);
}

/* ------------------------------------------------------------ --payouts */




static void die_payouts(struct report_run *R, int rc, const char *msg)
{
	if (rc == REPORT_PAYOUTS_ENOMEM)
		rrun_fail(R, EXIT_DATA, "out of memory");
	if (rc != REPORT_PAYOUTS_OK)
		rrun_fail(R, rc == REPORT_PAYOUTS_EOPEN || rc == REPORT_PAYOUTS_EUSAGE ? EXIT_USAGE : EXIT_DATA, "%s", msg);
}

/* The batches of the run's payments, built (and every payment checked)
 * before anything is written; what they leave out is told once. */
void rrun_prepare_batches(struct report_run *R)
{
	char msg[1024], notes[512] = "";
	size_t npayments = 0;
	int rc = report_payees_load(&R->payees, R->opt.payees, msg, sizeof msg);
	for (int f = 0; f < 3 && rc == REPORT_PAYOUTS_OK; f++)
		if (R->opt.payouts & 1u << f) {
			rc = report_batch_build(&R->batches[f], (enum report_payouts_format)f, R->opt.payouts, &R->book, &R->payees,
						!R->opt.out_dir, msg, sizeof msg);
			if (!*notes)
				report_batch_notes(&R->batches[f], notes, sizeof notes);
			npayments += R->batches[f].n;
		}
	die_payouts(R, rc, msg);
	if (*notes)
		rrun_warn(R, "%s", notes);
	if (!npayments && R->opt.out_dir)
		rrun_warn(R, "no payment in this run: no batch file written");
}

/* The batches: into --out-dir beside the statements, else on stdout. */
void rrun_write_batches(struct report_run *R)
{
	char msg[1024];
	rrun_stop_if_interrupted(R);
	for (int f = 0; f < 3; f++)
		if (R->opt.payouts & 1u << f) {
			die_payouts(R, report_batch_put(&R->batches[f], R->opt.out_dir, out_stdout(), msg, sizeof msg), msg);
			report_batch_free(&R->batches[f]);
		}
	report_payees_free(&R->payees);
}

