# scripts/bench-lib.sh - helpers the bench-* scripts source.
#
# bench_time RUNS CMD: run CMD (a shell string, with pipefail) RUNS times,
# output discarded, and print the median wall time in seconds.  A run that
# fails stops the bench with its command and stderr: a competitor that
# refuses the input must not be timed as if it had read it.
# bench_peak_kb CMD: peak resident memory (KiB) of one run, via GNU time.

# Runs as a user who followed tally-ingest(1), PSEUDONYMS: with a salt (and
# without its warning on every run).
export TALLY_SALT=${TALLY_SALT:-bench-salt}

bench_median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

bench_time() {
	local runs=$1 cmd=$2 i s e
	for ((i = 0; i < runs; i++)); do
		s=$(date +%s.%N)
		bash -o pipefail -c "$cmd" >/dev/null 2>"${TMPDIR:-/tmp}/bench.err.$$" ||
			{ echo "bench: failed: $cmd" >&2; head -n 3 "${TMPDIR:-/tmp}/bench.err.$$" >&2; exit 1; }
		e=$(date +%s.%N)
		rm -f "${TMPDIR:-/tmp}/bench.err.$$"
		echo "$e - $s" | bc -l
	done | bench_median
}

bench_peak_kb() {
	/usr/bin/time -f '%M' bash -o pipefail -c "$1 >/dev/null 2>/dev/null" 2>&1 | tail -n 1
}

# ratio A B: A / B with two decimals
bench_ratio() {
	echo "scale=2; $1 / $2" | bc -l
}

# bench_gen_gumroad N [FIRST]: N purchases (ids FIRST.., default 1) as one
# Gumroad sales CSV on stdout, as one download would be: the
# real Gumroad sales header (FORMATS.md), one row per purchase with Ruby-float money, a country name, an e-mail, and a few
# quoted fields with commas; a Totals row at the end.
bench_gen_gumroad() {
	awk -v rows="$1" -v first="${2:-1}" 'BEGIN {
	print "Purchase ID,Item Name,Buyer Name,Purchase Email,Buyer Email,Do not contact?,Purchase Date,Purchase Time (UTC timezone),Subtotal ($),Taxes ($),Shipping ($),Sale Price ($),Fees ($),Net Total ($),Tip ($),Tax Included in Price?,Street Address,City,Zip Code,State,Country,Referrer,Refunded?,Partial Refund ($),Fully Refunded?,Disputed?,Dispute Won?,Variants,Discount Code,Recurring Charge?,Free trial purchase?,Pre-order authorization?,Product ID,Order Number,Pre-order authorization time (UTC timezone),Custom Fields,Item Price ($),Variants Price ($),Giftee Email,SKU ID,Quantity,Recurrence,Affiliate,Affiliate commission ($),Discover?,Subscription End Date,Rating,Review,License Key,Payment Type,PayPal Transaction ID,PayPal Fee Amount,PayPal Fee Currency,Stripe Transaction ID,Stripe Fee Amount,Stripe Fee Currency,Purchasing Power Parity Discounted?,Upsold?,Sent Abandoned Cart Email?,UTM Source,UTM Medium,UTM Campaign,UTM Term,UTM Content"
	split("Lanterns (digital album)|Songwriting Course|\"Lanterns, the vinyl\"|Tour poster", item, "|")
	split("10|49|25|15", price, "|")
	split("United States|Germany|France|Japan|Brazil", country, "|")
	sale = 0; net = 0
	for (i = first; i < first + rows; i++) {
		k = i % 4 + 1
		p = price[k]; fee = (p * 10 + 50) / 100       # cents, exactly representable enough
		d = sprintf("2026-%02d-%02d", i % 12 + 1, i % 28 + 1)
		printf "P%09d,%s,Buyer %d,buyer%d@example.com,,0,%s,%s %02d:%02d:%02d +0000,%d.0,0.0,0.0,%d.0,%.2f,%.2f,0.0,,,,,,%s,direct,0,0.0,0,0,0,,,0,0,0,prod%d,%d,,{},%d.0,0.0,,,1,,,0.0,0,,,,,card,,,,ch_%d,0.59,usd,0,0,0,,,,,\n", \
			i, item[k], i, i, d, d, i % 24, i % 60, i % 60, p, p, fee, p - fee, country[i % 5 + 1], k, i, p, i
		sale += p; net += p - fee
	}
	printf "Totals,,,,,,,,%.2f,0.0,0.0,%.2f,%.2f,%.2f\n", sale, sale, sale - net, net
	}'
}

