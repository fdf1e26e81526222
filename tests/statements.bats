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
	run --separate-stderr tally-report --min-payout USD=20 -f text --out-dir "$T/out" "$TALLY_ROOT/$R/alloc-2026-09.tsv"
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
		run --separate-stderr tally-report --min-payout USD=20 -f "$f" --out-dir "$T/$f" "$TALLY_ROOT/$R/alloc-2026-09.tsv"
		assert_success
		for p in "$T/$f"/*; do
			run grep -E 'All [0-9]+ statement|Batch totals|period_(earned|paid|carried)|84\.0' "$p"
			assert_failure
		done
	done
}

@test "the run's view ends with the batch totals; TSV keeps exact micro-units" {
	run --separate-stderr tally-report --min-payout USD=20 -f text "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_success
	[ "$(grep -c 'All 3 statements' <<<"$output")" -eq 1 ]
	assert_line "All 3 statements for 2026-09 in USD: brought forward 0.00, earned 84.00, paid 56.52, carried forward 27.48."
	run --separate-stderr tally-report --min-payout USD=20 "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_success
	assert_line $'\t\t2026-09\tUSD\tperiod_earned\t\t\t84.005'
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

@test "--issuer and --issue-date head every statement; markup in the name stays escaped" {
	run --separate-stderr tally-report -f text --issuer 'The <Paper> Boats' --issue-date 2026-10-02 \
		--out-dir "$T/t" "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_success
	run head -6 "$T/t/Ben-2026-09.txt"
	assert_output "Statement 2026-09/0002
Issuer:   The <Paper> Boats
Payee:    Ben
Period:   2026-09
Currency: USD
Issued:   2026-10-02"
	run --separate-stderr tally-report -f html --issuer '<b>Boats</b> & "Co"' --issue-date 2026-10-02 "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_success
	[ "$(grep -c '<dt>Issuer</dt><dd>&lt;b&gt;Boats&lt;/b&gt; &amp; &quot;Co&quot;</dd>' <<<"$output")" -eq 3 ]
	refute_output --partial '<b>Boats'
	run --separate-stderr tally-report -f md --issuer '[x](http://e.test) *B*' --issue-date 2026-10-02 "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_line 'Issuer: \[x](http://e.test) \*B\*  '
	assert_line 'Issued: 2026-10-02  '
}

@test "--issuer with a control character, an empty one, a bad --issue-date: usage errors" {
	run --separate-stderr tally-report --issuer $'Boats\nInc' "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_failure 2
	[ "$stderr" = 'tally-report: --issuer: the name has a control character (0x0a): give it on one line' ]
	run --separate-stderr tally-report --issuer '' "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_failure 2
	[ "$stderr" = 'tally-report: --issuer: the name is empty' ]
	for d in 2026-13-01 2026-02-30 2026-10-02T10:00:00Z yesterday; do
		run --separate-stderr tally-report --issue-date "$d" "$TALLY_ROOT/$R/alloc-2026-09.tsv"
		assert_failure 2
		[ "$stderr" = "tally-report: --issue-date: \"$d\" is not a day (YYYY-MM-DD)" ]
	done
	run --separate-stderr tally-report --summary --issuer Boats "$TALLY_ROOT/$R/sales.tsv"
	assert_failure 2
}

@test "the issue date: today by default; a re-run with a ledger shows the date it was issued" {
	run --separate-stderr tally-report -f text "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_line "Issued:   $(date -u +%Y-%m-%d)"
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" -f text --issue-date 2026-10-02 "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_success
	first="$output"
	# the re-run reproduces September, with the date it was issued on
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" -f text --issue-date 2026-12-24 "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_success
	assert_output "$first"
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" -f text "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_output "$first"
	tally-report --min-payout USD=20 -l "$T/l.tsv" --issue-date 2026-11-03 "$TALLY_ROOT/$R/alloc-2026-10.tsv" >/dev/null
	run cat "$T/l.tsv.issued"
	assert_output $'period\tissued\n2026-09\t2026-10-02\n2026-10\t2026-11-03'
	# a ledger from before issue dates: its periods' dates are not known
	cp "$TALLY_ROOT/$R/expected/ledger.tsv" "$T/old.tsv"
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/old.tsv" -f text "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_line 'Issued:   not recorded'
	printf 'period\tissued\n2026-09\t2026-10-32\n' >"$T/old.tsv.issued"
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/old.tsv" -f text "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/old.tsv.issued:2: column \"issued\": \"2026-10-32\" is not a day (YYYY-MM-DD)" ]
}

@test "a balance held names the minimum payout" {
	run --separate-stderr tally-report --min-payout USD=20 -f text --issue-date 2026-10-02 "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_line 'Not paid this period: the balance of 14.87 USD is under the minimum payout of 20.00 USD; it is carried forward.'
	assert_line 'Not paid this period: the balance of 12.60 USD is under the minimum payout of 20.00 USD; it is carried forward.'
}

@test "a converted statement states the rates it used, each once" {
	run --separate-stderr tally-report --fx "$TALLY_ROOT/$R/rates.tsv" --to USD -f text "$TALLY_ROOT/$R/alloc-fx.tsv"
	assert_success
	assert_line 'Converted into USD at these rates: 1 EUR = 1.0842 USD (rate of 2026-10-01), 1 EUR = 1.0791 USD (rate of 2026-10-15).'
	# 1/3 is not a decimal: shown as the fraction it is
	printf 'date\tcurrency\trate\n2026-10-01\tEUR\t1/3\n' >"$T/r.tsv"
	run --separate-stderr tally-report --fx "$T/r.tsv" --to USD -f md "$TALLY_ROOT/$R/alloc-fx.tsv"
	assert_line 'Converted into USD at these rates: 1 EUR = 1/3 USD (rate of 2026-10-01).'
	# not converted: no such line
	run --separate-stderr tally-report -f text "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	refute_output --partial 'Converted'
}

@test "late rows are worded by the month of their sales and the month they were reported; a late refund is not called income" {
	cp "$TALLY_ROOT/$R/expected/ledger.tsv" "$T/l.tsv"
	run --separate-stderr tally-report --min-payout USD=20 -l "$T/l.tsv" -f html --issue-date 2027-01-04 "$TALLY_ROOT/$R/alloc-2026-12-late.tsv"
	assert_success
	assert_line '<tr class="sub"><td colspan="2">Late refunds for sales in 2026-10 (reported 2026-12):</td></tr>'
	assert_line '<tr class="sub late"><td>gumroad: Lanterns</td><td class="n">-4.25</td></tr>'
}

@test "-o FILE writes the one document to FILE atomically, for statements, the check and the summary" {
	run --separate-stderr tally-report --min-payout USD=20 -f html --issue-date 2026-10-02 -o "$T/s.html" "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_success
	[ -z "$output" ]
	[ -f "$T/s.html" ]
	expected="$(tally-report --min-payout USD=20 -f html --issue-date 2026-10-02 "$TALLY_ROOT/$R/alloc-2026-09.tsv")"
	[ "$(cat "$T/s.html")" = "$expected" ]
	run --separate-stderr tally-report --min-payout USD=20 --check -o "$T/c.tsv" "$TALLY_ROOT/$R/alloc.tsv"
	assert_success
	cmp "$T/c.tsv" "$TALLY_ROOT/$R/expected/check.tsv"
	run --separate-stderr tally-report --summary -f md -o "$T/sum.md" "$TALLY_ROOT/$R/sales.tsv"
	assert_success
	grep -q '^# The business at a glance' "$T/sum.md"
	# a folder is --out-dir, never -o; both at once is a usage error
	mkdir "$T/dir"
	run --separate-stderr tally-report -o "$T/dir" "$TALLY_ROOT/$R/alloc.tsv"
	assert_failure 2
	run --separate-stderr tally-report -o "$T/x" --out-dir "$T/dir" "$TALLY_ROOT/$R/alloc.tsv"
	assert_failure 2
	[ "${stderr_lines[0]}" = 'tally-report: -o FILE writes one document, --out-dir DIR a file per payee: not both' ]
	# bad data: nothing written, the old file kept whole
	echo old >"$T/keep.tsv"
	printf 'date\tpayee\tcurrency\tamount\n2026-10-01\tAna\tUSD\tlots\n' >"$T/bad.tsv"
	run --separate-stderr tally-report -o "$T/keep.tsv" "$T/bad.tsv"
	assert_failure 1
	[ "$(cat "$T/keep.tsv")" = old ]
	[ "$(ls "$T" | grep -c keep)" -eq 1 ]
	# -o - is standard output; -o onto an input is refused
	run --separate-stderr tally-report -o - "$TALLY_ROOT/$R/alloc-2026-09.tsv"
	assert_line --index 0 $'statement\tpayee\tperiod\tcurrency\tentry\tsource\tproduct\tamount'
	cp "$TALLY_ROOT/$R/alloc-2026-09.tsv" "$T/in.tsv"
	run --separate-stderr tally-report -o "$T/in.tsv" "$T/in.tsv"
	assert_failure 2
	cmp "$T/in.tsv" "$TALLY_ROOT/$R/alloc-2026-09.tsv"
}

# check_page FILE.html NAME: the page is well-formed XML, valid to the HTML
# parser (its only complaints are the SVG elements it does not know), and
# headless Chromium draws it as more than a blank page; the screenshot is
# kept in build/artefacts/NAME.png.
check_page() {
	xmllint --noout "$1"
	run xmllint --html --noout "$1"
	[ -z "$(grep 'error' <<<"$output" | grep -Ev 'Tag (svg|line|text|rect|title) invalid')" ]
	mkdir -p "$TALLY_ROOT/build/artefacts"
	local png="$TALLY_ROOT/build/artefacts/$2.png"
	rm -f "$png"
	timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$T/chrome" \
		--screenshot="$png" --window-size=800,1000 "file://$1" >/dev/null 2>&1
	[ -s "$png" ]
	read -r size colours ink < <("$TALLY_ROOT/tests/png-colours" "$png")
	[ "$size" = 800x1000 ]
	[ "$colours" -gt 8 ]   # text, bars of two colours, grid lines
	[ "$ink" -gt 20 ]      # over 2% of the page is not background
}

@test "html: a statement and the summary are valid pages Chromium draws (screenshots in build/artefacts)" {
	tally-report --min-payout USD=20 -f html --issuer 'The Paper Boats' --issue-date 2026-12-01 --out-dir "$T/out" \
		"$TALLY_ROOT/$R/alloc.tsv" >/dev/null
	check_page "$T/out/Ana-2026-11.html" statement-Ana-2026-11
	tally-report --summary -f html -o "$T/summary.html" "$TALLY_ROOT/$R/sales.tsv"
	check_page "$T/summary.html" summary
	# a blank page fails the check
	printf '<!DOCTYPE html>\n<html><head><title>x</title></head><body></body></html>\n' >"$T/blank.html"
	run check_page "$T/blank.html" blank
	assert_failure
}

@test "html chart: round axis labels that fit, negative months drawn, legend and title agree" {
	tally-report --min-payout USD=20 -f html -o "$T/s.html" "$TALLY_ROOT/$R/alloc.tsv"
	grep -q '<title>Earned and paid per period (USD)</title>' "$T/s.html"
	grep -q '>earned</text>' "$T/s.html"
	grep -q '>paid</text>' "$T/s.html"
	# value labels are whole steps: -50, 0, 50, 100
	run grep -o 'text-anchor="end">[^<]*<' "$T/s.html"
	assert_output $'text-anchor="end">-50<\ntext-anchor="end">0<\ntext-anchor="end">50<\ntext-anchor="end">100<'
	# November earned -13.99: a bar below the zero line, starting on it
	zero=$(grep -o '<line x1="[0-9]*" y1="[0-9.]*" x2="[0-9]*" y2="[0-9.]*" stroke="#666"' "$T/s.html" | sed 's/.* y1="\([0-9.]*\)".*/\1/')
	run grep '<title>2026-11 earned: ' "$T/s.html"
	assert_output --regexp "^<rect class=\"rev\" x=\"[0-9.]+\" y=\"$zero\" width=\"[0-9.]+\" height=\"[1-9][0-9.]*\"><title>2026-11 earned: -13\\.99</title></rect>\$"
	# large amounts: every label fits left of the axis (11px digits are under 7px)
	printf 'date\tpayee\tcurrency\tamount\n2026-09-01\tAna\tUSD\t-1234567.89\n2026-10-01\tAna\tUSD\t98765432.10\n' >"$T/big.tsv"
	tally-report -f html -o "$T/big.html" "$T/big.tsv"
	run grep -o '<text x="[0-9]*" y="[0-9.]*" text-anchor="end">[^<]*<' "$T/big.html"
	assert_line --partial '>100000000<'
	while read -r x label; do
		[ $((x - ${#label} * 7)) -ge 0 ]
	done < <(sed 's/<text x="\([0-9]*\)".*>\([^<]*\)</\1 \2/' <<<"$output")
	# the summary: its legend names what its bars are
	tally-report --summary -f html -o "$T/sum.html" "$TALLY_ROOT/$R/sales.tsv"
	grep -q '<title>Revenue, fees and net received per period (USD)</title>' "$T/sum.html"
	grep -q '>fees</text>' "$T/sum.html"
	grep -q '>net received</text>' "$T/sum.html"
	! grep -q '>paid</text>' "$T/sum.html"
}

@test "24 months of labels never meet: every third one is shown, the last always" {
	{
		printf 'date\tpayee\tcurrency\tamount\n'
		for y in 2025 2026; do for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
			printf '%s-%s-05\tAna\tUSD\t10.00\n' "$y" "$m"
		done; done
	} >"$T/two-years.tsv"
	tally-report -f html -o "$T/t.html" "$T/two-years.tsv"
	run grep -c 'text-anchor="middle">20' "$T/t.html"
	assert_output 8
	grep -q 'text-anchor="middle">2026-12<' "$T/t.html"
	grep -q 'text-anchor="middle">2026-09<' "$T/t.html"
	! grep -q 'text-anchor="middle">2026-11<' "$T/t.html"
}

@test "the summary for people: metric and column names in words, n/a not blanks; TSV keeps the names" {
	run --separate-stderr tally-report --summary -f text "$TALLY_ROOT/$R/sales.tsv"
	assert_success
	assert_line 'Metric                       Value'
	assert_line 'Net of refunds               42.31'
	assert_line 'Sales without a customer ID      0'
	assert_line 'Growth                         n/a'
	assert_line 'Sale          35.00  72.9%'
	assert_line 'Source    Gross   Fee  Net of fees      Take rate  Share'
	refute_output --regexp '[a-z]_[a-z]'
	run --separate-stderr tally-report --summary -f html "$TALLY_ROOT/$R/sales.tsv"
	assert_line --partial '<tr><td>Net of refunds</td><td class="n">42.31</td></tr>'
	assert_line --partial '<th class="n">Take rate</th>'
	run --separate-stderr tally-report --summary -f md "$TALLY_ROOT/$R/sales.tsv"
	assert_line '| Net of refunds | 42.31 |'
	# data is never reworded: a product named like a metric stays as it is
	printf 'date\tsource\tkind\tcurrency\tgross\tfee\tnet\tproduct\n2026-09-01\tweb\tsale\tUSD\t1\t0\t1\tnet_of_refunds\n' >"$T/p.tsv"
	run --separate-stderr tally-report --summary -f text "$T/p.tsv"
	assert_line 'net_of_refunds   1.00  100.0%'
	run --separate-stderr tally-report --summary "$TALLY_ROOT/$R/sales.tsv"
	assert_line $'2026-09\tUSD\ttotal\t\tnet_of_refunds\t42.31'
	refute_output --partial 'Net of refunds'
}

# The waterfall fixture (issue 11, items 3 and 4), by hand: Lanterns pays
# Mara 15% off the top, then Label recoups a 100.00 USD advance, then Ana
# and Ben 50/50.  Sale 1: net 90.00: Mara 13.50, Label 76.50.  Sale 2: net
# 45.00: Mara 6.75, 38.25 reaches Label, which takes the 23.50 left of its
# cap, 14.75 reaches Ana and Ben: 7.375 each.  Sale 3: net 18.00: Mara
# 2.70, 15.30 reaches Ana and Ben: 7.65 each.  Ana: gross 70.00, fees 7.00,
# commission 9.45, recouped 23.50, reached 30.05, 50% of it 15.025.
W=$R/waterfall-alloc.tsv

@test "waterfall: each line says how it was reached, gross to share; the advance where it stands" {
	run --separate-stderr tally-report -f text --issue-date 2026-10-01 --out-dir "$T/out" "$TALLY_ROOT/$W"
	assert_success
	run cat "$T/out/Ana-2026-09.txt"
	assert_output "Statement 2026-09/0001
Payee:    Ana
Period:   2026-09
Currency: USD
Issued:   2026-10-01

Brought forward                                   0.00
Earned                                           15.02
  bandcamp: Lanterns (LP)                        15.02
      gross 70.00 − fees 7.00 − commission 9.45 − recouped 23.50 = 30.05 × 50%
Balance                                          15.02
Paid                                             15.02
Carried forward                                   0.00

0.5 ¢ carried to next month (under one cent).
Advance 100.00 USD (agreements line 3): recouped 100.00, remaining 0.00."
	# the label's share of what reached it is under 100% once its cap stopped
	# it: 100.00 of 114.75.  The new user's report: a blended 87.15% alone is
	# a share no agreement says; the line says what it blends, 76.50 of 76.50
	# (100%) and 23.50 of 38.25 (61.44%)
	run cat "$T/out/Label-2026-09.txt"
	assert_line "      gross 150.00 − fees 15.00 − commission 20.25 = 114.75 × 87.15% on average (61.44% to 100% on its sales)"
	run cat "$T/out/Mara-2026-09.txt"
	assert_line "      gross 170.00 − fees 17.00 = 153.00 × 15%"
	# Mara's tier 1 runs before the capped tier 2: her statement says nothing of the advance
	refute_output --partial "Advance"
	run cat "$T/out/Label-2026-09.txt"
	assert_line "Advance 100.00 USD (agreements line 3): recouped 100.00, remaining 0.00."
	run cat "$T/out/Mara-2026-09.tsv"
	refute_output --partial "advance:"
}

@test "waterfall in TSV: exact steps per line, and the advance in its own currency" {
	run --separate-stderr tally-report --out-dir "$T/out" "$TALLY_ROOT/$W"
	assert_success
	run cat "$T/out/Ana-2026-09.tsv"
	assert_output "statement	payee	period	currency	entry	source	product	amount
2026-09/0001	Ana	2026-09	USD	brought_forward			0.00
2026-09/0001	Ana	2026-09	USD	earned	bandcamp	Lanterns (LP)	15.025
2026-09/0001	Ana	2026-09	USD	gross	bandcamp	Lanterns (LP)	70.00
2026-09/0001	Ana	2026-09	USD	fees	bandcamp	Lanterns (LP)	7.00
2026-09/0001	Ana	2026-09	USD	commission	bandcamp	Lanterns (LP)	9.45
2026-09/0001	Ana	2026-09	USD	recouped	bandcamp	Lanterns (LP)	23.50
2026-09/0001	Ana	2026-09	USD	reached	bandcamp	Lanterns (LP)	30.05
2026-09/0001	Ana	2026-09	USD	earned_total			15.025
2026-09/0001	Ana	2026-09	USD	paid			15.02
2026-09/0001	Ana	2026-09	USD	carried_forward			0.005
2026-09/0001	Ana	2026-09	USD	advance:3:USD			100.00
2026-09/0001	Ana	2026-09	USD	recouped:3:USD			100.00
2026-09/0001	Ana	2026-09	USD	remaining:3:USD			0.00"
}

@test "waterfall: the advance stands at the period's last row; a stream without the columns shows no steps" {
	# September, cut after the first sale: 76.50 recouped of 100.00
	head -3 "$TALLY_ROOT/$W" >"$T/one.tsv"
	run --separate-stderr tally-report -f text --issue-date 2026-10-01 "$T/one.tsv"
	assert_success
	assert_line "Advance 100.00 USD (agreements line 3): recouped 76.50, remaining 23.50."
	# the rows in reverse order: still the last by date
	{ head -1 "$TALLY_ROOT/$W"; tail -n +2 "$TALLY_ROOT/$W" | tac; } >"$T/rev.tsv"
	run --separate-stderr tally-report -f text --issue-date 2026-10-01 "$T/rev.tsv"
	assert_line "Advance 100.00 USD (agreements line 3): recouped 100.00, remaining 0.00."
	cut -f 1-15 "$TALLY_ROOT/$W" >"$T/plain.tsv"
	run --separate-stderr tally-report -f text --issue-date 2026-10-01 "$T/plain.tsv"
	assert_success
	refute_output --partial "gross"
	refute_output --partial "Advance"
}

@test "waterfall in md and html: the steps under each line; the page is valid and drawn" {
	run --separate-stderr tally-report -f md --issue-date 2026-10-01 --out-dir "$T/md" "$TALLY_ROOT/$W"
	assert_success
	run cat "$T/md/Ana-2026-09.md"
	assert_line "| · bandcamp: Lanterns (LP) | 15.02 |"
	assert_line "| · · gross 70.00 − fees 7.00 − commission 9.45 − recouped 23.50 = 30.05 × 50% | |"
	assert_line "Advance 100.00 USD (agreements line 3): recouped 100.00, remaining 0.00."
	tally-report -f html --issuer '<b>Boats</b> & Co' --issue-date 2026-10-01 --out-dir "$T/html" "$TALLY_ROOT/$W" >/dev/null
	grep -q '<tr class="steps"><td colspan="2">gross 70.00 − fees 7.00 − commission 9.45 − recouped 23.50 = 30.05 × 50%</td></tr>' "$T/html/Ana-2026-09.html"
	grep -q '<p class="advance">Advance 100.00 USD (agreements line 3): recouped 100.00, remaining 0.00.</p>' "$T/html/Ana-2026-09.html"
	grep -q '&lt;b&gt;Boats&lt;/b&gt; &amp; Co' "$T/html/Ana-2026-09.html"
	check_page "$T/html/Ana-2026-09.html" statement-waterfall-Ana
}

@test "waterfall: a bad recoupment cell, a missing column, a bad amount: errors naming file, line and column" {
	sed '3s/3:100.00:USD:76.50/3:100.00:US:76.50/' "$TALLY_ROOT/$W" >"$T/bad.tsv"
	run --separate-stderr tally-report "$T/bad.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/bad.tsv:3: column \"recoupment\": \"3:100.00:US:76.50\" is not LINE:CAP:CUR:RECOUPED entries joined by commas" ]
	sed '2s/3:100.00:USD:76.50/3:100.00:USD:176.50/' "$TALLY_ROOT/$W" >"$T/bad.tsv"
	run --separate-stderr tally-report "$T/bad.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/bad.tsv:2: column \"recoupment\": \"3:100.00:USD:176.50\" is not LINE:CAP:CUR:RECOUPED entries joined by commas" ]
	awk -F'\t' -v OFS='\t' 'NR == 4 { $16 = "1.2.3" } 1' "$TALLY_ROOT/$W" >"$T/bad.tsv"
	run --separate-stderr tally-report "$T/bad.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/bad.tsv:4: column \"reached\": \"1.2.3\" is not an amount" ]
	cut -f 1-16,18- "$TALLY_ROOT/$W" >"$T/bad.tsv"
	run --separate-stderr tally-report "$T/bad.tsv"
	assert_failure
	[[ "$stderr" == *'"commission"'* ]]
}

