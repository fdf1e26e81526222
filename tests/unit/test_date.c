/* test_date.c - unit tests of dates, times and periods (lib/core/date.c).
 *
 * Plan: civil <-> day-count anchors and a day-by-day sweep of 0000..9999;
 * leap days; date_parse on every accepted form (offsets normalising to UTC
 * across day, month and year boundaries, fractions dropped, zone-less
 * times as UTC) and on each malformed form; format/parse round trips
 * checked against gmtime_r; ISO weeks at year boundaries, checked against
 * strftime's %G-W%V day by day; period parse/format round trips; next,
 * previous and difference across year boundaries for every kind;
 * period_start/period_end; far dates (0001-01-01, 9999-12-31). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "tap.h"

/* ---- helpers ---------------------------------------------------------- */

static int parse_str(const char *s, int64_t *t)
{
	return date_parse(s, strlen(s), t);
}

/* Formatted UTC time of date_parse(s), or "ERR". */
static const char *parse_fmt(const char *s)
{
	static char buf[DATE_BUF];
	int64_t t;
	if (parse_str(s, &t) != 0)
		return "ERR";
	date_format_time(buf, t);
	return buf;
}

static const char *fmt_period(struct period p)
{
	static char bufs[4][DATE_BUF];
	static int slot;
	char *b = bufs[slot++ % 4];
	period_format(b, p);
	return b;
}

static struct period must_period(const char *s)
{
	struct period p = {PERIOD_DAY, INT64_MIN};
	if (period_parse(s, strlen(s), &p) != 0)
		printf("# period_parse(\"%s\") failed\n", s);
	return p;
}

/* Week period of a "YYYY-MM-DD" date, formatted. */
static const char *week_of(const char *day)
{
	int64_t t;
	if (parse_str(day, &t) != 0)
		return "ERR";
	return fmt_period(period_of(t, PERIOD_WEEK));
}

/* ---- civil arithmetic ------------------------------------------------- */

static void test_civil_anchors(void)
{
	static const struct {
		int64_t y;
		unsigned m, d;
		int64_t days;
	} cases[] = {
		{1970, 1, 1, 0},        {1969, 12, 31, -1},     {1970, 1, 2, 1},
		{2000, 1, 1, 10957},    {2000, 2, 29, 11016},   {2000, 3, 1, 11017},
		{2024, 2, 29, 19782},   {2026, 10, 5, 20731},   {1, 1, 1, -719162},
		{0, 1, 1, -719528},     {0, 2, 29, -719469},    {0, 3, 1, -719468},
		{9999, 12, 31, 2932896}, {1600, 1, 1, -135140}, {-1, 12, 31, -719529},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t y;
		unsigned m, d;
		tap_is_int(date_days_from_civil(cases[i].y, cases[i].m, cases[i].d), cases[i].days,
			   "days_from_civil(%lld-%02u-%02u)", (long long)cases[i].y, cases[i].m,
			   cases[i].d);
		date_civil_from_days(cases[i].days, &y, &m, &d);
		tap_ok(y == cases[i].y && m == cases[i].m && d == cases[i].d,
		       "civil_from_days(%lld) = %lld-%02u-%02u", (long long)cases[i].days,
		       (long long)y, m, d);
	}
}

/* Walk every day of 0000..9999 with a naive calendar; both directions agree. */
static void test_civil_sweep(void)
{
	int64_t y = 0;
	unsigned m = 1, d = 1;
	int64_t days = date_days_from_civil(0, 1, 1);
	long bad = 0, n = 0;
	while (y <= 9999) {
		int64_t yy;
		unsigned mm, dd;
		date_civil_from_days(days, &yy, &mm, &dd);
		if (date_days_from_civil(y, m, d) != days || yy != y || mm != m || dd != d ||
		    !date_valid(y, m, d))
			bad++;
		n++;
		days++;
		if (date_valid(y, m, d + 1)) {
			d++;
		} else if (m < 12) {
			m++, d = 1;
		} else {
			y++, m = 1, d = 1;
		}
	}
	tap_is_int(bad, 0, "day-by-day sweep 0000-01-01..9999-12-31 agrees both ways");
	tap_is_int(n, 3652425, "10000 Gregorian years have 3652425 days");
}

