#!/usr/bin/env bats
# tests/year.bats - the README's monthly cron job, run month after month
# over a band's year of exports (issue 10, "Done when"), pays every payee
# what a computation by hand from the raw exports says.
#
# Plan: the hand computation (tests/fixtures/year/hand, an awk over the
# raw exports that runs no tally command) still prints the committed table;
# then the README's recipe, extracted as written, is run for each month of
# 2026-09 to 2027-08 on the band's Bandcamp, Gumroad and DistroKid
# downloads: DistroKid's rows arrive two and three months after their sale
# month (late rows), December's Gumroad re-download refunds October's
# course sale after it was paid out, Bandcamp's February refunds a January
# sale paid out in January, June's DistroKid file is the full download of
# every report so far, January's job fails at its report step (the
# statements folder is a file: the split state is left as it was) and is
# run again, splitting the month again whole, and June's is run a second
# time and changes nothing; the label's 300.00 advance is recouped over the
# year.  Every month's earned, paid and carried forward, the year's totals
# and closing balances are the table's; the payout batches pay what the
# ledger says; tally-report --check says ok for every month.

load helpers

setup_file() {
	export Y=$TALLY_ROOT/tests/fixtures/year
}

# the table by hand, without its comments
hand_table() {
	grep -v '^#' "$Y/expected.tsv"
}

# The job's folder: the README's recipe as written, agreements, payees, a salt.
job_folder() {
	cd "$T"
	awk '/^#### The monthly cron job/ { f = 1 } f && p && /^```$/ { exit } f && p { print } f && /^```sh$/ { p = 1 }' \
		"$TALLY_ROOT/README.md" >monthly
	grep -q '^tally-report -l payouts.ledger' monthly
	cp "$Y/agreements.tsv" "$Y/payees.tsv" .
	(umask 077 && echo the-night-orchard >salt)
	unset TALLY_SALT
	export TALLY_SALT_FILE=$T/salt
}

# month M: the month's downloads arrive and the job runs
month() {
	mkdir -p exports
	cp -r "$Y/exports/$1" exports/
	run --separate-stderr sh monthly "$1"
}

# everything the job keeps or sends, to compare runs byte for byte (bytes, not
# modification times: a re-run may write a file anew with the same bytes)
snapshot() {
	tar --mtime=@0 --sort=name -cf "$1" split.state payouts.ledger payouts.ledger.seal payouts.ledger.keys payouts.ledger.issued \
		alloc-*.tsv sales-*.tsv statements
}

# the ledger's statements as the table has them: month, payee, earned, paid, carried
ledger_table() {
	echo $'month\tpayee\tearned\tpaid\tcarried'
	awk -F'\t' 'NR > 1 && $1 !~ /\/end/ { printf "%s\t%s\t%.6f\t%.6f\t%.6f\n", $3, $2, $6, $7, $8 }' payouts.ledger
}

@test "year: the table by hand is what the hand computation over the raw exports prints" {
	run -0 "$Y/hand"
	[ "$output" = "$(hand_table)" ]
	# it knows the rows by their platforms' ids: 12 months of 4 payees, then the year
	[ "$(grep -c '^20' <<<"$output")" -eq 48 ]
	assert_line $'recouped\tOrchard Records\t300.000000'
}

