/* ingest_explain.c - --list-formats and --explain-format (see
 * ingest_explain.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "diag.h"
#include "ingest_explain.h"
#include "ingest_row.h"

void ingest_explain_list(struct out *out, const struct imap *m)
{
	out_printf(out, "%-23s %s%s\n", m->name, m->title, m->inferred ? " [inferred layout]" : "");
	for (size_t i = 0; i < m->nchecked; i++)
		out_printf(out, "%-23s checked: %s\n", "", m->checked[i]);
}

const char *ingest_explain_date_order(const char *fmt)
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

/* How c's encoding was found: its byte order mark, a line's bytes, or
 * not yet (cp1252 unless a later line is UTF-8), into buf. */
static const char *encoding_said(const struct csvin *c, char *buf, size_t n)
{
	const char *name = csvin_encoding_name(c->enc);
	if (c->bom)
		snprintf(buf, n, "%s (byte order mark)", name);
	else if (c->enc_pending)
		snprintf(buf, n, "cp1252, or utf-8 if the first line not ASCII is UTF-8");
	else if (c->enc_line)
		snprintf(buf, n, "%s (line %ld, the first not ASCII, is %s)", name, c->enc_line,
			 c->enc == CSVIN_UTF8 ? "UTF-8" : "not UTF-8");
	else
		snprintf(buf, n, "%s", name);
	return buf;
}

/* The first part: how the file is read. */
static void explain_reading(struct out *out, const struct imap *m, const struct csvin *c)
{
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
	char enc[96];
	out_printf(out, "separator: %s\nencoding: %s\n", c->sep == '\t' ? "tab" : c->sep == ';' ? ";" : ",",
		   encoding_said(c, enc, sizeof enc));
	out_printf(out, "number locale: decimal mark \"%c\" (%s)\n", m->decimal_mark,
		   m->decimal_mark == ',' ? "1.234,56" : "1,234.56");
	for (size_t i = 0; i < m->ndate_formats; i++)
		out_printf(out, "date layout%s: %s (%s)\n", m->ndate_formats > 1 ? " (tried in order)" : "",
			   m->date_formats[i], ingest_explain_date_order(m->date_formats[i]));
}

/* What the rows of a file became. */
struct row_tally {
	long kinds[16], skipped, totals, rejected, read, first_bad;
	char bad[sizeof ((struct imap *)0)->err];
	int64_t lo, hi;
};

/* Count the rows of one record (a return of csvin_next, r != 0) into t;
 * false at the format's end of data. */
static bool tally_record(struct row_tally *t, struct imap *m, struct csvin *c, int r)
{
	struct imap_row rows[IMAP_MAX_ROWS];
	size_t n = 0;
	int st = r < 0 ? IMAP_ERR : imap_eval(m, c->fields, c->nfields, c->raw, c->raw_len, rows, &n);
	if (st == IMAP_STOP)
		return false;
	if (st == IMAP_TOTAL) {
		t->totals++;
		return true;
	}
	t->read++;
	if (st == IMAP_SKIP) {
		t->skipped++;
	} else if (st == IMAP_ERR) {
		if (!t->rejected++) {
			t->first_bad = c->line;
			snprintf(t->bad, sizeof t->bad, "%s", r < 0 ? c->err : m->err);
		}
	} else {
		for (size_t i = 0; i < n; i++) {
			for (size_t k = 0; k < 16 && imap_kinds[k]; k++)
				if (strcmp(rows[i].kind, imap_kinds[k]) == 0)
					t->kinds[k]++;
			t->lo = rows[i].date < t->lo ? rows[i].date : t->lo;
			t->hi = rows[i].date > t->hi ? rows[i].date : t->hi;
		}
	}
	return true;
}

/* The second part: the rows, and the mapping. */
static void explain_rows(struct out *out, const struct imap *m, const struct row_tally *t)
{
	out_printf(out, "rows: %ld read, %ld passed over by skip rules, %ld totals row%s, %ld the format rejects\n",
		   t->read, t->skipped, t->totals, t->totals == 1 ? "" : "s", t->rejected);
	if (t->rejected)
		out_printf(out, "first rejected: line %ld: %s\n", t->first_bad, t->bad);
	out_puts(out, "canonical rows:");
	for (size_t k = 0; k < 16 && imap_kinds[k]; k++)
		if (t->kinds[k])
			out_printf(out, " %s %ld", imap_kinds[k], t->kinds[k]);
	out_puts(out, "\n");
	if (t->lo <= t->hi) {
		char a[DATE_BUF], b[DATE_BUF];
		ingest_format_time(a, t->lo);
		ingest_format_time(b, t->hi);
		out_printf(out, "dates: %.10s to %.10s\n", a, b);
	}
	out_puts(out, "mapping:\n");
	const char *s = m->text_copy;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		out_printf(out, "  %.*s\n", (int)len, s);
		s += len + (nl ? 1 : 0);
	}
}

int ingest_explain_file(struct ingest_run *rn, struct imap *m, struct csvin *c)
{
	explain_reading(rn->out, m, c);
	struct row_tally t = {.lo = INT64_MAX, .hi = INT64_MIN};
	for (;;) {
		int r = csvin_next(c);
		if (r == 0)
			break;
		if (r < 0 && errno)
			return ingest_run_fail(rn, EXIT_DATA, NULL, 0, "%s: read error: %s", c->file, strerror(errno));
		if (!tally_record(&t, m, c, r))
			break;
	}
	if (imap_finish(m) < 0) {
		t.rejected++;
		out_printf(rn->out, "totals row: %s\n", m->err);
	}
	if (!imap_totals_complete(m))
		out_printf(rn->out, "totals row: %s\n", m->err);
	explain_rows(rn->out, m, &t);
	return 0;
}
