/* diag.c - the pure half of diag.h: the program name and quoting values for
 * messages.  What prints or exits is command support, in cmdsupport.c. */
#include "diag.h"

#include <stdio.h>
#include <string.h>

const char *diag_prog = "tally";

char *diag_quote(char *buf, size_t cap, const char *value, size_t len)
{
	static const size_t shown_max = 60;
	size_t o = 0;

	if (cap < 8) {
		if (cap)
			buf[0] = '\0';
		return buf;
	}
	buf[o++] = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];
		char esc[8];
		size_t n;

		if (i >= shown_max) {
			if (o + 5 < cap)
				o += (size_t)snprintf(buf + o, cap - o, "...");
			break;
		}
		if (c == '"' || c == '\\')
			n = (size_t)snprintf(esc, sizeof esc, "\\%c", c);
		else if (c == '\t')
			n = (size_t)snprintf(esc, sizeof esc, "\\t");
		else if (c == '\n')
			n = (size_t)snprintf(esc, sizeof esc, "\\n");
		else if (c == '\r')
			n = (size_t)snprintf(esc, sizeof esc, "\\r");
		else if (c < 0x20 || c == 0x7f)
			n = (size_t)snprintf(esc, sizeof esc, "\\x%02x", c);
		else
			esc[0] = (char)c, esc[1] = '\0', n = 1;
		if (o + n + 2 >= cap)
			break;
		memcpy(buf + o, esc, n);
		o += n;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}