static void test_leap_days(void)
{
	tap_ok(date_valid(2024, 2, 29), "2024-02-29 valid");
	tap_ok(date_valid(2000, 2, 29), "2000-02-29 valid (divisible by 400)");
	tap_ok(!date_valid(2023, 2, 29), "2023-02-29 invalid");
	tap_ok(!date_valid(2100, 2, 29), "2100-02-29 invalid (century)");
	tap_ok(!date_valid(1900, 2, 29), "1900-02-29 invalid");
	tap_ok(date_valid(0, 2, 29), "0000-02-29 valid");
	tap_ok(!date_valid(2026, 4, 31), "2026-04-31 invalid");
	tap_ok(!date_valid(2026, 0, 1) && !date_valid(2026, 13, 1) && !date_valid(2026, 1, 0),
	       "month 0, month 13 and day 0 invalid");

	tap_is_str(parse_fmt("2024-02-29"), "2024-02-29T00:00:00Z", "parse 2024-02-29");
	tap_is_str(parse_fmt("2000-02-29"), "2000-02-29T00:00:00Z", "parse 2000-02-29");
	tap_is_str(parse_fmt("2023-02-29"), "ERR", "parse 2023-02-29 rejected");
	tap_is_str(parse_fmt("2100-02-29"), "ERR", "parse 2100-02-29 rejected");
	tap_is_str(parse_fmt("2026-02-29"), "ERR", "parse 2026-02-29 rejected");
	tap_is_str(parse_fmt("2024-02-29T23:59:59+00:00"), "2024-02-29T23:59:59Z",
		   "parse leap-day time");
	tap_is_str(parse_fmt("2024-03-01T00:30:00+01:00"), "2024-02-29T23:30:00Z",
		   "offset back into a leap day");
	tap_is_str(parse_fmt("2023-03-01T00:30:00+01:00"), "2023-02-28T23:30:00Z",
		   "offset back over March 1st in a common year");
}

/* ---- date_parse ------------------------------------------------------- */

static void test_parse_valid(void)
{
	static const struct {
		const char *in, *want;
		bool has_time;
	} cases[] = {
		{"1970-01-01", "1970-01-01T00:00:00Z", false},
		{"2026-10-05", "2026-10-05T00:00:00Z", false},
		{"2026-10-05T12:34:56Z", "2026-10-05T12:34:56Z", true},
		{"2026-10-05 12:34:56Z", "2026-10-05T12:34:56Z", true},
		{"2026-10-05T12:34Z", "2026-10-05T12:34:00Z", true},
		{"2026-10-05T12:34", "2026-10-05T12:34:00Z", true},
		{"2026-10-05T12:34:56", "2026-10-05T12:34:56Z", true},
		{"2026-10-05 12:34:56", "2026-10-05T12:34:56Z", true},
		{"2026-10-05T00:00:00Z", "2026-10-05T00:00:00Z", true},
		{"2026-10-05T23:59:59Z", "2026-10-05T23:59:59Z", true},
		/* fractional seconds are dropped, never rounded */
		{"2026-10-05T12:34:56.999Z", "2026-10-05T12:34:56Z", true},
		{"2026-10-05T12:34:56.5", "2026-10-05T12:34:56Z", true},
		{"2026-10-05T23:59:59.999999999+00:00", "2026-10-05T23:59:59Z", true},
		{"1969-12-31T23:59:59.9Z", "1969-12-31T23:59:59Z", true},
		/* offsets normalise to UTC, across day, month and year boundaries */
		{"2026-01-01T00:30:00+01:00", "2025-12-31T23:30:00Z", true},
		{"2025-12-31T23:30:00-01:00", "2026-01-01T00:30:00Z", true},
		{"2026-03-01T01:00:00+02:00", "2026-02-28T23:00:00Z", true},
		{"2026-10-05T12:00:00+0530", "2026-10-05T06:30:00Z", true},
		{"2026-10-05T12:00:00+05:30", "2026-10-05T06:30:00Z", true},
		{"2026-10-05T12:00:00-0930", "2026-10-05T21:30:00Z", true},
		{"2026-10-05T12:00:00-00:00", "2026-10-05T12:00:00Z", true},
		{"2026-10-05T12:00:00+14:00", "2026-10-04T22:00:00Z", true},
		{"2026-10-05T12:00:00-14:00", "2026-10-06T02:00:00Z", true},
		{"2026-10-05T12:00:00.25+01:00", "2026-10-05T11:00:00Z", true},
		{"2026-10-05 12:00+01:00", "2026-10-05T11:00:00Z", true},
		{"1970-01-01T00:00:00+00:01", "1969-12-31T23:59:00Z", true},
		/* far dates */
		{"0001-01-01", "0001-01-01T00:00:00Z", false},
		{"0000-01-01", "0000-01-01T00:00:00Z", false},
		{"9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z", true},
		{"0000-01-01T01:00:00+01:00", "0000-01-01T00:00:00Z", true},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t t = 0;
		bool has_time = !cases[i].has_time;
		char buf[DATE_BUF];
		int rc = date_parse_ex(cases[i].in, strlen(cases[i].in), &t, &has_time);
		date_format_time(buf, t);
		tap_ok(rc == 0 && strcmp(buf, cases[i].want) == 0 && has_time == cases[i].has_time,
		       "parse \"%s\" -> %s", cases[i].in, cases[i].want);
		if (rc != 0 || strcmp(buf, cases[i].want) != 0 || has_time != cases[i].has_time)
			printf("#   rc %d, got %s, has_time %d\n", rc, buf, has_time);
	}

	int64_t t;
	tap_ok(parse_str("1970-01-01", &t) == 0 && t == 0, "epoch is 0");
	tap_ok(parse_str("0001-01-01", &t) == 0 && t == -62135596800LL, "0001-01-01 seconds");
	tap_ok(parse_str("9999-12-31T23:59:59Z", &t) == 0 && t == 253402300799LL,
	       "9999-12-31T23:59:59Z seconds");
	/* len bounds the text: what follows is not read */
	tap_ok(date_parse("2026-10-05T12:00:00Zjunk", 20, &t) == 0 && t == 1791201600LL,
	       "len limits the text read");
	tap_ok(date_parse("2026-10-05XYZ", 10, &t) == 0, "a date prefix by len");
	tap_ok(date_parse_ex("2026-10-05", 10, NULL, NULL) == 0, "NULL outputs allowed");
}

