/* test_report_run.c - unit tests of lib/report/report_run*.c and
 * report_opts.c: the option values and combinations (each message), then
 * runs over files in a scratch folder: a ledger settled and re-run, a
 * period closed before it is over, the ledger's damage refused (a cut
 * ledger, a lost or stray key record, an edited row, a bad seal), a
 * missing column, and the atomic commit failing (a signal before the
 * first file, a document that cannot be written, a file-size limit
 * mid-commit) leaving the ledger as it was. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "report_run.h"
#include "tap.h"

static char dir[256];
static char warnings[4096]; /* every warning of the runs, one a line */
static volatile sig_atomic_t stop;
static int stop_at_warning;        /* set stop when a warning comes */
static struct report_run runs[32]; /* each run its own, kept to the end */
static size_t nruns;

static void on_tell(void *ctx, const char *file, long line, const char *msg)
{
	(void)ctx;
	size_t n = strlen(warnings);
	if (file)
		snprintf(warnings + n, sizeof warnings - n, "%s:%ld: %s\n", file, line, msg);
	else
		snprintf(warnings + n, sizeof warnings - n, "%s\n", msg);
	if (stop_at_warning)
		stop = 15;
}

static char *path_of(const char *name)
{
	static char buf[8][512];
	static int i;
	char *p = buf[i++ % 8];
	snprintf(p, 512, "%s/%s", dir, name);
	return p;
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(path_of(name), "w");
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *name)
{
	static char buf[4][8192];
	static int i;
	char *b = buf[i++ % 4];
	FILE *f = fopen(path_of(name), "r");
	size_t n = f ? fread(b, 1, 8191, f) : 0;
	b[n] = '\0';
	if (f)
		fclose(f);
	return b;
}

static struct report_run *new_run(void)
{
	struct report_run *R = &runs[nruns++];
	report_run_init(R);
	R->io = (struct report_run_io){on_tell, NULL, NULL};
	R->interrupted = &stop;
	R->opt.output = path_of("out.tsv");
	snprintf(R->opt.issue_date, sizeof R->opt.issue_date, "2027-01-01");
	R->opt.have_issue_date = true;
	warnings[0] = '\0';
	stop = 0;
	return R;
}

/* Run R over one file; its status (-1: R->fail). */
static int run(struct report_run *R, const char *file)
{
	char msg[512], *files[1] = {path_of(file)};
	if (!report_opts_check(&R->opt, msg, sizeof msg))
		return -2;
	int rc = report_run_load(R, files, 1);
	if (rc >= 0)
		rc = R->opt.summary ? report_run_summary(R, files, 1) : report_run_statements(R, files, 1);
	report_run_free(R);
	return rc;
}

static int ledger_run(const char *file)
{
	struct report_run *R = new_run();
	R->opt.ledger = path_of("l.tsv");
	return run(R, file);
}

