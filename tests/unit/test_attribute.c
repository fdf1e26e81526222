/* test_attribute.c - unit tests of tally-attribute's engine, readers and
 * outputs (lib/attribute*.c).
 *
 * Plan: the points method on hand-computed cases (weights, a per-kind cap
 * per month, the half-life decay, sqrt and log, a ref counted once and the
 * row kept whatever the order); the time method with and without a
 * membership; --cap water-filling and --min-share on hand-computed cases,
 * a cap below 1/n refused; the table, weights and aliases files (a chain
 * followed, a cycle refused with its line); the git log reader (co-authors,
 * the author not credited twice, numstat lines); then 300 random runs, each
 * checked for shares summing to exactly 1 per project, and the same rows
 * shuffled giving byte-identical output. */
#include <stdlib.h>
#include <unistd.h>

#include "attribute.h"
#include "attribute_out.h"
#include "attribute_read.h"
#include "tap.h"

struct spec {
	const char *date, *who, *kind, *project;
	int64_t amount; /* micro-units */
	const char *ref;
};

/* Run specs through an engine with cfg; returns the engine (finished and
 * shared), or NULL after a failed step with err set. */
static int run_engine(struct attr_engine *e, const struct attr_config *cfg, const struct spec *s, size_t n,
		      const struct ratio *min, const struct ratio *cap, char *err)
{
	attr_engine_init(e, cfg);
	for (size_t i = 0; i < n; i++) {
		struct attr_row row = {0};
		date_parse(s[i].date, strlen(s[i].date), &row.date);
		row.contributor = s[i].who, row.contributor_len = strlen(s[i].who);
		row.kind = s[i].kind, row.kind_len = strlen(s[i].kind);
		row.project = s[i].project, row.project_len = strlen(s[i].project);
		row.amount = s[i].amount;
		row.ref = s[i].ref ? s[i].ref : "", row.ref_len = s[i].ref ? strlen(s[i].ref) : 0;
		row.target = "";
		int st = attr_add(e, &row, err);
		if (st)
			return st;
	}
	int st = attr_finish(e, NULL, err);
	return st ? st : attr_shares(e, min, cap, err);
}

/* What a writer produces, as a string (static buffer). */
static const char *render(const struct attr_engine *e, void (*fn)(struct out *, const struct attr_engine *))
{
	static char buf[1 << 20];
	FILE *f = tmpfile();
	struct out o;
	out_open_fd(&o, fileno(f), "tmp");
	fn(&o, e);
	out_close(&o);
	rewind(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* "contributor=share ..." of every member, in output order. */
static const char *shares_of(const struct attr_engine *e)
{
	static char buf[4096];
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < e->nmembers && used < sizeof buf - 80; i++) {
		char r[48];
		attr_format_ratio(r, attr_member_share(e, &e->members[i]));
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s=%s", i ? " " : "",
					 attr_name(e, e->members[i].contributor), r);
	}
	return buf;
}

static void weights_from(struct attr_weights *w, const char *text)
{
	struct attr_table t;
	long line;
	char err[ATTR_ERR];
	if (attr_table_parse(&t, text, strlen(text), &line, err) || attr_weights_from_table(w, &t, &line, err))
		printf("# weights: %ld: %s\n", line, err);
	attr_table_free(&t);
}

#define P(x) ((int64_t)(x) * ATTR_POINT)

