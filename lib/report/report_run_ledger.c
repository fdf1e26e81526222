/* report_run_ledger.c - the ledger's files in a run: the ledger, its
 * seal, key record and issue dates, read and checked, then written
 * atomically under its lock; --paid; why settling failed. */
#include "report_run_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "escape.h"
#include "extsort.h"
#include "kinds.h"
#include "money.h"
#include "out.h"
#include "paths.h"
#include "report_business.h"
#include "report_partial.h"
#include "report_sale.h"
#include "report_summary.h"

/* ------------------------------------------------------------ the ledger */












static void say_waiting(const char *lock_path, void *ctx)
{
	rrun_warn(ctx, "waiting for the lock on %s", lock_path);
}

/* A ledger is a regular file tally-report replaces by rename: not a
 * device (-l /dev/null would accept every run and keep nothing), a
 * folder or a pipe. */
void rrun_refuse_odd_ledger(struct report_run *R)
{
	struct stat st;
	if (stat(R->opt.ledger, &st) == 0 && !S_ISREG(st.st_mode))
		rrun_fail(R, EXIT_USAGE, "%s: not a regular file: a ledger is a file of its own", R->opt.ledger);
}

static const char *seal_period(char *buf, const struct report_seal *s)
{
	if (!s->periods)
		return strcpy(buf, "none");
	period_format(buf, s->last);
	return buf;
}

/* The ledger against its seal: a ledger shorter than the seal says (cut
 * at a period boundary, emptied, restored from an older copy) would pay
 * the lost periods again, so it is refused.  A ledger without a seal is
 * one from before seals: it is sealed when this run writes it. */
static void check_seal(struct report_run *R)
{
	char err[256], a[DATE_BUF], b[DATE_BUF];
	struct report_seal now;

	size_t n = strlen(R->opt.ledger) + sizeof ".seal";
	R->seal_path = malloc(n);
	if (!R->seal_path)
		rrun_fail(R, EXIT_DATA, "out of memory");
	snprintf(R->seal_path, n, "%s.seal", R->opt.ledger);
	int rc = report_seal_load(&R->seal, R->seal_path, err, sizeof err);
	if (rc == -1)
		rrun_fail(R, EXIT_USAGE, "%s: %s", R->seal_path, strerror(errno));
	if (rc == -2)
		rrun_fail(R, EXIT_DATA, "%s: %s; refusing to use the ledger %s", R->seal_path, err, R->opt.ledger);
	R->have_seal = rc == 0;
	if (!R->have_seal || report_seal_check(&R->ledger, &R->seal) != REPORT_SEAL_SHORT)
		return;
	report_seal_of(&R->ledger, &now);
	rrun_fail(R, EXIT_DATA,
		 "%s: the ledger holds %zu closed period%s (last: %s), but its seal %s says %zu (last: %s, chain %016llx): "
		 "it was cut, emptied or restored from an older copy, and the periods lost would be paid again; "
		 "restore the ledger that ends with the closing row of %s (chain %016llx), from a backup or "
		 "another copy",
		 R->opt.ledger, now.periods, now.periods == 1 ? "" : "s", seal_period(a, &now), R->seal_path, R->seal.periods,
		 seal_period(b, &R->seal), (unsigned long long)R->seal.chain, b, (unsigned long long)R->seal.chain);
}

/* After the ledger is written, its seal: atomically, under the lock. */
void rrun_write_seal(struct report_run *R)
{
	const struct report_seal *s = &R->new_seal;
	char text[128];
	struct out o;

	if (!s->periods || (R->have_seal && s->periods == R->seal.periods && s->chain == R->seal.chain && s->keys == R->seal.keys))
		return;
	size_t len = report_seal_format(text, sizeof text, s);
	rrun_stop_if_interrupted(R);
	if (!len || out_open_file(&o, R->seal_path) < 0)
		rrun_fail(R, EXIT_USAGE, "%s: %s", R->seal_path, strerror(errno));
	out_write(&o, text, len);
	if (out_close(&o) < 0)
		rrun_fail(R, EXIT_DATA, "%s: write error: %s", R->seal_path, strerror(errno));
}


