#!/usr/bin/env bats
# tally-ingest: the formats added for issue 9, each on a fixture written in
# the platform's real shape (tests/fixtures/ingest/formats), with totals
# computed by hand; files that are not exports (workbooks, web pages);
# --explain-format; the "checked:" lines of --list-formats.
# Plan: PayPal German (BOM, quoted, CRLF, 1.234,56, DD.MM.YYYY), French
# activity (39 columns, État, Balance Impact Memo), English and Spanish
# statement layouts (no Type/Status); TuneCore (CRLF, 6 decimals, Total
# Earned in EUR), CD Baby (TAB .txt, CRLF, AM/PM, 10 decimals), Steam
# (sep=, + title + blank line; net checked), YouTube (Total row first,
# checked at the end), KDP, Shopify Analytics sales; XLSX / XLS / HTML /
# PDF refused with what to do; --explain-format; --list-formats.
load helpers

F=$FIX/ingest/formats

setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/tally.XXXXXX")
	export TALLY_SALT= # set, empty: unkeyed pseudonyms, without the no-salt warning
}

# totals: "CUR gross tax fee net" per currency, sorted, then "rows N units U"
totals() {
	tail -n +2 | awk -F'\t' '{ g[$10] += $11; t[$10] += $12; f[$10] += $13; n[$10] += $14; rows++; units += $9 }
		END { for (c in g) printf "%s %.6f %.2f %.2f %.6f\n", c, g[c], t[c], f[c], n[c]; printf "rows %d units %d\n", rows, units }' |
		sort
}

# kinds: "order kind" of each row, joined by |
kinds() {
	tail -n +2 | cut -f3,7 | tr '\t\n' ' |'
}

# ---- PayPal in other languages, and the statement layout -----------------------

@test "paypal-de: German download, 1.234,56 and DD.MM.YYYY; top-ups, holds and conversions passed over" {
	run --separate-stderr tally-ingest -v "$F/paypal_de.csv"
	[ "$status" -eq 0 ]
	# sales 1234.56 + 25.00, refund -25.00 (its fee 0.60 given back), payout
	# -1000.00, a purchase -29.98 (adjustment), a donation 10.00 (fee 0.64):
	# gross 214.58, fee 43.56 + 1.10 - 0.60 + 0.64 = 44.70, net 169.88
	[ "$(totals <<<"$output")" = "$(printf 'EUR 214.580000 0.00 44.70 169.880000\nrows 6 units 4')" ]
	[ "$(kinds <<<"$output")" = "1AB23456CD789012E sale|2BC34567DE890123F sale|2BC34567DE890123F refund|5EF67890GH123456J payout|6FG78901HJ234567K adjustment|9JK01234LM567890N tip|" ]
	# the day as PayPal writes it: 05.07.2023 is the 5th of July, 09:02:45
	# in Europe/Berlin (summer time, +02:00); the refund (its own code
	# 3CD...) is of its sale's order, its Zugehöriger Transaktionscode
	[ "$(cut -f1 <<<"${lines[3]}")" = "2023-07-05T07:02:45Z" ]
	# the hold, the bank top-up and the conversion: 3 rows ignored, counted
	[[ "$stderr" == *"ignored 3 rows"* ]]
}

@test "paypal-de: the time and its zone are read (Europe/Berlin, summer and winter; MESZ); a zone tally does not know is refused, not guessed" {
	sed -e '2s/"01.07.2023","10:15:02","Europe\/Berlin"/"01.12.2023","10:15:02","Europe\/Berlin"/' \
		-e '3s/"Europe\/Berlin"/"MESZ"/' "$F/paypal_de.csv" >"$T/de.csv"
	run --separate-stderr tally-ingest "$T/de.csv"
	[ "$status" -eq 0 ]
	# winter (+01:00) and summer, by the region or its abbreviation (+02:00)
	[ "$(cut -f1 <<<"${lines[1]}")" = "2023-12-01T09:15:02Z" ]
	[ "$(cut -f1 <<<"${lines[2]}")" = "2023-07-03T16:40:11Z" ]
	sed '3s/"Europe\/Berlin"/"Mars\/Olympus"/' "$F/paypal_de.csv" >"$T/de.csv"
	run --separate-stderr tally-ingest "$T/de.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/de.csv:3: column \"Datum\": \"03.07.2023 18:40:11 Mars/Olympus\" has a time zone \"Mars/Olympus\" tally does not know (a region such as Europe/Berlin or America/Los_Angeles, an abbreviation such as CEST or PDT, or an offset such as +02:00)" ]
}

