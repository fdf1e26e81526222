/* split_rules.h - split agreements: parsing the agreements file, choosing
 * the agreement that covers a sale, and running a sale's basis through the
 * agreement's waterfall of tiers.  The semantics are documented for users
 * in tally-split(1); this header states the contracts.
 *
 * An agreement is the set of rows of the agreements file that share one
 * (match, from, to); its rows are grouped into tiers by `tier`; within a
 * tier the payees keep file order, which is the tie-break order of the
 * largest-remainder split (lowest index first, alloc.h). */
#ifndef TALLY_SPLIT_RULES_H
#define TALLY_SPLIT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fx.h"
#include "money.h"

#define SPLIT_MAX_TIERS 16 /* tiers of one agreement */

enum split_status {
	SPLIT_OK = 0,
	SPLIT_EDATA = -1,      /* bad agreements file (err says where and why) */
	SPLIT_ENOMEM = -2,     /* out of memory */
	SPLIT_ENOMATCH = -3,   /* no agreement matches the row */
	SPLIT_EDATE = -4,      /* agreements match, but none is valid on the date */
	SPLIT_EAMBIGUOUS = -5, /* two equally specific agreements apply */
	SPLIT_ENOFX = -6,      /* a capped tier met another currency without rates */
	SPLIT_ENORATE = -7,    /* the rates table has no rate for the date */
	SPLIT_ERANGE = -8,     /* an amount overflowed */
	SPLIT_EINTERNAL = -9,  /* the parts do not sum to the basis: a bug */
	SPLIT_ECOLUMN = -10,   /* the agreements header lacks a required column (usage) */
};

/* What an agreement's `match` looks at, least specific first: the order is
 * the first key of precedence. */
enum split_on {
	SPLIT_ON_ALL,     /* "*": every sale */
	SPLIT_ON_KIND,    /* "kind:GLOB" */
	SPLIT_ON_SOURCE,  /* "source:GLOB" */
	SPLIT_ON_PRODUCT, /* "GLOB" or "product:GLOB" */
	SPLIT_ON_SKU,     /* "sku:GLOB" */
};

struct split_payee {
	char *name;         /* payee (owned) */
	char *out_prefix;   /* "\tNAME\tTIER\tLINE\t", escaped, for fast output (owned) */
	size_t out_prefix_len;
	struct ratio share; /* fraction of what reaches the tier, or a weight */
	long line;          /* line of the agreements file */
};

struct split_tier {
	long number;                 /* `tier` as written */
	struct split_payee *payees;  /* file order (owned) */
	size_t npayees;
	int64_t *weights;            /* payees' shares over one denominator (owned) */
	struct ratio total;          /* fraction of what flows that the tier takes */
	int64_t take_weights[2];     /* total.num, total.den - total.num */
	bool weighted;               /* shares are plain weights (last tier only) */
	bool weights_below_one;      /* weighted, every weight below 1, and their sum
				      * (weight_sum) not 1: fractions probably meant */
	struct ratio weight_sum;     /* sum of the plain weights (weighted tiers) */
	bool capped;                 /* cap set */
	int64_t cap;                 /* micro-units of cap_currency */
	char cap_currency[4];        /* ISO 4217 code of the cap */
	size_t cap_index;            /* index of its counter in split_rules.caps */
	long line;                   /* first line of the tier */
};

struct split_agreement {
	char *match;              /* `match` as written (owned) */
	char *key;                /* "MATCH\tFROM\tTO", each part escaped: the agreement
				   * across runs, in the state file (owned) */
	uint64_t terms;           /* digest of its tiers, payees, shares, caps and basis:
				   * tells an agreement edited in place (never 0) */
	enum split_on on;         /* field matched */
	const char *glob;         /* pattern after the "field:" prefix (in match) */
	bool exact;               /* the glob has no wildcard */
	size_t literals;          /* characters of the glob that are not wildcards */
	char from_text[16];       /* `from` as written, "" if none */
	char to_text[16];         /* `to` as written, "" if none */
	int64_t from;             /* first second covered (INT64_MIN if open) */
	int64_t until;            /* first second no longer covered (INT64_MAX if open) */
	bool gross;               /* basis is `gross` (else `net`) */
	struct split_tier *tiers; /* ascending tier numbers (owned) */
	size_t ntiers;
	size_t npayees;           /* payees over all tiers */
	long line;                /* first line of the agreement */
};

/* One capped tier's counter: how much of the cap has been recouped. */
struct split_cap {
	char *key;        /* agreement key "\tTIER\tCUR": the tier across runs (owned) */
	int64_t recouped; /* micro-units of the cap's currency, 0 <= recouped <= cap */
};

struct split_cache; /* private: the match cache */

