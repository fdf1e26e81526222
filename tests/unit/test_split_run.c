/* test_split_run.c - unit tests of a run of tally-split (lib/split/split_run.c,
 * split_rows.c, split_write.c) and its text (split_format.c).
 *
 * Plan: the share column's rounding (half to even, six decimals) and
 * percentages; the default payee's escaped columns; the note on weights
 * below 1; the waterfall columns of a capped agreement; a whole run over a
 * small stream: parts written, rows rejected with their exact reasons
 * (bad currency, date, amount, unknown kind), kinds passed over, products
 * no agreement matches listed; a refund by its sale_date and by the state
 * (the refund-date rule), the catch-all refund refused; the columns that do
 * not fit (a column tally-split adds, a missing one, a field matched on
 * that the stream lacks); a re-run with the state that passes every row
 * over and leaves the -o file as it was, and one whose amount changed,
 * whose difference is split. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readall.h"
#include "split_format.h"
#include "split_run.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_split_run.XXXXXX";

static void test_share(void)
{
	static const struct {
		int64_t amount, basis;
		const char *want;
	} cases[] = {
		{15, 100, "0.15"}, {1, 3, "0.333333"}, {2, 3, "0.666667"}, {-5, 10, "0.5"}, {7, 7, "1"},
		{1, 2000000, "0"}, {3, 2000000, "0.000002"}, {-300, -100, "3"}, {0, 5, "0"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char buf[32];
		size_t n = split_format_share(buf, cases[i].amount, cases[i].basis);
		tap_is_str(buf, cases[i].want, "share %lld/%lld", (long long)cases[i].amount, (long long)cases[i].basis);
		tap_is_int(n, strlen(cases[i].want), "  its length");
	}
	char buf[64];
	tap_is_str(split_percent(buf, sizeof buf, (struct ratio){15, 100}), "15%", "percent 15/100");
	tap_is_str(split_percent(buf, sizeof buf, (struct ratio){1, 3}), "33.333333%", "percent 1/3");
	tap_is_str(split_percent(buf, sizeof buf, (struct ratio){INT64_MAX, 1}), "9223372036854775807",
		   "percent that overflows: the ratio");
	tap_is_str(split_on_name(SPLIT_ON_ALL), "everything", "on name: all");
	tap_is_str(split_on_name(SPLIT_ON_KIND), "kind", "on name: kind");
	tap_is_str(split_on_name(SPLIT_ON_SOURCE), "source", "on name: source");
	tap_is_str(split_on_name(SPLIT_ON_PRODUCT), "product", "on name: product");
	tap_is_str(split_on_name(SPLIT_ON_SKU), "sku", "on name: sku");
}

static void test_default_prefix(void)
{
	size_t len;
	char *p = split_default_prefix("A\tB\\C\nD\rE", &len);
	tap_ok(p != NULL, "default prefix made");
	if (p) {
		tap_is_int(len, strlen("\tA\\tB\\\\C\\nD\\rE\t1\tdefault\t"), "  its length");
		tap_ok(memcmp(p, "\tA\\tB\\\\C\\nD\\rE\t1\tdefault\t", len) == 0, "  escaped as tsv.h does");
	}
	free(p);
}

static int parse(struct split_rules *r, const char *text)
{
	long line = 0;
	char err[256];
	return split_rules_parse(r, "a.tsv", text, strlen(text), &line, err, sizeof err);
}

static void test_fraction_note(void)
{
	struct split_rules r;
	char note[512];
	tap_is_int(parse(&r, "match\tpayee\tshare\n*\tA\t0.6\n*\tB\t0.3\n"), SPLIT_OK, "fraction weights parse");
	tap_is_str(split_fraction_note(&r.agreements[0].tiers[0], note, sizeof note),
		   "tier 1: weights below 1 that sum to 0.9, not 1, are divided in proportion (A 66.666667%, B 33.333333%); "
		   "if they are fractions of the whole, write percentages that total 100%",
		   "the note names each payee's percentage");
	split_rules_free(&r);
}

static void test_waterfall(void)
{
	struct split_rules r;
	tap_is_int(parse(&r, "match\ttier\tpayee\tshare\tcap\n*\t1\tM\t10%\t\n*\t2\tL\t100%\t50.00 USD\n*\t3\tB\t100%\t\n"),
		   SPLIT_OK, "capped agreement parses");
	struct split_part parts[4];
	struct split_step steps[SPLIT_MAX_TIERS];
	size_t n;
	const struct split_agreement *a = &r.agreements[0];
	tap_is_int(split_apply(&r, a, 100000000, "USD", 0, NULL, parts, &n, steps), SPLIT_OK, "100.00 applied");
	tap_is_int(n, 3, "  three parts");
	struct split_waterfall wf;
	split_waterfall_caps(a, steps, &wf);
	tap_is_str(wf.recoupment, "3:50.00:USD:50.00", "  the cap recouped in full");
	split_waterfall_of(a, steps, &parts[2], &wf);
	tap_is_int(wf.reached, 40000000, "  40.00 reaches the band");
	tap_is_int(wf.commission, 10000000, "  after 10.00 commission");
	tap_is_int(wf.recouped, 50000000, "  and 50.00 recouped");
	split_waterfall_of(a, steps, &parts[0], &wf);
	tap_is_int(wf.reached, 100000000, "  all reaches the manager");
	tap_is_int(wf.commission + wf.recouped, 0, "  nothing taken before");
	split_rules_free(&r);
}

/* ---- whole runs ---- */

