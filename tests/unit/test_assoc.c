/* test_assoc.c - analysis/assoc.c and decide.c: candidates, evidence, decisions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/assoc.h"
#include "analysis/decide.h"
#include "util/hash.h"
#include "store/store.h"

#define MS 1000000LL
#define SEC 1000000000LL

static struct attempt mk(uint64_t id, const char *src, uint16_t sport, int64_t first,
			 int64_t last, uint32_t syns)
{
	struct attempt a;
	memset(&a, 0, sizeof a);
	a.id = id;
	addr_parse(src, &a.src);
	addr_parse(a.src.family == 4 ? "192.0.2.25" : "2001:db8:25::25", &a.dst);
	a.sport = sport;
	a.dport = 25;
	a.first_ns = first;
	a.last_ns = last;
	a.syns = syns;
	a.ttl = 120;
	a.ittl = 128;
	a.wscale = 8;
	a.stack = 42;
	a.nopts = 3;
	a.olayout[0] = TCPOPT_MSS;
	a.olayout[1] = TCPOPT_NOP;
	a.olayout[2] = TCPOPT_WS;
	return a;
}

static struct assoc_params P(void)
{
	struct assoc_params p;
	assoc_params_default(&p);
	return p;
}

static void test_port_distance_edges(void **state)
{
	(void)state;
	struct assoc_params p = P();
	struct attempt a6 = mk(1, "2001:db8:1::1", 50000, 0, 0, 1);
	struct assoc_cand c;
	static const struct { int d; int pts; } cases[] = {
		{ 1, 30 }, { 8, 30 }, { 9, 15 }, { 64, 15 }, { 65, 5 }, { 1024, 5 },
		{ 1025, 0 }, { 0, 0 }, { -1, 15 }, { -64, 15 }, { -65, 5 }, { -1025, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct attempt a4 = mk(2, "198.51.100.1", (uint16_t)(50000 + cases[i].d), 10 * MS, 10 * MS, 1);
		assoc_score(&p, &a6, &a4, &c);
		if (c.ev[EV_PORT] != cases[i].pts)
			fail_msg("port distance %d: %d points, want %d", cases[i].d,
				 c.ev[EV_PORT], cases[i].pts);
		assert_int_equal(c.port_dist, cases[i].d);
	}
}

static void test_gap_and_syns(void **state)
{
	(void)state;
	struct assoc_params p = P();
	struct attempt a6 = mk(1, "2001:db8:1::1", 50000, 0, 1500 * MS, 3);
	struct attempt a4 = mk(2, "198.51.100.1", 60000, 1550 * MS, 2500 * MS, 3);
	struct assoc_cand c;
	assoc_score(&p, &a6, &a4, &c);
	assert_int_equal(c.ev[EV_GAP], 25);           /* exactly 50 ms */
	assert_int_equal(c.ev[EV_SYNS], 10);
	assert_int_equal(c.ev[EV_STACK], 15);
	assert_true(c.gap_ns == 50 * MS);
	a4.first_ns += 1;                              /* 50 ms + 1 ns */
	assoc_score(&p, &a6, &a4, &c);
	assert_int_equal(c.ev[EV_GAP], 15);
	a4.syns = 1;
	a4.stack = 43;
	assoc_score(&p, &a6, &a4, &c);
	assert_int_equal(c.ev[EV_SYNS], -20);
	assert_int_equal(c.ev[EV_STACK], -40);
	int sum = 0;
	for (int i = 0; i < EV_COUNT; i++)
		sum += c.ev[i];
	assert_int_equal(c.score, sum);
}

