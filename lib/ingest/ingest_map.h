/* ingest_map.h - the mapping language: how one export layout becomes rows
 * of the canonical sales stream.
 *
 * A mapping is plain text, one directive a line, '#' starts a comment
 * line.  Every built-in format is a mapping compiled in (ingest_formats.c),
 * and a user writes one for any other export (tally-ingest --map FILE);
 * tally-ingest(1) documents the language with a worked example.  In short:
 *
 *   format NAME / source NAME / title TEXT / note TEXT / checked TEXT
 *   detect {Col} {Col|Alias} ...      columns that identify the header
 *   separator , | ; | tab | auto      encoding utf-8 | cp1252 | latin1 | ...
 *   decimal-mark . | ,                date-format LAYOUT  (repeatable)
 *   date-order {Col} [{Zone}]         day/month order decided once a file
 *   timezone UTC | +HH:MM | PST ...   default-currency CODE
 *   skip if COND / stop if COND / total if COND + total-check {C} = sum {D} | count
 *   total-required                    a file without each totals row is cut short
 *   fill-key {Col} + fill-down {Col} {Col} ...
 *   date / sale_date / order / line / product / sku / quantity /
 *   currency / country / customer / id / reported / link TEMPLATE  (text with {Col}
 *                                             references; reported: the date
 *                                             the platform reported the row;
 *                                             link: the order of the sale a
 *                                             reversal reverses)
 *   gross / tax / fee / net EXPR              ({Col}, numbers, + - *)
 *   kind KIND [if COND]                       (first matching rule wins;
 *                                              skip: no rows, none: only emits)
 *   emit KIND [if COND]                       (a further row per source row)
 *   item TEMPLATE if COND                     (the row names an item of its
 *                                              order: the order's other rows
 *                                              take it as their product)
 *
 * A reference {A|B} takes the first of the columns A, B that exists and is
 * not empty in the row; {A}? may be missing from the header.  {A|B ~ TEXT}
 * is the word after TEXT (case-insensitive) in the first of A, B that holds
 * TEXT, trailing , ; : ) ] cut ("Refund for Order #3001" with
 * {Title ~ Order #} gives 3001); {A ~} is A's first word (money written in
 * a text field: "$68.87 sent to your bank account"); {A ~~ TEXT} is all
 * the text after TEXT ("Transaction fee: Moth zine" gives "Moth zine").  {@record} is
 * a fingerprint of the source record (the n-th identical record of a file
 * gets its own, so re-ingesting a file gives the same ids while identical
 * rows within one file stay distinct), {@item} the item number within a run
 * of rows with the same fill-key.  COND is ATOM [and ATOM]..., ATOM is
 * {Col} = v1|v2 (also != ~ !~, case-insensitive, "" for empty) or
 * {Col} < > <= >= NUMBER|{Col} (as amounts).
 *
 * Library code: functions return statuses and write messages into
 * m->err; nothing here prints or exits. */
#ifndef TALLY_INGEST_MAP_H
#define TALLY_INGEST_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csvin.h"

#define IMAP_MAX_ALTS 8
#define IMAP_MAX_FORMATS 8

/* Text fields of a canonical row that come from templates. */
enum imap_text {
	IMAP_DATE, IMAP_SALE_DATE, IMAP_ORDER, IMAP_LINE, IMAP_PRODUCT, IMAP_SKU,
	IMAP_QUANTITY, IMAP_CURRENCY, IMAP_COUNTRY, IMAP_CUSTOMER,
	IMAP_ID, /* the export's own id of the row: the duplicate key, when given */
	IMAP_REPORTED, /* the date the platform reported the row (--by-date reported) */
	IMAP_LINK, /* a reversal: the order of the sale it reverses (default: its own order) */
	IMAP_NTEXT
};

/* Amount fields. */
enum imap_amount { IMAP_GROSS, IMAP_TAX, IMAP_FEE, IMAP_NET, IMAP_NAMOUNT };

struct imap_ref {
	char *names[IMAP_MAX_ALTS]; /* column names as written, or "@record" / "@item" */
	size_t nnames;
	bool optional;              /* {A?}: no error when no alternative exists */
	char *after;                /* {A|B ~ TEXT}: the word after TEXT in the first column holding it */
	size_t after_len;           /* ("" : the first word); NULL: the whole cell */
	bool rest;                  /* {A ~~ TEXT}: all the text after TEXT, not one word */
	int cols[IMAP_MAX_ALTS];    /* after binding: column indexes (or IMAP_COL_*) */
	size_t ncols;
};

