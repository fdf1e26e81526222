/* cmdsupport.c - command support: every library function that prints to
 * stderr or exits, in one place (sbase's e* functions), so that the rest of
 * lib/ only returns statuses (tests/lint/purity checks it).  Declared in the
 * headers of their concerns, each marked "command support": diag.h
 * (messages, dying, x*alloc), tsv.h (tsv_col_or_die), out.h (stdout),
 * reject.h (--rejects) and cli.h (the option glue). */
#include "diag.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ingest_sniff.h"
#include "out.h"
#include "readall.h"
#include "reject.h"
#include "tsv.h"

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

/* ---- tsv.h ---- */

/* What to say about a header that lacks a column NAME when the input is
 * plainly meant for another command.  A platform export is said to be
 * one, short, with the command that reads it; its header is not dumped
 * (a new user fed a raw export and got the whole header line first).
 * True when that was said: the missing column's own message is left out. */
static bool said_export(const struct tsv_reader *r)
{
	const char *format;
	if (ingest_sniff_header(r->cols, r->ncols, &format) != INGEST_HEADER_EXPORT)
		return false;
	fprintf(stderr, "%s: %s: looks like a raw %s export, not a stream of tally's\n", diag_prog, r->file,
		format ? format : "platform");
	fprintf(stderr, "%s: hint: read it with tally-ingest first (tally-ingest %s > sales.tsv)\n", diag_prog,
		strcmp(r->file, "<stdin>") == 0 ? "EXPORT" : r->file);
	return true;
}

/* A line after a missing column's message when the input is the sales
 * stream where tally-split's output, with payees, is wanted. */
static void header_hint(const struct tsv_reader *r, const char *name)
{
	const char *format;
	if (strcmp(name, "payee") == 0 && ingest_sniff_header(r->cols, r->ncols, &format) == INGEST_HEADER_SALES)
		fprintf(stderr, "%s: hint: %s is a sales stream (tally-ingest's output): split it among the "
			"payees first (tally-split -a AGREEMENTS %s | %s)\n", diag_prog, r->file,
			strcmp(r->file, "<stdin>") == 0 ? "-" : r->file, diag_prog);
}

