/* split_state_run.c - the split state 3: a manifest naming sorted key
 * segments, one added by each run; a run's keys asked for, joined with
 * every segment in one pass, answered row by row; the commit and the
 * text dump (see split_state.h and tally-split(1), STATE). */
#include "split_state.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "hash.h"
#include "split_state_int.h"

#define SEG_PATH_MAX 4096
/* Bytes of records each sort keeps in memory (twice that while it sorts).
 * The run's keys (pass 1) and its records (pass 2) are the large ones:
 * the answers are only the keys the history has.  At most: the records'
 * 2 x 64 MB beside the answers' 32 MB, under the 256 MB of issue 15. */
#define SORT_BUDGET_LARGE (64u << 20)
#define SORT_BUDGET_ANSWERS (32u << 20)

/* An answer: a key the row asked for and the history's record of it. */
struct answer {
	uint64_t row;   /* first: the sort's key */
	uint64_t key;
	int64_t basis;
	int32_t day;
	uint32_t cls;
	uint32_t flags; /* ANSWER_FOUND | ANSWER_SHARED */
	uint32_t pad;   /* zero: every byte of a record is written */
};
#define ANSWER_FOUND 1u
#define ANSWER_SHARED 2u

/* A record of this run for the new segment. */
struct news_rec {
	uint64_t key;              /* first: the sort's key */
	struct split_keys_rec rec;
};

