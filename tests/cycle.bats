#!/usr/bin/env bats
# tests/cycle.bats - the monthly cycle as a new user ran it, month after
# month, with the README's cron recipe (ingest | split | report).
#
# Plan: (1) a ledger's first run for a month after --opening: the rows of
# the month never issued are paid in the run's month as late income,
# recorded there, and a later refund of one nets against what was paid;
# --check agrees, the month never issued cannot be run after; (2) the
# recipe itself, the months out of order, a month run twice, a month whose
# report failed run again after fixing the cause: every row paid once;
# (3) smaller report defects: --check without a ledger and --min-payout,
# EUR statements, a negative statement line's sign and rounding.
load helpers

setup_file() {
	cd "$TALLY_ROOT"
}

HDR=$'date\tsource\torder\tline\tproduct\tsku\tkind\tsale_date\tquantity\tcurrency\tgross\ttax\tfee\tnet\tcountry\tcustomer\torigin\tpayee\ttier\tagreement\tshare\tamount'

# row DATE ORDER KIND NET PAYEE AMOUNT: one allocation row as tally-split
# writes it (its origin, a line number, is not part of its identity)
row() {
	printf '%sT10:00:00Z\tgumroad\t%s\t1\tLanterns\tlnt\t%s\t\t1\tUSD\t%s\t0.00\t0.00\t%s\tUS\tc1\tg.csv:%s\t%s\t1\t1\t1\t%s\n' \
		"$1" "$2" "$3" "$4" "$4" "$((++ORIGIN))" "$5" "$6"
}

ledger_rows() {
	tail -n +2 "$T/l.tsv" | cut -f1-8
}

@test "the first run after --opening pays the rows of the month never issued, as late income of the run's month" {
	# --opening 2026-07, first run -p 2026-08: July's 8.50 is tally's to
	# pay, so August pays 8.50 (late, for July) + 10.00 = 18.50
	{ echo "$HDR"; row 2026-07-22 j1 sale 8.50 Ana 8.50; row 2026-08-05 a1 sale 10.00 Ana 10.00; } >"$T/aug.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" --opening 2026-07 -p 2026-08 "$T/aug.tsv"
	assert_success
	assert_line $'2026-08/0001\tAna\t2026-08\tUSD\tlate:2026-07\tgumroad\tLanterns\t8.50'
	assert_line $'2026-08/0001\tAna\t2026-08\tUSD\tearned_total\t\t\t18.50'
	[ "$(ledger_rows)" = "$(printf '%s\n' $'2026-08/0001\tAna\t2026-08\tUSD\t0.00\t18.50\t18.50\t0.00' \
		$'2026-08/end+late\t\t\t\t0\t0\t0\t0')" ]
	# the key record says both rows were posted into August, none into July
	! grep -q $'\t2026-07\t' "$T/l.tsv.keys"
	[ "$(grep -c $'\t2026-08\t' "$T/l.tsv.keys")" = 2 ]
	# the text statement names the month of the sales
	run --separate-stderr tally-report -l "$T/l.tsv" --opening 2026-07 -p 2026-08 -f text "$T/aug.tsv"
	assert_success
	assert_line --partial 'Late income for sales in 2026-07 (reported 2026-08):'
	# the month never issued cannot be run after: it was paid in August
	{ echo "$HDR"; row 2026-07-22 j1 sale 8.50 Ana 8.50; } >"$T/jul.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" --opening 2026-07 -p 2026-07 "$T/jul.tsv"
	assert_failure 1
	[ "${stderr##*$'\n'}" = "tally-report: $T/l.tsv: period 2026-07 is out of order: the ledger starts at 2026-08, which paid the rows before it from --opening on as late rows; rows of 2026-07 not paid yet are late rows of the next period run: put its exports with that period's" ]
}

