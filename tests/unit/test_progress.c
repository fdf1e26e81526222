/* test_progress.c - unit tests of the progress line (lib/core/progress.c).
 *
 * Plan: the line's text for unknown and known totals, before and after
 * the rate means anything, thousands separators, units from B to GB, a
 * count past the total (a file that grew); progress_start shows nothing
 * when the stream is not a terminal (auto, off) and draws at once with
 * --progress and a zero delay; progress_end erases the line once. */
#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "tap.h"

static void test_format(void)
{
	char b[160];

	progress_format(b, sizeof b, 12345, 3400000, 0, 2.0);
	tap_is_str(b, "12,345 rows, 3.4 MB, 1.7 MB/s", "unknown total: no share, no time left");
	progress_format(b, sizeof b, 1, 262144, 0, 0.0);
	tap_is_str(b, "1 rows, 262.1 kB", "no rate in the first tenth of a second");
	progress_format(b, sizeof b, 1000000, 3400000, 10000000, 2.0);
	tap_is_str(b, "1,000,000 rows, 3.4 MB of 10.0 MB (34%), 1.7 MB/s, 0:04 left",
		   "known total: share and time left");
	progress_format(b, sizeof b, 999, 999, 0, 1.0);
	tap_is_str(b, "999 rows, 999 B, 999 B/s", "bytes under a kB");
	progress_format(b, sizeof b, 7, 2500000000ULL, 0, 100.0);
	tap_is_str(b, "7 rows, 2.5 GB, 25.0 MB/s", "gigabytes");
	progress_format(b, sizeof b, 5, 200, 100, 1.0);
	tap_is_str(b, "5 rows, 200 B, 200 B/s", "more read than the total: as if unknown");
	progress_format(b, sizeof b, 0, 50, 100, 0.0);
	tap_is_str(b, "0 rows, 50 B of 100 B (50%)", "known total, no rate yet");
	progress_format(b, sizeof b, 10, 100, 6100, 1.0);
	tap_is_str(b, "10 rows, 100 B of 6.1 kB (1%), 100 B/s, 1:00 left", "a minute left");
}

static void test_shown(void)
{
	struct progress p;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	progress_start(&p, "tally-x", fp, PROGRESS_AUTO, NULL, 0);
	progress_tick(&p, 10);
	progress_end(&p);
	fflush(fp);
	tap_is_int((long)len, 0L, "auto on a stream that is not a terminal: nothing");
	progress_start(&p, "tally-x", fp, PROGRESS_OFF, NULL, 0);
	progress_tick(&p, 10);
	fflush(fp);
	tap_is_int((long)len, 0L, "--no-progress: nothing");

	setenv("TALLY_PROGRESS_DELAY", "0", 1);
	progress_start(&p, "tally-x", fp, PROGRESS_ON, NULL, 0);
	progress_tick(&p, 10);
	progress_tick(&p, 20); /* within the redraw interval: not drawn */
	fflush(fp);
	tap_ok(len > 0 && strncmp(text, "\rtally-x: 1 rows, 10 B", 22) == 0,
	       "--progress and no delay: drawn at the first row");
	tap_ok(strstr(text, "2 rows") == NULL, "not redrawn within a quarter second");
	size_t drawn = len;
	progress_end(&p);
	progress_end(&p);
	fflush(fp);
	tap_is_int((long)(len - drawn), 4L, "erased once: CR and erase to end of line");

	setenv("TALLY_PROGRESS_DELAY", "60000", 1);
	progress_start(&p, "tally-x", fp, PROGRESS_ON, NULL, 0);
	progress_tick(&p, 10);
	fflush(fp);
	tap_is_int((long)(len - drawn), 4L, "a long delay: nothing drawn yet");
	unsetenv("TALLY_PROGRESS_DELAY");
	fclose(fp);
	free(text);
}

int main(void)
{
	test_format();
	test_shown();
	return tap_done();
}
