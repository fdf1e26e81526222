/* split_run.h - one run of tally-split: a sales stream read row by row,
 * each row's agreement chosen (for a refund, by the rule of tally-split(1),
 * REFUNDS), its basis split and its parts written, the state file read,
 * kept and committed after the allocations.
 *
 * The caller owns a struct split_run, zeroed: it sets opt, loads rules
 * (and fx), calls split_run_start; with opt.state, split_run_lock_state
 * and split_run_spool before it opens in; then split_run_columns,
 * split_run_load_state, split_run_prescan (with opt.state: the input is
 * read twice, tally-split(1), STATE); it opens out (and explain), sets
 * reject, calls split_run_row for every tsv_next, split_run_finish and
 * split_run_commit, and at the end split_run_free.  With opt.dump it
 * calls split_run_dump_state alone, with opt.commit split_run_commit_held.  Nothing here prints or exits: a function that
 * fails returns a status (split_status, or those below) and leaves the
 * whole message, without the program's name, in run->err.  A row that
 * cannot be split goes to run->reject, with its reason. */
#ifndef TALLY_SPLIT_RUN_H
#define TALLY_SPLIT_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fx.h"
#include "kinds.h"
#include "lock.h"
#include "out.h"
#include "split_format.h"
#include "split_rules.h"
#include "split_state.h"
#include "tsv.h"

#define SPLIT_MAX_KINDS 32 /* kinds in --kinds */
#define SPLIT_ROW_KEYS 6 /* a row's identities: its own; a reversal's of state 1 and of its sale by kind */
#define SPLIT_MAX_SPOOLED 64 /* inputs named on the command line that may be pipes */

/* Statuses of a run, beyond split_status (err says it all, unless noted). */
enum {
	SPLIT_NOTE = 1,        /* done; err is a note for stderr */
	SPLIT_EUSAGE = -20,    /* the options and the input do not fit (exit 2) */
	SPLIT_EOPEN = -21,     /* a file cannot be opened or locked (exit 2) */
	SPLIT_EFAIL = -22,     /* anything else that stops the run (exit 1) */
	SPLIT_EMISSING = -23,  /* the input lacks a required column: err is its name */
	SPLIT_EUNMATCHED = -24,/* rows no agreement matches, and no --rejects:
				* split_run_unmatched lists them (exit 1) */
};

/* What the command line asked for. */
struct split_options {
	const char *agreements;    /* -a: its name, for messages */
	const char *default_payee; /* --default-payee, or NULL */
	const char *explain;       /* -e, or NULL */
	bool force;                /* --force: split rows the state has seen again */
	const char *kinds[SPLIT_MAX_KINDS]; /* -k, or the default kinds */
	size_t nkinds;
	const char *output;        /* -o: written atomically, else stdout */
	const char *rejects;       /* -r, or NULL */
	const char *state;         /* -s, or NULL */
	const char *dump;          /* --state-dump STATE, or NULL */
	bool hold;                 /* --hold: the run's state waits in STATE.held for --commit */
	const char *commit;        /* --commit STATE: make its held run the state, or NULL */
	const char *tmpdir;        /* $TMPDIR: sorts and spooled inputs, NULL: /tmp */
	const char *fx;            /* -x, or NULL */
	bool rotate_ties;          /* --ties rotate (default: --ties first) */
	bool waterfall;            /* --waterfall: add the waterfall columns */
};

/* Rows of one product that no agreement matches, listed together at the end. */
struct split_unmatched {
	char *product, *source, *sku, *kind; /* of its first row (owned) */
	char *file;                          /* where its first row is (owned) */
	long line;
	char currency[4];                    /* of its first row */
	long rows;
	int64_t total;                       /* net of its rows in that currency */
	bool mixed;                          /* rows in other currencies too */
};

/* Column indexes in the input; -1 when absent (optional ones). */
struct split_columns {
	int date, kind, currency, net, gross;
	int source, order, line, product, sku, sale_date, origin;
};

