#!/usr/bin/env bats
# state.bats - tally-split's state 3: a manifest and sorted key segments
# (issue 15, with 10 and 17's guarantees).  Plan: memory does not grow with
# history (three months of 350,000 rows, then month four under a ulimit the
# old whole-file read of 1,050,000 rows could not fit in, and its refund of
# month one's sale split by the sale's agreement); stdin and a pipe read
# twice give what a file gives; the committed text state 2 fixture migrated
# once, then November from it is November after September and October;
# --state-dump stable, given back, and its usage errors; a failing first
# run leaves no state; an input that cannot be spooled is an error;
# refusals: a segment missing, cut short, replaced by another's, edited in
# place, the manifest edited.
load helpers

F=$BATS_TEST_DIRNAME/fixtures/split

# gen MONTH N: N sales of the month, orders ch_MONTH_1..N
gen() {
	awk -v m="$1" -v n="$2" 'BEGIN { OFS = "\t"
		print "date", "source", "order", "line", "product", "kind", "sale_date", "currency", "net"
		for (i = 1; i <= n; i++)
			print sprintf("2026-%02d-15", m), "stripe", "ch_" m "_" i, 1, (i % 3 ? "Course " i % 7 : "Album"), "sale", "", "USD", (500 + i % 9500) / 100
	}'
}

agreements() {
	printf 'match\tpayee\tshare\nCourse*\tAna\t70%%\nCourse*\tBen\t30%%\n*\tLabel\t50%%\n*\tCo\t50%%\n' >"$T/a.tsv"
}

@test "memory does not grow with history: month four runs under a ulimit the old whole-file read exceeds" {
	# AddressSanitizer reserves terabytes of address space: no ulimit -v fits it
	if ldd "$TALLY_BIN/tally-split" | grep -q libasan; then skip "an AddressSanitizer build (make asan)"; fi
	agreements
	for m in 1 2 3; do
		gen "$m" 350000 | tally-split -a "$T/a.tsv" -s "$T/st" - >/dev/null
	done
	[ "$(ls "$T/st.keys")" = "$(printf '%s\n' 000001.k 000001.r 000002.k 000002.r 000003.k 000003.r)" ]
	# 1,050,000 seen rows: the old state read took 24 bytes a row for them
	# alone (25 MB), beyond this limit with the program's own pages
	{ gen 4 10000; printf '2026-04-20\tstripe\tch_1_1\t1\tREFUND FOR CHARGE\trefund\t\tUSD\t-5.01\n'; } >"$T/m4.tsv"
	run --separate-stderr bash -c 'ulimit -v 65536 && tally-split -a "$1/a.tsv" -s "$1/st" "$1/m4.tsv"' _ "$T"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 20003 ] # header, 10,000 sales in two parts each, the refund in two
	# the refund of month one's sale, found by key, goes by the sale's agreement (Course*), not "*"
	[ "$(awk -F'\t' '$3 == "ch_1_1" { print $10 ":" $14 }' <<<"$output" | sort | tr '\n' ' ')" = "Ana:-3.507 Ben:-1.503 " ]
	[ "$(tally-split --state-dump "$T/st" | grep -c '^seen')" -eq 1060001 ]
}

@test "standard input and a pipe are read twice as a file is; no spool is left behind" {
	agreements
	gen 1 2000 >"$T/m1.tsv"
	{ gen 2 1000; printf '2026-02-20\tstripe\tch_1_7\t1\tREFUND\trefund\t\tUSD\t-1.00\n'; } >"$T/m2.tsv"
	tally-split -a "$T/a.tsv" -s "$T/f" "$T/m1.tsv" >"$T/f1"
	tally-split -a "$T/a.tsv" -s "$T/f" "$T/m2.tsv" >"$T/f2"
	mkdir "$T/tmp"
	cat "$T/m1.tsv" | TMPDIR="$T/tmp" tally-split -a "$T/a.tsv" -s "$T/p" >"$T/p1"
	TMPDIR="$T/tmp" tally-split -a "$T/a.tsv" -s "$T/p" <(cat "$T/m2.tsv") >"$T/p2"
	cmp "$T/f1" "$T/p1"
	cmp "$T/f2" "$T/p2"
	[ "$(grep -c $'\tch_1_7\t' "$T/p2")" -eq 2 ] # the refund of month 1's sale, by its two payees
	[ -z "$(ls -A "$T/tmp")" ]
	cmp <(tally-split --state-dump "$T/f") <(tally-split --state-dump "$T/p")
	# a re-run of the same input from a pipe passes every row over
	run --separate-stderr bash -c 'cat "$1/m2.tsv" | tally-split -a "$1/a.tsv" -s "$1/p" -' _ "$T"
	[ "$status" -eq 0 ]
	[ "$stderr" = "tally-split: passed over 1001 rows split already (state $T/p)" ]
}

