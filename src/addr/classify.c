/*
 * classify.c - special ranges, interface-ID classes and embedded data of
 * IPv4/IPv6 addresses (see classify.h).
 *
 * Trusts nothing and needs nothing: every function reads only the 16 bytes
 * of a struct addr, whatever their value.
 *
 * IPv6 layout, byte offsets (RFC 4291 2.5.1: a 64-bit interface ID):
 *
 *    0       2       4       6       8       10      12      14    16
 *   +-------+-------+-------+-------+-------+-------+-------+-------+
 *   | 2002  | gateway IPv4  |  SLA  |         interface ID          |  6to4 (RFC 3056)
 *   | 2001  | 0000  | server IPv4   | flags | ~port | ~client IPv4  |  Teredo (RFC 4380 4)
 *   |          prefix (64)          | 0[2]00| 5efe  | IPv4          |  ISATAP (RFC 5214 6.1)
 *   | 0064  | ff9b  | 0000 ...               0000   | IPv4          |  NAT64 (RFC 6052 2.1)
 *
 * The local-use NAT64 prefix 64:ff9b:1::/48 (RFC 8215) may be split into
 * translation prefixes of any RFC 6052 length, so the IPv4 has no fixed
 * place there: only the interface-ID heuristics (embedded-ipv4-32) find it.
 *   |          prefix (64)          | xxUx  | xxff  | fexx  | xxxx  |  modified EUI-64 (RFC 4291 A)
 *   +-------+-------+-------+-------+-------+-------+-------+-------+
 *
 * The interface-ID decision follows ipv6toolkit addr6 step for step, in
 * its order; the first test that holds wins (g6..g7 = 16-bit groups 6, 7;
 * "IID zero-high" = bytes 8-11 all zero):
 *
 *   1 ieee-derived      byte 8 has the U bit (0x02), byte 11 = ff, byte 12 = fe
 *   2 isatap            bytes 8-11 = 00|02 00 5e fe
 *   3 embedded-ipv4-32  zero-high, byte 12 != 0, g7 != 0
 *   4 embedded-port     zero-high, byte 12 == 0, g7 a service port
 *   5 embedded-port-rev zero-high, byte 14 == 0, g6 a service port
 *   6 low-byte          zero-high, byte 12 == 0, g7 != 0
 *   7 embedded-ipv4-64  every group of the IID <= 0x255
 *   8 pattern-bytes     more than two of the eight IID bytes are zero
 *   9 randomized        otherwise
 *
 * A "service port" is one of a fixed list of well-known ports written
 * either in decimal (0x0019 = 25) or with its decimal digits read as hex
 * (0x0025 = "25").
 */
#include "addr/classify.h"

#include <string.h>

/* well-known ports recognized in interface IDs (addr6's list), and the
 * same ports with their decimal digits written as hex digits */
static const uint16_t service_ports[] = {
	21, 22, 23, 25, 49, 53, 80, 110, 123, 179, 220, 389, 443, 547,
	993, 995, 1194, 3306, 5060, 5061, 5432, 6446, 8080,
};
static const uint16_t service_ports_hex[] = {
	0x21, 0x22, 0x23, 0x25, 0x49, 0x53, 0x80, 0x110, 0x123, 0x179, 0x220, 0x389, 0x443, 0x547,
	0x993, 0x995, 0x1194, 0x3306, 0x5060, 0x5061, 0x5432, 0x6446, 0x8080,
};
#define N_SERVICE_PORTS (sizeof service_ports / sizeof service_ports[0])
_Static_assert(sizeof service_ports == sizeof service_ports_hex, "port tables differ");

