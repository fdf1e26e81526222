/* attribute_read.c - the contributions stream and the git log reader
 * (attribute_read.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attribute_read.h"
#include "diag.h"

int attr_cols_bind(struct attr_cols *c, const struct tsv_reader *r, char *err)
{
	static const char *const required[] = {"date", "contributor", "kind", "project"};
	int *slot[] = {&c->date, &c->contributor, &c->kind, &c->project};
	for (size_t i = 0; i < 4; i++)
		if ((*slot[i] = tsv_col(r, required[i])) < 0)
			return attr_fail(err, "missing column \"%s\"", required[i]);
	c->amount = tsv_col(r, "amount");
	c->ref = tsv_col(r, "ref");
	c->target = tsv_col(r, "target");
	return ATTR_OK;
}

static int bad(char *err, const char *col, const struct tsv_field *f, const char *what)
{
	char q[96];
	return attr_fail(err, "column \"%s\": %s %s", col, diag_quote(q, sizeof q, f->s, f->len), what);
}

int attr_row_from_tsv(struct attr_row *row, const struct attr_cols *c, const struct tsv_reader *r, char *err)
{
	const struct tsv_field *f = r->fields;
	static const struct tsv_field none = {"", 0, true};
	const struct tsv_field *amount = c->amount >= 0 ? &f[c->amount] : &none;
	const struct tsv_field *ref = c->ref >= 0 ? &f[c->ref] : &none;
	const struct tsv_field *target = c->target >= 0 ? &f[c->target] : &none;
	if (date_parse(f[c->date].s, f[c->date].len, &row->date) < 0)
		return bad(err, "date", &f[c->date], "is not a date (YYYY-MM-DD or ISO 8601)");
	if (f[c->contributor].len == 0)
		return attr_fail(err, "column \"contributor\": is empty");
	if (f[c->kind].len == 0)
		return attr_fail(err, "column \"kind\": is empty");
	if (f[c->project].len == 0)
		return attr_fail(err, "column \"project\": is empty");
	row->amount = ATTR_POINT;
	if (amount->len > 0) {
		int st = money_parse(amount->s, amount->len, &row->amount);
		if (st != MONEY_OK)
			return bad(err, "amount", amount, money_strerror(st));
		if (row->amount < 0)
			return bad(err, "amount", amount, "is negative");
	}
	row->contributor = f[c->contributor].s, row->contributor_len = f[c->contributor].len;
	row->kind = f[c->kind].s, row->kind_len = f[c->kind].len;
	row->project = f[c->project].s, row->project_len = f[c->project].len;
	row->ref = ref->s, row->ref_len = ref->len;
	row->target = target->s, row->target_len = target->len;
	return ATTR_OK;
}

/* ---- git log ----------------------------------------------------------- */

#define GIT_MAX_COAUTHORS 64 /* co-authors of one commit */

struct git_commit {
	const char *hash, *date, *name, *email; /* into the text */
	size_t hash_len, date_len, name_len, email_len;
	const char *co[GIT_MAX_COAUTHORS];      /* co-author names (mapped) */
	size_t co_len[GIT_MAX_COAUTHORS];
	size_t nco;
	int64_t lines;
	bool open;
	long line;
};

/* The name of a contact "Name <email>": the part before " <", else the
 * e-mail when the name is empty, else the whole. */
static void contact_name(const char *s, size_t len, const char **name, size_t *nlen)
{
	const char *lt = memchr(s, '<', len);
	size_t n = lt ? (size_t)(lt - s) : len;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 && lt) {
		const char *gt = memchr(lt, '>', len - (size_t)(lt - s));
		*name = lt + 1;
		*nlen = gt ? (size_t)(gt - lt - 1) : len - (size_t)(lt - s) - 1;
		return;
	}
	*name = s;
	*nlen = n;
}

static int emit_one(struct attr_git *g, const struct git_commit *c, const char *who, size_t wlen,
		    attr_emit_fn emit, void *ctx, char *err)
{
	struct attr_row row = {0};
	if (date_parse(c->date, c->date_len, &row.date) < 0) {
		g->line = c->line;
		char q[96];
		return attr_fail(err, "commit %.*s: %s is not a date", (int)c->hash_len, c->hash,
			    diag_quote(q, sizeof q, c->date, c->date_len));
	}
	row.contributor = who, row.contributor_len = wlen;
	row.kind = "code", row.kind_len = 4;
	row.project = g->project, row.project_len = strlen(g->project);
	row.amount = g->lines ? c->lines : ATTR_POINT;
	row.ref = c->hash, row.ref_len = c->hash_len;
	row.target = "", row.target_len = 0;
	g->line = c->line;
	return emit(ctx, &row, err);
}

static bool same(const char *a, size_t al, const char *b, size_t bl)
{
	return al == bl && memcmp(a, b, al) == 0;
}

