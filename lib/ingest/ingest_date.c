/* ingest_date.c - platform date layouts to UTC seconds (see ingest_date.h). */
#include "ingest_date.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "date.h"

static const char *const month_names[12] = {
	"january", "february", "march",     "april",   "may",      "june",
	"july",    "august",   "september", "october", "november", "december",
};

static const struct {
	const char *name;
	int minutes;
} zones[] = {
	{"UTC", 0},     {"GMT", 0},      {"Z", 0},        {"PST", -480},  {"PDT", -420},
	{"MST", -420},  {"MDT", -360},   {"CST", -360},   {"CDT", -300},  {"EST", -300},
	{"EDT", -240},  {"AKST", -540},  {"AKDT", -480},  {"HST", -600},  {"BST", 60},
	{"CET", 60},    {"CEST", 120},   {"EET", 120},    {"EEST", 180},  {"IST", 330},
	{"JST", 540},   {"AEST", 600},   {"AEDT", 660},   {"MEZ", 60},    {"MESZ", 120},
};

/* The daylight-saving rules of the region zones below. */
enum zone_rule {
	RULE_NONE, /* no daylight saving time */
	RULE_EU,   /* +1h from the last Sunday of March to the last of October, 01:00 UTC (since 1996) */
	RULE_US,   /* +1h from the second Sunday of March to the first of November, 02:00 local (since 2007) */
};

/* Region names (as PayPal's statement layouts write the zone:
 * "Europe/Berlin", "America/Los_Angeles") with their standard offset and
 * rule; a region not here is refused, never guessed. */
static const struct {
	const char *name;
	int minutes;
	enum zone_rule rule;
} regions[] = {
	{"Europe/London", 0, RULE_EU},        {"Europe/Dublin", 0, RULE_EU},        {"Europe/Lisbon", 0, RULE_EU},
	{"Europe/Berlin", 60, RULE_EU},       {"Europe/Paris", 60, RULE_EU},        {"Europe/Madrid", 60, RULE_EU},
	{"Europe/Brussels", 60, RULE_EU},     {"Europe/Amsterdam", 60, RULE_EU},    {"Europe/Vienna", 60, RULE_EU},
	{"Europe/Rome", 60, RULE_EU},         {"Europe/Zurich", 60, RULE_EU},       {"Europe/Luxembourg", 60, RULE_EU},
	{"Europe/Stockholm", 60, RULE_EU},    {"Europe/Oslo", 60, RULE_EU},         {"Europe/Copenhagen", 60, RULE_EU},
	{"Europe/Warsaw", 60, RULE_EU},       {"Europe/Prague", 60, RULE_EU},       {"Europe/Budapest", 60, RULE_EU},
	{"Europe/Helsinki", 120, RULE_EU},    {"Europe/Athens", 120, RULE_EU},      {"Europe/Bucharest", 120, RULE_EU},
	{"America/New_York", -300, RULE_US},  {"America/Toronto", -300, RULE_US},   {"America/Chicago", -360, RULE_US},
	{"America/Denver", -420, RULE_US},    {"America/Los_Angeles", -480, RULE_US}, {"America/Vancouver", -480, RULE_US},
	{"America/Anchorage", -540, RULE_US}, {"America/Phoenix", -420, RULE_NONE}, {"Pacific/Honolulu", -600, RULE_NONE},
	{"Asia/Tokyo", 540, RULE_NONE},       {"Asia/Kolkata", 330, RULE_NONE},     {"Asia/Singapore", 480, RULE_NONE},
	{"Etc/UTC", 0, RULE_NONE},
};

/* 1..max digits at s[*i]; at least min.  -1 when none. */
static long digits(const char *s, size_t len, size_t *i, int min, int max)
{
	long v = 0;
	int n = 0;
	while (*i < len && n < max && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (s[*i] - '0');
		(*i)++, n++;
	}
	return n >= min ? v : -1;
}

/* A numeric offset: Z, +HH, +HHMM, +HH:MM.  0 or -1. */
static int offset(const char *s, size_t len, size_t *i, int *minutes)
{
	if (*i < len && (s[*i] == 'Z' || s[*i] == 'z')) {
		(*i)++;
		*minutes = 0;
		return 0;
	}
	if (*i >= len || (s[*i] != '+' && s[*i] != '-'))
		return -1;
	int sign = s[*i] == '-' ? -1 : 1;
	(*i)++;
	long h = digits(s, len, i, 2, 2), m = 0;
	if (h < 0)
		return -1;
	if (*i < len && s[*i] == ':')
		(*i)++;
	if (*i < len && s[*i] >= '0' && s[*i] <= '9') {
		m = digits(s, len, i, 2, 2);
		if (m < 0)
			return -1;
	}
	if (h > 23 || m > 59)
		return -1;
	*minutes = sign * (int)(h * 60 + m);
	return 0;
}