static void test_points(void)
{
	char err[ATTR_ERR];
	struct attr_engine e;
	struct attr_weights w;
	weights_from(&w, "kind\tweight\tcap\n# a comment\ncode\t3\nreview\t2\t5\ndoc\t0.5\n");
	struct attr_config cfg = {.weights = &w};
	const struct spec s[] = {
		{"2026-10-01", "ana", "code", "p", P(2), NULL},    /* 6 */
		{"2026-10-02", "ben", "review", "p", P(2), NULL},  /* 4 */
		{"2026-10-03", "ben", "review", "p", P(2), NULL},  /* 4: 8 in October, capped at 5 */
		{"2026-11-03", "ben", "review", "p", P(1), NULL},  /* 2 in November */
		{"2026-10-04", "cat", "doc", "p", P(2), NULL},     /* 1 */
	};
	tap_is_int(run_engine(&e, &cfg, s, 5, NULL, NULL, err), ATTR_OK, "points: runs");
	tap_is_str(shares_of(&e), "ben=1/2 ana=3/7 cat=1/14", "points: weights, a per-kind cap per month");
	tap_ok(e.members[0].flood && !e.members[1].flood, "points: the capped contributor is flagged flood");
	tap_is_int(e.members[0].raw, P(10), "points: raw before the cap");
	tap_is_int(e.members[0].decayed, P(7), "points: after the cap (5 + 2)");
	attr_engine_free(&e);

	const struct spec unknown[] = {{"2026-10-01", "ana", "talk", "p", P(1), NULL}};
	tap_is_int(run_engine(&e, &cfg, unknown, 1, NULL, NULL, err), ATTR_EDATA, "points: a kind without weight");
	tap_is_str(err, "column \"kind\": \"talk\" has no weight in the weights file", "points: its message");
	attr_engine_free(&e);
	attr_weights_free(&w);
}

static void test_decay_transform(void)
{
	char err[ATTR_ERR];
	struct attr_engine e;
	struct attr_config cfg = {.have_as_of = true, .half_life = 30};
	date_parse("2026-10-31", 10, &cfg.as_of);
	const struct spec s[] = {
		{"2026-10-01", "ana", "code", "p", P(4), NULL}, /* 30 days old: 2 */
		{"2026-10-31", "ben", "code", "p", P(2), NULL}, /* today: 2 */
		{"2026-09-01", "cat", "code", "p", P(4), NULL}, /* 60 days: 1 */
		{"2026-11-01", "dan", "code", "p", P(4), NULL}, /* after --as-of: left out */
	};
	tap_is_int(run_engine(&e, &cfg, s, 4, NULL, NULL, err), ATTR_OK, "decay: runs");
	tap_is_str(shares_of(&e), "ana=2/5 ben=2/5 cat=1/5", "decay: half-life 30 days");
	tap_is_int(e.after_as_of, 1, "decay: a row after --as-of is counted as left out");
	attr_engine_free(&e);

	struct attr_config sq = {.transform = ATTR_SQRT};
	const struct spec t[] = {
		{"2026-10-01", "ana", "code", "p", P(16), NULL},
		{"2026-10-01", "ben", "code", "p", P(4), NULL},
	};
	run_engine(&e, &sq, t, 2, NULL, NULL, err);
	tap_is_str(shares_of(&e), "ana=2/3 ben=1/3", "transform sqrt: 4 and 2");
	attr_engine_free(&e);
	struct attr_config lg = {.transform = ATTR_LOG};
	run_engine(&e, &lg, t, 2, NULL, NULL, err);
	/* log(17) = 2.833213, log(5) = 1.609438 (micro-points, rounded) */
	tap_is_int(e.members[0].points, 2833213, "transform log: log(1 + 16)");
	tap_is_int(e.members[1].points, 1609438, "transform log: log(1 + 4)");
	attr_engine_free(&e);
}

static void test_refs(void)
{
	char err[ATTR_ERR];
	struct attr_engine e;
	struct attr_config cfg = {0};
	const struct spec a[] = {
		{"2026-10-05", "ana", "code", "p", P(9), "c1"},
		{"2026-10-01", "ana", "code", "p", P(1), "c1"},
		{"2026-10-01", "ana", "code", "p", P(2), "c1"},
		{"2026-10-01", "ben", "code", "p", P(2), "c1"}, /* another contributor of the same ref */
	};
	const struct spec b[] = {a[2], a[3], a[0], a[1]};
	run_engine(&e, &cfg, a, 4, NULL, NULL, err);
	tap_is_str(shares_of(&e), "ana=1/2 ben=1/2", "refs: the earliest, then the largest, row of a ref");
	tap_is_int(e.duplicates, 2, "refs: two duplicates counted");
	tap_is_int(e.members[0].count, 1, "refs: one contribution of ana counted");
	attr_engine_free(&e);
	run_engine(&e, &cfg, b, 4, NULL, NULL, err);
	tap_is_str(shares_of(&e), "ana=1/2 ben=1/2", "refs: the same whatever the order");
	attr_engine_free(&e);
}

