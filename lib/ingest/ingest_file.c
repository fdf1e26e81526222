/* ingest_file.c - one export read into the stream: its header found and
 * matched, its records turned into rows, its rejects and end-of-file
 * notes (ingest_run_file of ingest_run.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "diag.h"
#include "ingest_detect.h"
#include "ingest_emit.h"
#include "ingest_explain.h"
#include "ingest_run.h"
#include "ingest_sniff.h"
#include "redact.h"

/* The failure of a read: errno's, or a malformed record at its line. */
static int read_failed(struct ingest_run *rn, const struct csvin *c)
{
	if (errno)
		return ingest_run_fail(rn, EXIT_DATA, NULL, 0, "%s: read error: %s", c->file, strerror(errno));
	return ingest_run_fail(rn, EXIT_DATA, c->file, c->line, "%s", c->err);
}

/* Keep c's record (a file's first) for the "nearest" message. */
static int keep_first(struct ingest_run *rn, const struct csvin *c)
{
	size_t total = 0;
	for (size_t i = 0; i < c->nfields; i++)
		total += c->fields[i].len + 1;
	rn->first_names = malloc(total ? total : 1);
	rn->first_fields = calloc(c->nfields ? c->nfields : 1, sizeof *rn->first_fields);
	if (!rn->first_names || !rn->first_fields)
		return ingest_run_fail(rn, EXIT_DATA, NULL, 0, "out of memory");
	size_t off = 0;
	for (size_t i = 0; i < c->nfields; i++) {
		memcpy(rn->first_names + off, c->fields[i].s, c->fields[i].len + 1);
		rn->first_fields[i] = (struct csvin_field){rn->first_names + off, c->fields[i].len};
		off += c->fields[i].len + 1;
	}
	rn->first_n = c->nfields;
	return 0;
}

static void forget_first(struct ingest_run *rn)
{
	free(rn->first_names);
	free(rn->first_fields);
	rn->first_names = NULL;
	rn->first_fields = NULL;
	rn->first_n = 0;
}

/* Open PATH with separator SEP and encoding ENC and find its header
 * within the first lines: *m its mapping.  On failure c is closed. */
static int open_header(struct ingest_run *rn, struct csvin *c, const char *path, int sep, int enc, struct imap **m)
{
	if (csvin_open(c, path, sep, (enum csvin_encoding)enc) < 0) {
		int e = errno;
		int st = ingest_run_fail(rn, EXIT_USAGE, NULL, 0, "%s: %s", c->file, strerror(e));
		csvin_close(c);
		return st;
	}
	const char *not_text = ingest_sniff_not_text(c->buf + c->buf_start, c->buf_end - c->buf_start);
	int st = not_text ? ingest_run_fail(rn, EXIT_DATA, NULL, 0, "%s: %s", c->file, not_text) : 0;
	*m = NULL;
	for (int k = 0; !st && k < INGEST_HEADER_SEARCH; k++) {
		int r = csvin_next(c);
		if (r == 0)
			break;
		if (r < 0)
			st = read_failed(rn, c);
		else if (k == 0)
			st = keep_first(rn, c);
		if (!st && (*m = ingest_detect_match(rn, c)))
			break;
	}
	if (!st && !*m)
		st = rn->first_n == 0 ? ingest_run_fail(rn, EXIT_DATA, NULL, 0, "%s: empty file: no header", c->file)
				      : ingest_detect_unknown(rn, c->file, rn->first_fields, rn->first_n);
	forget_first(rn);
	if (st)
		csvin_close(c);
	return st;
}

/* Open PATH at its header, bound to its mapping *m: read a second time
 * with the format's separator when it is not the one guessed (not for
 * standard input).  On failure c is closed. */
static int open_file(struct ingest_run *rn, struct csvin *c, const char *path, struct imap **m)
{
	const struct ingest_options *o = rn->o;
	/* A mapping known before the header is read says how to read it. */
	struct imap *forced = ingest_detect_forced(rn);
	int enc = o->encoding;
	if (forced && !o->encoding_given && forced->enc >= 0)
		enc = forced->enc;
	int sep = !o->sep && forced ? forced->sep : o->sep;
	int st = open_header(rn, c, path, sep, enc, m);
	if (!st && (*m)->sep && (*m)->sep != c->sep && strcmp(c->file, "<stdin>") != 0) {
		csvin_close(c);
		st = open_header(rn, c, path, (*m)->sep, enc, m);
	}
	if (st)
		return st;
	if (!o->encoding_given && (*m)->enc >= 0)
		csvin_set_encoding(c, (enum csvin_encoding)(*m)->enc);
	if (o->currency[0])
		memcpy((*m)->default_currency, o->currency, 4);
	if (imap_bind(*m, c->fields, c->nfields) < 0)
		st = ingest_run_fail(rn, EXIT_USAGE, NULL, 0, "%s: %s", c->file, (*m)->err);
	if (!st)
		st = ingest_detect_date_order(rn, *m, c, path);
	if (st)
		csvin_close(c);
	return st;
}

/* The header record, for the rejects file. */
struct header {
	char *raw;
	size_t len;
};

/* A bad record to the reject hook (--redact: its personal data
 * pseudonymised). */
static int reject(struct ingest_run *rn, const struct csvin *c, const struct imap *m, const struct header *h,
		  const char *reason)
{
	size_t len = c->raw_len;
	char *red = rn->o->redact ? redact_record(c->raw, c->raw_len, c->fields, c->nfields, m->header, m->ncols,
						  rn->o->key, &len)
				  : NULL;
	if (rn->o->redact && !red)
		return ingest_run_fail(rn, EXIT_DATA, NULL, 0, "out of memory");
	rn->st.rejected++;
	if (rn->hooks.reject)
		rn->hooks.reject(rn->hooks.ctx, c->file, c->line, h->raw, h->len, red ? red : c->raw, len, reason);
	free(red);
	return 0;
}

