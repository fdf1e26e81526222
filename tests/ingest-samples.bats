#!/usr/bin/env bats
# tally-ingest on the real export samples in ../shared/data/exports (see
# SOURCES.md there): each must ingest without error, and its totals must
# be the ones computed by hand from the files (sums per currency, row and
# unit counts).  Skipped when the folder is absent.
# Plan: Stripe (3 samples; the settlement report's payout row disagrees
# with itself, so it needs --lenient), PayPal (2016 layout and its short
# variant, which needs --currency), Apple (sales and financial reports).
load helpers

E=$SHARED/exports

setup() {
	skip_without_shared exports
	export TALLY_SALT= # set, empty: the unkeyed pseudonyms, without the no-salt warning
}

# totals: "CUR gross fee net" per currency, sorted, then "rows N units U"
totals() {
	tail -n +2 | awk -F'\t' '{ g[$10] += $11; f[$10] += $13; n[$10] += $14; rows++; units += $9 }
		END { for (c in g) printf "%s %.2f %.2f %.2f\n", c, g[c], f[c], n[c]; printf "rows %d units %d\n", rows, units }' |
		sort
}

@test "stripe: hledger's balance change from activity (a charge and a refund row)" {
	run --separate-stderr tally-ingest "$E/stripe/hledger_balance_change_from_activity.csv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	# the refund returns the unit it refunds: 1 - 1
	[ "$(totals <<<"$output")" = "$(printf 'USD 11.23 0.00 11.23\nrows 2 units 0')" ]
	[ "$(cut -f3,7 <<<"$output" | tail -n +2 | tr '\t\n' ' |')" = "txn_14G11HjubSIHf9IKrvJdwN sale|txn_14G11HjHgubIH9ZvbPgYO7 refund|" ]
}

@test "stripe: SmashPig payments activity (a charge and a dispute with its fee)" {
	run --separate-stderr tally-ingest "$E/stripe/smashpig_payments_activity.csv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "$(totals <<<"$output")" = "$(printf 'USD 0.00 16.20 -16.20\nrows 2 units 0')" ]
	# order is the charge (charge_id), which the dispute reverses
	[ "$(cut -f3,7 <<<"$output" | tail -n +2 | tr '\t\n' ' |')" = "ch_aaa sale|ch_bbb chargeback|" ]
}

@test "stripe: SmashPig settlement report: its payout row's net disagrees (error; --lenient warns)" {
	run --separate-stderr tally-ingest "$E/stripe/smashpig_settlement_report.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $E/stripe/smashpig_settlement_report.csv:8: column \"net\": the export's net 23.05 is not gross - fee = 24.00 - 0.00 = 24.00" ]
	run --separate-stderr tally-ingest --lenient "$E/stripe/smashpig_settlement_report.csv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "tally-ingest: $E/stripe/smashpig_settlement_report.csv:8: column \"net\": the export's net 23.05 is not gross - fee = 24.00 - 0.00 = 24.00" ]
	# 25 - 10 + 10 - 0.50 - 0.50 + 3.35 + 24 = 51.35; fee 0.95
	[ "$(totals <<<"$output")" = "$(printf 'USD 51.35 0.95 50.40\nrows 7 units 5')" ]
	[ "$(cut -f7 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "sale refund sale fee fee adjustment payout " ]
	# the refund (txn_rfnd_002) carries its charge's order, ch_123
	[ "$(cut -f3,7 <<<"$output" | sed -n 2,3p | tr '\t\n' ' |')" = "ch_123 sale|ch_123 refund|" ]
}