static void test_parse_invalid(void)
{
	static const char *const bad[] = {
		/* in UTC past 9999 or before 0000: would format as "+10000-..." */
		"9999-12-31T23:59:59-14:00", "0000-01-01T00:30:00+01:00",
		"",
		"2026",
		"2026-10",
		"2026-1-05",
		"2026-10-5",
		"26-10-05",
		"+2026-10-05",
		"-0001-01-01",
		"-001-01-01",
		"20261005",
		"2026/10/05",
		"2026-10-05 ",
		" 2026-10-05",
		"2026-10-05T",
		"2026-10-05 ",
		"2026-10-05t12:00:00Z",
		"2026-10-05_12:00:00Z",
		"2026-10-05T12",
		"2026-10-05T12:0",
		"2026-10-05T1:00:00Z",
		"2026-10-05T12:00:0Z",
		"2026-10-05T12:00:",
		"2026-10-05T12:00:00.",
		"2026-10-05T12:00:00.Z",
		"2026-10-05T12:00.5Z",
		"2026-10-05T12:00:00,5Z",
		"2026-10-05T24:00:00Z",
		"2026-10-05T24:00",
		"2026-10-05T23:60:00Z",
		"2026-12-31T23:59:60Z",
		"2026-10-05T99:00:00Z",
		"2026-10-05T12:00:00z",
		"2026-10-05T12:00:00ZZ",
		"2026-10-05T12:00:00Z ",
		"2026-10-05T12:00:00UTC",
		"2026-10-05T12:00:00+01",
		"2026-10-05T12:00:00+1:00",
		"2026-10-05T12:00:00+01:0",
		"2026-10-05T12:00:00+01:00:00",
		"2026-10-05T12:00:00+010",
		"2026-10-05T12:00:00+01-00",
		"2026-10-05T12:00:00+14:01",
		"2026-10-05T12:00:00-15:00",
		"2026-10-05T12:00:00+05:60",
		"2026-10-05T12:00:00 +01:00",
		"2026-00-05",
		"2026-13-05",
		"2026-10-00",
		"2026-10-32",
		"2026-04-31",
		"2026-1a-05",
		"2026-10-05\n",
		"x026-10-05",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t t = 12345;
		bool has_time = true;
		int rc = date_parse_ex(bad[i], strlen(bad[i]), &t, &has_time);
		tap_ok(rc == -1 && t == 12345, "reject \"%s\" (output untouched)", bad[i]);
	}
	int64_t t;
	tap_is_int(date_parse(NULL, 0, &t), -1, "reject NULL");
	tap_is_int(date_parse("2026-10-05", 9, &t), -1, "reject a date cut short by len");
	tap_is_int(date_parse("2026-10-05\0T12:00", 16, &t), -1, "reject an embedded NUL");
}

