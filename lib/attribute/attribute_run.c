/* attribute_run.c - tally-attribute's graph, shapley, markov and peer
 * methods: their inputs read from tally streams, their scores made an
 * engine's points (attribute_run.h). */
#include <fnmatch.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attribute_graph.h"
#include "attribute_markov.h"
#include "attribute_peer.h"
#include "attribute_run.h"
#include "attribute_shapley.h"
#include "diag.h"

#define SCORE_SCALE 1e12 /* a PageRank score as micro-points of score x 10^6 */

static const struct tsv_field no_field = {"", 0, true};

static const struct tsv_field *opt_field(const struct tsv_reader *r, int col)
{
	return col >= 0 ? &r->fields[col] : &no_field;
}

/* A non-negative decimal field (up to 6 decimals) as micro-units, or def
 * when empty. */
static int micro_field(const struct tsv_field *f, const char *col, int64_t def, int64_t *out, char *err)
{
	char q[96];
	if (f->len == 0) {
		*out = def;
		return ATTR_OK;
	}
	int st = money_parse(f->s, f->len, out);
	if (st != MONEY_OK)
		return attr_fail(err, "column \"%s\": %s %s", col, diag_quote(q, sizeof q, f->s, f->len),
				 money_strerror(st));
	if (*out < 0)
		return attr_fail(err, "column \"%s\": %s is negative", col, diag_quote(q, sizeof q, f->s, f->len));
	return ATTR_OK;
}

static int need(const struct tsv_reader *r, const char *name, int *col, char *err)
{
	*col = tsv_col(r, name);
	return *col >= 0 ? ATTR_OK : attr_fail(err, "missing column \"%s\"", name);
}

static int read_error(const struct tsv_reader *r, long *line, char *err)
{
	*line = r->line;
	return attr_fail(err, "%s", r->err);
}

static const char *intern_copy(struct names *names, const char *s, size_t len)
{
	uint32_t id;
	return names_intern(names, s, len, &id) < 0 ? NULL : names->s[id];
}

/* Points from a double score, rounded to the micro-point. */
static int64_t to_points(double v, double scale)
{
	double p = v * scale;
	return p <= 0 || !isfinite(p) ? 0 : p >= 9e18 ? INT64_MAX / 4 : llround(p);
}

/* ---- touch paths -------------------------------------------------------- */

struct path_rows {
	struct names players;
	uint32_t *touch;   /* all touches, path after path */
	size_t ntouch, touch_cap;
	size_t *first;     /* first touch of each path */
	struct attr_path *paths;
	long *lines;
	size_t n, cap;
};

static int grow_paths(struct path_rows *p)
{
	if (p->n < p->cap)
		return ATTR_OK;
	size_t cap = p->cap ? p->cap * 2 : 256;
	struct attr_path *paths = realloc(p->paths, cap * sizeof *paths);
	if (paths)
		p->paths = paths;
	size_t *first = paths ? realloc(p->first, cap * sizeof *first) : NULL;
	if (first)
		p->first = first;
	long *lines = first ? realloc(p->lines, cap * sizeof *lines) : NULL;
	if (lines)
		p->lines = lines;
	if (!lines)
		return ATTR_ENOMEM;
	p->cap = cap;
	return ATTR_OK;
}

static int add_touches(struct path_rows *p, const struct tsv_field *f, char *err)
{
	const char *s = f->s, *end = f->s + f->len, *tok;
	size_t toklen;
	int rc;
	char q[96];
	while ((rc = attr_path_next(&s, end, &tok, &toklen)) == 1) {
		uint32_t id;
		uint32_t *t = grow_array(p->touch, p->ntouch, &p->touch_cap, sizeof *t, 1024);
		if (!t || names_intern(&p->players, tok, toklen, &id) < 0)
			return ATTR_ENOMEM;
		p->touch = t;
		t[p->ntouch++] = id;
	}
	if (rc < 0)
		return attr_fail(err, "column \"path\": %s has an empty touch", diag_quote(q, sizeof q, f->s, f->len));
	if (p->ntouch == p->first[p->n])
		return attr_fail(err, "column \"path\": %s has no touches", diag_quote(q, sizeof q, f->s, f->len));
	return ATTR_OK;
}

