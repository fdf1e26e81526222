/* attribute_markov.c - removal effects from the absorbing Markov chain of
 * touch paths, by one Gauss-Jordan inversion of I - Q (attribute_markov.h). */
#include "attribute_markov.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const char *attr_markov_strerror(int status)
{
	switch (status) {
	case ATTR_MARKOV_OK: return "success";
	case ATTR_MARKOV_EPATH: return "a path has no touches";
	case ATTR_MARKOV_EPLAYER: return "a path touches an unknown player";
	case ATTR_MARKOV_EVALUE: return "conversions, nulls or value negative or not a finite number";
	case ATTR_MARKOV_ENOCONV: return "no path converts: there is nothing to attribute";
	case ATTR_MARKOV_ESINGULAR: return "the chain's linear system is singular";
	case ATTR_MARKOV_ENOMEM: return "out of memory";
	case ATTR_MARKOV_ESIZE: return "the paths touch too many players for the markov method (at most 1000)";
	}
	return "unknown status";
}

/* A transition count between chain states. */
struct trans {
	uint32_t from, to;
	double w;
};

static int cmp_trans(const void *a, const void *b)
{
	const struct trans *x = a, *y = b;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return (x->w > y->w) - (x->w < y->w);
}

/* The chain: k player states (players in ascending id), then start; the
 * absorbing conversion and null come after. */
struct chain {
	size_t k;          /* player states */
	uint32_t *state;   /* player id -> state, UINT32_MAX when untouched */
	double *a;         /* (k+1)^2, row-major: I - Q */
	double *r;         /* k+1: one-step conversion probability */
};

#define START(c) ((uint32_t)(c)->k)
#define CONV(c) ((uint32_t)(c)->k + 1)
#define NUL(c) ((uint32_t)(c)->k + 2)

static double weight(const struct attr_path *p)
{
	return p->conversions + p->nulls;
}

/* Number the players that some weighted path touches. */
static int chain_states(struct chain *c, const struct attr_path *paths, size_t np, size_t nplayers)
{
	c->state = malloc((nplayers ? nplayers : 1) * sizeof *c->state);
	if (!c->state)
		return ATTR_MARKOV_ENOMEM;
	for (size_t i = 0; i < nplayers; i++)
		c->state[i] = 0;
	for (size_t i = 0; i < np; i++)
		if (weight(&paths[i]) > 0)
			for (size_t j = 0; j < paths[i].ntouch; j++)
				c->state[paths[i].touch[j]] = 1;
	c->k = 0;
	for (size_t i = 0; i < nplayers; i++)
		c->state[i] = c->state[i] ? (uint32_t)c->k++ : UINT32_MAX;
	return ATTR_MARKOV_OK;
}

/* The transitions of every weighted path, unsorted. */
static struct trans *chain_transitions(const struct chain *c, const struct attr_path *paths, size_t np,
				       size_t total, size_t *nt)
{
	struct trans *t = malloc((total + 2 * np + 1) * sizeof *t);
	if (!t)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < np; i++) {
		const struct attr_path *p = &paths[i];
		double w = weight(p);
		if (!(w > 0))
			continue;
		uint32_t prev = START(c);
		for (size_t j = 0; j < p->ntouch; j++) {
			uint32_t s = c->state[p->touch[j]];
			t[n++] = (struct trans){prev, s, w};
			prev = s;
		}
		if (p->conversions > 0)
			t[n++] = (struct trans){prev, CONV(c), p->conversions};
		if (p->nulls > 0)
			t[n++] = (struct trans){prev, NUL(c), p->nulls};
	}
	*nt = n;
	return t;
}

/* Sum the sorted transitions into I - Q and r, row by row. */
static void chain_matrix(struct chain *c, const struct trans *t, size_t nt)
{
	size_t m = c->k + 1;
	for (size_t i = 0; i < m; i++)
		c->a[i * m + i] = 1;
	for (size_t i = 0; i < nt;) {
		uint32_t from = t[i].from;
		size_t j = i;
		double row = 0;
		for (; j < nt && t[j].from == from; j++)
			row += t[j].w;
		for (size_t e = i; e < j;) {
			uint32_t to = t[e].to;
			double w = 0;
			for (; e < j && t[e].to == to; e++)
				w += t[e].w;
			if (to == CONV(c))
				c->r[from] = w / row;
			else if (to < m)
				c->a[from * m + to] -= w / row;
		}
		i = j;
	}
}

/* Invert the m x m matrix a in place into inv (Gauss-Jordan, partial
 * pivoting); a is destroyed.  Returns false when a pivot vanishes. */
