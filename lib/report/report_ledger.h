/* report_ledger.h - the payout ledger: the append-only record of the
 * statements tally-report has issued, and the arithmetic of a statement.
 *
 * A ledger is a tally stream (tsv.h) with the columns
 *   statement payee period currency brought_forward earned paid
 *   carried_forward chain
 * one row per statement, in the order issued.  It chains: for each payee
 * and currency the periods increase, each brought_forward equals the
 * previous carried_forward (0 for the first), and carried_forward =
 * brought_forward + earned - paid; periods never go back down the file.
 * The chain column is 16 hex digits of FNV-1a 64 over the previous row's
 * chain ("" for the first row), a TAB and the row's other eight fields
 * joined by TABs: an edited number, a lost or a cut row shows.  It is a
 * check against accidents, not a signature (there is no secret).
 * Every period settled ends with a closing row: empty payee, period and
 * currency, 0 amounts and the statement id "PERIOD/end", or
 * "PERIOD/end+late" when rows dated before the period were posted into it
 * as late rows (tally-report(1)).  A period's statements come before its
 * closing row, so a lost last row shows: the chain breaks when a row
 * before the closing row is lost, and a ledger that ends without one is
 * cut.  A period settled with no statement at all is its closing row
 * alone.  Closing rows are not in rows[]; they advance first, last and
 * the chain. */
#ifndef TALLY_REPORT_LEDGER_H
#define TALLY_REPORT_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"

#define REPORT_LEDGER_HEADER \
	"statement\tpayee\tperiod\tcurrency\tbrought_forward\tearned\tpaid\tcarried_forward\tchain"

struct report_ledger_row {
	char *id;              /* statement id, "2026-10/0001" (owned) */
	char *payee;           /* payee name (owned) */
	struct period period;  /* the statement's period */
	char currency[4];      /* ISO 4217 code */
	int digits;            /* its minor-unit digits */
	int64_t brought_forward, earned, paid, carried_forward; /* micro-units */
	uint64_t chain;        /* this row's chain value */
	long line;             /* line in the ledger file */
};

struct report_ledger {
	struct report_ledger_row *rows; /* in file order (owned) */
	size_t n, cap;
	uint64_t last_chain;   /* chain of the last row, 0 when empty */
	bool has_rows;         /* at least one row (a statement or a closed period) */
	struct period first;   /* the first period, when has_rows */
	struct period last;    /* the last (greatest) period, when has_rows */
	uint64_t *closings;    /* the chain after each closing row, in order (owned) */
	size_t nclosings, capclosings; /* nclosings: the periods closed */
	int64_t *late;         /* the periods that took late rows, in order (owned) */
	size_t nlate, caplate;
	char *text;            /* the whole file as read, for appending (owned) */
	size_t text_len;
};

/* Result of settling one statement. */
struct report_settlement {
	int64_t balance;         /* brought forward + earned */
	int64_t paid;            /* what is paid now: whole minor units, >= 0 */
	int64_t carried_forward; /* balance - paid */
};

/* Settle a statement: balance = brought_forward + earned; when it is
 * positive, the part in whole minor units (rounded down, money.h
 * money_round_payable) is paid if it is at least min_payout (0: no
 * minimum); everything else — the sub-unit residue, a balance under the
 * minimum, a negative balance (owed) — is carried forward.  Returns
 * false on overflow. */
bool report_settle(int64_t brought_forward, int64_t earned, int digits, int64_t min_payout,
		   struct report_settlement *s);

/* The chain value of a row whose fields (unescaped) are f[0..8), after a
 * row whose chain was prev (0 for none). */
uint64_t report_ledger_chain(uint64_t prev, const char *const f[8]);

/* Read and verify the ledger at path into l (zeroed first).  A path that
 * does not exist gives an empty ledger.  Returns 0; -1 with errno set when
 * the file cannot be read; -2 when it does not parse or chain, with
 * *err_line the line (0 for the file as a whole) and err[0..errcap) the
 * reason. */
int report_ledger_load(struct report_ledger *l, const char *path, long *err_line, char *err,
		       size_t errcap);

/* Whether the ledger's period (of its kind) index took late rows: its
 * closing row is "PERIOD/end+late". */
bool report_ledger_took_late(const struct report_ledger *l, int64_t index);

/* Slurp the whole file at path into *text (malloc'd, the caller frees
 * it) and *len.  Returns 0; 1 when it does not exist; -1 with errno set. */
int report_read_file(const char *path, char **text, size_t *len);

/* Free everything l owns. */
void report_ledger_free(struct report_ledger *l);

/* The seal: what a ledger is known to hold, kept outside it ("LEDGER.seal")
 * so that a ledger cut at a period boundary, emptied or restored from an
 * older copy — each a valid shorter ledger — is told from the real one.
 * The file is four lines:
 *   tally-ledger-seal 1
 *   periods N          (the closing rows)
 *   last PERIOD        (the last period closed)
 *   chain HEX          (the chain value of its closing row)
 *   keys recorded      (only when the ledger keeps a key record, report_keys.h)
 * with a TAB after each name: a key record lost is then told from a
 * ledger that never had one. */
struct report_seal {
	size_t periods;      /* periods closed */
	struct period last;  /* the last one, when periods > 0 */
	uint64_t chain;      /* the chain after its closing row */
	bool keys;           /* the ledger keeps a key record (LEDGER.keys) */
};

/* What l holds, as a seal. */
void report_seal_of(const struct report_ledger *l, struct report_seal *s);

/* Write s as the seal file's text into buf[0..cap).  Returns its length,
 * or 0 when cap is too small. */
size_t report_seal_format(char *buf, size_t cap, const struct report_seal *s);

/* Read the seal at path into s.  Returns 0; 1 when the file does not
 * exist; -1 with errno set when it cannot be read; -2 when it is not a
 * seal, with err[0..errcap) the reason. */
int report_seal_load(struct report_seal *s, const char *path, char *err, size_t errcap);

/* Compare l with its seal s: REPORT_SEAL_OK when l holds exactly what s
 * says; REPORT_SEAL_AHEAD when l holds it and more periods after it (a
 * run that died after writing the ledger and before the seal); else
 * REPORT_SEAL_SHORT: l is not the ledger sealed (cut, emptied, restored
 * from an older copy or replaced). */
enum report_seal_match { REPORT_SEAL_OK, REPORT_SEAL_AHEAD, REPORT_SEAL_SHORT };
enum report_seal_match report_seal_check(const struct report_ledger *l, const struct report_seal *s);

#endif
