/* test_addr.c - addr/classify.c: special ranges, interface-ID classes and
 * embedded data, table-driven, with the examples of RFC 3056/3068, 4380,
 * 5214, 6052 and the interface-ID edges of ipv6toolkit addr6's tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "addr/addr.h"
#include "addr/classify.h"

struct row {
	const char *in;
	const char *scope;
	const char *iid;
	const char *v4;      /* addr_embedded_v4 result or NULL */
	const char *via;
	const char *detail;  /* describe() of the other fields, "" when none */
};

/* describe - the fields beyond scope/iid/v4 as "key=value" words */
static void describe(const struct addr *a, const struct addr_class *c, char *out, size_t size)
{
	char t[ADDR_STRLEN];
	size_t n = 0;
	out[0] = '\0';
#define ADD(...) (n += (size_t)snprintf(out + n, size - n, __VA_ARGS__))
	if (c->gateway.family)
		ADD(" gw=%s", addr_format(&c->gateway, t));
	if (c->scope == ADDR_SCOPE_TEREDO) {
		ADD(" ts=%s", addr_format(&c->teredo_server, t));
		ADD(" tc=%s", addr_format(&c->teredo_client, t));
		ADD(" tp=%u tf=%04x tk=%s", c->teredo_port, c->teredo_flags,
		    addr_teredo_kind_name(c->teredo_kind));
	}
	if (c->isatap_v4.family)
		ADD(" isatap=%s", addr_format(&c->isatap_v4, t));
	if (c->has_mac)
		ADD(" mac=%02x:%02x:%02x:%02x:%02x:%02x", c->mac[0], c->mac[1],
		    c->mac[2], c->mac[3], c->mac[4], c->mac[5]);
	if (c->port)
		ADD(" port=%u", c->port);
	if (c->scope == ADDR_SCOPE_MULTICAST && a->family == 6)
		ADD(" mscope=%x", c->mcast_scope);
	if (c->flags)
		ADD(" flags=%x", c->flags);
#undef ADD
}

static void run_rows(const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		struct addr a, v4;
		struct addr_class c;
		enum addr_v4_via via;
		char buf[256], t[ADDR_STRLEN];
		print_message("  %s\n", r->in);
		assert_int_equal(addr_parse(r->in, &a), 0);
		addr_classify(&a, &c);
		assert_string_equal(addr_scope_name(c.scope), r->scope);
		assert_string_equal(addr_iid_name(c.iid), r->iid);
		assert_int_equal(addr_scope_of(&a), c.scope);
		assert_int_equal(addr_iid_of(&a), c.iid);
		bool has = addr_embedded_v4(&a, &v4, &via);
		if (r->v4) {
			assert_true(has);
			assert_string_equal(addr_format(&v4, t), r->v4);
			assert_string_equal(addr_v4_via_name(via), r->via);
			assert_true(addr_eq(&v4, &c.v4));
			assert_int_equal(via, c.v4_via);
		} else {
			assert_false(has);
			assert_int_equal(via, ADDR_V4_NONE);
			assert_int_equal(c.v4.family, 0);
		}
		describe(&a, &c, buf, sizeof buf);
		assert_string_equal(buf[0] ? buf + 1 : buf, r->detail);
	}
}

#define RUN(rows) run_rows(rows, sizeof rows / sizeof rows[0])

/* flags as describe() prints them */
#define F_CONE "1"
#define F_NG "8"

