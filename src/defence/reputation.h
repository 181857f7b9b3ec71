/*
 * reputation.h - reputation per aggregated prefix.
 *
 * Evidence items (an address or prefix, a kind, a count, a time) are
 * gathered, mapped to their reputation prefix (cos_key: /64 by default,
 * per-range lengths, 6to4/Teredo to their IPv4), weighted, decayed with
 * the configured half-life relative to "now" (default: the newest
 * evidence), and each prefix is put into a class:
 *   bad + good < evidence_min          unknown
 *   bad / (bad + good) >= bad_ratio    bad
 *   bad / (bad + good) <= good_ratio   good
 *   otherwise                          mixed
 * Weights (docs/defence.md): an IPv6 host labelled 'associated' 1 bad, an
 * IPv4 host listed in the MTA logs 1 bad, an mta_events row of kind dnsbl
 * or reject 1 bad per count, accept 1 good per count, a policyd limit hit
 * 0.25 bad, a message policyd accepted 1 good.
 */
#ifndef MX_REPUTATION_H
#define MX_REPUTATION_H

#include <stddef.h>
#include <stdint.h>

#include "addr/addr.h"
#include "defence/cos.h"

struct store;

enum rep_kind {
	REP_ASSOC,        /* IPv6 host associated with a listed IPv4 host */
	REP_LISTED4,      /* IPv4 host listed by DNSBL in the MTA logs */
	REP_DNSBL,        /* MTA rejected by DNSBL */
	REP_REJECT,       /* MTA rejected otherwise */
	REP_ACCEPT,       /* MTA accepted a message */
	REP_POL_LIMIT,    /* policyd: a limit was hit */
	REP_POL_ACCEPT,   /* policyd: a message went through */
	REP_NKIND
};

/* 80 bytes (a store of 50M SYNs has 5.25M prefixes with evidence); the
 * counts stop at UINT32_MAX (a /64 rejected 136 times a second for a
 * year) */
struct rep_entry {
	double bad, good;              /* decayed weights */
	int64_t last_ns;               /* newest evidence */
	uint32_t n[REP_NKIND];         /* raw counts per kind */
	uint32_t hosts;                /* distinct evidence rows */
	struct prefix key;
	enum cos_class cls;
};

struct rep_table;

/* rep_new - an empty table; evidence decays with c's half-life towards
 * now_ns (0: the newest evidence of the table, found by rep_finish) */
struct rep_table *rep_new(const struct cos_config *c, int64_t now_ns);
void rep_free(struct rep_table *t);
/* rep_evidence - one item for key (already aggregated) */
void rep_evidence(struct rep_table *t, const struct prefix *key, enum rep_kind kind,
		  uint64_t count, int64_t t_ns);
/* rep_finish - decay to now, classify with c, sort by key; call once
 * after the evidence */
void rep_finish(struct rep_table *t, const struct cos_config *c);
/* rep_keep_classes - after rep_finish, keep only the key and class of the
 * prefixes whose class is not unknown (for rep_class: a policy server);
 * rep_at and rep_find may not be called after it, rep_count counts what
 * is kept */
void rep_keep_classes(struct rep_table *t);
/* rep_class - the class of key after rep_finish, unknown when not in the
 * table (or t NULL) */
enum cos_class rep_class(const struct rep_table *t, const struct prefix *key);
/* rep_load_store - all evidence of a store; 0 or -1 */
int rep_load_store(struct rep_table *t, struct store *st, const struct cos_config *c,
		   unsigned len_override);
/* rep_open - the configuration (config NULL: the compiled-in defaults)
 * into *cfg and a finished table (rep_finish against now_ns) of the
 * store at db; NULL after logging why.  The caller frees both. */
struct rep_table *rep_open(const char *db, const char *config, unsigned len_override,
			   int64_t now_ns, struct cos_config *cfg);
size_t rep_count(const struct rep_table *t);
const struct rep_entry *rep_at(const struct rep_table *t, size_t i);
/* rep_find - the entry of key (after rep_finish), or NULL */
const struct rep_entry *rep_find(const struct rep_table *t, const struct prefix *key);
/* rep_now - the time decay was computed against */
int64_t rep_now(const struct rep_table *t);

/* rep_decay - w halved every half_life_s over age_ns (age <= 0: w) */
double rep_decay(double w, int64_t age_ns, double half_life_s);
/* rep_classify - the class for decayed weights */
enum cos_class rep_classify(const struct cos_config *c, double bad, double good);
/* rep_kind_weight - weight per count, negative for bad evidence */
double rep_kind_weight(enum rep_kind k);
const char *rep_kind_name(enum rep_kind k);
/* prefix_cmp - order of prefixes: family, address, length */
int rep_prefix_cmp(const struct prefix *x, const struct prefix *y);

#endif