int tsv_col_or_die(const struct tsv_reader *r, const char *name)
{
	int c = tsv_col(r, name);
	if (c >= 0)
		return c;
	fflush(stdout);
	if (said_export(r))
		exit(EXIT_USAGE);
	fprintf(stderr, "%s: %s: missing column \"%s\" (header: ", diag_prog, r->file, name);
	for (size_t i = 0; i < r->ncols; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", r->cols[i]);
	fprintf(stderr, ")\n");
	header_hint(r, name);
	exit(EXIT_USAGE);
}

/* ---- out.h ---- */

/* out.on_error of stdout's writer: a failed write ends the command at once. */
static void die_on_write_error(const struct out *o, int e)
{
	if (o->tmp_path)
		diag_die(EXIT_DATA, "%s: write error: %s", o->name, strerror(e));
	diag_die(EXIT_DATA, "write error: %s", strerror(e));
}

static struct out stdout_out;
static bool stdout_open;

struct out *out_stdout(void)
{
	if (!stdout_open) {
		if (out_open_fd(&stdout_out, STDOUT_FILENO, "<stdout>") < 0)
			diag_die(EXIT_DATA, "out of memory");
		stdout_out.on_error = die_on_write_error;
		stdout_open = true;
	}
	return &stdout_out;
}

void out_stdout_close_or_die(void)
{
	if (stdout_open) {
		stdout_out.on_error = NULL;
		stdout_open = false;
		if (out_close(&stdout_out) < 0)
			diag_die(EXIT_DATA, "write error: %s", strerror(errno));
	}
	/* Anything written through stdio (--help, --version, reports). */
	if (fflush(stdout) != 0 || ferror(stdout))
		diag_die(EXIT_DATA, "write error: %s", strerror(errno));
}

/* ---- reject.h ---- */

void reject_open(struct reject_sink *rs, const char *path)
{
	memset(rs, 0, sizeof *rs);
	if (!path)
		return;
	if (out_open_file(&rs->out, path) < 0)
		diag_die(EXIT_USAGE, "%s: %s", path, strerror(errno));
	rs->open = true;
}

/* The TABs in s[0..n): a TSV line's fields less one. */
static size_t count_tabs(const char *s, size_t n)
{
	size_t k = 0;
	for (const char *p = s, *end = s + n; (p = memchr(p, '\t', (size_t)(end - p))); p++)
		k++;
	return k;
}

void reject_row(struct reject_sink *rs, const char *file, long line, const char *header,
		size_t header_len, const char *raw, size_t raw_len, const char *reason)
{
	if (!rs->open)
		diag_die_at(EXIT_DATA, file, line, "%s", reason);
	if (!rs->header_done) {
		out_write(&rs->out, header, header_len);
		out_puts(&rs->out, "\treject_reason\n");
		rs->header_done = true;
	}
	out_write(&rs->out, raw, raw_len);
	/* a TSV row short of the header's fields is padded with empty ones,
	 * so that its reason is read in the reject_reason column (a longer
	 * row keeps every field: its reason is still its last) */
	for (size_t k = count_tabs(raw, raw_len), want = count_tabs(header, header_len); want && k < want; k++)
		out_putc(&rs->out, '\t');
	out_putc(&rs->out, '\t');
	tsv_escape_to(&rs->out, file, strlen(file));
	out_printf(&rs->out, ":%ld: ", line);
	tsv_escape_to(&rs->out, reason, strlen(reason));
	out_putc(&rs->out, '\n');
	rs->count++;
}

void reject_close(struct reject_sink *rs)
{
	if (!rs->open)
		return;
	char *path = xstrdup(rs->out.path ? rs->out.path : "");
	rs->open = false;
	if (out_close(&rs->out) < 0)
		diag_die(EXIT_DATA, "%s: write error: %s", path, strerror(errno));
	if (rs->count > 0)
		diag_warn("%ld row%s rejected, see %s", rs->count, rs->count == 1 ? "" : "s", path);
	free(path);
}

/* ---- cli.h ---- */

void cli_hint_option(const char *arg, const struct option *longopts)
{
	const char *near = cli_nearest_option(arg, longopts);
	if (near)
		diag_warn("did you mean '--%s'?", near);
}

void cli_hint_word(const char *word, const char *const *names, size_t count)
{
	const char *near = cli_nearest_word(word, names, count);
	if (near)
		diag_warn("did you mean '%s'?", near);
}

void cli_hint_moved(int letter, const char *const *moved)
{
	const char *now = cli_moved_option(letter, moved);
	if (now)
		diag_warn("-%c is now %s (see tally(7), OPTIONS TABLE)", letter, now);
}

bool cli_once(struct cli_seen *seen, int c, const struct option *longopts, const int *many)
{
	const char *name = cli_repeated(seen, c, longopts, many);
	if (name)
		diag_warn("--%s given more than once", name);
	return !name;
}

void cli_version(void)
{
	diag_print_version();
	out_stdout_close_or_die();
	exit(EXIT_OK);
}

void cli_tsv_open(struct tsv_reader *r, char **files, size_t n)
{
	if (tsv_open(r, files, n) == 0)
		return;
	if (errno)
		diag_die(EXIT_USAGE, "%s: %s", r->file, strerror(errno));
	diag_die_at(EXIT_DATA, r->file, 1, "%s", r->err);
}

char *cli_read_file(const char *path, size_t *len)
{
	char *text;
	if (readall_path(path, &text, len) == 0)
		return text;
	if (errno == ENOMEM)
		diag_die(EXIT_DATA, "out of memory");
	diag_die(EXIT_USAGE, "%s: %s", strcmp(path, "-") == 0 ? "<stdin>" : path, strerror(errno));
}
