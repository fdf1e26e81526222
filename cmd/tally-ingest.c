/* tally-ingest - any platform's export (CSV/TSV) -> the canonical sales stream.
 *
 * Each input file's header is matched against the built-in formats (or
 * the one named by --format, or a --map file); the mapping turns every
 * record into canonical rows, which are filtered by date, de-duplicated on
 * (source, order, line, kind) and written as one TSV stream. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvin.h"
#include "date.h"
#include "cli.h"
#include "diag.h"
#include "extsort.h"
#include "hash.h"
#include "ingest_date.h"
#include "ingest_formats.h"
#include "ingest_hold.h"
#include "ingest_link.h"
#include "ingest_map.h"
#include "ingest_sniff.h"
#include "ingest_util.h"
#include "money.h"
#include "out.h"
#include "progress.h"
#include "paths.h"
#include "redact.h"
#include "reject.h"
#include "tsv.h"

#define HEADER_SEARCH 20 /* records looked at for a header (preamble lines) */
#define HOLD_BYTES (8 << 20) /* reversals held back for their sale, a file (ingest_hold.h) */

static const char canonical_header[] =
	"date\tsource\torder\tline\tproduct\tsku\tkind\tsale_date\tquantity\tcurrency\t"
	"gross\ttax\tfee\tnet\tcountry\tcustomer\torigin\n";

struct options {
	const char *format;     /* --format */
	const char *map;        /* --map */
	const char *rejects;    /* --rejects */
	const char *output;     /* --output, NULL: stdout */
	char currency[4];       /* --currency, upper case; "" if not given */
	int encoding;           /* --encoding, CSVIN_AUTO if not given */
	bool encoding_given;
	int sep;                /* --separator, 0: guess */
	bool have_since, have_until;
	int64_t since, until;   /* [since, until) */
	bool sort, lenient, keep_duplicates, keep_pii, verbose;
	bool explain;           /* --explain-format: say how each file is read, ingest nothing */
	bool by_reported;       /* --by-date reported: filter by the reporting date */
	int date_order;         /* --date-order: enum ingest_date_order, INGEST_EITHER if not given */
	bool redact;            /* --redact: pseudonyms for personal data in --rejects */
	enum progress_mode progress; /* --progress, --no-progress, else auto */
	uint8_t key[16];        /* customer pseudonym key */
};

struct stats {
	long files, read, wrote, rejected, duplicates, totals, ignored;
};

/* Rows of one file left out by --since/--until/--period. */
struct left_out {
	long n;
	int64_t first, last; /* the dates they had (the date filtered by) */
	bool reported;       /* some were filtered by their reported date */
};

/* ---- the duplicate set: 64-bit keyed hashes, open addressing ---------- */

/* The set is cut into 256 parts by the hash's top byte, each its own
 * linear-probing table grown on its own: a part's rehash holds two copies
 * of 1/256 of the set, so the peak stays near the set's size (8 bytes a
 * row over the load factor) instead of doubling. */
#define DEDUPE_PARTS 256

struct dedupe_part {
	uint64_t *slots; /* 0 = empty */
	size_t cap, n;
};

struct dedupe {
	struct dedupe_part part[DEDUPE_PARTS];
};

static size_t slot_of(uint64_t h, size_t cap)
{
	__extension__ typedef unsigned __int128 u128;
	return (size_t)(((u128)(h << 8) * cap) >> 64); /* the bits below the part's */
}

static void part_put(uint64_t *slots, size_t cap, uint64_t h)
{
	size_t j = slot_of(h, cap);
	while (slots[j])
		j = j + 1 == cap ? 0 : j + 1;
	slots[j] = h;
}

/* Insert h; false if it was already there. */
static bool dedupe_add(struct dedupe *d, uint64_t h)
{
	if (h == 0)
		h = 1;
	struct dedupe_part *p = &d->part[h >> 56];
	if ((p->n + 1) * 8 > p->cap * 7) { /* keep the load under 7/8 */
		size_t cap = p->cap ? p->cap + p->cap / 2 : 64;
		uint64_t *s = xcalloc(cap, sizeof *s);
		for (size_t i = 0; i < p->cap; i++)
			if (p->slots[i])
				part_put(s, cap, p->slots[i]);
		free(p->slots);
		p->slots = s;
		p->cap = cap;
	}
	size_t j = slot_of(h, p->cap);
	while (p->slots[j]) {
		if (p->slots[j] == h)
			return false;
		j = j + 1 == p->cap ? 0 : j + 1;
	}
	p->slots[j] = h;
	p->n++;
	return true;
}

static void dedupe_free(struct dedupe *d)
{
	for (size_t i = 0; i < DEDUPE_PARTS; i++)
		free(d->part[i].slots);
}

/* ---- usage ---------------------------------------------------------------- */

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
			"      --keep-duplicates keep rows whose (source, order, line, kind) was seen before\n"
			"      --keep-pii        write buyer ids and e-mails as they are, not pseudonyms\n"
			"      --salt KEY        key of the customer pseudonyms (default: $TALLY_SALT,\n"
			"                        else the first line of the file $TALLY_SALT_FILE)\n"
			"      --redact          in the --rejects file, e-mails and names become pseudonyms\n"
			"      --currency CODE   currency of rows whose export gives none\n"
			"      --date-order ORD  mdy or dmy: how to read a file whose dates are all ambiguous (PayPal)\n"
			"      --encoding ENC    utf-8, cp1252, latin1, utf-16le, utf-16be (default: BOM, else utf-8)\n"
			"      --separator SEP   , ; or tab (default: guessed from the first line)\n"
			"  -v, --verbose         end with a summary on stderr\n"
			"  -h, --help            this help\n"
			"  -V, --version         print the version\n"
			"      --list-formats    list the built-in formats\n"
			"      --show-format NAME  print a built-in format's mapping\n"
			"      --explain-format  say which format each FILE is read as, why, and how\n");
	exit(status);
}

/* ---- helpers --------------------------------------------------------------- */

static struct imap *builtins;
static struct imap *user_map;            /* --map (global: freed or reachable at any exit) */
static struct csvin_field *first_fields; /* a file's first record, for the unknown-header message */
static char *first_names;

static void load_builtins(void)
{
	builtins = xcalloc(ingest_nformats, sizeof *builtins);
	for (size_t i = 0; i < ingest_nformats; i++)
		if (imap_parse(&builtins[i], ingest_formats[i].text, ingest_formats[i].name) < 0)
			diag_die(EXIT_DATA, "built-in format %s: %s", ingest_formats[i].name, builtins[i].err);
}

