/* ingest_run.h - one export read the way tally-ingest reads it, for the
 * fuzz_csv and fuzz_map harnesses. */
#ifndef TALLY_FUZZ_INGEST_RUN_H
#define TALLY_FUZZ_INGEST_RUN_H

#include <stddef.h>

#include "ingest_map.h"

/* Read the CSV at path with mapping m (already parsed): bind to the first
 * record that has every detect column among the first 20 (else to the
 * first record, so that mutated headers still reach evaluation), and
 * evaluate every later record, checking that each row produced has
 * net == gross - fee. */
void fuzz_ingest(struct imap *m, const char *path);

#endif
