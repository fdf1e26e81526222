/* tally-forecast - aggregate a stream into periods per series and forecast
 * each series with prediction intervals: options here; the run is
 * lib/forecast/forecast_run.c, the output forecast_out.c, the models
 * forecast.h. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "date.h"
#include "diag.h"
#include "forecast.h"
#include "forecast_out.h"
#include "forecast_run.h"
#include "forecast_series.h"
#include "kinds.h"
#include "out.h"
#include "progress.h"
#include "tsv.h"

#define MAX_LEVELS FORECAST_RUN_MAX_LEVELS
#define MAX_HORIZON 10000
#define MAX_KINDS 32         /* kinds in --kinds */

static const char usage_text[] =
	"usage: tally-forecast [--by COLS] [--value COL] [--date COL]\n"
	"                      [--per month|quarter|week|day|year] [--horizon N]\n"
	"                      [--method METHOD] [--level 80,95] [--history]\n"
	"                      [--backtest H] [--align input|series] [--kinds LIST]\n"
	"                      [--money] [--allow-negative] [--until DATE]\n"
	"                      [--transform none|log|boxcox]\n"
	"                      [--progress | --no-progress] [FILE...]\n"
	"       tally-forecast --help | --version\n";

static noreturn void usage(FILE *fp, int status)
{
	fputs(usage_text, fp);
	if (fp == stdout)
		fputs("\nForecast each series of a stream (sales, allocations --by payee, any\n"
		      "numbers), per period, with prediction intervals.\n\n"
		      "  -b, --by COLS           columns that identify a series (comma-separated)\n"
		      "      --value COL         the column to forecast\n"
		      "      --date COL          the date column\n"
		      "      --per KIND          aggregate to month, quarter, week, day or year\n"
		      "  -n, --horizon N         periods to forecast (1 to 10000)\n"
		      "  -m, --method METHOD     the model (see below)\n"
		      "      --level LIST        interval levels in percent, at most 8\n"
		      "  -H, --history           also write the observed periods, for plotting\n"
		      "      --backtest H        evaluate on the last H origins instead of forecasting\n"
		      "      --align WHERE       a series ends at the input's last period or its own\n"
		      "  -k, --kinds LIST        count only rows of these kinds\n"
		      "      --money             read the value as money in the row's currency\n"
		      "      --allow-negative    let forecasts and bounds go below zero\n"
		      "      --until DATE        the data are complete up to DATE\n"
		      "      --transform T       model positive series on this scale\n"
		      "      --progress          show progress on stderr even when not a terminal\n"
		      "      --no-progress       never show progress (default: on a terminal)\n"
		      "  -h, --help              this help\n"
		      "  -V, --version           the version\n", fp);
	if (fp == stdout)
		printf("\nMETHOD is one of %s (default auto).\n"
		       "Defaults: --value net --date date --per month --horizon 12 --level 80,95\n"
		       "          --kinds %s.\n",
		       forecast_method_list(), KINDS_DEFAULT);
	exit(status);
}

/* The options: the run's configuration, and what only parsing needs. */
struct options {
	struct forecast_run run;     /* the configuration, then the run */
	char *kinds[MAX_KINDS];      /* the kinds counted (into kinds_buf) */
	char *kinds_buf;             /* --kinds, or KINDS_DEFAULT, copied (owned) */
	const char *kinds_arg;       /* --kinds as given, NULL: KINDS_DEFAULT */
	char *by;                    /* the --by lists joined by commas (owned), or NULL */
	enum progress_mode progress; /* --progress, --no-progress, else auto */
};

/* ---- options ---- */

static void parse_kinds(struct options *o, const char *list)
{
	o->kinds_buf = xstrdup(list);
	o->run.nkinds = 0;
	char *rest = o->kinds_buf;
	for (char *tok; (tok = strsep(&rest, ","));) {
		if (!*tok)
			continue;
		if (o->run.nkinds == MAX_KINDS) {
			diag_warn("--kinds: more than %d kinds", MAX_KINDS);
			exit(EXIT_USAGE);
		}
		o->kinds[o->run.nkinds++] = tok;
	}
	if (o->run.nkinds == 0) {
		diag_warn("--kinds: empty list");
		exit(EXIT_USAGE);
	}
}

static long parse_count(const char *opt, const char *arg, long max)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > max || arg[0] == '+' || arg[0] == ' ') {
		char q[128];
		diag_warn("%s: %s is not a whole number from 1 to %ld", opt,
			  diag_quote(q, sizeof q, arg, strlen(arg)), max);
		exit(EXIT_USAGE);
	}
	return v;
}