static struct imap *builtin_named(const char *name)
{
	for (size_t i = 0; i < ingest_nformats; i++)
		if (strcmp(ingest_formats[i].name, name) == 0)
			return &builtins[i];
	return NULL;
}

static int parse_when(const char *s, bool until, int64_t *t)
{
	bool has_time;
	if (date_parse_ex(s, strlen(s), t, &has_time) < 0)
		return -1;
	if (until && !has_time)
		*t += 86400; /* the whole day */
	else if (until)
		*t += 1;
	return 0;
}

/* Write "0.0000012" for a rounding total in 10^-10 units. */
static void format_e10(char *buf, size_t cap, int64_t v)
{
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	char frac[11];
	snprintf(frac, sizeof frac, "%010llu", (unsigned long long)(a % 10000000000ULL));
	int k = 9;
	while (k > 0 && frac[k] == '0')
		frac[k--] = '\0';
	snprintf(buf, cap, "%s%llu.%s", v < 0 ? "-" : "", (unsigned long long)(a / 10000000000ULL), frac);
}

/* The customer column: a keyed pseudonym of the platform's buyer id. */
static void put_customer(struct tsv_writer *w, const struct options *o, const char *s, size_t len)
{
	if (len == 0 || o->keep_pii) {
		tsv_put(w, s, len);
		return;
	}
	char pseudo[REDACT_PSEUDONYM_LEN + 1];
	redact_pseudonym(pseudo, o->key, s, len);
	tsv_put(w, pseudo, REDACT_PSEUDONYM_LEN);
}

/* Decimal text of v into buf (at least 21 bytes); returns the length. */
static size_t format_long(char *buf, long long v)
{
	char tmp[24];
	size_t n = 0, k = 0;
	unsigned long long a = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do
		tmp[n++] = (char)('0' + a % 10);
	while ((a /= 10) > 0);
	if (v < 0)
		buf[k++] = '-';
	while (n > 0)
		buf[k++] = tmp[--n];
	return k;
}

static void put_long(struct tsv_writer *w, long long v)
{
	char buf[24];
	tsv_put(w, buf, format_long(buf, v));
}

/* "YYYY-MM-DDTHH:MM:SSZ" of t, as date_format_time writes it, without
 * printf (it is on every row). */
static size_t format_time(char *buf, int64_t t)
{
	int64_t days = t / 86400, secs = t % 86400;
	if (secs < 0)
		secs += 86400, days--;
	int64_t y;
	unsigned mo, d;
	date_civil_from_days(days, &y, &mo, &d);
	if (y < 0 || y > 9999)
		return date_format_time(buf, t);
	unsigned v[6] = {(unsigned)y, mo, d, (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60)};
	char *p = buf;
	*p++ = (char)('0' + v[0] / 1000);
	*p++ = (char)('0' + v[0] / 100 % 10);
	*p++ = (char)('0' + v[0] / 10 % 10);
	*p++ = (char)('0' + v[0] % 10);
	static const char sep[] = "--T::Z";
	for (int i = 1; i < 6; i++) {
		*p++ = sep[i - 1];
		*p++ = (char)('0' + v[i] / 10);
		*p++ = (char)('0' + v[i] % 10);
	}
	*p++ = 'Z';
	*p = '\0';
	return (size_t)(p - buf);
}

static void write_row(struct tsv_writer *w, const struct options *o, const struct imap *m,
		      const struct imap_row *r, const char *file, long line)
{
	char buf[DATE_BUF];
	size_t n = format_time(buf, r->date);
	tsv_put(w, buf, n);
	tsv_put_str(w, m->source);
	tsv_put(w, r->text[IMAP_ORDER], r->text_len[IMAP_ORDER]);
	put_long(w, r->line);
	tsv_put(w, r->text[IMAP_PRODUCT], r->text_len[IMAP_PRODUCT]);
	tsv_put(w, r->text[IMAP_SKU], r->text_len[IMAP_SKU]);
	tsv_put_str(w, r->kind);
	if (r->has_sale_date) {
		n = format_time(buf, r->sale_date);
		tsv_put(w, buf, n);
	} else {
		tsv_put(w, "", 0);
	}
	put_long(w, r->quantity);
	tsv_put(w, r->text[IMAP_CURRENCY], r->text_len[IMAP_CURRENCY]);
	tsv_put_money(w, r->gross, r->digits);
	tsv_put_money(w, r->tax, r->digits);
	tsv_put_money(w, r->fee, r->digits);
	tsv_put_money(w, r->net, r->digits);
	tsv_put(w, r->text[IMAP_COUNTRY], r->text_len[IMAP_COUNTRY]);
	put_customer(w, o, r->text[IMAP_CUSTOMER], r->text_len[IMAP_CUSTOMER]);
	char origin[4096];
	size_t flen = strlen(file);
	if (flen > sizeof origin - 24)
		flen = sizeof origin - 24;
	memcpy(origin, file, flen);
	origin[flen] = ':';
	tsv_put(w, origin, flen + 1 + format_long(origin + flen + 1, line));
	tsv_end_row(w);
}

static uint64_t fold_text(uint64_t h, const char *s, size_t n)
{
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
		s += 8, n -= 8;
	}
	uint64_t w = 0;
	memcpy(&w, s, n);
	return hash_mix64(h ^ w ^ ((uint64_t)n << 56));
}

/* The duplicate key: a row is a duplicate only when it is the same record
 * as one before, the same source, id (or order), line and kind, and the
 * same content (date, amounts, quantity, currency, product, sku): rows
 * that share an id but differ (a tier change's proration credit, the
 * blank second row of a refunded two-item order) are two records. */
static uint64_t row_key(const struct imap *m, const struct imap_row *r)
{
	char buf[1024];
	/* the export's own id of the row when the format names one (Stripe's
	 * balance transaction: two partial refunds of one charge share the
	 * charge's order), else the order */
	int id = r->text_len[IMAP_ID] > 0 ? IMAP_ID : IMAP_ORDER;
	size_t n = 0, sl = strlen(m->source), ol = r->text_len[id], kl = strlen(r->kind);
	if (sl + ol + kl + 32 > sizeof buf)
		ol = sizeof buf - sl - kl - 32; /* ids are short; a cut one still hashes its start */
	memcpy(buf, m->source, sl + 1);
	n = sl + 1;
	memcpy(buf + n, r->text[id], ol);
	n += ol;
	buf[n++] = '\0';
	n += format_long(buf + n, r->line);
	buf[n++] = '\0';
	memcpy(buf + n, r->kind, kl);
	n += kl;
	const int64_t nums[7] = {r->date, r->quantity, r->gross, r->tax, r->fee, r->net,
				 r->has_sale_date ? r->sale_date : INT64_MIN};
	uint64_t h = 0x9e3779b97f4a7c15ULL;
	for (size_t i = 0; i < 7; i++)
		h = hash_mix64(h ^ (uint64_t)nums[i]);
	h = fold_text(h, r->text[IMAP_CURRENCY], r->text_len[IMAP_CURRENCY]);
	h = fold_text(h, r->text[IMAP_PRODUCT], r->text_len[IMAP_PRODUCT]);
	h = fold_text(h, r->text[IMAP_SKU], r->text_len[IMAP_SKU]);
	return ingest_fingerprint(buf, n) ^ h;
}

