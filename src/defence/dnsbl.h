/*
 * dnsbl.h - listings as DNSBL data: prefixes aggregated, then written as
 * an rbldnsd ip4trie/ip6trie dataset or an RFC 5782 zone file.
 *
 * Aggregation: a prefix inside another listed prefix is dropped; two
 * sibling prefixes (the halves of one shorter prefix) with the same reason
 * are merged into it, repeatedly.  In a zone file a prefix becomes
 * wildcard names at the next nibble (IPv6) or octet (IPv4) boundary at or
 * below its length (docs/defence.md explains why and the limits).
 */
#ifndef MX_DNSBL_H
#define MX_DNSBL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "addr/addr.h"
#include "util/strpool.h"

struct dnsbl_entry {
	struct prefix p;
	const char *reason;        /* in the list's pool; printable ASCII, no '"', '\\', '$' */
};

struct dnsbl_list {
	struct dnsbl_entry *v;     /* owned */
	size_t n, cap;
	/* the reasons, each kept once: a few hundred distinct texts for
	 * millions of prefixes, and two entries have the same reason when
	 * their pointers are equal */
	struct strpool reasons;
};

/* dnsbl_add - list p (host bits cleared) with reason (copied, cleaned) */
void dnsbl_add(struct dnsbl_list *l, const struct prefix *p, const char *reason);
/* dnsbl_aggregate - drop contained prefixes, merge siblings; sorted after */
void dnsbl_aggregate(struct dnsbl_list *l);
void dnsbl_free(struct dnsbl_list *l);

/* dnsbl_write_rbldnsd - one dataset for family 4 (ip4trie) or 6 (ip6trie);
 * for family 6 an IPv4 listing also lists its 6to4 /48 */
int dnsbl_write_rbldnsd(const struct dnsbl_list *l, FILE *f, int family);
/* dnsbl_write_zone - an RFC 5782 zone (SOA, NS, test entries, A + TXT) */
int dnsbl_write_zone(const struct dnsbl_list *l, FILE *f, const char *zone,
		     long long serial);

/* dnsbl_name - the reversed query name of the first len bits of a, with
 * len rounded up to a nibble (IPv6) or octet (IPv4); without the zone and
 * without a trailing dot; returns the length or -1 if n is too small */
int dnsbl_name(const struct addr *a, unsigned len, char *buf, size_t n);

#endif
