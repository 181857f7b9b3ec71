/*
 * decide.h - turn scored candidates into associations.
 *
 * Runs after the streaming pass, over the candidates in the store:
 *
 * 1. Host consistency.  An IPv4 host that is a candidate in co attempts of
 *    an IPv6 host earns, on each of those candidates,
 *    EV_HOST = round(host_weight * ((co - 1) / (n - 1))^2) when co >= 2,
 *    where n is the larger attempt count of the two hosts: full weight
 *    when the two hosts' attempts pair up one for one, nothing for a single
 *    meeting (which chance explains), little for a busy IPv4 host that
 *    meets the IPv6 host now and then; among three or more IPv6 attempts a
 *    single meeting costs host_weight / 2.  A real client falls back to the same
 *    IPv4 address every time; a bystander appears by chance.  Consistent
 *    decisions across a host's attempts beat per-attempt guesses when many
 *    clients connect at once.
 * 2. Ambiguity.  An IPv6 attempt whose best total beats the best candidate
 *    of any other IPv4 host by less than `margin` is ambiguous and is left
 *    unassociated (precision before recall).
 * 3. Assignment.  Candidates in order of total (ties: smaller time gap,
 *    smaller port distance, lower attempt id) are taken greedily: a pair is
 *    associated when its total reaches `threshold`, its own evidence
 *    (without EV_HOST) reaches `min_evidence` (so consistency alone never
 *    makes a pair), neither attempt is taken yet, and it is not ambiguous.  So each IPv4 attempt is used at
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

/* decide_host_points - EV_HOST for co meetings in n attempts */
int decide_host_points(const struct assoc_params *p, uint64_t co, uint64_t n6, uint64_t n4);

int decide_run(struct store *st, const struct assoc_params *p, struct decide_stats *out);

#endif