/* The ledger's key record: which rows its periods booked.  A ledger from
 * before key records (closed periods, no record, a seal that does not say
 * it had one) is read as before, rows told by amounts, until a run whose
 * input holds every period it booked records them (migrate_keys). */
static void load_keys(struct report_run *R)
{
	long line;
	char err[256];
	size_t n = strlen(R->opt.ledger) + sizeof ".keys";
	R->keys_path = rrun_alloc(R, n);
	snprintf(R->keys_path, n, "%s.keys", R->opt.ledger);
	int rc = report_keys_load(&R->keys, R->keys_path, R->opt.kind, &line, err, sizeof err);
	if (rc == -1)
		rrun_fail(R, EXIT_USAGE, "%s: %s", R->keys_path, strerror(errno));
	if (rc == -2)
		rrun_fail_at(R, EXIT_DATA, R->keys_path, line, "%s; refusing to use the ledger %s", err, R->opt.ledger);
	R->keys.kind = R->new_keys.kind = R->opt.kind;
	if (rc == 1 && R->have_seal && R->seal.keys)
		rrun_fail(R, EXIT_DATA, "%s: the ledger's key record is missing (its seal %s says it has one): without it "
				    "rows already paid would be paid again; restore it with the ledger",
			 R->keys_path, R->seal_path);
	if (rc == 1 && R->ledger.nclosings) {
		R->keys_legacy = true;
		rrun_warn(R, "%s: no key record (a ledger from before them): rows are told from the ledger's by "
			  "amounts until a run whose input holds every period the ledger booked records them",
			  R->opt.ledger);
	}
	if (rc == 0 && report_keys_check(&R->keys, R->ledger.last_chain, R->ledger.has_rows, R->ledger.last.index) ==
			       REPORT_KEYS_STRANGER)
		rrun_fail(R, EXIT_DATA, "%s: this key record does not go with the ledger %s (its chain %016llx is not the "
				    "ledger's %016llx): restore the two together",
			 R->keys_path, R->opt.ledger, (unsigned long long)R->keys.chain, (unsigned long long)R->ledger.last_chain);
	R->book.keyed = !R->keys_legacy;
}

/* Where a row or payment dated `period` that the ledger does not hold
 * posts into: its own period, or the run's first when that period is
 * closed (late) or, on a new ledger, before --period (a period at or
 * after --opening that was never issued: its rows are paid in the run's
 * period as late income, never recorded as posted into a period that
 * has no statement). */
static int64_t unheld_into(const struct report_run *R, int64_t period)
{
	if (R->ledger.has_rows && period <= R->ledger.last.index)
		return R->opt.have_period ? R->opt.period.index : R->ledger.last.index + 1;
	if (!R->ledger.has_rows && R->opt.have_period && period < R->opt.period.index)
		return R->opt.period.index;
	return period;
}

/* The period an allocation row posts into, by its key: the one the ledger
 * booked it into (with the amount it had), its own, or for a row of a
 * closed period the ledger does not hold, the run's first (late). */
int64_t rrun_place_row(struct report_run *R, uint64_t key, const struct tsv_reader *r, int64_t period, int64_t amount, int digits)
{
	int64_t into = period;
	if (R->book.keyed) {
		const struct report_key *k = report_keys_find(&R->keys, key);
		if (k && k->amount != amount) {
			char a[MONEY_BUF], b[MONEY_BUF], per[DATE_BUF];
			money_format(a, amount, digits);
			money_format(b, k->amount, digits);
			rrun_fail_at(R, EXIT_DATA, r->file, r->line,
				    "column \"amount\": %s, but the ledger booked this row into %s as %s: a period in the "
				    "ledger cannot change (a changed sale comes from tally-split as its difference, a row of its own)",
				    a, rrun_fmt_period(R, per, k->period), b);
		}
		if (k)
			return k->period;
		into = unheld_into(R, period);
	}
	if (report_keys_add(&R->new_keys, key, into, amount) < 0)
		rrun_fail(R, EXIT_DATA, "out of memory");
	return into;
}

/* ------------------------------------------------------ --paid */

#define PAID_SOURCE "paid outside tally"

/* Whether a payment recorded before, posted into `into`, is part of what
 * this run shows or checks: the periods the allocations post into, or
 * --period's. */
