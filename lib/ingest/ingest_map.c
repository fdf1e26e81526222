/* ingest_map.c - parsing and running mappings (see ingest_map.h). */
#include "ingest_map.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "ingest_amount.h"
#include "ingest_date.h"
#include "ingest_util.h"
#include "money.h"
#include "tsv.h"

__extension__ typedef __int128 i128;

#define IMAP_COL_NONE (-1)
#define IMAP_COL_RECORD (-2)
#define IMAP_COL_ITEM (-3)

const char *const imap_kinds[] = {"sale", "refund", "chargeback", "subscription", "tip",
				  "fee", "payout", "adjustment", NULL};

struct imap_part {
	char *lit;            /* literal text, or NULL for a reference */
	size_t lit_len;
	struct imap_ref *ref;
};

struct imap_factor {
	struct imap_ref *ref; /* NULL: the constant */
	int64_t value;        /* micro-units */
};

struct imap_term {
	int sign;
	struct imap_factor *factors;
	size_t n;
};

enum cond_op { OP_EQ, OP_NE, OP_HAS, OP_HASNT, OP_LT, OP_GT, OP_LE, OP_GE };

struct imap_cond {
	struct imap_ref *ref;
	enum cond_op op;
	char **values;            /* text ops: lower-case alternatives */
	size_t *value_lens;
	size_t nvalues;
	struct imap_ref *rhs_ref; /* numeric ops against a column */
	struct imap_expr *rhs_expr; /* numeric ops against {A} + {B}...: an expression */
	int64_t rhs;              /* numeric ops against a number */
};

static const char *const text_names[IMAP_NTEXT] = {
	"date", "sale_date", "order", "line", "product", "sku",
	"quantity", "currency", "country", "customer", "id", "reported", "link",
};
static const char *const amount_names[IMAP_NAMOUNT] = {"gross", "tax", "fee", "net"};

/* ---- small helpers --------------------------------------------------- */

static int fail(struct imap *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct imap *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->err, sizeof m->err, fmt, ap);
	va_end(ap);
	return -1;
}

static void *grow_array(void *p, size_t n, size_t elem)
{
	/* grows to exactly n elements (mappings are small); on failure p is
	 * left as it was, still owned by the caller */
	return realloc(p, (n ? n : 1) * elem);
}

#define PUSH(arr, count, val)                                                              \
	do {                                                                               \
		void *np_ = grow_array((arr), (count) + 1, sizeof *(arr));                 \
		if (!np_)                                                                  \
			return fail(m, "out of memory");                                   \
		(arr) = np_;                                                               \
		(arr)[(count)++] = (val);                                                  \
	} while (0)

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static void trim(const char **s, size_t *n)
{
	while (*n > 0 && ((*s)[0] == ' ' || (*s)[0] == '\t'))
		(*s)++, (*n)--;
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static bool same_name(const char *a, size_t an, const char *b)
{
	trim(&a, &an);
	size_t bn = strlen(b);
	return an == bn && strncasecmp(a, b, an) == 0;
}

/* ---- parsing ----------------------------------------------------------- */

/* "{A|B?}" at *pp; advances past '}'. */
static struct imap_ref *parse_ref(struct imap *m, const char **pp)
{
	const char *p = *pp + 1, *end = strchr(p, '}');
	if (!end) {
		fail(m, "a '{' without its '}'");
		return NULL;
	}
	struct imap_ref *r = calloc(1, sizeof *r);
	if (!r) {
		fail(m, "out of memory");
		return NULL;
	}
	const char *e = end;
	if (end[1] == '?') { /* {A|B}? : the column may be missing */
		r->optional = true;
		end++;
	}
	const char *tilde = memchr(p, '~', (size_t)(e - p));
	if (tilde) { /* {A|B ~ TEXT}: a word out of the text */
		const char *a = tilde + 1;
		if (*a == '~') { /* {A ~~ TEXT}: the rest of the text */
			r->rest = true;
			a++;
		}
		size_t an = (size_t)(e - a);
		trim(&a, &an);
		r->after = dupn(a, an);
		r->after_len = an;
		e = tilde;
		if (!r->after) {
			free(r);
			fail(m, "out of memory");
			return NULL;
		}
	}
	while (p <= e) {
		const char *bar = memchr(p, '|', (size_t)(e - p));
		const char *stop = bar ? bar : e;
		const char *s = p;
		size_t n = (size_t)(stop - p);
		trim(&s, &n);
		if (r->nnames == IMAP_MAX_ALTS || n == 0) {
			for (size_t k = 0; k < r->nnames; k++)
				free(r->names[k]);
			free(r->after);
			free(r);
			fail(m, n == 0 ? "an empty column name in {...}" : "too many alternatives in {...}");
			return NULL;
		}
		r->names[r->nnames] = dupn(s, n);
		if (!r->names[r->nnames]) {
			for (size_t k = 0; k < r->nnames; k++)
				free(r->names[k]);
			free(r->after);
			free(r);
			fail(m, "out of memory");
			return NULL;
		}
		r->nnames++;
		p = stop + 1;
		if (!bar)
			break;
	}
	void *np = grow_array(m->refs, m->nrefs + 1, sizeof *m->refs);
	if (!np) {
		for (size_t k = 0; k < r->nnames; k++)
			free(r->names[k]);
		free(r->after);
		free(r);
		fail(m, "out of memory");
		return NULL;
	}
	m->refs = np;
	m->refs[m->nrefs++] = r;
	*pp = end + 1;
	return r;
}

/* Parse into *slot (set first, so that imap_free frees a half-built one). */
static struct imap_template *parse_template(struct imap *m, const char *s, struct imap_template **slot)
{
	struct imap_template *t = calloc(1, sizeof *t);
	*slot = t;
	if (!t) {
		fail(m, "out of memory");
		return NULL;
	}
	const char *p = s;
	while (*p) {
		struct imap_part part = {0};
		if (*p == '{') {
			part.ref = parse_ref(m, &p);
			if (!part.ref)
				return NULL;
		} else {
			const char *b = strchr(p, '{');
			size_t n = b ? (size_t)(b - p) : strlen(p);
			part.lit = dupn(p, n);
			part.lit_len = n;
			p += n;
			if (!part.lit) {
				fail(m, "out of memory");
				return NULL;
			}
		}
		void *np = grow_array(t->parts, t->nparts + 1, sizeof *t->parts);
		if (!np) {
			free(part.lit);
			fail(m, "out of memory");
			return NULL;
		}
		t->parts = np;
		t->parts[t->nparts++] = part;
	}
	return t;
}

static struct imap_expr *parse_expr(struct imap *m, const char *s, struct imap_expr **slot)
{
	struct imap_expr *e = calloc(1, sizeof *e);
	*slot = e;
	if (!e) {
		fail(m, "out of memory");
		return NULL;
	}
	e->text = strdup(s);
	if (!e->text) {
		fail(m, "out of memory");
		return NULL;
	}
	const char *p = skip_ws(s);
	int sign = 1;
	if (*p == '-')
		sign = -1, p = skip_ws(p + 1);
	else if (*p == '+')
		p = skip_ws(p + 1);
	for (;;) {
		void *nt = grow_array(e->terms, e->nterms + 1, sizeof *e->terms);
		if (!nt) {
			fail(m, "out of memory");
			return NULL;
		}
		e->terms = nt;
		struct imap_term *term = &e->terms[e->nterms++];
		*term = (struct imap_term){sign, NULL, 0};
		for (;;) {
			struct imap_factor f = {0};
			if (*p == '{') {
				f.ref = parse_ref(m, &p);
				if (!f.ref)
					return NULL;
			} else {
				const char *q = p;
				while ((*q >= '0' && *q <= '9') || *q == '.')
					q++;
				if (q == p) {
					fail(m, "expected {column} or a number at \"%s\"", p);
					return NULL;
				}
				if (money_parse(p, (size_t)(q - p), &f.value) != MONEY_OK) {
					fail(m, "bad number \"%.*s\"", (int)(q - p), p);
					return NULL;
				}
				p = q;
			}
			void *np = grow_array(term->factors, term->n + 1, sizeof *term->factors);
			if (!np) {
				term->n = 0;
				return NULL;
			}
			term->factors = np;
			term->factors[term->n++] = f;
			p = skip_ws(p);
			if (*p != '*')
				break;
			p = skip_ws(p + 1);
		}
		if (*p == '\0')
			break;
		if (*p != '+' && *p != '-') {
			fail(m, "expected + - * or the end at \"%s\"", p);
			return NULL;
		}
		sign = *p == '-' ? -1 : 1;
		p = skip_ws(p + 1);
	}
	return e;
}

/* Whether s[0..n) is arithmetic ({A} + {B}), a + - * outside the braces
 * after its start, rather than one column or number. */
static bool arithmetic(const char *s, size_t n)
{
	int depth = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '{')
			depth++;
		else if (s[i] == '}')
			depth--;
		else if (depth == 0 && i > 0 && (s[i] == '+' || s[i] == '-' || s[i] == '*'))
			return true;
	}
	return false;
}