/* ---- formatting round trips ------------------------------------------- */

static void test_format_round_trip(void)
{
	int64_t lo = date_days_from_civil(0, 1, 1) * 86400;
	int64_t hi = date_days_from_civil(10000, 1, 1) * 86400;
	long bad = 0, bad_gm = 0;
	for (int i = 0; i < 200000; i++) {
		int64_t t = lo + (int64_t)(tap_rand() % (uint64_t)(hi - lo));
		char tb[DATE_BUF], db[DATE_BUF], want[64];
		int64_t back_t, back_d;
		size_t tn = date_format_time(tb, t), dn = date_format_day(db, t);
		if (tn != strlen(tb) || dn != strlen(db) || date_parse(tb, tn, &back_t) != 0 ||
		    back_t != t || date_parse(db, dn, &back_d) != 0 ||
		    back_d != t - (((t % 86400) + 86400) % 86400))
			bad++;
		/* An independent oracle: glibc's gmtime_r (years >= 1000 so the
		 * oracle's %Y is four digits). */
		time_t tt = (time_t)t;
		struct tm tm;
		if (gmtime_r(&tt, &tm) && tm.tm_year + 1900 >= 1000) {
			strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
			if (strcmp(want, tb) != 0 && bad_gm++ < 5)
				printf("# %lld: got %s, gmtime says %s\n", (long long)t, tb, want);
		}
	}
	tap_is_int(bad, 0, "200000 random times 0000..9999: format_time/format_day parse back");
	tap_is_int(bad_gm, 0, "date_format_time agrees with gmtime_r");

	char buf[DATE_BUF];
	tap_is_int(date_format_day(buf, 0), 10, "format_day length");
	tap_is_str(buf, "1970-01-01", "format_day epoch");
	tap_is_int(date_format_time(buf, -1), 20, "format_time length");
	tap_is_str(buf, "1969-12-31T23:59:59Z", "format_time one second before the epoch");
	date_format_day(buf, -1);
	tap_is_str(buf, "1969-12-31", "format_day one second before the epoch");
	date_format_time(buf, -62135596800LL);
	tap_is_str(buf, "0001-01-01T00:00:00Z", "format 0001-01-01");
	date_format_time(buf, 253402300799LL);
	tap_is_str(buf, "9999-12-31T23:59:59Z", "format 9999-12-31T23:59:59");
	date_format_day(buf, 253402300800LL);
	tap_is_str(buf, "+10000-01-01", "format year 10000 with a sign");
	date_format_time(buf, INT64_MAX);
	tap_ok(strlen(buf) < DATE_BUF, "format INT64_MAX fits DATE_BUF: %s", buf);
	date_format_time(buf, INT64_MIN);
	tap_ok(strlen(buf) < DATE_BUF, "format INT64_MIN fits DATE_BUF: %s", buf);
}

/* ---- ISO weeks -------------------------------------------------------- */

