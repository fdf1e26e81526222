/* test_split_state.c - unit tests of the split state 3 (lib/split/
 * split_state_run.c, split_keys.c): a manifest and sorted key segments.
 *
 * Plan: three runs on one state (asked, joined, answered row by row; and
 * one without the first pass, by probes), a record found by key from the
 * first segment after later ones, a changed record's newest value, a
 * removed one gone, a key several rows ask for seen by the later ones;
 * the dump stable and read back as a text state; a text state migrated;
 * a segment missing, cut short, replaced or of an older run refused. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"
#include "split_rules.h"
#include "split_state.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_split_state.XXXXXX";
static const struct split_rules none;

static uint64_t key_of(unsigned i)
{
	char order[16];
	snprintf(order, sizeof order, "%u", i);
	return split_state_key("src", order, "1", "sale", NULL, 1);
}

static int open_state(struct split_state *s, const char *path, char *err)
{
	long line;
	return split_state_open(s, path, &line, err, 256);
}

/* Run 1: rows 1..n, row i puts key i with basis i; rows n+1 and n+2 ask
 * for one key: the first puts it, the second finds it. */
static void run_one(const char *path, unsigned n)
{
	struct split_state s;
	char err[256];
	tap_is_int(open_state(&s, path, err), 0, "a missing state opens empty");
	uint32_t cls = split_state_class(&s, "", 0, "P", "", "USD");
	int bad = 0;
	for (unsigned i = 1; i <= n; i++)
		bad += split_state_want(&s, tmpdir, i, key_of(i)) != 0;
	bad += split_state_want(&s, tmpdir, n + 1, key_of(0)) != 0;
	bad += split_state_want(&s, tmpdir, n + 2, key_of(0)) != 0;
	tap_is_int(bad, 0, "keys asked");
	tap_is_int(split_state_prepare(&s, tmpdir, err, sizeof err), 0, "prepared");
	int found = 0;
	for (unsigned i = 1; i <= n; i++) {
		split_state_at_row(&s, i);
		found += split_state_find(&s, key_of(i)) != NULL;
		split_state_put(&s, key_of(i), 86400LL * i, cls, (int64_t)i);
	}
	tap_is_int(found, 0, "nothing found in an empty state");
	split_state_at_row(&s, n + 1);
	tap_ok(!split_state_find(&s, key_of(0)), "a key two rows ask for: not there for the first");
	split_state_put(&s, key_of(0), 0, cls, 7);
	split_state_at_row(&s, n + 2);
	struct split_state_seen *e = split_state_find(&s, key_of(0));
	tap_ok(e && e->basis == 7 && (e->cls & SPLIT_STATE_THIS_RUN), "  the second finds the first's record");
	tap_is_int(split_state_commit(&s, &none, err, sizeof err), 0, "committed");
	split_state_free(&s);
}

/* Run 2: rows ask for every other old key and some new ones; one is
 * changed, one removed. */
static void run_two(const char *path, unsigned n)
{
	struct split_state s;
	char err[256];
	tap_is_int(open_state(&s, path, err), 0, "reopened");
	tap_is_int(s.version, 3, "  a state 3");
	tap_is_int((long)s.nsegs, 1, "  of one segment");
	for (unsigned i = 1; i <= n; i += 2)
		split_state_want(&s, tmpdir, i, key_of(i));
	for (unsigned i = 1; i <= 10; i++)
		split_state_want(&s, tmpdir, n + i, key_of(n + i));
	tap_is_int(split_state_prepare(&s, tmpdir, err, sizeof err), 0, "prepared");
	int right = 0;
	for (unsigned i = 1; i <= n; i += 2) {
		split_state_at_row(&s, i);
		const struct split_state_seen *e = split_state_find(&s, key_of(i));
		right += e && e->basis == (int64_t)i && e->day == (int32_t)i && !(e->cls & SPLIT_STATE_THIS_RUN);
	}
	tap_is_int(right, (long)(n + 1) / 2, "every old key asked for is found, with its record");
	split_state_at_row(&s, n + 1);
	split_state_asked(&s, key_of(n + 1));
	tap_ok(!split_state_find(&s, key_of(n + 1)), "a new key is not (known absent: asked, no answer)");
	split_state_put(&s, key_of(n + 1), 0, 1, 11);
	split_state_at_row(&s, n + 2);
	/* not asked for: found by a probe of the segment */
	const struct split_state_seen *e = split_state_find(&s, key_of(2));
	tap_ok(e && e->basis == 2, "a key no row asked for is found by a probe");
	split_state_put(&s, key_of(2), 0, 1, 222);
	split_state_remove(&s, key_of(4));
	tap_is_int(split_state_commit(&s, &none, err, sizeof err), 0, "committed");
	split_state_free(&s);
}