static void test_transition(void **state)
{
	(void)state;
	static const struct row rows[] = {
		/* RFC 4380 section 4: server 65.54.227.120, client 192.0.2.45, port 40000, cone */
		{ "2001:0000:4136:e378:8000:63bf:3fff:fdd2", "teredo", "teredo", "192.0.2.45", "teredo",
		  "ts=65.54.227.120 tc=192.0.2.45 tp=40000 tf=8000 tk=rfc4380 flags=9" },
		/* no cone bit, global client 203.0.113.x is documentation: use 8.8.4.4 */
		{ "2001:0:4136:e378:0:ffff:f7f7:fbfb", "teredo", "teredo", "8.8.4.4", "teredo",
		  "ts=65.54.227.120 tc=8.8.4.4 tp=0 tf=0000 tk=rfc4380" },
		/* RFC 5991 random flag bits; U/G bits make the layout unknown */
		{ "2001:0:4136:e378:8c12:63bf:3fff:fdd2", "teredo", "teredo", "192.0.2.45", "teredo",
		  "ts=65.54.227.120 tc=192.0.2.45 tp=40000 tf=8c12 tk=rfc5991 flags=9" },
		{ "2001:0:4136:e378:0100:63bf:3fff:fdd2", "teredo", "teredo", "192.0.2.45", "teredo",
		  "ts=65.54.227.120 tc=192.0.2.45 tp=40000 tf=0100 tk=unknown flags=8" },
		/* the draft prefix 3ffe:831f::/32 */
		{ "3ffe:831f:4136:e378:8000:63bf:3fff:fdd2", "teredo", "teredo", "192.0.2.45", "teredo",
		  "ts=65.54.227.120 tc=192.0.2.45 tp=40000 tf=8000 tk=rfc4380 flags=b" },
		/* 2001:1::/32 is not Teredo */
		{ "2001:1::1", "global", "low-byte", NULL, NULL, "" },
		/* RFC 3068: the 6to4 relay anycast 192.88.99.1 as a 6to4 prefix */
		{ "2002:c058:6301::1", "6to4", "low-byte", "192.88.99.1", "6to4", "gw=192.88.99.1" },
		/* RFC 3056 section 2: 2002:V4ADDR::/48, SLA and any IID */
		{ "2002:0102:0304:5:a1b2:c3d4:e5f6:1234", "6to4", "randomized", "1.2.3.4", "6to4", "gw=1.2.3.4" },
		/* 6to4 with an ISATAP IID: the gateway wins for association */
		{ "2002:c000:22a:1:200:5efe:c000:22a", "6to4", "isatap", "192.0.2.42", "6to4",
		  "gw=192.0.2.42 isatap=192.0.2.42 flags=c" },
		{ "2002::1", "6to4", "low-byte", "0.0.0.0", "6to4", "gw=0.0.0.0 flags=8" },
		/* RFC 5214 6.1: ISATAP IIDs 0:5efe (private IPv4) and 200:5efe (global IPv4) */
		{ "fe80::5efe:c000:28f", "link-local", "isatap", "192.0.2.143", "isatap",
		  "isatap=192.0.2.143 flags=8" },
		{ "2001:470:1:2:200:5efe:808:808", "global", "isatap", "8.8.8.8", "isatap",
		  "isatap=8.8.8.8 flags=4" },
		{ "2001:470:1:2:300:5efe:808:808", "global", "randomized", NULL, NULL, "" },
		{ "2001:470:1:2:100:5efe:808:808", "global", "randomized", NULL, NULL, "" },
		/* RFC 6052 2.2: well-known prefix and the 2.4 examples for 192.0.2.33 */
		{ "64:ff9b::192.0.2.33", "nat64", "embedded-ipv4-32", "192.0.2.33", "nat64", "flags=8" },
		{ "64:ff9b::808:808", "nat64", "embedded-ipv4-32", "8.8.8.8", "nat64", "" },
		{ "64:ff9b:1::808:808", "nat64-local", "embedded-ipv4-32", "8.8.8.8", "iid", "" },
		{ "64:ff9b:1:f5d2:ee5c:36ff:feec:b385", "nat64-local", "ieee-derived", NULL, NULL,
		  "mac=ec:5c:36:ec:b3:85" },
		{ "64:ff9b:2::808:808", "reserved", "embedded-ipv4-32", "8.8.8.8", "iid", "" },
		{ "2001:db8:122:344::192.0.2.33", "documentation", "embedded-ipv4-32", "192.0.2.33", "iid",
		  "flags=8" },
		{ "2001:db8:122:344:c0:2:2100:0", "documentation", "pattern-bytes", NULL, NULL, "" },
		{ "2001:db8:c000:221::", "documentation", "embedded-ipv4-64", NULL, NULL, "" },
		/* RFC 4291 2.5.5: mapped and compatible */
		{ "::ffff:192.0.2.1", "ipv4-mapped", "pattern-bytes", "192.0.2.1", "mapped", "flags=8" },
		{ "::ffff:8.8.4.4", "ipv4-mapped", "randomized", "8.8.4.4", "mapped", "" },
		{ "::ffff:0:1", "ipv4-mapped", "pattern-bytes", "0.0.0.1", "mapped", "flags=8" },
		{ "::8.8.8.8", "ipv4-compatible", "embedded-ipv4-32", "8.8.8.8", "compatible", "" },
		{ "::2", "ipv4-compatible", "low-byte", "0.0.0.2", "compatible", "flags=8" },
	};
	RUN(rows);
}