static void test_embedded_and_tsclock(void **state)
{
	(void)state;
	struct assoc_params p = P();
	struct attempt a6 = mk(1, "2002:c633:6401::1", 50000, 5 * SEC, 5 * SEC, 1);
	a6.emb_kind = EMB_6TO4;
	addr_parse("198.51.100.1", &a6.emb4);
	struct attempt a4 = mk(2, "198.51.100.1", 40000, 4 * SEC, 4 * SEC, 1);
	struct assoc_cand c;
	assoc_score(&p, &a6, &a4, &c);
	assert_int_equal(c.ev[EV_EMBED], 100);
	assert_true(c.before);
	struct attempt other = mk(3, "198.51.100.2", 40000, 4 * SEC, 4 * SEC, 1);
	assoc_score(&p, &a6, &other, &c);
	assert_int_equal(c.ev[EV_EMBED], -30);

	/* one 1000 Hz clock across both connections */
	struct attempt b6 = mk(4, "2001:db8:9::9", 1000, 0, 0, 1);
	struct attempt b4 = mk(5, "203.0.113.9", 2000, 500 * MS, 500 * MS, 1);
	b6.has_ts = b4.has_ts = true;
	b6.tsval = 4000000000u;
	b4.tsval = 4000000000u + 500;
	assoc_score(&p, &b6, &b4, &c);
	assert_int_equal(c.ev[EV_TSCLOCK], 30);
	b4.tsval = 123456789;                          /* per-connection offsets */
	assoc_score(&p, &b6, &b4, &c);
	assert_int_equal(c.ev[EV_TSCLOCK], 0);
	b6.tsval = 0xfffffff0u;                        /* across the 32-bit wrap */
	b4.tsval = 0xfffffff0u + 500;
	assoc_score(&p, &b6, &b4, &c);
	assert_int_equal(c.ev[EV_TSCLOCK], 30);
}

static void test_os_only_where_independent(void **state)
{
	(void)state;
	struct assoc_params p = P();
	struct attempt a6 = mk(1, "2001:db8:1::1", 50000, 0, 0, 1);
	struct attempt a4 = mk(2, "198.51.100.1", 60000, 10 * MS, 10 * MS, 1);
	struct assoc_cand c;
	a6.os_family = a4.os_family = "Linux";
	assoc_score(&p, &a6, &a4, &c);
	assert_int_equal(c.ev[EV_STACK], 15);
	assert_int_equal(c.ev[EV_OS], 0);      /* the stack said it already */
	a4.stack = 99;                          /* other options, same OS */
	assoc_score(&p, &a6, &a4, &c);
	assert_int_equal(c.ev[EV_STACK], -40);
	assert_int_equal(c.ev[EV_OS], 20);
	a4.os_family = "Windows";
	assoc_score(&p, &a6, &a4, &c);
	assert_int_equal(c.ev[EV_OS], 0);
	a4.os_family = NULL;                    /* unknown: no say */
	assoc_score(&p, &a6, &a4, &c);
	assert_int_equal(c.ev[EV_OS], 0);
}

struct cands {
	struct assoc_cand c[32];
	int n;
};

/* keep - a candidate, handed over with its own two attempts */
static void keep(const struct assoc_cand *c, const struct attempt *a6, const struct attempt *a4,
		 void *arg)
{
	struct cands *k = arg;
	assert_int_equal(a6->id, c->a6);
	assert_int_equal(a4->id, c->a4);
	assert_int_equal(a6->src.family, 6);
	assert_int_equal(a4->src.family, 4);
	if (k->n < 32)
		k->c[k->n++] = *c;
}

/* by_id - attempt id of v[0..n) */
static struct attempt *by_id(struct attempt *v, size_t n, uint64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].id == id)
			return &v[i];
	fail_msg("no attempt %llu", (unsigned long long)id);
	return NULL;
}

static void test_candidate_ordering(void **state)
{
	(void)state;
	struct assoc_params p = P();
	struct cands k = { .n = 0 };
	struct assoc *s = assoc_new(&p, keep, &k);
	/* native IPv6 at 100 s: IPv4 before it is no candidate, after it is */
	struct attempt a4_before = mk(1, "198.51.100.1", 50001, 99 * SEC, 99 * SEC, 1);
	struct attempt a6 = mk(2, "2001:db8:1::1", 50000, 100 * SEC, 100 * SEC, 1);
	struct attempt a4_after = mk(3, "198.51.100.2", 50002, 100 * SEC + 10 * MS, 100 * SEC + 10 * MS, 1);
	struct attempt a4_late = mk(4, "198.51.100.3", 50003, 111 * SEC, 111 * SEC, 1);
	/* 6to4 at 200 s: IPv4 from its gateway before it is a candidate */
	struct attempt g4 = mk(5, "198.51.100.9", 40000, 199 * SEC, 199 * SEC, 1);
	struct attempt x4 = mk(6, "198.51.100.8", 40001, 199 * SEC, 199 * SEC, 1);
	struct attempt t6 = mk(7, "2002:c633:6409::1", 40002, 200 * SEC, 200 * SEC, 1);
	t6.emb_kind = EMB_6TO4;
	addr_parse("198.51.100.9", &t6.emb4);
	const struct attempt *all[] = { &a4_before, &a6, &a4_after, &a4_late, &g4, &x4, &t6 };
	for (size_t i = 0; i < 7; i++) {
		assoc_add(s, all[i]);
		assoc_advance(s, all[i]->last_ns);
	}
	assoc_finish(s);
	assert_int_equal(k.n, 2);
	assert_int_equal(k.c[0].a6, 2);
	assert_int_equal(k.c[0].a4, 3);
	assert_false(k.c[0].before);
	assert_int_equal(k.c[1].a6, 7);
	assert_int_equal(k.c[1].a4, 5);
	assert_true(k.c[1].before);
	assert_true(assoc_buffered(s) > 0);
	assoc_free(s);
}

