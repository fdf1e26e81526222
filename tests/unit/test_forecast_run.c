/* test_forecast_run.c - unit tests of tally-forecast's run and output
 * (lib/forecast/forecast_run.c, lib/forecast/forecast_out.c).
 *
 * Plan: the defaults; binding a header: the value column by the stream
 * (net, amount of an allocations stream with --by payee) and each refusal
 * (allocations without --by payee or on another column, --money without a
 * currency, a missing value, date, kind or --by column), --by columns
 * named twice and currency last; rows: kinds passed over, rows after
 * --until, each bad field with its message, a money total that overflows,
 * a series spanning too many periods; the end: input_end, a series too
 * far from it, an incomplete last period left out or kept, with its note;
 * the output: forecasts with --history, money and plain values printed,
 * the fallback and passed-over notes, a backtest with its "*" row and the
 * note for a series with nothing to backtest. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "forecast_out.h"
#include "forecast_run.h"
#include "out.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_forecast_run.XXXXXX";
static char notes[4096]; /* the notes of the last run, one per line */

static void collect(void *ctx, const char *msg)
{
	(void)ctx;
	strncat(notes, msg, sizeof notes - strlen(notes) - 2);
	strcat(notes, "\n");
}

/* A file holding TEXT, opened as r. */
static void open_text(struct tsv_reader *r, const char *text)
{
	static int n;
	char path[300];
	snprintf(path, sizeof path, "%s/in%d.tsv", tmpdir, n++);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	char *paths[] = {path};
	tsv_open(r, paths, 1);
}

static void run_init(struct forecast_run *run)
{
	static const char *const kinds[] = {"sale", "refund"};
	forecast_run_init(run);
	run->kinds = kinds;
	run->nkinds = 2;
	run->note = collect;
	notes[0] = '\0';
}

/* Bind RUN to TEXT's header: the status, the message in err. */
static int bind(struct forecast_run *run, struct tsv_reader *r, const char *text, char *err)
{
	open_text(r, text);
	return forecast_run_bind(run, r, err, 256);
}

/* Read every row of r into run: the first failing status (its message in
 * err), else forecast_run_end's. */
static int read_all(struct forecast_run *run, struct tsv_reader *r, char *err)
{
	while (tsv_next(r) == 1) {
		int st = forecast_run_row(run, r, err, 256);
		if (st != FORECAST_RUN_OK)
			return st;
	}
	return forecast_run_end(run, err, 256);
}

/* The output of forecast_out_write for the run read from TEXT (static). */
static const char *output(struct forecast_run *run, const char *text, int *st)
{
	static char buf[8192];
	struct tsv_reader r;
	char err[256], path[300];
	*st = bind(run, &r, text, err);
	if (*st == FORECAST_RUN_OK)
		*st = read_all(run, &r, err);
	snprintf(path, sizeof path, "%s/out", tmpdir);
	struct out o;
	struct tsv_writer w;
	out_open_file(&o, path);
	tsv_writer_init(&w, &o);
	if (*st == FORECAST_RUN_OK)
		*st = forecast_out_write(run, &w, err, sizeof err);
	out_close(&o);
	FILE *f = fopen(path, "rb");
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	tsv_close(&r);
	forecast_run_free(run);
	return buf;
}

static void test_defaults(void)
{
	struct forecast_run run;
	forecast_run_init(&run);
	tap_ok(run.kind == PERIOD_MONTH && run.h == 12 && run.method == FORECAST_AUTO && run.nlevels == 2 &&
		       run.levels[1] == 95 && strcmp(run.date_name, "date") == 0,
	       "defaults: month, 12, auto, 80 and 95, date");
	tap_ok(forecast_list_has("a,payee,b", "payee") && !forecast_list_has("payees", "payee") &&
		       !forecast_list_has(NULL, "payee") && forecast_list_has("payee", "payee"),
	       "a list holds a name only whole");
}

