/* test_split.c - unit tests of the agreements engine (lib/split/split_rules.c),
 * the state file (lib/split/split_state.c), the rates table (lib/core/fx.c) and the
 * lock (lib/core/lock.c).
 *
 * Plan: agreements file errors with their exact line and message;
 * precedence (sku > product > source > kind > *, exact before glob, more
 * literal characters first, equal ones ambiguous) and date bounds; the
 * waterfall's worked examples (15% off the top, a cap recouped and
 * exhausted, a refund that un-recoups, 50/30/20 of 0.01, a cap in another
 * currency with and without rates); a property test over 1,000 random
 * agreement sets and amounts (conservation, no negative part for a
 * positive basis, the same result on a re-run); the state's round trip;
 * fx lookups; the lock taken twice; weights below 1 that look like
 * fractions flagged. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "fx.h"
#include "lock.h"
#include "out.h"
#include "split_rules.h"
#include "split_state.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_split.XXXXXX";

static int parse(struct split_rules *r, const char *text, long *line, char *err)
{
	return split_rules_parse(r, "a.tsv", text, strlen(text), line, err, 256);
}

/* Parse text, which must fail with status want_st at want_line with want_msg. */
static void expect_status(const char *text, int want_st, long want_line, const char *want_msg)
{
	struct split_rules r;
	long line = 0;
	char err[256];
	int st = parse(&r, text, &line, err);
	tap_is_int(st, want_st, "error: %s", want_msg);
	tap_is_int(line, want_line, "  on line %ld", want_line);
	tap_is_str(err, want_msg, "  message");
	split_rules_free(&r);
}

/* Parse text, which must be bad data at want_line with want_msg. */
static void expect_error(const char *text, long want_line, const char *want_msg)
{
	expect_status(text, SPLIT_EDATA, want_line, want_msg);
}

static void test_errors(void)
{
	expect_error("match\tpayee\tshare\n*\tA\t-15%\n", 2, "column \"share\": \"-15%\" is negative");
	expect_error("match\tpayee\tshare\n*\tA\t15x\n", 2,
		     "column \"share\": \"15x\" is not a share (15%, 1/3 or a weight)");
	expect_error("# c\n\nmatch\tpayee\tshare\n*\tA\t90%\n", 4, "the last tier (1) totals 90%, not 100%");
	expect_error("match\ttier\tpayee\tshare\n*\t1\tA\t70%\n*\t1\tB\t50%\n*\t2\tC\t100%\n", 2,
		     "tier 1 shares total 120%, over 100%");
	expect_error("match\tpayee\tshare\tcap\n*\tA\t100%\t5.00 XYZ\n", 2,
		     "column \"cap\": \"XYZ\" is not a known currency");
	expect_error("match\tpayee\tshare\tcap\n*\tA\t100%\t5.00 USD\n", 2,
		     "the last tier (1) cannot have a cap: what it leaves would have nowhere to go");
	expect_status("match\tpayee\n*\tA\n", SPLIT_ECOLUMN, 1, "missing column \"share\" (header: match, payee)");
	expect_error("match\tfrom\tto\tpayee\tshare\nP*\t2026-01-01\t\tA\t100%\nP*\t2026-06-01\t2026-06-30\tB\t100%\n",
		     3, "agreement \"P*\" (2026-06-01 to 2026-06-30) overlaps the one on line 2 with the same match");
	expect_error("match\tfrom\tpayee\tshare\n*\t2026-02-30\tA\t100%\n", 2,
		     "column \"from\": \"2026-02-30\" is not a date (YYYY-MM-DD)");
	expect_error("match\ttier\tpayee\tshare\n*\t1\tA\t2\n*\t2\tB\t100%\n", 2,
		     "tier 1 has plain weights: only the last tier may; write a percentage or a fraction");
	expect_error("match\tpayee\tshare\n*\tA\t50%\n*\tA\t50%\n", 3,
		     "payee \"A\" appears twice in tier 1 (lines 2 and 3)");
	expect_error("match\tpayee\tshare\tbasis\n*\tA\t50%\tnet\n*\tB\t50%\tgross\n", 3,
		     "column \"basis\": \"gross\" differs from \"net\" on line 2 of the same agreement");
	expect_error("match\tpayee\tshare\n*\tA\t1/3\t\n", 2, "expected 3 fields, found 4");
	expect_error("# only comments\n", 0, "no header line (match, payee, share, ...)");
}

