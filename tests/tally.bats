#!/usr/bin/env bats
# tally.bats - the front command and the behaviour every command shares
# (tally.7): --help, --version, bad options, unopenable files, write errors.
#
# Plan:
#   front:    tally / tally --help list the commands; tally --version;
#             tally CMD runs tally-CMD from beside it or PATH, with its args
#             and status; an unknown command is a usage error (2).
#   contract: for every installed tally-* command: --help on stdout, 0;
#             --version; an unknown option is 2 with usage on stderr, a
#             misspelt one names the nearest;
#             --help >/dev/full is 1 with "write error"; a missing input
#             file is "prog: nosuch.tsv: No such file or directory", 2.

load helpers

commands() {
	for b in "$TALLY_BIN"/tally-*; do
		[ -x "$b" ] && echo "${b##*/}"
	done
}

@test "tally --help lists the commands found beside it" {
	run -0 tally --help
	assert_line --index 0 "usage: tally COMMAND [ARG...]"
	for c in $(commands); do
		assert_output --partial "  ${c#tally-} "
	done
}

@test "tally help CMD shows the man page, as git's help does" {
	command -v man >/dev/null || skip "no man"
	make -C "$TALLY_ROOT" --no-print-directory -s -o all install DESTDIR="$T/root" \
		PREFIX=/usr O="$(dirname "$TALLY_BIN")" >/dev/null
	run -0 --separate-stderr env MANPAGER=cat "$T/root/usr/bin/tally" help split
	assert_equal "${lines[0]%% *}" "TALLY-SPLIT(1)"
	assert_output --partial "EXIT STATUS"
	assert_equal "$stderr" ""
}

@test "tally help CMD is CMD --help without man or without the page" {
	run -0 env PATH=/nonexistent "$TALLY_BIN/tally" help split
	assert_equal "$output" "$(tally-split --help)"
	# man there, the page nowhere: beside the copies is no man/ and MANPATH leads nowhere
	mkdir "$T/bin"
	cp "$TALLY_BIN/tally" "$TALLY_BIN/tally-split" "$T/bin/"
	run -0 --separate-stderr env MANPATH="$T/none" "$T/bin/tally" help split
	assert_equal "$output" "$(tally-split --help)"
	assert_equal "$stderr" ""
}

@test "tally help lists the commands; bad names and extra words refused" {
	run -0 tally help
	assert_equal "$output" "$(tally --help)"
	assert_line --index 1 "       tally help [COMMAND] | completion bash|zsh | --help | --version"
	run -2 --separate-stderr tally help nosuch
	assert_equal "$stderr" "tally: 'nosuch' is not a tally command (see 'tally --help')"
	run -2 --separate-stderr tally help split report
	assert_equal "${stderr_lines[0]}" "usage: tally COMMAND [ARG...]"
}

# complete WORD...: what the bash completion offers for the last WORD
complete_words() {
	bash -c 'source <(tally completion bash)
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _tally
		printf "%s\n" "${COMPREPLY[@]}"' _ "$@"
}

@test "tally completion bash completes commands, options from --help, formats" {
	run -0 complete_words tally ""
	for c in $(commands); do assert_line "${c#tally-}"; done
	assert_line help
	run -0 complete_words tally sp
	assert_output split
	run -0 complete_words tally split --sk
	assert_output --skip-seen
	run -0 complete_words tally-report --per
	assert_output --period
	run -0 complete_words tally ingest -f gumroad-s
	assert_output gumroad-sales
	run -0 complete_words tally-report --payo
	assert_output --payouts
	run -0 complete_words tally report --payouts w
	assert_output wise
	run -0 complete_words tally ingest sales.csv
	assert_output ""
	run -0 complete_words tally completion ""
	assert_output "$(printf 'bash\nzsh')"
	run -0 tally completion zsh
	assert_line "autoload -U +X bashcompinit && bashcompinit"
	assert_line --partial "complete -o default -F _tally tally tally-ingest"
	run -2 --separate-stderr tally completion fish
	assert_equal "$stderr" "tally: completion: 'fish' is not a shell tally completes (bash, zsh)"
	run -2 tally completion
}

@test "make install puts the bash completion beside the commands" {
	# -o all: install what this test run built (plain or ASan), never rebuild
	make -C "$TALLY_ROOT" --no-print-directory -s -o all install DESTDIR="$T/root" \
		PREFIX=/usr O="$(dirname "$TALLY_BIN")" >/dev/null
	d="$T/root/usr/share/bash-completion/completions"
	run -0 tally completion bash
	assert_equal "$(cat "$d/tally")" "$output"
	[ "$(readlink "$d/tally-split")" = tally ]
	[ -x "$T/root/usr/bin/tally-split" ]
}

@test "tally completion bash registers every command (#14: tally-partition was left out)" {
	run -0 tally completion bash
	line=$(printf '%s\n' "$output" | grep '^complete -o default -F _tally ')
	for c in $(commands); do
		case " $line " in *" $c "*) ;; *) echo "$c not completed: $line"; return 1 ;; esac
	done
	run -0 complete_words tally-partition --cou
	assert_output --count
}

