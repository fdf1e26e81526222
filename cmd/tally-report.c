/* tally-report - allocations -> payout statements and the payout ledger;
 * --check, the conservation check; --summary, the business at a glance
 * from the sales stream.
 *
 * This file is the command: options, reading and judging rows (every
 * message names file, line and column), and the flow of a run.  The
 * engines are in lib/: report_statements.h adds allocations up and settles
 * them into statements, report_ledger.h keeps the ledger, report_sale.h
 * follows the rows of one sale, report_summary.h works out the figures at
 * a glance, report_render.h writes every document in the four formats,
 * and report_payouts.h the batch files of --payouts.  Reading is one
 * streaming pass, so memory grows with payees x periods x products, never
 * with rows. */
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
#include "report_business.h"
#include "escape.h"
#include "report_keys.h"
#include "report_ledger.h"
#include "report_payouts.h"
#include "report_partial.h"
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
	const char *paid;                   /* --paid FILE: money paid outside tally */
	const char *out_dir;                /* --out-dir DIR */
	const char *output;                 /* -o, --output FILE: the document, atomically, else stdout */
	struct report_min_payout mins[32];  /* --min-payout */
	size_t nmins;
	bool check, summary;                /* --check, --summary */
	bool partial, merge;                /* --partial, --merge */
	const char *fx_path;                /* --fx RATES */
	const char *to;                     /* --to CUR */
	struct fx_table fx;                 /* the rates of --fx */
	enum progress_mode progress;        /* --progress, --no-progress, else auto */
	unsigned payouts;                   /* --payouts FORMAT,...: the set (report_payouts.h), 0 none */
	const char *payees;                 /* --payees FILE */
	bool business;                      /* --business, or implied by --costs and --whatif */
	const char *costs_path;             /* --costs COSTS */
	const char *whatif_path;            /* --whatif FEES */
	struct report_costs costs;          /* the table of --costs */
	struct report_fees fees;            /* the schedules of --whatif */
	const char *forecast_path;          /* --forecast FILE */
	struct report_outlook outlook;      /* its forecast */
	int64_t balance;                    /* --balance AMOUNT */
	bool have_balance;
	const char *issuer;                 /* --issuer NAME */
	const char *agreements;             /* --agreements FILE: every payee a statement each period */
	struct split_rules rules;           /* ... its agreements */
	char issue_date[DATE_BUF];          /* --issue-date, else today (UTC) */
	bool have_issue_date;               /* --issue-date was given */
};

static struct options opt;
static struct progress progress;        /* the line on a terminal while the input is read */
static int exit_status = EXIT_OK;       /* what main returns */

