/* attribute_conf.c - the small table files tally-attribute reads beside
 * the contributions: weights, aliases and membership (attribute.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attribute.h"
#include "diag.h"
#include "tsv.h"

static const char *quote(char *buf, size_t cap, const char *s)
{
	return diag_quote(buf, cap, s, strlen(s));
}

/* ---- the table --------------------------------------------------------- */

/* Split line[0..len) at TABs into a fresh array of unescaped strings. */
static int split_fields(const char *line, size_t len, char ***out, size_t *n, char *err)
{
	size_t count = 1;
	for (size_t i = 0; i < len; i++)
		count += line[i] == '\t';
	char **f = calloc(count, sizeof *f);
	if (!f)
		return ATTR_ENOMEM;
	size_t start = 0, k = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != '\t')
			continue;
		f[k] = malloc(i - start + 1);
		if (!f[k]) {
			*out = f, *n = k;
			return ATTR_ENOMEM;
		}
		memcpy(f[k], line + start, i - start);
		size_t m = tsv_unescape(f[k], i - start);
		k++;
		if (m == (size_t)-1) {
			*out = f, *n = k;
			return attr_fail(err, "bad escape (a backslash not followed by t, n, r or \\)");
		}
		f[k - 1][m] = '\0';
		start = i + 1;
	}
	*out = f, *n = k;
	return ATTR_OK;
}

static void free_fields(char **f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(f[i]);
	free(f);
}

static bool blank_or_comment(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i == len || s[i] == '#';
}

/* Add one data row (fields padded to the header's width). */
static int add_row(struct attr_table *t, char **f, size_t nf, long line, char *err)
{
	if (nf > t->ncols) {
		free_fields(f, nf);
		return attr_fail(err, "%zu fields, the header has %zu", nf, t->ncols);
	}
	char **row = realloc(f, t->ncols * sizeof *row);
	if (!row) {
		free_fields(f, nf);
		return ATTR_ENOMEM;
	}
	for (size_t c = nf; c < t->ncols; c++)
		if (!(row[c] = calloc(1, 1))) {
			free_fields(row, c);
			return ATTR_ENOMEM;
		}
	char ***rows = realloc(t->rows, (t->nrows + 1) * sizeof *rows);
	long *lines = rows ? realloc(t->lines, (t->nrows + 1) * sizeof *lines) : NULL;
	if (rows)
		t->rows = rows;
	if (lines)
		t->lines = lines;
	if (!rows || !lines) {
		free_fields(row, t->ncols);
		return ATTR_ENOMEM;
	}
	t->rows[t->nrows] = row;
	t->lines[t->nrows++] = line;
	return ATTR_OK;
}

int attr_table_parse(struct attr_table *t, const char *text, size_t len, long *line, char *err)
{
	memset(t, 0, sizeof *t);
	size_t pos = 0;
	int st = ATTR_OK;
	for (*line = 1; pos < len && st == ATTR_OK; ++*line) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, n = end - pos;
		const char *s = text + pos;
		pos = end + 1;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (memchr(s, '\0', n))
			st = attr_fail(err, "a NUL byte");
		else if (!tsv_valid_utf8(s, n))
			st = attr_fail(err, "invalid UTF-8");
		if (st || blank_or_comment(s, n))
			continue;
		char **f = NULL;
		size_t nf = 0;
		st = split_fields(s, n, &f, &nf, err);
		if (st) {
			free_fields(f, nf);
		} else if (!t->cols) {
			t->cols = f, t->ncols = nf, t->header_line = *line;
		} else {
			st = add_row(t, f, nf, *line, err);
		}
	}
	if (st == ATTR_OK && !t->cols) {
		*line = 0;
		st = attr_fail(err, "no header line");
	}
	if (st != ATTR_OK) {
		--*line;
		attr_table_free(t);
	}
	return st;
}

int attr_table_col(const struct attr_table *t, const char *name)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (strcmp(t->cols[c], name) == 0)
			return (int)c;
	return -1;
}

void attr_table_free(struct attr_table *t)
{
	for (size_t i = 0; i < t->nrows; i++)
		free_fields(t->rows[i], t->ncols);
	free(t->rows);
	free(t->lines);
	if (t->cols)
		free_fields(t->cols, t->ncols);
	memset(t, 0, sizeof *t);
}

/* The required column name of t, or an error (line 0: the header). */
static int need_col(const struct attr_table *t, const char *name, int *col, long *line, char *err)
{
	*col = attr_table_col(t, name);
	if (*col >= 0)
		return ATTR_OK;
	*line = t->header_line;
	return attr_fail(err, "missing column \"%s\"", name);
}

/* A non-negative decimal of up to 6 decimals into micro-units. */
static int parse_micro(const char *s, int64_t *out)
{
	return money_parse(s, strlen(s), out) == MONEY_OK && *out >= 0 ? 0 : -1;
}

