/* report_payouts.c - the payee file and the batch files of tally-report
 * --payouts (see report_payouts.h).
 *
 * The layouts are the services' own, as their documentation gives them
 * (read 2026-12-03):
 *   PayPal Payouts Web, developer.paypal.com/payouts/use-payouts/send-money/use-web-ui
 *   and /docs/payouts/standard/payouts-web: a CSV file with no header,
 *   one payment a row: recipient identifier (e-mail, phone, PayerID or
 *   Venmo handle), amount, currency (one currency a file), Customer ID
 *   (unique, 30 characters at most, no space), note to the recipient (400
 *   characters at most, required for Venmo), recipient wallet (PAYPAL or
 *   VENMO); up to 5,000 rows.
 *   Wise batch payments, wise.com/help/articles/2663302 ("How do I fill in
 *   my batch template?") and 2663296 (the templates): the "send by email"
 *   template's header name, recipientEmail, paymentReference,
 *   receiverType, amountCurrency, amount, sourceCurrency, targetCurrency
 *   (the column order and the PRIVATE/BUSINESS values are those of
 *   generated Wise files published with batch tools, not of a downloaded
 *   template); amountCurrency "target" makes the recipient get the exact
 *   amount, the fees charged to the sender; up to 1,000 rows. */
#include "report_payouts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "hash.h"
#include "money.h"
#include "tsv.h"

/* ------------------------------------------------------------ messages */

static int fail(char *msg, size_t cap, int status, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(char *msg, size_t cap, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, cap, fmt, ap);
	va_end(ap);
	return status;
}

/* ------------------------------------------------------------ the payee file */

static const char *const method_names[] = {"paypal", "venmo", "wise", "manual"};

static bool parse_method(const struct tsv_field *f, enum report_payee_method *m)
{
	for (size_t i = 0; i < sizeof method_names / sizeof method_names[0]; i++)
		if (f->len == strlen(method_names[i]) && memcmp(f->s, method_names[i], f->len) == 0) {
			*m = (enum report_payee_method)i;
			return true;
		}
	return false;
}

static bool has_control(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

static bool is_email(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len);
	return at && at > s && at < s + len - 1 && !memchr(at + 1, '@', (size_t)(s + len - at - 1)) &&
	       memchr(at + 1, '.', (size_t)(s + len - at - 1));
}

struct payee_cols {
	int payee, method, account, currency, name, type; /* column indexes, -1 when absent */
};

/* "FILE:LINE: column "X": "val" WHAT" into msg. */
static int bad_cell(const struct report_payees *p, long line, char *msg, size_t cap, const char *col,
		    const struct tsv_field *f, const char *what)
{
	char q[96];
	return fail(msg, cap, REPORT_PAYOUTS_EDATA, "%s:%ld: column \"%s\": %s %s", p->file, line, col,
		    diag_quote(q, sizeof q, f->s, f->len), what);
}

/* A text cell of the payee file: no control character (a batch file is
 * one payment a line), no leading '=' (a spreadsheet opening the batch
 * would run it). */
static int check_text(const struct report_payees *p, long line, char *msg, size_t cap, const char *col,
		      const struct tsv_field *f)
{
	if (has_control(f->s, f->len))
		return bad_cell(p, line, msg, cap, col, f, "holds a control character");
	if (f->len && f->s[0] == '=')
		return bad_cell(p, line, msg, cap, col, f, "starts with '=': a spreadsheet would run it as a formula");
	return REPORT_PAYOUTS_OK;
}

static int check_account(const struct report_payees *p, long line, char *msg, size_t cap,
			 const struct report_payee *e, const struct tsv_field *f)
{
	if (f->len == 0)
		return bad_cell(p, line, msg, cap, "account", f, "is empty: where is the money to go?");
	int rc = check_text(p, line, msg, cap, "account", f);
	if (rc != REPORT_PAYOUTS_OK)
		return rc;
	if (e->method != REPORT_PAY_MANUAL && (memchr(f->s, ' ', f->len) || memchr(f->s, ',', f->len)))
		return bad_cell(p, line, msg, cap, "account", f, "holds a space or a comma: it is not an account");
	if (e->method == REPORT_PAY_WISE && !is_email(f->s, f->len))
		return bad_cell(p, line, msg, cap, "account", f,
				"is not an e-mail address (Wise's batch pays a recipient by e-mail)");
	return REPORT_PAYOUTS_OK;
}