static const char *const scope_names[ADDR_SCOPE_COUNT] = {
	[ADDR_SCOPE_NONE] = "none",
	[ADDR_SCOPE_UNSPECIFIED] = "unspecified",
	[ADDR_SCOPE_LOOPBACK] = "loopback",
	[ADDR_SCOPE_V4MAPPED] = "ipv4-mapped",
	[ADDR_SCOPE_V4COMPAT] = "ipv4-compatible",
	[ADDR_SCOPE_LINKLOCAL] = "link-local",
	[ADDR_SCOPE_SITELOCAL] = "site-local",
	[ADDR_SCOPE_ULA] = "unique-local",
	[ADDR_SCOPE_DOCUMENTATION] = "documentation",
	[ADDR_SCOPE_MULTICAST] = "multicast",
	[ADDR_SCOPE_6TO4] = "6to4",
	[ADDR_SCOPE_TEREDO] = "teredo",
	[ADDR_SCOPE_NAT64] = "nat64",
	[ADDR_SCOPE_NAT64_LOCAL] = "nat64-local",
	[ADDR_SCOPE_PRIVATE] = "private",
	[ADDR_SCOPE_SHARED] = "shared",
	[ADDR_SCOPE_RESERVED] = "reserved",
	[ADDR_SCOPE_GLOBAL] = "global",
};

static const char *const iid_names[ADDR_IID_COUNT] = {
	[ADDR_IID_NONE] = "none",
	[ADDR_IID_IEEE] = "ieee-derived",
	[ADDR_IID_ISATAP] = "isatap",
	[ADDR_IID_IPV4_32] = "embedded-ipv4-32",
	[ADDR_IID_IPV4_64] = "embedded-ipv4-64",
	[ADDR_IID_PORT] = "embedded-port",
	[ADDR_IID_PORT_REV] = "embedded-port-rev",
	[ADDR_IID_LOW_BYTE] = "low-byte",
	[ADDR_IID_PATTERN_BYTES] = "pattern-bytes",
	[ADDR_IID_RANDOM] = "randomized",
	[ADDR_IID_TEREDO] = "teredo",
};

static const char *const via_names[ADDR_V4_COUNT] = {
	[ADDR_V4_NONE] = "none",
	[ADDR_V4_6TO4] = "6to4",
	[ADDR_V4_TEREDO] = "teredo",
	[ADDR_V4_NAT64] = "nat64",
	[ADDR_V4_MAPPED] = "mapped",
	[ADDR_V4_COMPAT] = "compatible",
	[ADDR_V4_ISATAP] = "isatap",
	[ADDR_V4_IID] = "iid",
};

static const char *const teredo_kind_names[ADDR_TEREDO_COUNT] = {
	[ADDR_TEREDO_RFC4380] = "rfc4380",
	[ADDR_TEREDO_RFC5991] = "rfc5991",
	[ADDR_TEREDO_UNKNOWN] = "unknown",
};

const char *addr_scope_name(enum addr_scope s)
{
	return (unsigned)s < ADDR_SCOPE_COUNT ? scope_names[s] : "?";
}

const char *addr_iid_name(enum addr_iid i)
{
	return (unsigned)i < ADDR_IID_COUNT ? iid_names[i] : "?";
}

const char *addr_v4_via_name(enum addr_v4_via v)
{
	return (unsigned)v < ADDR_V4_COUNT ? via_names[v] : "?";
}

const char *addr_teredo_kind_name(enum addr_teredo_kind k)
{
	return (unsigned)k < ADDR_TEREDO_COUNT ? teredo_kind_names[k] : "?";
}

/* be16 - 16-bit big-endian group at byte offset i */
static uint16_t be16(const uint8_t *b, unsigned i)
{
	return (uint16_t)(b[i] << 8 | b[i + 1]);
}

/* be32 - 32-bit big-endian word at byte offset i */
static uint32_t be32(const uint8_t *b, unsigned i)
{
	return (uint32_t)b[i] << 24 | (uint32_t)b[i + 1] << 16 |
	       (uint32_t)b[i + 2] << 8 | b[i + 3];
}

/* all_zero - bytes [from, to) of b are zero */
static bool all_zero(const uint8_t *b, unsigned from, unsigned to)
{
	for (unsigned i = from; i < to; i++)
		if (b[i])
			return false;
	return true;
}

