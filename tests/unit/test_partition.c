/* test_partition.c - unit tests of partitioned runs: the router's stable
 * hash (lib/core/partition.c) and tally-report's partial sums
 * (lib/report/report_partial.c).
 *
 * Plan: partition_hash's values are pinned (they must never change), a
 * field boundary changes the hash, partition_of stays in range and
 * spreads keys evenly; a book cut in two, each half written as a partial
 * and both read back into one book, settles into the same statements as
 * the whole book; check totals and counters add up; partials that
 * disagree on their options, and malformed rows, are refused with the
 * column and value. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"
#include "partition.h"
#include "report_partial.h"
#include "report_statements.h"
#include "tap.h"
#include "tsv.h"

static char tmpdir[] = "/tmp/test_partition.XXXXXX";

static struct tsv_field fld(const char *s)
{
	return (struct tsv_field){s, strlen(s), true};
}

static void test_hash(void)
{
	struct tsv_field f[2] = {fld("gumroad"), fld("1001")};
	const int cols[2] = {0, 1}, rev[2] = {1, 0};
	uint64_t h = partition_hash(f, cols, 2);
	tap_ok(h == partition_hash(f, cols, 2), "the hash is a function of the key");
	tap_ok(h != partition_hash(f, rev, 2), "the order of the key columns matters");
	struct tsv_field g[2] = {fld("gumroad1"), fld("001")};
	tap_ok(h != partition_hash(g, cols, 2), "a field boundary changes the hash");
	/* pinned: partitions made by one version meet those of the next */
	tap_is_int(partition_of(h, 3), 1, "(gumroad, 1001) is in partition 1 of 3, for ever");
	struct tsv_field e[1] = {fld("")};
	tap_is_int(partition_of(partition_hash(e, cols, 1), 1000), 309, "the empty key is in partition 309 of 1000");
	unsigned count[7] = {0};
	char buf[32];
	int in_range = 1;
	for (int i = 0; i < 70000; i++) {
		snprintf(buf, sizeof buf, "order-%d", i);
		struct tsv_field k[1] = {fld(buf)};
		unsigned p = partition_of(partition_hash(k, cols, 1), 7);
		in_range &= p < 7;
		count[p < 7 ? p : 0]++;
	}
	tap_ok(in_range, "partition_of is always below n");
	int even = 1;
	for (int i = 0; i < 7; i++)
		even &= count[i] > 9500 && count[i] < 10500;
	tap_ok(even, "70 000 keys in 7 partitions: each gets 10 000 +- 5%%");
	tap_is_int(partition_of(UINT64_MAX, 1), 0, "one partition: always 0");
}

static uint32_t nm(struct report_book *b, const char *s)
{
	uint32_t id;
	names_intern(&b->names, s, strlen(s), &id);
	return id;
}

/* Allocation i of a fixed sequence into b. */
static void add_row(struct report_book *b, int i)
{
	static const char *const payees[] = {"Ana", "Ben", "Mara (manager)", "Orchard\tRecords"};
	static const char *const products[] = {"Lanterns", "Course \\ 2", "Poster"};
	uint32_t acc;
	const char *cur = i % 5 == 0 ? "EUR" : "USD";
	report_book_account(b, nm(b, payees[i % 4]), cur, &acc);
	int64_t amount = (int64_t)((i * 7919) % 100000) * 37 - (i % 9 == 0 ? 2000000 : 0);
	report_book_add(b, acc, 24312 + i % 3, nm(b, i % 2 ? "gumroad" : "etsy"), nm(b, products[i % 3]), amount);
	report_book_add_check(b, 24312 + i % 3, cur, i % 3 == 0 ? amount : 0, amount);
}

static void write_partial(const char *path, const struct report_book *b, const struct report_partial_meta *m)
{
	struct out o;
	out_open_file(&o, path);
	report_partial_write(&o, b, m);
	out_close(&o);
}

/* Read the partials at paths into b and m.  Returns the first error (the
 * message in err), or 0. */
static int read_partials(char **paths, size_t n, struct report_book *b, struct report_partial_meta *m, char *err,
			 size_t cap)
{
	struct tsv_reader r;
	int rc = tsv_open(&r, paths, n) < 0 || report_partial_check_header(&r) < 0 ? -9 : 0;
	while (rc == 0 && tsv_next(&r) == 1)
		rc = report_partial_add(b, m, r.fields, err, cap);
	tsv_close(&r);
	return rc;
}

