#!/usr/bin/env bats
# tests/payouts.bats - tally-report --payouts FORMAT --payees FILE, black box.
#
# Plan: the fixture (tests/fixtures/payouts: two months, six payees, a
# 10.00 minimum; hand computed: Ana 105.996 -> 105.99 paid, Smith, "Bo" Jr
# 40.004 -> 40.00, Ben 19.125 -> 19.12, Chidi 33.333333 EUR -> 33.33, Dana
# 12.50 by hand, Eve 5.00 under the minimum; in November Ana's 0.006
# residue + 10.004 -> 10.01) as exact PayPal, Wise and TSV files; the
# amounts equal the statements' paid; --out-dir writes the batch beside the
# statements, atomically; a ledger month re-run gives the same file byte
# for byte and appends nothing; November's references differ from
# October's; PayPal with two currencies (one file each, or refused on
# stdout); bad input: a payee paid with no line (every one named, nothing
# written: no ledger, no statement, no batch), a line in another
# currency, a comma-separated payee file, a missing column, a bad method,
# Venmo in EUR, a missing payee file (exit 2); usage errors; /dev/full;
# the skipped statements counted on stderr; a batch file name that is a
# symbolic link; HUF in whole units for PayPal.
load helpers

P=tests/fixtures/payouts

setup_file() {
	cd "$TALLY_ROOT"
}

run_payouts() { # FORMAT [ARGS...]
	local f=$1
	shift
	run --separate-stderr tally-report --min-payout USD=10,EUR=10 --payouts "$f" --payees "$TALLY_ROOT/$P/payees.tsv" "$@"
}

@test "PayPal Payouts CSV for October: exact file; Wise, manual and Eve (under the minimum) counted on stderr" {
	run_payouts paypal -p 2026-10 "$TALLY_ROOT/$P/alloc.tsv"
	assert_success
	[ "$output" = "$(cat "$TALLY_ROOT/$P/expected/2026-10.paypal")" ]
	cmp <(tally-report --min-payout USD=10,EUR=10 -p 2026-10 --payouts paypal --payees "$P/payees.tsv" "$P/alloc.tsv" 2>/dev/null) \
		"$P/expected/2026-10.paypal"
	[ "${stderr_lines[1]}" = "tally-report: 1 statement pays nothing (a balance under the minimum, owed or zero): not in the batch; 3 payments by wise, manual in no batch of this run (paypal takes paypal and venmo, wise wise, tsv every method; a re-run with them reproduces the month, paying nothing twice)" ]
	# no header, CRLF, the statements' paid to the cent, Venmo's wallet
	[ "$(head -c 95 "$P/expected/2026-10.paypal")" = "ana@example.com,105.99,USD,202610-fb4b52efc7,Payout for 2026-10 (statement 2026-10/0001),PAYPAL" ]
	grep -q $'^+15555550100,19.12,USD,202610-96e9398f3b,Payout for 2026-10 (statement 2026-10/0002),VENMO\r$' \
		"$P/expected/2026-10.paypal"
}

@test "Wise batch CSV: the template's header; names with commas and quotes quoted; business recipients" {
	run_payouts wise -p 2026-10 "$TALLY_ROOT/$P/alloc.tsv"
	assert_success
	cmp <(printf '%s\n' "$output") "$P/expected/2026-10.wise"
	assert_line --index 0 $'name,recipientEmail,paymentReference,receiverType,amountCurrency,amount,sourceCurrency,targetCurrency\r'
	assert_line --index 1 $'Chidi Okafor Ltd,chidi@example.net,202610-32f2cf5b09,BUSINESS,target,33.33,EUR,EUR\r'
	assert_line --index 2 $'"Robert ""Bo"" Smith, Jr.",bo@example.org,202610-0b9c70a6fd,PRIVATE,target,40.00,USD,USD\r'
	[ "${#lines[@]}" -eq 3 ]
}

