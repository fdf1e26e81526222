/* test_attribute_methods.c - unit tests of tally-attribute's scoring
 * methods: PageRank (lib/attribute/attribute_graph.c), Shapley over touch paths
 * (lib/attribute/attribute_shapley.c), Markov removal effects
 * (lib/attribute/attribute_markov.c) and peer allocation (lib/attribute/attribute_peer.c).
 *
 * Plan:
 *   graph   hand-computed graphs (exact fractions worked out below); 300
 *           random small graphs (parallel edges, self-loops, zero weights,
 *           dangling nodes, zero seeds) against the closed form
 *           x = (1-d) (I - d P'^T)^-1 s solved here by Gaussian
 *           elimination; the stopping rule; shuffled edges give identical
 *           bits; every error status with its index; both builders on a
 *           hand-made case, shuffled, and their errors.
 *   shapley a hand case; 300 random games of <= 12 players against
 *           brute-force enumeration of the Shapley formula; efficiency,
 *           symmetry, null player and additivity as properties; shuffled
 *           paths; errors; the path text splitter.
 *   markov  the classic 3-channel example worked by hand; 200 random path
 *           sets against removal effects solved directly (one system per
 *           removed player); never negative, shares sum to 1, self-loops
 *           change nothing, empty rows change nothing, shuffled paths;
 *           errors.
 *   peer    a hand case, opt-outs (burnt and strict), budgets per period,
 *           every error with its index, overflow, shuffled gifts. */
#include <math.h>
#include <stdlib.h>

#include "attribute_graph.h"
#include "attribute_markov.h"
#include "attribute_peer.h"
#include "attribute_shapley.h"
#include "tap.h"

#define NEAR(a, b, eps) (fabs((a) - (b)) <= (eps))

static size_t rnd(size_t n) /* 0..n-1 */
{
	return (size_t)(tap_rand() % n);
}

/* Solve a x = b (n x n, row-major) in place by Gaussian elimination with
 * partial pivoting; the answer replaces b.  Returns 0 when singular. */
static int solve(double *a, double *b, size_t n)
{
	for (size_t c = 0; c < n; c++) {
		size_t p = c;
		for (size_t i = c + 1; i < n; i++)
			if (fabs(a[i * n + c]) > fabs(a[p * n + c]))
				p = i;
		if (fabs(a[p * n + c]) < 1e-300)
			return 0;
		for (size_t j = 0; j < n; j++) {
			double t = a[c * n + j];
			a[c * n + j] = a[p * n + j];
			a[p * n + j] = t;
		}
		double t = b[c];
		b[c] = b[p];
		b[p] = t;
		for (size_t i = c + 1; i < n; i++) {
			double f = a[i * n + c] / a[c * n + c];
			for (size_t j = c; j < n; j++)
				a[i * n + j] -= f * a[c * n + j];
			b[i] -= f * b[c];
		}
	}
	for (size_t c = n; c-- > 0;) {
		for (size_t j = c + 1; j < n; j++)
			b[c] -= a[c * n + j] * b[j];
		b[c] /= a[c * n + c];
	}
	return 1;
}

/* ---- graph --------------------------------------------------------- */

static int pr(size_t n, size_t m, const uint32_t *from, const uint32_t *to, const double *w, const double *seed,
	      double *x)
{
	struct attr_graph g = {n, m, from, to, w};
	return attr_pagerank(&g, seed, NULL, x, NULL, NULL);
}

/* Hand-computed with d = 0.85 (fractions from the balance equations). */
static void test_graph_hand(void)
{
	double x[4];
	/* a -> b, seed on a; b dangles and teleports to a:
	 * x_a = .15 + .85 x_b, x_b = .85 x_a  =>  x_a = .15 / .2775 = 20/37. */
	uint32_t f1[] = {0}, t1[] = {1};
	double w1[] = {1}, s1[] = {1, 0};
	tap_is_int(pr(2, 1, f1, t1, w1, s1, x), ATTR_GRAPH_OK, "graph: a->b converges");
	tap_ok(NEAR(x[0], 20.0 / 37, 1e-12) && NEAR(x[1], 17.0 / 37, 1e-12), "graph: a->b gives 20/37, 17/37 (%.15g %.15g)",
	       x[0], x[1]);
	/* A project p with edges to c1 (3) and c2 (1), seed on p:
	 * x_c1 = .85 * .75 x_p, x_c2 = .85 * .25 x_p, x_p = .15 + .85 (x_c1 + x_c2)
	 * => x_p = 20/37, x_c1 = 51/148, x_c2 = 17/148. */
	uint32_t f2[] = {0, 0}, t2[] = {1, 2};
	double w2[] = {3, 1}, s2[] = {1, 0, 0};
	pr(3, 2, f2, t2, w2, s2, x);
	tap_ok(NEAR(x[0], 20.0 / 37, 1e-12) && NEAR(x[1], 51.0 / 148, 1e-12) && NEAR(x[2], 17.0 / 148, 1e-12),
	       "graph: star gives 20/37, 51/148, 17/148 (%.15g %.15g %.15g)", x[0], x[1], x[2]);
	/* The same star with the weight 3 given as parallel edges 1 + 2. */
	uint32_t f3[] = {0, 0, 0}, t3[] = {1, 2, 1};
	double w3[] = {2, 1, 1}, y[3];
	pr(3, 3, f3, t3, w3, s2, y);
	tap_ok(NEAR(y[0], x[0], 1e-15) && NEAR(y[1], x[1], 1e-15) && NEAR(y[2], x[2], 1e-15),
	       "graph: parallel edges add their weights");
	/* A 3-cycle with a uniform seed: 1/3 each, at the first iteration. */
	uint32_t f4[] = {0, 1, 2}, t4[] = {1, 2, 0};
	double w4[] = {1, 1, 1}, s4[] = {1, 1, 1};
	unsigned it = 0;
	struct attr_graph g = {3, 3, f4, t4, w4};
	attr_pagerank(&g, s4, NULL, x, &it, NULL);
	tap_ok(NEAR(x[0], 1.0 / 3, 1e-15) && NEAR(x[1], 1.0 / 3, 1e-15) && NEAR(x[2], 1.0 / 3, 1e-15) && it == 1,
	       "graph: uniform 3-cycle is 1/3 each after 1 iteration (it %u)", it);
	/* No edges at all: the seed itself. */
	double s5[] = {1, 3};
	pr(2, 0, NULL, NULL, NULL, s5, x);
	tap_ok(NEAR(x[0], 0.25, 1e-15) && NEAR(x[1], 0.75, 1e-15), "graph: no edges gives the normalised seed");
	/* Damping 0: the seed; zero-weight edges are as if absent. */
	struct attr_pagerank_opts o;
	attr_pagerank_defaults(&o);
	tap_ok(o.damping == 0.85 && o.tolerance == 1e-12 && o.max_iter > 1000, "graph: defaults 0.85, 1e-12");
	double w6[] = {0};
	pr(2, 1, f1, t1, w6, s5, x);
	tap_ok(NEAR(x[0], 0.25, 1e-15) && NEAR(x[1], 0.75, 1e-15), "graph: a zero-weight edge adds nothing");
}

