/* recsort.c - stable radix sort of fixed-size keyed records in bounded
 * memory (see recsort.h).
 *
 * A run on disk is the sorted records, raw, nothing else: its length says
 * how many.  A merge reads each run through a buffer of RUN_IOBUF bytes
 * and takes the least key from a binary heap, ties to the older run (the
 * buffer, newest, last), which keeps the sort stable. */
#include "recsort.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "readall.h"
#include "spool.h"

#define RUN_IOBUF (256u << 10) /* read buffer of each run merged */
#define DIGIT_BITS 11
#define DIGITS 6 /* 6 x 11 >= 64 */
#define RADIX (1u << DIGIT_BITS)
#define RECSORT_FIRST 4096u /* records the buffer first holds */

enum { ADDING, READ_BUFFER, MERGING };

/* One sorted sequence being merged: a run file, or the buffer. */
struct recsort_src {
	int fd;              /* the run, or -1 for the buffer */
	unsigned char *buf;  /* records read (owned), or the sort's buffer */
	size_t len, pos;     /* bytes in buf / consumed */
	uint64_t key;        /* the current record's key */
};

static uint64_t key_of(const unsigned char *rec)
{
	uint64_t k;
	memcpy(&k, rec, sizeof k);
	return k;
}

void recsort_init(struct recsort *s, size_t rec, size_t budget, const char *tmpdir)
{
	memset(s, 0, sizeof *s);
	s->rec = rec;
	s->cap = budget / rec < 4096 ? 4096 : budget / rec;
	s->tmpdir = tmpdir && *tmpdir ? tmpdir : "/tmp";
	s->pending = SIZE_MAX;
	s->state = ADDING;
}

/* ---- the radix sort -------------------------------------------------------- */

/* Copy one record of words 8-byte words. */
static void copy_rec(unsigned char *to, const unsigned char *from, size_t words)
{
	for (size_t w = 0; w < words; w++)
		memcpy(to + 8 * w, from + 8 * w, 8);
}

/* The histograms of every digit of the n keys at a, one read. */
static void histograms(const unsigned char *a, size_t n, size_t rec, size_t count[DIGITS][RADIX])
{
	memset(count, 0, DIGITS * sizeof *count);
	for (size_t i = 0; i < n; i++) {
		uint64_t k = key_of(a + i * rec);
		for (int d = 0; d < DIGITS; d++)
			count[d][(k >> (d * DIGIT_BITS)) & (RADIX - 1)]++;
	}
}

/* Whether every key has the same digit d (a pass would change nothing). */
static bool constant_digit(const size_t *count, const unsigned char *a, size_t n, int d)
{
	return n == 0 || count[(key_of(a) >> (d * DIGIT_BITS)) & (RADIX - 1)] == n;
}

/* One stable counting pass on digit d from a into tmp (count: its
 * histogram, consumed). */
static void radix_pass(const unsigned char *a, unsigned char *tmp, size_t n, size_t rec, int d, size_t *count)
{
	size_t sum = 0, words = rec / 8;
	for (size_t b = 0; b < RADIX; b++) {
		size_t t = count[b];
		count[b] = sum;
		sum += t;
	}
	for (size_t i = 0; i < n; i++) {
		const unsigned char *r = a + i * rec;
		copy_rec(tmp + count[(key_of(r) >> (d * DIGIT_BITS)) & (RADIX - 1)]++ * rec, r, words);
	}
}

/* Insertion sort of records sorted by their top bits already: a record
 * moves only past greater keys (stable).  False, the records a
 * permutation still, when that took more than limit moves. */
static bool insertion_fixup(unsigned char *a, size_t n, size_t rec, size_t limit)
{
	unsigned char held[RECSORT_REC_MAX];
	size_t moves = 0, words = rec / 8;
	for (size_t i = 1; i < n; i++) {
		uint64_t k = key_of(a + i * rec);
		size_t j = i;
		while (j > 0 && key_of(a + (j - 1) * rec) > k)
			j--;
		if (j == i)
			continue;
		moves += i - j;
		copy_rec(held, a + i * rec, words);
		for (size_t m = i; m > j; m--)
			copy_rec(a + m * rec, a + (m - 1) * rec, words);
		copy_rec(a + j * rec, held, words);
		if (moves > limit)
			return false;
	}
	return true;
}

/* Passes on digits [from, to] that vary; the records end in *a. */
static void radix_passes(unsigned char **a, unsigned char **tmp, size_t n, size_t rec, int from, int to,
			 size_t count[DIGITS][RADIX])
{
	for (int d = from; d <= to; d++) {
		if (constant_digit(count[d], *a, n, d))
			continue;
		radix_pass(*a, *tmp, n, rec, d, count[d]);
		unsigned char *t = *a;
		*a = *tmp;
		*tmp = t;
	}
}

