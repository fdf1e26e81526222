/* split_rules.c - the agreements engine of tally-split: parsing and
 * checking the agreements file, the match cache and precedence, and the
 * waterfall (see split_rules.h and tally-split(1)). */
#include "split_rules.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "date.h"
#include "diag.h"
#include "hash.h"
#include "keyindex.h"
#include "tsv.h"

#define SECONDS_PER_DAY 86400
#define CACHE_MAX_ENTRIES 16384 /* beyond this the cache is emptied: memory stays bounded */

/* ---- small helpers --------------------------------------------------- */

struct errbuf {
	long *line;
	char *msg;
	size_t cap;
};

__attribute__((format(printf, 3, 4))) static int fail(const struct errbuf *e, long line,
						      const char *fmt, ...)
{
	va_list ap;
	*e->line = line;
	va_start(ap, fmt);
	vsnprintf(e->msg, e->cap, fmt, ap);
	va_end(ap);
	return SPLIT_EDATA;
}

/* r as a percentage for messages: "120%", "33.333333%". */
static const char *percent(char *buf, size_t cap, struct ratio r)
{
	__extension__ __int128 num = (__int128)r.num * 100;
	if (num <= INT64_MAX) {
		size_t n = ratio_format(buf, cap - 1, (struct ratio){(int64_t)num, r.den});
		buf[n] = '%';
		buf[n + 1] = '\0';
	} else {
		ratio_format(buf, cap, r);
	}
	return buf;
}

/* Escape s into a new string the way tsv.h writes fields. */
static char *escape_dup(const char *s)
{
	size_t n = strlen(s);
	char *d = malloc(2 * n + 1), *p = d;
	if (!d)
		return NULL;
	for (; *s; s++) {
		switch (*s) {
		case '\t': *p++ = '\\'; *p++ = 't'; break;
		case '\n': *p++ = '\\'; *p++ = 'n'; break;
		case '\r': *p++ = '\\'; *p++ = 'r'; break;
		case '\\': *p++ = '\\'; *p++ = '\\'; break;
		default: *p++ = *s;
		}
	}
	*p = '\0';
	return d;
}

/* ---- reading rows of the agreements file ------------------------------ */

enum column { C_MATCH, C_FROM, C_TO, C_TIER, C_PAYEE, C_SHARE, C_CAP, C_BASIS, NCOLUMNS };
static const char *const column_names[NCOLUMNS] = {
	"match", "from", "to", "tier", "payee", "share", "cap", "basis",
};

/* One row of the agreements file, checked. */
struct row {
	long line;
	char *match;        /* owned */
	char *payee;        /* owned */
	int64_t from, until;
	char from_text[16], to_text[16];
	long tier;
	struct ratio share;
	bool weight;        /* share is a plain weight */
	bool capped;
	int64_t cap;
	char cap_currency[4];
	char cap_text[64];
	int basis;          /* 0 unset, 1 net, 2 gross */
};

/* Split line[0..len) at tabs into fields (unescaped in place, pointers into
 * line, which the caller made writable and NUL-terminated per field). */
static size_t split_fields(char *line, size_t len, char **fields, size_t max)
{
	size_t n = 0;
	char *start = line;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || line[i] == '\t') {
			if (n < max)
				fields[n] = start;
			n++;
			line[i] = '\0';
			start = line + i + 1;
		}
	}
	return n;
}

static int parse_date_column(const struct errbuf *e, long line, const char *col, const char *s,
			     int64_t *t, char text[16])
{
	char q[96];
	bool has_time = false;
	if (strlen(s) != 10 || date_parse_ex(s, 10, t, &has_time) < 0 || has_time)
		return fail(e, line, "column \"%s\": %s is not a date (YYYY-MM-DD)", col,
			    diag_quote(q, sizeof q, s, strlen(s)));
	memcpy(text, s, 11);
	return SPLIT_OK;
}

static int parse_share(const struct errbuf *e, long line, const char *s, struct row *row)
{
	char q[96];
	size_t n = strlen(s);
	diag_quote(q, sizeof q, s, n);
	if (n > 0 && s[0] == '-')
		return fail(e, line, "column \"share\": %s is negative", q);
	if (ratio_parse(s, n, &row->share) < 0)
		return fail(e, line, "column \"share\": %s is not a share (15%%, 1/3 or a weight)", q);
	if (row->share.num == 0)
		return fail(e, line, "column \"share\": %s is zero", q);
	row->weight = !strchr(s, '%') && !strchr(s, '/');
	return SPLIT_OK;
}

static int parse_cap(const struct errbuf *e, long line, const char *s, struct row *row)
{
	char q[96];
	size_t n = strlen(s);
	diag_quote(q, sizeof q, s, n);
	const char *space = strrchr(s, ' ');
	if (!space || money_parse(s, (size_t)(space - s), &row->cap) != MONEY_OK)
		return fail(e, line, "column \"cap\": %s is not an amount and its currency (5000.00 USD)", q);
	const char *code = space + 1;
	if (strlen(code) != 3 || currency_digits(code, 3) < 0)
		return fail(e, line, "column \"cap\": %s is not a known currency",
			    diag_quote(q, sizeof q, code, strlen(code)));
	if (row->cap <= 0)
		return fail(e, line, "column \"cap\": %s is not positive", q);
	memcpy(row->cap_currency, code, 4);
	snprintf(row->cap_text, sizeof row->cap_text, "%s", s);
	row->capped = true;
	return SPLIT_OK;
}

