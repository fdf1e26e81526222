#!/usr/bin/env bats
# tally-split: black-box cases with exact stdout, stderr and status.
# Plan: --help/--version and usage errors; the man page's worked examples
# (agent 15% off the top; a 5,000.00 advance recouped over three monthly
# runs with --state, then a refund after recoupment; 50/30/20 of 0.01; an
# agreement that changes mid-month); precedence; --explain; --kinds and
# passed-over payouts; --default-payee; --rejects; caps in another
# currency with and without --fx; a repeat refused by the state and
# --force; two concurrent runs serialised by the lock; then every bad
# input with its exact message and status; nosuch.tsv; >/dev/full; | head;
# the man page's EXAMPLES run literally; pass-through, CRLF and header-only
# input; --explain to a FIFO; split | report from stdin, conserved; -o FILE
# (atomic; left as it was by a failed run or a refused repeat); options
# given twice; weights below 1 that look like fractions (a warning); the
# agreements files the page shows are the fixtures.  The monthly cycle: a
# Stripe refund split by its sale's agreement through the state; refunds of
# unknown sales that reach only "*" refused; rows split before passed over,
# changed rows split by difference, two partial refunds of a line; re-runs
# that leave -o FILE byte for byte; payee names and CSV agreements refused;
# every unmatched product listed.  The state: an empty currency; a TAB in a
# capped match; a state 1 fixture migrated; integrity and a tamper sweep
# (every line removed, every digit edited); the golden state file.
load helpers

F=$BATS_TEST_DIRNAME/fixtures/split
HDR=$'date\tsource\torder\tline\tproduct\tkind\tsale_date\tcurrency\tnet'

# split_cut CUT_FIELDS ARGS...: tally-split ARGS | cut -f CUT_FIELDS, keeping
# tally-split's status.
split_cut() {
	local fields=$1
	shift
	run --separate-stderr bash -c 'set -o pipefail; f=$1; shift; tally-split "$@" | cut -f "$f"' _ "$fields" "$@"
}

# sales FILE ROW...: a sales stream with the short header.
sales() {
	local file=$1
	shift
	printf '%s\n' "$HDR" "$@" >"$file"
}

@test "--help prints the usage on stdout" {
	run --separate-stderr tally-split --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 'usage: tally-split -a AGREEMENTS [--default-payee PAYEE] [-e FILE] [-k KINDS] [-o FILE]' ]
	[ "${lines[4]}" = '       tally-split --state-dump STATE [-o FILE]' ]
	[ "${lines[5]}" = '       tally-split --commit STATE' ]
	[ "${lines[6]}" = '       tally-split --help | --version' ]
	[[ "$output" == *'  -a, --agreements FILE   the agreements (TAB-separated; required)'* ]]
	[[ "$output" == *'      --hold              with --state: the run'"'"'s state waits in STATE.held'* ]]
	[ -z "$stderr" ]
}

@test "a usage error prints the usage alone, without the option list" {
	run --separate-stderr tally-split
	[ "$status" -eq 2 ]
	[[ "$stderr" == *'tally-split --help | --version' ]]
	[[ "$stderr" != *'the agreements (TAB-separated'* ]]
}

@test "--version" {
	run --separate-stderr tally-split --version
	[ "$status" -eq 0 ]
	[ "$output" = "tally-split (tally) 0.1.0" ]
}

@test "no --agreements is a usage error" {
	run --separate-stderr tally-split "$F/agent-sales.tsv"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "tally-split: missing --agreements FILE" ]
	[ "${stderr_lines[1]}" = "usage: tally-split -a AGREEMENTS [--default-payee PAYEE] [-e FILE] [-k KINDS] [-o FILE]" ]
}

@test "an unknown option is a usage error" {
	run --separate-stderr tally-split -a "$F/agent.tsv" --bogus
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "tally-split: unrecognized option '--bogus'" ]
}

@test "example: an agent's 15% off the top, the rest 50/50" {
	run --separate-stderr tally-split -a "$F/agent.tsv" "$F/agent-sales.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' \
		$'date\tsource\torder\tline\tproduct\tkind\tsale_date\tcurrency\tnet\tpayee\ttier\tagreement\tshare\tamount' \
		$'2026-09-03\tgumroad\t1001\t1\tLanterns (digital album)\tsale\t\tUSD\t10.00\tMara (manager)\t1\t3\t0.15\t1.50' \
		$'2026-09-03\tgumroad\t1001\t1\tLanterns (digital album)\tsale\t\tUSD\t10.00\tAna\t2\t4\t0.425\t4.25' \
		$'2026-09-03\tgumroad\t1001\t1\tLanterns (digital album)\tsale\t\tUSD\t10.00\tBen\t2\t5\t0.425\t4.25')" ]
	[ -z "$stderr" ]
}

@test "example: a 5,000.00 advance recouped over three monthly runs, then a refund" {
	split_cut 9- -a "$F/advance.tsv" -s "$T/band.state" "$F/advance-sep.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'net\tpayee\ttier\tagreement\tshare\tamount' \
		$'2000.00\tOrchard Records\t1\t3\t1\t2000.00')" ]
	split_cut 9- -a "$F/advance.tsv" -s "$T/band.state" "$F/advance-oct.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'net\tpayee\ttier\tagreement\tshare\tamount' \
		$'2500.00\tOrchard Records\t1\t3\t1\t2500.00')" ]
	split_cut 9- -a "$F/advance.tsv" -s "$T/band.state" "$F/advance-nov.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'net\tpayee\ttier\tagreement\tshare\tamount' \
		$'1000.00\tOrchard Records\t1\t3\t0.5\t500.00' \
		$'1000.00\tAna\t2\t4\t0.25\t250.00' \
		$'1000.00\tBen\t2\t5\t0.25\t250.00')" ]
	[ "$(grep '^cap' <(tally-split --state-dump "$T/band.state"))" = $'cap\t*\t\t\t1\tUSD\t5000.00' ]
	split_cut 6,9- -a "$F/advance.tsv" -s "$T/band.state" "$F/advance-dec.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'kind\tnet\tpayee\ttier\tagreement\tshare\tamount' \
		$'refund\t-100.00\tOrchard Records\t1\t3\t1\t-100.00' \
		$'sale\t200.00\tOrchard Records\t1\t3\t0.5\t100.00' \
		$'sale\t200.00\tAna\t2\t4\t0.25\t50.00' \
		$'sale\t200.00\tBen\t2\t5\t0.25\t50.00')" ]
	[ "$(head -1 "$T/band.state")" = "# tally-split state 3" ]
	[ "$(tally-split --state-dump "$T/band.state" | head -1)" = "# tally-split state 2" ]
	[ "$(grep -c '^seen' <(tally-split --state-dump "$T/band.state"))" -eq 5 ]
}

@test "example: 50/30/20 of 0.01 is exact" {
	split_cut 9- -a "$F/penny.tsv" "$F/penny-sales.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'net\tpayee\ttier\tagreement\tshare\tamount' \
		$'0.01\tAna\t1\t2\t0.5\t0.005' $'0.01\tBen\t1\t3\t0.3\t0.003' $'0.01\tCleo\t1\t4\t0.2\t0.002')" ]
}

@test "example: an agreement that changes mid-month; the refund goes by the old one" {
	split_cut 1,6,9- -a "$F/dated.tsv" "$F/dated-sales.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'date\tkind\tnet\tpayee\ttier\tagreement\tshare\tamount' \
		$'2026-10-10T09:00:00Z\tsale\t15.00\tAna\t1\t3\t0.5\t7.50' \
		$'2026-10-10T09:00:00Z\tsale\t15.00\tBen\t1\t4\t0.5\t7.50' \
		$'2026-10-20T09:00:00Z\tsale\t15.00\tAna\t1\t5\t0.4\t6.00' \
		$'2026-10-20T09:00:00Z\tsale\t15.00\tBen\t1\t6\t0.3\t4.50' \
		$'2026-10-20T09:00:00Z\tsale\t15.00\tCleo\t1\t7\t0.3\t4.50' \
		$'2026-10-25T09:00:00Z\trefund\t-15.00\tAna\t1\t3\t0.5\t-7.50' \
		$'2026-10-25T09:00:00Z\trefund\t-15.00\tBen\t1\t4\t0.5\t-7.50')" ]
}

@test "a refund without sale_date finds its sale's date in the state" {
	sales "$T/oct.tsv" $'2026-10-10\tetsy\tE1\t1\tTour poster\tsale\t\tUSD\t15.00'
	sales "$T/nov.tsv" $'2026-11-02\tetsy\tE1\t1\tTour poster\trefund\t\tUSD\t-15.00'
	run tally-split -a "$F/dated.tsv" -s "$T/s" "$T/oct.tsv"
	[ "$status" -eq 0 ]
	split_cut 10- -a "$F/dated.tsv" -s "$T/s" "$T/nov.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'payee\ttier\tagreement\tshare\tamount' \
		$'Ana\t1\t3\t0.5\t-7.50' $'Ben\t1\t4\t0.5\t-7.50')" ]
}

@test "precedence: sku before product before source before kind before *" {
	printf '%s\n' $'match\tpayee\tshare' $'*\tall\t100%' $'kind:tip\ttips\t100%' \
		$'source:etsy\tetsy\t100%' $'Lanterns*\tlanterns\t100%' $'Lanterns (vinyl LP)\tvinyl\t100%' \
		>"$T/a.tsv"
	sales "$T/s.tsv" $'2026-10-01\tgumroad\t1\t1\tSongs\tsale\t\tUSD\t1.00' \
		$'2026-10-01\tgumroad\t2\t1\tSongs\ttip\t\tUSD\t1.00' \
		$'2026-10-01\tetsy\t3\t1\tSongs\ttip\t\tUSD\t1.00' \
		$'2026-10-01\tetsy\t4\t1\tLanterns (digital)\ttip\t\tUSD\t1.00' \
		$'2026-10-01\tetsy\t5\t1\tLanterns (vinyl LP)\ttip\t\tUSD\t1.00'
	split_cut 3,10,12 -a "$T/a.tsv" "$T/s.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'order\tpayee\tagreement' $'1\tall\t2' $'2\ttips\t3' $'3\tetsy\t4' \
		$'4\tlanterns\t5' $'5\tvinyl\t6')" ]
}

@test "--explain says which agreement, why, and each tier's take" {
	run --separate-stderr tally-split -a "$F/agent.tsv" -e "$T/why.txt" "$F/agent-sales.tsv"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/why.txt")" = "$(printf '%s\n' \
		"$F/agent-sales.tsv:2: sale gumroad order 1001 line 1, product \"Lanterns (digital album)\": net 10.00 USD; agreement date 2026-09-03 (its date)" \
		'  agreement line 3: match "*" (everything, glob, 0 literal characters), open to open' \
		'  tier 1: 10.00 reaches it; it takes 15% of it: 1.50; Mara (manager) 1.50; 8.50 flows on' \
		'  tier 2: 8.50 reaches it; it takes 100% of it: 8.50; Ana 4.25; Ben 4.25; 0.00 flows on')" ]
}

