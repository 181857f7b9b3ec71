/*
 * classify.h - what an address is: special range, interface-ID class, and
 * the data an IPv6 address carries (6to4 gateway, Teredo server/client/port,
 * ISATAP IPv4, NAT64/mapped/compatible IPv4, EUI-64 MAC, service port).
 *
 * The interface-ID classes and their precedence follow ipv6toolkit's addr6
 * (decode_ipv6_address() in its libipv6.c), so `mxsensor addr` and
 * `addr6 -d` agree; names are the strings addr6 prints.  The differences
 * (Teredo 2001::/32, which addr6 2.0 does not recognize) are listed in
 * docs/man/mxsensor-addr.1 and tests/integration/addr6-allow.txt.
 *
 * Everything here is a pure function of the 16 address bytes: no state,
 * no allocation, safe on any input.
 */
#ifndef MX_CLASSIFY_H
#define MX_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "addr/addr.h"

/* addr_scope - the special range an address lies in (one value, IPv4 or IPv6) */
enum addr_scope {
	ADDR_SCOPE_NONE,            /* family 0: not an address */
	ADDR_SCOPE_UNSPECIFIED,     /* ::, 0.0.0.0 */
	ADDR_SCOPE_LOOPBACK,        /* ::1, 127.0.0.0/8 */
	ADDR_SCOPE_V4MAPPED,        /* ::ffff:0:0/96 (RFC 4291 2.5.5.2) */
	ADDR_SCOPE_V4COMPAT,        /* ::/96 but :: and ::1 (deprecated, RFC 4291 2.5.5.1) */
	ADDR_SCOPE_LINKLOCAL,       /* fe80::/10, 169.254.0.0/16 */
	ADDR_SCOPE_SITELOCAL,       /* fec0::/10 (deprecated, RFC 3879) */
	ADDR_SCOPE_ULA,             /* fc00::/7 (RFC 4193) */
	ADDR_SCOPE_DOCUMENTATION,   /* 2001:db8::/32, 3fff::/20; 192.0.2/24, 198.51.100/24, 203.0.113/24 */
	ADDR_SCOPE_MULTICAST,       /* ff00::/8, 224.0.0.0/4 */
	ADDR_SCOPE_6TO4,            /* 2002::/16 (RFC 3056) */
	ADDR_SCOPE_TEREDO,          /* 2001::/32 (RFC 4380), and 3ffe:831f::/32 of its drafts */
	ADDR_SCOPE_NAT64,           /* 64:ff9b::/96 (RFC 6052) */
	ADDR_SCOPE_NAT64_LOCAL,     /* 64:ff9b:1::/48 (RFC 8215) */
	ADDR_SCOPE_PRIVATE,         /* 10/8, 172.16/12, 192.168/16 (RFC 1918) */
	ADDR_SCOPE_SHARED,          /* 100.64.0.0/10 (RFC 6598, carrier-grade NAT) */
	ADDR_SCOPE_RESERVED,        /* outside 2000::/3 and the ranges above; IPv4 0/8, 192.0.0/24, 198.18/15, 240/4 */
	ADDR_SCOPE_GLOBAL,          /* everything else: global unicast */
	ADDR_SCOPE_COUNT
};

/* addr_iid - interface-ID class of an IPv6 unicast address (addr6's classes) */
enum addr_iid {
	ADDR_IID_NONE,              /* not IPv6 unicast (IPv4, ::, multicast) */
	ADDR_IID_IEEE,              /* modified EUI-64 from a universal MAC: xx(U=1)xx:xxff:fexx:xxxx */
	ADDR_IID_ISATAP,            /* 0:5efe:a.b.c.d or 200:5efe:a.b.c.d (RFC 5214) */
	ADDR_IID_IPV4_32,           /* 0:0:XXyy:zzzz, first byte and last 16 bits non-zero: IPv4 in bits 96-127 */
	ADDR_IID_IPV4_64,           /* every 16-bit group <= 0x255: a.b.c.d written as 0:a:b:c:d */
	ADDR_IID_PORT,              /* 0:0:0(00)yy:PORT, PORT a well-known service port */
	ADDR_IID_PORT_REV,          /* 0:0:PORT:00yy */
	ADDR_IID_LOW_BYTE,          /* 0:0:00yy:zzzz, small non-zero number */
	ADDR_IID_PATTERN_BYTES,     /* more than two zero bytes otherwise */
	ADDR_IID_RANDOM,            /* none of the above */
	ADDR_IID_TEREDO,            /* Teredo: flags, port, client IPv4 */
	ADDR_IID_COUNT
};