static int read_paths(struct path_rows *p, struct tsv_reader *r, long *line, char *err)
{
	int cpath, st, rc;
	if ((st = need(r, "path", &cpath, err)))
		return st;
	int cconv = tsv_col(r, "conversions"), cval = tsv_col(r, "value"), cnull = tsv_col(r, "null");
	while ((rc = tsv_next(r)) == 1) {
		*line = r->line;
		int64_t conv, val, nul;
		if ((st = grow_paths(p)))
			return st;
		p->first[p->n] = p->ntouch;
		if ((st = add_touches(p, &r->fields[cpath], err)) ||
		    (st = micro_field(opt_field(r, cconv), "conversions", ATTR_POINT, &conv, err)) ||
		    (st = micro_field(opt_field(r, cval), "value", conv, &val, err)) ||
		    (st = micro_field(opt_field(r, cnull), "null", 0, &nul, err)))
			return st;
		p->paths[p->n] = (struct attr_path){NULL, p->ntouch - p->first[p->n], (double)conv / ATTR_POINT,
						   (double)nul / ATTR_POINT, (double)val / ATTR_POINT};
		p->lines[p->n++] = r->line;
	}
	if (rc < 0)
		return read_error(r, line, err);
	for (size_t i = 0; i < p->n; i++)
		p->paths[i].touch = p->touch + p->first[i];
	*line = 0;
	return p->n ? ATTR_OK : attr_fail(err, "no paths");
}

static void free_paths(struct path_rows *p)
{
	names_free(&p->players);
	free(p->touch);
	free(p->first);
	free(p->paths);
	free(p->lines);
}

/* Paths touching each player (a player twice on a path counts once). */
static void path_evidence(const struct path_rows *p, long *count)
{
	for (size_t i = 0; i < p->n; i++)
		for (size_t k = 0; k < p->paths[i].ntouch; k++) {
			bool again = false;
			for (size_t j = 0; j < k && !again; j++)
				again = p->paths[i].touch[j] == p->paths[i].touch[k];
			count[p->paths[i].touch[k]] += !again;
		}
}

int attr_run_paths(struct attr_engine *e, struct tsv_reader *r, bool markov, const char *project, long *line,
		   char *err)
{
	struct path_rows p = {0};
	int st = read_paths(&p, r, line, err);
	size_t np = p.players.n, bad = 0;
	double *value = st ? NULL : calloc(np + 1, sizeof *value);
	long *count = value ? calloc(np + 1, sizeof *count) : NULL;
	if (st == ATTR_OK && !count)
		st = ATTR_ENOMEM;
	if (st == ATTR_OK && markov) {
		struct attr_markov_result res;
		double *share = malloc((np + 1) * sizeof *share);
		int ms = share ? attr_markov(p.paths, p.n, np, NULL, share, &res, &bad) : ATTR_MARKOV_ENOMEM;
		for (size_t i = 0; ms == ATTR_MARKOV_OK && i < np; i++)
			value[i] = share[i] * res.value;
		free(share);
		if (ms == ATTR_MARKOV_ENOMEM)
			st = ATTR_ENOMEM;
		else if (ms != ATTR_MARKOV_OK)
			st = attr_fail(err, "--method markov: %s", attr_markov_strerror(ms)),
			*line = ms == ATTR_MARKOV_EPATH || ms == ATTR_MARKOV_EPLAYER || ms == ATTR_MARKOV_EVALUE
					? p.lines[bad] : 0;
	} else if (st == ATTR_OK) {
		int ss = attr_shapley(p.paths, p.n, np, value, NULL, &bad);
		if (ss == ATTR_SHAPLEY_ENOMEM)
			st = ATTR_ENOMEM;
		else if (ss != ATTR_SHAPLEY_OK)
			st = attr_fail(err, "%s", attr_shapley_strerror(ss)), *line = p.lines[bad];
	}
	if (st == ATTR_OK)
		path_evidence(&p, count);
	for (size_t i = 0; st == ATTR_OK && i < np; i++)
		st = attr_add_points(e, project, strlen(project), p.players.s[i], p.players.len[i],
				     to_points(value[i], ATTR_POINT), count[i]);
	free(value);
	free(count);
	free_paths(&p);
	return st;
}

