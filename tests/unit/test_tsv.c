/* test_tsv.c - unit tests of the stream reader and writer (lib/core/tsv.c),
 * checked output (lib/core/out.c) and value quoting (lib/core/diag.c).
 *
 * Plan: escape/unescape round trip over random bytes; each malformed row
 * kind with its exact message and line; CRLF and a missing final LF; a
 * 1 MB field; several files with equal and unequal headers; the reader
 * continuing after a bad row; the writer's escapes; atomic files. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "out.h"
#include "tap.h"
#include "tsv.h"

static char tmpdir[] = "/tmp/test_tsv.XXXXXX";

/* Write content to a new file in tmpdir; returns its path (static slot). */
static const char *write_file(const char *name, const char *content, size_t len)
{
	static char paths[8][256];
	static int slot;
	char *p = paths[slot++ % 8];
	snprintf(p, 256, "%s/%s", tmpdir, name);
	FILE *f = fopen(p, "wb");
	fwrite(content, 1, len, f);
	fclose(f);
	return p;
}

/* Escape with the writer into a file, read the bytes back, unescape. */
static void test_escape_round_trip(void)
{
	int fails = 0;
	for (int round = 0; round < 2000; round++) {
		char field[64], back[160];
		size_t len = tap_rand() % sizeof field;
		/* half the fields of any byte, half rich in the escaped ones */
		for (size_t i = 0; i < len; i++) {
			static const char alphabet[] = "ab\t\n\r\\\\tnr x\xc3\xa9";
			uint64_t x = tap_rand();
			field[i] = round % 2 ? (char)(x & 0xff)
					     : alphabet[(x >> 8) % (sizeof alphabet - 1)];
		}
		struct out o;
		char path[300];
		snprintf(path, sizeof path, "%s/rt", tmpdir);
		out_open_file(&o, path);
		tsv_escape_to(&o, field, len);
		out_close(&o);
		FILE *f = fopen(path, "rb");
		size_t n = fread(back, 1, sizeof back, f);
		fclose(f);
		if (memchr(back, '\t', n) || memchr(back, '\n', n) || memchr(back, '\r', n))
			fails++;
		size_t u = tsv_unescape(back, n);
		if (u != len || memcmp(back, field, len) != 0)
			fails++;
	}
	tap_is_int(fails, 0, "escape then unescape gives any bytes back (2000 random fields)");
}

/* Read a one-file stream; return "rc:line:err" of the first bad row. */
static void expect_bad(const char *content, long want_line, const char *want_err, const char *name)
{
	const char *p = write_file("bad.tsv", content, strlen(content));
	char *paths[] = {(char *)p};
	struct tsv_reader r;
	int rc = tsv_open(&r, paths, 1);
	if (rc == 0)
		while ((rc = tsv_next(&r)) == 1)
			;
	tap_is_int(rc, -1, "%s: an error", name);
	tap_is_int(r.line, want_line, "%s: at line %ld", name, want_line);
	tap_is_str(r.err, want_err, "%s: message", name);
	tsv_close(&r);
}

static void test_malformed(void)
{
	expect_bad("a\tb\n1\t2\n3\n", 3, "1 field where the header has 2", "too few fields");
	expect_bad("a\tb\n1\t2\t3\n", 2, "3 fields where the header has 2", "too many fields");
	expect_bad("a\tb\n1\t2\n3", 3,
		   "1 field where the header has 2, and no line end: the input stops inside a row (did the command "
		   "writing it fail?)",
		   "a short last line without its line end: a writer that stopped half way");
	expect_bad("a\tb\n1\t2\t3", 2, "3 fields where the header has 2", "a long last line without one: no such guess");
	expect_bad("a\tb\n1\tx\\\\\\q\n", 2,
		   "column \"b\": invalid escape \"\\q\" (only \\t \\n \\r \\\\ are allowed)",
		   "bad escape, named");
	expect_bad("a\tb\n1\tx\\\n", 2,
		   "column \"b\": invalid escape (only \\t \\n \\r \\\\ are allowed)",
		   "trailing backslash");
	expect_bad("a\tb\n1\\x\tx\n", 2,
		   "column \"a\": invalid escape \"\\x\" (only \\t \\n \\r \\\\ are allowed)",
		   "bad escape in the first column");
	expect_bad("a\tb\n1\tx\xff\n", 2, "column \"b\": invalid UTF-8 (byte 4 of the line)",
		   "invalid UTF-8");
	expect_bad("a\tb\n1\t\xed\xa0\x80\n", 2, "column \"b\": invalid UTF-8 (byte 3 of the line)",
		   "UTF-16 surrogate");
	expect_bad("a\tb\n1\t\xc0\xaf\n", 2, "column \"b\": invalid UTF-8 (byte 3 of the line)",
		   "overlong UTF-8");
	expect_bad("a\xff\tb\n1\t2\n", 1, "header field 1: invalid UTF-8 (byte 2 of the line)",
		   "invalid UTF-8 in the header");
	{
		static const char nul[] = "a\tb\n1\tx\0y\n";
		const char *p = write_file("nul.tsv", nul, sizeof nul - 1);
		char *paths[] = {(char *)p};
		struct tsv_reader r;
		int rc = tsv_open(&r, paths, 1);
		rc = rc == 0 ? tsv_next(&r) : rc;
		tap_is_int(rc, -1, "NUL byte: an error");
		tap_is_str(r.err, "column \"b\": NUL byte (byte 4 of the line)", "NUL byte: message");
		tsv_close(&r);
	}
	expect_bad("a\ta\n1\t2\n", 1, "header: column \"a\" appears twice", "duplicate column");
	expect_bad("a\t\n1\t2\n", 1, "header: column 2 has no name", "empty column name");
	expect_bad("", 0, "empty input: no header line", "empty input");
}

