/* test_attribute_job.c - unit tests of a tally-attribute run
 * (lib/attribute/attribute_job.c).
 *
 * Plan: a run from a weights file and a contributions stream to shares,
 * with its closing notes (rows after --as-of, kinds weighing 0, rows
 * counted once); each way a step fails and what it says (a file that is
 * not there, a side file with a bad row, a stream missing a required
 * column with the header kept for the command, a bad row with its line, a
 * header that is not TSV, nothing left to share and why); --diff's old
 * shares read and refused; a mapping that is not there or is bad; the
 * methods of other modules on their inputs (markov paths, peer gifts and
 * the points burnt, an empty graph). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attribute_job.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_attribute_job.XXXXXX";
static char notes[4096];

static void collect(void *ctx, const char *msg)
{
	(void)ctx;
	strncat(notes, msg, sizeof notes - strlen(notes) - 2);
	strcat(notes, "\n");
}

/* The path of a file NAME holding TEXT (static, one at a time per name). */
static const char *file(const char *name, const char *text)
{
	static char paths[8][300];
	static int next;
	char *path = paths[next++ % 8];
	snprintf(path, 300, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

/* A job with the options GIVEN as (getopt value, argument) pairs ended by 0. */
static void job_init(struct attr_job *job, const int *c, const char *const *arg)
{
	char err[ATTR_ERR];
	memset(job, 0, sizeof *job);
	attr_opts_init(&job->opt);
	for (size_t i = 0; c[i]; i++)
		attr_opts_set(&job->opt, c[i], arg[i], err, sizeof err);
	attr_opts_check(&job->opt, 1, err, sizeof err);
	job->note = collect;
	notes[0] = '\0';
}

/* Run the job on PATH: whether every step went, f saying why not. */
static bool run(struct attr_job *job, const char *path, struct attr_fail *f)
{
	char *files[] = {(char *)path};
	return attr_job_start(job, 0, f) && attr_job_read(job, files, path ? 1 : 0, f) && attr_job_shares(job, f);
}

static const char contributions[] = "date\tcontributor\tkind\tproject\tref\n"
				    "2026-01-02\tann\tcode\tp\tc1\n"
				    "2026-01-03\tann\tcode\tp\tc1\n"
				    "2026-01-04\tbo\treview\tp\t\n"
				    "2026-01-05\tcy\tchat\tp\t\n"
				    "2027-01-01\tbo\tcode\tp\t\n";

static void test_run(void)
{
	struct attr_job job;
	struct attr_fail f;
	const char *weights = file("w.tsv", "kind\tweight\ncode\t3\nreview\t1\nchat\t0\n");
	static const int c[] = {'w', ATTR_OPT_AS_OF, 0};
	const char *const a[] = {weights, "2026-12-31"};
	job_init(&job, c, a);
	tap_ok(run(&job, file("c.tsv", contributions), &f), "a run to shares");
	tap_ok(job.engine.nmembers == 2, "two contributors share (%zu)", job.engine.nmembers);
	attr_job_notes(&job);
	tap_is_str(notes,
		   "left out 1 row dated after --as-of 2026-12-31\n"
		   "left out 1 row of kinds that weigh 0\n"
		   "counted once 1 row repeating a (project, contributor, kind, ref)\n",
		   "the closing notes");

	struct attr_old_share *old;
	size_t n;
	const char *shares = file("old.tsv", "project\tcontributor\tshare\np\tann\t3/4\np\tbo\t1/4\n");
	tap_ok(attr_job_old_shares(&job, shares, &old, &n, &f) && n == 2 && old[1].share.num == 1 &&
		       strcmp(old[0].contributor, "ann") == 0,
	       "--diff: the old shares read");
	attr_old_shares_free(old, n);
	tap_ok(!attr_job_old_shares(&job, file("bad.tsv", "project\tcontributor\tshare\np\tann\tlots\n"), &old, &n, &f) &&
		       f.line == 2 && strcmp(f.msg, "column \"share\": \"lots\" is not a share") == 0,
	       "... a share that is not one refused at its line: %s", f.msg);
	attr_old_shares_free(old, n);
	tap_ok(!attr_job_old_shares(&job, file("bad.tsv", "project\tshare\n"), &old, &n, &f) && f.column &&
		       strcmp(f.msg, "contributor") == 0 && f.status == 2,
	       "... a missing column named, the header kept");
	attr_job_free(&job);
}

/* The failure of a run of the contributions stream TEXT with option C ARG
 * (0: none) in f; false when it did not fail. */
static bool fails(int c, const char *arg, const char *text, struct attr_fail *f)
{
	struct attr_job job;
	int cs[] = {c, ATTR_OPT_AS_OF, 0};
	const char *const as[] = {arg, "2026-12-31"};
	job_init(&job, c ? cs : cs + 1, c ? as : as + 1);
	bool failed = !run(&job, text ? file("f.tsv", text) : NULL, f);
	attr_job_free(&job);
	return failed;
}

static void test_failures(void)
{
	struct attr_fail f;
	tap_ok(fails('w', "/nonexistent/w.tsv", contributions, &f) && f.status == 2 &&
		       strcmp(f.file, "/nonexistent/w.tsv") == 0 && strcmp(f.msg, "No such file or directory") == 0,
	       "a side file that is not there: exit 2");
	tap_ok(fails('A', file("a.tsv", "alias\tpayee\nx\n"), contributions, &f) && f.status == 1 && f.line > 0,
	       "an aliases file with a bad row: at its line (%s:%ld: %s)", f.file, f.line, f.msg);
	tap_ok(fails(0, NULL, "date\tcontributor\tproject\n", &f) && f.column && strcmp(f.msg, "kind") == 0,
	       "a stream missing kind: named for the command");
	tap_ok(fails(0, NULL, "date\tcontributor\tkind\tproject\n2026-13-01\tann\tcode\tp\n", &f) && f.line == 2 &&
		       strstr(f.msg, "column \"date\"") == f.msg,
	       "a bad date at its line: %s", f.msg);
	tap_ok(fails(0, NULL, "date\tcontributor\tkind\tproject\n2026-01-01\tann\n", &f) && f.status == 1 &&
		       f.line == 2,
	       "a short row: %s", f.msg);
	tap_ok(fails(0, NULL, "", &f) && f.line == 1 && f.status == 1, "no header: %s", f.msg);
	tap_ok(fails(0, NULL, "date\tcontributor\tkind\tproject\n", &f) &&
		       strcmp(f.msg, "no contributions to share: the input has no rows after its header") == 0,
	       "no rows");
	tap_ok(fails(ATTR_OPT_POLICY, "immediate", "date\tcontributor\tkind\tproject\n2026-01-01\tann\tcode\tp\n", &f) &&
		       strcmp(f.msg, "no contributions to share: 1 row read, all left out: 1 dated before 2026-12 "
				     "(--policy immediate)") == 0,
	       "all left out: told why (%s)", f.msg);
	tap_ok(fails('M', "/nonexistent/map", contributions, &f) && f.status == 2, "a mapping that is not there");
	tap_ok(fails('M', file("m.map", "nonsense\n"), contributions, &f) && f.status == 1 && !f.file[0] &&
		       strncmp(f.msg, tmpdir, strlen(tmpdir)) == 0,
	       "a bad mapping: named (%s)", f.msg);
	tap_ok(fails(ATTR_OPT_ALLC, "/nonexistent/allc", NULL, &f) && f.status == 2, "an all-contributors file not there");
	tap_ok(fails(ATTR_OPT_ALLC, file("allc", "{"), NULL, &f) && f.status == 1, "a bad one: %s", f.msg);
	tap_ok(fails('g', "/nonexistent/repo", NULL, &f) && f.status == 2 && strstr(f.msg, "failed (status 128)"),
	       "--git on no repository: git's status (%s)", f.msg);
}

static void test_methods(void)
{
	struct attr_job job;
	struct attr_fail f;
	static const int markov[] = {'m', 0};
	const char *const markov_arg[] = {"markov"};
	job_init(&job, markov, markov_arg);
	tap_ok(!run(&job, file("p.tsv", "date\tcontributor\n"), &f) && f.status == 2 &&
		       strncmp(f.msg, "missing column", 14) == 0,
	       "markov without a path column: exit 2 (%s)", f.msg);
	attr_job_free(&job);

	static const int peer[] = {'m', ATTR_OPT_CIRCLE, 0};
	const char *const peer_arg[] = {"peer", file("circle.tsv", "member\tbudget\nann\t10\nbo\t10\n")};
	job_init(&job, peer, peer_arg);
	tap_ok(run(&job, file("g.tsv", "period\tgiver\treceiver\tpoints\n2026-01\tann\tbo\t4\n"), &f), "peer gifts: %s", f.msg);
	tap_ok(strstr(notes, "burnt 16 points left unallocated") != NULL, "... the points burnt told: %s", notes);
	attr_job_free(&job);

	static const int graph[] = {'m', ATTR_OPT_EDGES, ATTR_OPT_SEED, 0};
	const char *const graph_arg[] = {"graph", file("e.tsv", "from\tto\tweight\n"), file("s.tsv", "node\tweight\n")};
	job_init(&job, graph, graph_arg);
	tap_ok(!run(&job, NULL, &f) && strstr(f.msg, ": no edge and no seed node") != NULL, "an empty graph: %s", f.msg);
	attr_job_free(&job);

	static const int revenue[] = {'m', ATTR_OPT_REVENUE, 0};
	const char *const revenue_arg[] = {"graph", "/nonexistent/sales.tsv"};
	job_init(&job, revenue, revenue_arg);
	tap_ok(!run(&job, file("c.tsv", contributions), &f) && f.status == 2, "--revenue not there");
	attr_job_free(&job);
	job_init(&job, revenue, revenue_arg);
	tap_ok(!run(&job, file("c.tsv", "date\tcontributor\tkind\tproject\n"), &f) &&
		       strstr(f.msg, "no contributions to share") == NULL,
	       "... told before an empty input");
	attr_job_free(&job);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	test_run();
	test_failures();
	test_methods();
	tap_is_str(attr_display("-"), "<stdin>", "stdin displayed");
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
