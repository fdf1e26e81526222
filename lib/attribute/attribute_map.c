/* attribute_map.c - contributions read from any CSV/TSV export through a
 * mapping in tally-ingest's language, compiled to a sales mapping whose
 * fields carry the contributions' (attribute_map.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attribute_map.h"
#include "diag.h"

#define HEADER_SEARCH 20 /* records searched for the header */

/* A contributions field and the sales mapping's field that carries it. */
static const struct field {
	const char *name, *carrier;
} fields[] = {
	{"date", "date"},    {"contributor", "customer"}, {"kind", "order"}, {"project", "product"},
	{"amount", "gross"}, {"ref", "id"},               {"target", "sku"},
};
#define NFIELDS (sizeof fields / sizeof fields[0])

/* Directives about reading the export, the same in both languages. */
static const char *const reading[] = {
	"format",      "source",      "title",      "note",     "checked", "detect", "separator", "encoding",
	"decimal-mark", "date-format", "date-order", "timezone", "skip",    "stop",   "fill-key",  "fill-down",
};

struct text {
	char *s;
	size_t n, cap;
	bool oom;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (t->oom)
		return;
	if (t->n + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		while (cap < t->n + n + 1)
			cap *= 2;
		char *p = realloc(t->s, cap);
		if (!p) {
			t->oom = true;
			return;
		}
		t->s = p, t->cap = cap;
	}
	memcpy(t->s + t->n, s, n);
	t->n += n;
	t->s[t->n] = '\0';
}

static int field_of(const char *key, size_t n)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (strlen(fields[i].name) == n && memcmp(fields[i].name, key, n) == 0)
			return (int)i;
	return -1;
}

static bool is_reading(const char *key, size_t n)
{
	for (size_t i = 0; i < sizeof reading / sizeof reading[0]; i++)
		if (strlen(reading[i]) == n && memcmp(reading[i], key, n) == 0)
			return true;
	return false;
}

/* Translate one line (line[0..n), number lineno) into t; seen[] marks the
 * fields given.  Returns ATTR_OK or ATTR_EDATA. */
static int translate_line(struct text *t, const char *line, size_t n, long lineno, long *seen, char *err)
{
	size_t i = 0;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	size_t k = i;
	while (k < n && line[k] != ' ' && line[k] != '\t' && line[k] != '\r')
		k++;
	if (i == k || line[i] == '#') {
		put(t, line, n);
		return ATTR_OK;
	}
	int f = field_of(line + i, k - i);
	if (f < 0 && !is_reading(line + i, k - i))
		return attr_fail(err, "%ld: \"%.*s\" is not a directive of a contributions mapping (date, contributor, "
				 "kind, project, amount, ref, target, or one about reading the file: detect, "
				 "separator, skip if ...)", lineno, (int)(k - i), line + i);
	if (f < 0) {
		put(t, line, n);
		return ATTR_OK;
	}
	if (seen[f])
		return attr_fail(err, "%ld: %s is given twice (first on line %ld)", lineno, fields[f].name, seen[f]);
	seen[f] = lineno;
	put(t, line, i);
	put(t, fields[f].carrier, strlen(fields[f].carrier));
	put(t, line + k, n - k);
	return ATTR_OK;
}

int attr_map_parse(struct imap *m, const char *text, char *err)
{
	struct text t = {0};
	long seen[NFIELDS] = {0}, lineno = 0;
	int st = ATTR_OK;
	memset(m, 0, sizeof *m);
	for (const char *p = text; *p && st == ATTR_OK;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		st = translate_line(&t, p, n, ++lineno, seen, err);
		put(&t, "\n", 1);
		p += n + (nl ? 1 : 0);
	}
	for (size_t f = 1; f < 4 && st == ATTR_OK; f++) /* contributor, kind, project */
		if (!seen[f])
			st = attr_fail(err, "%ld: the mapping says nothing about the %s (%s TEMPLATE)", lineno,
				       fields[f].name, fields[f].name);
	/* Money fields the sales mapping needs and contributions have not. */
	put(&t, "default-currency USD\n", 21);
	if (!seen[4])
		put(&t, "gross 1\n", 8);
	if (st == ATTR_OK && t.oom)
		st = ATTR_ENOMEM;
	if (st == ATTR_OK && imap_parse(m, t.s, "--map") < 0)
		st = strstr(m->err, "out of memory") ? ATTR_ENOMEM : attr_fail(err, "%s", m->err);
	free(t.s);
	return st;
}