/* Check one data row's fields into *row. */
static int parse_row(const struct errbuf *e, long line, char **f, const int *col, struct row *row)
{
	char q[96];
	memset(row, 0, sizeof *row);
	row->line = line;
	row->from = INT64_MIN;
	row->until = INT64_MAX;
	row->tier = 1;
	const char *match = f[col[C_MATCH]];
	if (!*match)
		return fail(e, line, "column \"match\" is empty");
	const char *payee = f[col[C_PAYEE]];
	if (!*payee)
		return fail(e, line, "column \"payee\" is empty");
	int st;
	if (col[C_FROM] >= 0 && *f[col[C_FROM]] &&
	    (st = parse_date_column(e, line, "from", f[col[C_FROM]], &row->from, row->from_text)))
		return st;
	if (col[C_TO] >= 0 && *f[col[C_TO]]) {
		int64_t to;
		if ((st = parse_date_column(e, line, "to", f[col[C_TO]], &to, row->to_text)))
			return st;
		row->until = to + SECONDS_PER_DAY;
		if (row->until <= row->from)
			return fail(e, line, "column \"to\": %s is before \"from\" %s", row->to_text,
				    row->from_text);
	}
	if (col[C_TIER] >= 0 && *f[col[C_TIER]]) {
		const char *s = f[col[C_TIER]];
		char *end;
		errno = 0;
		long t = strtol(s, &end, 10);
		if (*end || errno || t < 1 || t > 1000000 || s[0] == '+' || s[0] == ' ')
			return fail(e, line, "column \"tier\": %s is not a tier number (1, 2, ...)",
				    diag_quote(q, sizeof q, s, strlen(s)));
		row->tier = t;
	}
	if ((st = parse_share(e, line, f[col[C_SHARE]], row)))
		return st;
	if (col[C_CAP] >= 0 && *f[col[C_CAP]] && (st = parse_cap(e, line, f[col[C_CAP]], row)))
		return st;
	if (col[C_BASIS] >= 0 && *f[col[C_BASIS]]) {
		const char *b = f[col[C_BASIS]];
		if (strcmp(b, "net") == 0)
			row->basis = 1;
		else if (strcmp(b, "gross") == 0)
			row->basis = 2;
		else
			return fail(e, line, "column \"basis\": %s is not net or gross",
				    diag_quote(q, sizeof q, b, strlen(b)));
	}
	row->match = strdup(match);
	row->payee = strdup(payee);
	if (!row->match || !row->payee)
		return SPLIT_ENOMEM;
	return SPLIT_OK;
}

/* Whether a and b differ by at most one inserted, deleted or changed
 * character, ignoring ASCII case ("caps", "Cap", "shares" for "cap",
 * "share"). */
static bool near_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la < lb) {
		const char *t = a; a = b; b = t;
		size_t u = la; la = lb; lb = u;
	}
	if (la - lb > 1)
		return false;
	size_t i = 0;
	while (i < lb && tolower((unsigned char)a[i]) == tolower((unsigned char)b[i]))
		i++;
	if (i == lb)
		return true;
	/* one difference at i: the rest must match after skipping it */
	const char *ra = a + i + 1, *rb = b + (la == lb ? i + 1 : i);
	return strcasecmp(ra, rb) == 0;
}

/* An unknown column is left alone (a note for the reader), but one that is
 * a known column misspelt would drop what it says - a cap that is never
 * recouped - so it is refused. */
static int check_unknown_column(const struct errbuf *e, long line, const char *name)
{
	for (int c = 0; c < NCOLUMNS; c++)
		if (strcmp(name, column_names[c]) == 0)
			return SPLIT_OK;
	for (int c = 0; c < NCOLUMNS; c++)
		if (strlen(column_names[c]) >= 3 ? near_name(name, column_names[c])
						 : strcasecmp(name, column_names[c]) == 0)
			return fail(e, line, "column \"%s\" is not an agreements column: did you mean \"%s\"?"
				    " (names are lower case; columns of other names are ignored)",
				    name, column_names[c]);
	return SPLIT_OK;
}

static int parse_header(const struct errbuf *e, long line, char **f, size_t n, int *col)
{
	int st;
	for (size_t i = 0; i < n; i++)
		if ((st = check_unknown_column(e, line, f[i])))
			return st;
	for (int c = 0; c < NCOLUMNS; c++)
		col[c] = -1;
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < NCOLUMNS; c++)
			if (strcmp(f[i], column_names[c]) == 0) {
				if (col[c] >= 0)
					return fail(e, line, "column \"%s\" appears twice", f[i]);
				col[c] = (int)i;
			}
	static const int required[] = {C_MATCH, C_PAYEE, C_SHARE};
	for (size_t k = 0; k < sizeof required / sizeof *required; k++)
		if (col[required[k]] < 0) {
			char seen[256] = "";
			size_t used = 0;
			for (size_t i = 0; i < n && used < sizeof seen; i++)
				used += (size_t)snprintf(seen + used, sizeof seen - used, "%s%s",
							 i ? ", " : "", f[i]);
			fail(e, line, "missing column \"%s\" (header: %s)", column_names[required[k]], seen);
			return SPLIT_ECOLUMN;
		}
	return SPLIT_OK;
}

/* ---- grouping rows into agreements and tiers -------------------------- */

static void free_agreement(struct split_agreement *a)
{
	for (size_t t = 0; t < a->ntiers; t++) {
		struct split_tier *tier = &a->tiers[t];
		for (size_t p = 0; p < tier->npayees; p++) {
			free(tier->payees[p].name);
			free(tier->payees[p].out_prefix);
		}
		free(tier->payees);
		free(tier->weights);
	}
	free(a->tiers);
	free(a->match);
	free(a->key);
}

