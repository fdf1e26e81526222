#!/usr/bin/env bats
# tests/report.bats - tally-report, black box.
#
# Plan: the three-month fixture (tests/fixtures/report/alloc*.tsv, hand
# computed: min payout USD=20, sub-cent residues, a refund after a payout
# leaving Ana owing 11.888625) as TSV, text and Markdown statements; the
# ledger over three monthly runs (exact file), the idempotent re-run, an
# out-of-order period, a tampered, a re-chained and a truncated ledger;
# HTML through xmllint with its SVG chart and escaping; --out-dir with
# unsafe payee names, a folder that is not one, an interrupted run; --check
# passing and failing; --fx; --summary against hand-computed figures; and
# the usual faults (--help, --version, /dev/full, nosuch.tsv, missing
# column, bad amount, bad options); --min-payout per currency; a quiet
# month in the ledger; a period before the ledger's first; --fx by running
# total; --check on nets that disagree; fee rows in channels; the man
# page's EXAMPLES; late rows (a refund dated in a closed month) posted into
# the next month and shown as late, the re-run and --check with them,
# --period leaving later rows and checking earlier ones, a closed month fed
# again, a cumulative file, a lost last ledger row, a ledger that cannot
# be created (exit 2).
load helpers

R=tests/fixtures/report

setup_file() {
	cd "$TALLY_ROOT"
}

@test "help goes to stdout, exit 0" {
	run --separate-stderr tally-report --help
	assert_success
	assert_line --index 0 "usage: tally-report [-c | --summary] [-f FORMAT] [-p PERIOD] [-l LEDGER] [--paid FILE]"
	assert_line --index 1 "                    [-o FILE | --out-dir DIR]"
	[ -z "$stderr" ]
}

@test "version" {
	run --separate-stderr tally-report --version
	assert_success
	assert_output "tally-report (tally) 0.1.0"
}

@test "three months of statements, TSV: thresholds, residues, refund after payout" {
	run --separate-stderr tally-report --min-payout USD=20 "$TALLY_ROOT/$R/alloc.tsv"
	assert_success
	assert_output "$(cat "$TALLY_ROOT/$R/expected/three-months.tsv")"
	[ -z "$stderr" ]
}

@test "hand-computed figures: Ana owes 11.888625 after the November refund" {
	run --separate-stderr tally-report --min-payout USD=20 "$TALLY_ROOT/$R/alloc.tsv"
	assert_line "2026-09/0001	Ana	2026-09	USD	paid			56.52"
	assert_line "2026-09/0001	Ana	2026-09	USD	carried_forward			0.007125"
	assert_line "2026-10/0002	Ben	2026-10	USD	paid			29.75"
	assert_line "2026-10/0002	Ben	2026-10	USD	carried_forward			0.00425"
	assert_line "2026-11/0001	Ana	2026-11	USD	carried_forward			-11.888625"
	assert_line "2026-11/0003	Mara (manager)	2026-11	USD	carried_forward			15.75225"
}

@test "--min-payout per currency: each balance against its own currency's minimum" {
	printf '%s\n' $'date\tpayee\tcurrency\tamount' $'2026-09-01\tAna\tUSD\t50.009' \
		$'2026-09-01\tAna\tEUR\t39.999' $'2026-09-02\tBen\tEUR\t40.00' $'2026-09-02\tBen\tJPY\t99' \
		$'2026-10-01\tAna\tEUR\t0.001' >"$T/a.tsv"
	run --separate-stderr tally-report --min-payout USD=50,EUR=40 "$T/a.tsv"
	assert_success
	[ "$(grep -P '\t(paid|carried_forward)\t' <<<"$output" | cut -f2-5,8)" = "$(printf '%s\n' \
		$'Ana\t2026-09\tEUR\tpaid\t0.00' $'Ana\t2026-09\tEUR\tcarried_forward\t39.999' \
		$'Ana\t2026-09\tUSD\tpaid\t50.00' $'Ana\t2026-09\tUSD\tcarried_forward\t0.009' \
		$'Ben\t2026-09\tEUR\tpaid\t40.00' $'Ben\t2026-09\tEUR\tcarried_forward\t0.00' \
		$'Ben\t2026-09\tJPY\tpaid\t99' $'Ben\t2026-09\tJPY\tcarried_forward\t0' \
		$'Ana\t2026-10\tEUR\tpaid\t40.00' $'Ana\t2026-10\tEUR\tcarried_forward\t0.00' \
		$'Ana\t2026-10\tUSD\tpaid\t0.00' $'Ana\t2026-10\tUSD\tcarried_forward\t0.009')" ]
	run --separate-stderr tally-report --min-payout USD=50,USD=40 "$T/a.tsv"
	assert_failure 2
	[ "${stderr_lines[0]}" = "tally-report: --min-payout: USD given twice" ]
}

@test "ledger over three monthly runs: exact file" {
	for p in 09 10 11; do
		run tally-report --min-payout USD=20 -l "$T/ledger.tsv" "$TALLY_ROOT/$R/alloc-2026-$p.tsv"
		assert_success
	done
	run cat "$T/ledger.tsv"
	assert_output "$(cat "$TALLY_ROOT/$R/expected/ledger.tsv")"
}

@test "ledger: October's text statement brings September forward" {
	tally-report --min-payout USD=20 -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc-2026-09.tsv" >/dev/null
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" -f text --issue-date 2026-11-02 "$TALLY_ROOT/$R/alloc-2026-10.tsv"
	assert_success
	assert_output "$(cat "$TALLY_ROOT/$R/expected/2026-10.txt")"
}

@test "ledger: re-running a period reproduces it and pays nothing twice" {
	cp "$TALLY_ROOT/$R/expected/ledger.tsv" "$T/l.tsv"
	cp "$TALLY_ROOT/$R/expected/ledger.tsv.keys" "$T/l.tsv.keys"
	tally-report --min-payout USD=20 "$TALLY_ROOT/$R/alloc.tsv" >"$T/all.tsv"
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc-2026-10.tsv"
	assert_success
	assert_output "$(grep -P '^(statement|2026-10/|\t\t2026-10\t)' "$T/all.tsv")"
	cmp "$T/l.tsv" "$TALLY_ROOT/$R/expected/ledger.tsv"
	# all three months at once: the same statements, still nothing appended
	run tally-report --min-payout USD=20 -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc.tsv"
	assert_success
	assert_output "$(cat "$T/all.tsv")"
	cmp "$T/l.tsv" "$TALLY_ROOT/$R/expected/ledger.tsv"
}

@test "ledger: a closed period whose input changed is refused" {
	cp "$TALLY_ROOT/$R/expected/ledger.tsv" "$T/l.tsv"
	cp "$TALLY_ROOT/$R/expected/ledger.tsv.keys" "$T/l.tsv.keys"
	sed 's/	10.627125$/	10.627126/' "$TALLY_ROOT/$R/alloc-2026-10.tsv" >"$T/a.tsv"
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" "$T/a.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/a.tsv:6: column \"amount\": 10.627126, but the ledger booked this row into 2026-10 as 10.627125: a period in the ledger cannot change (a changed sale comes from tally-split as its difference, a row of its own)" ]
}

