/*
 * addr.c - address parsing, formatting, masking (see addr.h).
 *
 * Parsing and formatting are inet_pton(3)/inet_ntop(3): the C library's
 * well-tested code, which accepts exactly the numeric forms of RFC 4291
 * section 2.2 and writes the RFC 5952 form.
 */
#include "addr/addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int addr_parse(const char *s, struct addr *out)
{
	return addr_parse_n(s, strlen(s), out);
}

int addr_parse_n(const char *s, size_t n, struct addr *out)
{
	char buf[ADDR_STRLEN];
	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(out, 0, sizeof *out);
	if (memchr(buf, ':', n)) {
		if (inet_pton(AF_INET6, buf, out->b) != 1)
			return -1;
		out->family = 6;
	} else {
		if (inet_pton(AF_INET, buf, out->b) != 1)
			return -1;
		out->family = 4;
	}
	return 0;
}

char *addr_format(const struct addr *a, char *buf)
{
	const char *r = NULL;
	if (a->family == 4)
		r = inet_ntop(AF_INET, a->b, buf, ADDR_STRLEN);
	else if (a->family == 6)
		r = inet_ntop(AF_INET6, a->b, buf, ADDR_STRLEN);
	if (!r)
		strcpy(buf, "-");
	return buf;
}

struct addr addr_from_v4(const uint8_t b[4])
{
	struct addr a = { .family = 4 };
	memcpy(a.b, b, 4);
	return a;
}

struct addr addr_from_v6(const uint8_t b[16])
{
	struct addr a = { .family = 6 };
	memcpy(a.b, b, 16);
	return a;
}

uint32_t addr_v4_u32(const struct addr *a)
{
	return (uint32_t)a->b[0] << 24 | (uint32_t)a->b[1] << 16 |
	       (uint32_t)a->b[2] << 8 | a->b[3];
}

struct addr addr_from_u32(uint32_t v)
{
	struct addr a = { .family = 4 };
	a.b[0] = (uint8_t)(v >> 24);
	a.b[1] = (uint8_t)(v >> 16);
	a.b[2] = (uint8_t)(v >> 8);
	a.b[3] = (uint8_t)v;
	return a;
}

int addr_cmp(const struct addr *x, const struct addr *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->b, y->b, 16);
}

bool addr_eq(const struct addr *x, const struct addr *y)
{
	return x->family == y->family && memcmp(x->b, y->b, 16) == 0;
}

void addr_mask(struct addr *a, unsigned len)
{
	unsigned bits = addr_bits(a);
	if (len > bits)
		len = bits;
	for (unsigned i = 0; i < 16; i++) {
		unsigned lo = i * 8;
		if (lo >= len)
			a->b[i] = 0;
		else if (len - lo < 8)
			a->b[i] &= (uint8_t)(0xff << (8 - (len - lo)));
	}
}

struct prefix prefix_of(const struct addr *a, unsigned len)
{
	struct prefix p;
	p.a = *a;
	if (len > addr_bits(a))
		len = addr_bits(a);
	addr_mask(&p.a, len);
	p.len = (uint8_t)len;
	return p;
}

int prefix_parse(const char *s, struct prefix *out, bool lax)
{
	const char *slash = strchr(s, '/');
	struct addr a;
	if (addr_parse_n(s, slash ? (size_t)(slash - s) : strlen(s), &a) < 0)
		return -1;
	unsigned len = addr_bits(&a);
	if (slash) {
		const char *d = slash + 1;
		if (*d < '0' || *d > '9' || strlen(d) > 3)
			return -1;
		char *end;
		unsigned long v = strtoul(d, &end, 10);
		if (*end || v > addr_bits(&a))
			return -1;
		len = (unsigned)v;
	}
	*out = prefix_of(&a, len);
	if (!lax && !addr_eq(&out->a, &a))
		return -1;
	return 0;
}

char *prefix_format(const struct prefix *p, char *buf)
{
	char a[ADDR_STRLEN];
	snprintf(buf, PREFIX_STRLEN, "%s/%u", addr_format(&p->a, a), p->len);
	return buf;
}

bool prefix_contains(const struct prefix *p, const struct addr *a)
{
	if (a->family != p->a.family)
		return false;
	struct addr m = *a;
	addr_mask(&m, p->len);
	return addr_eq(&m, &p->a);
}
