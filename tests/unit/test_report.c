/* test_report.c - unit tests of tally-report's library parts:
 * lib/core/escape.c (escaping, safe file names)
 * and lib/report/report_ledger.c (settling a statement, the ledger's chain).
 *
 * Plan: HTML/Markdown/text escaping of hostile cells; safe names for
 * "../x", "/etc/x", ".", "", control bytes and very long UTF-8 names (never
 * a '/', never "." or "..", at most REPORT_NAME_MAX bytes, distinct names
 * stay distinct); settling with residues, minimums and negative balances
 * (paid + carried == balance always, over random cases); a ledger that
 * loads, and each way one is refused, with its line. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "money.h"
#include "out.h"
#include "escape.h"
#include "report_ledger.h"
#include "report_table.h"
#include "report_waterfall.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_report.XXXXXX";

/* Run put() over s into a file and return its content (static buffer). */
static const char *rendered(void (*put)(struct out *, const char *, size_t), const char *s)
{
	static char buf[1024];
	char path[300];
	struct out o;
	snprintf(path, sizeof path, "%s/r", tmpdir);
	out_open_file(&o, path);
	put(&o, s, strlen(s));
	out_close(&o);
	FILE *f = fopen(path, "rb");
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void test_escapes(void)
{
	tap_is_str(rendered(report_put_html, "<script>alert('x')</script>&\""),
		   "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;", "html escapes markup");
	tap_is_str(rendered(report_put_html, "=SUM(A1)"), "=SUM(A1)", "html shows a formula as written");
	tap_is_str(rendered(report_put_html, "-7.86"), "-7.86", "html: a negative amount has no formula guard");
	tap_is_str(rendered(report_put_md, "a|b *c* <i>"), "a\\|b \\*c\\* &lt;i>", "md escapes specials and raw html");
	/* only what Markdown would read as markup in a line's middle */
	tap_is_str(rendered(report_put_md, "Ko-fi"), "Ko-fi", "md: a hyphen is plain (was Ko\\-fi)");
	tap_is_str(rendered(report_put_md, "Vol. 2 (live) + 3.50 - 1 {x} !> #1"), "Vol. 2 (live) + 3.50 - 1 {x} !> #1",
		   "md: . ( ) + - { } ! > # plain inside a line");
	tap_is_str(rendered(report_put_md, "snake_case _em_ a*b"), "snake_case \\_em\\_ a\\*b",
		   "md: _ inside a word plain, at a word's edge escaped; * always");
	tap_is_str(rendered(report_put_md, "[x](http://e.test) ![i](j) `c` ~~s~~"),
		   "\\[x](http://e.test) !\\[i](j) \\`c\\` \\~\\~s\\~\\~", "md: links, images, code, strikethrough");
	tap_is_str(rendered(report_put_md, "a\\b c\\* d\\"), "a\\b c\\\\\\* d\\\\",
		   "md: a backslash escaped only before punctuation or at the end");
	tap_is_str(rendered(report_put_md, "Track # Fans ##"), "Track # Fans \\##", "md: a heading's closing # run only");
	tap_is_str(rendered(report_put_md, "#"), "\\#", "md: a lone # would close an empty heading");
	tap_is_str(rendered(report_put_md, "C# <3 R&D &amp; &#38; &copy"), "C# <3 R&D &amp;amp; &amp;#38; &copy",
		   "md: < and & only where they open HTML or a character reference");
	tap_is_str(rendered(report_put_md, "<b></b><!-- x --><http://e.test>"), "&lt;b>&lt;/b>&lt;!-- x -->&lt;http://e.test>",
		   "md: raw HTML and autolinks never pass");
	tap_is_str(rendered(report_put_md, "@cmd"), "@cmd", "md shows a formula as written");
	{
		char w[64];
		tap_is_str(report_words(w, sizeof w, "net_of_refunds"), "Net of refunds", "report_words: underscores, capital");
		tap_is_str(report_words(w, sizeof w, "sales_net"), "Net of fees", "report_words: reworded");
		tap_is_str(report_words(w, sizeof w, "gross"), "Gross", "report_words: one word");
		tap_is_str(report_words(w, 6, "returning_customers"), "Retur", "report_words: cut to the buffer");
	}
	tap_is_str(rendered(report_put_text, "-2+3\tx\ny"), "-2+3 x y", "text: control characters become spaces");
	tap_is_str(rendered(report_put_text, "Ana"), "Ana", "plain text unchanged");
}

static void test_safe_names(void)
{
	char buf[REPORT_NAME_MAX + 1], other[REPORT_NAME_MAX + 1];
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"Ana", "Ana"},
		{"Mara (manager)", "Mara_(manager)"},
		{"../x", "%2E.%2Fx"},
		{"/etc/x", "%2Fetc%2Fx"},
		{".", "%2E"},
		{"..", "%2E."},
		{"a_b", "a%5Fb"},
		{"a%2F", "a%252F"},
		{"x\x01y", "x%01y"},
		{"Zoë", "Zoë"},
		{"", "~cbf29ce484222325"},
		{"-rf", "%2Drf"},
		{"a-b", "a-b"},
		{"evil\u202Etxt.exe", "evil%E2%80%AEtxt.exe"},
		{"A\u200Bna", "A%E2%80%8Bna"},
		{"\uFEFFAna", "%EF%BB%BFAna"},
		{"a\u2069", "a%E2%81%A9"},
		{"\u2010x", "\u2010x"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		report_safe_name(buf, sizeof buf, cases[i].in, strlen(cases[i].in));
		tap_is_str(buf, cases[i].want, "safe name of \"%s\"", cases[i].in);
	}
	/* a long UTF-8 name: cut on a character boundary, hashed, bounded */
	char longname[600] = "";
	for (int i = 0; i < 200; i++)
		strcat(longname, "é");
	size_t n = report_safe_name(buf, sizeof buf, longname, strlen(longname));
	tap_ok(n <= REPORT_NAME_MAX && strchr(buf, '/') == NULL, "a long name is bounded (%zu bytes)", n);
	char ascii[300];
	memset(ascii, 'x', sizeof ascii - 1);
	ascii[sizeof ascii - 1] = '\0';
	tap_is_int((long)report_safe_name(other, sizeof other, ascii, strlen(ascii)), (long)REPORT_NAME_MAX,
		   "a long ASCII name is cut to exactly REPORT_NAME_MAX bytes");
	tap_ok(n >= 17 && buf[n - 17] == '~' && ((unsigned char)buf[n - 18] & 0xc0) != 0xc0,
	       "a long name is cut on a character boundary and hashed");
	longname[strlen(longname) - 2] = '\0';
	report_safe_name(other, sizeof other, longname, strlen(longname));
	tap_ok(strcmp(buf, other) != 0, "two long names with one prefix stay distinct");
	/* space and underscore do not collide */
	report_safe_name(buf, sizeof buf, "a b", 3);
	report_safe_name(other, sizeof other, "a_b", 3);
	tap_ok(strcmp(buf, other) != 0, "\"a b\" and \"a_b\" give different names");
}