static void test_bom(void)
{
	static const char content[] = "\xef\xbb\xbfmatch\tshare\n*\t1\n";
	const char *p = write_file("bom.tsv", content, sizeof content - 1);
	char *paths[] = {(char *)p};
	struct tsv_reader r;
	tap_is_int(tsv_open(&r, paths, 1), 0, "a header with a byte order mark opens");
	tap_is_int(tsv_col(&r, "match"), 0, "the mark is not part of the first name");
	tsv_close(&r);
}

static void test_good_rows(void)
{
	static const char content[] = "name\tnote\r\nx\\ty\tline\\none\r\n\\\\\t\nlast\tno-newline";
	const char *p = write_file("good.tsv", content, sizeof content - 1);
	char *paths[] = {(char *)p};
	struct tsv_reader r;

	tap_is_int(tsv_open(&r, paths, 1), 0, "open a good file");
	tap_is_int(r.ncols, 2, "two columns");
	tap_is_str(r.cols[1], "note", "CR stripped from the header");
	tap_is_int(tsv_col(&r, "note"), 1, "column found by name");
	tap_is_int(tsv_col(&r, "nope"), -1, "missing column is -1");
	tap_is_int(tsv_next(&r), 1, "row 1");
	tap_is_str(r.fields[0].s, "x\ty", "\\t unescaped");
	tap_is_str(r.fields[1].s, "line\none", "\\n unescaped, CRLF accepted");
	tap_is_int(r.raw_len, strlen("x\\ty\tline\\none"), "raw line kept as read");
	tap_is_int(tsv_next(&r), 1, "row 2");
	tap_is_str(r.fields[0].s, "\\", "\\\\ unescaped");
	tap_is_int(r.fields[1].len, 0, "empty last field");
	tap_is_int(tsv_next(&r), 1, "row 3 without a final newline");
	tap_is_str(r.fields[1].s, "no-newline", "last line read");
	tap_is_int(r.line, 4, "line numbers count the header");
	tap_is_int(tsv_next(&r), 0, "end");
	tsv_close(&r);
}

/* pad_short: a row short of the header's fields gets empty ones; a long
 * one is still an error. */
static void test_pad_short(void)
{
	static const char content[] = "a\tb\tc\n1\n2\t3\n4\t5\t6\t7\n";
	const char *p = write_file("pad.tsv", content, sizeof content - 1);
	char *paths[] = {(char *)p};
	struct tsv_reader r;
	tap_is_int(tsv_open(&r, paths, 1), 0, "open");
	r.pad_short = true;
	tap_is_int(tsv_next(&r), 1, "a row of one field of three");
	tap_ok(strcmp(r.fields[0].s, "1") == 0 && r.fields[1].len == 0 && r.fields[2].len == 0 &&
		       r.fields[2].s[0] == '\0',
	       "  padded with two empty fields");
	tap_is_int(tsv_next(&r), 1, "a row of two");
	tap_ok(strcmp(r.fields[1].s, "3") == 0 && r.fields[2].len == 0, "  padded with one");
	tap_is_int(tsv_next(&r), -1, "a row of four is still an error");
	tap_is_str(r.err, "4 fields where the header has 3", "  saying so");
	tsv_close(&r);
}

/* Non-ASCII text is valid; a raw CR inside a line is data, written back
 * escaped; a clean row is passed through as read. */
