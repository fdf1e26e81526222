/* report_waterfall.h - how a statement line's amount was reached, and
 * where an advance stands, in words for people (tally-report(1)). */
#ifndef TALLY_REPORT_WATERFALL_H
#define TALLY_REPORT_WATERFALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report_statements.h"

/* "gross 150.00 − fees 15.00 − commission 20.25 = 114.75 × 50%" for a
 * line that earned amount, in minor units of `digits` (each figure
 * rounded toward zero, as on the rest of the statement); the gross and
 * fees only when have_gross, commission and recouped only when not 0,
 * the share (amount ÷ reached, two decimals at most, rounded half to
 * even) only when something reached the tier.  Writes at most cap bytes,
 * NUL included; returns buf.  Generated text: no data in it. */
const char *report_steps_text(char *buf, size_t cap, const struct report_steps *st, int64_t amount, int digits,
			      bool have_gross);

/* Keep of r[0..n) the caps a payee whose share comes from agreements line
 * `line` went through: those of its own tier or a tier before it (the
 * tiers of an agreement run in ascending order in the file, so the capped
 * tier's first line is at most `line`); line 0 (not known) keeps all.
 * Returns how many are kept, in r[0..), in their order. */
size_t report_recoupment_keep(struct report_recoupment *r, size_t n, long line);

/* "Advance 500.00 USD (agreements line 12): recouped 114.75, remaining
 * 385.25." in buf[0..cap); returns buf. */
const char *report_recoupment_text(char *buf, size_t cap, const struct report_recoupment *r);

#endif