@test "tally with no arguments lists the commands" {
	run -0 tally
	assert_line --index 0 "usage: tally COMMAND [ARG...]"
}

@test "tally --version" {
	run -0 tally --version
	assert_output "tally (tally) 0.1.0"
}

@test "tally CMD runs tally-CMD from PATH with its arguments and status" {
	mkdir "$T/bin"
	printf '#!/bin/sh\necho "fake: $*"\nexit 3\n' >"$T/bin/tally-fake"
	chmod +x "$T/bin/tally-fake"
	PATH=$T/bin:$PATH run -3 tally fake --opt 'a b'
	assert_output "fake: --opt a b"
}

@test "tally with an unknown command is a usage error" {
	run -2 --separate-stderr tally nosuchcmd
	assert_equal "$stderr" "tally: 'nosuchcmd' is not a tally command (see 'tally --help')"
	assert_output ""
}

@test "a mistyped command gets the nearest one, as a mistyped option does; tally help too" {
	run -2 --separate-stderr tally splt -a x.tsv
	assert_equal "$stderr" "tally: 'splt' is not a tally command (see 'tally --help')
tally: did you mean 'split'?"
	assert_output ""
	run -2 --separate-stderr tally reprot
	assert_equal "${stderr_lines[1]}" "tally: did you mean 'report'?"
	run -2 --separate-stderr tally help splt
	assert_equal "$stderr" "tally: 'splt' is not a tally command (see 'tally --help')
tally: did you mean 'split'?"
	run -2 --separate-stderr tally hlep split
	assert_equal "${stderr_lines[1]}" "tally: did you mean 'help'?"
	# tally help CMD: its page (or --help without man), the same as the command's
	run -0 --separate-stderr env MANPAGER=cat PAGER=cat MANWIDTH=80 tally help split
	[[ "$output" == *"tally-split"* ]]
}

@test "tally refuses a command name with a slash" {
	run -2 --separate-stderr tally ../x
	assert_equal "$stderr" "tally: '../x' is not a tally command"
}

@test "every command: --help prints usage on stdout and exits 0" {
	for c in $(commands); do
		run -0 --separate-stderr "$c" --help
		assert_output --partial "usage: $c"
		assert_equal "$stderr" ""
	done
}

# The long options a command accepts, read from its getopt table.
long_options() {
	sed -n 's/^[[:space:]]*{"\([a-z-]*\)", [a-z_]*_argument.*/\1/p' "$TALLY_ROOT/cmd/$1.c"
}

@test "every command: --help and the man page describe every option it accepts" {
	for c in tally-ingest tally-split tally-attribute tally-forecast tally-report; do
		opts=$(long_options "$c")
		[ -n "$opts" ]
		help=$("$c" --help)
		page=$(mandoc -Tutf8 "$TALLY_ROOT/man/$c.1" | sed "s/.\x08//g")
		for o in $opts; do
			grep -Eq -- "--$o( |=|,|\]|$)" <<<"$help" || { echo "$c --help lacks --$o"; false; }
			grep -Eq -- "--$o( |=|,|\]|$)" <<<"$page" || { echo "man $c lacks --$o"; false; }
		done
	done
}

