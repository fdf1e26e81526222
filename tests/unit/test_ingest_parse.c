/* test_ingest_parse.c - unit tests of the readers of platform text:
 * lib/ingest/ingest_amount.c (money as exports write it, in both decimal-mark
 * locales, exactly, into micro-units) and lib/ingest/ingest_date.c (the date
 * layouts of real exports).  Tables of cases, the bad ones beside the
 * good; every expected value is computed by hand (epoch seconds with
 * calendar.timegm) and never taken from the code under test. */
#include <stdio.h>
#include <string.h>

#include "ingest_amount.h"
#include "ingest_date.h"
#include "tap.h"

struct amount_case {
	const char *text;
	char mark;          /* the format's decimal mark */
	int status;         /* enum ingest_amount_status */
	long long micros;   /* when INGEST_AMOUNT_OK */
	const char *code;   /* the ISO code written in the text */
};

static const struct amount_case amounts[] = {
	/* Gumroad, Stripe: Ruby floats and major units */
	{"5.0", '.', INGEST_AMOUNT_OK, 5000000, ""},
	{"98.9", '.', INGEST_AMOUNT_OK, 98900000, ""},
	{"0.31", '.', INGEST_AMOUNT_OK, 310000, ""},
	{"-0.0", '.', INGEST_AMOUNT_OK, 0, ""},
	{"1.0e-05", '.', INGEST_AMOUNT_OK, 10, ""},
	{"25", '.', INGEST_AMOUNT_OK, 25000000, ""},
	/* PayPal en: quoted thousands */
	{"1,120.00", '.', INGEST_AMOUNT_OK, 1120000000, ""},
	{"-1,234,567.89", '.', INGEST_AMOUNT_OK, -1234567890000, ""},
	/* PayPal de / es: 1.234,56 */
	{"1.234,56", ',', INGEST_AMOUNT_OK, 1234560000, ""},
	{"-0,35", ',', INGEST_AMOUNT_OK, -350000, ""},
	{"12,5", ',', INGEST_AMOUNT_OK, 12500000, ""},
	/* PayPal fr: a space (or NBSP) groups thousands */
	{"1 234,56", ',', INGEST_AMOUNT_OK, 1234560000, ""},
	{"1\xc2\xa0" "234,56", ',', INGEST_AMOUNT_OK, 1234560000, ""},
	/* Swiss apostrophe */
	{"1'234.50", '.', INGEST_AMOUNT_OK, 1234500000, ""},
	/* Etsy statement: the sign before the symbol, -- for none */
	{"-$1.08", '.', INGEST_AMOUNT_OK, -1080000, ""},
	{"$16.08", '.', INGEST_AMOUNT_OK, 16080000, ""},
	{"-\xc2\xa3" "1.44", '.', INGEST_AMOUNT_OK, -1440000, ""},
	{"--", '.', INGEST_AMOUNT_EMPTY, 0, ""},
	{"", '.', INGEST_AMOUNT_EMPTY, 0, ""},
	/* Open Collective: a symbol and a code */
	{"$50.00 USD", '.', INGEST_AMOUNT_OK, 50000000, "USD"},
	{"-$5.00 USD", '.', INGEST_AMOUNT_OK, -5000000, "USD"},
	{"12.00 EUR", '.', INGEST_AMOUNT_OK, 12000000, "EUR"},
	/* accounting negatives, a trailing minus, U+2212 */
	{"(3.20)", '.', INGEST_AMOUNT_OK, -3200000, ""},
	{"3.20-", '.', INGEST_AMOUNT_OK, -3200000, ""},
	{"\xe2\x88\x92" "5.00", '.', INGEST_AMOUNT_OK, -5000000, ""},
	/* DistroKid: 10 decimals, rounded half to even at the micro */
	{"0.0000005000", '.', INGEST_AMOUNT_OK, 0, ""},
	{"0.0000015000", '.', INGEST_AMOUNT_OK, 2, ""},
	{"0.0000025001", '.', INGEST_AMOUNT_OK, 3, ""},
	/* DistroKid's 12 and 18 decimals: the digits past the mantissa's 30 only
	 * break a tie (a "half" with any later digit set rounds up) */
	{"0.12345678901", '.', INGEST_AMOUNT_OK, 123457, ""},
	{"11.612345678912", '.', INGEST_AMOUNT_OK, 11612346, ""},
	{"0.000273529411764706", '.', INGEST_AMOUNT_OK, 274, ""},
	{"0.000000500000000000000000000000000000", '.', INGEST_AMOUNT_OK, 0, ""},
	{"0.000000500000000000000000000000000001", '.', INGEST_AMOUNT_OK, 1, ""},
	{"0.0000025000000000000000000000000000000", '.', INGEST_AMOUNT_OK, 2, ""},
	{"123456789.123456789012345678901234", '.', INGEST_AMOUNT_OK, 123456789123457, ""},
	{"2.7352941176470588e-05", '.', INGEST_AMOUNT_OK, 27, ""},
	{"1e-37", '.', INGEST_AMOUNT_EPRECISION, 0, ""},
	/* not amounts: a grouping that is not of three, the other locale's
	 * mark alone, two marks, text */
	{"1,23", '.', INGEST_AMOUNT_ESYNTAX, 0, ""},
	{"1.2.3", '.', INGEST_AMOUNT_ESYNTAX, 0, ""},
	{"12,34,567.00", '.', INGEST_AMOUNT_ESYNTAX, 0, ""},
	{"1.234.56", ',', INGEST_AMOUNT_ESYNTAX, 0, ""},
	{"twelve", '.', INGEST_AMOUNT_ESYNTAX, 0, ""},
	{"$", '.', INGEST_AMOUNT_ESYNTAX, 0, ""},
	/* int64 micro-units end near 9.2e12 */
	{"9223372036854.775807", '.', INGEST_AMOUNT_OK, 9223372036854775807LL, ""},
	{"9223372036854.775808", '.', INGEST_AMOUNT_ERANGE, 0, ""},
	{"99999999999999999999", '.', INGEST_AMOUNT_ERANGE, 0, ""},
};

