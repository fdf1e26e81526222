#!/usr/bin/env bats
# readme.bats - the README's examples run as written, on the demo band's
# exports (scripts/demo/), and make demo's script prints a payout report.
#
# Plan: the one-screen pipeline (ingest -> split with state -> report with
# a ledger; forecast); the CI recipe's conservation check; the monthly cron
# recipe for one month; scripts/demo/run end to end.

load helpers

setup_file() {
	export DEMO=$TALLY_ROOT/scripts/demo
}

in_demo_copy() {
	cd "$T"
	cp "$DEMO"/exports/gumroad.csv "$DEMO"/exports/bandcamp.csv "$DEMO"/exports/etsy.csv .
	cp "$DEMO"/agreements.tsv splits.tsv
}

@test "README one-screen pipeline: ingest, split with state, report with a ledger" {
	in_demo_copy
	# the README's files are October's: take October from the demo's three months
	run -0 bash -c 'tally-ingest gumroad.csv bandcamp.csv etsy.csv | grep -v "^2026-09" > sales.tsv'
	run -0 bash -c 'tally-split --agreements splits.tsv --state split.state sales.tsv > allocations.tsv'
	run -0 tally-report --period 2026-10 --ledger payouts.ledger --format text allocations.tsv
	assert_line "Statement 2026-10/0001"
	assert_line --partial "All 5 statements for 2026-10 in USD"
	[ -s split.state ]
	[ -s payouts.ledger ]
	run -0 --separate-stderr tally-forecast --by product --horizon 12 sales.tsv
	assert_line --index 0 "$(printf 'product\tcurrency\tperiod\tforecast\tlo80\thi80\tlo95\thi95\tmethod')"
	assert_equal "${#lines[@]}" 49
}

@test "README CI recipe: split piped into report --check balances" {
	in_demo_copy
	tally-ingest gumroad.csv bandcamp.csv etsy.csv > sales.tsv
	run -0 bash -c 'tally-split -a splits.tsv sales.tsv | tally-report --check'
	assert_line --index 0 "$(printf 'period\tcurrency\tnet_sales\tallocated\tpaid\tcarried_change\tstatus')"
	refute_output --partial "differ"
	assert_equal "$(printf '%s\n' "${lines[@]:1}" | cut -f7 | sort -u)" ok
}

@test "README cron recipe, one month: statements written, ledger appended" {
	in_demo_copy
	mkdir -p exports/2026-11 && mv gumroad.csv bandcamp.csv etsy.csv exports/2026-11/
	m=2026-11 opening=2026-11
	script() {
		bash -ec "
		last=\$(date -d \"$m-01 +1 month -1 day\" +%Y-%m-%d)
		tally-ingest --sort --until \"\$last\" -o sales-$m.tsv exports/$m/*
		tally-split -a splits.tsv -s split.state -o alloc-$m.tsv sales-$m.tsv
		tally-report -l payouts.ledger --opening $opening -p $m --out-dir statements -f html -m USD=50,EUR=40 alloc-$m.tsv
		tally-report --summary -f md sales-$m.tsv > summary-$m.md"
	}
	run -0 script
	[ "$(ls statements | wc -l)" -eq 5 ]
	[ "$(grep -c "	$m	" payouts.ledger)" -eq 5 ]
	grep -q '^#' summary-$m.md
	# run again (a failed month re-run): the split state passes every row over and leaves
	# alloc byte for byte as it was; the ledger reproduces the month: nothing is paid twice
	cp alloc-$m.tsv before.tsv
	cp payouts.ledger ledger-before
	run -0 script
	cmp alloc-$m.tsv before.tsv
	cmp payouts.ledger ledger-before
}

@test "make demo's script prints statements, the check and the summary" {
	run -0 "$DEMO/run" "$TALLY_BIN"
	assert_line "==== 3. the statements of 2026-11 ===="
	assert_line --partial "Statement 2026-11/0001"
	assert_line "==== 5. conservation check ===="
	refute_line --partial "not there yet"
}

@test "README cron recipe, month after month on cumulative exports, a month re-run: nothing early, nothing twice" {
	in_demo_copy
	# each month's folder holds the whole download (all three months so far)
	for m in 2026-09 2026-10 2026-11; do
		mkdir -p exports/$m && cp gumroad.csv bandcamp.csv etsy.csv exports/$m/
	done
	month() {
		m=$1 bash -ec '
		last=$(date -d "$m-01 +1 month -1 day" +%Y-%m-%d)
		tally-ingest --sort --until "$last" -o sales-$m.tsv exports/$m/*
		tally-split -a splits.tsv -s split.state -o alloc-$m.tsv sales-$m.tsv
		tally-report -l payouts.ledger --opening 2026-09 -p $m --out-dir statements -f text alloc-$m.tsv >/dev/null'
	}
	for m in 2026-09 2026-10 2026-11; do run -0 month $m; done
	cp payouts.ledger ledger-before
	run -0 month 2026-10
	cmp payouts.ledger ledger-before
	run -0 tally-report --check -l payouts.ledger alloc-2026-09.tsv alloc-2026-10.tsv alloc-2026-11.tsv
	[ "$(grep -c '	ok$' <<<"$output")" -eq 3 ]
	# every row of the three months was split exactly once, each part as one run in date order
	keys() { awk -F'\t' 'NR==1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$1 != "date" { print $c["source"], $c["order"], $c["line"], $c["kind"], $c["payee"], $c["tier"], $c["amount"] }' "$@" | sort; }
	tally-ingest --sort gumroad.csv bandcamp.csv etsy.csv 2>/dev/null | tally-split -a splits.tsv >one.tsv
	[ "$(keys one.tsv)" = "$(for f in alloc-2026-*.tsv; do keys "$f"; done | sort)" ]
	[ "$(keys one.tsv | wc -l)" -eq 167 ]
}