static void test_stream_bounded(void **state)
{
	(void)state;
	struct assoc_params p = P();
	struct cands k = { .n = 0 };
	struct assoc *s = assoc_new(&p, keep, &k);
	size_t maxbuf = 0;
	for (uint64_t i = 1; i <= 100000; i++) {
		int64_t t = (int64_t)i * 100 * MS;        /* 10 attempts/s */
		struct attempt a = mk(i, i % 2 ? "198.51.100.1" : "2001:db8::1",
				      (uint16_t)i, t, t, 1);
		a.stack = i;                              /* all different: few candidates */
		assoc_add(s, &a);
		assoc_advance(s, t);
		k.n = 0;
		if (assoc_buffered(s) > maxbuf)
			maxbuf = assoc_buffered(s);
	}
	/* horizon 155 s, look-back 255 s more: a few thousand, not 100k */
	assert_true(maxbuf < 6000);
	assoc_free(s);
}

/* --- decisions over a real SQLite store --- */

static char dbpath[64];

static struct store *fresh_store(void)
{
	snprintf(dbpath, sizeof dbpath, "/tmp/mxtest-assoc-%d.db", (int)getpid());
	unlink(dbpath);
	struct store *st = store_open(dbpath, true);
	assert_non_null(st);
	struct store_run run = { "test", "test", "{}" };
	assert_int_equal(store_run_begin(st, &run), 0);
	return st;
}

static void drop_store(struct store *st)
{
	store_close(st);
	char p[80];
	unlink(dbpath);
	snprintf(p, sizeof p, "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", dbpath);
	unlink(p);
}

static int grab(int ncol, const char *const *names, const char *const *vals, void *arg)
{
	(void)ncol;
	(void)names;
	char *out = arg;
	size_t n = strlen(out);
	snprintf(out + n, 512 - n, "%s%s=%s", n ? " " : "", vals[0], vals[1] ? vals[1] : "-");
	return 0;
}

static void run_pipeline(struct store *st, struct attempt *v, size_t n, struct decide_stats *ds)
{
	struct assoc_params p = P();
	struct cands k = { .n = 0 };
	char err[128];
	struct decider *d = decider_new(&p, err, sizeof err);
	assert_non_null(d);
	struct assoc *s = assoc_new(&p, keep, &k);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(decider_attempt(d, &v[i]), 0);
		assoc_add(s, &v[i]);
	}
	assoc_finish(s);
	for (int i = 0; i < k.n; i++)
		assert_int_equal(decider_cand(d, &k.c[i], by_id(v, n, k.c[i].a6),
					      by_id(v, n, k.c[i].a4)), 0);
	assoc_free(s);
	assert_int_equal(decider_run(d, st, ds), 0);
	decider_free(d);
}