@test "the committed text state 2 is migrated once, and November from it is November after September and October" {
	run tally-split -a "$F/advance.tsv" -s "$T/fresh" "$F/advance-sep.tsv"
	run tally-split -a "$F/advance.tsv" -s "$T/fresh" "$F/advance-oct.tsv"
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/fresh" "$F/advance-nov.tsv"
	[ "$status" -eq 0 ]
	want=$output
	cp "$F/advance-oct.state" "$T/st"
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/st" "$F/advance-nov.tsv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "tally-split: $T/st: the text state 2 is migrated to sorted key segments (--state-dump writes it as text)" ]
	[ "$output" = "$want" ]
	[ "$(head -1 "$T/st")" = "# tally-split state 3" ]
	# migrated once: November again is passed over, without a second migration
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/st" "$F/advance-nov.tsv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "tally-split: passed over 1 row split already (state $T/st)" ]
	cmp <(tally-split --state-dump "$T/st") <(tally-split --state-dump "$T/fresh")
}

@test "--state-dump: the committed golden text, stable, given back as a state; usage errors" {
	run tally-split -a "$F/advance.tsv" -s "$T/st" "$F/advance-sep.tsv"
	run tally-split -a "$F/advance.tsv" -s "$T/st" "$F/advance-oct.tsv"
	tally-split --state-dump "$T/st" -o "$T/dump"
	cmp "$T/dump" "$F/advance-oct.state"
	tally-split --state-dump "$T/st" | cmp - "$T/dump"
	cp "$T/dump" "$T/back"
	run tally-split --state-dump "$T/back"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/dump")" ]
	run --separate-stderr tally-split --state-dump "$T/st" -a "$F/advance.tsv"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "tally-split: --state-dump takes the state and at most -o FILE" ]
	run --separate-stderr tally-split --state-dump "$T/none"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-split: $T/none: No such file or directory" ]
	[ ! -e "$T/none" ]
}

@test "a first run that fails leaves no state and no temporary" {
	mkdir "$T/d"
	printf '%s\n' $'date\tsource\torder\tline\tproduct\tkind\tsale_date\tcurrency\tnet' \
		$'2026-09-01\tb\t1\t1\tX\tsale\t\tUSD\tabc' >"$T/bad.tsv"
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/d/st" "$T/bad.tsv"
	[ "$status" -eq 1 ]
	[ "$(ls -A "$T/d")" = "st.lock" ]
}

@test "standard input that cannot be spooled (\$TMPDIR missing) is an error naming the folder; a file needs no spool" {
	run tally-split -a "$F/advance.tsv" -s "$T/st" "$F/advance-sep.tsv"
	run --separate-stderr bash -c 'TMPDIR="$1/gone" tally-split -a "$2/advance.tsv" -s "$1/st" <"$2/advance-oct.tsv"' _ "$T" "$F"
	[ "$status" -eq 0 ] # a file on standard input is read again as it is
	run --separate-stderr bash -c 'cat "$2/advance-nov.tsv" | TMPDIR="$1/gone" tally-split -a "$2/advance.tsv" -s "$1/st"' _ "$T" "$F"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: <stdin>: cannot spool it to $T/gone: No such file or directory" ]
	[ -z "$output" ]
	run --separate-stderr bash -c 'TMPDIR="$1/gone" tally-split -a "$2/advance.tsv" -s "$1/st" <(cat "$2/advance-nov.tsv")' _ "$T" "$F"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tally-split: /dev/fd/"*": cannot spool it to $T/gone: No such file or directory" ]]
	# neither run changed the state: October is in it, November is not
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/st" "$F/advance-oct.tsv"
	[ "$stderr" = "tally-split: passed over 1 row split already (state $T/st)" ]
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/st" "$F/advance-nov.tsv"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -gt 1 ]
}