static void test_iid_classes(void **state)
{
	(void)state;
	static const struct row rows[] = {
		/* modified EUI-64: the U bit must be set; the MAC has it flipped back */
		{ "2001:470::212:34ff:fe56:789a", "global", "ieee-derived", NULL, NULL, "mac=00:12:34:56:78:9a" },
		{ "fe80::2e0:81ff:fe52:9a6b", "link-local", "ieee-derived", NULL, NULL, "mac=00:e0:81:52:9a:6b" },
		{ "2001:470::312:34ff:fe56:789a", "global", "ieee-derived", NULL, NULL, "mac=01:12:34:56:78:9a" },
		{ "2001:470::12:34ff:fe56:789a", "global", "randomized", NULL, NULL, "" },
		{ "2001:470::2ff:ffff:feff:ffff", "global", "ieee-derived", NULL, NULL, "mac=00:ff:ff:ff:ff:ff" },
		/* IPv4 in the low 32 bits: first byte and last group non-zero */
		{ "2001:470::c000:221", "global", "embedded-ipv4-32", "192.0.2.33", "iid", "flags=8" },
		{ "2001:470::1111:2222", "global", "embedded-ipv4-32", "17.17.34.34", "iid", "" },
		{ "2001:470::100:1", "global", "embedded-ipv4-32", "1.0.0.1", "iid", "" },
		{ "2001:470::ff00:1", "global", "embedded-ipv4-32", "255.0.0.1", "iid", "flags=8" },
		{ "2001:470::ff00:0", "global", "pattern-bytes", NULL, NULL, "" },
		/* a.b.c.d as 0:a:b:c:d in "decimal" groups, up to 0x255 */
		{ "2001:470::192:0:2:33", "global", "embedded-ipv4-64", NULL, NULL, "" },
		{ "2001:470::255:255:255:255", "global", "embedded-ipv4-64", NULL, NULL, "" },
		{ "2001:470::256:1:1:1", "global", "pattern-bytes", NULL, NULL, "" },
		{ "2001:470::1:0", "global", "embedded-ipv4-64", NULL, NULL, "" },
		{ "2001:470::", "global", "embedded-ipv4-64", NULL, NULL, "" },
		{ "fe80::", "link-local", "embedded-ipv4-64", NULL, NULL, "" },
		/* service ports: decimal value or decimal digits read as hex */
		{ "2001:470::19", "global", "embedded-port", NULL, NULL, "port=25" },
		{ "2001:470::25", "global", "embedded-port", NULL, NULL, "port=25" },
		{ "2001:470::1:80", "global", "embedded-port", NULL, NULL, "port=80" },
		{ "2001:470::50", "global", "embedded-port", NULL, NULL, "port=80" },
		{ "2001:470::1bb", "global", "embedded-port", NULL, NULL, "port=443" },
		{ "2001:470::8080", "global", "embedded-port", NULL, NULL, "port=8080" },
		{ "2001:470::1f90", "global", "embedded-port", NULL, NULL, "port=8080" },
		{ "2001:470::80:1", "global", "embedded-port-rev", NULL, NULL, "port=80" },
		{ "2001:470::443:0", "global", "embedded-port-rev", NULL, NULL, "port=443" },
		{ "2001:470::25:ff", "global", "embedded-port-rev", NULL, NULL, "port=25" },
		/* low-byte: zero high half, byte 12 zero, not a port */
		{ "2001:470::1", "global", "low-byte", NULL, NULL, "" },
		{ "2001:470::1:100", "global", "low-byte", NULL, NULL, "" },
		{ "2001:470::ff:ffff", "global", "low-byte", NULL, NULL, "" },
		{ "2001:470::24", "global", "low-byte", NULL, NULL, "" },
		/* pattern bytes and random */
		{ "2001:470::a00:0:0:b00", "global", "pattern-bytes", NULL, NULL, "" },
		{ "2001:470::1234:5678:9abc:0", "global", "randomized", NULL, NULL, "" },
		{ "2001:470::a1b2:c3d4:e5f6:1234", "global", "randomized", NULL, NULL, "" },
		{ "2001:470::a1b2:c3:e5f6:1200", "global", "randomized", NULL, NULL, "" },
		{ "2001:470::a1b2:3:e5f6:0", "global", "pattern-bytes", NULL, NULL, "" },
	};
	RUN(rows);
}

