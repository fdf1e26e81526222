/* attribute.h - tally-attribute's engine: contributions -> exact shares.
 *
 * A contribution (one row of the contributions stream, tally.7) is a
 * contributor's act of some kind on a project.  The engine turns them into
 * points per (project, contributor) with the `points` or `time` method and
 * the points into shares that are exact fractions over one denominator per
 * project, summing to exactly 1.  Everything is integer arithmetic on
 * micro-points (10^-6 of a point) except three documented per-value
 * functions (the decay factor, sqrt and log), each rounded to the
 * micro-point before any sum, so the same rows in any order give the same
 * result bit for bit.  tally-attribute(1) documents the formulas.
 *
 * Library code: functions return statuses (attr_status) and write a
 * message, without "prog: FILE:LINE: ", into err[ATTR_ERR]. */
#ifndef TALLY_ATTRIBUTE_H
#define TALLY_ATTRIBUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "money.h"
#include "keyindex.h"

#define ATTR_ERR 512       /* room for a message */
#define ATTR_THIN 2        /* evidence of at most this many contributions is thin */
#define ATTR_POINT 1000000 /* micro-points per point */
#define ATTR_DECAY_AGES 16384 /* ages (days) whose decay factor is kept */

__extension__ typedef unsigned __int128 attr_u128; /* share numerators before reduction */

enum attr_status {
	ATTR_OK = 0,
	ATTR_EDATA = -1,  /* bad data: err says what */
	ATTR_ENOMEM = -2, /* out of memory */
	ATTR_ERANGE = -3, /* a sum or a denominator left 64 bits: err says which */
};

enum attr_method {
	ATTR_POINTS,   /* sum of weight(kind) x amount, decayed, transformed */
	ATTR_TIME,     /* sqrt(active months x weighting) */
	ATTR_EXTERNAL, /* points given with attr_add_points (graph, shapley, markov, peer) */
};
enum attr_transform { ATTR_LINEAR, ATTR_SQRT, ATTR_LOG };

/* One contribution, fields borrowed from the reader's row. */
struct attr_row {
	int64_t date;                  /* seconds since the epoch, UTC */
	const char *contributor;       /* non-empty */
	size_t contributor_len;
	const char *kind;              /* non-empty */
	size_t kind_len;
	const char *project;           /* non-empty: an agreements `match` */
	size_t project_len;
	int64_t amount;                /* micro-units, >= 0 (default 1 = 1000000) */
	const char *ref;               /* the contribution's id, "" if none */
	size_t ref_len;
	const char *target;            /* whom it responds to, "" if none (kept for methods) */
	size_t target_len;
};

/* ---- small table files: weights, aliases, membership ------------------- */

/* A parsed table file: TAB-separated, tally.7 escapes, blank lines and
 * lines starting with '#' skipped, the first other line the header. */
struct attr_table {
	char **cols;     /* header names (owned) */
	size_t ncols;
	char ***rows;    /* rows[i][c], NUL-terminated, unescaped (owned) */
	long *lines;     /* line number of each row */
	size_t nrows;
	long header_line;
};

/* Parse text[0..len).  A row with fewer fields than the header reads the
 * missing ones as ""; more fields, a bad escape or a NUL are errors.
 * Returns ATTR_OK, ATTR_ENOMEM, or ATTR_EDATA with *line and err set.  On
 * failure *t is empty (attr_table_free is safe). */
int attr_table_parse(struct attr_table *t, const char *text, size_t len, long *line, char *err);
/* Index of column name, or -1. */
int attr_table_col(const struct attr_table *t, const char *name);
void attr_table_free(struct attr_table *t);

/* The weights file: `kind weight` and optional `cap` (most points of that
 * kind one contributor earns in one `period`, default month). */
struct attr_kind {
	int64_t weight;           /* micro-points per unit of amount */
	int64_t cap;              /* micro-points per contributor per period, -1 for none */
	enum period_kind period;  /* the cap's period */
	long line;                /* line of the weights file, 0 for a default */
};

struct attr_weights {
	struct names names; /* kinds */
	struct attr_kind *kinds;   /* by id in names (owned) */
	bool given;                /* a file was read: a kind not in it is an error */
};