/* The closed form: (I - d P'^T) x = (1 - d) s. */
static void closed_form(size_t n, size_t m, const uint32_t *from, const uint32_t *to, const double *w,
			const double *seed, double d, double *x)
{
	double *p = calloc(n * n, sizeof *p), *a = calloc(n * n, sizeof *a), out[16] = {0}, ssum = 0;
	for (size_t e = 0; e < m; e++) {
		p[from[e] * n + to[e]] += w[e];
		out[from[e]] += w[e];
	}
	for (size_t v = 0; v < n; v++)
		ssum += seed[v];
	for (size_t u = 0; u < n; u++)
		for (size_t v = 0; v < n; v++)
			p[u * n + v] = out[u] > 0 ? p[u * n + v] / out[u] : seed[v] / ssum;
	for (size_t v = 0; v < n; v++) {
		for (size_t u = 0; u < n; u++)
			a[v * n + u] = (u == v) - d * p[u * n + v];
		x[v] = (1 - d) * seed[v] / ssum;
	}
	solve(a, x, n);
	free(p);
	free(a);
}

static void test_graph_closed_form(void)
{
	int worst = 0;
	double maxerr = 0;
	for (int t = 0; t < 300; t++) {
		size_t n = 1 + rnd(8), m = rnd(20);
		uint32_t from[20], to[20];
		double w[20], seed[8], x[8], want[8];
		for (size_t e = 0; e < m; e++) {
			from[e] = (uint32_t)rnd(n);
			to[e] = (uint32_t)rnd(n);
			w[e] = rnd(5) == 0 ? 0 : (double)(1 + rnd(9)) / (double)(1 + rnd(3));
		}
		for (size_t v = 0; v < n; v++)
			seed[v] = (double)rnd(4);
		seed[rnd(n)] += 1;
		double d = t % 3 == 0 ? 0.5 : 0.85;
		struct attr_pagerank_opts o = {d, 1e-12, 10000};
		struct attr_graph g = {n, m, from, to, w};
		int rc = attr_pagerank(&g, seed, &o, x, NULL, NULL);
		closed_form(n, m, from, to, w, seed, d, want);
		double sum = 0;
		for (size_t v = 0; v < n; v++) {
			sum += x[v];
			if (fabs(x[v] - want[v]) > maxerr)
				maxerr = fabs(x[v] - want[v]);
		}
		if (rc != ATTR_GRAPH_OK || !NEAR(sum, 1, 1e-12))
			worst++;
	}
	tap_ok(worst == 0, "graph: 300 random graphs converge, scores sum to 1 (%d bad)", worst);
	tap_ok(maxerr < 1e-11, "graph: 300 random graphs match the closed form (max error %.3g)", maxerr);
}

static void test_graph_iteration(void)
{
	enum { N = 50, M = 400 };
	static uint32_t from[M], to[M], pf[M], pt[M];
	static double w[M], pw[M], seed[N], x[N], y[N];
	for (size_t e = 0; e < M; e++) {
		from[e] = (uint32_t)rnd(N);
		to[e] = (uint32_t)rnd(N);
		w[e] = (double)(1 + rnd(1000)) / 7.0; /* parallel edges of unequal weights */
	}
	for (size_t v = 0; v < N; v++)
		seed[v] = (double)rnd(3);
	seed[0] = 1;
	struct attr_graph g = {N, M, from, to, w};
	unsigned it = 0, it2 = 0;
	tap_is_int(attr_pagerank(&g, seed, NULL, x, &it, NULL), ATTR_GRAPH_OK, "graph: 50 nodes converge");
	struct attr_pagerank_opts o;
	attr_pagerank_defaults(&o);
	o.max_iter = it - 1;
	tap_is_int(attr_pagerank(&g, seed, &o, y, &it2, NULL), ATTR_GRAPH_ENOCONV,
		   "graph: one iteration fewer than needed is ENOCONV (%u)", it);
	double sum = 0;
	for (size_t v = 0; v < N; v++)
		sum += y[v];
	tap_ok(it2 == it - 1 && NEAR(sum, 1, 1e-12), "graph: ENOCONV keeps the last iterate, summing to 1");
	/* Shuffle the edges: identical bits. */
	size_t perm[M];
	for (size_t e = 0; e < M; e++)
		perm[e] = e;
	for (size_t e = M - 1; e > 0; e--) {
		size_t j = rnd(e + 1), t = perm[e];
		perm[e] = perm[j];
		perm[j] = t;
	}
	for (size_t e = 0; e < M; e++) {
		pf[e] = from[perm[e]];
		pt[e] = to[perm[e]];
		pw[e] = w[perm[e]];
	}
	struct attr_graph h = {N, M, pf, pt, pw};
	attr_pagerank(&h, seed, NULL, y, &it2, NULL);
	tap_ok(memcmp(x, y, sizeof x) == 0 && it == it2, "graph: shuffled edges give identical scores");
}

static void test_graph_errors(void)
{
	uint32_t from[] = {0, 1}, to[] = {1, 2};
	double w[] = {1, 1}, seed[] = {1, 0, 0}, x[3];
	size_t bad = 99;
	struct attr_graph g = {3, 2, from, to, w};
	struct attr_graph empty = {0, 0, NULL, NULL, NULL};
	tap_is_int(attr_pagerank(&empty, seed, NULL, x, NULL, NULL), ATTR_GRAPH_EEMPTY, "graph: empty graph");
	to[1] = 3;
	tap_is_int(attr_pagerank(&g, seed, NULL, x, NULL, &bad), ATTR_GRAPH_ENODE, "graph: a node out of range");
	tap_is_int(bad, 1, "graph: ENODE names the edge");
	to[1] = 2;
	w[1] = -1;
	tap_is_int(attr_pagerank(&g, seed, NULL, x, NULL, &bad), ATTR_GRAPH_EWEIGHT, "graph: a negative weight");
	tap_is_int(bad, 1, "graph: EWEIGHT names the edge");
	w[1] = NAN;
	tap_is_int(attr_pagerank(&g, seed, NULL, x, NULL, &bad), ATTR_GRAPH_EWEIGHT, "graph: a NaN weight");
	w[1] = 1;
	seed[2] = -0.5;
	tap_is_int(attr_pagerank(&g, seed, NULL, x, NULL, &bad), ATTR_GRAPH_ESEED, "graph: a negative seed");
	tap_is_int(bad, 2, "graph: ESEED names the entry");
	seed[0] = seed[2] = 0;
	tap_is_int(attr_pagerank(&g, seed, NULL, x, NULL, &bad), ATTR_GRAPH_ESEED, "graph: a zero seed");
	tap_ok(bad == SIZE_MAX, "graph: a zero seed names no entry");
	seed[0] = 1;
	struct attr_pagerank_opts o = {1.0, 1e-12, 100};
	tap_is_int(attr_pagerank(&g, seed, &o, x, NULL, NULL), ATTR_GRAPH_EDAMPING, "graph: damping 1 refused");
	o.damping = -0.1;
	tap_is_int(attr_pagerank(&g, seed, &o, x, NULL, NULL), ATTR_GRAPH_EDAMPING, "graph: damping < 0 refused");
	o.damping = 0.85;
	o.tolerance = 0;
	tap_is_int(attr_pagerank(&g, seed, &o, x, NULL, NULL), ATTR_GRAPH_EDAMPING, "graph: tolerance 0 refused");
	tap_is_str(attr_graph_strerror(ATTR_GRAPH_EEMPTY), "the graph is empty", "graph: strerror");
	tap_is_str(attr_graph_strerror(42), "unknown status", "graph: strerror of nonsense");
}

