/* test_attribute_opts.c - unit tests of tally-attribute's options
 * (lib/attribute/attribute_opts.c).
 *
 * Plan: every option taking a value, a good value and a refused one with
 * its message; paths kept as given; a value that is not an option's; the
 * combinations refused, each with its message, and the ones that hold
 * (with what --policy recent implies); the configuration made. */
#include <string.h>

#include "attribute_opts.h"
#include "tap.h"

struct given {
	int c;
	const char *arg;
};

/* Options GIVEN (ended by c == 0) into *opt from the defaults; the first
 * refused value's message in err, and false then. */
static bool give(struct attr_options *opt, const struct given *given, char *err)
{
	attr_opts_init(opt);
	for (; given->c; given++)
		if (attr_opts_set(opt, given->c, given->arg, err, ATTR_ERR) != 1)
			return false;
	return true;
}

static void test_values(void)
{
	static const struct {
		int c;
		const char *good, *bad, *err;
	} cases[] = {
		{'m', "shapley", "votes", "--method: \"votes\" is not points, time, graph, shapley, markov or peer"},
		{ATTR_OPT_DAMPING, "0.5", "1", "--damping: \"1\" is not a number in [0, 1)"},
		{'f', "credits", "pdf", "--format: \"pdf\" is not shares, agreements, credits, md or html"},
		{ATTR_OPT_CAP, "10%", "0", "--cap: \"0\" is not a share above 0 and at most 1 (10%, 1/8, 0.05)"},
		{ATTR_OPT_MIN, "1/8", "3/2", "--min-share: \"3/2\" is not a share above 0 and at most 1 (10%, 1/8, 0.05)"},
		{'b', "500.00 USD", "500 dollars", "--budget: \"500 dollars\" is not AMOUNT CUR (500.00 USD)"},
		{'b', "1.5 JPY", "-1 USD", "--budget: \"-1 USD\" is not AMOUNT CUR (500.00 USD)"},
		{ATTR_OPT_AS_OF, "2026-06-30", "June", "--as-of: \"June\" is not a date (YYYY-MM-DD)"},
		{ATTR_OPT_HALF_LIFE, "90", "0", "--half-life: \"0\" is not a number of days (1 to 1000000)"},
		{'t', "log", "cube", "--transform: \"cube\" is not linear, sqrt or log"},
		{ATTR_OPT_POLICY, "balanced", "fair", "--policy: \"fair\" is not immediate, recent or balanced"},
	};
	struct attr_options opt;
	char err[ATTR_ERR];
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		attr_opts_init(&opt);
		tap_is_int(attr_opts_set(&opt, cases[i].c, cases[i].good, err, sizeof err), 1, "taken: %s",
			   cases[i].good);
		tap_is_int(attr_opts_set(&opt, cases[i].c, cases[i].bad, err, sizeof err), 0, "refused: %s",
			   cases[i].bad);
		tap_is_str(err, cases[i].err, "... told");
	}
	attr_opts_init(&opt);
	attr_opts_set(&opt, 'm', "markov", err, sizeof err);
	attr_opts_set(&opt, 'b', "12.50 EUR", err, sizeof err);
	attr_opts_set(&opt, 'f', "html", err, sizeof err);
	attr_opts_set(&opt, 'w', "weights.tsv", err, sizeof err);
	attr_opts_set(&opt, ATTR_OPT_LINES, NULL, err, sizeof err);
	tap_ok(opt.method == ATTR_EXTERNAL && opt.other == ATTR_OTHER_MARKOV && strcmp(opt.method_name, "markov") == 0,
	       "markov: computed by another module");
	tap_ok(opt.have_budget && opt.budget == 12500000 && strcmp(opt.currency, "EUR") == 0, "the budget and currency");
	tap_ok(opt.format == ATTR_FMT_HTML && strcmp(opt.weights, "weights.tsv") == 0 && opt.lines,
	       "format, a path, a flag");
	tap_is_int(attr_opts_set(&opt, 'h', NULL, err, sizeof err), -1, "help is not a run's option");
	tap_is_int(attr_opts_set(&opt, '?', NULL, err, sizeof err), -1, "nor an unknown one");
	tap_ok(opt.damping < 0 && !opt.have_as_of, "damping unset by default");
}