/* A region name at s[*i] ("Europe/Berlin"): its standard offset and
 * rule; 0, or -1 when the text is no region of the table. */
static int region_name(const char *s, size_t len, size_t *i, int *minutes, enum zone_rule *rule)
{
	size_t j = *i;
	while (j < len && (s[j] == '/' || s[j] == '_' || (s[j] >= 'A' && s[j] <= 'Z') || (s[j] >= 'a' && s[j] <= 'z')))
		j++;
	for (size_t k = 0; k < sizeof regions / sizeof regions[0]; k++)
		if (strlen(regions[k].name) == j - *i && strncmp(s + *i, regions[k].name, j - *i) == 0) {
			*i = j;
			*minutes = regions[k].minutes;
			*rule = regions[k].rule;
			return 0;
		}
	return -1;
}

static int zone_name(const char *s, size_t len, size_t *i, int *minutes)
{
	size_t j = *i;
	while (j < len && s[j] >= 'A' && s[j] <= 'Z')
		j++;
	for (size_t k = 0; k < sizeof zones / sizeof zones[0]; k++) {
		size_t n = strlen(zones[k].name);
		if (n == j - *i && strncmp(s + *i, zones[k].name, n) == 0) {
			*i = j;
			*minutes = zones[k].minutes;
			/* "UTC+01:00" */
			if (*i < len && (s[*i] == '+' || s[*i] == '-')) {
				int extra;
				if (offset(s, len, i, &extra) < 0)
					return -1;
				*minutes += extra;
			}
			return 0;
		}
	}
	return offset(s, len, i, minutes);
}

int ingest_tz_parse(const char *s, size_t len, int *minutes)
{
	size_t i = 0;
	if (zone_name(s, len, &i, minutes) < 0 || i != len)
		return -1;
	return 0;
}