static void test_ipv4_claimed_twice(void **state)
{
	(void)state;
	struct store *st = fresh_store();
	/* two IPv6 attempts want the same IPv4 attempt; the closer one
	 * (port 1 apart, 5 ms) gets it, the other is told it was taken */
	struct attempt v[] = {
		mk(1, "2001:db8:1::1", 50000, 0, 0, 1),
		mk(2, "2001:db8:2::2", 50099, 1 * MS, 1 * MS, 1),
		mk(3, "198.51.100.1", 50001, 5 * MS, 5 * MS, 1),
	};
	struct decide_stats ds;
	run_pipeline(st, v, 3, &ds);
	assert_int_equal(ds.associated, 1);
	char out[512] = "";
	assert_int_equal(store_query(st, "SELECT a6, decision FROM candidates ORDER BY a6",
				     NULL, 0, grab, out), 0);
	assert_string_equal(out, "1=associated 2=ipv4-taken");
	out[0] = '\0';
	assert_int_equal(store_query(st, "SELECT id, partner FROM attempts ORDER BY id",
				     NULL, 0, grab, out), 0);
	assert_string_equal(out, "1=3 2=- 3=1");
	drop_store(st);
}

static void test_tie_break_and_ambiguity(void **state)
{
	(void)state;
	struct store *st = fresh_store();
	/* two IPv4 hosts with identical evidence for one IPv6 attempt:
	 * ambiguous, so nothing is associated */
	struct attempt v[] = {
		mk(1, "2001:db8:1::1", 50000, 0, 0, 1),
		mk(2, "198.51.100.1", 61000, 10 * MS, 10 * MS, 1),
		mk(3, "198.51.100.2", 62000, 10 * MS, 10 * MS, 1),
	};
	struct decide_stats ds;
	run_pipeline(st, v, 3, &ds);
	assert_int_equal(ds.associated, 0);
	assert_int_equal(ds.ambiguous, 2);
	drop_store(st);

	/* the same IPv4 host twice is no ambiguity: the earlier gap wins */
	st = fresh_store();
	struct attempt w[] = {
		mk(1, "2001:db8:1::1", 50000, 0, 0, 1),
		mk(2, "198.51.100.1", 61000, 10 * MS, 10 * MS, 1),
		mk(3, "198.51.100.1", 62000, 20 * MS, 20 * MS, 1),
	};
	run_pipeline(st, w, 3, &ds);
	assert_int_equal(ds.associated, 1);
	char out[512] = "";
	assert_int_equal(store_query(st, "SELECT a4, decision FROM candidates ORDER BY a4",
				     NULL, 0, grab, out), 0);
	assert_string_equal(out, "2=associated 3=lost");
	drop_store(st);
}

static void test_host_consistency(void **state)
{
	(void)state;
	struct store *st = fresh_store();
	/* one IPv6 host, three attempts; each time two IPv4 hosts start
	 * within 100 ms, but only 198.51.100.7 every time */
	struct attempt v[12];
	size_t n = 0;
	uint64_t id = 1;
	for (int i = 0; i < 3; i++) {
		int64_t t = i * 100 * SEC;
		v[n++] = mk(id++, "2001:db8:7::7", (uint16_t)(40000 + i * 1000), t, t, 1);
		v[n++] = mk(id++, "198.51.100.7", (uint16_t)(2000 + i * 3000), t + 100 * MS, t + 100 * MS, 1);
		char other[32];
		snprintf(other, sizeof other, "198.51.100.%d", 100 + i);
		v[n++] = mk(id++, other, (uint16_t)(9000 + i * 3000), t + 100 * MS, t + 100 * MS, 1);
	}
	struct decide_stats ds;
	run_pipeline(st, v, n, &ds);
	assert_int_equal(ds.associated, 3);
	char out[512] = "";
	assert_int_equal(store_query(st, "SELECT DISTINCT b.src, a.score FROM attempts a"
				     " JOIN attempts b ON b.id = a.partner WHERE a.family = 6",
				     NULL, 0, grab, out), 0);
	assert_string_equal(out, "198.51.100.7=80");  /* 15+10+15 + host 40 */
	drop_store(st);
}

/* the decision engine holds no state per host, attempt or candidate
 * while the pass streams by: 100 000 attempts of the same two hosts,
 * each IPv6 one with a candidate, leave its memory where 1 000 did; and
 * the meetings count once per IPv6 attempt however many IPv4 attempts of
 * the host it met */
