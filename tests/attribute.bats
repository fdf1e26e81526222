#!/usr/bin/env bats
# tally-attribute: black-box cases with exact stdout, stderr and status.
# Plan: --help/--version and usage errors; the man page's worked example
# (weights, a per-kind cap, an alias, a ref read twice) as shares,
# agreements and --explain; the pipeline contributions -> --pool ->
# tally-split -> tally-report paying each contributor exactly; --budget ->
# tally-report --check; order independence (the rows reversed give the
# same bytes); --cap, --min-share, --diff, --method time with a
# membership; the git reader on a repository the test builds (co-authors,
# .mailmap, a merge skipped, --lines, a log on stdin); an all-contributors
# file; the credits page (md, html escaped); then every bad input with its
# exact message and status; nosuch.tsv; >/dev/full.
load helpers

F=$BATS_TEST_DIRNAME/fixtures/attribute
HDR=$'date\tcontributor\tkind\tproject\tamount'
DUP='tally-attribute: counted once 1 row repeating a (project, contributor, kind, ref)'

# contributions FILE ROW...: a contributions stream with the short header.
contributions() {
	local file=$1
	shift
	printf '%s\n' "$HDR" "$@" >"$file"
}

@test "--help prints the usage on stdout" {
	run --separate-stderr tally-attribute --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: tally-attribute [-m METHOD] [-w WEIGHTS] [--as-of DATE] [--half-life DAYS]" ]
	[ "${lines[9]}" = "       tally-attribute --help | --version" ]
	[ -z "$stderr" ]
	assert_line "  -M, --map MAPPING       read FILEs, any CSV/TSV export, through a contributions"
	assert_line "  -h, --help              this help"
	# every long option of the command is explained here and in the man page
	src=$BATS_TEST_DIRNAME/../cmd/tally-attribute.c
	man=$BATS_TEST_DIRNAME/../man/tally-attribute.1
	opts=$(sed -n '/longopts\[\] = {/,/NULL, 0, NULL, 0/p' "$src" | grep -o '{"[a-z-]*"' | tr -d '{"')
	[ "$(printf '%s\n' "$opts" | wc -l)" -ge 30 ]
	page=$(mandoc -Tascii "$man" | col -b)
	for o in $opts; do
		printf '%s\n' "$output" | grep -q -- "--$o\b" || { echo "--$o is not in --help"; false; }
		printf '%s\n' "$page" | grep -q -- "--$o\b" || { echo "--$o is not in the man page"; false; }
	done
	# and --help's usage is the SYNOPSIS: two forms, as the page renders them
	[ "$(printf '%s\n' "$page" | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | grep -c '^     tally-attribute ')" -eq 2 ]
}

@test "--version" {
	run --separate-stderr tally-attribute --version
	[ "$status" -eq 0 ]
	[ "$output" = "tally-attribute (tally) 0.1.0" ]
}

@test "tally --help lists attribute" {
	run --separate-stderr tally --help
	[ "$status" -eq 0 ]
	assert_line --partial "  attribute  contributions -> exact shares, split agreements, credits"
}

@test "usage errors" {
	run --separate-stderr tally-attribute --half-life 30 "$F/contributions.tsv"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "tally-attribute: --half-life needs --as-of DATE" ]
	run --separate-stderr tally-attribute --method nosuch "$F/contributions.tsv"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = 'tally-attribute: --method: "nosuch" is not points, time, graph, shapley, markov or peer' ]
	run --separate-stderr tally-attribute --cap 120% "$F/contributions.tsv"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = 'tally-attribute: --cap: "120%" is not a share above 0 and at most 1 (10%, 1/8, 0.05)' ]
	run --separate-stderr tally-attribute --budget 100 "$F/contributions.tsv"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = 'tally-attribute: --budget: "100" is not AMOUNT CUR (500.00 USD)' ]
	run --separate-stderr tally-attribute --pool community "$F/contributions.tsv"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "tally-attribute: --pool PAYEE and --agreements FILE go together" ]
	run --separate-stderr tally-attribute --format pdf "$F/contributions.tsv"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = 'tally-attribute: --format: "pdf" is not shares, agreements, credits, md or html' ]
}

@test "example: shares with weights, a per-kind cap and an alias" {
	run --separate-stderr tally-attribute -w "$F/weights.tsv" -A "$F/aliases.tsv" "$F/contributions.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'project\tcontributor\tshare\tpoints\tevidence' \
		$'Lanterns\tana\t3/5\t9\t2' $'Lanterns\tcat\t1/5\t3\t1' $'Lanterns\tben\t2/15\t2\t1' \
		$'Lanterns\tdee\t1/15\t1\t1')" ]
	[ "$stderr" = "$DUP" ]
}

@test "example: --explain says why" {
	run --separate-stderr tally-attribute -w "$F/weights.tsv" -A "$F/aliases.tsv" -e "$T/why.tsv" \
		-o "$T/shares.tsv" "$F/contributions.tsv"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(cat "$T/why.tsv")" = "$(printf '%s\n' \
		$'project\tcontributor\tkind\traw\tdecayed\tcut\tpoints\tshare\tcontributions\tdays\tflags' \
		$'Lanterns\tana\tcode\t9\t9\t0\t\t\t2\t\t' \
		$'Lanterns\tana\t*\t9\t9\t0\t9\t3/5\t2\t2\tthin,merged' \
		$'Lanterns\tcat\ttranslation\t3\t3\t0\t\t\t1\t\t' \
		$'Lanterns\tcat\t*\t3\t3\t0\t3\t1/5\t1\t1\tthin' \
		$'Lanterns\tben\treview\t2\t2\t0\t\t\t1\t\t' \
		$'Lanterns\tben\t*\t2\t2\t0\t2\t2/15\t1\t1\tthin' \
		$'Lanterns\tdee\tquestion\t2\t1\t1\t\t\t1\t\t' \
		$'Lanterns\tdee\t*\t2\t1\t1\t1\t1/15\t1\t1\tthin,flood')" ]
	[ "$(wc -l <"$T/shares.tsv")" -eq 5 ]
}