/* Run 3, without the first pass: every answer by probes, newest first. */
static void run_three(const char *path, unsigned n)
{
	struct split_state s;
	char err[256];
	tap_is_int(open_state(&s, path, err), 0, "reopened");
	tap_is_int((long)s.nsegs, 2, "  of two segments");
	const struct split_state_seen *e = split_state_find(&s, key_of(2));
	tap_ok(e && e->basis == 222, "the changed record's newest value");
	tap_ok(!split_state_find(&s, key_of(4)), "the removed record is gone");
	e = split_state_find(&s, key_of(1));
	tap_ok(e && e->basis == 1, "the first run's record, from the first segment");
	e = split_state_find(&s, key_of(n + 1));
	tap_ok(e && e->basis == 11, "the second run's new record");
	tap_ok(!split_state_failed(&s), "no lookup failed");
	split_state_free(&s);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strdup(buf);
}

static int dump_to(const char *state, const char *out)
{
	struct split_state s;
	char err[256];
	struct out o;
	if (open_state(&s, state, err) != 0 || out_open_file(&o, out) < 0)
		return -1;
	int st = split_state_dump(&s, &o, err, sizeof err);
	split_state_free(&s);
	if (st != 0) {
		out_abort(&o);
		return st;
	}
	return out_close(&o);
}

static void test_dump(const char *path, unsigned n)
{
	char d1[300], d2[300];
	snprintf(d1, sizeof d1, "%s/d1", tmpdir);
	snprintf(d2, sizeof d2, "%s/d2", tmpdir);
	tap_is_int(dump_to(path, d1), 0, "dumped");
	tap_is_int(dump_to(path, d2), 0, "dumped again");
	char *a = slurp(d1), *b = slurp(d2);
	tap_ok(a && b && strcmp(a, b) == 0, "  the dump is stable");
	free(a);
	free(b);
	struct split_state s;
	long line;
	char err[256];
	tap_is_int(split_state_read(&s, d1, &line, err, sizeof err), 0, "the dump reads as a text state");
	/* n + the shared key + 1 new - 1 removed */
	tap_is_int((long)split_state_rows(&s), (long)n + 1, "  with every row, newest values, removed ones left out");
	split_state_free(&s);
	/* the dump given back as a state is migrated */
	char st[300];
	snprintf(st, sizeof st, "%s/migrated", tmpdir);
	if (rename(d1, st) != 0)
		return;
	tap_is_int(open_state(&s, st, err), 0, "a text state opens");
	tap_is_int(s.migrated, 2, "  to be migrated");
	tap_is_int(split_state_commit(&s, &none, err, sizeof err), 0, "  committed");
	split_state_free(&s);
	tap_is_int(open_state(&s, st, err), 0, "  reopened");
	tap_is_int(s.version, 3, "  as a state 3");
	const struct split_state_seen *e = split_state_find(&s, key_of(2));
	tap_ok(e && e->basis == 222 && !split_state_find(&s, key_of(4)), "  its records kept");
	split_state_free(&s);
}

static void copy_file(const char *from, const char *to)
{
	char cmd[1000];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
	if (system(cmd) != 0)
		tap_ok(0, "cp %s", from);
}

static void test_refusals(const char *path)
{
	struct split_state s;
	char err[256], k1[700], save[300], r2[700];
	snprintf(k1, sizeof k1, "%s.keys/000001.k", path);
	snprintf(r2, sizeof r2, "%s.keys/000002.r", path);
	snprintf(save, sizeof save, "%s/saved", tmpdir);
	copy_file(k1, save);
	unlink(k1);
	tap_is_int(open_state(&s, path, err), -2, "a missing segment is refused");
	tap_ok(strstr(err, "is missing") != NULL, "  saying so: %s", err);
	copy_file(save, k1);
	if (truncate(k1, 8) != 0)
		tap_ok(0, "truncate");
	tap_is_int(open_state(&s, path, err), -2, "a segment cut short is refused");
	tap_ok(strstr(err, "cut short or replaced") != NULL, "  saying so");
	copy_file(save, k1);
	/* the second segment's records replaced by bytes of the same size */
	char cmd[2000];
	snprintf(cmd, sizeof cmd, "sed -i 's/./x/' '%s' 2>/dev/null || printf x | dd of='%s' conv=notrunc 2>/dev/null", r2, r2);
	if (system(cmd) != 0)
		tap_ok(0, "edit");
	tap_is_int(open_state(&s, path, err), 0, "a segment edited in place opens (its size is right)");
	tap_is_int(split_state_prepare(&s, tmpdir, err, sizeof err), -2, "  but its digest is refused");
	tap_ok(strstr(err, "is not the one the manifest names") != NULL, "  saying so: %s", err);
	split_state_free(&s);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	char path[300];
	snprintf(path, sizeof path, "%s/st", tmpdir);
	unsigned n = 3000;
	run_one(path, n);
	run_two(path, n);
	run_three(path, n);
	test_dump(path, n);
	test_refusals(path);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
