#!/usr/bin/env bats
# harden.bats - defects found by the reliability audit (issue 17), each
# reproduced: paths that alias one file; the front command finding the
# commands beside it; messages (program name, CR-only line ends, NUL bytes,
# duplicate CSV columns); empty inputs that were undefined behaviour; a
# leak (seen under make asan / TALLY_WRAP=valgrind); a quadratic header.
#
# Plan:
#   paths:    -s X -o X, -r R -o R, -a A -o A (split), -r G -o G (ingest),
#             -l L with L an input (report): exit 2, a message, nothing
#             written; a hard link and "./" are seen through; two outputs to
#             /dev/stdout are allowed.
#   front:    tally CMD with PATH holding no tally runs the one beside it.
#   messages: unknown options by the base name; CR-only TSV; NUL in CSV;
#             a CSV header naming a read column twice.
#   empty:    --fx with a header-only rates table; header-only TSV.
#   leak:     a tier mixing weights and percentages (exit 1, no leak).
#   header:   100 000 distinct columns read in well under 10 s.
load helpers

F=$BATS_TEST_DIRNAME/fixtures
HDR=$'date\tsource\torder\tline\tproduct\tkind\tsale_date\tcurrency\tnet'

sales() {
	printf '%s\n' "$HDR" $'2026-10-01\tgumroad\to1\t1\tBook\tsale\t\tUSD\t10.00' >"$1"
}

@test "paths: tally-split -s X -o X is a usage error and writes nothing" {
	sales "$T/s.tsv"
	run -2 --separate-stderr tally-split -a "$F/split/agent.tsv" -s "$T/X" -o "$T/X" "$T/s.tsv"
	assert_equal "$stderr" "tally-split: --output and --state name the same file: $T/X"
	[ ! -e "$T/X" ]
}

@test "paths: tally-split -r R -o ./R (same file, spelled two ways) is a usage error" {
	sales "$T/s.tsv"
	cd "$T"
	run -2 --separate-stderr tally-split -a "$F/split/agent.tsv" -r R -o ./R s.tsv
	assert_equal "$stderr" "tally-split: --output and --rejects name the same file: R"
	[ ! -e R ]
}

@test "paths: an existing file and a hard link to it are one file" {
	sales "$T/s.tsv"
	echo old >"$T/out"
	ln "$T/out" "$T/link"
	run -2 --separate-stderr tally-split -a "$F/split/agent.tsv" -o "$T/out" -e "$T/link" "$T/s.tsv"
	assert_equal "$stderr" "tally-split: --output and --explain name the same file: $T/link"
	assert_equal "$(cat "$T/out")" old
}

@test "paths: tally-split -o over the agreements or an input is refused" {
	cp "$F/split/agent.tsv" "$T/a.tsv"
	sales "$T/s.tsv"
	run -2 --separate-stderr tally-split -a "$T/a.tsv" -o "$T/a.tsv" "$T/s.tsv"
	assert_equal "$stderr" "tally-split: --agreements and --output name the same file: $T/a.tsv"
	run -2 --separate-stderr tally-split -a "$T/a.tsv" -o "$T/s.tsv" "$T/s.tsv"
	assert_equal "$stderr" "tally-split: --output and input name the same file: $T/s.tsv"
	cmp "$T/a.tsv" "$F/split/agent.tsv"
}

@test "paths: tally-ingest -r G -o G is a usage error" {
	run -2 --separate-stderr tally-ingest -r "$T/G" -o "$T/G" "$F/ingest/kofi.csv"
	assert_equal "$stderr" "tally-ingest: --output and --rejects name the same file: $T/G"
	[ ! -e "$T/G" ]
}

@test "paths: tally-report -l L with L also an input is a usage error" {
	cp "$F/report/alloc.tsv" "$T/L"
	run -2 --separate-stderr tally-report -l "$T/L" -p 2026-10 "$T/L"
	assert_equal "$stderr" "tally-report: --ledger and input name the same file: $T/L"
	cmp "$T/L" "$F/report/alloc.tsv"
}