/* ---- the contribution graph -------------------------------------------- */

/* A row with a ref: *at is where it goes (g->n for a new one, the kept
 * row's index when it weighs more, SIZE_MAX when it is left out). */
static int graph_ref(struct attr_graph_input *g, const struct attr_row *row, const char *who, size_t wlen,
		     double weight, size_t *at)
{
	size_t len = row->project_len + wlen + row->kind_len + row->ref_len + 3;
	char *key = malloc(len);
	if (!key)
		return ATTR_ENOMEM;
	char *p = key;
	const char *parts[] = {row->project, who, row->kind, row->ref};
	size_t lens[] = {row->project_len, wlen, row->kind_len, row->ref_len};
	for (int i = 0; i < 4; i++) {
		memcpy(p, parts[i], lens[i]);
		p += lens[i];
		if (i < 3)
			*p++ = '\0';
	}
	uint32_t before = g->refs.n, id;
	int rc = names_intern(&g->refs, key, len, &id);
	free(key);
	if (rc < 0)
		return ATTR_ENOMEM;
	if (id >= before) {
		size_t *rr = realloc(g->ref_row, g->refs.n * sizeof *rr);
		if (!rr)
			return ATTR_ENOMEM;
		g->ref_row = rr;
		rr[id] = g->n;
		return ATTR_OK;
	}
	g->duplicates++;
	*at = weight > g->c[g->ref_row[id]].weight ? g->ref_row[id] : SIZE_MAX;
	return ATTR_OK;
}

int attr_graph_add(struct attr_graph_input *g, const struct attr_row *row, char *err)
{
	int64_t weight = ATTR_POINT, value;
	if (g->weights && g->weights->given) {
		long id = names_find(&g->weights->names, row->kind, row->kind_len);
		char q[96];
		if (id < 0)
			return attr_fail(err, "column \"kind\": %s has no weight in the weights file",
					 diag_quote(q, sizeof q, row->kind, row->kind_len));
		weight = g->weights->kinds[id].weight;
	}
	if (!money_muldiv(row->amount, weight, ATTR_POINT, &value))
		return ATTR_ERANGE;
	const char *who = row->contributor;
	size_t wlen = row->contributor_len;
	if (g->aliases)
		attr_aliases_resolve(g->aliases, &who, &wlen);
	const char *target = row->target;
	size_t tlen = row->target_len;
	if (g->aliases && tlen)
		attr_aliases_resolve(g->aliases, &target, &tlen);
	size_t at = g->n;
	if (row->ref_len) {
		int st = graph_ref(g, row, who, wlen, (double)value / ATTR_POINT, &at);
		if (st || at == SIZE_MAX)
			return st;
	}
	struct attr_graph_contrib *c = grow_array(g->c, g->n, &g->cap, sizeof *c, 1024);
	if (!c)
		return ATTR_ENOMEM;
	g->c = c;
	struct attr_graph_contrib *n = &c[at];
	n->project = intern_copy(&g->strings, row->project, row->project_len);
	n->contributor = intern_copy(&g->strings, who, wlen);
	n->target = tlen ? intern_copy(&g->strings, target, tlen) : NULL;
	if (!n->project || !n->contributor || (tlen && !n->target))
		return ATTR_ENOMEM;
	n->weight = (double)value / ATTR_POINT;
	n->responds = tlen > 0;
	if (at == g->n)
		g->n++;
	return ATTR_OK;
}

