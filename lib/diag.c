/* diag.c - the one place tally's messages are made (see diag.h). */
#include "diag.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *diag_prog = "tally";

/* At exit, whatever was written through stdio (usage, --version, text
 * reports) must have reached its destination: ">/dev/full" fails loudly
 * even on paths that return without checking. */
static bool dying; /* diag_die has reported why the command fails */

static void check_stdout_at_exit(void)
{
	if (dying)
		return;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int e = errno;
		fprintf(stderr, "%s: write error: %s\n", diag_prog,
			e ? strerror(e) : "unknown error");
		_exit(EXIT_DATA);
	}
}

void diag_init(char *argv0)
{
	if (argv0 && *argv0) {
		const char *slash = strrchr(argv0, '/');
		if (slash && slash[1])
			memmove(argv0, slash + 1, strlen(slash + 1) + 1);
		diag_prog = argv0;
	}
	/* A shell or CI runner may have left SIGPIPE ignored; with the default
	 * action a write to a closed pipe ends the process quietly, like cat. */
	signal(SIGPIPE, SIG_DFL);
	atexit(check_stdout_at_exit);
}

static void (*before_message)(void); /* diag_before_message */

void diag_before_message(void (*fn)(void))
{
	before_message = fn;
}

static void vwarn_at(const char *file, long line, const char *fmt, va_list ap)
{
	fflush(stdout);
	if (before_message)
		before_message();
	if (file && line > 0)
		fprintf(stderr, "%s: %s:%ld: ", diag_prog, file, line);
	else if (file)
		fprintf(stderr, "%s: %s: ", diag_prog, file);
	else
		fprintf(stderr, "%s: ", diag_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void diag_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn_at(NULL, 0, fmt, ap);
	va_end(ap);
}

void diag_warn_at(const char *file, long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn_at(file, line, fmt, ap);
	va_end(ap);
}

void diag_die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn_at(NULL, 0, fmt, ap);
	va_end(ap);
	dying = status != 0;
	exit(status);
}

void diag_die_at(int status, const char *file, long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn_at(file, line, fmt, ap);
	va_end(ap);
	dying = status != 0;
	exit(status);
}

void diag_print_version(void)
{
	printf("%s (tally) %s\n", diag_prog, TALLY_VERSION);
}

char *diag_quote(char *buf, size_t cap, const char *value, size_t len)
{
	static const size_t shown_max = 60;
	size_t o = 0;

	if (cap < 8) {
		if (cap)
			buf[0] = '\0';
		return buf;
	}
	buf[o++] = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];
		char esc[8];
		size_t n;

		if (i >= shown_max) {
			if (o + 5 < cap)
				o += (size_t)snprintf(buf + o, cap - o, "...");
			break;
		}
		if (c == '"' || c == '\\')
			n = (size_t)snprintf(esc, sizeof esc, "\\%c", c);
		else if (c == '\t')
			n = (size_t)snprintf(esc, sizeof esc, "\\t");
		else if (c == '\n')
			n = (size_t)snprintf(esc, sizeof esc, "\\n");
		else if (c == '\r')
			n = (size_t)snprintf(esc, sizeof esc, "\\r");
		else if (c < 0x20 || c == 0x7f)
			n = (size_t)snprintf(esc, sizeof esc, "\\x%02x", c);
		else
			esc[0] = (char)c, esc[1] = '\0', n = 1;
		if (o + n + 2 >= cap)
			break;
		memcpy(buf + o, esc, n);
		o += n;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

static void *check_alloc(void *p)
{
	if (!p)
		diag_die(EXIT_DATA, "out of memory");
	return p;
}

void *xmalloc(size_t n) { return check_alloc(malloc(n ? n : 1)); }
void *xcalloc(size_t n, size_t size) { return check_alloc(calloc(n ? n : 1, size ? size : 1)); }
void *xrealloc(void *p, size_t n) { return check_alloc(realloc(p, n ? n : 1)); }
char *xstrdup(const char *s) { return check_alloc(strdup(s)); }
char *xstrndup(const char *s, size_t n) { return check_alloc(strndup(s, n)); }