static void test_scopes6(void **state)
{
	(void)state;
	static const struct row rows[] = {
		{ "::", "unspecified", "none", NULL, NULL, "" },
		{ "::1", "loopback", "low-byte", NULL, NULL, "" },
		{ "::1:0:0:0", "reserved", "embedded-ipv4-64", NULL, NULL, "" },
		{ "1fff:ffff::1", "reserved", "low-byte", NULL, NULL, "" },
		{ "2000::1", "global", "low-byte", NULL, NULL, "" },
		{ "4000::1", "reserved", "low-byte", NULL, NULL, "" },
		{ "100::1", "reserved", "low-byte", NULL, NULL, "" },
		{ "fe80::1", "link-local", "low-byte", NULL, NULL, "" },
		{ "febf:ffff::1", "link-local", "low-byte", NULL, NULL, "" },
		{ "fec0::1", "site-local", "low-byte", NULL, NULL, "" },
		{ "feff::1", "site-local", "low-byte", NULL, NULL, "" },
		{ "fc00::1", "unique-local", "low-byte", NULL, NULL, "" },
		{ "fdff:ffff::1", "unique-local", "low-byte", NULL, NULL, "" },
		{ "fe00::1", "reserved", "low-byte", NULL, NULL, "" },
		{ "2001:db8::1", "documentation", "low-byte", NULL, NULL, "" },
		{ "2001:db9::1", "global", "low-byte", NULL, NULL, "" },
		{ "3fff::1", "documentation", "low-byte", NULL, NULL, "" },
		{ "3fff:fff::1", "documentation", "low-byte", NULL, NULL, "" },
		{ "3fff:1000::1", "global", "low-byte", NULL, NULL, "" },
		{ "ff02::1", "multicast", "none", NULL, NULL, "mscope=2" },
		{ "ff0e::101", "multicast", "none", NULL, NULL, "mscope=e" },
		{ "ff15::1:2", "multicast", "none", NULL, NULL, "mscope=5" },
	};
	RUN(rows);
}

