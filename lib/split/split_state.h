/* split_state.h - what tally-split remembers between runs (--state FILE):
 * how much each capped tier has recouped; which input rows it has split,
 * with the amount split and the agreement that applied (so that a row fed
 * again is passed over, a changed row yields its difference, and a refund
 * is split by its sale's agreement); and a digest of each run's input and
 * output (so that a re-run leaves its output file as it was).
 *
 * The file is text, one record a line, fields TAB-separated and escaped
 * as in a tally stream:
 *
 *     # tally-split state 2
 *     cap    MATCH  FROM  TO  TIER  CURRENCY  RECOUPED
 *     class  ID  MATCH  FROM  TO  TERMS  PRODUCT  SKU  CURRENCY
 *     run    INPUT  OUTPUT
 *     seen   HASH  DAY  CLASS  BASIS
 *     seen   HASH  DAY
 *     end    RECORDS  DIGEST
 *
 * A `cap` record keys a capped tier by its agreement's match, from and to
 * (as written), the tier number and the cap currency, so that editing
 * other lines of the agreements file does not lose what was recouped;
 * records of tiers no longer in the file are kept as they are.  A `class`
 * record names, once, an agreement (match, from, to; an empty match is
 * --default-payee) and the digest of its terms (16 hex digits, "-" for
 * the default payee) with the product, sku and currency of rows it split;
 * ids count from 1 in the order classes were first met.  A `run` record
 * holds two 64-bit digests (16 hex digits) of a run's input rows and of
 * the -o file it wrote ("-" for standard output).  A `seen` record is the
 * 64-bit identity of a row (split_state_key), the day whose agreement
 * applied, the class and the basis split, in micro-units; a `seen` record
 * with only a day was migrated from a state 1 file (no amount known).
 * The `end` record counts the records before it and carries the chained
 * digest of every line before it: a removed, added or edited line is
 * refused.  Records are written in a fixed order (caps by key, classes by
 * id, runs as they came, seen rows by hash), so the file changes little
 * from one month to the next.
 *
 * A state 1 file (no class, run or end records; seen rows keyed by source,
 * order, line and kind) is read as state 2 is.
 *
 * The state tally-split keeps is state 3 (split_state_run.c): the text
 * above without seen records, with a `segment SEQ ROWS DIGEST` record for
 * each sorted key segment (split_keys.h) in the folder STATE.keys, the
 * end record's digest covering them; a text state 1 or 2 is migrated to
 * it, and --state-dump writes state 3 as the text state 2. */
#ifndef TALLY_SPLIT_STATE_H
#define TALLY_SPLIT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "out.h"
#include "recsort.h"
#include "keyindex.h"
#include "split_keys.h"
#include "split_rules.h"

#define SPLIT_STATE_MAGIC "# tally-split state 2"
#define SPLIT_STATE_MAGIC_V1 "# tally-split state 1"
#define SPLIT_STATE_MAGIC_V3 "# tally-split state 3"

#define SPLIT_STATE_LEGACY 0u          /* class of a seen row migrated from state 1 */
#define SPLIT_STATE_THIS_RUN 0x80000000u /* flag in seen.cls: met in this run */
#define SPLIT_STATE_GONE SPLIT_KEYS_GONE /* seen.cls of a record removed from the history */

struct split_state_cap {
	char *key;        /* "MATCH\tFROM\tTO\tTIER\tCUR", parts escaped (owned) */
	int64_t recouped; /* micro-units of CUR */
};

/* What split a row: its agreement (and its terms then), product, sku and
 * currency. */
struct split_state_class {
	char *agreement; /* "MATCH\tFROM\tTO", parts escaped; "" for the default payee (owned) */
	uint64_t terms;  /* split_agreement.terms when it split the row; 0 for the default payee */
	char *product;   /* (owned) */
	char *sku;       /* (owned) */
	char currency[4];
};

struct split_state_seen {
	uint64_t hash;  /* 0 marks an empty slot */
	int64_t basis;  /* micro-units split (0 for a legacy record) */
	int32_t day;    /* days since 1970-01-01 of the day whose agreement applied */
	uint32_t cls;   /* class id (1..nclasses), or SPLIT_STATE_LEGACY; | THIS_RUN */
};
/* SPLIT_STATE_GONE is SPLIT_KEYS_GONE: a removed record in a segment. */

struct split_state_run {
	uint64_t input;  /* digest of the run's input rows */
	uint64_t output; /* digest of the -o file written, 0 for standard output */
};

/* An open-addressing table of seen records by hash. */
struct split_state_table {
	struct split_state_seen *slots;   /* (owned) */
	size_t nslots;                    /* a power of two, or 0 */
	size_t n;                         /* occupied slots */
};

/* A segment the manifest names (state 3). */
struct split_state_segment {
	uint64_t seq;                     /* its number: files STATE.keys/SEQ.k and .r */
	uint64_t rows, digest;            /* as the manifest records them */
	struct split_keys_cursor cur;     /* open from split_state_open */
};