static bool paid_in_run(struct report_run *R, int64_t into)
{
	return report_book_posts_into(&R->book, into) || (R->opt.have_period && into == R->opt.period.index);
}

/* One payment: the ledger's when its reference is (it must say the same
 * amount), else new, posted into its period or, dated in a closed one,
 * the run's first.  Returns whether it goes into the book, *into where. */
static bool place_payment(struct report_run *R, const struct tsv_reader *r, const struct tsv_field *ref, int64_t period, int64_t amount,
			  int digits, long *known, int64_t *into)
{
	uint64_t key = report_paid_key(ref->s, ref->len);
	const struct report_key *k = report_keys_find(&R->keys, key);
	if (k && k->amount != amount) {
		char a[MONEY_BUF], b[MONEY_BUF];
		money_format(a, -amount, digits);
		money_format(b, -k->amount, digits);
		char q[96];
		rrun_fail_at(R, EXIT_DATA, r->file, r->line, "column \"reference\": %s was recorded as paid %s, not %s: a payment "
			    "recorded cannot change", diag_quote(q, sizeof q, ref->s, ref->len), b, a);
	}
	if (k) {
		*into = k->period;
		++*known;
		return paid_in_run(R, *into);
	}
	*into = unheld_into(R, period);
	if (report_keys_add(&R->new_keys, key, *into, amount) < 0)
		rrun_fail(R, EXIT_DATA, "out of memory");
	return true;
}

/* --paid FILE: each payment made outside tally is posted as a negative
 * earning "paid outside tally: REFERENCE" of its payee, once: its
 * reference is its identity in the key record.  Payments dated after the
 * run's last period are left for a later run, told. */
void rrun_read_paid(struct report_run *R)
{
	struct row_cache c = {0};
	struct tsv_reader *const rp = &R->rd;
	char *files[1] = {(char *)R->opt.paid};
	long known = 0, later = 0;
	int64_t last = R->opt.have_period ? R->opt.period.index : R->book.have_range ? R->book.pmax : INT64_MIN;
	uint32_t src = rrun_intern_name(R, &R->book.names, PAID_SOURCE, strlen(PAID_SOURCE));
	int rc;

	if (R->keys_legacy)
		rrun_fail(R, EXIT_DATA, "%s: --paid needs the ledger's key record, to record each payment once: run once with "
				    "a file of every period the ledger booked first", R->opt.ledger);
	rrun_open(R, rp, files, 1);
	int c_payee = rrun_col(R, rp, "payee"), c_date = rrun_col(R, rp, "date");
	int c_amount = rrun_col(R, rp, "amount"), c_cur = rrun_col(R, rp, "currency");
	int c_ref = rrun_col(R, rp, "reference");
	while ((rc = tsv_next(rp)) == 1) {
		const struct tsv_field *f = rp->fields;
		rrun_row_date(R, &c, rp, &f[c_date]);
		rrun_row_currency(R, &c, rp, &f[c_cur]);
		int64_t amount = rrun_row_amount(R, rp, "amount", &f[c_amount]);
		if (amount <= 0)
			rrun_die_value(R, rp, "amount", &f[c_amount], "is not a payment: more than 0 was paid");
		if (f[c_payee].len == 0)
			rrun_die_value(R, rp, "payee", &f[c_payee], "is empty");
		if (f[c_ref].len == 0)
			rrun_die_value(R, rp, "reference", &f[c_ref], "is empty: a payment is known by its reference");
		if (R->opt.to && memcmp(c.currency, R->opt.to, 3) != 0)
			rrun_die_value(R, rp, "currency", &f[c_cur], "is not the --to currency: a payment is recorded as paid");
		if (c.period > last || rrun_before_first(R, c.period)) {
			later += c.period > last;
			continue;
		}
		int64_t into;
		if (!place_payment(R, rp, &f[c_ref], c.period, -amount, currency_digits(c.currency, 3), &known, &into))
			continue;
		uint32_t account, payee = rrun_intern_name(R, &R->book.names, f[c_payee].s, f[c_payee].len);
		uint32_t prod = rrun_intern_name(R, &R->book.names, f[c_ref].s, f[c_ref].len);
		rrun_check_status(R, report_book_account(&R->book, payee, c.currency, &account), NULL, 0);
		rrun_check_status(R, report_book_add_into(&R->book, account, c.period, into, src, prod, -amount), rp->file, rp->line);
		if (R->opt.check)
			rrun_check_status(R, report_book_add_check(&R->book, into, c.currency, -amount, -amount), rp->file, rp->line);
	}
	if (rc < 0)
		rrun_die_read_error(R, rp);
	tsv_close(rp);
	if (known)
		rrun_warn(R, "%s: %ld payment%s the ledger has recorded already, not recorded again", R->opt.paid, known,
			  known == 1 ? "" : "s");
	if (later)
		rrun_warn(R, "%s: %ld payment%s dated after this run's last period left for a later run", R->opt.paid, later,
			  later == 1 ? "" : "s");
}

