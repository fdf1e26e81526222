/* attribute.c - tally-attribute's engine: contributions aggregated into
 * points per (project, contributor), then exact shares (attribute.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attribute.h"
#include "date.h"
#include "diag.h"
#include "hash.h"

#define NO_PERIOD INT64_MIN /* bucket key of a kind without a cap */

/* Points of one (member, kind, cap period). */
struct attr_bucket {
	uint32_t member, kind;
	uint32_t next;   /* uncapped: the member's next bucket + 1, 0 at the end */
	int64_t raw;     /* weight x amount */
	int64_t decayed; /* each row's value x its decay factor, rounded */
	long count;
};

/* The row kept for one (project, contributor, kind, ref). */
struct attr_refkept {
	uint32_t member, kind;
	int64_t date, amount, value;
};

int attr_fail(char *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, ATTR_ERR, fmt, ap);
	va_end(ap);
	return ATTR_EDATA;
}

void attr_engine_init(struct attr_engine *e, const struct attr_config *cfg)
{
	memset(e, 0, sizeof *e);
	e->cfg = *cfg;
	e->last_date = INT64_MIN;
}

static int64_t day_of(int64_t t)
{
	return date_day(t);
}

/* The weight entry of a kind, NULL when the weights file lacks it. */
static const struct attr_kind *kind_weight(const struct attr_engine *e, const struct attr_row *row)
{
	static const struct attr_kind unit = {ATTR_POINT, -1, PERIOD_MONTH, 0};
	const struct attr_weights *w = e->cfg.weights;
	if (!w || !w->given)
		return &unit;
	long id = names_find(&w->names, row->kind, row->kind_len);
	return id < 0 ? NULL : &w->kinds[id];
}

static int member_of(struct attr_engine *e, const char *project, size_t plen, const char *who, size_t wlen,
		     uint32_t *member)
{
	char stack[512];
	size_t klen = plen + 1 + wlen;
	char *key = klen <= sizeof stack ? stack : malloc(klen);
	if (!key)
		return ATTR_ENOMEM;
	memcpy(key, project, plen);
	key[plen] = '\0';
	memcpy(key + plen + 1, who, wlen);
	uint32_t before = e->member_keys.n, p, c;
	int rc = names_intern(&e->member_keys, key, klen, member);
	if (key != stack)
		free(key);
	if (rc < 0)
		return ATTR_ENOMEM;
	if (*member < before)
		return ATTR_OK;
	if (names_intern(&e->names, project, plen, &p) < 0 || names_intern(&e->names, who, wlen, &c) < 0)
		return ATTR_ENOMEM;
	struct attr_member *m = grow_array(e->members, e->nmembers, &e->members_cap, sizeof *m, 64);
	if (!m)
		return ATTR_ENOMEM;
	e->members = m;
	memset(&m[e->nmembers], 0, sizeof *m);
	m[e->nmembers].project = p;
	m[e->nmembers].contributor = c;
	e->nmembers++;
	return ATTR_OK;
}

/* A row's value decayed to --as-of: value x 2^(-age / half-life), age in
 * whole days, rounded to the micro-point (half away from zero). */
static int64_t decay(struct attr_engine *e, int64_t value, int64_t date)
{
	if (e->cfg.half_life <= 0)
		return value;
	int64_t age = day_of(e->cfg.as_of) - day_of(date);
	if (age <= 0)
		return value;
	/* The factor of each age is computed once (the same expression, so
	 * the same double): a year of rows has a few hundred ages. */
	if (age >= ATTR_DECAY_AGES)
		return llround((double)value * exp2(-(double)age / (double)e->cfg.half_life));
	if (!e->decay_factor && !(e->decay_factor = calloc(ATTR_DECAY_AGES, sizeof *e->decay_factor)))
		return llround((double)value * exp2(-(double)age / (double)e->cfg.half_life));
	if (e->decay_factor[age] == 0)
		e->decay_factor[age] = exp2(-(double)age / (double)e->cfg.half_life);
	return llround((double)value * e->decay_factor[age]);
}

