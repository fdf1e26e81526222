/* ingest_sniff.h - telling, from a file's first bytes, that it is not a
 * CSV/TSV export at all (a spreadsheet workbook, a saved web page, a PDF),
 * so the user is told what to do instead of "unknown export format". */
#ifndef TALLY_INGEST_SNIFF_H
#define TALLY_INGEST_SNIFF_H

#include <stddef.h>

/* Look at the first n bytes of a file (at least the first 8 when the file
 * has them).  Returns a sentence saying what the file is and what to do
 * ("this is an Excel workbook: save it as CSV ..."), static text; or NULL
 * when the bytes may well be text. */
const char *ingest_sniff_not_text(const char *s, size_t n);

#endif
