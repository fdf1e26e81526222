/* attribute_out.c - tally-attribute's outputs from exact shares
 * (attribute_out.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "attribute_out.h"
#include "diag.h"
#include "escape.h"
#include "keyindex.h"
#include "tsv.h"

__extension__ typedef __int128 i128;

static void put_ratio(struct tsv_writer *w, struct ratio r)
{
	char buf[48];
	tsv_put(w, buf, attr_format_ratio(buf, r));
}

static void put_points(struct tsv_writer *w, int64_t micro)
{
	char buf[MONEY_BUF];
	tsv_put(w, buf, attr_format_points(buf, micro));
}

static void header(struct tsv_writer *w, const char *const *cols, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tsv_put_str(w, cols[i]);
	tsv_end_row(w);
}

void attr_write_shares(struct out *o, const struct attr_engine *e)
{
	static const char *const cols[] = {"project", "contributor", "share", "points", "evidence"};
	struct tsv_writer w;
	tsv_writer_init(&w, o);
	header(&w, cols, 5);
	for (size_t i = 0; i < e->nmembers; i++) {
		const struct attr_member *m = &e->members[i];
		if (m->below_min)
			continue;
		tsv_put_str(&w, attr_name(e, m->project));
		tsv_put_str(&w, attr_name(e, m->contributor));
		put_ratio(&w, attr_member_share(e, m));
		put_points(&w, m->points);
		tsv_put_int(&w, m->count);
		tsv_end_row(&w);
	}
}

void attr_write_agreements(struct out *o, const struct attr_engine *e)
{
	static const char *const cols[] = {"match", "tier", "payee", "share"};
	struct tsv_writer w;
	tsv_writer_init(&w, o);
	header(&w, cols, 4);
	for (size_t i = 0; i < e->nmembers; i++) {
		const struct attr_member *m = &e->members[i];
		if (m->num == 0)
			continue;
		tsv_put_str(&w, attr_name(e, m->project));
		tsv_put_str(&w, "1");
		tsv_put_str(&w, attr_name(e, m->contributor));
		put_ratio(&w, attr_member_share(e, m));
		tsv_end_row(&w);
	}
}

static void put_flags(struct tsv_writer *w, const struct attr_member *m)
{
	char buf[64] = "";
	const char *names[] = {"thin", "flood", "capped", "merged", "below-min"};
	bool on[] = {m->count <= ATTR_THIN, m->flood, m->capped, m->merged, m->below_min};
	for (size_t i = 0; i < 5; i++)
		if (on[i]) {
			if (*buf)
				strcat(buf, ",");
			strcat(buf, names[i]);
		}
	tsv_put_str(w, buf);
}

void attr_write_explain(struct out *o, const struct attr_engine *e)
{
	static const char *const cols[] = {"project", "contributor", "kind", "raw", "decayed", "cut", "points",
					   "share", "contributions", "days", "flags"};
	struct tsv_writer w;
	tsv_writer_init(&w, o);
	header(&w, cols, 11);
	size_t k = 0;
	for (size_t i = 0; i < e->nmembers; i++) {
		const struct attr_member *m = &e->members[i];
		int64_t cut = 0;
		for (; k < e->nkindsums && e->kindsums[k].member == i; k++) {
			const struct attr_kindsum *ks = &e->kindsums[k];
			tsv_put_str(&w, attr_name(e, m->project));
			tsv_put_str(&w, attr_name(e, m->contributor));
			tsv_put_str(&w, e->kinds.s[ks->kind]);
			put_points(&w, ks->raw);
			put_points(&w, ks->decayed);
			put_points(&w, ks->cut);
			cut += ks->cut;
			for (int c = 0; c < 2; c++)
				tsv_put_str(&w, "");
			tsv_put_int(&w, ks->count);
			tsv_put_str(&w, "");
			tsv_put_str(&w, "");
			tsv_end_row(&w);
		}
		tsv_put_str(&w, attr_name(e, m->project));
		tsv_put_str(&w, attr_name(e, m->contributor));
		tsv_put_str(&w, "*");
		put_points(&w, m->raw);
		put_points(&w, m->decayed);
		put_points(&w, cut);
		put_points(&w, m->points);
		put_ratio(&w, attr_member_share(e, m));
		tsv_put_int(&w, m->count);
		tsv_put_int(&w, m->days);
		put_flags(&w, m);
		tsv_end_row(&w);
	}
}

/* ---- pool -------------------------------------------------------------- */