@test "--agreements: every payee of an agreement in force gets a statement each month, 0.00 earned included" {
	# October has no Lanterns sale for Ben (only the first two rows of sale 2, less Ben's)
	head -7 "$TALLY_ROOT/$W" | grep -v $'\tBen\t' >"$T/in.tsv"
	run --separate-stderr tally-report -f text --issue-date 2026-10-01 --out-dir "$T/out" \
		--agreements "$TALLY_ROOT/$R/waterfall-agreements.tsv" "$T/in.tsv"
	assert_success
	run cat "$T/out/Ben-2026-09.txt"
	assert_output "Statement 2026-09/0002
Payee:    Ben
Period:   2026-09
Currency: USD
Issued:   2026-10-01

Brought forward                                   0.00
Earned                                            0.00
Balance                                           0.00
Paid                                              0.00
Carried forward                                   0.00"
	# without it, Ben has no statement
	run --separate-stderr tally-report -f text --out-dir "$T/plain" "$T/in.tsv"
	[ ! -e "$T/plain/Ben-2026-09.txt" ]
	# an agreement that ended in August gives no September statement; one from October neither
	printf 'match\tfrom\tto\ttier\tpayee\tshare\nLanterns*\t\t\t1\tAna\t100%%\nOld*\t2026-01-01\t2026-08-31\t1\tOld\t100%%\nNew*\t2026-10-01\t\t1\tNew\t100%%\n' >"$T/a.tsv"
	run --separate-stderr tally-report --agreements "$T/a.tsv" "$T/in.tsv"
	assert_success
	refute_output --partial $'\tOld\t'
	refute_output --partial $'\tNew\t'
	# a ledger keeps the 0.00 statement, and a re-run reproduces it
	tally-report --issue-date 2026-10-01 -l "$T/l" --agreements "$TALLY_ROOT/$R/waterfall-agreements.tsv" "$T/in.tsv" >"$T/first.tsv"
	grep -q $'\tBen\t2026-09\tUSD\t0.00\t0.00\t0.00\t0.00\t' "$T/l"
	tally-report -p 2026-09 -l "$T/l" --agreements "$TALLY_ROOT/$R/waterfall-agreements.tsv" "$T/in.tsv" >"$T/again.tsv"
	cmp "$T/first.tsv" "$T/again.tsv"
}