static const struct split_agreement *find(struct split_rules *r, const char *source, const char *product,
					  const char *sku, const char *kind, const char *date, int *st)
{
	struct split_row row = {source, product, sku, kind, 0};
	date_parse(date, strlen(date), &row.when);
	const struct split_agreement *a = NULL, *other = NULL;
	*st = split_find(r, &row, &a, &other);
	return a;
}

static void test_precedence(void)
{
	const char *text = "match\tfrom\tto\tpayee\tshare\n"
			   "*\t\t\tall\t100%\n"                        /* 2 */
			   "kind:tip\t\t\ttips\t100%\n"                /* 3 */
			   "source:etsy\t\t\tetsy\t100%\n"             /* 4 */
			   "Lanterns*\t\t\tlanterns\t100%\n"           /* 5 */
			   "Lanterns (vinyl LP)\t\t\tvinyl\t100%\n"    /* 6 */
			   "sku:course\t\t\tcourse\t100%\n"            /* 7 */
			   "Tour*\t2026-10-01\t2026-10-15\told\t100%\n"/* 8 */
			   "Tour*\t2026-10-16\t\tnew\t100%\n"          /* 9 */
			   "Lan*s\t\t\tx\t100%\n"                      /* 10: 4 literals */
			   "*nter*\t\t\ty\t100%\n"                     /* 11: 4 literals */
			   "Poster\t2026-01-01\t2026-01-31\tp\t100%\n";/* 12 */
	struct split_rules r;
	long line = 0;
	char err[256];
	tap_is_int(parse(&r, text, &line, err), SPLIT_OK, "precedence rules parse");
	int st;
	const struct split_agreement *a;
	a = find(&r, "gumroad", "Songs", "", "sale", "2026-10-01", &st);
	tap_ok(st == SPLIT_OK && a->line == 2, "* catches everything");
	a = find(&r, "gumroad", "Songs", "", "tip", "2026-10-01", &st);
	tap_ok(st == SPLIT_OK && a->line == 3, "kind: beats *");
	a = find(&r, "etsy", "Songs", "", "tip", "2026-10-01", &st);
	tap_ok(st == SPLIT_OK && a->line == 4, "source: beats kind:");
	a = find(&r, "etsy", "Lanterns (digital)", "", "tip", "2026-10-01", &st);
	tap_ok(st == SPLIT_OK && a->line == 5, "product glob beats source:");
	a = find(&r, "etsy", "Lanterns (vinyl LP)", "", "sale", "2026-10-01", &st);
	tap_ok(st == SPLIT_OK && a->line == 6, "exact product beats glob");
	a = find(&r, "etsy", "Lanterns (vinyl LP)", "course", "sale", "2026-10-01", &st);
	tap_ok(st == SPLIT_OK && a->line == 7, "sku: beats product");
	a = find(&r, "etsy", "Tour poster", "", "sale", "2026-10-15", &st);
	tap_ok(st == SPLIT_OK && a->line == 8, "date-bounded: old agreement to its last day");
	a = find(&r, "etsy", "Tour poster", "", "sale", "2026-10-16", &st);
	tap_ok(st == SPLIT_OK && a->line == 9, "date-bounded: new agreement from its first day");
	a = find(&r, "gumroad", "Tour poster", "", "sale", "2026-09-30", &st);
	tap_ok(st == SPLIT_OK && a->line == 2, "before the dated ones: the less specific * applies");
	a = find(&r, "gumroad", "Lanters", "", "sale", "2026-10-01", &st);
	tap_is_int(st, SPLIT_EAMBIGUOUS, "equally specific globs are ambiguous");
	split_rules_free(&r);

	tap_is_int(parse(&r, "match\tfrom\tpayee\tshare\nP\t2026-01-01\tA\t100%\n", &line, err), SPLIT_OK, "dated");
	find(&r, "x", "P", "", "sale", "2025-12-31", &st);
	tap_is_int(st, SPLIT_EDATE, "a date outside every agreement");
	find(&r, "x", "Q", "", "sale", "2026-12-31", &st);
	tap_is_int(st, SPLIT_ENOMATCH, "no agreement matches");
	split_rules_free(&r);
}

