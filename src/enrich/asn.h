/*
 * asn.h - origin AS of an address, from offline tables.
 *
 * Formats (detected per file; plain or gzip'd text):
 *   pfx2as     CAIDA RouteViews prefix2as: "PREFIX<TAB>LEN<TAB>AS"; a
 *              multi-origin prefix ("a_b", MOAS) or an AS set ("a,b") keeps
 *              its first AS, the one RouteViews lists first
 *   ipasn      pyasn IPASN-DAT: "PREFIX/LEN<TAB>AS" with ';' comments
 *   iptoasn    iptoasn.com / DB-IP ip2asn TSV: "FIRST<TAB>LAST<TAB>AS<TAB>CC
 *              <TAB>NAME" (AS 0, "not routed", adds nothing)
 *   asnames    CSV "asn,name,..." with a header; AS names only
 *   mmdb       MaxMind GeoLite2-ASN / DB-IP ASN (libmaxminddb): consulted
 *              for addresses no table holds
 *
 * All table files are merged into one sorted array of non-overlapping
 * ranges per family; the narrowest prefix or range holding an address
 * wins, and among identical ones the file loaded first.  A look-up is a
 * two-level search: an index on the top 16 (IPv4) or 20 (IPv6) bits picks
 * a slice of the array, a binary search finishes.
 *
 * Trusts nothing in the files: a bad line is reported as FILE:LINE (the
 * first few) and counted; the rest of the file is used.
 */
#ifndef MX_ASN_H
#define MX_ASN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr/addr.h"

#define ASN_NAME_MAX 128

struct asn_info {
	uint32_t asn;                 /* 0 = unknown */
	char name[ASN_NAME_MAX];      /* AS name, "" when unknown */
};

struct asn_stats {
	size_t entries;               /* prefixes/ranges loaded */
	size_t ranges4, ranges6;      /* ranges after the merge */
	size_t names;                 /* AS names known */
	size_t mmdbs;                 /* mmdb databases open */
	size_t bad_lines;             /* lines that could not be parsed */
};

struct asn_db;

/* asn_db_new - an empty database */
struct asn_db *asn_db_new(void);
/* asn_db_load - add one file (format detected); 0 ok (bad lines counted
 * and reported), -1 unreadable or no known format (reported) */
int asn_db_load(struct asn_db *db, const char *path);
/* asn_db_add_range - add FIRST..LAST (same family) originated by asn */
void asn_db_add_range(struct asn_db *db, const struct addr *first,
		      const struct addr *last, uint32_t asn);
/* asn_db_add_name - name of an AS (the first name given wins) */
void asn_db_add_name(struct asn_db *db, uint32_t asn, const char *name);
/* asn_db_build - merge what was loaded; needed before look-ups (loading
 * more later needs another build) */
void asn_db_build(struct asn_db *db);
/* asn_db_lookup - the origin AS of a (0 when unknown); true when known */
bool asn_db_lookup(const struct asn_db *db, const struct addr *a, struct asn_info *out);
/* asn_db_lookup_asn - the AS number only, from the tables (no mmdb, no
 * name): the fast path */
uint32_t asn_db_lookup_asn(const struct asn_db *db, const struct addr *a);
/* asn_db_name - name of asn, or NULL; owned by db */
const char *asn_db_name(const struct asn_db *db, uint32_t asn);
const struct asn_stats *asn_db_stats(const struct asn_db *db);
void asn_db_free(struct asn_db *db);

/* asn_parse_number - leading AS number of "AS123", "123_456", "123,456",
 * "{123}"; 0 ok, -1 none or out of range */
int asn_parse_number(const char *s, uint32_t *out);

/* asn_cymru_parse - Team Cymru origin TXT "AS | PREFIX | CC | RIR | DATE"
 * (several ASes space-separated: the first); 0 ok, -1 malformed */
int asn_cymru_parse(const char *txt, uint32_t *asn);
/* asn_cymru_name_parse - AS name TXT "AS | CC | RIR | DATE | NAME" */
int asn_cymru_name_parse(const char *txt, char *name, size_t n);
/* asn_cymru_qname - origin.asn.cymru.com / origin6.asn.cymru.com query
 * name of a under zone (NULL = the real one); buf >= 100 bytes */
char *asn_cymru_qname(const struct addr *a, const char *zone4, const char *zone6,
		      char *buf, size_t n);

#endif
