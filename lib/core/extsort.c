/* extsort.c - stable external sort of keyed rows (see extsort.h).
 *
 * A run on disk is a sequence of records: the key (8 bytes), the length
 * (4 bytes), the row.  Runs are kept oldest first, each with a level: a
 * freshly spilled run is level 0, and when the newest EXTSORT_FANIN runs
 * share a level they are merged into one run of the next level, which
 * takes their place.  Merging only neighbours, and breaking ties of key by
 * the older run, keeps the sort stable; the levels bound both the open
 * files (FANIN a level) and the passes over the data (log_FANIN runs). */
#include "extsort.h"
#include "keyindex.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RUN_IOBUF (32u << 10) /* stdio buffer of each run file */

enum { ADDING, READ_MEMORY, READ_RUNS };

struct extsort_ent {
	int64_t key;  /* the sort key */
	uint32_t off; /* where the row starts in buf; ties: in this order */
	uint32_t len; /* the row's bytes */
};

struct extsort_run {
	FILE *f;   /* the unnamed temporary, positioned for writing or reading */
	int level; /* how many merges made it */
};

/* One run being read by a merge. */
struct cursor {
	FILE *f;
	size_t order;  /* the run's age: lower wins a tie */
	int64_t key;   /* the current record's key */
	char *row;     /* its bytes (owned, grown to the longest row) */
	size_t len, cap;
};

struct extsort_heap {
	struct cursor *c; /* one per run merged */
	size_t *h;        /* a binary min-heap of indices into c */
	size_t n;         /* live cursors in h */
	size_t k;         /* cursors in c */
	size_t pending;   /* cursor whose row was last returned; SIZE_MAX: none */
};

void extsort_init(struct extsort *s, size_t budget, const char *tmpdir)
{
	memset(s, 0, sizeof *s);
	s->budget = budget < EXTSORT_ROW_MAX ? EXTSORT_ROW_MAX : budget;
	s->tmpdir = tmpdir && *tmpdir ? tmpdir : "/tmp";
	s->state = ADDING;
}

/* ---- temporary files --------------------------------------------------------- */

/* An unnamed temporary file in dir, open for writing and reading.  Returns
 * NULL with errno set. */
static FILE *temp_open(const char *dir)
{
	int fd = -1;
#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
	if (fd < 0) {
		/* no O_TMPFILE here (or on this file system): a name, unlinked
		 * at once, so it is gone at exit all the same */
		char path[PATH_MAX];
		if ((size_t)snprintf(path, sizeof path, "%s/tally-sort.XXXXXX", dir) >= sizeof path) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		fd = mkostemp(path, O_CLOEXEC);
		if (fd < 0)
			return NULL;
		unlink(path);
	}
	FILE *f = fdopen(fd, "w+");
	if (!f) {
		int e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, RUN_IOBUF);
	return f;
}

/* Write one record.  Returns 0, or -1 with errno. */
static int record_put(FILE *f, int64_t key, const char *row, size_t len)
{
	uint32_t l = (uint32_t)len;
	errno = 0;
	if (fwrite(&key, sizeof key, 1, f) != 1 || fwrite(&l, sizeof l, 1, f) != 1 ||
	    (len && fwrite(row, 1, len, f) != len))
		return errno ? -1 : (errno = EIO, -1);
	return 0;
}

/* Flush a run just written and rewind it for reading.  Returns 0, or -1. */
static int run_seal(FILE *f)
{
	errno = 0;
	if (fflush(f) != 0 || ferror(f))
		return errno ? -1 : (errno = EIO, -1);
	if (fseek(f, 0, SEEK_SET) != 0)
		return -1;
	return 0;
}

/* Append a run just sealed.  Returns 0, or -1 (ENOMEM). */
static int push_run(struct extsort *s, FILE *f, int level)
{
	struct extsort_run *r = grow_array(s->runs, s->nruns, &s->rcap, sizeof *r, 16);
	if (!r)
		return -1;
	s->runs = r;
	s->runs[s->nruns++] = (struct extsort_run){f, level};
	s->spilled++;
	return 0;
}

/* ---- merging ------------------------------------------------------------------- */

