/* report_run.h - one run of tally-report, as its command line asked:
 * the allocations (or a sales stream, or partials) read, the ledger
 * settled and written, the documents and batch files out.
 *
 * The command fills a struct report_opts from its options (report_opts_*
 * parse and check them), gives the run its callbacks (warnings, the
 * progress line, the lock's wait) and calls its steps.  The run never
 * prints or exits: a failure is a struct report_fail (the exit status, the
 * file and line, the message) for the command to say, and every warning
 * goes to io.warn, in the order the command printed them before.  Memory
 * and the files under way are the run's until report_run_free; a run that
 * failed is only good for freeing, and the command exits then (atexit
 * removes unfinished atomic files, out.h). */
#ifndef TALLY_REPORT_RUN_H
#define TALLY_REPORT_RUN_H
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "fx.h"
#include "lock.h"
#include "progress.h"
#include "kinds.h"
#include "report_business.h"
#include "report_costs.h"
#include "report_keys.h"
#include "report_ledger.h"
#include "report_outlook.h"
#include "report_payouts.h"
#include "report_render.h"
#include "report_statements.h"
#include "report_summary.h"
#include "report_whatif.h"
#include "split_rules.h"
#include "tsv.h"

/* What the command line asked (tally-report(1)). */
struct report_opts {
	enum report_format format;          /* --format */
	bool have_period;
	struct period period;               /* --period */
	bool have_opening;
	struct period opening;              /* --opening: the ledger's first period */
	enum period_kind kind;              /* the kind of period rows are grouped by */
	const char *ledger;                 /* --ledger FILE */
	const char *paid;                   /* --paid FILE: money paid outside tally */
	const char *out_dir;                /* --out-dir DIR */
	const char *output;                 /* -o, --output FILE: the document, atomically, else stdout */
	struct report_min_payout mins[32];  /* --min-payout */
	size_t nmins;
	bool check, summary;                /* --check, --summary */
	bool partial, merge;                /* --partial, --merge */
	const char *fx_path;                /* --fx RATES */
	const char *to;                     /* --to CUR */
	struct fx_table fx;                 /* the rates of --fx */
	enum progress_mode progress;        /* --progress, --no-progress, else auto */
	unsigned payouts;                   /* --payouts FORMAT,...: the set (report_payouts.h), 0 none */
	const char *payees;                 /* --payees FILE */
	bool business;                      /* --business, or implied by --costs and --whatif */
	const char *costs_path;             /* --costs COSTS */
	const char *whatif_path;            /* --whatif FEES */
	struct report_costs costs;          /* the table of --costs */
	struct report_fees fees;            /* the schedules of --whatif */
	const char *forecast_path;          /* --forecast FILE */
	struct report_outlook outlook;      /* its forecast */
	int64_t balance;                    /* --balance AMOUNT */
	bool have_balance;
	const char *issuer;                 /* --issuer NAME */
	const char *agreements;             /* --agreements FILE: every payee a statement each period */
	struct split_rules rules;           /* ... its agreements */
	char issue_date[DATE_BUF];          /* --issue-date, else today (UTC) */
	bool have_issue_date;               /* --issue-date was given */
};


/* Why a run stopped: the command says "prog: FILE:LINE: msg" (no FILE:
 * "prog: msg"; line <= 0: no LINE) and exits with status. */
struct report_fail {
	int status;                      /* EXIT_DATA or EXIT_USAGE (diag.h) */
	bool have_file;                  /* file names where */
	char file[512];                  /* the file ... */
	long line;                       /* ... and line, <= 0 none */
	char msg[1024];                  /* the message, without the program's name */
	const struct tsv_reader *reader; /* a missing column: the stream (the run's), ... */
	const char *column;              /* ... and the column; msg is then empty */
};

/* What the run asks of its command. */
struct report_run_io {
	/* a warning: file NULL for none, line <= 0 for none */
	void (*tell)(void *ctx, const char *file, long line, const char *msg);
	/* a stream is opened on files[0..n) (the progress line starts) */
	void (*opened)(void *ctx, struct progress *p, char **files, size_t n);
	void *ctx;                       /* passed to both */
};

/* Rows a run leaves out, counted and told, never dropped silently. */
struct report_left_out {
	long count;          /* rows left out */
	char file[512];      /* the first one's file ... */
	long line;           /* ... and line */
};

/* A period's issue date, of LEDGER.issued. */
struct report_issued_day {
	int64_t period;      /* the period's index */
	char day[DATE_BUF];  /* YYYY-MM-DD */
};