/* Read one row into *e (its strings owned by *e once returned OK). */
static int read_payee(const struct report_payees *p, const struct tsv_reader *r, const struct payee_cols *c,
		      struct report_payee *e, char *msg, size_t cap)
{
	static const struct tsv_field none = {"", 0, true};
	const struct tsv_field *f = r->fields;
	int rc;

	memset(e, 0, sizeof *e);
	e->line = r->line;
	if (f[c->payee].len == 0)
		return bad_cell(p, r->line, msg, cap, "payee", &f[c->payee], "is empty");
	if (!parse_method(&f[c->method], &e->method))
		return bad_cell(p, r->line, msg, cap, "method", &f[c->method], "is not one of paypal, venmo, wise, manual");
	const struct tsv_field *cur = &f[c->currency];
	if (cur->len != 3 || currency_digits(cur->s, 3) < 0)
		return bad_cell(p, r->line, msg, cap, "currency", cur, "is not a currency code");
	memcpy(e->currency, cur->s, 3);
	if (e->method == REPORT_PAY_VENMO && strcmp(e->currency, "USD") != 0)
		return bad_cell(p, r->line, msg, cap, "currency", cur, "is not USD: Venmo pays in USD only");
	if ((rc = check_account(p, r->line, msg, cap, e, &f[c->account])) != REPORT_PAYOUTS_OK)
		return rc;
	const struct tsv_field *name = c->name >= 0 && f[c->name].len ? &f[c->name] : &f[c->payee];
	if ((rc = check_text(p, r->line, msg, cap, c->name >= 0 && f[c->name].len ? "name" : "payee", name)) !=
	    REPORT_PAYOUTS_OK)
		return rc;
	const struct tsv_field *type = c->type >= 0 ? &f[c->type] : &none;
	if (type->len && strcmp(type->s, "private") != 0 && strcmp(type->s, "business") != 0)
		return bad_cell(p, r->line, msg, cap, "type", type, "is not private or business");
	e->business = type->len && strcmp(type->s, "business") == 0;
	e->payee = strndup(f[c->payee].s, f[c->payee].len);
	e->account = strndup(f[c->account].s, f[c->account].len);
	e->name = strndup(name->s, name->len);
	if (!e->payee || !e->account || !e->name) {
		free(e->payee);
		free(e->account);
		free(e->name);
		return REPORT_PAYOUTS_ENOMEM;
	}
	return REPORT_PAYOUTS_OK;
}

static int cmp_key(const char *pa, const char *ca, const char *pb, const char *cb)
{
	int d = strcmp(pa, pb);
	return d ? d : strcmp(ca, cb);
}

static int cmp_payee(const void *a, const void *b)
{
	const struct report_payee *x = a, *y = b;
	return cmp_key(x->payee, x->currency, y->payee, y->currency);
}

static int find_columns(const struct report_payees *p, const struct tsv_reader *r, struct payee_cols *c, char *msg,
			size_t cap)
{
	static const char *const need[] = {"payee", "method", "account", "currency"};
	int *slot[] = {&c->payee, &c->method, &c->account, &c->currency};

	for (size_t i = 0; i < 4; i++) {
		*slot[i] = tsv_col(r, need[i]);
		if (*slot[i] >= 0)
			continue;
		const char *looks = r->ncols == 1 ? tsv_separator_hint(r->cols[0]) : NULL;
		if (looks)
			return fail(msg, cap, REPORT_PAYOUTS_EUSAGE,
				    "%s:1: the payee file must be TAB-separated: the header line has no TAB (%s)", p->file, looks);
		return fail(msg, cap, REPORT_PAYOUTS_EUSAGE,
			    "%s:1: missing column \"%s\" (a payee file has payee, method, account, currency)", p->file,
			    need[i]);
	}
	c->name = tsv_col(r, "name");
	c->type = tsv_col(r, "type");
	return REPORT_PAYOUTS_OK;
}

