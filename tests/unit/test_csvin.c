/* test_csvin.c - unit tests of lib/ingest/csvin.c: the physical line each record
 * starts on, and its raw text, under every line-end convention (LF, CRLF,
 * bare CR, a stray CR before an LF), with blank lines and quoted line
 * ends; malformed records name their line too. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvin.h"
#include "tap.h"

/* Read text through csvin and describe every record as "LINE:RAW|"
 * (an error as "LINE:!|"), in out. */
static void lines_of(const char *text, char *out, size_t cap)
{
	char path[] = "/tmp/test_csvin.XXXXXX";
	int fd = mkstemp(path);
	size_t n = strlen(text);
	out[0] = '\0';
	if (fd < 0 || write(fd, text, n) != (ssize_t)n) {
		snprintf(out, cap, "cannot write %s", path);
		return;
	}
	close(fd);
	struct csvin c;
	if (csvin_open(&c, path, ',', CSVIN_UTF8) < 0) {
		snprintf(out, cap, "cannot open %s", path);
		unlink(path);
		return;
	}
	size_t len = 0;
	int r;
	while ((r = csvin_next(&c)) != 0 && len < cap) {
		if (r < 0 && errno)
			break;
		if (r < 0)
			len += (size_t)snprintf(out + len, cap - len, "%ld:!|", c.line);
		else
			len += (size_t)snprintf(out + len, cap - len, "%ld:%.*s|", c.line, (int)c.raw_len, c.raw);
	}
	csvin_close(&c);
	unlink(path);
}

static void test_line_ends(void)
{
	char got[512];
	lines_of("a,b\n1,2\n3,4\n", got, sizeof got);
	tap_is_str(got, "1:a,b|2:1,2|3:3,4|", "LF");
	lines_of("a,b\r\n1,2\r\n3,4\r\n", got, sizeof got);
	tap_is_str(got, "1:a,b|2:1,2|3:3,4|", "CRLF");
	lines_of("a,b\r1,2\r3,4\r", got, sizeof got);
	tap_is_str(got, "1:a,b|2:1,2|3:3,4|", "a bare CR");
	lines_of("a,b\r1,2\r\r3,4\r", got, sizeof got);
	tap_is_str(got, "1:a,b|2:1,2|4:3,4|", "a bare CR with a blank line: counted");
	lines_of("a,b\n\n1,2\n\r\n3,4", got, sizeof got);
	tap_is_str(got, "1:a,b|3:1,2|5:3,4|", "blank lines counted, no line end at the end of the file");
}

static void test_stray_cr(void)
{
	char got[512];
	/* "\r\r\n" is one line end, as an editor shows it: the stray CR was
	 * once taken for a bare-CR file and every line after counted twice */
	lines_of("a,b\r\r\n1,2\r\n3,4\r\n", got, sizeof got);
	tap_is_str(got, "1:a,b|2:1,2|3:3,4|", "a stray CR on the header line: still one line each");
	lines_of("a,b\r\r\n1,2\r\r\n3,4\r\r\n", got, sizeof got);
	tap_is_str(got, "1:a,b|2:1,2|3:3,4|", "every line \\r\\r\\n");
	lines_of("a,b\r\n1,2\r\r\n3,4\r\n", got, sizeof got);
	tap_is_str(got, "1:a,b|2:1,2|3:3,4|", "a stray CR on a later line");
	lines_of("a,b\n1,2\r\r\n3,4\n", got, sizeof got);
	tap_is_str(got, "1:a,b|2:1,2|3:3,4|", "a stray CR in an LF file");
	lines_of("a,b\r\r\n1,\"x\r\ny\"\r\n3,4\r\n", got, sizeof got);
	tap_is_str(got, "1:a,b|2:1,\"x\r\ny\"|4:3,4|", "a quoted line end after a stray CR: the record after it on line 4");
	lines_of("a,b\r\r\n1,\"2\r\n3,4\r\n", got, sizeof got);
	tap_is_str(got, "1:a,b|2:!|", "an unclosed quote after a stray CR: the error on its own line");
}

int main(void)
{
	test_line_ends();
	test_stray_cr();
	return tap_done();
}
