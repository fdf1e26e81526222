/* ingest_detect.c - a file's mapping and its day/month order (see
 * ingest_detect.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "ingest_date.h"
#include "ingest_detect.h"
#include "ingest_formats.h"

struct imap *ingest_detect_forced(const struct ingest_run *rn)
{
	if (rn->user_map)
		return rn->user_map;
	return rn->o->format ? ingest_run_builtin(rn, rn->o->format) : NULL;
}

struct imap *ingest_detect_match(const struct ingest_run *rn, const struct csvin *c)
{
	struct imap *m = ingest_detect_forced(rn);
	size_t total, hit;
	if (m) {
		hit = imap_score(m, c->fields, c->nfields, &total);
		return hit == total ? m : NULL;
	}
	struct imap *best = NULL;
	size_t best_total = 0;
	for (size_t i = 0; i < ingest_nformats; i++) {
		hit = imap_score(&rn->builtins[i], c->fields, c->nfields, &total);
		if (total > 0 && hit == total && total > best_total) {
			best = &rn->builtins[i];
			best_total = total;
		}
	}
	return best;
}

size_t ingest_detect_missing(const struct imap *m, const struct csvin_field *f, size_t nf, char *buf, size_t size)
{
	size_t len = 0, n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < m->ndetect; i++) {
		struct imap_ref *r = m->detect[i];
		size_t total;
		struct imap one = {0};
		one.detect = &r;
		one.ndetect = 1;
		if (imap_score(&one, f, nf, &total) == 1)
			continue;
		n++;
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s\"%s\"", len ? ", " : "", r->names[0]);
	}
	return n;
}

/* The built-in formats with some detect column in header F, into order[]
 * (at most 64), nearest first: most detect columns present, as a share;
 * hits[] and totals[] by format.  Returns how many. */
static size_t nearest(const struct ingest_run *rn, const struct csvin_field *f, size_t nf, size_t order[64],
		      size_t hits[64], size_t totals[64])
{
	size_t n = 0;
	for (size_t i = 0; i < ingest_nformats && i < 64; i++) {
		hits[i] = imap_score(&rn->builtins[i], f, nf, &totals[i]);
		if (hits[i] > 0)
			order[n++] = i;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0; j--) {
			size_t a = order[j - 1], b = order[j];
			if (hits[b] * totals[a] > hits[a] * totals[b]) {
				order[j - 1] = b;
				order[j] = a;
			}
		}
	return n;
}

int ingest_detect_unknown(struct ingest_run *rn, const char *file, const struct csvin_field *f, size_t nf)
{
	char miss[300];
	struct imap *m = ingest_detect_forced(rn);
	if (m) {
		size_t nmiss = ingest_detect_missing(m, f, nf, miss, sizeof miss);
		return ingest_run_fail(rn, EXIT_USAGE, NULL, 0, "%s: the header is not %s: missing column%s %s", file,
				       m->name, nmiss > 1 ? "s" : "", miss);
	}
	size_t order[64], hits[64], totals[64];
	size_t n = nearest(rn, f, nf, order, hits, totals);
	if (n == 0)
		return ingest_run_fail(rn, EXIT_USAGE, NULL, 0,
				       "%s: unknown export format (no built-in format is near); write a mapping and use --map",
				       file);
	char near[400] = "";
	size_t len = 0;
	for (size_t k = 0; k < n && k < 3; k++) {
		size_t i = order[k];
		len += (size_t)snprintf(near + len, sizeof near - len, "%s%s (%zu of %zu columns)", k ? ", " : "",
					ingest_formats[i].name, hits[i], totals[i]);
	}
	size_t nmiss = ingest_detect_missing(&rn->builtins[order[0]], f, nf, miss, sizeof miss);
	return ingest_run_fail(rn, EXIT_USAGE, NULL, 0,
			       "%s: unknown export format; nearest: %s; %s: missing column%s %s; write a mapping "
			       "and use --map",
			       file, near, ingest_formats[order[0]].name, nmiss > 1 ? "s" : "", miss);
}

