/* readall.c - whole files into one buffer (see readall.h). */
#include "readall.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int readall_fd(int fd, char **text, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	*text = NULL;
	if (!buf)
		goto nomem;
	for (;;) {
		if (n + 1 >= cap) {
			char *bigger = cap > (size_t)-1 / 2 ? NULL : realloc(buf, cap * 2);
			if (!bigger)
				goto nomem;
			buf = bigger, cap *= 2;
		}
		ssize_t got = read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;
			free(buf);
			errno = e;
			return -1;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
nomem:
	free(buf);
	errno = ENOMEM;
	return -1;
}

int readall_path(const char *path, char **text, size_t *len)
{
	if (strcmp(path, "-") == 0)
		return readall_fd(STDIN_FILENO, text, len);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*text = NULL;
		return -1;
	}
	int rc = readall_fd(fd, text, len), e = errno;
	close(fd);
	errno = e;
	return rc;
}

int writeall_fd(int fd, const void *p, size_t n)
{
	const char *s = p;
	while (n > 0) {
		ssize_t k = write(fd, s, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		s += k;
		n -= (size_t)k;
	}
	return 0;
}