@test "paths: two streams to one device are allowed" {
	sales "$T/s.tsv"
	run -0 --separate-stderr tally-split -a "$F/split/agent.tsv" -o /dev/stdout -e /dev/stdout "$T/s.tsv"
	assert_line --partial $'\tMara (manager)\t'
}

@test "front: tally CMD runs the command beside it when PATH has none" {
	run -0 env PATH=/usr/bin:/bin "$TALLY_BIN/tally" split --help
	assert_line --index 0 --partial "usage: tally-split "
	run -0 env PATH=/usr/bin:/bin "$TALLY_BIN/tally" --help
	assert_output --partial "  split "
}

@test "messages: an unknown option is named by the program, not the path it was run by" {
	run -2 --separate-stderr "$TALLY_BIN/tally-split" --bogus
	assert_equal "${stderr_lines[0]}" "tally-split: unrecognized option '--bogus'"
	run -2 --separate-stderr "$TALLY_BIN/tally-report" -Z
	assert_equal "${stderr_lines[0]}" "tally-report: invalid option -- 'Z'"
}

@test "messages: a TSV with CR-only line ends says so" {
	printf 'payee\tamount\r1\t2\r' >"$T/cr.tsv"
	run -1 --separate-stderr tally-report "$T/cr.tsv"
	assert_equal "$stderr" "tally-report: $T/cr.tsv:1: header: line ends are CR only (classic Mac); convert them to LF (tr '\\r' '\\n')"
}

@test "messages: a NUL byte in a CSV export is named, not passed on" {
	python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); i=d.index(b"Love"); sys.stdout.buffer.write(d[:i]+b"\0"+d[i:])' \
		"$F/ingest/kofi.csv" >"$T/nul.csv"
	run -1 --separate-stderr tally-ingest "$T/nul.csv"
	assert_equal "$stderr" "tally-ingest: $T/nul.csv:2: a NUL byte at byte 26 of line 2: not text (UTF-16 without a byte order mark? try --encoding utf-16le)"
}

@test "messages: a CSV header naming a column it reads twice is refused, naming both" {
	{ head -1 "$F/ingest/kofi.csv" | sed 's/,Message,/,Message,From,/'; tail -n +2 "$F/ingest/kofi.csv"; } >"$T/dup.csv"
	run -2 --separate-stderr tally-ingest "$T/dup.csv"
	assert_equal "$stderr" "tally-ingest: $T/dup.csv: header: columns 2 and 4 are both named \"From\""
}

@test "empty: --fx with a header-only rates table (qsort on nothing)" {
	printf 'date\tcurrency\trate\n' >"$T/r.tsv"
	run -1 --separate-stderr tally-report --fx "$T/r.tsv" --to USD "$F/report/alloc-fx.tsv"
	assert_output ""
	assert_equal "${stderr_lines[0]%%: no USD rate*}" "tally-report: $F/report/alloc-fx.tsv:2"
}

@test "empty: a header-only and an empty stream" {
	printf '%s\n' "$HDR" >"$T/h.tsv"
	run -0 --separate-stderr tally-split -a "$F/split/agent.tsv" "$T/h.tsv"
	assert_line --index 0 --partial $'\tpayee\ttier\tagreement\tshare\tamount'
	: >"$T/e.tsv"
	run -1 --separate-stderr tally-split -a "$F/split/agent.tsv" "$T/e.tsv"
	assert_equal "$stderr" "tally-split: $T/e.tsv:1: empty input: no header line"
}

@test "leak: a tier mixing weights and percentages is refused and frees what it read" {
	printf 'match\ttier\tpayee\tshare\n*\t1\tAna\t50%%\n*\t1\tBen\t1\n' >"$T/mix.tsv"
	printf '%s\n' "$HDR" >"$T/h.tsv"
	run -1 --separate-stderr tally-split -a "$T/mix.tsv" "$T/h.tsv"
	assert_equal "$stderr" "tally-split: $T/mix.tsv:3: tier 1 mixes plain weights with percentages or fractions"
}