/* ---- one file -------------------------------------------------------------- */

struct run {
	struct options *o;
	struct stats st;
	struct reject_sink rejects;
	struct dedupe seen;
	struct extsort sorted;    /* --sort: rows by date, spilled to $TMPDIR */
	struct out *out;
	struct tsv_writer w;
	struct imap *user_map;
	int64_t rounding_e10;
	long rounded;
	struct left_out left_out; /* of the file being read */
	struct ingest_link link;  /* the file's sales by order, for its reversals */
	bool linking;             /* the file's format has reversal rows of their own */
	struct progress progress; /* the line on a terminal */
	uint64_t bytes_done;      /* bytes of the files read before this one */
	struct ingest_hold held;  /* reversals read before their sale, for the file's end */
	long early;               /* held reversals let out unlinked to keep the bound */
	int order;                /* the file's row order: 0 not known yet, 1 oldest first, -1 newest first */
	int64_t first_date;       /* the file's first row's date, while order is 0 */
	bool dated;               /* first_date is set */
};

/* ---- --sort ------------------------------------------------------------------ */

/* --sort: format the row and hand it to the external sort by its date.
 * A struct out over a buffer and no descriptor stages the row; it never
 * flushes, so a row that fills it is too long. */
static void sort_row(struct run *rn, const struct imap *m, const struct imap_row *r, const char *file, long line)
{
	static char stage_buf[EXTSORT_ROW_MAX + 1];
	struct out stage = {.fd = -1, .name = "<sort>", .buf = stage_buf, .cap = sizeof stage_buf};
	struct tsv_writer w2;
	tsv_writer_init(&w2, &stage);
	write_row(&w2, rn->o, m, r, file, line);
	if (stage.err || stage.len == stage.cap)
		diag_die(EXIT_DATA, "%s:%ld: row too long to sort: --sort takes rows of up to 64 KB as written",
			 file, line);
	if (extsort_add(&rn->sorted, r->date, stage.buf, stage.len) < 0)
		diag_die(EXIT_DATA, "--sort: temporary file in %s: %s", rn->sorted.tmpdir, strerror(errno));
}

/* Write the sorted rows out; with -v, say how many runs were spilled. */
static void sort_flush(struct run *rn)
{
	struct extsort *s = &rn->sorted;
	const char *row;
	size_t len;
	int rc = extsort_finish(s);
	if (rc == 0)
		while ((rc = extsort_next(s, &row, &len)) == 1)
			out_write(rn->out, row, len);
	if (rc < 0)
		diag_die(EXIT_DATA, "--sort: temporary file in %s: %s", s->tmpdir, strerror(errno));
	if (rn->o->verbose && extsort_spilled(s) > 0)
		diag_warn("--sort: spilled %zu run%s to %s", extsort_spilled(s),
			  extsort_spilled(s) == 1 ? "" : "s", s->tmpdir);
}

/* The day/month order of a file whose format decides it once a file
 * (PayPal: 03/04/2026 is March or April by the account's locale): read
 * every record's date; a field over 12 decides.  Mixed orders are an
 * error.  A file of ambiguous dates follows --date-order, else its time
 * zone (PDT: month first; BST, CET: day first), and says so; with no zone
 * that tells (none, or UTC) it is an error asking for --date-order, never
 * a guess.  Standard input cannot be read twice: it needs --date-order. */
static void decide_date_order(struct run *rn, struct imap *m, const struct csvin *main, const char *path)
{
	int col = imap_date_order_column(m), zcol = imap_date_order_zone_column(m);
	if (col < 0)
		return;
	if (rn->o->date_order != INGEST_EITHER) {
		imap_set_date_order(m, rn->o->date_order);
		return;
	}
	if (strcmp(main->file, "<stdin>") == 0)
		diag_die(EXIT_DATA, "%s: the %s format's day/month order is decided from all of a file's dates, and standard input is read once: give --date-order mdy or dmy, or name the file",
			 main->file, m->name);
	long first[3] = {0, 0, 0};
	char zone[8] = "";
	size_t zlen = 0;
	struct csvin c;
	if (csvin_open(&c, path, main->sep, main->enc) < 0)
		diag_die(EXIT_USAGE, "%s: %s", main->file, strerror(errno));
	int r;
	while ((r = csvin_next(&c)) > 0) {
		if ((size_t)col >= c.nfields)
			continue;
		enum ingest_date_order v = ingest_date_order_of(c.fields[col].s, c.fields[col].len);
		if (v != INGEST_EITHER && first[v] == 0)
			first[v] = c.line;
		if (zlen == 0 && zcol >= 0 && (size_t)zcol < c.nfields && c.fields[zcol].len < sizeof zone &&
		    c.line > main->line) {
			zlen = c.fields[zcol].len;
			memcpy(zone, c.fields[zcol].s, zlen);
		}
	}
	csvin_close(&c); /* a bad record is reported by the main read */
	if (first[INGEST_MDY] && first[INGEST_DMY])
		diag_die(EXIT_DATA, "%s: dates are month first on line %ld and day first on line %ld: give --date-order mdy or dmy",
			 main->file, first[INGEST_MDY], first[INGEST_DMY]);
	if (first[INGEST_MDY] || first[INGEST_DMY]) {
		imap_set_date_order(m, first[INGEST_MDY] ? INGEST_MDY : INGEST_DMY);
		return;
	}
	if (zlen == 0 || strcasecmp(zone, "UTC") == 0)
		diag_die(EXIT_DATA, "%s: every date could be month/day or day/month and %s: give --date-order mdy or dmy",
			 main->file, zlen ? "the time zone UTC does not tell which" : "no time zone tells which");
	bool dmy = !ingest_tz_is_american(zone, zlen);
	imap_set_date_order(m, dmy ? INGEST_DMY : INGEST_MDY);
	diag_warn("%s: every date could be month/day or day/month: read %s by the file's time zone %.*s (give --date-order %s if not)",
		  main->file, dmy ? "day first" : "month first", (int)zlen, zone, dmy ? "mdy" : "dmy");
}

