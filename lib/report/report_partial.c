/* report_partial.c - write and add up tally-report's partial sums (see
 * report_partial.h). */
#include "report_partial.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "money.h"

enum { C_RECORD, C_NAME, C_VALUE, C_PERIOD, C_CURRENCY, C_PAYEE, C_SOURCE, C_PRODUCT, C_AMOUNT, C_NET };

static const char *const col_names[10] = {"record", "name",   "value",   "period", "currency",
					  "payee",  "source", "product", "amount", "net"};

static const char *const option_names[] = {"kind", "period", "opening", "to"};

/* ---- writing ------------------------------------------------------------------ */

/* One row of ten fields; NULL fields are empty. */
static void put_row(struct tsv_writer *w, const char *const f[10])
{
	for (int i = 0; i < 10; i++)
		tsv_put_str(w, f[i] ? f[i] : "");
	tsv_end_row(w);
}

static void put_meta(struct tsv_writer *w, const char *record, const char *name, const char *value)
{
	const char *f[10] = {record, name, value};
	put_row(w, f);
}

static void put_count(struct tsv_writer *w, const char *name, long v)
{
	char n[24];
	snprintf(n, sizeof n, "%ld", v);
	put_meta(w, "count", name, n);
}

static void put_left(struct tsv_writer *w, const char *name, const struct report_partial_left *l)
{
	char n[24], line[24];
	if (!l->count)
		return;
	snprintf(n, sizeof n, "%ld", l->count);
	snprintf(line, sizeof line, "%ld", l->line);
	const char *f[10] = {"left", name, n, NULL, NULL, NULL, l->file, NULL, line};
	put_row(w, f);
}

static const char *format_period(char *buf, enum period_kind kind, bool have, int64_t index)
{
	if (!have)
		return "";
	period_format(buf, (struct period){kind, index});
	return buf;
}

static void put_options(struct tsv_writer *w, const struct report_partial_meta *m)
{
	char a[DATE_BUF], b[DATE_BUF];
	put_meta(w, "option", "kind", period_kind_name(m->kind));
	put_meta(w, "option", "period", format_period(a, m->kind, m->have_period, m->period));
	put_meta(w, "option", "opening", format_period(b, m->kind, m->have_opening, m->opening));
	put_meta(w, "option", "to", m->to);
}

static void put_money_field(struct tsv_writer *w, int64_t v)
{
	tsv_put_money(w, v, 6);
}

int report_partial_write(struct out *o, const struct report_book *b, const struct report_partial_meta *m)
{
	struct tsv_writer w;
	char per[DATE_BUF];
	tsv_writer_init(&w, o);
	out_puts(o, REPORT_PARTIAL_HEADER "\n");
	put_options(&w, m);
	put_count(&w, "rows", m->rows);
	put_count(&w, "differing", m->differing);
	put_count(&w, "check", m->check);
	for (int i = 0; i < m->ncurrencies; i++)
		put_meta(&w, "count", "currency", m->currencies[i]);
	put_left(&w, "after", &m->after);
	put_left(&w, "before", &m->before);
	put_left(&w, "early", &m->early);
	for (size_t i = 0; i < b->ncells; i++) {
		const struct report_cell *c = &b->cells[i];
		const struct report_account *a = &b->acc[c->account];
		period_format(per, (struct period){b->kind, c->period});
		for (uint32_t j = 0; j < c->ndetails; j++) {
			const struct report_detail *d = &c->details[j];
			const char *f[8] = {"sum", NULL, NULL, per, a->currency, b->names.s[a->payee],
					    b->names.s[d->source], b->names.s[d->product]};
			for (int k = 0; k < 8; k++)
				tsv_put_str(&w, f[k] ? f[k] : "");
			put_money_field(&w, d->amount);
			tsv_put_str(&w, "");
			tsv_end_row(&w);
		}
	}
	for (size_t i = 0; m->check && i < b->ntot; i++) {
		const struct report_check_total *t = &b->tot[i];
		period_format(per, (struct period){b->kind, t->period});
		const char *f[8] = {"check", NULL, NULL, per, t->currency};
		for (int k = 0; k < 8; k++)
			tsv_put_str(&w, f[k] ? f[k] : "");
		put_money_field(&w, t->allocated);
		put_money_field(&w, t->net);
		tsv_end_row(&w);
	}
	return REPORT_OK;
}

/* ---- reading ------------------------------------------------------------------ */

int report_partial_check_header(const struct tsv_reader *r)
{
	if (r->ncols != 10)
		return -1;
	for (int i = 0; i < 10; i++)
		if (tsv_col(r, col_names[i]) != i)
			return -1;
	return 0;
}

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return -1;
}

