/* out_writer.h - a struct out's write(2) calls made by a thread of its
 * own, so that the copy of a large output into the page cache (a
 * tally-split -o of 1.5 GB: 4 s of system time on a 2-core machine)
 * overlaps the work that makes it.  Private to out.c: commands ask for it
 * with out_async (out.h).
 *
 * Two buffers take turns: the command fills one while the thread writes
 * the other.  The thread never allocates, prints or exits; a failed write
 * is kept and given to the command at its next hand-over or drain, in the
 * command's own thread, so the error hooks of out.h run where they always
 * did.  Library code: statuses only. */
#ifndef TALLY_OUT_WRITER_H
#define TALLY_OUT_WRITER_H

#include <stddef.h>

struct out_writer;

/* Start a writer for descriptor fd with a spare buffer of cap bytes.
 * NULL when it cannot be started (no memory, no thread): the caller
 * then writes as before. */
struct out_writer *out_writer_start(int fd, size_t cap);

/* Hand *buf (len bytes, len > 0) to the writer once it is done with the
 * previous one, and take its spare buffer in *buf.  Returns 0, or the
 * errno of an earlier write that failed (nothing is handed over then,
 * and nothing more will be written). */
int out_writer_hand(struct out_writer *w, char **buf, size_t len);

/* Wait until everything handed over is written.  Returns 0 or the errno
 * of a failed write. */
int out_writer_drain(struct out_writer *w);

/* Drain, stop the thread and free the writer and its spare buffer.
 * Returns what out_writer_drain would. */
int out_writer_stop(struct out_writer *w);

#endif
