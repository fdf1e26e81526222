#!/usr/bin/env bats
# kill.bats - kill -9 at random points, and two runs at once.
#
# Plan: tally-split --state -o, tally-report --ledger --out-dir and
# tally-ingest -o on inputs big enough to take a few tenths of a second,
# each killed with SIGKILL 20 times at random moments: every file is then
# either as before or as the right run leaves it (a killed run can only
# leave its hidden ".NAME.XXXXXX" temporary, never a changed file), and,
# unless it was killed after its last commit, a normal re-run gives the
# right files.  Then two runs at once on one state
# (different months) and on one ledger (the same month): serialised by the
# lock, so the state is what one order of the two runs gives, and the
# ledger what one run gives.
TALLY_ROOT=${TALLY_ROOT:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
load ../helpers

KILLS=${TALLY_KILLS:-20}

setup_file() {
	local d=$BATS_FILE_TMPDIR
	"$TALLY_ROOT/scripts/gen-sales" 60000 >"$d/sales.tsv"
	# two months of it, for the concurrent runs
	awk -F'\t' 'NR == 1 || $1 ~ /^2026-01/' "$d/sales.tsv" >"$d/jan.tsv"
	awk -F'\t' 'NR == 1 || $1 ~ /^2026-02/' "$d/sales.tsv" >"$d/feb.tsv"
	PATH=$TALLY_BIN:$PATH tally-split -a "$TALLY_ROOT/tests/fixtures/split/advance.tsv" \
		"$d/sales.tsv" >"$d/alloc.tsv"
	# a Ko-fi export of 20 000 rows
	{ head -1 "$TALLY_ROOT/tests/fixtures/ingest/kofi.csv"
	  awk 'BEGIN { for (i = 1; i <= 20000; i++)
		printf "2026-10-%02d 12:00:00,Fan %d,,,%d.00,%d.00,USD,Tip,kf%d,,,,,,,fan%d@example.com,PayPal\n",
			i % 28 + 1, i, i % 50 + 1, i % 50 + 1, i, i }'; } >"$d/kofi.csv"
}

prepare_split() { mkdir -p "$1/run"; }
run_split() {
	$EXEC tally-split -a "$FIX/split/advance.tsv" -s "$1/run/st" -o "$1/run/out.tsv" "$BATS_FILE_TMPDIR/sales.tsv"
}
prepare_report() { mkdir -p "$1/run"; }
run_report() {
	$EXEC tally-report -l "$1/run/L" --out-dir "$1/run/stm" "$BATS_FILE_TMPDIR/alloc.tsv"
}
prepare_ingest() { mkdir -p "$1/run"; printf 'old\n' >"$1/run/out.tsv"; }
run_ingest() {
	$EXEC tally-ingest -o "$1/run/out.tsv" "$BATS_FILE_TMPDIR/kofi.csv"
}

# whole_files DIR PRE EXP: each file of DIR/run as in PRE or EXP (absent
# counts), apart from hidden temporaries a SIGKILL leaves.
whole_files() {
	local d=$1/run f
	for f in $( (cd "$d" && find . -type f ! -name '*.lock' ! -name '.*.??????';
		cd "$2" && find . -type f; cd "$3" && find . -type f) | sort -u); do
		cmp -s "$d/$f" "$2/$f" 2>/dev/null && continue
		cmp -s "$d/$f" "$3/$f" 2>/dev/null && continue
		[ ! -e "$d/$f" ] && { [ ! -e "$2/$f" ] || [ ! -e "$3/$f" ]; } && continue
		echo "# $f is neither as before nor as the right run leaves it" >&3
		return 1
	done
}

kill_points() {
	local name=$1 w=$T/w pre=$T/pre exp=$T/exp k ms t0 t1 killed=0
	"prepare_$name" "$w"
	rm -rf "$pre" && cp -a "$w/run" "$pre"
	t0=$(date +%s%N)
	"run_$name" "$w" >/dev/null
	t1=$(date +%s%N)
	rm -rf "$exp" && cp -a "$w/run" "$exp" && find "$exp" -name '*.lock' -delete
	ms=$(( (t1 - t0) / 1000000 + 1 ))
	for ((k = 0; k < KILLS; k++)); do
		rm -rf "$w/run" && cp -a "$pre" "$w/run"
		EXEC=exec "run_$name" "$w" >/dev/null 2>&1 &  # exec: the pid is the command's
		local pid=$!
		sleep "$(printf '0.%03d' $((RANDOM % ms % 1000)))"
		kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
		wait "$pid" 2>/dev/null || true
		whole_files "$w" "$pre" "$exp" || { echo "# kill $k" >&3; return 1; }
		# killed after its last commit: the run is done (a repeat of
		# tally-split is refused by design)
		diff -r -q -x '*.lock' -x '.*.??????' "$w/run" "$exp" >/dev/null && continue
		"run_$name" "$w" >/dev/null 2>"$T/err" || { echo "# kill $k: re-run: $(cat "$T/err")" >&3; return 1; }
		diff -r -x '*.lock' -x '.*.??????' "$w/run" "$exp" >&3 || { echo "# kill $k: re-run wrong" >&3; return 1; }
	done
	echo "$name kill $KILLS $killed ${ms}ms" >>"${TALLY_FAULT_TALLY:-/dev/null}"
}

@test "kill -9: tally-split --state -o at random points" { kill_points split; }
@test "kill -9: tally-report --ledger --out-dir at random points" { kill_points report; }
@test "kill -9: tally-ingest -o at random points" { kill_points ingest; }

@test "two tally-split runs at once on one state are serialised" {
	local a=$FIX/split/advance.tsv d=$BATS_FILE_TMPDIR
	tally-split -a "$a" -s "$T/s1" -o "$T/jan1" "$d/jan.tsv"
	tally-split -a "$a" -s "$T/s1" -o "$T/feb1" "$d/feb.tsv"
	tally-split -a "$a" -s "$T/s2" -o "$T/feb2" "$d/feb.tsv"
	tally-split -a "$a" -s "$T/s2" -o "$T/jan2" "$d/jan.tsv"
	tally-split -a "$a" -s "$T/st" -o "$T/jan" "$d/jan.tsv" 2>"$T/e1" &
	local p1=$!
	tally-split -a "$a" -s "$T/st" -o "$T/feb" "$d/feb.tsv" 2>"$T/e2" &
	local p2=$!
	wait $p1
	wait $p2
	{ cmp -s "$T/st" "$T/s1" && cmp -s "$T/jan" "$T/jan1" && cmp -s "$T/feb" "$T/feb1"; } ||
		{ cmp -s "$T/st" "$T/s2" && cmp -s "$T/jan" "$T/jan2" && cmp -s "$T/feb" "$T/feb2"; }
}

@test "two tally-report runs at once on one ledger are serialised" {
	local d=$BATS_FILE_TMPDIR
	tally-report -l "$T/L1" "$d/alloc.tsv" >"$T/one"
	tally-report -l "$T/L" "$d/alloc.tsv" >"$T/a" 2>"$T/ea" &
	local p1=$!
	tally-report -l "$T/L" "$d/alloc.tsv" >"$T/b" 2>"$T/eb" &
	local p2=$!
	wait $p1
	wait $p2
	cmp "$T/L" "$T/L1"
	cmp "$T/a" "$T/one"
	cmp "$T/b" "$T/one"
}