struct imap_part;   /* a piece of a template */
struct imap_term;   /* a product of factors in an expression */
struct imap_cond;   /* one comparison */

struct imap_template {
	struct imap_part *parts;
	size_t nparts;
};

struct imap_expr {
	struct imap_term *terms;
	size_t nterms;
	char *text; /* as written, for messages */
};

struct imap_conds {
	struct imap_cond *atoms; /* all must hold; none: always true */
	size_t n;
};

struct imap_emit {
	char *kind;                                  /* extra rows: the kind; main: NULL */
	struct imap_conds when;                      /* extra rows: when to emit */
	struct imap_template *text[IMAP_NTEXT];      /* NULL: inherited / default */
	struct imap_expr *amount[IMAP_NAMOUNT];      /* NULL: gross required, tax/fee 0, net unchecked */
};

struct imap_kind_rule {
	char *kind;
	struct imap_conds when;
};

struct imap_total_check {
	struct imap_ref *target;  /* the cell of the totals row */
	struct imap_ref *summed;  /* NULL: count of rows */
	__extension__ __int128 sum; /* micro-units summed over data rows */
	long count;
	char *ahead;              /* a totals row before the data (YouTube): its cell, for imap_finish */
	int ahead_col;            /* the column of ahead, for messages */
};

struct imap_total {
	struct imap_conds when;
	char *text;               /* the condition as written, for messages */
	long seen;                /* rows of this file it matched */
	struct imap_total_check *checks;
	size_t nchecks;
};

/* One canonical row produced by imap_eval.  Text is in m's arena. */
struct imap_row {
	int64_t date;
	bool has_sale_date;
	int64_t sale_date;
	bool has_reported;              /* the export gives a reporting date too */
	int64_t reported;
	const char *kind;
	const char *text[IMAP_NTEXT];   /* order, product, sku, currency, country, customer */
	size_t text_len[IMAP_NTEXT];
	int64_t line, quantity;
	int64_t gross, tax, fee, net;   /* net == gross - fee always */
	int digits;                     /* minor digits of the currency */
	bool net_differs;               /* the export's net disagreed: see mismatch */
	bool order_named;               /* the order came from a column, not {@record} */
	const char *item;               /* "item": the item this row names for its order, */
	size_t item_len;                /* else "" (0); in m's arena, like text */
	int64_t sort_date;              /* --sort's key: the date, or the record's sale's for a
	                                 * reversal read from its sale's own record (set by
	                                 * ingest_emit_rows) */
	char mismatch[200];             /* the message for net_differs */
};

struct imap_memo;

struct imap {
	char *name, *source, *title, *note;
	bool inferred;                     /* "note inferred ...": layout not seen in a real file */
	char **checked;                    /* "checked TEXT" lines: the real shapes it was built against */
	size_t nchecked;
	char *text_copy;                   /* the mapping's text (owned) */
	struct imap_ref **detect;
	size_t ndetect;
	int sep;                           /* 0: guess */
	int enc;                           /* enum csvin_encoding, or -1: not said */
	char decimal_mark;
	char **date_formats;
	size_t ndate_formats;
	struct imap_ref *date_order_ref;   /* "date-order {Date} {Zone}": decided once a file */
	struct imap_ref *date_order_zone;  /* the zone column that hints the locale, or NULL */
	int date_order;                    /* enum ingest_date_order in effect (0: any layout) */
	int tz_minutes;
	char default_currency[4];
	struct imap_conds *skips, *stops;
	size_t nskips, nstops;
	struct imap_total *totals;
	size_t ntotals;
	bool total_required;               /* "total-required": every file has each totals row */
	struct imap_ref *fill_key;
	struct imap_ref **fill;
	size_t nfill;
	struct imap_kind_rule *kinds;
	size_t nkinds;
	struct imap_emit *emits;           /* [0] the main row, then extra rows */
	size_t nemits;
	struct imap_template *item_rule;   /* "item TEMPLATE if COND", or NULL */
	struct imap_conds item_when;       /* when a row names its order's item */

