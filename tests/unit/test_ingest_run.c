/* test_ingest_run.c - unit tests of tally-ingest's engine: the duplicate
 * set (lib/ingest/ingest_dedupe.c), a row's text and key (ingest_row.c),
 * option values (ingest_options.c), and whole runs over small exports
 * written to temporary files (ingest_run.c, ingest_file.c, ingest_emit.c,
 * ingest_detect.c, ingest_explain.c): rows written, duplicates dropped,
 * rejects, the date filter, --sort, --explain-format, and each failure's
 * status and message.  The bad cases beside the good. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "diag.h"
#include "ingest_date.h"
#include "ingest_dedupe.h"
#include "ingest_detect.h"
#include "ingest_explain.h"
#include "ingest_options.h"
#include "ingest_row.h"
#include "ingest_run.h"
#include "tap.h"

static void test_dedupe(void)
{
	struct ingest_dedupe d = {0};
	tap_is_int(ingest_dedupe_add(&d, 42), 1, "dedupe: a new key is added");
	tap_is_int(ingest_dedupe_add(&d, 42), 0, "dedupe: the same key again is a duplicate");
	tap_is_int(ingest_dedupe_add(&d, 0), 1, "dedupe: key 0 is added");
	tap_is_int(ingest_dedupe_add(&d, 1), 0, "dedupe: key 1 is key 0");
	uint64_t h = 0x9e3779b97f4a7c15ULL;
	int fresh = 0;
	for (int i = 0; i < 100000; i++) {
		h = h * 6364136223846793005ULL + 1442695040888963407ULL;
		fresh += ingest_dedupe_add(&d, h) == 1;
	}
	tap_is_int(fresh, 100000, "dedupe: 100000 distinct keys, every part grown");
	tap_is_int((long long)ingest_dedupe_count(&d), 100002, "dedupe: count");
	tap_is_int(ingest_dedupe_add(&d, h), 0, "dedupe: the last key is still found after growing");
	ingest_dedupe_free(&d);
	tap_is_int((long long)ingest_dedupe_count(&d), 0, "dedupe: freed and zeroed");
	tap_is_int(ingest_dedupe_add(&d, 42), 1, "dedupe: usable again after free");
	ingest_dedupe_free(&d);
}

static void test_format(void)
{
	char buf[DATE_BUF], want[DATE_BUF];
	size_t n = ingest_format_long(buf, 0);
	tap_ok(n == 1 && memcmp(buf, "0", 1) == 0, "format_long: 0");
	n = ingest_format_long(buf, -1234567);
	tap_ok(n == 8 && memcmp(buf, "-1234567", 8) == 0, "format_long: a negative number");
	n = ingest_format_long(buf, INT64_MIN);
	tap_ok(n == 20 && memcmp(buf, "-9223372036854775808", 20) == 0, "format_long: the least int64");
	n = ingest_format_time(buf, 0);
	tap_is_str(buf, "1970-01-01T00:00:00Z", "format_time: the epoch");
	tap_is_int((long long)n, 20, "format_time: its length");
	ingest_format_time(buf, -1);
	tap_is_str(buf, "1969-12-31T23:59:59Z", "format_time: a second before the epoch");
	int64_t far = (int64_t)4000000 * 86400 * 100; /* past the year 9999 */
	date_format_time(want, far);
	ingest_format_time(buf, far);
	tap_is_str(buf, want, "format_time: past 9999, as date_format_time writes it");
	char e[48];
	ingest_format_e10(e, sizeof e, 12);
	tap_is_str(e, "0.0000000012", "format_e10: 12e-10");
	ingest_format_e10(e, sizeof e, -25000000000LL);
	tap_is_str(e, "-2.5", "format_e10: negative, trailing zeros cut");
	ingest_format_e10(e, sizeof e, 0);
	tap_is_str(e, "0.0", "format_e10: zero keeps a decimal");
}

