/* tally-attribute - contributions -> exact, explainable shares -> split
 * agreements, allocations or a credits page.
 *
 * Reads the contributions stream (tally.7), `git log` of a repository or
 * an all-contributors file, weighs the contributions with the chosen
 * method and writes shares that are exact fractions summing to 1 per
 * project.  The semantics are in tally-attribute(1); the engine is
 * lib/attribute/attribute.c, readers lib/attribute/attribute_read.c and lib/attribute/attribute_allc.c,
 * outputs lib/attribute/attribute_out.c. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attribute.h"
#include "attribute_git.h"
#include "attribute_graph.h"
#include "attribute_map.h"
#include "attribute_opts.h"
#include "attribute_out.h"
#include "attribute_read.h"
#include "attribute_run.h"
#include "cli.h"
#include "diag.h"
#include "money.h"
#include "out.h"
#include "report_ledger.h"
#include "split_rules.h"
#include "tsv.h"

/* Everything one run works with. */
struct run {
	struct attr_options opt;
	struct attr_weights weights;
	struct attr_aliases aliases;
	struct attr_membership membership;
	struct attr_engine engine;
	struct attr_graph_input graph; /* -m graph from contributions */
};

noreturn static void usage(FILE *f, int status)
{
	fprintf(f, "usage: tally-attribute [-m METHOD] [-w WEIGHTS] [--as-of DATE] [--half-life DAYS]\n"
		   "                       [-t linear|sqrt|log] [--membership FILE] [-A ALIASES]\n"
		   "                       [--cap SHARE] [--min-share SHARE] [-e FILE] [--diff OLD]\n"
		   "                       [-f shares|agreements|credits|md|html] [--pool PAYEE -a AGREEMENTS]\n"
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

/* ---- files ------------------------------------------------------------- */

static const char *display(const char *path)
{
	return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

static void check(int st, const char *file, long line, const char *err)
{
	if (st == ATTR_OK)
		return;
	if (st == ATTR_ENOMEM)
		diag_die(EXIT_DATA, "out of memory");
	if (file)
		diag_die_at(EXIT_DATA, file, line, "%s", err);
	diag_die(EXIT_DATA, "%s", err);
}

static void read_table(const char *path, struct attr_table *t)
{
	size_t len;
	char *text = cli_read_file(path, &len), err[ATTR_ERR];
	long line;
	int st = attr_table_parse(t, text, len, &line, err);
	free(text);
	check(st, display(path), line, err);
}

static void load_side_files(struct run *run)
{
	const struct attr_options *opt = &run->opt;
	char err[ATTR_ERR];
	long line = 0;
	struct attr_table t;
	if (opt->weights) {
		read_table(opt->weights, &t);
		int st = attr_weights_from_table(&run->weights, &t, &line, err);
		check(st, display(opt->weights), line, err);
		attr_table_free(&t);
	}
	if (opt->aliases) {
		read_table(opt->aliases, &t);
		int st = attr_aliases_from_table(&run->aliases, &t, &line, err);
		check(st, display(opt->aliases), line, err);
		attr_table_free(&t);
	}
	if (opt->membership) {
		/* An open membership runs to --as-of, else to today. */
		int64_t until = opt->have_as_of ? opt->as_of : (int64_t)time(NULL);
		read_table(opt->membership, &t);
		int st = attr_membership_from_table(&run->membership, &t, opt->aliases ? &run->aliases : NULL, until,
						    &line, err);
		check(st, display(opt->membership), line, err);
		attr_table_free(&t);
	}
}

/* ---- readers ----------------------------------------------------------- */

static int emit_row(void *ctx, const struct attr_row *row, char *err)
{
	struct run *run = ctx;
	if (run->opt.other == ATTR_OTHER_GRAPH)
		return attr_graph_add(&run->graph, row, err);
	return attr_add(&run->engine, row, err);
}

static void read_stream(struct run *run, char **files, size_t nfiles)
{
	struct tsv_reader r;
	struct attr_cols cols;
	struct attr_row row;
	char err[ATTR_ERR];
	int rc;
	cli_tsv_open(&r, files, nfiles);
	if (attr_cols_bind(&cols, &r, err) != ATTR_OK)
		(void)tsv_col_or_die(&r, "date"), (void)tsv_col_or_die(&r, "contributor"),
			(void)tsv_col_or_die(&r, "kind"), (void)tsv_col_or_die(&r, "project");
	while ((rc = tsv_next(&r)) == 1) {
		int st = attr_row_from_tsv(&row, &cols, &r, err);
		if (st == ATTR_OK)
			st = emit_row(run, &row, err);
		check(st, r.file, r.line, err);
	}
	if (rc < 0) {
		if (errno)
			diag_die(EXIT_USAGE, "%s: %s", r.file, strerror(errno));
		diag_die_at(EXIT_DATA, r.file, r.line, "%s", r.err);
	}
	tsv_close(&r);
}

/* Die with a git run's failure (attribute_git.h): exit 2 when git failed,
 * each line of err its own message. */
static void check_git(int st, const char *err)
{
	if (st != ATTR_EFAILED) {
		check(st, NULL, 0, err);
		return;
	}
	const char *nl = strchr(err, '\n');
	if (nl)
		diag_warn("%.*s", (int)(nl - err), err);
	diag_die(EXIT_USAGE, "%s", nl ? nl + 1 : err);
}

static void read_git(struct run *run)
{
	const struct attr_options *opt = &run->opt;
	bool from_stdin = strcmp(opt->git, "-") == 0;
	char *project = NULL, *log, err[ATTR_ERR], file[PATH_MAX + 16];
	size_t len;
	struct attr_mailmap mm = {0};
	if (opt->project)
		project = xstrdup(opt->project);
	else
		check_git(attr_git_repo_name(opt->git, &project, err), err);
	if (from_stdin) {
		log = cli_read_file("-", &len);
		snprintf(file, sizeof file, "<stdin>");
	} else {
		check_git(attr_git_log(opt->git, opt->lines, &log, &len, err), err);
		snprintf(file, sizeof file, "git log %s", opt->git);
		check_git(attr_mailmap_resolve(&mm, opt->git, log, len, err), err);
	}
	struct attr_git g = {.project = project, .lines = opt->lines,
			     .mailmap = from_stdin ? NULL : attr_mailmap_map, .mailmap_ctx = &mm};
	int st = attr_git_parse(&g, log, len, emit_row, run, err);
	check(st, file, g.line, err);
	attr_mailmap_free(&mm);
	free(log);
	free(project);
}

/* FILEs (none: standard input) read through the --map mapping. */
static void read_mapped(struct run *run, char **files, size_t nfiles)
{
	char *dash = "-", err[ATTR_ERR];
	size_t len;
	char *text = cli_read_file(run->opt.map, &len);
	struct imap m;
	text = xrealloc(text, len + 1);
	text[len] = '\0';
	int st = attr_map_parse(&m, text, err);
	free(text);
	if (st == ATTR_EDATA) {
		imap_free(&m);
		diag_die(EXIT_DATA, "%s:%s", display(run->opt.map), err);
	}
	check(st, NULL, 0, err);
	for (size_t i = 0; i < (nfiles ? nfiles : 1); i++) {
		struct csvin c;
		long line;
		if (csvin_open(&c, nfiles ? files[i] : dash, m.sep, m.enc >= 0 ? (enum csvin_encoding)m.enc : CSVIN_AUTO) < 0)
			diag_die(EXIT_USAGE, "%s: %s", c.file, strerror(errno));
		st = attr_map_read(&m, &c, emit_row, run, &line, err);
		if (st == ATTR_EDATA && line == 0)
			diag_die(EXIT_USAGE, "%s: %s", c.file, err);
		check(st, c.file, line, err);
		csvin_close(&c);
	}
	imap_free(&m);
}

static void read_allc(struct run *run)
{
	size_t len;
	char *text = cli_read_file(run->opt.allc, &len), err[ATTR_ERR];
	struct attr_allc a = {.project = run->opt.project, .date = run->opt.as_of};
	check(attr_allc_parse(&a, text, len, emit_row, run, err), display(run->opt.allc), 0, err);
	free(text);
}

/* ---- the methods computed by other modules ---------------------------- */

static void open_stream(struct tsv_reader *r, char **files, size_t n)
{
	cli_tsv_open(r, files, n);
}

/* A data error of a method reading r: "FILE:LINE: ...", or "FILE: ..." for
 * a missing column (exit 2). */
static void check_method(int st, const char *file, long line, const char *err)
{
	if (st == ATTR_EDATA && line == 0 && strncmp(err, "missing column", 14) == 0)
		diag_die(EXIT_USAGE, "%s: %s", file, err);
	check(st, file, line, err);
}

/* Whether err is the graph methods' "the graph is empty". */
static bool is_empty_graph(const char *err)
{
	const char *msg = attr_graph_strerror(ATTR_GRAPH_EEMPTY);
	size_t n = strlen(err), m = strlen(msg);
	return n >= m && strcmp(err + n - m, msg) == 0;
}

/* Nothing to share: say how many rows were read and what left them out
 * (--as-of, --policy immediate, kinds weighing 0), so that an empty
 * result is never a mystery.  what: "no contributions to share" or the
 * graph's message. */
noreturn static void die_no_contributions(const struct run *run, const char *what)
{
	const struct attr_engine *e = &run->engine;
	long rows = e->rows + (long)run->graph.n + run->graph.duplicates;
	if (rows == 0)
		diag_die(EXIT_DATA, "%s: the input has no rows after its header", what);
	char why[3][96], day[DATE_BUF], month[DATE_BUF];
	int n = 0;
	if (e->after_as_of) {
		date_format_day(day, run->opt.as_of);
		snprintf(why[n++], sizeof why[0], "%ld dated after --as-of %s", e->after_as_of, day);
	}
	if (e->before_since) {
		period_format(month, period_of(run->opt.as_of, PERIOD_MONTH));
		snprintf(why[n++], sizeof why[0], "%ld dated before %s (--policy immediate)", e->before_since, month);
	}
	if (e->zero_weight)
		snprintf(why[n++], sizeof why[0], "%ld of kinds that weigh 0", e->zero_weight);
	diag_die(EXIT_DATA, "%s: %ld row%s read, all left out: %s%s%s%s%s", what, rows, rows == 1 ? "" : "s",
		 n > 0 ? why[0] : "", n > 1 ? ", " : "", n > 1 ? why[1] : "", n > 2 ? ", " : "", n > 2 ? why[2] : "");
}

static void run_other(struct run *run, char **files, size_t nfiles)
{
	const struct attr_options *opt = &run->opt;
	const char *project = opt->project ? opt->project : "*";
	struct tsv_reader r, s;
	char err[ATTR_ERR];
	long line = 0;
	int st;
	if (opt->other == ATTR_OTHER_GRAPH && opt->edges) {
		char *e[] = {(char *)opt->edges}, *sd[] = {(char *)opt->seed};
		const char *file;
		open_stream(&r, e, 1);
		open_stream(&s, sd, 1);
		st = attr_run_edges(&run->engine, &r, &s, opt->damping >= 0 ? opt->damping : 0.85, project, &line,
				    &file, err);
		if (st == ATTR_EDATA && is_empty_graph(err))
			diag_die(EXIT_DATA, "%s, %s: %s: no edge and no seed node", display(opt->edges),
				 display(opt->seed), err);
		check_method(st, file, line, err);
		tsv_close(&s);
	} else if (opt->other == ATTR_OTHER_GRAPH) {
		run->graph.damping = opt->damping >= 0 ? opt->damping : 0.85;
		if (opt->revenue) {
			char *rv[] = {(char *)opt->revenue};
			open_stream(&r, rv, 1);
			st = attr_graph_revenue_read(&run->graph, &r, &line, err);
			check_method(st, r.file, line, err);
		}
		st = attr_graph_run(&run->engine, &run->graph, project, err);
		if (st == ATTR_EDATA && is_empty_graph(err))
			die_no_contributions(run, err);
		check(st, NULL, 0, err);
		if (!opt->revenue)
			return;
	} else if (opt->other == ATTR_OTHER_PEER) {
		struct attr_table circle;
		bool in_circle;
		int64_t unused = 0, optout = 0;
		read_table(opt->circle, &circle);
		open_stream(&r, files, nfiles);
		st = attr_run_peer(&run->engine, &r, &circle, project, &line, &in_circle, err, &unused, &optout);
		check_method(st, in_circle ? display(opt->circle) : r.file, line, err);
		attr_table_free(&circle);
		char a[MONEY_BUF], b[MONEY_BUF];
		attr_format_points(a, unused);
		attr_format_points(b, optout);
		if (unused || optout)
			diag_warn("burnt %s points left unallocated and %s given to members who opted out", a, b);
	} else {
		open_stream(&r, files, nfiles);
		st = attr_run_paths(&run->engine, &r, opt->other == ATTR_OTHER_MARKOV, project, &line, err);
		check_method(st, r.file, line, err);
	}
	tsv_close(&r);
}

/* ---- outputs ----------------------------------------------------------- */

static void read_old_shares(const char *path, struct attr_old_share **old, size_t *n)
{
	char *files[] = {(char *)path};
	struct tsv_reader r;
	int rc;
	cli_tsv_open(&r, files, 1);
	int cp = tsv_col_or_die(&r, "project"), cc = tsv_col_or_die(&r, "contributor");
	int cs = tsv_col_or_die(&r, "share");
	size_t cap = 0;
	*old = NULL, *n = 0;
	while ((rc = tsv_next(&r)) == 1) {
		const struct tsv_field *f = r.fields;
		struct ratio share;
		if (ratio_parse(f[cs].s, f[cs].len, &share) < 0) {
			char q[96];
			diag_die_at(EXIT_DATA, r.file, r.line, "column \"share\": %s is not a share",
				    diag_quote(q, sizeof q, f[cs].s, f[cs].len));
		}
		if (*n == cap)
			*old = xrealloc(*old, (cap = cap ? cap * 2 : 64) * sizeof **old);
		(*old)[(*n)++] = (struct attr_old_share){xstrdup(f[cp].s), xstrdup(f[cc].s), share};
	}
	if (rc < 0)
		diag_die_at(EXIT_DATA, r.file, r.line, "%s", errno ? strerror(errno) : r.err);
	tsv_close(&r);
}

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
	struct report_names payees = {0};
	int64_t *sum = xcalloc(l.n + 1, sizeof *sum), *paid = xcalloc(e->nmembers + 1, sizeof *paid);
	for (size_t i = 0; i < l.n; i++) {
		uint32_t id;
		if (strcmp(l.rows[i].currency, currency) != 0)
			continue;
		if (report_names_intern(&payees, l.rows[i].payee, strlen(l.rows[i].payee), &id) < 0)
			diag_die(EXIT_DATA, "out of memory");
		if (!money_add(sum[id], l.rows[i].earned, &sum[id]))
			diag_die_at(EXIT_DATA, path, l.rows[i].line, "column \"earned\": the sum is too large");
	}
	for (size_t i = 0; i < e->nmembers; i++) {
		uint32_t c = e->members[i].contributor;
		long id = report_names_find(&payees, attr_name(e, c), e->names.len[c]);
		paid[i] = id < 0 ? 0 : sum[id];
	}
	free(sum);
	report_names_free(&payees);
	report_ledger_free(&l);
	return paid;
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
	int st = attr_write_pool(&mem, e, text, len, opt->pool, &line, err);
	free(text);
	if (out_close(&mem) < 0)
		diag_die(EXIT_DATA, "temporary file: %s", strerror(errno));
	check(st, display(opt->agreements), line, err);
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

static void write_main(struct run *run, struct out *o)
{
	const struct attr_options *opt = &run->opt;
	struct attr_engine *e = &run->engine;
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
		read_old_shares(opt->diff, &old, &n);
		check(attr_write_diff(o, e, old, n), NULL, 0, "");
		for (size_t i = 0; i < n; i++)
			free(old[i].project), free(old[i].contributor);
		free(old);
	} else if (opt->format == ATTR_FMT_AGREEMENTS) {
		attr_write_agreements(o, e);
	} else if (opt->format == ATTR_FMT_MD || opt->format == ATTR_FMT_HTML) {
		attr_write_credits(o, e, opt->format == ATTR_FMT_HTML ? ATTR_CREDITS_HTML : ATTR_CREDITS_MD);
	} else {
		attr_write_shares(o, e);
	}
}

static void write_outputs(struct run *run)
{
	const struct attr_options *opt = &run->opt;
	struct out file = {.fd = -1}, explain = {.fd = -1}, *o = out_stdout();
	if (opt->explain) {
		if (out_open_file(&explain, opt->explain) < 0)
			diag_die(EXIT_USAGE, "%s: %s", opt->explain, strerror(errno));
		attr_write_explain(&explain, &run->engine);
	}
	if (opt->output) {
		if (out_open_file(&file, opt->output) < 0)
			diag_die(EXIT_USAGE, "%s: %s", opt->output, strerror(errno));
		o = &file;
	}
	write_main(run, o);
	if (opt->output && out_close(&file) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", opt->output, strerror(errno));
	if (opt->explain && out_close(&explain) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", opt->explain, strerror(errno));
}

/* Rows left out are never silent. */
static void closing_notes(const struct run *run)
{
	const struct attr_engine *e = &run->engine;
	char day[DATE_BUF];
	if (e->after_as_of) {
		date_format_day(day, run->opt.as_of);
		diag_warn("left out %ld row%s dated after --as-of %s", e->after_as_of, e->after_as_of == 1 ? "" : "s",
			  day);
	}
	if (e->before_since) {
		char month[DATE_BUF];
		period_format(month, period_of(run->opt.as_of, PERIOD_MONTH));
		diag_warn("left out %ld row%s dated before %s (--policy immediate)", e->before_since,
			  e->before_since == 1 ? "" : "s", month);
	}
	if (e->zero_weight)
		diag_warn("left out %ld row%s of kinds that weigh 0", e->zero_weight, e->zero_weight == 1 ? "" : "s");
	long duplicates = e->duplicates + run->graph.duplicates;
	if (duplicates)
		diag_warn("counted once %ld row%s repeating a (project, contributor, kind, ref)", duplicates,
			  duplicates == 1 ? "" : "s");
	long below = 0;
	for (size_t i = 0; i < e->nmembers; i++)
		below += e->members[i].below_min;
	if (below)
		diag_warn("left out %ld contributor%s below --min-share (their share went to the others)", below,
			  below == 1 ? "" : "s");
}

int main(int argc, char **argv)
{
	static struct run run;
	diag_init(argv[0]);
	parse_options(argc, argv, &run.opt);
	const struct attr_options *opt = &run.opt;
	load_side_files(&run);
	struct attr_config cfg = attr_opts_config(opt, &run.weights, &run.aliases);
	attr_engine_init(&run.engine, &cfg);
	run.graph.weights = cfg.weights;
	run.graph.aliases = cfg.aliases;
	bool contributions = opt->other == ATTR_OTHER_NONE || (opt->other == ATTR_OTHER_GRAPH && !opt->edges);
	if (contributions && opt->git)
		read_git(&run);
	if (contributions && opt->allc)
		read_allc(&run);
	bool operands = contributions && ((!opt->git && !opt->allc) || optind < argc);
	if (operands && opt->map)
		read_mapped(&run, argv + optind, (size_t)(argc - optind));
	else if (operands)
		read_stream(&run, argv + optind, (size_t)(argc - optind));
	if (opt->other)
		run_other(&run, argv + optind, (size_t)(argc - optind));
	char err[ATTR_ERR];
	check(attr_finish(&run.engine, opt->membership ? &run.membership : NULL, err), NULL, 0, err);
	if (run.engine.nmembers == 0)
		die_no_contributions(&run, "no contributions to share");
	check(attr_shares(&run.engine, opt->have_min ? &opt->min : NULL, opt->have_cap ? &opt->cap : NULL, err),
	      NULL, 0, err);
	write_outputs(&run);
	closing_notes(&run);
	out_stdout_close_or_die();
	attr_engine_free(&run.engine);
	attr_weights_free(&run.weights);
	attr_aliases_free(&run.aliases);
	attr_membership_free(&run.membership);
	attr_graph_input_free(&run.graph);
	return EXIT_OK;
}