/* Add one counted contribution to its bucket, and its day and month. */
static int bucket_add(struct attr_engine *e, uint32_t member, uint32_t kind, int64_t date, int64_t value)
{
	const struct attr_kind *k = e->kind_info[kind];
	uint32_t b, d;
	bool added = true;
	struct attr_member *m = &e->members[member];
	if (k->cap >= 0) {
		/* Capped kinds: one bucket per period, found by a table. */
		int64_t period = period_of(date, k->period).index;
		if (keymap_get(&e->bucket_map, (uint64_t)member << 32 | kind, (uint64_t)period,
				      (uint32_t)e->nbuckets, &b, &added) < 0)
			return ATTR_ENOMEM;
	} else {
		/* Uncapped kinds: one bucket per kind, on the member's short list. */
		for (b = m->buckets; b && e->buckets[b - 1].kind != kind; b = e->buckets[b - 1].next)
			;
		added = b == 0;
		b = added ? (uint32_t)e->nbuckets : b - 1;
	}
	if (added) {
		struct attr_bucket *nb = grow_array(e->buckets, e->nbuckets, &e->buckets_cap, sizeof *nb, 256);
		if (!nb)
			return ATTR_ENOMEM;
		e->buckets = nb;
		nb[e->nbuckets] = (struct attr_bucket){member, kind, 0, 0, 0, 0};
		if (k->cap < 0) {
			nb[e->nbuckets].next = m->buckets;
			m->buckets = (uint32_t)e->nbuckets + 1;
		}
		e->nbuckets++;
	}
	struct attr_bucket *bk = &e->buckets[b];
	if (!money_add(bk->raw, value, &bk->raw) || !money_add(bk->decayed, decay(e, value, date), &bk->decayed))
		return ATTR_ERANGE;
	bk->count++;
	m->count++;
	if (e->cfg.count_days) {
		if (keymap_get(&e->day_map, member, (uint64_t)day_of(date), 0, &d, &added) < 0)
			return ATTR_ENOMEM;
		m->days += added;
	}
	if (e->cfg.method == ATTR_TIME) {
		if (keymap_get(&e->month_map, member, (uint64_t)period_of(date, PERIOD_MONTH).index, 0, &d,
				      &added) < 0)
			return ATTR_ENOMEM;
		m->months += added;
	}
	return ATTR_OK;
}

/* A second 64-bit hash, of another construction than FNV-1a (a
 * multiply-rotate over 8-byte words, then the splitmix64 finaliser), so
 * that the pair is a 128-bit fingerprint. */
static uint64_t hash_other(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = 0;
		memcpy(&w, s + i, n - i < 8 ? n - i : 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
		h = h << 31 | h >> 33;
	}
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	return h ^ h >> 31;
}

/* Keep one row per (member, kind, ref): the earliest, then the largest.
 * Refs are known by a 128-bit fingerprint of (member, kind, ref): two
 * different refs meet in it with a probability below 10^-26 for a
 * billion refs. */
static int ref_add(struct attr_engine *e, const struct attr_row *row, uint32_t member, uint32_t kind,
		   int64_t value)
{
	uint32_t ids[2] = {member, kind};
	uint64_t a = hash_fnv1a(hash_fnv1a(HASH_FNV_OFFSET, ids, sizeof ids), row->ref, row->ref_len);
	uint64_t b = hash_other(row->ref, row->ref_len) ^ ((uint64_t)member << 32 | kind) * 0x9e3779b97f4a7c15ULL;
	uint32_t id;
	bool added;
	if (keymap_get(&e->ref_map, a, b, (uint32_t)e->nrefs, &id, &added) < 0)
		return ATTR_ENOMEM;
	if (added) {
		struct attr_refkept *r = grow_array(e->refs, e->nrefs, &e->refs_cap, sizeof *r, 256);
		if (!r)
			return ATTR_ENOMEM;
		e->refs = r;
		r[e->nrefs++] = (struct attr_refkept){member, kind, row->date, row->amount, value};
		return ATTR_OK;
	}
	struct attr_refkept *k = &e->refs[id];
	e->duplicates++;
	if (row->date < k->date || (row->date == k->date && row->amount > k->amount))
		*k = (struct attr_refkept){member, kind, row->date, row->amount, value};
	return ATTR_OK;
}

