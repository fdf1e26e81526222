/* report_summary_chart.c - the summary's channel mix as an inline SVG
 * (report_render.h): which platforms carry the business, period by
 * period. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_render.h"

#define MIX_W       640
#define MIX_H       240
#define MIX_TOP     16
#define MIX_PLOT_H  150
#define MIX_LEFT    40
#define MIX_PERIODS 24
#define MIX_NAMED   6
#define MIX_CHAR_PX 7

static const char *const mix_colour[MIX_NAMED + 1] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd",
						      "#8c564b", "#e377c2", "#9e9e9e"};

struct mix_channel {
	uint32_t name;  /* name id */
	int64_t gross;  /* over the periods drawn (positive parts) */
};

/* The periods of currency in order, the last MIX_PERIODS of them. */
static size_t mix_periods(const struct report_summary *s, const char *currency, uint32_t *ids)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nperiods; i++)
		if (strcmp(s->periods[s->order[i]].currency, currency) == 0)
			ids[n++] = s->order[i];
	if (n > MIX_PERIODS) {
		memmove(ids, ids + n - MIX_PERIODS, MIX_PERIODS * sizeof *ids);
		n = MIX_PERIODS;
	}
	return n;
}

/* The slot of channel name in ch[0..n): its rank, MIX_NAMED for "other". */
static size_t mix_slot(const struct mix_channel *ch, size_t n, uint32_t name)
{
	for (size_t i = 0; i < n && i < MIX_NAMED; i++)
		if (ch[i].name == name)
			return i;
	return MIX_NAMED;
}

/* The channels of the periods ids[0..np), largest gross first, in *out. */
static int mix_channels(const struct report_summary *s, const uint32_t *ids, size_t np, struct mix_channel **out,
			size_t *nout)
{
	struct mix_channel *ch = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < np; i++)
		for (uint32_t k = s->item_start[ids[i]]; k < s->item_start[ids[i] + 1]; k++) {
			const struct report_summary_item *it = &s->items[s->item_order[k]];
			if (it->section != REPORT_SEC_CHANNEL)
				continue;
			size_t j = 0;
			while (j < n && ch[j].name != it->name)
				j++;
			if (j == n) {
				struct mix_channel *grown = grow_array(ch, n, &cap, sizeof *grown, 8);
				if (!grown) {
					free(ch);
					return REPORT_ENOMEM;
				}
				ch = grown;
				ch[n++] = (struct mix_channel){it->name, 0};
			}
			if (it->gross > 0 && ch[j].gross <= INT64_MAX - it->gross)
				ch[j].gross += it->gross;
		}
	for (size_t i = 1; i < n; i++) { /* few channels: insertion sort, stable */
		struct mix_channel c = ch[i];
		size_t j = i;
		for (; j > 0 && ch[j - 1].gross < c.gross; j--)
			ch[j] = ch[j - 1];
		ch[j] = c;
	}
	*out = ch;
	*nout = n;
	return REPORT_OK;
}

/* One period's bar, bottom to top in the channels' order. */
static void mix_bar(struct out *o, const struct report_summary *s, uint32_t pid, const struct mix_channel *ch,
		    size_t nch, double x, double bw)
{
	int64_t part[MIX_NAMED + 1] = {0}, total = 0;
	char per[DATE_BUF], pct[32];
	for (uint32_t k = s->item_start[pid]; k < s->item_start[pid + 1]; k++) {
		const struct report_summary_item *it = &s->items[s->item_order[k]];
		if (it->section == REPORT_SEC_CHANNEL && it->gross > 0 && total <= INT64_MAX - it->gross) {
			part[mix_slot(ch, nch, it->name)] += it->gross;
			total += it->gross;
		}
	}
	period_format(per, (struct period){s->kind, s->periods[pid].period});
	double y = MIX_TOP + MIX_PLOT_H;
	for (size_t c = 0; total > 0 && c <= MIX_NAMED; c++) {
		if (part[c] == 0)
			continue;
		double h = (double)part[c] / (double)total * MIX_PLOT_H;
		y -= h;
		out_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s ", x, y, bw,
			   h, mix_colour[c], per);
		if (c < MIX_NAMED)
			report_put_html(o, s->names.s[ch[c].name], strlen(s->names.s[ch[c].name]));
		else
			out_puts(o, "other");
		out_printf(o, ": %s</title></rect>\n", report_percent(pct, part[c], total));
	}
}

/* The legend under the bars, wrapped to the chart's width. */
static void mix_legend(struct out *o, const struct report_summary *s, const struct mix_channel *ch, size_t nch)
{
	int x = MIX_LEFT, y = MIX_TOP + MIX_PLOT_H + 40;
	for (size_t c = 0; c < nch && c <= MIX_NAMED; c++) {
		const char *name = c < MIX_NAMED ? s->names.s[ch[c].name] : "other";
		int w = 14 + (int)strlen(name) * MIX_CHAR_PX + 16;
		if (x + w > MIX_W && x > MIX_LEFT) {
			x = MIX_LEFT;
			y += 16;
		}
		out_printf(o, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">", x,
			   y - 9, mix_colour[c], x + 14, y);
		report_put_html(o, name, strlen(name));
		out_puts(o, "</text>\n");
		x += w;
	}
}

int report_mix_chart(struct out *o, const struct report_summary *s, const char *currency)
{
	uint32_t *ids = malloc((s->nperiods ? s->nperiods : 1) * sizeof *ids);
	struct mix_channel *ch = NULL;
	size_t nch = 0;
	if (!ids)
		return REPORT_ENOMEM;
	size_t np = mix_periods(s, currency, ids);
	if (mix_channels(s, ids, np, &ch, &nch) != REPORT_OK) {
		free(ids);
		return REPORT_ENOMEM;
	}
	if (nch > 0) {
		out_printf(o, "<div class=\"chart\">\n<p class=\"caption\">Channel mix: each channel's share of revenue per period (%s)</p>\n",
			   currency);
		out_printf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n",
			   MIX_W, MIX_H, MIX_W, MIX_H);
		out_printf(o, "<title>Channel mix per period (%s)</title>\n", currency);
		for (int q = 0; q <= 4; q++) {
			double y = MIX_TOP + MIX_PLOT_H * (1 - q / 4.0);
			out_printf(o, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>\n", MIX_LEFT, y,
				   MIX_W - 12, y);
			out_printf(o, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d%%</text>\n", MIX_LEFT - 6, y + 4, q * 25);
		}
		double group = (double)(MIX_W - 12 - MIX_LEFT - 10) / (double)np, bw = group * 0.6 > 40 ? 40 : group * 0.6;
		size_t every = (size_t)(8.0 * MIX_CHAR_PX / group) + 1;
		for (size_t i = 0; i < np; i++) {
			double x = MIX_LEFT + 5 + group * (double)i + (group - bw) / 2;
			char per[DATE_BUF];
			mix_bar(o, s, ids[i], ch, nch, x, bw);
			period_format(per, (struct period){s->kind, s->periods[ids[i]].period});
			if ((np - 1 - i) % every == 0)
				out_printf(o, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x + bw / 2,
					   MIX_TOP + MIX_PLOT_H + 16, per);
		}
		mix_legend(o, s, ch, nch);
		out_puts(o, "</svg>\n</div>\n");
	}
	free(ch);
	free(ids);
	return REPORT_OK;
}