@test "ledger: a period out of order is an error" {
	cp "$TALLY_ROOT/$R/expected/ledger.tsv" "$T/l.tsv"
	cp "$TALLY_ROOT/$R/expected/ledger.tsv.keys" "$T/l.tsv.keys"
	run --separate-stderr tally-report -l "$T/l.tsv" -p 2027-01 "$TALLY_ROOT/$R/alloc.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/l.tsv: period 2027-01 is out of order: the ledger's last period is 2026-11; run 2026-12 first" ]
	cmp "$T/l.tsv" "$TALLY_ROOT/$R/expected/ledger.tsv"
}

@test "ledger: a period before the ledger's first is out of order too" {
	tally-report --min-payout USD=20 -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc-2026-10.tsv" >/dev/null
	cp "$T/l.tsv" "$T/before.tsv"
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_failure 1
	[ -z "$output" ]
	[ "$stderr" = "tally-report: $T/l.tsv: period 2026-09 is out of order: the ledger starts at 2026-10" ]
	cmp "$T/l.tsv" "$T/before.tsv"
}

@test "ledger: a quiet month is recorded, so the next one is in order" {
	printf '%s\n' $'date\tpayee\tcurrency\tamount' $'2026-09-01\tAna\tUSD\t5.00' >"$T/sep.tsv"
	printf '%s\n' $'date\tpayee\tcurrency\tamount' >"$T/oct.tsv"
	printf '%s\n' $'date\tpayee\tcurrency\tamount' $'2026-11-01\tAna\tUSD\t5.00' >"$T/nov.tsv"
	tally-report -l "$T/l.tsv" "$T/sep.tsv" >/dev/null
	run --separate-stderr tally-report -l "$T/l.tsv" -p 2026-10 "$T/oct.tsv"
	assert_success
	assert_output $'statement\tpayee\tperiod\tcurrency\tentry\tsource\tproduct\tamount'
	run --separate-stderr tally-report -l "$T/l.tsv" "$T/nov.tsv"
	assert_success
	run cut -f1-8 "$T/l.tsv"
	assert_output "$(printf '%s\n' $'statement\tpayee\tperiod\tcurrency\tbrought_forward\tearned\tpaid\tcarried_forward' \
		$'2026-09/0001\tAna\t2026-09\tUSD\t0.00\t5.00\t5.00\t0.00' \
		$'2026-09/end\t\t\t\t0\t0\t0\t0' \
		$'2026-10/end\t\t\t\t0\t0\t0\t0' \
		$'2026-11/0001\tAna\t2026-11\tUSD\t0.00\t5.00\t5.00\t0.00' \
		$'2026-11/end\t\t\t\t0\t0\t0\t0')"
	# the quiet month is closed: a file of only its rows is a re-run, refused
	printf '%s\n' $'date\tpayee\tcurrency\tamount' $'2026-10-05\tBen\tUSD\t1.00' >"$T/late.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" "$T/late.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/l.tsv: rows dated 2026-10 (of Ben, USD) that the ledger does not hold are late rows, and the input has no row after 2026-11: to post them into 2026-12, run with --period 2026-12" ]
	# and an edited closing row breaks the chain
	sed -i '4s/	0	0	0	0	/	0	1	0	0	/' "$T/l.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" "$T/nov.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/l.tsv:4: column \"earned\": a closing row has 0 here; refusing to use this ledger" ]
}

@test "late rows: a refund dated in a closed month posts into the next, shown as late" {
	# alloc-2026-12-late.tsv: a Gumroad refund dated with its October sale,
	# and a December sale; hand computed: Ana -11.888625 - 4.25 = -16.138625
	# owed, Ben 14.881375 + 20.00 - 4.25 = 30.631375 pays 30.63
	cp "$TALLY_ROOT/$R/expected/ledger.tsv" "$T/l.tsv"
	cp "$TALLY_ROOT/$R/expected/ledger.tsv.keys" "$T/l.tsv.keys"
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" -f text --issue-date 2027-01-04 "$TALLY_ROOT/$R/alloc-2026-12-late.tsv"
	assert_success
	assert_output "$(cat "$TALLY_ROOT/$R/expected/late-2026-12.txt")"
	[ -z "$stderr" ]
	run bash -c "tail -n 4 '$T/l.tsv' | cut -f1-8"
	assert_output "$(printf '%s\n' $'2026-12/0001\tAna\t2026-12\tUSD\t-11.888625\t-4.25\t0.00\t-16.138625' \
		$'2026-12/0002\tBen\t2026-12\tUSD\t14.881375\t15.75\t30.63\t0.001375' \
		$'2026-12/0003\tMara (manager)\t2026-12\tUSD\t15.75225\t-1.50\t0.00\t14.25225' \
		$'2026-12/end+late\t\t\t\t0\t0\t0\t0')"
	cp "$T/l.tsv" "$T/after.tsv"
	# the re-run, with or without --period, reproduces it and appends nothing
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc-2026-12-late.tsv"
	assert_success
	assert_line $'2026-12/0001\tAna\t2026-12\tUSD\tlate:2026-10\tgumroad\tLanterns\t-4.25'
	assert_line $'2026-12/0002\tBen\t2026-12\tUSD\tpaid\t\t\t30.63'
	first="$output"
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" -p 2026-12 "$TALLY_ROOT/$R/alloc-2026-12-late.tsv"
	assert_success
	assert_output "$first"
	cmp "$T/l.tsv" "$T/after.tsv"
	# conservation: the late net counts in the period it posted into
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" --check "$TALLY_ROOT/$R/alloc-2026-12-late.tsv"
	assert_success
	assert_output "$(printf '%s\n' $'period\tcurrency\tnet_sales\tallocated\tpaid\tcarried_change\tstatus' \
		$'2026-12\tUSD\t10.00\t10.00\t30.63\t-20.63\tok')"
	run --separate-stderr tally-report --min-payout USD=20 -f md -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc-2026-12-late.tsv"
	assert_line '| · Late refunds for sales in 2026-10 (reported 2026-12): | |'
	assert_line '| · · gumroad: Lanterns | -1.50 |'
}

@test "--period: rows after it are told and left; earlier rows already in the ledger are checked" {
	cp "$TALLY_ROOT/$R/expected/ledger.tsv" "$T/l.tsv"
	cp "$TALLY_ROOT/$R/expected/ledger.tsv.keys" "$T/l.tsv.keys"
	# a cumulative file: September is in the ledger (checked, not shown),
	# October is reproduced, November is left for its own run
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" -p 2026-10 "$TALLY_ROOT/$R/alloc.tsv"
	assert_success
	assert_output "$(grep -P '^(statement|2026-10/|\t\t2026-10\t)' "$TALLY_ROOT/$R/expected/three-months.tsv")"
	[ "$stderr" = "tally-report: $TALLY_ROOT/$R/alloc.tsv:16: 8 rows dated after --period 2026-10 (from here on) left for a later run" ]
	cmp "$T/l.tsv" "$TALLY_ROOT/$R/expected/ledger.tsv"
	# a closed month's file fed again as the next month: refused
	run --separate-stderr tally-report -l "$T/l.tsv" -p 2026-12 "$TALLY_ROOT/$R/alloc-2026-11.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/l.tsv: every row of the input is in the ledger already (up to 2026-11): nothing for 2026-12; a quiet period takes an input with no rows" ]
	# ... and with a change, its rows are not late rows either
	sed 's/	-41.65$/	-41.64/' "$TALLY_ROOT/$R/alloc-2026-11.tsv" >"$T/a.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" -p 2026-12 "$T/a.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/a.tsv:3: column \"amount\": -41.64, but the ledger booked this row into 2026-11 as -41.65: a period in the ledger cannot change (a changed sale comes from tally-split as its difference, a row of its own)" ]
	# a period the ledger holds, run with no rows at all: refused, nothing recorded
	printf 'date\tpayee\tcurrency\tamount\n' >"$T/none.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" -p 2026-10 "$T/none.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/l.tsv:6: the 2026-10 statement of Ana (USD) says earned 14.877125, the input 0.00: a period in the ledger cannot change: run it again with the rows it was run with; its rows that came since are late rows: put their exports with 2026-12's" ]
	cmp "$T/l.tsv" "$TALLY_ROOT/$R/expected/ledger.tsv"
}

