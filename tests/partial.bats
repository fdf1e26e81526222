#!/usr/bin/env bats
# partial.bats - tally-report --partial and --merge, and tally partition.
#
# Plan: 100 000 generated sales over three months split by agreements with
# a capped tier, the allocations cut into three partitions by sale; the
# merge of their partials, in any order, against one process: statements
# in every format, --check, --out-dir files, and a ledger and its seal
# run month by month with --period and --min-payout: byte-identical
# (stdout), the same counts of rows left out (stderr); --merge refuses a
# ledger (it records rows, which partials do not hold).  Then the errors:
# a file that is not a partial, a partial damaged in each kind of record,
# partials read with another --period than the merge's, --check without
# check totals, sales that do not add up, refused option combinations.
# Then tally partition: every row once, the header in every file, a key's
# rows in one file in input order, stable partitions, its usage errors.
load helpers

setup_file() {
	local d=$BATS_FILE_TMPDIR
	PATH=$TALLY_BIN:$PATH
	"$TALLY_ROOT/scripts/gen-sales" 100000 >"$d/sales.tsv"
	printf 'match\ttier\tpayee\tshare\tcap\n*\t1\tMara\t15%%\n*\t2\tAna\t50%%\n*\t2\tBen\t50%%\nLanterns (*\t1\tOrchard Records\t100%%\t500.00 USD\nLanterns (*\t2\tAna\t50%%\nLanterns (*\t2\tBen\t50%%\nTour poster\t1\tAna\t100%%\n' >"$d/ag.tsv"
	tally-split -a "$d/ag.tsv" "$d/sales.tsv" >"$d/alloc.tsv"
	mkdir "$d/part"
	tally partition --by source,order --count 3 --output "$d/part/a" "$d/alloc.tsv"
}

# partials DIR OPTS...: the partials of the three partitions into DIR
partials() {
	local dir=$1 k
	shift
	mkdir -p "$dir"
	for k in 0 1 2; do
		tally-report --partial "$@" "$BATS_FILE_TMPDIR/part/a$k.tsv" >"$dir/q$k" 2>/dev/null
	done
}

@test "--merge of the partials gives one process's statements and --check, in every format and any order" {
	local d=$BATS_FILE_TMPDIR
	partials "$T/q" -c
	for f in tsv text md html; do
		tally-report -f "$f" --min-payout USD=50 "$d/alloc.tsv" >"$T/one.$f"
		tally-report --merge -f "$f" --min-payout USD=50 "$T/q/q2" "$T/q/q0" "$T/q/q1" >"$T/merged.$f"
		cmp "$T/one.$f" "$T/merged.$f"
	done
	tally-report --merge "$T/q/q1" "$T/q/q0" "$T/q/q2" | cmp - "$T/one.tsv"
	# the merge must be fed every partial: two of three are not the whole
	! tally-report --merge "$T/q/q0" "$T/q/q1" | cmp -s - "$T/one.tsv"
	run --separate-stderr tally-report --merge -c "$T/q/q2" "$T/q/q1" "$T/q/q0"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tally-report -c "$d/alloc.tsv")" ]
	[ "${#lines[@]}" -eq 4 ]
	# a partial is TSV: exact micro-units, the header first
	[ "$(head -1 "$T/q/q0")" = "$(printf 'record\tname\tvalue\tperiod\tcurrency\tpayee\tsource\tproduct\tamount\tnet')" ]
	grep -q "^count	rows	" "$T/q/q0"
	[ "$(awk -F'\t' '$1 == "count" && $2 == "rows" { n += $3 } END { print n }' "$T/q/q0" "$T/q/q1" "$T/q/q2")" = \
	  "$(($(wc -l <"$d/alloc.tsv") - 1))" ]
}

