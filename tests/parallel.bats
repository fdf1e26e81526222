#!/usr/bin/env bats
# parallel.bats - the README's partitioned-run recipe, run as written with
# GNU parallel on this machine (-j2), against the single-process pipeline.
#
# Plan: 60 000 generated sales of one month, agreements with a capped tier
# on one product; the recipe's commands taken from the README block;
# the statement files, ledger and seal byte-identical to one
# tally-split | tally-report run's, and --check of the partials equal to
# --check of the whole; the recipe in tally.7 is the README's; a second
# month run the same way keeps the two ledgers identical.
load helpers

setup_file() {
	if ! command -v parallel >/dev/null; then
		skip_file "no GNU parallel (scripts/deps installs it)"
		return 0
	fi
	local d=$BATS_FILE_TMPDIR
	"$TALLY_ROOT/scripts/gen-sales" 60000 | awk -F'\t' -v OFS='\t' 'NR > 1 { $1 = (NR % 2 ? "2026-10" : "2026-11") substr($1, 8) } { print }' >"$d/all.tsv"
	awk -F'\t' 'NR == 1 || $1 ~ /^2026-10/' "$d/all.tsv" >"$d/sales-2026-10.tsv"
	awk -F'\t' 'NR == 1 || $1 ~ /^2026-11/' "$d/all.tsv" >"$d/sales-2026-11.tsv"
	printf 'match\ttier\tpayee\tshare\tcap\n*\t1\tMara\t15%%\n*\t2\tAna\t50%%\n*\t2\tBen\t50%%\nLanterns (*\t1\tOrchard Records\t100%%\t500.00 USD\nLanterns (*\t2\tAna\t50%%\nLanterns (*\t2\tBen\t50%%\n' >"$d/agreements.tsv"
	# the README's one-machine recipe: the sh block after its heading
	awk '/^## Past one machine/ { on = 1 } on && /^```sh$/ { code = 1; next } code && /^```$/ { exit } code' \
		"$TALLY_ROOT/README.md" | grep -v '^m=' >"$d/recipe.sh"
}

# run_month M: the recipe in $T/many, one process in $T/one
run_month() {
	local m=$1 d=$BATS_FILE_TMPDIR
	(cd "$T/many" && rm -rf part && m=$m bash -e "$d/recipe.sh" >"out-$m" 2>"err-$m")
	(cd "$T/one" && tally-split -a agreements.tsv "sales-$m.tsv" |
		tally-report -l payouts.ledger -p "$m" --out-dir statements >"out-$m" 2>"err-$m")
}

@test "the recipe holds the commands the README shows, and tally.7 shows the same" {
	local d=$BATS_FILE_TMPDIR
	[ "$(wc -l <"$d/recipe.sh")" -eq 5 ]
	grep -q '^parallel --will-cite -j2 ' "$d/recipe.sh"
	grep -q '^tally-report -l payouts.ledger -p \$m --out-dir statements part/\*.alloc$' "$d/recipe.sh"
	# each command line of the recipe is in tally.7 (roff escapes undone)
	sed 's/\\e/\\/g; s/\\(em/--/g' "$TALLY_ROOT/man/tally.7" >"$T/page"
	while IFS= read -r line; do
		case $line in '#'*) continue ;; esac
		grep -qxF -- "$line" "$T/page" || { echo "not in tally.7: $line"; return 1; }
	done <"$d/recipe.sh"
}

@test "parallel -j2 over 8 partitions: statements, ledger and seal byte-identical to one process, two months" {
	local d=$BATS_FILE_TMPDIR
	mkdir "$T/one" "$T/many"
	cp "$d"/sales-2026-1?.tsv "$d/agreements.tsv" "$T/one/"
	cp "$d"/sales-2026-1?.tsv "$d/agreements.tsv" "$T/many/"
	run_month 2026-10
	[ "$(ls "$T/many/part" | grep -c '\.alloc$')" -eq 8 ]
	[ -s "$T/one/payouts.ledger" ]
	run_month 2026-11
	rm -rf "$T/many/part"
	diff -r -x 'err-*' "$T/one" "$T/many"
	[ "$(ls "$T/one/statements" | wc -l)" -ge 8 ]
	grep -q 'Orchard Records' "$T/one/payouts.ledger"
	# and the books balance: --check of the merged partials is the whole's
	cd "$T/many"
	mkdir p
	tally partition --by product --count 8 --output p/ sales-2026-10.tsv
	parallel --will-cite -j2 "tally-split -a agreements.tsv {} | tally-report --partial -c > {.}.partial" ::: p/*.tsv
	run --separate-stderr tally-report --merge -c p/*.partial
	[ "$status" -eq 0 ]
	[ "$output" = "$(tally-split -a agreements.tsv sales-2026-10.tsv | tally-report -c)" ]
}