struct split_rules {
	char *name;                         /* display name of the agreements file (owned) */
	struct split_agreement *agreements; /* file order (owned) */
	size_t n;
	struct split_cap *caps;             /* one per capped tier (owned) */
	size_t ncaps;
	size_t max_payees;                  /* most payees of one agreement */
	bool uses_net, uses_gross;          /* which basis columns are needed */
	bool looks_at[SPLIT_ON_SKU + 1];    /* fields some agreement matches on */
	struct split_cache *cache;          /* private */
	bool rotate_ties;                   /* set by the caller: a tier's ties go round with the month */
};

/* Parse an agreements file held in text[0..len) (name: for messages and
 * split_rules.name).  Blank lines and lines whose first non-blank
 * character is '#' are skipped; the first other line is the header.
 * Returns SPLIT_OK, SPLIT_ENOMEM, or SPLIT_EDATA (SPLIT_ECOLUMN when the
 * header lacks match, payee or share, or has no TAB) with *err_line (0 when
 * not about a line) and err[] (no "prog: FILE:LINE: " prefix) saying what
 * is wrong.  On failure *r is left empty (split_rules_free is safe). */
int split_rules_parse(struct split_rules *r, const char *name, const char *text, size_t len,
		      long *err_line, char *err, size_t errcap);

/* The fields of an input row that matching looks at (NUL-terminated). */
struct split_row {
	const char *source, *product, *sku, *kind;
	int64_t when; /* the date that chooses the agreement */
};

/* Choose the agreement for a row: among the agreements whose match covers
 * the row and whose dates contain row->when, the most specific (see
 * split_on, then an exact name before a glob, then more literal
 * characters).  Sets *out.  Returns SPLIT_OK, SPLIT_ENOMATCH,
 * SPLIT_EDATE (some agreements match but none on this date),
 * SPLIT_EAMBIGUOUS (*out and *other are the two) or SPLIT_ENOMEM.
 * Results are cached per (source, product, sku, kind); the cache is
 * bounded. */
int split_find(struct split_rules *r, const struct split_row *row,
	       const struct split_agreement **out, const struct split_agreement **other);

/* Agreements whose match covers the row, whatever their dates, most
 * specific first (for messages and --explain).  *n is set; the array is
 * owned by the cache and valid until the next split_find/split_matches. */
int split_matches(struct split_rules *r, const struct split_row *row,
		  const struct split_agreement *const **list, size_t *n);

/* One payee's part of a row. */
struct split_part {
	const struct split_tier *tier;
	const struct split_payee *payee;
	int64_t amount; /* micro-units of the row's currency */
};

/* What happened at one tier, for --explain. */
struct split_step {
	int64_t flow;     /* what reached the tier */
	int64_t want;     /* the tier's shares of it */
	int64_t take;     /* what it took (want, limited by its cap) */
	int64_t cap_before, cap_after; /* recouped before and after, cap currency */
	struct ratio rate;/* conversion rate into the cap currency (1 if same) */
};

/* Run basis (micro-units of currency, whose date for rates is `when`)
 * through agreement a's tiers.
 *
 * Each tier takes its total share of what flows (rounded by largest
 * remainder between the tier and what flows on).  A capped tier takes no
 * more than what remains of its cap; a negative flow (refund, chargeback,
 * cost) at a capped tier gives back recoupment first: it takes at most
 * minus what has been recouped.  When the flow and the cap are in
 * different currencies, the take is converted with fx at `when` (NULL:
 * SPLIT_ENOFX), and the part that exhausts the cap is converted back,
 * rounded half to even.  Then the tier's payees divide its take by their
 * shares (largest remainder: equal remainders go to the payee listed
 * first or, with r->rotate_ties, from payee m mod n round, m the month
 * index of `when`, so the odd micro-unit goes round the payees month by
 * month and a reversal dated with its sale gets its sale's rounding).
 * The last tier takes all that is left.
 *
 * Writes the non-zero parts to parts[] (room for a->npayees) and their
 * count to *nparts, and steps[] (room for a->ntiers) when not NULL.  The
 * cap counters r->caps[].recouped are updated only on success.  The parts
 * always sum to basis; if they did not, SPLIT_EINTERNAL.  Other returns:
 * SPLIT_OK, SPLIT_ENOFX, SPLIT_ENORATE, SPLIT_ERANGE. */
int split_apply(struct split_rules *r, const struct split_agreement *a, int64_t basis,
		const char *currency, int64_t when, const struct fx_table *fx,
		struct split_part *parts, size_t *nparts, struct split_step *steps);

/* A payee of r whose name differs from name only by case or spaces (as
 * the agreements file's own names are checked), or NULL (also when out of
 * memory).  For --default-payee. */
const struct split_payee *split_rules_name_clash(const struct split_rules *r, const char *name);

/* Release everything. */
void split_rules_free(struct split_rules *r);

#endif
