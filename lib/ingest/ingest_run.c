/* ingest_run.c - the run of tally-ingest: setting up, the formats table,
 * --sort's store, and the end of a run (see ingest_run.h).  A file's
 * reading is ingest_file.c; its rows' way out, ingest_emit.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "ingest_emit.h"
#include "ingest_explain.h"
#include "ingest_formats.h"
#include "ingest_row.h"
#include "ingest_run.h"

int ingest_run_fail(struct ingest_run *rn, int status, const char *file, long line, const char *fmt, ...)
{
	size_t n = 0;
	if (file && line > 0)
		n = (size_t)snprintf(rn->err, sizeof rn->err, "%s:%ld: ", file, line);
	else if (file)
		n = (size_t)snprintf(rn->err, sizeof rn->err, "%s: ", file);
	if (n >= sizeof rn->err)
		n = sizeof rn->err - 1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rn->err + n, sizeof rn->err - n, fmt, ap);
	va_end(ap);
	return status;
}

void ingest_run_warn(struct ingest_run *rn, const char *file, long line, const char *fmt, ...)
{
	char msg[INGEST_ERR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (rn->hooks.note)
		rn->hooks.note(rn->hooks.ctx, file, line, msg);
}

int ingest_run_init(struct ingest_run *rn, const struct ingest_options *o, const struct ingest_hooks *hooks)
{
	memset(rn, 0, sizeof *rn);
	rn->o = o;
	rn->hooks = *hooks;
	rn->held.max_bytes = INGEST_HOLD_BYTES;
	rn->item_held.max_bytes = INGEST_HOLD_BYTES;
	extsort_init(&rn->sorted, EXTSORT_BUDGET_DEFAULT, NULL);
	rn->builtins = calloc(ingest_nformats, sizeof *rn->builtins);
	if (!rn->builtins)
		return ingest_run_fail(rn, EXIT_DATA, NULL, 0, "out of memory");
	for (size_t i = 0; i < ingest_nformats; i++)
		if (imap_parse(&rn->builtins[i], ingest_formats[i].text, ingest_formats[i].name) < 0)
			return ingest_run_fail(rn, EXIT_DATA, NULL, 0, "built-in format %s: %s", ingest_formats[i].name,
					       rn->builtins[i].err);
	return 0;
}

struct imap *ingest_run_builtin(const struct ingest_run *rn, const char *name)
{
	for (size_t i = 0; i < ingest_nformats; i++)
		if (strcmp(ingest_formats[i].name, name) == 0)
			return &rn->builtins[i];
	return NULL;
}

int ingest_run_list(struct ingest_run *rn, struct out *out, bool list, const char *show)
{
	for (size_t i = 0; i < ingest_nformats; i++) {
		if (show && strcmp(show, ingest_formats[i].name) == 0)
			out_puts(out, ingest_formats[i].text);
		else if (list)
			ingest_explain_list(out, &rn->builtins[i]);
	}
	if (show && !ingest_run_builtin(rn, show))
		return ingest_run_fail(rn, EXIT_USAGE, NULL, 0,
				       "--show-format: no built-in format \"%s\" (see --list-formats)", show);
	return 0;
}

int ingest_run_set_map(struct ingest_run *rn, const char *text, const char *name)
{
	rn->user_map = calloc(1, sizeof *rn->user_map);
	if (!rn->user_map)
		return ingest_run_fail(rn, EXIT_DATA, NULL, 0, "out of memory");
	if (imap_parse(rn->user_map, text, name) < 0)
		return ingest_run_fail(rn, EXIT_USAGE, NULL, 0, "%s:%s", name, rn->user_map->err);
	return 0;
}

void ingest_run_start(struct ingest_run *rn, struct out *out, size_t budget, const char *tmpdir)
{
	extsort_free(&rn->sorted);
	extsort_init(&rn->sorted, budget, tmpdir);
	rn->held.tmpdir = rn->item_held.tmpdir = rn->sorted.tmpdir;
	rn->out = out;
	tsv_writer_init(&rn->w, out);
	if (!rn->o->explain)
		out_puts(out, ingest_header);
}

/* The failure of --sort's temporary files. */
static int sort_failed(struct ingest_run *rn)
{
	return ingest_run_fail(rn, EXIT_DATA, NULL, 0, "--sort: temporary file in %s: %s", rn->sorted.tmpdir,
			       strerror(errno));
}

int ingest_run_sort_row(struct ingest_run *rn, const struct imap *m, const struct imap_row *r, const char *file,
			long line)
{
	static char stage_buf[EXTSORT_ROW_MAX + 1];
	struct out stage = {.fd = -1, .name = "<sort>", .buf = stage_buf, .cap = sizeof stage_buf};
	struct tsv_writer w2;
	tsv_writer_init(&w2, &stage);
	ingest_row_write(&w2, m, r, rn->o->keep_pii ? NULL : rn->o->key, file, line);
	if (stage.err || stage.len == stage.cap)
		return ingest_run_fail(rn, EXIT_DATA, file, line,
				       "row too long to sort: --sort takes rows of up to 64 KB as written");
	if (extsort_add(&rn->sorted, r->sort_date, stage.buf, stage.len) < 0)
		return sort_failed(rn);
	return 0;
}

int ingest_run_finish(struct ingest_run *rn)
{
	long spilled = rn->held.spilled_ever + rn->item_held.spilled_ever;
	if (rn->o->verbose && spilled > 0)
		ingest_run_warn(rn, NULL, 0, "%ld held row%s waited for the end of their file in a temporary file in %s "
				"(past %zu MB of held rows in memory)", spilled, spilled == 1 ? "" : "s", rn->sorted.tmpdir,
				rn->held.max_bytes >> 20);
	if (!rn->o->sort)
		return 0;
	struct extsort *s = &rn->sorted;
	const char *row;
	size_t len;
	int rc = extsort_finish(s);
	if (rc == 0)
		while ((rc = extsort_next(s, &row, &len)) == 1)
			out_write(rn->out, row, len);
	if (rc < 0)
		return sort_failed(rn);
	if (rn->o->verbose && extsort_spilled(s) > 0)
		ingest_run_warn(rn, NULL, 0, "--sort: spilled %zu run%s to %s", extsort_spilled(s),
				extsort_spilled(s) == 1 ? "" : "s", s->tmpdir);
	return 0;
}

void ingest_run_free(struct ingest_run *rn)
{
	if (rn->builtins)
		for (size_t i = 0; i < ingest_nformats; i++)
			imap_free(&rn->builtins[i]);
	free(rn->builtins);
	if (rn->user_map)
		imap_free(rn->user_map);
	free(rn->user_map);
	free(rn->first_names);
	free(rn->first_fields);
	ingest_dedupe_free(&rn->seen);
	ingest_link_free(&rn->link);
	ingest_hold_free(&rn->held);
	ingest_hold_free(&rn->item_held);
	ingest_item_free(&rn->items);
	extsort_free(&rn->sorted);
	rn->builtins = NULL;
	rn->user_map = NULL;
	rn->first_names = NULL;
	rn->first_fields = NULL;
}