@test "paypal-fr: French activity download; pending, Memo and conversion rows passed over" {
	run --separate-stderr tally-ingest -v "$F/paypal_fr.csv"
	[ "$status" -eq 0 ]
	# sale 49.37 (fee 1.78), refund -10.00 (fee 0.30 back), withdrawal -30.00
	[ "$(totals <<<"$output")" = "$(printf 'EUR 9.370000 0.00 1.48 7.890000\nrows 3 units 1')" ]
	# the refund 1TX...02 is of its sale's order (Numéro de la transaction de référence)
	[ "$(kinds <<<"$output")" = "1TX00000000000001 sale|1TX00000000000001 refund|1TX00000000000005 payout|" ]
	# 02/03/2017 is the 2nd of March, 14:05 in Europe/Brussels (+01:00);
	# the buyer country is read
	[ "$(cut -f1,15 <<<"${lines[1]}")" = "$(printf '2017-03-02T13:05:00Z\tBE')" ]
	[[ "$stderr" == *"ignored 3 rows"* ]]
}

@test "paypal-statement: the English statement layout (no Type/Status), month first" {
	run --separate-stderr tally-ingest -v "$F/paypal_statement_en.csv"
	[ "$status" -eq 0 ]
	# USD: sale 1,309.80 (fee 48.76), refund -20.00 (fee 0.58 back);
	# EUR: the withdrawal -1,058.09; conversions and the hold passed over
	[ "$(totals <<<"$output")" = "$(printf 'EUR -1058.090000 0.00 0.00 -1058.090000\nUSD 1289.800000 0.00 48.18 1241.620000\nrows 3 units 1')" ]
	# the refund TID20 is of its sale's order (Reference Txn ID TID9)
	[ "$(kinds <<<"$output")" = "TID9 sale|TID1 payout|TID9 refund|" ]
	# 9/27/2018 21:15:11 in America/Los_Angeles (summer time, -07:00)
	[ "$(cut -f1 <<<"${lines[3]}")" = "2018-09-28T04:15:11Z" ]
	[[ "$stderr" == *"ignored 3 rows"* ]]
}

@test "paypal-es-statement: the Spanish statement layout, D/M/YYYY and 1.234,56" {
	run --separate-stderr tally-ingest "$F/paypal_es_statement.csv"
	[ "$status" -eq 0 ]
	# 49.37 + 28.82 - 10.00 - 1000.00 = -931.81; fee 1.78 + 1.19 - 0.40 = 2.57
	[ "$(totals <<<"$output")" = "$(printf 'EUR -931.810000 0.00 2.57 -934.380000\nrows 4 units 2')" ]
	[ "$(kinds <<<"$output")" = "TID1 sale|TID2 sale|TID2 refund|TID5 payout|" ]
	# 2/1/2020 is the 2nd of January, 13/1/2020 the 13th; 11:05:56 in
	# Europe/Madrid (winter time, +01:00)
	[ "$(cut -f1 <<<"${lines[1]}")" = "2020-01-02T10:05:56Z" ]
	[ "$(cut -f1 <<<"${lines[3]}")" = "2020-01-13T10:05:56Z" ]
}

# month FILE SALE_LINE: FILE's header and the line SALE_LINE (a sale), then
# the header and REFUND_LINE, as two months' downloads in $T
months() {
	local f=$1 sale=$2 refund=$3
	sed -n "1p;${sale}p" "$F/$f" >"$T/m1.csv"
	sed -n "1p;${refund}p" "$F/$f" >"$T/m2.csv"
}