@test "payout rows are passed over with a count; --kinds chooses" {
	sales "$T/s.tsv" $'2026-10-01\tgumroad\t1\t1\tX\tsale\t\tUSD\t10.00' \
		$'2026-10-02\tgumroad\tP1\t1\t\tpayout\t\tUSD\t-10.00' \
		$'2026-10-03\tgumroad\t2\t1\tX\ttip\t\tUSD\t2.00'
	split_cut 3,10- -a "$F/penny.tsv" "$T/s.tsv"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]
	[ "$stderr" = "tally-split: passed over 1 row not split (payout 1)" ]
	split_cut 3,10- -a "$F/penny.tsv" --kinds tip "$T/s.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'order\tpayee\ttier\tagreement\tshare\tamount' \
		$'2\tAna\t1\t2\t0.5\t1.00' $'2\tBen\t1\t3\t0.3\t0.60' $'2\tCleo\t1\t4\t0.2\t0.40')" ]
	[ "$stderr" = "tally-split: passed over 2 rows not split (sale 1, payout 1)" ]
}

@test "a row of an unknown kind is bad data, not passed over; --kinds can name it" {
	sales "$T/s.tsv" $'2026-10-01\tgumroad\t1\t1\tX\tsale\t\tUSD\t10.00' \
		$'2026-10-02\tgumroad\t2\t1\tX\tbogus\t\tUSD\t5.00'
	split_cut 3 -a "$F/penny.tsv" "$T/s.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: $T/s.tsv:3: column \"kind\": \"bogus\" is not a kind of the sales stream (sale, refund, chargeback, subscription, tip, fee, payout, adjustment; or name it in --kinds)" ]
	split_cut 3,10- -a "$F/penny.tsv" --kinds sale,bogus "$T/s.tsv"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]
	[ "$stderr" = "" ]
}

@test "--default-payee takes the rows no agreement covers" {
	printf '%s\n' $'match\tpayee\tshare' $'Lanterns*\tAna\t100%' >"$T/a.tsv"
	sales "$T/s.tsv" $'2026-10-01\tetsy\t1\t1\tPoster\tsale\t\tUSD\t15.00'
	split_cut 5,10- -a "$T/a.tsv" --default-payee "The band" "$T/s.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'product\tpayee\ttier\tagreement\tshare\tamount' \
		$'Poster\tThe band\t1\tdefault\t1\t15.00')" ]
}

@test "a cap in USD meets a EUR sale: an error without --fx, converted with it" {
	sales "$T/s.tsv" $'2026-10-05\tstripe\t1\t1\tX\tsale\t\tEUR\t100.00'
	run --separate-stderr tally-split -a "$F/advance.tsv" "$T/s.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: $T/s.tsv:2: column \"currency\": \"EUR\" reaches the capped tier 1 of $F/advance.tsv line 3 (cap in USD); --fx RATES converts it" ]
	printf '%s\n' $'date\tcurrency\trate' $'2026-10-01\tEUR\t1.10' >"$T/rates.tsv"
	split_cut 10- -a "$F/advance.tsv" -x "$T/rates.tsv" -s "$T/st" "$T/s.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'payee\ttier\tagreement\tshare\tamount' $'Orchard Records\t1\t3\t1\t100.00')" ]
	[ "$(grep '^cap' <(tally-split --state-dump "$T/st"))" = $'cap\t*\t\t\t1\tUSD\t110.00' ]
	sales "$T/early.tsv" $'2026-09-05\tstripe\t2\t1\tX\tsale\t\tEUR\t100.00'
	run --separate-stderr tally-split -a "$F/advance.tsv" -x "$T/rates.tsv" "$T/early.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: $T/early.tsv:2: column \"currency\": \"EUR\": $T/rates.tsv has no rate into USD on or before 2026-09-05" ]
}

@test "the state passes over a repeat with a count; --force splits it again" {
	run tally-split -a "$F/advance.tsv" -s "$T/s" "$F/advance-sep.tsv"
	[ "$status" -eq 0 ]
	cp "$T/s" "$T/before"
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/s" "$F/advance-sep.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = $'date\tsource\torder\tline\tproduct\tkind\tsale_date\tcurrency\tnet\tpayee\ttier\tagreement\tshare\tamount' ]
	[ "$stderr" = "tally-split: passed over 1 row split already (state $T/s)" ]
	cmp "$T/s" "$T/before"
	split_cut 10- -a "$F/advance.tsv" -s "$T/s" --force "$F/advance-sep.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'payee\ttier\tagreement\tshare\tamount' $'Orchard Records\t1\t3\t1\t2000.00')" ]
	[ "$(grep '^cap' <(tally-split --state-dump "$T/s"))" = $'cap\t*\t\t\t1\tUSD\t4000.00' ]
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/s" -f "$F/advance-sep.tsv"
	[ "$status" -eq 2 ]
}

@test "--rejects: bad rows go there with the reason, the rest is split, the state skips them" {
	sales "$T/s.tsv" $'2026-10-01\tetsy\t1\t1\tX\tsale\t\tUSD\t1.00' \
		$'2026-10-01\tetsy\t2\t1\tX\tsale\t\tXYZ\t1.00' \
		$'2026-10-01\tetsy\t3\t1\tX\tsale\t\tUSD\t1,00'
	split_cut 3,10,14 -a "$F/agent.tsv" -r "$T/rej.tsv" -s "$T/st" "$T/s.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'order\tpayee\tamount' $'1\tMara (manager)\t0.15' $'1\tAna\t0.425' $'1\tBen\t0.425')" ]
	[ "$stderr" = "tally-split: 2 rows rejected, see $T/rej.tsv" ]
	[ "$(cut -f3,10 "$T/rej.tsv")" = "$(printf '%s\n' $'order\treject_reason' \
		$'2\t'"$T/s.tsv"$':3: column "currency": "XYZ" is not a known currency' \
		$'3\t'"$T/s.tsv"$':4: column "net": "1,00" is not an amount')" ]
	[ "$(grep -c '^seen' <(tally-split --state-dump "$T/st"))" -eq 1 ]
}

@test "--rejects: a row short of the header's fields is padded, so its reason is in reject_reason; a long row keeps all its fields" {
	printf '%s\n' $'date\tsource\torder\tline\tproduct\tkind\tsale_date\tcurrency\tnet' \
		$'2026-10-01\tetsy\t1\t1\tX\tsale\t\tUSD\t1.00' $'2026-10-01\tetsy\t2' \
		$'2026-10-01\tetsy\t3\t1\tX\tsale\t\tUSD\t1.00\textra' >"$T/s.tsv"
	run --separate-stderr tally-split -a "$F/agent.tsv" -r "$T/rej.tsv" "$T/s.tsv"
	[ "$status" -eq 0 ]
	# before, the short row's reason was read as its "line"
	[ "$(awk -F'\t' 'NR == 2 { print NF ":" $3 ":" $4 ":" $10 }' "$T/rej.tsv")" = "10:2::$T/s.tsv:3: 3 fields where the header has 9" ]
	[ "$(awk -F'\t' 'NR == 3 { print NF ":" $10 ":" $11 }' "$T/rej.tsv")" = "11:extra:$T/s.tsv:4: 10 fields where the header has 9" ]
}

@test "two concurrent runs on one state file are serialised by the lock" {
	mkfifo "$T/fifo"
	tally-split -a "$F/advance.tsv" -s "$T/st" "$T/fifo" >"$T/a.out" 2>"$T/a.err" &
	pid=$!
	exec 8>"$T/fifo"
	head -n 1 "$F/advance-sep.tsv" >&8 # the header: run A takes the lock, then waits for rows
	for i in $(seq 50); do flock -n "$T/st.lock" true || break; sleep 0.1; done
	run flock -n "$T/st.lock" true
	[ "$status" -ne 0 ]
	tally-split -a "$F/advance.tsv" -s "$T/st" "$F/advance-oct.tsv" >"$T/b.out" 2>"$T/b.err" 8>&- &
	pid2=$!
	# run B must be waiting before run A goes on (however slow B starts:
	# under valgrind it takes seconds)
	for i in $(seq 300); do grep -q 'waiting for' "$T/b.err" && break; sleep 0.1; done
	tail -n +2 "$F/advance-sep.tsv" >&8
	exec 8>&-
	wait "$pid"
	wait "$pid2"
	[ "$(cut -f10,14 "$T/a.out")" = "$(printf '%s\n' $'payee\tamount' $'Orchard Records\t2000.00')" ]
	[ "$(cut -f10,14 "$T/b.out")" = "$(printf '%s\n' $'payee\tamount' $'Orchard Records\t2500.00')" ]
	[ "$(cat "$T/b.err")" = "tally-split: waiting for $T/st.lock: another run is using $T/st" ]
	[ "$(grep '^cap' <(tally-split --state-dump "$T/st"))" = $'cap\t*\t\t\t1\tUSD\t4500.00' ]
	[ "$(grep -c '^seen' <(tally-split --state-dump "$T/st"))" -eq 2 ]
}

# agreements_error TEXT LINE MESSAGE: an agreements file that must be refused.
agreements_error() {
	printf '%s' "$1" >"$T/a.tsv"
	run --separate-stderr tally-split -a "$T/a.tsv" "$F/agent-sales.tsv"
	[ "$status" -eq "${4:-1}" ]
	[ -z "$output" ]
	[ "$stderr" = "tally-split: $T/a.tsv:$2: $3" ]
}

@test "bad agreements: each error names the line" {
	agreements_error $'match\tpayee\tshare\n*\tA\t90%\n' 2 'the last tier (1) totals 90%, not 100%'
	agreements_error $'match\ttier\tpayee\tshare\n*\t1\tA\t70%\n*\t1\tB\t50%\n*\t2\tC\t100%\n' 2 \
		'tier 1 shares total 120%, over 100%'
	agreements_error $'match\tpayee\tshare\n*\tA\t-15%\n' 2 'column "share": "-15%" is negative'
	agreements_error $'match\tpayee\tshare\tcap\n*\tA\t50%\t1.00 XYZ\n' 2 'column "cap": "XYZ" is not a known currency'
	agreements_error $'match\tfrom\tpayee\tshare\nP*\t2026-01-01\tA\t100%\nP*\t2026-06-01\tB\t100%\n' 3 \
		'agreement "P*" (2026-06-01 to open) overlaps the one on line 2 with the same match'
	agreements_error $'# c\nmatch\ttier\tpayee\tshare\n*\tx\tA\t100%\n' 3 \
		'column "tier": "x" is not a tier number (1, 2, ...)'
	agreements_error $'match\tpayee\tshare\tbasis\n*\tA\t100%\ttax\n' 2 'column "basis": "tax" is not net or gross'
	# a missing column is usage (exit 2), as in the sales stream (tally(7) EXIT STATUS)
	agreements_error $'match\tpayee\n*\tA\n' 1 'missing column "share" (header: match, payee)' 2
	agreements_error $'match\tshare\n*\t100%\n' 1 'missing column "payee" (header: match, share)' 2
}

@test "side files: a missing required column is usage (exit 2) like the stream's; a bad row is data (exit 1)" {
	printf 'date\tcurrency\n2026-10-01\tEUR\n' >"$T/rates.tsv"
	run --separate-stderr tally-split --agreements "$F/agent.tsv" --fx "$T/rates.tsv" "$F/agent-sales.tsv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-split: $T/rates.tsv:1: missing column \"rate\"" ]
	printf 'date\tcurrency\trate\n2026-10-01\tEUR\t-1\n' >"$T/rates.tsv"
	run --separate-stderr tally-split --agreements "$F/agent.tsv" --fx "$T/rates.tsv" "$F/agent-sales.tsv"
	[ "$status" -eq 1 ]
	printf 'match\tpayee\n*\tA\n' >"$T/a.tsv"
	run --separate-stderr tally-report --agreements "$T/a.tsv" "$F/agent-sales.tsv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-report: $T/a.tsv:1: missing column \"share\" (header: match, payee)" ]
	# the stream's own missing column, for comparison
	run --separate-stderr tally-split --agreements "$F/agent.tsv" "$T/rates.tsv"
	[ "$status" -eq 2 ]
}

