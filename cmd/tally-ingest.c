/* tally-ingest - any platform's export (CSV/TSV) -> the canonical sales stream.
 *
 * The options, the streams and the messages; the engine (format detection,
 * rows, the duplicate set, --sort, --explain-format) is lib/ingest
 * (ingest_run.h): each input file's header is matched against the built-in
 * formats (or the one named by --format, or a --map file); the mapping
 * turns every record into canonical rows, which are filtered by date,
 * de-duplicated on (source, order, line, kind) and written as one TSV
 * stream. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "extsort.h"
#include "ingest_options.h"
#include "ingest_row.h"
#include "ingest_run.h"
#include "ingest_util.h"
#include "out.h"
#include "paths.h"
#include "progress.h"
#include "redact.h"
#include "reject.h"

static void usage(FILE *f, int status)
{
	fprintf(f,
		"usage: tally-ingest [-v] [-f FORMAT | -M MAPFILE] [-o FILE] [-r FILE] [--since DATE]\n"
		"                    [--until DATE] [--period PERIOD] [--by-date reported|sale] [--sort]\n"
		"                    [--lenient] [--keep-duplicates] [--keep-pii] [--salt KEY] [--redact]\n"
		"                    [--currency CODE] [--date-order mdy|dmy] [--encoding ENC]\n"
		"                    [--separator SEP] [--progress | --no-progress] [FILE...]\n"
		"       tally-ingest --list-formats | --show-format NAME | --help | --version\n"
		"       tally-ingest --explain-format [-f FORMAT | -M MAPFILE] [FILE...]\n");
	if (f == stdout)
		fprintf(f,
			"\n"
			"Read platform exports (CSV/TSV) and write the canonical sales stream.\n"
			"  -f, --format NAME     use this built-in format instead of detecting it\n"
			"  -M, --map FILE        use a mapping written by hand (see tally-ingest(1))\n"
			"  -o, --output FILE     write the stream to FILE (whole, or not at all) instead of stdout\n"
			"  -r, --rejects FILE    write unreadable rows there (with the reason) and go on\n"
			"      --since DATE      only rows dated DATE or later\n"
			"      --until DATE      only rows dated DATE or earlier (a day includes all of it)\n"
			"  -p, --period PERIOD   only rows in PERIOD (2026-10, 2026-Q4, 2026-W05, 2026)\n"
			"      --by-date WHICH   filter by the sale date (default) or the reported date, where\n"
			"                        the export gives both (DistroKid, Apple financial detail)\n"
			"      --sort            sort the output by date (stable)\n"
			"      --progress        show progress on stderr even when not a terminal\n"
			"      --no-progress     never show progress (default: on a terminal)\n"
			"      --lenient         warn, instead of failing, when an export's net is not gross - fee\n"
			"                        or a Gumroad export ends without its Totals row\n"
			"      --keep-duplicates keep rows whose (source, order, line, kind) was seen before\n"
			"      --keep-pii        write buyer ids and e-mails as they are, not pseudonyms\n"
			"      --salt KEY        key of the customer pseudonyms (default: $TALLY_SALT,\n"
			"                        else the first line of the file $TALLY_SALT_FILE)\n"
			"      --redact          in the --rejects file, e-mails and names become pseudonyms\n"
			"      --currency CODE   currency of rows whose export gives none\n"
			"      --date-order ORD  mdy or dmy: how to read a file whose dates are all ambiguous (PayPal)\n"
			"      --encoding ENC    utf-8, cp1252 (latin1 reads the same), utf-16le, utf-16be; a file's\n"
			"                        BOM wins; cp1252 only for a file that is not UTF-8 (default: utf-8)\n"
			"      --separator SEP   , ; or tab (default: guessed from the first line)\n"
			"  -v, --verbose         end with a summary on stderr\n"
			"  -h, --help            this help\n"
			"  -V, --version         print the version\n"
			"      --list-formats    list the built-in formats\n"
			"      --show-format NAME  print a built-in format's mapping\n"
			"      --explain-format  say which format each FILE is read as, why, and how\n");
	exit(status);
}

enum {
	OPT_SINCE = 256, OPT_UNTIL, OPT_PERIOD, OPT_SORT, OPT_LENIENT, OPT_KEEP_DUP, OPT_KEEP_PII,
	OPT_SALT, OPT_CURRENCY, OPT_ENCODING, OPT_SEPARATOR, OPT_LIST, OPT_SHOW, OPT_EXPLAIN,
	OPT_BY_DATE, OPT_DATE_ORDER, OPT_REDACT,
	OPT_PROGRESS = CLI_OPT_PROGRESS, OPT_NO_PROGRESS = CLI_OPT_NO_PROGRESS,
};

static const struct option longopts[] = {
	{"by-date", required_argument, NULL, OPT_BY_DATE},
	{"currency", required_argument, NULL, OPT_CURRENCY},
	{"date-order", required_argument, NULL, OPT_DATE_ORDER},
	{"encoding", required_argument, NULL, OPT_ENCODING},
	{"explain-format", no_argument, NULL, OPT_EXPLAIN},
	{"format", required_argument, NULL, 'f'},
	{"help", no_argument, NULL, 'h'},
	{"keep-duplicates", no_argument, NULL, OPT_KEEP_DUP},
	{"keep-pii", no_argument, NULL, OPT_KEEP_PII},
	{"lenient", no_argument, NULL, OPT_LENIENT},
	{"list-formats", no_argument, NULL, OPT_LIST},
	{"map", required_argument, NULL, 'M'},
	{"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
	{"output", required_argument, NULL, 'o'},
	{"period", required_argument, NULL, 'p'},
	{"progress", no_argument, NULL, OPT_PROGRESS},
	{"redact", no_argument, NULL, OPT_REDACT},
	{"rejects", required_argument, NULL, 'r'},
	{"salt", required_argument, NULL, OPT_SALT},
	{"separator", required_argument, NULL, OPT_SEPARATOR},
	{"show-format", required_argument, NULL, OPT_SHOW},
	{"since", required_argument, NULL, OPT_SINCE},
	{"sort", no_argument, NULL, OPT_SORT},
	{"until", required_argument, NULL, OPT_UNTIL},
	{"verbose", no_argument, NULL, 'v'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* Short letters the option table of tally(7) took away, for the hint. */