/* Pick the mapping for a header record; NULL if none fits. */
static struct imap *match_header(struct run *rn, const struct csvin *c)
{
	if (rn->user_map) {
		size_t total, hit = imap_score(rn->user_map, c->fields, c->nfields, &total);
		return hit == total ? rn->user_map : NULL;
	}
	if (rn->o->format) {
		struct imap *m = builtin_named(rn->o->format);
		size_t total, hit = imap_score(m, c->fields, c->nfields, &total);
		return hit == total ? m : NULL;
	}
	struct imap *best = NULL;
	size_t best_total = 0;
	for (size_t i = 0; i < ingest_nformats; i++) {
		size_t total, hit = imap_score(&builtins[i], c->fields, c->nfields, &total);
		if (total > 0 && hit == total && total > best_total) {
			best = &builtins[i];
			best_total = total;
		}
	}
	return best;
}

/* Write into BUF (SIZE bytes) the detect columns of M that header F (NF
 * fields) lacks, quoted and comma-separated; returns how many. */
static size_t missing_columns(const struct imap *m, const struct csvin_field *f, size_t nf, char *buf, size_t size)
{
	size_t len = 0, n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < m->ndetect; i++) {
		struct imap_ref *r = m->detect[i];
		size_t total;
		struct imap one = {0};
		one.detect = &r;
		one.ndetect = 1;
		if (imap_score(&one, f, nf, &total) == 1)
			continue;
		n++;
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s\"%s\"", len ? ", " : "", r->names[0]);
	}
	return n;
}

static noreturn void unknown_header(struct run *rn, const char *file, const struct csvin_field *f, size_t nf)
{
	char miss[300];
	if (rn->user_map || rn->o->format) {
		struct imap *m = rn->user_map ? rn->user_map : builtin_named(rn->o->format);
		size_t nmiss = missing_columns(m, f, nf, miss, sizeof miss);
		diag_die(EXIT_USAGE, "%s: the header is not %s: missing column%s %s", file, m->name,
			 nmiss > 1 ? "s" : "", miss);
	}
	/* the nearest formats: most detect columns present, as a share */
	size_t order[64], n = 0;
	size_t hits[64], totals[64];
	for (size_t i = 0; i < ingest_nformats && i < 64; i++) {
		hits[i] = imap_score(&builtins[i], f, nf, &totals[i]);
		if (hits[i] > 0)
			order[n++] = i;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0; j--) {
			size_t a = order[j - 1], b = order[j];
			if (hits[b] * totals[a] > hits[a] * totals[b]) {
				order[j - 1] = b;
				order[j] = a;
			}
		}
	char near[400] = "";
	size_t len = 0;
	for (size_t k = 0; k < n && k < 3; k++) {
		size_t i = order[k];
		len += (size_t)snprintf(near + len, sizeof near - len, "%s%s (%zu of %zu columns)", k ? ", " : "",
					ingest_formats[i].name, hits[i], totals[i]);
	}
	if (n == 0)
		diag_die(EXIT_USAGE,
			 "%s: unknown export format (no built-in format is near); write a mapping and use --map",
			 file);
	size_t nmiss = missing_columns(&builtins[order[0]], f, nf, miss, sizeof miss);
	diag_die(EXIT_USAGE, "%s: unknown export format; nearest: %s; %s: missing column%s %s; write a mapping "
		 "and use --map", file, near, ingest_formats[order[0]].name, nmiss > 1 ? "s" : "", miss);
}

/* A reversal takes its sale's product and sku (issue: a refund named
 * "REFUND FOR CHARGE (...)" must be split by its sale's agreement).  A
 * sale is remembered.  Returns false for a reversal whose sale has not
 * been read (yet), true for every other row. */
static bool link_row(struct run *rn, struct imap_row *r)
{
	const char *k = r->kind;
	const char *order = r->text[IMAP_ORDER];
	size_t olen = r->text_len[IMAP_ORDER];
	if (strcmp(k, "sale") == 0 || strcmp(k, "subscription") == 0) {
		if (ingest_link_sale(&rn->link, order, olen, r->text[IMAP_PRODUCT], r->text_len[IMAP_PRODUCT],
				     r->text[IMAP_SKU], r->text_len[IMAP_SKU]) < 0)
			diag_die(EXIT_DATA, "out of memory");
	} else if (strcmp(k, "refund") == 0 || strcmp(k, "chargeback") == 0) {
		if (r->text_len[IMAP_LINK] > 0) { /* PayPal: Reference Txn ID */
			order = r->text[IMAP_LINK];
			olen = r->text_len[IMAP_LINK];
		}
		return ingest_link_find(&rn->link, order, olen, r->text[IMAP_PRODUCT], r->text_len[IMAP_PRODUCT],
					&r->text[IMAP_PRODUCT], &r->text_len[IMAP_PRODUCT], &r->text[IMAP_SKU],
					&r->text_len[IMAP_SKU]);
	}
	return true;
}

/* One canonical row out: left out by --since/--until, dropped as a
 * duplicate (key), or written (--sort: staged in memory). */
static void emit_one(struct run *rn, const struct imap *m, const struct imap_row *r, uint64_t key,
		     const char *file, long line)
{
	struct options *o = rn->o;
	bool by_reported = o->by_reported && r->has_reported;
	int64_t when = by_reported ? r->reported : r->date;
	if ((o->have_since && when < o->since) || (o->have_until && when >= o->until)) {
		struct left_out *lo = &rn->left_out;
		if (lo->n == 0 || when < lo->first)
			lo->first = when;
		if (lo->n == 0 || when > lo->last)
			lo->last = when;
		lo->n++;
		lo->reported |= by_reported;
		rn->st.ignored++;
		return;
	}
	if (!o->keep_duplicates && !dedupe_add(&rn->seen, key)) {
		rn->st.duplicates++;
		return;
	}
	rn->st.wrote++;
	if (!o->sort) {
		write_row(&rn->w, o, m, r, file, line);
		return;
	}
	sort_row(rn, m, r, file, line);
}

/* A held reversal out: linked to its sale if the sale has been read by
 * now.  Returns whether it was. */
static bool release_held(struct run *rn, const struct imap *m, struct ingest_held *e, const char *file)
{
	bool linked = link_row(rn, &e->row);
	emit_one(rn, m, &e->row, e->key, file, e->line);
	return linked;
}

