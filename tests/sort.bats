#!/usr/bin/env bats
# sort.bats - tally-ingest --sort in bounded memory (lib/core/extsort.c).
#
# Plan: a 30 000-row Gumroad export sorted with the default 16 MB buffer
# (in memory) and with TALLY_SORT_BUFFER of 64k, 200k and 1m (spilled runs,
# merged; -v says how many): byte-identical every time, and the same as a
# stable sort by date done by sort(1); several files at once; a row over
# 64 KB; a missing TMPDIR; a bad TALLY_SORT_BUFFER; /dev/full; and a run
# killed with SIGKILL while its runs are spilled: they never had a name in
# TMPDIR, and nothing is left there.
load helpers

setup_file() {
	. "$TALLY_ROOT/scripts/bench-lib.sh"
	bench_gen_gumroad 30000 >"$BATS_FILE_TMPDIR/g.csv"
	bench_gen_gumroad 5000 | sed 's/^P0/Q0/' >"$BATS_FILE_TMPDIR/h.csv"
	PATH=$TALLY_BIN:$PATH tally-ingest --sort "$BATS_FILE_TMPDIR/g.csv" >"$BATS_FILE_TMPDIR/mem.tsv"
}

@test "--sort spilled to TMPDIR gives the in-memory sort byte for byte, whatever the buffer" {
	local d=$BATS_FILE_TMPDIR
	mkdir "$T/tmp"
	# the reference: a stable sort by the date column, header first
	{ head -1 "$d/mem.tsv"; tally-ingest "$d/g.csv" | tail -n +2 | sort -s -t$'\t' -k1,1; } >"$T/ref.tsv"
	cmp "$d/mem.tsv" "$T/ref.tsv"
	for b in 64k 200k 1m; do
		TMPDIR=$T/tmp TALLY_SORT_BUFFER=$b run --separate-stderr tally-ingest -v --sort -o "$T/out.tsv" "$d/g.csv"
		[ "$status" -eq 0 ]
		[[ "${stderr_lines[0]}" =~ ^"tally-ingest: --sort: spilled "[0-9]+" runs to $T/tmp"$ ]]
		cmp "$T/out.tsv" "$d/mem.tsv"
		[ -z "$(ls -A "$T/tmp")" ]
	done
	# 64k spills more runs than 1m
	TMPDIR=$T/tmp TALLY_SORT_BUFFER=1m run --separate-stderr tally-ingest -v --sort "$d/g.csv"
	n1m=$(grep -o 'spilled [0-9]*' <<<"$stderr" | cut -d' ' -f2)
	TMPDIR=$T/tmp TALLY_SORT_BUFFER=64k run --separate-stderr tally-ingest -v --sort "$d/g.csv"
	n64k=$(grep -o 'spilled [0-9]*' <<<"$stderr" | cut -d' ' -f2)
	[ "$n64k" -gt 16 ] && [ "$n1m" -lt "$n64k" ]
	# the default buffer holds it all: no spill line
	run --separate-stderr tally-ingest -v --sort "$d/g.csv"
	[[ "$stderr" != *spilled* ]]
}

@test "--sort of several files spilled is the in-memory sort; rows of equal dates keep input order" {
	local d=$BATS_FILE_TMPDIR
	tally-ingest --sort "$d/h.csv" "$d/g.csv" >"$T/mem.tsv"
	TALLY_SORT_BUFFER=64k tally-ingest --sort "$d/h.csv" "$d/g.csv" >"$T/ext.tsv"
	cmp "$T/mem.tsv" "$T/ext.tsv"
	# the first date's rows: h.csv's (Q...) before g.csv's (P...)
	first=$(sed -n 2p "$T/ext.tsv" | cut -f1)
	[ "$(awk -F'\t' -v f="$first" '$1 == f { printf "%s", substr($3, 1, 1) }' "$T/ext.tsv" | tr -s QP)" = QP ]
}

@test "--sort: a row over 64 KB, a missing TMPDIR, a bad TALLY_SORT_BUFFER are errors; -o is left alone" {
	local d=$BATS_FILE_TMPDIR
	x=$(head -c 70000 /dev/zero | tr '\0' x)
	{ head -1 "$d/g.csv"; sed -n 2p "$d/g.csv" | awk -F, -v OFS=, -v x="$x" '{ $2 = x; print }'
		sed -n 2p "$d/g.csv" | awk -F, '{ print "Totals,,,,,,,," $9 "," $10 "," $11 "," $12 "," $13 "," $14 }'; } >"$T/long.csv"
	run --separate-stderr tally-ingest --sort "$T/long.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/long.csv:2: row too long to sort: --sort takes rows of up to 64 KB as written" ]
	printf 'old\n' >"$T/out.tsv"
	TMPDIR=$T/none TALLY_SORT_BUFFER=64k run --separate-stderr tally-ingest --sort -o "$T/out.tsv" "$d/g.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: --sort: temporary file in $T/none: No such file or directory" ]
	[ "$(cat "$T/out.tsv")" = old ]
	for b in 0 12x -5 1.5m 9g; do
		TALLY_SORT_BUFFER=$b run --separate-stderr tally-ingest --sort "$d/h.csv"
		[ "$status" -eq 2 ]
		[ "$stderr" = "tally-ingest: TALLY_SORT_BUFFER: \"$b\" is not a size (bytes, or with k, m or g)" ]
	done
	# without --sort the rows stream and the long one is written
	run --separate-stderr tally-ingest "$T/long.csv"
	[ "$status" -eq 0 ]
}

@test "--sort spilled to /dev/full fails loudly" {
	[ -w /dev/full ] || skip "no /dev/full"
	TALLY_SORT_BUFFER=64k run --separate-stderr bash -c "tally-ingest --sort '$BATS_FILE_TMPDIR/g.csv' >/dev/full"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: write error: No space left on device" ]
}

@test "--sort killed with SIGKILL while its runs are spilled leaves nothing in TMPDIR" {
	local d=$BATS_FILE_TMPDIR
	mkdir "$T/tmp"
	mkfifo "$T/in"
	# the export, then a stdin held open: the runs are spilled and waiting
	TMPDIR=$T/tmp TALLY_SORT_BUFFER=64k tally-ingest --sort -o "$T/out.tsv" - <"$T/in" 3>&- &
	pid=$!
	exec 7>"$T/in"
	cat "$d/g.csv" >&7
	# wait until it holds its runs open (deleted files under TMPDIR)
	for _ in $(seq 100); do
		n=$(find /proc/$pid/fd -lname "$T/tmp/*" 2>/dev/null | wc -l)
		[ "$n" -ge 4 ] && break
		sleep 0.1
	done
	[ "$n" -ge 4 ]
	# no name in the folder while it runs
	[ -z "$(ls -A "$T/tmp")" ]
	kill -9 "$pid"
	exec 7>&-
	wait "$pid" || true
	[ -z "$(ls -A "$T/tmp")" ]
	[ ! -e "$T/out.tsv" ]
}
