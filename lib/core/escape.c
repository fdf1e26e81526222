/* escape.c - escaping for statements meant for people (see escape.h). */
#include "escape.h"

#include "hash.h"
#include "tsv.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

void report_put_text(struct out *o, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		out_putc(o, is_control((unsigned char)s[i]) ? ' ' : s[i]);
}

void report_put_html(struct out *o, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '&': out_puts(o, "&amp;"); break;
		case '<': out_puts(o, "&lt;"); break;
		case '>': out_puts(o, "&gt;"); break;
		case '"': out_puts(o, "&quot;"); break;
		case '\'': out_puts(o, "&#39;"); break;
		default: out_putc(o, is_control(c) ? ' ' : (char)c);
		}
	}
}

static bool is_ascii_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_ascii_punct(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !is_ascii_alnum(c);
}

/* Whether s[i] ('&') begins a character reference Markdown would decode:
 * &name; &#123; &#x1F; (CommonMark 6.2). */
static bool starts_entity(const char *s, size_t len, size_t i)
{
	size_t j = i + 1;
	int kind = 0; /* 0 name, 1 decimal, 2 hex */
	if (j < len && s[j] == '#') {
		kind = 1, j++;
		if (j < len && (s[j] == 'x' || s[j] == 'X'))
			kind = 2, j++;
	}
	size_t from = j;
	while (j < len && j - from < 32) {
		unsigned char c = (unsigned char)s[j];
		bool ok = kind == 0 ? is_ascii_alnum(c)
			  : kind == 1 ? (c >= '0' && c <= '9')
				      : (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
		if (!ok)
			break;
		j++;
	}
	return j > from && j < len && s[j] == ';';
}

/* A word character for emphasis: '_' between two of them is no emphasis. */
static bool md_word(const char *s, size_t len, size_t i)
{
	return i < len && (is_ascii_alnum((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80);
}

/* Whether s[i] needs a backslash in inline Markdown (CommonMark with the
 * GFM table and strikethrough extensions). */
static bool md_needs_backslash(const char *s, size_t len, size_t i)
{
	unsigned char c = (unsigned char)s[i];
	switch (c) {
	case '`': /* a code span */
	case '*': /* emphasis, also inside a word */
	case '~': /* strikethrough */
	case '|': /* a table cell's end */
	case '[': /* a link or image: without its '[', ] ( ) ! are plain */
		return true;
	case '_': /* emphasis, but not inside a word (snake_case) */
		return !(i > 0 && md_word(s, len, i - 1) && md_word(s, len, i + 1));
	case '\\': /* an escape only before punctuation */
		return i + 1 == len || is_ascii_punct((unsigned char)s[i + 1]);
	case '#': { /* a heading's closing run: # at the end after a space */
		if (i > 0 && s[i - 1] != ' ')
			return false;
		size_t j = i;
		while (j < len && s[j] == '#')
			j++;
		return j == len;
	}
	default:
		return false;
	}
}

void report_put_md(struct out *o, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		unsigned char next = i + 1 < len ? (unsigned char)s[i + 1] : 0;
		if (c == '<' && (((next | 0x20) >= 'a' && (next | 0x20) <= 'z') || next == '/' || next == '!' ||
				 next == '?'))
			out_puts(o, "&lt;"); /* raw HTML or an autolink */
		else if (c == '&' && starts_entity(s, len, i))
			out_puts(o, "&amp;");
		else if (is_control(c))
			out_putc(o, ' ');
		else {
			if (md_needs_backslash(s, len, i))
				out_putc(o, '\\');
			out_putc(o, (char)c);
		}
	}
}

size_t report_text_width(const char *s, size_t len)
{
	size_t w = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			w++;
	return w;
}

/* Bytes of an invisible or direction-changing code point at s[0..len)
 * (zero-width spaces and joiners, LRM/RLM, the bidirectional embeddings,
 * overrides and isolates, word joiners, a BOM), else 0: kept in a file
 * name they would make it look like another ("evil\u202Etxt.exe"). */
static size_t invisible_at(const unsigned char *s, size_t len)
{
	if (len < 3)
		return 0;
	if (s[0] == 0xe2 && s[1] == 0x80 && ((s[2] >= 0x8b && s[2] <= 0x8f) || (s[2] >= 0xaa && s[2] <= 0xae)))
		return 3;
	if (s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xa0 && s[2] <= 0xa9)
		return 3;
	if (s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
		return 3;
	return 0;
}

static bool kept_verbatim(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c >= 0x80 || strchr(".-+,()@=", c) != NULL;
}

size_t report_safe_name(char *buf, size_t cap, const char *name, size_t len)
{
	/* Encode into a scratch buffer big enough for a name cut at the limit;
	 * stop as soon as the limit is passed. */
	char tmp[REPORT_NAME_MAX + 8];
	size_t n = 0;
	bool cut = false;

	size_t invisible = 0; /* bytes left of an invisible code point */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		char enc[4];
		size_t k;
		if (invisible == 0)
			invisible = invisible_at((const unsigned char *)name + i, len - i);
		if (c == ' ')
			enc[0] = '_', k = 1;
		else if (invisible == 0 && kept_verbatim(c) && !(i == 0 && (c == '.' || c == '-')))
			enc[0] = (char)c, k = 1;
		else
			k = (size_t)snprintf(enc, sizeof enc, "%%%02X", c);
		if (invisible > 0)
			invisible--;
		if (n + k > REPORT_NAME_MAX) {
			cut = true;
			break;
		}
		memcpy(tmp + n, enc, k);
		n += k;
	}
	if (cut || len == 0) {
		size_t keep = n < REPORT_NAME_CUT ? n : REPORT_NAME_CUT;
		/* back off to a character boundary: not inside %XX or UTF-8 */
		while (keep > 0 && ((unsigned char)tmp[keep] & 0xc0) == 0x80)
			keep--;
		if (keep >= 1 && tmp[keep - 1] == '%')
			keep -= 1;
		else if (keep >= 2 && tmp[keep - 2] == '%')
			keep -= 2;
		n = keep + (size_t)snprintf(tmp + keep, sizeof tmp - keep, "~%016llx",
					    (unsigned long long)hash_fnv1a(HASH_FNV_OFFSET, name, len));
	}
	if (n + 1 > cap)
		n = cap - 1;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return n;
}

void report_put_data(struct out *o, enum report_format format, const char *s)
{
	size_t len = strlen(s);
	switch (format) {
	case REPORT_TSV: tsv_escape_to(o, s, len); break;
	case REPORT_TEXT: report_put_text(o, s, len); break;
	case REPORT_MD: report_put_md(o, s, len); break;
	case REPORT_HTML: report_put_html(o, s, len); break;
	}
}
