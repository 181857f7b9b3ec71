/* test_runs.c - util/runs: partitioned record files read back a
 * partition at a time in the order written, merges of ordered cursors,
 * and the external sort, against plain in-memory references. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/runs.h"
#include "util/spill.h"

struct rec {
	uint64_t key;
	uint32_t seq, part;
	uint64_t pad;
};

static uint64_t rng = 88172645463325252ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int cmp_key(const void *pa, const void *pb)
{
	const struct rec *x = pa, *y = pb;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* sorted - n records through an xsort of budget bytes: every record comes
 * out once, in key order */
static void sorted(size_t n, size_t budget, uint64_t keys)
{
	char err[256];
	struct xsort s;
	assert_int_equal(xsort_open(&s, "test", sizeof(struct rec), budget, cmp_key, err,
				    sizeof err), 0);
	uint8_t *seen = calloc(n + 1, 1);
	assert_non_null(seen);
	for (size_t i = 0; i < n; i++) {
		struct rec r = { next_rand() % keys, (uint32_t)i, 0, 0 };
		assert_int_equal(xsort_add(&s, &r), 0);
	}
	assert_int_equal(s.total, n);
	assert_int_equal(xsort_done(&s), 0);
	if (n * sizeof(struct rec) > budget)
		assert_true(s.nruns > 1);
	const struct rec *r;
	size_t got = 0;
	uint64_t last = 0;
	while ((r = xsort_next(&s))) {
		assert_true(r->key >= last);
		last = r->key;
		assert_true(r->seq < n);
		assert_int_equal(seen[r->seq], 0);
		seen[r->seq] = 1;
		got++;
	}
	assert_int_equal(s.m.err, 0);
	assert_int_equal(got, n);
	xsort_close(&s);
	free(seen);
}

static void test_xsort(void **state)
{
	(void)state;
	sorted(0, 4096, 10);              /* nothing in, nothing out */
	sorted(1, 4096, 10);
	sorted(100000, 1 << 20, 1000);    /* many ties, a few runs */
	sorted(100000, 4096, 1 << 30);    /* runs of 128 records: 782 of them */
	sorted(5000, 1 << 24, 1 << 30);   /* one run */
}

/* the partitions of a parted file come back whole and in the order written,
 * however the blocks interleave and whether a partition was flushed early */
static void test_parted(void **state)
{
	(void)state;
	char err[256];
	struct parted t;
	assert_int_equal(parted_open(&t, "test", sizeof(struct rec), 7, err, sizeof err), 0);
	enum { N = 50000 };
	uint32_t count[RUNS_PARTS] = { 0 };
	for (uint32_t i = 0; i < N; i++) {
		uint32_t part = (uint32_t)(next_rand() % (i < N / 2 ? 5 : RUNS_PARTS));
		struct rec r = { i, count[part]++, part, 0 };
		assert_int_equal(parted_add(&t, part, &r), 0);
		if (i == N / 3)
			assert_int_equal(parted_flush_part(&t, 2), 0);   /* more follow */
	}
	assert_true(parted_bytes(&t) > 0);
	assert_int_equal(parted_flush(&t), 0);
	assert_true(t.nblocks > N / 7);
	uint64_t total = 0;
	for (unsigned j = 0; j < RUNS_PARTS; j++) {
		assert_int_equal(t.total[j], count[j]);
		struct rcur c;
		parted_cursor(&t, j, &c, 3);
		const struct rec *r;
		uint32_t k = 0;
		uint64_t last = 0;
		while ((r = rcur_next(&c))) {
			assert_int_equal(r->part, j);
			assert_int_equal(r->seq, k);
			assert_true(k == 0 || r->key > last);
			last = r->key;
			k++;
		}
		assert_int_equal(c.err, 0);
		assert_int_equal(k, count[j]);
		total += k;
		rcur_close(&c);
	}
	assert_int_equal(total, N);
	parted_close(&t);
	assert_int_equal(parted_bytes(&t), 0);
}

/* a packed record of test_parted_var: a length byte (6-64), the
 * partition, its number in the partition as the difference from the
 * block's previous record (4 bytes), then length - 6 bytes of that number */
struct vrec {
	uint32_t part, seq, len;
};

static size_t vrec_unpack(void *rec, const unsigned char *p, size_t n, bool fresh)
{
	struct vrec *r = rec;
	if (n < 6 || p[0] < 6 || p[0] > n)
		return 0;
	uint32_t d;
	memcpy(&d, p + 2, 4);
	r->seq = (fresh ? 0 : r->seq) + d;
	r->part = p[1];
	r->len = p[0];
	for (size_t i = 6; i < p[0]; i++)
		if (p[i] != (uint8_t)r->seq)
			return 0;
	return p[0];
}

