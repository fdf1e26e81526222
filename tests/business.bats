#!/usr/bin/env bats
# tests/business.bats - tally-report --summary --business, --costs and
# --whatif (issue 16), black box.
#
# Plan: the two-month fixture (tests/fixtures/business/, hand computed
# below) with costs per month, per year (100.00 a year: 8.333334 in
# September, 8.333333 in October), a one-off, a cost starting mid-month
# (31.00 from 2026-09-16: 15.50 in September), per unit and per sale; its
# profit, margins, break-even and cost per customer as customers grow;
# fee schedules re-pricing the same sales: a percent + fixed cut, a SaaS
# subscription with payout fees, a schedule changing mid-month (monthly fee
# spread by day), one starting mid-month (the sales before it unpriced);
# costs and fees in EUR converted with --fx on their days; dependence and
# refunds and chargebacks per channel with the change over the month
# before; text, md and html; and bad input: a cost without currency, per
# unknown, from after to, a bad amount, a currency other than the sales'
# without --fx, sales in two currencies, overlapping schedules, a missing
# column, options without --summary.
load helpers

B=tests/fixtures/business

setup_file() {
	cd "$TALLY_ROOT"
}

@test "--costs: costs by item, profit, margins and break-even, hand computed" {
	run --separate-stderr tally-report --summary --costs "$B/costs.tsv" "$B/sales.tsv"
	assert_success
	[ -z "$stderr" ]
	# September: fixed 12.00 + 100/12 (floor(75e6) - floor(66666666.6)) + 31.00 x 15/30
	assert_line $'2026-09\tUSD\tcost\tsoftware\tamount\t8.333334'
	assert_line $'2026-10\tUSD\tcost\tsoftware\tamount\t8.333333'
	assert_line $'2026-09\tUSD\tcost\tstudio\tamount\t15.50'
	assert_line $'2026-10\tUSD\tcost\tmastering\tamount\t300.00'
	# 4 units x 2.50 shipping; the 0.40 packaging per sale only from October (3 sales)
	assert_line $'2026-09\tUSD\tcost\tshipping\tamount\t10.00'
	assert_line $'2026-10\tUSD\tcost\tpackaging\tamount\t1.20'
	refute_line --partial $'2026-09\tUSD\tcost\tpackaging'
	assert_line $'2026-09\tUSD\tbusiness\t\tfixed_costs\t35.833334'
	# net 50.90 - variable 10.00 = contribution 40.90, 58.4% of 70.00, 13.633333 a sale
	assert_line $'2026-09\tUSD\tbusiness\t\tcontribution_margin\t58.4%'
	assert_line $'2026-09\tUSD\tbusiness\t\tcontribution_per_sale\t13.633333'
	assert_line $'2026-09\tUSD\tbusiness\t\tprofit\t5.066666'
	assert_line $'2026-09\tUSD\tbusiness\t\tmargin\t7.2%'
	# 35.833334 x 70 / 40.90 = 61.3284450.. rounded up; 35.833334 x 3 / 40.90 = 2.6 -> 3
	assert_line $'2026-09\tUSD\tbusiness\t\tbreak_even_revenue\t61.328445'
	assert_line $'2026-09\tUSD\tbusiness\t\tbreak_even_customers\t3'
	assert_line $'2026-09\tUSD\tbusiness\t\tcost_per_customer\t15.277778'
	# October: 351.333333 fixed, 13.70 variable, contribution 27.25
	assert_line $'2026-10\tUSD\tbusiness\t\tprofit\t-324.083333'
	assert_line $'2026-10\tUSD\tbusiness\t\tbreak_even_customers\t39'
	# ten times the customers: 351.333333 + 137.00 over 30
	assert_line $'2026-10\tUSD\tscale\t30\tcost_per_customer\t16.277778'
}

@test "--costs --whatif: the whole figures (gold file)" {
	run --separate-stderr tally-report --summary --costs "$B/costs.tsv" --whatif "$B/fees.tsv" "$B/sales.tsv"
	assert_success
	assert_output "$(cat "$B/expected-summary.tsv")"
}