/* v4_at - the IPv4 address in bytes off..off+3, XORed with x */
static struct addr v4_at(const uint8_t *b, unsigned off, uint8_t x)
{
	uint8_t v[4];
	for (unsigned i = 0; i < 4; i++)
		v[i] = b[off + i] ^ x;
	return addr_from_v4(v);
}

/* in4 - IPv4 host-order v lies in net/len */
static bool in4(uint32_t v, uint32_t net, unsigned len)
{
	uint32_t mask = len ? ~(uint32_t)0 << (32 - len) : 0;
	return (v & mask) == net;
}

/* scope4 - special range of an IPv4 address (RFC 6890 registry) */
static enum addr_scope scope4(const struct addr *a)
{
	uint32_t v = addr_v4_u32(a);
	if (v == 0)
		return ADDR_SCOPE_UNSPECIFIED;
	if (in4(v, 0x7f000000, 8))
		return ADDR_SCOPE_LOOPBACK;
	if (in4(v, 0x0a000000, 8) || in4(v, 0xac100000, 12) || in4(v, 0xc0a80000, 16))
		return ADDR_SCOPE_PRIVATE;
	if (in4(v, 0x64400000, 10))
		return ADDR_SCOPE_SHARED;
	if (in4(v, 0xa9fe0000, 16))
		return ADDR_SCOPE_LINKLOCAL;
	if (in4(v, 0xc0000200, 24) || in4(v, 0xc6336400, 24) || in4(v, 0xcb007100, 24))
		return ADDR_SCOPE_DOCUMENTATION;
	if (in4(v, 0xe0000000, 4))
		return ADDR_SCOPE_MULTICAST;
	if (in4(v, 0x00000000, 8) || in4(v, 0xc0000000, 24) || in4(v, 0xc6120000, 15) ||
	    in4(v, 0xf0000000, 4))
		return ADDR_SCOPE_RESERVED;
	return ADDR_SCOPE_GLOBAL;
}

/* scope6 - special range of an IPv6 address, in addr6's order of tests */
static enum addr_scope scope6(const uint8_t *b)
{
	if (b[0] == 0xff)
		return ADDR_SCOPE_MULTICAST;
	if (all_zero(b, 0, 10)) {
		if (b[10] == 0xff && b[11] == 0xff)
			return ADDR_SCOPE_V4MAPPED;
		if (!b[10] && !b[11]) {
			uint32_t low = be32(b, 12);
			if (low == 0)
				return ADDR_SCOPE_UNSPECIFIED;
			if (low == 1)
				return ADDR_SCOPE_LOOPBACK;
			return ADDR_SCOPE_V4COMPAT;
		}
	}
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return ADDR_SCOPE_LINKLOCAL;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return ADDR_SCOPE_SITELOCAL;
	if ((b[0] & 0xfe) == 0xfc)
		return ADDR_SCOPE_ULA;
	if (b[0] == 0x20 && b[1] == 0x02)
		return ADDR_SCOPE_6TO4;
	uint32_t w0 = be32(b, 0);
	if (w0 == 0x20010000 || w0 == 0x3ffe831f)
		return ADDR_SCOPE_TEREDO;
	if (w0 == 0x20010db8 || (w0 & 0xfffff000) == 0x3fff0000)
		return ADDR_SCOPE_DOCUMENTATION;
	if (w0 == 0x0064ff9b) {
		if (all_zero(b, 4, 12))
			return ADDR_SCOPE_NAT64;
		if (b[4] == 0 && b[5] == 1)
			return ADDR_SCOPE_NAT64_LOCAL;
	}
	if ((b[0] & 0xe0) == 0x20)
		return ADDR_SCOPE_GLOBAL;
	return ADDR_SCOPE_RESERVED;
}