/* ATOM [and ATOM]... */
static int parse_conds(struct imap *m, const char *s, struct imap_conds *out)
{
	const char *p = skip_ws(s);
	for (;;) {
		PUSH(out->atoms, out->n, (struct imap_cond){0});
		struct imap_cond *cp = &out->atoms[out->n - 1];
#define c (*cp)
		if (*p != '{')
			return fail(m, "a condition starts with {column}, not \"%s\"", p);
		c.ref = parse_ref(m, &p);
		if (!c.ref)
			return -1;
		p = skip_ws(p);
		static const struct {
			const char *s;
			enum cond_op op;
		} ops[] = {{"!=", OP_NE}, {"!~", OP_HASNT}, {"<=", OP_LE}, {">=", OP_GE},
			   {"=", OP_EQ},  {"~", OP_HAS},    {"<", OP_LT},  {">", OP_GT}};
		size_t k;
		for (k = 0; k < sizeof ops / sizeof ops[0]; k++)
			if (strncmp(p, ops[k].s, strlen(ops[k].s)) == 0)
				break;
		if (k == sizeof ops / sizeof ops[0])
			return fail(m, "expected = != ~ !~ < > <= >= at \"%s\"", p);
		c.op = ops[k].op;
		p = skip_ws(p + strlen(ops[k].s));
		const char *and = strstr(p, " and ");
		size_t n = and ? (size_t)(and - p) : strlen(p);
		if (c.op >= OP_LT && arithmetic(p, n)) {
			char *text = dupn(p, n);
			if (!text)
				return fail(m, "out of memory");
			struct imap_expr *e = parse_expr(m, text, &c.rhs_expr);
			free(text);
			if (!e)
				return -1;
			p += n;
		} else if (c.op >= OP_LT) {
			if (*p == '{') {
				c.rhs_ref = parse_ref(m, &p);
				if (!c.rhs_ref)
					return -1;
			} else {
				const char *v = p;
				size_t vn = n;
				trim(&v, &vn);
				if (ingest_amount_parse(v, vn, '.', &c.rhs, NULL, NULL) != INGEST_AMOUNT_OK)
					return fail(m, "expected a number after the comparison, not \"%.*s\"",
						    (int)vn, v);
				p += n;
			}
		} else {
			const char *v = p, *end = p + n;
			while (v <= end) {
				const char *bar = memchr(v, '|', (size_t)(end - v));
				const char *stop = bar ? bar : end;
				const char *w = v;
				size_t wn = (size_t)(stop - v);
				trim(&w, &wn);
				if (wn == 2 && w[0] == '"' && w[1] == '"')
					wn = 0;
				char *val = dupn(w, wn);
				if (!val)
					return fail(m, "out of memory");
				for (char *q = val; *q; q++)
					if (*q >= 'A' && *q <= 'Z')
						*q = (char)(*q - 'A' + 'a');
				size_t nv = c.nvalues;
				PUSH(c.value_lens, nv, wn);
				PUSH(c.values, c.nvalues, val);
				v = stop + 1;
				if (!bar)
					break;
			}
			p += n;
		}
#undef c
		p = skip_ws(p);
		if (*p == '\0')
			return 0;
		if (strncmp(p, "and ", 4) != 0)
			return fail(m, "expected \"and\" or the end at \"%s\"", p);
		p = skip_ws(p + 4);
	}
}

/* "KIND [if COND]" */
static int parse_kind_when(struct imap *m, const char *v, char **kind, struct imap_conds *when)
{
	const char *sp = v;
	while (*sp && *sp != ' ' && *sp != '\t')
		sp++;
	*kind = dupn(v, (size_t)(sp - v));
	if (!*kind)
		return fail(m, "out of memory");
	bool known = strcmp(*kind, "skip") == 0 || strcmp(*kind, "none") == 0 || strcmp(*kind, "error") == 0;
	for (size_t i = 0; imap_kinds[i]; i++)
		known |= strcmp(*kind, imap_kinds[i]) == 0;
	if (!known)
		return fail(m, "unknown kind \"%s\" (sale refund chargeback subscription tip fee payout adjustment)",
			    *kind);
	const char *p = skip_ws(sp);
	if (*p == '\0')
		return 0;
	if (strncmp(p, "if ", 3) != 0)
		return fail(m, "expected \"if CONDITION\" after the kind");
	return parse_conds(m, p + 3, when);
}

static int parse_if(struct imap *m, const char *v, struct imap_conds *when)
{
	if (strncmp(v, "if ", 3) != 0)
		return fail(m, "expected \"if CONDITION\"");
	return parse_conds(m, v + 3, when);
}

#define NOT_MINE 1 /* a directive helper's "not one of mine" */

/* The mapping's description: format, source, title, note, checked,
 * detect.  0, -1 with m->err, or NOT_MINE. */
static int describe_directive(struct imap *m, const char *key, const char *v)
{
	if (strcmp(key, "format") == 0 || strcmp(key, "source") == 0 || strcmp(key, "title") == 0 ||
	    strcmp(key, "note") == 0) {
		char **dst = key[0] == 'f' ? &m->name : key[0] == 's' ? &m->source
			   : key[0] == 't' ? &m->title : &m->note;
		free(*dst);
		*dst = strdup(v);
		if (!*dst)
			return fail(m, "out of memory");
		if (key[0] == 'n' && strncmp(v, "inferred", 8) == 0)
			m->inferred = true;
		return 0;
	}
	if (strcmp(key, "checked") == 0) {
		char *c = strdup(v);
		if (!c)
			return fail(m, "out of memory");
		PUSH(m->checked, m->nchecked, c);
		return 0;
	}
	if (strcmp(key, "detect") == 0) {
		const char *p = v;
		while (*(p = skip_ws(p))) {
			if (*p != '{')
				return fail(m, "detect lists {column} references");
			struct imap_ref *r = parse_ref(m, &p);
			if (!r)
				return -1;
			r->optional = true; /* detection only: binding never fails on it */
			PUSH(m->detect, m->ndetect, r);
		}
		return 0;
	}
	return NOT_MINE;
}

/* How the file is read: separator, encoding, decimal-mark, date-format,
 * date-order, timezone, default-currency.  0, -1 with m->err, or
 * NOT_MINE. */
static int reading_directive(struct imap *m, const char *key, const char *v)
{
	if (strcmp(key, "separator") == 0) {
		if (strcmp(v, ",") == 0 || strcmp(v, "comma") == 0)
			m->sep = ',';
		else if (strcmp(v, ";") == 0 || strcmp(v, "semicolon") == 0)
			m->sep = ';';
		else if (strcmp(v, "tab") == 0 || strcmp(v, "\\t") == 0)
			m->sep = '\t';
		else if (strcmp(v, "auto") == 0)
			m->sep = 0;
		else
			return fail(m, "separator is , ; tab or auto, not \"%s\"", v);
		return 0;
	}
	if (strcmp(key, "encoding") == 0) {
		m->enc = csvin_encoding_parse(v);
		if (m->enc < 0)
			return fail(m, "unknown encoding \"%s\"", v);
		return 0;
	}
	if (strcmp(key, "decimal-mark") == 0) {
		if (strcmp(v, ".") != 0 && strcmp(v, ",") != 0)
			return fail(m, "decimal-mark is . or ,");
		m->decimal_mark = v[0];
		return 0;
	}
	if (strcmp(key, "date-format") == 0) {
		char *f = strdup(v);
		if (!f)
			return fail(m, "out of memory");
		PUSH(m->date_formats, m->ndate_formats, f);
		return 0;
	}
	if (strcmp(key, "date-order") == 0) {
		const char *p = skip_ws(v);
		if (*p != '{')
			return fail(m, "date-order {COLUMN} [{ZONE COLUMN}]");
		m->date_order_ref = parse_ref(m, &p);
		if (!m->date_order_ref)
			return -1;
		p = skip_ws(p);
		if (*p == '{') {
			m->date_order_zone = parse_ref(m, &p);
			if (!m->date_order_zone)
				return -1;
			m->date_order_zone->optional = true;
		}
		return 0;
	}
	if (strcmp(key, "timezone") == 0) {
		if (ingest_tz_parse(v, strlen(v), &m->tz_minutes) < 0)
			return fail(m, "unknown timezone \"%s\" (UTC, +HH:MM or an abbreviation like PST)", v);
		return 0;
	}
	if (strcmp(key, "default-currency") == 0) {
		if (strlen(v) != 3 || currency_digits(v, 3) < 0)
			return fail(m, "\"%s\" is not an ISO 4217 currency code", v);
		memcpy(m->default_currency, v, 4);
		return 0;
	}
	return NOT_MINE;
}

