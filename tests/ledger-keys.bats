#!/usr/bin/env bats
# tests/ledger-keys.bats - the payout ledger knows rows by identity (issue
# 10, "The ledger knows rows by identity"; item 7, --paid).
#
# Plan: each defect the issue reproduced, as a scenario with hand-computed
# amounts (no minimum payout: a balance is paid down to the cent): a late
# row that earns exactly what its month's statement says; a cumulative
# re-run after late rows went into a month with no rows of its own; two
# months that took late rows, and late rows dated before both; a closed
# month changed in a cumulative file under --check; a re-run whose late
# rows net to zero for a payee; then the key record itself (a row twice,
# an edited, a stray and a lost record, a run that died between the record
# and the ledger, a ledger from before key records migrated once); then
# --paid (recorded once, re-fed, late, bad input); a month closed before
# it is over (by --issue-date) told.
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

@test "a late row that earns exactly what its closed month's statement says is posted, not dropped" {
	# October: one 4.25 sale; November's file brings a second 4.25 sale
	# dated October (another order) and a 10.00 November sale: Ana earns
	# 10.00 + 4.25 = 14.25 in November, all paid
	{ echo "$HDR"; row 2026-10-03 o1 sale 4.25 Ana 4.25; } >"$T/oct.tsv"
	{ echo "$HDR"; row 2026-10-20 o2 sale 4.25 Ana 4.25; row 2026-11-02 o3 sale 10.00 Ana 10.00; } >"$T/nov.tsv"
	tally-report -l "$T/l.tsv" "$T/oct.tsv" >/dev/null
	run --separate-stderr tally-report -l "$T/l.tsv" "$T/nov.tsv"
	assert_success
	assert_line $'2026-11/0001\tAna\t2026-11\tUSD\tlate:2026-10\tgumroad\tLanterns\t4.25'
	[ "$(ledger_rows)" = "$(printf '%s\n' $'2026-10/0001\tAna\t2026-10\tUSD\t0.00\t4.25\t4.25\t0.00' \
		$'2026-10/end\t\t\t\t0\t0\t0\t0' \
		$'2026-11/0001\tAna\t2026-11\tUSD\t0.00\t14.25\t14.25\t0.00' \
		$'2026-11/end+late\t\t\t\t0\t0\t0\t0')" ]
	run --separate-stderr tally-report -l "$T/l.tsv" --check "$T/oct.tsv" "$T/nov.tsv"
	assert_success
	assert_output "$(printf '%s\n' $'period\tcurrency\tnet_sales\tallocated\tpaid\tcarried_change\tstatus' \
		$'2026-10\tUSD\t4.25\t4.25\t4.25\t0.00\tok' $'2026-11\tUSD\t14.25\t14.25\t14.25\t0.00\tok')"
}

@test "a cumulative re-run works after late rows went into a month with no rows of its own" {
	# September: Ana 5.00; October's file is one late September row, 2.00,
	# so October has no rows of its own: Ana is paid 2.00 in October
	{ echo "$HDR"; row 2026-09-03 s1 sale 5.00 Ana 5.00; } >"$T/sep.tsv"
	{ echo "$HDR"; row 2026-09-25 s2 sale 2.00 Ana 2.00; } >"$T/oct.tsv"
	tally-report -l "$T/l.tsv" "$T/sep.tsv" >/dev/null
	tally-report -l "$T/l.tsv" -p 2026-10 "$T/oct.tsv" >/dev/null
	cp "$T/l.tsv" "$T/before.tsv"
	{ cat "$T/sep.tsv"; tail -n +2 "$T/oct.tsv"; } >"$T/cum.tsv"
	# the re-run of both months reproduces both statements, appends nothing
	run --separate-stderr tally-report -l "$T/l.tsv" "$T/cum.tsv"
	assert_success
	[ "$(cut -f1,5,8 <<<"$output" | grep -P '\t(earned_total|paid)\t')" = "$(printf '%s\n' \
		$'2026-09/0001\tearned_total\t5.00' $'2026-09/0001\tpaid\t5.00' \
		$'2026-10/0001\tearned_total\t2.00' $'2026-10/0001\tpaid\t2.00')" ]
	cmp "$T/l.tsv" "$T/before.tsv"
	# and November's cumulative file settles November alone: 3.00
	{ cat "$T/cum.tsv"; row 2026-11-04 s3 sale 3.00 Ana 3.00; } >"$T/cum2.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" "$T/cum2.tsv"
	assert_success
	[ "$(ledger_rows | tail -n 2)" = "$(printf '%s\n' $'2026-11/0001\tAna\t2026-11\tUSD\t0.00\t3.00\t3.00\t0.00' \
		$'2026-11/end\t\t\t\t0\t0\t0\t0')" ]
}

