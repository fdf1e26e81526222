/* test_attribute_map.c - unit tests of contributions read from CSV exports
 * through a mapping (lib/attribute/attribute_map.c).
 *
 * Plan: a forum export read through a mapping (a preamble line before the
 * header, a skip rule, an amount expression, a literal kind, a ref and an
 * optional target), each contribution checked field by field; then the
 * errors: a sales directive, a field given twice, a field missing, a
 * negative amount (with its line), an empty contributor, a header without
 * the detect columns, an empty file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attribute_map.h"
#include "tap.h"

#define MAX_SEEN 8

struct seen {
	char who[MAX_SEEN][32], kind[MAX_SEEN][32], project[MAX_SEEN][32], ref[MAX_SEEN][32], target[MAX_SEEN][32];
	int64_t amount[MAX_SEEN], date[MAX_SEEN];
	size_t n;
};

static int collect(void *ctx, const struct attr_row *row, char *err)
{
	(void)err;
	struct seen *s = ctx;
	if (s->n == MAX_SEEN)
		return ATTR_ENOMEM;
	snprintf(s->who[s->n], 32, "%.*s", (int)row->contributor_len, row->contributor);
	snprintf(s->kind[s->n], 32, "%.*s", (int)row->kind_len, row->kind);
	snprintf(s->project[s->n], 32, "%.*s", (int)row->project_len, row->project);
	snprintf(s->ref[s->n], 32, "%.*s", (int)row->ref_len, row->ref);
	snprintf(s->target[s->n], 32, "%.*s", (int)row->target_len, row->target);
	s->amount[s->n] = row->amount;
	s->date[s->n++] = row->date;
	return ATTR_OK;
}

/* Read csv (text) through mapping; returns the status, *line and err. */
static int read_through(const char *mapping, const char *csv, struct seen *s, long *line, char *err)
{
	char path[] = "/tmp/test_attribute_map.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, csv, strlen(csv)) != (ssize_t)strlen(csv))
		return -100;
	close(fd);
	struct imap m;
	struct csvin c;
	memset(s, 0, sizeof *s);
	*line = -1;
	int st = attr_map_parse(&m, mapping, err);
	if (st == ATTR_OK) {
		if (csvin_open(&c, path, m.sep, m.enc >= 0 ? (enum csvin_encoding)m.enc : CSVIN_AUTO) < 0)
			st = -101;
		else
			st = attr_map_read(&m, &c, collect, s, line, err);
		csvin_close(&c);
	}
	imap_free(&m);
	unlink(path);
	return st;
}

static const char forum_map[] =
	"# a forum's posts\n"
	"detect {id} {username} {created_at}\n"
	"skip if {deleted_at} != \"\"\n"
	"date {created_at}\n"
	"contributor {username}\n"
	"kind question\n"
	"project Lanterns\n"
	"amount {like_count} * 0.5 + 1\n"
	"ref forum:{id}\n"
	"target {reply_to_user}?\n";

static void test_forum(void)
{
	struct seen s;
	long line;
	char err[ATTR_ERR] = "";
	int st = read_through(forum_map,
			      "Posts exported 2026-10-31\n"
			      "id,username,created_at,reply_to_user,like_count,deleted_at\n"
			      "101,dee,2026-10-05T09:12:44Z,ana,3,\n"
			      "102,ben,2026-10-06,,0,\n"
			      "103,dee,2026-10-07,,1,2026-10-08\n",
			      &s, &line, err);
	tap_is_int(st, ATTR_OK, "forum: read (%s)", err);
	tap_is_int((long)s.n, 2, "forum: two posts, the deleted one skipped");
	tap_is_str(s.who[0], "dee", "forum: contributor");
	tap_is_str(s.kind[0], "question", "forum: a literal kind");
	tap_is_str(s.project[0], "Lanterns", "forum: a literal project");
	tap_is_int(s.amount[0], 2500000, "forum: amount 3 x 0.5 + 1");
	tap_is_str(s.ref[0], "forum:101", "forum: ref from a template");
	tap_is_str(s.target[0], "ana", "forum: target");
	tap_is_int(s.date[0], 1791191564, "forum: the date and time, UTC");
	tap_is_str(s.target[1], "", "forum: no target");
	tap_is_int(s.amount[1], 1000000, "forum: 0 likes is 1 point");
	st = read_through("date {d}\ncontributor {who}\nkind {k}\nproject p\n", "d,who,k\n2026-10-01,ana,code\n", &s,
			  &line, err);
	tap_is_int(st, ATTR_OK, "no amount: read (%s)", err);
	tap_is_int(s.amount[0], 1000000, "no amount: 1");
	tap_is_str(s.kind[0], "code", "kind from a column");
}

static void test_errors(void)
{
	struct seen s;
	long line;
	char err[ATTR_ERR];
	int st = read_through("date {d}\ncontributor {w}\nkind k\nproject p\ngross {g}\n", "d,w\n", &s, &line, err);
	tap_is_int(st, ATTR_EDATA, "a sales directive is refused");
	tap_ok(strncmp(err, "5: \"gross\" is not a directive of a contributions mapping", 56) == 0, "... on its line: %s",
	       err);
	st = read_through("date {d}\ncontributor {w}\nkind k\ncontributor {x}\nproject p\n", "d,w\n", &s, &line, err);
	tap_is_str(err, "4: contributor is given twice (first on line 2)", "a field twice");
	st = read_through("date {d}\ncontributor {w}\nproject p\n", "d,w\n", &s, &line, err);
	tap_is_str(err, "3: the mapping says nothing about the kind (kind TEMPLATE)", "kind missing");
	st = read_through("date {d}\ncontributor {w}\nkind k\nproject p\namount {a} - 2\n",
			  "d,w,a\n2026-10-01,ana,5\n2026-10-02,ben,1\n", &s, &line, err);
	tap_is_int(st, ATTR_EDATA, "a negative amount");
	tap_is_int(line, 3, "... its line");
	tap_is_str(err, "amount {a} - 2: \"-1\" is negative", "... the expression named");
	tap_is_int((long)s.n, 1, "... the rows before it were read");
	st = read_through("date {d}\ncontributor {w}\nkind k\nproject p\n", "d,w\n2026-10-01,\n", &s, &line, err);
	tap_is_str(err, "contributor: the mapping makes it empty", "an empty contributor");
	tap_is_int(line, 2, "... its line");
	st = read_through("detect {when}\ndate {when}\ncontributor {w}\nkind k\nproject p\n", "d,w\n2026-10-01,a\n",
			  &s, &line, err);
	tap_is_str(err, "no header holds the mapping's detect columns", "no header with the detect columns");
	tap_is_int(line, 0, "... about the file");
	st = read_through("date {d}\ncontributor {w}\nkind k\nproject p\n", "", &s, &line, err);
	tap_is_str(err, "empty file: no header", "an empty file");
}

int main(void)
{
	test_forum();
	test_errors();
	return tap_done();
}