struct fields {
	const char *s[64]; /* raw (escaped) fields of one line */
	size_t len[64];
	size_t n;
};

static void split_raw(const char *s, size_t n, struct fields *f)
{
	size_t start = 0;
	f->n = 0;
	for (size_t i = 0; i <= n && f->n < 64; i++)
		if (i == n || s[i] == '\t') {
			f->s[f->n] = s + start;
			f->len[f->n++] = i - start;
			start = i + 1;
		}
}

/* Unescaped copy of a raw field into buf (cut to cap). */
static const char *unescaped(char *buf, size_t cap, const char *s, size_t n)
{
	n = n < cap - 1 ? n : cap - 1;
	memcpy(buf, s, n);
	size_t m = tsv_unescape(buf, n);
	buf[m == (size_t)-1 ? n : m] = '\0';
	return buf;
}

static long find_project(const struct attr_engine *e, const char *name)
{
	for (size_t k = 0; k < e->nprojects; k++)
		if (strcmp(attr_name(e, e->projects[k].name), name) == 0)
			return (long)k;
	return -1;
}

/* The columns of the agreements header the pool is filled by. */
struct pool_cols {
	int match, payee, share; /* required */
	int from, to;            /* -1 when the file has none */
};

/* Row f, its fields as written, but from and to as d dates them (d NULL
 * or not ATTR_POOL_DATED: as written) and, when payee >= 0, payee and
 * share replaced by the texts given; width fields in all. */
static void put_row(struct out *o, const struct fields *f, size_t width, const struct pool_cols *c,
		    const struct attr_pool_dates *d, const char *payee, size_t payee_len, const char *share)
{
	bool dated = d && d->part == ATTR_POOL_DATED;
	for (size_t i = 0; i < width; i++) {
		if (i)
			out_putc(o, '\t');
		if (payee && i == (size_t)c->payee)
			tsv_escape_to(o, payee, payee_len);
		else if (payee && i == (size_t)c->share)
			out_puts(o, share);
		else if (dated && i == (size_t)c->from)
			tsv_escape_to(o, d->from, strlen(d->from));
		else if (dated && i == (size_t)c->to)
			tsv_escape_to(o, d->to, strlen(d->to));
		else if (i < f->n)
			out_write(o, f->s[i], f->len[i]);
	}
	out_putc(o, '\n');
}

/* The fields a row must have to be written whole: its own, the header's
 * columns the pool rewrites included. */
static size_t row_width(const struct fields *f, const struct pool_cols *c)
{
	size_t width = f->n;
	int need[] = {c->payee, c->share, c->from, c->to};
	for (size_t k = 0; k < sizeof need / sizeof *need; k++)
		if (need[k] >= 0 && (size_t)need[k] >= width)
			width = (size_t)need[k] + 1;
	return width;
}

static int pool_row(struct out *o, const struct attr_engine *e, const struct fields *f, const struct pool_cols *c,
		    const struct attr_pool_dates *d, char *err)
{
	char match[1024], share_text[128], q[96];
	unescaped(match, sizeof match, f->s[c->match], (size_t)c->match < f->n ? f->len[c->match] : 0);
	unescaped(share_text, sizeof share_text, f->s[c->share], (size_t)c->share < f->n ? f->len[c->share] : 0);
	struct ratio pool;
	if (ratio_parse(share_text, strlen(share_text), &pool) < 0)
		return attr_fail(err, "column \"share\": %s is not a share (15%% or 1/3)",
			    diag_quote(q, sizeof q, share_text, strlen(share_text)));
	if (!strchr(share_text, '%') && !strchr(share_text, '/'))
		return attr_fail(err, "column \"share\": %s is a plain weight: a pool is a percentage or a fraction",
			    diag_quote(q, sizeof q, share_text, strlen(share_text)));
	long k = find_project(e, match);
	if (k < 0)
		return attr_fail(err, "column \"match\": %s has no contributions (projects are agreements' matches)",
			    diag_quote(q, sizeof q, match, strlen(match)));
	const struct attr_project *p = &e->projects[k];
	size_t width = row_width(f, c);
	for (size_t i = p->first; i < p->first + p->n; i++) {
		const struct attr_member *m = &e->members[i];
		if (m->num == 0)
			continue;
		struct ratio s = attr_member_share(e, m);
		attr_u128 num = (attr_u128)s.num * (attr_u128)pool.num, den = (attr_u128)s.den * (attr_u128)pool.den;
		attr_u128 a = num, b = den;
		while (b) {
			attr_u128 t = a % b;
			a = b;
			b = t;
		}
		num /= a, den /= a;
		if (den > INT64_MAX)
			return attr_fail(err, "column \"share\": %s x %s of %s: the denominator is beyond 64 bits",
				    share_text, attr_name(e, m->contributor), match), ATTR_ERANGE;
		char share[48];
		snprintf(share, sizeof share, "%lld/%lld", (long long)num, (long long)den);
		put_row(o, f, width, c, d, attr_name(e, m->contributor), e->names.len[m->contributor], share);
	}
	return ATTR_OK;
}