@test "two months with late rows, late rows dated before both: cumulative runs go on month after month" {
	# Sep: Ben 3.00 + 4.00 = 7.00.  Oct: Ana 5.00 + 2.00 + a late Sep
	# 1.00 = 8.00.  Nov: Ana 1.00; Ben 5.00 + late Sep 3.00 + 4.00 = 12.00.
	# Dec (a cumulative file of every month): only Dec's Ana 6.00 is new
	{ echo "$HDR"; row 2026-09-01 x1 sale 3.00 Ben 3.00; row 2026-09-02 x2 sale 4.00 Ben 4.00; } >"$T/sep.tsv"
	{ echo "$HDR"; row 2026-10-01 x3 sale 5.00 Ana 5.00; row 2026-10-02 x4 sale 2.00 Ana 2.00
	  row 2026-09-20 x5 sale 1.00 Ana 1.00; } >"$T/oct.tsv"
	{ echo "$HDR"; row 2026-11-01 x6 sale 5.00 Ben 5.00; row 2026-11-02 x7 sale 1.00 Ana 1.00
	  row 2026-09-20 x8 sale 3.00 Ben 3.00; row 2026-09-21 x9 sale 4.00 Ben 4.00; } >"$T/nov.tsv"
	for m in sep oct nov; do tally-report -l "$T/l.tsv" "$T/$m.tsv" >/dev/null; done
	{ cat "$T/sep.tsv"; tail -n +2 -q "$T/oct.tsv" "$T/nov.tsv"; row 2026-12-01 x10 sale 6.00 Ana 6.00; } >"$T/cum.tsv"
	run --separate-stderr tally-report --issue-date 2027-01-04 -l "$T/l.tsv" "$T/cum.tsv"
	assert_success
	[ -z "$stderr" ]
	[ "$(ledger_rows)" = "$(printf '%s\n' $'2026-09/0001\tBen\t2026-09\tUSD\t0.00\t7.00\t7.00\t0.00' \
		$'2026-09/end\t\t\t\t0\t0\t0\t0' \
		$'2026-10/0001\tAna\t2026-10\tUSD\t0.00\t8.00\t8.00\t0.00' $'2026-10/end+late\t\t\t\t0\t0\t0\t0' \
		$'2026-11/0001\tAna\t2026-11\tUSD\t0.00\t1.00\t1.00\t0.00' \
		$'2026-11/0002\tBen\t2026-11\tUSD\t0.00\t12.00\t12.00\t0.00' $'2026-11/end+late\t\t\t\t0\t0\t0\t0' \
		$'2026-12/0001\tAna\t2026-12\tUSD\t0.00\t6.00\t6.00\t0.00' $'2026-12/end\t\t\t\t0\t0\t0\t0')" ]
	# January's cumulative file, the month after: Jan's 8.00 only
	{ cat "$T/cum.tsv"; row 2027-01-05 x11 sale 8.00 Ana 8.00; } >"$T/cum2.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" "$T/cum2.tsv"
	assert_success
	[ "$(ledger_rows | tail -n 2 | head -n 1)" = $'2027-01/0001\tAna\t2027-01\tUSD\t0.00\t8.00\t8.00\t0.00' ]
	# a re-run of it reproduces January and appends nothing
	cp "$T/l.tsv" "$T/before.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" "$T/cum2.tsv"
	assert_success
	cmp "$T/l.tsv" "$T/before.tsv"
}