# data_error ROW MESSAGE [AGREEMENTS]: a sales row that must be refused (exit 1).
data_error() {
	sales "$T/s.tsv" "$1"
	run --separate-stderr tally-split -a "${3:-$F/agent.tsv}" "$T/s.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: $T/s.tsv:2: $2" ]
}

@test "bad sales rows: each error names the data line" {
	data_error $'2026-10-01\tetsy\t1\t1\tX\tsale\t\tXYZ\t1.00' 'column "currency": "XYZ" is not a known currency'
	data_error $'2026-13-01\tetsy\t1\t1\tX\tsale\t\tUSD\t1.00' 'column "date": "2026-13-01" is not a date'
	data_error $'2026-10-01\tetsy\t1\t1\tX\tsale\t\tUSD\t' 'column "net": "" is not an amount'
	printf '%s\n' $'match\tfrom\tpayee\tshare' $'P\t2026-01-01\tA\t100%' >"$T/d.tsv"
	data_error $'2025-12-31\tetsy\t1\t1\tP\tsale\t\tUSD\t1.00' \
		"column \"date\": \"2025-12-31\" is outside every agreement for product \"P\" ($T/d.tsv lines 2)" "$T/d.tsv"
	printf '%s\n' $'match\tpayee\tshare' $'Lan*s\tA\t100%' $'*nter*\tB\t100%' >"$T/amb.tsv"
	data_error $'2026-10-01\tetsy\t1\t1\tLanters\tsale\t\tUSD\t1.00' \
		"$T/amb.tsv lines 2 (\"Lan*s\") and 3 (\"*nter*\") match equally specifically; make one more specific" "$T/amb.tsv"
}

@test "a missing basis column is a usage error naming it" {
	printf '%s\n' $'match\tpayee\tshare\tbasis' $'*\tA\t100%\tgross' >"$T/g.tsv"
	run --separate-stderr tally-split -a "$T/g.tsv" "$F/agent-sales.tsv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-split: $F/agent-sales.tsv: missing column \"gross\" (header: date, source, order, line, product, kind, sale_date, currency, net)" ]
}

@test "an export given to tally-split is named as one, with the hint to run tally-ingest first, and no dump of its header; other streams get the missing column (exit 2)" {
	# a new user's report: the export's whole header line came before the hint
	D=$TALLY_ROOT/scripts/demo
	run --separate-stderr tally-split --agreements "$F/agent.tsv" "$D/exports/gumroad.csv"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "${#lines[@]}" -eq 0 ]
	[ "$stderr" = "tally-split: $D/exports/gumroad.csv: looks like a raw gumroad-sales export, not a stream of tally's
tally-split: hint: read it with tally-ingest first (tally-ingest $D/exports/gumroad.csv > sales.tsv)" ]
	# a tab-separated export, by its columns, from stdin
	run --separate-stderr tally-split --agreements "$F/agent.tsv" - <"$D/exports/distrokid/2026-10.tsv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-split: <stdin>: looks like a raw distrokid export, not a stream of tally's
tally-split: hint: read it with tally-ingest first (tally-ingest EXPORT > sales.tsv)" ]
	# a CSV header of no known format
	printf 'When,What,Amount\n2026-10-01,x,1.00\n' >"$T/x.csv"
	run --separate-stderr tally-split --agreements "$F/agent.tsv" "$T/x.csv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-split: $T/x.csv: looks like a raw platform export, not a stream of tally's
tally-split: hint: read it with tally-ingest first (tally-ingest $T/x.csv > sales.tsv)" ]
	# a TSV that is no export: the message alone
	run --separate-stderr tally-split --agreements "$F/agent.tsv" "$F/agent.tsv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-split: $F/agent.tsv: missing column \"date\" (header: # Agent 15% off the top, the rest split evenly.)" ]
	printf 'when\twhat\ttotal\n2026-10-01\tx\t1.00\n' >"$T/a.tsv"
	run --separate-stderr tally-split --agreements "$F/agent.tsv" "$T/a.tsv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-split: $T/a.tsv: missing column \"date\" (header: when, what, total)" ]
	# what the hint says works
	run --separate-stderr sh -c "tally-ingest '$D/exports/gumroad.csv' | tally-split --agreements '$D/agreements.tsv' >/dev/null"
	[ "$status" -eq 0 ]
}

@test "nosuch.tsv: No such file or directory, status 2" {
	cd "$T"
	run --separate-stderr tally-split -a "$F/agent.tsv" nosuch.tsv
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-split: nosuch.tsv: No such file or directory" ]
	run --separate-stderr tally-split -a nosuch.tsv "$F/agent-sales.tsv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-split: nosuch.tsv: No such file or directory" ]
}

@test ">/dev/full fails with a message and leaves the state alone" {
	run --separate-stderr bash -c "tally-split -a '$F/advance.tsv' -s '$T/s' '$F/advance-sep.tsv' >/dev/full"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: write error: No space left on device" ]
	[ ! -e "$T/s" ]
}

@test "| head -1 ends quietly" {
	run --separate-stderr bash -c "set -o pipefail; tally-split -a '$F/agent.tsv' - <'$F/agent-sales.tsv' | head -1"
	[ "$output" = $'date\tsource\torder\tline\tproduct\tkind\tsale_date\tcurrency\tnet\tpayee\ttier\tagreement\tshare\tamount' ]
	[ -z "$stderr" ]
}