static struct split_agreement *find_or_add_agreement(struct split_rules *r, size_t *cap,
						      const struct row *row)
{
	for (size_t i = 0; i < r->n; i++) {
		struct split_agreement *a = &r->agreements[i];
		if (a->from == row->from && a->until == row->until && strcmp(a->match, row->match) == 0)
			return a;
	}
	if (r->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void *p = realloc(r->agreements, ncap * sizeof *r->agreements);
		if (!p)
			return NULL;
		r->agreements = p;
		*cap = ncap;
	}
	struct split_agreement *a = &r->agreements[r->n];
	memset(a, 0, sizeof *a);
	a->match = strdup(row->match);
	if (!a->match)
		return NULL;
	r->n++;
	a->from = row->from;
	a->until = row->until;
	memcpy(a->from_text, row->from_text, sizeof a->from_text);
	memcpy(a->to_text, row->to_text, sizeof a->to_text);
	a->line = row->line;
	return a;
}

static struct split_tier *find_or_add_tier(struct split_agreement *a, const struct row *row)
{
	for (size_t t = 0; t < a->ntiers; t++)
		if (a->tiers[t].number == row->tier)
			return &a->tiers[t];
	void *p = realloc(a->tiers, (a->ntiers + 1) * sizeof *a->tiers);
	if (!p)
		return NULL;
	a->tiers = p;
	struct split_tier *tier = &a->tiers[a->ntiers++];
	memset(tier, 0, sizeof *tier);
	tier->number = row->tier;
	tier->line = row->line;
	return tier;
}

/* Lines of the cap and basis seen first in each agreement/tier, for messages. */
struct first_seen {
	long basis_line;
	int basis;
};

static int add_row(struct split_rules *r, size_t *acap, struct row *row, const struct errbuf *e,
		   struct first_seen **seen)
{
	struct split_agreement *a = find_or_add_agreement(r, acap, row);
	if (!a)
		return SPLIT_ENOMEM;
	size_t ai = (size_t)(a - r->agreements);
	struct first_seen *s = realloc(*seen, r->n * sizeof **seen);
	if (!s)
		return SPLIT_ENOMEM;
	*seen = s;
	if (ai == r->n - 1 && a->ntiers == 0)
		s[ai] = (struct first_seen){0, 0};
	if (row->basis) {
		if (s[ai].basis && s[ai].basis != row->basis)
			return fail(e, row->line,
				    "column \"basis\": \"%s\" differs from \"%s\" on line %ld of the same agreement",
				    row->basis == 2 ? "gross" : "net", s[ai].basis == 2 ? "gross" : "net",
				    s[ai].basis_line);
		s[ai].basis = row->basis;
		s[ai].basis_line = row->line;
		a->gross = row->basis == 2;
	}
	struct split_tier *tier = find_or_add_tier(a, row);
	if (!tier)
		return SPLIT_ENOMEM;
	for (size_t p = 0; p < tier->npayees; p++)
		if (strcmp(tier->payees[p].name, row->payee) == 0)
			return fail(e, row->line, "payee \"%s\" appears twice in tier %ld (lines %ld and %ld)",
				    row->payee, tier->number, tier->payees[p].line, row->line);
	if (row->capped) {
		if (tier->capped && (tier->cap != row->cap || strcmp(tier->cap_currency, row->cap_currency)))
			return fail(e, row->line, "column \"cap\": \"%s\" differs from the tier's cap on line %ld",
				    row->cap_text, tier->line);
		tier->capped = true;
		tier->cap = row->cap;
		memcpy(tier->cap_currency, row->cap_currency, 4);
	}
	/* A tier's shares are either all fractions or all weights. */
	if (tier->npayees > 0 && tier->weighted != row->weight)
		return fail(e, row->line, "tier %ld mixes plain weights with percentages or fractions",
			    tier->number);
	void *p = realloc(tier->payees, (tier->npayees + 1) * sizeof *tier->payees);
	if (!p)
		return SPLIT_ENOMEM;
	tier->payees = p;
	struct split_payee *payee = &tier->payees[tier->npayees];
	memset(payee, 0, sizeof *payee);
	payee->name = row->payee;
	row->payee = NULL;
	payee->share = row->share;
	payee->line = row->line;
	tier->weighted = row->weight;
	tier->npayees++;
	a->npayees++;
	return SPLIT_OK;
}

static int cmp_tier(const void *x, const void *y)
{
	const struct split_tier *a = x, *b = y;
	return (a->number > b->number) - (a->number < b->number);
}

/* Shares as integers over one denominator into tier->weights, and the
 * tier's total. */
static int compute_weights(const struct errbuf *e, struct split_tier *tier)
{
	__extension__ typedef unsigned __int128 u128;
	u128 lcm = 1;
	for (size_t p = 0; p < tier->npayees; p++) {
		u128 a = lcm, b = (u128)tier->payees[p].share.den;
		while (b) {
			u128 t = a % b;
			a = b;
			b = t;
		}
		lcm = lcm / a * (u128)tier->payees[p].share.den;
		if (lcm > INT64_MAX)
			return fail(e, tier->line, "tier %ld: the shares' denominators are too large",
				    tier->number);
	}
	tier->weights = malloc(tier->npayees * sizeof *tier->weights);
	if (!tier->weights)
		return SPLIT_ENOMEM;
	u128 sum = 0;
	for (size_t p = 0; p < tier->npayees; p++) {
		const struct ratio *s = &tier->payees[p].share;
		u128 w = (u128)s->num * (lcm / (u128)s->den);
		sum += w;
		if (w > INT64_MAX || sum > INT64_MAX)
			return fail(e, tier->line, "tier %ld: the shares are too large", tier->number);
		tier->weights[p] = (int64_t)w;
	}
	tier->total.num = (int64_t)sum;
	tier->total.den = (int64_t)lcm;
	/* reduce */
	u128 a = sum, b = lcm;
	while (b) {
		u128 t = a % b;
		a = b;
		b = t;
	}
	tier->total.num = (int64_t)(sum / a);
	tier->total.den = (int64_t)(lcm / a);
	return SPLIT_OK;
}