static void test_iso_weeks(void)
{
	static const struct {
		const char *day, *week;
	} cases[] = {
		{"2020-12-31", "2020-W53"}, {"2021-01-01", "2020-W53"}, {"2021-01-03", "2020-W53"},
		{"2021-01-04", "2021-W01"}, {"2026-12-31", "2026-W53"}, {"2027-01-03", "2026-W53"},
		{"2027-01-04", "2027-W01"}, {"2008-12-28", "2008-W52"}, {"2008-12-29", "2009-W01"},
		{"2009-01-01", "2009-W01"}, {"2009-12-31", "2009-W53"}, {"2010-01-03", "2009-W53"},
		{"2010-01-04", "2010-W01"}, {"2014-12-29", "2015-W01"}, {"2015-12-31", "2015-W53"},
		{"2016-01-03", "2015-W53"}, {"2018-12-31", "2019-W01"}, {"2019-12-30", "2020-W01"},
		{"2024-12-30", "2025-W01"}, {"2025-12-28", "2025-W52"}, {"2025-12-29", "2026-W01"},
		{"2026-01-01", "2026-W01"}, {"2026-01-04", "2026-W01"}, {"2026-01-05", "2026-W02"},
		{"2022-01-02", "2021-W52"}, {"2022-01-03", "2022-W01"}, {"2023-01-01", "2022-W52"},
		{"1969-12-29", "1970-W01"}, {"1970-01-01", "1970-W01"}, {"1969-12-28", "1969-W52"},
		{"2000-01-02", "1999-W52"}, {"2000-01-03", "2000-W01"}, {"2004-12-31", "2004-W53"},
		{"0001-01-01", "0001-W01"}, {"9999-12-31", "9999-W52"}, {"2026-10-05", "2026-W41"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tap_is_str(week_of(cases[i].day), cases[i].week, "week of %s", cases[i].day);
		int64_t t;
		struct period p = must_period(cases[i].week);
		parse_str(cases[i].day, &t);
		tap_ok(p.kind == PERIOD_WEEK && t >= period_start(p) && t < period_end(p),
		       "%s lies in %s", cases[i].day, cases[i].week);
	}

	int64_t t;
	parse_str("1970-01-01", &t);
	tap_is_int(period_of(t, PERIOD_WEEK).index, 0, "week of 1970-01-01 is index 0");
	parse_str("1969-12-29", &t);
	tap_is_int(period_of(t, PERIOD_WEEK).index, 0, "Monday 1969-12-29 is index 0");
	parse_str("1969-12-28T23:59:59Z", &t);
	tap_is_int(period_of(t, PERIOD_WEEK).index, -1, "Sunday 1969-12-28 is index -1");
	parse_str("1970-01-05", &t);
	tap_is_int(period_of(t, PERIOD_WEEK).index, 1, "Monday 1970-01-05 is index 1");

	/* Weeks per ISO year, and W53 only where it exists. */
	static const struct {
		const char *text;
		bool ok;
	} w53[] = {
		{"2020-W53", true},  {"2026-W53", true},  {"2015-W53", true},  {"2004-W53", true},
		{"2021-W53", false}, {"2025-W53", false}, {"2023-W53", false}, {"2026-W54", false},
		{"2026-W00", false}, {"2026-W99", false},  {"2026-W5", false},  {"2026-W005", false},
		{"2026-w05", false}, {"2026W05", false},   {"2026-Wx5", false}, {"0000-W01", true},
		{"9999-W52", true},  {"9999-W53", false},
	};
	for (size_t i = 0; i < sizeof w53 / sizeof w53[0]; i++) {
		struct period p;
		int rc = period_parse(w53[i].text, strlen(w53[i].text), &p);
		tap_is_int(rc, w53[i].ok ? 0 : -1, "period_parse(\"%s\") %s", w53[i].text,
			   w53[i].ok ? "accepted" : "rejected");
	}

	/* Every week of 1900..2100: format then parse is the identity, and
	 * weeks run W01.. without gaps inside each ISO year. */
	struct period p = must_period("1900-W01");
	struct period last = must_period("2100-W52");
	long bad = 0, n = 0;
	int prev_week = 0;
	for (; p.index <= last.index; p = period_next(p), n++) {
		struct period back;
		const char *s = fmt_period(p);
		int week = atoi(s + 6);
		if (period_parse(s, strlen(s), &back) != 0 || back.kind != PERIOD_WEEK ||
		    back.index != p.index || !(week == prev_week + 1 || (week == 1 && prev_week >= 52)))
			bad++;
		prev_week = week;
	}
	tap_is_int(bad, 0, "%ld weeks 1900-W01..2100-W52 round trip and run in order", n);

	/* Day by day against glibc's %G-W%V (an independent implementation). */
	bad = 0;
	for (int64_t day = date_days_from_civil(1600, 1, 1); day < date_days_from_civil(2400, 1, 1);
	     day++) {
		time_t tt = (time_t)(day * 86400);
		struct tm tm;
		char want[32];
		gmtime_r(&tt, &tm);
		strftime(want, sizeof want, "%G-W%V", &tm);
		const char *got = fmt_period(period_of(day * 86400, PERIOD_WEEK));
		if (strcmp(got, want) != 0 && bad++ < 5)
			printf("# day %lld: got %s, strftime says %s\n", (long long)day, got, want);
	}
	tap_is_int(bad, 0, "every day 1600..2399: week agrees with strftime %%G-W%%V");
}

/* ---- periods ---------------------------------------------------------- */

static void test_period_kinds(void)
{
	static const char *const names[] = {"day", "week", "month", "quarter", "year"};
	for (int k = 0; k < 5; k++) {
		tap_is_int(period_kind_parse(names[k]), k, "kind \"%s\"", names[k]);
		tap_is_str(period_kind_name((enum period_kind)k), names[k], "kind name %d", k);
	}
	tap_is_int(period_kind_parse("Month"), -1, "kind names are lower case");
	tap_is_int(period_kind_parse("months"), -1, "no plural");
	tap_is_int(period_kind_parse(""), -1, "empty kind");
	tap_is_int(period_kind_parse(NULL), -1, "NULL kind");
	tap_ok(period_kind_name((enum period_kind)7) == NULL, "unknown kind has no name");
}

static void test_period_parse_format(void)
{
	static const struct {
		const char *text;
		enum period_kind kind;
		int64_t index;
	} cases[] = {
		{"2026-10-05", PERIOD_DAY, 20731},    {"1970-01-01", PERIOD_DAY, 0},
		{"1969-12-31", PERIOD_DAY, -1},       {"2026-W05", PERIOD_WEEK, 2926},
		{"1970-W01", PERIOD_WEEK, 0},         {"2026-10", PERIOD_MONTH, 2026 * 12 + 9},
		{"0000-01", PERIOD_MONTH, 0},         {"9999-12", PERIOD_MONTH, 9999 * 12 + 11},
		{"2026-Q4", PERIOD_QUARTER, 2026 * 4 + 3}, {"0000-Q1", PERIOD_QUARTER, 0},
		{"2026", PERIOD_YEAR, 2026},          {"0000", PERIOD_YEAR, 0},
		{"9999", PERIOD_YEAR, 9999},          {"0001-01-01", PERIOD_DAY, -719162},
		{"9999-12-31", PERIOD_DAY, 2932896},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct period p = {PERIOD_YEAR, -99};
		int rc = period_parse(cases[i].text, strlen(cases[i].text), &p);
		tap_ok(rc == 0 && p.kind == cases[i].kind && p.index == cases[i].index,
		       "period_parse(\"%s\") = %s %lld", cases[i].text, period_kind_name(cases[i].kind),
		       (long long)cases[i].index);
		char buf[DATE_BUF];
		size_t n = period_format(buf, p);
		tap_ok(n == strlen(cases[i].text) && strcmp(buf, cases[i].text) == 0,
		       "period_format round trip \"%s\" (got \"%s\")", cases[i].text, buf);
	}

	static const char *const bad[] = {
		"",        "202",      "20261",     "2026-",    "2026-1",   "2026-00",  "2026-13",
		"2026-Q0", "2026-Q5",  "2026-Q",    "2026-Q12", "2026-q4",  "2026Q4",   "2026-W",
		"2026-W1", "2026-10-", "2026-10-1", "2026-02-30", "2026-10-05T00:00:00Z", "-2026",
		"+2026",   "2026 ",    " 2026",     "2o26",     "2026-1O",  "2026-H1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct period p = {PERIOD_YEAR, 42};
		int rc = period_parse(bad[i], strlen(bad[i]), &p);
		tap_ok(rc == -1 && p.kind == PERIOD_YEAR && p.index == 42,
		       "period_parse rejects \"%s\"", bad[i]);
	}
	tap_is_int(period_parse("2026-10-05", 7, NULL), 0, "period_parse honours len (2026-10)");

	char buf[DATE_BUF];
	tap_is_int(period_format(buf, (struct period){PERIOD_YEAR, -1}), 5, "year -1 length");
	tap_is_str(buf, "-0001", "year -1 formats with a sign");
	period_format(buf, (struct period){PERIOD_MONTH, -1});
	tap_is_str(buf, "-0001-12", "month before 0000-01");
	period_format(buf, (struct period){PERIOD_QUARTER, 10000 * 4});
	tap_is_str(buf, "+10000-Q1", "quarter after 9999-Q4");
	tap_is_int(period_format(buf, (struct period){PERIOD_WEEK, INT64_MAX}), 0,
		   "absurd index formats as empty");
	tap_is_str(buf, "", "absurd index gives \"\"");
	tap_is_int(period_format(buf, (struct period){(enum period_kind)9, 1}), 0,
		   "unknown kind formats as empty");
}

/* period_of for a time, formatted, for each kind. */
static void test_period_of(void)
{
	static const struct {
		const char *time;
		const char *want[5]; /* day, week, month, quarter, year */
	} cases[] = {
		{"2026-10-05T12:00:00Z", {"2026-10-05", "2026-W41", "2026-10", "2026-Q4", "2026"}},
		{"2026-01-01T00:30:00+01:00", {"2025-12-31", "2026-W01", "2025-12", "2025-Q4", "2025"}},
		{"2025-12-31T23:59:59Z", {"2025-12-31", "2026-W01", "2025-12", "2025-Q4", "2025"}},
		{"2021-01-01T00:00:00Z", {"2021-01-01", "2020-W53", "2021-01", "2021-Q1", "2021"}},
		{"2026-03-31T23:59:59Z", {"2026-03-31", "2026-W14", "2026-03", "2026-Q1", "2026"}},
		{"2026-04-01T00:00:00Z", {"2026-04-01", "2026-W14", "2026-04", "2026-Q2", "2026"}},
		{"1969-12-31T23:59:59Z", {"1969-12-31", "1970-W01", "1969-12", "1969-Q4", "1969"}},
		{"0001-01-01", {"0001-01-01", "0001-W01", "0001-01", "0001-Q1", "0001"}},
		{"9999-12-31T23:59:59Z", {"9999-12-31", "9999-W52", "9999-12", "9999-Q4", "9999"}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t t;
		parse_str(cases[i].time, &t);
		for (int k = 0; k < 5; k++)
			tap_is_str(fmt_period(period_of(t, (enum period_kind)k)), cases[i].want[k],
				   "%s of %s", period_kind_name((enum period_kind)k), cases[i].time);
	}
}

/* next / prev / diff across year boundaries, for every kind. */
static void test_period_arithmetic(void)
{
	static const struct {
		const char *a, *next;
	} steps[] = {
		{"2025-12-31", "2026-01-01"}, {"2024-02-28", "2024-02-29"}, {"2024-02-29", "2024-03-01"},
		{"2023-02-28", "2023-03-01"}, {"1969-12-31", "1970-01-01"}, {"9999-12-30", "9999-12-31"},
		{"2020-W52", "2020-W53"},     {"2020-W53", "2021-W01"},     {"2021-W52", "2022-W01"},
		{"2026-W52", "2026-W53"},     {"2026-W53", "2027-W01"},     {"1969-W52", "1970-W01"},
		{"2025-12", "2026-01"},       {"1969-12", "1970-01"},       {"0000-12", "0001-01"},
		{"2025-Q4", "2026-Q1"},       {"2026-Q1", "2026-Q2"},       {"1969-Q4", "1970-Q1"},
		{"2025", "2026"},             {"1969", "1970"},             {"0000", "0001"},
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		struct period a = must_period(steps[i].a), b = must_period(steps[i].next);
		tap_is_str(fmt_period(period_next(a)), steps[i].next, "next of %s", steps[i].a);
		tap_is_int(period_diff(a, b), 1, "diff %s -> %s", steps[i].a, steps[i].next);
		tap_is_int(period_diff(b, a), -1, "diff %s -> %s", steps[i].next, steps[i].a);
	}

	static const struct {
		const char *a, *b;
		int64_t diff;
	} diffs[] = {
		{"2025-12-01", "2026-03-01", 90},  {"2024-01-01", "2025-01-01", 366},
		{"2023-01-01", "2024-01-01", 365}, {"0001-01-01", "9999-12-31", 3652058},
		{"2020-W01", "2021-W01", 53},      {"2021-W01", "2022-W01", 52},
		{"2026-W01", "2027-W01", 53},      {"2025-W50", "2026-W03", 5},
		{"2025-11", "2026-02", 3},         {"2026-02", "2025-11", -3},
		{"0000-01", "9999-12", 119999},    {"2025-Q3", "2026-Q2", 3},
		{"2000-Q1", "2026-Q4", 107},       {"1970", "2026", 56},
		{"2026", "1970", -56},             {"2026-10", "2026-10", 0},
	};
	for (size_t i = 0; i < sizeof diffs / sizeof diffs[0]; i++)
		tap_is_int(period_diff(must_period(diffs[i].a), must_period(diffs[i].b)), diffs[i].diff,
			   "diff %s -> %s", diffs[i].a, diffs[i].b);

	/* Stepping forward one period at a time lands on the first second of
	 * the next period, for every kind, over a stretch around 2000. */
	long bad = 0;
	for (int k = 0; k < 5; k++) {
		struct period p = period_of(date_days_from_civil(1995, 6, 15) * 86400, (enum period_kind)k);
		for (int i = 0; i < 800; i++) {
			struct period q = period_next(p);
			if (period_end(p) != period_start(q) || period_start(q) <= period_start(p) ||
			    period_of(period_start(q), (enum period_kind)k).index != q.index ||
			    period_of(period_start(q) - 1, (enum period_kind)k).index != p.index)
				bad++;
			p = q;
		}
	}
	tap_is_int(bad, 0, "800 steps of each kind: end == next start, period_of agrees");
}

static void test_period_bounds(void)
{
	static const struct {
		const char *period, *start, *end;
	} cases[] = {
		{"2026-10-05", "2026-10-05T00:00:00Z", "2026-10-06T00:00:00Z"},
		{"2024-02-29", "2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z"},
		{"2025-12-31", "2025-12-31T00:00:00Z", "2026-01-01T00:00:00Z"},
		{"2026-W01", "2025-12-29T00:00:00Z", "2026-01-05T00:00:00Z"},
		{"2020-W53", "2020-12-28T00:00:00Z", "2021-01-04T00:00:00Z"},
		{"2026-W53", "2026-12-28T00:00:00Z", "2027-01-04T00:00:00Z"},
		{"2009-W01", "2008-12-29T00:00:00Z", "2009-01-05T00:00:00Z"},
		{"1970-W01", "1969-12-29T00:00:00Z", "1970-01-05T00:00:00Z"},
		{"2024-02", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"},
		{"2023-02", "2023-02-01T00:00:00Z", "2023-03-01T00:00:00Z"},
		{"2025-12", "2025-12-01T00:00:00Z", "2026-01-01T00:00:00Z"},
		{"1969-12", "1969-12-01T00:00:00Z", "1970-01-01T00:00:00Z"},
		{"2026-Q1", "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z"},
		{"2026-Q4", "2026-10-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"2026", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"0001", "0001-01-01T00:00:00Z", "0002-01-01T00:00:00Z"},
		{"9999", "9999-01-01T00:00:00Z", "+10000-01-01T00:00:00Z"},
		{"9999-12-31", "9999-12-31T00:00:00Z", "+10000-01-01T00:00:00Z"},
		{"0000-Q1", "0000-01-01T00:00:00Z", "0000-04-01T00:00:00Z"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct period p = must_period(cases[i].period);
		char s[DATE_BUF], e[DATE_BUF];
		date_format_time(s, period_start(p));
		date_format_time(e, period_end(p));
		tap_is_str(s, cases[i].start, "start of %s", cases[i].period);
		tap_is_str(e, cases[i].end, "end of %s", cases[i].period);
	}
	tap_is_int(period_start(must_period("1970-01-01")), 0, "start of the epoch day is 0");
	tap_is_int(period_end(must_period("1969-12-31")), 0, "end of 1969-12-31 is 0");
	tap_is_int(period_end((struct period){PERIOD_DAY, INT64_MAX}), INT64_MAX,
		   "period_end saturates high");
	tap_is_int(period_start((struct period){PERIOD_YEAR, INT64_MIN}), INT64_MIN,
		   "period_start saturates low");
	tap_is_int(period_next((struct period){PERIOD_DAY, INT64_MAX}).index, INT64_MAX,
		   "period_next saturates");

	/* Any time's period, in every kind, formats within DATE_BUF and has
	 * bounds around the time. */
	long bad = 0;
	for (int i = 0; i < 20000; i++) {
		int64_t t = (int64_t)tap_rand();
		for (int k = 0; k < 5; k++) {
			struct period p = period_of(t, (enum period_kind)k);
			char buf[DATE_BUF];
			size_t n = period_format(buf, p);
			if (n == 0 || n >= DATE_BUF || period_start(p) > t || period_end(p) <= t)
				bad++;
		}
	}
	tap_is_int(bad, 0, "random int64 times: every kind formats and brackets the time");
}

static void test_day(void)
{
	tap_ok(date_day(0) == 0 && date_day(86399) == 0 && date_day(86400) == 1, "date_day: 1970-01-01 is day 0, to its last second");
	tap_ok(date_day(-1) == -1 && date_day(-86400) == -1 && date_day(-86401) == -2, "date_day: before 1970 floored, not cut toward zero");
}

int main(void)
{
	test_day();
	test_civil_anchors();
	test_civil_sweep();
	test_leap_days();
	test_parse_valid();
	test_parse_invalid();
	test_format_round_trip();
	test_iso_weeks();
	test_period_kinds();
	test_period_parse_format();
	test_period_of();
	test_period_arithmetic();
	test_period_bounds();
	return tap_done();
}