/* Everything one run works with. */
struct split_run {
	struct split_options opt;
	struct split_rules rules;  /* loaded by the caller (owned) */
	struct fx_table fx;        /* with have_fx, loaded by the caller (owned) */
	bool have_fx;
	struct split_state state;
	struct tsv_reader in;      /* opened by the caller (owned) */
	struct split_columns col;
	void (*reject)(void *ctx, const struct tsv_reader *in, const char *reason); /* a row not split */
	void *reject_ctx;
	struct out explain;        /* --explain, opened by the caller */
	bool explaining;
	struct out *out;           /* where the allocations go (borrowed) */
	struct out output_file;    /* -o FILE, opened by the caller */
	struct tsv_writer w;       /* on out */
	struct split_part *parts;  /* room for rules.max_payees (owned) */
	struct split_step steps[SPLIT_MAX_TIERS];
	struct kinds_tally passed; /* rows of kinds not split, for the closing note */
	char currency[4];          /* cache of the last currency seen */
	int digits;
	long rows_split;
	long rows_seen;            /* passed over: split already, unchanged */
	long rows_changed;         /* split already, changed: their difference split */
	uint64_t input_digest;     /* of every input row, for the run record */
	struct split_unmatched *unmatched; /* products no agreement matches (owned) */
	size_t nunmatched;
	uint64_t prev_origin;      /* hash of the row before's origin, 0 for none */
	bool same_record;          /* the row is read from the record the row before was */
	int delta_col;             /* column written as delta_text, or -1 */
	char delta_text[MONEY_BUF];
	size_t delta_len;
	int delta_col2;            /* the other of gross and net, written as delta_text too, or -1 */
	const char *fill_product;  /* the row's empty product written as its sale's (the state's class), or NULL */
	const char *fill_sku;      /* the same for its sku */
	bool has_specific;         /* some agreement is not a catch-all */
	bool has_products;         /* some agreement names a product (not a catch-all) */
	long no_product;           /* rows of an empty product split by a catch-all while product agreements exist */
	char *default_prefix;      /* split_default_prefix of the default payee (owned) */
	size_t default_prefix_len;
	const struct split_agreement **cls_cache; /* agreement of each state class (owned) */
	unsigned char *cls_found;  /* 0 not looked up, 1 found, 2 not in the file, 3 edited (owned) */
	size_t ncls_cache;
	off_t stdin_at;            /* with opt.state: where standard input starts (spooled) */
	char spooled[SPLIT_MAX_SPOOLED][32]; /* /dev/fd/N of each named pipe spooled */
	uint64_t row_no;           /* with opt.state: the input row read last, from 1 */
	uint64_t row_keys[SPLIT_ROW_KEYS]; /* with opt.state: the identities the row asks for */
	size_t nrow_keys;          /* of them: its own [0]; a reversal's state 1 [1] and sale's [2..] */
	char err[1024];            /* what a failing function says */
};

/* After rules are loaded: room for the parts, the default payee's
 * columns, which agreements are catch-alls.  SPLIT_OK or SPLIT_ENOMEM. */
int split_run_start(struct split_run *run);

/* Find the columns of run->in and check that they fit the agreements and
 * options.  SPLIT_OK; SPLIT_EUSAGE when the input has a column tally-split
 * adds; SPLIT_EMISSING (err: the first missing required column's name);
 * SPLIT_EFAIL when the agreements match on a field the input lacks. */
int split_run_columns(struct split_run *run);

/* With opt.state: take its lock (on_wait(lock path, ctx) while another
 * run holds it), before the input is read (a run waiting for its input
 * holds it).  SPLIT_OK; SPLIT_EOPEN (errno set; err: the lock's path).
 * Nothing without opt.state, or when lock is held already. */
int split_run_lock_state(struct split_run *run, struct lock *lock,
			 void (*on_wait)(const char *lock_path, void *ctx), void *ctx);

/* With opt.state, the input is read twice: standard input (none of the n
 * files, or "-") and every named file that is not regular (a pipe, a
 * FIFO, a shell's <(...)) are copied to unnamed temporary files in
 * opt.tmpdir first; files[i] may be replaced by a /dev/fd/N name that run
 * owns.  SPLIT_OK; SPLIT_EFAIL (err says what could not be spooled).
 * Nothing without opt.state. */