# state2: September and October in $T/st, a copy of it in $T/good
state2() {
	run tally-split -a "$F/advance.tsv" -s "$T/st" "$F/advance-sep.tsv"
	run tally-split -a "$F/advance.tsv" -s "$T/st" "$F/advance-oct.tsv"
	cp -r "$T/st.keys" "$T/good.keys"
}

# refused MESSAGE: November on $T/st exits 1 saying so, and so does a dump
refused() {
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/st" "$F/advance-nov.tsv"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tally-split: $T/st: "$1 ]]
	[ -z "$output" ]
	run --separate-stderr tally-split --state-dump "$T/st"
	[ "$status" -eq 1 ]
	rm -r "$T/st.keys"
	cp -r "$T/good.keys" "$T/st.keys"
}

@test "refused: a segment missing, cut short, replaced by another's, edited in place; the manifest edited" {
	state2
	rm "$T/st.keys/000001.r"
	refused "segment $T/st.keys/000001.k or .r, which the manifest names, is missing: the state was damaged; restore it from a backup"
	truncate -s -16 "$T/st.keys/000002.r"
	refused "segment $T/st.keys/000002 is not the 1 records the manifest names: it was cut short or replaced; restore the state from a backup"
	cp "$T/st.keys/000002.k" "$T/st.keys/000001.k"
	cp "$T/st.keys/000002.r" "$T/st.keys/000001.r"
	refused "segment 000001 is not the one the manifest names (its digest "*"): it was replaced, rolled back or damaged; restore the state from a backup"
	printf '\001' | dd of="$T/st.keys/000002.r" bs=1 seek=3 conv=notrunc 2>/dev/null
	refused "segment 000002 is not the one the manifest names"*
	cp "$T/st" "$T/manifest"
	sed -i 's/^segment\t2\t1\t/segment\t2\t2\t/' "$T/st"
	! cmp -s "$T/st" "$T/manifest"
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/st" "$F/advance-nov.tsv"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tally-split: $T/st:"*": the end record's digest "*" is not that of the lines before it"* ]]
	cp "$T/manifest" "$T/st"
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/st" "$F/advance-nov.tsv"
	[ "$status" -eq 0 ]
}

# A month the report refuses must not be split for good: with --hold the
# run's state waits in STATE.held until --commit, and a run since voids it.
@test "--hold: a run waits in STATE.held; --commit makes it the state; a month held and never committed is split again whole" {
	agreements
	gen 8 3 >"$T/aug.tsv"
	gen 9 2 >"$T/sep.tsv"
	# September first (its report refused): held, the state untouched
	run --separate-stderr tally-split -a "$T/a.tsv" -s "$T/st" --hold -o "$T/alloc-09.tsv" "$T/sep.tsv"
	[ "$status" -eq 0 ]
	[ -f "$T/st.held" ] && [ ! -e "$T/st" ]
	# August, held and committed
	tally-split -a "$T/a.tsv" -s "$T/st" --hold -o "$T/alloc-08.tsv" "$T/aug.tsv"
	run --separate-stderr tally-split --commit "$T/st"
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	[ ! -e "$T/st.held" ]
	[ "$(tally-split --state-dump "$T/st" | grep -c '^seen')" -eq 3 ]
	# September again: split whole, not passed over
	run --separate-stderr tally-split -a "$T/a.tsv" -s "$T/st" --hold -o "$T/alloc-09.tsv" "$T/sep.tsv"
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	[ "$(tail -n +2 "$T/alloc-09.tsv" | wc -l)" -eq 4 ]
	tally-split --commit "$T/st"
	[ "$(tally-split --state-dump "$T/st" | grep -c '^seen')" -eq 5 ]
	# committed: a run of September now passes its rows over
	run --separate-stderr tally-split -a "$T/a.tsv" -s "$T/st" "$T/sep.tsv"
	[ "$stderr" = "tally-split: passed over 2 rows split already (state $T/st)" ]
}