@test "--format agreements: tally-split accepts them and each project's tier is 100%" {
	run --separate-stderr tally-attribute -f agreements -w "$F/weights.tsv" -A "$F/aliases.tsv" "$F/contributions.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'match\ttier\tpayee\tshare' $'Lanterns\t1\tana\t3/5' \
		$'Lanterns\t1\tcat\t1/5' $'Lanterns\t1\tben\t2/15' $'Lanterns\t1\tdee\t1/15')" ]
	printf '%s\n' "$output" >"$T/a.tsv"
	run --separate-stderr bash -c "tally-split -a '$T/a.tsv' '$F/sales.tsv' | cut -f 10,14"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'payee\tamount' $'ana\t9.00' $'cat\t3.00' $'ben\t2.00' $'dee\t1.00' \
		$'ana\t4.50' $'cat\t1.50' $'ben\t1.00' $'dee\t0.50')" ]
}

@test "pipeline: contributions -> --pool -> tally-split -> tally-report pays each contributor exactly" {
	run --separate-stderr tally-attribute -w "$F/weights.tsv" -A "$F/aliases.tsv" \
		--pool community --agreements "$F/agreements.tsv" "$F/contributions.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' '# Lanterns: the band 90%, the community pool 10%' \
		$'match\ttier\tpayee\tshare\tnote' $'Lanterns\t1\tAna Band\t90%\t' \
		$'Lanterns\t1\tana\t3/50\tpaid by tally-attribute --pool' \
		$'Lanterns\t1\tcat\t1/50\tpaid by tally-attribute --pool' \
		$'Lanterns\t1\tben\t1/75\tpaid by tally-attribute --pool' \
		$'Lanterns\t1\tdee\t1/150\tpaid by tally-attribute --pool')" ]
	printf '%s\n' "$output" >"$T/pooled.tsv"
	# 22.50 of sales: the pool's 2.25 goes 3/5, 1/5, 2/15, 1/15.
	run --separate-stderr bash -c "set -o pipefail; tally-split -a '$T/pooled.tsv' '$F/sales.tsv' |
		tally-report -f tsv | awk -F '\t' '\$5 == \"earned_total\" {print \$2 \"\t\" \$8}'"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'Ana Band\t20.25' $'ana\t1.35' $'ben\t0.30' $'cat\t0.45' $'dee\t0.15')" ]
	run --separate-stderr bash -c "tally-split -a '$T/pooled.tsv' '$F/sales.tsv' | tally-report -c"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = $'2026-10\tUSD\t22.50\t22.50\t22.50\t0.00\tok' ]
}

@test "--pool: an agreements file without the pool payee, or a match without contributions" {
	run --separate-stderr tally-attribute --pool nobody -a "$F/agreements.tsv" "$F/contributions.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: $F/agreements.tsv: no row has the payee \"nobody\" given to --pool" ]
	printf 'match\tpayee\tshare\nOther\tcommunity\t10%%\nOther\tx\t90%%\n' >"$T/a.tsv"
	run --separate-stderr tally-attribute --pool community -a "$T/a.tsv" "$F/contributions.tsv"
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "tally-attribute: $T/a.tsv:2: column \"match\": \"Other\" has no contributions (projects are agreements' matches)" ]
	printf 'match\tpayee\tshare\nLanterns\tana\t90%%\nLanterns\tcommunity\t10%%\n' >"$T/a.tsv"
	run --separate-stderr tally-attribute -A "$F/aliases.tsv" --pool community -a "$T/a.tsv" "$F/contributions.tsv"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = 'tally-attribute: the agreements with the pool filled would not be accepted by tally-split: line 4 of the output: payee "ana" appears twice in tier 1 (lines 2 and 4)' ]
	printf 'match\tpayee\tshare\nLanterns\tcommunity\t1\n' >"$T/a.tsv"
	run --separate-stderr tally-attribute --pool community -a "$T/a.tsv" "$F/contributions.tsv"
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "tally-attribute: $T/a.tsv:2: column \"share\": \"1\" is a plain weight: a pool is a percentage or a fraction" ]
}

@test "--budget: an allocations stream tally-report checks and pays" {
	run --separate-stderr tally-attribute -w "$F/weights.tsv" -A "$F/aliases.tsv" --budget '100.00 USD' \
		--as-of 2026-10-31 "$F/contributions.tsv"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = $'date\tsource\torder\tline\tproduct\tkind\tcurrency\tnet\tpayee\ttier\tagreement\tshare\tamount' ]
	[ "${lines[1]}" = $'2026-10-31\ttally-attribute\tLanterns\t1\tLanterns\tadjustment\tUSD\t100.00\tana\t1\t0\t0.6\t60.00' ]
	[ "$(printf '%s\n' "$output" | cut -f 9,13 | tail -n +2)" = "$(printf '%s\n' $'ana\t60.00' \
		$'cat\t20.00' $'ben\t13.333333' $'dee\t6.666667')" ]
	printf '%s\n' "$output" >"$T/alloc.tsv"
	run --separate-stderr tally-report -c "$T/alloc.tsv"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = $'2026-10\tUSD\t100.00\t100.00\t99.99\t0.01\tok' ]
}