static const char *const moved[] = {"m-M (--map)", NULL};

/* --sort's memory: TALLY_SORT_BUFFER bytes (k/m/g suffixes), 16 MB by
 * default; tests make it small to spill runs. */
static size_t sort_budget(void)
{
	const char *v = getenv("TALLY_SORT_BUFFER");
	size_t n = EXTSORT_BUDGET_DEFAULT;
	if (v && *v && extsort_parse_size(v, &n) < 0)
		diag_die(EXIT_USAGE, "TALLY_SORT_BUFFER: \"%s\" is not a size (bytes, or with k, m or g)", v);
	return n;
}

/* The pseudonym key: --salt, else $TALLY_SALT, else the first line of
 * $TALLY_SALT_FILE; with none, a warning (once a run): without a secret
 * key anyone can recompute the pseudonyms from e-mail addresses. */
static void set_key(struct ingest_options *o, const char *salt)
{
	char *from_file = NULL;
	const char *file = getenv("TALLY_SALT_FILE");
	if (!salt && file && *file) {
		bool shared;
		from_file = redact_read_salt(file, &shared);
		if (!from_file && (errno == ENOENT || errno == 0))
			diag_die(EXIT_USAGE,
				 "TALLY_SALT_FILE: %s: %s; make the key once with: (umask 077; head -c 32 /dev/urandom | "
				 "od -An -tx1 | tr -d ' \\n' > %s) and back it up with the ledger (tally-ingest(1), "
				 "PSEUDONYMS)", file, errno ? strerror(errno) : "its first line is empty", file);
		if (!from_file)
			diag_die(EXIT_USAGE, "TALLY_SALT_FILE: %s: %s", file, strerror(errno));
		if (shared)
			diag_warn("TALLY_SALT_FILE: %s can be read by others (chmod 600 it)", file);
		salt = from_file;
	}
	if (!salt && !o->keep_pii)
		diag_warn("no TALLY_SALT: customer pseudonyms can be recomputed from e-mail addresses; "
			  "set TALLY_SALT or TALLY_SALT_FILE (see tally-ingest(1), PSEUDONYMS)");
	ingest_key_from_salt(o->key, salt ? salt : "", salt ? strlen(salt) : 0);
	free(from_file);
}

/* The run and its rejects: file scope, so that whatever they hold is
 * reachable at any exit (the messages die from deep in main's calls). */
static struct ingest_run run;
static struct reject_sink rejects;

static void warn_hook(void *ctx, const char *file, long line, const char *msg)
{
	(void)ctx;
	if (file)
		diag_warn_at(file, line, "%s", msg);
	else
		diag_warn("%s", msg);
}