@test "--commit: nothing held does nothing; a held run is voided by any run since, even one with nothing new; a damaged held manifest; usage" {
	agreements
	gen 8 3 >"$T/aug.tsv"
	gen 9 2 >"$T/sep.tsv"
	tally-split -a "$T/a.tsv" -s "$T/st" "$T/aug.tsv" >/dev/null
	cp "$T/st" "$T/before"
	run --separate-stderr tally-split --commit "$T/st"
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	cmp "$T/st" "$T/before"
	# September held (its report refused), then August again, held, with
	# nothing new: its commit must not commit September
	tally-split -a "$T/a.tsv" -s "$T/st" --hold "$T/sep.tsv" >/dev/null
	tally-split -a "$T/a.tsv" -s "$T/st" --hold "$T/aug.tsv" >/dev/null 2>&1
	[ ! -e "$T/st.held" ]
	tally-split --commit "$T/st"
	cmp "$T/st" "$T/before"
	[ "$(tally-split -a "$T/a.tsv" -s "$T/st" "$T/sep.tsv" | tail -n +2 | wc -l)" -eq 4 ] # a plain run voids a held one too
	tally-split -a "$T/a.tsv" -s "$T/st" --hold "$T/aug.tsv" "$T/sep.tsv" >/dev/null 2>&1
	[ ! -e "$T/st.held" ]
	# a held manifest edited: refused, the state as it was
	tally-split -a "$T/a.tsv" -s "$T/st" --hold "$T/aug.tsv" "$T/sep.tsv" >/dev/null
	gen 10 1 >"$T/oct.tsv"
	tally-split -a "$T/a.tsv" -s "$T/st" --hold "$T/oct.tsv" >/dev/null
	sed -i 's/^segment\t3\t1\t/segment\t3\t2\t/' "$T/st.held"
	cp "$T/st" "$T/before"
	run --separate-stderr tally-split --commit "$T/st"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tally-split: $T/st.held"* ]]
	cmp "$T/st" "$T/before"
	run --separate-stderr tally-split --hold -a "$T/a.tsv" "$T/aug.tsv"
	[ "$status" -eq 2 ]
	[ "${stderr%%$'\n'*}" = "tally-split: --hold needs --state" ]
	run --separate-stderr tally-split --commit "$T/st" -a "$T/a.tsv"
	[ "$status" -eq 2 ]
	[ "${stderr%%$'\n'*}" = "tally-split: --commit takes the state alone" ]
}

# damaged STATE LINES...: a text state 2 of the lines given, after its
# magic line, refused by --state-dump (exit 1) with MESSAGE on stderr
damaged() {
	local want=$1
	shift
	{ echo '# tally-split state 2'; printf '%s\n' "$@"; } >"$T/bad"
	run --separate-stderr tally-split --state-dump "$T/bad"
	[ "$status" -eq 1 ] || { echo "status $status for: $*" >&2; return 1; }
	[ "$output" = "" ]
	[ "$stderr" = "tally-split: $T/bad:$want" ] || { echo "got: $stderr" >&2; return 1; }
}