/* a parted file of packed records gives each partition's records back in
 * order, each block starting afresh (a record packed against the wrong
 * one would number wrongly), whether a block was written out because it
 * was full or because its partition was flushed; a record that does not
 * unpack stops the cursor with an error */
static void test_parted_var(void **state)
{
	(void)state;
	char err[256];
	struct parted t;
	enum { N = 30000, BLOCK = 200 };
	assert_int_equal(parted_open_var(&t, "test", BLOCK, err, sizeof err), 0);
	uint32_t count[RUNS_PARTS] = { 0 }, prev[RUNS_PARTS] = { 0 };
	size_t fresh_seen = 0;
	for (uint32_t i = 0; i < N; i++) {
		uint32_t part = (uint32_t)(next_rand() % (i < N / 2 ? 3 : RUNS_PARTS));
		uint8_t len = (uint8_t)(6 + next_rand() % 59);
		bool fresh;
		unsigned char *q = parted_room(&t, part, 64, &fresh);
		assert_non_null(q);
		fresh_seen += fresh;
		uint32_t seq = count[part]++, d = fresh ? seq : seq - prev[part];
		q[0] = len;
		q[1] = (uint8_t)part;
		memcpy(q + 2, &d, 4);
		memset(q + 6, (uint8_t)seq, len - 6u);
		parted_wrote(&t, part, len);
		prev[part] = seq;
		if (i == N / 3)
			assert_int_equal(parted_flush_part(&t, 1), 0);   /* more follow */
	}
	assert_int_equal(parted_flush(&t), 0);
	assert_int_equal(t.nblocks, fresh_seen);
	assert_true(t.nblocks > N * 35 / BLOCK / 2);
	for (size_t b = 0; b < t.nblocks; b++)
		assert_true(t.blocks[b].n > 0 && t.blocks[b].n <= BLOCK);
	uint64_t total = 0;
	for (unsigned j = 0; j < RUNS_PARTS; j++) {
		assert_int_equal(t.total[j], count[j]);
		struct rcur c;
		parted_cursor_var(&t, j, &c, vrec_unpack, sizeof(struct vrec));
		const struct vrec *r;
		uint32_t k = 0;
		while ((r = rcur_next(&c))) {
			assert_int_equal(r->part, j);
			assert_int_equal(r->seq, k);
			k++;
		}
		assert_int_equal(c.err, 0);
		assert_int_equal(k, count[j]);
		total += k;
		rcur_close(&c);
	}
	assert_int_equal(total, N);
	parted_close(&t);

	/* the second record of a block does not unpack: the first comes back,
	 * then the error */
	assert_int_equal(parted_open_var(&t, "test", BLOCK, err, sizeof err), 0);
	for (int i = 0; i < 2; i++) {
		bool fresh;
		unsigned char *q = parted_room(&t, 5, 64, &fresh);
		assert_non_null(q);
		assert_int_equal(fresh, i == 0);
		uint32_t d = 0;
		q[0] = i ? 3 : 6;   /* 3: shorter than a record can be */
		q[1] = 5;
		memcpy(q + 2, &d, 4);
		parted_wrote(&t, 5, 6);
	}
	assert_int_equal(parted_flush(&t), 0);
	struct rcur c;
	parted_cursor_var(&t, 5, &c, vrec_unpack, sizeof(struct vrec));
	assert_non_null(rcur_next(&c));
	assert_null(rcur_next(&c));
	assert_int_equal(c.err, -1);
	rcur_close(&c);
	parted_close(&t);
}

/* a merge of cursors, each over several stretches of one file and read a
 * record at a time, gives every record in order; of equal records the
 * lower cursor's come first */
