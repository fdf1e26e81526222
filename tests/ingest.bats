#!/usr/bin/env bats
# tally-ingest: black-box cases with exact stdout, stderr and status.
# Plan: --help/--version/--list-formats/--show-format; every built-in
# format on a fixture written from FORMATS.md's real headers, compared
# with a gold file (tests/fixtures/ingest/expected/); detection, --format,
# the unknown-header error; the --map worked example of tally-ingest(1);
# the input quirks (BOM, UTF-16LE, cp1252, CRLF, CR-only, quoting, ';' and
# TAB, decimal comma, symbols and codes in amounts, "--" and " " for
# empty, Ruby floats, 10 decimals rounded half to even, per-unit amounts,
# order fields on the first line only, preambles, Totals/Total_ trailers,
# localised header names); then bad input next to good: bad amounts,
# dates, field counts, open quotes, totals that disagree, net != gross -
# fee (and --lenient), --rejects, duplicates, --since/--until/--period,
# --sort, several files, PII, missing file, bad options, /dev/full, | head;
# then amounts at and past the int64 micro-unit limit (cells, products,
# sums), PayPal funding transfers skipped, Stripe refunds linked to their
# charge, Bandcamp payouts, negative refund quantities, the no-currency
# messages, -o FILE written atomically.
load helpers

F=$BATS_TEST_DIRNAME/fixtures/ingest
HEADER=$'date\tsource\torder\tline\tproduct\tsku\tkind\tsale_date\tquantity\tcurrency\tgross\ttax\tfee\tnet\tcountry\tcustomer\torigin'

setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/tally.XXXXXX")
	export TALLY_SALT= # set, empty: the unkeyed pseudonyms, without the no-salt warning
}

# gold NAME FILE [ARGS...]: ingest FILE (from the fixture folder) and
# compare with expected/NAME.tsv; stderr must be empty.
gold() {
	local name=$1 file=$2
	shift 2
	cd "$F"
	run --separate-stderr tally-ingest "$@" "$file"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "$output" = "$(cat "expected/$name.tsv")" ]
}

# q.map: one amount per row, for the amount normaliser
qmap() {
	cat >"$T/q.map" <<-EOF
	format q
	detect {id} {amount}
	decimal-mark ${1:-.}
	date 2026-10-01
	order {id}
	currency {cur}
	default-currency USD
	gross {amount}
	EOF
}

# ---- options ---------------------------------------------------------------

@test "--help prints the usage on stdout" {
	run --separate-stderr tally-ingest --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: tally-ingest [-v] [-f FORMAT | -M MAPFILE] [-o FILE] [-r FILE] [--since DATE]" ]
	[ "${lines[5]}" = "       tally-ingest --list-formats | --show-format NAME | --help | --version" ]
	[ -z "$stderr" ]
}

@test "--version, and -V like the other commands" {
	run --separate-stderr tally-ingest --version
	[ "$status" -eq 0 ]
	[ "$output" = "tally-ingest (tally) 0.1.0" ]
	run --separate-stderr tally-ingest -V
	[ "$status" -eq 0 ]
	[ "$output" = "tally-ingest (tally) 0.1.0" ]
	[ "$stderr" = "" ]
}

@test "an unknown option is a usage error (exit 2)" {
	run --separate-stderr tally-ingest --bogus
	[ "$status" -eq 2 ]
	[ "${stderr_lines[1]}" = "usage: tally-ingest [-v] [-f FORMAT | -M MAPFILE] [-o FILE] [-r FILE] [--since DATE]" ]
}

@test "bad option values are usage errors" {
	run --separate-stderr tally-ingest --period 2026-13 "$F/kofi.csv"
	[ "$status" -eq 2 ]
	[ "$stderr" = 'tally-ingest: --period: "2026-13" is not a period (2026-10, 2026-Q4, 2026-W05, 2026)' ]
	run --separate-stderr tally-ingest --since yesterday "$F/kofi.csv"
	[ "$status" -eq 2 ]
	[ "$stderr" = 'tally-ingest: --since: "yesterday" is not a date (YYYY-MM-DD)' ]
	run --separate-stderr tally-ingest --currency usx "$F/kofi.csv"
	[ "$status" -eq 2 ]
	[ "$stderr" = 'tally-ingest: --currency: "usx" is not an ISO 4217 currency code' ]
	run --separate-stderr tally-ingest --currency US "$F/kofi.csv"
	[ "$status" -eq 2 ]
	[ "$stderr" = 'tally-ingest: --currency: "US" is not an ISO 4217 currency code' ]
	run --separate-stderr tally-ingest --format nosuch "$F/kofi.csv"
	[ "$status" -eq 2 ]
	[ "$stderr" = 'tally-ingest: --format: no built-in format "nosuch" (see --list-formats)' ]
	run --separate-stderr tally-ingest --encoding ebcdic "$F/kofi.csv"
	[ "$status" -eq 2 ]
	[ "$stderr" = 'tally-ingest: --encoding: unknown encoding "ebcdic" (utf-8, cp1252, latin1, utf-16le, utf-16be)' ]
}

@test "--list-formats names every built-in format, inferred layouts marked" {
	run --separate-stderr tally-ingest --list-formats
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "gumroad-sales           Gumroad sales CSV (Audience/Sales export)" ]
	assert_line "kofi                    Ko-fi transactions CSV [inferred layout]"
	# "checked:" lines (indented) follow their format; tests/ingest-formats.bats tests them
	[ "$(printf '%s\n' "${lines[@]}" | grep -v '^ ' | cut -d' ' -f1 | tr '\n' ' ')" = "gumroad-sales gumroad-payouts stripe-balance stripe-payments paypal paypal-short apple-sales apple-financial apple-financial-detail patreon-earnings patreon-members etsy-items etsy-orders etsy-statement shopify-orders bandcamp kofi distrokid github-sponsors opencollective opencollective-default paypal-statement paypal-de paypal-fr paypal-fr-statement paypal-es paypal-es-statement tunecore cdbaby steam youtube kdp shopify-sales soundcloud " ]
}

@test "--show-format prints a built-in mapping, which --map accepts as is" {
	run --separate-stderr tally-ingest --show-format stripe-balance
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "format stripe-balance" ]
	tally-ingest --show-format stripe-balance >"$T/s.map"
	cd "$F"
	run --separate-stderr tally-ingest --map "$T/s.map" stripe_balance.csv
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat expected/stripe_balance.tsv)" ]
	run --separate-stderr tally-ingest --show-format nosuch
	[ "$status" -eq 2 ]
	[ "$stderr" = 'tally-ingest: --show-format: no built-in format "nosuch" (see --list-formats)' ]
}

# ---- every built-in format ---------------------------------------------------

@test "gumroad-sales: Ruby floats, tax apart, refund rows from flags, Totals checked" {
	gold gumroad_sales gumroad_sales.csv
	[ "${lines[3]}" = $'2026-10-04T09:00:00Z\tgumroad\tp2\t1\tSongwriting Course\tcourse\trefund\t2026-10-04T09:00:00Z\t-1\tUSD\t-98.90\t-1.10\t0.00\t-98.90\tDE\tcde441bfeb95a7304\tgumroad_sales.csv:3' ]
}

@test "gumroad-payouts: signed rows, Subtotal rows skipped, Totals checked" {
	gold gumroad_payouts gumroad_payouts.csv
}

@test "stripe-balance: quoted values, lower-case currency, refund and dispute rows, JPY" {
	gold stripe_balance stripe_balance.csv
}