/* total-check {COLUMN} = sum {COLUMN} | count, of the last total line. */
static int total_check(struct imap *m, const char *v)
{
	if (m->ntotals == 0)
		return fail(m, "total-check without a total line before it");
	struct imap_total *t = &m->totals[m->ntotals - 1];
	struct imap_total_check c = {0};
	const char *p = skip_ws(v);
	if (*p != '{')
		return fail(m, "total-check {COLUMN} = sum {COLUMN} | count");
	c.target = parse_ref(m, &p);
	if (!c.target)
		return -1;
	c.target->optional = true;
	p = skip_ws(p);
	if (*p != '=')
		return fail(m, "total-check {COLUMN} = sum {COLUMN} | count");
	p = skip_ws(p + 1);
	if (strncmp(p, "count", 5) == 0 && *skip_ws(p + 5) == '\0') {
		c.summed = NULL;
	} else if (strncmp(p, "sum ", 4) == 0) {
		p = skip_ws(p + 4);
		if (*p != '{')
			return fail(m, "total-check {COLUMN} = sum {COLUMN} | count");
		c.summed = parse_ref(m, &p);
		if (!c.summed)
			return -1;
	} else {
		return fail(m, "total-check {COLUMN} = sum {COLUMN} | count");
	}
	PUSH(t->checks, t->nchecks, c);
	return 0;
}

/* The record rules: skip, stop, total, total-check, fill-key, fill-down.
 * 0, -1 with m->err, or NOT_MINE. */
static int rule_directive(struct imap *m, const char *key, const char *v)
{
	if (strcmp(key, "skip") == 0 || strcmp(key, "stop") == 0) {
		if (key[1] == 'k') {
			PUSH(m->skips, m->nskips, (struct imap_conds){0});
			return parse_if(m, v, &m->skips[m->nskips - 1]);
		}
		PUSH(m->stops, m->nstops, (struct imap_conds){0});
		return parse_if(m, v, &m->stops[m->nstops - 1]);
	}
	if (strcmp(key, "total") == 0) {
		PUSH(m->totals, m->ntotals, (struct imap_total){0});
		struct imap_total *t = &m->totals[m->ntotals - 1];
		const char *cond = skip_ws(v);
		if (strncmp(cond, "if", 2) == 0)
			cond = skip_ws(cond + 2);
		t->text = dupn(cond, strlen(cond));
		if (!t->text)
			return fail(m, "out of memory");
		return parse_if(m, v, &t->when);
	}
	if (strcmp(key, "total-required") == 0) {
		if (*skip_ws(v))
			return fail(m, "total-required takes no value");
		m->total_required = true;
		return 0;
	}
	if (strcmp(key, "total-check") == 0)
		return total_check(m, v);
	if (strcmp(key, "fill-key") == 0) {
		const char *p = skip_ws(v);
		if (*p != '{')
			return fail(m, "fill-key {COLUMN}");
		m->fill_key = parse_ref(m, &p);
		return m->fill_key ? 0 : -1;
	}
	if (strcmp(key, "fill-down") == 0) {
		const char *p = v;
		while (*(p = skip_ws(p))) {
			if (*p != '{')
				return fail(m, "fill-down lists {column} references");
			struct imap_ref *r = parse_ref(m, &p);
			if (!r)
				return -1;
			if (r->nnames != 1)
				return fail(m, "fill-down takes one column per {...}");
			PUSH(m->fill, m->nfill, r);
		}
		return 0;
	}
	return NOT_MINE;
}

/* "item TEMPLATE if COND": the template up to " if ". */
static int item_directive(struct imap *m, const char *v)
{
	const char *cond = strstr(v, " if ");
	if (m->item_rule)
		return fail(m, "item given twice");
	if (!cond)
		return fail(m, "item TEMPLATE if CONDITION");
	char *t = dupn(v, (size_t)(cond - v));
	if (!t)
		return fail(m, "out of memory");
	struct imap_template *tp = parse_template(m, t, &m->item_rule);
	free(t);
	return tp ? parse_conds(m, cond + 4, &m->item_when) : -1;
}

static int directive(struct imap *m, const char *key, const char *v)
{
	struct imap_emit *cur = &m->emits[m->nemits - 1];
	bool in_main = m->nemits == 1;

	if (strcmp(key, "item") == 0)
		return in_main ? item_directive(m, v) : fail(m, "\"item\" belongs before the first emit section");

	for (int i = 0; i < IMAP_NTEXT; i++)
		if (strcmp(key, text_names[i]) == 0 || (i == IMAP_SALE_DATE && strcmp(key, "sale-date") == 0)) {
			if (cur->text[i])
				return fail(m, "%s given twice", key);
			return parse_template(m, v, &cur->text[i]) ? 0 : -1;
		}
	for (int i = 0; i < IMAP_NAMOUNT; i++)
		if (strcmp(key, amount_names[i]) == 0) {
			if (cur->amount[i])
				return fail(m, "%s given twice", key);
			return parse_expr(m, v, &cur->amount[i]) ? 0 : -1;
		}
	if (strcmp(key, "emit") == 0) {
		PUSH(m->emits, m->nemits, (struct imap_emit){0});
		struct imap_emit *e = &m->emits[m->nemits - 1];
		if (parse_kind_when(m, v, &e->kind, &e->when) < 0)
			return -1;
		if (strcmp(e->kind, "skip") == 0 || strcmp(e->kind, "none") == 0 || strcmp(e->kind, "error") == 0)
			return fail(m, "emit %s makes no sense", e->kind);
		return 0;
	}
	if (strcmp(key, "kind") == 0) {
		if (!in_main)
			return fail(m, "kind inside an emit section (the kind is on the emit line)");
		PUSH(m->kinds, m->nkinds, (struct imap_kind_rule){0});
		struct imap_kind_rule *k = &m->kinds[m->nkinds - 1];
		return parse_kind_when(m, v, &k->kind, &k->when);
	}
	if (!in_main)
		return fail(m, "\"%s\" belongs before the first emit section", key);
	int st = describe_directive(m, key, v);
	if (st == NOT_MINE)
		st = reading_directive(m, key, v);
	if (st == NOT_MINE)
		st = rule_directive(m, key, v);
	return st == NOT_MINE ? fail(m, "unknown directive \"%s\"", key) : st;
}

int imap_parse(struct imap *m, const char *text, const char *name)
{
	(void)name;
	memset(m, 0, sizeof *m);
	m->enc = -1;
	m->decimal_mark = '.';
	m->text_copy = strdup(text);
	m->emits = calloc(1, sizeof *m->emits);
	if (!m->text_copy || !m->emits)
		return fail(m, "out of memory");
	m->nemits = 1;
	long lineno = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		lineno++;
		char *line = dupn(p, n);
		if (!line)
			return fail(m, "out of memory");
		p += n + (nl ? 1 : 0);
		size_t ln = strlen(line);
		while (ln > 0 && (line[ln - 1] == ' ' || line[ln - 1] == '\t' || line[ln - 1] == '\r'))
			line[--ln] = '\0';
		const char *s = skip_ws(line);
		if (*s == '\0' || *s == '#') {
			free(line);
			continue;
		}
		const char *sp = s;
		while (*sp && *sp != ' ' && *sp != '\t')
			sp++;
		char key[32];
		size_t kn = (size_t)(sp - s);
		if (kn >= sizeof key) {
			free(line);
			return fail(m, "%ld: unknown directive", lineno);
		}
		memcpy(key, s, kn);
		key[kn] = '\0';
		int rc = directive(m, key, skip_ws(sp));
		free(line);
		if (rc < 0) {
			char msg[sizeof m->err];
			snprintf(msg, sizeof msg, "%s", m->err);
			return fail(m, "%ld: %s", lineno, msg);
		}
	}
	if (!m->source)
		m->source = strdup(m->name ? m->name : "custom");
	if (!m->name)
		m->name = strdup(m->source ? m->source : "custom");
	if (!m->source || !m->name)
		return fail(m, "out of memory");
	if (!m->emits[0].text[IMAP_DATE])
		return fail(m, "%ld: the mapping says nothing about the date (date {COLUMN})", lineno);
	for (size_t i = 0; i < m->nemits; i++)
		if (!m->emits[i].amount[IMAP_GROSS])
			return fail(m, "%ld: %s says nothing about the amount (gross EXPR)", lineno,
				    i == 0 ? "the mapping" : "an emit section");
	if (m->ndate_formats == 0) {
		static const char *const dflt[] = {"%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z",
						   "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S",
						   "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"};
		for (size_t i = 0; i < sizeof dflt / sizeof dflt[0]; i++) {
			char *f = strdup(dflt[i]);
			if (!f)
				return fail(m, "out of memory");
			PUSH(m->date_formats, m->ndate_formats, f);
		}
	}
	return 0;
}

/* ---- binding ------------------------------------------------------------ */

static int find_col(const struct csvin_field *hdr, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (same_name(hdr[i].s, hdr[i].len, name))
			return (int)i;
	return -1;
}

size_t imap_score(const struct imap *m, const struct csvin_field *hdr, size_t n, size_t *total)
{
	size_t hit = 0;
	for (size_t i = 0; i < m->ndetect; i++) {
		const struct imap_ref *r = m->detect[i];
		for (size_t k = 0; k < r->nnames; k++)
			if (find_col(hdr, n, r->names[k]) >= 0) {
				hit++;
				break;
			}
	}
	*total = m->ndetect;
	return hit;
}

