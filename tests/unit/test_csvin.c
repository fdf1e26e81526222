/* test_csvin.c - unit tests of lib/ingest/csvin.c: the physical line each record
 * starts on, and its raw text, under every line-end convention (LF, CRLF,
 * bare CR, a stray CR before an LF), with blank lines and quoted line
 * ends; malformed records name their line too; the encoding a byte order
 * mark proves, and the cp1252 fallback decided by a file's first line
 * that is not ASCII. */
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

/* Read bytes (n of them) with encoding enc; describe each record as
 * "LINE:FIELD0|" (an error "LINE:!ERR|"), then "=ENC" and the line that
 * decided it, in out.  set_after_header: csvin_set_encoding(c, that)
 * after the first record, as a format found by its header does. */
static void decode(const char *bytes, size_t n, enum csvin_encoding enc, int set_after_header, char *out, size_t cap)
{
	char path[] = "/tmp/test_csvin.XXXXXX";
	int fd = mkstemp(path);
	out[0] = '\0';
	if (fd < 0 || write(fd, bytes, n) != (ssize_t)n) {
		snprintf(out, cap, "cannot write %s", path);
		return;
	}
	close(fd);
	struct csvin c;
	if (csvin_open(&c, path, ',', enc) < 0) {
		snprintf(out, cap, "cannot open %s", path);
		unlink(path);
		return;
	}
	size_t len = 0;
	int r;
	for (int k = 0; (r = csvin_next(&c)) != 0 && len < cap; k++) {
		if (r < 0 && errno)
			break;
		if (r < 0)
			len += (size_t)snprintf(out + len, cap - len, "%ld:!%s|", c.line, c.err);
		else
			len += (size_t)snprintf(out + len, cap - len, "%ld:%s|", c.line, c.fields[0].s);
		if (k == 0 && set_after_header >= 0)
			csvin_set_encoding(&c, (enum csvin_encoding)set_after_header);
	}
	if (len < cap)
		snprintf(out + len, cap - len, "=%s@%ld%s", csvin_encoding_name(c.enc), c.enc_line, c.bom ? " bom" : "");
	csvin_close(&c);
	unlink(path);
}

#define DECODE(lit, enc, set, out) decode(lit, sizeof lit - 1, enc, set, out, sizeof out)

static void test_bom_wins(void)
{
	char got[512];
	/* UTF-16LE "a\nb\n" with its BOM, read with cp1252 asked for */
	DECODE("\xff\xfe" "a\0\n\0\xe9\0\n\0", CSVIN_CP1252, -1, got);
	tap_is_str(got, "1:a|2:\xc3\xa9|=utf-16le@0 bom", "a UTF-16LE BOM wins over cp1252 asked for");
	DECODE("\xfe\xff" "\0a\0\n", CSVIN_UTF8, -1, got);
	tap_is_str(got, "1:a|=utf-16be@0 bom", "a UTF-16BE BOM wins over utf-8 asked for");
	DECODE("\xef\xbb\xbf" "a\nCaf\xc3\xa9\n", CSVIN_CP1252, -1, got);
	tap_is_str(got, "1:a|2:Caf\xc3\xa9|=utf-8@0 bom", "a UTF-8 BOM wins over cp1252: no mojibake");
	DECODE("\xef\xbb\xbf" "a\n1\n", CSVIN_UTF16LE, -1, got);
	tap_is_str(got, "1:a|2:1|=utf-8@0 bom", "a UTF-8 BOM wins over utf-16le asked for");
	DECODE("\xef\xbb\xbf" "a\nCaf\xe9\n", CSVIN_CP1252, -1, got);
	tap_is_str(got, "1:a|2:Caf\xe9|=utf-8@0 bom", "after a UTF-8 BOM, bytes not UTF-8 stay as they are (the caller's column check names them)");
}

static void test_fallback(void)
{
	char got[512];
	DECODE("a\nx\nCaf\xe9 \x80\n", CSVIN_CP1252, -1, got);
	tap_is_str(got, "1:a|2:x|3:Caf\xc3\xa9 \xe2\x82\xac|=cp1252@3", "cp1252, decided on line 3: 0x80 is the euro sign");
	DECODE("a\nx\nCaf\xc3\xa9\nd\xc3\xa9j\xc3\xa0\n", CSVIN_CP1252, -1, got);
	tap_is_str(got, "1:a|2:x|3:Caf\xc3\xa9|4:d\xc3\xa9j\xc3\xa0|=utf-8@3", "UTF-8 without a BOM is read as UTF-8 under the fallback");
	DECODE("a\nCaf\xc3\xa9\nCaf\xe9\nz\n", CSVIN_CP1252, -1, got);
	tap_is_str(got,
		   "1:a|2:Caf\xc3\xa9|3:!not UTF-8, though line 2 was and made the file UTF-8 (two files in two encodings "
		   "joined?)|4:z|=utf-8@2",
		   "decided UTF-8, a later cp1252 line is an error naming the deciding line, and reading goes on");
	DECODE("a\n\"x\ny\xe9\"\n", CSVIN_CP1252, -1, got);
	tap_is_str(got, "1:a|2:x\ny\xc3\xa9|=cp1252@3", "decided on the second line of a quoted field");
	DECODE("a\n\"x\ny\xc3\xa9\"\n", CSVIN_CP1252, -1, got);
	tap_is_str(got, "1:a|2:x\ny\xc3\xa9|=utf-8@3", "UTF-8 decided inside a record begun in ASCII");
	DECODE("a\nb\n", CSVIN_CP1252, -1, got);
	tap_is_str(got, "1:a|2:b|=cp1252@0", "all ASCII: never decided (both read it the same)");
	DECODE("a\nCaf\xe9\n", CSVIN_UTF8, -1, got);
	tap_is_str(got, "1:a|2:Caf\xe9|=utf-8@0", "utf-8 asked for is taken as said: no fallback");
	tap_is_int(csvin_encoding_parse("latin1"), CSVIN_CP1252, "latin1 reads as cp1252 (WHATWG)");
	tap_is_int(csvin_encoding_parse("ISO-8859-1"), CSVIN_CP1252, "iso-8859-1 too, case ignored");
	tap_is_int(csvin_encoding_parse("koi8-r"), -1, "an unknown name");
}

static void test_set_after_header(void)
{
	char got[512];
	DECODE("a\nx\xe9\n", CSVIN_UTF8, CSVIN_CP1252, got);
	tap_is_str(got, "1:a|2:x\xc3\xa9|=cp1252@2", "a format's cp1252 after an ASCII header: the fallback");
	DECODE("a\nx\xc3\xa9\n", CSVIN_UTF8, CSVIN_CP1252, got);
	tap_is_str(got, "1:a|2:x\xc3\xa9|=utf-8@2", "a format's cp1252, the file UTF-8: UTF-8");
	DECODE("W\xc3\xa4hrung\nx\xe9\n", CSVIN_UTF8, CSVIN_CP1252, got);
	tap_is_str(got,
		   "1:W\xc3\xa4hrung|2:!not UTF-8, though line 1 was and made the file UTF-8 (two files in two encodings "
		   "joined?)|=utf-8@1",
		   "a header in UTF-8 decides before the format's cp1252");
	DECODE("\xef\xbb\xbf" "a\nx\xe9\n", CSVIN_UTF8, CSVIN_CP1252, got);
	tap_is_str(got, "1:a|2:x\xe9|=utf-8@0 bom", "after a BOM a format's encoding changes nothing");
}

int main(void)
{
	test_line_ends();
	test_stray_cr();
	test_bom_wins();
	test_fallback();
	test_set_after_header();
	return tap_done();
}