@test "stripe-payments: Amount Refunded becomes a refund row, failed charges skipped" {
	gold stripe_payments stripe_payments.csv
}

@test "paypal: BOM, CRLF, M/D/YYYY + time + zone columns, thousands separators, Pending skipped" {
	# every date is ambiguous (10/1/2026): --date-order says how to read them
	gold paypal_2018 paypal_2018.csv --date-order mdy
	[ "${lines[1]}" = $'2026-10-01T17:46:49Z\tpaypal\tTX1\t1\tLanterns box set\tbox\tsale\t\t1\tUSD\t1120.00\t0.00\t39.38\t1080.62\tUS\tc2dd9e239b34173d6\tpaypal_2018.csv:2' ]
}

@test "apple-sales: TAB, ' ' for empty, per-unit proceeds times units, free rows" {
	gold apple_sales apple_sales.tsv
}

@test "apple-financial-detail: preamble lines and the summary block are left out" {
	gold apple_financial_detail apple_financial_detail.tsv
}

@test "patreon-earnings: monthly rows, refunds as their own row" {
	gold patreon_earnings patreon_earnings.csv
}

@test "etsy-items: one row per item, order fields never summed" {
	gold etsy_items etsy_items.csv
}

@test "etsy-orders: en-GB header wording (aliases), refund from the Adjusted columns" {
	gold etsy_orders_gb etsy_orders_gb.csv
}

@test "etsy-statement: symbols with the sign in front, -- for none, spelled-out dates" {
	gold etsy_statement etsy_statement.csv
}

@test "shopify-orders: order fields on the first line only, CLP without decimals, quoted newlines" {
	gold shopify_orders shopify_orders.csv
}

@test "bandcamp: UTF-16LE with BOM, lower-case header, fan contribution as a tip" {
	gold bandcamp_utf16 bandcamp_utf16.csv
}

@test "kofi: quoted newline in a message, tips and shop orders" {
	gold kofi kofi.csv
}

@test "distrokid: TSV, 10 decimals rounded half to even, the rounding reported" {
	cd "$F"
	run --separate-stderr tally-ingest distrokid.tsv
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat expected/distrokid.tsv)" ]
	[ "$stderr" = "tally-ingest: rounded 2 amounts with more than 6 decimals to micro-units (half to even), total rounding 0.0000004307" ]
}

@test "github-sponsors and opencollective" {
	gold github_sponsors github_sponsors.csv
	gold opencollective opencollective.csv
}

# ---- detection, --format, --map -------------------------------------------------

@test "an unknown header lists the nearest formats and points at --map (exit 2)" {
	printf 'Purchase ID,Item Name,Purchase Date,Sale Price ($)\np1,x,2026-10-01,1.0\n' >"$T/g.csv"
	run --separate-stderr tally-ingest "$T/g.csv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-ingest: $T/g.csv: unknown export format; nearest: gumroad-sales (4 of 6 columns), gumroad-payouts (3 of 7 columns), bandcamp (1 of 6 columns); gumroad-sales: missing columns \"Net Total (\$)\", \"Refunded?\"; write a mapping and use --map" ]
	[ "$output" = "" ]
}

@test "a real export with one column cut names that column, in ingest and --explain-format (exit 2)" {
	cut -d, -f1-13,15- "$TALLY_ROOT/scripts/demo/exports/gumroad.csv" >"$T/g.csv"
	want="tally-ingest: $T/g.csv: unknown export format; nearest: gumroad-sales (5 of 6 columns), gumroad-payouts (3 of 7 columns), etsy-items (2 of 8 columns); gumroad-sales: missing column \"Net Total (\$)\"; write a mapping and use --map"
	run --separate-stderr tally-ingest "$T/g.csv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "$want" ]
	[ "$output" = "" ]
	run --separate-stderr tally-ingest --explain-format "$T/g.csv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "$want" ]
	# the whole export is read
	run --separate-stderr tally-ingest "$TALLY_ROOT/scripts/demo/exports/gumroad.csv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
}

@test "--format forces a format; a header that is not it names the missing columns" {
	cd "$F"
	run --separate-stderr tally-ingest --format stripe-balance stripe_balance.csv
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat expected/stripe_balance.tsv)" ]
	run --separate-stderr tally-ingest --format gumroad-payouts kofi.csv
	[ "$status" -eq 2 ]
	[ "$stderr" = 'tally-ingest: kofi.csv: the header is not gumroad-payouts: missing columns "Type", "Date", "Purchase ID", "Item Name", "Sale Price ($)", "Gumroad Fees ($)", "Net Total ($)"' ]
}

@test "--map: the worked example of tally-ingest(1) (';', decimal comma, timezone, skip, refund)" {
	cd "$F"
	run --separate-stderr tally-ingest --keep-pii --map shop.map shop.csv
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "$output" = "$(printf '%s\n' "$HEADER" \
		$'2026-10-03T13:30:00Z\tmyshop\tA-1001\t1\tLanterns (Vinyl)\t\tsale\t\t1\tEUR\t1234.50\t0.00\t37.04\t1197.46\t\tk1@example.de\tshop.csv:2' \
		$'2026-10-04T08:15:00Z\tmyshop\tA-1002\t1\tPoster; signiert\t\tsale\t\t2\tEUR\t30.00\t0.00\t0.90\t29.10\t\tk2@example.de\tshop.csv:3' \
		$'2026-10-06T10:00:00Z\tmyshop\tA-1001\t1\tLanterns (Vinyl)\t\trefund\t\t-1\tEUR\t-1234.50\t0.00\t0.00\t-1234.50\t\tk1@example.de\tshop.csv:5')" ]
}

@test "--map: errors in a mapping name its line (exit 2)" {
	printf 'format x\ndate {d}\ngross {a} + \n' >"$T/bad.map"
	run --separate-stderr tally-ingest --map "$T/bad.map" "$F/kofi.csv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-ingest: $T/bad.map:3: expected {column} or a number at \"\"" ]
	printf 'format x\ndate {d}\ngross {a}\nkind gift\n' >"$T/bad.map"
	run --separate-stderr tally-ingest --map "$T/bad.map" "$F/kofi.csv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-ingest: $T/bad.map:4: unknown kind \"gift\" (sale refund chargeback subscription tip fee payout adjustment)" ]
	printf 'format x\ngross {a}\n' >"$T/bad.map"
	run --separate-stderr tally-ingest --map "$T/bad.map" "$F/kofi.csv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-ingest: $T/bad.map:2: the mapping says nothing about the date (date {COLUMN})" ]
}

@test "--map: a column the mapping needs and the header lacks (exit 2)" {
	printf 'format x\ndate {DateTime (UTC)}\ngross {Amount}\ncurrency USD\n' >"$T/x.map"
	run --separate-stderr tally-ingest --map "$T/x.map" "$F/github_sponsors.csv"
	[ "$status" -eq 2 ]
	[[ "$stderr" == "tally-ingest: $F/github_sponsors.csv: missing column \"DateTime (UTC)\" (header: Sponsor Handle, Sponsor Profile Name, "* ]]
}

# ---- quirks ------------------------------------------------------------------------