@test "--agreements: a bad file is an error naming its line; with --summary or --check a usage error" {
	printf 'match\ttier\tpayee\tshare\n*\t1\tAna\t50%%\n' >"$T/a.tsv"
	run --separate-stderr tally-report --agreements "$T/a.tsv" "$TALLY_ROOT/$W"
	assert_failure 1
	[[ "$stderr" == "tally-report: $T/a.tsv:2: "* ]]
	run --separate-stderr tally-report --agreements "$T/nosuch.tsv" "$TALLY_ROOT/$W"
	assert_failure 2
	[ "$stderr" = "tally-report: $T/nosuch.tsv: No such file or directory" ]
	run --separate-stderr tally-report -c --agreements "$TALLY_ROOT/$R/waterfall-agreements.tsv" "$TALLY_ROOT/$W"
	assert_failure 2
	[ "${stderr_lines[0]}" = "tally-report: --agreements gives every payee a statement: no --summary, --check, --partial or --merge" ]
}

# Figures that add up (trial of 2026-12-03, item 1), by hand: Ana's LP line
# is gross 50.00 - fees 10.14 - commission 5.979 - recouped 1.206825 =
# 32.674175, 50% of it 16.337087; two singles earn 0.005 each.  Running
# totals from brought forward 0: 16.337087, 16.342087, 16.347087, rounded
# 16.33, 16.34, 16.34: the lines show 16.33, 0.01 and 0.00 (each rounded
# alone, 16.33 + 0.00 + 0.00 fell short of the 16.34 earned).  The steps
# chain: 39.86 - R(33.880825) = 5.98, 33.88 - 32.67 = 1.21 (alone 5.97 and
# 1.20 made 50.00 - 10.14 - 5.97 - 1.20 = 32.69).  Paid stays 16.34 exactly.
A=$R/add-up-alloc.tsv

