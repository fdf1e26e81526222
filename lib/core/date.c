/* date.c - calendar arithmetic, UTC date/time parsing and formatting, and
 * reporting periods (see date.h).
 *
 * Everything is integer arithmetic on a proleptic Gregorian calendar: no
 * timegm/mktime, no locale, no time zone database, no floating point.  The
 * civil <-> day-count conversions follow Howard Hinnant's era algorithm
 * (400-year eras of 146097 days, years starting in March so the leap day
 * is the last day of the shifted year). */
#include "date.h"

#include <stdio.h>
#include <string.h>

#define SECS_PER_DAY 86400
#define MAX_OFFSET_MINUTES (14 * 60) /* +14:00 (Line Islands) is the widest real offset */

/* 1970-01-01 was a Thursday, so the Monday of its ISO week, 1969-12-29, is
 * day -3: week index w starts on day 7w - 3 and has its Thursday on 7w. */
#define WEEK_EPOCH_SHIFT 3

/* Indices beyond these would make the day arithmetic overflow; they are far
 * outside every int64_t time (about +-2.9e11 years) and are refused. */
#define MAX_DAY_INDEX ((int64_t)1 << 47)
#define MAX_WEEK_INDEX ((int64_t)1 << 44)
#define MAX_MONTH_INDEX ((int64_t)1 << 43)
#define MAX_QUARTER_INDEX ((int64_t)1 << 41)
#define MAX_YEAR_INDEX ((int64_t)1 << 39)

/* Floor division and its non-negative remainder (C's / truncates toward 0). */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	int64_t r = a % b; /* not a - floor_div(a, b) * b: that overflows near INT64_MIN */
	return (r != 0 && (r < 0) != (b < 0)) ? r + b : r;
}

static bool is_leap(int64_t y)
{
	return floor_mod(y, 4) == 0 && (floor_mod(y, 100) != 0 || floor_mod(y, 400) == 0);
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned char len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

bool date_valid(int64_t y, unsigned m, unsigned d)
{
	return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

int64_t date_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;                                  /* [0, 399] */
	int64_t mp = m > 2 ? (int64_t)m - 3 : (int64_t)m + 9;         /* March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;            /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */
	return era * 146097 + doe - 719468; /* 719468: days from 0000-03-01 to 1970-01-01 */
}

void date_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;                                       /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                                     /* [0, 11] */
	unsigned day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	unsigned month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (month <= 2);
	*m = month;
	*d = day;
}

/* ---- parsing ---------------------------------------------------------- */

