/* report_render.c - statements, the conservation check and the summary in
 * four formats (report_render.h). */
#include "report_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "report_table.h"
#include "report_waterfall.h"
#include "tsv.h"

#define STATEMENT_TSV_HEADER "statement\tpayee\tperiod\tcurrency\tentry\tsource\tproduct\tamount\n"
#define SUMMARY_TSV_HEADER "period\tcurrency\tsection\tname\tmetric\tvalue\n"
#define TEXT_AMOUNT_COLUMN 54 /* text statements: amounts end in this column */
#define CHART_PERIODS 24      /* charts show the last two years of months */

static void put_spaces(struct out *o, size_t n)
{
	while (n-- > 0)
		out_putc(o, ' ');
}

static const char *period_text(char *buf, enum period_kind kind, int64_t index)
{
	period_format(buf, (struct period){kind, index});
	return buf;
}

static const char *money_text(char *buf, int64_t v, int digits)
{
	money_format(buf, v, digits);
	return buf;
}

/* The figures of a page for people add up (tally-report(1), "Figures that
 * add up"): a run of amounts is shown as the differences of its rounded
 * running totals, shown_i = R(sum_i) - R(sum_i-1), R rounding toward zero
 * to the minor unit, so that the shown amounts sum to the shown total.
 * The money is never changed: only how it is split for display. */
struct page_sum {
	int64_t exact; /* the running total, exact */
	int64_t shown; /* R(exact) */
	int digits;
	bool overflow; /* a running total overflowed: nothing more is added */
};

/* R: v rounded toward zero to the minor unit of `digits`, as payouts are
 * (money_round_payable). */
static int64_t round_shown(int64_t v, int digits)
{
	int64_t payable, residue;
	money_round_payable(v, digits, &payable, &residue);
	return payable;
}

/* A running total starting at `from` (shown as R(from)). */
static struct page_sum page_sum_at(int64_t from, int digits)
{
	return (struct page_sum){from, round_shown(from, digits), digits, false};
}

/* Add v to the running total; returns what v is shown as. */
static int64_t page_sum_add(struct page_sum *ps, int64_t v)
{
	int64_t was = ps->shown;
	if (ps->overflow || !money_add(ps->exact, v, &ps->exact)) {
		ps->overflow = true;
		return 0;
	}
	ps->shown = round_shown(ps->exact, ps->digits);
	return ps->shown - was;
}

/* An amount for people: rounded toward zero to the currency's minor unit,
 * as payouts are (money_round_payable), with exactly `digits` decimals;
 * the exact micro-units are the TSV's. */
static const char *minor_text(char *buf, int64_t v, int digits)
{
	money_format(buf, round_shown(v, digits), digits);
	return buf;
}

/* The words for a residue under one minor unit carried into the next
 * period: "0.58 ¢ carried to next month" for USD (whose cent is ¢),
 * "0.0058 EUR carried to next month (under one cent)" for another
 * currency of 2 decimals (a euro cent is no ¢), else the exact amount,
 * "0.36 JPY (under one minor unit) carried ...". */
static void residue_text(char *buf, size_t size, int64_t residue, int digits, const char *currency,
			 enum period_kind kind)
{
	static const char *const next[] = {"day", "week", "month", "quarter", "year"};
	char a[MONEY_BUF];
	const char *when = (unsigned)kind < sizeof next / sizeof *next ? next[kind] : "period";
	if (digits == 2 && strcmp(currency, "USD") == 0) {
		money_format(a, residue * 100, 0); /* hundredths of a cent, in cents */
		snprintf(buf, size, "%s \xc2\xa2 carried to next %s (under one cent).", a, when);
	} else if (digits == 2) {
		money_format(a, residue, 0);
		snprintf(buf, size, "%s %s carried to next %s (under one cent).", a, currency, when);
	} else {
		money_format(a, residue, 0);
		snprintf(buf, size, "%s %s (under one minor unit) carried to next %s.", a, currency, when);
	}
}

/* ------------------------------------------------------------ documents */

