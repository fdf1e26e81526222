/* tally-report - allocations -> payout statements and the payout ledger;
 * --check, the conservation check; --summary, the business at a glance
 * from the sales stream.
 *
 * Reading is one streaming pass that adds each row into per payee,
 * currency and period totals (and per source and product under them), so
 * memory grows with payees x periods x products, never with rows.  All
 * money is int64_t micro-units (money.h); currencies are never added
 * together except through --fx. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "date.h"
#include "diag.h"
#include "fx.h"
#include "lock.h"
#include "money.h"
#include "out.h"
#include "report_escape.h"
#include "report_ledger.h"
#include "tsv.h"

/* ---------------------------------------------------------------- options */

enum format { FMT_TSV, FMT_TEXT, FMT_MD, FMT_HTML };
static const char *const format_names[] = {"tsv", "text", "md", "html"};
static const char *const format_ext[] = {"tsv", "txt", "md", "html"};

struct min_payout {
	char currency[4]; /* "" for the default of every currency */
	int64_t amount;   /* micro-units */
};

struct options {
	enum format format;
	bool have_period;
	struct period period;      /* --period */
	enum period_kind kind;     /* the kind of period rows are grouped by */
	const char *ledger;        /* --ledger FILE */
	const char *out_dir;       /* --out-dir DIR */
	struct min_payout mins[32];/* --min-payout */
	size_t nmins;
	bool check, summary;
	const char *fx_path;       /* --fx RATES */
	const char *to;            /* --to CUR */
	struct fx_table fx;
};

static struct options opt;

