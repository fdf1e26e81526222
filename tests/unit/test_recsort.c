/* test_recsort.c - unit tests of the radix sort of fixed-size records in
 * bounded memory (lib/core/recsort.c).
 *
 * Plan: an empty sort, and one added to after finish; random records of
 * every size (8 to RECSORT_REC_MAX bytes) with full 64-bit keys and with
 * many equal keys, against a reference stable sort, in memory, spilled,
 * and past RECSORT_FANIN runs (the runs merged into one, twice); keys of
 * one digit only (row numbers: passes skipped), all equal, 0 and
 * UINT64_MAX; recsort_radix alone; a missing temporary folder; temporary
 * files never visible by name. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recsort.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_recsort.XXXXXX";

struct ref {
	uint64_t key;
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

/* Record seq of rec bytes: the key, then seq and bytes made from it. */
static void make_rec(unsigned char *buf, size_t rec, uint64_t key, size_t seq)
{
	memcpy(buf, &key, 8);
	for (size_t i = 8; i < rec; i++)
		buf[i] = (unsigned char)(seq >> (8 * ((i - 8) % 8)) ^ (i > 15 ? i : 0));
}

/* A random key: below spread, or any 64 bits when spread is 0; with
 * spread KEYS_HIGH_LOW, the top bit random and the low 20 (many records
 * alike in their top 33 bits, so the insertion sort gives up); with
 * KEYS_HIGH_CONST, the top 40 bits one value, the low 24 random. */
#define KEYS_HIGH_LOW UINT64_MAX
#define KEYS_HIGH_CONST (UINT64_MAX - 1)
static uint64_t rand_key(uint64_t spread)
{
	if (spread == KEYS_HIGH_LOW)
		return (tap_rand() & (1ULL << 63)) | (tap_rand() & 0xfffff);
	if (spread == KEYS_HIGH_CONST)
		return 0xabcdef1234000000ULL | (tap_rand() & 0xffffff);
	return spread ? tap_rand() % spread : tap_rand();
}

/* n random records of rec bytes sorted with budget: the output must be
 * the reference stable order, byte for byte. */
static void check_random(size_t n, size_t rec, uint64_t spread, size_t budget, size_t min_spilled,
			 const char *what)
{
	struct recsort s;
	recsort_init(&s, rec, budget, tmpdir);
	struct ref *ref = malloc(n * sizeof *ref);
	unsigned char buf[RECSORT_REC_MAX];
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		ref[i] = (struct ref){rand_key(spread), i};
		make_rec(buf, rec, ref[i].key, i);
		bad += recsort_add(&s, buf) != 0;
	}
	tap_ok(!bad, "%s: every add succeeds", what);
	tap_is_int(dir_entries(), 0, "%s: no temporary file has a name", what);
	qsort(ref, n, sizeof *ref, cmp_ref);
	tap_is_int(recsort_finish(&s), 0, "%s: finish", what);
	size_t i = 0, wrong = 0;
	const void *got;
	while (recsort_next(&s, &got) == 1) {
		if (i < n)
			make_rec(buf, rec, ref[i].key, ref[i].seq);
		wrong += i >= n || memcmp(got, buf, rec) != 0;
		i++;
	}
	tap_is_int(i, n, "%s: every record comes back once", what);
	tap_is_int(wrong, 0, "%s: in key order, ties in the order added", what);
	tap_ok(recsort_spilled(&s) >= min_spilled, "%s: %zu runs spilled (at least %zu)", what,
	       recsort_spilled(&s), min_spilled);
	if (min_spilled == 0)
		tap_is_int(recsort_spilled(&s), 0, "%s: nothing spilled", what);
	recsort_free(&s);
	free(ref);
}

