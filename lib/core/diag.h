/* diag.h - diagnostics and exit statuses shared by every tally command.
 *
 * One message format, made here: "prog: message", and for data errors
 * "prog: FILE:LINE: message".  Library code never prints or exits (it
 * returns a status); only command code calls the functions that print or
 * die, which are command support, defined in cmdsupport.c (diag_prog and
 * diag_quote are pure, in diag.c).  tests/lint/purity checks it. */
#ifndef TALLY_DIAG_H
#define TALLY_DIAG_H

#include <stddef.h>
#include <stdnoreturn.h>

#define TALLY_VERSION "0.1.0"

enum tally_exit {
	EXIT_OK = 0,    /* success */
	EXIT_DATA = 1,  /* bad data, or an I/O failure while running */
	EXIT_USAGE = 2, /* bad usage: options, unopenable file, missing column */
};

/* The program name used as the prefix of every message ("tally-split"). */
extern const char *diag_prog;

/* Set diag_prog from argv[0] (its basename), restore the default SIGPIPE
 * action, so that a closed pipe ends the command quietly, and check at
 * exit that stdio's stdout was written (else "prog: write error: ...",
 * exit 1).  argv0 is cut to its basename in place (C11 lets a program
 * change its argv strings), so that getopt's own messages ("unrecognized
 * option") start with the program's name, not the path it was run by. */
void diag_init(char *argv0);

/* Call FN (NULL: nothing) before every message is written, so that a
 * progress line on the terminal is erased first (see progress.h). */
void diag_before_message(void (*fn)(void));

/* "prog: message\n" on stderr. */
void diag_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "prog: FILE:LINE: message\n" on stderr; line <= 0 leaves ":LINE" out. */
void diag_warn_at(const char *file, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* diag_warn, then exit(status) (running atexit handlers, which remove
 * unfinished atomic output files). */
noreturn void diag_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* diag_warn_at, then exit(status). */
noreturn void diag_die_at(int status, const char *file, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "prog --version" output: "prog (tally) VERSION\n" on stdout. */
void diag_print_version(void);

/* Quote a data value for a message into buf: wrapped in double quotes,
 * control characters and '"' and '\\' shown as C escapes, cut with "..."
 * after about 60 bytes.  Returns buf. */
char *diag_quote(char *buf, size_t cap, const char *value, size_t len);

/* Allocation that dies with "prog: out of memory" (exit 1) on failure.
 * For command code; library code reports ENOMEM to its caller instead. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