/* Parse a weights table (weight: a decimal of up to 6 decimals, >= 0; cap
 * likewise; period: day, week, month, quarter, year).  A kind twice is an
 * error.  Returns an attr_status, *line and err on ATTR_EDATA. */
int attr_weights_from_table(struct attr_weights *w, const struct attr_table *t, long *line, char *err);
void attr_weights_free(struct attr_weights *w);

/* The aliases file: `alias payee`.  Chains are followed (a -> b -> c
 * credits c); a cycle is an error naming the line that closes it; an alias
 * given twice with two payees is an error. */
struct attr_aliases {
	struct names names; /* every name seen */
	int32_t *to;               /* by id: the final payee's id, -1 if not an alias (owned) */
	long *line;                /* by id: the line making it an alias */
};

int attr_aliases_from_table(struct attr_aliases *a, const struct attr_table *t, long *line, char *err);
/* The payee of name[0..len) (itself when not an alias): sets *s, *len. */
bool attr_aliases_resolve(const struct attr_aliases *a, const char **s, size_t *len);
void attr_aliases_free(struct attr_aliases *a);

/* ---- the engine -------------------------------------------------------- */

struct attr_config {
	enum attr_method method;
	enum attr_transform transform;
	bool have_as_of;
	int64_t as_of;        /* rows dated after the end of this day are left out */
	int64_t half_life;    /* days; 0 for no decay (needs have_as_of) */
	const struct attr_weights *weights;  /* may be NULL: every kind weighs 1 */
	const struct attr_aliases *aliases;  /* may be NULL */
	bool count_days;      /* count distinct days (attr_member.days; costs a table of days) */
	bool have_since;
	int64_t since;        /* rows dated before this are left out (--policy immediate) */
};

/* Per (member, kind): what the explanation shows. */
struct attr_kindsum {
	uint32_t member, kind;  /* member index, kind id in attr_engine.kinds */
	int64_t raw;            /* sum of weight x amount (micro-points) */
	int64_t decayed;        /* after decay and the per-kind cap */
	int64_t cut;            /* raw points cut by the per-kind cap */
	long count;             /* contributions counted */
};

/* One (project, contributor). */
struct attr_member {
	uint32_t project;       /* id in attr_engine.names */
	uint32_t contributor;   /* id in attr_engine.names */
	int64_t raw, decayed;   /* sums over kinds */
	int64_t points;         /* after the transform (or √(months x weighting)): the share's weight */
	long count;             /* contributions counted */
	long days;              /* distinct days with a contribution (with cfg.count_days) */
	long months;            /* distinct months (time method: from the membership when given) */
	bool merged;            /* some rows came under an alias */
	bool flood;             /* a per-kind cap cut something */
	bool capped;            /* the share was cut to --cap */
	bool below_min;         /* left out by --min-share (share 0) */
	uint32_t pindex;        /* index of its project in attr_engine.projects (after attr_finish) */
	uint32_t buckets;       /* private: its first uncapped bucket + 1, 0 for none */
	attr_u128 num;          /* share numerator over the project's den (set by attr_shares) */
};

struct attr_project {
	uint32_t name;          /* id in attr_engine.names */
	size_t first, n;        /* its members: members[first .. first + n) */
	attr_u128 den;          /* the shares' common denominator */
};

#define ATTR_KIND_FAST 64 /* slots of the engine's cache of kinds */

struct attr_engine {
	struct attr_config cfg;
	struct names names;  /* projects and contributors */
	struct names kinds;  /* kinds met */
	struct keymap bucket_map, day_map, month_map;
	struct names member_keys; /* "project NUL contributor" -> member index (private) */
	struct keymap ref_map;    /* fingerprint of (member, kind, ref) -> refs index (private) */
	const struct attr_kind **kind_info; /* by kind id: its weight entry (private) */
	double *decay_factor;          /* private: 2^(-age / half-life) by age in days, 0 until computed */
	uint32_t *rank;                /* private, after attr_finish: by name id, its place in strcmp order */
	struct attr_member *members;
	size_t nmembers, members_cap;
	struct attr_bucket *buckets;   /* private */
	size_t nbuckets, buckets_cap;
	struct attr_refkept *refs;     /* private: one kept row per distinct ref */
	size_t nrefs, refs_cap;
	struct attr_kindsum *kindsums; /* after attr_finish */
	size_t nkindsums, kindsums_cap;
	uint8_t kind_fast[ATTR_KIND_FAST]; /* private: kind id + 1 by first byte and length, 0: none */
	struct attr_project *projects; /* after attr_finish, by project name */
	size_t nprojects;
	long after_as_of;              /* rows left out: dated after --as-of */
	long before_since;             /* rows left out: dated before cfg.since */
	long zero_weight;              /* rows left out: their kind weighs 0 */
	long duplicates;               /* rows left out: a ref seen already */
	long rows;                     /* rows offered */
	int64_t last_date;             /* latest date of a row counted (INT64_MIN if none) */
};