/* ---- weights ----------------------------------------------------------- */

static int weights_row(struct attr_weights *w, char **f, int ck, int cw, int cc, int cp, long ln, char *err)
{
	char q[96];
	if (!*f[ck])
		return attr_fail(err, "column \"kind\": is empty");
	uint32_t id;
	uint32_t before = w->names.n;
	if (names_intern(&w->names, f[ck], strlen(f[ck]), &id) < 0)
		return ATTR_ENOMEM;
	if (id < before)
		return attr_fail(err, "column \"kind\": %s is given twice (first on line %ld)",
			    quote(q, sizeof q, f[ck]), w->kinds[id].line);
	struct attr_kind *k = realloc(w->kinds, w->names.n * sizeof *k);
	if (!k)
		return ATTR_ENOMEM;
	w->kinds = k;
	k[id] = (struct attr_kind){0, -1, PERIOD_MONTH, ln};
	if (parse_micro(f[cw], &k[id].weight) < 0)
		return attr_fail(err, "column \"weight\": %s is not a weight (a number >= 0, up to 6 decimals)",
			    quote(q, sizeof q, f[cw]));
	if (cc >= 0 && *f[cc] && parse_micro(f[cc], &k[id].cap) < 0)
		return attr_fail(err, "column \"cap\": %s is not a cap (points >= 0, up to 6 decimals)",
			    quote(q, sizeof q, f[cc]));
	if (cp >= 0 && *f[cp]) {
		int kind = period_kind_parse(f[cp]);
		if (kind < 0)
			return attr_fail(err, "column \"period\": %s is not day, week, month, quarter or year",
				    quote(q, sizeof q, f[cp]));
		k[id].period = (enum period_kind)kind;
	}
	return ATTR_OK;
}

int attr_weights_from_table(struct attr_weights *w, const struct attr_table *t, long *line, char *err)
{
	memset(w, 0, sizeof *w);
	w->given = true;
	int ck, cw, st;
	if ((st = need_col(t, "kind", &ck, line, err)) || (st = need_col(t, "weight", &cw, line, err)))
		return st;
	int cc = attr_table_col(t, "cap"), cp = attr_table_col(t, "period");
	for (size_t i = 0; i < t->nrows; i++) {
		*line = t->lines[i];
		if ((st = weights_row(w, t->rows[i], ck, cw, cc, cp, *line, err)))
			return st;
	}
	return ATTR_OK;
}

void attr_weights_free(struct attr_weights *w)
{
	names_free(&w->names);
	free(w->kinds);
	memset(w, 0, sizeof *w);
}

/* ---- aliases ----------------------------------------------------------- */

static int alias_intern(struct attr_aliases *a, const char *s, uint32_t *id)
{
	uint32_t before = a->names.n;
	if (names_intern(&a->names, s, strlen(s), id) < 0)
		return ATTR_ENOMEM;
	if (*id < before)
		return ATTR_OK;
	int32_t *to = realloc(a->to, a->names.n * sizeof *to);
	if (to)
		a->to = to;
	long *ln = to ? realloc(a->line, a->names.n * sizeof *ln) : NULL;
	if (ln)
		a->line = ln;
	if (!to || !ln)
		return ATTR_ENOMEM;
	to[*id] = -1;
	ln[*id] = 0;
	return ATTR_OK;
}

/* Follow every chain to its end; a chain longer than the names is a cycle. */
static int alias_resolve_all(struct attr_aliases *a, long *line, char *err)
{
	int32_t *final = malloc((a->names.n + 1) * sizeof *final);
	if (!final)
		return ATTR_ENOMEM;
	for (uint32_t i = 0; i < a->names.n; i++) {
		int32_t at = (int32_t)i;
		uint32_t steps = 0;
		while (a->to[at] >= 0 && steps <= a->names.n) {
			at = a->to[at];
			steps++;
		}
		if (steps > a->names.n) {
			/* `at` is on the cycle: name the alias whose line closes it. */
			int32_t last = at;
			for (int32_t k = a->to[at]; k != at; k = a->to[k])
				if (a->line[k] > a->line[last])
					last = k;
			*line = a->line[last];
			char q[96], q2[96];
			free(final);
			return attr_fail(err, "column \"alias\": %s -> %s closes a cycle of aliases",
				    quote(q, sizeof q, a->names.s[last]), quote(q2, sizeof q2, a->names.s[a->to[last]]));
		}
		final[i] = a->to[i] >= 0 ? at : -1;
	}
	if (a->names.n)
		memcpy(a->to, final, a->names.n * sizeof *final);
	free(final);
	return ATTR_OK;
}