@test "header: 100 000 distinct columns are read in linear time" {
	SECONDS=0
	python3 -c 'import sys; sys.stdout.write("\t".join(["c%d" % i for i in range(100000)]+["c7"])+"\n")' >"$T/dup.tsv"
	run -1 --separate-stderr tally-report "$T/dup.tsv"
	assert_equal "$stderr" "tally-report: $T/dup.tsv:1: header: column \"c7\" appears twice"
	[ "$SECONDS" -lt 10 ]
}

@test "out-dir: a symbolic link in the folder is refused, the file it points to untouched" {
	mkdir "$T/stm" "$T/outside"
	echo secret >"$T/outside/victim"
	ln -s ../outside/victim "$T/stm/Ana-2026-10.tsv"
	run -2 --separate-stderr tally-report --out-dir "$T/stm" -p 2026-10 "$F/report/alloc-2026-10.tsv"
	assert_equal "$stderr" "tally-report: $T/stm/Ana-2026-10.tsv: a symbolic link: statements are not written through links"
	assert_equal "$(cat "$T/outside/victim")" secret
	[ -L "$T/stm/Ana-2026-10.tsv" ]
}

@test "lock: a .lock that is a symbolic link is refused, nothing created through it" {
	mkdir "$T/outside"
	ln -s "$T/outside/made" "$T/L.lock"
	run -2 --separate-stderr tally-report -l "$T/L" -p 2026-10 "$F/report/alloc-2026-10.tsv"
	assert_equal "$stderr" "tally-report: $T/L.lock: Too many levels of symbolic links"
	[ ! -e "$T/outside/made" ]
	[ ! -e "$T/L" ]
	sales "$T/s.tsv"
	ln -s "$T/outside/made2" "$T/st.lock"
	run -2 --separate-stderr tally-split -a "$F/split/agent.tsv" -s "$T/st" "$T/s.tsv"
	assert_equal "$stderr" "tally-split: $T/st.lock: Too many levels of symbolic links"
	[ ! -e "$T/outside/made2" ]
}

@test "atomic files: -o through a symbolic link the user made still replaces its target" {
	sales "$T/s.tsv"
	echo old >"$T/real"
	ln -s real "$T/link"
	run -0 --separate-stderr tally-split -a "$F/split/agent.tsv" -o "$T/link" "$T/s.tsv"
	[ -L "$T/link" ]
	run -0 grep -c Mara "$T/real"
	run -0 bash -c "ls -A '$T' | grep -c '^\\.' || true"
	assert_output 0
}

@test "salt: without TALLY_SALT tally-ingest warns once; with it or TALLY_SALT_FILE it does not" {
	run -0 --separate-stderr env -u TALLY_SALT tally-ingest "$F/ingest/kofi.csv" "$F/ingest/gumroad_sales.csv"
	assert_equal "$stderr" "tally-ingest: no TALLY_SALT: customer pseudonyms can be recomputed from e-mail addresses; set TALLY_SALT or TALLY_SALT_FILE (see tally-ingest(1), PSEUDONYMS)"
	run -0 --separate-stderr env TALLY_SALT=s3cret tally-ingest "$F/ingest/kofi.csv"
	assert_equal "$stderr" ""
	local keyed=$output
	printf 's3cret\n' >"$T/salt"
	chmod 600 "$T/salt"
	run -0 --separate-stderr env -u TALLY_SALT TALLY_SALT_FILE="$T/salt" tally-ingest "$F/ingest/kofi.csv"
	assert_equal "$stderr" ""
	assert_equal "$output" "$keyed"
}