/* Start an engine (cfg and what it points to are borrowed). */
void attr_engine_init(struct attr_engine *e, const struct attr_config *cfg);

/* Count one contribution.  Rows dated after --as-of, of a zero-weight
 * kind, or repeating a (project, contributor, kind, ref) already seen are
 * counted in e->after_as_of, zero_weight, duplicates and left out.  Of
 * rows sharing a ref, the one kept is the earliest, then the largest
 * amount, whatever their order.  Returns ATTR_OK, ATTR_ENOMEM, ATTR_ERANGE,
 * or ATTR_EDATA (err: a kind the weights file does not name). */
int attr_add(struct attr_engine *e, const struct attr_row *row, char *err);

/* Give (project, who) `points` micro-points and `evidence` contributions
 * directly, for a method computed elsewhere (cfg.method ATTR_EXTERNAL);
 * points of one member add up.  Returns ATTR_OK, ATTR_ENOMEM or
 * ATTR_ERANGE. */
int attr_add_points(struct attr_engine *e, const char *project, size_t plen, const char *who, size_t wlen,
		    int64_t points, long evidence);

/* Membership for the time method: `contributor` active from month `from`
 * to month `to` (both included), with `weighting` (1 full time, 0.5 half).
 * Months and weighting then come from here instead of the contributions,
 * for every project the contributor has contributions in; a contributor
 * the file does not name counts the months of their contributions. */
struct attr_membership {
	struct names names;   /* contributors (after aliases) */
	int64_t *months;             /* by id: sum of months x weighting, micro-months */
};

int attr_membership_from_table(struct attr_membership *m, const struct attr_table *t,
			       const struct attr_aliases *aliases, int64_t as_of, long *line, char *err);
void attr_membership_free(struct attr_membership *m);

/* Close the aggregation: apply per-kind caps, the decay and the
 * transform (or the time weighting, from membership when not NULL), and
 * group members by project (projects by name, bytewise; the order within
 * a project is settled by attr_shares, which must follow before any
 * output).  Returns an attr_status. */
int attr_finish(struct attr_engine *e, const struct attr_membership *membership, char *err);

/* Exact shares of every project: num/den with sum(num) == den.  min_share
 * (NULL for none) first leaves out, repeatedly, every member whose share
 * is below it, the rest taking its points' share in proportion; then cap
 * (NULL for none) sets every share above it to exactly cap and gives the
 * excess to the others in proportion to their points, repeatedly, until no
 * share exceeds it (water-filling).  Members are then sorted within their
 * project by share descending, then contributor name bytewise.  Returns
 * ATTR_OK, ATTR_EDATA (a project with no points, every member below the
 * minimum, a cap below 1/n), ATTR_ERANGE (a denominator beyond 64 bits). */
int attr_shares(struct attr_engine *e, const struct ratio *min_share, const struct ratio *cap, char *err);

/* A member's share reduced to lowest terms (fits int64 after attr_shares). */
struct ratio attr_member_share(const struct attr_engine *e, const struct attr_member *m);

/* Name of id in e->names / e->kinds. */
static inline const char *attr_name(const struct attr_engine *e, uint32_t id)
{
	return e->names.s[id];
}

void attr_engine_free(struct attr_engine *e);

/* Format a message into err[ATTR_ERR]; returns ATTR_EDATA. */
int attr_fail(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write an exact ratio as "NUM/DEN" into buf (>= 48 bytes); returns the length. */
size_t attr_format_ratio(char *buf, struct ratio r);

/* Micro-points as a decimal ("3", "2.5", "0.000001"); buf >= MONEY_BUF. */
size_t attr_format_points(char *buf, int64_t micro);

#endif
