/* report_statements.h - the book behind tally-report's payout statements:
 * allocations added up per payee, currency and period, then settled period
 * by period into statements (brought forward, earned, paid, carried
 * forward), reproducing the periods a ledger already holds.
 *
 * Memory grows with payees x periods x (source, product) pairs, never with
 * rows: adding a row allocates only when it meets a new account, period or
 * product.  All money is int64_t micro-units (money.h); an account is one
 * payee in one currency, so currencies are never added together.  The book
 * never prints: each function returns a report_status and, for the errors
 * a person must see, the facts the caller needs to say what is wrong. */
#ifndef TALLY_REPORT_STATEMENTS_H
#define TALLY_REPORT_STATEMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "money.h"
#include "out.h"
#include "keyindex.h"
#include "report_ledger.h"
#include "split_rules.h"

enum report_status {
	REPORT_OK = 0,
	REPORT_ENOMEM,         /* out of memory */
	REPORT_EOVERFLOW,      /* a sum or balance overflows int64_t micro-units */
	REPORT_ELEDGER_EARNED, /* a period in the ledger: the input earns differently */
	REPORT_ELEDGER_MISSING,/* a period in the ledger: it has no statement of an account the input has */
	REPORT_EORDER_GAP,     /* the first period to settle is after the one the ledger expects next */
	REPORT_EORDER_BEFORE,  /* the first period to settle is before the ledger's first */
	REPORT_ELATE_REPEAT,   /* late rows earn exactly what a closed period's statement says */
	REPORT_ENOTHING_NEW,   /* every row is in the ledger already: none for the run */
	REPORT_ELATE_RERUN,    /* keyed: late rows in a re-run (no row after the ledger, no --period) */
	REPORT_ETEMP,          /* a temporary file (a sort's spilled run) failed: see errno */
};

struct report_account {
	uint32_t payee;      /* name id */
	char currency[4];    /* ISO 4217 code */
	int digits;          /* its minor-unit digits */
	int64_t balance;     /* carried forward so far, while settling */
	bool has_last;       /* last_cell is set */
	int64_t last_period; /* the period of the last row added to it ... */
	int64_t last_into;   /* ... the period it was posted into ... */
	uint32_t last_cell;  /* ... and its cell: rows come mostly in date order */
	int64_t stated;      /* the period of its last statement reproduced from the ledger */
	bool due;            /* a payee of the agreements (report_book_due): a statement ... */
	int64_t due_from, due_to; /* ... every period settled from due_from to due_to */
};

/* How a detail's amount was reached, summed over its rows (tally-split
 * --waterfall): gross - fees = basis; basis - commission - recouped =
 * reached, of which the payee's share is the amount. */
struct report_steps {
	int64_t gross;      /* the rows' gross (when the stream has it) */
	int64_t basis;      /* what was split: reached + commission + recouped */
	int64_t commission; /* taken by the uncapped tiers before the payee's */
	int64_t recouped;   /* taken by the capped tiers before the payee's */
	int64_t reached;    /* what reached the payee's tier */
	/* the payee's share of what reached the tier, in hundredths of a
	 * percent as statements show it, lowest and highest over the line's
	 * rows that reached it: a line whose rows had different shares (a cap
	 * reached part-way, a changed agreement) says so instead of showing
	 * one blended percentage */
	int64_t share_min, share_max;
	bool has_share;     /* a row reached the tier (share_min, share_max set) */
	bool share_unknown; /* a row's share could not be computed */
};

/* Set st's share from the row's amount (st->reached set): the payee's
 * share of what reached the tier, in hundredths of a percent, rounded
 * half to even.  A row that reached nothing has no share. */
void report_steps_share(struct report_steps *st, int64_t amount);

struct report_detail {       /* what one (source, product) earned in a cell */
	uint32_t source, product; /* name ids */
	int64_t amount;           /* micro-units */
	struct report_steps steps; /* with book.have_steps */
};

/* A capped tier (an advance) as the last row of it in a cell left it. */
struct report_recoupment {
	long line;           /* the capped tier's line in the agreements file */
	char currency[4];    /* the cap's currency */
	int64_t cap;         /* micro-units of currency */
	int64_t recouped;    /* recouped so far, after the row */
	int64_t when;        /* that row's date (date.h time) */
};

struct report_cell {         /* one account in one period */
	uint32_t account;            /* account id */
	int64_t period;              /* period index (of the book's kind): its rows' date */
	int64_t into;                /* keyed: the period its rows post into */
	int64_t earned;              /* the sum of its allocations */
	struct report_detail *details; /* per (source, product): few, so a short array (owned) */
	uint32_t ndetails, capdetails;
	struct report_recoupment *recoup; /* the advances its rows went through (owned) */
	size_t nrecoup, caprecoup;
	bool matched;                /* reproduced from the ledger */
};