int split_run_spool(struct split_run *run, char **files, size_t n);

/* With opt.state: take its lock unless held (as split_run_lock_state),
 * open it (a state 3 manifest and its segments, a text state to migrate,
 * or none) and bind it to the rules.  SPLIT_OK; SPLIT_NOTE when a text
 * state is to be migrated (err: the note); SPLIT_EOPEN (errno set; err:
 * the path); SPLIT_EFAIL.  Nothing without opt.state. */
int split_run_load_state(struct split_run *run, struct lock *lock,
			 void (*on_wait)(const char *lock_path, void *ctx), void *ctx);

/* With opt.state, pass 1: read in (the n files) to its end, asking the
 * state for each row's identities, answer them with one read of the
 * state's segments, and open the files again at their start for pass 2
 * (split_run_row).  SPLIT_OK; SPLIT_EOPEN when a file cannot be opened
 * again (errno set; err: the file); SPLIT_EFAIL.  Nothing without
 * opt.state. */
int split_run_prescan(struct split_run *run, char *const *files, size_t n);

/* --commit: lock the state opt.commit and make the run held in
 * STATE.held (by a run with opt.hold) the state; with none held, nothing.
 * SPLIT_OK; SPLIT_EOPEN (errno set; err: the path) when it cannot be
 * locked; SPLIT_EFAIL when the held manifest is damaged (the state is
 * then as it was). */
int split_run_commit_held(struct split_run *run, struct lock *lock,
			  void (*on_wait)(const char *lock_path, void *ctx), void *ctx);

/* --state-dump: lock the state opt.dump, write it as text (state 2) to
 * out (opened by the caller on -o FILE or stdout), and release it; the
 * state is left as it was.  SPLIT_OK; SPLIT_EOPEN (errno set; err: the
 * path) when it does not exist or cannot be locked or opened;
 * SPLIT_EFAIL when it is damaged or cannot be read (out is then
 * abandoned); the caller closes out. */
int split_run_dump_state(struct split_run *run, struct lock *lock,
			 void (*on_wait)(const char *lock_path, void *ctx), void *ctx);

/* Write the output's header: the input's columns, then tally-split's. */
void split_run_header(struct split_run *run);

/* Handle the row tsv_next just returned rc (not 0) for: rejected when
 * it is bad, passed over when of a kind not split, else split and
 * written.  SPLIT_OK; SPLIT_ENOMEM; SPLIT_EOPEN when the input cannot be
 * read (errno set; err: the file); SPLIT_EFAIL (a bug: the parts do not
 * sum to the basis). */
int split_run_row(struct split_run *run, int rc);

/* After the last row: SPLIT_EUNMATCHED when rows matched no agreement
 * and there is no --rejects (the output is abandoned); SPLIT_EFAIL when
 * --explain cannot be written; else SPLIT_OK. */
int split_run_finish(struct split_run *run);

/* The message for products[i] of SPLIT_EUNMATCHED (its first row's file
 * and line in u) into buf; and, i == nunmatched, the closing line. */
const char *split_run_unmatched(const struct split_run *run, size_t i, char *buf, size_t cap);

/* Commit the allocations (stdout flushed, or the -o file renamed into
 * place), then the state with this run's record.  A re-run that brings
 * nothing new changes nothing: the state is left as it was, and so is an
 * -o file a run of this state wrote.  SPLIT_OK; SPLIT_NOTE (err: what
 * was left as it was); SPLIT_EFAIL (nothing more is committed). */
int split_run_commit(struct split_run *run);

/* The closing notes on rows split before, and on rows of an empty
 * product that only a catch-all agreement could take while others name
 * products (tally-ingest leaves a product empty when the export does not
 * say it: an Etsy sale whose item row is not in the statement), into buf,
 * one per line: "" when there is none. */
