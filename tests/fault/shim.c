/* shim.c - an LD_PRELOAD library that makes one system call fail, to test
 * that a failure at any point leaves every file whole.
 *
 *   TALLY_FAULT=CALL   write, fsync, rename, close, open, read, flock or
 *                      malloc (malloc, calloc, realloc)
 *   TALLY_FAULT_N=N    fail the Nth such call (1-based) once, with EIO
 *                      (ENOMEM for malloc, ENOLCK for flock); 0: fail none
 *   TALLY_FAULT_COUNT=FILE   at exit, write how many such calls were made
 *   TALLY_FAULT_TRACE=1      print a backtrace on stderr where the call fails
 *
 * Writes to stderr (fd 2) are neither counted nor failed: the message
 * saying what failed must get out.  Only calls the program makes through
 * the dynamic symbols are seen (glibc's stdio calls its own internals).
 * Built by "make fault" as build/fault/shim.so. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static char which[16];   /* the call chosen, "" before set-up or when none */
static long fail_at;     /* N */
static long seen;        /* calls of that kind so far */
static int ready;        /* set-up done: count from here on */

__attribute__((constructor)) static void setup(void)
{
	const char *c = getenv("TALLY_FAULT"), *n = getenv("TALLY_FAULT_N");
	if (c)
		snprintf(which, sizeof which, "%s", c);
	fail_at = n ? atol(n) : 0;
	ready = 1;
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("TALLY_FAULT_COUNT");
	if (!path)
		return;
	ready = 0;
	FILE *f = fopen(path, "w");
	if (f) {
		fprintf(f, "%ld\n", seen);
		fclose(f);
	}
}

/* Whether this call of kind `call` is the one to fail. */
static int fail_now(const char *call)
{
	if (!ready || strcmp(which, call) != 0)
		return 0;
	if (++seen != fail_at)
		return 0;
	if (getenv("TALLY_FAULT_TRACE")) {
		void *frames[32];
		ready = 0; /* backtrace may allocate */
		backtrace_symbols_fd(frames, backtrace(frames, 32), 2);
		ready = 1;
	}
	return 1;
}

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*read_fn)(int, void *, size_t);
typedef int (*fsync_fn)(int);
typedef int (*rename_fn)(const char *, const char *);
typedef int (*renameat_fn)(int, const char *, int, const char *);
typedef int (*close_fn)(int);
typedef int (*flock_fn)(int, int);
typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);

#define REAL(name, type) static type real_##name; if (!real_##name) real_##name = (type)dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buf, size_t n)
{
	REAL(write, write_fn);
	if (fd != 2 && fail_now("write")) {
		errno = EIO;
		return -1;
	}
	return real_write(fd, buf, n);
}

ssize_t read(int fd, void *buf, size_t n)
{
	REAL(read, read_fn);
	if (fail_now("read")) {
		errno = EIO;
		return -1;
	}
	return real_read(fd, buf, n);
}

int fsync(int fd)
{
	REAL(fsync, fsync_fn);
	if (fail_now("fsync")) {
		errno = EIO;
		return -1;
	}
	return real_fsync(fd);
}

int rename(const char *a, const char *b)
{
	REAL(rename, rename_fn);
	if (fail_now("rename")) {
		errno = EIO;
		return -1;
	}
	return real_rename(a, b);
}

int renameat(int da, const char *a, int db, const char *b)
{
	REAL(renameat, renameat_fn);
	if (fail_now("rename")) {
		errno = EIO;
		return -1;
	}
	return real_renameat(da, a, db, b);
}

int close(int fd)
{
	REAL(close, close_fn);
	if (fd != 2 && fail_now("close")) {
		real_close(fd); /* as Linux does: the descriptor is gone either way */
		errno = EIO;
		return -1;
	}
	return real_close(fd);
}

int flock(int fd, int op)
{
	REAL(flock, flock_fn);
	if (fail_now("flock")) {
		errno = ENOLCK;
		return -1;
	}
	return real_flock(fd, op);
}

/* open and openat, with the mode only when O_CREAT or O_TMPFILE asks. */
#define OPEN_MODE(flags, mode)                                   \
	do {                                                     \
		if ((flags) & (O_CREAT | O_TMPFILE)) {           \
			va_list ap;                              \
			va_start(ap, flags);                     \
			mode = (mode_t)va_arg(ap, int);          \
			va_end(ap);                              \
		}                                                \
	} while (0)

int open(const char *path, int flags, ...)
{
	REAL(open, open_fn);
	mode_t mode = 0;
	OPEN_MODE(flags, mode);
	if (fail_now("open")) {
		errno = EIO;
		return -1;
	}
	return real_open(path, flags, mode);
}

/* on 64-bit glibc open64 is open */
int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int openat(int dir, const char *path, int flags, ...)
{
	REAL(openat, openat_fn);
	mode_t mode = 0;
	OPEN_MODE(flags, mode);
	if (fail_now("open")) {
		errno = EIO;
		return -1;
	}
	return real_openat(dir, path, flags, mode);
}

void *malloc(size_t n)
{
	if (fail_now("malloc")) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(n);
}

void *calloc(size_t k, size_t n)
{
	if (fail_now("malloc")) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(k, n);
}

void *realloc(void *p, size_t n)
{
	if (fail_now("malloc")) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, n);
}