/* "name>name:weight,..." of a built graph, for comparisons. */
static const char *show_built(const struct attr_graph_built *b)
{
	static char buf[1024];
	size_t k = 0;
	buf[0] = 0;
	for (size_t v = 0; v < b->nnodes; v++)
		k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s%s=%g", v ? " " : "", b->is_project[v] ? "*" : "",
				      b->names[v], b->seed[v]);
	for (size_t e = 0; e < b->nedges; e++)
		k += (size_t)snprintf(buf + k, sizeof buf - k, " %u>%u:%g", b->from[e], b->to[e], b->weight[e]);
	return buf;
}

static void test_graph_build(void)
{
	struct attr_graph_contrib c[] = {
		{"web", "alice", NULL, 2, false},
		{"web", "bob", "alice", 1, true},    /* review: bob -> alice */
		{"app", "bob", NULL, 1, false},
		{"web", "alice", NULL, 1, false},    /* merges into web -> alice 3 */
		{"web", "carol", "carol", 1, true},  /* a response to oneself: no edge */
		{"app", "dave", "q17", 0.5, true},   /* an answer to a question node */
		{"app", "erin", "alice", 4, false},  /* a target that does not respond */
		{"web", "alice", NULL, 0, false},    /* zero weight: nothing */
		{"alice", "web", NULL, 1, false},    /* a project "alice", a person "web" */
	};
	struct attr_graph_revenue r[] = {{"web", 200}, {"app", 100}, {"web", 100}, {"docs", 0}};
	struct attr_graph_built b;
	size_t bad = 99, nc = sizeof c / sizeof c[0];
	tap_is_int(attr_graph_from_contribs(&b, c, nc, r, 4, &bad), ATTR_GRAPH_OK, "build: contributions");
	const char *want = "*alice=0 *app=0.25 *docs=0 *web=0.75 alice=0 bob=0 carol=0 dave=0 erin=0 q17=0 web=0"
			   " 0>10:1 1>5:1 1>7:0.5 1>8:4 3>4:3 3>5:1 3>6:1 5>4:1 7>9:0.5";
	tap_is_str(show_built(&b), want, "build: nodes, seed and merged edges");
	tap_is_int(b.nprojects, 4, "build: projects first");
	/* Reversed input: the same graph. */
	struct attr_graph_contrib rc_[9];
	struct attr_graph_revenue rr[4];
	for (size_t i = 0; i < nc; i++)
		rc_[i] = c[nc - 1 - i];
	for (size_t i = 0; i < 4; i++)
		rr[i] = r[3 - i];
	struct attr_graph_built b2;
	attr_graph_from_contribs(&b2, rc_, nc, rr, 4, NULL);
	tap_is_str(show_built(&b2), want, "build: reversed input, the same graph");
	double x[16], y[16];
	struct attr_graph gv = attr_graph_view(&b);
	tap_is_int(attr_pagerank(&gv, b.seed, NULL, x, NULL, NULL), ATTR_GRAPH_OK, "build: its PageRank converges");
	closed_form(b.nnodes, b.nedges, b.from, b.to, b.weight, b.seed, 0.85, y);
	double err = 0;
	for (size_t v = 0; v < b.nnodes; v++)
		err = fmax(err, fabs(x[v] - y[v]));
	tap_ok(err < 1e-12, "build: its PageRank is the closed form (%.3g)", err);
	attr_graph_built_free(&b);
	attr_graph_built_free(&b2);
	attr_graph_built_free(&b2); /* twice is safe */

	/* No revenue: uniform over the projects. */
	attr_graph_from_contribs(&b, c, 3, NULL, 0, NULL);
	tap_is_str(show_built(&b), "*app=0.5 *web=0.5 alice=0 bob=0 0>3:1 1>2:2 1>3:1 3>2:1",
		   "build: no revenue, uniform seed");
	attr_graph_built_free(&b);

	struct attr_graph_contrib e1[] = {{"web", "alice", NULL, 1, false}, {"web", "", NULL, 1, false}};
	tap_is_int(attr_graph_from_contribs(&b, e1, 2, NULL, 0, &bad), ATTR_GRAPH_ENAME, "build: empty contributor");
	tap_ok(bad == 1 && b.nnodes == 0 && b.names == NULL, "build: ENAME names row 1, *b zeroed");
	e1[1] = (struct attr_graph_contrib){"web", "bob", NULL, -1, false};
	tap_is_int(attr_graph_from_contribs(&b, e1, 2, NULL, 0, &bad), ATTR_GRAPH_EWEIGHT, "build: negative weight");
	tap_is_int(bad, 1, "build: EWEIGHT names the row");
	e1[1].weight = 1;
	struct attr_graph_revenue r2[] = {{"web", 5}, {"app", 10}, {"app", -20}};
	tap_is_int(attr_graph_from_contribs(&b, e1, 2, r2, 3, &bad), ATTR_GRAPH_ESEED, "build: negative revenue");
	tap_is_int(bad, 2 + 1, "build: ESEED names the project's first revenue row (after the contributions)");
	struct attr_graph_revenue r3[] = {{"web", 0}};
	tap_is_int(attr_graph_from_contribs(&b, e1, 2, r3, 1, &bad), ATTR_GRAPH_ESEED, "build: zero revenue");
	tap_ok(bad == SIZE_MAX, "build: zero revenue names no row");
	struct attr_graph_revenue r4[] = {{"web", INT64_MAX}, {"web", 1}};
	tap_is_int(attr_graph_from_contribs(&b, e1, 2, r4, 2, &bad), ATTR_GRAPH_ERANGE, "build: revenue overflow");
	tap_is_int(bad, 2 + 1, "build: ERANGE names the row");
	tap_is_int(attr_graph_from_contribs(&b, NULL, 0, NULL, 0, &bad), ATTR_GRAPH_EEMPTY, "build: nothing at all");
}