@test "salt: a TALLY_SALT_FILE others can read is used with a warning; a missing or empty one is refused" {
	printf 's3cret\n' >"$T/salt"
	chmod 644 "$T/salt"
	run -0 --separate-stderr env -u TALLY_SALT TALLY_SALT_FILE="$T/salt" tally-ingest "$F/ingest/kofi.csv"
	assert_equal "$stderr" "tally-ingest: TALLY_SALT_FILE: $T/salt can be read by others (chmod 600 it)"
	make="make the key once with: (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n' >"
	then="and back it up with the ledger (tally-ingest(1), PSEUDONYMS)"
	run -2 --separate-stderr env -u TALLY_SALT TALLY_SALT_FILE="$T/nosuch" tally-ingest "$F/ingest/kofi.csv"
	assert_equal "$stderr" "tally-ingest: TALLY_SALT_FILE: $T/nosuch: No such file or directory; $make $T/nosuch) $then"
	: >"$T/empty"
	run -2 --separate-stderr env -u TALLY_SALT TALLY_SALT_FILE="$T/empty" tally-ingest "$F/ingest/kofi.csv"
	assert_equal "$stderr" "tally-ingest: TALLY_SALT_FILE: $T/empty: its first line is empty; $make $T/empty) $then"
	# the command the message gives makes a key only its owner reads, which is then used quietly
	run -2 --separate-stderr env -u TALLY_SALT TALLY_SALT_FILE="$T/nosuch" tally-ingest "$F/ingest/kofi.csv"
	cmd=${stderr#*make the key once with: }
	cmd=${cmd% and back it up*}
	sh -c "$cmd"
	[ "$(stat -c %a "$T/nosuch")" = 600 ]
	[ "$(wc -c <"$T/nosuch")" -eq 64 ]
	run -0 --separate-stderr env -u TALLY_SALT TALLY_SALT_FILE="$T/nosuch" tally-ingest "$F/ingest/kofi.csv"
	assert_equal "$stderr" ""
}

@test "redact: --rejects --redact replaces the e-mail and the name of a rejected row by pseudonyms" {
	sed 's/^p2,Songwriting Course,,/p2,Songwriting Course,Ana Lima,/' "$F/ingest/gumroad_bad_amount.csv" >"$T/g.csv"
	run -0 --separate-stderr tally-ingest --redact -r "$T/rej.tsv" "$T/g.csv"
	run -1 grep -c -e 'b@example.org' -e 'Ana Lima' "$T/rej.tsv"
	run -0 grep -c ',c[0-9a-f]\{16\},c[0-9a-f]\{16\},' "$T/rej.tsv"
	assert_output 1
	# without --redact the row is kept as it was read
	run -0 --separate-stderr tally-ingest -r "$T/rej2.tsv" "$T/g.csv"
	run -0 grep -c 'Ana Lima,b@example.org' "$T/rej2.tsv"
	run -2 --separate-stderr tally-ingest --redact "$T/g.csv"
	assert_equal "$stderr" "tally-ingest: --redact is for the --rejects file: give --rejects FILE"
}

@test "redact: the pseudonym of a rejected row's e-mail is the one its customer column would get" {
	printf 'Date,Email,Amount,Currency\n2026-10-01,Fan@Example.com,1.00,USD\n2026-10-02,fan@example.com,x,USD\n' >"$T/s.csv"
	printf 'format s\ndetect {Date} {Email} {Amount}\ndate-format %%Y-%%m-%%d\ndate {Date}\norder {Date}\ncustomer {Email}\ngross {Amount}\ncurrency {Currency}\nkind sale\n' >"$T/s.map"
	run -0 --separate-stderr env TALLY_SALT=k tally-ingest --map "$T/s.map" --redact -r "$T/rej.tsv" "$T/s.csv"
	local pseudo
	pseudo=$(printf '%s\n' "$output" | awk -F'\t' 'NR == 2 { print $16 }')
	[ -n "$pseudo" ]
	run -0 grep -c "^2026-10-02,$pseudo,x,USD" "$T/rej.tsv"
}

@test "fuzz finding: a header with two byte order marks is refused (it would not read back the same)" {
	printf '\xef\xbb\xbf\xef\xbb\xbfpayee\tamount\n' >"$T/bom.tsv"
	run -1 --separate-stderr tally-report "$T/bom.tsv"
	assert_equal "$stderr" "tally-report: $T/bom.tsv:1: header: two byte order marks"
}

@test "fuzz finding: a time whose zone carries it past 9999 is not a date" {
	printf 'date\tsource\torder\tline\tproduct\tkind\tsale_date\tcurrency\tnet\n9999-12-31T23:59:59-14:00\tg\to1\t1\tBook\tsale\t\tUSD\t1.00\n' >"$T/s.tsv"
	run -1 --separate-stderr tally-split -a "$F/split/agent.tsv" "$T/s.tsv"
	assert_output --partial ""
	assert_equal "${stderr%%: column*}" "tally-split: $T/s.tsv:2"
}

# 200,000 distinct customers in one month, on one sales stream.
many_customers() {
	awk 'BEGIN { OFS = "\t"
		print "date", "source", "order", "line", "product", "kind", "currency", "gross", "fee", "net", "country", "customer"
		for (i = 1; i <= 200000; i++)
			printf "2026-11-%02d\tshop\to%d\t1\tP%d\tsale\tUSD\t%d.00\t0\t%d.00\tDE\tcustomer-%08d\n", i % 28 + 1, i, i % 5, i % 9 + 1, i % 9 + 1, i
	}' >"$1"
}