@test "TSV batch: every payment, every method, amounts exactly the statements' paid" {
	run_payouts tsv -p 2026-10 "$TALLY_ROOT/$P/alloc.tsv"
	assert_success
	assert_output "$(cat "$TALLY_ROOT/$P/expected/2026-10.tsv")"
	# the same amounts as the statements say, payee by payee
	statements=$(tally-report --min-payout USD=10,EUR=10 -p 2026-10 "$P/alloc.tsv" 2>/dev/null |
		awk -F'\t' '$5 == "paid" && $8 != "0.00" { print $2 "\t" $4 "\t" $8 }')
	[ "$statements" = "$(awk -F'\t' 'NR > 1 { print $3 "\t" $6 "\t" $7 }' <<<"$output")" ]
	assert_line $'2026-10\t2026-10/0004\tDana\tmanual\tIBAN DE89 3704 0044 0532 0130 00\tUSD\t12.50\t202610-36c5bd6501\tDana'
}

@test "--out-dir and a ledger, month after month: batch files beside the statements; a re-run changes nothing" {
	run_payouts paypal -l "$T/l.tsv" -p 2026-10 --out-dir "$T/st" -f text "$TALLY_ROOT/$P/alloc.tsv"
	assert_success
	assert_line "$T/st/payouts-2026-10-USD.paypal.csv"
	assert_line "$T/st/Ana-2026-10.txt"
	cmp "$T/st/payouts-2026-10-USD.paypal.csv" "$P/expected/2026-10.paypal"
	cp "$T/l.tsv" "$T/l-before"
	rm "$T/st/payouts-2026-10-USD.paypal.csv"
	# the month run again (after the upload step failed): the same file, nothing appended
	run_payouts paypal -l "$T/l.tsv" -p 2026-10 --out-dir "$T/st" -f text "$TALLY_ROOT/$P/alloc.tsv"
	assert_success
	cmp "$T/st/payouts-2026-10-USD.paypal.csv" "$P/expected/2026-10.paypal"
	cmp "$T/l.tsv" "$T/l-before"
	# and the wise batch of the same month, from the ledger's statements
	run_payouts wise -l "$T/l.tsv" -p 2026-10 --out-dir "$T/st" -f text "$TALLY_ROOT/$P/alloc.tsv"
	assert_success
	cmp "$T/st/payouts-2026-10.wise.csv" "$P/expected/2026-10.wise"
	cmp "$T/l.tsv" "$T/l-before"
	# November: Ana's 0.006 residue + 10.004 = 10.01 paid, Ben 25.00; November's references
	# (the period, then the payee's and currency's hash)
	run_payouts paypal -l "$T/l.tsv" -p 2026-11 --out-dir "$T/st" -f text "$TALLY_ROOT/$P/alloc.tsv"
	assert_success
	[ "$(cat "$T/st/payouts-2026-11-USD.paypal.csv")" = "$(printf '%s\r\n' \
		'ana@example.com,10.01,USD,202611-fb4b52efc7,Payout for 2026-11 (statement 2026-11/0001),PAYPAL' \
		'+15555550100,25.00,USD,202611-96e9398f3b,Payout for 2026-11 (statement 2026-11/0002),VENMO')" ]
	[ "$(ls "$T/st" | grep -c payouts-)" -eq 3 ]
	[ "$(ls -A "$T/st" | grep -c '^\.')" -eq 0 ]
}

