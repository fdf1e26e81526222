/* ingest_explain.h - what tally-ingest says of its formats without
 * ingesting: --list-formats' lines and --explain-format's account of how
 * one file is read.  Part of the engine of ingest_run.h; library code, no
 * printing, no exits (output goes to a struct out). */
#ifndef TALLY_INGEST_EXPLAIN_H
#define TALLY_INGEST_EXPLAIN_H

#include "csvin.h"
#include "ingest_map.h"
#include "ingest_run.h"
#include "out.h"

/* One format of --list-formats on out: name, title, "[inferred layout]"
 * when no real file of the layout was seen, then a "checked:" line for
 * each real shape it was built against. */
void ingest_explain_list(struct out *out, const struct imap *m);

/* The order of day, month and year in a strptime-like date layout:
 * "%d.%m.%Y" is "day, month, year"; "no day-month order" without a month
 * or a year. */
const char *ingest_explain_date_order(const char *fmt);

/* --explain-format on rn->out: how c's file is read by m (format, why,
 * separator, encoding, number locale, date layouts), what its rows become
 * (read as ingesting would, nothing written: kinds, skips, totals,
 * rejects, dates), and the mapping in effect.  c is just past the header
 * record, bound to m.  Returns 0, or EXIT_DATA with rn->err on a read
 * error. */
int ingest_explain_file(struct ingest_run *rn, struct imap *m, struct csvin *c);

#endif
