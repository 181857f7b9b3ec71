/* test_util.c - util/: numbers, wire reader, hashing, allocation helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/hash.h"
#include "util/num.h"
#include "util/wire.h"

static void test_num_ulong_ranges(void **state)
{
	(void)state;
	unsigned long v = 7;
	assert_int_equal(num_ulong("25", 1, 65535, &v), 0);
	assert_int_equal(v, 25);
	assert_int_equal(num_ulong("0", 1, 65535, &v), -1);
	assert_int_equal(num_ulong("65536", 1, 65535, &v), -1);
	assert_int_equal(num_ulong("-1", 0, 10, &v), -1);
	assert_int_equal(num_ulong("12x", 0, 100, &v), -1);
	assert_int_equal(num_ulong("", 0, 100, &v), -1);
	assert_int_equal(num_ulong("99999999999999999999999", 0, ~0UL, &v), -1);
	assert_int_equal(v, 25);
}

static void test_num_duration(void **state)
{
	(void)state;
	int64_t ns;
	assert_int_equal(num_duration_ns("25", 0, INT64_MAX, &ns), 0);
	assert_true(ns == 25000000000LL);
	assert_int_equal(num_duration_ns("1.5s", 0, INT64_MAX, &ns), 0);
	assert_true(ns == 1500000000LL);
	assert_int_equal(num_duration_ns("300ms", 0, INT64_MAX, &ns), 0);
	assert_true(ns == 300000000LL);
	assert_int_equal(num_duration_ns("2h", 0, INT64_MAX, &ns), 0);
	assert_true(ns == 7200000000000LL);
	assert_int_equal(num_duration_ns("7d", 0, INT64_MAX, &ns), 0);
	assert_int_equal(num_duration_ns("5y", 0, INT64_MAX, &ns), -1);
	assert_int_equal(num_duration_ns("-5", 0, INT64_MAX, &ns), -1);
	assert_int_equal(num_duration_ns("10", 0, 5000000000LL, &ns), -1);
}

static void test_wire_bounds(void **state)
{
	(void)state;
	const uint8_t buf[] = { 0x12, 0x34, 0x56, 0x78, 0x9a };
	struct wire w = wire_make(buf, sizeof buf);
	uint32_t v32;
	uint16_t v16;
	uint8_t v8;
	assert_true(wire_get_u32(&w, &v32));
	assert_int_equal(v32, 0x12345678);
	assert_false(wire_get_u16(&w, &v16));   /* one byte left */
	assert_int_equal(wire_left(&w), 1);     /* unchanged by the failure */
	assert_true(wire_get_u8(&w, &v8));
	assert_int_equal(v8, 0x9a);
	assert_false(wire_get_u8(&w, &v8));
	assert_false(wire_skip(&w, 1));
	struct wire empty = wire_make(NULL, 0);
	assert_int_equal(wire_left(&empty), 0);
	assert_false(wire_get_u8(&empty, &v8));
	struct wire w2 = wire_make(buf, sizeof buf), sub;
	assert_false(wire_sub(&w2, 6, &sub));
	assert_true(wire_sub(&w2, 2, &sub));
	assert_int_equal(wire_left(&sub), 2);
	assert_int_equal(wire_left(&w2), 3);
}

static void test_hash_seeded(void **state)
{
	(void)state;
	hash_seed_fixed(1);
	uint64_t a = hash_bytes("2001:db8::1", 11);
	assert_true(a == hash_bytes("2001:db8::1", 11));
	assert_true(a != hash_bytes("2001:db8::2", 11));
	hash_seed_fixed(2);
	assert_true(a != hash_bytes("2001:db8::1", 11));
}

static void test_grow(void **state)
{
	(void)state;
	int *v = NULL;
	size_t cap = 0;
	for (int i = 0; i < 1000; i++) {
		GROW(v, (size_t)i + 1, cap);
		v[i] = i;
	}
	assert_true(cap >= 1000);
	assert_int_equal(v[999], 999);
	free(v);
	char *s = xasprintf("%s/%d", "a", 5);
	assert_string_equal(s, "a/5");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_num_ulong_ranges),
		cmocka_unit_test(test_num_duration),
		cmocka_unit_test(test_wire_bounds),
		cmocka_unit_test(test_hash_seeded),
		cmocka_unit_test(test_grow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
