/* lock.c - flock(2) on "PATH.lock" beside a state or ledger file (see
 * lock.h). */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int lock_try(struct lock *l, const char *target)
{
	l->fd = -1;
	size_t n = strlen(target);
	l->path = malloc(n + sizeof ".lock");
	if (!l->path)
		return -1;
	memcpy(l->path, target, n);
	memcpy(l->path + n, ".lock", sizeof ".lock");
	/* never through a link: a ".lock" planted as a symbolic link would
	 * have us create or lock a file elsewhere */
	l->fd = open(l->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (l->fd < 0)
		return -1;
	struct stat st;
	if (fstat(l->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(l->fd);
		l->fd = -1;
		errno = EEXIST;
		return -1;
	}
	for (;;) {
		if (flock(l->fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno == EWOULDBLOCK)
			return 1;
		if (errno != EINTR)
			return -1;
	}
}

int lock_wait(struct lock *l)
{
	for (;;) {
		if (flock(l->fd, LOCK_EX) == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

int lock_acquire(struct lock *l, const char *target,
		 void (*on_wait)(const char *lock_path, void *ctx), void *ctx)
{
	int rc = lock_try(l, target);
	if (rc != 1)
		return rc;
	if (on_wait)
		on_wait(l->path, ctx);
	return lock_wait(l);
}

void lock_release(struct lock *l)
{
	if (l->fd >= 0) {
		/* Closing the last descriptor drops the flock. */
		close(l->fd);
		l->fd = -1;
	}
	free(l->path);
	l->path = NULL;
}