static char rejected[4096]; /* reasons of rejected rows, one a line */

static void on_reject(void *ctx, const struct tsv_reader *in, const char *reason)
{
	(void)ctx;
	size_t used = strlen(rejected);
	snprintf(rejected + used, sizeof rejected - used, "%ld: %s\n", in->line, reason);
}

static void put_file(const char *name, const char *text, char *path, size_t cap)
{
	snprintf(path, cap, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static char *get_file(const char *path)
{
	char *text = NULL;
	size_t len;
	if (readall_path(path, &text, &len) != 0)
		return strdup("(unreadable)");
	return text;
}

/* Everything of one run: options, the statuses of its steps, what it wrote. */
struct trial {
	struct split_options opt;
	const char *agreements, *stream;
	int columns, state, rows, finish, commit; /* statuses */
	char err[1024];                           /* the last failing step's message */
	char *out;                                /* the output (-o file, owned) */
	long split, seen, changed, passed, unmatched;
	char notes[512];
	bool explain;                             /* write --explain into explained */
	char *explained;                          /* (owned) */
};

static char out_path[300], state_path[300];

static void trial_run(struct trial *t, bool keep_state)
{
	static struct split_run run;
	char path[300];
	static char kinds[sizeof KINDS_DEFAULT];
	char *list = kinds, *tok;
	memcpy(kinds, KINDS_DEFAULT, sizeof kinds);
	memset(&run, 0, sizeof run);
	rejected[0] = '\0';
	if (t->opt.nkinds == 0)
		while ((tok = strsep(&list, ",")))
			t->opt.kinds[t->opt.nkinds++] = tok;
	snprintf(out_path, sizeof out_path, "%s/out.tsv", tmpdir);
	snprintf(state_path, sizeof state_path, "%s/split.state", tmpdir);
	if (!keep_state)
		remove(state_path);
	t->opt.output = out_path;
	run.opt = t->opt;
	run.reject = on_reject;
	t->columns = t->state = t->rows = t->finish = t->commit = 99;
	t->out = NULL;
	if (parse(&run.rules, t->agreements) != SPLIT_OK || split_run_start(&run) != SPLIT_OK)
		goto done;
	put_file("in.tsv", t->stream, path, sizeof path);
	char *files[] = {path};
	if (tsv_open(&run.in, files, 1) != 0)
		goto done;
	struct lock lock = {-1, NULL};
	if ((t->columns = split_run_columns(&run)) != SPLIT_OK ||
	    (t->state = split_run_load_state(&run, &lock, NULL, NULL)) != SPLIT_OK ||
	    (t->state = split_run_prescan(&run, files, 1)) != SPLIT_OK)
		goto done;
	if (out_open_file(&run.output_file, out_path) < 0)
		goto done;
	run.out = &run.output_file;
	snprintf(path, sizeof path, "%s/explain.txt", tmpdir);
	run.opt.explain = path;
	run.explaining = t->explain && out_open_file(&run.explain, path) == 0;
	split_run_header(&run);
	int rc;
	t->rows = SPLIT_OK;
	while (t->rows == SPLIT_OK && (rc = tsv_next(&run.in)) != 0)
		t->rows = split_run_row(&run, rc);
	if (t->rows == SPLIT_OK && (t->finish = split_run_finish(&run)) == SPLIT_OK)
		t->commit = split_run_commit(&run);
	if (t->finish != SPLIT_EUNMATCHED && t->commit != SPLIT_OK)
		out_abort(run.out);
	lock_release(&lock);
	t->out = get_file(out_path);
	t->explained = t->explain ? get_file(path) : NULL;
	t->split = run.rows_split;
	t->seen = run.rows_seen;
	t->changed = run.rows_changed;
	t->passed = run.passed.total;
	t->unmatched = (long)run.nunmatched;
	split_run_seen_notes(&run, t->notes, sizeof t->notes);
	if (t->finish == SPLIT_EUNMATCHED) {
		char line[512];
		snprintf(t->err, sizeof t->err, "%s | %s", split_run_unmatched(&run, 0, line, sizeof line),
			 split_run_unmatched(&run, run.nunmatched, line + 256, sizeof line - 256));
	}
done:
	if (t->finish != SPLIT_EUNMATCHED)
		snprintf(t->err, sizeof t->err, "%s", run.err);
	split_run_free(&run);
}

#define HEAD "date\tsource\torder\tline\tproduct\tsku\tkind\tsale_date\tcurrency\tgross\tnet\n"
#define AGREE "match\ttier\tpayee\tshare\nBook\t1\tAna\t60%\nBook\t1\tBo\t40%\n*\t1\tBand\t100%\n"

static void test_rows(void)
{
	struct trial t = {.agreements = AGREE,
			  .stream = HEAD
			  "2026-10-01\tg\t1\t1\tBook\ts\tsale\t\tUSD\t10.00\t9.00\n"
			  "2026-10-02\tg\t2\t1\tBook\ts\tsale\t\tXXX\t1\t1\n"
			  "2026-10-02\tg\t3\t1\tBook\ts\tsale\t\tUSD\t1\t1x\n"
			  "nope\tg\t4\t1\tBook\ts\tsale\t\tUSD\t1\t1\n"
			  "2026-10-02\tg\t5\t1\tBook\ts\tgift\t\tUSD\t1\t1\n"
			  "2026-10-02\tg\t6\t1\tBook\ts\tpayout\t\tUSD\t1\t1\n"
			  "2026-10-03\tg\t7\t1\tMug\ts\tsale\t\tUSD\t3.00\t3.00\n"
			  "2026-10-04\tg\t1\t1\tBook\ts\trefund\t2026-10-01\tUSD\t-10.00\t-9.00\n"};
	t.opt.agreements = "a.tsv";
	t.opt.rejects = "r.tsv";
	t.opt.waterfall = true;
	trial_run(&t, false);
	tap_is_int(t.columns, SPLIT_OK, "rows: columns found");
	tap_is_int(t.rows, SPLIT_OK, "rows: every row handled");
	tap_is_int(t.commit, SPLIT_OK, "rows: committed");
	tap_is_int(t.split, 3, "  three rows split");
	tap_is_int(t.passed, 1, "  the payout passed over");
	tap_is_str(rejected,
		   "3: column \"currency\": \"XXX\" is not a known currency\n"
		   "4: column \"net\": \"1x\" is not an amount\n"
		   "5: column \"date\": \"nope\" is not a date\n"
		   "6: column \"kind\": \"gift\" is not a kind of the sales stream (sale, refund, chargeback, subscription, "
		   "tip, fee, payout, adjustment; or name it in --kinds)\n",
		   "  the bad rows rejected with their reasons");
	tap_is_str(t.out,
		   "date\tsource\torder\tline\tproduct\tsku\tkind\tsale_date\tcurrency\tgross\tnet\tpayee\ttier\tagreement\tshare\tamount\treached\tcommission\trecouped\trecoupment\n"
		   "2026-10-01\tg\t1\t1\tBook\ts\tsale\t\tUSD\t10.00\t9.00\tAna\t1\t2\t0.6\t5.40\t9.00\t0.00\t0.00\t\n"
		   "2026-10-01\tg\t1\t1\tBook\ts\tsale\t\tUSD\t10.00\t9.00\tBo\t1\t3\t0.4\t3.60\t9.00\t0.00\t0.00\t\n"
		   "2026-10-03\tg\t7\t1\tMug\ts\tsale\t\tUSD\t3.00\t3.00\tBand\t1\t4\t1\t3.00\t3.00\t0.00\t0.00\t\n"
		   "2026-10-04\tg\t1\t1\tBook\ts\trefund\t2026-10-01\tUSD\t-10.00\t-9.00\tAna\t1\t2\t0.6\t-5.40\t-9.00\t0.00\t0.00\t\n"
		   "2026-10-04\tg\t1\t1\tBook\ts\trefund\t2026-10-01\tUSD\t-10.00\t-9.00\tBo\t1\t3\t0.4\t-3.60\t-9.00\t0.00\t0.00\t\n",
		   "  the parts, with the waterfall columns");
	free(t.out);
}

static void test_unmatched(void)
{
	struct trial t = {.agreements = "match\tpayee\tshare\nBook\tAna\t100%\n",
			  .stream = HEAD "2026-10-01\tg\t1\t1\tMug\ts\tsale\t\tUSD\t3.00\t3.00\n"
					 "2026-10-01\tg\t2\t1\tMug\ts\tsale\t\tEUR\t1.00\t1.00\n"};
	t.opt.agreements = "a.tsv";
	trial_run(&t, false);
	tap_is_int(t.finish, SPLIT_EUNMATCHED, "unmatched: the run stops before the commit");
	tap_is_str(t.err,
		   "column \"product\": \"Mug\" matches no agreement (source \"g\", sku \"s\", kind \"sale\"): 2 rows, 3.00 USD "
		   "and more in other currencies | 1 product matches no agreement in a.tsv: nothing written; --default-payee "
		   "takes such rows",
		   "  the product listed, with its rows and total");
	free(t.out);
	/* with the default payee they are its */
	t.opt.default_payee = "Band";
	t.opt.nkinds = 0;
	trial_run(&t, false);
	tap_is_int(t.commit, SPLIT_OK, "default payee: committed");
	tap_ok(strstr(t.out, "\tBand\t1\tdefault\t1\t3.00\n") != NULL, "  the default payee takes all");
	free(t.out);
	/* with --rejects, each row is rejected */
	t.opt.default_payee = NULL;
	t.opt.rejects = "r.tsv";
	t.opt.nkinds = 0;
	trial_run(&t, false);
	tap_is_int(t.commit, SPLIT_OK, "unmatched with --rejects: committed");
	tap_ok(strstr(rejected, "2: column \"product\": \"Mug\" matches no agreement") != NULL, "  the row rejected");
	free(t.out);
}

static void test_columns(void)
{
	struct trial t = {.agreements = AGREE, .stream = "date\tkind\tcurrency\tnet\tpayee\n"};
	t.opt.agreements = "a.tsv";
	trial_run(&t, false);
	tap_is_int(t.columns, SPLIT_EUSAGE, "a column tally-split adds: usage");
	tap_ok(strstr(t.err, ": the input already has a column \"payee\" (is it split already?)") != NULL, "  says so");
	t.stream = "date\tcurrency\tnet\tproduct\n";
	trial_run(&t, false);
	tap_is_int(t.columns, SPLIT_EMISSING, "a missing column");
	tap_is_str(t.err, "kind", "  named");
	t.stream = "date\tkind\tcurrency\tnet\tproduct\treached\n";
	t.opt.waterfall = true;
	trial_run(&t, false);
	tap_is_int(t.columns, SPLIT_EUSAGE, "a column --waterfall adds: usage");
	t.agreements = "match\tpayee\tshare\nsku:X\tA\t100%\n";
	t.stream = "date\tkind\tcurrency\tnet\n";
	trial_run(&t, false);
	tap_is_int(t.columns, SPLIT_EFAIL, "matched on a field the stream lacks");
	tap_ok(strstr(t.err, ": no column \"sku\", which the agreements match on (a.tsv): column names are lower case") != NULL,
	       "  says which");
}

static void test_state(void)
{
	const char *month = HEAD "2026-10-01\tg\t1\t1\tBook\ts\tsale\t\tUSD\t10.00\t9.00\n"
				 "2026-10-01\tg\t2\t1\tMug\ts\tsale\t\tUSD\t4.00\t4.00\n";
	struct trial t = {.agreements = AGREE, .stream = month};
	t.opt.agreements = "a.tsv";
	t.opt.state = state_path;
	trial_run(&t, false);
	tap_is_int(t.commit, SPLIT_OK, "state: the first run commits");
	tap_is_int(t.split, 2, "  two rows split");
	char *first = t.out;
	t.opt.nkinds = 0;
	trial_run(&t, true);
	tap_is_int(t.commit, SPLIT_NOTE, "state: a re-run changes nothing");
	tap_is_int(t.seen, 2, "  both rows passed over");
	tap_ok(strstr(t.err, "out.tsv is left as it was: the run that split this input wrote it") != NULL, "  the -o file kept");
	tap_is_str(t.out, first, "  as it was");
	tap_ok(strstr(t.notes, "passed over 2 rows split already (state ") != NULL, "  the note");
	free(t.out);
	/* the book's sale corrected, and its refund split by the state's record of it */
	t.stream = HEAD "2026-10-01\tg\t1\t1\tBook\ts\tsale\t\tUSD\t11.00\t10.00\n"
			"2026-10-01\tg\t2\t1\tMug\ts\tsale\t\tUSD\t4.00\t4.00\n"
			"2026-11-05\tg\t1\t1\tBook\ts\trefund\t\tUSD\t-11.00\t-10.00\n";
	t.opt.nkinds = 0;
	trial_run(&t, true);
	tap_is_int(t.commit, SPLIT_OK, "state: a changed row commits");
	tap_is_int(t.changed, 1, "  one row changed");
	tap_is_int(t.seen, 1, "  one passed over");
	tap_ok(strstr(t.out, "2026-10-01\tg\t1\t1\tBook\ts\tsale\t\tUSD\t1.00\t1.00\tAna\t1\t2\t0.6\t0.60\n") != NULL,
	       "  the difference split, in the basis column and in gross (no fee made up of 11.00 - 1.00)");
	tap_ok(strstr(t.out, "2026-11-05\tg\t1\t1\tBook\ts\trefund\t\tUSD\t-11.00\t-10.00\tBo\t1\t3\t0.4\t-4.00\n") != NULL,
	       "  the refund by its sale's agreement");
	tap_ok(strstr(t.notes, "\n1 row changed since it was split: the difference was split") != NULL, "  both notes");
	free(t.out);
	free(first);
	/* the agreement edited in place: its sale's refund cannot be split */
	t.agreements = "match\tpayee\tshare\n*\tCat\t100%\n";
	t.stream = HEAD "2026-11-06\tg\t2\t1\tMug\ts\trefund\t\tUSD\t-4.00\t-4.00\n";
	t.opt.nkinds = 0;
	t.opt.rejects = "r.tsv";
	trial_run(&t, true);
	tap_ok(strstr(rejected, "2: its sale was split by the agreement \"*\" (state ") != NULL &&
	       strstr(rejected, "as it was before an edit in place") != NULL, "an agreement edited in place: the refund rejected");
	free(t.out);
	/* the agreement gone */
	t.agreements = "match\tpayee\tshare\nMug\tCat\t100%\n";
	t.opt.nkinds = 0;
	trial_run(&t, true);
	tap_ok(strstr(rejected, "which a.tsv no longer has; put it back (with its from and to) to split this row") != NULL,
	       "an agreement gone: the refund rejected");
	free(t.out);
}

static void test_explain(void)
{
	struct trial t = {.agreements = "match\ttier\tpayee\tshare\tcap\n*\t1\tM\t10%\t\n*\t2\tL\t100%\t50.00 USD\n*\t3\tB\t100%\t\n",
			  .stream = HEAD "2026-10-01\tg\t1\t1\tBook\ts\tsale\t\tUSD\t100.00\t100.00\n",
			  .explain = true};
	t.opt.agreements = "a.tsv";
	t.opt.state = state_path;
	trial_run(&t, false);
	tap_is_int(t.commit, SPLIT_OK, "explain: committed");
	tap_ok(strstr(t.explained, "  tier 2: 90.00 reaches it; it takes 100% of it = 90.00, cap 50.00 USD recouped 0.00 -> 50.00: "
				   "50.00; L 50.00; 40.00 flows on\n") != NULL, "  the capped tier explained");
	free(t.out);
	free(t.explained);
	/* the same row in another currency: never split again */
	t.stream = HEAD "2026-10-01\tg\t1\t1\tBook\ts\tsale\t\tEUR\t100.00\t100.00\n";
	t.opt.rejects = "r.tsv";
	t.opt.nkinds = 0;
	trial_run(&t, true);
	tap_ok(strstr(rejected, "2: column \"currency\": \"EUR\", but the row was split in USD before (state ") != NULL,
	       "a row split before in another currency: rejected");
	free(t.out);
	free(t.explained);
}

static void test_catch_all_refund(void)
{
	struct trial t = {.agreements = AGREE,
			  .stream = HEAD "2026-10-04\tg\t9\t1\tOther\ts\trefund\t\tUSD\t-1.00\t-1.00\n"};
	t.opt.agreements = "a.tsv";
	t.opt.rejects = "r.tsv";
	trial_run(&t, false);
	tap_is_str(rejected,
		   "2: refund of (g, 9, 1): its sale is not in the state (no --state) and it has no sale_date, and its "
		   "product \"Other\" reaches only the catch-all agreement \"*\" (a.tsv line 4); split it with its sale, "
		   "or give it its sale's product\n",
		   "a refund only the catch-all reaches is never guessed");
	free(t.out);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	test_share();
	test_default_prefix();
	test_fraction_note();
	test_waterfall();
	test_rows();
	test_unmatched();
	test_columns();
	test_state();
	test_catch_all_refund();
	test_explain();
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