static void test_empty(void)
{
	struct recsort s;
	const void *rec;
	uint64_t r[2] = {1, 2};
	recsort_init(&s, 16, 0, tmpdir);
	tap_is_int(recsort_finish(&s), 0, "empty: finish");
	tap_is_int(recsort_next(&s, &rec), 0, "empty: no records");
	errno = 0;
	tap_is_int(recsort_add(&s, r), -1, "add after finish is refused");
	tap_is_int(errno, EINVAL, "... with EINVAL");
	recsort_free(&s);
}

/* 0, UINT64_MAX and keys that differ only in their top or bottom bit. */
static void test_extreme_keys(void)
{
	const uint64_t keys[] = {UINT64_MAX, 0, 1ULL << 63, 1, UINT64_MAX, 0, (1ULL << 63) | 1};
	uint64_t a[7][2], tmp[7][2];
	for (size_t i = 0; i < 7; i++) {
		a[i][0] = keys[i];
		a[i][1] = i;
	}
	uint64_t(*sorted)[2] = (void *)recsort_radix((unsigned char *)a, (unsigned char *)tmp, 7, 16);
	char order[8] = {0};
	for (size_t i = 0; i < 7; i++)
		order[i] = (char)('0' + sorted[i][1]);
	tap_is_str(order, "1532604", "extreme keys sort unsigned, ties stable");
}

/* Keys below 2^11 differ in one digit only: five passes are skipped, and
 * the sorted records are in the other buffer. */
static void test_skipped_passes(void)
{
	uint64_t a[3][1] = {{5}, {3}, {4}}, tmp[3][1];
	unsigned char *sorted = recsort_radix((unsigned char *)a, (unsigned char *)tmp, 3, 8);
	tap_ok(sorted == (unsigned char *)tmp, "one pass: the records end in the other buffer");
	uint64_t b[3][1] = {{7}, {7}, {7}};
	sorted = recsort_radix((unsigned char *)b, (unsigned char *)tmp, 3, 8);
	tap_ok(sorted == (unsigned char *)b, "keys all equal: no pass at all");
	tap_is_int(recsort_radix((unsigned char *)b, (unsigned char *)tmp, 0, 8) == (unsigned char *)b, 1,
		   "no records: nothing moves");
}

static void test_missing_tmpdir(void)
{
	struct recsort s;
	uint64_t r[2] = {0, 0};
	int rc = 0;
	recsort_init(&s, 16, 1, "/nonexistent/tally-tmp");
	for (int i = 0; i < 5000 && rc == 0; i++) {
		r[0] = (uint64_t)i;
		rc = recsort_add(&s, r);
	}
	tap_is_int(rc, -1, "a spill into a missing folder fails");
	tap_is_int(errno, ENOENT, "... with ENOENT");
	recsort_free(&s);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	test_empty();
	check_random(50000, 16, 0, RECSORT_BUDGET_DEFAULT, 0, "16-byte records in memory");
	check_random(50000, 24, 100, RECSORT_BUDGET_DEFAULT, 0, "24-byte records with ties in memory");
	check_random(9000, 8, 0, 0, 2, "8-byte records, spilled");
	check_random(30000, 40, 7, 0, 7, "40-byte records with ties, spilled");
	check_random(20000, RECSORT_REC_MAX, 0, 0, 4, "the longest records, spilled");
	check_random(9000, 16, 1, 0, 2, "one key for all, spilled");
	check_random(60000, 16, KEYS_HIGH_LOW, RECSORT_BUDGET_DEFAULT, 0,
		     "keys alike in their top bits, different below: six passes after all");
	check_random(60000, 24, KEYS_HIGH_CONST, RECSORT_BUDGET_DEFAULT, 0, "keys whose top 40 bits are one value");
	check_random(4096 * (2 * RECSORT_FANIN + 3) + 17, 16, 5000, 0, 2 * RECSORT_FANIN + 3,
		     "past the fan-in twice: the runs merged into one");
	test_extreme_keys();
	test_skipped_passes();
	test_missing_tmpdir();
	tap_is_int(dir_entries(), 0, "nothing left in the folder");
	rmdir(tmpdir);
	return tap_done();
}
