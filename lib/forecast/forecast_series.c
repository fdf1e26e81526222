/* forecast_series.c - the series table of forecast_series.h. */
#include "forecast_series.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


void forecast_table_init(struct forecast_table *t, size_t nkeys)
{
	memset(t, 0, sizeof *t);
	t->nkeys = nkeys;
	t->stamped = true;
}

/* Room for one more series. */
static int grow_series(struct forecast_table *t)
{
	struct forecast_series *s = grow_array(t->series, t->n, &t->cap, sizeof *s, 16);
	if (!s)
		return FORECAST_SERIES_ENOMEM;
	t->series = s;
	return FORECAST_SERIES_OK;
}

/* The key's fields joined, each followed by NUL, into t->key_buf. */
static int join_key(struct forecast_table *t, const struct tsv_field *fields, const int *cols, size_t *len)
{
	*len = 0;
	for (size_t k = 0; k < t->nkeys; k++) {
		const struct tsv_field *f = &fields[cols[k]];
		if (*len + f->len + 1 > t->key_cap) {
			size_t cap = (*len + f->len + 1) * 2;
			char *b = realloc(t->key_buf, cap);
			if (!b)
				return FORECAST_SERIES_ENOMEM;
			t->key_buf = b;
			t->key_cap = cap;
		}
		memcpy(t->key_buf + *len, f->s, f->len);
		t->key_buf[*len + f->len] = '\0';
		*len += f->len + 1;
	}
	return FORECAST_SERIES_OK;
}

/* A new series' key copies and its label 'series "A/B": '. */
static int name_series(struct forecast_series *s, const char *joined, size_t nkeys)
{
	size_t lab = 16;
	const char *p = joined;
	s->key = calloc(nkeys ? nkeys : 1, sizeof *s->key);
	if (!s->key)
		return FORECAST_SERIES_ENOMEM;
	for (size_t k = 0; k < nkeys; k++, p += strlen(p) + 1) {
		if (!(s->key[k] = strdup(p)))
			return FORECAST_SERIES_ENOMEM;
		lab += strlen(p) + 1;
	}
	if (!(s->label = malloc(lab)))
		return FORECAST_SERIES_ENOMEM;
	strcpy(s->label, nkeys ? "series \"" : "");
	for (size_t k = 0; k < nkeys; k++) {
		if (k)
			strcat(s->label, "/");
		strcat(s->label, s->key[k]);
	}
	if (nkeys)
		strcat(s->label, "\": ");
	return FORECAST_SERIES_OK;
}

static void free_series(struct forecast_series *s, size_t nkeys)
{
	for (size_t k = 0; s->key && k < nkeys; k++)
		free(s->key[k]);
	free(s->key);
	free(s->label);
	free(s->micros);
	free(s->sums);
	memset(s, 0, sizeof *s);
}

int forecast_table_series(struct forecast_table *t, const struct tsv_field *fields, const int *cols,
			  int digits, struct forecast_series **out)
{
	size_t len;
	uint32_t id;
	if (join_key(t, fields, cols, &len) < 0 || grow_series(t) < 0 ||
	    names_intern(&t->keys, t->key_buf, len, &id) < 0)
		return FORECAST_SERIES_ENOMEM;
	if (id < t->n) {
		*out = &t->series[id];
		return FORECAST_SERIES_OK;
	}
	/* a new key: its id is t->n, as ids are dense in order of first sight */
	struct forecast_series *s = &t->series[t->n];
	memset(s, 0, sizeof *s);
	if (name_series(s, t->key_buf, t->nkeys) < 0) {
		free_series(s, t->nkeys);
		return FORECAST_SERIES_ENOMEM;
	}
	s->digits = digits;
	*out = &t->series[t->n++];
	return FORECAST_SERIES_OK;
}

/* Room for NEED periods in s. */
static int reserve(struct forecast_series *s, size_t need)
{
	if (need <= s->cap)
		return FORECAST_SERIES_OK;
	size_t cap = need * 2 > 16 ? need * 2 : 16;
	int64_t *m = realloc(s->micros, cap * sizeof *m);
	if (m)
		s->micros = m;
	double *d = m ? realloc(s->sums, cap * sizeof *d) : NULL;
	if (!d)
		return FORECAST_SERIES_ENOMEM;
	s->sums = d;
	s->cap = cap;
	return FORECAST_SERIES_OK;
}