@test "amounts: symbols, codes, parentheses, Ruby floats, exponents, -- and ' ' for empty" {
	qmap
	printf '%s\n' 'id,cur,amount' 'a,,"$1,234.50"' 'b,GBP,-£1.44' 'c,EUR,€12' 'd,,12.00 USD' \
		'e,,(3.20)' 'f,,5.0' 'g,,98.9' 'h,,1.0e-05' 'i,, ' 'j,,--' 'k,,-$1.08' 'l,,US$ 7' 'm,,3.20-' \
		'n,JPY,"¥1,200"' 'o,KWD,1.5' >"$T/a.csv"
	run --separate-stderr tally-ingest --map "$T/q.map" "$T/a.csv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "$(cut -f3,10,11 <<<"$output" | tail -n +2 | tr '\t\n' ' |')" = "a USD 1234.50|b GBP -1.44|c EUR 12.00|d USD 12.00|e USD -3.20|f USD 5.00|g USD 98.90|h USD 0.00001|i USD 0.00|j USD 0.00|k USD -1.08|l USD 7.00|m USD -3.20|n JPY 1200|o KWD 1.500|" ]
}

@test "amounts: decimal comma with '.' or space grouping" {
	qmap ,
	printf '%s\n' 'id;cur;amount' 'a;EUR;1.234,56' 'b;EUR;€ 12,5' 'c;EUR;-0,01' 'd;EUR;1 234 567,00' >"$T/a.csv"
	run --separate-stderr tally-ingest --map "$T/q.map" "$T/a.csv"
	[ "$status" -eq 0 ]
	[ "$(cut -f3,11 <<<"$output" | tail -n +2 | tr '\t\n' ' |')" = "a 1234.56|b 12.50|c -0.01|d 1234567.00|" ]
}

@test "amounts: up to 10 decimals rounded half to even, total rounding reported" {
	qmap
	printf '%s\n' 'id,cur,amount' 'a,,0.0000005' 'b,,0.0000015' 'c,,0.00000250' 'd,,1.2345678915' >"$T/a.csv"
	run --separate-stderr tally-ingest --map "$T/q.map" "$T/a.csv"
	[ "$status" -eq 0 ]
	[ "$(cut -f11 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "0.00 0.000002 0.000002 1.234568 " ]
	[ "$stderr" = "tally-ingest: rounded 4 amounts with more than 6 decimals to micro-units (half to even), total rounding -0.0000003915" ]
}

@test "amounts that are not amounts: exact messages with file, line and column" {
	qmap
	for bad in '12,3x' '1,2' '1e-37' '$' '1..2' '12 EUR USD'; do
		printf 'id,cur,amount\na,,"%s"\n' "$bad" >"$T/a.csv"
		run --separate-stderr tally-ingest --map "$T/q.map" "$T/a.csv"
		[ "$status" -eq 1 ]
		case $bad in
		1e-37) want='has more than 36 decimals' ;;
		*) want='is not an amount' ;;
		esac
		[ "$stderr" = "tally-ingest: $T/a.csv:2: column \"amount\": \"$bad\" $want" ]
	done
}

@test "the issue's example: a bad Net Total in a Gumroad export" {
	cd "$F"
	run --separate-stderr tally-ingest gumroad_bad_amount.csv
	[ "$status" -eq 1 ]
	[ "$stderr" = 'tally-ingest: gumroad_bad_amount.csv:3: column "Net Total ($)": "12,3x" is not an amount' ]
}

@test "UTF-8 BOM and CRLF; CR-only line ends; TAB and ';' separators" {
	h='balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category,description'
	r='t1,2026-10-01 10:00:00,usd,1.00,0.10,0.90,charge,x'
	printf '\xef\xbb\xbf%s\r\n%s\r\n' "$h" "$r" >"$T/bom.csv"
	printf '%s\r%s\r' "$h" "$r" >"$T/cr.csv"
	printf '%s\n%s\n' "$h" "$r" | tr ',' '\t' >"$T/tab.csv"
	printf '%s\n%s\n' "$h" "$r" | tr ',' ';' >"$T/semi.csv"
	for f in bom cr tab semi; do
		run --separate-stderr tally-ingest "$T/$f.csv"
		[ "$status" -eq 0 ]
		[ "${lines[1]}" = $'2026-10-01T10:00:00Z\tstripe\tt1\t1\tx\t\tsale\t\t1\tUSD\t1.00\t0.00\t0.10\t0.90\t\t\t'"$T/$f.csv:2" ]
	done
}

@test "quoted fields with commas, quotes and newlines keep their line numbers" {
	printf '%s\n' 'balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category,description' \
		't1,2026-10-01 10:00:00,usd,1.00,0.10,0.90,charge,"a, ""b""' 'c"' \
		't2,2026-10-02 10:00:00,usd,1.00,0.10,0.90,charge,y' >"$T/q.csv"
	run --separate-stderr tally-ingest "$T/q.csv"
	[ "$status" -eq 0 ]
	[ "$(cut -f3,5,17 <<<"$output" | tail -n +2)" = "$(printf 't1\ta, "b"\\nc\t%s\nt2\ty\t%s' "$T/q.csv:2" "$T/q.csv:4")" ]
}

@test "cp1252 with --encoding; without it, invalid UTF-8 is an error that suggests it" {
	printf 'balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category,description\nt1,2026-10-01 10:00:00,eur,1.00,0.00,1.00,charge,Caf\xe9 \x80 mug\n' >"$T/w.csv"
	run --separate-stderr tally-ingest --encoding cp1252 "$T/w.csv"
	[ "$status" -eq 0 ]
	[ "$(cut -f5 <<<"${lines[1]}")" = "Café € mug" ]
	# latin1 is read as cp1252, as browsers read it: 0x80 is the euro sign, not a C1 control
	run --separate-stderr tally-ingest --encoding latin1 "$T/w.csv"
	[ "$(cut -f5 <<<"${lines[1]}")" = "Café € mug" ]
	run --separate-stderr tally-ingest --encoding iso-8859-1 "$T/w.csv"
	[ "$(cut -f5 <<<"${lines[1]}")" = "Café € mug" ]
	run --separate-stderr tally-ingest "$T/w.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/w.csv:2: column \"description\": \"Caf\\xe9 \\x80 mug\" is not UTF-8 (is the file cp1252? try --encoding cp1252)" ]
}

@test "a byte order mark wins over --encoding: one cron line reads UTF-16LE, UTF-8 with and without a BOM, and cp1252" {
	h='balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category,description'
	printf '%s\nt1,2026-10-01 10:00:00,eur,1.00,0.00,1.00,charge,Caf\xe9 \x80 mug\n' "$h" >"$T/a-cp1252.csv"
	printf '%s\nt2,2026-10-01 10:00:00,eur,1.00,0.00,1.00,charge,Niña\n' "$h" | iconv -f utf-8 -t utf-16le >"$T/b.body"
	{ printf '\xff\xfe'; cat "$T/b.body"; } >"$T/b-utf16.csv"
	printf '\xef\xbb\xbf%s\nt3,2026-10-01 10:00:00,eur,1.00,0.00,1.00,charge,Grüße\n' "$h" >"$T/c-bom.csv"
	printf '%s\nt4,2026-10-01 10:00:00,eur,1.00,0.00,1.00,charge,déjà vu\n' "$h" >"$T/d-utf8.csv"
	for enc in latin1 cp1252; do
		run --separate-stderr tally-ingest --encoding $enc "$T/a-cp1252.csv" "$T/b-utf16.csv" "$T/c-bom.csv" "$T/d-utf8.csv"
		[ "$status" -eq 0 ]
		[ "$stderr" = "" ]
		[ "$(tail -n +2 <<<"$output" | cut -f3,5 | tr '\t\n' ':|')" = "t1:Café € mug|t2:Niña|t3:Grüße|t4:déjà vu|" ]
	done
	# utf-16le asked for: the UTF-8 BOM still says UTF-8
	run --separate-stderr tally-ingest --encoding utf-16le "$T/c-bom.csv"
	[ "$status" -eq 0 ]
	[ "$(cut -f5 <<<"${lines[1]}")" = "Grüße" ]
}