struct report_statement {
	uint32_t account;        /* account id */
	const char *payee;       /* its payee's name (the book's names own it) */
	char currency[4];        /* its currency */
	int64_t period;          /* period index */
	char id[48];             /* "2026-10/0001" */
	int64_t brought_forward, earned, paid, carried_forward; /* micro-units */
	int64_t min_payout;      /* the minimum that applied */
	long cell;               /* cell id, or -1 when the account earned nothing */
	bool reproduced;         /* read back from the ledger, not settled now */
	char issued[DATE_BUF];   /* its issue date, YYYY-MM-DD, "" when not known (set by the caller) */
};

/* One exchange rate that converted some of an account's rows dated in a
 * period (--fx, --to): the statements state the rates they used. */
struct report_fx_use {
	uint32_t account;        /* account id */
	int64_t period;          /* the period of the rows it converted */
	char currency[4];        /* converted from */
	int64_t rate_when;       /* the rate's date (date.h time) */
	struct ratio rate;       /* units of the account's currency per unit of currency */
};

struct report_period_total { /* the statements of one period and currency */
	int64_t period;
	char currency[4];
	long count;              /* statements */
	int64_t brought_forward, earned, paid, carried_forward;
};

struct report_check_total {  /* --check: net sales and allocations of one period and currency */
	int64_t period;
	char currency[4];
	int digits;
	int64_t net, allocated;
};

/* A minimum payout: pay nothing under amount in currency ("" for every
 * currency without one of its own). */
struct report_min_payout {
	char currency[4];
	int64_t amount; /* micro-units */
};

/* The facts behind a settling error (see report_book_settle). */
struct report_settle_error {
	int64_t period;                      /* the period that cannot be settled */
	uint32_t account;                    /* the account concerned */
	const struct report_ledger_row *row; /* the ledger row concerned, or NULL */
	int64_t earned;                      /* REPORT_ELEDGER_EARNED: what the input earns */
};

/* The book.  Zero it, set kind (and mins) and add rows. */
struct report_book {
	enum period_kind kind;             /* what periods group rows */
	bool keyed;                        /* rows were told apart by their keys (report_keys.h):
					      each cell says the period it posts into */
	bool have_into;                    /* keyed rows were added: imin..imax is set */
	int64_t imin, imax;                /* the periods they post into */
	const struct report_min_payout *mins; /* minimum payouts (borrowed) */
	size_t nmins;
	struct names names;         /* payees, sources, products */
	bool have_steps;                   /* details carry their steps (tally-split --waterfall) */
	bool have_gross;                   /* ... and their gross */
	struct report_account *acc;        /* accounts by id */
	size_t nacc, capacc;
	struct keymap acc_ix;       /* (payee, currency) -> account */
	uint32_t *payee_acc;               /* by payee id: its last account's id + 1, 0 none (owned) */
	size_t cappayee;
	struct report_cell *cells;         /* cells by id */
	size_t ncells, capcells;
	struct keymap cell_ix;      /* (account, period) -> cell */
	bool have_range;                   /* rows were added: pmin..pmax is set */
	int64_t pmin, pmax;                /* the periods of the rows */
	struct report_statement *st;       /* by period, payee, currency */
	size_t nst, capst;
	bool have_run;                     /* settling ran over run_first..run_last */
	int64_t run_first, run_last;
	int64_t *booked;                   /* by period from pmin: the period its rows post into (owned) */
	bool *earlier;                     /* ... when they are in the ledger before this run (owned) */
	size_t nbooked;
	bool have_late;                    /* some period's rows post into a later one */
	bool have_settled;                 /* periods settled afresh (not reproduced): */
	int64_t settled_first, settled_last;
	struct report_period_total *ptot;  /* see report_book_total */
	size_t nptot, capptot;
	struct keymap ptot_ix;      /* (period, currency) -> period total */
	struct report_check_total *tot;    /* see report_book_add_check */
	size_t ntot, captot;
	struct keymap tot_ix;       /* (period, currency) -> check total */
	struct report_fx_use *fxu;         /* the rates used, in the order first used (owned) */
	size_t nfxu, capfxu;
	struct keymap fxu_ix;       /* (account and currency, period and date) -> rate used */
};

/* The minimum payout for currency among mins[0..n): its own, else the one
 * without a currency, else 0. */
