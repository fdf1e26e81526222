/* report_run_read.c - reading the allocations into the book: --check's
 * sales, rows left out, row identity, the waterfall steps, --agreements. */
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
	rrun_check_status(R, report_book_add_check(&R->book, g->period, g->currency, g->net, 0), g->file, g->first_line);
	if (g->sum == g->net)
		return;
	if (R->opt.partial) { /* counted in the partial; the merge tells */
		R->differing++;
		return;
	}
	R->exit_status = EXIT_DATA;
	if (++R->differing > SALES_SHOWN) {
		if (R->differing == SALES_SHOWN + 1)
			rrun_warn(R, "... more sales differ; showing the first %d", SALES_SHOWN);
		return;
	}
	money_format(a, g->sum, g->digits);
	money_format(b, g->net, g->digits);
	if (g->first_line == g->last_line)
		rrun_warn_at(R, g->file, g->first_line, "the allocations of this sale sum to %s %s, its net is %s", a,
			     g->currency, b);
	else
		rrun_warn(R, "%s:%ld-%ld: the allocations of this sale sum to %s %s, its net is %s", g->file,
			  g->first_line, g->last_line, a, g->currency, b);
}

/* One allocation row of a sale: a row continuing the sale under way must
 * repeat its net; a row starting another closes it. */
