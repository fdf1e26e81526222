/* paths.h - refuse two command-line paths that name the same file.
 *
 * "tally-split -s X -o X" would leave only the state in X, "-r R -o R"
 * would lose the rejected rows: any two of a command's inputs, outputs,
 * rejects, state, ledger and explain file that are one file is a usage
 * error.  Two paths are one file when both exist and have the same device
 * and inode (so links and "./x" are seen through), or when neither exists
 * and they would be created as the same directory entry. */
#ifndef TALLY_PATHS_H
#define TALLY_PATHS_H

#include <stdbool.h>
#include <stddef.h>

/* Room enough for paths_check's message about two paths of PATH_MAX. */
#define PATHS_MSG_MAX 8400

struct paths_role {
	const char *path; /* as given; NULL (not given) and "-" (stdin/stdout) are skipped */
	const char *what; /* for the message: "-o", "--state", "input" */
	bool input;       /* read only: two inputs may be one file */
};

/* Compare every pair of p[0..n) that is not two inputs.  Paths that exist
 * and are not regular files (/dev/stdout, a FIFO, a terminal) never clash:
 * writing two streams to one device is meant.  Returns true and sets *a <
 * *b to the first clashing pair, else false.  Touches nothing (stat(2)
 * and realpath(3) only). */
bool paths_find_clash(const struct paths_role *p, size_t n, size_t *a, size_t *b);

/* paths_find_clash over the named paths p[0..n) and the input operands
 * inputs[0..ninputs) (named "input"), and on a clash the message "WHAT and
 * WHAT name the same file: PATH" in msg (cap bytes).  Returns true on a
 * clash; false also when out of memory (the opens that follow fail). */
bool paths_check(const struct paths_role *p, size_t n, char *const *inputs, size_t ninputs,
		 char *msg, size_t cap);

#endif
