/* kinds.c - the sales stream's kinds and the passed-over tally (kinds.h). */
#include "kinds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool kinds_known(const char *kind)
{
	static const char *const known[] = {
		"sale", "refund", "chargeback", "subscription", "tip", "fee", "payout", "adjustment",
	};
	for (size_t i = 0; i < sizeof known / sizeof *known; i++)
		if (strcmp(known[i], kind) == 0)
			return true;
	return false;
}

int kinds_tally_add(struct kinds_tally *t, const char *kind)
{
	t->total++;
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->kind[i], kind) == 0) {
			t->count[i]++;
			return 0;
		}
	char *copy = t->n < KINDS_TALLIED ? strdup(kind) : NULL;
	if (!copy) {
		t->other++;
		return t->n < KINDS_TALLIED ? -1 : 0;
	}
	t->kind[t->n] = copy;
	t->count[t->n++] = 1;
	return 0;
}

void kinds_tally_format(const struct kinds_tally *t, char *buf, size_t cap)
{
	size_t used = 0;
	if (cap)
		buf[0] = '\0';
	for (size_t i = 0; i < t->n && used < cap; i++)
		used += (size_t)snprintf(buf + used, cap - used, "%s%s %ld", i ? ", " : "",
					 t->kind[i][0] ? t->kind[i] : "\"\"", t->count[i]);
	if (t->other && used < cap)
		snprintf(buf + used, cap - used, "%sother kinds %ld", t->n ? ", " : "", t->other);
}

void kinds_tally_free(struct kinds_tally *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->kind[i]);
	t->n = 0;
}