/* An amount read from a whole cell of the current record: a cell that
 * several expressions name (Gumroad's Subtotal in gross, tax and net) is
 * parsed once, and its rounding counted once. */
struct imap_memo {
	uint32_t gen; /* the record it was read in; 0: never */
	int status;   /* enum ingest_amount_status */
	int64_t value;
};

static void free_header(struct imap *m)
{
	for (size_t i = 0; i < m->ncols; i++)
		free(m->header[i]);
	free(m->header);
	m->header = NULL;
	free(m->want);
	m->want = NULL;
	free(m->memo);
	m->memo = NULL;
	if (m->fill_saved)
		for (size_t i = 0; i < m->nfill; i++)
			free(m->fill_saved[i]);
	free(m->fill_saved);
	m->fill_saved = NULL;
	free(m->fill_key_saved);
	m->fill_key_saved = NULL;
	m->ncols = 0;
}

int imap_bind(struct imap *m, const struct csvin_field *hdr, size_t n)
{
	free_header(m);
	m->header = calloc(n ? n : 1, sizeof *m->header);
	m->want = calloc(n ? n : 1, sizeof *m->want);
	m->memo = calloc(n ? n : 1, sizeof *m->memo);
	m->memo_gen = 0;
	m->fill_saved = calloc(m->nfill ? m->nfill : 1, sizeof *m->fill_saved);
	if (!m->header || !m->want || !m->memo || !m->fill_saved)
		return fail(m, "out of memory");
	m->ncols = n;
	for (size_t i = 0; i < n; i++) {
		const char *s = hdr[i].s;
		size_t len = hdr[i].len;
		trim(&s, &len);
		m->header[i] = dupn(s, len);
		if (!m->header[i])
			return fail(m, "out of memory");
	}
	m->item = 0;
	m->date_order = INGEST_EITHER;
	free(m->records);
	m->records = NULL;
	m->records_cap = m->nrecords = 0;
	for (size_t t = 0; t < m->ntotals; t++)
		m->totals[t].seen = 0;
	for (size_t t = 0; t < m->ntotals; t++)
		for (size_t c = 0; c < m->totals[t].nchecks; c++)
		{
			struct imap_total_check *k = &m->totals[t].checks[c];
			k->sum = 0, k->count = 0;
			free(k->ahead);
			k->ahead = NULL;
		}
	for (size_t i = 0; i < m->nrefs; i++) {
		struct imap_ref *r = m->refs[i];
		r->ncols = 0;
		for (size_t k = 0; k < r->nnames; k++) {
			int col;
			if (strcmp(r->names[k], "@record") == 0)
				col = IMAP_COL_RECORD;
			else if (strcmp(r->names[k], "@item") == 0)
				col = IMAP_COL_ITEM;
			else
				col = find_col(hdr, n, r->names[k]);
			if (col >= 0) {
				/* two columns of one name: which one is meant is a guess */
				int again = find_col(hdr + col + 1, n - (size_t)col - 1, r->names[k]);
				if (again >= 0)
					return fail(m, "header: columns %d and %d are both named \"%s\"",
						    col + 1, col + 2 + again, m->header[col]);
			}
			if (col != IMAP_COL_NONE)
				r->cols[r->ncols++] = col;
			if (col >= 0)
				m->want[col] = true;
		}
		if (r->ncols == 0 && !r->optional) {
			char list[300];
			size_t len = 0;
			list[0] = '\0';
			for (size_t k = 0; k < n && len < sizeof list - 8; k++)
				len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "",
							m->header[k]);
			if (len >= sizeof list - 8)
				snprintf(list + sizeof list - 8, 8, ", ...");
			return fail(m, "missing column \"%s\" (header: %s)", r->names[0], list);
		}
	}
	return 0;
}

/* ---- evaluation ------------------------------------------------------------ */

struct cell {
	const char *s;
	size_t len;
	int col; /* the column it came from, for messages (-1: none) */
};

static bool records_has(const struct imap *m, uint64_t h)
{
	if (m->records_cap == 0)
		return false;
	for (size_t i = (size_t)(h & (m->records_cap - 1));; i = (i + 1) & (m->records_cap - 1)) {
		if (m->records[i] == h)
			return true;
		if (m->records[i] == 0)
			return false;
	}
}

static void records_put(struct imap *m, uint64_t h)
{
	if (m->records_cap == 0 || (m->nrecords + 1) * 2 > m->records_cap) {
		size_t cap = m->records_cap ? m->records_cap * 2 : 1024;
		uint64_t *t = calloc(cap, sizeof *t);
		if (!t)
			return; /* ids then repeat for identical records: duplicates, counted */
		for (size_t k = 0; k < m->records_cap; k++)
			if (m->records[k])
				for (size_t i = (size_t)(m->records[k] & (cap - 1));; i = (i + 1) & (cap - 1))
					if (!t[i]) {
						t[i] = m->records[k];
						break;
					}
		free(m->records);
		m->records = t;
		m->records_cap = cap;
	}
	for (size_t i = (size_t)(h & (m->records_cap - 1));; i = (i + 1) & (m->records_cap - 1))
		if (!m->records[i]) {
			m->records[i] = h;
			m->nrecords++;
			return;
		}
}

/* {@record}: the fingerprint of the record's text; the n-th record of the
 * file with the same text gets a derived id, so that identical rows of one
 * export (two equal listing fees, two equal royalty lines) are not taken
 * for duplicates, while the same file read again gives the same ids. */
static uint64_t record_id(struct imap *m, const char *raw, size_t raw_len)
{
	uint64_t first = ingest_fingerprint(raw, raw_len), h = first;
	for (uint64_t n = 2; h == 0 || records_has(m, h); n++) {
		uint64_t x = first ^ (n * 0x9e3779b97f4a7c15u);
		x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
		x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
		h = x ^ (x >> 31);
	}
	records_put(m, h);
	return h;
}

/* {A ~ TEXT}: narrow the cell (s, len) to the word after TEXT ({A ~~
 * TEXT}: to all of the text after it); false if it does not hold TEXT. */
static bool word_after(const struct imap_ref *r, const char **s, size_t *len)
{
	size_t n = r->after_len, k = 0;
	if (n > *len)
		return false;
	while (k + n <= *len && strncasecmp(*s + k, r->after, n) != 0)
		k++;
	if (k + n > *len)
		return false;
	const char *w = *s + k + n, *end = *s + *len;
	while (w < end && (*w == ' ' || *w == '\t'))
		w++;
	if (r->rest) {
		*len = (size_t)(end - w);
		*s = w;
		return true;
	}
	const char *q = w;
	while (q < end && *q != ' ' && *q != '\t')
		q++;
	while (q > w && strchr(",;:)]", q[-1]))
		q--;
	*s = w;
	*len = (size_t)(q - w);
	return true;
}

static struct cell cell_of(struct imap *m, const struct imap_ref *r, const struct csvin_field *f,
			   size_t nf, const char *raw, size_t raw_len, char *scratch)
{
	struct cell c = {"", 0, r->ncols ? r->cols[0] : -1};
	for (size_t k = 0; k < r->ncols; k++) {
		int col = r->cols[k];
		if (col == IMAP_COL_RECORD) {
			if (!m->record_id_set) {
				m->record_id = record_id(m, raw, raw_len);
				m->record_id_set = true;
			}
			snprintf(scratch, 24, "r%016llx", (unsigned long long)m->record_id);
			return (struct cell){scratch, 17, -1};
		}
		if (col == IMAP_COL_ITEM) {
			int n = snprintf(scratch, 24, "%ld", m->item > 0 ? m->item : 1);
			return (struct cell){scratch, (size_t)n, -1};
		}
		if ((size_t)col >= nf)
			continue;
		const char *s = f[col].s;
		size_t len = f[col].len;
		trim(&s, &len);
		if (r->after && !word_after(r, &s, &len))
			continue;
		if (len > 0)
			return (struct cell){s, len, col};
	}
	return c;
}

static const char *col_name(const struct imap *m, int col)
{
	return col >= 0 && (size_t)col < m->ncols ? m->header[col] : "?";
}

static int bad_value(struct imap *m, struct cell c, const char *what)
{
	char q[96];
	ingest_quote(q, sizeof q, c.s, c.len);
	if (c.col >= 0)
		return fail(m, "column \"%s\": %s %s", col_name(m, c.col), q, what);
	return fail(m, "%s %s", q, what);
}

static int eval_expr(struct imap *m, const struct imap_expr *e, const struct csvin_field *f, size_t nf,
		     const char *raw, size_t raw_len, int64_t *out);