static void test_bind(void)
{
	struct forecast_run run;
	struct tsv_reader r;
	char err[256];

	run_init(&run);
	tap_is_int(bind(&run, &r, "date\tnet\tcurrency\tkind\n", err), FORECAST_RUN_OK, "a sales stream binds");
	tap_ok(strcmp(run.value_name, "net") == 0 && run.money && run.nkeys == 1 && run.kind_col == 3,
	       "net by default, money, keyed by currency");
	tsv_close(&r);
	forecast_run_free(&run);

	run_init(&run);
	run.by = "sku,currency,sku";
	tap_is_int(bind(&run, &r, "date\tcurrency\tsku\tnet\n", err), FORECAST_RUN_OK, "--by binds");
	tap_ok(run.nkeys == 2 && run.key_cols[0] == 2 && run.key_cols[1] == 1 &&
		       strcmp(run.key_names[1], "currency") == 0,
	       "a column named twice once, currency last");
	tsv_close(&r);
	forecast_run_free(&run);

	run_init(&run);
	run.by = "payee";
	tap_is_int(bind(&run, &r, "date\tpayee\tamount\tnet\n", err), FORECAST_RUN_OK, "allocations with --by payee");
	tap_ok(strcmp(run.value_name, "amount") == 0 && !run.money, "... on amount, plain without a currency");
	tsv_close(&r);
	forecast_run_free(&run);

	run_init(&run);
	tap_is_int(bind(&run, &r, "date\tpayee\tamount\n", err), FORECAST_RUN_EDATA, "allocations without --by payee");
	tap_ok(strstr(err, "double count: forecast each payee's share with --by payee") != NULL, "... says why");
	tsv_close(&r);
	forecast_run_free(&run);

	run_init(&run);
	run.by = "payee";
	run.value_name = "net";
	tap_is_int(bind(&run, &r, "date\tpayee\tamount\tnet\n", err), FORECAST_RUN_EDATA, "allocations on net");
	tap_ok(strstr(err, "column \"net\" repeats the sale's figure") != NULL, "... names the column");
	tsv_close(&r);
	forecast_run_free(&run);

	static const struct {
		const char *header, *value, *by;
		bool money, kinds;
		int st;
		const char *err;
	} bad[] = {
		{"date\tgross\n", NULL, NULL, false, false, FORECAST_RUN_ECOLUMN, "net"},
		{"day\tnet\n", NULL, NULL, false, false, FORECAST_RUN_ECOLUMN, "date"},
		{"date\tnet\n", NULL, NULL, false, true, FORECAST_RUN_ECOLUMN, "kind"},
		{"date\tnet\n", NULL, "sku", false, false, FORECAST_RUN_ECOLUMN, "sku"},
		{"date\tunits\n", "units", NULL, true, false, FORECAST_RUN_EUSAGE, "--money needs a \"currency\" column"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		run_init(&run);
		run.value_name = bad[i].value;
		run.by = bad[i].by;
		run.force_money = bad[i].money;
		run.kinds_given = bad[i].kinds;
		tap_is_int(bind(&run, &r, bad[i].header, err), bad[i].st, "refused: %s", bad[i].err);
		tap_ok(strstr(err, bad[i].err) != NULL, "... told: %s", err);
		tsv_close(&r);
		forecast_run_free(&run);
	}
}

/* The status of reading TEXT's rows, the message in err. */
static int read_text(struct forecast_run *run, const char *text, char *err)
{
	struct tsv_reader r;
	int st = bind(run, &r, text, err);
	if (st == FORECAST_RUN_OK)
		st = read_all(run, &r, err);
	tsv_close(&r);
	return st;
}

static void test_rows(void)
{
	static const struct {
		const char *text, *err;
	} bad[] = {
		{"date\tnet\tcurrency\n2026-01-01\t1.00\tUS\n", "column \"currency\": \"US\" is not a currency code"},
		{"date\tnet\tcurrency\n2026-13-01\t1.00\tUSD\n", "column \"date\": \"2026-13-01\" is not a date"},
		{"date\tnet\tcurrency\n2026-01-01\t1,00\tUSD\n", "column \"net\": \"1,00\""},
		{"date\tnet\n2026-01-01\tabc\n", "column \"net\": \"abc\" is not a number"},
		{"date\tnet\tcurrency\n2026-01-01\t9000000000000\tUSD\n2026-01-01\t9000000000000\tUSD\n",
		 "the total of a period is too large"},
		{"date\tnet\n1000-01-01\t1\n9000-01-01\t1\n", "spans more than 100000 periods"},
	};
	struct forecast_run run;
	char err[256];
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		run_init(&run);
		run.kind = PERIOD_DAY;
		tap_is_int(read_text(&run, bad[i].text, err), FORECAST_RUN_EDATA, "bad row %zu refused", i);
		tap_ok(strstr(err, bad[i].err) != NULL, "... %s", err);
		forecast_run_free(&run);
	}

	run_init(&run);
	run.has_until = true;
	date_parse("2026-02-28", 10, &run.until);
	tap_is_int(read_text(&run, "date\tnet\tkind\n2026-01-05\t1\tsale\n2026-01-06\t2\tpayout\n"
				   "2026-02-03\t3.125\tsale\n2026-03-01\t4\tsale\n2026-02-09\t1\tpayout\n", err),
		   FORECAST_RUN_OK, "rows read");
	tap_ok(run.passed.total == 2 && run.after_until == 1 && run.decimals == 3 && run.table.n == 1 &&
		       run.table.series[0].len == 2 && run.table.series[0].sums[1] == 3.125,
	       "payouts passed over, a row after --until left out, 3 decimals");
	tap_is_str(notes, "left out 1 row dated after --until\n", "the row after --until told");
	forecast_run_free(&run);
}