@test "--whatif: percent + fixed, SaaS + payout fee, a change mid-month, a schedule starting mid-month" {
	run --separate-stderr tally-report --summary --whatif "$B/fees.tsv" "$B/sales.tsv"
	assert_success
	# flatcut 10% + 0.50: 7.00 + 1.50; net 50.90 + 9.10 actual fees - 8.50
	assert_line $'2026-09\tUSD\twhatif\tflatcut\tfees\t8.50'
	assert_line $'2026-09\tUSD\twhatif\tflatcut\tnet\t51.50'
	assert_line $'2026-09\tUSD\twhatif\tflatcut\tdifference\t0.60'
	# saas 29.00 a month + 0.25 for the one payout
	assert_line $'2026-09\tUSD\twhatif\tsaas\tfees\t29.25'
	assert_line $'2026-10\tUSD\twhatif\tsaas\tfees\t29.00'
	# mixed: 5% + 0.30 to 09-15 (0.80 + 2.80), then 3.5% + 0.30 (0.65) and
	# 10.00 a month from day 16 of 30 (5.00)
	assert_line $'2026-09\tUSD\twhatif\tmixed\tfees\t9.25'
	# October: 0.875 + 0.35 + 2.10 + 3 x 0.30 + 10.00
	assert_line $'2026-10\tUSD\twhatif\tmixed\tfees\t14.225'
	# late starts 2026-09-21: September's three sales are before it
	assert_line $'2026-09\tUSD\twhatif\tlate\tunpriced_sales\t3'
	assert_line $'2026-09\tUSD\twhatif\tlate\tnet\t'
	assert_line $'2026-10\tUSD\twhatif\tlate\tfees\t4.75'
}

@test "--fx --to: costs and fees in another currency converted on their days" {
	run --separate-stderr tally-report --summary --fx "$B/rates.tsv" --to USD --costs "$B/costs-eur.tsv" \
		--whatif "$B/fees-eur.tsv" "$B/sales.tsv"
	assert_success
	# 100.00 EUR on the month's last day: 1.10 in September, 1.20 in October
	assert_line $'2026-09\tUSD\tcost\tdesigner\tamount\t110.00'
	assert_line $'2026-10\tUSD\tcost\tdesigner\tamount\t120.00'
	# 8% of 70.00 + 3 x 0.35 EUR x 1.10
	assert_line $'2026-09\tUSD\twhatif\teurplat\tfees\t6.755'
	# 8% of 95.00 + 2 x 0.385 + 0.35 x 1.20 (from 10-15)
	assert_line $'2026-10\tUSD\twhatif\teurplat\tfees\t8.79'
	assert_line $'2026-10\tUSD\twhatif\teurplat\tnet\t61.21'
}

@test "--business: dependence and refunds per channel, with the change over the month before" {
	run --separate-stderr tally-report --summary --business "$B/sales.tsv"
	assert_success
	assert_line $'2026-09\tUSD\tdependence\tlargest_channel\tshare\t71.4%'
	assert_line $'2026-09\tUSD\tdependence\tlargest_channel\tchange\t'
	assert_line $'2026-10\tUSD\tdependence\tlargest_channel\tchange\t+18.1 pts'
	assert_line $'2026-10\tUSD\tdependence\tlargest_product\tname\tShirt'
	assert_line $'2026-10\tUSD\tdependence\tlargest_product\tchange\t-8.2 pts'
	assert_line $'2026-10\tUSD\tdependence\ttop_customers\tname\t3 of 3'
	assert_line $'2026-09\tUSD\trefunds\tgumroad\trefund_rate\t50.0%'
	assert_line $'2026-10\tUSD\trefunds\tbandcamp\tchargeback_rate\t29.4%'
	refute_line --partial $'\tcost\t'
	refute_line --partial $'\twhatif\t'
}