static bool comment_or_blank(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i == n || s[i] == '#';
}

/* One line of text[*pos..len) into *f (the line's raw bytes in *s, *n
 * with its CR, *body without); false at the end. */
static bool next_line(const char *text, size_t len, size_t *pos, const char **s, size_t *n, size_t *body)
{
	if (*pos >= len)
		return false;
	const char *nl = memchr(text + *pos, '\n', len - *pos);
	size_t end = nl ? (size_t)(nl - text) : len;
	*s = text + *pos;
	*n = end - *pos;
	*body = *n > 0 && (*s)[*n - 1] == '\r' ? *n - 1 : *n;
	*pos = end + 1;
	return true;
}

/* Whether raw field k of f, unescaped, is want. */
static bool field_is(const struct fields *f, int k, const char *want)
{
	char buf[1024];
	return k >= 0 && (size_t)k < f->n && strcmp(unescaped(buf, sizeof buf, f->s[k], f->len[k]), want) == 0;
}

/* The header's columns into *c; ATTR_EDATA when a required one (or, d
 * dating rows, from and to) is missing. */
static int pool_header(const struct fields *f, const struct attr_pool_dates *d, struct pool_cols *c, char *err)
{
	static const char *const names[] = {"match", "payee", "share", "from", "to"};
	int *col[] = {&c->match, &c->payee, &c->share, &c->from, &c->to};
	for (int k = 0; k < 5; k++) {
		*col[k] = -1;
		for (size_t i = 0; i < f->n; i++)
			if (field_is(f, (int)i, names[k]))
				*col[k] = (int)i;
		if (k < 3 && *col[k] < 0)
			return attr_fail(err, "missing column \"%s\"", names[k]);
	}
	if (d && d->part != ATTR_POOL_ALL && (c->from < 0 || c->to < 0))
		return attr_fail(err, "--pool-since dates the pool's agreements month by month: the file needs "
				      "the columns \"from\" and \"to\" (empty on the pool's agreements)");
	return ATTR_OK;
}

/* The matches of the rows whose payee is the pool, into *pooled (the
 * agreements whose terms the pool changes); the header's columns in *c. */
static int pooled_matches(const char *text, size_t len, const char *pool, const struct attr_pool_dates *d,
			  struct pool_cols *c, struct names *pooled, long *line, char *err)
{
	bool have_header = false;
	const char *s;
	size_t pos = 0, n, body;
	for (*line = 1; next_line(text, len, &pos, &s, &n, &body); ++*line) {
		struct fields f;
		if (comment_or_blank(s, body))
			continue;
		split_raw(s, body, &f);
		if (!have_header) {
			have_header = true;
			int st = pool_header(&f, d, c, err);
			if (st)
				return st;
			continue;
		}
		if (!field_is(&f, c->payee, pool))
			continue;
		if (d && d->part != ATTR_POOL_ALL && !(field_is(&f, c->from, "") && field_is(&f, c->to, "")))
			return attr_fail(err, "column \"%s\": --pool-since dates the pool's agreements itself: leave "
					      "their \"from\" and \"to\" empty", field_is(&f, c->from, "") ? "to" : "from");
		char buf[1024];
		uint32_t id;
		unescaped(buf, sizeof buf, f.s[c->match], (size_t)c->match < f.n ? f.len[c->match] : 0);
		if (names_intern(pooled, buf, strlen(buf), &id) < 0)
			return ATTR_ENOMEM;
	}
	return ATTR_OK;
}

