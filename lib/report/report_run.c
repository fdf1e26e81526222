/* report_run.c - a tally-report run (report_run.h): reading the
 * allocations, the ledger's files, settling, and writing what the run
 * shows, every failure a struct report_fail for the command to say. */
#include "report_run.h"

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

static const char *const format_ext[] = {"tsv", "txt", "md", "html"};

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
static noreturn void run_fail_at(struct report_run *R, int status, const char *file, long line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static noreturn void run_fail_at(struct report_run *R, int status, const char *file, long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	run_vfail(R, status, file, line, fmt, ap);
	va_end(ap);
	longjmp(*R->unwind, 1);
}

static noreturn void run_fail(struct report_run *R, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static noreturn void run_fail(struct report_run *R, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	run_vfail(R, status, NULL, 0, fmt, ap);
	va_end(ap);
	longjmp(*R->unwind, 1);
}

static void run_vwarn(struct report_run *R, const char *file, long line, const char *fmt, va_list ap)
{
	char msg[1536];
	vsnprintf(msg, sizeof msg, fmt, ap);
	R->io.tell(R->io.ctx, file, line, msg);
}

static void run_warn_at(struct report_run *R, const char *file, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void run_warn_at(struct report_run *R, const char *file, long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	run_vwarn(R, file, line, fmt, ap);
	va_end(ap);
}

static void run_warn(struct report_run *R, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void run_warn(struct report_run *R, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	run_vwarn(R, NULL, 0, fmt, ap);
	va_end(ap);
}

static void *run_alloc(struct report_run *R, size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		run_fail(R, EXIT_DATA, "out of memory");
	return p;
}

/* Column name of the stream being read, R->rd; a missing one stops the
 * run (the command names the header, as every command does). */
static int run_col(struct report_run *R, const struct tsv_reader *r, const char *name)
{
	int c = tsv_col(r, name);
	if (c >= 0)
		return c;
	R->fail = (struct report_fail){.status = EXIT_USAGE, .reader = r, .column = name};
	longjmp(*R->unwind, 1);
}

/* Open r on files[0..n), as every command does (cli_tsv_open's messages). */
static void run_open(struct report_run *R, struct tsv_reader *r, char **files, size_t n)
{
	if (tsv_open(r, files, n) != 0) {
		if (errno)
			run_fail(R, EXIT_USAGE, "%s: %s", r->file, strerror(errno));
		run_fail_at(R, EXIT_DATA, r->file, 1, "%s", r->err);
	}
	if (R->io.opened)
		R->io.opened(R->io.ctx, &R->progress, files, n);
}

/* A signal came: finish nothing more (the files under way are removed). */
static void run_stop_if_interrupted(struct report_run *R)
{
	if (*R->interrupted)
		run_fail(R, EXIT_DATA, "interrupted by signal %d: nothing more written", (int)*R->interrupted);
}

/* ------------------------------------------------------- library statuses */

/* Die for a failed report_* call: out of memory, or a sum that overflows
 * (at file:line when the row is known). */
static void check_status(struct report_run *R, int rc, const char *file, long line)
{
	if (rc == REPORT_ENOMEM)
		run_fail(R, EXIT_DATA, "out of memory");
	if (rc == REPORT_ETEMP)
		run_fail(R, EXIT_DATA, "a temporary file in %s: %s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
			 strerror(errno));
	if (rc != REPORT_OK)
		run_fail_at(R, EXIT_DATA, file, line, "the total overflows");
}

static uint32_t intern_name(struct report_run *R, struct report_names *names, const char *s, size_t len)
{
	uint32_t id;
	if (report_names_intern(names, s, len, &id) < 0)
		run_fail(R, EXIT_DATA, "out of memory");
	return id;
}

static int64_t add_checked(struct report_run *R, int64_t a, int64_t b, const char *file, long line)
{
	int64_t sum;
	if (!money_add(a, b, &sum))
		run_fail_at(R, EXIT_DATA, file, line, "the total overflows");
	return sum;
}

/* ------------------------------------------------------ reading rows */





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

static noreturn void die_value(struct report_run *R, const struct tsv_reader *r, const char *col, const struct tsv_field *f,
			       const char *what)
{
	char q[96];
	run_fail_at(R, EXIT_DATA, r->file, r->line, "column \"%s\": %s %s", col,
		    diag_quote(q, sizeof q, f->s, f->len), what);
}

static void row_date(struct report_run *R, struct row_cache *c, const struct tsv_reader *r, const struct tsv_field *f)
{
	if (f->len == c->date_len && f->len && memcmp(f->s, c->date, f->len) == 0)
		return;
	if (date_parse(f->s, f->len, &c->when) < 0)
		die_value(R, r, "date", f, "is not a date");
	c->period = period_of(c->when, R->opt.kind).index;
	if (f->len < sizeof c->date) {
		memcpy(c->date, f->s, f->len);
		c->date_len = f->len;
	} else
		c->date_len = 0;
}

static void note_currency(struct report_run *R, const char *cur)
{
	for (int i = 0; i < R->ncurrencies; i++)
		if (memcmp(R->currencies[i], cur, 3) == 0)
			return;
	if (R->ncurrencies < 8)
		memcpy(R->currencies[R->ncurrencies++], cur, 4);
}

static void row_currency(struct report_run *R, struct row_cache *c, const struct tsv_reader *r, const struct tsv_field *f)
{
	if (f->len == 3 && memcmp(f->s, c->currency, 3) == 0)
		return;
	if (!report_opts_currency(f->s, f->len))
		die_value(R, r, "currency", f, "is not a currency code");
	memcpy(c->currency, f->s, 3);
	c->currency[3] = '\0';
	note_currency(R, c->currency);
}

static int64_t row_amount(struct report_run *R, const struct tsv_reader *r, const char *col, const struct tsv_field *f)
{
	int64_t v;
	int rc = money_parse(f->s, f->len, &v);
	if (rc != MONEY_OK)
		die_value(R, r, col, f, money_strerror(rc));
	return v;
}

static noreturn void die_fx(struct report_run *R, int rc, const char *currency, int64_t when, const struct tsv_reader *r)
{
	if (rc == FX_ENORATE) {
		char day[DATE_BUF];
		date_format_day(day, when);
		run_fail_at(R, EXIT_DATA, r->file, r->line, "no %s rate for %s on or before %s in %s", R->opt.to,
			    currency, day, R->opt.fx_path);
	}
	run_fail_at(R, EXIT_DATA, r->file, r->line, "converting %s to %s overflows", currency, R->opt.to);
}

/* The amount in the reporting currency: itself, or converted (--fx). */
static int64_t row_convert(struct report_run *R, const struct row_cache *c, const struct tsv_reader *r, int64_t v)
{
	int64_t out;
	if (!R->opt.to || memcmp(c->currency, R->opt.to, 3) == 0)
		return v;
	int rc = fx_convert(&R->opt.fx, v, c->currency, R->opt.to, c->when, &out);
	if (rc != FX_OK)
		die_fx(R, rc, c->currency, c->when, r);
	return out;
}

/* The amount of one part of a sale in the reporting currency, converted
 * by running total so the parts still add up (report_sale.h). */
static int64_t row_convert_part(struct report_run *R, struct report_fx_run *run, const struct row_cache *c, const struct tsv_reader *r,
				const char *key, size_t kl, bool groupable, int64_t v)
{
	int64_t out;
	if (!R->opt.to || memcmp(c->currency, R->opt.to, 3) == 0)
		return v;
	int rc = report_fx_run_convert(run, &R->opt.fx, R->opt.to, key, kl, groupable, c->when, c->currency, r->file, v,
				       &out);
	if (rc == 1)
		run_fail_at(R, EXIT_DATA, r->file, r->line, "the total overflows");
	if (rc != FX_OK)
		die_fx(R, rc, c->currency, c->when, r);
	return out;
}

/* Intern a short text cell, remembering the last one: sources and
 * products repeat from row to row. */
static uint32_t cached_name(struct report_run *R, const struct tsv_field *f, char *buf, size_t cap, size_t *len, uint32_t *id,
			    bool *have)
{
	if (*have && f->len == *len && memcmp(f->s, buf, f->len) == 0)
		return *id;
	*id = intern_name(R, &R->book.names, f->s, f->len);
	if (f->len < cap) {
		memcpy(buf, f->s, f->len);
		*len = f->len;
		*have = true;
	} else
		*have = false;
	return *id;
}


static void die_read_error(struct report_run *R, const struct tsv_reader *r)
{
	if (errno)
		run_fail(R, EXIT_DATA, "%s: %s", r->file, strerror(errno));
	run_fail_at(R, EXIT_DATA, r->file, r->line, "%s", r->err);
}

/* ------------------------------------------------------ --check's sales */

#define SALES_SHOWN 20 /* differing sales told one by one, then a summary line */

/* End the sale under way: its net into the period's totals, and a warning
 * when its allocations do not add up to it. */


static void close_sale(struct report_run *R, struct report_sale_group *g)
{
	char a[MONEY_BUF], b[MONEY_BUF];

	if (!g->open)
		return;
	g->open = false;
	check_status(R, report_book_add_check(&R->book, g->period, g->currency, g->net, 0), g->file, g->first_line);
	if (g->sum == g->net)
		return;
	if (R->opt.partial) { /* counted in the partial; the merge tells */
		R->differing++;
		return;
	}
	R->exit_status = EXIT_DATA;
	if (++R->differing > SALES_SHOWN) {
		if (R->differing == SALES_SHOWN + 1)
			run_warn(R, "... more sales differ; showing the first %d", SALES_SHOWN);
		return;
	}
	money_format(a, g->sum, g->digits);
	money_format(b, g->net, g->digits);
	if (g->first_line == g->last_line)
		run_warn_at(R, g->file, g->first_line, "the allocations of this sale sum to %s %s, its net is %s", a,
			     g->currency, b);
	else
		run_warn(R, "%s:%ld-%ld: the allocations of this sale sum to %s %s, its net is %s", g->file,
			  g->first_line, g->last_line, a, g->currency, b);
}

/* One allocation row of a sale: a row continuing the sale under way must
 * repeat its net; a row starting another closes it. */
static void check_row(struct report_run *R, struct report_sale_group *g, bool groupable, const char *key, size_t kl,
		      const struct row_cache *c, int64_t period, const struct tsv_reader *r, const struct tsv_field *f_net,
		      const char *cur_out, int64_t amount)
{
	if (report_sale_group_continues(g, groupable, key, kl, period, cur_out, r->file)) {
		int64_t net = row_convert(R, c, r, row_amount(R, r, "net", f_net));
		if (net != g->net) {
			char a[MONEY_BUF], b[MONEY_BUF];
			money_format(a, net, g->digits);
			money_format(b, g->net, g->digits);
			run_warn_at(R, r->file, r->line, "column \"net\": %s differs from the %s of line %ld of the same sale",
				     a, b, g->first_line);
			R->exit_status = EXIT_DATA;
		}
	} else {
		close_sale(R, g); /* its warning before any about this row */
		int64_t net = row_convert(R, c, r, row_amount(R, r, "net", f_net));
		report_sale_group_start(g, key, kl, net, r->line, r->file, period, cur_out);
	}
	g->sum = add_checked(R, g->sum, amount, r->file, r->line);
	g->last_line = r->line;
	check_status(R, report_book_add_check(&R->book, period, cur_out, 0, amount), r->file, r->line);
}

/* ------------------------------------------------------ the allocations */

/* Rows a run leaves out are counted and told, never dropped silently:
 * with --period P those dated after P belong to a later run; without a
 * ledger (-p filters, as hledger's -p) and before --opening, those dated
 * before it are not this run's. */

/* --partial -p P: rows dated before P are kept (a merge with a ledger
 * posts them as late rows), and counted here for a merge without one. */


static void note_left_out(struct report_left_out *n, const struct tsv_reader *r)
{
	if (n->count++ == 0) {
		snprintf(n->file, sizeof n->file, "%s", r->file);
		n->line = r->line;
	}
}

static void tell_left_out(struct report_run *R)
{
	char per[DATE_BUF];
	if (R->after_period.count) {
		period_format(per, R->opt.period);
		run_warn_at(R, R->after_period.file, R->after_period.line,
			     "%ld row%s dated after --period %s (from here on) left for a later run", R->after_period.count,
			     R->after_period.count == 1 ? "" : "s", per);
	}
	if (R->before_period.count) {
		period_format(per, R->opt.have_opening ? R->opt.opening : R->opt.period);
		run_warn_at(R, R->before_period.file, R->before_period.line, "%ld row%s dated before %s %s (from here on) left out",
			     R->before_period.count, R->before_period.count == 1 ? "" : "s",
			     R->opt.have_opening ? "--opening" : "--period", per);
	}
}

/* ------------------------------------------------------ row identity */

/* The columns that name an allocation row (report_keys.h); not amount,
 * so that a row fed again with another amount is told as changed. */
static const char *const ident_names[] = {
	"source", "order", "line", "kind", "date", "sale_date", "product", "sku",
	"gross", "net", "payee", "currency", "tier", "agreement",
};
#define NIDENT (sizeof ident_names / sizeof ident_names[0])

struct row_ident {
	int col[NIDENT];    /* column index, -1 absent */
	uint64_t last;      /* the previous row's key without occurrence */
	unsigned occurrence;/* rows in a row with that key */
};

static void row_ident_init(struct row_ident *id, const struct tsv_reader *r)
{
	for (size_t i = 0; i < NIDENT; i++)
		id->col[i] = tsv_col(r, ident_names[i]);
	id->last = 0;
	id->occurrence = 0;
}

static uint64_t row_ident_key(struct row_ident *id, const struct tsv_field *f)
{
	const char *s[NIDENT];
	size_t len[NIDENT];
	for (size_t i = 0; i < NIDENT; i++) {
		s[i] = id->col[i] >= 0 ? f[id->col[i]].s : "";
		len[i] = id->col[i] >= 0 ? f[id->col[i]].len : 0;
	}
	uint64_t base = report_row_key(s, len, NIDENT, 1);
	id->occurrence = base == id->last ? id->occurrence + 1 : 1;
	id->last = base;
	return id->occurrence == 1 ? base : report_row_key(s, len, NIDENT, id->occurrence);
}

static int64_t place_row(struct report_run *R, uint64_t key, const struct tsv_reader *r, int64_t period, int64_t amount, int digits);

/* The first period this run books: --opening, or without a ledger --period. */
static bool before_first(struct report_run *R, int64_t period)
{
	if (R->opt.have_opening)
		return period < R->opt.opening.index;
	return R->opt.have_period && !R->opt.ledger && !R->opt.partial && period < R->opt.period.index;
}




/* The rate that converted this row, for the statements to state (its
 * conversion succeeded, so there is one). */
static void note_rate(struct report_run *R, const struct row_cache *c, uint32_t account, int64_t period)
{
	struct ratio rate;
	int64_t rate_when;
	if (fx_lookup(&R->opt.fx, c->currency, R->opt.to, c->when, &rate, &rate_when) == FX_OK)
		check_status(R, report_book_note_fx(&R->book, account, period, c->currency, rate_when, rate), NULL, 0);
}

/* With --agreements: the (payee line, currency) pairs the rows were in. */



static void note_due_use(struct report_run *R, const struct tsv_field *f, const char *currency)
{
	char *end;
	long line = strtol(f->s, &end, 10);
	if (f->len == 0 || end != f->s + f->len || line <= 0)
		return; /* "default": --default-payee's rows */
	for (size_t i = R->ndue_uses; i-- > 0;)
		if (R->due_uses[i].line == line && memcmp(R->due_uses[i].currency, currency, 3) == 0)
			return;
	struct report_due_use *grown = report_grow(R->due_uses, R->ndue_uses, &R->capdue_uses, sizeof *grown, 16);
	if (!grown)
		run_fail(R, EXIT_DATA, "out of memory");
	struct report_due_use *u = &grown[R->ndue_uses++];
	R->due_uses = grown;
	u->line = line;
	memcpy(u->currency, currency, 3);
	u->currency[3] = '\0';
}

/* --agreements: the file parsed as tally-split parses it. */
static void load_agreements(struct report_run *R)
{
	char *text, err[512];
	size_t len;
	long line = 0;
	int rc = report_read_file(R->opt.agreements, &text, &len);
	if (rc != 0)
		run_fail(R, EXIT_USAGE, "%s: %s", R->opt.agreements, rc > 0 ? strerror(ENOENT) : strerror(errno));
	rc = split_rules_parse(&R->opt.rules, R->opt.agreements, text, len, &line, err, sizeof err);
	free(text);
	if (rc == SPLIT_ENOMEM)
		run_fail(R, EXIT_DATA, "out of memory");
	if (rc != SPLIT_OK) /* a missing column is usage, as in a stream (tally(7)) */
		run_fail_at(R, rc == SPLIT_ECOLUMN ? EXIT_USAGE : EXIT_DATA, R->opt.agreements, line, "%s", err);
}

/* The columns of tally-split --waterfall, -1 when the stream has none. */
struct step_cols {
	int gross, reached, commission, recouped, recoupment;
	int agreement; /* the row's agreements line, -1 when the stream has none */
};

static void step_cols_find(struct report_run *R, struct step_cols *sc, const struct tsv_reader *r)
{
	sc->reached = tsv_col(r, "reached");
	sc->gross = sc->commission = sc->recouped = sc->recoupment = sc->agreement = -1;
	if (sc->reached < 0)
		return;
	sc->commission = run_col(R, r, "commission");
	sc->recouped = run_col(R, r, "recouped");
	sc->recoupment = run_col(R, r, "recoupment");
	sc->gross = tsv_col(r, "gross");
	sc->agreement = tsv_col(r, "agreement");
	R->book.have_steps = true;
	R->book.have_gross = sc->gross >= 0;
}

/* A step's value, converted as the row's amount is (each rounded half to even). */
static int64_t step_value(struct report_run *R, const struct row_cache *c, const struct tsv_reader *r, const char *col, int i)
{
	return row_convert(R, c, r, row_amount(R, r, col, &r->fields[i]));
}

/* The row's agreements line (tally-split's `agreement`), 0 when the
 * stream has no such column or the cell is not a line number. */
static long agreement_line(const struct step_cols *sc, const struct tsv_reader *r)
{
	if (sc->agreement < 0)
		return 0;
	const struct tsv_field *f = &r->fields[sc->agreement];
	long line = 0;
	for (size_t i = 0; i < f->len; i++) {
		if (f->s[i] < '0' || f->s[i] > '9' || line > 100000000)
			return 0;
		line = line * 10 + (f->s[i] - '0');
	}
	return line;
}

/* Add the row's waterfall (how its amount was reached) to account's line. */
static void add_steps(struct report_run *R, const struct step_cols *sc, const struct row_cache *c, const struct tsv_reader *r,
		      uint32_t account, uint32_t src, uint32_t prod)
{
	struct report_steps st = {0, 0, 0, 0, 0};
	struct report_recoupment rec[16];
	size_t n;
	if (sc->reached < 0)
		return;
	st.reached = step_value(R, c, r, "reached", sc->reached);
	st.commission = step_value(R, c, r, "commission", sc->commission);
	st.recouped = step_value(R, c, r, "recouped", sc->recouped);
	if (sc->gross >= 0)
		st.gross = step_value(R, c, r, "gross", sc->gross);
	if (!money_add(st.reached, st.commission, &st.basis) || !money_add(st.basis, st.recouped, &st.basis))
		run_fail_at(R, EXIT_DATA, r->file, r->line, "the total overflows");
	check_status(R, report_book_add_steps(&R->book, account, src, prod, &st), r->file, r->line);
	const struct tsv_field *f = &r->fields[sc->recoupment];
	if (!report_recoupment_parse(f->s, f->len, c->when, rec, sizeof rec / sizeof *rec, &n))
		die_value(R, r, "recoupment", f, "is not LINE:CAP:CUR:RECOUPED entries joined by commas");
	n = report_recoupment_keep(rec, n, agreement_line(sc, r));
	check_status(R, report_book_note_recoupment(&R->book, account, rec, n), NULL, 0);
}

static void read_allocations(struct report_run *R, char **files, size_t nfiles)
{
	static const struct tsv_field none = {"", 0, true};
	struct report_fx_run run = {0};
	struct report_sale_group sale = {0};
	struct row_cache c = {0};
	struct tsv_reader *const rp = &R->rd;
	int rc;

	run_open(R, rp, files, nfiles);
	int c_date = run_col(R, rp, "date");
	int c_payee = run_col(R, rp, "payee");
	int c_cur = run_col(R, rp, "currency");
	int c_amount = run_col(R, rp, "amount");
	int c_source = tsv_col(rp, "source");
	int c_product = tsv_col(rp, "product");
	int c_net = R->opt.check ? run_col(R, rp, "net") : -1;
	R->have_net = c_net >= 0; /* --partial --check: the check totals go in the partial */
	int key_cols[5] = {tsv_col(rp, "origin"), c_source, tsv_col(rp, "order"), tsv_col(rp, "line"),
			   tsv_col(rp, "kind")};
	/* Without origin or order there is no way to tell sales apart: each
	 * row is then its own sale. */
	bool groupable = key_cols[0] >= 0 || key_cols[2] >= 0;
	struct row_ident ident;
	row_ident_init(&ident, rp);
	struct step_cols sc;
	step_cols_find(R, &sc, rp);
	int c_agreement = R->opt.agreements ? tsv_col(rp, "agreement") : -1;

	while ((rc = tsv_next(rp)) == 1) {
		const struct tsv_field *f = rp->fields;
		progress_tick(&R->progress, rp->bytes_read);
		char key[REPORT_SALE_KEY_MAX];

		if (*R->interrupted)
			run_stop_if_interrupted(R);
		row_date(R, &c, rp, &f[c_date]);
		if (R->opt.have_period && c.period > R->opt.period.index) {
			note_left_out(&R->after_period, rp);
			continue;
		}
		if (before_first(R, c.period)) {
			note_left_out(&R->before_period, rp);
			continue;
		}
		if (R->opt.partial && R->opt.have_period && c.period < R->opt.period.index)
			note_left_out(&R->early_rows, rp);
		row_currency(R, &c, rp, &f[c_cur]);
		if (f[c_payee].len == 0)
			die_value(R, rp, "payee", &f[c_payee], "is empty");
		size_t kl = R->have_net || R->opt.to ? report_sale_key(key, sizeof key, f, key_cols) : 0;
		int64_t amount = row_convert_part(R, &run, &c, rp, key, kl, groupable, row_amount(R, rp, "amount", &f[c_amount]));
		const char *cur_out = R->opt.to ? R->opt.to : c.currency;

		uint32_t account, payee = intern_name(R, &R->book.names, f[c_payee].s, f[c_payee].len);
		check_status(R, report_book_account(&R->book, payee, cur_out, &account), NULL, 0);
		const struct tsv_field *fs = c_source >= 0 ? &f[c_source] : &none;
		const struct tsv_field *fp = c_product >= 0 ? &f[c_product] : &none;
		uint32_t src = cached_name(R, fs, c.src, sizeof c.src, &c.src_len, &c.src_id, &c.have_src);
		uint32_t prod = cached_name(R, fp, c.prod, sizeof c.prod, &c.prod_len, &c.prod_id, &c.have_prod);
		int64_t into = R->opt.ledger ? place_row(R, row_ident_key(&ident, f), rp, c.period, amount, currency_digits(cur_out, 3)) : c.period;
		check_status(R, report_book_add_into(&R->book, account, c.period, into, src, prod, amount), rp->file, rp->line);
		add_steps(R, &sc, &c, rp, account, src, prod);
		if (c_agreement >= 0)
			note_due_use(R, &f[c_agreement], cur_out);
		R->rows_read++;
		if (R->opt.to && memcmp(c.currency, R->opt.to, 3) != 0)
			note_rate(R, &c, account, into);
		if (R->have_net)
			check_row(R, &sale, groupable, key, kl, &c, R->book.keyed ? into : c.period, rp, &f[c_net], cur_out, amount);
	}
	if (rc < 0)
		die_read_error(R, rp);
	/* rp->file may be freed with the reader: the sale keeps its own copy. */
	if (sale.open) {
		static char last_file[512];
		snprintf(last_file, sizeof last_file, "%s", sale.file);
		sale.file = last_file;
		close_sale(R, &sale);
	}
	progress_end(&R->progress);
	tsv_close(rp);
}

/* A bare --min-payout is ambiguous when the input has several currencies. */
static void check_min_payout_currencies(struct report_run *R)
{
	bool bare = false;
	for (size_t i = 0; i < R->opt.nmins; i++)
		bare |= !R->opt.mins[i].currency[0];
	if (bare && !R->opt.to && R->ncurrencies > 1)
		run_fail(R, EXIT_USAGE, "--min-payout: an amount without a currency, and the input has %s and %s: "
				     "give one per currency (%s=50,%s=40) or use --fx and --to",
			 R->currencies[0], R->currencies[1], R->currencies[0], R->currencies[1]);
}

/* ------------------------------------------------------------ the ledger */












static void say_waiting(const char *lock_path, void *ctx)
{
	run_warn(ctx, "waiting for the lock on %s", lock_path);
}

/* A ledger is a regular file tally-report replaces by rename: not a
 * device (-l /dev/null would accept every run and keep nothing), a
 * folder or a pipe. */
static void refuse_odd_ledger(struct report_run *R)
{
	struct stat st;
	if (stat(R->opt.ledger, &st) == 0 && !S_ISREG(st.st_mode))
		run_fail(R, EXIT_USAGE, "%s: not a regular file: a ledger is a file of its own", R->opt.ledger);
}

static const char *seal_period(char *buf, const struct report_seal *s)
{
	if (!s->periods)
		return strcpy(buf, "none");
	period_format(buf, s->last);
	return buf;
}

/* The ledger against its seal: a ledger shorter than the seal says (cut
 * at a period boundary, emptied, restored from an older copy) would pay
 * the lost periods again, so it is refused.  A ledger without a seal is
 * one from before seals: it is sealed when this run writes it. */
static void check_seal(struct report_run *R)
{
	char err[256], a[DATE_BUF], b[DATE_BUF];
	struct report_seal now;

	size_t n = strlen(R->opt.ledger) + sizeof ".seal";
	R->seal_path = malloc(n);
	if (!R->seal_path)
		run_fail(R, EXIT_DATA, "out of memory");
	snprintf(R->seal_path, n, "%s.seal", R->opt.ledger);
	int rc = report_seal_load(&R->seal, R->seal_path, err, sizeof err);
	if (rc == -1)
		run_fail(R, EXIT_USAGE, "%s: %s", R->seal_path, strerror(errno));
	if (rc == -2)
		run_fail(R, EXIT_DATA, "%s: %s; refusing to use the ledger %s", R->seal_path, err, R->opt.ledger);
	R->have_seal = rc == 0;
	if (!R->have_seal || report_seal_check(&R->ledger, &R->seal) != REPORT_SEAL_SHORT)
		return;
	report_seal_of(&R->ledger, &now);
	run_fail(R, EXIT_DATA,
		 "%s: the ledger holds %zu closed period%s (last: %s), but its seal %s says %zu (last: %s, chain %016llx): "
		 "it was cut, emptied or restored from an older copy, and the periods lost would be paid again; "
		 "restore the ledger that ends with the closing row of %s (chain %016llx), from a backup or "
		 "another copy",
		 R->opt.ledger, now.periods, now.periods == 1 ? "" : "s", seal_period(a, &now), R->seal_path, R->seal.periods,
		 seal_period(b, &R->seal), (unsigned long long)R->seal.chain, b, (unsigned long long)R->seal.chain);
}

/* After the ledger is written, its seal: atomically, under the lock. */
static void write_seal(struct report_run *R)
{
	const struct report_seal *s = &R->new_seal;
	char text[128];
	struct out o;

	if (!s->periods || (R->have_seal && s->periods == R->seal.periods && s->chain == R->seal.chain && s->keys == R->seal.keys))
		return;
	size_t len = report_seal_format(text, sizeof text, s);
	run_stop_if_interrupted(R);
	if (!len || out_open_file(&o, R->seal_path) < 0)
		run_fail(R, EXIT_USAGE, "%s: %s", R->seal_path, strerror(errno));
	out_write(&o, text, len);
	if (out_close(&o) < 0)
		run_fail(R, EXIT_DATA, "%s: write error: %s", R->seal_path, strerror(errno));
}

static const char *fmt_period(struct report_run *R, char *buf, int64_t index);

/* The ledger's key record: which rows its periods booked.  A ledger from
 * before key records (closed periods, no record, a seal that does not say
 * it had one) is read as before, rows told by amounts, until a run whose
 * input holds every period it booked records them (migrate_keys). */
static void load_keys(struct report_run *R)
{
	long line;
	char err[256];
	size_t n = strlen(R->opt.ledger) + sizeof ".keys";
	R->keys_path = run_alloc(R, n);
	snprintf(R->keys_path, n, "%s.keys", R->opt.ledger);
	int rc = report_keys_load(&R->keys, R->keys_path, R->opt.kind, &line, err, sizeof err);
	if (rc == -1)
		run_fail(R, EXIT_USAGE, "%s: %s", R->keys_path, strerror(errno));
	if (rc == -2)
		run_fail_at(R, EXIT_DATA, R->keys_path, line, "%s; refusing to use the ledger %s", err, R->opt.ledger);
	R->keys.kind = R->new_keys.kind = R->opt.kind;
	if (rc == 1 && R->have_seal && R->seal.keys)
		run_fail(R, EXIT_DATA, "%s: the ledger's key record is missing (its seal %s says it has one): without it "
				    "rows already paid would be paid again; restore it with the ledger",
			 R->keys_path, R->seal_path);
	if (rc == 1 && R->ledger.nclosings) {
		R->keys_legacy = true;
		run_warn(R, "%s: no key record (a ledger from before them): rows are told from the ledger's by "
			  "amounts until a run whose input holds every period the ledger booked records them",
			  R->opt.ledger);
	}
	if (rc == 0 && report_keys_check(&R->keys, R->ledger.last_chain, R->ledger.has_rows, R->ledger.last.index) ==
			       REPORT_KEYS_STRANGER)
		run_fail(R, EXIT_DATA, "%s: this key record does not go with the ledger %s (its chain %016llx is not the "
				    "ledger's %016llx): restore the two together",
			 R->keys_path, R->opt.ledger, (unsigned long long)R->keys.chain, (unsigned long long)R->ledger.last_chain);
	R->book.keyed = !R->keys_legacy;
}

/* The period an allocation row posts into, by its key: the one the ledger
 * booked it into (with the amount it had), its own, or for a row of a
 * closed period the ledger does not hold, the run's first (late). */
static int64_t place_row(struct report_run *R, uint64_t key, const struct tsv_reader *r, int64_t period, int64_t amount, int digits)
{
	int64_t into = period;
	if (R->book.keyed) {
		const struct report_key *k = report_keys_find(&R->keys, key);
		if (k && k->amount != amount) {
			char a[MONEY_BUF], b[MONEY_BUF], per[DATE_BUF];
			money_format(a, amount, digits);
			money_format(b, k->amount, digits);
			run_fail_at(R, EXIT_DATA, r->file, r->line,
				    "column \"amount\": %s, but the ledger booked this row into %s as %s: a period in the "
				    "ledger cannot change (a changed sale comes from tally-split as its difference, a row of its own)",
				    a, fmt_period(R, per, k->period), b);
		}
		if (k)
			return k->period;
		if (R->ledger.has_rows && period <= R->ledger.last.index)
			into = R->opt.have_period ? R->opt.period.index : R->ledger.last.index + 1;
	}
	if (report_keys_add(&R->new_keys, key, into, amount) < 0)
		run_fail(R, EXIT_DATA, "out of memory");
	return into;
}

/* ------------------------------------------------------ --paid */

#define PAID_SOURCE "paid outside tally"

/* Whether a payment recorded before, posted into `into`, is part of what
 * this run shows or checks: the periods the allocations post into, or
 * --period's. */
static bool paid_in_run(struct report_run *R, int64_t into)
{
	return report_book_posts_into(&R->book, into) || (R->opt.have_period && into == R->opt.period.index);
}

/* One payment: the ledger's when its reference is (it must say the same
 * amount), else new, posted into its period or, dated in a closed one,
 * the run's first.  Returns whether it goes into the book, *into where. */
static bool place_payment(struct report_run *R, const struct tsv_reader *r, const struct tsv_field *ref, int64_t period, int64_t amount,
			  int digits, long *known, int64_t *into)
{
	uint64_t key = report_paid_key(ref->s, ref->len);
	const struct report_key *k = report_keys_find(&R->keys, key);
	if (k && k->amount != amount) {
		char a[MONEY_BUF], b[MONEY_BUF];
		money_format(a, -amount, digits);
		money_format(b, -k->amount, digits);
		char q[96];
		run_fail_at(R, EXIT_DATA, r->file, r->line, "column \"reference\": %s was recorded as paid %s, not %s: a payment "
			    "recorded cannot change", diag_quote(q, sizeof q, ref->s, ref->len), b, a);
	}
	if (k) {
		*into = k->period;
		++*known;
		return paid_in_run(R, *into);
	}
	*into = period;
	if (R->ledger.has_rows && period <= R->ledger.last.index)
		*into = R->opt.have_period ? R->opt.period.index : R->ledger.last.index + 1;
	if (report_keys_add(&R->new_keys, key, *into, amount) < 0)
		run_fail(R, EXIT_DATA, "out of memory");
	return true;
}

/* --paid FILE: each payment made outside tally is posted as a negative
 * earning "paid outside tally: REFERENCE" of its payee, once: its
 * reference is its identity in the key record.  Payments dated after the
 * run's last period are left for a later run, told. */
static void read_paid(struct report_run *R)
{
	struct row_cache c = {0};
	struct tsv_reader *const rp = &R->rd;
	char *files[1] = {(char *)R->opt.paid};
	long known = 0, later = 0;
	int64_t last = R->opt.have_period ? R->opt.period.index : R->book.have_range ? R->book.pmax : INT64_MIN;
	uint32_t src = intern_name(R, &R->book.names, PAID_SOURCE, strlen(PAID_SOURCE));
	int rc;

	if (R->keys_legacy)
		run_fail(R, EXIT_DATA, "%s: --paid needs the ledger's key record, to record each payment once: run once with "
				    "a file of every period the ledger booked first", R->opt.ledger);
	run_open(R, rp, files, 1);
	int c_payee = run_col(R, rp, "payee"), c_date = run_col(R, rp, "date");
	int c_amount = run_col(R, rp, "amount"), c_cur = run_col(R, rp, "currency");
	int c_ref = run_col(R, rp, "reference");
	while ((rc = tsv_next(rp)) == 1) {
		const struct tsv_field *f = rp->fields;
		row_date(R, &c, rp, &f[c_date]);
		row_currency(R, &c, rp, &f[c_cur]);
		int64_t amount = row_amount(R, rp, "amount", &f[c_amount]);
		if (amount <= 0)
			die_value(R, rp, "amount", &f[c_amount], "is not a payment: more than 0 was paid");
		if (f[c_payee].len == 0)
			die_value(R, rp, "payee", &f[c_payee], "is empty");
		if (f[c_ref].len == 0)
			die_value(R, rp, "reference", &f[c_ref], "is empty: a payment is known by its reference");
		if (R->opt.to && memcmp(c.currency, R->opt.to, 3) != 0)
			die_value(R, rp, "currency", &f[c_cur], "is not the --to currency: a payment is recorded as paid");
		if (c.period > last || before_first(R, c.period)) {
			later += c.period > last;
			continue;
		}
		int64_t into;
		if (!place_payment(R, rp, &f[c_ref], c.period, -amount, currency_digits(c.currency, 3), &known, &into))
			continue;
		uint32_t account, payee = intern_name(R, &R->book.names, f[c_payee].s, f[c_payee].len);
		uint32_t prod = intern_name(R, &R->book.names, f[c_ref].s, f[c_ref].len);
		check_status(R, report_book_account(&R->book, payee, c.currency, &account), NULL, 0);
		check_status(R, report_book_add_into(&R->book, account, c.period, into, src, prod, -amount), rp->file, rp->line);
		if (R->opt.check)
			check_status(R, report_book_add_check(&R->book, into, c.currency, -amount, -amount), rp->file, rp->line);
	}
	if (rc < 0)
		die_read_error(R, rp);
	tsv_close(rp);
	if (known)
		run_warn(R, "%s: %ld payment%s the ledger has recorded already, not recorded again", R->opt.paid, known,
			  known == 1 ? "" : "s");
	if (later)
		run_warn(R, "%s: %ld payment%s dated after this run's last period left for a later run", R->opt.paid, later,
			  later == 1 ? "" : "s");
}

/* LEDGER.issued: the issue date of each period the ledger closed, so that
 * a re-run shows the statements as they were issued.  A TSV stream
 * "period issued", written atomically under the ledger's lock before the
 * ledger; a period settled again (its ledger write failed) is replaced. */




static void add_issued(struct report_run *R, int64_t period, const char *day)
{
	for (size_t i = 0; i < R->nissued; i++)
		if (R->issued[i].period == period) {
			snprintf(R->issued[i].day, sizeof R->issued[i].day, "%s", day);
			return;
		}
	if (!(R->issued = report_grow(R->issued, R->nissued, &R->capissued, sizeof *R->issued, 64)))
		run_fail(R, EXIT_DATA, "out of memory");
	R->issued[R->nissued].period = period;
	snprintf(R->issued[R->nissued++].day, sizeof R->issued->day, "%s", day);
}

static const char *issued_on(struct report_run *R, int64_t period)
{
	for (size_t i = 0; i < R->nissued; i++)
		if (R->issued[i].period == period)
			return R->issued[i].day;
	return "";
}

static void load_issued(struct report_run *R)
{
	struct tsv_reader *const rp = &R->rd;
	struct stat st;
	size_t n = strlen(R->opt.ledger) + sizeof ".issued";
	R->issued_path = run_alloc(R, n);
	snprintf(R->issued_path, n, "%s.issued", R->opt.ledger);
	if (stat(R->issued_path, &st) < 0 && errno == ENOENT)
		return; /* a ledger from before issue dates */
	char *paths[1] = {R->issued_path};
	run_open(R, rp, paths, 1);
	progress_end(&R->progress);
	int c_period = run_col(R, rp, "period"), c_issued = run_col(R, rp, "issued"), rc;
	while ((rc = tsv_next(rp)) == 1) {
		struct period p;
		int64_t t;
		char day[DATE_BUF];
		const struct tsv_field *f = rp->fields;
		if (period_parse(f[c_period].s, f[c_period].len, &p) < 0 || p.kind != R->opt.kind)
			die_value(R, rp, "period", &f[c_period], "is not a period of the ledger's kind");
		if (date_parse(f[c_issued].s, f[c_issued].len, &t) < 0 ||
		    (date_format_day(day, t), f[c_issued].len != strlen(day) || memcmp(day, f[c_issued].s, f[c_issued].len)))
			die_value(R, rp, "issued", &f[c_issued], "is not a day (YYYY-MM-DD)");
		add_issued(R, p.index, day);
	}
	if (rc < 0)
		die_read_error(R, rp);
	tsv_close(rp);
}

/* The issue date of every statement: a reproduced one's from
 * LEDGER.issued ("" when not recorded), a new one's of this run. */
static void date_statements(struct report_run *R)
{
	for (size_t i = 0; i < R->book.nst; i++) {
		struct report_statement *s = &R->book.st[i];
		const char *day = s->reproduced ? issued_on(R, s->period) : R->opt.issue_date;
		snprintf(s->issued, sizeof s->issued, "%s", day);
	}
}

static void write_issued(struct report_run *R)
{
	struct out o;
	char per[DATE_BUF];
	if (!R->book.have_settled)
		return;
	for (int64_t p = R->book.settled_first; p <= R->book.settled_last; p++)
		add_issued(R, p, R->opt.issue_date);
	run_stop_if_interrupted(R);
	if (out_open_file(&o, R->issued_path) < 0)
		run_fail(R, EXIT_USAGE, "%s: %s", R->issued_path, strerror(errno));
	out_puts(&o, "period\tissued\n");
	for (size_t i = 0; i < R->nissued; i++) {
		period_format(per, (struct period){R->opt.kind, R->issued[i].period});
		out_printf(&o, "%s\t%s\n", per, R->issued[i].day);
	}
	if (out_close(&o) < 0)
		run_fail(R, EXIT_DATA, "%s: write error: %s", R->issued_path, strerror(errno));
}

/* Read the ledger, under its lock unless only checking. */
static void load_ledger(struct report_run *R)
{
	long line;
	char err[512], a[DATE_BUF];

	/* a ledger that cannot be opened or created is a usage error (tally.7) */
	if (!R->opt.check && lock_acquire(&R->ledger_lock, R->opt.ledger, say_waiting, R) < 0)
		run_fail(R, EXIT_USAGE, "%s: %s", R->ledger_lock.path ? R->ledger_lock.path : R->opt.ledger, strerror(errno));
	int rc = report_ledger_load(&R->ledger, R->opt.ledger, &line, err, sizeof err);
	if (rc == -1)
		run_fail(R, EXIT_USAGE, "%s: %s", R->opt.ledger, strerror(errno));
	if (rc == -2)
		run_fail_at(R, EXIT_DATA, R->opt.ledger, line, "%s; refusing to use this ledger", err);
	check_seal(R);
	load_issued(R);
	if (R->ledger.has_rows && R->ledger.last.kind != R->opt.kind) {
		period_format(a, R->ledger.last);
		run_fail(R, EXIT_USAGE, "%s: the ledger is kept by %s (%s), not by %s", R->opt.ledger,
			 period_kind_name(R->ledger.last.kind), a, period_kind_name(R->opt.kind));
	}
	load_keys(R);
}

static const char *fmt_period(struct report_run *R, char *buf, int64_t index)
{
	period_format(buf, (struct period){R->opt.kind, index});
	return buf;
}

/* Say why settling failed (report_book_settle). */
static noreturn void die_settling(struct report_run *R, int rc, const struct report_settle_error *e)
{
	char a[DATE_BUF], b[DATE_BUF], c[DATE_BUF], x[MONEY_BUF], y[MONEY_BUF];
	const struct report_account *acc = &R->book.acc[e->account];
	const struct report_ledger_row *row = e->row;

	switch (rc) {
	case REPORT_ELEDGER_EARNED:
		period_format(a, row->period);
		money_format(x, row->earned, row->digits);
		money_format(y, e->earned, row->digits);
		run_fail_at(R, EXIT_DATA, R->opt.ledger, row->line,
			    "the %s statement of %s (%s) says earned %s, the input %s: a period in the ledger cannot change",
			    a, row->payee, row->currency, x, y);
	case REPORT_ELEDGER_MISSING:
		fmt_period(R, a, e->period);
		period_format(b, R->ledger.last);
		period_format(c, period_next(R->ledger.last));
		run_fail(R, EXIT_DATA, "%s: period %s is %s in the ledger, which has no statement of %s (%s) for it: a closed period cannot change "
				    "(to post late rows into %s, run with --period %s)",
			 R->opt.ledger, a, e->period == R->ledger.last.index ? "the last" : "already",
			 report_book_payee(&R->book, e->account), acc->currency, c, c);
	case REPORT_EORDER_GAP:
		period_format(b, R->ledger.last);
		period_format(c, period_next(R->ledger.last));
		run_fail(R, EXIT_DATA, "%s: period %s is out of order: the ledger's last period is %s; run %s first",
			 R->opt.ledger, fmt_period(R, a, e->period), b, c);
	case REPORT_EORDER_BEFORE:
		period_format(b, R->ledger.first);
		run_fail(R, EXIT_DATA, "%s: period %s is out of order: the ledger starts at %s", R->opt.ledger,
			 fmt_period(R, a, e->period), b);
	case REPORT_ELATE_REPEAT:
		period_format(a, row->period);
		money_format(x, row->earned, row->digits);
		run_fail_at(R, EXIT_DATA, R->opt.ledger, row->line,
			    "the input's rows dated %s earn %s (%s) %s, exactly what the %s statement says: they are "
			    "that period's rows again, not late ones; a period in the ledger cannot change",
			    a, row->payee, row->currency, x, a);
	case REPORT_ELATE_RERUN:
		period_format(b, R->ledger.last);
		period_format(c, period_next(R->ledger.last));
		run_fail(R, EXIT_DATA, "%s: rows dated %s (of %s, %s) that the ledger does not hold are late rows, and the input has no "
				    "row after %s: to post them into %s, run with --period %s",
			 R->opt.ledger, fmt_period(R, a, e->period), report_book_payee(&R->book, e->account), acc->currency, b, c, c);
	case REPORT_ENOTHING_NEW:
		run_fail(R, EXIT_DATA, "%s: every row of the input is in the ledger already (up to %s): nothing for %s; "
				    "a quiet period takes an input with no rows",
			 R->opt.ledger, fmt_period(R, a, e->period),
			 fmt_period(R, b, R->opt.have_period ? R->opt.period.index : period_next(R->ledger.last).index));
	case REPORT_EOVERFLOW:
		run_fail(R, EXIT_DATA, "the balance of %s (%s) overflows", report_book_payee(&R->book, e->account),
			 acc->currency);
	default:
		run_fail(R, EXIT_DATA, "out of memory");
	}
}

/* Closing a period that has not ended by the issue date (today): its
 * sales reported later are late income of a later period.  Told, not
 * refused: a period may be closed early on purpose. */
static void warn_not_over(struct report_run *R)
{
	char a[DATE_BUF], b[DATE_BUF];
	int64_t first;
	if (!report_book_not_over(&R->book, R->opt.issue_date, &first))
		return;
	if (first == R->book.settled_last)
		run_warn(R, "%s: period %s is not over on %s: it is closed now, and its sales reported later will come "
			  "as late income of a later period", R->opt.ledger, fmt_period(R, a, first), R->opt.issue_date);
	else
		run_warn(R, "%s: periods %s to %s are not over on %s: they are closed now, and their sales reported "
			  "later will come as late income of a later period", R->opt.ledger, fmt_period(R, a, first),
			  fmt_period(R, b, R->book.settled_last), R->opt.issue_date);
}

/* A new ledger starts at the input's first period, or at an explicit
 * --opening: -p M on a new ledger with earlier rows would post them all
 * into M as late rows, paying months nobody ran. */
static void refuse_silent_opening(struct report_run *R)
{
	char a[DATE_BUF], b[DATE_BUF];
	if (R->ledger.has_rows || !R->opt.have_period || R->opt.have_opening || !R->book.have_range ||
	    R->book.pmin >= R->opt.period.index)
		return;
	run_fail(R, EXIT_DATA, "%s: the ledger is new and the input has rows from %s, before --period %s: "
			    "run --period %s first, or give --opening %s to start the ledger there (earlier rows left out)",
		 R->opt.ledger, fmt_period(R, a, R->book.pmin), fmt_period(R, b, R->opt.period.index), a, b);
}

/* The same unknown row twice in the input would be posted twice. */
static void refuse_repeated_rows(struct report_run *R)
{
	if (!R->book.keyed || report_keys_sort(&R->new_keys))
		return;
	run_fail(R, EXIT_DATA, "the input holds a row twice (the same source, order, line, kind, date, payee, ...) "
			    "that the ledger does not hold: a file fed twice would pay it twice");
}

/* An unkeyed ledger gets its key record once this run has placed every
 * period it booked: each row at the period it posted into.  False when
 * the input does not hold them all (the record is not started). */
static bool migrate_keys(struct report_run *R)
{
	if (!R->ledger.has_rows)
		return false;
	size_t n = (size_t)(R->ledger.last.index - R->ledger.first.index + 1);
	bool *posted = calloc(n, sizeof *posted), whole = posted != NULL;
	for (size_t k = 0; whole && k < R->new_keys.n; k++) {
		int64_t into = report_book_booked_into(&R->book, R->new_keys.k[k].period);
		whole = into != INT64_MAX;
		if (whole && into >= R->ledger.first.index && into <= R->ledger.last.index)
			posted[into - R->ledger.first.index] = true;
		R->new_keys.k[k].period = into;
	}
	for (size_t i = 0; whole && i < R->ledger.n; i++)
		whole = R->ledger.rows[i].earned == 0 || posted[R->ledger.rows[i].period.index - R->ledger.first.index];
	free(posted);
	return whole && report_keys_sort(&R->new_keys);
}

/* The key record, before the ledger it goes with is renamed into place
 * (report_keys.h): chain is the ledger's last chain value once written. */
static void write_keys(struct report_run *R, uint64_t chain)
{
	struct out o;
	uint64_t dup;
	int rc = report_keys_merge(&R->keys, &R->new_keys, &dup);
	if (rc == -1)
		run_fail(R, EXIT_DATA, "out of memory");
	if (rc == -2)
		run_fail(R, EXIT_DATA, "%s: row key %016llx twice: refusing to write it", R->keys_path, (unsigned long long)dup);
	run_stop_if_interrupted(R);
	if (out_open_file(&o, R->keys_path) < 0)
		run_fail(R, EXIT_USAGE, "%s: %s", R->keys_path, strerror(errno));
	report_keys_write(&R->keys, chain, R->ledger.last_chain, &o);
	if (out_close(&o) < 0)
		run_fail(R, EXIT_DATA, "%s: write error: %s", R->keys_path, strerror(errno));
	R->new_seal.keys = true;
}

/* Append the new statements to the ledger, atomically (we hold its lock),
 * the key record first. */
static void write_ledger(struct report_run *R)
{
	struct out o;

	report_seal_of(&R->ledger, &R->new_seal);
	R->new_seal.keys = !R->keys_legacy;
	if (R->keys_legacy && migrate_keys(R)) {
		run_warn(R, "%s: the input holds every period the ledger booked: its key record %s is started", R->opt.ledger,
			  R->keys_path);
		R->keys_legacy = false;
		if (!R->book.have_settled)
			write_keys(R, R->ledger.last_chain);
	}
	/* A period settled with no statement is still recorded (report_ledger.h),
	 * so that the next one is in order after a quiet month. */
	if (!R->book.have_settled)
		return;
	run_stop_if_interrupted(R);
	if (out_open_file(&o, R->opt.ledger) < 0)
		run_fail(R, EXIT_USAGE, "%s: %s", R->opt.ledger, strerror(errno));
	if (R->ledger.text_len)
		out_write(&o, R->ledger.text, R->ledger.text_len);
	else
		out_puts(&o, REPORT_LEDGER_HEADER "\n");
	uint64_t chain = report_book_put_ledger_rows(&R->book, R->ledger.last_chain, &o);
	R->new_seal.chain = chain;
	R->new_seal.periods += (size_t)(R->book.settled_last - R->book.settled_first + 1);
	R->new_seal.last = (struct period){R->opt.kind, R->book.settled_last};
	if (!R->keys_legacy)
		write_keys(R, chain);
	run_stop_if_interrupted(R);
	if (out_close(&o) < 0)
		run_fail(R, EXIT_DATA, "%s: write error: %s", R->opt.ledger, strerror(errno));
}

/* ------------------------------------------------------------ output */

static void check_render(struct report_run *R, int rc)
{
	if (rc == REPORT_EOVERFLOW)
		run_fail(R, EXIT_DATA, "a statement's running total overflows");
	if (rc != REPORT_OK)
		run_fail(R, EXIT_DATA, "out of memory");
}

static void prepare_out_dir(struct report_run *R)
{
	struct stat st;
	if (mkdir(R->opt.out_dir, 0777) < 0 && errno != EEXIST)
		run_fail(R, EXIT_USAGE, "%s: %s", R->opt.out_dir, strerror(errno));
	if (stat(R->opt.out_dir, &st) < 0)
		run_fail(R, EXIT_USAGE, "%s: %s", R->opt.out_dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		run_fail(R, EXIT_USAGE, "%s: %s", R->opt.out_dir, strerror(ENOTDIR));
	if (access(R->opt.out_dir, W_OK | X_OK) < 0)
		run_fail(R, EXIT_USAGE, "%s: %s", R->opt.out_dir, strerror(errno));
}

/* The file name of the statements starting at book.st[i], in buf. */
static void statement_file_name(struct report_run *R, char *buf, size_t cap, size_t i)
{
	const struct report_statement *s = &R->book.st[i];
	char safe[REPORT_NAME_MAX + 1], per[DATE_BUF];
	report_safe_name(safe, sizeof safe, s->payee, strlen(s->payee));
	snprintf(buf, cap, "%s-%s.%s", safe, fmt_period(R, per, s->period), format_ext[R->opt.format]);
}

/* Before any file is written: two payees whose statements would share a
 * file -- names that differ only by case (one file on a case-insensitive
 * file system) or long names cut to one -- are an error, never one file
 * overwriting the other. */
static void check_out_dir_names(struct report_run *R)
{
	struct report_names names = {0};
	size_t *owner = NULL, cap = 0; /* the first statement of each name */
	char name[REPORT_NAME_MAX + DATE_BUF + 16];

	for (size_t i = 0; i < R->book.nst; i++) {
		statement_file_name(R, name, sizeof name, i);
		for (char *c = name; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		uint32_t id;
		uint32_t before = names.n;
		if (report_names_intern(&names, name, strlen(name), &id) < 0 ||
		    !(owner = report_grow(owner, before, &cap, sizeof *owner, 64)))
			run_fail(R, EXIT_DATA, "out of memory");
		if (id == before) {
			owner[id] = i;
			continue;
		}
		const struct report_statement *a = &R->book.st[owner[id]], *b = &R->book.st[i];
		if (strcmp(a->payee, b->payee) != 0) {
			statement_file_name(R, name, sizeof name, i);
			free(owner);
			report_names_free(&names);
			run_fail(R, EXIT_DATA, "--out-dir: payees \"%s\" and \"%s\" would share the file %s "
				 "(names that differ only by case, or long names cut to one): "
				 "nothing written; rename one in the agreements", a->payee, b->payee, name);
		}
	}
	free(owner);
	report_names_free(&names);
}



/* --out-dir: one file per payee and period, DIR/PAYEE-PERIOD.EXT, each
 * written atomically; each path written is printed. */
static void write_out_dir(struct report_run *R)
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
		char *path = run_alloc(R, plen);
		snprintf(path, plen, "%s/%s", R->opt.out_dir, name);
		struct out o;
		run_stop_if_interrupted(R);
		if (out_open_file_here(&o, path) < 0)
			run_fail(R, EXIT_USAGE, "%s: %s", path,
				 errno == ELOOP ? "a symbolic link: statements are not written through links"
						: strerror(errno));
		check_render(R, report_render_statements(&o, R->opt.format, &R->book, R->opt.ledger ? &R->ledger : NULL, &R->issue, i, j,
						       false));
		if (out_close(&o) < 0)
			run_fail(R, EXIT_DATA, "%s: write error: %s", path, strerror(errno));
		struct out *so = out_stdout();
		out_puts(so, path);
		out_putc(so, '\n');
		free(path);
		i = j;
	}
}

/* The document's destination: -o FILE (atomically: whole or not at all),
 * else standard output. */


static struct out *doc_open(struct report_run *R)
{
	if (!R->opt.output || strcmp(R->opt.output, "-") == 0)
		return out_stdout();
	run_stop_if_interrupted(R);
	if (out_open_file(&R->output_file, R->opt.output) < 0)
		run_fail(R, EXIT_USAGE, "%s: %s", R->opt.output, strerror(errno));
	return &R->output_file;
}

static void doc_close(struct report_run *R, struct out *o)
{
	if (o != &R->output_file)
		return;
	run_stop_if_interrupted(R);
	if (out_close(o) < 0)
		run_fail(R, EXIT_DATA, "%s: write error: %s", R->opt.output, strerror(errno));
}

/* --check: the table, and a warning for each line that does not add up. */
static void run_check(struct report_run *R)
{
	struct report_check_line *lines;
	size_t n;
	int rc = report_book_check(&R->book, &lines, &n);

	if (rc == REPORT_EOVERFLOW)
		run_fail(R, EXIT_DATA, "the carried balances overflow");
	check_status(R, rc, NULL, 0);
	for (size_t i = 0; i < n; i++) {
		const struct report_check_line *l = &lines[i];
		char per[DATE_BUF], a[MONEY_BUF], b[MONEY_BUF], s[MONEY_BUF];
		if (l->ok)
			continue;
		money_format(a, l->net, l->digits);
		money_format(b, l->allocated, l->digits);
		money_format(s, l->paid_and_change, l->digits);
		run_warn(R, "%s %s: net sales %s, allocated %s, paid + carried change %s", fmt_period(R, per, l->period),
			  l->currency, a, b, s);
		R->exit_status = EXIT_DATA;
	}
	struct out *o = doc_open(R);
	check_render(R, report_render_check(o, R->opt.format, R->opt.kind, lines, n));
	doc_close(R, o);
	free(lines);
}

/* ------------------------------------------------------------ --payouts */




static void die_payouts(struct report_run *R, int rc, const char *msg)
{
	if (rc == REPORT_PAYOUTS_ENOMEM)
		run_fail(R, EXIT_DATA, "out of memory");
	if (rc != REPORT_PAYOUTS_OK)
		run_fail(R, rc == REPORT_PAYOUTS_EOPEN || rc == REPORT_PAYOUTS_EUSAGE ? EXIT_USAGE : EXIT_DATA, "%s", msg);
}

/* The batches of the run's payments, built (and every payment checked)
 * before anything is written; what they leave out is told once. */
static void prepare_batches(struct report_run *R)
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
		run_warn(R, "%s", notes);
	if (!npayments && R->opt.out_dir)
		run_warn(R, "no payment in this run: no batch file written");
}

/* The batches: into --out-dir beside the statements, else on stdout. */
static void write_batches(struct report_run *R)
{
	char msg[1024];
	run_stop_if_interrupted(R);
	for (int f = 0; f < 3; f++)
		if (R->opt.payouts & 1u << f) {
			die_payouts(R, report_batch_put(&R->batches[f], R->opt.out_dir, out_stdout(), msg, sizeof msg), msg);
			report_batch_free(&R->batches[f]);
		}
	report_payees_free(&R->payees);
}

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
		die_value(R, r, "quantity", &r->fields[col], "is not a whole number");
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
	case REPORT_BUSINESS_ENOMEM: run_fail(R, EXIT_DATA, "out of memory");
	case REPORT_BUSINESS_ECURRENCIES:
		run_fail_at(R, EXIT_DATA, r ? r->file : NULL, r ? r->line : 0,
			    "sales in %s and %s: --business, --costs, --whatif and --forecast work in one currency: give --fx RATES --to CUR",
			    b->currency, f->currency);
	case REPORT_BUSINESS_ECURRENCY:
		run_fail_at(R, EXIT_DATA, f->file, f->line,
			    "column \"currency\": \"%s\" is not the sales' currency %s: give --fx RATES --to %s",
			    f->currency, b->currency, b->currency);
	case REPORT_BUSINESS_ENORATE:
		date_format_day(day, f->day * 86400);
		run_fail_at(R, EXIT_DATA, f->file, f->line, "no %s rate for %s on or before %s in %s", b->currency,
			    f->currency, day, R->opt.fx_path);
	default:
		run_fail_at(R, EXIT_DATA, r ? r->file : NULL, r ? r->line : 0, "the total overflows");
	}
}

/* --costs and --whatif: load the tables, or die naming file, line and
 * column. */
static void check_table_load(struct report_run *R, int rc, const struct report_load_error *e)
{
	if (rc == REPORT_LOAD_EOPEN)
		run_fail(R, EXIT_USAGE, "%s: %s", e->file, strerror(errno));
	if (rc == REPORT_LOAD_EDATA || rc == REPORT_LOAD_ECOLUMN)
		run_fail_at(R, rc == REPORT_LOAD_ECOLUMN ? EXIT_USAGE : EXIT_DATA, e->file, e->line, "%s", e->msg);
	if (rc != REPORT_LOAD_OK)
		run_fail(R, EXIT_DATA, "out of memory");
}

/* --summary: read the sales stream, then write the figures. */
static void run_summary(struct report_run *R, char **files, size_t nfiles)
{
	static const struct tsv_field none = {"", 0, true};
	struct kinds_tally passed = {0};
	struct report_summary sum = {.kind = R->opt.kind, .shown_only = R->opt.have_period,
				     .shown_period = R->opt.period.index, .tmpdir = getenv("TMPDIR")};
	const char *budget = getenv("TALLY_SORT_BUFFER"); /* the customers' sort, as ingest --sort */
	if (budget && *budget && extsort_parse_size(budget, &sum.sort_budget) < 0)
		run_fail(R, EXIT_USAGE, "TALLY_SORT_BUFFER: \"%s\" is not a size (bytes, or with k, m or g)", budget);
	struct row_cache c = {0};
	struct tsv_reader *const rp = &R->rd;
	int rc;

	run_open(R, rp, files, nfiles);
	/* an allocations stream repeats each sale once per payee: its gross,
	 * fee and net would count once per share (issue 10 item 4) */
	if (tsv_col(rp, "payee") >= 0 && tsv_col(rp, "amount") >= 0)
		run_fail_at(R, EXIT_DATA, rp->file, 1,
			    "an allocations stream (it has columns payee and amount): each sale is on one row per payee "
			    "and would count once per share; --summary reads the sales stream (tally-ingest's output, before tally-split)");
	int c_date = run_col(R, rp, "date"), c_source = run_col(R, rp, "source");
	int c_kind = run_col(R, rp, "kind"), c_cur = run_col(R, rp, "currency");
	int c_gross = run_col(R, rp, "gross"), c_fee = run_col(R, rp, "fee");
	int c_net = run_col(R, rp, "net"), c_product = tsv_col(rp, "product");
	int c_country = tsv_col(rp, "country"), c_customer = tsv_col(rp, "customer");
	int c_quantity = tsv_col(rp, "quantity");
	struct report_business biz = {.kind = R->opt.kind, .costs = R->opt.costs_path ? &R->opt.costs : NULL,
				      .fees = R->opt.whatif_path ? &R->opt.fees : NULL,
				      .outlook = R->opt.forecast_path ? &R->opt.outlook : NULL, .balance = R->opt.balance,
				      .fx = R->opt.to ? &R->opt.fx : NULL};
	if (R->opt.business) {
		sum.extra = report_business_tables;
		sum.extra_html = report_business_chart;
		sum.extra_ctx = &biz;
	}

	while ((rc = tsv_next(rp)) == 1) {
		const struct tsv_field *f = rp->fields;
		progress_tick(&R->progress, rp->bytes_read);
		row_date(R, &c, rp, &f[c_date]);
		/* rows before --period are history: customers seen before are
		 * returning ones, and growth is over the month before */
		if (R->opt.have_period && c.period > R->opt.period.index)
			continue;
		if (field_is(&f[c_kind], "payout")) {
			if (R->opt.business)
				check_business(R, &biz, report_business_payout(&biz, c.period, day_of(c.when)), rp);
			continue; /* a transfer, not business */
		}
		if (!kinds_known(f[c_kind].s)) {
			/* not revenue, and then not net either: told, as split does */
			if (kinds_tally_add(&passed, f[c_kind].s) < 0)
				run_fail(R, EXIT_DATA, "out of memory");
			continue;
		}
		row_currency(R, &c, rp, &f[c_cur]);
		const struct tsv_field *product = c_product >= 0 ? &f[c_product] : &none;
		const struct tsv_field *country = c_country >= 0 ? &f[c_country] : &none;
		const struct tsv_field *customer = c_customer >= 0 ? &f[c_customer] : &none;
		int64_t gross = row_convert(R, &c, rp, row_amount(R, rp, "gross", &f[c_gross]));
		int64_t fee = row_convert(R, &c, rp, row_amount(R, rp, "fee", &f[c_fee]));
		int64_t net = row_convert(R, &c, rp, row_amount(R, rp, "net", &f[c_net]));
		const struct report_sale sale = {
			c.period, R->opt.to ? R->opt.to : c.currency,
			f[c_kind].s, product->s, f[c_source].s, country->s, customer->s,
			f[c_kind].len, product->len, f[c_source].len, country->len, customer->len,
			gross, fee, net,
		};
		check_status(R, report_summary_add(&sum, &sale), rp->file, rp->line);
		if (R->opt.business)
			check_business(R, &biz, report_business_add(&biz, &sale, day_of(c.when), row_quantity(R, rp, c_quantity)),
				       rp);
	}
	if (rc < 0)
		die_read_error(R, rp);
	progress_end(&R->progress);
	tsv_close(rp);
	if (passed.total) {
		char what[256];
		kinds_tally_format(&passed, what, sizeof what);
		run_warn(R, "%ld row%s of kinds not in the stream contract (tally.7) left out of every figure: %s",
			  passed.total, passed.total == 1 ? "" : "s", what);
	}
	kinds_tally_free(&passed);
	if (R->opt.business)
		check_business(R, &biz, report_business_finish(&biz, &sum), NULL);
	int fin = report_summary_finish(&sum);
	errno = sum.temp_errno;
	check_status(R, fin, NULL, 0);
	struct out *o = doc_open(R);
	check_render(R, report_render_summary(o, R->opt.format, &sum));
	doc_close(R, o);
	report_summary_free(&sum);
	report_business_free(&biz);
}

/* ------------------------------------------------- --partial and --merge */

static void copy_left(struct report_partial_left *to, const struct report_left_out *from)
{
	to->count = from->count;
	snprintf(to->file, sizeof to->file, "%s", from->file);
	to->line = from->line;
}

/* --partial: the book's sums, check totals and counters, for --merge. */
static void write_partial(struct report_run *R)
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
	struct out *o = doc_open(R);
	report_partial_write(o, &R->book, &m);
	doc_close(R, o);
}