static void test_settle(void)
{
	struct report_settlement s;
	report_settle(0, 56527125, 2, 20000000, &s);
	tap_ok(s.paid == 56520000 && s.carried_forward == 7125, "residue under a cent is carried");
	report_settle(12600750, 5250750, 2, 20000000, &s);
	tap_ok(s.paid == 0 && s.carried_forward == 17851500, "under the minimum: all carried");
	report_settle(14884250, -26772875, 2, 0, &s);
	tap_ok(s.paid == 0 && s.carried_forward == -11888625, "negative: carried as owed");
	report_settle(0, 1200500000, 0, 0, &s);
	tap_ok(s.paid == 1200000000 && s.carried_forward == 500000, "JPY: whole yen paid");
	tap_ok(!report_settle(INT64_MAX, 1, 2, 0, &s), "overflow is reported");
	uint64_t x = 88172645463325252ULL;
	int bad = 0;
	for (int i = 0; i < 10000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int64_t bf = (int64_t)(x % 2000000000) - 1000000000, e = (int64_t)((x >> 20) % 2000000000) - 500000000;
		int digits = (int)(x % 4);
		int64_t min = (int64_t)((x >> 40) % 100) * 1000000;
		report_settle(bf, e, digits, min, &s);
		int64_t unit = digits == 0 ? 1000000 : digits == 2 ? 10000 : digits == 3 ? 1000 : 100000;
		if (digits == 1)
			unit = 100000;
		if (s.paid + s.carried_forward != bf + e || s.paid < 0 || s.paid % unit != 0 ||
		    (s.paid > 0 && s.paid < min))
			bad++;
	}
	tap_is_int(bad, 0, "10000 random settlements: paid + carried == balance, whole units, >= minimum");
}