/* Are two built graphs identical, bit for bit? */
static int same_built(const struct attr_graph_built *a, const struct attr_graph_built *b)
{
	if (a->nnodes != b->nnodes || a->nedges != b->nedges || a->nprojects != b->nprojects)
		return 0;
	for (size_t v = 0; v < a->nnodes; v++)
		if (strcmp(a->names[v], b->names[v]) != 0 || a->is_project[v] != b->is_project[v])
			return 0;
	return memcmp(a->seed, b->seed, a->nnodes * sizeof *a->seed) == 0 &&
	       memcmp(a->from, b->from, a->nedges * sizeof *a->from) == 0 &&
	       memcmp(a->to, b->to, a->nedges * sizeof *a->to) == 0 &&
	       memcmp(a->weight, b->weight, a->nedges * sizeof *a->weight) == 0;
}

/* 300 random contributions (many parallel, weights that do not add up
 * exactly in binary) and revenue rows, shuffled: the same graph and the
 * same PageRank, bit for bit. */
static void test_graph_build_shuffled(void)
{
	enum { NC = 300, NR = 40 };
	static const char *proj[] = {"web", "app", "docs"}, *who[] = {"ann", "bo", "cy", "di", "ed", "fay"};
	static struct attr_graph_contrib c[NC], sc[NC];
	static struct attr_graph_revenue r[NR], sr[NR];
	for (size_t i = 0; i < NC; i++)
		c[i] = (struct attr_graph_contrib){proj[rnd(3)], who[rnd(6)], rnd(2) ? who[rnd(6)] : NULL,
						   (double)(1 + rnd(100)) / 10.0, rnd(2) == 0};
	for (size_t i = 0; i < NR; i++)
		r[i] = (struct attr_graph_revenue){proj[rnd(3)], (int64_t)rnd(1000000) - 100000};
	for (size_t i = 0; i < 3; i++) /* every project's revenue sums above 0 */
		r[i] = (struct attr_graph_revenue){proj[i], 10000000};
	memcpy(sc, c, sizeof c);
	memcpy(sr, r, sizeof r);
	for (size_t i = NC - 1; i > 0; i--) {
		size_t j = rnd(i + 1);
		struct attr_graph_contrib t = sc[i];
		sc[i] = sc[j];
		sc[j] = t;
	}
	for (size_t i = NR - 1; i > 0; i--) {
		size_t j = rnd(i + 1);
		struct attr_graph_revenue t = sr[i];
		sr[i] = sr[j];
		sr[j] = t;
	}
	struct attr_graph_built a, b;
	int ra = attr_graph_from_contribs(&a, c, NC, r, NR, NULL), rb = attr_graph_from_contribs(&b, sc, NC, sr, NR, NULL);
	tap_ok(ra == ATTR_GRAPH_OK && rb == ATTR_GRAPH_OK && same_built(&a, &b),
	       "build: 300 shuffled contributions give the identical graph");
	double x[16], y[16];
	struct attr_graph ga = attr_graph_view(&a), gb = attr_graph_view(&b);
	attr_pagerank(&ga, a.seed, NULL, x, NULL, NULL);
	attr_pagerank(&gb, b.seed, NULL, y, NULL, NULL);
	tap_ok(a.nnodes <= 16 && memcmp(x, y, a.nnodes * sizeof *x) == 0, "build: and the identical PageRank");
	attr_graph_built_free(&a);
	attr_graph_built_free(&b);
}

static void test_graph_named(void)
{
	struct attr_graph_edge_in e[] = {{"b", "a", 1}, {"a", "c", 2}, {"b", "a", 0.5}, {"c", "c", 0}};
	struct attr_graph_seed_in s[] = {{"a", 1}, {"d", 2}, {"a", 1}};
	struct attr_graph_built b;
	size_t bad = 99;
	tap_is_int(attr_graph_from_named(&b, e, 4, s, 3, &bad), ATTR_GRAPH_OK, "named: edges and seed");
	tap_is_str(show_built(&b), "a=0.5 b=0 c=0 d=0.5 0>2:2 1>0:1.5", "named: sorted nodes, merged edges, summed seed");
	attr_graph_built_free(&b);
	tap_is_int(attr_graph_from_named(&b, e, 4, NULL, 0, &bad), ATTR_GRAPH_ESEED, "named: no seed");
	tap_ok(bad == SIZE_MAX, "named: no seed names no entry");
	s[1].weight = -2;
	tap_is_int(attr_graph_from_named(&b, e, 4, s, 3, &bad), ATTR_GRAPH_ESEED, "named: negative seed");
	tap_is_int(bad, 4 + 1, "named: ESEED names the entry after the edges");
	s[1] = (struct attr_graph_seed_in){"", 1};
	tap_is_int(attr_graph_from_named(&b, e, 4, s, 3, &bad), ATTR_GRAPH_ENAME, "named: empty seed node");
	tap_is_int(bad, 5, "named: ENAME names the seed entry");
	e[2].to = NULL;
	tap_is_int(attr_graph_from_named(&b, e, 4, s, 3, &bad), ATTR_GRAPH_ENAME, "named: missing edge head");
	tap_is_int(bad, 2, "named: ENAME names the edge");
	e[2] = (struct attr_graph_edge_in){"b", "a", INFINITY};
	tap_is_int(attr_graph_from_named(&b, e, 4, s, 3, &bad), ATTR_GRAPH_EWEIGHT, "named: infinite weight");
	tap_is_int(attr_graph_from_named(&b, NULL, 0, NULL, 0, &bad), ATTR_GRAPH_EEMPTY, "named: empty graph");
}

/* ---- shapley ------------------------------------------------------- */

#define MAXP 12
#define MAXPATHS 16

struct game {
	size_t nplayers, npaths;
	uint32_t touch[MAXPATHS * 2][6];
	struct attr_path p[MAXPATHS * 2];
};

static void random_game(struct game *g, size_t nplayers, size_t npaths)
{
	g->nplayers = nplayers;
	g->npaths = npaths;
	for (size_t i = 0; i < npaths; i++) {
		size_t k = 1 + rnd(5);
		for (size_t j = 0; j < k; j++)
			g->touch[i][j] = (uint32_t)rnd(nplayers);
		g->p[i] = (struct attr_path){g->touch[i], k, (double)rnd(5), 0, (double)rnd(1000)};
	}
}

