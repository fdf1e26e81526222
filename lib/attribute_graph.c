/* attribute_graph.c - personalised PageRank by power iteration over edges
 * sorted by head, and the builders of named graphs (attribute_graph.h). */
#include "attribute_graph.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void attr_pagerank_defaults(struct attr_pagerank_opts *o)
{
	o->damping = 0.85;
	o->tolerance = 1e-12;
	o->max_iter = 10000;
}

const char *attr_graph_strerror(int status)
{
	switch (status) {
	case ATTR_GRAPH_OK: return "success";
	case ATTR_GRAPH_EEMPTY: return "the graph is empty";
	case ATTR_GRAPH_ENODE: return "an edge names a node that does not exist";
	case ATTR_GRAPH_EWEIGHT: return "a weight is negative or not a finite number";
	case ATTR_GRAPH_ESEED: return "the seed is negative, not finite, or sums to zero";
	case ATTR_GRAPH_EDAMPING: return "the damping must be in [0, 1) and the tolerance positive";
	case ATTR_GRAPH_ENAME: return "a node name is empty";
	case ATTR_GRAPH_ENOCONV: return "the power iteration did not converge";
	case ATTR_GRAPH_ENOMEM: return "out of memory";
	case ATTR_GRAPH_ERANGE: return "too many nodes or edges, or a revenue sum out of range";
	}
	return "unknown status";
}

static bool weight_ok(double w)
{
	return isfinite(w) && w >= 0;
}

static void set_bad(size_t *bad, size_t i)
{
	if (bad)
		*bad = i;
}

/* ---- the edges in head order ---- */

/* Edges merged and sorted by (to, from): in-edges of node v are
 * src[head[v] .. head[v+1]), with coefficient weight / outweight(src). */
struct csr {
	uint32_t *head; /* nnodes + 1 offsets */
	uint32_t *src;  /* tail of each merged edge */
	double *coef;   /* its transition probability */
	uint32_t *dangling; /* nodes with no out-weight, ascending */
	size_t ndangling;
};

static void csr_free(struct csr *c)
{
	free(c->head);
	free(c->src);
	free(c->coef);
	free(c->dangling);
}

