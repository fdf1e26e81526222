/* ingest_emit.h - the way out of a file's canonical rows: the date
 * filter, the link of a reversal to its sale (held back when its sale has
 * not been read yet), the duplicate set, and the stream or --sort's
 * store.  Part of the engine of ingest_run.h; library code, no printing,
 * no exits.  Each returns 0, or the exit status with rn->err. */
#ifndef TALLY_INGEST_EMIT_H
#define TALLY_INGEST_EMIT_H

#include <stddef.h>

#include "ingest_map.h"
#include "ingest_run.h"

/* The N rows of one record of FILE at LINE out, by the rules above;
 * rn->linking says whether m's reversals are linked. */
int ingest_emit_rows(struct ingest_run *rn, struct imap *m, struct imap_row *rows, size_t n, const char *file,
		     long line);

/* At the end of FILE, first: when m names items (rn->itemizing), the
 * rows of orders held for them out, in the file's order, each with its
 * order's item as its product (empty when no row named one), and the
 * file's notes on items (several a order, none, item rows joining no
 * order, rows let out early). */
int ingest_emit_release_items(struct ingest_run *rn, const struct imap *m, const char *file);

/* At the end of FILE: every held reversal out, in the file's order, each
 * with its sale's product and sku when the file holds its sale; a warning
 * when some had to go out early without it. */
int ingest_emit_release_all(struct ingest_run *rn, const struct imap *m, const char *file);

/* --sort: row r formatted and handed to the external sort by its date.
 * EXIT_DATA for a row over 64 KB as written or a temporary file that
 * fails. */
int ingest_run_sort_row(struct ingest_run *rn, const struct imap *m, const struct imap_row *r, const char *file,
			long line);

#endif
