/* ingest_run.h - the engine of tally-ingest: exports read one file after
 * another into the canonical sales stream.
 *
 * For each file: the header is found (within the first lines, past a
 * preamble) and matched against the built-in formats, or the one named by
 * --format, or a --map mapping (ingest_detect.c); every record becomes
 * canonical rows, which are filtered by date, linked to their sale (a
 * refund takes its sale's product), de-duplicated on their key
 * (ingest_row.h) and written, or staged for --sort.  --explain-format says
 * how a file is read instead (ingest_explain.c).
 *
 * Library code: no printing, no exits.  A failure returns the exit status
 * it calls for (EXIT_DATA, EXIT_USAGE of diag.h) with the whole message,
 * "FILE:LINE: reason" for data errors, in run.err; the command prints it
 * and exits.  Warnings and rejected rows go to the caller's hooks. */
#ifndef TALLY_INGEST_RUN_H
#define TALLY_INGEST_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csvin.h"
#include "extsort.h"
#include "ingest_dedupe.h"
#include "ingest_hold.h"
#include "ingest_item.h"
#include "ingest_link.h"
#include "ingest_map.h"
#include "out.h"
#include "progress.h"
#include "tsv.h"

#define INGEST_HEADER_SEARCH 20     /* records looked at for a header (preamble lines) */
#define INGEST_HOLD_BYTES (8 << 20) /* each hold's rows in memory, past it spilled (ingest_hold.h) */
#define INGEST_ERR_MAX 8192         /* room for a message naming a file */

/* What the command line asked for. */
struct ingest_options {
	const char *format;     /* --format */
	const char *map;        /* --map */
	const char *rejects;    /* --rejects */
	const char *output;     /* --output, NULL: stdout */
	char currency[4];       /* --currency, upper case; "" if not given */
	int encoding;           /* --encoding, CSVIN_AUTO if not given */
	bool encoding_given;    /* --encoding named one (not auto) */
	int sep;                /* --separator, 0: guess */
	bool have_since, have_until;
	int64_t since, until;   /* [since, until) */
	bool sort;              /* --sort: the output by date */
	bool lenient;           /* --lenient: a net that is not gross - fee, a required totals row missing: warnings */
	bool keep_duplicates;   /* --keep-duplicates: no duplicate set */
	bool keep_pii;          /* --keep-pii: customers as they are */
	bool verbose;           /* -v */
	bool explain;           /* --explain-format: say how each file is read, ingest nothing */
	bool by_reported;       /* --by-date reported: filter by the reporting date */
	int date_order;         /* --date-order: enum ingest_date_order, INGEST_EITHER if not given */
	bool redact;            /* --redact: pseudonyms for personal data in --rejects */
	enum progress_mode progress; /* --progress, --no-progress, else auto */
	uint8_t key[16];        /* customer pseudonym key */
};

/* Counts of the whole run, for -v. */
struct ingest_stats {
	long files;      /* files read */
	long read;       /* records read (totals rows not counted) */
	long wrote;      /* rows written */
	long rejected;   /* records rejected */
	long duplicates; /* rows dropped as duplicates */
	long totals;     /* totals rows passed over */
	long ignored;    /* rows passed over by skip rules or the date filter */
};

/* Rows of one file left out by --since/--until/--period. */
struct ingest_left_out {
	long n;
	int64_t first, last; /* the dates they had (the date filtered by) */
	bool reported;       /* some were filtered by their reported date */
};

/* The caller's hooks: where warnings and rejected records go. */
struct ingest_hooks {
	/* a warning; file NULL for a message of its own, else about FILE
	 * (at LINE when > 0) */
	void (*note)(void *ctx, const char *file, long line, const char *msg);
	/* a record that cannot be used: header/header_len the file's raw
	 * header record, raw/raw_len the record (redacted with --redact) */
	void (*reject)(void *ctx, const char *file, long line, const char *header, size_t header_len,
		       const char *raw, size_t raw_len, const char *reason);
	void *ctx;
};

/* A run: caller-owned, set up by ingest_run_init, released by
 * ingest_run_free (at any point, after a failure too). */
