/* progress.h - a progress line on a terminal while a long input is read.
 *
 * Shown on standard error only when it is a terminal (or when forced with
 * --progress), and only once the run has lasted PROGRESS_DELAY_MS (or
 * $TALLY_PROGRESS_DELAY milliseconds), so that short runs, pipes and cron
 * never see it.  The line is redrawn in place (CR, erase to end of line)
 * at most four times a second and erased by progress_end, so what the
 * command prints after it starts on a clean line.  Never used for
 * anything that changes what is counted: those notes are messages. */
#ifndef TALLY_PROGRESS_H
#define TALLY_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define PROGRESS_DELAY_MS 1000

enum progress_mode {
	PROGRESS_AUTO,  /* when the stream is a terminal */
	PROGRESS_ON,    /* --progress: always */
	PROGRESS_OFF,   /* --no-progress: never */
};

struct progress {
	FILE *fp;                /* where the line goes; NULL: not shown */
	const char *prog;        /* program name, the line's prefix (borrowed) */
	uint64_t total;          /* bytes of all inputs when known, else 0 */
	struct timespec start;   /* when progress_start ran */
	struct timespec last;    /* when the line was last drawn */
	long delay_ms;           /* run time before the first line */
	long rows;               /* rows read so far (ticks) */
	unsigned countdown;      /* ticks until the clock is read again */
	bool drawn;              /* a line is on the terminal now */
};

/* Start tracking a run whose inputs are PATHS[0..n) ("-" or none: standard
 * input).  FP is where the line would go (stderr; borrowed), shown per
 * MODE.  Their sizes add up to the total when every input is a regular
 * file; otherwise the line has no percentage and no ETA. */
void progress_start(struct progress *p, const char *prog, FILE *fp, enum progress_mode mode,
		    char *const *paths, size_t n);

/* Note that one more row has been read, and BYTES bytes of all inputs
 * from the start.  Cheap: reads the clock once every 1024 calls. */
void progress_tick(struct progress *p, uint64_t bytes);

/* Erase the line, if one is drawn.  Safe to call more than once. */
void progress_end(struct progress *p);

/* Write into BUF (SIZE bytes) the text of the line for ROWS rows and BYTES
 * of TOTAL bytes (0: unknown) after ELAPSED seconds: "12,345 rows,
 * 3.4 MB of 10.0 MB (34%), 1.7 MB/s, 0:04 left".  Exposed for tests. */
void progress_format(char *buf, size_t size, long rows, uint64_t bytes, uint64_t total,
		     double elapsed);

#endif