@test "--business in text, md and html" {
	run --separate-stderr tally-report --summary -f text -p 2026-10 --costs "$B/costs.tsv" --whatif "$B/fees.tsv" "$B/sales.tsv"
	assert_success
	assert_line "Profit and break-even"
	assert_line --regexp '^Break even revenue +1224\.83$'
	# for people in cents, rounded half to even (14.225 is 14.22, 55.775 is 55.78); TSV keeps 14.225
	assert_line --regexp '^mixed +14\.22 +55\.78 +14\.82 +15\.0% +0$'
	run tally-report --summary -f md --costs "$B/costs.tsv" "$B/sales.tsv"
	assert_line --partial '| Profit | -324.08 |'
	tally-report --summary -f html --costs "$B/costs.tsv" --whatif "$B/fees.tsv" "$B/sales.tsv" >"$T/b.html"
	xmllint --noout "$T/b.html"
	grep -q 'What other platforms would have taken' "$T/b.html"
}

@test "a month without sales still bears its costs" {
	printf '%s\n' $'date\tsource\tkind\tcurrency\tgross\tfee\tnet' \
		$'2026-01-10\tgumroad\tsale\tUSD\t10.00\t1.00\t9.00' \
		$'2026-03-10\tgumroad\tsale\tUSD\t10.00\t1.00\t9.00' >"$T/s.tsv"
	printf '%s\n' $'item\tfrom\tto\tamount\tcurrency\tper' $'hosting\t2026-01\t\t5.00\tUSD\tmonth' >"$T/c.tsv"
	run --separate-stderr tally-report --summary --costs "$T/c.tsv" "$T/s.tsv"
	assert_success
	assert_line $'2026-02\tUSD\tbusiness\t\tprofit\t-5.00'
	assert_line $'2026-02\tUSD\ttotal\t\trevenue\t0.00'
}

bad_costs() { # $1: the row; $2: the message after FILE:2:
	printf '%s\n' $'item\tfrom\tto\tamount\tcurrency\tper' "$1" >"$T/c.tsv"
	run --separate-stderr tally-report --summary --costs "$T/c.tsv" "$B/sales.tsv"
	assert_failure 1
	[ -z "$output" ]
	[ "$stderr" = "tally-report: $T/c.tsv:2: $2" ]
}

@test "bad costs: file, line, column and value" {
	bad_costs $'studio\t2026-01\t\t10\tUSD\tweekly' 'column "per": "weekly" is not month, year, sale or unit'
	bad_costs $'studio\t2026-01\t\t10\t\tmonth' 'column "currency": "" is not a currency code'
	bad_costs $'studio\t2026-05\t2026-01\t10\tUSD\tmonth' 'column "to": "2026-01" is before from'
	bad_costs $'studio\t2026-01\t\t10,00\tUSD\tmonth' 'column "amount": "10,00" is not an amount'
	bad_costs $'studio\t2026-01\t\t-10\tUSD\tmonth' 'column "amount": "-10" is negative: a cost is at least 0'
	bad_costs $'studio\tsoon\t\t10\tUSD\tmonth' 'column "from": "soon" is not a day, month or year'
	bad_costs $'\t2026-01\t\t10\tUSD\tmonth' 'column "item": "" is not an item: give the cost a name'
	bad_costs $'studio\t2026-01\t\t10\tEUR\tmonth' 'column "currency": "EUR" is not the sales'"'"' currency USD: give --fx RATES --to USD'
}