static int check_agreement(struct split_rules *r, struct split_agreement *a, const struct errbuf *e)
{
	char pct[64];
	if (a->ntiers > SPLIT_MAX_TIERS)
		return fail(e, a->line, "agreement \"%s\" has %zu tiers, more than %d", a->match,
			    a->ntiers, SPLIT_MAX_TIERS);
	qsort(a->tiers, a->ntiers, sizeof *a->tiers, cmp_tier);
	for (size_t t = 0; t < a->ntiers; t++) {
		struct split_tier *tier = &a->tiers[t];
		bool last = t + 1 == a->ntiers;
		int st = compute_weights(e, tier);
		if (st)
			return st;
		if (tier->weighted && !last)
			return fail(e, tier->line,
				    "tier %ld has plain weights: only the last tier may; write a percentage or a fraction",
				    tier->number);
		if (tier->weighted) {
			/* 0.6 and 0.3 are divided 2:1, which is rarely what a
			 * writer of fractions meant: the command warns. */
			tier->weight_sum = tier->total;
			tier->weights_below_one = tier->total.num != tier->total.den;
			for (size_t p = 0; p < tier->npayees; p++)
				if (tier->payees[p].share.num >= tier->payees[p].share.den)
					tier->weights_below_one = false;
			tier->total = (struct ratio){1, 1};
		} else if (last && (tier->total.num != 1 || tier->total.den != 1)) {
			return fail(e, tier->line, "the last tier (%ld) totals %s, not 100%%", tier->number,
				    percent(pct, sizeof pct, tier->total));
		} else if (tier->total.num > tier->total.den) {
			return fail(e, tier->line, "tier %ld shares total %s, over 100%%", tier->number,
				    percent(pct, sizeof pct, tier->total));
		}
		if (last && tier->capped)
			return fail(e, tier->line,
				    "the last tier (%ld) cannot have a cap: what it leaves would have nowhere to go",
				    tier->number);
		tier->take_weights[0] = tier->total.num;
		tier->take_weights[1] = tier->total.den - tier->total.num;
		for (size_t p = 0; p < tier->npayees; p++) {
			struct split_payee *payee = &tier->payees[p];
			char *esc = escape_dup(payee->name);
			if (!esc)
				return SPLIT_ENOMEM;
			size_t cap = strlen(esc) + 64;
			payee->out_prefix = malloc(cap);
			if (!payee->out_prefix) {
				free(esc);
				return SPLIT_ENOMEM;
			}
			int n = snprintf(payee->out_prefix, cap, "\t%s\t%ld\t%ld\t", esc, tier->number,
					 payee->line);
			free(esc);
			payee->out_prefix_len = (size_t)n;
		}
		if (a->npayees > r->max_payees)
			r->max_payees = a->npayees;
	}
	/* What the match looks at, and how specific it is. */
	static const struct {
		const char *prefix;
		enum split_on on;
	} prefixes[] = {
		{"sku:", SPLIT_ON_SKU}, {"source:", SPLIT_ON_SOURCE},
		{"kind:", SPLIT_ON_KIND}, {"product:", SPLIT_ON_PRODUCT},
	};
	a->on = SPLIT_ON_PRODUCT;
	a->glob = a->match;
	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
		size_t n = strlen(prefixes[i].prefix);
		if (strncmp(a->match, prefixes[i].prefix, n) == 0) {
			a->on = prefixes[i].on;
			a->glob = a->match + n;
		}
	}
	if (strcmp(a->match, "*") == 0)
		a->on = SPLIT_ON_ALL;
	a->exact = !strpbrk(a->glob, "*?[");
	bool in_bracket = false;
	for (const char *p = a->glob; *p; p++) {
		if (in_bracket) {
			in_bracket = *p != ']';
			continue;
		}
		if (*p == '[')
			in_bracket = true;
		else if (*p != '*' && *p != '?')
			a->literals++;
	}
	r->looks_at[a->on] = true;
	if (a->gross)
		r->uses_gross = true;
	else
		r->uses_net = true;
	return SPLIT_OK;
}

/* The digest of what agreement a pays to whom (split_agreement.terms). */
static uint64_t agreement_terms(const struct split_agreement *a)
{
	uint64_t h = hash_fnv1a(HASH_FNV_OFFSET, &a->gross, sizeof a->gross);
	for (size_t t = 0; t < a->ntiers; t++) {
		const struct split_tier *tier = &a->tiers[t];
		int64_t nums[3] = {tier->number, tier->capped, tier->cap};
		h = hash_fnv1a(h, nums, sizeof nums);
		h = hash_fnv1a(h, tier->cap_currency, sizeof tier->cap_currency);
		for (size_t p = 0; p < tier->npayees; p++) {
			const struct split_payee *py = &tier->payees[p];
			int64_t share[2] = {py->share.num, py->share.den};
			h = hash_fnv1a(h, py->name, strlen(py->name) + 1);
			h = hash_fnv1a(h, share, sizeof share);
		}
	}
	return h ? h : 1;
}

