/* test_split_keys.c - unit tests of the split state's key segments
 * (lib/split/split_keys.c) on their own, below split_state.
 *
 * Plan: a segment of three blocks and more written, read back in order
 * with the writer's digest, probed by key (first, middle, last, absent
 * below, between and above); an empty segment; keys out of order
 * refused; a missing segment, one of the wrong size, a folder in its
 * place and a name too long refused; a file cut short after opening
 * read as EIO, in order and by probe; a failed write and an abandoned
 * segment leave nothing in place. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "split_keys.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_split_keys.XXXXXX";

#define ROWS 20000u /* 8-byte keys: 8192 a block, so three blocks */

static uint64_t key_at(unsigned i)
{
	return 1000u + 7u * (uint64_t)i; /* ascending, with gaps */
}

static struct split_keys_rec rec_at(unsigned i)
{
	return (struct split_keys_rec){.basis = -5 + (int64_t)i * 3, .day = 20000 + (int32_t)i, .cls = i % 5};
}

/* tmpdir/name, in one of a few buffers, so that a test can hold two */
static char *path(const char *name)
{
	static char buf[4][512];
	static unsigned next;
	char *p = buf[next++ % 4];
	snprintf(p, sizeof buf[0], "%s/%s", tmpdir, name);
	return p;
}

static int exists(const char *base, char suffix)
{
	char p[600];
	struct stat st;
	snprintf(p, sizeof p, "%s.%c", base, suffix);
	return stat(p, &st) == 0;
}

static uint64_t write_segment(const char *base, unsigned rows)
{
	struct split_keys_writer w;
	uint64_t n = 0, digest = 0;
	if (split_keys_create(&w, base) < 0)
		return 0;
	for (unsigned i = 0; i < rows; i++) {
		struct split_keys_rec r = rec_at(i);
		if (split_keys_add(&w, key_at(i), &r) < 0) {
			split_keys_abort(&w);
			return 0;
		}
	}
	if (split_keys_finish(&w, &n, &digest) < 0 || n != rows)
		return 0;
	return digest;
}

static void test_round_trip(void)
{
	const char *base = path("seg1");
	uint64_t digest = write_segment(base, ROWS);
	tap_ok(digest != 0, "a segment of %u records written", ROWS);
	tap_ok(exists(base, 'k') && exists(base, 'r'), "both files in place");

	struct split_keys_cursor c;
	tap_is_int(split_keys_open(&c, base, ROWS), 0, "opened");
	unsigned i = 0, wrong = 0;
	int st;
	while ((st = split_keys_next(&c)) == 1) {
		struct split_keys_rec want = rec_at(i);
		wrong += c.key != key_at(i) || c.rec.basis != want.basis || c.rec.day != want.day ||
			 c.rec.cls != want.cls;
		i++;
	}
	tap_is_int(st, 0, "read to the end");
	tap_ok(c.at_end, "at_end set");
	tap_is_int(i, ROWS, "every record read");
	tap_is_int(wrong, 0, "each key and record as written");
	tap_ok(split_keys_digest(&c) == digest, "the reader's digest is the writer's");

	struct split_keys_rec r;
	tap_is_int(split_keys_lookup(&c, key_at(0), &r), 1, "the first key found");
	tap_is_int(r.basis, rec_at(0).basis, "with its record");
	tap_is_int(split_keys_lookup(&c, key_at(ROWS / 2), &r), 1, "a middle key found");
	tap_is_int(r.day, rec_at(ROWS / 2).day, "with its day");
	tap_is_int(split_keys_lookup(&c, key_at(ROWS - 1), &r), 1, "the last key found");
	tap_is_int(r.cls, rec_at(ROWS - 1).cls, "with its class");
	tap_is_int(split_keys_lookup(&c, 1, &r), 0, "a key below the first: absent");
	tap_is_int(split_keys_lookup(&c, key_at(10) + 1, &r), 0, "a key between two: absent");
	tap_is_int(split_keys_lookup(&c, key_at(ROWS) + 1, &r), 0, "a key above the last: absent");
	split_keys_close(&c);
}

static void test_empty(void)
{
	const char *base = path("empty");
	struct split_keys_writer w;
	uint64_t n = 9, digest = 0;
	tap_is_int(split_keys_create(&w, base), 0, "an empty segment created");
	tap_is_int(split_keys_finish(&w, &n, &digest), 0, "and finished");
	tap_is_int(n, 0, "with no rows");
	struct split_keys_cursor c;
	struct split_keys_rec r;
	tap_is_int(split_keys_open(&c, base, 0), 0, "opened");
	tap_is_int(split_keys_next(&c), 0, "at its end at once");
	tap_is_int(split_keys_lookup(&c, 42, &r), 0, "nothing found in it");
	tap_ok(split_keys_digest(&c) == digest, "its digest as written");
	split_keys_close(&c);
}

