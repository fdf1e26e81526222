/* attribute_graph.c - personalised PageRank by power iteration over edges
 * sorted by head, and the builders of named graphs (attribute_graph.h). */
#include "attribute_graph.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "keyindex.h"

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
static double run_sum(const double *weight, const uint32_t *idx, size_t len, double *buf)
{
	if (len == 1)
		return weight[idx[0]];
	for (size_t i = 0; i < len; i++)
		buf[i] = weight[idx[i]];
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
		double w = run_sum(g->weight, a + i, j - i, buf);
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

/* The distinct names of a graph's nodes, interned by keyindex.h, given
 * each new name the next id; node_names_seal sorts them and maps each id
 * to its rank in name order, so the graph does not depend on row order. */
struct node_names {
	struct names ix;     /* the names by id */
	const char **sorted; /* after node_names_seal: the names by rank */
	uint32_t *rank;      /* after node_names_seal: id -> rank */
	size_t n;            /* names held (ix.n) */
};

/* Add name if new; *id gets its id. */
static int node_names_add(struct node_names *s, const char *name, uint32_t *id)
{
	if (names_intern(&s->ix, name, strlen(name), id) < 0)
		return ATTR_GRAPH_ENOMEM;
	s->n = s->ix.n;
	return ATTR_GRAPH_OK;
}

/* A name and its id, as node_names_seal sorts them. */
struct named_id {
	const char *name;
	uint32_t id;
};

static int cmp_named_id(const void *a, const void *b)
{
	return strcmp(((const struct named_id *)a)->name, ((const struct named_id *)b)->name);
}

/* Sort the names and fill rank and sorted. */
static int node_names_seal(struct node_names *s)
{
	struct named_id *t = malloc((s->n ? s->n : 1) * sizeof *t);
	s->rank = malloc((s->n ? s->n : 1) * sizeof *s->rank);
	s->sorted = malloc((s->n ? s->n : 1) * sizeof *s->sorted);
	if (!t || !s->rank || !s->sorted) {
		free(t);
		return ATTR_GRAPH_ENOMEM;
	}
	for (size_t k = 0; k < s->n; k++)
		t[k] = (struct named_id){s->ix.s[k], (uint32_t)k};
	if (s->n)
		qsort(t, s->n, sizeof *t, cmp_named_id);
	for (size_t k = 0; k < s->n; k++) {
		s->sorted[k] = t[k].name;
		s->rank[t[k].id] = (uint32_t)k;
	}
	free(t);
	return ATTR_GRAPH_OK;
}

static void node_names_free(struct node_names *s)
{
	names_free(&s->ix);
	free(s->sorted);
	free(s->rank);
}

static bool name_ok(const char *s)
{
	return s && *s;
}

/* Edges as three arrays of a known capacity. */
struct elist {
	uint32_t *from, *to;
	double *w;
	size_t n;
};

static int elist_alloc(struct elist *l, size_t cap)
{
	l->n = 0;
	l->from = malloc((cap ? cap : 1) * sizeof *l->from);
	l->to = malloc((cap ? cap : 1) * sizeof *l->to);
	l->w = malloc((cap ? cap : 1) * sizeof *l->w);
	return l->from && l->to && l->w ? ATTR_GRAPH_OK : ATTR_GRAPH_ENOMEM;
}

static void elist_free(struct elist *l)
{
	free(l->from);
	free(l->to);
	free(l->w);
}

static void elist_add(struct elist *l, uint32_t from, uint32_t to, double w)
{
	l->from[l->n] = from;
	l->to[l->n] = to;
	l->w[l->n++] = w;
}

/* Sort l by (from, to) over nodes 0..n-1, merge parallel edges (their
 * weights summed in ascending order, so the input order does not matter)
 * and leave out zero weights, into *out (allocated here). */
static int elist_merge(const struct elist *l, size_t n, struct elist *out)
{
	size_t m = l->n;
	uint32_t *a = malloc((m ? m : 1) * sizeof *a), *b = malloc((m ? m : 1) * sizeof *b);
	uint32_t *count = malloc((n + 1) * sizeof *count);
	double *buf = malloc((m ? m : 1) * sizeof *buf);
	int rc = elist_alloc(out, m);
	if (!a || !b || !count || !buf)
		rc = ATTR_GRAPH_ENOMEM;
	if (rc == ATTR_GRAPH_OK) {
		for (size_t i = 0; i < m; i++)
			a[i] = (uint32_t)i;
		counting_sort(a, b, m, l->to, n, count);
		counting_sort(b, a, m, l->from, n, count); /* by (from, to) */
		for (size_t i = 0; i < m;) {
			size_t j = i + 1;
			while (j < m && l->from[a[j]] == l->from[a[i]] && l->to[a[j]] == l->to[a[i]])
				j++;
			double w = run_sum(l->w, a + i, j - i, buf);
			if (w > 0)
				elist_add(out, l->from[a[i]], l->to[a[i]], w);
			i = j;
		}
	}
	free(a);
	free(b);
	free(count);
	free(buf);
	return rc;
}

/* Give b its nodes: the names of a (projects, when `projects`) then of p. */
static int nodes_alloc(struct attr_graph_built *b, const struct node_names *a, const struct node_names *p, bool projects)
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
		const char *s = i < a->n ? a->sorted[i] : p->sorted[i - a->n];
		if (!(b->names[i] = strdup(s)))
			return ATTR_GRAPH_ENOMEM;
		b->is_project[i] = projects && i < a->n;
	}
	return ATTR_GRAPH_OK;
}