static void test_scopes4(void **state)
{
	(void)state;
	static const struct row rows[] = {
		{ "0.0.0.0", "unspecified", "none", NULL, NULL, "" },
		{ "0.1.2.3", "reserved", "none", NULL, NULL, "" },
		{ "127.0.0.1", "loopback", "none", NULL, NULL, "" },
		{ "10.0.0.0", "private", "none", NULL, NULL, "" },
		{ "10.255.255.255", "private", "none", NULL, NULL, "" },
		{ "172.15.255.255", "global", "none", NULL, NULL, "" },
		{ "172.16.0.0", "private", "none", NULL, NULL, "" },
		{ "172.31.255.255", "private", "none", NULL, NULL, "" },
		{ "172.32.0.0", "global", "none", NULL, NULL, "" },
		{ "192.168.1.1", "private", "none", NULL, NULL, "" },
		{ "100.63.255.255", "global", "none", NULL, NULL, "" },
		{ "100.64.0.0", "shared", "none", NULL, NULL, "" },
		{ "100.127.255.255", "shared", "none", NULL, NULL, "" },
		{ "100.128.0.0", "global", "none", NULL, NULL, "" },
		{ "169.254.1.1", "link-local", "none", NULL, NULL, "" },
		{ "192.0.2.1", "documentation", "none", NULL, NULL, "" },
		{ "198.51.100.7", "documentation", "none", NULL, NULL, "" },
		{ "203.0.113.255", "documentation", "none", NULL, NULL, "" },
		{ "192.0.0.8", "reserved", "none", NULL, NULL, "" },
		{ "198.18.0.1", "reserved", "none", NULL, NULL, "" },
		{ "198.19.255.255", "reserved", "none", NULL, NULL, "" },
		{ "198.20.0.0", "global", "none", NULL, NULL, "" },
		{ "224.0.0.1", "multicast", "none", NULL, NULL, "" },
		{ "239.255.255.255", "multicast", "none", NULL, NULL, "" },
		{ "240.0.0.1", "reserved", "none", NULL, NULL, "" },
		{ "255.255.255.255", "reserved", "none", NULL, NULL, "" },
		{ "8.8.8.8", "global", "none", NULL, NULL, "" },
	};
	RUN(rows);
}

static void test_names_and_edges(void **state)
{
	(void)state;
	/* every enum value has a distinct name; out of range gives "?" */
	for (int i = 0; i < ADDR_SCOPE_COUNT; i++) {
		assert_string_not_equal(addr_scope_name((enum addr_scope)i), "?");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(addr_scope_name((enum addr_scope)i),
						addr_scope_name((enum addr_scope)j));
	}
	for (int i = 0; i < ADDR_IID_COUNT; i++) {
		assert_string_not_equal(addr_iid_name((enum addr_iid)i), "?");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(addr_iid_name((enum addr_iid)i),
						addr_iid_name((enum addr_iid)j));
	}
	for (int i = 0; i < ADDR_V4_COUNT; i++)
		assert_string_not_equal(addr_v4_via_name((enum addr_v4_via)i), "?");
	for (int i = 0; i < ADDR_TEREDO_COUNT; i++)
		assert_string_not_equal(addr_teredo_kind_name((enum addr_teredo_kind)i), "?");
	assert_string_equal(addr_scope_name(ADDR_SCOPE_COUNT), "?");
	assert_string_equal(addr_iid_name(ADDR_IID_COUNT), "?");
	assert_string_equal(addr_v4_via_name(ADDR_V4_COUNT), "?");
	assert_string_equal(addr_teredo_kind_name(ADDR_TEREDO_COUNT), "?");

	/* family 0 and NULL out-pointers */
	struct addr none = { .family = 0 };
	struct addr_class c;
	addr_classify(&none, &c);
	assert_int_equal(c.scope, ADDR_SCOPE_NONE);
	assert_int_equal(c.iid, ADDR_IID_NONE);
	assert_false(addr_embedded_v4(&none, NULL, NULL));
	struct addr a;
	assert_int_equal(addr_parse("2002:808:808::1", &a), 0);
	assert_true(addr_embedded_v4(&a, NULL, NULL));

	/* every byte value in every position: classification never fails */
	for (int pos = 0; pos < 16; pos++) {
		for (int v = 0; v < 256; v++) {
			struct addr x = { .family = 6 };
			memset(x.b, 0x5a, sizeof x.b);
			x.b[pos] = (uint8_t)v;
			addr_classify(&x, &c);
			assert_true(c.scope > ADDR_SCOPE_NONE && c.scope < ADDR_SCOPE_COUNT);
			assert_true(c.iid < ADDR_IID_COUNT);
			assert_true(c.v4_via < ADDR_V4_COUNT);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transition),
		cmocka_unit_test(test_iid_classes),
		cmocka_unit_test(test_scopes6),
		cmocka_unit_test(test_scopes4),
		cmocka_unit_test(test_names_and_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