/* Apply rules text to one amount; parts as "payee=amount ..." (micro). */
static int apply(struct split_rules *r, int64_t basis, const char *cur, const struct fx_table *fx,
		 char *got, size_t cap)
{
	struct split_part parts[64];
	size_t n = 0;
	int st;
	const struct split_agreement *a = find(r, "s", "P", "", "sale", "2026-10-01", &st);
	if (st)
		return st;
	int64_t when;
	date_parse("2026-10-01", 10, &when);
	st = split_apply(r, a, basis, cur, when, fx, parts, &n, NULL);
	size_t used = 0;
	got[0] = '\0';
	for (size_t i = 0; i < n && used < cap; i++)
		used += (size_t)snprintf(got + used, cap - used, "%s%s=%lld", i ? " " : "", parts[i].payee->name,
					 (long long)parts[i].amount);
	return st;
}

static void test_waterfall(void)
{
	struct split_rules r;
	long line = 0;
	char err[256], got[512];
	parse(&r, "match\ttier\tpayee\tshare\n*\t1\tagent\t15%\n*\t2\tA\t1/2\n*\t2\tB\t1/2\n", &line, err);
	apply(&r, 10000000, "USD", NULL, got, sizeof got);
	tap_is_str(got, "agent=1500000 A=4250000 B=4250000", "agent 15%% off the top of 10.00");
	split_rules_free(&r);

	parse(&r, "match\tpayee\tshare\n*\tA\t50%\n*\tB\t30%\n*\tC\t20%\n", &line, err);
	apply(&r, 10000, "USD", NULL, got, sizeof got);
	tap_is_str(got, "A=5000 B=3000 C=2000", "50/30/20 of 0.01");
	apply(&r, 1, "USD", NULL, got, sizeof got);
	tap_is_str(got, "A=1", "50/30/20 of one micro-unit: the largest remainder");
	split_rules_free(&r);

	parse(&r, "match\tpayee\tshare\n*\tA\t1\n*\tB\t1\n*\tC\t1\n", &line, err);
	apply(&r, 2, "USD", NULL, got, sizeof got);
	tap_is_str(got, "A=1 B=1", "weights 1:1:1 of 2 micro-units: ties go to file order");
	split_rules_free(&r);

	parse(&r, "match\ttier\tpayee\tshare\tcap\n*\t1\tlabel\t100%\t50.00 USD\n*\t2\tA\t100%\n", &line, err);
	apply(&r, 30000000, "USD", NULL, got, sizeof got);
	tap_is_str(got, "label=30000000", "cap: the label recoups all of 30.00");
	apply(&r, 30000000, "USD", NULL, got, sizeof got);
	tap_is_str(got, "label=20000000 A=10000000", "cap: then the last 20.00 of 50.00, the rest flows on");
	tap_is_int(r.caps[0].recouped, 50000000, "cap: exhausted");
	apply(&r, -5000000, "USD", NULL, got, sizeof got);
	tap_is_str(got, "label=-5000000", "refund after recoupment: un-recoups the label first");
	tap_is_int(r.caps[0].recouped, 45000000, "cap: 45.00 recouped after the refund");
	r.caps[0].recouped = 1000000;
	apply(&r, -3000000, "USD", NULL, got, sizeof got);
	tap_is_str(got, "label=-1000000 A=-2000000", "refund beyond what was recouped reaches the next tier");
	tap_is_int(apply(&r, 5000000, "EUR", NULL, got, sizeof got), SPLIT_ENOFX,
		   "cap in USD, sale in EUR, no rates: an error");
	tap_is_int(r.caps[0].recouped, 0, "a failed row changes no counter");

	char path[300];
	snprintf(path, sizeof path, "%s/rates.tsv", tmpdir);
	FILE *f = fopen(path, "w");
	fputs("date\tcurrency\trate\n2026-09-01\tEUR\t1.25\n", f);
	fclose(f);
	struct fx_table fx;
	struct fx_error fe;
	tap_is_int(fx_load(&fx, path, &fe), FX_OK, "rates load");
	apply(&r, 8000000, "EUR", &fx, got, sizeof got);
	tap_is_str(got, "label=8000000", "EUR 8.00 recoups 10.00 USD");
	tap_is_int(r.caps[0].recouped, 10000000, "counter in the cap's currency");
	apply(&r, 40000000, "EUR", &fx, got, sizeof got);
	tap_is_str(got, "label=32000000 A=8000000", "EUR 40.00: 32.00 finish the 40.00 USD left, 8.00 flow on");
	fx_free(&fx);
	split_rules_free(&r);
}