@test "figures that add up: lines, steps and balance in text; TSV and paid exact" {
	run --separate-stderr tally-report --format text --issue-date 2026-12-01 --out-dir "$T/text" "$TALLY_ROOT/$A"
	assert_success
	run cat "$T/text/Ana-2026-11.txt"
	assert_output "Statement 2026-11/0001
Payee:    Ana
Period:   2026-11
Currency: USD
Issued:   2026-12-01

Brought forward                                   0.00
Earned                                           16.34
  bandcamp: Lanterns (LP)                        16.33
      gross 50.00 − fees 10.14 − commission 5.98 − recouped 1.21 = 32.67 × 50%
  bandcamp: Single A                              0.01
      gross 0.01 = 0.01 × 50%
  bandcamp: Single B                              0.00
      gross 0.01 = 0.01 × 50%
Balance                                          16.34
Paid                                             16.34
Carried forward                                   0.00

0.7087 ¢ carried to next month (under one cent).
Advance 100.00 USD (agreements line 3): recouped 1.20, remaining 98.80."
	run --separate-stderr tally-report --format tsv --out-dir "$T/tsv" "$TALLY_ROOT/$A"
	assert_success
	run cat "$T/tsv/Ana-2026-11.tsv"
	assert_line $'2026-11/0001\tAna\t2026-11\tUSD\tearned\tbandcamp\tLanterns (LP)\t16.337087'
	assert_line $'2026-11/0001\tAna\t2026-11\tUSD\tcommission\tbandcamp\tLanterns (LP)\t5.979'
	assert_line $'2026-11/0001\tAna\t2026-11\tUSD\trecouped\tbandcamp\tLanterns (LP)\t1.206825'
	assert_line $'2026-11/0001\tAna\t2026-11\tUSD\tearned_total\t\t\t16.347087'
	assert_line $'2026-11/0001\tAna\t2026-11\tUSD\tpaid\t\t\t16.34'
	assert_line $'2026-11/0001\tAna\t2026-11\tUSD\tcarried_forward\t\t\t0.007087'
	assert_line $'2026-11/0001\tAna\t2026-11\tUSD\tremaining:3:USD\t\t\t98.793175'
}

