/* test_report_keys.c - unit tests of lib/report/report_keys.c: row keys (fields
 * kept apart, occurrences, a pinned value), the sorted set (find,
 * duplicates, merge, drop), and the record file (round trip, an edit, a
 * cut, the match with its ledger's chain). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"
#include "report_keys.h"
#include "tap.h"

static uint64_t key_of(const char *a, const char *b, unsigned occ)
{
	const char *f[2] = {a, b};
	size_t l[2] = {strlen(a), strlen(b)};
	return report_row_key(f, l, 2, occ);
}

static void test_keys(void)
{
	tap_ok(key_of("ab", "c", 1) != key_of("a", "bc", 1), "fields are kept apart");
	tap_ok(key_of("a", "b", 1) != key_of("a", "b", 2), "the second identical row is another row");
	tap_ok(key_of("a", "b", 2) != key_of("a", "b", 3), "and the third another");
	tap_ok(key_of("a", "b", 1) == key_of("a", "b", 1), "a key is a function of the fields");
	/* stored in key records: changing it would pay every row again */
	tap_ok(key_of("gumroad", "g3", 1) == 0x7bd618dd40670c3aULL, "pinned value (%016llx)",
	       (unsigned long long)key_of("gumroad", "g3", 1));
	tap_ok(report_paid_key("OC-1", 4) != report_paid_key("OC-2", 4), "payments by reference");
}

static void test_set(void)
{
	struct report_keys ks = {0}, add = {0};
	uint64_t dup = 0;
	for (uint64_t k = 50; k > 0; k--)
		report_keys_add(&ks, k * 7, (int64_t)(k % 3), (int64_t)k);
	tap_ok(report_keys_sort(&ks), "distinct keys sort");
	tap_ok(report_keys_find(&ks, 21) && report_keys_find(&ks, 21)->amount == 3, "found by key");
	tap_ok(!report_keys_find(&ks, 22) && !report_keys_find(&ks, 0) && !report_keys_find(&ks, 351),
	       "absent keys, below and above, are not found");
	report_keys_add(&add, 1, 5, 1);
	tap_is_int(report_keys_merge(&ks, &add, &dup), 0, "merge");
	tap_ok(report_keys_find(&ks, 1) != NULL, "merged key found");
	tap_is_int(report_keys_merge(&ks, &add, &dup), -2, "merging it again is a duplicate");
	tap_ok(dup == 1, "the duplicate is named");
	report_keys_free(&ks);
	for (uint64_t k = 1; k <= 6; k++)
		report_keys_add(&ks, k, (int64_t)k, 0);
	report_keys_drop_after(&ks, 3);
	tap_is_int(ks.n, 3, "records after the period dropped");
	tap_ok(report_keys_find(&ks, 3) && !report_keys_find(&ks, 4), "the right ones");
	report_keys_free(&ks);
	report_keys_free(&add);
}

static void write_record(const char *path, const struct report_keys *ks, uint64_t chain, uint64_t before)
{
	struct out o;
	if (out_open_file(&o, path) < 0)
		abort();
	report_keys_write(ks, chain, before, &o);
	if (out_close(&o) < 0)
		abort();
}

static void test_file(void)
{
	char dir[] = "/tmp/tally-keys-XXXXXX", path[64], err[256];
	struct report_keys ks = {.kind = PERIOD_MONTH}, back;
	long line;
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof path, "%s/k", dir);
	tap_is_int(report_keys_load(&back, path, PERIOD_MONTH, &line, err, sizeof err), 1, "no file: 1");
	report_keys_add(&ks, 0xfedcba9876543210ULL, 24321, -4250000);
	report_keys_add(&ks, 0x10, 24322, 1);
	report_keys_sort(&ks);
	write_record(path, &ks, 0xabc, 0xdef);
	tap_is_int(report_keys_load(&back, path, PERIOD_MONTH, &line, err, sizeof err), 0, "round trip");
	tap_is_int(back.n, 2, "both records");
	tap_ok(back.chain == 0xabc && back.before == 0xdef, "chain and before");
	tap_ok(report_keys_find(&back, 0xfedcba9876543210ULL) &&
	       report_keys_find(&back, 0xfedcba9876543210ULL)->amount == -4250000 &&
	       report_keys_find(&back, 0xfedcba9876543210ULL)->period == 24321, "a record as written");
	tap_ok(report_keys_check(&back, 0xabc, true, 24321) == REPORT_KEYS_WHOLE && back.n == 2, "whole");
	tap_ok(report_keys_check(&back, 0x123, true, 24321) == REPORT_KEYS_STRANGER, "another ledger's");
	tap_ok(report_keys_check(&back, 0xdef, true, 24321) == REPORT_KEYS_RESUMED && back.n == 1,
	       "a run that died before the ledger: its period dropped");
	report_keys_free(&back);
	/* an edit: one digit of an amount */
	FILE *f = fopen(path, "r+");
	char text[512];
	size_t n = fread(text, 1, sizeof text - 1, f);
	text[n] = '\0';
	char *amt = strstr(text, "-4250000");
	amt[1] = '5';
	rewind(f);
	fwrite(text, 1, n, f);
	fclose(f);
	tap_is_int(report_keys_load(&back, path, PERIOD_MONTH, &line, err, sizeof err), -2, "an edited amount is refused");
	tap_is_int(line, 5, "on the end line");
	/* cut before the end line */
	f = fopen(path, "w");
	fwrite(text, 1, (size_t)(strstr(text, "end\t") - text), f);
	fclose(f);
	tap_is_int(report_keys_load(&back, path, PERIOD_MONTH, &line, err, sizeof err), -2, "a cut record is refused");
	tap_is_str(err, "no end line: the record is truncated", "said so");
	unlink(path);
	rmdir(dir);
	report_keys_free(&ks);
}

int main(void)
{
	test_keys();
	test_set();
	test_file();
	return tap_done();
}