/* Read a cursor's next record.  Returns 1, 0 at the end, -1 with errno. */
static int cursor_advance(struct cursor *c)
{
	uint32_t len;
	errno = 0;
	if (fread(&c->key, sizeof c->key, 1, c->f) != 1)
		return ferror(c->f) ? (errno ? -1 : (errno = EIO, -1)) : 0;
	if (fread(&len, sizeof len, 1, c->f) != 1 || len > EXTSORT_ROW_MAX)
		return errno = EIO, -1;
	if (len > c->cap) {
		char *p = realloc(c->row, len);
		if (!p)
			return -1;
		c->row = p;
		c->cap = len;
	}
	if (len && fread(c->row, 1, len, c->f) != len)
		return errno = EIO, -1;
	c->len = len;
	return 1;
}

/* Merge order: by key, then the older run first (stability). */
static bool cursor_less(const struct cursor *a, const struct cursor *b)
{
	return a->key != b->key ? a->key < b->key : a->order < b->order;
}

/* Sift the cursor at heap slot i down to its place. */
static void heap_down(struct extsort_heap *m, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, min = i;
		if (l < m->n && cursor_less(&m->c[m->h[l]], &m->c[m->h[min]]))
			min = l;
		if (r < m->n && cursor_less(&m->c[m->h[r]], &m->c[m->h[min]]))
			min = r;
		if (min == i)
			return;
		size_t t = m->h[i];
		m->h[i] = m->h[min];
		m->h[min] = t;
		i = min;
	}
}

/* Free a merge's cursors (not the run files). */
static void heap_free(struct extsort_heap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->k; i++)
		free(m->c[i].row);
	free(m->c);
	free(m->h);
	free(m);
}

/* A merge of runs[from, from+k): each cursor reads its first record.
 * The files stay owned by s->runs.  Returns NULL with errno. */
static struct extsort_heap *heap_open(struct extsort *s, size_t from, size_t k)
{
	struct extsort_heap *m = calloc(1, sizeof *m);
	if (!m || !(m->c = calloc(k, sizeof *m->c)) || !(m->h = calloc(k, sizeof *m->h))) {
		heap_free(m);
		errno = ENOMEM;
		return NULL;
	}
	m->k = k;
	m->pending = SIZE_MAX;
	for (size_t i = 0; i < k; i++) {
		m->c[i] = (struct cursor){.f = s->runs[from + i].f, .order = i};
		int rc = cursor_advance(&m->c[i]);
		if (rc < 0) {
			heap_free(m);
			return NULL;
		}
		if (rc)
			m->h[m->n++] = i;
	}
	for (size_t i = m->n / 2; i-- > 0;)
		heap_down(m, i);
	return m;
}

/* The merge's next record: 1 with *c set, 0 at the end, -1 with errno.
 * The row stays valid until the next call. */
static int heap_pop(struct extsort_heap *m, struct cursor **c)
{
	if (m->pending != SIZE_MAX) {
		int rc = cursor_advance(&m->c[m->pending]);
		if (rc < 0)
			return -1;
		if (rc == 0)
			m->h[0] = m->h[--m->n];
		m->pending = SIZE_MAX;
		if (m->n)
			heap_down(m, 0);
	}
	if (m->n == 0)
		return 0;
	m->pending = m->h[0];
	*c = &m->c[m->pending];
	return 1;
}

/* Merge the newest k runs into one run of level+1 in their place. */
static int merge_tail(struct extsort *s, size_t k, int level)
{
	size_t from = s->nruns - k;
	FILE *out = temp_open(s->tmpdir);
	if (!out)
		return -1;
	struct extsort_heap *m = heap_open(s, from, k);
	int rc = m ? 0 : -1;
	struct cursor *c;
	while (rc == 0 && (rc = heap_pop(m, &c)) == 1)
		rc = record_put(out, c->key, c->row, c->len);
	heap_free(m);
	if (rc == 0)
		rc = run_seal(out);
	if (rc < 0) {
		int e = errno;
		fclose(out);
		errno = e;
		return -1;
	}
	for (size_t i = from; i < s->nruns; i++)
		fclose(s->runs[i].f);
	s->nruns = from;
	return push_run(s, out, level + 1);
}

/* While the newest FANIN runs share a level, merge them. */
static int merge_levels(struct extsort *s)
{
	while (s->nruns >= EXTSORT_FANIN) {
		int level = s->runs[s->nruns - 1].level;
		for (size_t i = s->nruns - EXTSORT_FANIN; i < s->nruns; i++)
			if (s->runs[i].level != level)
				return 0;
		if (merge_tail(s, EXTSORT_FANIN, level) < 0)
			return -1;
	}
	return 0;
}