static void test_decider_memory(void **state)
{
	(void)state;
	struct assoc_params p = P();
	char err[128];
	struct decider *d = decider_new(&p, err, sizeof err);
	assert_non_null(d);
	size_t at1k = 0;
	for (uint64_t i = 1; i <= 100000; i += 2) {
		struct attempt a6 = mk(i, "2001:db8::1", 1000, (int64_t)i * SEC, (int64_t)i * SEC, 1);
		struct attempt a4 = mk(i + 1, "192.0.2.1", 1001, (int64_t)i * SEC + MS,
				       (int64_t)i * SEC + MS, 1);
		assert_int_equal(decider_attempt(d, &a6), 0);
		assert_int_equal(decider_attempt(d, &a4), 0);
		struct assoc_cand c = { .a6 = i, .a4 = i + 1, .score = 60 };
		assert_int_equal(decider_cand(d, &c, &a6, &a4), 0);
		if (i == 999)
			at1k = decider_bytes(d);
	}
	/* nothing grows with the hosts or the attempts: only the list of the
	 * blocks written (16 bytes per block of 256 to 1024 records) */
	assert_true(decider_bytes(d) <= at1k + 16 * (2 * 100000 / 256));
	struct store *st = fresh_store();
	struct decide_stats ds;
	assert_int_equal(decider_run(d, st, &ds), 0);
	assert_int_equal(ds.candidates, 50000);
	assert_int_equal(ds.associated, 50000);
	char out[512] = "";
	assert_int_equal(store_query(st, "SELECT decision, MIN(ev_host) FROM candidates"
				     " GROUP BY decision", NULL, 0, grab, out), 0);
	/* every attempt of both hosts pairs up: full host weight */
	char want[64];
	snprintf(want, sizeof want, "associated=%d", p.host_weight);
	assert_string_equal(out, want);
	decider_free(d);
	drop_store(st);
}

/* grab_all - "A6:A4:EV_HOST:DECISION ..." of every row, into a growing string */
struct text {
	char *s;
	size_t n;
};

static int grab_all(int ncol, const char *const *names, const char *const *vals, void *arg)
{
	(void)names;
	struct text *t = arg;
	for (int i = 0; i < ncol; i++) {
		size_t len = strlen(vals[i] ? vals[i] : "-");
		t->s = realloc(t->s, t->n + len + 2);
		assert_non_null(t->s);
		memcpy(t->s + t->n, vals[i] ? vals[i] : "-", len);
		t->n += len;
		t->s[t->n++] = i + 1 < ncol ? ':' : ' ';
		t->s[t->n] = '\0';
	}
	return 0;
}

/* host_pairs_all - 40 host pairs whose IPv6 host meets its IPv4 host in
 * 1 to 4 attempts (those with 4 attempts: in only 2 of them), and in each
 * a bystander IPv4 host once; the meetings counted
 * with blocks of block_keys meetings in the temporary file and budget
 * meetings at once (0: the defaults); every candidate's (a6, a4,
 * ev_host, decision), and with all, every column of the candidates,
 * attempts and hosts tables */
static char *host_pairs_all(uint32_t block_keys, uint32_t budget, bool all)
{
	struct assoc_params p = P();
	char err[128];
	struct decider *d = decider_new(&p, err, sizeof err);
	assert_non_null(d);
	decider_pair_block_keys(d, block_keys);
	decider_pair_budget(d, budget);
	uint64_t id = 1;
	for (int h = 0; h < 40; h++) {
		char a6[64], a4[32], n4[32];
		snprintf(a6, sizeof a6, "2001:db8:%x::1", h + 1);
		snprintf(a4, sizeof a4, "198.51.100.%d", h + 1);
		for (int k = 0; k <= h % 4; k++) {
			snprintf(n4, sizeof n4, "10.%d.%d.1", h, k);
			if (h % 4 == 3 && k >= 2)
				snprintf(a4, sizeof a4, "198.18.%d.%d", h, k);
			int64_t t = ((int64_t)h * 100 + k * 10) * SEC;
			struct attempt v6 = mk(id, a6, 40000, t, t, 1);
			struct attempt v4 = mk(id + 1, a4, 40001, t + MS, t + MS, 1);
			struct attempt w4 = mk(id + 2, n4, 41000, t + 2 * MS, t + 2 * MS, 1);
			assert_int_equal(decider_attempt(d, &v6), 0);
			assert_int_equal(decider_attempt(d, &v4), 0);
			assert_int_equal(decider_attempt(d, &w4), 0);
			struct assoc_cand c1 = { .a6 = id, .a4 = id + 1, .score = 40 };
			struct assoc_cand c2 = { .a6 = id, .a4 = id + 2, .score = 20 };
			assert_int_equal(decider_cand(d, &c1, &v6, &v4), 0);
			assert_int_equal(decider_cand(d, &c2, &v6, &w4), 0);
			id += 3;
		}
	}
	struct store *st = fresh_store();
	struct decide_stats ds;
	struct decide_host_stats hs;
	assert_int_equal(decider_run(d, st, &ds), 0);
	if (all)
		assert_int_equal(decider_hosts(d, st, 0, &hs), 0);
	decider_free(d);
	struct text t = { NULL, 0 };
	if (!all) {
		assert_int_equal(store_query(st, "SELECT a6, a4, ev_host, decision FROM candidates"
					     " ORDER BY a6, a4", NULL, 0, grab_all, &t), 0);
	} else {
		/* every row in the order written: the pass' order for the
		 * candidates and attempts, address order for the hosts */
		static const char *const q[] = {
			"SELECT * FROM candidates ORDER BY rowid",
			"SELECT * FROM attempts ORDER BY rowid",
			"SELECT * FROM hosts ORDER BY rowid",
		};
		for (size_t i = 0; i < 3; i++)
			assert_int_equal(store_query(st, q[i], NULL, 0, grab_all, &t), 0);
	}
	drop_store(st);
	return t.s;
}