@test "a refund of a sale of the month never issued nets against the payment made for it" {
	# August paid July's 8.50 and August's 10.00; September's cumulative
	# file refunds July's sale (Gumroad dates it with the sale): -8.50 is
	# late in September, with a 4.00 sale: Ana gets 4.00 - 8.50 = -4.50
	{ echo "$HDR"; row 2026-07-22 j1 sale 8.50 Ana 8.50; row 2026-08-05 a1 sale 10.00 Ana 10.00; } >"$T/aug.tsv"
	{ echo "$HDR"; row 2026-07-22 j1 sale 8.50 Ana 8.50; row 2026-07-22 j1 refund -8.50 Ana -8.50
	  row 2026-08-05 a1 sale 10.00 Ana 10.00; row 2026-09-02 s1 sale 4.00 Ana 4.00; } >"$T/sep.tsv"
	tally-report -l "$T/l.tsv" --opening 2026-07 -p 2026-08 "$T/aug.tsv" >/dev/null
	run --separate-stderr tally-report -l "$T/l.tsv" --opening 2026-07 -p 2026-09 "$T/sep.tsv"
	assert_success
	assert_line $'2026-09/0001\tAna\t2026-09\tUSD\tlate:2026-07\tgumroad\tLanterns\t-8.50'
	[ "$(ledger_rows)" = "$(printf '%s\n' $'2026-08/0001\tAna\t2026-08\tUSD\t0.00\t18.50\t18.50\t0.00' \
		$'2026-08/end+late\t\t\t\t0\t0\t0\t0' \
		$'2026-09/0001\tAna\t2026-09\tUSD\t0.00\t-4.50\t0.00\t-4.50' \
		$'2026-09/end+late\t\t\t\t0\t0\t0\t0')" ]
	# --check: net sales = allocated = paid + change in balances, by the
	# month each row was posted into
	run --separate-stderr tally-report -l "$T/l.tsv" --opening 2026-07 --check "$T/sep.tsv"
	assert_success
	assert_output "$(printf '%s\n' $'period\tcurrency\tnet_sales\tallocated\tpaid\tcarried_change\tstatus' \
		$'2026-08\tUSD\t18.50\t18.50\t18.50\t0.00\tok' $'2026-09\tUSD\t-4.50\t-4.50\t0.00\t-4.50\tok')"
	# August again: reproduced, nothing paid twice
	run --separate-stderr tally-report -l "$T/l.tsv" --opening 2026-07 -p 2026-08 "$T/aug.tsv"
	assert_success
	assert_line $'2026-08/0001\tAna\t2026-08\tUSD\tpaid\t\t\t18.50'
	[ "$(ledger_rows | wc -l)" = 4 ]
}

# The README's cron recipe, as written, in a folder of the trial's exports
# (tests/fixtures/cycle: Gumroad, Bandcamp, Ko-fi, PayPal, DistroKid, July
# to October 2026, each month's folder what was downloaded that month),
# with the trial's --opening.
recipe_folder() {
	C=$TALLY_ROOT/tests/fixtures/cycle
	cd "$T"
	awk '/^#### The monthly cron job/ { f = 1 } f && p && /^```$/ { exit } f && p { print } f && /^```sh$/ { p = 1 }' \
		"$TALLY_ROOT/README.md" | sed 's/^opening=[0-9-]*/opening=2026-07/' >monthly
	grep -q '^opening=2026-07' monthly
	cp -r "$C/exports" "$C/agreements.tsv" "$C/payees.tsv" .
	(umask 077 && echo a-key-of-our-own >salt)
	unset TALLY_SALT
	export TALLY_SALT_FILE=$T/salt
}

# job MONTH STATUS: the recipe for MONTH, which must exit STATUS
job() {
	run --separate-stderr sh monthly "$1"
	[ "$status" -eq "$2" ] || { echo "monthly $1: exit $status, not $2: $stderr"; return 1; }
}

# What the ledger's statements earned, in all, per currency: every row of
# July to October paid once is the exports' net, 143.884 USD and
# 1288.12 EUR (tally-ingest of every file at once, deduplicated, says so).
earned_in_all() {
	awk -F'\t' 'NR > 1 && $2 != "" { e[$4] += $6 } END { printf "EUR %.6f USD %.6f\n", e["EUR"], e["USD"] }' payouts.ledger
}
EXPECTED='EUR 1288.120000 USD 143.884000'