@test "a closed month changed in a cumulative file fails --check -l, late rows in play" {
	{ echo "$HDR"; row 2026-09-03 c1 sale 5.00 Ana 5.00; } >"$T/sep.tsv"
	{ echo "$HDR"; row 2026-09-20 c2 sale 2.00 Ana 2.00; row 2026-10-03 c3 sale 3.00 Ana 3.00; } >"$T/oct.tsv"
	for m in sep oct; do tally-report -l "$T/l.tsv" "$T/$m.tsv" >/dev/null; done
	{ cat "$T/sep.tsv"; tail -n +2 "$T/oct.tsv"; row 2026-11-02 c4 sale 4.00 Ana 4.00; } >"$T/cum.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" --check "$T/cum.tsv"
	assert_success
	assert_output "$(printf '%s\n' $'period\tcurrency\tnet_sales\tallocated\tpaid\tcarried_change\tstatus' \
		$'2026-11\tUSD\t4.00\t4.00\t4.00\t0.00\tok')"
	# October's own row now says 3.50: refused, naming the row
	sed 's/\tc3\t\(.*\)\t3.00$/\tc3\t\1\t3.50/' "$T/cum.tsv" >"$T/changed.tsv"
	! cmp -s "$T/changed.tsv" "$T/cum.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" --check "$T/changed.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/changed.tsv:4: column \"amount\": 3.50, but the ledger booked this row into 2026-10 as 3.00: a period in the ledger cannot change (a changed sale comes from tally-split as its difference, a row of its own)" ]
	# the late September row gone from the cumulative file: October changed
	grep -v $'\tc2\t' "$T/cum.tsv" >"$T/lost.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" --check "$T/lost.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/l.tsv:4: the 2026-10 statement of Ana (USD) says earned 5.00, the input 3.00: a period in the ledger cannot change: run it again with the rows it was run with; its rows that came since are late rows: put their exports with 2026-11's" ]
}

@test "a re-run reproduces the issued statement when late rows net to zero for a payee" {
	# Sep: Ana 3.00.  Oct: Ben 3.00; late September rows: Ana 3.00 (what
	# her September statement says), and Ben a 2.00 sale with its refund:
	# in October Ana earns 3.00 and Ben 3.00 + 0.00
	{ echo "$HDR"; row 2026-09-01 z1 sale 3.00 Ana 3.00; } >"$T/sep.tsv"
	{ echo "$HDR"; row 2026-10-01 z2 sale 3.00 Ben 3.00; row 2026-09-20 z3 sale 3.00 Ana 3.00
	  row 2026-09-21 z4 sale 2.00 Ben 2.00; row 2026-09-21 z4 refund -2.00 Ben -2.00; } >"$T/oct.tsv"
	tally-report -l "$T/l.tsv" "$T/sep.tsv" >/dev/null
	run --separate-stderr tally-report -l "$T/l.tsv" "$T/oct.tsv"
	assert_success
	first="$output"
	[ "$(cut -f1,5,8 <<<"$output" | grep -P '\t(earned_total|paid)\t')" = "$(printf '%s\n' \
		$'2026-10/0001\tearned_total\t3.00' $'2026-10/0001\tpaid\t3.00' \
		$'2026-10/0002\tearned_total\t3.00' $'2026-10/0002\tpaid\t3.00')" ]
	assert_line $'2026-10/0002\tBen\t2026-10\tUSD\tlate:2026-09\tgumroad\tLanterns\t0.00'
	cp "$T/l.tsv" "$T/before.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" "$T/oct.tsv"
	assert_success
	assert_output "$first"
	run --separate-stderr tally-report -l "$T/l.tsv" -p 2026-10 "$T/oct.tsv"
	assert_success
	assert_output "$first"
	cmp "$T/l.tsv" "$T/before.tsv"
}