enum addr_scope addr_scope_of(const struct addr *a)
{
	if (a->family == 4)
		return scope4(a);
	if (a->family == 6)
		return scope6(a->b);
	return ADDR_SCOPE_NONE;
}

/* service_port - v is a listed port in decimal or in "decimal digits as
 * hex"; *port gets the port number (hex reading first, as addr6 tests it) */
static bool service_port(uint16_t v, uint16_t *port)
{
	for (size_t i = 0; i < N_SERVICE_PORTS; i++) {
		if (v == service_ports_hex[i]) {
			*port = service_ports[i];
			return true;
		}
	}
	for (size_t i = 0; i < N_SERVICE_PORTS; i++) {
		if (v == service_ports[i]) {
			*port = v;
			return true;
		}
	}
	return false;
}

/* iid6 - interface-ID class by addr6's decision list (top of file); the
 * service port of the port classes goes to *port */
static enum addr_iid iid6(const uint8_t *b, uint16_t *port)
{
	uint16_t g6 = be16(b, 12), g7 = be16(b, 14);
	bool zero_high = all_zero(b, 8, 12);
	*port = 0;
	if ((b[8] & 0x02) && b[11] == 0xff && b[12] == 0xfe)
		return ADDR_IID_IEEE;
	if ((b[8] & 0xfd) == 0 && b[9] == 0 && b[10] == 0x5e && b[11] == 0xfe)
		return ADDR_IID_ISATAP;
	if (zero_high && b[12] && g7)
		return ADDR_IID_IPV4_32;
	if (zero_high && !b[12] && service_port(g7, port))
		return ADDR_IID_PORT;
	if (zero_high && !b[14] && service_port(g6, port))
		return ADDR_IID_PORT_REV;
	if (zero_high && !b[12] && g7)
		return ADDR_IID_LOW_BYTE;
	if (be16(b, 8) <= 0x255 && be16(b, 10) <= 0x255 && g6 <= 0x255 && g7 <= 0x255)
		return ADDR_IID_IPV4_64;
	unsigned zeros = 0;
	for (unsigned i = 8; i < 16; i++)
		zeros += !b[i];
	if (zeros > 2)
		return ADDR_IID_PATTERN_BYTES;
	return ADDR_IID_RANDOM;
}

/* iid_applies - addr6 classifies the interface ID of this scope */
static bool iid_applies(enum addr_scope s)
{
	return s != ADDR_SCOPE_NONE && s != ADDR_SCOPE_UNSPECIFIED &&
	       s != ADDR_SCOPE_MULTICAST && s != ADDR_SCOPE_TEREDO;
}

enum addr_iid addr_iid_of(const struct addr *a)
{
	if (a->family != 6)
		return ADDR_IID_NONE;
	enum addr_scope s = scope6(a->b);
	if (s == ADDR_SCOPE_TEREDO)
		return ADDR_IID_TEREDO;
	if (!iid_applies(s))
		return ADDR_IID_NONE;
	uint16_t port;
	return iid6(a->b, &port);
}

/* teredo_kind - the flags layout, by addr6's tests: U/G set, then random bits */
static enum addr_teredo_kind teredo_kind(uint16_t flags)
{
	if (flags & 0x0300)
		return ADDR_TEREDO_UNKNOWN;
	if (flags & 0x3cff)
		return ADDR_TEREDO_RFC5991;
	return ADDR_TEREDO_RFC4380;
}

/* embedded6 - addr_embedded_v4 for IPv6 bytes b of scope s; iid is the
 * interface-ID class if known, else ADDR_IID_COUNT (computed when needed) */