@test "--budget paid by tally-report: each TSV statement line is about its payee; the batch totals come once" {
	tally-attribute -w "$F/weights.tsv" -A "$F/aliases.tsv" --budget '100.00 USD' --as-of 2026-10-31 \
		"$F/contributions.tsv" >"$T/alloc.tsv" 2>/dev/null
	run --separate-stderr tally-report "$T/alloc.tsv"
	[ "$status" -eq 0 ]
	# Ana's statement holds Ana's figures only (it once ended with the batch's
	# period_earned 100.00, as if she had earned it, and so did every other one)
	[ "$(grep -P '^2026-10/0001\t' <<<"$output" | cut -f2,5,8 | tr '\t\n' ' |')" = \
		"ana brought_forward 0.00|ana earned 60.00|ana earned_total 60.00|ana paid 60.00|ana carried_forward 0.00|" ]
	[ "$(grep -c period_ <<<"$output")" -eq 4 ]
	[ "$(grep -P '^\t\t' <<<"$output" | cut -f3-5,8 | tr '\t\n' ' |')" = \
		"2026-10 USD period_brought_forward 0.00|2026-10 USD period_earned 100.00|2026-10 USD period_paid 99.99|2026-10 USD period_carried_forward 0.01|" ]
	# the batch rows are the last: every statement first, then its period's totals
	[ "$(tail -n 4 <<<"$output" | cut -f1,2 | sort -u)" = $'\t' ]
}

@test "order independence: the rows reversed give the same bytes" {
	(head -1 "$F/contributions.tsv"; tail -n +2 "$F/contributions.tsv" | tac) >"$T/rev.tsv"
	for fmt in shares agreements md; do
		a=$(tally-attribute -w "$F/weights.tsv" -A "$F/aliases.tsv" -f $fmt -e "$T/e1" "$F/contributions.tsv" 2>/dev/null)
		b=$(tally-attribute -w "$F/weights.tsv" -A "$F/aliases.tsv" -f $fmt -e "$T/e2" "$T/rev.tsv" 2>/dev/null)
		[ "$a" = "$b" ]
		cmp "$T/e1" "$T/e2"
	done
}

@test "--cap and --min-share: exact redistribution" {
	contributions "$T/c.tsv" $'2026-10-01\ta\tcode\tp\t6' $'2026-10-01\tb\tcode\tp\t3' $'2026-10-01\tc\tcode\tp\t1'
	run --separate-stderr tally-attribute --cap 40% "$T/c.tsv"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f 2,3 | tail -n +2 | tr '\n' ' ')" = $'a\t2/5 b\t2/5 c\t1/5 ' ]
	run --separate-stderr tally-attribute --min-share 15% "$T/c.tsv"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f 2,3 | tail -n +2 | tr '\n' ' ')" = $'a\t2/3 b\t1/3 ' ]
	[ "$stderr" = "tally-attribute: left out 1 contributor below --min-share (their share went to the others)" ]
	run --separate-stderr tally-attribute --cap 30% "$T/c.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = 'tally-attribute: project "p": --cap leaves a part no contributor may take (3 capped)' ]
}

@test "--diff: the change of each share against an earlier run" {
	tally-attribute "$F/contributions.tsv" >"$T/old.tsv" 2>/dev/null
	run --separate-stderr tally-attribute -w "$F/weights.tsv" -A "$F/aliases.tsv" --diff "$T/old.tsv" "$F/contributions.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'project\tcontributor\told\tnew\tchange' \
		$'Lanterns\tana\t1/11\t3/5\t+28/55' $'Lanterns\tana-gh\t2/11\t0/1\t-2/11' \
		$'Lanterns\tben\t1/11\t2/15\t+7/165' $'Lanterns\tcat\t3/11\t1/5\t-4/55' \
		$'Lanterns\tdee\t4/11\t1/15\t-49/165')" ]
}

@test "--method time: sqrt of months x weighting, from a membership file" {
	printf 'contributor\tfrom\tto\tweighting\nana\t2026-01\t2026-09\t1\nben\t2026-07\t\t0.25\n' >"$T/m.tsv"
	contributions "$T/c.tsv" $'2026-10-01\tana\tcode\tp\t1' $'2026-10-01\tben\tdoc\tp\t1' $'2026-10-01\tcat\tdoc\tp\t1'
	run --separate-stderr tally-attribute -m time --membership "$T/m.tsv" --as-of 2026-10-31 "$T/c.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'project\tcontributor\tshare\tpoints\tevidence' \
		$'p\tana\t3/5\t3\t1' $'p\tben\t1/5\t1\t1' $'p\tcat\t1/5\t1\t1')" ]
}

# A repository with a co-authored commit, a .mailmap joining two e-mails
# of one person, and a merge.
make_repo() {
	local r=$T/lanterns-site
	git init -q -b main "$r"
	export GIT_AUTHOR_DATE=2026-10-01T10:00:00Z GIT_COMMITTER_DATE=2026-10-01T10:00:00Z
	gc() { git -C "$r" -c user.name="$1" -c user.email="$2" commit -q "${@:3}"; }
	echo one >"$r/a"
	git -C "$r" add a
	gc Ana ana@old.example -m first
	printf 'one\ntwo\nthree\n' >"$r/a"
	git -C "$r" add a
	GIT_AUTHOR_DATE=2026-10-02T10:00:00Z gc Ben ben@example.org -m "two lines" -m "Co-authored-by: Cat <cat@example.org>
Co-authored-by: Ana L <ana@old.example>
Co-authored-by: Ben <ben@example.org>"
	git -C "$r" checkout -q -b side
	echo b >"$r/b"
	git -C "$r" add b
	gc Cat cat@example.org -m side
	git -C "$r" checkout -q main
	git -C "$r" -c user.name=Ben -c user.email=ben@example.org merge -q --no-ff side -m merge
	printf '%s\n' 'Ana Lima <ana@example.org>' 'Ana Lima <ana@example.org> <ana@old.example>' >"$r/.mailmap"
	git -C "$r" add .mailmap
	gc Ana ana@example.org -m mailmap
}