/* Brute force: phi_i = sum over S not holding i of
 * |S|! (n-|S|-1)! / n! (v(S+i) - v(S)), v(S) = value of paths inside S. */
static void brute_shapley(const struct game *g, double *phi)
{
	size_t n = g->nplayers, full = (size_t)1 << n;
	double *v = calloc(full, sizeof *v), fact[MAXP + 1] = {1};
	for (size_t i = 1; i <= n; i++)
		fact[i] = fact[i - 1] * (double)i;
	uint32_t pm[MAXPATHS * 2];
	for (size_t i = 0; i < g->npaths; i++) {
		pm[i] = 0;
		for (size_t j = 0; j < g->p[i].ntouch; j++)
			pm[i] |= 1u << g->p[i].touch[j];
	}
	for (size_t s = 0; s < full; s++)
		for (size_t i = 0; i < g->npaths; i++)
			if ((pm[i] & ~s) == 0)
				v[s] += g->p[i].value;
	for (size_t i = 0; i < n; i++) {
		phi[i] = 0;
		for (size_t s = 0; s < full; s++) {
			if (s & ((size_t)1 << i))
				continue;
			int k = __builtin_popcountll(s);
			phi[i] += fact[k] * fact[n - (size_t)k - 1] / fact[n] * (v[s | ((size_t)1 << i)] - v[s]);
		}
	}
	free(v);
}

static void test_shapley_hand(void)
{
	uint32_t t1[] = {0, 1}, t2[] = {0}, t3[] = {1, 2, 1};
	struct attr_path p[] = {{t1, 2, 1, 0, 10}, {t2, 1, 1, 0, 6}, {t3, 3, 3, 0, 9}};
	double phi[4], conv[4];
	/* a: 10/2 + 6 = 11; b: 10/2 + 9/2 = 9.5; c: 9/2 = 4.5 (b counted once
	 * in b > c > b); d touches nothing: 0.  Conversions likewise:
	 * a .5 + 1, b .5 + 1.5, c 1.5. */
	tap_is_int(attr_shapley(p, 3, 4, phi, conv, NULL), ATTR_SHAPLEY_OK, "shapley: hand case");
	tap_ok(phi[0] == 11 && phi[1] == 9.5 && phi[2] == 4.5 && phi[3] == 0, "shapley: 11, 9.5, 4.5, 0 (%g %g %g %g)",
	       phi[0], phi[1], phi[2], phi[3]);
	tap_ok(conv[0] == 1.5 && conv[1] == 2 && conv[2] == 1.5 && conv[3] == 0, "shapley: conversions 1.5, 2, 1.5, 0");
}

static void test_shapley_properties(void)
{
	int brute_bad = 0, eff_bad = 0, sym_bad = 0, null_bad = 0, add_bad = 0, order_bad = 0;
	for (int t = 0; t < 300; t++) {
		size_t n = 1 + rnd(MAXP);
		struct game g, h, sum;
		random_game(&g, n, 1 + rnd(MAXPATHS));
		double phi[MAXP], want[MAXP], total = 0;
		attr_shapley(g.p, g.npaths, n, phi, NULL, NULL);
		brute_shapley(&g, want);
		for (size_t i = 0; i < g.npaths; i++)
			total += g.p[i].value;
		double s = 0;
		for (size_t i = 0; i < n; i++) {
			brute_bad += !NEAR(phi[i], want[i], 1e-9 * (1 + total));
			s += phi[i];
		}
		eff_bad += !NEAR(s, total, 1e-9 * (1 + total));
		/* Null player: one more player nobody touches. */
		if (n < MAXP) {
			double phn[MAXP];
			attr_shapley(g.p, g.npaths, n + 1, phn, NULL, NULL);
			null_bad += phn[n] != 0 || memcmp(phn, phi, n * sizeof *phi) != 0;
		}
		/* Symmetry: add every path's image under swapping players 0 and
		 * n-1; in that game the two are interchangeable. */
		h = g;
		for (size_t i = 0; i < g.npaths; i++) {
			size_t k = g.p[i].ntouch;
			for (size_t j = 0; j < k; j++) {
				uint32_t x = g.touch[i][j];
				h.touch[g.npaths + i][j] = x == 0 ? (uint32_t)(n - 1) : x == n - 1 ? 0 : x;
			}
			h.p[g.npaths + i] = g.p[i];
			h.p[g.npaths + i].touch = h.touch[g.npaths + i];
		}
		for (size_t i = 0; i < g.npaths; i++)
			h.p[i].touch = h.touch[i];
		h.npaths = 2 * g.npaths;
		double phs[MAXP];
		attr_shapley(h.p, h.npaths, n, phs, NULL, NULL);
		sym_bad += !NEAR(phs[0], phs[n - 1], 1e-9 * (1 + total));
		/* Additivity: the game of g's and another game's paths. */
		struct game k2;
		random_game(&k2, n, 1 + rnd(MAXPATHS));
		sum.nplayers = n;
		sum.npaths = g.npaths + k2.npaths;
		for (size_t i = 0; i < g.npaths; i++) {
			memcpy(sum.touch[i], g.touch[i], sizeof g.touch[i]);
			sum.p[i] = g.p[i];
			sum.p[i].touch = sum.touch[i];
		}
		for (size_t i = 0; i < k2.npaths; i++) {
			memcpy(sum.touch[g.npaths + i], k2.touch[i], sizeof k2.touch[i]);
			sum.p[g.npaths + i] = k2.p[i];
			sum.p[g.npaths + i].touch = sum.touch[g.npaths + i];
		}
		double pk[MAXP], psum[MAXP], bsum[MAXP];
		attr_shapley(k2.p, k2.npaths, n, pk, NULL, NULL);
		attr_shapley(sum.p, sum.npaths, n, psum, NULL, NULL);
		brute_shapley(&sum, bsum);
		for (size_t i = 0; i < n; i++)
			add_bad += !NEAR(psum[i], phi[i] + pk[i], 1e-9 * (1 + total)) || !NEAR(bsum[i], psum[i], 1e-7);
		/* Order: the summed game's paths reversed, identical bits. */
		struct attr_path rev[MAXPATHS * 2];
		for (size_t i = 0; i < sum.npaths; i++)
			rev[i] = sum.p[sum.npaths - 1 - i];
		double pr_[MAXP];
		attr_shapley(rev, sum.npaths, n, pr_, NULL, NULL);
		order_bad += memcmp(pr_, psum, n * sizeof *psum) != 0;
	}
	tap_ok(brute_bad == 0, "shapley: 300 random games equal brute-force enumeration (%d off)", brute_bad);
	tap_ok(eff_bad == 0, "shapley: efficiency, shares sum to the total value (%d off)", eff_bad);
	tap_ok(sym_bad == 0, "shapley: symmetry, interchangeable players get the same (%d off)", sym_bad);
	tap_ok(null_bad == 0, "shapley: null player gets exactly 0, others unchanged (%d off)", null_bad);
	tap_ok(add_bad == 0, "shapley: additivity, phi(v+w) = phi(v) + phi(w) (%d off)", add_bad);
	tap_ok(order_bad == 0, "shapley: reversed paths give identical bits (%d off)", order_bad);
}

