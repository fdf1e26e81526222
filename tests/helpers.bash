# tests/helpers.bash - shared set-up for tally's bats tests.
#
# Puts the binaries under test ($TALLY_BIN, default ./bin) first on PATH,
# loads bats-support and bats-assert, and gives each test a scratch folder
# $T.  Fixtures are in $FIX.
TALLY_ROOT=${TALLY_ROOT:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}
TALLY_BIN=${TALLY_BIN:-$TALLY_ROOT/bin}
PATH=$TALLY_BIN:$PATH
# TALLY_WRAP="valgrind -q --error-exitcode=99" (make valgrind): every
# tally command a test runs by name runs under that wrapper.
if [ -n "${TALLY_WRAP:-}" ]; then
	_wrap=${BATS_RUN_TMPDIR:-/tmp}/tally-wrap
	mkdir -p "$_wrap"
	for _b in "$TALLY_BIN"/tally*; do
		printf '#!/bin/sh
exec %s %s "$@"
' "$TALLY_WRAP" "$_b" >"$_wrap/${_b##*/}"
		chmod +x "$_wrap/${_b##*/}"
	done
	PATH=$_wrap:$PATH
fi
FIX=$TALLY_ROOT/tests/fixtures
# Set (empty: the unkeyed pseudonyms the expected outputs hold) so that
# tally-ingest does not warn that no salt was given; harden.bats unsets it.
export TALLY_SALT=${TALLY_SALT-}
SHARED=$TALLY_ROOT/../shared/data
bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

setup() {
	[ ! -s "${BATS_FILE_TMPDIR:-/nonexistent}/skip-reason" ] || skip "$(cat "$BATS_FILE_TMPDIR/skip-reason")"
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/tally.XXXXXX")
}

# skip_file REASON: in setup_file, then return: every test of the file is
# skipped with REASON (by setup above).  bats 1.8's own skip in setup_file
# fails the file instead of skipping it (bats-core issue 686, fixed in 1.9).
skip_file() {
	printf '%s\n' "$1" >"$BATS_FILE_TMPDIR/skip-reason"
}

teardown() {
	rm -rf "$T"
}

# skip_without_shared SUBDIR: skip when ../shared/data/SUBDIR is absent.
skip_without_shared() {
	[ -e "$SHARED/$1" ] || skip "no $SHARED/$1"
}