static void test_row_key(void)
{
	struct imap m = {0};
	m.source = "stripe";
	struct imap_row a = {0};
	a.kind = "refund";
	a.text[IMAP_ORDER] = "ch_1", a.text_len[IMAP_ORDER] = 4;
	a.text[IMAP_CURRENCY] = "USD", a.text_len[IMAP_CURRENCY] = 3;
	a.text[IMAP_PRODUCT] = "A long product name", a.text_len[IMAP_PRODUCT] = 19;
	a.gross = -5000000, a.line = 1, a.date = 100;
	struct imap_row b = a;
	tap_ok(ingest_row_key(&m, &a) == ingest_row_key(&m, &b), "row_key: the same record, one key");
	b.gross = -2500000;
	tap_ok(ingest_row_key(&m, &a) != ingest_row_key(&m, &b), "row_key: another amount, another key");
	b = a;
	b.text[IMAP_ID] = "re_1", b.text_len[IMAP_ID] = 4;
	struct imap_row c = b;
	c.text[IMAP_ID] = "re_2";
	tap_ok(ingest_row_key(&m, &b) != ingest_row_key(&m, &c), "row_key: two refunds of one order by their ids");
	c = a;
	c.has_sale_date = true, c.sale_date = 100;
	tap_ok(ingest_row_key(&m, &a) != ingest_row_key(&m, &c), "row_key: a sale date is content");
	c = a;
	c.kind = "chargeback";
	tap_ok(ingest_row_key(&m, &a) != ingest_row_key(&m, &c), "row_key: the kind tells rows apart");
	char big[2000];
	memset(big, 'x', sizeof big);
	c = a;
	c.text[IMAP_ORDER] = big, c.text_len[IMAP_ORDER] = sizeof big;
	struct imap_row d = c;
	tap_ok(ingest_row_key(&m, &c) == ingest_row_key(&m, &d), "row_key: an order over the buffer, cut, still stable");
}