# bench_gen_etsy ROWS: an Etsy monthly statement of about ROWS rows on
# stdout, in the shape Etsy writes (tests/fixtures/ingest-real): newest
# first; an order's rows together on its day, the sale last, its item on
# "Transaction fee: ITEM" beside it with Info "Listing #L" (or "Order #N"
# on every third order); every tenth order refunded later in the month
# (so its refund comes earlier in the file than its sale); ads and
# listing fees between; one deposit at the top.  Money in whole cents.
bench_gen_etsy() {
	awk -v rows="$1" 'BEGIN {
	printf "\357\273\277Date,Type,Title,Info,Currency,Amount,\"Fees & Taxes\",Net,\"Tax Details\",Status,\"Availability Date\"\n"
	split("Moth zine|Lantern print|Lantern print, large|Tour poster", item, "|")
	split("1500|2500|3640|1200", price, "|")
	orders = int(rows * 100 / 552); if (orders < 1) orders = 1
	printf "\"March 31, 2026\",Deposit,\"$%s sent to your bank account\",,USD,--,--,--,--,--,--\n", money(123456)
	for (o = orders; o >= 1; o--) {
		day = int((o - 1) * 28 / orders) + 1
		n = sprintf("3844%06d", o); k = o % 4 + 1; p = price[k]; tax = int(p * 8 / 100)
		if (o % 10 == 3 && day + 2 <= 28) {
			rd = sprintf("\"March %d, 2026\"", day + 2)
			refund[day + 2] = refund[day + 2] sprintf("%s,Tax,\"Refund to buyer for sales tax\",\"Order #%s\",USD,--,$%s,$%s,--,--,--\n", rd, n, money(tax), money(tax)) \
				sprintf("%s,Refund,\"Refund for Order #%s\",,USD,-$%s,$%s,-$%s,--,--,--\n", rd, n, money(p), money(30), money(p - 30))
		}
	}
	for (o = orders; o >= 1; o--) {
		day = int((o - 1) * 28 / orders) + 1
		d = sprintf("\"March %d, 2026\"", day)
		n = sprintf("3844%06d", o); k = o % 4 + 1; p = price[k]; tax = int(p * 8 / 100)
		if (day != lastday) { printf "%s", refund[day]; refund[day] = "" }
		lastday = day
		if (o % 5 == 0) printf "%s,Marketing,\"Etsy Ads\",\"Bill for click-throughs to your shop on March %d, 2026\",USD,--,-$%s,-$%s,--,--,--\n", d, day, money(145), money(145)
		printf "%s,Fee,\"Processing fee\",\"Order #%s\",USD,--,-$%s,-$%s,--,--,--\n", d, n, money(30 + int(p * 3 / 100)), money(30 + int(p * 3 / 100))
		info = o % 3 == 0 ? sprintf("Order #%s", n) : sprintf("Listing #%d", 1480020000 + k)
		printf "%s,Fee,\"Transaction fee: %s\",\"%s\",USD,--,-$%s,-$%s,--,--,--\n", d, item[k], info, money(int(p * 65 / 1000)), money(int(p * 65 / 1000))
		printf "%s,Fee,\"Transaction fee: Shipping\",\"Order #%s\",USD,--,-$%s,-$%s,--,--,--\n", d, n, money(26), money(26)
		printf "%s,Tax,\"Sales tax paid by buyer\",\"Order #%s\",USD,--,-$%s,-$%s,--,--,--\n", d, n, money(tax), money(tax)
		printf "%s,Sale,\"Payment for Order #%s\",,USD,$%s,--,$%s,--,--,--\n", d, n, money(p + tax), money(p + tax)
		if (o % 7 == 0) printf "%s,Fee,\"Listing fee\",\"Listing #%d\",USD,--,-$%s,-$%s,--,--,--\n", d, 1480020000 + k, money(20), money(20)
	}
	}
	function money(c) { return sprintf("%d.%02d", int(c / 100), c % 100) }'
}
