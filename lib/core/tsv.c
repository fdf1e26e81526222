/* tsv.c - reading and writing the tally stream (see tsv.h and tally.7).
 *
 * The reader finds lines with memchr in a large read buffer, validates each
 * line's UTF-8 a word at a time, copies it into a row buffer and cuts it
 * into fields in place (unescaping only fields that hold a backslash).  No
 * allocation happens per row once the buffers fit the longest line. */
#include "tsv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "keyindex.h"
#include "money.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define READ_CHUNK (256 * 1024)

/* ---- validation ---------------------------------------------------- */

static bool ascii_word_clean(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	/* no byte >= 0x80 and no zero byte */
	return ((v | ((v - ones) & ~v)) & highs) == 0;
}

#define WORD_ONES 0x0101010101010101ULL
#define WORD_HIGHS 0x8080808080808080ULL

/* High bit set in each byte of v that is zero (exact for the lowest such
 * byte, which is all the callers use). */
static inline uint64_t word_zero_bytes(uint64_t v)
{
	return (v - WORD_ONES) & ~v & WORD_HIGHS;
}

static inline uint64_t word_bytes_equal(uint64_t v, unsigned char c)
{
	return word_zero_bytes(v ^ (WORD_ONES * c));
}

/* The letter after the backslash for each byte the writer escapes, else 0. */
static const unsigned char needs_escape[256] = {
	['\t'] = 't', ['\n'] = 'n', ['\r'] = 'r', ['\\'] = '\\',
};

/* Offset of the first byte among TAB, LF, CR or backslash in s[0..len), or
 * len.  Eight bytes at a time: fields are usually clean. */
static size_t find_escapable(const char *s, size_t len)
{
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t v, m;
		memcpy(&v, s + i, 8);
		m = word_bytes_equal(v, '\t') | word_bytes_equal(v, '\n') |
		    word_bytes_equal(v, '\r') | word_bytes_equal(v, '\\');
		if (m)
			return i + (size_t)__builtin_ctzll(m) / 8;
	}
	for (; i < len; i++)
		if (needs_escape[(unsigned char)s[i]])
			return i;
	return len;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return c ? 1 : 0;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0; /* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0; /* above U+10FFFF */
		return 4;
	}
	return 0;
}

/* Offset of the first invalid byte (NUL or bad UTF-8), or len if none. */
static size_t first_invalid(const char *p, size_t len)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0;

	while (i < len) {
		if (i + 8 <= len) {
			uint64_t v;
			memcpy(&v, s + i, 8);
			if (ascii_word_clean(v)) {
				i += 8;
				continue;
			}
		}
		size_t k = utf8_seq_len(s + i, len - i);
		if (k == 0)
			return i;
		i += k;
	}
	return len;
}

bool tsv_valid_utf8(const char *s, size_t len)
{
	return first_invalid(s, len) == len;
}

size_t tsv_unescape(char *s, size_t len)
{
	char *src = memchr(s, '\\', len);
	char *end = s + len, *dst;

	if (!src)
		return len;
	dst = src;
	while (src < end) {
		char c = *src++;
		if (c != '\\') {
			*dst++ = c;
			continue;
		}
		if (src == end)
			return (size_t)-1;
		switch (*src++) {
		case 't': *dst++ = '\t'; break;
		case 'n': *dst++ = '\n'; break;
		case 'r': *dst++ = '\r'; break;
		case '\\': *dst++ = '\\'; break;
		default: return (size_t)-1;
		}
	}
	return (size_t)(dst - s);
}

/* ---- reader -------------------------------------------------------- */