@test "paypal: 2016 layout (comma+space header, trailing comma, thousands separators)" {
	run --separate-stderr tally-ingest -v "$E/paypal/ledger-autosync_paypal.csv"
	[ "$status" -eq 0 ]
	# "Charge From Debit Card" +1,120.00 funds the balance from the creator's
	# own card: not income, skipped; -20.00 is left
	# both rows are dated 6/4/2016: the PDT zone says month first, and it is said
	[ "$stderr" = "$(printf '%s\n' "tally-ingest: $E/paypal/ledger-autosync_paypal.csv: every date could be month/day or day/month: read month first by the file's time zone PDT (give --date-order dmy if not)" \
		'tally-ingest: read 2 rows from 1 file: wrote 1, rejected 0, duplicates 0, skipped 0 total rows' \
		'tally-ingest: ignored 1 row (skip rules of the format, or outside --since/--until/--period)')" ]
	[ "$(totals <<<"$output")" = "$(printf 'USD -20.00 0.00 -20.00\nrows 1 units 1')" ]
	[ "$(cut -f1,3 <<<"$output" | tail -n +2 | tr '\t\n' ' |')" = "2016-06-04T17:46:49Z XYZ1|" ]
}

@test "paypal: the short 2016 layout has no currency column (--currency USD)" {
	run --separate-stderr tally-ingest --currency usd "$E/paypal/ledger-autosync_paypal_alternate.csv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	# "Add Funds from a Bank Account" +12.34 is a top-up, not income: skipped
	[ "$(totals <<<"$output")" = "$(printf 'USD -12.34 0.00 -12.34\nrows 1 units 1')" ]
	[ "$(cut -f1,7 <<<"$output" | tail -n +2 | tr '\t\n' ' |')" = "2017-01-01T07:59:59Z adjustment|" ]
}

@test "apple: financial report, Total_Rows / Total_Amount / Total_Units checked" {
	run --separate-stderr tally-ingest -v "$E/apple/appstore-sdk-go_financial.tsv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "tally-ingest: read 2 rows from 1 file: wrote 2, rejected 0, duplicates 0, skipped 3 total rows" ]
	# 1 x 3.15 + 5 x 6.30 = 34.65 (Total_Amount), 6 units (Total_Units)
	[ "$(totals <<<"$output")" = "$(printf 'USD 34.65 0.00 34.65\nrows 2 units 6')" ]
}

@test "apple: sales report, per-unit proceeds times units in many currencies" {
	run --separate-stderr tally-ingest "$E/apple/appstore-sdk-go_sales.tsv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	# RUB: 12x209.30 + 3x559.30 + 18x209.30 + 2x2065.00 + 31x419.30 + 1x489.30
	#      + 0x59.80 + 3x559.30 + 45x209.30 + 18x419.30 = 44218.30
	# KZT: 4x805.00 + 1x2093.00 + 1x805.00 = 6118.00; MXN 71.81; SAR 13.99; USD 1x3.15
	[ "$(totals <<<"$output")" = "$(printf '%s\n' 'AED 0.00 0.00 0.00' 'EUR 0.00 0.00 0.00' 'GBP 0.00 0.00 0.00' \
		'ILS 0.00 0.00 0.00' 'INR 0.00 0.00 0.00' 'KZT 6118.00 0.00 6118.00' 'MXN 71.81 0.00 71.81' \
		'RUB 44218.30 0.00 44218.30' 'SAR 13.99 0.00 13.99' 'USD 3.15 0.00 3.15' 'ZAR 0.00 0.00 0.00' \
		'rows 46 units 716')" ]
}

@test "detection: every real sample is read as the format it is" {
	while read -r file fmt opts; do
		want=$(tally-ingest $opts --format "$fmt" "$E/$file" 2>/dev/null)
		got=$(tally-ingest $opts "$E/$file" 2>/dev/null)
		[ -n "$want" ] && [ "$got" = "$want" ] || { echo "$file is not read as $fmt"; false; }
	done <<-'LIST'
	stripe/hledger_balance_change_from_activity.csv stripe-balance
	stripe/smashpig_payments_activity.csv stripe-balance
	stripe/smashpig_settlement_report.csv stripe-balance --lenient
	paypal/ledger-autosync_paypal.csv paypal
	paypal/ledger-autosync_paypal_alternate.csv paypal-short --currency=USD
	apple/appstore-sdk-go_sales.tsv apple-sales
	apple/appstore-sdk-go_financial.tsv apple-financial
	LIST
}
