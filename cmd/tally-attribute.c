/* tally-attribute - contributions -> exact, explainable shares -> split
 * agreements, allocations or a credits page.
 *
 * Reads the contributions stream (tally.7), `git log` of a repository or
 * an all-contributors file, weighs the contributions with the chosen
 * method and writes shares that are exact fractions summing to 1 per
 * project.  The semantics are in tally-attribute(1).  Here: the usage,
 * the option table, the status -> message mapping, and the two outputs
 * that use other engines (--pool checked by tally-split's parser, --ledger
 * read by tally-report's); the options are lib/attribute/attribute_opts.c,
 * the run lib/attribute/attribute_job.c, the outputs attribute_out.c. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attribute.h"
#include "attribute_job.h"
#include "attribute_opts.h"
#include "attribute_out.h"
#include "cli.h"
#include "diag.h"
#include "money.h"
#include "out.h"
#include "report_ledger.h"
#include "split_rules.h"
#include "tsv.h"

noreturn static void usage(FILE *f, int status)
{
	fprintf(f, "usage: tally-attribute [-m METHOD] [-w WEIGHTS] [--as-of DATE] [--half-life DAYS]\n"
		   "                       [-t linear|sqrt|log] [--membership FILE] [-A ALIASES]\n"
		   "                       [--cap SHARE] [--min-share SHARE] [-e FILE] [--diff OLD]\n"
		   "                       [-f shares|agreements|credits|md|html]\n"
		   "                       [--pool PAYEE -a AGREEMENTS [--pool-since MONTH]]\n"
		   "                       [--budget 'AMOUNT CUR'] [-g DIR [--lines]] [--all-contributors FILE]\n"
		   "                       [-M MAPPING] [--revenue SALES] [--edges FILE --seed FILE]\n"
		   "                       [--damping D] [--circle FILE] [--policy POLICY [--ledger FILE]]\n"
		   "                       [-P PROJECT] [-o FILE] [FILE...]\n"
		   "       tally-attribute --help | --version\n");
	if (f == stdout)
		fputs("\n"
		      "Contributions (date contributor kind project [amount ref target]) to exact\n"
		      "shares summing to 1 per project, with the reasons; then split agreements,\n"
		      "a filled community pool, an allocations stream or a credits page.\n"
		      "\n"
		      "Method and weighing:\n"
		      "  -m, --method METHOD     points (default), time, graph, shapley, markov, peer\n"
		      "  -w, --weights FILE      kind weight [cap period]: points per kind, caps on floods\n"
		      "      --as-of DATE        the run's day: later rows left out, decay counted from it\n"
		      "      --half-life DAYS    exponential decay of points (needs --as-of)\n"
		      "  -t, --transform F       linear (default), sqrt or log per contributor\n"
		      "      --membership FILE   time: contributor from to weighting (months YYYY-MM)\n"
		      "  -A, --aliases FILE      alias payee: one person's handles become one payee\n"
		      "      --cap SHARE         no share above this (10%, 1/8, 0.05); the rest redistributed\n"
		      "      --min-share SHARE   leave out shares below this; the others take their part\n"
		      "      --policy POLICY     immediate (the month of --as-of), recent (decayed) or\n"
		      "                          balanced (lifetime share minus what --ledger shows earned)\n"
		      "      --ledger FILE       tally-report's ledger, for --policy balanced\n"
		      "\n"
		      "Inputs (FILE: the contributions stream; - or none: standard input):\n"
		      "  -g, --git DIR           git log of DIR: commits, co-authors, .mailmap; - reads a log\n"
		      "      --lines             with --git: lines added and deleted as the amount\n"
		      "      --all-contributors FILE  an .all-contributorsrc (needs --as-of)\n"
		      "  -M, --map MAPPING       read FILEs, any CSV/TSV export, through a contributions\n"
		      "                          mapping (tally-ingest's mapping language)\n"
		      "  -P, --project NAME      the project of --git, --all-contributors and the methods\n"
		      "                          graph, shapley, markov and peer (default *)\n"
		      "      --revenue SALES     graph: teleport to projects by the net each earned\n"
		      "      --edges FILE        graph: from to weight, with --seed FILE (node weight)\n"
		      "      --seed FILE         ... the PageRank of exactly that graph\n"
		      "      --damping D         graph: the damping factor (default 0.85)\n"
		      "      --circle FILE       peer: member budget [opt_out]\n"
		      "\n"
		      "Outputs:\n"
		      "  -f, --format FORMAT     shares (default), agreements, credits (= md) or html\n"
		      "      --pool PAYEE        with --agreements FILE: fill PAYEE's rows of FILE with one\n"
		      "  -a, --agreements FILE   ... row per contributor, shares multiplied exactly\n"
		      "      --pool-since MONTH  ... once a month from MONTH to --as-of's, each month's\n"
		      "                          terms dated, for tally-split --state\n"
		      "      --budget 'AMOUNT CUR'  an allocations stream of AMOUNT for tally-report\n"
		      "  -e, --explain FILE      per contributor and kind: raw, decayed, cut, share, flags\n"
		      "      --diff OLD          the change of each share against an earlier shares table\n"
		      "  -o, --output FILE       write to FILE atomically instead of standard output\n"
		      "  -h, --help              this help\n"
		      "  -V, --version           the version\n"
		      "\n"
		      "See tally-attribute(1) for the formulas, and tally(7) for the streams.\n",
		      f);
	if (fflush(f) != 0 || ferror(f))
		diag_die(EXIT_DATA, "write error: %s", strerror(errno));
	exit(status);
}

noreturn static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", diag_prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	usage(stderr, EXIT_USAGE);
}

/* ---- options ----------------------------------------------------------- */