static int bad_value(char *err, size_t cap, int col, const struct tsv_field *f, const char *what)
{
	char q[96];
	return fail(err, cap, "column \"%s\": %s %s", col_names[col], diag_quote(q, sizeof q, f->s, f->len), what);
}

static bool field_is(const struct tsv_field *f, const char *s)
{
	return f->len == strlen(s) && memcmp(f->s, s, f->len) == 0;
}

static int parse_count(const struct tsv_field *f, long *v)
{
	char buf[24], *end;
	if (f->len == 0 || f->len >= sizeof buf)
		return -1;
	memcpy(buf, f->s, f->len);
	buf[f->len] = '\0';
	*v = strtol(buf, &end, 10);
	return *end || *v < 0 ? -1 : 0;
}

/* A period of the partial's kind, or "" for none (when none_ok). */
static int parse_period(const struct report_partial_meta *m, const struct tsv_field *f, bool none_ok, bool *have,
			int64_t *index)
{
	struct period p;
	*have = f->len > 0;
	if (!*have)
		return none_ok ? 0 : -1;
	if (period_parse(f->s, f->len, &p) < 0 || p.kind != m->kind)
		return -1;
	*index = p.index;
	return 0;
}

/* An option row: the first partial sets it, the others must agree. */
static int add_option(struct report_partial_meta *m, const struct tsv_field *f, char *err, size_t cap)
{
	size_t i;
	for (i = 0; i < 4 && !field_is(&f[C_NAME], option_names[i]); i++)
		;
	if (i == 4)
		return bad_value(err, cap, C_NAME, &f[C_NAME], "is not an option of a partial");
	bool known = m->options & (1u << i), have = false;
	const struct tsv_field *v = &f[C_VALUE];
	int64_t index = 0;
	if (i == 0) {
		int k = period_kind_parse(v->len < 16 ? v->s : "");
		if (k < 0)
			return bad_value(err, cap, C_VALUE, v, "is not a kind of period");
		if (known && (enum period_kind)k != m->kind)
			return bad_value(err, cap, C_VALUE, v, "differs from the kind of period of the partials before");
		m->kind = (enum period_kind)k;
	} else if (i == 1 || i == 2) {
		if (!(m->options & 1u))
			return fail(err, cap, "column \"name\": \"%s\" before \"kind\"", option_names[i]);
		if (parse_period(m, v, true, &have, &index) < 0)
			return bad_value(err, cap, C_VALUE, v, "is not a period of the partial's kind");
		bool *mh = i == 1 ? &m->have_period : &m->have_opening;
		int64_t *mi = i == 1 ? &m->period : &m->opening;
		if (known && (have != *mh || (have && index != *mi)))
			return bad_value(err, cap, C_VALUE, v, "differs from the partials before: they were read with another "
								   "--period or --opening");
		*mh = have;
		*mi = index;
	} else {
		if (v->len && (v->len != 3 || currency_digits(v->s, 3) < 0))
			return bad_value(err, cap, C_VALUE, v, "is not a currency code");
		if (known && (v->len != strlen(m->to) || memcmp(v->s, m->to, v->len) != 0))
			return bad_value(err, cap, C_VALUE, v, "differs from the partials before: they were read with another --to");
		memcpy(m->to, v->s, v->len);
		m->to[v->len] = '\0';
	}
	m->options |= 1u << i;
	return 0;
}

static int add_count(struct report_partial_meta *m, const struct tsv_field *f, char *err, size_t cap)
{
	const struct tsv_field *v = &f[C_VALUE];
	long n;
	if (field_is(&f[C_NAME], "currency")) {
		if (v->len != 3 || currency_digits(v->s, 3) < 0)
			return bad_value(err, cap, C_VALUE, v, "is not a currency code");
		for (int i = 0; i < m->ncurrencies; i++)
			if (memcmp(m->currencies[i], v->s, 3) == 0)
				return 0;
		if (m->ncurrencies < REPORT_PARTIAL_CURRENCIES) {
			memcpy(m->currencies[m->ncurrencies], v->s, 3);
			m->currencies[m->ncurrencies++][3] = '\0';
		}
		return 0;
	}
	if (parse_count(v, &n) < 0)
		return bad_value(err, cap, C_VALUE, v, "is not a count");
	if (field_is(&f[C_NAME], "rows"))
		m->rows += n;
	else if (field_is(&f[C_NAME], "differing"))
		m->differing += n;
	else if (field_is(&f[C_NAME], "check") && n <= 1)
		m->no_check |= n == 0;
	else
		return bad_value(err, cap, C_NAME, &f[C_NAME], "is not a count of a partial");
	return 0;
}

