/*
 * addr.c - address parsing, formatting, masking (see addr.h).
 *
 * Parsing is inet_pton(3): the C library's well-tested code, which
 * accepts exactly the numeric forms of RFC 4291 section 2.2.  Formatting
 * writes what inet_ntop(3) writes (the RFC 5952 form, and glibc's
 * "::a.b.c.d" / "::ffff:a.b.c.d" for IPv4-compatible and -mapped
 * addresses) without going through sprintf for every group: a capture's
 * worth of addresses is formatted by `syns` and the store, and inet_ntop
 * was a fifth of `syns`' time.  test_addr compares the two on millions of
 * addresses with every pattern of zero groups.
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

/* put_u8 - decimal 0..255 */
static size_t put_u8(char *p, unsigned v)
{
	size_t n = 0;
	if (v >= 100)
		p[n++] = (char)('0' + v / 100);
	if (v >= 10)
		p[n++] = (char)('0' + v / 10 % 10);
	p[n++] = (char)('0' + v % 10);
	return n;
}

static size_t put_v4(char *p, const uint8_t *b)
{
	size_t n = put_u8(p, b[0]);
	for (int i = 1; i < 4; i++) {
		p[n++] = '.';
		n += put_u8(p + n, b[i]);
	}
	return n;
}

/* put_hex16 - lower-case hex without leading zeros */
static size_t put_hex16(char *p, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = ((unsigned)(32 - __builtin_clz(v | 1)) + 3) / 4;
	for (size_t i = n; i-- > 0; v >>= 4)
		p[i] = hex[v & 15];
	return n;
}

size_t addr_format_n(const struct addr *a, char *buf)
{
	size_t n = 0;
	if (a->family == 4) {
		n = put_v4(buf, a->b);
	} else if (a->family == 6) {
		unsigned w[8], zero = 0;   /* bit i: group i is 0 */
		for (int i = 0; i < 8; i++) {
			w[i] = (unsigned)a->b[2 * i] << 8 | a->b[2 * i + 1];
			zero |= (unsigned)(w[i] == 0) << i;
		}
		/* the first longest run of two or more zero groups becomes "::":
		 * after k steps of x &= x >> 1, bit i of x says groups i..i+k
		 * are all 0; the last non-empty x marks where the longest runs
		 * start */
		int best = -1, blen = 0;
		unsigned starts = 0;
		for (unsigned x = zero; x; x &= x >> 1) {
			starts = x;
			blen++;
		}
		if (blen >= 2)
			best = __builtin_ctz(starts);
		else
			blen = 0;
		if (best == 0 && (blen == 6 || (blen == 5 && w[5] == 0xffff))) {
			/* IPv4-compatible and IPv4-mapped: dotted tail */
			memcpy(buf, "::", 2);
			n = 2;
			if (blen == 5) {
				memcpy(buf + n, "ffff:", 5);
				n += 5;
			}
			n += put_v4(buf + n, a->b + 12);
			buf[n] = '\0';
			return n;
		}
		for (int i = 0; i < 8; i++) {
			if (i == best) {
				buf[n++] = ':';
				i += blen - 1;
				if (i == 7)
					buf[n++] = ':';
				continue;
			}
			if (i)
				buf[n++] = ':';
			n += put_hex16(buf + n, w[i]);
		}
	} else {
		buf[n++] = '-';
	}
	buf[n] = '\0';
	return n;
}

char *addr_format(const struct addr *a, char *buf)
{
	addr_format_n(a, buf);
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
