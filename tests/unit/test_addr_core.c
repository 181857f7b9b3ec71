/* test_addr_core.c - addr/addr.c: parse, RFC 5952 format, masks, prefixes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_prefixes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