static void die_merge_option(struct report_run *R, const char *file, const char *what, const char *theirs, const char *ours)
{
	run_fail(R, EXIT_USAGE, "%s: the partials were read with %s %s, the merge has %s: give the merge the same",
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
static void read_partials(struct report_run *R, char **files, size_t nfiles)
{
	static struct report_partial_meta m;
	static char to[4];
	struct tsv_reader *const rp = &R->rd;
	char err[256];
	int rc;

	run_open(R, rp, files, nfiles);
	if (report_partial_check_header(rp) < 0)
		run_fail_at(R, EXIT_DATA, rp->file, 1, "not a partial of tally-report --partial (its header is not \"%s\")",
			    REPORT_PARTIAL_HEADER);
	m.kind = R->opt.kind;
	/* without a ledger, -p leaves out the rows before it (before_first) */
	m.drop_before = R->opt.have_period && !R->opt.ledger;
	m.drop_period = R->opt.period.index;
	while ((rc = tsv_next(rp)) == 1) {
		int st = report_partial_add(&R->book, &m, rp->fields, err, sizeof err);
		if (st < 0)
			run_fail_at(R, EXIT_DATA, rp->file, rp->line, "%s", err);
		check_status(R, st, rp->file, rp->line);
	}
	if (rc < 0)
		die_read_error(R, rp);
	char last[512];
	snprintf(last, sizeof last, "%s", rp->file);
	tsv_close(rp);
	check_merge_options(R, &m, last);
	if (R->opt.check && m.no_check)
		run_fail(R, EXIT_USAGE, "--check: a partial has no check totals: make the partials with --partial --check");
	if (m.to[0]) {
		memcpy(to, m.to, 4);
		R->opt.to = to;
	}
	take_left(&R->after_period, &m.after);
	take_left(&R->before_period, m.before.count || !m.drop_before ? &m.before : &m.early);
	if (m.drop_before && m.before.count)
		R->before_period.count += m.early.count;
	for (int i = 0; i < m.ncurrencies; i++)
		note_currency(R, m.currencies[i]);
	R->rows_read = m.rows;
	if (R->opt.check && m.differing) {
		run_warn(R, "%ld sale%s in the partials %s allocations that do not sum to %s net (--check on their "
			  "partition names them)",
			  m.differing, m.differing == 1 ? "" : "s", m.differing == 1 ? "has" : "have",
			  m.differing == 1 ? "its" : "their");
		R->exit_status = EXIT_DATA;
	}
}
/* ------------------------------------------------------------ the run */

/* --fx RATES. */
static void load_fx(struct report_run *R)
{
	struct fx_error e;
	int rc = fx_load(&R->opt.fx, R->opt.fx_path, &e);
	if (rc == FX_EOPEN)
		run_fail(R, EXIT_USAGE, "%s: %s", e.file, strerror(errno));
	if (rc == FX_EDATA || rc == FX_ECOLUMN)
		run_fail_at(R, rc == FX_ECOLUMN ? EXIT_USAGE : EXIT_DATA, e.file, e.line, "%s", e.msg);
	if (rc != FX_OK)
		run_fail(R, EXIT_DATA, "%s", strerror(ENOMEM));
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
		run_fail(R, EXIT_USAGE, "%s", clash);
}

void report_run_init(struct report_run *R)
{
	memset(R, 0, sizeof *R);
	R->ledger_lock.fd = -1;
	R->opt.kind = PERIOD_MONTH;
}

int report_run_load(struct report_run *R, char **files, size_t nfiles)
{
	jmp_buf here;
	struct report_load_error le;
	R->unwind = &here;
	if (setjmp(here))
		return -1;
	if (R->opt.fx_path)
		load_fx(R);
	check_paths(R, files, nfiles);
	if (R->opt.costs_path)
		check_table_load(R, report_costs_load(&R->opt.costs, R->opt.costs_path, &le), &le);
	if (R->opt.whatif_path)
		check_table_load(R, report_fees_load(&R->opt.fees, R->opt.whatif_path, &le), &le);
	if (R->opt.forecast_path)
		check_table_load(R, report_outlook_load(&R->opt.outlook, R->opt.forecast_path, R->opt.kind, &le), &le);
	if (R->opt.agreements)
		load_agreements(R);
	return R->exit_status;
}

int report_run_summary(struct report_run *R, char **files, size_t nfiles)
{
	jmp_buf here;
	R->unwind = &here;
	if (setjmp(here))
		return -1;
	run_summary(R, files, nfiles);
	return R->exit_status;
}

/* The documents of a settled book: --check's table, the statements (one
 * document or --out-dir's files) and --payouts' batches. */
static void write_documents(struct report_run *R)
{
	date_statements(R);
	R->issue = (struct report_issue){R->opt.issuer, R->opt.to != NULL};
	if (R->opt.payouts)
		prepare_batches(R);
	if (R->opt.check)
		run_check(R);
	else if (R->opt.out_dir)
		write_out_dir(R);
	else if (!R->opt.payouts) {
		struct out *o = doc_open(R);
		check_render(R, report_render_statements(o, R->opt.format, &R->book, R->opt.ledger ? &R->ledger : NULL,
							  &R->issue, 0, R->book.nst, true));
		doc_close(R, o);
	}
	if (R->opt.payouts)
		write_batches(R);
}

/* Settle the book read, against the ledger when there is one. */
static void settle(struct report_run *R)
{
	if (R->opt.agreements) {
		check_status(R, report_book_due(&R->book, &R->opt.rules, R->due_uses, R->ndue_uses), NULL, 0);
		free(R->due_uses);
		R->due_uses = NULL;
		split_rules_free(&R->opt.rules);
	}
	check_min_payout_currencies(R);
	if (R->opt.ledger) {
		refuse_silent_opening(R);
		refuse_repeated_rows(R);
	}
	struct report_settle_error err;
	int rc = report_book_settle(&R->book, R->opt.ledger ? &R->ledger : NULL, R->opt.have_period,
				    R->opt.period.index, &err);
	if (rc != REPORT_OK)
		die_settling(R, rc, &err);
	if (R->opt.ledger && !R->opt.check)
		warn_not_over(R);
	check_status(R, report_book_total(&R->book), NULL, 0);
}

int report_run_statements(struct report_run *R, char **files, size_t nfiles)
{
	jmp_buf here;
	R->unwind = &here;
	if (setjmp(here))
		return -1;
	if (R->opt.out_dir)
		prepare_out_dir(R);
	R->book.kind = R->opt.kind;
	R->book.mins = R->opt.mins;
	R->book.nmins = R->opt.nmins;
	if (R->opt.ledger) {
		refuse_odd_ledger(R);
		load_ledger(R);
	}
	if (R->opt.merge)
		read_partials(R, files, nfiles);
	else
		read_allocations(R, files, nfiles);
	if (R->opt.paid)
		read_paid(R);
	tell_left_out(R);
	if (R->opt.partial) {
		write_partial(R);
		return R->exit_status;
	}
	settle(R);
	write_documents(R);
	/* Everything the run shows must be out before the ledger commits it. */
	out_flush(out_stdout());
	if (R->opt.ledger && !R->opt.check) {
		write_issued(R);
		write_ledger(R);
		write_seal(R);
	}
	lock_release(&R->ledger_lock);
	return R->exit_status;
}

void report_run_free(struct report_run *R)
{
	report_costs_free(&R->opt.costs);
	report_fees_free(&R->opt.fees);
	report_outlook_free(&R->opt.outlook);
}