@test "--summary: memory does not grow with distinct customers (200k of them under ulimit -v 32 MB)" {
	# ASan and valgrind reserve far more address space than any limit here
	if [ -n "${TALLY_WRAP:-}" ] || grep -qa __asan_init "$(command -v tally-report)"; then
		skip "address-space limit under a sanitiser"
	fi
	many_customers "$T/s.tsv"
	run -0 --separate-stderr bash -c "ulimit -v 32000; tally-report --summary '$T/s.tsv'"
	assert_line --partial $'2026-11\tUSD\ttotal\t\tcustomers\t200000'
	assert_line --partial $'2026-11\tUSD\ttotal\t\tnew_customers\t200000'
	assert_line --partial $'2026-11\tUSD\tcountry\tDE\tcustomers\t200000'
}

@test "--summary: customers counted through a spilled sort are the in-memory count, figure for figure" {
	many_customers "$T/s.tsv"
	# the same customers again in December, with some new ones: returning and new
	awk -F'\t' 'BEGIN { OFS = "\t" } NR > 1 && NR % 3 == 0 { $1 = "2026-12-01"; print } NR > 1 && NR % 7 == 0 { $1 = "2026-12-02"; $12 = $12 "-new"; print }' "$T/s.tsv" >"$T/dec.tsv"
	cat "$T/dec.tsv" >>"$T/s.tsv"
	run -0 --separate-stderr tally-report --summary "$T/s.tsv"
	local whole=$output
	run -0 --separate-stderr env TALLY_SORT_BUFFER=64k TMPDIR="$T" tally-report --summary "$T/s.tsv"
	assert_equal "$output" "$whole"
	assert_line --partial $'2026-12\tUSD\ttotal\t\treturning_customers\t66667'
	assert_line --partial $'2026-12\tUSD\ttotal\t\tnew_customers\t28571'
	run -1 --separate-stderr env TALLY_SORT_BUFFER=64k TMPDIR="$T/none" tally-report --summary "$T/s.tsv"
	assert_equal "$stderr" "tally-report: a temporary file in $T/none: No such file or directory"
	assert_output ""
	run -2 --separate-stderr env TALLY_SORT_BUFFER=lots tally-report --summary "$T/s.tsv"
	assert_equal "$stderr" 'tally-report: TALLY_SORT_BUFFER: "lots" is not a size (bytes, or with k, m or g)'
}
