/* test_addr_core.c - addr/addr.c: parse, RFC 5952 format, masks, prefixes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "addr/addr.h"

static void roundtrip(const char *in, const char *want)
{
	struct addr a;
	char buf[ADDR_STRLEN];
	assert_int_equal(addr_parse(in, &a), 0);
	assert_string_equal(addr_format(&a, buf), want);
}

static void test_rfc5952(void **state)
{
	(void)state;
	roundtrip("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1");
	roundtrip("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");   /* first run on tie */
	roundtrip("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"); /* no :: for one group */
	roundtrip("::ffff:192.0.2.1", "::ffff:192.0.2.1");
	roundtrip("::", "::");
	roundtrip("192.0.2.255", "192.0.2.255");
}

/* same_as_ntop - addr_format writes what the C library's inet_ntop writes */
static void same_as_ntop(const struct addr *a)
{
	char want[INET6_ADDRSTRLEN], got[ADDR_STRLEN];
	assert_non_null(inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->b, want, sizeof want));
	size_t n = addr_format_n(a, got);
	if (strcmp(want, got) != 0)
		fail_msg("inet_ntop %s, addr_format %s", want, got);
	assert_int_equal(n, strlen(want));
}

static void test_format_as_ntop(void **state)
{
	(void)state;
	struct addr a = { .family = 6 };
	/* every pattern of zero groups, with small, large and ffff groups
	 * elsewhere (IPv4-mapped and -compatible forms included) */
	srandom(5952);
	for (unsigned zeros = 0; zeros < 256; zeros++)
		for (int k = 0; k < 2000; k++) {
			for (int i = 0; i < 8; i++) {
				unsigned r = (unsigned)random(), w = 0;
				if (!(zeros >> i & 1))
					w = r % 4 == 0 ? 0xffff : r % 4 == 1 ? (r >> 8) % 16 + 1
							    : (r >> 8) % 0xffff + 1;
				a.b[2 * i] = (uint8_t)(w >> 8);
				a.b[2 * i + 1] = (uint8_t)w;
			}
			same_as_ntop(&a);
		}
	/* uniformly random IPv6 and IPv4 */
	for (int k = 0; k < 200000; k++) {
		a.family = 6;
		for (int i = 0; i < 16; i++)
			a.b[i] = (uint8_t)random();
		same_as_ntop(&a);
		a.family = 4;
		same_as_ntop(&a);
	}
	char buf[ADDR_STRLEN];
	struct addr none = { 0 };
	assert_string_equal(addr_format(&none, buf), "-");
}

static void test_parse_rejects(void **state)
{
	(void)state;
	struct addr a;
	assert_int_equal(addr_parse("2001:db8::1::2", &a), -1);
	assert_int_equal(addr_parse("256.1.1.1", &a), -1);
	assert_int_equal(addr_parse("1.2.3", &a), -1);
	assert_int_equal(addr_parse("", &a), -1);
	assert_int_equal(addr_parse("[2001:db8::1]", &a), -1);
	assert_int_equal(addr_parse("2001:db8::1%eth0", &a), -1);
	assert_int_equal(addr_parse_n("10.0.0.1garbage", 8, &a), 0);
	assert_int_equal(a.family, 4);
}

static void test_prefixes(void **state)
{
	(void)state;
	struct prefix p;
	char buf[PREFIX_STRLEN];
	assert_int_equal(prefix_parse("2001:db8:1:2::/64", &p, false), 0);
	assert_string_equal(prefix_format(&p, buf), "2001:db8:1:2::/64");
	assert_int_equal(prefix_parse("2001:db8:1:2::5/64", &p, false), -1);
	assert_int_equal(prefix_parse("2001:db8:1:2::5/64", &p, true), 0);
	assert_string_equal(prefix_format(&p, buf), "2001:db8:1:2::/64");
	assert_int_equal(prefix_parse("10.1.2.3/33", &p, true), -1);
	assert_int_equal(prefix_parse("10.1.2.3/19", &p, true), 0);
	assert_string_equal(prefix_format(&p, buf), "10.1.0.0/19");
	struct addr a;
	addr_parse("10.1.31.255", &a);
	assert_true(prefix_contains(&p, &a));
	addr_parse("10.1.32.0", &a);
	assert_false(prefix_contains(&p, &a));
	addr_parse("2001:db8:aaaa:bbbb:1:2:3:4", &a);
	struct prefix q = prefix_of(&a, 56);
	assert_string_equal(prefix_format(&q, buf), "2001:db8:aaaa:bb00::/56");
	assert_int_equal(addr_v4_u32(&(struct addr){ 4, { 1, 2, 3, 4 } }), 0x01020304);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc5952),
		cmocka_unit_test(test_format_as_ntop),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_prefixes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