static char *host_pairs_run(uint32_t block_keys, uint32_t budget)
{
	return host_pairs_all(block_keys, budget, false);
}

/* the meetings of host pairs are counted a partition at a time, from
 * blocks in a temporary file, in slices of the partition when it has
 * more than the budget: whole buffers, one meeting a block, or a slice
 * for about every meeting give the same points and decisions; pairs
 * that met 2-4 times get host points, single meetings of a host with 3+
 * attempts lose some */
static void test_pair_slices(void **state)
{
	(void)state;
	char *whole = host_pairs_run(0, 0);
	char *sliced = host_pairs_run(1, 0);   /* every meeting its own block */
	char *budget1 = host_pairs_run(0, 1);  /* a slice per meeting of the largest partition */
	char *budget2 = host_pairs_run(1, 2);
	assert_non_null(whole);
	assert_string_equal(whole, sliced);
	assert_string_equal(whole, budget1);
	assert_string_equal(whole, budget2);
	free(budget1);
	free(budget2);
	/* IPv6 host 2 (2 attempts, ids 4..): full host weight; IPv6 host 4
	 * (4 attempts, ids 19..): its IPv4 host met twice, a bystander once */
	struct assoc_params p = P();
	char want[3][64];
	snprintf(want[0], sizeof want[0], "4:5:%d:associated ", decide_host_points(&p, 2, 2, 2));
	snprintf(want[1], sizeof want[1], "19:20:%d:", decide_host_points(&p, 2, 4, 2));
	snprintf(want[2], sizeof want[2], "19:21:%d:", decide_host_points(&p, 1, 4, 1));
	assert_int_equal(decide_host_points(&p, 2, 2, 2), p.host_weight);
	assert_int_not_equal(decide_host_points(&p, 2, 4, 2), p.host_weight);
	assert_int_equal(decide_host_points(&p, 1, 4, 1), -p.host_weight / 2);
	for (int i = 0; i < 3; i++)
		if (!strstr(whole, want[i]))
			fail_msg("no \"%s\" in %s", want[i], whole);
	free(whole);
	free(sliced);
}

/* which partition a host's records go to is a hash of its address with
 * the process' random seed: other seeds spread the hosts otherwise, and
 * every table comes out the same, row for row */
static void test_partition_free(void **state)
{
	(void)state;
	hash_seed_fixed(1);
	char *a = host_pairs_all(0, 0, true);
	hash_seed_fixed(0x9e3779b97f4a7c15ULL);
	char *b = host_pairs_all(0, 0, true);
	hash_seed_fixed(77);
	char *c = host_pairs_all(3, 1, true);   /* and in slices */
	assert_non_null(a);
	assert_true(strlen(a) > 1000);
	assert_non_null(strstr(a, "associated"));
	assert_string_equal(a, b);
	assert_string_equal(a, c);
	free(a);
	free(b);
	free(c);
}

