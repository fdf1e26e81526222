/* out.c - checked, buffered output and atomic files (see out.h). */
#include "out.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"

#define OUT_BUFSIZE (64 * 1024)

/* Temporaries of atomic files not yet committed, removed at exit so that a
 * command that dies half way leaves nothing half-written behind. */
#define PENDING_MAX 64
static char *pending[PENDING_MAX];
static bool cleanup_registered;

static void remove_pending(void)
{
	for (size_t i = 0; i < PENDING_MAX; i++)
		if (pending[i]) {
			unlink(pending[i]);
			pending[i] = NULL;
		}
}

static int track_pending(char *tmp)
{
	if (!cleanup_registered) {
		atexit(remove_pending);
		cleanup_registered = true;
	}
	for (size_t i = 0; i < PENDING_MAX; i++)
		if (!pending[i]) {
			pending[i] = tmp;
			return 0;
		}
	errno = EMFILE;
	return -1;
}

static void untrack_pending(const char *tmp)
{
	for (size_t i = 0; i < PENDING_MAX; i++)
		if (pending[i] == tmp)
			pending[i] = NULL;
}

int out_open_fd(struct out *o, int fd, const char *name)
{
	memset(o, 0, sizeof *o);
	o->fd = fd;
	o->name = name;
	o->cap = OUT_BUFSIZE;
	o->buf = malloc(o->cap);
	if (!o->buf) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* "DIR/.BASE.XXXXXX" for path "DIR/BASE". */
static char *temp_name_for(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	const char *base = path + dirlen;
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);

	if (tmp)
		snprintf(tmp, n, "%.*s.%s.XXXXXX", (int)dirlen, path, base);
	return tmp;
}

/* A path that exists and is not a regular file (/dev/stderr, a terminal,
 * a FIFO) is written in place: renaming over it would replace the device. */
static int open_in_place(struct out *o, const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (out_open_fd(o, fd, path) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	o->close_fd = true;
	return 0;
}

int out_open_file(struct out *o, const char *path)
{
	struct stat st;
	char *tmp = NULL, *final = NULL;
	int fd = -1;
	mode_t mask;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return open_in_place(o, path);
	/* Through a symbolic link, replace the file it points to, not the link. */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		final = realpath(path, NULL);
	if (!final)
		final = strdup(path);
	if (final)
		tmp = temp_name_for(final);

	if (!tmp || !final)
		goto fail_nomem;
	fd = mkstemp(tmp);
	if (fd < 0)
		goto fail;
	/* mkstemp makes 0600: keep the mode of the file being replaced, else
	 * give the one a plain create would. */
	if (stat(final, &st) == 0) {
		(void)fchmod(fd, st.st_mode & 07777);
	} else {
		mask = umask(0);
		umask(mask);
		(void)fchmod(fd, 0666 & ~mask);
	}
	if (track_pending(tmp) < 0 || out_open_fd(o, fd, final) < 0) {
		int e = errno;
		unlink(tmp);
		close(fd);
		untrack_pending(tmp);
		errno = e;
		goto fail;
	}
	o->path = final;
	o->tmp_path = tmp;
	return 0;
fail_nomem:
	errno = ENOMEM;
fail:;
	int e = errno;
	free(tmp);
	free(final);
	errno = e;
	return -1;
}

static void note_error(struct out *o, int e)
{
	if (!o->err)
		o->err = e;
	if (o->fatal && o->tmp_path)
		diag_die(EXIT_DATA, "%s: write error: %s", o->name, strerror(e));
	if (o->fatal)
		diag_die(EXIT_DATA, "write error: %s", strerror(e));
}

int out_flush(struct out *o)
{
	size_t done = 0;

	if (o->err) {
		o->len = 0;
		return -1;
	}
	while (done < o->len) {
		ssize_t n = write(o->fd, o->buf + done, o->len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			o->len = 0;
			note_error(o, errno);
			return -1;
		}
		done += (size_t)n;
	}
	o->len = 0;
	return 0;
}

void out_write(struct out *o, const void *p, size_t n)
{
	const char *s = p;

	if (o->err)
		return;
	while (n > 0) {
		size_t room = o->cap - o->len;
		if (room == 0) {
			if (out_flush(o) < 0)
				return;
			room = o->cap;
		}
		if (o->len == 0 && n >= o->cap) {
			/* Large write with an empty buffer: send it directly. */
			o->len = 0;
			while (n > 0) {
				ssize_t w = write(o->fd, s, n);
				if (w < 0) {
					if (errno == EINTR)
						continue;
					note_error(o, errno);
					return;
				}
				s += w;
				n -= (size_t)w;
			}
			return;
		}
		size_t k = n < room ? n : room;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
	}
}

void out_puts(struct out *o, const char *s)
{
	out_write(o, s, strlen(s));
}

void out_vprintf(struct out *o, const char *fmt, va_list ap)
{
	char small[512];
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof small, fmt, ap);
	if (n < 0) {
		va_end(ap2);
		return;
	}
	if ((size_t)n < sizeof small) {
		out_write(o, small, (size_t)n);
	} else {
		char *big = malloc((size_t)n + 1);
		if (!big) {
			note_error(o, ENOMEM);
		} else {
			vsnprintf(big, (size_t)n + 1, fmt, ap2);
			out_write(o, big, (size_t)n);
			free(big);
		}
	}
	va_end(ap2);
}

void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	out_vprintf(o, fmt, ap);
	va_end(ap);
}

static void release(struct out *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
	if (o->tmp_path) {
		untrack_pending(o->tmp_path);
		free(o->tmp_path);
		o->tmp_path = NULL;
	}
	free(o->path);
	o->path = NULL;
	o->fd = -1;
}

int out_close(struct out *o)
{
	int err;

	if (!o->buf && o->fd < 0)
		return 0;
	out_flush(o);
	if (o->tmp_path) {
		if (!o->err && fsync(o->fd) < 0 && errno != EINVAL)
			o->err = errno;
		if (close(o->fd) < 0 && !o->err)
			o->err = errno;
		if (!o->err && rename(o->tmp_path, o->path) < 0)
			o->err = errno;
		if (o->err)
			unlink(o->tmp_path);
	}
	else if (o->close_fd && close(o->fd) < 0 && !o->err)
		o->err = errno;
	err = o->err;
	release(o);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

void out_abort(struct out *o)
{
	if (o->tmp_path) {
		close(o->fd);
		unlink(o->tmp_path);
	} else if (o->close_fd) {
		close(o->fd);
	}
	release(o);
}

static struct out stdout_out;
static bool stdout_open;

struct out *out_stdout(void)
{
	if (!stdout_open) {
		if (out_open_fd(&stdout_out, STDOUT_FILENO, "<stdout>") < 0)
			diag_die(EXIT_DATA, "out of memory");
		stdout_out.fatal = true;
		stdout_open = true;
	}
	return &stdout_out;
}

void out_stdout_close_or_die(void)
{
	if (stdout_open) {
		stdout_out.fatal = false;
		stdout_open = false;
		if (out_close(&stdout_out) < 0)
			diag_die(EXIT_DATA, "write error: %s", strerror(errno));
	}
	/* Anything written through stdio (--help, --version, reports). */
	if (fflush(stdout) != 0 || ferror(stdout))
		diag_die(EXIT_DATA, "write error: %s", strerror(errno));
}
