/* report_keys.c - the ledger's key record: which rows each closed period
 * booked (report_keys.h). */
#include "report_keys.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "report_ledger.h"
#include "keyindex.h"

uint64_t report_row_key(const char *const *f, const size_t *len, size_t n, unsigned occurrence)
{
	uint64_t h = HASH_FNV_OFFSET;
	for (size_t i = 0; i < n; i++) {
		h = hash_fnv1a(h, f[i], len[i]);
		h = hash_fnv1a(h, "", 1); /* NUL-separated: "ab","c" is not "a","bc" */
	}
	if (occurrence > 1) {
		char occ[16];
		int k = snprintf(occ, sizeof occ, "#%u", occurrence);
		h = hash_fnv1a(h, occ, (size_t)k);
	}
	h = hash_mix64(h);
	return h ? h : 1;
}

uint64_t report_paid_key(const char *ref, size_t len)
{
	const char *f[2] = {"paid outside tally", ref};
	size_t l[2] = {strlen(f[0]), len};
	return report_row_key(f, l, 2, 1);
}

/* Room for n records in all, exactly (no doubling: a record can be large). */
static int reserve(struct report_keys *ks, size_t n)
{
	if (n <= ks->cap)
		return 0;
	struct report_key *grown = realloc(ks->k, n * sizeof *grown);
	if (!grown)
		return -1;
	ks->k = grown;
	ks->cap = n;
	return 0;
}

int report_keys_add(struct report_keys *ks, uint64_t key, int64_t period, int64_t amount)
{
	struct report_key *grown = grow_array(ks->k, ks->n, &ks->cap, sizeof *grown, 256);
	if (!grown)
		return -1;
	ks->k = grown;
	ks->k[ks->n++] = (struct report_key){key, period, amount};
	return 0;
}

static int cmp_key(const void *pa, const void *pb)
{
	const struct report_key *a = pa, *b = pb;
	return (a->key > b->key) - (a->key < b->key);
}

bool report_keys_sort(struct report_keys *ks)
{
	if (ks->n > 1)
		qsort(ks->k, ks->n, sizeof *ks->k, cmp_key);
	for (size_t i = 1; i < ks->n; i++)
		if (ks->k[i].key == ks->k[i - 1].key)
			return false;
	return true;
}