@test "a PayPal refund in a later download is split as its sale was, by the state, in every language layout (product agreements)" {
	# each: the fixture, its sale's line, its refund's line (whose reference
	# transaction id is the sale's), the sale's product and the refund's share
	while IFS='|' read -r f sale refund product refunded; do
		months "$f" "$sale" "$refund"
		printf 'match\ttier\tpayee\tshare\n%s\t1\tAna\t100%%\n*\t1\tBen\t100%%\n' "$product" >"$T/a.tsv"
		rm -f "$T/s.state"
		tally-ingest "$T/m1.csv" 2>/dev/null | tally-split -a "$T/a.tsv" --state "$T/s.state" >"$T/o1.tsv"
		run --separate-stderr bash -c "tally-ingest '$T/m2.csv' 2>/dev/null | tally-split -a '$T/a.tsv' --state '$T/s.state'"
		[ "$status" -eq 0 ] || { echo "$f: $stderr"; false; }
		# the refund goes to Ana, whose agreement split the sale, not to Ben ("*")
		[ "$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { printf "%s %s|", $c["payee"], $c["amount"] }' <<<"$output")" = "Ana $refunded|" ] ||
			{ echo "$f: $output"; false; }
	done <<-'EOF'
	paypal_de.csv|3|4|PayPal Express-Zahlung|-24.40
	paypal_fr.csv|2|3|Album numérique|-9.70
	paypal_es_statement.csv|3|4|Pago estándar|-9.60
	paypal_statement_en.csv|2|6|Express Checkout Payment|-19.42
	EOF
}

@test "paypal-de: the German catch-alls of real files (Handyzahlung, Website-Zahlung, Zahlung im Einzugsverfahren, Rücklastschriftgebühr...)" {
	run --separate-stderr tally-ingest -v "$F/paypal_de_types.csv"
	[ "$status" -eq 0 ]
	# sales 15.00 + 30.00, money sent -54.99 - 45.00, a fee row 3.00, a
	# pre-approved payment 5.00, a credit 2.00: gross -47.99,
	# fee 0.79 + 1.22 + 3.00 + 0.35 = 5.36, net -53.35
	[ "$(totals <<<"$output")" = "$(printf 'EUR -47.990000 0.00 5.36 -53.350000\nrows 7 units 7')" ]
	[ "$(kinds <<<"$output")" = "1DE00000000000001 sale|1DE00000000000002 sale|1DE00000000000003 adjustment|1DE00000000000005 adjustment|1DE00000000000007 fee|1DE00000000000008 subscription|1DE00000000000009 adjustment|" ]
	# the card charge, the cart item, the bank top-up, the hold and its release
	[[ "$stderr" == *"ignored 5 rows"* ]]
}

@test "paypal-fr: the French types of real files (Paiement DCC, Paiement de don, holds for a dispute), 1 045,00 with a no-break space" {
	run --separate-stderr tally-ingest -v "$F/paypal_fr_types.csv"
	[ "$status" -eq 0 ]
	# 1045.00 + 12.00 - 10.00 - 40.00 - 5.00 = 1002.00; fee 36.55 + 0.77 - 0.30
	[ "$(totals <<<"$output")" = "$(printf 'EUR 1002.000000 0.00 37.02 964.980000\nrows 5 units 3')" ]
	[ "$(kinds <<<"$output")" = "2FR00000000000001 sale|2FR00000000000002 tip|2FR00000000000005 refund|2FR00000000000006 payout|2FR00000000000007 adjustment|" ]
	# two payment holds, a dispute hold and its release (-1 008,00 with U+202F)
	[[ "$stderr" == *"ignored 4 rows"* ]]
}