@test "--git: co-authors credited, .mailmap honoured, merges skipped, the repository's name" {
	make_repo
	run --separate-stderr tally-attribute --git "$T/lanterns-site" -e "$T/why.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'project\tcontributor\tshare\tpoints\tevidence' \
		$'lanterns-site\tAna Lima\t1/2\t3\t3' $'lanterns-site\tCat\t1/3\t2\t2' $'lanterns-site\tBen\t1/6\t1\t1')" ]
	[ -z "$stderr" ]
	run --separate-stderr tally-attribute --git "$T/lanterns-site" --lines -P site
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'project\tcontributor\tshare\tpoints\tevidence' \
		$'site\tAna Lima\t1/2\t5\t3' $'site\tCat\t3/10\t3\t2' $'site\tBen\t1/5\t2\t1')" ]
}

@test "--git: a folder that is not a repository, a repository without commits" {
	run --separate-stderr tally-attribute --git "$T/nosuch"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[1]}" = "tally-attribute: 'git -C $T/nosuch rev-parse --show-toplevel' failed (status 128)" ]
	git init -q "$T/empty"
	run --separate-stderr tally-attribute --git "$T/empty"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[1]}" = "tally-attribute: 'git -C $T/empty -c log.showSignature=false log --no-merges --no-color --format=...' failed (status 128)" ]
}

@test "--git -: a log of the documented format on standard input" {
	make_repo
	git -C "$T/lanterns-site" log --no-merges \
		'--format=%x1e%H%x09%aI%x09%aN%x09%aE%n%(trailers:key=Co-authored-by,valueonly,unfold)' >"$T/log"
	run --separate-stderr tally-attribute --git - --project site <"$T/log"
	[ "$status" -eq 0 ]
	# Without the repository the co-author's old e-mail is not mapped.
	[ "$output" = "$(printf '%s\n' $'project\tcontributor\tshare\tpoints\tevidence' \
		$'site\tAna Lima\t1/3\t2\t2' $'site\tCat\t1/3\t2\t2' $'site\tAna L\t1/6\t1\t1' $'site\tBen\t1/6\t1\t1')" ]
	run --separate-stderr bash -c "echo 'not a log' | tally-attribute --git - --project site"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: <stdin>:1: text before the first commit: not the git reader's format (see tally-attribute(1))" ]
}

@test "--all-contributors: one row per contributor per contribution type" {
	run --separate-stderr tally-attribute --all-contributors "$F/all-contributorsrc" --as-of 2026-10-31 \
		-w "$F/weights.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: $F/all-contributorsrc: column \"kind\": \"doc\" has no weight in the weights file" ]
	run --separate-stderr tally-attribute --all-contributors "$F/all-contributorsrc" --as-of 2026-10-31
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'project\tcontributor\tshare\tpoints\tevidence' \
		$'lanterns\tana\t1/2\t3\t3' $'lanterns\tbenw\t1/3\t2\t2' $'lanterns\tO\x27Hara & co\t1/6\t1\t1')" ]
}

@test "--format md and html: the credits page, escaped" {
	run --separate-stderr tally-attribute --all-contributors "$F/all-contributorsrc" --as-of 2026-10-31 -f md
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' '# Contributors' '' '## lanterns' '' "- **O'Hara & co**: question 1" \
		'- **ana**: code 1, design 1, doc 1' '- **benw**: review 1, translation 1')" ]
	run --separate-stderr tally-attribute --all-contributors "$F/all-contributorsrc" --as-of 2026-10-31 -f html
	[ "$status" -eq 0 ]
	assert_line '<li><strong>O&#39;Hara &amp; co</strong>: question 1</li>'
	assert_line '<h2>lanterns</h2>'
}

@test "bad input: exact messages naming file, line and column" {
	contributions "$T/c.tsv" $'2026-10-01\tana\tcode\tp\t1' $'2026-10-01\tben\ttalk\tp\t1'
	run --separate-stderr tally-attribute -w "$F/weights.tsv" "$T/c.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: $T/c.tsv:3: column \"kind\": \"talk\" has no weight in the weights file" ]
	contributions "$T/c.tsv" $'2026-10-01\tana\tcode\tp\t-2'
	run --separate-stderr tally-attribute "$T/c.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: $T/c.tsv:2: column \"amount\": \"-2\" is negative" ]
	contributions "$T/c.tsv" $'2026-13-01\tana\tcode\tp\t1'
	run --separate-stderr tally-attribute "$T/c.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: $T/c.tsv:2: column \"date\": \"2026-13-01\" is not a date (YYYY-MM-DD or ISO 8601)" ]
	contributions "$T/c.tsv" $'2026-10-01\t\tcode\tp\t1'
	run --separate-stderr tally-attribute "$T/c.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: $T/c.tsv:2: column \"contributor\": is empty" ]
	contributions "$T/c.tsv" $'2026-10-01\tana\tcode\tp\t1x'
	run --separate-stderr tally-attribute "$T/c.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: $T/c.tsv:2: column \"amount\": \"1x\" is not an amount" ]
	printf 'date\tcontributor\tproject\n' >"$T/c.tsv"
	run --separate-stderr tally-attribute "$T/c.tsv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-attribute: $T/c.tsv: missing column \"kind\" (header: date, contributor, project)" ]
	printf '%s\n' "$HDR" >"$T/c.tsv"
	run --separate-stderr tally-attribute "$T/c.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: no contributions to share: the input has no rows after its header" ]
}