static void test_amounts(void)
{
	for (size_t i = 0; i < sizeof amounts / sizeof amounts[0]; i++) {
		const struct amount_case *c = &amounts[i];
		int64_t v = -1;
		char code[4] = "?";
		int st = ingest_amount_parse(c->text, strlen(c->text), c->mark, &v, NULL, code);
		if (c->status != INGEST_AMOUNT_OK) {
			tap_is_int(st, c->status, "\"%s\" (mark %c): %s", c->text, c->mark, ingest_amount_strerror(c->status));
			continue;
		}
		tap_ok(st == INGEST_AMOUNT_OK && v == c->micros && strcmp(code, c->code) == 0,
		       "\"%s\" (mark %c) is %lld micro-units%s%s", c->text, c->mark, c->micros, *c->code ? ", code " : "",
		       c->code);
		if (st != INGEST_AMOUNT_OK || v != c->micros)
			printf("#   got status %d, %lld, code \"%s\"\n", st, (long long)v, code);
	}
	/* the rounding is reported, rounded minus exact, in 10^-10 */
	int64_t v = 0, r = 0;
	ingest_amount_parse("0.0000015000", 12, '.', &v, &r, NULL);
	ingest_amount_parse("0.0000004000", 12, '.', &v, &r, NULL);
	tap_is_int(r, 5000 - 4000, "rounding added up: +0.5e-6 then -0.4e-6, in 10^-10");
}

struct date_case {
	const char *fmt, *text;
	int tz;             /* minutes east, for layouts without a zone */
	int ok;
	long long t;        /* epoch seconds, by calendar.timegm */
};

