/* tally-split - sales -> per-payee allocations, by written split agreements.
 *
 * Reads a sales stream (tally-ingest's canonical columns, or any stream
 * with the needed ones), chooses for each row the agreement that covers
 * it, runs the row's basis through the agreement's waterfall of tiers and
 * writes one row per payee who receives something: the input columns plus
 * payee, tier, agreement, share and amount.  The semantics are in
 * tally-split(1); the engine is lib/split_rules.c, the state file
 * lib/split_state.c. */
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
#include "diag.h"
#include "fx.h"
#include "kinds.h"
#include "lock.h"
#include "money.h"
#include "out.h"
#include "paths.h"
#include "reject.h"
#include "split_rules.h"
#include "split_state.h"
#include "tsv.h"

#define MAX_KINDS 32          /* kinds in --kinds */
#define SECONDS_PER_DAY 86400

/* Kinds whose rows a refund of the same order reverses. */
static const char *const revenue_kinds[] = {"sale", "subscription", "tip", "adjustment"};
/* Columns tally-split adds; the input must not have them already. */
static const char *const added_columns[] = {"payee", "tier", "agreement", "share", "amount"};

struct options {
	const char *agreements;    /* -a */
	const char *default_payee; /* -d */
	const char *explain;       /* -e */
	bool force;                /* -f */
	const char *kinds[MAX_KINDS]; /* -k, or default_kinds */
	size_t nkinds;
	const char *output;        /* -o: written atomically, else stdout */
	const char *rejects;       /* -r */
	const char *state;         /* -s */
	const char *fx;            /* -x */
};

/* Column indexes in the input; -1 when absent (optional ones). */
struct columns {
	int date, kind, currency, net, gross;
	int source, order, line, product, sku, sale_date;
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
	long repeats;              /* rows refused as split already (--rejects) */
};

