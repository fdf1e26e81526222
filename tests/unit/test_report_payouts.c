/* test_report_payouts.c - unit tests of lib/report/report_payouts.c, the payee
 * file and the batch files of tally-report --payouts.
 *
 * Plan: a payee file loads, sorted, found by payee and currency; each way
 * one is refused, with its line (missing column, comma-separated, unknown
 * method, bad currency, Venmo in EUR, Wise without an e-mail, a control
 * character, a formula, twice the same payee); references are stable,
 * distinct per payee, currency and period, and fit PayPal's 30 and
 * Wise's 18 characters; a settled book of three payees in two currencies
 * makes a batch whose amounts are the statements' paid exactly (JPY
 * without decimals), that skips statements paying nothing and payees of
 * another method (counted), groups PayPal's files per currency and
 * refuses them as one file; a payee paid without a line, or with one in
 * another currency, is an error naming them; format lists; the services'
 * row limits (1,001 Wise payments are two files); CSV quoting of commas and
 * quotes; the exact bytes of each format. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "book.h"
#include "money.h"
#include "report_payouts.h"
#include "tap.h"

#define M(x) ((int64_t)((x) * 1000000.0 + ((x) < 0 ? -0.5 : 0.5))) /* major units to micro-units */

static char tmpdir[] = "/tmp/test_report_payouts.XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char path[300];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	fputs(text, f);
	fclose(f);
	return path;
}