static void parse_options(int argc, char **argv, struct attr_options *opt)
{
	static const struct option longopts[] = {
		{"agreements", required_argument, NULL, 'a'},
		{"aliases", required_argument, NULL, 'A'},
		{"all-contributors", required_argument, NULL, ATTR_OPT_ALLC},
		{"as-of", required_argument, NULL, ATTR_OPT_AS_OF},
		{"budget", required_argument, NULL, 'b'},
		{"cap", required_argument, NULL, ATTR_OPT_CAP},
		{"circle", required_argument, NULL, ATTR_OPT_CIRCLE},
		{"damping", required_argument, NULL, ATTR_OPT_DAMPING},
		{"diff", required_argument, NULL, 'd'},
		{"edges", required_argument, NULL, ATTR_OPT_EDGES},
		{"explain", required_argument, NULL, 'e'},
		{"format", required_argument, NULL, 'f'},
		{"git", required_argument, NULL, 'g'},
		{"half-life", required_argument, NULL, ATTR_OPT_HALF_LIFE},
		{"help", no_argument, NULL, 'h'},
		{"ledger", required_argument, NULL, ATTR_OPT_LEDGER},
		{"lines", no_argument, NULL, ATTR_OPT_LINES},
		{"map", required_argument, NULL, 'M'},
		{"membership", required_argument, NULL, ATTR_OPT_MEMBERSHIP},
		{"method", required_argument, NULL, 'm'},
		{"min-share", required_argument, NULL, ATTR_OPT_MIN},
		{"output", required_argument, NULL, 'o'},
		{"policy", required_argument, NULL, ATTR_OPT_POLICY},
		{"pool", required_argument, NULL, 'p'},
		{"pool-since", required_argument, NULL, ATTR_OPT_POOL_SINCE},
		{"project", required_argument, NULL, 'P'},
		{"revenue", required_argument, NULL, ATTR_OPT_REVENUE},
		{"seed", required_argument, NULL, ATTR_OPT_SEED},
		{"transform", required_argument, NULL, 't'},
		{"version", no_argument, NULL, 'V'},
		{"weights", required_argument, NULL, 'w'},
		{NULL, 0, NULL, 0},
	};
	static const char *const moved[] = {"b--budget", "d--diff", "p--pool", NULL};
	char err[ATTR_ERR];
	int c;
	struct cli_seen seen = {0};
	attr_opts_init(opt);
	while ((c = getopt_long(argc, argv, "a:A:e:f:g:hm:M:o:P:t:Vw:", longopts, NULL)) != -1) {
		if (!cli_once(&seen, c, longopts, NULL))
			usage(stderr, EXIT_USAGE);
		if (c == 'h')
			usage(stdout, EXIT_OK);
		if (c == 'V')
			cli_version();
		int set = attr_opts_set(opt, c, optarg, err, sizeof err);
		if (set == 0)
			usage_error("%s", err);
		if (set < 0) {
			cli_hint_moved(optopt, moved);
			cli_hint_option(argv[optind - 1], longopts);
			usage(stderr, EXIT_USAGE);
		}
	}
	if (!attr_opts_check(opt, argc - optind, err, sizeof err))
		usage_error("%s", err);
}

/* ---- failures --------------------------------------------------------- */

static struct attr_job job;

/* End as F says (attribute_job.h): a missing column with the header
 * shown, each line of the message its own. */
noreturn static void die_fail(const struct attr_fail *f)
{
	if (f->column)
		(void)tsv_col_or_die(&job.in, f->msg);
	const char *msg = f->msg;
	for (const char *nl; (nl = strchr(msg, '\n')); msg = nl + 1)
		diag_warn("%.*s", (int)(nl - msg), msg);
	if (f->file[0])
		diag_die_at(f->status, f->file, f->line, "%s", msg);
	diag_die(f->status, "%s", msg);
}

