/* tally-report - allocations -> payout statements and the payout ledger;
 * --check, the conservation check; --summary, the business at a glance
 * from the sales stream.
 *
 * This file is the command: options, reading and judging rows (every
 * message names file, line and column), and the flow of a run.  The
 * engines are in lib/: report_statements.h adds allocations up and settles
 * them into statements, report_ledger.h keeps the ledger, report_sale.h
 * follows the rows of one sale, report_summary.h works out the figures at
 * a glance, and report_render.h writes every document in the four
 * formats.  Reading is one streaming pass, so memory grows with payees x
 * periods x products, never with rows. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "cli.h"
#include "diag.h"
#include "fx.h"
#include "kinds.h"
#include "lock.h"
#include "money.h"
#include "out.h"
#include "progress.h"
#include "paths.h"
#include "report_escape.h"
#include "report_ledger.h"
#include "report_render.h"
#include "report_sale.h"
#include "report_statements.h"
#include "report_summary.h"
#include "tsv.h"

/* ---------------------------------------------------------------- options */

static const char *const format_names[] = {"tsv", "text", "md", "html"};
static const char *const format_ext[] = {"tsv", "txt", "md", "html"};

struct options {
	enum report_format format;          /* --format */
	bool have_period;
	struct period period;               /* --period */
	bool have_opening;
	struct period opening;              /* --opening: the ledger's first period */
	enum period_kind kind;              /* the kind of period rows are grouped by */
	const char *ledger;                 /* --ledger FILE */
	const char *out_dir;                /* --out-dir DIR */
	const char *output;                 /* -o, --output FILE: the document, atomically, else stdout */
	struct report_min_payout mins[32];  /* --min-payout */
	size_t nmins;
	bool check, summary;                /* --check, --summary */
	const char *fx_path;                /* --fx RATES */
	const char *to;                     /* --to CUR */
	struct fx_table fx;                 /* the rates of --fx */
	enum progress_mode progress;        /* --progress, --no-progress, else auto */
	const char *issuer;                 /* --issuer NAME */
	char issue_date[DATE_BUF];          /* --issue-date, else today (UTC) */
	bool have_issue_date;               /* --issue-date was given */
};

static struct options opt;
static struct progress progress;        /* the line on a terminal while the input is read */
static int exit_status = EXIT_OK;       /* what main returns */

static noreturn void usage(FILE *f, int status)
{
	fprintf(f,
		"usage: tally-report [-c | -s] [-f FORMAT] [-p PERIOD] [-l LEDGER]\n"
		"                    [-o FILE | --out-dir DIR]\n"
		"                    [-m [CUR=]AMOUNT[,...]] [--fx RATES --to CUR]\n"
		"                    [--issuer NAME] [--issue-date YYYY-MM-DD]\n"
		"                    [--progress | --no-progress] [FILE...]\n"
		"       tally-report --help | --version\n");
	if (f == stdout) {
		fputs("\n"
		      "Payout statements from an allocations stream (tally-split), per payee,\n"
		      "period and currency: brought forward, earned, paid, carried forward.\n"
		      "\n"
		      "  -c, --check             verify conservation per period and currency\n"
		      "  -s, --summary           the business at a glance, from a sales stream\n"
		      "  -f, --format FORMAT     tsv (default), text, md or html\n"
		      "  -p, --period PERIOD     only this period (2026-10, 2026-Q4, 2026-W05, 2026)\n"
		      "  -l, --ledger FILE       read balances from and append statements to FILE\n"
		      "      --opening PERIOD    the ledger starts here: earlier rows are left out\n"
		      "  -o, --output FILE       write the document to FILE (whole, or not at all)\n"
		      "      --out-dir DIR       one statement file per payee: DIR/PAYEE-PERIOD.EXT\n"
		      "  -m, --min-payout SPEC   pay nothing under this: 50.00 or USD=50,EUR=40\n"
		      "      --fx RATES          convert with this rates table (date, currency, rate)\n"
		      "      --to CUR            ... into this currency\n"
		      "      --issuer NAME       the issuer named on every statement\n"
		      "      --issue-date DATE   the issue date of new statements (default: today, UTC)\n"
		      "      --progress          show progress on stderr even when not a terminal\n"
		      "      --no-progress       never show progress (default: on a terminal)\n"
		      "  -h, --help              this help\n"
		      "  -V, --version           the version\n",
		      f);
	}
	exit(status);
}

static bool valid_currency(const char *s, size_t len)
{
	return len == 3 && currency_digits(s, 3) >= 0;
}

/* --min-payout "50.00" or "USD=50,EUR=40". */
static void parse_min_payout(const char *arg)
{
	char *copy = xstrdup(arg), *save = NULL;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct report_min_payout m = {{0}, 0};
		char *eq = strchr(tok, '='), *amount = tok;
		if (eq) {
			if (!valid_currency(tok, (size_t)(eq - tok)))
				diag_die(EXIT_USAGE, "--min-payout: \"%.*s\" is not a currency code",
					 (int)(eq - tok), tok);
			memcpy(m.currency, tok, 3);
			amount = eq + 1;
		}
		if (money_parse(amount, strlen(amount), &m.amount) != MONEY_OK || m.amount < 0)
			diag_die(EXIT_USAGE, "--min-payout: \"%s\" is not an amount", amount);
		for (size_t i = 0; i < opt.nmins; i++)
			if (memcmp(opt.mins[i].currency, m.currency, sizeof m.currency) == 0)
				diag_die(EXIT_USAGE, "--min-payout: %s given twice",
					 m.currency[0] ? m.currency : "an amount without a currency");
		if (opt.nmins == sizeof opt.mins / sizeof opt.mins[0])
			diag_die(EXIT_USAGE, "--min-payout: too many currencies");
		opt.mins[opt.nmins++] = m;
	}
	free(copy);
}

/* --issuer: a name of one line, without control characters, that a
 * statement shows as it is (escaped in HTML and Markdown). */