/* addr_v4_via - how an IPv6 address carries an IPv4 address */
enum addr_v4_via {
	ADDR_V4_NONE,
	ADDR_V4_6TO4,               /* 6to4 gateway, bits 16-47 */
	ADDR_V4_TEREDO,             /* Teredo client, bits 96-127 XOR 0xffffffff */
	ADDR_V4_NAT64,              /* NAT64 well-known prefix 64:ff9b::/96, bits 96-127 */
	ADDR_V4_MAPPED,             /* ::ffff:a.b.c.d */
	ADDR_V4_COMPAT,             /* ::a.b.c.d */
	ADDR_V4_ISATAP,             /* ISATAP interface ID, bits 96-127 */
	ADDR_V4_IID,                /* interface ID class embedded-ipv4-32, bits 96-127 */
	ADDR_V4_COUNT
};

/* addr_teredo_kind - the Teredo flags layout (addr6's Teredo IID subtypes) */
enum addr_teredo_kind {
	ADDR_TEREDO_RFC4380,        /* only the cone bit may be set */
	ADDR_TEREDO_RFC5991,        /* random bits in the A fields (RFC 5991 section 4) */
	ADDR_TEREDO_UNKNOWN,        /* U or G bit set: not a Teredo client address layout */
	ADDR_TEREDO_COUNT
};

/* Flag bits of struct addr_class.flags */
#define ADDR_CF_TEREDO_CONE    0x01u  /* Teredo flags: cone NAT bit (0x8000) */
#define ADDR_CF_TEREDO_LEGACY  0x02u  /* Teredo in 3ffe:831f::/32 (pre-RFC prefix) */
#define ADDR_CF_ISATAP_GLOBAL  0x04u  /* ISATAP IID 200:5efe: the IPv4 is globally unique */
#define ADDR_CF_V4_NOT_GLOBAL  0x08u  /* the carried IPv4 (v4) is not global unicast */

/* addr_class - everything addr_classify() finds; fields without data are zero */
struct addr_class {
	enum addr_scope scope;
	enum addr_iid iid;
	unsigned flags;                  /* ADDR_CF_* */
	struct addr v4;                  /* the IPv4 for association (family 0 if none) */
	enum addr_v4_via v4_via;
	struct addr gateway;             /* 6to4 gateway IPv4 */
	struct addr teredo_server;       /* Teredo server IPv4 */
	struct addr teredo_client;       /* Teredo client (mapped) IPv4, de-obfuscated */
	uint16_t teredo_port;            /* Teredo client (mapped) UDP port, de-obfuscated */
	uint16_t teredo_flags;           /* bits 64-79 as they are */
	enum addr_teredo_kind teredo_kind;
	struct addr isatap_v4;           /* IPv4 of an ISATAP interface ID */
	uint8_t mac[6];                  /* MAC of an ieee-derived IID (U/L bit flipped back) */
	bool has_mac;
	uint16_t port;                   /* service port of embedded-port(-rev), else 0 */
	uint8_t mcast_scope;             /* IPv6 multicast scope nibble (RFC 4291 2.7) */
};

/* addr_classify - fill *c for a (IPv4 or IPv6; family 0 gives scope NONE) */
void addr_classify(const struct addr *a, struct addr_class *c);
/* addr_scope_of - only the special range (cheaper than addr_classify) */
enum addr_scope addr_scope_of(const struct addr *a);
/* addr_iid_of - only the interface-ID class of an IPv6 address */
enum addr_iid addr_iid_of(const struct addr *a);
/* addr_embedded_v4 - the IPv4 an IPv6 address carries, for association
 * evidence: 6to4 gateway, Teredo client, NAT64, mapped, compatible, ISATAP,
 * or an embedded-ipv4-32 interface ID, in that order.  Stores it in *v4 and
 * the way in *via (either may be NULL); false (and ADDR_V4_NONE) if none. */
bool addr_embedded_v4(const struct addr *a, struct addr *v4, enum addr_v4_via *via);

/* Stable lower-case names for output; never NULL ("?" when out of range) */
const char *addr_scope_name(enum addr_scope s);
const char *addr_iid_name(enum addr_iid i);
const char *addr_v4_via_name(enum addr_v4_via v);
const char *addr_teredo_kind_name(enum addr_teredo_kind k);

#endif