static void check_row(struct report_run *R, struct report_sale_group *g, bool groupable, const char *key, size_t kl,
		      const struct row_cache *c, int64_t period, const struct tsv_reader *r, const struct tsv_field *f_net,
		      const char *cur_out, int64_t amount)
{
	if (report_sale_group_continues(g, groupable, key, kl, period, cur_out, r->file)) {
		int64_t net = rrun_row_convert(R, c, r, rrun_row_amount(R, r, "net", f_net));
		if (net != g->net) {
			char a[MONEY_BUF], b[MONEY_BUF];
			money_format(a, net, g->digits);
			money_format(b, g->net, g->digits);
			rrun_warn_at(R, r->file, r->line, "column \"net\": %s differs from the %s of line %ld of the same sale",
				     a, b, g->first_line);
			R->exit_status = EXIT_DATA;
		}
	} else {
		close_sale(R, g); /* its warning before any about this row */
		int64_t net = rrun_row_convert(R, c, r, rrun_row_amount(R, r, "net", f_net));
		report_sale_group_start(g, key, kl, net, r->line, r->file, period, cur_out);
	}
	g->sum = rrun_add_checked(R, g->sum, amount, r->file, r->line);
	g->last_line = r->line;
	rrun_check_status(R, report_book_add_check(&R->book, period, cur_out, 0, amount), r->file, r->line);
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

void rrun_tell_left_out(struct report_run *R)
{
	char per[DATE_BUF];
	if (R->after_period.count) {
		period_format(per, R->opt.period);
		rrun_warn_at(R, R->after_period.file, R->after_period.line,
			     "%ld row%s dated after --period %s (from here on) left for a later run", R->after_period.count,
			     R->after_period.count == 1 ? "" : "s", per);
	}
	if (R->before_period.count) {
		period_format(per, R->opt.have_opening ? R->opt.opening : R->opt.period);
		rrun_warn_at(R, R->before_period.file, R->before_period.line, "%ld row%s dated before %s %s (from here on) left out",
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


/* The first period this run books: --opening, or without a ledger --period. */
bool rrun_before_first(struct report_run *R, int64_t period)
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
		rrun_check_status(R, report_book_note_fx(&R->book, account, period, c->currency, rate_when, rate), NULL, 0);
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
	struct report_due_use *grown = grow_array(R->due_uses, R->ndue_uses, &R->capdue_uses, sizeof *grown, 16);
	if (!grown)
		rrun_fail(R, EXIT_DATA, "out of memory");
	struct report_due_use *u = &grown[R->ndue_uses++];
	R->due_uses = grown;
	u->line = line;
	memcpy(u->currency, currency, 3);
	u->currency[3] = '\0';
}

/* --agreements: the file parsed as tally-split parses it. */
void rrun_load_agreements(struct report_run *R)
{
	char *text, err[512];
	size_t len;
	long line = 0;
	int rc = report_read_file(R->opt.agreements, &text, &len);
	if (rc != 0)
		rrun_fail(R, EXIT_USAGE, "%s: %s", R->opt.agreements, rc > 0 ? strerror(ENOENT) : strerror(errno));
	rc = split_rules_parse(&R->opt.rules, R->opt.agreements, text, len, &line, err, sizeof err);
	free(text);
	if (rc == SPLIT_ENOMEM)
		rrun_fail(R, EXIT_DATA, "out of memory");
	if (rc != SPLIT_OK) /* a missing column is usage, as in a stream (tally(7)) */
		rrun_fail_at(R, rc == SPLIT_ECOLUMN ? EXIT_USAGE : EXIT_DATA, R->opt.agreements, line, "%s", err);
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
	sc->commission = rrun_col(R, r, "commission");
	sc->recouped = rrun_col(R, r, "recouped");
	sc->recoupment = rrun_col(R, r, "recoupment");
	sc->gross = tsv_col(r, "gross");
	sc->agreement = tsv_col(r, "agreement");
	R->book.have_steps = true;
	R->book.have_gross = sc->gross >= 0;
}

/* A step's value, converted as the row's amount is (each rounded half to even). */
static int64_t step_value(struct report_run *R, const struct row_cache *c, const struct tsv_reader *r, const char *col, int i)
{
	return rrun_row_convert(R, c, r, rrun_row_amount(R, r, col, &r->fields[i]));
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
		      uint32_t account, uint32_t src, uint32_t prod, int64_t amount)
{
	struct report_steps st = {0};
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
		rrun_fail_at(R, EXIT_DATA, r->file, r->line, "the total overflows");
	report_steps_share(&st, amount);
	rrun_check_status(R, report_book_add_steps(&R->book, account, src, prod, &st), r->file, r->line);
	const struct tsv_field *f = &r->fields[sc->recoupment];
	if (!report_recoupment_parse(f->s, f->len, c->when, rec, sizeof rec / sizeof *rec, &n))
		rrun_die_value(R, r, "recoupment", f, "is not LINE:CAP:CUR:RECOUPED entries joined by commas");
	n = report_recoupment_keep(rec, n, agreement_line(sc, r));
	rrun_check_status(R, report_book_note_recoupment(&R->book, account, rec, n), NULL, 0);
}

void rrun_read_allocations(struct report_run *R, char **files, size_t nfiles)
{
	static const struct tsv_field none = {"", 0, true};
	struct report_fx_run run = {0};
	struct report_sale_group sale = {0};
	struct row_cache c = {0};
	struct tsv_reader *const rp = &R->rd;
	int rc;

	rrun_open(R, rp, files, nfiles);
	int c_date = rrun_col(R, rp, "date");
	int c_payee = rrun_col(R, rp, "payee");
	int c_cur = rrun_col(R, rp, "currency");
	int c_amount = rrun_col(R, rp, "amount");
	int c_source = tsv_col(rp, "source");
	int c_product = tsv_col(rp, "product");
	int c_net = R->opt.check ? rrun_col(R, rp, "net") : -1;
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
			rrun_stop_if_interrupted(R);
		rrun_row_date(R, &c, rp, &f[c_date]);
		if (R->opt.have_period && c.period > R->opt.period.index) {
			note_left_out(&R->after_period, rp);
			continue;
		}
		if (rrun_before_first(R, c.period)) {
			note_left_out(&R->before_period, rp);
			continue;
		}
		if (R->opt.partial && R->opt.have_period && c.period < R->opt.period.index)
			note_left_out(&R->early_rows, rp);
		rrun_row_currency(R, &c, rp, &f[c_cur]);
		if (f[c_payee].len == 0)
			rrun_die_value(R, rp, "payee", &f[c_payee], "is empty");
		size_t kl = R->have_net || R->opt.to ? report_sale_key(key, sizeof key, f, key_cols) : 0;
		int64_t amount = rrun_row_convert_part(R, &run, &c, rp, key, kl, groupable, rrun_row_amount(R, rp, "amount", &f[c_amount]));
		const char *cur_out = R->opt.to ? R->opt.to : c.currency;

		uint32_t account, payee = rrun_intern_name(R, &R->book.names, f[c_payee].s, f[c_payee].len);
		rrun_check_status(R, report_book_account(&R->book, payee, cur_out, &account), NULL, 0);
		const struct tsv_field *fs = c_source >= 0 ? &f[c_source] : &none;
		const struct tsv_field *fp = c_product >= 0 ? &f[c_product] : &none;
		uint32_t src = rrun_cached_name(R, fs, c.src, sizeof c.src, &c.src_len, &c.src_id, &c.have_src);
		uint32_t prod = rrun_cached_name(R, fp, c.prod, sizeof c.prod, &c.prod_len, &c.prod_id, &c.have_prod);
		int64_t into = R->opt.ledger ? rrun_place_row(R, row_ident_key(&ident, f), rp, c.period, amount, currency_digits(cur_out, 3)) : c.period;
		rrun_check_status(R, report_book_add_into(&R->book, account, c.period, into, src, prod, amount), rp->file, rp->line);
		add_steps(R, &sc, &c, rp, account, src, prod, amount);
		if (c_agreement >= 0)
			note_due_use(R, &f[c_agreement], cur_out);
		R->rows_read++;
		if (R->opt.to && memcmp(c.currency, R->opt.to, 3) != 0)
			note_rate(R, &c, account, into);
		if (R->have_net)
			check_row(R, &sale, groupable, key, kl, &c, R->book.keyed ? into : c.period, rp, &f[c_net], cur_out, amount);
	}
	if (rc < 0)
		rrun_die_read_error(R, rp);
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
void rrun_check_min_payout_currencies(struct report_run *R)
{
	bool bare = false;
	for (size_t i = 0; i < R->opt.nmins; i++)
		bare |= !R->opt.mins[i].currency[0];
	if (bare && !R->opt.to && R->ncurrencies > 1)
		rrun_fail(R, EXIT_USAGE, "--min-payout: an amount without a currency, and the input has %s and %s: "
				     "give one per currency (%s=50,%s=40) or use --fx and --to",
			 R->currencies[0], R->currencies[1], R->currencies[0], R->currencies[1]);
}

