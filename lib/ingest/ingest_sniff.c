/* ingest_sniff.c - recognising the files people download by mistake
 * instead of an export: ZIP (XLSX, ODS) and OLE2 (XLS) workbooks, HTML
 * pages, PDF statements; and the headers of exports and of the sales
 * stream given to the wrong command.  See ingest_sniff.h. */
#include "ingest_sniff.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvin.h"
#include "ingest_formats.h"
#include "ingest_map.h"

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

static bool has_col(char *const *cols, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(cols[i], name) == 0)
			return true;
	return false;
}

static bool is_sales(char *const *cols, size_t n)
{
	static const char *const need[] = {"date", "source", "order", "kind", "currency", "gross", "net"};
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
		if (!has_col(cols, n, need[i]))
			return false;
	return true;
}

/* Split one header line at sep into fields (in place in copy, quotes and
 * a byte-order mark dropped).  Returns the field count; *f is malloc'd. */
static size_t split_header(char *copy, char sep, struct csvin_field **f)
{
	size_t n = 1;
	for (const char *p = copy; *p; p++)
		n += *p == sep;
	*f = malloc(n * sizeof **f);
	if (!*f)
		return 0;
	if (strncmp(copy, "\xEF\xBB\xBF", 3) == 0)
		copy += 3;
	size_t k = 0;
	for (char *p = copy;; p++) {
		char *end = strchr(p, sep);
		if (end)
			*end = '\0';
		size_t len = strlen(p);
		if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
			p[len - 1] = '\0';
			p++;
			len -= 2;
		}
		(*f)[k++] = (struct csvin_field){p, len};
		if (!end)
			break;
		p = end;
	}
	return k;
}

/* The most specific built-in format whose signature columns f holds. */
static const char *builtin_of(const struct csvin_field *f, size_t n)
{
	const char *best = NULL;
	size_t best_total = 0;
	for (size_t i = 0; i < ingest_nformats; i++) {
		struct imap m = {0};
		size_t total = 0, hit = 0;
		if (imap_parse(&m, ingest_formats[i].text, ingest_formats[i].name) == 0)
			hit = imap_score(&m, f, n, &total);
		imap_free(&m);
		if (total > 0 && hit == total && total > best_total) {
			best = ingest_formats[i].name;
			best_total = total;
		}
	}
	return best;
}

/* One field that reads as a header of three or more names separated by
 * sep, none empty or longer than 64 bytes (not a sentence with a comma,
 * not a "#" comment). */
static bool delimited_by(const char *s, char sep)
{
	size_t fields = 1, len = 0;
	if (*s == '#')
		return false;
	for (; *s; s++) {
		if (*s != sep) {
			if (++len > 64)
				return false;
			continue;
		}
		if (len == 0)
			return false;
		fields++;
		len = 0;
	}
	return len > 0 && fields >= 3;
}

enum ingest_header_kind ingest_sniff_header(char *const *cols, size_t n, const char **format)
{
	const char *name = NULL;
	bool delimited = n == 1 && (delimited_by(cols[0], ',') || delimited_by(cols[0], ';'));
	if (format)
		*format = NULL;
	if (n == 0)
		return INGEST_HEADER_OTHER;
	if (is_sales(cols, n))
		return INGEST_HEADER_SALES;
	struct csvin_field *f = NULL;
	char *copy = NULL;
	size_t nf = 0;
	if (delimited) {
		copy = strdup(cols[0]);
		if (copy)
			nf = split_header(copy, delimited_by(cols[0], ',') ? ',' : ';', &f);
	} else {
		f = malloc(n * sizeof *f);
		for (size_t i = 0; f && i < n; i++)
			f[i] = (struct csvin_field){cols[i], strlen(cols[i])};
		nf = f ? n : 0;
	}
	if (nf > 0)
		name = builtin_of(f, nf);
	free(f);
	free(copy);
	if (format)
		*format = name;
	return delimited || name ? INGEST_HEADER_EXPORT : INGEST_HEADER_OTHER;
}
