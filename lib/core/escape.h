/* escape.h - writing data safely into statements meant for people:
 * HTML and Markdown escaping, and payee names made safe as file names.
 *
 * The TSV stream is data and is never altered (tsv.h escapes it); these
 * functions are for the text, Markdown and HTML renderings only.  None of
 * them neutralises spreadsheet formulas: that guard belongs to cells a
 * spreadsheet opens (TSV, CSV), and a page for people shows a refund as
 * -7.86 and a name starting with "=" as it is written. */
#ifndef TALLY_ESCAPE_H
#define TALLY_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "out.h"

#define REPORT_NAME_MAX 100 /* longest safe name, before "-PERIOD.EXT" */
#define REPORT_NAME_CUT 83  /* a longer name keeps this much, then "~" and 16 hex digits */

/* The four formats tally-report writes: the TSV stream is data, the
 * others are for people. */
enum report_format { REPORT_TSV, REPORT_TEXT, REPORT_MD, REPORT_HTML };

/* Write the C string s, a value from the data, as the format needs it:
 * TSV-escaped (tsv.h) and otherwise unchanged in the TSV stream; through
 * report_put_text, report_put_md or report_put_html for people. */
void report_put_data(struct out *o, enum report_format format, const char *s);

/* Text for a terminal or an e-mail: control characters (TAB, LF, CR and
 * the rest of C0 and DEL) become a space. */
void report_put_text(struct out *o, const char *s, size_t len);

/* HTML text or attribute value: & < > " ' become entities, control
 * characters a space. */
void report_put_html(struct out *o, const char *s, size_t len);

/* Text inside a Markdown line (a table cell, a heading, a list item, after
 * a label: never a line's start), escaped only where CommonMark and GFM
 * would read markup there: ` * ~ | [ always get a backslash; _ unless
 * inside a word (snake_case); \ before punctuation or at the end; a
 * heading's closing # run; < that could open raw HTML or an autolink
 * becomes &lt;, & that would start a character reference &amp; (so no
 * raw HTML passes); control characters a space.  Everything else, - . +
 * ! ( ) { } > "Ko-fi" "3.50" "<3" "R&D" included, is written as it is. */
void report_put_md(struct out *o, const char *s, size_t len);

/* Display width of s[0..len) in columns, counting each UTF-8 code point
 * as one (good enough for aligning Latin text). */
size_t report_text_width(const char *s, size_t len);

/* Make name[0..len) a safe single file name component in buf (cap >=
 * REPORT_NAME_MAX + 1).  ASCII letters, digits and . - + , ( ) @ = and
 * bytes >= 0x80 are kept; a space becomes '_'; every other byte
 * (including '/', '_', '%', '~' and control characters) becomes %XX, as
 * do a leading '.' or '-' and the bytes of invisible and bidirectional
 * control code points (U+200B-U+200F, U+202A-U+202E, U+2060-U+2069,
 * U+FEFF), so the result can never be "", ".", "..", look like an option,
 * look like another name, or contain '/', and different names give
 * different results.  A result longer than REPORT_NAME_MAX is cut (on a
 * character boundary) to REPORT_NAME_CUT bytes and gets "~" and 16 hex digits of the
 * whole name's 64-bit FNV-1a hash; an empty name gives "~" and the hash.
 * Distinct long names can still meet (by a hash collision), and names
 * that differ only by case meet on a case-insensitive file system: the
 * caller checks the names it writes.  Returns the length. */
size_t report_safe_name(char *buf, size_t cap, const char *name, size_t len);

#endif