@test "a damaged text state is refused naming its line and what is wrong, nothing written" {
	local c=$'class\t1\t*\t\t\t61719c3d93fac21f\tLanterns\t\tUSD'
	damaged '2: bad recouped amount "45x0.00"' $'cap\t*\t\t\t1\tUSD\t45x0.00'
	damaged '2: invalid escape' $'cap\t*\t\\q\t\t1\tUSD\t45.00'
	damaged '2: bad terms "zz"' $'class\t1\t*\t\t\tzz\tLanterns\t\tUSD'
	damaged '3: class 2 repeats class 1' "$c" "${c/class	1/class	2}"
	damaged '2: bad hash "zz"' $'seen\tzz\t2026-10-10\t1\t25'
	damaged '3: bad amount "2x5"' "$c" $'seen\t315a4355d1e2ca8e\t2026-10-10\t1\t2x5'
	damaged '4: seen record 115a4355d1e2ca8e is out of order or repeated' "$c" \
		$'seen\t315a4355d1e2ca8e\t2026-10-10\t1\t25' $'seen\t115a4355d1e2ca8e\t2026-10-10\t1\t25'
	damaged '2: not a state record' $'run\tzz'
	damaged '2: not a state record' $'segment\tx'
	damaged '2: no end record after the last line: the state is cut short; restore it from a backup' "$c"
	damaged "2: the end record's digest 58d369a63df594ab is not that of the lines before it (f918b7550e5a0c30): the state was edited or damaged; restore it from a backup" \
		$'end\t0\t58d369a63df594ab' $'cap\t*\t\t\t1\tUSD\t45.00'
	printf '# tally-split state 2\ncap\t*\t\000\t\t1\tUSD\t45.00\n' >"$T/nul"
	run --separate-stderr tally-split --state-dump "$T/nul"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: $T/nul:2: a NUL byte" ]
	: >"$T/empty"
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/empty" "$F/advance-sep.tsv"
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[[ "$stderr" == *"empty file: not a tally-split state file"* ]]
	[ ! -s "$T/empty" ]
}

@test "a re-run whose rows were all split already refuses an -o file that is not the one it wrote" {
	run tally-split -a "$F/advance.tsv" -s "$T/st" -o "$T/out.tsv" "$F/advance-sep.tsv"
	[ "$status" -eq 0 ]
	echo 'edited by hand' >>"$T/out.tsv"
	cp "$T/out.tsv" "$T/out-before"
	manifest=$(cat "$T/st")
	run --separate-stderr tally-split -a "$F/advance.tsv" -s "$T/st" -o "$T/out.tsv" "$F/advance-sep.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: every row was split already (state $T/st), but $T/out.tsv is not the file the run that split them wrote: it and the state are left as they were; --force splits the rows again and pays them twice" ]
	cmp "$T/out.tsv" "$T/out-before"
	[ "$(cat "$T/st")" = "$manifest" ]
}

@test "--commit refuses a STATE.held that is no held run's manifest, and leaves both files" {
	run tally-split -a "$F/advance.tsv" -s "$T/st" -o "$T/out.tsv" "$F/advance-sep.tsv"
	[ "$status" -eq 0 ]
	cp "$T/st" "$T/st-before"
	# a text state 2 where a held manifest (state 3) should be
	cp "$F/advance-oct.state" "$T/st.held"
	run --separate-stderr tally-split --commit "$T/st"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: $T/st.held: not a held run's manifest" ]
	cmp "$T/st" "$T/st-before"
	cmp "$T/st.held" "$F/advance-oct.state"
	# not a state at all
	echo garbage >"$T/st.held"
	run --separate-stderr tally-split --commit "$T/st"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-split: $T/st.held:1: not a tally-split state file (no \"# tally-split state 2\" line)" ]
	cmp "$T/st" "$T/st-before"
}

@test "a refund of a sale the default payee took is refused without --default-payee, and split to it with it" {
	printf 'match\ttier\tpayee\tshare\nZine\t1\tAna\t100%%\n' >"$T/ag.tsv"
	printf '%s\n' $'date\tsource\torder\tline\tproduct\tkind\tsale_date\tcurrency\tnet' \
		$'2026-09-10\tbandcamp\t2001\t1\tLanterns\tsale\t\tUSD\t20.00' >"$T/sep.tsv"
	printf '%s\n' $'date\tsource\torder\tline\tproduct\tkind\tsale_date\tcurrency\tnet' \
		$'2026-10-02\tbandcamp\t2001\t1\tLanterns\trefund\t2026-09-10\tUSD\t-20.00' >"$T/oct.tsv"
	run tally-split -a "$T/ag.tsv" -s "$T/st" --default-payee Label "$T/sep.tsv"
	[ "$status" -eq 0 ]
	cp "$T/st" "$T/st-before"
	run --separate-stderr tally-split -a "$T/ag.tsv" -s "$T/st" "$T/oct.tsv"
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "tally-split: $T/oct.tsv:2: its sale was split by --default-payee (state $T/st); give --default-payee to split this row" ]
	cmp "$T/st" "$T/st-before"
	run --separate-stderr tally-split -a "$T/ag.tsv" -s "$T/st" --default-payee Label "$T/oct.tsv"
	[ "$status" -eq 0 ]
	[ "$(tail -n +2 <<<"$output" | cut -f10,14)" = $'Label\t-20.00' ]
}