static int assign_caps(struct split_rules *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		for (size_t t = 0; t < r->agreements[i].ntiers; t++)
			n += r->agreements[i].tiers[t].capped;
	r->caps = calloc(n ? n : 1, sizeof *r->caps);
	if (!r->caps)
		return SPLIT_ENOMEM;
	for (size_t i = 0; i < r->n; i++) {
		struct split_agreement *a = &r->agreements[i];
		/* escaped before joining, so that a TAB in match cannot split the key */
		char *esc = escape_dup(a->match);
		size_t len = esc ? strlen(esc) + 2 * sizeof a->from_text + 3 : 0;
		a->key = esc ? malloc(len) : NULL;
		if (a->key)
			snprintf(a->key, len, "%s\t%s\t%s", esc, a->from_text, a->to_text);
		free(esc);
		if (!a->key)
			return SPLIT_ENOMEM;
		a->terms = agreement_terms(a);
		for (size_t t = 0; t < a->ntiers; t++) {
			struct split_tier *tier = &a->tiers[t];
			if (!tier->capped)
				continue;
			size_t cap = strlen(a->key) + 32;
			char *key = malloc(cap);
			if (!key)
				return SPLIT_ENOMEM;
			snprintf(key, cap, "%s\t%ld\t%s", a->key, tier->number, tier->cap_currency);
			tier->cap_index = r->ncaps;
			r->caps[r->ncaps++].key = key;
		}
	}
	return SPLIT_OK;
}

static int check_overlaps(const struct split_rules *r, const struct errbuf *e)
{
	for (size_t j = 1; j < r->n; j++)
		for (size_t i = 0; i < j; i++) {
			const struct split_agreement *a = &r->agreements[i], *b = &r->agreements[j];
			if (strcmp(a->match, b->match) == 0 && a->from < b->until && b->from < a->until)
				return fail(e, b->line,
					    "agreement \"%s\" (%s to %s) overlaps the one on line %ld with the same match",
					    b->match, b->from_text[0] ? b->from_text : "open",
					    b->to_text[0] ? b->to_text : "open", a->line);
		}
	return SPLIT_OK;
}

/* ---- payee names -------------------------------------------------------- */

/* Whether s holds a combining accent (U+0300..U+036F): a decomposed (NFD)
 * spelling, which would be another payee than the composed one. */
static bool has_combining_accent(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((p[0] == 0xCC && p[1] >= 0x80 && p[1] <= 0xBF) || (p[0] == 0xCD && p[1] >= 0x80 && p[1] <= 0xAF))
			return true;
	return false;
}

/* The lower case of a Latin Extended-A letter (U+0100..U+017F), as Unicode
 * pairs them: even/odd from U+0100 and U+014A, odd/even from U+0139 and
 * U+0179, and U+0178 to U+00FF; others as they are. */
static unsigned lower_extended_a(unsigned cp)
{
	if ((cp < 0x0130 || (cp >= 0x014A && cp < 0x0178)) && cp % 2 == 0)
		return cp + 1;
	if (((cp >= 0x0139 && cp < 0x0149) || (cp >= 0x0179 && cp < 0x017F)) && cp % 2 == 1)
		return cp + 1;
	if (cp == 0x0130 || cp == 0x0131 || cp == 0x0132 || cp == 0x0133) /* İ ı Ĳ ĳ */
		return cp == 0x0132 ? 0x0133 : cp;
	if (cp >= 0x0134 && cp < 0x0138 && cp % 2 == 0)
		return cp + 1;
	return cp == 0x0178 ? 0x00FF : cp;
}

/* The name as compared: ASCII, Latin-1 and Latin Extended-A letters in
 * lower case, runs of
 * spaces as one, none at the ends (owned), or NULL. */
static char *fold_name(const char *name)
{
	char *d = malloc(strlen(name) + 1), *p = d;
	if (!d)
		return NULL;
	const unsigned char *s = (const unsigned char *)name;
	while (*s == ' ')
		s++;
	for (; *s; s++) {
		if (*s == ' ' && (s[1] == ' ' || s[1] == '\0'))
			continue;
		if (*s >= 'A' && *s <= 'Z') {
			*p++ = (char)(*s + 32);
		} else if (*s == 0xC3 && s[1] >= 0x80 && s[1] <= 0x9E && s[1] != 0x97) { /* À..Þ but × */
			*p++ = (char)*s++;
			*p++ = (char)(*s + 32);
		} else if ((*s == 0xC4 || *s == 0xC5) && s[1] >= 0x80 && s[1] <= 0xBF) { /* Latin Extended-A */
			unsigned cp = lower_extended_a((unsigned)(*s & 0x1F) << 6 | (s[1] & 0x3F));
			*p++ = (char)(0xC0 | cp >> 6);
			*p++ = (char)(0x80 | (cp & 0x3F));
			s++;
		} else {
			*p++ = (char)*s;
		}
	}
	*p = '\0';
	return d;
}

struct folded {
	char *fold;
	const struct split_payee *payee;
};

static int cmp_folded(const void *a, const void *b)
{
	const struct folded *x = a, *y = b;
	int c = strcmp(x->fold, y->fold);
	return c ? c : (x->payee->line > y->payee->line) - (x->payee->line < y->payee->line);
}

/* Payee names that differ only by case or spaces would be two balances
 * downstream; a decomposed accent too: refuse them, naming both lines. */
