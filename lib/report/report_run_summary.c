/* report_run_summary.c - --summary: the sales stream read into the
 * figures at a glance (and --business's tables). */
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

/* ------------------------------------------------------------ the summary */

static bool field_is(const struct tsv_field *f, const char *s)
{
	return f->len == strlen(s) && memcmp(f->s, s, f->len) == 0;
}

/* The day of a time (days since 1970-01-01, rounded down). */
static int64_t day_of(int64_t when)
{
	return when >= 0 ? when / 86400 : -((-when + 86399) / 86400);
}

/* A row's quantity: its whole number, 1 when empty or absent. */
static int64_t row_quantity(struct report_run *R, const struct tsv_reader *r, int col)
{
	char *end;
	if (col < 0 || r->fields[col].len == 0)
		return 1;
	errno = 0;
	long long q = strtoll(r->fields[col].s, &end, 10);
	if (*end || errno || end == r->fields[col].s)
		rrun_die_value(R, r, "quantity", &r->fields[col], "is not a whole number");
	return q;
}

/* Die for a failed report_business_* call, naming the row (r, when known)
 * or the cost or fee schedule. */
static void check_business(struct report_run *R, const struct report_business *b, int rc, const struct tsv_reader *r)
{
	const struct report_business_fail *f = &b->fail;
	char day[DATE_BUF];
	switch (rc) {
	case REPORT_BUSINESS_OK: return;
	case REPORT_BUSINESS_ENOMEM: rrun_fail(R, EXIT_DATA, "out of memory");
	case REPORT_BUSINESS_ECURRENCIES:
		rrun_fail_at(R, EXIT_DATA, r ? r->file : NULL, r ? r->line : 0,
			    "sales in %s and %s: --business, --costs, --whatif and --forecast work in one currency: give --fx RATES --to CUR",
			    b->currency, f->currency);
	case REPORT_BUSINESS_ECURRENCY:
		rrun_fail_at(R, EXIT_DATA, f->file, f->line,
			    "column \"currency\": \"%s\" is not the sales' currency %s: give --fx RATES --to %s",
			    f->currency, b->currency, b->currency);
	case REPORT_BUSINESS_ENORATE:
		date_format_day(day, f->day * 86400);
		rrun_fail_at(R, EXIT_DATA, f->file, f->line, "no %s rate for %s on or before %s in %s", b->currency,
			    f->currency, day, R->opt.fx_path);
	default:
		rrun_fail_at(R, EXIT_DATA, r ? r->file : NULL, r ? r->line : 0, "the total overflows");
	}
}

/* --costs and --whatif: load the tables, or die naming file, line and
 * column. */
void rrun_check_table_load(struct report_run *R, int rc, const struct report_load_error *e)
{
	if (rc == REPORT_LOAD_EOPEN)
		rrun_fail(R, EXIT_USAGE, "%s: %s", e->file, strerror(errno));
	if (rc == REPORT_LOAD_EDATA || rc == REPORT_LOAD_ECOLUMN)
		rrun_fail_at(R, rc == REPORT_LOAD_ECOLUMN ? EXIT_USAGE : EXIT_DATA, e->file, e->line, "%s", e->msg);
	if (rc != REPORT_LOAD_OK)
		rrun_fail(R, EXIT_DATA, "out of memory");
}