static const char html_style[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:48em;color:#222;padding:0 1em}"
	"h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}h3{font-size:1em}"
	"table{border-collapse:collapse;margin:.5em 0;min-width:24em}"
	"th,td{padding:.2em .6em;border-bottom:1px solid #eee;text-align:left}"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
	"tr.sub td{color:#555;padding-left:1.6em}tr.late td{padding-left:3em}tr.total td,tr.total th{font-weight:bold;border-top:1px solid #999}"
	"dl{display:grid;grid-template-columns:max-content auto;gap:.1em 1em}dt{color:#555}dd{margin:0}"
	"p.note{color:#a40}p.totals{color:#555;font-size:.9em}tr.steps td{color:#666;font-size:.85em;padding-left:2.6em}tr.steps.late td{padding-left:4.6em}"
	"svg{max-width:100%;height:auto}svg text{font-size:11px;fill:#333}"
	".rev{fill:#7aa6d8}.pay{fill:#2e7d32}.fee{fill:#c62828}";

void report_doc_begin(struct out *o, enum report_format format, const char *title)
{
	if (format == REPORT_MD) {
		out_printf(o, "# %s\n\n", title);
	} else if (format == REPORT_HTML) {
		out_puts(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
			    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>");
		report_put_html(o, title, strlen(title));
		out_printf(o, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", html_style);
		report_put_html(o, title, strlen(title));
		out_puts(o, "</h1>\n");
	}
}

void report_doc_end(struct out *o, enum report_format format)
{
	if (format == REPORT_HTML)
		out_puts(o, "</body>\n</html>\n");
}

/* ------------------------------------------------------------ charts */

#define CHART_W 640
#define CHART_H 260
#define CHART_TICKS 4         /* about this many steps on the value axis */
#define CHART_CHAR_PX 7       /* an 11px character is at most this wide */

/* A round step for the value axis: 1, 2 or 5 times a power of ten, in
 * micro-units, at least one minor unit, such that CHART_TICKS steps span
 * lo..hi. */
static int64_t chart_step(int64_t lo, int64_t hi, int digits)
{
	static const int64_t mult[3] = {1, 2, 5};
	int64_t pow = 1;
	for (int i = 0; i < 6 - digits && digits >= 0 && digits <= 6; i++)
		pow *= 10; /* one minor unit */
	/* drawing only: a double is fine for the span */
	double span = (double)hi - (double)lo;
	for (;;) {
		for (int k = 0; k < 3; k++)
			if ((double)(mult[k] * pow) * CHART_TICKS >= span)
				return mult[k] * pow;
		if (pow > INT64_MAX / 50)
			return pow * 5;
		pow *= 10;
	}
}

/* A value-axis label: whole units when the step is whole units ("250"),
 * else in minor units ("2.50"); negative with a minus. */
static const char *tick_text(char *buf, int64_t v, int64_t step, int digits)
{
	int64_t payable, residue;
	if (step % MONEY_SCALE == 0) {
		money_round_payable(v, 0, &payable, &residue);
		money_format(buf, payable, 0);
	} else
		minor_text(buf, v, digits);
	return buf;
}

/* The floor of v / step (step > 0), or the ceiling. */
static int64_t floor_to(int64_t v, int64_t step)
{
	int64_t q = v / step;
	return (v % step != 0 && v < 0 ? q - 1 : q) * step;
}

static int64_t ceil_to(int64_t v, int64_t step)
{
	int64_t q = v / step;
	return (v % step != 0 && v > 0 ? q + 1 : q) * step;
}

void report_chart_axis_span(struct report_chart_axis *ax, int64_t lo, int64_t hi, int digits)
{
	if (lo == hi)
		hi = MONEY_SCALE; /* nothing to draw: an axis of one unit */
	ax->step = chart_step(lo, hi, digits);
	ax->lo = floor_to(lo, ax->step);
	ax->hi = ceil_to(hi, ax->step);
}

double report_chart_y(const struct report_chart_axis *ax, int64_t v)
{
	return (double)ax->bottom - ((double)v - (double)ax->lo) / ((double)ax->hi - (double)ax->lo) *
					    (double)(ax->bottom - ax->top);
}

/* The value axis of pt[0..n): from the lowest value (0 when none is
 * negative) to the highest (0 when none is positive), rounded out to
 * round steps. */
static void chart_axis_of(struct report_chart_axis *ax, const struct report_chart_point *pt, size_t n, int digits,
			  int nseries)
{
	int64_t lo = 0, hi = 0;
	for (size_t i = 0; i < n; i++) {
		const int64_t v[3] = {pt[i].revenue, pt[i].paid, pt[i].third};
		for (int k = 0; k < nseries; k++) {
			if (v[k] < lo) lo = v[k];
			if (v[k] > hi) hi = v[k];
		}
	}
	report_chart_axis_span(ax, lo, hi, digits);
}

int report_chart_label_px(const struct report_chart_axis *ax, int digits)
{
	char a[MONEY_BUF];
	size_t w = 0;
	for (int64_t v = ax->lo;; v += ax->step) {
		size_t l = strlen(tick_text(a, v, ax->step, digits));
		if (l > w)
			w = l;
		if (v >= ax->hi || v > INT64_MAX - ax->step)
			break;
	}
	return (int)w * CHART_CHAR_PX;
}

void report_chart_value_axis(struct out *o, const struct report_chart_axis *ax, int left, int right, int digits)
{
	char a[MONEY_BUF];
	for (int64_t v = ax->lo;; v += ax->step) {
		double y = report_chart_y(ax, v);
		out_printf(o, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>\n", left, y, right, y,
			   v == 0 ? "#666" : "#e4e4e4");
		out_printf(o, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", left - 6, y + 4,
			   tick_text(a, v, ax->step, digits));
		if (v >= ax->hi || v > INT64_MAX - ax->step)
			break;
	}
}

void report_chart(struct out *o, const char *title, const char *first, const char *second, const char *third,
		  const char *currency, int digits, enum period_kind kind, const struct report_chart_point *pt, size_t n)
{
	const int nseries = third ? 3 : 2;
	const int top = 16, bottom = 50, right = CHART_W - 12;
	char a[MONEY_BUF], per[DATE_BUF];
	struct report_chart_axis ax;

	if (n > CHART_PERIODS) {
		pt += n - CHART_PERIODS;
		n = CHART_PERIODS;
	}
	chart_axis_of(&ax, pt, n, digits, nseries);
	ax.top = top;
	ax.bottom = CHART_H - bottom;
	int left = report_chart_label_px(&ax, digits) + 14;
	out_puts(o, "<div class=\"chart\">\n<p class=\"caption\">");
	report_put_html(o, title, strlen(title));
	out_printf(o, " (%s)</p>\n", currency);
	out_printf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n",
		   CHART_W, CHART_H, CHART_W, CHART_H);
	out_puts(o, "<title>");
	report_put_html(o, title, strlen(title));
	out_printf(o, " (%s)</title>\n", currency);
	report_chart_value_axis(o, &ax, left, right, digits);
	double group = n ? (double)(right - left - 10) / (double)n : 0, y0 = report_chart_y(&ax, 0);
	/* a period label every `every` groups, so that labels never meet */
	size_t label_px = strlen(period_text(per, kind, n ? pt[0].period : 0)) * CHART_CHAR_PX + 8;
	size_t every = group > 0 ? (size_t)((double)label_px / group) + 1 : 1;
	for (size_t i = 0; i < n; i++) {
		double bw = group * 0.76 / nseries;
		bw = bw > 72.0 / nseries ? 72.0 / nseries : bw;
		/* the bars in the middle of their group: one period is in the middle of the chart */
		double x = left + 5 + group * (double)i + (group * 0.8 - bw * nseries) / 2;
		const int64_t v[3] = {pt[i].revenue, pt[i].paid, pt[i].third};
		const char *cls[3] = {"rev", "pay", "fee"}, *what[3] = {first, second, third};
		period_text(per, kind, pt[i].period);
		for (int k = 0; k < nseries; k++) {
			double y = report_chart_y(&ax, v[k]), h = y < y0 ? y0 - y : y - y0;
			out_printf(o, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%s %s: %s</title></rect>\n",
				   cls[k], x + group * 0.1 + bw * k, y < y0 ? y : y0, bw, h, per, what[k],
				   minor_text(a, v[k], digits));
		}
		if ((n - 1 - i) % every == 0) /* the last period always labelled */
			out_printf(o, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
				   x + group * 0.1 + bw * nseries / 2.0, ax.bottom + 16, per);
	}
	int lx = left, ly = CHART_H - 14;
	out_printf(o, "<rect class=\"rev\" x=\"%d\" y=\"%d\" width=\"10\" height=\"10\"/><text x=\"%d\" y=\"%d\">%s</text>\n",
		   lx, ly - 9, lx + 14, ly, first);
	lx += 14 + (int)strlen(first) * CHART_CHAR_PX + 16;
	out_printf(o, "<rect class=\"pay\" x=\"%d\" y=\"%d\" width=\"10\" height=\"10\"/><text x=\"%d\" y=\"%d\">%s</text>\n",
		   lx, ly - 9, lx + 14, ly, second);
	if (third) {
		lx += 14 + (int)strlen(second) * CHART_CHAR_PX + 16;
		out_printf(o, "<rect class=\"fee\" x=\"%d\" y=\"%d\" width=\"10\" height=\"10\"/><text x=\"%d\" y=\"%d\">%s</text>\n",
			   lx, ly - 9, lx + 14, ly, third);
	}
	out_puts(o, "</svg>\n</div>\n");
}

/* ------------------------------------------------------------ statements */

enum line_kind { LINE_PLAIN, LINE_SUB, LINE_TOTAL, LINE_LATE /* a sub-line under a late caption */ };

/* One labelled amount of a statement for people: a plain or total line
 * has a label; a sub-line (LINE_SUB) names a source and product from the
 * data instead, after the label when there is one ("late: 2026-10",
 * generated text, never data). */
static void human_line(struct out *o, enum report_format format, const char *label, const char *source,
		       const char *product, int64_t v, int digits, enum line_kind kind)
{
	char a[MONEY_BUF];
	bool late = kind == LINE_LATE;
	if (late)
		kind = LINE_SUB;
	minor_text(a, v, digits);
	if (format == REPORT_TEXT) {
		size_t w;
		if (kind == LINE_SUB) {
			out_puts(o, late ? "    " : "  ");
			w = late ? 4 : 2;
			if (*label) {
				out_printf(o, "%s ", label);
				w += strlen(label) + 1;
			}
			if (*source) {
				report_put_text(o, source, strlen(source));
				out_puts(o, ": ");
				w += report_text_width(source, strlen(source)) + 2;
			}
			report_put_text(o, product, strlen(product));
			w += report_text_width(product, strlen(product));
		} else {
			out_puts(o, label);
			w = strlen(label);
		}
		size_t al = strlen(a);
		put_spaces(o, w + 2 + al <= TEXT_AMOUNT_COLUMN ? TEXT_AMOUNT_COLUMN - w - al : 2);
		out_puts(o, a);
		out_putc(o, '\n');
	} else if (format == REPORT_MD) {
		out_puts(o, "| ");
		if (kind == LINE_SUB) {
			out_puts(o, late ? "· · " : "· ");
			if (*label)
				out_printf(o, "%s ", label);
			if (*source) {
				report_put_md(o, source, strlen(source));
				out_puts(o, ": ");
			}
			report_put_md(o, product, strlen(product));
		} else if (kind == LINE_TOTAL)
			out_printf(o, "**%s**", label);
		else
			out_puts(o, label);
		out_printf(o, kind == LINE_TOTAL ? " | **%s** |\n" : " | %s |\n", a);
	} else {
		out_printf(o, "<tr%s><%s>", late ? " class=\"sub late\"" : kind == LINE_SUB ? " class=\"sub\"" : kind == LINE_TOTAL ? " class=\"total\"" : "",
			   kind == LINE_SUB ? "td" : "th scope=\"row\"");
		if (kind == LINE_SUB) {
			if (*label)
				out_printf(o, "%s ", label);
			if (*source) {
				report_put_html(o, source, strlen(source));
				out_puts(o, ": ");
			}
			report_put_html(o, product, strlen(product));
			out_puts(o, "</td>");
		} else
			out_printf(o, "%s</th>", label);
		out_printf(o, "<td class=\"n\">%s</td></tr>\n", a);
	}
}

/* A paragraph of generated text (never data). */
static void human_para(struct out *o, enum report_format format, const char *cls, const char *text)
{
	if (format == REPORT_HTML)
		out_printf(o, "<p class=\"%s\">%s</p>\n", cls, text);
	else
		out_printf(o, "%s\n", text);
}

/* The first four fields of every TSV entry of a statement (statement,
 * payee, period, currency), escaped and joined once: a statement has ten
 * entries or more, and millions of rows make thousands of statements. */
struct entry_prefix {
	char text[512];   /* "ID\tPAYEE\tPERIOD\tCUR\t", when it fits */
	size_t len;       /* 0: did not fit (or needs escaping): write field by field */
	const char *f[4]; /* the fields */
};

static bool is_plain(const char *s)
{
	return !s[strcspn(s, "\t\n\r\\")];
}

static void entry_prefix_init(struct entry_prefix *e, const struct report_statement *s, const char *per)
{
	e->f[0] = s->id, e->f[1] = s->payee, e->f[2] = per, e->f[3] = s->currency;
	e->len = 0;
	for (int i = 0; i < 4; i++) {
		size_t n = strlen(e->f[i]);
		if (!is_plain(e->f[i]) || e->len + n + 1 >= sizeof e->text) {
			e->len = 0;
			return;
		}
		memcpy(e->text + e->len, e->f[i], n);
		e->len += n;
		e->text[e->len++] = '\t';
	}
}

static void tsv_entry(struct tsv_writer *w, const struct report_book *b, const struct entry_prefix *e,
		      const struct report_statement *s, const char *entry, const char *source, const char *product,
		      int64_t v)
{
	if (e->len) {
		out_write(w->o, e->text, e->len);
		out_puts(w->o, entry); /* generated: never needs escaping */
		w->in_row = true;
	} else {
		for (int i = 0; i < 4; i++)
			tsv_put_str(w, e->f[i]);
		tsv_put_str(w, entry);
	}
	tsv_put_str(w, source);
	tsv_put_str(w, product);
	tsv_put_money(w, v, b->acc[s->account].digits);
	tsv_end_row(w);
}

/* The steps of one line (tally-split --waterfall) as entries PREFIX:gross,
 * :fees, :commission, :recouped, :reached. */
static void tsv_steps(struct tsv_writer *w, const struct report_book *b, const struct entry_prefix *e,
		      const struct report_statement *s, const char *prefix, const struct report_detail *d)
{
	static const char *const names[] = {"gross", "fees", "commission", "recouped", "reached"};
	const struct report_steps *st = &d->steps;
	int64_t v[] = {st->gross, st->gross - st->basis, st->commission, st->recouped, st->reached};
	char entry[DATE_BUF + 32];
	if (!b->have_steps)
		return;
	for (size_t i = b->have_gross ? 0 : 2; i < sizeof names / sizeof *names; i++) {
		snprintf(entry, sizeof entry, "%s%s", prefix, names[i]);
		tsv_entry(w, b, e, s, entry, b->names.s[d->source], b->names.s[d->product], v[i]);
	}
}

/* An advance's entries advance:LINE:CUR, recouped:LINE:CUR and
 * remaining:LINE:CUR, in the cap's currency (micro-units). */
static void tsv_advance(struct tsv_writer *w, const struct entry_prefix *e, const struct report_recoupment *r)
{
	static const char *const names[] = {"advance", "recouped", "remaining"};
	int64_t v[] = {r->cap, r->recouped, r->cap - r->recouped};
	char entry[64];
	for (size_t i = 0; i < 3; i++) {
		for (int k = 0; k < 4; k++)
			tsv_put_str(w, e->f[k]);
		snprintf(entry, sizeof entry, "%s:%ld:%s", names[i], r->line, r->currency);
		tsv_put_str(w, entry);
		tsv_put_str(w, "");
		tsv_put_str(w, "");
		tsv_put_money(w, v[i], currency_digits(r->currency, 3));
		tsv_end_row(w);
	}
}

static void statement_tsv(struct out *o, const struct report_book *b, const struct report_statement *s)
{
	const struct report_cell *c = s->cell >= 0 ? &b->cells[s->cell] : NULL;
	struct tsv_writer w;
	char per[DATE_BUF], late_per[DATE_BUF];
	struct entry_prefix e;

	tsv_writer_init(&w, o);
	entry_prefix_init(&e, s, period_text(per, b->kind, s->period));
	tsv_entry(&w, b, &e, s, "brought_forward", "", "", s->brought_forward);
	for (uint32_t i = 0; c && i < c->ndetails; i++) {
		const struct report_detail *d = &c->details[i];
		tsv_entry(&w, b, &e, s, "earned", b->names.s[d->source], b->names.s[d->product], d->amount);
		tsv_steps(&w, b, &e, s, "", d);
	}
	int64_t p = b->pmin;
	for (long lc; (lc = report_book_late_cell(b, s->account, s->period, &p)) >= 0;) {
		const struct report_cell *late = &b->cells[lc];
		char entry[DATE_BUF + 8];
		snprintf(entry, sizeof entry, "late:%s", period_text(late_per, b->kind, late->period));
		for (uint32_t i = 0; i < late->ndetails; i++) {
			const struct report_detail *d = &late->details[i];
			tsv_entry(&w, b, &e, s, entry, b->names.s[d->source], b->names.s[d->product], d->amount);
			char sub[DATE_BUF + 16];
			snprintf(sub, sizeof sub, "%s:", entry);
			tsv_steps(&w, b, &e, s, sub, d);
		}
	}
	tsv_entry(&w, b, &e, s, "earned_total", "", "", s->earned);
	tsv_entry(&w, b, &e, s, "paid", "", "", s->paid);
	tsv_entry(&w, b, &e, s, "carried_forward", "", "", s->carried_forward);
	for (size_t i = 0; c && i < c->nrecoup; i++)
		tsv_advance(&w, &e, &c->recoup[i]);
}

/* The batch totals of the TSV statements: once per period and currency,
 * after every statement, in rows of no statement and no payee, so that a
 * row naming a payee is always about that payee (the totals were once
 * repeated in every statement, under each payee's name). */
static void batch_totals_tsv(struct out *o, const struct report_book *b)
{
	static const char *const entries[] = {"period_brought_forward", "period_earned", "period_paid",
					      "period_carried_forward"};
	struct tsv_writer w;
	tsv_writer_init(&w, o);
	for (size_t i = 0; i < b->nptot; i++) {
		const struct report_period_total *t = &b->ptot[i];
		const int64_t v[] = {t->brought_forward, t->earned, t->paid, t->carried_forward};
		char per[DATE_BUF];
		period_text(per, b->kind, t->period);
		for (size_t k = 0; k < sizeof entries / sizeof entries[0]; k++) {
			const char *const f[] = {"", "", per, t->currency, entries[k], "", ""};
			for (size_t j = 0; j < sizeof f / sizeof f[0]; j++)
				tsv_put_str(&w, f[j]);
			tsv_put_money(&w, v[k], currency_digits(t->currency, 3));
			tsv_end_row(&w);
		}
	}
}

/* One "Label: value" line of a statement's heading; value is data when
 * is_data (escaped), else generated text. */
static void heading_field(struct out *o, enum report_format format, const char *label, const char *value,
			  bool is_data)
{
	if (format == REPORT_TEXT) {
		out_printf(o, "%s:", label);
		put_spaces(o, strlen(label) < 9 ? 9 - strlen(label) : 1);
		if (is_data)
			report_put_text(o, value, strlen(value));
		else
			out_puts(o, value);
		out_putc(o, '\n');
	} else if (format == REPORT_MD) {
		out_printf(o, "%s: ", label);
		if (is_data)
			report_put_md(o, value, strlen(value));
		else
			out_puts(o, value);
		out_puts(o, "  \n");
	} else {
		out_printf(o, "<dt>%s</dt><dd>", label);
		if (is_data)
			report_put_html(o, value, strlen(value));
		else
			out_puts(o, value);
		out_puts(o, "</dd>");
	}
}

static void statement_heading(struct out *o, enum report_format format, const struct report_statement *s,
			      const struct report_issue *issue, const char *per)
{
	if (format == REPORT_TEXT)
		out_printf(o, "Statement %s\n", s->id);
	else if (format == REPORT_MD)
		out_printf(o, "## Statement %s\n\n", s->id);
	else
		out_printf(o, "<div class=\"statement\">\n<h2>Statement %s</h2>\n<dl>", s->id);
	if (issue && issue->issuer)
		heading_field(o, format, "Issuer", issue->issuer, true);
	heading_field(o, format, "Payee", s->payee, true);
	heading_field(o, format, "Period", per, false);
	heading_field(o, format, "Currency", s->currency, false);
	heading_field(o, format, "Issued", s->issued[0] ? s->issued : "not recorded", false);
	if (format == REPORT_TEXT)
		out_putc(o, '\n');
	else if (format == REPORT_MD)
		out_puts(o, "\n| Item | Amount |\n|:---|---:|\n");
	else
		out_puts(o, "</dl>\n<table>\n");
}

/* A line of generated text among a statement's lines, without an amount:
 * what the sub-lines after it are. */
static void human_caption(struct out *o, enum report_format format, const char *text)
{
	if (format == REPORT_TEXT)
		out_printf(o, "  %s\n", text);
	else if (format == REPORT_MD)
		out_printf(o, "| · %s | |\n", text);
	else
		out_printf(o, "<tr class=\"sub\"><td colspan=\"2\">%s</td></tr>\n", text);
}

/* How a line was reached, under it (generated text: figures only). */
static void steps_line(struct out *o, enum report_format format, const struct report_book *b,
		       const struct report_detail *dt, int digits, enum line_kind kind)
{
	char t[256];
	report_steps_text(t, sizeof t, &dt->steps, dt->amount, digits, b->have_gross);
	if (format == REPORT_TEXT)
		out_printf(o, "%s%s\n", kind == LINE_LATE ? "        " : "      ", t);
	else if (format == REPORT_MD)
		out_printf(o, "| %s%s | |\n", kind == LINE_LATE ? "· · · " : "· · ", t);
	else
		out_printf(o, "<tr class=\"steps%s\"><td colspan=\"2\">%s</td></tr>\n", kind == LINE_LATE ? " late" : "", t);
}

/* The lines of a cell, one per source and product, each with how it was
 * reached when the book knows; each shown as what it adds to the running
 * total `run` (struct page_sum). */
static void detail_lines(struct out *o, enum report_format format, const struct report_book *b,
			 const struct report_cell *c, int digits, enum line_kind kind, struct page_sum *run)
{
	for (uint32_t i = 0; c && i < c->ndetails; i++) {
		const struct report_detail *dt = &c->details[i];
		int64_t shown = page_sum_add(run, dt->amount);
		human_line(o, format, "", b->names.s[dt->source], b->names.s[dt->product], shown, digits, kind);
		if (b->have_steps)
			steps_line(o, format, b, dt, digits, kind);
	}
}

/* Where each advance the statement's rows went through stands, after the
 * last of them; true when something was written. */
static bool recoupment_paras(struct out *o, enum report_format format, const struct report_cell *c)
{
	char line[256];
	for (size_t i = 0; c && i < c->nrecoup; i++)
		human_para(o, format, "advance", report_recoupment_text(line, sizeof line, &c->recoup[i]));
	return c && c->nrecoup > 0;
}

/* A rate as an exact decimal ("1.0842") when it is one of 12 decimals or
 * fewer, else as the fraction it is ("1/3"). */
static const char *rate_text(char *buf, size_t cap, struct ratio r)
{
	int64_t pow = 1;
	int k = 0;
	while (k < 12 && pow % r.den != 0) {
		pow *= 10;
		k++;
	}
	if (pow % r.den != 0 || r.num > INT64_MAX / (pow / r.den)) {
		snprintf(buf, cap, "%lld/%lld", (long long)r.num, (long long)r.den);
		return buf;
	}
	int64_t v = r.num * (pow / r.den);
	if (k == 0)
		snprintf(buf, cap, "%lld", (long long)v);
	else
		snprintf(buf, cap, "%lld.%0*lld", (long long)(v / pow), k, (long long)(v % pow));
	return buf;
}

static bool fx_use_before(const struct report_fx_use *a, const struct report_fx_use *b)
{
	int c = strcmp(a->currency, b->currency);
	return c ? c < 0 : a->rate_when < b->rate_when;
}

/* Whether account's rows dated in period q are on statement s: its own
 * period's, or late rows posted into it. */
static bool on_statement(const struct report_book *b, const struct report_statement *s, int64_t q)
{
	if (q == s->period)
		return true;
	int64_t p = b->pmin;
	for (long lc; (lc = report_book_late_cell(b, s->account, s->period, &p)) >= 0;)
		if (b->cells[lc].period == q)
			return true;
	return false;
}

/* "Converted into USD at these rates: 1 EUR = 1.0842 USD (rate of
 * 2026-10-01), ..." for a statement some of whose rows were converted, by
 * currency then date; each rate once. */
static int fx_para(struct out *o, enum report_format format, const struct report_book *b,
		   const struct report_statement *s, const struct report_issue *issue, bool *wrote)
{
	struct report_fx_use *u = NULL;
	size_t n = 0, cap = 0;
	*wrote = false;
	for (size_t i = 0; issue && issue->converted && i < b->nfxu; i++) {
		const struct report_fx_use *x = &b->fxu[i];
		if (x->account != s->account || memcmp(x->currency, s->currency, 4) == 0 || !on_statement(b, s, x->period))
			continue;
		struct report_fx_use *grown = grow_array(u, n, &cap, sizeof *u, 16);
		if (!grown) {
			free(u);
			return REPORT_ENOMEM;
		}
		u = grown;
		size_t j = n++;
		for (; j > 0 && fx_use_before(x, &u[j - 1]); j--)
			u[j] = u[j - 1];
		u[j] = *x;
	}
	if (!n)
		return REPORT_OK;
	out_puts(o, format == REPORT_HTML ? "<p class=\"fx\">" : "");
	out_printf(o, "Converted into %s at these rates:", s->currency);
	for (size_t i = 0; i < n; i++) {
		char r[64], day[DATE_BUF];
		if (i > 0 && memcmp(u[i].currency, u[i - 1].currency, 4) == 0 && u[i].rate_when == u[i - 1].rate_when)
			continue; /* one rate, rows of two periods */
		date_format_day(day, u[i].rate_when);
		out_printf(o, "%s 1 %s = %s %s (rate of %s)", i ? "," : "", u[i].currency, rate_text(r, sizeof r, u[i].rate),
			   s->currency, day);
	}
	out_puts(o, format == REPORT_HTML ? ".</p>\n" : ".\n");
	free(u);
	*wrote = true;
	return REPORT_OK;
}

static int statement_for_people(struct out *o, enum report_format format, const struct report_book *b,
				const struct report_statement *s, const struct report_issue *issue)
{
	const struct report_cell *c = s->cell >= 0 ? &b->cells[s->cell] : NULL;
	int d = b->acc[s->account].digits;
	char per[DATE_BUF], line[512];

	period_text(per, b->kind, s->period);
	statement_heading(o, format, s, issue, per);
	/* shown: BF = R(bf), Earned = R(bf + earned) - R(bf), Balance = R(bf +
	 * earned), each line what it adds to the running total from bf, and
	 * Carried forward = Balance - Paid (the exact residue is said below) */
	int64_t balance = s->brought_forward + s->earned; /* the ledger or settling checked it */
	int64_t shown_bf = round_shown(s->brought_forward, d), shown_balance = round_shown(balance, d);
	int64_t shown_cf = shown_balance - round_shown(s->paid, d);
	struct page_sum run = page_sum_at(s->brought_forward, d);
	human_line(o, format, "Brought forward", "", "", shown_bf, d, LINE_PLAIN);
	human_line(o, format, "Earned", "", "", shown_balance - shown_bf, d, LINE_PLAIN);
	detail_lines(o, format, b, c, d, LINE_SUB, &run);
	/* late rows: "Late income for sales in 2026-09 (reported 2026-11)",
	 * "Late refunds ..." when they take away */
	int64_t p = b->pmin;
	for (long lc; (lc = report_book_late_cell(b, s->account, s->period, &p)) >= 0;) {
		const struct report_cell *late = &b->cells[lc];
		char lp[DATE_BUF];
		/* a refund of an earlier month's sale is no income */
		snprintf(line, sizeof line, "Late %s for sales in %s (reported %s):",
			 late->earned < 0 ? "refunds" : "income", period_text(lp, b->kind, late->period), per);
		human_caption(o, format, line);
		detail_lines(o, format, b, late, d, LINE_LATE, &run);
	}
	if (run.overflow)
		return REPORT_EOVERFLOW;
	human_line(o, format, "Balance", "", "", shown_balance, d, LINE_PLAIN);
	human_line(o, format, "Paid", "", "", s->paid, d, LINE_TOTAL);
	human_line(o, format, "Carried forward", "", "", shown_cf, d, LINE_PLAIN);
	if (format == REPORT_HTML)
		out_puts(o, "</table>\n");
	else
		out_putc(o, '\n');
	int64_t cf_residue = s->carried_forward - shown_cf; /* shown CF + residue = the exact CF */
	bool owed = balance < 0, under_minimum = s->paid == 0 && shown_balance > 0;
	/* a statement reproduced from the ledger under another --min-payout
	 * than it was issued with: the minimum it was held under is not known */
	bool held_then = under_minimum && s->reproduced && s->min_payout <= shown_balance;
	if (cf_residue != 0) {
		residue_text(line, sizeof line, cf_residue, d, s->currency, b->kind);
		human_para(o, format, "residue", line);
	}
	if (owed)
		human_para(o, format, "note", "Owed: refunds exceeded earnings; the balance is carried forward.");
	else if (held_then) {
		char x[MONEY_BUF];
		snprintf(line, sizeof line,
			 "Not paid this period: the balance of %s %s was under the minimum payout when this statement "
			 "was issued; it is carried forward.",
			 minor_text(x, balance, d), s->currency);
		human_para(o, format, "note", line);
	} else if (under_minimum) {
		char x[MONEY_BUF], m[MONEY_BUF];
		snprintf(line, sizeof line,
			 "Not paid this period: the balance of %s %s is under the minimum payout of %s %s; "
			 "it is carried forward.",
			 minor_text(x, balance, d), s->currency, minor_text(m, s->min_payout, d), s->currency);
		human_para(o, format, "note", line);
	}
	bool advance = recoupment_paras(o, format, c), fx;
	if (fx_para(o, format, b, s, issue, &fx) != REPORT_OK)
		return REPORT_ENOMEM;
	if ((owed || under_minimum || cf_residue || fx || advance) && format != REPORT_HTML)
		out_putc(o, '\n');
	if (format == REPORT_HTML)
		out_puts(o, "</div>\n");
	return REPORT_OK;
}

/* Add a point to pts[0..*n) (room for *cap). */
static int add_point(struct report_chart_point **pts, size_t *n, size_t *cap, struct report_chart_point pt)
{
	struct report_chart_point *grown = grow_array(*pts, *n, cap, sizeof *grown, 256);
	if (!grown)
		return REPORT_ENOMEM;
	*pts = grown;
	grown[(*n)++] = pt;
	return REPORT_OK;
}

/* Earned as a statement shows it, R(bf + earned) - R(bf), so that a
 * chart's figure is its statement's. */
static int64_t shown_earned(int64_t bf, int64_t earned, int digits)
{
	int64_t balance;
	if (!money_add(bf, earned, &balance))
		return round_shown(earned, digits);
	return round_shown(balance, digits) - round_shown(bf, digits);
}

/* Chart points of one account: its ledger history before this run, then
 * its statements up to period `upto`, in *pts (malloc'd). */
static int account_history(const struct report_book *b, const struct report_ledger *ledger, uint32_t acc,
			   int64_t upto, struct report_chart_point **pts, size_t *n)
{
	size_t cap = 0;
	const struct report_account *a = &b->acc[acc];
	const char *payee = report_book_payee(b, acc);

	*pts = NULL;
	*n = 0;
	for (size_t i = 0; ledger && i < ledger->n; i++) {
		const struct report_ledger_row *row = &ledger->rows[i];
		if (row->period.index >= b->run_first || strcmp(row->payee, payee) != 0 ||
		    memcmp(row->currency, a->currency, 4) != 0)
			continue;
		if (add_point(pts, n, &cap, (struct report_chart_point){row->period.index, shown_earned(row->brought_forward, row->earned, a->digits), row->paid, 0}) != REPORT_OK)
			return REPORT_ENOMEM;
	}
	for (size_t i = 0; i < b->nst; i++)
		if (b->st[i].account == acc && b->st[i].period <= upto) {
			const struct report_statement *s = &b->st[i];
			if (add_point(pts, n, &cap, (struct report_chart_point){s->period, shown_earned(s->brought_forward, s->earned, a->digits), s->paid, 0}) != REPORT_OK)
				return REPORT_ENOMEM;
		}
	return REPORT_OK;
}

/* Charts of the period totals, one per currency, in the order the
 * currencies first appear. */
static int totals_charts(struct out *o, const struct report_book *b)
{
	for (size_t i = 0; i < b->nptot; i++) {
		const char *cur = b->ptot[i].currency;
		bool first = true;
		for (size_t j = 0; j < i; j++)
			first &= memcmp(b->ptot[j].currency, cur, 3) != 0;
		if (!first)
			continue;
		struct report_chart_point *pts = NULL;
		size_t n = 0, cap = 0;
		for (int64_t p = b->run_first; b->have_run && p <= b->run_last; p++) {
			const struct report_period_total *t = report_book_period_total(b, p, cur);
			if (!t)
				continue;
			if (add_point(&pts, &n, &cap, (struct report_chart_point){p, t->earned, t->paid, 0}) != REPORT_OK) {
				free(pts);
				return REPORT_ENOMEM;
			}
		}
		report_chart(o, "Earned and paid per period", "earned", "paid", NULL, cur, currency_digits(cur, 3), b->kind, pts, n);
		free(pts);
	}
	return REPORT_OK;
}

static int statement_charts(struct out *o, const struct report_book *b, const struct report_ledger *ledger,
			    size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		const struct report_statement *s = &b->st[i];
		struct report_chart_point *pts;
		size_t n;
		if (account_history(b, ledger, s->account, s->period, &pts, &n) != REPORT_OK) {
			free(pts);
			return REPORT_ENOMEM;
		}
		report_chart(o, "Your earnings and payouts per period", "earned", "paid", NULL, s->currency,
			     b->acc[s->account].digits, b->kind, pts, n);
		free(pts);
	}
	return REPORT_OK;
}

/* The run's view (never a payee's file): the totals of every period and
 * currency, one paragraph each, after the statements. */
static int batch_totals(struct out *o, enum report_format format, const struct report_book *b)
{
	char per[DATE_BUF], x[4][MONEY_BUF], line[512];
	if (!b->nptot)
		return REPORT_OK;
	if (format == REPORT_TEXT)
		out_puts(o, "======================================================================\n\nBatch totals\n\n");
	else if (format == REPORT_MD)
		out_puts(o, "## Batch totals\n\n");
	else
		out_puts(o, "<div class=\"batch\">\n<h2>Batch totals</h2>\n");
	for (size_t i = 0; i < b->nptot; i++) {
		const struct report_period_total *t = &b->ptot[i];
		int d = currency_digits(t->currency, 3);
		/* figures that add up: bf + earned - paid = carried forward as shown */
		int64_t bf = round_shown(t->brought_forward, d), bal = t->brought_forward, paid = round_shown(t->paid, d);
		if (!money_add(bal, t->earned, &bal))
			return REPORT_EOVERFLOW;
		bal = round_shown(bal, d);
		const int64_t shown[4] = {bf, bal - bf, paid, bal - paid};
		snprintf(line, sizeof line,
			 "All %ld statement%s for %s in %s: brought forward %s, earned %s, paid %s, carried forward %s.",
			 t->count, t->count == 1 ? "" : "s", period_text(per, b->kind, t->period), t->currency,
			 minor_text(x[0], shown[0], d), minor_text(x[1], shown[1], d), minor_text(x[2], shown[2], d),
			 minor_text(x[3], shown[3], d));
		human_para(o, format, "totals", line);
	}
	if (format == REPORT_HTML)
		out_puts(o, "</div>\n");
	return REPORT_OK;
}

int report_render_statements(struct out *o, enum report_format format, const struct report_book *b,
			     const struct report_ledger *ledger, const struct report_issue *issue, size_t from,
			     size_t to, bool whole_report)
{
	if (format == REPORT_TSV)
		out_puts(o, STATEMENT_TSV_HEADER);
	else
		report_doc_begin(o, format, to - from == 1 ? "Payout statement" : "Payout statements");
	if (format == REPORT_HTML) {
		int rc = whole_report ? totals_charts(o, b) : statement_charts(o, b, ledger, from, to);
		if (rc != REPORT_OK)
			return rc;
	}
	for (size_t i = from; i < to; i++) {
		const struct report_statement *s = &b->st[i];
		if (format == REPORT_TSV) {
			statement_tsv(o, b, s);
			continue;
		}
		if (i > from && format == REPORT_TEXT)
			out_puts(o, "----------------------------------------------------------------------\n\n");
		int rc = statement_for_people(o, format, b, s, issue);
		if (rc != REPORT_OK)
			return rc;
		if (format == REPORT_MD && i + 1 < to)
			out_putc(o, '\n');
	}
	if (whole_report && format == REPORT_TSV)
		batch_totals_tsv(o, b); /* a payee's own file: never the other payees' totals */
	else if (whole_report && batch_totals(o, format, b) != REPORT_OK)
		return REPORT_EOVERFLOW;
	report_doc_end(o, format);
	return REPORT_OK;
}

/* ------------------------------------------------------------ the check */

int report_render_check(struct out *o, enum report_format format, enum period_kind kind,
			const struct report_check_line *lines, size_t n)
{
	struct report_table t;

	report_table_init(&t, "Conservation check: net sales = allocated = paid + change in balances carried",
			  "period currency net_sales allocated paid carried_change status", "tsnnnnt");
	for (size_t i = 0; i < n; i++) {
		const struct report_check_line *l = &lines[i];
		char per[DATE_BUF], a[MONEY_BUF], b[MONEY_BUF], p[MONEY_BUF], ch[MONEY_BUF];
		const char *row[7] = {period_text(per, kind, l->period), l->currency,
				      money_text(a, l->net, l->digits), money_text(b, l->allocated, l->digits),
				      money_text(p, l->paid, l->digits), money_text(ch, l->carried_change, l->digits),
				      l->ok ? "ok" : "DIFFERS"};
		report_table_add(&t, row);
	}
	if (report_table_failed(&t)) {
		report_table_free(&t);
		return REPORT_ENOMEM;
	}
	if (format != REPORT_TSV)
		report_doc_begin(o, format, "Conservation check");
	report_table_render(o, format, &t, true);
	report_doc_end(o, format);
	report_table_free(&t);
	return REPORT_OK;
}

/* ------------------------------------------------------------ the summary */

/* TSV: one row per figure, "period currency section name metric value". */
static void summary_tsv_row(struct out *o, enum period_kind kind, const struct report_summary_period *p,
			    const char *section, const char *name, const char *metric, const char *value)
{
	char per[DATE_BUF];
	struct tsv_writer w;
	tsv_writer_init(&w, o);
	tsv_put_str(&w, period_text(per, kind, p->period));
	tsv_put_str(&w, p->currency);
	tsv_put_str(&w, section);
	tsv_put_str(&w, name);
	tsv_put_str(&w, metric);
	tsv_put_str(&w, value);
	tsv_end_row(&w);
}

/* A table's rows as figures of section: a "metric value" table one per
 * row, any other one per cell, named by its first column. */
static void summary_tsv_table(struct out *o, enum period_kind kind, const struct report_summary_period *p,
			      const char *section, const struct report_table *t)
{
	bool metrics = strcmp(t->cols[0], "metric") == 0;
	for (size_t r = 0; r < t->nrows; r++)
		for (int c = 1; c < t->ncols; c++)
			summary_tsv_row(o, kind, p, section, metrics ? "" : report_table_cell(t, r, 0),
					metrics ? report_table_cell(t, r, 0) : t->cols[c], report_table_cell(t, r, c));
}

static void summary_tsv(struct out *o, enum period_kind kind, const struct report_summary_period *p,
			const struct report_table t[REPORT_SUMMARY_TABLES])
{
	static const char *const sections[REPORT_SUMMARY_TABLES] = {"total", "stream", "product", "channel", "country"};
	for (int k = 0; k < REPORT_SUMMARY_TABLES; k++)
		summary_tsv_table(o, kind, p, sections[k], &t[k]);
}

/* The extra tables of a period (report_summary's `extra`), after its own. */
static int summary_extra(struct out *o, enum report_format format, const struct report_summary *s, uint32_t pid)
{
	struct report_table t[REPORT_SUMMARY_EXTRA];
	const char *sections[REPORT_SUMMARY_EXTRA];
	bool failed = false;
	int n = s->extra ? s->extra(s->extra_ctx, s, pid, format, t, sections) : 0;
	for (int k = 0; k < n; k++)
		failed |= report_table_failed(&t[k]);
	for (int k = 0; k < n && !failed; k++)
		if (format == REPORT_TSV)
			summary_tsv_table(o, s->kind, &s->periods[pid], sections[k], &t[k]);
		else if (t[k].nrows) {
			struct report_table words = t[k];
			words.words[0] |= strcmp(words.cols[0], "metric") == 0; /* generated names: in words */
			report_table_render(o, format, &words, false);
		}
	for (int k = 0; k < n; k++)
		report_table_free(&t[k]);
	return failed ? REPORT_ENOMEM : REPORT_OK;
}

static int summary_for_people(struct out *o, enum report_format format, const struct report_summary *s, uint32_t pid,
			      const struct report_table t[REPORT_SUMMARY_TABLES])
{
	enum period_kind kind = s->kind;
	const struct report_summary_period *p = &s->periods[pid];
	char per[DATE_BUF], title[256];

	snprintf(title, sizeof title, "%s in %s: at a glance", period_text(per, kind, p->period), p->currency);
	if (format == REPORT_HTML)
		out_printf(o, "<div class=\"summary\">\n<h2>%s</h2>\n", title);
	else if (format == REPORT_MD)
		out_printf(o, "## %s\n\n", title);
	else {
		out_printf(o, "%s\n", title);
		for (size_t i = strlen(title); i > 0; i--)
			out_putc(o, '=');
		out_puts(o, "\n\n");
	}
	for (int k = 0; k < REPORT_SUMMARY_TABLES; k++)
		if (t[k].nrows) {
			struct report_table words = t[k];
			words.words[0] = k <= 1; /* the overview's metrics and the stream kinds are generated names */
			report_table_render(o, format, &words, false);
		}
	int rc = summary_extra(o, format, s, pid);
	if (format == REPORT_HTML)
		out_puts(o, "</div>\n");
	return rc;
}

/* One chart per currency, in the order of the first period each appears. */
static int summary_charts(struct out *o, const struct report_summary *s)
{
	size_t np = s->nperiods;
	for (size_t i = 0; i < np; i++) {
		const struct report_summary_period *pi = &s->periods[s->order[i]];
		bool first = true;
		for (size_t j = 0; j < i; j++)
			first &= strcmp(s->periods[s->order[j]].currency, pi->currency) != 0;
		if (!first)
			continue;
		struct report_chart_point *pts = malloc(np * sizeof *pts);
		if (!pts)
			return REPORT_ENOMEM;
		size_t n = 0;
		for (size_t j = 0; j < np; j++) {
			const struct report_summary_period *pj = &s->periods[s->order[j]];
			if (strcmp(pj->currency, pi->currency) == 0)
				pts[n++] = (struct report_chart_point){pj->period, pj->revenue, pj->net, pj->fees};
		}
		report_chart(o, "Revenue, fees and net received per period", "revenue", "net received", "fees",
			     pi->currency, pi->digits, s->kind, pts, n);
		free(pts);
		if (report_mix_chart(o, s, pi->currency) != REPORT_OK)
			return REPORT_ENOMEM;
		continue;
		free(pts);
	}
	return REPORT_OK;
}

int report_render_summary(struct out *o, enum report_format format, const struct report_summary *s)
{
	if (format == REPORT_TSV)
		out_puts(o, SUMMARY_TSV_HEADER);
	else
		report_doc_begin(o, format, "The business at a glance");
	if (format == REPORT_HTML && summary_charts(o, s) != REPORT_OK)
		return REPORT_ENOMEM;
	if (format == REPORT_HTML && s->extra_html && s->extra_html(s->extra_ctx, s, o) != REPORT_OK)
		return REPORT_ENOMEM;
	for (size_t i = 0; i < s->nperiods; i++) {
		struct report_table t[REPORT_SUMMARY_TABLES];
		const struct report_summary_period *p = &s->periods[s->order[i]];
		bool failed = false;
		if (s->shown_only && p->period != s->shown_period)
			continue;
		report_summary_tables(s, s->order[i], format, t);
		for (int k = 0; k < REPORT_SUMMARY_TABLES; k++)
			failed |= report_table_failed(&t[k]);
		if (!failed && format == REPORT_TSV) {
			summary_tsv(o, s->kind, p, t);
			failed = summary_extra(o, format, s, s->order[i]) != REPORT_OK;
		} else if (!failed)
			failed = summary_for_people(o, format, s, s->order[i], t) != REPORT_OK;
		for (int k = 0; k < REPORT_SUMMARY_TABLES; k++)
			report_table_free(&t[k]);
		if (failed)
			return REPORT_ENOMEM;
	}
	report_doc_end(o, format);
	return REPORT_OK;
}