@test "--encoding cp1252 is a fallback decided on a file's first line not ASCII; a later line in the other is rejected with why" {
	h='balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category,description'
	printf '%s\nt1,2026-10-01 10:00:00,eur,1.00,0.00,1.00,charge,plain\nt2,2026-10-01 10:00:00,eur,1.00,0.00,1.00,charge,Café\nt3,2026-10-02 10:00:00,eur,2.00,0.00,2.00,charge,Caf\xe9\nt4,2026-10-03 10:00:00,eur,3.00,0.00,3.00,charge,ok\n' "$h" >"$T/mixed.csv"
	run --separate-stderr tally-ingest --encoding cp1252 "$T/mixed.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/mixed.csv:4: not UTF-8, though line 3 was and made the file UTF-8 (two files in two encodings joined?)" ]
	run --separate-stderr tally-ingest --encoding cp1252 --rejects "$T/rej.tsv" "$T/mixed.csv"
	[ "$status" -eq 0 ]
	[ "$(tail -n +2 <<<"$output" | cut -f3,5 | tr '\t\n' ':|')" = "t1:plain|t2:Café|t4:ok|" ]
	grep -q 'line 3 was and made the file UTF-8' "$T/rej.tsv"
	# --encoding utf-8 is taken as said: a cp1252 file is an error, as without --encoding
	printf '%s\nt1,2026-10-01 10:00:00,eur,1.00,0.00,1.00,charge,Caf\xe9\n' "$h" >"$T/w.csv"
	run --separate-stderr tally-ingest --encoding utf-8 "$T/w.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/w.csv:2: column \"description\": \"Caf\\xe9\" is not UTF-8 (is the file cp1252? try --encoding cp1252)" ]
	run --separate-stderr tally-ingest --explain-format --encoding cp1252 "$T/w.csv"
	[ "$status" -eq 0 ]
	grep -qx 'encoding: cp1252, or utf-8 if the first line not ASCII is UTF-8' <<<"$output"
}

# ---- bad input ------------------------------------------------------------------------

@test "a quoted field left open at the end of the file is an error, not a short row" {
	printf 'balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category,description\nt1,2026-10-01 10:00:00,usd,1.00,0.10,0.90,charge,ok\nt2,2026-10-01 10:00:00,usd,1.00,0.10,0.90,charge,"open\nstill open\n' >"$T/o.csv"
	run --separate-stderr tally-ingest "$T/o.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/o.csv:3: a quoted field is not closed at the end of the file" ]
}

@test "stray quotes, wrong field counts and bad dates name the line" {
	h='balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category,description'
	printf '%s\nt1,2026-10-01 10:00:00,usd,1.00,0.10,0.90,charge,a"b"\n' "$h" >"$T/a.csv"
	run --separate-stderr tally-ingest "$T/a.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/a.csv:2: bad quoting: a quote inside an unquoted field, or text after a closing quote" ]
	printf '%s\nt1,2026-10-01 10:00:00,usd,1.00,0.10,0.90,charge\n' "$h" >"$T/a.csv"
	run --separate-stderr tally-ingest "$T/a.csv"
	[ "$stderr" = "tally-ingest: $T/a.csv:2: 7 fields, the header has 8" ]
	printf '%s\nt1,2026-02-30 10:00:00,usd,1.00,0.10,0.90,charge,x\n' "$h" >"$T/a.csv"
	run --separate-stderr tally-ingest "$T/a.csv"
	[ "$stderr" = "tally-ingest: $T/a.csv:2: column \"created_utc\": \"2026-02-30 10:00:00\" is not a day (February has 28 days in 2026)" ]
	printf '%s\nt1,10/01/2026 10:00:00,usd,1.00,0.10,0.90,charge,x\n' "$h" >"$T/a.csv"
	run --separate-stderr tally-ingest "$T/a.csv"
	[ "$stderr" = "tally-ingest: $T/a.csv:2: column \"created_utc\": \"10/01/2026 10:00:00\" is not a date in the layouts %Y-%m-%d %H:%M:%S or %Y-%m-%d %H:%M" ]
	printf '%s\nt1,2026-10-01 10:00:00,xyz,1.00,0.10,0.90,charge,x\n' "$h" >"$T/a.csv"
	run --separate-stderr tally-ingest "$T/a.csv"
	[ "$stderr" = "tally-ingest: $T/a.csv:2: column \"currency\": \"XYZ\" is not an ISO 4217 currency code" ]
}

@test "a bad Gumroad date names the layout of the column read; a day that does not exist says so" {
	h='Purchase ID,Item Name,Purchase Date,Purchase Time (UTC timezone),Subtotal ($),Shipping ($),Sale Price ($),Fees ($),Net Total ($),Refunded?,Fully Refunded?,Partial Refund ($),Disputed?,Dispute Won?,Pre-order authorization?,Recurring Charge?'
	printf '%s\np1,Book,2026-04-09,,10.00,0,10.00,1.00,9.00,0,0,0,0,0,0,0\nTotals,,,,10.0,0.0,10.0,1.0,9.0\n' "$h" >"$T/g.csv"
	run --separate-stderr tally-ingest --format gumroad-sales "$T/g.csv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	printf '%s\np1,Book,04/09/2026,,10.00,0,10.00,1.00,9.00,0,0,0,0,0,0,0\n' "$h" >"$T/g.csv"
	run --separate-stderr tally-ingest --format gumroad-sales "$T/g.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/g.csv:2: column \"Purchase Date\": \"04/09/2026\" is not a date in the layout %Y-%m-%d" ]
	for bad in '2026-02-30:February has 28 days in 2026' '2024-02-30:February has 29 days in 2024' \
		'2026-04-31:April has 30 days' '2026-13-01:there is no month 13' '2026-01-00:there is no day 0'; do
		printf '%s\np1,Book,%s,,10.00,0,10.00,1.00,9.00,0,0,0,0,0,0,0\n' "$h" "${bad%%:*}" >"$T/g.csv"
		run --separate-stderr tally-ingest --format gumroad-sales "$T/g.csv"
		[ "$status" -eq 1 ]
		[ "$stderr" = "tally-ingest: $T/g.csv:2: column \"Purchase Date\": \"${bad%%:*}\" is not a day (${bad#*:})" ]
	done
	printf '%s\np1,Book,2026-04-09,2026-04-09 25:00:00 +0000,10.00,0,10.00,1.00,9.00,0,0,0,0,0,0,0\n' "$h" >"$T/g.csv"
	run --separate-stderr tally-ingest --format gumroad-sales "$T/g.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/g.csv:2: column \"Purchase Time (UTC timezone)\": \"2026-04-09 25:00:00 +0000\" is not a time of day (25:00:00)" ]
}

@test "net != gross - fee is an error; --lenient warns and writes gross - fee" {
	printf 'balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category,description\nt1,2026-10-01 10:00:00,usd,24,0,23.05,payout,Payout\n' >"$T/n.csv"
	run --separate-stderr tally-ingest "$T/n.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/n.csv:2: column \"net\": the export's net 23.05 is not gross - fee = 24.00 - 0.00 = 24.00" ]
	run --separate-stderr tally-ingest --lenient "$T/n.csv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "tally-ingest: $T/n.csv:2: column \"net\": the export's net 23.05 is not gross - fee = 24.00 - 0.00 = 24.00" ]
	[ "$(cut -f7,11-14 <<<"${lines[1]}")" = $'payout\t24.00\t0.00\t0.00\t24.00' ]
}

