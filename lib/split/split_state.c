/* split_state.c - tally-split's state file: recouped amounts of capped
 * tiers, the rows already split and the runs made (see split_state.h). */
#include "split_state.h"
#include "split_state_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "hash.h"
#include "money.h"
#include "tsv.h"

#define SECONDS_PER_DAY 86400
#define MAX_FIELDS 10 /* the most fields of a record, plus one to tell too many */

/* A key is never 0 (0 marks an empty slot). */
static uint64_t mix(uint64_t h)
{
	h = hash_mix64(h);
	return h ? h : 1;
}

uint64_t split_state_key(const char *source, const char *order, const char *line,
			 const char *kind, const char *date, unsigned n)
{
	const char *parts[4] = {source, order, line, kind};
	uint64_t h = HASH_FNV_OFFSET;
	for (int i = 0; i < 4; i++) /* each with its NUL, which separates them */
		h = hash_fnv1a(h, parts[i], strlen(parts[i]) + 1);
	if (date && *date)
		h = hash_fnv1a(h, date, strlen(date) + 1);
	if (n > 1) {
		char buf[16];
		int len = snprintf(buf, sizeof buf, "#%u", n);
		h = hash_fnv1a(h, buf, (size_t)len + 1);
	}
	return mix(h);
}

uint64_t split_state_digest(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 32;
	}
	for (; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ULL;
	return (h ^ n) * 0x100000001b3ULL;
}

/* ---- the seen set ------------------------------------------------------ */

/* The home slot of hash in a table of n slots (a power of two): by its
 * high bits, so that the table is in hash order but for the few records
 * displaced by probing, and writing it sorted is nearly linear. */
static size_t home_slot(uint64_t hash, size_t n)
{
	int bits = n > 1 ? __builtin_ctzll((unsigned long long)n) : 0;
	return bits ? (size_t)(hash >> (64 - bits)) : 0;
}

