/*
 * decide.h - turn scored candidates into associations.
 *
 * Runs after the streaming pass, over the candidates in the store:
 *
 * 1. Host consistency.  For each IPv6 host with two or more attempts, an
 *    IPv4 host that is a candidate in a share s of its attempts earns
 *    EV_HOST = round(host_weight * s) on each of those candidates.  A real
 *    client falls back to the same IPv4 address every time; a bystander
 *    appears by chance.  Consistent decisions across a host's attempts beat
 *    per-attempt guesses when many clients connect at once.
 * 2. Ambiguity.  An IPv6 attempt whose best total beats the best candidate
 *    of any other IPv4 host by less than `margin` is ambiguous and is left
 *    unassociated (precision before recall).
 * 3. Assignment.  Candidates in order of total (ties: smaller time gap,
 *    smaller port distance, lower attempt id) are taken greedily: a pair is
 *    associated when its total reaches `threshold`, neither attempt is
 *    taken yet, and it is not ambiguous.  So each IPv4 attempt is used at
 *    most once and the result does not depend on input order.
 *
 * Every candidate gets its decision recorded for `mxsensor explain`.
 */
#ifndef MX_DECIDE_H
#define MX_DECIDE_H

#include "analysis/assoc.h"
#include "store/store.h"

struct decide_stats {
	uint64_t candidates, associated, ambiguous, below, taken;
};

int decide_run(struct store *st, const struct assoc_params *p, struct decide_stats *out);

#endif