@test "--costs match and source: per-unit costs only on the products and sources named, hand computed" {
	# a stream of 2150 plays, a digital album, two posters, a vinyl LP
	printf '%s\n' $'date\tsource\tproduct\tkind\tquantity\tcurrency\tgross\tfee\tnet' \
		$'2026-09-01T00:00:00Z\tdistrokid\tLanterns\tsale\t2150\tUSD\t8.60\t0\t8.60' \
		$'2026-09-04T00:00:00Z\tgumroad\tLanterns (digital album)\tsale\t1\tUSD\t10.00\t0\t10.00' \
		$'2026-09-05T00:00:00Z\tetsy\tTour poster\tsale\t2\tUSD\t30.00\t0\t30.00' \
		$'2026-09-06T00:00:00Z\tbandcamp\tLanterns (vinyl LP)\tsale\t1\tUSD\t25.00\t0\t25.00' >"$T/s.tsv"
	printf '%s\n' $'item\tfrom\tto\tamount\tcurrency\tper\tmatch\tsource' \
		$'shipping\t2026-01\t\t3.50\tUSD\tunit\t*(vinyl LP)\t' \
		$'shipping\t2026-01\t\t3.50\tUSD\tunit\tTour poster\t' \
		$'card\t2026-01\t\t0.30\tUSD\tsale\t\tgumroad' \
		$'pressing\t2026-01\t\t2.00\tUSD\tunit\t*vinyl*\tband*' \
		$'hosting\t2026-01\t\t12.00\tUSD\tmonth\t*\t' >"$T/c.tsv"
	run --separate-stderr tally-report --summary --costs "$T/c.tsv" "$T/s.tsv"
	assert_success
	# shipping: 2 posters + 1 LP = 3 x 3.50, not the 2150 plays nor the download
	assert_line $'2026-09\tUSD\tcost\tshipping\tamount\t10.50'
	assert_line $'2026-09\tUSD\tcost\tcard\tamount\t0.30'
	assert_line $'2026-09\tUSD\tcost\tpressing\tamount\t2.00'
	assert_line $'2026-09\tUSD\tbusiness\t\tvariable_costs\t12.80'
	# revenue 73.60 - 12.80 variable = 60.80 (15.20 a sale of 4); - 12.00 hosting = 48.80
	assert_line $'2026-09\tUSD\tbusiness\t\tcontribution_per_sale\t15.20'
	assert_line $'2026-09\tUSD\tbusiness\t\tprofit\t48.80'
	# without the columns every unit pays: (2150 + 1 + 2 + 1) x 3.50 once a row
	cut -f1-6 "$T/c.tsv" >"$T/all.tsv"
	run --separate-stderr tally-report --summary --costs "$T/all.tsv" "$T/s.tsv"
	assert_success
	assert_line $'2026-09\tUSD\tcost\tshipping\tamount\t15078.00'
}

@test "bad costs: a match or source on a month or year cost" {
	printf '%s\n' $'item\tfrom\tto\tamount\tcurrency\tper\tmatch\tsource' \
		$'shipping\t2026-01\t\t3.50\tUSD\tunit\tVinyl\t' $'hosting\t2026-01\t\t12.00\tUSD\tmonth\tVinyl\t' >"$T/c.tsv"
	run --separate-stderr tally-report --summary --costs "$T/c.tsv" "$B/sales.tsv"
	assert_failure 1
	[ -z "$output" ]
	[ "$stderr" = "tally-report: $T/c.tsv:3: column \"match\": \"Vinyl\" is on a month or year cost: only sale and unit costs fall per row (leave it empty or *)" ]
	printf '%s\n' $'item\tfrom\tto\tamount\tcurrency\tper\tsource' $'software\t2026\t\t240\tUSD\tyear\tgumroad' >"$T/c.tsv"
	run --separate-stderr tally-report --summary --costs "$T/c.tsv" "$B/sales.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/c.tsv:2: column \"source\": \"gumroad\" is on a month or year cost: only sale and unit costs fall per row (leave it empty or *)" ]
}

@test "a costs file missing a column is usage (exit 2), as in a stream; the good one next to it runs" {
	printf '%s\n' $'item\tfrom\tto\tamount\tcurrency\tper' $'hosting\t2026-01\t\t5.00\tUSD\tmonth' >"$T/c.tsv"
	run --separate-stderr tally-report --summary --costs "$T/c.tsv" "$B/sales.tsv"
	assert_success
	printf '%s\n' $'item\tto\tamount\tcurrency\tper' $'hosting\t\t5.00\tUSD\tmonth' >"$T/c.tsv"
	run --separate-stderr tally-report --summary --costs "$T/c.tsv" "$B/sales.tsv"
	assert_failure 2
	[ -z "$output" ]
	[ "$stderr" = "tally-report: $T/c.tsv:1: missing column \"from\"" ]
}