static bool cond_holds(struct imap *m, const struct imap_cond *c, const struct csvin_field *f, size_t nf,
		       const char *raw, size_t raw_len)
{
	char scratch[24], scratch2[24];
	struct cell v = cell_of(m, c->ref, f, nf, raw, raw_len, scratch);
	if (c->op >= OP_LT) {
		int64_t a = 0, b = c->rhs;
		int st = ingest_amount_parse(v.s, v.len, m->decimal_mark, &a, NULL, NULL);
		if (st == INGEST_AMOUNT_ERANGE) { /* an error, not "the condition fails" */
			if (!m->cond_failed)
				bad_value(m, v, ingest_amount_strerror(st));
			m->cond_failed = true;
			return false;
		}
		if (st != INGEST_AMOUNT_OK && st != INGEST_AMOUNT_EMPTY)
			return false;
		if (st == INGEST_AMOUNT_EMPTY)
			a = 0;
		if (c->rhs_expr) {
			char keep[sizeof m->err];
			memcpy(keep, m->err, sizeof keep);
			if (eval_expr(m, c->rhs_expr, f, nf, raw, raw_len, &b) < 0) {
				if (m->cond_failed) /* the first failure's message stays */
					memcpy(m->err, keep, sizeof keep);
				m->cond_failed = true;
				return false;
			}
		} else if (c->rhs_ref) {
			struct cell w = cell_of(m, c->rhs_ref, f, nf, raw, raw_len, scratch2);
			st = ingest_amount_parse(w.s, w.len, m->decimal_mark, &b, NULL, NULL);
			if (st == INGEST_AMOUNT_ERANGE) {
				if (!m->cond_failed)
					bad_value(m, w, ingest_amount_strerror(st));
				m->cond_failed = true;
				return false;
			}
			if (st == INGEST_AMOUNT_EMPTY)
				b = 0;
			else if (st != INGEST_AMOUNT_OK)
				return false;
		}
		switch (c->op) {
		case OP_LT: return a < b;
		case OP_GT: return a > b;
		case OP_LE: return a <= b;
		default: return a >= b;
		}
	}
	bool any = false;
	for (size_t i = 0; i < c->nvalues && !any; i++) {
		size_t n = c->value_lens[i];
		if (c->op == OP_EQ || c->op == OP_NE)
			any = n == v.len && strncasecmp(v.s, c->values[i], n) == 0;
		else if (n <= v.len)
			for (size_t k = 0; k + n <= v.len && !any; k++)
				any = strncasecmp(v.s + k, c->values[i], n) == 0;
	}
	return (c->op == OP_EQ || c->op == OP_HAS) ? any : !any;
}

static bool conds_hold(struct imap *m, const struct imap_conds *cs, const struct csvin_field *f, size_t nf,
		       const char *raw, size_t raw_len)
{
	for (size_t i = 0; i < cs->n; i++)
		if (!cond_holds(m, &cs->atoms[i], f, nf, raw, raw_len))
			return false;
	return true;
}

/* Append text to the arena; returns its offset or (size_t)-1. */
static size_t arena_put(struct imap *m, const char *s, size_t n)
{
	if (m->arena_len + n + 1 > m->arena_cap) {
		size_t cap = m->arena_cap ? m->arena_cap : 1024;
		while (cap < m->arena_len + n + 1)
			cap *= 2;
		char *a = realloc(m->arena, cap);
		if (!a)
			return (size_t)-1;
		m->arena = a;
		m->arena_cap = cap;
	}
	size_t off = m->arena_len;
	memcpy(m->arena + off, s, n);
	m->arena[off + n] = '\0';
	m->arena_len += n + 1;
	return off;
}

/* Expand a template into the arena: offset and length, and the first
 * column it used (for messages). */
static int expand(struct imap *m, const struct imap_template *t, const struct csvin_field *f, size_t nf,
		  const char *raw, size_t raw_len, size_t *off, size_t *len, int *col)
{
	size_t start = m->arena_len;
	*col = -1;
	for (size_t i = 0; i < t->nparts; i++) {
		const struct imap_part *p = &t->parts[i];
		char scratch[24];
		struct cell c = p->lit ? (struct cell){p->lit, p->lit_len, -1}
				       : cell_of(m, p->ref, f, nf, raw, raw_len, scratch);
		if (!p->lit && *col < 0)
			*col = c.col;
		if (arena_put(m, c.s, c.len) == (size_t)-1)
			return fail(m, "out of memory");
		m->arena_len--; /* join the pieces: drop the NUL just written */
	}
	if (arena_put(m, "", 0) == (size_t)-1)
		return fail(m, "out of memory");
	*off = start;
	*len = m->arena_len - 1 - start;
	/* trim what the template produced */
	while (*len > 0 && (m->arena[start] == ' ' || m->arena[start] == '\t'))
		start++, (*len)--, *off = start;
	while (*len > 0 && (m->arena[*off + *len - 1] == ' ' || m->arena[*off + *len - 1] == '\t'))
		(*len)--;
	return 0;
}

/* The amount in cell c of reference r: an ingest_amount_status, *v set
 * (0 for an empty cell).  A whole cell is read once a record (memo); a
 * word taken out of a cell ({Title ~}) is read each time. */
static int cell_amount(struct imap *m, const struct imap_ref *r, struct cell c, int64_t *v)
{
	struct imap_memo *e = !r->after && c.col >= 0 && (size_t)c.col < m->ncols ? &m->memo[c.col] : NULL;
	if (e && e->gen == m->memo_gen) {
		*v = e->value;
		return e->status;
	}
	int64_t before = m->rounding_e10;
	int st = ingest_amount_parse(c.s, c.len, m->decimal_mark, v, &m->rounding_e10, NULL);
	if (st == INGEST_AMOUNT_EMPTY)
		*v = 0;
	if (m->rounding_e10 != before)
		m->rounded++;
	if (e)
		*e = (struct imap_memo){m->memo_gen, st, *v};
	return st;
}

static int eval_expr(struct imap *m, const struct imap_expr *e, const struct csvin_field *f, size_t nf,
		     const char *raw, size_t raw_len, int64_t *out)
{
	int64_t total = 0;
	for (size_t i = 0; i < e->nterms; i++) {
		const struct imap_term *t = &e->terms[i];
		int64_t prod = 0;
		for (size_t k = 0; k < t->n; k++) {
			const struct imap_factor *fa = &t->factors[k];
			int64_t v = fa->value;
			char scratch[24];
			struct cell c = {"", 0, -1};
			if (fa->ref) {
				c = cell_of(m, fa->ref, f, nf, raw, raw_len, scratch);
				int st = cell_amount(m, fa->ref, c, &v);
				if (st != INGEST_AMOUNT_OK && st != INGEST_AMOUNT_EMPTY)
					return bad_value(m, c, ingest_amount_strerror(st));
			}
			if (k == 0)
				prod = v;
			else if (!money_muldiv(prod, v, MONEY_SCALE, &prod)) {
				/* checked: a product beyond int64_t micro-units is an
				 * error, never a wrapped amount */
				char what[320];
				snprintf(what, sizeof what, "is too large for %s", e->text);
				if (c.col >= 0)
					return bad_value(m, c, what);
				return fail(m, "%s is too large", e->text);
			}
		}
		bool ok = t->sign < 0 ? money_sub(total, prod, &total) : money_add(total, prod, &total);
		if (!ok)
			return fail(m, "%s is too large", e->text);
	}
	*out = total;
	return 0;
}

/* Whether date layout i may read this file's dates (the order chosen). */
static bool layout_in_order(const struct imap *m, size_t i)
{
	enum ingest_date_order o = ingest_layout_order(m->date_formats[i]);
	return m->date_order == INGEST_EITHER || o == INGEST_EITHER || (int)o == m->date_order;
}

/* Why s[0..len) is no date, into what: a day that does not exist in a
 * layout it has the shape of ("is not a day (February has 28 days in
 * 2026)"), else the layouts of the value's kind (with a time of day or
 * without: the column read, not another date column's), else all. */
static void date_error(const struct imap *m, const char *s, size_t len, char *what, size_t size)
{
	for (size_t i = 0; i < m->ndate_formats; i++)
		if (layout_in_order(m, i) && (ingest_date_unreal(m->date_formats[i], s, len, what, size) ||
					      ingest_date_bad_zone(m->date_formats[i], s, len, what, size)))
			return;
	if (m->date_order != INGEST_EITHER) {
		snprintf(what, size, "is not a date read %s (the order chosen for this file)",
			 m->date_order == INGEST_MDY ? "month first" : "day first");
		return;
	}
	int timed = memchr(s, ':', len) != NULL;
	size_t kind = 0;
	for (size_t i = 0; i < m->ndate_formats; i++)
		kind += ingest_layout_has_time(m->date_formats[i]) == timed;
	char list[300] = "";
	size_t n = 0, at = 0;
	for (size_t i = 0; i < m->ndate_formats && at < sizeof list; i++) {
		if (kind > 0 && ingest_layout_has_time(m->date_formats[i]) != timed)
			continue;
		at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", n ? " or " : "", m->date_formats[i]);
		n++;
	}
	snprintf(what, size, "is not a date in the layout%s %s", n > 1 ? "s" : "", list);
}

