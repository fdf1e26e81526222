/* csvin.h - streaming CSV input for platform exports, over libcsv.
 *
 * Reads one file (or stdin) record by record with memory bounded by the
 * longest record.  On top of libcsv it adds what exports need and libcsv
 * lacks: the physical line number where each record starts, the record's
 * raw text (for --rejects), transcoding (UTF-8 with or without a BOM,
 * UTF-16LE/BE with a BOM, cp1252) to UTF-8, LF, CRLF and CR-only
 * line ends, and a separator that is ',' ';' TAB or guessed from the first
 * line.  libcsv runs with CSV_STRICT | CSV_STRICT_FINI, so a stray quote or
 * a quoted field left open at the end of the file is an error, never a
 * silently shortened row.
 *
 * Encodings: a byte order mark is proof of the encoding and always wins
 * over the one asked for.  Without one, cp1252 is a fallback, decided once
 * per file on its first line holding a byte >= 0x80: when that line is
 * valid UTF-8 the file is read as UTF-8 (and a later line that is not is a
 * data error), else as cp1252.  UTF-8 and UTF-16 asked for are taken as
 * said.  The names latin1 and iso-8859-1 read as cp1252, as the WHATWG
 * Encoding Standard has every browser read them: the two differ only in
 * 0x80-0x9F, C1 controls in ISO-8859-1 (never text) and the euro sign,
 * quotes and dashes in cp1252.
 *
 * Ownership: the caller owns struct csvin; fields and raw point into its
 * buffers and stay valid until the next csvin_next or csvin_close. */
#ifndef TALLY_CSVIN_H
#define TALLY_CSVIN_H

#include <csv.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum csvin_encoding {
	CSVIN_AUTO,    /* a BOM decides (UTF-8, UTF-16LE, UTF-16BE); none: UTF-8 */
	CSVIN_UTF8,
	CSVIN_CP1252,  /* Windows-1252 (also said latin1, iso-8859-1): a fallback, see above */
	CSVIN_UTF16LE,
	CSVIN_UTF16BE,
};

struct csvin_field {
	const char *s; /* UTF-8 bytes (if the input was), NUL-terminated */
	size_t len;    /* bytes, excluding the terminator */
};

struct csvin {
	/* public, read-only */
	const char *file;            /* display name: the path, or "<stdin>" */
	long line;                   /* physical line where the current record starts (1-based) */
	size_t nfields;              /* fields in the current record */
	struct csvin_field *fields;  /* the current record's fields */
	const char *raw;             /* the record's text (after transcoding), without its line end */
	size_t raw_len;              /* length of raw */
	int sep;                     /* the separator in use */
	enum csvin_encoding enc;     /* the encoding in use (never CSVIN_AUTO after open) */
	bool bom;                    /* the file began with a byte order mark (it decided enc) */
	bool enc_pending;            /* enc is cp1252 until a line not ASCII says UTF-8 or not */
	long enc_line;               /* the line whose bytes decided between UTF-8 and cp1252, or 0 */
	char err[256];               /* after a data error: what went wrong */
	uint64_t bytes_read;         /* bytes read from the file so far (for progress) */

	/* private */
	int fd;                      /* input; closed by csvin_close unless stdin */
	bool eof;                    /* read(2) returned 0 */
	bool done;                   /* csv_fini has run */
	bool cr_mode;                /* lines end with a bare CR */
	bool in_record;              /* a record is open across lines */
	bool rec_ready;              /* libcsv completed a record during the last feed */
	int rec_count_in_feed;       /* records completed in one feed (> 1: stray CR) */
	struct csv_parser parser;    /* libcsv state */
	unsigned char *in;           /* raw bytes read (UTF-16 only: before transcoding) */
	size_t in_len, in_cap;
	char *buf;                   /* text being split into lines */
	size_t buf_start, buf_end, buf_cap;
	char *line_tx;               /* one line transcoded from cp1252/latin-1 */
	size_t line_tx_cap;
	long next_line;              /* number of the next physical line to feed */
	char *fbuf;                  /* field bytes of the current record, each NUL-terminated */
	size_t fbuf_len, fbuf_cap;
	size_t *foff;                /* offsets of fields in fbuf */
	size_t *flen;                /* lengths of fields */
	size_t fcap;                 /* capacity of foff/flen/fields */
	size_t nf;                   /* fields collected so far */
	long rec_start;              /* line where the open record started */
	size_t rec_off;              /* offset in buf of the open record's first line */
	const bool *want;            /* csvin_want: the columns to copy (borrowed), or NULL */
	size_t nwant;
	size_t *want_idx;            /* the wanted column indexes (owned) */
	size_t nwant_idx;
	bool oom;                    /* a callback ran out of memory */
	char *rawbuf;                /* the lines of the current record */
	size_t rawbuf_len, rawbuf_cap;
};

/* Open PATH ("-" or NULL: stdin, named "<stdin>") with separator sep
 * (',' ';' '\t', or 0 to guess from the first line) and encoding enc
 * (a BOM wins over it; CSVIN_CP1252 is a fallback: see the top).
 * Returns 0, or -1 with errno set when the file cannot be opened or read
 * (c->file names it).  The struct must be closed either way. */
int csvin_open(struct csvin *c, const char *path, int sep, enum csvin_encoding enc);

/* Change the single-byte encoding (UTF-8, or cp1252 as a fallback) for
 * the lines not yet read; used once the header has told which format a
 * file is in.  No effect after a BOM or once a line not ASCII has decided
 * (the record just read counts: a header not ASCII decides it). */
void csvin_set_encoding(struct csvin *c, enum csvin_encoding enc);

/* Copy only the fields whose want[i] is true (and none past n); the
 * others read as empty.  Saves copying the columns nobody reads.  want is
 * borrowed until csvin_close or the next csvin_want (NULL: all). */
void csvin_want(struct csvin *c, const bool *want, size_t n);

/* Read the next record.  Returns 1 (c->fields, c->nfields, c->line,
 * c->raw set), 0 at end of input, or -1: errno != 0 for a read error,
 * errno == 0 for malformed CSV (c->err says what; c->line and c->raw
 * describe the bad record).  After a data error the next call goes on with
 * the following line, so a caller with --rejects can continue. */
int csvin_next(struct csvin *c);

/* Release everything (safe after a failed open). */
void csvin_close(struct csvin *c);

/* "utf-8", "cp1252" (also "windows-1252", "latin1", "latin-1",
 * "iso-8859-1": one decoding, see the top), "utf-16le", "utf-16be",
 * "auto" -> the encoding; -1 if none (case is ignored). */
int csvin_encoding_parse(const char *name);

/* The name of an encoding, as csvin_encoding_parse reads it. */
const char *csvin_encoding_name(enum csvin_encoding enc);

#endif
