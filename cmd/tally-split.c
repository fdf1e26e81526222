/* tally-split - sales -> per-payee allocations, by written split agreements.
 *
 * Reads a sales stream (tally-ingest's canonical columns, or any stream
 * with the needed ones), chooses for each row the agreement that covers
 * it, runs the row's basis through the agreement's waterfall of tiers and
 * writes one row per payee who receives something: the input columns plus
 * payee, tier, agreement, share and amount.  The semantics are in
 * tally-split(1).  This file is the command: options, files, and the
 * statuses of the engine turned into messages; the run is
 * lib/split/split_run.h, the agreements lib/split/split_rules.h. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "diag.h"
#include "kinds.h"
#include "lock.h"
#include "paths.h"
#include "progress.h"
#include "reject.h"
#include "split_run.h"

struct options {
	struct split_options s;      /* what the run needs */
	bool skip_seen;              /* --skip-seen given (the default) */
	enum progress_mode progress; /* --progress, --no-progress, else auto */
};

static void usage(FILE *f, int status)
{
	fprintf(f, "usage: tally-split -a AGREEMENTS [--default-payee PAYEE] [-e FILE] [-k KINDS] [-o FILE]\n"
		   "                   [-r FILE] [-s STATE [--skip-seen | --force] [--hold]] [-x RATES]\n"
		   "                   [--ties first|rotate] [--waterfall] [--progress | --no-progress]\n"
		   "                   [FILE...]\n"
		   "       tally-split --state-dump STATE [-o FILE]\n"
		   "       tally-split --commit STATE\n"
		   "       tally-split --help | --version\n");
	if (f == stdout)
		fputs("\nSplit a sales stream (tally-ingest) into allocations, by the agreements:\n"
		      "one row per payee and tier, summing exactly to each sale row's amount.\n\n"
		      "  -a, --agreements FILE   the agreements (TAB-separated; required)\n"
		      "      --default-payee NAME  rows no agreement covers go wholly to NAME\n"
		      "  -e, --explain FILE      write why each row was split as it was\n"
		      "  -k, --kinds LIST        split only these kinds; the rest are counted\n"
		      "  -o, --output FILE       write the allocations to FILE (whole, or not at all)\n"
		      "  -r, --rejects FILE      rows that cannot be split go there, with the reason\n"
		      "  -s, --state STATE       remember what was split: caps, recoupment, seen rows\n"
		      "      --skip-seen         with --state: pass over rows split already (default)\n"
		      "      --force             with --state: split seen rows again (pays them twice)\n"
		      "      --hold              with --state: the run's state waits in STATE.held\n"
		      "      --commit STATE      make the run held in STATE.held the state, and stop\n"
		      "      --state-dump STATE  write the state as text (tally-split(1), STATE), and stop\n"
		      "  -x, --fx RATES          rates table for caps in another currency\n"
		      "      --ties RULE         equal remainders: first (the payee listed first,\n"
		      "                          default) or rotate (round the payees by month)\n"
		      "      --waterfall         add the columns reached, commission, recouped and\n"
		      "                          recoupment: how each amount was reached\n"
		      "      --progress          show progress on stderr even when not a terminal\n"
		      "      --no-progress       never show progress (default: on a terminal)\n"
		      "  -h, --help              this help\n"
		      "  -V, --version           the version\n", f);
	if (fflush(f) != 0 || ferror(f))
		diag_die(EXIT_DATA, "write error: %s", strerror(errno));
	exit(status);
}

static void parse_kinds(struct split_options *opt, char *list)
{
	opt->nkinds = 0;
	for (char *tok; (tok = strsep(&list, ","));) {
		if (!*tok)
			continue;
		if (opt->nkinds == SPLIT_MAX_KINDS)
			diag_die(EXIT_USAGE, "--kinds: more than %d kinds", SPLIT_MAX_KINDS);
		opt->kinds[opt->nkinds++] = tok;
	}
	if (opt->nkinds == 0)
		diag_die(EXIT_USAGE, "--kinds: empty list");
}

