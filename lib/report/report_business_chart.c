/* report_business_chart.c - the business model as an SVG chart for the
 * HTML summary (report_business.h): revenue and costs per period, and the
 * break-even revenue of each period as a line across its bars. */
#include "report_business.h"

#include <stdio.h>
#include <string.h>

#include "money.h"
#include "escape.h"
#include "report_render.h"

#define CHART_W       640
#define CHART_H       240
#define CHART_BOTTOM  40
#define CHART_TOP     20
#define CHART_PERIODS 24 /* the last two years of months */

__extension__ typedef __int128 i128;

int report_business_costs(const struct report_business *b, int64_t period, int64_t *fixed,
			  int64_t *variable)
{
	long slot = keymap_find(&b->period_ix, (uint64_t)period, 0);
	i128 f = 0, v = 0;
	*fixed = *variable = 0;
	if (slot < 0)
		return REPORT_BUSINESS_OK;
	for (size_t i = 0; b->costs && i < b->costs->n; i++) {
		f += b->periods[slot].fixed[i];
		v += b->periods[slot].variable[i];
	}
	if (f > INT64_MAX || v > INT64_MAX)
		return REPORT_BUSINESS_EOVERFLOW;
	*fixed = (int64_t)f;
	*variable = (int64_t)v;
	return REPORT_BUSINESS_OK;
}

struct bar {
	int64_t period, revenue, costs, break_even; /* break_even < 0: none */
};

/* The break-even revenue of a period, rounded up; -1 when the
 * contribution is not positive. */
static int64_t break_even(const struct report_summary_period *p, int64_t fixed, int64_t variable)
{
	i128 contribution = (i128)p->net - variable;
	if (contribution <= 0)
		return -1;
	i128 v = ((i128)fixed * p->revenue + contribution - 1) / contribution;
	return v > INT64_MAX ? -1 : (int64_t)v;
}

static void put_bar(struct out *o, const struct bar *bar, double x, double bw,
		    const struct report_chart_axis *ax, enum period_kind kind, int digits)
{
	const int64_t v[2] = {bar->revenue, bar->costs};
	const char *fill[2] = {"#7aa6d8", "#d98c5f"}, *what[2] = {"revenue", "costs"};
	char per[DATE_BUF], a[MONEY_BUF];
	/* drawing only: doubles for pixels, never for money */
	double base = report_chart_y(ax, 0);
	period_format(per, (struct period){kind, bar->period});
	for (int k = 0; k < 2; k++) {
		double y = report_chart_y(ax, v[k] > 0 ? v[k] : 0);
		money_format_minor(a, v[k], digits);
		out_printf(o,
			   "<rect fill=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
			   "<title>%s %s: %s</title></rect>\n",
			   fill[k], x + bw * k, y, bw, base - y, per, what[k], a);
	}
	if (bar->break_even >= 0) {
		double y = report_chart_y(ax, bar->break_even);
		money_format_minor(a, bar->break_even, digits);
		out_printf(
		    o,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#222\" "
		    "stroke-width=\"2\" "
		    "stroke-dasharray=\"4 2\"><title>%s break-even revenue: %s</title></line>\n",
		    x - 2, y, x + 2 * bw + 2, y, per, a);
	}
	out_printf(o, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x + bw,
		   CHART_H - CHART_BOTTOM + 16, per);
}

/* The value axis over every bar's revenue, costs and break-even: round
 * steps with gridlines, as the other charts (report_chart_axis_span). */
static void bars_axis(struct report_chart_axis *ax, const struct bar *bars, size_t n, int digits)
{
	int64_t hi = 0;
	for (size_t i = 0; i < n; i++) {
		const int64_t v[3] = {bars[i].revenue, bars[i].costs, bars[i].break_even};
		for (int k = 0; k < 3; k++)
			hi = v[k] > hi ? v[k] : hi;
	}
	report_chart_axis_span(ax, 0, hi, digits);
	ax->top = CHART_TOP;
	ax->bottom = CHART_H - CHART_BOTTOM;
}

static void put_chart(struct out *o, const struct bar *bars, size_t n, const char *currency,
		      int digits, enum period_kind kind)
{
	struct report_chart_axis ax;
	bars_axis(&ax, bars, n, digits);
	int left = report_chart_label_px(&ax, digits) + 14;
	out_printf(o,
		   "<div class=\"chart\">\n<p class=\"caption\">Revenue, costs and break-even per "
		   "period (%s)</p>\n",
		   currency);
	out_printf(o,
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "viewBox=\"0 0 %d %d\" role=\"img\">\n",
		   CHART_W, CHART_H, CHART_W, CHART_H);
	out_printf(o, "<title>Revenue, costs and break-even revenue per period, %s</title>\n",
		   currency);
	report_chart_value_axis(o, &ax, left, CHART_W - 10, digits);
	double group = n ? (double)(CHART_W - left - 20) / (double)n : 0;
	for (size_t i = 0; i < n; i++)
		put_bar(o, &bars[i], left + 10 + group * (double)i, group * 0.35, &ax, kind,
			digits);
	out_printf(o,
		   "<rect fill=\"#7aa6d8\" x=\"%d\" y=\"%d\" width=\"10\" height=\"10\"/><text "
		   "x=\"%d\" y=\"%d\">revenue</text>\n"
		   "<rect fill=\"#d98c5f\" x=\"%d\" y=\"%d\" width=\"10\" height=\"10\"/><text "
		   "x=\"%d\" y=\"%d\">costs</text>\n"
		   "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#222\" "
		   "stroke-width=\"2\" stroke-dasharray=\"4 2\"/>"
		   "<text x=\"%d\" y=\"%d\">break-even revenue</text>\n",
		   left, CHART_H - 12, left + 14, CHART_H - 3, left + 90, CHART_H - 12, left + 104,
		   CHART_H - 3, left + 170, CHART_H - 7, left + 190, CHART_H - 7, left + 196,
		   CHART_H - 3);
	out_puts(o, "</svg>\n</div>\n");
}

int report_business_chart(const void *ctx, const struct report_summary *s, struct out *o)
{
	const struct report_business *b = ctx;
	struct bar bars[CHART_PERIODS];
	size_t n = 0;
	int digits = 2;
	if (!b->costs || !b->currency[0])
		return REPORT_OK;
	/* s->order is by period: keep the last CHART_PERIODS in the sales' currency */
	for (size_t i = 0; i < s->nperiods; i++) {
		const struct report_summary_period *p = &s->periods[s->order[i]];
		int64_t fixed, variable;
		if (memcmp(p->currency, b->currency, 3) != 0 ||
		    (s->shown_only && p->period > s->shown_period))
			continue;
		if (report_business_costs(b, p->period, &fixed, &variable) != REPORT_BUSINESS_OK)
			continue; /* overflowing costs: the tables say so */
		if (n == CHART_PERIODS) {
			memmove(bars, bars + 1, (CHART_PERIODS - 1) * sizeof *bars);
			n--;
		}
		bars[n++] = (struct bar){p->period, p->revenue, fixed + variable,
					 break_even(p, fixed, variable)};
		digits = p->digits;
	}
	if (n)
		put_chart(o, bars, n, b->currency, digits, b->kind);
	return REPORT_OK;
}
