/* ingest_detect.h - which mapping reads a file: the header matched
 * against the built-in formats, --format or --map; the message naming the
 * nearest formats when none fits; the day/month order of a file whose
 * format decides it from all of its dates.  Part of the engine of
 * ingest_run.h; library code, no printing, no exits. */
#ifndef TALLY_INGEST_DETECT_H
#define TALLY_INGEST_DETECT_H

#include <stddef.h>

#include "csvin.h"
#include "ingest_map.h"
#include "ingest_run.h"

/* The mapping known before a file's header is read: --map's, or
 * --format's built-in; NULL when the header decides. */
struct imap *ingest_detect_forced(const struct ingest_run *rn);

/* The mapping for header record c: the forced one if the header holds all
 * its detect columns, else the built-in format whose detect columns are
 * all there, the one with most of them winning (the first on a tie);
 * NULL if none fits. */
struct imap *ingest_detect_match(const struct ingest_run *rn, const struct csvin *c);

/* Write into BUF (SIZE bytes) the detect columns of M that header F (NF
 * fields) lacks, each quoted, comma-separated; returns how many. */
size_t ingest_detect_missing(const struct imap *m, const struct csvin_field *f, size_t nf, char *buf, size_t size);

/* The failure for FILE whose header F (NF fields) no mapping fits:
 * EXIT_USAGE with rn->err naming the forced mapping's missing columns, or
 * the nearest built-in formats (up to three, by the share of their detect
 * columns present) and the nearest one's missing columns. */
int ingest_detect_unknown(struct ingest_run *rn, const char *file, const struct csvin_field *f, size_t nf);

/* The day/month order of a file whose format decides it once a file
 * (PayPal: 03/04/2026 is March or April by the account's locale), set on
 * m: --date-order if given; else every record's date is read (the file
 * PATH is opened again, as main was): a field over 12 decides; a file of
 * ambiguous dates follows its time zone (PDT: month first; BST, CET: day
 * first) with a warning.  Returns 0 (also for a format that does not need
 * it), or EXIT_DATA with rn->err for mixed orders, ambiguous dates with no
 * zone that tells (none, or UTC), or standard input (read once);
 * EXIT_USAGE when PATH cannot be opened again. */
int ingest_detect_date_order(struct ingest_run *rn, struct imap *m, const struct csvin *main, const char *path);

#endif
