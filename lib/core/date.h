/* date.h - dates, times and reporting periods, all in UTC.
 *
 * A time is an int64_t count of seconds since 1970-01-01T00:00:00Z
 * (proleptic Gregorian calendar, no leap seconds); fractional seconds on
 * input are dropped.  A period is a day, ISO week, month, quarter or year,
 * numbered so that consecutive periods differ by one. */
#ifndef TALLY_DATE_H
#define TALLY_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DATE_BUF 32 /* enough for any formatted date, time or period + NUL */

/* Parse "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)"
 * (a space is accepted for the T; seconds may be omitted: "HH:MM").
 * Validates the calendar (2026-02-29 is an error, 2024-02-29 is not).
 * Years are exactly four digits (0000..9999); hours 00..23 (no 24:00),
 * seconds 00..59 (no leap second); the fraction (any number of digits,
 * only after seconds) is dropped; the zone may also be "+HHMM"/"-HHMM",
 * at most 14:00 either way.  A time WITHOUT a zone is taken as UTC
 * (commands pass times that are already normalised).  Nothing else may
 * follow.  The time in UTC must also lie in years 0000..9999
 * ("9999-12-31T23:59:59-14:00" is an error), so that every time parsed
 * formats back to text that parses.  Returns 0 and sets *t (normalised to UTC), or -1 leaving *t
 * alone. */
int date_parse(const char *s, size_t len, int64_t *t);

/* date_parse, also setting *has_time to whether the text had a time part
 * (either pointer may be NULL). */
int date_parse_ex(const char *s, size_t len, int64_t *t, bool *has_time);

/* "YYYY-MM-DD" of t. Returns the length. */
size_t date_format_day(char *buf, int64_t t);
/* "YYYY-MM-DDTHH:MM:SSZ" of t. Returns the length. */
size_t date_format_time(char *buf, int64_t t);

/* The day of time t: days since 1970-01-01, floored (a time before 1970
 * is in the day that starts before it). */
int64_t date_day(int64_t t);

/* Days since 1970-01-01 of a civil date, and back (month 1..12; year 0
 * is 1 BC).  Exact for |y| up to about 10^12; d is not checked. */
int64_t date_days_from_civil(int64_t y, unsigned m, unsigned d);
void date_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
/* Whether y-m-d is a real calendar day. */
bool date_valid(int64_t y, unsigned m, unsigned d);

enum period_kind {
	PERIOD_DAY,
	PERIOD_WEEK,    /* ISO 8601 week, Monday first: "2026-W05" */
	PERIOD_MONTH,   /* "2026-10" */
	PERIOD_QUARTER, /* "2026-Q4" */
	PERIOD_YEAR,    /* "2026" */
};

struct period {
	enum period_kind kind;
	int64_t index; /* days since epoch, ISO weeks since the week of 1970-01-01,
			  months since 0000-01, quarters since 0000-Q1, or the year */
};

/* "day", "week", "month", "quarter", "year" -> kind; -1 if none.
 * period_kind_name is the inverse (NULL for a value not in the enum). */
int period_kind_parse(const char *s);
const char *period_kind_name(enum period_kind k);

/* The period of kind k that contains time t. */
struct period period_of(int64_t t, enum period_kind k);

/* Parse "2026-10-05", "2026-W05", "2026-10", "2026-Q4" or "2026" (the kind
 * follows from the form).  Returns 0 or -1 (also for 2026-W53 in a year
 * with 52 ISO weeks, month 13, ...). */
int period_parse(const char *s, size_t len, struct period *p);

/* Format as period_parse reads it (a week with its ISO year: 2021-01-03
 * is "2020-W53").  Years outside 0000..9999 get a sign ("-0001", "+10000").
 * Returns the length; 0 and "" for an unknown kind or an index beyond any
 * int64_t time. */
size_t period_format(char *buf, struct period p);

/* The next period, and the difference in periods (b - a, same kind). */
struct period period_next(struct period p);
int64_t period_diff(struct period a, struct period b);

/* First second of p, and first second of the period after it (saturated
 * to INT64_MIN/INT64_MAX beyond the range of times). */
int64_t period_start(struct period p);
int64_t period_end(struct period p);

#endif
