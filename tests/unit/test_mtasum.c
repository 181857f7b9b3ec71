/* test_mtasum.c - analysis/mtasum: MTA log outcomes added up in bounded
 * memory give the same rows, in the same order, whatever the bound;
 * against a plain reference sum, on generated outcomes and real logs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr/addr.h"
#include "analysis/mtasum.h"
#include "mtalog/mtalog.h"

/* a row as the test keeps it */
struct trow {
	struct addr a;
	enum mta_kind kind;
	char list[128];
	int64_t first, last;
	uint64_t count;
	const char *format;
};

struct rows {
	struct trow *v;
	size_t n, cap;
};

static void rows_push(struct rows *r, const struct trow *t)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->v = realloc(r->v, r->cap * sizeof *r->v);
		assert_non_null(r->v);
	}
	r->v[r->n++] = *t;
}

/* reference - the plain sum: a linear search per outcome, rows in the
 * order of their first outcome, the format of that outcome */
static void reference(struct rows *r, const struct mta_event *ev)
{
	for (size_t i = 0; i < r->n; i++) {
		struct trow *t = &r->v[i];
		if (t->kind == ev->kind && !strcmp(t->list, ev->list) && addr_eq(&t->a, &ev->addr)) {
			if (ev->ts_ns < t->first)
				t->first = ev->ts_ns;
			if (ev->ts_ns > t->last)
				t->last = ev->ts_ns;
			t->count++;
			return;
		}
	}
	struct trow t = { .a = ev->addr, .kind = ev->kind, .first = ev->ts_ns,
			  .last = ev->ts_ns, .count = 1, .format = ev->format };
	snprintf(t.list, sizeof t.list, "%s", ev->list);
	rows_push(r, &t);
}

struct stop_after {
	struct rows *out;
	size_t stop;     /* 0: never */
};

static int collect(const struct mta_sum_row *r, void *arg)
{
	struct stop_after *s = arg;
	struct trow t = { .a = *r->a, .kind = r->kind, .first = r->first_ns, .last = r->last_ns,
			  .count = r->count, .format = r->format };
	snprintf(t.list, sizeof t.list, "%s", r->list);
	rows_push(s->out, &t);
	return s->stop && s->out->n == s->stop ? 5 : 0;
}

static void assert_rows_equal(const struct rows *x, const struct rows *y)
{
	assert_int_equal(x->n, y->n);
	for (size_t i = 0; i < x->n; i++) {
		const struct trow *a = &x->v[i], *b = &y->v[i];
		assert_true(addr_eq(&a->a, &b->a));
		assert_int_equal(a->kind, b->kind);
		assert_string_equal(a->list, b->list);
		assert_int_equal(a->first, b->first);
		assert_int_equal(a->last, b->last);
		assert_int_equal(a->count, b->count);
		assert_ptr_equal(a->format, b->format);
	}
}

static const char *const lists[] = { "", "zen.spamhaus.org", "bl.spamcop.net",
				     "b.barracudacentral.org", "dnsbl.sorbs.net" };
static const char fmt_a[] = "postfix", fmt_b[] = "exim";

/* gen - outcome i of a reproducible stream over `clients` addresses of
 * both families; times out of order, repeats common, formats mixed */
static void gen(struct mta_event *ev, uint64_t i, unsigned clients, uint64_t *state)
{
	memset(ev, 0, sizeof *ev);
	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	uint64_t x = *state >> 16;
	unsigned c = (unsigned)(x % clients);
	if (c % 3 == 0) {
		char s[64];
		snprintf(s, sizeof s, "2001:db8:%x::%x", c / 251, c % 251 + 1);
		assert_int_equal(addr_parse(s, &ev->addr), 0);
	} else {
		char s[32];
		snprintf(s, sizeof s, "198.%u.%u.%u", 18 + c / 65536 % 2, c / 256 % 256, c % 256);
		assert_int_equal(addr_parse(s, &ev->addr), 0);
	}
	ev->kind = (x >> 20) % 4 == 0 ? MTA_OTHER_REJECT : MTA_DNSBL_REJECT;
	snprintf(ev->list, sizeof ev->list, "%s",
		 ev->kind == MTA_DNSBL_REJECT ? lists[1 + (c + (x >> 24) % 2) % 4] : lists[0]);
	ev->ts_ns = (int64_t)(i * 1000000000ULL) - (int64_t)((x >> 32) % 5000000000ULL);
	ev->format = (x >> 40) % 7 == 0 ? fmt_b : fmt_a;
	ev->line = i + 1;
}

/* sum_with - the stream of n outcomes through a sum of max_rows; the
 * rows in *out, the partial rows spilled returned */
static uint64_t sum_with(size_t max_rows, uint64_t n, unsigned clients, struct rows *out)
{
	struct mta_sum *m = mta_sum_new(max_rows);
	uint64_t state = 42;
	struct mta_event ev;
	for (uint64_t i = 0; i < n; i++) {
		gen(&ev, i, clients, &state);
		assert_int_equal(mta_sum_add(m, &ev), 0);
	}
	struct stop_after s = { out, 0 };
	assert_int_equal(mta_sum_each(m, collect, &s), 0);
	uint64_t spilled = mta_sum_spilled(m);
	mta_sum_free(m);
	return spilled;
}

