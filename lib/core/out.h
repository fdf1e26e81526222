/* out.h - buffered output to a file descriptor, with checked errors and
 * atomic files.
 *
 * Every byte a command writes goes through a struct out.  Writes are
 * buffered (64 KiB) and sent with write(2).  The first failure is kept in
 * o->err and later writes are dropped, so callers check once, at close.
 * A file opened with out_open_file() is written to a temporary in the same
 * folder and renamed over the target only by a successful out_close(): it
 * appears whole or not at all.  Temporaries of files never closed are
 * removed at exit (atexit), including after diag_die(). */
#ifndef TALLY_OUT_H
#define TALLY_OUT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct out_writer;

struct out {
	int fd;            /* destination; -1 when closed */
	const char *name;  /* for messages: path, or "<stdout>" */
	char *buf;         /* pending bytes */
	size_t len;        /* bytes pending in buf */
	size_t cap;        /* size of buf */
	int err;           /* first errno seen, 0 if none */
	void (*on_error)(const struct out *o, int e); /* called at each error seen (NULL: none) */
	char *path;        /* atomic file: the final path (owned), else NULL */
	char *tmp_path;    /* atomic file: the temporary being written (owned) */
	bool close_fd;     /* out_close closes fd (a file opened in place) */
	int dir_fd;        /* atomic file: its folder, for renameat and fsync; else -1 */
	struct out_writer *writer; /* out_async: the thread that writes, else NULL */
};

/* Wrap an already open descriptor (1 for stdout).  name is borrowed.
 * Returns 0, or -1 with errno set (ENOMEM). */
int out_open_fd(struct out *o, int fd, const char *name);

/* Start writing PATH atomically: a temporary ".NAME.XXXXXX" beside it,
 * mode 0666 & ~umask, renamed over PATH by out_close.  Through a symbolic
 * link the file it points to is replaced, not the link.  A PATH that
 * exists and is not a regular file (/dev/stderr, a FIFO, a terminal) is
 * written in place instead, since renaming would replace the device.
 * Returns 0, or -1 with errno set (the folder is missing or not
 * writable...).  The temporary is made and renamed relative to the
 * folder (openat/renameat), and the folder is fsynced after the rename
 * (best effort: the file is in place by then), so that the new file
 * survives a crash. */
int out_open_file(struct out *o, const char *path);

/* Like out_open_file, for a file the command names itself inside a folder
 * the user gave (tally-report --out-dir): the last component of PATH is
 * never followed.  A PATH that is a symbolic link is refused (ELOOP), as
 * is one that is not a regular file (EEXIST), and the rename replaces the
 * entry in the folder, so nothing outside it is ever written. */
int out_open_file_here(struct out *o, const char *path);

/* Write an atomic file (out_open_file*) from a thread of its own, so that
 * copying a large output into the page cache overlaps the work that makes
 * it (a command's main -o file on a machine of two cores or more).  Only
 * the write(2) calls move; errors are kept and reported, through on_error
 * and o->err, in the caller's thread at the next hand-over (a full
 * buffer), out_flush or out_close, which wait for the writes.  Best
 * effort: when no thread can be started, or o is no atomic file, o is
 * written as before.  Buffers grow to OUT_ASYNC_BUFSIZE, two of them. */
void out_async(struct out *o);

/* Append bytes, a NUL-terminated string, one byte, or printf output. */
void out_write(struct out *o, const void *p, size_t n);
void out_puts(struct out *o, const char *s);
void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void out_vprintf(struct out *o, const char *fmt, va_list ap);

static inline void out_putc(struct out *o, char c)
{
	if (o->len == o->cap)
		out_write(o, &c, 1);
	else
		o->buf[o->len++] = c;
}

/* Send pending bytes (and, written by a thread, wait until they are
 * written).  Returns 0, or -1 when an error has been seen. */
int out_flush(struct out *o);

/* Flush and close.  For an atomic file: fsync, then rename over the target
 * when no error was seen, else remove the temporary.  For a wrapped fd the
 * fd is not closed (stdout stays open).  Returns 0, or -1 with errno set
 * to the first error seen.  Frees the buffer either way. */
int out_close(struct out *o);

/* Give up on an atomic file: remove the temporary, free everything. */
void out_abort(struct out *o);

/* Record error E (an errno) on O as a failed write would: out_flush and
 * out_close then fail with it, and O's on_error hook is called. */
void out_fail(struct out *o, int e);

/* Command support (cmdsupport.c), for command code only: the process-wide
 * stdout writer, opened on first use, whose on_error dies at the first
 * failed write ("prog: write error: REASON", exit 1). */
struct out *out_stdout(void);

/* Command support (cmdsupport.c): close stdout's writer (if opened) and die with
 * "prog: write error: REASON" (exit 1) if anything failed. */
void out_stdout_close_or_die(void);

#endif
