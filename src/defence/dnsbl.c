/*
 * dnsbl.c - aggregation of listed prefixes and the two output formats.
 *
 * RFC 5782 section 2.4: an IPv6 address is queried as its 32 nibbles in
 * reverse order, e.g. 2001:db8::1 ->
 *   1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ZONE
 * A /64 is the last 16 of those labels; the zone lists it as the wildcard
 * *.<16 nibbles>.ZONE, which answers every address beneath it (RFC 4592)
 * as long as no name below that node exists -- aggregation guarantees
 * that, since it drops prefixes inside listed prefixes.  A length that is
 * not a multiple of 4 is expanded to the 2, 4 or 8 nibble-aligned prefixes
 * it covers; IPv4 is the same with octets (at most 128 names per entry).
 */
#include "defence/dnsbl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "defence/reputation.h"
#include "util/alloc.h"
#include "util/sort.h"

/* dnsbl_add - copy reason, keeping only characters safe in both formats */
void dnsbl_add(struct dnsbl_list *l, const struct prefix *p, const char *reason)
{
	GROW(l->v, l->n + 1, l->cap);
	struct dnsbl_entry *e = &l->v[l->n++];
	e->p = prefix_of(&p->a, p->len);
	char clean[201];
	size_t n = strlen(reason);
	if (n > 200)
		n = 200;
	for (size_t i = 0; i < n; i++) {
		char c = reason[i];
		clean[i] = (c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '$' ||
			    c == ':' || c == '#' || c == ';') ? ' ' : c;
	}
	clean[n] = '\0';
	e->reason = strpool_get(&l->reasons, strpool_id(&l->reasons, clean));
}

void dnsbl_free(struct dnsbl_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
	strpool_free(&l->reasons);
}

static int entry_cmp(const void *a, const void *b)
{
	const struct dnsbl_entry *x = a, *y = b;
	int c = rep_prefix_cmp(&x->p, &y->p);
	return c ? c : strcmp(x->reason, y->reason);   /* a total order: the sort is not stable */
}

/* bit - bit i (0 = most significant) of a */
static int bit(const struct addr *a, unsigned i)
{
	return (a->b[i / 8] >> (7 - i % 8)) & 1;
}

/* drop_contained - sorted list: remove entries inside the previous kept one */
static void drop_contained(struct dnsbl_list *l)
{
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (k && l->v[k - 1].p.a.family == l->v[i].p.a.family &&
		    l->v[k - 1].p.len <= l->v[i].p.len &&
		    prefix_contains(&l->v[k - 1].p, &l->v[i].p.a))
			continue;
		l->v[k++] = l->v[i];
	}
	l->n = k;
}

/* dnsbl_aggregate - until nothing changes: sort, drop contained, merge siblings */
void dnsbl_aggregate(struct dnsbl_list *l)
{
	bool changed = true;
	while (changed) {
		changed = false;
		if (l->n)
			sort_inplace(l->v, l->n, sizeof *l->v, entry_cmp);
		drop_contained(l);
		size_t k = 0;
		for (size_t i = 0; i < l->n; i++) {
			struct dnsbl_entry *e = &l->v[i];
			if (i + 1 < l->n) {
				struct dnsbl_entry *f = &l->v[i + 1];
				if (e->p.a.family == f->p.a.family && e->p.len == f->p.len &&
				    e->p.len > 0 && e->reason == f->reason &&
				    bit(&e->p.a, e->p.len - 1u) == 0) {
					struct prefix up = prefix_of(&e->p.a, e->p.len - 1u);
					if (prefix_contains(&up, &f->p.a)) {
						e->p = up;
						l->v[k++] = *e;
						i++;
						changed = true;
						continue;
					}
				}
			}
			l->v[k++] = *e;
		}
		l->n = k;
	}
}

