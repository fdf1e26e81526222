#!/usr/bin/env bats
# memory.bats - the streaming commands run in the same small address space
# on an input and on one 20 times as long: their memory does not grow with
# the input's length.
#
# Plan: tally-ingest (Gumroad CSV), tally-split without --state (sales),
# tally-report (allocations, piped in from tally-split), tally-forecast
# (sales, by product) and tally-attribute (contributions by 1000
# contributors), each on 20 000 and on 400 000 rows under `ulimit -v`
# LIMIT_KB, their output byte-identical to an unlimited run's.  The longer
# input has more rows, not more payees, products or contributors: what the
# commands keep per key (a report's sums, a forecast's series, a
# contributor's points) is bounded by the keys, not by the rows.
#
# The limit: 16 MB of address space.  Every command here needs 3-5 MB on
# either input (measured on 2026-12-03 by bisecting ulimit -v), while the
# long inputs are 21 MB (contributions), 50 MB (sales), 104 MB (Gumroad)
# and 175 MB (allocations): a command that held its input, or one record
# per row of it, could not run the long one.  The first test shows that
# the limit bites: awk holding the long sales stream fails under it.
# Skipped under a sanitizer or valgrind, which need far more address space.
load helpers

LIMIT_KB=16384
SMALL=20000
LARGE=400000

setup_file() {
	if [ -n "${TALLY_WRAP:-}" ]; then
		skip_file "under TALLY_WRAP the wrapper, not tally, takes the address space"
		return 0
	fi
	if ! (ulimit -v "$LIMIT_KB" && exec tally-split --version) >/dev/null 2>&1; then
		skip_file "tally-split does not start in $LIMIT_KB KB of address space (a sanitizer build reserves terabytes)"
		return 0
	fi
	local d=$BATS_FILE_TMPDIR n
	. "$TALLY_ROOT/scripts/bench-lib.sh"
	printf 'match\ttier\tpayee\tshare\tcap\n*\t1\tMara\t15%%\n*\t2\tAna\t50%%\n*\t2\tBen\t50%%\nLanterns (*\t1\tOrchard Records\t100%%\t500.00 USD\nLanterns (*\t2\tAna\t50%%\nLanterns (*\t2\tBen\t50%%\n' >"$d/agreements.tsv"
	for n in $SMALL $LARGE; do
		"$TALLY_ROOT/scripts/gen-sales" "$n" >"$d/sales-$n.tsv"
		bench_gen_gumroad "$n" >"$d/gumroad-$n.csv"
		awk -v n="$n" 'BEGIN {
			OFS = "\t"
			print "date", "contributor", "kind", "project", "amount", "ref", "origin"
			split("code|review|doc|translation|question|bug|design|infra", kind, "|")
			for (i = 1; i <= n; i++) {
				c = (i * 7919) % 1000
				printf "2026-%02d-%02d\tuser%04d\t%s\tProject %02d\t%d\t\tgen:%d\n",
					i % 12 + 1, i % 28 + 1, c, kind[i % 8 + 1], c % 20, i % 5 + 1, i + 1
			}
		}' >"$d/contributions-$n.tsv"
	done
}

# limited CMD...: CMD in LIMIT_KB of address space
limited() {
	(ulimit -v "$LIMIT_KB" && exec "$@")
}

# same_limited CMD...: CMD under the limit succeeds and writes what it
# writes without one (compared by checksum: the outputs reach 175 MB)
same_limited() {
	local want got
	want=$("$@" 2>/dev/null | md5sum)
	got=$(limited "$@" 2>"$T/err" | md5sum; exit "${PIPESTATUS[0]}") || {
		echo "under ulimit -v $LIMIT_KB: $* failed: $(cat "$T/err")"
		return 1
	}
	[ "$got" = "$want" ] || { echo "under ulimit -v $LIMIT_KB: $* wrote other output"; return 1; }
	[ "$want" != "$(: | md5sum)" ]
}

@test "the limit bites: awk holding the long sales stream fails under it, the short one fits" {
	local d=$BATS_FILE_TMPDIR
	run -0 limited awk '{ a[NR] = $0 } END { print NR }' "$d/sales-$SMALL.tsv"
	[ "$output" -eq $((SMALL + 1)) ]
	run limited awk '{ a[NR] = $0 } END { print NR }' "$d/sales-$LARGE.tsv"
	[ "$status" -ne 0 ]
	[ "$(stat -c %s "$d/sales-$LARGE.tsv")" -gt $((LIMIT_KB * 1024 * 2)) ]
}

@test "tally-ingest: 20x the rows in the same address space (with --keep-duplicates too)" {
	local d=$BATS_FILE_TMPDIR n
	for n in $SMALL $LARGE; do
		same_limited tally-ingest "$d/gumroad-$n.csv"
		same_limited tally-ingest --keep-duplicates "$d/gumroad-$n.csv"
	done
}

@test "tally-split without --state: 20x the rows in the same address space, from a file and from stdin" {
	local d=$BATS_FILE_TMPDIR n
	for n in $SMALL $LARGE; do
		same_limited tally-split -a "$d/agreements.tsv" "$d/sales-$n.tsv"
	done
	limited tally-split -a "$d/agreements.tsv" - <"$d/sales-$LARGE.tsv" | md5sum >"$T/piped"
	tally-split -a "$d/agreements.tsv" "$d/sales-$LARGE.tsv" | md5sum | cmp - "$T/piped"
}

@test "tally-report: 20x the allocation rows, piped in, in the same address space" {
	local d=$BATS_FILE_TMPDIR n
	for n in $SMALL $LARGE; do
		tally-split -a "$d/agreements.tsv" "$d/sales-$n.tsv" >"$T/alloc.tsv"
		same_limited tally-report "$T/alloc.tsv"
		same_limited tally-report -c "$T/alloc.tsv"
		tally-split -a "$d/agreements.tsv" "$d/sales-$n.tsv" | limited tally-report - >"$T/piped"
		tally-report "$T/alloc.tsv" | cmp - "$T/piped"
	done
}

@test "tally-forecast: 20x the sales rows in the same address space" {
	local d=$BATS_FILE_TMPDIR n
	for n in $SMALL $LARGE; do
		same_limited tally-forecast --by product "$d/sales-$n.tsv"
	done
}

@test "tally-attribute: 20x the contributions in the same address space" {
	local d=$BATS_FILE_TMPDIR n
	for n in $SMALL $LARGE; do
		same_limited tally-attribute "$d/contributions-$n.tsv"
	done
}
