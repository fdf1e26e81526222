/* report_waterfall.c - how an allocation was reached: reading the
 * `recoupment` cell tally-split --waterfall writes (report_statements.h),
 * and the words a statement says about it (report_waterfall.h). */
#include "report_waterfall.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "money.h"

/* One "LINE:CAP:CUR:RECOUPED" entry, s[0..len). */
static bool parse_entry(const char *s, size_t len, int64_t when, struct report_recoupment *r)
{
	const char *end = s + len, *p = s;
	long line = 0;
	while (p < end && *p >= '0' && *p <= '9' && line < 100000000)
		line = line * 10 + (*p++ - '0');
	if (p == s || p == end || *p != ':' || line == 0)
		return false;
	const char *cap = ++p;
	p = memchr(cap, ':', (size_t)(end - cap));
	if (!p || end - p < 5 || p[4] != ':')
		return false;
	if (money_parse(cap, (size_t)(p - cap), &r->cap) != 0 || r->cap <= 0)
		return false;
	memcpy(r->currency, p + 1, 3);
	r->currency[3] = '\0';
	if (currency_digits(r->currency, 3) < 0)
		return false;
	p += 5;
	if (money_parse(p, (size_t)(end - p), &r->recouped) != 0 || r->recouped < 0 || r->recouped > r->cap)
		return false;
	r->line = line;
	r->when = when;
	return true;
}

bool report_recoupment_parse(const char *text, size_t len, int64_t when, struct report_recoupment *out, size_t cap,
			     size_t *n)
{
	*n = 0;
	for (const char *p = text, *end = text + len; p < end;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;
		if (*n == cap || !parse_entry(p, (size_t)(stop - p), when, &out[*n]))
			return false;
		(*n)++;
		if (comma && comma + 1 == end)
			return false;
		p = comma ? comma + 1 : end;
	}
	return true;
}

size_t report_recoupment_keep(struct report_recoupment *r, size_t n, long line)
{
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (line == 0 || r[i].line <= line)
			r[kept++] = r[i];
	return kept;
}

/* v rounded toward zero to the minor unit (as statements show amounts). */
static int64_t rounded(int64_t v, int digits)
{
	int64_t payable, residue;
	money_round_payable(v, digits, &payable, &residue);
	return payable;
}

/* v in minor units, rounded toward zero. */
static const char *minor(char *buf, int64_t v, int digits)
{
	money_format(buf, rounded(v, digits), digits);
	return buf;
}

/* R(from) - R(to): the difference of rounded running values, so that
 * the figures shown chain (tally-report(1), "Figures that add up"). */
static const char *diff_minor(char *buf, int64_t from, int64_t to, int digits)
{
	money_format(buf, rounded(from, digits) - rounded(to, digits), digits);
	return buf;
}

/* The step named `name` from running value `from` to `to`, as shown
 * (diff_minor), after its operator: " − fees 7.00", or for a step that
 * adds (a refund's fees and commission, given back) " + fees 7.00":
 * never a minus sign twice.  buf holds MONEY_BUF + 32 bytes. */
static const char *step_minor(char *buf, const char *name, int64_t from, int64_t to, int digits)
{
	char x[MONEY_BUF];
	int64_t v = rounded(from, digits) - rounded(to, digits);
	money_format(x, v < 0 ? -v : v, digits);
	snprintf(buf, MONEY_BUF + 32, " %s %s %s", v < 0 ? "+" : "\xe2\x88\x92", name, x);
	return buf;
}

/* amount ÷ reached as a percentage of two decimals at most: "50%", "42.5%". */
static void share_text(char *buf, size_t cap, int64_t amount, int64_t reached)
{
	int64_t h; /* hundredths of a percent */
	if (reached < 0) {
		amount = -amount;
		reached = -reached;
	}
	if (!money_muldiv(amount, 10000, reached, &h)) {
		snprintf(buf, cap, "?");
		return;
	}
	const char *sign = h < 0 ? "-" : "";
	long long u = h < 0 ? -(long long)h : (long long)h, whole = u / 100, frac = u % 100;
	if (frac == 0)
		snprintf(buf, cap, "%s%lld%%", sign, whole);
	else if (frac % 10 == 0)
		snprintf(buf, cap, "%s%lld.%lld%%", sign, whole, frac / 10);
	else
		snprintf(buf, cap, "%s%lld.%02lld%%", sign, whole, frac);
}

const char *report_steps_text(char *buf, size_t cap, const struct report_steps *st, int64_t amount, int digits,
			      bool have_gross)
{
	char x[MONEY_BUF + 32], y[MONEY_BUF], pct[MONEY_BUF + 2];
	size_t n = 0;
	/* the running values: gross, basis (after fees), after commission, reached */
	int64_t after_commission = st->reached;
	if (!money_add(after_commission, st->recouped, &after_commission))
		after_commission = st->reached; /* cannot be: basis = reached + commission + recouped */
	buf[0] = '\0';
#define ADD(...) (n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, __VA_ARGS__), n = n < cap ? n : cap - 1)
	if (have_gross) {
		ADD("gross %s", minor(x, st->gross, digits));
		if (st->gross != st->basis)
			ADD("%s", step_minor(x, "fees", st->gross, st->basis, digits));
	} else
		ADD("split %s", minor(x, st->basis, digits));
	if (st->commission != 0)
		ADD("%s", step_minor(x, "commission", st->basis, after_commission, digits));
	if (st->recouped != 0)
		ADD("%s", step_minor(x, "recouped", after_commission, st->reached, digits));
	ADD(" = %s", minor(y, st->reached, digits));
	if (st->reached != 0) {
		share_text(pct, sizeof pct, amount, st->reached);
		ADD(" \xc3\x97 %s", pct);
		if (st->has_share && !st->share_unknown && st->share_min != st->share_max) {
			/* one percentage for sales split at different shares is a
			 * blend a reader cannot check: say what it blends */
			char lo[MONEY_BUF + 2], hi[MONEY_BUF + 2];
			share_text(lo, sizeof lo, st->share_min, 10000);
			share_text(hi, sizeof hi, st->share_max, 10000);
			ADD(" on average (%s to %s on its sales)", lo, hi);
		}
	}
#undef ADD
	return buf;
}

const char *report_recoupment_text(char *buf, size_t cap, const struct report_recoupment *r)
{
	char c[MONEY_BUF], got[MONEY_BUF], left[MONEY_BUF];
	int d = currency_digits(r->currency, 3);
	snprintf(buf, cap, "Advance %s %s (agreements line %ld): recouped %s, remaining %s.", minor(c, r->cap, d),
		 r->currency, r->line, minor(got, r->recouped, d), diff_minor(left, r->cap, r->recouped, d));
	return buf;
}