/* Whether a project's match (the agreements' syntax) covers a sale. */
static bool project_covers(const char *match, const struct tsv_field *const *f)
{
	static const char *const prefixes[] = {"product:", "sku:", "source:", "kind:"};
	if (strcmp(match, "*") == 0)
		return true;
	for (size_t i = 0; i < 4; i++) {
		size_t n = strlen(prefixes[i]);
		if (strncmp(match, prefixes[i], n) == 0)
			return fnmatch(match + n, f[i]->s, 0) == 0;
	}
	return fnmatch(match, f[0]->s, 0) == 0;
}

int attr_graph_revenue_read(struct attr_graph_input *g, struct tsv_reader *r, long *line, char *err)
{
	int cnet, ccur, ckind, st, rc;
	if ((st = need(r, "net", &cnet, err)) || (st = need(r, "currency", &ccur, err)) ||
	    (st = need(r, "kind", &ckind, err)))
		return st;
	int cols[4] = {tsv_col(r, "product"), tsv_col(r, "sku"), tsv_col(r, "source"), ckind};
	/* The projects are those of the contributions read so far. */
	struct names projects = {0};
	for (size_t i = 0; i < g->n; i++) {
		uint32_t id;
		if (names_intern(&projects, g->c[i].project, strlen(g->c[i].project), &id) < 0)
			return ATTR_ENOMEM;
	}
	while ((rc = tsv_next(r)) == 1) {
		*line = r->line;
		const struct tsv_field *f[4] = {opt_field(r, cols[0]), opt_field(r, cols[1]), opt_field(r, cols[2]),
						opt_field(r, cols[3])}, *cur = &r->fields[ccur];
		char q[96];
		if (strcmp(r->fields[ckind].s, "payout") == 0) {
			g->passed_over++;
			continue;
		}
		if (cur->len != 3 || (g->currency[0] && memcmp(g->currency, cur->s, 3) != 0)) {
			names_free(&projects);
			return attr_fail(err, "column \"currency\": %s: revenue must be in one currency (%s so far)",
					 diag_quote(q, sizeof q, cur->s, cur->len), g->currency[0] ? g->currency : "none");
		}
		memcpy(g->currency, cur->s, 4);
		int64_t net;
		int ms = money_parse(r->fields[cnet].s, r->fields[cnet].len, &net);
		if (ms != MONEY_OK) {
			names_free(&projects);
			return attr_fail(err, "column \"net\": %s %s",
					 diag_quote(q, sizeof q, r->fields[cnet].s, r->fields[cnet].len), money_strerror(ms));
		}
		for (uint32_t p = 0; p < projects.n; p++) {
			if (!project_covers(projects.s[p], f))
				continue;
			struct attr_graph_revenue *rev = grow_array(g->rev, g->nrev, &g->rev_cap, sizeof *rev, 256);
			if (!rev) {
				names_free(&projects);
				return ATTR_ENOMEM;
			}
			g->rev = rev;
			rev[g->nrev++] = (struct attr_graph_revenue){intern_copy(&g->strings, projects.s[p],
										   projects.len[p]), net};
		}
	}
	names_free(&projects);
	*line = 0;
	return rc < 0 ? read_error(r, line, err) : ATTR_OK;
}