static void test_shapley_errors(void)
{
	uint32_t t1[] = {0, 3};
	struct attr_path p[] = {{t1, 1, 1, 0, 1}, {t1, 0, 1, 0, 1}};
	double phi[4];
	size_t bad = 99;
	tap_is_int(attr_shapley(p, 2, 4, phi, NULL, &bad), ATTR_SHAPLEY_EPATH, "shapley: a path without touches");
	tap_is_int(bad, 1, "shapley: EPATH names the path");
	p[1].ntouch = 2;
	tap_is_int(attr_shapley(p, 2, 3, phi, NULL, &bad), ATTR_SHAPLEY_EPLAYER, "shapley: an unknown player");
	tap_is_int(bad, 1, "shapley: EPLAYER names the path");
	p[0].value = -1;
	tap_is_int(attr_shapley(p, 2, 4, phi, NULL, &bad), ATTR_SHAPLEY_EVALUE, "shapley: a negative value");
	tap_is_int(bad, 0, "shapley: EVALUE names the path");
	p[0].value = 1;
	p[0].conversions = NAN;
	tap_is_int(attr_shapley(p, 2, 4, phi, NULL, &bad), ATTR_SHAPLEY_EVALUE, "shapley: NaN conversions");
	p[0].conversions = 1;
	p[0].nulls = -3;
	tap_is_int(attr_shapley(p, 2, 4, phi, NULL, &bad), ATTR_SHAPLEY_EVALUE, "shapley: negative nulls");
	tap_is_int(attr_shapley(NULL, 0, 2, phi, NULL, &bad), ATTR_SHAPLEY_OK, "shapley: no paths");
	tap_ok(phi[0] == 0 && phi[1] == 0, "shapley: no paths, all 0");
	tap_is_str(attr_shapley_strerror(ATTR_SHAPLEY_EPATH), "a path has no touches", "shapley: strerror");
}

/* The touches of text joined by '|', or "ERR@offset". */
static const char *split_path(const char *text)
{
	static char buf[128];
	const char *s = text, *end = text + strlen(text), *tok;
	size_t len, k = 0;
	int rc;
	buf[0] = 0;
	while ((rc = attr_path_next(&s, end, &tok, &len)) == 1)
		k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%.*s", k ? "|" : "", (int)len, tok);
	if (rc < 0)
		snprintf(buf, sizeof buf, "ERR@%d", (int)(s - text));
	return buf;
}

static void test_path_text(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"a > b > c", "a|b|c"},   {"a>b>c", "a|b|c"},     {"  twitter  ", "twitter"},
		{"a\t>\tb c", "a|b c"},   {"", ""},               {"   ", ""},
		{"a >", "ERR@3"},         {"a >  ", "ERR@3"},     {"> a", "ERR@0"},
		{"a > > b", "ERR@4"},     {"a >> b", "ERR@3"},    {"x > x", "x|x"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		tap_is_str(split_path(cases[i].in), cases[i].want, "path text \"%s\"", cases[i].in);
}

/* ---- markov -------------------------------------------------------- */

static void test_markov_classic(void)
{
	/* The classic example: c1 > c2 > c3 converts, c1 ends in null,
	 * c2 > c3 ends in null.  Transitions: start->c1 2/3, start->c2 1/3,
	 * c1->c2 1/2, c1->null 1/2, c2->c3 1, c3->conv 1/2, c3->null 1/2.
	 * P = 2/3 * 1/2 * 1 * 1/2 + 1/3 * 1 * 1/2 = 1/6 + 1/6 = 1/3.
	 * Without c1: only start->c2->c3->conv: 1/3 * 1/2 = 1/6, RE 1/2.
	 * Without c2 or c3: nothing converts, RE 1 each.
	 * Shares: .5/2.5 = 0.2, 0.4, 0.4. */
	uint32_t t1[] = {0, 1, 2}, t2[] = {0}, t3[] = {1, 2};
	struct attr_path p[] = {{t1, 3, 1, 0, 100}, {t2, 1, 0, 1, 0}, {t3, 2, 0, 1, 0}};
	double re[4], sh[4];
	struct attr_markov_result res;
	tap_is_int(attr_markov(p, 3, 4, re, sh, &res, NULL), ATTR_MARKOV_OK, "markov: classic example");
	tap_ok(NEAR(res.conversion_prob, 1.0 / 3, 1e-15), "markov: P = 1/3 (%.17g)", res.conversion_prob);
	tap_ok(NEAR(re[0], 0.5, 1e-15) && NEAR(re[1], 1, 1e-15) && NEAR(re[2], 1, 1e-15) && re[3] == 0,
	       "markov: removal effects 1/2, 1, 1, 0 (%.17g %.17g %.17g)", re[0], re[1], re[2]);
	tap_ok(NEAR(sh[0], 0.2, 1e-15) && NEAR(sh[1], 0.4, 1e-15) && NEAR(sh[2], 0.4, 1e-15) && sh[3] == 0,
	       "markov: shares 0.2, 0.4, 0.4, 0");
	tap_ok(res.conversions == 1 && res.value == 100, "markov: totals 1 conversion worth 100");
	/* Nulls matter: a converts 1 in 2, b always:
	 * start->a 2/3, start->b 1/3, P = 2/3 * 1/2 + 1/3 = 2/3;
	 * without a 1/3, without b 1/3: RE 1/2 each, shares 1/2. */
	uint32_t ta[] = {0}, tb[] = {1};
	struct attr_path q[] = {{ta, 1, 1, 1, 5}, {tb, 1, 1, 0, 5}};
	attr_markov(q, 2, 2, re, sh, &res, NULL);
	tap_ok(NEAR(res.conversion_prob, 2.0 / 3, 1e-15) && NEAR(re[0], 0.5, 1e-15) && NEAR(re[1], 0.5, 1e-15) &&
		       NEAR(sh[0], 0.5, 1e-15),
	       "markov: nulls, P 2/3, RE 1/2 and 1/2");
}

/* Conversion probability with the players in `removed` sent to null,
 * solved directly: x = Q x + r over the transient states. */