static int table_grow(struct split_state_table *t)
{
	size_t n = t->nslots ? t->nslots * 2 : 1024;
	struct split_state_seen *slots = calloc(n, sizeof *slots);
	if (!slots)
		return -1;
	for (size_t i = 0; i < t->nslots; i++) {
		if (!t->slots[i].hash)
			continue;
		size_t j = home_slot(t->slots[i].hash, n);
		while (slots[j].hash)
			j = (j + 1) & (n - 1);
		slots[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
	return 0;
}

struct split_state_seen *split_state_table_find(const struct split_state_table *t, uint64_t hash)
{
	if (!t->nslots)
		return NULL;
	for (size_t j = home_slot(hash, t->nslots); t->slots[j].hash; j = (j + 1) & (t->nslots - 1))
		if (t->slots[j].hash == hash)
			return &t->slots[j];
	return NULL;
}

struct split_state_seen *split_state_table_insert(struct split_state_table *t, uint64_t hash)
{
	if (2 * (t->n + 1) > t->nslots && table_grow(t) < 0)
		return NULL;
	size_t j = home_slot(hash, t->nslots);
	while (t->slots[j].hash && t->slots[j].hash != hash)
		j = (j + 1) & (t->nslots - 1);
	struct split_state_seen *e = &t->slots[j];
	if (!e->hash) {
		*e = (struct split_state_seen){hash, 0, 0, SPLIT_STATE_GONE};
		t->n++;
	}
	return e;
}

size_t split_state_rows(const struct split_state *s)
{
	return s->nhist - s->ngone + s->puts.n - s->nputs_gone;
}

/* The history's record of hash, or NULL: the directory of its top bits
 * gives the few records that can be it (hashes are uniform), searched by
 * bisection. */
static struct split_state_seen *hist_find(const struct split_state *s, uint64_t hash)
{
	size_t b = s->dir_bits ? (size_t)(hash >> (64 - s->dir_bits)) : 0;
	size_t lo = s->dir[b], hi = s->dir[b + 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->hist[mid].hash == hash)
			return s->hist[mid].cls == SPLIT_STATE_GONE ? NULL : &s->hist[mid];
		if (s->hist[mid].hash < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The directory of the history: dir[b] is the first record whose hash's
 * top dir_bits bits are b or more; about four records a bucket. */
static int build_dir(struct split_state *s)
{
	int bits = 0;
	while (bits < 40 && ((size_t)4 << bits) < s->nhist)
		bits++;
	size_t nb = (size_t)1 << bits;
	s->dir = malloc((nb + 1) * sizeof *s->dir);
	if (!s->dir)
		return -1;
	s->dir_bits = bits;
	size_t i = 0;
	for (size_t b = 0; b < nb; b++) {
		while (i < s->nhist && (bits ? (size_t)(s->hist[i].hash >> (64 - bits)) : 0) < b)
			i++;
		s->dir[b] = i;
	}
	s->dir[nb] = s->nhist;
	return 0;
}

/* The current row's answer for hash, or NULL. */
static struct split_state_local *local_find(struct split_state *s, uint64_t hash)
{
	for (size_t i = 0; i < s->nlocal; i++)
		if (s->local[i].rec.hash == hash)
			return &s->local[i];
	return NULL;
}

/* A key no row asked for (or a state not prepared): the segments probed,
 * newest first; a record found is kept in hits. */
static struct split_state_seen *probe(struct split_state *s, uint64_t hash)
{
	for (size_t i = s->nsegs; i-- > 0;) {
		struct split_keys_rec rec;
		int st = split_keys_lookup(&s->segs[i].cur, hash, &rec);
		if (st < 0) {
			snprintf(s->failed, sizeof s->failed, "segment %06" PRIu64 ": %s", s->segs[i].seq,
				 strerror(errno));
			return NULL;
		}
		if (st == 0)
			continue;
		if (rec.cls == SPLIT_STATE_GONE)
			return NULL;
		struct split_state_seen *e = split_state_table_insert(&s->hits, hash);
		if (!e) {
			snprintf(s->failed, sizeof s->failed, "out of memory");
			return NULL;
		}
		*e = (struct split_state_seen){hash, rec.basis, rec.day, rec.cls};
		return e;
	}
	return NULL;
}

struct split_state_seen *split_state_find(struct split_state *s, uint64_t hash)
{
	struct split_state_seen *e = split_state_table_find(&s->puts, hash);
	if (e)
		return e->cls == SPLIT_STATE_GONE ? NULL : e;
	if (s->nhist && (e = hist_find(s, hash)))
		return e;
	if ((e = split_state_table_find(&s->hits, hash)))
		return e->cls == SPLIT_STATE_GONE ? NULL : e;
	struct split_state_local *l = local_find(s, hash);
	if (l)
		return l->found ? &l->rec : NULL;
	return probe(s, hash);
}

static int32_t day_of(int64_t t)
{
	int64_t d = date_day(t);
	return (int32_t)d;
}

struct split_state_seen *split_state_put(struct split_state *s, uint64_t hash, int64_t day,
					 uint32_t cls, int64_t basis)
{
	struct split_state_seen *e = s->nhist ? hist_find(s, hash) : NULL;
	struct split_state_local *l = NULL;
	if (!e && !(e = split_state_table_find(&s->puts, hash)) && (l = local_find(s, hash)) && !l->shared) {
		l->found = l->dirty = true;
		e = &l->rec;
	}
	if (!e) {
		e = split_state_table_insert(&s->puts, hash);
		if (!e)
			return NULL;
	}
	if (e->cls == SPLIT_STATE_GONE && !l && e >= s->puts.slots && e < s->puts.slots + s->puts.nslots &&
	    e->day != 0) /* a removal this run taken back */
		s->nputs_gone--;
	e->day = day_of(day);
	e->cls = cls | SPLIT_STATE_THIS_RUN;
	e->basis = basis;
	return e;
}

void split_state_remove(struct split_state *s, uint64_t hash)
{
	struct split_state_seen *e = s->nhist ? hist_find(s, hash) : NULL;
	if (e) { /* kept in place, so that the history stays sorted */
		e->cls = SPLIT_STATE_GONE;
		s->ngone++;
		return;
	}
	struct split_state_local *l = local_find(s, hash);
	if (!split_state_table_find(&s->puts, hash) && l && !l->shared) {
		l->rec.cls = SPLIT_STATE_GONE;
		l->found = false;
		l->dirty = true;
		return;
	}
	e = split_state_table_insert(&s->puts, hash);
	if (!e) {
		snprintf(s->failed, sizeof s->failed, "out of memory");
		return;
	}
	if (e->cls == SPLIT_STATE_GONE && e->day != 0)
		return; /* removed already */
	/* a tombstone: it hides the segments' record; day 1 marks it counted */
	*e = (struct split_state_seen){hash, 0, 1, SPLIT_STATE_GONE};
	s->nputs_gone++;
}

/* ---- classes ----------------------------------------------------------- */

/* A class as one key of the class names: its parts NUL-separated, the
 * terms as 8 bytes.  Returns the key's length, or 0 when it does not fit
 * in cap bytes. */
static size_t class_key(char *buf, size_t cap, const char *agreement, uint64_t terms, const char *product,
			const char *sku, const char *currency)
{
	size_t la = strlen(agreement) + 1, lp = strlen(product) + 1, ls = strlen(sku) + 1, lc = strlen(currency);
	size_t n = la + sizeof terms + lp + ls + lc;
	if (n > cap)
		return 0;
	memcpy(buf, agreement, la);
	memcpy(buf + la, &terms, sizeof terms);
	memcpy(buf + la + sizeof terms, product, lp);
	memcpy(buf + la + sizeof terms + lp, sku, ls);
	memcpy(buf + la + sizeof terms + lp + ls, currency, lc);
	return n;
}

static uint32_t class_add(struct split_state *s, const char *agreement, uint64_t terms, const char *product,
			  const char *sku, const char *currency, const char *key, size_t len)
{
	if (s->nclasses >= SPLIT_STATE_GONE - 1)
		return 0;
	void *p = realloc(s->classes, (s->nclasses + 1) * sizeof *s->classes);
	if (!p)
		return 0;
	s->classes = p;
	struct split_state_class *c = &s->classes[s->nclasses];
	c->agreement = strdup(agreement);
	c->terms = terms;
	c->product = strdup(product);
	c->sku = strdup(sku);
	snprintf(c->currency, sizeof c->currency, "%s", currency);
	uint32_t id;
	if (!c->agreement || !c->product || !c->sku || names_intern(&s->class_names, key, len, &id) < 0) {
		free(c->agreement);
		free(c->product);
		free(c->sku);
		return 0;
	}
	s->nclasses++;
	return id + 1;
}

uint32_t split_state_class(struct split_state *s, const char *agreement, uint64_t terms,
			   const char *product, const char *sku, const char *currency)
{
	char small[512], *key = small;
	size_t len = class_key(small, sizeof small, agreement, terms, product, sku, currency);
	if (len == 0) { /* a long agreement or product: rare */
		size_t cap = strlen(agreement) + strlen(product) + strlen(sku) + strlen(currency) + 16;
		if (!(key = malloc(cap)))
			return 0;
		len = class_key(key, cap, agreement, terms, product, sku, currency);
	}
	long found = names_find(&s->class_names, key, len);
	uint32_t id = found >= 0 ? (uint32_t)found + 1
				 : class_add(s, agreement, terms, product, sku, currency, key, len);
	if (key != small)
		free(key);
	return id;
}

const struct split_state_class *split_state_class_of(const struct split_state *s, uint32_t id)
{
	id &= ~SPLIT_STATE_THIS_RUN;
	return id >= 1 && id <= s->nclasses ? &s->classes[id - 1] : NULL;
}

/* ---- runs -------------------------------------------------------------- */

bool split_state_ran(const struct split_state *s, uint64_t input, uint64_t output)
{
	for (size_t i = 0; i < s->nruns; i++)
		if (s->runs[i].input == input && s->runs[i].output == output)
			return true;
	return false;
}

bool split_state_wrote(const struct split_state *s, uint64_t output)
{
	for (size_t i = 0; output != 0 && i < s->nruns; i++)
		if (s->runs[i].output == output)
			return true;
	return false;
}

int split_state_add_run(struct split_state *s, uint64_t input, uint64_t output)
{
	void *p = realloc(s->runs, (s->nruns + 1) * sizeof *s->runs);
	if (!p)
		return -1;
	s->runs = p;
	s->runs[s->nruns++] = (struct split_state_run){input, output};
	return 0;
}

/* ---- reading ----------------------------------------------------------- */

__attribute__((format(printf, 4, 5))) static int bad(long *err_line, long line, char *err,
						     const char *fmt, ...)
{
	va_list ap;
	*err_line = line;
	va_start(ap, fmt);
	vsnprintf(err, 256, fmt, ap);
	va_end(ap);
	return -2;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* 16 lower-case hex digits, not all zero unless zero_ok. */
static bool parse_hex64(const char *s, uint64_t *v, bool zero_ok)
{
	uint64_t h = 0;
	if (strlen(s) != 16)
		return false;
	for (size_t i = 0; i < 16; i++) {
		int d = hexval(s[i]);
		if (d < 0)
			return false;
		h = h << 4 | (uint64_t)d;
	}
	*v = h;
	return h != 0 || zero_ok;
}

/* A decimal count with no sign, no leading zero and no other byte. */
static bool parse_count(const char *s, uint64_t max, uint64_t *v)
{
	uint64_t n = 0;
	if (!*s || (s[0] == '0' && s[1]))
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*v = n;
	return true;
}

/* A signed integer of micro-units, as split_state_write writes it. */
static bool parse_micros(const char *s, int64_t *v)
{
	bool neg = *s == '-';
	uint64_t n;
	if (!parse_count(s + neg, neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, &n) ||
	    (neg && n == 0))
		return false;
	*v = neg ? (int64_t)(0 - n) : (int64_t)n;
	return true;
}

/* Field i unescaped in place; false on an invalid escape. */
static bool unescape(char *f)
{
	size_t l = tsv_unescape(f, strlen(f));
	if (l == (size_t)-1)
		return false;
	f[l] = '\0';
	return true;
}

/* A key of escaped fields f[0..n) joined by TAB (owned), or NULL. */
static char *join_key(char **f, size_t n)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(f[i]) + 1;
	char *key = malloc(len), *p = key;
	if (!key)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(f[i]);
		memcpy(p, f[i], l);
		p += l;
		*p++ = i + 1 < n ? '\t' : '\0';
	}
	if (n == 0)
		*p = '\0';
	return key;
}

/* Whether every field of f[0..n) has valid escapes (checked on a copy). */
static bool escapes_valid(char **f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *copy = strdup(f[i]);
		bool ok = copy && unescape(copy);
		free(copy);
		if (!ok)
			return false;
	}
	return true;
}

struct reader {
	struct split_state *s;
	long line;
	long *err_line;
	char *err;
	uint64_t chain;   /* digest of the lines so far */
	uint64_t records; /* records so far */
	bool ended;       /* the end record was read */
	size_t cap;       /* room in s->hist */
};

static int read_cap(struct reader *rd, char **f)
{
	struct split_state *s = rd->s;
	int64_t v;
	if (!escapes_valid(f + 1, 5))
		return bad(rd->err_line, rd->line, rd->err, "invalid escape");
	if (money_parse(f[6], strlen(f[6]), &v) != MONEY_OK || v < 0)
		return bad(rd->err_line, rd->line, rd->err, "bad recouped amount \"%s\"", f[6]);
	void *p = realloc(s->caps, (s->ncaps + 1) * sizeof *s->caps);
	if (!p)
		return -1;
	s->caps = p;
	char *key = join_key(f + 1, 5);
	if (!key)
		return -1;
	s->caps[s->ncaps].key = key;
	s->caps[s->ncaps++].recouped = v;
	return 0;
}

static int read_class(struct reader *rd, char **f)
{
	struct split_state *s = rd->s;
	uint64_t id;
	if (!parse_count(f[1], UINT32_MAX, &id) || id != s->nclasses + 1)
		return bad(rd->err_line, rd->line, rd->err, "class id \"%s\" is not %zu", f[1],
			   s->nclasses + 1);
	if (!escapes_valid(f + 2, 3) || !unescape(f[6]) || !unescape(f[7]))
		return bad(rd->err_line, rd->line, rd->err, "invalid escape");
	if (strlen(f[8]) != 3 || currency_digits(f[8], 3) < 0)
		return bad(rd->err_line, rd->line, rd->err, "bad currency \"%s\"", f[8]);
	bool deflt = !*f[2] && !*f[3] && !*f[4];
	uint64_t terms = 0;
	if (deflt ? strcmp(f[5], "-") != 0 : !parse_hex64(f[5], &terms, false))
		return bad(rd->err_line, rd->line, rd->err, "bad terms \"%s\"", f[5]);
	char *key = deflt ? strdup("") : join_key(f + 2, 3);
	if (!key)
		return -1;
	uint32_t got = split_state_class(s, key, terms, f[6], f[7], f[8]);
	free(key);
	if (got == 0)
		return -1;
	if (got != id)
		return bad(rd->err_line, rd->line, rd->err, "class %s repeats class %" PRIu32, f[1], got);
	return 0;
}

static int read_seen(struct reader *rd, char **f, size_t nf)
{
	struct split_state *s = rd->s;
	uint64_t h;
	if (!parse_hex64(f[1], &h, false))
		return bad(rd->err_line, rd->line, rd->err, "bad hash \"%s\"", f[1]);
	int64_t day;
	if (strlen(f[2]) != 10 || date_parse(f[2], 10, &day) < 0)
		return bad(rd->err_line, rd->line, rd->err, "bad seen record");
	uint64_t cls = SPLIT_STATE_LEGACY;
	int64_t basis = 0;
	if (nf == 5 && (!parse_count(f[3], s->nclasses, &cls) || cls == 0))
		return bad(rd->err_line, rd->line, rd->err, "seen record names class \"%s\", not one of the %zu before it",
			   f[3], s->nclasses);
	if (nf == 5 && !parse_micros(f[4], &basis))
		return bad(rd->err_line, rd->line, rd->err, "bad amount \"%s\"", f[4]);
	/* the file is sorted by hash: the history is kept so, and searched */
	if (s->nhist > 0 && s->hist[s->nhist - 1].hash >= h)
		return bad(rd->err_line, rd->line, rd->err, "seen record %s is out of order or repeated", f[1]);
	if (s->nhist == rd->cap) {
		size_t n = rd->cap ? rd->cap + rd->cap / 2 : 1024;
		void *p = realloc(s->hist, n * sizeof *s->hist);
		if (!p)
			return -1;
		s->hist = p;
		rd->cap = n;
	}
	s->hist[s->nhist++] = (struct split_state_seen){h, basis, day_of(day), (uint32_t)cls};
	return 0;
}

static int read_run(struct reader *rd, char **f)
{
	uint64_t in, out = 0;
	if (!parse_hex64(f[1], &in, true) || (strcmp(f[2], "-") != 0 && !parse_hex64(f[2], &out, false)))
		return bad(rd->err_line, rd->line, rd->err, "bad run record");
	return split_state_add_run(rd->s, in, out);
}

static int read_end(struct reader *rd, char **f)
{
	uint64_t count, digest;
	if (!parse_count(f[1], UINT64_MAX, &count) || !parse_hex64(f[2], &digest, true))
		return bad(rd->err_line, rd->line, rd->err, "bad end record");
	if (count != rd->records)
		return bad(rd->err_line, rd->line, rd->err,
			   "the end record counts %" PRIu64 " records, but %" PRIu64
			   " precede it: a line was removed or added; restore the state from a backup",
			   count, rd->records);
	if (digest != rd->chain)
		return bad(rd->err_line, rd->line, rd->err,
			   "the end record's digest %016" PRIx64 " is not that of the lines before it (%016" PRIx64
			   "): the state was edited or damaged; restore it from a backup",
			   digest, rd->chain);
	rd->ended = true;
	return 0;
}

/* A segment record: its number (ascending), rows and digest. */
static int read_segment(struct reader *rd, char **f)
{
	struct split_state *s = rd->s;
	uint64_t seq, rows, digest;
	if (!parse_count(f[1], UINT32_MAX, &seq) || seq == 0 || seq < s->next_seq ||
	    !parse_count(f[2], UINT64_MAX / 32, &rows) || !parse_hex64(f[3], &digest, false))
		return bad(rd->err_line, rd->line, rd->err, "bad segment record");
	void *p = realloc(s->segs, (s->nsegs + 1) * sizeof *s->segs);
	if (!p)
		return -1;
	s->segs = p;
	s->segs[s->nsegs] = (struct split_state_segment){.seq = seq, .rows = rows, .digest = digest};
	s->segs[s->nsegs].cur.k.fd = s->segs[s->nsegs].cur.r.fd = -1;
	s->nsegs++;
	s->next_seq = seq + 1;
	return 0;
}

/* One record: its fields f[0..nf), still escaped. */
static int read_record(struct reader *rd, char **f, size_t nf)
{
	bool v2 = rd->s->version >= 2, v3 = rd->s->version == 3;
	const char *t = f[0];
	if (rd->ended)
		return bad(rd->err_line, rd->line, rd->err, "a line after the end record");
	if (strcmp(t, "cap") == 0 && nf == 7)
		return read_cap(rd, f);
	if (!v3 && strcmp(t, "seen") == 0 && (nf == 3 || (v2 && nf == 5)))
		return read_seen(rd, f, nf);
	if (v2 && strcmp(t, "class") == 0 && nf == 9)
		return read_class(rd, f);
	if (v2 && strcmp(t, "run") == 0 && nf == 3)
		return read_run(rd, f);
	if (v3 && strcmp(t, "segment") == 0 && nf == 4)
		return read_segment(rd, f);
	if (v2 && strcmp(t, "end") == 0 && nf == 3)
		return read_end(rd, f);
	return bad(rd->err_line, rd->line, rd->err, "not a state record");
}

static int read_magic(struct reader *rd, const char *buf)
{
	if (strcmp(buf, SPLIT_STATE_MAGIC) == 0)
		rd->s->version = 2;
	else if (strcmp(buf, SPLIT_STATE_MAGIC_V3) == 0)
		rd->s->version = 3;
	else if (strcmp(buf, SPLIT_STATE_MAGIC_V1) == 0)
		rd->s->version = 1;
	else
		return bad(rd->err_line, 1, rd->err, "not a tally-split state file (no \"%s\" line)",
			   SPLIT_STATE_MAGIC);
	return 0;
}

static int read_lines(struct reader *rd, FILE *fp)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int st = 0;
	while (st == 0 && (n = getline(&buf, &cap, fp)) >= 0) {
		rd->line++;
		if (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		if (strlen(buf) != (size_t)n) {
			st = bad(rd->err_line, rd->line, rd->err, "a NUL byte");
			break;
		}
		bool is_end = strncmp(buf, "end\t", 4) == 0;
		if (!is_end && !rd->ended) { /* the end record's digest covers the lines before it */
			rd->chain = hash_fnv1a(rd->chain, buf, (size_t)n);
			rd->chain = hash_fnv1a(rd->chain, "\n", 1);
		}
		if (rd->line == 1) {
			st = read_magic(rd, buf);
		} else {
			char *f[MAX_FIELDS] = {NULL};
			size_t nf = 0;
			for (char *p = buf, *tok; nf < MAX_FIELDS && (tok = strsep(&p, "\t"));)
				f[nf++] = tok;
			st = read_record(rd, f, nf);
			if (st == 0 && !is_end)
				rd->records++;
		}
	}
	free(buf);
	if (st == 0 && ferror(fp))
		st = -1;
	return st;
}

int split_state_read(struct split_state *s, const char *path, long *err_line, char *err,
		     size_t errcap)
{
	(void)errcap;
	memset(s, 0, sizeof *s);
	*err_line = 0;
	FILE *fp = fopen(path, "r");
	if (!fp)
		return errno == ENOENT ? 0 : -1;
	struct reader rd = {s, 0, err_line, err, HASH_FNV_OFFSET, 0, false, 0};
	int st = read_lines(&rd, fp);
	if (st == 0 && s->nhist > 0 && build_dir(s) < 0)
		st = -1;
	if (st == 0 && rd.line == 0)
		st = bad(err_line, 0, err, "empty file: not a tally-split state file");
	if (st == 0 && s->version >= 2 && !rd.ended)
		st = bad(err_line, rd.line, err,
			 "no end record after the last line: the state is cut short; restore it from a backup");
	int saved = errno;
	fclose(fp);
	if (st != 0) {
		split_state_free(s);
		errno = saved;
	}
	return st;
}

int split_state_bind(const struct split_state *s, struct split_rules *r, char *err, size_t errcap)
{
	for (size_t i = 0; i < s->ncaps; i++)
		for (size_t a = 0; a < r->n; a++) {
			const struct split_agreement *ag = &r->agreements[a];
			for (size_t t = 0; t < ag->ntiers; t++) {
				const struct split_tier *tier = &ag->tiers[t];
				if (!tier->capped || strcmp(r->caps[tier->cap_index].key, s->caps[i].key))
					continue;
				if (s->caps[i].recouped > tier->cap) {
					char got[MONEY_BUF], cap[MONEY_BUF];
					int d = currency_digits(tier->cap_currency, 3);
					money_format(got, s->caps[i].recouped, d);
					money_format(cap, tier->cap, d);
					snprintf(err, errcap,
						 "tier %ld of agreement \"%s\" (line %ld) has recouped %s %s, more than its cap %s",
						 tier->number, ag->match, tier->line, got, tier->cap_currency, cap);
					return -1;
				}
				r->caps[tier->cap_index].recouped = s->caps[i].recouped;
			}
		}
	return 0;
}

/* ---- writing ----------------------------------------------------------- */

__attribute__((format(printf, 2, 3))) void split_state_emit(struct writer *w, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	char *line = small;
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof small) {
		line = malloc((size_t)n + 1);
		if (!line) {
			w->o->err = w->o->err ? w->o->err : ENOMEM;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(line, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	out_write(w->o, line, (size_t)n);
	w->chain = hash_fnv1a(w->chain, line, (size_t)n);
	w->records += line[0] != '#';
	if (line != small)
		free(line);
}

/* s escaped as in a tally stream (owned), or NULL. */
static char *escaped(const char *s)
{
	char *d = malloc(2 * strlen(s) + 1), *p = d;
	if (!d)
		return NULL;
	for (; *s; s++) {
		const char *e = *s == '\t' ? "\\t" : *s == '\n' ? "\\n" : *s == '\r' ? "\\r" : *s == '\\' ? "\\\\" : NULL;
		if (e) {
			*p++ = e[0];
			*p++ = e[1];
		} else {
			*p++ = *s;
		}
	}
	*p = '\0';
	return d;
}

static int cmp_cap(const void *a, const void *b)
{
	return strcmp(((const struct split_state_cap *)a)->key, ((const struct split_state_cap *)b)->key);
}

void split_state_write_caps(struct writer *w, const struct split_state *s, const struct split_rules *r)
{
	/* counters: the rules' and the others read, sorted by key */
	size_t n = r->ncaps + s->ncaps;
	struct split_state_cap *all = malloc((n ? n : 1) * sizeof *all);
	if (!all) {
		w->o->err = w->o->err ? w->o->err : ENOMEM;
		return;
	}
	size_t k = 0;
	for (size_t i = 0; i < r->ncaps; i++)
		all[k++] = (struct split_state_cap){r->caps[i].key, r->caps[i].recouped};
	for (size_t i = 0; i < s->ncaps; i++) {
		bool known = false;
		for (size_t j = 0; j < r->ncaps && !known; j++)
			known = strcmp(r->caps[j].key, s->caps[i].key) == 0;
		if (!known)
			all[k++] = s->caps[i];
	}
	qsort(all, k, sizeof *all, cmp_cap);
	for (size_t i = 0; i < k; i++) {
		const char *cur = strrchr(all[i].key, '\t');
		int d = cur ? currency_digits(cur + 1, strlen(cur + 1)) : 2;
		char amount[MONEY_BUF];
		money_format(amount, all[i].recouped, d < 0 ? 2 : d);
		split_state_emit(w, "cap\t%s\t%s\n", all[i].key, amount);
	}
	free(all);
}

void split_state_write_classes(struct writer *w, const struct split_state *s)
{
	for (size_t i = 0; i < s->nclasses; i++) {
		const struct split_state_class *c = &s->classes[i];
		char *product = escaped(c->product), *sku = escaped(c->sku);
		char terms[17] = "-";
		if (c->terms)
			snprintf(terms, sizeof terms, "%016" PRIx64, c->terms);
		if (product && sku)
			split_state_emit(w, "class\t%zu\t%s\t%s\t%s\t%s\t%s\n", i + 1, *c->agreement ? c->agreement : "\t\t",
			     terms, product, sku, c->currency);
		else
			w->o->err = w->o->err ? w->o->err : ENOMEM;
		free(product);
		free(sku);
	}
	for (size_t i = 0; i < s->nruns; i++) {
		if (s->runs[i].output)
			split_state_emit(w, "run\t%016" PRIx64 "\t%016" PRIx64 "\n", s->runs[i].input, s->runs[i].output);
		else
			split_state_emit(w, "run\t%016" PRIx64 "\t-\n", s->runs[i].input);
	}
}

/* Decimal digits of v at p; returns the end. */
static char *put_u64(char *p, uint64_t v)
{
	char rev[24];
	size_t k = 0;
	do
		rev[k++] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	while (k > 0)
		*p++ = rev[--k];
	return p;
}

/* One seen line, formatted by hand: with a million rows, printf would be
 * a third of the run.  *last_day and day[] cache the last day written. */
void split_state_write_seen_line(struct writer *w, const struct split_state_seen *e, int32_t *last_day,
			    char *day)
{
	static const char hex[] = "0123456789abcdef";
	char line[128], *p = line;
	memcpy(p, "seen\t", 5);
	p += 5;
	for (int d = 15; d >= 0; d--)
		*p++ = hex[(e->hash >> (4 * d)) & 15];
	*p++ = '\t';
	if (e->day != *last_day) {
		date_format_day(day, (int64_t)e->day * SECONDS_PER_DAY);
		*last_day = e->day;
	}
	memcpy(p, day, 10);
	p += 10;
	uint32_t cls = e->cls & ~SPLIT_STATE_THIS_RUN;
	if (cls != SPLIT_STATE_LEGACY) {
		*p++ = '\t';
		p = put_u64(p, cls);
		*p++ = '\t';
		if (e->basis < 0)
			*p++ = '-';
		p = put_u64(p, e->basis < 0 ? 0 - (uint64_t)e->basis : (uint64_t)e->basis);
	}
	*p++ = '\n';
	size_t n = (size_t)(p - line);
	out_write(w->o, line, n);
	w->chain = hash_fnv1a(w->chain, line, n);
	w->records++;
}

/* The seen rows sorted by hash: the history (sorted) merged with this
 * run's new rows, sorted in place in their table (no copy). */
static void write_seen(struct writer *w, struct split_state *s)
{
	struct split_state_seen *order = s->puts.slots;
	size_t k = 0;
	for (size_t i = 0; i < s->puts.nslots; i++)
		if (s->puts.slots[i].hash && s->puts.slots[i].cls != SPLIT_STATE_GONE)
			order[k++] = s->puts.slots[i];
	/* nearly sorted already (home_slot): an insertion sort moves only the
	 * few displaced records, and those that wrapped round the table's end */
	for (size_t i = 1; i < k; i++) {
		struct split_state_seen e = order[i];
		size_t j = i;
		for (; j > 0 && order[j - 1].hash > e.hash; j--)
			order[j] = order[j - 1];
		order[j] = e;
	}
	s->puts = (struct split_state_table){0};
	s->nputs_gone = 0;
	char day[DATE_BUF];
	int32_t last_day = INT32_MIN;
	size_t i = 0, j = 0;
	while (i < s->nhist || j < k) {
		if (i < s->nhist && s->hist[i].cls == SPLIT_STATE_GONE) {
			i++;
			continue;
		}
		bool from_hist = j == k || (i < s->nhist && s->hist[i].hash < order[j].hash);
		split_state_write_seen_line(w, from_hist ? &s->hist[i++] : &order[j++], &last_day, day);
	}
	free(order);
}

void split_state_write(struct split_state *s, const struct split_rules *r, struct out *o)
{
	struct writer w = {o, HASH_FNV_OFFSET, 0};
	split_state_emit(&w, "%s\n", SPLIT_STATE_MAGIC);
	split_state_write_caps(&w, s, r);
	split_state_write_classes(&w, s);
	write_seen(&w, s);
	out_printf(o, "end\t%" PRIu64 "\t%016" PRIx64 "\n", w.records, w.chain);
}

void split_state_free(struct split_state *s)
{
	for (size_t i = 0; i < s->ncaps; i++)
		free(s->caps[i].key);
	free(s->caps);
	for (size_t i = 0; i < s->nclasses; i++) {
		free(s->classes[i].agreement);
		free(s->classes[i].product);
		free(s->classes[i].sku);
	}
	free(s->classes);
	names_free(&s->class_names);
	free(s->runs);
	free(s->hist);
	free(s->dir);
	free(s->puts.slots);
	split_state_free_run(s);
	memset(s, 0, sizeof *s);
}