static char *read_back(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

#define HEAD "payee\tmethod\taccount\tcurrency\tname\ttype\n"

static void test_payees_load(void)
{
	struct report_payees p;
	char msg[512];
	const char *path = write_file("ok.tsv", HEAD "Zoe\twise\tzoe@example.org\tEUR\tZoe Z, \"Zed\"\tbusiness\n"
						"Ana\tpaypal\tana@example.com\tUSD\t\t\n"
						"Ana\tmanual\tIBAN DE00 1234\tEUR\t\t\n");
	int rc = report_payees_load(&p, path, msg, sizeof msg);
	tap_ok(rc == REPORT_PAYOUTS_OK && p.n == 3, "a payee file loads (%s)", rc ? msg : "ok");
	const struct report_payee *e = report_payees_find(&p, "Ana", "EUR");
	tap_ok(e && e->method == REPORT_PAY_MANUAL && e->line == 4 && strcmp(e->name, "Ana") == 0,
	       "found by payee and currency, with its line; the name defaults to the payee");
	e = report_payees_find(&p, "Zoe", "EUR");
	tap_ok(e && e->business && strcmp(e->name, "Zoe Z, \"Zed\"") == 0, "name and type columns are read");
	tap_ok(!report_payees_find(&p, "Zoe", "USD") && !report_payees_find(&p, "zoe", "EUR"),
	       "no entry in another currency, nor for another spelling");
	report_payees_free(&p);

	static const struct {
		const char *text, *want;
		int st; /* 0: REPORT_PAYOUTS_EDATA */
	} bad[] = {
		/* the header: usage, as a stream's missing column */
		{"payee\tmethod\taccount\nAna\tpaypal\ta@b.c\n", "bad.tsv:1: missing column \"currency\"",
		 REPORT_PAYOUTS_EUSAGE},
		{"payee,method,account,currency\nAna,paypal,a@b.c,USD\n", "bad.tsv:1: the payee file must be TAB-separated",
		 REPORT_PAYOUTS_EUSAGE},
		{HEAD "Ana\tpaypl\ta@b.c\tUSD\t\t\n", "bad.tsv:2: column \"method\": \"paypl\" is not one of paypal", 0},
		{HEAD "Ana\tpaypal\ta@b.c\tusd\t\t\n", "bad.tsv:2: column \"currency\": \"usd\" is not a currency code", 0},
		{HEAD "Ana\tvenmo\t5550100\tEUR\t\t\n", "bad.tsv:2: column \"currency\": \"EUR\" is not USD: Venmo", 0},
		{HEAD "Ana\twise\tAna.Smith\tEUR\t\t\n", "bad.tsv:2: column \"account\": \"Ana.Smith\" is not an e-mail", 0},
		{HEAD "Ana\tpaypal\tana @x.com\tUSD\t\t\n", "bad.tsv:2: column \"account\": \"ana @x.com\" holds a space", 0},
		{HEAD "Ana\twise\tana@x\tEUR\t\t\n", "bad.tsv:2: column \"account\": \"ana@x\" is not an e-mail", 0},
		{HEAD "Ana\tpaypal\t\tUSD\t\t\n", "bad.tsv:2: column \"account\": \"\" is empty", 0},
		{HEAD "\tpaypal\ta@b.c\tUSD\t\t\n", "bad.tsv:2: column \"payee\": \"\" is empty", 0},
		{HEAD "Ana\tpaypal\ta@b.c\tUSD\tA\\nB\t\n", "bad.tsv:2: column \"name\": \"A\\nB\" holds a control character", 0},
		{HEAD "Ana\tpaypal\ta@b.c\tUSD\t=HYPERLINK(1)\t\n", "bad.tsv:2: column \"name\": \"=HYPERLINK(1)\" starts with '='", 0},
		{HEAD "Ana\tpaypal\ta@b.c\tUSD\t\tperson\n", "bad.tsv:2: column \"type\": \"person\" is not private or business", 0},
		{HEAD "Ana\tpaypal\ta@b.c\tUSD\t\t\nBen\tpaypal\tb@b.c\tUSD\t\t\nAna\twise\ta@b.c\tUSD\t\t\n",
		 "bad.tsv:4: \"Ana\" in USD is on line 2 already", 0},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		path = write_file("bad.tsv", bad[i].text);
		rc = report_payees_load(&p, path, msg, sizeof msg);
		const char *at = strstr(msg, "bad.tsv:");
		int want_st = bad[i].st ? bad[i].st : REPORT_PAYOUTS_EDATA;
		tap_ok(rc == want_st && at && strncmp(at, bad[i].want, strlen(bad[i].want)) == 0,
		       "refused: %s", rc != REPORT_PAYOUTS_OK ? msg : "(accepted)");
		report_payees_free(&p);
	}
	char nosuch[300];
	snprintf(nosuch, sizeof nosuch, "%s/nosuch.tsv", tmpdir);
	tap_ok(report_payees_load(&p, nosuch, msg, sizeof msg) == REPORT_PAYOUTS_EOPEN && strstr(msg, "No such file"),
	       "a missing payee file: EOPEN, with the reason");
	report_payees_free(&p);
}

static void test_formats(void)
{
	unsigned f;
	tap_ok(report_payouts_formats_parse("wise", &f) && f == 1u << REPORT_PAYOUTS_WISE, "one format");
	tap_ok(report_payouts_formats_parse("tsv,paypal", &f) &&
		       f == (1u << REPORT_PAYOUTS_TSV | 1u << REPORT_PAYOUTS_PAYPAL),
	       "two formats joined by a comma");
	tap_ok(!report_payouts_formats_parse("paypal,paypal", &f) && !report_payouts_formats_parse("paypal,", &f) &&
		       !report_payouts_formats_parse("", &f) && !report_payouts_formats_parse("stripe", &f) &&
		       !report_payouts_formats_parse("pay", &f),
	       "twice, empty, unknown or a prefix: refused");
}

static void test_references(void)
{
	char a[32], b[32], c[32], d[32], again[32];
	struct period oct = {PERIOD_MONTH, 2026 * 12 + 9}, nov = {PERIOD_MONTH, 2026 * 12 + 10};
	struct period week = {PERIOD_WEEK, 3000};

	report_payout_reference(a, sizeof a, "Ana", "USD", oct);
	report_payout_reference(again, sizeof again, "Ana", "USD", oct);
	report_payout_reference(b, sizeof b, "Ana", "EUR", oct);
	report_payout_reference(c, sizeof c, "Ana", "USD", nov);
	report_payout_reference(d, sizeof d, "Ben", "USD", oct);
	tap_is_str(a, again, "a reference is the same in every run");
	tap_ok(strcmp(a, b) && strcmp(a, c) && strcmp(a, d) && strcmp(c, d),
	       "and differs by currency, period and payee (%s %s %s %s)", a, b, c, d);
	tap_ok(strncmp(a, "202610-", 7) == 0 && strlen(a) == 17 && !strchr(a, ' '), "PERIOD-10 hex digits: %s", a);
	report_payout_reference(a, sizeof a, "Ana", "USD", week);
	tap_ok(strlen(a) <= 18, "a week's reference fits Wise's 18 characters: %s", a);
}

/* One month: Ana earns 105.996 USD (105.99 paid), Ben 19.125 USD
 * (19.12), Cleo 12.755 USD by Wise and 1500 JPY, Dan -3.00 USD (owes),
 * Eve 7.00 EUR by hand. */
static void fill_book(struct report_book *b)
{
	memset(b, 0, sizeof *b);
	b->kind = PERIOD_MONTH;
	int64_t oct = 2026 * 12 + 9;
	uint32_t src = name(b, "gumroad"), prod = name(b, "Song");
	report_book_add(b, account(b, "Ana", "USD"), oct, src, prod, M(105.996));
	report_book_add(b, account(b, "Ben", "USD"), oct, src, prod, M(19.125));
	report_book_add(b, account(b, "Cleo, \"CJ\"", "USD"), oct, src, prod, M(12.755));
	report_book_add(b, account(b, "Cleo, \"CJ\"", "JPY"), oct, src, prod, M(1500));
	report_book_add(b, account(b, "Dan", "USD"), oct, src, prod, M(-3));
	report_book_add(b, account(b, "Eve", "EUR"), oct, src, prod, M(7));
}

static const char *batch_text(const struct report_batch *bt, size_t from, size_t to)
{
	char path[300];
	struct out o;
	snprintf(path, sizeof path, "%s/batch", tmpdir);
	out_open_file(&o, path);
	report_batch_write(&o, bt, from, to);
	out_close(&o);
	return read_back(path);
}

static void test_batches(void)
{
	struct report_book b;
	struct report_settle_error err;
	struct report_payees p;
	struct report_batch bt;
	char msg[1024], notes[512];

	fill_book(&b);
	tap_ok(report_book_settle(&b, NULL, false, 0, &err) == REPORT_OK && report_book_total(&b) == REPORT_OK &&
		       b.nst == 6,
	       "six statements settled");
	report_payees_load(&p, write_file("p.tsv", HEAD "Ana\tpaypal\tana@example.com\tUSD\t\t\n"
						   "Ben\tvenmo\t+15555550100\tUSD\t\t\n"
						   "Cleo, \"CJ\"\twise\tcj@example.org\tUSD\t\t\n"
						   "Cleo, \"CJ\"\tpaypal\tcj@example.org\tJPY\t\t\n"
						   "Dan\tpaypal\tdan@example.com\tUSD\t\t\n"
						   "Eve\tmanual\tIBAN DE00 1234\tEUR\t\t\n"),
			   msg, sizeof msg);

	int rc = report_batch_build(&bt, REPORT_PAYOUTS_PAYPAL, 1u << REPORT_PAYOUTS_PAYPAL, &b, &p, false, msg, sizeof msg);
	tap_ok(rc == REPORT_PAYOUTS_OK && bt.n == 3 && bt.nothing_to_pay == 1 && bt.other_method == 2,
	       "PayPal: three payments, Dan owes (skipped), Cleo's USD and Eve by other methods (counted)");
	tap_is_str(bt.other_methods, "wise, manual", "the other methods named once each");
	tap_ok(strstr(report_batch_notes(&bt, notes, sizeof notes), "1 statement pays nothing") &&
		       strstr(notes, "2 payments by wise, manual in no batch of this run"),
	       "notes: %s", notes);
	tap_ok(report_batch_file_end(&bt, 0) == 1 && report_batch_file_end(&bt, 1) == 3,
	       "PayPal: one file per currency (JPY first, then USD)");
	char fname[96];
	tap_is_str(report_batch_file_name(fname, sizeof fname, &bt, 1), "payouts-2026-10-USD.paypal.csv", "its name");
	char ra[32], rb[32], rc_[32];
	struct period oct = {PERIOD_MONTH, 2026 * 12 + 9};
	report_payout_reference(ra, sizeof ra, "Ana", "USD", oct);
	report_payout_reference(rb, sizeof rb, "Ben", "USD", oct);
	report_payout_reference(rc_, sizeof rc_, "Cleo, \"CJ\"", "JPY", oct);
	char want[1024];
	snprintf(want, sizeof want,
		 "cj@example.org,1500,JPY,%s,Payout for 2026-10 (statement 2026-10/0003),PAYPAL\r\n", rc_);
	tap_is_str(batch_text(&bt, 0, 1), want, "PayPal JPY file: whole yen, no header");
	snprintf(want, sizeof want,
		 "ana@example.com,105.99,USD,%s,Payout for 2026-10 (statement 2026-10/0001),PAYPAL\r\n"
		 "+15555550100,19.12,USD,%s,Payout for 2026-10 (statement 2026-10/0002),VENMO\r\n",
		 ra, rb);
	tap_is_str(batch_text(&bt, 1, 3), want, "PayPal USD file: the statements' paid, to the cent; Venmo's wallet");
	report_batch_free(&bt);
	rc = report_batch_build(&bt, REPORT_PAYOUTS_PAYPAL, 1u << REPORT_PAYOUTS_PAYPAL | 1u << REPORT_PAYOUTS_WISE, &b, &p,
				false, msg, sizeof msg);
	tap_ok(rc == REPORT_PAYOUTS_OK && bt.n == 3 && bt.other_method == 1 && strcmp(bt.other_methods, "manual") == 0,
	       "with a Wise batch in the same run, only Eve's manual payment is in none");
	report_batch_free(&bt);
	rc = report_batch_build(&bt, REPORT_PAYOUTS_PAYPAL, 1u << REPORT_PAYOUTS_PAYPAL, &b, &p, true, msg, sizeof msg);
	tap_ok(rc == REPORT_PAYOUTS_EUSAGE && strstr(msg, "JPY and USD"), "PayPal as one file with two currencies: %s",
	       msg);
	report_batch_free(&bt);

	rc = report_batch_build(&bt, REPORT_PAYOUTS_WISE, 1u << REPORT_PAYOUTS_WISE, &b, &p, true, msg, sizeof msg);
	char rcu[32];
	report_payout_reference(rcu, sizeof rcu, "Cleo, \"CJ\"", "USD", oct);
	snprintf(want, sizeof want,
		 "name,recipientEmail,paymentReference,receiverType,amountCurrency,amount,sourceCurrency,targetCurrency\r\n"
		 "\"Cleo, \"\"CJ\"\"\",cj@example.org,%s,PRIVATE,target,12.75,USD,USD\r\n",
		 rcu);
	tap_ok(rc == REPORT_PAYOUTS_OK && bt.n == 1, "Wise: Cleo's USD only");
	tap_is_str(batch_text(&bt, 0, bt.n), want, "Wise file: header, a name with a comma and quotes quoted");
	report_batch_free(&bt);

	rc = report_batch_build(&bt, REPORT_PAYOUTS_TSV, 1u << REPORT_PAYOUTS_TSV, &b, &p, true, msg, sizeof msg);
	tap_ok(rc == REPORT_PAYOUTS_OK && bt.n == 5 && bt.other_method == 0 && report_batch_file_end(&bt, 0) == 5,
	       "TSV: every payment, every method, one file a period");
	const char *tsv = batch_text(&bt, 0, bt.n);
	static const char tsv_head[] = "period\tstatement\tpayee\tmethod\taccount\tcurrency\tamount\treference\tname\n";
	tap_ok(strncmp(tsv, tsv_head, sizeof tsv_head - 1) == 0 &&
		       strstr(tsv, "\t2026-10/0006\tEve\tmanual\tIBAN DE00 1234\tEUR\t7.00\t"),
	       "TSV: header, Eve paid 7.00 EUR by hand");
	report_batch_free(&bt);
	report_payees_free(&p);

	report_payees_load(&p, write_file("p2.tsv", HEAD "Ana\tpaypal\tana@example.com\tEUR\t\t\n"
						     " ben \tpaypal\tben@example.com\tUSD\t\t\n"
						     "Cleo, \"cj\"\tpaypal\tcj@example.com\tUSD\t\t\n"),
			   msg, sizeof msg);
	rc = report_batch_build(&bt, REPORT_PAYOUTS_TSV, 1u << REPORT_PAYOUTS_TSV, &b, &p, true, msg, sizeof msg);
	tap_ok(rc == REPORT_PAYOUTS_EDATA && strstr(msg, "4 payments of this run go to payees with no line in") &&
		       strstr(msg, "\"Eve\" (7.00 EUR)") && !strstr(msg, "Dan"),
	       "every payee paid without a line is named at once, Dan (paid nothing) not: %s", msg);
	tap_ok(strstr(msg, "\"Ben\" (19.12 USD; line 3 has \" ben \")") &&
		       strstr(msg, "\"Cleo, \\\"CJ\\\"\" (1500 JPY; line 4 has \"Cleo, \\\"cj\\\"\")"),
	       "a line spelt otherwise (case, spaces) is pointed at, not taken");
	report_batch_free(&bt);
	report_payees_free(&p);

	report_payees_load(&p, write_file("p3.tsv", HEAD "Ana\tpaypal\tana@example.com\tEUR\t\t\n"
						     "Ben\tpaypal\tb@example.com\tUSD\t\t\n"
						     "Cleo, \"CJ\"\tpaypal\tc@example.com\tUSD\t\t\n"
						     "Cleo, \"CJ\"\tpaypal\tc@example.com\tJPY\t\t\n"
						     "Eve\tpaypal\te@example.com\tEUR\t\t\n"),
			   msg, sizeof msg);
	rc = report_batch_build(&bt, REPORT_PAYOUTS_PAYPAL, 1u << REPORT_PAYOUTS_PAYPAL, &b, &p, false, msg, sizeof msg);
	tap_ok(rc == REPORT_PAYOUTS_EDATA && strstr(msg, "p3.tsv:2: \"Ana\" is paid 105.99 USD for 2026-10") &&
		       strstr(msg, "in EUR only"),
	       "a payee whose line is in another currency: %s", msg);
	report_batch_free(&bt);
	report_payees_free(&p);
	report_book_free(&b);
}

/* 1,001 payees paid by Wise: two files, of 1,000 and 1; refused as one. */
static void test_row_limits(void)
{
	struct report_book b;
	struct report_settle_error err;
	struct report_payees p;
	struct report_batch bt;
	char msg[1024], fname[96], path[300];

	memset(&b, 0, sizeof b);
	b.kind = PERIOD_MONTH;
	snprintf(path, sizeof path, "%s/many.tsv", tmpdir);
	FILE *f = fopen(path, "wb");
	fputs(HEAD, f);
	for (int i = 0; i < 1001; i++) {
		char payee[32];
		snprintf(payee, sizeof payee, "payee %04d", i);
		fprintf(f, "%s\twise\tp%d@example.com\tUSD\t\t\n", payee, i);
		report_book_add(&b, account(&b, payee, "USD"), 2026 * 12 + 9, name(&b, "s"), name(&b, "p"), M(1));
	}
	fclose(f);
	report_book_settle(&b, NULL, false, 0, &err);
	report_book_total(&b);
	int rc = report_payees_load(&p, path, msg, sizeof msg);
	rc = rc ? rc : report_batch_build(&bt, REPORT_PAYOUTS_WISE, 1u << REPORT_PAYOUTS_WISE, &b, &p, false, msg, sizeof msg);
	tap_ok(rc == REPORT_PAYOUTS_OK && bt.n == 1001 && report_batch_file_end(&bt, 0) == 1000 &&
		       report_batch_file_end(&bt, 1000) == 1001,
	       "Wise takes 1,000 rows a file: 1,001 payments are two files");
	tap_is_str(report_batch_file_name(fname, sizeof fname, &bt, 1000), "payouts-2026-10-2.wise.csv", "the second part's name");
	report_batch_free(&bt);
	rc = report_batch_build(&bt, REPORT_PAYOUTS_WISE, 1u << REPORT_PAYOUTS_WISE, &b, &p, true, msg, sizeof msg);
	tap_ok(rc == REPORT_PAYOUTS_EUSAGE && strstr(msg, "1001 payments, and the service takes 1000 a file"),
	       "as one file: refused (%s)", msg);
	report_batch_free(&bt);
	report_payees_free(&p);
	report_book_free(&b);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	test_payees_load();
	test_formats();
	test_references();
	test_batches();
	test_row_limits();
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		tap_ok(0, "cleaning up %s", tmpdir);
	return tap_done();
}