@test "paypal-de, -fr, -es: a type outside the language's vocabulary is an error naming it (was an adjustment)" {
	sed '3s/"Website-Zahlung"/"Treueprämie"/' "$F/paypal_de_types.csv" >"$T/de.csv"
	run --separate-stderr tally-ingest "$T/de.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/de.csv:3: column \"Beschreibung\": \"Treueprämie\" is a row type the paypal-de format does not know (it cannot classify the row)" ]
	sed '3s/"Paiement de don"/"Prime de fidélité"/' "$F/paypal_fr_types.csv" >"$T/fr.csv"
	run --separate-stderr tally-ingest "$T/fr.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/fr.csv:3: column \"Type\": \"Prime de fidélité\" is a row type the paypal-fr format does not know (it cannot classify the row)" ]
	sed '3s/,Pago estándar,/,Bonificación por referido,/' "$F/paypal_es_statement.csv" >"$T/es.csv"
	run --separate-stderr tally-ingest "$T/es.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/es.csv:3: column \"Descripción\": \"Bonificación por referido\" is a row type the paypal-es-statement format does not know (it cannot classify the row)" ]
	# with --rejects the row is set aside with its reason, the rest read
	run --separate-stderr tally-ingest --rejects "$T/rej.tsv" "$T/de.csv"
	[ "$status" -eq 0 ]
	[ "$(tail -n +2 <<<"$output" | wc -l)" -eq 6 ]
	grep -q 'Treueprämie' "$T/rej.tsv"
}

@test "paypal-de: an amount in the English way is refused with the line and the column" {
	sed '2s/"1.234,56"/"1,234.56"/' "$F/paypal_de.csv" >"$T/de.csv"
	run --separate-stderr tally-ingest "$T/de.csv"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$T/de.csv:2: "*'column "Brutto": "1,234.56"'* ]]
}

@test "the German and Spanish headers are detected (not refused as unknown)" {
	for f in paypal_de paypal_fr paypal_statement_en paypal_es_statement; do
		run --separate-stderr tally-ingest --explain-format "$F/$f.csv"
		[ "$status" -eq 0 ]
		case $f in
		paypal_statement_en) want=paypal-statement ;;
		*) want=$(tr _ - <<<"$f") ;;
		esac
		[ "${lines[1]%% *}" = "format:" ]
		[ "$(cut -d' ' -f2 <<<"${lines[1]}")" = "$want" ]
	done
}

# ---- new platforms ---------------------------------------------------------------

@test "tunecore: CRLF, 6 decimals, Total Earned in EUR after the exchange rate" {
	run --separate-stderr tally-ingest "$F/tunecore.csv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	# 0.383185 + 1.277283 - 0.638642 = 1.021826 EUR (Net Sales USD not summed)
	[ "$(totals <<<"$output")" = "$(printf 'EUR 1.021826 0.00 0.00 1.021826\nrows 3 units 121')" ]
	[ "$(cut -f5,6,7,15 <<<"${lines[3]}")" = "$(printf 'Neon Rain\tQZ1234500001\trefund\tGB')" ]
}

@test "tunecore: a USD account (empty Exchange Rate and Optional ISRC): each song keeps its own TC Song ID" {
	run --separate-stderr tally-ingest "$F/tunecore_usd.csv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	# 0.4598 + 0.059 + 0.0066 = 0.5254 USD, Total Earned = Net Sales
	[ "$(totals <<<"$output")" = "$(printf 'USD 0.525400 0.00 0.00 0.525400\nrows 3 units 44')" ]
	# two songs of one album (one UPC): the sku is the track's, not the release's
	[ "$(tail -n +2 <<<"$output" | cut -f5,6 | sort -u | tr '\t\n' ' |')" = "First Light TCAFX2100001|Low Water TCAFX2100002|" ]
}

@test "distrokid: the 2025 15-column layout, CR-only line ends, latin-1 read without --encoding (the format's cp1252 fallback)" {
	run --separate-stderr tally-ingest --encoding latin1 "$F/distrokid_2026.tsv"
	[ "$status" -eq 0 ]
	want=$output
	run --separate-stderr tally-ingest "$F/distrokid_2026.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	# the same file in UTF-8 is read as UTF-8 by the same format: the same rows
	iconv -f cp1252 -t utf-8 "$F/distrokid_2026.tsv" >"$BATS_TEST_TMPDIR/dk-utf8.tsv"
	run --separate-stderr tally-ingest "$BATS_TEST_TMPDIR/dk-utf8.tsv"
	[ "$status" -eq 0 ]
	[ "$(cut -f1-16 <<<"$output")" = "$(cut -f1-16 <<<"$want")" ]
	# 0.011 + 0.60 - 0.0041 = 0.6069; a row per CR-ended line, names decoded
	[ "$(totals <<<"$output")" = "$(printf 'USD 0.606900 0.00 0.00 0.606900\nrows 3 units 3')" ]
	[ "$(cut -f5,7 <<<"${lines[3]}")" = "$(printf 'Fl\xc3\xbcgel\trefund')" ]
	[ "$(cut -f1 <<<"${lines[1]}")" = "2026-02-01T00:00:00Z" ]
}

