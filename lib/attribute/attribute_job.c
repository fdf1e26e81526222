/* attribute_job.c - a run of tally-attribute from the options to the
 * shares: side files, readers, the other modules' methods, the closing
 * notes (attribute_job.h). */
#include "attribute_job.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attribute_git.h"
#include "attribute_graph.h"
#include "attribute_map.h"
#include "attribute_read.h"
#include "csvin.h"
#include "date.h"
#include "diag.h"
#include "readall.h"

static bool failf(struct attr_fail *f, int status, const char *file, long line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static bool failf(struct attr_fail *f, int status, const char *file, long line, const char *fmt, ...)
{
	va_list ap;
	f->status = status;
	snprintf(f->file, sizeof f->file, "%s", file ? file : "");
	f->line = line;
	f->column = false;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof f->msg, fmt, ap);
	va_end(ap);
	return false;
}

static void note(const struct attr_job *job, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(const struct attr_job *job, const char *fmt, ...)
{
	char msg[ATTR_ERR];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (job->note)
		job->note(job->note_ctx, msg);
}

const char *attr_display(const char *path)
{
	return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

bool attr_job_check(int st, const char *file, long line, const char *err, struct attr_fail *f)
{
	if (st == ATTR_OK)
		return true;
	if (st == ATTR_ENOMEM)
		return failf(f, 1, NULL, 0, "out of memory");
	return failf(f, st == ATTR_EFAILED ? 2 : 1, file, line, "%s", err);
}

/* The whole of PATH ("-": standard input) into *text. */
static bool read_file(const char *path, char **text, size_t *len, struct attr_fail *f)
{
	if (readall_path(path, text, len) == 0)
		return true;
	if (errno == ENOMEM)
		return failf(f, 1, NULL, 0, "out of memory");
	return failf(f, 2, attr_display(path), 0, "%s", strerror(errno));
}

/* Open r on FILES[0..n) (none: standard input). */
static bool open_stream(struct tsv_reader *r, char *const *files, size_t n, struct attr_fail *f)
{
	if (tsv_open(r, files, n) == 0)
		return true;
	if (errno)
		failf(f, 2, r->file, 0, "%s", strerror(errno));
	else
		failf(f, 1, r->file, 1, "%s", r->err);
	tsv_close(r);
	return false;
}

/* A read of r that ended with rc < 0. */
static bool read_failed(const struct tsv_reader *r, struct attr_fail *f)
{
	if (errno)
		return failf(f, 2, r->file, 0, "%s", strerror(errno));
	return failf(f, 1, r->file, r->line, "%s", r->err);
}

static bool read_table(const char *path, struct attr_table *t, struct attr_fail *f)
{
	size_t len;
	char *text, err[ATTR_ERR];
	long line;
	if (!read_file(path, &text, &len, f))
		return false;
	int st = attr_table_parse(t, text, len, &line, err);
	free(text);
	return attr_job_check(st, attr_display(path), line, err, f);
}

/* One side file at PATH made into its structure by FROM. */
static bool load_side(const char *path, struct attr_fail *f, int (*from)(void *ctx, const struct attr_table *t,
									long *line, char *err),
		      void *ctx)
{
	struct attr_table t;
	char err[ATTR_ERR];
	long line = 0;
	if (!read_table(path, &t, f))
		return false;
	int st = from(ctx, &t, &line, err);
	attr_table_free(&t);
	return attr_job_check(st, attr_display(path), line, err, f);
}

static int weights_from(void *ctx, const struct attr_table *t, long *line, char *err)
{
	return attr_weights_from_table(ctx, t, line, err);
}

static int aliases_from(void *ctx, const struct attr_table *t, long *line, char *err)
{
	return attr_aliases_from_table(ctx, t, line, err);
}

/* The membership file's context: the job and the end of open memberships. */
struct membership_ctx {
	struct attr_job *job;
	int64_t until;
};

static int membership_from(void *ctx, const struct attr_table *t, long *line, char *err)
{
	struct membership_ctx *m = ctx;
	const struct attr_options *opt = &m->job->opt;
	return attr_membership_from_table(&m->job->membership, t, opt->aliases ? &m->job->aliases : NULL, m->until,
					  line, err);
}

bool attr_job_start(struct attr_job *job, int64_t now, struct attr_fail *f)
{
	const struct attr_options *opt = &job->opt;
	struct membership_ctx m = {job, opt->have_as_of ? opt->as_of : now};
	if (opt->weights && !load_side(opt->weights, f, weights_from, &job->weights))
		return false;
	if (opt->aliases && !load_side(opt->aliases, f, aliases_from, &job->aliases))
		return false;
	if (opt->membership && !load_side(opt->membership, f, membership_from, &m))
		return false;
	struct attr_config cfg = attr_opts_config(opt, &job->weights, &job->aliases);
	attr_engine_init(&job->engine, &cfg);
	job->graph.weights = cfg.weights;
	job->graph.aliases = cfg.aliases;
	return true;
}

static int emit_row(void *ctx, const struct attr_row *row, char *err)
{
	struct attr_job *job = ctx;
	if (job->opt.other == ATTR_OTHER_GRAPH)
		return attr_graph_add(&job->graph, row, err);
	return attr_add(&job->engine, row, err);
}

/* Whether r has the columns NAMES (NULL-ended), else the first missing in
 * f (f->column: the header to show is r's). */
static bool has_columns(const struct tsv_reader *r, const char *const *names, struct attr_fail *f)
{
	for (; *names; names++)
		if (tsv_col(r, *names) < 0) {
			failf(f, 2, r->file, 0, "%s", *names);
			f->column = true;
			return false;
		}
	return true;
}

static bool read_stream(struct attr_job *job, char **files, size_t nfiles, struct attr_fail *f)
{
	static const char *const required[] = {"date", "contributor", "kind", "project", NULL};
	struct tsv_reader *r = &job->in;
	struct attr_cols cols;
	struct attr_row row;
	char err[ATTR_ERR];
	int rc;
	if (!open_stream(r, files, nfiles, f))
		return false;
	job->in_open = true;
	if (attr_cols_bind(&cols, r, err) != ATTR_OK && !has_columns(r, required, f))
		return false;
	while ((rc = tsv_next(r)) == 1) {
		int st = attr_row_from_tsv(&row, &cols, r, err);
		if (st == ATTR_OK)
			st = emit_row(job, &row, err);
		if (!attr_job_check(st, r->file, r->line, err, f))
			return false;
	}
	return rc < 0 ? read_failed(r, f) : true;
}

/* The log of --git DIR (or of "-", standard input), its name for
 * messages in FILE, and the co-authors' contacts by its .mailmap. */
static bool git_log(const struct attr_options *opt, char **log, size_t *len, char *file, size_t cap,
		    struct attr_mailmap *mm, struct attr_fail *f)
{
	char err[ATTR_ERR];
	if (strcmp(opt->git, "-") == 0) {
		snprintf(file, cap, "<stdin>");
		return read_file("-", log, len, f);
	}
	snprintf(file, cap, "git log %s", opt->git);
	if (!attr_job_check(attr_git_log(opt->git, opt->lines, log, len, err), NULL, 0, err, f))
		return false;
	return attr_job_check(attr_mailmap_resolve(mm, opt->git, *log, *len, err), NULL, 0, err, f);
}

static bool read_git(struct attr_job *job, struct attr_fail *f)
{
	const struct attr_options *opt = &job->opt;
	char *project = NULL, *log = NULL, err[ATTR_ERR], file[PATH_MAX + 16];
	size_t len;
	struct attr_mailmap mm = {0};
	bool ok;
	if (opt->project)
		ok = attr_job_check((project = strdup(opt->project)) ? ATTR_OK : ATTR_ENOMEM, NULL, 0, "", f);
	else
		ok = attr_job_check(attr_git_repo_name(opt->git, &project, err), NULL, 0, err, f);
	if (ok)
		ok = git_log(opt, &log, &len, file, sizeof file, &mm, f);
	if (ok) {
		struct attr_git g = {.project = project, .lines = opt->lines,
				     .mailmap = strcmp(opt->git, "-") == 0 ? NULL : attr_mailmap_map, .mailmap_ctx = &mm};
		int st = attr_git_parse(&g, log, len, emit_row, job, err);
		ok = attr_job_check(st, file, g.line, err, f);
	}
	attr_mailmap_free(&mm);
	free(log);
	free(project);
	return ok;
}

/* The --map mapping, parsed into *m. */
static bool read_mapping(const char *path, struct imap *m, struct attr_fail *f)
{
	char *text, err[ATTR_ERR];
	size_t len;
	if (!read_file(path, &text, &len, f))
		return false;
	int st = attr_map_parse(m, text, err);
	free(text);
	if (st == ATTR_EDATA) {
		imap_free(m);
		return failf(f, 1, NULL, 0, "%s:%s", attr_display(path), err);
	}
	return attr_job_check(st, NULL, 0, err, f);
}

/* FILEs (none: standard input) read through the --map mapping. */
static bool read_mapped(struct attr_job *job, char **files, size_t nfiles, struct attr_fail *f)
{
	struct imap m;
	bool ok = read_mapping(job->opt.map, &m, f);
	if (!ok)
		return false;
	for (size_t i = 0; ok && i < (nfiles ? nfiles : 1); i++) {
		struct csvin c;
		long line;
		char err[ATTR_ERR];
		int enc = m.enc >= 0 ? m.enc : CSVIN_AUTO;
		if (csvin_open(&c, nfiles ? files[i] : "-", m.sep, (enum csvin_encoding)enc) < 0) {
			ok = failf(f, 2, c.file, 0, "%s", strerror(errno));
		} else {
			int st = attr_map_read(&m, &c, emit_row, job, &line, err);
			if (st == ATTR_EDATA && line == 0)
				ok = failf(f, 2, c.file, 0, "%s", err);
			else
				ok = attr_job_check(st, c.file, line, err, f);
		}
		csvin_close(&c);
	}
	imap_free(&m);
	return ok;
}

static bool read_allc(struct attr_job *job, struct attr_fail *f)
{
	size_t len;
	char *text, err[ATTR_ERR];
	struct attr_allc a = {.project = job->opt.project, .date = job->opt.as_of};
	if (!read_file(job->opt.allc, &text, &len, f))
		return false;
	int st = attr_allc_parse(&a, text, len, emit_row, job, err);
	free(text);
	return attr_job_check(st, attr_display(job->opt.allc), 0, err, f);
}

/* A data error of a method reading a stream: "FILE:LINE: ...", or "FILE:
 * ..." for a missing column (exit 2). */
static bool check_method(int st, const char *file, long line, const char *err, struct attr_fail *f)
{
	if (st == ATTR_EDATA && line == 0 && strncmp(err, "missing column", 14) == 0)
		return failf(f, 2, file, 0, "%s", err);
	return attr_job_check(st, file, line, err, f);
}

/* Whether err is the graph methods' "the graph is empty". */
static bool is_empty_graph(const char *err)
{
	const char *msg = attr_graph_strerror(ATTR_GRAPH_EEMPTY);
	size_t n = strlen(err), m = strlen(msg);
	return n >= m && strcmp(err + n - m, msg) == 0;
}

/* Nothing to share: say how many rows were read and what left them out
 * (--as-of, --policy immediate, kinds weighing 0), so that an empty
 * result is never a mystery.  what: "no contributions to share" or the
 * graph's message. */
static bool no_contributions(const struct attr_job *job, const char *what, struct attr_fail *f)
{
	const struct attr_engine *e = &job->engine;
	long rows = e->rows + (long)job->graph.n + job->graph.duplicates;
	if (rows == 0)
		return failf(f, 1, NULL, 0, "%s: the input has no rows after its header", what);
	char why[3][96], day[DATE_BUF], month[DATE_BUF];
	int n = 0;
	if (e->after_as_of) {
		date_format_day(day, job->opt.as_of);
		snprintf(why[n++], sizeof why[0], "%ld dated after --as-of %s", e->after_as_of, day);
	}
	if (e->before_since) {
		period_format(month, period_of(job->opt.as_of, PERIOD_MONTH));
		snprintf(why[n++], sizeof why[0], "%ld dated before %s (--policy immediate)", e->before_since, month);
	}
	if (e->zero_weight)
		snprintf(why[n++], sizeof why[0], "%ld of kinds that weigh 0", e->zero_weight);
	return failf(f, 1, NULL, 0, "%s: %ld row%s read, all left out: %s%s%s%s%s", what, rows, rows == 1 ? "" : "s",
		     n > 0 ? why[0] : "", n > 1 ? ", " : "", n > 1 ? why[1] : "", n > 2 ? ", " : "",
		     n > 2 ? why[2] : "");
}

/* --method graph with --edges FILE --seed FILE: PageRank of that graph. */
static bool run_edges(struct attr_job *job, const char *project, struct attr_fail *f)
{
	const struct attr_options *opt = &job->opt;
	char *e[] = {(char *)opt->edges}, *sd[] = {(char *)opt->seed}, err[ATTR_ERR];
	struct tsv_reader r, s;
	const char *file = NULL;
	long line = 0;
	if (!open_stream(&r, e, 1, f))
		return false;
	if (!open_stream(&s, sd, 1, f))
		return tsv_close(&r), false;
	int st = attr_run_edges(&job->engine, &r, &s, opt->damping >= 0 ? opt->damping : 0.85, project, &line,
				&file, err);
	bool ok = st == ATTR_EDATA && is_empty_graph(err)
			  ? failf(f, 1, NULL, 0, "%s, %s: %s: no edge and no seed node", attr_display(opt->edges),
				  attr_display(opt->seed), err)
			  : check_method(st, file, line, err, f);
	tsv_close(&s);
	tsv_close(&r);
	return ok;
}

/* --method graph on the contributions read (--revenue: teleport by net). */
static bool run_graph(struct attr_job *job, const char *project, struct attr_fail *f)
{
	const struct attr_options *opt = &job->opt;
	char err[ATTR_ERR];
	long line = 0;
	job->graph.damping = opt->damping >= 0 ? opt->damping : 0.85;
	if (opt->revenue) {
		char *rv[] = {(char *)opt->revenue};
		struct tsv_reader r;
		if (!open_stream(&r, rv, 1, f))
			return false;
		int st = attr_graph_revenue_read(&job->graph, &r, &line, err);
		bool ok = check_method(st, r.file, line, err, f);
		tsv_close(&r);
		if (!ok)
			return false;
	}
	int st = attr_graph_run(&job->engine, &job->graph, project, err);
	if (st == ATTR_EDATA && is_empty_graph(err))
		return no_contributions(job, err, f);
	return attr_job_check(st, NULL, 0, err, f);
}

/* --method peer: the gifts of FILES among the --circle. */
static bool run_peer(struct attr_job *job, char **files, size_t nfiles, const char *project, struct attr_fail *f)
{
	const struct attr_options *opt = &job->opt;
	struct attr_table circle;
	struct tsv_reader r;
	bool in_circle;
	int64_t unused = 0, optout = 0;
	long line = 0;
	char err[ATTR_ERR];
	if (!read_table(opt->circle, &circle, f))
		return false;
	if (!open_stream(&r, files, nfiles, f))
		return attr_table_free(&circle), false;
	int st = attr_run_peer(&job->engine, &r, &circle, project, &line, &in_circle, err, &unused, &optout);
	bool ok = check_method(st, in_circle ? attr_display(opt->circle) : r.file, line, err, f);
	attr_table_free(&circle);
	tsv_close(&r);
	char a[MONEY_BUF], b[MONEY_BUF];
	attr_format_points(a, unused);
	attr_format_points(b, optout);
	if (ok && (unused || optout))
		note(job, "burnt %s points left unallocated and %s given to members who opted out", a, b);
	return ok;
}

/* --method shapley or markov: the paths of FILES. */
static bool run_paths(struct attr_job *job, char **files, size_t nfiles, const char *project, struct attr_fail *f)
{
	struct tsv_reader r;
	long line = 0;
	char err[ATTR_ERR];
	if (!open_stream(&r, files, nfiles, f))
		return false;
	int st = attr_run_paths(&job->engine, &r, job->opt.other == ATTR_OTHER_MARKOV, project, &line, err);
	bool ok = check_method(st, r.file, line, err, f);
	tsv_close(&r);
	return ok;
}

/* The methods computed by other modules. */
static bool run_other(struct attr_job *job, char **files, size_t nfiles, struct attr_fail *f)
{
	const struct attr_options *opt = &job->opt;
	const char *project = opt->project ? opt->project : "*";
	if (opt->other == ATTR_OTHER_GRAPH && opt->edges)
		return run_edges(job, project, f);
	if (opt->other == ATTR_OTHER_GRAPH)
		return run_graph(job, project, f);
	if (opt->other == ATTR_OTHER_PEER)
		return run_peer(job, files, nfiles, project, f);
	return run_paths(job, files, nfiles, project, f);
}

bool attr_job_read(struct attr_job *job, char **files, size_t n, struct attr_fail *f)
{
	const struct attr_options *opt = &job->opt;
	bool contributions = opt->other == ATTR_OTHER_NONE || (opt->other == ATTR_OTHER_GRAPH && !opt->edges);
	if (contributions && opt->git && !read_git(job, f))
		return false;
	if (contributions && opt->allc && !read_allc(job, f))
		return false;
	bool operands = contributions && ((!opt->git && !opt->allc) || n > 0);
	if (operands && opt->map && !read_mapped(job, files, n, f))
		return false;
	if (operands && !opt->map && !read_stream(job, files, n, f))
		return false;
	return !opt->other || run_other(job, files, n, f);
}

bool attr_job_shares(struct attr_job *job, struct attr_fail *f)
{
	const struct attr_options *opt = &job->opt;
	char err[ATTR_ERR];
	int st = attr_finish(&job->engine, opt->membership ? &job->membership : NULL, err);
	if (!attr_job_check(st, NULL, 0, err, f))
		return false;
	if (job->engine.nmembers == 0)
		return no_contributions(job, "no contributions to share", f);
	st = attr_shares(&job->engine, opt->have_min ? &opt->min : NULL, opt->have_cap ? &opt->cap : NULL, err);
	return attr_job_check(st, NULL, 0, err, f);
}

/* Append the share of the current row of r to *old. */
static bool add_old_share(const struct tsv_reader *r, const int *col, struct attr_old_share **old, size_t *n,
			  size_t *cap, struct attr_fail *f)
{
	const struct tsv_field *fl = r->fields;
	struct ratio share;
	if (ratio_parse(fl[col[2]].s, fl[col[2]].len, &share) < 0) {
		char q[96];
		return failf(f, 1, r->file, r->line, "column \"share\": %s is not a share",
			     diag_quote(q, sizeof q, fl[col[2]].s, fl[col[2]].len));
	}
	if (*n == *cap) {
		size_t more = *cap ? *cap * 2 : 64;
		struct attr_old_share *grown = realloc(*old, more * sizeof **old);
		if (!grown)
			return failf(f, 1, NULL, 0, "out of memory");
		*old = grown, *cap = more;
	}
	struct attr_old_share *o = &(*old)[*n];
	*o = (struct attr_old_share){strdup(fl[col[0]].s), strdup(fl[col[1]].s), share};
	if (!o->project || !o->contributor)
		return free(o->project), free(o->contributor), failf(f, 1, NULL, 0, "out of memory");
	++*n;
	return true;
}

bool attr_job_old_shares(struct attr_job *job, const char *path, struct attr_old_share **old, size_t *n,
			 struct attr_fail *f)
{
	static const char *const required[] = {"project", "contributor", "share", NULL};
	char *files[] = {(char *)path};
	struct tsv_reader *r = &job->in;
	size_t cap = 0;
	int rc;
	*old = NULL, *n = 0;
	if (job->in_open)
		tsv_close(r), job->in_open = false;
	if (!open_stream(r, files, 1, f))
		return false;
	job->in_open = true;
	if (!has_columns(r, required, f))
		return false;
	int col[3] = {tsv_col(r, "project"), tsv_col(r, "contributor"), tsv_col(r, "share")};
	while ((rc = tsv_next(r)) == 1)
		if (!add_old_share(r, col, old, n, &cap, f))
			return false;
	if (rc < 0)
		return failf(f, 1, r->file, r->line, "%s", errno ? strerror(errno) : r->err);
	return true;
}

void attr_old_shares_free(struct attr_old_share *old, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(old[i].project), free(old[i].contributor);
	free(old);
}

void attr_job_notes(const struct attr_job *job)
{
	const struct attr_engine *e = &job->engine;
	char day[DATE_BUF], month[DATE_BUF];
	if (e->after_as_of) {
		date_format_day(day, job->opt.as_of);
		note(job, "left out %ld row%s dated after --as-of %s", e->after_as_of, e->after_as_of == 1 ? "" : "s", day);
	}
	if (e->before_since) {
		period_format(month, period_of(job->opt.as_of, PERIOD_MONTH));
		note(job, "left out %ld row%s dated before %s (--policy immediate)", e->before_since,
		     e->before_since == 1 ? "" : "s", month);
	}
	if (e->zero_weight)
		note(job, "left out %ld row%s of kinds that weigh 0", e->zero_weight, e->zero_weight == 1 ? "" : "s");
	long duplicates = e->duplicates + job->graph.duplicates;
	if (duplicates)
		note(job, "counted once %ld row%s repeating a (project, contributor, kind, ref)", duplicates,
		     duplicates == 1 ? "" : "s");
	long below = 0;
	for (size_t i = 0; i < e->nmembers; i++)
		below += e->members[i].below_min;
	if (below)
		note(job, "left out %ld contributor%s below --min-share (their share went to the others)", below,
		     below == 1 ? "" : "s");
}

void attr_job_free(struct attr_job *job)
{
	if (job->in_open)
		tsv_close(&job->in);
	job->in_open = false;
	attr_engine_free(&job->engine);
	attr_weights_free(&job->weights);
	attr_aliases_free(&job->aliases);
	attr_membership_free(&job->membership);
	attr_graph_input_free(&job->graph);
}