/* A reversal whose sale has not been read yet (an Etsy statement is
 * newest first): held until the end of the file.  When the held rows
 * would pass HOLD_BYTES, the oldest go out first, linked if they can be,
 * and those that cannot are counted (rn->early). */
static void hold_row(struct run *rn, const struct imap *m, struct imap_row *r, uint64_t key, const char *file,
		     long line)
{
	while (ingest_hold_full(&rn->held, r)) {
		struct ingest_held *e = ingest_hold_pop(&rn->held);
		if (!e) { /* a row over the bound alone */
			emit_one(rn, m, r, key, file, line);
			rn->early++;
			return;
		}
		rn->early += !release_held(rn, m, e, file);
	}
	if (ingest_hold_push(&rn->held, r, key, line) < 0)
		diag_die(EXIT_DATA, "out of memory");
}

/* At the end of a file: every held reversal out, in the file's order,
 * each with its sale's product and sku when the file holds its sale. */
static void release_all(struct run *rn, const struct imap *m, const char *file)
{
	struct ingest_held *e;
	while ((e = ingest_hold_pop(&rn->held)))
		release_held(rn, m, e, file);
	if (rn->early > 0)
		diag_warn("%s: %ld refund row%s written before the end of the file without their sale's product "
			  "(more than %d MB of refunds held back; their sales may come later in the file)",
			  file, rn->early, rn->early == 1 ? "" : "s", HOLD_BYTES >> 20);
	rn->early = 0;
}

/* The file's row order, decided by the first date unlike the first: in
 * a file oldest first a reversal's sale comes before it, so nothing need
 * be held, and what was held goes out at once, in its place. */
static void note_order(struct run *rn, const struct imap *m, int64_t date, const char *file)
{
	if (rn->order != 0)
		return;
	if (!rn->dated) {
		rn->first_date = date;
		rn->dated = true;
		return;
	}
	if (date == rn->first_date)
		return;
	rn->order = date > rn->first_date ? 1 : -1;
	if (rn->order > 0)
		release_all(rn, m, file);
}

static void emit_rows(struct run *rn, struct imap *m, struct imap_row *rows, size_t n, const char *file,
		      long line)
{
	for (size_t i = 0; i < n; i++) {
		struct imap_row *r = &rows[i];
		/* the key of the row as the export gives it: a refund read with
		 * its sale in one file and without it in another is one record */
		uint64_t key = rn->o->keep_duplicates ? 0 : row_key(m, r);
		if (!rn->linking) {
			emit_one(rn, m, r, key, file, line);
			continue;
		}
		note_order(rn, m, r->date, file);
		if (!link_row(rn, r) && rn->order <= 0)
			hold_row(rn, m, r, key, file, line);
		else
			emit_one(rn, m, r, key, file, line);
	}
}

/* ---- --list-formats and --explain-format ------------------------------------ */

/* One format of --list-formats: name, title, "[inferred layout]" when no
 * real file of the layout was seen, then a "checked:" line for each real
 * shape it was built against. */
static void list_format(struct out *out, const struct imap *m)
{
	out_printf(out, "%-23s %s%s\n", m->name, m->title, m->inferred ? " [inferred layout]" : "");
	for (size_t i = 0; i < m->nchecked; i++)
		out_printf(out, "%-23s checked: %s\n", "", m->checked[i]);
}

/* The order of day, month and year in a date layout ("%d.%m.%Y": "day,
 * month, year"). */
static const char *date_order(const char *fmt)
{
	const char *d = strstr(fmt, "%d"), *mo = strstr(fmt, "%m"), *y = strstr(fmt, "%Y");
	if (!mo)
		mo = strstr(fmt, "%b") ? strstr(fmt, "%b") : strstr(fmt, "%B");
	if (!y)
		y = strstr(fmt, "%y");
	if (!mo || !y)
		return "no day-month order";
	if (!d)
		return y < mo ? "year, month" : "month, year";
	if (y < mo && mo < d)
		return "year, month, day";
	if (d < mo)
		return "day, month, year";
	return "month, day, year";
}

/* Which of a detect reference's names the header holds ("" if none). */
static const char *detect_name(const struct imap_ref *r, const struct csvin_field *hdr, size_t n)
{
	for (size_t k = 0; k < r->nnames; k++) {
		struct imap_ref one = *r;
		one.names[0] = r->names[k];
		one.nnames = 1;
		struct imap_ref *p = &one;
		struct imap probe = {0};
		probe.detect = &p;
		probe.ndetect = 1;
		size_t total;
		if (imap_score(&probe, hdr, n, &total) == 1)
			return r->names[k];
	}
	return "";
}

/* --explain-format: how FILE is read (format, why, separator, locale, date
 * layouts), what its rows become (kinds, skips, totals, rejects, dates),
 * and the mapping in effect.  c is just past the header record. */