/* the hosts' rows are added up after the pass from a record per
 * attempt, a partition (by a hash of the address) at a time: 300 hosts of both
 * families, one of them with 2500 attempts (several blocks of its
 * partition in the file), attempts interleaved and out of time order,
 * three fingerprint labels with known winners; every row's times,
 * counts and labels as a plain count over the attempts gives them */
struct host_want {
	char addr[48];
	int64_t first, last;
	unsigned n, syns, by_label[3];
};

static void test_host_rows(void **state)
{
	(void)state;
	static const char *const os[3] = { "Windows 7 or 8", "Linux 3.11 and newer", "Mac OS X" };
	static const char *const fam[3] = { "Windows", "Linux", "Mac OS X" };
	enum { NH = 300 };
	struct host_want *w = calloc(NH, sizeof *w);
	assert_non_null(w);
	for (int k = 0; k < NH; k++) {
		if (k % 2)
			snprintf(w[k].addr, sizeof w[k].addr, "2001:db8:%x::%x", k / 7 + 1, k + 1);
		else
			snprintf(w[k].addr, sizeof w[k].addr, "10.%d.%d.1", k / 256, k % 256);
	}
	struct assoc_params p = P();
	char err[128];
	struct decider *d = decider_new(&p, err, sizeof err);
	assert_non_null(d);
	uint64_t id = 1;
	for (int round = 0; round < 2500; round++)
		for (int k = 0; k < NH; k++) {
			int m = k == 0 ? 2500 : k % 9 + 1;   /* attempts of host k */
			if (round >= m)
				continue;
			int64_t t = (int64_t)((round * 7919 + k * 104729) % 100000) * SEC;
			unsigned syns = (unsigned)(round % 3 + 1);
			int lab = (round + k) % 3 == 2 && k % 4 ? 1 : (round * k) % 2;
			struct attempt a = mk(id++, w[k].addr, 40000, t, t + (int64_t)syns * SEC, syns);
			a.os = os[lab];
			a.os_family = fam[lab];
			assert_int_equal(decider_attempt(d, &a), 0);
			struct host_want *x = &w[k];
			if (!x->n || t < x->first)
				x->first = t;
			if (!x->n || a.last_ns > x->last)
				x->last = a.last_ns;
			x->n++;
			x->syns += syns;
			x->by_label[lab]++;
		}
	struct store *st = fresh_store();
	struct decide_stats ds;
	struct decide_host_stats hs;
	assert_int_equal(decider_run(d, st, &ds), 0);
	assert_int_equal(decider_hosts(d, st, 0, &hs), 0);
	decider_free(d);
	assert_int_equal(hs.hosts[0] + hs.hosts[1], NH);
	for (int k = 0; k < NH; k++) {
		int top = 0;
		for (int l = 1; l < 3; l++)
			if (w[k].by_label[l] > w[k].by_label[top] ||
			    (w[k].by_label[l] == w[k].by_label[top] && strcmp(os[l], os[top]) < 0))
				top = l;
		char want[256];
		snprintf(want, sizeof want, "%lld:%lld:%u:%u:%s:%s ", (long long)w[k].first,
			 (long long)w[k].last, w[k].n, w[k].syns, os[top], fam[top]);
		struct text t = { NULL, 0 };
		const char *param[1] = { w[k].addr };
		assert_int_equal(store_query(st, "SELECT first_ns, last_ns, attempts, syns, os,"
					     " os_family FROM hosts WHERE addr = ?", param, 1,
					     grab_all, &t), 0);
		assert_non_null(t.s);
		if (strcmp(t.s, want))
			fail_msg("host %s: %s, want %s", w[k].addr, t.s, want);
		free(t.s);
	}
	drop_store(st);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_distance_edges),
		cmocka_unit_test(test_gap_and_syns),
		cmocka_unit_test(test_embedded_and_tsclock),
		cmocka_unit_test(test_os_only_where_independent),
		cmocka_unit_test(test_candidate_ordering),
		cmocka_unit_test(test_stream_bounded),
		cmocka_unit_test(test_ipv4_claimed_twice),
		cmocka_unit_test(test_tie_break_and_ambiguity),
		cmocka_unit_test(test_host_consistency),
		cmocka_unit_test(test_decider_memory),
		cmocka_unit_test(test_partition_free),
		cmocka_unit_test(test_pair_slices),
		cmocka_unit_test(test_host_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