static noreturn void usage(FILE *f, int status)
{
	fprintf(f,
		"usage: tally-report [-c | --summary] [-f FORMAT] [-p PERIOD] [-l LEDGER] [--paid FILE]\n"
		"                    [-o FILE | --out-dir DIR]\n"
		"                    [--min-payout [CUR=]AMOUNT[,...]] [--fx RATES --to CUR]\n"
		"                    [--issuer NAME] [--issue-date YYYY-MM-DD] [--agreements FILE]\n"
		"                    [--payouts FORMAT --payees FILE]\n"
		"                    [--business] [--costs COSTS] [--whatif FEES]\n"
		"                    [--forecast FILE [--balance AMOUNT]]\n"
		"                    [--progress | --no-progress] [FILE...]\n"
		"       tally-report --partial [-c] [-p PERIOD] [--opening PERIOD] [--fx RATES --to CUR] [FILE...]\n"
		"       tally-report --merge [-c] [-f FORMAT] [-p PERIOD] [-o FILE | --out-dir DIR]\n"
		"                    [--min-payout [CUR=]AMOUNT[,...]] [PARTIAL...]\n"
		"       tally-report --help | --version\n");
	if (f == stdout) {
		fputs("\n"
		      "Payout statements from an allocations stream (tally-split), per payee,\n"
		      "period and currency: brought forward, earned, paid, carried forward.\n"
		      "\n"
		      "  -c, --check             verify conservation per period and currency\n"
		      "      --summary           the business at a glance, from a sales stream\n"
		      "      --business          ... with dependence and refunds per channel\n"
		      "      --costs COSTS       ... with costs, profit, margins and break-even\n"
		      "      --whatif FEES       ... with what other platforms' fees would have taken\n"
		      "      --forecast FILE     ... with projected revenue, profit and runway (tally-forecast)\n"
		      "      --balance AMOUNT    ... the cash at hand at the end of the last period (0)\n"
		      "  -f, --format FORMAT     tsv (default), text, md or html\n"
		      "  -p, --period PERIOD     only this period (2026-10, 2026-Q4, 2026-W05, 2026)\n"
		      "  -l, --ledger FILE       read balances from and append statements to FILE\n"
		      "      --opening PERIOD    the ledger starts here: earlier rows are left out\n"
		      "      --paid FILE         record money paid outside tally (payee, date, amount,\n"
		      "                          currency, reference) against the ledger's balances\n"
		      "  -o, --output FILE       write the document to FILE (whole, or not at all)\n"
		      "      --out-dir DIR       one statement file per payee: DIR/PAYEE-PERIOD.EXT\n"
		      "      --min-payout SPEC   pay nothing under this: 50.00 or USD=50,EUR=40\n"
		      "      --fx RATES          convert with this rates table (date, currency, rate)\n"
		      "      --to CUR            ... into this currency\n"
		      "      --issuer NAME       the issuer named on every statement\n"
		      "      --issue-date DATE   the issue date of new statements (default: today, UTC)\n"
		      "      --agreements FILE   every payee of these agreements (tally-split's) gets a\n"
		      "                          statement each period, 0.00 earned included\n"
		      "      --payouts FORMAT    write the payments as batch files: paypal, wise, tsv\n"
		      "                          (several joined by commas, with --out-dir)\n"
		      "      --payees FILE       how each payee is paid (payee, method, account, currency)\n"
		      "      --progress          show progress on stderr even when not a terminal\n"
		      "      --no-progress       never show progress (default: on a terminal)\n"
		      "      --partial           write mergeable partial sums, not statements\n"
		      "      --merge             read partial sums (--partial) as the input\n"
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
	if (rc == REPORT_ETEMP)
		diag_die(EXIT_DATA, "a temporary file in %s: %s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
			 strerror(errno));
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
	cli_tsv_open(r, files, nfiles);
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
static long differing; /* sales whose allocations do not sum to their net */

static void close_sale(struct report_sale_group *g)
{
	char a[MONEY_BUF], b[MONEY_BUF];

	if (!g->open)
		return;
	g->open = false;
	check_status(report_book_add_check(&book, g->period, g->currency, g->net, 0), g->file, g->first_line);
	if (g->sum == g->net)
		return;
	if (opt.partial) { /* counted in the partial; the merge tells */
		differing++;
		return;
	}
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
		      const struct row_cache *c, int64_t period, const struct tsv_reader *r, const struct tsv_field *f_net,
		      const char *cur_out, int64_t amount)
{
	if (report_sale_group_continues(g, groupable, key, kl, period, cur_out, r->file)) {
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
		report_sale_group_start(g, key, kl, net, r->line, r->file, period, cur_out);
	}
	g->sum = add_or_die(g->sum, amount, r->file, r->line);
	g->last_line = r->line;
	check_status(report_book_add_check(&book, period, cur_out, 0, amount), r->file, r->line);
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
/* --partial -p P: rows dated before P are kept (a merge with a ledger
 * posts them as late rows), and counted here for a merge without one. */
static struct left_out early_rows;

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

static int64_t place_row(uint64_t key, const struct tsv_reader *r, int64_t period, int64_t amount, int digits);

/* The first period this run books: --opening, or without a ledger --period. */
static bool before_first(int64_t period)
{
	if (opt.have_opening)
		return period < opt.opening.index;
	return opt.have_period && !opt.ledger && !opt.partial && period < opt.period.index;
}

static long rows_read;  /* allocation rows added up */
static bool have_net;   /* the allocations have net: check totals kept */

/* The rate that converted this row, for the statements to state (its
 * conversion succeeded, so there is one). */
static void note_rate(const struct row_cache *c, uint32_t account, int64_t period)
{
	struct ratio rate;
	int64_t rate_when;
	if (fx_lookup(&opt.fx, c->currency, opt.to, c->when, &rate, &rate_when) == FX_OK)
		check_status(report_book_note_fx(&book, account, period, c->currency, rate_when, rate), NULL, 0);
}

/* With --agreements: the (payee line, currency) pairs the rows were in. */
static struct report_due_use *due_uses;
static size_t ndue_uses, capdue_uses;

static void note_due_use(const struct tsv_field *f, const char *currency)
{
	char *end;
	long line = strtol(f->s, &end, 10);
	if (f->len == 0 || end != f->s + f->len || line <= 0)
		return; /* "default": --default-payee's rows */
	for (size_t i = ndue_uses; i-- > 0;)
		if (due_uses[i].line == line && memcmp(due_uses[i].currency, currency, 3) == 0)
			return;
	struct report_due_use *grown = report_grow(due_uses, ndue_uses, &capdue_uses, sizeof *grown, 16);
	if (!grown)
		diag_die(EXIT_DATA, "out of memory");
	struct report_due_use *u = &grown[ndue_uses++];
	due_uses = grown;
	u->line = line;
	memcpy(u->currency, currency, 3);
	u->currency[3] = '\0';
}

/* --agreements: the file parsed as tally-split parses it. */
static void load_agreements(void)
{
	char *text, err[512];
	size_t len;
	long line = 0;
	int rc = report_read_file(opt.agreements, &text, &len);
	if (rc != 0)
		diag_die(EXIT_USAGE, "%s: %s", opt.agreements, rc > 0 ? strerror(ENOENT) : strerror(errno));
	rc = split_rules_parse(&opt.rules, opt.agreements, text, len, &line, err, sizeof err);
	free(text);
	if (rc == SPLIT_ENOMEM)
		diag_die(EXIT_DATA, "out of memory");
	if (rc != SPLIT_OK) /* a missing column is usage, as in a stream (tally(7)) */
		diag_die_at(rc == SPLIT_ECOLUMN ? EXIT_USAGE : EXIT_DATA, opt.agreements, line, "%s", err);
}

/* The columns of tally-split --waterfall, -1 when the stream has none. */
struct step_cols {
	int gross, reached, commission, recouped, recoupment;
	int agreement; /* the row's agreements line, -1 when the stream has none */
};

static void step_cols_find(struct step_cols *sc, const struct tsv_reader *r)
{
	sc->reached = tsv_col(r, "reached");
	sc->gross = sc->commission = sc->recouped = sc->recoupment = sc->agreement = -1;
	if (sc->reached < 0)
		return;
	sc->commission = tsv_col_or_die(r, "commission");
	sc->recouped = tsv_col_or_die(r, "recouped");
	sc->recoupment = tsv_col_or_die(r, "recoupment");
	sc->gross = tsv_col(r, "gross");
	sc->agreement = tsv_col(r, "agreement");
	book.have_steps = true;
	book.have_gross = sc->gross >= 0;
}

/* A step's value, converted as the row's amount is (each rounded half to even). */
static int64_t step_value(const struct row_cache *c, const struct tsv_reader *r, const char *col, int i)
{
	return row_convert(c, r, row_amount(r, col, &r->fields[i]));
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
static void add_steps(const struct step_cols *sc, const struct row_cache *c, const struct tsv_reader *r,
		      uint32_t account, uint32_t src, uint32_t prod)
{
	struct report_steps st = {0, 0, 0, 0, 0};
	struct report_recoupment rec[16];
	size_t n;
	if (sc->reached < 0)
		return;
	st.reached = step_value(c, r, "reached", sc->reached);
	st.commission = step_value(c, r, "commission", sc->commission);
	st.recouped = step_value(c, r, "recouped", sc->recouped);
	if (sc->gross >= 0)
		st.gross = step_value(c, r, "gross", sc->gross);
	if (!money_add(st.reached, st.commission, &st.basis) || !money_add(st.basis, st.recouped, &st.basis))
		diag_die_at(EXIT_DATA, r->file, r->line, "the total overflows");
	check_status(report_book_add_steps(&book, account, src, prod, &st), r->file, r->line);
	const struct tsv_field *f = &r->fields[sc->recoupment];
	if (!report_recoupment_parse(f->s, f->len, c->when, rec, sizeof rec / sizeof *rec, &n))
		die_value(r, "recoupment", f, "is not LINE:CAP:CUR:RECOUPED entries joined by commas");
	n = report_recoupment_keep(rec, n, agreement_line(sc, r));
	check_status(report_book_note_recoupment(&book, account, rec, n), NULL, 0);
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
	have_net = c_net >= 0; /* --partial --check: the check totals go in the partial */
	int key_cols[5] = {tsv_col(&r, "origin"), c_source, tsv_col(&r, "order"), tsv_col(&r, "line"),
			   tsv_col(&r, "kind")};
	/* Without origin or order there is no way to tell sales apart: each
	 * row is then its own sale. */
	bool groupable = key_cols[0] >= 0 || key_cols[2] >= 0;
	struct row_ident ident;
	row_ident_init(&ident, &r);
	struct step_cols sc;
	step_cols_find(&sc, &r);
	int c_agreement = opt.agreements ? tsv_col(&r, "agreement") : -1;

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
		if (opt.partial && opt.have_period && c.period < opt.period.index)
			note_left_out(&early_rows, &r);
		row_currency(&c, &r, &f[c_cur]);
		if (f[c_payee].len == 0)
			die_value(&r, "payee", &f[c_payee], "is empty");
		size_t kl = have_net || opt.to ? report_sale_key(key, sizeof key, f, key_cols) : 0;
		int64_t amount = row_convert_part(&run, &c, &r, key, kl, groupable, row_amount(&r, "amount", &f[c_amount]));
		const char *cur_out = opt.to ? opt.to : c.currency;

		uint32_t account, payee = intern_or_die(&book.names, f[c_payee].s, f[c_payee].len);
		check_status(report_book_account(&book, payee, cur_out, &account), NULL, 0);
		const struct tsv_field *fs = c_source >= 0 ? &f[c_source] : &none;
		const struct tsv_field *fp = c_product >= 0 ? &f[c_product] : &none;
		uint32_t src = cached_name(fs, c.src, sizeof c.src, &c.src_len, &c.src_id, &c.have_src);
		uint32_t prod = cached_name(fp, c.prod, sizeof c.prod, &c.prod_len, &c.prod_id, &c.have_prod);
		int64_t into = opt.ledger ? place_row(row_ident_key(&ident, f), &r, c.period, amount, currency_digits(cur_out, 3)) : c.period;
		check_status(report_book_add_into(&book, account, c.period, into, src, prod, amount), r.file, r.line);
		add_steps(&sc, &c, &r, account, src, prod);
		if (c_agreement >= 0)
			note_due_use(&f[c_agreement], cur_out);
		rows_read++;
		if (opt.to && memcmp(c.currency, opt.to, 3) != 0)
			note_rate(&c, account, into);
		if (have_net)
			check_row(&sale, groupable, key, kl, &c, book.keyed ? into : c.period, &r, &f[c_net], cur_out, amount);
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
static char *keys_path;              /* LEDGER.keys (report_keys.h) */
static struct report_keys keys;      /* which rows the ledger's periods booked */
static struct report_keys new_keys;  /* rows of this run the record does not hold */
static bool keys_legacy;             /* a ledger from before key records: rows told by amounts */

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

	if (!s->periods || (have_seal && s->periods == seal.periods && s->chain == seal.chain && s->keys == seal.keys))
		return;
	size_t len = report_seal_format(text, sizeof text, s);
	stop_if_interrupted();
	if (!len || out_open_file(&o, seal_path) < 0)
		diag_die(EXIT_USAGE, "%s: %s", seal_path, strerror(errno));
	out_write(&o, text, len);
	if (out_close(&o) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", seal_path, strerror(errno));
}

static const char *fmt_period(char *buf, int64_t index);

/* The ledger's key record: which rows its periods booked.  A ledger from
 * before key records (closed periods, no record, a seal that does not say
 * it had one) is read as before, rows told by amounts, until a run whose
 * input holds every period it booked records them (migrate_keys). */
static void load_keys(void)
{
	long line;
	char err[256];
	size_t n = strlen(opt.ledger) + sizeof ".keys";
	keys_path = xmalloc(n);
	snprintf(keys_path, n, "%s.keys", opt.ledger);
	int rc = report_keys_load(&keys, keys_path, opt.kind, &line, err, sizeof err);
	if (rc == -1)
		diag_die(EXIT_USAGE, "%s: %s", keys_path, strerror(errno));
	if (rc == -2)
		diag_die_at(EXIT_DATA, keys_path, line, "%s; refusing to use the ledger %s", err, opt.ledger);
	keys.kind = new_keys.kind = opt.kind;
	if (rc == 1 && have_seal && seal.keys)
		diag_die(EXIT_DATA, "%s: the ledger's key record is missing (its seal %s says it has one): without it "
				    "rows already paid would be paid again; restore it with the ledger",
			 keys_path, seal_path);
	if (rc == 1 && ledger.nclosings) {
		keys_legacy = true;
		diag_warn("%s: no key record (a ledger from before them): rows are told from the ledger's by "
			  "amounts until a run whose input holds every period the ledger booked records them",
			  opt.ledger);
	}
	if (rc == 0 && report_keys_check(&keys, ledger.last_chain, ledger.has_rows, ledger.last.index) ==
			       REPORT_KEYS_STRANGER)
		diag_die(EXIT_DATA, "%s: this key record does not go with the ledger %s (its chain %016llx is not the "
				    "ledger's %016llx): restore the two together",
			 keys_path, opt.ledger, (unsigned long long)keys.chain, (unsigned long long)ledger.last_chain);
	book.keyed = !keys_legacy;
}

/* The period an allocation row posts into, by its key: the one the ledger
 * booked it into (with the amount it had), its own, or for a row of a
 * closed period the ledger does not hold, the run's first (late). */
static int64_t place_row(uint64_t key, const struct tsv_reader *r, int64_t period, int64_t amount, int digits)
{
	int64_t into = period;
	if (book.keyed) {
		const struct report_key *k = report_keys_find(&keys, key);
		if (k && k->amount != amount) {
			char a[MONEY_BUF], b[MONEY_BUF], per[DATE_BUF];
			money_format(a, amount, digits);
			money_format(b, k->amount, digits);
			diag_die_at(EXIT_DATA, r->file, r->line,
				    "column \"amount\": %s, but the ledger booked this row into %s as %s: a period in the "
				    "ledger cannot change (a changed sale comes from tally-split as its difference, a row of its own)",
				    a, fmt_period(per, k->period), b);
		}
		if (k)
			return k->period;
		if (ledger.has_rows && period <= ledger.last.index)
			into = opt.have_period ? opt.period.index : ledger.last.index + 1;
	}
	if (report_keys_add(&new_keys, key, into, amount) < 0)
		diag_die(EXIT_DATA, "out of memory");
	return into;
}

/* ------------------------------------------------------ --paid */

#define PAID_SOURCE "paid outside tally"

/* Whether a payment recorded before, posted into `into`, is part of what
 * this run shows or checks: the periods the allocations post into, or
 * --period's. */
static bool paid_in_run(int64_t into)
{
	return report_book_posts_into(&book, into) || (opt.have_period && into == opt.period.index);
}

/* One payment: the ledger's when its reference is (it must say the same
 * amount), else new, posted into its period or, dated in a closed one,
 * the run's first.  Returns whether it goes into the book, *into where. */
static bool place_payment(const struct tsv_reader *r, const struct tsv_field *ref, int64_t period, int64_t amount,
			  int digits, long *known, int64_t *into)
{
	uint64_t key = report_paid_key(ref->s, ref->len);
	const struct report_key *k = report_keys_find(&keys, key);
	if (k && k->amount != amount) {
		char a[MONEY_BUF], b[MONEY_BUF];
		money_format(a, -amount, digits);
		money_format(b, -k->amount, digits);
		char q[96];
		diag_die_at(EXIT_DATA, r->file, r->line, "column \"reference\": %s was recorded as paid %s, not %s: a payment "
			    "recorded cannot change", diag_quote(q, sizeof q, ref->s, ref->len), b, a);
	}
	if (k) {
		*into = k->period;
		++*known;
		return paid_in_run(*into);
	}
	*into = period;
	if (ledger.has_rows && period <= ledger.last.index)
		*into = opt.have_period ? opt.period.index : ledger.last.index + 1;
	if (report_keys_add(&new_keys, key, *into, amount) < 0)
		diag_die(EXIT_DATA, "out of memory");
	return true;
}

/* --paid FILE: each payment made outside tally is posted as a negative
 * earning "paid outside tally: REFERENCE" of its payee, once: its
 * reference is its identity in the key record.  Payments dated after the
 * run's last period are left for a later run, told. */
static void read_paid(void)
{
	struct row_cache c = {0};
	struct tsv_reader r;
	char *files[1] = {(char *)opt.paid};
	long known = 0, later = 0;
	int64_t last = opt.have_period ? opt.period.index : book.have_range ? book.pmax : INT64_MIN;
	uint32_t src = intern_or_die(&book.names, PAID_SOURCE, strlen(PAID_SOURCE));
	int rc;

	if (keys_legacy)
		diag_die(EXIT_DATA, "%s: --paid needs the ledger's key record, to record each payment once: run once with "
				    "a file of every period the ledger booked first", opt.ledger);
	open_or_die(&r, files, 1);
	int c_payee = tsv_col_or_die(&r, "payee"), c_date = tsv_col_or_die(&r, "date");
	int c_amount = tsv_col_or_die(&r, "amount"), c_cur = tsv_col_or_die(&r, "currency");
	int c_ref = tsv_col_or_die(&r, "reference");
	while ((rc = tsv_next(&r)) == 1) {
		const struct tsv_field *f = r.fields;
		row_date(&c, &r, &f[c_date]);
		row_currency(&c, &r, &f[c_cur]);
		int64_t amount = row_amount(&r, "amount", &f[c_amount]);
		if (amount <= 0)
			die_value(&r, "amount", &f[c_amount], "is not a payment: more than 0 was paid");
		if (f[c_payee].len == 0)
			die_value(&r, "payee", &f[c_payee], "is empty");
		if (f[c_ref].len == 0)
			die_value(&r, "reference", &f[c_ref], "is empty: a payment is known by its reference");
		if (opt.to && memcmp(c.currency, opt.to, 3) != 0)
			die_value(&r, "currency", &f[c_cur], "is not the --to currency: a payment is recorded as paid");
		if (c.period > last || before_first(c.period)) {
			later += c.period > last;
			continue;
		}
		int64_t into;
		if (!place_payment(&r, &f[c_ref], c.period, -amount, currency_digits(c.currency, 3), &known, &into))
			continue;
		uint32_t account, payee = intern_or_die(&book.names, f[c_payee].s, f[c_payee].len);
		uint32_t prod = intern_or_die(&book.names, f[c_ref].s, f[c_ref].len);
		check_status(report_book_account(&book, payee, c.currency, &account), NULL, 0);
		check_status(report_book_add_into(&book, account, c.period, into, src, prod, -amount), r.file, r.line);
		if (opt.check)
			check_status(report_book_add_check(&book, into, c.currency, -amount, -amount), r.file, r.line);
	}
	if (rc < 0)
		die_read_error(&r);
	tsv_close(&r);
	if (known)
		diag_warn("%s: %ld payment%s the ledger has recorded already, not recorded again", opt.paid, known,
			  known == 1 ? "" : "s");
	if (later)
		diag_warn("%s: %ld payment%s dated after this run's last period left for a later run", opt.paid, later,
			  later == 1 ? "" : "s");
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
	load_keys();
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
	case REPORT_ELATE_RERUN:
		period_format(b, ledger.last);
		period_format(c, period_next(ledger.last));
		diag_die(EXIT_DATA, "%s: rows dated %s (of %s, %s) that the ledger does not hold are late rows, and the input has no "
				    "row after %s: to post them into %s, run with --period %s",
			 opt.ledger, fmt_period(a, e->period), report_book_payee(&book, e->account), acc->currency, b, c, c);
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

/* Closing a period that has not ended by the issue date (today): its
 * sales reported later are late income of a later period.  Told, not
 * refused: a period may be closed early on purpose. */
static void warn_not_over(void)
{
	char a[DATE_BUF], b[DATE_BUF];
	int64_t first;
	if (!report_book_not_over(&book, opt.issue_date, &first))
		return;
	if (first == book.settled_last)
		diag_warn("%s: period %s is not over on %s: it is closed now, and its sales reported later will come "
			  "as late income of a later period", opt.ledger, fmt_period(a, first), opt.issue_date);
	else
		diag_warn("%s: periods %s to %s are not over on %s: they are closed now, and their sales reported "
			  "later will come as late income of a later period", opt.ledger, fmt_period(a, first),
			  fmt_period(b, book.settled_last), opt.issue_date);
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

/* The same unknown row twice in the input would be posted twice. */
static void refuse_repeated_rows(void)
{
	if (!book.keyed || report_keys_sort(&new_keys))
		return;
	diag_die(EXIT_DATA, "the input holds a row twice (the same source, order, line, kind, date, payee, ...) "
			    "that the ledger does not hold: a file fed twice would pay it twice");
}

/* An unkeyed ledger gets its key record once this run has placed every
 * period it booked: each row at the period it posted into.  False when
 * the input does not hold them all (the record is not started). */
static bool migrate_keys(void)
{
	if (!ledger.has_rows)
		return false;
	size_t n = (size_t)(ledger.last.index - ledger.first.index + 1);
	bool *posted = calloc(n, sizeof *posted), whole = posted != NULL;
	for (size_t k = 0; whole && k < new_keys.n; k++) {
		int64_t into = report_book_booked_into(&book, new_keys.k[k].period);
		whole = into != INT64_MAX;
		if (whole && into >= ledger.first.index && into <= ledger.last.index)
			posted[into - ledger.first.index] = true;
		new_keys.k[k].period = into;
	}
	for (size_t i = 0; whole && i < ledger.n; i++)
		whole = ledger.rows[i].earned == 0 || posted[ledger.rows[i].period.index - ledger.first.index];
	free(posted);
	return whole && report_keys_sort(&new_keys);
}

/* The key record, before the ledger it goes with is renamed into place
 * (report_keys.h): chain is the ledger's last chain value once written. */
static void write_keys(uint64_t chain)
{
	struct out o;
	uint64_t dup;
	int rc = report_keys_merge(&keys, &new_keys, &dup);
	if (rc == -1)
		diag_die(EXIT_DATA, "out of memory");
	if (rc == -2)
		diag_die(EXIT_DATA, "%s: row key %016llx twice: refusing to write it", keys_path, (unsigned long long)dup);
	stop_if_interrupted();
	if (out_open_file(&o, keys_path) < 0)
		diag_die(EXIT_USAGE, "%s: %s", keys_path, strerror(errno));
	report_keys_write(&keys, chain, ledger.last_chain, &o);
	if (out_close(&o) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", keys_path, strerror(errno));
	new_seal.keys = true;
}

/* Append the new statements to the ledger, atomically (we hold its lock),
 * the key record first. */
static void write_ledger(void)
{
	struct out o;

	report_seal_of(&ledger, &new_seal);
	new_seal.keys = !keys_legacy;
	if (keys_legacy && migrate_keys()) {
		diag_warn("%s: the input holds every period the ledger booked: its key record %s is started", opt.ledger,
			  keys_path);
		keys_legacy = false;
		if (!book.have_settled)
			write_keys(ledger.last_chain);
	}
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
	if (!keys_legacy)
		write_keys(chain);
	stop_if_interrupted();
	if (out_close(&o) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", opt.ledger, strerror(errno));
}

/* ------------------------------------------------------------ output */

static void render_or_die(int rc)
{
	if (rc == REPORT_EOVERFLOW)
		diag_die(EXIT_DATA, "a statement's running total overflows");
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
			free(owner);
			report_names_free(&names);
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

/* ------------------------------------------------------------ --payouts */

static struct report_payees payees;
static struct report_batch batches[3]; /* by format: the ones --payouts names */

static void die_payouts(int rc, const char *msg)
{
	if (rc == REPORT_PAYOUTS_ENOMEM)
		diag_die(EXIT_DATA, "out of memory");
	if (rc != REPORT_PAYOUTS_OK)
		diag_die(rc == REPORT_PAYOUTS_EOPEN || rc == REPORT_PAYOUTS_EUSAGE ? EXIT_USAGE : EXIT_DATA, "%s", msg);
}

/* The batches of the run's payments, built (and every payment checked)
 * before anything is written; what they leave out is told once. */
static void prepare_batches(void)
{
	char msg[1024], notes[512] = "";
	size_t npayments = 0;
	int rc = report_payees_load(&payees, opt.payees, msg, sizeof msg);
	for (int f = 0; f < 3 && rc == REPORT_PAYOUTS_OK; f++)
		if (opt.payouts & 1u << f) {
			rc = report_batch_build(&batches[f], (enum report_payouts_format)f, opt.payouts, &book, &payees,
						!opt.out_dir, msg, sizeof msg);
			if (!*notes)
				report_batch_notes(&batches[f], notes, sizeof notes);
			npayments += batches[f].n;
		}
	die_payouts(rc, msg);
	if (*notes)
		diag_warn("%s", notes);
	if (!npayments && opt.out_dir)
		diag_warn("no payment in this run: no batch file written");
}

/* The batches: into --out-dir beside the statements, else on stdout. */
static void write_batches(void)
{
	char msg[1024];
	stop_if_interrupted();
	for (int f = 0; f < 3; f++)
		if (opt.payouts & 1u << f) {
			die_payouts(report_batch_put(&batches[f], opt.out_dir, out_stdout(), msg, sizeof msg), msg);
			report_batch_free(&batches[f]);
		}
	report_payees_free(&payees);
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
static int64_t row_quantity(const struct tsv_reader *r, int col)
{
	char *end;
	if (col < 0 || r->fields[col].len == 0)
		return 1;
	errno = 0;
	long long q = strtoll(r->fields[col].s, &end, 10);
	if (*end || errno || end == r->fields[col].s)
		die_value(r, "quantity", &r->fields[col], "is not a whole number");
	return q;
}

/* Die for a failed report_business_* call, naming the row (r, when known)
 * or the cost or fee schedule. */
static void check_business(const struct report_business *b, int rc, const struct tsv_reader *r)
{
	const struct report_business_fail *f = &b->fail;
	char day[DATE_BUF];
	switch (rc) {
	case REPORT_BUSINESS_OK: return;
	case REPORT_BUSINESS_ENOMEM: diag_die(EXIT_DATA, "out of memory");
	case REPORT_BUSINESS_ECURRENCIES:
		diag_die_at(EXIT_DATA, r ? r->file : NULL, r ? r->line : 0,
			    "sales in %s and %s: --business, --costs, --whatif and --forecast work in one currency: give --fx RATES --to CUR",
			    b->currency, f->currency);
	case REPORT_BUSINESS_ECURRENCY:
		diag_die_at(EXIT_DATA, f->file, f->line,
			    "column \"currency\": \"%s\" is not the sales' currency %s: give --fx RATES --to %s",
			    f->currency, b->currency, b->currency);
	case REPORT_BUSINESS_ENORATE:
		date_format_day(day, f->day * 86400);
		diag_die_at(EXIT_DATA, f->file, f->line, "no %s rate for %s on or before %s in %s", b->currency,
			    f->currency, day, opt.fx_path);
	default:
		diag_die_at(EXIT_DATA, r ? r->file : NULL, r ? r->line : 0, "the total overflows");
	}
}

/* --costs and --whatif: load the tables, or die naming file, line and
 * column. */
static void load_table_or_die(int rc, const struct report_load_error *e)
{
	if (rc == REPORT_LOAD_EOPEN)
		diag_die(EXIT_USAGE, "%s: %s", e->file, strerror(errno));
	if (rc == REPORT_LOAD_EDATA || rc == REPORT_LOAD_ECOLUMN)
		diag_die_at(rc == REPORT_LOAD_ECOLUMN ? EXIT_USAGE : EXIT_DATA, e->file, e->line, "%s", e->msg);
	if (rc != REPORT_LOAD_OK)
		diag_die(EXIT_DATA, "out of memory");
}

/* --summary: read the sales stream, then write the figures. */
static void run_summary(char **files, size_t nfiles)
{
	static const struct tsv_field none = {"", 0, true};
	struct kinds_tally passed = {0};
	struct report_summary sum = {.kind = opt.kind, .shown_only = opt.have_period,
				     .shown_period = opt.period.index, .tmpdir = getenv("TMPDIR")};
	const char *budget = getenv("TALLY_SORT_BUFFER"); /* the customers' sort, as ingest --sort */
	if (budget && *budget && extsort_parse_size(budget, &sum.sort_budget) < 0)
		diag_die(EXIT_USAGE, "TALLY_SORT_BUFFER: \"%s\" is not a size (bytes, or with k, m or g)", budget);
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
	int c_quantity = tsv_col(&r, "quantity");
	struct report_business biz = {.kind = opt.kind, .costs = opt.costs_path ? &opt.costs : NULL,
				      .fees = opt.whatif_path ? &opt.fees : NULL,
				      .outlook = opt.forecast_path ? &opt.outlook : NULL, .balance = opt.balance,
				      .fx = opt.to ? &opt.fx : NULL};
	if (opt.business) {
		sum.extra = report_business_tables;
		sum.extra_html = report_business_chart;
		sum.extra_ctx = &biz;
	}

	while ((rc = tsv_next(&r)) == 1) {
		const struct tsv_field *f = r.fields;
		progress_tick(&progress, r.bytes_read);
		row_date(&c, &r, &f[c_date]);
		/* rows before --period are history: customers seen before are
		 * returning ones, and growth is over the month before */
		if (opt.have_period && c.period > opt.period.index)
			continue;
		if (field_is(&f[c_kind], "payout")) {
			if (opt.business)
				check_business(&biz, report_business_payout(&biz, c.period, day_of(c.when)), &r);
			continue; /* a transfer, not business */
		}
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
		if (opt.business)
			check_business(&biz, report_business_add(&biz, &sale, day_of(c.when), row_quantity(&r, c_quantity)),
				       &r);
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
	if (opt.business)
		check_business(&biz, report_business_finish(&biz, &sum), NULL);
	int fin = report_summary_finish(&sum);
	errno = sum.temp_errno;
	check_status(fin, NULL, 0);
	struct out *o = doc_open();
	render_or_die(report_render_summary(o, opt.format, &sum));
	doc_close(o);
	report_summary_free(&sum);
	report_business_free(&biz);
}

/* ------------------------------------------------- --partial and --merge */

static void copy_left(struct report_partial_left *to, const struct left_out *from)
{
	to->count = from->count;
	snprintf(to->file, sizeof to->file, "%s", from->file);
	to->line = from->line;
}

/* --partial: the book's sums, check totals and counters, for --merge. */
static void write_partial(void)
{
	struct report_partial_meta m = {.kind = opt.kind, .have_period = opt.have_period, .period = opt.period.index,
					.have_opening = opt.have_opening, .opening = opt.opening.index,
					.check = have_net, .rows = rows_read, .differing = differing};
	if (opt.to)
		memcpy(m.to, opt.to, 3);
	copy_left(&m.after, &after_period);
	copy_left(&m.before, &before_period);
	copy_left(&m.early, &early_rows);
	for (int i = 0; i < ncurrencies && i < REPORT_PARTIAL_CURRENCIES; i++)
		memcpy(m.currencies[m.ncurrencies++], currencies[i], 4);
	struct out *o = doc_open();
	report_partial_write(o, &book, &m);
	doc_close(o);
}

static void die_merge_option(const char *file, const char *what, const char *theirs, const char *ours)
{
	diag_die(EXIT_USAGE, "%s: the partials were read with %s %s, the merge has %s: give the merge the same",
		 file, what, *theirs ? theirs : "none", *ours ? ours : "none");
}

/* The merge runs as the partials' reads did: the same kind of period,
 * --period and --opening. */
static void check_merge_options(const struct report_partial_meta *m, const char *file)
{
	char a[DATE_BUF] = "", b[DATE_BUF] = "";
	if (m->kind != opt.kind)
		die_merge_option(file, "periods of kind", period_kind_name(m->kind), period_kind_name(opt.kind));
	if (m->have_period != opt.have_period || (m->have_period && m->period != opt.period.index)) {
		if (m->have_period)
			period_format(a, (struct period){m->kind, m->period});
		if (opt.have_period)
			period_format(b, opt.period);
		die_merge_option(file, "--period", a, b);
	}
	if (m->have_opening != opt.have_opening || (m->have_opening && m->opening != opt.opening.index)) {
		if (m->have_opening)
			period_format(a, (struct period){m->kind, m->opening});
		if (opt.have_opening)
			period_format(b, opt.opening);
		die_merge_option(file, "--opening", a, b);
	}
}

static void take_left(struct left_out *to, const struct report_partial_left *from)
{
	to->count = from->count;
	snprintf(to->file, sizeof to->file, "%s", from->file);
	to->line = from->line;
}

/* --merge: add the partials up into the book, as if their rows were read. */
static void read_partials(char **files, size_t nfiles)
{
	static struct report_partial_meta m;
	static char to[4];
	struct tsv_reader r;
	char err[256];
	int rc;

	open_or_die(&r, files, nfiles);
	if (report_partial_check_header(&r) < 0)
		diag_die_at(EXIT_DATA, r.file, 1, "not a partial of tally-report --partial (its header is not \"%s\")",
			    REPORT_PARTIAL_HEADER);
	m.kind = opt.kind;
	/* without a ledger, -p leaves out the rows before it (before_first) */
	m.drop_before = opt.have_period && !opt.ledger;
	m.drop_period = opt.period.index;
	while ((rc = tsv_next(&r)) == 1) {
		int st = report_partial_add(&book, &m, r.fields, err, sizeof err);
		if (st < 0)
			diag_die_at(EXIT_DATA, r.file, r.line, "%s", err);
		check_status(st, r.file, r.line);
	}
	if (rc < 0)
		die_read_error(&r);
	char last[512];
	snprintf(last, sizeof last, "%s", r.file);
	tsv_close(&r);
	check_merge_options(&m, last);
	if (opt.check && m.no_check)
		diag_die(EXIT_USAGE, "--check: a partial has no check totals: make the partials with --partial --check");
	if (m.to[0]) {
		memcpy(to, m.to, 4);
		opt.to = to;
	}
	take_left(&after_period, &m.after);
	take_left(&before_period, m.before.count || !m.drop_before ? &m.before : &m.early);
	if (m.drop_before && m.before.count)
		before_period.count += m.early.count;
	for (int i = 0; i < m.ncurrencies; i++)
		note_currency(m.currencies[i]);
	rows_read = m.rows;
	if (opt.check && m.differing) {
		diag_warn("%ld sale%s in the partials %s allocations that do not sum to %s net (--check on their "
			  "partition names them)",
			  m.differing, m.differing == 1 ? "" : "s", m.differing == 1 ? "has" : "have",
			  m.differing == 1 ? "its" : "their");
		exit_status = EXIT_DATA;
	}
}

/* Options --partial and --merge do not take. */
static void check_partition_options(void)
{
	if (opt.partial && opt.merge) {
		diag_warn("--partial and --merge do not go together");
		usage(stderr, EXIT_USAGE);
	}
	if (opt.partial && (opt.summary || opt.ledger || opt.out_dir || opt.nmins || opt.format)) {
		diag_warn("--partial writes partial sums: no --summary, --ledger, --out-dir, --min-payout or --format "
			  "(give them to --merge)");
		usage(stderr, EXIT_USAGE);
	}
	if (opt.merge && opt.ledger) {
		/* The ledger knows each row it booked by its key (LEDGER.keys), and
		 * a late or re-fed row is placed by what it is; a partial holds
		 * sums, not rows, so a merge could neither place them nor record
		 * them, and a later run would pay them again. */
		diag_warn("--merge cannot settle --ledger: the ledger records each row it books and a partial holds "
			  "sums, not rows; merge without --ledger for the statements and --check, and settle the ledger "
			  "with one tally-report --ledger run over the month's allocations");
		usage(stderr, EXIT_USAGE);
	}
	if (opt.merge && (opt.summary || opt.fx_path)) {
		diag_warn("--merge reads partial sums: no --summary, --fx or --to (give --fx and --to to --partial)");
		usage(stderr, EXIT_USAGE);
	}
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	enum { OPT_FX = 256, OPT_TO, OPT_OPENING, OPT_PAYOUTS, OPT_PAYEES, OPT_PAID, OPT_ISSUER, OPT_ISSUE_DATE, OPT_OUT_DIR,
	       OPT_BUSINESS, OPT_COSTS, OPT_WHATIF, OPT_FORECAST, OPT_BALANCE, OPT_PARTIAL, OPT_MERGE, OPT_AGREEMENTS,
	       OPT_PROGRESS = CLI_OPT_PROGRESS, OPT_NO_PROGRESS = CLI_OPT_NO_PROGRESS };
	static const struct option longopts[] = {
		{"agreements", required_argument, NULL, OPT_AGREEMENTS},
		{"balance", required_argument, NULL, OPT_BALANCE},
		{"business", no_argument, NULL, OPT_BUSINESS},
		{"check", no_argument, NULL, 'c'},
		{"costs", required_argument, NULL, OPT_COSTS},
		{"forecast", required_argument, NULL, OPT_FORECAST},
		{"format", required_argument, NULL, 'f'},
		{"fx", required_argument, NULL, OPT_FX},
		{"help", no_argument, NULL, 'h'},
		{"issue-date", required_argument, NULL, OPT_ISSUE_DATE},
		{"issuer", required_argument, NULL, OPT_ISSUER},
		{"ledger", required_argument, NULL, 'l'},
		{"merge", no_argument, NULL, OPT_MERGE},
		{"min-payout", required_argument, NULL, 'm'},
		{"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
		{"opening", required_argument, NULL, OPT_OPENING},
		{"out-dir", required_argument, NULL, OPT_OUT_DIR},
		{"output", required_argument, NULL, 'o'},
		{"paid", required_argument, NULL, OPT_PAID},
		{"partial", no_argument, NULL, OPT_PARTIAL},
		{"payees", required_argument, NULL, OPT_PAYEES},
		{"payouts", required_argument, NULL, OPT_PAYOUTS},
		{"period", required_argument, NULL, 'p'},
		{"progress", no_argument, NULL, OPT_PROGRESS},
		{"summary", no_argument, NULL, 's'},
		{"to", required_argument, NULL, OPT_TO},
		{"version", no_argument, NULL, 'V'},
		{"whatif", required_argument, NULL, OPT_WHATIF},
		{NULL, 0, NULL, 0},
	};
	static const char *const moved[] = {"m--min-payout", "s--summary", NULL};
	int ch;

	diag_init(argv[0]);
	opt.kind = PERIOD_MONTH;
	struct cli_seen seen = {0};
	while ((ch = getopt_long(argc, argv, "cf:hl:o:p:V", longopts, NULL)) != -1) {
		if (!cli_once(&seen, ch, longopts, NULL))
			usage(stderr, EXIT_USAGE);
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
		case 'V': cli_version();
		case OPT_AGREEMENTS: opt.agreements = optarg; break;
		case OPT_BUSINESS: opt.business = true; break;
		case OPT_COSTS: opt.costs_path = optarg; opt.business = true; break;
		case OPT_WHATIF: opt.whatif_path = optarg; opt.business = true; break;
		case OPT_FORECAST: opt.forecast_path = optarg; opt.business = true; break;
		case OPT_BALANCE:
			if (money_parse(optarg, strlen(optarg), &opt.balance) != MONEY_OK) {
				diag_warn("--balance: \"%s\" is not an amount", optarg);
				usage(stderr, EXIT_USAGE);
			}
			opt.have_balance = true;
			break;
		case OPT_FX: opt.fx_path = optarg; break;
		case OPT_PAID: opt.paid = optarg; break;
		case OPT_MERGE: opt.merge = true; break;
		case OPT_PARTIAL: opt.partial = true; break;
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
		case OPT_PAYEES: opt.payees = optarg; break;
		case OPT_PAYOUTS:
			if (!report_payouts_formats_parse(optarg, &opt.payouts)) {
				diag_warn("--payouts: \"%s\" is not paypal, wise or tsv, or several joined by commas", optarg);
				usage(stderr, EXIT_USAGE);
			}
			break;
		case OPT_TO:
			if (!valid_currency(optarg, strlen(optarg))) {
				diag_warn("--to: \"%s\" is not a currency code", optarg);
				usage(stderr, EXIT_USAGE);
			}
			opt.to = optarg;
			break;
		default:
			cli_hint_moved(optopt, moved);
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
	if (!opt.payouts != !opt.payees || (opt.payouts && (opt.check || opt.summary))) {
		diag_warn("--payouts and --payees go together, without --check or --summary");
		usage(stderr, EXIT_USAGE);
	}
	if ((opt.payouts & (opt.payouts - 1)) && !opt.out_dir) {
		diag_warn("--payouts: several formats are several files: give --out-dir");
		usage(stderr, EXIT_USAGE);
	}
	if (opt.paid && (!opt.ledger || opt.summary)) {
		diag_warn("--paid goes with --ledger: a payment is recorded against its balance");
		usage(stderr, EXIT_USAGE);
	}
	check_partition_options();
	if (opt.have_opening && ((!opt.ledger && !opt.partial) || opt.summary)) {
		diag_warn("--opening goes with --ledger");
		usage(stderr, EXIT_USAGE);
	}
	if (opt.have_opening && opt.have_period && opt.opening.kind != opt.period.kind) {
		diag_warn("--opening and --period are periods of one kind");
		usage(stderr, EXIT_USAGE);
	}
	if (opt.business && !opt.summary) {
		diag_warn("--business, --costs, --whatif and --forecast go with --summary");
		usage(stderr, EXIT_USAGE);
	}
	if (opt.agreements && (opt.summary || opt.check || opt.partial || opt.merge)) {
		diag_warn("--agreements gives every payee a statement: no --summary, --check, --partial or --merge");
		usage(stderr, EXIT_USAGE);
	}
	if (opt.have_balance && !opt.forecast_path) {
		diag_warn("--balance goes with --forecast");
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
		if (rc == FX_EDATA || rc == FX_ECOLUMN)
			diag_die_at(rc == FX_ECOLUMN ? EXIT_USAGE : EXIT_DATA, e.file, e.line, "%s", e.msg);
		if (rc != FX_OK)
			diag_die(EXIT_DATA, "%s", strerror(ENOMEM));
	}
	char **files = argv + optind;
	size_t nfiles = (size_t)(argc - optind);
	const struct paths_role roles[] = {
		{opt.fx_path, "--fx", true}, {opt.ledger, "--ledger", false}, {opt.out_dir, "--out-dir", false},
		{opt.payees, "--payees", true},
		{opt.paid, "--paid", true},
		{opt.agreements, "--agreements", true},
		{opt.costs_path, "--costs", true}, {opt.whatif_path, "--whatif", true},
		{opt.forecast_path, "--forecast", true},
		{opt.output, "--output", false},
	};
	char clash[PATHS_MSG_MAX];
	if (paths_check(roles, sizeof roles / sizeof *roles, files, nfiles, clash, sizeof clash))
		diag_die(EXIT_USAGE, "%s", clash);
	struct report_load_error le;
	if (opt.costs_path)
		load_table_or_die(report_costs_load(&opt.costs, opt.costs_path, &le), &le);
	if (opt.whatif_path)
		load_table_or_die(report_fees_load(&opt.fees, opt.whatif_path, &le), &le);
	if (opt.forecast_path)
		load_table_or_die(report_outlook_load(&opt.outlook, opt.forecast_path, opt.kind, &le), &le);
	if (opt.agreements)
		load_agreements();

	if (opt.summary) {
		run_summary(files, nfiles);
		report_costs_free(&opt.costs);
		report_fees_free(&opt.fees);
		report_outlook_free(&opt.outlook);
		out_stdout_close_or_die();
		return exit_status;
	}
	catch_signals();
	if (opt.out_dir)
		prepare_out_dir();
	book.kind = opt.kind;
	book.mins = opt.mins;
	book.nmins = opt.nmins;
	if (opt.ledger) {
		refuse_odd_ledger();
		load_ledger();
	}
	if (opt.merge)
		read_partials(files, nfiles);
	else
		read_allocations(files, nfiles);
	if (opt.paid)
		read_paid();
	tell_left_out();
	if (opt.partial) {
		write_partial();
		out_stdout_close_or_die();
		return exit_status;
	}
	if (opt.agreements) {
		check_status(report_book_due(&book, &opt.rules, due_uses, ndue_uses), NULL, 0);
		free(due_uses);
		split_rules_free(&opt.rules);
	}
	check_min_payout_currencies();
	if (opt.ledger) {
		refuse_silent_opening();
		refuse_repeated_rows();
	}
	struct report_settle_error err;
	int rc = report_book_settle(&book, opt.ledger ? &ledger : NULL, opt.have_period, opt.period.index, &err);
	if (rc != REPORT_OK)
		die_settling(rc, &err);
	if (opt.ledger && !opt.check)
		warn_not_over();
	check_status(report_book_total(&book), NULL, 0);
	date_statements();
	issue = (struct report_issue){opt.issuer, opt.to != NULL};
	if (opt.payouts)
		prepare_batches();
	if (opt.check)
		run_check();
	else if (opt.out_dir)
		write_out_dir();
	else if (!opt.payouts) {
		struct out *o = doc_open();
		render_or_die(report_render_statements(o, opt.format, &book, opt.ledger ? &ledger : NULL, &issue, 0,
						       book.nst, true));
		doc_close(o);
	}
	if (opt.payouts)
		write_batches();
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