static const struct date_case dates[] = {
	/* Gumroad */
	{"%Y-%m-%d %H:%M:%S %z", "2022-10-27 14:19:23 +0000", 0, 1, 1666880363},
	/* Shopify, an offset */
	{"%Y-%m-%d %H:%M:%S %z", "2025-10-02 17:09:34 -0300", 0, 1, 1759435774},
	/* Patreon: microseconds dropped */
	{"%Y-%m-%d %H:%M:%S", "2023-04-08 17:45:28.731953", 0, 1, 1680975928},
	/* Etsy statement: spelled out; Sept */
	{"%B %d, %Y", "March 9, 2026", 0, 1, 1773014400},
	{"%b %d, %Y", "Sept 3, 2026", 0, 1, 1788393600},
	/* Bandcamp: 12-hour clock, 2-digit year */
	{"%m/%d/%y %I:%M%p", "10/1/25 1:02am", 0, 1, 1759280520},
	{"%m/%d/%y %I:%M%p", "10/1/25 1:02PM", 0, 1, 1759323720},
	{"%m/%d/%y %I:%M%p", "10/1/25 12:02am", 0, 1, 1759276920},
	/* German PayPal */
	{"%d.%m.%Y", "31.12.2026", 0, 1, 1798675200},
	/* PayPal 2016: a zone by name */
	{"%m/%d/%Y %H:%M:%S %Z", "6/4/2016 10:46:49 PDT", 0, 1, 1465062409},
	{"%d/%m/%Y %H:%M:%S %Z", "02/10/2026 09:15:00 BST", 0, 1, 1790928900},
	/* German PayPal: a region, summer time */
	{"%d.%m.%Y %H:%M:%S %Z", "05.07.2023 09:02:45 Europe/Berlin", 0, 1, 1688540565},
	{"%d.%m.%Y %H:%M:%S %Z", "15.01.2026 10:00:00 Europe/Berlin", 0, 1, 1768467600},
	/* the EU change: the last Sundays of March and October, 01:00 UTC */
	{"%d.%m.%Y %H:%M:%S %Z", "29.03.2026 01:59:59 Europe/Berlin", 0, 1, 1774745999},
	{"%d.%m.%Y %H:%M:%S %Z", "29.03.2026 03:00:00 Europe/Berlin", 0, 1, 1774746000},
	/* the hour that repeats: the first, summer time */
	{"%d.%m.%Y %H:%M:%S %Z", "25.10.2026 02:30:00 Europe/Berlin", 0, 1, 1792888200},
	{"%d.%m.%Y %H:%M:%S %Z", "25.10.2026 03:00:00 Europe/Berlin", 0, 1, 1792893600},
	/* older German files: MESZ */
	{"%d.%m.%Y %H:%M:%S %Z", "05.07.2023 09:02:45 MESZ", 0, 1, 1688540565},
	/* the US change: second Sunday of March, first of November, 02:00 local */
	{"%m/%d/%Y %H:%M:%S %Z", "03/08/2026 01:59:59 America/Los_Angeles", 0, 1, 1772963999},
	{"%m/%d/%Y %H:%M:%S %Z", "03/08/2026 03:00:00 America/Los_Angeles", 0, 1, 1772964000},
	{"%m/%d/%Y %H:%M:%S %Z", "11/01/2026 01:30:00 America/Los_Angeles", 0, 1, 1793521800},
	{"%m/%d/%Y %H:%M:%S %Z", "11/01/2026 02:00:00 America/Los_Angeles", 0, 1, 1793527200},
	/* no summer time */
	{"%m/%d/%Y %H:%M:%S %Z", "07/01/2026 12:00:00 America/Phoenix", 0, 1, 1782932400},
	/* a zone the table lacks, a region before its rule: refused, never guessed */
	{"%d.%m.%Y %H:%M:%S %Z", "05.07.2023 09:02:45 Mars/Olympus", 0, 0, 0},
	{"%d.%m.%Y %H:%M:%S %Z", "05.07.1995 09:02:45 Europe/Berlin", 0, 0, 0},
	{"%d.%m.%Y %H:%M:%S %Z", "05.07.2023 09:02:45 europe/berlin", 0, 0, 0},
	/* no zone in the text: the caller's offset (India, +05:30) */
	{"%Y-%m-%d %H:%M:%S", "2026-10-03 14:19:23", 330, 1, 1791017363},
	{"%Y-%m-%d", "2024-02-29", 0, 1, 1709164800},
	/* not real calendar dates, or not the layout */
	{"%Y-%m-%d", "2026-02-29", 0, 0, 0},
	{"%m/%d/%Y", "02/30/2026", 0, 0, 0},
	{"%m/%d/%Y", "13/01/2026", 0, 0, 0},
	{"%Y-%m-%d %H:%M:%S", "2026-10-03 24:00:00", 0, 0, 0},
	{"%Y-%m-%d", "2026-10-03 extra", 0, 0, 0},
	{"%B %d, %Y", "Smarch 9, 2026", 0, 0, 0},
	{"%Y-%m-%d %H:%M:%S %z", "2022-10-27 14:19:23 UTC", 0, 0, 0},
};

