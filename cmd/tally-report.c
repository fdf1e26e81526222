/* tally-report - allocations -> payout statements and the payout ledger;
 * --check, the conservation check; --summary, the business at a glance
 * from the sales stream.
 *
 * This file is the command: its usage, its options, and the statuses of a
 * run turned into messages.  The run itself is lib/report/report_run.h
 * (reading, the ledger, settling, the documents), over the engines beside
 * it: report_statements.h adds allocations up and settles them,
 * report_ledger.h keeps the ledger, report_render.h writes every document
 * in the four formats, report_payouts.h the batch files of --payouts. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "out.h"
#include "progress.h"
#include "report_run.h"
#include "tsv.h"

static const char *const format_names[] = {"tsv", "text", "md", "html"};

static struct report_run run; /* the run the options ask for */

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

enum {
	OPT_FX = 256, OPT_TO, OPT_OPENING, OPT_PAYOUTS, OPT_PAYEES, OPT_PAID, OPT_ISSUER, OPT_ISSUE_DATE, OPT_OUT_DIR,
	OPT_BUSINESS, OPT_COSTS, OPT_WHATIF, OPT_FORECAST, OPT_BALANCE, OPT_PARTIAL, OPT_MERGE, OPT_AGREEMENTS,
	OPT_PROGRESS = CLI_OPT_PROGRESS, OPT_NO_PROGRESS = CLI_OPT_NO_PROGRESS
};
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

/* A usage error about an option's value: the message, then the usage. */
static noreturn void misuse(const char *fmt, const char *arg)
{
	diag_warn(fmt, arg);
	usage(stderr, EXIT_USAGE);
}

/* A value parsed by report_opts_*: else its message, exit 2. */
static void parsed(bool ok, const char *msg)
{
	if (!ok)
		diag_die(EXIT_USAGE, "%s", msg);
}

static void set_period(struct period *p, bool *have, const char *name, const char *arg)
{
	if (period_parse(arg, strlen(arg), p) < 0) {
		diag_warn("%s: \"%s\" is not a period (2026-10, 2026-Q4, 2026-W05, 2026)", name, arg);
		usage(stderr, EXIT_USAGE);
	}
	*have = true;
}

/* The options that take a value of their own kind. */
static bool set_valued(struct report_opts *o, int ch, const char *arg)
{
	char msg[256];
	size_t i;
	switch (ch) {
	case 'f':
		for (i = 0; i < 4 && strcmp(arg, format_names[i]) != 0; i++)
			;
		if (i == 4)
			misuse("--format: \"%s\" is not one of tsv, text, md, html", arg);
		o->format = (enum report_format)i;
		return true;
	case 'm': parsed(report_opts_min_payout(o, arg, msg, sizeof msg), msg); return true;
	case 'p': set_period(&o->period, &o->have_period, "--period", arg); o->kind = o->period.kind; return true;
	case OPT_OPENING: set_period(&o->opening, &o->have_opening, "--opening", arg); return true;
	case OPT_ISSUER: parsed(report_opts_issuer(o, arg, msg, sizeof msg), msg); return true;
	case OPT_ISSUE_DATE: parsed(report_opts_issue_date(o, arg, msg, sizeof msg), msg); return true;
	case OPT_BALANCE:
		if (money_parse(arg, strlen(arg), &o->balance) != MONEY_OK)
			misuse("--balance: \"%s\" is not an amount", arg);
		o->have_balance = true;
		return true;
	case OPT_PAYOUTS:
		if (!report_payouts_formats_parse(arg, &o->payouts))
			misuse("--payouts: \"%s\" is not paypal, wise or tsv, or several joined by commas", arg);
		return true;
	case OPT_TO:
		if (!report_opts_currency(arg, strlen(arg)))
			misuse("--to: \"%s\" is not a currency code", arg);
		o->to = arg;
		return true;
	}
	return false;
}