static void reject_hook(void *ctx, const char *file, long line, const char *header, size_t header_len,
			const char *raw, size_t raw_len, const char *reason)
{
	reject_row(ctx, file, line, header, header_len, raw, raw_len, reason);
}

/* An engine status other than 0: its message, and exit with it. */
static void check(int status)
{
	if (status)
		diag_die(status, "%s", run.err);
}

/* What main needs besides struct ingest_options. */
struct args {
	const char *salt; /* --salt, else $TALLY_SALT */
	const char *show; /* --show-format */
	bool list;        /* --list-formats */
	bool have_period; /* --period seen */
};

/* One option's value that is not the option's: "--OPT: MESSAGE", exit 2. */
static void value_ok(int rc, const char *fmt, const char *arg)
{
	if (rc < 0)
		diag_die(EXIT_USAGE, fmt, arg);
}

/* Options that take no value, and those of main's own (struct args). */
static bool flag(struct ingest_options *o, struct args *a, int ch)
{
	switch (ch) {
	case 'v': o->verbose = true; break;
	case OPT_SORT: o->sort = true; break;
	case OPT_LENIENT: o->lenient = true; break;
	case OPT_KEEP_DUP: o->keep_duplicates = true; break;
	case OPT_KEEP_PII: o->keep_pii = true; break;
	case OPT_REDACT: o->redact = true; break;
	case OPT_EXPLAIN: o->explain = true; break;
	case OPT_PROGRESS: o->progress = PROGRESS_ON; break;
	case OPT_NO_PROGRESS: o->progress = PROGRESS_OFF; break;
	case OPT_LIST: a->list = true; break;
	case OPT_SHOW: a->show = optarg; break;
	case OPT_SALT: a->salt = optarg; break;
	case 'f': o->format = optarg; break;
	case 'M': o->map = optarg; break;
	case 'o': o->output = optarg; break;
	case 'r': o->rejects = optarg; break;
	default: return false;
	}
	return true;
}

/* Options whose value is checked; false for an option that is none. */
static bool valued(struct ingest_options *o, struct args *a, int ch)
{
	switch (ch) {
	case OPT_CURRENCY:
		value_ok(ingest_opt_currency(o, optarg), "--currency: \"%s\" is not an ISO 4217 currency code", optarg);
		break;
	case OPT_ENCODING:
		value_ok(ingest_opt_encoding(o, optarg),
			 "--encoding: unknown encoding \"%s\" (utf-8, cp1252, latin1, utf-16le, utf-16be)", optarg);
		break;
	case OPT_SEPARATOR: value_ok(ingest_opt_separator(o, optarg), "--separator: use , ; or tab, not \"%s\"", optarg); break;
	case OPT_SINCE: value_ok(ingest_opt_when(o, optarg, false), "--since: \"%s\" is not a date (YYYY-MM-DD)", optarg); break;
	case OPT_UNTIL: value_ok(ingest_opt_when(o, optarg, true), "--until: \"%s\" is not a date (YYYY-MM-DD)", optarg); break;
	case 'p':
	case OPT_PERIOD:
		if (a->have_period)
			diag_die(EXIT_USAGE, "--period given twice (one period a run: use --since and --until for a range)");
		a->have_period = true;
		value_ok(ingest_opt_period(o, optarg),
			 "--period: \"%s\" is not a period (2026-10, 2026-Q4, 2026-W05, 2026)", optarg);
		break;
	case OPT_BY_DATE: value_ok(ingest_opt_by_date(o, optarg), "--by-date: use reported or sale, not \"%s\"", optarg); break;
	case OPT_DATE_ORDER: value_ok(ingest_opt_date_order(o, optarg), "--date-order: use mdy or dmy, not \"%s\"", optarg); break;
	default: return false;
	}
	return true;
}

static void parse_options(int argc, char **argv, struct ingest_options *o, struct args *a)
{
	struct cli_seen seen = {0};
	static const int many[] = {'p', OPT_PERIOD, 0}; /* refused in valued, with a reason */
	int ch;
	while ((ch = getopt_long(argc, argv, "f:hM:o:p:r:vV", longopts, NULL)) != -1) {
		if (!cli_once(&seen, ch, longopts, many))
			usage(stderr, EXIT_USAGE);
		if (ch == 'h')
			usage(stdout, EXIT_OK);
		if (ch == 'V')
			cli_version();
		if (flag(o, a, ch) || valued(o, a, ch))
			continue;
		cli_hint_moved(optopt, moved);
		cli_hint_option(argv[optind - 1], longopts);
		usage(stderr, EXIT_USAGE);
	}
	if (o->have_since && o->have_until && o->since >= o->until)
		diag_die(EXIT_USAGE, "--since is after --until (or --period): no row could be kept");
}