static int read_payees(struct report_payees *p, struct tsv_reader *r, char *msg, size_t cap)
{
	struct payee_cols c;
	int rc = find_columns(p, r, &c, msg, cap), got;

	while (rc == REPORT_PAYOUTS_OK && (got = tsv_next(r)) == 1) {
		struct report_payee *grown = grow_array(p->p, p->n, &p->cap, sizeof *p->p, 16);
		if (!grown)
			return REPORT_PAYOUTS_ENOMEM;
		p->p = grown;
		rc = read_payee(p, r, &c, &p->p[p->n], msg, cap);
		if (rc == REPORT_PAYOUTS_OK)
			p->n++;
	}
	if (rc != REPORT_PAYOUTS_OK)
		return rc;
	if (got < 0 && errno)
		return fail(msg, cap, REPORT_PAYOUTS_EOPEN, "%s: %s", p->file, strerror(errno));
	if (got < 0)
		return fail(msg, cap, REPORT_PAYOUTS_EDATA, "%s:%ld: %s", p->file, r->line, r->err);
	return REPORT_PAYOUTS_OK;
}

/* Sorted, a payee and currency given twice is an error. */
static int sort_payees(struct report_payees *p, char *msg, size_t cap)
{
	if (p->n > 1)
		qsort(p->p, p->n, sizeof *p->p, cmp_payee);
	for (size_t i = 1; i < p->n; i++) {
		const struct report_payee *a = &p->p[i - 1], *b = &p->p[i];
		if (cmp_payee(a, b) == 0) {
			const struct report_payee *later = a->line > b->line ? a : b, *first = later == a ? b : a;
			char q[96];
			return fail(msg, cap, REPORT_PAYOUTS_EDATA, "%s:%ld: %s in %s is on line %ld already: one account a payee and currency",
				    p->file, later->line, diag_quote(q, sizeof q, later->payee, strlen(later->payee)),
				    later->currency, first->line);
		}
	}
	return REPORT_PAYOUTS_OK;
}

int report_payees_load(struct report_payees *p, const char *path, char *msg, size_t cap)
{
	struct tsv_reader r;
	char *paths[1] = {(char *)path};
	int rc;

	memset(p, 0, sizeof *p);
	errno = 0;
	if (tsv_open(&r, paths, 1) < 0) {
		snprintf(p->file, sizeof p->file, "%s", r.file ? r.file : path);
		rc = errno ? fail(msg, cap, REPORT_PAYOUTS_EOPEN, "%s: %s", p->file, strerror(errno))
			   : fail(msg, cap, REPORT_PAYOUTS_EDATA, "%s:1: %s", p->file, r.err);
		tsv_close(&r);
		return rc;
	}
	snprintf(p->file, sizeof p->file, "%s", r.file);
	r.pad_short = true; /* name and type may be left out, as the README's example does */
	rc = read_payees(p, &r, msg, cap);
	tsv_close(&r);
	return rc == REPORT_PAYOUTS_OK ? sort_payees(p, msg, cap) : rc;
}

const struct report_payee *report_payees_find(const struct report_payees *p, const char *payee,
					      const char *currency)
{
	size_t lo = 0, hi = p->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = cmp_key(p->p[mid].payee, p->p[mid].currency, payee, currency);
		if (d == 0)
			return &p->p[mid];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Any entry of payee, in whatever currency, or NULL. */
static const struct report_payee *find_any_currency(const struct report_payees *p, const char *payee)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->p[i].payee, payee) == 0)
			return &p->p[i];
	return NULL;
}

void report_payees_free(struct report_payees *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->p[i].payee);
		free(p->p[i].account);
		free(p->p[i].name);
	}
	free(p->p);
	memset(p, 0, sizeof *p);
}