static void test_time(void)
{
	char err[ATTR_ERR];
	struct attr_engine e;
	struct attr_config cfg = {.method = ATTR_TIME};
	const struct spec s[] = {
		{"2026-01-01", "ana", "code", "p", P(1), NULL}, {"2026-02-01", "ana", "code", "p", P(1), NULL},
		{"2026-03-01", "ana", "code", "p", P(1), NULL}, {"2026-04-09", "ana", "code", "p", P(1), NULL},
		{"2026-04-01", "ben", "doc", "p", P(5), NULL},
	};
	run_engine(&e, &cfg, s, 5, NULL, NULL, err);
	tap_is_str(shares_of(&e), "ana=2/3 ben=1/3", "time: sqrt(4 months), sqrt(1 month)");
	attr_engine_free(&e);

	struct attr_table t;
	struct attr_membership m;
	long line;
	const char *text = "contributor\tfrom\tto\tweighting\nana\t2026-01\t2026-09\t1\nben\t2026-06\t2026-09\t0.25\n";
	attr_table_parse(&t, text, strlen(text), &line, err);
	int64_t as_of;
	date_parse("2026-10-31", 10, &as_of);
	tap_is_int(attr_membership_from_table(&m, &t, NULL, as_of, &line, err), ATTR_OK, "membership: parsed");
	attr_engine_init(&e, &cfg);
	for (size_t i = 0; i < 5; i++) {
		struct attr_row row = {.contributor = s[i].who, .contributor_len = 3, .kind = s[i].kind,
				       .kind_len = strlen(s[i].kind), .project = "p", .project_len = 1,
				       .amount = P(1), .ref = "", .target = ""};
		date_parse(s[i].date, 10, &row.date);
		attr_add(&e, &row, err);
	}
	attr_finish(&e, &m, err);
	attr_shares(&e, NULL, NULL, err);
	tap_is_str(shares_of(&e), "ana=3/4 ben=1/4", "time: membership sqrt(9 x 1) and sqrt(4 x 0.25)");
	attr_engine_free(&e);
	attr_membership_free(&m);
	attr_table_free(&t);
}

static void test_cap_min(void)
{
	char err[ATTR_ERR];
	struct attr_engine e;
	struct attr_config cfg = {0};
	const struct spec s[] = {
		{"2026-10-01", "a", "code", "p", P(6), NULL},
		{"2026-10-01", "b", "code", "p", P(3), NULL},
		{"2026-10-01", "c", "code", "p", P(1), NULL},
	};
	struct ratio cap40 = {2, 5}, cap20 = {1, 5}, min15 = {3, 20};
	run_engine(&e, &cfg, s, 3, NULL, &cap40, err);
	tap_is_str(shares_of(&e), "a=2/5 b=2/5 c=1/5", "cap 40%%: a capped, then b in the second round");
	tap_ok(e.members[0].capped && e.members[1].capped && !e.members[2].capped, "cap: flags");
	attr_engine_free(&e);
	tap_is_int(run_engine(&e, &cfg, s, 3, NULL, &cap20, err), ATTR_EDATA, "cap 20%% of 3 contributors: refused");
	attr_engine_free(&e);
	run_engine(&e, &cfg, s, 3, &min15, NULL, err);
	tap_is_str(shares_of(&e), "a=2/3 b=1/3 c=0/1", "min-share 15%%: c (10%%) left out, the rest in proportion");
	tap_ok(e.members[2].below_min, "min-share: flagged");
	attr_engine_free(&e);
	struct ratio cap50 = {1, 2};
	run_engine(&e, &cfg, s, 3, &min15, &cap50, err);
	tap_is_str(shares_of(&e), "a=1/2 b=1/2 c=0/1", "min-share, then cap: c out, a capped at 1/2");
	attr_engine_free(&e);
	tap_is_int(run_engine(&e, &cfg, s, 3, &min15, &cap40, err), ATTR_EDATA,
		   "min-share, then a cap the two left cannot fill: refused");
	tap_is_str(err, "project \"p\": --cap leaves a part no contributor may take (2 capped)", "cap: its message");
	attr_engine_free(&e);
}

