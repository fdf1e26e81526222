/* report_ledger.c - reading and verifying the payout ledger, settling a
 * statement (see report_ledger.h). */
#include "report_ledger.h"

#include "hash.h"
#include "keyindex.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "money.h"
#include "readall.h"
#include "tsv.h"

bool report_settle(int64_t brought_forward, int64_t earned, int digits, int64_t min_payout,
		   struct report_settlement *s)
{
	int64_t balance, payable, residue;

	if (!money_add(brought_forward, earned, &balance))
		return false;
	s->balance = balance;
	s->paid = 0;
	s->carried_forward = balance;
	if (balance <= 0)
		return true; /* nothing to pay; a negative balance is owed */
	money_round_payable(balance, digits, &payable, &residue);
	if (payable > 0 && payable >= min_payout) {
		s->paid = payable;
		s->carried_forward = residue;
	}
	return true;
}

uint64_t report_ledger_chain(uint64_t prev, const char *const f[8])
{
	uint64_t h = HASH_FNV_OFFSET;
	char hex[17] = "";

	if (prev)
		snprintf(hex, sizeof hex, "%016llx", (unsigned long long)prev);
	h = hash_fnv1a(h, hex, strlen(hex));
	for (int i = 0; i < 8; i++) {
		h = hash_fnv1a(h, "\t", 1);
		h = hash_fnv1a(h, f[i], strlen(f[i]));
	}
	return h ? h : 1; /* 0 means "no previous row" */
}

int report_read_file(const char *path, char **text, size_t *len)
{
	int fd = open(path, O_RDONLY);
	*text = NULL;
	*len = 0;
	if (fd < 0)
		return errno == ENOENT ? 1 : -1;
	int rc = readall_fd(fd, text, len), e = errno;
	close(fd);
	errno = e;
	return rc;
}

/* The last row seen of each account (payee, currency), by keyindex.h. */
struct last_index {
	struct names payees;   /* the payees, by id */
	struct keymap account; /* (payee id, currency) -> account id */
	long *last;            /* by account id: its last row's index + 1, 0 for none yet */
	size_t n, cap;         /* accounts held, room in last */
};

/* The slot holding the last row of (payee, cur), 0 when it has none, or
 * NULL when out of memory. */
static long *index_slot(struct last_index *ix, const char *payee, size_t len, const char *cur)
{
	long *last = grow_array(ix->last, ix->n, &ix->cap, sizeof *last, 64);
	if (!last)
		return NULL;
	ix->last = last;
	uint32_t pid, id;
	bool added;
	if (names_intern(&ix->payees, payee, len, &pid) < 0 ||
	    keymap_get(&ix->account, pid, pack_currency(cur), (uint32_t)ix->n, &id, &added) < 0)
		return NULL;
	if (added)
		last[ix->n++] = 0;
	return &last[id];
}

static void index_free(struct last_index *ix)
{
	names_free(&ix->payees);
	keymap_free(&ix->account);
	free(ix->last);
}

static int fail(long *err_line, long line, char *err, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int fail(long *err_line, long line, char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	*err_line = line;
	return -2;
}

static const char *const ledger_cols[9] = {
	"statement", "payee", "period", "currency", "brought_forward",
	"earned", "paid", "carried_forward", "chain",
};

/* Parse one amount field; -1 with err set. */
static int parse_amount(const struct tsv_field *f, const char *col, int64_t *v, char *err,
			size_t cap)
{
	int rc = money_parse(f->s, f->len, v);
	if (rc != MONEY_OK) {
		char q[96];
		snprintf(err, cap, "column \"%s\": %s %s", col,
			 diag_quote(q, sizeof q, f->s, f->len), money_strerror(rc));
		return -1;
	}
	return 0;
}

/* The period whose statements are being read, until its closing row. */
struct open_period {
	bool has;
	struct period period;
};

/* Room for one more of n elements of size at *arr of *cap.  Returns 0 or -1. */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 16;
	void *grown = realloc(*arr, nc * size);
	if (!grown)
		return -1;
	*arr = grown;
	*cap = nc;
	return 0;
}