int forecast_series_slot(struct forecast_series *s, int64_t p, size_t *at)
{
	if (s->len == 0) {
		s->first = p;
	} else if (p < s->first) {
		int64_t shift = s->first - p;
		if ((int64_t)s->len + shift > FORECAST_MAX_SPAN)
			return FORECAST_SERIES_ESPAN;
		size_t need = s->len + (size_t)shift;
		if (reserve(s, need) < 0)
			return FORECAST_SERIES_ENOMEM;
		memmove(s->micros + shift, s->micros, s->len * sizeof *s->micros);
		memmove(s->sums + shift, s->sums, s->len * sizeof *s->sums);
		for (int64_t i = 0; i < shift; i++)
			s->micros[i] = 0, s->sums[i] = 0;
		s->len = need;
		s->first = p;
	}
	int64_t off = p - s->first;
	if (off >= FORECAST_MAX_SPAN)
		return FORECAST_SERIES_ESPAN;
	if ((size_t)off >= s->len) {
		size_t need = (size_t)off + 1;
		if (reserve(s, need) < 0)
			return FORECAST_SERIES_ENOMEM;
		for (size_t i = s->len; i < need; i++)
			s->micros[i] = 0, s->sums[i] = 0;
		s->len = need;
	}
	*at = (size_t)off;
	return FORECAST_SERIES_OK;
}

/* Room in latest for period indexes lo..hi (lat_first moves down to lo). */
static int latest_cover(struct forecast_table *t, int64_t lo, int64_t hi)
{
	size_t shift = t->lat_len && lo < t->lat_first ? (size_t)(t->lat_first - lo) : 0;
	int64_t first = t->lat_len ? (lo < t->lat_first ? lo : t->lat_first) : lo;
	size_t need = (size_t)(hi - first) + 1;
	if (need < t->lat_len + shift)
		need = t->lat_len + shift;
	if (need > t->lat_len) {
		int64_t *l = realloc(t->latest, need * sizeof *l);
		if (!l)
			return FORECAST_SERIES_ENOMEM;
		t->latest = l;
	}
	memmove(t->latest + shift, t->latest, t->lat_len * sizeof *t->latest);
	for (size_t i = 0; i < shift; i++)
		t->latest[i] = INT64_MIN;
	for (size_t i = t->lat_len + shift; i < need; i++)
		t->latest[i] = INT64_MIN;
	t->lat_len = need;
	t->lat_first = first;
	return FORECAST_SERIES_OK;
}

int forecast_table_note_time(struct forecast_table *t, struct period p, int64_t time)
{
	if (time != period_start(p))
		t->stamped = false;
	if (t->lat_len && (p.index - t->lat_first >= FORECAST_MAX_SPAN ||
			   t->lat_first - p.index >= FORECAST_MAX_SPAN))
		t->lat_off = true; /* too long to tell (the span check says so) */
	if (t->lat_off)
		return FORECAST_SERIES_OK;
	if (latest_cover(t, p.index, p.index) < 0)
		return FORECAST_SERIES_ENOMEM;
	size_t at = (size_t)(p.index - t->lat_first);
	if (time > t->latest[at])
		t->latest[at] = time;
	return FORECAST_SERIES_OK;
}

/* The days from the latest row of period index i to the period's last day. */
static int64_t gap_days(const struct forecast_table *t, enum period_kind kind, int64_t i)
{
	struct period p = {.kind = kind, .index = i};
	return (period_end(p) - 1) / 86400 - t->latest[i - t->lat_first] / 86400;
}

bool forecast_table_last_incomplete(const struct forecast_table *t, enum period_kind kind, int64_t end,
				    char *why, size_t cap)
{
	char day[DATE_BUF];
	if (t->stamped || t->lat_off || t->lat_len == 0 || end != t->lat_first + (int64_t)t->lat_len - 1)
		return false;
	int64_t last_gap = gap_days(t, kind, end), max_gap = -1;
	int earlier = 0;
	for (int64_t i = t->lat_first; i < end; i++)
		if (t->latest[i - t->lat_first] != INT64_MIN) {
			struct period p = {.kind = kind, .index = i};
			int64_t g = gap_days(t, kind, i);
			if (4 * g * 86400 > period_end(p) - period_start(p))
				return false; /* rows too sparse to tell */
			if (g > max_gap)
				max_gap = g;
			earlier++;
		}
	date_format_day(day, t->latest[end - t->lat_first]);
	snprintf(why, cap, "its rows end %s, %lld day%s before its end; earlier ones end "
		 "at most %lld day%s before theirs", day, (long long)last_gap,
		 last_gap == 1 ? "" : "s", (long long)max_gap, max_gap == 1 ? "" : "s");
	return earlier >= 2 && last_gap > max_gap;
}

void forecast_table_free(struct forecast_table *t)
{
	for (size_t g = 0; g < t->n; g++)
		free_series(&t->series[g], t->nkeys);
	free(t->series);
	names_free(&t->keys);
	free(t->key_buf);
	free(t->latest);
	memset(t, 0, sizeof *t);
}

bool forecast_parse_number(const char *s, size_t len, double *v, int *decimals)
{
	size_t i = 0, digits = 0, frac = 0;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++, frac++;
	}
	if (digits + frac == 0)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t e = ++i;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++, e++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == e)
			return false;
	}
	if (i != len)
		return false;
	errno = 0;
	*v = strtod(s, NULL);
	if (errno == ERANGE || !isfinite(*v))
		return false;
	*decimals = (int)frac;
	return true;
}