static int check_payee_names(const struct split_rules *r, const struct errbuf *e)
{
	size_t n = 0, k = 0;
	for (size_t i = 0; i < r->n; i++)
		for (size_t t = 0; t < r->agreements[i].ntiers; t++)
			n += r->agreements[i].tiers[t].npayees;
	struct folded *all = calloc(n ? n : 1, sizeof *all);
	if (!all)
		return SPLIT_ENOMEM;
	int st = SPLIT_OK;
	char q[96], q2[96];
	for (size_t i = 0; i < r->n && st == SPLIT_OK; i++)
		for (size_t t = 0; t < r->agreements[i].ntiers && st == SPLIT_OK; t++)
			for (size_t p = 0; p < r->agreements[i].tiers[t].npayees && st == SPLIT_OK; p++) {
				const struct split_payee *py = &r->agreements[i].tiers[t].payees[p];
				if (has_combining_accent(py->name)) {
					st = fail(e, py->line, "column \"payee\": %s has a decomposed accent (not NFC): "
						  "save the file with composed accents, so that it is one payee",
						  diag_quote(q, sizeof q, py->name, strlen(py->name)));
					break;
				}
				all[k].payee = py;
				if (!(all[k++].fold = fold_name(py->name)))
					st = SPLIT_ENOMEM;
			}
	if (st == SPLIT_OK)
		qsort(all, k, sizeof *all, cmp_folded);
	for (size_t i = 1; i < k && st == SPLIT_OK; i++) {
		const struct split_payee *a = all[i - 1].payee, *b = all[i].payee;
		if (strcmp(all[i - 1].fold, all[i].fold) == 0 && strcmp(a->name, b->name) != 0)
			st = fail(e, b->line, "column \"payee\": %s and %s (line %ld) differ only by case or spaces: "
				  "they would be two balances; write one name",
				  diag_quote(q, sizeof q, b->name, strlen(b->name)),
				  diag_quote(q2, sizeof q2, a->name, strlen(a->name)), a->line);
	}
	for (size_t i = 0; i < k; i++)
		free(all[i].fold);
	free(all);
	return st;
}

const struct split_payee *split_rules_name_clash(const struct split_rules *r, const char *name)
{
	char *fold = fold_name(name);
	const struct split_payee *clash = NULL;
	for (size_t i = 0; fold && i < r->n && !clash; i++)
		for (size_t t = 0; t < r->agreements[i].ntiers && !clash; t++)
			for (size_t p = 0; p < r->agreements[i].tiers[t].npayees && !clash; p++) {
				const struct split_payee *py = &r->agreements[i].tiers[t].payees[p];
				char *f = fold_name(py->name);
				if (f && strcmp(f, fold) == 0 && strcmp(py->name, name) != 0)
					clash = py;
				free(f);
			}
	free(fold);
	return clash;
}

/* A header or row that is one field with commas, semicolons or spaces
 * in it (want: the fields expected) was saved as CSV or aligned. */
static const char *not_tab_separated(char **f, size_t nf, size_t want)
{
	return nf == 1 && want > 1 ? tsv_separator_hint(f[0]) : NULL;
}

static int parse_lines(struct split_rules *r, const char *text, size_t len, const struct errbuf *e)
{
	int col[NCOLUMNS];
	bool have_header = false;
	size_t ncols = 0, acap = 0;
	char *buf = NULL, **fields = NULL;
	struct first_seen *seen = NULL;
	int st = SPLIT_OK;
	long line = 0;
	for (size_t pos = 0; pos < len && st == SPLIT_OK;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		const char *s = text + pos;
		pos += n + (nl != NULL);
		line++;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		size_t k = 0;
		while (k < n && (s[k] == ' ' || s[k] == '\t'))
			k++;
		if (k == n || s[k] == '#')
			continue;
		if (!tsv_valid_utf8(s, n)) {
			st = fail(e, line, "invalid UTF-8 or a NUL byte");
			break;
		}
		free(buf);
		buf = malloc(n + 1);
		if (!buf) {
			st = SPLIT_ENOMEM;
			break;
		}
		memcpy(buf, s, n);
		buf[n] = '\0';
		size_t nf = 1;
		for (size_t i = 0; i < n; i++)
			nf += buf[i] == '\t';
		free(fields);
		fields = malloc(nf * sizeof *fields);
		if (!fields) {
			st = SPLIT_ENOMEM;
			break;
		}
		split_fields(buf, n, fields, nf);
		for (size_t i = 0; i < nf; i++) {
			size_t fl = tsv_unescape(fields[i], strlen(fields[i]));
			if (fl == (size_t)-1) {
				st = fail(e, line, "field %zu: invalid escape", i + 1);
				break;
			}
			fields[i][fl] = '\0';
		}
		if (st)
			break;
		const char *looks = not_tab_separated(fields, nf, have_header ? ncols : 2);
		if (looks) {
			st = fail(e, line, "the agreements file must be TAB-separated: %s has no TAB (%s)",
				  have_header ? "this row" : "the header line", looks);
			if (!have_header) /* no column found: as a missing one */
				st = SPLIT_ECOLUMN;
			break;
		}
		if (!have_header) {
			st = parse_header(e, line, fields, nf, col);
			ncols = nf;
			have_header = true;
			continue;
		}
		if (nf > ncols) {
			st = fail(e, line, "expected %zu fields, found %zu", ncols, nf);
			break;
		}
		/* Trailing fields may be left out (hand-written files): empty. */
		char **all = realloc(fields, ncols * sizeof *fields);
		if (!all) {
			st = SPLIT_ENOMEM;
			break;
		}
		fields = all;
		for (size_t i = nf; i < ncols; i++)
			fields[i] = buf + n;
		struct row row;
		st = parse_row(e, line, fields, col, &row);
		if (st == SPLIT_OK)
			st = add_row(r, &acap, &row, e, &seen);
		free(row.match);
		free(row.payee);
	}
	free(buf);
	free(fields);
	free(seen);
	if (st == SPLIT_OK && !have_header)
		st = fail(e, 0, "no header line (match, payee, share, ...)");
	if (st == SPLIT_OK && r->n == 0)
		st = fail(e, 0, "no agreements");
	return st;
}