@test "figures that add up in md and html; a refund rounds toward zero and still adds up" {
	run --separate-stderr tally-report --format md --issue-date 2026-12-01 --out-dir "$T/md" "$TALLY_ROOT/$A"
	assert_success
	run cat "$T/md/Ana-2026-11.md"
	assert_line "| Earned | 16.34 |"
	assert_line "| · bandcamp: Lanterns (LP) | 16.33 |"
	assert_line "| · · gross 50.00 − fees 10.14 − commission 5.98 − recouped 1.21 = 32.67 × 50% | |"
	assert_line "| · bandcamp: Single A | 0.01 |"
	assert_line "| · bandcamp: Single B | 0.00 |"
	assert_line "| Balance | 16.34 |"
	run --separate-stderr tally-report --format html --issue-date 2026-12-01 --out-dir "$T/html" "$TALLY_ROOT/$A"
	assert_success
	run cat "$T/html/Ana-2026-11.html"
	assert_line '<tr><th scope="row">Earned</th><td class="n">16.34</td></tr>'
	assert_line '<tr class="sub"><td>bandcamp: Single A</td><td class="n">0.01</td></tr>'
	assert_line '<tr class="steps"><td colspan="2">gross 50.00 − fees 10.14 − commission 5.98 − recouped 1.21 = 32.67 × 50%</td></tr>'
	# refunds of the same: -16.337087, -0.005, -0.005 shown -16.33, -0.01, 0.00 = -16.34 owed
	awk -F'\t' -v OFS='\t' 'NR > 1 { $5 = "refund"; for (i = 7; i <= 18; i++) if (i < 10 || i > 14) $i = "-" $i; $19 = "" } 1' \
		"$TALLY_ROOT/$A" >"$T/refund.tsv"
	run --separate-stderr tally-report --format text --issue-date 2026-12-01 "$T/refund.tsv"
	assert_success
	assert_line "Earned                                          -16.34"
	assert_line "  bandcamp: Lanterns (LP)                       -16.33"
	assert_line "  bandcamp: Single A                             -0.01"
	assert_line "      gross -50.00 + fees 10.14 + commission 5.98 + recouped 1.21 = -32.67 × 50%"
	assert_line "  bandcamp: Single B                              0.00"
	assert_line "Balance                                         -16.34"
	assert_line "Carried forward                                 -16.34"
	assert_line "-0.7087 ¢ carried to next month (under one cent)."
}