/* One record's rows (imap_eval said IMAP_OK): rejected when a net is not
 * gross - fee (with --lenient, a warning), else out. */
static int record_rows(struct ingest_run *rn, struct imap *m, const struct csvin *c, const struct header *h,
		       struct imap_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!rows[i].net_differs)
			continue;
		if (!rn->o->lenient)
			return reject(rn, c, m, h, rows[i].mismatch);
		ingest_run_warn(rn, c->file, c->line, "%s", rows[i].mismatch);
	}
	return ingest_emit_rows(rn, m, rows, n, c->file, c->line);
}

/* Every record after the header; *stop set at the format's end of data
 * or the end of the file. */
static int read_record(struct ingest_run *rn, struct imap *m, struct csvin *c, const struct header *h,
		       bool *stop)
{
	struct imap_row rows[IMAP_MAX_ROWS];
	int r = csvin_next(c);
	progress_tick(&rn->progress, rn->bytes_done + c->bytes_read);
	*stop = r == 0;
	if (r == 0)
		return 0;
	if (r < 0) {
		if (errno)
			return read_failed(rn, c);
		rn->st.read++;
		return reject(rn, c, m, h, c->err);
	}
	size_t n;
	int st = imap_eval(m, c->fields, c->nfields, c->raw, c->raw_len, rows, &n);
	*stop = st == IMAP_STOP;
	if (st == IMAP_STOP)
		return 0;
	if (st == IMAP_TOTAL) {
		rn->st.totals++;
		return 0;
	}
	rn->st.read++;
	if (st == IMAP_SKIP) {
		rn->st.ignored++;
		return 0;
	}
	if (st == IMAP_ERR)
		return reject(rn, c, m, h, m->err);
	return record_rows(rn, m, c, h, rows, n);
}

/* The notes of a file's end: rows left out by the date filter (never
 * silent: a lagging source, DistroKid dating rows by sale month, would
 * otherwise vanish from a --period run) and duplicates dropped. */
static void file_notes(struct ingest_run *rn, const struct imap *m, const char *file, long dups)
{
	if (rn->left_out.n > 0) {
		char a[DATE_BUF], b[DATE_BUF];
		date_format_day(a, rn->left_out.first);
		date_format_day(b, rn->left_out.last);
		ingest_run_warn(rn, NULL, 0,
				"%s: left out %ld %s row%s dated %s to %s (outside --since/--until/--period, by the %s date)",
				file, rn->left_out.n, m->source, rn->left_out.n == 1 ? "" : "s", a, b,
				rn->left_out.reported ? "reported" : "sale");
		rn->left_out = (struct ingest_left_out){0};
	}
	if (dups > 0)
		ingest_run_warn(rn, NULL, 0,
				"%s: dropped %ld duplicate row%s (the same record as a row before: same source, id and content)",
				file, dups, dups == 1 ? "" : "s");
}

/* The records of c, bound to m, into the stream, and the file's end. */
static int read_rows(struct ingest_run *rn, struct imap *m, struct csvin *c, const struct header *h)
{
	int64_t rounding_before = m->rounding_e10;
	long rounded_before = m->rounded, dups_before = rn->st.duplicates;
	rn->linking = imap_has_reversal_rows(m);
	rn->itemizing = imap_has_items(m);
	ingest_link_reset(&rn->link);
	ingest_item_reset(&rn->items);
	bool stop = false;
	int st = 0;
	while (!st && !stop)
		st = read_record(rn, m, c, h, &stop);
	if (!st)
		st = ingest_emit_release_items(rn, m, c->file);
	if (!st)
		st = ingest_emit_release_all(rn, m, c->file);
	rn->order = 0;
	rn->dated = false;
	if (st)
		return st;
	if (imap_finish(m) < 0)
		return ingest_run_fail(rn, EXIT_DATA, NULL, 0, "%s: %s", c->file, m->err);
	if (!imap_totals_complete(m)) {
		/* a cut download: its rows would be taken as the whole month */
		if (!rn->o->lenient)
			return ingest_run_fail(rn, EXIT_DATA, NULL, 0, "%s: %s; --lenient reads it anyway", c->file,
					       m->err);
		ingest_run_warn(rn, NULL, 0, "%s: %s; read anyway (--lenient)", c->file, m->err);
	}
	file_notes(rn, m, c->file, rn->st.duplicates - dups_before);
	rn->rounding_e10 += m->rounding_e10 - rounding_before;
	rn->rounded += m->rounded - rounded_before;
	return 0;
}

int ingest_run_file(struct ingest_run *rn, const char *path)
{
	struct csvin c;
	struct imap *m = NULL;
	rn->st.files++;
	int st = open_file(rn, &c, path, &m);
	if (st)
		return st;
	if (rn->o->explain) {
		st = ingest_explain_file(rn, m, &c);
		csvin_close(&c);
		return st;
	}
	struct header h = {strndup(c.raw, c.raw_len), c.raw_len};
	if (!h.raw) {
		csvin_close(&c);
		return ingest_run_fail(rn, EXIT_DATA, NULL, 0, "out of memory");
	}
	/* --redact reads every column, to find the names in rejected rows */
	csvin_want(&c, rn->o->redact ? NULL : m->want, m->ncols);
	st = read_rows(rn, m, &c, &h);
	free(h.raw);
	rn->bytes_done += c.bytes_read;
	csvin_close(&c);
	return st;
}