/* LEDGER.issued: the issue date of each period the ledger closed, so that
 * a re-run shows the statements as they were issued.  A TSV stream
 * "period issued", written atomically under the ledger's lock before the
 * ledger; a period settled again (its ledger write failed) is replaced. */




static void add_issued(struct report_run *R, int64_t period, const char *day)
{
	for (size_t i = 0; i < R->nissued; i++)
		if (R->issued[i].period == period) {
			snprintf(R->issued[i].day, sizeof R->issued[i].day, "%s", day);
			return;
		}
	if (!(R->issued = grow_array(R->issued, R->nissued, &R->capissued, sizeof *R->issued, 64)))
		rrun_fail(R, EXIT_DATA, "out of memory");
	R->issued[R->nissued].period = period;
	snprintf(R->issued[R->nissued++].day, sizeof R->issued->day, "%s", day);
}

static const char *issued_on(struct report_run *R, int64_t period)
{
	for (size_t i = 0; i < R->nissued; i++)
		if (R->issued[i].period == period)
			return R->issued[i].day;
	return "";
}

static void load_issued(struct report_run *R)
{
	struct tsv_reader *const rp = &R->rd;
	struct stat st;
	size_t n = strlen(R->opt.ledger) + sizeof ".issued";
	R->issued_path = rrun_alloc(R, n);
	snprintf(R->issued_path, n, "%s.issued", R->opt.ledger);
	if (stat(R->issued_path, &st) < 0 && errno == ENOENT)
		return; /* a ledger from before issue dates */
	char *paths[1] = {R->issued_path};
	rrun_open(R, rp, paths, 1);
	progress_end(&R->progress);
	int c_period = rrun_col(R, rp, "period"), c_issued = rrun_col(R, rp, "issued"), rc;
	while ((rc = tsv_next(rp)) == 1) {
		struct period p;
		int64_t t;
		char day[DATE_BUF];
		const struct tsv_field *f = rp->fields;
		if (period_parse(f[c_period].s, f[c_period].len, &p) < 0 || p.kind != R->opt.kind)
			rrun_die_value(R, rp, "period", &f[c_period], "is not a period of the ledger's kind");
		if (date_parse(f[c_issued].s, f[c_issued].len, &t) < 0 ||
		    (date_format_day(day, t), f[c_issued].len != strlen(day) || memcmp(day, f[c_issued].s, f[c_issued].len)))
			rrun_die_value(R, rp, "issued", &f[c_issued], "is not a day (YYYY-MM-DD)");
		add_issued(R, p.index, day);
	}
	if (rc < 0)
		rrun_die_read_error(R, rp);
	tsv_close(rp);
}

/* The issue date of every statement: a reproduced one's from
 * LEDGER.issued ("" when not recorded), a new one's of this run. */
void rrun_date_statements(struct report_run *R)
{
	for (size_t i = 0; i < R->book.nst; i++) {
		struct report_statement *s = &R->book.st[i];
		const char *day = s->reproduced ? issued_on(R, s->period) : R->opt.issue_date;
		snprintf(s->issued, sizeof s->issued, "%s", day);
	}
}