/* A run: its options, callbacks and state (report_run_init). */
struct report_run {
	struct report_opts opt;              /* what was asked */
	struct report_run_io io;             /* the command's callbacks */
	volatile sig_atomic_t *interrupted;  /* non-zero: a signal asks the run to stop before a file is written */
	struct report_fail fail;             /* why a step returned -1 */
	jmp_buf unwind;                      /* where a failure returns to: the step under way */
	int exit_status;                     /* what the command returns */
	struct progress progress;            /* the line on a terminal while the input is read */
	struct tsv_reader rd;                /* the stream being read */
	struct report_book book;             /* the sums, statements and checks */
	char currencies[8][4];               /* the first few currencies seen, for messages */
	int ncurrencies;
	long differing;                      /* sales whose allocations do not sum to their net */
	struct report_left_out after_period; /* rows dated after --period */
	struct report_left_out before_period;/* rows before --opening or (no ledger) --period */
	struct report_left_out early_rows;   /* --partial -p P: rows before P, kept */
	long rows_read;                      /* allocation rows added up */
	bool have_net;                       /* the allocations have net: check totals kept */
	struct report_due_use *due_uses;     /* --agreements: (payee line, currency) the rows were in */
	size_t ndue_uses, capdue_uses;
	struct report_ledger ledger;         /* --ledger, as read */
	struct lock ledger_lock;             /* ... and its lock (fd -1: not held) */
	char *seal_path;                     /* LEDGER.seal (report_ledger.h) */
	struct report_seal seal;             /* as read */
	bool have_seal;                      /* the seal file exists */
	struct report_seal new_seal;         /* what the ledger holds once written */
	char *keys_path;                     /* LEDGER.keys (report_keys.h) */
	struct report_keys keys;             /* which rows the ledger's periods booked */
	struct report_keys new_keys;         /* rows of this run the record does not hold */
	bool keys_legacy;                    /* a ledger from before key records: rows told by amounts */
	struct report_issued_day *issued;    /* LEDGER.issued, as read and as this run adds */
	size_t nissued, capissued;
	char *issued_path;                   /* LEDGER.issued */
	struct report_issue issue;           /* the issuer and rates every statement names */
	struct out output_file;              /* -o FILE, while written */
	struct report_payees payees;         /* --payees */
	struct report_batch batches[3];      /* by format: the ones --payouts names */
	struct report_summary sum;           /* --summary's figures */
	struct report_business biz;          /* ... and --business's */
	struct kinds_tally passed;           /* ... rows of kinds outside the contract, counted */
	char *path;                          /* --out-dir: the file being written */
};

/* Zero R, its lock not held and its periods months, for the command to
 * set opt, io and interrupted. */
void report_run_init(struct report_run *R);

/* The steps of a run over files[0..nfiles) (none: standard input), in
 * this order, once its options are parsed and checked (report_opts_check):
 * report_run_load reads the side files (--fx, --costs, --whatif,
 * --forecast, --agreements) and refuses a file given in two roles; then
 * report_run_summary (--summary) or report_run_statements (everything
 * else: the allocations or partials read, the ledger settled and
 * written, documents and batches out).  Standard output is left for the
 * caller to close.  Each returns the exit status so far (EXIT_OK, or
 * EXIT_DATA when wrong data was told and the run went on, as --check
 * does), or -1 when the run stopped: R->fail says why, and nothing more
 * may be run. */
int report_run_load(struct report_run *R, char **files, size_t nfiles);
int report_run_summary(struct report_run *R, char **files, size_t nfiles);
int report_run_statements(struct report_run *R, char **files, size_t nfiles);

/* Release the ledger's lock, free the tables R loaded (--costs, --whatif,
 * --forecast) and the book it added up. */
void report_run_free(struct report_run *R);

/* --min-payout SPEC ("50.00", "USD=50,EUR=40") into o->mins; --issuer
 * NAME; --issue-date YYYY-MM-DD.  Each returns true, or false with the
 * message (a usage error) in msg[0..cap). */
bool report_opts_min_payout(struct report_opts *o, const char *arg, char *msg, size_t cap);
bool report_opts_issuer(struct report_opts *o, const char *arg, char *msg, size_t cap);
bool report_opts_issue_date(struct report_opts *o, const char *arg, char *msg, size_t cap);

/* Whether the options go together: true, or false with the message in
 * msg[0..cap) (the command prints it and its usage, exit 2).  Also sets
 * what follows from them: the kind of period (--opening's). */
bool report_opts_check(struct report_opts *o, char *msg, size_t cap);

/* Whether s[0..len) is an ISO 4217 code tally knows. */
bool report_opts_currency(const char *s, size_t len);
#endif
