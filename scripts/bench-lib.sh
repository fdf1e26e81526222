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
