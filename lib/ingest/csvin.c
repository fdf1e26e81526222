/* csvin.c - streaming CSV input over libcsv, with line numbers, raw
 * records and transcoding (see csvin.h).
 *
 * libcsv reports no positions, so the input is cut into physical lines
 * here and fed to libcsv one line per call: a record that libcsv completes
 * during a feed ends on that line, and the record started on the first
 * non-blank line fed since the previous record ended.  The same lines,
 * kept together, are the record's raw text. */
#include "csvin.h"
#include "tsv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CSVIN_CHUNK (128 * 1024)

static const unsigned short cp1252_high[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/* Grow *p (of *cap bytes) to hold at least need bytes.  0 or -1. */
static int grow(void *pp, size_t *cap, size_t need, size_t elem)
{
	void **p = pp;
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 256;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, n * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

static size_t put_utf8(char *d, uint32_t cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xC0 | (cp >> 6));
		d[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xE0 | (cp >> 12));
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		d[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	d[0] = (char)(0xF0 | (cp >> 18));
	d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	d[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* ---- libcsv callbacks ------------------------------------------------ */

/* Room for one more field offset/length and the field array.  0 or -1. */
static int grow_fields(struct csvin *c, size_t need)
{
	if (need <= c->fcap)
		return 0;
	size_t n = c->fcap ? c->fcap * 2 : 32;
	while (n < need)
		n *= 2;
	size_t *o = realloc(c->foff, n * sizeof *o);
	if (!o)
		return -1;
	c->foff = o;
	size_t *l = realloc(c->flen, n * sizeof *l);
	if (!l)
		return -1;
	c->flen = l;
	struct csvin_field *f = realloc(c->fields, n * sizeof *f);
	if (!f)
		return -1;
	for (size_t i = c->fcap; i < n; i++)
		f[i] = (struct csvin_field){"", 0}; /* what a column not wanted reads */
	c->fields = f;
	c->fcap = n;
	return 0;
}

static void on_field(void *field, size_t len, void *data)
{
	struct csvin *c = data;
	if (c->want && (c->nf >= c->nwant || !c->want[c->nf])) {
		if (c->nf + 1 > c->fcap && grow_fields(c, c->nf + 1) < 0) {
			c->oom = true;
			return;
		}
		c->foff[c->nf] = SIZE_MAX; /* not copied: reads as empty */
		c->flen[c->nf++] = 0;
		return;
	}
	if ((c->fbuf_len + len + 1 > c->fbuf_cap &&
	     grow(&c->fbuf, &c->fbuf_cap, c->fbuf_len + len + 1, 1) < 0) ||
	    (c->nf + 1 > c->fcap && grow_fields(c, c->nf + 1) < 0)) {
		c->oom = true;
		return;
	}
	if (len)
		memcpy(c->fbuf + c->fbuf_len, field, len);
	c->fbuf[c->fbuf_len + len] = '\0';
	c->foff[c->nf] = c->fbuf_len;
	c->flen[c->nf] = len;
	c->nf++;
	c->fbuf_len += len + 1;
}

static void on_record(int term, void *data)
{
	struct csvin *c = data;
	(void)term;
	c->rec_ready = true;
	c->rec_count_in_feed++;
}

/* ---- reading and transcoding ---------------------------------------- */

/* Transcode whole UTF-16 units from c->in into c->buf; keep leftovers. */
static int utf16_drain(struct csvin *c)
{
	bool le = c->enc == CSVIN_UTF16LE;
	size_t i = 0;
	if (grow(&c->buf, &c->buf_cap, c->buf_end + c->in_len * 2 + 8, 1) < 0)
		return -1;
	while (i + 2 <= c->in_len) {
		uint32_t u = le ? (uint32_t)(c->in[i] | c->in[i + 1] << 8)
				: (uint32_t)(c->in[i] << 8 | c->in[i + 1]);
		size_t used = 2;
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (i + 4 > c->in_len) {
				if (!c->eof)
					break; /* wait for the low half */
				u = 0xFFFD;
			} else {
				uint32_t lo = le ? (uint32_t)(c->in[i + 2] | c->in[i + 3] << 8)
						 : (uint32_t)(c->in[i + 2] << 8 | c->in[i + 3]);
				if (lo >= 0xDC00 && lo <= 0xDFFF) {
					u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
					used = 4;
				} else {
					u = 0xFFFD;
				}
			}
		} else if (u >= 0xDC00 && u <= 0xDFFF) {
			u = 0xFFFD;
		}
		c->buf_end += put_utf8(c->buf + c->buf_end, u);
		i += used;
	}
	memmove(c->in, c->in + i, c->in_len - i);
	c->in_len -= i;
	return 0;
}

/* Read more text into buf (compacting it first).  Returns bytes added
 * (0 at end of input) or -1 with errno set. */
/* Read up to CSVIN_CHUNK bytes from c->fd into dst (which has room);
 * sets c->eof at end of file.  Returns the bytes read (0 at end), or -1
 * with errno set. */
static ssize_t read_chunk(struct csvin *c, void *dst)
{
	ssize_t n;
	do
		n = read(c->fd, dst, CSVIN_CHUNK);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		c->eof = true;
	if (n > 0)
		c->bytes_read += (uint64_t)n;
	return n;
}

static ssize_t fill(struct csvin *c)
{
	/* Keep the open record's earlier lines: they are its raw text. */
	size_t keep = c->in_record && c->rec_off < c->buf_start ? c->rec_off : c->buf_start;
	if (keep > 0) {
		memmove(c->buf, c->buf + keep, c->buf_end - keep);
		c->buf_end -= keep;
		c->buf_start -= keep;
		c->rec_off -= keep < c->rec_off ? keep : c->rec_off;
	}
	size_t before = c->buf_end;
	ssize_t n;
	while (!c->eof && c->buf_end == before) {
		if (c->enc == CSVIN_UTF16LE || c->enc == CSVIN_UTF16BE) {
			if (grow(&c->in, &c->in_cap, c->in_len + CSVIN_CHUNK, 1) < 0 ||
			    (n = read_chunk(c, c->in + c->in_len)) < 0)
				return -1;
			c->in_len += (size_t)n;
			if (utf16_drain(c) < 0)
				return -1;
			if (c->eof && c->in_len) { /* an odd final byte */
				c->buf_end += put_utf8(c->buf + c->buf_end, 0xFFFD);
				c->in_len = 0;
			}
		} else {
			if (grow(&c->buf, &c->buf_cap, c->buf_end + CSVIN_CHUNK, 1) < 0 ||
			    (n = read_chunk(c, c->buf + c->buf_end)) < 0)
				return -1;
			c->buf_end += (size_t)n;
		}
	}
	return (ssize_t)(c->buf_end - before);
}

enum line_end { LINE_END_UNSEEN, LINE_END_LF, LINE_END_CR };

/* How the first line of s ends: LF (CRLF and a stray CR before the LF,
 * "\r\r\n", too: one line end, not a bare CR and a CRLF), a bare CR (old
 * Mac files), or unseen yet (no line end, or only CRs at the end of s:
 * whether an LF follows them is not known). */
static enum line_end first_line_end(const char *s, size_t n)
{
	const char *lf = memchr(s, '\n', n), *cr = memchr(s, '\r', n);
	if (!cr)
		return lf ? LINE_END_LF : LINE_END_UNSEEN;
	if (lf && lf < cr)
		return LINE_END_LF;
	const char *p = cr;
	while (p < s + n && *p == '\r')
		p++;
	if (p == s + n)
		return LINE_END_UNSEEN;
	return *p == '\n' ? LINE_END_LF : LINE_END_CR;
}

/* Guess the separator from the first line: the most frequent of TAB ';'
 * ',' outside quotes (',' when none). */
static int guess_separator(const char *s, size_t n)
{
	size_t tabs = 0, semis = 0, commas = 0;
	bool quoted = false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (ch == '\n' || ch == '\r')
			break;
		else if (ch == '\t')
			tabs++;
		else if (ch == ';')
			semis++;
		else if (ch == ',')
			commas++;
	}
	if (tabs > commas && tabs >= semis)
		return '\t';
	if (semis > commas)
		return ';';
	return ',';
}

static int no_space(unsigned char ch)
{
	(void)ch;
	return 0;
}

static int parser_init(struct csvin *c)
{
	if (csv_init(&c->parser, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return -1;
	csv_set_delim(&c->parser, (unsigned char)c->sep);
	/* Keep spaces: libcsv would otherwise trim them, and TAB with them. */
	csv_set_space_func(&c->parser, no_space);
	return 0;
}

int csvin_open(struct csvin *c, const char *path, int sep, enum csvin_encoding enc)
{
	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->next_line = 1;
	if (!path || strcmp(path, "-") == 0) {
		c->file = "<stdin>";
		c->fd = 0;
	} else {
		c->file = path;
		c->fd = open(path, O_RDONLY);
		if (c->fd < 0)
			return -1;
	}
	/* Sniff the first bytes for a BOM, in single-byte mode. */
	c->enc = CSVIN_UTF8;
	while (!c->eof && c->buf_end < 4)
		if (fill(c) < 0)
			return -1;
	const unsigned char *b = (const unsigned char *)c->buf;
	size_t have = c->buf_end;
	enum csvin_encoding bom = CSVIN_AUTO;
	size_t bom_len = 0;
	if (have >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF)
		bom = CSVIN_UTF8, bom_len = 3;
	else if (have >= 2 && b[0] == 0xFF && b[1] == 0xFE)
		bom = CSVIN_UTF16LE, bom_len = 2;
	else if (have >= 2 && b[0] == 0xFE && b[1] == 0xFF)
		bom = CSVIN_UTF16BE, bom_len = 2;
	/* A byte order mark is proof: it wins over the encoding asked for. */
	if (bom != CSVIN_AUTO) {
		enc = bom;
		c->bom = true;
		c->buf_start = bom_len;
	} else if (enc == CSVIN_AUTO) {
		enc = CSVIN_UTF8;
	}
	c->enc = enc;
	c->enc_pending = enc == CSVIN_CP1252 && !c->bom;
	if (enc == CSVIN_UTF16LE || enc == CSVIN_UTF16BE) {
		/* What was read so far is UTF-16: move it to the byte side. */
		size_t n = c->buf_end - c->buf_start;
		if (grow(&c->in, &c->in_cap, n + CSVIN_CHUNK, 1) < 0)
			return -1;
		memcpy(c->in, c->buf + c->buf_start, n);
		c->in_len = n;
		c->buf_start = c->buf_end = 0;
		if (utf16_drain(c) < 0)
			return -1;
	}
	/* Enough text to see the first line end (or the whole input). */
	for (;;) {
		const char *s = c->buf + c->buf_start;
		size_t n = c->buf_end - c->buf_start;
		if (first_line_end(s, n) != LINE_END_UNSEEN || c->eof)
			break;
		if (fill(c) < 0)
			return -1;
	}
	const char *s = c->buf + c->buf_start;
	size_t n = c->buf_end - c->buf_start;
	c->cr_mode = first_line_end(s, n) == LINE_END_CR;
	c->sep = sep ? sep : guess_separator(s, n);
	if (parser_init(c) < 0) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* Whether s holds a byte >= 0x80. */
static bool has_high_byte(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return true;
	return false;
}

/* Line LINENO of a file without a BOM read with the cp1252 fallback: the
 * first line not ASCII decides UTF-8 or cp1252 for the whole file; once
 * UTF-8 was decided, a line not UTF-8 is -1 (c->err set); else 0. */
static int sniff_line(struct csvin *c, const char *s, size_t n, long lineno)
{
	if (!has_high_byte(s, n))
		return 0;
	bool utf8 = tsv_valid_utf8(s, n);
	if (c->enc_pending) {
		c->enc_pending = false;
		c->enc_line = lineno;
		c->enc = utf8 ? CSVIN_UTF8 : CSVIN_CP1252;
		return 0;
	}
	if (utf8)
		return 0;
	snprintf(c->err, sizeof c->err,
		 "not UTF-8, though line %ld was and made the file UTF-8 (two files in two encodings joined?)",
		 c->enc_line);
	return -1;
}

void csvin_set_encoding(struct csvin *c, enum csvin_encoding enc)
{
	if (c->bom || c->enc_line || c->enc == CSVIN_UTF16LE || c->enc == CSVIN_UTF16BE)
		return;
	if (enc != CSVIN_UTF8 && enc != CSVIN_CP1252)
		return;
	c->enc = enc;
	c->enc_pending = enc == CSVIN_CP1252;
	if (c->enc_pending && c->raw) /* the header just read may decide */
		(void)sniff_line(c, c->raw, c->raw_len, c->line);
}

/* The next physical line (with its terminator) in line and len; 1, 0 at
 * end of input, -1 on a read error. */
static int take_line(struct csvin *c, const char **line, size_t *len)
{
	char term = c->cr_mode ? '\r' : '\n';
	size_t scanned = 0;
	for (;;) {
		const char *s = c->buf + c->buf_start;
		size_t n = c->buf_end - c->buf_start;
		const char *t = memchr(s + scanned, term, n - scanned);
		if (t) {
			*line = s;
			*len = (size_t)(t - s) + 1;
			c->buf_start += *len;
			return 1;
		}
		if (c->eof) {
			if (n == 0)
				return 0;
			*line = s;
			*len = n;
			c->buf_start += n;
			return 1;
		}
		scanned = n;
		if (fill(c) < 0)
			return -1;
	}
}

static bool blank_line(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != '\n' && s[i] != '\r')
			return false;
	return true;
}

/* Transcode a cp1252 line into line_tx (0x81 0x8D 0x8F 0x90 0x9D, which
 * cp1252 leaves undefined, become the C1 controls of their value, as the
 * WHATWG index has them). */
static int single_byte_to_utf8(struct csvin *c, const char *s, size_t n, const char **out)
{
	if (grow(&c->line_tx, &c->line_tx_cap, n * 3 + 1, 1) < 0)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		uint32_t cp = ch;
		if (ch >= 0x80 && ch <= 0x9F)
			cp = cp1252_high[ch - 0x80];
		k += put_utf8(c->line_tx + k, cp);
	}
	*out = c->line_tx;
	return (int)k;
}

/* A line holding a whole record with no quote and no line-end character
 * inside is split here, field by field, exactly as libcsv would split it
 * (spaces kept): most lines of most exports are like that, and handing
 * each byte to libcsv's state machine and each field to a callback
 * through a pointer was most of the reader's time.  Anything else goes to
 * libcsv.  Returns whether the line was taken. */
static bool split_plain(struct csvin *c, const char *s, size_t n)
{
	if (n > 0 && s[n - 1] == '\n')
		n--;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (memchr(s, '"', n) || memchr(s, '\n', n) || memchr(s, '\r', n))
		return false;
	/* each field's bytes and its NUL: never more than 2n + 2 */
	if (2 * n + 2 > c->fbuf_cap && grow(&c->fbuf, &c->fbuf_cap, 2 * n + 2, 1) < 0) {
		c->oom = true;
		return true;
	}
	const char sep = (char)c->sep;
	const bool *want = c->want;
	const size_t nwant = c->nwant;
	char *fbuf = c->fbuf;
	size_t *foff = c->foff, *flen = c->flen;
	size_t nf = 0, blen = 0, start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != sep)
			continue;
		if (nf >= c->fcap) {
			if (grow_fields(c, nf + 1) < 0) {
				c->oom = true;
				return true;
			}
			foff = c->foff, flen = c->flen;
		}
		size_t len = i - start;
		if (!want || (nf < nwant && want[nf])) {
			memcpy(fbuf + blen, s + start, len);
			fbuf[blen + len] = '\0';
			foff[nf] = blen;
			flen[nf] = len;
			blen += len + 1;
		} else {
			foff[nf] = SIZE_MAX; /* not copied: reads as empty */
			flen[nf] = 0;
		}
		nf++;
		start = i + 1;
	}
	c->nf = nf;
	c->fbuf_len = blen;
	c->in_record = false;
	return true;
}

static void reset_record(struct csvin *c)
{
	c->nf = 0;
	c->fbuf_len = 0;
	c->rec_ready = false;
	c->rec_count_in_feed = 0;
	c->in_record = false;
}

static bool raw_copied(const struct csvin *c)
{
	return c->enc == CSVIN_CP1252;
}

/* Point c->raw at the current record's text, without its line end. */
static void set_raw(struct csvin *c)
{
	const char *r = raw_copied(c) ? c->rawbuf : c->buf + c->rec_off;
	size_t n = raw_copied(c) ? c->rawbuf_len : c->buf_start - c->rec_off;
	while (n > 0 && (r[n - 1] == '\n' || r[n - 1] == '\r'))
		n--;
	c->raw = r ? r : "";
	c->raw_len = n;
}

static int publish(struct csvin *c, long start)
{
	if (grow_fields(c, c->nf + 1) < 0)
		return -1;
	struct csvin_field *f = c->fields;
	if (c->want_idx) {
		/* Only the wanted columns change; the others stay "" (set when
		 * the array grew, or by csvin_want). */
		for (size_t k = 0; k < c->nwant_idx; k++) {
			size_t i = c->want_idx[k];
			if (i >= c->nf)
				break;
			f[i].s = c->fbuf + c->foff[i];
			f[i].len = c->flen[i];
		}
	} else {
		for (size_t i = 0; i < c->nf; i++) {
			f[i].s = c->foff[i] == SIZE_MAX ? "" : c->fbuf + c->foff[i];
			f[i].len = c->flen[i];
		}
	}
	c->nfields = c->nf;
	c->line = start;
	set_raw(c);
	return 0;
}

static int data_error(struct csvin *c, long start, const char *msg)
{
	c->line = start;
	set_raw(c);
	c->nfields = 0;
	snprintf(c->err, sizeof c->err, "%s", msg);
	csv_free(&c->parser);
	reset_record(c);
	c->rawbuf_len = 0;
	if (parser_init(c) < 0) {
		errno = ENOMEM;
		return -1;
	}
	errno = 0;
	return -1;
}

int csvin_next(struct csvin *c)
{
	if (c->done)
		return 0;
	if (!c->in_record) {
		c->nf = 0;
		c->fbuf_len = 0;
		c->rawbuf_len = 0;
	}
	c->err[0] = '\0';
	for (;;) {
		const char *line;
		size_t len;
		int got = take_line(c, &line, &len);
		if (got < 0)
			return -1;
		if (got == 0) {
			c->done = true;
			c->rec_ready = false;
			int rc = csv_fini(&c->parser, on_field, on_record, c);
			long start = c->in_record ? c->rec_start : c->next_line;
			if (rc != 0 || csv_error(&c->parser) == CSV_EPARSE) {
				if (c->in_record)
					return data_error(c, start,
							  "a quoted field is not closed at the end of the file");
			}
			if (c->rec_ready) {
				c->in_record = false;
				return publish(c, start) < 0 ? (errno = ENOMEM, -1) : 1;
			}
			return 0;
		}
		long this_line = c->next_line++;
		if (!c->in_record && blank_line(line, len))
			continue;
		if (!c->in_record) {
			c->rec_start = this_line;
			c->rec_off = (size_t)(line - c->buf);
			c->rawbuf_len = 0;
		}
		bool sniffing = c->enc_pending || (c->enc_line && c->enc == CSVIN_UTF8);
		if (sniffing && sniff_line(c, line, len, this_line) < 0) {
			char msg[sizeof c->err];
			memcpy(msg, c->err, sizeof msg);
			return data_error(c, c->rec_start, msg);
		}
		if (raw_copied(c)) {
			int k = single_byte_to_utf8(c, line, len, &line);
			if (k < 0)
				return -1;
			len = (size_t)k;
			if (grow(&c->rawbuf, &c->rawbuf_cap, c->rawbuf_len + len + 1, 1) < 0)
				return -1;
			memcpy(c->rawbuf + c->rawbuf_len, line, len);
			c->rawbuf_len += len;
		}
		const char *nul = memchr(line, '\0', len);
		if (nul) {
			char msg[160];
			snprintf(msg, sizeof msg,
				 "a NUL byte at byte %zu of line %ld: not text (UTF-16 without a "
				 "byte order mark? try --encoding utf-16le)",
				 (size_t)(nul - line) + 1, this_line);
			return data_error(c, c->rec_start, msg);
		}
		c->rec_ready = false;
		c->rec_count_in_feed = 0;
		if (!c->in_record && split_plain(c, line, len)) {
			if (c->oom) {
				errno = ENOMEM;
				return -1;
			}
			if (publish(c, c->rec_start) < 0) {
				errno = ENOMEM;
				return -1;
			}
			return 1;
		}
		size_t used = csv_parse(&c->parser, line, len, on_field, on_record, c);
		if (c->oom) {
			errno = ENOMEM;
			return -1;
		}
		if (used < len)
			return data_error(c, c->rec_start,
					  "bad quoting: a quote inside an unquoted field, or text after a closing quote");
		if (c->rec_count_in_feed > 1)
			return data_error(c, c->rec_start, "a carriage return inside a line, outside quotes");
		if (c->rec_ready) {
			c->in_record = false;
			if (publish(c, c->rec_start) < 0) {
				errno = ENOMEM;
				return -1;
			}
			return 1;
		}
		c->in_record = true;
	}
}

void csvin_close(struct csvin *c)
{
	if (c->fd > 0)
		close(c->fd);
	c->fd = -1;
	if (c->file)
		csv_free(&c->parser);
	free(c->in);
	free(c->buf);
	free(c->line_tx);
	free(c->fbuf);
	free(c->foff);
	free(c->flen);
	free(c->fields);
	free(c->rawbuf);
	free(c->want_idx);
	memset(c, 0, sizeof *c);
	c->fd = -1;
}

void csvin_want(struct csvin *c, const bool *want, size_t n)
{
	c->want = want;
	c->nwant = n;
	free(c->want_idx);
	c->want_idx = NULL;
	c->nwant_idx = 0;
	for (size_t i = 0; i < c->fcap; i++)
		c->fields[i] = (struct csvin_field){"", 0};
	if (!want)
		return;
	c->want_idx = malloc((n ? n : 1) * sizeof *c->want_idx);
	if (!c->want_idx) { /* fall back to copying every field */
		c->want = NULL;
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (want[i])
			c->want_idx[c->nwant_idx++] = i;
}

int csvin_encoding_parse(const char *name)
{
	static const struct {
		const char *name;
		enum csvin_encoding enc;
	} names[] = {
		{"auto", CSVIN_AUTO},       {"utf-8", CSVIN_UTF8},          {"utf8", CSVIN_UTF8},
		{"cp1252", CSVIN_CP1252},   {"windows-1252", CSVIN_CP1252}, {"latin1", CSVIN_CP1252},
		{"latin-1", CSVIN_CP1252},  {"iso-8859-1", CSVIN_CP1252},   {"utf-16le", CSVIN_UTF16LE},
		{"utf-16be", CSVIN_UTF16BE},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcasecmp(name, names[i].name) == 0)
			return (int)names[i].enc;
	return -1;
}

const char *csvin_encoding_name(enum csvin_encoding enc)
{
	switch (enc) {
	case CSVIN_AUTO: return "auto";
	case CSVIN_UTF8: return "utf-8";
	case CSVIN_CP1252: return "cp1252";
	case CSVIN_UTF16LE: return "utf-16le";
	case CSVIN_UTF16BE: return "utf-16be";
	}
	return "?";
}