static void parse_levels(struct options *o, const char *arg)
{
	char *copy = xstrdup(arg), *save = NULL;
	o->run.nlevels = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		double v;
		int dec;
		if (o->run.nlevels == MAX_LEVELS || !forecast_parse_number(tok, strlen(tok), &v, &dec) ||
		    !(v > 0 && v < 100) || tok[0] == '+' || tok[0] == '-') {
			char q[128];
			diag_warn("--level: %s: levels are percentages between 0 and 100, "
				  "at most %d, separated by commas",
				  diag_quote(q, sizeof q, arg, strlen(arg)), MAX_LEVELS);
			exit(EXIT_USAGE);
		}
		o->run.levels[o->run.nlevels++] = v;
	}
	if (o->run.nlevels == 0 && *arg) {
		diag_warn("--level: \"%s\": no level given", arg);
		exit(EXIT_USAGE);
	}
	free(copy);
}

static void parse_align(struct options *o, const char *arg)
{
	if (strcmp(arg, "input") == 0 || strcmp(arg, "series") == 0) {
		o->run.align_series = arg[0] == 's';
		return;
	}
	char q[128];
	diag_warn("--align: %s is not input or series", diag_quote(q, sizeof q, arg, strlen(arg)));
	exit(EXIT_USAGE);
}

static void parse_until(struct options *o, const char *arg)
{
	bool has_time;
	if (date_parse_ex(arg, strlen(arg), &o->run.until, &has_time) < 0 || has_time) {
		char q[128];
		diag_warn("--until: %s is not a date (YYYY-MM-DD)", diag_quote(q, sizeof q, arg, strlen(arg)));
		exit(EXIT_USAGE);
	}
	o->run.has_until = true;
}

/* --by accumulates: the lists given are joined by commas. */
static void add_by(struct options *o, const char *arg)
{
	if (!o->by) {
		o->by = xstrdup(arg);
		return;
	}
	char *both = xmalloc(strlen(o->by) + strlen(arg) + 2);
	sprintf(both, "%s,%s", o->by, arg);
	free(o->by);
	o->by = both;
}

static void parse_method(struct options *o, const char *arg)
{
	int m = forecast_method_parse(arg);
	if (m < 0) {
		char q[128];
		diag_warn("unknown method %s (choose from %s)", diag_quote(q, sizeof q, arg, strlen(arg)),
			  forecast_method_list());
		exit(EXIT_USAGE);
	}
	o->run.method = (enum forecast_method)m;
}

static void parse_per(struct options *o, const char *arg)
{
	int k = period_kind_parse(arg);
	if (k < 0) {
		char q[128];
		diag_warn("unknown period %s (choose from day, week, month, "
			  "quarter, year)",
			  diag_quote(q, sizeof q, arg, strlen(arg)));
		exit(EXIT_USAGE);
	}
	o->run.kind = (enum period_kind)k;
}

static void parse_transform(struct options *o, const char *arg)
{
	int t = forecast_transform_parse(arg);
	if (t < 0) {
		char q[128];
		diag_warn("--transform: %s is not none, log or boxcox", diag_quote(q, sizeof q, arg, strlen(arg)));
		exit(EXIT_USAGE);
	}
	o->run.transform = (enum forecast_transform)t;
}