	/* binding and per-file state */
	struct imap_ref **refs;            /* every reference, for binding */
	size_t nrefs;
	char **header;                     /* the bound header's names (owned copies) */
	bool *want;                        /* after binding: the columns any reference reads */
	size_t ncols;
	struct imap_memo *memo;            /* per column: the amount read from this record's cell */
	uint32_t memo_gen;                 /* the record's generation: memo entries of another are stale */
	char **fill_saved;                 /* fill-down values of the current run */
	char *fill_key_saved;
	long item;                         /* @item */
	uint64_t *records;                 /* @record ids given in this file (open addressing, 0 empty) */
	size_t records_cap, nrecords;
	uint64_t record_id;                /* this record's @record id, once computed */
	bool record_id_set;
	struct csvin_field *view;          /* the row after fill-down */
	size_t view_cap;
	char *arena;                       /* text of the rows being built */
	size_t arena_len, arena_cap;
	int64_t rounding_e10;              /* total rounding of amounts, 10^-10 units */
	long rounded;                      /* amounts rounded */
	bool cond_failed;                  /* a condition met an amount too large: err says which */
	char err[512];                     /* the last error, without "prog: FILE:LINE: " */
};

enum imap_status {
	IMAP_ROWS = 1,   /* rows produced (maybe 0 with none emitted) */
	IMAP_SKIP = 2,   /* a skip rule matched */
	IMAP_TOTAL = 3,  /* a totals row, checked */
	IMAP_STOP = 4,   /* a stop rule matched: the file's data ends here */
	IMAP_ERR = -1,   /* m->err says why */
};

/* Parse mapping text.  name names it in messages ("--map FILE").  Returns
 * 0, or -1 with m->err = "LINE: message".  m must be freed either way. */
int imap_parse(struct imap *m, const char *text, const char *name);

/* How many of the detect columns the header holds (*total: how many there
 * are).  A mapping with no detect line matches any header. */
size_t imap_score(const struct imap *m, const struct csvin_field *hdr, size_t n, size_t *total);

/* Bind to a header: resolve every reference, reset per-file state.
 * Returns 0, or -1 with m->err naming the missing column and listing the
 * header. */
int imap_bind(struct imap *m, const struct csvin_field *hdr, size_t n);

/* Turn one record into rows (at most IMAP_MAX_ROWS).  raw/raw_len is the
 * record's text (for {@record}).  Returns an imap_status; on IMAP_ROWS
 * *nrows rows are in rows[], valid until the next call. */
#define IMAP_MAX_ROWS 8
int imap_eval(struct imap *m, const struct csvin_field *f, size_t nf, const char *raw,
	      size_t raw_len, struct imap_row *rows, size_t *nrows);

/* After a totals row matched (IMAP_TOTAL): nothing more to do; a failed
 * check is reported as IMAP_ERR by imap_eval itself.  A totals row that
 * comes before any data row is kept and checked by imap_finish. */

/* At the end of a file: check a totals row that came before the data
 * against the rows read since.  Returns 0, or -1 with m->err. */
int imap_finish(struct imap *m);

/* At the end of a file read whole: false, with m->err naming the missing
 * row, when the mapping says total-required and a totals row of it did
 * not come (a download cut short: the rows are there, but not all of
 * them may be); true otherwise. */
bool imap_totals_complete(struct imap *m);

/* Whether the mapping gives reversals (refund, chargeback) rows of their
 * own that name a real order: then a reversal can be linked to its sale
 * by order (ingest_link.h).  False when reversals are only emitted from
 * their sale's own record, or orders are only {@record}. */
bool imap_has_reversal_rows(const struct imap *m);

/* Whether the mapping has an "item" rule: rows naming the item of their
 * order, whose other rows (the sale, its tax, its refund) take it as their
 * product (ingest_item.h). */
bool imap_has_items(const struct imap *m);

/* After imap_bind: the column whose dates decide the file's day/month
 * order ("date-order {Date}"), and the zone column hinting the locale;
 * -1 when the mapping has none. */
int imap_date_order_column(const struct imap *m);
int imap_date_order_zone_column(const struct imap *m);

/* Read dates only by the layouts of this order (enum ingest_date_order;
 * INGEST_EITHER: every layout, first match wins).  Reset by imap_bind. */
void imap_set_date_order(struct imap *m, int order);

/* Release everything. */
void imap_free(struct imap *m);

/* The canonical kinds, NULL-terminated. */
extern const char *const imap_kinds[];

#endif