static void test_rmerge(void **state)
{
	(void)state;
	char err[256];
	FILE *f = spill_open("test", err, sizeof err);
	assert_non_null(f);
	/* cursor i holds keys i, i + 3, ... i + 45, four times 50, then 51 + i,
	 * 54 + i, ... */
	enum { K = 3, PER = 400 };
	struct ext x[K][2];
	for (uint32_t i = 0; i < K; i++) {
		struct rec v[PER];
		for (uint32_t k = 0; k < PER; k++)
			v[k] = (struct rec){ k < 16 ? i + 3 * k : k < 20 ? 50 : 51 + 3 * (k - 20) + i,
					     k, i, 0 };
		/* the records of a cursor in two stretches, written apart */
		for (int h = 0; h < 2; h++) {
			off_t off = ftello(f);
			assert_true(off >= 0);
			assert_int_equal(fwrite(v + h * PER / 2, sizeof *v, PER / 2, f), PER / 2);
			x[i][h] = (struct ext){ off, PER / 2 };
		}
	}
	assert_int_equal(fflush(f), 0);
	struct rcur *c = calloc(K, sizeof *c);
	assert_non_null(c);
	for (uint32_t i = 0; i < K; i++) {
		struct ext *e = malloc(2 * sizeof *e);
		assert_non_null(e);
		memcpy(e, x[i], sizeof x[i]);
		rcur_open(&c[i], f, "test", sizeof(struct rec), e, 2, 1);
	}
	struct rmerge m;
	rmerge_open(&m, c, K, cmp_key);
	const struct rec *r;
	size_t from, n = 0;
	struct rec prev = { 0, 0, 0, 0 };
	while ((r = rmerge_next(&m, &from))) {
		assert_int_equal(r->part, from);
		if (n) {
			assert_true(r->key >= prev.key);
			if (r->key == prev.key)   /* ties: by cursor, then as written */
				assert_true(r->part > prev.part ||
					    (r->part == prev.part && r->seq > prev.seq));
		}
		prev = *r;
		n++;
	}
	assert_int_equal(m.err, 0);
	assert_int_equal(n, K * PER);
	rmerge_close(&m);

	/* a stretch past the end of the file: a read error, reported */
	struct rcur bad;
	struct ext *e = malloc(sizeof *e);
	assert_non_null(e);
	*e = (struct ext){ 1 << 30, 4 };
	rcur_open(&bad, f, "test", sizeof(struct rec), e, 1, 16);
	assert_null(rcur_next(&bad));
	assert_int_equal(bad.err, -1);
	rcur_close(&bad);
	fclose(f);
}

/* a struct rec with its key as text, made as the cursor reads it */
struct rec_txt {
	struct rec r;
	char txt[24];
};

static size_t rec_txt_unpack(void *out, const unsigned char *p, size_t n, bool fresh)
{
	(void)fresh;
	struct rec_txt *x = out;
	if (n < sizeof x->r)
		return 0;
	memcpy(&x->r, p, sizeof x->r);
	snprintf(x->txt, sizeof x->txt, "k%llu", (unsigned long long)x->r.key);
	return sizeof x->r;
}

/* rcur_open_unpack: fixed-size records read in chunks that never cut one,
 * over stretches of any length, each handed whole to the unpacker */
static void test_rcur_unpack(void **state)
{
	(void)state;
	char err[256];
	FILE *f = spill_open("test", err, sizeof err);
	assert_non_null(f);
	enum { N = 1000 };
	static const size_t lens[] = { 1, 333, 0, 666 };
	enum { NS = sizeof lens / sizeof lens[0] };
	struct ext *x = calloc(NS, sizeof *x);
	assert_non_null(x);
	assert_int_equal(fwrite("junk", 1, 4, f), 4);   /* the stretches at odd offsets */
	uint32_t k = 0;
	for (size_t i = 0; i < NS; i++) {
		off_t off = ftello(f);
		assert_true(off >= 0);
		for (size_t j = 0; j < lens[i]; j++, k++) {
			struct rec r = { next_rand(), k, (uint32_t)i, 0 };
			assert_int_equal(fwrite(&r, sizeof r, 1, f), 1);
		}
		assert_int_equal(fwrite("x", 1, 1, f), 1);   /* a byte between stretches */
		x[i] = (struct ext){ off, lens[i] };
	}
	assert_int_equal(k, N);
	assert_int_equal(fflush(f), 0);
	struct rcur c;
	rcur_open_unpack(&c, f, "test", sizeof(struct rec), x, NS, 7, rec_txt_unpack,
			 sizeof(struct rec_txt));
	const struct rec_txt *r;
	uint32_t n = 0;
	while ((r = rcur_next(&c))) {
		char want[24];
		snprintf(want, sizeof want, "k%llu", (unsigned long long)r->r.key);
		assert_int_equal(r->r.seq, n);
		assert_int_equal(r->r.pad, 0);
		assert_string_equal(r->txt, want);
		n++;
	}
	assert_int_equal(c.err, 0);
	assert_int_equal(n, N);
	rcur_close(&c);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xsort),
		cmocka_unit_test(test_parted),
		cmocka_unit_test(test_parted_var),
		cmocka_unit_test(test_rmerge),
		cmocka_unit_test(test_rcur_unpack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