@test "bad fee schedules: overlapping schedules of one platform, bad percent, a missing column" {
	printf '%s\n' $'platform\tpercent\tfixed_per_sale\tmonthly_fee\tpayout_fee\tcurrency\tfrom\tto' \
		$'gumroad\t10\t0.50\t\t\tUSD\t2026-01-01\t2026-06-30' \
		$'patreon\t8\t\t\t\tUSD\t2026-01-01\t' \
		$'gumroad\t5\t0.50\t\t\tUSD\t2026-06-01\t' >"$T/f.tsv"
	run --separate-stderr tally-report --summary --whatif "$T/f.tsv" "$B/sales.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/f.tsv:4: column \"from\": \"2026-06-01\": overlaps the schedule of platform \"gumroad\" on line 2 (one schedule a day)" ]
	printf '%s\n' $'platform\tpercent\tfixed_per_sale\tmonthly_fee\tpayout_fee\tcurrency\tfrom' \
		$'a\t10\t0\t0\t0\tUSD\t2026-01-01' $'a\t5\t0\t0\t0\tUSD\t2026-01-01' >"$T/f.tsv"
	run --separate-stderr tally-report --summary --whatif "$T/f.tsv" "$B/sales.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/f.tsv:3: column \"from\": \"2026-01-01\": overlaps the schedule of platform \"a\" on line 2 (one schedule a day)" ]
	printf '%s\n' $'platform\tpercent\tfixed_per_sale\tmonthly_fee\tpayout_fee\tcurrency\tfrom' \
		$'a\tten\t0\t0\t0\tUSD\t2026-01-01' >"$T/f.tsv"
	run --separate-stderr tally-report --summary --whatif "$T/f.tsv" "$B/sales.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/f.tsv:2: column \"percent\": \"ten\" is not a percentage (0 to 100)" ]
	printf '%s\n' $'platform\tpercent\tcurrency\tfrom' $'a\t10\tUSD\t2026-01-01' >"$T/f.tsv"
	run --separate-stderr tally-report --summary --whatif "$T/f.tsv" "$B/sales.tsv"
	assert_failure 2 # a missing column is usage, as in a stream (tally(7))
	[ "$stderr" = "tally-report: $T/f.tsv:1: missing column \"fixed_per_sale\"" ]
}

@test "sales in two currencies need --fx --to; the options need --summary; a missing file is exit 2" {
	printf '%s\n' $'date\tsource\tkind\tcurrency\tgross\tfee\tnet' \
		$'2026-01-10\tgumroad\tsale\tUSD\t10.00\t1.00\t9.00' \
		$'2026-01-11\tgumroad\tsale\tEUR\t10.00\t1.00\t9.00' >"$T/s.tsv"
	run --separate-stderr tally-report --summary --business "$T/s.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/s.tsv:3: sales in USD and EUR: --business, --costs, --whatif and --forecast work in one currency: give --fx RATES --to CUR" ]
	run --separate-stderr tally-report --costs "$B/costs.tsv" "$B/sales.tsv"
	assert_failure 2
	[ -z "$output" ]
	[ "${stderr%%$'\n'*}" = "tally-report: --business, --costs, --whatif and --forecast go with --summary" ]
	run --separate-stderr tally-report --summary --costs "$T/nosuch.tsv" "$B/sales.tsv"
	assert_failure 2
	[ "$stderr" = "tally-report: $T/nosuch.tsv: No such file or directory" ]
}

@test "share/fees.tsv: loads, and every schedule names its pricing page and the date it was read" {
	run --separate-stderr tally-report --summary --whatif share/fees.tsv "$B/sales.tsv"
	assert_success
	assert_line --partial $'2026-10\tUSD\twhatif\tgumroad\tfees\t'
	awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$col["source"] !~ /^https:\/\// || $col["read"] !~ /^20[0-9][0-9]-[01][0-9]-[0-3][0-9]$/ || $col["note"] == "" \
		{ print "line " NR ": no source, read date or note"; bad = 1 } END { exit bad }' share/fees.tsv
}