/* Rank b and give its people (or every node) points. */
static int rank_and_add(struct attr_engine *e, const struct attr_graph_built *b, double damping, bool people_only,
			const char *project, long *evidence, unsigned *iterations, char *err)
{
	struct attr_graph view = attr_graph_view(b);
	struct attr_pagerank_opts o;
	attr_pagerank_defaults(&o);
	o.damping = damping;
	double *score = malloc((b->nnodes + 1) * sizeof *score);
	if (!score)
		return ATTR_ENOMEM;
	size_t bad;
	int gs = attr_pagerank(&view, b->seed, &o, score, iterations, &bad);
	int st = ATTR_OK;
	if (gs != ATTR_GRAPH_OK)
		st = gs == ATTR_GRAPH_ENOMEM ? ATTR_ENOMEM : attr_fail(err, "--method graph: %s", attr_graph_strerror(gs));
	for (size_t i = 0; st == ATTR_OK && i < b->nnodes; i++)
		if (!people_only || !b->is_project[i])
			st = attr_add_points(e, project, strlen(project), b->names[i], strlen(b->names[i]),
					     to_points(score[i], SCORE_SCALE), evidence ? evidence[i] : 0);
	free(score);
	return st;
}

int attr_graph_run(struct attr_engine *e, struct attr_graph_input *g, const char *project, char *err)
{
	struct attr_graph_built b = {0};
	size_t bad = 0;
	int gs = attr_graph_from_contribs(&b, g->c, g->n, g->rev, g->nrev, &bad);
	if (gs == ATTR_GRAPH_ENOMEM)
		return ATTR_ENOMEM;
	if (gs != ATTR_GRAPH_OK)
		return attr_fail(err, "--method graph: %s", attr_graph_strerror(gs));
	long *evidence = calloc(b.nnodes + 1, sizeof *evidence);
	if (!evidence) {
		attr_graph_built_free(&b);
		return ATTR_ENOMEM;
	}
	/* Evidence: contributions made, found by name among the people. */
	struct names people = {0};
	for (size_t i = b.nprojects; i < b.nnodes; i++) {
		uint32_t id;
		if (names_intern(&people, b.names[i], strlen(b.names[i]), &id) < 0)
			gs = ATTR_GRAPH_ENOMEM;
	}
	for (size_t i = 0; i < g->n && gs == ATTR_GRAPH_OK; i++) {
		long id = names_find(&people, g->c[i].contributor, strlen(g->c[i].contributor));
		if (id >= 0)
			evidence[b.nprojects + (size_t)id]++;
	}
	names_free(&people);
	int st = gs == ATTR_GRAPH_OK ? rank_and_add(e, &b, g->damping, true, project, evidence, &g->iterations, err)
				     : ATTR_ENOMEM;
	free(evidence);
	attr_graph_built_free(&b);
	return st;
}

void attr_graph_input_free(struct attr_graph_input *g)
{
	free(g->c);
	free(g->rev);
	free(g->ref_row);
	names_free(&g->strings);
	names_free(&g->refs);
	memset(g, 0, sizeof *g);
}

/* ---- --edges and --seed ------------------------------------------------- */