static int month_name(const char *s, size_t len, size_t *i)
{
	size_t j = *i;
	while (j < len && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z')))
		j++;
	size_t n = j - *i;
	if (n < 3)
		return -1;
	for (int m = 0; m < 12; m++) {
		size_t full = strlen(month_names[m]);
		if ((n == full || n == 3 || (m == 8 && n == 4)) && n <= full &&
		    strncasecmp(s + *i, month_names[m], n) == 0) {
			*i = j;
			if (j < len && s[j] == '.') /* "Sept." */
				(*i)++;
			return m + 1;
		}
	}
	return -1;
}

/* The fields a layout reads, before the calendar is checked. */
struct fields {
	long y, mo, d, h, mi, se;
	int zone;            /* the offset, minutes (a region's: standard time) */
	enum zone_rule rule; /* a region's daylight-saving rule */
};

/* Read s[0..len) by fmt into *out (hours already on the 24-hour clock).
 * 0 when the text has the layout's shape, -1 when not. */
/* %T: "H:MM:SS" at s[*i] into h, mi, se; 0, or -1 when it is not. */
static int clock_time(const char *s, size_t len, size_t *i, long *h, long *mi, long *se)
{
	*h = digits(s, len, i, 1, 2);
	if (*h < 0 || *i >= len || s[(*i)++] != ':')
		return -1;
	*mi = digits(s, len, i, 2, 2);
	if (*mi < 0 || *i >= len || s[(*i)++] != ':')
		return -1;
	*se = digits(s, len, i, 2, 2);
	return *se < 0 ? -1 : 0;
}

/* %p: "am" or "pm" (any case) at s[*i]: *pm 0 or 1; 0, or -1 when neither. */
static int am_pm(const char *s, size_t len, size_t *i, int *pm)
{
	if (*i + 2 > len)
		return -1;
	if (strncasecmp(s + *i, "am", 2) == 0)
		*pm = 0;
	else if (strncasecmp(s + *i, "pm", 2) == 0)
		*pm = 1;
	else
		return -1;
	*i += 2;
	return 0;
}

static int scan(const char *fmt, const char *s, size_t len, int tz_minutes, struct fields *out)
{
	long y = -1, mo = 1, d = 1, h = 0, mi = 0, se = 0;
	int pm = -1, zone = tz_minutes;
	enum zone_rule rule = RULE_NONE;
	size_t i = 0;

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	for (const char *f = fmt; *f; f++) {
		if (*f == ' ') {
			if (i >= len || s[i] != ' ')
				return -1;
			while (i < len && s[i] == ' ')
				i++;
			continue;
		}
		if (*f != '%' || f[1] == '\0') {
			if (i >= len || s[i] != *f)
				return -1;
			i++;
			continue;
		}
		switch (*++f) {
		case 'Y': y = digits(s, len, &i, 4, 4); if (y < 0) return -1; break;
		case 'y': y = digits(s, len, &i, 2, 2); if (y < 0) return -1; y += 2000; break;
		case 'm': mo = digits(s, len, &i, 1, 2); if (mo < 0) return -1; break;
		case 'd': case 'e':
			while (*f == 'e' && i < len && s[i] == ' ')
				i++;
			d = digits(s, len, &i, 1, 2);
			if (d < 0)
				return -1;
			break;
		case 'H': case 'I': case 'l':
			while (*f == 'l' && i < len && s[i] == ' ')
				i++;
			h = digits(s, len, &i, 1, 2);
			if (h < 0)
				return -1;
			if (*f != 'H' && (h < 1 || h > 12))
				return -1;
			break;
		case 'M': mi = digits(s, len, &i, 2, 2); if (mi < 0) return -1; break;
		case 'S':
			se = digits(s, len, &i, 2, 2);
			if (se < 0)
				return -1;
			if (i < len && (s[i] == '.' || s[i] == ',') && i + 1 < len && s[i + 1] >= '0' &&
			    s[i + 1] <= '9') {
				i++;
				digits(s, len, &i, 1, 12);
			}
			break;
		case 'T':
			if (clock_time(s, len, &i, &h, &mi, &se) < 0)
				return -1;
			break;
		case 'p':
			if (am_pm(s, len, &i, &pm) < 0)
				return -1;
			break;
		case 'b': case 'B':
			mo = month_name(s, len, &i);
			if (mo < 0)
				return -1;
			break;
		case 'z':
			if (offset(s, len, &i, &zone) < 0)
				return -1;
			break;
		case 'Z':
			if (region_name(s, len, &i, &zone, &rule) < 0 && zone_name(s, len, &i, &zone) < 0)
				return -1;
			break;
		case '%':
			if (i >= len || s[i++] != '%')
				return -1;
			break;
		default:
			return -1;
		}
	}
	if (i != len || y < 0)
		return -1;
	if (pm >= 0)
		h = (h % 12) + (pm ? 12 : 0);
	*out = (struct fields){y, mo, d, h, mi, se, zone, rule};
	return 0;
}

static bool fields_real(const struct fields *v)
{
	return date_valid(v->y, (unsigned)v->mo, (unsigned)v->d) && v->h <= 23 && v->mi <= 59 && v->se <= 60;
}

/* The day (days since 1970-01-01) of the nth Sunday of month mo of year
 * y; n = -1: the last. */
static int64_t sunday(long y, unsigned mo, int n)
{
	int64_t first = date_days_from_civil(y, mo, 1);
	int64_t sun = first + (7 - (first + 4) % 7) % 7; /* 1970-01-01 was a Thursday */
	if (n > 0)
		return sun + 7 * (n - 1);
	int64_t next = date_days_from_civil(mo == 12 ? y + 1 : y, mo == 12 ? 1 : mo + 1, 1);
	while (sun + 7 < next)
		sun += 7;
	return sun;
}

/* Local time local (seconds, as if UTC) in a zone of standard offset std
 * minutes and rule: the UTC time.  In the hour that repeats when the
 * clocks go back, the first (summer time). */
static int64_t local_to_utc(int64_t local, long y, int std, enum zone_rule rule)
{
	int64_t utc = local - (int64_t)std * 60, summer = utc - 3600, start, end;
	if (rule == RULE_EU) {
		start = sunday(y, 3, -1) * 86400 + 3600;
		end = sunday(y, 10, -1) * 86400 + 3600;
	} else if (rule == RULE_US) {
		start = sunday(y, 3, 2) * 86400 + 2 * 3600 - (int64_t)std * 60;
		end = sunday(y, 11, 1) * 86400 + 2 * 3600 - (int64_t)(std + 60) * 60;
	} else {
		return utc;
	}
	return summer >= start && summer < end ? summer : utc;
}

int ingest_date_parse(const char *fmt, const char *s, size_t len, int tz_minutes, int64_t *t)
{
	struct fields v;
	if (scan(fmt, s, len, tz_minutes, &v) < 0 || !fields_real(&v))
		return -1;
	/* the rules as they are since 1996 (EU) and 2007 (US): older dates
	 * in a region zone are not guessed */
	if ((v.rule == RULE_EU && v.y < 1996) || (v.rule == RULE_US && v.y < 2007))
		return -1;
	int64_t days = date_days_from_civil(v.y, (unsigned)v.mo, (unsigned)v.d);
	int64_t local = days * 86400 + v.h * 3600 + v.mi * 60 + (v.se > 59 ? 59 : v.se);
	*t = local_to_utc(local, v.y, v.zone, v.rule);
	return 0;
}

/* Days in month mo (1..12) of year y. */
static unsigned month_days(long y, long mo)
{
	unsigned d = 28;
	while (d < 31 && date_valid(y, (unsigned)mo, d + 1))
		d++;
	return d;
}

int ingest_date_unreal(const char *fmt, const char *s, size_t len, char *why, size_t size)
{
	struct fields v;
	if (scan(fmt, s, len, 0, &v) < 0 || fields_real(&v))
		return 0;
	if (v.mo < 1 || v.mo > 12)
		snprintf(why, size, "is not a day (there is no month %ld)", v.mo);
	else if (v.d < 1)
		snprintf(why, size, "is not a day (there is no day 0)");
	else if (!date_valid(v.y, (unsigned)v.mo, (unsigned)v.d)) {
		char month[12];
		snprintf(month, sizeof month, "%s", month_names[v.mo - 1]);
		month[0] = (char)(month[0] - 'a' + 'A');
		if (v.mo == 2)
			snprintf(why, size, "is not a day (February has %u days in %04ld)", month_days(v.y, 2), v.y);
		else
			snprintf(why, size, "is not a day (%s has %u days)", month, month_days(v.y, v.mo));
	} else
		snprintf(why, size, "is not a time of day (%02ld:%02ld:%02ld)", v.h, v.mi, v.se);
	return 1;
}

int ingest_layout_has_time(const char *fmt)
{
	for (const char *f = fmt; *f; f++)
		if (*f == '%' && f[1]) {
			f++;
			if (strchr("HIlT", *f))
				return 1;
		}
	return 0;
}

enum ingest_date_order ingest_date_order_of(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && s[i] == ' ')
		i++;
	long a = digits(s, len, &i, 1, 2);
	if (a < 0 || i >= len || (s[i] != '/' && s[i] != '.' && s[i] != '-'))
		return INGEST_EITHER;
	char sep = s[i++];
	long b = digits(s, len, &i, 1, 2);
	if (b < 0 || i >= len || s[i] != sep)
		return INGEST_EITHER;
	if (a > 12 && a <= 31 && b <= 12)
		return INGEST_DMY;
	if (b > 12 && b <= 31 && a <= 12)
		return INGEST_MDY;
	return INGEST_EITHER;
}