static int flush_commit(struct attr_git *g, struct git_commit *c, attr_emit_fn emit, void *ctx, char *err)
{
	if (!c->open)
		return ATTR_OK;
	c->open = false;
	g->commits++;
	const char *who = c->name_len ? c->name : c->email;
	size_t wlen = c->name_len ? c->name_len : c->email_len;
	int st = emit_one(g, c, who, wlen, emit, ctx, err);
	for (size_t i = 0; i < c->nco && st == ATTR_OK; i++) {
		bool dup = same(c->co[i], c->co_len[i], who, wlen);
		for (size_t j = 0; j < i && !dup; j++)
			dup = same(c->co[i], c->co_len[i], c->co[j], c->co_len[j]);
		if (dup)
			continue;
		g->coauthors++;
		st = emit_one(g, c, c->co[i], c->co_len[i], emit, ctx, err);
	}
	return st;
}

/* "HASH TAB DATE TAB NAME TAB EMAIL" after the 0x1E. */
static int commit_header(struct git_commit *c, const char *s, size_t n, char *err)
{
	const char *f[4];
	size_t fl[4], k = 0, start = 0;
	for (size_t i = 0; i <= n && k < 4; i++)
		if (i == n || s[i] == '\t') {
			f[k] = s + start, fl[k++] = i - start;
			start = i + 1;
		}
	if (k != 4 || fl[0] == 0)
		return attr_fail(err, "not a commit line of the git reader's format (see tally-attribute(1))");
	*c = (struct git_commit){.hash = f[0], .hash_len = fl[0], .date = f[1], .date_len = fl[1],
				  .name = f[2], .name_len = fl[2], .email = f[3], .email_len = fl[3], .open = true};
	if (fl[2] == 0 && fl[3] == 0)
		return attr_fail(err, "commit %.*s has no author", (int)fl[0], f[0]);
	return ATTR_OK;
}

/* A numstat line "ADDED TAB DELETED TAB PATH" ("-" for binary files):
 * adds its lines; false when the line is not one. */
static bool numstat(struct git_commit *c, const char *s, size_t n)
{
	int64_t v[2] = {0, 0};
	size_t i = 0;
	for (int k = 0; k < 2; k++) {
		if (i < n && s[i] == '-') {
			i++;
		} else {
			size_t d = i;
			while (i < n && s[i] >= '0' && s[i] <= '9' && v[k] < INT64_MAX / 100)
				v[k] = v[k] * 10 + (s[i++] - '0');
			if (i == d)
				return false;
		}
		if (i >= n || s[i] != '\t')
			return false;
		i++;
	}
	int64_t add = (v[0] + v[1]) * ATTR_POINT;
	if (add / ATTR_POINT == v[0] + v[1] && c->lines <= INT64_MAX - add)
		c->lines += add;
	return true;
}

/* Walk the lines of text: fn(ctx, line, len, lineno) for each. */
#define EACH_LINE(text, len, s, n, lineno, body)                                            \
	do {                                                                                 \
		size_t pos_ = 0;                                                             \
		for (long lineno = 1; pos_ < (len); lineno++) {                              \
			const char *nl_ = memchr((text) + pos_, '\n', (len) - pos_);         \
			size_t end_ = nl_ ? (size_t)(nl_ - (text)) : (len);                   \
			const char *s = (text) + pos_;                                       \
			size_t n = end_ - pos_;                                              \
			pos_ = end_ + 1;                                                     \
			if (n > 0 && s[n - 1] == '\r')                                       \
				n--;                                                         \
			body                                                                 \
		}                                                                            \
	} while (0)

int attr_git_parse(struct attr_git *g, const char *text, size_t len, attr_emit_fn emit, void *ctx, char *err)
{
	struct git_commit c = {0};
	int st = ATTR_OK;
	EACH_LINE(text, len, s, n, lineno, {
		if (st != ATTR_OK)
			break;
		if (n > 0 && s[0] == '\x1e') {
			if ((st = flush_commit(g, &c, emit, ctx, err)))
				break;
			if ((st = commit_header(&c, s + 1, n - 1, err))) {
				g->line = lineno;
				break;
			}
			c.line = lineno;
		} else if (n == 0 || numstat(&c, s, n)) {
			continue;
		} else if (!c.open) {
			g->line = lineno;
			st = attr_fail(err, "text before the first commit: not the git reader's format (see tally-attribute(1))");
		} else if (c.nco == GIT_MAX_COAUTHORS) {
			g->line = lineno;
			st = attr_fail(err, "commit %.*s has more than %d co-authors", (int)c.hash_len, c.hash,
				  GIT_MAX_COAUTHORS);
		} else {
			const char *mapped = s;
			size_t mlen = n;
			if (g->mailmap)
				g->mailmap(g->mailmap_ctx, s, n, &mapped, &mlen);
			contact_name(mapped, mlen, &c.co[c.nco], &c.co_len[c.nco]);
			if (c.co_len[c.nco] > 0)
				c.nco++;
		}
	});
	if (st == ATTR_OK)
		st = flush_commit(g, &c, emit, ctx, err);
	return st;
}

void attr_git_coauthors(const char *text, size_t len, void (*fn)(void *ctx, const char *s, size_t n), void *ctx)
{
	struct git_commit c = {0};
	EACH_LINE(text, len, s, n, lineno, {
		(void)lineno;
		if (n > 0 && s[0] == '\x1e')
			c.open = true;
		else if (n > 0 && c.open && !numstat(&c, s, n))
			fn(ctx, s, n);
	});
}
