#!/usr/bin/env bats
# vocab.bats - the one option vocabulary: the OPTIONS TABLE of tally(7)
# holds for every command, as its --help and its getopt show it.
#
# Plan:
#   table:    the table parses, one row per letter, every row has commands.
#   --help:   every "-X, --long" line of every command's --help is the
#             table's row for X, and the table lists that command there;
#             every row naming a command is in that command's --help.
#   getopt:   a letter the table does not give a command is refused by it
#             ("invalid option"), so no letter hides outside --help.
#   moved:    a letter the table took away says what it became (cron jobs
#             still call tally-report -m), exit 2 with the usage.
#   bad:      the check fails on a --help whose -m means another option.

load helpers

COMMANDS="ingest split report forecast attribute partition"

# "LETTER LONG COMMAND..." per row of the table, from the man page source.
table() {
	sed -n '/^\.Sh OPTIONS TABLE/,/^\.Sh /p' "$TALLY_ROOT/man/tally.7" |
		sed -n 's/^\.It Fl \(.\) Ta Fl -\([a-z-]*\) Ta .* Pq \(.*\)$/\1 \2 \3/p' |
		sed 's/every command/'"$COMMANDS"'/; s/,//g'
}

# "LETTER LONG" per short option shown in a --help read on stdin.
help_letters() {
	sed -n 's/^ *-\([a-zA-Z]\), --\([a-z-]*\).*/\1 \2/p'
}

# Check the --help text on stdin of command $1 against the table; the
# first disagreement on stdout, status 1; nothing and 0 when it holds.
check_help() {
	local c=$1 t shown letter long row
	t=$(table)
	shown=$(help_letters)
	while read -r letter long; do
		row=$(grep -- "^$letter " <<<"$t") || { echo "$c: -$letter is not in the table"; return 1; }
		[ "$(cut -d' ' -f2 <<<"$row")" = "$long" ] ||
			{ echo "$c: -$letter is --$long, the table says --$(cut -d' ' -f2 <<<"$row")"; return 1; }
		grep -qw -- "$c" <<<"$(cut -d' ' -f3- <<<"$row")" ||
			{ echo "$c: -$letter --$long, the table does not list $c"; return 1; }
	done <<<"$shown"
	while read -r letter long cmds; do
		grep -qw -- "$c" <<<"$cmds" || continue
		grep -qx -- "$letter $long" <<<"$shown" ||
			{ echo "$c: the table gives it -$letter --$long, its --help does not show it"; return 1; }
	done <<<"$t"
}

@test "table: one row per letter, each with a long name and its commands" {
	run table
	assert_success
	[ "${#lines[@]}" -ge 20 ] || fail "only ${#lines[@]} rows"
	[ -z "$(cut -d' ' -f1 <<<"$output" | sort | uniq -d)" ] || fail "a letter twice"
	[ -z "$(cut -d' ' -f2 <<<"$output" | sort | uniq -d)" ] || fail "a long name twice"
	while read -r letter long cmds; do
		[ -n "$cmds" ] || fail "-$letter --$long: no commands"
	done <<<"$output"
	assert_line "m method forecast attribute"
	assert_line "M map ingest attribute"
}

@test "--help: every command's short letters are the table's" {
	for c in $COMMANDS; do
		run check_help "$c" < <(tally-$c --help)
		[ "$status" -eq 0 ] || fail "$output"
	done
}

@test "getopt: a letter the table does not give a command is refused" {
	local t c letter
	t=$(table)
	for c in $COMMANDS; do
		for letter in {a..z} {A..Z}; do
			grep -q -- "^$letter [a-z-]* .*\\b$c\\b" <<<"$t" && continue
			run --separate-stderr tally-$c "-$letter" /dev/null
			[ "$status" -eq 2 ] || fail "tally-$c -$letter: status $status"
			[[ "$stderr" == *"invalid option -- '$letter'"* ]] || fail "tally-$c -$letter: $stderr"
		done
	done
}

@test "moved: a letter taken away says what it became" {
	run --separate-stderr tally-report -m USD=50 /dev/null
	assert_failure 2
	[ "${stderr_lines[0]}" = "tally-report: invalid option -- 'm'" ]
	[ "${stderr_lines[1]}" = "tally-report: -m is now --min-payout (see tally(7), OPTIONS TABLE)" ]
	[[ "${stderr_lines[2]}" == usage:* ]]
	run --separate-stderr tally-report -s /dev/null
	assert_failure 2
	[ "${stderr_lines[1]}" = "tally-report: -s is now --summary (see tally(7), OPTIONS TABLE)" ]
	run --separate-stderr tally-ingest -m x.map /dev/null
	assert_failure 2
	[ "${stderr_lines[1]}" = "tally-ingest: -m is now -M (--map) (see tally(7), OPTIONS TABLE)" ]
	run --separate-stderr tally-split -d ana -a /dev/null /dev/null
	[ "${stderr_lines[1]}" = "tally-split: -d is now --default-payee (see tally(7), OPTIONS TABLE)" ]
	for o in b:--budget d:--diff p:--pool; do
		run --separate-stderr tally-attribute "-${o%%:*}" x /dev/null
		[ "${stderr_lines[1]}" = "tally-attribute: -${o%%:*} is now ${o#*:} (see tally(7), OPTIONS TABLE)" ]
	done
	for o in n:--count o:--output; do
		run --separate-stderr tally-partition "-${o%%:*}" x /dev/null
		[ "${stderr_lines[1]}" = "tally-partition: -${o%%:*} is now ${o#*:} (see tally(7), OPTIONS TABLE)" ]
	done
	# the new letters and the long names work
	run --separate-stderr tally-report --min-payout USD=20 "$TALLY_ROOT/tests/fixtures/report/alloc.tsv"
	assert_success
	assert_output "$(cat "$TALLY_ROOT/tests/fixtures/report/expected/three-months.tsv")"
	# a refused long option has no letter to name: only the nearest
	run --separate-stderr tally-report --min-payot USD=20 /dev/null
	assert_failure 2
	[[ "$stderr" != *"is now"* ]]
	[[ "$stderr" == *"did you mean '--min-payout'?"* ]]
}

@test "bad: a --help whose -m means another option fails the check" {
	run check_help report < <(printf '  -m, --min-payout SPEC   pay nothing under this\n')
	assert_failure
	assert_output "report: -m is --min-payout, the table says --method"
	run check_help forecast < <(tally-forecast --help | sed 's/^  -H, --history/      --history/')
	assert_failure
	assert_output "forecast: the table gives it -H --history, its --help does not show it"
	run check_help partition < <(printf '  -n, --horizon N   periods\n')
	assert_failure
	assert_output "partition: -n --horizon, the table does not list partition"
	run check_help ingest < <(printf '  -q, --quiet   nothing\n')
	assert_failure
	assert_output "ingest: -q is not in the table"
}