@test "cdbaby: TAB-separated .txt, CRLF, AM/PM dates, a 10-decimal Subtotal rounded and reported" {
	run --separate-stderr tally-ingest "$F/cdbaby.txt"
	[ "$status" -eq 0 ]
	# 0.012 + 0.6237 - 0.6237 + 0.0218641969 (-> 0.021864) = 0.033864
	[ "$(totals <<<"$output")" = "$(printf 'USD 0.033864 0.00 0.00 0.033864\nrows 4 units 10')" ]
	[ "$stderr" = "tally-ingest: rounded 1 amount with more than 6 decimals to micro-units (half to even), total rounding -0.0000001969" ]
	# 10/21/2023 12:00:00 PM is noon; the Sales Date, not the Report Date
	[ "$(cut -f1,7 <<<"${lines[4]}")" = "$(printf '2023-10-21T12:00:00Z\tsale')" ]
	[ "$(cut -f7 <<<"${lines[3]}")" = "refund" ]
}

@test "steam: sep=, line, title line and blank line before the header; VAT is tax, net checked" {
	run --separate-stderr tally-ingest -v "$F/steam.csv"
	[ "$status" -eq 0 ]
	# 59.97 - 9.58 VAT = 50.39; 39.98 - 19.99 returned = 19.99; a return
	# -19.99 with 3.33 VAT given back = -16.66; the zero Retail row ignored
	[ "$(totals <<<"$output")" = "$(printf 'USD 53.720000 6.25 0.00 53.720000\nrows 3 units 3')" ]
	[ "$(cut -f7,12,15 <<<"${lines[3]}" | tr '\t' ' ')" = "refund -3.33 GB" ]
	[[ "$stderr" == *"ignored 1 row "* ]]
}

@test "steam: a net that is not gross + returns + VAT is refused (signs not as assumed)" {
	sed '5s/,0.00,-9.58,50.39/,0.00,9.58,50.39/' "$F/steam.csv" >"$T/s.csv"
	run --separate-stderr tally-ingest "$T/s.csv"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$T/s.csv:5: "*"the export's net"* ]]
}

@test "steam: the spaced column names (Chargebacks / Returns, VAT / Tax (USD)) are the same report" {
	sed -e '4s|,Chargeback/Returns,|,Chargebacks / Returns,|' \
		-e '4s|Chargeback/Returns (USD),VAT/Tax (USD)|Chargeback / Returns (USD),VAT / Tax (USD)|' "$F/steam.csv" >"$T/s.csv"
	run --separate-stderr tally-ingest "$T/s.csv"
	[ "$status" -eq 0 ]
	[ "$(totals <<<"$output")" = "$(printf 'USD 53.720000 6.25 0.00 53.720000\nrows 3 units 3')" ]
}

@test "steam: sep=; is read with semicolons" {
	sed -e '1s/sep=,/sep=;/' -e '4,$s/,/;/g' "$F/steam.csv" >"$T/s.csv"
	run --separate-stderr tally-ingest "$T/s.csv"
	[ "$status" -eq 0 ]
	[ "$(totals <<<"$output")" = "$(printf 'USD 53.720000 6.25 0.00 53.720000\nrows 3 units 3')" ]
}