@test "--payouts paypal,wise: both batches in one run; only the manual payment is in none" {
	run_payouts paypal,wise -p 2026-10 --out-dir "$T/st" "$TALLY_ROOT/$P/alloc.tsv"
	assert_success
	assert_line "$T/st/payouts-2026-10-USD.paypal.csv"
	assert_line "$T/st/payouts-2026-10.wise.csv"
	cmp "$T/st/payouts-2026-10-USD.paypal.csv" "$P/expected/2026-10.paypal"
	cmp "$T/st/payouts-2026-10.wise.csv" "$P/expected/2026-10.wise"
	[ "${stderr_lines[1]}" = "tally-report: 1 statement pays nothing (a balance under the minimum, owed or zero): not in the batch; 1 payment by manual in no batch of this run (paypal takes paypal and venmo, wise wise, tsv every method; a re-run with them reproduces the month, paying nothing twice)" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
}

@test "PayPal takes one currency a file: two files with --out-dir, refused on stdout" {
	printf '%s\n' $'payee\tmethod\taccount\tcurrency' $'Ana\tpaypal\tana@example.com\tUSD' \
		$'Chidi\tpaypal\tchidi@example.net\tEUR' >"$T/p.tsv"
	grep -P '\t(Ana|Chidi)\t|^date' "$P/alloc.tsv" >"$T/a.tsv"
	run --separate-stderr tally-report -p 2026-10 --payouts paypal --payees "$T/p.tsv" "$T/a.tsv"
	assert_failure 2
	[ -z "$output" ]
	[ "${stderr_lines[1]}" = "tally-report: --payouts paypal: the payments are in EUR and USD, and PayPal takes one currency a file: give --out-dir for one file per currency" ]
	run --separate-stderr tally-report -p 2026-10 --payouts paypal --payees "$T/p.tsv" --out-dir "$T/st" "$T/a.tsv"
	assert_success
	assert_line "$T/st/payouts-2026-10-EUR.paypal.csv"
	assert_line "$T/st/payouts-2026-10-USD.paypal.csv"
	[ "$(cut -d, -f1-3 "$T/st/payouts-2026-10-EUR.paypal.csv")" = $'chidi@example.net,33.33,EUR' ]
}

@test "a payee paid with no line in the payee file: every one named (a line spelt otherwise pointed at), exit 1, nothing written" {
	grep -v -e '^Ana' "$P/payees.tsv" | sed 's/^Dana/dana/' >"$T/p.tsv"
	run --separate-stderr tally-report --min-payout USD=10,EUR=10 -l "$T/l.tsv" --out-dir "$T/st" -p 2026-10 --payouts wise \
		--payees "$T/p.tsv" "$P/alloc.tsv"
	assert_failure 1
	[ "${stderr_lines[1]}" = "tally-report: 2 payments of this run go to payees with no line in $T/p.tsv: \"Ana\" (105.99 USD), \"Dana\" (12.50 USD; line 5 has \"dana\"); add one per payee and currency (payee, method, account, currency; the payee spelt as in the allocations): nobody is left out of a batch" ]
	[ ! -e "$T/l.tsv" ]
	[ -z "$(ls -A "$T/st")" ]
}

@test "a payee whose line is in another currency: the line named, exit 1" {
	sed 's/^Ben\tvenmo\t+15555550100\tUSD/Ben\tpaypal\tben@example.com\tEUR/' "$P/payees.tsv" >"$T/p.tsv"
	run --separate-stderr tally-report --min-payout USD=10,EUR=10 -p 2026-10 --payouts paypal --payees "$T/p.tsv" "$P/alloc.tsv"
	assert_failure 1
	[ -z "$output" ]
	[ "${stderr_lines[1]}" = "tally-report: $T/p.tsv:4: \"Ben\" is paid 19.12 USD for 2026-10, but the payee file has an account in EUR only: give a line for USD (a batch never converts)" ]
}

@test "bad payee files: comma-separated, a missing column, a bad method, Venmo in EUR, an empty account, a payee twice" {
	bad() { # TEXT EXPECTED-MESSAGE [STATUS]
		printf '%s\n' "$1" >"$T/p.tsv"
		run --separate-stderr tally-report -p 2026-10 --payouts tsv --payees "$T/p.tsv" "$P/alloc.tsv"
		assert_failure "${3:-1}"
		[ -z "$output" ]
		[ "${stderr_lines[1]}" = "tally-report: $T/p.tsv:$2" ]
	}
	bad $'payee,method,account,currency\nAna,paypal,ana@example.com,USD' \
		"1: the payee file must be TAB-separated: the header line has no TAB (it looks comma-separated)" 2
	# a missing column is usage (exit 2), as in a stream (tally(7))
	bad $'payee\taccount\tcurrency\nAna\tana@example.com\tUSD' \
		'1: missing column "method" (a payee file has payee, method, account, currency)' 2
	bad $'payee\tmethod\taccount\tcurrency\nAna\tbank\tana@example.com\tUSD' \
		'2: column "method": "bank" is not one of paypal, venmo, wise, manual'
	bad $'payee\tmethod\taccount\tcurrency\nBen\tvenmo\t+15555550100\tEUR' \
		'2: column "currency": "EUR" is not USD: Venmo pays in USD only'
	bad $'payee\tmethod\taccount\tcurrency\nAna\tpaypal\t\tUSD' \
		'2: column "account": "" is empty: where is the money to go?'
	bad $'payee\tmethod\taccount\tcurrency\nAna\twise\tAna Smith\tUSD' \
		'2: column "account": "Ana Smith" holds a space or a comma: it is not an account'
	bad $'payee\tmethod\taccount\tcurrency\nAna\tpaypal\ta@example.com\tUSD\nAna\twise\ta@example.com\tUSD' \
		'3: "Ana" in USD is on line 2 already: one account a payee and currency'
	bad $'payee\tmethod\taccount\tcurrency\tname\nAna\tpaypal\ta@example.com\tUSD\t=cmd|calc' \
		"2: column \"name\": \"=cmd|calc\" starts with '=': a spreadsheet would run it as a formula"
}

@test "usage: --payouts needs --payees and a known format, and goes without --check or --summary" {
	run --separate-stderr tally-report --payouts paypal "$P/alloc.tsv"
	assert_failure 2
	[ "${stderr_lines[0]}" = "tally-report: --payouts and --payees go together, without --check or --summary" ]
	run --separate-stderr tally-report --payouts stripe --payees "$P/payees.tsv" "$P/alloc.tsv"
	assert_failure 2
	[ "${stderr_lines[0]}" = 'tally-report: --payouts: "stripe" is not paypal, wise or tsv, or several joined by commas' ]
	run --separate-stderr tally-report --payouts paypal,wise --payees "$P/payees.tsv" "$P/alloc.tsv"
	assert_failure 2
	[ "${stderr_lines[0]}" = 'tally-report: --payouts: several formats are several files: give --out-dir' ]
	run --separate-stderr tally-report --check --payouts tsv --payees "$P/payees.tsv" "$P/alloc.tsv"
	assert_failure 2
	run --separate-stderr tally-report --payouts tsv --payees "$T/nosuch.tsv" "$P/alloc.tsv"
	assert_failure 2
	[ "$stderr" = "tally-report: $T/nosuch.tsv: No such file or directory" ]
	run --separate-stderr tally-report --payouts tsv --payees "$P/alloc.tsv" "$P/alloc.tsv"
	assert_failure 2 # not a payee file: its columns are missing
	run --separate-stderr tally-report --out-dir "$T/x" --payouts tsv --payees "$T/x" "$P/alloc.tsv"
	assert_failure 2
	[ "$stderr" = "tally-report: --out-dir and --payees name the same file: $T/x" ]
}

@test "a batch on a full disk fails loudly; a month with no payment writes no batch file and says so" {
	run --separate-stderr bash -c "tally-report -p 2026-10 --payouts tsv --payees $P/payees.tsv $P/alloc.tsv >/dev/full"
	assert_failure 1
	assert_equal "${stderr_lines[-1]}" "tally-report: write error: No space left on device"
	run --separate-stderr tally-report --min-payout USD=1000,EUR=1000 -p 2026-10 --out-dir "$T/st" --payouts tsv --payees "$P/payees.tsv" \
		"$P/alloc.tsv"
	assert_success
	[ "${stderr_lines[-1]}" = "tally-report: no payment in this run: no batch file written" ]
	[ "${stderr_lines[-2]}" = "tally-report: 6 statements pay nothing (a balance under the minimum, owed or zero): not in the batch" ]
	[ -z "$(ls "$T/st" | grep payouts-)" ]
}

@test "the man page's --payouts example runs as written: PayPal and Wise batches, then the TSV one by a re-run" {
	grep '^tally-report .*--payouts' man/tally-report.1 >"$T/example.sh"
	[ "$(wc -l <"$T/example.sh")" -eq 2 ]
	cp "$P/payees.tsv" "$T/payees.tsv"
	grep -e '^date' -e '^2026-10' "$P/alloc.tsv" >"$T/alloc-2026-10.tsv"
	run --separate-stderr bash -c "cd '$T' && set -e && . ./example.sh"
	assert_success
	# no minimum here: Eve's 5.00 is paid too
	cmp <(head -2 "$T/statements/payouts-2026-10-USD.paypal.csv") "$P/expected/2026-10.paypal"
	[ "$(sed -n 3p "$T/statements/payouts-2026-10-USD.paypal.csv" | cut -d, -f1-3)" = "eve@example.com,5.00,USD" ]
	[ "$(grep -c '' "$T/statements/payouts-2026-10.wise.csv")" -eq 3 ]
	[ "$(grep -c '^2026-10	' "$T/statements/payouts-2026-10.batch.tsv")" -eq 6 ]
	[ "$(grep -c '	2026-10	' "$T/payouts.ledger")" -eq 6 ]
}

@test "--out-dir: a batch file's name that is a symbolic link is refused, and nothing is written through it" {
	mkdir "$T/st"
	echo precious >"$T/elsewhere"
	ln -s "$T/elsewhere" "$T/st/payouts-2026-10.batch.tsv"
	run --separate-stderr tally-report --min-payout USD=10,EUR=10 -p 2026-10 --out-dir "$T/st" --payouts tsv --payees "$P/payees.tsv" "$P/alloc.tsv"
	assert_failure 2
	[ "${stderr_lines[-1]}" = "tally-report: $T/st/payouts-2026-10.batch.tsv: a symbolic link: batch files are not written through links" ]
	[ "$(cat "$T/elsewhere")" = precious ]
}

@test "PayPal sends HUF in whole units only: 1234.50 HUF is refused, 1234.00 HUF goes to PayPal as 1234" {
	printf '%s\n' $'payee\tmethod\taccount\tcurrency' $'Ana\tpaypal\tana@example.com\tHUF' >"$T/p.tsv"
	printf '%s\n' $'date\tpayee\tcurrency\tamount' $'2026-10-01\tAna\tHUF\t1234.50' >"$T/a.tsv"
	run --separate-stderr tally-report --payouts paypal --payees "$T/p.tsv" "$T/a.tsv"
	assert_failure 1
	[ "$stderr" = 'tally-report: "Ana" is paid 1234.50 HUF: PayPal sends HUF in whole units only; pay it another way (method manual)' ]
	printf '%s\n' $'date\tpayee\tcurrency\tamount' $'2026-10-01\tAna\tHUF\t1234.009' >"$T/a.tsv"
	run --separate-stderr tally-report --payouts paypal --payees "$T/p.tsv" "$T/a.tsv"
	assert_success
	[ "$(cut -d, -f1-3 <<<"$output")" = "ana@example.com,1234,HUF" ]
	run --separate-stderr tally-report --payouts tsv --payees "$T/p.tsv" "$T/a.tsv"
	[ "$(cut -f6,7 <<<"${lines[1]}")" = $'HUF\t1234.00' ]
}

@test "a payee file's rows may leave out their trailing empty columns, as the README's example does (they were refused)" {
	# the fixture's payees, each row cut after its currency (the header keeps name, type, note)
	{ head -1 "$P/payees.tsv"; tail -n +2 "$P/payees.tsv" | cut -f1-4; } >"$T/p.tsv"
	run --separate-stderr tally-report --min-payout USD=10,EUR=10 -p 2026-10 --payouts tsv --payees "$T/p.tsv" "$P/alloc.tsv"
	assert_success
	[[ "$output" == *$'\tAna\tpaypal\tana@example.com\tUSD\t'* ]]
	# more fields than the header is still an error
	printf '%s\n' $'payee\tmethod\taccount\tcurrency' $'Ana\tpaypal\tana@example.com\tUSD\textra' >"$T/p.tsv"
	run --separate-stderr tally-report -p 2026-10 --payouts tsv --payees "$T/p.tsv" "$P/alloc.tsv"
	assert_failure 1
	[ "${stderr_lines[1]}" = "tally-report: $T/p.tsv:2: 5 fields where the header has 4" ]
}