int split_rules_parse(struct split_rules *r, const char *name, const char *text, size_t len,
		      long *err_line, char *err, size_t errcap)
{
	struct errbuf e = {err_line, err, errcap};
	memset(r, 0, sizeof *r);
	*err_line = 0;
	if (errcap)
		err[0] = '\0';
	r->name = strdup(name);
	if (!r->name)
		return SPLIT_ENOMEM;
	int st = parse_lines(r, text, len, &e);
	for (size_t i = 0; i < r->n && st == SPLIT_OK; i++)
		st = check_agreement(r, &r->agreements[i], &e);
	if (st == SPLIT_OK)
		st = check_overlaps(r, &e);
	if (st == SPLIT_OK)
		st = check_payee_names(r, &e);
	if (st == SPLIT_OK)
		st = assign_caps(r);
	if (st == SPLIT_OK) {
		r->cache = NULL;
	} else {
		split_rules_free(r);
		if (st == SPLIT_ENOMEM)
			snprintf(err, errcap, "out of memory");
	}
	return st;
}

/* ---- matching -------------------------------------------------------- */

/* The agreements that cover one (source, product, sku, kind), most
 * specific first. */
struct cache_entry {
	const struct split_agreement **matches; /* (owned) */
	size_t nmatches;
};

/* The match cache: keys (source US product US sku US kind, each followed
 * by NUL) interned in a keyindex, whose dense ids index the entries. */
struct split_cache {
	struct names keys;
	struct cache_entry *entry; /* by key id */
	size_t cap;                /* room in entry */
	char *key;                 /* the key being looked up */
	size_t key_cap;
};

static void cache_clear(struct split_cache *c)
{
	for (size_t i = 0; i < c->keys.n; i++)
		free(c->entry[i].matches);
	names_free(&c->keys);
}

static void cache_free(struct split_cache *c)
{
	cache_clear(c);
	free(c->entry);
	free(c->key);
}

static bool agreement_covers(const struct split_agreement *a, const struct split_row *row)
{
	const char *v;
	switch (a->on) {
	case SPLIT_ON_ALL: return true;
	case SPLIT_ON_KIND: v = row->kind; break;
	case SPLIT_ON_SOURCE: v = row->source; break;
	case SPLIT_ON_SKU: v = row->sku; break;
	default: v = row->product; break;
	}
	if (a->exact)
		return strcmp(a->glob, v) == 0;
	return fnmatch(a->glob, v, 0) == 0;
}

/* Precedence: positive when a is more specific than b, 0 when equal. */
static int specificity_cmp(const struct split_agreement *a, const struct split_agreement *b)
{
	if (a->on != b->on)
		return a->on > b->on ? 1 : -1;
	if (a->exact != b->exact)
		return a->exact ? 1 : -1;
	if (a->literals != b->literals)
		return a->literals > b->literals ? 1 : -1;
	return 0;
}

static int cmp_precedence(const void *x, const void *y)
{
	const struct split_agreement *a = *(const struct split_agreement *const *)x;
	const struct split_agreement *b = *(const struct split_agreement *const *)y;
	int c = specificity_cmp(b, a);
	if (c)
		return c;
	return (a->line > b->line) - (a->line < b->line);
}

/* Work out the agreements covering row, whose key is c->key[0..len),
 * and cache them under it. */
static int cache_add(const struct split_rules *r, struct split_cache *c, const struct split_row *row,
		     size_t len, const struct split_agreement *const **list, size_t *n)
{
	struct cache_entry *e = grow_array(c->entry, c->keys.n, &c->cap, sizeof *e, 64);
	if (!e)
		return SPLIT_ENOMEM;
	c->entry = e;
	const struct split_agreement **m = malloc((r->n ? r->n : 1) * sizeof *m);
	uint32_t id;
	if (!m || names_intern(&c->keys, c->key, len, &id) < 0) {
		free(m);
		return SPLIT_ENOMEM;
	}
	size_t nm = 0;
	for (size_t a = 0; a < r->n; a++)
		if (agreement_covers(&r->agreements[a], row))
			m[nm++] = &r->agreements[a];
	qsort(m, nm, sizeof *m, cmp_precedence);
	e[id] = (struct cache_entry){m, nm};
	*list = m;
	*n = nm;
	return SPLIT_OK;
}

int split_matches(struct split_rules *r, const struct split_row *row,
		  const struct split_agreement *const **list, size_t *n)
{
	/* Fields no agreement looks at stay out of the key, so that, say,
	 * per-row SKUs do not defeat the cache when no match uses sku:. */
	const char *parts[4] = {
		r->looks_at[SPLIT_ON_SOURCE] ? row->source : "",
		r->looks_at[SPLIT_ON_PRODUCT] ? row->product : "",
		r->looks_at[SPLIT_ON_SKU] ? row->sku : "",
		r->looks_at[SPLIT_ON_KIND] ? row->kind : "",
	};
	if (!r->cache && !(r->cache = calloc(1, sizeof *r->cache)))
		return SPLIT_ENOMEM;
	struct split_cache *c = r->cache;
	size_t total = 0;
	for (int i = 0; i < 4; i++)
		total += strlen(parts[i]) + 1;
	if (total > c->key_cap) {
		char *k = realloc(c->key, total);
		if (!k)
			return SPLIT_ENOMEM;
		c->key = k;
		c->key_cap = total;
	}
	char *k = c->key;
	for (int i = 0; i < 4; i++)
		k = stpcpy(k, parts[i]) + 1; /* the NUL separates */
	long hit = names_find(&c->keys, c->key, total);
	if (hit >= 0) {
		*list = c->entry[hit].matches;
		*n = c->entry[hit].nmatches;
		return SPLIT_OK;
	}
	if (c->keys.n >= CACHE_MAX_ENTRIES)
		cache_clear(c);
	return cache_add(r, c, row, total, list, n);
}