enum ingest_date_order ingest_layout_order(const char *fmt)
{
	const char *m = strstr(fmt, "%m"), *d = strstr(fmt, "%d");
	if (!m || !d)
		return INGEST_EITHER;
	return m < d ? INGEST_MDY : INGEST_DMY;
}

int ingest_tz_is_american(const char *s, size_t len)
{
	static const char *const us[] = {"PST", "PDT", "MST", "MDT", "CST", "CDT", "EST",
					 "EDT", "AKST", "AKDT", "HST"};
	for (size_t i = 0; i < sizeof us / sizeof us[0]; i++)
		if (strlen(us[i]) == len && strncasecmp(us[i], s, len) == 0)
			return 1;
	return 0;
}

int ingest_date_bad_zone(const char *fmt, const char *s, size_t len, char *why, size_t size)
{
	size_t fl = strlen(fmt);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	const char *sp = len > 0 ? memrchr(s, ' ', len) : NULL;
	if (fl < 3 || strcmp(fmt + fl - 3, " %Z") != 0 || !sp || fl - 3 >= 64)
		return 0;
	char head[64];
	memcpy(head, fmt, fl - 3);
	head[fl - 3] = '\0';
	const char *z = sp + 1;
	size_t zl = len - (size_t)(z - s), i = 0;
	int minutes;
	enum zone_rule rule = RULE_NONE;
	struct fields v;
	if (scan(head, s, (size_t)(sp - s), 0, &v) < 0 || !fields_real(&v))
		return 0; /* the date itself is wrong */
	if (region_name(z, zl, &i, &minutes, &rule) == 0 && i == zl) {
		snprintf(why, size, "is in %.*s before %d, whose summer time tally does not know", (int)zl, z,
			 rule == RULE_EU ? 1996 : 2007);
		return 1;
	}
	i = 0;
	if (zone_name(z, zl, &i, &minutes) == 0 && i == zl)
		return 0;
	snprintf(why, size,
		 "has a time zone \"%.*s\" tally does not know (a region such as Europe/Berlin or "
		 "America/Los_Angeles, an abbreviation such as CEST or PDT, or an offset such as +02:00)",
		 (int)(zl > 40 ? 40 : zl), z);
	return 1;
}