static void set_err(struct tsv_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_err(struct tsv_reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	errno = 0;
}

static int open_path(struct tsv_reader *r, const char *path)
{
	r->is_stdin = strcmp(path, "-") == 0;
	r->file = r->is_stdin ? "<stdin>" : path;
	r->line = 0;
	r->eof = false;
	r->buf_start = r->buf_end = 0;
	if (r->is_stdin) {
		r->fd = STDIN_FILENO;
		return 0;
	}
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	return r->fd < 0 ? -1 : 0;
}

static void close_current(struct tsv_reader *r)
{
	if (r->fd >= 0 && !r->is_stdin)
		close(r->fd);
	r->fd = -1;
}

/* Read more bytes into the buffer, keeping the unconsumed part.  Returns
 * the number of bytes added, 0 at end of file, -1 on a read error. */
static ssize_t fill(struct tsv_reader *r)
{
	size_t pending = r->buf_end - r->buf_start;

	if (r->buf_start > 0) {
		memmove(r->buf, r->buf + r->buf_start, pending);
		r->buf_start = 0;
		r->buf_end = pending;
	}
	if (r->buf_cap - r->buf_end < READ_CHUNK / 2) {
		size_t cap = r->buf_cap ? r->buf_cap * 2 : READ_CHUNK;
		char *nb = realloc(r->buf, cap);
		if (!nb) {
			errno = ENOMEM;
			return -1;
		}
		r->buf = nb;
		r->buf_cap = cap;
	}
	for (;;) {
		ssize_t n = read(r->fd, r->buf + r->buf_end, r->buf_cap - r->buf_end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0) {
			r->buf_end += (size_t)n;
			r->bytes_read += (uint64_t)n;
		}
		return n;
	}
}

/* Find the next physical line: sets *line and *len (without LF or CRLF).
 * Returns 1, 0 at end of file, -1 on a read error (errno set). */
static int next_line(struct tsv_reader *r, char **line, size_t *len)
{
	size_t scanned = 0;

	for (;;) {
		char *start = r->buf ? r->buf + r->buf_start : r->buf; /* no NULL + 0 */
		size_t avail = r->buf_end - r->buf_start;
		char *nl = avail > scanned ? memchr(start + scanned, '\n', avail - scanned) : NULL;

		if (nl) {
			*line = start;
			*len = (size_t)(nl - start);
			r->buf_start += *len + 1;
			r->unended = false;
			break;
		}
		if (r->eof) {
			if (avail == 0)
				return 0;
			*line = start; /* last line without LF */
			*len = avail;
			r->buf_start = r->buf_end;
			r->unended = true;
			break;
		}
		scanned = avail;
		ssize_t n = fill(r);
		if (n < 0)
			return -1;
		if (n == 0)
			r->eof = true;
	}
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	r->line++;
	return 1;
}

static int ensure(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 64;
	while (n < need)
		n *= 2;
	void *np = realloc(*p, n * elem);
	if (!np) {
		errno = ENOMEM;
		return -1;
	}
	*p = np;
	*cap = n;
	return 0;
}

/* Byte classes for cutting a line: 0 ordinary, else one of these. */
enum { CUT_END = 1, CUT_TAB, CUT_BACKSLASH, CUT_CR };
static const unsigned char cut_class[256] = {
	['\0'] = CUT_END, ['\t'] = CUT_TAB, ['\\'] = CUT_BACKSLASH, ['\r'] = CUT_CR,
};

/* Refuse a header naming a column twice, in time linear in the number of
 * columns: a name interned before gets an id below its column's. */
static int check_unique_columns(struct tsv_reader *r)
{
	struct names seen = {0};
	int rc = 0;
	for (size_t i = 0; i < r->ncols && rc == 0; i++) {
		uint32_t id;
		if (names_intern(&seen, r->cols[i], strlen(r->cols[i]), &id) < 0) {
			set_err(r, "out of memory");
			rc = -1;
		} else if (id < i) {
			set_err(r, "header: column \"%s\" appears twice", r->cols[i]);
			rc = -1;
		}
	}
	names_free(&seen);
	return rc;
}

/* How messages name field i: its column once the header is known. */
static const char *field_name(const struct tsv_reader *r, size_t i, char *buf, size_t cap)
{
	if (r->cols && i < r->ncols)
		snprintf(buf, cap, "column \"%s\"", r->cols[i]);
	else
		snprintf(buf, cap, "%s field %zu", r->cols ? "extra" : "header", i + 1);
	return buf;
}

/* The invalid escape in raw field text s[0..len) (before unescaping). */
static void bad_escape(struct tsv_reader *r, size_t nf, const char *s, size_t len)
{
	char name[300];
	const char *b = s;
	while ((b = memchr(b, '\\', len - (size_t)(b - s))) && b + 1 < s + len &&
	       strchr("tnr\\", b[1]))
		b += 2;
	field_name(r, nf, name, sizeof name);
	if (b && b + 1 < s + len && (unsigned char)b[1] >= 0x20 && (unsigned char)b[1] < 0x7f)
		set_err(r, "%s: invalid escape \"\\%c\" (only \\t \\n \\r \\\\ are allowed)", name,
			b[1]);
	else
		set_err(r, "%s: invalid escape (only \\t \\n \\r \\\\ are allowed)", name);
}

static inline int add_field(struct tsv_reader *r, size_t nf, char *s, size_t len, bool escaped)
{
	if (__builtin_expect(nf >= r->field_cap, 0) &&
	    ensure((void **)&r->fieldbuf, &r->field_cap, nf + 1, sizeof *r->fieldbuf) < 0) {
		set_err(r, "out of memory");
		return -1;
	}
	if (escaped) {
		size_t ulen = tsv_unescape(s, len);
		if (ulen == (size_t)-1) {
			/* the row buffer copies the raw line at the same offsets */
			bad_escape(r, nf, r->raw + (s - r->row), len);
			return -1;
		}
		s[ulen] = '\0';
		len = ulen;
	}
	r->fieldbuf[nf].s = s;
	r->fieldbuf[nf].len = len;
	r->fieldbuf[nf].plain = !escaped;
	return 0;
}

/* Report the first NUL or invalid UTF-8 of a line that has one; lines
 * with only valid non-ASCII text pass.  Returns -1 with r->err set, or 0. */
static int check_bytes(struct tsv_reader *r, const char *line, size_t len)
{
	size_t bad = first_invalid(line, len), nf = 0;
	char name[300];
	if (bad == len)
		return 0;
	for (size_t i = 0; i < bad; i++)
		nf += line[i] == '\t';
	field_name(r, nf, name, sizeof name);
	if (line[bad] == '\0')
		set_err(r, "%s: NUL byte (byte %zu of the line)", name, bad + 1);
	else
		set_err(r, "%s: invalid UTF-8 (byte %zu of the line)", name, bad + 1);
	return -1;
}

/* Bit i set when p[i] is a TAB, backslash, CR or NUL, for 16 bytes at p;
 * *high is set when any of them is a non-ASCII byte (UTF-8 to validate).
 * SSE2 is part of every x86-64; elsewhere a byte loop does the same. */
static inline unsigned special_mask(const char *p, bool *high)
{
#ifdef __SSE2__
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i m = _mm_or_si128(
		_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')),
			     _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
		_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')),
			     _mm_cmpeq_epi8(v, _mm_setzero_si128())));
	if (_mm_movemask_epi8(v))
		*high = true;
	return (unsigned)_mm_movemask_epi8(m);
#else
	unsigned mask = 0;
	for (unsigned i = 0; i < 16; i++) {
		if (cut_class[(unsigned char)p[i]])
			mask |= 1u << i;
		if ((unsigned char)p[i] >= 0x80)
			*high = true;
	}
	return mask;
#endif
}

