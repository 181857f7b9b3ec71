/*
 * enrich.h - origin AS and reverse DNS of every host, as association
 * evidence.
 *
 * Runs once per analysis, after the streaming pass and before the
 * decisions (analysis/run.c): the pass stays fast and never waits for the
 * network, and each distinct address is looked up once however many
 * attempts it made.  Its memory does not grow with the hosts: the
 * addresses and the --ptr-file lines are sorted on disk and walked
 * together, a chunk of addresses at a time (enrich.c).
 *
 *   distinct sources ──► ASN (tables, mmdb, Cymru DNS) ─┐
 *                   └──► PTR (--ptr-file, cache, DNS) ──┴─► enrich table
 *                                 registered domain (libpsl)      │
 *   candidates.ev_asn / ev_ptr / score ◄──────────────────────────┘
 *
 * For 6to4 and Teredo sources the IPv6 address's own AS is the relay's and
 * its reverse zone rarely exists: the association compares the gateway's
 * (the embedded IPv4's) AS and, when the IPv6 address has no name of its
 * own, the gateway's reverse name.
 *
 * DNS is off unless asked for (enrich_opts.ptr_dns, asn_dns): an analysis
 * of old captures sends nothing to the network by surprise.  Answers and
 * definite absences (NXDOMAIN, no data) are kept in the store (ptr_cache,
 * asn_cache) so a re-run asks nothing twice; failures (time-outs) are
 * asked again next run.
 */
#ifndef MX_ENRICH_H
#define MX_ENRICH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enrich/dns.h"
#include "store/store.h"

struct enrich_opts {
	const char *const *asn_files;  /* --asn (pfx2as, IPASN-DAT, ip2asn, names CSV, mmdb) */
	size_t nasn;
	const char *const *ptr_files;  /* --ptr-file: "ADDRESS NAME" per line */
	size_t nptr;
	bool ptr_dns;                  /* --ptr: ask DNS for PTR records */
	bool asn_dns;                  /* --asn-dns: ask Team Cymru's DNS for origin AS */
	const char *asn_zone4;         /* default origin.asn.cymru.com */
	const char *asn_zone6;         /* default origin6.asn.cymru.com */
	const char *asn_name_zone;     /* default asn.cymru.com (AS<N>.zone TXT) */
	struct dns_opts dns;           /* --dns-server, time-outs, bounds */
	int64_t cache_max_age_ns;      /* cached answers older are asked again (0 = keep) */
	int asn_points;                /* EV_ASN for the same origin AS (10) */
	int ptr_points;                /* EV_PTR for the same PTR name (20) */
	int domain_points;             /* EV_PTR for the same registered domain (10) */
};
void enrich_opts_default(struct enrich_opts *o);
/* enrich_wanted - whether o asks for any enrichment at all */
bool enrich_wanted(const struct enrich_opts *o);

struct enrich_stats {
	uint64_t hosts;                /* distinct source addresses */
	uint64_t with_asn, with_ptr;   /* hosts with an AS / a name */
	uint64_t ptr_cached, ptr_file, ptr_asked, ptr_failed;
	uint64_t asn_asked, asn_failed;
	uint64_t bad_lines;            /* unusable lines in --asn / --ptr-file files */
};

/* enrich_sources_fn - calls fn for every source address of the run
 * (store_source_fn's arguments); ctx is the caller's */
typedef int (*enrich_sources_fn)(void *ctx, store_source_fn fn, void *arg);

/* enrich_run - enrich the hosts of the run in progress in st, the source
 * addresses given by each(ctx, ...) (analyze: decider_each_source; the
 * decision stage scores the candidates from it: decider_enrich with
 * asn_points, ptr_points, domain_points); 0 ok (look-up failures are
 * counted), -1 when a file could not be read or the store failed */
int enrich_run(const struct enrich_opts *o, struct store *st, enrich_sources_fn each,
	       void *ctx, struct enrich_stats *s);

/* enrich_registered_domain - the registered domain of name (public suffix
 * list + one label), lower case, into buf; "" when name is a public
 * suffix or not a host name.  Returns buf. */
char *enrich_registered_domain(const char *name, char *buf, size_t n);

/* --- the pieces, for `mxsensor asn` and tests --- */
struct asn_db;
/* enrich_load_asn - a database with every file loaded and built; NULL on error */
struct asn_db *enrich_load_asn(const char *const *files, size_t n);

struct ptr_map;
/* ptr_map_load - "ADDRESS NAME" files (whitespace or comma separated;
 * '#' comments); bad lines reported as FILE:LINE and counted; NULL when
 * unreadable.  The lines are sorted on disk (of any number, in a few MB) */
struct ptr_map *ptr_map_load(const char *const *files, size_t n, uint64_t *bad);
/* ptr_map_get - the name of a (the first line of a wins), or NULL; valid
 * until the next call.  The lines are read once: each call's address must
 * not come before the previous one's (IPv4 before IPv6, then by bytes) */
const char *ptr_map_get(struct ptr_map *m, const struct addr *a);
/* ptr_map_failed - -1 when reading the sorted lines failed (reported) */
int ptr_map_failed(const struct ptr_map *m);
void ptr_map_free(struct ptr_map *m);

#endif
