/* cli.h - pieces of the command-line layer every tally command shares.
 *
 * cli_nearest_option, cli_nearest_word and cli_edit_distance are pure (cli.c); the rest is
 * command support, printing and dying (cmdsupport.c). */
#ifndef TALLY_CLI_H
#define TALLY_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdnoreturn.h>

struct tsv_reader;

/* The long option nearest to ARG, an argument getopt refused ("--peroid",
 * "--peroid=x"), or NULL when ARG is not a long option or none is near
 * enough to be what was meant.  Near: a restricted Damerau-Levenshtein
 * distance of at most 1 for names up to 4 letters, 2 beyond; the first
 * option in LONGOPTS wins a tie, so the answer never depends on the
 * platform.  An unambiguous prefix is also near ("--agree" -> agreements),
 * though getopt itself takes those; they reach here only when ambiguous,
 * and then no single answer is given. */
const char *cli_nearest_option(const char *arg, const struct option *longopts);

/* The name in NAMES (COUNT of them) nearest to WORD, a command typed
 * that is none ("splt" -> "split"), by the rule of cli_nearest_option;
 * NULL when WORD is one of them or none is near. */
const char *cli_nearest_word(const char *word, const char *const *names, size_t count);

/* Edit distance between A (length NA) and B (length NB), counting an
 * insertion, deletion, substitution or swap of two neighbours as one;
 * gives up and returns LIMIT + 1 once the distance exceeds LIMIT. */
int cli_edit_distance(const char *a, int na, const char *b, int nb, int limit);

/* Options given so far, for cli_repeated and cli_once; zero it first. */
struct cli_seen {
	int val[64]; /* getopt values seen, in order */
	size_t n;    /* how many of val are used */
};

/* Record getopt value C in SEEN and return the long name of its option
 * when C was seen before and is not in MANY (a list ended by 0; NULL:
 * none), else NULL.  Only options taking a value count: a second value
 * would silently replace the first, while a repeated flag changes
 * nothing.  C unknown to LONGOPTS ('?', or a short-only letter) is never
 * repeated.  Past 64 distinct options nothing more is recorded. */
const char *cli_repeated(struct cli_seen *seen, int c, const struct option *longopts, const int *many);

/* The long option that short option LETTER became when the option table
 * of tally(7) took the letter away: MOVED is a NULL-ended list of entries
 * "X--name" (the old letter, then its long option).  NULL when LETTER is
 * not listed (or is 0, getopt's optopt for a refused long option). */
const char *cli_moved_option(int letter, const char *const *moved);

/* Command support (cmdsupport.c), for command code only. */

/* After getopt refused ARG: "prog: did you mean '--period'?" on stderr
 * when an option is near (see cli_nearest_option); nothing otherwise. */
void cli_hint_option(const char *arg, const struct option *longopts);

/* After WORD was found to be none of NAMES (COUNT of them): "prog: did
 * you mean 'split'?" on stderr when one is near (see cli_nearest_word);
 * nothing otherwise. */
void cli_hint_word(const char *word, const char *const *names, size_t count);

/* After getopt refused short option LETTER (optopt): "prog: -m is now
 * --min-payout (see tally(7), OPTIONS TABLE)" on stderr when MOVED lists
 * it (see cli_moved_option); nothing otherwise. */
void cli_hint_moved(int letter, const char *const *moved);

/* cli_repeated, saying "prog: --NAME given more than once" on stderr;
 * false then (the caller prints its usage and exits 2), true otherwise. */
bool cli_once(struct cli_seen *seen, int c, const struct option *longopts, const int *many);

/* "prog --version": "prog (tally) VERSION" on stdout, checked, exit 0. */
noreturn void cli_version(void);

/* tsv_open R on FILES (N of them; none: standard input), dying as every
 * command does when it fails: "prog: FILE: REASON", exit 2, for a file
 * that cannot be opened or read; "prog: FILE:1: REASON", exit 1, for a
 * header that is not TSV. */
void cli_tsv_open(struct tsv_reader *r, char **files, size_t n);

/* The whole of PATH ("-": standard input) by readall_path, NUL ended,
 * its length in *len; dies "prog: FILE: REASON", exit 2, when it cannot be
 * opened or read (FILE "<stdin>" for "-"), or "out of memory", exit 1. */
char *cli_read_file(const char *path, size_t *len);

/* getopt values of --progress and --no-progress, the same in every
 * command (above any character, so no short option collides). */
enum { CLI_OPT_PROGRESS = 0x1000, CLI_OPT_NO_PROGRESS };

#endif
