/* attribute_out.h - what tally-attribute writes from an engine's shares
 * (attribute.h): the shares table, agreements rows for tally-split, an
 * agreements file with a pool payee replaced, an allocations stream for a
 * budget, the explanation, a diff against an earlier run and the credits
 * page.  Every function writes to a struct out (out.h) and returns an
 * attr_status; it never prints or exits.  Members are written in the
 * engine's order (project bytewise, share descending, contributor
 * bytewise) unless a function says otherwise. */
#ifndef TALLY_ATTRIBUTE_OUT_H
#define TALLY_ATTRIBUTE_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attribute.h"
#include "out.h"

/* project contributor share points evidence: share an exact "NUM/DEN",
 * points the share's weight, evidence the contributions counted.
 * Members left out by --min-share are not written. */
void attr_write_shares(struct out *o, const struct attr_engine *e);

/* match tier payee share, one row per member with a share (tier 1). */
void attr_write_agreements(struct out *o, const struct attr_engine *e);

/* Explanation: one row per (member, kind) and a "*" row per member:
 * project contributor kind raw decayed cut points share contributions
 * days flags (thin, flood, capped, merged, below-min, comma-separated). */
void attr_write_explain(struct out *o, const struct attr_engine *e);

/* Which lines of the filled agreements attr_write_pool writes: all of
 * them; or, for --pool-since (the pool filled once a month), the lines
 * of the agreements without a pool row (header and comments included),
 * once; and the rows of the agreements with one, filled by one month's
 * shares and dated from..to. */
enum attr_pool_part { ATTR_POOL_ALL, ATTR_POOL_UNPOOLED, ATTR_POOL_DATED };

struct attr_pool_dates {
	enum attr_pool_part part;
	const char *from, *to; /* ATTR_POOL_DATED: written in "from" and "to" ("" open) */
};

/* The agreements file text[0..len) (name for messages) with every row
 * whose payee is `pool` replaced by one row per member of the project
 * named by its match, share = the pool row's share x the member's share
 * (exact), the other fields as written; every other line unchanged.  d
 * (NULL: ATTR_POOL_ALL) says which lines are written, and how the pool's
 * agreements (those with a pool row: every row of their match) are dated:
 * they must be undated, and the file must have "from" and "to" columns.
 * Returns ATTR_OK, or ATTR_EDATA with *line and err (a pool row whose
 * match has no contributions, a share that is a plain weight or not a
 * share, a pool agreement dated, no from or to column, no pool row at all
 * (line 0)), ATTR_ERANGE (a product beyond 64 bits), ATTR_ENOMEM. */
int attr_write_pool(struct out *o, const struct attr_engine *e, const char *text, size_t len, const char *pool,
		    const struct attr_pool_dates *d, long *line, char *err);

/* An allocations stream (tally.7) for a budget of `amount` micro-units
 * of currency: split among projects in proportion to the points of their
 * members with a share, then within each project by the exact shares,
 * each by the largest remainder (alloc.h; ties to the earlier row in the
 * output order), so the amounts sum exactly to the budget.  date is the
 * day written on every row.
 *
 * With paid (by member: micro-units already paid to its contributor, the
 * `balanced` policy; one project only) a project's part B is divided
 * instead in proportion to what each is short of its lifetime fair share:
 * want(c) = max(0, floor((P + B) x share(c)) - paid(c)), P the sum of
 * paid over the project; when nobody is short, by the shares.  Returns an
 * attr_status. */
int attr_write_budget(struct out *o, const struct attr_engine *e, int64_t amount, const char *currency,
		      int64_t date, const int64_t *paid, char *err);

/* One row of an earlier shares table. */
struct attr_old_share {
	char *project, *contributor; /* owned by the caller */
	struct ratio share;
};

/* project contributor old new change for every (project, contributor) in
 * either run (a missing share is 0), sorted by project then contributor
 * bytewise; change = new - old, exact and signed ("+1/12", "-1/4", "0"). */
int attr_write_diff(struct out *o, const struct attr_engine *e, const struct attr_old_share *old, size_t nold);

enum attr_credits { ATTR_CREDITS_MD, ATTR_CREDITS_HTML };

/* A recognition page: per project, every contributor (bytewise order) and
 * their kinds with counts (most first, then kind bytewise); every value
 * escaped for the format (escape.h). */
void attr_write_credits(struct out *o, const struct attr_engine *e, enum attr_credits format);

#endif