static int note_late(struct report_ledger *l, int64_t index)
{
	void *arr = l->late;
	int rc = grow(&arr, &l->caplate, l->nlate, sizeof *l->late);
	l->late = arr;
	if (rc == 0)
		l->late[l->nlate++] = index;
	return rc;
}

static int note_closing(struct report_ledger *l, uint64_t chain)
{
	void *arr = l->closings;
	int rc = grow(&arr, &l->capclosings, l->nclosings, sizeof *l->closings);
	l->closings = arr;
	if (rc == 0)
		l->closings[l->nclosings++] = chain;
	return rc;
}

/* A closing row (empty payee and currency): it ends the open period, or
 * records a period settled with no statement after the last one. */
static int closing_row(struct report_ledger *l, struct tsv_reader *r, struct open_period *open, bool *have_kind,
		       long *err_line, char *err, size_t cap)
{
	struct tsv_field *f = r->fields;
	struct period per;
	const char *text[8];
	char q[96], hex[17];

	const char *slash = memchr(f[0].s, '/', f[0].len);
	bool late = false;
	if (slash && strcmp(slash, "/end+late") == 0)
		late = true;
	else if (!slash || strcmp(slash, "/end") != 0)
		return fail(err_line, r->line, err, cap, "column \"statement\": %s is not PERIOD/end or PERIOD/end+late",
			    diag_quote(q, sizeof q, f[0].s, f[0].len));
	if (period_parse(f[0].s, (size_t)(slash - f[0].s), &per) < 0 || (*have_kind && per.kind != l->last.kind))
		return fail(err_line, r->line, err, cap, "column \"statement\": %s is not of a period%s",
			    diag_quote(q, sizeof q, f[0].s, f[0].len), *have_kind ? " of the ledger's kind" : "");
	if (f[2].len != 0)
		return fail(err_line, r->line, err, cap, "column \"period\": a closing row has it empty");
	if (open->has ? open->period.index != per.index : *have_kind && period_diff(l->last, per) <= 0)
		return fail(err_line, r->line, err, cap,
			    open->has ? "a closing row must be of the period of the statements before it"
				      : "a period closed with no statement must come after the ledger's last period");
	for (int i = 4; i < 8; i++)
		if (f[i].len != 1 || f[i].s[0] != '0')
			return fail(err_line, r->line, err, cap, "column \"%s\": a closing row has 0 here", ledger_cols[i]);
	for (int i = 0; i < 8; i++)
		text[i] = f[i].s;
	uint64_t chain = report_ledger_chain(l->last_chain, text);
	snprintf(hex, sizeof hex, "%016llx", (unsigned long long)chain);
	if (f[8].len != 16 || memcmp(f[8].s, hex, 16) != 0)
		return fail(err_line, r->line, err, cap,
			    "column \"chain\": %s does not follow from the rows before: the ledger was edited or damaged",
			    diag_quote(q, sizeof q, f[8].s, f[8].len));
	if (late && note_late(l, per.index) < 0)
		return errno = ENOMEM, -1;
	if (note_closing(l, chain) < 0)
		return errno = ENOMEM, -1;
	if (!l->has_rows)
		l->first = per;
	l->last_chain = chain;
	l->last = per;
	l->has_rows = *have_kind = true;
	open->has = false;
	return 0;
}

/* A statement row's own cells, f[0..9) at r's line, into *row (its chain
 * value too).  Returns 0, or fail's status. */
