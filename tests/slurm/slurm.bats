#!/usr/bin/env bats
# slurm.bats - the README's Slurm recipe (a job array over the partitions,
# then a dependent merge job), submitted with sbatch --wait to a one-node
# Slurm that tests/slurm/cluster starts on localhost for this file.
#
# Plan: 40 000 generated sales over two months, agreements with a capped
# tier on one product (as parallel.bats); the recipe's lines taken from
# the README block, and tally.7 showing the same; each month's statements,
# ledger and seal byte-identical to one tally-split | tally-report run's;
# a partition with a bad amount fails its array task, so the merge is
# cancelled and neither ledger nor statements appear, and sbatch --wait
# returns (no hang).  Every sbatch runs under timeout(1).  Skipped, with
# the reason, when Slurm is absent or its daemons cannot start here.
TALLY_ROOT=${TALLY_ROOT:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
load ../helpers

WAIT_S=${TALLY_SLURM_WAIT_S:-180}

setup_file() {
	local d=$BATS_FILE_TMPDIR rc=0
	"$TALLY_ROOT/tests/slurm/cluster" start "$d/cluster" >"$d/env" 2>"$d/why" || rc=$?
	if [ $rc -ne 0 ]; then
		skip_file "no one-node Slurm here: $(cat "$d/why")"
		return 0
	fi
	. "$d/env"
	export SLURM_CONF
	"$TALLY_ROOT/scripts/gen-sales" 40000 | awk -F'\t' -v OFS='\t' 'NR > 1 { $1 = (NR % 2 ? "2026-10" : "2026-11") substr($1, 8) } { print }' >"$d/all.tsv"
	awk -F'\t' 'NR == 1 || $1 ~ /^2026-10/' "$d/all.tsv" >"$d/sales-2026-10.tsv"
	awk -F'\t' 'NR == 1 || $1 ~ /^2026-11/' "$d/all.tsv" >"$d/sales-2026-11.tsv"
	printf 'match\ttier\tpayee\tshare\tcap\n*\t1\tMara\t15%%\n*\t2\tAna\t50%%\n*\t2\tBen\t50%%\nLanterns (*\t1\tOrchard Records\t100%%\t500.00 USD\nLanterns (*\t2\tAna\t50%%\nLanterns (*\t2\tBen\t50%%\n' >"$d/agreements.tsv"
	# the README's Slurm recipe: the sh block after its heading
	awk '/^On a Slurm cluster/ { on = 1 } on && /^```sh$/ { code = 1; next } code && /^```$/ { exit } code' \
		"$TALLY_ROOT/README.md" >"$d/recipe.sh"
}

teardown_file() {
	"$TALLY_ROOT/tests/slurm/cluster" stop "$BATS_FILE_TMPDIR/cluster"
}

# in_folder DIR: DIR with the month's inputs and the source tree's scripts/
in_folder() {
	mkdir -p "$1"
	cp "$BATS_FILE_TMPDIR"/sales-2026-1?.tsv "$BATS_FILE_TMPDIR/agreements.tsv" "$1/"
	ln -s "$TALLY_ROOT/scripts" "$1/scripts"
}

# run_recipe M: the recipe for month M in the current folder, bounded in time
run_recipe() {
	rm -rf part && mkdir part
	m=$1 timeout "$WAIT_S" bash -e "$BATS_FILE_TMPDIR/recipe.sh"
}

@test "the recipe holds the commands the README shows, and tally.7 shows the same" {
	local d=$BATS_FILE_TMPDIR
	[ "$(grep -vc '^#' "$d/recipe.sh")" -eq 4 ]
	grep -q '^map=$(sbatch --parsable --array=0-7 scripts/slurm/map.sbatch ' "$d/recipe.sh"
	grep -q '^merge=$(sbatch --parsable --wait --dependency=afterok:$map --kill-on-invalid-dep=yes scripts/slurm/merge.sbatch ' "$d/recipe.sh"
	grep -q "^scontrol -o show job \"\$merge\" | grep -q ' JobState=COMPLETED '\$" "$d/recipe.sh"
	sed 's/\\e/\\/g; s/\\(em/--/g' "$TALLY_ROOT/man/tally.7" >"$T/page"
	while IFS= read -r line; do
		grep -qxF -- "$line" "$T/page" || { echo "not in tally.7: $line"; return 1; }
	done <"$d/recipe.sh"
}

@test "sbatch --wait: a job array and its merge give one process's statements, ledger and seal, two months" {
	in_folder "$T/many"
	in_folder "$T/one"
	local m
	for m in 2026-10 2026-11; do
		(cd "$T/many" && run_recipe $m >"out-$m" 2>"err-$m") || { cat "$T/many/err-$m" "$T"/many/slurm-*.out; return 1; }
		mv "$T"/many/slurm-tally-merge-*.out "$T/many/merge-$m"
		(cd "$T/one" && tally-split -a agreements.tsv "sales-$m.tsv" |
			tally-report -l payouts.ledger -p "$m" --out-dir statements >"out-$m" 2>"err-$m")
	done
	# eight array tasks ran and left their allocations, the merge its log
	[ "$(ls "$T/many/part" | grep -c '\.alloc$')" -eq 8 ]
	[ "$(ls "$T/many" | grep -c '^slurm-tally-map-.*\.out$')" -eq 16 ]
	# the map tasks said nothing, the merge what tally-report says
	cat "$T"/many/slurm-tally-map-*.out | { ! grep .; }
	diff "$T/one/out-2026-10" "$T/many/merge-2026-10"
	diff "$T/one/out-2026-11" "$T/many/merge-2026-11"
	[ -s "$T/one/payouts.ledger" ]
	grep -q 'Orchard Records' "$T/one/payouts.ledger"
	[ "$(ls "$T/one/statements" | wc -l)" -ge 8 ]
	[ ! -s "$T/many/out-2026-10" ] && [ ! -s "$T/many/out-2026-11" ]
	rm -rf "$T/many/part" "$T"/many/slurm-*.out "$T"/many/merge-* "$T"/{one,many}/{err,out}-*
	diff -r "$T/one" "$T/many"
}

@test "a failing array task cancels the merge: sbatch --wait returns non-zero, no ledger, no statements" {
	in_folder "$T/w"
	cd "$T/w"
	# one sale with a bad amount: its product's partition fails to split
	awk -F'\t' -v OFS='\t' 'NR == 2 { $14 = "12,3x" } { print }' sales-2026-10.tsv >bad.tsv
	mv bad.tsv sales-2026-10.tsv
	run run_recipe 2026-10
	[ "$status" -ne 0 ]
	[ "$status" -ne 124 ]
	[ ! -e payouts.ledger ]
	[ ! -e statements ]
	grep -q 'is not an amount' slurm-tally-map-*.out
	# the controller holds no job of ours any more
	[ -z "$(squeue -h -o %i)" ]
}

# alive PID: the process runs (a zombie, left to an init that does not reap, does not)
alive() {
	[ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z ' "/proc/$1/stat"
}

@test "tests/slurm/cluster: a kill -9 of the whole process group that started it stops its daemons" {
	setsid bash -c '"$0" start "$1" >/dev/null 2>&1; sleep 600' \
		"$TALLY_ROOT/tests/slurm/cluster" "$T/c" </dev/null >/dev/null 2>&1 3>&- &
	local leader=$! i p pids=""
	for i in $(seq 120); do
		[ -s "$T/c/run/slurmd.pid" ] && break
		sleep 0.5
	done
	pids=$(cat "$T"/c/run/munged.pid "$T"/c/run/slurmctld.pid "$T"/c/run/slurmd.pid)
	[ "$(echo $pids | wc -w)" -eq 3 ]
	for p in $pids; do alive "$p"; done
	kill -9 -- "-$leader"
	for i in $(seq 60); do
		for p in $pids; do alive "$p" && break; done
		alive "$p" || break
		sleep 0.5
	done
	for p in $pids; do ! alive "$p"; done
}