static void test_end(void)
{
	struct forecast_run run;
	char err[256];

	run_init(&run);
	run.by = "sku";
	run.kind = PERIOD_DAY;
	tap_is_int(read_text(&run, "date\tsku\tnet\n1800-01-01\ta\t1\n2100-01-01\tb\t1\n", err), FORECAST_RUN_EDATA,
		   "a series far from the input's end");
	tap_ok(strstr(err, "series \"a\": spans more than 100000 periods to the end of the input") == err,
	       "... told with --align series: %s", err);
	forecast_run_free(&run);

	run_init(&run);
	run.by = "sku";
	run.kind = PERIOD_DAY;
	run.align_series = true;
	tap_is_int(read_text(&run, "date\tsku\tnet\n1800-01-01\ta\t1\n2100-01-01\tb\t1\n", err), FORECAST_RUN_OK,
		   "... taken with --align series");
	forecast_run_free(&run);

	run_init(&run);
	run.has_until = true;
	date_parse("2026-03-15", 10, &run.until);
	tap_is_int(read_text(&run, "date\tnet\n2026-01-05\t1\n2026-02-05\t1\n2026-03-05\t1\n", err), FORECAST_RUN_OK,
		   "--until mid-month");
	tap_ok(run.table.series[0].len == 2 && run.input_end == run.table.series[0].first + 1,
	       "the last month left out");
	tap_is_str(notes,
		   "the last month, 2026-03, looks incomplete (--until 2026-03-15 is before its end): left out; "
		   "--until DATE says how far the data go\n",
		   "... and told");
	forecast_run_free(&run);

	run_init(&run);
	run.by = "sku";
	run.has_until = true;
	date_parse("2026-03-15", 10, &run.until);
	tap_is_int(read_text(&run, "date\tsku\tnet\n2026-01-05\ta\t1\n2026-03-05\tb\t1\n", err), FORECAST_RUN_OK,
		   "a series with only the incomplete month");
	tap_ok(strstr(notes, "kept, as series \"b\": it has no earlier period") != NULL, "... kept: %s", notes);
	forecast_run_free(&run);
}