static void test_combinations(void)
{
	static const struct {
		struct given given[5];
		int operands;
		const char *err;
	} bad[] = {
		{{{ATTR_OPT_HALF_LIFE, "30"}}, 0, "--half-life needs --as-of DATE"},
		{{{'p', "pool"}}, 0, "--pool PAYEE and --agreements FILE go together"},
		{{{'p', "pool"}, {'a', "a.tsv"}, {'d', "old.tsv"}}, 0, "--pool cannot go with --budget or --diff"},
		{{{'b', "1 USD"}, {'d', "old.tsv"}}, 0, "--budget cannot go with --diff"},
		{{{'d', "old.tsv"}, {'f', "html"}}, 0, "--format cannot go with --pool, --budget or --diff"},
		{{{ATTR_OPT_LINES, NULL}}, 0, "--lines needs --git"},
		{{{ATTR_OPT_MEMBERSHIP, "m.tsv"}}, 0, "--membership needs --method time"},
		{{{'m', "time"}, {'t', "sqrt"}}, 0, "--half-life and --transform are for --method points"},
		{{{ATTR_OPT_SEED, "s.tsv"}}, 0, "--revenue, --edges, --seed and --damping need --method graph"},
		{{{'m', "graph"}, {ATTR_OPT_SEED, "s.tsv"}}, 0, "--edges FILE and --seed FILE go together"},
		{{{'m', "graph"}, {ATTR_OPT_SEED, "s"}, {ATTR_OPT_EDGES, "e"}, {'g', "."}}, 0,
		 "--edges reads a graph: no --revenue, --git or --all-contributors"},
		{{{ATTR_OPT_CIRCLE, "c.tsv"}}, 0, "--circle needs --method peer"},
		{{{'m', "peer"}}, 0, "--method peer needs --circle FILE"},
		{{{'m', "shapley"}, {'w', "w.tsv"}}, 0,
		 "--method shapley reads its own input: no --git, --all-contributors or --weights"},
		{{{'m', "graph"}, {'t', "log"}}, 0, "--half-life and --transform are for --method points"},
		{{{'m', "graph"}, {'f', "md"}}, 0, "--method graph has no kinds to credit: --format shares or agreements"},
		{{{ATTR_OPT_POLICY, "recent"}}, 0, "--policy needs --as-of DATE"},
		{{{ATTR_OPT_POLICY, "recent"}, {ATTR_OPT_AS_OF, "2026-01-01"}, {'m', "graph"}}, 0,
		 "--policy is for --method points or time"},
		{{{ATTR_OPT_POLICY, "recent"}, {ATTR_OPT_AS_OF, "2026-01-01"}, {'m', "time"}}, 0,
		 "--policy recent decays points: not with --method time"},
		{{{ATTR_OPT_POLICY, "balanced"}, {ATTR_OPT_AS_OF, "2026-01-01"}}, 0,
		 "--policy balanced and --ledger FILE go together"},
		{{{ATTR_OPT_POLICY, "balanced"}, {ATTR_OPT_AS_OF, "2026-01-01"}, {ATTR_OPT_LEDGER, "l"}}, 0,
		 "--policy balanced needs --budget 'AMOUNT CUR'"},
		{{{'g', "-"}}, 0, "--git - (a log on standard input) needs --project NAME"},
		{{{'g', "-"}, {'P', "tally"}}, 1, "--git - reads standard input: no FILE operands"},
		{{{'m', "markov"}, {'M', "map"}}, 0, "--method markov reads its own input: no --map"},
		{{{'m', "graph"}, {ATTR_OPT_SEED, "s"}, {ATTR_OPT_EDGES, "e"}, {'M', "map"}}, 0,
		 "--edges reads a graph: no --map"},
		{{{ATTR_OPT_ALLC, ".all-contributorsrc"}}, 0,
		 "--all-contributors needs --as-of DATE (the file has no dates)"},
	};
	struct attr_options opt;
	char err[ATTR_ERR];
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		bool given = give(&opt, bad[i].given, err);
		tap_ok(given && !attr_opts_check(&opt, bad[i].operands, err, sizeof err), "refused: %s", bad[i].err);
		tap_is_str(err, bad[i].err, "... told");
	}
	static const struct given recent[] = {{ATTR_OPT_POLICY, "recent"}, {ATTR_OPT_AS_OF, "2026-03-15"}, {0}};
	give(&opt, recent, err);
	tap_ok(attr_opts_check(&opt, 0, err, sizeof err) && opt.half_life == 90, "--policy recent: 90 days' half-life");
	static const struct given graph[] = {{'m', "graph"}, {'M', "map"}, {ATTR_OPT_DAMPING, "0.5"}, {0}};
	give(&opt, graph, err);
	tap_ok(attr_opts_check(&opt, 2, err, sizeof err), "--method graph reads --map exports");
}

static void test_config(void)
{
	static const struct given given[] = {{ATTR_OPT_POLICY, "immediate"}, {ATTR_OPT_AS_OF, "2026-03-15"},
					     {'e', "why.tsv"}, {'w', "w.tsv"}, {0}};
	struct attr_options opt;
	struct attr_weights w;
	struct attr_aliases a;
	char err[ATTR_ERR];
	int64_t march;
	give(&opt, given, err);
	date_parse("2026-03-01", 10, &march);
	struct attr_config cfg = attr_opts_config(&opt, &w, &a);
	tap_ok(cfg.have_since && cfg.since == march && cfg.have_as_of && cfg.count_days, "--policy immediate: since March 1");
	tap_ok(cfg.weights == &w && cfg.aliases == NULL, "the side files named are used, the others not");
	attr_opts_init(&opt);
	cfg = attr_opts_config(&opt, &w, &a);
	tap_ok(!cfg.have_since && cfg.since == 0 && !cfg.count_days && !cfg.weights, "no options: plain points");
}

int main(void)
{
	test_values();
	test_combinations();
	test_config();
	return tap_done();
}