/* Stable counting sort of the edge indices in `in` by key[] (< n) into out. */
static void counting_sort(const uint32_t *in, uint32_t *out, size_t m, const uint32_t *key, size_t n,
			  uint32_t *count)
{
	memset(count, 0, (n + 1) * sizeof *count);
	for (size_t i = 0; i < m; i++)
		count[key[in[i]] + 1]++;
	for (size_t k = 0; k < n; k++)
		count[k + 1] += count[k];
	for (size_t i = 0; i < m; i++)
		out[count[key[in[i]]]++] = in[i];
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The sum of the weights of a run of parallel edges, in ascending order of
 * weight so that the order edges were given in does not matter. */
static double run_sum(const struct attr_graph *g, const uint32_t *idx, size_t len, double *buf)
{
	if (len == 1)
		return g->weight[idx[0]];
	for (size_t i = 0; i < len; i++)
		buf[i] = g->weight[idx[i]];
	qsort(buf, len, sizeof *buf, cmp_double);
	double s = 0;
	for (size_t i = 0; i < len; i++)
		s += buf[i];
	return s;
}

/* Fill c from g: sort by (to, from), merge parallel edges, drop zero
 * weights, and turn weights into transition probabilities. */
static int csr_build(struct csr *c, const struct attr_graph *g)
{
	size_t n = g->nnodes, m = g->nedges;
	int rc = ATTR_GRAPH_ENOMEM;
	uint32_t *a = malloc((m ? m : 1) * sizeof *a), *b = malloc((m ? m : 1) * sizeof *b);
	uint32_t *count = malloc((n + 1) * sizeof *count);
	double *outw = calloc(n, sizeof *outw), *buf = malloc((m ? m : 1) * sizeof *buf);
	c->head = calloc(n + 1, sizeof *c->head);
	c->src = malloc((m ? m : 1) * sizeof *c->src);
	c->coef = malloc((m ? m : 1) * sizeof *c->coef);
	c->dangling = malloc(n * sizeof *c->dangling);
	if (!a || !b || !count || !outw || !buf || !c->head || !c->src || !c->coef || !c->dangling)
		goto out;
	for (size_t i = 0; i < m; i++)
		a[i] = (uint32_t)i;
	counting_sort(a, b, m, g->from, n, count); /* by from */
	counting_sort(b, a, m, g->to, n, count);   /* by (to, from), stable */
	size_t k = 0;
	for (size_t i = 0; i < m;) {
		size_t j = i + 1;
		while (j < m && g->to[a[j]] == g->to[a[i]] && g->from[a[j]] == g->from[a[i]])
			j++;
		double w = run_sum(g, a + i, j - i, buf);
		if (w > 0) {
			uint32_t u = g->from[a[i]];
			c->src[k] = u;
			c->coef[k] = w;
			outw[u] += w; /* in ascending head order: fixed */
			c->head[g->to[a[i]] + 1]++;
			k++;
		}
		i = j;
	}
	for (size_t v = 0; v < n; v++)
		c->head[v + 1] += c->head[v];
	for (size_t e = 0; e < k; e++)
		c->coef[e] /= outw[c->src[e]];
	c->ndangling = 0;
	for (size_t v = 0; v < n; v++)
		if (!(outw[v] > 0))
			c->dangling[c->ndangling++] = (uint32_t)v;
	rc = ATTR_GRAPH_OK;
out:
	free(a);
	free(b);
	free(count);
	free(outw);
	free(buf);
	return rc;
}

/* ---- the power iteration ---- */

static int check_graph(const struct attr_graph *g, const double *seed, const struct attr_pagerank_opts *o,
		       double *seedsum, size_t *bad)
{
	if (g->nnodes == 0)
		return ATTR_GRAPH_EEMPTY;
	if (g->nnodes > UINT32_MAX || g->nedges > UINT32_MAX)
		return ATTR_GRAPH_ERANGE;
	if (!(o->damping >= 0 && o->damping < 1) || !(o->tolerance > 0))
		return ATTR_GRAPH_EDAMPING;
	for (size_t e = 0; e < g->nedges; e++) {
		if (g->from[e] >= g->nnodes || g->to[e] >= g->nnodes)
			return set_bad(bad, e), ATTR_GRAPH_ENODE;
		if (!weight_ok(g->weight[e]))
			return set_bad(bad, e), ATTR_GRAPH_EWEIGHT;
	}
	double s = 0;
	for (size_t v = 0; v < g->nnodes; v++) {
		if (!weight_ok(seed[v]))
			return set_bad(bad, v), ATTR_GRAPH_ESEED;
		s += seed[v];
	}
	if (!(s > 0) || !isfinite(s))
		return set_bad(bad, SIZE_MAX), ATTR_GRAPH_ESEED;
	*seedsum = s;
	return ATTR_GRAPH_OK;
}

/* One step x -> y; returns the L1 change. */
static double step(const struct csr *c, size_t n, const double *s, double d, const double *x, double *y)
{
	double dsum = 0;
	for (size_t i = 0; i < c->ndangling; i++)
		dsum += x[c->dangling[i]];
	double err = 0;
	for (size_t v = 0; v < n; v++) {
		double acc = 0;
		for (uint32_t e = c->head[v]; e < c->head[v + 1]; e++)
			acc += c->coef[e] * x[c->src[e]];
		y[v] = d * (acc + dsum * s[v]) + (1 - d) * s[v];
		err += fabs(y[v] - x[v]);
	}
	return err;
}

int attr_pagerank(const struct attr_graph *g, const double *seed, const struct attr_pagerank_opts *opts,
		  double *score, unsigned *iterations, size_t *bad)
{
	struct attr_pagerank_opts def;
	if (!opts) {
		attr_pagerank_defaults(&def);
		opts = &def;
	}
	double seedsum = 0;
	int rc = check_graph(g, seed, opts, &seedsum, bad);
	if (rc != ATTR_GRAPH_OK)
		return rc;
	size_t n = g->nnodes;
	struct csr c = {0};
	double *s = malloc(n * sizeof *s), *y = malloc(n * sizeof *y);
	if (!s || !y || csr_build(&c, g) != ATTR_GRAPH_OK) {
		rc = ATTR_GRAPH_ENOMEM;
		goto out;
	}
	for (size_t v = 0; v < n; v++)
		score[v] = s[v] = seed[v] / seedsum;
	unsigned it = 0;
	rc = ATTR_GRAPH_ENOCONV;
	while (it < opts->max_iter) {
		double err = step(&c, n, s, opts->damping, score, y);
		memcpy(score, y, n * sizeof *y);
		it++;
		if (err < opts->tolerance) {
			rc = ATTR_GRAPH_OK;
			break;
		}
	}
	if (iterations)
		*iterations = it;
out:
	csr_free(&c);
	free(s);
	free(y);
	return rc;
}

struct attr_graph attr_graph_view(const struct attr_graph_built *b)
{
	return (struct attr_graph){b->nnodes, b->nedges, b->from, b->to, b->weight};
}

void attr_graph_built_free(struct attr_graph_built *b)
{
	if (b->names)
		for (size_t i = 0; i < b->nnodes; i++)
			free(b->names[i]);
	free(b->names);
	free(b->is_project);
	free(b->seed);
	free(b->from);
	free(b->to);
	free(b->weight);
	memset(b, 0, sizeof *b);
}

/* ---- builders: names, then merged edges ---- */

/* A sorted set of distinct names (borrowed pointers). */
struct names {
	const char **v;
	size_t n, cap;
};

/* Make room for one more element in the array *v of n elements of
 * `size` bytes and capacity *cap. */
static int grow(void **v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return ATTR_GRAPH_OK;
	size_t c = *cap ? 2 * *cap : 64;
	void *p = realloc(*v, c * size);
	if (!p)
		return ATTR_GRAPH_ENOMEM;
	*v = p;
	*cap = c;
	return ATTR_GRAPH_OK;
}

static int names_add(struct names *s, const char *name)
{
	void *v = s->v;
	int rc = grow(&v, s->n, &s->cap, sizeof *s->v);
	s->v = v;
	if (rc != ATTR_GRAPH_OK)
		return rc;
	s->v[s->n++] = name;
	return ATTR_GRAPH_OK;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sort and remove duplicates. */
static void names_seal(struct names *s)
{
	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof *s->v, cmp_name);
	size_t k = 1;
	for (size_t i = 1; i < s->n; i++)
		if (strcmp(s->v[i], s->v[k - 1]) != 0)
			s->v[k++] = s->v[i];
	s->n = k;
}

/* The index of name in the sealed set s (which holds it). */
static uint32_t names_find(const struct names *s, const char *name)
{
	const char **p = bsearch(&name, s->v, s->n, sizeof *s->v, cmp_name);
	return (uint32_t)(p - s->v);
}

static bool name_ok(const char *s)
{
	return s && *s;
}

/* A list of (from, to, weight) edges, merged into b by edges_seal. */
struct edge {
	uint32_t from, to;
	double w;
};

struct edges {
	struct edge *v;
	size_t n, cap;
};

static int edges_add(struct edges *l, uint32_t from, uint32_t to, double w)
{
	void *v = l->v;
	int rc = grow(&v, l->n, &l->cap, sizeof *l->v);
	l->v = v;
	if (rc != ATTR_GRAPH_OK)
		return rc;
	l->v[l->n++] = (struct edge){from, to, w};
	return ATTR_GRAPH_OK;
}

static int cmp_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return (x->w > y->w) - (x->w < y->w);
}

