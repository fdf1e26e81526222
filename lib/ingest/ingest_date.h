/* ingest_date.h - reading the date layouts platforms write.
 *
 * A layout is a strptime-like pattern: "%m/%d/%Y", "%Y-%m-%d %H:%M:%S %z",
 * "%B %d, %Y", "%m/%d/%y %I:%M%p".  Times without a zone are read in a
 * fixed offset the caller gives (the platform's timezone); the result is
 * seconds since the epoch, UTC. */
#ifndef TALLY_INGEST_DATE_H
#define TALLY_INGEST_DATE_H

#include <stddef.h>
#include <stdint.h>

/* Parse s[0..len) by pattern fmt.  Conversions: %Y (4 digits), %y (2
 * digits, 20yy), %m %d %H %I (1 or 2 digits), %M %S (2 digits; %S takes an
 * optional fraction, dropped), %p (am/pm, any case), %b / %B (English month
 * name or its 3-letter abbreviation, "Sept" too), %z (Z, +HHMM, +HH:MM,
 * +HH), %Z (Z, UTC, GMT, PST, PDT, MST, MDT, CST, CDT, EST, EDT, AKST,
 * AKDT, HST, BST, CET, CEST, MEZ, MESZ, EET, EEST, IST, JST, AEST, AEDT,
 * an offset like %z, or a region of Europe or North America such as
 * "Europe/Berlin" or "America/Los_Angeles", its summer time by the EU
 * rule since 1996 or the US rule since 2007: an older date, or a region
 * not in the table, does not match), %T (%H:%M:%S), %% (a '%').  A space in fmt matches one or more
 * spaces; any other character matches itself.  Missing day: 1; missing
 * time: midnight.  tz_minutes is the offset used when fmt has no zone.
 * Returns 0 and sets *t, or -1 (no match, or not a real calendar date). */
int ingest_date_parse(const char *fmt, const char *s, size_t len, int tz_minutes, int64_t *t);

/* Why s[0..len), which has fmt's shape, is no real date: writes e.g. "is
 * not a day (February has 28 days in 2026)" or "is not a day (there is no
 * month 13)" into why (size bytes) and returns 1.  Returns 0, writing
 * nothing, when s does not have fmt's shape or is a real date. */
int ingest_date_unreal(const char *fmt, const char *s, size_t len, char *why, size_t size);

/* Why s[0..len), read by a layout fmt ending in " %Z", is no time: its
 * date and time are right but its zone is none the table above knows, or
 * a region's before its rule (writes e.g. "has a time zone "Mars/Olympus"
 * tally does not know (...)" into why and returns 1).  0, writing
 * nothing, in every other case. */
int ingest_date_bad_zone(const char *fmt, const char *s, size_t len, char *why, size_t size);

/* 1 when layout fmt reads a time of day (%H, %I, %l or %T), else 0. */
int ingest_layout_has_time(const char *fmt);

/* Which order a numeric date's first two fields show: "25/10/2026" ->
 * INGEST_DMY (the first is over 12), "10/25/2026" -> INGEST_MDY, and
 * "10/05/2026" or text that is not N/N/... -> INGEST_EITHER. */
enum ingest_date_order { INGEST_EITHER = 0, INGEST_MDY = 1, INGEST_DMY = 2 };
enum ingest_date_order ingest_date_order_of(const char *s, size_t len);

/* The order a layout reads: INGEST_MDY when %m comes before %d,
 * INGEST_DMY when after, INGEST_EITHER without both. */
enum ingest_date_order ingest_layout_order(const char *fmt);

/* Whether a zone abbreviation is North American (PST ... HST): a file
 * written in one is month-first when its dates cannot tell. */
int ingest_tz_is_american(const char *s, size_t len);

/* Parse a timezone setting: "UTC", "Z", "+05:30", "-0800", or one of the
 * abbreviations above.  0 and *minutes set, or -1. */
int ingest_tz_parse(const char *s, size_t len, int *minutes);

#endif