int split_find(struct split_rules *r, const struct split_row *row,
	       const struct split_agreement **out, const struct split_agreement **other)
{
	const struct split_agreement *const *list;
	size_t n;
	int st = split_matches(r, row, &list, &n);
	if (st)
		return st;
	if (n == 0)
		return SPLIT_ENOMATCH;
	const struct split_agreement *best = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct split_agreement *a = list[i];
		if (row->when < a->from || row->when >= a->until)
			continue;
		if (!best) {
			best = a;
			continue;
		}
		if (specificity_cmp(best, a) != 0)
			break;
		*out = best;
		if (other)
			*other = a;
		return SPLIT_EAMBIGUOUS;
	}
	if (!best)
		return SPLIT_EDATE;
	*out = best;
	return SPLIT_OK;
}

/* ---- the waterfall --------------------------------------------------- */

/* The tier's take of `want`, limited by its cap (see split_apply). */
static int apply_cap(struct split_rules *r, const struct split_tier *tier, int64_t want,
		     const char *currency, int64_t when, const struct fx_table *fx, int64_t *take,
		     int64_t *recouped_after, struct split_step *step)
{
	int64_t recouped = r->caps[tier->cap_index].recouped;
	struct ratio rate = {1, 1};
	*take = want;
	*recouped_after = recouped;
	if (step) {
		step->cap_before = recouped;
		step->rate = rate;
	}
	if (want == 0)
		return SPLIT_OK;
	if (strcmp(currency, tier->cap_currency) != 0) {
		if (!fx)
			return SPLIT_ENOFX;
		if (fx_lookup(fx, currency, tier->cap_currency, when, &rate, NULL) != FX_OK)
			return SPLIT_ENORATE;
	}
	int64_t conv;
	if (!money_muldiv(want, rate.num, rate.den, &conv))
		return SPLIT_ERANGE;
	if (want > 0 && conv > tier->cap - recouped) {
		conv = tier->cap - recouped;
		if (!money_muldiv(conv, rate.den, rate.num, take))
			return SPLIT_ERANGE;
		if (*take > want)
			*take = want;
	} else if (want < 0 && conv < -recouped) {
		conv = -recouped;
		if (!money_muldiv(conv, rate.den, rate.num, take))
			return SPLIT_ERANGE;
		if (*take < want)
			*take = want;
	}
	if (*take == 0)
		conv = 0;
	*recouped_after = recouped + conv;
	if (step)
		step->rate = rate;
	return SPLIT_OK;
}

/* The payee ties start at (split_apply): 0, or the month of `when` round
 * the n payees. */
static size_t ties_first(const struct split_rules *r, int64_t when, size_t n)
{
	if (!r->rotate_ties || n == 0)
		return 0;
	int64_t m = period_of(when, PERIOD_MONTH).index % (int64_t)n;
	return (size_t)(m < 0 ? m + (int64_t)n : m);
}

int split_apply(struct split_rules *r, const struct split_agreement *a, int64_t basis,
		const char *currency, int64_t when, const struct fx_table *fx,
		struct split_part *parts, size_t *nparts, struct split_step *steps)
{
	int64_t flow = basis, buf[64];
	int64_t recouped_after[SPLIT_MAX_TIERS];
	size_t np = 0;
	for (size_t t = 0; t < a->ntiers; t++) {
		const struct split_tier *tier = &a->tiers[t];
		struct split_step *step = steps ? &steps[t] : NULL;
		int64_t want = flow, take, pair[2];
		if (t + 1 < a->ntiers && tier->take_weights[1] != 0 && flow != 0) {
			if (alloc_split_int(flow, tier->take_weights, 2, pair) != ALLOC_OK)
				return SPLIT_EINTERNAL;
			want = pair[0];
		}
		take = want;
		if (tier->capped) {
			int st = apply_cap(r, tier, want, currency, when, fx, &take, &recouped_after[t], step);
			if (st)
				return st;
		}
		if (step) {
			step->flow = flow;
			step->want = want;
			step->take = take;
			step->cap_after = tier->capped ? recouped_after[t] : 0;
		}
		if (take != 0) {
			int64_t *p = tier->npayees <= 64 ? buf : malloc(tier->npayees * sizeof *p);
			if (!p)
				return SPLIT_ENOMEM;
			if (tier->npayees == 1)
				p[0] = take;
			else if (alloc_split_int_from(take, tier->weights, tier->npayees, ties_first(r, when, tier->npayees),
						      p) != ALLOC_OK) {
				if (p != buf)
					free(p);
				return SPLIT_EINTERNAL;
			}
			for (size_t k = 0; k < tier->npayees; k++)
				if (p[k] != 0)
					parts[np++] = (struct split_part){tier, &tier->payees[k], p[k]};
			if (p != buf)
				free(p);
		}
		flow -= take;
	}
	/* The run-time conservation check: the parts must be the basis. */
	__extension__ __int128 sum = 0;
	for (size_t k = 0; k < np; k++)
		sum += parts[k].amount;
	if (sum != basis || flow != 0)
		return SPLIT_EINTERNAL;
	for (size_t t = 0; t < a->ntiers; t++)
		if (a->tiers[t].capped)
			r->caps[a->tiers[t].cap_index].recouped = recouped_after[t];
	*nparts = np;
	return SPLIT_OK;
}

void split_rules_free(struct split_rules *r)
{
	for (size_t i = 0; i < r->n; i++)
		free_agreement(&r->agreements[i]);
	free(r->agreements);
	for (size_t i = 0; i < r->ncaps; i++)
		free(r->caps[i].key);
	free(r->caps);
	if (r->cache) {
		cache_free(r->cache);
		free(r->cache);
	}
	free(r->name);
	memset(r, 0, sizeof *r);
}