/* Sort l, merge parallel edges (summing in ascending weight order), drop
 * zero weights and store the result in b. */
static int edges_seal(struct edges *l, struct attr_graph_built *b)
{
	if (l->n > UINT32_MAX)
		return ATTR_GRAPH_ERANGE;
	if (l->n)
		qsort(l->v, l->n, sizeof *l->v, cmp_edge);
	size_t k = 0;
	for (size_t i = 0; i < l->n;) {
		size_t j = i;
		double w = 0;
		for (; j < l->n && l->v[j].from == l->v[i].from && l->v[j].to == l->v[i].to; j++)
			w += l->v[j].w;
		if (w > 0)
			l->v[k++] = (struct edge){l->v[i].from, l->v[i].to, w};
		i = j;
	}
	b->nedges = k;
	b->from = malloc((k ? k : 1) * sizeof *b->from);
	b->to = malloc((k ? k : 1) * sizeof *b->to);
	b->weight = malloc((k ? k : 1) * sizeof *b->weight);
	if (!b->from || !b->to || !b->weight)
		return ATTR_GRAPH_ENOMEM;
	for (size_t e = 0; e < k; e++) {
		b->from[e] = l->v[e].from;
		b->to[e] = l->v[e].to;
		b->weight[e] = l->v[e].w;
	}
	return ATTR_GRAPH_OK;
}

/* Give b its nodes: the names of a (projects, when `projects`) then of p. */
static int nodes_alloc(struct attr_graph_built *b, const struct names *a, const struct names *p, bool projects)
{
	size_t n = a->n + p->n;
	if (n > UINT32_MAX)
		return ATTR_GRAPH_ERANGE;
	b->nnodes = n;
	b->nprojects = projects ? a->n : 0;
	b->names = calloc(n ? n : 1, sizeof *b->names);
	b->is_project = calloc(n ? n : 1, sizeof *b->is_project);
	b->seed = calloc(n ? n : 1, sizeof *b->seed);
	if (!b->names || !b->is_project || !b->seed)
		return ATTR_GRAPH_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *s = i < a->n ? a->v[i] : p->v[i - a->n];
		if (!(b->names[i] = strdup(s)))
			return ATTR_GRAPH_ENOMEM;
		b->is_project[i] = projects && i < a->n;
	}
	return ATTR_GRAPH_OK;
}