static void test_files(void)
{
	char err[ATTR_ERR];
	long line;
	struct attr_table t;
	struct attr_aliases a;
	const char *chain = "alias\tpayee\nana@x\tana-gh\nana-gh\tAna Lima\n";
	attr_table_parse(&t, chain, strlen(chain), &line, err);
	tap_is_int(attr_aliases_from_table(&a, &t, &line, err), ATTR_OK, "aliases: a chain");
	const char *s = "ana@x";
	size_t n = 5;
	tap_ok(attr_aliases_resolve(&a, &s, &n) && strcmp(s, "Ana Lima") == 0, "aliases: followed to its end");
	attr_aliases_free(&a);
	attr_table_free(&t);
	const char *cycle = "alias\tpayee\na\tb\n# x\nb\tc\nc\ta\n";
	attr_table_parse(&t, cycle, strlen(cycle), &line, err);
	tap_is_int(attr_aliases_from_table(&a, &t, &line, err), ATTR_EDATA, "aliases: a cycle refused");
	tap_is_str(err, "column \"alias\": \"c\" -> \"a\" closes a cycle of aliases", "aliases: its message");
	tap_is_int(line, 5, "aliases: the line of the first alias in the cycle");
	attr_aliases_free(&a);
	attr_table_free(&t);
	const char *bad = "kind\tweight\ncode\t-1\n";
	struct attr_weights w;
	attr_table_parse(&t, bad, strlen(bad), &line, err);
	tap_is_int(attr_weights_from_table(&w, &t, &line, err), ATTR_EDATA, "weights: negative refused");
	tap_is_str(err, "column \"weight\": \"-1\" is not a weight (a number >= 0, up to 6 decimals)",
		   "weights: its message");
	tap_is_int(line, 2, "weights: its line");
	attr_weights_free(&w);
	attr_table_free(&t);
	tap_is_int(attr_table_parse(&t, "a\tb\n1\t2\t3\n", 11, &line, err), ATTR_EDATA, "table: too many fields");
	tap_is_str(err, "3 fields, the header has 2", "table: its message");
}

struct collected {
	char rows[16][128];
	int n;
};

static int collect(void *ctx, const struct attr_row *row, char *err)
{
	(void)err;
	struct collected *c = ctx;
	if (c->n < 16)
		snprintf(c->rows[c->n++], 128, "%.*s %.*s %lld %.*s", (int)row->contributor_len, row->contributor,
			 (int)row->kind_len, row->kind, (long long)(row->amount / ATTR_POINT), (int)row->ref_len, row->ref);
	return ATTR_OK;
}