struct ingest_run {
	const struct ingest_options *o;
	struct ingest_hooks hooks;
	struct ingest_stats st;
	struct imap *builtins;    /* ingest_formats[], parsed (owned) */
	struct imap *user_map;    /* --map (owned), NULL if none */
	struct ingest_dedupe seen;
	struct extsort sorted;    /* --sort: rows by date, spilled to $TMPDIR */
	struct out *out;          /* the stream (borrowed) */
	struct tsv_writer w;
	int64_t rounding_e10;     /* rounding of amounts past micro-units, 10^-10 units */
	long rounded;             /* amounts so rounded */
	struct ingest_left_out left_out; /* of the file being read */
	struct ingest_link link;  /* the file's sales by order, for its reversals */
	bool linking;             /* the file's format has reversal rows of their own */
	struct progress progress; /* the line on a terminal (the caller starts and ends it) */
	uint64_t bytes_done;      /* bytes of the files read before this one */
	struct ingest_hold held;  /* reversals read before their sale, for the file's end */
	bool itemizing;           /* the file's format names items (imap_has_items) */
	struct ingest_item items; /* the file's orders' items */
	struct ingest_hold item_held; /* the rows of orders, held until every item of the file is known */
	long no_item;             /* sales written with no item: product left empty */
	int order;                /* the file's row order: 0 not known yet, 1 oldest first, -1 newest first */
	int64_t first_date;       /* the file's first row's date, while order is 0 */
	bool dated;               /* first_date is set */
	struct csvin_field *first_fields; /* a file's first record, for the unknown-header message */
	char *first_names;        /* their text */
	size_t first_n;           /* how many */
	char err[INGEST_ERR_MAX]; /* after a failure: the message */
};

/* Zero rn, keep o (borrowed for the run's life) and the hooks, and parse
 * the built-in formats.  Returns 0, or EXIT_DATA with rn->err ("built-in
 * format NAME: reason", or out of memory). */
int ingest_run_init(struct ingest_run *rn, const struct ingest_options *o, const struct ingest_hooks *hooks);

/* The built-in format NAME, parsed; NULL if there is none. */
struct imap *ingest_run_builtin(const struct ingest_run *rn, const char *name);

/* --list-formats (list) and --show-format SHOW (NULL: none) on out, in
 * the table's order.  Returns 0, or EXIT_USAGE with rn->err when SHOW is
 * no built-in format. */
int ingest_run_list(struct ingest_run *rn, struct out *out, bool list, const char *show);

/* Parse the --map mapping TEXT, read from the file NAME.  Returns 0, or
 * EXIT_USAGE with rn->err ("NAME:LINE: reason"). */
int ingest_run_set_map(struct ingest_run *rn, const char *text, const char *name);

/* Write the stream on out (borrowed): its header, unless --explain-format;
 * --sort keeps BUDGET bytes of rows in memory and spills to TMPDIR
 * (NULL: /tmp). */
void ingest_run_start(struct ingest_run *rn, struct out *out, size_t budget, const char *tmpdir);

/* Read the export PATH ("-": standard input) into the stream.  Returns 0,
 * or the exit status with rn->err: EXIT_USAGE for a file that cannot be
 * opened, a header no format fits, a mapping whose columns are missing;
 * EXIT_DATA for a read error, a file that is not text, a malformed header
 * record, dates of no single order, a totals row that does not add up. */
int ingest_run_file(struct ingest_run *rn, const char *path);

/* After the last file: --sort's rows written out (with -v, a warning of
 * the runs spilled).  Returns 0, or EXIT_DATA with rn->err when a
 * temporary file fails. */
int ingest_run_finish(struct ingest_run *rn);

/* Release everything rn owns. */
void ingest_run_free(struct ingest_run *rn);

/* For the engine's files: format the message into rn->err, "FILE:LINE: "
 * first when FILE is not NULL (":LINE" only when LINE > 0), and return
 * STATUS. */
int ingest_run_fail(struct ingest_run *rn, int status, const char *file, long line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* For the engine's files: format a warning and hand it to the note hook
 * (about FILE at LINE, as the hook takes them). */
void ingest_run_warn(struct ingest_run *rn, const char *file, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