/* The n ASCII digits at s as a number; false if any is not a digit. */
static bool read_digits(const char *s, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* "YYYY-MM-DD" at the start of s (len >= 10), checked against the calendar. */
static bool read_ymd(const char *s, int *y, int *m, int *d)
{
	return read_digits(s, 4, y) && s[4] == '-' && read_digits(s + 5, 2, m) && s[7] == '-' &&
	       read_digits(s + 8, 2, d) && date_valid(*y, (unsigned)*m, (unsigned)*d);
}

/* The zone suffix s[0..len): "" (taken as UTC), "Z", "+HH:MM", "-HH:MM",
 * "+HHMM" or "-HHMM", as seconds east of UTC. */
static bool read_zone(const char *s, size_t len, int64_t *offset)
{
	int hh, mm;
	if (len == 0 || (len == 1 && s[0] == 'Z')) {
		*offset = 0;
		return true;
	}
	if (s[0] != '+' && s[0] != '-')
		return false;
	if (len == 6 && s[3] == ':') {
		if (!read_digits(s + 1, 2, &hh) || !read_digits(s + 4, 2, &mm))
			return false;
	} else if (len == 5) {
		if (!read_digits(s + 1, 2, &hh) || !read_digits(s + 3, 2, &mm))
			return false;
	} else {
		return false;
	}
	if (mm > 59 || hh * 60 + mm > MAX_OFFSET_MINUTES)
		return false;
	*offset = (int64_t)(hh * 60 + mm) * 60 * (s[0] == '-' ? -1 : 1);
	return true;
}

/* "HH:MM[:SS[.fraction]]<zone>" (everything after the T) as seconds since
 * midnight UTC of the date; may be negative or past one day after the
 * offset is applied. */
static bool read_time(const char *s, size_t len, int64_t *secs)
{
	int hh, mm, ss = 0;
	size_t i = 5;
	if (len < 5 || !read_digits(s, 2, &hh) || s[2] != ':' || !read_digits(s + 3, 2, &mm))
		return false;
	if (i < len && s[i] == ':') {
		if (len - i < 3 || !read_digits(s + i + 1, 2, &ss))
			return false;
		i += 3;
		if (i < len && s[i] == '.') {
			size_t first = ++i;
			while (i < len && s[i] >= '0' && s[i] <= '9')
				i++; /* the fraction is dropped: times are whole seconds */
			if (i == first)
				return false;
		}
	}
	/* No 24:00 and no leap second: a time names one instant of one day. */
	if (hh > 23 || mm > 59 || ss > 59)
		return false;
	int64_t offset;
	if (!read_zone(s + i, len - i, &offset))
		return false;
	*secs = (int64_t)hh * 3600 + mm * 60 + ss - offset;
	return true;
}

int date_parse_ex(const char *s, size_t len, int64_t *t, bool *has_time)
{
	int y, m, d;
	int64_t secs = 0;
	if (!s || len < 10 || !read_ymd(s, &y, &m, &d))
		return -1;
	if (len > 10) {
		if ((s[10] != 'T' && s[10] != ' ') || !read_time(s + 11, len - 11, &secs))
			return -1;
	}
	int64_t v = date_days_from_civil(y, (unsigned)m, (unsigned)d) * SECS_PER_DAY + secs;
	/* a zone may carry it past 9999 or before 0000, which no date can say
	 * (a plain date cannot: the test is left out of the common case) */
	if (len > 10 && (v < date_days_from_civil(0, 1, 1) * SECS_PER_DAY ||
	    v >= date_days_from_civil(10000, 1, 1) * SECS_PER_DAY))
		return -1;
	if (t)
		*t = v;
	if (has_time)
		*has_time = len > 10;
	return 0;
}

int date_parse(const char *s, size_t len, int64_t *t)
{
	return date_parse_ex(s, len, t, NULL);
}

/* ---- formatting ------------------------------------------------------- */

/* The year as ISO 8601 writes it: four digits for 0000..9999, otherwise
 * with a sign ("-0001", "+10000").  buf needs 15 bytes. */
static int format_year(char *buf, int64_t y)
{
	if (y >= 0 && y <= 9999)
		return sprintf(buf, "%04d", (int)y);
	if (y > 0)
		return sprintf(buf, "+%lld", (long long)y);
	/* |y| without negating INT64_MIN. */
	return sprintf(buf, "-%04llu", 0ULL - (unsigned long long)y);
}

static size_t format_civil_day(char *buf, int64_t days)
{
	int64_t y;
	unsigned m, d;
	date_civil_from_days(days, &y, &m, &d);
	int n = format_year(buf, y);
	return (size_t)(n + sprintf(buf + n, "-%02u-%02u", m, d));
}

size_t date_format_day(char *buf, int64_t t)
{
	return format_civil_day(buf, floor_div(t, SECS_PER_DAY));
}

size_t date_format_time(char *buf, int64_t t)
{
	int64_t days = floor_div(t, SECS_PER_DAY);
	int64_t s = floor_mod(t, SECS_PER_DAY); /* [0, 86399] */
	size_t n = format_civil_day(buf, days);
	return n + (size_t)sprintf(buf + n, "T%02d:%02d:%02dZ", (int)(s / 3600), (int)(s / 60 % 60),
				   (int)(s % 60));
}

/* ---- periods ---------------------------------------------------------- */

static const char *const kind_names[] = {
	[PERIOD_DAY] = "day",
	[PERIOD_WEEK] = "week",
	[PERIOD_MONTH] = "month",
	[PERIOD_QUARTER] = "quarter",
	[PERIOD_YEAR] = "year",
};

int period_kind_parse(const char *s)
{
	for (size_t k = 0; s && k < sizeof kind_names / sizeof kind_names[0]; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return (int)k;
	return -1;
}

const char *period_kind_name(enum period_kind k)
{
	return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : NULL;
}

/* Whether p's kind is known and its index small enough for day arithmetic. */
static bool period_in_range(struct period p)
{
	static const int64_t max_index[] = {
		[PERIOD_DAY] = MAX_DAY_INDEX,
		[PERIOD_WEEK] = MAX_WEEK_INDEX,
		[PERIOD_MONTH] = MAX_MONTH_INDEX,
		[PERIOD_QUARTER] = MAX_QUARTER_INDEX,
		[PERIOD_YEAR] = MAX_YEAR_INDEX,
	};
	if ((unsigned)p.kind >= sizeof max_index / sizeof max_index[0])
		return false;
	return p.index >= -max_index[p.kind] && p.index <= max_index[p.kind];
}

static int64_t week_of_days(int64_t days)
{
	return floor_div(days + WEEK_EPOCH_SHIFT, 7);
}

/* Index of ISO week 1 of ISO year y: the week holding January 4th. */
static int64_t iso_week1(int64_t y)
{
	return week_of_days(date_days_from_civil(y, 1, 4));
}

/* ISO year and week number (1..53) of week index w: the week belongs to the
 * year its Thursday is in. */
static void iso_week_of(int64_t w, int64_t *iso_year, int *week)
{
	int64_t thursday = w * 7;
	int64_t y;
	unsigned m, d;
	date_civil_from_days(thursday, &y, &m, &d);
	*iso_year = y;
	*week = (int)((thursday - date_days_from_civil(y, 1, 1)) / 7 + 1);
}

struct period period_of(int64_t t, enum period_kind k)
{
	int64_t days = floor_div(t, SECS_PER_DAY);
	int64_t y;
	unsigned m, d;
	struct period p = {k, days};
	date_civil_from_days(days, &y, &m, &d);
	switch (k) {
	case PERIOD_DAY:
		break;
	case PERIOD_WEEK:
		p.index = week_of_days(days);
		break;
	case PERIOD_MONTH:
		p.index = y * 12 + (m - 1);
		break;
	case PERIOD_QUARTER:
		p.index = y * 4 + (m - 1) / 3;
		break;
	case PERIOD_YEAR:
		p.index = y;
		break;
	}
	return p;
}

int period_parse(const char *s, size_t len, struct period *p)
{
	int y, a, b;
	struct period r;
	if (!s || len < 4 || !read_digits(s, 4, &y))
		return -1;
	if (len == 4) {
		r = (struct period){PERIOD_YEAR, y};
	} else if (len == 10) {
		if (!read_ymd(s, &y, &a, &b))
			return -1;
		r = (struct period){PERIOD_DAY, date_days_from_civil(y, (unsigned)a, (unsigned)b)};
	} else if (len == 8 && s[4] == '-' && s[5] == 'W') {
		if (!read_digits(s + 6, 2, &a) || a < 1 || a > iso_week1(y + 1) - iso_week1(y))
			return -1;
		r = (struct period){PERIOD_WEEK, iso_week1(y) + a - 1};
	} else if (len == 7 && s[4] == '-' && s[5] == 'Q') {
		if (!read_digits(s + 6, 1, &a) || a < 1 || a > 4)
			return -1;
		r = (struct period){PERIOD_QUARTER, (int64_t)y * 4 + a - 1};
	} else if (len == 7 && s[4] == '-') {
		if (!read_digits(s + 5, 2, &a) || a < 1 || a > 12)
			return -1;
		r = (struct period){PERIOD_MONTH, (int64_t)y * 12 + a - 1};
	} else {
		return -1;
	}
	if (p)
		*p = r;
	return 0;
}

size_t period_format(char *buf, struct period p)
{
	int64_t y;
	int week, n;
	if (!period_in_range(p)) {
		buf[0] = '\0';
		return 0;
	}
	switch (p.kind) {
	case PERIOD_DAY:
		return format_civil_day(buf, p.index);
	case PERIOD_WEEK:
		iso_week_of(p.index, &y, &week);
		n = format_year(buf, y);
		return (size_t)(n + sprintf(buf + n, "-W%02d", week));
	case PERIOD_MONTH:
		n = format_year(buf, floor_div(p.index, 12));
		return (size_t)(n + sprintf(buf + n, "-%02d", (int)floor_mod(p.index, 12) + 1));
	case PERIOD_QUARTER:
		n = format_year(buf, floor_div(p.index, 4));
		return (size_t)(n + sprintf(buf + n, "-Q%d", (int)floor_mod(p.index, 4) + 1));
	case PERIOD_YEAR:
		return (size_t)format_year(buf, p.index);
	}
	buf[0] = '\0';
	return 0;
}

/* Indices far out of range saturate instead of overflowing. */
struct period period_next(struct period p)
{
	if (p.index < INT64_MAX)
		p.index++;
	return p;
}

int64_t period_diff(struct period a, struct period b)
{
	/* Wraps (implementation-defined, not undefined) only for indices that
	 * no time or parsed period can produce. */
	return (int64_t)((uint64_t)b.index - (uint64_t)a.index);
}

/* Day number of the first day of p (p in range). */
static int64_t period_first_day(struct period p)
{
	switch (p.kind) {
	case PERIOD_DAY:
		return p.index;
	case PERIOD_WEEK:
		return p.index * 7 - WEEK_EPOCH_SHIFT;
	case PERIOD_MONTH:
		return date_days_from_civil(floor_div(p.index, 12), (unsigned)floor_mod(p.index, 12) + 1, 1);
	case PERIOD_QUARTER:
		return date_days_from_civil(floor_div(p.index, 4), (unsigned)floor_mod(p.index, 4) * 3 + 1, 1);
	case PERIOD_YEAR:
		return date_days_from_civil(p.index, 1, 1);
	}
	return 0;
}

/* Seconds of the day number, saturated to the int64_t range. */
static int64_t day_start_time(int64_t days)
{
	if (days > INT64_MAX / SECS_PER_DAY)
		return INT64_MAX;
	if (days < INT64_MIN / SECS_PER_DAY)
		return INT64_MIN;
	return days * SECS_PER_DAY;
}

int64_t period_start(struct period p)
{
	if (!period_in_range(p))
		return p.index < 0 ? INT64_MIN : INT64_MAX;
	return day_start_time(period_first_day(p));
}

int64_t period_end(struct period p)
{
	return period_start(period_next(p));
}

int64_t date_day(int64_t t)
{
	const int64_t d = 86400;
	return t >= 0 ? t / d : -((-t + d - 1) / d);
}
