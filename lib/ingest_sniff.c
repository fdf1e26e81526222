/* ingest_sniff.c - recognising the files people download by mistake
 * instead of an export: ZIP (XLSX, ODS) and OLE2 (XLS) workbooks, HTML
 * pages, PDF statements.  See ingest_sniff.h. */
#include "ingest_sniff.h"

#include <string.h>
#include <strings.h>

static int starts(const char *s, size_t n, const char *magic, size_t len)
{
	return n >= len && memcmp(s, magic, len) == 0;
}

/* An HTML page, after leading white space: "<!doctype html" or "<html". */
static int is_html(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	s += i;
	n -= i;
	return (n >= 14 && strncasecmp(s, "<!doctype html", 14) == 0) ||
	       (n >= 5 && strncasecmp(s, "<html", 5) == 0);
}

const char *ingest_sniff_not_text(const char *s, size_t n)
{
	if (starts(s, n, "PK\x03\x04", 4))
		return "this is an Excel workbook (a ZIP file: .xlsx or .ods), not CSV: save it as CSV "
		       "(File > Save As > CSV UTF-8, one sheet) and ingest that";
	if (starts(s, n, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
		return "this is a legacy Excel workbook (.xls), not CSV: save it as CSV "
		       "(File > Save As > CSV UTF-8, one sheet) and ingest that";
	if (starts(s, n, "%PDF-", 5))
		return "this is a PDF document, not an export: download the report as CSV";
	if (is_html(s, n))
		return "this is a web page (HTML), not an export: the page was saved instead of the "
		       "download; download the CSV again";
	return NULL;
}