/* ------------------------------------------------------------ the batch */

static const char *const format_names[] = {"paypal", "wise", "tsv"};

bool report_payouts_formats_parse(const char *s, unsigned *formats)
{
	*formats = 0;
	for (;;) {
		size_t len = strcspn(s, ","), i;
		for (i = 0; i < 3 && !(strlen(format_names[i]) == len && memcmp(s, format_names[i], len) == 0); i++)
			;
		if (i == 3 || *formats & 1u << i)
			return false;
		*formats |= 1u << i;
		if (!s[len])
			return true;
		s += len + 1;
	}
}

char *report_payout_reference(char *buf, size_t cap, const char *payee, const char *currency, struct period period)
{
	char per[DATE_BUF], compact[DATE_BUF];
	size_t n = 0;

	period_format(per, period);
	for (const char *s = per; *s; s++)
		if (*s != '-')
			compact[n++] = *s;
	compact[n] = '\0';
	uint64_t h = hash_fnv1a(HASH_FNV_OFFSET, payee, strlen(payee));
	h = hash_fnv1a(h, "\t", 1);
	h = hash_mix64(hash_fnv1a(h, currency, 3));
	snprintf(buf, cap, "%s-%010llx", compact, (unsigned long long)(h & 0xffffffffffULL));
	return buf;
}

/* Whether a payee paid by method goes into a batch of format.  PayPal's
 * batch takes PayPal and Venmo, Wise's Wise, the TSV every method. */
static bool in_format(enum report_payouts_format format, enum report_payee_method m)
{
	switch (format) {
	case REPORT_PAYOUTS_PAYPAL: return m == REPORT_PAY_PAYPAL || m == REPORT_PAY_VENMO;
	case REPORT_PAYOUTS_WISE: return m == REPORT_PAY_WISE;
	default: return true;
	}
}

static bool in_any_format(unsigned formats, enum report_payee_method m)
{
	for (int f = REPORT_PAYOUTS_PAYPAL; f <= REPORT_PAYOUTS_TSV; f++)
		if (formats & 1u << f && in_format((enum report_payouts_format)f, m))
			return true;
	return false;
}

static void note_other_method(struct report_batch *bt, enum report_payee_method m)
{
	const char *name = method_names[m];
	size_t len = strlen(bt->other_methods);
	bt->other_method++;
	for (const char *s = bt->other_methods; (s = strstr(s, name)) != NULL; s += strlen(name))
		if ((s == bt->other_methods || s[-1] == ' ') && (s[strlen(name)] == ',' || s[strlen(name)] == '\0'))
			return;
	snprintf(bt->other_methods + len, sizeof bt->other_methods - len, "%s%s", len ? ", " : "", name);
}

/* PayPal sends HUF and TWD in whole units only (its currency codes
 * page), though ISO 4217 gives them 2 decimals. */
static bool paypal_whole_only(const char *currency)
{
	return strcmp(currency, "HUF") == 0 || strcmp(currency, "TWD") == 0;
}

/* The names of the payees paid who have no line in p, for the message. */
/* The next byte of a name read loosely: spaces trimmed and folded to
 * one, ASCII letters lower-cased; 0 at the end. */
static char loose_next(const char **s, bool *started)
{
	const char *t = *s;
	bool space = false;
	while (*t == ' ' || *t == '\t') {
		t++;
		space = true;
	}
	if (!*t) {
		*s = t;
		return '\0';
	}
	if (space && *started) {
		*s = t;
		return ' ';
	}
	*started = true;
	*s = t + 1;
	return *t >= 'A' && *t <= 'Z' ? (char)(*t - 'A' + 'a') : *t;
}

/* Whether a and b are one name but for case and spaces. */
static bool same_loosely(const char *a, const char *b)
{
	bool sa = false, sb = false;
	for (;;) {
		char x = loose_next(&a, &sa), y = loose_next(&b, &sb);
		if (x != y)
			return false;
		if (!x)
			return true;
	}
}