static int parse_options(int argc, char **argv, struct options *opt)
{
	enum { OPT_TIES = 0x2000, OPT_WATERFALL, OPT_HOLD, OPT_COMMIT };
	static const struct option longopts[] = {
		{"agreements", required_argument, NULL, 'a'},
		{"commit", required_argument, NULL, OPT_COMMIT},
		{"default-payee", required_argument, NULL, 'd'},
		{"explain", required_argument, NULL, 'e'},
		{"force", no_argument, NULL, 'F'},
		{"fx", required_argument, NULL, 'x'},
		{"help", no_argument, NULL, 'h'},
		{"hold", no_argument, NULL, OPT_HOLD},
		{"kinds", required_argument, NULL, 'k'},
		{"no-progress", no_argument, NULL, CLI_OPT_NO_PROGRESS},
		{"output", required_argument, NULL, 'o'},
		{"progress", no_argument, NULL, CLI_OPT_PROGRESS},
		{"rejects", required_argument, NULL, 'r'},
		{"skip-seen", no_argument, NULL, 'S'},
		{"state", required_argument, NULL, 's'},
		{"state-dump", required_argument, NULL, 'D'},
		{"ties", required_argument, NULL, OPT_TIES},
		{"version", no_argument, NULL, 'V'},
		{"waterfall", no_argument, NULL, OPT_WATERFALL},
		{NULL, 0, NULL, 0},
	};
	static const char *const moved[] = {"d--default-payee", NULL};
	memset(opt, 0, sizeof *opt);
	static char default_kinds[] = KINDS_DEFAULT;
	parse_kinds(&opt->s, default_kinds);
	int c;
	struct cli_seen seen = {0};
	while ((c = getopt_long(argc, argv, "a:e:hk:o:r:s:Vx:", longopts, NULL)) != -1) {
		if (!cli_once(&seen, c, longopts, NULL))
			usage(stderr, EXIT_USAGE);
		switch (c) {
		case 'a': opt->s.agreements = optarg; break;
		case 'd':
			if (!*optarg)
				diag_die(EXIT_USAGE, "--default-payee: empty name");
			opt->s.default_payee = optarg;
			break;
		case 'e': opt->s.explain = optarg; break;
		case 'F': opt->s.force = true; break;
		case 'S': opt->skip_seen = true; break; /* the default, said aloud */
		case 'h': usage(stdout, EXIT_OK); break;
		case 'k': parse_kinds(&opt->s, optarg); break;
		case 'o': opt->s.output = optarg; break;
		case 'r': opt->s.rejects = optarg; break;
		case 's': opt->s.state = optarg; break;
		case 'D': opt->s.dump = optarg; break;
		case 'V': cli_version();
		case 'x': opt->s.fx = optarg; break;
		case OPT_TIES:
			if (strcmp(optarg, "first") != 0 && strcmp(optarg, "rotate") != 0) {
				diag_warn("--ties: \"%s\" is not first or rotate", optarg);
				usage(stderr, EXIT_USAGE);
			}
			opt->s.rotate_ties = strcmp(optarg, "rotate") == 0;
			break;
		case OPT_WATERFALL: opt->s.waterfall = true; break;
		case OPT_HOLD: opt->s.hold = true; break;
		case OPT_COMMIT: opt->s.commit = optarg; break;
		case CLI_OPT_PROGRESS: opt->progress = PROGRESS_ON; break;
		case CLI_OPT_NO_PROGRESS: opt->progress = PROGRESS_OFF; break;
		default:
			cli_hint_moved(optopt, moved);
			cli_hint_option(argv[optind - 1], longopts);
			usage(stderr, EXIT_USAGE);
		}
	}
	if (opt->s.force && opt->skip_seen) {
		diag_warn("--force and --skip-seen contradict each other");
		usage(stderr, EXIT_USAGE);
	}
	if ((opt->s.force || opt->skip_seen || opt->s.hold) && !opt->s.state) {
		diag_warn("--%s needs --state", opt->s.force ? "force" : opt->s.hold ? "hold" : "skip-seen");
		usage(stderr, EXIT_USAGE);
	}
	if (opt->s.dump && (opt->s.agreements || opt->s.state || optind < argc)) {
		diag_warn("--state-dump takes the state and at most -o FILE");
		usage(stderr, EXIT_USAGE);
	}
	if (opt->s.commit && (opt->s.agreements || opt->s.state || opt->s.dump || opt->s.output || optind < argc)) {
		diag_warn("--commit takes the state alone");
		usage(stderr, EXIT_USAGE);
	}
	if (!opt->s.agreements && !opt->s.dump && !opt->s.commit) {
		/* A missing input is the more useful thing to hear about first. */
		for (int i = optind; i < argc; i++) {
			int fd = strcmp(argv[i], "-") == 0 ? -2 : open(argv[i], O_RDONLY | O_CLOEXEC);
			if (fd == -1)
				diag_die(EXIT_USAGE, "%s: %s", argv[i], strerror(errno));
			if (fd >= 0)
				close(fd);
		}
		diag_warn("missing --agreements FILE");
		usage(stderr, EXIT_USAGE);
	}
	return optind;
}