static int eval_date(struct imap *m, const struct imap_template *t, const struct csvin_field *f, size_t nf,
		     const char *raw, size_t raw_len, bool required, bool *has, int64_t *out)
{
	size_t off, len;
	int col;
	*has = false;
	if (expand(m, t, f, nf, raw, raw_len, &off, &len, &col) < 0)
		return -1;
	if (len == 0) {
		if (!required)
			return 0;
		if (col >= 0)
			return fail(m, "column \"%s\": no date", col_name(m, col));
		return fail(m, "no date");
	}
	const char *s = m->arena + off;
	for (size_t i = 0; i < m->ndate_formats; i++)
		if (layout_in_order(m, i) && ingest_date_parse(m->date_formats[i], s, len, m->tz_minutes, out) == 0) {
			/* the stream writes four-digit years: a time that lands
			 * outside 0000..9999 in UTC (9999-12-31T23:59:59-14:00)
			 * is refused here, not written as +10000-... */
			if (*out < date_days_from_civil(0, 1, 1) * 86400 ||
			    *out >= date_days_from_civil(10000, 1, 1) * 86400)
				return bad_value(m, (struct cell){s, len, col},
						 "is outside the years 0000 to 9999 once in UTC");
			*has = true;
			return 0;
		}
	char what[400];
	date_error(m, s, len, what, sizeof what);
	return bad_value(m, (struct cell){s, len, col}, what);
}

/* Fill-down and the item counter; fills m->view. */
static int apply_fill(struct imap *m, const struct csvin_field *f, size_t nf, const char *raw,
		      size_t raw_len)
{
	if (!m->fill_key) {
		m->item = 1;
		return 0; /* the row is read as it is: no copy */
	}
	if (nf > m->view_cap) {
		struct csvin_field *v = realloc(m->view, nf * sizeof *v);
		if (!v)
			return fail(m, "out of memory");
		m->view = v;
		m->view_cap = nf;
	}
	memcpy(m->view, f, nf * sizeof *f);
	char scratch[24];
	struct cell k = cell_of(m, m->fill_key, f, nf, raw, raw_len, scratch);
	bool same = m->fill_key_saved && k.len > 0 && strlen(m->fill_key_saved) == k.len &&
		    memcmp(m->fill_key_saved, k.s, k.len) == 0;
	if (same) {
		m->item++;
		for (size_t i = 0; i < m->nfill; i++) {
			const struct imap_ref *r = m->fill[i];
			if (r->ncols == 0 || r->cols[0] < 0 || (size_t)r->cols[0] >= nf || !m->fill_saved[i])
				continue;
			struct csvin_field *c = &m->view[r->cols[0]];
			const char *s = c->s;
			size_t len = c->len;
			trim(&s, &len);
			if (len == 0) {
				c->s = m->fill_saved[i];
				c->len = strlen(m->fill_saved[i]);
			}
		}
		return 0;
	}
	m->item = 1;
	free(m->fill_key_saved);
	m->fill_key_saved = dupn(k.s, k.len);
	for (size_t i = 0; i < m->nfill; i++) {
		const struct imap_ref *r = m->fill[i];
		free(m->fill_saved[i]);
		m->fill_saved[i] = NULL;
		if (r->ncols == 0 || r->cols[0] < 0 || (size_t)r->cols[0] >= nf)
			continue;
		m->fill_saved[i] = dupn(f[r->cols[0]].s, f[r->cols[0]].len);
	}
	if (!m->fill_key_saved)
		return fail(m, "out of memory");
	return 0;
}

/* Check one cell of a totals row against the data rows read. */
static int check_cell(struct imap *m, struct imap_total_check *c, struct cell v)
{
	{
		int64_t stated;
		int st = ingest_amount_parse(v.s, v.len, m->decimal_mark, &stated, NULL, NULL);
		if (st != INGEST_AMOUNT_OK)
			return bad_value(m, v, ingest_amount_strerror(st));
		if (!c->summed) {
			if (stated != (int64_t)c->count * MONEY_SCALE) {
				char what[96];
				snprintf(what, sizeof what, "is not the number of rows read, %ld (totals row)", c->count);
				return bad_value(m, v, what);
			}
			return 0;
		}
		/* Compare at the precision the total is written with (at least
		 * cents): platforms round their totals row. */
		const char *dot = memchr(v.s, m->decimal_mark, v.len);
		int shown = dot ? (int)(v.s + v.len - dot - 1) : 0;
		if (shown < 2)
			shown = 2;
		if (shown > 6)
			shown = 6;
		int64_t unit = 1;
		for (int k = shown; k < 6; k++)
			unit *= 10;
		const char *summed = col_name(m, c->summed->ncols ? c->summed->cols[0] : -1);
		if (c->sum > INT64_MAX || c->sum < -INT64_MAX)
			return fail(m, "column \"%s\": the sum of the rows read is too large", summed);
		int64_t sum = (int64_t)c->sum, rounded;
		if (!money_muldiv(sum, 1, unit, &rounded))
			return fail(m, "column \"%s\": the sum of the rows read is too large", summed);
		int64_t stated_r;
		money_muldiv(stated, 1, unit, &stated_r);
		if (rounded != stated_r) {
			char b[MONEY_BUF], what[320];
			money_format(b, sum, 2);
			snprintf(what, sizeof what, "is not the sum of column \"%s\", %s (totals row)", summed, b);
			return bad_value(m, v, what);
		}
	}
	return 0;
}

/* A totals row: each check against the rows read so far, or, before any
 * data row, kept for imap_finish. */
static int check_totals(struct imap *m, struct imap_total *t, const struct csvin_field *f, size_t nf,
			const char *raw, size_t raw_len)
{
	for (size_t i = 0; i < t->nchecks; i++) {
		struct imap_total_check *c = &t->checks[i];
		char scratch[24];
		struct cell v = cell_of(m, c->target, f, nf, raw, raw_len, scratch);
		if (v.len == 0)
			continue;
		if (c->count == 0) {
			free(c->ahead);
			c->ahead = dupn(v.s, v.len);
			if (!c->ahead)
				return fail(m, "out of memory");
			c->ahead_col = v.col;
			continue;
		}
		if (check_cell(m, c, v) < 0)
			return -1;
	}
	return 0;
}

int imap_finish(struct imap *m)
{
	for (size_t t = 0; t < m->ntotals; t++)
		for (size_t i = 0; i < m->totals[t].nchecks; i++) {
			struct imap_total_check *c = &m->totals[t].checks[i];
			if (!c->ahead)
				continue;
			struct cell v = {c->ahead, strlen(c->ahead), c->ahead_col};
			int rc = check_cell(m, c, v);
			free(c->ahead);
			c->ahead = NULL;
			if (rc < 0) {
				static const char pre[] = "the totals row before the data: ";
				size_t keep = strnlen(m->err, sizeof m->err - sizeof pre);
				memmove(m->err + sizeof pre - 1, m->err, keep);
				memcpy(m->err, pre, sizeof pre - 1);
				m->err[sizeof pre - 1 + keep] = '\0';
				return -1;
			}
		}
	return 0;
}

bool imap_totals_complete(struct imap *m)
{
	if (!m->total_required)
		return true;
	if (m->ntotals == 0)
		return true;
	for (size_t t = 0; t < m->ntotals; t++)
		if (m->totals[t].seen == 0) {
			fail(m, "no totals row (%s): every %s export ends with one, so this file is cut short "
				"(download it again)", m->totals[t].text, m->name);
			return false;
		}
	return true;
}

static void accumulate_totals(struct imap *m, const struct csvin_field *f, size_t nf, const char *raw,
			      size_t raw_len)
{
	for (size_t t = 0; t < m->ntotals; t++)
		for (size_t i = 0; i < m->totals[t].nchecks; i++) {
			struct imap_total_check *c = &m->totals[t].checks[i];
			c->count++;
			if (!c->summed)
				continue;
			char scratch[24];
			struct cell v = cell_of(m, c->summed, f, nf, raw, raw_len, scratch);
			int64_t x;
			if (ingest_amount_parse(v.s, v.len, m->decimal_mark, &x, NULL, NULL) == INGEST_AMOUNT_OK)
				c->sum += x;
		}
}

/* The kind of the row and, in *rule, the index of the kind rule that
 * chose it (m->nkinds when none did: a sale). */
static const char *choose_kind(struct imap *m, const struct csvin_field *f, size_t nf, const char *raw,
			       size_t raw_len, size_t *rule)
{
	for (*rule = 0; *rule < m->nkinds; ++*rule)
		if (conds_hold(m, &m->kinds[*rule].when, f, nf, raw, raw_len))
			return m->kinds[*rule].kind;
	return "sale";
}

/* "kind error": a row the format cannot classify.  A bare "kind error"
 * (the last rule) means a row type the format does not know, and the
 * message quotes the column the first other kind rule looks at (the
 * row's type); "kind error if COND" refuses a value the format cannot count
 * (Ko-fi's Given), and the message quotes the column COND looks at. */