@test "--period without a ledger filters (as hledger's -p): earlier rows are counted, not paid again" {
	# issue 10 item 3: October alone, hand computed: Ana 4.25 + 10.627125
	# = 14.877125, pays 14.87, carries 0.007125; September's 8 rows told
	run --separate-stderr tally-report -p 2026-10 "$TALLY_ROOT/$R/alloc-2026-10.tsv" "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_success
	[ "$(grep -P '^2026-10/0001\t' <<<"$output" | cut -f5-)" = "$(printf '%s\n' $'brought_forward\t\t\t0.00' \
		$'earned\tbandcamp\tVinyl\t10.627125' $'earned\tgumroad\tLanterns\t4.25' $'earned_total\t\t\t14.877125' \
		$'paid\t\t\t14.87' $'carried_forward\t\t\t0.007125')" ]
	# the period's totals once, in rows of no statement and no payee
	[ "$(grep -P '^\t\t2026-10\t' <<<"$output" | cut -f5-)" = "$(printf '%s\n' $'period_brought_forward\t\t\t0.00' \
		$'period_earned\t\t\t35.005' $'period_paid\t\t\t34.99' $'period_carried_forward\t\t\t0.015')" ]
	refute_output --partial late
	[ "$stderr" = "tally-report: $TALLY_ROOT/$R/alloc-2026-09.tsv:2: 8 rows dated before --period 2026-10 (from here on) left out" ]
}

@test "a new ledger starts at the input's first month or an explicit --opening, never a silent absorption" {
	run --separate-stderr tally-report -l "$T/l.tsv" -p 2026-10 "$TALLY_ROOT/$R/alloc.tsv"
	assert_failure 1
	[ -z "$output" ]
	[ "${stderr##*$'\n'}" = "tally-report: $T/l.tsv: the ledger is new and the input has rows from 2026-09, before --period 2026-10: run --period 2026-09 first, or give --opening 2026-10 to start the ledger there (earlier rows left out)" ]
	[ ! -s "$T/l.tsv" ]
	run --separate-stderr tally-report -l "$T/l.tsv" --opening 2026-10 -p 2026-10 "$TALLY_ROOT/$R/alloc.tsv"
	assert_success
	[ "$(cut -f1-8 "$T/l.tsv")" = "$(printf '%s\n' $'statement\tpayee\tperiod\tcurrency\tbrought_forward\tearned\tpaid\tcarried_forward' \
		$'2026-10/0001\tAna\t2026-10\tUSD\t0.00\t14.877125\t14.87\t0.007125' \
		$'2026-10/0002\tBen\t2026-10\tUSD\t0.00\t14.877125\t14.87\t0.007125' \
		$'2026-10/0003\tMara (manager)\t2026-10\tUSD\t0.00\t5.25075\t5.25\t0.00075' \
		$'2026-10/end\t\t\t\t0\t0\t0\t0')" ]
	grep -q "8 rows dated before --opening 2026-10 (from here on) left out" <<<"$stderr"
	run --separate-stderr tally-report -p 2026-10 --opening 2026-10 "$TALLY_ROOT/$R/alloc.tsv"
	assert_failure 2
}

@test "late rows: a cumulative file of the monthly files is checked, not paid again" {
	# alloc-2026-12-cum.tsv: December's allocations (the late October
	# refund and a December sale) in tally-split's columns
	for f in alloc-2026-09.tsv alloc-2026-10.tsv alloc-2026-11.tsv alloc-2026-12-cum.tsv; do
		tally-report --min-payout USD=20 -l "$T/l.tsv" "$TALLY_ROOT/$R/$f" >/dev/null
	done
	{ cat "$TALLY_ROOT/$R/alloc.tsv"; tail -n +2 "$TALLY_ROOT/$R/alloc-2026-12-cum.tsv"
	  printf '2027-01-04T10:00:00Z\tbandcamp\tb10\t1\tVinyl\tvinyl\tsale\t\t1\tUSD\t10.00\t0.00\t0.00\t10.00\tUS\tc9\tb.csv:9\tAna\t1\t1\t1\t10.00\n'
	} >"$T/all.tsv"
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" "$T/all.tsv"
	assert_success
	[ "$(cut -f1,5,8 <<<"$output" | grep -P '\t(earned_total|paid)\t')" = "$(printf '%s\n' \
		$'2027-01/0001\tearned_total\t10.00' $'2027-01/0001\tpaid\t0.00' \
		$'2027-01/0002\tearned_total\t0.00' $'2027-01/0002\tpaid\t0.00' \
		$'2027-01/0003\tearned_total\t0.00' $'2027-01/0003\tpaid\t0.00')" ]
	run bash -c "tail -n 4 '$T/l.tsv' | cut -f1-8"
	assert_output "$(printf '%s\n' $'2027-01/0001\tAna\t2027-01\tUSD\t-16.138625\t10.00\t0.00\t-6.138625' \
		$'2027-01/0002\tBen\t2027-01\tUSD\t0.001375\t0.00\t0.00\t0.001375' \
		$'2027-01/0003\tMara (manager)\t2027-01\tUSD\t14.25225\t0.00\t0.00\t14.25225' \
		$'2027-01/end\t\t\t\t0\t0\t0\t0')"
	# a late row in a cumulative file is told by its key, not by what
	# October earned: posted into December as the month's own file would
	rm "$T/l.tsv" "$T/l.tsv.seal" "$T/l.tsv.keys"
	tally-report --min-payout USD=20 -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc.tsv" >/dev/null
	head -n -1 "$T/all.tsv" >"$T/mixed.tsv"
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" "$T/mixed.tsv"
	assert_success
	assert_line $'2026-12/0001\tAna\t2026-12\tUSD\tlate:2026-10\tgumroad\tLanterns\t-4.25'
	run bash -c "tail -n 4 '$T/l.tsv' | cut -f1-8"
	assert_output "$(printf '%s\n' $'2026-12/0001\tAna\t2026-12\tUSD\t-11.888625\t-4.25\t0.00\t-16.138625' \
		$'2026-12/0002\tBen\t2026-12\tUSD\t14.881375\t15.75\t30.63\t0.001375' \
		$'2026-12/0003\tMara (manager)\t2026-12\tUSD\t15.75225\t-1.50\t0.00\t14.25225' \
		$'2026-12/end+late\t\t\t\t0\t0\t0\t0')"
}