static void check(int st, const char *file, long line, const char *err)
{
	struct attr_fail f;
	if (!attr_job_check(st, file, line, err, &f))
		die_fail(&f);
}

static void note(void *ctx, const char *msg)
{
	(void)ctx;
	diag_warn("%s", msg);
}

/* ---- outputs ----------------------------------------------------------- */

/* What the ledger says each member's contributor earned in currency, over
 * all its statements (micro-units, by member). */
static int64_t *ledger_paid(const struct attr_engine *e, const char *path, const char *currency)
{
	struct report_ledger l;
	long line = 0;
	char err[ATTR_ERR];
	int rc = report_ledger_load(&l, path, &line, err, sizeof err);
	if (rc == -1)
		diag_die(EXIT_USAGE, "%s: %s", path, strerror(errno));
	if (rc < 0)
		diag_die_at(EXIT_DATA, path, line, "%s", err);
	struct names payees = {0};
	int64_t *sum = xcalloc(l.n + 1, sizeof *sum), *paid = xcalloc(e->nmembers + 1, sizeof *paid);
	for (size_t i = 0; i < l.n; i++) {
		uint32_t id;
		if (strcmp(l.rows[i].currency, currency) != 0)
			continue;
		if (names_intern(&payees, l.rows[i].payee, strlen(l.rows[i].payee), &id) < 0)
			diag_die(EXIT_DATA, "out of memory");
		if (!money_add(sum[id], l.rows[i].earned, &sum[id]))
			diag_die_at(EXIT_DATA, path, l.rows[i].line, "column \"earned\": the sum is too large");
	}
	for (size_t i = 0; i < e->nmembers; i++) {
		uint32_t c = e->members[i].contributor;
		long id = names_find(&payees, attr_name(e, c), e->names.len[c]);
		paid[i] = id < 0 ? 0 : sum[id];
	}
	free(sum);
	names_free(&payees);
	report_ledger_free(&l);
	return paid;
}

/* The operands, for --pool-since's runs of earlier months. */
static char **operands;
static size_t noperands;

/* The pool of e into mem as d says (NULL: the whole file filled). */
static void fill_pool(struct out *mem, const struct attr_engine *e, const struct attr_options *opt,
		      const char *text, size_t len, const struct attr_pool_dates *d)
{
	char err[ATTR_ERR];
	long line = 0;
	int st = attr_write_pool(mem, e, text, len, opt->pool, d, &line, err);
	check(st, attr_display(opt->agreements), line, err);
}

/* --pool-since: the pool's agreements filled once for each month from
 * the first to the month before --as-of's, each by a run of its own up
 * to the month's last day, dated that month (the first open before it),
 * so that tally-split --state finds the terms a row of an earlier month
 * was split by; the runs' notes are the last run's to tell. */
static void fill_months(struct out *mem, const struct attr_options *opt, const char *text, size_t len)
{
	struct period last = period_of(opt->as_of, PERIOD_MONTH);
	for (struct period k = opt->pool_since; period_diff(k, last) > 0; k = period_next(k)) {
		struct attr_job month = {.opt = *opt};
		struct attr_fail f;
		month.opt.as_of = period_start(period_next(k)) - 86400; /* the month's last day */
		char from[16] = "", to[16], name[16];
		if (!attr_job_start(&month, (int64_t)time(NULL), &f) ||
		    !attr_job_read(&month, operands, noperands, &f) || !attr_job_shares(&month, &f)) {
			/* the month's run is not the one the user asked for: say which it is */
			char prefix[48];
			period_format(name, k);
			size_t np = (size_t)snprintf(prefix, sizeof prefix, "--pool-since: the pool of %s: ", name);
			size_t keep = strlen(f.msg);
			if (keep > sizeof f.msg - 1 - np)
				keep = sizeof f.msg - 1 - np;
			memmove(f.msg + np, f.msg, keep);
			memcpy(f.msg, prefix, np);
			f.msg[np + keep] = '\0';
			die_fail(&f);
		}
		if (period_diff(opt->pool_since, k) > 0)
			date_format_day(from, period_start(k));
		date_format_day(to, month.opt.as_of);
		fill_pool(mem, &month.engine, opt, text, len, &(struct attr_pool_dates){ATTR_POOL_DATED, from, to});
		attr_job_free(&month);
	}
}

/* The agreements file with the pool filled, checked with tally-split's
 * own parser before a byte is written (a contributor who is also a payee
 * of the pool's tier, or denominators beyond 64 bits, are refused here). */
