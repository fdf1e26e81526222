/* attribute_job.h - one run of tally-attribute, from the checked options
 * (attribute_opts.h) to the shares: the side files loaded, the inputs
 * read (the contributions stream, --map exports, --git, an
 * all-contributors file), the methods computed by other modules run, the
 * shares made, and the notes closing the run.  The outputs are
 * attribute_out.h's.
 *
 * Pure: a step that fails returns false with a struct attr_fail saying
 * how the command ends (the status, FILE:LINE and the message); notes
 * that change nothing counted on stdout go to the NOTE callback. */
#ifndef TALLY_ATTRIBUTE_JOB_H
#define TALLY_ATTRIBUTE_JOB_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "attribute.h"
#include "attribute_opts.h"
#include "attribute_out.h"
#include "attribute_run.h"
#include "tsv.h"

/* How a failed step ends the command: "prog: FILE:LINE: MSG". */
struct attr_fail {
	int status;               /* the exit status: 1 bad data, 2 a file that cannot be read */
	char file[PATH_MAX + 16]; /* FILE, "" for none */
	long line;                /* LINE, 0 for none */
	char msg[ATTR_ERR];       /* the message; lines before its last are told first */
	bool column;              /* a required column is missing: msg names it, in the header of job->in */
};

/* Called with each note for stderr. */
typedef void (*attr_note_fn)(void *ctx, const char *msg);

/* Everything one run works with. */
struct attr_job {
	struct attr_options opt;            /* the options, checked (the caller's to fill) */
	attr_note_fn note;                  /* notes (NULL: dropped) */
	void *note_ctx;
	struct attr_weights weights;        /* -w */
	struct attr_aliases aliases;        /* -A */
	struct attr_membership membership;  /* --membership */
	struct attr_engine engine;          /* the shares */
	struct attr_graph_input graph;      /* -m graph from contributions */
	struct tsv_reader in;               /* the stream read last; open after a missing column */
	bool in_open;
};

/* Load the side files the options name (weights, aliases, membership:
 * an open membership runs to --as-of, else to NOW) and start the engine. */
bool attr_job_start(struct attr_job *job, int64_t now, struct attr_fail *f);

/* Read the inputs: --git, --all-contributors, then FILES[0..n) (none:
 * standard input, unless --git or --all-contributors is the input) as
 * the contributions stream or through --map; then the method of another
 * module (graph, shapley, markov, peer) on its inputs. */
bool attr_job_read(struct attr_job *job, char **files, size_t n, struct attr_fail *f);

/* Finish the engine (membership) and make the shares (--min-share,
 * --cap).  Nothing to share fails, saying how many rows were read and what
 * left them out. */
bool attr_job_shares(struct attr_job *job, struct attr_fail *f);

/* The earlier shares table at PATH for --diff into *old (*n of them; the
 * caller frees with attr_old_shares_free). */
bool attr_job_old_shares(struct attr_job *job, const char *path, struct attr_old_share **old, size_t *n,
			 struct attr_fail *f);

/* Free OLD[0..n). */
void attr_old_shares_free(struct attr_old_share *old, size_t n);

/* The notes closing a run, through NOTE: rows left out (after --as-of,
 * before the month of --policy immediate, kinds weighing 0), rows counted
 * once, contributors below --min-share. */
void attr_job_notes(const struct attr_job *job);

/* FAIL for status ST of a lib call (ATTR_OK: true): "out of memory" for
 * ATTR_ENOMEM, else a data error at FILE (NULL: none) and LINE. */
bool attr_job_check(int st, const char *file, long line, const char *err, struct attr_fail *f);

/* "<stdin>" for "-", else PATH. */
const char *attr_display(const char *path);

/* Free what the job owns. */
void attr_job_free(struct attr_job *job);

#endif
