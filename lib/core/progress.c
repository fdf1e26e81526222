/* progress.c - the progress line of progress.h. */
#include "progress.h"

#include "diag.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TICKS_PER_CLOCK 1024
#define REDRAW_MS 250

static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (long)(b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* The sum of the inputs' sizes, or 0 when one of them is not a regular file. */
static uint64_t total_size(char *const *paths, size_t n)
{
	uint64_t total = 0;
	struct stat st;

	if (n == 0)
		return fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	for (size_t i = 0; i < n; i++) {
		int rc = strcmp(paths[i], "-") == 0 ? fstat(STDIN_FILENO, &st) : stat(paths[i], &st);
		if (rc != 0 || !S_ISREG(st.st_mode))
			return 0;
		total += (uint64_t)st.st_size;
	}
	return total;
}

/* The delay before the first line: $TALLY_PROGRESS_DELAY ms, else the default. */
static long first_delay(void)
{
	const char *env = getenv("TALLY_PROGRESS_DELAY");
	char *end;
	long ms;

	if (!env || !*env)
		return PROGRESS_DELAY_MS;
	ms = strtol(env, &end, 10);
	return *end == '\0' && ms >= 0 ? ms : PROGRESS_DELAY_MS;
}

static struct progress *shown; /* the progress whose line a message erases */

static void erase_shown(void)
{
	if (shown)
		progress_end(shown);
}

void progress_start(struct progress *p, const char *prog, FILE *fp, enum progress_mode mode,
		    char *const *paths, size_t n)
{
	memset(p, 0, sizeof *p);
	p->prog = prog;
	if (mode == PROGRESS_ON || (mode == PROGRESS_AUTO && isatty(fileno(fp))))
		p->fp = fp;
	if (!p->fp)
		return;
	p->total = total_size(paths, n);
	p->delay_ms = first_delay();
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
	p->countdown = 1;
	shown = p;
	diag_before_message(erase_shown);
}

/* "3.4 MB": BYTES in the largest unit that keeps the number under 1000. */
static void format_bytes(char *buf, size_t size, uint64_t bytes)
{
	static const char *const unit[] = {"B", "kB", "MB", "GB", "TB"};
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 999.95 && u + 1 < sizeof unit / sizeof unit[0]) {
		v /= 1000;
		u++;
	}
	snprintf(buf, size, u == 0 ? "%.0f %s" : "%.1f %s", v, unit[u]);
}

/* "12,345": ROWS with thousands separators. */
static void format_count(char *buf, size_t size, long rows)
{
	char digits[32];
	int n = snprintf(digits, sizeof digits, "%ld", rows < 0 ? 0 : rows);
	size_t o = 0;

	for (int i = 0; i < n && o + 2 < size; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

void progress_format(char *buf, size_t size, long rows, uint64_t bytes, uint64_t total,
		     double elapsed)
{
	char count[40], done[24], all[24], rate[24];
	/* Under a tenth of a second the rate says nothing yet. */
	double per_s = elapsed >= 0.1 ? (double)bytes / elapsed : 0;

	format_count(count, sizeof count, rows);
	format_bytes(done, sizeof done, bytes);
	format_bytes(rate, sizeof rate, (uint64_t)per_s);
	if (total == 0 || bytes > total) {
		if (per_s > 0)
			snprintf(buf, size, "%s rows, %s, %s/s", count, done, rate);
		else
			snprintf(buf, size, "%s rows, %s", count, done);
		return;
	}
	format_bytes(all, sizeof all, total);
	if (per_s <= 0) {
		snprintf(buf, size, "%s rows, %s of %s (%d%%)", count, done, all,
			 (int)(bytes * 100 / total));
		return;
	}
	long left = per_s > 0 ? (long)((double)(total - bytes) / per_s + 0.5) : 0;
	snprintf(buf, size, "%s rows, %s of %s (%d%%), %s/s, %ld:%02ld left", count, done, all,
		 (int)(bytes * 100 / total), rate, left / 60, left % 60);
}

void progress_tick(struct progress *p, uint64_t bytes)
{
	struct timespec now;
	char line[160];

	if (!p->fp)
		return;
	p->rows++;
	if (--p->countdown > 0)
		return;
	p->countdown = TICKS_PER_CLOCK;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (ms_between(&p->start, &now) < p->delay_ms)
		return;
	if (p->drawn && ms_between(&p->last, &now) < REDRAW_MS)
		return;
	progress_format(line, sizeof line, p->rows, bytes, p->total,
			(double)ms_between(&p->start, &now) / 1000.0);
	/* A failed write to the terminal is not the run's failure: ignored. */
	fprintf(p->fp, "\r%s: %s\033[K", p->prog, line);
	fflush(p->fp);
	p->last = now;
	p->drawn = true;
}

void progress_end(struct progress *p)
{
	if (!p->fp || !p->drawn)
		return;
	fputs("\r\033[K", p->fp);
	fflush(p->fp);
	p->drawn = false;
}