void rrun_write_issued(struct report_run *R)
{
	struct out o;
	char per[DATE_BUF];
	if (!R->book.have_settled)
		return;
	for (int64_t p = R->book.settled_first; p <= R->book.settled_last; p++)
		add_issued(R, p, R->opt.issue_date);
	rrun_stop_if_interrupted(R);
	if (out_open_file(&o, R->issued_path) < 0)
		rrun_fail(R, EXIT_USAGE, "%s: %s", R->issued_path, strerror(errno));
	out_puts(&o, "period\tissued\n");
	for (size_t i = 0; i < R->nissued; i++) {
		period_format(per, (struct period){R->opt.kind, R->issued[i].period});
		out_printf(&o, "%s\t%s\n", per, R->issued[i].day);
	}
	if (out_close(&o) < 0)
		rrun_fail(R, EXIT_DATA, "%s: write error: %s", R->issued_path, strerror(errno));
}

/* Read the ledger, under its lock unless only checking. */
void rrun_load_ledger(struct report_run *R)
{
	long line;
	char err[512], a[DATE_BUF];

	/* a ledger that cannot be opened or created is a usage error (tally.7) */
	if (!R->opt.check && lock_acquire(&R->ledger_lock, R->opt.ledger, say_waiting, R) < 0)
		rrun_fail(R, EXIT_USAGE, "%s: %s", R->ledger_lock.path ? R->ledger_lock.path : R->opt.ledger, strerror(errno));
	int rc = report_ledger_load(&R->ledger, R->opt.ledger, &line, err, sizeof err);
	if (rc == -1)
		rrun_fail(R, EXIT_USAGE, "%s: %s", R->opt.ledger, strerror(errno));
	if (rc == -2)
		rrun_fail_at(R, EXIT_DATA, R->opt.ledger, line, "%s; refusing to use this ledger", err);
	check_seal(R);
	load_issued(R);
	if (R->ledger.has_rows && R->ledger.last.kind != R->opt.kind) {
		period_format(a, R->ledger.last);
		rrun_fail(R, EXIT_USAGE, "%s: the ledger is kept by %s (%s), not by %s", R->opt.ledger,
			 period_kind_name(R->ledger.last.kind), a, period_kind_name(R->opt.kind));
	}
	load_keys(R);
}

const char *rrun_fmt_period(struct report_run *R, char *buf, int64_t index)
{
	period_format(buf, (struct period){R->opt.kind, index});
	return buf;
}

