/* test_keyindex.c - unit tests of the hash table module (lib/core/keyindex.c).
 *
 * Plan: interned names keep dense ids in order of first sight, across
 * several rehashes, with any bytes (a NUL, the empty name as (NULL, 0));
 * pair-keyed maps keep a present key's id and say -1 for an absent one;
 * grow_array doubles and refuses a size that overflows. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyindex.h"
#include "tap.h"

static void test_index(void)
{
	struct names names = {0};
	struct keymap map = {0};
	uint32_t id, again;
	bool added, ok = true;
	char buf[32];

	names_intern(&names, "alpha", 5, &id);
	names_intern(&names, "beta", 4, &again);
	tap_ok(id == 0 && again == 1, "names get dense ids in order");
	for (int i = 0; i < 5000; i++) { /* forces several rehashes */
		snprintf(buf, sizeof buf, "name-%d", i);
		ok &= names_intern(&names, buf, strlen(buf), &id) == 0 && id == (uint32_t)i + 2;
	}
	names_intern(&names, "alpha", 5, &id);
	tap_ok(ok && id == 0 && names.n == 5002, "ids survive growth; an old name keeps its id");
	names_intern(&names, "a\0b", 3, &id);
	tap_ok(id == 5002 && names.len[id] == 3, "a name with a NUL byte is kept whole");
	tap_ok(names_find(&names, "name-4999", 9) == 5001 && names_find(&names, "nope", 4) == -1 &&
		       names_find(&names, "a", 1) == -1,
	       "names_find finds a name, and says -1 for one never added");
	names_free(&names);

	names_intern(&names, NULL, 0, &id);
	names_intern(&names, "", 0, &again);
	tap_ok(id == 0 && again == 0 && names.s[0][0] == '\0' && names_find(&names, NULL, 0) == 0,
	       "the empty name, given as (NULL, 0) or \"\", is one name");
	names_free(&names);
	tap_ok(names.n == 0 && names.s == NULL, "names_free zeroes");

	ok = true;
	for (uint32_t i = 0; i < 3000; i++)
		ok &= keymap_get(&map, i, i * 7, i, &id, &added) == 0 && added && id == i;
	keymap_get(&map, 5, 35, 9999, &id, &added);
	tap_ok(ok && !added && id == 5, "keymap: a present key keeps its id");
	tap_ok(keymap_find(&map, 2999, 2999 * 7) == 2999 && keymap_find(&map, 1, 1) == -1,
	       "keymap_find finds, and says -1 for an absent key");
	keymap_free(&map);
}

static void test_grow(void)
{
	size_t cap = 0;
	int *a = grow_array(NULL, 0, &cap, sizeof *a, 4);
	tap_ok(a && cap == 4, "an empty array gets its first room");
	int *b = grow_array(a, 3, &cap, sizeof *b, 4);
	tap_ok(b == a && cap == 4, "room left: the array as it was");
	b = grow_array(a, 4, &cap, sizeof *b, 4);
	tap_ok(b && cap == 8, "full: twice the room");
	size_t huge = SIZE_MAX / 2 + 1;
	errno = 0;
	tap_ok(grow_array(b, huge, &huge, 2, 4) == NULL && errno == ENOMEM && huge == SIZE_MAX / 2 + 1,
	       "a size that overflows: NULL, ENOMEM, the room as it was");
	free(b);
}

int main(void)
{
	test_index();
	test_grow();
	return tap_done();
}