/* Two of the files named on the command line being one is a usage error. */
static void check_paths(const struct split_options *o, char *const *inputs, size_t n)
{
	const struct paths_role roles[] = {
		{o->agreements, "--agreements", true}, {o->fx, "--fx", true},
		{o->output, "--output", false},        {o->rejects, "--rejects", false},
		{o->state, "--state", false},          {o->explain, "--explain", false},
	};
	char msg[PATHS_MSG_MAX];
	if (paths_check(roles, sizeof roles / sizeof roles[0], inputs, n, msg, sizeof msg))
		diag_die(EXIT_USAGE, "%s", msg);
}

static void say_waiting(const char *lock_path, void *ctx)
{
	diag_warn("waiting for %s: another run is using %s", lock_path, (const char *)ctx);
}

/* Say a run's failure st (its message in run->err) and exit: 2 for
 * usage, 1 otherwise. */
static noreturn void fail(struct split_run *run, int st)
{
	char msg[1024];
	switch (st) {
	case SPLIT_ENOMEM: diag_die(EXIT_DATA, "out of memory");
	case SPLIT_EMISSING: tsv_col_or_die(&run->in, run->err); break;
	case SPLIT_EUSAGE: diag_die(EXIT_USAGE, "%s", run->err);
	case SPLIT_EUNMATCHED:
		for (size_t i = 0; i < run->nunmatched; i++)
			diag_warn_at(run->unmatched[i].file, run->unmatched[i].line, "%s",
				     split_run_unmatched(run, i, msg, sizeof msg));
		diag_die(EXIT_DATA, "%s", split_run_unmatched(run, run->nunmatched, msg, sizeof msg));
	default: break;
	}
	diag_die(EXIT_DATA, "%s", run->err);
}

/* --state-dump: the state as text, to -o FILE or standard output. */
static noreturn void dump_state(struct split_run *run)
{
	struct lock lock = {-1, NULL};
	int st = split_run_dump_state(run, &lock, say_waiting, (void *)run->opt.dump);
	if (st == SPLIT_EOPEN)
		diag_die(EXIT_USAGE, "%s: %s", run->err, strerror(errno));
	if (st != SPLIT_OK)
		fail(run, st);
	out_stdout_close_or_die();
	split_run_free(run);
	exit(EXIT_OK);
}

/* --commit: the run held in STATE.held becomes the state. */
static noreturn void commit_held(struct split_run *run)
{
	struct lock lock = {-1, NULL};
	int st = split_run_commit_held(run, &lock, say_waiting, (void *)run->opt.commit);
	if (st == SPLIT_EOPEN)
		diag_die(EXIT_USAGE, "%s: %s", run->err, strerror(errno));
	if (st != SPLIT_OK)
		fail(run, st);
	exit(EXIT_OK);
}

/* Load the agreements file; dies when it is bad. */
static void load_agreements(struct split_run *run)
{
	size_t len;
	const char *path = run->opt.agreements, *payee = run->opt.default_payee;
	char *text = cli_read_file(path, &len);
	long line = 0;
	char err[512];
	int st = split_rules_parse(&run->rules, path, text, len, &line, err, sizeof err);
	free(text);
	if (st == SPLIT_ENOMEM)
		diag_die(EXIT_DATA, "out of memory");
	if (st != SPLIT_OK) /* a missing column is usage, as in a stream (tally(7)) */
		diag_die_at(st == SPLIT_ECOLUMN ? EXIT_USAGE : EXIT_DATA, path, line, "%s", err);
	const struct split_payee *clash = payee ? split_rules_name_clash(&run->rules, payee) : NULL;
	if (clash)
		diag_die(EXIT_USAGE, "--default-payee \"%s\" and the payee \"%s\" (%s line %ld) differ only by case or spaces: "
			 "they would be two balances; write one name", payee, clash->name, path, clash->line);
	if ((st = split_run_start(run)) != SPLIT_OK)
		fail(run, st);
	char note[1024];
	for (size_t i = 0; i < run->rules.n; i++)
		for (size_t t = 0; t < run->rules.agreements[i].ntiers; t++)
			if (run->rules.agreements[i].tiers[t].weights_below_one)
				diag_warn_at(path, run->rules.agreements[i].tiers[t].line, "%s",
					     split_fraction_note(&run->rules.agreements[i].tiers[t], note, sizeof note));
}

