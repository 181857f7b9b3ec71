/*
 * addr.h - IPv4/IPv6 addresses and prefixes: parse, format, mask, compare.
 *
 * struct addr holds either family in 16 bytes: IPv6 in network order, IPv4
 * in b[0..3] with b[4..15] zero.  Formatting is RFC 5952 canonical text
 * (inet_ntop(3) as glibc implements it: lower case, longest run of two or
 * more zero groups compressed, first on ties, IPv4-mapped as ::ffff:a.b.c.d).
 */
#ifndef MX_ADDR_H
#define MX_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADDR_STRLEN 46     /* INET6_ADDRSTRLEN */
#define PREFIX_STRLEN 50   /* address, '/', up to 3 digits, NUL */

struct addr {
	uint8_t family;    /* 4 or 6; 0 = none */
	uint8_t b[16];
};

struct prefix {
	struct addr a;     /* host bits are zero */
	uint8_t len;       /* 0..32 or 0..128 */
};

/* addr_parse - numeric IPv4 or IPv6 text (no brackets, no zone); 0 or -1 */
int addr_parse(const char *s, struct addr *out);
/* addr_parse_n - the same for a string of length n (need not be NUL-ended) */
int addr_parse_n(const char *s, size_t n, struct addr *out);
/* addr_format - canonical text into buf (ADDR_STRLEN bytes; "-" for no
 * address); returns buf.  addr_format_n returns the length instead. */
size_t addr_format_n(const struct addr *a, char *buf);
char *addr_format(const struct addr *a, char *buf);
/* addr_from_v4 / addr_from_v6 - build from raw network-order bytes */
struct addr addr_from_v4(const uint8_t b[4]);
struct addr addr_from_v6(const uint8_t b[16]);
/* addr_v4_u32 - IPv4 as host-order integer (family must be 4) */
uint32_t addr_v4_u32(const struct addr *a);
struct addr addr_from_u32(uint32_t v4);
/* addr_bits - 32 or 128 */
static inline unsigned addr_bits(const struct addr *a) { return a->family == 4 ? 32 : 128; }
int addr_cmp(const struct addr *x, const struct addr *y);
bool addr_eq(const struct addr *x, const struct addr *y);

/* addr_mask - clear all bits after the first len (len clamped to the family) */
void addr_mask(struct addr *a, unsigned len);
/* prefix_of - the /len prefix holding a */
struct prefix prefix_of(const struct addr *a, unsigned len);
/* prefix_parse - "ADDR/LEN" or a bare address (full length); 0 or -1.
 * Host bits set after the length are an error unless lax is true. */
int prefix_parse(const char *s, struct prefix *out, bool lax);
char *prefix_format(const struct prefix *p, char *buf);
bool prefix_contains(const struct prefix *p, const struct addr *a);

#endif