static void test_opts_values(void)
{
	struct report_opts o = {0};
	char msg[256];
	tap_ok(report_opts_min_payout(&o, "USD=50,EUR=40.5", msg, sizeof msg) && o.nmins == 2 &&
		       o.mins[1].amount == 40500000, "--min-payout per currency");
	tap_ok(report_opts_min_payout(&o, "20,", msg, sizeof msg) && o.nmins == 3 && !o.mins[2].currency[0],
	       "... and a bare amount");
	tap_ok(!report_opts_min_payout(&o, "30", msg, sizeof msg), "a bare amount twice");
	tap_is_str(msg, "--min-payout: an amount without a currency given twice", "... says so");
	tap_ok(!report_opts_min_payout(&o, "USD=1", msg, sizeof msg), "a currency twice");
	tap_is_str(msg, "--min-payout: USD given twice", "... says so");
	tap_ok(!report_opts_min_payout(&o, "XX=1", msg, sizeof msg), "a bad currency");
	tap_is_str(msg, "--min-payout: \"XX\" is not a currency code", "... says so");
	tap_ok(!report_opts_min_payout(&o, "GBP=-1", msg, sizeof msg), "a negative amount");
	tap_is_str(msg, "--min-payout: \"-1\" is not an amount", "... says so");
	struct report_opts many = {0};
	tap_ok(!report_opts_min_payout(&many, "USD=1,EUR=1,GBP=1,JPY=1,CHF=1,CAD=1,AUD=1,NZD=1,SEK=1,NOK=1,DKK=1,"
				       "PLN=1,CZK=1,HUF=1,MXN=1,BRL=1,INR=1,CNY=1,HKD=1,SGD=1,KRW=1,ZAR=1,"
				       "TRY=1,ILS=1,THB=1,MYR=1,IDR=1,PHP=1,RON=1,BGN=1,ISK=1,TWD=1,CLP=1",
				       msg, sizeof msg), "too many currencies");
	tap_is_str(msg, "--min-payout: too many currencies", "... says so");
	tap_ok(!report_opts_issuer(&o, "", msg, sizeof msg), "an empty issuer");
	tap_is_str(msg, "--issuer: the name is empty", "... says so");
	tap_ok(!report_opts_issuer(&o, "a\tb", msg, sizeof msg), "an issuer with a TAB");
	tap_is_str(msg, "--issuer: the name has a control character (0x09): give it on one line", "... says so");
	tap_ok(report_opts_issuer(&o, "The Boats", msg, sizeof msg) && strcmp(o.issuer, "The Boats") == 0, "an issuer");
	tap_ok(!report_opts_issue_date(&o, "2026-02-30", msg, sizeof msg), "a day that does not exist");
	tap_is_str(msg, "--issue-date: \"2026-02-30\" is not a day (YYYY-MM-DD)", "... says so");
	tap_ok(report_opts_issue_date(&o, "2026-02-28", msg, sizeof msg) && o.have_issue_date, "a day");
	tap_ok(report_opts_currency("EUR", 3) && !report_opts_currency("EURO", 4), "currency codes");
}

/* Each combination refused, by the message it gives. */
static void test_opts_combinations(void)
{
	static const struct {
		struct report_opts o;
		const char *msg;
	} cases[] = {
		{{.check = true, .summary = true}, "--check and --summary do not go together"},
		{{.to = "EUR"}, "--fx and --to go together"},
		{{.output = "a", .out_dir = "d"}, "-o FILE writes one document, --out-dir DIR a file per payee: not both"},
		{{.summary = true, .ledger = "l"}, "--summary takes no --ledger, --out-dir or --min-payout"},
		{{.check = true, .out_dir = "d"}, "--check writes no statements: no --out-dir"},
		{{.payouts = 1}, "--payouts and --payees go together, without --check or --summary"},
		{{.payouts = 3, .payees = "p"}, "--payouts: several formats are several files: give --out-dir"},
		{{.paid = "p"}, "--paid goes with --ledger: a payment is recorded against its balance"},
		{{.partial = true, .merge = true}, "--partial and --merge do not go together"},
		{{.partial = true, .format = REPORT_TEXT},
		 "--partial writes partial sums: no --summary, --ledger, --out-dir, --min-payout or --format (give them to --merge)"},
		{{.merge = true, .ledger = "l"},
		 "--merge cannot settle --ledger: the ledger records each row it books and a partial holds sums, not rows; "
		 "merge without --ledger for the statements and --check, and settle the ledger with one tally-report "
		 "--ledger run over the month's allocations"},
		{{.merge = true, .fx_path = "r", .to = "EUR"},
		 "--merge reads partial sums: no --summary, --fx or --to (give --fx and --to to --partial)"},
		{{.have_opening = true}, "--opening goes with --ledger"},
		{{.have_opening = true, .ledger = "l", .have_period = true, .period = {PERIOD_YEAR, 1}},
		 "--opening and --period are periods of one kind"},
		{{.business = true}, "--business, --costs, --whatif and --forecast go with --summary"},
		{{.agreements = "a", .check = true},
		 "--agreements gives every payee a statement: no --summary, --check, --partial or --merge"},
		{{.have_balance = true}, "--balance goes with --forecast"},
		{{.summary = true, .issuer = "x"}, "--summary issues no statements: no --issuer or --issue-date"},
	};
	char msg[512];
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct report_opts o = cases[i].o;
		msg[0] = '\0';
		tap_ok(!report_opts_check(&o, msg, sizeof msg), "combination %zu refused", i);
		tap_is_str(msg, cases[i].msg, "... saying why");
	}
	struct report_opts o = {.ledger = "l", .have_opening = true, .opening = {PERIOD_QUARTER, 8100}};
	tap_ok(report_opts_check(&o, msg, sizeof msg) && o.kind == PERIOD_QUARTER && o.issue_date[0],
	       "--opening's kind is the run's; the issue date defaults to today");
}