const struct report_key *report_keys_find(const struct report_keys *ks, uint64_t key)
{
	size_t lo = 0, hi = ks->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ks->k[mid].key == key)
			return &ks->k[mid];
		if (ks->k[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void report_keys_drop_after(struct report_keys *ks, int64_t last)
{
	size_t j = 0;
	for (size_t i = 0; i < ks->n; i++)
		if (ks->k[i].period <= last)
			ks->k[j++] = ks->k[i];
	ks->n = j;
}

enum report_keys_match report_keys_check(struct report_keys *ks, uint64_t chain, bool has_last, int64_t last)
{
	if (ks->chain == chain)
		return REPORT_KEYS_WHOLE;
	if (ks->before != chain)
		return REPORT_KEYS_STRANGER;
	if (has_last)
		report_keys_drop_after(ks, last);
	else
		ks->n = 0;
	return REPORT_KEYS_RESUMED;
}

int report_keys_merge(struct report_keys *ks, const struct report_keys *add, uint64_t *dup)
{
	if (reserve(ks, ks->n + add->n) < 0)
		return -1;
	for (size_t i = 0; i < add->n; i++)
		if (report_keys_add(ks, add->k[i].key, add->k[i].period, add->k[i].amount) < 0)
			return -1;
	if (ks->n > 1)
		qsort(ks->k, ks->n, sizeof *ks->k, cmp_key);
	for (size_t i = 1; i < ks->n; i++)
		if (ks->k[i].key == ks->k[i - 1].key) {
			*dup = ks->k[i].key;
			return -2;
		}
	return 0;
}

/* ------------------------------------------------------------ reading */

static int bad(long *err_line, long line, char *err, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int bad(long *err_line, long line, char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	*err_line = line;
	return -2;
}

/* 16 lower-case hex digits at s, ending at TAB or NUL, into *v. */
static bool parse_hex(const char *s, size_t len, uint64_t *v)
{
	if (len != 16 || strspn(s, "0123456789abcdef") < 16)
		return false;
	*v = strtoull(s, NULL, 16);
	return true;
}

static bool parse_i64(const char *s, int64_t *v)
{
	char *end;
	errno = 0;
	long long x = strtoll(s, &end, 10);
	if (end == s || *end || errno)
		return false;
	*v = x;
	return true;
}

/* Split line (NUL-terminated, no line end) at TABs into exactly three
 * fields. */
static bool three_fields(char *line, char *f[3])
{
	f[0] = line;
	for (int i = 1; i < 3; i++) {
		char *tab = strchr(f[i - 1], '\t');
		if (!tab)
			return false;
		*tab = '\0';
		f[i] = tab + 1;
	}
	return strchr(f[2], '\t') == NULL;
}

/* One "KEY PERIOD AMOUNT" line into ks. */
static int key_line(struct report_keys *ks, char *f[3], long line, long *err_line, char *err, size_t cap)
{
	struct report_key k;
	struct period p;
	if (!parse_hex(f[0], strlen(f[0]), &k.key) || k.key == 0)
		return bad(err_line, line, err, cap, "\"%.40s\" is not a row key (16 hex digits)", f[0]);
	if (period_parse(f[1], strlen(f[1]), &p) < 0 || p.kind != ks->kind)
		return bad(err_line, line, err, cap, "\"%.40s\" is not a period of the ledger's kind", f[1]);
	if (!parse_i64(f[2], &k.amount))
		return bad(err_line, line, err, cap, "\"%.40s\" is not an amount in micro-units", f[2]);
	k.period = p.index;
	if (ks->n && ks->k[ks->n - 1].key >= k.key)
		return bad(err_line, line, err, cap, "the keys are not in order, or one is twice: the record was edited");
	if (report_keys_add(ks, k.key, k.period, k.amount) < 0)
		return errno = ENOMEM, -1;
	return 0;
}

/* The record's lines in text[0..len) (NUL-terminated). */
static int parse_record(struct report_keys *ks, char *text, size_t len, long *err_line, char *err, size_t cap)
{
	char *p = text, *f[3];
	long line = 0;
	uint64_t digest = HASH_FNV_OFFSET;

	while (p < text + len) {
		char *nl = strchr(p, '\n');
		if (!nl)
			return bad(err_line, line + 1, err, cap, "the last line has no line end: the record is truncated");
		size_t ll = (size_t)(nl - p) + 1;
		*nl = '\0';
		line++;
		if (line == 1) {
			if (strcmp(p, REPORT_KEYS_MAGIC) != 0)
				return bad(err_line, 1, err, cap, "not a key record (\"%s\")", REPORT_KEYS_MAGIC);
		} else if (!three_fields(p, f)) {
			return bad(err_line, line, err, cap, "a line of three TAB-separated fields was expected");
		} else if (line == 2) {
			if (strcmp(f[0], "chain") != 0 || !parse_hex(f[1], strlen(f[1]), &ks->chain) ||
			    !parse_hex(f[2], strlen(f[2]), &ks->before))
				return bad(err_line, 2, err, cap, "the second line must be \"chain\", CHAIN and BEFORE");
		} else if (strcmp(f[0], "end") == 0) {
			uint64_t want;
			int64_t count;
			if (!parse_i64(f[1], &count) || count != (int64_t)ks->n || !parse_hex(f[2], strlen(f[2]), &want) ||
			    want != digest)
				return bad(err_line, line, err, cap, "the end line does not match the lines before: the record was edited or damaged");
			if (nl + 1 != text + len)
				return bad(err_line, line + 1, err, cap, "lines after the end line");
			return 0;
		} else {
			int rc = key_line(ks, f, line, err_line, err, cap);
			if (rc)
				return rc;
		}
		/* the digest is of the line as written: restore the TABs it had */
		for (char *q = p; q < nl; q++)
			if (*q == '\0')
				*q = '\t';
		digest = hash_fnv1a(digest, p, ll - 1);
		digest = hash_fnv1a(digest, "\n", 1);
		p = nl + 1;
	}
	return bad(err_line, line, err, cap, "no end line: the record is truncated");
}

int report_keys_load(struct report_keys *ks, const char *path, enum period_kind kind, long *err_line,
		     char *err, size_t cap)
{
	char *text;
	size_t len;

	memset(ks, 0, sizeof *ks);
	ks->kind = kind;
	*err_line = 0;
	int rc = report_read_file(path, &text, &len);
	if (rc)
		return rc;
	char *z = realloc(text, len + 1);
	if (!z) {
		free(text);
		return errno = ENOMEM, -1;
	}
	z[len] = '\0';
	size_t lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += z[i] == '\n';
	if (lines > 3 && reserve(ks, lines - 3) < 0) {
		free(z);
		return errno = ENOMEM, -1;
	}
	rc = strlen(z) != len ? bad(err_line, 0, err, cap, "a NUL byte: not a key record")
			      : parse_record(ks, z, len, err_line, err, cap);
	free(z);
	if (rc) {
		int e = errno;
		report_keys_free(ks);
		errno = e;
	}
	return rc;
}

/* ------------------------------------------------------------ writing */

/* Write the line and continue the digest over it. */
static void put_line(struct out *o, uint64_t *digest, const char *line, size_t len)
{
	out_write(o, line, len);
	*digest = hash_fnv1a(*digest, line, len);
}

void report_keys_write(const struct report_keys *ks, uint64_t chain, uint64_t before, struct out *o)
{
	uint64_t digest = HASH_FNV_OFFSET;
	char line[128], per[DATE_BUF];
	int n = snprintf(line, sizeof line, "%s\nchain\t%016" PRIx64 "\t%016" PRIx64 "\n", REPORT_KEYS_MAGIC, chain,
			 before);
	put_line(o, &digest, line, (size_t)n);
	for (size_t i = 0; i < ks->n; i++) {
		period_format(per, (struct period){ks->kind, ks->k[i].period});
		n = snprintf(line, sizeof line, "%016" PRIx64 "\t%s\t%" PRId64 "\n", ks->k[i].key, per, ks->k[i].amount);
		put_line(o, &digest, line, (size_t)n);
	}
	out_printf(o, "end\t%zu\t%016" PRIx64 "\n", ks->n, digest);
}

void report_keys_free(struct report_keys *ks)
{
	free(ks->k);
	memset(ks, 0, sizeof *ks);
}