static const char *write_ledger(const char *content)
{
	static char path[300];
	snprintf(path, sizeof path, "%s/ledger.tsv", tmpdir);
	FILE *f = fopen(path, "wb");
	fputs(content, f);
	fclose(f);
	return path;
}

/* A ledger row with its correct chain after prev. */
static void ledger_row(char *dst, size_t cap, uint64_t *chain, const char *const f[8])
{
	*chain = report_ledger_chain(*chain, f);
	size_t len = strlen(dst);
	snprintf(dst + len, cap - len, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%016llx\n", f[0], f[1], f[2], f[3], f[4],
		 f[5], f[6], f[7], (unsigned long long)*chain);
}

static void test_ledger(void)
{
	struct report_ledger l;
	char err[512], text[4096];
	long line;
	uint64_t chain = 0;
	const char *r1[8] = {"2026-09/0001", "Ana", "2026-09", "USD", "0.00", "56.527125", "56.52", "0.007125"};
	const char *r2[8] = {"2026-10/0001", "Ana", "2026-10", "USD", "0.007125", "1.00", "1.00", "0.007125"};
	const char *r2bad[8] = {"2026-10/0001", "Ana", "2026-10", "USD", "0.00", "1.00", "1.00", "0.00"};
	const char *end1[8] = {"2026-09/end", "", "", "", "0", "0", "0", "0"};
	const char *end2[8] = {"2026-10/end+late", "", "", "", "0", "0", "0", "0"};

	snprintf(text, sizeof text, "%s\n", REPORT_LEDGER_HEADER);
	ledger_row(text, sizeof text, &chain, r1);
	ledger_row(text, sizeof text, &chain, end1);
	ledger_row(text, sizeof text, &chain, r2);
	ledger_row(text, sizeof text, &chain, end2);
	int rc = report_ledger_load(&l, write_ledger(text), &line, err, sizeof err);
	tap_ok(rc == 0 && l.n == 2 && l.rows[1].carried_forward == 7125 && l.has_rows, "a good ledger loads");
	tap_ok(rc == 0 && !report_ledger_took_late(&l, l.first.index) && report_ledger_took_late(&l, l.last.index),
	       "its closing rows say which period took late rows");
	report_ledger_free(&l);

	*strrchr(text, '\n') = '\0';
	*(strrchr(text, '\n') + 1) = '\0'; /* October's closing row lost */
	rc = report_ledger_load(&l, write_ledger(text), &line, err, sizeof err);
	tap_ok(rc == -2 && line == 4 && strstr(err, "no closing row"), "a ledger that lost its last row is refused");
	report_ledger_free(&l);

	rc = report_ledger_load(&l, tmpdir, &line, err, sizeof err);
	tap_ok(rc == -1, "a ledger that cannot be read (a folder) is an error");
	snprintf(text, sizeof text, "%s/none.tsv", tmpdir);
	rc = report_ledger_load(&l, text, &line, err, sizeof err);
	tap_ok(rc == 0 && l.n == 0, "a missing ledger is empty");
	report_ledger_free(&l);

	chain = 0;
	snprintf(text, sizeof text, "%s\n", REPORT_LEDGER_HEADER);
	ledger_row(text, sizeof text, &chain, r1);
	ledger_row(text, sizeof text, &chain, end1);
	ledger_row(text, sizeof text, &chain, r2bad);
	rc = report_ledger_load(&l, write_ledger(text), &line, err, sizeof err);
	tap_is_int(rc, -2, "a brought forward that does not chain is refused");
	tap_is_int(line, 4, "... on its line");
	tap_is_str(err, "brought_forward 0.00 of Ana (USD) does not chain: the previous statement carried forward 0.007125",
		   "... saying why");
	report_ledger_free(&l);

	chain = 0;
	snprintf(text, sizeof text, "%s\n", REPORT_LEDGER_HEADER);
	ledger_row(text, sizeof text, &chain, r1);
	text[strlen(text) - 2] = 'f'; /* a changed chain digit */
	rc = report_ledger_load(&l, write_ledger(text), &line, err, sizeof err);
	tap_ok(rc == -2 && line == 2 && strstr(err, "was edited or damaged"), "a changed chain is refused");
	report_ledger_free(&l);

	text[strlen(text) - 1] = '\0'; /* no final line end */
	rc = report_ledger_load(&l, write_ledger(text), &line, err, sizeof err);
	tap_ok(rc == -2 && line == 2 && strstr(err, "truncated"), "a truncated ledger is refused");
	report_ledger_free(&l);

	rc = report_ledger_load(&l, write_ledger("a\tb\n"), &line, err, sizeof err);
	tap_ok(rc == -2 && line == 1 && strstr(err, "not a ledger"), "another stream is not a ledger");
	report_ledger_free(&l);
}

