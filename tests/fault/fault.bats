#!/usr/bin/env bats
# fault.bats - a failure at any point leaves every file whole.
#
# Plan: three runs that rewrite files - tally-split --state -o, tally-report
# --ledger --out-dir --payouts, tally-ingest -o - each from last month's files.  For
# each of write, fsync, rename, close, open, read, flock and malloc, the
# calls the run makes are counted (shim.so, TALLY_FAULT_N=0), then the run
# is repeated failing the 1st, 2nd, ... last of them.  Each time: either
# the run succeeds with the right files, or it exits 1 (2 when an input
# or the lock cannot be opened, as for a missing file) with a "tally-CMD: " message, every file is either as
# it was before or as the right run leaves it (never partial, no temporary
# left), and a normal re-run then gives the right files.  Then kill -9 at
# random points of longer runs (the same checks), and two runs at once on
# one state and on one ledger (serialised, both consistent).
TALLY_ROOT=${TALLY_ROOT:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
load ../helpers

SHIM=${TALLY_FAULT_SHIM:-$TALLY_ROOT/build/fault/shim.so}
CALLS="write fsync rename close open read flock malloc"

# ---- the scenarios: prepare_NAME DIR makes last month's files, run_NAME DIR
# the run under test (inputs in DIR/in, changing files in DIR/run).

prepare_split() {
	mkdir -p "$1/in" "$1/run"
	cp "$FIX/split/advance.tsv" "$1/in/agr.tsv"
	cp "$FIX/split/advance-sep.tsv" "$1/in/sep.tsv"
	cp "$FIX/split/advance-oct.tsv" "$1/in/oct.tsv"
	tally-split -a "$1/in/agr.tsv" -s "$1/run/st" -o "$1/run/out.tsv" "$1/in/sep.tsv"
}
run_split() {
	tally-split -a "$1/in/agr.tsv" -s "$1/run/st" -o "$1/run/out.tsv" "$1/in/oct.tsv"
}

prepare_report() {
	mkdir -p "$1/in" "$1/run"
	cp "$FIX/report/alloc-2026-09.tsv" "$FIX/report/alloc-2026-10.tsv" "$1/in/"
	printf '%s\n' $'payee\tmethod\taccount\tcurrency' $'Ana\tpaypal\tana@example.com\tUSD' \
		$'Ben\twise\tben@example.com\tUSD' $'Mara (manager)\tpaypal\tmara@example.com\tUSD' >"$1/in/payees.tsv"
	tally-report --min-payout USD=20 -l "$1/run/L" --out-dir "$1/run/stm" -p 2026-09 --payouts paypal,wise --payees "$1/in/payees.tsv" \
		"$1/in/alloc-2026-09.tsv" >/dev/null
}
run_report() { # the statements, the ledger and October's payout batch
	tally-report --min-payout USD=20 -l "$1/run/L" --out-dir "$1/run/stm" -p 2026-10 --payouts paypal,wise --payees "$1/in/payees.tsv" \
		"$1/in/alloc-2026-10.tsv"
}

prepare_ingest() {
	mkdir -p "$1/in" "$1/run"
	cp "$FIX/ingest/kofi.csv" "$FIX/ingest/gumroad_sales.csv" "$1/in/"
	tally-ingest -o "$1/run/out.tsv" "$1/in/kofi.csv"
}
run_ingest() {
	tally-ingest -o "$1/run/out.tsv" "$1/in/kofi.csv" "$1/in/gumroad_sales.csv"
}

# ---- checks

# snapshot DIR COPY: the changing files of DIR/run (lock files left out).
snapshot() {
	rm -rf "$2"
	cp -a "$1/run" "$2"
	find "$2" -name '*.lock' -delete
}

# same_as_one DIR PRE EXP: every file of DIR/run is as in PRE or as in EXP
# (a file absent counts), and nothing else is there (no temporary).
same_as_one() {
	local d=$1/run f
	for f in $( (cd "$d" && find . -type f ! -name '*.lock'; cd "$2" && find . -type f;
		cd "$3" && find . -type f) | sort -u); do
		if cmp -s "$d/$f" "$2/$f" 2>/dev/null || cmp -s "$d/$f" "$3/$f" 2>/dev/null; then
			continue
		fi
		[ ! -e "$d/$f" ] && { [ ! -e "$2/$f" ] || [ ! -e "$3/$f" ]; } && continue
		echo "# $f is neither as before nor as the right run leaves it" >&3
		ls -la "$d" >&3
		return 1
	done
}

# expect_right DIR EXP: DIR/run holds exactly the right files.
expect_right() {
	diff -r -x '*.lock' "$1/run" "$2" >&3
}

# fault_points NAME CALL: fail each CALL of run_NAME in turn, checking.
# Under make coverage (TALLY_FAULT_NO_MALLOC=1) the malloc points are
# skipped: the count includes gcov's own allocations at exit, and failing
# one of those crashes gcov, not tally.
fault_points() {
	local name=$1 call=$2 w=$T/w pre=$T/pre exp=$T/exp n total
	[ "$call" = malloc ] && [ -n "${TALLY_FAULT_NO_MALLOC:-}" ] &&
		skip "malloc points under a coverage build: gcov allocates at exit"
	"prepare_$name" "$w" >/dev/null
	snapshot "$w" "$pre"
	"run_$name" "$w" >/dev/null 2>&1
	snapshot "$w" "$exp"
	rm -rf "$w/run" && cp -a "$pre" "$w/run"
	TALLY_FAULT=$call TALLY_FAULT_N=0 TALLY_FAULT_COUNT=$T/count LD_PRELOAD=$SHIM "run_$name" "$w" >/dev/null 2>&1
	total=$(cat "$T/count")
	expect_right "$w" "$exp"
	# every point, or (over 300, as tally-ingest's ~4000 allocations while
	# it compiles its formats) every k-th and all of the last 50, where the
	# files are committed; TALLY_FAULT_ALL=1 for every point
	local step=1 tested=0
	[ "$total" -gt 300 ] && [ -z "${TALLY_FAULT_ALL:-}" ] && step=$(( (total + 299) / 300 ))
	for ((n = 1; n <= total; n += (n > total - 50 ? 1 : step))); do
		tested=$((tested + 1))
		rm -rf "$w/run" && cp -a "$pre" "$w/run"
		local st=0
		TALLY_FAULT=$call TALLY_FAULT_N=$n LD_PRELOAD=$SHIM "run_$name" "$w" >/dev/null 2>"$T/err" || st=$?
		if [ $st -eq 0 ]; then
			expect_right "$w" "$exp" || { echo "# $call #$n: exit 0 with wrong files" >&3; return 1; }
		else
			# 2: as for a missing file, when an input or the lock cannot be
			# opened (open, its first read, flock, or memory at that point)
			if [ $st -ne 1 ] && [ $st -ne 2 ]; then
				echo "# $call #$n: exit $st" >&3; cat "$T/err" >&3; return 1
			fi
			grep -q "^tally-$name: ." "$T/err" || { echo "# $call #$n: no message" >&3; cat "$T/err" >&3; return 1; }
			same_as_one "$w" "$pre" "$exp" || { echo "# $call #$n: $(cat "$T/err")" >&3; return 1; }
			"run_$name" "$w" >/dev/null 2>"$T/err2" || {
				echo "# $call #$n: the re-run failed: $(cat "$T/err2")" >&3; return 1; }
			expect_right "$w" "$exp" || { echo "# $call #$n: the re-run gave wrong files" >&3; return 1; }
		fi
	done
	echo "$name $call $total $tested" >>"${TALLY_FAULT_TALLY:-/dev/null}"
}

setup_file() {
	[ -e "$SHIM" ] || skip_file "no $SHIM (make fault builds it)"
}

@test "split: every write failing in turn leaves whole files" { fault_points split write; }
@test "split: every fsync failing in turn leaves whole files" { fault_points split fsync; }
@test "split: every rename failing in turn leaves whole files" { fault_points split rename; }
@test "split: every close failing in turn leaves whole files" { fault_points split close; }
@test "split: every open failing in turn leaves whole files" { fault_points split open; }
@test "split: every read failing in turn leaves whole files" { fault_points split read; }
@test "split: every flock failing in turn leaves whole files" { fault_points split flock; }
@test "split: every malloc failing in turn leaves whole files" { fault_points split malloc; }
@test "report: every write failing in turn leaves whole files" { fault_points report write; }
@test "report: every fsync failing in turn leaves whole files" { fault_points report fsync; }
@test "report: every rename failing in turn leaves whole files" { fault_points report rename; }
@test "report: every close failing in turn leaves whole files" { fault_points report close; }
@test "report: every open failing in turn leaves whole files" { fault_points report open; }
@test "report: every read failing in turn leaves whole files" { fault_points report read; }
@test "report: every flock failing in turn leaves whole files" { fault_points report flock; }
@test "report: every malloc failing in turn leaves whole files" { fault_points report malloc; }
@test "ingest: every write failing in turn leaves whole files" { fault_points ingest write; }
@test "ingest: every fsync failing in turn leaves whole files" { fault_points ingest fsync; }
@test "ingest: every rename failing in turn leaves whole files" { fault_points ingest rename; }
@test "ingest: every close failing in turn leaves whole files" { fault_points ingest close; }
@test "ingest: every open failing in turn leaves whole files" { fault_points ingest open; }
@test "ingest: every read failing in turn leaves whole files" { fault_points ingest read; }
@test "ingest: every flock failing in turn leaves whole files" { fault_points ingest flock; }
@test "ingest: every malloc failing in turn leaves whole files" { fault_points ingest malloc; }
