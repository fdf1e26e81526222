/* report_payouts.h - tally-report --payouts: the payments of the run's
 * statements as a batch file a payment service takes (PayPal Payouts
 * Web, Wise batch payments) or as a plain TSV stream, with the payee file
 * that says how each payee is paid.
 *
 * The payee file is a tally stream (tsv.h) with the columns
 *   payee method account currency [name] [type]
 * one row per payee and currency: method is paypal, venmo, wise or manual
 * (paid by hand: only in the TSV batch); account the PayPal e-mail, phone
 * or PayerID, the Venmo phone or handle, the Wise recipient's e-mail;
 * name the name on the recipient's account (Wise; default the payee);
 * type private or business (Wise's receiverType; default private).
 * Other columns are ignored.
 *
 * A payment is a statement that pays more than 0 (report_statements.h):
 * its amount is the statement's paid, to the micro-unit, written with the
 * currency's minor-unit digits (PayPal's HUF and TWD: none).  Each payment has a reference that is the
 * same in every run for one payee, currency and period and differs
 * between them: PERIOD without dashes, '-', 10 hex digits of a hash of
 * payee and currency ("202610-3fa94c01be"), 30 characters at most and no
 * space (PayPal's Customer ID) and 18 at most (Wise's reference for GBP).
 *
 * Nothing here prints: functions return a report_payouts_status and, for
 * the errors a person must see, the whole message (with FILE:LINE where
 * there is one) in a buffer the caller gives. */
#ifndef TALLY_REPORT_PAYOUTS_H
#define TALLY_REPORT_PAYOUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "out.h"
#include "report_statements.h"

enum report_payouts_status {
	REPORT_PAYOUTS_OK = 0,
	REPORT_PAYOUTS_ENOMEM,  /* out of memory */
	REPORT_PAYOUTS_EOPEN,   /* a file cannot be opened or created: errno is set (usage, exit 2) */
	REPORT_PAYOUTS_EDATA,   /* bad payee file, or a payment it cannot make (exit 1) */
	REPORT_PAYOUTS_EUSAGE,  /* the batch cannot be one file as asked, or the payee file lacks a column (exit 2) */
	REPORT_PAYOUTS_EWRITE,  /* a write error: errno is set (exit 1) */
};

enum report_payouts_format {
	REPORT_PAYOUTS_PAYPAL, /* PayPal Payouts Web CSV: no header, one currency per file */
	REPORT_PAYOUTS_WISE,   /* Wise batch payment CSV, the "send by email" template */
	REPORT_PAYOUTS_TSV,    /* a tally stream of every payment, every method */
};

enum report_payee_method { REPORT_PAY_PAYPAL, REPORT_PAY_VENMO, REPORT_PAY_WISE, REPORT_PAY_MANUAL };

struct report_payee {
	char *payee;                     /* the name in the allocations (owned) */
	enum report_payee_method method;
	char *account;                   /* where the money goes (owned) */
	char currency[4];                /* ISO 4217: the currency the account takes */
	char *name;                      /* the name on the account: column name, else the payee (owned) */
	bool business;                   /* column type is business */
	long line;                       /* its line in the payee file */
};

struct report_payees {
	char file[256];                  /* display name of the file, for messages */
	struct report_payee *p;          /* sorted by payee then currency (owned) */
	size_t n, cap;
};

/* One payment of the batch. */
struct report_payout {
	const struct report_statement *st; /* the statement it pays (borrowed from the book) */
	const struct report_payee *payee;  /* how (borrowed from the payee file) */
	char period[16];                   /* the statement's period, "2026-10" */
	char reference[32];                /* see above */
	char amount[32];                   /* st->paid with the currency's digits, "216.35" */
};

struct report_batch {
	enum report_payouts_format format;
	struct report_payout *items;     /* by period, currency (PayPal only) and payee (owned) */
	size_t n, cap;
	long nothing_to_pay;             /* statements of the run that pay 0: not in the batch */
	long other_method;               /* payments whose payee is paid by a method of another batch */
	char other_methods[64];          /* ... those methods, "wise, manual" */
};

/* The formats named in s, one or more of "paypal", "wise", "tsv" joined by
 * commas, as a set in *formats (bit 1 << format).  Returns false for any
 * other name, an empty one or one given twice. */
bool report_payouts_formats_parse(const char *s, unsigned *formats);