int attr_write_pool(struct out *o, const struct attr_engine *e, const char *text, size_t len, const char *pool,
		    const struct attr_pool_dates *d, long *line, char *err)
{
	struct pool_cols c;
	struct names pooled = {0};
	int st = pooled_matches(text, len, pool, d, &c, &pooled, line, err);
	if (st == ATTR_OK && pooled.n == 0) {
		char q[96];
		*line = 0;
		st = attr_fail(err, "no row has the payee %s given to --pool", diag_quote(q, sizeof q, pool, strlen(pool)));
	}
	enum attr_pool_part part = d ? d->part : ATTR_POOL_ALL;
	bool have_header = false;
	const char *s;
	size_t pos = 0, n, body;
	for (long at = 0; st == ATTR_OK && next_line(text, len, &pos, &s, &n, &body);) {
		*line = ++at;
		struct fields f;
		bool skip = comment_or_blank(s, body) || !have_header ? part == ATTR_POOL_DATED : false;
		if (!comment_or_blank(s, body) && have_header) {
			split_raw(s, body, &f);
			char buf[1024];
			unescaped(buf, sizeof buf, f.s[c.match], (size_t)c.match < f.n ? f.len[c.match] : 0);
			bool in_pool = names_find(&pooled, buf, strlen(buf)) >= 0;
			skip = part == ATTR_POOL_ALL ? false : part == ATTR_POOL_DATED ? !in_pool : in_pool;
			if (!skip && field_is(&f, c.payee, pool)) {
				st = pool_row(o, e, &f, &c, d, err);
				continue;
			}
			if (!skip && part == ATTR_POOL_DATED) {
				put_row(o, &f, row_width(&f, &c), &c, d, NULL, 0, NULL);
				continue;
			}
		} else if (!comment_or_blank(s, body)) {
			have_header = true;
		}
		if (skip)
			continue;
		out_write(o, s, n);
		out_putc(o, '\n');
	}
	names_free(&pooled);
	return st;
}

/* ---- budget ------------------------------------------------------------ */

static void budget_row(struct tsv_writer *w, const struct attr_engine *e, const struct attr_member *m,
		       const char *day, const char *currency, int digits, int64_t net, int64_t part)
{
	const char *project = attr_name(e, m->project);
	char share[32];
	struct ratio r = {part < 0 ? -part : part, net ? (net < 0 ? -net : net) : 1};
	ratio_format(share, sizeof share, r);
	tsv_put_str(w, day);
	tsv_put_str(w, "tally-attribute");
	tsv_put_str(w, project);
	tsv_put_str(w, "1");
	tsv_put_str(w, project);
	tsv_put_str(w, "adjustment");
	tsv_put_str(w, currency);
	tsv_put_money(w, net, digits);
	tsv_put_str(w, attr_name(e, m->contributor));
	tsv_put_str(w, "1");
	tsv_put_str(w, "0");
	tsv_put_str(w, share);
	tsv_put_money(w, part, digits);
	tsv_end_row(w);
}

/* The balanced policy's weights of project p's members, into w; false
 * when nobody is short (w then undefined). */
static bool balanced_weights(const struct attr_engine *e, const struct attr_project *p, int64_t budget,
			     const int64_t *paid, int64_t *w)
{
	attr_u128 total = (attr_u128)(budget > 0 ? budget : 0);
	for (size_t i = 0; i < p->n; i++)
		total += (attr_u128)(paid[p->first + i] > 0 ? paid[p->first + i] : 0);
	bool any = false;
	for (size_t i = 0; i < p->n; i++) {
		const struct attr_member *m = &e->members[p->first + i];
		/* floor(total x num / den): total < 2^64 and num <= den < 2^63 keep the product in 127 bits */
		attr_u128 fair = total * m->num / p->den;
		int64_t have = paid[p->first + i];
		w[i] = have < 0 || fair > (attr_u128)have ? (int64_t)(fair - (attr_u128)(have > 0 ? have : 0)) : 0;
		if (m->num == 0)
			w[i] = 0;
		any |= w[i] > 0;
	}
	return any;
}