static double direct_prob(const struct attr_path *p, size_t np, size_t n, int removed)
{
	size_t m = n + 1; /* players, then start */
	double *cnt = calloc(m * (m + 2), sizeof *cnt), *a = calloc(m * m, sizeof *a), x[MAXP + 1];
	for (size_t i = 0; i < np; i++) {
		double w = p[i].conversions + p[i].nulls;
		if (!(w > 0))
			continue;
		size_t prev = n;
		for (size_t j = 0; j < p[i].ntouch; j++) {
			cnt[prev * (m + 2) + p[i].touch[j]] += w;
			prev = p[i].touch[j];
		}
		cnt[prev * (m + 2) + m] += p[i].conversions;
		cnt[prev * (m + 2) + m + 1] += p[i].nulls;
	}
	for (size_t u = 0; u < m; u++) {
		double row = 0;
		for (size_t v = 0; v < m + 2; v++)
			row += cnt[u * (m + 2) + v];
		a[u * m + u] = 1;
		x[u] = 0;
		if (row == 0 || (int)u == removed)
			continue;
		for (size_t v = 0; v < m; v++)
			a[u * m + v] -= cnt[u * (m + 2) + v] / row;
		x[u] = cnt[u * (m + 2) + m] / row;
	}
	solve(a, x, m);
	free(cnt);
	free(a);
	return x[n];
}

static void test_markov_random(void)
{
	int direct_bad = 0, neg = 0, sum_bad = 0, order_bad = 0, loop_bad = 0, empty_bad = 0;
	double maxerr = 0;
	for (int t = 0; t < 200; t++) {
		size_t n = 1 + rnd(10);
		struct game g;
		random_game(&g, n, 1 + rnd(MAXPATHS));
		for (size_t i = 0; i < g.npaths; i++)
			g.p[i].nulls = (double)rnd(4);
		g.p[0].conversions += 1;
		double re[MAXP], sh[MAXP];
		struct attr_markov_result res;
		if (attr_markov(g.p, g.npaths, n, re, sh, &res, NULL) != ATTR_MARKOV_OK) {
			direct_bad++;
			continue;
		}
		double P = direct_prob(g.p, g.npaths, n, -1), s = 0;
		direct_bad += !NEAR(res.conversion_prob, P, 1e-12);
		for (size_t i = 0; i < n; i++) {
			double want = 1 - direct_prob(g.p, g.npaths, n, (int)i) / P;
			want = want < 0 ? 0 : want;
			maxerr = fmax(maxerr, fabs(re[i] - want));
			neg += re[i] < 0 || sh[i] < 0;
			s += sh[i];
		}
		sum_bad += !NEAR(s, 1, 1e-12);
		/* Reversed paths: identical bits. */
		struct attr_path rev[MAXPATHS * 2];
		double re2[MAXP], sh2[MAXP];
		for (size_t i = 0; i < g.npaths; i++)
			rev[i] = g.p[g.npaths - 1 - i];
		attr_markov(rev, g.npaths, n, re2, sh2, NULL, NULL);
		order_bad += memcmp(re, re2, n * sizeof *re) != 0 || memcmp(sh, sh2, n * sizeof *sh) != 0;
		/* A row with no conversions and no nulls adds nothing. */
		rev[g.npaths] = (struct attr_path){g.touch[0], g.p[0].ntouch, 0, 0, 0};
		attr_markov(g.p, g.npaths, n, re, sh, NULL, NULL);
		memcpy(rev, g.p, g.npaths * sizeof *rev);
		attr_markov(rev, g.npaths + 1, n, re2, sh2, NULL, NULL);
		empty_bad += memcmp(re, re2, n * sizeof *re) != 0;
		/* Doubling every touch (a > a > b > b) makes self-loops only. */
		uint32_t dbl[MAXPATHS][12];
		struct attr_path dp[MAXPATHS];
		for (size_t i = 0; i < g.npaths; i++) {
			for (size_t j = 0; j < g.p[i].ntouch; j++)
				dbl[i][2 * j] = dbl[i][2 * j + 1] = g.p[i].touch[j];
			dp[i] = g.p[i];
			dp[i].touch = dbl[i];
			dp[i].ntouch = 2 * g.p[i].ntouch;
		}
		attr_markov(dp, g.npaths, n, re2, sh2, NULL, NULL);
		for (size_t i = 0; i < n; i++)
			loop_bad += !NEAR(re[i], re2[i], 1e-12);
	}
	tap_ok(direct_bad == 0 && maxerr < 1e-12,
	       "markov: 200 random path sets equal removal by direct solves (max error %.3g, %d bad)", maxerr,
	       direct_bad);
	tap_ok(neg == 0, "markov: removal effects and shares never negative (%d)", neg);
	tap_ok(sum_bad == 0, "markov: shares sum to 1 (%d off)", sum_bad);
	tap_ok(order_bad == 0, "markov: reversed paths give identical bits (%d off)", order_bad);
	tap_ok(empty_bad == 0, "markov: a row without conversions or nulls changes nothing (%d off)", empty_bad);
	tap_ok(loop_bad == 0, "markov: repeated touches (self-loops) change nothing (%d off)", loop_bad);
}

static void test_markov_errors(void)
{
	uint32_t t1[] = {0, 1};
	struct attr_path p[] = {{t1, 2, 0, 3, 0}, {t1, 1, 0, 2, 0}};
	double re[2], sh[2];
	size_t bad = 99;
	tap_is_int(attr_markov(p, 2, 2, re, sh, NULL, &bad), ATTR_MARKOV_ENOCONV, "markov: nothing converts");
	tap_is_int(attr_markov(NULL, 0, 2, re, sh, NULL, &bad), ATTR_MARKOV_ENOCONV, "markov: no paths");
	p[1].ntouch = 0;
	tap_is_int(attr_markov(p, 2, 2, re, sh, NULL, &bad), ATTR_MARKOV_EPATH, "markov: a path without touches");
	tap_is_int(bad, 1, "markov: EPATH names the path");
	tap_is_int(attr_markov(p, 1, 1, re, sh, NULL, &bad), ATTR_MARKOV_EPLAYER, "markov: an unknown player");
	tap_is_int(bad, 0, "markov: EPLAYER names the path");
	p[0].nulls = -1;
	tap_is_int(attr_markov(p, 1, 2, re, sh, NULL, &bad), ATTR_MARKOV_EVALUE, "markov: negative nulls");
	/* One converting path through 1001 players: too big a system. */
	static uint32_t many[ATTR_MARKOV_MAX_PLAYERS + 1];
	static double sh_many[ATTR_MARKOV_MAX_PLAYERS + 1];
	for (uint32_t i = 0; i <= ATTR_MARKOV_MAX_PLAYERS; i++)
		many[i] = i;
	struct attr_path big = {many, ATTR_MARKOV_MAX_PLAYERS + 1, 1, 0, 1};
	tap_is_int(attr_markov(&big, 1, ATTR_MARKOV_MAX_PLAYERS + 1, NULL, sh_many, NULL, &bad), ATTR_MARKOV_ESIZE,
		   "markov: more than %d players refused", ATTR_MARKOV_MAX_PLAYERS);
	big.ntouch = 60; /* a long chain: every player is essential, RE 1 */
	tap_is_int(attr_markov(&big, 1, 60, NULL, sh_many, NULL, &bad), ATTR_MARKOV_OK, "markov: a 60-touch path");
	tap_ok(NEAR(sh_many[0], 1.0 / 60, 1e-15) && NEAR(sh_many[59], 1.0 / 60, 1e-15), "markov: 60 touches, 1/60 each");
	tap_is_str(attr_markov_strerror(ATTR_MARKOV_ENOCONV), "no path converts: there is nothing to attribute",
		   "markov: strerror");
}