int attr_run_edges(struct attr_engine *e, struct tsv_reader *edges, struct tsv_reader *seed, double damping,
		   const char *project, long *line, const char **file, char *err)
{
	struct names strings = {0};
	struct attr_graph_edge_in *ein = NULL;
	struct attr_graph_seed_in *sin = NULL;
	size_t ne = 0, ecap = 0, ns = 0, scap = 0;
	int st = ATTR_OK, rc = 1, c[3];
	*file = edges->file;
	if ((st = need(edges, "from", &c[0], err)) || (st = need(edges, "to", &c[1], err)) ||
	    (st = need(edges, "weight", &c[2], err)))
		goto done;
	while (st == ATTR_OK && (rc = tsv_next(edges)) == 1) {
		int64_t w;
		*line = edges->line;
		struct attr_graph_edge_in *n = grow_array(ein, ne, &ecap, sizeof *n, 1024);
		if (!n) {
			st = ATTR_ENOMEM;
			break;
		}
		ein = n;
		if ((st = micro_field(&edges->fields[c[2]], "weight", 0, &w, err)))
			break;
		ein[ne++] = (struct attr_graph_edge_in){
			intern_copy(&strings, edges->fields[c[0]].s, edges->fields[c[0]].len),
			intern_copy(&strings, edges->fields[c[1]].s, edges->fields[c[1]].len), (double)w / ATTR_POINT};
		if (!edges->fields[c[0]].len || !edges->fields[c[1]].len)
			st = attr_fail(err, "column \"%s\": is empty", edges->fields[c[0]].len ? "to" : "from");
	}
	if (st == ATTR_OK && rc < 0)
		st = read_error(edges, line, err);
	if (st)
		goto done;
	*file = seed->file;
	*line = 0;
	if ((st = need(seed, "node", &c[0], err)) || (st = need(seed, "weight", &c[1], err)))
		goto done;
	while (st == ATTR_OK && (rc = tsv_next(seed)) == 1) {
		int64_t w;
		*line = seed->line;
		struct attr_graph_seed_in *n = grow_array(sin, ns, &scap, sizeof *n, 256);
		if (!n) {
			st = ATTR_ENOMEM;
			break;
		}
		sin = n;
		if ((st = micro_field(&seed->fields[c[1]], "weight", 0, &w, err)))
			break;
		if (!seed->fields[c[0]].len)
			st = attr_fail(err, "column \"node\": is empty");
		sin[ns++] = (struct attr_graph_seed_in){
			intern_copy(&strings, seed->fields[c[0]].s, seed->fields[c[0]].len), (double)w / ATTR_POINT};
	}
	if (st == ATTR_OK && rc < 0)
		st = read_error(seed, line, err);
	if (st)
		goto done;
	*line = 0;
	struct attr_graph_built b = {0};
	size_t bad = 0;
	int gs = attr_graph_from_named(&b, ein, ne, sin, ns, &bad);
	if (gs == ATTR_GRAPH_ENOMEM) {
		st = ATTR_ENOMEM;
	} else if (gs != ATTR_GRAPH_OK) {
		st = attr_fail(err, "--method graph: %s", attr_graph_strerror(gs));
		*file = NULL;
	} else {
		unsigned it;
		st = rank_and_add(e, &b, damping, false, project, NULL, &it, err);
		if (st)
			*file = NULL;
	}
	attr_graph_built_free(&b);
done:
	free(ein);
	free(sin);
	names_free(&strings);
	return st;
}

/* ---- peer --------------------------------------------------------------- */

static int read_circle(const struct attr_table *t, struct names *names, struct attr_peer_member **m,
		       long *line, char *err)
{
	int cm = attr_table_col(t, "member"), cb = attr_table_col(t, "budget"), co = attr_table_col(t, "opt_out");
	if (cm < 0 || cb < 0)
		return *line = t->header_line, attr_fail(err, "missing column \"%s\"", cm < 0 ? "member" : "budget");
	*m = calloc(t->nrows + 1, sizeof **m);
	if (!*m)
		return ATTR_ENOMEM;
	for (size_t i = 0; i < t->nrows; i++) {
		char **f = t->rows[i];
		char q[96];
		uint32_t id, before = names->n;
		*line = t->lines[i];
		if (!*f[cm])
			return attr_fail(err, "column \"member\": is empty");
		if (names_intern(names, f[cm], strlen(f[cm]), &id) < 0)
			return ATTR_ENOMEM;
		if (id < before)
			return attr_fail(err, "column \"member\": %s is given twice", diag_quote(q, sizeof q, f[cm], strlen(f[cm])));
		struct tsv_field bf = {f[cb], strlen(f[cb]), true};
		int st = micro_field(&bf, "budget", 0, &(*m)[id].budget, err);
		if (st)
			return st;
		const char *o = co >= 0 ? f[co] : "";
		if (strcmp(o, "yes") && strcmp(o, "no") && *o)
			return attr_fail(err, "column \"opt_out\": %s is not yes or no", diag_quote(q, sizeof q, o, strlen(o)));
		(*m)[id].opted_out = strcmp(o, "yes") == 0;
	}
	return ATTR_OK;
}