static int add_left(struct report_partial_meta *m, const struct tsv_field *f, char *err, size_t cap)
{
	struct report_partial_left *l = field_is(&f[C_NAME], "after")    ? &m->after
					: field_is(&f[C_NAME], "before") ? &m->before
					: field_is(&f[C_NAME], "early")  ? &m->early
									 : NULL;
	long n, line;
	if (!l)
		return bad_value(err, cap, C_NAME, &f[C_NAME], "is not after, before or early");
	if (parse_count(&f[C_VALUE], &n) < 0)
		return bad_value(err, cap, C_VALUE, &f[C_VALUE], "is not a count");
	if (parse_count(&f[C_AMOUNT], &line) < 0)
		return bad_value(err, cap, C_AMOUNT, &f[C_AMOUNT], "is not a line number");
	if (l->count == 0) {
		snprintf(l->file, sizeof l->file, "%.*s", (int)f[C_SOURCE].len, f[C_SOURCE].s);
		l->line = line;
	}
	l->count += n;
	return 0;
}

static int parse_amount(const struct tsv_field *f, int col, int64_t *v, char *err, size_t cap)
{
	int rc = money_parse(f->s, f->len, v);
	return rc == MONEY_OK ? 0 : bad_value(err, cap, col, f, money_strerror(rc));
}

/* The period and currency of a sum or check row. */
static int row_key(const struct report_partial_meta *m, const struct tsv_field *f, int64_t *period, char *err,
		   size_t cap)
{
	bool have;
	if (!(m->options & 1u))
		return fail(err, cap, "a %.*s row before the partial's options", (int)f[C_RECORD].len, f[C_RECORD].s);
	if (parse_period(m, &f[C_PERIOD], false, &have, period) < 0)
		return bad_value(err, cap, C_PERIOD, &f[C_PERIOD], "is not a period of the partial's kind");
	if (f[C_CURRENCY].len != 3 || currency_digits(f[C_CURRENCY].s, 3) < 0)
		return bad_value(err, cap, C_CURRENCY, &f[C_CURRENCY], "is not a currency code");
	return 0;
}

static int intern(struct report_book *b, const struct tsv_field *f, uint32_t *id)
{
	return names_intern(&b->names, f->s, f->len, id) < 0 ? REPORT_ENOMEM : REPORT_OK;
}

static int add_sum(struct report_book *b, const struct report_partial_meta *m, const struct tsv_field *f, char *err,
		   size_t cap)
{
	int64_t period, amount;
	char cur[4];
	uint32_t payee, source, product, account;
	if (row_key(m, f, &period, err, cap) < 0 || parse_amount(&f[C_AMOUNT], C_AMOUNT, &amount, err, cap) < 0)
		return -1;
	if (f[C_PAYEE].len == 0)
		return bad_value(err, cap, C_PAYEE, &f[C_PAYEE], "is empty");
	if (m->drop_before && period < m->drop_period)
		return REPORT_OK;
	memcpy(cur, f[C_CURRENCY].s, 3);
	cur[3] = '\0';
	int rc;
	if ((rc = intern(b, &f[C_PAYEE], &payee)) || (rc = intern(b, &f[C_SOURCE], &source)) ||
	    (rc = intern(b, &f[C_PRODUCT], &product)) || (rc = report_book_account(b, payee, cur, &account)))
		return rc;
	return report_book_add(b, account, period, source, product, amount);
}

static int add_check(struct report_book *b, const struct report_partial_meta *m, const struct tsv_field *f, char *err,
		     size_t cap)
{
	int64_t period, allocated, net;
	char cur[4];
	if (row_key(m, f, &period, err, cap) < 0 || parse_amount(&f[C_AMOUNT], C_AMOUNT, &allocated, err, cap) < 0 ||
	    parse_amount(&f[C_NET], C_NET, &net, err, cap) < 0)
		return -1;
	memcpy(cur, f[C_CURRENCY].s, 3);
	cur[3] = '\0';
	if (m->drop_before && period < m->drop_period)
		return REPORT_OK;
	return report_book_add_check(b, period, cur, net, allocated);
}

int report_partial_add(struct report_book *b, struct report_partial_meta *m, const struct tsv_field *f, char *err,
		       size_t errcap)
{
	const struct tsv_field *rec = &f[C_RECORD];
	if (field_is(rec, "sum"))
		return add_sum(b, m, f, err, errcap);
	if (field_is(rec, "check"))
		return add_check(b, m, f, err, errcap);
	if (field_is(rec, "option"))
		return add_option(m, f, err, errcap);
	if (field_is(rec, "count"))
		return add_count(m, f, err, errcap);
	if (field_is(rec, "left"))
		return add_left(m, f, err, errcap);
	return bad_value(err, errcap, C_RECORD, rec, "is not a record of a partial (option, count, left, sum, check)");
}