static enum addr_v4_via embedded6(const uint8_t *b, enum addr_scope s, enum addr_iid iid,
				  struct addr *out)
{
	enum addr_v4_via how = ADDR_V4_NONE;
	switch (s) {
	case ADDR_SCOPE_6TO4:
		*out = v4_at(b, 2, 0);
		return ADDR_V4_6TO4;
	case ADDR_SCOPE_TEREDO:
		*out = v4_at(b, 12, 0xff);
		return ADDR_V4_TEREDO;
	case ADDR_SCOPE_NAT64:
		how = ADDR_V4_NAT64;
		break;
	case ADDR_SCOPE_V4MAPPED:
		how = ADDR_V4_MAPPED;
		break;
	case ADDR_SCOPE_V4COMPAT:
		how = ADDR_V4_COMPAT;
		break;
	case ADDR_SCOPE_NONE:
	case ADDR_SCOPE_UNSPECIFIED:
	case ADDR_SCOPE_MULTICAST:
	case ADDR_SCOPE_COUNT:
		return ADDR_V4_NONE;
	default: {
		uint16_t port;
		if (iid == ADDR_IID_COUNT)
			iid = iid6(b, &port);
		if (iid == ADDR_IID_ISATAP)
			how = ADDR_V4_ISATAP;
		else if (iid == ADDR_IID_IPV4_32)
			how = ADDR_V4_IID;
		else
			return ADDR_V4_NONE;
		break;
	}
	}
	*out = v4_at(b, 12, 0);
	return how;
}

/* classify6 - addr_classify for IPv6 */
static void classify6(const struct addr *a, struct addr_class *c)
{
	const uint8_t *b = a->b;
	c->scope = scope6(b);
	if (c->scope == ADDR_SCOPE_MULTICAST)
		c->mcast_scope = b[1] & 0x0f;
	if (c->scope == ADDR_SCOPE_TEREDO) {
		c->iid = ADDR_IID_TEREDO;
		c->teredo_server = v4_at(b, 4, 0);
		c->teredo_flags = be16(b, 8);
		c->teredo_port = (uint16_t)(be16(b, 10) ^ 0xffff);
		c->teredo_client = v4_at(b, 12, 0xff);
		c->teredo_kind = teredo_kind(c->teredo_flags);
		if (c->teredo_flags & 0x8000)
			c->flags |= ADDR_CF_TEREDO_CONE;
		if (b[0] == 0x3f)
			c->flags |= ADDR_CF_TEREDO_LEGACY;
	} else if (iid_applies(c->scope)) {
		c->iid = iid6(b, &c->port);
	}
	if (c->scope == ADDR_SCOPE_6TO4)
		c->gateway = v4_at(b, 2, 0);
	if (c->iid == ADDR_IID_ISATAP) {
		c->isatap_v4 = v4_at(b, 12, 0);
		if (b[8] & 0x02)
			c->flags |= ADDR_CF_ISATAP_GLOBAL;
	}
	if (c->iid == ADDR_IID_IEEE) {
		c->mac[0] = b[8] ^ 0x02;
		c->mac[1] = b[9];
		c->mac[2] = b[10];
		c->mac[3] = b[13];
		c->mac[4] = b[14];
		c->mac[5] = b[15];
		c->has_mac = true;
	}
	c->v4_via = embedded6(b, c->scope, c->iid, &c->v4);
	if (c->v4_via != ADDR_V4_NONE && scope4(&c->v4) != ADDR_SCOPE_GLOBAL)
		c->flags |= ADDR_CF_V4_NOT_GLOBAL;
}

void addr_classify(const struct addr *a, struct addr_class *c)
{
	memset(c, 0, sizeof *c);
	if (a->family == 4)
		c->scope = scope4(a);
	else if (a->family == 6)
		classify6(a, c);
	else
		c->scope = ADDR_SCOPE_NONE;
}

bool addr_embedded_v4(const struct addr *a, struct addr *v4, enum addr_v4_via *via)
{
	struct addr out = { .family = 0 };
	enum addr_v4_via how = ADDR_V4_NONE;
	if (a->family == 6)
		how = embedded6(a->b, scope6(a->b), ADDR_IID_COUNT, &out);
	if (v4)
		*v4 = out;
	if (via)
		*via = how;
	return how != ADDR_V4_NONE;
}