static int member_id(const struct names *names, const struct tsv_field *f, const char *col, uint32_t *id,
		     char *err)
{
	char q[96];
	long i = names_find(names, f->s, f->len);
	if (i < 0)
		return attr_fail(err, "column \"%s\": %s is not a member of the circle", col,
				 diag_quote(q, sizeof q, f->s, f->len));
	*id = (uint32_t)i;
	return ATTR_OK;
}

static int read_gifts(struct tsv_reader *r, const struct names *names, struct names *periods,
		      struct attr_peer_gift **gifts, long **lines, size_t *n, long *line, char *err)
{
	int c[4], st, rc;
	static const char *const cols[] = {"period", "giver", "receiver", "points"};
	for (int k = 0; k < 4; k++)
		if ((st = need(r, cols[k], &c[k], err)))
			return st;
	size_t cap = 0, lcap = 0;
	while ((rc = tsv_next(r)) == 1) {
		*line = r->line;
		struct attr_peer_gift *g = grow_array(*gifts, *n, &cap, sizeof *g, 256);
		if (g)
			*gifts = g;
		long *l = g ? grow_array(*lines, *n, &lcap, sizeof *l, 256) : NULL;
		if (!l)
			return ATTR_ENOMEM;
		*lines = l;
		uint32_t pid;
		struct attr_peer_gift *x = &g[*n];
		if (names_intern(periods, r->fields[c[0]].s, r->fields[c[0]].len, &pid) < 0)
			return ATTR_ENOMEM;
		x->period = pid;
		if ((st = member_id(names, &r->fields[c[1]], "giver", &x->giver, err)) ||
		    (st = member_id(names, &r->fields[c[2]], "receiver", &x->receiver, err)) ||
		    (st = micro_field(&r->fields[c[3]], "points", 0, &x->points, err)))
			return st;
		l[(*n)++] = r->line;
	}
	*line = 0;
	return rc < 0 ? read_error(r, line, err) : ATTR_OK;
}

int attr_run_peer(struct attr_engine *e, struct tsv_reader *gifts, const struct attr_table *circle,
		  const char *project, long *line, bool *in_circle, char *err, int64_t *burnt_unused,
		  int64_t *burnt_optout)
{
	struct names names = {0}, periods = {0};
	struct attr_peer_member *members = NULL;
	struct attr_peer_gift *g = NULL;
	long *lines = NULL;
	size_t n = 0, bad = 0;
	int64_t *received = NULL;
	long *count = NULL;
	int st = read_circle(circle, &names, &members, line, err);
	*in_circle = st != ATTR_OK;
	if (st)
		goto done;
	if ((st = read_gifts(gifts, &names, &periods, &g, &lines, &n, line, err)))
		goto done;
	received = calloc(names.n + 1, sizeof *received);
	count = calloc(names.n + 1, sizeof *count);
	if (!received || !count) {
		st = ATTR_ENOMEM;
		goto done;
	}
	struct attr_peer_result res;
	int ps = attr_peer(members, names.n, periods.n, g, n, false, received, &res, &bad);
	if (ps == ATTR_PEER_ENOMEM) {
		st = ATTR_ENOMEM;
		goto done;
	}
	if (ps != ATTR_PEER_OK) {
		*line = ps == ATTR_PEER_EPOINTS && bad < names.n ? 0 : n ? lines[bad < n ? bad : n - 1] : 0;
		st = attr_fail(err, "%s", attr_peer_strerror(ps));
		goto done;
	}
	*burnt_unused = res.burnt_unused;
	*burnt_optout = res.burnt_optout;
	for (size_t i = 0; i < n; i++)
		count[g[i].receiver] += g[i].points > 0 && !members[g[i].receiver].opted_out;
	for (uint32_t i = 0; i < names.n && st == ATTR_OK; i++)
		st = attr_add_points(e, project, strlen(project), names.s[i], names.len[i], received[i], count[i]);
done:
	names_free(&names);
	names_free(&periods);
	free(members);
	free(g);
	free(lines);
	free(received);
	free(count);
	return st;
}
