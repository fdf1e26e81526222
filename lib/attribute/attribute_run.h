/* attribute_run.h - the methods tally-attribute computes with other
 * modules (graph: attribute_graph.h, shapley: attribute_shapley.h,
 * markov: attribute_markov.h, peer: attribute_peer.h): reading their
 * inputs from tally streams, calling them, and turning their scores into
 * an engine's points (attr_add_points), so the shares are exact and every
 * output of attribute_out.h works the same.
 *
 * Scores that are doubles are rounded to the micro-point once, per
 * person, before any exact arithmetic: a Shapley value or a Markov
 * attributed value becomes points of value (6 decimals); a PageRank score
 * becomes points of score x 10^6 (12 decimals of the score).  Peer points
 * are exact decimals from the start.
 *
 * Every function reads the rows of an open tsv_reader (the caller opens
 * and closes it) and returns an attr_status; on ATTR_EDATA *line is the
 * line of the reader's current file at fault (0 when not about a line,
 * r->file names the file) and err says what. */
#ifndef TALLY_ATTRIBUTE_RUN_H
#define TALLY_ATTRIBUTE_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "attribute.h"
#include "attribute_read.h"
#include "tsv.h"

/* Touch paths (`path conversions value`, and `null` for markov): the
 * players of the paths get, as points, their Shapley value (markov: their
 * share of the removal effects x the total value), in project `project`;
 * evidence is the number of paths touching them.  conversions defaults to
 * 1, value to conversions, null to 0. */
int attr_run_paths(struct attr_engine *e, struct tsv_reader *r, bool markov, const char *project, long *line,
		   char *err);

/* The contribution graph.  Collect contributions with attr_graph_add
 * (weight(kind) x amount, aliases applied as attr_add does; of rows
 * sharing (project, contributor, kind, ref) the one of largest weight
 * counts), revenue with
 * attr_graph_revenue (a sales stream: each row's net counts for every
 * project whose match covers it; payout rows are passed over), then
 * attr_graph_run ranks and gives each person (never a project) points of
 * score x 10^6 in project `project`. */
struct attr_graph_input {
	const struct attr_weights *weights; /* may be NULL: every kind weighs 1 */
	const struct attr_aliases *aliases; /* may be NULL */
	double damping;                     /* 0.85 by default */
	struct attr_graph_contrib *c;       /* owned, with owned strings */
	size_t n, cap;
	struct attr_graph_revenue *rev;     /* owned, project borrowed from c's or owned copies */
	size_t nrev, rev_cap;
	struct names strings;        /* owned copies of every name */
	struct names refs;           /* project, contributor, kind, ref of rows with a ref */
	size_t *ref_row;                    /* by ref id: the index in c of the row kept */
	long duplicates;                    /* rows repeating a ref, not counted */
	char currency[4];                   /* the revenue's currency, "" before the first */
	long passed_over;                   /* payout rows of the sales stream */
	unsigned iterations;                /* after attr_graph_run */
};

int attr_graph_add(struct attr_graph_input *g, const struct attr_row *row, char *err);
int attr_graph_revenue_read(struct attr_graph_input *g, struct tsv_reader *r, long *line, char *err);
int attr_graph_run(struct attr_engine *e, struct attr_graph_input *g, const char *project, char *err);
void attr_graph_input_free(struct attr_graph_input *g);

/* --edges FILE (`from to weight`) and --seed FILE (`node weight`):
 * exactly the personalised PageRank of that graph, every node listed. */
int attr_run_edges(struct attr_engine *e, struct tsv_reader *edges, struct tsv_reader *seed, double damping,
		   const char *project, long *line, const char **file, char *err);

/* Peer gifts (`period giver receiver points`) within a circle file
 * (`member budget`, optional `opt_out`: yes/no).  Points are decimals of
 * up to 6 decimals; what a member received is its points.  *in_circle
 * says whether an ATTR_EDATA is about the circle (line of the table) or
 * the gifts (line of the reader).  *burnt_unused
 * and *burnt_optout (micro-points) say what went to nobody. */
int attr_run_peer(struct attr_engine *e, struct tsv_reader *gifts, const struct attr_table *circle,
		  const char *project, long *line, bool *in_circle, char *err, int64_t *burnt_unused,
		  int64_t *burnt_optout);

#endif