const char *split_run_seen_notes(const struct split_run *run, char *buf, size_t cap);

/* Release everything the run owns (and close in). */
void split_run_free(struct split_run *run);

/* ---- between the split_run modules (split_run.c, split_rows.c, split_write.c) ---- */

/* How the current row is to be split. */
struct split_plan {
	int64_t when;                    /* the date that chooses the agreement */
	const char *why;                 /* where it came from, for --explain */
	const struct split_agreement *a; /* with by_state: the agreement (NULL: the default payee) */
	bool by_state;                   /* the state named the agreement: no matching */
	bool reversal;                   /* a refund or chargeback */
	bool linked;                     /* a reversal whose sale is known (state class or sale_date) */
	uint32_t cls;                    /* with by_state: the class to record */
	uint64_t key;                    /* the row's identity (--state) */
	struct split_state_seen *prev;   /* its record, when split before (and not --force) */
	struct split_state_seen *earlier; /* a fee or adjustment: an earlier one of its line, split before */
};

/* Where the agreement date came from, for --explain and messages. */
#define SPLIT_WHY_OWN "its date"
#define SPLIT_WHY_SALE_DATE "the sale_date of the sale it reverses"
#define SPLIT_WHY_STATE "the date the state recorded for the order's sale"
#define SPLIT_WHY_CHANGED "the date the state recorded when the row was first split"
#define SPLIT_WHY_EARLIER "the date the state recorded for an earlier row of its line"

/* Field col of the current row ("" when col < 0), and its length. */
const char *split_run_field(const struct split_run *run, int col);
size_t split_run_field_len(const struct split_run *run, int col);
/* The field quoted for a message, into buf. */
const char *split_run_quote(const struct split_run *run, int col, char *buf, size_t cap);
/* Reject the current row with the reason fmt says. */
void split_run_reject(struct split_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* SPLIT_EOPEN with err the path, errno kept. */
int split_run_eopen(struct split_run *run, const char *path);
/* Parse col (called name) as a date into *t; false when rejected. */
bool split_run_time(struct split_run *run, int col, const char *name, int64_t *t);
/* Parse the row's basis (gross or net) into *basis; false when rejected. */
bool split_run_basis(struct split_run *run, bool gross, int64_t *basis);

/* split_run.c: decide how the row of kind (dated own) is split (the
 * refund-date rule); 1, 0 when rejected, or SPLIT_ENOMEM. */
int split_run_plan(struct split_run *run, const char *kind, int64_t own, struct split_plan *p);
/* split_run.c: with opt.state, before the row tsv_next returned rc for
 * is handled: the state's answers for it loaded (pass 2), its raw bytes
 * digested.  SPLIT_OK or SPLIT_EFAIL. */
int split_run_state_row(struct split_run *run, int rc);
/* split_run.c: after a row: SPLIT_EFAIL when a lookup in the state
 * failed (an I/O error), else SPLIT_OK. */
int split_run_state_check(struct split_run *run);
/* split_run.c: the row split before (p->prev); SPLIT_OK or a failure. */
int split_run_seen(struct split_run *run, struct split_plan *p, int digits);
/* split_run.c: remember the row as split by plan p, agreement a (NULL:
 * the default payee) and basis.  SPLIT_OK or SPLIT_ENOMEM. */
int split_run_record(struct split_run *run, const struct split_plan *p, const struct split_agreement *a,
		     int64_t basis);

/* split_write.c: split basis by agreement a and write the parts; 1, 0
 * when rejected, or SPLIT_ENOMEM / SPLIT_EFAIL. */
int split_write_by(struct split_run *run, const struct split_agreement *a, const struct split_row *row,
		   int64_t basis, int digits, const char *why);
/* split_write.c: the whole basis to the default payee, reason for --explain. */
void split_write_default(struct split_run *run, int64_t when, const char *why, int digits, const char *reason,
			 int64_t basis);
/* split_write.c: the lines of the agreements matching row, "2, 5", into buf. */
void split_write_lines(struct split_run *run, const struct split_row *row, char *buf, size_t cap);

#endif