@test "the hand total: every export at once, deduplicated, nets 143.884 USD and 1288.12 EUR" {
	recipe_folder
	tally-ingest --sort --since 2026-07-01 --until 2026-10-31 exports/*/* 2>/dev/null >all.tsv
	[ "$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { s[$c["currency"]] += $c["net"] }
		END { printf "EUR %.6f USD %.6f\n", s["EUR"], s["USD"] }' all.tsv)" = "$EXPECTED" ]
	for m in 2026-07 2026-08 2026-09 2026-10; do job $m 0; done
	[ "$(earned_in_all)" = "$EXPECTED" ]
}

@test "the recipe run out of order: September before August is refused, commits nothing, and every row is paid once in order" {
	recipe_folder
	job 2026-07 0
	# September's DistroKid report has not come yet when September is run too early
	mv exports/2026-09/distrokid.tsv .
	cp split.state state-before
	job 2026-09 1
	[ "${stderr##*$'\n'}" = "tally-report: payouts.ledger: period 2026-09 is out of order: the ledger's last period is 2026-07; run 2026-08 first" ]
	cmp split.state state-before
	mv distrokid.tsv exports/2026-09/
	job 2026-08 0
	job 2026-09 0
	job 2026-10 0
	[ "$(earned_in_all)" = "$EXPECTED" ]
	for m in 2026-07 2026-08 2026-09 2026-10; do
		run -0 tally-report --check -l payouts.ledger --opening 2026-07 -p $m alloc-$m.tsv
		[ "$(grep -c $'\tok$' <<<"$output")" -eq 2 ]
	done
}

@test "the recipe's first month after --opening, then the month never issued: refused, and its exports paid with the next month" {
	recipe_folder
	job 2026-08 0
	job 2026-07 1
	[[ ${stderr##*$'\n'} = "tally-report: payouts.ledger: period 2026-07 is out of order: the ledger starts at 2026-08, which paid the rows before it from --opening on as late rows; "* ]]
	# as the message says: July's exports go with September's
	for f in exports/2026-07/*; do cp "$f" exports/2026-09/july-"${f##*/}"; done
	job 2026-09 0
	job 2026-10 0
	[ "$(earned_in_all)" = "$EXPECTED" ]
}

@test "the recipe's month run twice changes nothing" {
	recipe_folder
	job 2026-07 0
	job 2026-08 0
	tar --mtime=@0 --sort=name -cf before.tar split.state payouts.ledger payouts.ledger.seal payouts.ledger.keys alloc-2026-08.tsv statements
	job 2026-08 0
	tar --mtime=@0 --sort=name -cf after.tar split.state payouts.ledger payouts.ledger.seal payouts.ledger.keys alloc-2026-08.tsv statements
	cmp before.tar after.tar
	job 2026-09 0
	job 2026-10 0
	[ "$(earned_in_all)" = "$EXPECTED" ]
}

@test "the recipe's month whose report failed, run again after fixing the cause with an export that came meanwhile, pays every row" {
	recipe_folder
	job 2026-07 0
	# August's report fails (statements is a file); its PayPal export comes after
	mv exports/2026-08/paypal.csv . && mv statements statements.d && touch statements
	cp split.state state-before
	job 2026-08 2
	[ "${stderr##*$'\n'}" = "tally-report: statements: Not a directory" ]
	cmp split.state state-before
	rm statements && mv statements.d statements && mv paypal.csv exports/2026-08/
	job 2026-08 0
	job 2026-09 0
	job 2026-10 0
	[ "$(earned_in_all)" = "$EXPECTED" ]
}

# The statements of September, by the recipe, July to September, then the
# month reproduced as text (the ledger's figures: Ana's EUR 0.00 + 6.4305,
# her USD 29.6145 + 7.9083 = 37.5228, nothing paid under the minimums).
september_text() {
	recipe_folder
	for m in 2026-07 2026-08 2026-09; do job $m 0; done
	run --separate-stderr tally-report -l payouts.ledger --opening 2026-07 -p 2026-09 --min-payout USD=50,EUR=40 \
		--agreements agreements.tsv --out-dir txt -f text alloc-2026-09.tsv
	assert_success
}

@test "a EUR statement names its residue in EUR, not in ¢; a USD one in ¢" {
	september_text
	awk '/Currency: EUR/ { e = 1 } /^-----/ { e = 0 } e' txt/Ana-2026-09.txt >eur.txt
	grep -qx '0.0005 EUR carried to next month (under one cent).' eur.txt
	! grep -q '¢' eur.txt
	# USD: 37.5228 - 37.52
	grep -qx '0.28 ¢ carried to next month (under one cent).' txt/Ana-2026-09.txt
}