/* Say why settling failed (report_book_settle). */
noreturn void rrun_die_settling(struct report_run *R, int rc, const struct report_settle_error *e)
{
	char a[DATE_BUF], b[DATE_BUF], c[DATE_BUF], x[MONEY_BUF], y[MONEY_BUF];
	const struct report_account *acc = &R->book.acc[e->account];
	const struct report_ledger_row *row = e->row;

	switch (rc) {
	case REPORT_ELEDGER_EARNED:
		period_format(a, row->period);
		money_format(x, row->earned, row->digits);
		money_format(y, e->earned, row->digits);
		period_format(c, period_next(R->ledger.last));
		rrun_fail_at(R, EXIT_DATA, R->opt.ledger, row->line,
			    "the %s statement of %s (%s) says earned %s, the input %s: a period in the ledger cannot change: "
			    "run it again with the rows it was run with; its rows that came since are late rows: put their "
			    "exports with %s's",
			    a, row->payee, row->currency, x, y, c);
	case REPORT_ELEDGER_MISSING:
		rrun_fmt_period(R, a, e->period);
		period_format(b, R->ledger.last);
		period_format(c, period_next(R->ledger.last));
		rrun_fail(R, EXIT_DATA, "%s: period %s is %s in the ledger, which has no statement of %s (%s) for it: a closed period cannot change "
				    "(to post late rows into %s, run with --period %s)",
			 R->opt.ledger, a, e->period == R->ledger.last.index ? "the last" : "already",
			 report_book_payee(&R->book, e->account), acc->currency, c, c);
	case REPORT_EORDER_GAP:
		period_format(b, R->ledger.last);
		period_format(c, period_next(R->ledger.last));
		rrun_fail(R, EXIT_DATA, "%s: period %s is out of order: the ledger's last period is %s; run %s first",
			 R->opt.ledger, rrun_fmt_period(R, a, e->period), b, c);
	case REPORT_EORDER_BEFORE:
		period_format(b, R->ledger.first);
		if (R->opt.have_opening && e->period >= R->opt.opening.index)
			rrun_fail(R, EXIT_DATA, "%s: period %s is out of order: the ledger starts at %s, which paid the rows "
					    "before it from --opening on as late rows; rows of %s not paid yet are late rows of "
					    "the next period run: put its exports with that period's",
				 R->opt.ledger, rrun_fmt_period(R, a, e->period), b, a);
		rrun_fail(R, EXIT_DATA, "%s: period %s is out of order: the ledger starts at %s", R->opt.ledger,
			 rrun_fmt_period(R, a, e->period), b);
	case REPORT_ELATE_REPEAT:
		period_format(a, row->period);
		money_format(x, row->earned, row->digits);
		rrun_fail_at(R, EXIT_DATA, R->opt.ledger, row->line,
			    "the input's rows dated %s earn %s (%s) %s, exactly what the %s statement says: they are "
			    "that period's rows again, not late ones; a period in the ledger cannot change",
			    a, row->payee, row->currency, x, a);
	case REPORT_ELATE_RERUN:
		period_format(b, R->ledger.last);
		period_format(c, period_next(R->ledger.last));
		rrun_fail(R, EXIT_DATA, "%s: rows dated %s (of %s, %s) that the ledger does not hold are late rows, and the input has no "
				    "row after %s: to post them into %s, run with --period %s",
			 R->opt.ledger, rrun_fmt_period(R, a, e->period), report_book_payee(&R->book, e->account), acc->currency, b, c, c);
	case REPORT_ENOTHING_NEW:
		rrun_fail(R, EXIT_DATA, "%s: every row of the input is in the ledger already (up to %s): nothing for %s; "
				    "a quiet period takes an input with no rows",
			 R->opt.ledger, rrun_fmt_period(R, a, e->period),
			 rrun_fmt_period(R, b, R->opt.have_period ? R->opt.period.index : period_next(R->ledger.last).index));
	case REPORT_EOVERFLOW:
		rrun_fail(R, EXIT_DATA, "the balance of %s (%s) overflows", report_book_payee(&R->book, e->account),
			 acc->currency);
	default:
		rrun_fail(R, EXIT_DATA, "out of memory");
	}
}

/* Closing a period that has not ended by the issue date (today): its
 * sales reported later are late income of a later period.  Told, not
 * refused: a period may be closed early on purpose. */
void rrun_warn_not_over(struct report_run *R)
{
	char a[DATE_BUF], b[DATE_BUF];
	int64_t first;
	if (!report_book_not_over(&R->book, R->opt.issue_date, &first))
		return;
	if (first == R->book.settled_last)
		rrun_warn(R, "%s: period %s is not over on %s: it is closed now, and its sales reported later will come "
			  "as late income of a later period", R->opt.ledger, rrun_fmt_period(R, a, first), R->opt.issue_date);
	else
		rrun_warn(R, "%s: periods %s to %s are not over on %s: they are closed now, and their sales reported "
			  "later will come as late income of a later period", R->opt.ledger, rrun_fmt_period(R, a, first),
			  rrun_fmt_period(R, b, R->book.settled_last), R->opt.issue_date);
}

/* A new ledger starts at the input's first period, or at an explicit
 * --opening: -p M on a new ledger with earlier rows would post them all
 * into M as late rows, paying months nobody ran. */
void rrun_refuse_silent_opening(struct report_run *R)
{
	char a[DATE_BUF], b[DATE_BUF];
	if (R->ledger.has_rows || !R->opt.have_period || R->opt.have_opening || !R->book.have_range ||
	    R->book.pmin >= R->opt.period.index)
		return;
	rrun_fail(R, EXIT_DATA, "%s: the ledger is new and the input has rows from %s, before --period %s: "
			    "run --period %s first, or give --opening %s to start the ledger there (earlier rows left out)",
		 R->opt.ledger, rrun_fmt_period(R, a, R->book.pmin), rrun_fmt_period(R, b, R->opt.period.index), a, b);
}