static int row_cells(struct report_ledger *l, const struct tsv_reader *r, bool have_kind,
		     struct report_ledger_row *row, long *err_line, char *err, size_t cap)
{
	const struct tsv_field *f = r->fields;
	char q[96], msg[256];
	const char *text[8];
	if (f[3].len != 3 || (row->digits = currency_digits(f[3].s, 3)) < 0)
		return fail(err_line, r->line, err, cap, "column \"currency\": %s is not a currency code",
			    diag_quote(q, sizeof q, f[3].s, f[3].len));
	memcpy(row->currency, f[3].s, 4);
	if (period_parse(f[2].s, f[2].len, &row->period) < 0 || (have_kind && row->period.kind != l->last.kind))
		return fail(err_line, r->line, err, cap, "column \"period\": %s is not a period%s",
			    diag_quote(q, sizeof q, f[2].s, f[2].len), have_kind ? " of the ledger's kind" : "");
	if (f[1].len == 0)
		return fail(err_line, r->line, err, cap, "column \"payee\" is empty");
	if (parse_amount(&f[4], "brought_forward", &row->brought_forward, msg, sizeof msg) < 0 ||
	    parse_amount(&f[5], "earned", &row->earned, msg, sizeof msg) < 0 ||
	    parse_amount(&f[6], "paid", &row->paid, msg, sizeof msg) < 0 ||
	    parse_amount(&f[7], "carried_forward", &row->carried_forward, msg, sizeof msg) < 0)
		return fail(err_line, r->line, err, cap, "%s", msg);
	for (int i = 0; i < 8; i++)
		text[i] = f[i].s;
	row->chain = report_ledger_chain(l->last_chain, text);
	return 0;
}

/* The row's period against the rows before it, and its own sum. */
static int row_in_order(const struct report_ledger *l, const struct tsv_reader *r, const struct open_period *open,
			bool have_kind, const struct report_ledger_row *row, long *err_line, char *err, size_t cap)
{
	char a[DATE_BUF], b[DATE_BUF];
	int64_t cf;
	period_format(a, row->period);
	if (have_kind && period_diff(l->last, row->period) < 0) {
		period_format(b, l->last);
		return fail(err_line, r->line, err, cap, "period %s comes after %s: periods must not go back", a, b);
	}
	if (open->has && open->period.index != row->period.index) {
		period_format(b, open->period);
		return fail(err_line, r->line, err, cap, "a %s statement before the closing row of %s", a, b);
	}
	if (have_kind && !open->has && period_diff(l->last, row->period) == 0)
		return fail(err_line, r->line, err, cap, "a %s statement after the closing row of %s", a, a);
	if (row->paid < 0 || !money_sub(row->brought_forward, row->paid, &cf) || !money_add(cf, row->earned, &cf) ||
	    cf != row->carried_forward)
		return fail(err_line, r->line, err, cap, "carried_forward is not brought_forward + earned - paid");
	return 0;
}

/* The row against its account's previous statement (*slot, the index's)
 * and the chain of the rows before it. */
static int row_chains(const struct report_ledger *l, const struct tsv_reader *r, const long *slot,
		      const struct report_ledger_row *row, long *err_line, char *err, size_t cap)
{
	const struct tsv_field *f = r->fields;
	int64_t before = 0;
	char q[96], want[17];
	if (*slot) {
		const struct report_ledger_row *prev = &l->rows[*slot - 1];
		if (period_diff(prev->period, row->period) <= 0)
			return fail(err_line, r->line, err, cap, "a second statement for %s (%s) in one period", f[1].s,
				    row->currency);
		before = prev->carried_forward;
	}
	if (row->brought_forward != before) {
		char a[MONEY_BUF], b[MONEY_BUF];
		money_format(a, row->brought_forward, row->digits);
		money_format(b, before, row->digits);
		return fail(err_line, r->line, err, cap,
			    "brought_forward %s of %s (%s) does not chain: the previous statement carried forward %s", a,
			    f[1].s, row->currency, b);
	}
	snprintf(want, sizeof want, "%016llx", (unsigned long long)row->chain);
	if (f[8].len != 16 || memcmp(f[8].s, want, 16) != 0)
		return fail(err_line, r->line, err, cap,
			    "column \"chain\": %s does not follow from the rows before: the ledger was edited or damaged",
			    diag_quote(q, sizeof q, f[8].s, f[8].len));
	return 0;
}

/* Append row (its id and payee copied from f) to l, its account's slot
 * the new row's.  Returns 0, or -1 (ENOMEM). */