@test "key record: written with the ledger, sorted, sealed; a row twice in the input is refused" {
	{ echo "$HDR"; row 2026-10-03 k1 sale 4.25 Ana 4.25; row 2026-10-04 k2 sale 1.00 Ben 1.00; } >"$T/oct.tsv"
	tally-report -l "$T/l.tsv" "$T/oct.tsv" >/dev/null
	run sed -n '1p;2s/\t.*//p;$s/\t[0-9a-f]*$//p' "$T/l.tsv.keys"
	assert_output "$(printf '%s\n' 'tally-ledger-keys 1' chain $'end\t2')"
	[ "$(sed -n '3,4p' "$T/l.tsv.keys" | cut -f2,3 | sort)" = "$(printf '%s\n' $'2026-10\t1000000' $'2026-10\t4250000')" ]
	[ "$(sed -n '2p' "$T/l.tsv.keys" | cut -f2)" = "$(tail -n 1 "$T/l.tsv" | cut -f9)" ]
	[ "$(tail -n 1 "$T/l.tsv.seal")" = $'keys\trecorded' ]
	# November's file with one of its rows twice (a file pasted twice)
	{ echo "$HDR"; row 2026-11-01 k3 sale 2.00 Ana 2.00; row 2026-11-02 k4 sale 1.00 Ana 1.00
	  row 2026-11-01 k3 sale 2.00 Ana 2.00; } >"$T/nov.tsv"
	cp "$T/l.tsv" "$T/before.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" "$T/nov.tsv"
	assert_failure 1
	[ -z "$output" ]
	[ "$stderr" = "tally-report: the input holds a row twice (the same source, order, line, kind, date, payee, ...) that the ledger does not hold: a file fed twice would pay it twice" ]
	cmp "$T/l.tsv" "$T/before.tsv"
	# two identical rows one after the other are two rows (a hand-made stream)
	printf '%s\n' $'date\tpayee\tcurrency\tamount' $'2026-11-01\tAna\tUSD\t1.00' $'2026-11-01\tAna\tUSD\t1.00' >"$T/hand.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" "$T/hand.tsv"
	assert_success
	[ "$(tail -n 2 "$T/l.tsv" | head -n 1 | cut -f1-8)" = $'2026-11/0001\tAna\t2026-11\tUSD\t0.00\t2.00\t2.00\t0.00' ]
	# fed again: both are the ledger's
	run --separate-stderr tally-report -l "$T/l.tsv" -p 2026-12 "$T/hand.tsv"
	assert_failure 1
	[[ "$stderr" == *"every row of the input is in the ledger already (up to 2026-11): nothing for 2026-12"* ]]
}

@test "key record: edited, another ledger's, lost, or left by a run that died before the ledger" {
	{ echo "$HDR"; row 2026-10-03 e1 sale 4.25 Ana 4.25; } >"$T/oct.tsv"
	{ echo "$HDR"; row 2026-11-03 e2 sale 1.00 Ana 1.00; } >"$T/nov.tsv"
	tally-report -l "$T/l.tsv" "$T/oct.tsv" >/dev/null
	cp "$T/l.tsv.keys" "$T/good.keys"
	# an amount edited
	sed -i '3s/\t4250000$/\t4250001/' "$T/l.tsv.keys"
	run --separate-stderr tally-report -l "$T/l.tsv" "$T/nov.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/l.tsv.keys:4: the end line does not match the lines before: the record was edited or damaged; refusing to use the ledger $T/l.tsv" ]
	# a line removed (the count and the digest)
	sed 3d "$T/good.keys" >"$T/l.tsv.keys"
	run --separate-stderr tally-report -l "$T/l.tsv" "$T/nov.tsv"
	assert_failure 1
	# not a record at all
	printf 'key\tperiod\n' >"$T/l.tsv.keys"
	run --separate-stderr tally-report -l "$T/l.tsv" "$T/nov.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/l.tsv.keys:1: not a key record (\"tally-ledger-keys 1\"); refusing to use the ledger $T/l.tsv" ]
	# lost: the seal says the ledger has one
	rm "$T/l.tsv.keys"
	run --separate-stderr tally-report -l "$T/l.tsv" "$T/nov.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/l.tsv.keys: the ledger's key record is missing (its seal $T/l.tsv.seal says it has one): without it rows already paid would be paid again; restore it with the ledger" ]
	# another ledger's record
	cp "$T/good.keys" "$T/l.tsv.keys"
	tally-report -l "$T/other.tsv" "$T/nov.tsv" >/dev/null
	cp "$T/other.tsv.keys" "$T/l.tsv.keys"
	run --separate-stderr tally-report -l "$T/l.tsv" "$T/nov.tsv"
	assert_failure 1
	[[ "$stderr" == "tally-report: $T/l.tsv.keys: this key record does not go with the ledger $T/l.tsv (its chain "* ]]
	# a run that wrote the record and died before the ledger: its rows of
	# the period it did not close are dropped, and November runs again
	cp "$T/l.tsv" "$T/oct-ledger.tsv"
	cp "$T/l.tsv.seal" "$T/oct-seal"
	cp "$T/good.keys" "$T/l.tsv.keys"
	tally-report -l "$T/l.tsv" "$T/nov.tsv" >/dev/null
	cp "$T/l.tsv" "$T/nov-ledger.tsv"
	cp "$T/oct-ledger.tsv" "$T/l.tsv"
	cp "$T/oct-seal" "$T/l.tsv.seal"
	run --separate-stderr tally-report -l "$T/l.tsv" "$T/nov.tsv"
	assert_success
	[ -z "$stderr" ]
	cmp "$T/l.tsv" "$T/nov-ledger.tsv"
}