@test "no contributions: the message says what left the rows out" {
	contributions "$T/c.tsv" $'2026-11-02\tana\tcode\tp\t1' $'2026-10-02\tben\tbot\tp\t1' $'2026-10-03\tcat\tbot\tp\t1'
	printf 'kind\tweight\ncode\t1\nbot\t0\n' >"$T/w.tsv"
	run --separate-stderr tally-attribute -w "$T/w.tsv" --as-of 2026-10-31 "$T/c.tsv"
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "tally-attribute: no contributions to share: 3 rows read, all left out: 1 dated after --as-of 2026-10-31, 2 of kinds that weigh 0" ]
	contributions "$T/c.tsv" $'2026-09-02\tana\tcode\tp\t1'
	run --separate-stderr tally-attribute --policy immediate --as-of 2026-10-31 "$T/c.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: no contributions to share: 1 row read, all left out: 1 dated before 2026-10 (--policy immediate)" ]
}

@test "bad side files: a cycle of aliases, an alias of two payees, a bad weight, a kind twice" {
	printf 'alias\tpayee\nana-gh\tana\nana\tana@x\nana@x\tana-gh\n' >"$T/al.tsv"
	run --separate-stderr tally-attribute -A "$T/al.tsv" "$F/contributions.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: $T/al.tsv:4: column \"alias\": \"ana@x\" -> \"ana-gh\" closes a cycle of aliases" ]
	# one handle given to two people is a conflict, not a guess
	printf 'alias\tpayee\nana-gh\tana\nben\tben-gh\nana-gh\tana-lima\n' >"$T/al.tsv"
	run --separate-stderr tally-attribute -A "$T/al.tsv" "$F/contributions.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: $T/al.tsv:4: column \"alias\": \"ana-gh\" is already an alias of \"ana\" (line 2)" ]
	printf 'kind\tweight\ncode\tthree\n' >"$T/w.tsv"
	run --separate-stderr tally-attribute -w "$T/w.tsv" "$F/contributions.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: $T/w.tsv:2: column \"weight\": \"three\" is not a weight (a number >= 0, up to 6 decimals)" ]
	printf 'kind\tweight\ncode\t1\n\ncode\t2\n' >"$T/w.tsv"
	run --separate-stderr tally-attribute -w "$T/w.tsv" "$F/contributions.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: $T/w.tsv:4: column \"kind\": \"code\" is given twice (first on line 2)" ]
}

@test "rows left out are counted: after --as-of, kinds weighing 0" {
	contributions "$T/c.tsv" $'2026-10-01\tana\tcode\tp\t1' $'2026-11-01\tben\tcode\tp\t1' $'2026-10-01\tcat\tbot\tp\t1'
	printf 'kind\tweight\ncode\t1\nbot\t0\n' >"$T/w.tsv"
	run --separate-stderr tally-attribute -w "$T/w.tsv" --as-of 2026-10-31 "$T/c.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'project\tcontributor\tshare\tpoints\tevidence' $'p\tana\t1/1\t1\t1')" ]
	[ "${stderr_lines[0]}" = "tally-attribute: left out 1 row dated after --as-of 2026-10-31" ]
	[ "${stderr_lines[1]}" = "tally-attribute: left out 1 row of kinds that weigh 0" ]
}

@test "nosuch.tsv and >/dev/full" {
	run --separate-stderr tally-attribute "$T/nosuch.tsv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-attribute: $T/nosuch.tsv: No such file or directory" ]
	run --separate-stderr bash -c "tally-attribute '$F/contributions.tsv' 2>&1 >/dev/full | grep -v 'counted once'"
	[ "$output" = "tally-attribute: write error: No space left on device" ]
}

@test "--method shapley: each path's value shared equally among its touches" {
	run --separate-stderr tally-attribute -m shapley -P Lanterns "$F/paths.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'project\tcontributor\tshare\tpoints\tevidence' \
		$'Lanterns\tana\t1/3\t20\t2' $'Lanterns\tblog\t1/3\t20\t2' $'Lanterns\tforum\t1/3\t20\t2')" ]
}

@test "--method markov: removal effects, shares exact" {
	run --separate-stderr tally-attribute -m markov "$F/paths.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'project\tcontributor\tshare\tpoints\tevidence' \
		$'*\tforum\t10811881/30000000\t21.623762\t2' $'*\tblog\t634901/1875000\t20.316832\t2' \
		$'*\tana\t3009901/10000000\t18.059406\t2')" ]
}

@test "--method markov: paths that never convert are an error, not shares" {
	printf 'path\tconversions\tvalue\tnull\na > b\t0\t0\t3\n' >"$T/p.tsv"
	run --separate-stderr tally-attribute -m markov "$T/p.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: $T/p.tsv: --method markov: no path converts: there is nothing to attribute" ]
	printf 'path\tconversions\tvalue\na >  > b\t1\t1\n' >"$T/p.tsv"
	run --separate-stderr tally-attribute -m shapley "$T/p.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: $T/p.tsv:2: column \"path\": \"a >  > b\" has an empty touch" ]
}