static void test_order(void)
{
	const char *base = path("order");
	struct split_keys_writer w;
	struct split_keys_rec r = rec_at(1);
	tap_is_int(split_keys_create(&w, base), 0, "created");
	tap_is_int(split_keys_add(&w, 10, &r), 0, "key 10 added");
	errno = 0;
	tap_is_int(split_keys_add(&w, 10, &r), -1, "key 10 again refused");
	tap_is_int(errno, EINVAL, "as EINVAL");
	tap_is_int(split_keys_add(&w, 9, &r), -1, "a smaller key refused");
	split_keys_abort(&w);
	tap_ok(!exists(base, 'k') && !exists(base, 'r'), "an abandoned segment leaves no file");
}

static void test_open_refusals(void)
{
	struct split_keys_cursor c;
	const char *base = path("seg2");
	tap_ok(write_segment(base, 100) != 0, "a segment of 100 written");
	errno = 0;
	tap_is_int(split_keys_open(&c, path("nowhere"), 100), -1, "a missing segment: -1");
	tap_is_int(errno, ENOENT, "as ENOENT");
	tap_is_int(split_keys_open(&c, base, 99), -2, "a segment of another size: -2");
	tap_is_int(split_keys_open(&c, base, 101), -2, "larger: -2");

	char dirbase[600], d[610];
	snprintf(dirbase, sizeof dirbase, "%s", path("dirseg"));
	snprintf(d, sizeof d, "%s.k", dirbase);
	tap_is_int(mkdir(d, 0700), 0, "a folder where a key file goes");
	tap_is_int(split_keys_open(&c, dirbase, 0), -2, "a folder in its place: -2, not a segment");
	rmdir(d);

	static char longbase[5000];
	memset(longbase, 'a', sizeof longbase - 1);
	errno = 0;
	tap_is_int(split_keys_open(&c, longbase, 1), -1, "a name too long to open: -1");
	tap_is_int(errno, ENAMETOOLONG, "as ENAMETOOLONG");
	struct split_keys_writer w;
	errno = 0;
	tap_is_int(split_keys_create(&w, longbase), -1, "a name too long to create: -1");
	tap_is_int(errno, ENAMETOOLONG, "as ENAMETOOLONG");
}

static void test_cut_short(void)
{
	const char *base = path("seg3");
	struct split_keys_cursor c;
	struct split_keys_rec r;
	char k[600];
	tap_ok(write_segment(base, ROWS) != 0, "a segment written");
	tap_is_int(split_keys_open(&c, base, ROWS), 0, "opened at its size");
	snprintf(k, sizeof k, "%s.k", base);
	tap_is_int(truncate(k, 8 * 9000), 0, "its key file cut to 9000 keys after opening");
	int st;
	unsigned n = 0;
	errno = 0;
	while ((st = split_keys_next(&c)) == 1)
		n++;
	tap_is_int(st, -1, "reading in order fails");
	tap_is_int(errno, EIO, "as EIO (shorter than its size)");
	tap_is_int(n, 8192, "after the whole first block");
	errno = 0;
	tap_is_int(split_keys_lookup(&c, key_at(ROWS - 1), &r), -1, "a probe past the cut fails");
	tap_is_int(errno, EIO, "as EIO");
	split_keys_close(&c);
}

static void test_write_failures(void)
{
	struct split_keys_writer w;
	struct split_keys_rec r = rec_at(3);
	uint64_t n, digest;

	tap_is_int(split_keys_create(&w, path("no/such/folder/seg")), -1, "a missing folder: -1");

	/* the record file cannot be made: the key file's temporary goes */
	const char *base = path("half");
	char d[600];
	snprintf(d, sizeof d, "%s.r", base);
	tap_is_int(mkdir(d, 0700), 0, "a folder where the record file goes");
	tap_is_int(split_keys_create(&w, base), -1, "the record file cannot be made: -1");
	tap_ok(!exists(base, 'k'), "and no key file is left");
	rmdir(d);

	/* a write error seen while writing: finish fails and renames nothing */
	base = path("failed");
	tap_is_int(split_keys_create(&w, base), 0, "created");
	tap_is_int(split_keys_add(&w, 1, &r), 0, "a record added");
	out_fail(&w.r.out, ENOSPC);
	errno = 0;
	tap_is_int(split_keys_finish(&w, &n, &digest), -1, "a failed write: finish fails");
	tap_is_int(errno, ENOSPC, "with the write's error");
	tap_ok(!exists(base, 'k') && !exists(base, 'r'), "and neither file is put in place");
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_round_trip();
	test_empty();
	test_order();
	test_open_refusals();
	test_cut_short();
	test_write_failures();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		tap_ok(0, "temporary folder removed");
	return tap_done();
}