static const struct option longopts[] = {
	{"align", required_argument, NULL, 'A'},
	{"allow-negative", no_argument, NULL, 'N'},
	{"backtest", required_argument, NULL, 'B'},
	{"by", required_argument, NULL, 'b'},
	{"date", required_argument, NULL, 'd'},
	{"help", no_argument, NULL, 'h'},
	{"history", no_argument, NULL, 'H'},
	{"horizon", required_argument, NULL, 'n'},
	{"kinds", required_argument, NULL, 'k'},
	{"level", required_argument, NULL, 'l'},
	{"method", required_argument, NULL, 'm'},
	{"money", no_argument, NULL, 'M'},
	{"no-progress", no_argument, NULL, CLI_OPT_NO_PROGRESS},
	{"per", required_argument, NULL, 'p'},
	{"progress", no_argument, NULL, CLI_OPT_PROGRESS},
	{"transform", required_argument, NULL, 'T'},
	{"until", required_argument, NULL, 'U'},
	{"value", required_argument, NULL, 'v'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* An option getopt refused: --period has a reason of its own. */
static noreturn void bad_option(const char *arg)
{
	if (strncmp(arg, "--period", 8) == 0)
		diag_warn("--period is now --per (the period to aggregate to: --period filters "
			  "in the other commands; --until ends the data)");
	else
		cli_hint_option(arg, longopts);
	usage(stderr, EXIT_USAGE);
}

/* Options into o; usage errors exit 2.  Options taking a value may be
 * given once (C20: keeping the last silently hides a mistake), except
 * --by, a list that accumulates. */
static void parse_options(int argc, char **argv, struct options *o)
{
	static const int many[] = {'b', 0};
	struct cli_seen seen = {0};
	int c;
	while ((c = getopt_long(argc, argv, "b:hHk:m:n:V", longopts, NULL)) != -1) {
		if (!cli_once(&seen, c, longopts, many))
			usage(stderr, EXIT_USAGE);
		switch (c) {
		case 'A': parse_align(o, optarg); break;
		case 'N': o->run.allow_negative = true; break;
		case 'T': parse_transform(o, optarg); break;
		case 'U': parse_until(o, optarg); break;
		case 'B': o->run.backtest = (int)parse_count("--backtest", optarg, MAX_HORIZON); break;
		case 'b': add_by(o, optarg); break;
		case 'd': o->run.date_name = optarg; break;
		case 'h': usage(stdout, EXIT_OK);
		case 'H': o->run.history = true; break;
		case 'k': o->kinds_arg = optarg; break;
		case 'l': parse_levels(o, optarg); break;
		case 'M': o->run.force_money = true; break;
		case 'm': parse_method(o, optarg); break;
		case 'n': o->run.h = (int)parse_count("--horizon", optarg, MAX_HORIZON); break;
		case 'p': parse_per(o, optarg); break;
		case 'v': o->run.value_name = optarg; break;
		case 'V': cli_version();
		case CLI_OPT_PROGRESS: o->progress = PROGRESS_ON; break;
		case CLI_OPT_NO_PROGRESS: o->progress = PROGRESS_OFF; break;
		default: bad_option(argv[optind - 1]);
		}
	}
	if (o->run.backtest && o->run.history) {
		diag_warn("--history and --backtest cannot be used together");
		usage(stderr, EXIT_USAGE);
	}
	parse_kinds(o, o->kinds_arg ? o->kinds_arg : KINDS_DEFAULT);
}

/* Die with the message of a failed forecast_run_* or forecast_out_write:
 * AT the current line of r for a row's data errors. */
static void check(int st, const struct tsv_reader *r, bool at, const char *err)
{
	if (st == FORECAST_RUN_OK)
		return;
	if (st == FORECAST_RUN_ENOMEM)
		diag_die(EXIT_DATA, "out of memory");
	if (st == FORECAST_RUN_ECOLUMN)
		(void)tsv_col_or_die(r, err);
	if (st == FORECAST_RUN_EUSAGE)
		diag_die(EXIT_USAGE, "%s", err);
	if (at)
		diag_die_at(EXIT_DATA, r->file, r->line, "%s", err);
	diag_die(EXIT_DATA, "%s", err);
}

static void note(void *ctx, const char *msg)
{
	(void)ctx;
	diag_warn("%s", msg);
}

static void read_rows(struct tsv_reader *r, struct forecast_run *run, struct progress *progress)
{
	char err[4096];
	int rc;
	while ((rc = tsv_next(r)) == 1) {
		progress_tick(progress, r->bytes_read);
		check(forecast_run_row(run, r, err, sizeof err), r, true, err);
	}
	if (rc < 0) {
		if (errno)
			diag_die(EXIT_USAGE, "%s: %s", r->file, strerror(errno));
		diag_die_at(EXIT_DATA, r->file, r->line, "%s", r->err);
	}
}

int main(int argc, char **argv)
{
	static struct options o;
	struct forecast_run *run = &o.run;
	char err[4096];
	diag_init(argv[0]);
	forecast_run_init(run);
	parse_options(argc, argv, &o);
	run->by = o.by;
	run->kinds = (const char *const *)o.kinds;
	run->kinds_given = o.kinds_arg != NULL;
	run->note = note;
	char **files = argv + optind;
	size_t nfiles = (size_t)(argc - optind);

	struct tsv_reader r;
	cli_tsv_open(&r, files, nfiles);
	check(forecast_run_bind(run, &r, err, sizeof err), &r, false, err);
	struct progress progress;
	progress_start(&progress, diag_prog, stderr, o.progress, files, nfiles);
	read_rows(&r, run, &progress);
	progress_end(&progress);
	check(forecast_run_end(run, err, sizeof err), &r, false, err);

	struct tsv_writer w;
	tsv_writer_init(&w, out_stdout());
	check(forecast_out_write(run, &w, err, sizeof err), &r, false, err);
	forecast_run_free(run);
	free(o.kinds_buf);
	free(o.by);
	tsv_close(&r);
	out_stdout_close_or_die();
	return EXIT_OK;
}