/* Copy line into the row buffer and cut it into fields, finding the
 * special bytes 16 at a time (fields are short: a call per field to
 * memchr costs more than the whole scan).
 * Returns the number of fields, or -1 (r->err set) for invalid content. */
static long split_line(struct tsv_reader *r, const char *line, size_t len)
{
	size_t nf = 0;
	bool escaped = false, high = false;
	char *field, *p;

	if (ensure((void **)&r->row, &r->row_cap, len + 1 + 16, 1) < 0) {
		set_err(r, "out of memory");
		return -1;
	}
	memcpy(r->row, line, len);
	/* NUL sentinel (a NUL inside the line is caught when met); the
	 * padding lets the scan read whole blocks past it */
	memset(r->row + len, 0, 17);
	r->clean = true;
	field = p = r->row;
	for (size_t off = 0;; off += 16) {
		/* a mask of the bytes of this block that end or mark a field */
		unsigned mask = special_mask(r->row + off, &high);
		while (mask) {
			p = r->row + off + (unsigned)__builtin_ctz(mask);
			mask &= mask - 1;
			switch (cut_class[(unsigned char)*p]) {
			case CUT_BACKSLASH: /* valid escapes are the writer's own */
				escaped = true;
				break;
			case CUT_CR: /* kept as data, escaped on output */
				escaped = true;
				r->clean = false;
				break;
			case CUT_TAB:
				*p = '\0';
				if (add_field(r, nf++, field, (size_t)(p - field), escaped) < 0)
					return -1;
				field = p + 1;
				escaped = false;
				break;
			default: /* CUT_END: the sentinel, or a NUL inside */
				if ((p != r->row + len || high) && check_bytes(r, line, len) < 0)
					return -1;
				if (add_field(r, nf++, field, (size_t)(p - field), escaped) < 0)
					return -1;
				r->fields = r->fieldbuf;
				return (long)nf;
			}
		}
	}
}