static void unclassified(struct imap *m, size_t rule, const struct csvin_field *f, size_t nf,
			 const char *raw, size_t raw_len)
{
	const struct imap_ref *r = NULL;
	bool by_rule = rule < m->nkinds && m->kinds[rule].when.n > 0;
	if (by_rule)
		r = m->kinds[rule].when.atoms[0].ref;
	for (size_t i = 0; i < m->nkinds && !r; i++)
		if (m->kinds[i].when.n > 0 && strcmp(m->kinds[i].kind, "error") != 0)
			r = m->kinds[i].when.atoms[0].ref;
	if (!r) {
		fail(m, "the %s format cannot classify this row", m->name);
		return;
	}
	char scratch[24], what[128];
	struct cell c = cell_of(m, r, f, nf, raw, raw_len, scratch);
	snprintf(what, sizeof what,
		 by_rule ? "is a value the %s format cannot count (it cannot classify the row)"
			 : "is a row type the %s format does not know (it cannot classify the row)",
		 m->name);
	bad_value(m, c, what);
}

/* The country cell at m->arena + off (*len bytes) as its ISO alpha-2
 * code, in place; empty when it is not known. */
static void row_country(struct imap *m, size_t off, size_t *len)
{
	char cc[3];
	if (ingest_country_code(m->arena + off, *len, cc) == 0) {
		memcpy(m->arena + off, cc, 2);
		*len = 2;
	} else {
		*len = 0;
	}
}

/* The row's currency: upper case, a real code, else the map's default;
 * r->digits set.  0, or -1 with m->err for none or one that is no ISO
 * 4217 code. */
static int row_currency(struct imap *m, const struct imap_emit *e, size_t *off, size_t *len, const int *col,
			struct imap_row *r)
{
	const struct imap_emit *main_e = &m->emits[0];
	/* currency: upper case, a real code, else the default */
	char *cur = m->arena + off[IMAP_CURRENCY];
	for (size_t k = 0; k < len[IMAP_CURRENCY]; k++)
		if (cur[k] >= 'a' && cur[k] <= 'z')
			cur[k] = (char)(cur[k] - 'a' + 'A');
	if (len[IMAP_CURRENCY] == 0 && m->default_currency[0]) {
		off[IMAP_CURRENCY] = arena_put(m, m->default_currency, 3);
		len[IMAP_CURRENCY] = 3;
		if (off[IMAP_CURRENCY] == (size_t)-1)
			return fail(m, "out of memory");
	}
	if (len[IMAP_CURRENCY] == 0) {
		if (col[IMAP_CURRENCY] >= 0)
			return fail(m, "column \"%s\": \"\" is not a currency code (give --currency CODE for rows without one)",
				    col_name(m, col[IMAP_CURRENCY]));
		const struct imap_template *ct = e->text[IMAP_CURRENCY] ? e->text[IMAP_CURRENCY]
								     : main_e->text[IMAP_CURRENCY];
		for (size_t k = 0; ct && k < ct->nparts; k++)
			if (ct->parts[k].ref && ct->parts[k].ref->nnames > 0)
				return fail(m, "no currency: the header has no column \"%s\" (give --currency CODE)",
					    ct->parts[k].ref->names[0]);
		return fail(m, "no currency: the export has no currency column (give --currency CODE)");
	}
	r->digits = currency_digits(m->arena + off[IMAP_CURRENCY], len[IMAP_CURRENCY]);
	if (r->digits < 0)
		return bad_value(m, (struct cell){m->arena + off[IMAP_CURRENCY], len[IMAP_CURRENCY],
						  col[IMAP_CURRENCY]},
				 "is not an ISO 4217 currency code");
	return 0;
}

/* r->mismatch: the export's net WANT is not r's gross - fee (naming the
 * column when the net is one plain column). */
static void net_mismatch(const struct imap_emit *e, struct imap_row *r, int64_t want_net)
{
	char g[MONEY_BUF], fe[MONEY_BUF], n[MONEY_BUF], want[MONEY_BUF];
	money_format(g, r->gross, r->digits);
	money_format(fe, r->fee, r->digits);
	money_format(n, r->net, r->digits);
	money_format(want, want_net, r->digits);
	r->net_differs = true;
	const char *expr = e->amount[IMAP_NET]->text;
	size_t elen = strlen(expr);
	if (elen > 2 && expr[0] == '{' && expr[elen - 1] == '}' &&
	    !strpbrk(expr + 1, "{|")) /* one plain column: name it */
		snprintf(r->mismatch, sizeof r->mismatch,
			 "column \"%.*s\": the export's net %s is not gross - fee = %s - %s = %s",
			 (int)(elen - 2), expr + 1, want, g, fe, n);
	else
		snprintf(r->mismatch, sizeof r->mismatch,
			 "the export's net %s (%s) is not gross - fee = %s - %s = %s", want,
			 expr, g, fe, n);
}

static int build_row(struct imap *m, const struct imap_emit *e, const char *kind, const struct csvin_field *f,
		     size_t nf, const char *raw, size_t raw_len, struct imap_row *r)
{
	const struct imap_emit *main_e = &m->emits[0];
	size_t off[IMAP_NTEXT] = {0}, len[IMAP_NTEXT] = {0};
	int col[IMAP_NTEXT];

	memset(r, 0, sizeof *r);
	r->kind = kind;
	for (int i = 0; i < IMAP_NTEXT; i++) {
		const struct imap_template *t = e->text[i];
		if (!t && i != IMAP_SALE_DATE)
			t = main_e->text[i];
		col[i] = -1;
		if (i == IMAP_DATE || i == IMAP_SALE_DATE || i == IMAP_REPORTED) {
			if (!t)
				continue;
			bool has;
			int64_t *dst = i == IMAP_DATE ? &r->date : i == IMAP_SALE_DATE ? &r->sale_date : &r->reported;
			if (eval_date(m, t, f, nf, raw, raw_len, i == IMAP_DATE, &has, dst) < 0)
				return -1;
			if (i == IMAP_SALE_DATE)
				r->has_sale_date = has;
			if (i == IMAP_REPORTED)
				r->has_reported = has;
			continue;
		}
		if (t && expand(m, t, f, nf, raw, raw_len, &off[i], &len[i], &col[i]) < 0)
			return -1;
		if (!t) {
			off[i] = arena_put(m, "", 0);
			if (off[i] == (size_t)-1)
				return fail(m, "out of memory");
		}
	}
	/* line, quantity */
	int64_t *ints[2] = {&r->line, &r->quantity};
	int which[2] = {IMAP_LINE, IMAP_QUANTITY};
	for (int k = 0; k < 2; k++) {
		int i = which[k];
		*ints[k] = 1;
		if (len[i] > 0 && ingest_int_parse(m->arena + off[i], len[i], ints[k]) < 0)
			return bad_value(m, (struct cell){m->arena + off[i], len[i], col[i]},
					 "is not a whole number");
	}
	if (row_currency(m, e, off, len, col, r) < 0)
		return -1;
	row_country(m, off[IMAP_COUNTRY], &len[IMAP_COUNTRY]);
	/* text must be UTF-8 */
	static const int texts[] = {IMAP_ORDER, IMAP_PRODUCT, IMAP_SKU, IMAP_CUSTOMER};
	for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
		int i = texts[k];
		if (!tsv_valid_utf8(m->arena + off[i], len[i])) {
			return bad_value(m, (struct cell){m->arena + off[i], len[i], col[i]},
					 "is not UTF-8 (is the file cp1252? try --encoding cp1252)");
		}
	}
	/* amounts */
	int64_t amt[IMAP_NAMOUNT] = {0};
	for (int i = 0; i < IMAP_NAMOUNT; i++)
		if (e->amount[i] && eval_expr(m, e->amount[i], f, nf, raw, raw_len, &amt[i]) < 0)
			return -1;
	r->gross = amt[IMAP_GROSS];
	r->tax = amt[IMAP_TAX];
	r->fee = amt[IMAP_FEE];
	bool reversal = strcmp(kind, "refund") == 0 || strcmp(kind, "chargeback") == 0;
	if (reversal && r->quantity > 0)
		r->quantity = -r->quantity; /* a reversal returns the units it reverses */
	if (!reversal)
		r->has_sale_date = false; /* sale_date is the reversed sale's date only */
	if (reversal && r->gross > 0) {
		/* the stream's promise: reversals are negative; a positive one
		 * means the export (or the mapping) is not what it seems */
		char g[MONEY_BUF];
		money_format(g, r->gross, r->digits);
		return fail(m, "a %s row with a positive gross amount %s (%s)", kind, g,
			    e->amount[IMAP_GROSS]->text);
	}
	if (!money_sub(r->gross, r->fee, &r->net)) {
		char g[MONEY_BUF], fe[MONEY_BUF];
		money_format(g, r->gross, r->digits);
		money_format(fe, r->fee, r->digits);
		return fail(m, "gross - fee = %s - %s is too large", g, fe);
	}
	if (e->amount[IMAP_NET] && amt[IMAP_NET] != r->net)
		net_mismatch(e, r, amt[IMAP_NET]);
	/* The arena may still move while later rows are built: keep offsets
	 * in the pointers for now, imap_eval turns them into pointers. */
	for (int i = 0; i < IMAP_NTEXT; i++) {
		r->text[i] = (const char *)(uintptr_t)off[i];
		r->text_len[i] = len[i];
	}
	r->order_named = col[IMAP_ORDER] >= 0 && len[IMAP_ORDER] > 0;
	return 0;
}

