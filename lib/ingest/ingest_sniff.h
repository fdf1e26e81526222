/* ingest_sniff.h - telling, from a file's first bytes, that it is not a
 * CSV/TSV export at all (a spreadsheet workbook, a saved web page, a PDF),
 * so the user is told what to do instead of "unknown export format"; and
 * telling a command that was given an export or the sales stream by
 * mistake (ingest_sniff_header). */
#ifndef TALLY_INGEST_SNIFF_H
#define TALLY_INGEST_SNIFF_H

#include <stddef.h>

/* Look at the first n bytes of a file (at least the first 8 when the file
 * has them).  Returns a sentence saying what the file is and what to do
 * ("this is an Excel workbook: save it as CSV ..."), static text; or NULL
 * when the bytes may well be text. */
const char *ingest_sniff_not_text(const char *s, size_t n);

/* What the header a command read as a TSV stream is. */
enum ingest_header_kind {
	INGEST_HEADER_OTHER = 0,
	INGEST_HEADER_EXPORT, /* a platform export: tally-ingest reads it */
	INGEST_HEADER_SALES,  /* tally-ingest's sales stream */
};

/* Tell the header cols[0..n) (as a TSV reader split it): an export when it
 * is one field of three or more comma- or semicolon-separated names (not
 * a "#" comment, none empty or over 64 bytes), or holds every signature
 * column of a built-in format (*format, if format is not NULL, is then the
 * most specific such format's name, static; else NULL); the sales stream
 * when it has tally-ingest's date, source, order, kind, currency, gross
 * and net; else other.  Pure; out of memory gives other. */
enum ingest_header_kind ingest_sniff_header(char *const *cols, size_t n, const char **format);

#endif