static int read_header(struct tsv_reader *r)
{
	char *line;
	size_t len;
	int rc = next_line(r, &line, &len);

	if (rc < 0)
		return -1;
	if (rc == 0) {
		set_err(r, "empty input: no header line");
		return -1;
	}
	/* A byte order mark (a spreadsheet's "UTF-8 with BOM") is not part
	 * of the first column's name. */
	if (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		len -= 3;
		/* a second one would be taken for the mark when written back */
		if (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			set_err(r, "header: two byte order marks");
			return -1;
		}
	}
	/* A CR inside the header line: the file ends its lines with CR alone
	 * (classic Mac OS), so the whole file reads as one line. */
	if (memchr(line, '\r', len)) {
		set_err(r, "header: line ends are CR only (classic Mac); convert them to LF "
			   "(tr '\\r' '\\n')");
		return -1;
	}
	r->raw = line;
	r->raw_len = len;
	if (r->cols) {
		/* a later file: must repeat the first header exactly */
		if (len != r->header_len || memcmp(line, r->rawcopy, len) != 0) {
			set_err(r, "header differs from the first file's");
			return -1;
		}
		return 0;
	}
	long nf = split_line(r, line, len);
	if (nf < 0)
		return -1;
	r->rawcopy = malloc(len + 1);
	r->cols = calloc((size_t)nf, sizeof *r->cols);
	if (!r->rawcopy || !r->cols) {
		set_err(r, "out of memory");
		return -1;
	}
	memcpy(r->rawcopy, line, len);
	r->rawcopy[len] = '\0';
	r->raw_header = r->rawcopy;
	r->header_len = len;
	r->ncols = (size_t)nf;
	for (size_t i = 0; i < r->ncols; i++) {
		r->cols[i] = strdup(r->fields[i].s);
		if (!r->cols[i]) {
			set_err(r, "out of memory");
			return -1;
		}
		if (r->fields[i].len == 0) {
			set_err(r, "header: column %zu has no name", i + 1);
			return -1;
		}
	}
	return check_unique_columns(r);
}

static int open_next_file(struct tsv_reader *r)
{
	const char *path = r->paths ? r->paths[r->next_path] : "-";

	r->next_path++;
	if (open_path(r, path) < 0)
		return -1;
	return read_header(r);
}

int tsv_open(struct tsv_reader *r, char *const *paths, size_t n)
{
	memset(r, 0, sizeof *r);
	r->fd = -1;
	r->paths = n ? (char **)paths : NULL;
	r->npaths = n ? n : 1;
	r->file = "<stdin>";
	return open_next_file(r);
}

int tsv_next(struct tsv_reader *r)
{
	char *line;
	size_t len;

	for (;;) {
		int rc = next_line(r, &line, &len);
		if (rc < 0)
			return -1;
		if (rc > 0)
			break;
		close_current(r);
		if (r->next_path >= r->npaths)
			return 0;
		if (open_next_file(r) < 0)
			return -1;
	}
	r->raw = line;
	r->raw_len = len;
	long nf = split_line(r, line, len);
	if (nf < 0)
		return -1;
	for (; r->pad_short && (size_t)nf < r->ncols; nf++) /* the row's NUL sentinel: an empty field */
		if (add_field(r, (size_t)nf, r->row + len, 0, false) < 0)
			return -1;
	r->fields = r->fieldbuf;
	if ((size_t)nf != r->ncols) {
		/* a short last line with no line end: most often the command
		 * writing the stream stopped in the middle of a row */
		set_err(r, "%ld field%s where the header has %zu%s", nf, nf == 1 ? "" : "s", r->ncols,
			r->unended && (size_t)nf < r->ncols
				? ", and no line end: the input stops inside a row (did the command writing it fail?)"
				: "");
		return -1;
	}
	return 1;
}