@test "a refund's steps add what it gives back: never a minus sign twice" {
	september_text
	# July's 10.00 sale refunded: gross -10.00, the manager's 10% (1.00) given back, -9.00 reached
	grep -qx '        gross -10.00 + commission 1.00 = -9.00 × 50%' txt/Ana-2026-09.txt
	! grep -q -- '− [a-z]* -' txt/*.txt
}

@test "a statement's chart says what the statement earned: R(bf + earned) - R(bf)" {
	september_text
	# 37.52 - 29.61 = 7.91 (7.9083 alone would show 7.90)
	grep -q '^Earned  *7\.91$' txt/Ana-2026-09.txt
	grep -q '<title>2026-09 earned: 7.91</title>' statements/Ana-2026-09.html
	! grep -q '<title>2026-09 earned: 7.90</title>' statements/Ana-2026-09.html
}

@test "a statement reproduced under another --min-payout says it was held under the minimum of its day" {
	september_text
	run --separate-stderr tally-report -l payouts.ledger --opening 2026-07 -p 2026-09 -f text alloc-2026-09.tsv
	assert_success
	assert_line 'Not paid this period: the balance of 37.52 USD was under the minimum payout when this statement was issued; it is carried forward.'
	refute_output --partial 'minimum payout of 0.00'
}

@test "--check without a ledger pays only what --min-payout lets be paid" {
	{ echo "$HDR"; row 2026-09-03 s1 sale 30.00 Ana 30.00; row 2026-09-04 s2 sale 70.00 Ben 70.00; } >"$T/a.tsv"
	run --separate-stderr tally-report --check --min-payout USD=50 "$T/a.tsv"
	assert_success
	assert_output "$(printf '%s\n' $'period\tcurrency\tnet_sales\tallocated\tpaid\tcarried_change\tstatus' \
		$'2026-09\tUSD\t100.00\t100.00\t70.00\t30.00\tok')"
	run --separate-stderr tally-report --check "$T/a.tsv"
	assert_output --partial $'2026-09\tUSD\t100.00\t100.00\t100.00\t0.00\tok'
}

# The community pool of the monthly recipe, filled each month by
# tally-attribute from the helpers' answers, beside a split state: sales
# rows (date order product net) and the agreements with a pool.
pool_folder() {
	cd "$T"
	printf 'match\tfrom\tto\ttier\tpayee\tshare\n*\t\t\t1\tAna\t90%%\n*\t\t\t1\tcommunity\t10%%\n' >agreements.tsv
	# September: dot 2 answers, fen 1; October: fen 2 more (dot 2/5, fen 3/5 by then)
	printf 'date\tcontributor\tkind\tproject\n2026-09-02\tdot\tanswer\t*\n2026-09-09\tdot\tanswer\t*\n' >contributions.tsv
	printf '2026-09-12\tfen\tanswer\t*\n2026-10-03\tfen\tanswer\t*\n2026-10-04\tfen\tanswer\t*\n' >>contributions.tsv
	printf '2026-11-05\tdot\tanswer\t*\n' >>contributions.tsv
}

# sales FILE ROW...: a sales stream of rows "DATE ORDER KIND NET"
sales() {
	local f=$1 r
	shift
	printf 'date\tsource\torder\tline\tproduct\tsku\tkind\tsale_date\tquantity\tcurrency\tgross\ttax\tfee\tnet\tcountry\tcustomer\torigin\n' >"$f"
	for r in "$@"; do
		set -- $r
		printf '%sT10:00:00Z\tpatreon\t%s\t1\tMemberships\t\t%s\t\t1\tUSD\t%s\t0.00\t0.00\t%s\t\t\tp.csv:1\n' "$1" "$2" "$3" "$4" "$4" >>"$f"
	done
}

# payee's amounts in allocations FILE, "payee amount" a line
amounts() {
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { print $c["payee"], $c["amount"] }' "$1"
}

@test "the community pool refilled each month with --pool-since: a cumulative export and a refund keep their month's terms" {
	pool_folder
	sales sep.tsv '2026-09-20 s1 sale 30.00'
	sales oct.tsv '2026-09-20 s1 sale 30.00' '2026-10-20 s2 sale 50.00'
	sales nov.tsv '2026-09-20 s1 sale 30.00' '2026-10-20 s2 sale 50.00' '2026-11-03 s1 refund -30.00'
	for m in 2026-09 2026-10 2026-11; do
		last=$(date -d "$m-01 +1 month -1 day" +%Y-%m-%d)
		run --separate-stderr tally-attribute --as-of "$last" --pool community --pool-since 2026-09 \
			-a agreements.tsv -o "agreements-$m.tsv" contributions.tsv
		assert_success
		# the month's own terms: tally-split passes over what an earlier month split
		run --separate-stderr tally-split -a "agreements-$m.tsv" -s split.state -o "alloc-$m.tsv" \
			"$(date -d "$m-01" +%b | tr A-Z a-z).tsv"
		assert_success
	done
	# September's terms, dated to its end; October's from its start
	grep -qx $'\\*\t\t2026-09-30\t1\tdot\t1/15' agreements-2026-11.tsv
	grep -qx $'\\*\t2026-10-01\t2026-10-31\t1\tfen\t3/50' agreements-2026-11.tsv
	grep -qx $'\\*\t2026-11-01\t\t1\tdot\t1/20' agreements-2026-11.tsv
	# September: 30.00, 10% to the pool, dot 2/3 and fen 1/3 of it
	[ "$(amounts alloc-2026-09.tsv)" = "$(printf '%s\n' 'Ana 27.00' 'dot 2.00' 'fen 1.00')" ]
	# October's sale by October's shares; September's row passed over
	[ "$(amounts alloc-2026-10.tsv)" = "$(printf '%s\n' 'Ana 45.00' 'fen 3.00' 'dot 2.00')" ]
	# November's refund of September's sale gives back what September paid
	[ "$(amounts alloc-2026-11.tsv)" = "$(printf '%s\n' 'Ana -27.00' 'dot -2.00' 'fen -1.00')" ]
}

@test "the pool refilled in place, without --pool-since, is refused by the state: why --pool-since exists" {
	pool_folder
	sales sep.tsv '2026-09-20 s1 sale 30.00'
	sales oct.tsv '2026-09-20 s1 sale 30.00' '2026-10-20 s2 sale 50.00'
	tally-attribute --as-of 2026-09-30 --pool community -a agreements.tsv -o a-sep.tsv contributions.tsv 2>/dev/null
	tally-split -a a-sep.tsv -s split.state -o alloc-sep.tsv sep.tsv
	tally-attribute --as-of 2026-10-31 --pool community -a agreements.tsv -o a-oct.tsv contributions.tsv 2>/dev/null
	run --separate-stderr tally-split -a a-oct.tsv -s split.state -o alloc-oct.tsv oct.tsv
	assert_failure 1
	[[ $stderr = *'as it was before an edit in place'* ]]
}

@test "--pool-since: its mistakes" {
	pool_folder
	run --separate-stderr tally-attribute --pool-since 2026-09 --as-of 2026-10-31 contributions.tsv
	assert_failure 2
	[ "${stderr_lines[0]}" = 'tally-attribute: --pool-since MONTH needs --pool PAYEE and --as-of DATE' ]
	run --separate-stderr tally-attribute --pool-since 2026-11 --as-of 2026-10-31 --pool community -a agreements.tsv contributions.tsv
	assert_failure 2
	[ "${stderr_lines[0]}" = 'tally-attribute: --pool-since: the month is after the month of --as-of' ]
	run --separate-stderr tally-attribute --pool-since 2026-9-1 --as-of 2026-10-31 --pool community -a agreements.tsv contributions.tsv
	assert_failure 2
	[ "${stderr_lines[0]}" = 'tally-attribute: --pool-since: "2026-9-1" is not a month (YYYY-MM)' ]
	run --separate-stderr tally-attribute --pool-since 2026-09 --as-of 2026-10-31 --pool community -a agreements.tsv - <contributions.tsv
	assert_failure 2
	[ "${stderr_lines[0]}" = 'tally-attribute: --pool-since reads the contributions once a month: name their files, not -' ]
	cut -f1,4- agreements.tsv >undated.tsv
	run --separate-stderr tally-attribute --pool-since 2026-09 --as-of 2026-10-31 --pool community -a undated.tsv contributions.tsv
	assert_failure 1
	[ "$stderr" = 'tally-attribute: undated.tsv:1: --pool-since dates the pool'"'"'s agreements month by month: the file needs the columns "from" and "to" (empty on the pool'"'"'s agreements)' ]
	# a month before any contribution to the pool's project
	run --separate-stderr tally-attribute --pool-since 2026-08 --as-of 2026-10-31 --pool community -a agreements.tsv contributions.tsv
	assert_failure 1
	[ "$stderr" = 'tally-attribute: --pool-since: the pool of 2026-08: no contributions to share: 6 rows read, all left out: 6 dated after --as-of 2026-08-31' ]
	printf '*\t2026-01-01\t\t1\tcommunity\t10%%\n' >>agreements.tsv
	run --separate-stderr tally-attribute --pool-since 2026-09 --as-of 2026-10-31 --pool community -a agreements.tsv contributions.tsv
	assert_failure 1
	[ "$stderr" = 'tally-attribute: agreements.tsv:4: column "from": --pool-since dates the pool'"'"'s agreements itself: leave their "from" and "to" empty' ]
}

@test "a closed month run again with an export that came late: refused, and its allocations are put back, so it re-runs byte for byte" {
	recipe_folder
	job 2026-07 0
	job 2026-08 0
	tar --mtime=@0 --sort=name -cf before.tar split.state payouts.ledger payouts.ledger.seal payouts.ledger.keys alloc-2026-08.tsv statements
	cp alloc-2026-08.tsv alloc-before.tsv
	# September's DistroKid report, with rows of August, dropped into August's folder
	cp exports/2026-09/distrokid.tsv exports/2026-08/late.tsv
	job 2026-08 1
	[[ ${stderr##*$'\n'} = *": a period in the ledger cannot change: run it again with the rows it was run with; its rows that came since are late rows: put their exports with 2026-09's" ]]
	# the held run's allocations replaced August's; the next run puts them back
	! cmp -s alloc-2026-08.tsv alloc-before.tsv
	rm exports/2026-08/late.tsv
	job 2026-08 0
	cmp alloc-2026-08.tsv alloc-before.tsv
	tar --mtime=@0 --sort=name -cf after.tar split.state payouts.ledger payouts.ledger.seal payouts.ledger.keys alloc-2026-08.tsv statements
	cmp before.tar after.tar
	[ ! -e split.state.held.before ] && [ ! -e split.state.held.output ]
	job 2026-09 0
	job 2026-10 0
	[ "$(earned_in_all)" = "$EXPECTED" ]
}

@test "a held run voided by the next month's run: the allocations it replaced are back" {
	recipe_folder
	job 2026-07 0
	job 2026-08 0
	cp alloc-2026-08.tsv alloc-before.tsv
	cp exports/2026-09/distrokid.tsv exports/2026-08/late.tsv
	job 2026-08 1
	rm exports/2026-08/late.tsv
	# September, whose report fails too (statements is a file): its split voids August's held run
	mv statements statements.d && touch statements
	job 2026-09 2
	cmp alloc-2026-08.tsv alloc-before.tsv
	rm statements && mv statements.d statements
	job 2026-09 0
	job 2026-10 0
	[ "$(earned_in_all)" = "$EXPECTED" ]
	cmp alloc-2026-08.tsv alloc-before.tsv
}

@test "Stripe payments downloaded again: a full refund after partial ones claws back only the rest, with --sort (it clawed back the whole price again)" {
	local h='id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Converted Amount,Converted Amount Refunded,Converted Currency,Description,Fee,Status,Refunded date (UTC)'
	# a second charge dated between the sale and its refund: --sort puts it between them
	for r in 0.00:Paid: 10.00:Partially\ refunded:2026-10-05\ 10:00:00 25.00:Partially\ refunded:2026-10-05\ 10:00:00 \
		40.00:Refunded:2026-10-05\ 10:00:00; do
		IFS=: read -r amt status d t <<<"$r"
		printf '%s\n' "$h" "ch_P1,2026-09-10 10:00:00,40.00,$amt,usd,true,40.00,$amt,usd,Moth Zine,1.46,$status,${d:+$d:$t}" \
			"ch_P2,2026-09-11 10:00:00,20.00,0.00,usd,true,20.00,0.00,usd,Lanterns,0.88,Paid," >"$T/p-$amt.csv"
	done
	printf 'match\tpayee\tshare\nMoth Zine\tCleo\t100%%\n*\tOrchard\t100%%\n' >"$T/ag.tsv"
	for amt in 0.00 10.00 25.00 40.00; do
		TALLY_SALT=s tally-ingest --sort -o "$T/s.tsv" "$T/p-$amt.csv"
		tally-split -a "$T/ag.tsv" -s "$T/st" -o "$T/a-$amt.tsv" "$T/s.tsv" 2>/dev/null
	done
	clawed() { awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["kind"] == "refund" { s += $c["amount"] } END { printf "%.2f", s }' "$1"; }
	[ "$(clawed "$T/a-10.00.tsv") $(clawed "$T/a-25.00.tsv") $(clawed "$T/a-40.00.tsv")" = "-10.00 -15.00 -15.00" ]
	# the refund sorts at its sale, right after it
	[ "$(cut -f3,7 "$T/s.tsv" | tail -n +2 | tr '\t\n' ' |')" = "ch_P1 sale|ch_P1 refund|ch_P2 sale|" ]
}
