/* attribute_graph - the graph benchmark's generator and subject
 * (scripts/bench-attribute-graph).  Built only for `make bench`.
 *
 *   attribute_graph gen NODES EDGES PROJECTS EDGES.tsv SEED.tsv
 *       writes a random graph: EDGES distinct edges `from to weight`
 *       (nodes n0..n{NODES-1}, weights 1..10, heads skewed toward low
 *       numbers, the last 5% of the nodes without out-edges, so dangling)
 *       and a seed `node weight` on the first PROJECTS nodes (1..1000),
 *       both from a fixed-seed xorshift and in shuffled order;
 *   attribute_graph run EDGES.tsv SEED.tsv SCORES.tsv
 *       reads them, times attr_graph_from_named (names to a graph) and
 *       attr_pagerank on it (damping 0.85, L1 change < 1e-12), writes
 *       `node score` (%.17g) in node order and prints on stdout
 *       "build SECONDS pagerank SECONDS iterations N nodes N edges N". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attribute_graph.h"

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void die(const char *what)
{
	fprintf(stderr, "attribute_graph: %s\n", what);
	exit(1);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* m distinct (from << 32 | to) keys, in random order. */
static uint64_t *distinct_edges(size_t n, size_t m)
{
	uint64_t *k = malloc(2 * m * sizeof *k);
	size_t have = 0, givers = n - n / 20;
	if (!k)
		die("out of memory");
	while (have < m) {
		while (have < 2 * m) {
			uint64_t u = next() % givers;
			double r = (double)(next() >> 11) / 9007199254740992.0;
			uint64_t v = (uint64_t)(r * r * (double)n);
			k[have++] = u << 32 | v;
		}
		qsort(k, have, sizeof *k, cmp_u64);
		size_t j = 0;
		for (size_t i = 0; i < have; i++)
			if (j == 0 || k[i] != k[j - 1])
				k[j++] = k[i];
		have = j;
	}
	for (size_t i = have - 1; i > 0; i--) {
		size_t j = (size_t)(next() % (i + 1));
		uint64_t t = k[i];
		k[i] = k[j];
		k[j] = t;
	}
	return k;
}

static int gen(size_t n, size_t m, size_t projects, const char *edges, const char *seed)
{
	uint64_t *k = distinct_edges(n, m);
	FILE *f = fopen(edges, "w");
	if (!f)
		die(edges);
	fputs("from\tto\tweight\n", f);
	for (size_t i = 0; i < m; i++)
		fprintf(f, "n%u\tn%u\t%u\n", (unsigned)(k[i] >> 32), (unsigned)(k[i] & 0xffffffffu),
			(unsigned)(1 + next() % 10));
	if (fclose(f))
		die(edges);
	f = fopen(seed, "w");
	if (!f)
		die(seed);
	fputs("node\tweight\n", f);
	for (size_t i = projects; i-- > 0;)
		fprintf(f, "n%zu\t%u\n", i, (unsigned)(1 + next() % 1000));
	/* every node appears in the seed file, so isolated ones exist too */
	for (size_t i = projects; i < n; i++)
		fprintf(f, "n%zu\t0\n", i);
	if (fclose(f))
		die(seed);
	free(k);
	return 0;
}

/* The lines of a file after its header, split at tabs in place. */
struct table {
	char *text;
	char **f;      /* nrows * ncols fields */
	size_t nrows, ncols;
};

static void load(struct table *t, const char *path, size_t ncols)
{
	FILE *f = fopen(path, "r");
	if (!f)
		die(path);
	size_t cap = 0;
	ssize_t len = getdelim(&t->text, &cap, '\0', f);
	fclose(f);
	if (len < 0)
		die(path);
	size_t lines = 0;
	for (ssize_t i = 0; i < len; i++)
		lines += t->text[i] == '\n';
	t->f = malloc((lines + 1) * ncols * sizeof *t->f);
	t->ncols = ncols;
	t->nrows = 0;
	char *p = strchr(t->text, '\n');
	if (!p || !t->f)
		die(path);
	for (p++; *p;) {
		for (size_t c = 0; c < ncols; c++) {
			t->f[t->nrows * ncols + c] = p;
			p += strcspn(p, c + 1 < ncols ? "\t" : "\n");
			if (*p)
				*p++ = '\0';
		}
		t->nrows++;
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(const char *edges, const char *seed, const char *out)
{
	struct table e = {0}, s = {0};
	load(&e, edges, 3);
	load(&s, seed, 2);
	struct attr_graph_edge_in *ein = malloc(e.nrows * sizeof *ein);
	struct attr_graph_seed_in *sin = malloc(s.nrows * sizeof *sin);
	if (!ein || !sin)
		die("out of memory");
	for (size_t i = 0; i < e.nrows; i++)
		ein[i] = (struct attr_graph_edge_in){e.f[3 * i], e.f[3 * i + 1], strtod(e.f[3 * i + 2], NULL)};
	for (size_t i = 0; i < s.nrows; i++)
		sin[i] = (struct attr_graph_seed_in){s.f[2 * i], strtod(s.f[2 * i + 1], NULL)};
	struct attr_graph_built b;
	size_t bad = 0;
	double t0 = now();
	if (attr_graph_from_named(&b, ein, e.nrows, sin, s.nrows, &bad) != ATTR_GRAPH_OK)
		die("bad graph");
	double t1 = now();
	double *x = malloc(b.nnodes * sizeof *x);
	unsigned it = 0;
	struct attr_graph g = attr_graph_view(&b);
	if (!x)
		die("out of memory");
	int rc = attr_pagerank(&g, b.seed, NULL, x, &it, &bad);
	double t2 = now();
	if (rc != ATTR_GRAPH_OK)
		die(attr_graph_strerror(rc));
	/* in node-number order: names are n0.. */
	double *byid = calloc(b.nnodes, sizeof *byid);
	if (!byid)
		die("out of memory");
	for (size_t v = 0; v < b.nnodes; v++) {
		size_t id = strtoul(b.names[v] + 1, NULL, 10);
		if (id >= b.nnodes)
			die("node names are not n0..");
		byid[id] = x[v];
	}
	FILE *f = fopen(out, "w");
	if (!f)
		die(out);
	fputs("node\tscore\n", f);
	for (size_t v = 0; v < b.nnodes; v++)
		fprintf(f, "n%zu\t%.17g\n", v, byid[v]);
	if (fclose(f))
		die(out);
	printf("build %.3f pagerank %.3f iterations %u nodes %zu edges %zu\n", t1 - t0, t2 - t1, it, b.nnodes,
	       b.nedges);
	attr_graph_built_free(&b);
	free(x);
	free(byid);
	free(ein);
	free(sin);
	free(e.text);
	free(e.f);
	free(s.text);
	free(s.f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[1], "gen") == 0)
		return gen(strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10), strtoul(argv[4], NULL, 10),
			   argv[5], argv[6]);
	if (argc == 5 && strcmp(argv[1], "run") == 0)
		return run(argv[2], argv[3], argv[4]);
	fputs("usage: attribute_graph gen NODES EDGES PROJECTS EDGES.tsv SEED.tsv\n"
	      "       attribute_graph run EDGES.tsv SEED.tsv SCORES.tsv\n",
	      stderr);
	return 2;
}