/* A key the current row asked for (split_state_want), as the history
 * answered it (split_state_prepare). */
struct split_state_local {
	struct split_state_seen rec;      /* rec.hash: the key; the record when found */
	bool found;                       /* the history has it */
	bool shared;                      /* other rows ask for it too: kept in hits */
	bool dirty;                       /* put or removed by this row */
};

#define SPLIT_STATE_LOCAL_MAX 8        /* keys a row may ask for */

struct split_state {
	struct split_state_cap *caps;     /* records read (owned) */
	size_t ncaps;
	struct split_state_class *classes; /* id i+1 at [i] (owned) */
	size_t nclasses;
	struct names class_names;         /* each class as one key: its id - 1 (owned) */
	struct split_state_run *runs;     /* (owned) */
	size_t nruns;
	struct split_state_seen *hist;    /* the seen rows of a text state read, sorted by
					   * hash (owned): 24 bytes a row, found through dir */
	size_t nhist;                     /* records in hist, GONE ones included */
	size_t ngone;                     /* of them removed */
	size_t *dir;                      /* hist's directory by top hash bits (owned) */
	int dir_bits;                     /* 2^dir_bits buckets, dir[] has one more entry */
	struct split_state_table puts;    /* records put or removed (GONE) in this run */
	size_t nputs_gone;                /* of them removed */
	struct split_state_table hits;    /* records of the segments kept for this run:
					   * those several rows ask for, and probes */
	int version;                      /* format of the file read: 1, 2 or 3; 0 if none */

	/* state 3: the manifest and its segments (split_state_open) */
	char *path;                       /* the manifest (owned) */
	struct split_state_segment *segs; /* oldest first (owned) */
	size_t nsegs;
	uint64_t next_seq;                /* the number of the next segment */
	bool verified;                    /* every segment was read whole and matched */
	bool hold;                        /* commit the manifest to STATE.held (--hold) */
	int migrated;                     /* a text state of this version was read */
	char failed[256];                 /* why a lookup failed (an I/O error), or "" */

	/* a run's keys: asked for (pass 1), answered row by row (pass 2) */
	const char *tmpdir;               /* where the sorts spill (borrowed) */
	struct recsort *asked;            /* (key, row) by key (owned) */
	struct recsort *answers;          /* (row, key, record) by row (owned) */
	struct recsort *news;             /* this run's records by key (owned) */
	bool prepared;
	uint64_t row;                     /* the row split_state_at_row reached */
	struct split_state_local local[SPLIT_STATE_LOCAL_MAX];
	size_t nlocal;
	bool have_next;                   /* next holds an answer read ahead */
	uint64_t next_row;
	struct split_state_local next;
};

/* The identity of an input row across runs: a hash of source, order, line
 * and kind (NUL-separated), then for a refund or chargeback its date as
 * written (two partial refunds of one line are two rows), then for the
 * nth row with the same fields in one run (n > 1) "#n".  Never 0.  For a
 * sale (n = 1) it is the key of state 1, so migrated records still hold;
 * its value is pinned by a unit test: changing it splits sales twice. */
uint64_t split_state_key(const char *source, const char *order, const char *line,
			 const char *kind, const char *date, unsigned n);

/* Continue the digest h (start with HASH_FNV_OFFSET) over p[0..n), eight
 * bytes at a step: for run records (input rows, output files), where FNV's
 * byte loop would cost a tenth of the run.  Detects accidents, not a
 * determined forger. */
uint64_t split_state_digest(uint64_t h, const void *p, size_t n);

/* Read the state file at path; a missing file is an empty state.
 * Returns 0; -1 with errno set when it cannot be read; -2 with *err_line
 * and err[] saying what is wrong with its content (a damaged or edited
 * state included).  On failure *s is empty. */
int split_state_read(struct split_state *s, const char *path, long *err_line, char *err,
		     size_t errcap);

/* Copy the recouped amounts of s into the matching counters of r (by key).
 * A counter beyond its cap (the cap was lowered) is an error: returns -1
 * with err[] naming it; else 0. */
int split_state_bind(const struct split_state *s, struct split_rules *r, char *err, size_t errcap);

/* The number of seen rows (read and new). */
size_t split_state_rows(const struct split_state *s);

/* The seen record of hash, or NULL. */
struct split_state_seen *split_state_find(struct split_state *s, uint64_t hash);

/* Remember hash with its day, class and basis, or update the record
 * already there.  The record is flagged as met in this run.  Returns the
 * record, or NULL when out of memory. */
struct split_state_seen *split_state_put(struct split_state *s, uint64_t hash, int64_t day,
					 uint32_t cls, int64_t basis);

/* Forget the record of hash, if any (pointers from split_state_find
 * become invalid). */
void split_state_remove(struct split_state *s, uint64_t hash);