@test "key record: a ledger from before them is read by amounts, and migrated by a file of every month" {
	{ echo "$HDR"; row 2026-10-03 m1 sale 4.25 Ana 4.25; } >"$T/oct.tsv"
	{ echo "$HDR"; row 2026-11-03 m2 sale 1.00 Ana 1.00; } >"$T/nov.tsv"
	{ echo "$HDR"; row 2026-12-03 m3 sale 2.00 Ana 2.00; } >"$T/dec.tsv"
	tally-report -l "$T/l.tsv" "$T/oct.tsv" >/dev/null
	tally-report -l "$T/l.tsv" "$T/nov.tsv" >/dev/null
	rm "$T/l.tsv.keys"
	sed -i '/^keys/d' "$T/l.tsv.seal" # as an older tally-report left them
	# November's file alone does not hold October: read by amounts, told
	run --separate-stderr tally-report -l "$T/l.tsv" "$T/nov.tsv"
	assert_success
	[ "$stderr" = "tally-report: $T/l.tsv: no key record (a ledger from before them): rows are told from the ledger's by amounts until a run whose input holds every period the ledger booked records them" ]
	[ ! -e "$T/l.tsv.keys" ]
	# a cumulative file with December: every period placed, the record started
	{ cat "$T/oct.tsv"; tail -n +2 -q "$T/nov.tsv" "$T/dec.tsv"; } >"$T/cum.tsv"
	run --separate-stderr tally-report --issue-date 2027-01-04 -l "$T/l.tsv" "$T/cum.tsv"
	assert_success
	[ "$stderr" = "$(printf '%s\n' "tally-report: $T/l.tsv: no key record (a ledger from before them): rows are told from the ledger's by amounts until a run whose input holds every period the ledger booked records them" \
		"tally-report: $T/l.tsv: the input holds every period the ledger booked: its key record $T/l.tsv.keys is started")" ]
	[ "$(cut -f2 "$T/l.tsv.keys" | sed -n '3,5p' | sort)" = "$(printf '%s\n' 2026-10 2026-11 2026-12)" ]
	[ "$(tail -n 1 "$T/l.tsv.seal")" = $'keys\trecorded' ]
	# from now on rows are known by their keys: a late October row of the
	# same amount as October's statement is posted into January
	{ echo "$HDR"; row 2026-10-20 m4 sale 4.25 Ana 4.25; row 2027-01-02 m5 sale 1.00 Ana 1.00; } >"$T/jan.tsv"
	run --separate-stderr tally-report --issue-date 2027-02-01 -l "$T/l.tsv" "$T/jan.tsv"
	assert_success
	[ -z "$stderr" ]
	[ "$(tail -n 2 "$T/l.tsv" | cut -f1-8)" = "$(printf '%s\n' $'2027-01/0001\tAna\t2027-01\tUSD\t0.00\t5.25\t5.25\t0.00' \
		$'2027-01/end+late\t\t\t\t0\t0\t0\t0')" ]
}

PAIDHDR=$'payee\tdate\tamount\tcurrency\treference'

@test "--paid: money paid outside tally is recorded against the balance once, re-fed or not" {
	# minimum payout 50.00.  Sep: Ana earns 30.00, carried.  Oct: she
	# earns 25.00 and was paid 20.00 by hand (OC-1): 30 + 25 - 20 = 35.00,
	# under the minimum, carried (55.00 would have been paid again).
	# Nov: 20.00 more, the same --paid file fed again: 35 + 20 = 55.00 paid
	{ echo "$HDR"; row 2026-09-03 p1 sale 30.00 Ana 30.00; } >"$T/sep.tsv"
	{ echo "$HDR"; row 2026-10-03 p2 sale 25.00 Ana 25.00; } >"$T/oct.tsv"
	{ echo "$HDR"; row 2026-11-03 p3 sale 20.00 Ana 20.00; } >"$T/nov.tsv"
	printf '%s\n' "$PAIDHDR" $'Ana\t2026-10-15\t20.00\tUSD\tOC-1' >"$T/paid.tsv"
	tally-report --min-payout USD=50 -l "$T/l.tsv" "$T/sep.tsv" >/dev/null
	run --separate-stderr tally-report --min-payout USD=50 -l "$T/l.tsv" --paid "$T/paid.tsv" "$T/oct.tsv"
	assert_success
	[ -z "$stderr" ]
	assert_line $'2026-10/0001\tAna\t2026-10\tUSD\tearned\tpaid outside tally\tOC-1\t-20.00'
	[ "$(ledger_rows | sed -n 3p)" = $'2026-10/0001\tAna\t2026-10\tUSD\t30.00\t5.00\t0.00\t35.00' ]
	# the re-run of October with the payment reproduces it
	cp "$T/l.tsv" "$T/before.tsv"
	run --separate-stderr tally-report --min-payout USD=50 -l "$T/l.tsv" --paid "$T/paid.tsv" "$T/oct.tsv"
	assert_success
	assert_line $'2026-10/0001\tAna\t2026-10\tUSD\tcarried_forward\t\t\t35.00'
	cmp "$T/l.tsv" "$T/before.tsv"
	# --check counts it: net sales less the payment = allocated = paid + change
	run --separate-stderr tally-report --min-payout USD=50 -l "$T/l.tsv" --check --paid "$T/paid.tsv" "$T/oct.tsv"
	assert_success
	assert_output "$(printf '%s\n' $'period\tcurrency\tnet_sales\tallocated\tpaid\tcarried_change\tstatus' \
		$'2026-10\tUSD\t5.00\t5.00\t0.00\t5.00\tok')"
	# November, the same --paid file again: not recorded twice
	run --separate-stderr tally-report --min-payout USD=50 -l "$T/l.tsv" --paid "$T/paid.tsv" "$T/nov.tsv"
	assert_success
	[ "$stderr" = "tally-report: $T/paid.tsv: 1 payment the ledger has recorded already, not recorded again" ]
	[ "$(ledger_rows | sed -n 5p)" = $'2026-11/0001\tAna\t2026-11\tUSD\t35.00\t20.00\t55.00\t0.00' ]
	# a payment dated in a closed month is late: it goes into the next run
	printf '%s\n' "$PAIDHDR" $'Ana\t2026-10-15\t20.00\tUSD\tOC-1' $'Ana\t2026-11-20\t3.00\tUSD\tbank-7' >"$T/paid.tsv"
	{ echo "$HDR"; row 2026-12-03 p4 sale 10.00 Ana 10.00; } >"$T/dec.tsv"
	run --separate-stderr tally-report --min-payout USD=50 -l "$T/l.tsv" --paid "$T/paid.tsv" "$T/dec.tsv"
	assert_success
	assert_line $'2026-12/0001\tAna\t2026-12\tUSD\tlate:2026-11\tpaid outside tally\tbank-7\t-3.00'
	[ "$(ledger_rows | sed -n 7p)" = $'2026-12/0001\tAna\t2026-12\tUSD\t0.00\t7.00\t0.00\t7.00' ]
}

@test "--paid: bad input" {
	{ echo "$HDR"; row 2026-10-03 b1 sale 25.00 Ana 25.00; } >"$T/oct.tsv"
	printf '%s\n' "$PAIDHDR" $'Ana\t2026-10-15\t12,3x\tUSD\tOC-1' >"$T/p.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" --paid "$T/p.tsv" "$T/oct.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/p.tsv:2: column \"amount\": \"12,3x\" is not an amount" ]
	[ ! -e "$T/l.tsv" ] || [ ! -s "$T/l.tsv" ]
	printf '%s\n' "$PAIDHDR" $'Ana\t2026-10-15\t-5.00\tUSD\tOC-1' >"$T/p.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" --paid "$T/p.tsv" "$T/oct.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/p.tsv:2: column \"amount\": \"-5.00\" is not a payment: more than 0 was paid" ]
	printf '%s\n' "$PAIDHDR" $'Ana\t2026-10-15\t5.00\tUSD\t' >"$T/p.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" --paid "$T/p.tsv" "$T/oct.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/p.tsv:2: column \"reference\": \"\" is empty: a payment is known by its reference" ]
	printf '%s\n' $'payee\tdate\tamount\tcurrency' $'Ana\t2026-10-15\t5.00\tUSD' >"$T/p.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" --paid "$T/p.tsv" "$T/oct.tsv"
	assert_failure 2
	[[ "$stderr" == "tally-report: $T/p.tsv: missing column \"reference\""* ]]
	printf '%s\n' "$PAIDHDR" $'Ana\t2026-10-15\t5.00\tUSD\tOC-1' $'Ana\t2026-10-16\t6.00\tUSD\tOC-1' >"$T/p.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" --paid "$T/p.tsv" "$T/oct.tsv"
	assert_failure 1
	# recorded, then fed with another amount
	printf '%s\n' "$PAIDHDR" $'Ana\t2026-10-15\t5.00\tUSD\tOC-1' >"$T/p.tsv"
	tally-report -l "$T/l.tsv" --paid "$T/p.tsv" "$T/oct.tsv" >/dev/null
	printf '%s\n' "$PAIDHDR" $'Ana\t2026-10-15\t6.00\tUSD\tOC-1' >"$T/p2.tsv"
	{ echo "$HDR"; row 2026-11-03 b2 sale 1.00 Ana 1.00; } >"$T/nov.tsv"
	run --separate-stderr tally-report -l "$T/l.tsv" --paid "$T/p2.tsv" "$T/nov.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/p2.tsv:2: column \"reference\": \"OC-1\" was recorded as paid 5.00, not 6.00: a payment recorded cannot change" ]
	# usage: --paid needs --ledger
	run --separate-stderr tally-report --paid "$T/p.tsv" "$T/oct.tsv"
	assert_failure 2
	[[ "$stderr" == "tally-report: --paid goes with --ledger: a payment is recorded against its balance"* ]]
}

