/* out.c - checked, buffered output and atomic files (see out.h). */
#include "out.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "out_writer.h"

#define OUT_BUFSIZE (64 * 1024)
#define OUT_ASYNC_BUFSIZE (256 * 1024) /* fewer hand-overs between the threads */

/* Temporaries of atomic files not yet committed, removed at exit so that a
 * command that dies half way leaves nothing half-written behind. */
#define PENDING_MAX 320 /* tally-partition writes up to 256 at once */
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
	o->dir_fd = -1;
	o->name = name;
	o->cap = OUT_BUFSIZE;
	o->buf = malloc(o->cap);
	if (!o->buf) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* "DIR/.BASE.XXXXXX" for path "DIR/BASE" (the X's filled in later). */
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

/* The last component of a path (after its last '/'). */
static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Open the folder of path ("." when it has none) for openat/renameat. */
static int open_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (slash == path)
		return open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *dir = strndup(path, (size_t)(slash - path));
	if (!dir) {
		errno = ENOMEM;
		return -1;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int e = errno;
	free(dir);
	errno = e;
	return fd;
}

/* Create the temporary tmp ("....XXXXXX": the X's are replaced) inside
 * dir_fd, never through a link.  Returns the descriptor or -1. */
static int make_temp(int dir_fd, char *tmp)
{
	static const char digits[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	static unsigned long counter;
	char *x = tmp + strlen(tmp) - 6;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	unsigned long v = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16);
	for (int attempt = 0; attempt < 100; attempt++) {
		unsigned long r = v + 7919 * ++counter;
		for (int i = 0; i < 6; i++, r /= 62)
			x[i] = digits[r % 62];
		int fd = openat(dir_fd, base_of(tmp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
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

/* The temporary for final (owned: freed on failure), created in its
 * folder; the mode of the file it replaces, else what a plain create
 * gives. */
static int open_atomic(struct out *o, char *final)
{
	struct stat st;
	char *tmp = temp_name_for(final);
	int fd = -1, dir_fd = -1;
	mode_t mask;

	if (!tmp) {
		errno = ENOMEM;
		goto fail;
	}
	dir_fd = open_dir_of(final);
	if (dir_fd < 0)
		goto fail;
	fd = make_temp(dir_fd, tmp);
	if (fd < 0)
		goto fail;
	if (fstatat(dir_fd, base_of(final), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
		(void)fchmod(fd, st.st_mode & 07777);
	} else {
		mask = umask(0);
		umask(mask);
		(void)fchmod(fd, 0666 & ~mask);
	}
	if (track_pending(tmp) < 0 || out_open_fd(o, fd, final) < 0) {
		int e = errno;
		unlinkat(dir_fd, base_of(tmp), 0);
		untrack_pending(tmp);
		errno = e;
		goto fail;
	}
	o->path = final;
	o->tmp_path = tmp;
	o->dir_fd = dir_fd;
	return 0;
fail:;
	int e = errno;
	if (fd >= 0)
		close(fd);
	if (dir_fd >= 0)
		close(dir_fd);
	free(tmp);
	free(final);
	errno = e;
	return -1;
}

int out_open_file(struct out *o, const char *path)
{
	struct stat st;
	char *final = NULL;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return open_in_place(o, path);
	/* Through a symbolic link, replace the file it points to, not the link. */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		final = realpath(path, NULL);
	if (!final)
		final = strdup(path);
	if (!final) {
		errno = ENOMEM;
		return -1;
	}
	return open_atomic(o, final);
}

int out_open_file_here(struct out *o, const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		errno = S_ISLNK(st.st_mode) ? ELOOP : EEXIST;
		return -1;
	}
	char *final = strdup(path);
	if (!final) {
		errno = ENOMEM;
		return -1;
	}
	return open_atomic(o, final);
}

static void note_error(struct out *o, int e)
{
	if (!o->err)
		o->err = e;
	if (o->on_error)
		o->on_error(o, e);
}

void out_fail(struct out *o, int e)
{
	note_error(o, e);
}

/* Written by a thread: hand the pending bytes over (the thread's spare
 * buffer becomes o's).  Returns 0, or -1 when an error has been seen. */
static int hand_over(struct out *o)
{
	if (o->err) {
		o->len = 0;
		return -1;
	}
	if (o->len == 0)
		return 0;
	int e = out_writer_hand(o->writer, &o->buf, o->len);
	o->len = 0;
	if (e) {
		note_error(o, e);
		return -1;
	}
	return 0;
}

/* Written by a thread: hand over and wait until all is written. */
static int flush_async(struct out *o)
{
	if (hand_over(o) < 0)
		return -1;
	int e = out_writer_drain(o->writer);
	if (e) {
		note_error(o, e);
		return -1;
	}
	return 0;
}

int out_flush(struct out *o)
{
	size_t done = 0;

	if (o->writer)
		return flush_async(o);
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

void out_async(struct out *o)
{
	if (o->writer || !o->tmp_path || o->err || !o->buf)
		return;
	char *big = realloc(o->buf, OUT_ASYNC_BUFSIZE);
	if (!big)
		return;
	o->buf = big;
	o->cap = OUT_ASYNC_BUFSIZE;
	o->writer = out_writer_start(o->fd, o->cap);
}

/* Stop o's writer thread, if any, keeping the first error. */
static void stop_writer(struct out *o)
{
	if (!o->writer)
		return;
	int e = out_writer_stop(o->writer);
	o->writer = NULL;
	if (e && !o->err)
		o->err = e;
}

void out_write(struct out *o, const void *p, size_t n)
{
	const char *s = p;

	if (o->err)
		return;
	while (n > 0) {
		size_t room = o->cap - o->len;
		if (room == 0) {
			if ((o->writer ? hand_over(o) : out_flush(o)) < 0)
				return;
			room = o->cap;
		}
		if (o->len == 0 && n >= o->cap && !o->writer) {
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
	stop_writer(o);
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
	if (o->dir_fd >= 0)
		close(o->dir_fd);
	o->dir_fd = -1;
}

int out_close(struct out *o)
{
	int err;

	if (!o->buf && o->fd < 0)
		return 0;
	out_flush(o);
	stop_writer(o); /* every byte written: the descriptor is the caller's again */
	if (o->tmp_path) {
		if (!o->err && fsync(o->fd) < 0 && errno != EINVAL)
			o->err = errno;
		if (close(o->fd) < 0 && !o->err)
			o->err = errno;
		/* inside the folder: a link put in place of the target is
		 * replaced, never followed */
		if (!o->err &&
		    renameat(o->dir_fd, base_of(o->tmp_path), o->dir_fd, base_of(o->path)) < 0)
			o->err = errno;
		if (o->err)
			unlinkat(o->dir_fd, base_of(o->tmp_path), 0);
		/* the new entry itself should survive a crash; best effort: the
		 * rename is done, so failing now would report a file replaced
		 * as not written */
		else
			(void)fsync(o->dir_fd);
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
	stop_writer(o); /* its last write done before the file goes */
	if (o->tmp_path) {
		close(o->fd);
		unlinkat(o->dir_fd, base_of(o->tmp_path), 0);
	} else if (o->close_fd) {
		close(o->fd);
	}
	release(o);
}
