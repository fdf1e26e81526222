/* tap.h - a tiny TAP producer for tally's C unit tests.
 *
 * Each check prints "ok N - name" or "not ok N - name" (with a "#" line
 * saying what differed); tap_done() prints the plan "1..N" and returns the
 * exit status.  scripts/check counts these lines across all test programs. */
#ifndef TALLY_TAP_H
#define TALLY_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3))) static int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;
	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	return cond;
}

/* Compare integers; on failure show both. */
#define tap_is_int(got, want, ...)                                                     \
	do {                                                                           \
		long long g_ = (long long)(got), w_ = (long long)(want);               \
		if (!tap_ok(g_ == w_, __VA_ARGS__))                                    \
			printf("#   got %lld, want %lld (%s:%d)\n", g_, w_, __FILE__,     \
			       __LINE__);                                              \
	} while (0)

/* Compare NUL-terminated strings; on failure show both. */
#define tap_is_str(got, want, ...)                                                     \
	do {                                                                           \
		const char *g_ = (got), *w_ = (want);                                  \
		int same_ = (g_ && w_) ? strcmp(g_, w_) == 0 : g_ == w_;               \
		if (!tap_ok(same_, __VA_ARGS__))                                       \
			printf("#   got \"%s\", want \"%s\" (%s:%d)\n", g_ ? g_ : "(null)", \
			       w_ ? w_ : "(null)", __FILE__, __LINE__);                \
	} while (0)

/* A fixed-seed xorshift64 for property tests: the same cases every run,
 * with no dependence on rand()'s implementation. */
static uint64_t tap_rng = 0x9e3779b97f4a7c15ULL;

__attribute__((unused)) static uint64_t tap_rand(void)
{
	tap_rng ^= tap_rng << 13;
	tap_rng ^= tap_rng >> 7;
	tap_rng ^= tap_rng << 17;
	return tap_rng;
}

static int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
