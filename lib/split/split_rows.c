/* split_rows.c - the rows of a run of tally-split: the input's columns,
 * each row checked, matched to its agreement and split (or rejected with
 * its reason), the products no agreement matches gathered for the end,
 * and the run's set-up and closing notes.  See split_run.h. */
#include "split_run.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "diag.h"
#include "hash.h"

/* Columns tally-split adds; the input must not have them already. */
static const char *const added_columns[] = {"payee", "tier", "agreement", "share", "amount"};
/* Columns --waterfall adds after them: how each amount was reached. */
static const char *const waterfall_columns[] = {"reached", "commission", "recouped", "recoupment"};

/* Whether a matches every row by a pattern of wildcards only. */
static bool catch_all(const struct split_agreement *a)
{
	return a->on == SPLIT_ON_ALL || a->literals == 0;
}

int split_run_start(struct split_run *run)
{
	run->delta_col = run->delta_col2 = -1;
	run->rules.rotate_ties = run->opt.rotate_ties;
	for (size_t i = 0; i < run->rules.n; i++)
		if (!catch_all(&run->rules.agreements[i])) {
			run->has_specific = true;
			run->has_products |= run->rules.agreements[i].on == SPLIT_ON_PRODUCT;
		}
	run->parts = calloc(run->rules.max_payees + 1, sizeof *run->parts);
	if (run->opt.default_payee)
		run->default_prefix = split_default_prefix(run->opt.default_payee, &run->default_prefix_len);
	if (!run->parts || (run->opt.default_payee && !run->default_prefix))
		return SPLIT_ENOMEM;
	return SPLIT_OK;
}

const char *split_run_field(const struct split_run *run, int col)
{
	return col >= 0 ? run->in.fields[col].s : "";
}

size_t split_run_field_len(const struct split_run *run, int col)
{
	return col >= 0 ? run->in.fields[col].len : 0;
}

const char *split_run_quote(const struct split_run *run, int col, char *buf, size_t cap)
{
	return diag_quote(buf, cap, split_run_field(run, col), split_run_field_len(run, col));
}