/* A line of p whose payee is payee but for case and spaces, or NULL. */
static const struct report_payee *find_loosely(const struct report_payees *p, const char *payee)
{
	for (size_t i = 0; i < p->n; i++)
		if (same_loosely(p->p[i].payee, payee))
			return &p->p[i];
	return NULL;
}

static int missing_payees(const struct report_book *b, const struct report_payees *p,
			  char *msg, size_t cap)
{
	size_t n = 0, len;
	char list[1024] = "";

	for (size_t i = 0; i < b->nst; i++) {
		const struct report_statement *s = &b->st[i];
		if (s->paid <= 0 || find_any_currency(p, s->payee))
			continue;
		char amount[MONEY_BUF], q[96], near[128] = "";
		money_format(amount, s->paid, b->acc[s->account].digits);
		const struct report_payee *e = find_loosely(p, s->payee);
		if (e)
			snprintf(near, sizeof near, "; line %ld has %s", e->line,
				 diag_quote(q, sizeof q, e->payee, strlen(e->payee)));
		len = strlen(list);
		if (len + 240 < sizeof list)
			snprintf(list + len, sizeof list - len, "%s%s (%s %s%s)", n ? ", " : "",
				 diag_quote(q, sizeof q, s->payee, strlen(s->payee)), amount, s->currency, near);
		else if (len + 6 < sizeof list && !strstr(list, ", ..."))
			strcat(list, ", ...");
		n++;
	}
	return fail(msg, cap, REPORT_PAYOUTS_EDATA,
		    "%zu payment%s of this run go%s to payees with no line in %s: %s; add one per payee and currency "
		    "(payee, method, account, currency; the payee spelt as in the allocations): nobody is left out of a batch",
		    n, n == 1 ? "" : "s", n == 1 ? "es" : "", p->file, list);
}

/* The payment of statement s into the batch, or an error. */
static int add_payment(struct report_batch *bt, const struct report_book *b, const struct report_statement *s,
		       const struct report_payee *e, char *msg, size_t cap)
{
	char q[96];
	struct report_payout *it;
	int digits = b->acc[s->account].digits;

	if (bt->format == REPORT_PAYOUTS_PAYPAL && paypal_whole_only(s->currency) && s->paid % MONEY_SCALE) {
		char amount[MONEY_BUF];
		money_format(amount, s->paid, digits);
		return fail(msg, cap, REPORT_PAYOUTS_EDATA,
			    "%s is paid %s %s: PayPal sends %s in whole units only; pay it another way (method manual)",
			    diag_quote(q, sizeof q, s->payee, strlen(s->payee)), amount, s->currency, s->currency);
	}
	it = grow_array(bt->items, bt->n, &bt->cap, sizeof *bt->items, 16);
	if (!it)
		return REPORT_PAYOUTS_ENOMEM;
	bt->items = it;
	it = &bt->items[bt->n++];
	memset(it, 0, sizeof *it);
	it->st = s;
	it->payee = e;
	struct period per = {b->kind, s->period};
	period_format(it->period, per);
	report_payout_reference(it->reference, sizeof it->reference, s->payee, s->currency, per);
	/* whole HUF and TWD go to PayPal without decimals, as it asks */
	bool whole = bt->format == REPORT_PAYOUTS_PAYPAL && paypal_whole_only(s->currency);
	money_format(it->amount, s->paid, whole ? 0 : digits);
	return REPORT_PAYOUTS_OK;
}

/* The statement's payee line in its currency, or the error of a payee
 * whose line is in another currency. */