static bool invert(double *a, double *inv, size_t m)
{
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < m; j++)
			inv[i * m + j] = i == j;
	for (size_t col = 0; col < m; col++) {
		size_t piv = col;
		for (size_t i = col + 1; i < m; i++)
			if (fabs(a[i * m + col]) > fabs(a[piv * m + col]))
				piv = i;
		if (!(fabs(a[piv * m + col]) > 1e-300))
			return false;
		if (piv != col)
			for (size_t j = 0; j < m; j++) {
				double t = a[col * m + j];
				a[col * m + j] = a[piv * m + j];
				a[piv * m + j] = t;
				t = inv[col * m + j];
				inv[col * m + j] = inv[piv * m + j];
				inv[piv * m + j] = t;
			}
		double p = a[col * m + col];
		for (size_t j = col; j < m; j++) /* columns before col are 0 already */
			a[col * m + j] /= p;
		for (size_t j = 0; j < m; j++)
			inv[col * m + j] /= p;
		for (size_t i = 0; i < m; i++) {
			double f = a[i * m + col];
			if (i == col || f == 0)
				continue;
			for (size_t j = col; j < m; j++)
				a[i * m + j] -= f * a[col * m + j];
			for (size_t j = 0; j < m; j++)
				inv[i * m + j] -= f * inv[col * m + j];
		}
	}
	return true;
}

/* Removal effects from N = (I - Q)^-1: x = N r, RE_i = h_i x_i / P with
 * h_i = N[start][i] / N[i][i]. */
static int removal_effects(const struct chain *c, const double *inv, size_t nplayers, double *removal,
			   double *share, double *prob)
{
	size_t m = c->k + 1, s = c->k;
	double *x = calloc(m, sizeof *x);
	if (!x)
		return ATTR_MARKOV_ENOMEM;
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < m; j++)
			x[i] += inv[i * m + j] * c->r[j];
	double P = x[s], sum = 0;
	*prob = P;
	int rc = ATTR_MARKOV_ENOCONV;
	if (!(P > 0))
		goto out;
	for (size_t i = 0; i < nplayers; i++) {
		uint32_t st = c->state[i];
		double re = 0;
		if (st != UINT32_MAX)
			re = inv[s * m + st] / inv[(size_t)st * m + st] * x[st] / P;
		re = re > 0 ? (re < 1 ? re : 1) : 0;
		if (removal)
			removal[i] = re;
		share[i] = re;
		sum += re;
	}
	if (!(sum > 0))
		goto out;
	for (size_t i = 0; i < nplayers; i++)
		share[i] /= sum;
	rc = ATTR_MARKOV_OK;
out:
	free(x);
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The sum of v[0..n) in ascending order (v is sorted in place). */
static double sorted_sum(double *v, size_t n)
{
	double s = 0;
	if (n)
		qsort(v, n, sizeof *v, cmp_double);
	for (size_t i = 0; i < n; i++)
		s += v[i];
	return s;
}

/* Total conversions and value, summed in an order the paths' order does
 * not change. */
static int totals(const struct attr_path *paths, size_t np, struct attr_markov_result *res)
{
	double *v = malloc((np ? np : 1) * sizeof *v);
	if (!v)
		return ATTR_MARKOV_ENOMEM;
	for (size_t i = 0; i < np; i++)
		v[i] = paths[i].conversions;
	res->conversions = sorted_sum(v, np);
	for (size_t i = 0; i < np; i++)
		v[i] = paths[i].value;
	res->value = sorted_sum(v, np);
	free(v);
	return ATTR_MARKOV_OK;
}

int attr_markov(const struct attr_path *paths, size_t npaths, size_t nplayers, double *removal, double *share,
		struct attr_markov_result *res, size_t *bad)
{
	size_t total;
	int rc = attr_paths_check(paths, npaths, nplayers, &total, bad);
	if (rc != ATTR_SHAPLEY_OK)
		return rc; /* the path statuses are the same numbers */
	struct chain c = {0};
	struct trans *t = NULL;
	double *inv = NULL, prob = 0;
	size_t nt = 0;
	rc = chain_states(&c, paths, npaths, nplayers);
	if (rc != ATTR_MARKOV_OK)
		goto out;
	rc = ATTR_MARKOV_ESIZE;
	if (c.k > ATTR_MARKOV_MAX_PLAYERS)
		goto out;
	rc = ATTR_MARKOV_ENOMEM;
	size_t m = c.k + 1;
	t = chain_transitions(&c, paths, npaths, total, &nt);
	c.a = calloc(m * m, sizeof *c.a);
	c.r = calloc(m, sizeof *c.r);
	inv = malloc(m * m * sizeof *inv);
	if (!t || !c.a || !c.r || !inv)
		goto out;
	if (nt)
		qsort(t, nt, sizeof *t, cmp_trans);
	chain_matrix(&c, t, nt);
	rc = ATTR_MARKOV_ESINGULAR;
	if (!invert(c.a, inv, m))
		goto out;
	rc = removal_effects(&c, inv, nplayers, removal, share, &prob);
	if (rc == ATTR_MARKOV_OK && res) {
		res->conversion_prob = prob;
		rc = totals(paths, npaths, res);
	}
out:
	free(c.state);
	free(c.a);
	free(c.r);
	free(t);
	free(inv);
	return rc;
}
