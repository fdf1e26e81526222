#!/usr/bin/env bats
# tests/statements.bats - tally-report's statements as a person reads them
# (issue 11): amounts in the currency's minor unit with the sub-unit
# residue carried named once, exact micro-units kept in TSV, and a payee's
# own file that never shows the other payees' totals (those are the run's
# batch view).
load helpers

R=tests/fixtures/report

setup_file() {
	cd "$TALLY_ROOT"
}

@test "text statement: cents only, the residue carried named once" {
	run --separate-stderr tally-report -m USD=20 -f text -o "$T/out" "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_success
	run grep -v '¢' "$T/out/Ana-2026-09.txt"
	refute_output --regexp '[0-9]\.[0-9]{3}'
	run cat "$T/out/Ana-2026-09.txt"
	[ "$(grep -c 'carried to next month' "$T/out/Ana-2026-09.txt")" -eq 1 ]
	assert_line "0.7125 ¢ carried to next month (under one cent)."
	assert_line "Carried forward                                   0.00"
}

@test "a payee's own file never shows the other payees' totals" {
	for f in text md html tsv; do
		run --separate-stderr tally-report -m USD=20 -f "$f" -o "$T/$f" "$TALLY_ROOT/$R/alloc-2026-09.tsv"
		assert_success
		for p in "$T/$f"/*; do
			run grep -E 'All [0-9]+ statement|Batch totals|period_(earned|paid|carried)|84\.0' "$p"
			assert_failure
		done
	done
}

@test "the run's view ends with the batch totals; TSV keeps exact micro-units" {
	run --separate-stderr tally-report -m USD=20 -f text "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_success
	[ "$(grep -c 'All 3 statements' <<<"$output")" -eq 1 ]
	assert_line "All 3 statements for 2026-09 in USD: brought forward 0.00, earned 84.00, paid 56.52, carried forward 27.48."
	run --separate-stderr tally-report -m USD=20 "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_success
	assert_line $'2026-09/0001\tAna\t2026-09\tUSD\tperiod_earned\t\t\t84.005'
	assert_line $'2026-09/0003\tMara (manager)\t2026-09\tUSD\tcarried_forward\t\t\t12.60075'
}

@test "JPY: no decimals, the residue named in yen" {
	head -1 "$TALLY_ROOT/$R/alloc-2026-09.tsv" >"$T/jpy.tsv"
	printf '2026-09-03T10:00:00Z\tgumroad\tg1\t1\tLanterns\tlanterns\tsale\t\t1\tJPY\t1235\t0\t0\t1235\t JP\tc1\tx:2\tAna\t1\t1\t0.5\t617.5\n' |
		sed 's/\t JP/\tJP/' >>"$T/jpy.tsv"
	run --separate-stderr tally-report -f text "$T/jpy.tsv"
	assert_success
	assert_line "Earned                                             617"
	assert_line "0.5 JPY (under one minor unit) carried to next month."
}