int attr_write_budget(struct out *o, const struct attr_engine *e, int64_t amount, const char *currency,
		      int64_t date, const int64_t *paid, char *err)
{
	static const char *const cols[] = {"date", "source", "order", "line", "product", "kind", "currency",
					   "net", "payee", "tier", "agreement", "share", "amount"};
	int digits = currency_digits(currency, strlen(currency));
	int64_t *pw = calloc(e->nprojects + 1, sizeof *pw), *pp = calloc(e->nprojects + 1, sizeof *pp);
	int64_t *mw = calloc(e->nmembers + 1, sizeof *mw), *mp = calloc(e->nmembers + 1, sizeof *mp);
	int st = ATTR_OK;
	if (!pw || !pp || !mw || !mp) {
		st = ATTR_ENOMEM;
		goto done;
	}
	if (paid && e->nprojects != 1) {
		st = attr_fail(err, "--policy balanced: the ledger is per payee: give one project (%zu found)",
			       e->nprojects);
		goto done;
	}
	for (size_t i = 0; i < e->nmembers; i++)
		if (e->members[i].num > 0 && !money_add(pw[e->members[i].pindex], e->members[i].points,
							&pw[e->members[i].pindex])) {
			attr_fail(err, "points too large for --budget");
			st = ATTR_ERANGE;
			goto done;
		}
	if (alloc_split_int(amount, pw, e->nprojects, pp) != ALLOC_OK) {
		st = attr_fail(err, "--budget: no project has points");
		goto done;
	}
	char day[DATE_BUF];
	date_format_day(day, date);
	struct tsv_writer w;
	tsv_writer_init(&w, o);
	header(&w, cols, 13);
	for (size_t k = 0; k < e->nprojects; k++) {
		const struct attr_project *p = &e->projects[k];
		if (pp[k] == 0)
			continue;
		if (!paid || !balanced_weights(e, p, pp[k], paid, mw))
			for (size_t i = 0; i < p->n; i++)
				mw[i] = (int64_t)e->members[p->first + i].num;
		if (alloc_split_int(pp[k], mw, p->n, mp) != ALLOC_OK) {
			st = attr_fail(err, "--budget: the shares of %s cannot be split", attr_name(e, p->name));
			goto done;
		}
		for (size_t i = 0; i < p->n; i++)
			if (mp[i] != 0)
				budget_row(&w, e, &e->members[p->first + i], day, currency, digits, pp[k], mp[i]);
	}
done:
	free(pw);
	free(pp);
	free(mw);
	free(mp);
	return st;
}

/* ---- diff -------------------------------------------------------------- */

struct diff_row {
	const char *project, *contributor;
	struct ratio old, new_;
};

static int cmp_diff(const void *a, const void *b)
{
	const struct diff_row *x = a, *y = b;
	int c = strcmp(x->project, y->project);
	return c ? c : strcmp(x->contributor, y->contributor);
}

static void put_change(struct tsv_writer *w, struct ratio a, struct ratio b)
{
	i128 num = (i128)b.num * a.den - (i128)a.num * b.den, den = (i128)a.den * b.den;
	if (num == 0) {
		tsv_put_str(w, "0");
		return;
	}
	bool neg = num < 0;
	attr_u128 n = (attr_u128)(neg ? -num : num), d = (attr_u128)den, x = n, y = d;
	while (y) {
		attr_u128 t = x % y;
		x = y;
		y = t;
	}
	n /= x, d /= x;
	/* After reduction both fit 64 bits: |new - old| <= 1 and d divides a.den x b.den. */
	tsv_putf(w, "%c%llu/%llu", neg ? '-' : '+', (unsigned long long)n, (unsigned long long)d);
}

int attr_write_diff(struct out *o, const struct attr_engine *e, const struct attr_old_share *old, size_t nold)
{
	static const char *const cols[] = {"project", "contributor", "old", "new", "change"};
	struct diff_row *rows = calloc(e->nmembers + nold + 1, sizeof *rows);
	if (!rows)
		return ATTR_ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < e->nmembers; i++)
		rows[n++] = (struct diff_row){attr_name(e, e->members[i].project), attr_name(e, e->members[i].contributor),
					      {0, 1}, attr_member_share(e, &e->members[i])};
	qsort(rows, n, sizeof *rows, cmp_diff);
	size_t nnew = n;
	for (size_t i = 0; i < nold; i++) {
		struct diff_row key = {old[i].project, old[i].contributor, {0, 1}, {0, 1}};
		struct diff_row *hit = bsearch(&key, rows, nnew, sizeof *rows, cmp_diff);
		if (hit) {
			hit->old = old[i].share;
		} else {
			key.old = old[i].share;
			rows[n++] = key;
		}
	}
	qsort(rows, n, sizeof *rows, cmp_diff);
	struct tsv_writer w;
	tsv_writer_init(&w, o);
	header(&w, cols, 5);
	for (size_t i = 0; i < n; i++) {
		tsv_put_str(&w, rows[i].project);
		tsv_put_str(&w, rows[i].contributor);
		put_ratio(&w, rows[i].old);
		put_ratio(&w, rows[i].new_);
		put_change(&w, rows[i].old, rows[i].new_);
		tsv_end_row(&w);
	}
	free(rows);
	return ATTR_OK;
}