static void test_options(void)
{
	struct ingest_options o = {.encoding = CSVIN_AUTO};
	tap_is_int(ingest_opt_currency(&o, "usd"), 0, "--currency usd");
	tap_is_str(o.currency, "USD", "--currency: upper-cased");
	tap_is_int(ingest_opt_currency(&o, "US"), -1, "--currency: two letters refused");
	tap_is_int(ingest_opt_currency(&o, "QQQ"), -1, "--currency: not ISO 4217 refused");
	tap_is_int(ingest_opt_encoding(&o, "cp1252"), 0, "--encoding cp1252");
	tap_ok(o.encoding_given && o.encoding == CSVIN_CP1252, "--encoding: given");
	tap_is_int(ingest_opt_encoding(&o, "auto"), 0, "--encoding auto");
	tap_ok(!o.encoding_given, "--encoding auto: as if not given");
	tap_is_int(ingest_opt_encoding(&o, "ebcdic"), -1, "--encoding: unknown refused");
	tap_ok(ingest_opt_separator(&o, ";") == 0 && o.sep == ';', "--separator ;");
	tap_ok(ingest_opt_separator(&o, "tab") == 0 && o.sep == '\t', "--separator tab");
	tap_ok(ingest_opt_separator(&o, ",") == 0 && o.sep == ',', "--separator ,");
	tap_is_int(ingest_opt_separator(&o, "|"), -1, "--separator |: refused");
	int64_t day;
	date_parse("2026-10-01", 10, &day);
	tap_ok(ingest_opt_when(&o, "2026-10-01", false) == 0 && o.have_since && o.since == day, "--since a day");
	tap_ok(ingest_opt_when(&o, "2026-10-01", true) == 0 && o.have_until && o.until == day + 86400,
	       "--until a day: all of it");
	tap_ok(ingest_opt_when(&o, "2026-10-01T10:00:00Z", true) == 0 && o.until == day + 36001,
	       "--until a time: that second included");
	tap_is_int(ingest_opt_when(&o, "yesterday", false), -1, "--since: not a date refused");
	struct ingest_options p = {0};
	tap_is_int(ingest_opt_period(&p, "2026-10"), 0, "--period 2026-10");
	tap_ok(p.since == day && p.until == day + 31 * 86400, "--period: the month");
	ingest_opt_when(&p, "2026-10-10", false);
	tap_is_int(ingest_opt_period(&p, "2026-Q4"), 0, "--period 2026-Q4 after --since");
	tap_ok(p.since == day + 9 * 86400 && p.until == day + 31 * 86400, "--period: the intersection kept");
	tap_is_int(ingest_opt_period(&p, "2026-13"), -1, "--period: not a period refused");
	tap_ok(ingest_opt_by_date(&o, "reported") == 0 && o.by_reported, "--by-date reported");
	tap_ok(ingest_opt_by_date(&o, "sale") == 0 && !o.by_reported, "--by-date sale");
	tap_is_int(ingest_opt_by_date(&o, "paid"), -1, "--by-date paid: refused");
	tap_ok(ingest_opt_date_order(&o, "dmy") == 0 && o.date_order == INGEST_DMY, "--date-order dmy");
	tap_ok(ingest_opt_date_order(&o, "mdy") == 0 && o.date_order == INGEST_MDY, "--date-order mdy");
	tap_is_int(ingest_opt_date_order(&o, "ymd"), -1, "--date-order ymd: refused");
	tap_is_str(ingest_explain_date_order("%d.%m.%Y"), "day, month, year", "date layout: day first");
	tap_is_str(ingest_explain_date_order("%Y-%m-%d"), "year, month, day", "date layout: ISO");
	tap_is_str(ingest_explain_date_order("%b %d, %Y"), "month, day, year", "date layout: month name first");
	tap_is_str(ingest_explain_date_order("%B %y"), "month, year", "date layout: month and year");
	tap_is_str(ingest_explain_date_order("%Y-%m"), "year, month", "date layout: year and month");
	tap_is_str(ingest_explain_date_order("%H:%M"), "no day-month order", "date layout: a time alone");
}

/* ---- whole runs ------------------------------------------------------------ */

static char notes[8192];   /* the warnings of a run, one a line */
static long rejected_rows; /* records handed to the reject hook */

static void note(void *ctx, const char *file, long line, const char *msg)
{
	(void)ctx;
	size_t n = strlen(notes);
	if (file)
		snprintf(notes + n, sizeof notes - n, "%s:%ld: %s\n", file, line, msg);
	else
		snprintf(notes + n, sizeof notes - n, "%s\n", msg);
}

static void rejected(void *ctx, const char *file, long line, const char *header, size_t header_len, const char *raw,
		     size_t raw_len, const char *reason)
{
	(void)ctx, (void)file, (void)line, (void)header, (void)header_len, (void)raw, (void)raw_len, (void)reason;
	rejected_rows++;
}

#define GUMROAD_HEADER "Purchase ID,Item Name,Buyer Name,Purchase Email,Buyer Email,Do not contact?,Purchase Date,Purchase Time (UTC timezone),Subtotal ($),Taxes ($),Shipping ($),Sale Price ($),Fees ($),Net Total ($),Tip ($),Tax Included in Price?,Street Address,City,Zip Code,State,Country,Referrer,Refunded?,Partial Refund ($),Fully Refunded?,Disputed?,Dispute Won?,Variants,Discount Code,Recurring Charge?,Free trial purchase?,Pre-order authorization?,Product ID,Order Number,Pre-order authorization time (UTC timezone),Custom Fields,Item Price ($),Variants Price ($),Giftee Email,SKU ID,Quantity,Recurrence,Affiliate,Affiliate commission ($),Discover?,Subscription End Date,Rating,Review,License Key,Payment Type,PayPal Transaction ID,PayPal Fee Amount,PayPal Fee Currency,Stripe Transaction ID,Stripe Fee Amount,Stripe Fee Currency,Purchasing Power Parity Discounted?,Upsold?,Sent Abandoned Cart Email?,UTM Source,UTM Medium,UTM Campaign,UTM Term,UTM Content\n"