static void explain_file(struct run *rn, struct imap *m, struct csvin *c)
{
	struct out *out = rn->out;
	long header_line = c->line;
	out_printf(out, "file: %s\nformat: %s (%s)%s\n", c->file, m->name, m->title ? m->title : "",
		   m->inferred ? " [inferred layout]" : "");
	for (size_t i = 0; i < m->nchecked; i++)
		out_printf(out, "checked: %s\n", m->checked[i]);
	if (m->note)
		out_printf(out, "note: %s\n", m->note);
	out_printf(out, "detected by: the header on line %ld holds all %zu detect columns:", header_line, m->ndetect);
	for (size_t i = 0; i < m->ndetect; i++)
		out_printf(out, " \"%s\"", detect_name(m->detect[i], c->fields, c->nfields));
	out_puts(out, "\n");
	if (header_line > 1)
		out_printf(out, "preamble: %ld line%s before the header passed over\n", header_line - 1,
			   header_line == 2 ? "" : "s");
	out_printf(out, "separator: %s\nencoding: %s\n", c->sep == '\t' ? "tab" : c->sep == ';' ? ";" : ",",
		   c->enc == CSVIN_UTF16LE ? "utf-16le" : c->enc == CSVIN_UTF16BE ? "utf-16be"
		   : c->enc == CSVIN_CP1252 ? "cp1252" : c->enc == CSVIN_LATIN1 ? "latin1" : "utf-8");
	out_printf(out, "number locale: decimal mark \"%c\" (%s)\n", m->decimal_mark,
		   m->decimal_mark == ',' ? "1.234,56" : "1,234.56");
	for (size_t i = 0; i < m->ndate_formats; i++)
		out_printf(out, "date layout%s: %s (%s)\n", m->ndate_formats > 1 ? " (tried in order)" : "",
			   m->date_formats[i], date_order(m->date_formats[i]));

	/* the rows, read as ingesting would, nothing written */
	long kinds[16] = {0}, skipped = 0, totals = 0, rejected = 0, read = 0, first_bad = 0;
	char bad[sizeof m->err] = "";
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	struct imap_row rows[IMAP_MAX_ROWS];
	for (;;) {
		int r = csvin_next(c);
		if (r == 0)
			break;
		if (r < 0 && errno)
			diag_die(EXIT_DATA, "%s: read error: %s", c->file, strerror(errno));
		size_t n = 0;
		int st = r < 0 ? IMAP_ERR : imap_eval(m, c->fields, c->nfields, c->raw, c->raw_len, rows, &n);
		if (st == IMAP_STOP)
			break;
		if (st == IMAP_TOTAL) {
			totals++;
			continue;
		}
		read++;
		if (st == IMAP_SKIP) {
			skipped++;
			continue;
		}
		if (st == IMAP_ERR) {
			if (!rejected++) {
				first_bad = c->line;
				snprintf(bad, sizeof bad, "%s", r < 0 ? c->err : m->err);
			}
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			for (size_t k = 0; k < 16 && imap_kinds[k]; k++)
				if (strcmp(rows[i].kind, imap_kinds[k]) == 0)
					kinds[k]++;
			lo = rows[i].date < lo ? rows[i].date : lo;
			hi = rows[i].date > hi ? rows[i].date : hi;
		}
	}
	if (imap_finish(m) < 0) {
		rejected++;
		out_printf(out, "totals row: %s\n", m->err);
	}
	out_printf(out, "rows: %ld read, %ld passed over by skip rules, %ld totals row%s, %ld the format rejects\n",
		   read, skipped, totals, totals == 1 ? "" : "s", rejected);
	if (rejected)
		out_printf(out, "first rejected: line %ld: %s\n", first_bad, bad);
	out_puts(out, "canonical rows:");
	for (size_t k = 0; k < 16 && imap_kinds[k]; k++)
		if (kinds[k])
			out_printf(out, " %s %ld", imap_kinds[k], kinds[k]);
	out_puts(out, "\n");
	if (lo <= hi) {
		char a[32], b[32];
		format_time(a, lo);
		format_time(b, hi);
		out_printf(out, "dates: %.10s to %.10s\n", a, b);
	}
	out_puts(out, "mapping:\n");
	const char *t = m->text_copy;
	while (*t) {
		const char *nl = strchr(t, '\n');
		size_t len = nl ? (size_t)(nl - t) : strlen(t);
		out_printf(out, "  %.*s\n", (int)len, t);
		t += len + (nl ? 1 : 0);
	}
}

/* A bad record to the rejects (--redact: its personal data pseudonymised). */
static void reject(struct run *rn, const struct csvin *c, const struct imap *m,
		   const char *header, size_t header_len, const char *reason)
{
	size_t len = c->raw_len;
	char *red = rn->o->redact ? redact_record(c->raw, c->raw_len, c->fields, c->nfields,
						  m->header, m->ncols, rn->o->key, &len)
				  : NULL;
	if (rn->o->redact && !red)
		diag_die(EXIT_DATA, "out of memory");
	reject_row(&rn->rejects, c->file, c->line, header, header_len, red ? red : c->raw, len, reason);
	free(red);
}