static void parse_issuer(const char *arg)
{
	if (!*arg)
		diag_die(EXIT_USAGE, "--issuer: the name is empty");
	for (const unsigned char *c = (const unsigned char *)arg; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			diag_die(EXIT_USAGE, "--issuer: the name has a control character (0x%02x): give it on one line",
				 *c);
	opt.issuer = arg;
}

/* --issue-date YYYY-MM-DD: a day, exactly as written back. */
static void parse_issue_date(const char *arg)
{
	int64_t t;
	char day[DATE_BUF];
	if (date_parse(arg, strlen(arg), &t) < 0 || (date_format_day(day, t), strcmp(day, arg) != 0))
		diag_die(EXIT_USAGE, "--issue-date: \"%s\" is not a day (YYYY-MM-DD)", arg);
	snprintf(opt.issue_date, sizeof opt.issue_date, "%s", day);
	opt.have_issue_date = true;
}

/* SIGTERM, SIGINT, SIGHUP: finish the file being written, then stop,
 * removing unfinished temporaries (out.h), so that an interrupted run
 * leaves every statement and the ledger whole or absent. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static void stop_if_interrupted(void)
{
	if (interrupted)
		diag_die(EXIT_DATA, "interrupted by signal %d: nothing more written", (int)interrupted);
}

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* ------------------------------------------------------- library statuses */

/* Die for a failed report_* call: out of memory, or a sum that overflows
 * (at file:line when the row is known). */
static void check_status(int rc, const char *file, long line)
{
	if (rc == REPORT_ENOMEM)
		diag_die(EXIT_DATA, "out of memory");
	if (rc != REPORT_OK)
		diag_die_at(EXIT_DATA, file, line, "the total overflows");
}

static uint32_t intern_or_die(struct report_names *names, const char *s, size_t len)
{
	uint32_t id;
	if (report_names_intern(names, s, len, &id) < 0)
		diag_die(EXIT_DATA, "out of memory");
	return id;
}

static int64_t add_or_die(int64_t a, int64_t b, const char *file, long line)
{
	int64_t sum;
	if (!money_add(a, b, &sum))
		diag_die_at(EXIT_DATA, file, line, "the total overflows");
	return sum;
}

/* ------------------------------------------------------ reading rows */

static struct report_book book;
static char currencies[8][4]; /* the first few currencies seen, for messages */
static int ncurrencies;

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

static noreturn void die_value(const struct tsv_reader *r, const char *col, const struct tsv_field *f,
			       const char *what)
{
	char q[96];
	diag_die_at(EXIT_DATA, r->file, r->line, "column \"%s\": %s %s", col,
		    diag_quote(q, sizeof q, f->s, f->len), what);
}

static void row_date(struct row_cache *c, const struct tsv_reader *r, const struct tsv_field *f)
{
	if (f->len == c->date_len && f->len && memcmp(f->s, c->date, f->len) == 0)
		return;
	if (date_parse(f->s, f->len, &c->when) < 0)
		die_value(r, "date", f, "is not a date");
	c->period = period_of(c->when, opt.kind).index;
	if (f->len < sizeof c->date) {
		memcpy(c->date, f->s, f->len);
		c->date_len = f->len;
	} else
		c->date_len = 0;
}

static void note_currency(const char *cur)
{
	for (int i = 0; i < ncurrencies; i++)
		if (memcmp(currencies[i], cur, 3) == 0)
			return;
	if (ncurrencies < 8)
		memcpy(currencies[ncurrencies++], cur, 4);
}

static void row_currency(struct row_cache *c, const struct tsv_reader *r, const struct tsv_field *f)
{
	if (f->len == 3 && memcmp(f->s, c->currency, 3) == 0)
		return;
	if (!valid_currency(f->s, f->len))
		die_value(r, "currency", f, "is not a currency code");
	memcpy(c->currency, f->s, 3);
	c->currency[3] = '\0';
	note_currency(c->currency);
}

static int64_t row_amount(const struct tsv_reader *r, const char *col, const struct tsv_field *f)
{
	int64_t v;
	int rc = money_parse(f->s, f->len, &v);
	if (rc != MONEY_OK)
		die_value(r, col, f, money_strerror(rc));
	return v;
}

static noreturn void die_fx(int rc, const char *currency, int64_t when, const struct tsv_reader *r)
{
	if (rc == FX_ENORATE) {
		char day[DATE_BUF];
		date_format_day(day, when);
		diag_die_at(EXIT_DATA, r->file, r->line, "no %s rate for %s on or before %s in %s", opt.to,
			    currency, day, opt.fx_path);
	}
	diag_die_at(EXIT_DATA, r->file, r->line, "converting %s to %s overflows", currency, opt.to);
}

/* The amount in the reporting currency: itself, or converted (--fx). */
static int64_t row_convert(const struct row_cache *c, const struct tsv_reader *r, int64_t v)
{
	int64_t out;
	if (!opt.to || memcmp(c->currency, opt.to, 3) == 0)
		return v;
	int rc = fx_convert(&opt.fx, v, c->currency, opt.to, c->when, &out);
	if (rc != FX_OK)
		die_fx(rc, c->currency, c->when, r);
	return out;
}

/* The amount of one part of a sale in the reporting currency, converted
 * by running total so the parts still add up (report_sale.h). */
static int64_t row_convert_part(struct report_fx_run *run, const struct row_cache *c, const struct tsv_reader *r,
				const char *key, size_t kl, bool groupable, int64_t v)
{
	int64_t out;
	if (!opt.to || memcmp(c->currency, opt.to, 3) == 0)
		return v;
	int rc = report_fx_run_convert(run, &opt.fx, opt.to, key, kl, groupable, c->when, c->currency, r->file, v,
				       &out);
	if (rc == 1)
		diag_die_at(EXIT_DATA, r->file, r->line, "the total overflows");
	if (rc != FX_OK)
		die_fx(rc, c->currency, c->when, r);
	return out;
}

/* Intern a short text cell, remembering the last one: sources and
 * products repeat from row to row. */
static uint32_t cached_name(const struct tsv_field *f, char *buf, size_t cap, size_t *len, uint32_t *id,
			    bool *have)
{
	if (*have && f->len == *len && memcmp(f->s, buf, f->len) == 0)
		return *id;
	*id = intern_or_die(&book.names, f->s, f->len);
	if (f->len < cap) {
		memcpy(buf, f->s, f->len);
		*len = f->len;
		*have = true;
	} else
		*have = false;
	return *id;
}

static void open_or_die(struct tsv_reader *r, char **files, size_t nfiles)
{
	if (tsv_open(r, files, nfiles) < 0) {
		if (errno)
			diag_die(EXIT_USAGE, "%s: %s", r->file, strerror(errno));
		diag_die_at(EXIT_DATA, r->file, 1, "%s", r->err);
	}
	progress_start(&progress, diag_prog, stderr, opt.progress, files, nfiles);
}

static void die_read_error(const struct tsv_reader *r)
{
	if (errno)
		diag_die(EXIT_DATA, "%s: %s", r->file, strerror(errno));
	diag_die_at(EXIT_DATA, r->file, r->line, "%s", r->err);
}

/* ------------------------------------------------------ --check's sales */

#define SALES_SHOWN 20 /* differing sales told one by one, then a summary line */

/* End the sale under way: its net into the period's totals, and a warning
 * when its allocations do not add up to it. */
static void close_sale(struct report_sale_group *g)
{
	static long differing;
	char a[MONEY_BUF], b[MONEY_BUF];

	if (!g->open)
		return;
	g->open = false;
	check_status(report_book_add_check(&book, g->period, g->currency, g->net, 0), g->file, g->first_line);
	if (g->sum == g->net)
		return;
	exit_status = EXIT_DATA;
	if (++differing > SALES_SHOWN) {
		if (differing == SALES_SHOWN + 1)
			diag_warn("... more sales differ; showing the first %d", SALES_SHOWN);
		return;
	}
	money_format(a, g->sum, g->digits);
	money_format(b, g->net, g->digits);
	if (g->first_line == g->last_line)
		diag_warn_at(g->file, g->first_line, "the allocations of this sale sum to %s %s, its net is %s", a,
			     g->currency, b);
	else
		diag_warn("%s:%ld-%ld: the allocations of this sale sum to %s %s, its net is %s", g->file,
			  g->first_line, g->last_line, a, g->currency, b);
}

/* One allocation row of a sale: a row continuing the sale under way must
 * repeat its net; a row starting another closes it. */
static void check_row(struct report_sale_group *g, bool groupable, const char *key, size_t kl,
		      const struct row_cache *c, const struct tsv_reader *r, const struct tsv_field *f_net,
		      const char *cur_out, int64_t amount)
{
	if (report_sale_group_continues(g, groupable, key, kl, c->period, cur_out, r->file)) {
		int64_t net = row_convert(c, r, row_amount(r, "net", f_net));
		if (net != g->net) {
			char a[MONEY_BUF], b[MONEY_BUF];
			money_format(a, net, g->digits);
			money_format(b, g->net, g->digits);
			diag_warn_at(r->file, r->line, "column \"net\": %s differs from the %s of line %ld of the same sale",
				     a, b, g->first_line);
			exit_status = EXIT_DATA;
		}
	} else {
		close_sale(g); /* its warning before any about this row */
		int64_t net = row_convert(c, r, row_amount(r, "net", f_net));
		report_sale_group_start(g, key, kl, net, r->line, r->file, c->period, cur_out);
	}
	g->sum = add_or_die(g->sum, amount, r->file, r->line);
	g->last_line = r->line;
	check_status(report_book_add_check(&book, c->period, cur_out, 0, amount), r->file, r->line);
}

/* ------------------------------------------------------ the allocations */

/* Rows a run leaves out are counted and told, never dropped silently:
 * with --period P those dated after P belong to a later run; without a
 * ledger (-p filters, as hledger's -p) and before --opening, those dated
 * before it are not this run's. */
struct left_out {
	long count;          /* rows left out */
	char file[512];      /* the first one's file ... */
	long line;           /* ... and line */
};
static struct left_out after_period, before_period;

static void note_left_out(struct left_out *n, const struct tsv_reader *r)
{
	if (n->count++ == 0) {
		snprintf(n->file, sizeof n->file, "%s", r->file);
		n->line = r->line;
	}
}

static void tell_left_out(void)
{
	char per[DATE_BUF];
	if (after_period.count) {
		period_format(per, opt.period);
		diag_warn_at(after_period.file, after_period.line,
			     "%ld row%s dated after --period %s (from here on) left for a later run", after_period.count,
			     after_period.count == 1 ? "" : "s", per);
	}
	if (before_period.count) {
		period_format(per, opt.have_opening ? opt.opening : opt.period);
		diag_warn_at(before_period.file, before_period.line, "%ld row%s dated before %s %s (from here on) left out",
			     before_period.count, before_period.count == 1 ? "" : "s",
			     opt.have_opening ? "--opening" : "--period", per);
	}
}

/* The first period this run books: --opening, or without a ledger --period. */
static bool before_first(int64_t period)
{
	if (opt.have_opening)
		return period < opt.opening.index;
	return opt.have_period && !opt.ledger && period < opt.period.index;
}

/* The rate that converted this row, for the statements to state (its
 * conversion succeeded, so there is one). */
static void note_rate(const struct row_cache *c, uint32_t account)
{
	struct ratio rate;
	int64_t rate_when;
	if (fx_lookup(&opt.fx, c->currency, opt.to, c->when, &rate, &rate_when) == FX_OK)
		check_status(report_book_note_fx(&book, account, c->period, c->currency, rate_when, rate), NULL, 0);
}

static void read_allocations(char **files, size_t nfiles)
{
	static const struct tsv_field none = {"", 0, true};
	struct report_fx_run run = {0};
	struct report_sale_group sale = {0};
	struct row_cache c = {0};
	struct tsv_reader r;
	int rc;

	open_or_die(&r, files, nfiles);
	int c_date = tsv_col_or_die(&r, "date");
	int c_payee = tsv_col_or_die(&r, "payee");
	int c_cur = tsv_col_or_die(&r, "currency");
	int c_amount = tsv_col_or_die(&r, "amount");
	int c_source = tsv_col(&r, "source");
	int c_product = tsv_col(&r, "product");
	int c_net = opt.check ? tsv_col_or_die(&r, "net") : -1;
	int key_cols[5] = {tsv_col(&r, "origin"), c_source, tsv_col(&r, "order"), tsv_col(&r, "line"),
			   tsv_col(&r, "kind")};
	/* Without origin or order there is no way to tell sales apart: each
	 * row is then its own sale. */
	bool groupable = key_cols[0] >= 0 || key_cols[2] >= 0;

	while ((rc = tsv_next(&r)) == 1) {
		const struct tsv_field *f = r.fields;
		progress_tick(&progress, r.bytes_read);
		char key[REPORT_SALE_KEY_MAX];

		if (interrupted)
			stop_if_interrupted();
		row_date(&c, &r, &f[c_date]);
		if (opt.have_period && c.period > opt.period.index) {
			note_left_out(&after_period, &r);
			continue;
		}
		if (before_first(c.period)) {
			note_left_out(&before_period, &r);
			continue;
		}
		row_currency(&c, &r, &f[c_cur]);
		if (f[c_payee].len == 0)
			die_value(&r, "payee", &f[c_payee], "is empty");
		size_t kl = opt.check || opt.to ? report_sale_key(key, sizeof key, f, key_cols) : 0;
		int64_t amount = row_convert_part(&run, &c, &r, key, kl, groupable, row_amount(&r, "amount", &f[c_amount]));
		const char *cur_out = opt.to ? opt.to : c.currency;

		uint32_t account, payee = intern_or_die(&book.names, f[c_payee].s, f[c_payee].len);
		check_status(report_book_account(&book, payee, cur_out, &account), NULL, 0);
		const struct tsv_field *fs = c_source >= 0 ? &f[c_source] : &none;
		const struct tsv_field *fp = c_product >= 0 ? &f[c_product] : &none;
		uint32_t src = cached_name(fs, c.src, sizeof c.src, &c.src_len, &c.src_id, &c.have_src);
		uint32_t prod = cached_name(fp, c.prod, sizeof c.prod, &c.prod_len, &c.prod_id, &c.have_prod);
		check_status(report_book_add(&book, account, c.period, src, prod, amount), r.file, r.line);
		if (opt.to && memcmp(c.currency, opt.to, 3) != 0)
			note_rate(&c, account);
		if (opt.check)
			check_row(&sale, groupable, key, kl, &c, &r, &f[c_net], cur_out, amount);
	}
	if (rc < 0)
		die_read_error(&r);
	/* r.file may be freed with the reader: the sale keeps its own copy. */
	if (sale.open) {
		static char last_file[512];
		snprintf(last_file, sizeof last_file, "%s", sale.file);
		sale.file = last_file;
		close_sale(&sale);
	}
	progress_end(&progress);
	tsv_close(&r);
}

/* A bare --min-payout is ambiguous when the input has several currencies. */
static void check_min_payout_currencies(void)
{
	bool bare = false;
	for (size_t i = 0; i < opt.nmins; i++)
		bare |= !opt.mins[i].currency[0];
	if (bare && !opt.to && ncurrencies > 1)
		diag_die(EXIT_USAGE, "--min-payout: an amount without a currency, and the input has %s and %s: "
				     "give one per currency (%s=50,%s=40) or use --fx and --to",
			 currencies[0], currencies[1], currencies[0], currencies[1]);
}

/* ------------------------------------------------------------ the ledger */

static struct report_ledger ledger;
static struct lock ledger_lock = {-1, NULL};
static char *seal_path;              /* LEDGER.seal (report_ledger.h) */
static struct report_seal seal;      /* as read */
static bool have_seal;               /* the seal file exists */
static struct report_seal new_seal;  /* what the ledger holds once written */

static void say_waiting(const char *lock_path, void *ctx)
{
	(void)ctx;
	diag_warn("waiting for the lock on %s", lock_path);
}

/* A ledger is a regular file tally-report replaces by rename: not a
 * device (-l /dev/null would accept every run and keep nothing), a
 * folder or a pipe. */
static void refuse_odd_ledger(void)
{
	struct stat st;
	if (stat(opt.ledger, &st) == 0 && !S_ISREG(st.st_mode))
		diag_die(EXIT_USAGE, "%s: not a regular file: a ledger is a file of its own", opt.ledger);
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
static void check_seal(void)
{
	char err[256], a[DATE_BUF], b[DATE_BUF];
	struct report_seal now;

	size_t n = strlen(opt.ledger) + sizeof ".seal";
	seal_path = malloc(n);
	if (!seal_path)
		diag_die(EXIT_DATA, "out of memory");
	snprintf(seal_path, n, "%s.seal", opt.ledger);
	int rc = report_seal_load(&seal, seal_path, err, sizeof err);
	if (rc == -1)
		diag_die(EXIT_USAGE, "%s: %s", seal_path, strerror(errno));
	if (rc == -2)
		diag_die(EXIT_DATA, "%s: %s; refusing to use the ledger %s", seal_path, err, opt.ledger);
	have_seal = rc == 0;
	if (!have_seal || report_seal_check(&ledger, &seal) != REPORT_SEAL_SHORT)
		return;
	report_seal_of(&ledger, &now);
	diag_die(EXIT_DATA,
		 "%s: the ledger holds %zu closed period%s (last: %s), but its seal %s says %zu (last: %s, chain %016llx): "
		 "it was cut, emptied or restored from an older copy, and the periods lost would be paid again; "
		 "restore the ledger that ends with the closing row of %s (chain %016llx), from a backup or "
		 "another copy",
		 opt.ledger, now.periods, now.periods == 1 ? "" : "s", seal_period(a, &now), seal_path, seal.periods,
		 seal_period(b, &seal), (unsigned long long)seal.chain, b, (unsigned long long)seal.chain);
}

/* After the ledger is written, its seal: atomically, under the lock. */
static void write_seal(void)
{
	const struct report_seal *s = &new_seal;
	char text[128];
	struct out o;

	if (!s->periods || (have_seal && s->periods == seal.periods && s->chain == seal.chain))
		return;
	size_t len = report_seal_format(text, sizeof text, s);
	stop_if_interrupted();
	if (!len || out_open_file(&o, seal_path) < 0)
		diag_die(EXIT_USAGE, "%s: %s", seal_path, strerror(errno));
	out_write(&o, text, len);
	if (out_close(&o) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", seal_path, strerror(errno));
}

/* LEDGER.issued: the issue date of each period the ledger closed, so that
 * a re-run shows the statements as they were issued.  A TSV stream
 * "period issued", written atomically under the ledger's lock before the
 * ledger; a period settled again (its ledger write failed) is replaced. */
struct issued_day {
	int64_t period;
	char day[DATE_BUF];
};
static struct issued_day *issued;
static size_t nissued, capissued;
static char *issued_path;

static void add_issued(int64_t period, const char *day)
{
	for (size_t i = 0; i < nissued; i++)
		if (issued[i].period == period) {
			snprintf(issued[i].day, sizeof issued[i].day, "%s", day);
			return;
		}
	if (!(issued = report_grow(issued, nissued, &capissued, sizeof *issued, 64)))
		diag_die(EXIT_DATA, "out of memory");
	issued[nissued].period = period;
	snprintf(issued[nissued++].day, sizeof issued->day, "%s", day);
}

static const char *issued_on(int64_t period)
{
	for (size_t i = 0; i < nissued; i++)
		if (issued[i].period == period)
			return issued[i].day;
	return "";
}

static void load_issued(void)
{
	struct tsv_reader r;
	struct stat st;
	size_t n = strlen(opt.ledger) + sizeof ".issued";
	issued_path = xmalloc(n);
	snprintf(issued_path, n, "%s.issued", opt.ledger);
	if (stat(issued_path, &st) < 0 && errno == ENOENT)
		return; /* a ledger from before issue dates */
	char *paths[1] = {issued_path};
	open_or_die(&r, paths, 1);
	progress_end(&progress);
	int c_period = tsv_col_or_die(&r, "period"), c_issued = tsv_col_or_die(&r, "issued"), rc;
	while ((rc = tsv_next(&r)) == 1) {
		struct period p;
		int64_t t;
		char day[DATE_BUF];
		const struct tsv_field *f = r.fields;
		if (period_parse(f[c_period].s, f[c_period].len, &p) < 0 || p.kind != opt.kind)
			die_value(&r, "period", &f[c_period], "is not a period of the ledger's kind");
		if (date_parse(f[c_issued].s, f[c_issued].len, &t) < 0 ||
		    (date_format_day(day, t), f[c_issued].len != strlen(day) || memcmp(day, f[c_issued].s, f[c_issued].len)))
			die_value(&r, "issued", &f[c_issued], "is not a day (YYYY-MM-DD)");
		add_issued(p.index, day);
	}
	if (rc < 0)
		die_read_error(&r);
	tsv_close(&r);
}

/* The issue date of every statement: a reproduced one's from
 * LEDGER.issued ("" when not recorded), a new one's of this run. */
static void date_statements(void)
{
	for (size_t i = 0; i < book.nst; i++) {
		struct report_statement *s = &book.st[i];
		const char *day = s->reproduced ? issued_on(s->period) : opt.issue_date;
		snprintf(s->issued, sizeof s->issued, "%s", day);
	}
}

static void write_issued(void)
{
	struct out o;
	char per[DATE_BUF];
	if (!book.have_settled)
		return;
	for (int64_t p = book.settled_first; p <= book.settled_last; p++)
		add_issued(p, opt.issue_date);
	stop_if_interrupted();
	if (out_open_file(&o, issued_path) < 0)
		diag_die(EXIT_USAGE, "%s: %s", issued_path, strerror(errno));
	out_puts(&o, "period\tissued\n");
	for (size_t i = 0; i < nissued; i++) {
		period_format(per, (struct period){opt.kind, issued[i].period});
		out_printf(&o, "%s\t%s\n", per, issued[i].day);
	}
	if (out_close(&o) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", issued_path, strerror(errno));
}

/* Read the ledger, under its lock unless only checking. */
static void load_ledger(void)
{
	long line;
	char err[512], a[DATE_BUF];

	/* a ledger that cannot be opened or created is a usage error (tally.7) */
	if (!opt.check && lock_acquire(&ledger_lock, opt.ledger, say_waiting, NULL) < 0)
		diag_die(EXIT_USAGE, "%s: %s", ledger_lock.path ? ledger_lock.path : opt.ledger, strerror(errno));
	int rc = report_ledger_load(&ledger, opt.ledger, &line, err, sizeof err);
	if (rc == -1)
		diag_die(EXIT_USAGE, "%s: %s", opt.ledger, strerror(errno));
	if (rc == -2)
		diag_die_at(EXIT_DATA, opt.ledger, line, "%s; refusing to use this ledger", err);
	check_seal();
	load_issued();
	if (ledger.has_rows && ledger.last.kind != opt.kind) {
		period_format(a, ledger.last);
		diag_die(EXIT_USAGE, "%s: the ledger is kept by %s (%s), not by %s", opt.ledger,
			 period_kind_name(ledger.last.kind), a, period_kind_name(opt.kind));
	}
}

static const char *fmt_period(char *buf, int64_t index)
{
	period_format(buf, (struct period){opt.kind, index});
	return buf;
}

/* Say why settling failed (report_book_settle). */
static noreturn void die_settling(int rc, const struct report_settle_error *e)
{
	char a[DATE_BUF], b[DATE_BUF], c[DATE_BUF], x[MONEY_BUF], y[MONEY_BUF];
	const struct report_account *acc = &book.acc[e->account];
	const struct report_ledger_row *row = e->row;

	switch (rc) {
	case REPORT_ELEDGER_EARNED:
		period_format(a, row->period);
		money_format(x, row->earned, row->digits);
		money_format(y, e->earned, row->digits);
		diag_die_at(EXIT_DATA, opt.ledger, row->line,
			    "the %s statement of %s (%s) says earned %s, the input %s: a period in the ledger cannot change",
			    a, row->payee, row->currency, x, y);
	case REPORT_ELEDGER_MISSING:
		fmt_period(a, e->period);
		period_format(b, ledger.last);
		period_format(c, period_next(ledger.last));
		diag_die(EXIT_DATA, "%s: period %s is %s in the ledger, which has no statement of %s (%s) for it: a closed period cannot change "
				    "(to post late rows into %s, run with --period %s)",
			 opt.ledger, a, e->period == ledger.last.index ? "the last" : "already",
			 report_book_payee(&book, e->account), acc->currency, c, c);
	case REPORT_EORDER_GAP:
		period_format(b, ledger.last);
		period_format(c, period_next(ledger.last));
		diag_die(EXIT_DATA, "%s: period %s is out of order: the ledger's last period is %s; run %s first",
			 opt.ledger, fmt_period(a, e->period), b, c);
	case REPORT_EORDER_BEFORE:
		period_format(b, ledger.first);
		diag_die(EXIT_DATA, "%s: period %s is out of order: the ledger starts at %s", opt.ledger,
			 fmt_period(a, e->period), b);
	case REPORT_ELATE_REPEAT:
		period_format(a, row->period);
		money_format(x, row->earned, row->digits);
		diag_die_at(EXIT_DATA, opt.ledger, row->line,
			    "the input's rows dated %s earn %s (%s) %s, exactly what the %s statement says: they are "
			    "that period's rows again, not late ones; a period in the ledger cannot change",
			    a, row->payee, row->currency, x, a);
	case REPORT_ENOTHING_NEW:
		diag_die(EXIT_DATA, "%s: every row of the input is in the ledger already (up to %s): nothing for %s; "
				    "a quiet period takes an input with no rows",
			 opt.ledger, fmt_period(a, e->period),
			 fmt_period(b, opt.have_period ? opt.period.index : period_next(ledger.last).index));
	case REPORT_EOVERFLOW:
		diag_die(EXIT_DATA, "the balance of %s (%s) overflows", report_book_payee(&book, e->account),
			 acc->currency);
	default:
		diag_die(EXIT_DATA, "out of memory");
	}
}

/* A new ledger starts at the input's first period, or at an explicit
 * --opening: -p M on a new ledger with earlier rows would post them all
 * into M as late rows, paying months nobody ran. */
static void refuse_silent_opening(void)
{
	char a[DATE_BUF], b[DATE_BUF];
	if (ledger.has_rows || !opt.have_period || opt.have_opening || !book.have_range ||
	    book.pmin >= opt.period.index)
		return;
	diag_die(EXIT_DATA, "%s: the ledger is new and the input has rows from %s, before --period %s: "
			    "run --period %s first, or give --opening %s to start the ledger there (earlier rows left out)",
		 opt.ledger, fmt_period(a, book.pmin), fmt_period(b, opt.period.index), a, b);
}

/* Append the new statements to the ledger, atomically (we hold its lock). */
static void write_ledger(void)
{
	struct out o;

	report_seal_of(&ledger, &new_seal);
	/* A period settled with no statement is still recorded (report_ledger.h),
	 * so that the next one is in order after a quiet month. */
	if (!book.have_settled)
		return;
	stop_if_interrupted();
	if (out_open_file(&o, opt.ledger) < 0)
		diag_die(EXIT_USAGE, "%s: %s", opt.ledger, strerror(errno));
	if (ledger.text_len)
		out_write(&o, ledger.text, ledger.text_len);
	else
		out_puts(&o, REPORT_LEDGER_HEADER "\n");
	uint64_t chain = report_book_put_ledger_rows(&book, ledger.last_chain, &o);
	new_seal.chain = chain;
	new_seal.periods += (size_t)(book.settled_last - book.settled_first + 1);
	new_seal.last = (struct period){opt.kind, book.settled_last};
	stop_if_interrupted();
	if (out_close(&o) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", opt.ledger, strerror(errno));
}

/* ------------------------------------------------------------ output */

static void render_or_die(int rc)
{
	if (rc != REPORT_OK)
		diag_die(EXIT_DATA, "out of memory");
}

static void prepare_out_dir(void)
{
	struct stat st;
	if (mkdir(opt.out_dir, 0777) < 0 && errno != EEXIST)
		diag_die(EXIT_USAGE, "%s: %s", opt.out_dir, strerror(errno));
	if (stat(opt.out_dir, &st) < 0)
		diag_die(EXIT_USAGE, "%s: %s", opt.out_dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		diag_die(EXIT_USAGE, "%s: %s", opt.out_dir, strerror(ENOTDIR));
	if (access(opt.out_dir, W_OK | X_OK) < 0)
		diag_die(EXIT_USAGE, "%s: %s", opt.out_dir, strerror(errno));
}

/* The file name of the statements starting at book.st[i], in buf. */
static void statement_file_name(char *buf, size_t cap, size_t i)
{
	const struct report_statement *s = &book.st[i];
	char safe[REPORT_NAME_MAX + 1], per[DATE_BUF];
	report_safe_name(safe, sizeof safe, s->payee, strlen(s->payee));
	snprintf(buf, cap, "%s-%s.%s", safe, fmt_period(per, s->period), format_ext[opt.format]);
}

/* Before any file is written: two payees whose statements would share a
 * file -- names that differ only by case (one file on a case-insensitive
 * file system) or long names cut to one -- are an error, never one file
 * overwriting the other. */
static void check_out_dir_names(void)
{
	struct report_names names = {0};
	size_t *owner = NULL, cap = 0; /* the first statement of each name */
	char name[REPORT_NAME_MAX + DATE_BUF + 16];

	for (size_t i = 0; i < book.nst; i++) {
		statement_file_name(name, sizeof name, i);
		for (char *c = name; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		uint32_t id;
		uint32_t before = names.n;
		if (report_names_intern(&names, name, strlen(name), &id) < 0 ||
		    !(owner = report_grow(owner, before, &cap, sizeof *owner, 64)))
			diag_die(EXIT_DATA, "out of memory");
		if (id == before) {
			owner[id] = i;
			continue;
		}
		const struct report_statement *a = &book.st[owner[id]], *b = &book.st[i];
		if (strcmp(a->payee, b->payee) != 0) {
			statement_file_name(name, sizeof name, i);
			diag_die(EXIT_DATA, "--out-dir: payees \"%s\" and \"%s\" would share the file %s "
				 "(names that differ only by case, or long names cut to one): "
				 "nothing written; rename one in the agreements", a->payee, b->payee, name);
		}
	}
	free(owner);
	report_names_free(&names);
}

static struct report_issue issue; /* the issuer and rates every statement names */

/* --out-dir: one file per payee and period, DIR/PAYEE-PERIOD.EXT, each
 * written atomically; each path written is printed. */
static void write_out_dir(void)
{
	check_out_dir_names();
	for (size_t i = 0; i < book.nst;) {
		const struct report_statement *s = &book.st[i];
		size_t j = i + 1;
		while (j < book.nst && book.st[j].period == s->period &&
		       book.acc[book.st[j].account].payee == book.acc[s->account].payee)
			j++;
		char name[REPORT_NAME_MAX + DATE_BUF + 16];
		statement_file_name(name, sizeof name, i);
		size_t plen = strlen(opt.out_dir) + strlen(name) + 2;
		char *path = xmalloc(plen);
		snprintf(path, plen, "%s/%s", opt.out_dir, name);
		struct out o;
		stop_if_interrupted();
		if (out_open_file_here(&o, path) < 0)
			diag_die(EXIT_USAGE, "%s: %s", path,
				 errno == ELOOP ? "a symbolic link: statements are not written through links"
						: strerror(errno));
		render_or_die(report_render_statements(&o, opt.format, &book, opt.ledger ? &ledger : NULL, &issue, i, j,
						       false));
		if (out_close(&o) < 0)
			diag_die(EXIT_DATA, "%s: write error: %s", path, strerror(errno));
		struct out *so = out_stdout();
		out_puts(so, path);
		out_putc(so, '\n');
		free(path);
		i = j;
	}
}

/* The document's destination: -o FILE (atomically: whole or not at all),
 * else standard output. */
static struct out output_file;

static struct out *doc_open(void)
{
	if (!opt.output || strcmp(opt.output, "-") == 0)
		return out_stdout();
	stop_if_interrupted();
	if (out_open_file(&output_file, opt.output) < 0)
		diag_die(EXIT_USAGE, "%s: %s", opt.output, strerror(errno));
	return &output_file;
}

static void doc_close(struct out *o)
{
	if (o != &output_file)
		return;
	stop_if_interrupted();
	if (out_close(o) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", opt.output, strerror(errno));
}

/* --check: the table, and a warning for each line that does not add up. */
static void run_check(void)
{
	struct report_check_line *lines;
	size_t n;
	int rc = report_book_check(&book, &lines, &n);

	if (rc == REPORT_EOVERFLOW)
		diag_die(EXIT_DATA, "the carried balances overflow");
	check_status(rc, NULL, 0);
	for (size_t i = 0; i < n; i++) {
		const struct report_check_line *l = &lines[i];
		char per[DATE_BUF], a[MONEY_BUF], b[MONEY_BUF], s[MONEY_BUF];
		if (l->ok)
			continue;
		money_format(a, l->net, l->digits);
		money_format(b, l->allocated, l->digits);
		money_format(s, l->paid_and_change, l->digits);
		diag_warn("%s %s: net sales %s, allocated %s, paid + carried change %s", fmt_period(per, l->period),
			  l->currency, a, b, s);
		exit_status = EXIT_DATA;
	}
	struct out *o = doc_open();
	render_or_die(report_render_check(o, opt.format, opt.kind, lines, n));
	doc_close(o);
	free(lines);
}

/* ------------------------------------------------------------ the summary */

static bool field_is(const struct tsv_field *f, const char *s)
{
	return f->len == strlen(s) && memcmp(f->s, s, f->len) == 0;
}

/* --summary: read the sales stream, then write the figures. */
static void run_summary(char **files, size_t nfiles)
{
	static const struct tsv_field none = {"", 0, true};
	struct kinds_tally passed = {0};
	struct report_summary sum = {.kind = opt.kind, .shown_only = opt.have_period,
				     .shown_period = opt.period.index};
	struct row_cache c = {0};
	struct tsv_reader r;
	int rc;

	open_or_die(&r, files, nfiles);
	/* an allocations stream repeats each sale once per payee: its gross,
	 * fee and net would count once per share (issue 10 item 4) */
	if (tsv_col(&r, "payee") >= 0 && tsv_col(&r, "amount") >= 0)
		diag_die_at(EXIT_DATA, r.file, 1,
			    "an allocations stream (it has columns payee and amount): each sale is on one row per payee "
			    "and would count once per share; --summary reads the sales stream (tally-ingest's output, before tally-split)");
	int c_date = tsv_col_or_die(&r, "date"), c_source = tsv_col_or_die(&r, "source");
	int c_kind = tsv_col_or_die(&r, "kind"), c_cur = tsv_col_or_die(&r, "currency");
	int c_gross = tsv_col_or_die(&r, "gross"), c_fee = tsv_col_or_die(&r, "fee");
	int c_net = tsv_col_or_die(&r, "net"), c_product = tsv_col(&r, "product");
	int c_country = tsv_col(&r, "country"), c_customer = tsv_col(&r, "customer");

	while ((rc = tsv_next(&r)) == 1) {
		const struct tsv_field *f = r.fields;
		progress_tick(&progress, r.bytes_read);
		row_date(&c, &r, &f[c_date]);
		/* rows before --period are history: customers seen before are
		 * returning ones, and growth is over the month before */
		if (opt.have_period && c.period > opt.period.index)
			continue;
		if (field_is(&f[c_kind], "payout"))
			continue; /* a transfer, not business */
		if (!kinds_known(f[c_kind].s)) {
			/* not revenue, and then not net either: told, as split does */
			if (kinds_tally_add(&passed, f[c_kind].s) < 0)
				diag_die(EXIT_DATA, "out of memory");
			continue;
		}
		row_currency(&c, &r, &f[c_cur]);
		const struct tsv_field *product = c_product >= 0 ? &f[c_product] : &none;
		const struct tsv_field *country = c_country >= 0 ? &f[c_country] : &none;
		const struct tsv_field *customer = c_customer >= 0 ? &f[c_customer] : &none;
		int64_t gross = row_convert(&c, &r, row_amount(&r, "gross", &f[c_gross]));
		int64_t fee = row_convert(&c, &r, row_amount(&r, "fee", &f[c_fee]));
		int64_t net = row_convert(&c, &r, row_amount(&r, "net", &f[c_net]));
		const struct report_sale sale = {
			c.period, opt.to ? opt.to : c.currency,
			f[c_kind].s, product->s, f[c_source].s, country->s, customer->s,
			f[c_kind].len, product->len, f[c_source].len, country->len, customer->len,
			gross, fee, net,
		};
		check_status(report_summary_add(&sum, &sale), r.file, r.line);
	}
	if (rc < 0)
		die_read_error(&r);
	progress_end(&progress);
	tsv_close(&r);
	if (passed.total) {
		char what[256];
		kinds_tally_format(&passed, what, sizeof what);
		diag_warn("%ld row%s of kinds not in the stream contract (tally.7) left out of every figure: %s",
			  passed.total, passed.total == 1 ? "" : "s", what);
	}
	kinds_tally_free(&passed);
	check_status(report_summary_finish(&sum), NULL, 0);
	struct out *o = doc_open();
	render_or_die(report_render_summary(o, opt.format, &sum));
	doc_close(o);
	report_summary_free(&sum);
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	enum { OPT_FX = 256, OPT_TO, OPT_OPENING, OPT_ISSUER, OPT_ISSUE_DATE, OPT_OUT_DIR,
	       OPT_PROGRESS = CLI_OPT_PROGRESS, OPT_NO_PROGRESS = CLI_OPT_NO_PROGRESS };
	static const struct option longopts[] = {
		{"check", no_argument, NULL, 'c'},
		{"format", required_argument, NULL, 'f'},
		{"fx", required_argument, NULL, OPT_FX},
		{"help", no_argument, NULL, 'h'},
		{"issue-date", required_argument, NULL, OPT_ISSUE_DATE},
		{"issuer", required_argument, NULL, OPT_ISSUER},
		{"ledger", required_argument, NULL, 'l'},
		{"min-payout", required_argument, NULL, 'm'},
		{"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
		{"opening", required_argument, NULL, OPT_OPENING},
		{"out-dir", required_argument, NULL, OPT_OUT_DIR},
		{"output", required_argument, NULL, 'o'},
		{"period", required_argument, NULL, 'p'},
		{"progress", no_argument, NULL, OPT_PROGRESS},
		{"summary", no_argument, NULL, 's'},
		{"to", required_argument, NULL, OPT_TO},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int ch;

	diag_init(argv[0]);
	opt.kind = PERIOD_MONTH;
	while ((ch = getopt_long(argc, argv, "cf:hl:m:o:p:sV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': opt.check = true; break;
		case 'f': {
			size_t i;
			for (i = 0; i < 4 && strcmp(optarg, format_names[i]) != 0; i++)
				;
			if (i == 4) {
				diag_warn("--format: \"%s\" is not one of tsv, text, md, html", optarg);
				usage(stderr, EXIT_USAGE);
			}
			opt.format = (enum report_format)i;
			break;
		}
		case 'h': usage(stdout, EXIT_OK); break;
		case 'l': opt.ledger = optarg; break;
		case 'm': parse_min_payout(optarg); break;
		case 'o': opt.output = optarg; break;
		case OPT_OUT_DIR: opt.out_dir = optarg; break;
		case 'p':
			if (period_parse(optarg, strlen(optarg), &opt.period) < 0) {
				diag_warn("--period: \"%s\" is not a period (2026-10, 2026-Q4, 2026-W05, 2026)", optarg);
				usage(stderr, EXIT_USAGE);
			}
			opt.have_period = true;
			opt.kind = opt.period.kind;
			break;
		case 's': opt.summary = true; break;
		case 'V': diag_print_version(); out_stdout_close_or_die(); return fflush(stdout) ? EXIT_DATA : EXIT_OK;
		case OPT_FX: opt.fx_path = optarg; break;
		case OPT_ISSUER: parse_issuer(optarg); break;
		case OPT_ISSUE_DATE: parse_issue_date(optarg); break;
		case OPT_OPENING:
			if (period_parse(optarg, strlen(optarg), &opt.opening) < 0) {
				diag_warn("--opening: \"%s\" is not a period (2026-10, 2026-Q4, 2026-W05, 2026)", optarg);
				usage(stderr, EXIT_USAGE);
			}
			opt.have_opening = true;
			break;
		case OPT_PROGRESS: opt.progress = PROGRESS_ON; break;
		case OPT_NO_PROGRESS: opt.progress = PROGRESS_OFF; break;
		case OPT_TO:
			if (!valid_currency(optarg, strlen(optarg))) {
				diag_warn("--to: \"%s\" is not a currency code", optarg);
				usage(stderr, EXIT_USAGE);
			}
			opt.to = optarg;
			break;
		default:
			cli_hint_option(argv[optind - 1], longopts);
			usage(stderr, EXIT_USAGE);
		}
	}
	if (opt.check && opt.summary) {
		diag_warn("--check and --summary do not go together");
		usage(stderr, EXIT_USAGE);
	}
	if (!opt.fx_path != !opt.to) {
		diag_warn("--fx and --to go together");
		usage(stderr, EXIT_USAGE);
	}
	if (opt.output && opt.out_dir) {
		diag_warn("-o FILE writes one document, --out-dir DIR a file per payee: not both");
		usage(stderr, EXIT_USAGE);
	}
	if (opt.summary && (opt.ledger || opt.out_dir || opt.nmins)) {
		diag_warn("--summary takes no --ledger, --out-dir or --min-payout");
		usage(stderr, EXIT_USAGE);
	}
	if (opt.check && opt.out_dir) {
		diag_warn("--check writes no statements: no --out-dir");
		usage(stderr, EXIT_USAGE);
	}
	if (opt.have_opening && (!opt.ledger || opt.summary)) {
		diag_warn("--opening goes with --ledger");
		usage(stderr, EXIT_USAGE);
	}
	if (opt.have_opening && opt.have_period && opt.opening.kind != opt.period.kind) {
		diag_warn("--opening and --period are periods of one kind");
		usage(stderr, EXIT_USAGE);
	}
	if (opt.have_opening)
		opt.kind = opt.opening.kind;
	if (opt.summary && (opt.issuer || opt.have_issue_date)) {
		diag_warn("--summary issues no statements: no --issuer or --issue-date");
		usage(stderr, EXIT_USAGE);
	}
	if (!opt.have_issue_date)
		date_format_day(opt.issue_date, (int64_t)time(NULL));
	if (opt.fx_path) {
		struct fx_error e;
		int rc = fx_load(&opt.fx, opt.fx_path, &e);
		if (rc == FX_EOPEN)
			diag_die(EXIT_USAGE, "%s: %s", e.file, strerror(errno));
		if (rc == FX_EDATA)
			diag_die_at(EXIT_DATA, e.file, e.line, "%s", e.msg);
		if (rc != FX_OK)
			diag_die(EXIT_DATA, "%s", strerror(ENOMEM));
	}
	char **files = argv + optind;
	size_t nfiles = (size_t)(argc - optind);
	const struct paths_role roles[] = {
		{opt.fx_path, "--fx", true}, {opt.ledger, "--ledger", false}, {opt.out_dir, "--out-dir", false},
		{opt.output, "--output", false},
	};
	char clash[PATHS_MSG_MAX];
	if (paths_check(roles, sizeof roles / sizeof *roles, files, nfiles, clash, sizeof clash))
		diag_die(EXIT_USAGE, "%s", clash);

	if (opt.summary) {
		run_summary(files, nfiles);
		out_stdout_close_or_die();
		return exit_status;
	}
	catch_signals();
	if (opt.out_dir)
		prepare_out_dir();
	book.kind = opt.kind;
	book.mins = opt.mins;
	book.nmins = opt.nmins;
	read_allocations(files, nfiles);
	tell_left_out();
	check_min_payout_currencies();
	if (opt.ledger) {
		refuse_odd_ledger();
		load_ledger();
		refuse_silent_opening();
	}
	struct report_settle_error err;
	int rc = report_book_settle(&book, opt.ledger ? &ledger : NULL, opt.have_period, opt.period.index, &err);
	if (rc != REPORT_OK)
		die_settling(rc, &err);
	check_status(report_book_total(&book), NULL, 0);
	date_statements();
	issue = (struct report_issue){opt.issuer, opt.to != NULL};
	if (opt.check)
		run_check();
	else if (opt.out_dir)
		write_out_dir();
	else {
		struct out *o = doc_open();
		render_or_die(report_render_statements(o, opt.format, &book, opt.ledger ? &ledger : NULL, &issue, 0,
						       book.nst, true));
		doc_close(o);
	}
	/* Everything the run shows must be out before the ledger commits it. */
	out_flush(out_stdout());
	if (opt.ledger && !opt.check) {
		write_issued();
		write_ledger();
		write_seal();
	}
	lock_release(&ledger_lock);
	out_stdout_close_or_die();
	return exit_status;
}