@test "every man page is clean under mandoc -Tlint" {
	run -0 mandoc -Tlint -Wwarning "$TALLY_ROOT"/man/*.1 "$TALLY_ROOT"/man/*.7
	assert_output ""
}

# Runs "$@" with stdout to /dev/null and stderr on a pseudo-terminal
# (script(1)); what the terminal received is in $output.
on_terminal() {
	local cmd
	printf -v cmd '%q ' "$@"
	run script -qec "$cmd >/dev/null" /dev/null </dev/null
}

progress_runs() {
	printf 'match\tpayee\tshare\n*\tAna\t100%%\n' >"$BATS_TEST_TMPDIR/a.tsv"
	echo "tally-ingest --salt k $FIX/ingest/gumroad_sales.csv"
	echo "tally-split -a $BATS_TEST_TMPDIR/a.tsv $FIX/report/sales.tsv"
	echo "tally-report $FIX/report/alloc.tsv"
	echo "tally-forecast -m naive -n 1 $FIX/report/sales.tsv"
}

@test "every command: a progress line on a terminal, erased at the end; never in a pipe" {
	export TALLY_PROGRESS_DELAY=0
	while read -r -a cmd; do
		on_terminal "${cmd[@]}"
		[ "$status" -eq 0 ] || { echo "${cmd[*]}: $output"; false; }
		[[ "$output" == $'\r'"${cmd[0]}: "*' rows, '* ]] || { echo "${cmd[*]}: no line: $output"; false; }
		[[ "$output" == *' rows, '*$'\r\e[K'* ]] || { echo "${cmd[*]}: not erased"; false; }
		"${cmd[@]}" 2>"$BATS_TEST_TMPDIR/err" >/dev/null
		! grep -q $'\e\\[K' "$BATS_TEST_TMPDIR/err" || { echo "${cmd[*]}: in a pipe: $(cat "$BATS_TEST_TMPDIR/err")"; false; }
		on_terminal "${cmd[@]}" --no-progress
		[[ "$output" != *$'\e[K'* ]] || { echo "${cmd[*]} --no-progress: $output"; false; }
		"${cmd[@]}" --progress 2>"$BATS_TEST_TMPDIR/err" >/dev/null
		grep -q "^.${cmd[0]}: 1 rows" "$BATS_TEST_TMPDIR/err" || { echo "${cmd[*]} --progress: no line"; false; }
	done < <(progress_runs)
}

@test "progress: waits for a slow run by default; a message starts on a clean line" {
	printf 'match\tpayee\tshare\nAlbum\tAna\t100%%\n' >"$BATS_TEST_TMPDIR/a.tsv"
	on_terminal tally-split -a "$BATS_TEST_TMPDIR/a.tsv" "$FIX/report/sales.tsv"
	[ "$status" -eq 1 ]
	[[ "$output" != *$'\e[K'* ]]
	TALLY_PROGRESS_DELAY=0 on_terminal tally-split -a "$BATS_TEST_TMPDIR/a.tsv" "$FIX/report/sales.tsv"
	[ "$status" -eq 1 ]
	[[ "$output" == *$'\r\e[Ktally-split: '*'matches no agreement'* ]]
}

@test "every command: --version" {
	for c in $(commands); do
		run -0 "$c" --version
		assert_output "$c (tally) 0.1.0"
	done
}

@test "every command: an unknown option is a usage error (2)" {
	for c in $(commands); do
		run -2 --separate-stderr "$c" --no-such-option
		assert_output ""
		[[ "$stderr" == *"usage: $c"* ]] || fail "$c: no usage on stderr: $stderr"
	done
}

@test "every command: a misspelt long option names the nearest (--peroid)" {
	for c in $(commands); do
		# each command's first long option from its --help, misspelt by a swap
		opt=$("$c" --help | grep -o -- '--[a-z][a-z-]\{4,\}' | grep -v -- '--help\|--version' | head -n 1)
		[ -n "$opt" ] || fail "$c: no long option in --help"
		typo="--$(printf '%s' "${opt#--}" | sed 's/^\(.\)\(.\)/\2\1/')"
		run -2 --separate-stderr "$c" "$typo"
		assert_equal "${stderr_lines[1]}" "$c: did you mean '$opt'?"
	done
	run -2 --separate-stderr tally-ingest --peroid 2026-10
	assert_equal "${stderr_lines[0]}" "tally-ingest: unrecognized option '--peroid'"
	assert_equal "${stderr_lines[1]}" "tally-ingest: did you mean '--period'?"
	# an option refused for its argument, or nothing near: no guess
	run -2 --separate-stderr tally-report --period
	[[ "$stderr" != *"did you mean"* ]]
	run -2 --separate-stderr tally-split --frobnicate
	[[ "$stderr" != *"did you mean"* ]]
}

@test "every command: an option taking a value, given twice, is refused (one way, cli_once)" {
	for c in $(commands); do
		case $c in
		tally-forecast) args=(-n 3 --horizon 4) name=horizon ;;
		tally-partition) args=(--output "$T/a" --output "$T/b") name=output ;;
		*) args=(-o "$T/a" --output "$T/b") name=output ;;
		esac
		run -2 --separate-stderr "$c" "${args[@]}"
		assert_output ""
		assert_equal "${stderr_lines[0]}" "$c: --$name given more than once"
		[[ "${stderr_lines[1]}" == "usage: $c"* ]] || fail "$c: no usage after the refusal"
	done
	# flags repeat harmlessly; ingest's --period keeps its own reason
	run -0 tally-split --no-progress --no-progress --help
	run -2 --separate-stderr tally-ingest --period 2026-10 --period 2026-11
	assert_equal "$stderr" "tally-ingest: --period given twice (one period a run: use --since and --until for a range)"
}

@test "tally: a misspelt option names the nearest" {
	run -2 --separate-stderr tally --verison
	assert_equal "${stderr_lines[1]}" "tally: did you mean '--version'?"
}

@test "every command: --help into a full disk fails with a message" {
	[ -w /dev/full ] || skip "no /dev/full"
	for c in $(commands); do
		run -1 --separate-stderr bash -c "'$c' --help >/dev/full"
		[[ "$stderr" == "$c: write error: No space left on device" ]] ||
			fail "$c: $stderr"
	done
}

@test "every command: a missing input file is named, status 2" {
	for c in $(commands); do
		case $c in tally-ingest) f=nosuch.csv ;; *) f=nosuch.tsv ;; esac
		cd "$T"
		run -2 --separate-stderr bash -c "'$c' $f </dev/null"
		[[ "$stderr" == *"$c: $f: No such file or directory"* ]] || fail "$c: $stderr"
	done
}
