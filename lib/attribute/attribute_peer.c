/* attribute_peer.c - peer allocation from budgets and gifts, in checked
 * integer arithmetic (attribute_peer.h). */
#include "attribute_peer.h"

#include <stdlib.h>

const char *attr_peer_strerror(int status)
{
	switch (status) {
	case ATTR_PEER_OK: return "success";
	case ATTR_PEER_ESELF: return "a member cannot give to itself";
	case ATTR_PEER_EMEMBER: return "a gift names an unknown member or period";
	case ATTR_PEER_EPOINTS: return "points and budgets cannot be negative";
	case ATTR_PEER_EBUDGET: return "a member gives more than its budget in a period";
	case ATTR_PEER_EOPTOUT: return "a gift to a member who opted out";
	case ATTR_PEER_ERANGE: return "a sum of points is out of range";
	case ATTR_PEER_ENOMEM: return "out of memory";
	}
	return "unknown status";
}

static int fail(size_t *bad, size_t i, int rc)
{
	if (bad)
		*bad = i;
	return rc;
}

/* Check one gift on its own. */
static int check_gift(const struct attr_peer_member *m, size_t nm, size_t np, const struct attr_peer_gift *g,
		      bool strict)
{
	if (g->period >= np || g->giver >= nm || g->receiver >= nm)
		return ATTR_PEER_EMEMBER;
	if (g->giver == g->receiver)
		return ATTR_PEER_ESELF;
	if (g->points < 0)
		return ATTR_PEER_EPOINTS;
	if (strict && m[g->receiver].opted_out)
		return ATTR_PEER_EOPTOUT;
	return ATTR_PEER_OK;
}

/* A gift as the budget check sorts it. */
struct key {
	uint32_t giver, period;
	size_t index; /* in the caller's gifts */
	int64_t points;
};

/* By giver, then period, then index: each (giver, period) in input order. */
static int cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	if (x->giver != y->giver)
		return x->giver < y->giver ? -1 : 1;
	if (x->period != y->period)
		return x->period < y->period ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

/* Every (giver, period) within its budget: the first gift that goes over. */
static int check_budgets(const struct attr_peer_member *m, const struct attr_peer_gift *g, size_t ng, size_t *bad)
{
	struct key *k = malloc((ng ? ng : 1) * sizeof *k);
	if (!k)
		return ATTR_PEER_ENOMEM;
	for (size_t i = 0; i < ng; i++)
		k[i] = (struct key){g[i].giver, g[i].period, i, g[i].points};
	qsort(k, ng, sizeof *k, cmp_key);
	int rc = ATTR_PEER_OK;
	int64_t sum = 0;
	for (size_t i = 0; i < ng && rc == ATTR_PEER_OK; i++) {
		if (i == 0 || k[i].giver != k[i - 1].giver || k[i].period != k[i - 1].period)
			sum = 0;
		if (__builtin_add_overflow(sum, k[i].points, &sum))
			rc = fail(bad, k[i].index, ATTR_PEER_ERANGE);
		else if (sum > m[k[i].giver].budget)
			rc = fail(bad, k[i].index, ATTR_PEER_EBUDGET);
	}
	free(k);
	return rc;
}

int attr_peer(const struct attr_peer_member *members, size_t nmembers, size_t nperiods,
	      const struct attr_peer_gift *gifts, size_t ngifts, bool strict_optout, int64_t *received,
	      struct attr_peer_result *res, size_t *bad)
{
	struct attr_peer_result r = {0};
	for (size_t i = 0; i < nmembers; i++) {
		int64_t b;
		if (members[i].budget < 0)
			return fail(bad, i, ATTR_PEER_EPOINTS);
		if (nperiods > INT64_MAX || __builtin_mul_overflow(members[i].budget, (int64_t)nperiods, &b) ||
		    __builtin_add_overflow(r.budget, b, &r.budget))
			return fail(bad, i, ATTR_PEER_ERANGE);
	}
	for (size_t i = 0; i < ngifts; i++) {
		int rc = check_gift(members, nmembers, nperiods, &gifts[i], strict_optout);
		if (rc != ATTR_PEER_OK)
			return fail(bad, i, rc);
	}
	int rc = check_budgets(members, gifts, ngifts, bad);
	if (rc != ATTR_PEER_OK)
		return rc;
	for (size_t i = 0; i < nmembers; i++)
		received[i] = 0;
	/* Within budget, so no sum below can exceed r.budget: no overflow. */
	for (size_t i = 0; i < ngifts; i++) {
		const struct attr_peer_gift *g = &gifts[i];
		r.given += g->points;
		if (members[g->receiver].opted_out) {
			r.burnt_optout += g->points;
			r.optout_gifts++;
		} else {
			received[g->receiver] += g->points;
			r.received += g->points;
		}
	}
	r.burnt_unused = r.budget - r.given;
	if (res)
		*res = r;
	return ATTR_PEER_OK;
}