@test "soundcloud: two preamble rows (Account ID, the account's UUID), then the header; zero rows ignored" {
	run --separate-stderr tally-ingest -v "$F/soundcloud_lifetime.csv"
	[ "$status" -eq 0 ]
	# 31.4512 + 4.1288 + 1.92 - 0.64 = 36.86; the 0 TikTok row ignored
	[ "$(totals <<<"$output")" = "$(printf 'USD 36.860000 0.00 0.00 36.860000\nrows 4 units 15356')" ]
	[ "$(tail -n +2 <<<"$output" | cut -f7 | sort | uniq -c | tr -s ' \n' ' ')" = " 1 refund 3 sale " ]
	# the stream month is the date, the accounting month the reported date
	[ "$(cut -f1,6,15 <<<"${lines[1]}")" = "$(printf '2026-07-01T00:00:00Z\tQZAB12600011\tNL')" ]
	[[ "$stderr" == *"ignored 1 row "* ]]
	run --separate-stderr tally-ingest --explain-format "$F/soundcloud_lifetime.csv"
	assert_line 'preamble: 2 lines before the header passed over'
}

@test "soundcloud: the next month's lifetime statement repeats the months before: only the new month is new" {
	run --separate-stderr tally-ingest "$F/soundcloud_lifetime.csv" "$F/soundcloud_lifetime_next.csv"
	[ "$status" -eq 0 ]
	# 36.86 + August's 27.003, the four repeated rows dropped as duplicates
	[ "$(totals <<<"$output")" = "$(printf 'USD 63.863000 0.00 0.00 63.863000\nrows 5 units 24357')" ]
	[[ "$stderr" == *"soundcloud_lifetime_next.csv: dropped 4 duplicate rows"* ]]
}

@test "patreon-earnings: fees written negative, Taxes on fees, one-time purchases and recovered payments; each month checked" {
	run --separate-stderr tally-ingest "$F/patreon_earnings_2026.csv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	# July: fees 28 + 2.24 + 12.95 + 12 = 55.19 (a cost, not -55.19);
	# 350 - 55.19 - 15 + 3.50 + 9 recovered = 292.31, Patreon's own total
	[ "$(cut -f7,11,13,14 <<<"${lines[1]}" | tr '\t' ' ')" = "subscription 350.00 55.19 294.81" ]
	[ "$(totals <<<"$output")" = "$(printf 'USD 647.500000 0.00 103.91 543.590000\nrows 5 units 3')" ]
	# a month whose rows do not make its Total net earnings is refused
	sed '3s/,251.28$/,252.28/' "$F/patreon_earnings_2026.csv" >"$T/p.csv"
	run --separate-stderr tally-ingest "$T/p.csv"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$T/p.csv:3: "*"the export's net 252.28"* ]]
}

@test "youtube: Table data.csv with its Total row first, checked against the rows after it" {
	run --separate-stderr tally-ingest -v "$F/youtube_table_data.csv"
	[ "$status" -eq 0 ]
	# 1.234 + 2.100 + 1.236 = 4.570 = Total; the 0.000 day ignored
	[ "$(totals <<<"$output")" = "$(printf 'USD 4.570000 0.00 0.00 4.570000\nrows 3 units 3')" ]
	[[ "$stderr" == *"skipped 1 total rows"* ]]
	sed '2s/4.570/4.580/' "$F/youtube_table_data.csv" >"$T/yt.csv"
	run --separate-stderr tally-ingest "$T/yt.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/yt.csv: the totals row before the data: column \"Estimated revenue (USD)\": \"4.580\" is not the sum of column \"Estimated revenue (USD)\", 4.57 (totals row)" ]
}

@test "kdp: royalties per marketplace currency; free promotion rows ignored; a refund" {
	run --separate-stderr tally-ingest -v "$F/kdp.csv"
	[ "$status" -eq 0 ]
	[ "$(totals <<<"$output")" = "$(printf 'EUR 3.140000 0.00 0.00 3.140000\nGBP -2.420000 0.00 0.00 -2.420000\nUSD 31.250000 0.00 0.00 31.250000\nrows 3 units 11')" ]
	[ "$(cut -f6,7 <<<"${lines[3]}" | tr '\t' ' ')" = "B0ABCDEFGH refund" ]
	[[ "$stderr" == *"ignored 1 row "* ]]
}

@test "kdp: the Paperback Royalty sheet (ISBN and ASIN, Order Date, N/A in a cost column): the ISBN names the edition" {
	run --separate-stderr tally-ingest "$F/kdp_paperback.csv"
	[ "$status" -eq 0 ]
	[ "$(totals <<<"$output")" = "$(printf 'EUR 4.610000 0.00 0.00 4.610000\nUSD 19.130000 0.00 0.00 19.130000\nrows 2 units 4')" ]
	[ "$(tail -n +2 <<<"$output" | cut -f6 | sort -u)" = "9781234567897" ]
}