/* The same unknown row twice in the input would be posted twice. */
void rrun_refuse_repeated_rows(struct report_run *R)
{
	if (!R->book.keyed || report_keys_sort(&R->new_keys))
		return;
	rrun_fail(R, EXIT_DATA, "the input holds a row twice (the same source, order, line, kind, date, payee, ...) "
			    "that the ledger does not hold: a file fed twice would pay it twice");
}

/* An unkeyed ledger gets its key record once this run has placed every
 * period it booked: each row at the period it posted into.  False when
 * the input does not hold them all (the record is not started). */
static bool migrate_keys(struct report_run *R)
{
	if (!R->ledger.has_rows)
		return false;
	size_t n = (size_t)(R->ledger.last.index - R->ledger.first.index + 1);
	bool *posted = calloc(n, sizeof *posted), whole = posted != NULL;
	for (size_t k = 0; whole && k < R->new_keys.n; k++) {
		int64_t into = report_book_booked_into(&R->book, R->new_keys.k[k].period);
		whole = into != INT64_MAX;
		if (whole && into >= R->ledger.first.index && into <= R->ledger.last.index)
			posted[into - R->ledger.first.index] = true;
		R->new_keys.k[k].period = into;
	}
	for (size_t i = 0; whole && i < R->ledger.n; i++)
		whole = R->ledger.rows[i].earned == 0 || posted[R->ledger.rows[i].period.index - R->ledger.first.index];
	free(posted);
	return whole && report_keys_sort(&R->new_keys);
}

/* The key record, before the ledger it goes with is renamed into place
 * (report_keys.h): chain is the ledger's last chain value once written. */
static void write_keys(struct report_run *R, uint64_t chain)
{
	struct out o;
	uint64_t dup;
	int rc = report_keys_merge(&R->keys, &R->new_keys, &dup);
	if (rc == -1)
		rrun_fail(R, EXIT_DATA, "out of memory");
	if (rc == -2)
		rrun_fail(R, EXIT_DATA, "%s: row key %016llx twice: refusing to write it", R->keys_path, (unsigned long long)dup);
	rrun_stop_if_interrupted(R);
	if (out_open_file(&o, R->keys_path) < 0)
		rrun_fail(R, EXIT_USAGE, "%s: %s", R->keys_path, strerror(errno));
	report_keys_write(&R->keys, chain, R->ledger.last_chain, &o);
	if (out_close(&o) < 0)
		rrun_fail(R, EXIT_DATA, "%s: write error: %s", R->keys_path, strerror(errno));
	R->new_seal.keys = true;
}

/* Append the new statements to the ledger, atomically (we hold its lock),
 * the key record first. */
void rrun_write_ledger(struct report_run *R)
{
	struct out o;

	report_seal_of(&R->ledger, &R->new_seal);
	R->new_seal.keys = !R->keys_legacy;
	if (R->keys_legacy && migrate_keys(R)) {
		rrun_warn(R, "%s: the input holds every period the ledger booked: its key record %s is started", R->opt.ledger,
			  R->keys_path);
		R->keys_legacy = false;
		if (!R->book.have_settled)
			write_keys(R, R->ledger.last_chain);
	}
	/* A period settled with no statement is still recorded (report_ledger.h),
	 * so that the next one is in order after a quiet month. */
	if (!R->book.have_settled)
		return;
	rrun_stop_if_interrupted(R);
	if (out_open_file(&o, R->opt.ledger) < 0)
		rrun_fail(R, EXIT_USAGE, "%s: %s", R->opt.ledger, strerror(errno));
	if (R->ledger.text_len)
		out_write(&o, R->ledger.text, R->ledger.text_len);
	else
		out_puts(&o, REPORT_LEDGER_HEADER "\n");
	uint64_t chain = report_book_put_ledger_rows(&R->book, R->ledger.last_chain, &o);
	R->new_seal.chain = chain;
	R->new_seal.periods += (size_t)(R->book.settled_last - R->book.settled_first + 1);
	R->new_seal.last = (struct period){R->opt.kind, R->book.settled_last};
	if (!R->keys_legacy)
		write_keys(R, chain);
	rrun_stop_if_interrupted(R);
	if (out_close(&o) < 0)
		rrun_fail(R, EXIT_DATA, "%s: write error: %s", R->opt.ledger, strerror(errno));
}

