/*
 * decide.h - turn scored candidates into associations.
 *
 * The decision engine sees every attempt and every candidate as the
 * streaming pass makes them (decider_attempt, decider_cand) and decides
 * once the pass is over (decider_run):
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
 *
 * How: nothing is kept in memory per host or candidate, and two bits per
 * attempt (taken or not, in the greedy pass).  While the pass streams by, the decider writes unlinked temporary files of
 * fixed-size records: the attempts (in the order they closed), and, in
 * 64 partitions by a hash of the source address, a record per attempt
 * for its host's row, each candidate with both attempts' sources (in its
 * IPv6 host's partition: an IPv6 attempt's candidates stay together)
 * and a meeting per IPv6 attempt and IPv4 host met (in the IPv4 host's
 * partition).  Afterwards every step that needs a host's totals works a
 * partition at a time, two at once on two threads: the host rows, the
 * pairs that met again (with the IPv4 host's attempt count), the scores
 * of the candidates.  The
 * eligible candidates and the taken pairs go through external sorts; the
 * candidates are written decided in the order the pass made them (a
 * merge of the partitions), the attempts with their partners, the hosts
 * last, in address order (a merge of the partitions' rows).  Nothing in
 * the store is updated row by row or joined to find a host.
 */
#ifndef MX_DECIDE_H
#define MX_DECIDE_H

#include "analysis/assoc.h"
#include "analysis/attempt.h"
#include "store/store.h"

struct decide_stats {
	uint64_t candidates, associated, ambiguous, below, taken;
	uint64_t lost_unwritten;    /* lost candidates not written (decider_keep_lost) */
};

/* decide_host_points - EV_HOST for co meetings in n attempts */
int decide_host_points(const struct assoc_params *p, uint64_t co, uint64_t n6, uint64_t n4);

/* EV_ASN / EV_PTR points from enrichment (enrich/enrich.h) */
struct decide_enrich_points {
	int asn;        /* same origin AS */
	int ptr;        /* same PTR name */
	int domain;     /* else same registered domain */
};

struct decider;

/* decider_new - NULL (with err) when no temporary file can be made;
 * TMPDIR names its directory (default /tmp) */
struct decider *decider_new(const struct assoc_params *p, char *err, size_t errlen);
/* decider_attempt - every attempt of the run, in the order they close,
 * before any candidate of it; sets a->pos (the attempt given to
 * decider_cand must carry it); its os / os_family strings must outlive
 * the decider (it is written to the store by decider_run, with its
 * partner); -1 when the temporary file cannot be written */
int decider_attempt(struct decider *d, struct attempt *a);
/* decider_cand - one candidate with its two attempts, which
 * decider_attempt saw (assoc.h: all of an IPv6 attempt's in a
 * row); 0, or -1 when the temporary file cannot be written */
int decider_cand(struct decider *d, const struct assoc_cand *c, const struct attempt *a6,
		 const struct attempt *a4);
/* decider_enrich - the run's enrichment from st (store_each_enrich) to
 * the hosts' partitions, to score the candidates with pts; call before
 * decider_run */
int decider_enrich(struct decider *d, struct store *st, const struct decide_enrich_points *pts);
/* decider_each_source - every source address of the run in text order,
 * with its embedding kind and embedded IPv4 (NULL when none): the
 * sources enrich_run looks up, before the attempts are written; dp is
 * the decider */
int decider_each_source(void *dp, store_source_fn fn, void *arg);
/* decider_run - decide and write every candidate, then every attempt
 * with its partner (attempts.partner, attempts.score), to st */
int decider_run(struct decider *d, struct store *st, struct decide_stats *out);
/* decider_keep_lost - whether decider_run writes the candidates that lost
 * to a better-ranked pair of their own IPv6 attempt (default: yes).  Not
 * writing them only changes what the candidates table holds: every
 * decision, attempt and host stays the same, and the counts in out still
 * count them */
void decider_keep_lost(struct decider *d, bool keep);
/* decider_pair_block_keys - before the first candidate: the meetings of
 * host pairs a partition buffers before writing them to the temporary
 * file (0: the default, 1024); for tests, which want many blocks */
void decider_pair_block_keys(struct decider *d, uint32_t keys);
/* decider_pair_budget - the meetings of host pairs counted at once: a
 * partition with more is counted in slices, its meetings read once a
 * slice (0: the default, 262144); for tests, which want many slices */
void decider_pair_budget(struct decider *d, uint32_t meetings);
/* decider_hosts - after decider_run, and the last call before
 * decider_free: one row per source address of the run (totals, most
 * frequent fingerprint, address class, the partners taken, listing and
 * label), in address order.  listing_window_ns > 0: an
 * IPv4 address counts as listed only when the MTAs listed it within that
 * time of one of its attempts.  *hs counts the rows by family and label. */
struct decide_host_stats {
	uint64_t hosts[2];          /* IPv4, IPv6 */
	uint64_t listed_v4;
	uint64_t v6_associated, v6_assoc_unlisted, v6_unassociated;
};
int decider_hosts(struct decider *d, struct store *st, int64_t listing_window_ns,
		  struct decide_host_stats *hs);
/* decider_bytes - memory the engine holds (for memory tests) */
size_t decider_bytes(const struct decider *d);
void decider_free(struct decider *d);

#endif