@test "shopify-sales: the Analytics sales report, returns as refunds, taxes as tax; --currency needed" {
	run --separate-stderr tally-ingest --currency USD "$F/shopify_sales.csv"
	[ "$status" -eq 0 ]
	# day 1: 4722.08 - 135.04 + 42.16 shipping = 4629.20, returns -48.12;
	# day 2: 2340.83; tax 29.03 + 18.79; gross + tax = Total sales 6969.73
	[ "$(totals <<<"$output")" = "$(printf 'USD 6921.910000 47.82 0.00 6921.910000\nrows 3 units 29')" ]
	[ "$(kinds <<<"$output")" = "2026-03-29 sale|2026-03-29 refund|2026-03-30 sale|" ]
	run --separate-stderr tally-ingest "$F/shopify_sales.csv"
	[ "$status" -ne 0 ]
}

@test "the orders export is still shopify-orders, the sales report shopify-sales" {
	run --separate-stderr tally-ingest --explain-format --currency USD "$F/shopify_sales.csv" "$FIX/ingest/shopify_orders.csv"
	[ "$status" -eq 0 ]
	[ "$(grep '^format:' <<<"$output" | cut -d' ' -f2 | tr '\n' ' ')" = "shopify-sales shopify-orders " ]
}

# ---- files that are not exports ------------------------------------------------

@test "an XLSX or XLS workbook is refused with what to do (exit 1), not as an unknown format" {
	printf 'PK\003\004\024\000\006\000\010\000\000\000!\000' >"$T/KDP.xlsx"
	run --separate-stderr tally-ingest "$T/KDP.xlsx"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/KDP.xlsx: this is an Excel workbook (a ZIP file: .xlsx or .ods), not CSV: save it as CSV (File > Save As > CSV UTF-8, one sheet) and ingest that" ]
	[ "$output" = "" ]
	printf '\320\317\021\340\241\261\032\341\000\000\000\000' >"$T/old.xls"
	run --separate-stderr tally-ingest "$T/old.xls"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/old.xls: this is a legacy Excel workbook (.xls), not CSV: save it as CSV (File > Save As > CSV UTF-8, one sheet) and ingest that" ]
	# on stdin too
	run --separate-stderr tally-ingest - <"$T/KDP.xlsx"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tally-ingest: <stdin>: this is an Excel workbook"* ]]
}

@test "a saved web page or a PDF is refused with what to do" {
	printf '\n  <!DOCTYPE html>\n<html><head><title>Sign in</title></head></html>\n' >"$T/export.csv"
	run --separate-stderr tally-ingest "$T/export.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/export.csv: this is a web page (HTML), not an export: the page was saved instead of the download; download the CSV again" ]
	printf '%%PDF-1.7\n%%\342\343\n' >"$T/statement.csv"
	run --separate-stderr tally-ingest "$T/statement.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/statement.csv: this is a PDF document, not an export: download the report as CSV" ]
}

@test "a CSV whose first field starts with PK is still a CSV" {
	printf 'PKG,x\n1,2\n' >"$T/p.csv"
	run --separate-stderr tally-ingest "$T/p.csv"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"unknown export format"* ]]
}

# ---- --explain-format and --list-formats ---------------------------------------