@test "--merge -p month by month: statements and statement files are one process's" {
	local d=$BATS_FILE_TMPDIR m
	mkdir "$T/one" "$T/many"
	for m in 2026-01 2026-02 2026-03; do
		(cd "$T/one" && tally-report -p "$m" --min-payout USD=50 --out-dir st "$d/alloc.tsv" >"out-$m" 2>"err-$m")
		partials "$T/q$m" -p "$m"
		(cd "$T/many" && tally-report --merge -p "$m" --min-payout USD=50 --out-dir st "$T/q$m/q1" "$T/q$m/q2" "$T/q$m/q0" \
			>"out-$m" 2>"err-$m")
		# the same rows are left out, and said so
		[ "$(sed 's/^[^:]*: [^:]*:[0-9]*: //' "$T/one/err-$m")" = "$(sed 's/^[^:]*: [^:]*:[0-9]*: //' "$T/many/err-$m")" ]
	done
	diff -r -x "err-*" "$T/one" "$T/many"
	[ "$(ls "$T/one/st" | wc -l)" -gt 6 ]
}

@test "--merge refuses --ledger: the ledger records each row it books, a partial holds sums" {
	local d=$BATS_FILE_TMPDIR
	partials "$T/q" -p 2026-01
	run --separate-stderr tally-report --merge -l "$T/L" -p 2026-01 "$T"/q/q?
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "tally-report: --merge cannot settle --ledger: the ledger records each row it books and a partial holds sums, not rows; merge without --ledger for the statements and --check, and settle the ledger with one tally-report --ledger run over the month's allocations" ]
	[ ! -e "$T/L" ]
}

@test "--merge refuses what is not a partial, a damaged partial, another --period, and --check without totals" {
	local d=$BATS_FILE_TMPDIR
	partials "$T/q"
	run --separate-stderr tally-report --merge "$d/alloc.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-report: $d/alloc.tsv:1: not a partial of tally-report --partial (its header is not \"$(printf 'record\tname\tvalue\tperiod\tcurrency\tpayee\tsource\tproduct\tamount\tnet')\")" ]
	# each kind of damage names its line, column and value
	sed '12s/\t[0-9.-]*\t$/\t12,50\t/' "$T/q/q0" >"$T/bad1"
	run --separate-stderr tally-report --merge "$T/bad1"
	[ "$status" -eq 1 ]
	[[ "$stderr" =~ ^"tally-report: $T/bad1:12: column \"amount\": \"12,50\" is not an amount" ]]
	sed '12s/^sum\t\t\t2026-0./sum\t\t\t2026-13/' "$T/q/q0" >"$T/bad2"
	run --separate-stderr tally-report --merge "$T/bad2"
	[ "$stderr" = "tally-report: $T/bad2:12: column \"period\": \"2026-13\" is not a period of the partial's kind" ]
	sed '12s/^sum/sun/' "$T/q/q0" >"$T/bad3"
	run --separate-stderr tally-report --merge "$T/bad3"
	[ "$stderr" = "tally-report: $T/bad3:12: column \"record\": \"sun\" is not a record of a partial (option, count, left, sum, check)" ]
	sed '12s/\tUSD\t/\tUS$\t/' "$T/q/q0" >"$T/bad4"
	run --separate-stderr tally-report --merge "$T/bad4"
	[ "$stderr" = "tally-report: $T/bad4:12: column \"currency\": \"US\$\" is not a currency code" ]
	# partials read with -p 2026-02 and one without
	tally-report --partial -p 2026-02 "$d/part/a0.tsv" >"$T/feb0" 2>/dev/null
	run --separate-stderr tally-report --merge -p 2026-02 "$T/feb0" "$T/q/q1"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-report: $T/q/q1:3: column \"value\": \"\" differs from the partials before: they were read with another --period or --opening" ]
	run --separate-stderr tally-report --merge -p 2026-03 "$T/feb0"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-report: $T/feb0: the partials were read with --period 2026-02, the merge has 2026-03: give the merge the same" ]
	run --separate-stderr tally-report --merge "$T/feb0"
	[ "$stderr" = "tally-report: $T/feb0: the partials were read with --period 2026-02, the merge has none: give the merge the same" ]
	# partials made without --check: statements merge, --check cannot
	tally-report --partial -c "$d/part/a0.tsv" >"$T/c0"
	run --separate-stderr tally-report --merge -c "$T/c0" "$T/q/q1"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-report: --check: a partial has no check totals: make the partials with --partial --check" ]
	tally-report --merge "$T/c0" "$T/q/q1" >/dev/null
	# and --partial --check needs net, as --check does
	run --separate-stderr bash -c "cut -f1-13,15- '$d/part/a0.tsv' | tally-report --partial -c"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *'missing column "net"'* ]]
}