@test "--method graph --edges --seed: PageRank of a 3-cycle, the closed form 0.15/(1-0.85^3)" {
	run --separate-stderr tally-attribute -m graph --edges "$F/cycle-edges.tsv" --seed "$F/cycle-seed.tsv"
	[ "$status" -eq 0 ]
	# a = 0.15 / 0.385875 = 0.388726919339, b = 0.85 a, c = 0.85^2 a
	[ "$output" = "$(printf '%s\n' $'project\tcontributor\tshare\tpoints\tevidence' \
		$'*\ta\t388726919339/1000000000000\t388726.919339\t0' \
		$'*\tb\t330417881439/1000000000000\t330417.881439\t0' \
		$'*\tc\t140427599611/500000000000\t280855.199222\t0')" ]
	printf 'from\tto\tweight\n' >"$T/e.tsv"
	printf 'node\tweight\n' >"$T/s.tsv"
	run --separate-stderr tally-attribute -m graph --edges "$T/e.tsv" --seed "$T/s.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: $T/e.tsv, $T/s.tsv: --method graph: the graph is empty: no edge and no seed node" ]
	printf '%s\n' "$HDR" >"$T/c.tsv"
	run --separate-stderr tally-attribute -m graph "$T/c.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: --method graph: the graph is empty: the input has no rows after its header" ]
	printf 'from\tto\tweight\na\tb\t-1\n' >"$T/e.tsv"
	run --separate-stderr tally-attribute -m graph --edges "$T/e.tsv" --seed "$T/s.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: $T/e.tsv:2: column \"weight\": \"-1\" is negative" ]
}

@test "--method graph: credit flows from revenue through the contribution graph, then --pool" {
	run --separate-stderr tally-attribute -m graph -w "$F/weights.tsv" -A "$F/aliases.tsv" -P Lanterns \
		--revenue "$F/sales.tsv" -f agreements "$F/contributions.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'match\ttier\tpayee\tshare' \
		$'Lanterns\t1\tana\t11267762677/18639196204' $'Lanterns\t1\tcat\t41069415365/242309550652' \
		$'Lanterns\t1\tben\t27379610243/242309550652' $'Lanterns\t1\tdee\t27379610243/242309550652')" ]
	[ "$stderr" = "$DUP" ]
	printf '%s\n' "$output" >"$T/a.tsv"
	run --separate-stderr bash -c "tally-split -a '$T/a.tsv' '$F/sales.tsv' | tally-report -c"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = $'2026-10\tUSD\t22.50\t22.50\t22.49\t0.01\tok' ]
}

@test "--method peer: gifts from budgets, self-gifts refused, opt-outs and unallocated budget burnt" {
	run --separate-stderr tally-attribute -m peer --circle "$F/circle.tsv" "$F/gifts.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'project\tcontributor\tshare\tpoints\tevidence' \
		$'*\tana\t5/8\t100\t1' $'*\tben\t3/8\t60\t1' $'*\tcat\t0/1\t0\t0')" ]
	[ "$stderr" = "tally-attribute: burnt 130 points left unallocated and 10 given to members who opted out" ]
	printf 'period\tgiver\treceiver\tpoints\n2026-10\tana\tana\t60\n' >"$T/g.tsv"
	run --separate-stderr tally-attribute -m peer --circle "$F/circle.tsv" "$T/g.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: $T/g.tsv:2: a member cannot give to itself" ]
	printf 'period\tgiver\treceiver\tpoints\n2026-10\tana\tzed\t60\n' >"$T/g.tsv"
	run --separate-stderr tally-attribute -m peer --circle "$F/circle.tsv" "$T/g.tsv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: $T/g.tsv:2: column \"receiver\": \"zed\" is not a member of the circle" ]
	run --separate-stderr tally-attribute -m peer "$T/g.tsv"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "tally-attribute: --method peer needs --circle FILE" ]
}

@test "README recipe: the open-source project's month, pool filled from git and paid" {
	make_repo
	cd "$T/lanterns-site"
	printf 'alias\tpayee\nBen\tben-gh\n' >aliases.tsv
	printf 'match\tpayee\tshare\nlanterns-site\tAna Band\t90%%\nlanterns-site\tcommunity\t10%%\n' >agreements.tsv
	printf 'date\tsource\torder\tline\tproduct\tkind\tsale_date\tcurrency\tnet\n2026-10-10\tko-fi\t1\t1\tlanterns-site\ttip\t\tUSD\t60.00\n' >sales.tsv
	tally-attribute --git . --as-of 2026-10-31 --half-life 180 -t sqrt -A aliases.tsv \
		--pool community --agreements agreements.tsv -e why.tsv -o agreements-oct.tsv
	run --separate-stderr bash -c "tally-split -a agreements-oct.tsv sales.tsv | tally-report -c"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = $'2026-10\tUSD\t60.00\t60.00\t59.98\t0.02\tok' ]
	[ "$(grep -c $'^lanterns-site\t' agreements-oct.tsv)" -eq 4 ]
	grep -q $'^lanterns-site\tben-gh\t\\*\t' why.tsv
	tally-attribute --git . --as-of 2026-10-31 -f md >CONTRIBUTORS.md
	[ "$(head -1 CONTRIBUTORS.md)" = "# Contributors" ]
}

@test "--policy immediate: only the month of --as-of counts" {
	run --separate-stderr tally-attribute -w "$F/weights.tsv" -A "$F/aliases.tsv" --as-of 2026-11-30 \
		--policy immediate "$F/contributions.tsv" "$F/contributions-nov.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'project\tcontributor\tshare\tpoints\tevidence' \
		$'Lanterns\tana\t3/4\t3\t1' $'Lanterns\tdee\t1/4\t1\t1')" ]
	[ "$stderr" = "tally-attribute: left out 6 rows dated before 2026-11 (--policy immediate)" ]
}

