/* lock.h - an exclusive advisory lock beside a state or ledger file.
 *
 * Commands that read a file, change it and write it back (tally-split's
 * --state, tally-report's --ledger) hold a flock(2) on "PATH.lock" for the
 * whole read-modify-write, so two runs on the same file are serialised
 * instead of interleaved.  The lock is on a separate file because the data
 * file itself is replaced by rename (out_open_file), which would leave a
 * lock on the old inode.  The ".lock" file is created when missing and
 * never removed (removing it would race with a waiting run).  It is
 * opened with O_NOFOLLOW: a ".lock" that is a symbolic link (ELOOP) or not
 * a regular file (EEXIST) is refused, so no file elsewhere is created or
 * locked through it.  The lock is
 * released by lock_release() or, whatever happens, when the process ends. */
#ifndef TALLY_LOCK_H
#define TALLY_LOCK_H

#include <stdbool.h>

struct lock {
	int fd;     /* open descriptor of the ".lock" file, -1 when not held */
	char *path; /* "PATH.lock" (owned), for messages */
};

/* Try to take the lock on "target.lock" without waiting.  Returns 0 when
 * it is held, 1 when another process holds it (l stays open: call
 * lock_wait() or lock_release()), -1 with errno set when the lock file
 * cannot be opened or locked (l->path names it, when known). */
int lock_try(struct lock *l, const char *target);

/* Block until the lock tried by lock_try() is held.  Returns 0, or -1 with
 * errno set. */
int lock_wait(struct lock *l);

/* lock_try(), then, if the lock is busy, on_wait(l->path, ctx) (say, a
 * message "waiting for ...") and lock_wait().  on_wait may be NULL.
 * Returns 0 or -1 with errno set. */
int lock_acquire(struct lock *l, const char *target,
		 void (*on_wait)(const char *lock_path, void *ctx), void *ctx);

/* Release the lock and free l's memory (safe on a lock never taken or
 * already released). */
void lock_release(struct lock *l);

#endif
