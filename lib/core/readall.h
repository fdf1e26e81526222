/* readall.h - the whole of a file or descriptor in one buffer, for the
 * small side files the commands read at once (agreements, mappings,
 * weights, a git log); and the whole of a buffer written to one.  Pure:
 * failures come back with errno. */
#ifndef TALLY_READALL_H
#define TALLY_READALL_H

#include <stddef.h>

/* Read FD to its end into a fresh buffer in *text (owned by the caller),
 * its length in *len and a NUL after the last byte (not counted), so text
 * may be parsed as a string.  EINTR is retried.  Returns 0, or -1 with
 * errno (the read's, or ENOMEM) and *text NULL; FD is never closed. */
int readall_fd(int fd, char **text, size_t *len);

/* Write all of p[0..n) to FD, retrying EINTR and short writes.  Returns
 * 0, or -1 with the write's errno. */
int writeall_fd(int fd, const void *p, size_t n);

/* readall_fd of the file at PATH, opened and closed here; "-" reads
 * standard input (left open).  Returns 0, or -1 with errno. */
int readall_path(const char *path, char **text, size_t *len);

#endif