@test "trailers that state totals are checked against the rows read" {
	cd "$F"
	run --separate-stderr tally-ingest apple_financial_badtotal.tsv
	[ "$status" -eq 1 ]
	[ "$stderr" = 'tally-ingest: apple_financial_badtotal.tsv:5: column "End Date": "34.40" is not the sum of column "Extended Partner Share", 34.30 (totals row)' ]
	sed 's/^Totals,,,,,,,,113.9,1.1,,115.0,2.36,112.64/Totals,,,,,,,,113.9,1.1,,115.0,2.36,112.65/' gumroad_sales.csv >"$T/g.csv"
	run --separate-stderr tally-ingest "$T/g.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/g.csv:5: column \"Net Total (\$)\": \"112.65\" is not the sum of column \"Net Total (\$)\", 112.64 (totals row)" ]
}

@test "a Gumroad export without its Totals row is cut short: an error (--lenient: a warning); an empty export has one too" {
	cd "$F"
	sed '$d' gumroad_sales.csv >"$T/cut.csv"
	run --separate-stderr tally-ingest "$T/cut.csv"
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "tally-ingest: $T/cut.csv: no totals row ({Purchase ID} = Totals): every gumroad-sales export ends with one, so this file is cut short (download it again); --lenient reads it anyway" ]
	run --separate-stderr tally-ingest --lenient "$T/cut.csv"
	[ "$status" -eq 0 ]
	[ "$(cut -f1-16 <<<"$output")" = "$(tally-ingest gumroad_sales.csv | cut -f1-16)" ]
	[ "$stderr" = "tally-ingest: $T/cut.csv: no totals row ({Purchase ID} = Totals): every gumroad-sales export ends with one, so this file is cut short (download it again); read anyway (--lenient)" ]
	run --separate-stderr tally-ingest --explain-format "$T/cut.csv"
	[ "$status" -eq 0 ]
	grep -qxF 'totals row: no totals row ({Purchase ID} = Totals): every gumroad-sales export ends with one, so this file is cut short (download it again)' <<<"$output"
	sed '$d' gumroad_payouts.csv >"$T/cutp.csv"
	run --separate-stderr tally-ingest "$T/cutp.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/cutp.csv: no totals row ({Type} = Totals): every gumroad-payouts export ends with one, so this file is cut short (download it again); --lenient reads it anyway" ]
	# a month with no sales: Gumroad still writes the header and Totals
	{ head -1 gumroad_sales.csv; echo 'Totals,,,,,,,,,,,,,,'; } >"$T/none.csv"
	run --separate-stderr tally-ingest "$T/none.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$HEADER" ]
	# a mapping says it with total-required, which takes no value
	printf 'format t\ndetect {id} {amount}\ndate 2026-10-01\ncurrency USD\ngross {amount}\ntotal if {id} = Sum\ntotal-required\n' >"$T/t.map"
	printf 'id,amount\na,1.00\nSum,1.00\n' >"$T/t.csv"
	run --separate-stderr tally-ingest --map "$T/t.map" "$T/t.csv"
	[ "$status" -eq 0 ]
	printf 'id,amount\na,1.00\n' >"$T/t.csv"
	run --separate-stderr tally-ingest --map "$T/t.map" "$T/t.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/t.csv: no totals row ({id} = Sum): every t export ends with one, so this file is cut short (download it again); --lenient reads it anyway" ]
	printf 'total-required yes\n' >>"$T/t.map"
	run --separate-stderr tally-ingest --map "$T/t.map" "$T/t.csv"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"total-required takes no value"* ]]
}

@test "--rejects: bad rows go there verbatim with the reason, the rest goes on" {
	cd "$F"
	run --separate-stderr tally-ingest --rejects "$T/rej.tsv" gumroad_bad_amount.csv
	[ "$status" -eq 0 ]
	[ "$stderr" = "tally-ingest: 1 row rejected, see $T/rej.tsv" ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(head -c 39 "$T/rej.tsv")" = "Purchase ID,Item Name,Buyer Name,Purcha" ]
	[ "$(sed -n 2p "$T/rej.tsv" | cut -f2)" = 'gumroad_bad_amount.csv:3: column "Net Total ($)": "12,3x" is not an amount' ]
	[ "$(sed -n 2p "$T/rej.tsv" | cut -f1)" = "$(sed -n 3p gumroad_bad_amount.csv)" ]
}

@test "--rejects also takes malformed CSV records, and the next line goes on" {
	printf 'balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category,description\nt1,2026-10-01 10:00:00,usd,1.00,0.10,0.90,charge,a"b"\nt2,2026-10-01 10:00:00,usd,1.00,0.10,0.90,charge,ok\n' >"$T/a.csv"
	run --separate-stderr tally-ingest -v --rejects "$T/rej.tsv" "$T/a.csv"
	[ "$status" -eq 0 ]
	[ "$(cut -f3 <<<"$output" | tail -n +2)" = "t2" ]
	[ "$stderr" = "$(printf 'tally-ingest: 1 row rejected, see %s\ntally-ingest: read 2 rows from 1 file: wrote 1, rejected 1, duplicates 0, skipped 0 total rows' "$T/rej.tsv")" ]
}

@test "re-ingesting an export drops exact duplicates and counts them on stderr" {
	cd "$F"
	run --separate-stderr tally-ingest -v stripe_balance.csv stripe_balance.csv
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat expected/stripe_balance.tsv)" ]
	[ "$stderr" = "$(printf 'tally-ingest: stripe_balance.csv: dropped 6 duplicate rows (the same record as a row before: same source, id and content)\ntally-ingest: read 12 rows from 2 files: wrote 6, rejected 0, duplicates 6, skipped 0 total rows')" ]
	run --separate-stderr tally-ingest --keep-duplicates stripe_balance.csv stripe_balance.csv
	[ "${#lines[@]}" -eq 13 ]
}

