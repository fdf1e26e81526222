/* report_table.h - a small table of text cells (the conservation check,
 * the summary's figures) written in any of tally-report's four formats:
 * a TSV stream, aligned text, a Markdown table or an HTML table.
 *
 * Cells are copied into one growing buffer, so adding a row allocates only
 * when the buffer doubles.  Like out.h, a table remembers its first
 * failure (out of memory) and drops later rows: add freely, check
 * report_table_failed once. */
#ifndef TALLY_REPORT_TABLE_H
#define TALLY_REPORT_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "out.h"
#include "escape.h"

#define REPORT_TABLE_MAXCOLS 8

struct report_table {
	char title[256];                        /* heading for people */
	char names[256];                        /* the column names, NUL-separated */
	int ncols;
	const char *cols[REPORT_TABLE_MAXCOLS]; /* column names (TSV) and headings, in names */
	bool numeric[REPORT_TABLE_MAXCOLS];     /* right-aligned and generated: never neutralised */
	bool words[REPORT_TABLE_MAXCOLS];       /* generated names (net_of_refunds): in words for people */
	char *text;                             /* every cell, NUL-terminated, one after another (owned) */
	size_t text_len, text_cap;
	size_t *cell;                           /* nrows * ncols offsets into text (owned) */
	size_t nrows, cap;                      /* rows, and room in cell (in cells) */
	bool failed;                            /* a row could not be added (ENOMEM) */
};

/* Start an empty table: title (cut to 255 bytes), the column names
 * separated by spaces in cols (at most REPORT_TABLE_MAXCOLS, cut to 255
 * bytes), and numeric[i] == 'n' for each numeric column, 'w' for a column
 * of generated names that people read in words (report_words).
 * Allocates nothing. */
void report_table_init(struct report_table *t, const char *title, const char *cols, const char *numeric);

/* Add a row of t->ncols C strings (copied).  On failure, t->failed is set
 * and this and every later row are dropped. */
void report_table_add(struct report_table *t, const char *const *cells);

/* Whether a row was dropped for lack of memory. */
bool report_table_failed(const struct report_table *t);

/* The cell at row, col (both in range): a C string owned by the table. */
const char *report_table_cell(const struct report_table *t, size_t row, int col);

/* A generated name (a column or a metric: "net_of_refunds") in words
 * for people, in buf (cap bytes): "Net of refunds"; a few read better
 * reworded ("sales_net" is "Net of fees").  Returns buf. */
const char *report_words(char *buf, size_t cap, const char *name);

/* Write the table to o in format: a TSV stream (with a header line when
 * tsv_header) with names as they are, or for people with its title,
 * headings and 'w' columns in words (report_words), text cells made safe
 * (escape.h) and numeric ones as they are. */
void report_table_render(struct out *o, enum report_format format, const struct report_table *t,
			 bool tsv_header);

/* Free what t owns and zero it. */
void report_table_free(struct report_table *t);

#endif