/* Keys that are hashes vary in every digit, but records that share the
 * top three digits (31 to 33 bits) are few: those three passes, then an
 * insertion sort that moves a few records, do the work of six passes.
 * Keys that are small numbers (row numbers) vary in their low digits
 * only, which the three passes cover exactly.  Keys that defeat both
 * (many alike in their top digits, different below) take the six passes
 * after all, the insertion sort giving up early. */
unsigned char *recsort_radix(unsigned char *a, unsigned char *tmp, size_t n, size_t rec)
{
	size_t count[DIGITS][RADIX]; /* 96 KB */
	histograms(a, n, rec, count);
	int top = DIGITS - 1;
	while (top > 0 && constant_digit(count[top], a, n, top))
		top--;
	int from = top >= 2 ? top - 2 : 0;
	radix_passes(&a, &tmp, n, rec, from, top, count);
	if (from == 0 || insertion_fixup(a, n, rec, 4 * n + 4096))
		return a;
	histograms(a, n, rec, count);
	radix_passes(&a, &tmp, n, rec, 0, DIGITS - 1, count);
	return a;
}

/* ---- runs -------------------------------------------------------------------- */


/* Append run fd (written, not yet rewound).  Returns 0, or -1. */
static int push_run(struct recsort *s, int fd)
{
	int *r = realloc(s->runs, (s->nruns + 1) * sizeof *r);
	if (!r) {
		close(fd);
		return -1;
	}
	s->runs = r;
	s->runs[s->nruns++] = fd;
	s->spilled++;
	return 0;
}

/* Sort the buffer in place (buf and tmp swapped when the passes say so):
 * 0, or -1 (ENOMEM) when tmp cannot be made as large as buf. */
static int sort_buffer(struct recsort *s)
{
	if (s->tmp_alloc < s->alloc) {
		free(s->tmp);
		if (!(s->tmp = malloc(s->alloc * s->rec)))
			return -1;
		s->tmp_alloc = s->alloc;
	}
	unsigned char *sorted = recsort_radix(s->buf, s->tmp, s->n, s->rec);
	if (sorted != s->buf) {
		size_t a = s->alloc;
		s->tmp = s->buf;
		s->buf = sorted;
		s->alloc = s->tmp_alloc;
		s->tmp_alloc = a;
	}
	return 0;
}

static int merge_all_runs(struct recsort *s);