@test "several files of several platforms in one call; --sort is a stable sort by date" {
	cd "$F"
	run --separate-stderr tally-ingest --sort kofi.csv stripe_balance.csv github_sponsors.csv
	[ "$status" -eq 0 ]
	[ "$(cut -f1-3 <<<"$output" | tail -n +2 | tr '\t\n' ' |')" = "2026-10-01T08:00:00Z github ch_gh1|2026-10-01T10:00:00Z stripe txn_1|2026-10-01T15:51:00Z kofi kf1|2026-10-02T10:00:00Z kofi kf2|2026-10-02T11:30:00Z stripe txn_2|2026-10-05T08:00:00Z stripe txn_3|2026-10-06T08:00:00Z stripe txn_4|2026-10-07T00:00:00Z stripe txn_5|2026-10-08T00:00:00Z stripe txn_6|" ]
	run --separate-stderr tally-ingest kofi.csv github_sponsors.csv
	[ "$(cut -f3 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "kf1 kf2 ch_gh1 " ]
}

@test "--since, --until (a whole day) and --period filter by the UTC date" {
	cd "$F"
	run --separate-stderr tally-ingest --since 2026-10-02 --until 2026-10-06 stripe_balance.csv
	[ "$(cut -f3 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "txn_2 txn_3 txn_4 " ]
	run --separate-stderr tally-ingest --period 2026-09 distrokid.tsv patreon_earnings.csv
	[ "$(cut -f2,11 <<<"$output" | tail -n +2 | tr '\t\n' ' |')" = "distrokid 4.936|distrokid 0.071235|distrokid -0.693|patreon 400.00|patreon -10.00|" ]
	run --separate-stderr tally-ingest --period 2026-Q4 -v patreon_earnings.csv
	[ "$(cut -f3 <<<"$output" | tail -n +2)" = "2026-10" ]
	[ "${stderr_lines[0]}" = "tally-ingest: patreon_earnings.csv: left out 2 patreon rows dated 2026-09-01 to 2026-09-01 (outside --since/--until/--period, by the sale date)" ]
	[ "${stderr_lines[2]}" = "tally-ingest: ignored 2 rows (skip rules of the format, or outside --since/--until/--period)" ]
}

@test "customers are keyed pseudonyms: no e-mail by default, --salt / TALLY_SALT change them, --keep-pii keeps them" {
	cd "$F"
	run --separate-stderr tally-ingest paypal_2018.csv
	[[ "$output" != *@* ]]
	[ "$(cut -f16 <<<"${lines[1]}")" = "c2dd9e239b34173d6" ]
	run --separate-stderr tally-ingest --salt s3cret paypal_2018.csv
	a=$(cut -f16 <<<"${lines[1]}")
	[ "$a" != "c2dd9e239b34173d6" ]
	[[ "$a" =~ ^c[0-9a-f]{16}$ ]]
	TALLY_SALT=s3cret run --separate-stderr tally-ingest paypal_2018.csv
	[ "$(cut -f16 <<<"${lines[1]}")" = "$a" ]
	run --separate-stderr tally-ingest --keep-pii paypal_2018.csv
	[ "$(cut -f16 <<<"${lines[1]}")" = "jane@example.com" ]
}

@test "stdin, '-', and a missing file (exit 2)" {
	cd "$F"
	run --separate-stderr bash -c 'tally-ingest <kofi.csv'
	[ "$(cut -f17 <<<"${lines[1]}")" = "<stdin>:2" ]
	run --separate-stderr bash -c 'cat kofi.csv | tally-ingest - github_sponsors.csv'
	[ "${#lines[@]}" -eq 4 ]
	run --separate-stderr tally-ingest nosuch.csv
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-ingest: nosuch.csv: No such file or directory" ]
	: >"$T/empty.csv"
	run --separate-stderr tally-ingest "$T/empty.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/empty.csv: empty file: no header" ]
}

@test "a PayPal short layout has no currency: an error until --currency gives one" {
	printf '%s\n' 'Date, Time, Time Zone, Name, Type, Status, Amount, Receipt ID, Balance,' \
		'"12/31/2016","23:59:59","PST","Some User","Payment Received","Completed","12.34","","12.34",' >"$T/p.csv"
	run --separate-stderr tally-ingest "$T/p.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/p.csv:2: no currency: the export has no currency column (give --currency CODE)" ]
	run --separate-stderr tally-ingest --currency usd "$T/p.csv"
	[ "$status" -eq 0 ]
	[ "$(cut -f1,7,10,11 <<<"${lines[1]}")" = $'2017-01-01T07:59:59Z\tsale\tUSD\t12.34' ]
}

@test "write errors fail loudly; a closed pipe ends quietly" {
	cd "$F"
	run --separate-stderr bash -c 'tally-ingest stripe_balance.csv >/dev/full'
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: write error: No space left on device" ]
	run --separate-stderr bash -c 'set -o pipefail; tally-ingest shopify_orders.csv stripe_balance.csv | head -1'
	[ "$output" = "$HEADER" ]
	[ "$stderr" = "" ]
}

@test "the worked example in tally-ingest(1) is the one tested above" {
	man=$BATS_TEST_DIRNAME/../man/tally-ingest.1
	# the literal blocks after the "A worked example" marker
	block() { awk -v n="$1" '/^\.Ss A worked example/ { on = 1 } on && /^\.Bd -literal/ { k++; inb = 1; next }
		inb && /^\.Ed$/ { inb = 0; next } on && inb && k == n' "$man" | sed 's/\\-/-/g'; }
	[ "$(block 1)" = "$(cat "$F/shop.csv")" ]
	[ "$(block 2)" = "$(grep -v '^#' "$F/shop.map")" ]
	cd "$F"
	[ "$(block 3 | tr -s ' ' | tr ' ' '\t')" = "$(tally-ingest --keep-pii --map shop.map shop.csv | tail -n +2 | cut -f1,3,7,9,10,11,13,14,16)" ]
}

@test "apple-financial, patreon-members, opencollective-default" {
	gold apple_financial apple_financial.tsv
	gold patreon_members patreon_members.csv
	gold opencollective_default opencollective_default.csv
}

@test "dates: the layouts platforms write, with their zones, to UTC" {
	cat >"$T/d.map" <<-'EOF2'
	format d
	detect {id} {when}
	date-format %Y-%m-%d %H:%M:%S %z
	date-format %m/%d/%Y %H:%M:%S %Z
	date-format %m/%d/%y %I:%M%p
	date-format %B %d, %Y
	date-format %d %b %Y
	date-format %d-%b-%y
	date-format %Y-%m
	date-format %Y-%m-%dT%H:%M:%S%z
	timezone -08:00
	date {when}
	order {id}
	currency USD
	gross 1
	EOF2
	printf '%s\n' 'id,when' 'a,2025-10-02 17:09:34 -0300' 'b,6/4/2016 10:46:49 PDT' 'c,10/1/25 1:02am' \
		'd,10/1/25 12:30pm' 'e,"September 24, 2026"' 'f,31 Jul 2025' 'g,30-Apr-25' 'h,2020-05' \
		'i,2026-07-01T13:04:30Z' 'j,2024-02-29T23:30:00+05:30' 'k,12/31/2016 23:59:59 PST' >"$T/d.csv"
	run --separate-stderr tally-ingest --map "$T/d.map" "$T/d.csv"
	[ "$status" -eq 0 ]
	[ "$(cut -f1,3 <<<"$output" | tail -n +2 | tr '\t\n' ' |')" = "2025-10-02T20:09:34Z a|2016-06-04T17:46:49Z b|2025-10-01T09:02:00Z c|2025-10-01T20:30:00Z d|2026-09-24T08:00:00Z e|2025-07-31T08:00:00Z f|2025-04-30T08:00:00Z g|2020-05-01T08:00:00Z h|2026-07-01T13:04:30Z i|2024-02-29T18:00:00Z j|2017-01-01T07:59:59Z k|" ]
}

@test "--separator overrides the guess" {
	printf 'balance_transaction_id;created_utc;currency;gross;fee;net;reporting_category;description\nt1;2026-10-01 10:00:00;usd;1.00;0.10;0.90;charge;a,b\n' >"$T/s.csv"
	run --separate-stderr tally-ingest --separator ';' "$T/s.csv"
	[ "$status" -eq 0 ]
	[ "$(cut -f5 <<<"${lines[1]}")" = "a,b" ]
	run --separate-stderr tally-ingest --separator tab "$T/s.csv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-ingest: $T/s.csv: unknown export format (no built-in format is near); write a mapping and use --map" ]
}

@test "a mapping's encoding applies to its header too (cp1252 names)" {
	printf 'format w\ndetect {Datum} {Betrag}\nencoding cp1252\nseparator ;\ndecimal-mark ,\ndate-format %%d.%%m.%%Y\ndate {Datum}\ncurrency {Währung}\ngross {Betrag}\nproduct {Artikel}\n' >"$T/w.map"
	printf 'Datum;Artikel;W\xe4hrung;Betrag\n01.10.2026;Gr\xfc\xdfe;EUR;1,50\n' >"$T/w.csv"
	run --separate-stderr tally-ingest --map "$T/w.map" "$T/w.csv"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = $'2026-10-01T00:00:00Z\tw\t\t1\tGrüße\t\tsale\t\t1\tEUR\t1.50\t0.00\t0.00\t1.50\t\t\t'"$T/w.csv:2" ]
}