/* A random agreements file: 1-4 tiers, 1-5 payees each, shares as
 * percentages, fractions or (last tier) weights, random caps. */
static void random_rules(char *buf, size_t cap)
{
	size_t used = (size_t)snprintf(buf, cap, "match\ttier\tpayee\tshare\tcap\n");
	int ntiers = 1 + (int)(tap_rand() % 4);
	for (int t = 1; t <= ntiers; t++) {
		bool last = t == ntiers;
		int total = last ? 100 : 1 + (int)(tap_rand() % 100);
		int n = 1 + (int)(tap_rand() % 5);
		if (n > total)
			n = total;
		bool weights = last && tap_rand() % 3 == 0;
		char capfield[32] = "";
		if (!last && tap_rand() % 2)
			snprintf(capfield, sizeof capfield, "%d.%02d USD", 1 + (int)(tap_rand() % 500),
				 (int)(tap_rand() % 100));
		int left = total - n; /* each payee has 1, the rest spread at random */
		for (int p = 0; p < n; p++) {
			int extra = p + 1 == n ? left : (int)(tap_rand() % (unsigned)(left + 1));
			left -= extra;
			char share[32];
			if (weights)
				snprintf(share, sizeof share, "%d", 1 + (int)(tap_rand() % 9));
			else if (tap_rand() % 2)
				snprintf(share, sizeof share, "%d%%", 1 + extra);
			else
				snprintf(share, sizeof share, "%d/100", 1 + extra);
			used += (size_t)snprintf(buf + used, cap - used, "*\t%d\tp%d_%d\t%s\t%s\n", t, t, p,
						 share, capfield);
		}
	}
}

static void test_property(void)
{
	int parsed = 0, conserved = 0, non_negative = 0, repeatable = 0, trials = 0;
	for (int set = 0; set < 1000; set++) {
		char text[4096];
		random_rules(text, sizeof text);
		struct split_rules r1, r2;
		long line = 0;
		char err[256];
		if (parse(&r1, text, &line, err) != SPLIT_OK) {
			printf("# set %d: %s (line %ld)\n%s", set, err, line, text);
			continue;
		}
		parse(&r2, text, &line, err);
		parsed++;
		int64_t when = 0;
		const struct split_agreement *a1 = &r1.agreements[0], *a2 = &r2.agreements[0];
		bool ok_sum = true, ok_sign = true, ok_same = true;
		for (int k = 0; k < 20; k++) {
			int64_t basis;
			switch (tap_rand() % 4) {
			case 0: basis = (int64_t)(tap_rand() % 100); break;
			case 1: basis = (int64_t)(tap_rand() % 1000000000); break;
			case 2: basis = -(int64_t)(tap_rand() % 100000000); break;
			default: basis = (int64_t)(tap_rand() % 1000000000000000LL); break;
			}
			struct split_part p1[64], p2[64];
			size_t n1 = 0, n2 = 0;
			int s1 = split_apply(&r1, a1, basis, "USD", when, NULL, p1, &n1, NULL);
			int s2 = split_apply(&r2, a2, basis, "USD", when, NULL, p2, &n2, NULL);
			trials++;
			int64_t sum = 0;
			for (size_t i = 0; i < n1; i++) {
				sum += p1[i].amount;
				if (basis > 0 && p1[i].amount < 0)
					ok_sign = false;
			}
			if (s1 != SPLIT_OK || sum != basis)
				ok_sum = false;
			if (s1 != s2 || n1 != n2)
				ok_same = false;
			for (size_t i = 0; i < n1 && i < n2; i++)
				if (p1[i].amount != p2[i].amount || strcmp(p1[i].payee->name, p2[i].payee->name))
					ok_same = false;
		}
		for (size_t c = 0; c < r1.ncaps; c++)
			if (r1.caps[c].recouped != r2.caps[c].recouped)
				ok_same = false;
		conserved += ok_sum;
		non_negative += ok_sign;
		repeatable += ok_same;
		split_rules_free(&r1);
		split_rules_free(&r2);
	}
	tap_is_int(parsed, 1000, "property: 1,000 random agreement sets parse");
	tap_is_int(conserved, 1000, "property: parts sum to the basis (%d amounts)", trials);
	tap_is_int(non_negative, 1000, "property: no negative part for a positive basis");
	tap_is_int(repeatable, 1000, "property: a re-run gives the same parts and counters");
}

