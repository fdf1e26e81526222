/* attribute_read.h - the readers of tally-attribute: the contributions
 * stream (tally.7), `git log` output of one documented format, and an
 * all-contributors file (.all-contributorsrc, JSON).
 *
 * Each reader turns its input into struct attr_row values (attribute.h)
 * handed to a callback; nothing here prints or exits.  Messages go into
 * err[ATTR_ERR] without "prog: FILE:LINE: ". */
#ifndef TALLY_ATTRIBUTE_READ_H
#define TALLY_ATTRIBUTE_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "attribute.h"
#include "tsv.h"

/* Column indexes of the contributions stream; -1 when absent. */
struct attr_cols {
	int date, contributor, kind, project; /* required */
	int amount, ref, target;              /* optional */
};

/* Find the columns in r's header.  Returns ATTR_OK, or ATTR_EDATA with
 * err naming the first required column missing. */
int attr_cols_bind(struct attr_cols *c, const struct tsv_reader *r, char *err);

/* The current row of r as a contribution (fields borrowed from r).
 * Errors (ATTR_EDATA) name the column and quote the value: a bad date,
 * an empty contributor, kind or project, an amount that is not a number
 * or is negative. */
int attr_row_from_tsv(struct attr_row *row, const struct attr_cols *c, const struct tsv_reader *r, char *err);

/* A callback receiving each row a reader makes; returns an attr_status. */
typedef int (*attr_emit_fn)(void *ctx, const struct attr_row *row, char *err);

/* Maps a co-author contact "Name <email>" (s[0..len)) to the contact
 * .mailmap gives it; sets *out and *outlen (may be s itself). */
typedef void (*attr_mailmap_fn)(void *ctx, const char *s, size_t len, const char **out, size_t *outlen);

/* The `git log` format the git reader reads (ATTR_GIT_LOG_ARGS, then
 * --numstat when lines are counted): one record per commit, starting with
 * a 0x1E byte, "HASH TAB DATE TAB NAME TAB EMAIL" (%aN and %aE: .mailmap
 * applied), then one line per Co-authored-by trailer value, then numstat
 * lines "ADDED TAB DELETED TAB PATH". */
#define ATTR_GIT_FORMAT "--format=%x1e%H%x09%aI%x09%aN%x09%aE%n%(trailers:key=Co-authored-by,valueonly,unfold)"

struct attr_git {
	const char *project;     /* the project column of every row */
	bool lines;              /* amount = lines added + deleted (else 1 a commit) */
	attr_mailmap_fn mailmap; /* may be NULL: co-authors as written */
	void *mailmap_ctx;
	long line;               /* after an error: the line of the log */
	long commits;            /* commits read */
	long coauthors;          /* co-author credits made */
};

/* Parse git log output text[0..len) and emit one row per commit for its
 * author and one per distinct co-author (not the author again), kind
 * "code", ref the commit hash.  Returns an attr_status (the callback's,
 * or ATTR_EDATA for a malformed record, with g->line set). */
int attr_git_parse(struct attr_git *g, const char *text, size_t len, attr_emit_fn emit, void *ctx, char *err);

/* The distinct co-author contacts in git log text, for a caller that
 * resolves them with `git check-mailmap`: calls fn for each trailer line
 * in order (duplicates included). */
void attr_git_coauthors(const char *text, size_t len, void (*fn)(void *ctx, const char *s, size_t n), void *ctx);

struct attr_allc {
	const char *project;     /* NULL: the file's "projectName" */
	int64_t date;            /* the date of every row (the file has none) */
	long contributors;       /* contributors read */
};

/* Parse an all-contributors file text[0..len): one row per contributor
 * (the "login", else the "name") per contribution type (a string, or an
 * object's "type"), amount 1, ref "all-contributors:LOGIN:TYPE".  Returns
 * an attr_status; on ATTR_EDATA err says where (JSON line and column, or
 * which contributor lacks what). */
int attr_allc_parse(struct attr_allc *a, const char *text, size_t len, attr_emit_fn emit, void *ctx, char *err);

#endif