@test "--explain-format says the format, the columns matched, the preamble, the locale and the rows" {
	run --separate-stderr tally-ingest --explain-format "$F/paypal_de.csv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "${lines[0]}" = "file: $F/paypal_de.csv" ]
	[ "${lines[1]}" = "format: paypal-de (PayPal Aktivitäten download, German (Beschreibung as the type, 1.234,56, DD.MM.YYYY))" ]
	assert_line 'detected by: the header on line 1 holds all 9 detect columns: "Datum" "Uhrzeit" "Zeitzone" "Beschreibung" "Währung" "Brutto" "Entgelt" "Netto" "Transaktionscode"'
	assert_line 'number locale: decimal mark "," (1.234,56)'
	assert_line 'date layout: %d.%m.%Y %H:%M:%S %Z (day, month, year)'
	assert_line 'rows: 9 read, 3 passed over by skip rules, 0 totals rows, 0 the format rejects'
	assert_line 'canonical rows: sale 2 refund 1 tip 1 payout 1 adjustment 1'
	assert_line 'dates: 2023-07-01 to 2023-07-31'
	assert_line 'mapping:'
	assert_line '  format paypal-de'
	run --separate-stderr tally-ingest --explain-format "$F/steam.csv"
	[ "$status" -eq 0 ]
	assert_line 'preamble: 3 lines before the header passed over'
	assert_line 'detected by: the header on line 4 holds all 7 detect columns: "Date" "Product(ID#)" "Gross Units Sold" "Chargeback/Returns" "Net Units Sold" "Gross Steam Sales (USD)" "Net Steam Sales (USD)"'
	run --separate-stderr tally-ingest --explain-format "$F/cdbaby.txt"
	assert_line 'separator: tab'
	assert_line 'date layout (tried in order): %m/%d/%Y %I:%M:%S %p (month, day, year)'
}

@test "--explain-format names the alternative a header matched, and the rows a format rejects" {
	sed '2s/"1.234,56"/"x"/' "$F/paypal_de.csv" >"$T/de.csv"
	run --separate-stderr tally-ingest --explain-format "$T/de.csv"
	[ "$status" -eq 0 ]
	assert_line 'rows: 9 read, 3 passed over by skip rules, 0 totals rows, 1 the format rejects'
	assert_line --partial 'first rejected: line 2: column "Brutto": "x"'
	sed '2s/4.570/4.580/' "$F/youtube_table_data.csv" >"$T/yt.csv"
	run --separate-stderr tally-ingest --explain-format "$T/yt.csv"
	[ "$status" -eq 0 ]
	assert_line --partial 'totals row: the totals row before the data: column "Estimated revenue (USD)": "4.580"'
	run --separate-stderr tally-ingest --explain-format --currency USD "$F/shopify_sales.csv"
	assert_line --partial 'detected by: the header on line 1 holds all 7 detect columns: "Day" "Gross sales"'
}

@test "--explain-format on an unknown file is the usual unknown-format error" {
	printf 'a,b\n1,2\n' >"$T/u.csv"
	run --separate-stderr tally-ingest --explain-format "$T/u.csv"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"unknown export format"* ]]
}

@test "--list-formats: a checked line under each format built on a real shape; inferred ones marked" {
	run --separate-stderr tally-ingest --list-formats
	[ "$status" -eq 0 ]
	assert_line 'paypal-statement        PayPal statement download, English (Description as the type, no Type/Status)'
	assert_line '                        checked: OCA bank-statement-import fixture statement_en.csv (2018, USD and EUR)'
	assert_line '                        checked: OCA bank-statement-import fixture statement_es.csv (2020, EUR)'
	assert_line 'cdbaby                  CD Baby sales report (TAB-separated .txt, CRLF, 10-decimal Subtotal, USD) [inferred layout]'
	assert_line 'tunecore                TuneCore sales report (Total Earned in the account currency; CRLF, 6 decimals)'
	# a checked line always follows a format line or another checked line
	[ "$(printf '%s\n' "${lines[@]}" | head -1 | cut -c1)" != " " ]
}

@test "checked is part of the mapping language (--map), and shows in --explain-format" {
	cat >"$T/m.map" <<-'MAP'
	format mine
	source mine
	title My export
	checked a real file of mine (2026-10)
	detect {when} {amount}
	date-format %Y-%m-%d
	date {when}
	order {@record}
	product thing
	currency EUR
	gross {amount}
	MAP
	printf 'when,amount\n2026-10-01,1.50\n' >"$T/x.csv"
	run --separate-stderr tally-ingest --explain-format -M "$T/m.map" "$T/x.csv"
	[ "$status" -eq 0 ]
	assert_line 'checked: a real file of mine (2026-10)'
	assert_line 'canonical rows: sale 1'
}