@test "an adjustment of a line split in an earlier month (Etsy's sales-tax refund) is its own row, split by the first one's agreement, never as a change" {
	# Etsy, September: a Moth zine sale and its "Sales tax paid by buyer"
	# row; October: the refund and its "Refund to buyer for sales tax" row,
	# with no item row in October's statement (empty product)
	printf '%s\n' 'Date,Type,Title,Info,Currency,Amount,"Fees & Taxes",Net,"Tax Details"' \
		'"September 20, 2026",Tax,Sales tax paid by buyer,Order #5,USD,--,-$0.96,-$0.96,--' \
		'"September 20, 2026",Fee,"Transaction fee: Moth zine",Order #5,USD,--,-$0.65,-$0.65,--' \
		'"September 20, 2026",Sale,Payment for Order #5,,USD,$10.96,--,$10.96,--' >"$T/sep.csv"
	printf '%s\n' 'Date,Type,Title,Info,Currency,Amount,"Fees & Taxes",Net,"Tax Details"' \
		'"October 3, 2026",Tax,Refund to buyer for sales tax,Order #5,USD,--,$0.96,$0.96,--' \
		'"October 3, 2026",Refund,Refund to buyer for Order #5,Order #5,USD,-$10.96,--,-$10.96,--' >"$T/oct.csv"
	printf 'match\tpayee\tshare\nMoth zine\tCleo\t70%%\nMoth zine\tAna\t30%%\n*\tAna\t100%%\n' >"$T/ag.tsv"
	TALLY_SALT=s tally-ingest "$T/sep.csv" >"$T/sep.tsv"
	TALLY_SALT=s tally-ingest "$T/oct.csv" >"$T/oct.tsv"
	tally-split -a "$T/ag.tsv" -s "$T/st" "$T/sep.tsv" >/dev/null
	run --separate-stderr tally-split -a "$T/ag.tsv" -s "$T/st" -o "$T/oct-alloc.tsv" "$T/oct.tsv"
	[ "$status" -eq 0 ]
	# before: "1 row changed since it was split", and 1.92 (+0.96 - -0.96) split
	[ -z "$stderr" ]
	pick() { awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ print $c["kind"] " " $c["net"] " " $c["payee"] " " $c["amount"] " " $c["product"] }' "$1"; }
	# and both take the sale's product from the state (October names no item): their statement line names it
	[ "$(pick "$T/oct-alloc.tsv" | tr '\n' '|')" = "adjustment 0.96 Cleo 0.672 Moth zine|adjustment 0.96 Ana 0.288 Moth zine|refund -10.96 Cleo -7.672 Moth zine|refund -10.96 Ana -3.288 Moth zine|" ]
	[ "$(tally-report -f text "$T/oct-alloc.tsv" | grep -c 'etsy: Moth zine')" -eq 2 ]
	# the month again: nothing split twice
	run --separate-stderr tally-split -a "$T/ag.tsv" -s "$T/st" "$T/oct.tsv"
	[ "$status" -eq 0 ] && [ "$(tail -n +2 <<<"$output")" = "" ]
	[ "$stderr" = "tally-split: passed over 2 rows split already (state $T/st)" ]
	# a second later adjustment of the line, on another day, is its own row too
	printf '%s\n' $'date\tsource\torder\tline\tproduct\tkind\tsale_date\tcurrency\tnet' \
		$'2026-11-04\tetsy\t5\t1\t\tadjustment\t\tUSD\t-0.10' >"$T/nov.tsv"
	run --separate-stderr tally-split -a "$T/ag.tsv" -s "$T/st" "$T/nov.tsv"
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	[ "$(tail -n +2 <<<"$output" | cut -f10,14 | tr '\t\n' ' |')" = "Cleo -0.07|Ana -0.03|" ]
	# the first adjustment fed again on its own day with another amount is still a change
	printf '%s\n' $'date\tsource\torder\tline\tproduct\tkind\tsale_date\tcurrency\tnet' \
		$'2026-09-20T00:00:00Z\tetsy\t5\t1\tMoth zine\tadjustment\t\tUSD\t-1.06' >"$T/sep2.tsv"
	run --separate-stderr tally-split -a "$T/ag.tsv" -s "$T/st" "$T/sep2.tsv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "tally-split: 1 row changed since it was split: the difference was split" ]
	[ "$(tail -n +2 <<<"$output" | cut -f10,14 | tr '\t\n' ' |')" = "Cleo -0.07|Ana -0.03|" ]
}