static const char gumroad[] = GUMROAD_HEADER
	"p1,Lanterns (digital album),,Fan@Example.com,,,2026-10-03,2026-10-03 14:19:23 +0000,10.0,0.0,,10.0,1.3,8.7,,,,,,,United States,,0,0.0,0,0,0,,,0,,0,lanterns-digital,,,{},,,,,1,,,,,,,,,,,,,,,,,,,,,,,\n"
	"p2,Songwriting Course,,b@example.org,,,2026-11-04,2026-11-04 09:00:00 +0000,98.9,1.1,,100.0,0.31,99.69,,,,,,,Germany,,0,0.0,0,0,0,,,0,,0,course,,,{},,,,,1,,,,,,,,,,,,,,,,,,,,,,,\n"
	"Totals,,,,,,,,108.9,1.1,,110.0,1.61,108.39\n"; /* Gumroad's last row */

static char *write_temp(const char *text)
{
	static char paths[8][32];
	static int k;
	char *p = paths[k++ % 8];
	snprintf(p, sizeof paths[0], "/tmp/ingest_runXXXXXX");
	int fd = mkstemp(p);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	return p;
}

/* A run of O over FILES (NULL-ended) into a temporary file; returns the
 * first failure's status (0: none), the output in out[cap], the run's
 * counts in *st and its message in err. */
static int run_files(struct ingest_options *o, const char *const *files, char *out, size_t cap,
		     struct ingest_stats *st, char *err, size_t errcap)
{
	static struct ingest_run rn;
	const struct ingest_hooks hooks = {note, rejected, NULL};
	notes[0] = '\0';
	rejected_rows = 0;
	char *path = write_temp("");
	FILE *f = fopen(path, "w+");
	struct out w;
	out_open_fd(&w, fileno(f), "<test>");
	int rc = ingest_run_init(&rn, o, &hooks);
	if (!rc) {
		ingest_run_start(&rn, &w, 64 << 10, NULL);
		for (size_t i = 0; files[i] && !rc; i++)
			rc = ingest_run_file(&rn, files[i]);
		if (!rc)
			rc = ingest_run_finish(&rn);
	}
	out_close(&w);
	size_t n = (size_t)pread(fileno(f), out, cap - 1, 0);
	out[n < cap ? n : 0] = '\0';
	*st = rn.st;
	snprintf(err, errcap, "%s", rc ? rn.err : "");
	ingest_run_free(&rn);
	fclose(f);
	unlink(path);
	return rc;
}

#define RUN(o, ...) run_files(o, (const char *const[]){__VA_ARGS__, NULL}, out, sizeof out, &st, err, sizeof err)