/* Collect and check the names of the contributions and revenue rows. */
static int contrib_names(struct names *proj, struct names *people, const struct attr_graph_contrib *c, size_t nc,
			 const struct attr_graph_revenue *rev, size_t nrev, size_t *bad)
{
	for (size_t i = 0; i < nc; i++) {
		if (!name_ok(c[i].project) || !name_ok(c[i].contributor))
			return set_bad(bad, i), ATTR_GRAPH_ENAME;
		if (!weight_ok(c[i].weight))
			return set_bad(bad, i), ATTR_GRAPH_EWEIGHT;
		if (names_add(proj, c[i].project) || names_add(people, c[i].contributor))
			return ATTR_GRAPH_ENOMEM;
		if (c[i].responds && name_ok(c[i].target) && names_add(people, c[i].target))
			return ATTR_GRAPH_ENOMEM;
	}
	for (size_t i = 0; i < nrev; i++) {
		if (!name_ok(rev[i].project))
			return set_bad(bad, nc + i), ATTR_GRAPH_ENAME;
		if (names_add(proj, rev[i].project))
			return ATTR_GRAPH_ENOMEM;
	}
	names_seal(proj);
	names_seal(people);
	return ATTR_GRAPH_OK;
}

static int contrib_edges(struct edges *l, const struct names *proj, const struct names *people,
			 const struct attr_graph_contrib *c, size_t nc)
{
	uint32_t off = (uint32_t)proj->n;
	for (size_t i = 0; i < nc; i++) {
		uint32_t p = names_find(proj, c[i].project), who = off + names_find(people, c[i].contributor);
		if (edges_add(l, p, who, c[i].weight))
			return ATTR_GRAPH_ENOMEM;
		if (c[i].responds && name_ok(c[i].target) && strcmp(c[i].target, c[i].contributor) != 0 &&
		    edges_add(l, who, off + names_find(people, c[i].target), c[i].weight))
			return ATTR_GRAPH_ENOMEM;
	}
	return ATTR_GRAPH_OK;
}

/* The seed of the projects: revenue over the total, or uniform. */
static int revenue_seed(struct attr_graph_built *b, const struct names *proj, const struct attr_graph_revenue *rev,
			size_t nrev, size_t nc, size_t *bad)
{
	size_t np = proj->n;
	if (nrev == 0) {
		for (size_t i = 0; i < np; i++)
			b->seed[i] = 1.0 / (double)np;
		return ATTR_GRAPH_OK;
	}
	int64_t *sum = calloc(np, sizeof *sum);
	size_t *first = malloc(np * sizeof *first);
	int rc = ATTR_GRAPH_ENOMEM;
	if (!sum || !first)
		goto out;
	for (size_t i = 0; i < np; i++)
		first[i] = SIZE_MAX;
	for (size_t i = 0; i < nrev; i++) {
		uint32_t p = names_find(proj, rev[i].project);
		if (first[p] == SIZE_MAX)
			first[p] = i;
		if (__builtin_add_overflow(sum[p], rev[i].amount, &sum[p])) {
			rc = ATTR_GRAPH_ERANGE;
			set_bad(bad, nc + i);
			goto out;
		}
	}
	double total = 0;
	for (size_t i = 0; i < np; i++) {
		if (sum[i] < 0) {
			rc = ATTR_GRAPH_ESEED;
			set_bad(bad, nc + first[i]);
			goto out;
		}
		total += (double)sum[i];
	}
	rc = ATTR_GRAPH_ESEED;
	if (!(total > 0)) {
		set_bad(bad, SIZE_MAX);
		goto out;
	}
	for (size_t i = 0; i < np; i++)
		b->seed[i] = (double)sum[i] / total;
	rc = ATTR_GRAPH_OK;
out:
	free(sum);
	free(first);
	return rc;
}

