/* attribute_graph.h - personalised PageRank (CredRank made deterministic)
 * and the contribution graph tally-attribute --method graph runs it on.
 *
 * The graph is plain arrays: nodes 0..n-1, edges from[e] -> to[e] with a
 * weight.  A walker at node u follows an out-edge with probability
 * weight / (u's total out-weight) with probability d (the damping), and
 * with probability 1-d jumps to a node drawn from the seed (teleport)
 * vector s; at a node with no out-weight (dangling) it always jumps by s.
 * The scores are that walk's stationary distribution:
 *
 *     x = d * (P^T x + (sum of x over dangling nodes) * s) + (1-d) * s
 *
 * i.e. the solution of (I - d*P'^T) x = (1-d) s, where P' is P with the
 * dangling rows replaced by s.  Scores are non-negative and sum to 1.
 *
 * Determinism: the result depends only on the multiset of edges and on the
 * seed, never on the order edges are given in: edges are sorted by
 * (to, from, weight) and parallel edges merged before iterating, and every
 * sum runs in that fixed order.  Scores are doubles (estimates); callers
 * turn them into exact shares.
 *
 * Library code: no printing, no exiting; functions return an
 * attr_graph_status and, where an input element is at fault, its index. */
#ifndef TALLY_ATTRIBUTE_GRAPH_H
#define TALLY_ATTRIBUTE_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum attr_graph_status {
	ATTR_GRAPH_OK = 0,
	ATTR_GRAPH_EEMPTY = -1,   /* no nodes (an empty graph) */
	ATTR_GRAPH_ENODE = -2,    /* an edge names a node >= the node count; *bad = edge */
	ATTR_GRAPH_EWEIGHT = -3,  /* an edge weight negative, NaN or infinite; *bad = edge */
	ATTR_GRAPH_ESEED = -4,    /* a seed entry negative, NaN or infinite (*bad = entry),
				     or the seed sums to zero (*bad = SIZE_MAX) */
	ATTR_GRAPH_EDAMPING = -5, /* damping outside [0, 1), or tolerance not positive */
	ATTR_GRAPH_ENAME = -6,    /* a builder input with a NULL or empty name; *bad = row */
	ATTR_GRAPH_ENOCONV = -7,  /* the iteration cap was reached first; the scores
				     hold the last iterate (non-negative, sum 1) */
	ATTR_GRAPH_ENOMEM = -8,   /* out of memory */
	ATTR_GRAPH_ERANGE = -9,   /* more than UINT32_MAX nodes or edges, or a revenue
				     sum outside int64_t; *bad = row */
};

/* A weighted directed graph, borrowed from the caller. */
struct attr_graph {
	size_t nnodes;          /* nodes are 0..nnodes-1 */
	size_t nedges;          /* length of from, to and weight */
	const uint32_t *from;   /* edge tails */
	const uint32_t *to;     /* edge heads */
	const double *weight;   /* >= 0 and finite; 0 is allowed and adds nothing */
};

/* How the power iteration runs. */
struct attr_pagerank_opts {
	double damping;    /* d in [0, 1); default 0.85 */
	double tolerance;  /* stop when sum |x_{k+1} - x_k| < tolerance; default 1e-12 */
	unsigned max_iter; /* iteration cap; default 10000 */
};

/* Fill *o with the defaults: damping 0.85, tolerance 1e-12, 10000 iterations. */
void attr_pagerank_defaults(struct attr_pagerank_opts *o);

/* Personalised PageRank of g with teleport vector seed[0..g->nnodes).
 *
 * seed need not be normalised (it is divided by its sum); score[0..nnodes)
 * is written by the caller-owned array.  opts NULL means the defaults.
 * The iteration starts from the normalised seed and stops at the first
 * iteration whose L1 change is below the tolerance; *iterations (may be
 * NULL) receives the number of iterations run.  Self-loops are ordinary
 * edges; parallel edges add their weights.
 *
 * Returns ATTR_GRAPH_OK, ATTR_GRAPH_ENOCONV (scores usable but not
 * converged), or an error status with *bad (may be NULL) naming the
 * offending edge or seed entry; on an error other than ENOCONV score is
 * undefined.  Allocates O(nnodes + nedges) scratch, freed before return. */
int attr_pagerank(const struct attr_graph *g, const double *seed, const struct attr_pagerank_opts *opts,
		  double *score, unsigned *iterations, size_t *bad);

