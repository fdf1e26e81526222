/* split_keys.c - the split state's sorted key segments: writing a segment
 * through temporaries, reading it back in order, probing it by key (see
 * split_keys.h). */
#include "split_keys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "hash.h"
#include "split_state.h"

#define KEY_BYTES 8u
#define REC_BYTES 16u
#define PATH_MAX_SEG 4096

static int file_path(char *buf, const char *base, char suffix)
{
	int n = snprintf(buf, PATH_MAX_SEG, "%s.%c", base, suffix);
	if (n < 0 || n >= PATH_MAX_SEG) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* ---- writing ----------------------------------------------------------- */

static int wfile_open(struct split_keys_file *f, const char *base, char suffix)
{
	char path[PATH_MAX_SEG];
	memset(f, 0, sizeof *f);
	f->fd = -1;
	f->out.fd = -1;
	f->digest = HASH_FNV_OFFSET;
	if (file_path(path, base, suffix) < 0)
		return -1;
	f->buf = malloc(SPLIT_KEYS_BLOCK);
	if (!f->buf)
		return -1;
	if (out_open_file(&f->out, path) < 0) {
		free(f->buf);
		f->buf = NULL;
		return -1;
	}
	return 0;
}

/* Digest and write the block gathered so far. */
static void wfile_flush(struct split_keys_file *f)
{
	if (f->len == 0)
		return;
	f->digest = split_state_digest(f->digest, f->buf, f->len);
	out_write(&f->out, f->buf, f->len);
	f->len = 0;
}

static void wfile_put(struct split_keys_file *f, const void *p, size_t n)
{
	memcpy(f->buf + f->len, p, n); /* n divides the block */
	f->len += n;
	if (f->len == SPLIT_KEYS_BLOCK)
		wfile_flush(f);
}

int split_keys_create(struct split_keys_writer *w, const char *base)
{
	memset(w, 0, sizeof *w);
	if (wfile_open(&w->k, base, 'k') < 0)
		return -1;
	if (wfile_open(&w->r, base, 'r') < 0) {
		out_abort(&w->k.out);
		free(w->k.buf);
		w->k.buf = NULL;
		return -1;
	}
	return 0;
}

int split_keys_add(struct split_keys_writer *w, uint64_t key, const struct split_keys_rec *rec)
{
	if (w->rows > 0 && key <= w->last) {
		errno = EINVAL;
		return -1;
	}
	unsigned char r[REC_BYTES];
	memcpy(r, &rec->basis, 8);
	memcpy(r + 8, &rec->day, 4);
	memcpy(r + 12, &rec->cls, 4);
	wfile_put(&w->k, &key, KEY_BYTES);
	wfile_put(&w->r, r, REC_BYTES);
	w->rows++;
	w->last = key;
	return 0;
}

/* The digest of a segment: both files' digests and its length. */
static uint64_t join_digest(uint64_t k, uint64_t r, uint64_t rows)
{
	uint64_t parts[3] = {k, r, rows};
	uint64_t h = split_state_digest(HASH_FNV_OFFSET, parts, sizeof parts);
	return h ? h : 1;
}

int split_keys_finish(struct split_keys_writer *w, uint64_t *rows, uint64_t *digest)
{
	wfile_flush(&w->k);
	wfile_flush(&w->r);
	*rows = w->rows;
	*digest = join_digest(w->k.digest, w->r.digest, w->rows);
	free(w->k.buf);
	free(w->r.buf);
	w->k.buf = w->r.buf = NULL;
	if (w->k.out.err || w->r.out.err) {
		int e = w->k.out.err ? w->k.out.err : w->r.out.err;
		out_abort(&w->k.out);
		out_abort(&w->r.out);
		errno = e;
		return -1;
	}
	if (out_close(&w->r.out) < 0) {
		int e = errno;
		out_abort(&w->k.out);
		errno = e;
		return -1;
	}
	return out_close(&w->k.out);
}

void split_keys_abort(struct split_keys_writer *w)
{
	if (w->k.buf || w->r.buf) {
		out_abort(&w->k.out);
		out_abort(&w->r.out);
	}
	free(w->k.buf);
	free(w->r.buf);
	w->k.buf = w->r.buf = NULL;
}

/* ---- reading ----------------------------------------------------------- */

static int rfile_open(struct split_keys_file *f, const char *base, char suffix, uint64_t size)
{
	char path[PATH_MAX_SEG];
	memset(f, 0, sizeof *f);
	f->fd = -1;
	f->digest = HASH_FNV_OFFSET;
	if (file_path(path, base, suffix) < 0)
		return -1;
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return -1;
	struct stat st;
	if (fstat(f->fd, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size != size)
		return -2;
	f->left = size;
	f->buf = malloc(SPLIT_KEYS_BLOCK);
	return f->buf ? 0 : -1;
}

/* Read the next block (whole, so that the digest does not depend on read
 * sizes).  Returns 0, or -1 with errno (EIO when the file is shorter). */
static int rfile_fill(struct split_keys_file *f)
{
	size_t want = f->left < SPLIT_KEYS_BLOCK ? (size_t)f->left : SPLIT_KEYS_BLOCK, got = 0;
	while (got < want) {
		ssize_t n = read(f->fd, f->buf + got, want - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		got += (size_t)n;
	}
	f->digest = split_state_digest(f->digest, f->buf, got);
	f->left -= got;
	f->len = got;
	f->pos = 0;
	return 0;
}

static void rfile_close(struct split_keys_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->buf);
	f->fd = -1;
	f->buf = NULL;
}

int split_keys_open(struct split_keys_cursor *c, const char *base, uint64_t rows)
{
	memset(c, 0, sizeof *c);
	c->r.fd = -1;
	c->rows = rows;
	int st = rfile_open(&c->k, base, 'k', rows * KEY_BYTES);
	if (st == 0)
		st = rfile_open(&c->r, base, 'r', rows * REC_BYTES);
	if (st != 0) {
		int e = errno;
		split_keys_close(c);
		errno = e;
	}
	return st;
}

int split_keys_next(struct split_keys_cursor *c)
{
	if (c->done == c->rows) {
		c->at_end = true;
		return 0;
	}
	if (c->k.pos == c->k.len && rfile_fill(&c->k) < 0)
		return -1;
	if (c->r.pos == c->r.len && rfile_fill(&c->r) < 0)
		return -1;
	memcpy(&c->key, c->k.buf + c->k.pos, KEY_BYTES);
	const unsigned char *r = c->r.buf + c->r.pos;
	memcpy(&c->rec.basis, r, 8);
	memcpy(&c->rec.day, r + 8, 4);
	memcpy(&c->rec.cls, r + 12, 4);
	c->k.pos += KEY_BYTES;
	c->r.pos += REC_BYTES;
	c->done++;
	return 1;
}

uint64_t split_keys_digest(const struct split_keys_cursor *c)
{
	return join_digest(c->k.digest, c->r.digest, c->rows);
}

static int pread_full(int fd, void *p, size_t n, off_t at)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = pread(fd, (char *)p + got, n - got, at + (off_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = EIO;
			return -1;
		}
		got += (size_t)k;
	}
	return 0;
}

int split_keys_lookup(const struct split_keys_cursor *c, uint64_t key, struct split_keys_rec *rec)
{
	uint64_t lo = 0, hi = c->rows;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2, k;
		if (pread_full(c->k.fd, &k, KEY_BYTES, (off_t)(mid * KEY_BYTES)) < 0)
			return -1;
		if (k == key) {
			unsigned char r[REC_BYTES];
			if (pread_full(c->r.fd, r, REC_BYTES, (off_t)(mid * REC_BYTES)) < 0)
				return -1;
			memcpy(&rec->basis, r, 8);
			memcpy(&rec->day, r + 8, 4);
			memcpy(&rec->cls, r + 12, 4);
			return 1;
		}
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

void split_keys_close(struct split_keys_cursor *c)
{
	rfile_close(&c->k);
	rfile_close(&c->r);
}