static void load_fx(struct split_run *run)
{
	if (!run->opt.fx)
		return;
	struct fx_error e;
	int st = fx_load(&run->fx, run->opt.fx, &e);
	if (st == FX_EOPEN)
		diag_die(EXIT_USAGE, "%s: %s", e.file, strerror(errno));
	if (st == FX_ENOMEM)
		diag_die(EXIT_DATA, "out of memory");
	if (st != FX_OK)
		diag_die_at(st == FX_ECOLUMN ? EXIT_USAGE : EXIT_DATA, e.file, e.line, "%s", e.msg);
	run->have_fx = true;
}

/* run->reject: to --rejects, or fatal without. */
static void on_reject(void *ctx, const struct tsv_reader *in, const char *reason)
{
	reject_row(ctx, in->file, in->line, in->raw_header, strlen(in->raw_header), in->raw, in->raw_len, reason);
}

/* Open --explain and -o (else stdout); dies when one cannot be created. */
static void open_outputs(struct split_run *run)
{
	const char *explain = run->opt.explain, *output = run->opt.output;
	if (explain && out_open_file(&run->explain, explain) < 0)
		diag_die(EXIT_USAGE, "%s: %s", explain, strerror(errno));
	run->explaining = explain != NULL;
	if (output && out_open_file(&run->output_file, output) < 0)
		diag_die(EXIT_USAGE, "%s: %s", output, strerror(errno));
	if (output) /* the allocations, the largest thing written: from a thread */
		out_async(&run->output_file);
	run->out = output ? &run->output_file : out_stdout();
}

int main(int argc, char **argv)
{
	static struct split_run run;
	static struct options opt;
	struct lock lock = {-1, NULL};
	struct reject_sink rejects;
	int st, rc;
	diag_init(argv[0]);
	int first = parse_options(argc, argv, &opt);
	char **inputs = argv + first;
	size_t ninputs = (size_t)(argc - first);
	check_paths(&opt.s, inputs, ninputs);
	run.opt = opt.s;
	run.opt.tmpdir = getenv("TMPDIR");
	if (run.opt.dump)
		dump_state(&run);
	if (run.opt.commit)
		commit_held(&run);
	load_agreements(&run);
	load_fx(&run);

	/* with --state the input is read twice, under the lock (tally-split(1), STATE) */
	if ((st = split_run_lock_state(&run, &lock, say_waiting, (void *)run.opt.state)) == SPLIT_OK &&
	    (st = split_run_spool(&run, inputs, ninputs)) == SPLIT_OK) {
		cli_tsv_open(&run.in, inputs, ninputs);
		if ((st = split_run_columns(&run)) == SPLIT_OK &&
		    (st = split_run_load_state(&run, &lock, say_waiting, (void *)run.opt.state)) == SPLIT_NOTE) {
			diag_warn("%s", run.err);
			st = SPLIT_OK;
		}
		if (st == SPLIT_OK)
			st = split_run_prescan(&run, inputs, ninputs);
	}
	if (st == SPLIT_EOPEN)
		diag_die(EXIT_USAGE, "%s: %s", run.err, strerror(errno));
	if (st != SPLIT_OK)
		fail(&run, st);
	reject_open(&rejects, run.opt.rejects);
	run.reject = on_reject;
	run.reject_ctx = &rejects;
	open_outputs(&run);
	split_run_header(&run);

	struct progress progress;
	progress_start(&progress, diag_prog, stderr, opt.progress, inputs, ninputs);
	while ((rc = tsv_next(&run.in)) != 0) {
		progress_tick(&progress, run.in.bytes_read);
		if ((st = split_run_row(&run, rc)) == SPLIT_EOPEN)
			diag_die(EXIT_DATA, "%s: %s", run.err, strerror(errno));
		if (st != SPLIT_OK)
			fail(&run, st);
	}
	progress_end(&progress);

	if ((st = split_run_finish(&run)) != SPLIT_OK) /* before anything is committed */
		fail(&run, st);
	reject_close(&rejects);
	if ((st = split_run_commit(&run)) == SPLIT_NOTE)
		diag_warn("%s", run.err);
	else if (st != SPLIT_OK)
		fail(&run, st);
	lock_release(&lock);
	char notes[1024], passed[1024];
	split_run_seen_notes(&run, notes, sizeof notes);
	for (char *next = notes, *note; (note = strsep(&next, "\n")) && *note;)
		diag_warn("%s", note);
	if (run.passed.total > 0) {
		kinds_tally_format(&run.passed, passed, sizeof passed);
		diag_warn("passed over %ld row%s not split (%s)", run.passed.total, run.passed.total == 1 ? "" : "s",
			  passed);
	}
	out_stdout_close_or_die();
	split_run_free(&run);
	return EXIT_OK;
}