static void write_pool(const struct attr_engine *e, const struct attr_options *opt, struct out *o)
{
	size_t len, nlen;
	char *text = cli_read_file(opt->agreements, &len), err[ATTR_ERR];
	long line = 0;
	FILE *tmp = tmpfile();
	struct out mem;
	if (!tmp || out_open_fd(&mem, fileno(tmp), "<temporary>") < 0)
		diag_die(EXIT_DATA, "temporary file: %s", strerror(errno));
	if (opt->have_pool_since) {
		struct period last = period_of(opt->as_of, PERIOD_MONTH);
		char from[16] = "";
		if (period_diff(opt->pool_since, last) > 0)
			date_format_day(from, period_start(last));
		fill_pool(&mem, e, opt, text, len, &(struct attr_pool_dates){ATTR_POOL_UNPOOLED, "", ""});
		fill_months(&mem, opt, text, len);
		fill_pool(&mem, e, opt, text, len, &(struct attr_pool_dates){ATTR_POOL_DATED, from, ""});
	} else {
		fill_pool(&mem, e, opt, text, len, NULL);
	}
	free(text);
	if (out_close(&mem) < 0)
		diag_die(EXIT_DATA, "temporary file: %s", strerror(errno));
	rewind(tmp);
	char *filled = xmalloc(1), buf[65536];
	nlen = 0;
	for (size_t got; (got = fread(buf, 1, sizeof buf, tmp)) > 0; nlen += got) {
		filled = xrealloc(filled, nlen + got + 1);
		memcpy(filled + nlen, buf, got);
	}
	fclose(tmp);
	struct split_rules rules;
	int sp = split_rules_parse(&rules, "pooled", filled, nlen, &line, err, sizeof err);
	if (sp != SPLIT_OK)
		free(filled);
	if (sp != SPLIT_OK)
		diag_die(EXIT_DATA, "the agreements with the pool filled would not be accepted by tally-split: "
			 "line %ld of the output: %s", line, err);
	split_rules_free(&rules);
	out_write(o, filled, nlen);
	free(filled);
}

static void write_main(struct attr_job *j, struct out *o)
{
	const struct attr_options *opt = &j->opt;
	struct attr_engine *e = &j->engine;
	char err[ATTR_ERR];
	if (opt->pool) {
		write_pool(e, opt, o);
	} else if (opt->have_budget) {
		int64_t day = opt->have_as_of ? opt->as_of : e->last_date;
		int64_t *paid = opt->ledger ? ledger_paid(e, opt->ledger, opt->currency) : NULL;
		check(attr_write_budget(o, e, opt->budget, opt->currency, day, paid, err), NULL, 0, err);
		free(paid);
	} else if (opt->diff) {
		struct attr_old_share *old;
		size_t n;
		struct attr_fail f;
		if (!attr_job_old_shares(j, opt->diff, &old, &n, &f))
			die_fail(&f);
		check(attr_write_diff(o, e, old, n), NULL, 0, "");
		attr_old_shares_free(old, n);
	} else if (opt->format == ATTR_FMT_AGREEMENTS) {
		attr_write_agreements(o, e);
	} else if (opt->format == ATTR_FMT_MD || opt->format == ATTR_FMT_HTML) {
		attr_write_credits(o, e, opt->format == ATTR_FMT_HTML ? ATTR_CREDITS_HTML : ATTR_CREDITS_MD);
	} else {
		attr_write_shares(o, e);
	}
}

static void write_outputs(struct attr_job *j)
{
	const struct attr_options *opt = &j->opt;
	struct out file = {.fd = -1}, explain = {.fd = -1}, *o = out_stdout();
	if (opt->explain) {
		if (out_open_file(&explain, opt->explain) < 0)
			diag_die(EXIT_USAGE, "%s: %s", opt->explain, strerror(errno));
		attr_write_explain(&explain, &j->engine);
	}
	if (opt->output) {
		if (out_open_file(&file, opt->output) < 0)
			diag_die(EXIT_USAGE, "%s: %s", opt->output, strerror(errno));
		o = &file;
	}
	write_main(j, o);
	if (opt->output && out_close(&file) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", opt->output, strerror(errno));
	if (opt->explain && out_close(&explain) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", opt->explain, strerror(errno));
}

int main(int argc, char **argv)
{
	struct attr_fail f;
	diag_init(argv[0]);
	parse_options(argc, argv, &job.opt);
	job.note = note;
	operands = argv + optind;
	noperands = (size_t)(argc - optind);
	for (size_t i = 0; job.opt.have_pool_since && i < noperands; i++)
		if (strcmp(operands[i], "-") == 0)
			usage_error("%s", "--pool-since reads the contributions once a month: name their files, not -");
	if (!attr_job_start(&job, (int64_t)time(NULL), &f) ||
	    !attr_job_read(&job, argv + optind, (size_t)(argc - optind), &f) || !attr_job_shares(&job, &f))
		die_fail(&f);
	write_outputs(&job);
	attr_job_notes(&job);
	out_stdout_close_or_die();
	attr_job_free(&job);
	return EXIT_OK;
}