/* --summary: read the sales stream, then write the figures. */
void rrun_summary(struct report_run *R, char **files, size_t nfiles)
{
	static const struct tsv_field none = {"", 0, true};
	struct kinds_tally *passed = &R->passed;
	struct report_summary *sum = &R->sum;
	*sum = (struct report_summary){.kind = R->opt.kind, .shown_only = R->opt.have_period,
				     .shown_period = R->opt.period.index, .tmpdir = getenv("TMPDIR")};
	const char *budget = getenv("TALLY_SORT_BUFFER"); /* the customers' sort, as ingest --sort */
	if (budget && *budget && extsort_parse_size(budget, &sum->sort_budget) < 0)
		rrun_fail(R, EXIT_USAGE, "TALLY_SORT_BUFFER: \"%s\" is not a size (bytes, or with k, m or g)", budget);
	struct row_cache c = {0};
	struct tsv_reader *const rp = &R->rd;
	int rc;

	rrun_open(R, rp, files, nfiles);
	/* an allocations stream repeats each sale once per payee: its gross,
	 * fee and net would count once per share (issue 10 item 4) */
	if (tsv_col(rp, "payee") >= 0 && tsv_col(rp, "amount") >= 0)
		rrun_fail_at(R, EXIT_DATA, rp->file, 1,
			    "an allocations stream (it has columns payee and amount): each sale is on one row per payee "
			    "and would count once per share; --summary reads the sales stream (tally-ingest's output, before tally-split)");
	int c_date = rrun_col(R, rp, "date"), c_source = rrun_col(R, rp, "source");
	int c_kind = rrun_col(R, rp, "kind"), c_cur = rrun_col(R, rp, "currency");
	int c_gross = rrun_col(R, rp, "gross"), c_fee = rrun_col(R, rp, "fee");
	int c_net = rrun_col(R, rp, "net"), c_product = tsv_col(rp, "product");
	int c_country = tsv_col(rp, "country"), c_customer = tsv_col(rp, "customer");
	int c_quantity = tsv_col(rp, "quantity");
	struct report_business *biz = &R->biz;
	*biz = (struct report_business){.kind = R->opt.kind, .costs = R->opt.costs_path ? &R->opt.costs : NULL,
				      .fees = R->opt.whatif_path ? &R->opt.fees : NULL,
				      .outlook = R->opt.forecast_path ? &R->opt.outlook : NULL, .balance = R->opt.balance,
				      .fx = R->opt.to ? &R->opt.fx : NULL};
	if (R->opt.business) {
		sum->extra = report_business_tables;
		sum->extra_html = report_business_chart;
		sum->extra_ctx = biz;
	}

	while ((rc = tsv_next(rp)) == 1) {
		const struct tsv_field *f = rp->fields;
		progress_tick(&R->progress, rp->bytes_read);
		rrun_row_date(R, &c, rp, &f[c_date]);
		/* rows before --period are history: customers seen before are
		 * returning ones, and growth is over the month before */
		if (R->opt.have_period && c.period > R->opt.period.index)
			continue;
		if (field_is(&f[c_kind], "payout")) {
			if (R->opt.business)
				check_business(R, biz, report_business_payout(biz, c.period, day_of(c.when)), rp);
			continue; /* a transfer, not business */
		}
		if (!kinds_known(f[c_kind].s)) {
			/* not revenue, and then not net either: told, as split does */
			if (kinds_tally_add(passed, f[c_kind].s) < 0)
				rrun_fail(R, EXIT_DATA, "out of memory");
			continue;
		}
		rrun_row_currency(R, &c, rp, &f[c_cur]);
		const struct tsv_field *product = c_product >= 0 ? &f[c_product] : &none;
		const struct tsv_field *country = c_country >= 0 ? &f[c_country] : &none;
		const struct tsv_field *customer = c_customer >= 0 ? &f[c_customer] : &none;
		int64_t gross = rrun_row_convert(R, &c, rp, rrun_row_amount(R, rp, "gross", &f[c_gross]));
		int64_t fee = rrun_row_convert(R, &c, rp, rrun_row_amount(R, rp, "fee", &f[c_fee]));
		int64_t net = rrun_row_convert(R, &c, rp, rrun_row_amount(R, rp, "net", &f[c_net]));
		const struct report_sale sale = {
			c.period, R->opt.to ? R->opt.to : c.currency,
			f[c_kind].s, product->s, f[c_source].s, country->s, customer->s,
			f[c_kind].len, product->len, f[c_source].len, country->len, customer->len,
			gross, fee, net,
		};
		rrun_check_status(R, report_summary_add(sum, &sale), rp->file, rp->line);
		if (R->opt.business)
			check_business(R, biz, report_business_add(biz, &sale, day_of(c.when), row_quantity(R, rp, c_quantity)),
				       rp);
	}
	if (rc < 0)
		rrun_die_read_error(R, rp);
	progress_end(&R->progress);
	tsv_close(rp);
	if (passed->total) {
		char what[256];
		kinds_tally_format(passed, what, sizeof what);
		rrun_warn(R, "%ld row%s of kinds not in the stream contract (tally.7) left out of every figure: %s",
			  passed->total, passed->total == 1 ? "" : "s", what);
	}
	kinds_tally_free(passed);
	if (R->opt.business)
		check_business(R, biz, report_business_finish(biz, sum), NULL);
	int fin = report_summary_finish(sum);
	errno = sum->temp_errno;
	rrun_check_status(R, fin, NULL, 0);
	struct out *o = rrun_doc_open(R);
	rrun_check_render(R, report_render_summary(o, R->opt.format, sum));
	rrun_doc_close(R, o);
	report_summary_free(sum);
	report_business_free(biz);
}

