/* test_extsort.c - unit tests of the bounded-memory stable sort
 * (lib/core/extsort.c).
 *
 * Plan: an empty sort; random rows with many equal keys against a
 * reference stable sort, in memory and spilled through two levels of
 * merges; extreme keys; a row of exactly EXTSORT_ROW_MAX and one over it;
 * a missing temporary folder; temporary files never visible by name and
 * gone after extsort_free; use after finish; TALLY_SORT_BUFFER sizes. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extsort.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_extsort.XXXXXX";

struct ref {
	int64_t key;
	size_t seq;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Entries of tmpdir other than . and .. */
static int dir_entries(void)
{
	DIR *d = opendir(tmpdir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

/* Row seq: "seq:" then filler up to a length that depends on seq. */
static size_t make_row(char *buf, size_t seq)
{
	int n = snprintf(buf, 128, "%zu:", seq);
	size_t len = (size_t)n + (seq * 7919) % 48;
	for (size_t i = (size_t)n; i < len; i++)
		buf[i] = (char)('a' + (seq + i) % 26);
	return len;
}

/* n random rows with keys in [0, spread) sorted with budget: the output
 * must be the reference stable order, byte for byte. */
static void check_random(size_t n, int64_t spread, size_t budget, size_t min_spilled, const char *what)
{
	struct extsort s;
	extsort_init(&s, budget, tmpdir);
	struct ref *ref = malloc(n * sizeof *ref);
	char row[128];
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		ref[i] = (struct ref){(int64_t)(tap_rand() % (uint64_t)spread) - spread / 2, i};
		bad += extsort_add(&s, ref[i].key, row, make_row(row, i)) != 0;
	}
	tap_ok(!bad, "%s: every add succeeds", what);
	tap_is_int(dir_entries(), 0, "%s: no temporary file has a name", what);
	qsort(ref, n, sizeof *ref, cmp_ref);
	tap_is_int(extsort_finish(&s), 0, "%s: finish", what);
	size_t i = 0, wrong = 0, len;
	const char *got;
	while (extsort_next(&s, &got, &len) == 1) {
		size_t want_len = i < n ? make_row(row, ref[i].seq) : 0;
		wrong += i >= n || len != want_len || memcmp(got, row, len) != 0;
		i++;
	}
	tap_is_int(i, n, "%s: every row comes back once", what);
	tap_is_int(wrong, 0, "%s: in key order, ties in the order added", what);
	tap_ok(extsort_spilled(&s) >= min_spilled, "%s: %zu runs spilled (at least %zu)", what,
	       extsort_spilled(&s), min_spilled);
	if (min_spilled == 0)
		tap_is_int(extsort_spilled(&s), 0, "%s: nothing spilled", what);
	extsort_free(&s);
	free(ref);
}

static void test_empty(void)
{
	struct extsort s;
	extsort_init(&s, 0, tmpdir);
	const char *row;
	size_t len;
	tap_is_int(extsort_finish(&s), 0, "empty: finish");
	tap_is_int(extsort_next(&s, &row, &len), 0, "empty: no rows");
	tap_is_int(extsort_add(&s, 1, "x", 1), -1, "add after finish is refused");
	tap_is_int(errno, EINVAL, "... with EINVAL");
	extsort_free(&s);
}

/* INT64_MIN, INT64_MAX, 0 and -1 in a spilled sort. */
static void test_extreme_keys(void)
{
	struct extsort s;
	extsort_init(&s, 1, tmpdir); /* the smallest budget: a run per ~64 KB */
	static char big[40000];
	memset(big, 'z', sizeof big);
	const int64_t keys[] = {INT64_MAX, 0, INT64_MIN, -1, INT64_MAX, INT64_MIN};
	for (size_t i = 0; i < 6; i++) {
		big[0] = (char)('0' + i);
		extsort_add(&s, keys[i], big, sizeof big);
	}
	extsort_finish(&s);
	char order[8] = {0};
	const char *row;
	size_t len, n = 0;
	while (n < 7 && extsort_next(&s, &row, &len) == 1)
		order[n++] = row[0];
	tap_is_str(order, "253104", "extreme keys sort as signed, ties stable");
	tap_ok(extsort_spilled(&s) >= 3, "... through spilled runs (%zu)", extsort_spilled(&s));
	extsort_free(&s);
}

static void test_row_limits(void)
{
	struct extsort s;
	extsort_init(&s, 1, tmpdir);
	char *row = malloc(EXTSORT_ROW_MAX + 1);
	memset(row, 'r', EXTSORT_ROW_MAX + 1);
	tap_is_int(extsort_add(&s, 2, row, EXTSORT_ROW_MAX), 0, "a row of EXTSORT_ROW_MAX bytes is taken");
	tap_is_int(extsort_add(&s, 1, row, EXTSORT_ROW_MAX), 0, "... twice (spilling the first)");
	errno = 0;
	tap_is_int(extsort_add(&s, 1, row, EXTSORT_ROW_MAX + 1), -1, "a longer row is refused");
	tap_is_int(errno, E2BIG, "... with E2BIG");
	extsort_finish(&s);
	const char *got;
	size_t len = 0;
	tap_is_int(extsort_next(&s, &got, &len), 1, "the longest row comes back");
	tap_is_int(len, EXTSORT_ROW_MAX, "... whole");
	extsort_free(&s);
	free(row);
	tap_is_int(dir_entries(), 0, "nothing left in the folder after extsort_free");
}

static void test_missing_tmpdir(void)
{
	struct extsort s;
	extsort_init(&s, 1, "/nonexistent/tally-tmp");
	static char big[40000];
	int rc = 0;
	for (int i = 0; i < 4 && rc == 0; i++)
		rc = extsort_add(&s, i, big, sizeof big);
	tap_is_int(rc, -1, "a spill into a missing folder fails");
	tap_is_int(errno, ENOENT, "... with ENOENT");
	extsort_free(&s);
}

static void test_parse_size(void)
{
	size_t n = 0;
	tap_ok(extsort_parse_size("1000", &n) == 0 && n == 1000, "size 1000");
	tap_ok(extsort_parse_size("64k", &n) == 0 && n == 65536, "size 64k");
	tap_ok(extsort_parse_size("16M", &n) == 0 && n == 16u << 20, "size 16M");
	tap_ok(extsort_parse_size("4g", &n) == 0 && n == 4ull << 30, "size 4g");
	const char *bad[] = {"", "0", "-1", "5x", "1.5m", "5g", "k", " 1", "99999999999999999999"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		tap_is_int(extsort_parse_size(bad[i], &n), -1, "size \"%s\" is refused", bad[i]);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	test_empty();
	check_random(20000, 50, EXTSORT_BUDGET_DEFAULT, 0, "in memory");
	check_random(40000, 50, 64 << 10, 17, "spilled, one merge level");
	check_random(420000, 1000, 64 << 10, 16 * 16 + 17, "spilled, two merge levels");
	check_random(30000, 1, 64 << 10, 17, "spilled, one key for all");
	test_extreme_keys();
	test_row_limits();
	test_missing_tmpdir();
	test_parse_size();
	rmdir(tmpdir);
	return tap_done();
}
