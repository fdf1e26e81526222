/* split_state.c - tally-split's state file: recouped amounts of capped
 * tiers and the set of rows already split (see split_state.h). */
#include "split_state.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "hash.h"
#include "money.h"
#include "tsv.h"

uint64_t split_state_key(const char *source, const char *order, const char *line,
			 const char *kind)
{
	const char *parts[4] = {source, order, line, kind};
	uint64_t h = HASH_FNV_OFFSET;
	for (int i = 0; i < 4; i++) /* each with its NUL, which separates them */
		h = hash_fnv1a(h, parts[i], strlen(parts[i]) + 1);
	/* splitmix64's finaliser spreads FNV's weak low bits. */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h ? h : 1;
}

static int grow(struct split_state *s)
{
	size_t n = s->nslots ? s->nslots * 2 : 1024;
	struct split_state_seen *slots = calloc(n, sizeof *slots);
	if (!slots)
		return -1;
	for (size_t i = 0; i < s->nslots; i++) {
		if (!s->slots[i].hash)
			continue;
		size_t j = (size_t)s->slots[i].hash & (n - 1);
		while (slots[j].hash)
			j = (j + 1) & (n - 1);
		slots[j] = s->slots[i];
	}
	free(s->slots);
	s->slots = slots;
	s->nslots = n;
	return 0;
}

bool split_state_lookup(const struct split_state *s, uint64_t hash, int64_t *day)
{
	if (!s->nslots)
		return false;
	for (size_t j = (size_t)hash & (s->nslots - 1); s->slots[j].hash; j = (j + 1) & (s->nslots - 1))
		if (s->slots[j].hash == hash) {
			if (day)
				*day = s->slots[j].day;
			return true;
		}
	return false;
}

int split_state_add(struct split_state *s, uint64_t hash, int64_t day)
{
	if (2 * (s->nseen + 1) > s->nslots && grow(s) < 0)
		return -1;
	size_t j = (size_t)hash & (s->nslots - 1);
	for (; s->slots[j].hash; j = (j + 1) & (s->nslots - 1))
		if (s->slots[j].hash == hash)
			return 0;
	s->slots[j].hash = hash;
	s->slots[j].day = day;
	s->nseen++;
	return 0;
}

