/* test_attempt.c - analysis/attempt.c: SYNs into connect() attempts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "analysis/attempt.h"
#include "fingerprint/fp.h"

#define SEC 1000000000LL

struct got {
	struct attempt a[64];
	int n;
};

static void collect(const struct attempt *a, void *arg)
{
	struct got *g = arg;
	if (g->n < 64)
		g->a[g->n++] = *a;
}

static struct syn mksyn(const char *src, uint16_t sport, int64_t t)
{
	struct syn s;
	memset(&s, 0, sizeof s);
	addr_parse(src, &s.src);
	addr_parse(s.src.family == 4 ? "192.0.2.25" : "2001:db8:25::25", &s.dst);
	s.sport = sport;
	s.dport = 25;
	s.ts_ns = t;
	s.ttl = 118;
	s.wscale = -1;
	return s;
}

static void test_window_edges(void **state)
{
	(void)state;
	struct got g = { .n = 0 };
	struct attempt_grouper *gr = attempt_grouper_new(25 * SEC, 120 * SEC, collect, &g);
	struct syn s = mksyn("198.51.100.7", 50000, 1000 * SEC);
	attempt_grouper_add(gr, &s, NULL, NULL);
	s.ts_ns += 24 * SEC + 900000000LL;     /* 24.9 s: same attempt */
	attempt_grouper_add(gr, &s, NULL, NULL);
	assert_int_equal(g.n, 0);
	s.ts_ns += 25 * SEC + 100000000LL;     /* 25.1 s after the previous: new */
	attempt_grouper_add(gr, &s, NULL, NULL);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.a[0].syns, 2);
	assert_true(g.a[0].last_ns - g.a[0].first_ns == 24 * SEC + 900000000LL);
	attempt_grouper_finish(gr);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.a[1].syns, 1);
	assert_true(g.a[1].id > g.a[0].id);
	attempt_grouper_free(gr);
}

static void test_sliding_window(void **state)
{
	(void)state;
	/* each SYN within the window of the previous one: one attempt even
	 * though the first and last are further apart than the window */
	struct got g = { .n = 0 };
	struct attempt_grouper *gr = attempt_grouper_new(25 * SEC, 120 * SEC, collect, &g);
	struct syn s = mksyn("2001:db8:1::5", 49200, 0);
	for (int i = 0; i < 4; i++) {
		s.ts_ns = i * 20 * SEC;
		attempt_grouper_add(gr, &s, NULL, NULL);
	}
	attempt_grouper_finish(gr);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.a[0].syns, 4);
	attempt_grouper_free(gr);
}

static void test_ports_and_hosts_apart(void **state)
{
	(void)state;
	struct got g = { .n = 0 };
	struct attempt_grouper *gr = attempt_grouper_new(25 * SEC, 120 * SEC, collect, &g);
	struct syn a = mksyn("198.51.100.7", 50000, 0);
	struct syn b = mksyn("198.51.100.7", 50001, 1);
	struct syn c = mksyn("198.51.100.8", 50000, 2);
	attempt_grouper_add(gr, &a, NULL, NULL);
	attempt_grouper_add(gr, &b, NULL, NULL);
	attempt_grouper_add(gr, &c, NULL, NULL);
	assert_int_equal(attempt_grouper_open_count(gr), 3);
	attempt_grouper_flush(gr, 10 * SEC);
	assert_int_equal(g.n, 0);
	attempt_grouper_flush(gr, 26 * SEC);
	assert_int_equal(g.n, 3);
	assert_int_equal(attempt_grouper_open_count(gr), 0);
	attempt_grouper_free(gr);
}

static void test_max_span(void **state)
{
	(void)state;
	struct got g = { .n = 0 };
	struct attempt_grouper *gr = attempt_grouper_new(25 * SEC, 60 * SEC, collect, &g);
	struct syn s = mksyn("198.51.100.9", 1234, 0);
	for (int i = 0; i <= 10; i++) {
		s.ts_ns = i * 10 * SEC;
		attempt_grouper_add(gr, &s, NULL, NULL);
	}
	attempt_grouper_finish(gr);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.a[0].syns, 7);   /* 0..60 s */
	assert_int_equal(g.a[1].syns, 4);
	attempt_grouper_free(gr);
}

static void test_bounded_state(void **state)
{
	(void)state;
	/* 200k single-SYN attempts at 1000/s: open attempts stay near
	 * rate x window, whatever the length of the input */
	struct got g = { .n = 0 };
	struct attempt_grouper *gr = attempt_grouper_new(25 * SEC, 120 * SEC, collect, &g);
	size_t max_open = 0;
	for (uint32_t i = 0; i < 200000; i++) {
		struct syn s = mksyn("10.0.0.1", 0, (int64_t)i * (SEC / 1000));
		s.src = addr_from_u32(0x0a000000u + i / 60000);
		s.sport = (uint16_t)(1024 + i % 60000);
		attempt_grouper_add(gr, &s, NULL, NULL);
		size_t o = attempt_grouper_open_count(gr);
		if (o > max_open)
			max_open = o;
		g.n = 0;
	}
	assert_true(max_open <= 25 * 1000 + 2);
	attempt_grouper_free(gr);
}

static void test_ittl(void **state)
{
	(void)state;
	assert_int_equal(fp_ittl(1), 32);
	assert_int_equal(fp_ittl(57), 64);
	assert_int_equal(fp_ittl(64), 64);
	assert_int_equal(fp_ittl(65), 128);
	assert_int_equal(fp_ittl(240), 255);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_edges),
		cmocka_unit_test(test_sliding_window),
		cmocka_unit_test(test_ports_and_hosts_apart),
		cmocka_unit_test(test_max_span),
		cmocka_unit_test(test_bounded_state),
		cmocka_unit_test(test_ittl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