/* Merge l into b's edges. */
static int edges_to_built(const struct elist *l, struct attr_graph_built *b)
{
	struct elist out;
	int rc = elist_merge(l, b->nnodes, &out);
	b->from = out.from;
	b->to = out.to;
	b->weight = out.w;
	b->nedges = out.n;
	return rc;
}

/* Row ids of the contribution graph's inputs before the names are sorted. */
struct contrib_ids {
	uint32_t *project, *contributor, *target; /* per contribution; target UINT32_MAX: none */
	uint32_t *rev;                            /* per revenue row */
};

static void contrib_ids_free(struct contrib_ids *ids)
{
	free(ids->project);
	free(ids->contributor);
	free(ids->target);
	free(ids->rev);
}

/* Check one contribution and intern its names. */
static int contrib_name(struct node_names *proj, struct node_names *people, const struct attr_graph_contrib *c,
			struct contrib_ids *ids, size_t i)
{
	if (!name_ok(c->project) || !name_ok(c->contributor))
		return ATTR_GRAPH_ENAME;
	if (!weight_ok(c->weight))
		return ATTR_GRAPH_EWEIGHT;
	int rc = node_names_add(proj, c->project, &ids->project[i]);
	if (rc == ATTR_GRAPH_OK)
		rc = node_names_add(people, c->contributor, &ids->contributor[i]);
	ids->target[i] = UINT32_MAX;
	if (rc == ATTR_GRAPH_OK && c->responds && name_ok(c->target) && strcmp(c->target, c->contributor) != 0)
		rc = node_names_add(people, c->target, &ids->target[i]);
	return rc;
}

/* Collect and check the names of the contributions and revenue rows. */
static int contrib_names(struct node_names *proj, struct node_names *people, const struct attr_graph_contrib *c, size_t nc,
			 const struct attr_graph_revenue *rev, size_t nrev, struct contrib_ids *ids, size_t *bad)
{
	ids->project = malloc((nc ? nc : 1) * sizeof *ids->project);
	ids->contributor = malloc((nc ? nc : 1) * sizeof *ids->contributor);
	ids->target = malloc((nc ? nc : 1) * sizeof *ids->target);
	ids->rev = malloc((nrev ? nrev : 1) * sizeof *ids->rev);
	if (!ids->project || !ids->contributor || !ids->target || !ids->rev)
		return ATTR_GRAPH_ENOMEM;
	for (size_t i = 0; i < nc; i++) {
		int rc = contrib_name(proj, people, &c[i], ids, i);
		if (rc != ATTR_GRAPH_OK)
			return rc == ATTR_GRAPH_ENOMEM ? rc : (set_bad(bad, i), rc);
	}
	for (size_t i = 0; i < nrev; i++) {
		if (!name_ok(rev[i].project))
			return set_bad(bad, nc + i), ATTR_GRAPH_ENAME;
		int rc = node_names_add(proj, rev[i].project, &ids->rev[i]);
		if (rc != ATTR_GRAPH_OK)
			return rc;
	}
	int rc = node_names_seal(proj);
	return rc == ATTR_GRAPH_OK ? node_names_seal(people) : rc;
}

static int contrib_edges(struct attr_graph_built *b, const struct node_names *proj, const struct node_names *people,
			 const struct attr_graph_contrib *c, size_t nc, const struct contrib_ids *ids)
{
	struct elist l;
	uint32_t off = (uint32_t)proj->n;
	int rc = elist_alloc(&l, 2 * nc);
	for (size_t i = 0; rc == ATTR_GRAPH_OK && i < nc; i++) {
		uint32_t who = off + people->rank[ids->contributor[i]];
		elist_add(&l, proj->rank[ids->project[i]], who, c[i].weight);
		if (ids->target[i] != UINT32_MAX)
			elist_add(&l, who, off + people->rank[ids->target[i]], c[i].weight);
	}
	if (rc == ATTR_GRAPH_OK)
		rc = edges_to_built(&l, b);
	elist_free(&l);
	return rc;
}