@test "html: a negative figure is shown as such, not quoted as a formula" {
	# found while writing the business tables: numeric cells went through the
	# formula guard, "-324.083333" came out as "'-324.083333" (in cents for people now)
	tally-report --summary -f html --costs "$B/costs.tsv" "$B/sales.tsv" >"$T/b.html"
	grep -q '<td class="n">-324.08</td>' "$T/b.html"
	grep -q '<td class="n">+18.1 pts</td>' "$T/b.html"
	! grep -q "<td class=\"n\">'" "$T/b.html"
}

@test "--forecast --balance: projected revenue, costs, profit with its 80% bounds, runway, hand computed" {
	run --separate-stderr tally-report --summary -p 2026-10 --costs "$B/costs.tsv" --forecast "$B/forecast.tsv" \
		--balance 20 "$B/sales.tsv"
	assert_success
	# October: revenue 95.00, net 40.95, variable 13.70; November's fixed
	# costs 12.00 + 8.333333 + 31.00; a net of 100.00 is revenue 100 x 95 / 40.95
	assert_line $'2026-10\tUSD\toutlook\t2026-11\trevenue\t231.990232'
	# variable 100 x 13.70 / 40.95 = 33.455433; + 51.333333
	assert_line $'2026-10\tUSD\toutlook\t2026-11\tcosts\t84.788766'
	assert_line $'2026-10\tUSD\toutlook\t2026-11\tprofit\t15.211234'
	# 50 - 16.727717 - 51.333333 and 150 - 50.18315 - 51.333333
	assert_line $'2026-10\tUSD\toutlook\t2026-11\tprofit_lo80\t-18.06105'
	assert_line $'2026-10\tUSD\toutlook\t2026-11\tprofit_hi80\t48.483517'
	# December's twelfth of the software is 8.333334
	assert_line $'2026-10\tUSD\toutlook\t2026-12\tprofit\t15.211233'
	# 20 - 18.06105 = 1.93895 lasts November, not December
	assert_line $'2026-10\tUSD\trunway\t\trunway_periods\t2+'
	assert_line $'2026-10\tUSD\trunway\t\trunway_periods_lo80\t1'
	run --separate-stderr tally-report --summary --forecast "$B/forecast.tsv" "$B/sales.tsv"
	assert_success
	refute_line --partial $'2026-09\tUSD\toutlook'
	# without costs the profit is the net, and the balance 0
	assert_line $'2026-10\tUSD\toutlook\t2026-11\tprofit_lo80\t50.00'
	assert_line $'2026-10\tUSD\trunway\t\trunway_periods_lo80\t2+'
}

@test "--forecast: another currency, another kind of period, --balance alone" {
	printf '%s\n' $'currency\tperiod\tforecast' $'EUR\t2026-11\t10' >"$T/f.tsv"
	run --separate-stderr tally-report --summary --forecast "$T/f.tsv" "$B/sales.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/f.tsv:2: column \"currency\": \"EUR\" is not the sales' currency USD: give --fx RATES --to USD" ]
	printf '%s\n' $'currency\tperiod\tforecast' $'USD\t2026-Q4\t10' >"$T/f.tsv"
	run --separate-stderr tally-report --summary --forecast "$T/f.tsv" "$B/sales.tsv"
	assert_failure 1
	[ "$stderr" = "tally-report: $T/f.tsv:2: column \"period\": \"2026-Q4\" is not a period of the summary's kind" ]
	run --separate-stderr tally-report --summary --balance 10 "$B/sales.tsv"
	assert_failure 2
	[ "${stderr%%$'\n'*}" = "tally-report: --balance goes with --forecast" ]
}