@test "ledger: losing its last rows shows" {
	# the last row (December's closing row) lost
	head -n -1 "$TALLY_ROOT/$R/expected/ledger.tsv" >"$T/l.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc-2026-12-late.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/l.tsv:12: period 2026-11 has no closing row: the ledger's last rows were lost; refusing to use this ledger" ]
	# the last statement lost, the closing row kept
	sed 12d "$TALLY_ROOT/$R/expected/ledger.tsv" >"$T/l.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc-2026-12-late.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/l.tsv:12: column \"chain\": \"552534f8a0efe7ba\" does not follow from the rows before: the ledger was edited or damaged; refusing to use this ledger" ]
}

@test "seal: a ledger cut at a period boundary, emptied or restored from last month's copy is refused" {
	# issue 17: each of these is a valid shorter ledger; without the seal
	# the lost months would be paid again from zero
	for f in alloc-2026-09.tsv alloc-2026-10.tsv alloc-2026-11.tsv; do
		tally-report --min-payout USD=20 -l "$T/l.tsv" "$TALLY_ROOT/$R/$f" >/dev/null
	done
	cmp "$T/l.tsv" "$TALLY_ROOT/$R/expected/ledger.tsv"
	[ "$(cat "$T/l.tsv.seal")" = "$(printf '%s\n' 'tally-ledger-seal 1' $'periods\t3' $'last\t2026-11' $'chain\t552534f8a0efe7ba' $'keys\trecorded')" ]
	cp "$T/l.tsv" "$T/good.tsv"
	: >"$T/l.tsv"
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" -p 2026-12 "$TALLY_ROOT/$R/alloc-2026-12-late.tsv"
	assert_failure 1
	[ -z "$output" ]
	[ "$stderr" = "tally-report: $T/l.tsv: the ledger holds 0 closed periods (last: none), but its seal $T/l.tsv.seal says 3 (last: 2026-11, chain 552534f8a0efe7ba): it was cut, emptied or restored from an older copy, and the periods lost would be paid again; restore the ledger that ends with the closing row of 2026-11 (chain 552534f8a0efe7ba), from a backup or another copy" ]
	# header only; last month's backup (cut after October's closing row)
	head -n 1 "$T/good.tsv" >"$T/l.tsv"
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" -p 2026-12 "$TALLY_ROOT/$R/alloc-2026-12-late.tsv"
	assert_failure 1
	head -n 9 "$T/good.tsv" >"$T/l.tsv"
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc-2026-11.tsv"
	assert_failure 1
	assert_equal "${stderr%%, but*}" "tally-report: $T/l.tsv: the ledger holds 2 closed periods (last: 2026-10)"
	# --check refuses it too; the ledger removed, the seal kept: refused
	run --separate-stderr tally-report --check -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc.tsv"
	assert_failure 1
	rm "$T/l.tsv"
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc.tsv"
	assert_failure 1
	# the right ledger restored: accepted, the run goes on
	cp "$T/good.tsv" "$T/l.tsv"
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc-2026-12-late.tsv"
	assert_success
	assert_equal "$(sed -n 's/^periods\t//p' "$T/l.tsv.seal")" 4
}

@test "seal: a run that died between the ledger and its seal is taken up; a bad seal is refused" {
	for f in alloc-2026-09.tsv alloc-2026-10.tsv; do
		tally-report --min-payout USD=20 -l "$T/l.tsv" "$TALLY_ROOT/$R/$f" >/dev/null
	done
	cp "$T/l.tsv.seal" "$T/seal-10"
	tally-report --min-payout USD=20 -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc-2026-11.tsv" >/dev/null
	cp "$T/seal-10" "$T/l.tsv.seal" # the ledger has November, the seal not yet
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc-2026-11.tsv"
	assert_success
	assert_equal "$(sed -n 's/^periods\t//p' "$T/l.tsv.seal")" 3
	printf 'tally-ledger-seal 1\nperiods\tx\n' >"$T/l.tsv.seal"
	run --separate-stderr tally-report -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc-2026-11.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/l.tsv.seal: not a ledger seal (\"tally-ledger-seal 1\", periods, last, chain); refusing to use the ledger $T/l.tsv" ]
}

@test "seal: a ledger from before seals (committed fixture) is read and sealed" {
	cp "$TALLY_ROOT/$R/expected/ledger.tsv" "$T/l.tsv"
	cp "$TALLY_ROOT/$R/expected/ledger.tsv.keys" "$T/l.tsv.keys"
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc-2026-11.tsv"
	assert_success
	[ -z "$stderr" ]
	cmp "$T/l.tsv" "$TALLY_ROOT/$R/expected/ledger.tsv"
	[ "$(sed -n 's/^chain\t//p' "$T/l.tsv.seal")" = 552534f8a0efe7ba ]
}

@test "-l /dev/null and a folder are refused: a ledger is a file of its own" {
	run --separate-stderr tally-report -l /dev/null "$TALLY_ROOT/$R/alloc.tsv"
	assert_failure 2
	[ "$stderr" = "tally-report: /dev/null: not a regular file: a ledger is a file of its own" ]
	run --separate-stderr tally-report -l "$T" "$TALLY_ROOT/$R/alloc.tsv"
	assert_failure 2
}

@test "tamper: every single-line removal, every number edit, every period-boundary truncation is refused" {
	for f in alloc-2026-09.tsv alloc-2026-10.tsv alloc-2026-11.tsv; do
		tally-report --min-payout USD=20 -l "$T/good.tsv" "$TALLY_ROOT/$R/$f" >/dev/null
	done
	try() { # the ledger in $T/l.tsv, the seal of the good one: must be refused
		cp "$T/good.tsv.seal" "$T/l.tsv.seal"
		cp "$T/good.tsv.keys" "$T/l.tsv.keys"
		tally-report --min-payout USD=20 -l "$T/l.tsv" -p 2026-12 "$TALLY_ROOT/$R/alloc-2026-12-late.tsv" >/dev/null 2>&1 && return 1
		[ $? -eq 1 ] || { echo "$1: not exit 1"; return 1; }
	}
	n=$(wc -l <"$T/good.tsv")
	for ((i = 1; i <= n; i++)); do
		sed "${i}d" "$T/good.tsv" >"$T/l.tsv"
		try "line $i removed" || { echo "line $i removed: accepted"; return 1; }
		for ((c = 5; c <= 9; c++)); do
			[ "$i" -gt 1 ] || continue
			awk -F'\t' -v OFS='\t' -v i="$i" -v c="$c" 'NR == i { v = $c; d = substr(v, length(v)); \
				$c = substr(v, 1, length(v) - 1) ((d ~ /[0-9]/) ? (d + 1) % 10 : "0") } 1' "$T/good.tsv" >"$T/l.tsv"
			! cmp -s "$T/l.tsv" "$T/good.tsv"
			try "line $i column $c edited" || { echo "line $i column $c edited: accepted"; return 1; }
		done
	done
	: >"$T/l.tsv"
	try "emptied" || { echo "emptied: accepted"; return 1; }
	for k in 1 5 9; do # after the header, after September's, after October's closing row
		head -n "$k" "$T/good.tsv" >"$T/l.tsv"
		try "cut after line $k" || { echo "cut after line $k: accepted"; return 1; }
	done
	# the good ledger itself is accepted by the same run
	cp "$T/good.tsv" "$T/l.tsv"
	cp "$T/good.tsv.seal" "$T/l.tsv.seal"
	cp "$T/good.tsv.keys" "$T/l.tsv.keys"
	tally-report --min-payout USD=20 -l "$T/l.tsv" -p 2026-12 "$TALLY_ROOT/$R/alloc-2026-12-late.tsv" >/dev/null
}