int attr_aliases_from_table(struct attr_aliases *a, const struct attr_table *t, long *line, char *err)
{
	memset(a, 0, sizeof *a);
	int ca, cp, st;
	if ((st = need_col(t, "alias", &ca, line, err)) || (st = need_col(t, "payee", &cp, line, err)))
		return st;
	char q[96], q2[96];
	for (size_t i = 0; i < t->nrows; i++) {
		char **f = t->rows[i];
		*line = t->lines[i];
		if (!*f[ca] || !*f[cp])
			return attr_fail(err, "column \"%s\": is empty", *f[ca] ? "payee" : "alias");
		uint32_t from, to;
		if ((st = alias_intern(a, f[ca], &from)) || (st = alias_intern(a, f[cp], &to)))
			return st;
		if (from == to)
			return attr_fail(err, "column \"payee\": %s is an alias of itself", quote(q, sizeof q, f[ca]));
		if (a->to[from] >= 0 && (uint32_t)a->to[from] != to)
			return attr_fail(err, "column \"alias\": %s is already an alias of %s (line %ld)",
				    quote(q, sizeof q, f[ca]), quote(q2, sizeof q2, a->names.s[a->to[from]]),
				    a->line[from]);
		a->to[from] = (int32_t)to;
		a->line[from] = *line;
	}
	return alias_resolve_all(a, line, err);
}

bool attr_aliases_resolve(const struct attr_aliases *a, const char **s, size_t *len)
{
	long id = names_find(&a->names, *s, *len);
	if (id < 0 || a->to[id] < 0)
		return false;
	*s = a->names.s[a->to[id]];
	*len = a->names.len[a->to[id]];
	return true;
}

void attr_aliases_free(struct attr_aliases *a)
{
	names_free(&a->names);
	free(a->to);
	free(a->line);
	memset(a, 0, sizeof *a);
}

/* ---- membership -------------------------------------------------------- */

/* A month "YYYY-MM" into months since 0000-01. */
static int parse_month(const char *s, int64_t *index)
{
	struct period p;
	if (period_parse(s, strlen(s), &p) < 0 || p.kind != PERIOD_MONTH)
		return -1;
	*index = p.index;
	return 0;
}

static int membership_row(struct attr_membership *m, char **f, const int *col,
			  const struct attr_aliases *aliases, int64_t as_of, char *err)
{
	char q[96];
	int64_t from, to, weighting = ATTR_POINT;
	if (!*f[col[0]])
		return attr_fail(err, "column \"contributor\": is empty");
	if (parse_month(f[col[1]], &from) < 0)
		return attr_fail(err, "column \"from\": %s is not a month (YYYY-MM)", quote(q, sizeof q, f[col[1]]));
	if (!*f[col[2]])
		to = period_of(as_of, PERIOD_MONTH).index;
	else if (parse_month(f[col[2]], &to) < 0)
		return attr_fail(err, "column \"to\": %s is not a month (YYYY-MM)", quote(q, sizeof q, f[col[2]]));
	if (to < from)
		return attr_fail(err, "column \"to\": %s is before \"from\"", quote(q, sizeof q, f[col[2]]));
	if (col[3] >= 0 && *f[col[3]] && parse_micro(f[col[3]], &weighting) < 0)
		return attr_fail(err, "column \"weighting\": %s is not a number >= 0",
			    quote(q, sizeof q, f[col[3]]));
	const char *name = f[col[0]];
	size_t len = strlen(name);
	if (aliases)
		attr_aliases_resolve(aliases, &name, &len);
	uint32_t id, before = m->names.n;
	if (names_intern(&m->names, name, len, &id) < 0)
		return ATTR_ENOMEM;
	if (id >= before) {
		int64_t *mm = realloc(m->months, m->names.n * sizeof *mm);
		if (!mm)
			return ATTR_ENOMEM;
		m->months = mm;
		mm[id] = 0;
	}
	int64_t add;
	if (!money_muldiv(to - from + 1, weighting, 1, &add) || !money_add(m->months[id], add, &m->months[id]))
		return ATTR_ERANGE;
	return ATTR_OK;
}

int attr_membership_from_table(struct attr_membership *m, const struct attr_table *t,
			       const struct attr_aliases *aliases, int64_t as_of, long *line, char *err)
{
	memset(m, 0, sizeof *m);
	int col[4], st;
	if ((st = need_col(t, "contributor", &col[0], line, err)) || (st = need_col(t, "from", &col[1], line, err)) ||
	    (st = need_col(t, "to", &col[2], line, err)))
		return st;
	col[3] = attr_table_col(t, "weighting");
	for (size_t i = 0; i < t->nrows; i++) {
		*line = t->lines[i];
		if ((st = membership_row(m, t->rows[i], col, aliases, as_of, err)))
			return st == ATTR_ERANGE ? attr_fail(err, "months x weighting is too large") : st;
	}
	return ATTR_OK;
}

void attr_membership_free(struct attr_membership *m)
{
	names_free(&m->names);
	free(m->months);
	memset(m, 0, sizeof *m);
}