static int payee_of(const struct report_book *b, const struct report_statement *s, const struct report_payees *p,
		    const struct report_payee **e, char *msg, size_t cap)
{
	*e = report_payees_find(p, s->payee, s->currency);
	if (*e)
		return REPORT_PAYOUTS_OK;
	const struct report_payee *other = find_any_currency(p, s->payee);
	char q[96], amount[MONEY_BUF], per[DATE_BUF];
	money_format(amount, s->paid, b->acc[s->account].digits);
	period_format(per, (struct period){b->kind, s->period});
	return fail(msg, cap, REPORT_PAYOUTS_EDATA,
		    "%s:%ld: %s is paid %s %s for %s, but the payee file has an account in %s only: "
		    "give a line for %s (a batch never converts)",
		    p->file, other->line, diag_quote(q, sizeof q, s->payee, strlen(s->payee)), amount, s->currency, per,
		    other->currency, s->currency);
}

static int cmp_item(const void *a, const void *b)
{
	const struct report_payout *x = a, *y = b;
	if (x->st->period != y->st->period)
		return x->st->period < y->st->period ? -1 : 1;
	int d = strcmp(x->st->currency, y->st->currency);
	if (d)
		return d;
	return x->st < y->st ? -1 : x->st > y->st;
}

/* Two payments with one reference would be one payment to the service. */
static int check_references(const struct report_batch *bt, char *msg, size_t cap)
{
	for (size_t i = 0; i < bt->n; i++)
		for (size_t j = i + 1; j < bt->n && bt->items[j].st->period == bt->items[i].st->period; j++)
			if (strcmp(bt->items[i].reference, bt->items[j].reference) == 0)
				return fail(msg, cap, REPORT_PAYOUTS_EDATA,
					    "the payments of %s and %s have one reference, %s: rename one payee",
					    bt->items[i].st->payee, bt->items[j].st->payee, bt->items[i].reference);
	return REPORT_PAYOUTS_OK;
}

/* The most rows a file of the format may have: PayPal Payouts Web takes
 * 5,000, a Wise batch 1,000; the TSV has no limit. */
static size_t rows_max(enum report_payouts_format format)
{
	return format == REPORT_PAYOUTS_PAYPAL ? 5000 : format == REPORT_PAYOUTS_WISE ? 1000 : SIZE_MAX;
}

/* A batch on standard output is one file: PayPal's in one currency, and
 * no more rows than the service takes. */
static int check_one_file(const struct report_batch *bt, char *msg, size_t cap)
{
	for (size_t i = 1; bt->format == REPORT_PAYOUTS_PAYPAL && i < bt->n; i++)
		if (strcmp(bt->items[i].st->currency, bt->items[0].st->currency) != 0)
			return fail(msg, cap, REPORT_PAYOUTS_EUSAGE,
				    "--payouts paypal: the payments are in %s and %s, and PayPal takes one currency a file: "
				    "give --out-dir for one file per currency",
				    bt->items[0].st->currency, bt->items[i].st->currency);
	if (bt->n > rows_max(bt->format))
		return fail(msg, cap, REPORT_PAYOUTS_EUSAGE,
			    "--payouts %s: %zu payments, and the service takes %zu a file: give --out-dir for files of "
			    "%zu",
			    format_names[bt->format], bt->n, rows_max(bt->format), rows_max(bt->format));
	return REPORT_PAYOUTS_OK;
}

int report_batch_build(struct report_batch *bt, enum report_payouts_format format, unsigned run_formats,
		       const struct report_book *b, const struct report_payees *p, bool one_file, char *msg, size_t cap)
{
	int rc = REPORT_PAYOUTS_OK;

	memset(bt, 0, sizeof *bt);
	bt->format = format;
	for (size_t i = 0; i < b->nst; i++)
		if (b->st[i].paid > 0 && !find_any_currency(p, b->st[i].payee))
			return missing_payees(b, p, msg, cap);
	for (size_t i = 0; i < b->nst && rc == REPORT_PAYOUTS_OK; i++) {
		const struct report_statement *s = &b->st[i];
		const struct report_payee *e;
		if (s->paid <= 0) {
			bt->nothing_to_pay++;
			continue;
		}
		if ((rc = payee_of(b, s, p, &e, msg, cap)) != REPORT_PAYOUTS_OK)
			break;
		if (in_format(format, e->method))
			rc = add_payment(bt, b, s, e, msg, cap);
		else if (!in_any_format(run_formats, e->method))
			note_other_method(bt, e->method);
	}
	if (rc != REPORT_PAYOUTS_OK)
		return rc;
	if (format == REPORT_PAYOUTS_PAYPAL && bt->n > 1)
		qsort(bt->items, bt->n, sizeof *bt->items, cmp_item);
	if ((rc = check_references(bt, msg, cap)) != REPORT_PAYOUTS_OK)
		return rc;
	return one_file ? check_one_file(bt, msg, cap) : REPORT_PAYOUTS_OK;
}