/* ---- credits ----------------------------------------------------------- */

static const struct attr_engine *credit_engine;

static int cmp_credit_member(const void *a, const void *b)
{
	const struct attr_member *x = *(const struct attr_member *const *)a, *y = *(const struct attr_member *const *)b;
	return strcmp(attr_name(credit_engine, x->contributor), attr_name(credit_engine, y->contributor));
}

static int cmp_credit_kind(const void *a, const void *b)
{
	const struct attr_kindsum *x = *(const struct attr_kindsum *const *)a, *y = *(const struct attr_kindsum *const *)b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(credit_engine->kinds.s[x->kind], credit_engine->kinds.s[y->kind]);
}

static void put_text(struct out *o, enum attr_credits f, const char *s)
{
	if (f == ATTR_CREDITS_HTML)
		report_put_html(o, s, strlen(s));
	else
		report_put_md(o, s, strlen(s));
}

/* "code 12, review 3" for one member. */
static void credit_kinds(struct out *o, const struct attr_engine *e, enum attr_credits f, size_t member,
			 const struct attr_kindsum **ks, size_t first)
{
	size_t n = 0;
	while (first + n < e->nkindsums && e->kindsums[first + n].member == member) {
		ks[n] = &e->kindsums[first + n];
		n++;
	}
	qsort(ks, n, sizeof *ks, cmp_credit_kind);
	for (size_t k = 0; k < n; k++) {
		if (k)
			out_puts(o, ", ");
		put_text(o, f, e->kinds.s[ks[k]->kind]);
		out_printf(o, " %ld", ks[k]->count);
	}
}

void attr_write_credits(struct out *o, const struct attr_engine *e, enum attr_credits f)
{
	bool html = f == ATTR_CREDITS_HTML;
	const struct attr_member **ms = malloc((e->nmembers + 1) * sizeof *ms);
	const struct attr_kindsum **ks = malloc((e->nkindsums + 1) * sizeof *ks);
	size_t *firstk = malloc((e->nmembers + 1) * sizeof *firstk);
	if (!ms || !ks || !firstk) {
		o->err = o->err ? o->err : 12; /* ENOMEM: out_close reports it */
		goto done;
	}
	for (size_t i = 0, k = 0; i < e->nmembers; i++) {
		while (k < e->nkindsums && e->kindsums[k].member < i)
			k++;
		firstk[i] = k;
	}
	out_puts(o, html ? "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
			   "<title>Contributors</title></head>\n<body>\n<h1>Contributors</h1>\n"
			 : "# Contributors\n");
	credit_engine = e;
	for (size_t k = 0; k < e->nprojects; k++) {
		const struct attr_project *p = &e->projects[k];
		for (size_t i = 0; i < p->n; i++)
			ms[i] = &e->members[p->first + i];
		qsort(ms, p->n, sizeof *ms, cmp_credit_member);
		out_puts(o, html ? "<h2>" : "\n## ");
		put_text(o, f, attr_name(e, p->name));
		out_puts(o, html ? "</h2>\n<ul>\n" : "\n\n");
		for (size_t i = 0; i < p->n; i++) {
			size_t idx = (size_t)(ms[i] - e->members);
			out_puts(o, html ? "<li><strong>" : "- **");
			put_text(o, f, attr_name(e, ms[i]->contributor));
			out_puts(o, html ? "</strong>: " : "**: ");
			credit_kinds(o, e, f, idx, ks, firstk[idx]);
			out_puts(o, html ? "</li>\n" : "\n");
		}
		if (html)
			out_puts(o, "</ul>\n");
	}
	if (html)
		out_puts(o, "</body>\n</html>\n");
done:
	free(ms);
	free(ks);
	free(firstk);
}