/* The item row r (the main row) names, when the item rule holds: its
 * offset in the arena, like r's texts (imap_eval turns it into a pointer);
 * 0 and length 0 when none. */
static int row_item(struct imap *m, const struct csvin_field *f, size_t nf, const char *raw, size_t raw_len,
		    struct imap_row *r)
{
	size_t off = 0, len = 0;
	int col;
	if (m->item_rule && conds_hold(m, &m->item_when, f, nf, raw, raw_len) &&
	    expand(m, m->item_rule, f, nf, raw, raw_len, &off, &len, &col) < 0)
		return -1;
	if (len > 0 && !tsv_valid_utf8(m->arena + off, len))
		return bad_value(m, (struct cell){m->arena + off, len, col}, "is not UTF-8 (is the file cp1252? try --encoding cp1252)");
	r->item = (const char *)(uintptr_t)off;
	r->item_len = len;
	return 0;
}

int imap_eval(struct imap *m, const struct csvin_field *f, size_t nf, const char *raw, size_t raw_len,
	      struct imap_row *rows, size_t *nrows)
{
	*nrows = 0;
	m->arena_len = 0;
	m->err[0] = '\0';
	m->record_id_set = false;
	if (++m->memo_gen == 0) { /* wrapped: forget every entry */
		memset(m->memo, 0, m->ncols * sizeof *m->memo);
		m->memo_gen = 1;
	}
	m->cond_failed = false;
	if (apply_fill(m, f, nf, raw, raw_len) < 0)
		return IMAP_ERR;
	const struct csvin_field *v = m->fill_key ? m->view : f;
	for (size_t i = 0; i < m->nstops; i++)
		if (conds_hold(m, &m->stops[i], v, nf, raw, raw_len))
			return IMAP_STOP;
	for (size_t i = 0; i < m->ntotals; i++)
		if (conds_hold(m, &m->totals[i].when, v, nf, raw, raw_len)) {
			m->totals[i].seen++;
			return check_totals(m, &m->totals[i], v, nf, raw, raw_len) < 0 ? IMAP_ERR : IMAP_TOTAL;
		}
	for (size_t i = 0; i < m->nskips; i++)
		if (conds_hold(m, &m->skips[i], v, nf, raw, raw_len))
			return IMAP_SKIP;
	if (m->cond_failed)
		return IMAP_ERR;
	if (nf != m->ncols) {
		/* a line of one field is often a note the platform appended
		 * (Open Collective: "Warning: totalCount is 2345 and limit was
		 * 1000"): quote it */
		char q[96] = "";
		if (nf == 1)
			ingest_quote(q, sizeof q, f[0].s, f[0].len);
		fail(m, "%zu field%s, the header has %zu%s%s", nf, nf == 1 ? "" : "s", m->ncols, *q ? ": " : "", q);
		return IMAP_ERR;
	}
	size_t rule;
	const char *kind = choose_kind(m, v, nf, raw, raw_len, &rule);
	if (m->cond_failed)
		return IMAP_ERR;
	if (strcmp(kind, "error") == 0) {
		unclassified(m, rule, v, nf, raw, raw_len);
		return IMAP_ERR;
	}
	/* a "kind skip" row is a record of the export passed over (Gumroad's
	 * pre-order authorizations): it is in the export's totals row, where
	 * a "skip if" row (a subtotal line) is not */
	accumulate_totals(m, v, nf, raw, raw_len);
	if (strcmp(kind, "skip") == 0)
		return IMAP_SKIP;
	size_t n = 0;
	bool main_row = strcmp(kind, "none") != 0; /* none: only the emit rows */
	if (main_row && (build_row(m, &m->emits[0], kind, v, nf, raw, raw_len, &rows[n]) < 0 ||
			 row_item(m, v, nf, raw, raw_len, &rows[n++]) < 0))
		return IMAP_ERR;
	if (m->cond_failed)
		return IMAP_ERR;
	for (size_t i = 1; i < m->nemits && n < IMAP_MAX_ROWS; i++) {
		const struct imap_emit *e = &m->emits[i];
		if (!conds_hold(m, &e->when, v, nf, raw, raw_len)) {
			if (m->cond_failed)
				return IMAP_ERR;
			continue;
		}
		if (build_row(m, e, e->kind, v, nf, raw, raw_len, &rows[n]) < 0)
			return IMAP_ERR;
		n++;
	}
	for (size_t k = 0; k < n; k++) {
		for (int i = 0; i < IMAP_NTEXT; i++)
			rows[k].text[i] = m->arena + (size_t)(uintptr_t)rows[k].text[i];
		rows[k].item = m->arena + (size_t)(uintptr_t)rows[k].item;
	}
	*nrows = n;
	return n == 0 && !main_row ? IMAP_SKIP : IMAP_ROWS;
}

int imap_date_order_column(const struct imap *m)
{
	const struct imap_ref *r = m->date_order_ref;
	return r && r->ncols > 0 && r->cols[0] >= 0 ? r->cols[0] : -1;
}

int imap_date_order_zone_column(const struct imap *m)
{
	const struct imap_ref *r = m->date_order_zone;
	return r && r->ncols > 0 && r->cols[0] >= 0 ? r->cols[0] : -1;
}

void imap_set_date_order(struct imap *m, int order)
{
	m->date_order = order;
}

bool imap_has_reversal_rows(const struct imap *m)
{
	const struct imap_template *t = m->emits[0].text[IMAP_ORDER];
	if (!t || (t->nparts == 1 && t->parts[0].ref && t->parts[0].ref->nnames == 1 &&
		   strcmp(t->parts[0].ref->names[0], "@record") == 0))
		return false;
	for (size_t i = 0; i < m->nkinds; i++)
		if (strcmp(m->kinds[i].kind, "refund") == 0 || strcmp(m->kinds[i].kind, "chargeback") == 0)
			return true;
	return false;
}

bool imap_has_items(const struct imap *m)
{
	return m->item_rule != NULL;
}

/* ---- freeing ---------------------------------------------------------------- */

static void free_expr(struct imap_expr *e);

static void free_conds(struct imap_conds *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free_expr(c->atoms[i].rhs_expr);
		for (size_t k = 0; k < c->atoms[i].nvalues; k++)
			free(c->atoms[i].values[k]);
		free(c->atoms[i].values);
		free(c->atoms[i].value_lens);
	}
	free(c->atoms);
}

static void free_template(struct imap_template *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nparts; i++)
		free(t->parts[i].lit);
	free(t->parts);
	free(t);
}

static void free_expr(struct imap_expr *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nterms; i++)
		free(e->terms[i].factors);
	free(e->terms);
	free(e->text);
	free(e);
}

void imap_free(struct imap *m)
{
	free_header(m);
	for (size_t i = 0; i < m->nrefs; i++) {
		for (size_t k = 0; k < m->refs[i]->nnames; k++)
			free(m->refs[i]->names[k]);
		free(m->refs[i]->after);
		free(m->refs[i]);
	}
	free(m->refs);
	free(m->detect);
	free(m->fill);
	for (size_t i = 0; i < m->ndate_formats; i++)
		free(m->date_formats[i]);
	free(m->date_formats);
	for (size_t i = 0; i < m->nskips; i++)
		free_conds(&m->skips[i]);
	free(m->skips);
	for (size_t i = 0; i < m->nstops; i++)
		free_conds(&m->stops[i]);
	free(m->stops);
	for (size_t i = 0; i < m->ntotals; i++) {
		for (size_t k = 0; k < m->totals[i].nchecks; k++)
			free(m->totals[i].checks[k].ahead);
		free_conds(&m->totals[i].when);
		free(m->totals[i].text);
		free(m->totals[i].checks);
	}
	free(m->totals);
	for (size_t i = 0; i < m->nkinds; i++) {
		free(m->kinds[i].kind);
		free_conds(&m->kinds[i].when);
	}
	free(m->kinds);
	for (size_t i = 0; i < m->nemits; i++) {
		free(m->emits[i].kind);
		free_conds(&m->emits[i].when);
		for (int k = 0; k < IMAP_NTEXT; k++)
			free_template(m->emits[i].text[k]);
		for (int k = 0; k < IMAP_NAMOUNT; k++)
			free_expr(m->emits[i].amount[k]);
	}
	free(m->emits);
	free_template(m->item_rule);
	free_conds(&m->item_when);
	free(m->view);
	free(m->records);
	free(m->arena);
	free(m->name);
	free(m->source);
	free(m->title);
	free(m->note);
	for (size_t i = 0; i < m->nchecked; i++)
		free(m->checked[i]);
	free(m->checked);
	free(m->text_copy);
	memset(m, 0, sizeof *m);
}