/* The recoupment cell of tally-split --waterfall, and the words for steps. */
static void test_waterfall(void)
{
	struct report_recoupment r[2];
	size_t n = 9;
	char buf[256];
	tap_ok(report_recoupment_parse("", 0, 7, r, 2, &n) && n == 0, "recoupment: empty is none");
	const char *two = "12:500.00:USD:114.75,3:1000:JPY:0";
	tap_ok(report_recoupment_parse(two, strlen(two), 7, r, 2, &n) && n == 2, "recoupment: two entries");
	tap_is_int(r[0].line, 12, "recoupment: line");
	tap_is_int(r[0].cap, 500000000, "recoupment: cap in micro-units");
	tap_is_int(r[0].recouped, 114750000, "recoupment: recouped");
	tap_is_str(r[1].currency, "JPY", "recoupment: currency");
	tap_is_int(r[1].when, 7, "recoupment: its date");
	static const char *const bad[] = {"12:500.00:USD", "x:1:USD:0", "0:1:USD:0", "1:1:usd:0", "1:1:USD:2",
					  "1:-1:USD:0", "1:1:USD:0,", "1:1:USD:0,1:1:USD:0,1:1:USD:0", "1:1:USDX:0"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		tap_ok(!report_recoupment_parse(bad[i], strlen(bad[i]), 0, r, 2, &n), "recoupment: \"%s\" refused", bad[i]);
	tap_ok(report_recoupment_parse(two, strlen(two), 7, r, 2, &n), "recoupment: read again");
	tap_is_int((long)report_recoupment_keep(r, 2, 2), 0, "recoupment: a payee of line 2 is before both caps");
	tap_ok(report_recoupment_parse(two, strlen(two), 7, r, 2, &n), "recoupment: read again");
	tap_is_int((long)report_recoupment_keep(r, 2, 5), 1, "recoupment: a payee of line 5 went through line 3's cap");
	tap_is_int(r[0].line, 3, "recoupment: the kept one first");
	tap_ok(report_recoupment_parse(two, strlen(two), 7, r, 2, &n), "recoupment: read again");
	tap_is_int((long)report_recoupment_keep(r, 2, 12), 2, "recoupment: its own tier's cap kept");
	tap_is_int((long)report_recoupment_keep(r, 2, 0), 2, "recoupment: line not known keeps all");
	tap_is_str(report_recoupment_text(buf, sizeof buf, &r[0]),
		   "Advance 500.00 USD (agreements line 12): recouped 114.75, remaining 385.25.", "recoupment in words");
	struct report_recoupment oddcap = {3, "USD", 100000000, 1206825, 0};
	tap_is_str(report_recoupment_text(buf, sizeof buf, &oddcap),
		   "Advance 100.00 USD (agreements line 3): recouped 1.20, remaining 98.80.",
		   "recoupment: recouped + remaining is the cap as shown");
	struct report_steps st = {.gross = 70000000, .basis = 63000000, .commission = 9450000, .recouped = 23500000, .reached = 30050000};
	tap_is_str(report_steps_text(buf, sizeof buf, &st, 15025000, 2, true),
		   "gross 70.00 \xe2\x88\x92 fees 7.00 \xe2\x88\x92 commission 9.45 \xe2\x88\x92 recouped 23.50 = 30.05 \xc3\x97 50%",
		   "steps: every one");
	struct report_steps plain = {.gross = 0, .basis = 9000000, .commission = 0, .recouped = 0, .reached = 9000000};
	tap_is_str(report_steps_text(buf, sizeof buf, &plain, 3000000, 2, false), "split 9.00 = 9.00 \xc3\x97 33.33%",
		   "steps: no gross, a third");
	struct report_steps none = {.gross = 0, .basis = 0, .commission = 0, .recouped = 0, .reached = 0};
	tap_is_str(report_steps_text(buf, sizeof buf, &none, 0, 2, false), "split 0.00 = 0.00", "steps: nothing reached");
	struct report_steps refund = {.gross = -10000000, .basis = -9000000, .commission = -1350000, .recouped = 0, .reached = -7650000};
	tap_is_str(report_steps_text(buf, sizeof buf, &refund, -3825000, 2, true),
		   "gross -10.00 + fees 1.00 + commission 1.35 = -7.65 \xc3\x97 50%", "steps: a refund");
	tap_is_str(report_steps_text(buf, 12, &st, 15025000, 2, true), "gross 70.00", "steps: cut to the buffer");
	/* a line of two rows at different shares: a cap reached part-way
	 * (76.50 of 76.50, then 23.50 of 38.25) says what 87.15% blends */
	struct report_steps row1 = {.reached = 76500000}, row2 = {.reached = 38250000};
	report_steps_share(&row1, 76500000);
	report_steps_share(&row2, 23500000);
	tap_ok(row1.has_share && row1.share_min == 10000 && row2.share_max == 6144, "steps: a row's share in hundredths");
	struct report_steps zero = {0};
	report_steps_share(&zero, 0);
	tap_ok(!zero.has_share && !zero.share_unknown, "steps: a row that reached nothing has no share");
	struct report_steps blend = {.basis = 114750000, .reached = 114750000, .has_share = true,
				      .share_min = 6144, .share_max = 10000};
	tap_is_str(report_steps_text(buf, sizeof buf, &blend, 100000000, 2, false),
		   "split 114.75 = 114.75 \xc3\x97 87.15% on average (61.44% to 100% on its sales)",
		   "steps: a blend of shares says what it blends");
	blend.share_min = 10000;
	tap_is_str(report_steps_text(buf, sizeof buf, &blend, 100000000, 2, false),
		   "split 114.75 = 114.75 \xc3\x97 87.15%", "steps: one share, no blend to explain");
	/* the steps chain: 50.00 - 10.14 - 5.979 - 1.206825 = 32.674175; shown
	 * commission R(39.86) - R(33.880825) = 5.98, recouped R(33.880825) -
	 * R(32.674175) = 1.21, so 50.00 - 10.14 - 5.98 - 1.21 = 32.67 (rounding
	 * each alone, 5.97 and 1.20, came to 32.69) */
	struct report_steps odd = {.gross = 50000000, .basis = 39860000, .commission = 5979000, .recouped = 1206825, .reached = 32674175};
	tap_is_str(report_steps_text(buf, sizeof buf, &odd, 16337088, 2, true),
		   "gross 50.00 \xe2\x88\x92 fees 10.14 \xe2\x88\x92 commission 5.98 \xe2\x88\x92 recouped 1.21 = 32.67 \xc3\x97 50%",
		   "steps: the figures shown subtract to the one reached");
	struct report_steps oddfee = {.gross = 10005000, .basis = 8009000, .commission = 0, .recouped = 0, .reached = 8009000};
	tap_is_str(report_steps_text(buf, sizeof buf, &oddfee, 8009000, 2, true),
		   "gross 10.00 \xe2\x88\x92 fees 2.00 = 8.00 \xc3\x97 100%", "steps: fees 1.996 shown as 10.00 - 8.00");
	struct report_steps negodd = {.gross = -10005000, .basis = -8009000, .commission = -1201350, .recouped = 0, .reached = -6807650};
	tap_is_str(report_steps_text(buf, sizeof buf, &negodd, -6807650, 2, true),
		   "gross -10.00 + fees 2.00 + commission 1.20 = -6.80 \xc3\x97 100%",
		   "steps: a refund chains toward zero too");
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	test_escapes();
	test_safe_names();
	test_settle();
	test_ledger();
	test_waterfall();
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