@test "year: the README's cron job, month after month, pays every payee what the hand computation says" {
	job_folder
	for m in $(ls "$Y/exports"); do
		if [ "$m" = 2027-01 ]; then
			# the report step fails: the statements folder is not a folder
			mv statements statements.ok && touch statements
			snapshot before.tar
			cp split.state state-before
			month "$m"
			[ "$status" -eq 2 ]
			[[ $stderr == *"tally-report: "*statements* ]]
			# the split ran into the state's copy, the ledger took nothing: no statement of
			# January, and the state is as it was (the month's rows are not split yet)
			[ -s "alloc-$m.tsv" ]
			cp "alloc-$m.tsv" failed-run-alloc.tsv
			! grep -q "	$m	" payouts.ledger
			cmp split.state state-before
			rm statements && mv statements.ok statements
			# run again: the month split again, whole, from the same state: the same allocations
			month "$m"
			[ "$status" -eq 0 ]
			[[ $stderr != *"passed over 9 rows split already"* ]]
			cmp "alloc-$m.tsv" failed-run-alloc.tsv
		else
			month "$m"
			[ "$status" -eq 0 ]
		fi
		[ "$(grep -c "	$m	" payouts.ledger)" -eq 4 ]
		if [ "$m" = 2027-06 ]; then
			# June's DistroKid file is the full download: the 20 rows of earlier reports passed over
			[[ $stderr == *"passed over 20 rows split already"* ]]
			# and the month run again changes nothing, byte for byte
			snapshot before.tar
			month "$m"
			[ "$status" -eq 0 ]
			snapshot after.tar
			cmp before.tar after.tar
		fi
	done
	# every month's statement, paid and carried forward, as computed by hand
	diff <(hand_table | grep -E '^(month|20)') <(ledger_table)
	# the year: paid in total and the closing balance of each payee
	paid=$(awk -F'\t' 'NR > 1 && $1 !~ /\/end/ { p[$2] += $7 } END { for (k in p) printf "%s\t%.6f\n", k, p[k] }' payouts.ledger | sort)
	[ "$paid" = "$(awk -F'\t' '$1 == "year" { print $2 "\t" $4 }' <(hand_table) | sort)" ]
	closing=$(awk -F'\t' '$3 == "2027-08" && $1 !~ /\/end/ { printf "%s\t%.6f\n", $2, $8 }' payouts.ledger | sort)
	[ "$closing" = "$(awk -F'\t' '$1 == "year" { print $2 "\t" $5 }' <(hand_table) | sort)" ]
	[ "$(grep -c '^year	' <(hand_table))" -eq 4 ]
	# the label recouped its 300.00 advance exactly, over the year
	[ "$(awk -F'\t' '$2 == "Orchard Records" { s += $6 } END { printf "%.6f", s }' payouts.ledger)" = 300.000000 ]
	grep -q $'^cap\tLanterns\\*\t\t\t2\tUSD\t300.00$' <(tally-split --state-dump split.state)
	# late rows: DistroKid's, every month from November; the Gumroad refund of October's
	# course sale in December (0.85 x 49.00 clawed back from Ana, 0.15 x 49.00 from Mara)
	[ "$(grep -c '/end+late' payouts.ledger)" -eq 10 ]
	[ "$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["source"] == "gumroad" && $c["kind"] == "refund" { print substr($c["date"], 1, 7), $c["payee"], $c["amount"] }' alloc-2026-12.tsv)" = \
		"$(printf '%s\n' "2026-10 Mara (manager) -7.35" "2026-10 Ana -41.65")" ]
	# Bandcamp's February refund of January's EP (paid out in January): by the sale's agreement
	[ "$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["source"] == "bandcamp" && $c["kind"] == "refund" { print $c["order"], $c["payee"], $c["amount"] }' alloc-2027-02.tsv)" = \
		"$(printf '%s\n' "2985043 Mara (manager) -0.57" "2985043 Ana -1.615" "2985043 Ben -1.615")" ]
	# the batches pay what the ledger says was paid, payment by payment, month by month
	for m in $(ls "$Y/exports"); do
		paid=$(awk -F'\t' -v m="$m" '$3 == m && $7 > 0 { printf "%.2f\n", $7 }' payouts.ledger | sort)
		batch=$({ [ ! -e "statements/payouts-$m-USD.paypal.csv" ] || tr -d '\r' <"statements/payouts-$m-USD.paypal.csv" | cut -d, -f2
			[ ! -e "statements/payouts-$m.wise.csv" ] || tr -d '\r' <"statements/payouts-$m.wise.csv" | tail -n +2 |
				awk -F, '{ print $(NF - 2) }'; } | sort)
		[ "$paid" = "$batch" ]
	done
	# conservation, month by month and over the whole year at once
	for m in $(ls "$Y/exports"); do
		run -0 tally-report --check -l payouts.ledger -p "$m" "alloc-$m.tsv"
		[ "$(grep -c "^$m	USD	.*	ok$" <<<"$output")" -eq 1 ]
	done
	run -0 tally-report --check -l payouts.ledger alloc-*.tsv
	[ "$(grep -c '	ok$' <<<"$output")" -eq 12 ]
	refute_output --partial differ
}
