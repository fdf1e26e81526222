/* cli.h - pieces of the command-line layer every tally command shares.
 *
 * cli_nearest_option and cli_edit_distance are pure (cli.c); the rest is
 * command support, printing and dying (cmdsupport.c). */
#ifndef TALLY_CLI_H
#define TALLY_CLI_H

#include <getopt.h>

/* The long option nearest to ARG, an argument getopt refused ("--peroid",
 * "--peroid=x"), or NULL when ARG is not a long option or none is near
 * enough to be what was meant.  Near: a restricted Damerau-Levenshtein
 * distance of at most 1 for names up to 4 letters, 2 beyond; the first
 * option in LONGOPTS wins a tie, so the answer never depends on the
 * platform.  An unambiguous prefix is also near ("--agree" -> agreements),
 * though getopt itself takes those; they reach here only when ambiguous,
 * and then no single answer is given. */
const char *cli_nearest_option(const char *arg, const struct option *longopts);

/* Edit distance between A (length NA) and B (length NB), counting an
 * insertion, deletion, substitution or swap of two neighbours as one;
 * gives up and returns LIMIT + 1 once the distance exceeds LIMIT. */
int cli_edit_distance(const char *a, int na, const char *b, int nb, int limit);

/* After getopt refused ARG: "prog: did you mean '--period'?" on stderr
 * when an option is near (see cli_nearest_option); nothing otherwise. */
void cli_hint_option(const char *arg, const struct option *longopts);

/* getopt values of --progress and --no-progress, the same in every
 * command (above any character, so no short option collides). */
enum { CLI_OPT_PROGRESS = 0x1000, CLI_OPT_NO_PROGRESS };

#endif