int64_t report_min_payout_for(const struct report_min_payout *mins, size_t n, const char *currency);

/* The id of payee's account in currency (a valid ISO 4217 code) in *id,
 * opened with a zero balance when new.  Returns REPORT_OK or
 * REPORT_ENOMEM. */
int report_book_account(struct report_book *b, uint32_t payee, const char *currency, uint32_t *id);

/* Add one allocation: amount earned by account in period from (source,
 * product), name ids.  Returns REPORT_OK, REPORT_ENOMEM, or
 * REPORT_EOVERFLOW when a sum would overflow (the book is then only
 * good for freeing). */
int report_book_add(struct report_book *b, uint32_t account, int64_t period, uint32_t source,
		    uint32_t product, int64_t amount);

/* Like report_book_add, for a keyed book: the row is dated in period and
 * posts into `into` (report_keys.h: its own period, the closed one the
 * ledger booked it into, or the run's first for a late row). */
int report_book_add_into(struct report_book *b, uint32_t account, int64_t period, int64_t into, uint32_t source,
			 uint32_t product, int64_t amount);

/* After report_book_add or _add_into of a row for account: add the row's
 * steps to the same (source, product) of the cell it went to.  Returns
 * REPORT_OK, REPORT_ENOMEM or REPORT_EOVERFLOW. */
int report_book_add_steps(struct report_book *b, uint32_t account, uint32_t source, uint32_t product,
			  const struct report_steps *steps);

/* After report_book_add or _add_into of a row for account: note the state
 * of the advances r[0..n) after it in the cell it went to; for each capped
 * tier the row dated last (the later of equal dates) is kept.  Returns
 * REPORT_OK or REPORT_ENOMEM. */
int report_book_note_recoupment(struct report_book *b, uint32_t account, const struct report_recoupment *r,
				size_t n);

/* Parse a `recoupment` cell of tally-split --waterfall, text[0..len):
 * "LINE:CAP:CUR:RECOUPED" entries joined by ',' (empty: none), into
 * out[0..cap) with their date `when`; *n is set.  Returns false when the
 * cell is not of that shape (a bad line, amount or currency, a recouped
 * total outside 0..cap) or has more than cap entries. */
bool report_recoupment_parse(const char *text, size_t len, int64_t when, struct report_recoupment *out, size_t cap,
			    size_t *n);

/* Keep of r[0..n) the caps a payee whose share comes from agreements line
 * `line` went through: those of its own tier or a tier before it (the
 * tiers of an agreement run in ascending order in the file, so the capped
 * tier's first line is at most `line`); line 0 (not known) keeps all.
 * Returns how many are kept, in r[0..), in their order. */
size_t report_recoupment_keep(struct report_recoupment *r, size_t n, long line);

/* A payee line of the agreements file (the allocations' `agreement`
 * column) and a currency its rows were in (after --to). */
struct report_due_use {
	long line;
	char currency[4];
};

/* With the agreements r: every payee of every agreement gets an account
 * and a statement in each period settled afresh in which the agreement is
 * in force (from its first to its last period, over all its agreements),
 * 0.00 earned included, in each currency the agreement's rows were in
 * (u[0..n)), its caps' currencies, or else the book's one currency when it
 * has one.  Call after adding the rows, before settling.  Returns
 * REPORT_OK or REPORT_ENOMEM. */
int report_book_due(struct report_book *b, const struct split_rules *r, const struct report_due_use *u, size_t n);

/* Whether rows added so far post into period p (a keyed book). */
bool report_book_posts_into(const struct report_book *b, int64_t p);

/* After settling an unkeyed book: the period the rows dated p post into,
 * or INT64_MAX when none (not placed). */
int64_t report_book_booked_into(const struct report_book *b, int64_t p);
/* Note that rate (dated rate_when) converted some of account's rows dated
 * in period from currency; each (account, period, currency, date) is kept
 * once.  Returns REPORT_OK or REPORT_ENOMEM. */
int report_book_note_fx(struct report_book *b, uint32_t account, int64_t period, const char *currency,
			int64_t rate_when, struct ratio rate);

/* --check: add net (a sale's, once per sale) and allocated (a row's) to
 * the totals of period and currency.  Returns REPORT_OK, REPORT_ENOMEM or
 * REPORT_EOVERFLOW. */
int report_book_add_check(struct report_book *b, int64_t period, const char *currency, int64_t net,
			  int64_t allocated);