void split_run_reject(struct split_run *run, const char *fmt, ...)
{
	char reason[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	run->reject(run->reject_ctx, &run->in, reason);
}

int split_run_eopen(struct split_run *run, const char *path)
{
	int e = errno;
	snprintf(run->err, sizeof run->err, "%s", path);
	errno = e;
	return SPLIT_EOPEN;
}

/* ---- the columns ---- */

/* Column name of the input, or -1; *missing set to name when required
 * and absent (the first such stays). */
static int column(const struct tsv_reader *r, const char *name, bool required, const char **missing)
{
	int c = tsv_col(r, name);
	if (c < 0 && required && !*missing)
		*missing = name;
	return c;
}

/* SPLIT_EUSAGE when the input has one of the n names already. */
static int check_added(struct split_run *run, const char *const *names, size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (tsv_col(&run->in, names[i]) >= 0) {
			snprintf(run->err, sizeof run->err, "%s: %sthe input already has a column \"%s\" (is it split already?)",
				 run->in.file, what, names[i]);
			return SPLIT_EUSAGE;
		}
	return SPLIT_OK;
}

int split_run_columns(struct split_run *run)
{
	struct tsv_reader *r = &run->in;
	struct split_columns *c = &run->col;
	if (check_added(run, added_columns, sizeof added_columns / sizeof *added_columns, "") != SPLIT_OK ||
	    (run->opt.waterfall &&
	     check_added(run, waterfall_columns, sizeof waterfall_columns / sizeof *waterfall_columns, "--waterfall: ") != SPLIT_OK))
		return SPLIT_EUSAGE;
	const char *missing = NULL;
	bool stateful = run->opt.state != NULL;
	c->date = column(r, "date", true, &missing);
	c->kind = column(r, "kind", true, &missing);
	c->currency = column(r, "currency", true, &missing);
	c->net = column(r, "net", run->rules.uses_net || run->opt.default_payee, &missing);
	c->gross = column(r, "gross", run->rules.uses_gross, &missing);
	c->source = column(r, "source", stateful, &missing);
	c->order = column(r, "order", stateful, &missing);
	c->line = column(r, "line", stateful, &missing);
	c->product = tsv_col(r, "product");
	c->sku = tsv_col(r, "sku");
	c->sale_date = tsv_col(r, "sale_date");
	c->origin = tsv_col(r, "origin");
	run->prev_origin = 0;
	if (missing) {
		snprintf(run->err, sizeof run->err, "%s", missing);
		return SPLIT_EMISSING;
	}
	/* an agreement on a field the stream lacks would never match, and
	 * every row would fall silently to "*" */
	const struct { enum split_on on; int col; } looked[] = {
		{SPLIT_ON_PRODUCT, c->product}, {SPLIT_ON_SKU, c->sku}, {SPLIT_ON_SOURCE, c->source},
	};
	for (size_t i = 0; i < sizeof looked / sizeof *looked; i++)
		if (run->rules.looks_at[looked[i].on] && looked[i].col < 0) {
			snprintf(run->err, sizeof run->err, "%s: no column \"%s\", which the agreements match on (%s): "
				 "column names are lower case", r->file, split_on_name(looked[i].on), run->opt.agreements);
			return SPLIT_EFAIL;
		}
	return SPLIT_OK;
}

void split_run_header(struct split_run *run)
{
	struct tsv_writer *w = &run->w;
	tsv_writer_init(w, run->out);
	tsv_put_header(w, &run->in);
	for (size_t i = 0; i < sizeof added_columns / sizeof *added_columns; i++)
		tsv_put_str(w, added_columns[i]);
	for (size_t i = 0; run->opt.waterfall && i < sizeof waterfall_columns / sizeof *waterfall_columns; i++)
		tsv_put_str(w, waterfall_columns[i]);
	tsv_end_row(w);
}

/* ---- one row's fields ---- */

static bool wanted_kind(const struct split_run *run, const char *kind)
{
	for (size_t i = 0; i < run->opt.nkinds; i++)
		if (strcmp(run->opt.kinds[i], kind) == 0)
			return true;
	return false;
}

/* The row's currency digits, or -1 (rejected). */
static int row_digits(struct split_run *run)
{
	const char *cur = split_run_field(run, run->col.currency);
	size_t n = split_run_field_len(run, run->col.currency);
	if (n == 3 && strcmp(cur, run->currency) == 0)
		return run->digits;
	int d = n == 3 ? currency_digits(cur, 3) : -1;
	if (d < 0) {
		char q[96];
		split_run_reject(run, "column \"currency\": %s is not a known currency",
				 split_run_quote(run, run->col.currency, q, sizeof q));
		return -1;
	}
	memcpy(run->currency, cur, 4);
	run->digits = d;
	return d;
}

bool split_run_time(struct split_run *run, int col, const char *name, int64_t *t)
{
	if (date_parse(split_run_field(run, col), split_run_field_len(run, col), t) == 0)
		return true;
	char q[96];
	split_run_reject(run, "column \"%s\": %s is not a date", name, split_run_quote(run, col, q, sizeof q));
	return false;
}

bool split_run_basis(struct split_run *run, bool gross, int64_t *basis)
{
	int col = gross ? run->col.gross : run->col.net;
	int st = money_parse(split_run_field(run, col), split_run_field_len(run, col), basis);
	if (st == MONEY_OK)
		return true;
	char q[96];
	split_run_reject(run, "column \"%s\": %s %s", gross ? "gross" : "net", split_run_quote(run, col, q, sizeof q),
			 money_strerror(st));
	return false;
}

/* Note whether the current row comes from the same export record as the
 * row before it (equal, non-empty origin: a refund a format emits from its
 * sale's row), for the row's identity (split_run_plan). */
static void note_record(struct split_run *run)
{
	uint64_t h = 0;
	int col = run->col.origin;
	if (col >= 0 && split_run_field_len(run, col) > 0)
		h = hash_fnv1a(HASH_FNV_OFFSET, split_run_field(run, col), split_run_field_len(run, col)) | 1;
	run->same_record = h != 0 && h == run->prev_origin;
	run->prev_origin = h;
}

/* Rows of product that no agreement matches: counted and totalled, to be
 * listed together at the end.  SPLIT_OK or SPLIT_ENOMEM. */
static int note_unmatched(struct split_run *run, const struct split_row *row)
{
	struct split_unmatched *u = NULL;
	for (size_t i = 0; i < run->nunmatched && !u; i++)
		if (strcmp(run->unmatched[i].product, row->product) == 0)
			u = &run->unmatched[i];
	if (!u) {
		struct split_unmatched *more = realloc(run->unmatched, (run->nunmatched + 1) * sizeof *more);
		if (!more)
			return SPLIT_ENOMEM;
		run->unmatched = more;
		u = &run->unmatched[run->nunmatched];
		*u = (struct split_unmatched){strdup(row->product), strdup(row->source), strdup(row->sku),
					      strdup(row->kind), strdup(run->in.file), run->in.line, {0}, 0, 0, false};
		run->nunmatched++;
		memcpy(u->currency, run->currency, 4);
		if (!u->product || !u->source || !u->sku || !u->kind || !u->file)
			return SPLIT_ENOMEM;
	}
	u->rows++;
	int64_t net;
	int col = run->col.net;
	if (strcmp(u->currency, run->currency) != 0 ||
	    money_parse(split_run_field(run, col), split_run_field_len(run, col), &net) != MONEY_OK ||
	    __builtin_add_overflow(u->total, net, &u->total))
		u->mixed = true;
	return SPLIT_OK;
}

/* ---- one row ---- */

/* The row no agreement covers (st: SPLIT_ENOMATCH or SPLIT_EDATE) with the
 * default payee; SPLIT_OK or a failure. */
static int split_to_default(struct split_run *run, const struct split_plan *p, int st, int digits)
{
	int64_t basis;
	if (!split_run_basis(run, false, &basis))
		return SPLIT_OK;
	split_write_default(run, p->when, p->why, digits,
			    p->by_state ? "the default payee took its sale"
			    : st == SPLIT_ENOMATCH ? "no agreement matches" : "no agreement in force on that date",
			    basis);
	return split_run_record(run, p, NULL, basis);
}

/* The column the agreement date was read from (why: as split_run_plan
 * set it): date, sale_date, or -1 when it came from the state. */
static int when_col(const struct split_run *run, const char *why)
{
	if (strcmp(why, SPLIT_WHY_SALE_DATE) == 0)
		return run->col.sale_date;
	return strcmp(why, SPLIT_WHY_OWN) == 0 || strncmp(why, "its own", 7) == 0 ? run->col.date : -1;
}

/* Reject the row whose agreements are none in force on its date. */
static void reject_dated(struct split_run *run, const struct split_plan *p, const struct split_row *row)
{
	const struct split_columns *c = &run->col;
	char q[96], qd[96], lines[256], day[DATE_BUF];
	date_format_day(day, p->when);
	split_write_lines(run, row, lines, sizeof lines);
	int date_col = when_col(run, p->why);
	if (date_col >= 0)
		split_run_reject(run, "column \"%s\": %s is outside every agreement for product %s (%s lines %s)",
				 date_col == c->date ? "date" : "sale_date", split_run_quote(run, date_col, qd, sizeof qd),
				 split_run_quote(run, c->product, q, sizeof q), run->opt.agreements, lines);
	else
		split_run_reject(run, "the sale's date %s (from the state) is outside every agreement for product %s (%s lines %s)",
				 day, split_run_quote(run, c->product, q, sizeof q), run->opt.agreements, lines);
}

/* Split the row whose plan is p by its agreement, or say why it cannot be;
 * SPLIT_OK or a failure. */
static int split_planned(struct split_run *run, const struct split_plan *p, const struct split_row *row, int digits)
{
	const struct split_columns *c = &run->col;
	const struct split_agreement *a = p->a, *other = NULL;
	char q[96];
	int st = p->by_state ? (a ? SPLIT_OK : SPLIT_ENOMATCH) : split_find(&run->rules, row, &a, &other);
	if (st == SPLIT_ENOMEM)
		return st;
	if ((st == SPLIT_ENOMATCH || st == SPLIT_EDATE) && run->opt.default_payee)
		return split_to_default(run, p, st, digits);
	if (st == SPLIT_ENOMATCH) {
		if (note_unmatched(run, row) != SPLIT_OK)
			return SPLIT_ENOMEM;
		if (run->opt.rejects)
			split_run_reject(run, "column \"product\": %s matches no agreement (source \"%s\", sku \"%s\", kind \"%s\"); --default-payee takes such rows",
					 split_run_quote(run, c->product, q, sizeof q), row->source, row->sku, row->kind);
		return SPLIT_OK;
	}
	if (st == SPLIT_EDATE) {
		reject_dated(run, p, row);
		return SPLIT_OK;
	}
	if (st == SPLIT_EAMBIGUOUS) {
		split_run_reject(run, "%s lines %ld (\"%s\") and %ld (\"%s\") match equally specifically; make one more specific",
				 run->opt.agreements, a->line, a->match, other->line, other->match);
		return SPLIT_OK;
	}
	if (p->reversal && !p->linked && catch_all(a) && run->has_specific) {
		/* its sale may have been split by another agreement: never guess */
		split_run_reject(run, "%s of (%s, %s, %s): its sale is not in the state%s and it has no sale_date, and its product %s "
				 "reaches only the catch-all agreement \"%s\" (%s line %ld); split it with its sale, or give it its sale's product",
				 row->kind, row->source, split_run_field(run, c->order), split_run_field(run, c->line),
				 run->opt.state ? "" : " (no --state)", split_run_quote(run, c->product, q, sizeof q), a->match,
				 run->opt.agreements, a->line);
		return SPLIT_OK;
	}
	int64_t basis;
	if (!split_run_basis(run, a->gross, &basis))
		return SPLIT_OK;
	/* no product to match: the catch-all took it, never silently */
	run->no_product += !*row->product && catch_all(a) && run->has_products;
	st = split_write_by(run, a, row, basis, digits, p->why);
	return st <= 0 ? st : split_run_record(run, p, a, basis);
}

/* A row of a kind not split: counted when the kind is one of the stream's,
 * rejected when not (it may be money nobody meant to skip). */
static int pass_over(struct split_run *run, const char *kind)
{
	if (!kinds_known(kind)) {
		char q[96];
		split_run_reject(run, "column \"kind\": %s is not a kind of the sales stream "
				 "(sale, refund, chargeback, subscription, tip, fee, payout, adjustment; "
				 "or name it in --kinds)", split_run_quote(run, run->col.kind, q, sizeof q));
		return SPLIT_OK;
	}
	return kinds_tally_add(&run->passed, kind) < 0 ? SPLIT_ENOMEM : SPLIT_OK;
}

/* A row split by the state's record of its sale (a refund of an earlier
 * month's sale, a later adjustment, a change) whose own product or sku
 * is empty is written with the sale's: an Etsy statement's refund of last
 * month's order names no item, and its statement line would name none. */
static void fill_from_state(struct split_run *run, uint32_t cls_id)
{
	const struct split_columns *c = &run->col;
	const struct split_state_class *cls = cls_id ? split_state_class_of(&run->state, cls_id) : NULL;
	if (!cls)
		return;
	if (c->product >= 0 && split_run_field_len(run, c->product) == 0 && cls->product && *cls->product)
		run->fill_product = cls->product;
	if (c->sku >= 0 && split_run_field_len(run, c->sku) == 0 && cls->sku && *cls->sku)
		run->fill_sku = cls->sku;
}

/* split_run_row without the state's part. */
static int one_row(struct split_run *run, int rc)
{
	const struct split_columns *c = &run->col;
	if (rc < 0) {
		if (errno)
			return split_run_eopen(run, run->in.file);
		split_run_reject(run, "%s", run->in.err);
		return SPLIT_OK;
	}
	const char *kind = split_run_field(run, c->kind);
	note_record(run);
	if (!wanted_kind(run, kind))
		return pass_over(run, kind);
	int digits = row_digits(run);
	int64_t own;
	struct split_plan p;
	if (digits < 0 || !split_run_time(run, c->date, "date", &own))
		return SPLIT_OK;
	int st = split_run_plan(run, kind, own, &p);
	if (st <= 0)
		return st;
	fill_from_state(run, p.prev ? p.prev->cls & ~SPLIT_STATE_THIS_RUN : p.by_state ? p.cls : 0);
	if (p.prev) {
		st = split_run_seen(run, &p, digits);
	} else {
		struct split_row row = {split_run_field(run, c->source), split_run_field(run, c->product),
					split_run_field(run, c->sku), kind, p.when};
		st = split_planned(run, &p, &row, digits);
	}
	run->fill_product = run->fill_sku = NULL;
	return st;
}

int split_run_row(struct split_run *run, int rc)
{
	int st = split_run_state_row(run, rc);
	if (st == SPLIT_OK)
		st = one_row(run, rc);
	return st == SPLIT_OK ? split_run_state_check(run) : st;
}

/* ---- the end ---- */

int split_run_finish(struct split_run *run)
{
	if (run->nunmatched > 0 && !run->opt.rejects) {
		out_abort(run->out);
		return SPLIT_EUNMATCHED;
	}
	if (run->explaining) {
		run->explaining = false;
		if (out_close(&run->explain) < 0) {
			snprintf(run->err, sizeof run->err, "%s: write error: %s", run->opt.explain, strerror(errno));
			return SPLIT_EFAIL;
		}
	}
	return SPLIT_OK;
}

const char *split_run_unmatched(const struct split_run *run, size_t i, char *buf, size_t cap)
{
	size_t n = run->nunmatched;
	if (i == n) {
		snprintf(buf, cap, "%zu product%s match%s no agreement in %s: nothing written; --default-payee takes such rows",
			 n, n == 1 ? "" : "s", n == 1 ? "es" : "", run->opt.agreements);
		return buf;
	}
	const struct split_unmatched *u = &run->unmatched[i];
	char q[96], total[MONEY_BUF];
	money_format(total, u->total, currency_digits(u->currency, 3));
	snprintf(buf, cap,
		 "column \"product\": %s matches no agreement (source \"%s\", sku \"%s\", kind \"%s\"): %ld row%s, %s %s%s",
		 diag_quote(q, sizeof q, u->product, strlen(u->product)), u->source, u->sku, u->kind, u->rows,
		 u->rows == 1 ? "" : "s", total, u->currency, u->mixed ? " and more in other currencies" : "");
	return buf;
}

const char *split_run_seen_notes(const struct split_run *run, char *buf, size_t cap)
{
	size_t used = 0;
	buf[0] = '\0';
	long seen = run->rows_seen, changed = run->rows_changed;
	if (seen > 0)
		used = (size_t)snprintf(buf, cap, "passed over %ld row%s split already (state %s)", seen,
					seen == 1 ? "" : "s", run->opt.state);
	if (changed > 0 && used < cap)
		snprintf(buf + used, cap - used, "%s%ld row%s changed since %s split: the difference%s split",
			 used ? "\n" : "", changed, changed == 1 ? "" : "s", changed == 1 ? "it was" : "they were",
			 changed == 1 ? " was" : "s were");
	used = strlen(buf);
	long np = run->no_product;
	if (np > 0 && used < cap)
		snprintf(buf + used, cap - used,
			 "%s%ld row%s with an empty product went to a catch-all agreement: no product agreement can match %s "
			 "(the export did not say what was sold; see tally-ingest's notes)",
			 used ? "\n" : "", np, np == 1 ? "" : "s", np == 1 ? "it" : "them");
	return buf;
}

void split_run_free(struct split_run *run)
{
	tsv_close(&run->in);
	split_state_free(&run->state);
	split_rules_free(&run->rules);
	fx_free(&run->fx);
	kinds_tally_free(&run->passed);
	for (size_t i = 0; i < run->nunmatched; i++) {
		struct split_unmatched *u = &run->unmatched[i];
		free(u->product);
		free(u->source);
		free(u->sku);
		free(u->kind);
		free(u->file);
	}
	free(run->unmatched);
	free(run->cls_cache);
	free(run->cls_found);
	free(run->parts);
	free(run->default_prefix);
	memset(run, 0, sizeof *run);
}