@test "sales whose allocations do not add up: the partial counts them, --merge --check fails and says how many" {
	local d=$BATS_FILE_TMPDIR
	# two rows of two sales with their amounts changed
	awk -F'\t' -v OFS='\t' 'NR == 5 || NR == 9 { $NF = "1.00" } { print }' "$d/part/a0.tsv" >"$T/off.tsv"
	run --separate-stderr tally-report --partial -c "$T/off.tsv"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$T/off"
	grep -qx "$(printf 'count\tdiffering\t2\t\t\t\t\t\t\t')" "$T/off"
	run --separate-stderr tally-report --merge -c "$T/off"
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "tally-report: 2 sales in the partials have allocations that do not sum to their net (--check on their partition names them)" ]
	run --separate-stderr tally-report -c "$T/off.tsv"
	[ "$status" -eq 1 ]
}

@test "--partial and --merge refuse the options of the other step" {
	for o in "--summary" "-l L" "--out-dir D" "--min-payout 50" "-f text" "--merge"; do
		run --separate-stderr tally-report --partial $o "$BATS_FILE_TMPDIR/part/a0.tsv"
		[ "$status" -eq 2 ]
		[[ "${stderr_lines[0]}" == "tally-report: --partial"* ]]
	done
	for o in "--summary" "--fx R --to EUR"; do
		run --separate-stderr tally-report --merge $o "$BATS_FILE_TMPDIR/part/a0.tsv"
		[ "$status" -eq 2 ]
		[ "${stderr_lines[0]}" = "tally-report: --merge reads partial sums: no --summary, --fx or --to (give --fx and --to to --partial)" ]
	done
}

@test "tally partition: every row once, the header in each file, a key's rows together in input order" {
	local d=$BATS_FILE_TMPDIR
	run --separate-stderr tally partition --by product --count 4 --output "$T/p-" "$d/sales.tsv"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(ls "$T" | tr '\n' ' ')" = "p-0.tsv p-1.tsv p-2.tsv p-3.tsv " ]
	for f in "$T"/p-*.tsv; do [ "$(head -1 "$f")" = "$(head -1 "$d/sales.tsv")" ]; done
	[ "$(tail -q -n +2 "$T"/p-*.tsv | sort | md5sum)" = "$(tail -n +2 "$d/sales.tsv" | sort | md5sum)" ]
	# one product in one file only, its rows in input order
	[ "$(for f in "$T"/p-*.tsv; do tail -n +2 "$f" | cut -f5 | sort -u; done | sort | uniq -d)" = "" ]
	for f in "$T"/p-*.tsv; do
		tail -n +2 "$f" | cut -f17 | cmp - <(tail -n +2 "$f" | cut -f17 | sort -t: -k2,2n)
	done
	# stable: these keys go to these partitions on every machine, for ever
	printf 'source\torder\tx\ngumroad\t1001\ta\nstripe\tch_1\tb\netsy\t3001\tc\nkofi\tkf1\td\ngumroad\t1002\te\n' >"$T/k.tsv"
	tally partition -b source,order --count 3 --output "$T/k" "$T/k.tsv"
	[ "$(tail -q -n +2 "$T"/k0.tsv | cut -f3 | tr -d '\n')|$(tail -q -n +2 "$T"/k1.tsv | cut -f3 | tr -d '\n')|$(tail -q -n +2 "$T"/k2.tsv | cut -f3 | tr -d '\n')" = "c|abe|d" ]
	# ten partitions are named 0 to 9, a hundred 00 to 99; stdin is -
	mkdir "$T/h"
	tally partition -b order --count 100 --output "$T/h/" - <"$T/k.tsv"
	[ "$(ls "$T/h" | head -2 | tr '\n' ' ')" = "00.tsv 01.tsv " ]
	[ "$(ls "$T/h" | wc -l)" -eq 100 ]
}