@test "html: the costs chart's value axis is whole numbers on gridlines, as the other charts" {
	tally-report --summary --format html --costs "$B/costs.tsv" "$B/sales.tsv" >"$T/b.html"
	awk '/Revenue, costs and break-even per period/,/<\/svg>/' "$T/b.html" >"$T/costs.svg"
	# the highest figure is October's break-even 1224.83: steps of 500 up to 1500
	labels=$(grep -o '<text x="[0-9]*" y="[0-9.]*" text-anchor="end">[^<]*' "$T/costs.svg" | sed 's/.*>//' | tr '\n' ' ')
	[ "$labels" = "0 500 1000 1500 " ]
	[ "$(grep -c 'stroke="#e4e4e4"' "$T/costs.svg")" -eq 3 ]
	[ "$(grep -c 'stroke="#666"' "$T/costs.svg")" -eq 1 ]
	# the revenue chart labels its axis the same way
	awk '/Revenue, fees and net received per period/,/<\/svg>/' "$T/b.html" | grep -q 'stroke="#e4e4e4"'
	# the bars keep their exact amounts in their titles
	grep -q '<title>2026-10 break-even revenue: 1224.83</title>' "$T/costs.svg"
}

@test "html: charts of revenue, fees and net, the channel mix, revenue, costs and break-even; drawn by headless Chromium with their colours" {
	tally-report --summary -f html --costs "$B/costs.tsv" "$B/sales.tsv" >"$T/b.html"
	xmllint --noout "$T/b.html"
	run xmllint --html --noout "$T/b.html"
	[ -z "$(grep 'error' <<<"$output" | grep -Ev 'Tag (svg|line|text|rect|title) invalid')" ]
	grep -q '<title>2026-09 costs: 45.83</title>' "$T/b.html"
	grep -q '<title>2026-10 break-even revenue: 1224.83</title>' "$T/b.html"
	# by hand from sales.tsv: September's fees 9.10, October's channels bandcamp and gumroad
	grep -q '<title>2026-09 fees: 9.10</title>' "$T/b.html"
	grep -q 'Channel mix: each channel' "$T/b.html"
	grep -q '<title>2026-09 bandcamp: 71.4%</title>' "$T/b.html"
	grep -q '<title>2026-09 gumroad: 28.6%</title>' "$T/b.html"
	# without costs there is nothing to chart but the summary's own
	tally-report --summary -f html --business "$B/sales.tsv" >"$T/n.html"
	! grep -q 'break-even' "$T/n.html"
	grep -q 'Channel mix' "$T/n.html"
	command -v chromium >/dev/null || skip "no chromium"
	timeout 60 chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$T/b.html" >"$T/dom.html" 2>/dev/null
	grep -q 'Revenue, costs and break-even per period (USD)' "$T/dom.html"
	grep -q 'What other platforms would have taken\|Profit and break-even' "$T/dom.html"
	mkdir -p "$TALLY_ROOT/build/artefacts"
	local png="$TALLY_ROOT/build/artefacts/business-summary.png"
	rm -f "$png"
	timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$T/chrome" \
		--screenshot="$png" --window-size=800,1000 "file://$T/b.html" >/dev/null 2>&1
	# not blank, and every chart's colours drawn: revenue, net, fees, two channels, costs
	run "$TALLY_ROOT/tests/png-colours" "$png" '#7aa6d8' '#2e7d32' '#c62828' '#1f77b4' '#ff7f0e' '#d98c5f'
	assert_success
	read -r size colours ink <<<"$output"
	[ "$size" = 800x1000 ] && [ "$colours" -gt 8 ] && [ "$ink" -gt 20 ]
	# and a page without the charts lacks them
	sed 's/<svg.*//; /<rect/d' "$T/b.html" >"$T/nochart.html"
	timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$T/chrome" \
		--screenshot="$T/nochart.png" --window-size=800,1000 "file://$T/nochart.html" >/dev/null 2>&1
	run "$TALLY_ROOT/tests/png-colours" "$T/nochart.png" '#c62828' '#1f77b4'
	assert_failure 1
}

@test "for people every amount of the summary and the business tables is in cents; TSV keeps the micro-units" {
	for f in text md; do
		run --separate-stderr tally-report --summary -f "$f" --costs "$B/costs.tsv" --whatif "$B/fees.tsv" "$B/sales.tsv"
		assert_success
		refute_output --regexp '(^|[ |])-?[0-9]+\.[0-9]{3,}( |$)'
	done
	run --separate-stderr tally-report --summary --costs "$B/costs.tsv" --whatif "$B/fees.tsv" "$B/sales.tsv"
	assert_line $'2026-10\tUSD\twhatif\tmixed\tfees\t14.225'
}
