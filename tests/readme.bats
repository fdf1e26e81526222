#!/usr/bin/env bats
# readme.bats - the README's examples run as written, on the demo band's
# exports (scripts/demo/), and make demo's script prints a payout report.
#
# Plan: the one-screen pipeline (ingest -> split with state -> report with
# a ledger; forecast); the CI recipe's conservation check; the monthly cron
# recipe for one month; scripts/demo/run end to end (month after month,
# late DistroKid rows, a re-run, statements and payout batches); the
# README's cron recipe, which is scripts/demo/monthly, run month after
# month with TALLY_SALT_FILE: only counts on stderr, the batches paying
# what the ledger says.

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
		tally-report -l payouts.ledger --opening $opening -p $m --out-dir statements -f html --min-payout USD=50,EUR=40 alloc-$m.tsv
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

@test "make demo's script runs the job month after month: late rows, a re-run that changes nothing, statements, batches" {
	run -0 --separate-stderr "$DEMO/run" "$TALLY_BIN"
	[ -z "$stderr" ]
	assert_line "2026-09: bandcamp.csv etsy.csv gumroad.csv -> 50 new allocation rows (0 of them late, for closed months); 3 payees paid 380.36 USD"
	assert_line "2026-10: bandcamp.csv distrokid.tsv etsy.csv gumroad.csv -> 62 new allocation rows (8 of them late, for closed months); 3 payees paid 381.09 USD"
	assert_line "2026-10: the split state, the ledger, the allocations, the statements and the payout batches are byte for byte as they were"
	assert_line "2026-11: bandcamp.csv distrokid.tsv etsy.csv gumroad.csv -> 77 new allocation rows (8 of them late, for closed months); 5 payees paid 450.07 USD"
	assert_line "==== 2. the statements of 2026-11, one file per payee, as a collaborator is sent it ===="
	assert_line --partial "Statement 2026-11/0005"
	assert_line '  Late income for sales in 2026-09 (reported 2026-11):'
	# the label's late 0.796875 shows 0.80: what it adds to the rounded running total (figures that add up)
	assert_line --regexp '^    distrokid: Lanterns +0\.80$'
	assert_line 'ana@nightorchard.example,144.62,USD,202611-fb4b52efc7,Payout for 2026-11 (statement 2026-11/0001),PAYPAL'
	assert_line '"Orchard Records ""Label"" Ltd",royalties@orchard.example,202611-dee7c2d77f,BUSINESS,target,96.71,USD,USD'
	[ "$(grep -cE '^2026-1[01]  +USD .* ok$' <<<"$output")" -eq 2 ]
	assert_line --regexp '^2026-09 +USD +431\.37 +431\.37 +380\.36 +51\.01 +ok$'
	assert_line "==== 6. the business at a glance ===="
}

@test "README cron recipe is scripts/demo/monthly; month after month with late DistroKid rows and a re-run it prints only counts and pays what the statements say" {
	cd "$T"
	awk '/^#### The monthly cron job/ { f = 1 } f && p && /^```$/ { exit } f && p { print } f && /^```sh$/ { p = 1 }' \
		"$TALLY_ROOT/README.md" >monthly
	cmp monthly "$DEMO/monthly"
	cp "$DEMO"/agreements.tsv "$DEMO"/payees.tsv .
	(umask 077 && echo a-key-of-our-own >salt)
	unset TALLY_SALT
	export TALLY_SALT_FILE=$T/salt
	normal() { # only the counts a normal month prints: nothing about the salt, nothing else
		local l
		for l in "${stderr_lines[@]}"; do
			[[ $l =~ ^tally-ingest:\ exports/$1/[a-z]+\.csv:\ left\ out\ [0-9]+\ [a-z]+\ rows\ dated\  ]] ||
				[[ $l =~ ^tally-split:\ passed\ over\ [0-9]+\ rows\ split\ already ]] ||
				[[ $l =~ ^tally-split:\ alloc-$1\.tsv\ is\ left\ as\ it\ was ]] ||
				[[ $l =~ ^tally-report:\ [0-9]+\ statements?\ pays?\ nothing\ \(a\ balance\ under\ the\ minimum ]] ||
				{ echo "unexpected on stderr: $l"; return 1; }
		done
	}
	for m in 2026-09 2026-10 2026-11; do
		mkdir -p exports/$m
		cp "$DEMO"/exports/*.csv exports/$m/
		[ ! -e "$DEMO/exports/distrokid/$m.tsv" ] || cp "$DEMO/exports/distrokid/$m.tsv" exports/$m/distrokid.tsv
		run -0 --separate-stderr sh monthly $m
		normal $m
		if [ $m = 2026-10 ]; then # the month again, as after a failed upload: nothing changes
			tar --mtime=@0 --sort=name -cf before.tar split.state payouts.ledger payouts.ledger.seal alloc-$m.tsv statements
			run -0 --separate-stderr sh monthly $m
			normal $m
			tar --mtime=@0 --sort=name -cf after.tar split.state payouts.ledger payouts.ledger.seal alloc-$m.tsv statements
			cmp before.tar after.tar
		fi
	done
	# DistroKid's Tidal row for September, reported in November: a late row, split by its agreement
	# (Lanterns: the manager's 15% of 0.9375 = 0.140625, the label recouping the rest, 0.796875)
	[ "$(awk -F'\t' '$1 ~ /^2026-09/ && $9 == 75 { print $18 "=" $(NF - 4) }' alloc-2026-11.tsv)" = \
		"$(printf '%s\n' "Mara (manager)=0.140625" "Orchard Records=0.796875")" ]
	# the label has recouped exactly its 500.00 advance over the three months
	[ "$(awk -F'\t' '$2 == "Orchard Records" { s += $6 } END { printf "%.6f", s }' payouts.ledger)" = 500.000000 ]
	[ "$(grep -c '/end+late' payouts.ledger)" -eq 2 ]
	for m in 2026-09 2026-10 2026-11; do
		run -0 tally-report --check -l payouts.ledger -p $m alloc-$m.tsv
		[ "$(grep -c '	ok$' <<<"$output")" -eq 1 ]
		# the batches pay what the ledger says was paid, payment by payment
		paid=$(awk -F'\t' -v m=$m '$3 == m && $7 > 0 { print $7 }' payouts.ledger | sort)
		batch=$(tr -d '\r' <statements/payouts-$m-USD.paypal.csv | cut -d, -f2
			tr -d '\r' <statements/payouts-$m.wise.csv | tail -n +2 | awk -F, '{ print $(NF - 2) }')
		[ "$paid" = "$(sort <<<"$batch")" ]
	done
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
