/* attribute_opts.c - tally-attribute's options to a checked set and the
 * engine's configuration (attribute_opts.h). */
#include "attribute_opts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

static bool refuse(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool refuse(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return false;
}

void attr_opts_init(struct attr_options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->damping = -1;
	opt->method_name = "points";
}

static int pick(const char *arg, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(arg, names[i]) == 0)
			return (int)i;
	return -1;
}

static bool parse_method(struct attr_options *opt, const char *arg, char *err, size_t cap)
{
	static const char *const names[] = {"points", "time", "graph", "shapley", "markov", "peer"};
	int m = pick(arg, names, 6);
	if (m < 0)
		return refuse(err, cap, "--method: \"%s\" is not points, time, graph, shapley, markov or peer", arg);
	opt->method = m == 1 ? ATTR_TIME : m >= 2 ? ATTR_EXTERNAL : ATTR_POINTS;
	opt->other = m >= 2 ? m - 1 : ATTR_OTHER_NONE;
	opt->method_name = names[m];
	return true;
}

static bool parse_damping(struct attr_options *opt, const char *arg, char *err, size_t cap)
{
	char *end;
	errno = 0;
	opt->damping = strtod(arg, &end);
	if (errno || *end || end == arg || !(opt->damping >= 0 && opt->damping < 1))
		return refuse(err, cap, "--damping: \"%s\" is not a number in [0, 1)", arg);
	return true;
}

static bool parse_format(struct attr_options *opt, const char *arg, char *err, size_t cap)
{
	static const char *const names[] = {"shares", "agreements", "credits", "md", "html"};
	static const enum attr_format values[] = {ATTR_FMT_SHARES, ATTR_FMT_AGREEMENTS, ATTR_FMT_MD, ATTR_FMT_MD,
						  ATTR_FMT_HTML};
	int k = pick(arg, names, 5);
	if (k < 0)
		return refuse(err, cap, "--format: \"%s\" is not shares, agreements, credits, md or html", arg);
	opt->format = values[k];
	return true;
}

static bool parse_ratio(const char *name, const char *arg, struct ratio *r, bool *have, char *err, size_t cap)
{
	if (ratio_parse(arg, strlen(arg), r) < 0 || r->num == 0 || r->num > r->den)
		return refuse(err, cap, "%s: \"%s\" is not a share above 0 and at most 1 (10%%, 1/8, 0.05)", name,
			      arg);
	*have = true;
	return true;
}

static bool parse_budget(struct attr_options *opt, const char *arg, char *err, size_t cap)
{
	const char *sp = strrchr(arg, ' ');
	if (!sp || strlen(sp + 1) != 3 || currency_digits(sp + 1, 3) < 0 ||
	    money_parse(arg, (size_t)(sp - arg), &opt->budget) != MONEY_OK || opt->budget < 0)
		return refuse(err, cap, "--budget: \"%s\" is not AMOUNT CUR (500.00 USD)", arg);
	memcpy(opt->currency, sp + 1, 4);
	opt->have_budget = true;
	return true;
}

static bool parse_pool_since(struct attr_options *opt, const char *arg, char *err, size_t cap)
{
	if (period_parse(arg, strlen(arg), &opt->pool_since) < 0 || opt->pool_since.kind != PERIOD_MONTH)
		return refuse(err, cap, "--pool-since: \"%s\" is not a month (YYYY-MM)", arg);
	opt->have_pool_since = true;
	return true;
}

static bool parse_as_of(struct attr_options *opt, const char *arg, char *err, size_t cap)
{
	if (date_parse(arg, strlen(arg), &opt->as_of) < 0)
		return refuse(err, cap, "--as-of: \"%s\" is not a date (YYYY-MM-DD)", arg);
	opt->have_as_of = true;
	return true;
}

static bool parse_half_life(struct attr_options *opt, const char *arg, char *err, size_t cap)
{
	char *end;
	errno = 0;
	long long v = strtoll(arg, &end, 10);
	if (errno || *end || end == arg || v <= 0 || v > 1000000)
		return refuse(err, cap, "--half-life: \"%s\" is not a number of days (1 to 1000000)", arg);
	opt->half_life = v;
	return true;
}

static bool parse_transform(struct attr_options *opt, const char *arg, char *err, size_t cap)
{
	static const char *const names[] = {"linear", "sqrt", "log"};
	int k = pick(arg, names, 3);
	if (k < 0)
		return refuse(err, cap, "--transform: \"%s\" is not linear, sqrt or log", arg);
	opt->transform = (enum attr_transform)k;
	return true;
}