static void usage(FILE *f, int status)
{
	fprintf(f, "usage: tally-split -a AGREEMENTS [-f] [-d PAYEE] [-e FILE] [-k KINDS] [-o FILE]\n"
		   "                   [-r FILE] [-s STATE] [-x RATES] [FILE...]\n"
		   "       tally-split --help | --version\n");
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
	static const struct option longopts[] = {
		{"agreements", required_argument, NULL, 'a'},
		{"default-payee", required_argument, NULL, 'd'},
		{"explain", required_argument, NULL, 'e'},
		{"force", no_argument, NULL, 'f'},
		{"fx", required_argument, NULL, 'x'},
		{"help", no_argument, NULL, 'h'},
		{"kinds", required_argument, NULL, 'k'},
		{"output", required_argument, NULL, 'o'},
		{"rejects", required_argument, NULL, 'r'},
		{"state", required_argument, NULL, 's'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	memset(opt, 0, sizeof *opt);
	static char default_kinds[] = KINDS_DEFAULT;
	parse_kinds(opt, default_kinds);
	int c;
	char seen[UCHAR_MAX + 1] = {0};
	while ((c = getopt_long(argc, argv, "a:d:e:fhk:o:r:s:Vx:", longopts, NULL)) != -1) {
		if (strchr("adekorsx", c) && c && seen[c]++) {
			/* a second value would silently replace the first */
			const char *name = NULL;
			for (const struct option *o = longopts; o->name; o++)
				if (o->val == c)
					name = o->name;
			diag_warn("--%s given more than once", name);
			usage(stderr, EXIT_USAGE);
		}
		switch (c) {
		case 'a': opt->agreements = optarg; break;
		case 'd':
			if (!*optarg)
				diag_die(EXIT_USAGE, "--default-payee: empty name");
			opt->default_payee = optarg;
			break;
		case 'e': opt->explain = optarg; break;
		case 'f': opt->force = true; break;
		case 'h': usage(stdout, EXIT_OK); break;
		case 'k': parse_kinds(opt, optarg); break;
		case 'o': opt->output = optarg; break;
		case 'r': opt->rejects = optarg; break;
		case 's': opt->state = optarg; break;
		case 'V':
			diag_print_version();
			exit(EXIT_OK);
		case 'x': opt->fx = optarg; break;
		default: usage(stderr, EXIT_USAGE);
		}
	}
	if (!opt->agreements) {
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

/* The whole of a small file; dies with exit 2 when it cannot be read. */
static char *read_whole_file(const char *path, size_t *len)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		diag_die(EXIT_USAGE, "%s: %s", path, strerror(errno));
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n == cap)
			buf = xrealloc(buf, cap *= 2);
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			diag_die(EXIT_USAGE, "%s: %s", path, strerror(errno));
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	*len = n;
	return buf;
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
	char *text = read_whole_file(run->opt.agreements, &len);
	long line = 0;
	char err[512];
	int st = split_rules_parse(&run->rules, run->opt.agreements, text, len, &line, err, sizeof err);
	free(text);
	if (st == SPLIT_ENOMEM)
		diag_die(EXIT_DATA, "out of memory");
	if (st != SPLIT_OK)
		diag_die_at(EXIT_DATA, run->opt.agreements, line, "%s", err);
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
		diag_die_at(EXIT_DATA, e.file, e.line, "%s", e.msg);
	run->have_fx = true;
}

static void find_columns(struct run *run)
{
	struct tsv_reader *r = &run->in;
	struct columns *c = &run->col;
	for (size_t i = 0; i < sizeof added_columns / sizeof *added_columns; i++)
		if (tsv_col(r, added_columns[i]) >= 0)
			diag_die(EXIT_USAGE, "%s: the input already has a column \"%s\" (is it split already?)",
				 r->file, added_columns[i]);
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
}

static void say_waiting(const char *lock_path, void *ctx)
{
	diag_warn("waiting for %s: another run is using %s", lock_path, (const char *)ctx);
}

static void load_state(struct run *run, struct lock *lock)
{
	if (!run->opt.state)
		return;
	if (lock_acquire(lock, run->opt.state, say_waiting, (void *)run->opt.state) < 0)
		diag_die(EXIT_USAGE, "%s: %s", lock->path ? lock->path : run->opt.state, strerror(errno));
	long line = 0;
	char err[512];
	int st = split_state_read(&run->state, run->opt.state, &line, err, sizeof err);
	if (st == -1)
		diag_die(EXIT_USAGE, "%s: %s", run->opt.state, strerror(errno));
	if (st < 0)
		diag_die_at(EXIT_DATA, run->opt.state, line, "%s", err);
	if (split_state_bind(&run->state, &run->rules, err, sizeof err) < 0)
		diag_die(EXIT_DATA, "%s: %s", run->opt.state, err);
}

static void save_state(struct run *run)
{
	if (!run->opt.state)
		return;
	struct out o;
	if (out_open_file(&o, run->opt.state) < 0)
		diag_die(EXIT_DATA, "%s: %s", run->opt.state, strerror(errno));
	split_state_write(&run->state, &run->rules, &o);
	if (out_close(&o) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", run->opt.state, strerror(errno));
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
	if (strcmp(cur, run->currency) == 0)
		return run->digits;
	size_t n = field_len(run, run->col.currency);
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

static bool is_reversal(const char *kind)
{
	return strcmp(kind, "refund") == 0 || strcmp(kind, "chargeback") == 0;
}

/* The date whose agreement applies: the row's own, or for a refund or
 * chargeback the sale's (sale_date, else the order's record in the
 * state).  *why says where it came from, for --explain. */
static bool match_time(struct run *run, int64_t own, int64_t *when, const char **why)
{
	*when = own;
	*why = "its date";
	const char *kind = field(run, run->col.kind);
	if (!is_reversal(kind))
		return true;
	if (field_len(run, run->col.sale_date) > 0) {
		*why = WHY_SALE_DATE;
		return parse_time(run, run->col.sale_date, "sale_date", when);
	}
	if (run->opt.state) {
		for (size_t i = 0; i < sizeof revenue_kinds / sizeof *revenue_kinds; i++) {
			uint64_t h = split_state_key(field(run, run->col.source), field(run, run->col.order),
						     field(run, run->col.line), revenue_kinds[i]);
			if (split_state_lookup(&run->state, h, when)) {
				*why = WHY_STATE;
				return true;
			}
		}
	}
	*why = "its own date (no sale_date, and the order is not in the state)";
	return true;
}

/* The column the agreement date was read from (why: as match_time set
 * it): date, sale_date, or -1 when it came from the state. */
static int when_col(const struct run *run, const char *why)
{
	if (strcmp(why, WHY_STATE) == 0)
		return -1;
	return strcmp(why, WHY_SALE_DATE) == 0 ? run->col.sale_date : run->col.date;
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

/* The input row as it will start each output row. */
static void put_input(struct run *run, struct tsv_writer *w)
{
	if (run->in.clean) {
		out_write(run->out, run->in.raw, run->in.raw_len);
		return;
	}
	w->in_row = false;
	tsv_put_row(w, &run->in);
}

static void put_part(struct run *run, struct tsv_writer *w, const char *prefix, size_t prefix_len,
		     int64_t amount, int64_t basis, int digits)
{
	char buf[MONEY_BUF + 48];
	put_input(run, w);
	out_write(run->out, prefix, prefix_len);
	size_t n = format_share(buf, amount, basis);
	buf[n++] = '\t';
	n += money_format(buf + n, amount, digits);
	buf[n++] = '\n';
	out_write(run->out, buf, n);
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
			  int digits, const char *reason)
{
	int64_t basis;
	if (!parse_basis(run, false, &basis))
		return;
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
	if (basis != 0)
		put_part(run, w, prefix, prefix_len, basis, basis, digits);
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

static void process_row(struct run *run, struct tsv_writer *w)
{
	const struct columns *c = &run->col;
	const char *kind = field(run, c->kind);
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
	int64_t own, when;
	const char *why;
	if (digits < 0 || !parse_time(run, c->date, "date", &own) || !match_time(run, own, &when, &why))
		return;
	uint64_t key = 0;
	if (run->opt.state) {
		key = split_state_key(field(run, c->source), field(run, c->order), field(run, c->line), kind);
		if (!run->opt.force && split_state_lookup(&run->state, key, NULL)) {
			run->repeats++;
			reject(run, "(%s, %s, %s, %s) was split already (state %s); --force splits it again",
			       field(run, c->source), field(run, c->order), field(run, c->line), kind,
			       run->opt.state);
			return;
		}
	}
	struct split_row row = {field(run, c->source), field(run, c->product), field(run, c->sku), kind, when};
	const struct split_agreement *a = NULL, *other = NULL;
	int st = split_find(&run->rules, &row, &a, &other);
	char q[96], lines[256], day[DATE_BUF];
	if (st == SPLIT_ENOMEM)
		diag_die(EXIT_DATA, "out of memory");
	if ((st == SPLIT_ENOMATCH || st == SPLIT_EDATE) && run->opt.default_payee) {
		split_default(run, w, when, why, digits,
			      st == SPLIT_ENOMATCH ? "no agreement matches" : "no agreement in force on that date");
		goto done;
	}
	if (st == SPLIT_ENOMATCH) {
		reject(run, "column \"product\": %s matches no agreement (source \"%s\", sku \"%s\", kind \"%s\"); --default-payee takes such rows",
		       quote_field(run, c->product, q, sizeof q), row.source, row.sku, kind);
		return;
	}
	if (st == SPLIT_EDATE) {
		date_format_day(day, when);
		agreement_lines(run, &row, lines, sizeof lines);
		int date_col = when_col(run, why);
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
	int64_t basis;
	if (!parse_basis(run, a->gross, &basis))
		return;
	size_t nparts;
	st = split_apply(&run->rules, a, basis, run->currency, when, run->have_fx ? &run->fx : NULL,
			 run->parts, &nparts, run->explaining ? run->steps : NULL);
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
		date_format_day(day, when);
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
		return;
	}
	for (size_t k = 0; k < nparts; k++)
		put_part(run, w, run->parts[k].payee->out_prefix, run->parts[k].payee->out_prefix_len,
			 run->parts[k].amount, basis, digits);
	if (run->explaining) {
		explain_row_head(run, basis, a->gross, digits, when, why);
		explain_agreement(run, a, &row);
		explain_tiers(run, a, nparts, digits);
	}
done:
	run->rows_split++;
	if (run->opt.state) {
		int64_t day0 = when - ((when % SECONDS_PER_DAY) + SECONDS_PER_DAY) % SECONDS_PER_DAY;
		if (split_state_add(&run->state, key, day0) < 0)
			diag_die(EXIT_DATA, "out of memory");
	}
}

static void write_header(struct run *run, struct tsv_writer *w)
{
	tsv_put_header(w, &run->in);
	for (size_t i = 0; i < sizeof added_columns / sizeof *added_columns; i++)
		tsv_put_str(w, added_columns[i]);
	tsv_end_row(w);
}

/* Commit the allocations: flush stdout, or rename the -o file into place.
 * A -o file is left as it was when rows were refused as repeats (with
 * --rejects): replacing last run's allocations by the few new rows is what
 * a re-run of the cron job must not do; then the state is left too. */
static void commit_output(struct run *run)
{
	if (!run->opt.output) {
		out_flush(run->out);
		return;
	}
	if (run->repeats > 0) {
		out_abort(run->out);
		diag_die(EXIT_DATA, "%ld row%s split already (state %s): %s and the state are left as they were; --force splits them again",
			 run->repeats, run->repeats == 1 ? " was" : "s were", run->opt.state, run->opt.output);
	}
	if (out_close(run->out) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", run->opt.output, strerror(errno));
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

int main(int argc, char **argv)
{
	static struct run run;
	struct lock lock = {-1, NULL};
	diag_init(argv[0]);
	int first = parse_options(argc, argv, &run.opt);
	check_paths(&run.opt, argv + first, (size_t)(argc - first));
	load_agreements(&run);
	load_fx(&run);

	if (tsv_open(&run.in, argv + first, (size_t)(argc - first)) < 0) {
		if (errno)
			diag_die(EXIT_USAGE, "%s: %s", run.in.file, strerror(errno));
		diag_die_at(EXIT_DATA, run.in.file, 1, "%s", run.in.err);
	}
	find_columns(&run);
	load_state(&run, &lock);
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
	while ((rc = tsv_next(&run.in)) != 0) {
		if (rc < 0) {
			if (errno)
				diag_die(EXIT_DATA, "%s: %s", run.in.file, strerror(errno));
			reject(&run, "%s", run.in.err);
			continue;
		}
		process_row(&run, &w);
	}

	if (run.explaining && out_close(&run.explain) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", run.opt.explain, strerror(errno));
	reject_close(&run.rejects);
	commit_output(&run);
	/* The allocations are committed before the state says they were split. */
	save_state(&run);
	lock_release(&lock);
	report_passed(&run.passed);
	out_stdout_close_or_die();
	tsv_close(&run.in);
	split_state_free(&run.state);
	split_rules_free(&run.rules);
	fx_free(&run.fx);
	free(run.parts);
	return EXIT_OK;
}