/* The options that set a flag or name a file. */
static bool set_simple(struct report_opts *o, int ch, const char *arg)
{
	switch (ch) {
	case 'c': o->check = true; break;
	case 'l': o->ledger = arg; break;
	case 'o': o->output = arg; break;
	case 's': o->summary = true; break;
	case OPT_OUT_DIR: o->out_dir = arg; break;
	case OPT_AGREEMENTS: o->agreements = arg; break;
	case OPT_BUSINESS: o->business = true; break;
	case OPT_COSTS: o->costs_path = arg; o->business = true; break;
	case OPT_WHATIF: o->whatif_path = arg; o->business = true; break;
	case OPT_FORECAST: o->forecast_path = arg; o->business = true; break;
	case OPT_FX: o->fx_path = arg; break;
	case OPT_PAID: o->paid = arg; break;
	case OPT_MERGE: o->merge = true; break;
	case OPT_PARTIAL: o->partial = true; break;
	case OPT_PROGRESS: o->progress = PROGRESS_ON; break;
	case OPT_NO_PROGRESS: o->progress = PROGRESS_OFF; break;
	case OPT_PAYEES: o->payees = arg; break;
	default: return false;
	}
	return true;
}

/* Read the options into run.opt; returns optind. */
static int parse_options(int argc, char **argv)
{
	static const char *const moved[] = {"m--min-payout", "s--summary", NULL};
	struct cli_seen seen = {0};
	char msg[512];
	int ch;
	while ((ch = getopt_long(argc, argv, "cf:hl:o:p:V", longopts, NULL)) != -1) {
		if (!cli_once(&seen, ch, longopts, NULL))
			usage(stderr, EXIT_USAGE);
		if (ch == 'h')
			usage(stdout, EXIT_OK);
		if (ch == 'V')
			cli_version();
		if (set_valued(&run.opt, ch, optarg) || set_simple(&run.opt, ch, optarg))
			continue;
		cli_hint_moved(optopt, moved);
		cli_hint_option(argv[optind - 1], longopts);
		usage(stderr, EXIT_USAGE);
	}
	if (!report_opts_check(&run.opt, msg, sizeof msg)) {
		diag_warn("%s", msg);
		usage(stderr, EXIT_USAGE);
	}
	return optind;
}

/* ------------------------------------------------ the run's callbacks */

static void on_warning(void *ctx, const char *file, long line, const char *msg)
{
	(void)ctx;
	if (file)
		diag_warn_at(file, line, "%s", msg);
	else
		diag_warn("%s", msg);
}

static void on_open(void *ctx, struct progress *p, char **files, size_t n)
{
	(void)ctx;
	progress_start(p, diag_prog, stderr, run.opt.progress, files, n);
}

/* SIGTERM, SIGINT, SIGHUP: the run finishes the file being written, then
 * stops, removing unfinished temporaries (out.h), so that an interrupted
 * run leaves every statement and the ledger whole or absent. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
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

/* A step's status: -1 is the run's failure, said and exited on. */
static int said(int status)
{
	const struct report_fail *f = &run.fail;
	if (status >= 0)
		return status;
	if (f->column)
		tsv_col_or_die(f->reader, f->column);
	diag_die_at(f->status, f->have_file ? f->file : NULL, f->line, "%s", f->msg);
}

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	report_run_init(&run);
	run.io = (struct report_run_io){on_warning, on_open, NULL};
	run.interrupted = &interrupted;
	int first = parse_options(argc, argv);
	char **files = argv + first;
	size_t nfiles = (size_t)(argc - first);
	said(report_run_load(&run, files, nfiles));
	int status;
	if (run.opt.summary)
		status = said(report_run_summary(&run, files, nfiles));
	else {
		catch_signals();
		status = said(report_run_statements(&run, files, nfiles));
	}
	report_run_free(&run);
	out_stdout_close_or_die();
	return status;
}