static bool parse_policy(struct attr_options *opt, const char *arg, char *err, size_t cap)
{
	static const char *const names[] = {"immediate", "recent", "balanced"};
	int k = pick(arg, names, 3);
	if (k < 0)
		return refuse(err, cap, "--policy: \"%s\" is not immediate, recent or balanced", arg);
	opt->policy = k + 1;
	return true;
}

/* Where option C's path goes, or NULL when C takes no path. */
static const char **path_of(struct attr_options *opt, int c)
{
	switch (c) {
	case 'a': return &opt->agreements;
	case 'A': return &opt->aliases;
	case ATTR_OPT_ALLC: return &opt->allc;
	case ATTR_OPT_CIRCLE: return &opt->circle;
	case ATTR_OPT_EDGES: return &opt->edges;
	case ATTR_OPT_LEDGER: return &opt->ledger;
	case ATTR_OPT_REVENUE: return &opt->revenue;
	case ATTR_OPT_SEED: return &opt->seed;
	case 'd': return &opt->diff;
	case 'e': return &opt->explain;
	case 'g': return &opt->git;
	case 'M': return &opt->map;
	case ATTR_OPT_MEMBERSHIP: return &opt->membership;
	case 'o': return &opt->output;
	case 'p': return &opt->pool;
	case 'P': return &opt->project;
	case 'w': return &opt->weights;
	default: return NULL;
	}
}

int attr_opts_set(struct attr_options *opt, int c, const char *arg, char *err, size_t cap)
{
	const char **path = path_of(opt, c);
	if (path) {
		*path = arg;
		return 1;
	}
	switch (c) {
	case ATTR_OPT_AS_OF: return parse_as_of(opt, arg, err, cap);
	case ATTR_OPT_POOL_SINCE: return parse_pool_since(opt, arg, err, cap);
	case 'b': return parse_budget(opt, arg, err, cap);
	case ATTR_OPT_DAMPING: return parse_damping(opt, arg, err, cap);
	case ATTR_OPT_POLICY: return parse_policy(opt, arg, err, cap);
	case ATTR_OPT_CAP: return parse_ratio("--cap", arg, &opt->cap, &opt->have_cap, err, cap);
	case 'f': return parse_format(opt, arg, err, cap);
	case ATTR_OPT_HALF_LIFE: return parse_half_life(opt, arg, err, cap);
	case ATTR_OPT_LINES: opt->lines = true; return 1;
	case 'm': return parse_method(opt, arg, err, cap);
	case ATTR_OPT_MIN: return parse_ratio("--min-share", arg, &opt->min, &opt->have_min, err, cap);
	case 't': return parse_transform(opt, arg, err, cap);
	default: return -1;
	}
}

/* --policy: immediate counts the month of --as-of only, recent decays
 * (half-life 90 days unless given), balanced pays a budget by what each
 * is short of its lifetime share (the ledger says what was paid). */
static bool check_policy(struct attr_options *opt, char *err, size_t cap)
{
	if (opt->policy && !opt->have_as_of)
		return refuse(err, cap, "--policy needs --as-of DATE");
	if (opt->policy && opt->other)
		return refuse(err, cap, "--policy is for --method points or time");
	if (opt->policy == ATTR_POLICY_RECENT && opt->method == ATTR_TIME)
		return refuse(err, cap, "--policy recent decays points: not with --method time");
	if (opt->policy == ATTR_POLICY_RECENT && !opt->half_life)
		opt->half_life = 90;
	if (!!opt->ledger != (opt->policy == ATTR_POLICY_BALANCED))
		return refuse(err, cap, "--policy balanced and --ledger FILE go together");
	if (opt->policy == ATTR_POLICY_BALANCED && !opt->have_budget)
		return refuse(err, cap, "--policy balanced needs --budget 'AMOUNT CUR'");
	return true;
}