/* Read the payee file at path ("-" is stdin) into p (zeroed first).
 * Returns REPORT_PAYOUTS_OK; REPORT_PAYOUTS_EOPEN (errno set, msg "PATH:
 * reason"); REPORT_PAYOUTS_EDATA with msg "FILE:LINE: what is wrong" (a
 * missing column, "must be TAB-separated", an empty payee or account, an
 * unknown method or type, a bad currency, a control character, a cell
 * that starts with '=', an account with a space, a Wise account that is
 * not an e-mail address, Venmo in another currency than USD, a payee and
 * currency given twice); REPORT_PAYOUTS_ENOMEM.  p must be freed
 * (report_payees_free) whatever the result. */
int report_payees_load(struct report_payees *p, const char *path, char *msg, size_t cap);

/* The entry of payee in currency, or NULL. */
const struct report_payee *report_payees_find(const struct report_payees *p, const char *payee,
					      const char *currency);

void report_payees_free(struct report_payees *p);

/* The reference of payee's payment in currency for period, written into
 * buf (cap >= 32).  Returns buf. */
char *report_payout_reference(char *buf, size_t cap, const char *payee, const char *currency, struct period period);

/* Build into bt (zeroed first) the batch of format for the statements
 * b->st[0..b->nst) (after report_book_total), with the payee file p: a
 * statement that pays 0 is counted in nothing_to_pay; one whose payee's
 * method goes in none of the run's batches (run_formats, a set as
 * report_payouts_formats_parse makes) in other_method.  Every other
 * payment must be payable: its payee has a line in p in its currency.
 * Returns REPORT_PAYOUTS_OK; REPORT_PAYOUTS_EDATA, with msg naming every
 * payee paid who has no line in p (up to what fits), or the first
 * payment in a currency the payee's line does not take, or one PayPal
 * cannot send (HUF and TWD in whole units only), or two payments with
 * one reference; REPORT_PAYOUTS_EUSAGE when one_file (the batch goes to
 * standard output) and a PayPal batch has several currencies (PayPal takes
 * one a file); REPORT_PAYOUTS_ENOMEM.  bt must be freed
 * (report_batch_free) whatever the result. */
int report_batch_build(struct report_batch *bt, enum report_payouts_format format, unsigned run_formats,
		       const struct report_book *b, const struct report_payees *p, bool one_file, char *msg, size_t cap);

/* What the batch left out, as one sentence for standard error ("2
 * statements pay nothing (a balance under the minimum, owed or zero): not
 * in the batch; 1 payment by wise in no batch of this run (...)"), in
 * buf; "" when nothing was left out.  The same for every batch of one
 * run.  Returns buf. */
char *report_batch_notes(const struct report_batch *bt, char *buf, size_t cap);

/* The items of the file that starts at item from: the index after its
 * last.  A file is a period's payments (PayPal: a period's in one
 * currency), in parts of at most the rows the service takes (PayPal
 * 5,000, Wise 1,000). */
size_t report_batch_file_end(const struct report_batch *bt, size_t from);

/* The file name of the batch file starting at item from:
 * "payouts-2026-10-USD.paypal.csv", "payouts-2026-10.wise.csv",
 * "payouts-2026-10.batch.tsv", and for the second part of a batch over
 * the service's rows "payouts-2026-10-2.wise.csv" (none ends like a
 * statement's "PAYEE-PERIOD.EXT").  Returns buf. */
char *report_batch_file_name(char *buf, size_t cap, const struct report_batch *bt, size_t from);

/* Write items[from..to) as one batch file to o: PayPal's rows (receiver,
 * amount, currency, reference, note, wallet) with no header; Wise's
 * header and rows; or the TSV stream's header and rows.  CSV fields are
 * quoted (RFC 4180) when they hold a comma, a quote, a CR or LF, or a
 * leading or trailing space, and lines end with CRLF; TSV is escaped
 * (tsv.h).  Write errors are left in o (out.h). */
void report_batch_write(struct out *o, const struct report_batch *bt, size_t from, size_t to);

/* Write the whole batch: with dir, one file per report_batch_file_end
 * group, DIR/report_batch_file_name, each atomically (out.h
 * out_open_file_here), its path written to listing as a line; without
 * dir, everything to listing as one document (the TSV header once).
 * Returns REPORT_PAYOUTS_OK; REPORT_PAYOUTS_EOPEN or
 * REPORT_PAYOUTS_EWRITE with errno set and msg "PATH: reason". */
int report_batch_put(const struct report_batch *bt, const char *dir, struct out *listing, char *msg, size_t cap);

void report_batch_free(struct report_batch *bt);

#endif
