/* reject.c - rows that cannot be used: fatal, or recorded with --rejects. */
#include "reject.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "tsv.h"

void reject_open(struct reject_sink *rs, const char *path)
{
	memset(rs, 0, sizeof *rs);
	if (!path)
		return;
	if (out_open_file(&rs->out, path) < 0)
		diag_die(EXIT_USAGE, "%s: %s", path, strerror(errno));
	rs->open = true;
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