int attr_graph_from_contribs(struct attr_graph_built *b, const struct attr_graph_contrib *c, size_t ncontribs,
			     const struct attr_graph_revenue *rev, size_t nrev, size_t *bad)
{
	struct names proj = {0}, people = {0};
	struct edges l = {0};
	memset(b, 0, sizeof *b);
	int rc = contrib_names(&proj, &people, c, ncontribs, rev, nrev, bad);
	if (rc == ATTR_GRAPH_OK && proj.n == 0)
		rc = ATTR_GRAPH_EEMPTY;
	if (rc == ATTR_GRAPH_OK)
		rc = nodes_alloc(b, &proj, &people, true);
	if (rc == ATTR_GRAPH_OK)
		rc = contrib_edges(&l, &proj, &people, c, ncontribs);
	if (rc == ATTR_GRAPH_OK)
		rc = edges_seal(&l, b);
	if (rc == ATTR_GRAPH_OK)
		rc = revenue_seed(b, &proj, rev, nrev, ncontribs, bad);
	free(proj.v);
	free(people.v);
	free(l.v);
	if (rc != ATTR_GRAPH_OK)
		attr_graph_built_free(b);
	return rc;
}

/* Collect and check the names of named edges and seed entries. */
static int named_names(struct names *all, const struct attr_graph_edge_in *e, size_t ne,
		       const struct attr_graph_seed_in *s, size_t ns, size_t *bad)
{
	for (size_t i = 0; i < ne; i++) {
		if (!name_ok(e[i].from) || !name_ok(e[i].to))
			return set_bad(bad, i), ATTR_GRAPH_ENAME;
		if (!weight_ok(e[i].weight))
			return set_bad(bad, i), ATTR_GRAPH_EWEIGHT;
		if (names_add(all, e[i].from) || names_add(all, e[i].to))
			return ATTR_GRAPH_ENOMEM;
	}
	for (size_t i = 0; i < ns; i++) {
		if (!name_ok(s[i].node))
			return set_bad(bad, ne + i), ATTR_GRAPH_ENAME;
		if (!weight_ok(s[i].weight))
			return set_bad(bad, ne + i), ATTR_GRAPH_ESEED;
		if (names_add(all, s[i].node))
			return ATTR_GRAPH_ENOMEM;
	}
	names_seal(all);
	return ATTR_GRAPH_OK;
}

/* The seed per node, entries of one node summed in ascending order. */
static int named_seed(struct attr_graph_built *b, const struct names *all, const struct attr_graph_seed_in *s,
		      size_t ns, size_t *bad)
{
	struct edges l = {0}; /* (node, 0, weight): sorted like edges */
	int rc = ATTR_GRAPH_OK;
	for (size_t i = 0; i < ns && rc == ATTR_GRAPH_OK; i++)
		rc = edges_add(&l, names_find(all, s[i].node), 0, s[i].weight);
	if (rc == ATTR_GRAPH_OK && l.n)
		qsort(l.v, l.n, sizeof *l.v, cmp_edge);
	double total = 0;
	for (size_t i = 0; rc == ATTR_GRAPH_OK && i < l.n; i++) {
		b->seed[l.v[i].from] += l.v[i].w;
		total += l.v[i].w;
	}
	free(l.v);
	if (rc != ATTR_GRAPH_OK)
		return rc;
	if (!(total > 0) || !isfinite(total))
		return set_bad(bad, SIZE_MAX), ATTR_GRAPH_ESEED;
	total = 0;
	for (size_t v = 0; v < b->nnodes; v++)
		total += b->seed[v];
	for (size_t v = 0; v < b->nnodes; v++)
		b->seed[v] /= total;
	return ATTR_GRAPH_OK;
}

int attr_graph_from_named(struct attr_graph_built *b, const struct attr_graph_edge_in *e, size_t nedges,
			  const struct attr_graph_seed_in *s, size_t nseed, size_t *bad)
{
	struct names all = {0}, none = {0};
	struct edges l = {0};
	memset(b, 0, sizeof *b);
	int rc = named_names(&all, e, nedges, s, nseed, bad);
	if (rc == ATTR_GRAPH_OK && all.n == 0)
		rc = ATTR_GRAPH_EEMPTY;
	if (rc == ATTR_GRAPH_OK)
		rc = nodes_alloc(b, &all, &none, false);
	for (size_t i = 0; i < nedges && rc == ATTR_GRAPH_OK; i++)
		rc = edges_add(&l, names_find(&all, e[i].from), names_find(&all, e[i].to), e[i].weight);
	if (rc == ATTR_GRAPH_OK)
		rc = edges_seal(&l, b);
	if (rc == ATTR_GRAPH_OK)
		rc = named_seed(b, &all, s, nseed, bad);
	free(all.v);
	free(l.v);
	if (rc != ATTR_GRAPH_OK)
		attr_graph_built_free(b);
	return rc;
}