static int seg_base(char *buf, const char *path, uint64_t seq)
{
	int n = snprintf(buf, SEG_PATH_MAX, "%s.keys/%06" PRIu64, path, seq);
	if (n < 0 || n >= SEG_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int open_segments(struct split_state *s, char *err, size_t errcap)
{
	for (size_t i = 0; i < s->nsegs; i++) {
		struct split_state_segment *g = &s->segs[i];
		char base[SEG_PATH_MAX];
		if (seg_base(base, s->path, g->seq) < 0)
			return -1;
		int st = split_keys_open(&g->cur, base, g->rows);
		if (st == -1 && errno == ENOENT) {
			snprintf(err, errcap, "segment %s.k or .r, which the manifest names, is missing: "
				 "the state was damaged; restore it from a backup", base);
			return -2;
		}
		if (st == -1)
			return -1;
		if (st == -2) {
			snprintf(err, errcap, "segment %s is not the %" PRIu64 " records the manifest names: "
				 "it was cut short or replaced; restore the state from a backup", base, g->rows);
			return -2;
		}
	}
	return 0;
}

int split_state_open(struct split_state *s, const char *path, long *err_line, char *err,
		     size_t errcap)
{
	int st = split_state_read(s, path, err_line, err, errcap);
	if (st != 0)
		return st;
	s->path = strdup(path);
	if (!s->path) {
		split_state_free(s);
		return -1;
	}
	if (s->version == 1 || s->version == 2)
		s->migrated = s->version;
	if (!s->next_seq)
		s->next_seq = 1;
	st = open_segments(s, err, errcap);
	if (st != 0) {
		int e = errno;
		split_state_free(s);
		errno = e;
	}
	return st;
}

bool split_state_failed(const struct split_state *s)
{
	return s->failed[0] != '\0';
}

/* A sort of records of rec bytes, spilled to s->tmpdir. */
static struct recsort *new_sort(const struct split_state *s, size_t rec, size_t budget)
{
	struct recsort *x = malloc(sizeof *x);
	if (x)
		recsort_init(x, rec, budget, s->tmpdir);
	return x;
}

static void free_sort(struct recsort **x)
{
	if (*x) {
		recsort_free(*x);
		free(*x);
		*x = NULL;
	}
}

int split_state_want(struct split_state *s, const char *tmpdir, uint64_t row, uint64_t key)
{
	s->tmpdir = tmpdir;
	if (!s->asked && !(s->asked = new_sort(s, 2 * sizeof(uint64_t), SORT_BUDGET_LARGE)))
		return -1;
	uint64_t pair[2] = {key, row};
	return recsort_add(s->asked, pair);
}

/* ---- the join ----------------------------------------------------------- */

/* Read every segment to its end and compare its digest with the
 * manifest's.  Returns 0, -1 with errno, -2 with err[]. */
static int verify(struct split_state *s, char *err, size_t errcap)
{
	for (size_t i = 0; i < s->nsegs; i++) {
		struct split_state_segment *g = &s->segs[i];
		int st;
		while (!g->cur.at_end && (st = split_keys_next(&g->cur)) != 0)
			if (st < 0)
				return -1;
		if (split_keys_digest(&g->cur) != g->digest) {
			snprintf(err, errcap, "segment %06" PRIu64 " is not the one the manifest names (its digest "
				 "%016" PRIx64 ", not %016" PRIx64 "): it was replaced, rolled back or damaged; "
				 "restore the state from a backup", g->seq, split_keys_digest(&g->cur), g->digest);
			return -2;
		}
	}
	s->verified = true;
	return 0;
}

/* The newest segments' record of key (segments advanced to it, in
 * order): true with *rec; false when none has it or it was removed. */
static int history_of(struct split_state *s, uint64_t key, struct split_keys_rec *rec, bool *found)
{
	*found = false;
	for (size_t i = 0; i < s->nsegs; i++) {
		struct split_keys_cursor *c = &s->segs[i].cur;
		if (c->done == 0 && !c->at_end && split_keys_next(c) < 0)
			return -1;
		while (!c->at_end && c->key < key)
			if (split_keys_next(c) < 0)
				return -1;
		if (!c->at_end && c->key == key) {
			*found = c->rec.cls != SPLIT_STATE_GONE;
			*rec = c->rec; /* later segments override */
		}
	}
	return 0;
}

static int emit_answer(struct split_state *s, uint64_t row, uint64_t key, const struct split_keys_rec *rec,
		       bool found, bool shared)
{
	struct answer a = {row, key, rec->basis, rec->day, rec->cls,
			   (found ? ANSWER_FOUND : 0u) | (shared ? ANSWER_SHARED : 0u), 0};
	return recsort_add(s->answers, &a);
}

/* The rows of one key asked for: answered, shared when more than one. */
struct group {
	uint64_t key, first;
	size_t n;
	struct split_keys_rec rec;
	bool found;
};

/* A key one row asks for and the history lacks needs no answer: the row
 * says it asked (split_state_asked). */
static int group_end(struct split_state *s, struct group *g)
{
	if (g->n == 1 && g->found)
		return emit_answer(s, g->first, g->key, &g->rec, g->found, false);
	return 0;
}

static int group_add(struct split_state *s, struct group *g, uint64_t key, uint64_t row)
{
	if (g->n > 0 && key == g->key) {
		if (g->n++ == 1 && emit_answer(s, g->first, g->key, &g->rec, g->found, true) < 0)
			return -1;
		return emit_answer(s, row, key, &g->rec, g->found, true);
	}
	if (g->n > 0 && group_end(s, g) < 0)
		return -1;
	g->key = key;
	g->first = row;
	g->n = 1;
	g->rec = (struct split_keys_rec){0, 0, 0};
	return history_of(s, key, &g->rec, &g->found);
}

int split_state_prepare(struct split_state *s, const char *tmpdir, char *err, size_t errcap)
{
	s->tmpdir = tmpdir;
	if (!(s->answers = new_sort(s, sizeof(struct answer), SORT_BUDGET_ANSWERS)))
		return -1;
	struct group g = {0};
	if (s->asked) {
		if (recsort_finish(s->asked) < 0)
			return -1;
		const void *p;
		int st;
		while ((st = recsort_next(s->asked, &p)) > 0) {
			uint64_t pair[2];
			memcpy(pair, p, sizeof pair);
			if (group_add(s, &g, pair[0], pair[1]) < 0)
				return -1;
		}
		if (st < 0 || (g.n > 0 && group_end(s, &g) < 0))
			return -1;
		free_sort(&s->asked);
	}
	int st = verify(s, err, errcap);
	if (st != 0)
		return st;
	if (recsort_finish(s->answers) < 0)
		return -1;
	s->prepared = true;
	return 0;
}

/* ---- row by row ---------------------------------------------------------- */

static int add_news(struct split_state *s, uint64_t key, int64_t basis, int32_t day, uint32_t cls)
{
	if (!s->news && !(s->news = new_sort(s, sizeof(struct news_rec), SORT_BUDGET_LARGE)))
		return -1;
	struct news_rec n = {key, {basis, day, cls & ~SPLIT_STATE_THIS_RUN}};
	return recsort_add(s->news, &n);
}

/* The current row's records put or removed go to the new segment. */
static int flush_local(struct split_state *s)
{
	for (size_t i = 0; i < s->nlocal; i++) {
		const struct split_state_local *l = &s->local[i];
		if (l->dirty && add_news(s, l->rec.hash, l->rec.basis, l->rec.day, l->rec.cls) < 0)
			return -1;
	}
	s->nlocal = 0;
	return 0;
}

static bool local_find_key(const struct split_state *s, uint64_t key)
{
	for (size_t i = 0; i < s->nlocal; i++)
		if (s->local[i].rec.hash == key)
			return true;
	return false;
}

/* The next answer read ahead into s->next; false at the end. */
static int read_answer(struct split_state *s)
{
	const void *p;
	int st = recsort_next(s->answers, &p);
	s->have_next = st > 0;
	if (st <= 0)
		return st;
	struct answer a;
	memcpy(&a, p, sizeof a);
	s->next_row = a.row;
	s->next = (struct split_state_local){{a.key, a.basis, a.day, a.cls}, (a.flags & ANSWER_FOUND) != 0,
					     (a.flags & ANSWER_SHARED) != 0, false};
	return 1;
}

/* Take the answer read ahead for the current row: a shared one (or one
 * beyond the row's room) into hits, where every row sees it. */
static int take_answer(struct split_state *s)
{
	struct split_state_local l = s->next;
	bool known = split_state_table_find(&s->puts, l.rec.hash) || split_state_table_find(&s->hits, l.rec.hash);
	if (l.shared || known || s->nlocal == SPLIT_STATE_LOCAL_MAX) {
		if (l.found && !known) {
			struct split_state_seen *e = split_state_table_insert(&s->hits, l.rec.hash);
			if (!e)
				return -1;
			*e = l.rec;
		}
		l.shared = true;
		l.found = false; /* found through hits (or puts) */
		if (s->nlocal == SPLIT_STATE_LOCAL_MAX)
			return 0;
	}
	s->local[s->nlocal++] = l;
	return 0;
}

int split_state_asked(struct split_state *s, uint64_t key)
{
	if (!s->prepared || local_find_key(s, key) || s->nlocal == SPLIT_STATE_LOCAL_MAX)
		return 0;
	s->local[s->nlocal++] = (struct split_state_local){{key, 0, 0, 0}, false, false, false};
	return 0;
}

int split_state_at_row(struct split_state *s, uint64_t row)
{
	if (flush_local(s) < 0)
		return -1;
	bool first = s->row == 0;
	s->row = row;
	if (!s->prepared)
		return 0;
	if (first && read_answer(s) < 0)
		return -1;
	while (s->have_next && s->next_row <= row) {
		if (s->next_row == row && take_answer(s) < 0)
			return -1;
		if (read_answer(s) < 0)
			return -1;
	}
	return 0;
}

/* ---- the commit ---------------------------------------------------------- */

/* This run's records, in key order, the last of a key winning: 1 with *n,
 * 0 at the end, -1. */
struct news_reader {
	struct recsort *x;
	struct news_rec ahead;
	bool have;
};

static int news_next(struct news_reader *r, struct news_rec *n)
{
	const void *p;
	int st;
	if (!r->x)
		return 0;
	if (!r->have) {
		if ((st = recsort_next(r->x, &p)) <= 0)
			return st;
		memcpy(&r->ahead, p, sizeof r->ahead);
	}
	*n = r->ahead;
	r->have = false;
	while ((st = recsort_next(r->x, &p)) > 0) {
		memcpy(&r->ahead, p, sizeof r->ahead);
		if (r->ahead.key != n->key) {
			r->have = true;
			return 1;
		}
		*n = r->ahead;
	}
	return st < 0 ? -1 : 1;
}

/* Every record of this run (and, migrating, of the text state read) into
 * the segment w, by key.  Removals are kept only over older segments. */
static int write_records(struct split_state *s, struct split_keys_writer *w)
{
	struct news_reader r = {s->news, {0, {0, 0, 0}}, false};
	struct news_rec n;
	size_t i = 0;
	int st = news_next(&r, &n);
	bool keep_gone = s->nsegs > 0;
	while (st > 0 || i < s->nhist) {
		if (i < s->nhist && s->hist[i].cls == SPLIT_STATE_GONE) {
			i++;
			continue;
		}
		bool from_hist = st <= 0 || (i < s->nhist && s->hist[i].hash <= n.key);
		struct news_rec h;
		if (from_hist) {
			const struct split_state_seen *e = &s->hist[i++];
			h = (struct news_rec){e->hash, {e->basis, e->day, e->cls & ~SPLIT_STATE_THIS_RUN}};
			if (st > 0 && n.key == h.key)
				continue; /* this run's record wins (it cannot be: puts update hist) */
		} else {
			h = n;
			st = news_next(&r, &n);
			if (st < 0)
				return -1;
		}
		if (h.rec.cls == SPLIT_STATE_GONE && !keep_gone)
			continue;
		if (split_keys_add(w, h.key, &h.rec) < 0)
			return -1;
	}
	return st < 0 ? -1 : 0;
}

/* This run's records gathered for the new segment. */
static int gather(struct split_state *s)
{
	if (flush_local(s) < 0)
		return -1;
	for (size_t i = 0; i < s->puts.nslots; i++) {
		const struct split_state_seen *e = &s->puts.slots[i];
		if (e->hash && add_news(s, e->hash, e->basis, e->day, e->cls) < 0)
			return -1;
	}
	return s->news ? recsort_finish(s->news) : 0;
}

/* The new segment, when the run has records: written, then named in
 * s->segs.  Returns 0 or -1 with errno. */
static int write_segment(struct split_state *s)
{
	if (!s->news && s->nhist == s->ngone)
		return 0;
	char dir[SEG_PATH_MAX], base[SEG_PATH_MAX];
	int n = snprintf(dir, sizeof dir, "%s.keys", s->path);
	if (n < 0 || (size_t)n >= sizeof dir || seg_base(base, s->path, s->next_seq) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return -1;
	struct split_keys_writer w;
	if (split_keys_create(&w, base) < 0)
		return -1;
	uint64_t rows, digest;
	if (write_records(s, &w) < 0) {
		int e = errno;
		split_keys_abort(&w);
		errno = e;
		return -1;
	}
	if (split_keys_finish(&w, &rows, &digest) < 0)
		return -1;
	if (rows == 0)
		return 0; /* only removals of nothing older: no segment (its files are harmless) */
	void *p = realloc(s->segs, (s->nsegs + 1) * sizeof *s->segs);
	if (!p)
		return -1;
	s->segs = p;
	s->segs[s->nsegs] = (struct split_state_segment){.seq = s->next_seq, .rows = rows, .digest = digest};
	s->segs[s->nsegs].cur.k.fd = s->segs[s->nsegs].cur.r.fd = -1;
	s->nsegs++;
	s->next_seq++;
	return 0;
}

/* The file a held run's manifest waits in: STATE.held. */
static int held_path(char *buf, const char *path)
{
	int n = snprintf(buf, SEG_PATH_MAX, "%s.held", path);
	if (n < 0 || n >= SEG_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* The new manifest, to STATE (a held one voided: it was made from the
 * state before this run) or, with s->hold, to STATE.held. */
static int write_manifest(struct split_state *s, const struct split_rules *r)
{
	struct out o;
	char held[SEG_PATH_MAX];
	if (held_path(held, s->path) < 0)
		return -1;
	if (!s->hold && unlink(held) < 0 && errno != ENOENT)
		return -1;
	if (out_open_file(&o, s->hold ? held : s->path) < 0)
		return -1;
	struct writer w = {&o, HASH_FNV_OFFSET, 0};
	split_state_emit(&w, "%s\n", SPLIT_STATE_MAGIC_V3);
	split_state_write_caps(&w, s, r);
	split_state_write_classes(&w, s);
	for (size_t i = 0; i < s->nsegs; i++)
		split_state_emit(&w, "segment\t%" PRIu64 "\t%" PRIu64 "\t%016" PRIx64 "\n", s->segs[i].seq,
				 s->segs[i].rows, s->segs[i].digest);
	out_printf(&o, "end\t%" PRIu64 "\t%016" PRIx64 "\n", w.records, w.chain);
	return out_close(&o);
}

int split_state_commit(struct split_state *s, const struct split_rules *r, char *err, size_t errcap)
{
	if (!s->verified) {
		int st = verify(s, err, errcap);
		if (st == -2)
			return -1;
		if (st < 0) {
			snprintf(err, errcap, "%s", strerror(errno));
			return -1;
		}
	}
	if (gather(s) < 0 || write_segment(s) < 0) {
		snprintf(err, errcap, "the new segment: %s", strerror(errno));
		return -1;
	}
	if (write_manifest(s, r) < 0) {
		snprintf(err, errcap, "write error: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Rename from to to in their folder and make the rename durable. */
static int rename_durably(const char *from, const char *to)
{
	char dir[SEG_PATH_MAX];
	snprintf(dir, sizeof dir, "%s", to);
	if (rename(from, to) < 0)
		return -1;
	int fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd); /* best effort: the rename is done */
		close(fd);
	}
	return 0;
}

/* The files a held run keeps of the -o file it replaced, beside STATE:
 * STATE.held.output (the -o file's absolute path, then "kept" when the
 * file it replaced waits in STATE.held.before, "new" when there was none)
 * and STATE.held.before. */
static int held_file(char *buf, const char *path, const char *suffix)
{
	int n = snprintf(buf, SEG_PATH_MAX, "%s.held%s", path, suffix);
	if (n < 0 || n >= SEG_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Copy the file from to to, whole or not at all (out_open_file's rename). */
static int copy_file(const char *from, const char *to)
{
	int fd = open(from, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct out o;
	if (out_open_file(&o, to) < 0) {
		close(fd);
		return -1;
	}
	char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			out_write(&o, buf, (size_t)n);
	int e = errno;
	close(fd);
	if (n < 0) {
		out_abort(&o);
		errno = e;
		return -1;
	}
	return out_close(&o);
}

int split_state_hold_output(const char *path, const char *output)
{
	char rec[SEG_PATH_MAX], before[SEG_PATH_MAX], where[SEG_PATH_MAX];
	if (held_file(rec, path, ".output") < 0 || held_file(before, path, ".before") < 0)
		return -1;
	if (strchr(output, '\n')) {
		errno = EINVAL;
		return -1;
	}
	if (output[0] != '/') {
		char cwd[SEG_PATH_MAX];
		if (!getcwd(cwd, sizeof cwd))
			return -1;
		int n = snprintf(where, sizeof where, "%s/%s", cwd, output);
		if (n < 0 || n >= (int)sizeof where) {
			errno = ENAMETOOLONG;
			return -1;
		}
	} else {
		snprintf(where, sizeof where, "%s", output);
	}
	if (unlink(before) < 0 && errno != ENOENT)
		return -1;
	bool kept = link(output, before) == 0;
	if (!kept && errno != ENOENT) {
		if (copy_file(output, before) < 0)
			return -1;
		kept = true;
	}
	struct out o;
	if (out_open_file(&o, rec) < 0)
		return -1;
	out_printf(&o, "%s\n%s\n", where, kept ? "kept" : "new");
	return out_close(&o);
}

/* Put back the -o file a held run replaced (split_state_hold_output), if
 * it kept one: that run never became the state, so neither do its
 * allocations.  0, or -1 with errno. */
static int restore_output(const char *path)
{
	char rec[SEG_PATH_MAX], before[SEG_PATH_MAX], text[SEG_PATH_MAX + 16];
	if (held_file(rec, path, ".output") < 0 || held_file(before, path, ".before") < 0)
		return -1;
	FILE *f = fopen(rec, "re");
	if (!f)
		return errno == ENOENT ? 0 : -1;
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	char *nl = strchr(text, '\n');
	if (nl) {
		*nl = '\0';
		if (strncmp(nl + 1, "kept\n", 5) == 0) {
			if (rename_durably(before, text) < 0 && errno != ENOENT)
				return -1;
		} else if (strncmp(nl + 1, "new\n", 4) == 0 && unlink(text) < 0 && errno != ENOENT) {
			return -1;
		}
	}
	return unlink(rec) < 0 && errno != ENOENT ? -1 : 0;
}

/* Forget what a held run kept of its -o file: the run is the state now. */
static int forget_output(const char *path)
{
	char rec[SEG_PATH_MAX], before[SEG_PATH_MAX];
	if (held_file(rec, path, ".output") < 0 || held_file(before, path, ".before") < 0)
		return -1;
	if (unlink(rec) < 0 && errno != ENOENT)
		return -1;
	return unlink(before) < 0 && errno != ENOENT ? -1 : 0;
}

int split_state_drop_held(const char *path)
{
	char held[SEG_PATH_MAX];
	if (held_path(held, path) < 0 || restore_output(path) < 0)
		return -1;
	return unlink(held) < 0 && errno != ENOENT ? -1 : 0;
}

int split_state_commit_held(const char *path, char *err, size_t errcap)
{
	char held[SEG_PATH_MAX];
	if (held_path(held, path) < 0)
		return -1;
	if (access(held, F_OK) < 0)
		return errno == ENOENT ? 0 : -1; /* nothing held: the run split nothing new, or was voided */
	struct split_state t = {0};
	long line = 0;
	char why[400];
	int st = split_state_read(&t, held, &line, why, sizeof why);
	if (st == 0 && t.version != 3) {
		snprintf(why, sizeof why, "not a held run's manifest");
		st = -2;
	}
	if (st == 0 && !(t.path = strdup(path)))
		st = -1;
	if (st == 0)
		st = open_segments(&t, why, sizeof why);
	int e = errno;
	split_state_free(&t);
	if (st == -2 && line)
		snprintf(err, errcap, "%s:%ld: %s", held, line, why);
	else if (st == -2)
		snprintf(err, errcap, "%s: %s", held, why);
	if (st != 0) {
		errno = e;
		return st;
	}
	/* the record first: a crash before the rename leaves the held run's
	 * allocations in place, to be split again whole by the next run */
	if (forget_output(path) < 0)
		return -1;
	return rename_durably(held, path);
}

/* ---- the dump ------------------------------------------------------------- */

/* The segments merged, in key order, newest record of a key winning,
 * removed ones left out, as seen lines. */
static int dump_segments(struct split_state *s, struct writer *w)
{
	char day[DATE_BUF];
	int32_t last_day = INT32_MIN;
	for (size_t i = 0; i < s->nsegs; i++)
		if (split_keys_next(&s->segs[i].cur) < 0)
			return -1;
	for (;;) {
		bool any = false;
		uint64_t min = 0;
		for (size_t i = 0; i < s->nsegs; i++) {
			const struct split_keys_cursor *c = &s->segs[i].cur;
			if (!c->at_end && (!any || c->key < min)) {
				min = c->key;
				any = true;
			}
		}
		if (!any)
			return 0;
		struct split_keys_rec rec = {0, 0, 0};
		for (size_t i = 0; i < s->nsegs; i++) {
			struct split_keys_cursor *c = &s->segs[i].cur;
			if (c->at_end || c->key != min)
				continue;
			rec = c->rec;
			if (split_keys_next(c) < 0)
				return -1;
		}
		if (rec.cls == SPLIT_STATE_GONE)
			continue;
		struct split_state_seen e = {min, rec.basis, rec.day, rec.cls};
		split_state_write_seen_line(w, &e, &last_day, day);
	}
}

int split_state_dump(struct split_state *s, struct out *o, char *err, size_t errcap)
{
	static const struct split_rules none;
	if (s->version != 3) {
		split_state_write(s, &none, o);
		return 0;
	}
	struct writer w = {o, HASH_FNV_OFFSET, 0};
	split_state_emit(&w, "%s\n", SPLIT_STATE_MAGIC);
	split_state_write_caps(&w, s, &none);
	split_state_write_classes(&w, s);
	if (dump_segments(s, &w) < 0)
		return -1;
	int st = verify(s, err, errcap);
	if (st != 0)
		return st;
	out_printf(o, "end\t%" PRIu64 "\t%016" PRIx64 "\n", w.records, w.chain);
	return 0;
}

void split_state_free_run(struct split_state *s)
{
	for (size_t i = 0; i < s->nsegs; i++)
		split_keys_close(&s->segs[i].cur);
	free(s->segs);
	free(s->path);
	free(s->hits.slots);
	free_sort(&s->asked);
	free_sort(&s->answers);
	free_sort(&s->news);
}