static void test_pass_through(void)
{
	static const char content[] = "a\tb\ncaf\xc3\xa9\tx\ry\nplain\tz\nt\\tab\tb\\\\s\n";
	const char *p = write_file("pt.tsv", content, sizeof content - 1);
	char *paths[] = {(char *)p}, out_path[300], back[128];
	struct tsv_reader r;
	struct tsv_writer w;
	struct out o;

	snprintf(out_path, sizeof out_path, "%s/pt.out", tmpdir);
	tsv_open(&r, paths, 1);
	out_open_file(&o, out_path);
	tsv_writer_init(&w, &o);
	tap_is_int(tsv_next(&r), 1, "a row with UTF-8 text is valid");
	tap_is_str(r.fields[0].s, "caf\xc3\xa9", "UTF-8 kept");
	tap_is_str(r.fields[1].s, "x\ry", "a raw CR inside a field is data");
	tap_ok(!r.fields[1].plain && r.fields[0].plain, "only the field with a CR needs escaping");
	tsv_put_row(&w, &r);
	tsv_end_row(&w);
	tap_is_int(tsv_next(&r), 1, "a clean row");
	tap_ok(r.clean, "is marked clean");
	tsv_put_row(&w, &r);
	tsv_end_row(&w);
	tap_is_int(tsv_next(&r), 1, "a row with escapes");
	tap_ok(r.clean && !r.fields[0].plain, "escapes alone leave a row clean");
	tsv_put_row(&w, &r);
	tsv_end_row(&w);
	out_close(&o);
	tsv_close(&r);
	FILE *f = fopen(out_path, "rb");
	size_t n = fread(back, 1, sizeof back - 1, f);
	fclose(f);
	back[n] = '\0';
	tap_is_str(back, "caf\xc3\xa9\tx\\ry\nplain\tz\nt\\tab\tb\\\\s\n",
		   "rows written back as read, the raw CR escaped");
}

static void test_continue_after_error(void)
{
	static const char content[] = "a\tb\n1\n2\t3\n";
	const char *p = write_file("cont.tsv", content, sizeof content - 1);
	char *paths[] = {(char *)p};
	struct tsv_reader r;
	tsv_open(&r, paths, 1);
	tap_is_int(tsv_next(&r), -1, "bad row");
	tap_is_int(tsv_next(&r), 1, "the next row is read after a bad one");
	tap_is_str(r.fields[1].s, "3", "its fields");
	tap_is_int(r.line, 3, "its line");
	tsv_close(&r);
}

static void test_big_field(void)
{
	size_t n = 1 << 20;
	char *content = malloc(n + 16);
	memcpy(content, "big\n", 4);
	memset(content + 4, 'x', n);
	content[4 + n] = '\n';
	const char *p = write_file("big.tsv", content, n + 5);
	char *paths[] = {(char *)p};
	struct tsv_reader r;
	tsv_open(&r, paths, 1);
	tap_is_int(tsv_next(&r), 1, "a 1 MB field is read");
	tap_is_int(r.fields[0].len, n, "whole");
	tsv_close(&r);
	free(content);
}

static void test_many_files(void)
{
	char *paths[3];
	struct tsv_reader r;
	int rows = 0, rc;

	paths[0] = xstrdup(write_file("f1.tsv", "a\tb\n1\t2\n", 8));
	paths[1] = xstrdup(write_file("f2.tsv", "a\tb\n3\t4\n5\t6\n", 12));
	paths[2] = xstrdup(write_file("f3.tsv", "a\tc\n7\t8\n", 8));
	tsv_open(&r, paths, 3);
	while ((rc = tsv_next(&r)) == 1)
		rows++;
	tap_is_int(rows, 3, "rows of files with the same header are read in turn");
	tap_is_int(rc, -1, "a file with another header is an error");
	tap_is_str(r.err, "header differs from the first file's", "its message");
	tap_ok(strstr(r.file, "f3.tsv") != NULL, "it names the third file");
	tsv_close(&r);

	char *missing[] = {paths[0], (char *)"/nonexistent/x.tsv"};
	tsv_open(&r, missing, 2);
	while ((rc = tsv_next(&r)) == 1)
		;
	tap_ok(rc == -1 && errno == ENOENT, "a missing later file is an open error");
	tap_is_str(r.file, "/nonexistent/x.tsv", "named");
	tsv_close(&r);
	for (int i = 0; i < 3; i++)
		free(paths[i]);
}

