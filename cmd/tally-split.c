/* tally-split - sales -> per-payee allocations, by written split agreements.
 *
 * Reads a sales stream (tally-ingest's canonical columns, or any stream
 * with the needed ones), chooses for each row the agreement that covers
 * it, runs the row's basis through the agreement's waterfall of tiers and
 * writes one row per payee who receives something: the input columns plus
 * payee, tier, agreement, share and amount.  The semantics are in
 * tally-split(1); the engine is lib/split/split_rules.c, the state file
 * lib/split/split_state.c. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "cli.h"
#include "diag.h"
#include "fx.h"
#include "hash.h"
#include "kinds.h"
#include "lock.h"
#include "money.h"
#include "out.h"
#include "progress.h"
#include "paths.h"
#include "reject.h"
#include "split_rules.h"
#include "split_state.h"
#include "spool.h"
#include "tsv.h"

#define MAX_KINDS 32          /* kinds in --kinds */
#define SECONDS_PER_DAY 86400

/* Kinds whose rows a refund of the same order reverses. */
static const char *const revenue_kinds[] = {"sale", "subscription", "tip", "adjustment"};
/* Columns tally-split adds; the input must not have them already. */
static const char *const added_columns[] = {"payee", "tier", "agreement", "share", "amount"};
/* Columns --waterfall adds after them: how each amount was reached. */
static const char *const waterfall_columns[] = {"reached", "commission", "recouped", "recoupment"};

struct options {
	const char *agreements;    /* -a */
	const char *default_payee; /* -d */
	const char *explain;       /* -e */
	bool force;                /* --force: split rows the state has seen again */
	bool skip_seen;            /* --skip-seen given (the default) */
	const char *kinds[MAX_KINDS]; /* -k, or default_kinds */
	size_t nkinds;
	const char *output;        /* -o: written atomically, else stdout */
	const char *rejects;       /* -r */
	const char *state;         /* -s */
	const char *dump;          /* --state-dump STATE */
	const char *fx;            /* -x */
	enum progress_mode progress; /* --progress, --no-progress, else auto */
	bool rotate_ties;          /* --ties rotate (default: --ties first) */
	bool waterfall;            /* --waterfall: add waterfall_columns */
};

/* Rows of one product that no agreement matches, listed together at the end. */
struct unmatched {
	char *product, *source, *sku, *kind; /* of its first row (owned) */
	char *file;                          /* where its first row is (owned) */
	long line;
	char currency[4];                    /* of its first row */
	long rows;
	int64_t total;                       /* net of its rows in that currency */
	bool mixed;                          /* rows in other currencies too */
};

/* Column indexes in the input; -1 when absent (optional ones). */
struct columns {
	int date, kind, currency, net, gross;
	int source, order, line, product, sku, sale_date, origin;
};


/* Everything one run works with. */
struct run {
	struct options opt;
	struct split_rules rules;
	struct fx_table fx;
	bool have_fx;
	struct split_state state;
	struct tsv_reader in;
	struct columns col;
	struct reject_sink rejects;
	struct out explain;
	bool explaining;
	struct out *out;           /* stdout, or &output_file */
	struct out output_file;    /* -o FILE */
	struct split_part *parts;  /* room for rules.max_payees */
	struct split_step steps[SPLIT_MAX_TIERS];
	struct kinds_tally passed;      /* rows of kinds not split, for the closing note */
	char currency[4];          /* cache of the last currency seen */
	int digits;
	long rows_split;
	long rows_seen;            /* passed over: split already, unchanged */
	long rows_changed;         /* split already, changed: their difference split */
	uint64_t input_digest;     /* of every input row, for the run record */
	struct unmatched *unmatched; /* products no agreement matches (owned) */
	size_t nunmatched;
	uint64_t prev_origin;      /* hash of the row before's origin, 0 for none */
	bool same_record;          /* the row is read from the record the row before was */
	int delta_col;             /* column written as delta_text, or -1 */
	char delta_text[MONEY_BUF];
	size_t delta_len;
	bool has_specific;         /* some agreement is not a catch-all */
	const struct split_agreement **cls_cache; /* agreement of each state class (owned) */
	unsigned char *cls_found;  /* 0 not looked up, 1 found, 2 not in the file (owned) */
	size_t ncls_cache;
};