@test "a payee's single statement is headed in the singular; the run's view of several in the plural" {
	run --separate-stderr tally-report --format html --issue-date 2026-12-01 --out-dir "$T/html" "$TALLY_ROOT/$A"
	assert_success
	grep -q '^<title>Payout statement</title>$' "$T/html/Ana-2026-11.html"
	grep -q '^<h1>Payout statement</h1>$' "$T/html/Ana-2026-11.html"
	tally-report --format md --issue-date 2026-12-01 --out-dir "$T/md" "$TALLY_ROOT/$A" >/dev/null
	[ "$(head -1 "$T/md/Ana-2026-11.md")" = "# Payout statement" ]
	run --separate-stderr tally-report --format html --issue-date 2026-10-01 "$TALLY_ROOT/$W"
	assert_success
	assert_line '<h1>Payout statements</h1>'
	refute_line '<h1>Payout statement</h1>'
}

@test "html: the steps of a late line are indented deeper than the line; one month's bars sit in the chart's middle" {
	tally-report --ledger "$T/l.tsv" "$TALLY_ROOT/$W" >/dev/null
	# Ana's October: a late row of September (a new order) and an October one
	{ head -1 "$TALLY_ROOT/$W"
	  awk -F'\t' -v OFS='\t' '$11 == "Ana" && $3 == 2 { $1 = "2026-09-28"; $3 = 9; print }
	                         $11 == "Ana" && $3 == 3 { $1 = "2026-10-02"; $3 = 10; print }' "$TALLY_ROOT/$W"; } >"$T/late.tsv"
	run --separate-stderr tally-report --ledger "$T/l.tsv" --format html --issue-date 2026-11-01 --out-dir "$T/html" "$T/late.tsv"
	assert_success
	run cat "$T/html/Ana-2026-10.html"
	assert_line '<tr class="sub late"><td>bandcamp: Lanterns (LP)</td><td class="n">7.38</td></tr>'
	assert_line '<tr class="steps late"><td colspan="2">gross 50.00 − fees 5.00 − commission 6.75 − recouped 23.50 = 14.75 × 50%</td></tr>'
	assert_line '<tr class="steps"><td colspan="2">gross 20.00 − fees 2.00 − commission 2.70 = 15.30 × 50%</td></tr>'
	# late lines 3em; their steps (at .85em) 4.6 x .85 = 3.9em, under ordinary steps' 2.6 x .85
	assert_output --partial 'tr.late td{padding-left:3em}'
	assert_output --partial 'tr.steps.late td{padding-left:4.6em}'
	check_page "$T/html/Ana-2026-10.html" statement-late-steps-Ana
	# one month: its bar pair is centred between the value axis and the right edge
	tally-report --format html --issue-date 2026-12-01 --out-dir "$T/one" "$TALLY_ROOT/$A" >/dev/null
	run awk -F'"' '/^<line x1=/ && !l { l = $2; r = $6 }
		/^<rect class="rev" x=.*<title>/ { a = $4 } /^<rect class="pay" x=.*<title>/ { b = $4 + $8 }
		END { printf "%.1f %.1f\n", (l + r) / 2, (a + b) / 2 }' "$T/one/Ana-2026-11.html"
	read -r middle bars <<<"$output"
	[ "$middle" = "$bars" ]
	check_page "$T/one/Ana-2026-11.html" statement-one-month-Ana
}