@test "a ledger that cannot be opened or created: exit 2" {
	run --separate-stderr tally-report -l /nonexistent/l "$TALLY_ROOT/$R/alloc.tsv"
	assert_failure 2
	[ -z "$output" ]
	[ "$stderr" = "tally-report: /nonexistent/l.lock: No such file or directory" ]
	touch "$T/file"
	run --separate-stderr tally-report --check -l "$T/file/l" "$TALLY_ROOT/$R/alloc.tsv"
	assert_failure 2
	[ "$stderr" = "tally-report: $T/file/l: Not a directory" ]
}

@test "ledger: an edited amount breaks the balance chain" {
	sed '6s/	0.007125	14.877125	0.00	14.88425	/	0.007125	14.877125	1.00	14.88425	/' \
		"$TALLY_ROOT/$R/expected/ledger.tsv" >"$T/l.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc-2026-11.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/l.tsv:6: carried_forward is not brought_forward + earned - paid; refusing to use this ledger" ]
}

@test "ledger: a consistent edit still breaks the chain column" {
	sed '2s/	0.00	56.527125	56.52	0.007125	/	0.00	56.537125	56.53	0.007125	/' \
		"$TALLY_ROOT/$R/expected/ledger.tsv" >"$T/l.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc-2026-11.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/l.tsv:2: column \"chain\": \"daa8cde5c1c28239\" does not follow from the rows before: the ledger was edited or damaged; refusing to use this ledger" ]
}

@test "ledger: a brought forward that does not chain names the line" {
	# October's Ana line made consistent in itself, but not with September
	sed '6s/	0.007125	14.877125	0.00	14.88425	/	0.00	14.877125	0.00	14.877125	/' \
		"$TALLY_ROOT/$R/expected/ledger.tsv" >"$T/l.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc-2026-11.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/l.tsv:6: brought_forward 0.00 of Ana (USD) does not chain: the previous statement carried forward 0.007125; refusing to use this ledger" ]
}

@test "ledger: a truncated ledger is refused" {
	head -c -9 "$TALLY_ROOT/$R/expected/ledger.tsv" >"$T/l.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc-2026-11.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/l.tsv:13: the last line has no line end: the ledger is truncated; refusing to use this ledger" ]
}

@test "ledger: not a ledger" {
	printf 'a\tb\n1\t2\n' >"$T/l.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" "$TALLY_ROOT/$R/alloc-2026-11.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/l.tsv:1: not a ledger: the header must be \"statement payee period currency brought_forward earned paid carried_forward chain\"; refusing to use this ledger" ]
}

@test "markdown statements" {
	run --separate-stderr tally-report --min-payout USD=20 -f md -p 2026-09 --issue-date 2026-10-02 "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_success
	assert_output "$(cat "$TALLY_ROOT/$R/expected/2026-09.md")"
}

@test "html: parses, self-contained, SVG chart present" {
	tally-report --min-payout USD=20 -f html "$TALLY_ROOT/$R/alloc.tsv" >"$T/s.html"
	run xmllint --html --noout "$T/s.html"
	assert_success
	# libxml2's HTML 4 parser does not know SVG's tags; nothing else may show
	run bash -c "xmllint --html --noout '$T/s.html' 2>&1 | grep 'error' | grep -v 'Tag \(svg\|rect\|line\|text\|title\) invalid'"
	assert_output ""
	run xmllint --noout "$T/s.html"   # and it is well-formed XML
	assert_success
	grep -q '<svg xmlns="http://www.w3.org/2000/svg"' "$T/s.html"
	grep -q '<title>2026-09 paid: 56.52</title>' "$T/s.html"
	! grep -Eq '<script|src=|href=' "$T/s.html"
}

@test "html and md escape data; no formula guard on pages for people (issue 11 item 6); TSV keeps data" {
	printf 'date\tpayee\tcurrency\tamount\tsource\tproduct\n2026-10-01\t=HYPERLINK("x")\tUSD\t1.00\tweb\t<script>alert(1)</script>\n' >"$T/a.tsv"
	run tally-report -f html "$T/a.tsv"
	assert_success
	assert_line --partial '<td>web: &lt;script&gt;alert(1)&lt;/script&gt;</td>'
	assert_line --partial "<dd>=HYPERLINK(&quot;x&quot;)</dd>"
	run tally-report -f md "$T/a.tsv"
	# only what Markdown reads as markup is escaped: the tags, not > ( ) (was \> \( \))
	assert_line '| · web: &lt;script>alert(1)&lt;/script> | 1.00 |'
	assert_line "Payee: =HYPERLINK(\"x\")  "
	run tally-report -f text "$T/a.tsv"
	assert_line "Payee:    =HYPERLINK(\"x\")"
	run tally-report "$T/a.tsv"
	assert_line '2026-10/0001	=HYPERLINK("x")	2026-10	USD	paid			1.00'
}

@test "--out-dir: payees whose files would meet are an error, nothing written (case, long names)" {
	printf 'date\tpayee\tcurrency\tamount\n2026-10-01\tAna\tUSD\t3.00\n2026-10-01\tana\tUSD\t1.00\n' >"$T/a.tsv"
	mkdir "$T/out"
	run --separate-stderr tally-report -f text --out-dir "$T/out" "$T/a.tsv"
	assert_failure 1
	[ "$stderr" = 'tally-report: --out-dir: payees "Ana" and "ana" would share the file ana-2026-10.txt (names that differ only by case, or long names cut to one): nothing written; rename one in the agreements' ]
	[ -z "$(ls -A "$T/out")" ]
}

@test "--out-dir: a leading dash and invisible or bidi control characters are escaped" {
	printf 'date\tpayee\tcurrency\tamount\n2026-10-01\t-rf\tUSD\t1.00\n2026-10-01\tevil\xe2\x80\xaetxt.exe\tUSD\t2.00\n' >"$T/a.tsv"
	mkdir "$T/out"
	run --separate-stderr tally-report -f text --out-dir "$T/out" "$T/a.tsv"
	assert_success
	assert_output "$T/out/%2Drf-2026-10.txt
$T/out/evil%E2%80%AEtxt.exe-2026-10.txt"
}

