/* attribute_opts.h - tally-attribute's options: each value parsed and
 * checked as it is given, the combinations checked together, and the
 * engine's configuration made from them.  Pure: a refused option comes
 * back as false with the message (without "prog: ") in the caller's
 * buffer; the command prints it and its usage. */
#ifndef TALLY_ATTRIBUTE_OPTS_H
#define TALLY_ATTRIBUTE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attribute.h"
#include "date.h"
#include "money.h"

/* -f: what is written. */
enum attr_format { ATTR_FMT_SHARES, ATTR_FMT_AGREEMENTS, ATTR_FMT_MD, ATTR_FMT_HTML };

/* The options of a run, as given (attr_opts_set) and checked together
 * (attr_opts_check).  Paths are borrowed from argv. */
struct attr_options {
	const char *agreements;   /* -a, with --pool */
	const char *allc;         /* --all-contributors */
	const char *aliases;      /* -A */
	bool have_as_of;
	int64_t as_of;            /* --as-of */
	bool have_budget;
	int64_t budget;           /* --budget AMOUNT */
	char currency[4];         /* --budget's CUR */
	bool have_cap, have_min;
	struct ratio cap, min;    /* --cap, --min-share */
	const char *diff;         /* -d */
	const char *explain;      /* -e */
	enum attr_format format;       /* -f */
	const char *git;          /* -g DIR, or "-" for a log on stdin */
	int64_t half_life;        /* --half-life DAYS */
	bool lines;               /* --lines */
	const char *map;          /* -M: a contributions mapping for CSV/TSV exports */
	const char *membership;   /* --membership */
	enum attr_method method;  /* -m */
	const char *output;       /* -o */
	const char *pool;         /* -p */
	bool have_pool_since;
	struct period pool_since; /* --pool-since MONTH: the first month the pool is filled for */
	const char *project;      /* -P */
	enum attr_transform transform; /* -t */
	const char *weights;      /* -w */
	const char *method_name;  /* -m as given */
	int other;                /* -m graph, shapley, markov, peer: ATTR_OTHER_*, else 0 */
	const char *revenue;      /* --revenue SALES (graph) */
	const char *edges, *seed; /* --edges, --seed (graph) */
	double damping;           /* --damping (graph) */
	const char *circle;       /* --circle (peer) */
	int policy;               /* --policy: ATTR_POLICY_* */
	const char *ledger;       /* --ledger (policy balanced) */
};

/* --policy. */
enum { ATTR_POLICY_NONE, ATTR_POLICY_IMMEDIATE, ATTR_POLICY_RECENT, ATTR_POLICY_BALANCED };

/* The methods computed by other modules (attribute_run.h). */
enum { ATTR_OTHER_NONE, ATTR_OTHER_GRAPH, ATTR_OTHER_SHAPLEY, ATTR_OTHER_MARKOV, ATTR_OTHER_PEER };

/* getopt values of the options without a short letter (the others are
 * their letter). */
enum {
	ATTR_OPT_AS_OF = 256, ATTR_OPT_HALF_LIFE, ATTR_OPT_CAP, ATTR_OPT_MIN, ATTR_OPT_MEMBERSHIP, ATTR_OPT_LINES,
	ATTR_OPT_ALLC, ATTR_OPT_REVENUE, ATTR_OPT_EDGES, ATTR_OPT_SEED, ATTR_OPT_DAMPING, ATTR_OPT_CIRCLE,
	ATTR_OPT_POLICY, ATTR_OPT_LEDGER, ATTR_OPT_POOL_SINCE,
};

/* The options before any is given: method points, damping unset (-1). */
void attr_opts_init(struct attr_options *opt);

/* Option C (its getopt value) with ARG (NULL for a flag) into *opt.
 * Returns 1 when set; 0 when ARG is not a value of the option (the
 * message in err, CAP bytes: '--method: "x" is not points, time, ...');
 * -1 when C is not an option of a run (help, version, unknown). */
int attr_opts_set(struct attr_options *opt, int c, const char *arg, char *err, size_t cap);

/* Whether the options go together, with OPERANDS file operands; the
 * first that does not in err ("--lines needs --git").  Fills in what one
 * option implies of another (--policy recent: a half-life of 90 days). */
bool attr_opts_check(struct attr_options *opt, int operands, char *err, size_t cap);

/* The engine's configuration of the options; WEIGHTS and ALIASES are the
 * loaded side files (used only when the options name them). */
struct attr_config attr_opts_config(const struct attr_options *opt, const struct attr_weights *weights,
				    const struct attr_aliases *aliases);

#endif