/* ---- the run in memory ------------------------------------------------------------ */

/* qsort order of a gathered run: key, then the order added. */
static int cmp_ent(const void *a, const void *b)
{
	const struct extsort_ent *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* Sort the gathered rows and write them out as a level-0 run. */
static int spill(struct extsort *s)
{
	qsort(s->ents, s->n, sizeof *s->ents, cmp_ent);
	FILE *f = temp_open(s->tmpdir);
	if (!f)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < s->n && rc == 0; i++)
		rc = record_put(f, s->ents[i].key, s->buf + s->ents[i].off, s->ents[i].len);
	if (rc == 0)
		rc = run_seal(f);
	if (rc < 0 || push_run(s, f, 0) < 0) {
		int e = errno;
		fclose(f);
		errno = e;
		return -1;
	}
	s->n = 0;
	s->len = 0;
	return merge_levels(s);
}

int extsort_add(struct extsort *s, int64_t key, const void *row, size_t len)
{
	if (s->state != ADDING)
		return errno = EINVAL, -1;
	if (len > EXTSORT_ROW_MAX)
		return errno = E2BIG, -1;
	if (s->n && s->len + len + (s->n + 1) * sizeof *s->ents > s->budget && spill(s) < 0)
		return -1;
	if (!s->buf) {
		/* the whole budget at once: pages are only resident once used,
		 * and no realloc ever holds two copies */
		if (!(s->buf = malloc(s->budget)))
			return -1;
		s->cap = s->budget;
	}
	struct extsort_ent *e = grow_array(s->ents, s->n, &s->ecap, sizeof *e, 1024);
	if (!e)
		return -1;
	s->ents = e;
	if (len)
		memcpy(s->buf + s->len, row, len);
	s->ents[s->n++] = (struct extsort_ent){key, (uint32_t)s->len, (uint32_t)len};
	s->len += len;
	return 0;
}

int extsort_finish(struct extsort *s)
{
	if (s->state != ADDING)
		return errno = EINVAL, -1;
	if (s->nruns == 0) {
		if (s->n)
			qsort(s->ents, s->n, sizeof *s->ents, cmp_ent);
		s->state = READ_MEMORY;
		return 0;
	}
	if (s->n && spill(s) < 0)
		return -1;
	free(s->buf);
	free(s->ents);
	s->buf = NULL;
	s->ents = NULL;
	s->cap = s->ecap = 0;
	if (!(s->heap = heap_open(s, 0, s->nruns)))
		return -1;
	s->state = READ_RUNS;
	return 0;
}

int extsort_next(struct extsort *s, const char **row, size_t *len)
{
	if (s->state == READ_MEMORY) {
		if (s->next == s->n)
			return 0;
		const struct extsort_ent *e = &s->ents[s->next++];
		*row = s->buf + e->off;
		*len = e->len;
		return 1;
	}
	if (s->state != READ_RUNS)
		return errno = EINVAL, -1;
	struct cursor *c;
	int rc = heap_pop(s->heap, &c);
	if (rc == 1) {
		*row = c->row;
		*len = c->len;
	}
	return rc;
}

size_t extsort_spilled(const struct extsort *s)
{
	return s->spilled;
}

void extsort_free(struct extsort *s)
{
	heap_free(s->heap);
	for (size_t i = 0; i < s->nruns; i++)
		fclose(s->runs[i].f);
	free(s->runs);
	free(s->buf);
	free(s->ents);
	size_t budget = s->budget;
	const char *dir = s->tmpdir;
	extsort_init(s, budget, dir);
}

int extsort_parse_size(const char *text, size_t *out)
{
	char *end;
	errno = 0;
	if (!text || *text < '0' || *text > '9')
		return -1;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno)
		return -1;
	unsigned long long mul = 1;
	switch (*end) {
	case 'k': case 'K': mul = 1ull << 10; end++; break;
	case 'm': case 'M': mul = 1ull << 20; end++; break;
	case 'g': case 'G': mul = 1ull << 30; end++; break;
	default: break;
	}
	if (*end || v == 0 || v > (4ull << 30) / mul)
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}
