/* ingest_row.h - one canonical row of tally-ingest as it is written (the
 * TSV columns of INGEST_HEADER) and as it is known for de-duplication
 * (its key), with the number and time formatting of the hot loop, which
 * uses no printf.  Library code: no printing, no exits. */
#ifndef TALLY_INGEST_ROW_H
#define TALLY_INGEST_ROW_H

#include <stddef.h>
#include <stdint.h>

#include "ingest_map.h"
#include "tsv.h"

/* The canonical sales stream's header line, newline included. */
extern const char ingest_header[];

/* Write row r of mapping m, read from FILE at LINE, as one TSV row of the
 * canonical stream on w.  KEY is the customer pseudonyms' key (the
 * customer column becomes a keyed pseudonym, an empty one stays empty);
 * NULL writes the customer as it is (--keep-pii).  The origin column is
 * "FILE:LINE", FILE cut to about 4 KB. */
void ingest_row_write(struct tsv_writer *w, const struct imap *m, const struct imap_row *r, const uint8_t *key,
		      const char *file, long line);

/* The duplicate key of row r of mapping m: a row is a duplicate only when
 * it is the same record as one before: the same source, id (the export's
 * own row id when the format names one, else the order), line and kind,
 * and the same content (date, amounts, quantity, currency, product, sku,
 * sale date).  Rows that share an id but differ (a tier change's
 * proration credit) get two keys.  Stable within a run; not stored. */
uint64_t ingest_row_key(const struct imap *m, const struct imap_row *r);

/* "YYYY-MM-DDTHH:MM:SSZ" of t into buf (DATE_BUF bytes), as
 * date_format_time writes it (which it falls back to outside the years
 * 0-9999).  Returns the length. */
size_t ingest_format_time(char *buf, int64_t t);

/* Decimal text of v into buf (at least 21 bytes, not NUL ended); returns
 * the length. */
size_t ingest_format_long(char *buf, long long v);

/* "0.0000012" for v in 10^-10 units (a rounding total): at least one
 * decimal, trailing zeros cut, "-" when negative, NUL ended in buf[cap]. */
void ingest_format_e10(char *buf, size_t cap, int64_t v);

#endif