/* A contribution from a row of the compiled mapping. */
static int to_contribution(const struct imap *m, const struct imap_row *r, struct attr_row *row, char *err)
{
	static const struct {
		int text;
		const char *name;
	} need[] = {{IMAP_CUSTOMER, "contributor"}, {IMAP_ORDER, "kind"}, {IMAP_PRODUCT, "project"}};
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
		if (r->text_len[need[i].text] == 0)
			return attr_fail(err, "%s: the mapping makes it empty", need[i].name);
	if (r->gross < 0) {
		char a[MONEY_BUF];
		attr_format_points(a, r->gross);
		return attr_fail(err, "amount %s: \"%s\" is negative", m->emits[0].amount[IMAP_GROSS]->text, a);
	}
	*row = (struct attr_row){
		.date = r->date,
		.contributor = r->text[IMAP_CUSTOMER], .contributor_len = r->text_len[IMAP_CUSTOMER],
		.kind = r->text[IMAP_ORDER], .kind_len = r->text_len[IMAP_ORDER],
		.project = r->text[IMAP_PRODUCT], .project_len = r->text_len[IMAP_PRODUCT],
		.amount = r->gross,
		.ref = r->text[IMAP_ID], .ref_len = r->text_len[IMAP_ID],
		.target = r->text[IMAP_SKU], .target_len = r->text_len[IMAP_SKU],
	};
	return ATTR_OK;
}

static int read_failed(const struct csvin *c, long *line, char *err)
{
	*line = c->line;
	return attr_fail(err, "%s", c->err[0] ? c->err : "read error");
}

/* Find and bind the header among the first records. */
static int bind_header(struct imap *m, struct csvin *c, long *line, char *err)
{
	int r = 0;
	for (int k = 0; k < HEADER_SEARCH && (r = csvin_next(c)) == 1; k++) {
		size_t total, hit = imap_score(m, c->fields, c->nfields, &total);
		if (hit < total)
			continue;
		if (imap_bind(m, c->fields, c->nfields) < 0)
			return attr_fail(err, "%s", m->err);
		csvin_want(c, m->want, m->ncols);
		return ATTR_OK;
	}
	if (r < 0)
		return read_failed(c, line, err);
	return attr_fail(err, r == 0 && c->line <= 1 ? "empty file: no header"
						     : "no header holds the mapping's detect columns");
}

int attr_map_read(struct imap *m, struct csvin *c, attr_emit_fn emit, void *ctx, long *line, char *err)
{
	struct imap_row rows[IMAP_MAX_ROWS];
	struct attr_row row;
	int r, st;
	*line = 0;
	if ((st = bind_header(m, c, line, err)))
		return st;
	while ((r = csvin_next(c)) == 1) {
		size_t n = 0;
		int ev = imap_eval(m, c->fields, c->nfields, c->raw, c->raw_len, rows, &n);
		if (ev == IMAP_STOP)
			break;
		*line = c->line;
		if (ev == IMAP_ERR)
			return strstr(m->err, "out of memory") ? ATTR_ENOMEM : attr_fail(err, "%s", m->err);
		for (size_t i = 0; ev == IMAP_ROWS && i < n; i++)
			if ((st = to_contribution(m, &rows[i], &row, err)) || (st = emit(ctx, &row, err)))
				return st;
	}
	if (r < 0)
		return read_failed(c, line, err);
	*line = 0;
	if (imap_finish(m) < 0)
		return attr_fail(err, "%s", m->err);
	return ATTR_OK;
}