static void test_dates(void)
{
	for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
		const struct date_case *c = &dates[i];
		int64_t t = 0;
		int rc = ingest_date_parse(c->fmt, c->text, strlen(c->text), c->tz, &t);
		if (!c->ok) {
			tap_is_int(rc, -1, "\"%s\" is not %s", c->text, c->fmt);
			continue;
		}
		tap_ok(rc == 0 && t == c->t, "\"%s\" by %s is %lld", c->text, c->fmt, c->t);
		if (rc != 0 || t != c->t)
			printf("#   got rc %d, %lld\n", rc, (long long)t);
	}
}

/* Why a value of a layout's shape is no real date; nothing when it is one
 * or has another shape. */
static void test_unreal(void)
{
	static const struct {
		const char *fmt, *text, *why;
	} cases[] = {
		{"%Y-%m-%d", "2026-02-29", "is not a day (February has 28 days in 2026)"},
		{"%Y-%m-%d", "2024-02-30", "is not a day (February has 29 days in 2024)"},
		{"%m/%d/%Y", "04/31/2026", "is not a day (April has 30 days)"},
		{"%m/%d/%Y", "13/01/2026", "is not a day (there is no month 13)"},
		{"%Y-%m-%d", "2026-01-00", "is not a day (there is no day 0)"},
		{"%Y-%m-%d %H:%M:%S", "2026-10-03 24:00:00", "is not a time of day (24:00:00)"},
		{"%Y-%m-%d", "2024-02-29", NULL},
		{"%Y-%m-%d", "04/09/2026", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char why[100] = "";
		int rc = ingest_date_unreal(cases[i].fmt, cases[i].text, strlen(cases[i].text), why, sizeof why);
		if (!cases[i].why)
			tap_ok(rc == 0 && why[0] == '\0', "\"%s\" by %s: nothing to say", cases[i].text, cases[i].fmt);
		else
			tap_ok(rc == 1 && strcmp(why, cases[i].why) == 0, "\"%s\" by %s: %s", cases[i].text,
			       cases[i].fmt, cases[i].why);
	}
	static const struct {
		const char *text, *why;
	} zones[] = {
		{"05.07.2023 09:02:45 Mars/Olympus", "has a time zone \"Mars/Olympus\" tally does not know (a region such as "
						     "Europe/Berlin or America/Los_Angeles, an abbreviation such as CEST or PDT, "
						     "or an offset such as +02:00)"},
		{"05.07.1995 09:02:45 Europe/Berlin", "is in Europe/Berlin before 1996, whose summer time tally does not know"},
		{"05.07.2023 09:02:45 MESZ", NULL},
		{"31.02.2023 09:02:45 Mars/Olympus", NULL},
	};
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		char why[300] = "";
		int rc = ingest_date_bad_zone("%d.%m.%Y %H:%M:%S %Z", zones[i].text, strlen(zones[i].text), why, sizeof why);
		tap_ok(zones[i].why ? rc == 1 && strcmp(why, zones[i].why) == 0 : rc == 0 && !why[0], "zone of \"%s\": %s",
		       zones[i].text, zones[i].why ? zones[i].why : "nothing to say");
	}
	tap_is_int(ingest_layout_has_time("%m/%d/%y %I:%M%p"), 1, "%%I is a time of day");
	tap_is_int(ingest_layout_has_time("%Y-%m-%d"), 0, "%%Y-%%m-%%d has none");
}

int main(void)
{
	test_amounts();
	test_dates();
	test_unreal();
	return tap_done();
}
