/* keyindex.c - interned names and pair-keyed maps: the one hash table
 * module (keyindex.h). */
#include "keyindex.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

#define FIRST_MASK 1023 /* 1024 slots to start: most runs never grow */

void *grow_array(void *array, size_t n, size_t *cap, size_t size, size_t first)
{
	if (n < *cap)
		return array;
	size_t ncap = *cap ? *cap * 2 : first;
	void *grown = ncap < *cap || ncap > SIZE_MAX / size ? NULL : realloc(array, ncap * size);
	if (!grown) {
		errno = ENOMEM;
		return NULL;
	}
	*cap = ncap;
	return grown;
}

uint32_t pack_currency(const char *code)
{
	return (uint32_t)(unsigned char)code[0] << 16 | (uint32_t)(unsigned char)code[1] << 8 |
	       (unsigned char)code[2];
}

/* ------------------------------------------------------------ names */

static uint64_t hash_name(const char *s, size_t len)
{
	return hash_table(len ? s : "", len);
}

static int names_rehash(struct names *t)
{
	size_t nmask = t->mask ? t->mask * 2 + 1 : FIRST_MASK;
	struct name_slot *slots = calloc(nmask + 1, sizeof *slots);
	if (!slots)
		return -1;
	for (uint32_t id = 0; id < t->n; id++) {
		size_t i = t->hash[id] & nmask;
		while (slots[i].id)
			i = (i + 1) & nmask;
		slots[i] = (struct name_slot){id + 1, (uint32_t)(t->hash[id] >> 32)};
	}
	free(t->slot);
	t->slot = slots;
	t->mask = nmask;
	return 0;
}

/* Room for one more name in the three parallel arrays. */
static int names_reserve(struct names *t)
{
	if (t->n < t->cap)
		return 0;
	uint32_t ncap = t->cap ? t->cap * 2 : 1024;
	if (ncap < t->cap)
		return -1;
	char **s = realloc(t->s, ncap * sizeof *s);
	if (!s)
		return -1;
	t->s = s;
	uint32_t *len = realloc(t->len, ncap * sizeof *len);
	if (!len)
		return -1;
	t->len = len;
	uint64_t *hash = realloc(t->hash, ncap * sizeof *hash);
	if (!hash)
		return -1;
	t->hash = hash;
	t->cap = ncap;
	return 0;
}

int names_intern(struct names *t, const char *s, size_t len, uint32_t *id)
{
	if (!len)
		s = ""; /* the empty name may come as (NULL, 0) */
	uint64_t h = hash_name(s, len);
	size_t i;

	if (!t->slot && names_rehash(t) < 0)
		goto nomem;
	for (i = h & t->mask; t->slot[i].id; i = (i + 1) & t->mask) {
		uint32_t old = t->slot[i].id - 1;
		if (t->slot[i].check == (uint32_t)(h >> 32) && t->len[old] == len && memcmp(t->s[old], s, len) == 0) {
			*id = old;
			return 0;
		}
	}
	if (len > UINT32_MAX || names_reserve(t) < 0)
		goto nomem;
	/* At most half full, so probes stay short: grow before adding, so a
	 * failure leaves the table as it was. */
	if ((size_t)t->n + 1 > t->mask / 2) {
		if (names_rehash(t) < 0)
			goto nomem;
		for (i = h & t->mask; t->slot[i].id; i = (i + 1) & t->mask)
			;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		goto nomem;
	memcpy(copy, s, len);
	copy[len] = '\0';
	uint32_t new_id = t->n++;
	t->s[new_id] = copy;
	t->len[new_id] = (uint32_t)len;
	t->hash[new_id] = h;
	t->slot[i] = (struct name_slot){new_id + 1, (uint32_t)(h >> 32)};
	*id = new_id;
	return 0;
nomem:
	errno = ENOMEM;
	return -1;
}

long names_find(const struct names *t, const char *s, size_t len)
{
	if (!len)
		s = "";
	uint64_t h = hash_name(s, len);
	if (!t->slot)
		return -1;
	for (size_t i = h & t->mask; t->slot[i].id; i = (i + 1) & t->mask) {
		uint32_t old = t->slot[i].id - 1;
		if (t->slot[i].check == (uint32_t)(h >> 32) && t->len[old] == len && memcmp(t->s[old], s, len) == 0)
			return old;
	}
	return -1;
}

void names_free(struct names *t)
{
	for (uint32_t id = 0; id < t->n; id++)
		free(t->s[id]);
	free(t->s);
	free(t->len);
	free(t->hash);
	free(t->slot);
	memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------ keymap */

static uint64_t mix64(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x632BE59BD9B4E019ULL) * 0xC2B2AE3D27D4EB4FULL;
	return h ^ (h >> 31);
}

static int keymap_rehash(struct keymap *m)
{
	size_t nmask = m->mask ? m->mask * 2 + 1 : FIRST_MASK;
	struct keyslot *slots = calloc(nmask + 1, sizeof *slots);
	if (!slots)
		return -1;
	for (size_t j = 0; m->slot && j <= m->mask; j++)
		if (m->slot[j].id) {
			size_t i = mix64(m->slot[j].a, m->slot[j].b) & nmask;
			while (slots[i].id)
				i = (i + 1) & nmask;
			slots[i] = m->slot[j];
		}
	free(m->slot);
	m->slot = slots;
	m->mask = nmask;
	return 0;
}

int keymap_get(struct keymap *m, uint64_t a, uint64_t b, uint32_t next_id, uint32_t *id,
		      bool *added)
{
	size_t i;
	if (!m->slot && keymap_rehash(m) < 0) {
		errno = ENOMEM;
		return -1;
	}
	for (i = mix64(a, b) & m->mask; m->slot[i].id; i = (i + 1) & m->mask)
		if (m->slot[i].a == a && m->slot[i].b == b) {
			*added = false;
			*id = m->slot[i].id - 1;
			return 0;
		}
	/* At most half full, so probes stay short: grow before adding, so a
	 * failure leaves the map as it was. */
	if (m->n + 1 > m->mask / 2) {
		if (keymap_rehash(m) < 0) {
			errno = ENOMEM;
			return -1;
		}
		for (i = mix64(a, b) & m->mask; m->slot[i].id; i = (i + 1) & m->mask)
			;
	}
	m->slot[i] = (struct keyslot){a, b, next_id + 1};
	m->n++;
	*added = true;
	*id = next_id;
	return 0;
}

long keymap_find(const struct keymap *m, uint64_t a, uint64_t b)
{
	if (!m->slot)
		return -1;
	for (size_t i = mix64(a, b) & m->mask; m->slot[i].id; i = (i + 1) & m->mask)
		if (m->slot[i].a == a && m->slot[i].b == b)
			return (long)m->slot[i].id - 1;
	return -1;
}

void keymap_free(struct keymap *m)
{
	free(m->slot);
	memset(m, 0, sizeof *m);
}