/* Sort the buffer and write it as a run.  Returns 0, or -1 with errno. */
static int spill(struct recsort *s)
{
	if ((s->nruns == RECSORT_FANIN && merge_all_runs(s) < 0) || sort_buffer(s) < 0)
		return -1;
	int fd = spool_temp(s->tmpdir);
	if (fd < 0)
		return -1;
	if (writeall_fd(fd, s->buf, s->n * s->rec) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	s->n = 0;
	return push_run(s, fd);
}

int recsort_add(struct recsort *s, const void *rec)
{
	if (s->state != ADDING) {
		errno = EINVAL;
		return -1;
	}
	if (s->n == s->alloc && s->alloc < s->cap) {
		/* grown by doubling, so a small sort takes little memory */
		size_t n = s->alloc ? 2 * s->alloc : RECSORT_FIRST;
		n = n > s->cap ? s->cap : n;
		unsigned char *p = realloc(s->buf, n * s->rec);
		if (!p)
			return -1;
		s->buf = p;
		s->alloc = n;
	}
	if (s->n == s->cap && spill(s) < 0)
		return -1;
	memcpy(s->buf + s->n++ * s->rec, rec, s->rec);
	return 0;
}

/* ---- merging ------------------------------------------------------------------ */

/* Refill a run source's buffer: 1, 0 at its end, -1 with errno (EIO for
 * a run that ends inside a record). */
static int src_fill(struct recsort *s, struct recsort_src *c)
{
	size_t got = 0, want = RUN_IOBUF - RUN_IOBUF % s->rec;
	while (got < want) {
		ssize_t k = read(c->fd, c->buf + got, want - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	if (got % s->rec) {
		errno = EIO;
		return -1;
	}
	c->len = got;
	c->pos = 0;
	return got > 0;
}

/* Step source c to its next record (c->pos at it, c->key set): 1, 0 at
 * its end, -1 with errno. */
static int src_step(struct recsort *s, struct recsort_src *c, bool first)
{
	if (!first)
		c->pos += s->rec;
	if (c->pos == c->len) {
		if (c->fd < 0)
			return 0;
		int st = src_fill(s, c);
		if (st <= 0)
			return st;
	}
	c->key = key_of(c->buf + c->pos);
	return 1;
}

/* Merge order: by key, then the older source first (stability). */
static bool src_less(const struct recsort *s, size_t a, size_t b)
{
	const struct recsort_src *x = &s->src[a], *y = &s->src[b];
	return x->key != y->key ? x->key < y->key : a < b;
}

static void heap_down(struct recsort *s, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, min = i;
		if (l < s->nheap && src_less(s, s->heap[l], s->heap[min]))
			min = l;
		if (r < s->nheap && src_less(s, s->heap[r], s->heap[min]))
			min = r;
		if (min == i)
			return;
		size_t t = s->heap[i];
		s->heap[i] = s->heap[min];
		s->heap[min] = t;
		i = min;
	}
}

/* Free the sources of a merge (not the run files). */
static void close_merge(struct recsort *s)
{
	for (size_t i = 0; i < s->nsrc; i++)
		if (s->src[i].fd >= 0)
			free(s->src[i].buf);
	free(s->src);
	free(s->heap);
	s->src = NULL;
	s->heap = NULL;
	s->nsrc = s->nheap = 0;
	s->pending = SIZE_MAX;
}

/* A merge of every run, and of the buffer's n records when with_buffer:
 * each source at its first record, the heap built.  Returns 0, or -1. */
static int open_merge(struct recsort *s, bool with_buffer)
{
	size_t k = s->nruns + (with_buffer && s->n > 0);
	s->src = calloc(k ? k : 1, sizeof *s->src);
	s->heap = calloc(k ? k : 1, sizeof *s->heap);
	if (!s->src || !s->heap)
		return -1;
	for (size_t i = 0; i < k; i++) {
		struct recsort_src *c = &s->src[s->nsrc++];
		*c = (struct recsort_src){-1, s->buf, s->n * s->rec, 0, 0};
		if (i < s->nruns) {
			c->fd = s->runs[i];
			c->len = 0;
			if (!(c->buf = malloc(RUN_IOBUF)) || lseek(c->fd, 0, SEEK_SET) < 0)
				return -1;
		}
		int st = src_step(s, c, true);
		if (st < 0)
			return -1;
		if (st > 0)
			s->heap[s->nheap++] = i;
	}
	for (size_t i = s->nheap / 2; i-- > 0;)
		heap_down(s, i);
	return 0;
}

/* The least record of the merge: 1 with *rec, 0 at the end, -1. */
static int merge_next(struct recsort *s, const void **rec)
{
	if (s->pending != SIZE_MAX) {
		int st = src_step(s, &s->src[s->pending], false);
		if (st < 0)
			return -1;
		if (st == 0)
			s->heap[0] = s->heap[--s->nheap];
		s->pending = SIZE_MAX;
		if (s->nheap > 0)
			heap_down(s, 0);
	}
	if (s->nheap == 0)
		return 0;
	s->pending = s->heap[0];
	*rec = s->src[s->pending].buf + s->src[s->pending].pos;
	return 1;
}

/* The runs so far merged into one run, which takes their place. */
static int merge_all_runs(struct recsort *s)
{
	int fd = spool_temp(s->tmpdir), st = -1;
	unsigned char *out = malloc(RUN_IOBUF);
	size_t len = 0, room = RUN_IOBUF - RUN_IOBUF % s->rec;
	const void *rec;
	if (fd < 0 || !out || open_merge(s, false) < 0)
		goto done;
	while ((st = merge_next(s, &rec)) > 0) {
		if (len == room) {
			if ((st = writeall_fd(fd, out, len)) < 0)
				goto done;
			len = 0;
		}
		memcpy(out + len, rec, s->rec);
		len += s->rec;
	}
	if (st == 0)
		st = writeall_fd(fd, out, len);
done:;
	int e = errno;
	close_merge(s);
	free(out);
	if (st < 0) {
		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	for (size_t i = 0; i < s->nruns; i++)
		close(s->runs[i]);
	s->nruns = 0;
	return push_run(s, fd);
}

int recsort_finish(struct recsort *s)
{
	if ((s->nruns == RECSORT_FANIN && merge_all_runs(s) < 0) || (s->n > 0 && sort_buffer(s) < 0))
		return -1;
	/* the last records stay in memory, merged as the newest source */
	free(s->tmp);
	s->tmp = NULL;
	s->tmp_alloc = 0;
	if (s->nruns == 0) {
		s->state = READ_BUFFER;
		return 0;
	}
	s->state = MERGING;
	return open_merge(s, true);
}

int recsort_next(struct recsort *s, const void **rec)
{
	if (s->state == MERGING)
		return merge_next(s, rec);
	if (s->state != READ_BUFFER || s->next == s->n)
		return 0;
	*rec = s->buf + s->next++ * s->rec;
	return 1;
}

size_t recsort_spilled(const struct recsort *s)
{
	return s->spilled;
}

void recsort_free(struct recsort *s)
{
	close_merge(s);
	for (size_t i = 0; i < s->nruns; i++)
		close(s->runs[i]);
	free(s->runs);
	free(s->buf);
	free(s->tmp);
	memset(s, 0, sizeof *s);
}