@test "a PayPal chargeback fee and chargeback reversal in later months are split by the sale's agreement, not as products of their own" {
	local h='"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","From Email Address","To Email Address","Transaction ID","Item Title","Item ID","Sales Tax","Quantity","Country Code","Balance","Reference Txn ID"'
	printf '%s\n' "$h" '"9/2/2026","10:00:00","PDT","Jane Doe","Express Checkout Payment","Completed","USD","50.00","-2.00","48.00","jane@example.com","me@example.com","TX902","Moth Zine","mz","0.00","1","US","48.00",""' >"$T/sep.csv"
	printf '%s\n' "$h" '"10/2/2026","10:00:00","PDT","Jane Doe","Chargeback","Completed","USD","-50.00","0.00","-50.00","jane@example.com","me@example.com","TX1003","","","0.00","","US","-2.00","TX902"' \
		'"10/2/2026","10:00:01","PDT","PayPal","Chargeback Fee","Completed","USD","-20.00","0.00","-20.00","","me@example.com","TX1004","","","0.00","","","-22.00","TX902"' >"$T/oct.csv"
	printf '%s\n' "$h" '"11/3/2026","10:00:00","PST","Jane Doe","Chargeback Reversal","Completed","USD","50.00","0.00","50.00","jane@example.com","me@example.com","TX1101","","","0.00","","US","28.00","TX902"' >"$T/nov.csv"
	printf 'match\tpayee\tshare\nMoth Zine\tCleo\t70%%\nMoth Zine\tOrchard\t30%%\n*\tOrchard\t80%%\n*\tDee\t20%%\n' >"$T/ag.tsv"
	for m in sep oct nov; do TALLY_SALT=s tally-ingest "$T/$m.csv" >"$T/$m.tsv"; done
	# the fee and the reversal name the sale's order (their Reference Txn ID)
	[ "$(tail -n +2 "$T/oct.tsv" | cut -f3,7 | tr '\t\n' ' |')" = "TX902 chargeback|TX902 fee|" ]
	[ "$(tail -n +2 "$T/nov.tsv" | cut -f3,7)" = $'TX902\tadjustment' ]
	tally-split -a "$T/ag.tsv" -s "$T/st" "$T/sep.tsv" >/dev/null
	pay() { tally-split -a "$T/ag.tsv" -s "$T/st" "$T/$1.tsv" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ print $c["kind"] " " $c["payee"] " " $c["amount"] }' | tr '\n' '|'; }
	# before: the fee went to "*" (Orchard -16.00, Dee -4.00), the reversal too (40.00, 10.00)
	[ "$(pay oct)" = "chargeback Cleo -35.00|chargeback Orchard -15.00|fee Cleo -14.00|fee Orchard -6.00|" ]
	[ "$(pay nov)" = "adjustment Cleo 35.00|adjustment Orchard 15.00|" ]
	# and again: nothing split twice
	[ "$(pay oct)$(pay nov)" = "" ]
}