static void test_values(void)
{
	char path[300];
	snprintf(path, sizeof path, "%s/v", tmpdir);
	struct out o;
	struct tsv_writer w;
	out_open_file(&o, path);
	tsv_writer_init(&w, &o);
	forecast_out_value(&w, -1, 2, -0.001);
	forecast_out_value(&w, -1, 3, 1.5);
	forecast_out_value(&w, 2, 2, 12.345);
	forecast_out_value(&w, 0, 2, 1234.5);
	forecast_out_value(&w, 2, 2, NAN);
	forecast_out_value(&w, 2, 2, 1e13);
	tsv_end_row(&w);
	out_close(&o);
	char buf[256];
	FILE *f = fopen(path, "rb");
	buf[fread(buf, 1, sizeof buf - 1, f)] = '\0';
	fclose(f);
	tap_is_str(buf, "0.00\t1.500\t12.35\t1235\t\t10000000000000.00\n",
		   "values: no -0.00, decimals, money rounded to minor units, NaN empty, huge money plain");
}

static void test_forecasts(void)
{
	struct forecast_run run;
	int st;
	run_init(&run);
	run.h = 2;
	run.nlevels = 1;
	run.history = true;
	run.method = FORECAST_NAIVE;
	const char *out = output(&run, "date\tnet\tcurrency\tkind\n2026-01-05\t1.00\tUSD\tsale\n"
				       "2026-02-05\t2.00\tUSD\tsale\n2026-02-06\t5.00\tUSD\tpayout\n", &st);
	tap_is_int(st, FORECAST_RUN_OK, "forecast with --history");
	tap_ok(strncmp(out, "currency\tperiod\tactual\tforecast\tlo80\thi80\tmethod\n"
			    "USD\t2026-01\t1.00\t\t\t\t\nUSD\t2026-02\t2.00\t\t\t\t\nUSD\t2026-03\t\t2.00\t", 90) == 0,
	       "... the header, the observed months, then the forecasts:\n%s", out);
	tap_ok(strstr(notes, "passed over 1 row not forecast (payout 1)") != NULL, "the payout told: %s", notes);

	run_init(&run);
	run.by = "sku";
	run.method = FORECAST_ETS;
	output(&run, "date\tsku\tnet\n2026-01-05\ta\t1\n2026-01-05\tb\t1\n2026-02-05\tb\t3\n", &st);
	tap_ok(st == FORECAST_RUN_OK && strstr(notes, "2 series have 2 periods, too few for ets: used mean ") != NULL,
	       "short series told in one line: %s", notes);

	run_init(&run);
	run.by = "sku";
	run.method = FORECAST_ETS;
	run.align_series = true;
	output(&run, "date\tsku\tnet\n2026-01-05\ta\t1\n2026-01-05\tb\t1\n2026-02-05\tb\t3\n", &st);
	tap_ok(strstr(notes, "2 series have 1 to 2 periods, too few for ets: used simpler methods") != NULL,
	       "... of lengths and methods that differ: %s", notes);

	run_init(&run);
	run.method = FORECAST_ETS;
	output(&run, "date\tnet\n2026-01-05\t1\n", &st);
	tap_is_str(notes, "only 1 period: naive forecast without intervals\n", "one short series told by itself");
}

static void test_backtest(void)
{
	struct forecast_run run;
	int st;
	char text[4096] = "date\tsku\tnet\n";
	for (int m = 1; m <= 12; m++) {
		char row[64];
		snprintf(row, sizeof row, "2025-%02d-10\ta\t%d\n", m, 10 + m % 3);
		strcat(text, row);
	}
	strcat(text, "2025-12-10\tb\t4\n");
	run_init(&run);
	run.by = "sku";
	run.backtest = 3;
	run.method = FORECAST_NAIVE;
	const char *out = output(&run, text, &st);
	tap_is_int(st, FORECAST_RUN_OK, "a backtest");
	tap_ok(strncmp(out, "sku\torigins\tsmape\t", 18) == 0 && strstr(out, "\na\t3\t") && strstr(out, "\nb\t0\t") &&
		       strstr(out, "\n*\t3\t") && strstr(out, "\tnaive\n"),
	       "... a row per series and the \"*\" row:\n%s", out);
	tap_ok(strstr(notes, "series \"b\": only 1 period: nothing to backtest\n") != NULL,
	       "the series with nothing to backtest told: %s", notes);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	test_defaults();
	test_bind();
	test_rows();
	test_end();
	test_values();
	test_forecasts();
	test_backtest();
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