static void test_bounds_same_rows(void **state)
{
	(void)state;
	const uint64_t n = 20000;
	const unsigned clients = 1500;
	struct rows ref = { 0 };
	uint64_t st = 42;
	struct mta_event ev;
	for (uint64_t i = 0; i < n; i++) {
		gen(&ev, i, clients, &st);
		reference(&ref, &ev);
	}
	assert_true(ref.n > 2000);   /* several rows per client: kinds and lists */
	const size_t bounds[] = { 0, 1, 2, 7, 100, 1000, 2999 };
	for (size_t b = 0; b < sizeof bounds / sizeof *bounds; b++) {
		struct rows got = { 0 };
		uint64_t spilled = sum_with(bounds[b], n, clients, &got);
		if (bounds[b] == 0)
			assert_int_equal(spilled, 0);      /* the default holds them all */
		else
			assert_true(spilled >= ref.n);      /* every row went to the file */
		assert_rows_equal(&ref, &got);
		free(got.v);
	}
	free(ref.v);
}

static void test_stop_early(void **state)
{
	(void)state;
	struct mta_sum *m = mta_sum_new(10);
	uint64_t st = 7;
	struct mta_event ev;
	for (uint64_t i = 0; i < 500; i++) {
		gen(&ev, i, 100, &st);
		assert_int_equal(mta_sum_add(m, &ev), 0);
	}
	struct rows got = { 0 };
	struct stop_after s = { &got, 3 };
	assert_int_equal(mta_sum_each(m, collect, &s), 5);
	assert_int_equal(got.n, 3);
	free(got.v);
	mta_sum_free(m);
}

static void test_no_temporary_file(void **state)
{
	(void)state;
	const char *old = getenv("TMPDIR");
	char *keep = old ? strdup(old) : NULL;
	setenv("TMPDIR", "/nonexistent/mxsensor-test", 1);
	struct mta_sum *m = mta_sum_new(4);
	uint64_t st = 9;
	struct mta_event ev;
	int rc = 0;
	uint64_t i;
	for (i = 0; i < 100 && rc == 0; i++) {
		gen(&ev, i, 50, &st);
		rc = mta_sum_add(m, &ev);
	}
	assert_int_equal(rc, -1);       /* the fifth row needs the file */
	assert_true(i >= 5);
	mta_sum_free(m);
	if (keep) {
		setenv("TMPDIR", keep, 1);
		free(keep);
	} else {
		unsetenv("TMPDIR");
	}
	/* a sum that never fills its table needs no file */
	setenv("TMPDIR", "/nonexistent/mxsensor-test", 1);
	m = mta_sum_new(0);
	st = 9;
	for (i = 0; i < 100; i++) {
		gen(&ev, i, 50, &st);
		assert_int_equal(mta_sum_add(m, &ev), 0);
	}
	struct rows got = { 0 };
	struct stop_after s = { &got, 0 };
	assert_int_equal(mta_sum_each(m, collect, &s), 0);
	assert_true(got.n > 50);
	free(got.v);
	mta_sum_free(m);
	unsetenv("TMPDIR");
}

/* a real log through the parser: a bound of 3 rows and the default give
 * the reference's rows */
static void real_log(const char *path, size_t min_rows)
{
	struct mtalog_opts mo = { .year = 2026 };
	char err[512];
	struct rows ref = { 0 }, small = { 0 }, dflt = { 0 };
	struct mta_sum *m3 = mta_sum_new(3), *m0 = mta_sum_new(0);
	struct mtalog *lg = mtalog_open(path, &mo, err, sizeof err);
	if (!lg)
		fail_msg("%s: %s", path, err);
	struct mta_event ev;
	int rc;
	while ((rc = mtalog_next(lg, &ev)) == 1) {
		if (ev.kind == MTA_CONNECT)
			continue;
		reference(&ref, &ev);
		assert_int_equal(mta_sum_add(m3, &ev), 0);
		assert_int_equal(mta_sum_add(m0, &ev), 0);
	}
	assert_int_equal(rc, 0);
	mtalog_close(lg);
	assert_true(ref.n >= min_rows);
	struct stop_after s3 = { &small, 0 }, s0 = { &dflt, 0 };
	assert_int_equal(mta_sum_each(m3, collect, &s3), 0);
	assert_int_equal(mta_sum_each(m0, collect, &s0), 0);
	assert_true(mta_sum_spilled(m3) >= ref.n);
	assert_int_equal(mta_sum_spilled(m0), 0);
	assert_rows_equal(&ref, &small);
	assert_rows_equal(&ref, &dflt);
	mta_sum_free(m3);
	mta_sum_free(m0);
	free(ref.v);
	free(small.v);
	free(dflt.v);
}

static void test_real_logs(void **state)
{
	(void)state;
	real_log("examples/mail.log.gz", 100);
	const char *dir = getenv("MXSENSOR_CORPUS");
	char path[4096];
	snprintf(path, sizeof path, "%s/logs/fail2ban_postfix.log", dir ? dir : "../shared/corpus");
	real_log(path, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounds_same_rows),
		cmocka_unit_test(test_stop_early),
		cmocka_unit_test(test_no_temporary_file),
		cmocka_unit_test(test_real_logs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
