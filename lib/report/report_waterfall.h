/* report_waterfall.h - how a statement line's amount was reached, and
 * where an advance stands, in words for people (tally-report(1)). */
#ifndef TALLY_REPORT_WATERFALL_H
#define TALLY_REPORT_WATERFALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report_statements.h"

/* "gross 150.00 − fees 15.00 − commission 20.25 = 114.75 × 50%" for a
 * line that earned amount, in minor units of `digits`: the gross and
 * what reached the tier rounded toward zero, as on the rest of the
 * statement, and each step between them the difference of its rounded
 * running values (fees R(gross) - R(basis), commission R(basis) -
 * R(reached + recouped), recouped R(reached + recouped) - R(reached)),
 * so that the figures shown subtract to the one reached; the gross and
 * fees only when have_gross, commission and recouped only when not 0,
 * the share (amount ÷ reached, two decimals at most, rounded half to
 * even) only when something reached the tier.  Writes at most cap bytes,
 * NUL included; returns buf.  Generated text: no data in it. */
const char *report_steps_text(char *buf, size_t cap, const struct report_steps *st, int64_t amount, int digits,
			      bool have_gross);

/* "Advance 500.00 USD (agreements line 12): recouped 114.75, remaining
 * 385.25." in buf[0..cap); returns buf.  The cap and the recouped total
 * rounded toward zero, the remainder shown as their difference, so that
 * recouped + remaining is the cap as shown. */
const char *report_recoupment_text(char *buf, size_t cap, const struct report_recoupment *r);

#endif
