/* test_cli.c - unit tests of the shared command-line layer (lib/cli/cli.c).
 *
 * Plan: edit distances by hand (insert, delete, substitute, swap, the
 * limit cut-off, over-long names); nearest option for typos, for an exact
 * name (refused for its argument: no hint), for "--name=value", for names
 * far from every option, for short options and bare "--", and for a
 * prefix shared by two options (no single answer).  Repeated options: a
 * value option the second time (short or long spelling alike), a flag
 * repeated, an option that accumulates, unknown values, a full table. */
#include <string.h>

#include "cli.h"
#include "tap.h"

static int dist(const char *a, const char *b, int limit)
{
	return cli_edit_distance(a, (int)strlen(a), b, (int)strlen(b), limit);
}

static void test_distance(void)
{
	tap_is_int(dist("period", "period", 2), 0, "same word");
	tap_is_int(dist("perio", "period", 2), 1, "one insertion");
	tap_is_int(dist("periodd", "period", 2), 1, "one deletion");
	tap_is_int(dist("perxod", "period", 2), 1, "one substitution");
	tap_is_int(dist("peroid", "period", 2), 1, "two neighbours swapped count once");
	tap_is_int(dist("pretiod", "period", 3), 2, "two edits");
	tap_is_int(dist("format", "period", 2), 3, "beyond the limit: limit + 1");
	tap_is_int(dist("", "abc", 5), 3, "empty against three letters");
	char longname[80];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	tap_is_int(dist(longname, "a", 2), 3, "an over-long name is never near");
}

static const struct option opts[] = {
	{"agreements", required_argument, NULL, 'a'},
	{"period", required_argument, NULL, 'p'},
	{"since", required_argument, NULL, 1},
	{"skip-seen", no_argument, NULL, 2},
	{"state", required_argument, NULL, 's'},
	{"state-dump", no_argument, NULL, 3},
	{"to", required_argument, NULL, 4},
	{NULL, 0, NULL, 0},
};

static void test_nearest(void)
{
	tap_is_str(cli_nearest_option("--peroid", opts), "period", "swapped letters");
	tap_is_str(cli_nearest_option("--agreemnts", opts), "agreements", "a dropped letter");
	tap_is_str(cli_nearest_option("--peroid=2026-10", opts), "period", "value ignored");
	tap_is_str(cli_nearest_option("--sate", opts), "state", "short name: one edit");
	tap_is_str(cli_nearest_option("--tp", opts), "to", "two letters: one edit");
	tap_is_str(cli_nearest_option("--sence", opts), "since", "first of the nearest");
	tap_is_str(cli_nearest_option("--period", opts), NULL, "exact: refused for its argument");
	tap_is_str(cli_nearest_option("--period=", opts), NULL, "exact with empty value");
	tap_is_str(cli_nearest_option("--verbose", opts), NULL, "nothing near");
	tap_is_str(cli_nearest_option("--xy", opts), NULL, "two letters, two edits: not near");
	tap_is_str(cli_nearest_option("-p", opts), NULL, "a short option");
	tap_is_str(cli_nearest_option("--", opts), NULL, "the end of options");
	tap_is_str(cli_nearest_option("peroid", opts), NULL, "an operand");
	tap_is_str(cli_nearest_option(NULL, opts), NULL, "no argument");
	tap_is_str(cli_nearest_option("--stat", opts), "state", "one edit wins over prefix");
	tap_is_str(cli_nearest_option("--state-d", opts), "state", "two edits from state");
	tap_is_str(cli_nearest_option("--agreem", opts), "agreements", "a unique prefix");
}

static void test_nearest_word(void)
{
	static const char *const cmds[] = {"ingest", "split", "attribute", "forecast", "report", "partition", "help"};
	size_t n = sizeof cmds / sizeof cmds[0];
	tap_is_str(cli_nearest_word("splt", cmds, n), "split", "word: a dropped letter");
	tap_is_str(cli_nearest_word("reprot", cmds, n), "report", "word: swapped letters");
	tap_is_str(cli_nearest_word("forcast", cmds, n), "forecast", "word: a dropped letter, long name");
	tap_is_str(cli_nearest_word("hlep", cmds, n), "help", "word: help too");
	tap_is_str(cli_nearest_word("attr", cmds, n), "attribute", "word: a unique prefix");
	tap_is_str(cli_nearest_word("split", cmds, n), NULL, "word: exact");
	tap_is_str(cli_nearest_word("xyzzy", cmds, n), NULL, "word: nothing near");
	tap_is_str(cli_nearest_word("", cmds, n), NULL, "word: empty");
	tap_is_str(cli_nearest_word(NULL, cmds, n), NULL, "word: none");
}

static void test_moved(void)
{
	static const char *const moved[] = {"m--min-payout", "s--summary", NULL};
	tap_is_str(cli_moved_option('m', moved), "--min-payout", "moved: a listed letter");
	tap_is_str(cli_moved_option('s', moved), "--summary", "moved: the last entry");
	tap_is_str(cli_moved_option('x', moved), NULL, "moved: a letter not listed");
	tap_is_str(cli_moved_option(0, moved), NULL, "moved: a refused long option (optopt 0)");
	tap_is_str(cli_moved_option('m', NULL), NULL, "moved: no list");
}

static void test_repeated(void)
{
	static const struct option table[] = {
		{"by", required_argument, NULL, 'b'},
		{"output", required_argument, NULL, 'o'},
		{"verbose", no_argument, NULL, 'v'},
		{"until", required_argument, NULL, 300},
		{NULL, 0, NULL, 0},
	};
	static const int many[] = {'b', 0};
	struct cli_seen seen = {0};
	tap_ok(cli_repeated(&seen, 'o', table, many) == NULL, "repeated: first --output is fine");
	tap_ok(cli_repeated(&seen, 300, table, many) == NULL, "repeated: first --until is fine");
	tap_is_str(cli_repeated(&seen, 'o', table, many), "output", "repeated: second --output (or -o) named");
	tap_is_str(cli_repeated(&seen, 300, table, NULL), "until", "repeated: a long-only option too");
	tap_ok(cli_repeated(&seen, 'v', table, many) == NULL && cli_repeated(&seen, 'v', table, many) == NULL,
	       "repeated: a flag may repeat");
	tap_ok(cli_repeated(&seen, 'b', table, many) == NULL && cli_repeated(&seen, 'b', table, many) == NULL,
	       "repeated: an option in MANY accumulates");
	tap_is_str(cli_repeated(&seen, 'b', table, NULL), NULL, "repeated: MANY NULL, first --by recorded");
	tap_is_str(cli_repeated(&seen, 'b', table, NULL), "by", "repeated: MANY NULL, second --by named");
	tap_ok(cli_repeated(&seen, '?', table, NULL) == NULL && cli_repeated(&seen, '?', table, NULL) == NULL,
	       "repeated: getopt's '?' never counts");
	struct cli_seen full = {0};
	full.n = sizeof full.val / sizeof full.val[0];
	tap_ok(cli_repeated(&full, 'o', table, NULL) == NULL && cli_repeated(&full, 'o', table, NULL) == NULL,
	       "repeated: a full table records nothing more and refuses nothing");
}

int main(void)
{
	test_distance();
	test_nearest();
	test_nearest_word();
	test_moved();
	test_repeated();
	return tap_done();
}
