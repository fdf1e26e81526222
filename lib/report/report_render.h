/* report_render.h - tally-report's documents in its four formats: the
 * payout statements, the conservation check and the business at a
 * glance, as a TSV stream, aligned text, Markdown, or a self-contained
 * HTML page (inline CSS, inline SVG bar charts, no script, no external
 * asset).
 *
 * Everything that came from the data goes through escape.h.
 * Functions write to a struct out and leave write errors in it (out.h);
 * they return REPORT_OK, or REPORT_ENOMEM when a chart or table could not
 * be built (what was written so far stays written). */
#ifndef TALLY_REPORT_RENDER_H
#define TALLY_REPORT_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "out.h"
#include "escape.h"
#include "report_ledger.h"
#include "report_statements.h"
#include "report_summary.h"

/* Start and end a document for people: a Markdown "# title", or the HTML
 * page up to and including its <h1>; nothing for text or TSV. */
void report_doc_begin(struct out *o, enum report_format format, const char *title);
void report_doc_end(struct out *o, enum report_format format);

/* One bar of a chart: two amounts side by side for one period. */
struct report_chart_point {
	int64_t period;     /* period index */
	int64_t revenue;    /* the first bar (revenue) */
	int64_t paid;       /* the second bar (paid, or net received) */
	int64_t third;      /* the third bar (fees), when the chart has one */
};

/* An inline SVG bar chart of pt[0..n) (in period order, one currency with
 * `digits` minor digits; only the last 24 are drawn) captioned and titled
 * title, its two bars named first and second in the legend (generated
 * text, not data), and a third bar (pt[].third) named third when third is
 * not NULL.  The value axis runs from the lowest value or 0 to the
 * highest or 0 in round steps labelled in whole or minor units, wide
 * enough for its labels; negative values are drawn below the zero line;
 * period labels are thinned so that they never meet, the last one
 * always shown. */
void report_chart(struct out *o, const char *title, const char *first, const char *second, const char *third,
		  const char *currency, int digits, enum period_kind kind, const struct report_chart_point *pt, size_t n);

/* The value axis of a chart, shared by report_chart and the business
 * chart (report_business_chart.c). */
struct report_chart_axis {
	int64_t lo, hi, step; /* the axis runs lo..hi in steps of step (micro-units) */
	int top, bottom;      /* its pixels: hi at top, lo at bottom (set by the caller) */
};

/* Set ax's lo, hi and step for values lo..hi (lo <= 0 <= hi): round
 * steps of 1, 2 or 5 times a power of ten, at least one minor unit of
 * `digits`, about four of them, the ends rounded out to a step; lo == hi
 * gives an axis of one unit. */
void report_chart_axis_span(struct report_chart_axis *ax, int64_t lo, int64_t hi, int digits);

/* The pixel row of value v on ax (v need not be on the axis). */
double report_chart_y(const struct report_chart_axis *ax, int64_t v);

/* The widest of ax's labels, in pixels. */
int report_chart_label_px(const struct report_chart_axis *ax, int digits);

/* Draw ax's gridlines from x left to right, the zero line darker, each
 * labelled at its left in whole units when the step is whole units, else
 * in minor units. */
void report_chart_value_axis(struct out *o, const struct report_chart_axis *ax, int left, int right,
			     int digits);

/* The channel mix of the summary's periods in currency (the last 24): an
 * inline SVG of one bar per period, split by each channel's share of the
 * period's channel gross (negative gross drawn as none), the six largest
 * channels over those periods named and coloured, the others together as
 * "other"; channel names are data, escaped.  Nothing when the periods
 * have no channel.  Returns REPORT_OK or REPORT_ENOMEM. */
int report_mix_chart(struct out *o, const struct report_summary *s, const char *currency);

/* What every statement says of its issue besides the book: who issues it
 * and whether amounts were converted (the book's rates used are then
 * stated).  Each statement's issue date is its own (report_statement). */
struct report_issue {
	const char *issuer;   /* --issuer, data: escaped as any; NULL for none */
	bool converted;       /* --to converted amounts */
};

/* The document holding statements b->st[from..to) (after
 * report_book_total): a TSV stream with its header, or for people each
 * statement with its lines per source and product, a note when it is
 * owed or under the minimum (naming the minimum), late income named by
 * the period of its sales, the rates used when converted, and its issuer
 * and issue date (issue).  In HTML, a
 * chart of every period's totals per currency when whole_report, else of
 * each statement's account's history (ledger, NULL for none, then the
 * book). */
int report_render_statements(struct out *o, enum report_format format, const struct report_book *b,
			     const struct report_ledger *ledger, const struct report_issue *issue, size_t from,
			     size_t to, bool whole_report);

/* The conservation check's document: lines[0..n) (report_book_check) as
 * one table. */
int report_render_check(struct out *o, enum report_format format, enum period_kind kind,
			const struct report_check_line *lines, size_t n);

/* The business at a glance (after report_summary_finish): in TSV one row
 * per figure (period, currency, section, name, metric, value); for people
 * each period's tables, and in HTML a chart of revenue and net received
 * per currency first. */
int report_render_summary(struct out *o, enum report_format format, const struct report_summary *s);

#endif