@test "--out-dir: one file per payee and period, unsafe names stay inside" {
	long=$(printf 'x%.0s' {1..300})
	printf 'date\tpayee\tcurrency\tamount\n2026-10-01\t../x\tUSD\t1.00\n2026-10-01\t/etc/x\tUSD\t2.00\n2026-10-01\t%s\tUSD\t3.00\n2026-10-01\t.\tUSD\t4.00\n2026-10-01\tAna Lee\tUSD\t5.00\n' "$long" >"$T/a.tsv"
	mkdir "$T/out"
	run --separate-stderr tally-report -f text --out-dir "$T/out" "$T/a.tsv"
	assert_success
	assert_output "$T/out/%2E-2026-10.txt
$T/out/%2E.%2Fx-2026-10.txt
$T/out/%2Fetc%2Fx-2026-10.txt
$T/out/Ana_Lee-2026-10.txt
$T/out/$(printf 'x%.0s' {1..83})~e78ddf9f1ba85555-2026-10.txt"
	[ "$(ls -A "$T/out" | wc -l)" -eq 5 ]
	[ ! -e "$T/x-2026-10.txt" ]
	grep -q '^Payee:    \.\./x$' "$T/out/%2E.%2Fx-2026-10.txt"
}

@test "--out-dir that is not a folder: exit 2" {
	touch "$T/file"
	run --separate-stderr tally-report --out-dir "$T/file" "$TALLY_ROOT/$R/alloc.tsv"
	assert_failure 2
	[ "$stderr" = "tally-report: $T/file: Not a directory" ]
	run --separate-stderr tally-report --out-dir "$T/no/such" "$TALLY_ROOT/$R/alloc.tsv"
	assert_failure 2
	[ "$stderr" = "tally-report: $T/no/such: No such file or directory" ]
}