#define HDR "date\tpayee\tcurrency\tamount\tnet\n"

static void test_ledger_runs(void)
{
	put("sep.tsv", HDR "2026-09-05\tAna\tUSD\t5.00\t5.00\n2026-09-06\tBen\tUSD\t1.50\t1.50\n");
	put("oct.tsv", HDR "2026-10-05\tAna\tUSD\t2.00\t2.00\n");
	tap_is_int(ledger_run("sep.tsv"), EXIT_OK, "September settles");
	tap_ok(strstr(slurp("l.tsv"), "2026-09/end") != NULL, "... into the ledger");
	tap_ok(strstr(slurp("l.tsv.keys"), "2026-09") != NULL && slurp("l.tsv.seal")[0], "... its key record and seal");
	tap_ok(strstr(slurp("out.tsv"), "Ana\t2026-09\tUSD\tearned_total\t\t\t5.00") != NULL, "... and -o has the statements");
	system("cp l.tsv sep-l.tsv; cp l.tsv.keys sep-l.keys; cp l.tsv.seal sep-l.seal");
	tap_is_int(ledger_run("sep.tsv"), EXIT_OK, "the re-run");
	tap_is_str(slurp("l.tsv"), slurp("sep-l.tsv"), "... appends nothing");
	/* October closed on its 20th: told, the ledger written */
	struct report_run *R = new_run();
	R->opt.ledger = path_of("l.tsv");
	snprintf(R->opt.issue_date, sizeof R->opt.issue_date, "2026-10-20");
	tap_is_int(run(R, "oct.tsv"), EXIT_OK, "October closed before it is over");
	char want[1024];
	snprintf(want, sizeof want, "%s: period 2026-10 is not over on 2026-10-20: it is closed now, and its sales "
				    "reported later will come as late income of a later period\n", path_of("l.tsv"));
	tap_is_str(warnings, want, "... is told");
	R = new_run();
	R->opt.ledger = path_of("l.tsv");
	R->opt.check = true;
	int rc;
	rc = run(R, "oct.tsv");
	tap_is_int(rc, EXIT_OK, "--check of October");
	if (rc)
		printf("#   %s\n", R->fail.msg);
	tap_is_str(slurp("out.tsv"), "period\tcurrency\tnet_sales\tallocated\tpaid\tcarried_change\tstatus\n"
				     "2026-10\tUSD\t2.00\t2.00\t2.00\t0.00\tok\n", "... adds up");
}

/* The ledger as it was after September (l.tsv and its files). */
static void restore(void)
{
	system("cp sep-l.tsv l.tsv; cp sep-l.keys l.tsv.keys; cp sep-l.seal l.tsv.seal; rm -f l.tsv.issued");
}

static void expect_fail(const char *what, const char *file, int status, const char *part)
{
	struct report_run *R = new_run();
	R->opt.ledger = path_of("l.tsv");
	int rc = run(R, file);
	tap_ok(rc == -1 && R->fail.status == status && strstr(R->fail.msg, part) != NULL, "%s", what);
	if (rc != -1 || !strstr(R->fail.msg, part))
		printf("#   rc %d, status %d, \"%s\"\n", rc, R->fail.status, R->fail.msg);
}

