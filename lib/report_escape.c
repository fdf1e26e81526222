/* report_escape.c - escaping for statements meant for people (see report_escape.h). */
#include "report_escape.h"
#include "tsv.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

bool report_is_formula(const char *s, size_t len)
{
	return len > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@');
}

static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

void report_put_text(struct out *o, const char *s, size_t len)
{
	if (report_is_formula(s, len))
		out_putc(o, '\'');
	for (size_t i = 0; i < len; i++)
		out_putc(o, is_control((unsigned char)s[i]) ? ' ' : s[i]);
}

void report_put_html(struct out *o, const char *s, size_t len)
{
	if (report_is_formula(s, len))
		out_putc(o, '\'');
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

void report_put_md(struct out *o, const char *s, size_t len)
{
	if (report_is_formula(s, len))
		out_putc(o, '\'');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '<')
			out_puts(o, "&lt;");
		else if (c == '&')
			out_puts(o, "&amp;");
		else if (is_control(c))
			out_putc(o, ' ');
		else {
			if (strchr("\\`*_{}[]()#+-.!|~>", c))
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

static uint32_t fnv1a32(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
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

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		char enc[4];
		size_t k;
		if (c == ' ')
			enc[0] = '_', k = 1;
		else if (kept_verbatim(c) && !(i == 0 && c == '.'))
			enc[0] = (char)c, k = 1;
		else
			k = (size_t)snprintf(enc, sizeof enc, "%%%02X", c);
		if (n + k > REPORT_NAME_MAX) {
			cut = true;
			break;
		}
		memcpy(tmp + n, enc, k);
		n += k;
	}
	if (cut || len == 0) {
		size_t keep = n < 90 ? n : 90;
		/* back off to a character boundary: not inside %XX or UTF-8 */
		while (keep > 0 && ((unsigned char)tmp[keep] & 0xc0) == 0x80)
			keep--;
		if (keep >= 1 && tmp[keep - 1] == '%')
			keep -= 1;
		else if (keep >= 2 && tmp[keep - 2] == '%')
			keep -= 2;
		n = keep + (size_t)snprintf(tmp + keep, sizeof tmp - keep, "~%08x",
					    (unsigned)fnv1a32(name, len));
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