@test "--policy balanced: November's budget goes to who is short of the lifetime share the ledger shows" {
	tally-attribute -w "$F/weights.tsv" -A "$F/aliases.tsv" --budget '100.00 USD' --as-of 2026-10-31 \
		"$F/contributions.tsv" 2>/dev/null >"$T/oct.tsv"
	tally-report -l "$T/ledger.tsv" -p 2026-10 "$T/oct.tsv" >/dev/null
	# Lifetime shares 12/19, 3/19, 2/19, 2/19 of 100.00 + 30.00, minus what October paid.
	run --separate-stderr bash -c "tally-attribute -w '$F/weights.tsv' -A '$F/aliases.tsv' --budget '30.00 USD' \
		--as-of 2026-11-30 --policy balanced --ledger '$T/ledger.tsv' '$F/contributions.tsv' \
		'$F/contributions-nov.tsv' | cut -f 9,13"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'payee\tamount' $'ana\t22.105265' $'cat\t0.526315' $'ben\t0.350877' \
		$'dee\t7.017543')" ]
	run --separate-stderr tally-attribute --policy balanced --as-of 2026-11-30 "$F/contributions.tsv"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "tally-attribute: --policy balanced and --ledger FILE go together" ]
}

@test "--policy balanced: what the ledger says was earned counts, also when a threshold held the payout back" {
	tally-attribute -w "$F/weights.tsv" -A "$F/aliases.tsv" --budget '100.00 USD' --as-of 2026-10-31 \
		"$F/contributions.tsv" 2>/dev/null >"$T/oct.tsv"
	# Only ana reaches the 50.00 minimum payout: the others earned in October but were paid nothing.
	tally-report --min-payout 50.00 -l "$T/ledger.tsv" -p 2026-10 "$T/oct.tsv" >"$T/st.tsv"
	[ "$(grep -v '^#' "$T/ledger.tsv" | cut -f 2,6,7 | head -5 | tr '\n' ' ')" = \
		$'payee\tearned\tpaid ana\t60.00\t60.00 ben\t13.333333\t0.00 cat\t20.00\t0.00 dee\t6.666667\t0.00 ' ]
	run --separate-stderr bash -c "tally-attribute -w '$F/weights.tsv' -A '$F/aliases.tsv' --budget '30.00 USD' \
		--as-of 2026-11-30 --policy balanced --ledger '$T/ledger.tsv' '$F/contributions.tsv' \
		'$F/contributions-nov.tsv' | cut -f 9,13"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' $'payee\tamount' $'ana\t22.105265' $'cat\t0.526315' $'ben\t0.350877' \
		$'dee\t7.017543')" ]
}

# shuffled IN OUT N: IN's header, then its rows in the N-th fixed shuffle.
shuffled() {
	(head -1 "$1"; tail -n +2 "$1" | shuf --random-source=<(yes "$3")) >"$2"
}

# same_bytes_shuffled CMD FILE...: CMD run on the FILEs and, three times,
# on every FILE shuffled (the placeholder @N in CMD is the N-th FILE)
# writes the same bytes to standard output and standard error.
same_bytes_shuffled() {
	local cmd=$1 run k i
	shift
	for k in 0 1 2 3; do
		run=$cmd
		i=0
		for f in "$@"; do
			i=$((i + 1))
			if [ "$k" -eq 0 ]; then cp "$f" "$T/in$i.tsv"; else shuffled "$f" "$T/in$i.tsv" "$k"; fi
			run=${run//@$i/$T/in$i.tsv}
		done
		bash -c "$run" >"$T/out$k" 2>"$T/err$k"
		[ -s "$T/out$k" ]
		if [ "$k" -gt 0 ]; then
			cmp "$T/out0" "$T/out$k"
			cmp "$T/err0" "$T/err$k"
			! cmp -s "$T/in1.tsv" "$1" || [ "$(wc -l <"$1")" -le 2 ]
		fi
	done
}

# Generated inputs, big enough that a sum taken in row order would show.
gen_contributions() {
	awk 'BEGIN { OFS = "\t"; print "date", "contributor", "kind", "project", "amount", "ref", "target"
		split("code review doc question", k, " ")
		for (i = 1; i <= 400; i++)
			print sprintf("2026-%02d-%02d", i % 10 + 1, i % 27 + 1), "p" (i * 7 % 23), k[i % 4 + 1], \
				"proj" (i % 3), (i % 5) + 0.25 * (i % 3), i % 3 ? "r" (i % 97) : "", i % 4 == 1 ? "p" (i % 11) : "" }' >"$1"
}