static void test_ledger_damage(void)
{
	/* after October, the ledger cut back to September: refused */
	restore();
	tap_is_int(ledger_run("oct.tsv"), EXIT_OK, "October settles");
	system("cp sep-l.tsv l.tsv");
	expect_fail("a ledger cut back a period is refused", "oct.tsv", EXIT_DATA,
		    "it was cut, emptied or restored from an older copy");
	restore();
	system("rm l.tsv.keys");
	expect_fail("a lost key record is refused", "oct.tsv", EXIT_DATA, "the ledger's key record is missing");
	restore();
	put("l.tsv.keys", "key\tperiod\tamount\nchain\t00000000000000aa\n");
	expect_fail("a stray or broken key record is refused", "oct.tsv", EXIT_DATA, "refusing to use the ledger");
	restore();
	system("sed -i '2s/5.00/6.00/' l.tsv");
	expect_fail("an edited ledger row is refused", "oct.tsv", EXIT_DATA, "refusing to use this ledger");
	restore();
	put("l.tsv.seal", "not a seal\n");
	expect_fail("a bad seal is refused", "oct.tsv", EXIT_DATA, "refusing to use the ledger");
	restore();
	put("bad.tsv", "date\tpayee\tamount\n2026-10-05\tAna\t1.00\n");
	struct report_run *R = new_run();
	R->opt.ledger = path_of("l.tsv");
	tap_ok(run(R, "bad.tsv") == -1 && R->fail.status == EXIT_USAGE && R->fail.column &&
		       strcmp(R->fail.column, "currency") == 0 && R->fail.reader, "a missing column names it");
	put("amt.tsv", HDR "2026-10-05\tAna\tUSD\t1.0x\t1.00\n");
	expect_fail("a bad amount names its column", "amt.tsv", EXIT_DATA, "column \"amount\": \"1.0x\"");
}

static void test_commit_failures(void)
{
	/* a signal before anything is written: nothing is */
	restore();
	struct report_run *R = new_run();
	R->opt.ledger = path_of("l.tsv");
	snprintf(R->opt.issue_date, sizeof R->opt.issue_date, "2026-10-20");
	stop_at_warning = 1; /* the "not over" warning comes after settling, before writing */
	int rc = run(R, "oct.tsv");
	stop_at_warning = 0;
	tap_ok(rc == -1 && strcmp(R->fail.msg, "interrupted by signal 15: nothing more written") == 0,
	       "a signal stops the run before it writes");
	tap_is_str(slurp("l.tsv"), slurp("sep-l.tsv"), "... the ledger as it was");
	/* the document cannot be written: the ledger is not */
	restore();
	mkdir(path_of("doc"), 0777);
	R = new_run();
	R->opt.ledger = path_of("l.tsv");
	R->opt.output = path_of("doc");
	rc = run(R, "oct.tsv");
	tap_ok(rc == -1 && R->fail.status == EXIT_USAGE && strstr(R->fail.msg, "doc: Is a directory") != NULL,
	       "-o that is a folder is refused");
	tap_is_str(slurp("l.tsv"), slurp("sep-l.tsv"), "... and the ledger is not written");
	/* a file-size limit: the key record cannot be written, the ledger stays */
	restore();
	struct rlimit was, small;
	getrlimit(RLIMIT_FSIZE, &was);
	small = was;
	small.rlim_cur = 64;
	signal(SIGXFSZ, SIG_IGN);
	R = new_run();
	R->opt.ledger = path_of("l.tsv");
	R->opt.output = path_of("small.tsv");
	put("small.tsv", "");
	setrlimit(RLIMIT_FSIZE, &small);
	rc = run(R, "oct.tsv");
	setrlimit(RLIMIT_FSIZE, &was);
	tap_ok(rc == -1 && R->fail.status == EXIT_DATA && strstr(R->fail.msg, "write error") != NULL,
	       "a write failing mid-commit stops the run");
	tap_is_str(slurp("l.tsv"), slurp("sep-l.tsv"), "... the ledger as it was");
}

int main(void)
{
	snprintf(dir, sizeof dir, "%s/tally-run-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir) || chdir(dir) < 0)
		return 1;
	test_opts_values();
	test_opts_combinations();
	test_ledger_runs();
	test_ledger_damage();
	test_commit_failures();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (chdir("/") == 0)
		system(cmd);
	return tap_done();
}