static int row_append(struct report_ledger *l, long *slot, const struct tsv_field *f,
		      struct report_ledger_row *row)
{
	row->id = strdup(f[0].s);
	row->payee = strdup(f[1].s);
	struct report_ledger_row *rows = grow_array(l->rows, l->n, &l->cap, sizeof *rows, 256);
	if (!rows) {
		free(row->id), free(row->payee);
		return errno = ENOMEM, -1;
	}
	l->rows = rows;
	if (!row->id || !row->payee) {
		free(row->id), free(row->payee);
		return errno = ENOMEM, -1;
	}
	if (!l->has_rows)
		l->first = row->period;
	l->rows[l->n++] = *row;
	*slot = (long)l->n;
	l->last_chain = row->chain;
	l->last = row->period;
	l->has_rows = true;
	return 0;
}

/* One statement row of r into l.  Returns 0, or fail's status. */
static int statement_row(struct report_ledger *l, const struct tsv_reader *r, struct last_index *ix,
			 struct open_period *open, bool *have_kind, long *err_line, char *err, size_t cap)
{
	struct report_ledger_row row = {0};
	row.line = r->line;
	int status = row_cells(l, r, *have_kind, &row, err_line, err, cap);
	if (!status)
		status = row_in_order(l, r, open, *have_kind, &row, err_line, err, cap);
	long *slot = status ? NULL : index_slot(ix, r->fields[1].s, r->fields[1].len, row.currency);
	if (!status && !slot)
		status = (errno = ENOMEM, -1);
	if (!status)
		status = row_chains(l, r, slot, &row, err_line, err, cap);
	if (!status) {
		open->has = true;
		open->period = row.period;
		*have_kind = true;
		status = row_append(l, slot, r->fields, &row);
	}
	return status;
}

/* The header, then every row of r into l. */
static int load_rows(struct report_ledger *l, struct tsv_reader *r, long *err_line, char *err,
		     size_t cap)
{
	struct last_index ix = {0};
	struct open_period open = {false, {PERIOD_MONTH, 0}};
	bool have_kind = false;
	int rc, status = 0;

	if (r->ncols != 9)
		return fail(err_line, 1, err, cap, "not a ledger: the header must be \"%s\"",
			    "statement payee period currency brought_forward earned paid carried_forward chain");
	for (int i = 0; i < 9; i++)
		if (strcmp(r->cols[i], ledger_cols[i]) != 0)
			return fail(err_line, 1, err, cap, "not a ledger: column %d is \"%s\", not \"%s\"",
				    i + 1, r->cols[i], ledger_cols[i]);
	while (status == 0 && (rc = tsv_next(r)) == 1) {
		if (r->fields[1].len == 0 && r->fields[3].len == 0)
			status = closing_row(l, r, &open, &have_kind, err_line, err, cap);
		else
			status = statement_row(l, r, &ix, &open, &have_kind, err_line, err, cap);
	}
	if (status == 0 && rc < 0) {
		if (errno)
			status = -1;
		else
			status = fail(err_line, r->line, err, cap, "%s", r->err);
	}
	if (status == 0 && open.has) {
		char a[DATE_BUF];
		period_format(a, open.period);
		status = fail(err_line, r->line, err, cap,
			      "period %s has no closing row: the ledger's last rows were lost", a);
	}
	index_free(&ix);
	return status;
}

int report_ledger_load(struct report_ledger *l, const char *path, long *err_line, char *err,
		       size_t errcap)
{
	struct tsv_reader r;
	char *paths[1] = {(char *)path};
	int rc;

	memset(l, 0, sizeof *l);
	*err_line = 0;
	err[0] = '\0';
	rc = report_read_file(path, &l->text, &l->text_len);
	if (rc == 1)
		return 0;
	if (rc < 0)
		return -1;
	if (l->text_len == 0)
		return 0; /* an empty file is an empty ledger */
	if (l->text[l->text_len - 1] != '\n') {
		long lines = 1;
		for (size_t i = 0; i < l->text_len; i++)
			lines += l->text[i] == '\n';
		return fail(err_line, lines, err, errcap, "the last line has no line end: the ledger is truncated");
	}
	if (tsv_open(&r, paths, 1) < 0) {
		rc = errno ? -1 : fail(err_line, 1, err, errcap, "%s", r.err);
		tsv_close(&r);
		return rc;
	}
	rc = load_rows(l, &r, err_line, err, errcap);
	tsv_close(&r);
	return rc;
}