char *report_batch_notes(const struct report_batch *bt, char *buf, size_t cap)
{
	int n = 0;

	buf[0] = '\0';
	if (bt->nothing_to_pay)
		n = snprintf(buf, cap, "%ld statement%s pay%s nothing (a balance under the minimum, owed or zero): not in the batch",
			     bt->nothing_to_pay, bt->nothing_to_pay == 1 ? "" : "s", bt->nothing_to_pay == 1 ? "s" : "");
	if (bt->other_method && n >= 0 && (size_t)n < cap)
		snprintf(buf + n, cap - (size_t)n,
			 "%s%ld payment%s by %s in no batch of this run (paypal takes paypal and venmo, wise wise, "
			 "tsv every method; a re-run with them reproduces the month, paying nothing twice)",
			 n ? "; " : "", bt->other_method, bt->other_method == 1 ? "" : "s", bt->other_methods);
	return buf;
}

/* Whether items i and j go in one file but for the services' row limits. */
static bool same_file(const struct report_batch *bt, size_t i, size_t j)
{
	return bt->items[i].st->period == bt->items[j].st->period &&
	       (bt->format != REPORT_PAYOUTS_PAYPAL || strcmp(bt->items[i].st->currency, bt->items[j].st->currency) == 0);
}

/* The first item of the file group that item i is in. */
static size_t group_start(const struct report_batch *bt, size_t i)
{
	size_t g = i;
	while (g > 0 && same_file(bt, g - 1, i))
		g--;
	return g;
}

size_t report_batch_file_end(const struct report_batch *bt, size_t from)
{
	size_t i = from + 1, left = rows_max(bt->format) - (from - group_start(bt, from)) % rows_max(bt->format);
	while (i < bt->n && same_file(bt, i, from) && i - from < left)
		i++;
	return i;
}

char *report_batch_file_name(char *buf, size_t cap, const struct report_batch *bt, size_t from)
{
	const struct report_payout *it = &bt->items[from];
	size_t part = (from - group_start(bt, from)) / rows_max(bt->format) + 1;
	char suffix[32] = "";
	if (part > 1)
		snprintf(suffix, sizeof suffix, "-%zu", part);
	switch (bt->format) {
	case REPORT_PAYOUTS_PAYPAL:
		snprintf(buf, cap, "payouts-%s-%s%s.paypal.csv", it->period, it->st->currency, suffix);
		break;
	case REPORT_PAYOUTS_WISE: snprintf(buf, cap, "payouts-%s%s.wise.csv", it->period, suffix); break;
	default: snprintf(buf, cap, "payouts-%s.batch.tsv", it->period); break;
	}
	return buf;
}

/* ------------------------------------------------------------ writing */

/* One CSV field, quoted when it must be (RFC 4180), after a comma unless first. */
static void csv_put(struct out *o, const char *s, bool first)
{
	size_t len = strlen(s);
	bool quote = strpbrk(s, ",\"\r\n") || (len && (s[0] == ' ' || s[len - 1] == ' '));

	if (!first)
		out_putc(o, ',');
	if (!quote) {
		out_write(o, s, len);
		return;
	}
	out_putc(o, '"');
	for (; *s; s++) {
		if (*s == '"')
			out_putc(o, '"');
		out_putc(o, *s);
	}
	out_putc(o, '"');
}

static void csv_row(struct out *o, const char *const *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		csv_put(o, f[i], i == 0);
	out_puts(o, "\r\n");
}