# ---- checked against FORMATS.md line by line ------------------------------------

@test "detection: every fixture is read as the format it was written for" {
	cd "$F"
	while read -r file fmt; do
		want=$(tally-ingest --format "$fmt" "$file" 2>/dev/null)
		run --separate-stderr tally-ingest "$file"
		[ "$status" -eq 0 ] || { echo "$file: $stderr"; false; }
		[ "$output" = "$want" ] || { echo "$file is not read as $fmt"; false; }
	done <<-'LIST'
	gumroad_sales.csv gumroad-sales
	gumroad_payouts.csv gumroad-payouts
	stripe_balance.csv stripe-balance
	stripe_payments.csv stripe-payments
	stripe_payments_fx.csv stripe-payments
	paypal_2018.csv paypal
	paypal_holds.csv paypal
	apple_sales.tsv apple-sales
	apple_financial.tsv apple-financial
	apple_financial_detail.tsv apple-financial-detail
	patreon_earnings.csv patreon-earnings
	patreon_earnings_ios.csv patreon-earnings
	patreon_members.csv patreon-members
	etsy_items.csv etsy-items
	etsy_orders_gb.csv etsy-orders
	etsy_statement.csv etsy-statement
	etsy_statement_old.csv etsy-statement
	shopify_orders.csv shopify-orders
	bandcamp_utf16.csv bandcamp
	kofi.csv kofi
	distrokid.tsv distrokid
	github_sponsors.csv github-sponsors
	opencollective.csv opencollective
	opencollective_default.csv opencollective-default
	LIST
}

@test "stripe-payments: Fee is in the balance currency, so the Converted columns are read; Taxes On Fee is inside Fee; Refunded date" {
	gold stripe_payments_fx stripe_payments_fx.csv
	# ch_fx2: Fee 0.98 holds its Taxes On Fee 0.10 (Stripe's fee_details): not 1.08
	[ "$(cut -f3,7,13,14 <<<"${lines[2]}")" = $'ch_fx2\tsale\t0.98\t19.12' ]
	[ "${lines[3]}" = $'2026-10-05T09:30:00Z\tstripe\tch_fx2\t1\tPoster\t\trefund\t2026-10-03T11:00:00Z\t-1\tUSD\t-20.10\t0.00\t0.00\t-20.10\t\tc991fe95c32683781\tstripe_payments_fx.csv:3' ]
}

@test "paypal: holds and their release and Memo rows skipped; reversals negative, won ones adjustments" {
	# the chargeback P3, its reversal P5 (won back: an adjustment) and the refund P9 are
	# of their sales' orders (Reference Txn ID), and the reversal takes its sale's product
	gold paypal_holds paypal_holds.csv
	[ "$(cut -f3,7 <<<"$output" | tail -n +2 | tr '\t\n' ' |')" = "P1 sale|P1 chargeback|P1 adjustment|P6 subscription|P8 sale|P8 refund|P10 adjustment|" ]
	[ "$(awk -F'\t' '$7 == "adjustment" && $3 == "P1" { print $5 }' <<<"$output")" = "Lanterns (vinyl)" ]
}

@test "etsy-statement: older layout (Description), 'Sep 24, 2026', identical fee rows both kept" {
	gold etsy_statement_old etsy_statement_old.csv
	[ "$(cut -f5,13 <<<"$output" | grep -c $'^Listing fee\t0.16$')" -eq 2 ]
	# the same statement read twice: the second copy is all duplicates
	run --separate-stderr tally-ingest etsy_statement_old.csv etsy_statement_old.csv
	[ "$output" = "$(cat expected/etsy_statement_old.tsv)" ]
	[ "$stderr" = "tally-ingest: etsy_statement_old.csv: dropped 5 duplicate rows (the same record as a row before: same source, id and content)" ]
}

@test "patreon-earnings: the iOS app fee and merch costs are fees too (net = Total net earnings)" {
	gold patreon_earnings_ios patreon_earnings_ios.csv
	[ "$(cut -f11,13,14 <<<"${lines[1]}")" = $'400.00\t77.00\t323.00' ]
}

@test "github-sponsors: a refund is a negative row whichever way the export signs it" {
	printf '%s\n' 'Sponsor Handle,Sponsor Profile Name,Sponsor Public Email,Sponsorship Started On,Is Public?,Is Yearly?,Transaction ID,Payment Source,Tier Name,Tier Monthly Amount,Processed Amount,Is Prorated?,Status,Transaction Date,Metadata,Country,Region,VAT' \
		'octo,,,2025-01-01 00:00:00 +0000,true,false,ch_a,GitHub,Supporter,$5.00,$5.00,false,refunded,2026-10-01 08:00:00 +0000,,US,,' \
		'cat,,,2025-01-01 00:00:00 +0000,true,false,ch_b,GitHub,Supporter,$5.00,-$5.00,false,refund,2026-10-02 08:00:00 +0000,,DE,,' >"$T/gh.csv"
	run --separate-stderr tally-ingest "$T/gh.csv"
	[ "$status" -eq 0 ]
	[ "$(cut -f1,3,7,8,11,14 <<<"$output" | tail -n +2 | tr '\t\n' ' |')" = "2026-10-01T08:00:00Z ch_a subscription  5.00 5.00|2026-10-01T08:00:00Z ch_a refund 2026-10-01T08:00:00Z -5.00 -5.00|2026-10-02T08:00:00Z ch_b refund  -5.00 -5.00|" ]
}

@test "a refund or chargeback row with a positive amount is an error, never written" {
	printf 'format r\ndetect {id} {amount}\ndate 2026-10-01\norder {id}\ncurrency USD\nkind refund if {id} = r1\ngross {amount}\n' >"$T/r.map"
	printf 'id,amount\ns1,5.00\nr1,5.00\n' >"$T/r.csv"
	run --separate-stderr tally-ingest --map "$T/r.map" "$T/r.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/r.csv:3: a refund row with a positive gross amount 5.00 ({amount})" ]
}

# ---- money never wraps; funding, payouts and reversals; -o -------------------

@test "amounts at the int64 micro-unit limit: fast path, symbols, grouping, codes, 10 decimals" {
	qmap
	printf '%s\n' 'id,cur,amount' 'a,,9223372036854.775807' 'b,,-9223372036854.775807' \
		'c,,"$9,223,372,036,854.775807"' 'd,,9223372036854.775807 USD' 'e,,9223372036854.7758065' >"$T/a.csv"
	run --separate-stderr tally-ingest --map "$T/q.map" "$T/a.csv"
	[ "$status" -eq 0 ]
	[ "$(cut -f3,11 <<<"$output" | tail -n +2 | tr '\t\n' ' |')" = "a 9223372036854.775807|b -9223372036854.775807|c 9223372036854.775807|d 9223372036854.775807|e 9223372036854.775806|" ]
	[ "$stderr" = "tally-ingest: rounded 1 amount with more than 6 decimals to micro-units (half to even), total rounding -0.0000005" ]
}

