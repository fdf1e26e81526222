/* attribute_peer.h - Coordinape-style peer allocation (tally-attribute
 * --method peer): members give points from a budget per period to others.
 *
 * Each member has a budget of points for every period; in a period it
 * gives points to other members (gifts).  Rules:
 *   - a gift to oneself is refused (an error naming the gift);
 *   - a member's gifts in one period may not exceed its budget (an error
 *     naming the gift that goes over); what it leaves unallocated is
 *     burnt: it goes to nobody;
 *   - an opted-out member receives nothing.  Gifts to it are burnt too
 *     (counted apart, so the caller can say how many), or refused as an
 *     error when the caller asks for strict opt-outs.  An opted-out member
 *     may still give.
 * A member's points are what it received over all periods; its share is
 * its points over the total received.  Everything is int64_t arithmetic
 * checked for overflow, so the result is exact and order independent.
 *
 * Library code: no printing, no exiting; functions return an
 * attr_peer_status and the index of an offending gift or member. */
#ifndef TALLY_ATTRIBUTE_PEER_H
#define TALLY_ATTRIBUTE_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum attr_peer_status {
	ATTR_PEER_OK = 0,
	ATTR_PEER_ESELF = -1,    /* a gift from a member to itself; *bad = gift */
	ATTR_PEER_EMEMBER = -2,  /* a giver or receiver >= the member count, or a
				    period >= the period count; *bad = gift */
	ATTR_PEER_EPOINTS = -3,  /* a negative gift (*bad = gift) or budget
				    (*bad = member) */
	ATTR_PEER_EBUDGET = -4,  /* a member's gifts in a period exceed its budget;
				    *bad = the gift that goes over */
	ATTR_PEER_EOPTOUT = -5,  /* strict: a gift to an opted-out member; *bad = gift */
	ATTR_PEER_ERANGE = -6,   /* a sum outside int64_t; *bad = gift or member */
	ATTR_PEER_ENOMEM = -7,   /* out of memory */
};

/* A member of the circle. */
struct attr_peer_member {
	int64_t budget; /* points it may give in each period, >= 0 */
	bool opted_out; /* receives nothing */
};

/* One gift: giver -> receiver, points, in a period. */
struct attr_peer_gift {
	uint32_t period;   /* 0..nperiods-1 */
	uint32_t giver;    /* member index */
	uint32_t receiver; /* member index, != giver */
	int64_t points;    /* >= 0 */
};

/* The totals of an allocation. */
struct attr_peer_result {
	int64_t budget;         /* sum of budgets over members and periods */
	int64_t given;          /* points given in valid gifts, to anybody */
	int64_t received;       /* points received (= given - burnt_optout) */
	int64_t burnt_unused;   /* budget left unallocated (= budget - given) */
	int64_t burnt_optout;   /* points given to opted-out members */
	size_t optout_gifts;    /* how many gifts went to opted-out members */
};

/* Allocate: received[0..nmembers) (caller-owned) gets each member's
 * points over all periods; *res (may be NULL) the totals.  Member i's
 * exact share is received[i] / res->received (undefined when that is 0:
 * nobody received anything, which the caller reports).  strict_optout
 * turns gifts to opted-out members into ATTR_PEER_EOPTOUT.  Gifts with 0
 * points are valid and change nothing; gifts of one giver to one receiver
 * add up.
 *
 * Returns ATTR_PEER_OK or an error status with *bad (may be NULL) naming
 * the first offending gift (or member, for a negative budget); on failure
 * received and *res are undefined.  Allocates O(ngifts) scratch. */
int attr_peer(const struct attr_peer_member *members, size_t nmembers, size_t nperiods,
	      const struct attr_peer_gift *gifts, size_t ngifts, bool strict_optout, int64_t *received,
	      struct attr_peer_result *res, size_t *bad);

/* A short English description of an attr_peer_status; a static string. */
const char *attr_peer_strerror(int status);

#endif