static void put_paypal(struct out *o, const struct report_payout *it)
{
	char note[96];
	snprintf(note, sizeof note, "Payout for %s (statement %s)", it->period, it->st->id);
	const char *f[] = {it->payee->account, it->amount, it->st->currency, it->reference, note,
			   it->payee->method == REPORT_PAY_VENMO ? "VENMO" : "PAYPAL"};
	csv_row(o, f, 6);
}

static void put_wise(struct out *o, const struct report_payout *it)
{
	const char *f[] = {it->payee->name, it->payee->account, it->reference, it->payee->business ? "BUSINESS" : "PRIVATE",
			   "target", it->amount, it->st->currency, it->st->currency};
	csv_row(o, f, 8);
}

static void put_tsv(struct out *o, const struct report_payout *it)
{
	struct tsv_writer w;
	const char *f[] = {it->period, it->st->id, it->st->payee, method_names[it->payee->method], it->payee->account,
			   it->st->currency, it->amount, it->reference, it->payee->name};
	tsv_writer_init(&w, o);
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		tsv_put_str(&w, f[i]);
	tsv_end_row(&w);
}

static void put_header(struct out *o, enum report_payouts_format format)
{
	if (format == REPORT_PAYOUTS_WISE)
		out_puts(o, "name,recipientEmail,paymentReference,receiverType,amountCurrency,amount,sourceCurrency,"
			    "targetCurrency\r\n");
	else if (format == REPORT_PAYOUTS_TSV)
		out_puts(o, "period\tstatement\tpayee\tmethod\taccount\tcurrency\tamount\treference\tname\n");
}

static void put_rows(struct out *o, const struct report_batch *bt, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		const struct report_payout *it = &bt->items[i];
		if (bt->format == REPORT_PAYOUTS_PAYPAL)
			put_paypal(o, it);
		else if (bt->format == REPORT_PAYOUTS_WISE)
			put_wise(o, it);
		else
			put_tsv(o, it);
	}
}

void report_batch_write(struct out *o, const struct report_batch *bt, size_t from, size_t to)
{
	put_header(o, bt->format);
	put_rows(o, bt, from, to);
}

static int put_file(const struct report_batch *bt, const char *dir, size_t from, size_t to, struct out *listing,
		    char *msg, size_t cap)
{
	char name[96];
	size_t plen = strlen(dir) + sizeof name + 2;
	char *path = malloc(plen);
	struct out o;
	int rc = REPORT_PAYOUTS_OK;

	if (!path)
		return REPORT_PAYOUTS_ENOMEM;
	snprintf(path, plen, "%s/%s", dir, report_batch_file_name(name, sizeof name, bt, from));
	if (out_open_file_here(&o, path) < 0)
		rc = fail(msg, cap, REPORT_PAYOUTS_EOPEN, "%s: %s", path,
			  errno == ELOOP ? "a symbolic link: batch files are not written through links" : strerror(errno));
	else {
		report_batch_write(&o, bt, from, to);
		if (out_close(&o) < 0)
			rc = fail(msg, cap, REPORT_PAYOUTS_EWRITE, "%s: write error: %s", path, strerror(errno));
		else {
			out_puts(listing, path);
			out_putc(listing, '\n');
		}
	}
	free(path);
	return rc;
}

int report_batch_put(const struct report_batch *bt, const char *dir, struct out *listing, char *msg, size_t cap)
{
	if (!dir) {
		report_batch_write(listing, bt, 0, bt->n);
		return REPORT_PAYOUTS_OK;
	}
	for (size_t i = 0; i < bt->n;) {
		size_t j = report_batch_file_end(bt, i);
		int rc = put_file(bt, dir, i, j, listing, msg, cap);
		if (rc != REPORT_PAYOUTS_OK)
			return rc;
		i = j;
	}
	return REPORT_PAYOUTS_OK;
}

void report_batch_free(struct report_batch *bt)
{
	free(bt->items);
	memset(bt, 0, sizeof *bt);
}