bool report_ledger_took_late(const struct report_ledger *l, int64_t index)
{
	for (size_t i = 0; i < l->nlate; i++)
		if (l->late[i] == index)
			return true;
	return false;
}

void report_ledger_free(struct report_ledger *l)
{
	free(l->late);
	free(l->closings);
	for (size_t i = 0; i < l->n; i++) {
		free(l->rows[i].id);
		free(l->rows[i].payee);
	}
	free(l->rows);
	free(l->text);
	memset(l, 0, sizeof *l);
}

/* ------------------------------------------------------------ the seal */

#define SEAL_MAGIC "tally-ledger-seal 1\n"

void report_seal_of(const struct report_ledger *l, struct report_seal *s)
{
	s->periods = l->nclosings;
	s->last = l->last;
	s->chain = l->nclosings ? l->last_chain : 0;
	s->keys = false;
}

size_t report_seal_format(char *buf, size_t cap, const struct report_seal *s)
{
	char per[DATE_BUF] = "-";
	if (s->periods)
		period_format(per, s->last);
	int n = snprintf(buf, cap, SEAL_MAGIC "periods\t%zu\nlast\t%s\nchain\t%016llx\n%s", s->periods, per,
			 (unsigned long long)s->chain, s->keys ? "keys\trecorded\n" : "");
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* One "NAME\tVALUE\n" line of a seal at *p: its value, NUL-terminated in
 * place, or NULL. */
static char *seal_field(char **p, const char *name)
{
	size_t nl = strlen(name);
	if (strncmp(*p, name, nl) != 0 || (*p)[nl] != '\t')
		return NULL;
	char *v = *p + nl + 1, *end = strchr(v, '\n');
	if (!end || end == v)
		return NULL;
	*end = '\0';
	*p = end + 1;
	return v;
}

static bool seal_parse(struct report_seal *s, char *text)
{
	char *p = text, *end;
	if (strncmp(p, SEAL_MAGIC, strlen(SEAL_MAGIC)) != 0)
		return false;
	p += strlen(SEAL_MAGIC);
	char *periods = seal_field(&p, "periods"), *last = seal_field(&p, "last");
	char *chain = seal_field(&p, "chain");
	if (*p) {
		char *keys = seal_field(&p, "keys");
		if (!keys || strcmp(keys, "recorded") != 0)
			return false;
		s->keys = true;
	}
	if (!periods || !last || !chain || *p || periods[0] < '0' || periods[0] > '9' ||
	    strlen(chain) != 16 || strspn(chain, "0123456789abcdef") != 16)
		return false;
	errno = 0;
	unsigned long long n = strtoull(periods, &end, 10);
	if (*end || errno)
		return false;
	s->periods = (size_t)n;
	s->chain = strtoull(chain, NULL, 16);
	if (s->periods == 0)
		return strcmp(last, "-") == 0 && s->chain == 0;
	return period_parse(last, strlen(last), &s->last) == 0 && s->chain != 0;
}

int report_seal_load(struct report_seal *s, const char *path, char *err, size_t errcap)
{
	char *text;
	size_t len;
	int rc = report_read_file(path, &text, &len);

	memset(s, 0, sizeof *s);
	if (rc != 0)
		return rc;
	char *z = realloc(text, len + 1);
	if (!z) {
		free(text);
		return errno = ENOMEM, -1;
	}
	z[len] = '\0';
	rc = strlen(z) == len && seal_parse(s, z) ? 0 : -2;
	free(z);
	if (rc)
		snprintf(err, errcap, "not a ledger seal (\"tally-ledger-seal 1\", periods, last, chain)");
	return rc;
}

enum report_seal_match report_seal_check(const struct report_ledger *l, const struct report_seal *s)
{
	if (s->periods == 0)
		return REPORT_SEAL_OK; /* nothing closed yet: any ledger extends it */
	if (l->nclosings < s->periods || l->closings[s->periods - 1] != s->chain)
		return REPORT_SEAL_SHORT;
	return l->nclosings == s->periods ? REPORT_SEAL_OK : REPORT_SEAL_AHEAD;
}