static void test_git(void)
{
	char err[ATTR_ERR];
	const char *log = "\x1e" "aaa\t2026-10-01T10:00:00+02:00\tAna\tana@x\n"
			  "Ben <ben@x>\n"
			  "Ana <ana@x>\n"
			  "\n"
			  "3\t1\tsrc/a.c\n"
			  "-\t-\tlogo.png\n"
			  "\x1e" "bbb\t2026-10-02T10:00:00Z\t\tcat@x\n";
	struct collected c = {0};
	struct attr_git g = {.project = "p", .lines = true};
	tap_is_int(attr_git_parse(&g, log, strlen(log), collect, &c, err), ATTR_OK, "git: parsed");
	tap_is_int(c.n, 3, "git: author, one co-author (the author again not), the next commit");
	tap_is_str(c.rows[0], "Ana code 4 aaa", "git: lines added + deleted as amount");
	tap_is_str(c.rows[1], "Ben code 4 aaa", "git: a co-author credited with the same commit");
	tap_is_str(c.rows[2], "cat@x code 0 bbb", "git: no name: the e-mail");
	tap_is_int(g.commits, 2, "git: commits counted");
	struct attr_git g2 = {.project = "p"};
	tap_is_int(attr_git_parse(&g2, "junk\n", 5, collect, &c, err), ATTR_EDATA, "git: another format refused");
	tap_is_int(g2.line, 1, "git: its line");
}

