/* attribute_git.h - tally-attribute --git DIR: running git for the log
 * of a repository, its name, and the .mailmap's view of the co-authors'
 * contacts (the log itself is parsed by attr_git_parse, attribute_read.h).
 *
 * Pure: nothing printed.  Each function returns ATTR_OK, ATTR_ENOMEM,
 * ATTR_EDATA (a pipe or temporary file failed, exit 1) or ATTR_EFAILED
 * (git failed or could not be started, exit 2), the message in
 * err[ATTR_ERR]: a git that could not be started gives two lines, "git:
 * REASON" then "'git ...' failed (status 127)", as a failed exec would. */
#ifndef TALLY_ATTRIBUTE_GIT_H
#define TALLY_ATTRIBUTE_GIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attribute.h"
#include "keyindex.h"

enum { ATTR_EFAILED = -8 }; /* a program run failed: err says which and how */

/* Run ARGV (ARGV[0] found on PATH) with standard input from IN_PATH
 * (NULL: /dev/null) and its standard output into *out (malloc'ed, owned
 * by the caller), its length in *len.  ATTR_EFAILED when it exits
 * other than 0: "'ARGV...' failed (status N)" (or "signal N"), with a
 * --format=... argument cut to "--format=...". */
int attr_capture(char *const *argv, const char *in_path, char **out, size_t *len, char *err);

/* The log of the repository at DIR in the format attr_git_parse reads,
 * with --numstat when LINES.  *log as attr_capture's. */
int attr_git_log(const char *dir, bool lines, char **log, size_t *len, char *err);

/* The repository's name, the last component of its top folder, into
 * *name (malloc'ed). */
int attr_git_repo_name(const char *dir, char **name, char *err);

/* Co-author contacts mapped by .mailmap: input contact -> output contact. */
struct attr_mailmap {
	struct names in; /* contacts as written ("Name <email>" only) */
	char **out;             /* by id: as git check-mailmap gives them (owned) */
	size_t *out_len;
};

/* Zeroed *m filled with every co-author contact of LOG[0..len) as `git -C
 * DIR check-mailmap` maps it.  ATTR_EDATA when git gives fewer lines than
 * contacts.  attr_mailmap_free is safe after a failure. */
int attr_mailmap_resolve(struct attr_mailmap *m, const char *dir, const char *log, size_t len, char *err);

/* An attr_mailmap_fn (attribute_read.h) of CTX, a resolved attr_mailmap:
 * the contact as .mailmap gives it, or S itself when it was not asked. */
void attr_mailmap_map(void *ctx, const char *s, size_t n, const char **out, size_t *outlen);

/* Free what m owns. */
void attr_mailmap_free(struct attr_mailmap *m);

#endif