static void ingest_file(struct run *rn, const char *path)
{
	struct options *o = rn->o;
	struct csvin c;
	struct imap *m = NULL;
	char *header_raw = NULL;
	size_t header_len = 0;

	rn->st.files++;
	/* A mapping known before the header is read says how to read it. */
	struct imap *forced = rn->user_map ? rn->user_map : o->format ? builtin_named(o->format) : NULL;
	int enc = o->encoding;
	if (forced && !o->encoding_given && forced->enc >= 0)
		enc = forced->enc;
	for (int attempt = 0; attempt < 2; attempt++) {
		int sep = o->sep;
		if (attempt == 0 && !sep && forced)
			sep = forced->sep;
		if (attempt == 1)
			sep = m->sep;
		if (csvin_open(&c, path, sep, (enum csvin_encoding)enc) < 0)
			diag_die(EXIT_USAGE, "%s: %s", c.file, strerror(errno));
		const char *not_text = ingest_sniff_not_text(c.buf + c.buf_start, c.buf_end - c.buf_start);
		if (not_text)
			diag_die(EXIT_DATA, "%s: %s", c.file, not_text);
		size_t first_n = 0;
		m = NULL;
		for (int k = 0; k < HEADER_SEARCH; k++) {
			int r = csvin_next(&c);
			if (r == 0)
				break;
			if (r < 0) {
				if (errno)
					diag_die(EXIT_DATA, "%s: read error: %s", c.file, strerror(errno));
				diag_die_at(EXIT_DATA, c.file, c.line, "%s", c.err);
			}
			if (k == 0) { /* keep the first record for the "nearest" message */
				size_t total = 0;
				for (size_t i = 0; i < c.nfields; i++)
					total += c.fields[i].len + 1;
				first_names = xmalloc(total ? total : 1);
				first_fields = xcalloc(c.nfields ? c.nfields : 1, sizeof *first_fields);
				size_t off = 0;
				for (size_t i = 0; i < c.nfields; i++) {
					memcpy(first_names + off, c.fields[i].s, c.fields[i].len + 1);
					first_fields[i] = (struct csvin_field){first_names + off, c.fields[i].len};
					off += c.fields[i].len + 1;
				}
				first_n = c.nfields;
			}
			m = match_header(rn, &c);
			if (m)
				break;
		}
		if (!m) {
			if (first_n == 0)
				diag_die(EXIT_DATA, "%s: empty file: no header", c.file);
			unknown_header(rn, c.file, first_fields, first_n);
		}
		free(first_names);
		free(first_fields);
		first_names = NULL;
		first_fields = NULL;
		if (attempt == 0 && m->sep && m->sep != c.sep && strcmp(c.file, "<stdin>") != 0) {
			csvin_close(&c);
			continue; /* read again with the format's separator */
		}
		break;
	}
	if (!o->encoding_given && m->enc >= 0)
		csvin_set_encoding(&c, (enum csvin_encoding)m->enc);
	if (o->currency[0])
		memcpy(m->default_currency, o->currency, 4);
	header_raw = xstrndup(c.raw, c.raw_len);
	header_len = c.raw_len;
	if (imap_bind(m, c.fields, c.nfields) < 0)
		diag_die(EXIT_USAGE, "%s: %s", c.file, m->err);
	decide_date_order(rn, m, &c, path);
	if (o->explain) {
		explain_file(rn, m, &c);
		free(header_raw);
		csvin_close(&c);
		return;
	}
	/* --redact reads every column, to find the names in rejected rows */
	csvin_want(&c, o->redact ? NULL : m->want, m->ncols);
	int64_t rounding_before = m->rounding_e10;
	long rounded_before = m->rounded;
	long dups_before = rn->st.duplicates;
	rn->linking = imap_has_reversal_rows(m);
	ingest_link_reset(&rn->link);

	struct imap_row rows[IMAP_MAX_ROWS];
	for (;;) {
		int r = csvin_next(&c);
		progress_tick(&rn->progress, rn->bytes_done + c.bytes_read);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno)
				diag_die(EXIT_DATA, "%s: read error: %s", c.file, strerror(errno));
			rn->st.read++;
			rn->st.rejected++;
			reject(rn, &c, m, header_raw, header_len, c.err);
			continue;
		}
		size_t n;
		int st = imap_eval(m, c.fields, c.nfields, c.raw, c.raw_len, rows, &n);
		if (st == IMAP_STOP)
			break;
		if (st == IMAP_TOTAL) {
			rn->st.totals++;
			continue;
		}
		rn->st.read++;
		if (st == IMAP_SKIP) {
			rn->st.ignored++;
			continue;
		}
		if (st == IMAP_ERR) {
			rn->st.rejected++;
			reject(rn, &c, m, header_raw, header_len, m->err);
			continue;
		}
		bool bad = false;
		for (size_t i = 0; i < n && !bad; i++) {
			if (!rows[i].net_differs)
				continue;
			if (o->lenient) {
				diag_warn_at(c.file, c.line, "%s", rows[i].mismatch);
				continue;
			}
			rn->st.rejected++;
			reject(rn, &c, m, header_raw, header_len,
				   rows[i].mismatch);
			bad = true;
		}
		if (!bad)
			emit_rows(rn, m, rows, n, c.file, c.line);
	}
	release_all(rn, m, c.file);
	rn->order = 0;
	rn->dated = false;
	if (imap_finish(m) < 0)
		diag_die(EXIT_DATA, "%s: %s", c.file, m->err);
	if (rn->left_out.n > 0) {
		/* never silent: a lagging source (DistroKid dates rows by sale
		 * month) would otherwise vanish from a --period run */
		char a[DATE_BUF], b[DATE_BUF];
		date_format_day(a, rn->left_out.first);
		date_format_day(b, rn->left_out.last);
		diag_warn("%s: left out %ld %s row%s dated %s to %s (outside --since/--until/--period, by the %s date)",
			  c.file, rn->left_out.n, m->source, rn->left_out.n == 1 ? "" : "s", a, b,
			  rn->left_out.reported ? "reported" : "sale");
		rn->left_out = (struct left_out){0};
	}
	long dups = rn->st.duplicates - dups_before;
	if (dups > 0)
		diag_warn("%s: dropped %ld duplicate row%s (the same record as a row before: same source, id and content)",
			  c.file, dups, dups == 1 ? "" : "s");
	rn->rounding_e10 += m->rounding_e10 - rounding_before;
	rn->rounded += m->rounded - rounded_before;
	free(header_raw);
	rn->bytes_done += c.bytes_read;
	csvin_close(&c);
}

/* ---- main ------------------------------------------------------------------ */

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
static void set_key(struct options *o, const char *salt)
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

