#!/usr/bin/env bats
# lint.bats - the library's two error policies kept apart (STYLE.md habit 4).
#
# Plan:
#   purity: lib/*.c other than cmdsupport.c call nothing that prints or
#           exits (exit, fprintf(stderr), diag_die, diag_warn, xmalloc,
#           *_or_die, reject_*); a planted call in a copy of lib/ is named
#           by file and line, while the same words in comments and strings
#           are not.

load helpers

@test "purity: lib/ proper never prints or exits; only cmdsupport.c does" {
	run -0 "$TALLY_ROOT/tests/lint/purity" "$TALLY_ROOT/lib"
	assert_output ""
}

@test "purity: a planted exit, stderr write or dying helper is named by file and line" {
	mkdir "$T/lib"
	cp "$TALLY_ROOT"/lib/*.c "$T/lib/"
	printf '%s\n' '/* exit(1) and diag_die in a comment are fine */' \
		'static const char *s = "fprintf(stderr, x)";' \
		'static void f(void) { if (s) exit(1); }' \
		'static void g(void) { char *p = xmalloc(4); fprintf(stderr, "%s", p); }' >>"$T/lib/money.c"
	n=$(wc -l <"$TALLY_ROOT/lib/money.c")
	run -1 "$TALLY_ROOT/tests/lint/purity" "$T/lib"
	assert_line --index 0 "$T/lib/money.c:$((n + 3)): static void f(void) { if (s) exit(1); }"
	assert_line --index 1 "$T/lib/money.c:$((n + 4)): static void g(void) { char *p = xmalloc(4); fprintf(stderr, \"%s\", p); }"
	assert_equal "${#lines[@]}" 2
	# cmdsupport.c is the one place allowed to
	echo 'static void h(void) { exit(2); }' >>"$T/lib/cmdsupport.c"
	cp "$TALLY_ROOT/lib/money.c" "$T/lib/money.c"
	run -0 "$TALLY_ROOT/tests/lint/purity" "$T/lib"
}