/* Options that belong to some methods only. */
static bool check_method_options(const struct attr_options *opt, char *err, size_t cap)
{
	bool graph = opt->other == ATTR_OTHER_GRAPH;
	bool paths = opt->other == ATTR_OTHER_SHAPLEY || opt->other == ATTR_OTHER_MARKOV;
	bool peer = opt->other == ATTR_OTHER_PEER;
	if ((opt->revenue || opt->edges || opt->seed || opt->damping >= 0) && !graph)
		return refuse(err, cap, "--revenue, --edges, --seed and --damping need --method graph");
	if (!!opt->edges != !!opt->seed)
		return refuse(err, cap, "--edges FILE and --seed FILE go together");
	if (opt->edges && (opt->revenue || opt->git || opt->allc))
		return refuse(err, cap, "--edges reads a graph: no --revenue, --git or --all-contributors");
	if (opt->circle && !peer)
		return refuse(err, cap, "--circle needs --method peer");
	if (peer && !opt->circle)
		return refuse(err, cap, "--method peer needs --circle FILE");
	if ((paths || peer) && (opt->git || opt->allc || opt->weights))
		return refuse(err, cap, "--method %s reads its own input: no --git, --all-contributors or --weights",
			      opt->method_name);
	if (opt->other && (opt->half_life || opt->transform != ATTR_LINEAR))
		return refuse(err, cap, "--half-life and --transform are for --method points");
	if (opt->other && opt->format != ATTR_FMT_SHARES && opt->format != ATTR_FMT_AGREEMENTS)
		return refuse(err, cap, "--method %s has no kinds to credit: --format shares or agreements",
			      opt->method_name);
	return true;
}

/* Options that belong to the outputs and inputs. */
static bool check_outputs(const struct attr_options *opt, char *err, size_t cap)
{
	if (opt->half_life && !opt->have_as_of)
		return refuse(err, cap, "--half-life needs --as-of DATE");
	if (!!opt->pool != !!opt->agreements)
		return refuse(err, cap, "--pool PAYEE and --agreements FILE go together");
	if (opt->have_pool_since && (!opt->pool || !opt->have_as_of))
		return refuse(err, cap, "--pool-since MONTH needs --pool PAYEE and --as-of DATE");
	if (opt->have_pool_since &&
	    period_diff(opt->pool_since, period_of(opt->as_of, PERIOD_MONTH)) < 0)
		return refuse(err, cap, "--pool-since: the month is after the month of --as-of");
	if (opt->pool && (opt->have_budget || opt->diff))
		return refuse(err, cap, "--pool cannot go with --budget or --diff");
	if (opt->have_budget && opt->diff)
		return refuse(err, cap, "--budget cannot go with --diff");
	if ((opt->pool || opt->have_budget || opt->diff) && opt->format != ATTR_FMT_SHARES)
		return refuse(err, cap, "--format cannot go with --pool, --budget or --diff");
	if (opt->lines && !opt->git)
		return refuse(err, cap, "--lines needs --git");
	if (opt->membership && opt->method != ATTR_TIME)
		return refuse(err, cap, "--membership needs --method time");
	if (opt->method == ATTR_TIME && (opt->half_life || opt->transform != ATTR_LINEAR))
		return refuse(err, cap, "--half-life and --transform are for --method points");
	return true;
}

/* Options about where the contributions come from. */
static bool check_inputs(const struct attr_options *opt, int operands, char *err, size_t cap)
{
	if (opt->git && strcmp(opt->git, "-") == 0 && !opt->project)
		return refuse(err, cap, "--git - (a log on standard input) needs --project NAME");
	if (opt->git && strcmp(opt->git, "-") == 0 && operands)
		return refuse(err, cap, "--git - reads standard input: no FILE operands");
	if (opt->map && opt->other && opt->other != ATTR_OTHER_GRAPH)
		return refuse(err, cap, "--method %s reads its own input: no --map", opt->method_name);
	if (opt->map && opt->edges)
		return refuse(err, cap, "--edges reads a graph: no --map");
	if (opt->allc && !opt->have_as_of)
		return refuse(err, cap, "--all-contributors needs --as-of DATE (the file has no dates)");
	if (opt->have_pool_since && ((opt->git && strcmp(opt->git, "-") == 0) || (!operands && !opt->git && !opt->allc)))
		return refuse(err, cap, "--pool-since reads the contributions once a month: name their files, not "
				      "standard input");
	return true;
}

bool attr_opts_check(struct attr_options *opt, int operands, char *err, size_t cap)
{
	return check_outputs(opt, err, cap) && check_method_options(opt, err, cap) &&
	       check_policy(opt, err, cap) && check_inputs(opt, operands, err, cap);
}

struct attr_config attr_opts_config(const struct attr_options *opt, const struct attr_weights *weights,
				    const struct attr_aliases *aliases)
{
	bool immediate = opt->policy == ATTR_POLICY_IMMEDIATE;
	return (struct attr_config){
		.method = opt->method, .transform = opt->transform, .have_as_of = opt->have_as_of,
		.as_of = opt->as_of, .half_life = opt->half_life,
		.weights = opt->weights ? weights : NULL, .aliases = opt->aliases ? aliases : NULL,
		.count_days = opt->explain != NULL,
		.have_since = immediate,
		.since = immediate ? period_start(period_of(opt->as_of, PERIOD_MONTH)) : 0,
	};
}