# man_examples PAGE DIR: run every "$ command" shown in PAGE's literal blocks
# inside DIR, exactly as written, and compare its output with the lines the
# page shows after it.
man_examples() {
	local page=$1 dir=$2 cmd="" exp="" got l n=0
	while IFS= read -r l; do
		if [ -n "$cmd" ] && { [ "$l" = $'\x01' ] || [ "${l:0:2}" = '$ ' ]; }; then
			got=$(cd "$dir" && bash -c "set -o pipefail; $cmd" 2>&1) ||
				{ echo "failed: $cmd"; echo "$got"; return 1; }
			[ "$got" = "$exp" ] || { echo "differs: $cmd"; diff <(echo "$exp") <(echo "$got"); return 1; }
			n=$((n + 1))
			cmd="" exp=""
		fi
		if [ "${l:0:2}" = '$ ' ]; then
			cmd=${l#\$ }
		elif [ -n "$cmd" ]; then
			exp+="${exp:+$'\n'}$l"
		fi
	done < <(awk '/^\.Bd -literal/{ex=1; next} ex && /^\.Ed/{ex=0; print "\001"; next} ex' "$page" |
		sed -e 's/\\-/-/g' -e 's/\\e/\\/g' -e 's/\\&//g')
	echo "$n examples"
}

@test "the man page's EXAMPLES run as written and print what the page shows" {
	cp "$F"/*.tsv "$T/"
	run man_examples "$TALLY_ROOT/man/tally-split.1" "$T"
	[ "$status" -eq 0 ]
	[ "$output" = "7 examples" ]
}

@test "unknown columns pass through in order; CRLF input; a header-only input gives the header" {
	printf '%s\r\n' $'note\tdate\tsource\torder\tline\tproduct\tkind\tcurrency\tnet\tz' \
		$'hello\t2026-10-01\tetsy\t1\t1\tX\tsale\tUSD\t0.01\t\\t' >"$T/s.tsv"
	run --separate-stderr tally-split -a "$F/penny.tsv" "$T/s.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' \
		$'note\tdate\tsource\torder\tline\tproduct\tkind\tcurrency\tnet\tz\tpayee\ttier\tagreement\tshare\tamount' \
		$'hello\t2026-10-01\tetsy\t1\t1\tX\tsale\tUSD\t0.01\t\\t\tAna\t1\t2\t0.5\t0.005' \
		$'hello\t2026-10-01\tetsy\t1\t1\tX\tsale\tUSD\t0.01\t\\t\tBen\t1\t3\t0.3\t0.003' \
		$'hello\t2026-10-01\tetsy\t1\t1\tX\tsale\tUSD\t0.01\t\\t\tCleo\t1\t4\t0.2\t0.002')" ]
	[ -z "$stderr" ]
	head -n 1 "$F/agent-sales.tsv" >"$T/empty.tsv"
	run --separate-stderr tally-split -a "$F/agent.tsv" -s "$T/st" "$T/empty.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = $'date\tsource\torder\tline\tproduct\tkind\tsale_date\tcurrency\tnet\tpayee\ttier\tagreement\tshare\tamount' ]
	[ -z "$stderr" ]
	[ "$(tally-split --state-dump "$T/st" | head -1)" = "# tally-split state 2" ]
	[ "$(grep -c '^seen' <(tally-split --state-dump "$T/st"))" -eq 0 ]
	[ "$(tally-split --state-dump "$T/st" | tail -1 | cut -f1,2)" = $'end\t1' ]
}

@test "--explain to a FIFO writes through it and leaves it a FIFO" {
	mkfifo "$T/fifo"
	cat "$T/fifo" >"$T/why.txt" &
	run --separate-stderr tally-split -a "$F/agent.tsv" -e "$T/fifo" "$F/agent-sales.tsv"
	[ "$status" -eq 0 ]
	wait
	[ -p "$T/fifo" ]
	[ "$(wc -l <"$T/why.txt")" -eq 4 ]
}

@test "split | report from stdin: every micro-unit of the sales reaches a statement" {
	printf '%s\n' $'match\ttier\tpayee\tshare\tcap' $'*\t1\tAgent\t15%' $'*\t2\tLabel\t100%\t30.00 USD' \
		$'*\t3\tAna\t1/3' $'*\t3\tBen\t1/3' $'*\t3\tCleo\t1/3' >"$T/a.tsv"
	sales "$T/s.tsv" $'2026-09-01\tetsy\t1\t1\tX\tsale\t\tUSD\t10.01' \
		$'2026-09-02\tetsy\t2\t1\tX\tsale\t\tUSD\t33.33' \
		$'2026-09-03\tetsy\t3\t1\tX\tfee\t\tUSD\t-0.07' \
		$'2026-10-01\tetsy\t4\t1\tX\tsale\t\tUSD\t0.05' \
		$'2026-10-02\tetsy\t2\t1\tX\trefund\t2026-09-02\tUSD\t-33.33' \
		$'2026-10-03\tetsy\t5\t1\tX\tsale\t\tUSD\t7.77'
	run --separate-stderr bash -c "set -o pipefail; tally-split -a '$T/a.tsv' - <'$T/s.tsv' | tally-report --min-payout USD=5 -"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(grep -P '\tperiod_(earned|paid|carried_forward)\t' <<<"$output" | cut -f3,5,8 | sort -u)" = "$(printf '%s\n' \
		$'2026-09\tperiod_carried_forward\t6.84' $'2026-09\tperiod_earned\t43.27' $'2026-09\tperiod_paid\t36.43' \
		$'2026-10\tperiod_carried_forward\t-18.67' $'2026-10\tperiod_earned\t-25.51' $'2026-10\tperiod_paid\t0.00')" ]
	# the refund after recoupment: the label gives back, the band keeps September's share
	assert_line $'2026-10/0005\tLabel\t2026-10\tUSD\tcarried_forward\t\t\t-21.683'
	assert_line $'2026-10/0002\tAna\t2026-10\tUSD\tcarried_forward\t\t\t2.279667'
	run --separate-stderr bash -c "set -o pipefail; tally-split -a '$T/a.tsv' - <'$T/s.tsv' | tally-report --check"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'period\tcurrency\tnet_sales\tallocated\tpaid\tcarried_change\tstatus' \
		$'2026-09\tUSD\t43.27\t43.27\t43.24\t0.03\tok' $'2026-10\tUSD\t-25.51\t-25.51\t0.00\t-25.51\tok')" ]
}

# -o FILE (review C12), options given twice (C20), weights that look like
# fractions (C16), the page's agreement files are the fixtures (B10).
@test "-o FILE: the allocations are written to FILE, stdout stays empty" {
	run --separate-stderr tally-split -a "$F/agent.tsv" -o "$T/alloc.tsv" "$F/agent-sales.tsv"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ "$(cut -f10- "$T/alloc.tsv")" = "$(printf '%s\n' $'payee\ttier\tagreement\tshare\tamount' \
		$'Mara (manager)\t1\t3\t0.15\t1.50' $'Ana\t2\t4\t0.425\t4.25' $'Ben\t2\t5\t0.425\t4.25')" ]
}

@test "-o FILE: a run that fails leaves FILE and the state as they were" {
	echo "last month" >"$T/alloc.tsv"
	sales "$T/s.tsv" $'2026-10-01\tetsy\t1\t1\tX\tsale\t\tUSD\t1.00' $'2026-10-01\tetsy\t2\t1\tX\tsale\t\tUSD\t1,00'
	run --separate-stderr tally-split -a "$F/agent.tsv" -s "$T/st" -o "$T/alloc.tsv" "$T/s.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: $T/s.tsv:3: column \"net\": \"1,00\" is not an amount" ]
	[ "$(cat "$T/alloc.tsv")" = "last month" ]
	[ ! -e "$T/st" ]
	[ "$(ls -A "$T" | grep -c '^\.alloc')" -eq 0 ]
}

@test "a re-downloaded export corrected where no money is (tax) re-runs its month: the file a run wrote is left as it was" {
	# reported: a re-downloaded month whose September row had its tax corrected stopped the job with
	# "not the file the run that split them wrote", offering only --force (which pays twice)
	printf '%s\n' $'date\tsource\torder\tline\tproduct\tkind\tsale_date\tcurrency\ttax\tnet' \
		$'2026-09-10\tbandcamp\t2001\t1\tLanterns (vinyl LP)\tsale\t\tUSD\t0.00\t2000.00' >"$T/sep.tsv"
	cp "$T/sep.tsv" "$T/oct.tsv"
	echo $'2026-10-10\tbandcamp\t2002\t1\tLanterns (vinyl LP)\tsale\t\tUSD\t0.00\t2500.00' >>"$T/oct.tsv"
	sed 's/\t0\.00\t2000\.00$/\t5.00\t2000.00/' "$T/oct.tsv" >"$T/oct-corrected.tsv"
	! cmp -s "$T/oct.tsv" "$T/oct-corrected.tsv"
	tally-split --agreements "$F/advance.tsv" --state "$T/st" --output "$T/alloc-sep.tsv" "$T/sep.tsv" 2>/dev/null
	tally-split --agreements "$F/advance.tsv" --state "$T/st" --output "$T/alloc-oct.tsv" "$T/oct.tsv" 2>/dev/null
	cp "$T/alloc-oct.tsv" "$T/alloc-oct.before"
	cp "$T/st" "$T/st.before"
	run --separate-stderr tally-split --agreements "$F/advance.tsv" --state "$T/st" --output "$T/alloc-oct.tsv" "$T/oct-corrected.tsv"
	[ "$status" -eq 0 ]
	[ "${stderr_lines[0]}" = "tally-split: $T/alloc-oct.tsv is left as it was: an earlier run of this state wrote it, and every row of this input was split already with the same amounts" ]
	cmp "$T/alloc-oct.tsv" "$T/alloc-oct.before"
	cmp "$T/st" "$T/st.before"
	# a file no run of this state wrote is still refused
	echo "edited" >>"$T/alloc-oct.tsv"
	run --separate-stderr tally-split --agreements "$F/advance.tsv" --state "$T/st" --output "$T/alloc-oct.tsv" "$T/oct-corrected.tsv"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"is not the file the run that split them wrote"* ]]
}

@test "-o FILE: a re-run of the same input leaves FILE and the state byte for byte as they were" {
	run tally-split -a "$F/advance.tsv" -s "$T/st" -o "$T/alloc.tsv" "$F/advance-sep.tsv"
	[ "$status" -eq 0 ]
	cp "$T/alloc.tsv" "$T/alloc.before"
	cp "$T/st" "$T/st.before"
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/st" -o "$T/alloc.tsv" "$F/advance-sep.tsv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "$(printf '%s\n' "tally-split: $T/alloc.tsv is left as it was: the run that split this input wrote it" \
		"tally-split: passed over 1 row split already (state $T/st)")" ]
	cmp "$T/alloc.tsv" "$T/alloc.before"
	cmp "$T/st" "$T/st.before"
	# the month's file edited by hand: not what that run wrote, so nothing changes and it says so
	echo "edited" >>"$T/alloc.tsv"
	cp "$T/alloc.tsv" "$T/alloc.edited"
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/st" -o "$T/alloc.tsv" "$F/advance-sep.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: every row was split already (state $T/st), but $T/alloc.tsv is not the file the run that split them wrote: it and the state are left as they were; --force splits the rows again and pays them twice" ]
	cmp "$T/alloc.tsv" "$T/alloc.edited"
	cmp "$T/st" "$T/st.before"
	# a cumulative file: the old row is passed over, the new one split, FILE holds the new rows
	cat "$F/advance-sep.tsv" >"$T/both.tsv"
	tail -n +2 "$F/advance-oct.tsv" >>"$T/both.tsv"
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/st" -o "$T/alloc2.tsv" "$T/both.tsv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "tally-split: passed over 1 row split already (state $T/st)" ]
	[ "$(cut -f3,9- "$T/alloc2.tsv")" = "$(printf '%s\n' $'order\tnet\tpayee\ttier\tagreement\tshare\tamount' \
		$'2002\t2500.00\tOrchard Records\t1\t3\t1\t2500.00')" ]
	cp "$T/alloc2.tsv" "$T/alloc2.before"
	cp "$T/st" "$T/st.before"
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/st" -o "$T/alloc2.tsv" "$T/both.tsv"
	[ "$status" -eq 0 ]
	cmp "$T/alloc2.tsv" "$T/alloc2.before"
	cmp "$T/st" "$T/st.before"
}

@test "-o FILE in a folder that does not exist: status 2" {
	run --separate-stderr tally-split -a "$F/agent.tsv" -o "$T/no/alloc.tsv" "$F/agent-sales.tsv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-split: $T/no/alloc.tsv: No such file or directory" ]
}

@test "an option that takes one value given twice is a usage error" {
	for opt in "-a $F/agent.tsv" "-o $T/a -o" "-s $T/a -s" "-k sale -k" "-e $T/a -e" "-r $T/a -r" "-x $T/a -x" "--default-payee A --default-payee"; do
		run --separate-stderr tally-split -a "$F/agent.tsv" $opt "$T/b" "$F/agent-sales.tsv"
		[ "$status" -eq 2 ] || fail "$opt: $status"
		[ -z "$output" ]
		[ "${stderr_lines[1]}" = "usage: tally-split -a AGREEMENTS [--default-payee PAYEE] [-e FILE] [-k KINDS] [-o FILE]" ]
	done
	run --separate-stderr tally-split -a "$F/agent.tsv" --kinds sale --kinds tip "$F/agent-sales.tsv"
	[ "${stderr_lines[0]}" = "tally-split: --kinds given more than once" ]
}

@test "last-tier weights all below 1 not summing to 1: split in proportion, with a warning naming the line" {
	printf '%s\n' '# weights' $'match\ttier\tpayee\tshare' $'*\t1\tAgent\t10%' $'*\t2\tAna\t0.6' $'*\t2\tBen\t0.3' >"$T/w.tsv"
	split_cut 10- -a "$T/w.tsv" "$F/agent-sales.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'payee\ttier\tagreement\tshare\tamount' \
		$'Agent\t1\t3\t0.1\t1.00' $'Ana\t2\t4\t0.6\t6.00' $'Ben\t2\t5\t0.3\t3.00')" ]
	[ "$stderr" = "tally-split: $T/w.tsv:4: tier 2: weights below 1 that sum to 0.9, not 1, are divided in proportion (Ana 66.666667%, Ben 33.333333%); if they are fractions of the whole, write percentages that total 100%" ]
	printf '%s\n' $'match\tpayee\tshare' $'*\tAna\t0.5' $'*\tBen\t0.5' >"$T/half.tsv"
	split_cut 10- -a "$T/half.tsv" "$F/agent-sales.tsv"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' $'match\tpayee\tshare' $'*\tAna\t2' $'*\tBen\t0.5' >"$T/big.tsv"
	split_cut 10- -a "$T/big.tsv" "$F/agent-sales.tsv"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "the agreements files the page shows are the fixtures, byte for byte (so its line numbers hold)" {
	awk '/^\.Bd -literal/{ex=1; n++; next} ex && /^\.Ed/{ex=0; next} ex{print > (dir "/ex" n)}' dir="$T" \
		"$TALLY_ROOT/man/tally-split.1"
	for f in agent advance dated penny; do
		found=
		for ex in "$T"/ex*; do
			sed -e 's/\\-/-/g' -e 's/\\e/\\/g' -e 's/\\&//g' "$ex" | cmp -s - "$F/$f.tsv" && found=1
		done
		[ -n "$found" ] || fail "$f.tsv is not shown as it is in tally-split(1)"
	done
}

@test "a refund whose sale_date is outside every agreement names the sale_date column" {
	printf '%s\n' $'match\tfrom\tpayee\tshare' $'P\t2026-01-01\tA\t100%' >"$T/d.tsv"
	sales "$T/s.tsv" $'2026-02-01\tetsy\t1\t1\tP\trefund\t2025-12-31\tUSD\t-1.00'
	run --separate-stderr tally-split -a "$T/d.tsv" "$T/s.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: $T/s.tsv:2: column \"sale_date\": \"2025-12-31\" is outside every agreement for product \"P\" ($T/d.tsv lines 2)" ]
}

# ---- the monthly cycle (issue 10) and the state's integrity (issue 17) ----

COLS=$'payee\ttier\tagreement\tshare\tamount'

@test "a Stripe refund claws back from its sale's payees by the sale's agreement, found in the state" {
	# October: the course (Course*, line 5) is Ana's alone: 100.00 to Ana.
	sales "$T/oct.tsv" $'2026-10-03T10:00:00Z\tstripe\tch_1\t1\tCourse: Pro\tsale\t\tUSD\t100.00'
	# November: Stripe names the refund row after the charge, not the product.
	sales "$T/nov.tsv" $'2026-11-04T10:00:00Z\tstripe\tch_1\t1\tREFUND FOR CHARGE (Course: Pro)\trefund\t\tUSD\t-100.00'
	split_cut 10- -a "$F/courses.tsv" -s "$T/st" "$T/oct.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' "$COLS" $'Ana\t1\t5\t1\t100.00')" ]
	split_cut 10- -a "$F/courses.tsv" -s "$T/st" -e "$T/why.txt" "$T/nov.tsv"
	[ "$status" -eq 0 ]
	# not 60/40 by "*": -100.00 from Ana, as the sale paid her
	[ "$output" = "$(printf '%s\n' "$COLS" $'Ana\t1\t5\t1\t-100.00')" ]
	grep -q 'agreement date 2026-10-03 (the date the state recorded for the order' "$T/why.txt"
	grep -q 'agreement line 5: match "Course\*"' "$T/why.txt"
}

@test "a refund split with its sale in one run goes by the sale's agreement" {
	sales "$T/s.tsv" $'2026-10-03\tstripe\tch_1\t1\tCourse: Pro\tsale\t\tUSD\t100.00' \
		$'2026-10-09\tstripe\tch_1\t1\tREFUND FOR CHARGE (Course: Pro)\trefund\t\tUSD\t-40.00'
	split_cut 6,10- -a "$F/courses.tsv" -s "$T/st" "$T/s.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'kind\t'"$COLS" $'sale\tAna\t1\t5\t1\t100.00' $'refund\tAna\t1\t5\t1\t-40.00')" ]
}

@test "a refund whose sale is unknown and whose product reaches only the catch-all is refused, not re-matched" {
	sales "$T/nov.tsv" $'2026-11-04\tstripe\tch_9\t1\tREFUND FOR CHARGE (Course: Pro)\trefund\t\tUSD\t-100.00' \
		$'2026-11-05\tstripe\tch_10\t1\tEbook\tsale\t\tUSD\t10.00'
	run --separate-stderr tally-split -a "$F/courses.tsv" -s "$T/st" "$T/nov.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: $T/nov.tsv:2: refund of (stripe, ch_9, 1): its sale is not in the state and it has no sale_date, and its product \"REFUND FOR CHARGE (Course: Pro)\" reaches only the catch-all agreement \"*\" ($F/courses.tsv line 3); split it with its sale, or give it its sale's product" ]
	[ ! -e "$T/st" ]
	# without --state the same
	run --separate-stderr tally-split -a "$F/courses.tsv" "$T/nov.tsv"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"its sale is not in the state (no --state) and it has no sale_date"* ]]
	# with --rejects it is set aside and the rest is split
	split_cut 3,10- -a "$F/courses.tsv" -s "$T/st" -r "$T/rej.tsv" "$T/nov.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'order\t'"$COLS" $'ch_10\tAna\t1\t3\t0.6\t6.00' $'ch_10\tBen\t1\t4\t0.4\t4.00')" ]
	[ "$(cut -f3 "$T/rej.tsv" | tail -1)" = "ch_9" ]
	# a refund naming its own product, or its sale_date, is split by its fields as before
	sales "$T/r.tsv" $'2026-11-04\tstripe\tch_8\t1\tCourse: Pro\trefund\t\tUSD\t-10.00' \
		$'2026-11-04\tstripe\tch_7\t1\tREFUND FOR CHARGE\trefund\t2026-10-01\tUSD\t-10.00'
	split_cut 3,10- -a "$F/courses.tsv" "$T/r.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'order\t'"$COLS" $'ch_8\tAna\t1\t5\t1\t-10.00' $'ch_7\tAna\t1\t3\t0.6\t-6.00' $'ch_7\tBen\t1\t4\t0.4\t-4.00')" ]
}

@test "a refund whose sale's agreement left the agreements file is refused, naming it" {
	sales "$T/oct.tsv" $'2026-10-03\tstripe\tch_1\t1\tCourse: Pro\tsale\t\tUSD\t100.00'
	sales "$T/nov.tsv" $'2026-11-04\tstripe\tch_1\t1\tREFUND FOR CHARGE (Course: Pro)\trefund\t\tUSD\t-100.00'
	run tally-split -a "$F/courses.tsv" -s "$T/st" "$T/oct.tsv"
	[ "$status" -eq 0 ]
	head -4 "$F/courses.tsv" >"$T/a.tsv"
	run --separate-stderr tally-split -a "$T/a.tsv" -s "$T/st" "$T/nov.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: $T/nov.tsv:2: its sale was split by the agreement \"Course*\" (state $T/st), which $T/a.tsv no longer has; put it back (with its from and to) to split this row" ]
}

@test "a refund whose sale's agreement was edited in place is refused, not split by the new shares" {
	sales "$T/oct.tsv" $'2026-10-03\tstripe\tch_1\t1\tCourse: Pro\tsale\t\tUSD\t100.00'
	sales "$T/nov.tsv" $'2026-11-04\tstripe\tch_1\t1\tREFUND FOR CHARGE (Course: Pro)\trefund\t\tUSD\t-100.00'
	run tally-split -a "$F/courses.tsv" -s "$T/st" "$T/oct.tsv"
	[ "$status" -eq 0 ]
	# Course* now 50/50 with Ben, edited in place rather than dated
	head -4 "$F/courses.tsv" >"$T/a.tsv"
	printf '%s\n' $'Course*\t1\tAna\t50%' $'Course*\t1\tBen\t50%' >>"$T/a.tsv"
	run --separate-stderr tally-split -a "$T/a.tsv" -s "$T/st" "$T/nov.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: $T/nov.tsv:2: its sale was split by the agreement \"Course*\" (state $T/st) as it was before an edit in place (payees, shares or caps differ now): put the old terms back, end them with \"to\" and start the new ones with \"from\", so that this row goes by the split its sale had" ]
	# changed the right way: the old terms end in October, the new start in November;
	# the refund of October's sale still claws back 100% from Ana
	printf '%s\n' $'match\tfrom\tto\tpayee\tshare' $'*\t\t\tAna\t60%' $'*\t\t\tBen\t40%' \
		$'Course*\t\t2026-10-31\tAna\t100%' $'Course*\t2026-11-01\t\tAna\t50%' $'Course*\t2026-11-01\t\tBen\t50%' >"$T/b.tsv"
	split_cut 10- -a "$T/b.tsv" -s "$T/st" "$T/nov.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' "$COLS" $'Ana\t1\t4\t1\t-100.00')" ]
}

@test "a changed row's output carries the difference in gross and net both: a statement's steps add up to it" {
	# a Gumroad partial refund read from its sale's record (origin), grown from 10.00 to 25.00
	printf '%s\n' $'date\tsource\torder\tline\tproduct\tkind\tsale_date\tcurrency\tgross\tnet\torigin' \
		$'2026-09-01\tgumroad\tGS1\t1\tZine\tsale\t\tUSD\t30.00\t27.00\tr1' \
		$'2026-09-01\tgumroad\tGS1\t1\tZine\trefund\t2026-09-01\tUSD\t-10.00\t-10.00\tr1' >"$T/sep.tsv"
	sed 's/-10.00\t-10.00/-25.00\t-25.00/' "$T/sep.tsv" >"$T/oct.tsv"
	printf 'match\tpayee\tshare\n*\tDee\t100%%\n' >"$T/a.tsv"
	tally-split -a "$T/a.tsv" -s "$T/st" "$T/sep.tsv" >/dev/null
	run --separate-stderr tally-split -a "$T/a.tsv" -s "$T/st" "$T/oct.tsv"
	[ "$status" -eq 0 ]
	# before: gross -25.00 beside net -15.00, shown as "gross -25.00 + fees 10.00 = -15.00"
	[ "$(tail -n +2 <<<"$output" | cut -f6,9,10,16)" = $'refund\t-15.00\t-15.00\t-15.00' ]
	printf 'match\tpayee\tshare\n*\tDee\t2%%\n*\tAna\t98%%\n' >"$T/a2.tsv"
	tally-split --waterfall -a "$T/a2.tsv" -s "$T/st2" "$T/sep.tsv" >/dev/null
	tally-split --waterfall -a "$T/a2.tsv" -s "$T/st2" "$T/oct.tsv" 2>/dev/null >"$T/w.tsv"
	run tally-report -f text "$T/w.tsv"
	[ "$status" -eq 0 ]
	[[ "$output" != *fees* ]] && [[ "$output" == *"gumroad: Zine"*"-0.30"* ]]
}

@test "a row split before that has changed yields exactly the difference; the unchanged are passed over" {
	# October: G1 sells 10.00 (Ana 60%, Ben 40%).
	sales "$T/oct.tsv" $'2026-10-05\tgumroad\tG1\t1\tEbook\tsale\t\tUSD\t10.00'
	# The re-downloaded export: G1 now nets 4.00 (partly refunded in place); G2 is new.
	sales "$T/nov.tsv" $'2026-10-05\tgumroad\tG1\t1\tEbook\tsale\t\tUSD\t4.00' \
		$'2026-11-02\tgumroad\tG2\t1\tEbook\tsale\t\tUSD\t5.00'
	run tally-split -a "$F/courses.tsv" -s "$T/st" "$T/oct.tsv"
	[ "$status" -eq 0 ]
	split_cut 3,9- -a "$F/courses.tsv" -s "$T/st" "$T/nov.tsv"
	[ "$status" -eq 0 ]
	# G1: 4.00 - 10.00 = -6.00 split as the sale was: -3.60 and -2.40
	[ "$output" = "$(printf '%s\n' $'order\tnet\t'"$COLS" \
		$'G1\t-6.00\tAna\t1\t3\t0.6\t-3.60' $'G1\t-6.00\tBen\t1\t4\t0.4\t-2.40' \
		$'G2\t5.00\tAna\t1\t3\t0.6\t3.00' $'G2\t5.00\tBen\t1\t4\t0.4\t2.00')" ]
	[ "$stderr" = "tally-split: 1 row changed since it was split: the difference was split" ]
	# the same file again: nothing new
	run --separate-stderr tally-split -a "$F/courses.tsv" -s "$T/st" "$T/nov.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$HDR"$'\tpayee\ttier\tagreement\tshare\tamount' ]
	[ "$stderr" = "tally-split: passed over 2 rows split already (state $T/st)" ]
}

@test "two partial refunds of one order line are two rows, across cumulative exports too" {
	sales "$T/oct.tsv" $'2026-10-01\tetsy\tE1\t1\tPoster\tsale\t\tUSD\t20.00' \
		$'2026-10-05\tetsy\tE1\t1\tPoster\trefund\t\tUSD\t-5.00' \
		$'2026-10-05\tetsy\tE1\t1\tPoster\trefund\t\tUSD\t-5.00'
	split_cut 6,10- -a "$F/courses.tsv" -s "$T/st" "$T/oct.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'kind\t'"$COLS" $'sale\tAna\t1\t3\t0.6\t12.00' $'sale\tBen\t1\t4\t0.4\t8.00' \
		$'refund\tAna\t1\t3\t0.6\t-3.00' $'refund\tBen\t1\t4\t0.4\t-2.00' \
		$'refund\tAna\t1\t3\t0.6\t-3.00' $'refund\tBen\t1\t4\t0.4\t-2.00')" ]
	# November's export is cumulative: October's three rows again, and a third partial refund
	cp "$T/oct.tsv" "$T/nov.tsv"
	printf '%s\n' $'2026-11-02\tetsy\tE1\t1\tPoster\trefund\t\tUSD\t-2.00' >>"$T/nov.tsv"
	split_cut 6,10- -a "$F/courses.tsv" -s "$T/st" "$T/nov.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'kind\t'"$COLS" $'refund\tAna\t1\t3\t0.6\t-1.20' $'refund\tBen\t1\t4\t0.4\t-0.80')" ]
	[ "$stderr" = "tally-split: passed over 3 rows split already (state $T/st)" ]
}

@test "a second partial refund of a line on the same date, in a later run, is a new row, not a change" {
	# issue 10: October's run split the sale and a 5.00 refund; the
	# re-downloaded export then holds a second 3.00 refund of the same
	# line on the same day: 60/40, Ana -1.80, Ben -1.20 (a "change" would
	# have split the difference, +2.00, giving money back)
	sales "$T/oct.tsv" $'2026-10-01\tetsy\tE2\t1\tPoster\tsale\t\tUSD\t20.00' \
		$'2026-10-05\tetsy\tE2\t1\tPoster\trefund\t\tUSD\t-5.00'
	split_cut 6,10- -a "$F/courses.tsv" -s "$T/st" "$T/oct.tsv"
	[ "$status" -eq 0 ]
	cp "$T/oct.tsv" "$T/again.tsv"
	printf '%s\n' $'2026-10-05\tetsy\tE2\t1\tPoster\trefund\t\tUSD\t-3.00' >>"$T/again.tsv"
	split_cut 6,10- -a "$F/courses.tsv" -s "$T/st" "$T/again.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'kind\t'"$COLS" $'refund\tAna\t1\t3\t0.6\t-1.80' $'refund\tBen\t1\t4\t0.4\t-1.20')" ]
	[ "$stderr" = "tally-split: passed over 2 rows split already (state $T/st)" ]
	# and both refunds fed once more, in the other order: nothing new
	{ head -n 2 "$T/oct.tsv"; tail -n 1 "$T/again.tsv"; sed -n 3p "$T/oct.tsv"; } >"$T/swapped.tsv"
	split_cut 6,10- -a "$F/courses.tsv" -s "$T/st" "$T/swapped.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = $'kind\t'"$COLS" ]
	[ "$stderr" = "tally-split: passed over 3 rows split already (state $T/st)" ]
}

@test "a second equal partial refund on the same date: split when the later input holds the whole day; alone, it cannot be told (no refund id)" {
	# issue 10: October's run split E3's 20.00 sale and a 5.00 refund of 2026-10-05; a second
	# 5.00 refund of that line on that day comes later.  A download of the whole day holds
	# both: the first is passed over, the second split (60/40: -3.00, -2.00)
	sales "$T/oct.tsv" $'2026-10-01\tetsy\tE3\t1\tPoster\tsale\t\tUSD\t20.00' \
		$'2026-10-05\tetsy\tE3\t1\tPoster\trefund\t\tUSD\t-5.00'
	run -0 tally-split -a "$F/courses.tsv" -s "$T/st" -o "$T/oct.alloc" "$T/oct.tsv"
	cp -r "$T/st" "$T/st.oct"
	cp -r "$T/st.keys" "$T/st.oct.keys"
	cp "$T/oct.tsv" "$T/day.tsv"
	printf '%s\n' $'2026-10-05\tetsy\tE3\t1\tPoster\trefund\t\tUSD\t-5.00' >>"$T/day.tsv"
	split_cut 6,10- -a "$F/courses.tsv" -s "$T/st" "$T/day.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'kind\t'"$COLS" $'refund\tAna\t1\t3\t0.6\t-3.00' $'refund\tBen\t1\t4\t0.4\t-2.00')" ]
	# the limit (tally-split(1), the state file): a download holding the second refund alone
	# is the first fed again as far as the stream tells, which has no id of the refund's own
	sales "$T/alone.tsv" $'2026-10-05\tetsy\tE3\t1\tPoster\trefund\t\tUSD\t-5.00'
	split_cut 6,10- -a "$F/courses.tsv" -s "$T/st.oct" "$T/alone.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = $'kind\t'"$COLS" ]
	[ "$stderr" = "tally-split: passed over 1 row split already (state $T/st.oct)" ]
}

# gumroad_sale REFUNDED? PARTIAL FULLY: Gumroad's sales export of one 100.00
# ebook sale (fee 10.00) of 2026-10-04, as its refund columns stand at the download, and its Totals
gumroad_sale() {
	head -n 1 "$TALLY_ROOT/scripts/demo/exports/gumroad.csv"
	echo "G7,Ebook,Ivo,ivo@example.com,,0,2026-10-04,2026-10-04 07:57:38 +0000,100.0,0.0,0.0,100.0,10.0,90.0,0.0,,,,,,Germany,direct,$1,$2,$3,0,0,,,0,0,0,ebook,310000,,{},100.0,0.0,,,1,,,0.0,0,,,,,card,,,,ch_3Q7,0.59,usd,0,0,0,,,,,"
	echo "Totals,,,,,,,,100.0,0.0,0.0,100.0,10.0,90.0,0.0" # Gumroad's last row of every export
}

@test "Gumroad's refund columns are the refunds so far: each re-download claws back only what is new, the ledger takes it" {
	# Gumroad's exporter shows the sum of a sale's partial refunds in "Partial Refund ($)"
	# (its own test: 23.01 then 33.47 show 56.48), and "Fully Refunded?" once they reach the
	# price.  October's download: 23.01 refunded; November's: 56.48 so far; December's:
	# fully refunded.  Ana 60%, Ben 40% of each new part: -23.01, -33.47, -43.52 (the
	# whole 100.00 once), not -23.01, -56.48, -100.00 (179.49 clawed back from a 100.00 sale)
	gumroad_sale 1 23.01 0 >"$T/oct.csv"
	gumroad_sale 1 56.48 0 >"$T/nov.csv"
	gumroad_sale 1 0.0 1 >"$T/dec.csv"
	expect=($'sale\t90.00\tAna\t54.00' $'sale\t90.00\tBen\t36.00' $'refund\t-23.01\tAna\t-13.806' $'refund\t-23.01\tBen\t-9.204'
		$'refund\t-33.47\tAna\t-20.082' $'refund\t-33.47\tBen\t-13.388' $'refund\t-43.52\tAna\t-26.112' $'refund\t-43.52\tBen\t-17.408')
	for m in oct nov dec; do
		tally-ingest "$T/$m.csv" >"$T/$m.tsv" 2>/dev/null
		run --separate-stderr tally-split -a "$F/courses.tsv" -s "$T/st" -o "$T/$m.alloc" "$T/$m.tsv"
		[ "$status" -eq 0 ]
	done
	[ "$(cut -f7,14,18,22 "$T/oct.alloc" | tail -n +2)" = "$(printf '%s\n' "${expect[@]:0:4}")" ]
	[ "$(cut -f7,14,18,22 "$T/nov.alloc" | tail -n +2)" = "$(printf '%s\n' "${expect[@]:4:2}")" ]
	[ "$(cut -f7,14,18,22 "$T/dec.alloc" | tail -n +2)" = "$(printf '%s\n' "${expect[@]:6:2}")" ]
	[ "$stderr" = "$(printf '%s\n' "tally-split: passed over 1 row split already (state $T/st)" \
		"tally-split: 1 row changed since it was split: the difference was split")" ]
	# the ledger posts each difference into the month it arrives (late: the refund is dated
	# with its sale); over the three months Ana earned 54.00 - 60.00 and Ben 36.00 - 40.00
	run -0 tally-report -l "$T/l" -p 2026-10 "$T/oct.alloc"
	run -0 tally-report -l "$T/l" -p 2026-11 "$T/nov.alloc"
	run -0 tally-report -l "$T/l" -p 2026-12 "$T/dec.alloc"
	[ "$(awk -F'\t' '$2 ~ /^(Ana|Ben)$/ { e[$2] += $6 } END { printf "%.2f %.2f", e["Ana"], e["Ben"] }' "$T/l")" = "-6.00 -4.00" ]
	# and December's download fed again: nothing new
	run --separate-stderr tally-split -a "$F/courses.tsv" -s "$T/st" "$T/dec.tsv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "tally-split: passed over 2 rows split already (state $T/st)" ]
	[ "${#lines[@]}" -eq 1 ]
}

@test "overlapping exports never recoup an advance twice" {
	cat "$F/advance-sep.tsv" >"$T/all.tsv"
	tail -n +2 "$F/advance-oct.tsv" >>"$T/all.tsv"
	run tally-split -a "$F/advance.tsv" -s "$T/st" "$F/advance-sep.tsv"
	run tally-split -a "$F/advance.tsv" -s "$T/st" "$T/all.tsv"
	[ "$status" -eq 0 ]
	run tally-split -a "$F/advance.tsv" -s "$T/st" "$T/all.tsv"
	[ "$status" -eq 0 ]
	# 2000.00 + 2500.00, each once
	[ "$(grep '^cap' <(tally-split --state-dump "$T/st"))" = $'cap\t*\t\t\t1\tUSD\t4500.00' ]
}

@test "payee names differing only by case, spaces or a decomposed accent are an error, not two balances" {
	agreements_error $'match\tpayee\tshare\n*\tAna\t50%\nX\tana\t100%\n*\tBen\t50%\n' 3 \
		'column "payee": "ana" and "Ana" (line 2) differ only by case or spaces: they would be two balances; write one name'
	agreements_error $'match\tpayee\tshare\n*\tAna  Lee\t50%\n*\tBen\t50%\nX\t Ana Lee\t100%\n' 4 \
		'column "payee": " Ana Lee" and "Ana  Lee" (line 2) differ only by case or spaces: they would be two balances; write one name'
	agreements_error $'match\tpayee\tshare\n*\tJOSÉ\t50%\n*\tBen\t50%\nX\tJosé\t100%\n' 4 \
		'column "payee": "José" and "JOSÉ" (line 2) differ only by case or spaces: they would be two balances; write one name'
	agreements_error $'match\tpayee\tshare\n*\tŁukasz Żak\t50%\n*\tBen\t50%\nX\tłukasz żak\t100%\n' 4 \
		'column "payee": "łukasz żak" and "Łukasz Żak" (line 2) differ only by case or spaces: they would be two balances; write one name'
	run --separate-stderr tally-split -a "$F/agent.tsv" --default-payee 'ana' "$F/agent-sales.tsv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-split: --default-payee \"ana\" and the payee \"Ana\" ($F/agent.tsv line 4) differ only by case or spaces: they would be two balances; write one name" ]
	agreements_error $'match\tpayee\tshare\n*\tJose\xcc\x81\t100%\n' 2 \
		'column "payee": "Jose'$'\xcc\x81''" has a decomposed accent (not NFC): save the file with composed accents, so that it is one payee'
}

@test "an agreements or rates file saved as CSV or aligned with spaces: must be TAB-separated" {
	agreements_error $'match,payee,share\n*,Ana,100%\n' 1 \
		'the agreements file must be TAB-separated: the header line has no TAB (it looks comma-separated)' 2
	agreements_error $'match   payee   share\n*       Ana     100%\n' 1 \
		'the agreements file must be TAB-separated: the header line has no TAB (it looks aligned with spaces)' 2
	agreements_error $'match\tpayee\tshare\n*   Ana   100%\n' 2 \
		'the agreements file must be TAB-separated: this row has no TAB (it looks aligned with spaces)'
	printf '%s\n' 'date,currency,rate,to' '2026-10-01,EUR,1.08,USD' >"$T/rates.csv"
	run --separate-stderr tally-split -a "$F/agent.tsv" -x "$T/rates.csv" "$F/agent-sales.tsv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-split: $T/rates.csv:1: the rates file must be TAB-separated: the header line has no TAB (it looks comma-separated)" ]
}

@test "every product that matches no agreement is listed at once, with its count and total" {
	printf '%s\n' $'match\tpayee\tshare' $'Lanterns*\tA\t100%' >"$T/l.tsv"
	sales "$T/s.tsv" $'2026-10-01\tetsy\t1\t1\tPoster\tsale\t\tUSD\t1.00' \
		$'2026-10-01\tetsy\t2\t1\tLanterns LP\tsale\t\tUSD\t5.00' \
		$'2026-10-02\tetsy\t3\t1\tMug\tsale\t\tUSD\t7.50' \
		$'2026-10-03\tetsy\t4\t1\tPoster\tsale\t\tUSD\t2.25'
	run --separate-stderr tally-split -a "$T/l.tsv" -o "$T/out.tsv" -e "$T/why.txt" "$T/s.tsv"
	[ "$status" -eq 1 ]
	[ ! -e "$T/why.txt" ]
	[ "$stderr" = "$(printf '%s\n' \
		"tally-split: $T/s.tsv:2: column \"product\": \"Poster\" matches no agreement (source \"etsy\", sku \"\", kind \"sale\"): 2 rows, 3.25 USD" \
		"tally-split: $T/s.tsv:4: column \"product\": \"Mug\" matches no agreement (source \"etsy\", sku \"\", kind \"sale\"): 1 row, 7.50 USD" \
		"tally-split: 2 products match no agreement in $T/l.tsv: nothing written; --default-payee takes such rows")" ]
	[ ! -e "$T/out.tsv" ]
}

@test "an empty currency on the first rows is bad data, not amounts without decimals" {
	sales "$T/s.tsv" $'2026-10-01\tetsy\t1\t1\tX\tsale\t\t\t1.00' $'2026-10-01\tetsy\t2\t1\tX\tsale\t\tUSD\t1.00'
	run --separate-stderr tally-split -a "$F/agent.tsv" "$T/s.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: $T/s.tsv:2: column \"currency\": \"\" is not a known currency" ]
}

@test "a capped agreement whose match holds an escaped TAB writes a state the next run reads" {
	printf '%s\n' $'match\ttier\tpayee\tshare\tcap' $'A\\tB\t1\tLabel\t100%\t5.00 USD' $'A\\tB\t2\tAna\t100%' >"$T/a.tsv"
	sales "$T/s.tsv" $'2026-10-01\tetsy\t1\t1\tA\\tB\tsale\t\tUSD\t3.00'
	sales "$T/s2.tsv" $'2026-11-01\tetsy\t2\t1\tA\\tB\tsale\t\tUSD\t3.00'
	run tally-split -a "$T/a.tsv" -s "$T/st" "$T/s.tsv"
	[ "$status" -eq 0 ]
	split_cut 10- -a "$T/a.tsv" -s "$T/st" "$T/s2.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' "$COLS" $'Label\t1\t2\t0.666667\t2.00' $'Ana\t2\t3\t0.333333\t1.00')" ]
	[ "$(grep '^cap' <(tally-split --state-dump "$T/st"))" = $'cap\tA\\tB\t\t\t1\tUSD\t5.00' ]
}

@test "a state 1 file is read once and migrated: nothing it split is split again" {
	cp "$F/v1.state" "$T/st"
	# the cumulative export of September and October again, refund included: all passed over
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/st" "$F/v1-sales.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$HDR"$'\tpayee\ttier\tagreement\tshare\tamount' ]
	[ "$stderr" = "tally-split: $T/st: the text state 1 is migrated to sorted key segments (--state-dump writes it as text)
tally-split: passed over 3 rows split already (state $T/st)" ]
	# November: 4400.00 of 5000.00 recouped, so 600.00 to the label, 400.00 shared
	split_cut 10- -a "$F/advance.tsv" -s "$T/st" "$F/advance-nov.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' "$COLS" $'Orchard Records\t1\t3\t0.6\t600.00' \
		$'Ana\t2\t4\t0.2\t200.00' $'Ben\t2\t5\t0.2\t200.00')" ]
	[ "$(tally-split --state-dump "$T/st" | head -1)" = "# tally-split state 2" ]
	# the state 1 records are kept, with their keys (the key format is pinned by the unit tests)
	for h in 315a4355d1e2ca8e 402f2b54ec300535 f0bf295878ca80e7; do grep -q "^seen	$h	" <(tally-split --state-dump "$T/st"); done
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/st" "$F/v1-sales.tsv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "tally-split: passed over 3 rows split already (state $T/st)" ]
}

# a state with every kind of record: caps, classes, runs, seen rows
make_state() {
	run tally-split -a "$F/advance.tsv" -s "$T/st" "$F/advance-sep.tsv"
	sales "$T/r.tsv" $'2026-10-01\tbandcamp\t2001\t1\tLanterns (vinyl LP)\trefund\t\tUSD\t-100.00' \
		$'2026-10-02\tbandcamp\t2004\t1\tLanterns (vinyl LP)\tsale\t\tUSD\t10.00'
	run tally-split -a "$F/advance.tsv" -s "$T/st" "$T/r.tsv"
	[ "$status" -eq 0 ]
	tally-split --state-dump "$T/st" >"$T/txt"
}

# A text state fed to a run; it is migrated when whole.
split_text_state() {
	rm -f "$T/x.seal"
	tally-split -a "$F/advance.tsv" -s "$T/x" "$F/advance-oct.tsv"
}

@test "the text state's integrity (a dump given back): removed seen lines, an edited counter, a magic line alone are refused, naming the line" {
	make_state
	n=$(wc -l <"$T/txt")
	grep -v '^seen' "$T/txt" | head -n -1 >"$T/x"
	tail -1 "$T/txt" >>"$T/x"
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/x" "$F/advance-oct.tsv"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tally-split: $T/x:"*": the end record counts $((n - 2)) records, but "*" precede it: a line was removed or added; restore the state from a backup" ]]
	sed 's/^cap\(.*\)1910.00$/cap\11900.00/' "$T/txt" >"$T/x"
	! cmp -s "$T/x" "$T/txt"
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/x" "$F/advance-oct.tsv"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tally-split: $T/x:$n: the end record's digest "*" is not that of the lines before it ("*"): the state was edited or damaged; restore it from a backup" ]]
	echo "# tally-split state 2" >"$T/x"
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/x" "$F/advance-oct.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: $T/x:1: no end record after the last line: the state is cut short; restore it from a backup" ]
}

@test "tamper: every single-line removal and every digit edited in a text state is refused" {
	make_state
	n=$(wc -l <"$T/txt")
	refused=0 tried=0
	for ((i = 1; i <= n; i++)); do
		sed "${i}d" "$T/txt" >"$T/x"
		tried=$((tried + 1))
		split_text_state >/dev/null 2>"$T/err" || { [ $? -eq 1 ] && grep -q "^tally-split: $T/x:" "$T/err" && refused=$((refused + 1)); }
	done
	# every digit of every line, one at a time, changed to another digit
	while IFS=: read -r ln col; do
		awk -v ln="$ln" -v col="$col" 'NR == ln { d = substr($0, col, 1); $0 = substr($0, 1, col - 1) (d + 1) % 10 substr($0, col + 1) } { print }' "$T/txt" >"$T/x"
		tried=$((tried + 1))
		split_text_state >/dev/null 2>"$T/err" || { [ $? -eq 1 ] && grep -q "^tally-split: $T/x:" "$T/err" && refused=$((refused + 1)); }
	done < <(awk '{ for (i = 1; i <= length($0); i++) if (substr($0, i, 1) ~ /[0-9]/) print NR ":" i }' "$T/txt")
	echo "refused $refused of $tried" >&3
	[ "$tried" -gt 100 ]
	[ "$refused" -eq "$tried" ]
}

@test "golden: the state after September and October is byte for byte the committed one, and the page shows it" {
	run tally-split -a "$F/advance.tsv" -s "$T/st" "$F/advance-sep.tsv"
	[ "$status" -eq 0 ]
	run tally-split -a "$F/advance.tsv" -s "$T/st" "$F/advance-oct.tsv"
	[ "$status" -eq 0 ]
	# the key format, the records and the digests are pinned: a change would split sales twice
	tally-split --state-dump "$T/st" | cmp - "$F/advance-oct.state"
	sed -n '/^# tally-split state 2$/,/^end/p' "$TALLY_ROOT/man/tally-split.1" >"$T/page"
	cmp "$T/page" "$F/advance-oct.state"
}

@test "--force and --skip-seen: contradicting, and meaningless without --state" {
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/st" --force --skip-seen "$F/advance-sep.tsv"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "tally-split: --force and --skip-seen contradict each other" ]
	run --separate-stderr tally-split -a "$F/advance.tsv" --force "$F/advance-sep.tsv"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "tally-split: --force needs --state" ]
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/st" --skip-seen "$F/advance-sep.tsv"
	[ "$status" -eq 0 ]
}

@test "two options naming one file are a usage error: -s X -o X, -r R -o R, -o INPUT" {
	cp "$F/agent-sales.tsv" "$T/in.tsv"
	run --separate-stderr tally-split -a "$F/agent.tsv" -s "$T/x" -o "$T/x" "$T/in.tsv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-split: --output and --state name the same file: $T/x" ]
	[ ! -e "$T/x" ]
	run --separate-stderr tally-split -a "$F/agent.tsv" -r "$T/r" -o "$T/./r" "$T/in.tsv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-split: --output and --rejects name the same file: $T/r" ]
	run --separate-stderr tally-split -a "$F/agent.tsv" -o "$T/in.tsv" "$T/in.tsv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-split: --output and input name the same file: $T/in.tsv" ]
	cmp "$T/in.tsv" "$F/agent-sales.tsv"
	ln "$T/in.tsv" "$T/hard.tsv"
	run --separate-stderr tally-split -a "$F/agent.tsv" -s "$T/hard.tsv" "$T/in.tsv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-split: --state and input name the same file: $T/in.tsv" ]
	run --separate-stderr tally-split -a "$F/agent.tsv" -e /dev/null -r /dev/null "$T/in.tsv"
	[ "$status" -eq 0 ]
}

@test "a cycle of cumulative exports, a changed row and a re-run: report --check balances to the micro-unit" {
	# October: two sales.  November's export is cumulative: October's rows again (E1 now
	# nets 6.00: partly refunded in place), a new sale and a refund of E2.  Then November
	# is run again after a failure.
	sales "$T/oct.tsv" $'2026-10-01\tetsy\tE1\t1\tPoster\tsale\t\tUSD\t10.00' \
		$'2026-10-02\tetsy\tE2\t1\tMug\tsale\t\tUSD\t7.00'
	sales "$T/nov.tsv" $'2026-10-01\tetsy\tE1\t1\tPoster\tsale\t\tUSD\t6.00' \
		$'2026-10-02\tetsy\tE2\t1\tMug\tsale\t\tUSD\t7.00' \
		$'2026-11-03\tetsy\tE3\t1\tPoster\tsale\t\tUSD\t5.00' \
		$'2026-11-04\tetsy\tE2\t1\tMug\trefund\t\tUSD\t-7.00'
	run tally-split -a "$F/courses.tsv" -s "$T/st" -o "$T/alloc-oct.tsv" "$T/oct.tsv"
	[ "$status" -eq 0 ]
	run tally-split -a "$F/courses.tsv" -s "$T/st" -o "$T/alloc-nov.tsv" "$T/nov.tsv"
	[ "$status" -eq 0 ]
	cp "$T/alloc-nov.tsv" "$T/nov.before"
	run tally-split -a "$F/courses.tsv" -s "$T/st" -o "$T/alloc-nov.tsv" "$T/nov.tsv"
	[ "$status" -eq 0 ]
	cmp "$T/alloc-nov.tsv" "$T/nov.before"
	# November: E1's difference -4.00, E3 5.00, E2's refund -7.00: net -6.00, split 60/40
	[ "$(cut -f3,9,10,14 "$T/alloc-nov.tsv")" = "$(printf '%s\n' $'order\tnet\tpayee\tamount' \
		$'E1\t-4.00\tAna\t-2.40' $'E1\t-4.00\tBen\t-1.60' $'E3\t5.00\tAna\t3.00' $'E3\t5.00\tBen\t2.00' \
		$'E2\t-7.00\tAna\t-4.20' $'E2\t-7.00\tBen\t-2.80')" ]
	{ cat "$T/alloc-oct.tsv"; tail -n +2 "$T/alloc-nov.tsv"; } >"$T/all.tsv"
	run --separate-stderr tally-report --check "$T/all.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'period\tcurrency\tnet_sales\tallocated\tpaid\tcarried_change\tstatus' \
		$'2026-10\tUSD\t13.00\t13.00\t13.00\t0.00\tok' $'2026-11\tUSD\t-2.00\t-2.00\t0.00\t-2.00\tok')" ]
}

@test "a misspelt agreements column (caps, Share) is refused, not ignored: a cap would never be recouped" {
	printf 'match\ttier\tpayee\tshare\tcaps\n*\t1\tA\t100%%\t5.00 USD\n' >"$T/ag.tsv"
	printf 'date\tsource\torder\tline\tproduct\tsku\tkind\tcurrency\tgross\tfee\tnet\n2026-10-01\tx\t1\t1\tp\t\tsale\tUSD\t1.00\t0.00\t1.00\n' >"$T/s.tsv"
	run --separate-stderr tally-split -a "$T/ag.tsv" "$T/s.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: $T/ag.tsv:1: column \"caps\" is not an agreements column: did you mean \"cap\"? (names are lower case; columns of other names are ignored)" ]
	[ "$output" = "" ]
	printf 'match\ttier\tpayee\tShare\n*\t1\tA\t100%%\n' >"$T/ag2.tsv"
	run --separate-stderr tally-split -a "$T/ag2.tsv" "$T/s.tsv"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'column "Share" is not an agreements column: did you mean "share"?'* ]]
	# a column of another name is a note for the reader, and is ignored
	printf 'match\ttier\tpayee\tshare\tnote\n*\t1\tA\t100%%\tsigned 2026\n' >"$T/ag3.tsv"
	run -0 --separate-stderr tally-split -a "$T/ag3.tsv" "$T/s.tsv"
}

@test "a stream without a column the agreements match on is refused, not split by \"*\"" {
	sed '1s/\tproduct\t/\tProduct\t/' "$F/agent-sales.tsv" >"$T/np.tsv"
	run --separate-stderr tally-split -a "$TALLY_ROOT/scripts/demo/agreements.tsv" "$T/np.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: $T/np.tsv: no column \"product\", which the agreements match on ($TALLY_ROOT/scripts/demo/agreements.tsv): column names are lower case" ]
	[ "$output" = "" ]
}

@test "--ties rotate: the odd micro-unit goes round the payees month by month; first is the default" {
	printf 'match\ttier\tpayee\tshare\n*\t1\tAna\t1\n*\t1\tBen\t1\n*\t1\tCy\t1\n' >"$T/a.tsv"
	sales "$T/s.tsv" $'2026-09-05\tweb\to1\t1\tBook\tsale\t\tUSD\t0.000001' \
		$'2026-10-05\tweb\to2\t1\tBook\tsale\t\tUSD\t0.000001' \
		$'2026-11-05\tweb\to3\t1\tBook\tsale\t\tUSD\t0.000001' \
		$'2026-11-20\tweb\to3\t1\tBook\trefund\t2026-11-05\tUSD\t-0.000001' \
		$'2026-12-05\tweb\to4\t1\tBook\tsale\t\tUSD\t10.00'
	split_cut 1,6,10,14 -a "$T/a.tsv" "$T/s.tsv"
	assert_success
	first="$output"
	assert_output "date	kind	payee	amount
2026-09-05	sale	Ana	0.000001
2026-10-05	sale	Ana	0.000001
2026-11-05	sale	Ana	0.000001
2026-11-20	refund	Ana	-0.000001
2026-12-05	sale	Ana	3.333334
2026-12-05	sale	Ben	3.333333
2026-12-05	sale	Cy	3.333333"
	split_cut 1,6,10,14 --ties first -a "$T/a.tsv" "$T/s.tsv"
	assert_output "$first"
	# 2026-09 is month 24320: 24320 mod 3 = 2, Cy; then Ana, Ben (and Ben's refund), Ana
	split_cut 1,6,10,14 --ties rotate -a "$T/a.tsv" "$T/s.tsv"
	assert_success
	assert_output "date	kind	payee	amount
2026-09-05	sale	Cy	0.000001
2026-10-05	sale	Ana	0.000001
2026-11-05	sale	Ben	0.000001
2026-11-20	refund	Ben	-0.000001
2026-12-05	sale	Ana	3.333333
2026-12-05	sale	Ben	3.333333
2026-12-05	sale	Cy	3.333334"
	run --separate-stderr tally-split --ties fair -a "$T/a.tsv" "$T/s.tsv"
	assert_failure 2
	[ "${stderr_lines[0]}" = 'tally-split: --ties: "fair" is not first or rotate' ]
}

@test "--waterfall: each part says what reached its tier, the commission and recoupment before it, and the caps after the row" {
	printf 'match\ttier\tpayee\tshare\tcap\nBook\t1\tMara\t15%%\nBook\t2\tLabel\t100%%\t200.00 USD\nBook\t3\tAna\t50%%\nBook\t3\tBen\t50%%\nPoster\t1\tAna\t100%%\n' >"$T/a.tsv"
	sales "$T/s.tsv" $'2026-09-01\tweb\to1\t1\tBook\tsale\t\tUSD\t100.00' \
		$'2026-09-02\tweb\to2\t1\tBook\tsale\t\tUSD\t200.00' \
		$'2026-09-03\tweb\to3\t1\tPoster\tsale\t\tUSD\t9.00' \
		$'2026-09-04\tweb\to4\t1\tMug\tsale\t\tEUR\t5.00'
	# 100.00: Mara 15% = 15.00, the label recoups 85.00 of 200.00;
	# 200.00: Mara 30.00, the label 115.00 (all that is left of its cap), Ana and Ben 27.50 each of 55.00
	split_cut 5,9,10,14- --waterfall --default-payee Cy -a "$T/a.tsv" "$T/s.tsv"
	assert_success
	assert_output "product	net	payee	amount	reached	commission	recouped	recoupment
Book	100.00	Mara	15.00	100.00	0.00	0.00	3:200.00:USD:85.00
Book	100.00	Label	85.00	85.00	15.00	0.00	3:200.00:USD:85.00
Book	200.00	Mara	30.00	200.00	0.00	0.00	3:200.00:USD:200.00
Book	200.00	Label	115.00	170.00	30.00	0.00	3:200.00:USD:200.00
Book	200.00	Ana	27.50	55.00	30.00	115.00	3:200.00:USD:200.00
Book	200.00	Ben	27.50	55.00	30.00	115.00	3:200.00:USD:200.00
Poster	9.00	Ana	9.00	9.00	0.00	0.00	
Mug	5.00	Cy	5.00	5.00	0.00	0.00	"
	# without it, the columns are not there
	split_cut 14- -a "$T/a.tsv" --default-payee Cy "$T/s.tsv"
	assert_success
	assert_output "$(printf 'amount\n15.00\n85.00\n30.00\n115.00\n27.50\n27.50\n9.00\n5.00')"
}

@test "--waterfall refuses an input that has its columns already" {
	printf 'match\ttier\tpayee\tshare\n*\t1\tAna\t100%%\n' >"$T/a.tsv"
	printf '%s\treached\n%s\t1\n' "$HDR" $'2026-09-01\tweb\to1\t1\tBook\tsale\t\tUSD\t1.00' >"$T/s.tsv"
	run --separate-stderr tally-split --waterfall -a "$T/a.tsv" "$T/s.tsv"
	assert_failure 2
	[ "$stderr" = "tally-split: $T/s.tsv: --waterfall: the input already has a column \"reached\" (is it split already?)" ]
	split_cut 10- -a "$T/a.tsv" "$T/s.tsv"
	assert_success
	assert_output $'reached\tpayee\ttier\tagreement\tshare\tamount\n1\tAna\t1\t2\t1\t1.00'
}

# bad_agreements MESSAGE LINES...: an agreements file of LINES refused
# before a row is split (exit 1, nothing on stdout) with MESSAGE
bad_agreements() {
	local want=$1
	shift
	printf '%s\n' "$@" >"$T/ag.tsv"
	run --separate-stderr tally-split -a "$T/ag.tsv" "$F/advance-sep.tsv"
	[ "$status" -eq 1 ] || { echo "status $status for: $*" >&2; return 1; }
	[ "$output" = "" ]
	[ "$stderr" = "tally-split: $T/ag.tsv$want" ] || { echo "got: $stderr" >&2; return 1; }
}

@test "agreements: each kind of bad line is refused naming the line, the column and the value" {
	local h=$'match\ttier\tpayee\tshare\tcap\tfrom\tto'
	bad_agreements ':2: column "share": "0%" is zero' "$h" $'*\t1\tAna\t0%\t\t\t'
	bad_agreements ':2: column "cap": "12x" is not an amount and its currency (5000.00 USD)' "$h" $'*\t1\tAna\t10%\t12x\t\t'
	bad_agreements ':2: column "cap": "-5.00 USD" is not positive' "$h" $'*\t1\tAna\t10%\t-5.00 USD\t\t'
	bad_agreements ':2: column "match" is empty' "$h" $'\t1\tAna\t10%\t\t\t'
	bad_agreements ':2: column "payee" is empty' "$h" $'*\t1\t\t10%\t\t\t'
	bad_agreements ':2: column "to": 2026-09-01 is before "from" 2026-10-01' "$h" $'*\t1\tAna\t10%\t\t2026-10-01\t2026-09-01'
	bad_agreements ':1: column "share" appears twice' $'match\ttier\tpayee\tshare\tshare' $'*\t1\tAna\t10%\t10%'
	bad_agreements ':3: column "cap": "200.00 USD" differs from the tier'"'"'s cap on line 2' "$h" \
		$'*\t1\tAna\t10%\t100.00 USD\t\t' $'*\t1\tBen\t10%\t200.00 USD\t\t'
	bad_agreements ': no agreements' "$h"
	bad_agreements ':2: invalid UTF-8 or a NUL byte' "$h" $'*\t1\tAn\xffa\t10%\t\t\t'
	bad_agreements ':2: field 3: invalid escape' "$h" $'*\t1\tAn\\qa\t10%\t\t\t'
}

@test "--explain: the default payee's row is explained, and an --explain file that cannot be written fails loudly" {
	printf 'match\ttier\tpayee\tshare\nZine\t1\tAna\t100%%\n' >"$T/ag.tsv"
	printf '%s\n' $'date\tsource\torder\tline\tproduct\tkind\tsale_date\tcurrency\tnet' \
		$'2026-09-10\tbandcamp\t2001\t1\tLanterns\tsale\t\tUSD\t20.00' >"$T/s.tsv"
	run --separate-stderr tally-split -a "$T/ag.tsv" --default-payee Label -e "$T/ex.txt" "$T/s.tsv"
	[ "$status" -eq 0 ]
	[ "$(sed -n 2p "$T/ex.txt")" = "  no agreement matches: the default payee Label takes all: 20.00" ]
	run --separate-stderr tally-split -a "$T/ag.tsv" --default-payee Label -e /dev/full "$T/s.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: /dev/full: write error: No space left on device" ]
}