static void test_partials(void)
{
	struct report_book whole = {.kind = PERIOD_MONTH}, half[2] = {{.kind = PERIOD_MONTH}, {.kind = PERIOD_MONTH}};
	for (int i = 0; i < 400; i++) {
		add_row(&whole, i);
		add_row(&half[(i * 13) % 7 < 3], i);
	}
	char p0[128], p1[128], *paths[2] = {p0, p1};
	snprintf(p0, sizeof p0, "%s/p0", tmpdir);
	snprintf(p1, sizeof p1, "%s/p1", tmpdir);
	struct report_partial_meta m0 = {.kind = PERIOD_MONTH, .check = true, .rows = 170, .differing = 1,
					 .ncurrencies = 1, .currencies = {"USD"}};
	struct report_partial_meta m1 = m0;
	m1.rows = 230;
	m1.ncurrencies = 2;
	memcpy(m1.currencies[0], "EUR", 4);
	memcpy(m1.currencies[1], "USD", 4);
	m1.after = (struct report_partial_left){3, "a.tsv", 17};
	write_partial(p0, &half[0], &m0);
	write_partial(p1, &half[1], &m1);
	struct report_book merged = {.kind = PERIOD_MONTH};
	struct report_partial_meta m = {.kind = PERIOD_MONTH};
	char err[256] = "";
	tap_is_int(read_partials(paths, 2, &merged, &m, err, sizeof err), 0, "two partials read back %s", err);
	tap_ok(m.rows == 400 && m.differing == 2 && !m.no_check, "counters add up");
	tap_ok(m.ncurrencies == 2 && strcmp(m.currencies[0], "USD") == 0 && strcmp(m.currencies[1], "EUR") == 0,
	       "currencies in the order first seen");
	tap_ok(m.after.count == 3 && m.after.line == 17 && strcmp(m.after.file, "a.tsv") == 0, "rows left out, and where");
	struct report_settle_error e;
	tap_is_int(report_book_settle(&whole, NULL, false, 0, &e), REPORT_OK, "the whole book settles");
	tap_is_int(report_book_settle(&merged, NULL, false, 0, &e), REPORT_OK, "the merged book settles");
	int same = whole.nst == merged.nst && whole.nst > 12;
	for (size_t i = 0; same && i < whole.nst; i++) {
		const struct report_statement *a = &whole.st[i], *b = &merged.st[i];
		same = strcmp(a->payee, b->payee) == 0 && strcmp(a->currency, b->currency) == 0 &&
		       a->period == b->period && a->earned == b->earned && a->paid == b->paid &&
		       a->carried_forward == b->carried_forward && strcmp(a->id, b->id) == 0;
	}
	tap_ok(same, "the merged book's %zu statements are the whole book's", whole.nst);
	int tot = whole.ntot == merged.ntot;
	for (size_t i = 0; tot && i < whole.ntot; i++) {
		long j = keymap_find(&merged.tot_ix, (uint64_t)whole.tot[i].period,
					    pack_currency(whole.tot[i].currency));
		tot = j >= 0 && merged.tot[j].net == whole.tot[i].net && merged.tot[j].allocated == whole.tot[i].allocated;
	}
	tap_ok(tot, "check totals: net and allocated per period and currency");
	report_book_free(&merged);

	/* a partial read with another --period is refused */
	m1.have_period = true;
	m1.period = 24313;
	write_partial(p1, &half[1], &m1);
	struct report_partial_meta mm = {.kind = PERIOD_MONTH};
	tap_is_int(read_partials(paths, 2, &merged, &mm, err, sizeof err), -1, "partials of two --period refused");
	tap_is_str(err, "column \"value\": \"2026-02\" differs from the partials before: they were read with another "
			"--period or --opening", "... saying so");
	report_book_free(&merged);
	report_book_free(&whole);
	report_book_free(&half[0]);
	report_book_free(&half[1]);
	unlink(p0);
	unlink(p1);
}

/* One malformed row after a valid partial's options. */
static void check_bad_row(const char *row, const char *want)
{
	char path[128], err[256] = "";
	snprintf(path, sizeof path, "%s/bad", tmpdir);
	FILE *f = fopen(path, "w");
	fprintf(f, "%s\noption\tkind\tmonth\t\t\t\t\t\t\t\n%s\n", REPORT_PARTIAL_HEADER, row);
	fclose(f);
	struct report_book b = {.kind = PERIOD_MONTH};
	struct report_partial_meta m = {.kind = PERIOD_MONTH};
	char *paths[1] = {path};
	int rc = read_partials(paths, 1, &b, &m, err, sizeof err);
	tap_ok(rc == -1 && strcmp(err, want) == 0, "refused: %s", want);
	if (strcmp(err, want) != 0)
		printf("#   got \"%s\"\n", err);
	report_book_free(&b);
	unlink(path);
}

static void test_bad_rows(void)
{
	check_bad_row("sum\t\t\t2026-10\tUSD\tAna\tetsy\tx\t1.5e3\t", "column \"amount\": \"1.5e3\" is not an amount");
	check_bad_row("sum\t\t\t2026-Q4\tUSD\tAna\tetsy\tx\t1\t",
		      "column \"period\": \"2026-Q4\" is not a period of the partial's kind");
	check_bad_row("sum\t\t\t2026-10\tUSD\t\tetsy\tx\t1\t", "column \"payee\": \"\" is empty");
	check_bad_row("check\t\t\t2026-10\tXXX\t\t\t\t1\t1", "column \"currency\": \"XXX\" is not a currency code");
	check_bad_row("option\tkind\tweek\t\t\t\t\t\t\t",
		      "column \"value\": \"week\" differs from the kind of period of the partials before");
	check_bad_row("count\trows\t-4\t\t\t\t\t\t\t", "column \"value\": \"-4\" is not a count");
	check_bad_row("left\tlater\t4\t\t\t\t\t\t\t", "column \"name\": \"later\" is not after, before or early");
	check_bad_row("total\t\t\t\t\t\t\t\t\t",
		      "column \"record\": \"total\" is not a record of a partial (option, count, left, sum, check)");
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	test_hash();
	test_partials();
	test_bad_rows();
	rmdir(tmpdir);
	return tap_done();
}