int attr_add(struct attr_engine *e, const struct attr_row *row, char *err)
{
	e->rows++;
	uint32_t kind, nkinds = e->kinds.n;
	/* a row's kind is one of a few: first a slot by its first byte and length */
	uint8_t *fast = &e->kind_fast[((row->kind_len ? (unsigned char)row->kind[0] : 0u) ^ row->kind_len * 29) & (ATTR_KIND_FAST - 1)];
	if (*fast && e->kinds.len[*fast - 1] == row->kind_len &&
	    memcmp(e->kinds.s[*fast - 1], row->kind, row->kind_len) == 0)
		kind = *fast - 1u;
	else if (names_intern(&e->kinds, row->kind, row->kind_len, &kind) < 0)
		return ATTR_ENOMEM;
	else if (kind < UINT8_MAX)
		*fast = (uint8_t)(kind + 1);
	if (kind >= nkinds) {
		const struct attr_kind **ki = realloc(e->kind_info, e->kinds.n * sizeof *ki);
		if (!ki)
			return ATTR_ENOMEM;
		e->kind_info = ki;
		ki[kind] = kind_weight(e, row);
	}
	const struct attr_kind *k = e->kind_info[kind];
	if (!k) {
		char q[96];
		return attr_fail(err, "column \"kind\": %s has no weight in the weights file",
			    diag_quote(q, sizeof q, row->kind, row->kind_len));
	}
	if (e->cfg.have_as_of && day_of(row->date) > day_of(e->cfg.as_of)) {
		e->after_as_of++;
		return ATTR_OK;
	}
	if (e->cfg.have_since && row->date < e->cfg.since) {
		e->before_since++;
		return ATTR_OK;
	}
	if (k->weight == 0) {
		e->zero_weight++;
		return ATTR_OK;
	}
	const char *who = row->contributor;
	size_t wlen = row->contributor_len;
	bool merged = e->cfg.aliases && attr_aliases_resolve(e->cfg.aliases, &who, &wlen);
	uint32_t member;
	int st = member_of(e, row->project, row->project_len, who, wlen, &member);
	if (st)
		return st;
	if (merged) /* members[] is large: touched only when there is something to say */
		e->members[member].merged = true;
	if (row->date > e->last_date)
		e->last_date = row->date;
	int64_t value;
	if (!money_muldiv(row->amount, k->weight, ATTR_POINT, &value))
		return ATTR_ERANGE;
	if (row->ref_len > 0)
		return ref_add(e, row, member, kind, value);
	return bucket_add(e, member, kind, row->date, value);
}

int attr_add_points(struct attr_engine *e, const char *project, size_t plen, const char *who, size_t wlen,
		    int64_t points, long evidence)
{
	uint32_t member;
	int st = member_of(e, project, plen, who, wlen, &member);
	if (st)
		return st;
	struct attr_member *m = &e->members[member];
	if (!money_add(m->points, points, &m->points))
		return ATTR_ERANGE;
	m->raw = m->decayed = m->points;
	m->count += evidence;
	e->rows += evidence;
	return ATTR_OK;
}

/* ---- finishing --------------------------------------------------------- */

static const struct attr_engine *sort_engine; /* for the qsort comparators */

static int cmp_kind_id(const void *a, const void *b)
{
	return strcmp(sort_engine->kinds.s[*(const uint32_t *)a], sort_engine->kinds.s[*(const uint32_t *)b]);
}

/* The kind sums by member, then kind name: a counting sort by member,
 * then each member's few kinds in place by their names' rank. */