int tsv_col(const struct tsv_reader *r, const char *name)
{
	for (size_t i = 0; i < r->ncols; i++)
		if (strcmp(r->cols[i], name) == 0)
			return (int)i;
	return -1;
}

void tsv_close(struct tsv_reader *r)
{
	close_current(r);
	if (r->cols)
		for (size_t i = 0; i < r->ncols; i++)
			free(r->cols[i]);
	free(r->cols);
	free(r->buf);
	free(r->row);
	free(r->rawcopy);
	free(r->fieldbuf);
	memset(r, 0, sizeof *r);
	r->fd = -1;
}

/* ---- writer -------------------------------------------------------- */


void tsv_escape_to(struct out *o, const char *s, size_t len)
{
	size_t i = 0;

	if (!o->err && o->cap - o->len >= 2 * len) {
		/* room for the worst case: write straight into the buffer */
		char *d = o->buf + o->len;
		if (len <= 32) { /* most fields: a byte loop beats the calls */
			for (; i < len; i++) {
				unsigned char c = (unsigned char)s[i], e = needs_escape[c];
				if (e) {
					*d++ = '\\';
					c = e;
				}
				*d++ = (char)c;
			}
			o->len = (size_t)(d - o->buf);
			return;
		}
		for (;;) {
			size_t k = find_escapable(s + i, len - i);
			memcpy(d, s + i, k);
			d += k;
			i += k;
			if (i == len)
				break;
			*d++ = '\\';
			*d++ = (char)needs_escape[(unsigned char)s[i++]];
		}
		o->len = (size_t)(d - o->buf);
		return;
	}
	for (;;) {
		size_t k = find_escapable(s + i, len - i);
		out_write(o, s + i, k);
		i += k;
		if (i == len)
			return;
		char pair[2] = {'\\', (char)needs_escape[(unsigned char)s[i++]]};
		out_write(o, pair, 2);
	}
}

void tsv_writer_init(struct tsv_writer *w, struct out *o)
{
	w->o = o;
	w->in_row = false;
}

static void separate(struct tsv_writer *w)
{
	if (w->in_row)
		out_putc(w->o, '\t');
	w->in_row = true;
}

void tsv_put(struct tsv_writer *w, const char *s, size_t len)
{
	separate(w);
	tsv_escape_to(w->o, s, len);
}

void tsv_put_str(struct tsv_writer *w, const char *s)
{
	tsv_put(w, s, strlen(s));
}

void tsv_put_int(struct tsv_writer *w, long long v)
{
	char buf[32];
	size_t n = money_format_int(buf, (int64_t)v);
	separate(w);
	out_write(w->o, buf, n);
}

void tsv_put_money(struct tsv_writer *w, int64_t micros, int digits)
{
	char buf[MONEY_BUF];
	size_t n = money_format(buf, micros, digits);
	separate(w);
	out_write(w->o, buf, n);
}

void tsv_putf(struct tsv_writer *w, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		tsv_put(w, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		out_fail(w->o, ENOMEM);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	tsv_put(w, big, (size_t)n);
	free(big);
}

void tsv_put_row(struct tsv_writer *w, const struct tsv_reader *r)
{
	/* Escaping is canonical (one spelling per character), so a valid
	 * line without a raw CR is exactly what re-escaping its fields gives. */
	if (r->clean) {
		separate(w);
		out_write(w->o, r->raw, r->raw_len);
		return;
	}
	for (size_t i = 0; i < r->ncols; i++) {
		const struct tsv_field *f = &r->fields[i];
		if (f->plain) { /* read without escapes: holds nothing to escape */
			separate(w);
			out_write(w->o, f->s, f->len);
		} else {
			tsv_put(w, f->s, f->len);
		}
	}
}

void tsv_put_header(struct tsv_writer *w, const struct tsv_reader *r)
{
	for (size_t i = 0; i < r->ncols; i++)
		tsv_put_str(w, r->cols[i]);
}

void tsv_end_row(struct tsv_writer *w)
{
	out_putc(w->o, '\n');
	w->in_row = false;
}

const char *tsv_separator_hint(const char *line)
{
	if (strchr(line, '\t'))
		return NULL;
	if (strchr(line, ','))
		return "it looks comma-separated";
	if (strchr(line, ';'))
		return "it looks semicolon-separated";
	if (strchr(line, ' '))
		return "it looks aligned with spaces";
	return NULL;
}
