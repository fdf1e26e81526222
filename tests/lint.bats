#!/usr/bin/env bats
# lint.bats - the library's two error policies kept apart (STYLE.md habit 4).
#
# Plan:
#   purity: lib/*/*.c other than cli/cmdsupport.c call nothing that prints or
#           exits (exit, fprintf(stderr), diag_die, diag_warn, xmalloc,
#           *_or_die, reject_*); a planted call in a copy of lib/ is named
#           by file and line, while the same words in comments and strings
#           are not.
#   layers: lib/ is a star (tests/lint/layers): an engine includes the
#           core and itself; a planted cross-include is named.

load helpers

@test "purity: lib/ proper never prints or exits; only cmdsupport.c does" {
	run -0 "$TALLY_ROOT/tests/lint/purity" "$TALLY_ROOT/lib"
	assert_output ""
}

@test "purity: a planted exit, stderr write or dying helper is named by file and line" {
	cp -R "$TALLY_ROOT/lib" "$T/lib"
	printf '%s\n' '/* exit(1) and diag_die in a comment are fine */' \
		'static const char *s = "fprintf(stderr, x)";' \
		'static void f(void) { if (s) exit(1); }' \
		'static void g(void) { char *p = xmalloc(4); fprintf(stderr, "%s", p); }' >>"$T/lib/core/money.c"
	n=$(wc -l <"$TALLY_ROOT/lib/core/money.c")
	run -1 "$TALLY_ROOT/tests/lint/purity" "$T/lib"
	assert_line --index 0 "$T/lib/core/money.c:$((n + 3)): static void f(void) { if (s) exit(1); }"
	assert_line --index 1 "$T/lib/core/money.c:$((n + 4)): static void g(void) { char *p = xmalloc(4); fprintf(stderr, \"%s\", p); }"
	assert_equal "${#lines[@]}" 2
	# cmdsupport.c is the one place allowed to
	echo 'static void h(void) { exit(2); }' >>"$T/lib/cli/cmdsupport.c"
	cp "$TALLY_ROOT/lib/core/money.c" "$T/lib/core/money.c"
	run -0 "$TALLY_ROOT/tests/lint/purity" "$T/lib"
}

@test "layers: no engine includes another engine, the core includes no engine" {
	run -0 "$TALLY_ROOT/tests/lint/layers" "$TALLY_ROOT/lib"
	assert_output ""
}

@test "layers: a planted include of another engine is named, an allowed one is not" {
	cp -R "$TALLY_ROOT/lib" "$T/lib"
	echo '#include "report_table.h"' >>"$T/lib/forecast/forecast_simple.c"
	echo '#include "split_rules.h"' >>"$T/lib/core/money.c"
	echo '#include "split_rules.h"' >>"$T/lib/report/report_sale.c"
	run -1 "$TALLY_ROOT/tests/lint/layers" "$T/lib"
	assert_line "$T/lib/core/money.c: includes split/split_rules.h"
	assert_line "$T/lib/forecast/forecast_simple.c: includes report/report_table.h"
	assert_equal "${#lines[@]}" 2
}