@test "order independence: every method, shuffled input, byte-identical output" {
	gen_contributions "$T/c.tsv"
	printf 'kind\tweight\tcap\ncode\t3\t20\nreview\t2\t\ndoc\t1.5\t\nquestion\t0.5\t4\n' >"$T/w.tsv"
	printf 'alias\tpayee\np1\tp2\np3\tp2\n' >"$T/al.tsv"
	same_bytes_shuffled "tally-attribute -w $T/w.tsv -A $T/al.tsv --as-of 2026-10-31 --half-life 60 -t sqrt --cap 20% -e /dev/stdout @1" "$T/c.tsv"
	same_bytes_shuffled "tally-attribute -w $T/w.tsv --budget '1000.00 USD' @1" "$T/c.tsv"
	same_bytes_shuffled "tally-attribute -f md @1" "$T/c.tsv"
	same_bytes_shuffled "tally-attribute -m time --as-of 2026-10-31 @1" "$T/c.tsv"
	printf 'contributor\tfrom\tto\tweighting\np1\t2026-01\t2026-09\t1\np2\t2026-03\t\t0.5\np4\t2026-02\t2026-04\t0.25\n' >"$T/m.tsv"
	same_bytes_shuffled "tally-attribute -m time --as-of 2026-10-31 --membership @2 @1" "$T/c.tsv" "$T/m.tsv"
	awk 'BEGIN { OFS = "\t"; print "date", "source", "order", "line", "product", "kind", "sale_date", "currency", "net"
		for (i = 1; i <= 60; i++) print "2026-10-" sprintf("%02d", i % 28 + 1), "shop", i, 1, "proj" (i % 3), "sale", "", "USD", (i % 7) + 0.33 }' >"$T/s.tsv"
	same_bytes_shuffled "tally-attribute -m graph -w $T/w.tsv -A $T/al.tsv --revenue @2 @1" "$T/c.tsv" "$T/s.tsv"
	awk 'BEGIN { OFS = "\t"; print "from", "to", "weight"
		for (i = 1; i <= 300; i++) print "n" (i * 13 % 61), "n" (i * 29 % 53), (i % 9) / 4 + 0.1 }' |
		awk -F '\t' 'NR == 1 || !seen[$1 FS $2]++' >"$T/e.tsv"
	printf 'node\tweight\nn1\t3\nn7\t1\nn60\t0.5\n' >"$T/sd.tsv"
	same_bytes_shuffled "tally-attribute -m graph --damping 0.9 --edges @1 --seed @2" "$T/e.tsv" "$T/sd.tsv"
	awk 'BEGIN { OFS = "\t"; print "path", "conversions", "value", "null"
		for (i = 1; i <= 80; i++) {
			p = "t" (i % 7); for (j = 0; j < i % 4; j++) p = p " > t" ((i * 3 + j * 5) % 9)
			print p, i % 3, (i % 3) * 12.5, i % 5 }
	}' >"$T/p.tsv"
	same_bytes_shuffled "tally-attribute -m shapley @1" "$T/p.tsv"
	same_bytes_shuffled "tally-attribute -m markov @1" "$T/p.tsv"
	awk 'BEGIN { OFS = "\t"; print "member", "budget", "opt_out"
		for (i = 0; i < 12; i++) print "m" i, 100, i == 5 ? "yes" : "no" }' >"$T/circle.tsv"
	awk 'BEGIN { OFS = "\t"; print "period", "giver", "receiver", "points"
		for (i = 1; i <= 60; i++) { g = i % 12; r = (i * 5 + 1) % 12; if (r == g) r = (r + 1) % 12
			print "2026-" sprintf("%02d", i % 3 + 9), "m" g, "m" r, i % 4 + 1.5 } }' >"$T/g.tsv"
	same_bytes_shuffled "tally-attribute -m peer --circle @2 @1" "$T/g.tsv" "$T/circle.tsv"
}

@test "--map: a forum's CSV export through a contributions mapping" {
	run --separate-stderr tally-attribute -M "$F/forum.map" -w "$F/weights.tsv" "$F/forum-posts.csv"
	[ "$status" -eq 0 ]
	# dee: (3 likes + 1) x 0.5 = 2, cut to the cap of 1 a month, her post read twice counted once;
	# ben: 1 x 0.5; the deleted post skipped
	[ "$output" = "$(printf '%s\n' $'project\tcontributor\tshare\tpoints\tevidence' \
		$'Lanterns\tdee\t2/3\t1\t1' $'Lanterns\tben\t1/3\t0.5\t1')" ]
	[ "$stderr" = "$DUP" ]
	# the same export on standard input, and as the graph's contributions (target: whom a reply answers)
	run --separate-stderr bash -c "tally-attribute --map '$F/forum.map' <'$F/forum-posts.csv' | cut -f 2 | tr '\n' ' '"
	[ "$output" = "contributor dee ben " ]
	run --separate-stderr tally-attribute -M "$F/forum.map" -m graph -P Lanterns "$F/forum-posts.csv"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f 2 | tr '\n' ' ')" = "contributor dee ana ben " ]
}

@test "--map: bad mappings and bad rows, with file, line and column" {
	printf 'date {created_at}\ncontributor {username}\nkind q\nproject p\ngross 3\n' >"$T/m"
	run --separate-stderr tally-attribute -M "$T/m" "$F/forum-posts.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: $T/m:5: \"gross\" is not a directive of a contributions mapping (date, contributor, kind, project, amount, ref, target, or one about reading the file: detect, separator, skip if ...)" ]
	printf 'date {created_at}\ncontributor {user}\nkind q\nproject p\n' >"$T/m"
	run --separate-stderr tally-attribute -M "$T/m" "$F/forum-posts.csv"
	[ "$status" -eq 2 ]
	[ "$stderr" = "tally-attribute: $F/forum-posts.csv: missing column \"user\" (header: id, username, created_at, topic_id, post_number, reply_to_user, like_count, deleted_at)" ]
	printf 'date {created_at}\ncontributor {username}\nkind q\nproject p\namount {like_count} - 2\n' >"$T/m"
	run --separate-stderr tally-attribute -M "$T/m" "$F/forum-posts.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: $F/forum-posts.csv:3: amount {like_count} - 2: \"-2\" is negative" ]
	printf 'date {created_at}\ncontributor {username}\nkind q\nproject p\namount {like_count}\n' >"$T/m"
	printf 'id,username,created_at,like_count\n1,ana,2026-10-01,many\n' >"$T/x.csv"
	run --separate-stderr tally-attribute -M "$T/m" "$T/x.csv"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tally-attribute: $T/x.csv:2: column \"like_count\": \"many\" is not an amount" ]
	run --separate-stderr tally-attribute -M "$T/m" -m shapley "$T/x.csv"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "tally-attribute: --method shapley reads its own input: no --map" ]
}
