/* spool.h - make an input readable twice: a pipe or terminal copied into
 * an unnamed temporary file that takes its descriptor's place.
 *
 * The temporary has no name (O_TMPFILE, or unlinked as soon as made), so
 * it is gone however the process ends.  Library code: statuses only. */
#ifndef TALLY_SPOOL_H
#define TALLY_SPOOL_H

#include <sys/types.h>

/* Make fd rewindable.  A regular file is left as it is, *at set to its
 * offset; anything else is read to its end into a temporary file in
 * tmpdir (NULL: /tmp), which is then dup2'd onto fd at offset 0 (*at =
 * 0).  Returns 0, or -1 with errno (a read, a write, ENOSPC). */
int spool_fd(int fd, const char *tmpdir, off_t *at);

/* An unnamed temporary file in dir, open for reading and writing
 * (O_TMPFILE, else a name unlinked at once): its descriptor, or -1 with
 * errno. */
int spool_temp(const char *dir);

/* Whether path names a regular file (so it can be opened again); a path
 * that cannot be stat'ed counts as regular (its open reports why). */
int spool_is_regular(const char *path);

#endif