/* Settle the run's periods, in order, into statements (tally-report(1),
 * LATE ROWS).  The run: with have_period, only `period`; else, with a
 * ledger (NULL: none) whose last period is L, from L + 1 to the last
 * row's period when that is after L, or a re-run of the rows' closed
 * periods when it is not; else every period of the rows.  The rows of a
 * closed period before the run that reproduce its statements (with the
 * earlier rows it took late) are the ledger's: checked, not posted again;
 * the rest are late and post into the run's first period.  A period the
 * ledger already holds is reproduced from it, and the input must earn
 * exactly what it says; a later one is settled afresh with report_settle
 * (report_ledger.h) and the book's minimum payouts, its statements
 * numbered PERIOD/0001... in order of payee and currency.  Balances
 * brought forward come from the ledger.  Returns REPORT_OK;
 * REPORT_ENOMEM; REPORT_EOVERFLOW (err->account, the balance that
 * overflows); REPORT_ELEDGER_EARNED (err->row, err->earned);
 * REPORT_ELEDGER_MISSING (err->period, err->account); REPORT_EORDER_GAP or
 * REPORT_EORDER_BEFORE (err->period: the first period asked for, or the
 * first row's); REPORT_ELATE_REPEAT (err->row: late rows of a closed
 * period earn for an account exactly what its statement there says, not
 * 0: that period's rows fed again with a change); REPORT_ENOTHING_NEW
 * (err->period: the last period of the rows) when the input has rows and
 * the ledger holds every one.
 *
 * A keyed book (b->keyed: each row's cell says where it posts, as the
 * caller told it from the ledger's key record) skips the placing by
 * amounts: a closed period some of whose rows the input holds must be
 * reproduced by them (err as REPORT_ELEDGER_EARNED or _MISSING); a re-run
 * (no row after the ledger's last period, no `period`) shows the periods
 * its rows post into, and one with late rows is REPORT_ELATE_RERUN
 * (err->period: a late row's date, err->account). */
int report_book_settle(struct report_book *b, const struct report_ledger *ledger, bool have_period,
		       int64_t period, struct report_settle_error *err);

/* Whether the periods b settled afresh include one not over on day
 * `today` (YYYY-MM-DD: the run's issue date): true with the first such
 * period's index in *first, false when every one has ended by then (its
 * last second is before today), when nothing was settled, or when today
 * is not a day. */
bool report_book_not_over(const struct report_book *b, const char *today, int64_t *first);

/* After settling: sort each cell's details by source then product, and
 * sum the statements per period and currency (report_book_period_total).
 * Returns REPORT_OK, REPORT_ENOMEM or REPORT_EOVERFLOW. */
int report_book_total(struct report_book *b);

/* The totals of period in currency, or NULL when it has no statement. */
const struct report_period_total *report_book_period_total(const struct report_book *b, int64_t period,
							    const char *currency);

/* One line of the conservation check: for a period and currency, net
 * sales = allocated = paid + change in the balances carried. */
struct report_check_line {
	int64_t period;
	char currency[4];
	int digits;
	int64_t net, allocated;   /* from report_book_add_check */
	int64_t paid;             /* by the statements */
	int64_t carried_change;   /* carried forward - brought forward */
	int64_t paid_and_change;  /* paid + carried_change (0 when that overflows) */
	bool ok;                  /* everything agrees */
};

/* --check, after report_book_total: one line per period and currency that
 * has sales or statements, by period then currency, in *lines (malloc'd,
 * the caller frees it) and *n.  Returns REPORT_OK, REPORT_ENOMEM, or
 * REPORT_EOVERFLOW when the change in the balances carried overflows. */
int report_book_check(struct report_book *b, struct report_check_line **lines, size_t *n);

/* After settling: the next cell of account's late rows posted into
 * period `into`, from period *p on (start with *p at or before the
 * book's first period; it advances), or -1 when there is none left. */
long report_book_late_cell(const struct report_book *b, uint32_t account, int64_t into, int64_t *p);

/* The name of account's payee. */
const char *report_book_payee(const struct report_book *b, uint32_t account);

/* Write the ledger rows of this run's newly settled periods to o, after a
 * ledger whose last chain value is chain (0: none): each new statement,
 * and a "PERIOD/0000" row for each settled period with none
 * (report_ledger.h), with its chain.  Write nothing when nothing was
 * settled afresh.  Write errors are left in o (out.h).  Returns the chain
 * value of the last row written (chain when none). */
uint64_t report_book_put_ledger_rows(const struct report_book *b, uint64_t chain, struct out *o);

/* Free everything the book owns (not mins) and zero it. */
void report_book_free(struct report_book *b);

#endif