static void test_writer(void)
{
	char path[300], back[256];
	struct out o;
	struct tsv_writer w;

	snprintf(path, sizeof path, "%s/w.tsv", tmpdir);
	tap_is_int(out_open_file(&o, path), 0, "atomic file opened");
	tsv_writer_init(&w, &o);
	tsv_put_str(&w, "a\tb");
	tsv_put_int(&w, -42);
	tsv_putf(&w, "%s=%d", "x", 1);
	tsv_end_row(&w);
	struct stat st;
	tap_ok(stat(path, &st) < 0, "the target does not exist before close");
	tap_is_int(out_close(&o), 0, "close commits");
	FILE *f = fopen(path, "rb");
	size_t n = fread(back, 1, sizeof back - 1, f);
	fclose(f);
	back[n] = '\0';
	tap_is_str(back, "a\\tb\t-42\tx=1\n", "fields escaped and separated");

	tap_is_int(out_open_file(&o, "/nonexistent/dir/x"), -1, "missing folder fails to open");
	out_open_file(&o, path);
	out_puts(&o, "replaced");
	out_abort(&o);
	f = fopen(path, "rb");
	n = fread(back, 1, sizeof back - 1, f);
	fclose(f);
	back[n] = '\0';
	tap_is_str(back, "a\\tb\t-42\tx=1\n", "an aborted write leaves the old file whole");

	int fd = open("/dev/full", O_WRONLY);
	if (fd >= 0) {
		out_open_fd(&o, fd, "/dev/full");
		out_puts(&o, "x");
		tap_is_int(out_close(&o), -1, "a write to /dev/full fails at close");
		tap_is_int(errno, ENOSPC, "with ENOSPC");
		close(fd);
	}
}

/* Devices and FIFOs are written in place; through a link, the file it
 * points to is replaced and the link stays. */
static void test_special_targets(void)
{
	struct out o;
	struct stat st;
	char target[300], link_path[300], back[64];

	tap_is_int(out_open_file(&o, "/dev/null"), 0, "/dev/null opens");
	out_puts(&o, "x");
	tap_is_int(out_close(&o), 0, "and closes");
	tap_ok(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode), "/dev/null is still a device");

	snprintf(target, sizeof target, "%s/target", tmpdir);
	snprintf(link_path, sizeof link_path, "%s/link", tmpdir);
	write_file("target", "old\n", 4);
	chmod(target, 0640);
	tap_is_int(symlink(target, link_path), 0, "a link to a file");
	out_open_file(&o, link_path);
	out_puts(&o, "new\n");
	tap_is_int(out_close(&o), 0, "written through the link");
	tap_ok(lstat(link_path, &st) == 0 && S_ISLNK(st.st_mode), "the link is still a link");
	FILE *f = fopen(target, "rb");
	size_t n = fread(back, 1, sizeof back - 1, f);
	fclose(f);
	back[n] = '\0';
	tap_is_str(back, "new\n", "the file it points to was replaced");
	tap_ok(stat(target, &st) == 0 && (st.st_mode & 0777) == 0640, "keeping its mode");
}

static void test_quote(void)
{
	char buf[128];
	tap_is_str(diag_quote(buf, sizeof buf, "12,3x", 5), "\"12,3x\"", "plain value quoted");
	tap_is_str(diag_quote(buf, sizeof buf, "a\tb\"", 4), "\"a\\tb\\\"\"", "controls escaped");
	char longv[100];
	memset(longv, 'y', sizeof longv);
	diag_quote(buf, sizeof buf, longv, sizeof longv);
	tap_ok(strlen(buf) < 70 && strstr(buf, "...\"") != NULL, "long value cut");
}

static int errors_seen; /* on_error calls, for test_out_fail */

static void count_error(const struct out *o, int e)
{
	(void)o;
	if (e == ENOMEM)
		errors_seen++;
}

/* out_fail records an error as a failed write would: the hook hears it,
 * out_close fails with it, and nothing is printed or exited. */
static void test_out_fail(void)
{
	char path[300];
	snprintf(path, sizeof path, "%s/fail.tsv", tmpdir);
	struct out o;
	tap_is_int(out_open_file(&o, path), 0, "out_fail: file opened");
	o.on_error = count_error;
	out_puts(&o, "kept back\n");
	out_fail(&o, ENOMEM);
	out_fail(&o, EIO);
	tap_is_int(errors_seen, 1, "out_fail: on_error called with the errno");
	errno = 0;
	tap_is_int(out_close(&o), -1, "out_fail: out_close fails");
	tap_is_int(errno, ENOMEM, "out_fail: the first error is the one reported");
	tap_ok(access(path, F_OK) != 0, "out_fail: the atomic file never appears");
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	test_escape_round_trip();
	test_malformed();
	test_good_rows();
	test_pad_short();
	test_bom();
	test_continue_after_error();
	test_pass_through();
	test_big_field();
	test_many_files();
	test_writer();
	test_special_targets();
	test_quote();
	test_out_fail();
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