static noreturn void usage(FILE *f, int status)
{
	fprintf(f,
		"usage: tally-report [-c | -s] [-f FORMAT] [-p PERIOD] [-l LEDGER] [-o DIR]\n"
		"                    [-m [CUR=]AMOUNT[,...]] [--fx RATES --to CUR] [FILE...]\n"
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
		      "  -o, --out-dir DIR       one statement file per payee: DIR/PAYEE-PERIOD.EXT\n"
		      "  -m, --min-payout SPEC   pay nothing under this: 50.00 or USD=50,EUR=40\n"
		      "      --fx RATES          convert with this rates table (date, currency, rate)\n"
		      "      --to CUR            ... into this currency\n"
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
		struct min_payout m = {{0}, 0};
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

static int64_t min_payout_for(const char *currency)
{
	int64_t any = 0;
	for (size_t i = 0; i < opt.nmins; i++) {
		if (memcmp(opt.mins[i].currency, currency, 4) == 0)
			return opt.mins[i].amount;
		if (!opt.mins[i].currency[0])
			any = opt.mins[i].amount;
	}
	return any;
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

/* ------------------------------------------------------- interned strings */

struct strtab {
	char **s;        /* strings (owned), NUL-terminated */
	uint32_t *len;   /* their lengths */
	uint64_t *hash;  /* their hashes */
	uint32_t n, cap;
	uint32_t *slot;  /* open addressing: id + 1, 0 empty */
	size_t mask;
};

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = hash_fnv1a(HASH_FNV_OFFSET, s, len);
	return h ^ (h >> 29);
}

static void strtab_grow(struct strtab *t)
{
	size_t nmask = t->mask ? t->mask * 2 + 1 : 1023;
	uint32_t *ns = xcalloc(nmask + 1, sizeof *ns);
	for (uint32_t id = 0; id < t->n; id++) {
		size_t i = t->hash[id] & nmask;
		while (ns[i])
			i = (i + 1) & nmask;
		ns[i] = id + 1;
	}
	free(t->slot);
	t->slot = ns;
	t->mask = nmask;
}

/* The id of s[0..len), added when new. */
static uint32_t strtab_intern(struct strtab *t, const char *s, size_t len)
{
	uint64_t h = hash_bytes(s, len);
	size_t i;

	if (!t->slot)
		strtab_grow(t);
	for (i = h & t->mask; t->slot[i]; i = (i + 1) & t->mask) {
		uint32_t id = t->slot[i] - 1;
		if (t->hash[id] == h && t->len[id] == len && memcmp(t->s[id], s, len) == 0)
			return id;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->s = xrealloc(t->s, t->cap * sizeof *t->s);
		t->len = xrealloc(t->len, t->cap * sizeof *t->len);
		t->hash = xrealloc(t->hash, t->cap * sizeof *t->hash);
	}
	uint32_t id = t->n++;
	t->s[id] = xstrndup(s, len);
	t->len[id] = (uint32_t)len;
	t->hash[id] = h;
	t->slot[i] = id + 1;
	if ((size_t)t->n * 2 > t->mask)
		strtab_grow(t);
	return id;
}

/* ------------------------------------------- a map from a key pair to an id */

struct keymap {
	struct keyslot {
		uint64_t a, b; /* the key */
		uint32_t id;   /* value + 1, 0 empty */
	} *slot;
	size_t mask, n;
};

static uint64_t mix64(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x632BE59BD9B4E019ULL) * 0xC2B2AE3D27D4EB4FULL;
	return h ^ (h >> 31);
}

static void keymap_grow(struct keymap *m)
{
	size_t nmask = m->mask ? m->mask * 2 + 1 : 1023;
	struct keyslot *ns = xcalloc(nmask + 1, sizeof *ns);
	for (size_t j = 0; m->slot && j <= m->mask; j++)
		if (m->slot[j].id) {
			size_t i = mix64(m->slot[j].a, m->slot[j].b) & nmask;
			while (ns[i].id)
				i = (i + 1) & nmask;
			ns[i] = m->slot[j];
		}
	free(m->slot);
	m->slot = ns;
	m->mask = nmask;
}

/* The id stored under (a, b); when absent, store next_id and set *added. */
static uint32_t keymap_get(struct keymap *m, uint64_t a, uint64_t b, uint32_t next_id, bool *added)
{
	size_t i;
	if (!m->slot)
		keymap_grow(m);
	for (i = mix64(a, b) & m->mask; m->slot[i].id; i = (i + 1) & m->mask)
		if (m->slot[i].a == a && m->slot[i].b == b) {
			*added = false;
			return m->slot[i].id - 1;
		}
	m->slot[i] = (struct keyslot){a, b, next_id + 1};
	*added = true;
	if (++m->n * 2 > m->mask)
		keymap_grow(m);
	return next_id;
}

/* Look up without adding: the id, or -1. */
static long keymap_find(const struct keymap *m, uint64_t a, uint64_t b)
{
	if (!m->slot)
		return -1;
	for (size_t i = mix64(a, b) & m->mask; m->slot[i].id; i = (i + 1) & m->mask)
		if (m->slot[i].a == a && m->slot[i].b == b)
			return (long)m->slot[i].id - 1;
	return -1;
}

#define GROW(arr, n, cap)                                                      \
	do {                                                                   \
		if ((n) == (cap)) {                                            \
			(cap) = (cap) ? (cap) * 2 : 256;                       \
			(arr) = xrealloc((arr), (cap) * sizeof *(arr));        \
		}                                                              \
	} while (0)

static uint32_t pack_currency(const char *c)
{
	return (uint32_t)(unsigned char)c[0] << 16 | (uint32_t)(unsigned char)c[1] << 8 |
	       (unsigned char)c[2];
}

static int64_t checked_add(int64_t a, int64_t b, const char *file, long line)
{
	int64_t r;
	if (!money_add(a, b, &r))
		diag_die_at(EXIT_DATA, file, line, "the total overflows");
	return r;
}

static const char *fmt_money(char *buf, int64_t v, int digits)
{
	money_format(buf, v, digits);
	return buf;
}

static const char *fmt_period(char *buf, struct period p)
{
	period_format(buf, p);
	return buf;
}

/* ------------------------------------------------------------ the model */

struct account {
	uint32_t payee;     /* name id */
	char currency[4];   /* ISO 4217 */
	int digits;         /* its minor digits */
	int64_t balance;    /* running carried-forward balance */
	bool in_input;      /* has rows in the input */
	bool has_last;      /* last_cell is set */
	int64_t last_period;/* the period of the last row read for it */
	uint32_t last_cell; /* ... and its cell: rows come mostly in date order */
};

struct detail {
	uint32_t source, product; /* name ids */
	int64_t amount;
};

struct cell {               /* one account in one period */
	uint32_t account;
	int64_t period;     /* period index (opt.kind) */
	int64_t earned;     /* sum of amounts */
	struct detail *details; /* per (source, product): few, so a short array */
	uint32_t ndetails, capdetails;
	bool matched;       /* reproduced from the ledger */
};


struct ctotal {             /* --check: one period and currency */
	int64_t period;
	char currency[4];
	int digits;
	int64_t net, allocated;
};

struct statement {
	uint32_t account;
	int64_t period;
	char id[48];
	int64_t brought_forward, earned, paid, carried_forward, min_payout;
	long cell;          /* cell id or -1 */
	bool reproduced;    /* from the ledger */
};

struct model {
	struct strtab names;
	struct account *acc;
	uint32_t nacc, capacc;
	struct keymap acc_ix;
	struct cell *cells;
	uint32_t ncells, capcells;
	struct keymap cell_ix;
	struct ctotal *tot;
	uint32_t ntot, captot;
	struct keymap tot_ix;
	bool have_range;
	int64_t pmin, pmax;
	char currencies[8][4]; /* the first few currencies seen, for messages */
	int ncurrencies;
	struct statement *st;
	size_t nst, capst;
	int status;
};

static struct model m;

static uint32_t account_of(uint32_t payee, const char *cur)
{
	bool added;
	uint32_t id = keymap_get(&m.acc_ix, payee, pack_currency(cur), m.nacc, &added);
	if (added) {
		GROW(m.acc, m.nacc, m.capacc);
		m.acc[id] = (struct account){payee, {cur[0], cur[1], cur[2], 0}, currency_digits(cur, 3), 0, false,
					     false, 0, 0};
		m.nacc++;
	}
	return id;
}

static uint32_t cell_of(uint32_t account, int64_t period)
{
	bool added;
	uint32_t id = keymap_get(&m.cell_ix, account, (uint64_t)period, m.ncells, &added);
	if (added) {
		GROW(m.cells, m.ncells, m.capcells);
		m.cells[id] = (struct cell){account, period, 0, NULL, 0, 0, false};
		m.ncells++;
	}
	return id;
}

static struct ctotal *total_of(int64_t period, const char *cur)
{
	bool added;
	uint32_t id = keymap_get(&m.tot_ix, (uint64_t)period, pack_currency(cur), m.ntot, &added);
	if (added) {
		GROW(m.tot, m.ntot, m.captot);
		m.tot[id] = (struct ctotal){period, {cur[0], cur[1], cur[2], 0}, currency_digits(cur, 3), 0, 0};
		m.ntot++;
	}
	return &m.tot[id];
}

static void note_currency(const char *cur)
{
	for (int i = 0; i < m.ncurrencies; i++)
		if (memcmp(m.currencies[i], cur, 3) == 0)
			return;
	if (m.ncurrencies < 8)
		memcpy(m.currencies[m.ncurrencies++], cur, 4);
}

/* ------------------------------------------------------ reading rows */

/* Per-row values that often repeat from one row to the next. */
struct row_cache {
	char date[DATE_BUF + 16];
	size_t date_len;
	int64_t when;
	int64_t period;
	char currency[4];
	const char *src_s, *prod_s;  /* last source/product text (in cache buffers) */
	char src[256], prod[256];
	size_t src_len, prod_len;
	uint32_t src_id, prod_id;
	bool have_src, have_prod;
};

static void die_value(const struct tsv_reader *r, const char *col, const struct tsv_field *f,
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

/* The amount in the reporting currency: itself, or converted (--fx). */
static int64_t row_convert(const struct row_cache *c, const struct tsv_reader *r, int64_t v)
{
	int64_t out;
	if (!opt.to || memcmp(c->currency, opt.to, 3) == 0)
		return v;
	int rc = fx_convert(&opt.fx, v, c->currency, opt.to, c->when, &out);
	if (rc == FX_ENORATE) {
		char day[DATE_BUF];
		date_format_day(day, c->when);
		diag_die_at(EXIT_DATA, r->file, r->line, "no %s rate for %s on or before %s in %s",
			    opt.to, c->currency, day, opt.fx_path);
	}
	if (rc != FX_OK)
		diag_die_at(EXIT_DATA, r->file, r->line, "converting %s to %s overflows", c->currency, opt.to);
	return out;
}

/* Intern a short text cell, remembering the last one. */
static uint32_t cached_name(const struct tsv_field *f, char *buf, size_t cap, size_t *len,
			    uint32_t *id, bool *have)
{
	if (*have && f->len == *len && memcmp(f->s, buf, f->len) == 0)
		return *id;
	*id = strtab_intern(&m.names, f->s, f->len);
	if (f->len < cap) {
		memcpy(buf, f->s, f->len);
		*len = f->len;
		*have = true;
	} else
		*have = false;
	return *id;
}

/* --check: rows of one sale are consecutive; its allocations must sum to
 * its net. */
struct sale_group {
	char key[1024];
	size_t key_len;
	bool open;
	int64_t net, sum;
	long first_line, last_line;
	const char *file;
	int64_t period;
	char currency[4];
	int digits;
};

static void close_group(struct sale_group *g)
{
	if (!g->open)
		return;
	struct ctotal *t = total_of(g->period, g->currency);
	t->net = checked_add(t->net, g->net, g->file, g->first_line);
	if (g->sum != g->net) {
		static long reported;
		char a[MONEY_BUF], b[MONEY_BUF];
		m.status = EXIT_DATA;
		if (++reported > 20) {
			if (reported == 21)
				diag_warn("... more sales differ; showing the first 20");
			g->open = false;
			return;
		}
		if (g->first_line == g->last_line)
			diag_warn_at(g->file, g->first_line, "the allocations of this sale sum to %s %s, its net is %s",
				     fmt_money(a, g->sum, g->digits), g->currency, fmt_money(b, g->net, g->digits));
		else
			diag_warn("%s:%ld-%ld: the allocations of this sale sum to %s %s, its net is %s", g->file,
				  g->first_line, g->last_line, fmt_money(a, g->sum, g->digits), g->currency,
				  fmt_money(b, g->net, g->digits));
		m.status = EXIT_DATA;
	}
	g->open = false;
}

/* The key telling the rows of one sale apart: origin and (source, order,
 * line, kind), as far as the stream has them (an empty origin alone would
 * merge different sales).  cols[0..5) are column indexes or -1.  Returns
 * its length (cut to cap - 1). */
static size_t sale_key(char *key, size_t cap, const struct tsv_field *f, const int cols[5])
{
	size_t kl = 0;
	key[0] = '\0';
	for (int i = 0; i < 5; i++)
		if (cols[i] >= 0) {
			kl += (size_t)snprintf(key + kl, cap - kl, "%.*s\t", (int)f[cols[i]].len, f[cols[i]].s);
			if (kl >= cap)
				kl = cap - 1;
		}
	return kl;
}

/* --fx: the rows of one sale are converted by running total (each part is
 * the converted running sum less the converted sum before it), so that
 * they add up exactly to the sale's converted net, as they added up to its
 * net before: conversion neither loses nor invents a micro-unit. */
struct fx_run {
	char key[1024];
	size_t key_len;
	bool open;
	int64_t when;
	char currency[4];
	const char *file;
	int64_t sum, sum_converted;
};

static int64_t convert_in_run(struct fx_run *run, const struct row_cache *c, const struct tsv_reader *r,
			      const char *key, size_t kl, bool groupable, int64_t v)
{
	if (!opt.to || memcmp(c->currency, opt.to, 3) == 0)
		return row_convert(c, r, v);
	bool same = groupable && run->open && kl == run->key_len && memcmp(key, run->key, kl) == 0 &&
		    run->when == c->when && memcmp(run->currency, c->currency, 3) == 0 && run->file == r->file;
	if (!same) {
		memcpy(run->key, key, kl);
		run->key_len = kl;
		run->open = true;
		run->when = c->when;
		memcpy(run->currency, c->currency, 4);
		run->file = r->file;
		run->sum = run->sum_converted = 0;
	}
	int64_t sum = checked_add(run->sum, v, r->file, r->line);
	int64_t converted = row_convert(c, r, sum);
	int64_t part = converted - run->sum_converted; /* both within range: no overflow */
	run->sum = sum;
	run->sum_converted = converted;
	return part;
}

static void read_allocations(char **files, size_t nfiles)
{
	struct fx_run run = {0};
	struct tsv_reader r;
	struct row_cache c = {0};
	struct sale_group g = {0};
	const char *cur_out;
	int rc;

	if (tsv_open(&r, files, nfiles) < 0) {
		if (errno)
			diag_die(EXIT_USAGE, "%s: %s", r.file, strerror(errno));
		diag_die_at(EXIT_DATA, r.file, 1, "%s", r.err);
	}
	int c_date = tsv_col_or_die(&r, "date");
	int c_payee = tsv_col_or_die(&r, "payee");
	int c_cur = tsv_col_or_die(&r, "currency");
	int c_amount = tsv_col_or_die(&r, "amount");
	int c_source = tsv_col(&r, "source");
	int c_product = tsv_col(&r, "product");
	int c_net = opt.check ? tsv_col_or_die(&r, "net") : -1;
	int c_origin = tsv_col(&r, "origin");
	int c_key[4] = {tsv_col(&r, "source"), tsv_col(&r, "order"), tsv_col(&r, "line"), tsv_col(&r, "kind")};
	int kcols[5] = {c_origin, c_key[0], c_key[1], c_key[2], c_key[3]};
	/* Without origin or order there is no way to tell sales apart: each
	 * row is then its own sale. */
	bool groupable = c_origin >= 0 || c_key[1] >= 0;

	while ((rc = tsv_next(&r)) == 1) {
		const struct tsv_field *f = r.fields;

		if (interrupted)
			stop_if_interrupted();
		row_date(&c, &r, &f[c_date]);
		if (opt.have_period && c.period != opt.period.index)
			continue;
		row_currency(&c, &r, &f[c_cur]);
		if (f[c_payee].len == 0)
			die_value(&r, "payee", &f[c_payee], "is empty");
		char key[1024];
		size_t kl = opt.check || opt.to ? sale_key(key, sizeof key, f, kcols) : 0;
		int64_t amount = convert_in_run(&run, &c, &r, key, kl, groupable,
						row_amount(&r, "amount", &f[c_amount]));
		cur_out = opt.to ? opt.to : c.currency;

		uint32_t payee = strtab_intern(&m.names, f[c_payee].s, f[c_payee].len);
		uint32_t acc = account_of(payee, cur_out);
		struct account *ap = &m.acc[acc];
		if (!ap->has_last || ap->last_period != c.period) {
			ap->last_cell = cell_of(acc, c.period);
			ap->last_period = c.period;
			ap->has_last = ap->in_input = true;
		}
		struct cell *cp = &m.cells[ap->last_cell];
		cp->earned = checked_add(cp->earned, amount, r.file, r.line);

		static const struct tsv_field none = {"", 0, true};
		const struct tsv_field *fs = c_source >= 0 ? &f[c_source] : &none;
		const struct tsv_field *fp = c_product >= 0 ? &f[c_product] : &none;
		uint32_t src = cached_name(fs, c.src, sizeof c.src, &c.src_len, &c.src_id, &c.have_src);
		uint32_t prod = cached_name(fp, c.prod, sizeof c.prod, &c.prod_len, &c.prod_id, &c.have_prod);
		uint32_t d;
		for (d = 0; d < cp->ndetails && (cp->details[d].source != src || cp->details[d].product != prod); d++)
			;
		if (d == cp->ndetails) {
			if (cp->ndetails == cp->capdetails) {
				cp->capdetails = cp->capdetails ? cp->capdetails * 2 : 4;
				cp->details = xrealloc(cp->details, cp->capdetails * sizeof *cp->details);
			}
			cp->details[cp->ndetails++] = (struct detail){src, prod, 0};
		}
		cp->details[d].amount = checked_add(cp->details[d].amount, amount, r.file, r.line);

		if (!m.have_range || c.period < m.pmin)
			m.pmin = c.period;
		if (!m.have_range || c.period > m.pmax)
			m.pmax = c.period;
		m.have_range = true;

		if (opt.check) {
			bool same = groupable && g.open && kl == g.key_len &&
				    memcmp(key, g.key, kl) == 0 && g.period == c.period &&
				    memcmp(g.currency, cur_out, 3) == 0 && g.file == r.file;
			if (same) {
				int64_t net = row_convert(&c, &r, row_amount(&r, "net", &f[c_net]));
				if (net != g.net) {
					char a[MONEY_BUF], b[MONEY_BUF];
					diag_warn_at(r.file, r.line,
						     "column \"net\": %s differs from the %s of line %ld of the same sale",
						     fmt_money(a, net, g.digits), fmt_money(b, g.net, g.digits),
						     g.first_line);
					m.status = EXIT_DATA;
				}
			}
			if (!same) {
				close_group(&g);
				g.open = true;
				memcpy(g.key, key, kl);
				g.key_len = kl;
				g.net = row_convert(&c, &r, row_amount(&r, "net", &f[c_net]));
				g.sum = 0;
				g.first_line = r.line;
				g.file = r.file;
				g.period = c.period;
				memcpy(g.currency, cur_out, 4);
				g.digits = currency_digits(cur_out, 3);
			}
			g.sum = checked_add(g.sum, amount, r.file, r.line);
			g.last_line = r.line;
			struct ctotal *t = total_of(c.period, cur_out);
			t->allocated = checked_add(t->allocated, amount, r.file, r.line);
		}
	}
	if (rc < 0) {
		if (errno)
			diag_die(EXIT_DATA, "%s: %s", r.file, strerror(errno));
		diag_die_at(EXIT_DATA, r.file, r.line, "%s", r.err);
	}
	/* r.file may be freed with the reader: the group keeps its own copy. */
	if (g.open) {
		static char last_file[512];
		snprintf(last_file, sizeof last_file, "%s", g.file);
		g.file = last_file;
		close_group(&g);
	}
	tsv_close(&r);
}

/* ------------------------------------------------------------ settling */

static struct report_ledger ledger;
static struct lock ledger_lock = {-1, NULL};

static const char *payee_name(uint32_t acc)
{
	return m.names.s[m.acc[acc].payee];
}

static void say_waiting(const char *lock_path, void *ctx)
{
	(void)ctx;
	diag_warn("waiting for the lock on %s", lock_path);
}

static void load_ledger(void)
{
	long line;
	char err[512];

	if (!opt.check && lock_acquire(&ledger_lock, opt.ledger, say_waiting, NULL) < 0)
		diag_die(EXIT_DATA, "%s: %s", ledger_lock.path ? ledger_lock.path : opt.ledger,
			 strerror(errno));
	int rc = report_ledger_load(&ledger, opt.ledger, &line, err, sizeof err);
	if (rc == -1)
		diag_die(EXIT_USAGE, "%s: %s", opt.ledger, strerror(errno));
	if (rc == -2)
		diag_die_at(EXIT_DATA, opt.ledger, line, "%s; refusing to use this ledger", err);
	if (ledger.has_rows && ledger.last.kind != opt.kind) {
		char a[DATE_BUF];
		diag_die(EXIT_USAGE, "%s: the ledger is kept by %s (%s), not by %s", opt.ledger,
			 period_kind_name(ledger.last.kind), fmt_period(a, ledger.last),
			 period_kind_name(opt.kind));
	}
}

static int cmp_statement(const void *pa, const void *pb)
{
	const struct statement *a = pa, *b = pb;
	if (a->period != b->period)
		return a->period < b->period ? -1 : 1;
	int c = strcmp(payee_name(a->account), payee_name(b->account));
	return c ? c : strcmp(m.acc[a->account].currency, m.acc[b->account].currency);
}

/* Reproduce period p from the ledger; the input must agree with it. */
static void reproduce_period(int64_t p)
{
	size_t first = m.nst;
	char a[MONEY_BUF], b[MONEY_BUF], per[DATE_BUF];

	for (size_t i = 0; i < ledger.n; i++) {
		const struct report_ledger_row *row = &ledger.rows[i];
		if (row->period.index != p)
			continue;
		uint32_t acc = account_of(strtab_intern(&m.names, row->payee, strlen(row->payee)), row->currency);
		long cell = keymap_find(&m.cell_ix, acc, (uint64_t)p);
		int64_t earned = cell >= 0 ? m.cells[cell].earned : 0;
		if (earned != row->earned)
			diag_die_at(EXIT_DATA, opt.ledger, row->line,
				    "the %s statement of %s (%s) says earned %s, the input %s: a period in the ledger cannot change",
				    fmt_period(per, row->period), row->payee, row->currency,
				    fmt_money(a, row->earned, row->digits), fmt_money(b, earned, row->digits));
		if (cell >= 0)
			m.cells[cell].matched = true;
		GROW(m.st, m.nst, m.capst);
		struct statement *s = &m.st[m.nst++];
		*s = (struct statement){acc, p, "", row->brought_forward, row->earned, row->paid,
					row->carried_forward, min_payout_for(row->currency), cell, true};
		snprintf(s->id, sizeof s->id, "%s", row->id);
		m.acc[acc].balance = row->carried_forward;
	}
	for (uint32_t acc = 0; acc < m.nacc; acc++) {
		long cell = keymap_find(&m.cell_ix, acc, (uint64_t)p);
		if (cell >= 0 && !m.cells[cell].matched) {
			char l[DATE_BUF];
			fmt_period(per, (struct period){opt.kind, p});
			fmt_period(l, ledger.last);
			diag_die(EXIT_DATA, "%s: period %s is %s in the ledger, which has no statement of %s (%s) for it: a closed period cannot change",
				 opt.ledger, per, p == ledger.last.index ? "the last" : "already", payee_name(acc),
				 m.acc[acc].currency);
		}
	}
	if (m.nst > first)
		qsort(m.st + first, m.nst - first, sizeof *m.st, cmp_statement);
}

/* Settle period p afresh. */
static void settle_period(int64_t p)
{
	size_t first = m.nst;
	char per[DATE_BUF];

	for (uint32_t acc = 0; acc < m.nacc; acc++) {
		struct account *a = &m.acc[acc];
		long cell = keymap_find(&m.cell_ix, acc, (uint64_t)p);
		if (cell < 0 && a->balance == 0)
			continue;
		int64_t earned = cell >= 0 ? m.cells[cell].earned : 0;
		struct report_settlement s;
		int64_t min = min_payout_for(a->currency);
		if (!report_settle(a->balance, earned, a->digits, min, &s))
			diag_die(EXIT_DATA, "the balance of %s (%s) overflows", payee_name(acc), a->currency);
		GROW(m.st, m.nst, m.capst);
		m.st[m.nst++] = (struct statement){acc, p, "", a->balance, earned, s.paid,
						   s.carried_forward, min, cell, false};
		a->balance = s.carried_forward;
	}
	if (m.nst > first)
		qsort(m.st + first, m.nst - first, sizeof *m.st, cmp_statement);
	fmt_period(per, (struct period){opt.kind, p});
	for (size_t i = first; i < m.nst; i++)
		snprintf(m.st[i].id, sizeof m.st[i].id, "%s/%04zu", per, i - first + 1);
}

/* The periods settled afresh by this run (not reproduced from the ledger):
 * settled_first..settled_last when have_settled. */
static bool have_settled;
static int64_t settled_first, settled_last;

/* Every period from the first to the last, in order. */
static void settle_all(void)
{
	int64_t start, end;

	if (opt.have_period)
		start = end = opt.period.index;
	else if (m.have_range)
		start = m.pmin, end = m.pmax;
	else
		return;
	if (opt.ledger) {
		for (size_t i = 0; i < ledger.n; i++) {
			const struct report_ledger_row *row = &ledger.rows[i];
			if (row->period.index >= start)
				continue;
			uint32_t acc = account_of(strtab_intern(&m.names, row->payee, strlen(row->payee)),
						  row->currency);
			m.acc[acc].balance = row->carried_forward;
		}
		if (ledger.has_rows && start > ledger.last.index + 1) {
			char a[DATE_BUF], b[DATE_BUF], c[DATE_BUF];
			diag_die(EXIT_DATA, "%s: period %s is out of order: the ledger's last period is %s; run %s first",
				 opt.ledger, fmt_period(a, (struct period){opt.kind, start}),
				 fmt_period(b, ledger.last), fmt_period(c, period_next(ledger.last)));
		}
		/* Before the ledger's first period: never settled, and settling it
		 * now would change every balance the ledger brought forward. */
		if (ledger.has_rows && start < ledger.first.index) {
			char a[DATE_BUF], b[DATE_BUF];
			diag_die(EXIT_DATA, "%s: period %s is out of order: the ledger starts at %s",
				 opt.ledger, fmt_period(a, (struct period){opt.kind, start}),
				 fmt_period(b, ledger.first));
		}
	}
	for (int64_t p = start; p <= end; p++) {
		if (opt.ledger && ledger.has_rows && p <= ledger.last.index)
			reproduce_period(p);
		else {
			settle_period(p);
			if (!have_settled)
				settled_first = p;
			settled_last = p;
			have_settled = true;
		}
	}
}

/* Append the new statements to the ledger, atomically (we hold its lock). */
static void write_ledger(void)
{
	struct out o;
	uint64_t chain = ledger.last_chain;

	/* A period settled with no statement is still recorded (report_ledger.h),
	 * so that the next one is in order after a quiet month. */
	if (!have_settled)
		return;
	stop_if_interrupted();
	if (out_open_file(&o, opt.ledger) < 0)
		diag_die(EXIT_DATA, "%s: %s", opt.ledger, strerror(errno));
	if (ledger.text_len)
		out_write(&o, ledger.text, ledger.text_len);
	else
		out_puts(&o, REPORT_LEDGER_HEADER "\n");
	struct tsv_writer w;
	tsv_writer_init(&w, &o);
	int64_t next_period = settled_first; /* the next period to record */
	for (size_t i = 0; i <= m.nst; i++) {
		const struct statement *s = i < m.nst ? &m.st[i] : NULL;
		char per[DATE_BUF], bf[MONEY_BUF], e[MONEY_BUF], pd[MONEY_BUF], cf[MONEY_BUF], hex[17];
		if (s && s->reproduced)
			continue;
		/* the quiet periods before this statement's (or up to the last) */
		for (; next_period <= settled_last && (!s || next_period < s->period); next_period++) {
			char id[DATE_BUF + 8];
			fmt_period(per, (struct period){opt.kind, next_period});
			snprintf(id, sizeof id, "%s/0000", per);
			const char *z[8] = {id, "", per, "", "0", "0", "0", "0"};
			chain = report_ledger_chain(chain, z);
			snprintf(hex, sizeof hex, "%016llx", (unsigned long long)chain);
			for (int k = 0; k < 8; k++)
				tsv_put_str(&w, z[k]);
			tsv_put_str(&w, hex);
			tsv_end_row(&w);
		}
		if (!s)
			break;
		if (s->period >= next_period)
			next_period = s->period + 1;
		const struct account *a = &m.acc[s->account];
		const char *f[8] = {s->id, payee_name(s->account), fmt_period(per, (struct period){opt.kind, s->period}),
				    a->currency, fmt_money(bf, s->brought_forward, a->digits),
				    fmt_money(e, s->earned, a->digits), fmt_money(pd, s->paid, a->digits),
				    fmt_money(cf, s->carried_forward, a->digits)};
		chain = report_ledger_chain(chain, f);
		snprintf(hex, sizeof hex, "%016llx", (unsigned long long)chain);
		for (int k = 0; k < 8; k++)
			tsv_put_str(&w, f[k]);
		tsv_put_str(&w, hex);
		tsv_end_row(&w);
	}
	stop_if_interrupted();
	if (out_close(&o) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", opt.ledger, strerror(errno));
}

/* ------------------------------------------------------------- rendering */

/* Put text from the data, made safe for the format (the TSV stream keeps
 * it as it is). */
static void put_data(struct out *o, const char *s)
{
	size_t len = strlen(s);
	switch (opt.format) {
	case FMT_TSV: tsv_escape_to(o, s, len); break;
	case FMT_TEXT: report_put_text(o, s, len); break;
	case FMT_MD: report_put_md(o, s, len); break;
	case FMT_HTML: report_put_html(o, s, len); break;
	}
}

static void put_spaces(struct out *o, size_t n)
{
	while (n-- > 0)
		out_putc(o, ' ');
}

static const char html_style[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:48em;color:#222;padding:0 1em}"
	"h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}h3{font-size:1em}"
	"table{border-collapse:collapse;margin:.5em 0;min-width:24em}"
	"th,td{padding:.2em .6em;border-bottom:1px solid #eee;text-align:left}"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
	"tr.sub td{color:#555;padding-left:1.6em}tr.total td,tr.total th{font-weight:bold;border-top:1px solid #999}"
	"dl{display:grid;grid-template-columns:max-content auto;gap:.1em 1em}dt{color:#555}dd{margin:0}"
	"p.note{color:#a40}p.totals{color:#555;font-size:.9em}"
	"svg{max-width:100%;height:auto}svg text{font-size:11px;fill:#333}"
	".rev{fill:#7aa6d8}.pay{fill:#2e7d32}";

static void doc_begin(struct out *o, const char *title)
{
	if (opt.format == FMT_MD) {
		out_printf(o, "# %s\n\n", title);
	} else if (opt.format == FMT_HTML) {
		out_puts(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
			    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>");
		report_put_html(o, title, strlen(title));
		out_printf(o, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", html_style);
		report_put_html(o, title, strlen(title));
		out_puts(o, "</h1>\n");
	}
}

static void doc_end(struct out *o)
{
	if (opt.format == FMT_HTML)
		out_puts(o, "</body>\n</html>\n");
}

/* One bar chart: revenue and payouts per period, in one currency. */
struct chart_point {
	int64_t period;
	int64_t revenue, paid;
};

static void html_chart(struct out *o, const char *title, const char *currency, int digits,
		       const struct chart_point *pt, size_t n)
{
	const int W = 640, H = 240, left = 70, bottom = 40, top = 20;
	double max = 0;
	char a[MONEY_BUF], per[DATE_BUF];

	if (n > 24) { /* the last two years */
		pt += n - 24;
		n = 24;
	}
	for (size_t i = 0; i < n; i++) {
		/* Drawing only: doubles are fine for bar heights, never for money. */
		double r = (double)pt[i].revenue, p = (double)pt[i].paid;
		if (r > max) max = r;
		if (p > max) max = p;
	}
	out_puts(o, "<div class=\"chart\">\n<p class=\"caption\">");
	report_put_html(o, title, strlen(title));
	out_printf(o, " (%s)</p>\n", currency);
	out_printf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n",
		   W, H, W, H);
	out_printf(o, "<title>%s per period, %s</title>\n", "Revenue and payouts", currency);
	int plot_h = H - top - bottom;
	out_printf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n", left, H - bottom, W - 10, H - bottom);
	out_printf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left - 6, top + 4,
		   fmt_money(a, max > 0 ? (int64_t)max : 0, digits));
	out_printf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", left - 6, H - bottom);
	double group = n ? (double)(W - left - 20) / (double)n : 0;
	for (size_t i = 0; i < n; i++) {
		double x = left + 10 + group * (double)i, bw = group * 0.35;
		const int64_t v[2] = {pt[i].revenue, pt[i].paid};
		const char *cls[2] = {"rev", "pay"}, *what[2] = {"revenue", "paid"};
		fmt_period(per, (struct period){opt.kind, pt[i].period});
		for (int k = 0; k < 2; k++) {
			double h = max > 0 && v[k] > 0 ? (double)v[k] / max * plot_h : 0;
			out_printf(o, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%s %s: %s</title></rect>\n",
				   cls[k], x + bw * k, (double)(H - bottom) - h, bw, h, per, what[k],
				   fmt_money(a, v[k], digits));
		}
		out_printf(o, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x + bw, H - bottom + 16, per);
	}
	out_printf(o, "<rect class=\"rev\" x=\"%d\" y=\"%d\" width=\"10\" height=\"10\"/><text x=\"%d\" y=\"%d\">revenue</text>\n",
		   left, H - 12, left + 14, H - 3);
	out_printf(o, "<rect class=\"pay\" x=\"%d\" y=\"%d\" width=\"10\" height=\"10\"/><text x=\"%d\" y=\"%d\">paid</text>\n",
		   left + 90, H - 12, left + 104, H - 3);
	out_puts(o, "</svg>\n</div>\n");
}

/* Totals of the statements of one period and currency. */
struct ptotal {
	int64_t period;
	char currency[4];
	long count;
	int64_t brought_forward, earned, paid, carried_forward;
};
static struct ptotal *ptot;
static uint32_t nptot, capptot;
static struct keymap ptot_ix;

static struct ptotal *ptotal_of(int64_t period, const char *cur)
{
	bool added;
	uint32_t id = keymap_get(&ptot_ix, (uint64_t)period, pack_currency(cur), nptot, &added);
	if (added) {
		GROW(ptot, nptot, capptot);
		ptot[id] = (struct ptotal){period, {cur[0], cur[1], cur[2], 0}, 0, 0, 0, 0, 0};
		nptot++;
	}
	return &ptot[id];
}

static void compute_totals(void)
{
	for (size_t i = 0; i < m.nst; i++) {
		const struct statement *s = &m.st[i];
		struct ptotal *t = ptotal_of(s->period, m.acc[s->account].currency);
		t->count++;
		t->brought_forward = checked_add(t->brought_forward, s->brought_forward, NULL, 0);
		t->earned = checked_add(t->earned, s->earned, NULL, 0);
		t->paid = checked_add(t->paid, s->paid, NULL, 0);
		t->carried_forward = checked_add(t->carried_forward, s->carried_forward, NULL, 0);
	}
}

/* Details of each cell, sorted by source then product. */
static int cmp_detail(const void *pa, const void *pb)
{
	const struct detail *a = pa, *b = pb;
	int c = strcmp(m.names.s[a->source], m.names.s[b->source]);
	return c ? c : strcmp(m.names.s[a->product], m.names.s[b->product]);
}

static void index_details(void)
{
	for (uint32_t i = 0; i < m.ncells; i++)
		if (m.cells[i].ndetails > 1)
			qsort(m.cells[i].details, m.cells[i].ndetails, sizeof *m.cells[i].details, cmp_detail);
}

enum line_kind { LINE_PLAIN, LINE_SUB, LINE_TOTAL };

/* One labelled amount of a statement, for people. */
static void human_line(struct out *o, const char *label, const char *source, const char *product,
		       int64_t v, int digits, enum line_kind kind)
{
	char a[MONEY_BUF];
	fmt_money(a, v, digits);
	if (opt.format == FMT_TEXT) {
		size_t w;
		if (kind == LINE_SUB) {
			out_puts(o, "  ");
			w = 2;
			if (*source) {
				report_put_text(o, source, strlen(source));
				out_puts(o, ": ");
				w += report_text_width(source, strlen(source)) + 2;
			}
			report_put_text(o, product, strlen(product));
			w += report_text_width(product, strlen(product)) + report_is_formula(product, strlen(product));
			w += *source && report_is_formula(source, strlen(source));
		} else {
			out_puts(o, label);
			w = strlen(label);
		}
		size_t al = strlen(a);
		put_spaces(o, w + 2 + al <= 54 ? 54 - w - al : 2);
		out_puts(o, a);
		out_putc(o, '\n');
	} else if (opt.format == FMT_MD) {
		out_puts(o, "| ");
		if (kind == LINE_SUB) {
			out_puts(o, "· ");
			if (*source) {
				report_put_md(o, source, strlen(source));
				out_puts(o, ": ");
			}
			report_put_md(o, product, strlen(product));
		} else if (kind == LINE_TOTAL)
			out_printf(o, "**%s**", label);
		else
			out_puts(o, label);
		out_printf(o, kind == LINE_TOTAL ? " | **%s** |\n" : " | %s |\n", a);
	} else {
		out_printf(o, "<tr%s><%s>", kind == LINE_SUB ? " class=\"sub\"" : kind == LINE_TOTAL ? " class=\"total\"" : "",
			   kind == LINE_SUB ? "td" : "th scope=\"row\"");
		if (kind == LINE_SUB) {
			if (*source) {
				report_put_html(o, source, strlen(source));
				out_puts(o, ": ");
			}
			report_put_html(o, product, strlen(product));
			out_puts(o, "</td>");
		} else
			out_printf(o, "%s</th>", label);
		out_printf(o, "<td class=\"n\">%s</td></tr>\n", a);
	}
}

static void human_para(struct out *o, const char *cls, const char *text)
{
	if (opt.format == FMT_HTML)
		out_printf(o, "<p class=\"%s\">%s</p>\n", cls, text);
	else
		out_printf(o, "%s\n", text);
}

static void tsv_entry(struct tsv_writer *w, const struct statement *s, const char *entry,
		      const char *source, const char *product, int64_t v)
{
	const struct account *a = &m.acc[s->account];
	char per[DATE_BUF];
	tsv_put_str(w, s->id);
	tsv_put_str(w, payee_name(s->account));
	tsv_put_str(w, fmt_period(per, (struct period){opt.kind, s->period}));
	tsv_put_str(w, a->currency);
	tsv_put_str(w, entry);
	tsv_put_str(w, source);
	tsv_put_str(w, product);
	tsv_put_money(w, v, a->digits);
	tsv_end_row(w);
}

#define STATEMENT_TSV_HEADER "statement\tpayee\tperiod\tcurrency\tentry\tsource\tproduct\tamount\n"

static void render_statement(struct out *o, const struct statement *s)
{
	const struct account *a = &m.acc[s->account];
	const struct cell *c = s->cell >= 0 ? &m.cells[s->cell] : NULL;
	const struct ptotal *t = ptotal_of(s->period, a->currency);
	const char *payee = payee_name(s->account);
	char per[DATE_BUF], x[4][MONEY_BUF];
	int d = a->digits;

	fmt_period(per, (struct period){opt.kind, s->period});
	if (opt.format == FMT_TSV) {
		struct tsv_writer w;
		tsv_writer_init(&w, o);
		tsv_entry(&w, s, "brought_forward", "", "", s->brought_forward);
		for (uint32_t i = 0; c && i < c->ndetails; i++) {
			const struct detail *dt = &c->details[i];
			tsv_entry(&w, s, "earned", m.names.s[dt->source], m.names.s[dt->product], dt->amount);
		}
		tsv_entry(&w, s, "earned_total", "", "", s->earned);
		tsv_entry(&w, s, "paid", "", "", s->paid);
		tsv_entry(&w, s, "carried_forward", "", "", s->carried_forward);
		tsv_entry(&w, s, "period_earned", "", "", t->earned);
		tsv_entry(&w, s, "period_paid", "", "", t->paid);
		tsv_entry(&w, s, "period_carried_forward", "", "", t->carried_forward);
		return;
	}
	if (opt.format == FMT_TEXT) {
		out_printf(o, "Statement %s\nPayee:    ", s->id);
		report_put_text(o, payee, strlen(payee));
		out_printf(o, "\nPeriod:   %s\nCurrency: %s\n\n", per, a->currency);
	} else if (opt.format == FMT_MD) {
		out_printf(o, "## Statement %s\n\nPayee: ", s->id);
		report_put_md(o, payee, strlen(payee));
		out_printf(o, "  \nPeriod: %s  \nCurrency: %s\n\n| Item | Amount |\n|:---|---:|\n", per, a->currency);
	} else {
		out_printf(o, "<div class=\"statement\">\n<h2>Statement %s</h2>\n<dl><dt>Payee</dt><dd>", s->id);
		report_put_html(o, payee, strlen(payee));
		out_printf(o, "</dd><dt>Period</dt><dd>%s</dd><dt>Currency</dt><dd>%s</dd></dl>\n<table>\n", per, a->currency);
	}
	human_line(o, "Brought forward", "", "", s->brought_forward, d, LINE_PLAIN);
	human_line(o, "Earned", "", "", s->earned, d, LINE_PLAIN);
	for (uint32_t i = 0; c && i < c->ndetails; i++) {
		const struct detail *dt = &c->details[i];
		human_line(o, "", m.names.s[dt->source], m.names.s[dt->product], dt->amount, d, LINE_SUB);
	}
	int64_t balance = s->brought_forward + s->earned; /* the ledger or settling checked it */
	human_line(o, "Balance", "", "", balance, d, LINE_PLAIN);
	human_line(o, "Paid", "", "", s->paid, d, LINE_TOTAL);
	human_line(o, "Carried forward", "", "", s->carried_forward, d, LINE_PLAIN);
	if (opt.format == FMT_HTML)
		out_puts(o, "</table>\n");
	else
		out_putc(o, '\n');
	int64_t payable, residue;
	money_round_payable(balance, d, &payable, &residue);
	if (balance < 0)
		human_para(o, "note", "Owed: refunds exceeded earnings; the balance is carried forward.");
	else if (s->paid == 0 && payable > 0)
		human_para(o, "note", "Not paid this period: the balance is under the minimum payout.");
	if (balance < 0 || (s->paid == 0 && payable > 0)) {
		if (opt.format != FMT_HTML)
			out_putc(o, '\n');
	}
	char line[512];
	snprintf(line, sizeof line,
		 "All %ld statement%s for %s in %s: brought forward %s, earned %s, paid %s, carried forward %s.",
		 t->count, t->count == 1 ? "" : "s", per, a->currency, fmt_money(x[0], t->brought_forward, d),
		 fmt_money(x[1], t->earned, d), fmt_money(x[2], t->paid, d), fmt_money(x[3], t->carried_forward, d));
	human_para(o, "totals", line);
	if (opt.format == FMT_HTML)
		out_puts(o, "</div>\n");
}

/* ------------------------------------------------------------- documents */

static int64_t run_start(void)
{
	return opt.have_period ? opt.period.index : m.pmin;
}

/* Chart points of one account: its ledger history before this run, then
 * its statements up to period `upto`. */
static size_t account_history(uint32_t acc, int64_t upto, struct chart_point **pts)
{
	size_t n = 0, cap = 0;
	const struct account *a = &m.acc[acc];
	const char *payee = payee_name(acc);
	*pts = NULL;
	for (size_t i = 0; i < ledger.n; i++) {
		const struct report_ledger_row *row = &ledger.rows[i];
		if (row->period.index >= run_start() || strcmp(row->payee, payee) != 0 ||
		    memcmp(row->currency, a->currency, 4) != 0)
			continue;
		GROW(*pts, n, cap);
		(*pts)[n++] = (struct chart_point){row->period.index, row->earned, row->paid};
	}
	for (size_t i = 0; i < m.nst; i++)
		if (m.st[i].account == acc && m.st[i].period <= upto) {
			GROW(*pts, n, cap);
			(*pts)[n++] = (struct chart_point){m.st[i].period, m.st[i].earned, m.st[i].paid};
		}
	return n;
}

/* Charts of the period totals, one per currency. */
static void totals_charts(struct out *o)
{
	for (uint32_t i = 0; i < nptot; i++) {
		bool first = true;
		for (uint32_t j = 0; j < i; j++)
			first &= memcmp(ptot[j].currency, ptot[i].currency, 3) != 0;
		if (!first)
			continue;
		struct chart_point *pts = NULL;
		size_t n = 0, cap = 0;
		for (int64_t p = run_start(); m.have_range || opt.have_period; p++) {
			long id = keymap_find(&ptot_ix, (uint64_t)p, pack_currency(ptot[i].currency));
			if (id >= 0) {
				GROW(pts, n, cap);
				pts[n++] = (struct chart_point){p, ptot[id].earned, ptot[id].paid};
			}
			if (p >= (opt.have_period ? opt.period.index : m.pmax))
				break;
		}
		html_chart(o, "Revenue and payouts per period", ptot[i].currency,
			   currency_digits(ptot[i].currency, 3), pts, n);
		free(pts);
	}
}

static void write_statements(struct out *o, size_t from, size_t to, bool whole_report)
{
	if (opt.format == FMT_TSV)
		out_puts(o, STATEMENT_TSV_HEADER);
	else
		doc_begin(o, "Payout statements");
	if (opt.format == FMT_HTML) {
		if (whole_report)
			totals_charts(o);
		else
			for (size_t i = from; i < to; i++) {
				struct chart_point *pts;
				size_t n = account_history(m.st[i].account, m.st[i].period, &pts);
				html_chart(o, "Your revenue and payouts per period", m.acc[m.st[i].account].currency,
					   m.acc[m.st[i].account].digits, pts, n);
				free(pts);
			}
	}
	for (size_t i = from; i < to; i++) {
		if (i > from && opt.format == FMT_TEXT)
			out_puts(o, "----------------------------------------------------------------------\n\n");
		render_statement(o, &m.st[i]);
		if (opt.format == FMT_MD && i + 1 < to)
			out_putc(o, '\n');
	}
	doc_end(o);
}

/* --out-dir: one file per payee and period; each path written is printed. */
static void write_out_dir(void)
{
	for (size_t i = 0; i < m.nst;) {
		size_t j = i + 1;
		while (j < m.nst && m.st[j].period == m.st[i].period &&
		       m.acc[m.st[j].account].payee == m.acc[m.st[i].account].payee)
			j++;
		const char *payee = payee_name(m.st[i].account);
		char safe[REPORT_NAME_MAX + 1], per[DATE_BUF];
		report_safe_name(safe, sizeof safe, payee, strlen(payee));
		size_t plen = strlen(opt.out_dir) + strlen(safe) + DATE_BUF + 16;
		char *path = xmalloc(plen);
		snprintf(path, plen, "%s/%s-%s.%s", opt.out_dir, safe,
			 fmt_period(per, (struct period){opt.kind, m.st[i].period}), format_ext[opt.format]);
		struct out o;
		stop_if_interrupted();
		if (out_open_file(&o, path) < 0)
			diag_die(EXIT_DATA, "%s: %s", path, strerror(errno));
		write_statements(&o, i, j, false);
		if (out_close(&o) < 0)
			diag_die(EXIT_DATA, "%s: write error: %s", path, strerror(errno));
		struct out *so = out_stdout();
		out_puts(so, path);
		out_putc(so, '\n');
		free(path);
		i = j;
	}
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

/* ------------------------------------------------ tables (check, summary) */

#define TABLE_MAXCOLS 8

struct table {
	char title[256];                 /* heading for people */
	int ncols;
	const char *cols[TABLE_MAXCOLS]; /* column names (TSV) and headings */
	bool numeric[TABLE_MAXCOLS];     /* right-aligned, generated: never neutralised */
	char **cells;                    /* nrows * ncols strings (owned) */
	size_t nrows, cap;
};

static void table_init(struct table *t, const char *title, const char *cols, const char *numeric)
{
	memset(t, 0, sizeof *t);
	snprintf(t->title, sizeof t->title, "%s", title);
	char *copy = xstrdup(cols), *save = NULL;
	for (char *c = strtok_r(copy, " ", &save); c && t->ncols < TABLE_MAXCOLS; c = strtok_r(NULL, " ", &save)) {
		t->numeric[t->ncols] = numeric[t->ncols] == 'n';
		t->cols[t->ncols++] = xstrdup(c);
	}
	free(copy);
}

/* Add a row of t->ncols strings (copied). */
static void table_add(struct table *t, const char *const *cells)
{
	if ((t->nrows + 1) * (size_t)t->ncols > t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64 * (size_t)t->ncols;
		t->cells = xrealloc(t->cells, t->cap * sizeof *t->cells);
	}
	for (int i = 0; i < t->ncols; i++)
		t->cells[t->nrows * (size_t)t->ncols + (size_t)i] = xstrdup(cells[i]);
	t->nrows++;
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	for (int i = 0; i < t->ncols; i++)
		free((char *)t->cols[i]);
	free(t->cells);
	memset(t, 0, sizeof *t);
}

static void table_cell(struct out *o, const struct table *t, int col, const char *s)
{
	size_t len = strlen(s);
	if (t->numeric[col] || opt.format == FMT_TSV) {
		if (opt.format == FMT_HTML)
			report_put_html(o, s, len); /* generated: no formula to neutralise */
		else if (opt.format == FMT_TSV)
			tsv_escape_to(o, s, len);
		else
			out_puts(o, s);
	} else
		put_data(o, s);
}

/* The table as a plain TSV stream, or for people. */
static void table_render(struct out *o, const struct table *t, bool tsv_header)
{
	const char *const *cell = (const char *const *)t->cells;
	size_t nc = (size_t)t->ncols;

	if (opt.format == FMT_TSV) {
		if (tsv_header)
			for (size_t c = 0; c < nc; c++)
				out_printf(o, "%s%c", t->cols[c], c + 1 < nc ? '\t' : '\n');
		for (size_t r = 0; r < t->nrows; r++)
			for (size_t c = 0; c < nc; c++) {
				table_cell(o, t, (int)c, cell[r * nc + c]);
				out_putc(o, c + 1 < nc ? '\t' : '\n');
			}
		return;
	}
	if (opt.format == FMT_TEXT) {
		size_t w[TABLE_MAXCOLS];
		for (size_t c = 0; c < nc; c++) {
			w[c] = strlen(t->cols[c]);
			for (size_t r = 0; r < t->nrows; r++) {
				const char *s = cell[r * nc + c];
				size_t x = report_text_width(s, strlen(s)) + (!t->numeric[c] && report_is_formula(s, strlen(s)));
				if (x > w[c])
					w[c] = x;
			}
		}
		out_printf(o, "%s\n\n", t->title);
		for (size_t r = 0; r <= t->nrows; r++) {
			for (size_t c = 0; c < nc; c++) {
				const char *s = r ? cell[(r - 1) * nc + c] : t->cols[c];
				size_t x = report_text_width(s, strlen(s)) + (r && !t->numeric[c] && report_is_formula(s, strlen(s)));
				if (t->numeric[c])
					put_spaces(o, w[c] - x);
				if (r)
					table_cell(o, t, (int)c, s);
				else
					out_puts(o, s);
				if (c + 1 < nc)
					put_spaces(o, (t->numeric[c] ? 0 : w[c] - x) + 2);
			}
			out_putc(o, '\n');
		}
		out_putc(o, '\n');
		return;
	}
	if (opt.format == FMT_MD) {
		out_printf(o, "### %s\n\n|", t->title);
		for (size_t c = 0; c < nc; c++)
			out_printf(o, " %s |", t->cols[c]);
		out_puts(o, "\n|");
		for (size_t c = 0; c < nc; c++)
			out_puts(o, t->numeric[c] ? "---:|" : ":---|");
		out_putc(o, '\n');
		for (size_t r = 0; r < t->nrows; r++) {
			out_putc(o, '|');
			for (size_t c = 0; c < nc; c++) {
				out_putc(o, ' ');
				table_cell(o, t, (int)c, cell[r * nc + c]);
				out_puts(o, " |");
			}
			out_putc(o, '\n');
		}
		out_putc(o, '\n');
		return;
	}
	out_printf(o, "<h3>%s</h3>\n<table>\n<thead><tr>", t->title);
	for (size_t c = 0; c < nc; c++)
		out_printf(o, "<th%s>%s</th>", t->numeric[c] ? " class=\"n\"" : "", t->cols[c]);
	out_puts(o, "</tr></thead>\n<tbody>\n");
	for (size_t r = 0; r < t->nrows; r++) {
		out_puts(o, "<tr>");
		for (size_t c = 0; c < nc; c++) {
			out_puts(o, t->numeric[c] ? "<td class=\"n\">" : "<td>");
			table_cell(o, t, (int)c, cell[r * nc + c]);
			out_puts(o, "</td>");
		}
		out_puts(o, "</tr>\n");
	}
	out_puts(o, "</tbody>\n</table>\n");
}

/* ------------------------------------------------------ the conservation check */

static int cmp_ctotal(const void *pa, const void *pb)
{
	const struct ctotal *a = pa, *b = pb;
	if (a->period != b->period)
		return a->period < b->period ? -1 : 1;
	return strcmp(a->currency, b->currency);
}

static void run_check(void)
{
	struct table t;
	struct out *o = out_stdout();

	/* every period and currency with statements has a line, sales or not */
	for (uint32_t i = 0; i < nptot; i++)
		total_of(ptot[i].period, ptot[i].currency);
	qsort(m.tot, m.ntot, sizeof *m.tot, cmp_ctotal);
	table_init(&t, "Conservation check: net sales = allocated = paid + change in balances carried",
		   "period currency net_sales allocated paid carried_change status", "tsnnnnt");
	for (uint32_t i = 0; i < m.ntot; i++) {
		const struct ctotal *c = &m.tot[i];
		long id = keymap_find(&ptot_ix, (uint64_t)c->period, pack_currency(c->currency));
		int64_t paid = id >= 0 ? ptot[id].paid : 0, change = 0, sum;
		if (id >= 0 && !money_sub(ptot[id].carried_forward, ptot[id].brought_forward, &change))
			diag_die(EXIT_DATA, "the carried balances overflow");
		bool ok = money_add(paid, change, &sum) && sum == c->allocated && c->net == c->allocated;
		char per[DATE_BUF], a[MONEY_BUF], b[MONEY_BUF], p[MONEY_BUF], ch[MONEY_BUF];
		const char *row[7] = {fmt_period(per, (struct period){opt.kind, c->period}), c->currency,
				      fmt_money(a, c->net, c->digits), fmt_money(b, c->allocated, c->digits),
				      fmt_money(p, paid, c->digits), fmt_money(ch, change, c->digits),
				      ok ? "ok" : "DIFFERS"};
		table_add(&t, row);
		if (!ok) {
			char s[MONEY_BUF];
			diag_warn("%s %s: net sales %s, allocated %s, paid + carried change %s", per, c->currency, a, b,
				  fmt_money(s, sum, c->digits));
			m.status = EXIT_DATA;
		}
	}
	if (opt.format != FMT_TSV)
		doc_begin(o, "Conservation check");
	table_render(o, &t, true);
	doc_end(o);
	table_free(&t);
}

/* ------------------------------------------------------------------ main */

static void run_summary(char **files, size_t nfiles);

static void check_min_payout_currencies(void)
{
	bool bare = false;
	for (size_t i = 0; i < opt.nmins; i++)
		bare |= !opt.mins[i].currency[0];
	if (bare && !opt.to && m.ncurrencies > 1)
		diag_die(EXIT_USAGE, "--min-payout: an amount without a currency, and the input has %s and %s: "
				     "give one per currency (%s=50,%s=40) or use --fx and --to",
			 m.currencies[0], m.currencies[1], m.currencies[0], m.currencies[1]);
}

int main(int argc, char **argv)
{
	enum { OPT_FX = 256, OPT_TO };
	static const struct option longopts[] = {
		{"check", no_argument, NULL, 'c'},
		{"format", required_argument, NULL, 'f'},
		{"fx", required_argument, NULL, OPT_FX},
		{"help", no_argument, NULL, 'h'},
		{"ledger", required_argument, NULL, 'l'},
		{"min-payout", required_argument, NULL, 'm'},
		{"out-dir", required_argument, NULL, 'o'},
		{"period", required_argument, NULL, 'p'},
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
			opt.format = (enum format)i;
			break;
		}
		case 'h': usage(stdout, EXIT_OK); break;
		case 'l': opt.ledger = optarg; break;
		case 'm': parse_min_payout(optarg); break;
		case 'o': opt.out_dir = optarg; break;
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
		case OPT_TO:
			if (!valid_currency(optarg, strlen(optarg))) {
				diag_warn("--to: \"%s\" is not a currency code", optarg);
				usage(stderr, EXIT_USAGE);
			}
			opt.to = optarg;
			break;
		default: usage(stderr, EXIT_USAGE);
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
	if (opt.summary && (opt.ledger || opt.out_dir || opt.nmins)) {
		diag_warn("--summary takes no --ledger, --out-dir or --min-payout");
		usage(stderr, EXIT_USAGE);
	}
	if (opt.check && opt.out_dir) {
		diag_warn("--check writes no statements: no --out-dir");
		usage(stderr, EXIT_USAGE);
	}
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

	if (opt.summary) {
		run_summary(files, nfiles);
		out_stdout_close_or_die();
		return m.status;
	}
	catch_signals();
	if (opt.out_dir)
		prepare_out_dir();
	read_allocations(files, nfiles);
	check_min_payout_currencies();
	if (opt.ledger)
		load_ledger();
	settle_all();
	index_details();
	compute_totals();
	if (opt.check)
		run_check();
	else if (opt.out_dir)
		write_out_dir();
	else
		write_statements(out_stdout(), 0, m.nst, true);
	/* Everything the run shows must be out before the ledger commits it. */
	out_flush(out_stdout());
	if (opt.ledger && !opt.check)
		write_ledger();
	lock_release(&ledger_lock);
	out_stdout_close_or_die();
	return m.status;
}

/* ----------------------------------------------------------- the summary */

enum section { SEC_STREAM, SEC_PRODUCT, SEC_CHANNEL, SEC_COUNTRY };

struct pcur {                    /* one period and currency */
	int64_t period;
	char currency[4];
	int digits;
	int64_t revenue, refunds, fees, net;
	long customers, new_customers;
};

struct item {                    /* one stream, product, channel or country */
	uint32_t pc;
	enum section section;
	uint32_t name;
	int64_t gross, fee, net;
	long customers;
};

struct visit {                   /* a customer buying in a period and currency */
	uint32_t customer, pc;
};

static struct pcur *pcs;
static uint32_t npcs, cappcs;
static struct keymap pc_ix;
static struct item *items;
static uint32_t nitems, capitems;
static struct keymap item_ix;
static struct visit *visits;
static uint32_t nvisits, capvisits;
static struct keymap visit_ix;
static int64_t *first_period; /* per customer name id (sparse: indexed by name id) */
static size_t cap_first;

static uint32_t pcur_of(int64_t period, const char *cur)
{
	bool added;
	uint32_t id = keymap_get(&pc_ix, (uint64_t)period, pack_currency(cur), npcs, &added);
	if (added) {
		GROW(pcs, npcs, cappcs);
		pcs[id] = (struct pcur){period, {cur[0], cur[1], cur[2], 0}, currency_digits(cur, 3), 0, 0, 0, 0, 0, 0};
		npcs++;
	}
	return id;
}

static struct item *item_of(uint32_t pc, enum section sec, uint32_t name)
{
	bool added;
	uint32_t id = keymap_get(&item_ix, (uint64_t)pc << 8 | sec, name, nitems, &added);
	if (added) {
		GROW(items, nitems, capitems);
		items[id] = (struct item){pc, sec, name, 0, 0, 0, 0};
		nitems++;
	}
	return &items[id];
}

static bool field_is(const struct tsv_field *f, const char *s)
{
	return f->len == strlen(s) && memcmp(f->s, s, f->len) == 0;
}

static void summary_read(char **files, size_t nfiles)
{
	struct tsv_reader r;
	struct row_cache c = {0};
	int rc;

	if (tsv_open(&r, files, nfiles) < 0) {
		if (errno)
			diag_die(EXIT_USAGE, "%s: %s", r.file, strerror(errno));
		diag_die_at(EXIT_DATA, r.file, 1, "%s", r.err);
	}
	int c_date = tsv_col_or_die(&r, "date"), c_source = tsv_col_or_die(&r, "source");
	int c_kind = tsv_col_or_die(&r, "kind"), c_cur = tsv_col_or_die(&r, "currency");
	int c_gross = tsv_col_or_die(&r, "gross"), c_fee = tsv_col_or_die(&r, "fee");
	int c_net = tsv_col_or_die(&r, "net"), c_product = tsv_col(&r, "product");
	int c_country = tsv_col(&r, "country"), c_customer = tsv_col(&r, "customer");

	while ((rc = tsv_next(&r)) == 1) {
		const struct tsv_field *f = r.fields;
		row_date(&c, &r, &f[c_date]);
		if (opt.have_period && c.period != opt.period.index)
			continue;
		const struct tsv_field *kind = &f[c_kind];
		if (field_is(kind, "payout"))
			continue; /* a transfer, not business */
		row_currency(&c, &r, &f[c_cur]);
		int64_t gross = row_convert(&c, &r, row_amount(&r, "gross", &f[c_gross]));
		int64_t fee = row_convert(&c, &r, row_amount(&r, "fee", &f[c_fee]));
		int64_t net = row_convert(&c, &r, row_amount(&r, "net", &f[c_net]));
		uint32_t pc = pcur_of(c.period, opt.to ? opt.to : c.currency);
		struct pcur *p = &pcs[pc];
		p->fees = checked_add(p->fees, fee, r.file, r.line);
		p->net = checked_add(p->net, net, r.file, r.line);
		if (field_is(kind, "refund") || field_is(kind, "chargeback")) {
			p->refunds = checked_add(p->refunds, -gross, r.file, r.line);
			continue;
		}
		if (field_is(kind, "fee")) {
			/* a fee the platform charged on its own row is part of its
			 * effective take: in its channel's fee and net, not gross */
			struct item *ch = item_of(pc, SEC_CHANNEL, strtab_intern(&m.names, f[c_source].s, f[c_source].len));
			ch->fee = checked_add(ch->fee, fee, r.file, r.line);
			ch->net = checked_add(ch->net, net, r.file, r.line);
			continue;
		}
		if (!field_is(kind, "sale") && !field_is(kind, "subscription") && !field_is(kind, "tip"))
			continue; /* adjustments: in net only */
		p->revenue = checked_add(p->revenue, gross, r.file, r.line);
		static const struct tsv_field none = {"", 0, true};
		const struct tsv_field *fields[4] = {kind, c_product >= 0 ? &f[c_product] : &none, &f[c_source],
						     c_country >= 0 ? &f[c_country] : &none};
		struct item *it[4];
		for (int k = 0; k < 4; k++) {
			it[k] = item_of(pc, (enum section)k, strtab_intern(&m.names, fields[k]->s, fields[k]->len));
			it[k]->gross = checked_add(it[k]->gross, gross, r.file, r.line);
			it[k]->fee = checked_add(it[k]->fee, fee, r.file, r.line);
			it[k]->net = checked_add(it[k]->net, net, r.file, r.line);
		}
		if (c_customer >= 0 && f[c_customer].len > 0) {
			uint32_t cust = strtab_intern(&m.names, f[c_customer].s, f[c_customer].len);
			bool added;
			keymap_get(&visit_ix, cust, pc, nvisits, &added);
			if (added) {
				GROW(visits, nvisits, capvisits);
				visits[nvisits++] = (struct visit){cust, pc};
				p->customers++;
				it[SEC_COUNTRY]->customers++;
			}
			if (cust >= cap_first) {
				size_t old = cap_first;
				cap_first = (cust + 1) * 2;
				first_period = xrealloc(first_period, cap_first * sizeof *first_period);
				for (size_t i = old; i < cap_first; i++)
					first_period[i] = INT64_MAX;
			}
			if (c.period < first_period[cust])
				first_period[cust] = c.period;
		}
	}
	if (rc < 0) {
		if (errno)
			diag_die(EXIT_DATA, "%s: %s", r.file, strerror(errno));
		diag_die_at(EXIT_DATA, r.file, r.line, "%s", r.err);
	}
	tsv_close(&r);
	for (uint32_t i = 0; i < nvisits; i++)
		if (first_period[visits[i].customer] == pcs[visits[i].pc].period)
			pcs[visits[i].pc].new_customers++;
}

/* part / whole as a percentage with one decimal, rounded half to even;
 * "" when whole is 0. */
static const char *fmt_pct(char *buf, int64_t part, int64_t whole)
{
	int64_t tenths;
	if (whole == 0 || !money_muldiv(part, 1000, whole, &tenths)) {
		buf[0] = '\0';
		return buf;
	}
	int64_t mag = tenths < 0 ? -tenths : tenths;
	sprintf(buf, "%s%lld.%lld%%", tenths < 0 ? "-" : "", (long long)(mag / 10), (long long)(mag % 10));
	return buf;
}

static int cmp_pcur(const void *pa, const void *pb)
{
	const struct pcur *a = &pcs[*(const uint32_t *)pa], *b = &pcs[*(const uint32_t *)pb];
	if (a->period != b->period)
		return a->period < b->period ? -1 : 1;
	return strcmp(a->currency, b->currency);
}

/* Items: by section, then gross down, then name. */
static int cmp_item(const void *pa, const void *pb)
{
	const struct item *a = &items[*(const uint32_t *)pa], *b = &items[*(const uint32_t *)pb];
	if (a->section != b->section)
		return a->section < b->section ? -1 : 1;
	if (a->gross != b->gross)
		return a->gross > b->gross ? -1 : 1;
	return strcmp(m.names.s[a->name], m.names.s[b->name]);
}

#define TOP_PRODUCTS 5

/* TSV: one row per figure, "period currency section name metric value". */
static void summary_tsv_row(struct out *o, const struct pcur *p, const char *section, const char *name,
			    const char *metric, const char *value)
{
	char per[DATE_BUF];
	struct tsv_writer w;
	tsv_writer_init(&w, o);
	tsv_put_str(&w, fmt_period(per, (struct period){opt.kind, p->period}));
	tsv_put_str(&w, p->currency);
	tsv_put_str(&w, section);
	tsv_put_str(&w, name);
	tsv_put_str(&w, metric);
	tsv_put_str(&w, value);
	tsv_end_row(&w);
}

static void summary_one(struct out *o, uint32_t pc, const struct pcur *prev, const uint32_t *ord, uint32_t nord)
{
	const struct pcur *p = &pcs[pc];
	char per[DATE_BUF], v[8][MONEY_BUF + 8], title[256];
	int d = p->digits;

	fmt_period(per, (struct period){opt.kind, p->period});
	struct table t[5];
	snprintf(title, sizeof title, "%s in %s: at a glance", per, p->currency);
	table_init(&t[0], "Overview", "metric value", "tn");
	long returning = p->customers - p->new_customers;
	char growth[32] = "";
	if (opt.format != FMT_TSV)
		strcpy(growth, "n/a");
	if (prev) {
		int64_t diff;
		if (money_sub(p->revenue, prev->revenue, &diff))
			fmt_pct(growth, diff, prev->revenue < 0 ? -prev->revenue : prev->revenue);
	}
	const char *ov[][2] = {
		{"revenue", fmt_money(v[0], p->revenue, d)},
		{"refunds", fmt_money(v[1], p->refunds, d)},
		{"refund_rate", fmt_pct(v[2], p->refunds, p->revenue)},
		{"fees", fmt_money(v[3], p->fees, d)},
		{"net", fmt_money(v[4], p->net, d)},
		{"customers", (snprintf(v[5], sizeof v[5], "%ld", p->customers), v[5])},
		{"new_customers", (snprintf(v[6], sizeof v[6], "%ld", p->new_customers), v[6])},
		{"returning_customers", (snprintf(v[7], sizeof v[7], "%ld", returning), v[7])},
		{"growth", growth},
	};
	for (size_t i = 0; i < sizeof ov / sizeof ov[0]; i++)
		table_add(&t[0], ov[i]);
	table_init(&t[1], "Revenue streams", "kind gross share", "tnn");
	table_init(&t[2], "Top products", "product gross share", "tnn");
	table_init(&t[3], "Channels", "source gross fee net take_rate share", "tnnnnn");
	table_init(&t[4], "Customers by country", "country customers gross share", "tnnn");
	int nproducts = 0;
	for (uint32_t k = 0; k < nord; k++) {
		const struct item *it = &items[ord[k]];
		const char *name = m.names.s[it->name];
		char g[MONEY_BUF], fe[MONEY_BUF], ne[MONEY_BUF], sh[32], tr[32], cu[32];
		fmt_money(g, it->gross, d);
		fmt_pct(sh, it->gross, p->revenue);
		switch (it->section) {
		case SEC_STREAM: table_add(&t[1], (const char *[]){name, g, sh}); break;
		case SEC_PRODUCT:
			if (nproducts++ < TOP_PRODUCTS)
				table_add(&t[2], (const char *[]){name, g, sh});
			break;
		case SEC_CHANNEL:
			table_add(&t[3], (const char *[]){name, g, fmt_money(fe, it->fee, d), fmt_money(ne, it->net, d),
							 fmt_pct(tr, it->fee, it->gross), sh});
			break;
		case SEC_COUNTRY:
			snprintf(cu, sizeof cu, "%ld", it->customers);
			table_add(&t[4], (const char *[]){name, cu, g, sh});
			break;
		}
	}
	if (opt.format == FMT_TSV) {
		for (size_t r = 0; r < t[0].nrows; r++)
			summary_tsv_row(o, p, "total", "", t[0].cells[r * 2], t[0].cells[r * 2 + 1]);
		static const char *const secs[5] = {"", "stream", "product", "channel", "country"};
		for (int k = 1; k < 5; k++)
			for (size_t r = 0; r < t[k].nrows; r++)
				for (int c = 1; c < t[k].ncols; c++)
					summary_tsv_row(o, p, secs[k], t[k].cells[r * (size_t)t[k].ncols],
							t[k].cols[c], t[k].cells[r * (size_t)t[k].ncols + (size_t)c]);
	} else {
		if (opt.format == FMT_HTML)
			out_printf(o, "<div class=\"summary\">\n<h2>%s</h2>\n", title);
		else if (opt.format == FMT_MD)
			out_printf(o, "## %s\n\n", title);
		else {
			out_printf(o, "%s\n", title);
			for (size_t i = strlen(title); i > 0; i--)
				out_putc(o, '=');
			out_puts(o, "\n\n");
		}
		for (int k = 0; k < 5; k++)
			if (t[k].nrows)
				table_render(o, &t[k], false);
		if (opt.format == FMT_HTML)
			out_puts(o, "</div>\n");
	}
	for (int k = 0; k < 5; k++)
		table_free(&t[k]);
}

static void run_summary(char **files, size_t nfiles)
{
	struct out *o = out_stdout();
	uint32_t *order = xmalloc((npcs + 1) * sizeof *order);

	summary_read(files, nfiles);
	order = xrealloc(order, (npcs + 1) * sizeof *order);
	for (uint32_t i = 0; i < npcs; i++)
		order[i] = i;
	qsort(order, npcs, sizeof *order, cmp_pcur);
	uint32_t *iord = xmalloc((nitems + 1) * sizeof *iord);
	for (uint32_t i = 0; i < nitems; i++)
		iord[i] = i;
	/* group the items by period and currency, then sort each group */
	uint32_t *start = xcalloc(npcs + 1, sizeof *start);
	for (uint32_t i = 0; i < nitems; i++)
		start[items[i].pc + 1]++;
	for (uint32_t i = 0; i < npcs; i++)
		start[i + 1] += start[i];
	uint32_t *fill = xmalloc((npcs + 1) * sizeof *fill);
	memcpy(fill, start, (npcs + 1) * sizeof *fill);
	for (uint32_t i = 0; i < nitems; i++)
		iord[fill[items[i].pc]++] = i;
	for (uint32_t i = 0; i < npcs; i++)
		qsort(iord + start[i], start[i + 1] - start[i], sizeof *iord, cmp_item);

	if (opt.format == FMT_TSV)
		out_puts(o, "period\tcurrency\tsection\tname\tmetric\tvalue\n");
	else
		doc_begin(o, "The business at a glance");
	if (opt.format == FMT_HTML) {
		for (uint32_t i = 0; i < npcs; i++) {
			bool first = true;
			for (uint32_t j = 0; j < i; j++)
				first &= strcmp(pcs[order[j]].currency, pcs[order[i]].currency) != 0;
			if (!first)
				continue;
			struct chart_point *pts = xmalloc(npcs * sizeof *pts);
			size_t n = 0;
			for (uint32_t j = 0; j < npcs; j++)
				if (strcmp(pcs[order[j]].currency, pcs[order[i]].currency) == 0)
					pts[n++] = (struct chart_point){pcs[order[j]].period, pcs[order[j]].revenue,
									pcs[order[j]].net};
			html_chart(o, "Revenue and net received per period", pcs[order[i]].currency,
				   pcs[order[i]].digits, pts, n);
			free(pts);
		}
	}
	for (uint32_t i = 0; i < npcs; i++) {
		const struct pcur *p = &pcs[order[i]], *prev = NULL;
		/* previous period of the same currency, if it is the one just before */
		long id = keymap_find(&pc_ix, (uint64_t)(p->period - 1), pack_currency(p->currency));
		if (id >= 0)
			prev = &pcs[id];
		summary_one(o, order[i], prev, iord + start[order[i]], start[order[i] + 1] - start[order[i]]);
	}
	doc_end(o);
	free(order);
	free(iord);
	free(start);
	free(fill);
}