/* Rules with one capped tier whose counter is at recouped, and an empty
 * state. */
static void capped(struct split_rules *r, struct split_state *s, const char *agreements, int64_t recouped)
{
	long line = 0;
	char err[256];
	parse(r, agreements, &line, err);
	r->caps[0].recouped = recouped;
	memset(s, 0, sizeof *s);
}

/* Write s and r to path (the unit tests' state file). */
static int write_state(struct split_state *s, const struct split_rules *r, const char *path)
{
	struct out o;
	if (out_open_file(&o, path) < 0)
		return -1;
	split_state_write(s, r, &o);
	return out_close(&o);
}

static void test_state(void)
{
	struct split_rules r;
	struct split_state s;
	long line = 0;
	char err[256], path[300];
	capped(&r, &s, "match\ttier\tpayee\tshare\tcap\nP*\t1\tL\t100%\t500.00 USD\nP*\t2\tA\t100%\n", 123450000);
	uint64_t k1 = split_state_key("gumroad", "1001", "1", "sale", NULL, 1);
	uint64_t k2 = split_state_key("gumroad", "1001", "1", "refund", "2026-10-05", 1);
	/* pinned: the key of state 1 and 2; a change splits every sale again */
	tap_ok(k1 == 0xfb2077bae4fce7d5ULL || (printf("# key %016llx\n", (unsigned long long)k1), 0),
	       "golden: the key of a sale is what state 1 wrote");
	tap_ok(split_state_key("gumroad", "1001", "1", "refund", NULL, 1) != k2,
	       "a refund's key holds its date");
	tap_ok(split_state_key("gumroad", "1001", "1", "refund", "2026-10-05", 2) != k2,
	       "the second refund of a line on one date is another row");
	tap_ok(k1 != k2 && k1 != 0, "state keys differ by kind");
	tap_ok(split_state_key("a", "bc", "1", "sale", NULL, 1) != split_state_key("ab", "c", "1", "sale", NULL, 1),
	       "state keys separate their fields");
	uint32_t c1 = split_state_class(&s, r.agreements[0].key, r.agreements[0].terms, "P one", "sku\t1", "USD");
	uint32_t c2 = split_state_class(&s, "", 0, "P two", "", "EUR");
	tap_ok(c1 == 1 && c2 == 2 && split_state_class(&s, r.agreements[0].key, r.agreements[0].terms, "P one", "sku\t1", "USD") == 1,
	       "classes are numbered once");
	for (int i = 0; i < 5000; i++) {
		char order[32];
		snprintf(order, sizeof order, "%d", i);
		split_state_put(&s, split_state_key("x", order, "1", "sale", NULL, 1), 86400 * i, c1, i * 10000);
	}
	split_state_put(&s, k1, 86400, c2, -1500000);
	split_state_remove(&s, split_state_key("x", "17", "1", "sale", NULL, 1));
	split_state_add_run(&s, 0x1234, 0);
	split_state_add_run(&s, 0x5678, 0x9abc);
	snprintf(path, sizeof path, "%s/state", tmpdir);
	tap_is_int(write_state(&s, &r, path), 0, "state written");
	split_state_free(&s);
	r.caps[0].recouped = 0;
	tap_is_int(split_state_read(&s, path, &line, err, sizeof err), 0, "state read back");
	tap_is_int(split_state_bind(&s, &r, err, sizeof err), 0, "state bound to the rules");
	tap_is_int(r.caps[0].recouped, 123450000, "recouped amount survives");
	const struct split_state_seen *e = split_state_find(&s, k1);
	tap_ok(e && e->day == 1 && e->cls == 2 && e->basis == -1500000, "seen row, its day, class and basis survive");
	const struct split_state_class *c = split_state_class_of(&s, 1);
	tap_ok(c && strcmp(c->sku, "sku\t1") == 0 && strcmp(c->agreement, r.agreements[0].key) == 0,
	       "a class survives, a TAB in its sku too");
	tap_ok(!split_state_find(&s, k2), "an unseen row is not seen");
	tap_ok(!split_state_find(&s, split_state_key("x", "17", "1", "sale", NULL, 1)), "a removed row is gone");
	tap_ok(split_state_find(&s, split_state_key("x", "4999", "1", "sale", NULL, 1)) != NULL,
	       "rows after a removed one are still found");
	tap_is_int((long)split_state_rows(&s), 5000, "all seen rows read back");
	tap_ok(split_state_ran(&s, 0x5678, 0x9abc) && !split_state_ran(&s, 0x5678, 0), "runs survive");
	tap_ok(split_state_wrote(&s, 0x9abc) && !split_state_wrote(&s, 0x5678) && !split_state_wrote(&s, 0),
	       "an output any run wrote is known by its digest alone; standard output (0) never");
	int found = 0;
	for (int i = 0; i < 5000; i++) {
		char order[32];
		snprintf(order, sizeof order, "%d", i);
		found += split_state_find(&s, split_state_key("x", order, "1", "sale", NULL, 1)) != NULL;
	}
	tap_is_int(found, 4999, "every row read back is found in the history (but the removed one)");
	/* the history: a record removed, one updated, one added; written merged */
	split_state_remove(&s, split_state_key("x", "18", "1", "sale", NULL, 1));
	split_state_put(&s, split_state_key("x", "19", "1", "sale", NULL, 1), 0, c1, 77);
	split_state_put(&s, split_state_key("y", "1", "1", "sale", NULL, 1), 0, c1, 88);
	tap_is_int((long)split_state_rows(&s), 5000, "  counted");
	tap_is_int(write_state(&s, &r, path), 0, "  written");
	split_state_free(&s);
	tap_is_int(split_state_read(&s, path, &line, err, sizeof err), 0, "  read back");
	e = split_state_find(&s, split_state_key("x", "19", "1", "sale", NULL, 1));
	tap_ok(!split_state_find(&s, split_state_key("x", "18", "1", "sale", NULL, 1)) && e && e->basis == 77 &&
	       split_state_find(&s, split_state_key("y", "1", "1", "sale", NULL, 1)) != NULL,
	       "  removed, updated and added rows as they were left");
	split_state_free(&s);
	FILE *f = fopen(path, "w");
	fputs("something else\n", f);
	fclose(f);
	tap_is_int(split_state_read(&s, path, &line, err, sizeof err), -2, "a foreign file is refused");
	tap_is_str(err, "not a tally-split state file (no \"# tally-split state 2\" line)", "  with a message");
	f = fopen(path, "w");
	fputs("# tally-split state 2\n", f);
	fclose(f);
	tap_is_int(split_state_read(&s, path, &line, err, sizeof err), -2, "a magic line alone is refused");
	snprintf(path, sizeof path, "%s/none", tmpdir);
	tap_is_int(split_state_read(&s, path, &line, err, sizeof err), 0, "a missing state is empty");
	split_rules_free(&r);
}

