/* spool.c - an input made readable twice (see spool.h). */
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readall.h"

int spool_temp(const char *dir)
{
#ifdef O_TMPFILE
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
#endif
	char path[4096];
	int n = snprintf(path, sizeof path, "%s/.tally-spool.XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int t = mkstemp(path);
	if (t >= 0)
		unlink(path);
	return t;
}

static int copy(int from, int to)
{
	static char buf[1 << 16];
	for (;;) {
		ssize_t n = read(from, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		if (writeall_fd(to, buf, (size_t)n) < 0)
			return -1;
	}
}

int spool_fd(int fd, const char *tmpdir, off_t *at)
{
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		*at = lseek(fd, 0, SEEK_CUR);
		return *at < 0 ? -1 : 0;
	}
	int t = spool_temp(tmpdir ? tmpdir : "/tmp");
	if (t < 0)
		return -1;
	if (copy(fd, t) < 0 || lseek(t, 0, SEEK_SET) < 0 || dup2(t, fd) < 0) {
		int e = errno;
		close(t);
		errno = e;
		return -1;
	}
	close(t);
	*at = 0;
	return 0;
}

int spool_is_regular(const char *path)
{
	struct stat st;
	return stat(path, &st) < 0 || S_ISREG(st.st_mode);
}