int main(int argc, char **argv)
{
	struct options o = {.encoding = CSVIN_AUTO};
	const char *salt = getenv("TALLY_SALT");
	bool list = false, have_period = false;
	const char *show = NULL;
	int ch;

	diag_init(argv[0]);
	struct cli_seen seen = {0};
	static const int many[] = {'p', OPT_PERIOD, 0}; /* refused below, with a reason */
	while ((ch = getopt_long(argc, argv, "f:hM:o:p:r:vV", longopts, NULL)) != -1) {
		if (!cli_once(&seen, ch, longopts, many))
			usage(stderr, EXIT_USAGE);
		switch (ch) {
		case 'f': o.format = optarg; break;
		case 'h': usage(stdout, EXIT_OK); break;
		case 'M': o.map = optarg; break;
		case 'o': o.output = optarg; break;
		case 'r': o.rejects = optarg; break;
		case 'v': o.verbose = true; break;
		case OPT_CURRENCY: /* "usd" as the files write it: upper-cased */
			for (size_t i = 0; i < 3 && optarg[i]; i++)
				o.currency[i] = (optarg[i] >= 'a' && optarg[i] <= 'z') ? (char)(optarg[i] - 'a' + 'A')
											 : optarg[i];
			if (strlen(optarg) != 3 || currency_digits(o.currency, 3) < 0)
				diag_die(EXIT_USAGE, "--currency: \"%s\" is not an ISO 4217 currency code", optarg);
			break;
		case OPT_ENCODING:
			o.encoding = csvin_encoding_parse(optarg);
			if (o.encoding < 0)
				diag_die(EXIT_USAGE, "--encoding: unknown encoding \"%s\" (utf-8, cp1252, latin1, utf-16le, utf-16be)",
					 optarg);
			o.encoding_given = o.encoding != CSVIN_AUTO;
			break;
		case OPT_SEPARATOR:
			if (strcmp(optarg, ",") == 0 || strcmp(optarg, ";") == 0)
				o.sep = optarg[0];
			else if (strcmp(optarg, "tab") == 0 || strcmp(optarg, "\t") == 0)
				o.sep = '\t';
			else
				diag_die(EXIT_USAGE, "--separator: use , ; or tab, not \"%s\"", optarg);
			break;
		case OPT_SINCE:
			if (parse_when(optarg, false, &o.since) < 0)
				diag_die(EXIT_USAGE, "--since: \"%s\" is not a date (YYYY-MM-DD)", optarg);
			o.have_since = true;
			break;
		case OPT_UNTIL:
			if (parse_when(optarg, true, &o.until) < 0)
				diag_die(EXIT_USAGE, "--until: \"%s\" is not a date (YYYY-MM-DD)", optarg);
			o.have_until = true;
			break;
		case 'p':
		case OPT_PERIOD: {
			struct period p;
			if (have_period)
				diag_die(EXIT_USAGE, "--period given twice (one period a run: use --since and --until for a range)");
			have_period = true;
			if (period_parse(optarg, strlen(optarg), &p) < 0)
				diag_die(EXIT_USAGE, "--period: \"%s\" is not a period (2026-10, 2026-Q4, 2026-W05, 2026)",
					 optarg);
			int64_t a = period_start(p), b = period_end(p);
			if (!o.have_since || a > o.since)
				o.since = a;
			if (!o.have_until || b < o.until)
				o.until = b;
			o.have_since = o.have_until = true;
			break;
		}
		case OPT_BY_DATE:
			if (strcmp(optarg, "reported") != 0 && strcmp(optarg, "sale") != 0)
				diag_die(EXIT_USAGE, "--by-date: use reported or sale, not \"%s\"", optarg);
			o.by_reported = optarg[0] == 'r';
			break;
		case OPT_DATE_ORDER:
			if (strcmp(optarg, "mdy") != 0 && strcmp(optarg, "dmy") != 0)
				diag_die(EXIT_USAGE, "--date-order: use mdy or dmy, not \"%s\"", optarg);
			o.date_order = optarg[0] == 'm' ? INGEST_MDY : INGEST_DMY;
			break;
		case OPT_SORT: o.sort = true; break;
		case OPT_LENIENT: o.lenient = true; break;
		case OPT_KEEP_DUP: o.keep_duplicates = true; break;
		case OPT_KEEP_PII: o.keep_pii = true; break;
		case OPT_SALT: salt = optarg; break;
		case OPT_REDACT: o.redact = true; break;
		case OPT_LIST: list = true; break;
		case OPT_SHOW: show = optarg; break;
		case OPT_EXPLAIN: o.explain = true; break;
		case OPT_PROGRESS: o.progress = PROGRESS_ON; break;
		case OPT_NO_PROGRESS: o.progress = PROGRESS_OFF; break;
		case 'V': cli_version();
		default:
			cli_hint_moved(optopt, moved);
			cli_hint_option(argv[optind - 1], longopts);
			usage(stderr, EXIT_USAGE);
		}
	}
	if (o.have_since && o.have_until && o.since >= o.until)
		diag_die(EXIT_USAGE, "--since is after --until (or --period): no row could be kept");
	load_builtins();
	if (list || show) {
		struct out *out = out_stdout();
		for (size_t i = 0; i < ingest_nformats; i++) {
			if (show && strcmp(show, ingest_formats[i].name) == 0)
				out_puts(out, ingest_formats[i].text);
			else if (list)
				list_format(out, &builtins[i]);
		}
		if (show && !builtin_named(show))
			diag_die(EXIT_USAGE, "--show-format: no built-in format \"%s\" (see --list-formats)", show);
		out_stdout_close_or_die();
		return EXIT_OK;
	}
	if (o.format && o.map)
		diag_die(EXIT_USAGE, "--format and --map cannot be used together");
	if (o.format && !builtin_named(o.format))
		diag_die(EXIT_USAGE, "--format: no built-in format \"%s\" (see --list-formats)", o.format);
	if (o.redact && !o.rejects)
		diag_die(EXIT_USAGE, "--redact is for the --rejects file: give --rejects FILE");
	set_key(&o, salt);

	const struct paths_role roles[] = {
		{o.map, "--map", true}, {o.output, "--output", false}, {o.rejects, "--rejects", false},
	};
	char clash[PATHS_MSG_MAX];
	if (paths_check(roles, 3, argv + optind, (size_t)(argc - optind), clash, sizeof clash))
		diag_die(EXIT_USAGE, "%s", clash);

	struct run rn = {.o = &o, .held = {.max_bytes = HOLD_BYTES}};
	extsort_init(&rn.sorted, o.sort ? sort_budget() : EXTSORT_BUDGET_DEFAULT, getenv("TMPDIR"));
	if (o.map) {
		size_t text_len;
		char *text = cli_read_file(o.map, &text_len);
		rn.user_map = user_map = xcalloc(1, sizeof *rn.user_map);
		int rc = imap_parse(rn.user_map, text, o.map);
		free(text);
		if (rc < 0)
			diag_die(EXIT_USAGE, "%s:%s", o.map, rn.user_map->err);
	}
	reject_open(&rn.rejects, o.rejects);
	struct out file_out;
	if (o.output) {
		/* a temporary renamed over FILE at the end: a run that fails
		 * (or is refused) leaves FILE as it was */
		if (out_open_file(&file_out, o.output) < 0)
			diag_die(EXIT_USAGE, "%s: %s", o.output, strerror(errno));
		rn.out = &file_out;
	} else {
		rn.out = out_stdout();
	}
	tsv_writer_init(&rn.w, rn.out);
	if (!o.explain)
		out_puts(rn.out, canonical_header);

	progress_start(&rn.progress, diag_prog, stderr, o.explain ? PROGRESS_OFF : o.progress,
		       argv + optind, (size_t)(argc - optind));
	if (optind >= argc)
		ingest_file(&rn, "-");
	for (int i = optind; i < argc; i++)
		ingest_file(&rn, argv[i]);

	progress_end(&rn.progress);
	if (o.sort)
		sort_flush(&rn);
	if (o.output && out_close(&file_out) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", o.output, strerror(errno));
	out_stdout_close_or_die();
	reject_close(&rn.rejects);
	if (rn.rounded > 0) {
		char e[48];
		format_e10(e, sizeof e, rn.rounding_e10);
		diag_warn("rounded %ld amount%s with more than 6 decimals to micro-units (half to even), total rounding %s",
			  rn.rounded, rn.rounded == 1 ? "" : "s", e);
	}
	if (o.verbose) {
		diag_warn("read %ld rows from %ld file%s: wrote %ld, rejected %ld, duplicates %ld, skipped %ld total rows%s",
			  rn.st.read, rn.st.files, rn.st.files == 1 ? "" : "s", rn.st.wrote, rn.st.rejected,
			  rn.st.duplicates, rn.st.totals, "");
		if (rn.st.ignored > 0)
			diag_warn("ignored %ld row%s (skip rules of the format, or outside --since/--until/--period)",
				  rn.st.ignored, rn.st.ignored == 1 ? "" : "s");
	}
	for (size_t i = 0; i < ingest_nformats; i++)
		imap_free(&builtins[i]);
	free(builtins);
	if (rn.user_map) {
		imap_free(rn.user_map);
		free(rn.user_map);
	}
	dedupe_free(&rn.seen);
	ingest_link_free(&rn.link);
	ingest_hold_free(&rn.held);
	extsort_free(&rn.sorted);
	return EXIT_OK; /* bad rows went to --rejects (without it the first was fatal) */
}