/* A match holding an escaped TAB: its cap's state must read back. */
static void test_state_tab_in_match(void)
{
	struct split_rules r;
	struct split_state s;
	long line = 0;
	char err[256], path[300];
	capped(&r, &s, "match\ttier\tpayee\tshare\tcap\nA\\tB\t1\tL\t100%\t5.00 USD\nA\\tB\t2\tX\t100%\n", 2000000);
	snprintf(path, sizeof path, "%s/tabstate", tmpdir);
	tap_is_int(write_state(&s, &r, path), 0, "a state with a TAB in a capped match is written");
	r.caps[0].recouped = 0;
	tap_is_int(split_state_read(&s, path, &line, err, sizeof err), 0, "  and read back");
	tap_is_int(split_state_bind(&s, &r, err, sizeof err), 0, "  and bound");
	tap_is_int(r.caps[0].recouped, 2000000, "  its counter survives");
	split_state_free(&s);
	split_rules_free(&r);
}

static void test_fx(void)
{
	char path[300];
	snprintf(path, sizeof path, "%s/fx.tsv", tmpdir);
	FILE *f = fopen(path, "w");
	fputs("date\tcurrency\trate\tto\n2026-10-01\tEUR\t1.0842\t\n2026-10-15\tEUR\t1.0791\t\n"
	      "2026-10-01\tGBP\t1.25\tUSD\n2026-10-01\tGBP\t1.15\tEUR\n",
	      f);
	fclose(f);
	struct fx_table t;
	struct fx_error e;
	tap_is_int(fx_load(&t, path, &e), FX_OK, "fx: table loads");
	int64_t when, out = 0;
	date_parse("2026-10-14T23:59:59Z", 20, &when);
	tap_is_int(fx_convert(&t, 100000000, "EUR", "USD", when, &out), FX_OK, "fx: rate before the date");
	tap_is_int(out, 108420000, "fx: 100.00 EUR = 108.42 USD");
	date_parse("2026-10-15", 10, &when);
	fx_convert(&t, 100000000, "EUR", "USD", when, &out);
	tap_is_int(out, 107910000, "fx: the rate of the date itself");
	fx_convert(&t, 1, "EUR", "USD", when, &out);
	tap_is_int(out, 1, "fx: rounds half to even (1.0791 micro -> 1)");
	fx_convert(&t, 100000000, "GBP", "EUR", when, &out);
	tap_is_int(out, 115000000, "fx: the `to` column picks the target");
	tap_is_int(fx_convert(&t, 100, "JPY", "USD", when, &out), FX_ENORATE, "fx: no rate for JPY");
	date_parse("2026-09-30", 10, &when);
	tap_is_int(fx_convert(&t, 100, "EUR", "USD", when, &out), FX_ENORATE, "fx: no rate before the first");
	tap_is_int(fx_convert(&t, 100, "USD", "USD", when, &out), FX_OK, "fx: identity needs no row");
	fx_free(&t);
	f = fopen(path, "w");
	fputs("date\tcurrency\trate\n2026-10-01\tEUR\t-1\n", f);
	fclose(f);
	tap_is_int(fx_load(&t, path, &e), FX_EDATA, "fx: a negative rate is refused");
	tap_is_int(e.line, 2, "  on its line");
	tap_is_str(e.msg, "column \"rate\": \"-1\" is not a positive rate", "  with a message");
	f = fopen(path, "w");
	fputs("date\tcurrency\n2026-10-01\tEUR\n", f);
	fclose(f);
	tap_is_int(fx_load(&t, path, &e), FX_ECOLUMN, "fx: a missing column is its own status (usage)");
	tap_is_str(e.msg, "missing column \"rate\"", "  with a message");
}