/* ---- peer ---------------------------------------------------------- */

static void test_peer(void)
{
	/* alice 0, bob 1, carol 2; budget 100 each, one period.
	 * alice: bob 60, carol 30 (10 unused); bob: alice 100;
	 * carol: alice 50, bob 20 (30 unused).
	 * received: alice 150, bob 80, carol 30; given 260 of 300. */
	struct attr_peer_member m[] = {{100, false}, {100, false}, {100, false}};
	struct attr_peer_gift g[] = {{0, 0, 1, 60}, {0, 0, 2, 30}, {0, 1, 0, 100}, {0, 2, 0, 50}, {0, 2, 1, 20}};
	int64_t got[3];
	struct attr_peer_result r;
	size_t bad = 99;
	tap_is_int(attr_peer(m, 3, 1, g, 5, false, got, &r, &bad), ATTR_PEER_OK, "peer: hand case");
	tap_ok(got[0] == 150 && got[1] == 80 && got[2] == 30, "peer: received 150, 80, 30");
	tap_ok(r.budget == 300 && r.given == 260 && r.received == 260 && r.burnt_unused == 40 && r.burnt_optout == 0 &&
		       r.optout_gifts == 0,
	       "peer: budget 300, given 260, 40 burnt unused");
	/* Reversed gifts: the same. */
	struct attr_peer_gift rg[5];
	int64_t got2[3];
	for (size_t i = 0; i < 5; i++)
		rg[i] = g[4 - i];
	attr_peer(m, 3, 1, rg, 5, false, got2, NULL, NULL);
	tap_ok(memcmp(got, got2, sizeof got) == 0, "peer: reversed gifts, the same");
	/* carol opts out: alice's 30 to her are burnt; carol still gives. */
	m[2].opted_out = true;
	attr_peer(m, 3, 1, g, 5, false, got, &r, NULL);
	tap_ok(got[0] == 150 && got[1] == 80 && got[2] == 0 && r.received == 230 && r.burnt_optout == 30 &&
		       r.optout_gifts == 1 && r.given == 260,
	       "peer: opted out receives nothing, its gifts burnt, it still gives");
	tap_is_int(attr_peer(m, 3, 1, g, 5, true, got, &r, &bad), ATTR_PEER_EOPTOUT, "peer: strict opt-out refused");
	tap_is_int(bad, 1, "peer: EOPTOUT names the gift");
	m[2].opted_out = false;
	/* Budgets are per period: 60 + 50 over two periods is fine, in one not. */
	struct attr_peer_gift over[] = {{0, 0, 1, 60}, {1, 0, 2, 50}, {0, 0, 2, 50}};
	tap_is_int(attr_peer(m, 3, 2, over, 2, false, got, &r, &bad), ATTR_PEER_OK, "peer: 60 and 50 in two periods");
	tap_ok(r.budget == 600 && r.burnt_unused == 490, "peer: budget counts every period");
	tap_is_int(attr_peer(m, 3, 2, over, 3, false, got, &r, &bad), ATTR_PEER_EBUDGET, "peer: 110 in one period");
	tap_is_int(bad, 2, "peer: EBUDGET names the gift that goes over");
	struct attr_peer_gift self[] = {{0, 0, 1, 1}, {0, 1, 1, 1}};
	tap_is_int(attr_peer(m, 3, 1, self, 2, false, got, &r, &bad), ATTR_PEER_ESELF, "peer: self-gift refused");
	tap_is_int(bad, 1, "peer: ESELF names the gift");
	struct attr_peer_gift neg[] = {{0, 0, 1, 1}, {0, 2, 1, -5}};
	tap_is_int(attr_peer(m, 3, 1, neg, 2, false, got, &r, &bad), ATTR_PEER_EPOINTS, "peer: negative gift refused");
	tap_is_int(bad, 1, "peer: EPOINTS names the gift");
	struct attr_peer_gift who[] = {{0, 0, 3, 1}};
	tap_is_int(attr_peer(m, 3, 1, who, 1, false, got, &r, &bad), ATTR_PEER_EMEMBER, "peer: unknown member");
	tap_is_int(attr_peer(m, 3, 1, over, 2, false, got, &r, &bad), ATTR_PEER_EMEMBER, "peer: unknown period");
	tap_is_int(bad, 1, "peer: EMEMBER names the gift");
	m[1].budget = -1;
	tap_is_int(attr_peer(m, 3, 1, g, 5, false, got, &r, &bad), ATTR_PEER_EPOINTS, "peer: negative budget");
	tap_is_int(bad, 1, "peer: EPOINTS names the member");
	m[1].budget = INT64_MAX;
	tap_is_int(attr_peer(m, 3, 2, g, 0, false, got, &r, &bad), ATTR_PEER_ERANGE, "peer: budget overflow");
	m[0].budget = m[2].budget = 0;
	struct attr_peer_gift big[] = {{0, 1, 0, INT64_MAX}, {0, 1, 2, 1}};
	tap_is_int(attr_peer(m, 3, 1, big, 2, false, got, &r, &bad), ATTR_PEER_ERANGE, "peer: gift sum overflow");
	tap_is_int(bad, 1, "peer: ERANGE names the gift");
	tap_is_str(attr_peer_strerror(ATTR_PEER_ESELF), "a member cannot give to itself", "peer: strerror");
}

int main(void)
{
	test_graph_hand();
	test_graph_closed_form();
	test_graph_iteration();
	test_graph_errors();
	test_graph_build();
	test_graph_build_shuffled();
	test_graph_named();
	test_shapley_hand();
	test_shapley_properties();
	test_shapley_errors();
	test_path_text();
	test_markov_classic();
	test_markov_random();
	test_markov_errors();
	test_peer();
	return tap_done();
}