static int sort_kindsums(struct attr_engine *e)
{
	size_t n = e->nkindsums, nm = e->nmembers, nk = e->kinds.n;
	size_t *start = calloc(nm + 1, sizeof *start);
	uint32_t *kids = malloc((nk + 1) * sizeof *kids), *krank = malloc((nk + 1) * sizeof *krank);
	struct attr_kindsum *sorted = malloc((n + 1) * sizeof *sorted);
	if (!start || !kids || !krank || !sorted) {
		free(start), free(kids), free(krank), free(sorted);
		return ATTR_ENOMEM;
	}
	for (uint32_t i = 0; i < nk; i++)
		kids[i] = i;
	sort_engine = e;
	qsort(kids, nk, sizeof *kids, cmp_kind_id);
	for (uint32_t i = 0; i < nk; i++)
		krank[kids[i]] = i;
	for (size_t i = 0; i < n; i++)
		start[e->kindsums[i].member + 1]++;
	for (size_t m = 0; m < nm; m++)
		start[m + 1] += start[m];
	for (size_t i = 0; i < n; i++)
		sorted[start[e->kindsums[i].member]++] = e->kindsums[i];
	for (size_t i = 1; i < n; i++) /* insertion sort: runs of one member are short */
		for (size_t j = i; j > 0 && sorted[j - 1].member == sorted[j].member &&
				   krank[sorted[j - 1].kind] > krank[sorted[j].kind]; j--) {
			struct attr_kindsum t = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	free(e->kindsums);
	e->kindsums = sorted;
	e->kindsums_cap = n + 1;
	free(start), free(kids), free(krank);
	return ATTR_OK;
}

static int cmp_name_id(const void *a, const void *b)
{
	return strcmp(attr_name(sort_engine, *(const uint32_t *)a), attr_name(sort_engine, *(const uint32_t *)b));
}

/* e->rank: each name's place in strcmp order, so that sorting members
 * compares integers, not strings.  Names are all known by attr_finish. */
static int rank_names(struct attr_engine *e)
{
	uint32_t n = e->names.n, *ids = malloc(((size_t)n + 1) * sizeof *ids);
	free(e->rank);
	e->rank = malloc(((size_t)n + 1) * sizeof *e->rank);
	if (!ids || !e->rank) {
		free(ids);
		return ATTR_ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++)
		ids[i] = i;
	sort_engine = e;
	qsort(ids, n, sizeof *ids, cmp_name_id);
	for (uint32_t i = 0; i < n; i++)
		e->rank[ids[i]] = i;
	free(ids);
	return ATTR_OK;
}

/* Member indices, by project only: attr_shares sorts each project's
 * members totally. */
static int cmp_member_project(const void *a, const void *b)
{
	const struct attr_member *x = &sort_engine->members[*(const uint32_t *)a];
	const struct attr_member *y = &sort_engine->members[*(const uint32_t *)b];
	uint32_t px = sort_engine->rank[x->project], py = sort_engine->rank[y->project];
	return px < py ? -1 : px > py;
}

/* Member indices, by project, share (largest first), contributor. */
static int cmp_member_share(const void *a, const void *b)
{
	const struct attr_member *x = &sort_engine->members[*(const uint32_t *)a];
	const struct attr_member *y = &sort_engine->members[*(const uint32_t *)b];
	int c = cmp_member_project(a, b);
	if (c)
		return c;
	if (x->num != y->num)
		return x->num > y->num ? -1 : 1;
	uint32_t cx = sort_engine->rank[x->contributor], cy = sort_engine->rank[y->contributor];
	return cx < cy ? -1 : cx > cy;
}

/* Sort the members with cmp (over member indices), renumbering the kind
 * sums to follow. */
static int reorder_members(struct attr_engine *e, int (*cmp)(const void *, const void *))
{
	size_t n = e->nmembers;
	if (n == 0)
		return ATTR_OK;
	uint32_t *order = malloc(n * sizeof *order), *newpos = malloc(n * sizeof *newpos);
	struct attr_member *copy = malloc(n * sizeof *copy);
	if (!order || !newpos || !copy) {
		free(order), free(newpos), free(copy);
		return ATTR_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	sort_engine = e;
	qsort(order, n, sizeof *order, cmp);
	memcpy(copy, e->members, n * sizeof *copy);
	for (size_t i = 0; i < n; i++) {
		e->members[i] = copy[order[i]];
		newpos[order[i]] = (uint32_t)i;
	}
	for (size_t i = 0; i < e->nkindsums; i++)
		e->kindsums[i].member = newpos[e->kindsums[i].member];
	free(order), free(newpos), free(copy);
	return sort_kindsums(e);
}

/* Caps per bucket, then the sums per (member, kind) and per member. */
static int close_buckets(struct attr_engine *e)
{
	struct keymap map = {0};
	for (size_t i = 0; i < e->nbuckets; i++) {
		struct attr_bucket *b = &e->buckets[i];
		const struct attr_kind *k = e->kind_info[b->kind];
		int64_t cut = 0;
		if (k->cap >= 0 && b->raw > k->cap) {
			cut = b->raw - k->cap;
			/* decayed x cap / raw, half to even: the cap scales the period's points. */
			if (!money_muldiv(b->decayed, k->cap, b->raw, &b->decayed))
				goto range;
			e->members[b->member].flood = true;
		}
		uint32_t id;
		bool added;
		if (keymap_get(&map, b->member, b->kind, (uint32_t)e->nkindsums, &id, &added) < 0)
			goto nomem;
		if (added) {
			struct attr_kindsum *ks = grow_array(e->kindsums, e->nkindsums, &e->kindsums_cap, sizeof *ks, 256);
			if (!ks)
				goto nomem;
			e->kindsums = ks;
			ks[e->nkindsums++] = (struct attr_kindsum){b->member, b->kind, 0, 0, 0, 0};
		}
		struct attr_kindsum *ks = &e->kindsums[id];
		struct attr_member *m = &e->members[b->member];
		if (!money_add(ks->raw, b->raw, &ks->raw) || !money_add(ks->decayed, b->decayed, &ks->decayed) ||
		    !money_add(m->raw, b->raw, &m->raw) || !money_add(m->decayed, b->decayed, &m->decayed))
			goto range;
		ks->cut += cut;
		ks->count += b->count;
	}
	keymap_free(&map);
	return ATTR_OK;
nomem:
	keymap_free(&map);
	return ATTR_ENOMEM;
range:
	keymap_free(&map);
	return ATTR_ERANGE;
}

static int64_t micro_of(double points)
{
	return llround(points * ATTR_POINT);
}

/* The share's weight of one member. */
static int64_t member_points(const struct attr_engine *e, const struct attr_member *m,
			     const struct attr_membership *membership)
{
	if (e->cfg.method == ATTR_EXTERNAL)
		return m->points;
	if (e->cfg.method == ATTR_TIME) {
		int64_t mm = m->months * ATTR_POINT;
		if (membership) {
			long id = names_find(&membership->names, attr_name(e, m->contributor),
						    e->names.len[m->contributor]);
			if (id >= 0)
				mm = membership->months[id];
		}
		return micro_of(sqrt((double)mm / ATTR_POINT));
	}
	double p = (double)m->decayed / ATTR_POINT;
	switch (e->cfg.transform) {
	case ATTR_SQRT:
		return micro_of(sqrt(p));
	case ATTR_LOG:
		return micro_of(log1p(p));
	case ATTR_LINEAR:
		break;
	}
	return m->decayed;
}

int attr_finish(struct attr_engine *e, const struct attr_membership *membership, char *err)
{
	int st;
	for (size_t i = 0; i < e->nrefs; i++) {
		const struct attr_refkept *r = &e->refs[i];
		if ((st = bucket_add(e, r->member, r->kind, r->date, r->value)))
			return st == ATTR_ERANGE ? attr_fail(err, "points too large"), ATTR_ERANGE : st;
	}
	if ((st = close_buckets(e)))
		return st == ATTR_ERANGE ? attr_fail(err, "points too large"), ATTR_ERANGE : st;
	for (size_t i = 0; i < e->nmembers; i++)
		e->members[i].points = member_points(e, &e->members[i], membership);
	if ((st = rank_names(e)) || (st = reorder_members(e, cmp_member_project)))
		return st;
	for (size_t i = 0; i < e->nmembers; i++) {
		if (e->nprojects == 0 || e->projects[e->nprojects - 1].name != e->members[i].project) {
			struct attr_project *p = realloc(e->projects, (e->nprojects + 1) * sizeof *p);
			if (!p)
				return ATTR_ENOMEM;
			e->projects = p;
			p[e->nprojects++] = (struct attr_project){e->members[i].project, i, 0, 0};
		}
		e->projects[e->nprojects - 1].n++;
		e->members[i].pindex = (uint32_t)(e->nprojects - 1);
	}
	return ATTR_OK;
}

/* ---- shares ------------------------------------------------------------ */

static attr_u128 gcd128(attr_u128 a, attr_u128 b)
{
	while (b) {
		attr_u128 t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* Drop, repeatedly, every member whose share is below min = a/b. */
static int apply_min(struct attr_engine *e, struct attr_project *p, struct ratio min, char *err)
{
	for (bool changed = true; changed;) {
		changed = false;
		attr_u128 den = 0;
		for (size_t i = p->first; i < p->first + p->n; i++)
			den += e->members[i].below_min ? 0 : (attr_u128)e->members[i].points;
		for (size_t i = p->first; i < p->first + p->n; i++) {
			struct attr_member *m = &e->members[i];
			/* points / den < a / b  <=>  points x b < a x den (a <= b, both < 2^63) */
			if (!m->below_min && (attr_u128)m->points * (attr_u128)min.den < (attr_u128)min.num * den) {
				m->below_min = changed = true;
			}
		}
	}
	for (size_t i = p->first; i < p->first + p->n; i++)
		if (!e->members[i].below_min)
			return ATTR_OK;
	return attr_fail(err, "project \"%s\": every contributor is below --min-share", attr_name(e, p->name));
}

/* Water-filling: capped members get exactly c/d, the others share the rest
 * in proportion to their points.  Sets num and den. */
static int apply_cap(struct attr_engine *e, struct attr_project *p, const struct ratio *cap, char *err)
{
	attr_u128 c = cap ? (attr_u128)cap->num : 1, d = cap ? (attr_u128)cap->den : 1, ncapped = 0, pu;
	for (bool changed = true;;) {
		pu = 0;
		for (size_t i = p->first; i < p->first + p->n; i++) {
			const struct attr_member *m = &e->members[i];
			if (!m->below_min && !m->capped)
				pu += (attr_u128)m->points;
		}
		if (!cap || !changed)
			break;
		changed = false;
		for (size_t i = p->first; i < p->first + p->n && pu > 0; i++) {
			struct attr_member *m = &e->members[i];
			/* share = points (d - k c) / (d pu) > c / d  <=>  points (d - k c) > c pu */
			if (!m->below_min && !m->capped && (attr_u128)m->points * (d - ncapped * c) > c * pu) {
				m->capped = changed = true;
			}
		}
		ncapped = 0;
		for (size_t i = p->first; i < p->first + p->n; i++)
			ncapped += e->members[i].capped;
	}
	if (pu == 0 && (ncapped == 0 || ncapped * c != d))
		return attr_fail(err, ncapped ? "project \"%s\": --cap leaves a part no contributor may take (%u capped)"
					 : "project \"%s\": no contributor has points",
			    attr_name(e, p->name), (unsigned)ncapped);
	if (pu == 0)
		pu = 1;
	p->den = d * pu;
	for (size_t i = p->first; i < p->first + p->n; i++) {
		struct attr_member *m = &e->members[i];
		m->num = m->below_min ? 0 : m->capped ? c * pu : (attr_u128)m->points * (d - ncapped * c);
	}
	return ATTR_OK;
}

static void reduce_project(struct attr_engine *e, struct attr_project *p)
{
	attr_u128 g = p->den;
	for (size_t i = p->first; i < p->first + p->n && g > 1; i++)
		g = gcd128(g, e->members[i].num);
	p->den /= g;
	for (size_t i = p->first; i < p->first + p->n; i++)
		e->members[i].num /= g;
}

int attr_shares(struct attr_engine *e, const struct ratio *min_share, const struct ratio *cap, char *err)
{
	for (size_t k = 0; k < e->nprojects; k++) {
		struct attr_project *p = &e->projects[k];
		int st;
		if (min_share && (st = apply_min(e, p, *min_share, err)))
			return st;
		if ((st = apply_cap(e, p, cap, err)))
			return st;
		reduce_project(e, p);
		if (p->den > INT64_MAX)
			return attr_fail(err, "project \"%s\": the shares' denominator is beyond 64 bits", attr_name(e, p->name)),
			       ATTR_ERANGE;
	}
	/* Projects keep their order and sizes: only members within them move. */
	return reorder_members(e, cmp_member_share);
}

struct ratio attr_member_share(const struct attr_engine *e, const struct attr_member *m)
{
	const struct attr_project *p = &e->projects[m->pindex];
	attr_u128 g = gcd128(p->den, m->num);
	if (g == 0)
		g = 1;
	return (struct ratio){(int64_t)(m->num / g), (int64_t)(p->den / g)};
}

void attr_engine_free(struct attr_engine *e)
{
	names_free(&e->names);
	names_free(&e->kinds);
	keymap_free(&e->ref_map);
	names_free(&e->member_keys);
	keymap_free(&e->bucket_map);
	keymap_free(&e->day_map);
	keymap_free(&e->month_map);
	free(e->members);
	free(e->buckets);
	free(e->refs);
	free(e->kindsums);
	free(e->projects);
	free(e->kind_info);
	free(e->decay_factor);
	free(e->rank);
	memset(e, 0, sizeof *e);
}

size_t attr_format_ratio(char *buf, struct ratio r)
{
	size_t n = money_format_int(buf, r.num);
	buf[n++] = '/';
	return n + money_format_int(buf + n, r.den);
}

size_t attr_format_points(char *buf, int64_t micro)
{
	return money_format(buf, micro, 0);
}
