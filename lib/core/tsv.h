/* tsv.h - the tally stream: reading and writing TSV as tally.7 defines it.
 *
 * A stream is UTF-8, one header line of unique column names, then rows of
 * the same number of TAB-separated fields, LF line ends (CRLF accepted on
 * input).  Inside a field TAB, LF, CR and backslash are written \t \n \r \\.
 *
 * The reader reads one or more files in turn (all must share the first
 * file's header), validates and unescapes each row into its own buffer and
 * hands out NUL-terminated fields that stay valid until the next call.
 * It does no per-row allocation: memory grows only with the longest line. */
#ifndef TALLY_TSV_H
#define TALLY_TSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "out.h"

struct tsv_field {
	const char *s; /* unescaped, NUL-terminated (may contain no NUL: rejected) */
	size_t len;    /* bytes, excluding the terminator */
	bool plain;    /* read with no escape and no CR: writes out unchanged */
};

struct tsv_reader {
	/* public, read-only */
	const char *file;         /* display name of the current file: path or "<stdin>" */
	long line;                /* line number of the current row in that file (header = 1) */
	size_t ncols;             /* number of columns in the header */
	char **cols;              /* header names, unescaped (owned) */
	struct tsv_field *fields; /* current row: ncols fields */
	const char *raw;          /* current line exactly as read, without its line end */
	size_t raw_len;           /* length of raw */
	const char *raw_header;   /* the first file's header line as read */
	char err[512];            /* after a -1: the message, without "prog: FILE:LINE: " */
	bool clean;               /* no raw CR in the line: re-escaping its fields gives it back */
	bool pad_short;           /* set by the caller: a row short of the header's fields gets empty
	                           * ones (a hand-written file whose trailing columns are optional) */
	uint64_t bytes_read;      /* bytes read from every file so far (for progress) */

	/* private */
	char **paths;             /* files to read in turn */
	size_t npaths, next_path;
	int fd;
	bool is_stdin;
	char *buf;                /* read buffer */
	size_t buf_cap, buf_start, buf_end;
	bool eof;
	bool unended;             /* the current line is the input's last, without its line end */
	char *row;                /* unescaped copy of the current line */
	size_t row_cap;
	char *rawcopy;            /* raw header copy */
	struct tsv_field *fieldbuf;
	size_t field_cap;
	size_t header_len;
};

/* Open the files in paths[0..n) (n == 0 means stdin; "-" names stdin) and
 * read the header of the first.  paths are borrowed for the reader's life.
 * Returns 0; -1 when a file cannot be opened (errno set, r->file names it:
 * report "prog: FILE: strerror" and exit 2) or the header is bad (errno 0,
 * r->err says why: report with r->file and line 1, exit 1).  On -1 the
 * reader must still be closed. */
int tsv_open(struct tsv_reader *r, char *const *paths, size_t n);

/* Read the next row into r->fields.  Returns 1 for a row, 0 at the end of
 * the last file, -1 on error: errno != 0 for an I/O or open error on a
 * later file (r->file names it); errno == 0 for bad data at r->file:r->line
 * with r->err saying what (wrong field count, bad escape, NUL, invalid
 * UTF-8, a later file with another header).  After a data error the next
 * call goes on with the following line, so a caller with --rejects can
 * record r->raw and continue. */
int tsv_next(struct tsv_reader *r);

/* Index of the column named name, or -1. */
int tsv_col(const struct tsv_reader *r, const char *name);

/* Command support (cmdsupport.c): like tsv_col, but a missing column dies:
 * "prog: FILE: missing column "NAME" (header: a, b, c)" and exit 2. */
int tsv_col_or_die(const struct tsv_reader *r, const char *name);

/* Release everything (safe after a failed open). */
void tsv_close(struct tsv_reader *r);

/* Writing.  Fields are separated by TAB automatically: the first field of a
 * row is the one after tsv_end_row (or at start). */
struct tsv_writer {
	struct out *o;   /* destination (borrowed) */
	bool in_row;     /* a field has been written on this row */
};

void tsv_writer_init(struct tsv_writer *w, struct out *o);
/* One field, escaped. */
void tsv_put(struct tsv_writer *w, const char *s, size_t len);
void tsv_put_str(struct tsv_writer *w, const char *s);
void tsv_put_int(struct tsv_writer *w, long long v);
/* A money amount in micro-units with at least `digits` decimals (money.h). */
void tsv_put_money(struct tsv_writer *w, int64_t micros, int digits);
/* printf output as one field, escaped. */
void tsv_putf(struct tsv_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Every field of the reader's current row, re-escaped. */
void tsv_put_row(struct tsv_writer *w, const struct tsv_reader *r);
/* The reader's header names. */
void tsv_put_header(struct tsv_writer *w, const struct tsv_reader *r);
/* End the row with LF. */
void tsv_end_row(struct tsv_writer *w);

/* Escape s[0..len) as a field into o (no separator). */
void tsv_escape_to(struct out *o, const char *s, size_t len);

/* Unescape in place; returns the new length, or (size_t)-1 on an invalid
 * escape (a backslash not followed by t n r or \). */
size_t tsv_unescape(char *s, size_t len);

/* Whether s[0..len) is valid UTF-8 with no NUL byte. */
bool tsv_valid_utf8(const char *s, size_t len);

/* For a line read as one field (no TAB): why it looks like another
 * format ("it looks comma-separated", "... semicolon-separated", "...
 * aligned with spaces"), or NULL.  For "must be TAB-separated" messages. */
const char *tsv_separator_hint(const char *line);

#endif