@test "closing a month that is not over (by --issue-date, else today) is told, exit 0; one that is over is not" {
	{ echo "$HDR"; row 2026-10-03 n1 sale 4.00 Ana 4.00; } >"$T/oct.tsv"
	{ echo "$HDR"; row 2026-11-03 n2 sale 1.00 Ana 1.00; row 2026-12-01 n3 sale 2.00 Ana 2.00; } >"$T/nov.tsv"
	# October closed on its last day: not over, told; the ledger is written
	run --separate-stderr tally-report -l "$T/l.tsv" --issue-date 2026-10-31 "$T/oct.tsv"
	assert_success
	[ "$stderr" = "tally-report: $T/l.tsv: period 2026-10 is not over on 2026-10-31: it is closed now, and its sales reported later will come as late income of a later period" ]
	[ "$(ledger_rows | tail -n 1)" = $'2026-10/end\t\t\t\t0\t0\t0\t0' ]
	# the re-run reproduces it, settles nothing: quiet
	run --separate-stderr tally-report -l "$T/l.tsv" --issue-date 2026-10-31 "$T/oct.tsv"
	assert_success
	[ -z "$stderr" ]
	# --check settles nothing: quiet
	run --separate-stderr tally-report -l "$T/l.tsv" --check --issue-date 2026-10-31 "$T/oct.tsv"
	[ -z "$stderr" ]
	# November and December at once, on 2026-11-20: both not over, one message
	cp "$T/l.tsv" "$T/oct-ledger.tsv"; cp "$T/l.tsv.keys" "$T/oct-ledger.keys"; cp "$T/l.tsv.seal" "$T/oct-ledger.seal"
	run --separate-stderr tally-report -l "$T/l.tsv" --issue-date 2026-11-20 "$T/nov.tsv"
	assert_success
	[ "$stderr" = "tally-report: $T/l.tsv: periods 2026-11 to 2026-12 are not over on 2026-11-20: they are closed now, and their sales reported later will come as late income of a later period" ]
	# ... on 2026-12-05 only December is not over
	cp "$T/oct-ledger.tsv" "$T/l.tsv"; cp "$T/oct-ledger.keys" "$T/l.tsv.keys"; cp "$T/oct-ledger.seal" "$T/l.tsv.seal"
	rm -f "$T/l.tsv.issued"
	run --separate-stderr tally-report -l "$T/l.tsv" --issue-date 2026-12-05 "$T/nov.tsv"
	assert_success
	[ "$stderr" = "tally-report: $T/l.tsv: period 2026-12 is not over on 2026-12-05: it is closed now, and its sales reported later will come as late income of a later period" ]
	# ... and on the 1st of the month after, none: quiet
	cp "$T/oct-ledger.tsv" "$T/l.tsv"; cp "$T/oct-ledger.keys" "$T/l.tsv.keys"; cp "$T/oct-ledger.seal" "$T/l.tsv.seal"
	run --separate-stderr tally-report -l "$T/l.tsv" --issue-date 2027-01-01 "$T/nov.tsv"
	assert_success
	[ -z "$stderr" ]
	# without a ledger nothing is closed: quiet
	run --separate-stderr tally-report --issue-date 2026-10-01 "$T/oct.tsv"
	assert_success
	[ -z "$stderr" ]
}
