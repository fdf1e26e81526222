# tests/helpers.bash - shared set-up for tally's bats tests.
#
# Puts the binaries under test ($TALLY_BIN, default ./bin) first on PATH,
# loads bats-support and bats-assert, and gives each test a scratch folder
# $T.  Fixtures are in $FIX.
TALLY_ROOT=${TALLY_ROOT:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}
TALLY_BIN=${TALLY_BIN:-$TALLY_ROOT/bin}
PATH=$TALLY_BIN:$PATH
FIX=$TALLY_ROOT/tests/fixtures
SHARED=$TALLY_ROOT/../shared/data
bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/tally.XXXXXX")
}

teardown() {
	rm -rf "$T"
}

# skip_without_shared SUBDIR: skip when ../shared/data/SUBDIR is absent.
skip_without_shared() {
	[ -e "$SHARED/$1" ] || skip "no $SHARED/$1"
}
