/* ingest_options.c - tally-ingest's option values (see ingest_options.h). */
#include <string.h>

#include "date.h"
#include "ingest_date.h"
#include "ingest_options.h"
#include "money.h"

int ingest_opt_currency(struct ingest_options *o, const char *arg)
{
	for (size_t i = 0; i < 3 && arg[i]; i++)
		o->currency[i] = (arg[i] >= 'a' && arg[i] <= 'z') ? (char)(arg[i] - 'a' + 'A') : arg[i];
	return strlen(arg) != 3 || currency_digits(o->currency, 3) < 0 ? -1 : 0;
}

int ingest_opt_encoding(struct ingest_options *o, const char *arg)
{
	o->encoding = csvin_encoding_parse(arg);
	o->encoding_given = o->encoding >= 0 && o->encoding != CSVIN_AUTO;
	return o->encoding < 0 ? -1 : 0;
}

int ingest_opt_separator(struct ingest_options *o, const char *arg)
{
	if (strcmp(arg, ",") == 0 || strcmp(arg, ";") == 0)
		o->sep = arg[0];
	else if (strcmp(arg, "tab") == 0 || strcmp(arg, "\t") == 0)
		o->sep = '\t';
	else
		return -1;
	return 0;
}

int ingest_opt_when(struct ingest_options *o, const char *arg, bool until)
{
	bool has_time;
	int64_t t;
	if (date_parse_ex(arg, strlen(arg), &t, &has_time) < 0)
		return -1;
	if (until && !has_time)
		t += 86400; /* the whole day */
	else if (until)
		t += 1;
	if (until)
		o->until = t, o->have_until = true;
	else
		o->since = t, o->have_since = true;
	return 0;
}

int ingest_opt_period(struct ingest_options *o, const char *arg)
{
	struct period p;
	if (period_parse(arg, strlen(arg), &p) < 0)
		return -1;
	int64_t a = period_start(p), b = period_end(p);
	if (!o->have_since || a > o->since)
		o->since = a;
	if (!o->have_until || b < o->until)
		o->until = b;
	o->have_since = o->have_until = true;
	return 0;
}

int ingest_opt_by_date(struct ingest_options *o, const char *arg)
{
	if (strcmp(arg, "reported") != 0 && strcmp(arg, "sale") != 0)
		return -1;
	o->by_reported = arg[0] == 'r';
	return 0;
}

int ingest_opt_date_order(struct ingest_options *o, const char *arg)
{
	if (strcmp(arg, "mdy") != 0 && strcmp(arg, "dmy") != 0)
		return -1;
	o->date_order = arg[0] == 'm' ? INGEST_MDY : INGEST_DMY;
	return 0;
}