@test "tally partition --part K: partition K alone on stdout, byte for byte the K-th file; its usage errors" {
	local d=$BATS_FILE_TMPDIR
	tally partition --by source,order --count 3 --output "$T/f" "$d/sales.tsv"
	for k in 0 1 2; do
		run --separate-stderr tally partition --by source,order --count 3 --part "$k" "$d/sales.tsv"
		[ "$status" -eq 0 ] && [ -z "$stderr" ]
		cmp <(printf '%s\n' "$output") "$T/f$k.tsv"
	done
	# escaped fields pass through as the files have them; stdin is read too
	printf 'order\tnote\na\tx\\ty\nb\tz\\\\\n' >"$T/e.tsv"
	tally partition -b order --count 2 --output "$T/e" "$T/e.tsv"
	cmp <(tally partition -b order --count 2 --part 1 - <"$T/e.tsv") "$T/e1.tsv"
	cmp <(tally partition -b order --count 2 --part 0 "$T/e.tsv") "$T/e0.tsv"
	# the statements of jobs that each take their part: one process's
	tally-report "$d/alloc.tsv" >"$T/one.txt"
	for k in 0 1; do
		tally partition -b source,order --count 2 --part "$k" "$d/alloc.tsv" | tally-report --partial >"$T/$k.partial"
	done
	tally-report --merge "$T/0.partial" "$T/1.partial" | cmp - "$T/one.txt"
	for k in 3 -1 x; do
		run --separate-stderr tally partition -b order --count 3 --part "$k" "$T/e.tsv"
		[ "$status" -eq 2 ]
		[ "$stderr" = "tally-partition: --part: \"$k\" is not a partition of --count (0 to 2)" ]
	done
	run --separate-stderr tally partition -b order --count 3 --part 1 --output "$T/z" "$T/e.tsv"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "tally-partition: --output and --part cannot be used together" ]
	[ ! -e "$T/z0.tsv" ]
	run --separate-stderr sh -c 'tally partition -b order --count 2 --part 1 "$1" >/dev/full' sh "$T/e.tsv"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tally-partition: write error: "* ]]
	printf 'a\tb\n1\n' >"$T/bad.tsv"
	run --separate-stderr tally partition -b a --count 2 --part 0 "$T/bad.tsv"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tally-partition: $T/bad.tsv:2: "* ]]
}

@test "tally partition: usage errors" {
	local d=$BATS_FILE_TMPDIR
	run --separate-stderr tally partition --count 2 --output "$T/p" "$d/sales.tsv"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "tally-partition: --by, --count and --output (or --part) are required" ]
	for n in 0 257 x 2x; do
		run --separate-stderr tally partition -b product --count "$n" --output "$T/p" "$d/sales.tsv"
		[ "$status" -eq 2 ]
		[ "$stderr" = "tally-partition: --count: \"$n\" is not a number of partitions (1 to 256)" ]
	done
	run --separate-stderr tally partition -b nope --count 2 --output "$T/p" "$d/sales.tsv"
	[ "$status" -eq 2 ]
	[[ "$stderr" == 'tally-partition: '*'missing column "nope"'* ]]
	for b in "date,,order" ",date" "date," ""; do
		run --separate-stderr tally partition -b "$b" --count 2 --output "$T/p" "$d/sales.tsv"
		[ "$status" -eq 2 ]
		[ "$stderr" = "tally-partition: --by: \"$b\" is not a list of column names" ]
	done
	run --separate-stderr tally partition -b a,b,c,d,e,f,g,h,i --count 2 --output "$T/p" "$d/sales.tsv"
	[ "$stderr" = "tally-partition: --by: at most 8 columns" ]
	run --separate-stderr tally partition -b product --count 2 --output "$T/none/p" "$d/sales.tsv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-partition: $T/none/p0.tsv: No such file or directory" ]
	# bad data: nothing is left behind
	printf 'a\tb\n1\n' >"$T/bad.tsv"
	run --separate-stderr tally partition -b a --count 2 --output "$T/q" "$T/bad.tsv"
	[ "$status" -eq 1 ]
	[ ! -e "$T/q0.tsv" ] && [ ! -e "$T/q1.tsv" ]
}