__attribute__((format(printf, 4, 5))) static int bad(long *err_line, long line, char *err,
						     const char *fmt, ...)
{
	va_list ap;
	*err_line = line;
	va_start(ap, fmt);
	vsnprintf(err, 256, fmt, ap);
	va_end(ap);
	return -2;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* One record (fields unescaped) into s. */
static int read_record(struct split_state *s, char **f, size_t nf, long line, long *err_line,
		       char *err)
{
	if (strcmp(f[0], "seen") == 0 && nf == 3) {
		uint64_t h = 0;
		size_t n = strlen(f[1]);
		for (size_t i = 0; i < n; i++) {
			int v = hexval(f[1][i]);
			if (v < 0 || n != 16)
				return bad(err_line, line, err, "bad hash \"%s\"", f[1]);
			h = h << 4 | (uint64_t)v;
		}
		int64_t day;
		if (strlen(f[2]) != 10 || date_parse(f[2], 10, &day) < 0 || h == 0)
			return bad(err_line, line, err, "bad seen record");
		if (split_state_add(s, h, day) < 0)
			return -1;
		return 0;
	}
	if (strcmp(f[0], "cap") == 0 && nf == 7) {
		int64_t v;
		if (money_parse(f[6], strlen(f[6]), &v) != MONEY_OK || v < 0)
			return bad(err_line, line, err, "bad recouped amount \"%s\"", f[6]);
		void *p = realloc(s->caps, (s->ncaps + 1) * sizeof *s->caps);
		if (!p)
			return -1;
		s->caps = p;
		size_t n = 0;
		for (int i = 1; i < 6; i++)
			n += strlen(f[i]) + 1;
		char *key = malloc(n);
		if (!key)
			return -1;
		snprintf(key, n, "%s\t%s\t%s\t%s\t%s", f[1], f[2], f[3], f[4], f[5]);
		s->caps[s->ncaps].key = key;
		s->caps[s->ncaps++].recouped = v;
		return 0;
	}
	return bad(err_line, line, err, "not a state record");
}

int split_state_read(struct split_state *s, const char *path, long *err_line, char *err,
		     size_t errcap)
{
	(void)errcap;
	memset(s, 0, sizeof *s);
	*err_line = 0;
	FILE *fp = fopen(path, "r");
	if (!fp)
		return errno == ENOENT ? 0 : -1;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	long line = 0;
	int st = 0;
	while (st == 0 && (n = getline(&buf, &cap, fp)) >= 0) {
		line++;
		if (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		if (line == 1) {
			if (strcmp(buf, SPLIT_STATE_MAGIC) != 0)
				st = bad(err_line, 1, err, "not a tally-split state file (no \"%s\" line)",
					 SPLIT_STATE_MAGIC);
			continue;
		}
		char *f[8];
		size_t nf = 0;
		for (char *p = buf, *tok; nf < 8 && (tok = strsep(&p, "\t"));)
			f[nf++] = tok;
		for (size_t i = 0; i < nf; i++) {
			size_t l = tsv_unescape(f[i], strlen(f[i]));
			if (l == (size_t)-1) {
				st = bad(err_line, line, err, "invalid escape");
				break;
			}
			f[i][l] = '\0';
		}
		if (st == 0)
			st = read_record(s, f, nf, line, err_line, err);
	}
	if (st == 0 && ferror(fp))
		st = -1;
	if (st == 0 && line == 0)
		st = bad(err_line, 0, err, "empty file: not a tally-split state file");
	int saved = errno;
	free(buf);
	fclose(fp);
	if (st != 0) {
		split_state_free(s);
		errno = saved;
	}
	return st;
}

int split_state_bind(const struct split_state *s, struct split_rules *r, char *err, size_t errcap)
{
	for (size_t i = 0; i < s->ncaps; i++)
		for (size_t a = 0; a < r->n; a++) {
			const struct split_agreement *ag = &r->agreements[a];
			for (size_t t = 0; t < ag->ntiers; t++) {
				const struct split_tier *tier = &ag->tiers[t];
				if (!tier->capped || strcmp(r->caps[tier->cap_index].key, s->caps[i].key))
					continue;
				if (s->caps[i].recouped > tier->cap) {
					char got[MONEY_BUF], cap[MONEY_BUF];
					int d = currency_digits(tier->cap_currency, 3);
					money_format(got, s->caps[i].recouped, d);
					money_format(cap, tier->cap, d);
					snprintf(err, errcap,
						 "tier %ld of agreement \"%s\" (line %ld) has recouped %s %s, more than its cap %s",
						 tier->number, ag->match, tier->line, got, tier->cap_currency, cap);
					return -1;
				}
				r->caps[tier->cap_index].recouped = s->caps[i].recouped;
			}
		}
	return 0;
}

static int cmp_cap(const void *a, const void *b)
{
	return strcmp(((const struct split_state_cap *)a)->key, ((const struct split_state_cap *)b)->key);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* key "MATCH\tFROM\tTO\tTIER\tCUR": each part escaped. */
static void put_key(struct out *o, const char *key)
{
	for (const char *p = key;;) {
		const char *tab = strchr(p, '\t');
		size_t n = tab ? (size_t)(tab - p) : strlen(p);
		out_putc(o, '\t');
		tsv_escape_to(o, p, n);
		if (!tab)
			break;
		p = tab + 1;
	}
}

void split_state_write(const struct split_state *s, const struct split_rules *r, struct out *o)
{
	out_puts(o, SPLIT_STATE_MAGIC "\n");
	/* counters: the rules' and the others read, sorted by key */
	size_t n = r->ncaps + s->ncaps;
	struct split_state_cap *all = malloc((n ? n : 1) * sizeof *all);
	if (!all) {
		o->err = o->err ? o->err : ENOMEM;
		return;
	}
	size_t k = 0;
	for (size_t i = 0; i < r->ncaps; i++)
		all[k++] = (struct split_state_cap){r->caps[i].key, r->caps[i].recouped};
	for (size_t i = 0; i < s->ncaps; i++) {
		bool known = false;
		for (size_t j = 0; j < r->ncaps && !known; j++)
			known = strcmp(r->caps[j].key, s->caps[i].key) == 0;
		if (!known)
			all[k++] = s->caps[i];
	}
	qsort(all, k, sizeof *all, cmp_cap);
	for (size_t i = 0; i < k; i++) {
		out_puts(o, "cap");
		put_key(o, all[i].key);
		const char *cur = strrchr(all[i].key, '\t');
		int d = cur ? currency_digits(cur + 1, strlen(cur + 1)) : 2;
		char amount[MONEY_BUF];
		money_format(amount, all[i].recouped, d < 0 ? 2 : d);
		out_printf(o, "\t%s\n", amount);
	}
	free(all);
	/* seen rows, sorted by hash: the hash and the day side by side */
	uint64_t *pairs = malloc((s->nseen ? s->nseen : 1) * 2 * sizeof *pairs);
	if (!pairs) {
		o->err = o->err ? o->err : ENOMEM;
		return;
	}
	k = 0;
	for (size_t i = 0; i < s->nslots; i++)
		if (s->slots[i].hash) {
			pairs[2 * k] = s->slots[i].hash;
			pairs[2 * k + 1] = (uint64_t)s->slots[i].day;
			k++;
		}
	qsort(pairs, k, 2 * sizeof *pairs, cmp_u64);
	for (size_t i = 0; i < k; i++) {
		char day[DATE_BUF];
		date_format_day(day, (int64_t)pairs[2 * i + 1]);
		out_printf(o, "seen\t%016" PRIx64 "\t%s\n", pairs[2 * i], day);
	}
	free(pairs);
}

void split_state_free(struct split_state *s)
{
	for (size_t i = 0; i < s->ncaps; i++)
		free(s->caps[i].key);
	free(s->caps);
	free(s->slots);
	memset(s, 0, sizeof *s);
}