static void usage(FILE *f, int status)
{
	fprintf(f, "usage: tally-split -a AGREEMENTS [--default-payee PAYEE] [-e FILE] [-k KINDS] [-o FILE]\n"
		   "                   [-r FILE] [-s STATE [--skip-seen | --force]] [-x RATES]\n"
		   "                   [--ties first|rotate] [--waterfall] [--progress | --no-progress]\n"
		   "                   [FILE...]\n"
		   "       tally-split --state-dump STATE [-o FILE]\n"
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

static const char *field(const struct run *run, int col)
{
	return col >= 0 ? run->in.fields[col].s : "";
}

static size_t field_len(const struct run *run, int col)
{
	return col >= 0 ? run->in.fields[col].len : 0;
}

/* ---- options and set-up ---------------------------------------------- */

static void parse_kinds(struct options *opt, char *list)
{
	opt->nkinds = 0;
	for (char *tok; (tok = strsep(&list, ","));) {
		if (!*tok)
			continue;
		if (opt->nkinds == MAX_KINDS)
			diag_die(EXIT_USAGE, "--kinds: more than %d kinds", MAX_KINDS);
		opt->kinds[opt->nkinds++] = tok;
	}
	if (opt->nkinds == 0)
		diag_die(EXIT_USAGE, "--kinds: empty list");
}

static int parse_options(int argc, char **argv, struct options *opt)
{
	enum { OPT_TIES = 0x2000, OPT_WATERFALL };
	static const struct option longopts[] = {
		{"agreements", required_argument, NULL, 'a'},
		{"default-payee", required_argument, NULL, 'd'},
		{"explain", required_argument, NULL, 'e'},
		{"force", no_argument, NULL, 'F'},
		{"fx", required_argument, NULL, 'x'},
		{"help", no_argument, NULL, 'h'},
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
	parse_kinds(opt, default_kinds);
	int c;
	struct cli_seen seen = {0};
	while ((c = getopt_long(argc, argv, "a:e:hk:o:r:s:Vx:", longopts, NULL)) != -1) {
		if (!cli_once(&seen, c, longopts, NULL))
			usage(stderr, EXIT_USAGE);
		switch (c) {
		case 'a': opt->agreements = optarg; break;
		case 'd':
			if (!*optarg)
				diag_die(EXIT_USAGE, "--default-payee: empty name");
			opt->default_payee = optarg;
			break;
		case 'e': opt->explain = optarg; break;
		case 'F': opt->force = true; break;
		case 'S': opt->skip_seen = true; break; /* the default, said aloud */
		case 'h': usage(stdout, EXIT_OK); break;
		case 'k': parse_kinds(opt, optarg); break;
		case 'o': opt->output = optarg; break;
		case 'r': opt->rejects = optarg; break;
		case 's': opt->state = optarg; break;
		case 'D': opt->dump = optarg; break;
		case 'V': cli_version();
		case 'x': opt->fx = optarg; break;
		case OPT_TIES:
			if (strcmp(optarg, "first") != 0 && strcmp(optarg, "rotate") != 0) {
				diag_warn("--ties: \"%s\" is not first or rotate", optarg);
				usage(stderr, EXIT_USAGE);
			}
			opt->rotate_ties = strcmp(optarg, "rotate") == 0;
			break;
		case OPT_WATERFALL: opt->waterfall = true; break;
		case CLI_OPT_PROGRESS: opt->progress = PROGRESS_ON; break;
		case CLI_OPT_NO_PROGRESS: opt->progress = PROGRESS_OFF; break;
		default:
			cli_hint_moved(optopt, moved);
			cli_hint_option(argv[optind - 1], longopts);
			usage(stderr, EXIT_USAGE);
		}
	}
	if (opt->force && opt->skip_seen) {
		diag_warn("--force and --skip-seen contradict each other");
		usage(stderr, EXIT_USAGE);
	}
	if ((opt->force || opt->skip_seen) && !opt->state) {
		diag_warn("--%s needs --state", opt->force ? "force" : "skip-seen");
		usage(stderr, EXIT_USAGE);
	}
	if (opt->dump && (opt->agreements || opt->state || optind < argc)) {
		diag_warn("--state-dump takes the state and at most -o FILE");
		usage(stderr, EXIT_USAGE);
	}
	if (!opt->agreements && !opt->dump) {
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

/* Read from fd into buf until it holds cap bytes or the file ends;
 * returns the bytes read.  Dies with status when the read fails. */
static size_t read_full(int fd, char *buf, size_t cap, const char *path, int status)
{
	size_t n = 0;
	while (n < cap) {
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			diag_die(status, "%s: %s", path, strerror(errno));
		if (got == 0)
			break;
		n += (size_t)got;
	}
	return n;
}

/* Plain weights that all lie below 1 and do not sum to 1 (0.6 and 0.3)
 * look like fractions, but are divided in proportion (2:1): say so. */
static void warn_fraction_weights(const struct split_rules *rules, const char *file)
{
	for (size_t i = 0; i < rules->n; i++) {
		const struct split_agreement *a = &rules->agreements[i];
		for (size_t t = 0; t < a->ntiers; t++) {
			const struct split_tier *tier = &a->tiers[t];
			if (!tier->weights_below_one)
				continue;
			char sum[64], parts[512];
			size_t used = 0;
			ratio_format(sum, sizeof sum, tier->weight_sum);
			for (size_t p = 0; p < tier->npayees && used < sizeof parts; p++) {
				const struct split_payee *pay = &tier->payees[p];
				/* share / sum as a percentage with 6 decimals, in integers
				 * (money_format writes millionths without trailing zeros) */
				int64_t of_whole, pct;
				char num[MONEY_BUF] = "?";
				if (money_muldiv(100 * MONEY_SCALE, pay->share.num, pay->share.den, &of_whole) &&
				    money_muldiv(of_whole, tier->weight_sum.den, tier->weight_sum.num, &pct))
					money_format(num, pct, 0);
				used += (size_t)snprintf(parts + used, sizeof parts - used, "%s%s %s%%",
							 p ? ", " : "", pay->name, num);
			}
			diag_warn_at(file, tier->line,
				     "tier %ld: weights below 1 that sum to %s, not 1, are divided in proportion (%s); "
				     "if they are fractions of the whole, write percentages that total 100%%",
				     tier->number, sum, parts);
		}
	}
}

static void load_agreements(struct run *run)
{
	size_t len;
	char *text = cli_read_file(run->opt.agreements, &len);
	long line = 0;
	char err[512];
	int st = split_rules_parse(&run->rules, run->opt.agreements, text, len, &line, err, sizeof err);
	run->rules.rotate_ties = run->opt.rotate_ties;
	free(text);
	if (st == SPLIT_ENOMEM)
		diag_die(EXIT_DATA, "out of memory");
	if (st != SPLIT_OK) /* a missing column is usage, as in a stream (tally(7)) */
		diag_die_at(st == SPLIT_ECOLUMN ? EXIT_USAGE : EXIT_DATA, run->opt.agreements, line, "%s", err);
	const struct split_payee *clash =
		run->opt.default_payee ? split_rules_name_clash(&run->rules, run->opt.default_payee) : NULL;
	if (clash)
		diag_die(EXIT_USAGE, "--default-payee \"%s\" and the payee \"%s\" (%s line %ld) differ only by case or spaces: "
			 "they would be two balances; write one name", run->opt.default_payee, clash->name,
			 run->opt.agreements, clash->line);
	run->parts = xcalloc(run->rules.max_payees + 1, sizeof *run->parts);
	warn_fraction_weights(&run->rules, run->opt.agreements);
}

static void load_fx(struct run *run)
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

static const char *on_name(enum split_on on);

static void find_columns(struct run *run)
{
	struct tsv_reader *r = &run->in;
	struct columns *c = &run->col;
	for (size_t i = 0; i < sizeof added_columns / sizeof *added_columns; i++)
		if (tsv_col(r, added_columns[i]) >= 0)
			diag_die(EXIT_USAGE, "%s: the input already has a column \"%s\" (is it split already?)",
				 r->file, added_columns[i]);
	for (size_t i = 0; run->opt.waterfall && i < sizeof waterfall_columns / sizeof *waterfall_columns; i++)
		if (tsv_col(r, waterfall_columns[i]) >= 0)
			diag_die(EXIT_USAGE, "%s: --waterfall: the input already has a column \"%s\" (is it split already?)",
				 r->file, waterfall_columns[i]);
	c->date = tsv_col_or_die(r, "date");
	c->kind = tsv_col_or_die(r, "kind");
	c->currency = tsv_col_or_die(r, "currency");
	c->net = run->rules.uses_net || run->opt.default_payee ? tsv_col_or_die(r, "net") : tsv_col(r, "net");
	c->gross = run->rules.uses_gross ? tsv_col_or_die(r, "gross") : tsv_col(r, "gross");
	bool stateful = run->opt.state != NULL;
	c->source = stateful ? tsv_col_or_die(r, "source") : tsv_col(r, "source");
	c->order = stateful ? tsv_col_or_die(r, "order") : tsv_col(r, "order");
	c->line = stateful ? tsv_col_or_die(r, "line") : tsv_col(r, "line");
	c->product = tsv_col(r, "product");
	c->sku = tsv_col(r, "sku");
	c->sale_date = tsv_col(r, "sale_date");
	c->origin = tsv_col(r, "origin");
	run->prev_origin = 0;
	/* an agreement on a field the stream lacks would never match, and
	 * every row would fall silently to "*" */
	const struct { enum split_on on; int col; } looked[] = {
		{SPLIT_ON_PRODUCT, c->product}, {SPLIT_ON_SKU, c->sku}, {SPLIT_ON_SOURCE, c->source},
	};
	for (size_t i = 0; i < sizeof looked / sizeof *looked; i++)
		if (run->rules.looks_at[looked[i].on] && looked[i].col < 0)
			diag_die(EXIT_DATA, "%s: no column \"%s\", which the agreements match on (%s): "
				 "column names are lower case", r->file, on_name(looked[i].on), run->opt.agreements);
}

static void say_waiting(const char *lock_path, void *ctx)
{
	diag_warn("waiting for %s: another run is using %s", lock_path, (const char *)ctx);
}

static void load_state(struct run *run, struct lock *lock)
{
	if (!run->opt.state)
		return;
	if (lock->fd < 0 && lock_acquire(lock, run->opt.state, say_waiting, (void *)run->opt.state) < 0)
		diag_die(EXIT_USAGE, "%s: %s", lock->path ? lock->path : run->opt.state, strerror(errno));
	long line = 0;
	char err[512];
	int st = split_state_open(&run->state, run->opt.state, &line, err, sizeof err);
	if (st == -1)
		diag_die(EXIT_USAGE, "%s: %s", run->opt.state, strerror(errno));
	if (st < 0)
		diag_die_at(EXIT_DATA, run->opt.state, line, "%s", err);
	if (run->state.migrated)
		diag_warn("%s: the text state %d is migrated to sorted key segments (--state-dump writes it as text)",
			  run->opt.state, run->state.migrated);
	if (split_state_bind(&run->state, &run->rules, err, sizeof err) < 0)
		diag_die(EXIT_DATA, "%s: %s", run->opt.state, err);
}

static void save_state(struct run *run)
{
	if (!run->opt.state)
		return;
	char err[512];
	if (split_state_commit(&run->state, &run->rules, err, sizeof err) < 0)
		diag_die(EXIT_DATA, "%s: %s", run->opt.state, err);
}

/* ---- one row ---------------------------------------------------------- */

static bool wanted_kind(const struct run *run, const char *kind)
{
	for (size_t i = 0; i < run->opt.nkinds; i++)
		if (strcmp(run->opt.kinds[i], kind) == 0)
			return true;
	return false;
}

static void report_passed(struct kinds_tally *t)
{
	char buf[1024];
	if (t->total == 0)
		return;
	kinds_tally_format(t, buf, sizeof buf);
	diag_warn("passed over %ld row%s not split (%s)", t->total, t->total == 1 ? "" : "s", buf);
	kinds_tally_free(t);
}

/* Reject the current row (fatal without --rejects). */
__attribute__((format(printf, 2, 3))) static void reject(struct run *run, const char *fmt, ...)
{
	char reason[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	reject_row(&run->rejects, run->in.file, run->in.line, run->in.raw_header,
		   strlen(run->in.raw_header), run->in.raw, run->in.raw_len, reason);
}

static const char *quote_field(const struct run *run, int col, char *buf, size_t cap)
{
	return diag_quote(buf, cap, field(run, col), field_len(run, col));
}

/* The row's currency digits, or -1 (rejected). */
static int row_digits(struct run *run)
{
	const char *cur = field(run, run->col.currency);
	size_t n = field_len(run, run->col.currency);
	if (n == 3 && strcmp(cur, run->currency) == 0)
		return run->digits;
	int d = n == 3 ? currency_digits(cur, 3) : -1;
	if (d < 0) {
		char q[96];
		reject(run, "column \"currency\": %s is not a known currency",
		       quote_field(run, run->col.currency, q, sizeof q));
		return -1;
	}
	memcpy(run->currency, cur, 4);
	run->digits = d;
	return d;
}

static bool parse_time(struct run *run, int col, const char *name, int64_t *t)
{
	if (date_parse(field(run, col), field_len(run, col), t) == 0)
		return true;
	char q[96];
	reject(run, "column \"%s\": %s is not a date", name, quote_field(run, col, q, sizeof q));
	return false;
}

static bool parse_basis(struct run *run, bool gross, int64_t *basis)
{
	int col = gross ? run->col.gross : run->col.net;
	int st = money_parse(field(run, col), field_len(run, col), basis);
	if (st == MONEY_OK)
		return true;
	char q[96];
	reject(run, "column \"%s\": %s %s", gross ? "gross" : "net", quote_field(run, col, q, sizeof q),
	       money_strerror(st));
	return false;
}

/* Where the agreement date came from, for --explain and messages. */
#define WHY_SALE_DATE "the sale_date of the sale it reverses"
#define WHY_STATE "the date the state recorded for the order's sale"
#define WHY_CHANGED "the date the state recorded when the row was first split"

static bool is_reversal(const char *kind)
{
	return strcmp(kind, "refund") == 0 || strcmp(kind, "chargeback") == 0;
}

/* How the current row is to be split. */
struct plan {
	int64_t when;                    /* the date that chooses the agreement */
	const char *why;                 /* where it came from, for --explain */
	const struct split_agreement *a; /* with by_state: the agreement (NULL: the default payee) */
	bool by_state;                   /* the state named the agreement: no matching */
	bool reversal;                   /* a refund or chargeback */
	bool linked;                     /* a reversal whose sale is known (state class or sale_date) */
	uint32_t cls;                    /* with by_state: the class to record */
	uint64_t key;                    /* the row's identity (--state) */
	struct split_state_seen *prev;   /* its record, when split before (and not --force) */
};

/* The agreement whose state key is key: true and *a (NULL for "", the
 * default payee), or false when the agreements file no longer has it. */
static bool agreement_by_key(const struct run *run, const char *key, const struct split_agreement **a)
{
	*a = NULL;
	if (!*key)
		return run->opt.default_payee != NULL;
	for (size_t i = 0; i < run->rules.n; i++)
		if (strcmp(run->rules.agreements[i].key, key) == 0) {
			*a = &run->rules.agreements[i];
			return true;
		}
	return false;
}

/* An agreement with the match of cls and the terms it had, whatever its
 * dates, or NULL. */
static const struct split_agreement *same_terms(const struct run *run, const struct split_state_class *cls)
{
	size_t n = strcspn(cls->agreement, "\t");
	for (size_t i = 0; i < run->rules.n; i++) {
		const struct split_agreement *a = &run->rules.agreements[i];
		if (a->terms == cls->terms && strncmp(a->key, cls->agreement, n) == 0 && a->key[n] == '\t')
			return a;
	}
	return NULL;
}

/* agreement_by_key for the agreement of class id (cls), looked up once a
 * class (a re-run meets every class a million times): by its match, from
 * and to, else by its match and the terms it had (an agreement ended with
 * `to` since).  False when neither is in the file (cls_found 2) or the
 * agreement was edited in place (3). */
static bool agreement_of_class(struct run *run, uint32_t id, const struct split_state_class *cls,
			       const struct split_agreement **a)
{
	id &= ~SPLIT_STATE_THIS_RUN;
	if (id >= run->ncls_cache) {
		size_t n = run->state.nclasses + 1;
		run->cls_cache = xrealloc(run->cls_cache, n * sizeof *run->cls_cache);
		run->cls_found = xrealloc(run->cls_found, n);
		memset(run->cls_found + run->ncls_cache, 0, n - run->ncls_cache);
		run->ncls_cache = n;
	}
	if (!run->cls_found[id]) {
		const struct split_agreement *found;
		bool there = agreement_by_key(run, cls->agreement, &found);
		run->cls_found[id] = !there ? 2 : found && found->terms != cls->terms ? 3 : 1;
		if (run->cls_found[id] != 1 && *cls->agreement) {
			/* ended with `to` (or re-dated) since: the same match with the same terms */
			const struct split_agreement *same = same_terms(run, cls);
			if (same) {
				found = same;
				run->cls_found[id] = 1;
			}
		}
		run->cls_cache[id] = found;
	}
	*a = run->cls_cache[id];
	return run->cls_found[id] == 1;
}

/* Reject the row whose class c (id) names an agreement the file no longer
 * has as it was (agreement_of_class said so). */
static void reject_lost_agreement(struct run *run, uint32_t id, const struct split_state_class *c,
				  const char *what)
{
	char match[256];
	snprintf(match, sizeof match, "%s", c->agreement);
	char *tab = strchr(match, '\t');
	if (tab)
		*tab = '\0';
	if (run->cls_found[id & ~SPLIT_STATE_THIS_RUN] == 3)
		reject(run, "%s was split by the agreement \"%s\" (state %s) as it was before an edit in place "
		       "(payees, shares or caps differ now): put the old terms back, end them with \"to\" and start "
		       "the new ones with \"from\", so that this row goes by the split its sale had",
		       what, match, run->opt.state);
	else if (!*c->agreement)
		reject(run, "%s was split by --default-payee (state %s); give --default-payee to split this row",
		       what, run->opt.state);
	else
		reject(run, "%s was split by the agreement \"%s\" (state %s), which %s no longer has; "
		       "put it back (with its from and to) to split this row", what, match, run->opt.state,
		       run->opt.agreements);
}

/* Whether the reversal on the current row is the one record e split:
 * the same amount (net or gross, whichever was split).  A reversal never
 * changes: one of another amount with the same fields and date is another
 * partial refund of the line (issue 10). */
static bool same_reversal(struct run *run, const struct split_state_seen *e)
{
	const struct columns *c = &run->col;
	int64_t net, gross;
	if (e->cls == SPLIT_STATE_LEGACY)
		return true; /* no amount recorded */
	bool has_net = money_parse(field(run, c->net), field_len(run, c->net), &net) == MONEY_OK;
	bool has_gross = c->gross >= 0 && money_parse(field(run, c->gross), field_len(run, c->gross), &gross) == MONEY_OK;
	return (has_net && e->basis == net) || (has_gross && e->basis == gross) || (!has_net && !has_gross);
}

/* The row's identity and its record: the nth row with these fields in
 * this run is the nth identity; a reversal passes over records of other
 * reversals of its line on its date (same_reversal), unless it is read
 * from its sale's own record (same_record: Gumroad's refund columns, the
 * refunds so far), whose later amount is a change.  A reversal that
 * only a state 1 record knows (keyed without its date) takes that record
 * over, once. */
static struct split_state_seen *row_identity(struct run *run, const char *kind, uint64_t *key)
{
	const struct columns *c = &run->col;
	const char *src = field(run, c->source), *order = field(run, c->order), *line = field(run, c->line);
	bool rev = is_reversal(kind);
	struct split_state_seen *e;
	for (unsigned n = 1;; n++) {
		*key = split_state_key(src, order, line, kind, rev ? field(run, c->date) : NULL, n);
		e = split_state_find(&run->state, *key);
		if (!e || (!(e->cls & SPLIT_STATE_THIS_RUN) && (!rev || run->same_record || same_reversal(run, e))))
			break;
	}
	if (e || !rev)
		return e;
	uint64_t old = split_state_key(src, order, line, kind, NULL, 1);
	struct split_state_seen *legacy = split_state_find(&run->state, old);
	if (!legacy || legacy->cls != SPLIT_STATE_LEGACY)
		return NULL;
	int64_t day = (int64_t)legacy->day * SECONDS_PER_DAY;
	split_state_remove(&run->state, old);
	e = split_state_put(&run->state, *key, day, SPLIT_STATE_LEGACY, 0);
	if (e == NULL)
		diag_die(EXIT_DATA, "out of memory");
	else
		e->cls &= ~SPLIT_STATE_THIS_RUN; /* seen, not split: split_seen flags it */
	return e;
}

/* The state's record of the sale a reversal reverses, or NULL. */
static struct split_state_seen *sale_record(struct run *run)
{
	const struct columns *c = &run->col;
	for (size_t i = 0; i < sizeof revenue_kinds / sizeof *revenue_kinds; i++) {
		uint64_t h = split_state_key(field(run, c->source), field(run, c->order), field(run, c->line),
					     revenue_kinds[i], NULL, 1);
		struct split_state_seen *e = split_state_find(&run->state, h);
		if (e)
			return e;
	}
	return NULL;
}

/* Decide how the row is split (see tally-split(1), REFUNDS): its own date
 * and fields; for a refund or chargeback, the agreement the state
 * recorded for its sale, else its sale_date.  False when rejected. */
static bool plan_row(struct run *run, const char *kind, int64_t own, struct plan *p)
{
	memset(p, 0, sizeof *p);
	p->when = own;
	p->why = "its date";
	if (run->opt.state) {
		p->prev = row_identity(run, kind, &p->key);
		if (run->opt.force)
			p->prev = NULL;
	}
	p->reversal = is_reversal(kind);
	if (!p->reversal || p->prev)
		return true;
	struct split_state_seen *sale = run->opt.state ? sale_record(run) : NULL;
	const struct split_state_class *cls = sale ? split_state_class_of(&run->state, sale->cls) : NULL;
	if (cls) {
		if (!agreement_of_class(run, sale->cls, cls, &p->a)) {
			reject_lost_agreement(run, sale->cls, cls, "its sale");
			return false;
		}
		p->by_state = p->linked = true;
		p->cls = sale->cls & ~SPLIT_STATE_THIS_RUN;
		p->when = (int64_t)sale->day * SECONDS_PER_DAY;
		p->why = WHY_STATE;
		return true;
	}
	if (field_len(run, run->col.sale_date) > 0) {
		p->why = WHY_SALE_DATE;
		p->linked = true;
		return parse_time(run, run->col.sale_date, "sale_date", &p->when);
	}
	if (sale) { /* a state 1 record: the day, not the agreement */
		p->when = (int64_t)sale->day * SECONDS_PER_DAY;
		p->why = WHY_STATE;
		return true;
	}
	p->why = "its own date (no sale_date, and the order is not in the state)";
	return true;
}

/* The column the agreement date was read from (why: as plan_row set
 * it): date, sale_date, or -1 when it came from the state. */
static int when_col(const struct run *run, const char *why)
{
	if (strcmp(why, WHY_SALE_DATE) == 0)
		return run->col.sale_date;
	return strcmp(why, "its date") == 0 || strncmp(why, "its own", 7) == 0 ? run->col.date : -1;
}

/* Informational share amount/basis, at most 6 decimals: "0.15". */
static size_t format_share(char *buf, int64_t amount, int64_t basis)
{
	__extension__ typedef unsigned __int128 u128;
	u128 a = (u128)(amount < 0 ? -(u128)amount : (u128)amount);
	u128 b = (u128)(basis < 0 ? -(u128)basis : (u128)basis);
	u128 q = a * 1000000 / b, rem = a * 1000000 % b;
	if (2 * rem > b || (2 * rem == b && (q & 1)))
		q++;
	unsigned long long whole = (unsigned long long)(q / 1000000);
	unsigned frac = (unsigned)(q % 1000000);
	/* by hand, not snprintf: this runs for every output row */
	char rev[24];
	size_t n = 0, k = 0;
	do
		rev[k++] = (char)('0' + whole % 10);
	while ((whole /= 10) > 0);
	while (k > 0)
		buf[n++] = rev[--k];
	if (frac) {
		buf[n++] = '.';
		for (int d = 5; d >= 0; d--, frac /= 10) /* six digits, then trim zeros */
			buf[n + (size_t)d] = (char)('0' + frac % 10);
		n += 6;
		while (buf[n - 1] == '0')
			n--;
	}
	buf[n] = '\0';
	return n;
}

/* The input row as it will start each output row: as read, or with the
 * basis column replaced by the difference being split (delta_col). */
static void put_input(struct run *run, struct tsv_writer *w)
{
	if (run->delta_col >= 0) {
		w->in_row = false;
		for (size_t i = 0; i < run->in.ncols; i++)
			if ((int)i == run->delta_col)
				tsv_put(w, run->delta_text, run->delta_len);
			else
				tsv_put(w, run->in.fields[i].s, run->in.fields[i].len);
		return;
	}
	if (run->in.clean) {
		out_write(run->out, run->in.raw, run->in.raw_len);
		return;
	}
	w->in_row = false;
	tsv_put_row(w, &run->in);
}

/* How one part was reached (--waterfall): what reached its tier, what the
 * uncapped tiers before took (commission) and the capped ones (recouped),
 * and the agreement's caps after the row, "LINE:CAP:CUR:RECOUPED" each
 * (LINE: the capped tier's first line), joined by ','. */
struct waterfall {
	int64_t reached, commission, recouped;
	char recoupment[SPLIT_MAX_TIERS * (2 * MONEY_BUF + 32)];
};

static void put_part(struct run *run, struct tsv_writer *w, const char *prefix, size_t prefix_len,
		     int64_t amount, int64_t basis, int digits, const struct waterfall *wf)
{
	char buf[4 * MONEY_BUF + 48];
	put_input(run, w);
	out_write(run->out, prefix, prefix_len);
	size_t n = format_share(buf, amount, basis);
	buf[n++] = '\t';
	n += money_format(buf + n, amount, digits);
	if (run->opt.waterfall) {
		buf[n++] = '\t';
		n += money_format(buf + n, wf->reached, digits);
		buf[n++] = '\t';
		n += money_format(buf + n, wf->commission, digits);
		buf[n++] = '\t';
		n += money_format(buf + n, wf->recouped, digits);
		buf[n++] = '\t';
		out_write(run->out, buf, n);
		n = 0;
		out_write(run->out, wf->recoupment, strlen(wf->recoupment));
	}
	buf[n++] = '\n';
	out_write(run->out, buf, n);
}

/* The agreement's caps after the row just split by a (run->steps set),
 * once per row: every part of the row carries the same. */
static void waterfall_caps(const struct run *run, const struct split_agreement *a, struct waterfall *wf)
{
	size_t used = 0;
	wf->recoupment[0] = '\0';
	for (size_t u = 0; u < a->ntiers; u++) {
		const struct split_tier *tier = &a->tiers[u];
		if (!tier->capped)
			continue;
		int cd = currency_digits(tier->cap_currency, 3);
		char cap[MONEY_BUF], got[MONEY_BUF];
		money_format(cap, tier->cap, cd);
		money_format(got, run->steps[u].cap_after, cd);
		used += (size_t)snprintf(wf->recoupment + used, sizeof wf->recoupment - used, "%s%ld:%s:%s:%s",
					 used ? "," : "", tier->line, cap, tier->cap_currency, got);
	}
}

/* The waterfall of part k of the row just split by a (run->steps set). */
static void waterfall_of(const struct run *run, const struct split_agreement *a, size_t k, struct waterfall *wf)
{
	size_t t = (size_t)(run->parts[k].tier - a->tiers);
	wf->reached = run->steps[t].flow;
	wf->commission = wf->recouped = 0;
	for (size_t u = 0; u < t; u++)
		*(a->tiers[u].capped ? &wf->recouped : &wf->commission) += run->steps[u].take;
}

static const char *on_name(enum split_on on)
{
	switch (on) {
	case SPLIT_ON_ALL: return "everything";
	case SPLIT_ON_KIND: return "kind";
	case SPLIT_ON_SOURCE: return "source";
	case SPLIT_ON_PRODUCT: return "product";
	default: return "sku";
	}
}

static void explain_row_head(struct run *run, int64_t basis, bool gross, int digits, int64_t when,
			     const char *why)
{
	struct out *o = &run->explain;
	char amount[MONEY_BUF], day[DATE_BUF];
	money_format(amount, basis, digits);
	date_format_day(day, when);
	out_printf(o, "%s:%ld: %s %s order %s line %s, product \"%s\": %s %s %s; agreement date %s (%s)\n",
		   run->in.file, run->in.line, field(run, run->col.kind), field(run, run->col.source),
		   field(run, run->col.order), field(run, run->col.line), field(run, run->col.product),
		   gross ? "gross" : "net", amount, run->currency, day, why);
}

static void explain_agreement(struct run *run, const struct split_agreement *a,
			      const struct split_row *row)
{
	struct out *o = &run->explain;
	out_printf(o, "  agreement line %ld: match \"%s\" (%s, %s, %zu literal characters), %s to %s\n",
		   a->line, a->match, on_name(a->on), a->exact ? "exact" : "glob", a->literals,
		   a->from_text[0] ? a->from_text : "open", a->to_text[0] ? a->to_text : "open");
	const struct split_agreement *const *list;
	size_t n;
	if (split_matches(&run->rules, row, &list, &n) != SPLIT_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		if (list[i] == a)
			continue;
		bool dated = row->when >= list[i]->from && row->when < list[i]->until;
		out_printf(o, "    not line %ld \"%s\": %s\n", list[i]->line, list[i]->match,
			   dated ? "less specific" : "not in force on that date");
	}
}

/* r as a percentage: "15%", "33.333333%". */
static const char *percent(char *buf, size_t cap, struct ratio r)
{
	__extension__ __int128 num = (__int128)r.num * 100;
	if (num > INT64_MAX)
		return ratio_format(buf, cap, r), buf;
	size_t n = ratio_format(buf, cap - 1, (struct ratio){(int64_t)num, r.den});
	buf[n] = '%';
	buf[n + 1] = '\0';
	return buf;
}

static void explain_tiers(struct run *run, const struct split_agreement *a, size_t nparts, int digits)
{
	struct out *o = &run->explain;
	char x[MONEY_BUF], y[MONEY_BUF], pct[64];
	for (size_t t = 0; t < a->ntiers; t++) {
		const struct split_tier *tier = &a->tiers[t];
		const struct split_step *s = &run->steps[t];
		money_format(x, s->flow, digits);
		money_format(y, s->take, digits);
		percent(pct, sizeof pct, tier->total);
		out_printf(o, "  tier %ld: %s reaches it; it takes %s of it", tier->number, x,
			   tier->weighted ? "all" : pct);
		if (tier->capped) {
			int cd = currency_digits(tier->cap_currency, 3);
			char cap[MONEY_BUF], before[MONEY_BUF], after[MONEY_BUF];
			money_format(cap, tier->cap, cd);
			money_format(before, s->cap_before, cd);
			money_format(after, s->cap_after, cd);
			money_format(x, s->want, digits);
			out_printf(o, " = %s, cap %s %s recouped %s -> %s", x, cap, tier->cap_currency, before,
				   after);
		}
		out_printf(o, ": %s", y);
		for (size_t k = 0; k < nparts; k++)
			if (run->parts[k].tier == tier) {
				money_format(x, run->parts[k].amount, digits);
				out_printf(o, "; %s %s", run->parts[k].payee->name, x);
			}
		money_format(x, s->flow - s->take, digits);
		out_printf(o, "; %s flows on\n", x);
	}
}

/* Split the current row with the default payee. */
static void split_default(struct run *run, struct tsv_writer *w, int64_t when, const char *why,
			  int digits, const char *reason, int64_t basis)
{
	static char *prefix;
	static size_t prefix_len;
	if (!prefix) {
		size_t cap = strlen(run->opt.default_payee) * 2 + 32;
		prefix = xmalloc(cap);
		char *p = prefix;
		*p++ = '\t';
		for (const char *s = run->opt.default_payee; *s; s++) { /* escaped as tsv.h does */
			const char *esc = *s == '\t' ? "\\t" : *s == '\n' ? "\\n" : *s == '\r' ? "\\r" : *s == '\\' ? "\\\\" : NULL;
			if (esc) {
				memcpy(p, esc, 2);
				p += 2;
			} else {
				*p++ = *s;
			}
		}
		memcpy(p, "\t1\tdefault\t", 11);
		prefix_len = (size_t)(p - prefix) + 11;
	}
	struct waterfall wf = {basis, 0, 0, ""};
	if (basis != 0)
		put_part(run, w, prefix, prefix_len, basis, basis, digits, &wf);
	if (run->explaining) {
		char amount[MONEY_BUF];
		money_format(amount, basis, digits);
		explain_row_head(run, basis, false, digits, when, why);
		out_printf(&run->explain, "  %s: the default payee %s takes all: %s\n", reason,
			   run->opt.default_payee, amount);
	}
}

static void die_internal(struct run *run, int64_t basis)
{
	char amount[MONEY_BUF];
	money_format(amount, basis, 6);
	diag_die_at(EXIT_DATA, run->in.file, run->in.line,
		    "internal error: the parts do not sum to the basis %s; nothing was written for this row; please report",
		    amount);
}

/* Describe the agreements that match the row, for messages. */
static void agreement_lines(struct run *run, const struct split_row *row, char *buf, size_t cap)
{
	const struct split_agreement *const *list;
	size_t n, used = 0;
	buf[0] = '\0';
	if (split_matches(&run->rules, row, &list, &n) != SPLIT_OK)
		return;
	for (size_t i = 0; i < n && used < cap; i++)
		used += (size_t)snprintf(buf + used, cap - used, "%s%ld", i ? ", " : "", list[i]->line);
}

/* The state's class for rows split by a (NULL: the default payee) with the
 * current row's product, sku and currency. */
static uint32_t class_for(struct run *run, const struct split_agreement *a)
{
	uint32_t id = split_state_class(&run->state, a ? a->key : "", a ? a->terms : 0, field(run, run->col.product),
					field(run, run->col.sku), run->currency);
	if (!id)
		diag_die(EXIT_DATA, "out of memory");
	return id;
}

/* Remember the row as split (with --state): by its plan, agreement a and
 * the basis split. */
static void record(struct run *run, const struct plan *p, const struct split_agreement *a, int64_t basis)
{
	run->rows_split++;
	if (!run->opt.state)
		return;
	uint32_t cls = p->by_state ? p->cls : class_for(run, a);
	int64_t day0 = p->when - ((p->when % SECONDS_PER_DAY) + SECONDS_PER_DAY) % SECONDS_PER_DAY;
	if (!split_state_put(&run->state, p->key, day0, cls, basis))
		diag_die(EXIT_DATA, "out of memory");
}

/* Split basis by agreement a and write the parts; false when rejected. */
static bool split_by(struct run *run, struct tsv_writer *w, const struct split_agreement *a,
		     const struct split_row *row, int64_t basis, int digits, const char *why)
{
	const struct columns *c = &run->col;
	char q[96], day[DATE_BUF];
	size_t nparts;
	int st = split_apply(&run->rules, a, basis, run->currency, row->when, run->have_fx ? &run->fx : NULL,
			     run->parts, &nparts, run->explaining || run->opt.waterfall ? run->steps : NULL);
	if (st == SPLIT_EINTERNAL)
		die_internal(run, basis);
	if (st == SPLIT_ENOMEM)
		diag_die(EXIT_DATA, "out of memory");
	if (st != SPLIT_OK) {
		/* Only caps fail here: find the first capped tier in another currency. */
		const struct split_tier *tier = NULL;
		for (size_t t = 0; t < a->ntiers && !tier; t++)
			if (a->tiers[t].capped && strcmp(a->tiers[t].cap_currency, run->currency) != 0)
				tier = &a->tiers[t];
		date_format_day(day, row->when);
		if (st == SPLIT_ENOFX && tier)
			reject(run, "column \"currency\": %s reaches the capped tier %ld of %s line %ld (cap in %s); --fx RATES converts it",
			       quote_field(run, c->currency, q, sizeof q), tier->number, run->opt.agreements,
			       tier->line, tier->cap_currency);
		else if (st == SPLIT_ENORATE && tier)
			reject(run, "column \"currency\": %s: %s has no rate into %s on or before %s",
			       quote_field(run, c->currency, q, sizeof q), run->opt.fx, tier->cap_currency, day);
		else
			reject(run, "column \"%s\": %s is too large to split", a->gross ? "gross" : "net",
			       quote_field(run, a->gross ? c->gross : c->net, q, sizeof q));
		return false;
	}
	struct waterfall wf;
	if (run->opt.waterfall)
		waterfall_caps(run, a, &wf);
	for (size_t k = 0; k < nparts; k++) {
		if (run->opt.waterfall)
			waterfall_of(run, a, k, &wf);
		put_part(run, w, run->parts[k].payee->out_prefix, run->parts[k].payee->out_prefix_len,
			 run->parts[k].amount, basis, digits, &wf);
	}
	if (run->explaining) {
		explain_row_head(run, basis, a->gross, digits, row->when, why);
		explain_agreement(run, a, row);
		explain_tiers(run, a, nparts, digits);
	}
	return true;
}

/* A row the state has split before: passed over when unchanged, else the
 * difference is split by the agreement that split it, on its day. */
static void split_seen(struct run *run, struct tsv_writer *w, struct plan *p, int digits)
{
	struct split_state_seen *e = p->prev;
	uint32_t id = e->cls & ~SPLIT_STATE_THIS_RUN;
	const struct split_state_class *cls = split_state_class_of(&run->state, id);
	char q[96], was[MONEY_BUF];
	if (!cls) { /* a state 1 record: seen, amount unknown */
		e->cls |= SPLIT_STATE_THIS_RUN;
		run->rows_seen++;
		return;
	}
	if (strcmp(cls->currency, run->currency) != 0) {
		reject(run, "column \"currency\": %s, but the row was split in %s before (state %s)",
		       quote_field(run, run->col.currency, q, sizeof q), cls->currency, run->opt.state);
		return;
	}
	const struct split_agreement *a;
	if (!agreement_of_class(run, id, cls, &a)) {
		reject_lost_agreement(run, id, cls, "the row");
		return;
	}
	int64_t basis, delta;
	if (!parse_basis(run, a && a->gross, &basis))
		return;
	if (basis == e->basis) {
		e->cls |= SPLIT_STATE_THIS_RUN;
		run->rows_seen++;
		return;
	}
	if (__builtin_sub_overflow(basis, e->basis, &delta)) {
		reject(run, "column \"%s\": %s is too large to split", a && a->gross ? "gross" : "net",
		       quote_field(run, a && a->gross ? run->col.gross : run->col.net, q, sizeof q));
		return;
	}
	p->a = a;
	p->by_state = true;
	p->cls = id;
	p->when = (int64_t)e->day * SECONDS_PER_DAY;
	p->why = WHY_CHANGED;
	/* the output row says what was split: the difference, in the basis column */
	run->delta_col = a && a->gross ? run->col.gross : run->col.net;
	run->delta_len = money_format(run->delta_text, delta, digits);
	struct split_row row = {field(run, run->col.source), field(run, run->col.product),
				field(run, run->col.sku), field(run, run->col.kind), p->when};
	bool ok;
	if (a) {
		ok = split_by(run, w, a, &row, delta, digits, p->why);
	} else {
		split_default(run, w, p->when, p->why, digits, "the default payee split it before", delta);
		ok = true;
	}
	run->delta_col = -1;
	if (!ok)
		return;
	money_format(was, e->basis, digits);
	if (run->explaining)
		out_printf(&run->explain, "  changed since it was split (as %s): the difference is split\n", was);
	record(run, p, a, basis);
	run->rows_changed++;
}

/* Rows of product that no agreement matches: counted and totalled, to be
 * listed together at the end. */
static void note_unmatched(struct run *run, const struct split_row *row)
{
	struct unmatched *u = NULL;
	for (size_t i = 0; i < run->nunmatched && !u; i++)
		if (strcmp(run->unmatched[i].product, row->product) == 0)
			u = &run->unmatched[i];
	if (!u) {
		run->unmatched = xrealloc(run->unmatched, (run->nunmatched + 1) * sizeof *run->unmatched);
		u = &run->unmatched[run->nunmatched++];
		*u = (struct unmatched){xstrdup(row->product), xstrdup(row->source), xstrdup(row->sku),
					xstrdup(row->kind), xstrdup(run->in.file), run->in.line, {0}, 0, 0, false};
		memcpy(u->currency, run->currency, 4);
	}
	u->rows++;
	int64_t net;
	if (strcmp(u->currency, run->currency) != 0 ||
	    money_parse(field(run, run->col.net), field_len(run, run->col.net), &net) != MONEY_OK ||
	    __builtin_add_overflow(u->total, net, &u->total))
		u->mixed = true;
}

/* Without --rejects, rows no agreement matches fail the run, all listed. */
static void die_unmatched(struct run *run)
{
	if (run->nunmatched == 0 || run->opt.rejects)
		return;
	for (size_t i = 0; i < run->nunmatched; i++) {
		const struct unmatched *u = &run->unmatched[i];
		char q[96], total[MONEY_BUF];
		money_format(total, u->total, currency_digits(u->currency, 3));
		diag_warn_at(u->file, u->line,
			     "column \"product\": %s matches no agreement (source \"%s\", sku \"%s\", kind \"%s\"): "
			     "%ld row%s, %s %s%s",
			     diag_quote(q, sizeof q, u->product, strlen(u->product)), u->source, u->sku, u->kind,
			     u->rows, u->rows == 1 ? "" : "s", total, u->currency, u->mixed ? " and more in other currencies" : "");
	}
	out_abort(run->out);
	diag_die(EXIT_DATA, "%zu product%s match%s no agreement in %s: nothing written; --default-payee takes such rows",
		 run->nunmatched, run->nunmatched == 1 ? "" : "s", run->nunmatched == 1 ? "es" : "", run->opt.agreements);
}

/* Whether a matches every row by a pattern of wildcards only. */
static bool catch_all(const struct split_agreement *a)
{
	return a->on == SPLIT_ON_ALL || a->literals == 0;
}

/* Note whether the current row comes from the same export record as the
 * row before it (equal, non-empty origin: a refund a format emits from its
 * sale's row), for row_identity. */
static void note_record(struct run *run)
{
	uint64_t h = 0;
	if (run->col.origin >= 0 && field_len(run, run->col.origin) > 0)
		h = hash_fnv1a(HASH_FNV_OFFSET, field(run, run->col.origin), field_len(run, run->col.origin)) | 1;
	run->same_record = h != 0 && h == run->prev_origin;
	run->prev_origin = h;
}

static void process_row(struct run *run, struct tsv_writer *w)
{
	const struct columns *c = &run->col;
	const char *kind = field(run, c->kind);
	note_record(run);
	if (!wanted_kind(run, kind) && !kinds_known(kind)) {
		/* not passed over with a count: it may be money nobody meant to skip */
		char q[96];
		reject(run, "column \"kind\": %s is not a kind of the sales stream "
		       "(sale, refund, chargeback, subscription, tip, fee, payout, adjustment; "
		       "or name it in --kinds)", quote_field(run, c->kind, q, sizeof q));
		return;
	}
	if (!wanted_kind(run, kind)) {
		if (kinds_tally_add(&run->passed, kind) < 0)
			diag_die(EXIT_DATA, "out of memory");
		return;
	}
	int digits = row_digits(run);
	int64_t own;
	struct plan p;
	if (digits < 0 || !parse_time(run, c->date, "date", &own) || !plan_row(run, kind, own, &p))
		return;
	if (p.prev) {
		split_seen(run, w, &p, digits);
		return;
	}
	struct split_row row = {field(run, c->source), field(run, c->product), field(run, c->sku), kind, p.when};
	const struct split_agreement *a = p.a, *other = NULL;
	int64_t basis;
	char q[96], lines[256], day[DATE_BUF];
	int st = p.by_state ? (a ? SPLIT_OK : SPLIT_ENOMATCH) : split_find(&run->rules, &row, &a, &other);
	if (st == SPLIT_ENOMEM)
		diag_die(EXIT_DATA, "out of memory");
	if ((st == SPLIT_ENOMATCH || st == SPLIT_EDATE) && run->opt.default_payee) {
		if (!parse_basis(run, false, &basis))
			return;
		split_default(run, w, p.when, p.why, digits,
			      p.by_state ? "the default payee took its sale"
			      : st == SPLIT_ENOMATCH ? "no agreement matches" : "no agreement in force on that date",
			      basis);
		record(run, &p, NULL, basis);
		return;
	}
	if (st == SPLIT_ENOMATCH) {
		note_unmatched(run, &row);
		if (run->opt.rejects)
			reject(run, "column \"product\": %s matches no agreement (source \"%s\", sku \"%s\", kind \"%s\"); --default-payee takes such rows",
			       quote_field(run, c->product, q, sizeof q), row.source, row.sku, kind);
		return;
	}
	if (st == SPLIT_EDATE) {
		date_format_day(day, p.when);
		agreement_lines(run, &row, lines, sizeof lines);
		int date_col = when_col(run, p.why);
		char qd[96];
		if (date_col >= 0)
			reject(run, "column \"%s\": %s is outside every agreement for product %s (%s lines %s)",
			       date_col == c->date ? "date" : "sale_date", quote_field(run, date_col, qd, sizeof qd),
			       quote_field(run, c->product, q, sizeof q), run->opt.agreements, lines);
		else
			reject(run, "the sale's date %s (from the state) is outside every agreement for product %s (%s lines %s)",
			       day, quote_field(run, c->product, q, sizeof q), run->opt.agreements, lines);
		return;
	}
	if (st == SPLIT_EAMBIGUOUS) {
		reject(run, "%s lines %ld (\"%s\") and %ld (\"%s\") match equally specifically; make one more specific",
		       run->opt.agreements, a->line, a->match, other->line, other->match);
		return;
	}
	if (p.reversal && !p.linked && catch_all(a) && run->has_specific) {
		/* its sale may have been split by another agreement: never guess */
		reject(run, "%s of (%s, %s, %s): its sale is not in the state%s and it has no sale_date, and its product %s "
		       "reaches only the catch-all agreement \"%s\" (%s line %ld); split it with its sale, or give it its sale's product",
		       kind, row.source, field(run, c->order), field(run, c->line),
		       run->opt.state ? "" : " (no --state)", quote_field(run, c->product, q, sizeof q), a->match,
		       run->opt.agreements, a->line);
		return;
	}
	if (!parse_basis(run, a->gross, &basis) || !split_by(run, w, a, &row, basis, digits, p.why))
		return;
	record(run, &p, a, basis);
}

static void write_header(struct run *run, struct tsv_writer *w)
{
	tsv_put_header(w, &run->in);
	for (size_t i = 0; i < sizeof added_columns / sizeof *added_columns; i++)
		tsv_put_str(w, added_columns[i]);
	for (size_t i = 0; run->opt.waterfall && i < sizeof waterfall_columns / sizeof *waterfall_columns; i++)
		tsv_put_str(w, waterfall_columns[i]);
	tsv_end_row(w);
}

/* The digest of the file at path (as split_state_digest, 64 KiB at a
 * step): 0 and *d, 1 when it does not exist; dies when it cannot be read. */
static int file_digest(const char *path, uint64_t *d)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 1;
	if (fd < 0)
		diag_die(EXIT_DATA, "%s: %s", path, strerror(errno));
	static char buf[65536];
	uint64_t h = HASH_FNV_OFFSET;
	for (;;) {
		/* full blocks, so the digest does not depend on read sizes */
		size_t n = read_full(fd, buf, sizeof buf, path, EXIT_DATA);
		if (n == 0)
			break;
		h = split_state_digest(h, buf, n);
		if (n < sizeof buf)
			break;
	}
	close(fd);
	*d = h ? h : 1;
	return 0;
}

/* Commit the allocations: flush stdout, or rename the -o file into place;
 * then the state, with this run's record. */
static void commit_output(struct run *run)
{
	uint64_t digest = 0;
	if (!run->opt.output) {
		out_flush(run->out);
	} else {
		if (out_close(run->out) < 0)
			diag_die(EXIT_DATA, "%s: write error: %s", run->opt.output, strerror(errno));
		if (run->opt.state && file_digest(run->opt.output, &digest) != 0)
			diag_die(EXIT_DATA, "%s: gone after it was written", run->opt.output);
	}
	if (run->opt.state && split_state_add_run(&run->state, run->input_digest, digest) < 0)
		diag_die(EXIT_DATA, "out of memory");
	/* The allocations are committed before the state says they were split. */
	save_state(run);
}

/* A re-run that brings nothing new (every row split already, unchanged)
 * changes nothing: the state is left as it was, and so is the -o file
 * when a run of this state wrote it — of this same input, or of one that
 * differs only where no money is (a re-downloaded export whose tax or
 * buyer's address was corrected): its rows are split once either way. */
static void commit_nothing_new(struct run *run)
{
	uint64_t digest;
	if (!run->opt.output) {
		out_flush(run->out);
		return;
	}
	int st = file_digest(run->opt.output, &digest);
	if (st == 0 && split_state_ran(&run->state, run->input_digest, digest)) {
		out_abort(run->out);
		diag_warn("%s is left as it was: the run that split this input wrote it", run->opt.output);
		return;
	}
	if (st == 0 && split_state_wrote(&run->state, digest)) {
		out_abort(run->out);
		diag_warn("%s is left as it was: an earlier run of this state wrote it, and every row of this input "
			  "was split already with the same amounts", run->opt.output);
		return;
	}
	if (st == 0) {
		out_abort(run->out);
		diag_die(EXIT_DATA, "every row was split already (state %s), but %s is not the file the run that split them wrote: "
			 "it and the state are left as they were; --force splits the rows again and pays them twice",
			 run->opt.state, run->opt.output);
	}
	if (out_close(run->out) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", run->opt.output, strerror(errno));
	diag_warn("%s has the header only: every row was split by an earlier run", run->opt.output);
}

static void report_seen(const struct run *run)
{
	if (run->rows_seen > 0)
		diag_warn("passed over %ld row%s split already (state %s)", run->rows_seen,
			  run->rows_seen == 1 ? "" : "s", run->opt.state);
	if (run->rows_changed > 0)
		diag_warn("%ld row%s changed since %s split: the difference%s split", run->rows_changed,
			  run->rows_changed == 1 ? "" : "s", run->rows_changed == 1 ? "it was" : "they were",
			  run->rows_changed == 1 ? " was" : "s were");
}

/* Whether an agreement does not match everything. */
static bool any_specific(const struct split_rules *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (!catch_all(&r->agreements[i]))
			return true;
	return false;
}

/* Two of the files named on the command line being one is a usage error. */
static void check_paths(const struct options *o, char *const *inputs, size_t n)
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

/* $TMPDIR, or /tmp: where sorts spill and standard input is spooled. */
static const char *tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	return t && *t ? t : "/tmp";
}

/* Whether the inputs include standard input. */
static bool reads_stdin(char *const *files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(files[i], "-") == 0)
			return true;
	return n == 0;
}

/* With --state the input is read twice (tally-split(1), STATE): standard
 * input, pipes and FIFOs are spooled to unnamed temporary files first;
 * *at[i] is where input i starts. */
static void spool_inputs(char **files, size_t n, off_t *at0)
{
	static char names[64][32];
	if (reads_stdin(files, n) && spool_fd(STDIN_FILENO, tmpdir(), at0) < 0)
		diag_die(EXIT_DATA, "<stdin>: cannot spool it to %s: %s", tmpdir(), strerror(errno));
	for (size_t i = 0; i < n; i++) {
		if (strcmp(files[i], "-") == 0 || spool_is_regular(files[i]))
			continue;
		int fd = open(files[i], O_RDONLY | O_CLOEXEC), target;
		off_t at;
		if (fd < 0)
			continue; /* the open reports it */
		if (spool_fd(fd, tmpdir(), &at) < 0)
			diag_die(EXIT_DATA, "%s: cannot spool it to %s: %s", files[i], tmpdir(), strerror(errno));
		if (sscanf(files[i], "/dev/fd/%d", &target) == 1 && target != fd && dup2(fd, target) >= 0) {
			close(fd); /* /dev/fd/N (a shell's <(...)) is now the copy */
		} else if (i < 64) {
			snprintf(names[i], sizeof names[i], "/dev/fd/%d", fd);
			files[i] = names[i];
		}
	}
}

#define ROW_KEYS 6 /* its own, and a reversal's: of state 1, of its sale by each revenue kind */

/* The identities the current row asks the state for: its own (n = 1);
 * for a refund or chargeback also its key without the date (state 1) and
 * its sale's, one for each revenue kind.  Returns how many. */
static size_t row_keys(const struct run *run, uint64_t *keys)
{
	const struct columns *c = &run->col;
	const char *src = field(run, c->source), *order = field(run, c->order), *line = field(run, c->line);
	const char *kind = field(run, c->kind);
	bool rev = is_reversal(kind);
	size_t k = 0;
	keys[k++] = split_state_key(src, order, line, kind, rev ? field(run, c->date) : NULL, 1);
	for (size_t i = 0; rev && i <= sizeof revenue_kinds / sizeof *revenue_kinds; i++)
		keys[k++] = split_state_key(src, order, line, i ? revenue_kinds[i - 1] : kind, NULL, 1);
	return k;
}

/* Pass 1: every row's keys asked of the state, then answered by one pass
 * over its segments; the input is opened again for pass 2. */
static void prescan(struct run *run, char **files, size_t n, off_t at0)
{
	uint64_t row = 0;
	int rc;
	while ((rc = tsv_next(&run->in)) != 0) {
		row++;
		if (rc < 0 && errno)
			diag_die(EXIT_DATA, "%s: %s", run->in.file, strerror(errno));
		if (rc < 0)
			continue;
		uint64_t keys[ROW_KEYS];
		int st = 0;
		for (size_t i = 0, k = row_keys(run, keys); st == 0 && i < k; i++)
			st = split_state_want(&run->state, tmpdir(), row, keys[i]);
		if (st < 0)
			diag_die(EXIT_DATA, "%s: sorting the run's keys in %s: %s", run->opt.state, tmpdir(), strerror(errno));
	}
	tsv_close(&run->in);
	if (reads_stdin(files, n) && lseek(STDIN_FILENO, at0, SEEK_SET) < 0)
		diag_die(EXIT_DATA, "<stdin>: %s", strerror(errno));
	cli_tsv_open(&run->in, files, n);
	char err[512];
	int st = split_state_prepare(&run->state, tmpdir(), err, sizeof err);
	if (st == -1)
		diag_die(EXIT_DATA, "%s: %s", run->opt.state, strerror(errno));
	if (st < 0)
		diag_die(EXIT_DATA, "%s: %s", run->opt.state, err);
}

/* --state-dump: the state as text, to -o FILE or standard output; the
 * state is left as it was. */
static void dump_state(const struct options *opt)
{
	struct lock lock = {-1, NULL};
	struct split_state st;
	struct out file, *o = out_stdout();
	char err[512];
	long line;
	if (access(opt->dump, F_OK) < 0)
		diag_die(EXIT_USAGE, "%s: %s", opt->dump, strerror(errno));
	if (lock_acquire(&lock, opt->dump, say_waiting, (void *)opt->dump) < 0)
		diag_die(EXIT_USAGE, "%s: %s", lock.path ? lock.path : opt->dump, strerror(errno));
	int rc = split_state_open(&st, opt->dump, &line, err, sizeof err);
	if (rc == -1)
		diag_die(EXIT_USAGE, "%s: %s", opt->dump, strerror(errno));
	if (rc < 0)
		diag_die_at(EXIT_DATA, opt->dump, line, "%s", err);
	if (opt->output && out_open_file(&file, opt->output) < 0)
		diag_die(EXIT_USAGE, "%s: %s", opt->output, strerror(errno));
	if (opt->output)
		o = &file;
	rc = split_state_dump(&st, o, err, sizeof err);
	if (rc != 0) {
		if (opt->output)
			out_abort(o);
		diag_die(EXIT_DATA, "%s: %s", opt->dump, rc == -2 ? err : strerror(errno));
	}
	if (opt->output && out_close(o) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", opt->output, strerror(errno));
	split_state_free(&st);
	lock_release(&lock);
	out_stdout_close_or_die();
	exit(EXIT_OK);
}

int main(int argc, char **argv)
{
	static struct run run;
	struct lock lock = {-1, NULL};
	diag_init(argv[0]);
	run.delta_col = -1;
	int first = parse_options(argc, argv, &run.opt);
	if (run.opt.dump)
		dump_state(&run.opt);
	check_paths(&run.opt, argv + first, (size_t)(argc - first));
	load_agreements(&run);
	run.has_specific = any_specific(&run.rules);
	load_fx(&run);

	off_t at0 = 0;
	if (run.opt.state) { /* the lock first: a run waiting for its input holds it */
		if (lock_acquire(&lock, run.opt.state, say_waiting, (void *)run.opt.state) < 0)
			diag_die(EXIT_USAGE, "%s: %s", lock.path ? lock.path : run.opt.state, strerror(errno));
		spool_inputs(argv + first, (size_t)(argc - first), &at0);
	}
	cli_tsv_open(&run.in, argv + first, (size_t)(argc - first));
	find_columns(&run);
	load_state(&run, &lock);
	if (run.opt.state)
		prescan(&run, argv + first, (size_t)(argc - first), at0);
	reject_open(&run.rejects, run.opt.rejects);
	if (run.opt.explain) {
		if (out_open_file(&run.explain, run.opt.explain) < 0)
			diag_die(EXIT_USAGE, "%s: %s", run.opt.explain, strerror(errno));
		run.explaining = true;
	}
	if (run.opt.output) {
		if (out_open_file(&run.output_file, run.opt.output) < 0)
			diag_die(EXIT_USAGE, "%s: %s", run.opt.output, strerror(errno));
		run.out = &run.output_file;
	} else {
		run.out = out_stdout();
	}
	struct tsv_writer w;
	tsv_writer_init(&w, run.out);
	write_header(&run, &w);

	int rc;
	bool stateful = run.opt.state != NULL;
	run.input_digest = HASH_FNV_OFFSET;
	struct progress progress;
	progress_start(&progress, diag_prog, stderr, run.opt.progress, argv + first,
		       (size_t)(argc - first));
	uint64_t row = 0;
	while ((rc = tsv_next(&run.in)) != 0) {
		progress_tick(&progress, run.in.bytes_read);
		if (stateful && split_state_at_row(&run.state, ++row) < 0)
			diag_die(EXIT_DATA, "%s: %s", run.opt.state, strerror(errno));
		if (stateful && rc > 0) {
			uint64_t keys[ROW_KEYS];
			for (size_t i = 0, k = row_keys(&run, keys); i < k; i++)
				split_state_asked(&run.state, keys[i]);
		}
		if (stateful)
			run.input_digest = split_state_digest(run.input_digest, run.in.raw, run.in.raw_len);
		if (rc < 0) {
			if (errno)
				diag_die(EXIT_DATA, "%s: %s", run.in.file, strerror(errno));
			reject(&run, "%s", run.in.err);
			continue;
		}
		process_row(&run, &w);
		if (stateful && split_state_failed(&run.state))
			diag_die(EXIT_DATA, "%s: %s", run.opt.state, run.state.failed);
	}

	progress_end(&progress);
	die_unmatched(&run); /* before anything is committed */
	if (run.explaining && out_close(&run.explain) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", run.opt.explain, strerror(errno));
	reject_close(&run.rejects);
	if (stateful && run.rows_split == 0 && run.rows_seen > 0)
		commit_nothing_new(&run);
	else
		commit_output(&run);
	lock_release(&lock);
	report_seen(&run);
	report_passed(&run.passed);
	out_stdout_close_or_die();
	tsv_close(&run.in);
	split_state_free(&run.state);
	split_rules_free(&run.rules);
	fx_free(&run.fx);
	for (size_t i = 0; i < run.nunmatched; i++) {
		struct unmatched *u = &run.unmatched[i];
		free(u->product);
		free(u->source);
		free(u->sku);
		free(u->kind);
		free(u->file);
	}
	free(run.unmatched);
	free(run.cls_cache);
	free(run.cls_found);
	free(run.parts);
	return EXIT_OK;
}