/* A graph built from named inputs: nodes numbered in a canonical order,
 * edges merged and sorted by (from, to), the seed per node.  Everything
 * is owned by the struct; free with attr_graph_built_free. */
struct attr_graph_built {
	size_t nnodes;        /* names, is_project and seed have this length */
	char **names;         /* node names (owned copies) */
	bool *is_project;     /* true for project nodes (attr_graph_from_contribs) */
	size_t nprojects;     /* project nodes come first: 0..nprojects-1 */
	double *seed;         /* teleport weight per node, sums to 1 */
	size_t nedges;        /* merged edges, sorted by (from, to) */
	uint32_t *from, *to;  /* edge tails and heads */
	double *weight;       /* merged weight (> 0) */
};

/* The graph view of b (borrowing b's arrays) for attr_pagerank. */
struct attr_graph attr_graph_view(const struct attr_graph_built *b);

/* Free what b owns and zero it; safe on a zeroed or failed struct. */
void attr_graph_built_free(struct attr_graph_built *b);

/* One weighted contribution: the edge project -> contributor, plus the
 * edge contributor -> target when the contribution responds to someone
 * (a review helps an author, an answer answers a question). */
struct attr_graph_contrib {
	const char *project;     /* non-empty */
	const char *contributor; /* non-empty */
	const char *target;      /* NULL or "" when there is none */
	double weight;           /* weight(kind) x amount, >= 0 and finite */
	bool responds;           /* the kind passes credit on to the target */
};

/* Revenue a project earned (one row of the sales stream, or a sum). */
struct attr_graph_revenue {
	const char *project; /* non-empty */
	int64_t amount;      /* micro-units of one currency; rows of a project are summed */
};

/* Build the contribution graph (tally-attribute(1), --method graph).
 *
 * Nodes: every project (of a contribution or of a revenue row) and every
 * person (contributor or target) — two name spaces, so a project and a
 * person may share a name.  Projects come first, each group sorted by
 * name (strcmp).  Edges: project -> contributor with the sum of the
 * contributions' weights; for a contribution that responds and names a
 * target other than its contributor, contributor -> target with its weight
 * too (a response to oneself adds no edge).  Zero-weight edges are left
 * out (their nodes stay).  Seed: each project's revenue over the total;
 * people get 0.  With nrev == 0 the seed is uniform over the projects.
 *
 * Returns ATTR_GRAPH_OK, or: ENAME (*bad = contribution or, offset by
 * ncontribs, revenue row), EWEIGHT (*bad = contribution), ESEED (a
 * project's revenue sums below zero: *bad = that project's first revenue
 * row offset by ncontribs; or revenue given but all zero: *bad = SIZE_MAX),
 * ERANGE, EEMPTY (no contributions and no revenue), ENOMEM.  On failure
 * *b is zeroed.  Inputs in any order give an identical *b. */
int attr_graph_from_contribs(struct attr_graph_built *b, const struct attr_graph_contrib *c, size_t ncontribs,
			     const struct attr_graph_revenue *rev, size_t nrev, size_t *bad);

/* A named edge (--edges FILE: `from to weight`). */
struct attr_graph_edge_in {
	const char *from, *to; /* non-empty node names */
	double weight;         /* >= 0 and finite */
};

/* A named seed entry (--seed FILE: `node weight`). */
struct attr_graph_seed_in {
	const char *node; /* non-empty */
	double weight;    /* >= 0 and finite; entries of one node are summed */
};

/* Build a graph from named edges and seed entries: the nodes are every
 * name either mentions, sorted by name (is_project all false, nprojects
 * 0); parallel edges merged (zero-weight ones left out, their nodes kept).
 *
 * Returns ATTR_GRAPH_OK, or: ENAME (*bad = edge, or seed entry offset by
 * nedges), EWEIGHT (*bad = edge), ESEED (*bad = seed entry offset by
 * nedges, or SIZE_MAX when the seed sums to zero or is empty), ERANGE,
 * EEMPTY (no names at all), ENOMEM.  On failure *b is zeroed.  Inputs in
 * any order give an identical *b. */
int attr_graph_from_named(struct attr_graph_built *b, const struct attr_graph_edge_in *e, size_t nedges,
			  const struct attr_graph_seed_in *s, size_t nseed, size_t *bad);

/* A short English description of an attr_graph_status ("unknown status"
 * for anything else); a static string. */
const char *attr_graph_strerror(int status);

#endif