/* What fn writes with extra arguments, as a string (static buffer). */
static const char *render_budget(const struct attr_engine *e, int64_t amount, const int64_t *paid, int *st)
{
	static char buf[1 << 20];
	char err[ATTR_ERR];
	FILE *f = tmpfile();
	struct out o;
	out_open_fd(&o, fileno(f), "tmp");
	*st = attr_write_budget(&o, e, amount, "USD", 0, paid, err);
	out_close(&o);
	rewind(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Sum of the last column of every line after the header. */
static int64_t sum_last_column(const char *text)
{
	int64_t sum = 0;
	const char *line = strchr(text, '\n');
	for (const char *end; line && (end = strchr(line + 1, '\n')) != NULL; line = end) {
		const char *tab = end;
		while (tab > line + 1 && tab[-1] != '\t')
			tab--;
		int64_t v = 0;
		money_parse(tab, (size_t)(end - tab), &v);
		sum += v;
	}
	return sum;
}

static void test_budget_pool(void)
{
	char err[ATTR_ERR];
	struct attr_engine e;
	struct attr_config cfg = {0};
	const struct spec s[] = {
		{"2026-10-01", "a", "code", "p", P(1), NULL}, {"2026-10-01", "b", "code", "p", P(1), NULL},
		{"2026-10-01", "c", "code", "p", P(1), NULL}, {"2026-10-01", "d", "code", "q", P(2), NULL},
	};
	run_engine(&e, &cfg, s, 4, NULL, NULL, err);
	int st;
	const char *out = render_budget(&e, 1000001, NULL, &st);
	tap_is_int(st, ATTR_OK, "budget: written");
	tap_is_int(sum_last_column(out), 1000001, "budget: 1.000001 over 3/5 and 2/5, then thirds: sums exactly");
	tap_ok(strstr(out, "\tUSD\t0.600001\ta\t1\t0\t0.333334\t0.200001\n") != NULL,
	       "budget: p takes the larger remainder, and its first third the micro-unit left");
	int64_t paid[4] = {0};
	render_budget(&e, 1000000, paid, &st);
	tap_is_int(st, ATTR_EDATA, "budget balanced: two projects refused");
	attr_engine_free(&e);

	run_engine(&e, &cfg, s, 3, NULL, NULL, err);
	int64_t paid3[3] = {2000000, 0, 0}; /* a was paid 2.00, b and c nothing: 1.00 more goes to them */
	out = render_budget(&e, 1000000, paid3, &st);
	tap_is_int(sum_last_column(out), 1000000, "budget balanced: sums exactly");
	tap_ok(strstr(out, "\ta\t") == NULL, "budget balanced: a, ahead of its lifetime share, gets nothing");

	const char *agreements = "# a pool\nmatch\tpayee\tshare\np\tBand\t7/10\np\tpool\t30%\n";
	FILE *f = tmpfile();
	struct out o;
	long line;
	out_open_fd(&o, fileno(f), "tmp");
	tap_is_int(attr_write_pool(&o, &e, agreements, strlen(agreements), "pool", NULL, &line, err), ATTR_OK, "pool: written");
	out_close(&o);
	rewind(f);
	char buf[1024];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	tap_is_str(buf, "# a pool\nmatch\tpayee\tshare\np\tBand\t7/10\np\ta\t1/10\np\tb\t1/10\np\tc\t1/10\n",
		   "pool: 30%% x 1/3 each, exact, the other lines as written");
	attr_engine_free(&e);
}

/* ---- properties -------------------------------------------------------- */

static void shuffle(struct spec *s, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = tap_rand() % i;
		struct spec t = s[i - 1];
		s[i - 1] = s[j];
		s[j] = t;
	}
}

static bool sums_to_one(const struct attr_engine *e)
{
	for (size_t k = 0; k < e->nprojects; k++) {
		const struct attr_project *p = &e->projects[k];
		attr_u128 sum = 0;
		for (size_t i = p->first; i < p->first + p->n; i++)
			sum += e->members[i].num;
		if (sum != p->den)
			return false;
	}
	return true;
}

static void test_properties(void)
{
	static const char *const who[] = {"ana", "ben", "cat", "dan", "eve", "fay", "gus", "hal"};
	static const char *const kinds[] = {"code", "review", "doc"};
	static const char *const projects[] = {"p", "q"};
	static const char *const dates[] = {"2026-08-01", "2026-09-15", "2026-10-01", "2026-10-20"};
	static const char *const refs[] = {NULL, "r1", "r2"};
	struct attr_weights w;
	weights_from(&w, "kind\tweight\tcap\ncode\t3\t10\nreview\t1.5\ndoc\t0.25\t2\n");
	int sums_ok = 0, same_ok = 0, runs = 300;
	char *first = malloc(1 << 20);
	for (int run = 0; run < runs; run++) {
		struct spec s[60];
		size_t n = 1 + tap_rand() % 60;
		for (size_t i = 0; i < n; i++)
			s[i] = (struct spec){dates[tap_rand() % 4], who[tap_rand() % 8], kinds[tap_rand() % 3],
					     projects[tap_rand() % 2], (int64_t)(tap_rand() % 5000000), refs[tap_rand() % 3]};
		struct attr_config cfg = {.weights = &w, .have_as_of = true, .half_life = 1 + (int64_t)(tap_rand() % 90),
					  .transform = (enum attr_transform)(tap_rand() % 3)};
		date_parse("2026-10-31", 10, &cfg.as_of);
		struct ratio cap = {1, 2 + tap_rand() % 3}, min = {1, 20};
		bool use_cap = tap_rand() % 2, use_min = tap_rand() % 2;
		struct attr_engine e;
		char err[ATTR_ERR];
		int st = run_engine(&e, &cfg, s, n, use_min ? &min : NULL, use_cap ? &cap : NULL, err);
		if (st == ATTR_OK) {
			sums_ok += sums_to_one(&e);
			strcpy(first, render(&e, attr_write_shares));
			strcat(first, render(&e, attr_write_explain));
		} else {
			sums_ok++;
			snprintf(first, 1 << 20, "error %d %s", st, err);
		}
		attr_engine_free(&e);
		shuffle(s, n);
		st = run_engine(&e, &cfg, s, n, use_min ? &min : NULL, use_cap ? &cap : NULL, err);
		char *again = malloc(1 << 20);
		if (st == ATTR_OK) {
			strcpy(again, render(&e, attr_write_shares));
			strcat(again, render(&e, attr_write_explain));
		} else {
			snprintf(again, 1 << 20, "error %d %s", st, err);
		}
		same_ok += strcmp(first, again) == 0;
		free(again);
		attr_engine_free(&e);
	}
	free(first);
	attr_weights_free(&w);
	tap_is_int(sums_ok, runs, "property: shares sum to exactly 1 per project (%d random runs)", runs);
	tap_is_int(same_ok, runs, "property: shuffled rows give byte-identical shares and explanation");
}

int main(void)
{
	test_points();
	test_decay_transform();
	test_refs();
	test_time();
	test_cap_min();
	test_files();
	test_git();
	test_budget_pool();
	test_properties();
	return tap_done();
}