static void test_run(void)
{
	char out[16384], err[INGEST_ERR_MAX];
	struct ingest_stats st;
	struct ingest_options o = {.encoding = CSVIN_AUTO};
	const char *g = write_temp(gumroad);
	tap_is_int(RUN(&o, g), 0, "run: a Gumroad export");
	tap_ok(strncmp(out, ingest_header, strlen(ingest_header)) == 0, "run: the stream starts with its header");
	tap_ok(strstr(out, "\tgumroad\tp1\t1\tLanterns (digital album)\tlanterns-digital\tsale\t") != NULL, "run: a sale row");
	tap_ok(strstr(out, "Fan@Example.com") == NULL, "run: the e-mail is a pseudonym");
	tap_ok(st.files == 1 && st.read == 2 && st.wrote == 2 && st.duplicates == 0, "run: counts");
	tap_is_int(RUN(&o, g, g), 0, "run: the same file twice");
	tap_ok(st.wrote == 2 && st.duplicates == 2, "run: the second time, two duplicates");
	tap_ok(strstr(notes, "dropped 2 duplicate rows") != NULL, "run: said so");
	o.keep_duplicates = o.keep_pii = true;
	tap_ok(RUN(&o, g, g) == 0 && st.wrote == 4, "run: --keep-duplicates keeps them");
	tap_ok(strstr(out, "Fan@Example.com") != NULL, "run: --keep-pii keeps the e-mail");
	o = (struct ingest_options){.encoding = CSVIN_AUTO};
	ingest_opt_period(&o, "2026-10");
	tap_ok(RUN(&o, g) == 0 && st.wrote == 1 && st.ignored == 1, "run: --period leaves the November row out");
	tap_ok(strstr(notes, "left out 1 gumroad row dated 2026-11-04 to 2026-11-04") != NULL, "run: and says so");
	o = (struct ingest_options){.encoding = CSVIN_AUTO, .sort = true, .verbose = true};
	const char *late = write_temp(GUMROAD_HEADER "p0,Zine,,Fan@Example.com,,,2026-09-01,2026-09-01 14:19:23 +0000,10.0,0.0,,10.0,1.3,8.7,,,,,,,United States,,0,0.0,0,0,0,,,0,,0,lanterns-digital,,,{},,,,,1,,,,,,,,,,,,,,,,,,,,,,,\n"
				     "Totals,,,,,,,,10.0,0.0,,10.0,1.3,8.7\n");
	tap_is_int(RUN(&o, g, late), 0, "run: --sort over two files");
	const char *p0 = strstr(out, "\tp0\t"), *p1 = strstr(out, "\tp1\t");
	tap_ok(p0 && p1 && p0 < p1, "run: --sort puts September first");
}

static void test_explain(void)
{
	char out[16384], err[INGEST_ERR_MAX];
	struct ingest_stats st;
	struct ingest_options o = {.encoding = CSVIN_AUTO, .explain = true};
	const char *g = write_temp(gumroad);
	tap_is_int(RUN(&o, g), 0, "explain: a Gumroad export");
	tap_ok(strstr(out, "format: gumroad-sales") != NULL, "explain: the format");
	tap_ok(strstr(out, "separator: ,\nencoding: utf-8\n") != NULL, "explain: separator and encoding");
	tap_ok(strstr(out, "rows: 2 read, 0 passed over by skip rules, 1 totals row, 0 the format rejects") != NULL,
	       "explain: the rows");
	tap_ok(strstr(out, "canonical rows: sale 2\n") != NULL, "explain: their kinds");
	tap_ok(strstr(out, "dates: 2026-10-03 to 2026-11-04\n") != NULL, "explain: their dates");
	tap_ok(strstr(out, "mapping:\n  ") != NULL, "explain: the mapping");
	tap_ok(strncmp(out, ingest_header, 10) != 0, "explain: no stream header");
	const char *bad = write_temp(GUMROAD_HEADER "p1,Lanterns (digital album),,Fan@Example.com,,,2026-10-03,2026-10-03 14:19:23 +0000,ten,0.0,,10.0,1.3,8.7,,,,,,,United States,,0,0.0,0,0,0,,,0,,0,lanterns-digital,,,{},,,,,1,,,,,,,,,,,,,,,,,,,,,,,\n"
					     "Totals,,,,,,,,10.0,0.0,,10.0,1.3,8.7\n");
	tap_is_int(RUN(&o, bad), 0, "explain: a bad amount is counted, not fatal");
	tap_ok(strstr(out, "first rejected: line 2: ") != NULL, "explain: the first rejected row named");
	o.explain = false;
	tap_is_int(RUN(&o, bad), 0, "run: a bad amount goes to the reject hook");
	tap_ok(rejected_rows == 1 && st.rejected == 1 && st.wrote == 0, "run: one rejected, none written");
}