/* The id of the class (agreement: split_agreement.key and .terms, or ""
 * and 0 for the default payee; product, sku, currency), added when new.  Returns 0 when out of
 * memory. */
uint32_t split_state_class(struct split_state *s, const char *agreement, uint64_t terms,
			   const char *product, const char *sku, const char *currency);

/* The class of id (1..nclasses), or NULL. */
const struct split_state_class *split_state_class_of(const struct split_state *s, uint32_t id);

/* Whether some run recorded input digest `input` with output digest
 * `output`. */
bool split_state_ran(const struct split_state *s, uint64_t input, uint64_t output);

/* Whether some run, of any input, wrote an output of digest `output` (0,
 * standard output, is never one). */
bool split_state_wrote(const struct split_state *s, uint64_t output);

/* Record a run.  Returns 0, or -1 when out of memory. */
int split_state_add_run(struct split_state *s, uint64_t input, uint64_t output);

/* Write the whole state to o: the counters of r, then the records of s
 * whose tiers r does not have, the classes, the runs, every seen row and
 * the end record.  Output errors are left in o for its close.  The seen
 * rows are sorted in place, not copied (a state can hold millions): after
 * it s holds no seen rows. */
void split_state_write(struct split_state *s, const struct split_rules *r, struct out *o);


/* ---- state 3: a manifest and sorted key segments ---------------------- */

/* Open the state at path: a state 3 manifest, whose segments
 * (path.keys/SEQ.k and .r) are opened and their sizes checked; or a text
 * state (1 or 2, a --state-dump given back), read whole and migrated by
 * the next split_state_commit (s->migrated says so); or nothing (an
 * empty state).  Returns as split_state_read; a segment missing, cut
 * short or of another size is -2 with err[] saying which. */
int split_state_open(struct split_state *s, const char *path, long *err_line, char *err,
		     size_t errcap);

/* Pass 1: the row numbered row (from 1, in input order, each row once)
 * will ask for key.  Rows and keys are sorted in bounded memory (spilled
 * to tmpdir, NULL: /tmp).  Returns 0, or -1 with errno. */
int split_state_want(struct split_state *s, const char *tmpdir, uint64_t row, uint64_t key);

/* Join the keys asked for with every segment, read whole in one pass
 * (their digests checked: -2 with err[] when one was replaced or
 * damaged).  Returns 0, -1 with errno, -2. */
int split_state_prepare(struct split_state *s, const char *tmpdir, char *err, size_t errcap);

/* Pass 2: the current row is now row (ascending): the previous row's
 * records are set aside for the new segment, this row's answers loaded.
 * Returns 0, or -1 with errno. */
int split_state_at_row(struct split_state *s, uint64_t row);

/* Pass 2: the current row asked for key in pass 1 (the same keys, after
 * split_state_at_row): a key the history lacks is known absent without a
 * probe.  Returns 0. */
int split_state_asked(struct split_state *s, uint64_t key);

/* Whether a lookup failed (s->failed says why): the run must stop. */
bool split_state_failed(const struct split_state *s);

/* Make the run held in path.held (a commit with s->hold) the state at
 * path, once its manifest reads whole and names segments that are there;
 * with no run held (it split nothing new, or a run since voided it) do
 * nothing.  The caller holds the state's lock.  Returns 0; -1 with
 * errno; -2 with err[] when the held manifest is damaged. */
int split_state_commit_held(const char *path, char *err, size_t errcap);

/* Keep the -o file output as it is before a held run replaces it
 * (--hold): in path.held.before (a hard link, else a copy), named with
 * its absolute path in path.held.output ("new" when there is none), so
 * that voiding the run puts it back and committing it forgets it.  The
 * caller holds the lock.  Returns 0, or -1 with errno (EINVAL: a path
 * with a newline). */
int split_state_hold_output(const char *path, const char *output);

/* Void the run held in path.held, if any: every run starts from the state
 * at path, so a held run is void once another begins, and so are its
 * allocations: the -o file it replaced is put back (removed when it
 * made it).  The caller holds the lock.  Returns 0, or -1 with errno. */
int split_state_drop_held(const char *path);

/* Commit the run to the state at path: this run's records as a new
 * segment (fsynced and renamed), then the manifest (counters of r, the
 * classes, runs and segments, and the end record's chained digest) by
 * temp+fsync+rename.  The caller holds the state's lock.  Returns 0, or
 * -1 with err[] saying what failed (nothing is committed then). */
int split_state_commit(struct split_state *s, const struct split_rules *r, char *err, size_t errcap);

/* Write the state as a text state 2 to o (tally-split --state-dump): the
 * counters, classes, runs and every seen row by hash, the segments merged
 * (the newest record of a key wins; removed ones are left out).  Returns
 * 0, or -2 with err[] when a segment does not match its digest, or -1
 * with errno. */
int split_state_dump(struct split_state *s, struct out *o, char *err, size_t errcap);

/* Release everything (segments closed, temporary files gone). */
void split_state_free(struct split_state *s);

#endif