/* The seed of the projects: revenue over the total, or uniform. */
static int revenue_seed(struct attr_graph_built *b, const struct node_names *proj, const struct attr_graph_revenue *rev,
			size_t nrev, const struct contrib_ids *ids, size_t nc, size_t *bad)
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
		uint32_t p = proj->rank[ids->rev[i]];
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
	struct node_names proj = {0}, people = {0};
	struct contrib_ids ids = {0};
	memset(b, 0, sizeof *b);
	int rc = contrib_names(&proj, &people, c, ncontribs, rev, nrev, &ids, bad);
	if (rc == ATTR_GRAPH_OK && proj.n == 0)
		rc = ATTR_GRAPH_EEMPTY;
	if (rc == ATTR_GRAPH_OK)
		rc = nodes_alloc(b, &proj, &people, true);
	if (rc == ATTR_GRAPH_OK)
		rc = contrib_edges(b, &proj, &people, c, ncontribs, &ids);
	if (rc == ATTR_GRAPH_OK)
		rc = revenue_seed(b, &proj, rev, nrev, &ids, ncontribs, bad);
	node_names_free(&proj);
	node_names_free(&people);
	contrib_ids_free(&ids);
	if (rc != ATTR_GRAPH_OK)
		attr_graph_built_free(b);
	return rc;
}

/* Check named edges and seed entries, intern their names, and list the
 * edges (from, to) and the seed entries (node, 0) by name id. */
static int named_names(struct node_names *all, const struct attr_graph_edge_in *e, size_t ne,
		       const struct attr_graph_seed_in *s, size_t ns, struct elist *edges, struct elist *seed,
		       size_t *bad)
{
	int rc = elist_alloc(edges, ne);
	if (rc == ATTR_GRAPH_OK)
		rc = elist_alloc(seed, ns);
	for (size_t i = 0; rc == ATTR_GRAPH_OK && i < ne; i++) {
		uint32_t from, to;
		if (!name_ok(e[i].from) || !name_ok(e[i].to))
			return set_bad(bad, i), ATTR_GRAPH_ENAME;
		if (!weight_ok(e[i].weight))
			return set_bad(bad, i), ATTR_GRAPH_EWEIGHT;
		rc = node_names_add(all, e[i].from, &from);
		if (rc == ATTR_GRAPH_OK)
			rc = node_names_add(all, e[i].to, &to);
		if (rc == ATTR_GRAPH_OK)
			elist_add(edges, from, to, e[i].weight);
	}
	for (size_t i = 0; rc == ATTR_GRAPH_OK && i < ns; i++) {
		uint32_t node;
		if (!name_ok(s[i].node))
			return set_bad(bad, ne + i), ATTR_GRAPH_ENAME;
		if (!weight_ok(s[i].weight))
			return set_bad(bad, ne + i), ATTR_GRAPH_ESEED;
		rc = node_names_add(all, s[i].node, &node);
		if (rc == ATTR_GRAPH_OK)
			elist_add(seed, node, 0, s[i].weight);
	}
	if (rc == ATTR_GRAPH_OK)
		rc = node_names_seal(all);
	for (size_t i = 0; rc == ATTR_GRAPH_OK && i < edges->n; i++) {
		edges->from[i] = all->rank[edges->from[i]];
		edges->to[i] = all->rank[edges->to[i]];
	}
	for (size_t i = 0; rc == ATTR_GRAPH_OK && i < seed->n; i++)
		seed->from[i] = all->rank[seed->from[i]];
	return rc;
}

/* The seed per node: entries of one node merged like parallel edges. */
static int named_seed(struct attr_graph_built *b, const struct elist *seed, size_t *bad)
{
	struct elist m;
	int rc = elist_merge(seed, b->nnodes, &m);
	double total = 0;
	for (size_t i = 0; rc == ATTR_GRAPH_OK && i < m.n; i++) {
		b->seed[m.from[i]] = m.w[i];
		total += m.w[i];
	}
	elist_free(&m);
	if (rc != ATTR_GRAPH_OK)
		return rc;
	if (!(total > 0) || !isfinite(total))
		return set_bad(bad, SIZE_MAX), ATTR_GRAPH_ESEED;
	for (size_t v = 0; v < b->nnodes; v++)
		b->seed[v] /= total;
	return ATTR_GRAPH_OK;
}

int attr_graph_from_named(struct attr_graph_built *b, const struct attr_graph_edge_in *e, size_t nedges,
			  const struct attr_graph_seed_in *s, size_t nseed, size_t *bad)
{
	struct node_names all = {0}, none = {0};
	struct elist edges = {0}, seed = {0};
	memset(b, 0, sizeof *b);
	int rc = named_names(&all, e, nedges, s, nseed, &edges, &seed, bad);
	if (rc == ATTR_GRAPH_OK && all.n == 0)
		rc = ATTR_GRAPH_EEMPTY;
	if (rc == ATTR_GRAPH_OK)
		rc = nodes_alloc(b, &all, &none, false);
	if (rc == ATTR_GRAPH_OK)
		rc = edges_to_built(&edges, b);
	if (rc == ATTR_GRAPH_OK)
		rc = named_seed(b, &seed, bad);
	node_names_free(&all);
	elist_free(&edges);
	elist_free(&seed);
	if (rc != ATTR_GRAPH_OK)
		attr_graph_built_free(b);
	return rc;
}