@test "an interrupted run leaves no half-written statement or ledger" {
	# The kill must land while the run is still writing: a run that ended
	# first tests nothing, so the input grows until the signal is what ended it.
	for sig in TERM KILL; do
		n=4000 killed=0
		while [ $killed = 0 ] && [ $n -le 64000 ]; do
			awk -v n=$n 'BEGIN { print "date\tpayee\tcurrency\tamount"; for (i = 0; i < n; i++) printf "2026-10-01\tp%d\tUSD\t1.00\n", i }' >"$T/a.tsv"
			rm -rf "$T/out" "$T/l.tsv" "$T/l.tsv.seal"
			mkdir "$T/out"
			tally-report -f html --out-dir "$T/out" -l "$T/l.tsv" "$T/a.tsv" >/dev/null 2>&1 &
			pid=$!
			sleep 0.3
			kill -s $sig $pid
			rc=0
			wait $pid || rc=$?
			# TERM is caught (cleanup, exit 1); KILL ends with 137
			if [ $rc -ne 0 ]; then killed=1; else n=$((n * 4)); fi
		done
		[ $killed = 1 ]
		# every visible statement is whole
		for f in "$T"/out/*.html; do
			[ -e "$f" ] || continue
			tail -n 1 "$f" | grep -qx '</html>'
		done
		# the ledger, written last, is absent (or whole)
		[ ! -e "$T/l.tsv" ] || tally-report -l "$T/l.tsv" --check "$T/a.tsv" >/dev/null
		if [ $sig = TERM ]; then
			# a catchable signal also removes the unfinished temporary
			[ -z "$(ls -A "$T/out" | grep '^\.')" ]
		fi
	done
}

@test "--check: conservation holds on the fixture" {
	run --separate-stderr tally-report --min-payout USD=20 --check "$TALLY_ROOT/$R/alloc.tsv"
	assert_success
	assert_output "$(cat "$TALLY_ROOT/$R/expected/check.tsv")"
}

@test "--check fails on a tampered allocation file" {
	sed '9s/	41.65$/	41.66/' "$TALLY_ROOT/$R/alloc.tsv" >"$T/a.tsv"
	run --separate-stderr tally-report --min-payout USD=20 --check "$T/a.tsv"
	assert_failure 1
	assert_line "2026-09	USD	84.005	84.015	56.53	27.485	DIFFERS"
	[ "$stderr" = "tally-report: $T/a.tsv:8-9: the allocations of this sale sum to 49.01 USD, its net is 49.00
tally-report: 2026-09 USD: net sales 84.005, allocated 84.015, paid + carried change 84.015" ]
}

@test "--fx converts each row at its date's rate, half to even" {
	run --separate-stderr tally-report --fx "$TALLY_ROOT/$R/rates.tsv" --to USD "$TALLY_ROOT/$R/alloc-fx.tsv"
	assert_success
	assert_line "2026-10/0001	Ana	2026-10	USD	earned	etsy	Poster	21.633"
	assert_line "2026-10/0001	Ana	2026-10	USD	paid			26.63"
	assert_line "2026-10/0001	Ana	2026-10	USD	carried_forward			0.003"
}

@test "--fx: the rows of one sale convert by running total; --check still holds" {
	printf 'date\tcurrency\trate\n2026-01-01\tEUR\t1.0833333\n' >"$T/r.tsv"
	printf '%s\n' $'date\tsource\torder\tline\tkind\tcurrency\tnet\tpayee\tamount' \
		$'2026-09-01\ts\to1\t1\tsale\tEUR\t10.00\tA\t3.333334' \
		$'2026-09-01\ts\to1\t1\tsale\tEUR\t10.00\tB\t3.333333' \
		$'2026-09-01\ts\to1\t1\tsale\tEUR\t10.00\tC\t3.333333' >"$T/a.tsv"
	run --separate-stderr tally-report --fx "$T/r.tsv" --to USD "$T/a.tsv"
	assert_success
	[ "$(grep -P '\tearned\t' <<<"$output" | cut -f2,8)" = "$(printf '%s\n' $'A\t3.611112' $'B\t3.61111' $'C\t3.611111')" ]
	run --separate-stderr tally-report --check --fx "$T/r.tsv" --to USD "$T/a.tsv"
	assert_success
	assert_output "$(printf '%s\n' $'period\tcurrency\tnet_sales\tallocated\tpaid\tcarried_change\tstatus' \
		$'2026-09\tUSD\t10.833333\t10.833333\t10.83\t0.003333\tok')"
	[ -z "$stderr" ]
}

@test "--check: rows of one sale that disagree on its net are named" {
	printf '%s\n' $'date\tsource\torder\tline\tkind\tcurrency\tnet\tpayee\tamount' \
		$'2026-09-01\ts\to1\t1\tsale\tUSD\t10.01\tA\t5.01' \
		$'2026-09-01\ts\to1\t1\tsale\tUSD\t10.00\tB\t5.00' >"$T/a.tsv"
	run --separate-stderr tally-report --check "$T/a.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/a.tsv:3: column \"net\": 10.00 differs from the 10.01 of line 2 of the same sale" ]
}

@test "--check: an empty origin does not merge different sales" {
	printf '%s\n' $'date\tsource\torder\tline\tkind\tcurrency\tnet\torigin\tpayee\tamount' \
		$'2026-09-01\ts\to1\t1\tsale\tUSD\t10.00\t\tA\t10.00' \
		$'2026-09-01\ts\to2\t1\tsale\tUSD\t5.00\t\tA\t5.00' >"$T/a.tsv"
	run --separate-stderr tally-report --check "$T/a.tsv"
	assert_success
	assert_line $'2026-09\tUSD\t15.00\t15.00\t15.00\t0.00\tok'
}

@test "--fx: a missing rate names date and currency" {
	printf 'date\tcurrency\trate\n2026-10-10\tEUR\t1.08\n' >"$T/r.tsv"
	run --separate-stderr tally-report --fx "$T/r.tsv" --to USD "$TALLY_ROOT/$R/alloc-fx.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $TALLY_ROOT/$R/alloc-fx.tsv:2: no USD rate for EUR on or before 2026-10-02 in $T/r.tsv" ]
}

@test "--summary: hand-computed figures" {
	run --separate-stderr tally-report --summary "$TALLY_ROOT/$R/sales.tsv"
	assert_success
	assert_output "$(cat "$TALLY_ROOT/$R/expected/summary.tsv")"
	assert_line "2026-10	USD	total		refund_rate	17.2%"
	assert_line "2026-10	USD	total		growth	20.8%"
	assert_line "2026-10	USD	total		returning_customers	2"
	assert_line "2026-10	USD	channel	bandcamp	take_rate	15.0%"
}

@test "--summary --period: the month alone, earlier months as history (returning customers, growth)" {
	for p in 2026-09 2026-10 2026-11; do
		run --separate-stderr tally-report --summary -p "$p" "$TALLY_ROOT/$R/sales.tsv"
		assert_success
		assert_output "$(awk -v p="$p" 'NR == 1 || $1 == p' "$TALLY_ROOT/$R/expected/summary.tsv")"
	done
	run --separate-stderr tally-report --summary -p 2026-10 "$TALLY_ROOT/$R/sales.tsv"
	assert_line "2026-10	USD	total		returning_customers	2"
	assert_line "2026-10	USD	total		growth	20.8%"
}

@test "--summary: a standalone fee row is part of its channel's effective take" {
	printf '%s\n' $'date\tsource\tkind\tcurrency\tgross\tfee\tnet' \
		$'2026-09-01\tetsy\tsale\tUSD\t20.00\t1.00\t19.00' \
		$'2026-09-02\tetsy\tfee\tUSD\t0.00\t0.20\t-0.20' >"$T/s.tsv"
	run --separate-stderr tally-report --summary "$T/s.tsv"
	assert_success
	[ "$(grep -P '\tchannel\t' <<<"$output")" = "$(printf '%s\n' \
		$'2026-09\tUSD\tchannel\tetsy\tgross\t20.00' $'2026-09\tUSD\tchannel\tetsy\tfee\t1.20' \
		$'2026-09\tUSD\tchannel\tetsy\tsales_net\t18.80' $'2026-09\tUSD\tchannel\tetsy\ttake_rate\t6.0%' \
		$'2026-09\tUSD\tchannel\tetsy\tshare\t100.0%')" ]
	assert_line $'2026-09\tUSD\ttotal\t\tnet_of_refunds\t18.80'
}

@test "--summary refuses an allocations stream instead of counting each sale once per share" {
	# issue 10 item 4: a 100.00 sale split 60/40 would show revenue 200.00
	printf '%s\n' $'date\tsource\tkind\tcurrency\tgross\tfee\tnet\tpayee\tamount' \
		$'2026-10-01\tgumroad\tsale\tUSD\t100.00\t0.00\t100.00\tAna\t60.00' \
		$'2026-10-01\tgumroad\tsale\tUSD\t100.00\t0.00\t100.00\tBen\t40.00' >"$T/a.tsv"
	run --separate-stderr tally-report --summary "$T/a.tsv"
	assert_failure 1
	[ -z "$output" ]
	[ "$stderr" = "tally-report: $T/a.tsv:1: an allocations stream (it has columns payee and amount): each sale is on one row per payee and would count once per share; --summary reads the sales stream (tally-ingest's output, before tally-split)" ]
}

@test "--summary: standalone fee rows in fees and take rate, no fee column is not 0%, buyers without id, unknown kinds" {
	# issue 10 item 5, issue 17: hand computed: stripe 100.00 sale with 3.20
	# fee and a 4.80 usage fee row: fee 8.00, net 92.00, take 8.0% (fee + net
	# = gross); etsy 20.00 with no fee in its export; the donation (not a
	# kind of tally.7) out of revenue and of net alike, told on stderr
	printf '%s\n' $'date\tsource\tkind\tcurrency\tgross\tfee\tnet\tcustomer' \
		$'2026-09-01\tstripe\tsale\tUSD\t100.00\t3.20\t96.80\tc1' \
		$'2026-09-30\tstripe\tfee\tUSD\t-4.80\t0.00\t-4.80\t' \
		$'2026-09-03\tetsy\tsale\tUSD\t20.00\t0.00\t20.00\t' \
		$'2026-09-04\topencollective\tdonation\tUSD\t5.00\t0.00\t5.00\tc2' >"$T/f.tsv"
	run --separate-stderr tally-report --summary "$T/f.tsv"
	assert_success
	assert_line $'2026-09\tUSD\ttotal\t\trevenue\t120.00'
	assert_line $'2026-09\tUSD\ttotal\t\tfees\t8.00'
	assert_line $'2026-09\tUSD\ttotal\t\tnet_of_refunds\t112.00'
	assert_line $'2026-09\tUSD\ttotal\t\tcustomers\t1'
	assert_line $'2026-09\tUSD\ttotal\t\tsales_without_customer_id\t1'
	assert_line $'2026-09\tUSD\tchannel\tstripe\tfee\t8.00'
	assert_line $'2026-09\tUSD\tchannel\tstripe\tsales_net\t92.00'
	assert_line $'2026-09\tUSD\tchannel\tstripe\ttake_rate\t8.0%'
	assert_line $'2026-09\tUSD\tchannel\tetsy\ttake_rate\tnot in export'
	[ "$stderr" = "tally-report: 1 row of kinds not in the stream contract (tally.7) left out of every figure: donation 1" ]
}

@test "--summary: a country's sales without a buyer id are counted beside its customers (was: DE 0 customers, 50.81 gross)" {
	# the new user's report: a country whose gross came from streams (no
	# buyer id in the export) showed 0 customers and a gross, unexplained
	printf '%s\n' $'date\tsource\tkind\tcurrency\tgross\tfee\tnet\tcustomer\tcountry' \
		$'2026-09-01\tdistrokid\tsale\tUSD\t0.81\t0.00\t0.81\t\tDE' \
		$'2026-09-02\tdistrokid\tsale\tUSD\t50.00\t0.00\t50.00\t\tDE' \
		$'2026-09-03\tgumroad\tsale\tUSD\t10.00\t1.00\t9.00\tc1\tDE' \
		$'2026-09-04\tgumroad\tsale\tUSD\t5.00\t0.50\t4.50\tc2\tUS' >"$T/c.tsv"
	run --separate-stderr tally-report --summary "$T/c.tsv"
	assert_success
	assert_line $'2026-09\tUSD\tcountry\tDE\tcustomers\t1'
	assert_line $'2026-09\tUSD\tcountry\tDE\tanonymous_sales\t2'
	assert_line $'2026-09\tUSD\tcountry\tDE\tgross\t60.81'
	assert_line $'2026-09\tUSD\tcountry\tUS\tanonymous_sales\t0'
	run tally-report --summary -f text "$T/c.tsv"
	assert_line --regexp '^Country +Customers +Anonymous sales +Gross +Share$'
	assert_line --regexp '^DE +1 +2 +60\.81 +92\.4%$'
}

@test "--summary in text, md and html" {
	run tally-report --summary -f text "$TALLY_ROOT/$R/sales.tsv"
	assert_success
	assert_output "$(cat "$TALLY_ROOT/$R/expected/summary.txt")"
	run tally-report --summary -f md "$TALLY_ROOT/$R/sales.tsv"
	assert_line '| &lt;script>alert(1)&lt;/script> | 15.00 | 25.9% |'
	tally-report --summary -f html "$TALLY_ROOT/$R/sales.tsv" >"$T/s.html"
	xmllint --noout "$T/s.html"
	grep -q '<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>' "$T/s.html"
	grep -q '<svg' "$T/s.html"
}

@test "--summary -f md writes Ko-fi, Vol. 2 (live) and snake_case as they are; only markup is escaped" {
	h=$(head -1 "$TALLY_ROOT/$R/sales.tsv")
	{
		echo "$h"
		printf '2026-09-02T10:00:00Z\tkofi\tk1\t1\tKo-fi Support\t\tsale\t\t1\tUSD\t10.00\t0.00\t0.00\t10.00\t\t\tk.csv:2\n'
		printf '2026-09-03T10:00:00Z\tkofi\tk2\t1\tVol. 2 (live) + 1\t\tsale\t\t1\tUSD\t5.00\t0.00\t0.00\t5.00\t\t\tk.csv:3\n'
		printf '2026-09-04T10:00:00Z\tkofi\tk3\t1\tmy_pack *gold* [x]\t\tsale\t\t1\tUSD\t1.00\t0.00\t0.00\t1.00\t\t\tk.csv:4\n'
	} >"$T/s.tsv"
	run --separate-stderr tally-report --summary -f md "$T/s.tsv"
	assert_success
	assert_line '| Ko-fi Support | 10.00 | 62.5% |'
	assert_line '| Vol. 2 (live) + 1 | 5.00 | 31.2% |'
	assert_line '| my_pack \*gold\* \[x] | 1.00 | 6.2% |'
	refute_output --partial 'Ko\-fi'
}

@test "bad input: exact messages and statuses" {
	run --separate-stderr tally-report nosuch.tsv
	assert_failure 2
	[ "$stderr" = "tally-report: nosuch.tsv: No such file or directory" ]
	printf 'date\tpayee\tcurrency\n2026-10-01\tAna\tUSD\n' >"$T/a.tsv"
	run --separate-stderr tally-report "$T/a.tsv"
	assert_failure 2
	[ "$stderr" = "tally-report: $T/a.tsv: missing column \"amount\" (header: date, payee, currency)" ]
	# the sales stream (tally-ingest's output) instead of tally-split's: a hint
	printf 'date\tsource\torder\tline\tproduct\tkind\tcurrency\tgross\tnet\n2026-10-01\tetsy\t1\t1\tX\tsale\tUSD\t1.00\t1.00\n' >"$T/s.tsv"
	run --separate-stderr tally-report "$T/s.tsv"
	assert_failure 2
	[ "$stderr" = "tally-report: $T/s.tsv: missing column \"payee\" (header: date, source, order, line, product, kind, currency, gross, net)
tally-report: hint: $T/s.tsv is a sales stream (tally-ingest's output): split it among the payees first (tally-split -a AGREEMENTS $T/s.tsv | tally-report)" ]
	# a raw export: said to be one, short, without its header
	run --separate-stderr tally-report "$TALLY_ROOT/scripts/demo/exports/gumroad.csv"
	assert_failure 2
	[ "$stderr" = "tally-report: $TALLY_ROOT/scripts/demo/exports/gumroad.csv: looks like a raw gumroad-sales export, not a stream of tally's
tally-report: hint: read it with tally-ingest first (tally-ingest $TALLY_ROOT/scripts/demo/exports/gumroad.csv > sales.tsv)" ]
	printf 'date\tpayee\tcurrency\tamount\n2026-10-01\tAna\tUSD\t12,3x\n' >"$T/a.tsv"
	run --separate-stderr tally-report "$T/a.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/a.tsv:2: column \"amount\": \"12,3x\" is not an amount" ]
	printf 'date\tpayee\tcurrency\tamount\n2026-10-01\tAna\tXYZ\t1\n' >"$T/a.tsv"
	run --separate-stderr tally-report "$T/a.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/a.tsv:2: column \"currency\": \"XYZ\" is not a currency code" ]
	run --separate-stderr tally-report --min-payout 5 "$TALLY_ROOT/$R/alloc-fx.tsv"
	assert_failure 2
	[ "$stderr" = "tally-report: --min-payout: an amount without a currency, and the input has EUR and USD: give one per currency (EUR=50,USD=40) or use --fx and --to" ]
	run --separate-stderr tally-report -f pdf "$TALLY_ROOT/$R/alloc.tsv"
	assert_failure 2
	[ "${stderr%%$'\n'*}" = 'tally-report: --format: "pdf" is not one of tsv, text, md, html' ]
	run --separate-stderr tally-report --fx "$TALLY_ROOT/$R/rates.tsv" "$TALLY_ROOT/$R/alloc.tsv"
	assert_failure 2
}

@test "write errors fail loudly; a closed pipe ends quietly" {
	run --separate-stderr bash -c "tally-report '$TALLY_ROOT/$R/alloc.tsv' >/dev/full"
	assert_failure 1
	[ "$stderr" = "tally-report: write error: No space left on device" ]
	run --separate-stderr bash -c "tally-report '$TALLY_ROOT/$R/alloc.tsv' | head -1"
	assert_success
	assert_output "statement	payee	period	currency	entry	source	product	amount"
	[ -z "$stderr" ]
}

@test "stdin, and - for stdin" {
	run tally-report --min-payout USD=20 - <"$TALLY_ROOT/$R/alloc.tsv"
	assert_output "$(cat "$TALLY_ROOT/$R/expected/three-months.tsv")"
}

@test "the man page's EXAMPLES run as written" {
	# the one-line examples, from the top of the source tree
	run --separate-stderr tally-report --min-payout USD=20 tests/fixtures/report/alloc.tsv
	assert_success
	[ "$(grep -c '^\.Dl tally-report --min-payout USD=20 tests/fixtures/report/alloc.tsv$' man/tally-report.1)" -eq 1 ]
	assert_output "$(cat "$R/expected/three-months.tsv")"
	[ "$(grep -c '^\.Dl tally-report --summary -f md sales.tsv$' man/tally-report.1)" -eq 1 ]
	run --separate-stderr bash -c "cd '$R' && tally-report --summary -f md sales.tsv"
	assert_success
	assert_line "# The business at a glance"
	# the cron job's tally-report lines, on an October of allocations
	mkdir "$T/cron"
	cp "$R/alloc-2026-09.tsv" "$T/cron/alloc-2026-09.tsv"
	cp "$R/alloc-2026-10.tsv" "$T/cron/alloc-2026-10.tsv"
	sed -n '/^The monthly cron job:/,/^\.Ed/p' man/tally-report.1 | grep '^tally-report' >"$T/cron.sh"
	[ "$(wc -l <"$T/cron.sh")" -eq 2 ]
	for m in 2026-09 2026-10; do
		run bash -c "cd '$T/cron' && m=$m && set -e && . '$T/cron.sh'"
		assert_success
	done
	[ -f "$T/cron/statements/Ana-2026-10.html" ]
	assert_line $'2026-10\tUSD\t35.005\t35.005\t0.00\t35.005\tok'
}

