/* reject.h - what happens to a row that cannot be used.
 *
 * Without --rejects the first bad row is fatal: "prog: FILE:LINE: REASON",
 * exit 1.  With --rejects FILE, the row is written there verbatim (as it
 * was read; a TSV row short of the header's fields padded with empty ones,
 * so the reason is read as reject_reason), followed by a TAB and
 * "FILE:LINE: REASON" (escaped), and the
 * command goes on.  The rejects file starts with the input's header line plus a last
 * column "reject_reason" (a header given once), and is written atomically.
 * Nothing is ever dropped silently.  Command support: the functions print
 * and die, and are defined in cmdsupport.c. */
#ifndef TALLY_REJECT_H
#define TALLY_REJECT_H

#include <stdbool.h>
#include <stddef.h>

#include "out.h"

struct reject_sink {
	struct out out;  /* the open rejects file */
	bool open;       /* --rejects was given */
	bool header_done;/* header line written */
	long count;      /* rows rejected so far */
};

/* Open PATH for rejects (NULL: none, bad rows are fatal).  Dies with exit 2
 * if it cannot be created.  For command code. */
void reject_open(struct reject_sink *rs, const char *path);

/* Handle one bad row.  header/header_len: the input's raw header line (for
 * the rejects file's first line); raw/raw_len: the row as read.  Without a
 * sink this prints the diagnostic and exits 1; with one it records and
 * returns. */
void reject_row(struct reject_sink *rs, const char *file, long line,
		const char *header, size_t header_len,
		const char *raw, size_t raw_len, const char *reason);

/* Commit the rejects file (dies on a write error); prints
 * "prog: N rows rejected, see PATH" on stderr when N > 0. */
void reject_close(struct reject_sink *rs);

#endif