/* The combinations refused, once the built-in formats are known. */
static void check_usage(const struct ingest_options *o)
{
	if (o->format && o->map)
		diag_die(EXIT_USAGE, "--format and --map cannot be used together");
	if (o->format && !ingest_run_builtin(&run, o->format))
		diag_die(EXIT_USAGE, "--format: no built-in format \"%s\" (see --list-formats)", o->format);
	if (o->redact && !o->rejects)
		diag_die(EXIT_USAGE, "--redact is for the --rejects file: give --rejects FILE");
}

/* The paths that must not be one file: inputs, --map, --output, --rejects. */
static void check_paths(const struct ingest_options *o, char **files, size_t nfiles)
{
	const struct paths_role roles[] = {
		{o->map, "--map", true}, {o->output, "--output", false}, {o->rejects, "--rejects", false},
	};
	char clash[PATHS_MSG_MAX];
	if (paths_check(roles, 3, files, nfiles, clash, sizeof clash))
		diag_die(EXIT_USAGE, "%s", clash);
}

/* The end of a run's messages: rounding always (it changes amounts), the
 * counts with -v. */
static void summary(const struct ingest_options *o, const struct ingest_run *rn)
{
	if (rn->rounded > 0) {
		char e[48];
		ingest_format_e10(e, sizeof e, rn->rounding_e10);
		diag_warn("rounded %ld amount%s with more than 6 decimals to micro-units (half to even), total rounding %s",
			  rn->rounded, rn->rounded == 1 ? "" : "s", e);
	}
	if (!o->verbose)
		return;
	const struct ingest_stats *st = &rn->st;
	diag_warn("read %ld rows from %ld file%s: wrote %ld, rejected %ld, duplicates %ld, skipped %ld total rows%s",
		  st->read, st->files, st->files == 1 ? "" : "s", st->wrote, st->rejected, st->duplicates, st->totals, "");
	if (st->ignored > 0)
		diag_warn("ignored %ld row%s (skip rules of the format, or outside --since/--until/--period)", st->ignored,
			  st->ignored == 1 ? "" : "s");
}

int main(int argc, char **argv)
{
	struct ingest_options o = {.encoding = CSVIN_AUTO};
	struct args a = {.salt = getenv("TALLY_SALT")};
	diag_init(argv[0]);
	parse_options(argc, argv, &o, &a);
	char **files = argv + optind;
	size_t nfiles = (size_t)(argc - optind);
	const struct ingest_hooks hooks = {warn_hook, reject_hook, &rejects};
	check(ingest_run_init(&run, &o, &hooks));
	if (a.list || a.show) {
		check(ingest_run_list(&run, out_stdout(), a.list, a.show));
		out_stdout_close_or_die();
		ingest_run_free(&run);
		return EXIT_OK;
	}
	check_usage(&o);
	set_key(&o, a.salt);
	check_paths(&o, files, nfiles);

	size_t budget = o.sort ? sort_budget() : EXTSORT_BUDGET_DEFAULT;
	if (o.map) {
		size_t text_len;
		char *text = cli_read_file(o.map, &text_len);
		int st = ingest_run_set_map(&run, text, o.map);
		free(text);
		check(st);
	}
	reject_open(&rejects, o.rejects);
	struct out file_out;
	/* a temporary renamed over FILE at the end: a run that fails (or is
	 * refused) leaves FILE as it was */
	if (o.output && out_open_file(&file_out, o.output) < 0)
		diag_die(EXIT_USAGE, "%s: %s", o.output, strerror(errno));
	if (o.output) /* written from a thread while the next rows are read */
		out_async(&file_out);
	ingest_run_start(&run, o.output ? &file_out : out_stdout(), budget, getenv("TMPDIR"));

	progress_start(&run.progress, diag_prog, stderr, o.explain ? PROGRESS_OFF : o.progress, files, nfiles);
	if (nfiles == 0)
		check(ingest_run_file(&run, "-"));
	for (size_t i = 0; i < nfiles; i++)
		check(ingest_run_file(&run, files[i]));
	progress_end(&run.progress);
	check(ingest_run_finish(&run));
	if (o.output && out_close(&file_out) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", o.output, strerror(errno));
	out_stdout_close_or_die();
	reject_close(&rejects);
	summary(&o, &run);
	ingest_run_free(&run);
	return EXIT_OK; /* bad rows went to --rejects (without it the first was fatal) */
}