/* dnsbl_write_rbldnsd - rbldnsd ip4trie / ip6trie lines */
int dnsbl_write_rbldnsd(const struct dnsbl_list *l, FILE *f, int family)
{
	char buf[PREFIX_STRLEN];
	fprintf(f, "# mxsensor dnsbl: rbldnsd %s dataset, %s prefixes\n",
		family == 6 ? "ip6trie" : "ip4trie", family == 6 ? "IPv6" : "IPv4");
	fprintf(f, ":127.0.0.2:Listed by mxsensor\n");
	for (size_t i = 0; i < l->n; i++) {
		const struct dnsbl_entry *e = &l->v[i];
		if (e->p.a.family == family) {
			fprintf(f, "%s :127.0.0.2:%s\n", prefix_format(&e->p, buf), e->reason);
		} else if (family == 6 && e->p.a.family == 4 && e->p.len == 32) {
			/* the 6to4 /48 of a listed IPv4 address (RFC 3056) */
			uint8_t b[16] = { 0x20, 0x02 };
			memcpy(b + 2, e->p.a.b, 4);
			struct prefix p = { addr_from_v6(b), 48 };
			fprintf(f, "%s :127.0.0.2:%s (6to4 of %u.%u.%u.%u)\n", prefix_format(&p, buf),
				e->reason, e->p.a.b[0], e->p.a.b[1], e->p.a.b[2], e->p.a.b[3]);
		}
	}
	return ferror(f) ? -1 : 0;
}

/* dnsbl_name - reversed labels of the leading nibbles/octets */
int dnsbl_name(const struct addr *a, unsigned len, char *buf, size_t n)
{
	size_t o = 0;
	if (a->family == 6) {
		unsigned nib = (len + 3) / 4;
		if (nib > 32)
			nib = 32;
		for (unsigned i = nib; i-- > 0;) {
			unsigned v = (a->b[i / 2] >> (i % 2 ? 0 : 4)) & 0xf;
			if (o + 3 > n)
				return -1;
			buf[o++] = "0123456789abcdef"[v];
			if (i)
				buf[o++] = '.';
		}
	} else {
		unsigned oct = (len + 7) / 8;
		if (oct > 4)
			oct = 4;
		for (unsigned i = oct; i-- > 0;) {
			int w = snprintf(buf + o, n - o, i ? "%u." : "%u", a->b[i]);
			if (w < 0 || (size_t)w >= n - o)
				return -1;
			o += (size_t)w;
		}
	}
	if (o >= n)
		return -1;
	buf[o] = '\0';
	return (int)o;
}

/* zone_entry - names for one prefix, expanded to the next boundary */
static void zone_entry(FILE *f, const struct dnsbl_entry *e)
{
	unsigned step = e->p.a.family == 6 ? 4 : 8;
	unsigned bits = e->p.a.family == 6 ? 128 : 32;
	unsigned up = (e->p.len + step - 1) / step * step;
	if (up > bits)
		up = bits;
	unsigned extra = up - e->p.len;   /* < step: at most 2^7 names */
	char name[128];
	for (unsigned v = 0; v < (1u << extra); v++) {
		struct addr a = e->p.a;
		for (unsigned j = 0; j < extra; j++) {
			unsigned b = e->p.len + j;
			if ((v >> (extra - 1 - j)) & 1)
				a.b[b / 8] |= (uint8_t)(0x80 >> (b % 8));
		}
		if (dnsbl_name(&a, up, name, sizeof name) < 0)
			continue;
		const char *wild = up < bits ? "*." : "";
		if (up == 0)
			fprintf(f, "*\tIN A 127.0.0.2\n*\tIN TXT \"%s\"\n", e->reason);
		else
			fprintf(f, "%s%s\tIN A 127.0.0.2\n%s%s\tIN TXT \"%s\"\n",
				wild, name, wild, name, e->reason);
	}
}

/* dnsbl_write_zone - RFC 5782 zone with its test entries (section 5) */
int dnsbl_write_zone(const struct dnsbl_list *l, FILE *f, const char *zone, long long serial)
{
	fprintf(f, "; mxsensor dnsbl: RFC 5782 zone for %s\n", zone);
	fprintf(f, "$ORIGIN %s.\n$TTL 300\n", zone);
	fprintf(f, "@\tIN SOA localhost. hostmaster.localhost. %lld 3600 600 604800 300\n", serial);
	fprintf(f, "@\tIN NS localhost.\n");
	fprintf(f, "; RFC 5782 section 5: test entries (127.0.0.2 and ::ffff:7f00:2 listed)\n");
	fprintf(f, "2.0.0.127\tIN A 127.0.0.2\n2.0.0.127\tIN TXT \"test entry\"\n");
	fprintf(f, "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0\tIN A 127.0.0.2\n");
	fprintf(f, "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0\tIN TXT \"test entry\"\n");
	for (size_t i = 0; i < l->n; i++)
		zone_entry(f, &l->v[i]);
	return ferror(f) ? -1 : 0;
}