static void test_lock(void)
{
	char path[300];
	snprintf(path, sizeof path, "%s/state", tmpdir);
	struct lock a, b;
	tap_is_int(lock_try(&a, path), 0, "lock: first taker holds it");
	tap_is_int(lock_try(&b, path), 1, "lock: second is told it is busy");
	lock_release(&b);
	lock_release(&a);
	tap_is_int(lock_try(&b, path), 0, "lock: free again after release");
	lock_release(&b);
	snprintf(path, sizeof path, "%s/no/such/dir/state", tmpdir);
	tap_is_int(lock_try(&a, path), -1, "lock: an impossible path fails");
	tap_is_int(errno, ENOENT, "  with ENOENT");
	lock_release(&a);
}

/* Plain weights that all lie below 1 and do not sum to 1 are flagged
 * (the command warns); weights summing to 1, or one of 1 or more, are not. */
static void test_fraction_weights(void)
{
	static const struct {
		const char *text;
		bool flagged;
		int64_t num, den;
	} cases[] = {
		{"match\tpayee\tshare\n*\tA\t0.6\n*\tB\t0.3\n", true, 9, 10},
		{"match\tpayee\tshare\n*\tA\t0.6\n*\tB\t0.7\n", true, 13, 10},
		{"match\tpayee\tshare\n*\tA\t0.5\n*\tB\t0.5\n", false, 1, 1},
		{"match\tpayee\tshare\n*\tA\t2\n*\tB\t0.5\n", false, 5, 2},
		{"match\tpayee\tshare\n*\tA\t60%\n*\tB\t40%\n", false, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct split_rules r;
		long line = 0;
		char err[256];
		int st = parse(&r, cases[i].text, &line, err);
		tap_is_int(st, SPLIT_OK, "weights case %zu parses", i);
		if (st == SPLIT_OK) {
			const struct split_tier *t = &r.agreements[0].tiers[0];
			tap_is_int(t->weights_below_one, cases[i].flagged, "  flagged: %d", cases[i].flagged);
			if (t->weighted) {
				tap_is_int(t->weight_sum.num, cases[i].num, "  sum numerator");
				tap_is_int(t->weight_sum.den, cases[i].den, "  sum denominator");
			}
		}
		split_rules_free(&r);
	}
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	test_errors();
	test_precedence();
	test_waterfall();
	test_property();
	test_state();
	test_state_tab_in_match();
	test_fx();
	test_lock();
	test_fraction_weights();
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