/* What the dates of a file say of their order. */
struct date_scan {
	long first[3]; /* the first line of a date that is month first, day first (by enum ingest_date_order) */
	char zone[8];  /* the first record's time zone, past the header */
	size_t zlen;
};

/* Read every record of PATH (opened as main was) into s.  Returns 0, or
 * EXIT_USAGE with rn->err when it cannot be opened. */
static int scan_dates(struct ingest_run *rn, const struct imap *m, const struct csvin *main, const char *path,
		      struct date_scan *s)
{
	int col = imap_date_order_column(m), zcol = imap_date_order_zone_column(m);
	struct csvin c;
	if (csvin_open(&c, path, main->sep, main->enc) < 0) {
		int e = errno;
		csvin_close(&c);
		return ingest_run_fail(rn, EXIT_USAGE, NULL, 0, "%s: %s", main->file, strerror(e));
	}
	while (csvin_next(&c) > 0) {
		if ((size_t)col >= c.nfields)
			continue;
		enum ingest_date_order v = ingest_date_order_of(c.fields[col].s, c.fields[col].len);
		if (v != INGEST_EITHER && s->first[v] == 0)
			s->first[v] = c.line;
		if (s->zlen == 0 && zcol >= 0 && (size_t)zcol < c.nfields && c.fields[zcol].len < sizeof s->zone &&
		    c.line > main->line) {
			s->zlen = c.fields[zcol].len;
			memcpy(s->zone, c.fields[zcol].s, s->zlen);
		}
	}
	csvin_close(&c); /* a bad record is reported by the main read */
	return 0;
}

int ingest_detect_date_order(struct ingest_run *rn, struct imap *m, const struct csvin *main, const char *path)
{
	if (imap_date_order_column(m) < 0)
		return 0;
	if (rn->o->date_order != INGEST_EITHER) {
		imap_set_date_order(m, rn->o->date_order);
		return 0;
	}
	if (strcmp(main->file, "<stdin>") == 0)
		return ingest_run_fail(rn, EXIT_DATA, NULL, 0,
				       "%s: the %s format's day/month order is decided from all of a file's dates, and standard input is read once: give --date-order mdy or dmy, or name the file",
				       main->file, m->name);
	struct date_scan s = {{0, 0, 0}, "", 0};
	int st = scan_dates(rn, m, main, path, &s);
	if (st)
		return st;
	if (s.first[INGEST_MDY] && s.first[INGEST_DMY])
		return ingest_run_fail(rn, EXIT_DATA, NULL, 0,
				       "%s: dates are month first on line %ld and day first on line %ld: give --date-order mdy or dmy",
				       main->file, s.first[INGEST_MDY], s.first[INGEST_DMY]);
	if (s.first[INGEST_MDY] || s.first[INGEST_DMY]) {
		imap_set_date_order(m, s.first[INGEST_MDY] ? INGEST_MDY : INGEST_DMY);
		return 0;
	}
	if (s.zlen == 0 || strcasecmp(s.zone, "UTC") == 0)
		return ingest_run_fail(rn, EXIT_DATA, NULL, 0,
				       "%s: every date could be month/day or day/month and %s: give --date-order mdy or dmy",
				       main->file, s.zlen ? "the time zone UTC does not tell which" : "no time zone tells which");
	bool dmy = !ingest_tz_is_american(s.zone, s.zlen);
	imap_set_date_order(m, dmy ? INGEST_DMY : INGEST_MDY);
	ingest_run_warn(rn, NULL, 0,
			"%s: every date could be month/day or day/month: read %s by the file's time zone %.*s (give --date-order %s if not)",
			main->file, dmy ? "day first" : "month first", (int)s.zlen, s.zone, dmy ? "mdy" : "dmy");
	return 0;
}
