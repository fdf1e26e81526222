/* test_kinds.c - unit tests of lib/core/kinds.c: the stream's kinds and the
 * passed-over tally (counts, the "other" overflow, the note's text). */
#include <stdio.h>

#include "kinds.h"
#include "tap.h"

int main(void)
{
	struct kinds_tally t = {0};
	char buf[256];

	tap_ok(kinds_known("payout") && kinds_known("sale"), "stream kinds are known");
	tap_ok(!kinds_known("bogus") && !kinds_known("Sale") && !kinds_known(""), "others are not");

	kinds_tally_add(&t, "payout");
	kinds_tally_add(&t, "");
	kinds_tally_add(&t, "payout");
	kinds_tally_format(&t, buf, sizeof buf);
	tap_is_str(buf, "payout 2, \"\" 1", "counted per kind, an empty kind quoted");
	tap_is_int(t.total, 3, "total");
	for (int i = 0; i < KINDS_TALLIED + 2; i++) {
		char k[16];
		snprintf(k, sizeof k, "k%d", i);
		kinds_tally_add(&t, k);
	}
	tap_is_int(t.n, KINDS_TALLIED, "at most KINDS_TALLIED kinds one by one");
	tap_is_int(t.other, 4, "the rest as other");
	tap_is_int(t.total, 3 + KINDS_TALLIED + 2, "every row counted");
	kinds_tally_format(&t, buf, 20);
	tap_ok(buf[19] == '\0', "the note is cut to fit");
	kinds_tally_free(&t);
	tap_is_int(t.n, 0, "freed");
	return tap_done();
}