@test "amounts beyond the limit are an error (\"is too large\"), never a wrapped amount" {
	qmap
	for bad in 9223372036854.775808 -9223372036854.775808 10000000000000.0 9300000000000 99999999999999999.0 \
		'$9,223,372,036,854.775808' '10,000,000,000,000.00' '€10000000000000' '(9300000000000)' \
		'10000000000000 USD' 1e13 9223372036854.7758075 99999999999999999999999999999999999999999999999; do
		printf 'id,cur,amount\na,,"%s"\n' "$bad" >"$T/a.csv"
		run --separate-stderr tally-ingest --map "$T/q.map" "$T/a.csv"
		[ "$status" -eq 1 ]
		[ "$stderr" = "tally-ingest: $T/a.csv:2: column \"amount\": \"$bad\" is too large" ]
		[ "$output" = "" ]
	done
	# the review's case: a Stripe balance row
	printf '%s\n' 'balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category' \
		'txn_1,2026-10-01 10:00:00,usd,10000000000000.0,0.00,10000000000000.0,charge' >"$T/s.csv"
	run --separate-stderr tally-ingest "$T/s.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/s.csv:2: column \"gross\": \"10000000000000.0\" is too large" ]
}

@test "products and sums of amounts beyond the limit are errors too" {
	printf '%s\n' 'format p' 'detect {id} {price}' 'date 2026-10-01' 'order {id}' 'currency USD' \
		'quantity {units}' 'gross {price} * {units} + {extra}' >"$T/p.map"
	printf '%s\n' 'id,price,units,extra' 'a,4611686018427.387903,2,0.000001' >"$T/p.csv"
	run --separate-stderr tally-ingest --map "$T/p.map" "$T/p.csv"
	[ "$status" -eq 0 ]
	[ "$(cut -f9,11 <<<"${lines[1]}")" = $'2\t9223372036854.775807' ]
	printf '%s\n' 'id,price,units,extra' 'a,4611686018427.387904,2,0' >"$T/p.csv"
	run --separate-stderr tally-ingest --map "$T/p.map" "$T/p.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/p.csv:2: column \"units\": \"2\" is too large for {price} * {units} + {extra}" ]
	printf '%s\n' 'id,price,units,extra' 'a,4611686018427.387903,2,0.000002' >"$T/p.csv"
	run --separate-stderr tally-ingest --map "$T/p.map" "$T/p.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/p.csv:2: {price} * {units} + {extra} is too large" ]
	# in a condition too: a refund amount too large is an error, not "no refund"
	printf '%s\n' 'id,Created date (UTC),Amount,Amount Refunded,Currency,Fee,Status' \
		'ch_1,2026-07-10 18:37:41,10.00,10000000000000,usd,0.59,Paid' >"$T/sp.csv"
	run --separate-stderr tally-ingest "$T/sp.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/sp.csv:2: column \"Amount Refunded\": \"10000000000000\" is too large" ]
}

@test "paypal: funding from one's own card or bank and currency conversions are skipped; withdrawals are payouts" {
	gold paypal_funding paypal_funding.csv --date-order mdy
	[ "$(cut -f3,7,10,11 <<<"$output" | tail -n +2 | tr '\t\n' ' |')" = "F1 sale EUR 10.00|F8 payout USD -1205.20|" ]
	run --separate-stderr tally-ingest -v --date-order mdy paypal_funding.csv
	[ "$stderr" = "$(printf '%s\n' 'tally-ingest: read 8 rows from 1 file: wrote 2, rejected 0, duplicates 0, skipped 0 total rows' \
		'tally-ingest: ignored 6 rows (skip rules of the format, or outside --since/--until/--period)')" ]
}

@test "stripe-balance: a refund carries its charge's order (charge_id) and date; partial refunds are not duplicates" {
	gold stripe_itemized stripe_itemized.csv
	[ "$(cut -f3,7,8,9,11 <<<"$output" | tail -n +2 | tr '\t\n' ' |')" = "ch_A sale  1 40.00|ch_A refund 2026-10-01T10:00:00Z -1 -10.00|ch_A refund 2026-10-01T10:00:00Z -1 -5.00|po_1 payout  1 -23.54|" ]
	# duplicates are recognised by the balance transaction id
	run --separate-stderr tally-ingest stripe_itemized.csv stripe_itemized.csv
	[ "$output" = "$(cat expected/stripe_itemized.tsv)" ]
	[ "$stderr" = "tally-ingest: stripe_itemized.csv: dropped 4 duplicate rows (the same record as a row before: same source, id and content)" ]
}

@test "bandcamp: a payout row is a payout (gross = net, no fee), not a fee" {
	gold bandcamp_payout bandcamp_payout.csv
	[ "$(cut -f3,7,11,13,14 <<<"${lines[2]}")" = $'1004\tpayout\t-9.00\t0.00\t-9.00' ]
}

@test "refund and chargeback rows return units: quantity negative (0 for a partial refund)" {
	cd "$F"
	run --separate-stderr tally-ingest gumroad_sales.csv stripe_payments.csv stripe_balance.csv
	[ "$status" -eq 0 ]
	[ "$(awk -F'\t' '$7 == "refund" || $7 == "chargeback" { print $3, $7, $9 }' <<<"$output" | tr '\n' '|')" = "p2 refund -1|p3 refund 0|ch_2 refund 0|txn_3 refund -1|txn_4 chargeback -1|" ]
}

@test "no currency: the message names the column the format reads, or says the export has none" {
	printf '%s\n' 'balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category' \
		'txn_1,2026-10-01 10:00:00,,1.00,0.00,1.00,charge' >"$T/s.csv"
	run --separate-stderr tally-ingest "$T/s.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/s.csv:2: column \"currency\": \"\" is not a currency code (give --currency CODE for rows without one)" ]
	run --separate-stderr tally-ingest --currency eur "$T/s.csv"
	[ "$status" -eq 0 ]
	[ "$(cut -f10,11 <<<"${lines[1]}")" = $'EUR\t1.00' ]
	printf '%s\n' 'format c' 'detect {id}' 'date 2026-10-01' 'order {id}' 'currency {Currency}?' 'gross {amount}' >"$T/c.map"
	printf 'id,amount\na,1.00\n' >"$T/c.csv"
	run --separate-stderr tally-ingest --map "$T/c.map" "$T/c.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-ingest: $T/c.csv:2: no currency: the header has no column \"Currency\" (give --currency CODE)" ]
}

@test "-o FILE: the stream is written whole, or the file is left as it was" {
	cd "$F"
	run --separate-stderr tally-ingest -o "$T/sales.tsv" stripe_balance.csv
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$stderr" = "" ]
	[ "$(cat "$T/sales.tsv")" = "$(cat expected/stripe_balance.tsv)" ]
	# a failed run (a bad row half way) leaves the earlier file untouched
	run --separate-stderr tally-ingest --output "$T/sales.tsv" stripe_balance.csv gumroad_bad_amount.csv
	[ "$status" -eq 1 ]
	[ "$stderr" = 'tally-ingest: gumroad_bad_amount.csv:3: column "Net Total ($)": "12,3x" is not an amount' ]
	[ "$(cat "$T/sales.tsv")" = "$(cat expected/stripe_balance.tsv)" ]
	[ "$(ls -A "$T")" = "sales.tsv" ]
	run --separate-stderr tally-ingest -o "$T/nosuch/sales.tsv" stripe_balance.csv
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-ingest: $T/nosuch/sales.tsv: No such file or directory" ]
	if [ -w /dev/full ]; then
		run --separate-stderr tally-ingest -o /dev/full stripe_balance.csv
		[ "$status" -eq 1 ]
		[ "$stderr" = "tally-ingest: /dev/full: write error: No space left on device" ]
	fi
}