static void test_failures(void)
{
	char out[16384], err[INGEST_ERR_MAX];
	struct ingest_stats st;
	struct ingest_options o = {.encoding = CSVIN_AUTO};
	tap_is_int(RUN(&o, "/nonexistent/export.csv"), EXIT_USAGE, "fail: a missing file is a usage error");
	tap_is_str(err, "/nonexistent/export.csv: No such file or directory", "fail: and names it");
	const char *empty = write_temp("");
	tap_is_int(RUN(&o, empty), EXIT_DATA, "fail: an empty file");
	tap_ok(strstr(err, ": empty file: no header") != NULL, "fail: no header, said so");
	const char *near = write_temp("Purchase ID,Item Name,Something\nx,y,z\n");
	tap_is_int(RUN(&o, near), EXIT_USAGE, "fail: an unknown header");
	tap_ok(strstr(err, ": unknown export format; nearest: ") != NULL && strstr(err, "missing column") != NULL,
	       "fail: the nearest formats and their missing columns");
	const char *far = write_temp("alpha,beta\n1,2\n");
	tap_is_int(RUN(&o, far), EXIT_USAGE, "fail: a header near no format");
	tap_ok(strstr(err, "no built-in format is near") != NULL, "fail: said so");
	o.format = "kofi";
	const char *g = write_temp(gumroad);
	tap_is_int(RUN(&o, g), EXIT_USAGE, "fail: --format that the header is not");
	tap_ok(strstr(err, ": the header is not kofi: missing column") != NULL, "fail: its missing columns");
	o.format = NULL;
	const char *bin = write_temp("PK\x03\x04" "zipped");
	tap_is_int(RUN(&o, bin), EXIT_DATA, "fail: a file that is not text");
	const char *badq = write_temp("\"Purchase ID,Item\"x\n");
	tap_ok(RUN(&o, badq) != 0, "fail: a malformed header record");
}

static void test_formats(void)
{
	static struct ingest_run rn;
	struct ingest_options o = {.encoding = CSVIN_AUTO};
	const struct ingest_hooks hooks = {note, rejected, NULL};
	tap_is_int(ingest_run_init(&rn, &o, &hooks), 0, "formats: the built-ins parse");
	tap_ok(ingest_run_builtin(&rn, "gumroad-sales") != NULL, "formats: one found by name");
	tap_ok(ingest_run_builtin(&rn, "gumroad") == NULL, "formats: a name that is none");
	tap_ok(ingest_detect_forced(&rn) == NULL, "formats: nothing forced without --format or --map");
	char *path = write_temp("");
	FILE *f = fopen(path, "w+");
	struct out w;
	out_open_fd(&w, fileno(f), "<test>");
	tap_is_int(ingest_run_list(&rn, &w, true, NULL), 0, "formats: --list-formats");
	tap_is_int(ingest_run_list(&rn, &w, false, "nope"), EXIT_USAGE, "formats: --show-format of none");
	tap_is_str(rn.err, "--show-format: no built-in format \"nope\" (see --list-formats)", "formats: said so");
	out_close(&w);
	char buf[256];
	size_t n = (size_t)pread(fileno(f), buf, sizeof buf - 1, 0);
	buf[n] = '\0';
	tap_ok(strncmp(buf, "gumroad-sales ", 14) == 0, "formats: the list starts with gumroad-sales");
	fclose(f);
	unlink(path);
	tap_is_int(ingest_run_set_map(&rn, "nonsense here\n", "my.map"), EXIT_USAGE, "formats: a bad --map");
	tap_ok(strncmp(rn.err, "my.map:", 7) == 0, "formats: its message names the file");
	tap_ok(ingest_detect_forced(&rn) == rn.user_map, "formats: --map is forced");
	ingest_run_free(&rn);
	tap_ok(rn.builtins == NULL && rn.user_map == NULL, "formats: freed");
}

int main(void)
{
	test_dedupe();
	test_format();
	test_row_key();
	test_options();
	test_run();
	test_explain();
	test_failures();
	test_formats();
	return tap_done();
}
